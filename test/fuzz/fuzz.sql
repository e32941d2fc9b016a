-- The fuzzer's side of the fuzz database (test/fuzz/events.sh): schema fuzz
-- with the corpus of well-formed events, what the reducers read, the step
-- generator, the psql script it becomes, and the state digest.  None of it is
-- a projection, so rebuild() leaves it alone.
--
-- A step is one statement: a good one pushes the next well-formed events (push,
-- push with its expected sequence, push as an application role, push_many);
-- a bad one pushes a malformed event and must be refused with the SQLSTATE it
-- names, changing nothing.  Malformed events that depend on state (a reducer
-- reading a key of the wrong type, a stale expected_sequence) are made from the
-- next well-formed event, so they meet exactly the state it will meet.

CREATE SCHEMA fuzz;

CREATE TABLE fuzz.corpus (
	pos            bigint PRIMARY KEY,
	instance_id    text NOT NULL,
	aggregate_type text NOT NULL,
	aggregate_id   text NOT NULL,
	event_type     text NOT NULL,
	payload        jsonb,
	creator        text NOT NULL,
	resource_owner text NOT NULL,
	created_at     timestamptz NOT NULL
);

-- The projection rows of the corpus database, where the same events were
-- pushed one at a time in their streams' order.
CREATE TABLE fuzz.corpus_rows (projection text, r jsonb);

-- The corpus in the order the fuzzer pushes it: a random interleaving of the
-- tenants that keeps each tenant's own order.
CREATE TABLE fuzz.merged (ord integer PRIMARY KEY, LIKE fuzz.corpus);

CREATE TABLE fuzz.steps (
	step    integer PRIMARY KEY,
	kind    text NOT NULL,
	variant text NOT NULL DEFAULT '',
	good    boolean NOT NULL,
	expect  text NOT NULL,        -- SQLSTATE, 00000 for success, * for any but an internal error
	todo    text,                 -- a known defect this step demonstrates
	sql     text NOT NULL
);

-- The events good steps store, in push order.
CREATE TABLE fuzz.expected_events (
	step integer NOT NULL,
	k    integer NOT NULL,
	LIKE fuzz.corpus EXCLUDING CONSTRAINTS,
	PRIMARY KEY (step, k)
);

CREATE TABLE fuzz.outcomes (
	step      integer PRIMARY KEY,
	sqlstate  text NOT NULL,
	message   text,
	unchanged boolean            -- bad steps: state digest equal before and after
);

-- Latest sequence of each aggregate after the good steps generated so far.
CREATE TABLE fuzz.seq (
	instance_id    text,
	aggregate_type text,
	aggregate_id   text,
	seq            bigint NOT NULL,
	PRIMARY KEY (instance_id, aggregate_type, aggregate_id)
);

CREATE VIEW fuzz.projections AS
	SELECT DISTINCT r.projection FROM multitenant.reducers AS r;

------------------------------------------------------------------------------
-- What the reducers read, from the registry itself.
------------------------------------------------------------------------------

-- How often the reducers of an event type mention a text.
CREATE FUNCTION fuzz.mentions(event_type text, needle text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT COALESCE(pg_catalog.sum((pg_catalog.length(t.src) - pg_catalog.length(pg_catalog.replace(t.src, needle, '')))
	                               / pg_catalog.length(needle)), 0)::bigint
	  FROM multitenant.reducers AS r,
	       LATERAL (SELECT r.set_columns::text || r.match_columns::text || COALESCE(r.condition, '') AS src) AS t
	 WHERE r.event_type = mentions.event_type
$$;

CREATE VIEW fuzz.reducer_exprs AS
	SELECT r.id, r.event_type, r.projection, r.action, r.condition, x.key AS col, x.value AS expr
	  FROM multitenant.reducers AS r, pg_catalog.jsonb_each_text(r.set_columns || r.match_columns) AS x;

-- Every accessor call on a top-level payload key, in any reducer of a type.
CREATE VIEW fuzz.all_reads AS
	SELECT DISTINCT r.event_type, m[1] AS accessor, m[2] AS key
	  FROM multitenant.reducers AS r,
	       regexp_matches(r.set_columns::text || r.match_columns::text || COALESCE(r.condition, ''),
	                      'payload_([a-z0-9_]+)\(e\.payload, ''([^'']+)''\)', 'g') AS m;

-- Keys an insert or upsert reducer without condition reads through exactly one
-- accessor as the leading operand of its expression (possibly under COALESCE /
-- NULLIF): the statement always evaluates it, so a value of the wrong JSON type
-- must fail the push.  Keys that any reducer of the type reads another way
-- (another accessor, e.payload -> 'key') are left out: their error could come
-- from elsewhere.
CREATE VIEW fuzz.typed_keys AS
	SELECT DISTINCT e.event_type, m[1] AS accessor, m[2] AS key
	  FROM fuzz.reducer_exprs AS e,
	       regexp_match(e.expr, '^(?:(?:COALESCE|NULLIF)\()*multitenant\.payload_([a-z0-9_]+)\(e\.payload, ''([^'']+)''\)') AS m
	 WHERE e.action IN ('insert', 'upsert') AND e.condition IS NULL AND m IS NOT NULL
	   AND (SELECT pg_catalog.count(*) FROM fuzz.all_reads AS a WHERE a.event_type = e.event_type AND a.key = m[2]) = 1
	   AND NOT EXISTS (SELECT FROM multitenant.reducers AS r
	                    WHERE r.event_type = e.event_type
	                      AND strpos(r.set_columns::text || r.match_columns::text || COALESCE(r.condition, ''),
	                                 'e.payload -> ''' || m[2] || '''') > 0);

-- Keys an insert or upsert reducer without condition stores bare into a NOT
-- NULL column: without them (absent, JSON null, NULL payload) the push fails
-- with 23502.
CREATE VIEW fuzz.required_keys AS
	SELECT DISTINCT e.event_type, m[2] AS key
	  FROM fuzz.reducer_exprs AS e
	  JOIN pg_catalog.pg_attribute AS a ON a.attrelid = e.projection AND a.attname = e.col AND a.attnotnull,
	       regexp_match(e.expr, '^multitenant\.payload_([a-z0-9_]+)\(e\.payload, ''([^'']+)''\)$') AS m
	 WHERE e.action IN ('insert', 'upsert') AND e.condition IS NULL AND m IS NOT NULL;

-- Text keys an insert or upsert reducer without condition stores (as they are,
-- or '' when absent) into a column that a btree index holds: a value larger
-- than an index row can be fails with 54000.  Only keys that every reducer of
-- the type uses that way: a key that also feeds another expression (a lookup
-- of the row it names, say) would fail there first, for another reason; and
-- no column a CHECK constraint tests (a role or status from a fixed list fails
-- its check, 23514, before the index sees it).
CREATE VIEW fuzz.indexed_keys AS
	WITH stored AS (
		SELECT e.event_type, e.projection, e.col, m[1] AS key
		  FROM fuzz.reducer_exprs AS e,
		       regexp_match(e.expr, '^(?:COALESCE\()?multitenant\.payload_text\(e\.payload, ''([^'']+)''\)(?:, ''[^'']*''\))?$') AS m
		 WHERE e.action IN ('insert', 'upsert') AND e.condition IS NULL AND m IS NOT NULL
	)
	SELECT DISTINCT e.event_type, e.key
	  FROM stored AS e
	  JOIN pg_catalog.pg_attribute AS a ON a.attrelid = e.projection AND a.attname = e.col
	 WHERE fuzz.mentions(e.event_type, 'e.payload, ''' || e.key || ''')')
	       = (SELECT pg_catalog.count(*) FROM stored AS s WHERE s.event_type = e.event_type AND s.key = e.key)
	   AND fuzz.mentions(e.event_type, 'e.payload -> ''' || e.key || '''') = 0
	   AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint AS k
	                    WHERE k.conrelid = e.projection AND k.contype = 'c' AND a.attnum = ANY (k.conkey))
	   AND EXISTS (SELECT FROM pg_catalog.pg_index AS i
	                 JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid
	                 JOIN pg_catalog.pg_am AS am ON am.oid = c.relam AND am.amname = 'btree'
	                WHERE i.indrelid = e.projection AND a.attnum = ANY (i.indkey::int2[]));

-- Values of the wrong JSON type (or out of range) for each accessor, with the
-- SQLSTATE the accessor raises.
CREATE TABLE fuzz.wrong_values (accessor text, value jsonb, expect text);
INSERT INTO fuzz.wrong_values VALUES
	('text', '42', '22023'), ('text', 'true', '22023'), ('text', '{"x": "y"}', '22023'), ('text', '["a"]', '22023'),
	('bool', '"true"', '22023'), ('bool', '1', '22023'), ('bool', '[true]', '22023'), ('bool', '{}', '22023'),
	('bigint', '"12"', '22023'), ('bigint', 'true', '22023'), ('bigint', '[1]', '22023'), ('bigint', '1.5', '22023'),
	('bigint', '1e30', '22003'),
	('smallint', '"1"', '22023'), ('smallint', 'false', '22023'), ('smallint', '2.5', '22023'), ('smallint', '40000', '22003'),
	('text_array', '"a"', '22023'), ('text_array', '[1]', '22023'), ('text_array', '[null]', '22023'),
	('text_array', '{"a": 1}', '22023'),
	('smallint_array', '["1"]', '22023'), ('smallint_array', '3', '22023'), ('smallint_array', '[1.5]', '22023'),
	('smallint_array', '[70000]', '22003'),
	('bytea', '5', '22023'), ('bytea', '"%%%not base64"', '22023'),
	('timestamptz', '5', '22023'), ('timestamptz', '"not a time"', '22007'),
	('sha256', '5', '22023'), ('sha256', '"zz"', '22023');

------------------------------------------------------------------------------
-- Helpers
------------------------------------------------------------------------------

-- n in 0 .. k - 1
CREATE FUNCTION fuzz.rnd(k integer) RETURNS integer LANGUAGE sql
AS $$ SELECT pg_catalog.floor(pg_catalog.random() * k)::integer $$;

CREATE FUNCTION fuzz.pick(a anyarray) RETURNS anyelement LANGUAGE sql
AS $$ SELECT a[1 + fuzz.rnd(pg_catalog.cardinality(a))] $$;

CREATE FUNCTION fuzz.cur_seq(m fuzz.merged) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT COALESCE((SELECT s.seq FROM fuzz.seq AS s
	                  WHERE s.instance_id = m.instance_id AND s.aggregate_type = m.aggregate_type
	                    AND s.aggregate_id = m.aggregate_id), 0)
$$;

-- A good step stores m: remember it and its aggregate's new sequence.
CREATE FUNCTION fuzz.consume(step integer, k integer, m fuzz.merged) RETURNS void LANGUAGE sql AS $$
	INSERT INTO fuzz.seq VALUES (m.instance_id, m.aggregate_type, m.aggregate_id, 1)
	ON CONFLICT (instance_id, aggregate_type, aggregate_id) DO UPDATE SET seq = fuzz.seq.seq + 1;
	INSERT INTO fuzz.expected_events VALUES (step, k, m.pos, m.instance_id, m.aggregate_type, m.aggregate_id,
	                                         m.event_type, m.payload, m.creator, m.resource_owner, m.created_at);
$$;

-- m as an element of push_many's array.
CREATE FUNCTION fuzz.element(m fuzz.merged, expected bigint DEFAULT NULL) RETURNS jsonb LANGUAGE sql AS $$
	SELECT pg_catalog.jsonb_build_object('aggregate_type', m.aggregate_type, 'aggregate_id', m.aggregate_id,
	                                     'event_type', m.event_type, 'payload', m.payload,
	                                     'resource_owner', m.resource_owner, 'creator', m.creator,
	                                     'instance_id', m.instance_id, 'created_at', pg_catalog.to_jsonb(m.created_at))
	       || CASE WHEN expected IS NULL THEN '{}'::jsonb ELSE pg_catalog.jsonb_build_object('expected_sequence', expected) END
$$;

-- m as one push statement; payload_sql replaces its payload by an SQL expression.
CREATE FUNCTION fuzz.push_sql(m fuzz.merged, expected text DEFAULT 'NULL', payload_sql text DEFAULT NULL)
RETURNS text LANGUAGE sql AS $$
	SELECT pg_catalog.format('SELECT FROM multitenant.push(%L, %L, %L, %s, expected_sequence => %s, resource_owner => %L, '
	                         'creator => %L, instance_id => %L, created_at => %L)',
	                         m.aggregate_type, m.aggregate_id, m.event_type,
	                         COALESCE(payload_sql, pg_catalog.format('%L::jsonb', m.payload)), expected,
	                         m.resource_owner, m.creator, m.instance_id, m.created_at)
$$;

-- A push_many statement over element expressions (SQL text each).
CREATE FUNCTION fuzz.push_many_sql(elements text[]) RETURNS text LANGUAGE sql AS $$
	SELECT 'SELECT FROM multitenant.push_many(pg_catalog.jsonb_build_array(' || pg_catalog.array_to_string(elements, ', ') || '))'
$$;

CREATE FUNCTION fuzz.lit(j jsonb) RETURNS text LANGUAGE sql
AS $$ SELECT pg_catalog.format('%L::jsonb', j) $$;

-- The application role's push: enters tenant (unless NULL), pushes with the
-- given instance_id (NULL: push's default, the current tenant), leaves.
CREATE FUNCTION fuzz.push_as_app(tenant text, aggregate_type text, aggregate_id text, event_type text, payload jsonb,
                                 expected_sequence bigint, resource_owner text, creator text, instance_id text,
                                 created_at timestamptz)
RETURNS SETOF multitenant.events LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF tenant IS NOT NULL THEN
		PERFORM multitenant.set_tenant(tenant);
	END IF;
	RETURN QUERY SELECT * FROM multitenant.push(aggregate_type, aggregate_id, event_type, payload,
	                                            expected_sequence => expected_sequence, resource_owner => resource_owner,
	                                            creator => creator,
	                                            instance_id => COALESCE(instance_id, multitenant.current_tenant()),
	                                            created_at => created_at);
	PERFORM multitenant.reset_tenant();
END
$$;

-- Runs a statement and undoes it: its SQLSTATE when it fails, nothing when
-- it succeeds.
CREATE FUNCTION fuzz.try_and_undo(statement text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	state text;
	message text;
BEGIN
	BEGIN
		EXECUTE statement;
		RAISE EXCEPTION USING ERRCODE = 'FZ000';
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
	END;
	IF state <> 'FZ000' THEN
		RAISE EXCEPTION USING ERRCODE = state, MESSAGE = message;
	END IF;
END
$$;

CREATE FUNCTION fuzz.push_as_app_sql(m fuzz.merged, tenant text, instance_id text, expected text DEFAULT 'NULL')
RETURNS text LANGUAGE sql AS $$
	SELECT pg_catalog.format('SELECT FROM fuzz.push_as_app(%L, %L, %L, %L, %L::jsonb, %s, %L, %L, %L, %L)',
	                         tenant, m.aggregate_type, m.aggregate_id, m.event_type, m.payload, expected,
	                         m.resource_owner, m.creator, instance_id, m.created_at)
$$;

-- Every projection row and every event, as one value: a refused push must
-- leave it as it was.
CREATE FUNCTION fuzz.digest() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	rel regclass;
	part text;
	acc text := '';
BEGIN
	FOR rel IN SELECT p.projection FROM fuzz.projections AS p ORDER BY p.projection::text LOOP
		EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) || '':'' || COALESCE(pg_catalog.sum(pg_catalog.hashtext(t::text)::bigint), 0) FROM %s AS t', rel)
			INTO part;
		acc := acc || part || ',';
	END LOOP;
	SELECT pg_catalog.count(*) || ':' || COALESCE(pg_catalog.sum(pg_catalog.hashtext(e::text)::bigint), 0)
	  INTO part FROM multitenant.events AS e;
	RETURN pg_catalog.md5(acc || part);
END
$$;

-- Projection rows as (projection, row) pairs.
CREATE FUNCTION fuzz.projection_rows() RETURNS TABLE (projection text, r jsonb) LANGUAGE plpgsql AS $$
DECLARE
	rel regclass;
BEGIN
	FOR rel IN SELECT p.projection FROM fuzz.projections AS p ORDER BY p.projection::text LOOP
		RETURN QUERY EXECUTE pg_catalog.format('SELECT %L::text, pg_catalog.to_jsonb(t) FROM %s AS t', rel, rel);
	END LOOP;
END
$$;

------------------------------------------------------------------------------
-- Generator
------------------------------------------------------------------------------

-- fuzz.merged from fuzz.corpus: each tenant's events get sorted uniform
-- draws, and the merge follows the draws.
CREATE FUNCTION fuzz.merge() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	CREATE TEMPORARY TABLE fuzz_draws (pos bigint, instance_id text, u double precision) ON COMMIT DROP;
	FOR r IN SELECT c.pos, c.instance_id FROM fuzz.corpus AS c ORDER BY c.pos LOOP
		INSERT INTO fuzz_draws VALUES (r.pos, r.instance_id, pg_catalog.random());
	END LOOP;
	INSERT INTO fuzz.merged
	WITH d AS (
		SELECT d.pos, d.instance_id, d.u,
		       pg_catalog.row_number() OVER (PARTITION BY d.instance_id ORDER BY d.u, d.pos) AS rn_u,
		       pg_catalog.row_number() OVER (PARTITION BY d.instance_id ORDER BY d.pos) AS rn_p
		  FROM fuzz_draws AS d
	)
	SELECT pg_catalog.row_number() OVER (ORDER BY b.u, a.pos), c.*
	  FROM d AS a
	  JOIN d AS b ON b.instance_id = a.instance_id AND b.rn_u = a.rn_p
	  JOIN fuzz.corpus AS c ON c.pos = a.pos;
END
$$;

CREATE FUNCTION fuzz.add_step(step integer, kind text, variant text, good boolean, expect text, sql text,
                              todo text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO fuzz.steps VALUES (step, kind, variant, good, expect, todo, sql)
$$;

-- One malformed step of the given kind at the state before merged event i.
-- Returns false when the kind does not fit that event (the caller tries again
-- at the next one).
CREATE FUNCTION fuzz.bad_step(step integer, i integer, kind text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	m fuzz.merged;
	n integer := (SELECT pg_catalog.count(*) FROM fuzz.merged);
	neighbours text[] := '{}';
	at_pos integer;
	form integer := fuzz.rnd(3);          -- 0 push, 1 push_many of one, 2 push_many among good events
	k record;
	w record;
	field text;
	val jsonb;
	payload jsonb;
	elem jsonb;
	elem_sql text;
	push text;
	expect text;
	variant text;
	cur bigint;
	path text[];
	first integer;
	last integer;
	reducer_level boolean := kind IN ('wrong_type', 'missing_required', 'oversized_value');
BEGIN
	SELECT * INTO m FROM fuzz.merged AS x WHERE x.ord = i;
	payload := m.payload;
	elem := fuzz.element(m);
	-- The good events that share the batch (form 2): the next ones, unstored.
	-- A malformed copy of m that only its reducers refuse goes first, and m
	-- itself stays out: in one run of reductions the two would collide.
	IF form = 2 THEN
		first := i + reducer_level::integer;
		last := first + fuzz.rnd(4);
		SELECT pg_catalog.array_agg(fuzz.lit(fuzz.element(x)) ORDER BY x.ord) INTO neighbours
		  FROM fuzz.merged AS x WHERE x.ord BETWEEN first AND last;
		neighbours := COALESCE(neighbours, '{}');
	END IF;
	at_pos := 1 + fuzz.rnd(pg_catalog.cardinality(neighbours) + 1);

	CASE kind
	WHEN 'wrong_type' THEN
		SELECT * INTO k FROM fuzz.typed_keys AS t WHERE t.event_type = m.event_type ORDER BY t.key, t.accessor
		 OFFSET fuzz.rnd((SELECT pg_catalog.count(*)::integer FROM fuzz.typed_keys AS t WHERE t.event_type = m.event_type)) LIMIT 1;
		IF NOT FOUND THEN
			RETURN false;
		END IF;
		SELECT * INTO w FROM fuzz.wrong_values AS v WHERE v.accessor = k.accessor ORDER BY v.value::text
		 OFFSET fuzz.rnd((SELECT pg_catalog.count(*)::integer FROM fuzz.wrong_values AS v WHERE v.accessor = k.accessor)) LIMIT 1;
		IF NOT FOUND THEN
			RETURN false;
		END IF;
		payload := COALESCE(payload, '{}') || pg_catalog.jsonb_build_object(k.key, w.value);
		variant := pg_catalog.format('%s %s: %s (%s)', m.event_type, k.key, w.value, k.accessor);
		expect := w.expect;
		at_pos := 1;                      -- before the good events: it meets the state m meets
	WHEN 'missing_required' THEN
		SELECT * INTO k FROM fuzz.required_keys AS t WHERE t.event_type = m.event_type ORDER BY t.key
		 OFFSET fuzz.rnd((SELECT pg_catalog.count(*)::integer FROM fuzz.required_keys AS t WHERE t.event_type = m.event_type)) LIMIT 1;
		IF NOT FOUND THEN
			RETURN false;
		END IF;
		CASE fuzz.rnd(3)
			WHEN 0 THEN payload := payload - k.key; variant := m.event_type || ' without ' || k.key;
			WHEN 1 THEN payload := COALESCE(payload, '{}') || pg_catalog.jsonb_build_object(k.key, NULL);
			            variant := m.event_type || ' ' || k.key || ': null';
			ELSE payload := NULL; variant := m.event_type || ' with a NULL payload';
		END CASE;
		expect := '23502';
		at_pos := 1;
	WHEN 'oversized_value' THEN
		SELECT * INTO k FROM fuzz.indexed_keys AS t WHERE t.event_type = m.event_type ORDER BY t.key
		 OFFSET fuzz.rnd((SELECT pg_catalog.count(*)::integer FROM fuzz.indexed_keys AS t WHERE t.event_type = m.event_type)) LIMIT 1;
		IF NOT FOUND THEN
			RETURN false;
		END IF;
		-- 22,400 random hex digits: more than a btree row holds even compressed.
		elem_sql := pg_catalog.format(
			'pg_catalog.jsonb_set(%L::jsonb, ''{payload}'', COALESCE(%L::jsonb, ''{}'') || pg_catalog.jsonb_build_object(%L, '
			'(SELECT pg_catalog.string_agg(pg_catalog.md5(g::text || %L), '''') FROM pg_catalog.generate_series(1, 700) AS g)))',
			elem, payload, k.key, step);
		push := fuzz.push_sql(m, payload_sql => pg_catalog.format(
			'COALESCE(%L::jsonb, ''{}'') || pg_catalog.jsonb_build_object(%L, '
			'(SELECT pg_catalog.string_agg(pg_catalog.md5(g::text || %L), '''') FROM pg_catalog.generate_series(1, 700) AS g))',
			payload, k.key, step));
		variant := m.event_type || ' ' || k.key || ': 22,400 bytes';
		expect := '54000';
		at_pos := 1;
	WHEN 'not_object' THEN
		val := fuzz.pick(ARRAY['[1, 2]', '"text"', '7', 'true', '[]']::jsonb[]);
		IF form = 0 AND fuzz.rnd(4) = 0 THEN
			val := 'null';             -- a JSON null literal, not SQL NULL (push_many reads that as no payload)
		END IF;
		payload := val;
		variant := 'payload ' || val::text;
		expect := '22023';
	WHEN 'oversized_payload' THEN
		elem_sql := pg_catalog.format(
			'pg_catalog.jsonb_set(%L::jsonb, ''{payload}'', COALESCE(%L::jsonb, ''{}'') || pg_catalog.jsonb_build_object(''blob'', pg_catalog.repeat(''x'', 1048576)))',
			elem, payload);
		push := fuzz.push_sql(m, payload_sql => pg_catalog.format(
			'COALESCE(%L::jsonb, ''{}'') || pg_catalog.jsonb_build_object(''blob'', pg_catalog.repeat(''x'', 1048576))', payload));
		variant := 'payload over 1 MiB';
		expect := '54000';
	WHEN 'ident_too_long' THEN
		field := fuzz.pick(ARRAY['aggregate_type', 'aggregate_id', 'event_type', 'instance_id', 'creator', 'resource_owner']);
		-- 101 two-byte characters: within 200 characters, over 200 bytes.
		val := pg_catalog.to_jsonb(fuzz.pick(ARRAY[pg_catalog.repeat('a', 201), pg_catalog.repeat('é', 101), pg_catalog.repeat('z', 5000)]));
		variant := pg_catalog.format('%s of %s bytes', field, pg_catalog.octet_length(val #>> '{}'));
		expect := '22001';
	WHEN 'ident_empty' THEN
		field := fuzz.pick(ARRAY['aggregate_type', 'aggregate_id', 'event_type', 'instance_id', 'creator', 'resource_owner']);
		val := '""';
		variant := field || ' empty';
		expect := '22023';
	WHEN 'ident_null' THEN
		field := fuzz.pick(ARRAY['aggregate_type', 'aggregate_id', 'event_type']);
		val := 'null';
		variant := field || ' null';
		expect := '22004';
		IF form > 0 AND fuzz.rnd(2) = 0 THEN
			elem := elem - field;
			field := NULL;
			variant := variant || ' (key absent)';
		END IF;
	WHEN 'no_tenant' THEN
		CASE fuzz.rnd(3)
			WHEN 0 THEN
				push := pg_catalog.format('SELECT FROM multitenant.push(%L, %L, %L, %L::jsonb, instance_id => NULL)',
				                          m.aggregate_type, m.aggregate_id, m.event_type, m.payload);
				variant := 'push with instance_id NULL';
				form := 0;
			WHEN 1 THEN
				elem := elem - 'instance_id';
				variant := 'push_many element without instance_id';
				form := GREATEST(form, 1);
			ELSE
				push := fuzz.push_as_app_sql(m, NULL, NULL);
				variant := 'application role without a tenant';
				form := 0;
		END CASE;
		expect := '55000';
	WHEN 'tenant_mismatch' THEN
		push := fuzz.push_as_app_sql(m, 'fz-elsewhere', m.instance_id);
		variant := 'application role in tenant fz-elsewhere pushing into ' || m.instance_id;
		expect := '42501';
		form := 0;
	WHEN 'unknown_key' THEN
		field := fuzz.pick(ARRAY['sequence', 'position', 'aggregateId', 'tenant', 'payloads', 'Payload', 'expectedSequence', 'k' || fuzz.rnd(1000)]);
		elem := elem || pg_catalog.jsonb_build_object(field, 1);
		field := NULL;
		variant := 'element with an unknown key';
		expect := '22023';
		form := GREATEST(form, 1);
	WHEN 'wrong_key_type' THEN
		val := fuzz.pick(ARRAY['{"aggregate_id": 5}', '{"event_type": true}', '{"instance_id": ["x"]}', '{"creator": {}}',
		                       '{"created_at": 5}', '{"expected_sequence": "1"}', '{"expected_sequence": true}',
		                       '{"payload": "x"}', '{"payload": 5}', '{"resource_owner": 1.5}', '{"aggregate_type": null, "event_type": 7}']::jsonb[]);
		elem := elem || val;
		variant := 'element ' || val::text;
		expect := '22023';
		form := GREATEST(form, 1);
	WHEN 'element_not_object' THEN
		elem := fuzz.pick(ARRAY['5', '"x"', 'null', '[{"aggregate_type": "org"}]', 'true']::jsonb[]);
		variant := 'element ' || elem::text;
		expect := '22023';
		form := GREATEST(form, 1);
	WHEN 'events_not_array' THEN
		val := fuzz.pick(ARRAY['{"aggregate_type": "org"}', '"x"', '5', 'null', 'true']::jsonb[]);
		IF fuzz.rnd(5) = 0 THEN
			push := 'SELECT FROM multitenant.push_many(NULL)';
			variant := 'events NULL';
			expect := '22004';
		ELSE
			push := pg_catalog.format('SELECT FROM multitenant.push_many(%L::jsonb)', val);
			variant := 'events ' || val::text;
			expect := '22023';
		END IF;
		form := 0;
	WHEN 'stale_expected' THEN
		cur := fuzz.cur_seq(m);
		IF form = 2 THEN
			-- the good events before it in the batch advance its aggregate too
			cur := cur + (SELECT pg_catalog.count(*) FROM fuzz.merged AS x
			               WHERE x.ord >= i AND x.ord < i + at_pos - 1 AND x.instance_id = m.instance_id
			                 AND x.aggregate_type = m.aggregate_type AND x.aggregate_id = m.aggregate_id);
		END IF;
		cur := CASE WHEN cur > 0 AND fuzz.rnd(2) = 0 THEN cur - 1 - fuzz.rnd(cur::integer) ELSE cur + 1 + fuzz.rnd(3) END;
		elem := fuzz.element(m, cur);
		push := fuzz.push_sql(m, cur::text);
		variant := 'expected_sequence ' || cur;
		expect := '40001';
	WHEN 'negative_expected' THEN
		cur := fuzz.pick(ARRAY[-1, -9223372036854775808]::bigint[]);
		elem := fuzz.element(m, cur);
		push := fuzz.push_sql(m, cur::text);
		variant := 'expected_sequence ' || cur;
		expect := '22023';
	WHEN 'expected_out_of_range' THEN
		elem := elem || pg_catalog.jsonb_build_object('expected_sequence', fuzz.pick(ARRAY['1e30', '9223372036854775808', '-1e30']::numeric[]));
		variant := 'expected_sequence ' || (elem ->> 'expected_sequence');
		expect := '22003';
		form := GREATEST(form, 1);
	WHEN 'bad_created_at' THEN
		SELECT x.v, x.e INTO variant, expect
		  FROM (VALUES ('2024-13-45', '22008'), ('2024-02-30', '22008'), ('2024-02-01T25:00:00Z', '22008'),
		               ('not a time', '22007'), ('', '22007')) AS x(v, e)
		 ORDER BY x.v OFFSET fuzz.rnd(5) LIMIT 1;
		elem := elem || pg_catalog.jsonb_build_object('created_at', variant);
		variant := 'created_at "' || variant || '"';
		form := GREATEST(form, 1);
	WHEN 'random_mutation' THEN
		-- Any key (or a key of an object under it) set to an odd value or
		-- removed: whether the reducers accept that depends on the key, so the
		-- push is undone either way and only a crash or an internal error fails.
		IF m.payload IS NULL OR m.payload = '{}' THEN
			RETURN false;
		END IF;
		path := ARRAY[(SELECT x FROM pg_catalog.jsonb_object_keys(m.payload) AS x ORDER BY x
		                OFFSET fuzz.rnd((SELECT pg_catalog.count(*)::integer FROM pg_catalog.jsonb_object_keys(m.payload))) LIMIT 1)];
		IF pg_catalog.jsonb_typeof(m.payload -> path[1]) = 'object' AND m.payload -> path[1] <> '{}' AND fuzz.rnd(2) = 0 THEN
			path := path || (SELECT x FROM pg_catalog.jsonb_object_keys(m.payload -> path[1]) AS x ORDER BY x
			                  OFFSET fuzz.rnd((SELECT pg_catalog.count(*)::integer FROM pg_catalog.jsonb_object_keys(m.payload -> path[1]))) LIMIT 1);
		END IF;
		val := fuzz.pick(ARRAY['null', '""', '"x"', '0', '-1', '1.5', '1e300', 'true', '[]', '{}', '[null]', '[[1]]',
		                       '{"a": {"b": []}}', '"é😀"', '"infinity"', '"@@@"', '32768', '[1, "a"]', '{"Crypted": 5}',
		                       '"absent"']::jsonb[]);
		payload := CASE WHEN val = '"absent"' THEN m.payload #- path ELSE pg_catalog.jsonb_set(m.payload, path, val) END;
		push := pg_catalog.format('SELECT fuzz.try_and_undo(%L)', fuzz.push_sql(m, payload_sql => fuzz.lit(payload)));
		variant := pg_catalog.format('%s %s: %s', m.event_type, pg_catalog.array_to_string(path, '.'), val);
		expect := '*';
		form := 0;
	WHEN 'fractional_expected' THEN
		-- A fresh aggregate of its own tenant and a type without reducers, so
		-- that an accepted event disturbs nothing else.
		elem := pg_catalog.jsonb_build_object('aggregate_type', 'probe', 'aggregate_id', 'probe-' || step,
		                                      'event_type', 'fuzz.probe', 'instance_id', 'fz-probe',
		                                      'expected_sequence', fuzz.pick(ARRAY[0.4, 0.25, 0.49]::numeric[]));
		variant := 'expected_sequence ' || (elem ->> 'expected_sequence') || ' on a new aggregate';
		expect := '22023';
		form := 1;
		PERFORM fuzz.add_step(step, kind, variant, false, expect, fuzz.push_many_sql(ARRAY[fuzz.lit(elem)]));
		RETURN true;
	ELSE
		RAISE EXCEPTION 'unknown kind %', kind;
	END CASE;

	-- Apply a changed field or payload to both forms.
	IF field IS NOT NULL THEN
		elem := pg_catalog.jsonb_set(elem, ARRAY[field], val);
	END IF;
	IF kind IN ('wrong_type', 'missing_required', 'not_object') THEN
		elem := pg_catalog.jsonb_set(elem, '{payload}', COALESCE(payload, 'null'));
	END IF;
	IF push IS NULL THEN
		IF field IS NOT NULL THEN
			push := pg_catalog.format(
				'SELECT FROM multitenant.push(%L, %L, %L, %L::jsonb, resource_owner => %L, creator => %L, instance_id => %L, created_at => %L)',
				CASE field WHEN 'aggregate_type' THEN val #>> '{}' ELSE m.aggregate_type END,
				CASE field WHEN 'aggregate_id' THEN val #>> '{}' ELSE m.aggregate_id END,
				CASE field WHEN 'event_type' THEN val #>> '{}' ELSE m.event_type END,
				m.payload,
				CASE field WHEN 'resource_owner' THEN val #>> '{}' ELSE m.resource_owner END,
				CASE field WHEN 'creator' THEN val #>> '{}' ELSE m.creator END,
				CASE field WHEN 'instance_id' THEN val #>> '{}' ELSE m.instance_id END,
				m.created_at);
		ELSIF kind IN ('wrong_type', 'missing_required', 'not_object') THEN
			push := fuzz.push_sql(m, payload_sql => pg_catalog.format('%L::jsonb', payload));
		ELSE
			form := GREATEST(form, 1);
		END IF;
	END IF;

	elem_sql := COALESCE(elem_sql, fuzz.lit(elem));
	IF form = 0 THEN
		PERFORM fuzz.add_step(step, kind, variant, false, expect, push);
	ELSIF form = 1 OR pg_catalog.cardinality(neighbours) = 0 THEN
		PERFORM fuzz.add_step(step, kind, variant, false, expect, fuzz.push_many_sql(ARRAY[elem_sql]));
	ELSE
		PERFORM fuzz.add_step(step, kind, variant || pg_catalog.format(' (element %s of %s)', at_pos, pg_catalog.cardinality(neighbours) + 1),
		                      false, expect,
		                      fuzz.push_many_sql(neighbours[1:at_pos - 1] || elem_sql || neighbours[at_pos:]));
	END IF;
	RETURN true;
END
$$;

-- Steps over the whole of fuzz.merged, with a malformed step before about
-- one good step in bad_every.
CREATE FUNCTION fuzz.generate(bad_every integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	kinds text[] := ARRAY['wrong_type', 'missing_required', 'oversized_value', 'not_object', 'oversized_payload',
	                      'ident_too_long', 'ident_empty', 'ident_null', 'no_tenant', 'tenant_mismatch', 'unknown_key',
	                      'wrong_key_type', 'element_not_object', 'events_not_array', 'stale_expected',
	                      'negative_expected', 'expected_out_of_range', 'bad_created_at', 'fractional_expected',
	                      'random_mutation', 'random_mutation', 'random_mutation'];
	n integer := (SELECT pg_catalog.count(*) FROM fuzz.merged);
	i integer := 1;
	step integer := 0;
	next_kind integer := 0;
	pending text;
	batch integer;
	elements text[];
	m fuzz.merged;
	r double precision;
	expected bigint;
BEGIN
	-- Every kind in turn, in a random order.
	SELECT pg_catalog.array_agg(x.k ORDER BY x.u) INTO kinds
	  FROM (SELECT k, pg_catalog.random() AS u FROM pg_catalog.unnest(kinds) WITH ORDINALITY AS t(k, o) ORDER BY o) AS x;
	WHILE i <= n LOOP
		IF pending IS NULL AND fuzz.rnd(bad_every) = 0 THEN
			pending := kinds[1 + next_kind % pg_catalog.cardinality(kinds)];
			next_kind := next_kind + 1;
		END IF;
		IF pending IS NOT NULL AND fuzz.bad_step(step + 1, i, pending) THEN
			step := step + 1;
			pending := NULL;
		END IF;

		step := step + 1;
		SELECT * INTO m FROM fuzz.merged AS x WHERE x.ord = i;
		r := pg_catalog.random();
		IF r < 0.45 THEN
			PERFORM fuzz.add_step(step, 'push', '', true, '00000', fuzz.push_sql(m));
			PERFORM fuzz.consume(step, 1, m);
			i := i + 1;
		ELSIF r < 0.55 THEN
			PERFORM fuzz.add_step(step, 'push_expected', '', true, '00000', fuzz.push_sql(m, fuzz.cur_seq(m)::text));
			PERFORM fuzz.consume(step, 1, m);
			i := i + 1;
		-- Events of the tenant and principal aggregates are pushed by administrators only.
		ELSIF r < 0.65 AND m.aggregate_type OPERATOR(pg_catalog.<>) ALL (ARRAY['tenant', 'principal']) THEN
			PERFORM fuzz.add_step(step, 'push_as_app', '', true, '00000',
			                      fuzz.push_as_app_sql(m, m.instance_id, CASE WHEN fuzz.rnd(2) = 0 THEN m.instance_id END,
			                                           CASE WHEN fuzz.rnd(3) = 0 THEN fuzz.cur_seq(m)::text ELSE 'NULL' END));
			PERFORM fuzz.consume(step, 1, m);
			i := i + 1;
		ELSE
			batch := LEAST(1 + fuzz.rnd(10), n - i + 1);
			elements := '{}';
			FOR k IN 1..batch LOOP
				SELECT * INTO m FROM fuzz.merged AS x WHERE x.ord = i;
				expected := CASE WHEN fuzz.rnd(4) = 0 THEN fuzz.cur_seq(m) END;
				elements := elements || fuzz.lit(fuzz.element(m, expected));
				PERFORM fuzz.consume(step, k, m);
				i := i + 1;
			END LOOP;
			PERFORM fuzz.add_step(step, 'push_many', batch || ' events', true, '00000', fuzz.push_many_sql(elements));
		END IF;
	END LOOP;
END
$$;

-- The steps as a psql script: each statement, then its outcome (and, for a
-- bad step, whether the state digest is what it was before).
CREATE FUNCTION fuzz.script() RETURNS SETOF text LANGUAGE sql AS $$
	SELECT x.line
	  FROM fuzz.steps AS s,
	       LATERAL (VALUES
	           (1, CASE WHEN NOT s.good THEN 'SELECT fuzz.digest() AS fuzz_before \gset' END),
	           (2, s.sql || ';'),
	           (3, pg_catalog.format('INSERT INTO fuzz.outcomes VALUES (%s, :''SQLSTATE'', CASE WHEN :''SQLSTATE'' <> ''00000'' THEN :''LAST_ERROR_MESSAGE'' END, %s);',
	                                 s.step, CASE WHEN s.good THEN 'NULL' ELSE 'fuzz.digest() = :''fuzz_before''' END))
	       ) AS x(n, line)
	 WHERE x.line IS NOT NULL
	 ORDER BY s.step, x.n
$$;
