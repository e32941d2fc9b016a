-- The lockout flow: record_auth_check counts failed password and
-- OTP checks against the effective lockout policy (the org's, else the
-- instance default) and locks the user through a user.locked event at the
-- limit; a success resets the count.  Two tenants with the same ids and
-- different policies; every call runs as an application role.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(46);

CREATE ROLE mt_lock_app NOLOGIN;
GRANT multitenant_app TO mt_lock_app;

\ir ../fixtures/pgtap_tenant_calls.sql

-- n checks of one kind; the result of the last one.
CREATE FUNCTION pg_temp.checks(user_id text, factor text, succeeded boolean, n integer) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	locked boolean;
BEGIN
	FOR i IN 1..n LOOP
		locked := multitenant.record_auth_check(user_id, factor, succeeded);
	END LOOP;
	RETURN locked;
END $$;

CREATE FUNCTION pg_temp.state(tenant text, u text) RETURNS smallint LANGUAGE sql AS $$
	SELECT state FROM multitenant.users_projection WHERE instance_id = tenant AND id = u $$;

CREATE FUNCTION pg_temp.user_events(tenant text, u text, ev_type text) RETURNS integer LANGUAGE sql AS $$
	SELECT count(*)::int FROM multitenant.events
	 WHERE instance_id = tenant AND aggregate_type = 'user' AND aggregate_id = u AND event_type = ev_type $$;

DO $$
DECLARE
	t text;
	u text;
BEGIN
	FOREACH t IN ARRAY ARRAY['lo-a', 'lo-b'] LOOP
		PERFORM pg_temp.ev('instance', t, 'instance.added', '{"name": "Lockout"}', t);
		FOREACH u IN ARRAY ARRAY['o1', 'o2', 'o3'] LOOP
			PERFORM pg_temp.ev('org', u, 'org.added', pg_catalog.jsonb_build_object('name', u), t);
		END LOOP;
		-- u1 in o1, u2 u4 u5 u6 u7 in o2, u3 in o3.
		FOREACH u IN ARRAY ARRAY['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'] LOOP
			PERFORM pg_temp.ev('user', u, 'user.human.added',
				pg_catalog.jsonb_build_object('userName', u, 'firstName', 'F', 'lastName', 'L', 'email', u || '@x'), t,
				CASE u WHEN 'u1' THEN 'o1' WHEN 'u3' THEN 'o3' ELSE 'o2' END);
		END LOOP;
	END LOOP;
	-- Tenant A: the default allows 3 passwords and 2 OTPs; o1 allows 2
	-- passwords; o3 has no limit (0).  Tenant B has no policy at all.
	PERFORM pg_temp.ev('instance', 'lo-a', 'instance.policy.lockout.added',
		'{"maxPasswordAttempts": 3, "maxOTPAttempts": 2, "showLockOutFailures": true}', 'lo-a');
	PERFORM pg_temp.ev('org', 'o1', 'org.policy.lockout.added',
		'{"maxPasswordAttempts": 2, "maxOTPAttempts": 5, "showLockOutFailures": false}', 'lo-a');
	PERFORM pg_temp.ev('org', 'o3', 'org.policy.lockout.added',
		'{"maxPasswordAttempts": 0, "maxOTPAttempts": 0, "showLockOutFailures": false}', 'lo-a');
END $$;

------------------------------------------------------------------------------
-- Password checks
------------------------------------------------------------------------------
SELECT pg_temp.as_app('mt_lock_app', 'lo-a');
SELECT is(multitenant.record_auth_check('u1', 'password', false), false, 'a first failure under the org''s limit of 2 does not lock');
SELECT is(multitenant.record_auth_check('u1', 'password', false), true, 'the second failure reaches the org''s limit and locks');
RESET ROLE;
SELECT is(pg_temp.state('lo-a', 'u1'), 4::smallint, 'the user is locked (state 4) ...');
SELECT is(pg_temp.user_events('lo-a', 'u1', 'user.locked'), 1, '... through one user.locked event');
SELECT is(pg_temp.user_events('lo-a', 'u1', 'user.human.password.check.failed'), 2, 'each failure is a user.human.password.check.failed event');
SELECT pg_temp.as_app('mt_lock_app', 'lo-a');
SELECT is(multitenant.record_auth_check('u1', 'password', true), true, 'a locked user stays locked, even on a correct password');
RESET ROLE;
SELECT is(pg_temp.user_events('lo-a', 'u1', 'user.human.password.check.succeeded'), 0, 'and a locked user''s checks are not recorded');

SELECT pg_temp.as_app('mt_lock_app', 'lo-a');
SELECT is(pg_temp.checks('u2', 'password', false, 2), false, 'u2 (org without a policy): 2 failures are under the default of 3');
SELECT is(multitenant.record_auth_check('u2', 'password', true), false, 'a success ...');
RESET ROLE;
SELECT is((SELECT password_failures FROM multitenant.login_failures_projection WHERE instance_id = 'lo-a' AND user_id = 'u2'), 0,
	'... resets the count');
SELECT pg_temp.as_app('mt_lock_app', 'lo-a');
SELECT is(pg_temp.checks('u2', 'password', false, 2), false, 'so 2 more failures still do not lock');
SELECT is(multitenant.record_auth_check('u2', 'password', false), true, 'the third in a row reaches the instance default and locks');

SELECT is(pg_temp.checks('u3', 'password', false, 10), false, 'a policy with maximum 0 never locks');
RESET ROLE;
SELECT is(pg_temp.state('lo-a', 'u3'), 1::smallint, 'u3 is still active after 10 failures');

------------------------------------------------------------------------------
-- OTP checks: max_otp_attempts, each OTP kind counted on its own
------------------------------------------------------------------------------
SELECT pg_temp.as_app('mt_lock_app', 'lo-a');
SELECT is(multitenant.record_auth_check('u4', 'totp', false), false, 'one TOTP failure is under the default OTP limit of 2');
SELECT is(multitenant.record_auth_check('u4', 'password', false), false, 'a password failure counts apart from OTP failures');
SELECT is(multitenant.record_auth_check('u4', 'totp', false), true, 'the second TOTP failure locks');
RESET ROLE;
SELECT is(pg_temp.user_events('lo-a', 'u4', 'user.human.mfa.otp.check.failed'), 2, 'TOTP failures are user.human.mfa.otp.check.failed events');

SELECT pg_temp.as_app('mt_lock_app', 'lo-a');
SELECT is(multitenant.record_auth_check('u5', 'totp', false), false, 'u5: one TOTP failure');
SELECT is(multitenant.record_auth_check('u5', 'otp_sms', false), false, 'one OTP-SMS failure, counted apart');
SELECT is(multitenant.record_auth_check('u5', 'otp_email', false), false, 'one OTP-email failure, counted apart');
SELECT is(multitenant.record_auth_check('u5', 'otp_sms', true), false, 'an OTP-SMS success');
SELECT is(multitenant.record_auth_check('u5', 'otp_sms', false), false, 'restarts the OTP-SMS count');
SELECT is(multitenant.record_auth_check('u5', 'otp_email', false), true, 'the second OTP-email failure locks');
RESET ROLE;
SELECT results_eq(
	$$SELECT password_failures, totp_failures, otp_sms_failures, otp_email_failures FROM multitenant.login_failures_projection
	   WHERE instance_id = 'lo-a' AND user_id = 'u5'$$,
	$$VALUES (0, 1, 1, 2)$$, 'the four counters of u5');
SELECT is(pg_temp.user_events('lo-a', 'u5', 'user.human.mfa.otp.sms.check.failed'), 2, 'OTP-SMS failures are user.human.mfa.otp.sms.check.failed events');
SELECT is(pg_temp.user_events('lo-a', 'u5', 'user.human.mfa.otp.email.check.failed'), 2, 'OTP-email failures are user.human.mfa.otp.email.check.failed events');

------------------------------------------------------------------------------
-- Unlocking, policy changes, and the other tenant
------------------------------------------------------------------------------
SELECT pg_temp.ev('user', 'u1', 'user.unlocked', NULL, 'lo-a');
SELECT results_eq($$SELECT password_failures, totp_failures FROM multitenant.login_failures_projection WHERE instance_id = 'lo-a' AND user_id = 'u1'$$,
	$$VALUES (0, 0)$$, 'user.unlocked resets the counts');
SELECT pg_temp.as_app('mt_lock_app', 'lo-a');
SELECT is(multitenant.record_auth_check('u1', 'password', false), false, 'so an unlocked user starts over');
RESET ROLE;
SELECT pg_temp.ev('org', 'o1', 'org.policy.lockout.removed', NULL, 'lo-a');
SELECT pg_temp.as_app('mt_lock_app', 'lo-a');
SELECT is(multitenant.record_auth_check('u1', 'password', false), false, 'with the org''s policy removed, the instance default (3) applies');
SELECT is(multitenant.record_auth_check('u1', 'password', false), true, 'and locks at its third failure');
RESET ROLE;
SELECT pg_temp.ev('instance', 'lo-a', 'instance.policy.lockout.changed', '{"maxPasswordAttempts": 1}', 'lo-a');
SELECT pg_temp.as_app('mt_lock_app', 'lo-a');
SELECT is(multitenant.record_auth_check('u6', 'password', false), true, 'a changed default applies to the next check');

SELECT pg_temp.as_app('mt_lock_app', 'lo-b');
SELECT is(pg_temp.checks('u1', 'password', false, 5), false, 'tenant B has no policy: its u1 is never locked');
RESET ROLE;
SELECT is(pg_temp.state('lo-b', 'u2'), 1::smallint, 'tenant A''s lockouts leave tenant B''s users of the same ids alone');
SELECT is((SELECT password_failures FROM multitenant.login_failures_projection WHERE instance_id = 'lo-b' AND user_id = 'u1'), 5,
	'tenant B counts its own failures');
SELECT pg_temp.as_app('mt_lock_app', 'lo-b');
SELECT is((SELECT count(*)::int FROM multitenant.login_failures_projection), 1, 'tenant B''s application sees only its own counters');

------------------------------------------------------------------------------
-- One round trip, and bad input
------------------------------------------------------------------------------
RESET ROLE;
CREATE TEMP TABLE tokens AS SELECT multitenant.sign_tenant('lo-a') AS a;
GRANT SELECT ON tokens TO mt_lock_app;
SELECT pg_temp.as_app('mt_lock_app', NULL);
SELECT is(multitenant.record_auth_check('u7', 'password', false, (SELECT a FROM tokens)), true,
	'record_auth_check takes a tenant token (the default now allows 1)');
RESET ROLE;
SELECT is(pg_temp.state('lo-a', 'u7'), 4::smallint, 'and locked the user of the token''s tenant');

SELECT pg_temp.as_app('mt_lock_app', NULL);
SELECT throws_ok($$SELECT multitenant.record_auth_check('u1', 'password', false)$$, '55000', NULL, 'no tenant, no check');
SELECT pg_temp.as_app('mt_lock_app', 'lo-a');
SELECT throws_ok($$SELECT multitenant.record_auth_check('nobody', 'password', false)$$, '42704',
	'user "nobody" does not exist in the current tenant', 'an unknown user is refused');
SELECT throws_ok($$SELECT multitenant.record_auth_check('u1', 'retina', false)$$, '22023', NULL, 'an unknown factor is refused');
SELECT throws_ok($$SELECT multitenant.record_auth_check('u1', NULL, false)$$, '22004', NULL, 'a NULL factor is refused');
SELECT throws_ok($$SELECT multitenant.record_auth_check('u1', 'password', NULL)$$, '22004', NULL, 'a NULL outcome is refused');
SELECT throws_ok($$SELECT multitenant.record_auth_check(NULL, 'password', false)$$, '22004', NULL, 'a NULL user is refused');
RESET ROLE;
SELECT pg_temp.ev('user', 'u3', 'user.deactivated', NULL, 'lo-a');
SELECT pg_temp.as_app('mt_lock_app', 'lo-a');
SELECT throws_ok($$SELECT multitenant.record_auth_check('u3', 'password', true)$$, '55000', NULL, 'a deactivated user''s checks are refused');
RESET ROLE;
SELECT is(pg_temp.user_events('lo-a', 'u3', 'user.human.password.check.succeeded'), 0, 'and nothing was recorded for it');

SELECT * FROM finish();
ROLLBACK;
