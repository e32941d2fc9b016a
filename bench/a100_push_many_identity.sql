-- (a, identity) 100 events per transaction: multitenant.push_many of Zitadel's
-- user.human.added (five projection rows per event, see a1_push_identity.sql),
-- its argument one JSON array parsed once, as a client would send it as text.
-- Not in the targets.
\set uid random(100000000000000, 999999999999999)
\set aid :uid * 1000
\set tenant 200000000000000000 + :client_id + 1
SELECT count(*) FROM multitenant.push_many((
  SELECT ('[' || string_agg('{"aggregate_type": "user", "aggregate_id": "' || x.id
                            || '", "event_type": "user.human.added", "instance_id": "' || :tenant::text
                            || '", "payload": ' || bench.user_payload_text(x.id) || '}', ', ') || ']')::jsonb
    FROM (SELECT (:aid::bigint + g)::text AS id FROM generate_series(1, 100) AS g) AS x));
