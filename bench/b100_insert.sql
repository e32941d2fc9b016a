-- (b) the ceiling: a plain INSERT of the event row alone, 100 per transaction.
\set uid random(100000000000000, 999999999999999)
\set aid :uid * 1000
\set tenant 200000000000000000 + :client_id + 1
INSERT INTO bench.events_plain (instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, resource_owner, created_at, position)
SELECT :tenant::text, 'user', x.id, 1, 'user.human.added', bench.user_payload(x.id), 'bench', :tenant::text, now(), nextval('bench.events_plain_position_seq')
  FROM (SELECT (:aid::bigint + g)::text AS id FROM generate_series(1, 100) AS g) AS x;
