/* multitenant 1.0: tenant context, event store, reducer engine, core projections */

\echo Use "CREATE EXTENSION multitenant" to load this file. \quit

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
-- Tenant context
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

CREATE FUNCTION @extschema@.sign_tenant(instance_id text, ttl interval DEFAULT '15 minutes')
RETURNS text
AS 'MODULE_PATHNAME', 'mt_sign_tenant'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

REVOKE ALL ON FUNCTION @extschema@.sign_tenant(text, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.sign_tenant(text, interval) TO multitenant_admin;

------------------------------------------------------------------------------
-- Payload accessors: typed reads of event payload keys that refuse a key of
-- the wrong JSON type instead of coercing it.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.payload_text(payload jsonb, key text)
RETURNS text AS 'MODULE_PATHNAME', 'mt_payload_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.payload_bool(payload jsonb, key text)
RETURNS boolean AS 'MODULE_PATHNAME', 'mt_payload_bool'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.payload_bigint(payload jsonb, key text)
RETURNS bigint AS 'MODULE_PATHNAME', 'mt_payload_bigint'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.payload_smallint(payload jsonb, key text)
RETURNS smallint AS 'MODULE_PATHNAME', 'mt_payload_smallint'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.payload_text_array(payload jsonb, key text)
RETURNS text[] AS 'MODULE_PATHNAME', 'mt_payload_text_array'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.payload_smallint_array(payload jsonb, key text)
RETURNS smallint[] AS 'MODULE_PATHNAME', 'mt_payload_smallint_array'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.payload_bytea(payload jsonb, key text)
RETURNS bytea AS 'MODULE_PATHNAME', 'mt_payload_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.payload_timestamptz(payload jsonb, key text)
RETURNS timestamptz AS 'MODULE_PATHNAME', 'mt_payload_timestamptz'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

------------------------------------------------------------------------------
-- Event store
------------------------------------------------------------------------------

CREATE SEQUENCE @extschema@.events_position_seq AS bigint;

CREATE TABLE @extschema@.events (
	instance_id    text        NOT NULL,
	aggregate_type text        NOT NULL,
	aggregate_id   text        NOT NULL,
	sequence       bigint      NOT NULL,
	event_type     text        NOT NULL,
	payload        jsonb,
	creator        text        NOT NULL,
	resource_owner text        NOT NULL,
	created_at     timestamptz NOT NULL,
	position       bigint      NOT NULL,
	CONSTRAINT events_pkey PRIMARY KEY (instance_id, aggregate_type, aggregate_id, sequence),
	CONSTRAINT events_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT events_aggregate_type_check CHECK (aggregate_type OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT events_aggregate_id_check CHECK (aggregate_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT events_event_type_check CHECK (event_type OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT events_sequence_check CHECK (sequence OPERATOR(pg_catalog.>) 0)
);

CREATE UNIQUE INDEX events_position_idx ON @extschema@.events (position);
CREATE INDEX events_type_position_idx ON @extschema@.events (instance_id, event_type, position);

CREATE FUNCTION @extschema@.events_immutable()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mt_events_immutable'
LANGUAGE C;

CREATE TRIGGER events_immutable_row
	BEFORE UPDATE OR DELETE ON @extschema@.events
	FOR EACH ROW EXECUTE FUNCTION @extschema@.events_immutable();
CREATE TRIGGER events_immutable_truncate
	BEFORE TRUNCATE ON @extschema@.events
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.events_immutable();

CREATE FUNCTION @extschema@.push(
	aggregate_type text,
	aggregate_id text,
	event_type text,
	payload jsonb DEFAULT NULL,
	expected_sequence bigint DEFAULT NULL,
	resource_owner text DEFAULT NULL,
	creator text DEFAULT NULL,
	instance_id text DEFAULT @extschema@.current_tenant(),
	created_at timestamptz DEFAULT pg_catalog.now())
RETURNS @extschema@.events
AS 'MODULE_PATHNAME', 'mt_push'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

CREATE FUNCTION @extschema@.push_many(events jsonb)
RETURNS SETOF @extschema@.events
AS 'MODULE_PATHNAME', 'mt_push_many'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

CREATE FUNCTION @extschema@.read_events(after_position bigint DEFAULT 0, max_events integer DEFAULT 1000)
RETURNS SETOF @extschema@.events
AS 'MODULE_PATHNAME', 'mt_read_events'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

------------------------------------------------------------------------------
-- Reducer registry
------------------------------------------------------------------------------

CREATE TABLE @extschema@.reducers (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	projection    regclass NOT NULL,
	event_type    text     NOT NULL CHECK (event_type OPERATOR(pg_catalog.<>) ''),
	action        text     NOT NULL CHECK (action OPERATOR(pg_catalog.=) ANY (ARRAY['insert', 'upsert', 'update', 'delete'])),
	set_columns   jsonb    NOT NULL DEFAULT '{}',
	match_columns jsonb    NOT NULL DEFAULT '{}',
	condition     text,
	touch         boolean  NOT NULL DEFAULT true,
	registered_by regrole  NOT NULL,
	builtin       boolean  NOT NULL DEFAULT false
);

CREATE INDEX reducers_event_type_idx ON @extschema@.reducers (event_type, id);

CREATE FUNCTION @extschema@.reducers_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mt_reducers_changed'
LANGUAGE C;

CREATE TRIGGER reducers_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.reducers
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.reducers_changed();

CREATE FUNCTION @extschema@.register_reducer(
	projection regclass,
	event_type text,
	action text,
	set jsonb DEFAULT '{}',
	match jsonb DEFAULT '{"id": "e.aggregate_id"}',
	"when" text DEFAULT NULL,
	touch boolean DEFAULT true)
RETURNS void
AS 'MODULE_PATHNAME', 'mt_register_reducer'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

CREATE FUNCTION @extschema@.unregister_reducer(projection regclass, event_type text)
RETURNS integer
AS 'MODULE_PATHNAME', 'mt_unregister_reducer'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

CREATE FUNCTION @extschema@.rebuild(projection regclass DEFAULT NULL, instance_id text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'mt_rebuild'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

REVOKE ALL ON FUNCTION @extschema@.register_reducer(regclass, text, text, jsonb, jsonb, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.unregister_reducer(regclass, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.rebuild(regclass, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.register_reducer(regclass, text, text, jsonb, jsonb, text, boolean) TO multitenant_admin;
GRANT EXECUTE ON FUNCTION @extschema@.unregister_reducer(regclass, text) TO multitenant_admin;
GRANT EXECUTE ON FUNCTION @extschema@.rebuild(regclass, text) TO multitenant_admin;

------------------------------------------------------------------------------
-- Tenant tables: one procedure applies the isolation contract so that every
-- table (ours and, later, adopted ones) gets exactly the same policies.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.enable_tenant_isolation(tbl regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	tenant_qual CONSTANT text := 'instance_id OPERATOR(pg_catalog.=) multitenant.current_tenant()';
BEGIN
	EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
	EXECUTE pg_catalog.format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
	-- Calling it again changes nothing: each policy is created once.
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_policy AS p WHERE p.polrelid OPERATOR(pg_catalog.=) tbl AND p.polname OPERATOR(pg_catalog.=) 'tenant_isolation') THEN
		EXECUTE pg_catalog.format(
			'CREATE POLICY tenant_isolation ON %s AS PERMISSIVE FOR ALL TO PUBLIC USING (%s) WITH CHECK (%s)',
			tbl, tenant_qual, tenant_qual);
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_policy AS p WHERE p.polrelid OPERATOR(pg_catalog.=) tbl AND p.polname OPERATOR(pg_catalog.=) 'tenant_admin') THEN
		EXECUTE pg_catalog.format(
			'CREATE POLICY tenant_admin ON %s AS PERMISSIVE FOR ALL TO multitenant_admin USING (true) WITH CHECK (true)', tbl);
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_policy AS p WHERE p.polrelid OPERATOR(pg_catalog.=) tbl AND p.polname OPERATOR(pg_catalog.=) 'tenant_guard') THEN
		EXECUTE pg_catalog.format(
			'CREATE POLICY tenant_guard ON %s AS RESTRICTIVE FOR ALL TO multitenant_app USING (%s) WITH CHECK (%s)',
			tbl, tenant_qual, tenant_qual);
	END IF;
END
$fn$;

REVOKE ALL ON FUNCTION @extschema@.enable_tenant_isolation(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.enable_tenant_isolation(regclass) TO multitenant_admin;

SELECT @extschema@.enable_tenant_isolation('@extschema@.events');

GRANT SELECT ON @extschema@.events TO multitenant_app, multitenant_admin;
GRANT SELECT ON @extschema@.reducers TO multitenant_admin;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.events', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.events_position_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.reducers', 'WHERE NOT builtin');

------------------------------------------------------------------------------
-- Core projections (1.0, multi-tenant form): instances, orgs, projects,
-- applications (+ api / oidc / saml configs).
--
-- Tables follow reference/zitadel.md A.4, B.1, B.2, B.3 and B.9: every
-- column NOT NULL unless the reference marks it nullable, enums as smallint,
-- Go time.Duration as bigint nanoseconds, Go []byte as bytea.  Every primary
-- key and secondary index is led by instance_id.
--
-- Reducers reproduce Zitadel's statements.  Payload keys are read only
-- through the typed accessors, so a key of the wrong JSON type fails the push
-- (SQLSTATE 22023) instead of being coerced.  Where Zitadel decodes an absent
-- key into a Go zero value and stores it in a NOT NULL column, the reducer
-- does the same with COALESCE ('' / 0 / false / '{}').
------------------------------------------------------------------------------

------------------------------------------------------------------------------
-- instances_projection (Zitadel projections.instances, B.9)
-- Zitadel's key is (id); here the tenant is the instance: instance_id = id.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.instances_projection (
	instance_id       text        NOT NULL,
	id                text        NOT NULL,
	name              text        NOT NULL DEFAULT '',
	creation_date     timestamptz NOT NULL,
	change_date       timestamptz NOT NULL,
	resource_owner    text        NOT NULL,
	sequence          bigint      NOT NULL,
	default_org_id    text        NOT NULL DEFAULT '',
	iam_project_id    text        NOT NULL DEFAULT '',
	console_client_id text        NOT NULL DEFAULT '',
	console_app_id    text        NOT NULL DEFAULT '',
	default_language  text        NOT NULL DEFAULT '',
	CONSTRAINT instances_projection_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT instances_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT instances_projection_id_check CHECK (instance_id OPERATOR(pg_catalog.=) id)
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.instances_projection');
GRANT SELECT ON @extschema@.instances_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.instances_projection', '');

------------------------------------------------------------------------------
-- orgs_projection (Zitadel projections.orgs1, B.1)
-- OrgState: 1 active, 2 inactive, 3 removed (removal deletes the row).
------------------------------------------------------------------------------

CREATE TABLE @extschema@.orgs_projection (
	instance_id    text        NOT NULL,
	id             text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	change_date    timestamptz NOT NULL,
	resource_owner text        NOT NULL,
	sequence       bigint      NOT NULL,
	org_state      smallint    NOT NULL,
	name           text        NOT NULL,
	primary_domain text        NOT NULL DEFAULT '',
	CONSTRAINT orgs_projection_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT orgs_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

CREATE INDEX orgs_projection_primary_domain_idx ON @extschema@.orgs_projection (instance_id, primary_domain);
CREATE INDEX orgs_projection_name_idx ON @extschema@.orgs_projection (instance_id, name);

SELECT @extschema@.enable_tenant_isolation('@extschema@.orgs_projection');
GRANT SELECT ON @extschema@.orgs_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.orgs_projection', '');

------------------------------------------------------------------------------
-- projects_projection (Zitadel projections.projects4, B.2)
-- ProjectState: 1 active, 2 inactive.  PrivateLabelingSetting: 0 unspecified,
-- 1 enforce project resource owner policy, 2 allow login user resource owner policy.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.projects_projection (
	instance_id              text        NOT NULL,
	id                       text        NOT NULL,
	creation_date            timestamptz NOT NULL,
	change_date              timestamptz NOT NULL,
	resource_owner           text        NOT NULL,
	sequence                 bigint      NOT NULL,
	state                    smallint    NOT NULL,
	name                     text        NOT NULL,
	project_role_assertion   boolean     NOT NULL DEFAULT false,
	project_role_check       boolean     NOT NULL DEFAULT false,
	has_project_check        boolean     NOT NULL DEFAULT false,
	private_labeling_setting smallint    NOT NULL DEFAULT 0,
	CONSTRAINT projects_projection_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT projects_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- org.removed cascades by resource_owner.
CREATE INDEX projects_projection_resource_owner_idx ON @extschema@.projects_projection (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.projects_projection');
GRANT SELECT ON @extschema@.projects_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.projects_projection', '');

------------------------------------------------------------------------------
-- applications_projection (Zitadel projections.apps7, B.3) and its detail
-- tables.  AppState: 1 active, 2 inactive.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.applications_projection (
	instance_id    text        NOT NULL,
	id             text        NOT NULL,
	name           text        NOT NULL,
	project_id     text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	change_date    timestamptz NOT NULL,
	resource_owner text        NOT NULL,
	state          smallint    NOT NULL,
	sequence       bigint      NOT NULL,
	CONSTRAINT applications_projection_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT applications_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- project.removed cascades by project_id, org.removed by resource_owner.
CREATE INDEX applications_projection_project_id_idx ON @extschema@.applications_projection (instance_id, project_id);
CREATE INDEX applications_projection_resource_owner_idx ON @extschema@.applications_projection (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.applications_projection');
GRANT SELECT ON @extschema@.applications_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.applications_projection', '');

-- API apps.  auth_method (APIAuthMethodType): 0 basic, 1 private_key_jwt.
CREATE TABLE @extschema@.applications_projection_api_configs (
	instance_id   text     NOT NULL,
	app_id        text     NOT NULL,
	client_id     text     NOT NULL,
	client_secret text,
	auth_method   smallint NOT NULL DEFAULT 0,
	CONSTRAINT applications_projection_api_configs_pkey PRIMARY KEY (instance_id, app_id),
	CONSTRAINT applications_projection_api_configs_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT applications_projection_api_configs_app_id_fkey FOREIGN KEY (instance_id, app_id)
		REFERENCES @extschema@.applications_projection (instance_id, id) ON DELETE CASCADE
);

CREATE INDEX applications_projection_api_configs_client_id_idx ON @extschema@.applications_projection_api_configs (instance_id, client_id);

SELECT @extschema@.enable_tenant_isolation('@extschema@.applications_projection_api_configs');
GRANT SELECT ON @extschema@.applications_projection_api_configs TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.applications_projection_api_configs', '');

-- OIDC apps.  version (OIDCVersion): 0 = 1.0.  application_type: 0 web,
-- 1 user agent, 2 native.  auth_method_type: 0 basic, 1 post, 2 none,
-- 3 private_key_jwt.  access_token_type: 0 bearer, 1 jwt.  clock_skew in
-- nanoseconds (Go time.Duration).
CREATE TABLE @extschema@.applications_projection_oidc_configs (
	instance_id                  text       NOT NULL,
	app_id                       text       NOT NULL,
	version                      smallint   NOT NULL DEFAULT 0,
	client_id                    text       NOT NULL,
	client_secret                text,
	redirect_uris                text[]     NOT NULL DEFAULT '{}',
	response_types               smallint[] NOT NULL DEFAULT '{}',
	grant_types                  smallint[] NOT NULL DEFAULT '{}',
	application_type             smallint   NOT NULL DEFAULT 0,
	auth_method_type             smallint   NOT NULL DEFAULT 0,
	post_logout_redirect_uris    text[]     NOT NULL DEFAULT '{}',
	is_dev_mode                  boolean    NOT NULL DEFAULT false,
	access_token_type            smallint   NOT NULL DEFAULT 0,
	access_token_role_assertion  boolean    NOT NULL DEFAULT false,
	id_token_role_assertion      boolean    NOT NULL DEFAULT false,
	id_token_userinfo_assertion  boolean    NOT NULL DEFAULT false,
	clock_skew                   bigint     NOT NULL DEFAULT 0,
	additional_origins           text[]     NOT NULL DEFAULT '{}',
	skip_native_app_success_page boolean    NOT NULL DEFAULT false,
	back_channel_logout_uri      text,
	login_version                smallint,
	login_base_uri               text,
	CONSTRAINT applications_projection_oidc_configs_pkey PRIMARY KEY (instance_id, app_id),
	CONSTRAINT applications_projection_oidc_configs_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT applications_projection_oidc_configs_app_id_fkey FOREIGN KEY (instance_id, app_id)
		REFERENCES @extschema@.applications_projection (instance_id, id) ON DELETE CASCADE
);

CREATE INDEX applications_projection_oidc_configs_client_id_idx ON @extschema@.applications_projection_oidc_configs (instance_id, client_id);

SELECT @extschema@.enable_tenant_isolation('@extschema@.applications_projection_oidc_configs');
GRANT SELECT ON @extschema@.applications_projection_oidc_configs TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.applications_projection_oidc_configs', '');

-- SAML apps.  metadata is the raw XML (base64 in the event payload).
-- login_version / login_base_uri are nullable as in Zitadel (and as the same
-- columns of the OIDC table).
CREATE TABLE @extschema@.applications_projection_saml_configs (
	instance_id    text     NOT NULL,
	app_id         text     NOT NULL,
	entity_id      text     NOT NULL,
	metadata       bytea    NOT NULL,
	metadata_url   text     NOT NULL DEFAULT '',
	login_version  smallint,
	login_base_uri text,
	CONSTRAINT applications_projection_saml_configs_pkey PRIMARY KEY (instance_id, app_id),
	CONSTRAINT applications_projection_saml_configs_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT applications_projection_saml_configs_app_id_fkey FOREIGN KEY (instance_id, app_id)
		REFERENCES @extschema@.applications_projection (instance_id, id) ON DELETE CASCADE
);

CREATE INDEX applications_projection_saml_configs_entity_id_idx ON @extschema@.applications_projection_saml_configs (instance_id, entity_id);

SELECT @extschema@.enable_tenant_isolation('@extschema@.applications_projection_saml_configs');
GRANT SELECT ON @extschema@.applications_projection_saml_configs TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.applications_projection_saml_configs', '');

------------------------------------------------------------------------------
-- Reducers: instances_projection (aggregate `instance`, aggregate_id = instance_id)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.instances_projection', 'instance.added', 'insert',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instances_projection', 'instance.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instances_projection', 'instance.default.org.set', 'update',
	set => $${"default_org_id": "COALESCE(multitenant.payload_text(e.payload, 'orgId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instances_projection', 'instance.iam.project.set', 'update',
	set => $${"iam_project_id": "COALESCE(multitenant.payload_text(e.payload, 'iamProjectId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instances_projection', 'instance.iam.console.set', 'update',
	set => $${"console_client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "console_app_id": "COALESCE(multitenant.payload_text(e.payload, 'appId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instances_projection', 'instance.default.language.set', 'update',
	set => $${"default_language": "COALESCE(multitenant.payload_text(e.payload, 'language'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instances_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Reducers: orgs_projection (aggregate `org`)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.orgs_projection', 'org.added', 'insert',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "org_state": "1"}$$);

-- No-op unless the payload carries a non-empty name.
SELECT @extschema@.register_reducer('@extschema@.orgs_projection', 'org.changed', 'update',
	set => $${"name": "multitenant.payload_text(e.payload, 'name')"}$$,
	"when" => $$multitenant.payload_text(e.payload, 'name') <> ''$$);

SELECT @extschema@.register_reducer('@extschema@.orgs_projection', 'org.deactivated', 'update',
	set => '{"org_state": "2"}');

SELECT @extschema@.register_reducer('@extschema@.orgs_projection', 'org.reactivated', 'update',
	set => '{"org_state": "1"}');

SELECT @extschema@.register_reducer('@extschema@.orgs_projection', 'org.domain.primary.set', 'update',
	set => $${"primary_domain": "COALESCE(multitenant.payload_text(e.payload, 'domain'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.orgs_projection', 'org.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.orgs_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Reducers: projects_projection (aggregate `project`)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.projects_projection', 'project.added', 'insert',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "project_role_assertion": "COALESCE(multitenant.payload_bool(e.payload, 'projectRoleAssertion'), false)",
	          "project_role_check": "COALESCE(multitenant.payload_bool(e.payload, 'projectRoleCheck'), false)",
	          "has_project_check": "COALESCE(multitenant.payload_bool(e.payload, 'hasProjectCheck'), false)",
	          "private_labeling_setting": "COALESCE(multitenant.payload_smallint(e.payload, 'privateLabelingSetting'), 0)",
	          "state": "1"}$$);

-- Only the keys present (with a non-null value) change; no-op without any.
SELECT @extschema@.register_reducer('@extschema@.projects_projection', 'project.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "project_role_assertion": "COALESCE(multitenant.payload_bool(e.payload, 'projectRoleAssertion'), t.project_role_assertion)",
	          "project_role_check": "COALESCE(multitenant.payload_bool(e.payload, 'projectRoleCheck'), t.project_role_check)",
	          "has_project_check": "COALESCE(multitenant.payload_bool(e.payload, 'hasProjectCheck'), t.has_project_check)",
	          "private_labeling_setting": "COALESCE(multitenant.payload_smallint(e.payload, 'privateLabelingSetting'), t.private_labeling_setting)"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['name', 'projectRoleAssertion', 'projectRoleCheck', 'hasProjectCheck', 'privateLabelingSetting']$$);

SELECT @extschema@.register_reducer('@extschema@.projects_projection', 'project.deactivated', 'update',
	set => '{"state": "2"}');

SELECT @extschema@.register_reducer('@extschema@.projects_projection', 'project.reactivated', 'update',
	set => '{"state": "1"}');

SELECT @extschema@.register_reducer('@extschema@.projects_projection', 'project.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.projects_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.projects_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Reducers: applications_projection and details (aggregate `project`,
-- app id = payload appId, project_id = the project aggregate id).  Every
-- event on a detail table also touches change_date/sequence of the main row
-- (a second reducer, registered after the detail one).
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.added', 'insert',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "project_id": "e.aggregate_id",
	          "state": "1"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$);

-- No-op unless the payload carries a non-empty name.
SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.changed', 'update',
	set => $${"name": "multitenant.payload_text(e.payload, 'name')"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$,
	"when" => $$multitenant.payload_text(e.payload, 'name') <> ''$$);

SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.deactivated', 'update',
	set => '{"state": "2"}',
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.reactivated', 'update',
	set => '{"state": "1"}',
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$);

-- Detail rows go with the main row (ON DELETE CASCADE).
SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.removed', 'delete',
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.removed', 'delete',
	match => '{"project_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'instance.removed', 'delete',
	match => '{}');

-- Client secrets: Zitadel stores crypto.SecretOrEncodedHash(clientSecret,
-- hashedSecret), i.e. the raw Crypted bytes of the legacy CryptoValue object
-- as text when present, else hashedSecret.  The CryptoValue is written with
-- Go field names (CryptoType, Algorithm, KeyID, Crypted); Go reads JSON keys
-- case-insensitively, so the lower-case spelling is accepted too.

-- API config
SELECT @extschema@.register_reducer('@extschema@.applications_projection_api_configs', 'project.application.config.api.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(pg_catalog.convert_from(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'clientSecret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'clientSecret', 'null'), 'crypted')), 'UTF8'), multitenant.payload_text(e.payload, 'hashedSecret'))",
	          "auth_method": "COALESCE(multitenant.payload_smallint(e.payload, 'authMethodType'), 0)"}$$,
	match => $${"app_id": "multitenant.payload_text(e.payload, 'appId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.config.api.added', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$);

-- No-op without authMethodType.
SELECT @extschema@.register_reducer('@extschema@.applications_projection_api_configs', 'project.application.config.api.changed', 'update',
	set => $${"auth_method": "multitenant.payload_smallint(e.payload, 'authMethodType')"}$$,
	match => $${"app_id": "multitenant.payload_text(e.payload, 'appId')"}$$,
	"when" => $$multitenant.payload_smallint(e.payload, 'authMethodType') IS NOT NULL$$);
SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.config.api.changed', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$,
	"when" => $$multitenant.payload_smallint(e.payload, 'authMethodType') IS NOT NULL$$);

SELECT @extschema@.register_reducer('@extschema@.applications_projection_api_configs', 'project.application.config.api.secret.changed', 'update',
	set => $${"client_secret": "COALESCE(pg_catalog.convert_from(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'clientSecret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'clientSecret', 'null'), 'crypted')), 'UTF8'), multitenant.payload_text(e.payload, 'hashedSecret'))"}$$,
	match => $${"app_id": "multitenant.payload_text(e.payload, 'appId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.config.api.secret.changed', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.applications_projection_api_configs', 'project.application.config.api.secret.updated', 'update',
	set => $${"client_secret": "multitenant.payload_text(e.payload, 'hashedSecret')"}$$,
	match => $${"app_id": "multitenant.payload_text(e.payload, 'appId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.config.api.secret.updated', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$);

-- OIDC config
SELECT @extschema@.register_reducer('@extschema@.applications_projection_oidc_configs', 'project.application.config.oidc.added', 'insert',
	set => $${"version": "COALESCE(multitenant.payload_smallint(e.payload, 'oidcVersion'), 0)",
	          "client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(pg_catalog.convert_from(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'clientSecret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'clientSecret', 'null'), 'crypted')), 'UTF8'), multitenant.payload_text(e.payload, 'hashedSecret'))",
	          "redirect_uris": "COALESCE(multitenant.payload_text_array(e.payload, 'redirectUris'), '{}')",
	          "response_types": "COALESCE(multitenant.payload_smallint_array(e.payload, 'responseTypes'), '{}')",
	          "grant_types": "COALESCE(multitenant.payload_smallint_array(e.payload, 'grantTypes'), '{}')",
	          "application_type": "COALESCE(multitenant.payload_smallint(e.payload, 'applicationType'), 0)",
	          "auth_method_type": "COALESCE(multitenant.payload_smallint(e.payload, 'authMethodType'), 0)",
	          "post_logout_redirect_uris": "COALESCE(multitenant.payload_text_array(e.payload, 'postLogoutRedirectUris'), '{}')",
	          "is_dev_mode": "COALESCE(multitenant.payload_bool(e.payload, 'devMode'), false)",
	          "access_token_type": "COALESCE(multitenant.payload_smallint(e.payload, 'accessTokenType'), 0)",
	          "access_token_role_assertion": "COALESCE(multitenant.payload_bool(e.payload, 'accessTokenRoleAssertion'), false)",
	          "id_token_role_assertion": "COALESCE(multitenant.payload_bool(e.payload, 'idTokenRoleAssertion'), false)",
	          "id_token_userinfo_assertion": "COALESCE(multitenant.payload_bool(e.payload, 'idTokenUserinfoAssertion'), false)",
	          "clock_skew": "COALESCE(multitenant.payload_bigint(e.payload, 'clockSkew'), 0)",
	          "additional_origins": "COALESCE(multitenant.payload_text_array(e.payload, 'additionalOrigins'), '{}')",
	          "skip_native_app_success_page": "COALESCE(multitenant.payload_bool(e.payload, 'skipNativeAppSuccessPage'), false)",
	          "back_channel_logout_uri": "multitenant.payload_text(e.payload, 'backChannelLogoutURI')",
	          "login_version": "multitenant.payload_smallint(e.payload, 'loginVersion')",
	          "login_base_uri": "multitenant.payload_text(e.payload, 'loginBaseURI')"}$$,
	match => $${"app_id": "multitenant.payload_text(e.payload, 'appId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.config.oidc.added', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$);

-- Only the keys present (with a non-null value) change; no-op without any.
-- clientId and the secret are not part of this event (secret.* events).
SELECT @extschema@.register_reducer('@extschema@.applications_projection_oidc_configs', 'project.application.config.oidc.changed', 'update',
	set => $${"version": "COALESCE(multitenant.payload_smallint(e.payload, 'oidcVersion'), t.version)",
	          "redirect_uris": "COALESCE(multitenant.payload_text_array(e.payload, 'redirectUris'), t.redirect_uris)",
	          "response_types": "COALESCE(multitenant.payload_smallint_array(e.payload, 'responseTypes'), t.response_types)",
	          "grant_types": "COALESCE(multitenant.payload_smallint_array(e.payload, 'grantTypes'), t.grant_types)",
	          "application_type": "COALESCE(multitenant.payload_smallint(e.payload, 'applicationType'), t.application_type)",
	          "auth_method_type": "COALESCE(multitenant.payload_smallint(e.payload, 'authMethodType'), t.auth_method_type)",
	          "post_logout_redirect_uris": "COALESCE(multitenant.payload_text_array(e.payload, 'postLogoutRedirectUris'), t.post_logout_redirect_uris)",
	          "is_dev_mode": "COALESCE(multitenant.payload_bool(e.payload, 'devMode'), t.is_dev_mode)",
	          "access_token_type": "COALESCE(multitenant.payload_smallint(e.payload, 'accessTokenType'), t.access_token_type)",
	          "access_token_role_assertion": "COALESCE(multitenant.payload_bool(e.payload, 'accessTokenRoleAssertion'), t.access_token_role_assertion)",
	          "id_token_role_assertion": "COALESCE(multitenant.payload_bool(e.payload, 'idTokenRoleAssertion'), t.id_token_role_assertion)",
	          "id_token_userinfo_assertion": "COALESCE(multitenant.payload_bool(e.payload, 'idTokenUserinfoAssertion'), t.id_token_userinfo_assertion)",
	          "clock_skew": "COALESCE(multitenant.payload_bigint(e.payload, 'clockSkew'), t.clock_skew)",
	          "additional_origins": "COALESCE(multitenant.payload_text_array(e.payload, 'additionalOrigins'), t.additional_origins)",
	          "skip_native_app_success_page": "COALESCE(multitenant.payload_bool(e.payload, 'skipNativeAppSuccessPage'), t.skip_native_app_success_page)",
	          "back_channel_logout_uri": "COALESCE(multitenant.payload_text(e.payload, 'backChannelLogoutURI'), t.back_channel_logout_uri)",
	          "login_version": "COALESCE(multitenant.payload_smallint(e.payload, 'loginVersion'), t.login_version)",
	          "login_base_uri": "COALESCE(multitenant.payload_text(e.payload, 'loginBaseURI'), t.login_base_uri)"}$$,
	match => $${"app_id": "multitenant.payload_text(e.payload, 'appId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['oidcVersion', 'redirectUris', 'responseTypes', 'grantTypes', 'applicationType', 'authMethodType', 'postLogoutRedirectUris', 'devMode', 'accessTokenType', 'accessTokenRoleAssertion', 'idTokenRoleAssertion', 'idTokenUserinfoAssertion', 'clockSkew', 'additionalOrigins', 'skipNativeAppSuccessPage', 'backChannelLogoutURI', 'loginVersion', 'loginBaseURI']$$);
SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.config.oidc.changed', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['oidcVersion', 'redirectUris', 'responseTypes', 'grantTypes', 'applicationType', 'authMethodType', 'postLogoutRedirectUris', 'devMode', 'accessTokenType', 'accessTokenRoleAssertion', 'idTokenRoleAssertion', 'idTokenUserinfoAssertion', 'clockSkew', 'additionalOrigins', 'skipNativeAppSuccessPage', 'backChannelLogoutURI', 'loginVersion', 'loginBaseURI']$$);

SELECT @extschema@.register_reducer('@extschema@.applications_projection_oidc_configs', 'project.application.config.oidc.secret.changed', 'update',
	set => $${"client_secret": "COALESCE(pg_catalog.convert_from(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'clientSecret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'clientSecret', 'null'), 'crypted')), 'UTF8'), multitenant.payload_text(e.payload, 'hashedSecret'))"}$$,
	match => $${"app_id": "multitenant.payload_text(e.payload, 'appId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.config.oidc.secret.changed', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.applications_projection_oidc_configs', 'project.application.config.oidc.secret.updated', 'update',
	set => $${"client_secret": "multitenant.payload_text(e.payload, 'hashedSecret')"}$$,
	match => $${"app_id": "multitenant.payload_text(e.payload, 'appId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.config.oidc.secret.updated', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$);

-- SAML config (note the snake_case payload key metadata_url)
SELECT @extschema@.register_reducer('@extschema@.applications_projection_saml_configs', 'project.application.config.saml.added', 'insert',
	set => $${"entity_id": "COALESCE(multitenant.payload_text(e.payload, 'entityId'), '')",
	          "metadata": "COALESCE(multitenant.payload_bytea(e.payload, 'metadata'), ''::bytea)",
	          "metadata_url": "COALESCE(multitenant.payload_text(e.payload, 'metadata_url'), '')",
	          "login_version": "multitenant.payload_smallint(e.payload, 'loginVersion')",
	          "login_base_uri": "multitenant.payload_text(e.payload, 'loginBaseURI')"}$$,
	match => $${"app_id": "multitenant.payload_text(e.payload, 'appId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.config.saml.added', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$);

-- Only the keys present change (an empty entityId counts as absent, as in
-- Zitadel); no-op without any.
SELECT @extschema@.register_reducer('@extschema@.applications_projection_saml_configs', 'project.application.config.saml.changed', 'update',
	set => $${"entity_id": "COALESCE(NULLIF(multitenant.payload_text(e.payload, 'entityId'), ''), t.entity_id)",
	          "metadata": "COALESCE(multitenant.payload_bytea(e.payload, 'metadata'), t.metadata)",
	          "metadata_url": "COALESCE(multitenant.payload_text(e.payload, 'metadata_url'), t.metadata_url)",
	          "login_version": "COALESCE(multitenant.payload_smallint(e.payload, 'loginVersion'), t.login_version)",
	          "login_base_uri": "COALESCE(multitenant.payload_text(e.payload, 'loginBaseURI'), t.login_base_uri)"}$$,
	match => $${"app_id": "multitenant.payload_text(e.payload, 'appId')"}$$,
	"when" => $$multitenant.payload_text(e.payload, 'entityId') <> '' OR pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['metadata', 'metadata_url', 'loginVersion', 'loginBaseURI']$$);
SELECT @extschema@.register_reducer('@extschema@.applications_projection', 'project.application.config.saml.changed', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'appId')"}$$,
	"when" => $$multitenant.payload_text(e.payload, 'entityId') <> '' OR pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['metadata', 'metadata_url', 'loginVersion', 'loginBaseURI']$$);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.reducers_id_seq', '');

------------------------------------------------------------------------------
-- Identity projections (1.0, single-tenant form): users (+ humans, machines,
-- notifications), user metadata, login names, sessions, auth requests,
-- milestones, quotas and limits (reference/zitadel.md B.4, B.5, B.6, B.12,
-- B.25, B.26, B.27, B.28).
--
-- These tables are the pre-tenancy layout that 1.1 adopts
-- (multitenant.adopt_table): no instance_id (users_projection excepted, where
-- it is an ordinary column outside the key) and no change_date, keys are the
-- reference's natural keys without instance_id, no row-level security.  The
-- reducers are registered once, here, and are written for both forms: the
-- engine adds the tenant to every match and fills the standard columns that
-- exist.  There are no instance.removed reducers in 1.0: without a tenant
-- column they would empty the table for every tenant; 1.1 registers them.
--
-- Payload conventions (A.4): Go []byte values are base64 strings, Go
-- time.Duration values are integers in nanoseconds.  Where Zitadel decodes an
-- absent key into a Go zero value and stores it in a NOT NULL column, the
-- reducer does the same with COALESCE; nullable columns get NULL.
------------------------------------------------------------------------------

------------------------------------------------------------------------------
-- users_projection (Zitadel projections.users14, B.4) and its detail tables.
-- UserState: 1 active, 2 inactive, 3 deleted, 4 locked, 5 suspend,
-- 6 initial.  UserType: 1 human, 2 machine.  Removing a user deletes the row
-- (state 3 is not written); the detail rows follow by ON DELETE CASCADE.
-- instance_id was already recorded per user before tenancy, but the key was
-- the user id alone.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.users_projection (
	id             text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	state          smallint    NOT NULL,
	resource_owner text        NOT NULL,
	instance_id    text,
	username       text        NOT NULL,
	type           smallint    NOT NULL,
	CONSTRAINT users_projection_pkey PRIMARY KEY (id)
);

-- org.removed cascades by resource_owner.
CREATE INDEX users_projection_resource_owner_idx ON @extschema@.users_projection (resource_owner);

GRANT SELECT ON @extschema@.users_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.users_projection', '');

-- Gender: 1 female, 2 male, 3 diverse (unspecified is NULL).
CREATE TABLE @extschema@.users_projection_humans (
	user_id                  text        NOT NULL,
	first_name               text        NOT NULL,
	last_name                text        NOT NULL,
	nick_name                text,
	display_name             text,
	preferred_language       text,
	gender                   smallint,
	avatar_key               text,
	email                    text        NOT NULL,
	is_email_verified        boolean     NOT NULL DEFAULT false,
	phone                    text,
	is_phone_verified        boolean,
	password_change_required boolean     NOT NULL,
	password_changed         timestamptz,
	mfa_init_skipped         timestamptz,
	CONSTRAINT users_projection_humans_pkey PRIMARY KEY (user_id),
	CONSTRAINT users_projection_humans_user_id_fkey FOREIGN KEY (user_id)
		REFERENCES @extschema@.users_projection (id) ON DELETE CASCADE
);

-- Login by e-mail address compares case-insensitively.
CREATE INDEX users_projection_humans_email_idx ON @extschema@.users_projection_humans (pg_catalog.lower(email));

GRANT SELECT ON @extschema@.users_projection_humans TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.users_projection_humans', '');

-- access_token_type: 0 bearer, 1 jwt.  secret is the stored client secret
-- (the Crypted bytes of a legacy CryptoValue as text, or a hash).
CREATE TABLE @extschema@.users_projection_machines (
	user_id           text     NOT NULL,
	name              text     NOT NULL,
	description       text,
	secret            text,
	access_token_type smallint NOT NULL DEFAULT 0,
	CONSTRAINT users_projection_machines_pkey PRIMARY KEY (user_id),
	CONSTRAINT users_projection_machines_user_id_fkey FOREIGN KEY (user_id)
		REFERENCES @extschema@.users_projection (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.users_projection_machines TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.users_projection_machines', '');

-- Where notifications go: the last address given and the last one verified.
CREATE TABLE @extschema@.users_projection_notifications (
	user_id        text    NOT NULL,
	last_email     text,
	verified_email text,
	last_phone     text,
	verified_phone text,
	password_set   boolean NOT NULL DEFAULT false,
	CONSTRAINT users_projection_notifications_pkey PRIMARY KEY (user_id),
	CONSTRAINT users_projection_notifications_user_id_fkey FOREIGN KEY (user_id)
		REFERENCES @extschema@.users_projection (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.users_projection_notifications TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.users_projection_notifications', '');

------------------------------------------------------------------------------
-- user_metadata (Zitadel projections.user_metadata5, B.5)
-- value holds the raw bytes (base64 in the event payload).
------------------------------------------------------------------------------

CREATE TABLE @extschema@.user_metadata (
	user_id        text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	resource_owner text        NOT NULL,
	key            text        NOT NULL,
	value          bytea,
	CONSTRAINT user_metadata_pkey PRIMARY KEY (user_id, key),
	CONSTRAINT user_metadata_user_id_fkey FOREIGN KEY (user_id)
		REFERENCES @extschema@.users_projection (id) ON DELETE CASCADE
);

-- org.removed cascades by resource_owner.
CREATE INDEX user_metadata_resource_owner_idx ON @extschema@.user_metadata (resource_owner);

GRANT SELECT ON @extschema@.user_metadata TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.user_metadata', '');

------------------------------------------------------------------------------
-- login_names_projection (Zitadel projections.login_names3, B.6): a view
-- over three lookup tables that hold no dates or sequences.  The domains
-- table holds verified org domains only; a policy's resource_owner is the
-- org (custom policy) or the instance (default policy, is_default).
------------------------------------------------------------------------------

CREATE TABLE @extschema@.login_names_projection_users (
	id             text NOT NULL,
	user_name      text NOT NULL,
	resource_owner text NOT NULL,
	CONSTRAINT login_names_projection_users_pkey PRIMARY KEY (id)
);

-- The view joins users to their org's policy and domains; org.removed
-- cascades by resource_owner.
CREATE INDEX login_names_projection_users_resource_owner_idx ON @extschema@.login_names_projection_users (resource_owner);

GRANT SELECT ON @extschema@.login_names_projection_users TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.login_names_projection_users', '');

CREATE TABLE @extschema@.login_names_projection_domains (
	name           text    NOT NULL,
	is_primary     boolean NOT NULL DEFAULT false,
	resource_owner text    NOT NULL,
	CONSTRAINT login_names_projection_domains_pkey PRIMARY KEY (resource_owner, name)
);

GRANT SELECT ON @extschema@.login_names_projection_domains TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.login_names_projection_domains', '');

CREATE TABLE @extschema@.login_names_projection_policies (
	must_be_domain boolean NOT NULL,
	is_default     boolean NOT NULL,
	resource_owner text    NOT NULL,
	CONSTRAINT login_names_projection_policies_pkey PRIMARY KEY (resource_owner)
);

GRANT SELECT ON @extschema@.login_names_projection_policies TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.login_names_projection_policies', '');

-- One row per login name: with a policy that requires the org domain (the
-- org's own policy, else the instance default), user_name@domain for every
-- verified org domain; otherwise the bare user_name, primary.  As in Zitadel,
-- a user whose policy requires a domain while the org has none verified gets
-- 'user_name@'.  The lookup tables carry no tenant here, so the instance
-- default is found through the user's instance recorded in users_projection
-- (an instance's own events are owned by the instance).
CREATE VIEW @extschema@.login_names_projection WITH (security_invoker = true) AS
SELECT u.id AS user_id,
       CASE WHEN COALESCE(custom.must_be_domain, dflt.must_be_domain)
            THEN pg_catalog.concat(u.user_name, '@', d.name)
            ELSE u.user_name
       END AS login_name,
       COALESCE(d.is_primary, true) AS is_primary
  FROM @extschema@.login_names_projection_users AS u
  LEFT JOIN @extschema@.users_projection AS usr
    ON usr.id OPERATOR(pg_catalog.=) u.id
  LEFT JOIN @extschema@.login_names_projection_policies AS custom
    ON NOT custom.is_default
   AND custom.resource_owner OPERATOR(pg_catalog.=) u.resource_owner
  LEFT JOIN @extschema@.login_names_projection_policies AS dflt
    ON dflt.is_default
   AND dflt.resource_owner OPERATOR(pg_catalog.=) usr.instance_id
  LEFT JOIN @extschema@.login_names_projection_domains AS d
    ON COALESCE(custom.must_be_domain, dflt.must_be_domain)
   AND d.resource_owner OPERATOR(pg_catalog.=) u.resource_owner;

GRANT SELECT ON @extschema@.login_names_projection TO multitenant_admin;

------------------------------------------------------------------------------
-- sessions_projection (Zitadel projections.sessions8, B.12)
-- SessionState: 1 active (terminated sessions are deleted).  metadata maps
-- keys to base64 values as Zitadel stores them; user_agent_header maps header
-- names to arrays of values.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.sessions_projection (
	id                        text        NOT NULL,
	creation_date             timestamptz NOT NULL,
	sequence                  bigint      NOT NULL,
	state                     smallint    NOT NULL,
	resource_owner            text        NOT NULL,
	creator                   text        NOT NULL,
	user_id                   text,
	user_resource_owner       text,
	user_checked_at           timestamptz,
	password_checked_at       timestamptz,
	intent_checked_at         timestamptz,
	webauthn_checked_at       timestamptz,
	webauthn_user_verified    boolean,
	totp_checked_at           timestamptz,
	otp_sms_checked_at        timestamptz,
	otp_email_checked_at      timestamptz,
	metadata                  jsonb,
	token_id                  text,
	user_agent_fingerprint_id text,
	user_agent_ip             text,
	user_agent_description    text,
	user_agent_header         jsonb,
	expiration                timestamptz,
	CONSTRAINT sessions_projection_pkey PRIMARY KEY (id)
);

CREATE INDEX sessions_projection_user_agent_fingerprint_id_idx ON @extschema@.sessions_projection (user_agent_fingerprint_id);
CREATE INDEX sessions_projection_user_id_idx ON @extschema@.sessions_projection (user_id);

GRANT SELECT ON @extschema@.sessions_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sessions_projection', '');

------------------------------------------------------------------------------
-- auth_requests_projection (Zitadel projections.auth_requests, B.25)
-- prompt (Prompt): 1 none, 2 login, 3 consent, 4 select_account, 5 create.
-- max_age in nanoseconds.  A request is deleted once it succeeds or fails.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.auth_requests_projection (
	id             text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	resource_owner text        NOT NULL,
	login_client   text        NOT NULL,
	client_id      text        NOT NULL,
	redirect_uri   text        NOT NULL,
	scope          text[]      NOT NULL,
	prompt         smallint[],
	ui_locales     text[],
	max_age        bigint,
	login_hint     text,
	hint_user_id   text,
	CONSTRAINT auth_requests_projection_pkey PRIMARY KEY (id)
);

GRANT SELECT ON @extschema@.auth_requests_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.auth_requests_projection', '');

------------------------------------------------------------------------------
-- milestones_projection (Zitadel projections.milestones3, B.26)
-- type (milestone.Type, a name in the payload): 1 InstanceCreated,
-- 2 AuthenticationSucceededOnInstance, 3 ProjectCreated, 4 ApplicationCreated,
-- 5 AuthenticationSucceededOnApplication, 6 InstanceDeleted.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.milestones_projection (
	type             smallint    NOT NULL,
	reached_date     timestamptz,
	last_pushed_date timestamptz,
	CONSTRAINT milestones_projection_pkey PRIMARY KEY (type)
);

GRANT SELECT ON @extschema@.milestones_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.milestones_projection', '');

------------------------------------------------------------------------------
-- quotas_projection (Zitadel projections.quotas, B.27) and its detail
-- tables.  unit (quota.Unit): 1 requests_all_authenticated,
-- 2 actions_all_run_seconds.  A quota is identified by its unit; id is the
-- quota aggregate.  Usage periods are counted by the application, not by
-- events; they go with their quota.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.quotas_projection (
	id          text     NOT NULL,
	unit        smallint NOT NULL,
	amount      bigint,
	from_anchor timestamptz,
	"interval"  interval,
	limit_usage boolean,
	CONSTRAINT quotas_projection_pkey PRIMARY KEY (unit)
);

GRANT SELECT ON @extschema@.quotas_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.quotas_projection', '');

CREATE TABLE @extschema@.quotas_projection_periods (
	unit  smallint    NOT NULL,
	start timestamptz NOT NULL,
	usage bigint      NOT NULL,
	CONSTRAINT quotas_projection_periods_pkey PRIMARY KEY (unit, start),
	CONSTRAINT quotas_projection_periods_unit_fkey FOREIGN KEY (unit)
		REFERENCES @extschema@.quotas_projection (unit) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.quotas_projection_periods TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.quotas_projection_periods', '');

-- percent of the quota at which call_url is notified; next_due_threshold is
-- the percent of the next period's bucket (threshold + 100).
CREATE TABLE @extschema@.quotas_projection_notifications (
	unit                    smallint    NOT NULL,
	id                      text        NOT NULL,
	call_url                text        NOT NULL,
	percent                 bigint      NOT NULL,
	repeat                  boolean     NOT NULL,
	latest_due_period_start timestamptz,
	next_due_threshold      bigint,
	CONSTRAINT quotas_projection_notifications_pkey PRIMARY KEY (unit, id),
	CONSTRAINT quotas_projection_notifications_unit_fkey FOREIGN KEY (unit)
		REFERENCES @extschema@.quotas_projection (unit) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.quotas_projection_notifications TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.quotas_projection_notifications', '');

------------------------------------------------------------------------------
-- limits_projection (Zitadel projections.limits, B.28)
-- One row per resource owner (the instance); aggregate_id is the limits
-- aggregate.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.limits_projection (
	aggregate_id        text        NOT NULL,
	creation_date       timestamptz NOT NULL,
	resource_owner      text        NOT NULL,
	sequence            bigint      NOT NULL,
	audit_log_retention interval,
	block               boolean,
	CONSTRAINT limits_projection_pkey PRIMARY KEY (resource_owner)
);

GRANT SELECT ON @extschema@.limits_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.limits_projection', '');

------------------------------------------------------------------------------
-- Reducers: users_projection and details (aggregate `user`, user id = the
-- aggregate id).  Zitadel's v1 event spellings (user.added, user.phone.*, …)
-- reduce like the human.* ones.  Main-row reducers are registered before the
-- detail ones, so that inserts satisfy the foreign keys.
------------------------------------------------------------------------------

-- Human added / self-registered.  Empty nick / display names and phones are
-- NULL, "und" is no preferred language, gender 0 (or out of range) is
-- unspecified.  A password was given when the payload carries a non-empty
-- encodedHash or a legacy secret (CryptoValue) with non-empty Crypted bytes.
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.added', 'insert',
	set => $${"username": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')",
	          "state": "1",
	          "type": "1"}$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.added', 'insert',
	set => $${"first_name": "COALESCE(multitenant.payload_text(e.payload, 'firstName'), '')",
	          "last_name": "COALESCE(multitenant.payload_text(e.payload, 'lastName'), '')",
	          "nick_name": "NULLIF(multitenant.payload_text(e.payload, 'nickName'), '')",
	          "display_name": "NULLIF(multitenant.payload_text(e.payload, 'displayName'), '')",
	          "preferred_language": "NULLIF(NULLIF(multitenant.payload_text(e.payload, 'preferredLanguage'), ''), 'und')",
	          "gender": "CASE WHEN multitenant.payload_smallint(e.payload, 'gender') BETWEEN 1 AND 3 THEN multitenant.payload_smallint(e.payload, 'gender') END",
	          "email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_change_required": "COALESCE(multitenant.payload_bool(e.payload, 'changeRequired'), false)",
	          "password_changed": "CASE WHEN COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0 THEN e.created_at END"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.added', 'insert',
	set => $${"last_email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "last_phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_set": "COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0"}$$,
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.added', 'insert',
	set => $${"username": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')",
	          "state": "1",
	          "type": "1"}$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.added', 'insert',
	set => $${"first_name": "COALESCE(multitenant.payload_text(e.payload, 'firstName'), '')",
	          "last_name": "COALESCE(multitenant.payload_text(e.payload, 'lastName'), '')",
	          "nick_name": "NULLIF(multitenant.payload_text(e.payload, 'nickName'), '')",
	          "display_name": "NULLIF(multitenant.payload_text(e.payload, 'displayName'), '')",
	          "preferred_language": "NULLIF(NULLIF(multitenant.payload_text(e.payload, 'preferredLanguage'), ''), 'und')",
	          "gender": "CASE WHEN multitenant.payload_smallint(e.payload, 'gender') BETWEEN 1 AND 3 THEN multitenant.payload_smallint(e.payload, 'gender') END",
	          "email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_change_required": "COALESCE(multitenant.payload_bool(e.payload, 'changeRequired'), false)",
	          "password_changed": "CASE WHEN COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0 THEN e.created_at END"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.added', 'insert',
	set => $${"last_email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "last_phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_set": "COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0"}$$,
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.selfregistered', 'insert',
	set => $${"username": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')",
	          "state": "1",
	          "type": "1"}$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.selfregistered', 'insert',
	set => $${"first_name": "COALESCE(multitenant.payload_text(e.payload, 'firstName'), '')",
	          "last_name": "COALESCE(multitenant.payload_text(e.payload, 'lastName'), '')",
	          "nick_name": "NULLIF(multitenant.payload_text(e.payload, 'nickName'), '')",
	          "display_name": "NULLIF(multitenant.payload_text(e.payload, 'displayName'), '')",
	          "preferred_language": "NULLIF(NULLIF(multitenant.payload_text(e.payload, 'preferredLanguage'), ''), 'und')",
	          "gender": "CASE WHEN multitenant.payload_smallint(e.payload, 'gender') BETWEEN 1 AND 3 THEN multitenant.payload_smallint(e.payload, 'gender') END",
	          "email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_change_required": "COALESCE(multitenant.payload_bool(e.payload, 'changeRequired'), false)",
	          "password_changed": "CASE WHEN COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0 THEN e.created_at END"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.selfregistered', 'insert',
	set => $${"last_email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "last_phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_set": "COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0"}$$,
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.selfregistered', 'insert',
	set => $${"username": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')",
	          "state": "1",
	          "type": "1"}$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.selfregistered', 'insert',
	set => $${"first_name": "COALESCE(multitenant.payload_text(e.payload, 'firstName'), '')",
	          "last_name": "COALESCE(multitenant.payload_text(e.payload, 'lastName'), '')",
	          "nick_name": "NULLIF(multitenant.payload_text(e.payload, 'nickName'), '')",
	          "display_name": "NULLIF(multitenant.payload_text(e.payload, 'displayName'), '')",
	          "preferred_language": "NULLIF(NULLIF(multitenant.payload_text(e.payload, 'preferredLanguage'), ''), 'und')",
	          "gender": "CASE WHEN multitenant.payload_smallint(e.payload, 'gender') BETWEEN 1 AND 3 THEN multitenant.payload_smallint(e.payload, 'gender') END",
	          "email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_change_required": "COALESCE(multitenant.payload_bool(e.payload, 'changeRequired'), false)",
	          "password_changed": "CASE WHEN COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0 THEN e.created_at END"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.selfregistered', 'insert',
	set => $${"last_email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "last_phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_set": "COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0"}$$,
	match => '{"user_id": "e.aggregate_id"}');

-- Machine added: no notifications row.  An empty description is NULL.
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.machine.added', 'insert',
	set => $${"username": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')",
	          "state": "1",
	          "type": "2"}$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection_machines', 'user.machine.added', 'insert',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "description": "NULLIF(multitenant.payload_text(e.payload, 'description'), '')",
	          "access_token_type": "COALESCE(multitenant.payload_smallint(e.payload, 'accessTokenType'), 0)"}$$,
	match => '{"user_id": "e.aggregate_id"}');

-- Initialisation code and its check change the state without touching
-- change_date / sequence (C.15).
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.initialization.code.added', 'update',
	set => '{"state": "6"}', touch => false);
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.initialization.code.added', 'update',
	set => '{"state": "6"}', touch => false);
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.initialization.check.succeeded', 'update',
	set => '{"state": "1"}', touch => false);
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.initialization.check.succeeded', 'update',
	set => '{"state": "1"}', touch => false);

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.locked', 'update',
	set => '{"state": "4"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.unlocked', 'update',
	set => '{"state": "1"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.deactivated', 'update',
	set => '{"state": "2"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.reactivated', 'update',
	set => '{"state": "1"}');

-- Detail rows go with the main row (ON DELETE CASCADE).
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.username.changed', 'update',
	set => $${"username": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.domain.claimed', 'update',
	set => $${"username": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$);

-- Profile: the main row is always touched; of the human row only the keys
-- present change (an empty first or last name counts as absent).
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.profile.changed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.profile.changed', 'update',
	set => $${"first_name": "COALESCE(NULLIF(multitenant.payload_text(e.payload, 'firstName'), ''), t.first_name)",
	          "last_name": "COALESCE(NULLIF(multitenant.payload_text(e.payload, 'lastName'), ''), t.last_name)",
	          "nick_name": "COALESCE(multitenant.payload_text(e.payload, 'nickName'), t.nick_name)",
	          "display_name": "COALESCE(multitenant.payload_text(e.payload, 'displayName'), t.display_name)",
	          "preferred_language": "COALESCE(multitenant.payload_text(e.payload, 'preferredLanguage'), t.preferred_language)",
	          "gender": "COALESCE(multitenant.payload_smallint(e.payload, 'gender'), t.gender)"}$$,
	match => '{"user_id": "e.aggregate_id"}',
	"when" => $$multitenant.payload_text(e.payload, 'firstName') <> '' OR multitenant.payload_text(e.payload, 'lastName') <> '' OR pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['nickName', 'displayName', 'preferredLanguage', 'gender']$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.profile.changed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.profile.changed', 'update',
	set => $${"first_name": "COALESCE(NULLIF(multitenant.payload_text(e.payload, 'firstName'), ''), t.first_name)",
	          "last_name": "COALESCE(NULLIF(multitenant.payload_text(e.payload, 'lastName'), ''), t.last_name)",
	          "nick_name": "COALESCE(multitenant.payload_text(e.payload, 'nickName'), t.nick_name)",
	          "display_name": "COALESCE(multitenant.payload_text(e.payload, 'displayName'), t.display_name)",
	          "preferred_language": "COALESCE(multitenant.payload_text(e.payload, 'preferredLanguage'), t.preferred_language)",
	          "gender": "COALESCE(multitenant.payload_smallint(e.payload, 'gender'), t.gender)"}$$,
	match => '{"user_id": "e.aggregate_id"}',
	"when" => $$multitenant.payload_text(e.payload, 'firstName') <> '' OR multitenant.payload_text(e.payload, 'lastName') <> '' OR pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['nickName', 'displayName', 'preferredLanguage', 'gender']$$);

-- Phone changed: unverified again; notifications keep the new number (NULL
-- when empty).
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.phone.changed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.phone.changed', 'update',
	set => $${"phone": "COALESCE(multitenant.payload_text(e.payload, 'phone'), '')",
	          "is_phone_verified": "false"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.phone.changed', 'update',
	set => $${"last_phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.phone.changed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.phone.changed', 'update',
	set => $${"phone": "COALESCE(multitenant.payload_text(e.payload, 'phone'), '')",
	          "is_phone_verified": "false"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.phone.changed', 'update',
	set => $${"last_phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')"}$$,
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.phone.removed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.phone.removed', 'update',
	set => '{"phone": "NULL", "is_phone_verified": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.phone.removed', 'update',
	set => '{"last_phone": "NULL", "verified_phone": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.phone.removed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.phone.removed', 'update',
	set => '{"phone": "NULL", "is_phone_verified": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.phone.removed', 'update',
	set => '{"last_phone": "NULL", "verified_phone": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');

-- Verified: notifications go to the last number / address given.
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.phone.verified', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.phone.verified', 'update',
	set => '{"is_phone_verified": "true"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.phone.verified', 'update',
	set => '{"verified_phone": "t.last_phone"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.phone.verified', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.phone.verified', 'update',
	set => '{"is_phone_verified": "true"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.phone.verified', 'update',
	set => '{"verified_phone": "t.last_phone"}',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.email.changed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.email.changed', 'update',
	set => $${"email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "is_email_verified": "false"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.email.changed', 'update',
	set => $${"last_email": "NULLIF(multitenant.payload_text(e.payload, 'email'), '')"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.email.changed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.email.changed', 'update',
	set => $${"email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "is_email_verified": "false"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.email.changed', 'update',
	set => $${"last_email": "NULLIF(multitenant.payload_text(e.payload, 'email'), '')"}$$,
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.email.verified', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.email.verified', 'update',
	set => '{"is_email_verified": "true"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.email.verified', 'update',
	set => '{"verified_email": "t.last_email"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.email.verified', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.email.verified', 'update',
	set => '{"is_email_verified": "true"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.email.verified', 'update',
	set => '{"verified_email": "t.last_email"}',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.avatar.added', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.avatar.added', 'update',
	set => $${"avatar_key": "COALESCE(multitenant.payload_text(e.payload, 'storeKey'), '')"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.avatar.removed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.avatar.removed', 'update',
	set => '{"avatar_key": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');

-- Password changed: the main row stays untouched (C.15).
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.password.changed', 'update',
	set => $${"password_change_required": "COALESCE(multitenant.payload_bool(e.payload, 'changeRequired'), false)",
	          "password_changed": "e.created_at"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.password.changed', 'update',
	set => '{"password_set": "true"}',
	match => '{"user_id": "e.aggregate_id"}');

-- Machine changed: only the keys present change; no-op without any.
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.machine.changed', 'update',
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['name', 'description', 'accessTokenType']$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection_machines', 'user.machine.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "description": "COALESCE(multitenant.payload_text(e.payload, 'description'), t.description)",
	          "access_token_type": "COALESCE(multitenant.payload_smallint(e.payload, 'accessTokenType'), t.access_token_type)"}$$,
	match => '{"user_id": "e.aggregate_id"}',
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['name', 'description', 'accessTokenType']$$);

-- Machine secret: the Crypted bytes of a legacy CryptoValue (Go field names,
-- read case-insensitively like Go) as text, else the hashed secret.
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.machine.secret.set', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_machines', 'user.machine.secret.set', 'update',
	set => $${"secret": "COALESCE(pg_catalog.convert_from(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'clientSecret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'clientSecret', 'null'), 'crypted')), 'UTF8'), multitenant.payload_text(e.payload, 'hashedSecret'))"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.machine.secret.updated', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_machines', 'user.machine.secret.updated', 'update',
	set => $${"secret": "multitenant.payload_text(e.payload, 'hashedSecret')"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.machine.secret.removed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_machines', 'user.machine.secret.removed', 'update',
	set => '{"secret": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');

-- MFA initialisation skipped, and undone by any second factor becoming
-- ready.  Only the human row changes.  (The v1 skip event is spelled
-- user.mfa.otp.init.skipped.)
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.mfa.init.skipped', 'update',
	set => '{"mfa_init_skipped": "e.created_at"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.mfa.otp.init.skipped', 'update',
	set => '{"mfa_init_skipped": "e.created_at"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.mfa.otp.verified', 'update',
	set => '{"mfa_init_skipped": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.mfa.otp.verified', 'update',
	set => '{"mfa_init_skipped": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.mfa.otp.sms.added', 'update',
	set => '{"mfa_init_skipped": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.mfa.otp.email.added', 'update',
	set => '{"mfa_init_skipped": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.mfa.u2f.token.verified', 'update',
	set => '{"mfa_init_skipped": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.passwordless.token.verified', 'update',
	set => '{"mfa_init_skipped": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

------------------------------------------------------------------------------
-- Reducers: user_metadata (aggregate `user`)
------------------------------------------------------------------------------

-- Upsert on (user_id, key): a key set again keeps its creation_date.
SELECT @extschema@.register_reducer('@extschema@.user_metadata', 'user.metadata.set', 'upsert',
	set => $${"value": "multitenant.payload_bytea(e.payload, 'value')"}$$,
	match => $${"user_id": "e.aggregate_id",
	            "key": "COALESCE(multitenant.payload_text(e.payload, 'key'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_metadata', 'user.metadata.removed', 'delete',
	match => $${"user_id": "e.aggregate_id",
	            "key": "COALESCE(multitenant.payload_text(e.payload, 'key'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_metadata', 'user.metadata.removed.all', 'delete',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.user_metadata', 'user.removed', 'delete',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.user_metadata', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

------------------------------------------------------------------------------
-- Reducers: login names (aggregates `user`, `org`, `instance`).  None of the
-- three tables has dates or a sequence to touch (C.15).
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.added', 'insert',
	set => $${"user_name": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$);
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.human.added', 'insert',
	set => $${"user_name": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$);
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.human.selfregistered', 'insert',
	set => $${"user_name": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$);
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.selfregistered', 'insert',
	set => $${"user_name": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$);
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.machine.added', 'insert',
	set => $${"user_name": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.username.changed', 'update',
	set => $${"user_name": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$,
	touch => false);
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.domain.claimed', 'update',
	set => $${"user_name": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$,
	touch => false);

-- Domain policies: the org's own, or the instance default.
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_policies', 'org.policy.domain.added', 'insert',
	set => $${"must_be_domain": "COALESCE(multitenant.payload_bool(e.payload, 'userLoginMustBeDomain'), false)",
	          "is_default": "false"}$$,
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_policies', 'instance.policy.domain.added', 'insert',
	set => $${"must_be_domain": "COALESCE(multitenant.payload_bool(e.payload, 'userLoginMustBeDomain'), false)",
	          "is_default": "true"}$$,
	match => '{}');

-- No-op without userLoginMustBeDomain.
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_policies', 'org.policy.domain.changed', 'update',
	set => $${"must_be_domain": "multitenant.payload_bool(e.payload, 'userLoginMustBeDomain')"}$$,
	match => '{"resource_owner": "e.resource_owner"}',
	"when" => $$multitenant.payload_bool(e.payload, 'userLoginMustBeDomain') IS NOT NULL$$,
	touch => false);
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_policies', 'instance.policy.domain.changed', 'update',
	set => $${"must_be_domain": "multitenant.payload_bool(e.payload, 'userLoginMustBeDomain')"}$$,
	match => '{"resource_owner": "e.resource_owner"}',
	"when" => $$multitenant.payload_bool(e.payload, 'userLoginMustBeDomain') IS NOT NULL$$,
	touch => false);

SELECT @extschema@.register_reducer('@extschema@.login_names_projection_policies', 'org.policy.domain.removed', 'delete',
	match => '{"resource_owner": "e.resource_owner"}');

-- Only verified domains count.
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_domains', 'org.domain.verified', 'insert',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'domain'), '')"}$$,
	match => '{}');

-- The named domain becomes the org's only primary one.
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_domains', 'org.domain.primary.set', 'update',
	set => $${"is_primary": "t.name = COALESCE(multitenant.payload_text(e.payload, 'domain'), '')"}$$,
	match => '{"resource_owner": "e.resource_owner"}',
	touch => false);

SELECT @extschema@.register_reducer('@extschema@.login_names_projection_domains', 'org.domain.removed', 'delete',
	match => $${"resource_owner": "e.resource_owner",
	            "name": "COALESCE(multitenant.payload_text(e.payload, 'domain'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.login_names_projection_domains', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_policies', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

------------------------------------------------------------------------------
-- Reducers: sessions_projection (aggregate `session`)
------------------------------------------------------------------------------

-- creator is the event's creator.  user_agent is a nested object
-- {fingerprint_id, ip, description, header}; header values must be arrays
-- of strings.
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.added', 'insert',
	set => $${"state": "1",
	          "creator": "e.creator",
	          "user_agent_fingerprint_id": "multitenant.payload_text(NULLIF(e.payload -> 'user_agent', 'null'), 'fingerprint_id')",
	          "user_agent_ip": "multitenant.payload_text(NULLIF(e.payload -> 'user_agent', 'null'), 'ip')",
	          "user_agent_description": "multitenant.payload_text(NULLIF(e.payload -> 'user_agent', 'null'), 'description')",
	          "user_agent_header": "(SELECT CASE WHEN s.h IS NOT NULL THEN COALESCE((SELECT pg_catalog.jsonb_object_agg(x.key, pg_catalog.to_jsonb(multitenant.payload_text_array(s.h, x.key))) FROM pg_catalog.jsonb_each(s.h) AS x), '{}'::jsonb) END FROM (SELECT NULLIF(NULLIF(e.payload -> 'user_agent', 'null') -> 'header', 'null') AS h) AS s)"}$$);

SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.user.checked', 'update',
	set => $${"user_id": "multitenant.payload_text(e.payload, 'userID')",
	          "user_resource_owner": "multitenant.payload_text(e.payload, 'userResourceOwner')",
	          "user_checked_at": "multitenant.payload_timestamptz(e.payload, 'checkedAt')"}$$);

SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.password.checked', 'update',
	set => $${"password_checked_at": "multitenant.payload_timestamptz(e.payload, 'checkedAt')"}$$);
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.intent.checked', 'update',
	set => $${"intent_checked_at": "multitenant.payload_timestamptz(e.payload, 'checkedAt')"}$$);
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.webAuthN.checked', 'update',
	set => $${"webauthn_checked_at": "multitenant.payload_timestamptz(e.payload, 'checkedAt')",
	          "webauthn_user_verified": "multitenant.payload_bool(e.payload, 'userVerified')"}$$);
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.totp.checked', 'update',
	set => $${"totp_checked_at": "multitenant.payload_timestamptz(e.payload, 'checkedAt')"}$$);
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.otp.sms.checked', 'update',
	set => $${"otp_sms_checked_at": "multitenant.payload_timestamptz(e.payload, 'checkedAt')"}$$);
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.otp.email.checked', 'update',
	set => $${"otp_email_checked_at": "multitenant.payload_timestamptz(e.payload, 'checkedAt')"}$$);

SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.token.set', 'update',
	set => $${"token_id": "multitenant.payload_text(e.payload, 'tokenID')"}$$);

-- The whole map is replaced; every value must be base64 (it is stored in its
-- canonical base64 form, as Go marshals the decoded bytes).
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.metadata.set', 'update',
	set => $${"metadata": "(SELECT CASE WHEN s.m IS NOT NULL THEN COALESCE((SELECT pg_catalog.jsonb_object_agg(x.key, pg_catalog.to_jsonb(pg_catalog.translate(pg_catalog.encode(multitenant.payload_bytea(s.m, x.key), 'base64'), pg_catalog.chr(10), ''))) FROM pg_catalog.jsonb_each(s.m) AS x), '{}'::jsonb) END FROM (SELECT NULLIF(e.payload -> 'metadata', 'null') AS m) AS s)"}$$);

-- lifetime is a Go duration (nanoseconds); timestamps keep microseconds.
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.lifetime.set', 'update',
	set => $${"expiration": "e.created_at + (COALESCE(multitenant.payload_bigint(e.payload, 'lifetime'), 0) / 1000)::double precision * '1 microsecond'::interval"}$$);

SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.terminated', 'delete');

-- A password change invalidates earlier password checks of the user's
-- sessions, without touching them otherwise.
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'user.human.password.changed', 'update',
	set => $${"password_checked_at": "CASE WHEN t.password_checked_at < e.created_at THEN NULL ELSE t.password_checked_at END"}$$,
	match => '{"user_id": "e.aggregate_id"}',
	touch => false);

------------------------------------------------------------------------------
-- Reducers: auth_requests_projection (aggregate `auth_request`, snake_case
-- payload keys)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.auth_requests_projection', 'auth_request.added', 'insert',
	set => $${"login_client": "COALESCE(multitenant.payload_text(e.payload, 'login_client'), '')",
	          "client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), '')",
	          "redirect_uri": "COALESCE(multitenant.payload_text(e.payload, 'redirect_uri'), '')",
	          "scope": "COALESCE(multitenant.payload_text_array(e.payload, 'scope'), '{}')",
	          "prompt": "multitenant.payload_smallint_array(e.payload, 'prompt')",
	          "ui_locales": "multitenant.payload_text_array(e.payload, 'ui_locales')",
	          "max_age": "multitenant.payload_bigint(e.payload, 'max_age')",
	          "login_hint": "multitenant.payload_text(e.payload, 'login_hint')",
	          "hint_user_id": "multitenant.payload_text(e.payload, 'hint_user_id')"}$$);

SELECT @extschema@.register_reducer('@extschema@.auth_requests_projection', 'auth_request.succeeded', 'delete');
SELECT @extschema@.register_reducer('@extschema@.auth_requests_projection', 'auth_request.failed', 'delete');

------------------------------------------------------------------------------
-- Reducers: milestones_projection (aggregate `milestone`).  The payload
-- names the type; an unknown name fails the push (22023).  The table has no
-- dates or sequence to touch.
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.milestones_projection', 'milestone.v2.reached', 'insert',
	set => $${"type": "COALESCE(multitenant.payload_smallint(pg_catalog.jsonb_build_object('type', COALESCE(pg_catalog.to_jsonb(pg_catalog.array_position(ARRAY['InstanceCreated', 'AuthenticationSucceededOnInstance', 'ProjectCreated', 'ApplicationCreated', 'AuthenticationSucceededOnApplication', 'InstanceDeleted'], multitenant.payload_text(e.payload, 'type'))), e.payload -> 'type')), 'type'), 0)",
	          "reached_date": "COALESCE(multitenant.payload_timestamptz(e.payload, 'reachedDate'), e.created_at)"}$$,
	match => '{}');

SELECT @extschema@.register_reducer('@extschema@.milestones_projection', 'milestone.v2.pushed', 'update',
	set => $${"last_pushed_date": "COALESCE(multitenant.payload_timestamptz(e.payload, 'pushedDate'), e.created_at)"}$$,
	match => $${"type": "COALESCE(multitenant.payload_smallint(pg_catalog.jsonb_build_object('type', COALESCE(pg_catalog.to_jsonb(pg_catalog.array_position(ARRAY['InstanceCreated', 'AuthenticationSucceededOnInstance', 'ProjectCreated', 'ApplicationCreated', 'AuthenticationSucceededOnApplication', 'InstanceDeleted'], multitenant.payload_text(e.payload, 'type'))), e.payload -> 'type')), 'type'), 0)"}$$,
	"when" => $$multitenant.payload_text(e.payload, 'type') IS DISTINCT FROM 'InstanceDeleted'$$,
	touch => false);

-- Pushing InstanceDeleted ends the instance's milestones.
SELECT @extschema@.register_reducer('@extschema@.milestones_projection', 'milestone.v2.pushed', 'delete',
	match => '{}',
	"when" => $$multitenant.payload_text(e.payload, 'type') = 'InstanceDeleted'$$);

------------------------------------------------------------------------------
-- Reducers: quotas (aggregate `quota`).  quota.added and quota.set upsert
-- the quota of a unit with the keys present (no-op on the main row when the
-- event carries only notifications); notifications, when present, replace
-- the unit's notifications.  The tables have no dates or sequence to touch.
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.quotas_projection', 'quota.added', 'upsert',
	set => '{"id": "e.aggregate_id"}',
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['amount', 'from', 'interval', 'limit']$$,
	touch => false);
SELECT @extschema@.register_reducer('@extschema@.quotas_projection', 'quota.added', 'update',
	set => $${"amount": "COALESCE(multitenant.payload_bigint(e.payload, 'amount'), t.amount)",
	          "from_anchor": "COALESCE(multitenant.payload_timestamptz(e.payload, 'from'), t.from_anchor)",
	          "interval": "COALESCE((multitenant.payload_bigint(e.payload, 'interval') / 1000)::double precision * '1 microsecond'::interval, t.\"interval\")",
	          "limit_usage": "COALESCE(multitenant.payload_bool(e.payload, 'limit'), t.limit_usage)"}$$,
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['amount', 'from', 'interval', 'limit']$$,
	touch => false);
SELECT @extschema@.register_reducer('@extschema@.quotas_projection_notifications', 'quota.added', 'delete',
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$,
	"when" => $$NULLIF(e.payload -> 'notifications', 'null') IS NOT NULL$$);
-- One row per element of the notifications array (absent keys are Go zero
-- values).
SELECT @extschema@.register_reducer('@extschema@.quotas_projection_notifications', 'quota.added', 'insert',
	set => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)",
	          "id": "multitenant.payload_text('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'id')",
	          "call_url": "multitenant.payload_text('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'callUrl')",
	          "percent": "multitenant.payload_bigint('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'percent')",
	          "repeat": "multitenant.payload_bool('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'repeat')"}$$,
	match => '{}');

SELECT @extschema@.register_reducer('@extschema@.quotas_projection', 'quota.set', 'upsert',
	set => '{"id": "e.aggregate_id"}',
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['amount', 'from', 'interval', 'limit']$$,
	touch => false);
SELECT @extschema@.register_reducer('@extschema@.quotas_projection', 'quota.set', 'update',
	set => $${"amount": "COALESCE(multitenant.payload_bigint(e.payload, 'amount'), t.amount)",
	          "from_anchor": "COALESCE(multitenant.payload_timestamptz(e.payload, 'from'), t.from_anchor)",
	          "interval": "COALESCE((multitenant.payload_bigint(e.payload, 'interval') / 1000)::double precision * '1 microsecond'::interval, t.\"interval\")",
	          "limit_usage": "COALESCE(multitenant.payload_bool(e.payload, 'limit'), t.limit_usage)"}$$,
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['amount', 'from', 'interval', 'limit']$$,
	touch => false);
SELECT @extschema@.register_reducer('@extschema@.quotas_projection_notifications', 'quota.set', 'delete',
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$,
	"when" => $$NULLIF(e.payload -> 'notifications', 'null') IS NOT NULL$$);
SELECT @extschema@.register_reducer('@extschema@.quotas_projection_notifications', 'quota.set', 'insert',
	set => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)",
	          "id": "multitenant.payload_text('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'id')",
	          "call_url": "multitenant.payload_text('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'callUrl')",
	          "percent": "multitenant.payload_bigint('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'percent')",
	          "repeat": "multitenant.payload_bool('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'repeat')"}$$,
	match => '{}');

-- The next due threshold lies in the next period's bucket (threshold + 100).
SELECT @extschema@.register_reducer('@extschema@.quotas_projection_notifications', 'quota.notificationdue', 'update',
	set => $${"latest_due_period_start": "multitenant.payload_timestamptz(e.payload, 'periodStart')",
	          "next_due_threshold": "COALESCE(multitenant.payload_bigint(e.payload, 'threshold'), 0) + 100"}$$,
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)",
	            "id": "COALESCE(multitenant.payload_text(e.payload, 'id'), '')"}$$,
	touch => false);

SELECT @extschema@.register_reducer('@extschema@.quotas_projection_periods', 'quota.removed', 'delete',
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$);
SELECT @extschema@.register_reducer('@extschema@.quotas_projection_notifications', 'quota.removed', 'delete',
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$);
SELECT @extschema@.register_reducer('@extschema@.quotas_projection', 'quota.removed', 'delete',
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$);

------------------------------------------------------------------------------
-- Reducers: limits_projection (aggregate `limits`).  limits.set upserts the
-- resource owner's row (keeping its creation_date), then applies the keys
-- present.
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.limits_projection', 'limits.set', 'upsert',
	set => '{"aggregate_id": "e.aggregate_id"}',
	match => '{"resource_owner": "e.resource_owner"}');
SELECT @extschema@.register_reducer('@extschema@.limits_projection', 'limits.set', 'update',
	set => $${"audit_log_retention": "COALESCE((multitenant.payload_bigint(e.payload, 'auditLogRetention') / 1000)::double precision * '1 microsecond'::interval, t.audit_log_retention)",
	          "block": "COALESCE(multitenant.payload_bool(e.payload, 'block'), t.block)"}$$,
	match => '{"resource_owner": "e.resource_owner"}');

SELECT @extschema@.register_reducer('@extschema@.limits_projection', 'limits.reset', 'delete',
	match => '{"resource_owner": "e.resource_owner"}');

------------------------------------------------------------------------------
-- Access projections (1.0, single-tenant form): org and instance domains,
-- project roles, user and project grants, org / project / instance members,
-- password complexity / age, login and notification policies
-- (reference/zitadel.md B.7, B.8, B.10, B.11, B.13-B.20, B.22).
--
-- These tables are the pre-tenancy layout that 1.1 adopts
-- (multitenant.adopt_table): no instance_id and no change_date, keys are the
-- reference's natural keys without instance_id, no row-level security.  The
-- reducers are registered once, here, and are written for both forms: the
-- engine adds the tenant to every match and fills change_date once the
-- column exists.  There are no instance.removed reducers in 1.0: without a
-- tenant column they would empty the table for every tenant; 1.1 registers
-- them with the tenant columns.
--
-- Facts about other aggregates (a user's or project's owner, a project
-- grant's granted org) come from the event store, as in Zitadel: the first
-- event of an aggregate fixes its owner.  Zitadel fails the event when the
-- user, project or grant does not exist; here the lookup yields NULL and the
-- NOT NULL column refuses the push.
------------------------------------------------------------------------------

------------------------------------------------------------------------------
-- org_domains_projection (Zitadel projections.org_domains2, B.7)
-- validation_type (OrgDomainValidationType): 0 unspecified, 1 http, 2 dns.
-- No resource_owner column: the org is org_id.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.org_domains_projection (
	org_id          text        NOT NULL,
	creation_date   timestamptz NOT NULL,
	sequence        bigint      NOT NULL,
	domain          text        NOT NULL,
	is_verified     boolean     NOT NULL,
	is_primary      boolean     NOT NULL,
	validation_type smallint    NOT NULL,
	owner_removed   boolean     NOT NULL DEFAULT false,
	CONSTRAINT org_domains_projection_pkey PRIMARY KEY (org_id, domain)
);

GRANT SELECT ON @extschema@.org_domains_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.org_domains_projection', '');

------------------------------------------------------------------------------
-- project_roles_projection (Zitadel projections.project_roles4, B.8)
------------------------------------------------------------------------------

CREATE TABLE @extschema@.project_roles_projection (
	project_id     text        NOT NULL,
	role_key       text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	resource_owner text        NOT NULL,
	display_name   text        NOT NULL,
	group_name     text        NOT NULL,
	CONSTRAINT project_roles_projection_pkey PRIMARY KEY (project_id, role_key)
);

-- org.removed cascades by resource_owner.
CREATE INDEX project_roles_projection_resource_owner_idx ON @extschema@.project_roles_projection (resource_owner);

GRANT SELECT ON @extschema@.project_roles_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.project_roles_projection', '');

------------------------------------------------------------------------------
-- instance_domains_projection (Zitadel projections.instance_domains, B.10)
-- Zitadel's key is (instance_id, domain); before tenancy a domain names
-- exactly one instance.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.instance_domains_projection (
	creation_date timestamptz NOT NULL,
	sequence      bigint      NOT NULL,
	domain        text        NOT NULL,
	is_generated  boolean     NOT NULL,
	is_primary    boolean     NOT NULL,
	CONSTRAINT instance_domains_projection_pkey PRIMARY KEY (domain)
);

GRANT SELECT ON @extschema@.instance_domains_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.instance_domains_projection', '');

------------------------------------------------------------------------------
-- instance_trusted_domains_projection (Zitadel
-- projections.instance_trusted_domains, B.11)
------------------------------------------------------------------------------

CREATE TABLE @extschema@.instance_trusted_domains_projection (
	creation_date timestamptz NOT NULL,
	sequence      bigint      NOT NULL,
	domain        text        NOT NULL,
	CONSTRAINT instance_trusted_domains_projection_pkey PRIMARY KEY (domain)
);

GRANT SELECT ON @extschema@.instance_trusted_domains_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.instance_trusted_domains_projection', '');

------------------------------------------------------------------------------
-- user_grants_projection (Zitadel projections.user_grants5, B.13)
-- UserGrantState: 1 active, 2 inactive.  grant_id and granted_org are ''
-- for a grant on the organisation's own project.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.user_grants_projection (
	id                     text        NOT NULL,
	creation_date          timestamptz NOT NULL,
	sequence               bigint      NOT NULL,
	state                  smallint    NOT NULL,
	resource_owner         text        NOT NULL,
	user_id                text        NOT NULL,
	resource_owner_user    text        NOT NULL,
	project_id             text        NOT NULL,
	resource_owner_project text        NOT NULL,
	grant_id               text        NOT NULL,
	granted_org            text        NOT NULL,
	roles                  text[],
	CONSTRAINT user_grants_projection_pkey PRIMARY KEY (id)
);

CREATE INDEX user_grants_projection_user_id_idx ON @extschema@.user_grants_projection (user_id);
CREATE INDEX user_grants_projection_resource_owner_idx ON @extschema@.user_grants_projection (resource_owner);
-- project.removed / project.role.removed cascade by project_id,
-- project.grant.* by grant_id, org.removed by each of the three owners.
CREATE INDEX user_grants_projection_project_id_idx ON @extschema@.user_grants_projection (project_id);
CREATE INDEX user_grants_projection_grant_id_idx ON @extschema@.user_grants_projection (grant_id);
CREATE INDEX user_grants_projection_resource_owner_user_idx ON @extschema@.user_grants_projection (resource_owner_user);
CREATE INDEX user_grants_projection_resource_owner_project_idx ON @extschema@.user_grants_projection (resource_owner_project);
CREATE INDEX user_grants_projection_granted_org_idx ON @extschema@.user_grants_projection (granted_org);

GRANT SELECT ON @extschema@.user_grants_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.user_grants_projection', '');

------------------------------------------------------------------------------
-- project_grants_projection (Zitadel projections.project_grants4, B.14)
-- ProjectGrantState: 1 active, 2 inactive.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.project_grants_projection (
	grant_id          text        NOT NULL,
	creation_date     timestamptz NOT NULL,
	sequence          bigint      NOT NULL,
	state             smallint    NOT NULL,
	resource_owner    text        NOT NULL,
	project_id        text        NOT NULL,
	granted_org_id    text        NOT NULL,
	granted_role_keys text[],
	CONSTRAINT project_grants_projection_pkey PRIMARY KEY (grant_id)
);

CREATE INDEX project_grants_projection_resource_owner_idx ON @extschema@.project_grants_projection (resource_owner);
CREATE INDEX project_grants_projection_granted_org_id_idx ON @extschema@.project_grants_projection (granted_org_id);
-- project.removed and project.owner.corrected work by project_id.
CREATE INDEX project_grants_projection_project_id_idx ON @extschema@.project_grants_projection (project_id);

GRANT SELECT ON @extschema@.project_grants_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.project_grants_projection', '');

------------------------------------------------------------------------------
-- org_members_projection, project_members_projection,
-- instance_members_projection (Zitadel projections.org_members4,
-- project_members4, instance_members4, B.15-B.17).  roles are Zitadel role
-- names (ORG_OWNER, PROJECT_OWNER, IAM_OWNER, ...).  user_resource_owner is
-- the org that owns the member user.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.org_members_projection (
	org_id              text        NOT NULL,
	user_id             text        NOT NULL,
	creation_date       timestamptz NOT NULL,
	user_resource_owner text        NOT NULL,
	roles               text[],
	sequence            bigint      NOT NULL,
	resource_owner      text        NOT NULL,
	CONSTRAINT org_members_projection_pkey PRIMARY KEY (org_id, user_id)
);

CREATE INDEX org_members_projection_user_id_idx ON @extschema@.org_members_projection (user_id);
-- org.removed cascades by resource_owner and by user_resource_owner.
CREATE INDEX org_members_projection_resource_owner_idx ON @extschema@.org_members_projection (resource_owner);
CREATE INDEX org_members_projection_user_resource_owner_idx ON @extschema@.org_members_projection (user_resource_owner);

GRANT SELECT ON @extschema@.org_members_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.org_members_projection', '');

CREATE TABLE @extschema@.project_members_projection (
	project_id          text        NOT NULL,
	user_id             text        NOT NULL,
	creation_date       timestamptz NOT NULL,
	user_resource_owner text        NOT NULL,
	roles               text[],
	sequence            bigint      NOT NULL,
	resource_owner      text        NOT NULL,
	CONSTRAINT project_members_projection_pkey PRIMARY KEY (project_id, user_id)
);

CREATE INDEX project_members_projection_user_id_idx ON @extschema@.project_members_projection (user_id);
-- org.removed cascades by resource_owner and by user_resource_owner.
CREATE INDEX project_members_projection_resource_owner_idx ON @extschema@.project_members_projection (resource_owner);
CREATE INDEX project_members_projection_user_resource_owner_idx ON @extschema@.project_members_projection (user_resource_owner);

GRANT SELECT ON @extschema@.project_members_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.project_members_projection', '');

-- id is the instance (the instance aggregate's id).
CREATE TABLE @extschema@.instance_members_projection (
	id                  text        NOT NULL,
	user_id             text        NOT NULL,
	creation_date       timestamptz NOT NULL,
	user_resource_owner text        NOT NULL,
	roles               text[],
	sequence            bigint      NOT NULL,
	resource_owner      text        NOT NULL,
	CONSTRAINT instance_members_projection_pkey PRIMARY KEY (id, user_id)
);

CREATE INDEX instance_members_projection_user_id_idx ON @extschema@.instance_members_projection (user_id);
-- org.removed cascades by user_resource_owner.
CREATE INDEX instance_members_projection_user_resource_owner_idx ON @extschema@.instance_members_projection (user_resource_owner);

GRANT SELECT ON @extschema@.instance_members_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.instance_members_projection', '');

------------------------------------------------------------------------------
-- Policies.  An org's policy has id = the org, the instance's default policy
-- id = the instance (is_default true).  state (PolicyState): 1 active.
------------------------------------------------------------------------------

-- Zitadel projections.password_complexity_policies2 (B.18)
CREATE TABLE @extschema@.password_complexity_policies (
	id             text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	state          smallint    NOT NULL,
	is_default     boolean     NOT NULL DEFAULT false,
	resource_owner text        NOT NULL,
	min_length     bigint      NOT NULL,
	has_lowercase  boolean     NOT NULL,
	has_uppercase  boolean     NOT NULL,
	has_symbol     boolean     NOT NULL,
	has_number     boolean     NOT NULL,
	owner_removed  boolean     NOT NULL DEFAULT false,
	CONSTRAINT password_complexity_policies_pkey PRIMARY KEY (id)
);

-- org.removed cascades by resource_owner.
CREATE INDEX password_complexity_policies_resource_owner_idx ON @extschema@.password_complexity_policies (resource_owner);

GRANT SELECT ON @extschema@.password_complexity_policies TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.password_complexity_policies', '');

-- Zitadel projections.password_age_policies2 (B.19)
CREATE TABLE @extschema@.password_age_policies (
	id               text        NOT NULL,
	creation_date    timestamptz NOT NULL,
	sequence         bigint      NOT NULL,
	state            smallint    NOT NULL,
	is_default       boolean     NOT NULL DEFAULT false,
	resource_owner   text        NOT NULL,
	expire_warn_days bigint      NOT NULL,
	max_age_days     bigint      NOT NULL,
	owner_removed    boolean     NOT NULL DEFAULT false,
	CONSTRAINT password_age_policies_pkey PRIMARY KEY (id)
);

-- org.removed cascades by resource_owner.
CREATE INDEX password_age_policies_resource_owner_idx ON @extschema@.password_age_policies (resource_owner);

GRANT SELECT ON @extschema@.password_age_policies TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.password_age_policies', '');

-- Zitadel projections.login_policies5 (B.20).  Keyed by aggregate_id (the
-- org or the instance); no resource_owner, no state.  second_factors
-- (SecondFactorType): 1 totp, 2 u2f, 3 otp email, 4 otp sms; multi_factors
-- (MultiFactorType): 1 u2f with pin.  passwordless_type: 0 not allowed,
-- 1 allowed.  Lifetimes in nanoseconds (Go time.Duration).
CREATE TABLE @extschema@.login_policies (
	aggregate_id                  text        NOT NULL,
	creation_date                 timestamptz NOT NULL,
	sequence                      bigint      NOT NULL,
	is_default                    boolean     NOT NULL DEFAULT false,
	allow_register                boolean     NOT NULL,
	allow_username_password       boolean     NOT NULL,
	allow_external_idps           boolean     NOT NULL,
	force_mfa                     boolean     NOT NULL,
	force_mfa_local_only          boolean     NOT NULL DEFAULT false,
	second_factors                smallint[],
	multi_factors                 smallint[],
	passwordless_type             smallint    NOT NULL,
	hide_password_reset           boolean     NOT NULL,
	ignore_unknown_usernames      boolean     NOT NULL,
	allow_domain_discovery        boolean     NOT NULL,
	disable_login_with_email      boolean     NOT NULL,
	disable_login_with_phone      boolean     NOT NULL,
	default_redirect_uri          text,
	password_check_lifetime       bigint      NOT NULL,
	external_login_check_lifetime bigint      NOT NULL,
	mfa_init_skip_lifetime        bigint      NOT NULL,
	second_factor_check_lifetime  bigint      NOT NULL,
	multi_factor_check_lifetime   bigint      NOT NULL,
	owner_removed                 boolean     NOT NULL DEFAULT false,
	CONSTRAINT login_policies_pkey PRIMARY KEY (aggregate_id)
);

GRANT SELECT ON @extschema@.login_policies TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.login_policies', '');

-- Zitadel projections.notification_policies (B.22)
CREATE TABLE @extschema@.notification_policies (
	id              text        NOT NULL,
	creation_date   timestamptz NOT NULL,
	sequence        bigint      NOT NULL,
	state           smallint    NOT NULL,
	is_default      boolean     NOT NULL DEFAULT false,
	resource_owner  text        NOT NULL,
	password_change boolean     NOT NULL,
	owner_removed   boolean     NOT NULL DEFAULT false,
	CONSTRAINT notification_policies_pkey PRIMARY KEY (id)
);

-- org.removed cascades by resource_owner.
CREATE INDEX notification_policies_resource_owner_idx ON @extschema@.notification_policies (resource_owner);

GRANT SELECT ON @extschema@.notification_policies TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.notification_policies', '');

------------------------------------------------------------------------------
-- Reducers: org_domains_projection (aggregate `org`)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'org.domain.added', 'insert',
	set => '{"is_verified": "false", "is_primary": "false", "validation_type": "0"}',
	match => $${"org_id": "e.aggregate_id",
	            "domain": "COALESCE(multitenant.payload_text(e.payload, 'domain'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'org.domain.verification.added', 'update',
	set => $${"validation_type": "COALESCE(multitenant.payload_smallint(e.payload, 'validationType'), 0)"}$$,
	match => $${"org_id": "e.aggregate_id", "domain": "multitenant.payload_text(e.payload, 'domain')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'org.domain.verified', 'update',
	set => '{"is_verified": "true"}',
	match => $${"org_id": "e.aggregate_id", "domain": "multitenant.payload_text(e.payload, 'domain')"}$$);

-- Two statements, in this order, as in Zitadel: the org's current primary
-- domain (whatever it is) loses the flag, then the named one gets it; both
-- rows are touched.  A column cannot be both set and matched, so the first
-- matches "domain is the row's own domain if it is primary".
SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'org.domain.primary.set', 'update',
	set => '{"is_primary": "false"}',
	match => $${"org_id": "e.aggregate_id", "domain": "CASE WHEN t.is_primary THEN t.domain END"}$$);
SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'org.domain.primary.set', 'update',
	set => '{"is_primary": "true"}',
	match => $${"org_id": "e.aggregate_id", "domain": "multitenant.payload_text(e.payload, 'domain')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'org.domain.removed', 'delete',
	match => $${"org_id": "e.aggregate_id", "domain": "multitenant.payload_text(e.payload, 'domain')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'org.removed', 'delete',
	match => '{"org_id": "e.aggregate_id"}');

------------------------------------------------------------------------------
-- Reducers: project_roles_projection (aggregate `project`)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.project_roles_projection', 'project.role.added', 'insert',
	set => $${"display_name": "COALESCE(multitenant.payload_text(e.payload, 'displayName'), '')",
	          "group_name": "COALESCE(multitenant.payload_text(e.payload, 'group'), '')"}$$,
	match => $${"project_id": "e.aggregate_id",
	            "role_key": "COALESCE(multitenant.payload_text(e.payload, 'key'), '')"}$$);

-- Only the keys present (with a non-null value) change; no-op without any.
SELECT @extschema@.register_reducer('@extschema@.project_roles_projection', 'project.role.changed', 'update',
	set => $${"display_name": "COALESCE(multitenant.payload_text(e.payload, 'displayName'), t.display_name)",
	          "group_name": "COALESCE(multitenant.payload_text(e.payload, 'group'), t.group_name)"}$$,
	match => $${"project_id": "e.aggregate_id", "role_key": "multitenant.payload_text(e.payload, 'key')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['displayName', 'group']$$);

SELECT @extschema@.register_reducer('@extschema@.project_roles_projection', 'project.role.removed', 'delete',
	match => $${"project_id": "e.aggregate_id", "role_key": "multitenant.payload_text(e.payload, 'key')"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_roles_projection', 'project.removed', 'delete',
	match => '{"project_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.project_roles_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

------------------------------------------------------------------------------
-- Reducers: instance_domains_projection (aggregate `instance`)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.instance_domains_projection', 'instance.domain.added', 'insert',
	set => $${"is_generated": "COALESCE(multitenant.payload_bool(e.payload, 'generated'), false)",
	          "is_primary": "false"}$$,
	match => $${"domain": "COALESCE(multitenant.payload_text(e.payload, 'domain'), '')"}$$);

-- As for org domains: the instance's current primary loses the flag, then
-- the named domain gets it.  The row has no tenant column before 1.1, so
-- the current primary is found as the domain of this instance's previous
-- instance.domain.primary.set (only that event makes a domain primary, and
-- a re-added domain starts as not primary); the CASE keeps rows that are no
-- longer primary untouched.  With a tenant column this is the same row
-- Zitadel's "instance_id = ? AND is_primary" finds.
SELECT @extschema@.register_reducer('@extschema@.instance_domains_projection', 'instance.domain.primary.set', 'update',
	set => '{"is_primary": "false"}',
	match => $${"domain": "CASE WHEN t.is_primary THEN (SELECT multitenant.payload_text(x.payload, 'domain') FROM multitenant.events AS x WHERE x.instance_id = e.instance_id AND x.aggregate_type = e.aggregate_type AND x.aggregate_id = e.aggregate_id AND x.event_type = 'instance.domain.primary.set' AND x.sequence < e.sequence ORDER BY x.sequence DESC LIMIT 1) END"}$$);
SELECT @extschema@.register_reducer('@extschema@.instance_domains_projection', 'instance.domain.primary.set', 'update',
	set => '{"is_primary": "true"}',
	match => $${"domain": "multitenant.payload_text(e.payload, 'domain')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instance_domains_projection', 'instance.domain.removed', 'delete',
	match => $${"domain": "multitenant.payload_text(e.payload, 'domain')"}$$);

------------------------------------------------------------------------------
-- Reducers: instance_trusted_domains_projection (aggregate `instance`)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.instance_trusted_domains_projection', 'instance.trusted_domains.added', 'insert',
	match => $${"domain": "COALESCE(multitenant.payload_text(e.payload, 'domain'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instance_trusted_domains_projection', 'instance.trusted_domains.removed', 'delete',
	match => $${"domain": "multitenant.payload_text(e.payload, 'domain')"}$$);

------------------------------------------------------------------------------
-- Reducers: user_grants_projection (aggregate `usergrant`, events
-- `user.grant.*`; cascades from `user`, `project` and `org` events)
------------------------------------------------------------------------------

-- resource_owner_user: the owner of the user's creation event (the user
-- must exist).  resource_owner_project: the owner of the project's creation
-- event ('' without projectId).  granted_org: grantedOrgId of the project's
-- project.grant.added with this grantId ('' without grantId).
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.grant.added', 'insert',
	set => $${"user_id": "COALESCE(multitenant.payload_text(e.payload, 'userId'), '')",
	          "project_id": "COALESCE(multitenant.payload_text(e.payload, 'projectId'), '')",
	          "grant_id": "COALESCE(multitenant.payload_text(e.payload, 'grantId'), '')",
	          "roles": "multitenant.payload_text_array(e.payload, 'roleKeys')",
	          "state": "1",
	          "resource_owner_user": "(SELECT x.resource_owner FROM multitenant.events AS x WHERE x.instance_id = e.instance_id AND x.aggregate_type = 'user' AND x.aggregate_id = multitenant.payload_text(e.payload, 'userId') AND x.sequence = 1)",
	          "resource_owner_project": "CASE WHEN COALESCE(multitenant.payload_text(e.payload, 'projectId'), '') = '' THEN '' ELSE (SELECT x.resource_owner FROM multitenant.events AS x WHERE x.instance_id = e.instance_id AND x.aggregate_type = 'project' AND x.aggregate_id = multitenant.payload_text(e.payload, 'projectId') AND x.sequence = 1) END",
	          "granted_org": "CASE WHEN COALESCE(multitenant.payload_text(e.payload, 'grantId'), '') = '' THEN '' ELSE (SELECT multitenant.payload_text(x.payload, 'grantedOrgId') FROM multitenant.events AS x WHERE x.instance_id = e.instance_id AND x.aggregate_type = 'project' AND x.aggregate_id = multitenant.payload_text(e.payload, 'projectId') AND x.event_type = 'project.grant.added' AND x.payload @> pg_catalog.jsonb_build_object('grantId', multitenant.payload_text(e.payload, 'grantId')) ORDER BY x.sequence DESC LIMIT 1) END"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.grant.changed', 'update',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roleKeys')"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.grant.cascade.changed', 'update',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roleKeys')"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.grant.deactivated', 'update',
	set => '{"state": "2"}');

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.grant.reactivated', 'update',
	set => '{"state": "1"}');

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.grant.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.grant.cascade.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.removed', 'delete',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'project.removed', 'delete',
	match => '{"project_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'project.grant.removed', 'delete',
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')"}$$);

-- Role and grant changes on the project trim the grants' roles without
-- touching change_date / sequence (C.15).
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'project.role.removed', 'update',
	set => $${"roles": "pg_catalog.array_remove(t.roles, multitenant.payload_text(e.payload, 'key'))"}$$,
	match => '{"project_id": "e.aggregate_id"}',
	touch => false);

-- roles := roles ∩ roleKeys, keeping the order of roles.
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'project.grant.changed', 'update',
	set => $${"roles": "ARRAY(SELECT u.r FROM pg_catalog.unnest(t.roles) WITH ORDINALITY AS u(r, n) WHERE u.r = ANY (multitenant.payload_text_array(e.payload, 'roleKeys')) ORDER BY u.n)"}$$,
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')"}$$,
	touch => false);

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'project.grant.cascade.changed', 'update',
	set => $${"roles": "ARRAY(SELECT u.r FROM pg_catalog.unnest(t.roles) WITH ORDINALITY AS u(r, n) WHERE u.r = ANY (multitenant.payload_text_array(e.payload, 'roleKeys')) ORDER BY u.n)"}$$,
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')"}$$,
	touch => false);

-- A removed org takes the grants it gave, the grants of its users, the
-- grants on its projects and the grants through project grants to it.
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'org.removed', 'delete',
	match => '{"resource_owner_user": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'org.removed', 'delete',
	match => '{"resource_owner_project": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'org.removed', 'delete',
	match => '{"granted_org": "e.aggregate_id"}');

------------------------------------------------------------------------------
-- Reducers: project_grants_projection (aggregate `project`, grant id =
-- payload grantId)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.grant.added', 'insert',
	set => $${"project_id": "e.aggregate_id",
	          "state": "1",
	          "granted_org_id": "COALESCE(multitenant.payload_text(e.payload, 'grantedOrgId'), '')",
	          "granted_role_keys": "multitenant.payload_text_array(e.payload, 'roleKeys')"}$$,
	match => $${"grant_id": "COALESCE(multitenant.payload_text(e.payload, 'grantId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.grant.changed', 'update',
	set => $${"granted_role_keys": "multitenant.payload_text_array(e.payload, 'roleKeys')"}$$,
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')", "project_id": "e.aggregate_id"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.grant.cascade.changed', 'update',
	set => $${"granted_role_keys": "multitenant.payload_text_array(e.payload, 'roleKeys')"}$$,
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')", "project_id": "e.aggregate_id"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.grant.deactivated', 'update',
	set => '{"state": "2"}',
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')", "project_id": "e.aggregate_id"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.grant.reactivated', 'update',
	set => '{"state": "1"}',
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')", "project_id": "e.aggregate_id"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.grant.removed', 'delete',
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')", "project_id": "e.aggregate_id"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.removed', 'delete',
	match => '{"project_id": "e.aggregate_id"}');

-- The grants follow their project to the event's owner; Zitadel changes
-- nothing else (no change_date / sequence).
SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.owner.corrected', 'update',
	set => '{"resource_owner": "e.resource_owner"}',
	match => '{"project_id": "e.aggregate_id"}',
	touch => false);

-- The granting org's grants and the grants to the org both go.
SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'org.removed', 'delete',
	match => '{"granted_org_id": "e.aggregate_id"}');

------------------------------------------------------------------------------
-- Reducers: members.  Payload userId, roles.  user_resource_owner is the
-- owner of the user's creation event (the user must exist).
------------------------------------------------------------------------------

-- org_members_projection (aggregate `org`, org_id = aggregate id)
SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'org.member.added', 'insert',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roles')",
	          "user_resource_owner": "(SELECT x.resource_owner FROM multitenant.events AS x WHERE x.instance_id = e.instance_id AND x.aggregate_type = 'user' AND x.aggregate_id = multitenant.payload_text(e.payload, 'userId') AND x.sequence = 1)"}$$,
	match => $${"org_id": "e.aggregate_id", "user_id": "COALESCE(multitenant.payload_text(e.payload, 'userId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'org.member.changed', 'update',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roles')"}$$,
	match => $${"org_id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'org.member.removed', 'delete',
	match => $${"org_id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'org.member.cascade.removed', 'delete',
	match => $${"org_id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'user.removed', 'delete',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'org.removed', 'delete',
	match => '{"user_resource_owner": "e.aggregate_id"}');

-- project_members_projection (aggregate `project`, project_id = aggregate id)
SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'project.member.added', 'insert',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roles')",
	          "user_resource_owner": "(SELECT x.resource_owner FROM multitenant.events AS x WHERE x.instance_id = e.instance_id AND x.aggregate_type = 'user' AND x.aggregate_id = multitenant.payload_text(e.payload, 'userId') AND x.sequence = 1)"}$$,
	match => $${"project_id": "e.aggregate_id", "user_id": "COALESCE(multitenant.payload_text(e.payload, 'userId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'project.member.changed', 'update',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roles')"}$$,
	match => $${"project_id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'project.member.removed', 'delete',
	match => $${"project_id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'project.member.cascade.removed', 'delete',
	match => $${"project_id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'project.removed', 'delete',
	match => '{"project_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'user.removed', 'delete',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'org.removed', 'delete',
	match => '{"user_resource_owner": "e.aggregate_id"}');

-- instance_members_projection (aggregate `instance`, id = aggregate id =
-- the tenant).  Zitadel matches changes and removals on (instance_id,
-- user_id); id equals the tenant, so matching id = the instance is the same
-- and also keeps 1.0's tenant-less rows apart.
SELECT @extschema@.register_reducer('@extschema@.instance_members_projection', 'instance.member.added', 'insert',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roles')",
	          "user_resource_owner": "(SELECT x.resource_owner FROM multitenant.events AS x WHERE x.instance_id = e.instance_id AND x.aggregate_type = 'user' AND x.aggregate_id = multitenant.payload_text(e.payload, 'userId') AND x.sequence = 1)"}$$,
	match => $${"id": "e.aggregate_id", "user_id": "COALESCE(multitenant.payload_text(e.payload, 'userId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instance_members_projection', 'instance.member.changed', 'update',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roles')"}$$,
	match => $${"id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instance_members_projection', 'instance.member.removed', 'delete',
	match => $${"id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instance_members_projection', 'instance.member.cascade.removed', 'delete',
	match => $${"id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instance_members_projection', 'user.removed', 'delete',
	match => '{"id": "e.instance_id", "user_id": "e.aggregate_id"}');

-- Only the members whose user belonged to the org (the instance is not
-- owned by an org).
SELECT @extschema@.register_reducer('@extschema@.instance_members_projection', 'org.removed', 'delete',
	match => '{"id": "e.instance_id", "user_resource_owner": "e.aggregate_id"}');

------------------------------------------------------------------------------
-- Reducers: password_complexity_policies (aggregates `org` / `instance`)
-- Absent keys of an added event are Go zero values; a changed event sets
-- the keys present and always touches the row.
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.password_complexity_policies', 'org.policy.password.complexity.added', 'insert',
	set => $${"state": "1",
	          "is_default": "false",
	          "min_length": "COALESCE(multitenant.payload_bigint(e.payload, 'minLength'), 0)",
	          "has_lowercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasLowercase'), false)",
	          "has_uppercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasUppercase'), false)",
	          "has_number": "COALESCE(multitenant.payload_bool(e.payload, 'hasNumber'), false)",
	          "has_symbol": "COALESCE(multitenant.payload_bool(e.payload, 'hasSymbol'), false)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_complexity_policies', 'instance.policy.password.complexity.added', 'insert',
	set => $${"state": "1",
	          "is_default": "true",
	          "min_length": "COALESCE(multitenant.payload_bigint(e.payload, 'minLength'), 0)",
	          "has_lowercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasLowercase'), false)",
	          "has_uppercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasUppercase'), false)",
	          "has_number": "COALESCE(multitenant.payload_bool(e.payload, 'hasNumber'), false)",
	          "has_symbol": "COALESCE(multitenant.payload_bool(e.payload, 'hasSymbol'), false)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_complexity_policies', 'org.policy.password.complexity.changed', 'update',
	set => $${"min_length": "COALESCE(multitenant.payload_bigint(e.payload, 'minLength'), t.min_length)",
	          "has_lowercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasLowercase'), t.has_lowercase)",
	          "has_uppercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasUppercase'), t.has_uppercase)",
	          "has_number": "COALESCE(multitenant.payload_bool(e.payload, 'hasNumber'), t.has_number)",
	          "has_symbol": "COALESCE(multitenant.payload_bool(e.payload, 'hasSymbol'), t.has_symbol)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_complexity_policies', 'instance.policy.password.complexity.changed', 'update',
	set => $${"min_length": "COALESCE(multitenant.payload_bigint(e.payload, 'minLength'), t.min_length)",
	          "has_lowercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasLowercase'), t.has_lowercase)",
	          "has_uppercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasUppercase'), t.has_uppercase)",
	          "has_number": "COALESCE(multitenant.payload_bool(e.payload, 'hasNumber'), t.has_number)",
	          "has_symbol": "COALESCE(multitenant.payload_bool(e.payload, 'hasSymbol'), t.has_symbol)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_complexity_policies', 'org.policy.password.complexity.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.password_complexity_policies', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

------------------------------------------------------------------------------
-- Reducers: password_age_policies (aggregates `org` / `instance`)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.password_age_policies', 'org.policy.password.age.added', 'insert',
	set => $${"state": "1",
	          "is_default": "false",
	          "expire_warn_days": "COALESCE(multitenant.payload_bigint(e.payload, 'expireWarnDays'), 0)",
	          "max_age_days": "COALESCE(multitenant.payload_bigint(e.payload, 'maxAgeDays'), 0)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_age_policies', 'instance.policy.password.age.added', 'insert',
	set => $${"state": "1",
	          "is_default": "true",
	          "expire_warn_days": "COALESCE(multitenant.payload_bigint(e.payload, 'expireWarnDays'), 0)",
	          "max_age_days": "COALESCE(multitenant.payload_bigint(e.payload, 'maxAgeDays'), 0)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_age_policies', 'org.policy.password.age.changed', 'update',
	set => $${"expire_warn_days": "COALESCE(multitenant.payload_bigint(e.payload, 'expireWarnDays'), t.expire_warn_days)",
	          "max_age_days": "COALESCE(multitenant.payload_bigint(e.payload, 'maxAgeDays'), t.max_age_days)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_age_policies', 'instance.policy.password.age.changed', 'update',
	set => $${"expire_warn_days": "COALESCE(multitenant.payload_bigint(e.payload, 'expireWarnDays'), t.expire_warn_days)",
	          "max_age_days": "COALESCE(multitenant.payload_bigint(e.payload, 'maxAgeDays'), t.max_age_days)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_age_policies', 'org.policy.password.age.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.password_age_policies', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

------------------------------------------------------------------------------
-- Reducers: login_policies (aggregates `org` / `instance`, key aggregate_id)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.policy.login.added', 'insert',
	set => $${"is_default": "false",
	          "allow_register": "COALESCE(multitenant.payload_bool(e.payload, 'allowRegister'), false)",
	          "allow_username_password": "COALESCE(multitenant.payload_bool(e.payload, 'allowUsernamePassword'), false)",
	          "allow_external_idps": "COALESCE(multitenant.payload_bool(e.payload, 'allowExternalIdp'), false)",
	          "force_mfa": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFA'), false)",
	          "force_mfa_local_only": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFALocalOnly'), false)",
	          "passwordless_type": "COALESCE(multitenant.payload_smallint(e.payload, 'passwordlessType'), 0)",
	          "hide_password_reset": "COALESCE(multitenant.payload_bool(e.payload, 'hidePasswordReset'), false)",
	          "ignore_unknown_usernames": "COALESCE(multitenant.payload_bool(e.payload, 'ignoreUnknownUsernames'), false)",
	          "allow_domain_discovery": "COALESCE(multitenant.payload_bool(e.payload, 'allowDomainDiscovery'), false)",
	          "disable_login_with_email": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithEmail'), false)",
	          "disable_login_with_phone": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithPhone'), false)",
	          "default_redirect_uri": "COALESCE(multitenant.payload_text(e.payload, 'defaultRedirectURI'), '')",
	          "password_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'passwordCheckLifetime'), 0)",
	          "external_login_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'externalLoginCheckLifetime'), 0)",
	          "mfa_init_skip_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'mfaInitSkipLifetime'), 0)",
	          "second_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'secondFactorCheckLifetime'), 0)",
	          "multi_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'multiFactorCheckLifetime'), 0)"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_policies', 'instance.policy.login.added', 'insert',
	set => $${"is_default": "true",
	          "allow_register": "COALESCE(multitenant.payload_bool(e.payload, 'allowRegister'), false)",
	          "allow_username_password": "COALESCE(multitenant.payload_bool(e.payload, 'allowUsernamePassword'), false)",
	          "allow_external_idps": "COALESCE(multitenant.payload_bool(e.payload, 'allowExternalIdp'), false)",
	          "force_mfa": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFA'), false)",
	          "force_mfa_local_only": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFALocalOnly'), false)",
	          "passwordless_type": "COALESCE(multitenant.payload_smallint(e.payload, 'passwordlessType'), 0)",
	          "hide_password_reset": "COALESCE(multitenant.payload_bool(e.payload, 'hidePasswordReset'), false)",
	          "ignore_unknown_usernames": "COALESCE(multitenant.payload_bool(e.payload, 'ignoreUnknownUsernames'), false)",
	          "allow_domain_discovery": "COALESCE(multitenant.payload_bool(e.payload, 'allowDomainDiscovery'), false)",
	          "disable_login_with_email": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithEmail'), false)",
	          "disable_login_with_phone": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithPhone'), false)",
	          "default_redirect_uri": "COALESCE(multitenant.payload_text(e.payload, 'defaultRedirectURI'), '')",
	          "password_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'passwordCheckLifetime'), 0)",
	          "external_login_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'externalLoginCheckLifetime'), 0)",
	          "mfa_init_skip_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'mfaInitSkipLifetime'), 0)",
	          "second_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'secondFactorCheckLifetime'), 0)",
	          "multi_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'multiFactorCheckLifetime'), 0)"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.policy.login.changed', 'update',
	set => $${"allow_register": "COALESCE(multitenant.payload_bool(e.payload, 'allowRegister'), t.allow_register)",
	          "allow_username_password": "COALESCE(multitenant.payload_bool(e.payload, 'allowUsernamePassword'), t.allow_username_password)",
	          "allow_external_idps": "COALESCE(multitenant.payload_bool(e.payload, 'allowExternalIdp'), t.allow_external_idps)",
	          "force_mfa": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFA'), t.force_mfa)",
	          "force_mfa_local_only": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFALocalOnly'), t.force_mfa_local_only)",
	          "passwordless_type": "COALESCE(multitenant.payload_smallint(e.payload, 'passwordlessType'), t.passwordless_type)",
	          "hide_password_reset": "COALESCE(multitenant.payload_bool(e.payload, 'hidePasswordReset'), t.hide_password_reset)",
	          "ignore_unknown_usernames": "COALESCE(multitenant.payload_bool(e.payload, 'ignoreUnknownUsernames'), t.ignore_unknown_usernames)",
	          "allow_domain_discovery": "COALESCE(multitenant.payload_bool(e.payload, 'allowDomainDiscovery'), t.allow_domain_discovery)",
	          "disable_login_with_email": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithEmail'), t.disable_login_with_email)",
	          "disable_login_with_phone": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithPhone'), t.disable_login_with_phone)",
	          "default_redirect_uri": "COALESCE(multitenant.payload_text(e.payload, 'defaultRedirectURI'), t.default_redirect_uri)",
	          "password_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'passwordCheckLifetime'), t.password_check_lifetime)",
	          "external_login_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'externalLoginCheckLifetime'), t.external_login_check_lifetime)",
	          "mfa_init_skip_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'mfaInitSkipLifetime'), t.mfa_init_skip_lifetime)",
	          "second_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'secondFactorCheckLifetime'), t.second_factor_check_lifetime)",
	          "multi_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'multiFactorCheckLifetime'), t.multi_factor_check_lifetime)"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_policies', 'instance.policy.login.changed', 'update',
	set => $${"allow_register": "COALESCE(multitenant.payload_bool(e.payload, 'allowRegister'), t.allow_register)",
	          "allow_username_password": "COALESCE(multitenant.payload_bool(e.payload, 'allowUsernamePassword'), t.allow_username_password)",
	          "allow_external_idps": "COALESCE(multitenant.payload_bool(e.payload, 'allowExternalIdp'), t.allow_external_idps)",
	          "force_mfa": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFA'), t.force_mfa)",
	          "force_mfa_local_only": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFALocalOnly'), t.force_mfa_local_only)",
	          "passwordless_type": "COALESCE(multitenant.payload_smallint(e.payload, 'passwordlessType'), t.passwordless_type)",
	          "hide_password_reset": "COALESCE(multitenant.payload_bool(e.payload, 'hidePasswordReset'), t.hide_password_reset)",
	          "ignore_unknown_usernames": "COALESCE(multitenant.payload_bool(e.payload, 'ignoreUnknownUsernames'), t.ignore_unknown_usernames)",
	          "allow_domain_discovery": "COALESCE(multitenant.payload_bool(e.payload, 'allowDomainDiscovery'), t.allow_domain_discovery)",
	          "disable_login_with_email": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithEmail'), t.disable_login_with_email)",
	          "disable_login_with_phone": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithPhone'), t.disable_login_with_phone)",
	          "default_redirect_uri": "COALESCE(multitenant.payload_text(e.payload, 'defaultRedirectURI'), t.default_redirect_uri)",
	          "password_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'passwordCheckLifetime'), t.password_check_lifetime)",
	          "external_login_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'externalLoginCheckLifetime'), t.external_login_check_lifetime)",
	          "mfa_init_skip_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'mfaInitSkipLifetime'), t.mfa_init_skip_lifetime)",
	          "second_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'secondFactorCheckLifetime'), t.second_factor_check_lifetime)",
	          "multi_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'multiFactorCheckLifetime'), t.multi_factor_check_lifetime)"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');

-- Factors: an absent mfaType is Go's zero value 0.
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.policy.login.secondfactor.added', 'update',
	set => $${"second_factors": "pg_catalog.array_append(t.second_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'instance.policy.login.secondfactor.added', 'update',
	set => $${"second_factors": "pg_catalog.array_append(t.second_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.policy.login.secondfactor.removed', 'update',
	set => $${"second_factors": "pg_catalog.array_remove(t.second_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'instance.policy.login.secondfactor.removed', 'update',
	set => $${"second_factors": "pg_catalog.array_remove(t.second_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.policy.login.multifactor.added', 'update',
	set => $${"multi_factors": "pg_catalog.array_append(t.multi_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'instance.policy.login.multifactor.added', 'update',
	set => $${"multi_factors": "pg_catalog.array_append(t.multi_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.policy.login.multifactor.removed', 'update',
	set => $${"multi_factors": "pg_catalog.array_remove(t.multi_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'instance.policy.login.multifactor.removed', 'update',
	set => $${"multi_factors": "pg_catalog.array_remove(t.multi_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.policy.login.removed', 'delete',
	match => '{"aggregate_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.removed', 'delete',
	match => '{"aggregate_id": "e.aggregate_id"}');

------------------------------------------------------------------------------
-- Reducers: notification_policies (aggregates `org` / `instance`)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.notification_policies', 'org.policy.notification.added', 'insert',
	set => $${"state": "1",
	          "is_default": "false",
	          "password_change": "COALESCE(multitenant.payload_bool(e.payload, 'passwordChange'), false)"}$$);

SELECT @extschema@.register_reducer('@extschema@.notification_policies', 'instance.policy.notification.added', 'insert',
	set => $${"state": "1",
	          "is_default": "true",
	          "password_change": "COALESCE(multitenant.payload_bool(e.payload, 'passwordChange'), false)"}$$);

SELECT @extschema@.register_reducer('@extschema@.notification_policies', 'org.policy.notification.changed', 'update',
	set => $${"password_change": "COALESCE(multitenant.payload_bool(e.payload, 'passwordChange'), t.password_change)"}$$);

SELECT @extschema@.register_reducer('@extschema@.notification_policies', 'instance.policy.notification.changed', 'update',
	set => $${"password_change": "COALESCE(multitenant.payload_bool(e.payload, 'passwordChange'), t.password_change)"}$$);

SELECT @extschema@.register_reducer('@extschema@.notification_policies', 'org.policy.notification.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.notification_policies', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

/* multitenant 1.0 part "idps": idp_configs (+ oidc / jwt configs), idp_providers,
   idp_templates_projection (+ 12 detail tables), in their single-tenant form */

------------------------------------------------------------------------------
-- Identity providers (reference/zitadel.md B.23, B.24).
--
-- Legacy single-tenant form: no instance_id and no change_date; keys without
-- instance_id.  The 1.0 -> 1.1 hop adopts these tables (tenant columns,
-- composite keys and foreign keys, isolation) and registers instance.removed.
--
-- Instance-level legacy IdP configs are written on aggregate `instance` with
-- the event prefix `iam.`; everything else uses `instance.` / `org.`.
-- owner_type / provider_type (IdentityProviderType): 0 system (instance), 1 org.
-- CryptoValue payload objects (client secrets, bind password, private and
-- signing keys) are stored as they are, as jsonb.  Absent keys become the Go
-- zero value where Zitadel stores one in a NOT NULL column ('' / false / 0 /
-- '{}'; JSON null for a CryptoValue, '' for bytes).
------------------------------------------------------------------------------

------------------------------------------------------------------------------
-- idp_configs (Zitadel projections.idps3, B.23) and its detail tables.
-- IDPConfigState: 1 active, 2 inactive.  styling_type: 0 unspecified, 1 google.
-- type (IDPConfigType) stays NULL until a config is added: 0 oidc, 1 saml, 2 jwt.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.idp_configs (
	id             text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	resource_owner text        NOT NULL,
	state          smallint    NOT NULL,
	name           text        NOT NULL,
	styling_type   smallint    NOT NULL,
	owner_type     smallint    NOT NULL,
	auto_register  boolean     NOT NULL DEFAULT false,
	type           smallint,
	owner_removed  boolean     NOT NULL DEFAULT false,
	CONSTRAINT idp_configs_pkey PRIMARY KEY (id)
);

-- org.removed deletes by resource_owner.
CREATE INDEX idp_configs_resource_owner_idx ON @extschema@.idp_configs (resource_owner);

GRANT SELECT ON @extschema@.idp_configs TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_configs', '');

-- OIDCMappingField (display_name_mapping, username_mapping): 0 unspecified,
-- 1 preferred_username, 2 email.
CREATE TABLE @extschema@.idp_configs_oidc_config (
	idp_id                 text     NOT NULL,
	client_id              text     NOT NULL,
	client_secret          jsonb    NOT NULL,
	issuer                 text     NOT NULL,
	scopes                 text[]   NOT NULL,
	display_name_mapping   smallint NOT NULL,
	username_mapping       smallint NOT NULL,
	authorization_endpoint text     NOT NULL,
	token_endpoint         text     NOT NULL,
	CONSTRAINT idp_configs_oidc_config_pkey PRIMARY KEY (idp_id),
	CONSTRAINT idp_configs_oidc_config_idp_id_fkey FOREIGN KEY (idp_id)
		REFERENCES @extschema@.idp_configs (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.idp_configs_oidc_config TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_configs_oidc_config', '');

CREATE TABLE @extschema@.idp_configs_jwt_config (
	idp_id        text NOT NULL,
	issuer        text NOT NULL,
	keys_endpoint text NOT NULL,
	header_name   text NOT NULL,
	endpoint      text NOT NULL,
	CONSTRAINT idp_configs_jwt_config_pkey PRIMARY KEY (idp_id),
	CONSTRAINT idp_configs_jwt_config_idp_id_fkey FOREIGN KEY (idp_id)
		REFERENCES @extschema@.idp_configs (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.idp_configs_jwt_config TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_configs_jwt_config', '');

------------------------------------------------------------------------------
-- idp_providers (Zitadel projections.idp_login_policy_links5, B.24): the IdPs
-- linked to an org's or the instance's login policy.  aggregate_id is the org or
-- instance whose policy holds the link.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.idp_providers (
	idp_id         text        NOT NULL,
	aggregate_id   text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	resource_owner text        NOT NULL,
	provider_type  smallint    NOT NULL,
	CONSTRAINT idp_providers_pkey PRIMARY KEY (aggregate_id, idp_id)
);

-- Removing an IdP deletes its links by idp_id.
CREATE INDEX idp_providers_idp_id_idx ON @extschema@.idp_providers (idp_id);
-- org.removed (and an org IdP's removal) delete by resource_owner.
CREATE INDEX idp_providers_resource_owner_idx ON @extschema@.idp_providers (resource_owner);

GRANT SELECT ON @extschema@.idp_providers TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_providers', '');

------------------------------------------------------------------------------
-- idp_templates_projection (Zitadel projections.idp_templates6, B.24) and its 12
-- detail tables, one per kind.  IDPState: 1 active.  type (IDPType):
-- 0 unspecified, 1 oidc, 2 jwt, 3 oauth, 4 ldap, 5 azure, 6 github,
-- 7 github enterprise, 8 gitlab, 9 gitlab self-hosted, 10 google, 11 apple,
-- 12 saml.  auto_linking (AutoLinkingOption): 0 unspecified, 1 username, 2 email.
-- Detail columns and their nullability follow Zitadel's tables.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.idp_templates_projection (
	id                  text        NOT NULL,
	creation_date       timestamptz NOT NULL,
	sequence            bigint      NOT NULL,
	resource_owner      text        NOT NULL,
	state               smallint    NOT NULL,
	name                text,
	owner_type          smallint    NOT NULL,
	type                smallint    NOT NULL,
	owner_removed       boolean     NOT NULL DEFAULT false,
	is_creation_allowed boolean     NOT NULL DEFAULT false,
	is_linking_allowed  boolean     NOT NULL DEFAULT false,
	is_auto_creation    boolean     NOT NULL DEFAULT false,
	is_auto_update      boolean     NOT NULL DEFAULT false,
	auto_linking        smallint    NOT NULL DEFAULT 0,
	CONSTRAINT idp_templates_projection_pkey PRIMARY KEY (id)
);

-- org.removed deletes by resource_owner.
CREATE INDEX idp_templates_projection_resource_owner_idx ON @extschema@.idp_templates_projection (resource_owner);

GRANT SELECT ON @extschema@.idp_templates_projection TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection', '');

-- OAuth 2.0 IdPs.
CREATE TABLE @extschema@.idp_templates_projection_oauth2 (
	idp_id                 text    NOT NULL,
	client_id              text    NOT NULL,
	client_secret          jsonb   NOT NULL,
	authorization_endpoint text    NOT NULL,
	token_endpoint         text    NOT NULL,
	user_endpoint          text    NOT NULL,
	scopes                 text[],
	id_attribute           text    NOT NULL,
	use_pkce               boolean NOT NULL DEFAULT false,
	CONSTRAINT idp_templates_projection_oauth2_pkey PRIMARY KEY (idp_id),
	CONSTRAINT idp_templates_projection_oauth2_idp_id_fkey FOREIGN KEY (idp_id)
		REFERENCES @extschema@.idp_templates_projection (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.idp_templates_projection_oauth2 TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_oauth2', '');

-- Generic OIDC IdPs (and legacy OIDC configs).
CREATE TABLE @extschema@.idp_templates_projection_oidc (
	idp_id           text    NOT NULL,
	issuer           text    NOT NULL,
	client_id        text    NOT NULL,
	client_secret    jsonb   NOT NULL,
	scopes           text[],
	id_token_mapping boolean NOT NULL DEFAULT false,
	use_pkce         boolean NOT NULL DEFAULT false,
	CONSTRAINT idp_templates_projection_oidc_pkey PRIMARY KEY (idp_id),
	CONSTRAINT idp_templates_projection_oidc_idp_id_fkey FOREIGN KEY (idp_id)
		REFERENCES @extschema@.idp_templates_projection (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.idp_templates_projection_oidc TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_oidc', '');

-- JWT IdPs (and legacy JWT configs).  header_name is nullable as in Zitadel.
CREATE TABLE @extschema@.idp_templates_projection_jwt (
	idp_id        text NOT NULL,
	issuer        text NOT NULL,
	jwt_endpoint  text NOT NULL,
	keys_endpoint text NOT NULL,
	header_name   text,
	CONSTRAINT idp_templates_projection_jwt_pkey PRIMARY KEY (idp_id),
	CONSTRAINT idp_templates_projection_jwt_idp_id_fkey FOREIGN KEY (idp_id)
		REFERENCES @extschema@.idp_templates_projection (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.idp_templates_projection_jwt TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_jwt', '');

-- Azure AD IdPs (payload keys client_id / client_secret are snake_case).
CREATE TABLE @extschema@.idp_templates_projection_azure (
	idp_id            text    NOT NULL,
	client_id         text    NOT NULL,
	client_secret     jsonb   NOT NULL,
	scopes            text[],
	tenant            text,
	is_email_verified boolean NOT NULL DEFAULT false,
	CONSTRAINT idp_templates_projection_azure_pkey PRIMARY KEY (idp_id),
	CONSTRAINT idp_templates_projection_azure_idp_id_fkey FOREIGN KEY (idp_id)
		REFERENCES @extschema@.idp_templates_projection (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.idp_templates_projection_azure TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_azure', '');

-- GitHub IdPs.
CREATE TABLE @extschema@.idp_templates_projection_github (
	idp_id        text   NOT NULL,
	client_id     text   NOT NULL,
	client_secret jsonb  NOT NULL,
	scopes        text[],
	CONSTRAINT idp_templates_projection_github_pkey PRIMARY KEY (idp_id),
	CONSTRAINT idp_templates_projection_github_idp_id_fkey FOREIGN KEY (idp_id)
		REFERENCES @extschema@.idp_templates_projection (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.idp_templates_projection_github TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_github', '');

-- GitHub Enterprise Server IdPs.
CREATE TABLE @extschema@.idp_templates_projection_github_enterprise (
	idp_id                 text   NOT NULL,
	client_id              text   NOT NULL,
	client_secret          jsonb  NOT NULL,
	authorization_endpoint text   NOT NULL,
	token_endpoint         text   NOT NULL,
	user_endpoint          text   NOT NULL,
	scopes                 text[],
	CONSTRAINT idp_templates_projection_github_enterprise_pkey PRIMARY KEY (idp_id),
	CONSTRAINT idp_templates_projection_github_enterprise_idp_id_fkey FOREIGN KEY (idp_id)
		REFERENCES @extschema@.idp_templates_projection (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.idp_templates_projection_github_enterprise TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_github_enterprise', '');

-- GitLab IdPs (payload keys client_id / client_secret are snake_case).
CREATE TABLE @extschema@.idp_templates_projection_gitlab (
	idp_id        text   NOT NULL,
	client_id     text   NOT NULL,
	client_secret jsonb  NOT NULL,
	scopes        text[],
	CONSTRAINT idp_templates_projection_gitlab_pkey PRIMARY KEY (idp_id),
	CONSTRAINT idp_templates_projection_gitlab_idp_id_fkey FOREIGN KEY (idp_id)
		REFERENCES @extschema@.idp_templates_projection (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.idp_templates_projection_gitlab TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_gitlab', '');

-- Self-hosted GitLab IdPs (snake_case client_id / client_secret).
CREATE TABLE @extschema@.idp_templates_projection_gitlab_self_hosted (
	idp_id        text   NOT NULL,
	issuer        text   NOT NULL,
	client_id     text   NOT NULL,
	client_secret jsonb  NOT NULL,
	scopes        text[],
	CONSTRAINT idp_templates_projection_gitlab_self_hosted_pkey PRIMARY KEY (idp_id),
	CONSTRAINT idp_templates_projection_gitlab_self_hosted_idp_id_fkey FOREIGN KEY (idp_id)
		REFERENCES @extschema@.idp_templates_projection (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.idp_templates_projection_gitlab_self_hosted TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_gitlab_self_hosted', '');

-- Google IdPs.
CREATE TABLE @extschema@.idp_templates_projection_google (
	idp_id        text   NOT NULL,
	client_id     text   NOT NULL,
	client_secret jsonb  NOT NULL,
	scopes        text[],
	CONSTRAINT idp_templates_projection_google_pkey PRIMARY KEY (idp_id),
	CONSTRAINT idp_templates_projection_google_idp_id_fkey FOREIGN KEY (idp_id)
		REFERENCES @extschema@.idp_templates_projection (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.idp_templates_projection_google TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_google', '');

-- LDAP IdPs.  timeout in nanoseconds (Go time.Duration); the attribute
-- mapping columns are nullable as in Zitadel.
CREATE TABLE @extschema@.idp_templates_projection_ldap2 (
	idp_id                       text    NOT NULL,
	servers                      text[]  NOT NULL,
	start_tls                    boolean NOT NULL,
	base_dn                      text    NOT NULL,
	bind_dn                      text    NOT NULL,
	bind_password                jsonb   NOT NULL,
	user_base                    text    NOT NULL,
	user_object_classes          text[]  NOT NULL,
	user_filters                 text[]  NOT NULL,
	timeout                      bigint  NOT NULL,
	id_attribute                 text,
	first_name_attribute         text,
	last_name_attribute          text,
	display_name_attribute       text,
	nick_name_attribute          text,
	preferred_username_attribute text,
	email_attribute              text,
	email_verified               text,
	phone_attribute              text,
	phone_verified_attribute     text,
	preferred_language_attribute text,
	avatar_url_attribute         text,
	profile_attribute            text,
	CONSTRAINT idp_templates_projection_ldap2_pkey PRIMARY KEY (idp_id),
	CONSTRAINT idp_templates_projection_ldap2_idp_id_fkey FOREIGN KEY (idp_id)
		REFERENCES @extschema@.idp_templates_projection (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.idp_templates_projection_ldap2 TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_ldap2', '');

-- Sign in with Apple.
CREATE TABLE @extschema@.idp_templates_projection_apple (
	idp_id      text   NOT NULL,
	client_id   text   NOT NULL,
	team_id     text   NOT NULL,
	key_id      text   NOT NULL,
	private_key jsonb  NOT NULL,
	scopes      text[],
	CONSTRAINT idp_templates_projection_apple_pkey PRIMARY KEY (idp_id),
	CONSTRAINT idp_templates_projection_apple_idp_id_fkey FOREIGN KEY (idp_id)
		REFERENCES @extschema@.idp_templates_projection (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.idp_templates_projection_apple TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_apple', '');

-- SAML IdPs.  metadata and certificate are bytes (base64 in the payload);
-- name_id_format (SAMLNameIDFormat): 0 unspecified, 1 email address,
-- 2 persistent, 3 transient.
CREATE TABLE @extschema@.idp_templates_projection_saml (
	idp_id                           text     NOT NULL,
	metadata                         bytea    NOT NULL,
	key                              jsonb    NOT NULL,
	certificate                      bytea    NOT NULL,
	binding                          text,
	with_signed_request              boolean,
	name_id_format                   smallint,
	transient_mapping_attribute_name text,
	CONSTRAINT idp_templates_projection_saml_pkey PRIMARY KEY (idp_id),
	CONSTRAINT idp_templates_projection_saml_idp_id_fkey FOREIGN KEY (idp_id)
		REFERENCES @extschema@.idp_templates_projection (id) ON DELETE CASCADE
);

GRANT SELECT ON @extschema@.idp_templates_projection_saml TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_saml', '');

------------------------------------------------------------------------------
-- Reducers: idp_configs (aggregate `instance` with `iam.` events, or `org`;
-- the config id is the payload's idpConfigId).
--
-- A CryptoValue is taken as the JSON object it is; a key of any other JSON
-- type is handed to payload_text as if it were an object, which refuses it
-- (22023), so a malformed secret fails the push like every other wrong type.
------------------------------------------------------------------------------

-- iam.idp.config.* (instance: owner_type 0)
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'iam.idp.config.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "styling_type": "COALESCE(multitenant.payload_smallint(e.payload, 'stylingType'), 0)",
	          "auto_register": "COALESCE(multitenant.payload_bool(e.payload, 'autoRegister'), false)",
	          "owner_type": "0"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'iam.idp.config.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "styling_type": "COALESCE(multitenant.payload_smallint(e.payload, 'stylingType'), t.styling_type)",
	          "auto_register": "COALESCE(multitenant.payload_bool(e.payload, 'autoRegister'), t.auto_register)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['name', 'stylingType', 'autoRegister']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'iam.idp.config.deactivated', 'update',
	set => $${"state": "2"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'iam.idp.config.reactivated', 'update',
	set => $${"state": "1"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'iam.idp.config.removed', 'delete',
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'iam.idp.oidc.config.added', 'update',
	set => $${"type": "0"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs_oidc_config', 'iam.idp.oidc.config.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), '')",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), '{}')",
	          "display_name_mapping": "COALESCE(multitenant.payload_smallint(e.payload, 'idpDisplayNameMapping'), 0)",
	          "username_mapping": "COALESCE(multitenant.payload_smallint(e.payload, 'usernameMapping'), 0)",
	          "authorization_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'authorizationEndpoint'), '')",
	          "token_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'tokenEndpoint'), '')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'iam.idp.oidc.config.changed', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'clientSecret', 'issuer', 'authorizationEndpoint', 'tokenEndpoint', 'scopes', 'idpDisplayNameMapping', 'usernameMapping']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs_oidc_config', 'iam.idp.oidc.config.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, t.client_secret)",
	          "issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), t.issuer)",
	          "authorization_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'authorizationEndpoint'), t.authorization_endpoint)",
	          "token_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'tokenEndpoint'), t.token_endpoint)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)",
	          "display_name_mapping": "COALESCE(multitenant.payload_smallint(e.payload, 'idpDisplayNameMapping'), t.display_name_mapping)",
	          "username_mapping": "COALESCE(multitenant.payload_smallint(e.payload, 'usernameMapping'), t.username_mapping)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'clientSecret', 'issuer', 'authorizationEndpoint', 'tokenEndpoint', 'scopes', 'idpDisplayNameMapping', 'usernameMapping']$$);

SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'iam.idp.jwt.config.added', 'update',
	set => $${"type": "2"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs_jwt_config', 'iam.idp.jwt.config.added', 'insert',
	set => $${"endpoint": "COALESCE(multitenant.payload_text(e.payload, 'jwtEndpoint'), '')",
	          "issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), '')",
	          "keys_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'keysEndpoint'), '')",
	          "header_name": "COALESCE(multitenant.payload_text(e.payload, 'headerName'), '')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'iam.idp.jwt.config.changed', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['jwtEndpoint', 'issuer', 'keysEndpoint', 'headerName']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs_jwt_config', 'iam.idp.jwt.config.changed', 'update',
	set => $${"endpoint": "COALESCE(multitenant.payload_text(e.payload, 'jwtEndpoint'), t.endpoint)",
	          "issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), t.issuer)",
	          "keys_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'keysEndpoint'), t.keys_endpoint)",
	          "header_name": "COALESCE(multitenant.payload_text(e.payload, 'headerName'), t.header_name)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['jwtEndpoint', 'issuer', 'keysEndpoint', 'headerName']$$);

-- org.idp.config.* (org: owner_type 1)
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'org.idp.config.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "styling_type": "COALESCE(multitenant.payload_smallint(e.payload, 'stylingType'), 0)",
	          "auto_register": "COALESCE(multitenant.payload_bool(e.payload, 'autoRegister'), false)",
	          "owner_type": "1"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'org.idp.config.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "styling_type": "COALESCE(multitenant.payload_smallint(e.payload, 'stylingType'), t.styling_type)",
	          "auto_register": "COALESCE(multitenant.payload_bool(e.payload, 'autoRegister'), t.auto_register)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['name', 'stylingType', 'autoRegister']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'org.idp.config.deactivated', 'update',
	set => $${"state": "2"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'org.idp.config.reactivated', 'update',
	set => $${"state": "1"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'org.idp.config.removed', 'delete',
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'org.idp.oidc.config.added', 'update',
	set => $${"type": "0"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs_oidc_config', 'org.idp.oidc.config.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), '')",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), '{}')",
	          "display_name_mapping": "COALESCE(multitenant.payload_smallint(e.payload, 'idpDisplayNameMapping'), 0)",
	          "username_mapping": "COALESCE(multitenant.payload_smallint(e.payload, 'usernameMapping'), 0)",
	          "authorization_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'authorizationEndpoint'), '')",
	          "token_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'tokenEndpoint'), '')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'org.idp.oidc.config.changed', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'clientSecret', 'issuer', 'authorizationEndpoint', 'tokenEndpoint', 'scopes', 'idpDisplayNameMapping', 'usernameMapping']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs_oidc_config', 'org.idp.oidc.config.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, t.client_secret)",
	          "issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), t.issuer)",
	          "authorization_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'authorizationEndpoint'), t.authorization_endpoint)",
	          "token_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'tokenEndpoint'), t.token_endpoint)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)",
	          "display_name_mapping": "COALESCE(multitenant.payload_smallint(e.payload, 'idpDisplayNameMapping'), t.display_name_mapping)",
	          "username_mapping": "COALESCE(multitenant.payload_smallint(e.payload, 'usernameMapping'), t.username_mapping)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'clientSecret', 'issuer', 'authorizationEndpoint', 'tokenEndpoint', 'scopes', 'idpDisplayNameMapping', 'usernameMapping']$$);

SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'org.idp.jwt.config.added', 'update',
	set => $${"type": "2"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs_jwt_config', 'org.idp.jwt.config.added', 'insert',
	set => $${"endpoint": "COALESCE(multitenant.payload_text(e.payload, 'jwtEndpoint'), '')",
	          "issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), '')",
	          "keys_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'keysEndpoint'), '')",
	          "header_name": "COALESCE(multitenant.payload_text(e.payload, 'headerName'), '')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'org.idp.jwt.config.changed', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['jwtEndpoint', 'issuer', 'keysEndpoint', 'headerName']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_configs_jwt_config', 'org.idp.jwt.config.changed', 'update',
	set => $${"endpoint": "COALESCE(multitenant.payload_text(e.payload, 'jwtEndpoint'), t.endpoint)",
	          "issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), t.issuer)",
	          "keys_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'keysEndpoint'), t.keys_endpoint)",
	          "header_name": "COALESCE(multitenant.payload_text(e.payload, 'headerName'), t.header_name)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['jwtEndpoint', 'issuer', 'keysEndpoint', 'headerName']$$);

-- Detail rows go with the main row (ON DELETE CASCADE).
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'org.removed', 'delete',
	match => $${"resource_owner": "e.aggregate_id"}$$);

------------------------------------------------------------------------------
-- Reducers: idp_providers (payload idpConfigId).  provider_type comes from the
-- aggregate whose policy holds the link (org 1, instance 0), as in Zitadel; the
-- payload's idpProviderType is not projected.
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.idp_providers', 'instance.policy.login.idpprovider.added', 'insert',
	set => $${"provider_type": "0"}$$,
	match => $${"aggregate_id": "e.aggregate_id",
	          "idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_providers', 'instance.policy.login.idpprovider.removed', 'delete',
	match => $${"aggregate_id": "e.aggregate_id",
	          "idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_providers', 'instance.policy.login.idpprovider.cascade.removed', 'delete',
	match => $${"aggregate_id": "e.aggregate_id",
	          "idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.idp_providers', 'org.policy.login.idpprovider.added', 'insert',
	set => $${"provider_type": "1"}$$,
	match => $${"aggregate_id": "e.aggregate_id",
	          "idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_providers', 'org.policy.login.idpprovider.removed', 'delete',
	match => $${"aggregate_id": "e.aggregate_id",
	          "idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_providers', 'org.policy.login.idpprovider.cascade.removed', 'delete',
	match => $${"aggregate_id": "e.aggregate_id",
	          "idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);

-- Removing an instance IdP removes every link to it in the instance; an org
-- IdP's removal only the links of that org.
SELECT @extschema@.register_reducer('@extschema@.idp_providers', 'iam.idp.config.removed', 'delete',
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_providers', 'org.idp.config.removed', 'delete',
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')",
	          "resource_owner": "e.resource_owner"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_providers', 'instance.idp.removed', 'delete',
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_providers', 'org.idp.removed', 'delete',
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')",
	          "resource_owner": "e.resource_owner"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_providers', 'org.policy.login.removed', 'delete',
	match => $${"aggregate_id": "e.aggregate_id"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_providers', 'org.removed', 'delete',
	match => $${"resource_owner": "e.aggregate_id"}$$);

------------------------------------------------------------------------------
-- Reducers: idp_templates_projection and details (payload id).  Every
-- `<kind>.changed` touches the main row (name and options only when present)
-- and changes the detail row's present keys; `*.added` inserts both rows.
------------------------------------------------------------------------------

-- oauth (type 3)
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.oauth.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "0",
	          "type": "3",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oauth2', 'instance.idp.oauth.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "authorization_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'authorizationEndpoint'), '')",
	          "token_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'tokenEndpoint'), '')",
	          "user_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'userEndpoint'), '')",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')",
	          "id_attribute": "COALESCE(multitenant.payload_text(e.payload, 'idAttribute'), '')",
	          "use_pkce": "COALESCE(multitenant.payload_bool(e.payload, 'usePKCE'), false)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.oauth.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oauth2', 'instance.idp.oauth.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, t.client_secret)",
	          "authorization_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'authorizationEndpoint'), t.authorization_endpoint)",
	          "token_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'tokenEndpoint'), t.token_endpoint)",
	          "user_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'userEndpoint'), t.user_endpoint)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)",
	          "id_attribute": "COALESCE(multitenant.payload_text(e.payload, 'idAttribute'), t.id_attribute)",
	          "use_pkce": "COALESCE(multitenant.payload_bool(e.payload, 'usePKCE'), t.use_pkce)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'clientSecret', 'authorizationEndpoint', 'tokenEndpoint', 'userEndpoint', 'scopes', 'idAttribute', 'usePKCE']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.oauth.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "1",
	          "type": "3",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oauth2', 'org.idp.oauth.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "authorization_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'authorizationEndpoint'), '')",
	          "token_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'tokenEndpoint'), '')",
	          "user_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'userEndpoint'), '')",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')",
	          "id_attribute": "COALESCE(multitenant.payload_text(e.payload, 'idAttribute'), '')",
	          "use_pkce": "COALESCE(multitenant.payload_bool(e.payload, 'usePKCE'), false)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.oauth.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oauth2', 'org.idp.oauth.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, t.client_secret)",
	          "authorization_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'authorizationEndpoint'), t.authorization_endpoint)",
	          "token_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'tokenEndpoint'), t.token_endpoint)",
	          "user_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'userEndpoint'), t.user_endpoint)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)",
	          "id_attribute": "COALESCE(multitenant.payload_text(e.payload, 'idAttribute'), t.id_attribute)",
	          "use_pkce": "COALESCE(multitenant.payload_bool(e.payload, 'usePKCE'), t.use_pkce)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'clientSecret', 'authorizationEndpoint', 'tokenEndpoint', 'userEndpoint', 'scopes', 'idAttribute', 'usePKCE']$$);

-- oidc (type 1)
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.oidc.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "0",
	          "type": "1",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oidc', 'instance.idp.oidc.added', 'insert',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), '')",
	          "client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')",
	          "id_token_mapping": "COALESCE(multitenant.payload_bool(e.payload, 'idTokenMapping'), false)",
	          "use_pkce": "COALESCE(multitenant.payload_bool(e.payload, 'usePKCE'), false)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.oidc.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oidc', 'instance.idp.oidc.changed', 'update',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), t.issuer)",
	          "client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, t.client_secret)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)",
	          "id_token_mapping": "COALESCE(multitenant.payload_bool(e.payload, 'idTokenMapping'), t.id_token_mapping)",
	          "use_pkce": "COALESCE(multitenant.payload_bool(e.payload, 'usePKCE'), t.use_pkce)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['issuer', 'clientId', 'clientSecret', 'scopes', 'idTokenMapping', 'usePKCE']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.oidc.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "1",
	          "type": "1",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oidc', 'org.idp.oidc.added', 'insert',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), '')",
	          "client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')",
	          "id_token_mapping": "COALESCE(multitenant.payload_bool(e.payload, 'idTokenMapping'), false)",
	          "use_pkce": "COALESCE(multitenant.payload_bool(e.payload, 'usePKCE'), false)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.oidc.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oidc', 'org.idp.oidc.changed', 'update',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), t.issuer)",
	          "client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, t.client_secret)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)",
	          "id_token_mapping": "COALESCE(multitenant.payload_bool(e.payload, 'idTokenMapping'), t.id_token_mapping)",
	          "use_pkce": "COALESCE(multitenant.payload_bool(e.payload, 'usePKCE'), t.use_pkce)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['issuer', 'clientId', 'clientSecret', 'scopes', 'idTokenMapping', 'usePKCE']$$);

-- jwt (type 2)
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.jwt.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "0",
	          "type": "2",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_jwt', 'instance.idp.jwt.added', 'insert',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), '')",
	          "jwt_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'jwtEndpoint'), '')",
	          "keys_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'keysEndpoint'), '')",
	          "header_name": "COALESCE(multitenant.payload_text(e.payload, 'headerName'), '')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.jwt.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_jwt', 'instance.idp.jwt.changed', 'update',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), t.issuer)",
	          "jwt_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'jwtEndpoint'), t.jwt_endpoint)",
	          "keys_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'keysEndpoint'), t.keys_endpoint)",
	          "header_name": "COALESCE(multitenant.payload_text(e.payload, 'headerName'), t.header_name)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['issuer', 'jwtEndpoint', 'keysEndpoint', 'headerName']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.jwt.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "1",
	          "type": "2",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_jwt', 'org.idp.jwt.added', 'insert',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), '')",
	          "jwt_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'jwtEndpoint'), '')",
	          "keys_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'keysEndpoint'), '')",
	          "header_name": "COALESCE(multitenant.payload_text(e.payload, 'headerName'), '')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.jwt.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_jwt', 'org.idp.jwt.changed', 'update',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), t.issuer)",
	          "jwt_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'jwtEndpoint'), t.jwt_endpoint)",
	          "keys_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'keysEndpoint'), t.keys_endpoint)",
	          "header_name": "COALESCE(multitenant.payload_text(e.payload, 'headerName'), t.header_name)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['issuer', 'jwtEndpoint', 'keysEndpoint', 'headerName']$$);

-- azure (type 5)
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.azure.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "0",
	          "type": "5",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_azure', 'instance.idp.azure.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'client_secret') WHEN 'object' THEN e.payload -> 'client_secret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'client_secret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')",
	          "tenant": "COALESCE(multitenant.payload_text(e.payload, 'tenant'), '')",
	          "is_email_verified": "COALESCE(multitenant.payload_bool(e.payload, 'isEmailVerified'), false)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.azure.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_azure', 'instance.idp.azure.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'client_secret') WHEN 'object' THEN e.payload -> 'client_secret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'client_secret', 'Crypted')::jsonb END, t.client_secret)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)",
	          "tenant": "COALESCE(multitenant.payload_text(e.payload, 'tenant'), t.tenant)",
	          "is_email_verified": "COALESCE(multitenant.payload_bool(e.payload, 'isEmailVerified'), t.is_email_verified)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['client_id', 'client_secret', 'scopes', 'tenant', 'isEmailVerified']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.azure.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "1",
	          "type": "5",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_azure', 'org.idp.azure.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'client_secret') WHEN 'object' THEN e.payload -> 'client_secret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'client_secret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')",
	          "tenant": "COALESCE(multitenant.payload_text(e.payload, 'tenant'), '')",
	          "is_email_verified": "COALESCE(multitenant.payload_bool(e.payload, 'isEmailVerified'), false)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.azure.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_azure', 'org.idp.azure.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'client_secret') WHEN 'object' THEN e.payload -> 'client_secret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'client_secret', 'Crypted')::jsonb END, t.client_secret)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)",
	          "tenant": "COALESCE(multitenant.payload_text(e.payload, 'tenant'), t.tenant)",
	          "is_email_verified": "COALESCE(multitenant.payload_bool(e.payload, 'isEmailVerified'), t.is_email_verified)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['client_id', 'client_secret', 'scopes', 'tenant', 'isEmailVerified']$$);

-- github (type 6)
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.github.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "0",
	          "type": "6",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_github', 'instance.idp.github.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.github.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_github', 'instance.idp.github.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, t.client_secret)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'clientSecret', 'scopes']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.github.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "1",
	          "type": "6",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_github', 'org.idp.github.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.github.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_github', 'org.idp.github.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, t.client_secret)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'clientSecret', 'scopes']$$);

-- github_enterprise (type 7)
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.github_enterprise.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "0",
	          "type": "7",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_github_enterprise', 'instance.idp.github_enterprise.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "authorization_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'authorizationEndpoint'), '')",
	          "token_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'tokenEndpoint'), '')",
	          "user_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'userEndpoint'), '')",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.github_enterprise.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_github_enterprise', 'instance.idp.github_enterprise.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, t.client_secret)",
	          "authorization_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'authorizationEndpoint'), t.authorization_endpoint)",
	          "token_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'tokenEndpoint'), t.token_endpoint)",
	          "user_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'userEndpoint'), t.user_endpoint)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'clientSecret', 'authorizationEndpoint', 'tokenEndpoint', 'userEndpoint', 'scopes']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.github_enterprise.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "1",
	          "type": "7",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_github_enterprise', 'org.idp.github_enterprise.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "authorization_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'authorizationEndpoint'), '')",
	          "token_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'tokenEndpoint'), '')",
	          "user_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'userEndpoint'), '')",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.github_enterprise.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_github_enterprise', 'org.idp.github_enterprise.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, t.client_secret)",
	          "authorization_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'authorizationEndpoint'), t.authorization_endpoint)",
	          "token_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'tokenEndpoint'), t.token_endpoint)",
	          "user_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'userEndpoint'), t.user_endpoint)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'clientSecret', 'authorizationEndpoint', 'tokenEndpoint', 'userEndpoint', 'scopes']$$);

-- gitlab (type 8)
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.gitlab.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "0",
	          "type": "8",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_gitlab', 'instance.idp.gitlab.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'client_secret') WHEN 'object' THEN e.payload -> 'client_secret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'client_secret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.gitlab.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_gitlab', 'instance.idp.gitlab.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'client_secret') WHEN 'object' THEN e.payload -> 'client_secret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'client_secret', 'Crypted')::jsonb END, t.client_secret)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['client_id', 'client_secret', 'scopes']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.gitlab.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "1",
	          "type": "8",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_gitlab', 'org.idp.gitlab.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'client_secret') WHEN 'object' THEN e.payload -> 'client_secret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'client_secret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.gitlab.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_gitlab', 'org.idp.gitlab.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'client_secret') WHEN 'object' THEN e.payload -> 'client_secret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'client_secret', 'Crypted')::jsonb END, t.client_secret)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['client_id', 'client_secret', 'scopes']$$);

-- gitlab_self_hosted (type 9)
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.gitlab_self_hosted.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "0",
	          "type": "9",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_gitlab_self_hosted', 'instance.idp.gitlab_self_hosted.added', 'insert',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), '')",
	          "client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'client_secret') WHEN 'object' THEN e.payload -> 'client_secret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'client_secret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.gitlab_self_hosted.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_gitlab_self_hosted', 'instance.idp.gitlab_self_hosted.changed', 'update',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), t.issuer)",
	          "client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'client_secret') WHEN 'object' THEN e.payload -> 'client_secret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'client_secret', 'Crypted')::jsonb END, t.client_secret)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['issuer', 'client_id', 'client_secret', 'scopes']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.gitlab_self_hosted.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "1",
	          "type": "9",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_gitlab_self_hosted', 'org.idp.gitlab_self_hosted.added', 'insert',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), '')",
	          "client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'client_secret') WHEN 'object' THEN e.payload -> 'client_secret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'client_secret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.gitlab_self_hosted.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_gitlab_self_hosted', 'org.idp.gitlab_self_hosted.changed', 'update',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), t.issuer)",
	          "client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'client_secret') WHEN 'object' THEN e.payload -> 'client_secret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'client_secret', 'Crypted')::jsonb END, t.client_secret)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['issuer', 'client_id', 'client_secret', 'scopes']$$);

-- google (type 10)
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.google.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "0",
	          "type": "10",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_google', 'instance.idp.google.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.google.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_google', 'instance.idp.google.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, t.client_secret)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'clientSecret', 'scopes']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.google.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "1",
	          "type": "10",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_google', 'org.idp.google.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.google.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_google', 'org.idp.google.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, t.client_secret)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'clientSecret', 'scopes']$$);

-- ldap (type 4)
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.ldap.v2.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "0",
	          "type": "4",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_ldap2', 'instance.idp.ldap.v2.added', 'insert',
	set => $${"servers": "COALESCE(multitenant.payload_text_array(e.payload, 'servers'), '{}')",
	          "start_tls": "COALESCE(multitenant.payload_bool(e.payload, 'startTLS'), false)",
	          "base_dn": "COALESCE(multitenant.payload_text(e.payload, 'baseDN'), '')",
	          "bind_dn": "COALESCE(multitenant.payload_text(e.payload, 'bindDN'), '')",
	          "bind_password": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'bindPassword') WHEN 'object' THEN e.payload -> 'bindPassword' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'bindPassword', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "user_base": "COALESCE(multitenant.payload_text(e.payload, 'userBase'), '')",
	          "user_object_classes": "COALESCE(multitenant.payload_text_array(e.payload, 'userObjectClasses'), '{}')",
	          "user_filters": "COALESCE(multitenant.payload_text_array(e.payload, 'userFilters'), '{}')",
	          "timeout": "COALESCE(multitenant.payload_bigint(e.payload, 'timeout'), 0)",
	          "id_attribute": "COALESCE(multitenant.payload_text(e.payload, 'idAttribute'), '')",
	          "first_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'firstNameAttribute'), '')",
	          "last_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'lastNameAttribute'), '')",
	          "display_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'displayNameAttribute'), '')",
	          "nick_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'nickNameAttribute'), '')",
	          "preferred_username_attribute": "COALESCE(multitenant.payload_text(e.payload, 'preferredUsernameAttribute'), '')",
	          "email_attribute": "COALESCE(multitenant.payload_text(e.payload, 'emailAttribute'), '')",
	          "email_verified": "COALESCE(multitenant.payload_text(e.payload, 'emailVerifiedAttribute'), '')",
	          "phone_attribute": "COALESCE(multitenant.payload_text(e.payload, 'phoneAttribute'), '')",
	          "phone_verified_attribute": "COALESCE(multitenant.payload_text(e.payload, 'phoneVerifiedAttribute'), '')",
	          "preferred_language_attribute": "COALESCE(multitenant.payload_text(e.payload, 'preferredLanguageAttribute'), '')",
	          "avatar_url_attribute": "COALESCE(multitenant.payload_text(e.payload, 'avatarURLAttribute'), '')",
	          "profile_attribute": "COALESCE(multitenant.payload_text(e.payload, 'profileAttribute'), '')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.ldap.v2.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_ldap2', 'instance.idp.ldap.v2.changed', 'update',
	set => $${"servers": "COALESCE(multitenant.payload_text_array(e.payload, 'servers'), t.servers)",
	          "start_tls": "COALESCE(multitenant.payload_bool(e.payload, 'startTLS'), t.start_tls)",
	          "base_dn": "COALESCE(multitenant.payload_text(e.payload, 'baseDN'), t.base_dn)",
	          "bind_dn": "COALESCE(multitenant.payload_text(e.payload, 'bindDN'), t.bind_dn)",
	          "bind_password": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'bindPassword') WHEN 'object' THEN e.payload -> 'bindPassword' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'bindPassword', 'Crypted')::jsonb END, t.bind_password)",
	          "user_base": "COALESCE(multitenant.payload_text(e.payload, 'userBase'), t.user_base)",
	          "user_object_classes": "COALESCE(multitenant.payload_text_array(e.payload, 'userObjectClasses'), t.user_object_classes)",
	          "user_filters": "COALESCE(multitenant.payload_text_array(e.payload, 'userFilters'), t.user_filters)",
	          "timeout": "COALESCE(multitenant.payload_bigint(e.payload, 'timeout'), t.timeout)",
	          "id_attribute": "COALESCE(multitenant.payload_text(e.payload, 'idAttribute'), t.id_attribute)",
	          "first_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'firstNameAttribute'), t.first_name_attribute)",
	          "last_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'lastNameAttribute'), t.last_name_attribute)",
	          "display_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'displayNameAttribute'), t.display_name_attribute)",
	          "nick_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'nickNameAttribute'), t.nick_name_attribute)",
	          "preferred_username_attribute": "COALESCE(multitenant.payload_text(e.payload, 'preferredUsernameAttribute'), t.preferred_username_attribute)",
	          "email_attribute": "COALESCE(multitenant.payload_text(e.payload, 'emailAttribute'), t.email_attribute)",
	          "email_verified": "COALESCE(multitenant.payload_text(e.payload, 'emailVerifiedAttribute'), t.email_verified)",
	          "phone_attribute": "COALESCE(multitenant.payload_text(e.payload, 'phoneAttribute'), t.phone_attribute)",
	          "phone_verified_attribute": "COALESCE(multitenant.payload_text(e.payload, 'phoneVerifiedAttribute'), t.phone_verified_attribute)",
	          "preferred_language_attribute": "COALESCE(multitenant.payload_text(e.payload, 'preferredLanguageAttribute'), t.preferred_language_attribute)",
	          "avatar_url_attribute": "COALESCE(multitenant.payload_text(e.payload, 'avatarURLAttribute'), t.avatar_url_attribute)",
	          "profile_attribute": "COALESCE(multitenant.payload_text(e.payload, 'profileAttribute'), t.profile_attribute)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['servers', 'startTLS', 'baseDN', 'bindDN', 'bindPassword', 'userBase', 'userObjectClasses', 'userFilters', 'timeout', 'idAttribute', 'firstNameAttribute', 'lastNameAttribute', 'displayNameAttribute', 'nickNameAttribute', 'preferredUsernameAttribute', 'emailAttribute', 'emailVerifiedAttribute', 'phoneAttribute', 'phoneVerifiedAttribute', 'preferredLanguageAttribute', 'avatarURLAttribute', 'profileAttribute']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.ldap.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "1",
	          "type": "4",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_ldap2', 'org.idp.ldap.added', 'insert',
	set => $${"servers": "COALESCE(multitenant.payload_text_array(e.payload, 'servers'), '{}')",
	          "start_tls": "COALESCE(multitenant.payload_bool(e.payload, 'startTLS'), false)",
	          "base_dn": "COALESCE(multitenant.payload_text(e.payload, 'baseDN'), '')",
	          "bind_dn": "COALESCE(multitenant.payload_text(e.payload, 'bindDN'), '')",
	          "bind_password": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'bindPassword') WHEN 'object' THEN e.payload -> 'bindPassword' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'bindPassword', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "user_base": "COALESCE(multitenant.payload_text(e.payload, 'userBase'), '')",
	          "user_object_classes": "COALESCE(multitenant.payload_text_array(e.payload, 'userObjectClasses'), '{}')",
	          "user_filters": "COALESCE(multitenant.payload_text_array(e.payload, 'userFilters'), '{}')",
	          "timeout": "COALESCE(multitenant.payload_bigint(e.payload, 'timeout'), 0)",
	          "id_attribute": "COALESCE(multitenant.payload_text(e.payload, 'idAttribute'), '')",
	          "first_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'firstNameAttribute'), '')",
	          "last_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'lastNameAttribute'), '')",
	          "display_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'displayNameAttribute'), '')",
	          "nick_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'nickNameAttribute'), '')",
	          "preferred_username_attribute": "COALESCE(multitenant.payload_text(e.payload, 'preferredUsernameAttribute'), '')",
	          "email_attribute": "COALESCE(multitenant.payload_text(e.payload, 'emailAttribute'), '')",
	          "email_verified": "COALESCE(multitenant.payload_text(e.payload, 'emailVerifiedAttribute'), '')",
	          "phone_attribute": "COALESCE(multitenant.payload_text(e.payload, 'phoneAttribute'), '')",
	          "phone_verified_attribute": "COALESCE(multitenant.payload_text(e.payload, 'phoneVerifiedAttribute'), '')",
	          "preferred_language_attribute": "COALESCE(multitenant.payload_text(e.payload, 'preferredLanguageAttribute'), '')",
	          "avatar_url_attribute": "COALESCE(multitenant.payload_text(e.payload, 'avatarURLAttribute'), '')",
	          "profile_attribute": "COALESCE(multitenant.payload_text(e.payload, 'profileAttribute'), '')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.ldap.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_ldap2', 'org.idp.ldap.changed', 'update',
	set => $${"servers": "COALESCE(multitenant.payload_text_array(e.payload, 'servers'), t.servers)",
	          "start_tls": "COALESCE(multitenant.payload_bool(e.payload, 'startTLS'), t.start_tls)",
	          "base_dn": "COALESCE(multitenant.payload_text(e.payload, 'baseDN'), t.base_dn)",
	          "bind_dn": "COALESCE(multitenant.payload_text(e.payload, 'bindDN'), t.bind_dn)",
	          "bind_password": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'bindPassword') WHEN 'object' THEN e.payload -> 'bindPassword' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'bindPassword', 'Crypted')::jsonb END, t.bind_password)",
	          "user_base": "COALESCE(multitenant.payload_text(e.payload, 'userBase'), t.user_base)",
	          "user_object_classes": "COALESCE(multitenant.payload_text_array(e.payload, 'userObjectClasses'), t.user_object_classes)",
	          "user_filters": "COALESCE(multitenant.payload_text_array(e.payload, 'userFilters'), t.user_filters)",
	          "timeout": "COALESCE(multitenant.payload_bigint(e.payload, 'timeout'), t.timeout)",
	          "id_attribute": "COALESCE(multitenant.payload_text(e.payload, 'idAttribute'), t.id_attribute)",
	          "first_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'firstNameAttribute'), t.first_name_attribute)",
	          "last_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'lastNameAttribute'), t.last_name_attribute)",
	          "display_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'displayNameAttribute'), t.display_name_attribute)",
	          "nick_name_attribute": "COALESCE(multitenant.payload_text(e.payload, 'nickNameAttribute'), t.nick_name_attribute)",
	          "preferred_username_attribute": "COALESCE(multitenant.payload_text(e.payload, 'preferredUsernameAttribute'), t.preferred_username_attribute)",
	          "email_attribute": "COALESCE(multitenant.payload_text(e.payload, 'emailAttribute'), t.email_attribute)",
	          "email_verified": "COALESCE(multitenant.payload_text(e.payload, 'emailVerifiedAttribute'), t.email_verified)",
	          "phone_attribute": "COALESCE(multitenant.payload_text(e.payload, 'phoneAttribute'), t.phone_attribute)",
	          "phone_verified_attribute": "COALESCE(multitenant.payload_text(e.payload, 'phoneVerifiedAttribute'), t.phone_verified_attribute)",
	          "preferred_language_attribute": "COALESCE(multitenant.payload_text(e.payload, 'preferredLanguageAttribute'), t.preferred_language_attribute)",
	          "avatar_url_attribute": "COALESCE(multitenant.payload_text(e.payload, 'avatarURLAttribute'), t.avatar_url_attribute)",
	          "profile_attribute": "COALESCE(multitenant.payload_text(e.payload, 'profileAttribute'), t.profile_attribute)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['servers', 'startTLS', 'baseDN', 'bindDN', 'bindPassword', 'userBase', 'userObjectClasses', 'userFilters', 'timeout', 'idAttribute', 'firstNameAttribute', 'lastNameAttribute', 'displayNameAttribute', 'nickNameAttribute', 'preferredUsernameAttribute', 'emailAttribute', 'emailVerifiedAttribute', 'phoneAttribute', 'phoneVerifiedAttribute', 'preferredLanguageAttribute', 'avatarURLAttribute', 'profileAttribute']$$);

-- apple (type 11)
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.apple.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "0",
	          "type": "11",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_apple', 'instance.idp.apple.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "team_id": "COALESCE(multitenant.payload_text(e.payload, 'teamId'), '')",
	          "key_id": "COALESCE(multitenant.payload_text(e.payload, 'keyId'), '')",
	          "private_key": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'privateKey') WHEN 'object' THEN e.payload -> 'privateKey' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'privateKey', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.apple.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_apple', 'instance.idp.apple.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "team_id": "COALESCE(multitenant.payload_text(e.payload, 'teamId'), t.team_id)",
	          "key_id": "COALESCE(multitenant.payload_text(e.payload, 'keyId'), t.key_id)",
	          "private_key": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'privateKey') WHEN 'object' THEN e.payload -> 'privateKey' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'privateKey', 'Crypted')::jsonb END, t.private_key)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'teamId', 'keyId', 'privateKey', 'scopes']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.apple.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "1",
	          "type": "11",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_apple', 'org.idp.apple.added', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "team_id": "COALESCE(multitenant.payload_text(e.payload, 'teamId'), '')",
	          "key_id": "COALESCE(multitenant.payload_text(e.payload, 'keyId'), '')",
	          "private_key": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'privateKey') WHEN 'object' THEN e.payload -> 'privateKey' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'privateKey', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.apple.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_apple', 'org.idp.apple.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "team_id": "COALESCE(multitenant.payload_text(e.payload, 'teamId'), t.team_id)",
	          "key_id": "COALESCE(multitenant.payload_text(e.payload, 'keyId'), t.key_id)",
	          "private_key": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'privateKey') WHEN 'object' THEN e.payload -> 'privateKey' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'privateKey', 'Crypted')::jsonb END, t.private_key)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'teamId', 'keyId', 'privateKey', 'scopes']$$);

-- saml (type 12)
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.saml.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "0",
	          "type": "12",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_saml', 'instance.idp.saml.added', 'insert',
	set => $${"metadata": "COALESCE(multitenant.payload_bytea(e.payload, 'metadata'), ''::bytea)",
	          "key": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'key') WHEN 'object' THEN e.payload -> 'key' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'key', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "certificate": "COALESCE(multitenant.payload_bytea(e.payload, 'certificate'), ''::bytea)",
	          "binding": "COALESCE(multitenant.payload_text(e.payload, 'binding'), '')",
	          "with_signed_request": "COALESCE(multitenant.payload_bool(e.payload, 'withSignedRequest'), false)",
	          "name_id_format": "multitenant.payload_smallint(e.payload, 'nameIDFormat')",
	          "transient_mapping_attribute_name": "COALESCE(multitenant.payload_text(e.payload, 'transientMappingAttributeName'), '')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.saml.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_saml', 'instance.idp.saml.changed', 'update',
	set => $${"metadata": "COALESCE(multitenant.payload_bytea(e.payload, 'metadata'), t.metadata)",
	          "key": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'key') WHEN 'object' THEN e.payload -> 'key' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'key', 'Crypted')::jsonb END, t.key)",
	          "certificate": "COALESCE(multitenant.payload_bytea(e.payload, 'certificate'), t.certificate)",
	          "binding": "COALESCE(multitenant.payload_text(e.payload, 'binding'), t.binding)",
	          "with_signed_request": "COALESCE(multitenant.payload_bool(e.payload, 'withSignedRequest'), t.with_signed_request)",
	          "name_id_format": "COALESCE(multitenant.payload_smallint(e.payload, 'nameIDFormat'), t.name_id_format)",
	          "transient_mapping_attribute_name": "COALESCE(multitenant.payload_text(e.payload, 'transientMappingAttributeName'), t.transient_mapping_attribute_name)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['metadata', 'key', 'certificate', 'binding', 'withSignedRequest', 'nameIDFormat', 'transientMappingAttributeName']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.saml.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "1",
	          "type": "12",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_saml', 'org.idp.saml.added', 'insert',
	set => $${"metadata": "COALESCE(multitenant.payload_bytea(e.payload, 'metadata'), ''::bytea)",
	          "key": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'key') WHEN 'object' THEN e.payload -> 'key' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'key', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "certificate": "COALESCE(multitenant.payload_bytea(e.payload, 'certificate'), ''::bytea)",
	          "binding": "COALESCE(multitenant.payload_text(e.payload, 'binding'), '')",
	          "with_signed_request": "COALESCE(multitenant.payload_bool(e.payload, 'withSignedRequest'), false)",
	          "name_id_format": "multitenant.payload_smallint(e.payload, 'nameIDFormat')",
	          "transient_mapping_attribute_name": "COALESCE(multitenant.payload_text(e.payload, 'transientMappingAttributeName'), '')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.saml.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), t.is_creation_allowed)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), t.is_linking_allowed)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), t.is_auto_creation)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), t.is_auto_update)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), t.auto_linking)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_saml', 'org.idp.saml.changed', 'update',
	set => $${"metadata": "COALESCE(multitenant.payload_bytea(e.payload, 'metadata'), t.metadata)",
	          "key": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'key') WHEN 'object' THEN e.payload -> 'key' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'key', 'Crypted')::jsonb END, t.key)",
	          "certificate": "COALESCE(multitenant.payload_bytea(e.payload, 'certificate'), t.certificate)",
	          "binding": "COALESCE(multitenant.payload_text(e.payload, 'binding'), t.binding)",
	          "with_signed_request": "COALESCE(multitenant.payload_bool(e.payload, 'withSignedRequest'), t.with_signed_request)",
	          "name_id_format": "COALESCE(multitenant.payload_smallint(e.payload, 'nameIDFormat'), t.name_id_format)",
	          "transient_mapping_attribute_name": "COALESCE(multitenant.payload_text(e.payload, 'transientMappingAttributeName'), t.transient_mapping_attribute_name)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['metadata', 'key', 'certificate', 'binding', 'withSignedRequest', 'nameIDFormat', 'transientMappingAttributeName']$$);

-- An OIDC IdP migrated to Azure AD / Google: the main row takes the new type,
-- name and options (as the payload states them), the OIDC row is replaced.
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.oidc.migrated.azure', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "type": "5",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oidc', 'instance.idp.oidc.migrated.azure', 'delete',
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_azure', 'instance.idp.oidc.migrated.azure', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'client_secret') WHEN 'object' THEN e.payload -> 'client_secret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'client_secret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')",
	          "tenant": "COALESCE(multitenant.payload_text(e.payload, 'tenant'), '')",
	          "is_email_verified": "COALESCE(multitenant.payload_bool(e.payload, 'isEmailVerified'), false)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.oidc.migrated.google', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "type": "10",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oidc', 'instance.idp.oidc.migrated.google', 'delete',
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_google', 'instance.idp.oidc.migrated.google', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.oidc.migrated.azure', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "type": "5",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oidc', 'org.idp.oidc.migrated.azure', 'delete',
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_azure', 'org.idp.oidc.migrated.azure', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'client_secret') WHEN 'object' THEN e.payload -> 'client_secret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'client_secret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')",
	          "tenant": "COALESCE(multitenant.payload_text(e.payload, 'tenant'), '')",
	          "is_email_verified": "COALESCE(multitenant.payload_bool(e.payload, 'isEmailVerified'), false)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.oidc.migrated.google', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "type": "10",
	          "is_creation_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isCreationAllowed'), false)",
	          "is_linking_allowed": "COALESCE(multitenant.payload_bool(e.payload, 'isLinkingAllowed'), false)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoCreation'), false)",
	          "is_auto_update": "COALESCE(multitenant.payload_bool(e.payload, 'isAutoUpdate'), false)",
	          "auto_linking": "COALESCE(multitenant.payload_smallint(e.payload, 'autoLinkingOption'), 0)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oidc', 'org.idp.oidc.migrated.google', 'delete',
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_google', 'org.idp.oidc.migrated.google', 'insert',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'id')"}$$);

-- Legacy IdP configs appear as templates: type 0 until their OIDC / JWT config
-- sets 1 / 2; creation and linking allowed, auto creation = autoRegister.
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'iam.idp.config.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "0",
	          "type": "0",
	          "is_creation_allowed": "true",
	          "is_linking_allowed": "true",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'autoRegister'), false)",
	          "is_auto_update": "false",
	          "auto_linking": "0"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'iam.idp.config.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'autoRegister'), t.is_auto_creation)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'iam.idp.oidc.config.added', 'update',
	set => $${"type": "1"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oidc', 'iam.idp.oidc.config.added', 'insert',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), '')",
	          "client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')",
	          "id_token_mapping": "true",
	          "use_pkce": "false"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'iam.idp.oidc.config.changed', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oidc', 'iam.idp.oidc.config.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, t.client_secret)",
	          "issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), t.issuer)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'clientSecret', 'issuer', 'scopes']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'iam.idp.jwt.config.added', 'update',
	set => $${"type": "2"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_jwt', 'iam.idp.jwt.config.added', 'insert',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), '')",
	          "jwt_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'jwtEndpoint'), '')",
	          "keys_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'keysEndpoint'), '')",
	          "header_name": "COALESCE(multitenant.payload_text(e.payload, 'headerName'), '')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'iam.idp.jwt.config.changed', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_jwt', 'iam.idp.jwt.config.changed', 'update',
	set => $${"jwt_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'jwtEndpoint'), t.jwt_endpoint)",
	          "keys_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'keysEndpoint'), t.keys_endpoint)",
	          "header_name": "COALESCE(multitenant.payload_text(e.payload, 'headerName'), t.header_name)",
	          "issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), t.issuer)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['jwtEndpoint', 'issuer', 'keysEndpoint', 'headerName']$$);

SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.config.added', 'insert',
	set => $${"state": "1",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "owner_type": "1",
	          "type": "0",
	          "is_creation_allowed": "true",
	          "is_linking_allowed": "true",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'autoRegister'), false)",
	          "is_auto_update": "false",
	          "auto_linking": "0"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.config.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "is_auto_creation": "COALESCE(multitenant.payload_bool(e.payload, 'autoRegister'), t.is_auto_creation)"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.oidc.config.added', 'update',
	set => $${"type": "1"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oidc', 'org.idp.oidc.config.added', 'insert',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), '')",
	          "client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), '')",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, 'null'::jsonb)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')",
	          "id_token_mapping": "true",
	          "use_pkce": "false"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.oidc.config.changed', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oidc', 'org.idp.oidc.config.changed', 'update',
	set => $${"client_id": "COALESCE(multitenant.payload_text(e.payload, 'clientId'), t.client_id)",
	          "client_secret": "COALESCE(CASE pg_catalog.jsonb_typeof(e.payload -> 'clientSecret') WHEN 'object' THEN e.payload -> 'clientSecret' WHEN 'null' THEN NULL ELSE multitenant.payload_text(e.payload -> 'clientSecret', 'Crypted')::jsonb END, t.client_secret)",
	          "issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), t.issuer)",
	          "scopes": "COALESCE(multitenant.payload_text_array(e.payload, 'scopes'), t.scopes)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['clientId', 'clientSecret', 'issuer', 'scopes']$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.jwt.config.added', 'update',
	set => $${"type": "2"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_jwt', 'org.idp.jwt.config.added', 'insert',
	set => $${"issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), '')",
	          "jwt_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'jwtEndpoint'), '')",
	          "keys_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'keysEndpoint'), '')",
	          "header_name": "COALESCE(multitenant.payload_text(e.payload, 'headerName'), '')"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.jwt.config.changed', 'update',
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_jwt', 'org.idp.jwt.config.changed', 'update',
	set => $${"jwt_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'jwtEndpoint'), t.jwt_endpoint)",
	          "keys_endpoint": "COALESCE(multitenant.payload_text(e.payload, 'keysEndpoint'), t.keys_endpoint)",
	          "header_name": "COALESCE(multitenant.payload_text(e.payload, 'headerName'), t.header_name)",
	          "issuer": "COALESCE(multitenant.payload_text(e.payload, 'issuer'), t.issuer)"}$$,
	match => $${"idp_id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['jwtEndpoint', 'issuer', 'keysEndpoint', 'headerName']$$);

-- Detail rows go with the main row (ON DELETE CASCADE).
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'iam.idp.config.removed', 'delete',
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.config.removed', 'delete',
	match => $${"id": "multitenant.payload_text(e.payload, 'idpConfigId')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.idp.removed', 'delete',
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.idp.removed', 'delete',
	match => $${"id": "multitenant.payload_text(e.payload, 'id')"}$$);
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'org.removed', 'delete',
	match => $${"resource_owner": "e.aggregate_id"}$$);
