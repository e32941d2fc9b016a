-- Personal access tokens: create_pat issues a token and stores
-- only its SHA-256; authenticate_pat finds the tenant and user of a live
-- token, before any tenant is set, and answers every other token (unknown,
-- expired, removed, of a locked or removed user, of a deactivated org, of
-- another tenant than the current one) with one and the same error.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(44);

CREATE ROLE mt_pat_app NOLOGIN;
GRANT multitenant_app TO mt_pat_app;

\ir ../fixtures/pgtap_tenant_calls.sql

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['pt-a', 'pt-b'] LOOP
		PERFORM pg_temp.ev('org', 'o1', 'org.added', '{"name": "One"}', t);
		PERFORM pg_temp.ev('user', 'm1', 'user.machine.added', '{"userName": "svc", "name": "Service"}', t, 'o1');
	END LOOP;
	PERFORM pg_temp.ev('user', 'h1', 'user.human.added', '{"userName": "hank", "firstName": "H", "lastName": "H", "email": "h@x"}', 'pt-a', 'o1');
	PERFORM pg_temp.ev('org', 'o2', 'org.added', '{"name": "Two"}', 'pt-a');
	PERFORM pg_temp.ev('user', 'm2', 'user.machine.added', '{"userName": "svc2", "name": "Service 2"}', 'pt-a', 'o2');
	PERFORM pg_temp.ev('user', 'only-b', 'user.machine.added', '{"userName": "svcb", "name": "B only"}', 'pt-b', 'o1');
END $$;

CREATE TEMP TABLE issued (name text PRIMARY KEY, token text);
GRANT SELECT, INSERT ON issued TO mt_pat_app;
CREATE FUNCTION pg_temp.token(n text) RETURNS text LANGUAGE sql AS $$ SELECT token FROM issued WHERE name = n $$;

------------------------------------------------------------------------------
-- create_pat
------------------------------------------------------------------------------
SELECT pg_temp.as_app('mt_pat_app', 'pt-a');
INSERT INTO issued VALUES ('a-m1', multitenant.create_pat('m1', now() + interval '1 day', ARRAY['openid', 'api']));
INSERT INTO issued VALUES ('a-m1-again', multitenant.create_pat('m1', now() + interval '1 day'));
INSERT INTO issued VALUES ('a-h1', multitenant.create_pat('h1', NULL));
INSERT INTO issued VALUES ('a-m2', multitenant.create_pat('m2', now() + interval '1 hour'));
SELECT pg_temp.as_app('mt_pat_app', 'pt-b');
INSERT INTO issued VALUES ('b-m1', multitenant.create_pat('m1', now() + interval '1 day', ARRAY['b']));
RESET ROLE;

SELECT ok((SELECT bool_and(token ~ '^mtp_[A-Za-z0-9_-]{43}$') FROM issued), 'a token is mtp_ and 32 random bytes in base64url');
SELECT is((SELECT count(DISTINCT token)::int FROM issued), 5, 'every token is different, for the same user too');
SELECT results_eq(
	$$SELECT p.instance_id, p.user_id, p.scopes, p.expiration > now() FROM multitenant.personal_access_tokens_projection p
	   WHERE p.token_hash = pg_catalog.sha256(pg_catalog.convert_to(pg_temp.token('a-m1'), 'UTF8'))$$,
	$$VALUES ('pt-a'::text, 'm1'::text, ARRAY['openid', 'api'], true)$$,
	'the projection holds the token''s SHA-256, its user, scopes and expiry');
SELECT is((SELECT count(*)::int FROM multitenant.events e, issued i WHERE e.payload::text LIKE '%' || i.token || '%'), 0,
	'no event holds a token');
SELECT is((SELECT count(*)::int FROM multitenant.personal_access_tokens_projection p, issued i
	        WHERE pg_catalog.to_jsonb(p)::text LIKE '%' || i.token || '%'), 0, 'no projection row holds a token');
SELECT is((SELECT expiration FROM multitenant.personal_access_tokens_projection
	        WHERE token_hash = pg_catalog.sha256(pg_catalog.convert_to(pg_temp.token('a-h1'), 'UTF8'))),
	'9999-12-31 23:59:59+00'::timestamptz, 'a NULL expiration is Zitadel''s "no expiry"');
SELECT results_eq($$SELECT e.event_type, e.aggregate_id, e.resource_owner, e.payload ? 'tokenHash' AND e.payload ? 'tokenId'
	                  FROM multitenant.events e WHERE e.instance_id = 'pt-b' AND e.event_type = 'user.pat.added'$$,
	$$VALUES ('user.pat.added'::text, 'm1'::text, 'o1'::text, true)$$,
	'create_pat pushes user.pat.added on the user, owned by the user''s org');

SELECT pg_temp.as_app('mt_pat_app', NULL);
SELECT throws_ok($$SELECT multitenant.create_pat('m1', NULL)$$, '55000', NULL, 'create_pat needs a tenant');
SELECT pg_temp.as_app('mt_pat_app', 'pt-a');
CREATE TEMP TABLE counted AS SELECT count(*) AS n FROM multitenant.events;
SELECT throws_ok($$SELECT multitenant.create_pat('nobody', NULL)$$, '42704', 'user "nobody" does not exist in the current tenant',
	'an unknown user gets no token');
SELECT throws_ok($$SELECT multitenant.create_pat('only-b', NULL)$$, '42704', 'user "only-b" does not exist in the current tenant',
	'a user of another tenant gets no token, with the same answer as an unknown one');
SELECT throws_ok($$SELECT multitenant.create_pat(NULL, NULL)$$, '22004', NULL, 'a NULL user is refused');
SELECT throws_ok($$SELECT multitenant.create_pat('m1', now() - interval '1 second')$$, '22023', NULL, 'an expiration in the past is refused');
SELECT throws_ok($$SELECT multitenant.create_pat('m1', 'infinity')$$, '22023', NULL, 'an infinite expiration is refused (NULL means none)');
SELECT throws_ok($$SELECT multitenant.create_pat('m1', NULL, ARRAY['openid', NULL])$$, '22004', NULL, 'a NULL scope is refused');
SELECT throws_ok($$SELECT multitenant.create_pat('m1', NULL, ARRAY[['a'], ['b']])$$, '22023', NULL, 'a two-dimensional scope array is refused');
SELECT throws_ok($$SELECT multitenant.create_pat('m1', NULL, ARRAY[''])$$, '22023', NULL, 'an empty scope is refused');
SELECT is((SELECT count(*) FROM multitenant.events), (SELECT n FROM counted), 'refused calls pushed nothing');

------------------------------------------------------------------------------
-- authenticate_pat
------------------------------------------------------------------------------
SELECT pg_temp.as_app('mt_pat_app', NULL);
SELECT results_eq($$SELECT * FROM multitenant.authenticate_pat(pg_temp.token('a-m1'))$$,
	$$VALUES ('pt-a'::text, 'm1'::text, ARRAY['openid', 'api'])$$, 'a token authenticates its user before any tenant is set');
SELECT results_eq($$SELECT * FROM multitenant.authenticate_pat(pg_temp.token('b-m1'))$$,
	$$VALUES ('pt-b'::text, 'm1'::text, ARRAY['b'])$$, 'the same user id in the other tenant has its own token');
SELECT results_eq($$SELECT instance_id, user_id, scopes IS NULL FROM multitenant.authenticate_pat(pg_temp.token('a-h1'))$$,
	$$VALUES ('pt-a'::text, 'h1'::text, true)$$, 'a token without scopes authenticates with NULL scopes');
SELECT pg_temp.as_app('mt_pat_app', 'pt-a');
SELECT results_eq($$SELECT user_id FROM multitenant.authenticate_pat(pg_temp.token('a-m1'))$$, $$VALUES ('m1'::text)$$,
	'inside its own tenant a token authenticates');
SELECT throws_ok($$SELECT * FROM multitenant.authenticate_pat(pg_temp.token('b-m1'))$$, '28000', 'invalid personal access token',
	'inside tenant A, tenant B''s token is refused ...');
SELECT throws_ok($$SELECT * FROM multitenant.authenticate_pat('mtp_' || repeat('A', 43))$$, '28000', 'invalid personal access token',
	'... with exactly the answer an unknown token gets');
SELECT pg_temp.as_app('mt_pat_app', NULL);
SELECT throws_ok($$SELECT * FROM multitenant.authenticate_pat($q$x' OR '1'='1$q$)$$, '28000', 'invalid personal access token',
	'injection-shaped input is just an unknown token');
SELECT throws_ok($$SELECT * FROM multitenant.authenticate_pat('')$$, '28000', 'invalid personal access token', 'an empty token is unknown');
SELECT throws_ok($$SELECT * FROM multitenant.authenticate_pat(repeat('t', 100000))$$, '28000', 'invalid personal access token',
	'an oversized token is unknown');
SELECT throws_ok($$SELECT * FROM multitenant.authenticate_pat(NULL)$$, '22004', NULL, 'a NULL token is refused');
SELECT throws_ok($$SELECT * FROM multitenant.authenticate_pat(upper(pg_temp.token('a-m1')))$$, '28000', 'invalid personal access token',
	'tokens are compared exactly');

-- Expired and removed tokens, pushed the way Zitadel streams carry them.
RESET ROLE;
INSERT INTO issued VALUES ('a-expired', 'mtp_expired-token-for-the-test');
SELECT pg_temp.ev('user', 'm1', 'user.pat.added', pg_catalog.jsonb_build_object('tokenId', 'old', 'expiration', '2020-01-01T00:00:00Z',
	'tokenHash', encode(pg_catalog.sha256(pg_catalog.convert_to(pg_temp.token('a-expired'), 'UTF8')), 'hex')), 'pt-a');
SELECT pg_temp.as_app('mt_pat_app', NULL);
SELECT throws_ok($$SELECT * FROM multitenant.authenticate_pat(pg_temp.token('a-expired'))$$, '28000', 'invalid personal access token',
	'an expired token authenticates nobody');
RESET ROLE;
SELECT pg_temp.ev('user', 'm1', 'user.pat.removed', pg_catalog.jsonb_build_object('tokenId',
	(SELECT id FROM multitenant.personal_access_tokens_projection
	  WHERE token_hash = pg_catalog.sha256(pg_catalog.convert_to(pg_temp.token('a-m1-again'), 'UTF8')))), 'pt-a');
SELECT pg_temp.as_app('mt_pat_app', NULL);
SELECT throws_ok($$SELECT * FROM multitenant.authenticate_pat(pg_temp.token('a-m1-again'))$$, '28000', 'invalid personal access token',
	'a removed token authenticates nobody');
SELECT results_eq($$SELECT user_id FROM multitenant.authenticate_pat(pg_temp.token('a-m1'))$$, $$VALUES ('m1'::text)$$,
	'the user''s other token still works');

-- The user's and the org's state.
RESET ROLE;
SELECT pg_temp.ev('user', 'm1', 'user.locked', NULL, 'pt-a');
SELECT pg_temp.as_app('mt_pat_app', NULL);
SELECT throws_ok($$SELECT * FROM multitenant.authenticate_pat(pg_temp.token('a-m1'))$$, '28000', 'invalid personal access token',
	'a locked user''s token authenticates nobody');
SELECT results_eq($$SELECT user_id FROM multitenant.authenticate_pat(pg_temp.token('b-m1'))$$, $$VALUES ('m1'::text)$$,
	'locking tenant A''s user leaves tenant B''s user of the same id alone');
RESET ROLE;
SELECT pg_temp.ev('user', 'm1', 'user.unlocked', NULL, 'pt-a');
SELECT pg_temp.as_app('mt_pat_app', NULL);
SELECT results_eq($$SELECT user_id FROM multitenant.authenticate_pat(pg_temp.token('a-m1'))$$, $$VALUES ('m1'::text)$$,
	'once unlocked, the token works again');
RESET ROLE;
SELECT pg_temp.ev('user', 'm1', 'user.deactivated', NULL, 'pt-a');
SELECT pg_temp.as_app('mt_pat_app', NULL);
SELECT throws_ok($$SELECT * FROM multitenant.authenticate_pat(pg_temp.token('a-m1'))$$, '28000', 'invalid personal access token',
	'a deactivated user''s token authenticates nobody');
SELECT results_eq($$SELECT user_id FROM multitenant.authenticate_pat(pg_temp.token('a-m2'))$$, $$VALUES ('m2'::text)$$,
	'a token of a user of an active org works');
RESET ROLE;
SELECT pg_temp.ev('org', 'o2', 'org.deactivated', NULL, 'pt-a');
SELECT pg_temp.as_app('mt_pat_app', NULL);
SELECT throws_ok($$SELECT * FROM multitenant.authenticate_pat(pg_temp.token('a-m2'))$$, '28000', 'invalid personal access token',
	'a token of a user of a deactivated org authenticates nobody');
RESET ROLE;
SELECT pg_temp.ev('org', 'o2', 'org.reactivated', NULL, 'pt-a');
SELECT pg_temp.as_app('mt_pat_app', NULL);
SELECT results_eq($$SELECT user_id FROM multitenant.authenticate_pat(pg_temp.token('a-m2'))$$, $$VALUES ('m2'::text)$$,
	'the org reactivated, the token works again');
RESET ROLE;
SELECT pg_temp.ev('user', 'm2', 'user.removed', NULL, 'pt-a');
SELECT is((SELECT count(*)::int FROM multitenant.personal_access_tokens_projection WHERE instance_id = 'pt-a' AND user_id = 'm2'), 0,
	'removing a user removes its tokens');
SELECT pg_temp.as_app('mt_pat_app', NULL);
SELECT throws_ok($$SELECT * FROM multitenant.authenticate_pat(pg_temp.token('a-m2'))$$, '28000', 'invalid personal access token',
	'a removed user''s token authenticates nobody');

-- authenticate_pat writes nothing: no event and no row changes.
RESET ROLE;
CREATE TEMP TABLE before_auth AS
SELECT (SELECT count(*) FROM multitenant.events) AS events,
       (SELECT pg_catalog.md5(pg_catalog.string_agg(p::text, ',' ORDER BY p.instance_id, p.id)) FROM multitenant.personal_access_tokens_projection p) AS tokens;
SELECT pg_temp.as_app('mt_pat_app', NULL);
SELECT user_id FROM multitenant.authenticate_pat(pg_temp.token('b-m1'));
RESET ROLE;
SELECT is((SELECT count(*) FROM multitenant.events), (SELECT events FROM before_auth), 'authenticate_pat pushes no event');
SELECT is((SELECT pg_catalog.md5(pg_catalog.string_agg(p::text, ',' ORDER BY p.instance_id, p.id)) FROM multitenant.personal_access_tokens_projection p),
	(SELECT tokens FROM before_auth), 'and changes no token row (no "last used" stamp to time or read)');

-- A rebuild restores the hashes, so tokens survive it.
SELECT multitenant.rebuild('multitenant.personal_access_tokens_projection', 'pt-b');
SELECT pg_temp.as_app('mt_pat_app', NULL);
SELECT results_eq($$SELECT user_id FROM multitenant.authenticate_pat(pg_temp.token('b-m1'))$$, $$VALUES ('m1'::text)$$,
	'a token still authenticates after its projection is rebuilt');
SELECT pg_temp.as_app('mt_pat_app', 'pt-b');
SELECT is((SELECT count(*)::int FROM multitenant.personal_access_tokens_projection), 1,
	'tenant B''s application sees only its own token rows');

SELECT * FROM finish();
ROLLBACK;
