-- (d) the floor of (c): the SHA-256 of the token looked up through the same
-- unique index of personal_access_tokens_projection, as the bootstrap
-- superuser; no expiry, user or organisation check.
\if :warmed = 0
SELECT lookup_bench.touch_pages('pats');
\set warmed 1
\endif
\set k random(1, :tenants)
\set j random(1, :users)
SELECT instance_id, user_id, scopes
  FROM multitenant.personal_access_tokens_projection
 WHERE token_hash = pg_catalog.sha256(pg_catalog.convert_to(
         'mtp_b' || lpad(:k::text, 6, '0') || 'u' || lpad(:j::text, 7, '0')
         || 'xxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'UTF8'));
