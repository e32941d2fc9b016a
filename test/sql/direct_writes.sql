-- push and push_many store events through the table access method
-- (multitenant.direct_event_writes, on by default) exactly as through the SQL
-- statements.  Every case runs both ways on the same data, each time in a
-- subtransaction rolled back with the position sequence put back, so that
-- both draw the same positions: the rows returned, the rows stored, the
-- projection written and the error raised must be the same.  A trigger or a
-- rule of anyone else's on multitenant.events sends pushes through SQL; the
-- DEBUG line says why, and the trigger fires.
CREATE EXTENSION multitenant;
CREATE SCHEMA dw;
CREATE TABLE dw.log (note text);

-- What a case leaves: each SELECT's rows, then the events and org rows it
-- stored, or the error it raised.  Timestamps and the caller's name are left
-- out, so that the output is the same on every run.
CREATE FUNCTION dw.strip(doc jsonb) RETURNS jsonb
LANGUAGE sql AS $fn$
	SELECT CASE WHEN doc ->> 'creator' = current_user THEN jsonb_set(r, '{creator}', '"(caller)"') ELSE r END
	  FROM (SELECT doc - ARRAY['created_at', 'creation_date', 'change_date']) AS x(r)
$fn$;

CREATE FUNCTION dw.run(direct boolean, stmts text[]) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
	saved bigint := (SELECT s.last_value FROM multitenant.events_position_seq AS s);
	result text := '';
	rows text;
	stmt text;
	state text;
	msg text;
	detail text;
BEGIN
	PERFORM set_config('multitenant.direct_event_writes', direct::text, true);
	BEGIN
		FOREACH stmt IN ARRAY stmts LOOP
			IF stmt LIKE 'SELECT%' THEN
				EXECUTE format('SELECT string_agg(dw.strip(to_jsonb(t))::text, E''\n'') FROM (%s) AS t', stmt) INTO rows;
				result := result || coalesce(rows, '(none)') || E'\n';
			ELSE
				EXECUTE stmt;
			END IF;
		END LOOP;
		result := result || 'stored:' || E'\n' || coalesce((SELECT string_agg(dw.strip(to_jsonb(e))::text, E'\n' ORDER BY e.position)
		                                                    FROM multitenant.events AS e WHERE e.position > saved), '(none)')
		          || E'\n' || 'orgs:' || E'\n' || coalesce((SELECT string_agg(dw.strip(to_jsonb(o))::text, E'\n' ORDER BY o.instance_id, o.id)
		                                                 FROM multitenant.orgs_projection AS o WHERE o.instance_id LIKE 'dw-%'), '(none)')
		          || E'\n' || 'log: ' || coalesce((SELECT string_agg(l.note, ', ' ORDER BY l.note) FROM dw.log AS l), '(none)');
		RAISE EXCEPTION 'dw: undo the case';
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
		IF msg <> 'dw: undo the case' THEN
			result := result || format('ERROR %s: %s', state, msg)
			          || CASE WHEN detail <> '' THEN E'\nDETAIL: ' || detail ELSE '' END;
		END IF;
	END;
	PERFORM setval('multitenant.events_position_seq', saved);
	RETURN result;
END
$fn$;

CREATE FUNCTION dw.same(stmts text[]) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
	direct text := dw.run(true, stmts);
	plain text := dw.run(false, stmts);
BEGIN
	IF direct IS DISTINCT FROM plain THEN
		RETURN format(E'DIFFERENT\n-- direct:\n%s\n-- SQL:\n%s', direct, plain);
	END IF;
	RETURN direct;
END
$fn$;

-- The data every case starts from.
SELECT e.aggregate_id, e.sequence, e.resource_owner, e.position FROM (
	SELECT * FROM multitenant.push('org', 'o1', 'org.added', '{"name": "One"}', instance_id => 'dw-a')
	UNION ALL SELECT * FROM multitenant.push('user', 'u1', 'user.human.added', '{"userName": "ada"}', resource_owner => 'o1', instance_id => 'dw-a')
	UNION ALL SELECT * FROM multitenant.push('user', 'u1', 'user.phone.changed', '{"phone": "+41"}', instance_id => 'dw-a')
	UNION ALL SELECT * FROM multitenant.push('user', 'u1', 'user.human.added', instance_id => 'dw-b')) AS e
ORDER BY e.position;

-- push: a new aggregate, an existing one (its owner carried over), an org
-- (its own owner), no payload, expected sequences met.
SELECT dw.same(ARRAY[
	$$SELECT * FROM multitenant.push('user', 'u2', 'user.human.added', '{"userName": "bo"}', instance_id => 'dw-a')$$,
	$$SELECT * FROM multitenant.push('user', 'u1', 'user.email.changed', '{"email": "a@b"}', instance_id => 'dw-a')$$,
	$$SELECT * FROM multitenant.push('org', 'o2', 'org.added', '{"name": "Two"}', instance_id => 'dw-a')$$,
	$$SELECT * FROM multitenant.push('user', 'u3', 'user.noted', instance_id => 'dw-a', creator => 'someone')$$,
	$$SELECT * FROM multitenant.push('user', 'u1', 'user.locked', expected_sequence => 4, instance_id => 'dw-a')$$]);
-- expected_sequence 0 creates an aggregate without looking it up, and is
-- refused for one that has events.
SELECT dw.same(ARRAY[
	$$SELECT * FROM multitenant.push('user', 'u4', 'user.human.added', '{"userName": "cy"}', expected_sequence => 0, instance_id => 'dw-a')$$,
	$$SELECT * FROM multitenant.push('org', 'o3', 'org.added', '{"name": "Three"}', expected_sequence => 0, instance_id => 'dw-b')$$]);
SELECT dw.same(ARRAY[$$SELECT * FROM multitenant.push('user', 'u1', 'user.human.added', expected_sequence => 0, instance_id => 'dw-a')$$]);
SELECT dw.same(ARRAY[$$SELECT * FROM multitenant.push('user', 'u1', 'user.locked', expected_sequence => 7, instance_id => 'dw-a')$$]);

-- push_many, as one JSON array and as an array of objects (VARIADIC, so
-- that a literal still means the JSON array).
SELECT dw.same(ARRAY[$$SELECT * FROM multitenant.push_many('[
	{"aggregate_type": "user", "aggregate_id": "u5", "event_type": "user.human.added", "payload": {"userName": "di"}, "instance_id": "dw-a", "expected_sequence": 0},
	{"aggregate_type": "user", "aggregate_id": "u5", "event_type": "user.locked", "instance_id": "dw-a", "expected_sequence": 1},
	{"aggregate_type": "user", "aggregate_id": "u1", "event_type": "user.unlocked", "instance_id": "dw-a"},
	{"aggregate_type": "org", "aggregate_id": "o4", "event_type": "org.added", "payload": {"name": "Four"}, "instance_id": "dw-b"},
	{"aggregate_type": "user", "aggregate_id": "u1", "event_type": "user.locked", "instance_id": "dw-b", "expected_sequence": 1}]')$$]);
SELECT dw.same(ARRAY[$$SELECT * FROM multitenant.push_many(VARIADIC ARRAY[
	'{"aggregate_type": "user", "aggregate_id": "u5", "event_type": "user.human.added", "payload": {"userName": "di"}, "instance_id": "dw-a", "expected_sequence": 0}',
	'{"aggregate_type": "user", "aggregate_id": "u5", "event_type": "user.locked", "instance_id": "dw-a", "expected_sequence": 1}',
	'{"aggregate_type": "user", "aggregate_id": "u1", "event_type": "user.unlocked", "instance_id": "dw-a"}',
	'{"aggregate_type": "org", "aggregate_id": "o4", "event_type": "org.added", "payload": {"name": "Four"}, "instance_id": "dw-b"}',
	'{"aggregate_type": "user", "aggregate_id": "u1", "event_type": "user.locked", "instance_id": "dw-b", "expected_sequence": 1}']::jsonb[])$$]);
-- The two forms are one batch: the same rows either way.
SELECT dw.run(true, ARRAY[$$SELECT * FROM multitenant.push_many('[{"aggregate_type": "org", "aggregate_id": "o5", "event_type": "org.added", "payload": {"name": "Five"}, "instance_id": "dw-a"}]')$$])
     = dw.run(true, ARRAY[$$SELECT * FROM multitenant.push_many(VARIADIC ARRAY['{"aggregate_type": "org", "aggregate_id": "o5", "event_type": "org.added", "payload": {"name": "Five"}, "instance_id": "dw-a"}']::jsonb[])$$])
       AS same_batch;
SELECT count(*) FROM multitenant.push_many(VARIADIC '{}'::jsonb[]);
SELECT multitenant.push_many(VARIADIC NULL::jsonb[]);
SELECT multitenant.push_many(VARIADIC ARRAY['{"aggregate_type": "org"}', NULL]::jsonb[]);
SELECT multitenant.push_many(VARIADIC ARRAY['[1]']::jsonb[]);
SELECT multitenant.push_many(VARIADIC ARRAY[['{}'], ['{}']]::jsonb[]);
-- Events as arguments of their own are the array form too.
SELECT dw.same(ARRAY[$$SELECT e.aggregate_id, e.sequence FROM multitenant.push_many(
	'{"aggregate_type": "org", "aggregate_id": "o6", "event_type": "org.added", "instance_id": "dw-a"}',
	'{"aggregate_type": "org", "aggregate_id": "o6", "event_type": "org.changed", "instance_id": "dw-a"}') AS e$$]);
-- A batch refused for an aggregate expected new, and a stale expectation.
SELECT dw.same(ARRAY[$$SELECT * FROM multitenant.push_many('[
	{"aggregate_type": "user", "aggregate_id": "u6", "event_type": "user.human.added", "instance_id": "dw-a"},
	{"aggregate_type": "user", "aggregate_id": "u1", "event_type": "user.human.added", "instance_id": "dw-a", "expected_sequence": 0}]')$$]);
SELECT dw.same(ARRAY[$$SELECT * FROM multitenant.push_many(VARIADIC ARRAY[
	'{"aggregate_type": "user", "aggregate_id": "u1", "event_type": "user.locked", "instance_id": "dw-a", "expected_sequence": 2}']::jsonb[])$$]);

-- A unique index other than the primary key: a position taken (the sequence
-- set back) fails a push, and a batch as a serialization failure.
SELECT dw.same(ARRAY[$$SELECT setval('multitenant.events_position_seq', 1)$$,
	$$SELECT * FROM multitenant.push('user', 'u7', 'user.human.added', instance_id => 'dw-a')$$]);
SELECT dw.same(ARRAY[$$SELECT setval('multitenant.events_position_seq', 2)$$,
	$$SELECT * FROM multitenant.push_many('[{"aggregate_type": "user", "aggregate_id": "u7", "event_type": "user.human.added", "instance_id": "dw-a"},
	                                        {"aggregate_type": "user", "aggregate_id": "u7", "event_type": "user.locked", "instance_id": "dw-a"}]')$$]);

-- CHECK constraints, the table's own and one added later.
SELECT dw.same(ARRAY[$$SELECT * FROM multitenant.push('user', 'u8', 'user.human.added', instance_id => 'dw-a', created_at => '2020-01-01 00:00:00+00')$$]);
SELECT dw.same(ARRAY[
	$$ALTER TABLE multitenant.events ADD CONSTRAINT dw_no_forbidden CHECK (event_type <> 'forbidden')$$,
	$$SELECT e.sequence FROM multitenant.push('user', 'u8', 'allowed', instance_id => 'dw-a') AS e$$,
	$$SELECT * FROM multitenant.push('user', 'u8', 'forbidden', creator => 'c', instance_id => 'dw-a', created_at => '2020-01-01 00:00:00+00')$$]);
SELECT dw.same(ARRAY[
	$$ALTER TABLE multitenant.events ADD CONSTRAINT dw_no_forbidden CHECK (event_type <> 'forbidden')$$,
	$$SELECT * FROM multitenant.push_many(VARIADIC ARRAY['{"aggregate_type": "user", "aggregate_id": "u8", "event_type": "forbidden", "instance_id": "dw-a", "creator": "c", "created_at": "2020-01-01 00:00:00+00"}',
	                                                     '{"aggregate_type": "user", "aggregate_id": "u8", "event_type": "allowed", "instance_id": "dw-a"}']::jsonb[])$$]);

-- Someone else's triggers and rules: the SQL statements store the events,
-- so the triggers fire and the rule applies (here: refuses ON CONFLICT).
CREATE FUNCTION dw.note() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
	INSERT INTO dw.log VALUES (TG_WHEN || ' ' || NEW.aggregate_id || '/' || NEW.sequence);
	NEW.creator := 'trigger';
	RETURN NEW;
END
$fn$;
SET client_min_messages = debug1;
SELECT dw.same(ARRAY[
	$$CREATE TRIGGER dw_before BEFORE INSERT ON multitenant.events FOR EACH ROW EXECUTE FUNCTION dw.note()$$,
	$$CREATE TRIGGER dw_after AFTER INSERT ON multitenant.events FOR EACH ROW EXECUTE FUNCTION dw.note()$$,
	$$SELECT * FROM multitenant.push('user', 'u9', 'user.human.added', instance_id => 'dw-a')$$,
	$$SELECT * FROM multitenant.push_many(VARIADIC ARRAY['{"aggregate_type": "org", "aggregate_id": "o9", "event_type": "org.added", "payload": {"name": "Nine"}, "instance_id": "dw-a"}']::jsonb[])$$]);
SELECT dw.same(ARRAY[
	$$CREATE RULE dw_rule AS ON INSERT TO multitenant.events DO ALSO INSERT INTO dw.log VALUES ('rule ' || NEW.aggregate_id)$$,
	$$SELECT * FROM multitenant.push_many(VARIADIC ARRAY['{"aggregate_type": "org", "aggregate_id": "o9", "event_type": "org.added", "instance_id": "dw-a"}']::jsonb[])$$]);
SELECT dw.same(ARRAY[
	$$CREATE RULE dw_rule AS ON INSERT TO multitenant.events DO ALSO INSERT INTO dw.log VALUES ('rule ' || NEW.aggregate_id)$$,
	$$SELECT * FROM multitenant.push('user', 'u9', 'user.human.added', instance_id => 'dw-a')$$]);
-- Statement triggers count too.
SELECT dw.run(true, ARRAY[
	$$CREATE FUNCTION dw.count_statement() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN INSERT INTO dw.log VALUES (''statement''); RETURN NULL; END'$$,
	$$CREATE TRIGGER dw_statement AFTER INSERT ON multitenant.events FOR EACH STATEMENT EXECUTE FUNCTION dw.count_statement()$$,
	$$SELECT e.sequence FROM multitenant.push('user', 'u9', 'user.human.added', instance_id => 'dw-a') AS e$$]);
-- A table that is not a heap, and a column of someone else's.
SELECT dw.same(ARRAY[
	$$SET LOCAL client_min_messages = notice$$,
	$$CREATE ACCESS METHOD dw_heap TYPE TABLE HANDLER heap_tableam_handler$$,
	$$ALTER TABLE multitenant.events SET ACCESS METHOD dw_heap$$,
	$$SET LOCAL client_min_messages = debug1$$,
	$$SELECT * FROM multitenant.push('user', 'u9', 'user.human.added', instance_id => 'dw-a')$$]);
SELECT dw.same(ARRAY[
	$$ALTER TABLE multitenant.events ADD COLUMN note text DEFAULT 'noted'$$,
	$$SELECT * FROM multitenant.push('user', 'u9', 'user.human.added', instance_id => 'dw-a')$$]);
-- The table's own triggers leave the direct path open.
SELECT e.sequence FROM multitenant.push('user', 'u9', 'user.human.added', instance_id => 'dw-a') AS e;
RESET client_min_messages;

DROP EXTENSION multitenant;
DROP SCHEMA multitenant;
DROP SCHEMA dw CASCADE;
