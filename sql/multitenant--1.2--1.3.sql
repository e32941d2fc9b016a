/* multitenant 1.2 -> 1.3: isolation hardening */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.3'" to load this file. \quit

------------------------------------------------------------------------------
-- Event types: the declared-types guard and aggregate versions.
--
-- A stored event can never be removed, so a misspelt event type would stay
-- forever.  With multitenant.require_declared_event_types on (a superuser
-- setting, off by default), push refuses a type that no reducer reduces and
-- nobody declared; the built-in types are reduced, so they count as
-- declared.  The declarations are global, like the reducer registry.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.event_types (
	event_type  text        PRIMARY KEY CHECK (event_type OPERATOR(pg_catalog.<>) ''),
	declared_by regrole     NOT NULL,
	declared_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- Backends cache which types are known; a removed declaration must reach them.
CREATE TRIGGER event_types_changed
	AFTER UPDATE OR DELETE OR TRUNCATE ON @extschema@.event_types
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.reducers_changed();

GRANT SELECT ON @extschema@.event_types TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.event_types', '');

CREATE FUNCTION @extschema@.declare_event_type(event_type text)
RETURNS void
AS 'MODULE_PATHNAME', 'mt_declare_event_type'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

CREATE FUNCTION @extschema@.aggregate_version(aggregate_type text, aggregate_id text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'mt_aggregate_version'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

------------------------------------------------------------------------------
-- Encryption keys: the algorithm and the expiry authenticated with the key
-- material, expired keys refused (src/encryption_keys.c)
------------------------------------------------------------------------------

-- key_format says what the GCM tag of key_data authenticates: 1, the 1.2
-- format, the tenant and the id; 2, also the algorithm, the expiry and the
-- format itself.  Every row that exists here was written by 1.2, and a row
-- written without naming its format (by a session that still runs 1.2's
-- statements) is in the 1.2 format too, hence the default; add_key names
-- format 2.  The marker only selects what must authenticate: the two formats'
-- authenticated data can never be equal, so a flipped marker fails
-- authentication.  rotate_master_key rewrites format 1 rows into format 2.
ALTER TABLE @extschema@.encryption_keys
	ADD COLUMN key_format smallint NOT NULL DEFAULT 1,
	ADD CONSTRAINT encryption_keys_key_format_check
		CHECK (key_format OPERATOR(pg_catalog.=) 1 OR key_format OPERATOR(pg_catalog.=) 2);

------------------------------------------------------------------------------
-- Who may call what (keep this section last: it covers every function).
--
-- Only current_tenant() stays executable by everyone: the tenant policies and
-- the instance_id defaults of every tenant table call it, whoever queries
-- them.  Everything else is granted to the extension's roles explicitly.
------------------------------------------------------------------------------

DO $grants$
DECLARE
	fn pg_catalog.regprocedure;
BEGIN
	FOR fn IN
		SELECT p.oid::pg_catalog.regprocedure FROM pg_catalog.pg_proc AS p
		 WHERE p.pronamespace OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace
		   AND p.oid OPERATOR(pg_catalog.<>) '@extschema@.current_tenant()'::pg_catalog.regprocedure
	LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
	END LOOP;
END
$grants$;

GRANT EXECUTE ON FUNCTION
	@extschema@.set_tenant(text, text, boolean),
	@extschema@.reset_tenant(),
	@extschema@.payload_text(jsonb, text),
	@extschema@.payload_bool(jsonb, text),
	@extschema@.payload_bigint(jsonb, text),
	@extschema@.payload_smallint(jsonb, text),
	@extschema@.payload_text_array(jsonb, text),
	@extschema@.payload_smallint_array(jsonb, text),
	@extschema@.payload_bytea(jsonb, text),
	@extschema@.payload_timestamptz(jsonb, text),
	@extschema@.payload_sha256(jsonb, text),
	@extschema@.push(text, text, text, jsonb, bigint, text, text, text, timestamptz),
	@extschema@.push_many(jsonb),
	@extschema@.read_events(bigint, integer),
	@extschema@.aggregate_version(text, text),
	@extschema@.instance_by_domain(text),
	@extschema@.user_by_id(text, text),
	@extschema@.user_by_login_name(text, text),
	@extschema@.org_by_domain(text, text),
	@extschema@.has_role(text, text, text, text),
	@extschema@.create_pat(text, timestamptz, text[]),
	@extschema@.authenticate_pat(text),
	@extschema@.record_auth_check(text, text, boolean, text)
TO multitenant_app, multitenant_admin;

GRANT EXECUTE ON FUNCTION @extschema@.declare_event_type(text) TO multitenant_admin;

------------------------------------------------------------------------------
-- Reducer order: the built-in instance.removed reducers run in the order of
-- the install script's sources.
--
-- Since 1.3 a fresh install runs one script assembled from sql/src, which
-- registers each table's reducers next to the table: instance.removed then
-- goes through the tables by domain, parents before their detail tables.
-- The upgrade to 1.1 registered the adopted tables' ones in alphabetical
-- order, after the core tables' and before those 1.2 added.  The order makes
-- no difference to the result (each deletes its table's rows of the tenant;
-- detail rows also go by cascade), but an upgraded database must hold what a
-- fresh install holds.  Every other event type already runs its built-in
-- reducers in the sources' order.  The rows keep every column and, between
-- them, the ids they had: only which row holds which id changes, so a
-- reducer an administrator registered keeps its place among them.
------------------------------------------------------------------------------

DO $reducer_order$
DECLARE
	sources_order CONSTANT pg_catalog.regclass[] := ARRAY[
		'@extschema@.instances_projection',
		'@extschema@.orgs_projection',
		'@extschema@.projects_projection',
		'@extschema@.applications_projection',
		'@extschema@.users_projection',
		'@extschema@.users_projection_humans',
		'@extschema@.users_projection_machines',
		'@extschema@.users_projection_notifications',
		'@extschema@.user_metadata',
		'@extschema@.login_names_projection_domains',
		'@extschema@.login_names_projection_policies',
		'@extschema@.login_names_projection_users',
		'@extschema@.sessions_projection',
		'@extschema@.auth_requests_projection',
		'@extschema@.milestones_projection',
		'@extschema@.quotas_projection',
		'@extschema@.quotas_projection_notifications',
		'@extschema@.quotas_projection_periods',
		'@extschema@.limits_projection',
		'@extschema@.org_domains_projection',
		'@extschema@.project_roles_projection',
		'@extschema@.instance_domains_projection',
		'@extschema@.instance_trusted_domains_projection',
		'@extschema@.user_grants_projection',
		'@extschema@.project_grants_projection',
		'@extschema@.org_members_projection',
		'@extschema@.project_members_projection',
		'@extschema@.instance_members_projection',
		'@extschema@.password_complexity_policies',
		'@extschema@.password_age_policies',
		'@extschema@.login_policies',
		'@extschema@.notification_policies',
		'@extschema@.idp_configs',
		'@extschema@.idp_configs_jwt_config',
		'@extschema@.idp_configs_oidc_config',
		'@extschema@.idp_providers',
		'@extschema@.idp_templates_projection',
		'@extschema@.idp_templates_projection_apple',
		'@extschema@.idp_templates_projection_azure',
		'@extschema@.idp_templates_projection_github',
		'@extschema@.idp_templates_projection_github_enterprise',
		'@extschema@.idp_templates_projection_gitlab',
		'@extschema@.idp_templates_projection_gitlab_self_hosted',
		'@extschema@.idp_templates_projection_google',
		'@extschema@.idp_templates_projection_jwt',
		'@extschema@.idp_templates_projection_ldap2',
		'@extschema@.idp_templates_projection_oauth2',
		'@extschema@.idp_templates_projection_oidc',
		'@extschema@.idp_templates_projection_saml',
		'@extschema@.lockout_policies_projection',
		'@extschema@.user_auth_methods_projection',
		'@extschema@.personal_access_tokens_projection',
		'@extschema@.login_failures_projection'
	]::pg_catalog.regclass[];
BEGIN
	WITH old AS (
		DELETE FROM @extschema@.reducers AS r
		 WHERE r.builtin AND r.event_type OPERATOR(pg_catalog.=) 'instance.removed'
		RETURNING r.*
	), slot AS (
		SELECT o.id, pg_catalog.row_number() OVER (ORDER BY o.id) AS n
		  FROM old AS o
	), reordered AS (
		SELECT o.*, pg_catalog.row_number() OVER (ORDER BY pg_catalog.array_position(sources_order, o.projection), o.id) AS n
		  FROM old AS o
	)
	INSERT INTO @extschema@.reducers (id, projection, event_type, action, set_columns, match_columns, condition, touch, registered_by, builtin)
	OVERRIDING SYSTEM VALUE
	SELECT s.id, o.projection, o.event_type, o.action, o.set_columns, o.match_columns, o.condition, o.touch, o.registered_by, o.builtin
	  FROM reordered AS o
	  JOIN slot AS s ON s.n OPERATOR(pg_catalog.=) o.n;
END
$reducer_order$;
