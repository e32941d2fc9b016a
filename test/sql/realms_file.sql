-- The operator's realm file: multitenant.load_realms on examples/realms.yaml
-- and on the files of test/fixtures/realms/.  The test cluster's server has
-- MT_EXAMPLE_LDAP_BIND_PASSWORD and MT_EXAMPLE_OAUTH2_CLIENT_SECRET in its
-- environment (test/harness/cluster.sh), random per cluster; psql reads the
-- same values from its own.  Paths in messages are shown relative to the
-- repository.
\set ECHO none
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE EXTENSION multitenant;
\getenv repo PWD
\getenv ldap_password MT_EXAMPLE_LDAP_BIND_PASSWORD
\getenv client_secret MT_EXAMPLE_OAUTH2_CLIENT_SECRET
SELECT set_config('realms_test.repo', :'repo', false) IS NOT NULL AS repo_known;
SELECT (multitenant.create_tenant('acme', 'Acme')).id, (multitenant.create_tenant('globex', 'Globex')).id;
CREATE ROLE mt_realms_app NOLOGIN;
GRANT multitenant_app TO mt_realms_app;
CREATE ROLE mt_realms_admin NOLOGIN;
GRANT multitenant_admin TO mt_realms_admin;
-- load(file, strategy, dry_run): the rows, or the error as SQLSTATE and message.
CREATE FUNCTION pg_temp.load(file text, strategy text DEFAULT 'overwrite', dry_run boolean DEFAULT false)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	r record;
	path text := CASE WHEN file LIKE '/%' THEN file ELSE current_setting('realms_test.repo') || '/' || file END;
BEGIN
	FOR r IN SELECT * FROM multitenant.load_realms(path, strategy, dry_run) LOOP
		RETURN NEXT format('%s %s %s %s %s', r.tenant, r.realm, r.type, r.action, r.changes);
	END LOOP;
EXCEPTION WHEN OTHERS THEN
	RETURN NEXT format('%s: %s', SQLSTATE, replace(SQLERRM, current_setting('realms_test.repo') || '/', ''));
END $$;
CREATE FUNCTION pg_temp.state() RETURNS TABLE (realms bigint, events bigint, audit_entries bigint, secrets bigint)
LANGUAGE sql AS $$
	SELECT (SELECT count(*) FROM multitenant.tenant_realms),
	       (SELECT count(*) FROM multitenant.events WHERE event_type LIKE 'tenant.realm.%'),
	       (SELECT count(*) FROM multitenant.audit_log WHERE target_table = 'multitenant.tenant_realms'),
	       (SELECT count(*) FROM multitenant.encryption_keys WHERE algorithm = 'realm_secret')
$$;
\set ECHO all

-- The arguments: an explicit strategy, a file that exists, a superuser.
SELECT pg_temp.load('examples/realms.yaml', NULL);
SELECT pg_temp.load('examples/realms.yaml', 'merge');
SELECT pg_temp.load('examples/realms.yaml', 'overwrite', NULL);
SELECT pg_temp.load('test/fixtures/realms/nowhere.yaml');
SET ROLE mt_realms_admin;
SELECT * FROM multitenant.load_realms('/nowhere.yaml', 'overwrite');
RESET ROLE;

-- A dry run (the default) says what it would do and changes nothing.
SELECT * FROM multitenant.load_realms(:'repo' || '/examples/realms.yaml', 'skip_existing');
SELECT * FROM pg_temp.state();

-- Loaded: one event and one audit entry per realm; the secrets stored
-- encrypted, as the server's environment had them.
SELECT pg_temp.load('examples/realms.yaml');
SELECT * FROM pg_temp.state();
SELECT instance_id, name, type, source, enabled, configuration FROM multitenant.tenant_realms ORDER BY 1, 2;
SELECT r.name, k.id = 'realm:' || r.id || ':' || s.secret AS key_named_by_realm,
       convert_from(multitenant.get_key(k.id, k.instance_id), 'UTF8') = s.expected AS secret_from_environment
  FROM multitenant.tenant_realms AS r
  JOIN (VALUES ('corp', 'bind_password', :'ldap_password'), ('partners', 'client_secret', :'client_secret')) AS s(realm, secret, expected)
    ON s.realm = r.name
  JOIN multitenant.encryption_keys AS k ON k.instance_id = r.instance_id AND k.id LIKE 'realm:' || r.id || ':%'
 ORDER BY 1;
-- No secret in an event, a row or an audit image.
SELECT count(*) AS places_holding_a_secret
  FROM (SELECT payload::text AS t FROM multitenant.events
        UNION ALL SELECT concat(before, after, target_key) FROM multitenant.audit_log
        UNION ALL SELECT configuration::text FROM multitenant.tenant_realms) AS x
 WHERE strpos(x.t, :'ldap_password') > 0 OR strpos(x.t, :'client_secret') > 0;
SELECT event_type, payload -> 'secretsChanged' AS secrets_changed FROM multitenant.events
 WHERE event_type LIKE 'tenant.realm.%' ORDER BY position;
-- A tenant's roles read neither the secrets nor their keys.
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
SET LOCAL ROLE mt_realms_app;
SELECT name, type FROM multitenant.tenant_realms ORDER BY 1;
SAVEPOINT s;
SELECT count(*) FROM multitenant.encryption_keys;
ROLLBACK TO SAVEPOINT s;
SELECT multitenant.get_key(k, 'acme') FROM (SELECT 'x') AS x(k);
ROLLBACK;

-- The same file again: nothing changes, no audit entry.
SELECT pg_temp.load('examples/realms.yaml');
SELECT * FROM pg_temp.state();

-- The file's realms cannot be changed through the API, not even by an owner.
SELECT multitenant.update_realm('staff', '{"min_password_length": 8}', tenant => 'globex');

-- A changed file.  skip_existing leaves the existing realms as they are and
-- adds the new one; overwrite changes them, one audit entry per realm.  A
-- realm the file no longer lists is reported, never deleted.
SELECT pg_temp.load('test/fixtures/realms/changed.yaml', 'skip_existing', true);
SELECT pg_temp.load('test/fixtures/realms/changed.yaml', 'overwrite', true);
SELECT * FROM pg_temp.state();
SELECT pg_temp.load('test/fixtures/realms/changed.yaml', 'skip_existing');
SELECT * FROM pg_temp.state();
SELECT pg_temp.load('test/fixtures/realms/changed.yaml', 'overwrite');
SELECT * FROM pg_temp.state();
SELECT instance_id, name, enabled, configuration ->> 'url' AS url FROM multitenant.tenant_realms ORDER BY 1, 2;
SELECT convert_from(multitenant.get_key(k.id, k.instance_id), 'UTF8') AS literal_secret
  FROM multitenant.encryption_keys AS k JOIN multitenant.tenant_realms AS r ON k.id = 'realm:' || r.id || ':bind_password';
SELECT action, target_key ? 'id' AS keyed_by_id, before ->> 'enabled' AS enabled_before, after ->> 'enabled' AS enabled_after
  FROM multitenant.audit_log WHERE target_table = 'multitenant.tenant_realms' AND action = 'tenant.realm.changed' ORDER BY id;
SELECT pg_temp.load('test/fixtures/realms/changed.yaml', 'overwrite');
SELECT * FROM pg_temp.state();

-- Bad files: an error naming file, line and column; nothing changes.
SELECT pg_temp.load('test/fixtures/realms/malformed.yaml');
SELECT pg_temp.load('test/fixtures/realms/two_documents.yaml');
SELECT pg_temp.load('test/fixtures/realms/unknown_key.yaml');
SELECT pg_temp.load('test/fixtures/realms/secret_in_configuration.yaml');
SELECT pg_temp.load('test/fixtures/realms/unknown_type.yaml');
SELECT pg_temp.load('test/fixtures/realms/unknown_tenant.yaml');
SELECT pg_temp.load('test/fixtures/realms/unknown_secret.yaml');
SELECT pg_temp.load('test/fixtures/realms/duplicate_realm.yaml');
SELECT pg_temp.load('test/fixtures/realms/missing_secret.yaml');
SELECT pg_temp.load('test/fixtures/realms/missing_env.yaml');
SELECT pg_temp.load('test/fixtures/realms/type_change.yaml');
SELECT * FROM pg_temp.state();

\set ECHO none
DROP EXTENSION multitenant;
DROP SCHEMA multitenant;
DROP ROLE mt_realms_app;
DROP ROLE mt_realms_admin;
