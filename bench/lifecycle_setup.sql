-- bench/lifecycle.sh: the data every lifecycle call of the benchmark needs,
-- prepared by the operator (psql variables tenants, principals, members):
--   tenants 'bt-<k>' (k < tenants), each registered with its verified owner
--   'bo-<k>', and with the members 'bm-<j>' (j < members) as members;
--   verified principals 'bp-<j>' (j < principals), no member of anything
--   yet: add_member adds 'bp-<n / tenants>' to 'bt-<n % tenants>' for the
--   n-th call, so every call adds a new pair, and register_existing makes
--   them owners of new tenants;
--   bench.floor: a tenant table the floor script inserts into (ids from
--   bench.floor_seq; tenant ids of registrations from bench.tenant_seq);
--   bench.invites and bench.requests: the pending invitations (with their
--   tokens) and join requests that accept.sql and approve.sql consume in
--   order, filled by bench/lifecycle.sh through prepare_invitation.sql and
--   prepare_request.sql;
--   the application's login role bench_app.
CREATE EXTENSION IF NOT EXISTS multitenant;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE SCHEMA bench;
CREATE SEQUENCE bench.tenant_seq;
CREATE SEQUENCE bench.add_seq;
CREATE SEQUENCE bench.floor_seq;
CREATE SEQUENCE bench.invite_seq;
CREATE SEQUENCE bench.invite_prep_seq;
CREATE SEQUENCE bench.accept_seq;
CREATE SEQUENCE bench.request_prep_seq;
CREATE SEQUENCE bench.approve_seq;
CREATE TABLE bench.invites (n bigint PRIMARY KEY, token text NOT NULL);
CREATE TABLE bench.requests (n bigint PRIMARY KEY, tenant text NOT NULL, request_id text NOT NULL);
CREATE TABLE bench.floor (
	instance_id text NOT NULL DEFAULT multitenant.current_tenant() CHECK (instance_id <> ''),
	id bigint NOT NULL,
	actor text,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (instance_id, id)
);
SELECT multitenant.enable_tenant_isolation('bench.floor');

CREATE ROLE bench_app LOGIN;
GRANT multitenant_app TO bench_app;
GRANT USAGE ON SCHEMA bench TO bench_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA bench TO bench_app;
GRANT SELECT, INSERT ON bench.floor, bench.invites, bench.requests TO bench_app;

SELECT count(*) AS tenants FROM (
	SELECT multitenant.register_tenant('bt-' || k, 'Bench tenant ' || k, owner_id => 'bo-' || k,
	                                   owner_email => 'bo-' || k || '@bench.example')
	  FROM generate_series(0, :tenants - 1) AS k) AS r;
SELECT count(*) AS principals FROM (
	SELECT multitenant.verify_principal(
	           (multitenant.create_principal('user', 'bp-' || j || '@bench.example', id => 'bp-' || j)).id)
	  FROM generate_series(0, :principals - 1) AS j) AS p;
SELECT count(*) AS member_principals FROM (
	SELECT multitenant.verify_principal(
	           (multitenant.create_principal('user', 'bm-' || j || '@bench.example', id => 'bm-' || j)).id)
	  FROM generate_series(0, :members - 1) AS j) AS p;
SELECT count(*) AS memberships FROM (
	SELECT multitenant.add_member('bm-' || j, 'member', tenant => 'bt-' || k)
	  FROM generate_series(0, :tenants - 1) AS k, generate_series(0, :members - 1) AS j) AS m;
VACUUM ANALYZE;
