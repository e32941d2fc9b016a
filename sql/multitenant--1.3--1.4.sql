/* multitenant 1.3 -> 1.4: realms and sessions */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.4'" to load this file. \quit

------------------------------------------------------------------------------
-- Realms: multitenant.tenant_realms, a projection of tenant.realm.* events on
-- the tenant's aggregate (sql/src/27_realms.sql).
------------------------------------------------------------------------------

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

-- Realm events stored before 1.4 become rows as a fresh install would have
-- reduced them.
SELECT @extschema@.rebuild_many(ARRAY['@extschema@.tenant_realms']::pg_catalog.regclass[]);

------------------------------------------------------------------------------
-- Realms: the realm types, their checks and the functions of the database
-- types (sql/src/27_realms.sql).
------------------------------------------------------------------------------

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

-- Nobody but the roles granted below executes them (99_grants.sql's loop on
-- a fresh install).
REVOKE ALL ON FUNCTION
	@extschema@.realm_type_spec(text),
	@extschema@.check_realm_name(text, text),
	@extschema@.check_realm_configuration(text, text, jsonb),
	@extschema@.realm_image(text, text),
	@extschema@.realm_push(text, text, text, jsonb),
	@extschema@.api_realm(text, text, text),
	@extschema@.create_realm(text, text, jsonb, text),
	@extschema@.update_realm(text, jsonb, text, text),
	@extschema@.set_realm_enabled(text, boolean, text),
	@extschema@.load_realms(text, text, boolean),
	@extschema@.resolve_realm(text, text)
FROM PUBLIC;

-- Realms: the database types' functions authorize their callers themselves
-- (owners and admins of the tenant); their internal steps are the operator's.
-- load_realms checks again that its caller is a superuser (42501).
GRANT EXECUTE ON FUNCTION
	@extschema@.realm_type_spec(text),
	@extschema@.check_realm_name(text, text),
	@extschema@.check_realm_configuration(text, text, jsonb),
	@extschema@.create_realm(text, text, jsonb, text),
	@extschema@.update_realm(text, jsonb, text, text),
	@extschema@.set_realm_enabled(text, boolean, text),
	@extschema@.resolve_realm(text, text)
TO multitenant_app, multitenant_admin;

GRANT EXECUTE ON FUNCTION
	@extschema@.realm_image(text, text),
	@extschema@.realm_push(text, text, text, jsonb),
	@extschema@.api_realm(text, text, text),
	@extschema@.load_realms(text, text, boolean)
TO multitenant_admin;


------------------------------------------------------------------------------
-- Sessions: multitenant.principal_sessions, a projection of tenant.session.*
-- events on the tenant's aggregate, revoked by the membership and tenant
-- events that end a principal's right to the tenant; the tenants' session
-- keys (multitenant.session_keys) for JWS and JWE tokens; create_session,
-- rotate_session, revoke_session, validate_session, rotate_session_key,
-- retire_session_key, session_jwks (sql/src/28_sessions.sql);
-- set_principal_status revokes a deactivated principal's sessions.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.principal_sessions (
	instance_id   text        NOT NULL,
	id            text        NOT NULL,
	principal_id  text        NOT NULL,
	realm_id      text        NOT NULL,
	kind          text        NOT NULL,
	format        text        NOT NULL,
	token_hash    bytea       NOT NULL,
	key_id        text,
	status        text        NOT NULL DEFAULT 'active',
	rotation_due  boolean     NOT NULL DEFAULT false,
	idle_timeout  interval    NOT NULL,
	expires_at    timestamptz NOT NULL,
	last_seen_at  timestamptz NOT NULL,
	created_by    text,
	rotated_at    timestamptz,
	revoked_at    timestamptz,
	revoke_reason text,
	created_at    timestamptz NOT NULL,
	changed_at    timestamptz NOT NULL,
	CONSTRAINT principal_sessions_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT principal_sessions_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT principal_sessions_kind_check CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['browser', 'service'])),
	CONSTRAINT principal_sessions_format_check CHECK (format OPERATOR(pg_catalog.=) ANY (ARRAY['opaque', 'jws', 'jwe'])),
	CONSTRAINT principal_sessions_key_id_check CHECK ((format OPERATOR(pg_catalog.=) 'opaque') OPERATOR(pg_catalog.=) (key_id IS NULL)),
	CONSTRAINT principal_sessions_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'revoked'])),
	CONSTRAINT principal_sessions_token_hash_check CHECK (pg_catalog.length(token_hash) OPERATOR(pg_catalog.=) 32),
	CONSTRAINT principal_sessions_idle_timeout_check CHECK (idle_timeout OPERATOR(pg_catalog.>) '0'::pg_catalog.interval)
);

-- A token is looked up before its tenant is known, and names one session
-- across all tenants.
CREATE UNIQUE INDEX principal_sessions_token_hash_key ON @extschema@.principal_sessions (token_hash);
-- The sessions a membership change or a deactivation revokes.
CREATE INDEX principal_sessions_principal_id_idx ON @extschema@.principal_sessions (principal_id, instance_id);

SELECT @extschema@.enable_tenant_isolation('@extschema@.principal_sessions');
GRANT SELECT (instance_id, id, principal_id, realm_id, kind, format, key_id, status, rotation_due, idle_timeout,
              expires_at, last_seen_at, created_by, rotated_at, revoked_at, revoke_reason, created_at, changed_at)
	ON @extschema@.principal_sessions TO multitenant_app;
GRANT SELECT ON @extschema@.principal_sessions TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.principal_sessions', '');

-- Inside its tenant the application sees a session as its principal, or as
-- one of the tenant's owners or admins.
CREATE POLICY principal_sessions_visibility ON @extschema@.principal_sessions AS RESTRICTIVE FOR SELECT TO multitenant_app
	USING (principal_id OPERATOR(pg_catalog.=) (SELECT @extschema@.current_actor())
	       OR (SELECT @extschema@.actor_is_tenant_admin()));

SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'tenant.session.added', 'insert',
	set => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')",
	          "realm_id": "multitenant.payload_text(e.payload, 'realmId')",
	          "kind": "multitenant.payload_text(e.payload, 'kind')",
	          "format": "multitenant.payload_text(e.payload, 'format')",
	          "token_hash": "multitenant.payload_sha256(e.payload, 'tokenHash')",
	          "key_id": "multitenant.payload_text(e.payload, 'keyId')",
	          "status": "'active'",
	          "idle_timeout": "multitenant.payload_text(e.payload, 'idleTimeout')::pg_catalog.interval",
	          "expires_at": "multitenant.payload_timestamptz(e.payload, 'expiresAt')",
	          "last_seen_at": "e.created_at",
	          "created_by": "multitenant.payload_text(e.payload, 'createdBy')",
	          "created_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'sessionId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'tenant.session.rotated', 'update',
	set => $${"token_hash": "multitenant.payload_sha256(e.payload, 'tokenHash')",
	          "key_id": "multitenant.payload_text(e.payload, 'keyId')",
	          "rotation_due": "false",
	          "rotated_at": "e.created_at",
	          "last_seen_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'sessionId')"}$$,
	"when" => $$t.status OPERATOR(pg_catalog.=) 'active'$$);

SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'tenant.session.revoked', 'update',
	set => $${"status": "'revoked'",
	          "revoked_at": "e.created_at",
	          "revoke_reason": "multitenant.payload_text(e.payload, 'reason')",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'sessionId')"}$$,
	"when" => $$t.status OPERATOR(pg_catalog.=) 'active'$$);

-- The events that end a principal's right to the tenant end its sessions
-- there; a later reactivation does not bring them back.
SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'tenant.member.removed', 'update',
	set => $${"status": "'revoked'", "revoked_at": "e.created_at", "revoke_reason": "'membership removed'",
	          "changed_at": "e.created_at"}$$,
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$,
	"when" => $$t.status OPERATOR(pg_catalog.=) 'active'$$);

SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'tenant.member.suspended', 'update',
	set => $${"status": "'revoked'", "revoked_at": "e.created_at", "revoke_reason": "'membership suspended'",
	          "changed_at": "e.created_at"}$$,
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$,
	"when" => $$t.status OPERATOR(pg_catalog.=) 'active'$$);

SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'tenant.suspended', 'update',
	set => $${"status": "'revoked'", "revoked_at": "e.created_at", "revoke_reason": "'tenant suspended'",
	          "changed_at": "e.created_at"}$$,
	match => '{}',
	"when" => $$t.status OPERATOR(pg_catalog.=) 'active'$$);

SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'tenant.deactivated', 'update',
	set => $${"status": "'revoked'", "revoked_at": "e.created_at", "revoke_reason": "'tenant deactivated'",
	          "changed_at": "e.created_at"}$$,
	match => '{}',
	"when" => $$t.status OPERATOR(pg_catalog.=) 'active'$$);

SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'instance.removed', 'delete',
	match => '{}');

-- A change of the principal's roles in the tenant makes its sessions due
-- for rotation: the next validation replaces the token (see sessions.c), so
-- that a token planted before an elevation does not carry it.  Dropping a
-- custom role only takes rights away and rotates nothing.
SELECT @extschema@.register_reducer('@extschema@.principal_sessions', event_type, 'update',
	set => $${"rotation_due": "true", "changed_at": "e.created_at"}$$,
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$,
	"when" => $$t.status OPERATOR(pg_catalog.=) 'active'$$)
  FROM pg_catalog.unnest(ARRAY['tenant.member.role.changed', 'tenant.member.custom_role.granted',
                               'tenant.member.custom_role.revoked']) AS event_type;

------------------------------------------------------------------------------
-- Session keys.
------------------------------------------------------------------------------

/*
 * The keys JWS and JWE session tokens are made with, per tenant: ES256 or
 * HS256 to sign, A256GCM (JWE "dir") to encrypt.  This table lists them;
 * the key material is the tenant's encryption key "session-key:<kid>"
 * (encrypted under the master key; see session_tokens.c).  The newest active
 * key of a purpose makes new tokens; every active key verifies the tokens it
 * made; a retired key verifies nothing.  Keys are not events: like
 * encryption keys they are kept by pg_dump, untouched by rebuild and
 * deleted with the tenant (instance.removed).
 */
CREATE TABLE @extschema@.session_keys (
	instance_id text        NOT NULL,
	kid         text        NOT NULL,
	purpose     text        NOT NULL,
	algorithm   text        NOT NULL,
	public_jwk  jsonb,
	status      text        NOT NULL DEFAULT 'active',
	created_at  timestamptz NOT NULL,
	retired_at  timestamptz,
	CONSTRAINT session_keys_pkey PRIMARY KEY (instance_id, kid),
	CONSTRAINT session_keys_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT session_keys_purpose_check CHECK (purpose OPERATOR(pg_catalog.=) ANY (ARRAY['sign', 'encrypt'])),
	CONSTRAINT session_keys_algorithm_check CHECK (algorithm OPERATOR(pg_catalog.=) ANY (ARRAY['ES256', 'HS256', 'A256GCM'])),
	CONSTRAINT session_keys_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'retired'])),
	CONSTRAINT session_keys_retired_check CHECK ((status OPERATOR(pg_catalog.=) 'retired') OPERATOR(pg_catalog.=) (retired_at IS NOT NULL))
);

-- A token names its key by kid alone, before its tenant is known.
CREATE UNIQUE INDEX session_keys_kid_key ON @extschema@.session_keys (kid);

SELECT @extschema@.enable_tenant_isolation('@extschema@.session_keys');
-- Nothing secret is in the table: the public half of an ES256 key is there
-- for whoever verifies tokens outside the database.
GRANT SELECT ON @extschema@.session_keys TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.session_keys', '');

-- A new key of the tenant (ES256 or HS256 to sign, A256GCM to encrypt); it
-- makes the tenant's new tokens of its purpose at once, and the keys before
-- it still verify theirs until retired.  In C (session_tokens.c): the key
-- material never passes through SQL.
CREATE FUNCTION @extschema@.session_key_create(tenant text, algorithm text)
RETURNS text
AS 'MODULE_PATHNAME', 'mt_session_key_create'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- claims signed ('jws') or encrypted ('jwe') with the key kid names.
CREATE FUNCTION @extschema@.session_token_issue(kid text, format text, claims jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'mt_session_token_issue'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- Records a key's creation or retirement in the tenant's audit log.
CREATE FUNCTION @extschema@.session_key_audit(tenant text, action text, kid text, before jsonb, reason text)
RETURNS @extschema@.session_keys
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	result @extschema@.session_keys;
BEGIN
	SELECT k.* INTO STRICT result FROM @extschema@.session_keys AS k
	 WHERE k.instance_id OPERATOR(pg_catalog.=) tenant AND k.kid OPERATOR(pg_catalog.=) kid;
	PERFORM @extschema@.audit_lifecycle(tenant, action, 'multitenant.session_keys',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'kid', kid), before, pg_catalog.to_jsonb(result), reason);
	RETURN result;
END
$fn$;

-- The kid that makes the tenant's new tokens of a purpose; the first token
-- of a purpose makes its key (ES256 to sign, A256GCM to encrypt).  The
-- caller holds the tenant's lock.
CREATE FUNCTION @extschema@.current_session_key(tenant text, purpose text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	found_kid text;
BEGIN
	SELECT k.kid INTO found_kid FROM @extschema@.session_keys AS k
	 WHERE k.instance_id OPERATOR(pg_catalog.=) tenant AND k.purpose OPERATOR(pg_catalog.=) purpose
	   AND k.status OPERATOR(pg_catalog.=) 'active'
	 ORDER BY k.created_at DESC, k.kid DESC
	 LIMIT 1;
	IF found_kid IS NULL THEN
		found_kid := @extschema@.session_key_create(tenant, CASE purpose WHEN 'sign' THEN 'ES256' ELSE 'A256GCM' END);
		PERFORM @extschema@.session_key_audit(tenant, 'tenant.session_key.added', found_kid, NULL, 'first token of its purpose');
	END IF;
	RETURN found_kid;
END
$fn$;

-- A new session key of the tenant, for its owners and admins or the
-- operator; returns it.
CREATE FUNCTION @extschema@.rotate_session_key(algorithm text DEFAULT 'ES256', tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.session_keys
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
BEGIN
	IF algorithm IS NULL THEN
		RAISE EXCEPTION 'rotate_session_key: algorithm must not be null (tenant "%")', tenant USING ERRCODE = '22004';
	END IF;
	IF NOT algorithm OPERATOR(pg_catalog.=) ANY (ARRAY['ES256', 'HS256', 'A256GCM']) THEN
		RAISE EXCEPTION 'invalid session key algorithm "%"', pg_catalog.left(algorithm, 100)
			USING ERRCODE = '22023', HINT = 'The algorithm is ES256 or HS256 (signing) or A256GCM (encryption).';
	END IF;
	PERFORM @extschema@.lock_tenant(tenant, 'rotate_session_key');
	PERFORM @extschema@.require_member_role(tenant, 'admin', 'rotate_session_key');
	RETURN @extschema@.session_key_audit(tenant, 'tenant.session_key.added',
		@extschema@.session_key_create(tenant, algorithm), NULL, NULL);
END
$fn$;

-- Retires a session key: the tokens it made stop validating at once (their
-- sessions live on: rotate_session gives them a token under the current
-- key).  For the tenant's owners and admins or the operator; retiring a
-- retired key returns it and changes nothing.
CREATE FUNCTION @extschema@.retire_session_key(kid text, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.session_keys
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	target @extschema@.session_keys;
BEGIN
	IF kid IS NULL THEN
		RAISE EXCEPTION 'retire_session_key: kid must not be null (tenant "%")', tenant USING ERRCODE = '22004';
	END IF;
	PERFORM @extschema@.lock_tenant(tenant, 'retire_session_key');
	PERFORM @extschema@.require_member_role(tenant, 'admin', 'retire_session_key');
	SELECT k.* INTO target FROM @extschema@.session_keys AS k
	 WHERE k.instance_id OPERATOR(pg_catalog.=) tenant AND k.kid OPERATOR(pg_catalog.=) kid;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'session key "%" does not exist in tenant "%"', pg_catalog.left(kid, 100), tenant USING ERRCODE = '42704';
	END IF;
	IF target.status OPERATOR(pg_catalog.=) 'retired' THEN
		RETURN target;
	END IF;
	UPDATE @extschema@.session_keys AS k SET status = 'retired', retired_at = pg_catalog.now()
	 WHERE k.instance_id OPERATOR(pg_catalog.=) tenant AND k.kid OPERATOR(pg_catalog.=) kid;
	RETURN @extschema@.session_key_audit(tenant, 'tenant.session_key.retired', kid, pg_catalog.to_jsonb(target), NULL);
END
$fn$;

-- The tenant's active ES256 public keys as a JWK set, for whoever verifies
-- JWS session tokens outside the database.  Such a verifier sees signatures
-- and expiry only: revocation, idle expiry and rotation are known to
-- validate_session alone.
CREATE FUNCTION @extschema@.session_jwks(tenant text DEFAULT @extschema@.current_tenant())
RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT pg_catalog.jsonb_build_object('keys', COALESCE(pg_catalog.jsonb_agg(k.public_jwk ORDER BY k.created_at, k.kid), '[]'))
	  FROM @extschema@.session_keys AS k
	 WHERE k.instance_id OPERATOR(pg_catalog.=) tenant
	   AND k.status OPERATOR(pg_catalog.=) 'active'
	   AND k.public_jwk IS NOT NULL
$fn$;

------------------------------------------------------------------------------
-- Shared steps.
------------------------------------------------------------------------------

-- Pushes one event of a session and records the change in the tenant's log;
-- the log's images leave the token's hash out.
CREATE FUNCTION @extschema@.session_push(tenant text, session_id text, event_type text, payload jsonb)
RETURNS @extschema@.principal_sessions
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	before jsonb;
	result @extschema@.principal_sessions;
BEGIN
	SELECT pg_catalog.to_jsonb(s) OPERATOR(pg_catalog.-) 'token_hash' INTO before FROM @extschema@.principal_sessions AS s
	 WHERE s.instance_id OPERATOR(pg_catalog.=) tenant AND s.id OPERATOR(pg_catalog.=) session_id;
	PERFORM @extschema@.lifecycle_push(tenant, event_type,
		pg_catalog.jsonb_build_object('sessionId', session_id) OPERATOR(pg_catalog.||) payload);
	SELECT s.* INTO STRICT result FROM @extschema@.principal_sessions AS s
	 WHERE s.instance_id OPERATOR(pg_catalog.=) tenant AND s.id OPERATOR(pg_catalog.=) session_id;
	PERFORM @extschema@.audit_lifecycle(tenant, event_type, 'multitenant.principal_sessions',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'id', session_id),
		before, pg_catalog.to_jsonb(result) OPERATOR(pg_catalog.-) 'token_hash', payload OPERATOR(pg_catalog.->>) 'reason');
	RETURN result;
END
$fn$;

-- The session a token names, if it is active, unexpired and of the current
-- tenant (when one is entered); else the one refusal every bad token
-- gets.  Nothing tells a caller why.
CREATE FUNCTION @extschema@.session_by_token(token text)
RETURNS @extschema@.principal_sessions
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	entered CONSTANT text := @extschema@.current_tenant();
	found_session @extschema@.principal_sessions;
BEGIN
	IF token IS NOT NULL AND pg_catalog.octet_length(token) OPERATOR(pg_catalog.<=) 4096 THEN
		SELECT s.* INTO found_session FROM @extschema@.principal_sessions AS s
		 WHERE s.token_hash OPERATOR(pg_catalog.=) pg_catalog.sha256(pg_catalog.convert_to(token, 'UTF8'))
		   AND s.status OPERATOR(pg_catalog.=) 'active'
		   AND s.expires_at OPERATOR(pg_catalog.>) pg_catalog.statement_timestamp()
		   AND s.last_seen_at OPERATOR(pg_catalog.+) s.idle_timeout OPERATOR(pg_catalog.>) pg_catalog.statement_timestamp()
		   AND (entered IS NULL OR s.instance_id OPERATOR(pg_catalog.=) entered);
		IF FOUND THEN
			RETURN found_session;
		END IF;
	END IF;
	RAISE EXCEPTION 'invalid session token' USING ERRCODE = '28000';
END
$fn$;

-- A new token of a session, in its format, and the event payload keys
-- that name it.  A JWS or JWE carries the tenant (tid), principal (sub),
-- realm, session (sid), kind, issue and absolute expiry times and a
-- random jti, and is made with the tenant's current key of its purpose;
-- the caller holds the tenant's lock.
CREATE FUNCTION @extschema@.session_new_token(target @extschema@.principal_sessions, OUT token text, OUT payload jsonb)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	kid text;
BEGIN
	IF target.format OPERATOR(pg_catalog.=) 'opaque' THEN
		token := @extschema@.issue_secret('mts_');
	ELSE
		kid := @extschema@.current_session_key(target.instance_id,
			CASE target.format WHEN 'jws' THEN 'sign' ELSE 'encrypt' END);
		token := @extschema@.session_token_issue(kid, target.format, pg_catalog.jsonb_build_object(
			'iss', 'multitenant', 'tid', target.instance_id, 'sub', target.principal_id, 'realm', target.realm_id,
			'sid', target.id, 'kind', target.kind,
			'iat', pg_catalog.floor(pg_catalog.date_part('epoch', pg_catalog.now()))::bigint,
			'exp', pg_catalog.floor(pg_catalog.date_part('epoch', target.expires_at))::bigint,
			'jti', pg_catalog.gen_random_uuid()));
	END IF;
	payload := pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
		'tokenHash', pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(token, 'UTF8')), 'hex'),
		'keyId', kid));
END
$fn$;

-- Rotates the session a valid token names: a new token, the old one dead at
-- once.  The token is checked again under the tenant's lock, so that of
-- concurrent rotations of one token exactly one succeeds.
CREATE FUNCTION @extschema@.session_rotate(token text, reason text,
                                           OUT session_id text, OUT new_token text, OUT expires_at timestamptz)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	found_session @extschema@.principal_sessions;
	made record;
BEGIN
	found_session := @extschema@.session_by_token(token);
	PERFORM @extschema@.lock_tenant(found_session.instance_id, 'rotate_session');
	found_session := @extschema@.session_by_token(token);
	made := @extschema@.session_new_token(found_session);
	PERFORM @extschema@.session_push(found_session.instance_id, found_session.id, 'tenant.session.rotated',
		made.payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('reason', reason));
	session_id := found_session.id;
	new_token := made.token;
	expires_at := found_session.expires_at;
END
$fn$;

------------------------------------------------------------------------------
-- Session functions.
------------------------------------------------------------------------------

-- A new session of an active member of the tenant in one of its enabled
-- realms, after the application has authenticated the principal.  The
-- application creates it inside the tenant (or the operator, anywhere);
-- with an acting principal other than the session's, only an owner or admin
-- may.  The token (prefix "mts_", 256 random bits) is returned here only.
CREATE FUNCTION @extschema@.create_session(
	principal_id text,
	realm_id text,
	kind text DEFAULT 'browser',
	idle_timeout interval DEFAULT '30 minutes',
	absolute_timeout interval DEFAULT '12 hours',
	format text DEFAULT 'opaque',
	tenant text DEFAULT @extschema@.current_tenant(),
	OUT session_id text,
	OUT token text,
	OUT expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	action CONSTANT text := 'tenant.session.added';
	actor CONSTANT text := @extschema@.current_actor();
	registry @extschema@.tenants;
	realm_enabled boolean;
	made record;
BEGIN
	IF principal_id IS NULL OR realm_id IS NULL OR kind IS NULL OR idle_timeout IS NULL
	   OR absolute_timeout IS NULL OR format IS NULL THEN
		RAISE EXCEPTION 'create_session: principal_id, realm_id, kind, idle_timeout, absolute_timeout and format must not be null (tenant "%")', tenant
			USING ERRCODE = '22004';
	END IF;
	IF NOT kind OPERATOR(pg_catalog.=) ANY (ARRAY['browser', 'service']) THEN
		RAISE EXCEPTION 'invalid session kind "%"', pg_catalog.left(kind, 100)
			USING ERRCODE = '22023', HINT = 'The kind is browser or service.';
	END IF;
	IF NOT format OPERATOR(pg_catalog.=) ANY (ARRAY['opaque', 'jws', 'jwe']) THEN
		RAISE EXCEPTION 'invalid session token format "%"', pg_catalog.left(format, 100)
			USING ERRCODE = '22023', HINT = 'The format is opaque, jws or jwe.';
	END IF;
	IF NOT pg_catalog.isfinite(idle_timeout) OR NOT pg_catalog.isfinite(absolute_timeout)
	   OR idle_timeout OPERATOR(pg_catalog.<=) '0'::pg_catalog.interval
	   OR absolute_timeout OPERATOR(pg_catalog.<=) '0'::pg_catalog.interval
	   OR absolute_timeout OPERATOR(pg_catalog.>) '1 year'::pg_catalog.interval THEN
		RAISE EXCEPTION 'session lifetimes for principal "%" must be positive (idle %, absolute %)', principal_id, idle_timeout, absolute_timeout
			USING ERRCODE = '22023', HINT = 'The absolute lifetime is at most one year.';
	END IF;
	IF idle_timeout OPERATOR(pg_catalog.>) absolute_timeout THEN
		RAISE EXCEPTION 'idle lifetime % of a session for principal "%" exceeds its absolute lifetime %', idle_timeout, principal_id, absolute_timeout
			USING ERRCODE = '22023';
	END IF;
	registry := @extschema@.lock_tenant(tenant, 'create_session');
	IF NOT @extschema@.caller_is_operator() THEN
		IF tenant IS DISTINCT FROM @extschema@.current_tenant() THEN
			RAISE EXCEPTION 'permission denied for function multitenant.create_session'
				USING ERRCODE = '42501', DETAIL = pg_catalog.format('Tenant "%s" is not the current tenant.', tenant);
		END IF;
		IF actor IS NOT NULL AND actor OPERATOR(pg_catalog.<>) principal_id THEN
			PERFORM @extschema@.require_member_role(tenant, 'admin', 'create_session');
		END IF;
	END IF;
	IF registry.status OPERATOR(pg_catalog.<>) 'active' THEN
		RAISE EXCEPTION 'tenant "%" is % and gives no sessions', tenant, registry.status USING ERRCODE = '55000';
	END IF;
	PERFORM @extschema@.active_principal(principal_id, 'create_session');
	IF NOT EXISTS (SELECT FROM @extschema@.memberships AS m
	                WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND m.principal_id OPERATOR(pg_catalog.=) principal_id
	                  AND m.status OPERATOR(pg_catalog.=) 'active') THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.principal_sessions',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id),
			'not an active member', '55000',
			pg_catalog.format('principal "%s" is not an active member of tenant "%s"', principal_id, tenant));
	END IF;
	SELECT r.enabled INTO realm_enabled FROM @extschema@.tenant_realms AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.id OPERATOR(pg_catalog.=) realm_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'realm "%" does not exist in tenant "%"', realm_id, tenant USING ERRCODE = '42704';
	END IF;
	IF NOT realm_enabled THEN
		RAISE EXCEPTION 'realm "%" of tenant "%" is disabled', realm_id, tenant USING ERRCODE = '55000';
	END IF;

	session_id := pg_catalog.gen_random_uuid()::pg_catalog.text;
	expires_at := pg_catalog.now() OPERATOR(pg_catalog.+) absolute_timeout;
	made := @extschema@.session_new_token(pg_catalog.jsonb_populate_record(NULL::@extschema@.principal_sessions,
		pg_catalog.jsonb_build_object('instance_id', tenant, 'id', session_id, 'principal_id', principal_id,
		                              'realm_id', realm_id, 'kind', kind, 'format', format, 'expires_at', expires_at)));
	token := made.token;
	PERFORM @extschema@.session_push(tenant, session_id, action,
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
			'principalId', principal_id, 'realmId', realm_id, 'kind', kind, 'format', format,
			'idleTimeout', idle_timeout::pg_catalog.text, 'expiresAt', expires_at, 'createdBy', actor))
		OPERATOR(pg_catalog.||) made.payload);
END
$fn$;

-- A new token for the session the token names, in its format and (for a
-- JWS or JWE) under the tenant's current key; the old one is dead at once.
-- The token is the proof: whoever holds it may rotate it.
CREATE FUNCTION @extschema@.rotate_session(token text, OUT session_id text, OUT new_token text, OUT expires_at timestamptz)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT r.session_id, r.new_token, r.expires_at FROM @extschema@.session_rotate(token, 'requested') AS r
$fn$;

-- Ends a session: its principal (the acting principal), an owner or admin
-- of the tenant, or the operator.
CREATE FUNCTION @extschema@.revoke_session(session_id text, reason text DEFAULT NULL, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.principal_sessions
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	target @extschema@.principal_sessions;
BEGIN
	IF session_id IS NULL THEN
		RAISE EXCEPTION 'revoke_session: session_id must not be null (tenant "%")', tenant USING ERRCODE = '22004';
	END IF;
	PERFORM @extschema@.lock_tenant(tenant, 'revoke_session');
	SELECT s.* INTO target FROM @extschema@.principal_sessions AS s
	 WHERE s.instance_id OPERATOR(pg_catalog.=) tenant AND s.id OPERATOR(pg_catalog.=) session_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'session "%" does not exist in tenant "%"', session_id, tenant USING ERRCODE = '42704';
	END IF;
	IF @extschema@.caller_is_operator()
	   OR (tenant OPERATOR(pg_catalog.=) @extschema@.current_tenant()
	       AND target.principal_id OPERATOR(pg_catalog.=) @extschema@.current_actor()) THEN
		NULL;
	ELSE
		PERFORM @extschema@.require_member_role(tenant, 'admin', 'revoke_session');
	END IF;
	IF target.status OPERATOR(pg_catalog.<>) 'active' THEN
		RETURN target;
	END IF;
	RETURN @extschema@.session_push(tenant, session_id, 'tenant.session.revoked',
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('reason', reason)));
END
$fn$;

-- Revokes every active session of a principal, in every tenant (its
-- deactivation); each tenant is locked first, in one order.
CREATE FUNCTION @extschema@.revoke_principal_sessions(principal_id text, reason text)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	tenant text;
	sid text;
	n integer := 0;
BEGIN
	FOR tenant IN
		SELECT DISTINCT s.instance_id FROM @extschema@.principal_sessions AS s
		 WHERE s.principal_id OPERATOR(pg_catalog.=) principal_id AND s.status OPERATOR(pg_catalog.=) 'active'
		 ORDER BY 1
	LOOP
		PERFORM @extschema@.lock_tenant(tenant, 'revoke_principal_sessions');
		FOR sid IN
			SELECT s.id FROM @extschema@.principal_sessions AS s
			 WHERE s.instance_id OPERATOR(pg_catalog.=) tenant AND s.principal_id OPERATOR(pg_catalog.=) principal_id
			   AND s.status OPERATOR(pg_catalog.=) 'active'
			 ORDER BY s.id
		LOOP
			PERFORM @extschema@.session_push(tenant, sid, 'tenant.session.revoked',
				pg_catalog.jsonb_build_object('reason', reason));
			n := n OPERATOR(pg_catalog.+) 1;
		END LOOP;
	END LOOP;
	RETURN n;
END
$fn$;

-- validate_session(token, enter): the tenant, principal, realm, kind and
-- expiry of a valid token (active, within both lifetimes, of an active
-- member and principal, in an enabled realm of an active tenant); with
-- enter, the tenant and the principal as actor are entered for the rest of
-- the transaction, as a lookup's tenant_token does.  Every bad token gets
-- the same 28000 and enters nothing.
CREATE FUNCTION @extschema@.validate_session(token text, enter boolean DEFAULT false)
RETURNS TABLE (tenant text, principal_id text, realm_id text, kind text, expires_at timestamptz, session_id text,
               rotated_token text)
AS 'MODULE_PATHNAME', 'mt_validate_session'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;

CREATE OR REPLACE FUNCTION @extschema@.set_principal_status(id text, status text, reason text DEFAULT NULL)
RETURNS @extschema@.principals
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	existing @extschema@.principals;
	keeping text[] := '{}';
	tenant text;
	result @extschema@.principals;
BEGIN
	PERFORM @extschema@.require_principal_self(id, 'set_principal_status');
	IF status IS NULL THEN
		RAISE EXCEPTION 'status of principal "%" must not be null', id USING ERRCODE = '22004';
	END IF;
	IF NOT status OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'inactive']) THEN
		RAISE EXCEPTION 'invalid status "%" for principal "%"', status, id
			USING ERRCODE = '22023', HINT = 'The status is active or inactive.';
	END IF;
	SELECT p.* INTO STRICT existing FROM @extschema@.principals AS p
	 WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) id;
	IF existing.status OPERATOR(pg_catalog.=) status THEN
		RAISE EXCEPTION 'principal "%" is already %', id, status USING ERRCODE = '55000';
	END IF;
	IF status OPERATOR(pg_catalog.=) 'active' AND NOT @extschema@.caller_is_operator() THEN
		PERFORM @extschema@.refuse_lifecycle('system', 'principal.reactivated', 'multitenant.principals',
			pg_catalog.jsonb_build_object('instance_id', 'system', 'id', id),
			'only the operator reactivates a principal', '42501',
			pg_catalog.format('permission denied to reactivate principal "%s"', id),
			'Only the operator reactivates a principal.');
	END IF;
	IF status OPERATOR(pg_catalog.=) 'inactive' THEN
		keeping := @extschema@.lock_principal_tenants(id, 'set_principal_status');
	END IF;
	result := @extschema@.principal_push(id,
		CASE status WHEN 'active' THEN 'principal.reactivated' ELSE 'principal.deactivated' END,
		CASE WHEN reason IS NULL THEN NULL ELSE pg_catalog.jsonb_build_object('reason', reason) END,
		@extschema@.principal_version(id));
	-- Its sessions end with it, in every tenant (see 28_sessions.sql).
	IF status OPERATOR(pg_catalog.=) 'inactive' THEN
		PERFORM @extschema@.revoke_principal_sessions(id, 'principal deactivated');
	END IF;
	FOREACH tenant IN ARRAY keeping LOOP
		PERFORM @extschema@.check_tenant_invariant(tenant, true, 'principal.deactivated',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', id));
	END LOOP;
	RETURN result;
END
$fn$;

-- Session events stored before 1.4 become rows as a fresh install would
-- have reduced them.
SELECT @extschema@.rebuild_many(ARRAY['@extschema@.principal_sessions']::pg_catalog.regclass[]);

REVOKE ALL ON FUNCTION
	@extschema@.session_push(text, text, text, jsonb),
	@extschema@.session_by_token(text),
	@extschema@.session_new_token(@extschema@.principal_sessions),
	@extschema@.session_rotate(text, text),
	@extschema@.create_session(text, text, text, interval, interval, text, text),
	@extschema@.rotate_session(text),
	@extschema@.revoke_session(text, text, text),
	@extschema@.revoke_principal_sessions(text, text),
	@extschema@.session_key_create(text, text),
	@extschema@.session_token_issue(text, text, jsonb),
	@extschema@.session_key_audit(text, text, text, jsonb, text),
	@extschema@.current_session_key(text, text),
	@extschema@.rotate_session_key(text, text),
	@extschema@.retire_session_key(text, text),
	@extschema@.session_jwks(text),
	@extschema@.validate_session(text, boolean)
FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
	@extschema@.create_session(text, text, text, interval, interval, text, text),
	@extschema@.rotate_session(text),
	@extschema@.revoke_session(text, text, text),
	@extschema@.validate_session(text, boolean),
	@extschema@.rotate_session_key(text, text),
	@extschema@.retire_session_key(text, text),
	@extschema@.session_jwks(text)
TO multitenant_app, multitenant_admin;

-- session_key_create and session_token_issue are granted to nobody: they
-- check that the extension's own functions call them.
GRANT EXECUTE ON FUNCTION
	@extschema@.session_push(text, text, text, jsonb),
	@extschema@.session_by_token(text),
	@extschema@.revoke_principal_sessions(text, text),
	@extschema@.session_key_audit(text, text, text, jsonb, text),
	@extschema@.current_session_key(text, text),
	@extschema@.session_new_token(@extschema@.principal_sessions),
	@extschema@.session_rotate(text, text)
TO multitenant_admin;

------------------------------------------------------------------------------
-- Event store: push_many of an array of objects (sql/src/02_event_store.sql).
------------------------------------------------------------------------------

-- The same batch as an array of objects, as a driver passes an array
-- (push_many(VARIADIC $1::jsonb[])).  VARIADIC keeps a call with one literal,
-- push_many('[...]'), resolving to the JSON-array form.
CREATE FUNCTION @extschema@.push_many(VARIADIC events jsonb[])
RETURNS SETOF @extschema@.events
AS 'MODULE_PATHNAME', 'mt_push_many_array'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

REVOKE ALL ON FUNCTION @extschema@.push_many(jsonb[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.push_many(jsonb[]) TO multitenant_app, multitenant_admin;
