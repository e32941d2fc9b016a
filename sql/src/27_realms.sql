/*
 * Realms: how a tenant's principals log in.  A realm has a type, a
 * configuration (a small documented object per type, never a secret) and a
 * source: `api` for the database types, created and changed by the tenant's
 * owners and admins, or `file` for the realms the operator's YAML file
 * declares (the directory types always come from there).  The table is a
 * projection of events on the tenant's `tenant` aggregate, like
 * memberships: tenant.realm.added | changed | enabled | disabled, payload
 * keys realmId, name, type, configuration, source, enabled,
 * secretsChanged.  Secrets live in multitenant.encryption_keys, encrypted
 * under the master key; events, this table and the audit log only ever name
 * them.
 */

CREATE TABLE @extschema@.tenant_realms (
	instance_id   text        NOT NULL,
	id            text        NOT NULL,
	name          text        NOT NULL,
	type          text        NOT NULL,
	configuration jsonb       NOT NULL DEFAULT '{}',
	source        text        NOT NULL DEFAULT 'api',
	enabled       boolean     NOT NULL DEFAULT true,
	created_at    timestamptz NOT NULL,
	changed_at    timestamptz NOT NULL,
	CONSTRAINT tenant_realms_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT tenant_realms_name_key UNIQUE (instance_id, name),
	CONSTRAINT tenant_realms_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT tenant_realms_id_check CHECK (id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT tenant_realms_type_check
		CHECK (type OPERATOR(pg_catalog.=) ANY (ARRAY['username_password', 'passkey', 'otp', 'ldap', 'oauth2'])),
	CONSTRAINT tenant_realms_source_check CHECK (source OPERATOR(pg_catalog.=) ANY (ARRAY['api', 'file'])),
	-- The directory types exist only as the operator's file declares them.
	CONSTRAINT tenant_realms_file_type_check
		CHECK (source OPERATOR(pg_catalog.=) 'file' OR NOT type OPERATOR(pg_catalog.=) ANY (ARRAY['ldap', 'oauth2'])),
	CONSTRAINT tenant_realms_configuration_check
		CHECK (pg_catalog.jsonb_typeof(configuration) OPERATOR(pg_catalog.=) 'object')
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.tenant_realms');
GRANT SELECT ON @extschema@.tenant_realms TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tenant_realms', '');

SELECT @extschema@.register_reducer('@extschema@.tenant_realms', 'tenant.realm.added', 'insert',
	set => $${"name": "multitenant.payload_text(e.payload, 'name')",
	          "type": "multitenant.payload_text(e.payload, 'type')",
	          "configuration": "COALESCE(e.payload OPERATOR(pg_catalog.->) 'configuration', '{}')",
	          "source": "COALESCE(multitenant.payload_text(e.payload, 'source'), 'api')",
	          "enabled": "COALESCE(multitenant.payload_bool(e.payload, 'enabled'), true)",
	          "created_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'realmId')"}$$);

-- Absent keys leave the value as it is; an event that only names changed
-- secrets moves changed_at.
SELECT @extschema@.register_reducer('@extschema@.tenant_realms', 'tenant.realm.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "configuration": "COALESCE(e.payload OPERATOR(pg_catalog.->) 'configuration', t.configuration)",
	          "enabled": "COALESCE(multitenant.payload_bool(e.payload, 'enabled'), t.enabled)",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'realmId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.tenant_realms', 'tenant.realm.enabled', 'update',
	set => $${"enabled": "true", "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'realmId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.tenant_realms', 'tenant.realm.disabled', 'update',
	set => $${"enabled": "false", "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'realmId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.tenant_realms', 'instance.removed', 'delete',
	match => '{}');
