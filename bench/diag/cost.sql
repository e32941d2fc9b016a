-- bench/diag/cost.sql: server time per event, without the client or the
-- commit's flush: each scenario runs :n transactions in a procedure
-- (synchronous_commit off, COMMIT after each), interleaved over :rounds
-- rounds, and the median microseconds per event are reported.  "own": the
-- event type only bench.users reduces (see setup.sql).  Needs
-- bench/setup.sql loaded.  psql -v n=2000 -v rounds=5 -f bench/diag/cost.sql
\set ON_ERROR_STOP 1
\if :{?n}
\else
\set n 2000
\endif
\if :{?rounds}
\else
\set rounds 5
\endif
SET synchronous_commit = off;
SET client_min_messages = warning;
CREATE TEMP TABLE cost (scenario text, round int, us_per_event numeric);

CREATE OR REPLACE PROCEDURE pg_temp.cost_run(scenario text, n int, round int)
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	i int;
	batch int := CASE WHEN scenario LIKE '%100%' THEN 100 ELSE 1 END;
	aid bigint;
	tenant text := '200000000000000001';
BEGIN
	PERFORM set_config('multitenant.direct_event_writes', (scenario NOT LIKE '%sql%')::text, false);
	t0 := clock_timestamp();
	FOR i IN 1 .. n LOOP
		aid := (random() * 899999999999999 + 100000000000000)::bigint * 1000;
		CASE scenario
		WHEN 'a1', 'a1 sql' THEN
			PERFORM multitenant.push('user', aid::text, 'user.human.added', bench.user_payload(aid::text), instance_id => tenant);
		WHEN 'a1 own', 'a1 own sql' THEN
			PERFORM multitenant.push('user', aid::text, 'bench.user.added', bench.user_payload(aid::text), instance_id => tenant);
		WHEN 'a1 own expected 0' THEN
			PERFORM multitenant.push('user', aid::text, 'bench.user.added', bench.user_payload(aid::text), expected_sequence => 0, instance_id => tenant);
		WHEN 'a1 expected 0', 'a1 expected 0 sql' THEN
			PERFORM multitenant.push('user', aid::text, 'user.human.added', bench.user_payload(aid::text), expected_sequence => 0, instance_id => tenant);
		WHEN 'c1' THEN
			INSERT INTO bench.events_trigger (instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, resource_owner, created_at, position)
			VALUES (tenant, 'user', aid::text, 1, 'user.human.added', bench.user_payload(aid::text), 'bench', tenant, now(), nextval('bench.events_trigger_position_seq'));
		WHEN 'a100 json', 'a100 json sql' THEN
			PERFORM count(*) FROM multitenant.push_many((
				SELECT ('[' || string_agg('{"aggregate_type": "user", "aggregate_id": "' || x.id
				        || '", "event_type": "user.human.added", "instance_id": "' || tenant
				        || '", "payload": ' || bench.user_payload_text(x.id) || '}', ', ') || ']')::jsonb
				  FROM (SELECT (aid + g)::text AS id FROM generate_series(1, 100) AS g) AS x));
		WHEN 'a100 own json', 'a100 own json sql' THEN
			PERFORM count(*) FROM multitenant.push_many((
				SELECT ('[' || string_agg('{"aggregate_type": "user", "aggregate_id": "' || x.id
				        || '", "event_type": "bench.user.added", "instance_id": "' || tenant
				        || '", "payload": ' || bench.user_payload_text(x.id) || '}', ', ') || ']')::jsonb
				  FROM (SELECT (aid + g)::text AS id FROM generate_series(1, 100) AS g) AS x));
		WHEN 'a100 own array expected 0' THEN
			PERFORM count(*) FROM multitenant.push_many(VARIADIC (
				SELECT array_agg(('{"aggregate_type": "user", "aggregate_id": "' || x.id
				        || '", "event_type": "bench.user.added", "expected_sequence": 0, "instance_id": "' || tenant
				        || '", "payload": ' || bench.user_payload_text(x.id) || '}')::jsonb)
				  FROM (SELECT (aid + g)::text AS id FROM generate_series(1, 100) AS g) AS x));
		WHEN 'a100 array expected 0' THEN
			PERFORM count(*) FROM multitenant.push_many(VARIADIC (
				SELECT array_agg(('{"aggregate_type": "user", "aggregate_id": "' || x.id
				        || '", "event_type": "user.human.added", "expected_sequence": 0, "instance_id": "' || tenant
				        || '", "payload": ' || bench.user_payload_text(x.id) || '}')::jsonb)
				  FROM (SELECT (aid + g)::text AS id FROM generate_series(1, 100) AS g) AS x));
		WHEN 'b100' THEN
			INSERT INTO bench.events_plain (instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, resource_owner, created_at, position)
			SELECT tenant, 'user', x.id, 1, 'user.human.added', bench.user_payload(x.id), 'bench', tenant, now(), nextval('bench.events_plain_position_seq')
			  FROM (SELECT (aid + g)::text AS id FROM generate_series(1, 100) AS g) AS x;
		WHEN 'c100' THEN
			INSERT INTO bench.events_trigger (instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, resource_owner, created_at, position)
			SELECT tenant, 'user', x.id, 1, 'user.human.added', bench.user_payload(x.id), 'bench', tenant, now(), nextval('bench.events_trigger_position_seq')
			  FROM (SELECT (aid + g)::text AS id FROM generate_series(1, 100) AS g) AS x;
		END CASE;
		COMMIT;
	END LOOP;
	INSERT INTO cost VALUES (scenario, round, round(extract(epoch FROM clock_timestamp() - t0) * 1e6 / (n * batch), 1));
	COMMIT;
END
$$;

SELECT format('CALL pg_temp.cost_run(%L, %s, %s)', s, CASE WHEN s LIKE '%100%' THEN greatest(:n / 50, 1) ELSE :n END, r)
  FROM generate_series(1, :rounds) AS r,
       unnest(ARRAY['a1', 'a1 sql', 'a1 expected 0', 'a1 expected 0 sql', 'a1 own', 'a1 own sql', 'a1 own expected 0', 'c1',
                    'a100 json', 'a100 json sql', 'a100 array expected 0', 'a100 own json', 'a100 own json sql',
                    'a100 own array expected 0', 'b100', 'c100']) WITH ORDINALITY AS x(s, o)
 ORDER BY r, (o + r) % 16 \gexec

SELECT scenario, percentile_cont(0.5) WITHIN GROUP (ORDER BY us_per_event) AS median_us_per_event,
       min(us_per_event) AS min_us, max(us_per_event) AS max_us
  FROM cost GROUP BY scenario ORDER BY scenario;
