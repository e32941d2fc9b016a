/*
 * Tenant-scoped lookups in C.  Their lower-cased lookup columns and indexes
 * belong to the tables they read (users, org and instance domains, login
 * names); whole-row answers have the row type of users_projection or
 * orgs_projection, so those tables' column order is part of the interface.
 */

-- All but instance_by_domain answer within the current tenant only, as the
-- caller (row-level security applies); the optional tenant_token (made by
-- sign_tenant) enters its tenant for the rest of the transaction first: one
-- statement, one round trip.  instance_by_domain maps a request's host to
-- its tenant before any tenant is known.

CREATE FUNCTION @extschema@.instance_by_domain(domain text)
RETURNS text
AS 'MODULE_PATHNAME', 'mt_instance_by_domain'
LANGUAGE C STABLE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.user_by_id(user_id text, tenant_token text DEFAULT NULL)
RETURNS SETOF @extschema@.users_projection
AS 'MODULE_PATHNAME', 'mt_user_by_id'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;

CREATE FUNCTION @extschema@.user_by_login_name(login_name text, tenant_token text DEFAULT NULL)
RETURNS SETOF @extschema@.users_projection
AS 'MODULE_PATHNAME', 'mt_user_by_login_name'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;

CREATE FUNCTION @extschema@.org_by_domain(domain text, tenant_token text DEFAULT NULL)
RETURNS SETOF @extschema@.orgs_projection
AS 'MODULE_PATHNAME', 'mt_org_by_domain'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;

CREATE FUNCTION @extschema@.has_role(user_id text, role_key text, project_id text DEFAULT NULL, tenant_token text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'mt_has_role'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- Backends keep copies of the rows of login-name policies and of
-- organisations' states that user_by_login_name and authenticate_pat read,
-- and of tenants' and realms' states that validate_session reads
-- (src/row_cache.c; the triggers of those two tables stand with them).
-- These triggers, before any write and enabled ALWAYS (logical
-- replication's apply and session_replication_role = replica included),
-- tell them that a transaction writes these tables: the
-- statement trigger for every statement and TRUNCATE, the row trigger for
-- writers that fire row triggers only (logical replication's apply).  The
-- backends use their copies only where they are exactly what a probe would
-- read.
CREATE FUNCTION @extschema@.lookup_rows_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mt_lookup_rows_changed'
LANGUAGE C;

CREATE TRIGGER lookup_rows_changed
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.login_names_projection_policies
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.login_names_projection_policies ENABLE ALWAYS TRIGGER lookup_rows_changed;
CREATE TRIGGER lookup_rows_changed_row
	BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.login_names_projection_policies
	FOR EACH ROW EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.login_names_projection_policies ENABLE ALWAYS TRIGGER lookup_rows_changed_row;

CREATE TRIGGER lookup_rows_changed
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.orgs_projection
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.orgs_projection ENABLE ALWAYS TRIGGER lookup_rows_changed;
CREATE TRIGGER lookup_rows_changed_row
	BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.orgs_projection
	FOR EACH ROW EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.orgs_projection ENABLE ALWAYS TRIGGER lookup_rows_changed_row;
