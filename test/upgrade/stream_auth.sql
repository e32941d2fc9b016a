-- The 1.2 part of the upgrade stream: lockout policies, second factors
-- and passwordless tokens, personal access tokens, failed and succeeded
-- checks, for the tenants upg-a, upg-b, upg-c, on top of stream_base.sql
-- and stream_identity.sql (users T-user-1 .. T-user-20 of stream_identity:
-- odd humans in T-org-1, even ones in T-org-2, T-user-13 a v1 human in
-- T-org-1, T-user-18 .. T-user-20 machines).
--
-- 1.0 and 1.1 store these event types without reducing them (apart from
-- the user, org and phone events that the identity projections know too);
-- the upgrade to 1.2 replays them into the new tables.  Every reducer of
-- the four tables runs at least once except instance.removed (which would
-- end the tenant; the pgTAP suites cover it).  A user and an org that have
-- a row in every table are removed at the end, so the cascades run.
--
-- Every id carries its tenant; token hashes are hashed from the tenant and
-- the token id, so no two tenants share one (their index is global).
-- Timestamps come from one clock (2024-08-01 plus one second per event).

CREATE TEMPORARY SEQUENCE auth_clock;

CREATE FUNCTION pg_temp.auth_at() RETURNS timestamptz LANGUAGE sql AS $$
	SELECT '2024-08-01 00:00:00+00'::timestamptz + pg_catalog.make_interval(secs => pg_catalog.nextval('pg_temp.auth_clock'))
$$;

CREATE FUNCTION pg_temp.auth_ev(tenant text, agg_type text, agg_id text, ev_type text, payload jsonb DEFAULT NULL,
                                owner text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
	SELECT FROM multitenant.push(agg_type, agg_id, ev_type, payload, resource_owner => owner,
	                             instance_id => tenant, created_at => pg_temp.auth_at())
$$;

-- The tokenHash that create_pat writes: SHA-256 of the token, 64 hex digits.
CREATE FUNCTION pg_temp.auth_hash(s text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(s, 'UTF8')), 'hex') $$;

DO $auth$
DECLARE
	t text;
	k integer := 0;
	u text;
	batch jsonb;
BEGIN
	FOREACH t IN ARRAY ARRAY['upg-a', 'upg-b', 'upg-c'] LOOP
		k := k + 1;
		------------------------------------------------------------------
		-- Lockout policies: the instance default, T-org-1's own (changed,
		-- once without any key), T-org-2's (removed again).
		------------------------------------------------------------------
		PERFORM pg_temp.auth_ev(t, 'instance', t, 'instance.policy.lockout.added',
			jsonb_build_object('maxPasswordAttempts', 5 + k, 'maxOTPAttempts', 3, 'showLockOutFailures', true));
		PERFORM pg_temp.auth_ev(t, 'instance', t, 'instance.policy.lockout.changed', jsonb_build_object('maxOTPAttempts', 4 + k));
		PERFORM pg_temp.auth_ev(t, 'org', t || '-org-1', 'org.policy.lockout.added',
			jsonb_build_object('maxPasswordAttempts', 3, 'showLockOutFailures', k % 2 = 0));
		PERFORM pg_temp.auth_ev(t, 'org', t || '-org-1', 'org.policy.lockout.changed', jsonb_build_object('maxPasswordAttempts', 2 + k));
		PERFORM pg_temp.auth_ev(t, 'org', t || '-org-1', 'org.policy.lockout.changed', '{}');
		PERFORM pg_temp.auth_ev(t, 'org', t || '-org-2', 'org.policy.lockout.added',
			'{"maxPasswordAttempts": 10, "maxOTPAttempts": 10, "showLockOutFailures": false}');
		PERFORM pg_temp.auth_ev(t, 'org', t || '-org-2', 'org.policy.lockout.removed', NULL);

		------------------------------------------------------------------
		-- Second factors and passwordless tokens
		------------------------------------------------------------------
		-- TOTP: added and verified (T-user-1), added and removed (T-user-7).
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-1', 'user.human.mfa.otp.added',
			'{"otpSecret": {"CryptoType": 0, "Algorithm": "aes", "KeyID": "otp", "Crypted": "c2VjcmV0"}}');
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-1', 'user.human.mfa.otp.verified', '{"userAgentID": "ua-1"}');
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-7', 'user.human.mfa.otp.added', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-7', 'user.human.mfa.otp.removed', NULL);
		-- U2F: one verified token, one added twice and left not ready (T-user-3);
		-- two tokens removed by one event without a token id (T-user-6).
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-3', 'user.human.mfa.u2f.token.added',
			jsonb_build_object('webAuthNTokenId', t || '-u2f-3a', 'challenge', 'ch-3a', 'rpID', t || '.example.com'));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-3', 'user.human.mfa.u2f.token.verified',
			jsonb_build_object('webAuthNTokenId', t || '-u2f-3a', 'webAuthNTokenName', 'YubiKey ' || k, 'keyId', 'a2V5', 'publicKey', 'cHVi',
			                   'attestationType', 'none', 'aaguid', 'YWFndWlk', 'signCount', 0));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-3', 'user.human.mfa.u2f.token.added',
			jsonb_build_object('webAuthNTokenId', t || '-u2f-3b', 'challenge', 'ch-3b', 'rpID', t || '.example.com'));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-3', 'user.human.mfa.u2f.token.added',
			jsonb_build_object('webAuthNTokenId', t || '-u2f-3b', 'challenge', 'ch-3b-again', 'rpID', 'login.' || t || '.example.com'));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-6', 'user.human.mfa.u2f.token.added',
			jsonb_build_object('webAuthNTokenId', t || '-u2f-6a', 'challenge', 'ch-6a', 'rpID', t || '.example.com'));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-6', 'user.human.mfa.u2f.token.verified',
			jsonb_build_object('webAuthNTokenId', t || '-u2f-6a', 'webAuthNTokenName', 'Key 6a'));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-6', 'user.human.mfa.u2f.token.added',
			jsonb_build_object('webAuthNTokenId', t || '-u2f-6b', 'challenge', 'ch-6b'));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-6', 'user.human.mfa.u2f.token.removed', '{}');
		-- Passwordless: one verified, one removed by id (T-user-5), one
		-- removed without a token id (T-user-9).
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-5', 'user.human.passwordless.token.added',
			jsonb_build_object('webAuthNTokenId', t || '-pwl-5a', 'challenge', 'ch-5a', 'rpID', t || '.example.com'));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-5', 'user.human.passwordless.token.verified',
			jsonb_build_object('webAuthNTokenId', t || '-pwl-5a', 'webAuthNTokenName', 'Laptop of ' || t));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-5', 'user.human.passwordless.token.added',
			jsonb_build_object('webAuthNTokenId', t || '-pwl-5b', 'challenge', 'ch-5b', 'rpID', t || '.example.com'));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-5', 'user.human.passwordless.token.removed',
			jsonb_build_object('webAuthNTokenId', t || '-pwl-5b'));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-9', 'user.human.passwordless.token.added',
			jsonb_build_object('webAuthNTokenId', t || '-pwl-9', 'challenge', 'ch-9', 'rpID', t || '.example.com'));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-9', 'user.human.passwordless.token.removed', NULL);
		-- OTP by SMS and e-mail (stream_identity gave T-user-2 SMS and
		-- T-user-3 e-mail): SMS removed by its own event (T-user-2), by the
		-- phone's removal (T-user-8) and by the v1 spelling (T-user-13);
		-- e-mail added (T-user-9, T-user-10) and removed (T-user-10).
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-2', 'user.human.mfa.otp.sms.removed', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-8', 'user.human.mfa.otp.sms.added', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-8', 'user.human.phone.removed', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-13', 'user.human.mfa.otp.sms.added', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-13', 'user.phone.removed', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-10', 'user.human.mfa.otp.sms.added', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-9', 'user.human.mfa.otp.email.added', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-10', 'user.human.mfa.otp.email.added', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-10', 'user.human.mfa.otp.email.removed', NULL);

		------------------------------------------------------------------
		-- Personal access tokens of the machines: with our tokenHash, and
		-- Zitadel-shaped ones without it (one without expiration or scopes).
		------------------------------------------------------------------
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-18', 'user.pat.added',
			jsonb_build_object('tokenId', t || '-pat-18a', 'expiration', '2025-12-31T23:59:59Z',
			                   'scopes', jsonb_build_array('openid', 'urn:zitadel:iam:org:project:id:zitadel:aud'),
			                   'tokenHash', pg_temp.auth_hash(t || '-pat-18a')));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-18', 'user.pat.added', jsonb_build_object('tokenId', t || '-pat-18b'));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-19', 'user.pat.added',
			jsonb_build_object('tokenId', t || '-pat-19a', 'expiration', '2024-12-01T00:00:00Z', 'scopes', jsonb_build_array('openid'),
			                   'tokenHash', upper(pg_temp.auth_hash(t || '-pat-19a'))));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-19', 'user.pat.removed', jsonb_build_object('tokenId', t || '-pat-19a'));
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-20', 'user.pat.added',
			jsonb_build_object('tokenId', t || '-pat-20a', 'expiration', '2030-01-01T00:00:00+01:00', 'scopes', '[]'::jsonb,
			                   'tokenHash', pg_temp.auth_hash(t || '-pat-20a')));

		------------------------------------------------------------------
		-- Failed and succeeded checks
		------------------------------------------------------------------
		FOR i IN 1..2 LOOP
			PERFORM pg_temp.auth_ev(t, 'user', t || '-user-1', 'user.human.password.check.failed', '{"userAgentID": "ua-1"}');
		END LOOP;
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-1', 'user.human.password.check.succeeded', '{"userAgentID": "ua-1"}');
		FOR i IN 1..k LOOP
			PERFORM pg_temp.auth_ev(t, 'user', t || '-user-2', 'user.human.password.check.failed', NULL);
		END LOOP;
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-3', 'user.human.mfa.otp.check.failed', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-3', 'user.human.mfa.otp.sms.check.failed', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-3', 'user.human.mfa.otp.sms.check.failed', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-3', 'user.human.mfa.otp.email.check.failed', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-3', 'user.human.mfa.otp.email.check.succeeded', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-3', 'user.human.mfa.otp.check.succeeded', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-3', 'user.human.mfa.otp.sms.check.failed', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-1', 'user.human.mfa.otp.sms.check.succeeded', NULL);
		-- v1 spellings (T-user-13)
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-13', 'user.password.check.failed', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-13', 'user.mfa.otp.check.failed', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-13', 'user.mfa.otp.check.failed', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-13', 'user.mfa.otp.check.succeeded', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-13', 'user.password.check.failed', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-15', 'user.password.check.failed', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-15', 'user.password.check.succeeded', NULL);
		-- Locked after failures, then unlocked: every counter back to zero.
		FOR i IN 1..3 LOOP
			PERFORM pg_temp.auth_ev(t, 'user', t || '-user-4', 'user.human.password.check.failed', NULL);
		END LOOP;
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-4', 'user.human.mfa.otp.email.check.failed', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-4', 'user.locked', NULL);
		PERFORM pg_temp.auth_ev(t, 'user', t || '-user-4', 'user.unlocked', NULL);
		-- One push_many batch: three failures of T-user-6 and one of T-user-7
		-- add up per user.
		SELECT jsonb_agg(jsonb_build_object('aggregate_type', 'user', 'aggregate_id', x.u, 'event_type', x.ev,
		                                    'instance_id', t, 'created_at', pg_temp.auth_at()) ORDER BY x.n)
		  INTO batch
		  FROM (VALUES (1, t || '-user-6', 'user.human.password.check.failed'), (2, t || '-user-7', 'user.human.password.check.failed'),
		               (3, t || '-user-6', 'user.human.password.check.failed'), (4, t || '-user-6', 'user.human.password.check.failed'),
		               (5, t || '-user-7', 'user.human.mfa.otp.check.failed')) AS x(n, u, ev);
		PERFORM multitenant.push_many(batch);

		------------------------------------------------------------------
		-- A user and an org with a row in every new table, then removed.
		------------------------------------------------------------------
		PERFORM pg_temp.auth_ev(t, 'org', t || '-org-auth', 'org.added', jsonb_build_object('name', 'Auth org of ' || t));
		PERFORM pg_temp.auth_ev(t, 'org', t || '-org-auth', 'org.policy.lockout.added', '{"maxPasswordAttempts": 1, "maxOTPAttempts": 1, "showLockOutFailures": true}');
		FOR i IN 1..2 LOOP
			u := t || '-auth-user-' || i;
			PERFORM pg_temp.auth_ev(t, 'user', u, 'user.human.added',
				jsonb_build_object('userName', 'auth' || i, 'firstName', 'Auth', 'lastName', 'User ' || i,
				                   'email', 'auth' || i || '@' || t || '.example.com', 'phone', '+4179555000' || i),
				owner => CASE i WHEN 1 THEN t || '-org-auth' ELSE t || '-org-1' END);
			PERFORM pg_temp.auth_ev(t, 'user', u, 'user.human.mfa.otp.sms.added', NULL);
			PERFORM pg_temp.auth_ev(t, 'user', u, 'user.human.passwordless.token.added',
				jsonb_build_object('webAuthNTokenId', u || '-pwl', 'challenge', 'ch', 'rpID', t || '.example.com'));
			PERFORM pg_temp.auth_ev(t, 'user', u, 'user.pat.added',
				jsonb_build_object('tokenId', u || '-pat', 'tokenHash', pg_temp.auth_hash(u || '-pat')));
			PERFORM pg_temp.auth_ev(t, 'user', u, 'user.human.password.check.failed', NULL);
		END LOOP;
		PERFORM pg_temp.auth_ev(t, 'user', t || '-auth-user-2', 'user.removed', NULL);
		PERFORM pg_temp.auth_ev(t, 'org', t || '-org-auth', 'org.removed', NULL);
	END LOOP;
END
$auth$;
