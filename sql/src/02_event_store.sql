/*
 * The event store: the events table with its global positions, the pushes
 * that append to it (and reduce what they append in the same transaction),
 * the readers, and the declared event types that
 * multitenant.require_declared_event_types checks pushes against.
 */

------------------------------------------------------------------------------
-- Events.  Every row belongs to one tenant and one aggregate; sequence
-- counts the aggregate's events without gaps, position orders all events.
-- Stored events never change.
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

-- Positions are unique per tenant (with instance_id, as Citus needs every
-- unique index of a table distributed by instance_id to hold it); they come
-- from one sequence, so they are unique overall too.  Led by position, the
-- index still serves read_events across tenants.
CREATE UNIQUE INDEX events_position_idx ON @extschema@.events (position, instance_id);
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

SELECT @extschema@.enable_tenant_isolation('@extschema@.events');
GRANT SELECT ON @extschema@.events TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.events', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.events_position_seq', '');

------------------------------------------------------------------------------
-- Writing and reading events.  push and push_many have no SET search_path:
-- their C code runs everything, its own statements and the reducers', under
-- the extension's own search_path, which it enters more cheaply than a SET
-- clause does (mt_enter_own_search_path).
------------------------------------------------------------------------------

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
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.push_many(events jsonb)
RETURNS SETOF @extschema@.events
AS 'MODULE_PATHNAME', 'mt_push_many'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- The same batch as an array of objects, as a driver passes an array
-- (push_many(VARIADIC $1::jsonb[])).  VARIADIC keeps a call with one literal,
-- push_many('[...]'), resolving to the JSON-array form.
CREATE FUNCTION @extschema@.push_many(VARIADIC events jsonb[])
RETURNS SETOF @extschema@.events
AS 'MODULE_PATHNAME', 'mt_push_many_array'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.read_events(after_position bigint DEFAULT 0, max_events integer DEFAULT 1000)
RETURNS SETOF @extschema@.events
AS 'MODULE_PATHNAME', 'mt_read_events'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

CREATE FUNCTION @extschema@.aggregate_version(aggregate_type text, aggregate_id text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'mt_aggregate_version'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

------------------------------------------------------------------------------
-- Event types: the declared-types guard.
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

GRANT EXECUTE ON FUNCTION @extschema@.declare_event_type(text) TO multitenant_admin;
