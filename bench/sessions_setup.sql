-- bench/sessions_setup.sql: the data of the session benchmark
-- (bench/sessions.sh), run as the bootstrap superuser in a fresh database
-- of a cluster whose configuration sets multitenant.master_key:
--
--   psql -v tenants=1000 -v members=3 -v sessions=5000 -f bench/sessions_setup.sql
--
-- :tenants tenants 'bt-<k>' (k < tenants), each registered by the operator
-- with its owner 'bp-<k>-0' and given :members more members 'bp-<k>-<p>'
-- (p = 1..members, verified principals of their own) and one enabled realm
-- 'pw'; then, for each session format that create_session accepts,
-- :sessions sessions made by create_session as the operator, session n
-- (1..sessions) in tenant (n - 1) % tenants for principal
-- ((n - 1) / tenants) % (members + 1), so that sessions spread over every
-- tenant and principal.  Everything goes through the extension's own
-- functions (events, reducers, audit), as in use.
--
-- Sessions live a day without use and two days in all: the idle lifetime is
-- refreshed once a sixteenth of it has passed, 90 minutes, so the timed
-- validations write nothing (the refresh is measured apart, see
-- bench/README.md).
--
-- session_bench.tokens (format, n, token, session_id, tenant, principal_id)
-- holds every token for bench/lookup_client.c, which reads them before the
-- clock starts; session_bench.formats says which formats create_session
-- accepted and, for the others, its refusal.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE EXTENSION IF NOT EXISTS multitenant;
CREATE EXTENSION IF NOT EXISTS pageinspect;

-- The application role of the validations: a LOGIN role that is only a
-- member of multitenant_app.
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'session_bench_app') THEN
		CREATE ROLE session_bench_app LOGIN;
	END IF;
END
$$;
GRANT multitenant_app TO session_bench_app;

CREATE SCHEMA session_bench;
GRANT USAGE ON SCHEMA session_bench TO session_bench_app;

CREATE TABLE session_bench.formats (
	format    text    PRIMARY KEY,
	available boolean NOT NULL,
	refusal   text
);

CREATE TABLE session_bench.tokens (
	format       text    NOT NULL,
	n            integer NOT NULL,
	token        text    NOT NULL,
	session_id   text    NOT NULL,
	tenant       text    NOT NULL,
	principal_id text    NOT NULL,
	PRIMARY KEY (format, n)
);
GRANT SELECT ON session_bench.formats, session_bench.tokens TO session_bench_app;

SELECT count(*) AS tenants FROM (
	SELECT multitenant.register_tenant('bt-' || k, 'Bench tenant ' || k, owner_id => 'bp-' || k || '-0',
	                                   owner_email => 'bp-' || k || '-0@bench.example')
	  FROM generate_series(0, :tenants - 1) AS k) AS r;
SELECT count(*) AS members FROM (
	SELECT multitenant.add_member(
	           (multitenant.verify_principal(
	                (multitenant.create_principal('user', 'bp-' || k || '-' || p || '@bench.example',
	                                              id => 'bp-' || k || '-' || p)).id)).id,
	           'member', tenant => 'bt-' || k)
	  FROM generate_series(0, :tenants - 1) AS k, generate_series(1, :members) AS p) AS m;
SELECT count(*) AS realms FROM (
	SELECT multitenant.push('tenant', 'bt-' || k, 'tenant.realm.added',
	                        '{"realmId": "pw", "name": "staff", "type": "username_password"}', instance_id => 'bt-' || k)
	  FROM generate_series(0, :tenants - 1) AS k) AS r;

-- Which formats create_session accepts: a format it does not know (yet) is
-- refused with 22023 "invalid session token format", and the benchmark
-- skips it.  Any other error stops the setup.  The probe's session stays.
DO $$
DECLARE
	f text;
BEGIN
	FOREACH f IN ARRAY ARRAY['opaque', 'jws', 'jwe'] LOOP
		BEGIN
			PERFORM multitenant.create_session('bp-0-0', 'pw', format => f, tenant => 'bt-0');
			INSERT INTO session_bench.formats VALUES (f, true, NULL);
		EXCEPTION WHEN invalid_parameter_value THEN
			IF SQLERRM NOT LIKE 'invalid session token format%' THEN
				RAISE;
			END IF;
			INSERT INTO session_bench.formats VALUES (f, false, SQLERRM);
		END;
	END LOOP;
END
$$;

INSERT INTO session_bench.tokens (format, n, token, session_id, tenant, principal_id)
SELECT f.format, x.n, s.token, s.session_id, x.tenant, x.principal_id
  FROM session_bench.formats AS f
 CROSS JOIN LATERAL (
	SELECT n, 'bt-' || (n - 1) % :tenants AS tenant,
	       'bp-' || (n - 1) % :tenants || '-' || ((n - 1) / :tenants) % (:members + 1) AS principal_id
	  FROM generate_series(1, :sessions) AS n) AS x
 CROSS JOIN LATERAL multitenant.create_session(x.principal_id, 'pw', idle_timeout => '1 day',
                                               absolute_timeout => '2 days', format => f.format,
                                               tenant => x.tenant) AS s
 WHERE f.available
 ORDER BY f.format, x.n;

-- The relations a validation reads: the sessions with their indexes and the
-- tables its checks probe, with theirs.
CREATE FUNCTION session_bench.relations() RETURNS regclass[]
LANGUAGE sql STABLE
AS $$
SELECT array_agg(r ORDER BY r::text)
  FROM (SELECT t AS r
          FROM unnest(ARRAY['multitenant.principal_sessions', 'multitenant.tenants', 'multitenant.principals',
                            'multitenant.memberships', 'multitenant.tenant_realms']::regclass[]) AS t
        UNION ALL
        SELECT i.indexrelid::regclass
          FROM pg_index AS i
         WHERE i.indrelid = ANY (ARRAY['multitenant.principal_sessions', 'multitenant.tenants',
                                       'multitenant.principals', 'multitenant.memberships',
                                       'multitenant.tenant_realms']::regclass[])) AS x
$$;

-- A fresh backend maps each page of shared memory on first touch, which is
-- slow in a VM (see bench/lookups_setup.sql): every benchmark connection
-- reads each page of those relations once before the clock starts.
-- SECURITY DEFINER: get_raw_page is for superusers only.
CREATE FUNCTION session_bench.touch_pages() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
SELECT sum(length(get_raw_page(r::text, b)))::bigint
  FROM unnest(session_bench.relations()) AS r
 CROSS JOIN LATERAL generate_series(0, pg_relation_size(r) / 8192 - 1) AS b
$$;
REVOKE ALL ON FUNCTION session_bench.touch_pages() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION session_bench.touch_pages() TO session_bench_app;

VACUUM ANALYZE;
