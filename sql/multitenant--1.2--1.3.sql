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
-- The acting principal: sign_tenant(instance_id, ttl, actor) puts an actor
-- into the token (a token format of its own, src/tenant_context.c), and
-- current_actor() reads it, or multitenant.actor in unsigned mode.
------------------------------------------------------------------------------

-- A function cannot gain a parameter in place: sign_tenant is replaced, and
-- whoever could execute it (multitenant_admin, and any role an
-- administrator granted it to) can execute the new one.  Two-argument calls
-- resolve to it through the defaults.
DO $sign_tenant$
DECLARE
	grantees pg_catalog.text[];
	g pg_catalog.text;
BEGIN
	SELECT pg_catalog.array_agg(CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
	                                 ELSE pg_catalog.quote_ident(r.rolname) END)
	  INTO grantees
	  FROM pg_catalog.pg_proc AS p
	 CROSS JOIN LATERAL pg_catalog.aclexplode(p.proacl) AS a
	  LEFT JOIN pg_catalog.pg_roles AS r ON r.oid OPERATOR(pg_catalog.=) a.grantee
	 WHERE p.oid OPERATOR(pg_catalog.=) '@extschema@.sign_tenant(text, interval)'::pg_catalog.regprocedure
	   AND a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE'
	   AND a.grantee OPERATOR(pg_catalog.<>) p.proowner;
	DROP FUNCTION @extschema@.sign_tenant(text, interval);
	CREATE FUNCTION @extschema@.sign_tenant(instance_id text, ttl interval DEFAULT '15 minutes', actor text DEFAULT NULL)
	RETURNS text
	AS 'MODULE_PATHNAME', 'mt_sign_tenant'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
	FOREACH g IN ARRAY COALESCE(grantees, '{}'::pg_catalog.text[]) LOOP
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@.sign_tenant(text, interval, text) TO %s', g);
	END LOOP;
END
$sign_tenant$;

CREATE FUNCTION @extschema@.current_actor()
RETURNS text
AS 'MODULE_PATHNAME', 'mt_current_actor'
LANGUAGE C STABLE PARALLEL SAFE;

------------------------------------------------------------------------------
-- Tenants registry: multitenant.tenants, its reducers and the operator
-- functions.  The tenants registry (projection of the `tenant` aggregate: aggregate_id =
-- instance_id = the tenant).  Operators change it through create_tenant,
-- update_tenant and set_tenant_status, which push the events; the reducers
-- below write the rows, so rebuild gives the table inline reduction gives.
-- A tenant the registry marks suspended or inactive cannot be entered, and a
-- session inside it sees nothing (src/tenant_context.c); a tenant that is
-- not in the registry stays enterable.
------------------------------------------------------------------------------

-- Settings are a small documented object: unknown top-level keys and values
-- of the wrong type are refused (22023 naming the key), and so is an object
-- of more than 8192 bytes as text (54000).  The reducers call it too, so a
-- tenant event pushed around the operator functions is held to the same rules.
CREATE FUNCTION @extschema@.check_tenant_settings(settings jsonb, tenant text)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	max_bytes CONSTANT integer := 8192;
	size integer;
	k text;
	v jsonb;
	ik text;
	iv jsonb;
BEGIN
	-- No settings in an event's payload: nothing to check or change.
	IF settings IS NULL THEN
		RETURN NULL;
	END IF;
	IF pg_catalog.jsonb_typeof(settings) OPERATOR(pg_catalog.<>) 'object' THEN
		RAISE EXCEPTION 'settings of tenant "%" must be a JSON object, not %', tenant, pg_catalog.jsonb_typeof(settings)
			USING ERRCODE = '22023';
	END IF;
	size := pg_catalog.octet_length(settings::pg_catalog.text);
	IF size OPERATOR(pg_catalog.>) max_bytes THEN
		RAISE EXCEPTION 'settings of tenant "%" are too large (% bytes, at most %)', tenant, size, max_bytes
			USING ERRCODE = '54000';
	END IF;
	FOR k, v IN SELECT s.key, s.value FROM pg_catalog.jsonb_each(settings) AS s LOOP
		IF k OPERATOR(pg_catalog.=) 'features' OR k OPERATOR(pg_catalog.=) 'branding' OR k OPERATOR(pg_catalog.=) 'limits' THEN
			IF pg_catalog.jsonb_typeof(v) OPERATOR(pg_catalog.<>) 'object' THEN
				RAISE EXCEPTION 'settings key "%" of tenant "%" must be a JSON object', k, tenant USING ERRCODE = '22023';
			END IF;
			FOR ik, iv IN SELECT s.key, s.value FROM pg_catalog.jsonb_each(v) AS s LOOP
				IF k OPERATOR(pg_catalog.=) 'features' AND pg_catalog.jsonb_typeof(iv) OPERATOR(pg_catalog.<>) 'boolean' THEN
					RAISE EXCEPTION 'settings key "features.%" of tenant "%" must be a boolean', ik, tenant USING ERRCODE = '22023';
				ELSIF k OPERATOR(pg_catalog.=) 'branding' AND pg_catalog.jsonb_typeof(iv) OPERATOR(pg_catalog.<>) 'string' THEN
					RAISE EXCEPTION 'settings key "branding.%" of tenant "%" must be a string', ik, tenant USING ERRCODE = '22023';
				ELSIF k OPERATOR(pg_catalog.=) 'limits'
				  AND (pg_catalog.jsonb_typeof(iv) OPERATOR(pg_catalog.<>) 'number'
				       OR iv::pg_catalog.text OPERATOR(pg_catalog.!~) '^[0-9]{1,18}$') THEN
					RAISE EXCEPTION 'settings key "limits.%" of tenant "%" must be a non-negative integer', ik, tenant USING ERRCODE = '22023';
				END IF;
			END LOOP;
		ELSIF k OPERATOR(pg_catalog.=) 'locale' OR k OPERATOR(pg_catalog.=) 'timezone' THEN
			IF pg_catalog.jsonb_typeof(v) OPERATOR(pg_catalog.<>) 'string'
			   OR pg_catalog.length(v OPERATOR(pg_catalog.#>>) '{}') NOT BETWEEN 1 AND 64 THEN
				RAISE EXCEPTION 'settings key "%" of tenant "%" must be a string of 1 to 64 characters', k, tenant USING ERRCODE = '22023';
			END IF;
		ELSE
			RAISE EXCEPTION 'unknown settings key "%" for tenant "%"', k, tenant
				USING ERRCODE = '22023',
				      HINT = 'The known keys are features, branding, locale, timezone and limits.';
		END IF;
	END LOOP;
	RETURN settings;
END
$fn$;

-- The row of the system tenant has no event: it comes with the extension,
-- with fixed timestamps, so that every install and every upgrade holds the
-- same row, and the tenants_changed trigger (src/tenant_context.c) puts it
-- back whenever a rebuild or an instance.removed deletes it.  The operator
-- functions refuse to change it, so it is always the extension's row (and
-- pg_dump leaves it to CREATE EXTENSION).
CREATE TABLE @extschema@.tenants (
	instance_id       text        NOT NULL,
	id                text        NOT NULL,
	name              text        NOT NULL,
	type              text        NOT NULL DEFAULT 'standard',
	status            text        NOT NULL DEFAULT 'active',
	settings          jsonb       NOT NULL DEFAULT '{}',
	external_group_id text,
	created_at        timestamptz NOT NULL,
	changed_at        timestamptz NOT NULL,
	CONSTRAINT tenants_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT tenants_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT tenants_id_check CHECK (instance_id OPERATOR(pg_catalog.=) id),
	CONSTRAINT tenants_type_check CHECK (type OPERATOR(pg_catalog.=) ANY (ARRAY['enterprise', 'standard', 'trial', 'demo'])),
	CONSTRAINT tenants_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'suspended', 'inactive'])),
	CONSTRAINT tenants_external_group_id_check CHECK (external_group_id OPERATOR(pg_catalog.<>) '')
);

-- An external group names one tenant across all of them.
CREATE UNIQUE INDEX tenants_external_group_id_key ON @extschema@.tenants (external_group_id)
	WHERE external_group_id IS NOT NULL;

SELECT @extschema@.enable_tenant_isolation('@extschema@.tenants');
GRANT SELECT ON @extschema@.tenants TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tenants', $$WHERE id OPERATOR(pg_catalog.<>) 'system'$$);

-- Backends cache which tenants are suspended or inactive, so every change
-- invalidates the table's relcache entry; and whenever rows are deleted or
-- truncated (a rebuild, an instance.removed) it puts the system row back.
CREATE FUNCTION @extschema@.tenants_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mt_tenants_changed'
LANGUAGE C;

CREATE TRIGGER tenants_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.tenants
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.tenants_changed();

-- The trigger writes the system row.
TRUNCATE @extschema@.tenants;

------------------------------------------------------------------------------
-- Reducers: tenants (aggregate `tenant`, aggregate_id = instance_id).
-- Payload keys: name, type, settings, externalGroupId ('' clears it),
-- reason (status events; kept in the event only).
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.tenants', 'tenant.added', 'insert',
	set => $${"name": "multitenant.payload_text(e.payload, 'name')",
	          "type": "COALESCE(multitenant.payload_text(e.payload, 'type'), 'standard')",
	          "status": "'active'",
	          "settings": "multitenant.check_tenant_settings(COALESCE(e.payload OPERATOR(pg_catalog.->) 'settings', '{}'), e.aggregate_id)",
	          "external_group_id": "NULLIF(multitenant.payload_text(e.payload, 'externalGroupId'), '')",
	          "created_at": "e.created_at",
	          "changed_at": "e.created_at"}$$);

SELECT @extschema@.register_reducer('@extschema@.tenants', 'tenant.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "type": "COALESCE(multitenant.payload_text(e.payload, 'type'), t.type)",
	          "settings": "COALESCE(multitenant.check_tenant_settings(e.payload OPERATOR(pg_catalog.->) 'settings', e.aggregate_id), t.settings)",
	          "external_group_id": "CASE WHEN e.payload OPERATOR(pg_catalog.?) 'externalGroupId' THEN NULLIF(multitenant.payload_text(e.payload, 'externalGroupId'), '') ELSE t.external_group_id END",
	          "changed_at": "e.created_at"}$$);

SELECT @extschema@.register_reducer('@extschema@.tenants', 'tenant.suspended', 'update',
	set => $${"status": "'suspended'", "changed_at": "e.created_at"}$$);

SELECT @extschema@.register_reducer('@extschema@.tenants', 'tenant.reactivated', 'update',
	set => $${"status": "'active'", "changed_at": "e.created_at"}$$);

SELECT @extschema@.register_reducer('@extschema@.tenants', 'tenant.deactivated', 'update',
	set => $${"status": "'inactive'", "changed_at": "e.created_at"}$$);

SELECT @extschema@.register_reducer('@extschema@.tenants', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Operator functions: multitenant_admin only (memberships, which would let
-- a tenant's own principals act, do not exist yet).  Each pushes its event
-- into the tenant, expecting the aggregate version it read, so that two
-- concurrent changes of one tenant cannot both pass the checks.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.require_tenant_operator(function_name text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)
	   AND NOT pg_catalog.pg_has_role(CURRENT_USER, 'multitenant_admin', 'USAGE') THEN
		RAISE EXCEPTION 'permission denied for function multitenant.%', function_name
			USING ERRCODE = '42501',
			      DETAIL = 'Only superusers and members of multitenant_admin may call it.';
	END IF;
END
$fn$;

-- The version of a tenant's `tenant` aggregate, read as an administrator
-- (aggregate_version reads the current tenant's, and an operator is in none).
CREATE FUNCTION @extschema@.tenant_version(tenant text)
RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
SELECT COALESCE(pg_catalog.max(e.sequence), 0) FROM @extschema@.events AS e
 WHERE e.instance_id OPERATOR(pg_catalog.=) tenant
   AND e.aggregate_type OPERATOR(pg_catalog.=) 'tenant'
   AND e.aggregate_id OPERATOR(pg_catalog.=) tenant
$fn$;

CREATE FUNCTION @extschema@.create_tenant(
	id text,
	name text,
	type text DEFAULT 'standard',
	settings jsonb DEFAULT '{}',
	external_group_id text DEFAULT NULL)
RETURNS @extschema@.tenants
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	version bigint;
	payload jsonb;
	result @extschema@.tenants;
BEGIN
	PERFORM @extschema@.require_tenant_operator('create_tenant');
	IF id IS NULL OR name IS NULL OR type IS NULL OR settings IS NULL THEN
		RAISE EXCEPTION 'create_tenant: id, name, type and settings must not be null (tenant "%")', id
			USING ERRCODE = '22004';
	END IF;
	IF id OPERATOR(pg_catalog.=) 'system' THEN
		RAISE EXCEPTION 'tenant "system" already exists' USING ERRCODE = '23505';
	END IF;
	IF name OPERATOR(pg_catalog.=) '' THEN
		RAISE EXCEPTION 'name of tenant "%" must not be empty', id USING ERRCODE = '22023';
	END IF;
	IF NOT type OPERATOR(pg_catalog.=) ANY (ARRAY['enterprise', 'standard', 'trial', 'demo']) THEN
		RAISE EXCEPTION 'invalid type "%" for tenant "%"', type, id
			USING ERRCODE = '22023', HINT = 'The type must be enterprise, standard, trial or demo.';
	END IF;
	PERFORM @extschema@.check_tenant_settings(settings, id);
	IF EXISTS (SELECT FROM @extschema@.tenants AS t WHERE t.instance_id OPERATOR(pg_catalog.=) id) THEN
		RAISE EXCEPTION 'tenant "%" already exists', id USING ERRCODE = '23505';
	END IF;
	payload := pg_catalog.jsonb_build_object('name', name, 'type', type, 'settings', settings);
	IF external_group_id IS NOT NULL THEN
		PERFORM @extschema@.check_external_group(id, external_group_id);
		payload := payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('externalGroupId', external_group_id);
	END IF;
	-- A tenant removed with instance.removed keeps its events: expect their version.
	version := @extschema@.tenant_version(id);
	BEGIN
		PERFORM @extschema@.push('tenant', id, 'tenant.added', payload,
		                         expected_sequence => version, instance_id => id);
	EXCEPTION WHEN serialization_failure THEN
		RAISE EXCEPTION 'tenant "%" already exists', id
			USING ERRCODE = '23505', DETAIL = 'Another transaction created it concurrently.';
	END;
	SELECT t.* INTO STRICT result FROM @extschema@.tenants AS t WHERE t.instance_id OPERATOR(pg_catalog.=) id;
	RETURN result;
END
$fn$;

-- external_group_id must be non-empty and free (23505 naming the tenant that has it).
CREATE FUNCTION @extschema@.check_external_group(tenant text, external_group_id text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	holder text;
BEGIN
	IF external_group_id OPERATOR(pg_catalog.=) '' THEN
		RAISE EXCEPTION 'external_group_id of tenant "%" must not be empty', tenant USING ERRCODE = '22023';
	END IF;
	SELECT t.id INTO holder FROM @extschema@.tenants AS t
	 WHERE t.external_group_id OPERATOR(pg_catalog.=) external_group_id
	   AND t.id OPERATOR(pg_catalog.<>) tenant;
	IF holder IS NOT NULL THEN
		RAISE EXCEPTION 'external_group_id "%" of tenant "%" already belongs to tenant "%"', external_group_id, tenant, holder
			USING ERRCODE = '23505';
	END IF;
END
$fn$;

-- NULL leaves a value unchanged; external_group_id => '' clears it.
CREATE FUNCTION @extschema@.update_tenant(
	id text,
	name text DEFAULT NULL,
	type text DEFAULT NULL,
	settings jsonb DEFAULT NULL,
	external_group_id text DEFAULT NULL)
RETURNS @extschema@.tenants
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	version bigint;
	payload jsonb := '{}';
	result @extschema@.tenants;
BEGIN
	PERFORM @extschema@.require_tenant_operator('update_tenant');
	version := @extschema@.tenant_version_for_change(id);
	IF name IS NOT NULL THEN
		IF name OPERATOR(pg_catalog.=) '' THEN
			RAISE EXCEPTION 'name of tenant "%" must not be empty', id USING ERRCODE = '22023';
		END IF;
		payload := payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('name', name);
	END IF;
	IF type IS NOT NULL THEN
		IF NOT type OPERATOR(pg_catalog.=) ANY (ARRAY['enterprise', 'standard', 'trial', 'demo']) THEN
			RAISE EXCEPTION 'invalid type "%" for tenant "%"', type, id
				USING ERRCODE = '22023', HINT = 'The type must be enterprise, standard, trial or demo.';
		END IF;
		payload := payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('type', type);
	END IF;
	IF settings IS NOT NULL THEN
		PERFORM @extschema@.check_tenant_settings(settings, id);
		payload := payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('settings', settings);
	END IF;
	IF external_group_id IS NOT NULL THEN
		IF external_group_id OPERATOR(pg_catalog.<>) '' THEN
			PERFORM @extschema@.check_external_group(id, external_group_id);
		END IF;
		payload := payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('externalGroupId', external_group_id);
	END IF;
	IF payload OPERATOR(pg_catalog.<>) '{}' THEN
		PERFORM @extschema@.push('tenant', id, 'tenant.changed', payload,
		                         expected_sequence => version, instance_id => id);
	END IF;
	SELECT t.* INTO STRICT result FROM @extschema@.tenants AS t WHERE t.instance_id OPERATOR(pg_catalog.=) id;
	RETURN result;
END
$fn$;

-- The tenant's aggregate version, after the checks every change makes: the
-- id is given (22004), the tenant is registered (42704) and is not the
-- built-in system tenant (55000).
CREATE FUNCTION @extschema@.tenant_version_for_change(tenant text)
RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
BEGIN
	IF tenant IS NULL THEN
		RAISE EXCEPTION 'tenant id must not be null' USING ERRCODE = '22004';
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.tenants AS t WHERE t.instance_id OPERATOR(pg_catalog.=) tenant) THEN
		RAISE EXCEPTION 'tenant "%" does not exist', tenant
			USING ERRCODE = '42704', HINT = 'Create it with multitenant.create_tenant().';
	END IF;
	IF tenant OPERATOR(pg_catalog.=) 'system' THEN
		RAISE EXCEPTION 'tenant "system" is built in and cannot be changed' USING ERRCODE = '55000';
	END IF;
	RETURN @extschema@.tenant_version(tenant);
END
$fn$;

-- active <-> suspended, active | suspended -> inactive, inactive -> active;
-- any other change (the same status included) fails with 55000.
CREATE FUNCTION @extschema@.set_tenant_status(id text, status text, reason text DEFAULT NULL)
RETURNS @extschema@.tenants
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	version bigint;
	current_status text;
	event_type text;
	result @extschema@.tenants;
BEGIN
	PERFORM @extschema@.require_tenant_operator('set_tenant_status');
	IF status IS NULL THEN
		RAISE EXCEPTION 'status of tenant "%" must not be null', id USING ERRCODE = '22004';
	END IF;
	IF NOT status OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'suspended', 'inactive']) THEN
		RAISE EXCEPTION 'invalid status "%" for tenant "%"', status, id
			USING ERRCODE = '22023', HINT = 'The status must be active, suspended or inactive.';
	END IF;
	version := @extschema@.tenant_version_for_change(id);
	SELECT t.status INTO STRICT current_status FROM @extschema@.tenants AS t
	 WHERE t.instance_id OPERATOR(pg_catalog.=) id;
	event_type := CASE
		WHEN current_status OPERATOR(pg_catalog.=) 'active' AND status OPERATOR(pg_catalog.=) 'suspended' THEN 'tenant.suspended'
		WHEN current_status OPERATOR(pg_catalog.=) 'suspended' AND status OPERATOR(pg_catalog.=) 'active' THEN 'tenant.reactivated'
		WHEN current_status OPERATOR(pg_catalog.=) 'inactive' AND status OPERATOR(pg_catalog.=) 'active' THEN 'tenant.reactivated'
		WHEN current_status OPERATOR(pg_catalog.<>) 'inactive' AND status OPERATOR(pg_catalog.=) 'inactive' THEN 'tenant.deactivated'
	END;
	IF event_type IS NULL THEN
		RAISE EXCEPTION 'tenant "%" cannot change from status "%" to "%"', id, current_status, status
			USING ERRCODE = '55000',
			      HINT = 'Allowed: active <-> suspended, active or suspended -> inactive, inactive -> active.';
	END IF;
	PERFORM @extschema@.push('tenant', id, event_type,
	                         CASE WHEN reason IS NULL THEN NULL ELSE pg_catalog.jsonb_build_object('reason', reason) END,
	                         expected_sequence => version, instance_id => id);
	SELECT t.* INTO STRICT result FROM @extschema@.tenants AS t WHERE t.instance_id OPERATOR(pg_catalog.=) id;
	RETURN result;
END
$fn$;

-- Tenant events stored before 1.3 (by an application that used the aggregate
-- type) become rows as a fresh install would have reduced them.
SELECT @extschema@.rebuild_many(ARRAY['@extschema@.tenants']::pg_catalog.regclass[]);

------------------------------------------------------------------------------
-- Audit log: who changed which row of an audited tenant table, and how
-- (src/audit.c).  Append-only for every role: only purge_audit_log removes
-- entries, and it records that it did.  Operators (multitenant_admin) read
-- it; applications do not.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.audit_log (
	id              bigint      GENERATED BY DEFAULT AS IDENTITY,
	instance_id     text        NOT NULL,
	actor           text,
	db_role         text        NOT NULL,
	action          text        NOT NULL,
	target_table    text        NOT NULL,
	target_key      jsonb,
	before          jsonb,
	after           jsonb,
	changed_columns text[],
	client_address  text,
	user_agent      text,
	reason          text,
	transaction_id  xid8        NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
	created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT audit_log_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT audit_log_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT audit_log_action_check CHECK (action OPERATOR(pg_catalog.<>) '')
);

-- A tenant's log read by time.
CREATE INDEX audit_log_instance_id_created_at_idx ON @extschema@.audit_log (instance_id, created_at);

CREATE FUNCTION @extschema@.audit_log_immutable()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mt_audit_log_immutable'
LANGUAGE C;

CREATE TRIGGER audit_log_immutable_row
	BEFORE UPDATE OR DELETE ON @extschema@.audit_log
	FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_log_immutable();
CREATE TRIGGER audit_log_immutable_truncate
	BEFORE TRUNCATE ON @extschema@.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_log_immutable();

SELECT @extschema@.enable_tenant_isolation('@extschema@.audit_log');
GRANT SELECT ON @extschema@.audit_log TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.audit_log_id_seq', '');

-- The row trigger enable_audit attaches; its arguments are the excluded
-- columns.
CREATE FUNCTION @extschema@.audit_row()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mt_audit_row'
LANGUAGE C;

CREATE FUNCTION @extschema@.enable_audit(tbl regclass, exclude_columns text[] DEFAULT '{}')
RETURNS void
AS 'MODULE_PATHNAME', 'mt_enable_audit'
LANGUAGE C;

CREATE FUNCTION @extschema@.disable_audit(tbl regclass)
RETURNS void
AS 'MODULE_PATHNAME', 'mt_disable_audit'
LANGUAGE C;

CREATE FUNCTION @extschema@.purge_audit_log(older_than interval, instance_id text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'mt_purge_audit_log'
LANGUAGE C;

------------------------------------------------------------------------------
-- Lifecycle building blocks: caller_is_operator (src/catalog.c),
-- issue_secret (src/tokens.c) and audit_lifecycle (src/audit.c), which the
-- tenant lifecycle functions call.  Internal: the grants section below
-- revokes EXECUTE from PUBLIC and grants them to nobody.
------------------------------------------------------------------------------

-- Whether the role in effect outside any SECURITY DEFINER function (the
-- session user, or whom SET ROLE chose) is a superuser or has the privileges
-- of multitenant_admin.  Inside a definer function current_user is its
-- owner, so the lifecycle functions ask this instead.  Internal: no grants.
CREATE FUNCTION @extschema@.caller_is_operator()
RETURNS boolean
AS 'MODULE_PATHNAME', 'mt_caller_is_operator_sql'
LANGUAGE C STABLE PARALLEL SAFE;

-- A new secret: prefix (at most 16 bytes of [A-Za-z0-9_]) followed by the
-- unpadded base64url of 32 random bytes, as create_pat makes its tokens.
-- Callers keep only pg_catalog.sha256(pg_catalog.convert_to(secret, 'UTF8')).
-- Internal: no grants.
CREATE FUNCTION @extschema@.issue_secret(prefix text)
RETURNS text
AS 'MODULE_PATHNAME', 'mt_issue_secret'
LANGUAGE C VOLATILE PARALLEL SAFE;

-- One entry for a change or a refusal of the tenant lifecycle functions:
-- db_role is the role outside their SECURITY DEFINER (the caller), actor,
-- client address and user agent come from the settings, changed_columns
-- are the top-level keys whose values differ when both images are objects.
-- refused => true commits the entry through a background worker, so that it
-- survives the error the caller raises next (src/audit.c).  Internal: no
-- grants.
CREATE FUNCTION @extschema@.audit_lifecycle(instance_id text, action text, target_table text, target_key jsonb,
                                            before jsonb, after jsonb, reason text DEFAULT NULL,
                                            refused boolean DEFAULT false)
RETURNS void
AS 'MODULE_PATHNAME', 'mt_audit_lifecycle'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

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
	@extschema@.current_actor(),
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

GRANT EXECUTE ON FUNCTION
	@extschema@.create_tenant(text, text, text, jsonb, text),
	@extschema@.update_tenant(text, text, text, jsonb, text),
	@extschema@.set_tenant_status(text, text, text),
	@extschema@.check_tenant_settings(jsonb, text),
	@extschema@.check_external_group(text, text),
	@extschema@.require_tenant_operator(text),
	@extschema@.tenant_version_for_change(text),
	@extschema@.tenant_version(text)
TO multitenant_admin;

GRANT EXECUTE ON FUNCTION
	@extschema@.enable_audit(regclass, text[]),
	@extschema@.disable_audit(regclass),
	@extschema@.purge_audit_log(interval, text)
TO multitenant_admin;

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
