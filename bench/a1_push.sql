-- (diag) a1 with an event type that only bench.users reduces (one projection
-- row per event, as c1 and d1 write), expected_sequence => 0 as for a new user.
\set uid random(100000000000000, 999999999999999)
\set aid :uid * 1000
\set tenant 200000000000000000 + :client_id + 1
SELECT position FROM multitenant.push('user', :aid::text, 'bench.user.added', bench.user_payload(:aid::text), expected_sequence => 0, instance_id => :tenant::text);
