-- Sessions: create_session, validate_session, rotate_session and
-- revoke_session with their events and audit rows; the token (returned
-- once, only its hash stored, never in an event or the audit log); every bad
-- token failing alike (28000); idle and absolute expiry; revocation in the
-- same transaction by the membership, principal and tenant changes; what the
-- application sees; rebuild equals inline reduction.  As a real login role,
-- with tenant entry in one round trip and signed mode:
-- test/sql/session_tokens.sql; concurrent rotations of one token:
-- test/sql/concurrent_sessions.sql.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(86);

CREATE ROLE mt_ss_app NOLOGIN;
GRANT multitenant_app TO mt_ss_app;

\ir ../fixtures/pgtap_tenant_calls.sql
CREATE TEMP TABLE tokens (name text PRIMARY KEY, session_id text, token text);
GRANT ALL ON tokens TO mt_ss_app;
CREATE FUNCTION pg_temp.keep(name text, session_id text, token text) RETURNS text LANGUAGE sql AS $$
	INSERT INTO pg_temp.tokens VALUES (name, session_id, token)
	ON CONFLICT (name) DO UPDATE SET session_id = EXCLUDED.session_id, token = EXCLUDED.token RETURNING token
$$;
GRANT EXECUTE ON FUNCTION pg_temp.keep(text, text, text) TO mt_ss_app;
CREATE FUNCTION pg_temp.tok(name text) RETURNS text LANGUAGE sql AS $$ SELECT token FROM pg_temp.tokens WHERE tokens.name = tok.name $$;
GRANT EXECUTE ON FUNCTION pg_temp.tok(text) TO mt_ss_app;
CREATE FUNCTION pg_temp.sid(name text) RETURNS text LANGUAGE sql AS $$ SELECT session_id FROM pg_temp.tokens WHERE tokens.name = sid.name $$;
GRANT EXECUTE ON FUNCTION pg_temp.sid(text) TO mt_ss_app;
-- A new session kept under name, created by the operator.
CREATE FUNCTION pg_temp.new_session(name text, principal text, realm text, tenant text, kind text DEFAULT 'browser') RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.keep(name, s.session_id, s.token) FROM multitenant.create_session(principal, realm, kind, tenant => tenant) AS s
$$;

DO $$
BEGIN
	PERFORM multitenant.create_tenant('ss-a', 'Tenant A');
	PERFORM multitenant.create_tenant('ss-b', 'Tenant B');
	PERFORM multitenant.create_principal('user', p || '@example.com', initcap(p), id => p)
	   FROM unnest(ARRAY['olga', 'adam', 'mia', 'nina', 'ivan']) AS p;
	PERFORM multitenant.create_principal('client', id => 'bot');
	PERFORM multitenant.verify_principal(p) FROM unnest(ARRAY['olga', 'adam', 'mia', 'nina']) AS p;
	PERFORM multitenant.add_member('olga', 'owner', 'ss-a');
	PERFORM multitenant.add_member('adam', 'admin', 'ss-a');
	PERFORM multitenant.add_member('mia', 'member', 'ss-a');
	PERFORM multitenant.add_member('nina', 'member', 'ss-a');
	PERFORM multitenant.add_member('bot', 'member', 'ss-a');
	PERFORM multitenant.add_member('ivan', 'member', 'ss-a');
	PERFORM multitenant.add_member('olga', 'owner', 'ss-b');
	PERFORM multitenant.add_member('mia', 'member', 'ss-b');
	PERFORM multitenant.set_principal_status('ivan', 'inactive');
	PERFORM pg_temp.ev('tenant', 'ss-a', 'tenant.realm.added', '{"realmId": "pw", "name": "staff", "type": "username_password"}', 'ss-a');
	PERFORM pg_temp.ev('tenant', 'ss-a', 'tenant.realm.added', '{"realmId": "off", "name": "old", "type": "otp", "enabled": false}', 'ss-a');
	PERFORM pg_temp.ev('tenant', 'ss-b', 'tenant.realm.added', '{"realmId": "pw", "name": "staff", "type": "username_password"}', 'ss-b');
END $$;

------------------------------------------------------------------------------
-- create_session
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_ss_app', 'ss-a', NULL);
SELECT ok((SELECT pg_temp.keep('mia', s.session_id, s.token) ~ '^mts_[A-Za-z0-9_-]{43}$'
             FROM multitenant.create_session('mia', 'pw') AS s),
          'create_session returns a token: mts_ and 43 base64url characters (256 random bits)');
RESET ROLE;
SELECT results_eq($$SELECT s.id, s.principal_id, s.realm_id, s.kind, s.format, s.status, s.idle_timeout, s.expires_at - s.created_at,
                           s.last_seen_at = s.created_at
                      FROM multitenant.principal_sessions AS s$$,
                  $$SELECT pg_temp.sid('mia'), 'mia', 'pw', 'browser', 'opaque', 'active', interval '30 minutes', interval '12 hours', true$$,
                  'the session: browser, opaque, 30 minutes idle, 12 hours absolute by default');
SELECT pg_temp.as_actor('mt_ss_app', 'ss-a', 'mia');
SELECT throws_ok($$SELECT token_hash FROM multitenant.principal_sessions$$, '42501', NULL, 'the application cannot read token hashes');
SELECT throws_ok($$SELECT * FROM multitenant.principal_sessions$$, '42501', NULL, '... not even with *');
RESET ROLE;
SELECT is((SELECT token_hash FROM multitenant.principal_sessions), sha256(convert_to(pg_temp.tok('mia'), 'UTF8')), 'only the token''s SHA-256 is stored');
SELECT results_eq($$SELECT e.aggregate_type, e.aggregate_id, e.event_type, e.payload - 'expiresAt' FROM multitenant.events AS e
                     WHERE e.event_type LIKE 'tenant.session.%'$$,
                  $$SELECT 'tenant', 'ss-a', 'tenant.session.added',
                           jsonb_build_object('sessionId', pg_temp.sid('mia'), 'principalId', 'mia', 'realmId', 'pw', 'kind', 'browser',
                                              'format', 'opaque', 'idleTimeout', '00:30:00',
                                              'tokenHash', encode(sha256(convert_to(pg_temp.tok('mia'), 'UTF8')), 'hex'))$$,
                  'tenant.session.added carries the hash as hex, not the token');
SELECT is((SELECT count(*)::integer FROM multitenant.audit_log AS a
            WHERE a.target_table = 'multitenant.principal_sessions' AND a.action = 'tenant.session.added'
              AND a.after ->> 'id' = pg_temp.sid('mia') AND NOT a.after ? 'token_hash'),
          1, 'an audit row for the new session, without the hash');

SELECT pg_temp.as_actor('mt_ss_app', 'ss-a', NULL);
SELECT throws_ok($$SELECT * FROM multitenant.create_session(NULL, 'pw')$$, '22004', NULL, 'a NULL principal');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('mia', NULL)$$, '22004', NULL, 'a NULL realm');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('mia', 'pw', idle_timeout => NULL)$$, '22004', NULL, 'a NULL lifetime');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('mia', 'pw', 'cli')$$, '22023', 'invalid session kind "cli"', 'an unknown kind');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('mia', 'pw', format => 'jwt')$$, '22023', 'invalid session token format "jwt"', 'an unknown format');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('mia', 'pw', idle_timeout => '0')$$, '22023', NULL, 'an idle lifetime of zero');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('mia', 'pw', absolute_timeout => '-1 hour')$$, '22023', NULL, 'a negative absolute lifetime');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('mia', 'pw', absolute_timeout => '1 year 1 day')$$, '22023', NULL, 'more than a year');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('mia', 'pw', idle_timeout => '2 hours', absolute_timeout => '1 hour')$$, '22023',
                 NULL, 'an idle lifetime longer than the absolute one');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('mia', 'nope')$$, '42704', 'realm "nope" does not exist in tenant "ss-a"', 'an unknown realm');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('mia', 'off')$$, '55000', 'realm "off" of tenant "ss-a" is disabled', 'a disabled realm');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('ghost', 'pw')$$, '42704', NULL, 'an unknown principal');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('ivan', 'pw')$$, '55000', 'principal "ivan" is inactive', 'an inactive principal');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('mia', 'pw', tenant => 'ss-b')$$, '42501', NULL, 'a tenant that is not the current one');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('mia', 'pw', tenant => NULL)$$, '22004', NULL, 'a NULL tenant');
SELECT pg_temp.as_actor('mt_ss_app', 'ss-b', NULL);
SELECT throws_ok($$SELECT * FROM multitenant.create_session('nina', 'pw')$$, '55000', 'principal "nina" is not an active member of tenant "ss-b"',
                 'a principal that is no member of the tenant');
SELECT pg_temp.as_actor('mt_ss_app', NULL, NULL);
SELECT throws_ok($$SELECT * FROM multitenant.create_session('mia', 'pw', tenant => 'ss-a')$$, '42501', NULL, 'outside any tenant');
SELECT pg_temp.as_actor('mt_ss_app', 'ss-a', 'nina');
SELECT throws_ok($$SELECT * FROM multitenant.create_session('mia', 'pw')$$, '42501', NULL, 'a member acting for another principal');
SELECT pg_temp.as_actor('mt_ss_app', 'ss-a', 'adam');
SELECT ok((SELECT pg_temp.keep('bot', s.session_id, s.token) IS NOT NULL FROM multitenant.create_session('bot', 'pw', 'service', '1 hour', '1 day') AS s),
          'an admin creates a service session for a client');
SELECT pg_temp.as_actor('mt_ss_app', 'ss-a', 'nina');
SELECT ok((SELECT pg_temp.keep('nina', s.session_id, s.token) IS NOT NULL FROM multitenant.create_session('nina', 'pw') AS s),
          'a principal creates its own session');
RESET ROLE;
SELECT is((SELECT count(*)::integer FROM multitenant.principal_sessions), 3, 'the refused calls left no session');
SELECT is((SELECT created_by FROM multitenant.principal_sessions WHERE id = pg_temp.sid('bot')), 'adam', 'created_by is the acting principal');

------------------------------------------------------------------------------
-- validate_session
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_ss_app', NULL, NULL);
SELECT results_eq($$SELECT tenant, principal_id, realm_id, kind, session_id FROM multitenant.validate_session(pg_temp.tok('bot'))$$,
                  $$SELECT 'ss-a', 'bot', 'pw', 'service', pg_temp.sid('bot')$$, 'a token''s tenant, principal, realm, kind and session');
RESET ROLE;
SELECT is((SELECT expires_at FROM multitenant.validate_session(pg_temp.tok('mia'))),
          (SELECT created_at + interval '30 minutes' FROM multitenant.principal_sessions WHERE id = pg_temp.sid('mia')),
          'expires_at is the earlier of the idle and the absolute expiry');
SELECT pg_temp.as_actor('mt_ss_app', NULL, NULL);
SELECT is((SELECT multitenant.current_tenant()), NULL, 'without enter, no tenant is entered');
SELECT throws_ok($$SELECT * FROM multitenant.validate_session(NULL)$$, '22004', NULL, 'a NULL token');
SELECT throws_ok($$SELECT * FROM multitenant.validate_session('')$$, '28000', 'invalid session token', 'an empty token');
SELECT throws_ok($$SELECT * FROM multitenant.validate_session('garbage')$$, '28000', 'invalid session token', 'a malformed token');
SELECT throws_ok($$SELECT * FROM multitenant.validate_session(left(pg_temp.tok('mia'), 46))$$, '28000', 'invalid session token', 'a truncated token');
SELECT throws_ok($$SELECT * FROM multitenant.validate_session(pg_temp.tok('mia') || 'A')$$, '28000', 'invalid session token', 'a token with a character more');
SELECT throws_ok($$SELECT * FROM multitenant.validate_session(overlay(pg_temp.tok('mia') PLACING
                       CASE WHEN substr(pg_temp.tok('mia'), 20, 1) = 'A' THEN 'B' ELSE 'A' END FROM 20 FOR 1))$$,
                 '28000', 'invalid session token', 'a token with one character changed');
SELECT throws_ok($$SELECT * FROM multitenant.validate_session('mti_' || substr(pg_temp.tok('mia'), 5))$$, '28000', 'invalid session token',
                 'the random part under another prefix');
SELECT throws_ok($$SELECT * FROM multitenant.validate_session(repeat('x', 100000))$$, '28000', 'invalid session token', 'a huge input');
SELECT throws_ok($$SELECT * FROM multitenant.validate_session(encode(sha256(convert_to(pg_temp.tok('mia'), 'UTF8')), 'hex'))$$, '28000',
                 'invalid session token', 'the stored hash is no token');
SELECT pg_temp.as_actor('mt_ss_app', 'ss-b', NULL);
SELECT throws_ok($$SELECT * FROM multitenant.validate_session(pg_temp.tok('mia'))$$, '28000', 'invalid session token',
                 'inside another tenant, a valid token is refused like an unknown one');
SELECT pg_temp.as_actor('mt_ss_app', 'ss-a', NULL);
SELECT is((SELECT principal_id FROM multitenant.validate_session(pg_temp.tok('mia'))), 'mia', 'inside its own tenant it is valid');

-- Expiry, moved into the past by the operator.
RESET ROLE;
UPDATE multitenant.principal_sessions SET last_seen_at = now() - interval '31 minutes' WHERE id = pg_temp.sid('nina');
SELECT pg_temp.as_actor('mt_ss_app', NULL, NULL);
SELECT throws_ok($$SELECT * FROM multitenant.validate_session(pg_temp.tok('nina'))$$, '28000', 'invalid session token', 'an idle-expired token');
RESET ROLE;
UPDATE multitenant.principal_sessions SET last_seen_at = now() - interval '29 minutes' WHERE id = pg_temp.sid('nina');
SELECT pg_temp.as_actor('mt_ss_app', NULL, NULL);
SELECT is((SELECT expires_at FROM multitenant.validate_session(pg_temp.tok('nina'))), statement_timestamp() + interval '30 minutes',
          'a use after a sixteenth of the idle lifetime moves the idle expiry');
RESET ROLE;
SELECT ok((SELECT last_seen_at >= now() FROM multitenant.principal_sessions WHERE id = pg_temp.sid('nina')), '... by moving last_seen_at');
UPDATE multitenant.principal_sessions SET expires_at = now() - interval '1 second' WHERE id = pg_temp.sid('nina');
SELECT pg_temp.as_actor('mt_ss_app', NULL, NULL);
SELECT throws_ok($$SELECT * FROM multitenant.validate_session(pg_temp.tok('nina'))$$, '28000', 'invalid session token', 'an expired token');
RESET ROLE;
UPDATE multitenant.principal_sessions SET expires_at = now() + interval '1 hour' WHERE id = pg_temp.sid('nina');

-- A disabled realm's sessions are not valid while it is disabled.
SELECT pg_temp.ev('tenant', 'ss-a', 'tenant.realm.disabled', '{"realmId": "pw"}', 'ss-a');
SELECT pg_temp.as_actor('mt_ss_app', NULL, NULL);
SELECT throws_ok($$SELECT * FROM multitenant.validate_session(pg_temp.tok('nina'))$$, '28000', 'invalid session token', 'a token of a disabled realm');
RESET ROLE;
SELECT pg_temp.ev('tenant', 'ss-a', 'tenant.realm.enabled', '{"realmId": "pw"}', 'ss-a');
SELECT pg_temp.as_actor('mt_ss_app', NULL, NULL);
SELECT is((SELECT principal_id FROM multitenant.validate_session(pg_temp.tok('nina'))), 'nina', '... and valid again once it is enabled');

------------------------------------------------------------------------------
-- rotate_session
------------------------------------------------------------------------------
SELECT ok((SELECT pg_temp.keep('nina2', r.session_id, r.new_token) ~ '^mts_[A-Za-z0-9_-]{43}$' AND r.session_id = pg_temp.sid('nina')
             FROM multitenant.rotate_session(pg_temp.tok('nina')) AS r),
          'rotate_session returns a new token for the same session');
SELECT throws_ok($$SELECT * FROM multitenant.validate_session(pg_temp.tok('nina'))$$, '28000', 'invalid session token', 'the old token is dead');
SELECT is((SELECT principal_id FROM multitenant.validate_session(pg_temp.tok('nina2'))), 'nina', 'the new one is valid');
SELECT throws_ok($$SELECT * FROM multitenant.rotate_session(pg_temp.tok('nina'))$$, '28000', 'invalid session token', 'the old token rotates nothing');
SELECT throws_ok($$SELECT * FROM multitenant.rotate_session('garbage')$$, '28000', 'invalid session token', 'nor does garbage');
SELECT throws_ok($$SELECT * FROM multitenant.rotate_session(NULL)$$, '28000', 'invalid session token', 'nor NULL');
RESET ROLE;
SELECT is((SELECT token_hash FROM multitenant.principal_sessions WHERE id = pg_temp.sid('nina')),
          sha256(convert_to(pg_temp.tok('nina2'), 'UTF8')), 'the stored hash is the new token''s');
SELECT is((SELECT count(*)::integer FROM multitenant.events WHERE event_type = 'tenant.session.rotated'
            AND payload = jsonb_build_object('sessionId', pg_temp.sid('nina'), 'tokenHash', encode(sha256(convert_to(pg_temp.tok('nina2'), 'UTF8')), 'hex'),
                                             'reason', 'requested')),
          1, 'tenant.session.rotated with the new hash and the reason only');
SELECT is((SELECT count(*)::integer FROM multitenant.audit_log WHERE action = 'tenant.session.rotated' AND NOT after ? 'token_hash' AND NOT before ? 'token_hash'),
          1, 'an audit row for the rotation, without hashes');

------------------------------------------------------------------------------
-- revoke_session
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_ss_app', 'ss-a', 'mia');
SELECT throws_ok(format('SELECT * FROM multitenant.revoke_session(%L)', pg_temp.sid('bot')), '42501', NULL,
                 'a member cannot revoke another principal''s session');
SELECT throws_ok($$SELECT * FROM multitenant.revoke_session('nope')$$, '42704', NULL, 'an unknown session');
SELECT throws_ok($$SELECT * FROM multitenant.revoke_session(NULL)$$, '22004', NULL, 'a NULL session');
SELECT is((SELECT status FROM multitenant.revoke_session(pg_temp.sid('mia'), 'logout')), 'revoked', 'a principal revokes its own session');
SELECT throws_ok($$SELECT * FROM multitenant.validate_session(pg_temp.tok('mia'))$$, '28000', 'invalid session token', 'a revoked token');
SELECT is((SELECT status FROM multitenant.revoke_session(pg_temp.sid('mia'))), 'revoked', 'revoking again changes nothing');
RESET ROLE;
SELECT is((SELECT count(*)::integer FROM multitenant.events WHERE event_type = 'tenant.session.revoked'), 1, '... and pushes nothing');
SELECT results_eq($$SELECT revoke_reason, revoked_at IS NOT NULL FROM multitenant.principal_sessions WHERE id = pg_temp.sid('mia')$$,
                  $$VALUES ('logout', true)$$, 'the reason is kept');
SELECT pg_temp.as_actor('mt_ss_app', 'ss-a', 'mia');
SELECT is((SELECT count(*)::integer FROM multitenant.principal_sessions), 1, 'a member sees its own sessions only');
SELECT pg_temp.as_actor('mt_ss_app', 'ss-a', 'adam');
SELECT is((SELECT count(*)::integer FROM multitenant.principal_sessions), 3, 'an admin sees the tenant''s sessions');
SELECT pg_temp.as_actor('mt_ss_app', 'ss-b', 'olga');
SELECT is((SELECT count(*)::integer FROM multitenant.principal_sessions), 0, '... of its own tenant only');

------------------------------------------------------------------------------
-- Revocation by the lifecycle, in the same transaction
------------------------------------------------------------------------------
RESET ROLE;
SELECT pg_temp.new_session('mia-a', 'mia', 'pw', 'ss-a');
SELECT pg_temp.new_session('mia-b', 'mia', 'pw', 'ss-b');
SELECT pg_temp.new_session('olga-a', 'olga', 'pw', 'ss-a');
SELECT pg_temp.new_session('olga-b', 'olga', 'pw', 'ss-b');
SELECT pg_temp.new_session('adam', 'adam', 'pw', 'ss-a');

SELECT multitenant.suspend_member('mia', 'audit', 'ss-a');
SELECT results_eq($$SELECT status, revoke_reason FROM multitenant.principal_sessions WHERE id = pg_temp.sid('mia-a')$$,
                  $$VALUES ('revoked', 'membership suspended')$$, 'suspending a membership revokes its sessions');
SELECT is((SELECT status FROM multitenant.principal_sessions WHERE id = pg_temp.sid('mia-b')), 'active', '... in that tenant only');
SELECT multitenant.reactivate_member('mia', 'ss-a');
SELECT throws_ok($$SELECT * FROM multitenant.validate_session(pg_temp.tok('mia-a'))$$, '28000', 'invalid session token',
                 'reactivating the membership brings no session back');

SELECT multitenant.remove_member('mia', 'left', 'ss-b');
SELECT results_eq($$SELECT status, revoke_reason FROM multitenant.principal_sessions WHERE id = pg_temp.sid('mia-b')$$,
                  $$VALUES ('revoked', 'membership removed')$$, 'removing a membership revokes its sessions');

SELECT multitenant.set_principal_status('bot', 'inactive', 'retired');
SELECT results_eq($$SELECT status, revoke_reason FROM multitenant.principal_sessions WHERE id = pg_temp.sid('bot')$$,
                  $$VALUES ('revoked', 'principal deactivated')$$, 'deactivating a principal revokes its sessions');
SELECT is((SELECT count(*)::integer FROM multitenant.audit_log WHERE action = 'tenant.session.revoked' AND reason = 'principal deactivated'
             AND target_key ->> 'id' = pg_temp.sid('bot')), 1, '... each with its event and audit row');

SELECT multitenant.set_tenant_status('ss-b', 'suspended', 'unpaid');
SELECT results_eq($$SELECT status, revoke_reason FROM multitenant.principal_sessions WHERE id = pg_temp.sid('olga-b')$$,
                  $$VALUES ('revoked', 'tenant suspended')$$, 'suspending a tenant revokes its sessions');
SELECT is((SELECT status FROM multitenant.principal_sessions WHERE id = pg_temp.sid('olga-a')), 'active', '... not those of other tenants');
SELECT multitenant.set_tenant_status('ss-b', 'active');
SELECT pg_temp.as_actor('mt_ss_app', NULL, NULL);
SELECT throws_ok($$SELECT * FROM multitenant.validate_session(pg_temp.tok('olga-b'))$$, '28000', 'invalid session token',
                 'reactivating the tenant brings no session back');
SELECT is((SELECT principal_id FROM multitenant.validate_session(pg_temp.tok('olga-a'))), 'olga', 'the owner''s other session lives on');
RESET ROLE;

-- Rolled back, the revocation goes too.
SAVEPOINT before_removal;
SELECT multitenant.remove_member('adam', NULL, 'ss-a');
SELECT is((SELECT status FROM multitenant.principal_sessions WHERE id = pg_temp.sid('adam')), 'revoked', 'removal revokes inside its transaction');
ROLLBACK TO SAVEPOINT before_removal;
SELECT is((SELECT status FROM multitenant.principal_sessions WHERE id = pg_temp.sid('adam')), 'active', 'and not once it is rolled back');

------------------------------------------------------------------------------
-- No token anywhere; rebuild equals inline reduction
------------------------------------------------------------------------------
SELECT is((SELECT count(*)::integer FROM multitenant.events AS e, pg_temp.tokens AS k WHERE strpos(e.payload::text, k.token) > 0), 0,
          'no event holds a token');
SELECT is((SELECT count(*)::integer FROM multitenant.audit_log AS a, pg_temp.tokens AS k
            WHERE strpos(concat(a.before, a.after, a.target_key, a.reason), k.token) > 0
               OR strpos(concat(a.before, a.after), encode(sha256(convert_to(k.token, 'UTF8')), 'hex')) > 0), 0,
          'no audit row holds a token or its hash');
CREATE TEMP TABLE inline_sessions AS SELECT * FROM multitenant.principal_sessions WHERE id <> pg_temp.sid('nina');
SELECT multitenant.rebuild('multitenant.principal_sessions');
SELECT set_eq($$SELECT * FROM multitenant.principal_sessions WHERE id <> pg_temp.sid('nina')$$, $$SELECT * FROM inline_sessions$$,
              'rebuild gives the rows inline reduction gave (but last_seen_at that validation moved)');
SELECT is((SELECT last_seen_at FROM multitenant.principal_sessions WHERE id = pg_temp.sid('nina')),
          (SELECT rotated_at FROM multitenant.principal_sessions WHERE id = pg_temp.sid('nina')),
          'a rebuild takes last_seen_at back to the last session event');
SELECT pg_temp.ev('instance', 'ss-a', 'instance.removed', '{}', 'ss-a');
SELECT is((SELECT count(*)::integer FROM multitenant.principal_sessions WHERE instance_id = 'ss-a'), 0, 'instance.removed removes the sessions');

SELECT * FROM finish();
ROLLBACK;
