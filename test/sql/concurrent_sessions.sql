-- Sessions under concurrency, as a login role granted multitenant_app in
-- sessions of its own (dblink): six sessions rotate one token at the same
-- moment (all held at the tenant's lock and released together), and exactly
-- one gets a new token, the others the refusal every dead token gets; a
-- rotation and a removal of the membership race, and the token left is dead
-- either way; six validations of one signed token due for rotation (its
-- principal's role changed) rotate it once.
CREATE EXTENSION dblink;
CREATE EXTENSION multitenant;
\set ECHO none
\o /dev/null
SELECT multitenant.create_tenant('cs-a', 'Tenant A');
SELECT multitenant.create_principal('user', p || '@example.com', initcap(p), id => p)
  FROM unnest(ARRAY['owen', 'nina', 'rob', 'jay']) AS p;
SELECT multitenant.verify_principal('owen');
SELECT multitenant.add_member('owen', 'owner', 'cs-a'), multitenant.add_member('nina', 'member', 'cs-a'),
       multitenant.add_member('rob', 'member', 'cs-a'), multitenant.add_member('jay', 'member', 'cs-a');
SELECT multitenant.push('tenant', 'cs-a', 'tenant.realm.added', '{"realmId": "pw", "name": "staff", "type": "username_password"}',
                        instance_id => 'cs-a');
CREATE TABLE public.cs_values (name text PRIMARY KEY, value text NOT NULL);
INSERT INTO public.cs_values SELECT 'nina', token FROM multitenant.create_session('nina', 'pw', tenant => 'cs-a');
INSERT INTO public.cs_values SELECT 'rob', token FROM multitenant.create_session('rob', 'pw', tenant => 'cs-a');
INSERT INTO public.cs_values SELECT 'jay', token FROM multitenant.create_session('jay', 'pw', format => 'jws', tenant => 'cs-a');
\o
\set ECHO all
CREATE ROLE mt_cs_app LOGIN;
GRANT multitenant_app TO mt_cs_app;
GRANT SELECT ON public.cs_values TO mt_cs_app;
-- One statement, its outcome as a SQLSTATE, and a new token kept as 'new'.
CREATE FUNCTION public.cs_attempt(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	t text;
BEGIN
	EXECUTE stmt INTO t;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END $$;
CREATE PROCEDURE public.cs_wait_for_waiters(n integer) LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..400 LOOP
		EXIT WHEN (SELECT count(*) FROM pg_stat_activity WHERE usename = 'mt_cs_app' AND wait_event_type = 'Lock') >= n;
		PERFORM pg_sleep(0.05);
		COMMIT;
	END LOOP;
END $$;
SELECT format('dbname=%s host=%s port=%s', current_database(), current_setting('unix_socket_directories'), current_setting('port')) AS conninfo \gset
SELECT dblink_connect('blocker', :'conninfo' || ' user=' || current_user);
SELECT dblink_connect('s' || i, :'conninfo' || ' user=mt_cs_app') FROM generate_series(1, 6) AS i;

-- Six rotations of one token.
SELECT dblink_exec('blocker', 'BEGIN');
SELECT * FROM dblink('blocker', $$SELECT id FROM multitenant.tenants WHERE id = 'cs-a' FOR UPDATE$$) AS t(locked text);
SELECT dblink_send_query('s' || i,
         $$SELECT public.cs_attempt(format('SELECT new_token FROM multitenant.rotate_session(%L)', (SELECT value FROM public.cs_values WHERE name = 'nina')))$$)
  FROM generate_series(1, 6) AS i;
CALL public.cs_wait_for_waiters(6);
SELECT count(*) AS sessions_waiting FROM pg_stat_activity WHERE usename = 'mt_cs_app' AND wait_event_type = 'Lock';
SELECT dblink_exec('blocker', 'COMMIT');
CREATE TEMP TABLE outcomes (race text, outcome text);
INSERT INTO outcomes SELECT 'rotate', r.outcome FROM generate_series(1, 6) AS i, dblink_get_result('s' || i) AS r(outcome text);
SELECT count(*) FROM generate_series(1, 6) AS i, dblink_get_result('s' || i) AS r(outcome text);
SELECT outcome, count(*) FROM outcomes WHERE race = 'rotate' GROUP BY 1 ORDER BY 1;
SELECT count(*) AS rotations FROM multitenant.events WHERE event_type = 'tenant.session.rotated';
SELECT public.cs_attempt(format('SELECT principal_id FROM multitenant.validate_session(%L)', value)) AS old_token FROM public.cs_values WHERE name = 'nina';

-- A validation that refreshes the session waits for a removal of the
-- membership holding its row, then finds the token dead.
UPDATE multitenant.principal_sessions SET last_seen_at = now() - interval '10 minutes' WHERE principal_id = 'rob';
SELECT dblink_exec('blocker', 'BEGIN');
SELECT * FROM dblink('blocker', $$SELECT 'removed' FROM multitenant.remove_member('rob', 'gone', 'cs-a')$$) AS t(step text);
SELECT dblink_send_query('s1',
         $$SELECT public.cs_attempt(format('SELECT principal_id FROM multitenant.validate_session(%L)', (SELECT value FROM public.cs_values WHERE name = 'rob')))$$);
CALL public.cs_wait_for_waiters(1);
SELECT count(*) AS sessions_waiting FROM pg_stat_activity WHERE usename = 'mt_cs_app' AND wait_event_type = 'Lock';
SELECT dblink_exec('blocker', 'COMMIT');
SELECT * FROM dblink_get_result('s1') AS r(outcome text);
SELECT count(*) FROM dblink_get_result('s1') AS r(outcome text);
SELECT status, revoke_reason FROM multitenant.principal_sessions WHERE principal_id = 'rob';

-- Six validations of one JWS due for rotation: one rotates it and gets the
-- new token, the others find the token dead once they have the lock.
SELECT role FROM multitenant.change_member_role('jay', 'viewer', 'cs-a');
SELECT dblink_exec('blocker', 'BEGIN');
SELECT * FROM dblink('blocker', $$SELECT id FROM multitenant.tenants WHERE id = 'cs-a' FOR UPDATE$$) AS t(locked text);
SELECT dblink_send_query('s' || i,
         $$SELECT public.cs_attempt(format('SELECT rotated_token FROM multitenant.validate_session(%L) WHERE rotated_token IS NOT NULL',
                                           (SELECT value FROM public.cs_values WHERE name = 'jay')))$$)
  FROM generate_series(1, 6) AS i;
CALL public.cs_wait_for_waiters(6);
SELECT count(*) AS sessions_waiting FROM pg_stat_activity WHERE usename = 'mt_cs_app' AND wait_event_type = 'Lock';
SELECT dblink_exec('blocker', 'COMMIT');
INSERT INTO outcomes SELECT 'rotate due', r.outcome FROM generate_series(1, 6) AS i, dblink_get_result('s' || i) AS r(outcome text);
SELECT count(*) FROM generate_series(1, 6) AS i, dblink_get_result('s' || i) AS r(outcome text);
SELECT outcome, count(*) FROM outcomes WHERE race = 'rotate due' GROUP BY 1 ORDER BY 1;
SELECT count(*) AS rotations, count(*) FILTER (WHERE e.payload ->> 'reason' = 'role changed') AS for_the_role_change
  FROM multitenant.events AS e JOIN multitenant.principal_sessions AS s ON s.id = e.payload ->> 'sessionId'
 WHERE e.event_type = 'tenant.session.rotated' AND s.principal_id = 'jay';
SELECT format, rotation_due, key_id IS NOT NULL AS signed FROM multitenant.principal_sessions WHERE principal_id = 'jay';

SELECT dblink_disconnect(c) FROM unnest(ARRAY['blocker', 's1', 's2', 's3', 's4', 's5', 's6']) AS c;
DROP PROCEDURE public.cs_wait_for_waiters(integer);
DROP FUNCTION public.cs_attempt(text);
DROP TABLE public.cs_values;
DROP EXTENSION multitenant;
DROP SCHEMA multitenant;
DROP EXTENSION dblink;
DROP ROLE mt_cs_app;
