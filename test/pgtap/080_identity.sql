-- Identity projections in their 1.1 (tenant) form: users (+ humans,
-- machines, notifications), user_metadata, login names (view), sessions,
-- auth requests, milestones, quotas, limits reduce a Zitadel-shaped event
-- stream into the rows Zitadel's projections of those objects hold.
-- Two tenants use the same ids throughout.  Runs as superuser, so row-level
-- security is bypassed and every push names its tenant; every query filters
-- by tenant (the suite also runs in upgraded databases).
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(83);

CREATE FUNCTION pg_temp.ts(n integer) RETURNS timestamptz LANGUAGE sql IMMUTABLE
AS $$ SELECT '2024-05-01 10:00:00+00'::timestamptz + pg_catalog.make_interval(mins => n) $$;

CREATE FUNCTION pg_temp.ev(agg_type text, agg_id text, ev_type text, payload jsonb, n integer,
                           tenant text DEFAULT 'h1-a', owner text DEFAULT NULL, creator text DEFAULT NULL)
RETURNS bigint LANGUAGE sql
AS $$ SELECT (multitenant.push(agg_type, agg_id, ev_type, payload, resource_owner => owner, creator => creator,
                               instance_id => tenant, created_at => pg_temp.ts(n))).sequence $$;

CREATE FUNCTION pg_temp.b64(s text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT pg_catalog.translate(pg_catalog.encode(pg_catalog.convert_to(s, 'UTF8'), 'base64'), E'\n', '') $$;

CREATE FUNCTION pg_temp.bytes(s text) RETURNS bytea LANGUAGE sql IMMUTABLE
AS $$ SELECT pg_catalog.convert_to(s, 'UTF8') $$;

DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'h1-a', 'instance.added', '{"name": "A"}', -20, 'h1-a');
	PERFORM pg_temp.ev('instance', 'h1-b', 'instance.added', '{"name": "B"}', -20, 'h1-b');
	PERFORM pg_temp.ev('org', 'org-1', 'org.added', '{"name": "Org 1"}', -19, 'h1-a');
	PERFORM pg_temp.ev('org', 'org-2', 'org.added', '{"name": "Org 2"}', -18, 'h1-a');
	PERFORM pg_temp.ev('org', 'org-1', 'org.added', '{"name": "Org 1 of B"}', -19, 'h1-b');
END $$;

------------------------------------------------------------------------------
-- Catalog
------------------------------------------------------------------------------
SELECT is((SELECT pg_catalog.count(*) FROM multitenant.reducers
            WHERE event_type = 'instance.removed'
              AND projection = ANY (ARRAY['multitenant.users_projection', 'multitenant.users_projection_humans',
                                          'multitenant.users_projection_machines', 'multitenant.users_projection_notifications',
                                          'multitenant.user_metadata', 'multitenant.login_names_projection_users',
                                          'multitenant.login_names_projection_domains', 'multitenant.login_names_projection_policies',
                                          'multitenant.sessions_projection', 'multitenant.auth_requests_projection',
                                          'multitenant.milestones_projection', 'multitenant.quotas_projection',
                                          'multitenant.quotas_projection_periods', 'multitenant.quotas_projection_notifications',
                                          'multitenant.limits_projection']::regclass[])),
	15::bigint, 'every identity table removes its rows with its instance');

SELECT results_eq(
	$$SELECT a.attname::text COLLATE "default" FROM pg_catalog.pg_attribute AS a
	   WHERE a.attrelid = 'multitenant.login_names_projection'::regclass AND a.attnum > 0 ORDER BY a.attnum$$,
	$$VALUES ('user_id'::text), ('login_name'), ('is_primary'), ('instance_id')$$,
	'login_names_projection: user_id, login_name, is_primary, instance_id');

SELECT ok((SELECT 'security_invoker=true' = ANY (c.reloptions) FROM pg_catalog.pg_class AS c
            WHERE c.oid = 'multitenant.login_names_projection'::regclass)
          AND pg_catalog.has_table_privilege('multitenant_app', 'multitenant.login_names_projection', 'SELECT'),
	'login_names_projection is a security_invoker view that application roles may read');

------------------------------------------------------------------------------
-- Users: every creation event
------------------------------------------------------------------------------
DO $$ BEGIN
	-- Go zero values / empty strings: nick '' and phone '' are NULL, 'und' is no language, gender 0 unspecified.
	PERFORM pg_temp.ev('user', 'u1', 'user.human.added',
		'{"userName": "alice", "firstName": "Alice", "lastName": "Adams", "nickName": "", "displayName": "Alice A.",
		  "preferredLanguage": "und", "gender": 0, "email": "Alice@Example.com", "phone": "", "changeRequired": true,
		  "country": "CH", "streetAddress": "Main street 1"}', 1, 'h1-a', 'org-1');
	PERFORM pg_temp.ev('user', 'u1', 'user.human.added',
		'{"userName": "bob", "firstName": "Bob", "lastName": "Brown", "nickName": "bobby", "preferredLanguage": "de",
		  "gender": 2, "email": "bob@example.com", "phone": "+41790000001", "encodedHash": "$2a$14$bob"}', 2, 'h1-b', 'org-1');
END $$;

SELECT results_eq(
	$$SELECT instance_id, id, username, state, type, resource_owner, creation_date, change_date, sequence
	    FROM multitenant.users_projection WHERE instance_id IN ('h1-a', 'h1-b') ORDER BY instance_id, id$$,
	$$VALUES ('h1-a'::text, 'u1'::text, 'alice'::text, 1::smallint, 1::smallint, 'org-1'::text, pg_temp.ts(1), pg_temp.ts(1), 1::bigint),
	         ('h1-b', 'u1', 'bob', 1::smallint, 1::smallint, 'org-1', pg_temp.ts(2), pg_temp.ts(2), 1::bigint)$$,
	'user.human.added inserts an active human per tenant, same id kept apart');

SELECT results_eq(
	$$SELECT instance_id, user_id, first_name, last_name, nick_name, display_name, preferred_language, gender, avatar_key,
	         email, is_email_verified, phone, is_phone_verified, password_change_required, password_changed, mfa_init_skipped
	    FROM multitenant.users_projection_humans WHERE instance_id IN ('h1-a', 'h1-b') ORDER BY instance_id, user_id$$,
	$$VALUES ('h1-a'::text, 'u1'::text, 'Alice'::text, 'Adams'::text, NULL::text, 'Alice A.'::text, NULL::text, NULL::smallint, NULL::text,
	          'Alice@Example.com'::text, false, NULL::text, NULL::boolean, true, NULL::timestamptz, NULL::timestamptz),
	         ('h1-b', 'u1', 'Bob', 'Brown', 'bobby', NULL, 'de', 2::smallint, NULL,
	          'bob@example.com', false, '+41790000001', NULL, false, pg_temp.ts(2), NULL)$$,
	'user.human.added: humans row with empty/und/0 as NULL, password_changed only with a password');

SELECT results_eq(
	$$SELECT instance_id, user_id, last_email, verified_email, last_phone, verified_phone, password_set
	    FROM multitenant.users_projection_notifications WHERE instance_id IN ('h1-a', 'h1-b') ORDER BY instance_id, user_id$$,
	$$VALUES ('h1-a'::text, 'u1'::text, 'Alice@Example.com'::text, NULL::text, NULL::text, NULL::text, false),
	         ('h1-b', 'u1', 'bob@example.com', NULL, '+41790000001', NULL, true)$$,
	'user.human.added: notifications row');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u2', 'user.added',
		jsonb_build_object('userName', 'carol', 'firstName', 'Carol', 'lastName', 'Clark', 'email', 'carol@example.com',
		                   'secret', jsonb_build_object('CryptoType', 1, 'Algorithm', 'bcrypt', 'KeyID', '', 'Crypted', pg_temp.b64('$2a$legacy'))),
		3, 'h1-a', 'org-2');
	PERFORM pg_temp.ev('user', 'u3', 'user.human.selfregistered',
		'{"userName": "dave", "firstName": "Dave", "lastName": "Doe", "email": "dave@example.com", "userAgentID": "ua-3",
		  "gender": 3, "preferredLanguage": "fr"}', 4, 'h1-a', 'org-1');
	PERFORM pg_temp.ev('user', 'u4', 'user.selfregistered',
		'{"userName": "erin", "firstName": "Erin", "lastName": "Evans", "email": "erin@example.com", "encodedHash": "$2a$erin", "secret": null}',
		5, 'h1-a', 'org-2');
	PERFORM pg_temp.ev('user', 'm1', 'user.machine.added',
		'{"userName": "svc", "name": "Service", "description": "", "accessTokenType": 1}', 6, 'h1-a', 'org-1');
END $$;

SELECT results_eq(
	$$SELECT id, username, state, type, resource_owner FROM multitenant.users_projection WHERE instance_id = 'h1-a' ORDER BY id$$,
	$$VALUES ('m1'::text, 'svc'::text, 1::smallint, 2::smallint, 'org-1'::text),
	         ('u1', 'alice', 1::smallint, 1::smallint, 'org-1'),
	         ('u2', 'carol', 1::smallint, 1::smallint, 'org-2'),
	         ('u3', 'dave', 1::smallint, 1::smallint, 'org-1'),
	         ('u4', 'erin', 1::smallint, 1::smallint, 'org-2')$$,
	'user.added (v1), self-registrations and user.machine.added insert main rows');

SELECT results_eq(
	$$SELECT h.user_id, h.first_name, h.gender, h.preferred_language, h.password_changed, n.password_set
	    FROM multitenant.users_projection_humans AS h
	    JOIN multitenant.users_projection_notifications AS n ON n.instance_id = h.instance_id AND n.user_id = h.user_id
	   WHERE h.instance_id = 'h1-a' AND h.user_id <> 'u1' ORDER BY h.user_id$$,
	$$VALUES ('u2'::text, 'Carol'::text, NULL::smallint, NULL::text, pg_temp.ts(3), true),
	         ('u3', 'Dave', 3::smallint, 'fr', NULL::timestamptz, false),
	         ('u4', 'Erin', NULL::smallint, NULL, pg_temp.ts(5), true)$$,
	'a legacy secret (Crypted) or encodedHash counts as a password; humans details per spelling');

SELECT results_eq(
	$$SELECT user_id, name, description, secret, access_token_type FROM multitenant.users_projection_machines WHERE instance_id = 'h1-a'$$,
	$$VALUES ('m1'::text, 'Service'::text, NULL::text, NULL::text, 1::smallint)$$,
	'user.machine.added inserts the machine (empty description is NULL)');

SELECT is((SELECT pg_catalog.count(*) FROM multitenant.users_projection_notifications WHERE instance_id = 'h1-a' AND user_id = 'm1'),
	0::bigint, 'machines get no notifications row');

SELECT results_eq(
	$$SELECT instance_id, id, user_name, resource_owner FROM multitenant.login_names_projection_users
	   WHERE instance_id IN ('h1-a', 'h1-b') ORDER BY instance_id, id$$,
	$$VALUES ('h1-a'::text, 'm1'::text, 'svc'::text, 'org-1'::text), ('h1-a', 'u1', 'alice', 'org-1'), ('h1-a', 'u2', 'carol', 'org-2'),
	         ('h1-a', 'u3', 'dave', 'org-1'), ('h1-a', 'u4', 'erin', 'org-2'), ('h1-b', 'u1', 'bob', 'org-1')$$,
	'every user creation adds a login-name user');

------------------------------------------------------------------------------
-- Users: state
------------------------------------------------------------------------------
SELECT is(pg_temp.ev('user', 'u1', 'user.human.initialization.code.added',
                     '{"code": {"CryptoType": 0, "Algorithm": "enc", "KeyID": "k", "Crypted": "YWJj"}, "expiry": 259200000000000}', 10),
	2::bigint, 'initialization code pushed');

SELECT results_eq(
	$$SELECT state, change_date, sequence FROM multitenant.users_projection WHERE instance_id = 'h1-a' AND id = 'u1'$$,
	$$VALUES (6::smallint, pg_temp.ts(1), 1::bigint)$$,
	'user.human.initialization.code.added: state initial, change_date and sequence untouched');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.human.initialization.check.succeeded', NULL, 11);
	PERFORM pg_temp.ev('user', 'u2', 'user.initialization.code.added', '{"expiry": 259200000000000}', 12);
END $$;

SELECT results_eq(
	$$SELECT id, state, change_date, sequence FROM multitenant.users_projection WHERE instance_id = 'h1-a' AND id IN ('u1', 'u2') ORDER BY id$$,
	$$VALUES ('u1'::text, 1::smallint, pg_temp.ts(1), 1::bigint), ('u2', 6::smallint, pg_temp.ts(3), 1::bigint)$$,
	'initialization check succeeded and the v1 code event do not touch either');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u2', 'user.initialization.check.succeeded', NULL, 13);
	PERFORM pg_temp.ev('user', 'u1', 'user.locked', NULL, 14);
	PERFORM pg_temp.ev('user', 'u3', 'user.deactivated', NULL, 16);
END $$;

SELECT results_eq(
	$$SELECT id, state, change_date, sequence FROM multitenant.users_projection WHERE instance_id = 'h1-a' AND id IN ('u1', 'u2', 'u3') ORDER BY id$$,
	$$VALUES ('u1'::text, 4::smallint, pg_temp.ts(14), 4::bigint), ('u2', 1::smallint, pg_temp.ts(3), 1::bigint),
	         ('u3', 2::smallint, pg_temp.ts(16), 2::bigint)$$,
	'user.locked and user.deactivated set state 4 / 2 and touch the row');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.unlocked', NULL, 15);
	PERFORM pg_temp.ev('user', 'u3', 'user.reactivated', NULL, 17);
END $$;

SELECT results_eq(
	$$SELECT id, state, change_date, sequence FROM multitenant.users_projection WHERE instance_id = 'h1-a' AND id IN ('u1', 'u3') ORDER BY id$$,
	$$VALUES ('u1'::text, 1::smallint, pg_temp.ts(15), 5::bigint), ('u3', 1::smallint, pg_temp.ts(17), 3::bigint)$$,
	'user.unlocked and user.reactivated make the user active again');

------------------------------------------------------------------------------
-- Users: user names, profile
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.username.changed', '{"userName": "alice2", "oldUserName": "alice"}', 20);
	PERFORM pg_temp.ev('user', 'u3', 'user.domain.claimed', '{"userName": "dave@claimed.example.com", "oldUserName": "dave"}', 21);
END $$;

SELECT results_eq(
	$$SELECT u.id, u.username, u.change_date, u.sequence, l.user_name
	    FROM multitenant.users_projection AS u
	    JOIN multitenant.login_names_projection_users AS l ON l.instance_id = u.instance_id AND l.id = u.id
	   WHERE u.instance_id = 'h1-a' AND u.id IN ('u1', 'u3') ORDER BY u.id$$,
	$$VALUES ('u1'::text, 'alice2'::text, pg_temp.ts(20), 6::bigint, 'alice2'::text),
	         ('u3', 'dave@claimed.example.com', pg_temp.ts(21), 4::bigint, 'dave@claimed.example.com')$$,
	'user.username.changed and user.domain.claimed rename the user and its login-name user');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.human.profile.changed',
		'{"firstName": "", "lastName": "Adler", "nickName": "ali", "displayName": "", "preferredLanguage": "en", "gender": 1}', 22);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.profile.changed', '{}', 23);
	PERFORM pg_temp.ev('user', 'u2', 'user.profile.changed', '{"firstName": "Caroline", "gender": null}', 24);
END $$;

SELECT results_eq(
	$$SELECT h.user_id, h.first_name, h.last_name, h.nick_name, h.display_name, h.preferred_language, h.gender, u.change_date, u.sequence
	    FROM multitenant.users_projection_humans AS h
	    JOIN multitenant.users_projection AS u ON u.instance_id = h.instance_id AND u.id = h.user_id
	   WHERE h.instance_id = 'h1-a' AND h.user_id IN ('u1', 'u2') ORDER BY h.user_id$$,
	$$VALUES ('u1'::text, 'Alice'::text, 'Adler'::text, 'ali'::text, ''::text, 'en'::text, 1::smallint, pg_temp.ts(23), 8::bigint),
	         ('u2', 'Caroline', 'Clark', NULL, NULL, NULL, NULL::smallint, pg_temp.ts(24), 4::bigint)$$,
	'profile changed (+v1): only present keys (empty first name ignored), main row touched even by an empty profile');

------------------------------------------------------------------------------
-- Users: phone, e-mail, avatar
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.human.phone.changed', '{"phone": "+41791111111"}', 30);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.phone.verified', NULL, 31);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.email.changed', '{"email": "alice@new.example.com"}', 32);
	PERFORM pg_temp.ev('user', 'u2', 'user.phone.changed', '{"phone": "+41792222222"}', 34);
	PERFORM pg_temp.ev('user', 'u2', 'user.phone.verified', NULL, 35);
	PERFORM pg_temp.ev('user', 'u2', 'user.email.changed', '{"email": "carol@new.example.com"}', 36);
	PERFORM pg_temp.ev('user', 'u2', 'user.email.verified', NULL, 37);
END $$;

SELECT results_eq(
	$$SELECT h.user_id, h.email, h.is_email_verified, h.phone, h.is_phone_verified, n.last_email, n.verified_email, n.last_phone, n.verified_phone
	    FROM multitenant.users_projection_humans AS h
	    JOIN multitenant.users_projection_notifications AS n ON n.instance_id = h.instance_id AND n.user_id = h.user_id
	   WHERE h.instance_id = 'h1-a' AND h.user_id IN ('u1', 'u2') ORDER BY h.user_id$$,
	$$VALUES ('u1'::text, 'alice@new.example.com'::text, false, '+41791111111'::text, true, 'alice@new.example.com'::text, NULL::text,
	          '+41791111111'::text, '+41791111111'::text),
	         ('u2', 'carol@new.example.com', true, '+41792222222', true, 'carol@new.example.com', 'carol@new.example.com',
	          '+41792222222', '+41792222222')$$,
	'phone / e-mail changed and verified (+v1): verified copies the last address');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.human.email.verified', NULL, 33);
	PERFORM pg_temp.ev('user', 'u2', 'user.phone.removed', NULL, 38);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.phone.removed', NULL, 39);
END $$;

SELECT results_eq(
	$$SELECT h.user_id, h.is_email_verified, h.phone, h.is_phone_verified, n.verified_email, n.last_phone, n.verified_phone, u.change_date, u.sequence
	    FROM multitenant.users_projection_humans AS h
	    JOIN multitenant.users_projection_notifications AS n ON n.instance_id = h.instance_id AND n.user_id = h.user_id
	    JOIN multitenant.users_projection AS u ON u.instance_id = h.instance_id AND u.id = h.user_id
	   WHERE h.instance_id = 'h1-a' AND h.user_id IN ('u1', 'u2') ORDER BY h.user_id$$,
	$$VALUES ('u1'::text, true, NULL::text, NULL::boolean, 'alice@new.example.com'::text, NULL::text, NULL::text, pg_temp.ts(39), 13::bigint),
	         ('u2', true, NULL, NULL, 'carol@new.example.com', NULL, NULL, pg_temp.ts(38), 9::bigint)$$,
	'phone removed (+v1) clears phone and verification everywhere; each event touches the main row');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.human.avatar.added', '{"storeKey": "h1-a/avatars/u1"}', 40);
	PERFORM pg_temp.ev('user', 'u3', 'user.human.avatar.added', '{"storeKey": "h1-a/avatars/u3"}', 41);
	PERFORM pg_temp.ev('user', 'u3', 'user.human.avatar.removed', NULL, 42);
END $$;

SELECT results_eq(
	$$SELECT h.user_id, h.avatar_key, u.change_date FROM multitenant.users_projection_humans AS h
	    JOIN multitenant.users_projection AS u ON u.instance_id = h.instance_id AND u.id = h.user_id
	   WHERE h.instance_id = 'h1-a' AND h.user_id IN ('u1', 'u3') ORDER BY h.user_id$$,
	$$VALUES ('u1'::text, 'h1-a/avatars/u1'::text, pg_temp.ts(40)), ('u3', NULL, pg_temp.ts(42))$$,
	'avatar added / removed');

------------------------------------------------------------------------------
-- Sessions, and what a password change does to them
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('session', 's1', 'session.added',
		'{"user_agent": {"fingerprint_id": "fp-1", "ip": "192.168.0.1", "description": "Firefox",
		                 "header": {"Accept-Language": ["de", "en"], "User-Agent": ["Mozilla/5.0"]}}}', 50, creator => 'u1');
	PERFORM pg_temp.ev('session', 's1', 'session.user.checked',
		'{"userID": "u1", "userResourceOwner": "org-1", "checkedAt": "2024-05-01T10:50:30Z", "preferredLanguage": "de"}', 51);
	PERFORM pg_temp.ev('session', 's1', 'session.password.checked', '{"checkedAt": "2024-05-01T10:51:30Z"}', 52);
	PERFORM pg_temp.ev('session', 's2', 'session.added', '{}', 53, creator => 'login-client');
	PERFORM pg_temp.ev('session', 's2', 'session.user.checked', '{"userID": "u1", "userResourceOwner": "org-1", "checkedAt": "2024-05-01T10:54:00Z"}', 54);
	PERFORM pg_temp.ev('session', 's2', 'session.password.checked', '{"checkedAt": "2024-05-01T12:00:00Z"}', 55);
	PERFORM pg_temp.ev('session', 's1', 'session.added', '{}', 56, 'h1-b', creator => 'other');
END $$;

SELECT results_eq(
	$$SELECT instance_id, id, state, creator, user_id, user_resource_owner, user_checked_at, password_checked_at,
	         user_agent_fingerprint_id, user_agent_ip, user_agent_description, user_agent_header, resource_owner, creation_date, change_date, sequence
	    FROM multitenant.sessions_projection WHERE instance_id IN ('h1-a', 'h1-b') ORDER BY instance_id, id$$,
	$$VALUES ('h1-a'::text, 's1'::text, 1::smallint, 'u1'::text, 'u1'::text, 'org-1'::text, '2024-05-01 10:50:30+00'::timestamptz,
	          '2024-05-01 10:51:30+00'::timestamptz, 'fp-1'::text, '192.168.0.1'::text, 'Firefox'::text,
	          '{"Accept-Language": ["de", "en"], "User-Agent": ["Mozilla/5.0"]}'::jsonb, 'h1-a'::text, pg_temp.ts(50), pg_temp.ts(52), 3::bigint),
	         ('h1-a', 's2', 1::smallint, 'login-client', 'u1', 'org-1', '2024-05-01 10:54:00+00', '2024-05-01 12:00:00+00',
	          NULL, NULL, NULL, NULL, 'h1-a', pg_temp.ts(53), pg_temp.ts(55), 3::bigint),
	         ('h1-b', 's1', 1::smallint, 'other', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'h1-b', pg_temp.ts(56), pg_temp.ts(56), 1::bigint)$$,
	'session.added (creator from the event, nested user_agent), user and password checks');

SELECT is(pg_temp.ev('user', 'u1', 'user.human.password.changed',
                     '{"encodedHash": "$2a$14$new", "changeRequired": false, "userAgentID": "ua-1", "triggerOrigin": "login"}', 60),
	15::bigint, 'password change pushed');

SELECT results_eq(
	$$SELECT id, password_checked_at, change_date, sequence FROM multitenant.sessions_projection WHERE instance_id = 'h1-a' ORDER BY id$$,
	$$VALUES ('s1'::text, NULL::timestamptz, pg_temp.ts(52), 3::bigint), ('s2', '2024-05-01 12:00:00+00', pg_temp.ts(55), 3::bigint)$$,
	'user.human.password.changed clears only earlier password checks, without touching the sessions');

SELECT results_eq(
	$$SELECT h.password_change_required, h.password_changed, n.password_set, u.change_date, u.sequence
	    FROM multitenant.users_projection_humans AS h
	    JOIN multitenant.users_projection_notifications AS n ON n.instance_id = h.instance_id AND n.user_id = h.user_id
	    JOIN multitenant.users_projection AS u ON u.instance_id = h.instance_id AND u.id = h.user_id
	   WHERE h.instance_id = 'h1-a' AND h.user_id = 'u1'$$,
	$$VALUES (false, pg_temp.ts(60), true, pg_temp.ts(40), 14::bigint)$$,
	'user.human.password.changed: humans and notifications change, the main row is untouched');

DO $$ BEGIN
	PERFORM pg_temp.ev('session', 's1', 'session.intent.checked', '{"checkedAt": "2024-05-01T11:01:00Z"}', 61);
	PERFORM pg_temp.ev('session', 's1', 'session.webAuthN.checked', '{"checkedAt": "2024-05-01T11:02:00Z", "userVerified": true}', 62);
	PERFORM pg_temp.ev('session', 's1', 'session.totp.checked', '{"checkedAt": "2024-05-01T11:03:00Z"}', 63);
	PERFORM pg_temp.ev('session', 's1', 'session.otp.sms.checked', '{"checkedAt": "2024-05-01T11:04:00Z"}', 64);
	PERFORM pg_temp.ev('session', 's1', 'session.otp.email.checked', '{"checkedAt": "2024-05-01T11:05:00.25Z"}', 65);
	PERFORM pg_temp.ev('session', 's1', 'session.token.set', '{"tokenID": "tok-1"}', 66);
	PERFORM pg_temp.ev('session', 's1', 'session.metadata.set',
		jsonb_build_object('metadata', jsonb_build_object('k1', pg_temp.b64('v1'), 'k2', '')), 67);
	PERFORM pg_temp.ev('session', 's1', 'session.lifetime.set', '{"lifetime": 90000001999}', 68);
END $$;

SELECT results_eq(
	$$SELECT intent_checked_at, webauthn_checked_at, webauthn_user_verified, totp_checked_at, otp_sms_checked_at, otp_email_checked_at,
	         token_id, metadata, expiration, change_date, sequence
	    FROM multitenant.sessions_projection WHERE instance_id = 'h1-a' AND id = 's1'$$,
	$$VALUES ('2024-05-01 11:01:00+00'::timestamptz, '2024-05-01 11:02:00+00'::timestamptz, true, '2024-05-01 11:03:00+00'::timestamptz,
	          '2024-05-01 11:04:00+00'::timestamptz, '2024-05-01 11:05:00.25+00'::timestamptz, 'tok-1'::text,
	          '{"k1": "djE=", "k2": ""}'::jsonb, pg_temp.ts(68) + interval '90.000001 seconds', pg_temp.ts(68), 11::bigint)$$,
	'session checks, token, metadata (base64 map) and lifetime (ns) set the session');

SELECT is(pg_temp.ev('session', 's2', 'session.terminated', '{"triggerOrigin": "logout"}', 69), 4::bigint, 'session.terminated pushed');

SELECT results_eq(
	$$SELECT instance_id, id FROM multitenant.sessions_projection WHERE instance_id IN ('h1-a', 'h1-b') ORDER BY instance_id, id$$,
	$$VALUES ('h1-a'::text, 's1'::text), ('h1-b', 's1')$$,
	'session.terminated deletes the session');

------------------------------------------------------------------------------
-- Machines
------------------------------------------------------------------------------
SELECT is(pg_temp.ev('user', 'm1', 'user.machine.changed', '{}', 80), 2::bigint, 'empty machine change pushed');

SELECT results_eq(
	$$SELECT m.name, m.description, m.access_token_type, u.change_date, u.sequence FROM multitenant.users_projection_machines AS m
	    JOIN multitenant.users_projection AS u ON u.instance_id = m.instance_id AND u.id = m.user_id
	   WHERE m.instance_id = 'h1-a' AND m.user_id = 'm1'$$,
	$$VALUES ('Service'::text, NULL::text, 1::smallint, pg_temp.ts(6), 1::bigint)$$,
	'user.machine.changed without keys is a no-op');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'm1', 'user.machine.changed', '{"name": "Service X", "description": "Batch"}', 81);
	PERFORM pg_temp.ev('user', 'm1', 'user.machine.secret.set',
		jsonb_build_object('clientSecret', jsonb_build_object('CryptoType', 1, 'Algorithm', 'bcrypt', 'KeyID', '', 'Crypted', pg_temp.b64('$2a$svc'))), 82);
END $$;

SELECT results_eq(
	$$SELECT m.name, m.description, m.secret, m.access_token_type, u.change_date, u.sequence FROM multitenant.users_projection_machines AS m
	    JOIN multitenant.users_projection AS u ON u.instance_id = m.instance_id AND u.id = m.user_id
	   WHERE m.instance_id = 'h1-a' AND m.user_id = 'm1'$$,
	$$VALUES ('Service X'::text, 'Batch'::text, '$2a$svc'::text, 1::smallint, pg_temp.ts(82), 4::bigint)$$,
	'user.machine.changed with keys, user.machine.secret.set with a legacy CryptoValue');

SELECT is(pg_temp.ev('user', 'm1', 'user.machine.secret.updated', '{"hashedSecret": "$2a$rehashed"}', 83), 5::bigint, 'secret updated pushed');
SELECT is((SELECT secret FROM multitenant.users_projection_machines WHERE instance_id = 'h1-a' AND user_id = 'm1'), '$2a$rehashed',
	'user.machine.secret.updated stores the hashed secret');

SELECT is(pg_temp.ev('user', 'm1', 'user.machine.secret.removed', NULL, 84), 6::bigint, 'secret removed pushed');
SELECT results_eq(
	$$SELECT m.secret, u.change_date, u.sequence FROM multitenant.users_projection_machines AS m
	    JOIN multitenant.users_projection AS u ON u.instance_id = m.instance_id AND u.id = m.user_id
	   WHERE m.instance_id = 'h1-a' AND m.user_id = 'm1'$$,
	$$VALUES (NULL::text, pg_temp.ts(84), 6::bigint)$$,
	'user.machine.secret.removed clears the secret');

------------------------------------------------------------------------------
-- MFA initialisation
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.human.mfa.init.skipped', NULL, 90);
	PERFORM pg_temp.ev('user', 'u2', 'user.mfa.otp.init.skipped', NULL, 91);
	PERFORM pg_temp.ev('user', 'u3', 'user.human.mfa.init.skipped', NULL, 92);
	PERFORM pg_temp.ev('user', 'u4', 'user.human.mfa.init.skipped', NULL, 93);
END $$;

SELECT results_eq(
	$$SELECT h.user_id, h.mfa_init_skipped, u.change_date FROM multitenant.users_projection_humans AS h
	    JOIN multitenant.users_projection AS u ON u.instance_id = h.instance_id AND u.id = h.user_id
	   WHERE h.instance_id = 'h1-a' ORDER BY h.user_id$$,
	$$VALUES ('u1'::text, pg_temp.ts(90), pg_temp.ts(40)), ('u2', pg_temp.ts(91), pg_temp.ts(38)),
	         ('u3', pg_temp.ts(92), pg_temp.ts(42)), ('u4', pg_temp.ts(93), pg_temp.ts(5))$$,
	'mfa init skipped (+v1 user.mfa.otp.init.skipped) sets mfa_init_skipped only');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.human.mfa.otp.verified', NULL, 94);
	PERFORM pg_temp.ev('user', 'u2', 'user.mfa.otp.verified', NULL, 95);
	PERFORM pg_temp.ev('user', 'u3', 'user.human.mfa.otp.sms.added', NULL, 96);
	PERFORM pg_temp.ev('user', 'u4', 'user.human.mfa.u2f.token.verified', '{"webAuthNTokenId": "t1", "webAuthNTokenName": "Key"}', 97);
END $$;

SELECT is((SELECT pg_catalog.count(*) FROM multitenant.users_projection_humans WHERE instance_id = 'h1-a' AND mfa_init_skipped IS NOT NULL),
	0::bigint, 'otp verified (+v1), otp sms added and u2f verified undo the skip');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u3', 'user.human.mfa.init.skipped', NULL, 98);
	PERFORM pg_temp.ev('user', 'u4', 'user.human.mfa.init.skipped', NULL, 99);
	PERFORM pg_temp.ev('user', 'u3', 'user.human.mfa.otp.email.added', NULL, 100);
	PERFORM pg_temp.ev('user', 'u4', 'user.human.passwordless.token.verified', '{"webAuthNTokenId": "t2", "webAuthNTokenName": "Laptop"}', 101);
END $$;

SELECT is((SELECT pg_catalog.count(*) FROM multitenant.users_projection_humans WHERE instance_id = 'h1-a' AND mfa_init_skipped IS NOT NULL),
	0::bigint, 'otp email added and passwordless verified undo the skip');

------------------------------------------------------------------------------
-- User metadata
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.metadata.set', jsonb_build_object('key', 'tier', 'value', pg_temp.b64('gold')), 110);
	PERFORM pg_temp.ev('user', 'u1', 'user.metadata.set', jsonb_build_object('key', 'tier', 'value', pg_temp.b64('platinum')), 111);
	PERFORM pg_temp.ev('user', 'u1', 'user.metadata.set', '{"key": "note"}', 112);
	PERFORM pg_temp.ev('user', 'u2', 'user.metadata.set', jsonb_build_object('key', 'tier', 'value', pg_temp.b64('silver')), 113);
	PERFORM pg_temp.ev('user', 'u2', 'user.metadata.set', jsonb_build_object('key', 'region', 'value', pg_temp.b64('eu')), 114);
	PERFORM pg_temp.ev('user', 'u3', 'user.metadata.set', jsonb_build_object('key', 'tier', 'value', pg_temp.b64('bronze')), 115);
	PERFORM pg_temp.ev('user', 'u1', 'user.metadata.set', jsonb_build_object('key', 'tier', 'value', pg_temp.b64('B')), 116, 'h1-b');
END $$;

SELECT results_eq(
	$$SELECT instance_id, user_id, key, value, resource_owner, creation_date, change_date, sequence
	    FROM multitenant.user_metadata WHERE instance_id IN ('h1-a', 'h1-b') ORDER BY instance_id, user_id, key$$,
	$$VALUES ('h1-a'::text, 'u1'::text, 'note'::text, NULL::bytea, 'org-1'::text, pg_temp.ts(112), pg_temp.ts(112), 20::bigint),
	         ('h1-a', 'u1', 'tier', pg_temp.bytes('platinum'), 'org-1', pg_temp.ts(110), pg_temp.ts(111), 19::bigint),
	         ('h1-a', 'u2', 'region', pg_temp.bytes('eu'), 'org-2', pg_temp.ts(114), pg_temp.ts(114), 13::bigint),
	         ('h1-a', 'u2', 'tier', pg_temp.bytes('silver'), 'org-2', pg_temp.ts(113), pg_temp.ts(113), 12::bigint),
	         ('h1-a', 'u3', 'tier', pg_temp.bytes('bronze'), 'org-1', pg_temp.ts(115), pg_temp.ts(115), 11::bigint),
	         ('h1-b', 'u1', 'tier', pg_temp.bytes('B'), 'org-1', pg_temp.ts(116), pg_temp.ts(116), 2::bigint)$$,
	'user.metadata.set decodes base64 and upserts per (tenant, user, key), keeping creation_date');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.metadata.removed', '{"key": "note"}', 117);
	PERFORM pg_temp.ev('user', 'u2', 'user.metadata.removed.all', NULL, 118);
END $$;

SELECT results_eq(
	$$SELECT instance_id, user_id, key FROM multitenant.user_metadata WHERE instance_id IN ('h1-a', 'h1-b') ORDER BY instance_id, user_id, key$$,
	$$VALUES ('h1-a'::text, 'u1'::text, 'tier'::text), ('h1-a', 'u3', 'tier'), ('h1-b', 'u1', 'tier')$$,
	'user.metadata.removed deletes one key, user.metadata.removed.all every key of the user');

------------------------------------------------------------------------------
-- user.removed
------------------------------------------------------------------------------
SELECT is(pg_temp.ev('user', 'u3', 'user.removed', NULL, 120), 12::bigint, 'user.removed pushed');

SELECT results_eq(
	$$SELECT (SELECT pg_catalog.count(*) FROM multitenant.users_projection WHERE instance_id = 'h1-a' AND id = 'u3'),
	         (SELECT pg_catalog.count(*) FROM multitenant.users_projection_humans WHERE instance_id = 'h1-a' AND user_id = 'u3'),
	         (SELECT pg_catalog.count(*) FROM multitenant.users_projection_notifications WHERE instance_id = 'h1-a' AND user_id = 'u3'),
	         (SELECT pg_catalog.count(*) FROM multitenant.user_metadata WHERE instance_id = 'h1-a' AND user_id = 'u3'),
	         (SELECT pg_catalog.count(*) FROM multitenant.login_names_projection_users WHERE instance_id = 'h1-a' AND id = 'u3'),
	         (SELECT pg_catalog.count(*) FROM multitenant.users_projection WHERE instance_id = 'h1-a')$$,
	$$VALUES (0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 4::bigint)$$,
	'user.removed deletes the user with its details, metadata and login-name user');

------------------------------------------------------------------------------
-- Login names
------------------------------------------------------------------------------
SELECT results_eq(
	$$SELECT user_id, login_name, is_primary FROM multitenant.login_names_projection WHERE instance_id = 'h1-a' ORDER BY user_id, login_name$$,
	$$VALUES ('m1'::text, 'svc'::text, true), ('u1', 'alice2', true), ('u2', 'carol', true), ('u4', 'erin', true)$$,
	'without a domain policy the login name is the user name');

DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'h1-a', 'instance.policy.domain.added',
		'{"userLoginMustBeDomain": false, "validateOrgDomains": true, "smtpSenderAddressMatchesInstanceDomain": true}', 130);
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.added', '{"domain": "a.example.com"}', 131);
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.verified', '{"domain": "a.example.com"}', 132);
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.added', '{"domain": "b.example.com"}', 133);
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.verified', '{"domain": "b.example.com"}', 134);
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.added', '{"domain": "unverified.example.com"}', 135);
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.primary.set', '{"domain": "a.example.com"}', 136);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.domain.added', '{"userLoginMustBeDomain": true}', 137);
END $$;

SELECT results_eq(
	$$SELECT user_id, login_name, is_primary FROM multitenant.login_names_projection WHERE instance_id = 'h1-a' ORDER BY user_id, login_name$$,
	$$VALUES ('m1'::text, 'svc@a.example.com'::text, true), ('m1', 'svc@b.example.com', false),
	         ('u1', 'alice2@a.example.com', true), ('u1', 'alice2@b.example.com', false),
	         ('u2', 'carol', true), ('u4', 'erin', true)$$,
	'an org policy requiring the domain gives one login name per verified org domain; the default keeps the bare name');

DO $$ BEGIN
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.primary.set', '{"domain": "b.example.com"}', 138);
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.removed', '{"domain": "a.example.com"}', 139);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.domain.changed', '{"validateOrgDomains": false}', 140);
END $$;

SELECT results_eq(
	$$SELECT instance_id, name, is_primary, resource_owner FROM multitenant.login_names_projection_domains
	   WHERE instance_id = 'h1-a' ORDER BY name$$,
	$$VALUES ('h1-a'::text, 'b.example.com'::text, true, 'org-1'::text)$$,
	'org.domain.primary.set moves the primary flag, org.domain.removed deletes the domain');

SELECT results_eq(
	$$SELECT instance_id, resource_owner, must_be_domain, is_default FROM multitenant.login_names_projection_policies
	   WHERE instance_id = 'h1-a' ORDER BY resource_owner$$,
	$$VALUES ('h1-a'::text, 'h1-a'::text, false, true), ('h1-a', 'org-1', true, false)$$,
	'domain policies: instance default and org policy; a change without userLoginMustBeDomain is a no-op');

DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'h1-a', 'instance.policy.domain.changed', '{"userLoginMustBeDomain": true}', 141);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.domain.changed', '{"userLoginMustBeDomain": false}', 142);
END $$;

SELECT results_eq(
	$$SELECT user_id, login_name, is_primary FROM multitenant.login_names_projection WHERE instance_id = 'h1-a' ORDER BY user_id, login_name$$,
	$$VALUES ('m1'::text, 'svc'::text, true), ('u1', 'alice2', true), ('u2', 'carol@', true), ('u4', 'erin@', true)$$,
	'the org policy wins over the default; with the default requiring a domain and none verified, Zitadel yields name@');

DO $$ BEGIN
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.domain.removed', NULL, 143);
	PERFORM pg_temp.ev('instance', 'h1-b', 'instance.policy.domain.added', '{"userLoginMustBeDomain": false}', 144, 'h1-b');
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.added', '{"domain": "b1.example.com"}', 145, 'h1-b');
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.verified', '{"domain": "b1.example.com"}', 146, 'h1-b');
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.domain.added', '{"userLoginMustBeDomain": true}', 147, 'h1-b');
END $$;

SELECT results_eq(
	$$SELECT instance_id, user_id, login_name, is_primary FROM multitenant.login_names_projection
	   WHERE instance_id IN ('h1-a', 'h1-b') AND user_id IN ('u1', 'm1') ORDER BY instance_id, user_id, login_name$$,
	$$VALUES ('h1-a'::text, 'm1'::text, 'svc@b.example.com'::text, true), ('h1-a', 'u1', 'alice2@b.example.com', true),
	         ('h1-b', 'u1', 'bob@b1.example.com', false)$$,
	'after org.policy.domain.removed the default applies; the same org id in another tenant has its own domains and policy');

DO $$ BEGIN
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.primary.set', '{"domain": "b1.example.com"}', 148, 'h1-b');
END $$;

SELECT results_eq(
	$$SELECT instance_id, user_id, login_name, is_primary FROM multitenant.login_names_projection
	   WHERE instance_id IN ('h1-a', 'h1-b') AND user_id = 'u1' ORDER BY instance_id$$,
	$$VALUES ('h1-a'::text, 'u1'::text, 'alice2@b.example.com'::text, true), ('h1-b', 'u1', 'bob@b1.example.com', true)$$,
	'org.domain.primary.set in one tenant leaves the other alone');

------------------------------------------------------------------------------
-- org.removed
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.domain.added', '{"userLoginMustBeDomain": true}', 149);
	PERFORM pg_temp.ev('org', 'org-1', 'org.removed', NULL, 150);
END $$;

SELECT results_eq(
	$$SELECT t.tbl, (SELECT pg_catalog.count(*) FROM multitenant.users_projection WHERE instance_id = t.tenant),
	         (SELECT pg_catalog.count(*) FROM multitenant.users_projection_humans WHERE instance_id = t.tenant),
	         (SELECT pg_catalog.count(*) FROM multitenant.users_projection_machines WHERE instance_id = t.tenant),
	         (SELECT pg_catalog.count(*) FROM multitenant.users_projection_notifications WHERE instance_id = t.tenant),
	         (SELECT pg_catalog.count(*) FROM multitenant.user_metadata WHERE instance_id = t.tenant),
	         (SELECT pg_catalog.count(*) FROM multitenant.login_names_projection_users WHERE instance_id = t.tenant),
	         (SELECT pg_catalog.count(*) FROM multitenant.login_names_projection_domains WHERE instance_id = t.tenant),
	         (SELECT pg_catalog.count(*) FROM multitenant.login_names_projection_policies WHERE instance_id = t.tenant)
	    FROM (VALUES (1, 'h1-a'), (2, 'h1-b')) AS t(tbl, tenant) ORDER BY t.tbl$$,
	$$VALUES (1, 2::bigint, 2::bigint, 0::bigint, 2::bigint, 0::bigint, 2::bigint, 0::bigint, 1::bigint),
	         (2, 1::bigint, 1::bigint, 0::bigint, 1::bigint, 1::bigint, 1::bigint, 1::bigint, 2::bigint)$$,
	'org.removed deletes the org''s users (details, metadata), login-name users, domains and policy, in that tenant only');

------------------------------------------------------------------------------
-- Auth requests
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('auth_request', 'ar1', 'auth_request.added',
		'{"login_client": "lc-1", "client_id": "client-1", "redirect_uri": "https://app.example.com/cb", "state": "st", "nonce": "no",
		  "scope": ["openid", "email"], "audience": ["p1"], "response_type": 1, "response_mode": 2,
		  "code_challenge": {"Challenge": "abc", "Method": 1}, "prompt": [2, 3], "ui_locales": ["de", "en"],
		  "max_age": 3600000000000, "login_hint": "alice", "hint_user_id": "u1", "need_refresh_token": true,
		  "issuer": "https://issuer.example.com"}', 160);
	PERFORM pg_temp.ev('auth_request', 'ar2', 'auth_request.added',
		'{"login_client": "lc-1", "client_id": "client-1", "redirect_uri": "https://app.example.com/cb"}', 161);
	PERFORM pg_temp.ev('auth_request', 'ar3', 'auth_request.added', '{"client_id": "client-2"}', 162);
END $$;

SELECT results_eq(
	$$SELECT id, login_client, client_id, redirect_uri, scope, prompt, ui_locales, max_age, login_hint, hint_user_id,
	         resource_owner, creation_date, change_date, sequence
	    FROM multitenant.auth_requests_projection WHERE instance_id = 'h1-a' ORDER BY id$$,
	$$VALUES ('ar1'::text, 'lc-1'::text, 'client-1'::text, 'https://app.example.com/cb'::text, '{openid,email}'::text[], '{2,3}'::smallint[],
	          '{de,en}'::text[], 3600000000000::bigint, 'alice'::text, 'u1'::text, 'h1-a'::text, pg_temp.ts(160), pg_temp.ts(160), 1::bigint),
	         ('ar2', 'lc-1', 'client-1', 'https://app.example.com/cb', '{}', NULL, NULL, NULL, NULL, NULL, 'h1-a', pg_temp.ts(161), pg_temp.ts(161), 1::bigint),
	         ('ar3', '', 'client-2', '', '{}', NULL, NULL, NULL, NULL, NULL, 'h1-a', pg_temp.ts(162), pg_temp.ts(162), 1::bigint)$$,
	'auth_request.added reads the snake_case keys; prompt as smallint[], max_age in ns');

DO $$ BEGIN
	PERFORM pg_temp.ev('auth_request', 'ar3', 'auth_request.succeeded', '{"userID": "u1"}', 163);
	PERFORM pg_temp.ev('auth_request', 'ar2', 'auth_request.failed', '{"reason": 1}', 164);
END $$;

SELECT results_eq(
	$$SELECT id FROM multitenant.auth_requests_projection WHERE instance_id = 'h1-a'$$,
	$$VALUES ('ar1'::text)$$,
	'auth_request.succeeded and auth_request.failed delete the request');

------------------------------------------------------------------------------
-- Milestones
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('milestone', 'h1-a', 'milestone.v2.reached', '{"type": "InstanceCreated"}', 170);
	PERFORM pg_temp.ev('milestone', 'h1-a', 'milestone.v2.reached', '{"type": "ProjectCreated", "reachedDate": "2024-04-01T00:00:00Z"}', 171);
	PERFORM pg_temp.ev('milestone', 'h1-a', 'milestone.v2.reached', '{"type": "AuthenticationSucceededOnApplication"}', 172);
	PERFORM pg_temp.ev('milestone', 'h1-a', 'milestone.v2.pushed',
		'{"type": "InstanceCreated", "externalDomain": "a.example.com", "primaryDomain": "a.example.com", "endpoints": ["https://x"]}', 173);
	PERFORM pg_temp.ev('milestone', 'h1-a', 'milestone.v2.pushed', '{"type": "ProjectCreated", "pushedDate": "2024-04-02T00:00:00Z", "endpoints": []}', 174);
	PERFORM pg_temp.ev('milestone', 'h1-b', 'milestone.v2.reached', '{"type": "InstanceCreated"}', 175, 'h1-b');
END $$;

SELECT results_eq(
	$$SELECT instance_id, type, reached_date, last_pushed_date FROM multitenant.milestones_projection
	   WHERE instance_id IN ('h1-a', 'h1-b') ORDER BY instance_id, type$$,
	$$VALUES ('h1-a'::text, 1::smallint, pg_temp.ts(170), pg_temp.ts(173)),
	         ('h1-a', 3::smallint, '2024-04-01 00:00:00+00'::timestamptz, '2024-04-02 00:00:00+00'::timestamptz),
	         ('h1-a', 5::smallint, pg_temp.ts(172), NULL),
	         ('h1-b', 1::smallint, pg_temp.ts(175), NULL)$$,
	'milestone.v2.reached / pushed: type name mapped to its number, dates from the payload or the event');

SELECT is(pg_temp.ev('milestone', 'h1-a', 'milestone.v2.pushed', '{"type": "InstanceDeleted", "endpoints": []}', 176), 6::bigint,
	'InstanceDeleted pushed');

SELECT results_eq(
	$$SELECT instance_id, type FROM multitenant.milestones_projection WHERE instance_id IN ('h1-a', 'h1-b') ORDER BY instance_id, type$$,
	$$VALUES ('h1-b'::text, 1::smallint)$$,
	'pushing InstanceDeleted deletes every milestone of that tenant only');

------------------------------------------------------------------------------
-- Quotas
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('quota', 'q1', 'quota.added',
		'{"unit": 1, "amount": 1000, "from": "2024-05-01T00:00:00Z", "interval": 86400000000000, "limit": true,
		  "notifications": [{"id": "n1", "percent": 50, "repeat": true, "callUrl": "https://a.example.com/q"},
		                    {"id": "n2", "percent": 90, "callUrl": "https://a.example.com/q2"}]}', 180);
	PERFORM pg_temp.ev('quota', 'q1', 'quota.added', '{"unit": 1, "amount": 5}', 181, 'h1-b');
END $$;

SELECT results_eq(
	$$SELECT instance_id, id, unit, amount, from_anchor, "interval", limit_usage FROM multitenant.quotas_projection
	   WHERE instance_id IN ('h1-a', 'h1-b') ORDER BY instance_id$$,
	$$VALUES ('h1-a'::text, 'q1'::text, 1::smallint, 1000::bigint, '2024-05-01 00:00:00+00'::timestamptz, interval '24 hours', true),
	         ('h1-b', 'q1', 1::smallint, 5::bigint, NULL, NULL, NULL)$$,
	'quota.added upserts the unit''s quota per tenant (interval from ns)');

SELECT results_eq(
	$$SELECT instance_id, unit, id, call_url, percent, repeat, latest_due_period_start, next_due_threshold
	    FROM multitenant.quotas_projection_notifications WHERE instance_id IN ('h1-a', 'h1-b') ORDER BY instance_id, id$$,
	$$VALUES ('h1-a'::text, 1::smallint, 'n1'::text, 'https://a.example.com/q'::text, 50::bigint, true, NULL::timestamptz, NULL::bigint),
	         ('h1-a', 1::smallint, 'n2', 'https://a.example.com/q2', 90::bigint, false, NULL, NULL)$$,
	'quota.added inserts one notification per array element (absent keys as Go zero values)');

DO $$ BEGIN
	PERFORM pg_temp.ev('quota', 'q1', 'quota.notificationdue',
		'{"unit": 1, "id": "n1", "callURL": "https://a.example.com/q", "periodStart": "2024-05-01T00:00:00Z", "threshold": 50, "usage": 600}', 182);
	PERFORM pg_temp.ev('quota', 'q1', 'quota.set', '{"unit": 1, "amount": 2000}', 183);
END $$;

SELECT results_eq(
	$$SELECT q.amount, q.from_anchor, q."interval", q.limit_usage, n.id, n.latest_due_period_start, n.next_due_threshold
	    FROM multitenant.quotas_projection AS q
	    JOIN multitenant.quotas_projection_notifications AS n ON n.instance_id = q.instance_id AND n.unit = q.unit
	   WHERE q.instance_id = 'h1-a' ORDER BY n.id$$,
	$$VALUES (2000::bigint, '2024-05-01 00:00:00+00'::timestamptz, interval '24 hours', true, 'n1'::text, '2024-05-01 00:00:00+00'::timestamptz, 150::bigint),
	         (2000::bigint, '2024-05-01 00:00:00+00'::timestamptz, interval '24 hours', true, 'n2', NULL, NULL)$$,
	'quota.notificationdue sets the next threshold to threshold + 100; quota.set changes only the keys present');

SELECT is(pg_temp.ev('quota', 'q1', 'quota.set',
                     '{"unit": 1, "notifications": [{"id": "n3", "percent": 75, "repeat": false, "callUrl": "https://a.example.com/q3"}]}', 184),
	4::bigint, 'quota.set with notifications only pushed');

SELECT results_eq(
	$$SELECT q.id, q.amount, n.id, n.percent FROM multitenant.quotas_projection AS q
	    JOIN multitenant.quotas_projection_notifications AS n ON n.instance_id = q.instance_id AND n.unit = q.unit
	   WHERE q.instance_id = 'h1-a'$$,
	$$VALUES ('q1'::text, 2000::bigint, 'n3'::text, 75::bigint)$$,
	'notifications present replace the unit''s notifications; the quota itself stays');

INSERT INTO multitenant.quotas_projection_periods (instance_id, unit, start, usage, resource_owner)
VALUES ('h1-a', 1, '2024-05-01 00:00:00+00', 600, 'h1-a'), ('h1-b', 1, '2024-05-01 00:00:00+00', 3, 'h1-b');

SELECT is(pg_temp.ev('quota', 'q1', 'quota.removed', '{"unit": 1}', 185), 5::bigint, 'quota.removed pushed');

SELECT results_eq(
	$$SELECT t.tenant, (SELECT pg_catalog.count(*) FROM multitenant.quotas_projection WHERE instance_id = t.tenant),
	         (SELECT pg_catalog.count(*) FROM multitenant.quotas_projection_notifications WHERE instance_id = t.tenant),
	         (SELECT pg_catalog.count(*) FROM multitenant.quotas_projection_periods WHERE instance_id = t.tenant)
	    FROM (VALUES ('h1-a'), ('h1-b')) AS t(tenant) ORDER BY 1$$,
	$$VALUES ('h1-a'::text, 0::bigint, 0::bigint, 0::bigint), ('h1-b', 1::bigint, 0::bigint, 1::bigint)$$,
	'quota.removed deletes the unit''s quota, notifications and periods in that tenant');

------------------------------------------------------------------------------
-- Limits
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('limits', 'lim', 'limits.set', '{"auditLogRetention": 604800000000000}', 190);
	PERFORM pg_temp.ev('limits', 'lim', 'limits.set', '{"block": true}', 191);
	PERFORM pg_temp.ev('limits', 'lim', 'limits.set', '{"block": false}', 192, 'h1-b');
END $$;

SELECT results_eq(
	$$SELECT instance_id, aggregate_id, resource_owner, audit_log_retention, block, creation_date, change_date, sequence
	    FROM multitenant.limits_projection WHERE instance_id IN ('h1-a', 'h1-b') ORDER BY instance_id$$,
	$$VALUES ('h1-a'::text, 'lim'::text, 'h1-a'::text, interval '7 days', true, pg_temp.ts(190), pg_temp.ts(191), 2::bigint),
	         ('h1-b', 'lim', 'h1-b', NULL, false, pg_temp.ts(192), pg_temp.ts(192), 1::bigint)$$,
	'limits.set upserts per resource owner with the keys present, keeping creation_date');

SELECT is(pg_temp.ev('limits', 'lim', 'limits.reset', NULL, 193), 3::bigint, 'limits.reset pushed');

SELECT results_eq(
	$$SELECT instance_id FROM multitenant.limits_projection WHERE instance_id IN ('h1-a', 'h1-b')$$,
	$$VALUES ('h1-b'::text)$$,
	'limits.reset deletes the limits of that tenant only');

------------------------------------------------------------------------------
-- Payload traps: a key of the wrong JSON type fails the push (22023) and
-- leaves nothing behind.
------------------------------------------------------------------------------
SELECT throws_ok($$SELECT pg_temp.ev('user', 'bad-1', 'user.human.added', '{"userName": 42, "email": "x@example.com"}', 200)$$,
	'22023', NULL, 'user.human.added with a numeric userName fails');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'u2', 'user.human.profile.changed', '{"gender": "female"}', 200)$$,
	'22023', NULL, 'profile gender as a string fails');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'u4', 'user.metadata.set', '{"key": "k", "value": "not base64!"}', 200)$$,
	'22023', NULL, 'metadata value that is not base64 fails');
SELECT throws_ok($$SELECT pg_temp.ev('session', 's1', 'session.metadata.set', '{"metadata": "k=v"}', 200)$$,
	'22023', NULL, 'session metadata that is not an object fails');
SELECT throws_ok($$SELECT pg_temp.ev('session', 's1', 'session.metadata.set', '{"metadata": {"k": 1}}', 200)$$,
	'22023', NULL, 'session metadata values must be base64 strings');
SELECT throws_ok($$SELECT pg_temp.ev('session', 's9', 'session.added', '{"user_agent": "Firefox"}', 200)$$,
	'22023', NULL, 'session user_agent that is not an object fails');
SELECT throws_ok($$SELECT pg_temp.ev('session', 's9', 'session.added', '{"user_agent": {"header": {"Accept": "de"}}}', 200)$$,
	'22023', NULL, 'user_agent header values must be arrays of strings');
SELECT throws_ok($$SELECT pg_temp.ev('auth_request', 'ar9', 'auth_request.added', '{"client_id": "c", "prompt": ["login"]}', 200)$$,
	'22023', NULL, 'auth request prompt names instead of numbers fail');
SELECT throws_ok($$SELECT pg_temp.ev('milestone', 'h1-a', 'milestone.v2.reached', '{"type": "FirstCoffee"}', 200)$$,
	'22023', NULL, 'an unknown milestone type name fails');
SELECT throws_ok($$SELECT pg_temp.ev('milestone', 'h1-a', 'milestone.v2.reached', '{"type": 2}', 200)$$,
	'22023', NULL, 'a milestone type given as a number fails');
SELECT throws_ok($$SELECT pg_temp.ev('quota', 'q9', 'quota.added', '{"unit": 2, "amount": 1, "notifications": {"id": "n"}}', 200)$$,
	'22023', NULL, 'quota notifications that are not an array fail');
SELECT throws_ok($$SELECT pg_temp.ev('limits', 'lim', 'limits.set', '{"block": "yes"}', 200)$$,
	'22023', NULL, 'limits block as a string fails');
SELECT throws_ok($$SELECT pg_temp.ev('session', 's1', 'session.lifetime.set', '{"lifetime": "24h"}', 200)$$,
	'22023', NULL, 'a session lifetime that is not a number of nanoseconds fails');

SELECT results_eq(
	$$SELECT (SELECT pg_catalog.count(*) FROM multitenant.events WHERE instance_id = 'h1-a' AND created_at = pg_temp.ts(200)),
	         (SELECT pg_catalog.count(*) FROM multitenant.users_projection WHERE instance_id = 'h1-a' AND id = 'bad-1'),
	         (SELECT pg_catalog.count(*) FROM multitenant.quotas_projection WHERE instance_id = 'h1-a'),
	         (SELECT metadata FROM multitenant.sessions_projection WHERE instance_id = 'h1-a' AND id = 's1')$$,
	$$VALUES (0::bigint, 0::bigint, 0::bigint, '{"k1": "djE=", "k2": ""}'::jsonb)$$,
	'failed pushes leave neither events nor rows');

------------------------------------------------------------------------------
-- Rebuild equals inline reduction; instance.removed
------------------------------------------------------------------------------
CREATE TEMPORARY TABLE h1_before AS
SELECT 'users' AS tbl, to_jsonb(t) AS r FROM multitenant.users_projection AS t WHERE instance_id = 'h1-a'
UNION ALL SELECT 'humans', to_jsonb(t) FROM multitenant.users_projection_humans AS t WHERE instance_id = 'h1-a'
UNION ALL SELECT 'notifications', to_jsonb(t) FROM multitenant.users_projection_notifications AS t WHERE instance_id = 'h1-a'
UNION ALL SELECT 'metadata', to_jsonb(t) FROM multitenant.user_metadata AS t WHERE instance_id = 'h1-a'
UNION ALL SELECT 'sessions', to_jsonb(t) FROM multitenant.sessions_projection AS t WHERE instance_id = 'h1-a';

SELECT ok(multitenant.rebuild('multitenant.users_projection', 'h1-a') > 0
          AND multitenant.rebuild('multitenant.sessions_projection', 'h1-a') > 0, 'rebuild of users and sessions for one tenant');

SELECT set_eq(
	$$SELECT 'users' AS tbl, to_jsonb(t) AS r FROM multitenant.users_projection AS t WHERE instance_id = 'h1-a'
	  UNION ALL SELECT 'humans', to_jsonb(t) FROM multitenant.users_projection_humans AS t WHERE instance_id = 'h1-a'
	  UNION ALL SELECT 'notifications', to_jsonb(t) FROM multitenant.users_projection_notifications AS t WHERE instance_id = 'h1-a'
	  UNION ALL SELECT 'metadata', to_jsonb(t) FROM multitenant.user_metadata AS t WHERE instance_id = 'h1-a'
	  UNION ALL SELECT 'sessions', to_jsonb(t) FROM multitenant.sessions_projection AS t WHERE instance_id = 'h1-a'$$,
	$$SELECT tbl, r FROM h1_before$$,
	'rebuilt rows equal the inline ones');

SELECT is(pg_temp.ev('instance', 'h1-b', 'instance.removed', NULL, 210, 'h1-b'), 3::bigint, 'instance.removed pushed for h1-b');

SELECT results_eq(
	$$SELECT t.tenant,
	         (SELECT pg_catalog.count(*) FROM multitenant.users_projection WHERE instance_id = t.tenant)
	       + (SELECT pg_catalog.count(*) FROM multitenant.users_projection_humans WHERE instance_id = t.tenant)
	       + (SELECT pg_catalog.count(*) FROM multitenant.users_projection_machines WHERE instance_id = t.tenant)
	       + (SELECT pg_catalog.count(*) FROM multitenant.users_projection_notifications WHERE instance_id = t.tenant)
	       + (SELECT pg_catalog.count(*) FROM multitenant.user_metadata WHERE instance_id = t.tenant)
	       + (SELECT pg_catalog.count(*) FROM multitenant.login_names_projection_users WHERE instance_id = t.tenant)
	       + (SELECT pg_catalog.count(*) FROM multitenant.login_names_projection_domains WHERE instance_id = t.tenant)
	       + (SELECT pg_catalog.count(*) FROM multitenant.login_names_projection_policies WHERE instance_id = t.tenant)
	       + (SELECT pg_catalog.count(*) FROM multitenant.sessions_projection WHERE instance_id = t.tenant)
	       + (SELECT pg_catalog.count(*) FROM multitenant.auth_requests_projection WHERE instance_id = t.tenant)
	       + (SELECT pg_catalog.count(*) FROM multitenant.milestones_projection WHERE instance_id = t.tenant)
	       + (SELECT pg_catalog.count(*) FROM multitenant.quotas_projection WHERE instance_id = t.tenant)
	       + (SELECT pg_catalog.count(*) FROM multitenant.quotas_projection_notifications WHERE instance_id = t.tenant)
	       + (SELECT pg_catalog.count(*) FROM multitenant.quotas_projection_periods WHERE instance_id = t.tenant)
	       + (SELECT pg_catalog.count(*) FROM multitenant.limits_projection WHERE instance_id = t.tenant),
	         (SELECT pg_catalog.count(*) FROM multitenant.login_names_projection WHERE instance_id = t.tenant)
	    FROM (VALUES ('h1-a'), ('h1-b')) AS t(tenant) ORDER BY 1$$,
	$$VALUES ('h1-a'::text, 11::bigint, 2::bigint), ('h1-b', 0::bigint, 0::bigint)$$,
	'instance.removed deletes every identity row of that tenant and no other');

SELECT * FROM finish();
ROLLBACK;
