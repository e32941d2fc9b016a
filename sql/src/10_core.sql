/*
 * Core projections: instances, organizations, projects and applications
 * (with their API, OIDC and SAML configurations), each table followed by its
 * indexes, isolation, grants and reducers.
 *
 * Tables follow Zitadel's projections: every column NOT NULL unless Zitadel's
 * is nullable, enums as smallint, Go time.Duration as bigint nanoseconds, Go
 * []byte as bytea.  Every primary key and secondary index is led by
 * instance_id.
 *
 * Reducers reproduce Zitadel's statements.  Payload keys are read only
 * through the typed accessors, so a key of the wrong JSON type fails the push
 * (SQLSTATE 22023) instead of being coerced.  Where Zitadel decodes an absent
 * key into a Go zero value and stores it in a NOT NULL column, the reducer
 * does the same with COALESCE ('' / 0 / false / '{}').
 */

------------------------------------------------------------------------------
-- instances_projection (Zitadel projections.instances)
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
-- orgs_projection (Zitadel projections.orgs1)
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
-- projects_projection (Zitadel projections.projects4)
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
-- applications_projection (Zitadel projections.apps7) and its detail
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
	          "client_secret": "COALESCE(COALESCE(multitenant.payload_utf8(NULLIF(e.payload -> 'clientSecret', 'null'), 'Crypted'), multitenant.payload_utf8(NULLIF(e.payload -> 'clientSecret', 'null'), 'crypted')), multitenant.payload_text(e.payload, 'hashedSecret'))",
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
	set => $${"client_secret": "COALESCE(COALESCE(multitenant.payload_utf8(NULLIF(e.payload -> 'clientSecret', 'null'), 'Crypted'), multitenant.payload_utf8(NULLIF(e.payload -> 'clientSecret', 'null'), 'crypted')), multitenant.payload_text(e.payload, 'hashedSecret'))"}$$,
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
	          "client_secret": "COALESCE(COALESCE(multitenant.payload_utf8(NULLIF(e.payload -> 'clientSecret', 'null'), 'Crypted'), multitenant.payload_utf8(NULLIF(e.payload -> 'clientSecret', 'null'), 'crypted')), multitenant.payload_text(e.payload, 'hashedSecret'))",
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
	set => $${"client_secret": "COALESCE(COALESCE(multitenant.payload_utf8(NULLIF(e.payload -> 'clientSecret', 'null'), 'Crypted'), multitenant.payload_utf8(NULLIF(e.payload -> 'clientSecret', 'null'), 'crypted')), multitenant.payload_text(e.payload, 'hashedSecret'))"}$$,
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
