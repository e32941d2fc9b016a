-- Identity part of the upgrade stream: users (humans in every spelling,
-- machines), their lifecycle, metadata, login names (domains and domain
-- policies), sessions, auth requests, milestones, quotas and limits for the
-- tenants upg-a, upg-b, upg-c, on top of stream_base.sql.
--
-- Every id carries its tenant, because the 1.0 tables are keyed without
-- instance_id.  Only quotas and milestones have keys that tenants share
-- (the unit, the milestone type): upg-c's unit-1 quota replaces upg-a's in
-- 1.0 with values equal to upg-c's own 1.1 row, and upg-c's InstanceDeleted
-- milestone is pushed before the other tenants reach theirs, so that no 1.0
-- row differs from what 1.1 re-derives.
--
-- Timestamps come from one clock (2024-02-01 plus one second per event), so
-- every run reduces the same rows.

CREATE TEMPORARY SEQUENCE h1_clock;

CREATE FUNCTION pg_temp.h1_ev(tenant text, agg_type text, agg_id text, ev_type text, payload jsonb DEFAULT NULL,
                              owner text DEFAULT NULL, creator text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
	SELECT FROM multitenant.push(agg_type, agg_id, ev_type, payload, resource_owner => owner, creator => creator,
	                             instance_id => tenant,
	                             created_at => '2024-02-01 00:00:00+00'::timestamptz
	                                           + pg_catalog.make_interval(secs => pg_catalog.nextval('pg_temp.h1_clock')))
$$;

CREATE FUNCTION pg_temp.h1_b64(s text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT pg_catalog.translate(pg_catalog.encode(pg_catalog.convert_to(s, 'UTF8'), 'base64'), E'\n', '') $$;

-- Milestones first: upg-c reaches and pushes InstanceDeleted (which ends all
-- of its milestones) before anyone else reaches a milestone.
DO $milestones$
BEGIN
	PERFORM pg_temp.h1_ev('upg-c', 'milestone', 'upg-c', 'milestone.v2.reached', '{"type": "InstanceDeleted"}');
	PERFORM pg_temp.h1_ev('upg-c', 'milestone', 'upg-c', 'milestone.v2.pushed',
	                      '{"type": "InstanceDeleted", "externalDomain": "upg-c.example.com", "primaryDomain": "upg-c.example.com", "endpoints": ["https://collect.example.com"]}');
	PERFORM pg_temp.h1_ev('upg-c', 'milestone', 'upg-c', 'milestone.v2.reached',
	                      '{"type": "AuthenticationSucceededOnApplication", "reachedDate": "2024-01-15T08:30:00Z"}');
	PERFORM pg_temp.h1_ev('upg-c', 'milestone', 'upg-c', 'milestone.v2.pushed',
	                      '{"type": "AuthenticationSucceededOnApplication", "externalDomain": "upg-c.example.com", "primaryDomain": "upg-c.example.com", "endpoints": []}');
	PERFORM pg_temp.h1_ev('upg-a', 'milestone', 'upg-a', 'milestone.v2.reached', '{"type": "InstanceCreated"}');
	PERFORM pg_temp.h1_ev('upg-a', 'milestone', 'upg-a', 'milestone.v2.reached', '{"type": "AuthenticationSucceededOnInstance"}');
	PERFORM pg_temp.h1_ev('upg-a', 'milestone', 'upg-a', 'milestone.v2.pushed',
	                      '{"type": "InstanceCreated", "externalDomain": "upg-a.example.com", "primaryDomain": "upg-a.example.com", "endpoints": ["https://collect.example.com"], "pushedDate": "2024-01-20T12:00:00Z"}');
	PERFORM pg_temp.h1_ev('upg-b', 'milestone', 'upg-b', 'milestone.v2.reached', '{"type": "ProjectCreated", "reachedDate": "2024-01-10T09:00:00Z"}');
	PERFORM pg_temp.h1_ev('upg-b', 'milestone', 'upg-b', 'milestone.v2.reached', '{"type": "ApplicationCreated"}');
	PERFORM pg_temp.h1_ev('upg-b', 'milestone', 'upg-b', 'milestone.v2.pushed',
	                      '{"type": "ProjectCreated", "externalDomain": "upg-b.example.com", "primaryDomain": "upg-b.example.com", "endpoints": ["https://collect.example.com"]}');
END
$milestones$;

DO $identity$
DECLARE
	t text;
	i integer;
	u text;
	org text;
	langs CONSTANT text[] := ARRAY['de', 'en', 'und', '', 'fr-CH', 'it'];
BEGIN
	FOREACH t IN ARRAY ARRAY['upg-a', 'upg-b', 'upg-c'] LOOP
		------------------------------------------------------------------
		-- Orgs, domains and domain policies
		------------------------------------------------------------------
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-h1', 'org.added', jsonb_build_object('name', 'Identity org of ' || t));

		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-1', 'org.domain.added', jsonb_build_object('domain', t || '.example.com'));
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-1', 'org.domain.verification.added',
		                      jsonb_build_object('domain', t || '.example.com', 'validationType', 2, 'validationCode', '{"CryptoType": 0}'::jsonb));
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-1', 'org.domain.verified', jsonb_build_object('domain', t || '.example.com'));
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-1', 'org.domain.primary.set', jsonb_build_object('domain', t || '.example.com'));
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-1', 'org.domain.added', jsonb_build_object('domain', 'login.' || t || '.example.com'));
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-1', 'org.domain.verified', jsonb_build_object('domain', 'login.' || t || '.example.com'));
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-1', 'org.domain.added', jsonb_build_object('domain', 'old.' || t || '.example.com'));
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-1', 'org.domain.verified', jsonb_build_object('domain', 'old.' || t || '.example.com'));
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-1', 'org.domain.primary.set', jsonb_build_object('domain', 'old.' || t || '.example.com'));
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-1', 'org.domain.primary.set', jsonb_build_object('domain', t || '.example.com'));
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-1', 'org.domain.removed', jsonb_build_object('domain', 'old.' || t || '.example.com'));
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-h1', 'org.domain.added', jsonb_build_object('domain', 'h1.' || t || '.example.com'));
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-h1', 'org.domain.verified', jsonb_build_object('domain', 'h1.' || t || '.example.com'));

		PERFORM pg_temp.h1_ev(t, 'instance', t, 'instance.policy.domain.added',
		                      '{"userLoginMustBeDomain": true, "validateOrgDomains": true, "smtpSenderAddressMatchesInstanceDomain": false}');
		PERFORM pg_temp.h1_ev(t, 'instance', t, 'instance.policy.domain.changed', '{"validateOrgDomains": false}');
		PERFORM pg_temp.h1_ev(t, 'instance', t, 'instance.policy.domain.changed', '{"userLoginMustBeDomain": false}');
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-1', 'org.policy.domain.added',
		                      '{"userLoginMustBeDomain": false, "validateOrgDomains": true, "smtpSenderAddressMatchesInstanceDomain": false}');
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-1', 'org.policy.domain.changed', '{"userLoginMustBeDomain": true}');
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-2', 'org.policy.domain.added', '{"userLoginMustBeDomain": true}');
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-2', 'org.policy.domain.removed', NULL);
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-h1', 'org.policy.domain.added', '{"userLoginMustBeDomain": true}');

		------------------------------------------------------------------
		-- Users: 12 humans (v2), 2 v1 humans, 3 self-registered, 3
		-- machines, and one human in the org removed at the end.
		------------------------------------------------------------------
		FOR i IN 1..12 LOOP
			org := t || '-org-' || (2 - i % 2);
			PERFORM pg_temp.h1_ev(t, 'user', t || '-user-' || i, 'user.human.added',
				jsonb_build_object('userName', 'user' || i, 'firstName', 'First' || i, 'lastName', 'Last' || i,
				                   'nickName', CASE WHEN i % 3 = 0 THEN '' ELSE 'nick' || i END,
				                   'displayName', 'User ' || i || ' of ' || t,
				                   'preferredLanguage', langs[1 + i % 6], 'gender', i % 4,
				                   'email', 'User' || i || '@' || t || '.example.com',
				                   'phone', CASE WHEN i % 4 = 0 THEN '' ELSE '+4179000' || lpad(i::text, 4, '0') END,
				                   'changeRequired', i % 5 = 0,
				                   'country', 'CH', 'locality', 'Zurich', 'postalCode', '8000', 'region', 'ZH', 'streetAddress', 'Main street ' || i)
				|| CASE WHEN i % 2 = 1 THEN jsonb_build_object('encodedHash', '$2a$14$hash' || i) ELSE '{}'::jsonb END,
				owner => org);
		END LOOP;
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-13', 'user.added',
			jsonb_build_object('userName', 'user13', 'firstName', 'Legacy', 'lastName', 'Thirteen', 'email', 'legacy13@' || t || '.example.com',
			                   'phone', '+41790000013', 'gender', 2, 'preferredLanguage', 'de',
			                   'secret', jsonb_build_object('CryptoType', 1, 'Algorithm', 'bcrypt', 'KeyID', '', 'Crypted', pg_temp.h1_b64('$2a$14$legacy13'))),
			owner => t || '-org-1');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-14', 'user.added',
			jsonb_build_object('userName', 'user14', 'firstName', 'Legacy', 'lastName', 'Fourteen', 'email', 'legacy14@' || t || '.example.com'),
			owner => t || '-org-2');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-15', 'user.human.selfregistered',
			jsonb_build_object('userName', 'self15', 'firstName', 'Self', 'lastName', 'Fifteen', 'email', 'self15@' || t || '.example.com',
			                   'encodedHash', '$2a$14$self15', 'userAgentID', 'ua-15', 'preferredLanguage', 'en'),
			owner => t || '-org-1');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-16', 'user.human.selfregistered',
			jsonb_build_object('userName', 'self16', 'firstName', 'Self', 'lastName', 'Sixteen', 'email', 'self16@' || t || '.example.com',
			                   'userAgentID', 'ua-16', 'gender', 3),
			owner => t || '-org-2');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-17', 'user.selfregistered',
			jsonb_build_object('userName', 'self17', 'firstName', 'Old', 'lastName', 'Seventeen', 'email', 'self17@' || t || '.example.com',
			                   'phone', '+41790000017'),
			owner => t || '-org-1');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-18', 'user.machine.added',
			jsonb_build_object('userName', 'svc18', 'name', 'Service 18', 'description', 'CI pipeline', 'accessTokenType', 1),
			owner => t || '-org-1');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-19', 'user.machine.added',
			jsonb_build_object('userName', 'svc19', 'name', 'Service 19', 'description', ''),
			owner => t || '-org-2');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-20', 'user.machine.added',
			jsonb_build_object('userName', 'svc20', 'name', 'Service 20'),
			owner => t || '-org-1');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-21', 'user.human.added',
			jsonb_build_object('userName', 'user21', 'firstName', 'Gone', 'lastName', 'With Org', 'email', 'user21@h1.' || t || '.example.com'),
			owner => t || '-org-h1');

		-- Initialisation
		FOR i IN 1..4 LOOP
			PERFORM pg_temp.h1_ev(t, 'user', t || '-user-' || i, 'user.human.initialization.code.added',
			                      '{"code": {"CryptoType": 0, "Algorithm": "enc", "KeyID": "k1", "Crypted": "YWJj"}, "expiry": 259200000000000}');
		END LOOP;
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-13', 'user.initialization.code.added', '{"expiry": 259200000000000}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-14', 'user.initialization.code.added', '{"expiry": 259200000000000}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-1', 'user.human.initialization.check.succeeded', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-2', 'user.human.initialization.check.succeeded', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-13', 'user.initialization.check.succeeded', NULL);

		-- Sessions, checked before the password changes below
		FOR i IN 1..6 LOOP
			u := t || '-user-' || i;
			PERFORM pg_temp.h1_ev(t, 'session', t || '-session-' || i, 'session.added',
				jsonb_build_object('user_agent', jsonb_build_object(
					'fingerprint_id', 'fp-' || t || '-' || (1 + i % 3), 'ip', '10.0.0.' || i, 'description', 'Browser ' || i,
					'header', jsonb_build_object('User-Agent', jsonb_build_array('Mozilla/5.0 (' || i || ')'),
					                             'Accept-Language', jsonb_build_array('de-CH', 'en')))),
				creator => u);
			PERFORM pg_temp.h1_ev(t, 'session', t || '-session-' || i, 'session.user.checked',
				jsonb_build_object('userID', u, 'userResourceOwner', t || '-org-' || (2 - i % 2),
				                   'checkedAt', '2024-01-31T22:00:0' || i || 'Z', 'preferredLanguage', 'de'),
				creator => u);
			PERFORM pg_temp.h1_ev(t, 'session', t || '-session-' || i, 'session.password.checked',
				jsonb_build_object('checkedAt', '2024-01-31T22:01:0' || i || 'Z'), creator => u);
			PERFORM pg_temp.h1_ev(t, 'session', t || '-session-' || i, 'session.token.set',
				jsonb_build_object('tokenID', t || '-token-' || i), creator => u);
		END LOOP;
		PERFORM pg_temp.h1_ev(t, 'session', t || '-session-1', 'session.intent.checked', '{"checkedAt": "2024-02-01T06:02:00Z"}');
		PERFORM pg_temp.h1_ev(t, 'session', t || '-session-1', 'session.webAuthN.checked', '{"checkedAt": "2024-02-01T06:02:01Z", "userVerified": true}');
		PERFORM pg_temp.h1_ev(t, 'session', t || '-session-2', 'session.totp.checked', '{"checkedAt": "2024-02-01T06:02:02Z"}');
		PERFORM pg_temp.h1_ev(t, 'session', t || '-session-2', 'session.otp.sms.checked', '{"checkedAt": "2024-02-01T06:02:03Z"}');
		PERFORM pg_temp.h1_ev(t, 'session', t || '-session-3', 'session.otp.email.checked', '{"checkedAt": "2024-02-01T06:02:04.5Z"}');
		FOR i IN 1..3 LOOP
			PERFORM pg_temp.h1_ev(t, 'session', t || '-session-' || i, 'session.metadata.set',
				jsonb_build_object('metadata', jsonb_build_object('device', pg_temp.h1_b64('laptop-' || i), 'risk', pg_temp.h1_b64('low'))));
			PERFORM pg_temp.h1_ev(t, 'session', t || '-session-' || i, 'session.lifetime.set',
				jsonb_build_object('lifetime', i::bigint * 3600000000000));
		END LOOP;
		PERFORM pg_temp.h1_ev(t, 'session', t || '-session-6', 'session.terminated', '{"triggerOrigin": "logout"}');

		-- Profile
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-1', 'user.human.profile.changed', '{"firstName": "Alice", "lastName": "Ackermann"}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-2', 'user.human.profile.changed', '{"nickName": "", "displayName": "Bob B.", "gender": 2}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-3', 'user.human.profile.changed', '{"firstName": "", "preferredLanguage": "it"}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-4', 'user.human.profile.changed', '{}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-5', 'user.human.profile.changed', '{"lastName": "Fifth", "gender": null}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-6', 'user.human.profile.changed', '{"firstName": "Frank", "nickName": "frankie", "preferredLanguage": "de"}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-13', 'user.profile.changed', '{"displayName": "Legacy 13"}');

		-- Phone
		FOR i IN 1..5 LOOP
			PERFORM pg_temp.h1_ev(t, 'user', t || '-user-' || i, 'user.human.phone.changed',
			                      jsonb_build_object('phone', '+4178111' || lpad(i::text, 4, '0')));
		END LOOP;
		FOR i IN 1..3 LOOP
			PERFORM pg_temp.h1_ev(t, 'user', t || '-user-' || i, 'user.human.phone.verified', NULL);
		END LOOP;
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-4', 'user.human.phone.removed', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-13', 'user.phone.changed', '{"phone": "+41790000113"}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-13', 'user.phone.verified', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-14', 'user.phone.removed', NULL);

		-- E-mail
		FOR i IN 2..6 LOOP
			PERFORM pg_temp.h1_ev(t, 'user', t || '-user-' || i, 'user.human.email.changed',
			                      jsonb_build_object('email', 'new' || i || '@' || t || '.example.com'));
		END LOOP;
		FOR i IN 1..4 LOOP
			PERFORM pg_temp.h1_ev(t, 'user', t || '-user-' || i, 'user.human.email.verified', NULL);
		END LOOP;
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-14', 'user.email.changed', jsonb_build_object('email', 'legacy14.new@' || t || '.example.com'));
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-13', 'user.email.verified', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-14', 'user.email.verified', NULL);

		-- Avatar
		FOR i IN 1..3 LOOP
			PERFORM pg_temp.h1_ev(t, 'user', t || '-user-' || i, 'user.human.avatar.added',
			                      jsonb_build_object('storeKey', t || '/avatars/user-' || i));
		END LOOP;
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-3', 'user.human.avatar.removed', NULL);

		-- Passwords (clear the earlier password checks of sessions 1..5)
		FOR i IN 1..5 LOOP
			PERFORM pg_temp.h1_ev(t, 'user', t || '-user-' || i, 'user.human.password.changed',
			                      jsonb_build_object('encodedHash', '$2a$14$changed' || i, 'changeRequired', i = 2,
			                                         'userAgentID', 'ua-' || i, 'triggerOrigin', 'login'));
		END LOOP;
		-- A check after the change survives the next change of another user.
		PERFORM pg_temp.h1_ev(t, 'session', t || '-session-1', 'session.password.checked', '{"checkedAt": "2024-02-02T00:00:00Z"}');

		-- MFA
		FOR i IN 1..5 LOOP
			PERFORM pg_temp.h1_ev(t, 'user', t || '-user-' || i, 'user.human.mfa.init.skipped', NULL);
		END LOOP;
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-13', 'user.mfa.otp.init.skipped', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-1', 'user.human.mfa.otp.verified', '{"userAgentID": "ua-1"}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-13', 'user.mfa.otp.verified', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-2', 'user.human.mfa.otp.sms.added', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-3', 'user.human.mfa.otp.email.added', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-4', 'user.human.mfa.u2f.token.verified',
		                      '{"webAuthNTokenId": "u2f-4", "webAuthNTokenName": "YubiKey", "signCount": 0}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-15', 'user.human.passwordless.token.verified',
		                      '{"webAuthNTokenId": "pwl-15", "webAuthNTokenName": "Laptop"}');

		-- State
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-5', 'user.locked', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-5', 'user.unlocked', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-6', 'user.locked', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-7', 'user.deactivated', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-8', 'user.deactivated', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-7', 'user.reactivated', NULL);

		-- User names
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-9', 'user.username.changed', '{"userName": "ninth", "oldUserName": "user9"}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-10', 'user.domain.claimed', '{"userName": "claimed10@tmp.example.com", "oldUserName": "user10"}');

		-- Machines
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-18', 'user.machine.changed', '{"name": "Service 18 (renamed)"}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-19', 'user.machine.changed', '{}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-20', 'user.machine.changed', '{"description": "Nightly jobs", "accessTokenType": 1}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-18', 'user.machine.secret.set',
			jsonb_build_object('clientSecret', jsonb_build_object('CryptoType', 1, 'Algorithm', 'bcrypt', 'KeyID', '', 'Crypted', pg_temp.h1_b64('$2a$10$svc18'))));
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-19', 'user.machine.secret.set', '{"hashedSecret": "$2a$10$svc19"}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-19', 'user.machine.secret.updated', '{"hashedSecret": "$2a$10$svc19-rehashed"}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-20', 'user.machine.secret.set', '{"hashedSecret": "$2a$10$svc20"}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-20', 'user.machine.secret.removed', NULL);

		-- Metadata
		FOR i IN 1..5 LOOP
			PERFORM pg_temp.h1_ev(t, 'user', t || '-user-' || i, 'user.metadata.set',
			                      jsonb_build_object('key', 'tier', 'value', pg_temp.h1_b64('gold-' || i)));
		END LOOP;
		FOR i IN 1..3 LOOP
			PERFORM pg_temp.h1_ev(t, 'user', t || '-user-' || i, 'user.metadata.set',
			                      jsonb_build_object('key', 'region', 'value', pg_temp.h1_b64('eu-' || i)));
		END LOOP;
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-1', 'user.metadata.set', jsonb_build_object('key', 'tier', 'value', pg_temp.h1_b64('platinum')));
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-2', 'user.metadata.removed', '{"key": "region"}');
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-4', 'user.metadata.removed.all', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-11', 'user.metadata.set', jsonb_build_object('key', 'tier', 'value', pg_temp.h1_b64('silver')));
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-21', 'user.metadata.set', jsonb_build_object('key', 'tier', 'value', pg_temp.h1_b64('bronze')));

		-- Removed users
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-11', 'user.removed', NULL);
		PERFORM pg_temp.h1_ev(t, 'user', t || '-user-12', 'user.removed', NULL);

		------------------------------------------------------------------
		-- Auth requests
		------------------------------------------------------------------
		FOR i IN 1..6 LOOP
			PERFORM pg_temp.h1_ev(t, 'auth_request', t || '-authreq-' || i, 'auth_request.added',
				jsonb_build_object('login_client', t || '-user-18', 'client_id', t || '-client-1',
				                   'redirect_uri', 'https://' || t || '.example.com/cb',
				                   'state', 'state-' || i, 'nonce', 'nonce-' || i,
				                   'scope', jsonb_build_array('openid', 'profile', 'email'),
				                   'audience', jsonb_build_array(t || '-proj-1'), 'response_type', 1, 'response_mode', 0,
				                   'code_challenge', jsonb_build_object('Challenge', 'abc' || i, 'Method', 1),
				                   'need_refresh_token', i % 2 = 0, 'issuer', 'https://' || t || '.example.com')
				|| CASE WHEN i % 2 = 1 THEN jsonb_build_object('prompt', jsonb_build_array(2, 3), 'ui_locales', jsonb_build_array('de', 'en'),
				                                                'max_age', i::bigint * 60000000000, 'login_hint', 'user' || i,
				                                                'hint_user_id', t || '-user-' || i)
				        ELSE '{}'::jsonb END);
		END LOOP;
		PERFORM pg_temp.h1_ev(t, 'auth_request', t || '-authreq-1', 'auth_request.succeeded', NULL);
		PERFORM pg_temp.h1_ev(t, 'auth_request', t || '-authreq-2', 'auth_request.failed', '{"reason": 1}');

		------------------------------------------------------------------
		-- Quotas (upg-a unit 1, upg-b unit 2, upg-c unit 1 again) and limits
		------------------------------------------------------------------
		IF t = 'upg-a' THEN
			PERFORM pg_temp.h1_ev(t, 'quota', t || '-quota-1', 'quota.added',
				'{"unit": 1, "amount": 1000, "from": "2024-01-01T00:00:00Z", "interval": 2592000000000000, "limit": true,
				  "notifications": [{"id": "upg-a-qn-1", "percent": 50, "repeat": true, "callUrl": "https://upg-a.example.com/quota"},
				                    {"id": "upg-a-qn-2", "percent": 90, "repeat": false, "callUrl": "https://upg-a.example.com/alert"}]}');
			PERFORM pg_temp.h1_ev(t, 'quota', t || '-quota-1', 'quota.notificationdue',
				'{"unit": 1, "id": "upg-a-qn-1", "callURL": "https://upg-a.example.com/quota", "periodStart": "2024-02-01T00:00:00Z", "threshold": 50, "usage": 510}');
			PERFORM pg_temp.h1_ev(t, 'quota', t || '-quota-1', 'quota.set', '{"unit": 1, "amount": 2000}');
			PERFORM pg_temp.h1_ev(t, 'quota', t || '-quota-1', 'quota.set',
				'{"unit": 1, "notifications": [{"id": "upg-a-qn-3", "percent": 75, "repeat": true, "callUrl": "https://upg-a.example.com/q3"}]}');
		ELSIF t = 'upg-b' THEN
			PERFORM pg_temp.h1_ev(t, 'quota', t || '-quota-2', 'quota.added',
				'{"unit": 2, "amount": 3600, "from": "2024-01-01T00:00:00Z", "interval": 86400000000000, "limit": false}');
			PERFORM pg_temp.h1_ev(t, 'quota', t || '-quota-2', 'quota.removed', '{"unit": 2}');
			PERFORM pg_temp.h1_ev(t, 'quota', t || '-quota-2b', 'quota.set',
				'{"unit": 2, "amount": 7200, "from": "2024-02-01T00:00:00Z", "interval": 604800000000000, "limit": true,
				  "notifications": [{"id": "upg-b-qn-1", "percent": 100, "repeat": false, "callUrl": "https://upg-b.example.com/quota"}]}');
			PERFORM pg_temp.h1_ev(t, 'quota', t || '-quota-2b', 'quota.notificationdue',
				'{"unit": 2, "id": "upg-b-qn-1", "callURL": "https://upg-b.example.com/quota", "periodStart": "2024-02-01T00:00:00Z", "threshold": 100, "usage": 7300}');
		ELSE
			PERFORM pg_temp.h1_ev(t, 'quota', t || '-quota-1', 'quota.added',
				'{"unit": 1, "amount": 500, "from": "2024-01-15T00:00:00Z", "interval": 3600000000000, "limit": true,
				  "notifications": [{"id": "upg-c-qn-1", "percent": 80, "repeat": true, "callUrl": "https://upg-c.example.com/quota"}]}');
			PERFORM pg_temp.h1_ev(t, 'quota', t || '-quota-1', 'quota.notificationdue',
				'{"unit": 1, "id": "upg-c-qn-1", "callURL": "https://upg-c.example.com/quota", "periodStart": "2024-02-01T01:00:00Z", "threshold": 80, "usage": 401}');
		END IF;

		PERFORM pg_temp.h1_ev(t, 'limits', t || '-limits', 'limits.set', '{"auditLogRetention": 2592000000000000}');
		PERFORM pg_temp.h1_ev(t, 'limits', t || '-limits', 'limits.set', '{"block": true}');
		IF t = 'upg-b' THEN
			PERFORM pg_temp.h1_ev(t, 'limits', t || '-limits', 'limits.reset', NULL);
			PERFORM pg_temp.h1_ev(t, 'limits', t || '-limits', 'limits.set', '{"block": false}');
		END IF;

		------------------------------------------------------------------
		-- The identity org goes, with its user, metadata, domain and policy.
		------------------------------------------------------------------
		PERFORM pg_temp.h1_ev(t, 'org', t || '-org-h1', 'org.removed', NULL);
	END LOOP;
END
$identity$;
