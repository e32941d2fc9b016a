-- (a) one event per transaction: multitenant.push, reduced in C into bench.users.
\set uid random(100000000000000, 999999999999999)
\set aid :uid * 1000
\set tenant 200000000000000000 + :client_id + 1
SELECT position FROM multitenant.push('user', :aid::text, 'user.human.added', bench.user_payload(:aid::text), instance_id => :tenant::text);
