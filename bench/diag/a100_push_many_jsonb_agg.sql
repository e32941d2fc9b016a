-- diagnostic: a100 with its argument built by jsonb_build_object + jsonb_agg per event (a server-side artefact: a client sends JSON text).
\set uid random(100000000000000, 999999999999999)
\set aid :uid * 1000
\set tenant 200000000000000000 + :client_id + 1
SELECT count(*) FROM multitenant.push_many((
  SELECT jsonb_agg(jsonb_build_object('aggregate_type', 'user', 'aggregate_id', x.id, 'event_type', 'user.human.added', 'instance_id', :tenant::text, 'payload', bench.user_payload(x.id)))
    FROM (SELECT (:aid::bigint + g)::text AS id FROM generate_series(1, 100) AS g) AS x));
