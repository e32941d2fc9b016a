-- (b) the ceiling: a plain INSERT of the event row alone, one per transaction.
\set uid random(100000000000000, 999999999999999)
\set aid :uid * 1000
\set tenant 200000000000000000 + :client_id + 1
INSERT INTO bench.events_plain (instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, resource_owner, created_at, position)
VALUES (:tenant::text, 'user', :aid::text, 1, 'user.human.added', bench.user_payload(:aid::text), 'bench', :tenant::text, now(), nextval('bench.events_plain_position_seq'));
