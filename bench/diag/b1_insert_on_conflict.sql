-- diagnostic: b1 written the way push writes the event row
-- (INSERT ... ON CONFLICT DO NOTHING RETURNING *: speculative insertion).
\set uid random(100000000000000, 999999999999999)
\set aid :uid * 1000
\set tenant 200000000000000000 + :client_id + 1
INSERT INTO bench.events_plain AS e (instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, resource_owner, created_at, position)
VALUES (:tenant::text, 'user', :aid::text, 1, 'user.human.added', bench.user_payload(:aid::text), 'bench', :tenant::text, now(), nextval('bench.events_plain_position_seq'))
ON CONFLICT DO NOTHING RETURNING e.*;
