/*
 * Identity providers: the legacy IdP configs (with their OIDC and JWT
 * configurations), the IdPs linked to login policies, and the IdP templates
 * with one detail table per kind; each table is followed by its indexes,
 * isolation, grants and reducers.
 *
 * These tables were single-tenant before version 1.1 adopted them
 * (adopt_table), and their columns keep the order that left: the tenant
 * columns Zitadel's table lacks (instance_id, change_date, resource_owner,
 * sequence) come after Zitadel's own, instance_id defaults to the current
 * tenant and change_date is nullable.  The order is part of the tables' row
 * types, so a fresh install creates them the same way.  Keys and indexes are
 * led by instance_id and foreign keys include it.  The reducers never name
 * the tenant: the engine adds it to every match and fills the standard
 * columns (instance_id, change_date, resource_owner, sequence) that exist.
 *
 * Instance-level legacy IdP configs are written on aggregate `instance` with
 * the event prefix `iam.`; everything else uses `instance.` / `org.`.
 * owner_type / provider_type (IdentityProviderType): 0 system (instance), 1 org.
 * CryptoValue payload objects (client secrets, bind password, private and
 * signing keys) are stored as they are, as jsonb.  Absent keys become the Go
 * zero value where Zitadel stores one in a NOT NULL column ('' / false / 0 /
 * '{}'; JSON null for a CryptoValue, '' for bytes).
 */

------------------------------------------------------------------------------
-- idp_configs (Zitadel projections.idps3) and its detail tables.
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
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	CONSTRAINT idp_configs_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT idp_configs_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- org.removed deletes by resource_owner.
CREATE INDEX idp_configs_resource_owner_idx ON @extschema@.idp_configs (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_configs');
GRANT SELECT ON @extschema@.idp_configs TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_configs', '');

-- OIDCMappingField (display_name_mapping, username_mapping): 0 unspecified,
-- 1 preferred_username, 2 email.
CREATE TABLE @extschema@.idp_configs_oidc_config (
	idp_id                 text        NOT NULL,
	client_id              text        NOT NULL,
	client_secret          jsonb       NOT NULL,
	issuer                 text        NOT NULL,
	scopes                 text[]      NOT NULL,
	display_name_mapping   smallint    NOT NULL,
	username_mapping       smallint    NOT NULL,
	authorization_endpoint text        NOT NULL,
	token_endpoint         text        NOT NULL,
	instance_id            text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date            timestamptz,
	resource_owner         text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence               bigint      NOT NULL DEFAULT 0,
	CONSTRAINT idp_configs_oidc_config_pkey PRIMARY KEY (instance_id, idp_id),
	CONSTRAINT idp_configs_oidc_config_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT idp_configs_oidc_config_idp_id_fkey FOREIGN KEY (instance_id, idp_id)
		REFERENCES @extschema@.idp_configs (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_configs_oidc_config');
GRANT SELECT ON @extschema@.idp_configs_oidc_config TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_configs_oidc_config', '');

CREATE TABLE @extschema@.idp_configs_jwt_config (
	idp_id         text        NOT NULL,
	issuer         text        NOT NULL,
	keys_endpoint  text        NOT NULL,
	header_name    text        NOT NULL,
	endpoint       text        NOT NULL,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	resource_owner text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence       bigint      NOT NULL DEFAULT 0,
	CONSTRAINT idp_configs_jwt_config_pkey PRIMARY KEY (instance_id, idp_id),
	CONSTRAINT idp_configs_jwt_config_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT idp_configs_jwt_config_idp_id_fkey FOREIGN KEY (instance_id, idp_id)
		REFERENCES @extschema@.idp_configs (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_configs_jwt_config');
GRANT SELECT ON @extschema@.idp_configs_jwt_config TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_configs_jwt_config', '');

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

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.idp_configs', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.idp_configs_jwt_config', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.idp_configs_oidc_config', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- idp_providers (Zitadel projections.idp_login_policy_links5): the IdPs
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
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	CONSTRAINT idp_providers_pkey PRIMARY KEY (instance_id, aggregate_id, idp_id),
	CONSTRAINT idp_providers_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- Removing an IdP deletes its links by idp_id.
CREATE INDEX idp_providers_idp_id_idx ON @extschema@.idp_providers (instance_id, idp_id);
-- org.removed (and an org IdP's removal) delete by resource_owner.
CREATE INDEX idp_providers_resource_owner_idx ON @extschema@.idp_providers (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_providers');
GRANT SELECT ON @extschema@.idp_providers TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_providers', '');

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

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.idp_providers', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- idp_templates_projection (Zitadel projections.idp_templates6) and its 12
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
	instance_id         text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date         timestamptz,
	CONSTRAINT idp_templates_projection_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT idp_templates_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- org.removed deletes by resource_owner.
CREATE INDEX idp_templates_projection_resource_owner_idx ON @extschema@.idp_templates_projection (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_templates_projection');
GRANT SELECT ON @extschema@.idp_templates_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection', '');

-- OAuth 2.0 IdPs.
CREATE TABLE @extschema@.idp_templates_projection_oauth2 (
	idp_id                 text        NOT NULL,
	client_id              text        NOT NULL,
	client_secret          jsonb       NOT NULL,
	authorization_endpoint text        NOT NULL,
	token_endpoint         text        NOT NULL,
	user_endpoint          text        NOT NULL,
	scopes                 text[],
	id_attribute           text        NOT NULL,
	use_pkce               boolean     NOT NULL DEFAULT false,
	instance_id            text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date            timestamptz,
	resource_owner         text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence               bigint      NOT NULL DEFAULT 0,
	CONSTRAINT idp_templates_projection_oauth2_pkey PRIMARY KEY (instance_id, idp_id),
	CONSTRAINT idp_templates_projection_oauth2_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT idp_templates_projection_oauth2_idp_id_fkey FOREIGN KEY (instance_id, idp_id)
		REFERENCES @extschema@.idp_templates_projection (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_templates_projection_oauth2');
GRANT SELECT ON @extschema@.idp_templates_projection_oauth2 TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_oauth2', '');

-- Generic OIDC IdPs (and legacy OIDC configs).
CREATE TABLE @extschema@.idp_templates_projection_oidc (
	idp_id           text        NOT NULL,
	issuer           text        NOT NULL,
	client_id        text        NOT NULL,
	client_secret    jsonb       NOT NULL,
	scopes           text[],
	id_token_mapping boolean     NOT NULL DEFAULT false,
	use_pkce         boolean     NOT NULL DEFAULT false,
	instance_id      text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date      timestamptz,
	resource_owner   text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence         bigint      NOT NULL DEFAULT 0,
	CONSTRAINT idp_templates_projection_oidc_pkey PRIMARY KEY (instance_id, idp_id),
	CONSTRAINT idp_templates_projection_oidc_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT idp_templates_projection_oidc_idp_id_fkey FOREIGN KEY (instance_id, idp_id)
		REFERENCES @extschema@.idp_templates_projection (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_templates_projection_oidc');
GRANT SELECT ON @extschema@.idp_templates_projection_oidc TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_oidc', '');

-- JWT IdPs (and legacy JWT configs).  header_name is nullable as in Zitadel.
CREATE TABLE @extschema@.idp_templates_projection_jwt (
	idp_id         text        NOT NULL,
	issuer         text        NOT NULL,
	jwt_endpoint   text        NOT NULL,
	keys_endpoint  text        NOT NULL,
	header_name    text,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	resource_owner text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence       bigint      NOT NULL DEFAULT 0,
	CONSTRAINT idp_templates_projection_jwt_pkey PRIMARY KEY (instance_id, idp_id),
	CONSTRAINT idp_templates_projection_jwt_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT idp_templates_projection_jwt_idp_id_fkey FOREIGN KEY (instance_id, idp_id)
		REFERENCES @extschema@.idp_templates_projection (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_templates_projection_jwt');
GRANT SELECT ON @extschema@.idp_templates_projection_jwt TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_jwt', '');

-- Azure AD IdPs (payload keys client_id / client_secret are snake_case).
CREATE TABLE @extschema@.idp_templates_projection_azure (
	idp_id            text        NOT NULL,
	client_id         text        NOT NULL,
	client_secret     jsonb       NOT NULL,
	scopes            text[],
	tenant            text,
	is_email_verified boolean     NOT NULL DEFAULT false,
	instance_id       text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date       timestamptz,
	resource_owner    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence          bigint      NOT NULL DEFAULT 0,
	CONSTRAINT idp_templates_projection_azure_pkey PRIMARY KEY (instance_id, idp_id),
	CONSTRAINT idp_templates_projection_azure_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT idp_templates_projection_azure_idp_id_fkey FOREIGN KEY (instance_id, idp_id)
		REFERENCES @extschema@.idp_templates_projection (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_templates_projection_azure');
GRANT SELECT ON @extschema@.idp_templates_projection_azure TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_azure', '');

-- GitHub IdPs.
CREATE TABLE @extschema@.idp_templates_projection_github (
	idp_id         text        NOT NULL,
	client_id      text        NOT NULL,
	client_secret  jsonb       NOT NULL,
	scopes         text[],
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	resource_owner text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence       bigint      NOT NULL DEFAULT 0,
	CONSTRAINT idp_templates_projection_github_pkey PRIMARY KEY (instance_id, idp_id),
	CONSTRAINT idp_templates_projection_github_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT idp_templates_projection_github_idp_id_fkey FOREIGN KEY (instance_id, idp_id)
		REFERENCES @extschema@.idp_templates_projection (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_templates_projection_github');
GRANT SELECT ON @extschema@.idp_templates_projection_github TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_github', '');

-- GitHub Enterprise Server IdPs.
CREATE TABLE @extschema@.idp_templates_projection_github_enterprise (
	idp_id                 text        NOT NULL,
	client_id              text        NOT NULL,
	client_secret          jsonb       NOT NULL,
	authorization_endpoint text        NOT NULL,
	token_endpoint         text        NOT NULL,
	user_endpoint          text        NOT NULL,
	scopes                 text[],
	instance_id            text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date            timestamptz,
	resource_owner         text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence               bigint      NOT NULL DEFAULT 0,
	CONSTRAINT idp_templates_projection_github_enterprise_pkey PRIMARY KEY (instance_id, idp_id),
	CONSTRAINT idp_templates_projection_github_enterprise_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT idp_templates_projection_github_enterprise_idp_id_fkey FOREIGN KEY (instance_id, idp_id)
		REFERENCES @extschema@.idp_templates_projection (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_templates_projection_github_enterprise');
GRANT SELECT ON @extschema@.idp_templates_projection_github_enterprise TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_github_enterprise', '');

-- GitLab IdPs (payload keys client_id / client_secret are snake_case).
CREATE TABLE @extschema@.idp_templates_projection_gitlab (
	idp_id         text        NOT NULL,
	client_id      text        NOT NULL,
	client_secret  jsonb       NOT NULL,
	scopes         text[],
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	resource_owner text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence       bigint      NOT NULL DEFAULT 0,
	CONSTRAINT idp_templates_projection_gitlab_pkey PRIMARY KEY (instance_id, idp_id),
	CONSTRAINT idp_templates_projection_gitlab_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT idp_templates_projection_gitlab_idp_id_fkey FOREIGN KEY (instance_id, idp_id)
		REFERENCES @extschema@.idp_templates_projection (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_templates_projection_gitlab');
GRANT SELECT ON @extschema@.idp_templates_projection_gitlab TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_gitlab', '');

-- Self-hosted GitLab IdPs (snake_case client_id / client_secret).
CREATE TABLE @extschema@.idp_templates_projection_gitlab_self_hosted (
	idp_id         text        NOT NULL,
	issuer         text        NOT NULL,
	client_id      text        NOT NULL,
	client_secret  jsonb       NOT NULL,
	scopes         text[],
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	resource_owner text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence       bigint      NOT NULL DEFAULT 0,
	CONSTRAINT idp_templates_projection_gitlab_self_hosted_pkey PRIMARY KEY (instance_id, idp_id),
	CONSTRAINT idp_templates_projection_gitlab_self_hosted_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT idp_templates_projection_gitlab_self_hosted_idp_id_fkey FOREIGN KEY (instance_id, idp_id)
		REFERENCES @extschema@.idp_templates_projection (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_templates_projection_gitlab_self_hosted');
GRANT SELECT ON @extschema@.idp_templates_projection_gitlab_self_hosted TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_gitlab_self_hosted', '');

-- Google IdPs.
CREATE TABLE @extschema@.idp_templates_projection_google (
	idp_id         text        NOT NULL,
	client_id      text        NOT NULL,
	client_secret  jsonb       NOT NULL,
	scopes         text[],
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	resource_owner text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence       bigint      NOT NULL DEFAULT 0,
	CONSTRAINT idp_templates_projection_google_pkey PRIMARY KEY (instance_id, idp_id),
	CONSTRAINT idp_templates_projection_google_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT idp_templates_projection_google_idp_id_fkey FOREIGN KEY (instance_id, idp_id)
		REFERENCES @extschema@.idp_templates_projection (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_templates_projection_google');
GRANT SELECT ON @extschema@.idp_templates_projection_google TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_google', '');

-- LDAP IdPs.  timeout in nanoseconds (Go time.Duration); the attribute
-- mapping columns are nullable as in Zitadel.
CREATE TABLE @extschema@.idp_templates_projection_ldap2 (
	idp_id                       text        NOT NULL,
	servers                      text[]      NOT NULL,
	start_tls                    boolean     NOT NULL,
	base_dn                      text        NOT NULL,
	bind_dn                      text        NOT NULL,
	bind_password                jsonb       NOT NULL,
	user_base                    text        NOT NULL,
	user_object_classes          text[]      NOT NULL,
	user_filters                 text[]      NOT NULL,
	timeout                      bigint      NOT NULL,
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
	instance_id                  text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date                  timestamptz,
	resource_owner               text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence                     bigint      NOT NULL DEFAULT 0,
	CONSTRAINT idp_templates_projection_ldap2_pkey PRIMARY KEY (instance_id, idp_id),
	CONSTRAINT idp_templates_projection_ldap2_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT idp_templates_projection_ldap2_idp_id_fkey FOREIGN KEY (instance_id, idp_id)
		REFERENCES @extschema@.idp_templates_projection (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_templates_projection_ldap2');
GRANT SELECT ON @extschema@.idp_templates_projection_ldap2 TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_ldap2', '');

-- Sign in with Apple.
CREATE TABLE @extschema@.idp_templates_projection_apple (
	idp_id         text        NOT NULL,
	client_id      text        NOT NULL,
	team_id        text        NOT NULL,
	key_id         text        NOT NULL,
	private_key    jsonb       NOT NULL,
	scopes         text[],
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	resource_owner text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence       bigint      NOT NULL DEFAULT 0,
	CONSTRAINT idp_templates_projection_apple_pkey PRIMARY KEY (instance_id, idp_id),
	CONSTRAINT idp_templates_projection_apple_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT idp_templates_projection_apple_idp_id_fkey FOREIGN KEY (instance_id, idp_id)
		REFERENCES @extschema@.idp_templates_projection (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_templates_projection_apple');
GRANT SELECT ON @extschema@.idp_templates_projection_apple TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_apple', '');

-- SAML IdPs.  metadata and certificate are bytes (base64 in the payload);
-- name_id_format (SAMLNameIDFormat): 0 unspecified, 1 email address,
-- 2 persistent, 3 transient.
CREATE TABLE @extschema@.idp_templates_projection_saml (
	idp_id                           text        NOT NULL,
	metadata                         bytea       NOT NULL,
	key                              jsonb       NOT NULL,
	certificate                      bytea       NOT NULL,
	binding                          text,
	with_signed_request              boolean,
	name_id_format                   smallint,
	transient_mapping_attribute_name text,
	instance_id                      text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date                      timestamptz,
	resource_owner                   text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence                         bigint      NOT NULL DEFAULT 0,
	CONSTRAINT idp_templates_projection_saml_pkey PRIMARY KEY (instance_id, idp_id),
	CONSTRAINT idp_templates_projection_saml_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT idp_templates_projection_saml_idp_id_fkey FOREIGN KEY (instance_id, idp_id)
		REFERENCES @extschema@.idp_templates_projection (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.idp_templates_projection_saml');
GRANT SELECT ON @extschema@.idp_templates_projection_saml TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idp_templates_projection_saml', '');

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

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_apple', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_azure', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_github', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_github_enterprise', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_gitlab', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_gitlab_self_hosted', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_google', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_jwt', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_ldap2', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oauth2', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_oidc', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.idp_templates_projection_saml', 'instance.removed', 'delete',
	match => '{}');
