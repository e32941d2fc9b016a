-- (b) the floor of (a): the same index of users_projection, read as the
-- bootstrap superuser (no row-level security, no tenant switch).  Tenant k's
-- instance_id comes from lookup_bench.tenants in the same statement, the same
-- primary-key probe that (a) pays to find its token.
\if :warmed = 0
SELECT lookup_bench.touch_pages('users');
\set warmed 1
\endif
\set k random(1, :tenants)
\set j random(1, :users)
SELECT u.*
  FROM lookup_bench.tenants AS t
  JOIN multitenant.users_projection AS u ON u.instance_id = t.instance_id
 WHERE t.k = :k
   AND u.username_lower = 'user' || lpad(:j::text, 6, '0');
