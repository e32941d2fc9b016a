-- user_auth_methods_projection (1.2): second factors and passwordless
-- tokens of users, every event Zitadel's auth method projection reduces,
-- two tenants with the same ids, removals and cascades, wrong JSON
-- types, rebuild and instance.removed.  Runs as superuser, so row-level
-- security is bypassed and every push names its tenant; every query filters
-- by tenant (the suite also runs in upgraded databases).  Isolation as an
-- application role is test/pgtap/060_isolation.sql's.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(30);

\ir ../fixtures/pgtap_events.sql

------------------------------------------------------------------------------
-- Catalog
------------------------------------------------------------------------------
SELECT results_eq(
	$$SELECT a.attname::text COLLATE "default", pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull
	    FROM pg_catalog.pg_attribute AS a
	   WHERE a.attrelid = 'multitenant.user_auth_methods_projection'::regclass AND a.attnum > 0 AND NOT a.attisdropped
	   ORDER BY a.attname$$,
	$$VALUES ('change_date'::text, 'timestamp with time zone'::text, true), ('creation_date', 'timestamp with time zone', true),
	         ('domain', 'text', false), ('instance_id', 'text', true), ('method_type', 'smallint', true), ('name', 'text', true),
	         ('resource_owner', 'text', true), ('sequence', 'bigint', true), ('state', 'smallint', true),
	         ('token_id', 'text', true), ('user_id', 'text', true)$$,
	'the columns of Zitadel''s auth method projection (no id; method_type and state as smallint enums; domain nullable)');

SELECT results_eq(
	$$SELECT pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index AS i
	   WHERE i.indrelid = 'multitenant.user_auth_methods_projection'::regclass ORDER BY 1$$,
	$$VALUES ('CREATE INDEX user_auth_methods_projection_resource_owner_idx ON multitenant.user_auth_methods_projection USING btree (instance_id, resource_owner)'::text),
	         ('CREATE UNIQUE INDEX user_auth_methods_projection_pkey ON multitenant.user_auth_methods_projection USING btree (instance_id, user_id, method_type, token_id)')$$,
	'primary key (instance_id, user_id, method_type, token_id) and the resource owner index for org.removed');

SELECT is_empty(
	$$SELECT conname FROM pg_catalog.pg_constraint
	   WHERE contype = 'f' AND 'multitenant.user_auth_methods_projection'::regclass IN (conrelid, confrelid)$$,
	'no foreign keys: the user.removed and org.removed reducers cascade');

SELECT set_eq(
	$$SELECT DISTINCT event_type FROM multitenant.reducers WHERE projection = 'multitenant.user_auth_methods_projection'::regclass$$,
	$$VALUES ('user.human.passwordless.token.added'), ('user.human.mfa.u2f.token.added'), ('user.human.mfa.otp.added'),
	         ('user.human.passwordless.token.verified'), ('user.human.mfa.u2f.token.verified'), ('user.human.mfa.otp.verified'),
	         ('user.human.mfa.otp.sms.added'), ('user.human.mfa.otp.email.added'),
	         ('user.human.passwordless.token.removed'), ('user.human.mfa.u2f.token.removed'), ('user.human.mfa.otp.removed'),
	         ('user.human.mfa.otp.sms.removed'), ('user.human.phone.removed'), ('user.phone.removed'),
	         ('user.human.mfa.otp.email.removed'), ('user.removed'), ('org.removed'), ('instance.removed')$$,
	'reducers for exactly the events Zitadel''s auth method projection reduces, and instance.removed');

------------------------------------------------------------------------------
-- Added: WebAuthn tokens and TOTP are not ready, OTP by SMS / e-mail ready
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.human.added', '{"userName": "alice", "email": "a@a.test"}', 1, owner => 'org-1');
	PERFORM pg_temp.ev('user', 'u2', 'user.human.added', '{"userName": "bob", "email": "b@a.test"}', 2, owner => 'org-2');
	PERFORM pg_temp.ev('user', 'u1', 'user.human.added', '{"userName": "alice-b", "email": "a@b.test"}', 3, 'tenant-b', 'org-1');
	PERFORM pg_temp.ev('user', 'u1', 'user.human.passwordless.token.added',
		'{"webAuthNTokenId": "pwl-1", "challenge": "c1", "rpID": "a.example.com"}', 10);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.mfa.u2f.token.added', '{"webAuthNTokenId": "u2f-1", "challenge": "c2"}', 11);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.mfa.u2f.token.added',
		'{"webAuthNTokenId": "u2f-2", "challenge": "c3", "rpID": "a.example.com"}', 12);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.mfa.otp.added',
		'{"otpSecret": {"CryptoType": 0, "Algorithm": "aes", "KeyID": "k", "Crypted": "c2VjcmV0"}}', 13);
	PERFORM pg_temp.ev('user', 'u2', 'user.human.mfa.otp.sms.added', NULL, 14);
	PERFORM pg_temp.ev('user', 'u2', 'user.human.mfa.otp.email.added', NULL, 15);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.passwordless.token.added',
		'{"webAuthNTokenId": "pwl-1", "challenge": "c9", "rpID": "b.example.com"}', 16, 'tenant-b');
	PERFORM pg_temp.ev('user', 'u1', 'user.human.mfa.otp.sms.added', NULL, 17, 'tenant-b');
END $$;

SELECT results_eq(
	$$SELECT instance_id, user_id, method_type, token_id, state, name, domain, resource_owner, creation_date, change_date, sequence
	    FROM multitenant.user_auth_methods_projection WHERE instance_id IN ('tenant-a', 'tenant-b')
	   ORDER BY instance_id, user_id, method_type, token_id$$,
	$$VALUES ('tenant-a'::text, 'u1'::text, 1::smallint, ''::text, 1::smallint, ''::text, NULL::text, 'org-1'::text, pg_temp.ts(13), pg_temp.ts(13), 5::bigint),
	         ('tenant-a', 'u1', 2::smallint, 'u2f-1', 1::smallint, '', '', 'org-1', pg_temp.ts(11), pg_temp.ts(11), 3::bigint),
	         ('tenant-a', 'u1', 2::smallint, 'u2f-2', 1::smallint, '', 'a.example.com', 'org-1', pg_temp.ts(12), pg_temp.ts(12), 4::bigint),
	         ('tenant-a', 'u1', 3::smallint, 'pwl-1', 1::smallint, '', 'a.example.com', 'org-1', pg_temp.ts(10), pg_temp.ts(10), 2::bigint),
	         ('tenant-a', 'u2', 6::smallint, '', 2::smallint, '', NULL, 'org-2', pg_temp.ts(14), pg_temp.ts(14), 2::bigint),
	         ('tenant-a', 'u2', 7::smallint, '', 2::smallint, '', NULL, 'org-2', pg_temp.ts(15), pg_temp.ts(15), 3::bigint),
	         ('tenant-b', 'u1', 3::smallint, 'pwl-1', 1::smallint, '', 'b.example.com', 'org-1', pg_temp.ts(16), pg_temp.ts(16), 2::bigint),
	         ('tenant-b', 'u1', 6::smallint, '', 2::smallint, '', NULL, 'org-1', pg_temp.ts(17), pg_temp.ts(17), 3::bigint)$$,
	'added: passwordless 3 / U2F 2 / TOTP 1 not ready (domain = rpID, '''' when absent, NULL for OTP); OTP-SMS 6 / OTP-email 7 ready; same ids per tenant');

------------------------------------------------------------------------------
-- Verified: ready and named, matched on the token
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.human.passwordless.token.verified',
		'{"webAuthNTokenId": "pwl-1", "webAuthNTokenName": "Laptop", "keyId": "a2V5", "publicKey": "cHVi", "signCount": 0}', 20);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.mfa.u2f.token.verified', '{"webAuthNTokenId": "u2f-1", "webAuthNTokenName": "YubiKey"}', 21);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.mfa.otp.verified', '{"userAgentID": "ua"}', 22);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.mfa.u2f.token.verified', '{"webAuthNTokenId": "u2f-9", "webAuthNTokenName": "Ghost"}', 23);
END $$;

SELECT results_eq(
	$$SELECT method_type, token_id, state, name, creation_date, change_date, sequence
	    FROM multitenant.user_auth_methods_projection WHERE instance_id = 'tenant-a' AND user_id = 'u1' ORDER BY method_type, token_id$$,
	$$VALUES (1::smallint, ''::text, 2::smallint, ''::text, pg_temp.ts(13), pg_temp.ts(22), 8::bigint),
	         (2::smallint, 'u2f-1', 2::smallint, 'YubiKey', pg_temp.ts(11), pg_temp.ts(21), 7::bigint),
	         (2::smallint, 'u2f-2', 1::smallint, '', pg_temp.ts(12), pg_temp.ts(12), 4::bigint),
	         (3::smallint, 'pwl-1', 2::smallint, 'Laptop', pg_temp.ts(10), pg_temp.ts(20), 6::bigint)$$,
	'verified: state 2, the token''s name, touched; a verification of an unknown token changes nothing');

SELECT results_eq(
	$$SELECT state, name, change_date FROM multitenant.user_auth_methods_projection
	   WHERE instance_id = 'tenant-b' AND user_id = 'u1' AND method_type = 3$$,
	$$VALUES (1::smallint, ''::text, pg_temp.ts(16))$$,
	'the same token id in the other tenant stays not ready');

-- Added again (re-registration): not ready and unnamed again, new relying
-- party, creation_date kept (Zitadel's upsert keeps it on conflict).
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.human.passwordless.token.added',
		'{"webAuthNTokenId": "pwl-1", "challenge": "c10", "rpID": "login.a.example.com"}', 24);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.mfa.otp.added', NULL, 25);
END $$;

SELECT results_eq(
	$$SELECT method_type, token_id, state, name, domain, creation_date, change_date, sequence
	    FROM multitenant.user_auth_methods_projection WHERE instance_id = 'tenant-a' AND user_id = 'u1' AND method_type IN (1, 3)
	   ORDER BY method_type$$,
	$$VALUES (1::smallint, ''::text, 1::smallint, ''::text, NULL::text, pg_temp.ts(13), pg_temp.ts(25), 11::bigint),
	         (3::smallint, 'pwl-1', 1::smallint, '', 'login.a.example.com', pg_temp.ts(10), pg_temp.ts(24), 10::bigint)$$,
	'added again: upserted back to not ready, creation_date kept');

------------------------------------------------------------------------------
-- Removed
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.human.passwordless.token.removed', '{"webAuthNTokenId": "pwl-9"}', 30);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.mfa.u2f.token.removed', '{"webAuthNTokenId": "u2f-2"}', 31);
END $$;

SELECT results_eq(
	$$SELECT method_type, token_id FROM multitenant.user_auth_methods_projection
	   WHERE instance_id = 'tenant-a' AND user_id = 'u1' ORDER BY method_type, token_id$$,
	$$VALUES (1::smallint, ''::text), (2::smallint, 'u2f-1'), (3::smallint, 'pwl-1')$$,
	'a token removal deletes the token it names (and nothing for an unknown one)');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.human.mfa.u2f.token.added', '{"webAuthNTokenId": "u2f-3", "challenge": "c11"}', 32);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.mfa.u2f.token.removed', '{}', 33);
END $$;

SELECT results_eq(
	$$SELECT method_type, token_id FROM multitenant.user_auth_methods_projection
	   WHERE instance_id = 'tenant-a' AND user_id = 'u1' ORDER BY method_type, token_id$$,
	$$VALUES (1::smallint, ''::text), (3::smallint, 'pwl-1')$$,
	'a U2F removal without a token id deletes every U2F token of the user (Zitadel drops the empty condition)');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.human.passwordless.token.removed', '{"webAuthNTokenId": "pwl-1"}', 34);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.mfa.otp.removed', NULL, 35);
END $$;

SELECT results_eq(
	$$SELECT t.tenant, (SELECT pg_catalog.count(*) FROM multitenant.user_auth_methods_projection
	                     WHERE instance_id = t.tenant AND user_id = 'u1')
	    FROM (VALUES ('tenant-a'), ('tenant-b')) AS t(tenant) ORDER BY 1$$,
	$$VALUES ('tenant-a'::text, 0::bigint), ('tenant-b', 2::bigint)$$,
	'passwordless and TOTP removals delete them in their tenant only');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u1', 'user.human.passwordless.token.added', '{"webAuthNTokenId": "pwl-2", "rpID": "a.example.com"}', 36);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.passwordless.token.added', '{"webAuthNTokenId": "pwl-3", "rpID": "a.example.com"}', 37);
	PERFORM pg_temp.ev('user', 'u1', 'user.human.passwordless.token.removed', '{"webAuthNTokenId": ""}', 38);
END $$;

SELECT is((SELECT pg_catalog.count(*) FROM multitenant.user_auth_methods_projection WHERE instance_id = 'tenant-a' AND user_id = 'u1'),
	0::bigint, 'a passwordless removal with an empty token id deletes every passwordless token of the user');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u2', 'user.human.mfa.otp.email.removed', NULL, 40);
END $$;

SELECT results_eq(
	$$SELECT method_type FROM multitenant.user_auth_methods_projection WHERE instance_id = 'tenant-a' AND user_id = 'u2'$$,
	$$VALUES (6::smallint)$$,
	'user.human.mfa.otp.email.removed deletes OTP-email only');

SELECT is(pg_temp.ev('user', 'u2', 'user.human.mfa.otp.sms.removed', NULL, 41), 5::bigint, 'user.human.mfa.otp.sms.removed pushed');

SELECT is((SELECT pg_catalog.count(*) FROM multitenant.user_auth_methods_projection WHERE instance_id = 'tenant-a' AND user_id = 'u2'),
	0::bigint, 'user.human.mfa.otp.sms.removed deletes OTP-SMS');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u2', 'user.human.mfa.otp.sms.added', NULL, 42);
	PERFORM pg_temp.ev('user', 'u2', 'user.human.mfa.otp.email.added', NULL, 43);
	PERFORM pg_temp.ev('user', 'u2', 'user.human.mfa.otp.added', NULL, 44);
	PERFORM pg_temp.ev('user', 'u2', 'user.human.phone.removed', NULL, 45);
END $$;

SELECT results_eq(
	$$SELECT method_type FROM multitenant.user_auth_methods_projection WHERE instance_id = 'tenant-a' AND user_id = 'u2' ORDER BY 1$$,
	$$VALUES (1::smallint), (7::smallint)$$,
	'user.human.phone.removed deletes OTP-SMS and nothing else');

DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u2', 'user.human.mfa.otp.sms.added', NULL, 46);
	PERFORM pg_temp.ev('user', 'u2', 'user.phone.removed', NULL, 47);
END $$;

SELECT results_eq(
	$$SELECT method_type FROM multitenant.user_auth_methods_projection WHERE instance_id = 'tenant-a' AND user_id = 'u2' ORDER BY 1$$,
	$$VALUES (1::smallint), (7::smallint)$$,
	'the v1 spelling user.phone.removed does the same');

------------------------------------------------------------------------------
-- user.removed and org.removed
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'u3', 'user.human.added', '{"userName": "carol"}', 50, owner => 'org-1');
	PERFORM pg_temp.ev('user', 'u3', 'user.human.mfa.otp.added', NULL, 51);
	PERFORM pg_temp.ev('user', 'u3', 'user.human.mfa.u2f.token.added', '{"webAuthNTokenId": "u2f-1"}', 52);
	PERFORM pg_temp.ev('user', 'u4', 'user.human.added', '{"userName": "dave"}', 53, owner => 'org-1');
	PERFORM pg_temp.ev('user', 'u4', 'user.human.mfa.otp.email.added', NULL, 54);
	PERFORM pg_temp.ev('user', 'u3', 'user.human.added', '{"userName": "carol-b"}', 55, 'tenant-b', 'org-1');
	PERFORM pg_temp.ev('user', 'u3', 'user.human.mfa.otp.added', NULL, 56, 'tenant-b');
	PERFORM pg_temp.ev('user', 'u3', 'user.removed', NULL, 57);
END $$;

SELECT results_eq(
	$$SELECT instance_id, user_id, method_type FROM multitenant.user_auth_methods_projection
	   WHERE instance_id IN ('tenant-a', 'tenant-b') AND user_id IN ('u3', 'u4') ORDER BY 1, 2, 3$$,
	$$VALUES ('tenant-a'::text, 'u4'::text, 7::smallint), ('tenant-b', 'u3', 1::smallint)$$,
	'user.removed deletes every method of that user in that tenant only');

SELECT is(pg_temp.ev('org', 'org-2', 'org.removed', NULL, 60), 1::bigint, 'org.removed pushed for org-2');

SELECT results_eq(
	$$SELECT instance_id, user_id, method_type FROM multitenant.user_auth_methods_projection
	   WHERE instance_id IN ('tenant-a', 'tenant-b') ORDER BY 1, 2, 3$$,
	$$VALUES ('tenant-a'::text, 'u4'::text, 7::smallint), ('tenant-b', 'u1', 3::smallint), ('tenant-b', 'u1', 6::smallint),
	         ('tenant-b', 'u3', 1::smallint)$$,
	'org.removed deletes the methods of that org''s users (u2 in org-2) and nothing else');

------------------------------------------------------------------------------
-- Payload traps: a key of the wrong JSON type fails the push (22023) and
-- leaves nothing behind.
------------------------------------------------------------------------------
SELECT is(pg_temp.ev('user', 'u4', 'user.human.mfa.u2f.token.added', '{"webAuthNTokenId": "u2f-4"}', 89), 3::bigint,
	'a U2F token for the traps below');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'u4', 'user.human.passwordless.token.added', '{"webAuthNTokenId": 7}', 90)$$,
	'22023', NULL, 'a numeric webAuthNTokenId fails');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'u4', 'user.human.mfa.u2f.token.added', '{"webAuthNTokenId": "x", "rpID": ["a"]}', 90)$$,
	'22023', NULL, 'an rpID that is not a string fails');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'u4', 'user.human.mfa.u2f.token.verified', '{"webAuthNTokenId": "u2f-4", "webAuthNTokenName": true}', 90)$$,
	'22023', NULL, 'a webAuthNTokenName that is not a string fails');
SELECT throws_ok($$SELECT pg_temp.ev('user', 'u4', 'user.human.passwordless.token.removed', '{"webAuthNTokenId": {"id": "x"}}', 90)$$,
	'22023', NULL, 'a removal whose token id is an object fails');

SELECT results_eq(
	$$SELECT (SELECT pg_catalog.count(*) FROM multitenant.events WHERE instance_id = 'tenant-a' AND created_at = pg_temp.ts(90)),
	         (SELECT pg_catalog.count(*) FROM multitenant.user_auth_methods_projection WHERE instance_id = 'tenant-a' AND user_id = 'u4')$$,
	$$VALUES (0::bigint, 2::bigint)$$,
	'failed pushes leave neither events nor rows');

------------------------------------------------------------------------------
-- Rebuild equals inline reduction; instance.removed
------------------------------------------------------------------------------
CREATE TEMPORARY TABLE uam_before AS
SELECT to_jsonb(t) AS r FROM multitenant.user_auth_methods_projection AS t WHERE instance_id IN ('tenant-a', 'tenant-b');

SELECT ok(multitenant.rebuild('multitenant.user_auth_methods_projection') > 0, 'rebuild of user_auth_methods_projection');

SELECT set_eq(
	$$SELECT to_jsonb(t) FROM multitenant.user_auth_methods_projection AS t WHERE instance_id IN ('tenant-a', 'tenant-b')$$,
	$$SELECT r FROM uam_before$$,
	'rebuilt rows equal the inline ones, dates and sequences included');

SELECT is(pg_temp.ev('instance', 'tenant-b', 'instance.removed', NULL, 100, 'tenant-b'), 1::bigint, 'instance.removed pushed for tenant-b');

SELECT results_eq(
	$$SELECT t.tenant, (SELECT pg_catalog.count(*) FROM multitenant.user_auth_methods_projection WHERE instance_id = t.tenant)
	    FROM (VALUES ('tenant-a'), ('tenant-b')) AS t(tenant) ORDER BY 1$$,
	$$VALUES ('tenant-a'::text, 2::bigint), ('tenant-b', 0::bigint)$$,
	'instance.removed deletes every auth method of that tenant and no other');

SELECT * FROM finish();
ROLLBACK;
