-- (a) one event per transaction: multitenant.push of a new user, reduced in C
-- into bench.users.  bench.user.added is reduced by bench.users alone, so that
-- (a) writes what (c) and (d) write: one event row and one projection row.
-- expected_sequence 0 says the aggregate is new, as the baselines' sequence 1
-- and unique key do.
\set uid random(100000000000000, 999999999999999)
\set aid :uid * 1000
\set tenant 200000000000000000 + :client_id + 1
SELECT position FROM multitenant.push('user', :aid::text, 'bench.user.added', bench.user_payload(:aid::text), expected_sequence => 0, instance_id => :tenant::text);
