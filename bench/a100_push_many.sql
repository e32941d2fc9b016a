-- (diag) a100 with an event type that only bench.users reduces, through
-- push_many's array form with expected_sequence 0.
\set uid random(100000000000000, 999999999999999)
\set aid :uid * 1000
\set tenant 200000000000000000 + :client_id + 1
SELECT count(*) FROM multitenant.push_many(VARIADIC (
  SELECT array_agg(('{"aggregate_type": "user", "aggregate_id": "' || x.id
                    || '", "event_type": "bench.user.added", "expected_sequence": 0, "instance_id": "' || :tenant::text
                    || '", "payload": ' || bench.user_payload_text(x.id) || '}')::jsonb)
    FROM (SELECT (:aid::bigint + g)::text AS id FROM generate_series(1, 100) AS g) AS x));
