-- Refusals recorded by audit_lifecycle(..., refused => true) survive the
-- error that follows them: a real login role calls a SECURITY DEFINER
-- function (owned by the superuser, as the lifecycle functions are) that
-- records a refusal and raises, in autocommit mode and inside a transaction
-- that is rolled back; the entries are there afterwards, written by another
-- transaction than the caller's, with the login role as db_role.  An entry
-- written with refused => false goes with the caller's error.  When the audit
-- writer cannot write (it times out on a lock, or no worker slot is free),
-- the caller gets a WARNING naming the lost entry and still raises its own
-- error; a caller that itself locked the log gets its entry in-transaction.
CREATE EXTENSION dblink;
CREATE EXTENSION multitenant;
SELECT current_user AS superuser \gset
SELECT format('dbname=%s host=%s port=%s user=%s', current_database(),
              current_setting('unix_socket_directories'), current_setting('port'), current_user) AS conninfo \gset
CREATE ROLE mt_refused_app LOGIN;
GRANT multitenant_app TO mt_refused_app;
CREATE FUNCTION public.remove_member(principal text, refused boolean)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM multitenant.audit_lifecycle('refused-t', 'tenant.member.removed', 'multitenant.memberships',
		pg_catalog.jsonb_build_object('instance_id', 'refused-t', 'principal_id', principal),
		pg_catalog.jsonb_build_object('role', 'owner'), NULL, 'only an owner removes an owner', refused);
	RAISE EXCEPTION 'permission denied to remove member "%" of tenant "refused-t"', principal
		USING ERRCODE = '42501';
END $$;
REVOKE ALL ON FUNCTION public.remove_member(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.remove_member(text, boolean) TO mt_refused_app;
CREATE VIEW public.refusals AS
SELECT a.target_key ->> 'principal_id' AS principal, a.instance_id, a.actor, a.db_role, a.action, a.target_table,
       a.before, a.after, a.changed_columns, a.client_address, a.user_agent, a.reason,
       a.transaction_id::text <> a.xmin::text AS committed_apart
  FROM multitenant.audit_log AS a;

\c - mt_refused_app
SELECT multitenant.set_tenant('refused-t');
SET multitenant.actor = 'alice';
SET multitenant.client_address = '198.51.100.9';
SET multitenant.user_agent = 'refusal-test/1.0';
SELECT public.remove_member('p1', true);
BEGIN;
SELECT public.remove_member('p2', true);
ROLLBACK;
SELECT public.remove_member('p3', false);

\c - :superuser
-- A broken writer path must fail this test, not hang it.
SET statement_timeout = '60s';
SELECT * FROM public.refusals ORDER BY principal;

-- The writer waits at most the caller's lock_timeout for its locks: with
-- another session holding a SHARE lock on the log, it gives up, and the
-- caller warns and raises.
SELECT dblink_connect('holder', :'conninfo');
SELECT dblink_exec('holder', 'BEGIN');
SELECT dblink_exec('holder', 'LOCK multitenant.audit_log IN SHARE MODE');
SET lock_timeout = '200ms';
SELECT public.remove_member('p4', true);
RESET lock_timeout;

-- No free worker slot: every one is taken by a writer that waits for the
-- holder's lock (started by other sessions); the next refusal cannot start
-- one, warns and raises.
SELECT current_setting('max_worker_processes')::integer
       - (SELECT count(*) FROM pg_stat_activity
           WHERE backend_type NOT IN ('client backend', 'autovacuum launcher', 'autovacuum worker', 'background writer',
                                      'checkpointer', 'walwriter', 'archiver', 'startup', 'walreceiver', 'walsender'))::integer
       AS free_slots \gset
SELECT :free_slots > 0 AS some_slots_free;
SELECT count(*) FILTER (WHERE dblink_connect('filler' || i, :'conninfo') = 'OK'
                          AND dblink_send_query('filler' || i,
                                format($q$SELECT multitenant.audit_lifecycle('refused-t', 'tenant.member.removed',
                                        'multitenant.memberships', '{"principal_id": "filler%s"}', NULL, NULL,
                                        'filler', refused => true)$q$, i)) = 1) = :free_slots AS fillers_sent
  FROM generate_series(1, :free_slots) AS i;
-- Until every filler's writer waits for the lock (and so holds its slot).
SELECT set_config('audit_refused.free_slots', :'free_slots', false) IS NOT NULL AS noted;
DO $$
DECLARE
	deadline timestamptz := clock_timestamp() + interval '30 seconds';
BEGIN
	LOOP
		PERFORM pg_stat_clear_snapshot();
		EXIT WHEN (SELECT count(*) FROM pg_stat_activity
		            WHERE backend_type = 'multitenant audit writer' AND wait_event_type = 'Lock')
		          = current_setting('audit_refused.free_slots')::integer;
		IF clock_timestamp() > deadline THEN
			RAISE EXCEPTION 'the fillers'' writers did not all start';
		END IF;
		PERFORM pg_sleep(0.05);
	END LOOP;
END $$;
SELECT public.remove_member('p5', true);
SELECT dblink_exec('holder', 'COMMIT');
-- The fillers' writers go on once the lock is released.
SELECT count(*) FILTER (WHERE r.result = '') = :free_slots AS fillers_recorded
  FROM generate_series(1, :free_slots) AS i,
       LATERAL dblink_get_result('filler' || i) AS r(result text);
SELECT count(*) FILTER (WHERE dblink_disconnect('filler' || i) = 'OK') = :free_slots AS fillers_disconnected
  FROM generate_series(1, :free_slots) AS i;
SELECT count(*) = :free_slots AS filler_entries FROM public.refusals WHERE reason = 'filler' AND committed_apart;

-- A caller that holds a lock on the log the writer would wait for gets its
-- entry in its own transaction, with a WARNING.
BEGIN;
LOCK multitenant.audit_log IN SHARE MODE;
SAVEPOINT before_refusal;
SELECT public.remove_member('p6', true);
ROLLBACK TO SAVEPOINT before_refusal;
RELEASE SAVEPOINT before_refusal;
SELECT multitenant.audit_lifecycle('refused-t', 'tenant.member.removed', 'multitenant.memberships',
                                   '{"principal_id": "p7"}', NULL, NULL, 'locked', refused => true);
SELECT principal, committed_apart FROM public.refusals WHERE principal IN ('p6', 'p7');
ROLLBACK;

SELECT principal, db_role, committed_apart FROM public.refusals WHERE reason IS DISTINCT FROM 'filler' ORDER BY principal;

SELECT dblink_disconnect('holder');
DROP VIEW public.refusals;
DROP FUNCTION public.remove_member(text, boolean);
DROP EXTENSION multitenant;
DROP SCHEMA multitenant;
DROP ROLE mt_refused_app;
DROP EXTENSION dblink;
