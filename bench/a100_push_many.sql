-- (a) 100 events per transaction: multitenant.push_many in its array form (one
-- jsonb per event, as a driver sends an array), each a new user reduced in C
-- into bench.users alone, like (a1).  Each element is parsed from text here,
-- as b100 and c100 parse each payload (bench.user_payload).
\set uid random(100000000000000, 999999999999999)
\set aid :uid * 1000
\set tenant 200000000000000000 + :client_id + 1
SELECT count(*) FROM multitenant.push_many(VARIADIC (
  SELECT array_agg(('{"aggregate_type": "user", "aggregate_id": "' || x.id
                    || '", "event_type": "bench.user.added", "expected_sequence": 0, "instance_id": "' || :tenant::text
                    || '", "payload": ' || bench.user_payload_text(x.id) || '}')::jsonb)
    FROM (SELECT (:aid::bigint + g)::text AS id FROM generate_series(1, 100) AS g) AS x));
