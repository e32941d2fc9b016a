/* multitenant 1.1 -> 1.2: auth methods, personal access tokens, lockout, encryption keys, tenant-scoped lookups */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.2'" to load this file. \quit

------------------------------------------------------------------------------
-- Projections of Phase 3 (reference/zitadel.md B.21, B.29, B.30) and the
-- failed-check counters behind the lockout flow.
------------------------------------------------------------------------------

------------------------------------------------------------------------------
-- Encryption keys: key material encrypted at rest under the server's master
-- key (AES-256-GCM through OpenSSL).
------------------------------------------------------------------------------

------------------------------------------------------------------------------
-- Tenant-scoped lookups (C): normalised lookup columns, their indexes, the
-- functions, personal access tokens and the lockout flow.
------------------------------------------------------------------------------

-- Lookups compare names and domains lower-cased (SPEC §5: case does not
-- matter), against copies that PostgreSQL keeps itself, so that a plain
-- btree index answers them with "=".
ALTER TABLE @extschema@.users_projection
	ADD COLUMN username_lower text GENERATED ALWAYS AS (pg_catalog.lower(username)) STORED;
CREATE INDEX users_projection_username_lower_idx
	ON @extschema@.users_projection (instance_id, username_lower);

ALTER TABLE @extschema@.login_names_projection_domains
	ADD COLUMN name_lower text GENERATED ALWAYS AS (pg_catalog.lower(name)) STORED;
CREATE INDEX login_names_projection_domains_name_lower_idx
	ON @extschema@.login_names_projection_domains (instance_id, name_lower);

ALTER TABLE @extschema@.org_domains_projection
	ADD COLUMN domain_lower text GENERATED ALWAYS AS (pg_catalog.lower(domain)) STORED;
CREATE INDEX org_domains_projection_domain_lower_idx
	ON @extschema@.org_domains_projection (instance_id, domain_lower);

-- instance_by_domain maps a request's host to its tenant before any tenant
-- is known, so a domain must name one instance across all tenants: otherwise
-- a tenant could claim another's domain and receive its requests.  This
-- index is therefore not led by instance_id.  Zitadel enforces the same
-- uniqueness through its unique constraints.
DO $unique_domains$
DECLARE
	clash record;
BEGIN
	SELECT pg_catalog.lower(d.domain) AS domain,
	       pg_catalog.string_agg(pg_catalog.quote_literal(d.instance_id), ', ' ORDER BY d.instance_id) AS instances
	  INTO clash
	  FROM @extschema@.instance_domains_projection AS d
	 GROUP BY pg_catalog.lower(d.domain)
	HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 1
	 ORDER BY 1
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'cannot upgrade multitenant.instance_domains_projection: domain "%" belongs to more than one instance (%)',
			clash.domain, clash.instances
			USING ERRCODE = '23505',
			      HINT = 'A domain routes requests to one tenant. Remove it from all but one instance (push instance.domain.removed), then upgrade.';
	END IF;
END
$unique_domains$;

ALTER TABLE @extschema@.instance_domains_projection
	ADD COLUMN domain_lower text GENERATED ALWAYS AS (pg_catalog.lower(domain)) STORED;
CREATE UNIQUE INDEX instance_domains_projection_domain_lower_key
	ON @extschema@.instance_domains_projection (domain_lower);

-- The lookups.  All but instance_by_domain and authenticate_pat answer within
-- the current tenant only, as the caller (row-level security applies); the
-- optional tenant_token (made by sign_tenant) enters its tenant for the rest
-- of the transaction first: one statement, one round trip.

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

-- Personal access tokens: create_pat returns the token once and pushes
-- user.pat.added with its SHA-256 only; authenticate_pat finds the token's
-- tenant and user before any tenant is set.

CREATE FUNCTION @extschema@.create_pat(user_id text, expiration timestamptz, scopes text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'mt_create_pat'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.authenticate_pat(token text)
RETURNS TABLE (instance_id text, user_id text, scopes text[])
AS 'MODULE_PATHNAME', 'mt_authenticate_pat'
LANGUAGE C STABLE PARALLEL UNSAFE ROWS 1;

-- The lockout flow: factor is password, totp, otp_sms or otp_email; the
-- result is whether the user is locked afterwards.

CREATE FUNCTION @extschema@.record_auth_check(user_id text, factor text, succeeded boolean, tenant_token text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'mt_record_auth_check'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
