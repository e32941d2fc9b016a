-- Two sessions record failed password checks of one user at the same time,
-- each check in its own transaction: the lockout policy's limit (50) is
-- reached exactly once, by exactly 50 recorded failures, and one user.locked
-- event; the checks after that are not recorded.
CREATE EXTENSION dblink;
CREATE EXTENSION multitenant;
SELECT count(*) FROM multitenant.push_many($$[
  {"instance_id": "lockout", "aggregate_type": "instance", "aggregate_id": "lockout", "event_type": "instance.policy.lockout.added",
   "payload": {"maxPasswordAttempts": 50, "maxOTPAttempts": 0, "showLockOutFailures": true}},
  {"instance_id": "lockout", "aggregate_type": "user", "aggregate_id": "u1", "event_type": "user.human.added", "resource_owner": "o1",
   "payload": {"userName": "target", "firstName": "T", "lastName": "T", "email": "t@x"}}
]$$);
CREATE PROCEDURE public.fail_checks(n integer)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM multitenant.set_tenant('lockout');
	FOR i IN 1..n LOOP
		PERFORM multitenant.record_auth_check('u1', 'password', false);
		COMMIT;
	END LOOP;
END
$$;
SELECT format('dbname=%s host=%s port=%s user=%s', current_database(),
              current_setting('unix_socket_directories'), current_setting('port'), current_user) AS conninfo \gset
SELECT dblink_connect('checker1', :'conninfo');
SELECT dblink_connect('checker2', :'conninfo');
SELECT dblink_send_query('checker1', 'CALL public.fail_checks(40)');
SELECT dblink_send_query('checker2', 'CALL public.fail_checks(40)');
SELECT status FROM dblink_get_result('checker1') AS r(status text);
SELECT status FROM dblink_get_result('checker2') AS r(status text);
SELECT count(*) FROM dblink_get_result('checker1') AS r(status text);
SELECT count(*) FROM dblink_get_result('checker2') AS r(status text);
SELECT event_type, count(*) FROM multitenant.events
 WHERE instance_id = 'lockout' AND aggregate_type = 'user' AND aggregate_id = 'u1' GROUP BY 1 ORDER BY 1;
SELECT state FROM multitenant.users_projection WHERE instance_id = 'lockout' AND id = 'u1';
SELECT password_failures FROM multitenant.login_failures_projection WHERE instance_id = 'lockout' AND user_id = 'u1';
SELECT dblink_disconnect('checker1');
SELECT dblink_disconnect('checker2');
DROP PROCEDURE public.fail_checks(integer);
DROP EXTENSION multitenant;
DROP EXTENSION dblink;
