/*
 * The tenants registry: the projection of the `tenant` aggregate that says
 * which tenants exist, what they are and whether they may be entered, and
 * the operator functions that change it by pushing its events.
 */

------------------------------------------------------------------------------
-- The tenants registry (projection of the `tenant` aggregate: aggregate_id =
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

-- validate_session keeps tenants' states per backend (src/row_cache.c, see 20_lookups).
CREATE TRIGGER lookup_rows_changed
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.tenants
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.tenants ENABLE ALWAYS TRIGGER lookup_rows_changed;
CREATE TRIGGER lookup_rows_changed_row
	BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.tenants
	FOR EACH ROW EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.tenants ENABLE ALWAYS TRIGGER lookup_rows_changed_row;

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
