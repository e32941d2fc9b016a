/* multitenant 1.4 -> 1.5: performance and scale-out */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.5'" to load this file. \quit

------------------------------------------------------------------------------
-- Per-backend copies of login-name policies, organisation, tenant and realm
-- states for the lookups, guarded by a statement trigger (src/row_cache.c).
------------------------------------------------------------------------------
-- Backends keep copies of the rows of login-name policies and of
-- organisations' states that user_by_login_name and authenticate_pat read,
-- and of tenants' and realms' states that validate_session reads
-- (src/row_cache.c).  These triggers, before any write and enabled
-- ALWAYS (logical replication's apply and session_replication_role =
-- replica included), tell them that a transaction writes these tables: the
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

-- validate_session keeps tenants' states per backend (src/row_cache.c, see 20_lookups).
CREATE TRIGGER lookup_rows_changed
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.tenants
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.tenants ENABLE ALWAYS TRIGGER lookup_rows_changed;
CREATE TRIGGER lookup_rows_changed_row
	BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.tenants
	FOR EACH ROW EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.tenants ENABLE ALWAYS TRIGGER lookup_rows_changed_row;

-- validate_session keeps realms' states per backend (src/row_cache.c, see 20_lookups).
CREATE TRIGGER lookup_rows_changed
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.tenant_realms
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.tenant_realms ENABLE ALWAYS TRIGGER lookup_rows_changed;
CREATE TRIGGER lookup_rows_changed_row
	BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.tenant_realms
	FOR EACH ROW EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.tenant_realms ENABLE ALWAYS TRIGGER lookup_rows_changed_row;

REVOKE ALL ON FUNCTION @extschema@.lookup_rows_changed() FROM PUBLIC;
