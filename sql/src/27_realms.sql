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

-- validate_session keeps realms' states per backend (src/row_cache.c, see 20_lookups).
CREATE TRIGGER lookup_rows_changed
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.tenant_realms
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.tenant_realms ENABLE ALWAYS TRIGGER lookup_rows_changed;
CREATE TRIGGER lookup_rows_changed_row
	BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.tenant_realms
	FOR EACH ROW EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.tenant_realms ENABLE ALWAYS TRIGGER lookup_rows_changed_row;

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
	          "source": "COALESCE(multitenant.payload_text(e.payload, 'source'), t.source)",
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

------------------------------------------------------------------------------
-- Realm types.  What a type's configuration may hold: each key with its JSON
-- kind and bounds, the keys it needs, and the secrets it takes (from the
-- operator's file only, stored as encryption keys, never in the
-- configuration).  `api` types are the tenant's own; `file` types come only
-- from the operator's file.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.realm_type_spec(type text)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN CASE type
	WHEN 'username_password' THEN $${"source": "api", "required": [], "secrets": [], "keys": {
		"min_password_length": {"kind": "integer", "min": 8, "max": 128},
		"max_failed_attempts": {"kind": "integer", "min": 0, "max": 100},
		"allow_self_registration": {"kind": "boolean"},
		"password_reset": {"kind": "boolean"}}}$$::pg_catalog.jsonb
	WHEN 'passkey' THEN $${"source": "api", "required": [], "secrets": [], "keys": {
		"rp_id": {"kind": "string", "max": 253},
		"user_verification": {"kind": "string", "enum": ["required", "preferred", "discouraged"]},
		"timeout_seconds": {"kind": "integer", "min": 10, "max": 600}}}$$::pg_catalog.jsonb
	WHEN 'otp' THEN $${"source": "api", "required": [], "secrets": [], "keys": {
		"digits": {"kind": "integer", "min": 6, "max": 8},
		"period_seconds": {"kind": "integer", "min": 15, "max": 120},
		"algorithm": {"kind": "string", "enum": ["SHA1", "SHA256", "SHA512"]},
		"issuer": {"kind": "string", "max": 200}}}$$::pg_catalog.jsonb
	WHEN 'ldap' THEN $${"source": "file", "required": ["url", "user_base_dn"], "secrets": ["bind_password"], "keys": {
		"url": {"kind": "string", "max": 2000, "pattern": "^ldaps?://[^[:space:]]+$"},
		"bind_dn": {"kind": "string", "max": 1000},
		"user_base_dn": {"kind": "string", "max": 1000},
		"user_filter": {"kind": "string", "max": 1000},
		"start_tls": {"kind": "boolean"}}}$$::pg_catalog.jsonb
	WHEN 'oauth2' THEN $${"source": "file", "required": ["issuer", "client_id"], "secrets": ["client_secret"], "keys": {
		"issuer": {"kind": "string", "max": 2000, "pattern": "^https://[^[:space:]]+$"},
		"client_id": {"kind": "string", "max": 1000},
		"scopes": {"kind": "string_array", "max": 100},
		"authorization_endpoint": {"kind": "string", "max": 2000, "pattern": "^https://[^[:space:]]+$"},
		"token_endpoint": {"kind": "string", "max": 2000, "pattern": "^https://[^[:space:]]+$"},
		"userinfo_endpoint": {"kind": "string", "max": 2000, "pattern": "^https://[^[:space:]]+$"}}}$$::pg_catalog.jsonb
	END;
END
$fn$;

-- A realm name: what a login form or a client names the realm by.
CREATE FUNCTION @extschema@.check_realm_name(name text, tenant text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF name IS NULL THEN
		RAISE EXCEPTION 'realm name must not be null (tenant "%")', tenant USING ERRCODE = '22004';
	END IF;
	IF name OPERATOR(pg_catalog.!~) '^[a-z][a-z0-9_-]{0,62}$' THEN
		RAISE EXCEPTION 'invalid realm name "%" for tenant "%"', pg_catalog.left(name, 100), tenant
			USING ERRCODE = '22023',
			      HINT = 'A realm name starts with a lower-case letter and has at most 63 lower-case letters, digits, "_" or "-".';
	END IF;
END
$fn$;

-- The checks a realm's type and configuration pass: a known type, a JSON
-- object of the type's keys only (22023 naming the first other key), each
-- of its kind and within its bounds, every required key present.  Secrets
-- are not configuration: a secret's key is refused here like any unknown one.
CREATE FUNCTION @extschema@.check_realm_configuration(realm text, type text, configuration jsonb)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	spec CONSTANT jsonb := @extschema@.realm_type_spec(type);
	k text;
	v jsonb;
	s jsonb;
	bad boolean;
BEGIN
	IF type IS NULL OR configuration IS NULL THEN
		RAISE EXCEPTION 'realm "%": type and configuration must not be null', realm USING ERRCODE = '22004';
	END IF;
	IF spec IS NULL THEN
		RAISE EXCEPTION 'unknown realm type "%" for realm "%"', pg_catalog.left(type, 100), realm
			USING ERRCODE = '22023', HINT = 'The realm types are username_password, passkey, otp (database) and ldap, oauth2 (file).';
	END IF;
	IF pg_catalog.jsonb_typeof(configuration) OPERATOR(pg_catalog.<>) 'object' THEN
		RAISE EXCEPTION 'configuration of realm "%" must be a JSON object', realm USING ERRCODE = '22023';
	END IF;
	IF pg_catalog.octet_length(configuration::pg_catalog.text) OPERATOR(pg_catalog.>) 8192 THEN
		RAISE EXCEPTION 'configuration of realm "%" is too large (at most 8192 bytes)', realm USING ERRCODE = '54000';
	END IF;
	FOR k, v IN SELECT c.key, c.value FROM pg_catalog.jsonb_each(configuration) AS c ORDER BY c.key LOOP
		s := spec OPERATOR(pg_catalog.->) 'keys' OPERATOR(pg_catalog.->) k;
		IF s IS NULL THEN
			RAISE EXCEPTION 'unknown key "%" in the configuration of realm "%" (type %)', pg_catalog.left(k, 100), realm, type
				USING ERRCODE = '22023',
				      HINT = pg_catalog.format('The keys of type %s are: %s.', type,
				             COALESCE((SELECT pg_catalog.string_agg(x, ', ' ORDER BY x)
				                         FROM pg_catalog.jsonb_object_keys(spec OPERATOR(pg_catalog.->) 'keys') AS x), 'none'));
		END IF;
		bad := CASE s OPERATOR(pg_catalog.->>) 'kind'
			WHEN 'boolean' THEN pg_catalog.jsonb_typeof(v) OPERATOR(pg_catalog.<>) 'boolean'
			WHEN 'integer' THEN pg_catalog.jsonb_typeof(v) OPERATOR(pg_catalog.<>) 'number'
			                    OR (v::pg_catalog.text)::pg_catalog.numeric OPERATOR(pg_catalog.<>) pg_catalog.trunc((v::pg_catalog.text)::pg_catalog.numeric)
			                    OR (v::pg_catalog.text)::pg_catalog.numeric OPERATOR(pg_catalog.<) (s OPERATOR(pg_catalog.->>) 'min')::pg_catalog.numeric
			                    OR (v::pg_catalog.text)::pg_catalog.numeric OPERATOR(pg_catalog.>) (s OPERATOR(pg_catalog.->>) 'max')::pg_catalog.numeric
			WHEN 'string' THEN pg_catalog.jsonb_typeof(v) OPERATOR(pg_catalog.<>) 'string'
			                   OR (v OPERATOR(pg_catalog.#>>) '{}') OPERATOR(pg_catalog.=) ''
			                   OR pg_catalog.octet_length(v OPERATOR(pg_catalog.#>>) '{}') OPERATOR(pg_catalog.>) COALESCE((s OPERATOR(pg_catalog.->>) 'max')::pg_catalog.int4, 1000)
			                   OR (s OPERATOR(pg_catalog.?) 'enum' AND NOT (s OPERATOR(pg_catalog.->) 'enum') OPERATOR(pg_catalog.@>) pg_catalog.jsonb_build_array(v))
			                   OR (v OPERATOR(pg_catalog.#>>) '{}') OPERATOR(pg_catalog.!~) COALESCE(s OPERATOR(pg_catalog.->>) 'pattern', '')
			WHEN 'string_array' THEN pg_catalog.jsonb_typeof(v) OPERATOR(pg_catalog.<>) 'array'
			                   OR pg_catalog.jsonb_array_length(v) OPERATOR(pg_catalog.>) (s OPERATOR(pg_catalog.->>) 'max')::pg_catalog.int4
			                   OR EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(v) AS x(e)
			                               WHERE pg_catalog.jsonb_typeof(x.e) OPERATOR(pg_catalog.<>) 'string'
			                                  OR (x.e OPERATOR(pg_catalog.#>>) '{}') OPERATOR(pg_catalog.!~) '^[!-~]{1,200}$')
			END;
		IF bad THEN
			RAISE EXCEPTION 'invalid value for key "%" in the configuration of realm "%" (type %)', k, realm, type
				USING ERRCODE = '22023',
				      DETAIL = pg_catalog.format('Expected: %s.', s::pg_catalog.text);
		END IF;
	END LOOP;
	SELECT r INTO k FROM pg_catalog.jsonb_array_elements_text(spec OPERATOR(pg_catalog.->) 'required') AS x(r)
	 WHERE NOT configuration OPERATOR(pg_catalog.?) x.r ORDER BY 1 LIMIT 1;
	IF k IS NOT NULL THEN
		RAISE EXCEPTION 'missing key "%" in the configuration of realm "%" (type %)', k, realm, type USING ERRCODE = '22023';
	END IF;
END
$fn$;

------------------------------------------------------------------------------
-- The database realm types: created and changed by the tenant's owners and
-- admins (and the operator).  A directory type, or a realm the operator's
-- file declared, is refused (42501) even for an owner: the file is its only
-- source.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.realm_image(tenant text, realm_id text)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN (SELECT pg_catalog.to_jsonb(r) FROM @extschema@.tenant_realms AS r
	         WHERE r.instance_id OPERATOR(pg_catalog.=) realm_image.tenant
	           AND r.id OPERATOR(pg_catalog.=) realm_image.realm_id);
END
$fn$;

-- Pushes one realm event of the tenant and records it in the audit log,
-- with the row before and after.
CREATE FUNCTION @extschema@.realm_push(tenant text, realm_id text, event_type text, payload jsonb)
RETURNS @extschema@.tenant_realms
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	before CONSTANT jsonb := @extschema@.realm_image(tenant, realm_id);
	result @extschema@.tenant_realms;
BEGIN
	PERFORM @extschema@.lifecycle_push(tenant, event_type,
		pg_catalog.jsonb_build_object('realmId', realm_id) OPERATOR(pg_catalog.||) payload);
	SELECT r.* INTO STRICT result FROM @extschema@.tenant_realms AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.id OPERATOR(pg_catalog.=) realm_id;
	PERFORM @extschema@.audit_lifecycle(tenant, event_type, 'multitenant.tenant_realms',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'id', realm_id), before, pg_catalog.to_jsonb(result));
	RETURN result;
END
$fn$;

-- The realm a tenant's owner or admin may change through the API: it exists
-- (42704), and neither its type nor its source is the file's (42501,
-- recorded as a refusal).
CREATE FUNCTION @extschema@.api_realm(tenant text, name text, function_name text)
RETURNS @extschema@.tenant_realms
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	realm @extschema@.tenant_realms;
BEGIN
	PERFORM @extschema@.check_realm_name(name, tenant);
	SELECT r.* INTO realm FROM @extschema@.tenant_realms AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.name OPERATOR(pg_catalog.=) name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'realm "%" does not exist in tenant "%"', name, tenant USING ERRCODE = '42704';
	END IF;
	IF realm.source OPERATOR(pg_catalog.=) 'file'
	   OR @extschema@.realm_type_spec(realm.type) OPERATOR(pg_catalog.->>) 'source' OPERATOR(pg_catalog.=) 'file' THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, function_name, 'multitenant.tenant_realms',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'id', realm.id),
			'the realm comes from the operator''s realm file', '42501',
			pg_catalog.format('permission denied for function multitenant.%s: realm "%s" of tenant "%s" comes from the operator''s realm file',
			                  function_name, name, tenant),
			'Change it in the realm file and load it with multitenant.load_realms().');
	END IF;
	RETURN realm;
END
$fn$;

CREATE FUNCTION @extschema@.create_realm(
	name text,
	type text,
	configuration jsonb DEFAULT '{}',
	tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.tenant_realms
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	realm_id CONSTANT text := pg_catalog.gen_random_uuid()::pg_catalog.text;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'create_realm');
	PERFORM @extschema@.require_member_role(tenant, 'admin', 'create_realm');
	PERFORM @extschema@.check_realm_name(name, tenant);
	IF @extschema@.realm_type_spec(type) OPERATOR(pg_catalog.->>) 'source' OPERATOR(pg_catalog.=) 'file' THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, 'create_realm', 'multitenant.tenant_realms',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'name', name),
			pg_catalog.format('realms of type %s come from the operator''s realm file', type), '42501',
			pg_catalog.format('permission denied for function multitenant.create_realm: realm type "%s" (realm "%s" of tenant "%s") comes only from the operator''s realm file',
			                  type, name, tenant),
			'The operator declares it in the realm file and loads it with multitenant.load_realms().');
	END IF;
	PERFORM @extschema@.check_realm_configuration(name, type, configuration);
	IF EXISTS (SELECT FROM @extschema@.tenant_realms AS r
	            WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.name OPERATOR(pg_catalog.=) name) THEN
		RAISE EXCEPTION 'realm "%" already exists in tenant "%"', name, tenant USING ERRCODE = '23505';
	END IF;
	RETURN @extschema@.realm_push(tenant, realm_id, 'tenant.realm.added',
		pg_catalog.jsonb_build_object('name', name, 'type', type, 'configuration', configuration,
		                              'source', 'api', 'enabled', true));
END
$fn$;

-- NULL leaves a value unchanged; a configuration replaces the whole object.
-- A change to the same values pushes nothing.
CREATE FUNCTION @extschema@.update_realm(
	name text,
	configuration jsonb DEFAULT NULL,
	new_name text DEFAULT NULL,
	tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.tenant_realms
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	realm @extschema@.tenant_realms;
	payload jsonb := '{}';
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'update_realm');
	PERFORM @extschema@.require_member_role(tenant, 'admin', 'update_realm');
	realm := @extschema@.api_realm(tenant, name, 'update_realm');
	IF configuration IS NOT NULL THEN
		PERFORM @extschema@.check_realm_configuration(name, realm.type, configuration);
		IF configuration OPERATOR(pg_catalog.<>) realm.configuration THEN
			payload := pg_catalog.jsonb_build_object('configuration', configuration);
		END IF;
	END IF;
	IF new_name IS NOT NULL AND new_name OPERATOR(pg_catalog.<>) realm.name THEN
		PERFORM @extschema@.check_realm_name(new_name, tenant);
		IF EXISTS (SELECT FROM @extschema@.tenant_realms AS r
		            WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.name OPERATOR(pg_catalog.=) new_name) THEN
			RAISE EXCEPTION 'realm "%" already exists in tenant "%"', new_name, tenant USING ERRCODE = '23505';
		END IF;
		payload := payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('name', new_name);
	END IF;
	IF payload OPERATOR(pg_catalog.=) '{}' THEN
		RETURN realm;
	END IF;
	RETURN @extschema@.realm_push(tenant, realm.id, 'tenant.realm.changed', payload);
END
$fn$;

-- Enabling an enabled realm, or disabling a disabled one, pushes nothing.
CREATE FUNCTION @extschema@.set_realm_enabled(name text, enabled boolean, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.tenant_realms
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	realm @extschema@.tenant_realms;
BEGIN
	IF enabled IS NULL THEN
		RAISE EXCEPTION 'set_realm_enabled: enabled must not be null (realm "%")', name USING ERRCODE = '22004';
	END IF;
	PERFORM @extschema@.lock_tenant(tenant, 'set_realm_enabled');
	PERFORM @extschema@.require_member_role(tenant, 'admin', 'set_realm_enabled');
	realm := @extschema@.api_realm(tenant, name, 'set_realm_enabled');
	IF realm.enabled OPERATOR(pg_catalog.=) enabled THEN
		RETURN realm;
	END IF;
	RETURN @extschema@.realm_push(tenant, realm.id,
		CASE WHEN enabled THEN 'tenant.realm.enabled' ELSE 'tenant.realm.disabled' END, '{}');
END
$fn$;

------------------------------------------------------------------------------
-- The operator's realm file (src/realms.c): superusers only.  Reads and
-- checks the whole file before changing anything; returns what it does (or,
-- with dry_run, would do) per realm: added, changed, unchanged, skipped (it
-- differs, and the strategy is skip_existing) or absent (a realm of the file
-- in the database that the file no longer lists: reported, never deleted).
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.load_realms(path text, strategy text, dry_run boolean DEFAULT true)
RETURNS TABLE (tenant text, realm text, type text, action text, changes text[])
AS 'MODULE_PATHNAME', 'mt_load_realms'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

-- The realm a login names: the enabled realm of that name in the current
-- tenant (a signed tenant token enters it first, in the same call), one
-- probe of the (instance_id, name) index whatever the number of tenants.
CREATE FUNCTION @extschema@.resolve_realm(name text, tenant_token text DEFAULT NULL)
RETURNS SETOF @extschema@.tenant_realms
AS 'MODULE_PATHNAME', 'mt_resolve_realm'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;
