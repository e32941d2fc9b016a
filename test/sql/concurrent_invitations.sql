-- Join requests and invitations under concurrency, as a login role granted
-- multitenant_app in sessions of its own (dblink): six sessions accept one
-- invitation token at the same moment (all of them held at the tenant's lock
-- and released together), and exactly one becomes a member; an approval
-- and a rejection of one request race, and exactly one decides it.
CREATE EXTENSION dblink;
CREATE EXTENSION multitenant;
\set ECHO none
\o /dev/null
SELECT multitenant.create_tenant('ci-a', 'Tenant A');
SELECT multitenant.create_principal('user', p || '@example.com', initcap(p), id => p)
  FROM unnest(ARRAY['owen', 'adam', 'nina', 'rob']) AS p;
SELECT multitenant.add_member('owen', 'owner', 'ci-a'), multitenant.add_member('adam', 'admin', 'ci-a');
CREATE TABLE public.ci_values (name text PRIMARY KEY, value text NOT NULL);
SELECT multitenant.set_tenant('ci-a');
INSERT INTO public.ci_values SELECT 'token', token FROM multitenant.invite('nina@example.com');
SELECT multitenant.reset_tenant();
SET multitenant.actor = 'rob';
INSERT INTO public.ci_values SELECT 'request', id FROM multitenant.request_join('ci-a');
RESET multitenant.actor;
\o
\set ECHO all
CREATE ROLE mt_ci_app LOGIN;
GRANT multitenant_app TO mt_ci_app;
GRANT SELECT ON public.ci_values TO mt_ci_app;
-- One call as an actor (inside a tenant, or none), its outcome as a SQLSTATE.
CREATE FUNCTION public.ci_attempt(actor text, tenant text, stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	IF tenant IS NOT NULL THEN
		PERFORM multitenant.set_tenant(tenant, is_local => true);
	END IF;
	PERFORM set_config('multitenant.actor', actor, true);
	EXECUTE stmt;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END $$;
-- Waits (committing, so that each look is fresh) until n sessions of the
-- role wait for a lock.
CREATE PROCEDURE public.ci_wait_for_waiters(n integer) LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..400 LOOP
		EXIT WHEN (SELECT count(*) FROM pg_stat_activity WHERE usename = 'mt_ci_app' AND wait_event_type = 'Lock') >= n;
		PERFORM pg_sleep(0.05);
		COMMIT;
	END LOOP;
END $$;
SELECT format('dbname=%s host=%s port=%s', current_database(), current_setting('unix_socket_directories'), current_setting('port')) AS conninfo \gset
SELECT dblink_connect('blocker', :'conninfo' || ' user=' || current_user);
SELECT dblink_connect('s' || i, :'conninfo' || ' user=mt_ci_app') FROM generate_series(1, 6) AS i;

-- Six acceptances of one token.
SELECT dblink_exec('blocker', 'BEGIN');
SELECT * FROM dblink('blocker', $$SELECT id FROM multitenant.tenants WHERE id = 'ci-a' FOR UPDATE$$) AS t(locked text);
SELECT dblink_send_query('s' || i,
         $$SELECT public.ci_attempt('nina', NULL, format('SELECT multitenant.accept_invitation(%L)', (SELECT value FROM public.ci_values WHERE name = 'token')))$$)
  FROM generate_series(1, 6) AS i;
CALL public.ci_wait_for_waiters(6);
SELECT count(*) AS sessions_waiting FROM pg_stat_activity WHERE usename = 'mt_ci_app' AND wait_event_type = 'Lock';
SELECT dblink_exec('blocker', 'COMMIT');
CREATE TEMP TABLE outcomes (race text, outcome text);
INSERT INTO outcomes SELECT 'accept', r.outcome FROM generate_series(1, 6) AS i, dblink_get_result('s' || i) AS r(outcome text);
SELECT count(*) FROM generate_series(1, 6) AS i, dblink_get_result('s' || i) AS r(outcome text);
SELECT outcome, count(*) FROM outcomes WHERE race = 'accept' GROUP BY 1 ORDER BY 1;
SELECT count(*) AS memberships_of_nina FROM multitenant.memberships WHERE principal_id = 'nina';
SELECT event_type, count(*) FROM multitenant.events
 WHERE instance_id = 'ci-a' AND (event_type = 'tenant.invitation.accepted' OR payload ->> 'principalId' = 'nina') GROUP BY 1 ORDER BY 1;
SELECT status, accepted_by FROM multitenant.invitations;

-- An approval and a rejection of one request.
SELECT dblink_exec('blocker', 'BEGIN');
SELECT * FROM dblink('blocker', $$SELECT id FROM multitenant.tenants WHERE id = 'ci-a' FOR UPDATE$$) AS t(locked text);
SELECT dblink_send_query('s1',
         $$SELECT public.ci_attempt('adam', 'ci-a', format('SELECT multitenant.approve_join_request(%L)', (SELECT value FROM public.ci_values WHERE name = 'request')))$$);
SELECT dblink_send_query('s2',
         $$SELECT public.ci_attempt('owen', 'ci-a', format('SELECT multitenant.reject_join_request(%L, %L)', (SELECT value FROM public.ci_values WHERE name = 'request'), 'no'))$$);
CALL public.ci_wait_for_waiters(2);
SELECT dblink_exec('blocker', 'COMMIT');
INSERT INTO outcomes SELECT 'decide', r.outcome FROM generate_series(1, 2) AS i, dblink_get_result('s' || i) AS r(outcome text);
SELECT count(*) FROM generate_series(1, 2) AS i, dblink_get_result('s' || i) AS r(outcome text);
SELECT outcome, count(*) FROM outcomes WHERE race = 'decide' GROUP BY 1 ORDER BY 1;
SELECT count(*) AS decisions FROM multitenant.events WHERE event_type IN ('tenant.request.approved', 'tenant.request.rejected');
SELECT r.status IN ('approved', 'rejected') AS decided,
       (r.status = 'approved') = EXISTS (SELECT FROM multitenant.memberships AS m WHERE m.principal_id = 'rob') AS member_if_approved
  FROM multitenant.join_requests AS r;

SELECT dblink_disconnect(c) FROM unnest(ARRAY['blocker', 's1', 's2', 's3', 's4', 's5', 's6']) AS c;
DROP PROCEDURE public.ci_wait_for_waiters(integer);
DROP FUNCTION public.ci_attempt(text, text, text);
DROP TABLE public.ci_values;
DROP EXTENSION multitenant;
DROP SCHEMA multitenant;
DROP EXTENSION dblink;
DROP ROLE mt_ci_app;
