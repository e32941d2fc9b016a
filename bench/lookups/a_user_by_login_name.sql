-- (a) user_by_login_name with the one-round-trip tenant entry, as the
-- application role (lookup_bench_app) with no tenant set in the session.
-- pgbench cannot hold a token per tenant, so the statement reads tenant k's
-- token from lookup_bench.tenants itself: one primary-key probe that the
-- floor (b_floor_username.sql) pays too, to find tenant k's instance_id.
-- The first transaction of each client touches every page the lookups read
-- (see lookup_bench.touch_pages); bench/lookups.sh leaves it out of the figures.
\if :warmed = 0
SELECT lookup_bench.touch_pages('users');
\set warmed 1
\endif
\set k random(1, :tenants)
\set j random(1, :users)
SELECT u.*
  FROM lookup_bench.tenants AS t,
       multitenant.user_by_login_name('user' || lpad(:j::text, 6, '0'), t.token) AS u
 WHERE t.k = :k;
