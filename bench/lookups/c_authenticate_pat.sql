-- (c) authenticate_pat, as the application role with no tenant set.  The
-- token is built in the statement from k and j (bench/lookups_setup.sql
-- says how); the floor (d_floor_token_hash.sql) builds it the same way.
\if :warmed = 0
SELECT lookup_bench.touch_pages('pats');
\set warmed 1
\endif
\set k random(1, :tenants)
\set j random(1, :users)
SELECT *
  FROM multitenant.authenticate_pat('mtp_b' || lpad(:k::text, 6, '0') || 'u' || lpad(:j::text, 7, '0')
                                    || 'xxxxxxxxxxxxxxxxxxxxxxxxxxxx');
