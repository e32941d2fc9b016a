-- personal_access_tokens_projection (Zitadel's columns plus our
-- token_hash), lockout_policies_projection and
-- login_failures_projection (the failed-check counters of the lockout flow):
-- every reducer, two tenants with the same ids, removals and cascades, bad
-- payloads (wrong JSON types, malformed token hashes), rebuild and
-- instance.removed.  Runs as superuser, so row-level security is bypassed
-- and every push names its tenant; every query filters by tenant (the suite
-- also runs in upgraded databases).  Isolation as an application role is
-- test/pgtap/060_isolation.sql's.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(49);

\ir ../fixtures/pgtap_events.sql

-- The tokenHash create_pat writes: SHA-256 of the token as 64 hex digits.
CREATE FUNCTION pg_temp.h(s text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(s, 'UTF8')), 'hex') $$;

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'm1', 'user.machine.added', '{"userName": "svc1", "name": "Service 1"}', 1, owner => 'org-1');
	PERFORM pg_temp.ev('user', 'm2', 'user.machine.added', '{"userName": "svc2", "name": "Service 2"}', 2, owner => 'org-2');
	PERFORM pg_temp.ev('user', 'u1', 'user.human.added', '{"userName": "alice", "email": "a@a.test"}', 3, owner => 'org-1');
	PERFORM pg_temp.ev('user', 'm1', 'user.machine.added', '{"userName": "svc1-b", "name": "Service 1 of B"}', 4, 'tenant-b', 'org-1');
	PERFORM pg_temp.ev('user', 'u1', 'user.human.added', '{"userName": "alice-b", "email": "a@b.test"}', 5, 'tenant-b', 'org-1');
END $$;

------------------------------------------------------------------------------
-- personal_access_tokens_projection: catalog
------------------------------------------------------------------------------
SELECT results_eq(
	$$SELECT a.attname::text COLLATE "default", pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
	         pg_catalog.pg_get_expr(d.adbin, d.adrelid) COLLATE "default"
	    FROM pg_catalog.pg_attribute AS a
	    LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	   WHERE a.attrelid = 'multitenant.personal_access_tokens_projection'::regclass AND a.attnum > 0 AND NOT a.attisdropped
	   ORDER BY a.attname$$,
	$$VALUES ('change_date'::text, 'timestamp with time zone'::text, true, NULL::text), ('creation_date', 'timestamp with time zone', true, NULL),
	         ('expiration', 'timestamp with time zone', true, NULL), ('id', 'text', true, NULL), ('instance_id', 'text', true, NULL),
	         ('owner_removed', 'boolean', true, 'false'), ('resource_owner', 'text', true, NULL), ('scopes', 'text[]', false, NULL),
	         ('sequence', 'bigint', true, NULL), ('token_hash', 'bytea', false, NULL), ('user_id', 'text', true, NULL)$$,
	'the columns of Zitadel''s personal access token projection plus a nullable token_hash');

SELECT results_eq(
	$$SELECT pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index AS i
	   WHERE i.indrelid = 'multitenant.personal_access_tokens_projection'::regclass ORDER BY 1$$,
	$$VALUES ('CREATE INDEX personal_access_tokens_projection_resource_owner_idx ON multitenant.personal_access_tokens_projection USING btree (instance_id, resource_owner)'::text),
	         ('CREATE INDEX personal_access_tokens_projection_user_id_idx ON multitenant.personal_access_tokens_projection USING btree (instance_id, user_id)'),
	         ('CREATE UNIQUE INDEX personal_access_tokens_projection_pkey ON multitenant.personal_access_tokens_projection USING btree (instance_id, id)'),
	         ('CREATE UNIQUE INDEX personal_access_tokens_projection_token_hash_key ON multitenant.personal_access_tokens_projection USING btree (token_hash)')$$,
	'key (instance_id, id), user and owner indexes led by instance_id, and the token hash unique across tenants');

SELECT results_eq(
	$$SELECT pg_catalog.pg_get_constraintdef(c.oid) FROM pg_catalog.pg_constraint AS c
	   WHERE c.conrelid = 'multitenant.personal_access_tokens_projection'::regclass AND c.conname = 'personal_access_tokens_projection_token_hash_check'$$,
	$$VALUES ('CHECK (((token_hash IS NULL) OR (octet_length(token_hash) = 32)))'::text)$$,
	'a token hash is NULL or 32 bytes');

------------------------------------------------------------------------------
-- personal_access_tokens_projection: added
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'm1', 'user.pat.added',
		jsonb_build_object('tokenId', 'pat-1', 'expiration', '2030-01-01T00:00:00Z', 'scopes', '["openid", "profile"]'::jsonb,
		                   'tokenHash', pg_temp.h('a:pat-1')), 10);
	PERFORM pg_temp.ev('user', 'm1', 'user.pat.added', '{"tokenId": "pat-2"}', 11);
	PERFORM pg_temp.ev('user', 'm2', 'user.pat.added',
		jsonb_build_object('tokenId', 'pat-3', 'expiration', '2029-06-30T12:00:00+02:00', 'scopes', '[]'::jsonb,
		                   'tokenHash', pg_catalog.upper(pg_temp.h('a:pat-3'))), 12);
	PERFORM pg_temp.ev('user', 'm1', 'user.pat.added',
		jsonb_build_object('tokenId', 'pat-1', 'expiration', '2031-01-01T00:00:00Z', 'tokenHash', pg_temp.h('b:pat-1')), 13, 'tenant-b');
END $$;

SELECT results_eq(
	$$SELECT instance_id, id, user_id, resource_owner, expiration, scopes, owner_removed, creation_date, change_date, sequence
	    FROM multitenant.personal_access_tokens_projection WHERE instance_id IN ('tenant-a', 'tenant-b') ORDER BY instance_id, id$$,
	$$VALUES ('tenant-a'::text, 'pat-1'::text, 'm1'::text, 'org-1'::text, '2030-01-01 00:00:00+00'::timestamptz, '{openid,profile}'::text[], false,
	          pg_temp.ts(10), pg_temp.ts(10), 2::bigint),
	         ('tenant-a', 'pat-2', 'm1', 'org-1', '9999-12-31 23:59:59+00', NULL, false, pg_temp.ts(11), pg_temp.ts(11), 3::bigint),
	         ('tenant-a', 'pat-3', 'm2', 'org-2', '2029-06-30 10:00:00+00', '{}', false, pg_temp.ts(12), pg_temp.ts(12), 2::bigint),
	         ('tenant-b', 'pat-1', 'm1', 'org-1', '2031-01-01 00:00:00+00', NULL, false, pg_temp.ts(13), pg_temp.ts(13), 2::bigint)$$,
	'user.pat.added: one row per token and tenant; no expiration is 9999-12-31 23:59:59 UTC; absent scopes NULL');

SELECT results_eq(
	$$SELECT instance_id, id, token_hash FROM multitenant.personal_access_tokens_projection
	   WHERE instance_id IN ('tenant-a', 'tenant-b') ORDER BY instance_id, id$$,
	$$VALUES ('tenant-a'::text, 'pat-1'::text, pg_catalog.sha256('a:pat-1'::bytea)),
	         ('tenant-a', 'pat-2', NULL),
	         ('tenant-a', 'pat-3', pg_catalog.sha256('a:pat-3'::bytea)),
	         ('tenant-b', 'pat-1', pg_catalog.sha256('b:pat-1'::bytea))$$,
	'token_hash holds the 32 bytes of tokenHash (hex in either case); a Zitadel event without one gives NULL');

------------------------------------------------------------------------------
-- personal_access_tokens_projection: bad payloads fail the push and leave
-- nothing behind
------------------------------------------------------------------------------
SELECT throws_ok($$SELECT pg_temp.ev('user', 'm1', 'user.pat.added', jsonb_build_object('tokenId', 'pat-x', 'tokenHash', pg_catalog.repeat('zz', 32)), 90)$$,
	'22023', 'reducer for event type "user.pat.added" on projection multitenant.personal_access_tokens_projection failed: payload key "tokenHash" must be a SHA-256 digest as 64 hexadecimal digits',
	'a tokenHash of 64 characters that are not hex digits fails, naming the event, the projection and the key');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'm1', 'user.pat.added', jsonb_build_object('tokenId', 'pat-x', 'tokenHash', pg_catalog.left(pg_temp.h('x'), 62)), 90)$$,
	'22023', NULL, 'a tokenHash of 31 bytes fails');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'm1', 'user.pat.added', jsonb_build_object('tokenId', 'pat-x', 'tokenHash', pg_temp.h('x') || '00'), 90)$$,
	'22023', NULL, 'a tokenHash of 33 bytes fails');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'm1', 'user.pat.added', jsonb_build_object('tokenId', 'pat-x', 'tokenHash', ' ' || pg_temp.h('x')), 90)$$,
	'22023', NULL, 'a tokenHash with whitespace (which decode() would skip) fails');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'm1', 'user.pat.added', '{"tokenId": "pat-x", "tokenHash": ""}', 90)$$,
	'22023', NULL, 'an empty tokenHash fails');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'm1', 'user.pat.added', '{"tokenId": "pat-x", "tokenHash": 12345}', 90)$$,
	'22023', NULL, 'a numeric tokenHash fails');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'm1', 'user.pat.added', '{"tokenId": "pat-x", "scopes": "openid"}', 90)$$,
	'22023', NULL, 'scopes that are not an array fail');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'm1', 'user.pat.added', '{"tokenId": "pat-x", "expiration": 1893456000}', 90)$$,
	'22023', NULL, 'an expiration that is not a string fails');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'm1', 'user.pat.added', '{"tokenId": 5}', 90)$$,
	'22023', NULL, 'a numeric tokenId fails');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'm1', 'user.pat.added', jsonb_build_object('tokenId', 'pat-x', 'tokenHash', pg_temp.h('b:pat-1')), 90)$$,
	'23505', NULL, 'a token hash that another tenant holds fails: a hash names one token everywhere');

SELECT results_eq(
	$$SELECT (SELECT pg_catalog.count(*) FROM multitenant.events WHERE instance_id = 'tenant-a' AND created_at = pg_temp.ts(90)),
	         (SELECT pg_catalog.count(*) FROM multitenant.personal_access_tokens_projection WHERE instance_id IN ('tenant-a', 'tenant-b'))$$,
	$$VALUES (0::bigint, 4::bigint)$$,
	'failed pushes leave neither events nor rows');

------------------------------------------------------------------------------
-- personal_access_tokens_projection: removed
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'm1', 'user.pat.removed', '{"tokenId": "pat-2"}', 20);
	PERFORM pg_temp.ev('user', 'm1', 'user.pat.removed', '{"tokenId": "pat-1"}', 21, 'tenant-b');
	PERFORM pg_temp.ev('user', 'u1', 'user.pat.added', jsonb_build_object('tokenId', 'pat-4', 'tokenHash', pg_temp.h('a:pat-4')), 22);
	PERFORM pg_temp.ev('user', 'u1', 'user.pat.added', jsonb_build_object('tokenId', 'pat-4', 'tokenHash', pg_temp.h('b:pat-4')), 23, 'tenant-b');
END $$;

SELECT results_eq(
	$$SELECT instance_id, id FROM multitenant.personal_access_tokens_projection WHERE instance_id IN ('tenant-a', 'tenant-b') ORDER BY 1, 2$$,
	$$VALUES ('tenant-a'::text, 'pat-1'::text), ('tenant-a', 'pat-3'), ('tenant-a', 'pat-4'), ('tenant-b', 'pat-4')$$,
	'user.pat.removed deletes the token it names in its tenant only');

SELECT is(pg_temp.ev('user', 'u1', 'user.removed', NULL, 24), 3::bigint, 'user.removed pushed for u1 of tenant-a');

SELECT results_eq(
	$$SELECT instance_id, id FROM multitenant.personal_access_tokens_projection WHERE instance_id IN ('tenant-a', 'tenant-b') ORDER BY 1, 2$$,
	$$VALUES ('tenant-a'::text, 'pat-1'::text), ('tenant-a', 'pat-3'), ('tenant-b', 'pat-4')$$,
	'user.removed deletes the user''s tokens in that tenant only');

SELECT is(pg_temp.ev('org', 'org-2', 'org.removed', NULL, 25), 1::bigint, 'org.removed pushed for org-2');

SELECT results_eq(
	$$SELECT instance_id, id FROM multitenant.personal_access_tokens_projection WHERE instance_id IN ('tenant-a', 'tenant-b') ORDER BY 1, 2$$,
	$$VALUES ('tenant-a'::text, 'pat-1'::text), ('tenant-b', 'pat-4')$$,
	'org.removed deletes the tokens the org owns');

SELECT lives_ok($$SELECT pg_temp.ev('user', 'm1', 'user.pat.added', jsonb_build_object('tokenId', 'pat-5', 'tokenHash', pg_temp.h('a:pat-3')), 26)$$,
	'the hash of a removed token is free again');

------------------------------------------------------------------------------
-- lockout_policies_projection
------------------------------------------------------------------------------
SELECT results_eq(
	$$SELECT a.attname::text COLLATE "default", pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
	         pg_catalog.pg_get_expr(d.adbin, d.adrelid) COLLATE "default"
	    FROM pg_catalog.pg_attribute AS a
	    LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	   WHERE a.attrelid = 'multitenant.lockout_policies_projection'::regclass AND a.attnum > 0 AND NOT a.attisdropped
	   ORDER BY a.attname$$,
	$$VALUES ('change_date'::text, 'timestamp with time zone'::text, true, NULL::text), ('creation_date', 'timestamp with time zone', true, NULL),
	         ('id', 'text', true, NULL), ('instance_id', 'text', true, NULL), ('is_default', 'boolean', true, 'false'),
	         ('max_otp_attempts', 'bigint', true, '0'), ('max_password_attempts', 'bigint', true, NULL),
	         ('resource_owner', 'text', true, NULL), ('sequence', 'bigint', true, NULL), ('show_failure', 'boolean', true, NULL),
	         ('state', 'smallint', true, NULL)$$,
	'lockout_policies_projection: the columns Zitadel''s lockout policy projection has');

SELECT results_eq(
	$$SELECT pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index AS i
	   WHERE i.indrelid = 'multitenant.lockout_policies_projection'::regclass ORDER BY 1$$,
	$$VALUES ('CREATE INDEX lockout_policies_projection_resource_owner_idx ON multitenant.lockout_policies_projection USING btree (instance_id, resource_owner)'::text),
	         ('CREATE UNIQUE INDEX lockout_policies_projection_pkey ON multitenant.lockout_policies_projection USING btree (instance_id, id)')$$,
	'lockout_policies_projection: key (instance_id, id) and the resource owner index for org.removed');

DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.lockout.added',
		'{"maxPasswordAttempts": 5, "maxOTPAttempts": 3, "showLockOutFailures": true}', 30);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.lockout.added', '{"maxPasswordAttempts": 3}', 31);
	PERFORM pg_temp.ev('org', 'org-3', 'org.policy.lockout.added', '{"maxPasswordAttempts": 10, "maxOTPAttempts": 10, "showLockOutFailures": true}', 32);
	PERFORM pg_temp.ev('instance', 'tenant-b', 'instance.policy.lockout.added', '{"maxPasswordAttempts": 7}', 33, 'tenant-b');
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.lockout.added', '{"maxOTPAttempts": 2, "showLockOutFailures": true}', 34, 'tenant-b');
END $$;

SELECT results_eq(
	$$SELECT instance_id, id, state, is_default, resource_owner, max_password_attempts, max_otp_attempts, show_failure,
	         creation_date, change_date, sequence
	    FROM multitenant.lockout_policies_projection WHERE instance_id IN ('tenant-a', 'tenant-b') ORDER BY instance_id, id$$,
	$$VALUES ('tenant-a'::text, 'org-1'::text, 1::smallint, false, 'org-1'::text, 3::bigint, 0::bigint, false, pg_temp.ts(31), pg_temp.ts(31), 1::bigint),
	         ('tenant-a', 'org-3', 1::smallint, false, 'org-3', 10::bigint, 10::bigint, true, pg_temp.ts(32), pg_temp.ts(32), 1::bigint),
	         ('tenant-a', 'tenant-a', 1::smallint, true, 'tenant-a', 5::bigint, 3::bigint, true, pg_temp.ts(30), pg_temp.ts(30), 1::bigint),
	         ('tenant-b', 'org-1', 1::smallint, false, 'org-1', 0::bigint, 2::bigint, true, pg_temp.ts(34), pg_temp.ts(34), 1::bigint),
	         ('tenant-b', 'tenant-b', 1::smallint, true, 'tenant-b', 7::bigint, 0::bigint, false, pg_temp.ts(33), pg_temp.ts(33), 1::bigint)$$,
	'added: id = the org or instance, state 1, is_default false / true, absent keys as Go zero values, per tenant');

DO $$ BEGIN
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.lockout.changed', '{"maxOTPAttempts": 4}', 35);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.lockout.changed', '{"maxPasswordAttempts": 6, "showLockOutFailures": false}', 36);
	PERFORM pg_temp.ev('org', 'org-3', 'org.policy.lockout.changed', '{}', 37);
	PERFORM pg_temp.ev('org', 'org-3', 'org.policy.lockout.changed', '{"maxPasswordAttempts": null}', 38);
END $$;

SELECT results_eq(
	$$SELECT id, max_password_attempts, max_otp_attempts, show_failure, creation_date, change_date, sequence
	    FROM multitenant.lockout_policies_projection WHERE instance_id = 'tenant-a' ORDER BY id$$,
	$$VALUES ('org-1'::text, 3::bigint, 4::bigint, false, pg_temp.ts(31), pg_temp.ts(35), 2::bigint),
	         ('org-3', 10::bigint, 10::bigint, true, pg_temp.ts(32), pg_temp.ts(38), 3::bigint),
	         ('tenant-a', 6::bigint, 3::bigint, false, pg_temp.ts(30), pg_temp.ts(36), 2::bigint)$$,
	'changed: only the keys present (null counts as absent), always touching the row');

SELECT results_eq(
	$$SELECT id, max_otp_attempts, change_date FROM multitenant.lockout_policies_projection WHERE instance_id = 'tenant-b' AND id = 'org-1'$$,
	$$VALUES ('org-1'::text, 2::bigint, pg_temp.ts(34))$$,
	'the same org id in the other tenant is left alone');

DO $$ BEGIN
	PERFORM pg_temp.ev('org', 'org-3', 'org.policy.lockout.removed', NULL, 39);
	PERFORM pg_temp.ev('org', 'org-4', 'org.policy.lockout.added', '{"maxPasswordAttempts": 1}', 40);
	PERFORM pg_temp.ev('org', 'org-4', 'org.removed', NULL, 41);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.lockout.removed', NULL, 42, 'tenant-b');
END $$;

SELECT results_eq(
	$$SELECT instance_id, id FROM multitenant.lockout_policies_projection WHERE instance_id IN ('tenant-a', 'tenant-b') ORDER BY 1, 2$$,
	$$VALUES ('tenant-a'::text, 'org-1'::text), ('tenant-a', 'tenant-a'), ('tenant-b', 'tenant-b')$$,
	'org.policy.lockout.removed and org.removed delete the org''s policy in their tenant; the defaults stay');

SELECT throws_ok($$SELECT pg_temp.ev('org', 'org-5', 'org.policy.lockout.added', '{"maxPasswordAttempts": "5"}', 90)$$,
	'22023', NULL, 'maxPasswordAttempts as a string fails');
SELECT throws_ok($$SELECT pg_temp.ev('org', 'org-5', 'org.policy.lockout.added', '{"maxOTPAttempts": 1.5}', 90)$$,
	'22023', NULL, 'maxOTPAttempts that is not an integer fails');
SELECT throws_ok($$SELECT pg_temp.ev('org', 'org-1', 'org.policy.lockout.changed', '{"showLockOutFailures": "yes"}', 90)$$,
	'22023', NULL, 'showLockOutFailures as a string fails');

SELECT results_eq(
	$$SELECT (SELECT pg_catalog.count(*) FROM multitenant.events WHERE instance_id = 'tenant-a' AND created_at = pg_temp.ts(90)),
	         (SELECT show_failure FROM multitenant.lockout_policies_projection WHERE instance_id = 'tenant-a' AND id = 'org-1'),
	         (SELECT pg_catalog.count(*) FROM multitenant.lockout_policies_projection WHERE instance_id = 'tenant-a' AND id = 'org-5')$$,
	$$VALUES (0::bigint, false, 0::bigint)$$,
	'failed pushes leave neither events nor rows');

------------------------------------------------------------------------------
-- login_failures_projection
------------------------------------------------------------------------------
SELECT results_eq(
	$$SELECT a.attname::text COLLATE "default", pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
	         pg_catalog.pg_get_expr(d.adbin, d.adrelid) COLLATE "default"
	    FROM pg_catalog.pg_attribute AS a
	    LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	   WHERE a.attrelid = 'multitenant.login_failures_projection'::regclass AND a.attnum > 0 AND NOT a.attisdropped
	   ORDER BY a.attnum$$,
	$$VALUES ('instance_id'::text, 'text'::text, true, NULL::text), ('user_id', 'text', true, NULL),
	         ('creation_date', 'timestamp with time zone', true, NULL), ('change_date', 'timestamp with time zone', true, NULL),
	         ('sequence', 'bigint', true, NULL), ('resource_owner', 'text', true, NULL),
	         ('password_failures', 'integer', true, '0'), ('totp_failures', 'integer', true, '0'),
	         ('otp_sms_failures', 'integer', true, '0'), ('otp_email_failures', 'integer', true, '0')$$,
	'login_failures_projection: standard columns and four counters');

SELECT results_eq(
	$$SELECT pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index AS i
	   WHERE i.indrelid = 'multitenant.login_failures_projection'::regclass ORDER BY 1$$,
	$$VALUES ('CREATE INDEX login_failures_projection_resource_owner_idx ON multitenant.login_failures_projection USING btree (instance_id, resource_owner)'::text),
	         ('CREATE UNIQUE INDEX login_failures_projection_pkey ON multitenant.login_failures_projection USING btree (instance_id, user_id)')$$,
	'login_failures_projection: key (instance_id, user_id) and the resource owner index for org.removed');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u2', 'user.human.added', '{"userName": "bob"}', 50, owner => 'org-1');
	PERFORM pg_temp.ev('user', 'u2', 'user.human.password.check.failed', '{"userAgentID": "ua"}', 51);
	PERFORM pg_temp.ev('user', 'u2', 'user.human.password.check.failed', NULL, 52);
	PERFORM pg_temp.ev('user', 'u2', 'user.human.mfa.otp.check.failed', NULL, 53);
	PERFORM pg_temp.ev('user', 'u2', 'user.human.mfa.otp.sms.check.failed', NULL, 54);
	PERFORM pg_temp.ev('user', 'u2', 'user.human.mfa.otp.email.check.failed', NULL, 55);
	PERFORM pg_temp.ev('user', 'u2', 'user.human.mfa.otp.email.check.failed', NULL, 56);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.password.check.failed', NULL, 57, 'tenant-b');
END $$;

SELECT results_eq(
	$$SELECT instance_id, user_id, resource_owner, password_failures, totp_failures, otp_sms_failures, otp_email_failures,
	         creation_date, change_date, sequence
	    FROM multitenant.login_failures_projection WHERE instance_id IN ('tenant-a', 'tenant-b') ORDER BY instance_id, user_id$$,
	$$VALUES ('tenant-a'::text, 'u2'::text, 'org-1'::text, 2, 1, 1, 2, pg_temp.ts(51), pg_temp.ts(56), 7::bigint),
	         ('tenant-b', 'u1', 'org-1', 1, 0, 0, 0, pg_temp.ts(57), pg_temp.ts(57), 3::bigint)$$,
	'each failed check adds one to its counter; the first one makes the row (creation_date, the user''s org)');

-- One push_many: three failures of u3 and one of u4 in between.
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u3', 'user.human.added', '{"userName": "carol"}', 58, owner => 'org-1');
	PERFORM pg_temp.ev('user', 'u4', 'user.human.added', '{"userName": "dave"}', 59, owner => 'org-3');
END $$;

SELECT is((SELECT pg_catalog.count(*) FROM multitenant.push_many(pg_catalog.jsonb_build_array(
		pg_catalog.jsonb_build_object('aggregate_type', 'user', 'aggregate_id', 'u3', 'event_type', 'user.human.password.check.failed', 'instance_id', 'tenant-a', 'created_at', pg_temp.ts(60)),
		pg_catalog.jsonb_build_object('aggregate_type', 'user', 'aggregate_id', 'u4', 'event_type', 'user.human.password.check.failed', 'instance_id', 'tenant-a', 'created_at', pg_temp.ts(60)),
		pg_catalog.jsonb_build_object('aggregate_type', 'user', 'aggregate_id', 'u3', 'event_type', 'user.human.password.check.failed', 'instance_id', 'tenant-a', 'created_at', pg_temp.ts(61)),
		pg_catalog.jsonb_build_object('aggregate_type', 'user', 'aggregate_id', 'u3', 'event_type', 'user.human.password.check.failed', 'instance_id', 'tenant-a', 'created_at', pg_temp.ts(62))))),
	4::bigint, 'push_many of four failed password checks');

SELECT results_eq(
	$$SELECT user_id, resource_owner, password_failures, creation_date, change_date, sequence
	    FROM multitenant.login_failures_projection WHERE instance_id = 'tenant-a' AND user_id IN ('u3', 'u4') ORDER BY user_id$$,
	$$VALUES ('u3'::text, 'org-1'::text, 3, pg_temp.ts(60), pg_temp.ts(62), 4::bigint),
	         ('u4', 'org-3', 1, pg_temp.ts(60), pg_temp.ts(60), 2::bigint)$$,
	'three failures of one user in one push_many count 3; the other user in the batch counts 1');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u2', 'user.human.password.check.succeeded', '{"userAgentID": "ua"}', 63);
	PERFORM pg_temp.ev('user', 'u2', 'user.human.mfa.otp.email.check.succeeded', NULL, 64);
END $$;

SELECT results_eq(
	$$SELECT password_failures, totp_failures, otp_sms_failures, otp_email_failures, change_date, sequence
	    FROM multitenant.login_failures_projection WHERE instance_id = 'tenant-a' AND user_id = 'u2'$$,
	$$VALUES (0, 1, 1, 0, pg_temp.ts(64), 9::bigint)$$,
	'a succeeded check resets its own counter only');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u2', 'user.human.mfa.otp.check.succeeded', NULL, 65);
	PERFORM pg_temp.ev('user', 'u2', 'user.human.mfa.otp.sms.check.succeeded', NULL, 66);
END $$;

SELECT results_eq(
	$$SELECT password_failures, totp_failures, otp_sms_failures, otp_email_failures, change_date, sequence
	    FROM multitenant.login_failures_projection WHERE instance_id = 'tenant-a' AND user_id = 'u2'$$,
	$$VALUES (0, 0, 0, 0, pg_temp.ts(66), 11::bigint)$$,
	'TOTP and OTP-SMS successes reset theirs');

-- The v1 spellings.
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u2', 'user.password.check.failed', NULL, 67);
	PERFORM pg_temp.ev('user', 'u2', 'user.mfa.otp.check.failed', NULL, 68);
	PERFORM pg_temp.ev('user', 'u2', 'user.mfa.otp.check.failed', NULL, 69);
	PERFORM pg_temp.ev('user', 'u2', 'user.password.check.failed', NULL, 70);
END $$;

SELECT results_eq(
	$$SELECT password_failures, totp_failures FROM multitenant.login_failures_projection WHERE instance_id = 'tenant-a' AND user_id = 'u2'$$,
	$$VALUES (2, 2)$$,
	'user.password.check.failed and user.mfa.otp.check.failed count like the human.* events');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u2', 'user.mfa.otp.check.succeeded', NULL, 71);
END $$;

SELECT results_eq(
	$$SELECT password_failures, totp_failures FROM multitenant.login_failures_projection WHERE instance_id = 'tenant-a' AND user_id = 'u2'$$,
	$$VALUES (2, 0)$$,
	'user.mfa.otp.check.succeeded resets TOTP');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u2', 'user.password.check.succeeded', NULL, 72);
	PERFORM pg_temp.ev('user', 'u5', 'user.human.added', '{"userName": "erin"}', 73, owner => 'org-1');
	PERFORM pg_temp.ev('user', 'u5', 'user.human.password.check.succeeded', NULL, 74);
END $$;

SELECT results_eq(
	$$SELECT user_id, password_failures FROM multitenant.login_failures_projection
	   WHERE instance_id = 'tenant-a' AND user_id IN ('u2', 'u5') ORDER BY 1$$,
	$$VALUES ('u2'::text, 0)$$,
	'user.password.check.succeeded resets the password counter; a success alone makes no row');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u3', 'user.human.mfa.otp.check.failed', NULL, 75);
	PERFORM pg_temp.ev('user', 'u3', 'user.human.mfa.otp.sms.check.failed', NULL, 76);
	PERFORM pg_temp.ev('user', 'u3', 'user.human.mfa.otp.email.check.failed', NULL, 77);
	PERFORM pg_temp.ev('user', 'u3', 'user.locked', NULL, 78);
	PERFORM pg_temp.ev('user', 'u3', 'user.unlocked', NULL, 79);
END $$;

SELECT results_eq(
	$$SELECT password_failures, totp_failures, otp_sms_failures, otp_email_failures, change_date, sequence
	    FROM multitenant.login_failures_projection WHERE instance_id = 'tenant-a' AND user_id = 'u3'$$,
	$$VALUES (0, 0, 0, 0, pg_temp.ts(79), 9::bigint)$$,
	'user.unlocked resets all four counters');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u3', 'user.human.password.check.failed', NULL, 80);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.password.check.failed', NULL, 81, 'tenant-b');
	PERFORM pg_temp.ev('user', 'u2', 'user.removed', NULL, 82);
	PERFORM pg_temp.ev('org', 'org-3', 'org.removed', NULL, 83);
END $$;

SELECT results_eq(
	$$SELECT instance_id, user_id, password_failures FROM multitenant.login_failures_projection
	   WHERE instance_id IN ('tenant-a', 'tenant-b') ORDER BY 1, 2$$,
	$$VALUES ('tenant-a'::text, 'u3'::text, 1), ('tenant-b', 'u1', 2)$$,
	'user.removed deletes the user''s counters, org.removed those of the org''s users (u4 of org-3)');

------------------------------------------------------------------------------
-- Rebuild equals inline reduction; instance.removed
------------------------------------------------------------------------------
CREATE TEMPORARY TABLE p3_before AS
SELECT 'pat' AS tbl, to_jsonb(t) AS r FROM multitenant.personal_access_tokens_projection AS t WHERE instance_id IN ('tenant-a', 'tenant-b')
UNION ALL SELECT 'lockout', to_jsonb(t) FROM multitenant.lockout_policies_projection AS t WHERE instance_id IN ('tenant-a', 'tenant-b')
UNION ALL SELECT 'failures', to_jsonb(t) FROM multitenant.login_failures_projection AS t WHERE instance_id IN ('tenant-a', 'tenant-b');

SELECT ok(multitenant.rebuild('multitenant.personal_access_tokens_projection') > 0
          AND multitenant.rebuild('multitenant.lockout_policies_projection') > 0
          AND multitenant.rebuild('multitenant.login_failures_projection') > 0,
	'rebuild of the three projections');

SELECT set_eq(
	$$SELECT 'pat' AS tbl, to_jsonb(t) AS r FROM multitenant.personal_access_tokens_projection AS t WHERE instance_id IN ('tenant-a', 'tenant-b')
	  UNION ALL SELECT 'lockout', to_jsonb(t) FROM multitenant.lockout_policies_projection AS t WHERE instance_id IN ('tenant-a', 'tenant-b')
	  UNION ALL SELECT 'failures', to_jsonb(t) FROM multitenant.login_failures_projection AS t WHERE instance_id IN ('tenant-a', 'tenant-b')$$,
	$$SELECT tbl, r FROM p3_before$$,
	'rebuilt rows equal the inline ones (the push_many counts included)');

SELECT cmp_ok((SELECT pg_catalog.count(*) FROM p3_before WHERE r ->> 'instance_id' = 'tenant-b'), '>=', 3::bigint,
	'tenant-b has a token, a policy and counters before instance.removed');

SELECT ok(pg_temp.ev('instance', 'tenant-b', 'instance.removed', NULL, 100, 'tenant-b') > 0, 'instance.removed pushed for tenant-b');

SELECT results_eq(
	$$SELECT t.tenant,
	         (SELECT pg_catalog.count(*) FROM multitenant.personal_access_tokens_projection WHERE instance_id = t.tenant),
	         (SELECT pg_catalog.count(*) FROM multitenant.lockout_policies_projection WHERE instance_id = t.tenant),
	         (SELECT pg_catalog.count(*) FROM multitenant.login_failures_projection WHERE instance_id = t.tenant)
	    FROM (VALUES ('tenant-a'), ('tenant-b')) AS t(tenant) ORDER BY 1$$,
	$$VALUES ('tenant-a'::text, 2::bigint, 2::bigint, 1::bigint), ('tenant-b', 0::bigint, 0::bigint, 0::bigint)$$,
	'instance.removed deletes the tokens, policies and counters of that tenant and no other');

SELECT * FROM finish();
ROLLBACK;
