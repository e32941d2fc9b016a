-- bench/setup.sql: schema for bench/run.sh (see bench/README.md).
--
-- One users_projection-like table per scenario family, each pre-filled with
-- the same 1,000,000 rows over 100 tenants:
--   bench.users          (a) multitenant.push / push_many, reduced in C
--   bench.users_trigger  (c) PL/pgSQL AFTER INSERT row trigger
--   bench.users_client   (d) client-side reducer (second statement)
-- and one event table per baseline, with the columns, constraints and indexes
-- of multitenant.events and a position sequence of its own:
--   bench.events_plain (b), bench.events_trigger (c), bench.events_client (d).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE EXTENSION IF NOT EXISTS multitenant;
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;

-- Tenants are 18-digit ids like Zitadel's: 200000000000000001 .. 200000000000000100.
-- Pre-filled user ids are distinct pseudo-random 18-digit numbers; benchmark
-- ids are random(1e14, 1e15) * 1000 + n, i.e. also 18 digits in the same range.

-- A ~300-byte payload shaped like Zitadel's user.human.added (HumanAddedEvent;
-- the address keys are omitempty there and left out here).
-- Every scenario builds its payload with this function, so all pay the same
-- jsonb parse.  (No "key:value" without a space: pgbench would read ":value"
-- as a variable if this text ever moved into a script.)
CREATE FUNCTION bench.user_payload_text(id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '{"userName": "user' || id || '", "firstName": "Benchmark", "lastName": "Mustermann",'
       ' "nickName": "bench", "displayName": "Benchmark Mustermann", "preferredLanguage": "de",'
       ' "gender": 2, "email": "user' || id || '@bench.zitadel.example.com",'
       ' "phone": "+41791234567", "changeRequired": false}';

CREATE FUNCTION bench.user_payload(id text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN bench.user_payload_text(id)::jsonb;

CREATE TABLE bench.users (
	instance_id              text        NOT NULL,
	id                       text        NOT NULL,
	creation_date            timestamptz NOT NULL,
	change_date              timestamptz NOT NULL,
	sequence                 bigint      NOT NULL,
	resource_owner           text        NOT NULL,
	state                    smallint    NOT NULL,
	username                 text        NOT NULL,
	type                     smallint    NOT NULL,
	first_name               text,
	last_name                text,
	nick_name                text,
	display_name             text,
	preferred_language       text,
	gender                   smallint,
	email                    text,
	phone                    text,
	password_change_required boolean
);

INSERT INTO bench.users
SELECT u.tenant, u.id, now() - interval '30 days', now() - interval '30 days', 1, u.tenant,
       1, 'user' || u.id, 1, 'Benchmark', 'Mustermann', 'bench', 'Benchmark Mustermann', 'de',
       2, 'user' || u.id || '@bench.zitadel.example.com', '+41791234567', false
  FROM (SELECT (200000000000000001 + n % 100)::text AS tenant,
               (100000000000000000 + (n::numeric * 982451653 * 1000003) % 900000000000000000)::bigint::text AS id
          FROM generate_series(1, 1000000) AS n) AS u;

CREATE TABLE bench.users_trigger AS SELECT * FROM bench.users;
CREATE TABLE bench.users_client  AS SELECT * FROM bench.users;

ALTER TABLE bench.users         ADD PRIMARY KEY (instance_id, id);
ALTER TABLE bench.users_trigger ADD PRIMARY KEY (instance_id, id);
ALTER TABLE bench.users_client  ADD PRIMARY KEY (instance_id, id);
CREATE INDEX ON bench.users         (instance_id, username);
CREATE INDEX ON bench.users_trigger (instance_id, username);
CREATE INDEX ON bench.users_client  (instance_id, username);
-- CREATE TABLE AS drops NOT NULL: put it back so the three are identical.
DO $$
DECLARE t text; c text;
BEGIN
	FOREACH t IN ARRAY ARRAY['users_trigger', 'users_client'] LOOP
		FOREACH c IN ARRAY ARRAY['creation_date', 'change_date', 'sequence', 'resource_owner',
		                         'state', 'username', 'type'] LOOP
			EXECUTE format('ALTER TABLE bench.%I ALTER COLUMN %I SET NOT NULL', t, c);
		END LOOP;
	END LOOP;
END $$;

-- Baseline event stores: same columns, CHECK constraints, PK and indexes as
-- multitenant.events (LIKE ... INCLUDING ALL), own position sequence.
CREATE TABLE bench.events_plain   (LIKE multitenant.events INCLUDING ALL);
CREATE TABLE bench.events_trigger (LIKE multitenant.events INCLUDING ALL);
CREATE TABLE bench.events_client  (LIKE multitenant.events INCLUDING ALL);
CREATE SEQUENCE bench.events_plain_position_seq   AS bigint;
CREATE SEQUENCE bench.events_trigger_position_seq AS bigint;
CREATE SEQUENCE bench.events_client_position_seq  AS bigint;

-- Pre-fill every event store with the user.human.added events of the first
-- :events projection rows (psql -v events=N; run.sh passes BENCH_EVENTS,
-- default 1000000: the event store that produced the projection).  With an
-- empty store, push's "latest sequence" lookup is planned against an empty
-- table; see bench/README.md.
\if :{?events}
\else
\set events 0
\endif
INSERT INTO multitenant.events (instance_id, aggregate_type, aggregate_id, sequence, event_type,
                                payload, creator, resource_owner, created_at, position)
SELECT u.instance_id, 'user', u.id, 1, 'user.human.added', bench.user_payload(u.id), 'bench',
       u.resource_owner, u.creation_date, nextval('multitenant.events_position_seq')
  FROM (SELECT * FROM bench.users ORDER BY ctid LIMIT :events) AS u;
INSERT INTO bench.events_plain   SELECT * FROM multitenant.events ORDER BY position;
INSERT INTO bench.events_trigger SELECT * FROM multitenant.events ORDER BY position;
INSERT INTO bench.events_client  SELECT * FROM multitenant.events ORDER BY position;
SELECT setval(s, (SELECT COALESCE(max(position), 0) + 1 FROM multitenant.events), false)
  FROM unnest(ARRAY['bench.events_plain_position_seq', 'bench.events_trigger_position_seq',
                    'bench.events_client_position_seq']::regclass[]) AS s;

-- (a) the reducer, in the extension: insert one bench.users row per event, as
-- Zitadel's users projection does for user.human.added (a new user).
-- instance_id, creation_date, change_date, sequence and resource_owner are
-- filled from the event automatically.  The trigger (c) and client-side (d)
-- baselines write the projection with INSERT ... ON CONFLICT.
SELECT multitenant.register_reducer('bench.users', 'user.human.added', 'insert',
	set => $${
		"state": "1",
		"type": "1",
		"username": "multitenant.payload_text(e.payload, 'userName')",
		"first_name": "multitenant.payload_text(e.payload, 'firstName')",
		"last_name": "multitenant.payload_text(e.payload, 'lastName')",
		"nick_name": "multitenant.payload_text(e.payload, 'nickName')",
		"display_name": "multitenant.payload_text(e.payload, 'displayName')",
		"preferred_language": "multitenant.payload_text(e.payload, 'preferredLanguage')",
		"gender": "multitenant.payload_smallint(e.payload, 'gender')",
		"email": "multitenant.payload_text(e.payload, 'email')",
		"phone": "multitenant.payload_text(e.payload, 'phone')",
		"password_change_required": "multitenant.payload_bool(e.payload, 'changeRequired')"
	}$$);

-- user.human.added is also reduced by the extension's own projections (users,
-- humans, notifications, login names: five rows per event where (c) and (d)
-- write one).  The same reducer under an event type of the benchmark's own
-- measures the event store against the baselines row for row (diag_*_own).
SELECT multitenant.register_reducer('bench.users', 'bench.user.added', 'insert',
	set => (SELECT r.set_columns FROM multitenant.reducers AS r
	         WHERE r.projection = 'bench.users'::regclass AND r.event_type = 'user.human.added'));

-- (c) what users write today: the same upsert in a PL/pgSQL AFTER INSERT
-- row trigger on the event table.
CREATE FUNCTION bench.reduce_user_trigger() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
	IF NEW.event_type = 'user.human.added' THEN
		INSERT INTO bench.users_trigger AS t (instance_id, id, creation_date, change_date, sequence,
			resource_owner, state, username, type, first_name, last_name, nick_name, display_name,
			preferred_language, gender, email, phone, password_change_required)
		VALUES (NEW.instance_id, NEW.aggregate_id, NEW.created_at, NEW.created_at, NEW.sequence,
			NEW.resource_owner, 1, NEW.payload->>'userName', 1, NEW.payload->>'firstName',
			NEW.payload->>'lastName', NEW.payload->>'nickName', NEW.payload->>'displayName',
			NEW.payload->>'preferredLanguage', (NEW.payload->>'gender')::smallint,
			NEW.payload->>'email', NEW.payload->>'phone', (NEW.payload->>'changeRequired')::boolean)
		ON CONFLICT (instance_id, id) DO UPDATE SET
			change_date = EXCLUDED.change_date, sequence = EXCLUDED.sequence,
			state = EXCLUDED.state, username = EXCLUDED.username, type = EXCLUDED.type,
			first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
			nick_name = EXCLUDED.nick_name, display_name = EXCLUDED.display_name,
			preferred_language = EXCLUDED.preferred_language, gender = EXCLUDED.gender,
			email = EXCLUDED.email, phone = EXCLUDED.phone,
			password_change_required = EXCLUDED.password_change_required;
	END IF;
	RETURN NULL;
END
$fn$;

CREATE TRIGGER reduce_user AFTER INSERT ON bench.events_trigger
	FOR EACH ROW EXECUTE FUNCTION bench.reduce_user_trigger();

-- Diagnostics only (BENCH_DIAG=1): an event type with no reducer.
-- (Nothing to create: push of an unregistered event type just stores it.)

VACUUM (ANALYZE) bench.users, bench.users_trigger, bench.users_client,
	bench.events_plain, bench.events_trigger, bench.events_client, multitenant.events;
