-- (diag) a1 with expected_sequence => 0: the event creates its aggregate, so
-- push skips the latest-sequence lookup (the primary key alone proves it new).
\set uid random(100000000000000, 999999999999999)
\set aid :uid * 1000
\set tenant 200000000000000000 + :client_id + 1
SELECT position FROM multitenant.push('user', :aid::text, 'user.human.added', bench.user_payload(:aid::text), expected_sequence => 0, instance_id => :tenant::text);
