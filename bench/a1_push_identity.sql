-- (a, identity) one event per transaction: multitenant.push of Zitadel's
-- user.human.added, which the extension's own identity projections (users,
-- humans, notifications, login names) reduce as well as bench.users: five
-- projection rows per event where (c) and (d) write one.  Not in the targets.
\set uid random(100000000000000, 999999999999999)
\set aid :uid * 1000
\set tenant 200000000000000000 + :client_id + 1
SELECT position FROM multitenant.push('user', :aid::text, 'user.human.added', bench.user_payload(:aid::text), instance_id => :tenant::text);
