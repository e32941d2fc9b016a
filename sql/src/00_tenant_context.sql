/*
 * Tenant context: the checks that make installing safe, the extension's two
 * roles, the schema's privileges and the functions that enter, leave, read
 * and sign a tenant.  Who may execute which function is settled for every
 * function at once, at the end (99_grants.sql).
 */

/*
 * A schema that an untrusted role created beforehand could hold look-alike
 * objects that this script would then resolve; refuse to install into it.
 */
DO $guard$
DECLARE
	schema_owner oid;
BEGIN
	SELECT n.nspowner INTO schema_owner
	  FROM pg_catalog.pg_namespace AS n
	 WHERE n.nspname OPERATOR(pg_catalog.=) 'multitenant';
	IF schema_owner IS NOT NULL
	   AND schema_owner OPERATOR(pg_catalog.<>) (SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)
	   AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.oid OPERATOR(pg_catalog.=) schema_owner) THEN
		RAISE EXCEPTION 'schema "multitenant" is owned by a role that is neither a superuser nor the installing role'
			USING ERRCODE = '42501',
			      HINT = 'Drop the schema, or let a superuser own it, before CREATE EXTENSION multitenant.';
	END IF;
END
$guard$;

-- The roles are cluster-wide: another database's install may have made them.
DO $roles$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'multitenant_app') THEN
		CREATE ROLE multitenant_app NOLOGIN NOINHERIT;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'multitenant_admin') THEN
		CREATE ROLE multitenant_admin NOLOGIN NOINHERIT;
	END IF;
END
$roles$;

-- NOINHERIT above only concerns what these two roles inherit themselves;
-- their members still inherit their grants.

REVOKE ALL ON SCHEMA @extschema@ FROM PUBLIC;
GRANT USAGE ON SCHEMA @extschema@ TO multitenant_app, multitenant_admin;

------------------------------------------------------------------------------
-- Entering and reading the tenant.  current_tenant() is the one function
-- everybody may call: every tenant policy and every instance_id default
-- calls it, whoever queries the table.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.current_tenant()
RETURNS text
AS 'MODULE_PATHNAME', 'mt_current_tenant'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.set_tenant(instance_id text, token text DEFAULT NULL, is_local boolean DEFAULT false)
RETURNS void
AS 'MODULE_PATHNAME', 'mt_set_tenant'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.reset_tenant()
RETURNS void
AS 'MODULE_PATHNAME', 'mt_reset_tenant'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- Tokens for signed mode (multitenant.require_signed_context); only
-- administrators sign.  A token may name the acting principal (actor).
CREATE FUNCTION @extschema@.sign_tenant(instance_id text, ttl interval DEFAULT '15 minutes', actor text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'mt_sign_tenant'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

GRANT EXECUTE ON FUNCTION @extschema@.sign_tenant(text, interval, text) TO multitenant_admin;

-- The acting principal of the tenant context: the token's actor in signed
-- mode, multitenant.actor otherwise; NULL without a tenant.
CREATE FUNCTION @extschema@.current_actor()
RETURNS text
AS 'MODULE_PATHNAME', 'mt_current_actor'
LANGUAGE C STABLE PARALLEL SAFE;

-- Whether the role in effect outside any SECURITY DEFINER function (the
-- session user, or whom SET ROLE chose) is a superuser or has the privileges
-- of multitenant_admin.  Inside a definer function current_user is its
-- owner, so the lifecycle functions ask this instead.  Internal: no grants.
CREATE FUNCTION @extschema@.caller_is_operator()
RETURNS boolean
AS 'MODULE_PATHNAME', 'mt_caller_is_operator_sql'
LANGUAGE C STABLE PARALLEL SAFE;
