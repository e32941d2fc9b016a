-- (d) the client-side reducer, 100 per transaction: one multi-row event INSERT,
-- then one multi-row projection upsert, in one transaction.
\set uid random(100000000000000, 999999999999999)
\set aid :uid * 1000
\set tenant 200000000000000000 + :client_id + 1
BEGIN;
INSERT INTO bench.events_client (instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, resource_owner, created_at, position)
SELECT :tenant::text, 'user', x.id, 1, 'user.human.added', bench.user_payload(x.id), 'bench', :tenant::text, now(), nextval('bench.events_client_position_seq')
  FROM (SELECT (:aid::bigint + g)::text AS id FROM generate_series(1, 100) AS g) AS x;
INSERT INTO bench.users_client AS t (instance_id, id, creation_date, change_date, sequence, resource_owner, state, username, type, first_name, last_name, nick_name, display_name, preferred_language, gender, email, phone, password_change_required)
SELECT :tenant::text, x.id, now(), now(), 1, :tenant::text, 1, 'user' || x.id, 1, 'Benchmark', 'Mustermann', 'bench', 'Benchmark Mustermann', 'de', 2, 'user' || x.id || '@bench.zitadel.example.com', '+41791234567', false
  FROM (SELECT (:aid::bigint + g)::text AS id FROM generate_series(1, 100) AS g) AS x
ON CONFLICT (instance_id, id) DO UPDATE SET
  change_date = EXCLUDED.change_date, sequence = EXCLUDED.sequence, state = EXCLUDED.state,
  username = EXCLUDED.username, type = EXCLUDED.type, first_name = EXCLUDED.first_name,
  last_name = EXCLUDED.last_name, nick_name = EXCLUDED.nick_name, display_name = EXCLUDED.display_name,
  preferred_language = EXCLUDED.preferred_language, gender = EXCLUDED.gender, email = EXCLUDED.email,
  phone = EXCLUDED.phone, password_change_required = EXCLUDED.password_change_required;
COMMIT;
