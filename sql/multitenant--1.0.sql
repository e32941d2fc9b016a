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
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

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
BEGIN
	EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
	EXECUTE pg_catalog.format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
	EXECUTE pg_catalog.format(
		'CREATE POLICY tenant_isolation ON %s AS PERMISSIVE FOR ALL TO PUBLIC'
		' USING (instance_id OPERATOR(pg_catalog.=) multitenant.current_tenant())'
		' WITH CHECK (instance_id OPERATOR(pg_catalog.=) multitenant.current_tenant())', tbl);
	EXECUTE pg_catalog.format(
		'CREATE POLICY tenant_admin ON %s AS PERMISSIVE FOR ALL TO multitenant_admin'
		' USING (true) WITH CHECK (true)', tbl);
	EXECUTE pg_catalog.format(
		'CREATE POLICY tenant_guard ON %s AS RESTRICTIVE FOR ALL TO multitenant_app'
		' USING (instance_id OPERATOR(pg_catalog.=) multitenant.current_tenant())'
		' WITH CHECK (instance_id OPERATOR(pg_catalog.=) multitenant.current_tenant())', tbl);
END
$fn$;

REVOKE ALL ON FUNCTION @extschema@.enable_tenant_isolation(regclass) FROM PUBLIC;

SELECT @extschema@.enable_tenant_isolation('@extschema@.events');

GRANT SELECT ON @extschema@.events TO multitenant_app, multitenant_admin;
GRANT SELECT ON @extschema@.reducers TO multitenant_admin;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.events', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.events_position_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.reducers', 'WHERE NOT builtin');
