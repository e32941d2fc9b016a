-- bench/lookups_setup.sql: the data of the lookup benchmark (bench/lookups.sh),
-- run as the bootstrap superuser in a fresh database:
--
--   psql -v tenants=1000 -v users=1000 -f bench/lookups_setup.sql
--
-- :tenants tenants, each with five organisations, the instance's default
-- login-name policy (must_be_domain false: the bare user name is the login
-- name, the common case) and :users users spread over the organisations,
-- every user with one personal access token.  The rows are written straight into the projections with
-- set-based INSERT ... SELECT: the benchmark measures lookups, and reducing
-- 2 x 10M events first would only make it slower to start.
--
-- Everything is derived from the tenant number k (1..:tenants) and the user
-- number j (1..:users), so that bench/lookup_client.c and the pgbench scripts
-- can rebuild every key without asking the server:
--
--   instance_id  200000000000000000 + k         (18 digits, like Zitadel's ids)
--   org id       400000000000000000 + 10 * k + j % 5   (user j's organisation)
--   user id      300000000000000000 + k * 1000000 + j
--   user name    'User' || lpad(j, 6, '0')       (the same names in every tenant;
--                                                 looked up as 'user000042')
--   PAT          'mtp_b' || lpad(k, 6, '0') || 'u' || lpad(j, 7, '0') || 28 x 'x'
--                (47 characters, as long as a token from create_pat)
--   token_hash   sha256(convert_to(PAT, 'UTF8')), as create_pat stores it
--
-- lookup_bench.tenants (k, instance_id, token) holds each tenant's signed
-- tenant token (sign_tenant, valid for 30 days) for the clients.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE EXTENSION IF NOT EXISTS multitenant;
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
CREATE EXTENSION IF NOT EXISTS pageinspect;

-- The application role of scenarios (a) and (c): a LOGIN role that is only a
-- member of multitenant_app, so row-level security applies to it.
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lookup_bench_app') THEN
		CREATE ROLE lookup_bench_app LOGIN;
	END IF;
END
$$;
GRANT multitenant_app TO lookup_bench_app;

CREATE SCHEMA lookup_bench;
GRANT USAGE ON SCHEMA lookup_bench TO lookup_bench_app;

CREATE TABLE lookup_bench.tenants (
	k           integer PRIMARY KEY,
	instance_id text    NOT NULL,
	token       text    NOT NULL
);
GRANT SELECT ON lookup_bench.tenants TO lookup_bench_app;

INSERT INTO lookup_bench.tenants (k, instance_id, token)
SELECT k, (200000000000000000 + k)::text,
       multitenant.sign_tenant((200000000000000000 + k)::text, '30 days')
  FROM generate_series(1, :tenants) AS k;

-- Five organisations per tenant, not one, as tenants have: with exactly one,
-- the statistics make (instance_id, id) look no more selective than id
-- alone, and the generic plan authenticate_pat kept while it checked the
-- org with an anti-join probed orgs_projection_pkey by id alone, reading the
-- whole index on every call.
INSERT INTO multitenant.orgs_projection (instance_id, id, creation_date, change_date, resource_owner,
                                         sequence, org_state, name, primary_domain)
SELECT t.instance_id, (400000000000000000 + 10 * t.k + o)::text, '2024-01-01', '2024-01-01',
       (400000000000000000 + 10 * t.k + o)::text, 1, 1, 'Org ' || t.k || '-' || o, ''
  FROM lookup_bench.tenants AS t
 CROSS JOIN generate_series(0, 4) AS o;

-- The instance default (is_default, owned by the instance): the bare user
-- name is the login name.
INSERT INTO multitenant.login_names_projection_policies (instance_id, resource_owner, must_be_domain,
                                                         is_default, change_date, sequence)
SELECT t.instance_id, t.instance_id, false, true, '2024-01-01', 1
  FROM lookup_bench.tenants AS t;

-- The secondary indexes of the two big tables are dropped here and built
-- again, with their own definitions, once the rows are in: 10M rows load in
-- about a third of the time.  (Built indexes are packed fuller than indexes
-- grown row by row; the floors read the same indexes.)  The primary keys
-- stay, and the rows arrive in their order.
CREATE TABLE lookup_bench.indexes AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
  FROM pg_index AS i
 WHERE i.indrelid IN ('multitenant.users_projection'::regclass,
                      'multitenant.personal_access_tokens_projection'::regclass)
   AND NOT i.indisprimary;
SELECT format('DROP INDEX %s', name) FROM lookup_bench.indexes \gexec

-- Users in (instance_id, id) order, as a projection filled by one tenant
-- after another would be; state 1 active, type 1 human.
INSERT INTO multitenant.users_projection (id, creation_date, change_date, sequence, state,
                                          resource_owner, instance_id, username, type)
SELECT (300000000000000000 + t.k::bigint * 1000000 + j)::text,
       '2024-01-01', '2024-01-01', 1, 1,
       (400000000000000000 + 10 * t.k + j % 5)::text, t.instance_id, 'User' || lpad(j::text, 6, '0'), 1
  FROM lookup_bench.tenants AS t
 CROSS JOIN generate_series(1, :users) AS j
 ORDER BY t.k, j;

-- One token per user, in primary key order.
INSERT INTO multitenant.personal_access_tokens_projection (instance_id, id, creation_date, change_date,
                                                           sequence, resource_owner, user_id, expiration,
                                                           scopes, token_hash)
SELECT t.instance_id, (500000000000000000 + t.k::bigint * 1000000 + j)::text,
       '2024-01-01', '2024-01-01', 1, (400000000000000000 + 10 * t.k + j % 5)::text,
       (300000000000000000 + t.k::bigint * 1000000 + j)::text, '9999-12-31 23:59:59+00', '{openid}',
       sha256(convert_to('mtp_b' || lpad(t.k::text, 6, '0') || 'u' || lpad(j::text, 7, '0') || repeat('x', 28),
                         'UTF8'))
  FROM lookup_bench.tenants AS t
 CROSS JOIN generate_series(1, :users) AS j
 ORDER BY t.k, j;

SELECT definition FROM lookup_bench.indexes \gexec
DROP TABLE lookup_bench.indexes;

-- The relations that the lookups read: 'users' for (a) and (b), 'pats'
-- for (c) and (d).  bench/lookups.sh loads them into shared_buffers
-- (pg_prewarm) before the runs.
CREATE FUNCTION lookup_bench.relations(lookups text) RETURNS regclass[]
LANGUAGE sql IMMUTABLE
AS $$
SELECT CASE lookups
         WHEN 'users' THEN ARRAY['multitenant.users_projection',
                                 'multitenant.users_projection_username_lower_idx',
                                 'multitenant.login_names_projection_policies',
                                 'multitenant.login_names_projection_policies_pkey',
                                 'multitenant.login_names_projection_domains',
                                 'multitenant.login_names_projection_domains_name_lower_idx',
                                 'lookup_bench.tenants', 'lookup_bench.tenants_pkey']::regclass[]
         WHEN 'pats' THEN ARRAY['multitenant.personal_access_tokens_projection',
                                'multitenant.personal_access_tokens_projection_token_hash_key',
                                'multitenant.users_projection', 'multitenant.users_projection_pkey',
                                'multitenant.orgs_projection', 'multitenant.orgs_projection_pkey']::regclass[]
       END
$$;

-- A backend maps each 4 kB page of shared memory on its first touch, and a
-- page fault costs several microseconds in this VM: a fresh connection that
-- looks up random keys in 1M rows spends seconds faulting, which would be
-- measured as lookup time.  Every benchmark connection therefore first calls
-- touch_pages, which copies each page of the relations its lookups read
-- (get_raw_page) and so maps them in that backend.  SECURITY DEFINER:
-- get_raw_page is for superusers only.
CREATE FUNCTION lookup_bench.touch_pages(lookups text) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
SELECT sum(length(get_raw_page(r::text, b)))::bigint
  FROM unnest(lookup_bench.relations(lookups)) AS r
 CROSS JOIN LATERAL generate_series(0, pg_relation_size(r) / 8192 - 1) AS b
$$;
REVOKE ALL ON FUNCTION lookup_bench.touch_pages(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lookup_bench.touch_pages(text) TO lookup_bench_app;

VACUUM ANALYZE lookup_bench.tenants, multitenant.orgs_projection, multitenant.login_names_projection_policies,
               multitenant.users_projection, multitenant.personal_access_tokens_projection;
