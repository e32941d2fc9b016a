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
-- same row, and the tenants_emptied trigger (src/tenant_context.c) puts it
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

-- Backends cache which tenants are suspended or inactive: a row whose
-- change can alter that set (a status that changes, a suspended or inactive
-- row inserted or deleted) invalidates the table's relcache entry, and only
-- such a row, so that registering active tenants does not make every
-- backend reload the registry and re-plan.  Whenever rows are deleted or
-- truncated (a rebuild, an instance.removed) the statement trigger puts the
-- system row back.
CREATE FUNCTION @extschema@.tenants_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mt_tenants_changed'
LANGUAGE C;

CREATE TRIGGER tenants_changed
	AFTER INSERT OR UPDATE OR DELETE ON @extschema@.tenants
	FOR EACH ROW EXECUTE FUNCTION @extschema@.tenants_changed();

CREATE TRIGGER tenants_emptied
	AFTER DELETE OR TRUNCATE ON @extschema@.tenants
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
-- Operator functions: multitenant_admin only (a tenant's own principals
-- manage its members, not its registry row).  Each pushes its event
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
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	-- The newest event only: one probe of the primary key, however long the
	-- tenant's history (PL/pgSQL keeps the plan).
	RETURN COALESCE((SELECT e.sequence FROM @extschema@.events AS e
	                  WHERE e.instance_id OPERATOR(pg_catalog.=) tenant
	                    AND e.aggregate_type OPERATOR(pg_catalog.=) 'tenant'
	                    AND e.aggregate_id OPERATOR(pg_catalog.=) tenant
	                  ORDER BY e.sequence DESC
	                  LIMIT 1), 0);
END
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
	PERFORM @extschema@.audit_lifecycle(id, 'tenant.added', 'multitenant.tenants',
		pg_catalog.jsonb_build_object('instance_id', id, 'id', id), NULL, pg_catalog.to_jsonb(result));
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
	before jsonb;
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
	SELECT t.* INTO STRICT result FROM @extschema@.tenants AS t WHERE t.instance_id OPERATOR(pg_catalog.=) id;
	IF payload OPERATOR(pg_catalog.<>) '{}' THEN
		before := pg_catalog.to_jsonb(result);
		PERFORM @extschema@.push('tenant', id, 'tenant.changed', payload,
		                         expected_sequence => version, instance_id => id);
		SELECT t.* INTO STRICT result FROM @extschema@.tenants AS t WHERE t.instance_id OPERATOR(pg_catalog.=) id;
		PERFORM @extschema@.audit_lifecycle(id, 'tenant.changed', 'multitenant.tenants',
			pg_catalog.jsonb_build_object('instance_id', id, 'id', id), before, pg_catalog.to_jsonb(result));
	END IF;
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
	before jsonb;
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
	SELECT pg_catalog.to_jsonb(t) INTO STRICT before FROM @extschema@.tenants AS t WHERE t.instance_id OPERATOR(pg_catalog.=) id;
	PERFORM @extschema@.push('tenant', id, event_type,
	                         CASE WHEN reason IS NULL THEN NULL ELSE pg_catalog.jsonb_build_object('reason', reason) END,
	                         expected_sequence => version, instance_id => id);
	SELECT t.* INTO STRICT result FROM @extschema@.tenants AS t WHERE t.instance_id OPERATOR(pg_catalog.=) id;
	PERFORM @extschema@.audit_lifecycle(id, event_type, 'multitenant.tenants',
		pg_catalog.jsonb_build_object('instance_id', id, 'id', id), before, pg_catalog.to_jsonb(result), reason);
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
-- it; applications read their tenant's entries when the acting principal is
-- one of its owners or admins (the tenant_admins_only policy, 25_lifecycle).
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
-- Tenant lifecycle: principals, memberships, custom roles and registration.
-- Every lifecycle change of a tenant takes the tenant's row lock and pushes
-- on the tenant's aggregate expecting the version read under it; the tables
-- are projections, filled by the reducers from the events (none exist
-- before 1.3).
------------------------------------------------------------------------------

------------------------------------------------------------------------------
-- Principals: platform-wide, their events in the system tenant (aggregate
-- `principal`).  An application sees the acting principal and the members of
-- its current tenant, nobody else.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.principals (
	instance_id  text        NOT NULL DEFAULT 'system',
	id           text        NOT NULL,
	kind         text        NOT NULL,
	email        text,
	display_name text,
	user_type    text        NOT NULL,
	external_id  text,
	verified     boolean     NOT NULL DEFAULT false,
	status       text        NOT NULL DEFAULT 'active',
	metadata     jsonb       NOT NULL DEFAULT '{}',
	created_at   timestamptz NOT NULL,
	changed_at   timestamptz NOT NULL,
	CONSTRAINT principals_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT principals_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.=) 'system'),
	CONSTRAINT principals_id_check CHECK (id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT principals_kind_check CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['user', 'client'])),
	CONSTRAINT principals_email_check CHECK ((kind OPERATOR(pg_catalog.=) 'user') OPERATOR(pg_catalog.=) (email IS NOT NULL)),
	CONSTRAINT principals_user_type_check CHECK (user_type OPERATOR(pg_catalog.=) ANY (ARRAY['system_admin', 'regular', 'service_account', 'guest'])),
	CONSTRAINT principals_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'inactive'])),
	CONSTRAINT principals_metadata_check CHECK (pg_catalog.jsonb_typeof(metadata) OPERATOR(pg_catalog.=) 'object')
);

CREATE UNIQUE INDEX principals_email_key ON @extschema@.principals (instance_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX principals_external_id_key ON @extschema@.principals (instance_id, external_id) WHERE external_id IS NOT NULL;

ALTER TABLE @extschema@.principals ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.principals FORCE ROW LEVEL SECURITY;
CREATE POLICY principals_admin ON @extschema@.principals AS PERMISSIVE FOR ALL TO multitenant_admin
	USING (true) WITH CHECK (true);
GRANT SELECT ON @extschema@.principals TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.principals', '');

------------------------------------------------------------------------------
-- Memberships: which principals belong to a tenant, with which role.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.memberships (
	instance_id    text        NOT NULL,
	principal_id   text        NOT NULL,
	role           text        NOT NULL,
	status         text        NOT NULL DEFAULT 'active',
	invited_by     text,
	invited_at     timestamptz,
	accepted_at    timestamptz,
	last_active_at timestamptz,
	created_at     timestamptz NOT NULL,
	changed_at     timestamptz NOT NULL,
	CONSTRAINT memberships_pkey PRIMARY KEY (instance_id, principal_id),
	CONSTRAINT memberships_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT memberships_role_check CHECK (role OPERATOR(pg_catalog.=) ANY (ARRAY['owner', 'admin', 'member', 'viewer'])),
	CONSTRAINT memberships_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'invited', 'suspended'])),
	CONSTRAINT memberships_accepted_at_check CHECK (accepted_at OPERATOR(pg_catalog.>) invited_at)
);

-- The tenants of a principal, across tenants (the principals policy, has_role).
CREATE INDEX memberships_principal_id_idx ON @extschema@.memberships (principal_id, instance_id);
-- A tenant's owners (the invariant's check), admins and so on.
CREATE INDEX memberships_instance_id_role_idx ON @extschema@.memberships (instance_id, role);

SELECT @extschema@.enable_tenant_isolation('@extschema@.memberships');
GRANT SELECT ON @extschema@.memberships TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.memberships', '');

-- The principals an application sees: the acting one, and the members of the
-- current tenant.
CREATE POLICY principals_visible ON @extschema@.principals AS PERMISSIVE FOR SELECT TO multitenant_app
	USING (id OPERATOR(pg_catalog.=) @extschema@.current_actor()
	       OR EXISTS (SELECT FROM @extschema@.memberships AS m
	                   WHERE m.instance_id OPERATOR(pg_catalog.=) @extschema@.current_tenant()
	                     AND m.principal_id OPERATOR(pg_catalog.=) principals.id));

------------------------------------------------------------------------------
-- Custom roles of a tenant, and which principals hold them.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.custom_roles (
	instance_id text        NOT NULL,
	name        text        NOT NULL,
	description text,
	created_at  timestamptz NOT NULL,
	changed_at  timestamptz NOT NULL,
	CONSTRAINT custom_roles_pkey PRIMARY KEY (instance_id, name),
	CONSTRAINT custom_roles_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.custom_roles');
GRANT SELECT ON @extschema@.custom_roles TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.custom_roles', '');

CREATE TABLE @extschema@.principal_custom_roles (
	instance_id  text        NOT NULL,
	principal_id text        NOT NULL,
	role_name    text        NOT NULL,
	granted_by   text,
	created_at   timestamptz NOT NULL,
	CONSTRAINT principal_custom_roles_pkey PRIMARY KEY (instance_id, principal_id, role_name),
	CONSTRAINT principal_custom_roles_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

CREATE INDEX principal_custom_roles_role_name_idx ON @extschema@.principal_custom_roles (instance_id, role_name);

SELECT @extschema@.enable_tenant_isolation('@extschema@.principal_custom_roles');
GRANT SELECT ON @extschema@.principal_custom_roles TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.principal_custom_roles', '');

------------------------------------------------------------------------------
-- Reducers.  Principals: aggregate `principal` (aggregate_id = the
-- principal) in the system tenant; payload keys kind, email, displayName,
-- userType, externalId ('' clears it), verified, metadata, reason.
-- Memberships and custom roles: aggregate `tenant` (aggregate_id = the
-- tenant); payload keys principalId, role, status, invitedBy, invitedAt,
-- acceptedAt, name, description, reason.
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.principals', 'principal.added', 'insert',
	set => $${"kind": "multitenant.payload_text(e.payload, 'kind')",
	          "email": "multitenant.payload_text(e.payload, 'email')",
	          "display_name": "multitenant.payload_text(e.payload, 'displayName')",
	          "user_type": "COALESCE(multitenant.payload_text(e.payload, 'userType'), CASE multitenant.payload_text(e.payload, 'kind') WHEN 'client' THEN 'service_account' ELSE 'regular' END)",
	          "external_id": "NULLIF(multitenant.payload_text(e.payload, 'externalId'), '')",
	          "verified": "COALESCE(multitenant.payload_bool(e.payload, 'verified'), false)",
	          "status": "'active'",
	          "metadata": "COALESCE(e.payload OPERATOR(pg_catalog.->) 'metadata', '{}')",
	          "created_at": "e.created_at",
	          "changed_at": "e.created_at"}$$);

-- A new e-mail address is unverified until verify_principal says otherwise.
SELECT @extschema@.register_reducer('@extschema@.principals', 'principal.changed', 'update',
	set => $${"email": "COALESCE(multitenant.payload_text(e.payload, 'email'), t.email)",
	          "verified": "CASE WHEN e.payload OPERATOR(pg_catalog.?) 'email' AND multitenant.payload_text(e.payload, 'email') IS DISTINCT FROM t.email THEN false ELSE t.verified END",
	          "display_name": "CASE WHEN e.payload OPERATOR(pg_catalog.?) 'displayName' THEN multitenant.payload_text(e.payload, 'displayName') ELSE t.display_name END",
	          "external_id": "CASE WHEN e.payload OPERATOR(pg_catalog.?) 'externalId' THEN NULLIF(multitenant.payload_text(e.payload, 'externalId'), '') ELSE t.external_id END",
	          "metadata": "COALESCE(e.payload OPERATOR(pg_catalog.->) 'metadata', t.metadata)",
	          "changed_at": "e.created_at"}$$,
	match => '{"id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.principals', 'principal.verified', 'update',
	set => $${"verified": "true", "changed_at": "e.created_at"}$$);

SELECT @extschema@.register_reducer('@extschema@.principals', 'principal.deactivated', 'update',
	set => $${"status": "'inactive'", "changed_at": "e.created_at"}$$);

SELECT @extschema@.register_reducer('@extschema@.principals', 'principal.reactivated', 'update',
	set => $${"status": "'active'", "changed_at": "e.created_at"}$$);

SELECT @extschema@.register_reducer('@extschema@.memberships', 'tenant.member.added', 'insert',
	set => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')",
	          "role": "multitenant.payload_text(e.payload, 'role')",
	          "status": "COALESCE(multitenant.payload_text(e.payload, 'status'), 'active')",
	          "invited_by": "multitenant.payload_text(e.payload, 'invitedBy')",
	          "invited_at": "multitenant.payload_timestamptz(e.payload, 'invitedAt')",
	          "accepted_at": "multitenant.payload_timestamptz(e.payload, 'acceptedAt')",
	          "last_active_at": "multitenant.payload_timestamptz(e.payload, 'acceptedAt')",
	          "created_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => '{}');

SELECT @extschema@.register_reducer('@extschema@.memberships', 'tenant.member.role.changed', 'update',
	set => $${"role": "multitenant.payload_text(e.payload, 'role')", "changed_at": "e.created_at"}$$,
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.memberships', 'tenant.member.suspended', 'update',
	set => $${"status": "'suspended'", "changed_at": "e.created_at"}$$,
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.memberships', 'tenant.member.reactivated', 'update',
	set => $${"status": "'active'", "changed_at": "e.created_at"}$$,
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.memberships', 'tenant.member.removed', 'delete',
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.memberships', 'instance.removed', 'delete',
	match => '{}');

SELECT @extschema@.register_reducer('@extschema@.custom_roles', 'tenant.custom_role.added', 'insert',
	set => $${"name": "multitenant.payload_text(e.payload, 'name')",
	          "description": "multitenant.payload_text(e.payload, 'description')",
	          "created_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => '{}');

SELECT @extschema@.register_reducer('@extschema@.custom_roles', 'tenant.custom_role.changed', 'update',
	set => $${"description": "multitenant.payload_text(e.payload, 'description')", "changed_at": "e.created_at"}$$,
	match => $${"name": "multitenant.payload_text(e.payload, 'name')"}$$);

-- A role's grants go first, then the role.
SELECT @extschema@.register_reducer('@extschema@.principal_custom_roles', 'tenant.custom_role.removed', 'delete',
	match => $${"role_name": "multitenant.payload_text(e.payload, 'name')"}$$);

SELECT @extschema@.register_reducer('@extschema@.custom_roles', 'tenant.custom_role.removed', 'delete',
	match => $${"name": "multitenant.payload_text(e.payload, 'name')"}$$);

SELECT @extschema@.register_reducer('@extschema@.custom_roles', 'instance.removed', 'delete',
	match => '{}');

SELECT @extschema@.register_reducer('@extschema@.principal_custom_roles', 'tenant.member.custom_role.granted', 'insert',
	set => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')",
	          "role_name": "multitenant.payload_text(e.payload, 'role')",
	          "granted_by": "multitenant.payload_text(e.payload, 'grantedBy')",
	          "created_at": "e.created_at"}$$,
	match => '{}');

SELECT @extschema@.register_reducer('@extschema@.principal_custom_roles', 'tenant.member.custom_role.revoked', 'delete',
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')",
	            "role_name": "multitenant.payload_text(e.payload, 'role')"}$$);

-- A member who leaves keeps no custom role.
SELECT @extschema@.register_reducer('@extschema@.principal_custom_roles', 'tenant.member.removed', 'delete',
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.principal_custom_roles', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Shared checks.
------------------------------------------------------------------------------

-- owner > admin > member > viewer; NULL for anything else.
CREATE FUNCTION @extschema@.role_rank(role text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN CASE WHEN role OPERATOR(pg_catalog.=) 'owner' THEN 4
	            WHEN role OPERATOR(pg_catalog.=) 'admin' THEN 3
	            WHEN role OPERATOR(pg_catalog.=) 'member' THEN 2
	            WHEN role OPERATOR(pg_catalog.=) 'viewer' THEN 1 END;
END
$fn$;

-- The stored form of an e-mail address: trimmed and lower-case, one @, a dot
-- in the domain, no blanks, at most 254 bytes; anything else is 22023.
CREATE FUNCTION @extschema@.normalize_email(email text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	normalized text;
BEGIN
	IF email IS NULL THEN
		RETURN NULL;
	END IF;
	normalized := pg_catalog.lower(pg_catalog.btrim(email));
	IF pg_catalog.octet_length(normalized) OPERATOR(pg_catalog.>) 254
	   OR normalized OPERATOR(pg_catalog.!~) '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:].]+$' THEN
		RAISE EXCEPTION 'invalid e-mail address "%"', pg_catalog.left(email, 300)
			USING ERRCODE = '22023', HINT = 'An e-mail address is local-part@domain, at most 254 bytes.';
	END IF;
	RETURN normalized;
END
$fn$;

-- The tenant's registry row, locked for the rest of the transaction: every
-- lifecycle change of a tenant takes it before reading what it checks.
CREATE FUNCTION @extschema@.lock_tenant(tenant text, function_name text)
RETURNS @extschema@.tenants
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	locked @extschema@.tenants;
BEGIN
	IF tenant IS NULL THEN
		RAISE EXCEPTION '%: tenant must not be null', function_name
			USING ERRCODE = '22004', HINT = 'Enter the tenant first, or pass it as the tenant argument.';
	END IF;
	IF tenant OPERATOR(pg_catalog.=) 'system' THEN
		RAISE EXCEPTION '%: tenant "system" has no members', function_name USING ERRCODE = '55000';
	END IF;
	SELECT t.* INTO locked FROM @extschema@.tenants AS t
	 WHERE t.instance_id OPERATOR(pg_catalog.=) tenant AND t.id OPERATOR(pg_catalog.=) tenant
	   FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'tenant "%" does not exist', tenant
			USING ERRCODE = '42704', HINT = 'Register it with multitenant.register_tenant() or multitenant.create_tenant().';
	END IF;
	RETURN locked;
END
$fn$;

-- Whether the tenant has what it must keep: an active owner membership of an
-- active, verified principal, and an active membership of a verified active
-- user or an active client.
CREATE FUNCTION @extschema@.tenant_keeps_owner(tenant text)
RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN EXISTS (SELECT FROM @extschema@.memberships AS m
	                 JOIN @extschema@.principals AS p
	                   ON p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) m.principal_id
	                WHERE m.instance_id OPERATOR(pg_catalog.=) tenant
	                  AND m.role OPERATOR(pg_catalog.=) 'owner'
	                  AND m.status OPERATOR(pg_catalog.=) 'active'
	                  AND p.status OPERATOR(pg_catalog.=) 'active'
	                  AND p.verified)
	   AND EXISTS (SELECT FROM @extschema@.memberships AS m
	                 JOIN @extschema@.principals AS p
	                   ON p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) m.principal_id
	                WHERE m.instance_id OPERATOR(pg_catalog.=) tenant
	                  AND m.status OPERATOR(pg_catalog.=) 'active'
	                  AND p.status OPERATOR(pg_catalog.=) 'active'
	                  AND (p.verified OR p.kind OPERATOR(pg_catalog.=) 'client'));
END
$fn$;

-- Records a refused lifecycle change in the audit log (kept even though the
-- error rolls the transaction back) and raises the error.
CREATE FUNCTION @extschema@.refuse_lifecycle(
	tenant text, action text, target_table text, target_key jsonb, reason text,
	sqlstate text, message text, hint text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF tenant IS NOT NULL AND tenant OPERATOR(pg_catalog.<>) '' THEN
		PERFORM @extschema@.audit_lifecycle(tenant, action, target_table, target_key, NULL, NULL,
		                                    reason, refused => true);
	END IF;
	IF hint IS NULL THEN
		RAISE EXCEPTION USING MESSAGE = message, ERRCODE = sqlstate;
	END IF;
	RAISE EXCEPTION USING MESSAGE = message, ERRCODE = sqlstate, HINT = hint;
END
$fn$;

-- A change that would leave an active or suspended tenant that had a verified
-- owner without one fails (23514).  Tenants that never had one (created by
-- the operator, not yet given an owner) are exempt until they get one.
CREATE FUNCTION @extschema@.check_tenant_invariant(tenant text, had_owner boolean, action text, target_key jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF had_owner
	   AND EXISTS (SELECT FROM @extschema@.tenants AS t
	                WHERE t.instance_id OPERATOR(pg_catalog.=) tenant
	                  AND t.status OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'suspended']))
	   AND NOT @extschema@.tenant_keeps_owner(tenant) THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.memberships', target_key,
			'the tenant would be left without a verified owner or without a verified user or active client',
			'23514',
			pg_catalog.format('tenant "%s" must keep at least one verified owner and at least one verified user or active client', tenant),
			'Make another verified principal an owner first.');
	END IF;
END
$fn$;

-- Who may change the tenant: the operator (superusers and multitenant_admin,
-- judged by the calling role, not the definer), or the acting principal of
-- the tenant the session is in, with an active membership of at least
-- min_role.  Returns 'operator' or the actor's role.  Volatile: a refusal
-- is written to the audit log.
CREATE FUNCTION @extschema@.require_member_role(tenant text, min_role text, function_name text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor CONSTANT text := @extschema@.current_actor();
	actor_role text;
BEGIN
	IF @extschema@.caller_is_operator() THEN
		RETURN 'operator';
	END IF;
	IF tenant IS DISTINCT FROM @extschema@.current_tenant() THEN
		RAISE EXCEPTION 'permission denied for function multitenant.%', function_name
			USING ERRCODE = '42501',
			      DETAIL = pg_catalog.format('Tenant "%s" is not the current tenant.', tenant);
	END IF;
	IF actor IS NULL THEN
		RAISE EXCEPTION 'permission denied for function multitenant.%', function_name
			USING ERRCODE = '42501',
			      DETAIL = 'No acting principal is set.',
			      HINT = 'Sign the tenant with an actor, or set multitenant.actor for the transaction.';
	END IF;
	SELECT m.role INTO actor_role
	  FROM @extschema@.memberships AS m
	  JOIN @extschema@.principals AS p
	    ON p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) m.principal_id
	 WHERE m.instance_id OPERATOR(pg_catalog.=) tenant
	   AND m.principal_id OPERATOR(pg_catalog.=) actor
	   AND m.status OPERATOR(pg_catalog.=) 'active'
	   AND p.status OPERATOR(pg_catalog.=) 'active';
	IF actor_role IS NULL
	   OR @extschema@.role_rank(actor_role) OPERATOR(pg_catalog.<) @extschema@.role_rank(min_role) THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, function_name, 'multitenant.memberships',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', actor),
			pg_catalog.format('the acting principal is %s, %s is needed',
			                  COALESCE('a ' OPERATOR(pg_catalog.||) actor_role, 'no active member'), min_role),
			'42501',
			pg_catalog.format('permission denied for function multitenant.%s', function_name)
			OPERATOR(pg_catalog.||) pg_catalog.format(': principal "%s" is not an active %s of tenant "%s"',
			                                           actor, min_role, tenant));
	END IF;
	RETURN actor_role;
END
$fn$;

-- Whether the acting principal is an owner or admin of the current tenant:
-- the policies that show a tenant's invitations, requests and audit log to
-- those members only call it.
CREATE FUNCTION @extschema@.actor_is_tenant_admin()
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN EXISTS (SELECT FROM @extschema@.memberships AS m
	                 JOIN @extschema@.principals AS p
	                   ON p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) m.principal_id
	                WHERE m.instance_id OPERATOR(pg_catalog.=) @extschema@.current_tenant()
	                  AND m.principal_id OPERATOR(pg_catalog.=) @extschema@.current_actor()
	                  AND m.status OPERATOR(pg_catalog.=) 'active'
	                  AND m.role OPERATOR(pg_catalog.=) ANY (ARRAY['owner', 'admin'])
	                  AND p.status OPERATOR(pg_catalog.=) 'active');
END
$fn$;

-- The audit log: an application reads its tenant's entries when the acting
-- principal is one of the tenant's owners or admins.
GRANT SELECT ON @extschema@.audit_log TO multitenant_app;
CREATE POLICY tenant_admins_only ON @extschema@.audit_log AS RESTRICTIVE FOR SELECT TO multitenant_app
	USING ((SELECT @extschema@.actor_is_tenant_admin()));

-- Pushes one lifecycle event of the tenant, expecting the version read now
-- (under the tenant lock).
CREATE FUNCTION @extschema@.lifecycle_push(tenant text, event_type text, payload jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	PERFORM @extschema@.push('tenant', tenant, event_type, payload,
	                         expected_sequence => @extschema@.tenant_version(tenant),
	                         creator => @extschema@.current_actor(),
	                         instance_id => tenant);
END
$fn$;

-- A principal's row as the audit log records it.
CREATE FUNCTION @extschema@.principal_image(principal_id text)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN (SELECT pg_catalog.to_jsonb(p) FROM @extschema@.principals AS p
	         WHERE p.instance_id OPERATOR(pg_catalog.=) 'system'
	           AND p.id OPERATOR(pg_catalog.=) principal_image.principal_id);
END
$fn$;

CREATE FUNCTION @extschema@.membership_image(tenant text, principal_id text)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN (SELECT pg_catalog.to_jsonb(m) FROM @extschema@.memberships AS m
	         WHERE m.instance_id OPERATOR(pg_catalog.=) membership_image.tenant
	           AND m.principal_id OPERATOR(pg_catalog.=) membership_image.principal_id);
END
$fn$;

-- The version of a principal's aggregate (in the system tenant).
CREATE FUNCTION @extschema@.principal_version(principal_id text)
RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN COALESCE((SELECT e.sequence FROM @extschema@.events AS e
	                  WHERE e.instance_id OPERATOR(pg_catalog.=) 'system'
	                    AND e.aggregate_type OPERATOR(pg_catalog.=) 'principal'
	                    AND e.aggregate_id OPERATOR(pg_catalog.=) principal_id
	                  ORDER BY e.sequence DESC
	                  LIMIT 1), 0);
END
$fn$;

-- Pushes one event of a principal and records it in the system tenant's log.
CREATE FUNCTION @extschema@.principal_push(principal_id text, event_type text, payload jsonb, version bigint)
RETURNS @extschema@.principals
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	before CONSTANT jsonb := @extschema@.principal_image(principal_id);
	result @extschema@.principals;
BEGIN
	BEGIN
		PERFORM @extschema@.push('principal', principal_id, event_type, payload,
		                         expected_sequence => version,
		                         creator => @extschema@.current_actor(),
		                         instance_id => 'system');
	EXCEPTION
		WHEN serialization_failure THEN
			RAISE EXCEPTION 'principal "%" was changed by a concurrent transaction', principal_id
				USING ERRCODE = '40001', HINT = 'Retry the transaction.';
		WHEN unique_violation THEN
			RAISE EXCEPTION 'another principal already has this e-mail address or external id (principal "%")', principal_id
				USING ERRCODE = '23505';
	END;
	SELECT p.* INTO STRICT result FROM @extschema@.principals AS p
	 WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) principal_id;
	PERFORM @extschema@.audit_lifecycle('system', event_type, 'multitenant.principals',
		pg_catalog.jsonb_build_object('instance_id', 'system', 'id', principal_id),
		before, pg_catalog.to_jsonb(result), payload OPERATOR(pg_catalog.->>) 'reason');
	RETURN result;
END
$fn$;

-- Changes of a principal are made by the principal itself (the acting
-- principal) or by the operator.
CREATE FUNCTION @extschema@.require_principal_self(principal_id text, function_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF principal_id IS NULL THEN
		RAISE EXCEPTION '%: principal id must not be null', function_name USING ERRCODE = '22004';
	END IF;
	IF NOT @extschema@.caller_is_operator()
	   AND principal_id IS DISTINCT FROM @extschema@.current_actor() THEN
		PERFORM @extschema@.refuse_lifecycle('system', function_name, 'multitenant.principals',
			pg_catalog.jsonb_build_object('instance_id', 'system', 'id', principal_id),
			'the acting principal is not the principal changed', '42501',
			pg_catalog.format('permission denied for function multitenant.%s: principal "%s" is not the acting principal',
			                  function_name, principal_id),
			'Only the principal itself and the operator change a principal.');
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.principals AS p
	                WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) principal_id) THEN
		RAISE EXCEPTION 'principal "%" does not exist', principal_id USING ERRCODE = '42704';
	END IF;
END
$fn$;

-- Locks every tenant the principal is an active member of (in one order, so
-- two such changes cannot deadlock) and returns those that have what they
-- must keep, to be checked again after the change.
CREATE FUNCTION @extschema@.lock_principal_tenants(principal_id text, function_name text)
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	tenant text;
	keeping text[] := '{}';
BEGIN
	FOR tenant IN
		SELECT m.instance_id FROM @extschema@.memberships AS m
		 WHERE m.principal_id OPERATOR(pg_catalog.=) principal_id
		   AND m.status OPERATOR(pg_catalog.=) 'active'
		 ORDER BY m.instance_id
	LOOP
		-- Under one snapshot for the whole transaction, another transaction's
		-- change of the same tenants would stay invisible to the check.
		IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.=) 'repeatable read' THEN
			RAISE EXCEPTION '%: principal "%" is a member of tenants, and REPEATABLE READ cannot keep their invariant', function_name, principal_id
				USING ERRCODE = '0A000', HINT = 'Run it in READ COMMITTED or SERIALIZABLE.';
		END IF;
		PERFORM @extschema@.lock_tenant(tenant, function_name);
		IF @extschema@.tenant_keeps_owner(tenant) THEN
			keeping := keeping OPERATOR(pg_catalog.||) tenant;
		END IF;
	END LOOP;
	RETURN keeping;
END
$fn$;

------------------------------------------------------------------------------
-- Principals.
------------------------------------------------------------------------------

-- Anyone the extension's roles let in may create a principal (sign-up); it
-- starts unverified, and only the operator creates a system_admin.
CREATE FUNCTION @extschema@.create_principal(
	kind text,
	email text DEFAULT NULL,
	display_name text DEFAULT NULL,
	user_type text DEFAULT NULL,
	external_id text DEFAULT NULL,
	metadata jsonb DEFAULT '{}',
	id text DEFAULT NULL)
RETURNS @extschema@.principals
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	principal_id CONSTANT text := COALESCE(id, pg_catalog.gen_random_uuid()::pg_catalog.text);
	payload jsonb;
BEGIN
	PERFORM @extschema@.check_principal_fields(principal_id, kind, email, display_name, user_type, external_id, metadata);
	IF user_type OPERATOR(pg_catalog.=) 'system_admin' AND NOT @extschema@.caller_is_operator() THEN
		RAISE EXCEPTION 'permission denied to create principal "%" of type system_admin', principal_id
			USING ERRCODE = '42501', DETAIL = 'Only the operator creates system administrators.';
	END IF;
	IF EXISTS (SELECT FROM @extschema@.principals AS p
	            WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) principal_id) THEN
		RAISE EXCEPTION 'principal "%" already exists', principal_id USING ERRCODE = '23505';
	END IF;
	payload := pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
		'kind', kind,
		'email', @extschema@.normalize_email(email),
		'displayName', display_name,
		'userType', user_type,
		'externalId', external_id,
		'metadata', metadata));
	RETURN @extschema@.principal_push(principal_id, 'principal.added', payload, 0);
END
$fn$;

-- The checks a principal's fields pass, at creation and on change.
CREATE FUNCTION @extschema@.check_principal_fields(
	principal_id text, kind text, email text, display_name text, user_type text, external_id text, metadata jsonb)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF kind IS NULL OR metadata IS NULL THEN
		RAISE EXCEPTION 'principal "%": kind and metadata must not be null', principal_id USING ERRCODE = '22004';
	END IF;
	IF principal_id OPERATOR(pg_catalog.=) '' OR pg_catalog.octet_length(principal_id) OPERATOR(pg_catalog.>) 200 THEN
		RAISE EXCEPTION 'invalid principal id "%"', pg_catalog.left(principal_id, 210)
			USING ERRCODE = '22023', HINT = 'A principal id has 1 to 200 bytes.';
	END IF;
	IF NOT kind OPERATOR(pg_catalog.=) ANY (ARRAY['user', 'client']) THEN
		RAISE EXCEPTION 'invalid kind "%" for principal "%"', kind, principal_id
			USING ERRCODE = '22023', HINT = 'The kind is user or client.';
	END IF;
	IF kind OPERATOR(pg_catalog.=) 'user' AND email IS NULL THEN
		RAISE EXCEPTION 'user "%" needs an e-mail address', principal_id USING ERRCODE = '22004';
	END IF;
	IF kind OPERATOR(pg_catalog.=) 'client' AND email IS NOT NULL THEN
		RAISE EXCEPTION 'client "%" cannot have an e-mail address', principal_id USING ERRCODE = '22023';
	END IF;
	PERFORM @extschema@.normalize_email(email);
	IF user_type IS NOT NULL AND NOT user_type OPERATOR(pg_catalog.=) ANY (ARRAY['system_admin', 'regular', 'service_account', 'guest']) THEN
		RAISE EXCEPTION 'invalid user type "%" for principal "%"', user_type, principal_id
			USING ERRCODE = '22023', HINT = 'The user type is system_admin, regular, service_account or guest.';
	END IF;
	IF pg_catalog.octet_length(display_name) OPERATOR(pg_catalog.>) 200 THEN
		RAISE EXCEPTION 'display name of principal "%" is too long (at most 200 bytes)', principal_id USING ERRCODE = '22001';
	END IF;
	IF external_id OPERATOR(pg_catalog.=) '' OR pg_catalog.octet_length(external_id) OPERATOR(pg_catalog.>) 200 THEN
		RAISE EXCEPTION 'external id of principal "%" must have 1 to 200 bytes', principal_id USING ERRCODE = '22023';
	END IF;
	IF pg_catalog.jsonb_typeof(metadata) OPERATOR(pg_catalog.<>) 'object' THEN
		RAISE EXCEPTION 'metadata of principal "%" must be a JSON object', principal_id USING ERRCODE = '22023';
	END IF;
	IF pg_catalog.octet_length(metadata::pg_catalog.text) OPERATOR(pg_catalog.>) 8192 THEN
		RAISE EXCEPTION 'metadata of principal "%" is too large (at most 8192 bytes)', principal_id USING ERRCODE = '54000';
	END IF;
END
$fn$;

-- NULL leaves a field unchanged; external_id => '' clears it.  A new e-mail
-- address makes the principal unverified, which the tenants it owns must
-- survive.
CREATE FUNCTION @extschema@.update_principal(
	id text,
	email text DEFAULT NULL,
	display_name text DEFAULT NULL,
	external_id text DEFAULT NULL,
	metadata jsonb DEFAULT NULL)
RETURNS @extschema@.principals
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	existing @extschema@.principals;
	payload jsonb := '{}';
	keeping text[] := '{}';
	tenant text;
	result @extschema@.principals;
BEGIN
	PERFORM @extschema@.require_principal_self(id, 'update_principal');
	SELECT p.* INTO STRICT existing FROM @extschema@.principals AS p
	 WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) id;
	PERFORM @extschema@.check_principal_fields(id, existing.kind,
		COALESCE(email, existing.email), display_name, NULL, NULLIF(external_id, ''), COALESCE(metadata, '{}'));
	IF email IS NOT NULL AND @extschema@.normalize_email(email) IS DISTINCT FROM existing.email THEN
		payload := payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('email', @extschema@.normalize_email(email));
		keeping := @extschema@.lock_principal_tenants(id, 'update_principal');
	END IF;
	IF display_name IS NOT NULL THEN
		payload := payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('displayName', display_name);
	END IF;
	IF external_id IS NOT NULL THEN
		payload := payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('externalId', external_id);
	END IF;
	IF metadata IS NOT NULL THEN
		payload := payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('metadata', metadata);
	END IF;
	IF payload OPERATOR(pg_catalog.=) '{}' THEN
		RETURN existing;
	END IF;
	result := @extschema@.principal_push(id, 'principal.changed', payload, @extschema@.principal_version(id));
	FOREACH tenant IN ARRAY keeping LOOP
		PERFORM @extschema@.check_tenant_invariant(tenant, true, 'principal.changed',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', id));
	END LOOP;
	RETURN result;
END
$fn$;

-- The principal's e-mail address (or, for a client, its credentials) has
-- been confirmed by the application or the operator.
CREATE FUNCTION @extschema@.verify_principal(id text)
RETURNS @extschema@.principals
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	existing @extschema@.principals;
BEGIN
	PERFORM @extschema@.require_principal_self(id, 'verify_principal');
	SELECT p.* INTO STRICT existing FROM @extschema@.principals AS p
	 WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) id;
	IF existing.verified THEN
		RETURN existing;
	END IF;
	RETURN @extschema@.principal_push(id, 'principal.verified', NULL, @extschema@.principal_version(id));
END
$fn$;

-- active <-> inactive.  A principal may deactivate itself; only the operator
-- reactivates.  Deactivating the last verified owner of a tenant fails.
CREATE FUNCTION @extschema@.set_principal_status(id text, status text, reason text DEFAULT NULL)
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
	FOREACH tenant IN ARRAY keeping LOOP
		PERFORM @extschema@.check_tenant_invariant(tenant, true, 'principal.deactivated',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', id));
	END LOOP;
	RETURN result;
END
$fn$;

------------------------------------------------------------------------------
-- Memberships.  Owners manage everyone and are the only ones who grant,
-- change or remove `owner` and manage admins; admins manage members and
-- viewers; nobody raises their own role; any member may leave.
------------------------------------------------------------------------------

-- The membership a function changes, after the caller's right to manage it
-- has been checked: 42704 when the principal is no member, 42501 when the
-- actor's role does not reach the target's (self allowed when allow_self).
CREATE FUNCTION @extschema@.managed_membership(
	tenant text, principal_id text, actor_role text, allow_self boolean, function_name text)
RETURNS @extschema@.memberships
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	target @extschema@.memberships;
	actor CONSTANT text := @extschema@.current_actor();
	key CONSTANT jsonb := pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id);
BEGIN
	IF principal_id IS NULL THEN
		RAISE EXCEPTION '%: principal_id must not be null', function_name USING ERRCODE = '22004';
	END IF;
	SELECT m.* INTO target FROM @extschema@.memberships AS m
	 WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND m.principal_id OPERATOR(pg_catalog.=) principal_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'principal "%" is not a member of tenant "%"', principal_id, tenant USING ERRCODE = '42704';
	END IF;
	IF actor_role OPERATOR(pg_catalog.=) 'operator' THEN
		RETURN target;
	END IF;
	IF principal_id OPERATOR(pg_catalog.=) actor THEN
		IF NOT allow_self THEN
			PERFORM @extschema@.refuse_lifecycle(tenant, function_name, 'multitenant.memberships', key,
				'a principal cannot do this to its own membership', '42501',
				pg_catalog.format('permission denied for function multitenant.%s: principal "%s" cannot change its own membership this way', function_name, actor));
		END IF;
		RETURN target;
	END IF;
	IF actor_role OPERATOR(pg_catalog.<>) 'owner'
	   AND @extschema@.role_rank(target.role) OPERATOR(pg_catalog.>=) @extschema@.role_rank('admin') THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, function_name, 'multitenant.memberships', key,
			pg_catalog.format('a %s cannot manage a %s', actor_role, target.role), '42501',
			pg_catalog.format('permission denied for function multitenant.%s: only an owner manages %s "%s" of tenant "%s"',
			                  function_name, target.role, principal_id, tenant));
	END IF;
	RETURN target;
END
$fn$;

-- Only an owner gives the roles owner and admin; admins give member and viewer.
CREATE FUNCTION @extschema@.check_role_grant(tenant text, principal_id text, role text, actor_role text, function_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
BEGIN
	IF role IS NULL THEN
		RAISE EXCEPTION '%: role must not be null', function_name USING ERRCODE = '22004';
	END IF;
	IF @extschema@.role_rank(role) IS NULL THEN
		RAISE EXCEPTION 'invalid role "%" for tenant "%"', role, tenant
			USING ERRCODE = '22023', HINT = 'The role is owner, admin, member or viewer.';
	END IF;
	IF actor_role OPERATOR(pg_catalog.<>) 'operator' AND actor_role OPERATOR(pg_catalog.<>) 'owner'
	   AND @extschema@.role_rank(role) OPERATOR(pg_catalog.>=) @extschema@.role_rank('admin') THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, function_name, 'multitenant.memberships',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id),
			pg_catalog.format('a %s cannot grant %s', actor_role, role), '42501',
			pg_catalog.format('permission denied for function multitenant.%s: only an owner grants the role %s in tenant "%s"',
			                  function_name, role, tenant));
	END IF;
END
$fn$;

-- The principal a membership is given to: it exists and is active.
CREATE FUNCTION @extschema@.active_principal(principal_id text, function_name text)
RETURNS @extschema@.principals
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	found_principal @extschema@.principals;
BEGIN
	IF principal_id IS NULL THEN
		RAISE EXCEPTION '%: principal_id must not be null', function_name USING ERRCODE = '22004';
	END IF;
	SELECT p.* INTO found_principal FROM @extschema@.principals AS p
	 WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) principal_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'principal "%" does not exist', principal_id USING ERRCODE = '42704';
	END IF;
	IF found_principal.status OPERATOR(pg_catalog.<>) 'active' THEN
		RAISE EXCEPTION 'principal "%" is inactive', principal_id USING ERRCODE = '55000';
	END IF;
	RETURN found_principal;
END
$fn$;

-- Pushes a membership event and records the change in the tenant's log.
CREATE FUNCTION @extschema@.membership_push(tenant text, principal_id text, event_type text, payload jsonb)
RETURNS @extschema@.memberships
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	before CONSTANT jsonb := @extschema@.membership_image(tenant, principal_id);
	result @extschema@.memberships;
BEGIN
	PERFORM @extschema@.lifecycle_push(tenant, event_type,
		pg_catalog.jsonb_build_object('principalId', principal_id) OPERATOR(pg_catalog.||) COALESCE(payload, '{}'));
	SELECT m.* INTO result FROM @extschema@.memberships AS m
	 WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND m.principal_id OPERATOR(pg_catalog.=) principal_id;
	PERFORM @extschema@.audit_lifecycle(tenant, event_type, 'multitenant.memberships',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id),
		before, CASE WHEN result.principal_id IS NULL THEN NULL ELSE pg_catalog.to_jsonb(result) END,
		payload OPERATOR(pg_catalog.->>) 'reason');
	RETURN result;
END
$fn$;

-- Adds an active member.  A principal that is already a member keeps its
-- membership and role (23505): roles change through change_member_role only.
CREATE FUNCTION @extschema@.add_member(principal_id text, role text DEFAULT 'member', tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.memberships
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor_role text;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'add_member');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'add_member');
	PERFORM @extschema@.active_principal(principal_id, 'add_member');
	PERFORM @extschema@.check_role_grant(tenant, principal_id, role, actor_role, 'add_member');
	IF EXISTS (SELECT FROM @extschema@.memberships AS m
	            WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND m.principal_id OPERATOR(pg_catalog.=) principal_id) THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, 'tenant.member.added', 'multitenant.memberships',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id),
			'already a member', '23505',
			pg_catalog.format('principal "%s" is already a member of tenant "%s"', principal_id, tenant),
			'Change its role with multitenant.change_member_role().');
	END IF;
	RETURN @extschema@.membership_push(tenant, principal_id, 'tenant.member.added',
		pg_catalog.jsonb_build_object('role', role, 'status', 'active',
		                              'acceptedAt', pg_catalog.now()));
END
$fn$;

CREATE FUNCTION @extschema@.change_member_role(principal_id text, role text, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.memberships
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor_role text;
	target @extschema@.memberships;
	had_owner boolean;
	result @extschema@.memberships;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'change_member_role');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'change_member_role');
	target := @extschema@.managed_membership(tenant, principal_id, actor_role, true, 'change_member_role');
	PERFORM @extschema@.check_role_grant(tenant, principal_id, role, actor_role, 'change_member_role');
	IF target.role OPERATOR(pg_catalog.=) role THEN
		RETURN target;
	END IF;
	IF actor_role OPERATOR(pg_catalog.<>) 'operator'
	   AND principal_id OPERATOR(pg_catalog.=) @extschema@.current_actor()
	   AND @extschema@.role_rank(role) OPERATOR(pg_catalog.>) @extschema@.role_rank(target.role) THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, 'tenant.member.role.changed', 'multitenant.memberships',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id),
			'a principal cannot raise its own role', '42501',
			pg_catalog.format('principal "%s" cannot raise its own role in tenant "%s"', principal_id, tenant));
	END IF;
	had_owner := @extschema@.tenant_keeps_owner(tenant);
	result := @extschema@.membership_push(tenant, principal_id, 'tenant.member.role.changed',
		pg_catalog.jsonb_build_object('role', role));
	PERFORM @extschema@.check_tenant_invariant(tenant, had_owner, 'tenant.member.role.changed',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id));
	RETURN result;
END
$fn$;

CREATE FUNCTION @extschema@.suspend_member(principal_id text, reason text DEFAULT NULL, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.memberships
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor_role text;
	target @extschema@.memberships;
	had_owner boolean;
	result @extschema@.memberships;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'suspend_member');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'suspend_member');
	target := @extschema@.managed_membership(tenant, principal_id, actor_role, false, 'suspend_member');
	IF target.status OPERATOR(pg_catalog.=) 'suspended' THEN
		RAISE EXCEPTION 'membership of principal "%" in tenant "%" is already suspended', principal_id, tenant
			USING ERRCODE = '55000';
	END IF;
	had_owner := @extschema@.tenant_keeps_owner(tenant);
	result := @extschema@.membership_push(tenant, principal_id, 'tenant.member.suspended',
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('reason', reason)));
	PERFORM @extschema@.check_tenant_invariant(tenant, had_owner, 'tenant.member.suspended',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id));
	RETURN result;
END
$fn$;

CREATE FUNCTION @extschema@.reactivate_member(principal_id text, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.memberships
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor_role text;
	target @extschema@.memberships;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'reactivate_member');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'reactivate_member');
	target := @extschema@.managed_membership(tenant, principal_id, actor_role, false, 'reactivate_member');
	IF target.status OPERATOR(pg_catalog.<>) 'suspended' THEN
		RAISE EXCEPTION 'membership of principal "%" in tenant "%" is not suspended', principal_id, tenant
			USING ERRCODE = '55000';
	END IF;
	RETURN @extschema@.membership_push(tenant, principal_id, 'tenant.member.reactivated', NULL);
END
$fn$;

-- Removes a membership (and the member's custom roles); a member may leave.
CREATE FUNCTION @extschema@.remove_member(principal_id text, reason text DEFAULT NULL, tenant text DEFAULT @extschema@.current_tenant())
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor_role text;
	had_owner boolean;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'remove_member');
	-- Leaving needs no role beyond being a member.
	actor_role := @extschema@.require_member_role(tenant,
		CASE WHEN principal_id OPERATOR(pg_catalog.=) @extschema@.current_actor() THEN 'viewer' ELSE 'admin' END,
		'remove_member');
	PERFORM @extschema@.managed_membership(tenant, principal_id, actor_role, true, 'remove_member');
	had_owner := @extschema@.tenant_keeps_owner(tenant);
	PERFORM @extschema@.membership_push(tenant, principal_id, 'tenant.member.removed',
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('reason', reason)));
	PERFORM @extschema@.check_tenant_invariant(tenant, had_owner, 'tenant.member.removed',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id));
END
$fn$;

------------------------------------------------------------------------------
-- Custom roles: defined and granted by a tenant's owners and admins, held by
-- members; has_role answers for them.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.check_custom_role_name(name text, tenant text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF name IS NULL THEN
		RAISE EXCEPTION 'custom role name must not be null (tenant "%")', tenant USING ERRCODE = '22004';
	END IF;
	IF name OPERATOR(pg_catalog.!~) '^[A-Za-z][A-Za-z0-9_.:-]{0,62}$' THEN
		RAISE EXCEPTION 'invalid custom role name "%" for tenant "%"', pg_catalog.left(name, 100), tenant
			USING ERRCODE = '22023',
			      HINT = 'A custom role name starts with a letter and has at most 63 letters, digits, "_", ".", ":" or "-".';
	END IF;
	IF @extschema@.role_rank(name) IS NOT NULL THEN
		RAISE EXCEPTION 'custom role name "%" is a membership role', name USING ERRCODE = '22023';
	END IF;
END
$fn$;

CREATE FUNCTION @extschema@.create_custom_role(name text, description text DEFAULT NULL, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.custom_roles
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	result @extschema@.custom_roles;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'create_custom_role');
	PERFORM @extschema@.require_member_role(tenant, 'admin', 'create_custom_role');
	PERFORM @extschema@.check_custom_role_name(name, tenant);
	IF pg_catalog.octet_length(description) OPERATOR(pg_catalog.>) 1000 THEN
		RAISE EXCEPTION 'description of custom role "%" is too long (at most 1000 bytes)', name USING ERRCODE = '22001';
	END IF;
	IF EXISTS (SELECT FROM @extschema@.custom_roles AS r
	            WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.name OPERATOR(pg_catalog.=) name) THEN
		RAISE EXCEPTION 'custom role "%" already exists in tenant "%"', name, tenant USING ERRCODE = '23505';
	END IF;
	PERFORM @extschema@.lifecycle_push(tenant, 'tenant.custom_role.added',
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('name', name, 'description', description)));
	SELECT r.* INTO STRICT result FROM @extschema@.custom_roles AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.name OPERATOR(pg_catalog.=) name;
	PERFORM @extschema@.audit_lifecycle(tenant, 'tenant.custom_role.added', 'multitenant.custom_roles',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'name', name), NULL, pg_catalog.to_jsonb(result));
	RETURN result;
END
$fn$;

-- Drops the role and every grant of it.
CREATE FUNCTION @extschema@.drop_custom_role(name text, tenant text DEFAULT @extschema@.current_tenant())
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	before jsonb;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'drop_custom_role');
	PERFORM @extschema@.require_member_role(tenant, 'admin', 'drop_custom_role');
	PERFORM @extschema@.check_custom_role_name(name, tenant);
	SELECT pg_catalog.to_jsonb(r) INTO before FROM @extschema@.custom_roles AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.name OPERATOR(pg_catalog.=) name;
	IF before IS NULL THEN
		RAISE EXCEPTION 'custom role "%" does not exist in tenant "%"', name, tenant USING ERRCODE = '42704';
	END IF;
	PERFORM @extschema@.lifecycle_push(tenant, 'tenant.custom_role.removed', pg_catalog.jsonb_build_object('name', name));
	PERFORM @extschema@.audit_lifecycle(tenant, 'tenant.custom_role.removed', 'multitenant.custom_roles',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'name', name), before, NULL);
END
$fn$;

-- Granting a custom role to yourself would raise your own rights: refused.
CREATE FUNCTION @extschema@.grant_custom_role(principal_id text, role_name text, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.principal_custom_roles
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor_role text;
	result @extschema@.principal_custom_roles;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'grant_custom_role');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'grant_custom_role');
	PERFORM @extschema@.check_custom_role_name(role_name, tenant);
	PERFORM @extschema@.managed_membership(tenant, principal_id, actor_role, false, 'grant_custom_role');
	IF NOT EXISTS (SELECT FROM @extschema@.custom_roles AS r
	                WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.name OPERATOR(pg_catalog.=) role_name) THEN
		RAISE EXCEPTION 'custom role "%" does not exist in tenant "%"', role_name, tenant USING ERRCODE = '42704';
	END IF;
	SELECT g.* INTO result FROM @extschema@.principal_custom_roles AS g
	 WHERE g.instance_id OPERATOR(pg_catalog.=) tenant AND g.principal_id OPERATOR(pg_catalog.=) principal_id
	   AND g.role_name OPERATOR(pg_catalog.=) role_name;
	IF FOUND THEN
		RETURN result;
	END IF;
	PERFORM @extschema@.lifecycle_push(tenant, 'tenant.member.custom_role.granted',
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('principalId', principal_id, 'role', role_name,
		                                                           'grantedBy', @extschema@.current_actor())));
	SELECT g.* INTO STRICT result FROM @extschema@.principal_custom_roles AS g
	 WHERE g.instance_id OPERATOR(pg_catalog.=) tenant AND g.principal_id OPERATOR(pg_catalog.=) principal_id
	   AND g.role_name OPERATOR(pg_catalog.=) role_name;
	PERFORM @extschema@.audit_lifecycle(tenant, 'tenant.member.custom_role.granted', 'multitenant.principal_custom_roles',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id, 'role_name', role_name),
		NULL, pg_catalog.to_jsonb(result));
	RETURN result;
END
$fn$;

CREATE FUNCTION @extschema@.revoke_custom_role(principal_id text, role_name text, tenant text DEFAULT @extschema@.current_tenant())
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor_role text;
	before jsonb;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'revoke_custom_role');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'revoke_custom_role');
	PERFORM @extschema@.check_custom_role_name(role_name, tenant);
	PERFORM @extschema@.managed_membership(tenant, principal_id, actor_role, true, 'revoke_custom_role');
	SELECT pg_catalog.to_jsonb(g) INTO before FROM @extschema@.principal_custom_roles AS g
	 WHERE g.instance_id OPERATOR(pg_catalog.=) tenant AND g.principal_id OPERATOR(pg_catalog.=) principal_id
	   AND g.role_name OPERATOR(pg_catalog.=) role_name;
	IF before IS NULL THEN
		RAISE EXCEPTION 'principal "%" does not hold custom role "%" in tenant "%"', principal_id, role_name, tenant
			USING ERRCODE = '42704';
	END IF;
	PERFORM @extschema@.lifecycle_push(tenant, 'tenant.member.custom_role.revoked',
		pg_catalog.jsonb_build_object('principalId', principal_id, 'role', role_name));
	PERFORM @extschema@.audit_lifecycle(tenant, 'tenant.member.custom_role.revoked', 'multitenant.principal_custom_roles',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id, 'role_name', role_name),
		before, NULL);
END
$fn$;

------------------------------------------------------------------------------
-- Registration: a new tenant with its registering principal as owner, in one
-- transaction, approved at once.  Applications may call it while
-- multitenant.self_registration is on; the operator always may.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.register_tenant(
	id text,
	name text,
	owner_id text DEFAULT NULL,
	owner_kind text DEFAULT 'user',
	owner_email text DEFAULT NULL,
	owner_display_name text DEFAULT NULL,
	type text DEFAULT 'standard',
	settings jsonb DEFAULT '{}')
RETURNS @extschema@.memberships
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	operator CONSTANT boolean := @extschema@.caller_is_operator();
	owner @extschema@.principals;
BEGIN
	IF NOT operator AND NOT pg_catalog.current_setting('multitenant.self_registration')::pg_catalog.bool THEN
		RAISE EXCEPTION 'permission denied for function multitenant.register_tenant: self-registration of tenants is disabled'
			USING ERRCODE = '42501', HINT = 'The operator turns it on with multitenant.self_registration.';
	END IF;
	IF id IS NULL OR name IS NULL THEN
		RAISE EXCEPTION 'register_tenant: id and name must not be null (tenant "%")', id USING ERRCODE = '22004';
	END IF;
	SELECT p.* INTO owner FROM @extschema@.principals AS p
	 WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) owner_id;
	IF FOUND THEN
		-- An application registers for its acting principal only.
		IF NOT operator AND owner_id IS DISTINCT FROM @extschema@.current_actor() THEN
			RAISE EXCEPTION 'permission denied for function multitenant.register_tenant: principal "%" is not the acting principal', owner_id
				USING ERRCODE = '42501';
		END IF;
		IF owner.status OPERATOR(pg_catalog.<>) 'active' THEN
			RAISE EXCEPTION 'principal "%" is inactive', owner_id USING ERRCODE = '55000';
		END IF;
		IF owner_email IS NOT NULL OR owner_display_name IS NOT NULL THEN
			RAISE EXCEPTION 'register_tenant: principal "%" exists; owner_email and owner_display_name are for a new one', owner_id
				USING ERRCODE = '22023';
		END IF;
	ELSE
		owner := @extschema@.create_principal(owner_kind, owner_email, owner_display_name, id => owner_id);
	END IF;
	PERFORM @extschema@.create_tenant(id, name, type, settings);
	-- Registration approves the registrant.
	IF NOT owner.verified THEN
		owner := @extschema@.principal_push(owner.id, 'principal.verified', NULL, @extschema@.principal_version(owner.id));
	END IF;
	PERFORM @extschema@.lock_tenant(id, 'register_tenant');
	RETURN @extschema@.membership_push(id, owner.id, 'tenant.member.added',
		pg_catalog.jsonb_build_object('role', 'owner', 'status', 'active',
		                              'acceptedAt', pg_catalog.now()));
END
$fn$;

-- Lifecycle events stored before 1.3 become rows as a fresh install would
-- have reduced them.
SELECT @extschema@.rebuild_many(ARRAY['@extschema@.principals', '@extschema@.memberships',
                                      '@extschema@.custom_roles', '@extschema@.principal_custom_roles']::pg_catalog.regclass[]);

------------------------------------------------------------------------------
-- Join requests and invitations (sql/src/26_requests_invitations.sql): the
-- projections join_requests and invitations of `tenant` aggregate events,
-- and the functions that push those events.
------------------------------------------------------------------------------

------------------------------------------------------------------------------
-- Join requests (events tenant.request.added | approved | rejected | expired
-- on ('tenant', T)).  expires_at is fixed when the request is made, from
-- multitenant.unverified_ttl; a request past it is never approved, whether
-- or not expire_join_requests has marked it yet.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.join_requests (
	instance_id  text        NOT NULL,
	id           text        NOT NULL,
	principal_id text        NOT NULL,
	message      text,
	status       text        NOT NULL DEFAULT 'pending',
	role         text,
	custom_roles text[]      NOT NULL DEFAULT '{}',
	decided_by   text,
	decided_at   timestamptz,
	reason       text,
	expires_at   timestamptz NOT NULL,
	created_at   timestamptz NOT NULL,
	changed_at   timestamptz NOT NULL,
	CONSTRAINT join_requests_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT join_requests_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT join_requests_message_check CHECK (pg_catalog.char_length(message) OPERATOR(pg_catalog.<=) 1000),
	CONSTRAINT join_requests_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['pending', 'approved', 'rejected', 'expired'])),
	CONSTRAINT join_requests_role_check CHECK (role OPERATOR(pg_catalog.=) ANY (ARRAY['owner', 'admin', 'member', 'viewer']))
);

-- One pending request per principal and tenant.
CREATE UNIQUE INDEX join_requests_pending_key ON @extschema@.join_requests (instance_id, principal_id)
	WHERE status OPERATOR(pg_catalog.=) 'pending';

SELECT @extschema@.enable_tenant_isolation('@extschema@.join_requests');
GRANT SELECT ON @extschema@.join_requests TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.join_requests', '');

-- Inside its tenant the application sees a request only as one of the
-- tenant's owners or admins, or as the principal who made it.
CREATE POLICY join_requests_visibility ON @extschema@.join_requests AS RESTRICTIVE FOR SELECT TO multitenant_app
	USING (principal_id OPERATOR(pg_catalog.=) (SELECT @extschema@.current_actor())
	       OR (SELECT @extschema@.actor_is_tenant_admin()));

SELECT @extschema@.register_reducer('@extschema@.join_requests', 'tenant.request.added', 'insert',
	set => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')",
	          "message": "multitenant.payload_text(e.payload, 'message')",
	          "status": "'pending'",
	          "expires_at": "multitenant.payload_timestamptz(e.payload, 'expiresAt')",
	          "created_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'requestId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.join_requests', 'tenant.request.approved', 'update',
	set => $${"status": "'approved'",
	          "role": "multitenant.payload_text(e.payload, 'role')",
	          "custom_roles": "COALESCE(multitenant.payload_text_array(e.payload, 'customRoles'), '{}')",
	          "decided_by": "multitenant.payload_text(e.payload, 'decidedBy')",
	          "decided_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'requestId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.join_requests', 'tenant.request.rejected', 'update',
	set => $${"status": "'rejected'",
	          "reason": "multitenant.payload_text(e.payload, 'reason')",
	          "decided_by": "multitenant.payload_text(e.payload, 'decidedBy')",
	          "decided_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'requestId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.join_requests', 'tenant.request.expired', 'update',
	set => $${"status": "'expired'", "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'requestId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.join_requests', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Invitations (events tenant.invitation.added | accepted | revoked on
-- ('tenant', T)).  Only the SHA-256 of a token is stored, in the event too;
-- the token itself is returned once, by invite.  The application may read
-- every column but the hash, and only as an owner or admin of the tenant.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.invitations (
	instance_id  text        NOT NULL,
	id           text        NOT NULL,
	email        text        NOT NULL,
	role         text        NOT NULL,
	custom_roles text[]      NOT NULL DEFAULT '{}',
	invited_by   text,
	token_hash   bytea       NOT NULL,
	status       text        NOT NULL DEFAULT 'pending',
	expires_at   timestamptz NOT NULL,
	accepted_by  text,
	accepted_at  timestamptz,
	revoked_by   text,
	revoked_at   timestamptz,
	created_at   timestamptz NOT NULL,
	changed_at   timestamptz NOT NULL,
	CONSTRAINT invitations_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT invitations_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT invitations_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['pending', 'accepted', 'revoked'])),
	CONSTRAINT invitations_role_check CHECK (role OPERATOR(pg_catalog.=) ANY (ARRAY['owner', 'admin', 'member', 'viewer'])),
	CONSTRAINT invitations_token_hash_check CHECK (pg_catalog.length(token_hash) OPERATOR(pg_catalog.=) 32)
);

-- A token is looked up before its tenant is known, and names one invitation
-- across all tenants (like a personal access token's hash).
CREATE UNIQUE INDEX invitations_token_hash_key ON @extschema@.invitations (token_hash);

SELECT @extschema@.enable_tenant_isolation('@extschema@.invitations');
GRANT SELECT (instance_id, id, email, role, custom_roles, invited_by, status, expires_at, accepted_by, accepted_at,
              revoked_by, revoked_at, created_at, changed_at)
	ON @extschema@.invitations TO multitenant_app;
GRANT SELECT ON @extschema@.invitations TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.invitations', '');

CREATE POLICY invitations_visibility ON @extschema@.invitations AS RESTRICTIVE FOR SELECT TO multitenant_app
	USING ((SELECT @extschema@.actor_is_tenant_admin()));

SELECT @extschema@.register_reducer('@extschema@.invitations', 'tenant.invitation.added', 'insert',
	set => $${"email": "multitenant.payload_text(e.payload, 'email')",
	          "role": "multitenant.payload_text(e.payload, 'role')",
	          "custom_roles": "COALESCE(multitenant.payload_text_array(e.payload, 'customRoles'), '{}')",
	          "invited_by": "multitenant.payload_text(e.payload, 'invitedBy')",
	          "token_hash": "multitenant.payload_sha256(e.payload, 'tokenHash')",
	          "status": "'pending'",
	          "expires_at": "multitenant.payload_timestamptz(e.payload, 'expiresAt')",
	          "created_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'invitationId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.invitations', 'tenant.invitation.accepted', 'update',
	set => $${"status": "'accepted'",
	          "accepted_by": "multitenant.payload_text(e.payload, 'principalId')",
	          "accepted_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'invitationId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.invitations', 'tenant.invitation.revoked', 'update',
	set => $${"status": "'revoked'",
	          "revoked_by": "multitenant.payload_text(e.payload, 'revokedBy')",
	          "revoked_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'invitationId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.invitations', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Shared checks and pushes.
------------------------------------------------------------------------------

-- The first of roles that is not a custom role of the tenant, or NULL.
CREATE FUNCTION @extschema@.missing_custom_role(tenant text, roles text[])
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN (SELECT r.name FROM pg_catalog.unnest(roles) WITH ORDINALITY AS r(name, n)
	         WHERE NOT EXISTS (SELECT FROM @extschema@.custom_roles AS c
	                            WHERE c.instance_id OPERATOR(pg_catalog.=) tenant
	                              AND c.name OPERATOR(pg_catalog.=) r.name)
	         ORDER BY r.n
	         LIMIT 1);
END
$fn$;

-- Gives a new member the custom roles an approval or invitation carried,
-- each grant recorded in the tenant's log.
CREATE FUNCTION @extschema@.grant_carried_custom_roles(tenant text, principal_id text, roles text[], granted_by text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	role_name text;
	granted @extschema@.principal_custom_roles;
BEGIN
	FOR role_name IN SELECT DISTINCT r.name FROM pg_catalog.unnest(roles) AS r(name) ORDER BY 1 LOOP
		PERFORM @extschema@.lifecycle_push(tenant, 'tenant.member.custom_role.granted',
			pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('principalId', principal_id, 'role', role_name,
			                                                           'grantedBy', granted_by)));
		SELECT g.* INTO STRICT granted FROM @extschema@.principal_custom_roles AS g
		 WHERE g.instance_id OPERATOR(pg_catalog.=) tenant AND g.principal_id OPERATOR(pg_catalog.=) principal_id
		   AND g.role_name OPERATOR(pg_catalog.=) role_name;
		PERFORM @extschema@.audit_lifecycle(tenant, 'tenant.member.custom_role.granted', 'multitenant.principal_custom_roles',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id, 'role_name', role_name),
			NULL, pg_catalog.to_jsonb(granted));
	END LOOP;
END
$fn$;

-- Pushes one event of a join request and records the change in the
-- tenant's log.
CREATE FUNCTION @extschema@.join_request_push(tenant text, request_id text, event_type text, payload jsonb)
RETURNS @extschema@.join_requests
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	before jsonb;
	result @extschema@.join_requests;
BEGIN
	SELECT pg_catalog.to_jsonb(r) INTO before FROM @extschema@.join_requests AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.id OPERATOR(pg_catalog.=) request_id;
	PERFORM @extschema@.lifecycle_push(tenant, event_type,
		pg_catalog.jsonb_build_object('requestId', request_id) OPERATOR(pg_catalog.||) payload);
	SELECT r.* INTO STRICT result FROM @extschema@.join_requests AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.id OPERATOR(pg_catalog.=) request_id;
	PERFORM @extschema@.audit_lifecycle(tenant, event_type, 'multitenant.join_requests',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'id', request_id),
		before, pg_catalog.to_jsonb(result), payload OPERATOR(pg_catalog.->>) 'reason');
	RETURN result;
END
$fn$;

-- The same for an invitation; the log's images leave the token's hash out.
CREATE FUNCTION @extschema@.invitation_push(tenant text, invitation_id text, event_type text, payload jsonb)
RETURNS @extschema@.invitations
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	before jsonb;
	result @extschema@.invitations;
BEGIN
	SELECT pg_catalog.to_jsonb(i) OPERATOR(pg_catalog.-) 'token_hash' INTO before FROM @extschema@.invitations AS i
	 WHERE i.instance_id OPERATOR(pg_catalog.=) tenant AND i.id OPERATOR(pg_catalog.=) invitation_id;
	PERFORM @extschema@.lifecycle_push(tenant, event_type,
		pg_catalog.jsonb_build_object('invitationId', invitation_id) OPERATOR(pg_catalog.||) payload);
	SELECT i.* INTO STRICT result FROM @extschema@.invitations AS i
	 WHERE i.instance_id OPERATOR(pg_catalog.=) tenant AND i.id OPERATOR(pg_catalog.=) invitation_id;
	PERFORM @extschema@.audit_lifecycle(tenant, event_type, 'multitenant.invitations',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'id', invitation_id),
		before, pg_catalog.to_jsonb(result) OPERATOR(pg_catalog.-) 'token_hash', payload OPERATOR(pg_catalog.->>) 'reason');
	RETURN result;
END
$fn$;

------------------------------------------------------------------------------
-- Join request functions.
------------------------------------------------------------------------------

-- The acting principal asks to join the tenant, from outside any tenant or
-- from inside that one.  While a request is pending, asking again returns
-- it and pushes nothing.
CREATE FUNCTION @extschema@.request_join(tenant text, message text DEFAULT NULL)
RETURNS @extschema@.join_requests
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	action CONSTANT text := 'tenant.request.added';
	actor CONSTANT text := @extschema@.current_actor();
	entered CONSTANT text := @extschema@.current_tenant();
	key jsonb;
	registry @extschema@.tenants;
	pending @extschema@.join_requests;
	ttl interval;
BEGIN
	IF tenant IS NULL THEN
		RAISE EXCEPTION 'request_join: tenant must not be null' USING ERRCODE = '22004';
	END IF;
	IF actor IS NULL THEN
		RAISE EXCEPTION 'permission denied for function multitenant.request_join: no acting principal'
			USING ERRCODE = '42501',
			      HINT = 'Sign the tenant with an actor, or set multitenant.actor for the transaction.';
	END IF;
	IF entered IS NOT NULL AND entered OPERATOR(pg_catalog.<>) tenant THEN
		RAISE EXCEPTION 'permission denied for function multitenant.request_join: tenant "%" is not the current tenant', tenant
			USING ERRCODE = '42501', DETAIL = pg_catalog.format('The session is in tenant "%s".', entered);
	END IF;
	IF pg_catalog.char_length(message) OPERATOR(pg_catalog.>) 1000 THEN
		RAISE EXCEPTION 'message of a join request to tenant "%" is too long (% characters, at most 1000)',
			tenant, pg_catalog.char_length(message) USING ERRCODE = '22023';
	END IF;
	registry := @extschema@.lock_tenant(tenant, 'request_join');
	key := pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', actor);
	IF registry.status OPERATOR(pg_catalog.<>) 'active' THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.join_requests', key,
			pg_catalog.format('the tenant is %s', registry.status), '55000',
			pg_catalog.format('tenant "%s" is %s and takes no join requests', tenant, registry.status));
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.principals AS p
	                WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) actor
	                  AND p.status OPERATOR(pg_catalog.=) 'active') THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.join_requests', key,
			'the acting principal is not an active principal', '42501',
			pg_catalog.format('permission denied for function multitenant.request_join: "%s" is not an active principal', actor));
	END IF;
	IF EXISTS (SELECT FROM @extschema@.memberships AS m
	            WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND m.principal_id OPERATOR(pg_catalog.=) actor) THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.join_requests', key,
			'already a member', '23505',
			pg_catalog.format('principal "%s" is already a member of tenant "%s"', actor, tenant));
	END IF;
	SELECT r.* INTO pending FROM @extschema@.join_requests AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.principal_id OPERATOR(pg_catalog.=) actor
	   AND r.status OPERATOR(pg_catalog.=) 'pending';
	IF FOUND THEN
		IF pending.expires_at OPERATOR(pg_catalog.>) pg_catalog.now() THEN
			RETURN pending;
		END IF;
		-- Overdue, and not swept yet: it expires, and a new one takes its place.
		PERFORM @extschema@.join_request_push(tenant, pending.id, 'tenant.request.expired', '{}');
	END IF;
	ttl := pg_catalog.current_setting('multitenant.unverified_ttl')::pg_catalog.interval;
	RETURN @extschema@.join_request_push(tenant, pg_catalog.gen_random_uuid()::pg_catalog.text, action,
		pg_catalog.jsonb_build_object('principalId', actor, 'message', message,
		                              'expiresAt', pg_catalog.now() OPERATOR(pg_catalog.+) ttl));
END
$fn$;

-- The request an approval or rejection decides (its tenant locked by the
-- caller): it exists (42704), is pending and is not past expires_at (55000),
-- whether or not expire_join_requests has marked it yet.
CREATE FUNCTION @extschema@.pending_join_request(tenant text, request_id text, function_name text)
RETURNS @extschema@.join_requests
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	key CONSTANT jsonb := pg_catalog.jsonb_build_object('instance_id', tenant, 'id', request_id);
	request @extschema@.join_requests;
BEGIN
	IF request_id IS NULL THEN
		RAISE EXCEPTION '%: request_id must not be null', function_name USING ERRCODE = '22004';
	END IF;
	SELECT r.* INTO request FROM @extschema@.join_requests AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.id OPERATOR(pg_catalog.=) request_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'join request "%" does not exist in tenant "%"', request_id, tenant USING ERRCODE = '42704';
	END IF;
	IF request.status OPERATOR(pg_catalog.<>) 'pending' THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, function_name, 'multitenant.join_requests', key,
			pg_catalog.format('the request is %s', request.status), '55000',
			pg_catalog.format('join request "%s" of tenant "%s" is %s, not pending', request_id, tenant, request.status));
	END IF;
	IF request.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, function_name, 'multitenant.join_requests', key,
			'the request expired', '55000',
			pg_catalog.format('join request "%s" of tenant "%s" expired at %s', request_id, tenant, request.expires_at));
	END IF;
	RETURN request;
END
$fn$;

-- Makes the requester a member with role (the rank rules of add_member:
-- admins approve as member or viewer only) and the custom roles, and
-- returns the membership.  Nobody approves their own request.
CREATE FUNCTION @extschema@.approve_join_request(
	request_id text,
	role text DEFAULT 'member',
	custom_roles text[] DEFAULT '{}',
	tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.memberships
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	action CONSTANT text := 'tenant.request.approved';
	actor CONSTANT text := @extschema@.current_actor();
	actor_role text;
	missing text;
	request @extschema@.join_requests;
	result @extschema@.memberships;
BEGIN
	IF custom_roles IS NULL OR pg_catalog.array_position(custom_roles, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'approve_join_request: custom_roles and its elements must not be null (request "%")', request_id
			USING ERRCODE = '22004';
	END IF;
	PERFORM @extschema@.lock_tenant(tenant, 'approve_join_request');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'approve_join_request');
	request := @extschema@.pending_join_request(tenant, request_id, 'approve_join_request');
	PERFORM @extschema@.check_role_grant(tenant, request.principal_id, role, actor_role, 'approve_join_request');
	IF request.principal_id OPERATOR(pg_catalog.=) actor THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.join_requests',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'id', request_id),
			'a principal cannot approve its own request', '42501',
			pg_catalog.format('permission denied for function multitenant.approve_join_request: principal "%s" cannot approve its own join request', actor));
	END IF;
	PERFORM @extschema@.active_principal(request.principal_id, 'approve_join_request');
	IF EXISTS (SELECT FROM @extschema@.memberships AS m
	            WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND m.principal_id OPERATOR(pg_catalog.=) request.principal_id) THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.join_requests',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'id', request_id),
			'already a member', '23505',
			pg_catalog.format('principal "%s" is already a member of tenant "%s"', request.principal_id, tenant));
	END IF;
	missing := @extschema@.missing_custom_role(tenant, custom_roles);
	IF missing IS NOT NULL THEN
		RAISE EXCEPTION 'custom role "%" does not exist in tenant "%"', missing, tenant USING ERRCODE = '42704';
	END IF;

	PERFORM @extschema@.join_request_push(tenant, request_id, action,
		pg_catalog.jsonb_build_object('role', role,
		                              'customRoles', ARRAY(SELECT DISTINCT r.name FROM pg_catalog.unnest(custom_roles) AS r(name) ORDER BY 1),
		                              'decidedBy', actor));
	result := @extschema@.membership_push(tenant, request.principal_id, 'tenant.member.added',
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
			'role', role, 'status', 'active', 'invitedBy', actor, 'invitedAt', request.created_at,
			'acceptedAt', pg_catalog.clock_timestamp())));
	PERFORM @extschema@.grant_carried_custom_roles(tenant, request.principal_id, custom_roles, actor);
	RETURN result;
END
$fn$;

CREATE FUNCTION @extschema@.reject_join_request(
	request_id text,
	reason text DEFAULT NULL,
	tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.join_requests
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'reject_join_request');
	PERFORM @extschema@.require_member_role(tenant, 'admin', 'reject_join_request');
	PERFORM @extschema@.pending_join_request(tenant, request_id, 'reject_join_request');
	RETURN @extschema@.join_request_push(tenant, request_id, 'tenant.request.rejected',
		pg_catalog.jsonb_build_object('reason', reason, 'decidedBy', @extschema@.current_actor()));
END
$fn$;

-- The operator's sweep (a pg_cron job, for example): every pending request
-- past its expires_at becomes expired, tenant by tenant under the tenant's
-- lock; returns how many.  Requests of tenants the registry does not hold
-- are left alone.
CREATE FUNCTION @extschema@.expire_join_requests()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	tenant text;
	request_id text;
	n integer := 0;
BEGIN
	IF NOT @extschema@.caller_is_operator() THEN
		RAISE EXCEPTION 'permission denied for function multitenant.expire_join_requests'
			USING ERRCODE = '42501',
			      DETAIL = 'Only superusers and members of multitenant_admin may call it.';
	END IF;
	FOR tenant IN
		SELECT DISTINCT r.instance_id FROM @extschema@.join_requests AS r
		  JOIN @extschema@.tenants AS t ON t.instance_id OPERATOR(pg_catalog.=) r.instance_id
		 WHERE r.status OPERATOR(pg_catalog.=) 'pending' AND r.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()
		   AND r.instance_id OPERATOR(pg_catalog.<>) 'system'
		 ORDER BY 1
	LOOP
		PERFORM @extschema@.lock_tenant(tenant, 'expire_join_requests');
		-- Read again under the lock: a decision may have come first.
		FOR request_id IN
			SELECT r.id FROM @extschema@.join_requests AS r
			 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.status OPERATOR(pg_catalog.=) 'pending'
			   AND r.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()
			 ORDER BY r.expires_at, r.id
		LOOP
			PERFORM @extschema@.join_request_push(tenant, request_id, 'tenant.request.expired', '{}');
			n := n OPERATOR(pg_catalog.+) 1;
		END LOOP;
	END LOOP;
	RETURN n;
END
$fn$;

------------------------------------------------------------------------------
-- Invitation functions.
------------------------------------------------------------------------------

-- Invites an e-mail address (owners and admins, under the rank rules) and
-- returns the invitation's id and its token, once: only the token's SHA-256
-- is kept.
CREATE FUNCTION @extschema@.invite(
	email text,
	role text DEFAULT 'member',
	lifetime interval DEFAULT '7 days',
	custom_roles text[] DEFAULT '{}',
	tenant text DEFAULT @extschema@.current_tenant())
RETURNS TABLE (invitation_id text, token text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	action CONSTANT text := 'tenant.invitation.added';
	actor_role text;
	registry @extschema@.tenants;
	address text;
	missing text;
	secret text;
	new_id text;
BEGIN
	IF email IS NULL OR lifetime IS NULL OR custom_roles IS NULL OR pg_catalog.array_position(custom_roles, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'invite: email, lifetime and custom_roles (and its elements) must not be null (tenant "%")', tenant
			USING ERRCODE = '22004';
	END IF;
	registry := @extschema@.lock_tenant(tenant, 'invite');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'invite');
	address := @extschema@.normalize_email(email);
	IF lifetime OPERATOR(pg_catalog.<=) '0'::pg_catalog.interval OR lifetime OPERATOR(pg_catalog.>) '30 days'::pg_catalog.interval THEN
		RAISE EXCEPTION 'lifetime of an invitation to tenant "%" must be positive and at most 30 days, not %', tenant, lifetime
			USING ERRCODE = '22023';
	END IF;
	PERFORM @extschema@.check_role_grant(tenant, NULL, role, actor_role, 'invite');
	IF registry.status OPERATOR(pg_catalog.<>) 'active' THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.invitations', NULL,
			pg_catalog.format('the tenant is %s', registry.status), '55000',
			pg_catalog.format('tenant "%s" is %s and takes no invitations', tenant, registry.status));
	END IF;
	IF EXISTS (SELECT FROM @extschema@.memberships AS m
	             JOIN @extschema@.principals AS p
	               ON p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) m.principal_id
	            WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND p.email OPERATOR(pg_catalog.=) address) THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.invitations', NULL,
			'the address is a member''s', '23505',
			pg_catalog.format('e-mail address "%s" already belongs to a member of tenant "%s"', address, tenant));
	END IF;
	missing := @extschema@.missing_custom_role(tenant, custom_roles);
	IF missing IS NOT NULL THEN
		RAISE EXCEPTION 'custom role "%" does not exist in tenant "%"', missing, tenant USING ERRCODE = '42704';
	END IF;

	secret := @extschema@.issue_secret('mti_');
	new_id := pg_catalog.gen_random_uuid()::pg_catalog.text;
	PERFORM @extschema@.invitation_push(tenant, new_id, action,
		pg_catalog.jsonb_build_object(
			'email', address, 'role', role,
			'customRoles', ARRAY(SELECT DISTINCT r.name FROM pg_catalog.unnest(custom_roles) AS r(name) ORDER BY 1),
			'tokenHash', pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(secret, 'UTF8')), 'hex'),
			'expiresAt', pg_catalog.now() OPERATOR(pg_catalog.+) lifetime,
			-- An operator's invitation has no inviter whose rights acceptance re-checks.
			'invitedBy', CASE WHEN actor_role OPERATOR(pg_catalog.=) 'operator' THEN NULL ELSE @extschema@.current_actor() END));
	invitation_id := new_id;
	token := secret;
	RETURN NEXT;
END
$fn$;

-- The acting principal accepts the invitation the token names and becomes
-- a member.  Every token that does not admit them fails alike (28000, one
-- message, raised by one statement): whether it exists, was used, was meant
-- for someone else or for another tenant is for the audit log only.
CREATE FUNCTION @extschema@.accept_invitation(token text)
RETURNS @extschema@.memberships
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	action CONSTANT text := 'tenant.invitation.accepted';
	actor CONSTANT text := @extschema@.current_actor();
	entered CONSTANT text := @extschema@.current_tenant();
	hash bytea;
	tenant text;
	key jsonb;
	reason text;
	registry @extschema@.tenants;
	invitation @extschema@.invitations;
	principal @extschema@.principals;
	inviter_role text;
	result @extschema@.memberships;
BEGIN
	IF token IS NULL THEN
		RAISE EXCEPTION 'accept_invitation: token must not be null' USING ERRCODE = '22004';
	END IF;
	IF actor IS NULL THEN
		RAISE EXCEPTION 'permission denied for function multitenant.accept_invitation: no acting principal'
			USING ERRCODE = '42501',
			      HINT = 'Sign the tenant with an actor, or set multitenant.actor for the transaction.';
	END IF;
	hash := pg_catalog.sha256(pg_catalog.convert_to(token, 'UTF8'));
	SELECT i.instance_id, pg_catalog.jsonb_build_object('instance_id', i.instance_id, 'id', i.id) INTO tenant, key
	  FROM @extschema@.invitations AS i
	 WHERE i.token_hash OPERATOR(pg_catalog.=) hash;
	IF tenant IS NULL THEN
		reason := 'unknown token';
		tenant := COALESCE(entered, 'system');
	ELSIF entered IS NOT NULL AND entered OPERATOR(pg_catalog.<>) tenant THEN
		reason := pg_catalog.format('token presented inside tenant "%s"', entered);
	ELSE
		-- Single use: behind the tenant's lock, a concurrent acceptance of
		-- the same token has committed or not started.
		registry := @extschema@.lock_tenant(tenant, 'accept_invitation');
		SELECT i.* INTO STRICT invitation FROM @extschema@.invitations AS i
		 WHERE i.token_hash OPERATOR(pg_catalog.=) hash;
		SELECT p.* INTO principal FROM @extschema@.principals AS p
		 WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) actor;
		IF invitation.status OPERATOR(pg_catalog.=) 'accepted' THEN
			reason := pg_catalog.format('already accepted by "%s"', invitation.accepted_by);
		ELSIF invitation.status OPERATOR(pg_catalog.=) 'revoked' THEN
			reason := 'revoked';
		ELSIF invitation.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN
			reason := 'expired';
		ELSIF registry.status OPERATOR(pg_catalog.<>) 'active' THEN
			reason := pg_catalog.format('the tenant is %s', registry.status);
		ELSIF principal.id IS NULL OR principal.status OPERATOR(pg_catalog.<>) 'active' THEN
			reason := pg_catalog.format('"%s" is not an active principal', actor);
		ELSIF principal.email IS DISTINCT FROM invitation.email THEN
			reason := pg_catalog.format('invited e-mail address is not that of principal "%s"', actor);
		ELSIF EXISTS (SELECT FROM @extschema@.memberships AS m
		               WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND m.principal_id OPERATOR(pg_catalog.=) actor) THEN
			reason := pg_catalog.format('principal "%s" is already a member', actor);
		ELSIF invitation.invited_by IS NOT NULL THEN
			SELECT m.role INTO inviter_role FROM @extschema@.memberships AS m
			  JOIN @extschema@.principals AS p
			    ON p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) m.principal_id
			 WHERE m.instance_id OPERATOR(pg_catalog.=) tenant
			   AND m.principal_id OPERATOR(pg_catalog.=) invitation.invited_by
			   AND m.status OPERATOR(pg_catalog.=) 'active' AND p.status OPERATOR(pg_catalog.=) 'active';
			IF inviter_role IS NULL
			   OR @extschema@.role_rank(inviter_role) OPERATOR(pg_catalog.<) @extschema@.role_rank('admin')
			   OR (inviter_role OPERATOR(pg_catalog.<>) 'owner'
			       AND @extschema@.role_rank(invitation.role) OPERATOR(pg_catalog.>=) @extschema@.role_rank('admin')) THEN
				reason := pg_catalog.format('inviter "%s" may no longer grant the role %s', invitation.invited_by, invitation.role);
			END IF;
		END IF;
	END IF;
	IF reason IS NOT NULL THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.invitations', key, reason,
			'28000', 'invitation token is not valid');
	END IF;

	PERFORM @extschema@.invitation_push(tenant, invitation.id, action,
		pg_catalog.jsonb_build_object('principalId', actor));
	result := @extschema@.membership_push(tenant, actor, 'tenant.member.added',
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
			'role', invitation.role, 'status', 'active', 'invitedBy', invitation.invited_by,
			'invitedAt', invitation.created_at, 'acceptedAt', pg_catalog.clock_timestamp())));
	-- A custom role dropped since the invitation is not granted.
	PERFORM @extschema@.grant_carried_custom_roles(tenant, actor,
		ARRAY(SELECT r.name FROM pg_catalog.unnest(invitation.custom_roles) AS r(name)
		       WHERE EXISTS (SELECT FROM @extschema@.custom_roles AS c
		                      WHERE c.instance_id OPERATOR(pg_catalog.=) tenant AND c.name OPERATOR(pg_catalog.=) r.name)),
		invitation.invited_by);
	RETURN result;
END
$fn$;

-- Owners and admins revoke a pending invitation, admins only those they may
-- give (member, viewer).
CREATE FUNCTION @extschema@.revoke_invitation(
	invitation_id text,
	tenant text DEFAULT @extschema@.current_tenant(),
	reason text DEFAULT NULL)
RETURNS @extschema@.invitations
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	action CONSTANT text := 'tenant.invitation.revoked';
	key CONSTANT jsonb := pg_catalog.jsonb_build_object('instance_id', tenant, 'id', invitation_id);
	actor_role text;
	invitation @extschema@.invitations;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'revoke_invitation');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'revoke_invitation');
	IF invitation_id IS NULL THEN
		RAISE EXCEPTION 'revoke_invitation: invitation_id must not be null' USING ERRCODE = '22004';
	END IF;
	SELECT i.* INTO invitation FROM @extschema@.invitations AS i
	 WHERE i.instance_id OPERATOR(pg_catalog.=) tenant AND i.id OPERATOR(pg_catalog.=) invitation_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'invitation "%" does not exist in tenant "%"', invitation_id, tenant USING ERRCODE = '42704';
	END IF;
	IF invitation.status OPERATOR(pg_catalog.<>) 'pending' THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.invitations', key,
			pg_catalog.format('the invitation is %s', invitation.status), '55000',
			pg_catalog.format('invitation "%s" of tenant "%s" is %s, not pending', invitation_id, tenant, invitation.status));
	END IF;
	IF actor_role OPERATOR(pg_catalog.<>) 'operator' AND actor_role OPERATOR(pg_catalog.<>) 'owner'
	   AND @extschema@.role_rank(invitation.role) OPERATOR(pg_catalog.>=) @extschema@.role_rank('admin') THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.invitations', key,
			pg_catalog.format('a %s cannot revoke an invitation as %s', actor_role, invitation.role), '42501',
			pg_catalog.format('permission denied for function multitenant.revoke_invitation: only an owner revokes an invitation as %s in tenant "%s"',
			                  invitation.role, tenant));
	END IF;
	RETURN @extschema@.invitation_push(tenant, invitation_id, action,
		pg_catalog.jsonb_build_object('reason', reason, 'revokedBy', @extschema@.current_actor()));
END
$fn$;

-- Request and invitation events stored before 1.3 (by an administrator who
-- used the aggregate type) become rows as a fresh install would reduce them.
SELECT @extschema@.rebuild_many(ARRAY['@extschema@.join_requests', '@extschema@.invitations']::pg_catalog.regclass[]);

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
	@extschema@.record_auth_check(text, text, boolean, text),
	@extschema@.role_rank(text),
	@extschema@.actor_is_tenant_admin(),
	@extschema@.create_principal(text, text, text, text, text, jsonb, text),
	@extschema@.update_principal(text, text, text, text, jsonb),
	@extschema@.verify_principal(text),
	@extschema@.set_principal_status(text, text, text),
	@extschema@.add_member(text, text, text),
	@extschema@.change_member_role(text, text, text),
	@extschema@.suspend_member(text, text, text),
	@extschema@.reactivate_member(text, text),
	@extschema@.remove_member(text, text, text),
	@extschema@.create_custom_role(text, text, text),
	@extschema@.drop_custom_role(text, text),
	@extschema@.grant_custom_role(text, text, text),
	@extschema@.revoke_custom_role(text, text, text),
	@extschema@.register_tenant(text, text, text, text, text, text, text, jsonb)
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

-- The lifecycle's internal steps: the operator may call them (the functions
-- applications call run them with the definer's rights).
GRANT EXECUTE ON FUNCTION
	@extschema@.caller_is_operator(),
	@extschema@.issue_secret(text),
	@extschema@.audit_lifecycle(text, text, text, jsonb, jsonb, jsonb, text, boolean),
	@extschema@.normalize_email(text),
	@extschema@.lock_tenant(text, text),
	@extschema@.tenant_keeps_owner(text),
	@extschema@.refuse_lifecycle(text, text, text, jsonb, text, text, text, text),
	@extschema@.check_tenant_invariant(text, boolean, text, jsonb),
	@extschema@.require_member_role(text, text, text),
	@extschema@.lifecycle_push(text, text, jsonb),
	@extschema@.principal_image(text),
	@extschema@.membership_image(text, text),
	@extschema@.principal_version(text),
	@extschema@.principal_push(text, text, jsonb, bigint),
	@extschema@.require_principal_self(text, text),
	@extschema@.lock_principal_tenants(text, text),
	@extschema@.check_principal_fields(text, text, text, text, text, text, jsonb),
	@extschema@.managed_membership(text, text, text, boolean, text),
	@extschema@.check_role_grant(text, text, text, text, text),
	@extschema@.active_principal(text, text),
	@extschema@.membership_push(text, text, text, jsonb),
	@extschema@.check_custom_role_name(text, text),
	@extschema@.missing_custom_role(text, text[]),
	@extschema@.grant_carried_custom_roles(text, text, text[], text),
	@extschema@.join_request_push(text, text, text, jsonb),
	@extschema@.invitation_push(text, text, text, jsonb),
	@extschema@.pending_join_request(text, text, text)
TO multitenant_admin;

-- Join requests and invitations: the functions authorize their callers
-- themselves (members' roles in the tenant); the sweep is the operator's.
-- Their internal helpers are the operator's (above).
GRANT EXECUTE ON FUNCTION
	@extschema@.request_join(text, text),
	@extschema@.approve_join_request(text, text, text[], text),
	@extschema@.reject_join_request(text, text, text),
	@extschema@.invite(text, text, interval, text[], text),
	@extschema@.accept_invitation(text),
	@extschema@.revoke_invitation(text, text, text)
TO multitenant_app, multitenant_admin;

GRANT EXECUTE ON FUNCTION @extschema@.expire_join_requests() TO multitenant_admin;

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
