-- user_by_login_name, authenticate_pat and validate_session answer by
-- probing indexes directly where they may (src/index_probe.c), and by their
-- SQL statements with multitenant.index_lookups off.  Every case here runs
-- both ways, each in a subtransaction rolled back afterwards, and the two
-- answers (rows, or SQLSTATE and message) must be the same: over twelve
-- tenants that use the same ids, names and token shapes, rows that the
-- lookups must skip (other tenants', expired, removed, suspended, deleted or
-- changed earlier in the transaction, or in the same statement), duplicates
-- the lookups refuse, NULL and oversized input, as an application role and
-- as the superuser.  Then the same where a probe is not usable (a table
-- with an inheritance child, a policy a user added), and that the probes
-- did run.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(12);

CREATE ROLE mt_ix_app NOLOGIN;
GRANT multitenant_app TO mt_ix_app;

\ir ../fixtures/pgtap_tenant_calls.sql

-- The answer of query q (its rows, or its error) with the probes on or off,
-- as app_role (NULL: the superuser) in tenant (NULL: none), after prep (run
-- by the superuser, NULL: nothing); everything it changed is rolled back.
CREATE FUNCTION pg_temp.answer(q text, probes boolean, app_role text, tenant text, prep text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r record;
	result text;
BEGIN
	-- Not caught: without the setting there is nothing to compare.
	PERFORM set_config('multitenant.index_lookups', probes::text, true);
	BEGIN
		IF prep IS NOT NULL THEN
			EXECUTE prep;
		END IF;
		IF app_role IS NULL THEN
			RESET ROLE;
			IF tenant IS NULL THEN
				PERFORM multitenant.reset_tenant();
			ELSE
				PERFORM multitenant.set_tenant(tenant);
			END IF;
		ELSE
			PERFORM pg_temp.as_app(app_role, tenant);
		END IF;
		FOR r IN EXECUTE q LOOP
			result := concat_ws(' ; ', result, r::text);
		END LOOP;
		RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = coalesce(result, '(no row)');
	EXCEPTION WHEN OTHERS THEN
		IF SQLSTATE = 'P0099' THEN
			RETURN SQLERRM;
		END IF;
		RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
	END;
END $$;

CREATE TEMP TABLE cases (
	n        serial PRIMARY KEY,
	kind     text NOT NULL,
	q        text NOT NULL,
	app_role text,
	tenant   text,
	prep     text
);
CREATE TEMP TABLE answers (n integer, kind text, probed text, statement text);

-- Twelve tenants ix-00 .. ix-11, their rows written directly.
CREATE TEMP TABLE ix AS SELECT k, 'ix-' || lpad(k::text, 2, '0') AS t FROM generate_series(0, 11) AS k;

INSERT INTO multitenant.users_projection (id, creation_date, sequence, state, resource_owner, instance_id, username, type)
SELECT u.id, now(), 1, u.state, u.ro, ix.t, u.name, 1
  FROM ix, LATERAL (VALUES
	('u1', 1, 'o1', 'user1'),
	('u2', 1, 'o2', 'User2'),
	('u3', CASE WHEN ix.k % 3 = 0 THEN 3 ELSE 1 END, 'o2', 'user3'),
	('u4', 1, 'o1', 'dup'),
	('u5', 1, 'o1', CASE WHEN ix.k % 4 = 0 THEN 'DUP' ELSE 'dup5' END),
	('u6', 1, 'o2', 'a@b'),
	('u7', 6, 'o3', 'user7'),
	('u8', 2, 'o1', 'user8'),
	('u9', 1, 'o1', 'only' || ix.k)) AS u(id, state, ro, name);

INSERT INTO multitenant.orgs_projection (instance_id, id, creation_date, change_date, resource_owner, sequence, org_state, name)
SELECT ix.t, o.id, now(), now(), ix.t, 1, o.state, o.id
  FROM ix, LATERAL (VALUES ('o1', 1), ('o2', CASE WHEN ix.k % 2 = 0 THEN 1 ELSE 2 END)) AS o(id, state);

-- The instance default, org policies (none for o2 in some tenants), and a
-- default-flagged row under an org, which neither rule reads.
INSERT INTO multitenant.login_names_projection_policies (must_be_domain, is_default, resource_owner, instance_id)
SELECT ix.k % 2 = 1, true, ix.t, ix.t FROM ix
UNION ALL
SELECT ix.k % 3 <> 1, false, 'o2', ix.t FROM ix WHERE ix.k % 5 <> 0
UNION ALL
SELECT false, false, 'o1', ix.t FROM ix WHERE ix.k % 4 = 2
UNION ALL
SELECT true, true, 'o3', ix.t FROM ix WHERE ix.k % 2 = 0;

-- Domains; in some tenants two of o2's differ only in case.
INSERT INTO multitenant.login_names_projection_domains (name, resource_owner, instance_id)
SELECT d.name, d.ro, ix.t
  FROM ix, LATERAL (VALUES ('Beta.example', 'o2'), ('acme.com', 'o1'), ('b', 'o2'), ('x', 'o3')) AS d(name, ro)
UNION ALL
SELECT 'BETA.EXAMPLE', 'o2', ix.t FROM ix WHERE ix.k % 6 = 0;

INSERT INTO cases (kind, q, app_role, tenant)
SELECT 'user_by_login_name',
       format('SELECT * FROM multitenant.user_by_login_name(%L)', l.name),
       CASE WHEN ix.k % 4 = 3 THEN NULL ELSE 'mt_ix_app' END, ix.t
  FROM ix, unnest(ARRAY['user1', 'USER1', 'User2', 'user2@beta.example', 'user3@Beta.Example', 'user3',
                        'user1@acme.com', 'user1@ACME.COM', 'dup', 'DUP', 'a@b', 'a@b@beta.example', 'a@b@b',
                        'user7', 'user7@x', 'user8', 'user8@acme.com', '@beta.example', 'user1@', 'only3',
                        'only3@acme.com', 'nobody', '', ' user1', repeat('u', 1024), repeat('u', 1025)]) AS l(name);
INSERT INTO cases (kind, q, app_role, tenant)
VALUES ('user_by_login_name', 'SELECT * FROM multitenant.user_by_login_name(NULL)', 'mt_ix_app', 'ix-01'),
       ('user_by_login_name', 'SELECT * FROM multitenant.user_by_login_name(''user1'')', 'mt_ix_app', NULL);
-- Rows deleted or changed earlier in the transaction, or in the statement.
INSERT INTO cases (kind, q, app_role, tenant, prep)
VALUES ('user_by_login_name', 'SELECT * FROM multitenant.user_by_login_name(''user1'')', 'mt_ix_app', 'ix-02',
        'DELETE FROM multitenant.users_projection WHERE instance_id = ''ix-02'' AND id = ''u1'''),
       ('user_by_login_name', 'SELECT * FROM multitenant.user_by_login_name(''user1'')', 'mt_ix_app', 'ix-02',
        'UPDATE multitenant.users_projection SET username = ''renamed'' WHERE instance_id = ''ix-02'' AND id = ''u1'''),
       ('user_by_login_name', 'SELECT * FROM multitenant.user_by_login_name(''renamed'')', 'mt_ix_app', 'ix-02',
        'UPDATE multitenant.users_projection SET username = ''renamed'' WHERE instance_id = ''ix-02'' AND id = ''u1'''),
       ('user_by_login_name', 'SELECT * FROM multitenant.user_by_login_name(''dup'')', 'mt_ix_app', 'ix-04',
        'DELETE FROM multitenant.users_projection WHERE instance_id = ''ix-04'' AND id = ''u5'''),
       ('user_by_login_name', 'SELECT * FROM multitenant.user_by_login_name(''user2@beta.example'')', 'mt_ix_app', 'ix-06',
        'DELETE FROM multitenant.login_names_projection_domains WHERE instance_id = ''ix-06'' AND name = ''BETA.EXAMPLE'''),
       ('user_by_login_name', 'SELECT * FROM multitenant.user_by_login_name(''user2'')', 'mt_ix_app', 'ix-03',
        'UPDATE multitenant.login_names_projection_policies SET must_be_domain = false WHERE instance_id = ''ix-03'''),
       ('user_by_login_name',
        'WITH d AS (DELETE FROM multitenant.users_projection WHERE instance_id = ''ix-00'' AND id = ''u1'' RETURNING id)'
        ' SELECT c.n, u.id FROM (SELECT count(*) AS n FROM d) AS c,'
        '      LATERAL multitenant.user_by_login_name(CASE WHEN c.n >= 0 THEN ''user1'' END) AS u', NULL, 'ix-00', NULL);

-- Personal access tokens: active, of a locked, initial or inactive user, of
-- a deactivated or missing org, expired, of a missing user, without a hash.
INSERT INTO multitenant.personal_access_tokens_projection (instance_id, id, creation_date, change_date, sequence,
                                                           resource_owner, user_id, expiration, scopes, token_hash)
SELECT ix.t, p.id, now(), now(), 1, 'o1', p.user_id, p.expiration, p.scopes,
       CASE WHEN p.id = 'pn' THEN NULL ELSE sha256(convert_to('mtp_' || ix.t || '_' || p.id, 'UTF8')) END
  FROM ix, LATERAL (VALUES
	('p1', 'u1', 'infinity'::timestamptz, '{openid,profile}'::text[]),
	('p2', 'u2', 'infinity', NULL),
	('p3', 'u3', now() + interval '1 day', '{}'),
	('p7', 'u7', 'infinity', '{a}'),
	('p8', 'u8', 'infinity', '{a}'),
	('px', 'u1', now() - interval '1 second', '{a}'),
	('pm', 'missing', 'infinity', '{a}'),
	('pn', 'u1', 'infinity', '{a}')) AS p(id, user_id, expiration, scopes);

INSERT INTO cases (kind, q, app_role, tenant)
SELECT 'authenticate_pat', format('SELECT * FROM multitenant.authenticate_pat(%L)', 'mtp_' || ix.t || '_' || p),
       'mt_ix_app', CASE ix.k % 3 WHEN 0 THEN NULL WHEN 1 THEN ix.t ELSE 'ix-00' END
  FROM ix, unnest(ARRAY['p1', 'p2', 'p3', 'p7', 'p8', 'px', 'pm', 'pn', 'none']) AS p;
INSERT INTO cases (kind, q, app_role, tenant, prep)
VALUES ('authenticate_pat', 'SELECT * FROM multitenant.authenticate_pat(NULL)', 'mt_ix_app', NULL, NULL),
       ('authenticate_pat', format('SELECT * FROM multitenant.authenticate_pat(%L)', repeat('m', 257)), 'mt_ix_app', NULL, NULL),
       ('authenticate_pat', 'SELECT * FROM multitenant.authenticate_pat(''mtp_ix-01_p1'')', NULL, NULL, NULL),
       ('authenticate_pat', 'SELECT * FROM multitenant.authenticate_pat(''mtp_ix-01_p1'')', 'mt_ix_app', NULL,
        'DELETE FROM multitenant.personal_access_tokens_projection WHERE instance_id = ''ix-01'' AND id = ''p1'''),
       ('authenticate_pat', 'SELECT * FROM multitenant.authenticate_pat(''mtp_ix-01_p1'')', 'mt_ix_app', NULL,
        'UPDATE multitenant.users_projection SET state = 3 WHERE instance_id = ''ix-01'' AND id = ''u1'''),
       ('authenticate_pat', 'SELECT * FROM multitenant.authenticate_pat(''mtp_ix-02_p1'')', 'mt_ix_app', NULL,
        'UPDATE multitenant.orgs_projection SET org_state = 2 WHERE instance_id = ''ix-02'' AND id = ''o1''');

-- Sessions: the registry, principals, memberships and realms they depend
-- on, and sessions in every state, all with opaque tokens.
INSERT INTO multitenant.tenants (instance_id, id, name, status, created_at, changed_at)
SELECT ix.t, ix.t, ix.t, CASE WHEN ix.k % 5 = 4 THEN 'suspended' ELSE 'active' END, now(), now() FROM ix;
INSERT INTO multitenant.principals (id, kind, email, user_type, status, created_at, changed_at)
VALUES ('ixp-0', 'user', 'ixp-0@example.com', 'regular', 'active', now(), now()),
       ('ixp-1', 'user', 'ixp-1@example.com', 'regular', 'active', now(), now()),
       ('ixp-2', 'user', 'ixp-2@example.com', 'regular', 'active', now(), now()),
       ('ixp-3', 'user', 'ixp-3@example.com', 'regular', 'inactive', now(), now());
INSERT INTO multitenant.memberships (instance_id, principal_id, role, status, created_at, changed_at)
SELECT ix.t, m.p, 'member', m.status, now(), now()
  FROM ix, LATERAL (VALUES ('ixp-0', 'active'), ('ixp-1', CASE WHEN ix.k % 3 = 2 THEN 'suspended' ELSE 'active' END),
                           ('ixp-2', 'invited'), ('ixp-3', 'active')) AS m(p, status);
INSERT INTO multitenant.tenant_realms (instance_id, id, name, type, enabled, created_at, changed_at)
SELECT ix.t, r.id, r.id, 'username_password', r.enabled, now(), now()
  FROM ix, LATERAL (VALUES ('pw', true), ('off', false)) AS r(id, enabled);

-- Session s of tenant k: its token is 'mts_' and 43 base64url characters.
CREATE FUNCTION pg_temp.ix_token(t text, s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT 'mts_' || rpad(md5(t || '/' || s), 43, 'Q')
$$;
INSERT INTO multitenant.principal_sessions (instance_id, id, principal_id, realm_id, kind, format, token_hash, status,
                                            idle_timeout, expires_at, last_seen_at, created_at, changed_at)
SELECT ix.t, s.id, s.p, s.realm, 'browser', 'opaque',
       sha256(convert_to(pg_temp.ix_token(ix.t, s.id), 'UTF8')), s.status, s.idle,
       now() + s.absolute, now() - s.unused, now() - interval '1 hour', now()
  FROM ix, LATERAL (VALUES
	('s0', 'ixp-0', 'pw', 'active', interval '30 minutes', interval '12 hours', interval '0'),
	('s1', 'ixp-1', 'pw', 'active', interval '30 minutes', interval '12 hours', interval '1 minute'),
	('s2', 'ixp-2', 'pw', 'active', interval '30 minutes', interval '12 hours', interval '0'),
	('s3', 'ixp-3', 'pw', 'active', interval '30 minutes', interval '12 hours', interval '0'),
	('s4', 'ixp-0', 'off', 'active', interval '30 minutes', interval '12 hours', interval '0'),
	('s5', 'ixp-0', 'pw', 'revoked', interval '30 minutes', interval '12 hours', interval '0'),
	('s6', 'ixp-0', 'pw', 'active', interval '30 minutes', interval '-1 second', interval '0'),
	('s7', 'ixp-0', 'pw', 'active', interval '30 minutes', interval '12 hours', interval '31 minutes'),
	('s8', 'ixp-0', 'nope', 'active', interval '30 minutes', interval '12 hours', interval '0'),
	('s9', 'ixp-0', 'pw', 'active', interval '1 month', interval '12 hours', interval '0')) AS s(id, p, realm, status, idle, absolute, unused);

INSERT INTO cases (kind, q, app_role, tenant)
SELECT 'validate_session',
       format('SELECT tenant, principal_id, realm_id, kind, expires_at, session_id, rotated_token IS NULL,'
              ' multitenant.current_tenant(), multitenant.current_actor()'
              ' FROM multitenant.validate_session(%L, %L)', pg_temp.ix_token(ix.t, s), ix.k % 2 = 0),
       CASE WHEN ix.k % 4 = 3 THEN NULL ELSE 'mt_ix_app' END,
       CASE ix.k % 3 WHEN 0 THEN NULL WHEN 1 THEN ix.t ELSE 'ix-00' END
  FROM ix, unnest(ARRAY['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 'none']) AS s;
INSERT INTO cases (kind, q, app_role, tenant, prep)
VALUES ('validate_session', 'SELECT * FROM multitenant.validate_session(NULL)', 'mt_ix_app', NULL, NULL),
       ('validate_session', format('SELECT * FROM multitenant.validate_session(%L)', repeat('m', 5000)), 'mt_ix_app', NULL, NULL),
       ('validate_session', format('SELECT * FROM multitenant.validate_session(%L)', pg_temp.ix_token('ix-01', 's0') || 'x'),
        'mt_ix_app', NULL, NULL),
       ('validate_session', format('SELECT session_id FROM multitenant.validate_session(%L)', pg_temp.ix_token('ix-01', 's0')),
        'mt_ix_app', NULL,
        'UPDATE multitenant.principal_sessions SET status = ''revoked'' WHERE instance_id = ''ix-01'' AND id = ''s0'''),
       ('validate_session', format('SELECT session_id FROM multitenant.validate_session(%L)', pg_temp.ix_token('ix-01', 's0')),
        'mt_ix_app', NULL,
        'UPDATE multitenant.memberships SET status = ''suspended'' WHERE instance_id = ''ix-01'' AND principal_id = ''ixp-0'''),
       ('validate_session', format('SELECT session_id FROM multitenant.validate_session(%L)', pg_temp.ix_token('ix-01', 's0')),
        'mt_ix_app', NULL,
        'DELETE FROM multitenant.tenant_realms WHERE instance_id = ''ix-01'' AND id = ''pw'''),
       ('validate_session', format('SELECT session_id FROM multitenant.validate_session(%L)', pg_temp.ix_token('ix-01', 's0')),
        'mt_ix_app', NULL,
        'UPDATE multitenant.principals SET status = ''inactive'' WHERE id = ''ixp-0'''),
       ('validate_session',
        format('WITH d AS (UPDATE multitenant.principal_sessions SET status = ''revoked'' WHERE instance_id = ''ix-01'' AND id = ''s0'' RETURNING id)'
               ' SELECT c.n, v.session_id FROM (SELECT count(*) AS n FROM d) AS c,'
               '      LATERAL multitenant.validate_session(CASE WHEN c.n >= 0 THEN %L END) AS v',
               pg_temp.ix_token('ix-01', 's0')), NULL, NULL, NULL),
       ('validate_session',
        format('WITH d AS (UPDATE multitenant.principal_sessions SET status = ''active'' WHERE instance_id = ''ix-01'' AND id = ''s5'' RETURNING id)'
               ' SELECT c.n, v.session_id FROM (SELECT count(*) AS n FROM d) AS c,'
               '      LATERAL multitenant.validate_session(CASE WHEN c.n >= 0 THEN %L END) AS v',
               pg_temp.ix_token('ix-01', 's5')), NULL, NULL, NULL),
       ('validate_session',
        format('SELECT (SELECT last_seen_at > now() - interval ''1 second'' FROM multitenant.principal_sessions'
               '          WHERE instance_id = ''ix-01'' AND id = ''s1''), v.session_id'
               '  FROM multitenant.validate_session(%L) AS v', pg_temp.ix_token('ix-01', 's1')), NULL, NULL, NULL);

-- JWS and JWE sessions made through the extension's functions, valid, with
-- their key retired, and due for rotation.
DO $$
BEGIN
	PERFORM multitenant.create_tenant('ixj', 'JOSE');
	PERFORM multitenant.create_principal('user', 'ixj@example.com', 'J', id => 'ixj-p');
	PERFORM multitenant.verify_principal('ixj-p');
	PERFORM multitenant.add_member('ixj-p', 'member', 'ixj');
	PERFORM pg_temp.ev('tenant', 'ixj', 'tenant.realm.added', '{"realmId": "pw", "name": "staff", "type": "username_password"}', 'ixj');
END $$;
CREATE TEMP TABLE jose AS
SELECT f.format, multitenant.session_key_create('ixj', f.alg) AS kid
  FROM (VALUES ('jws', 'HS256'), ('jwe', 'A256GCM')) AS f(format, alg);
ALTER TABLE jose ADD COLUMN token text;
UPDATE jose SET token = (SELECT s.token FROM multitenant.create_session('ixj-p', 'pw', format => jose.format, tenant => 'ixj') AS s);
INSERT INTO cases (kind, q, app_role, tenant, prep)
SELECT 'validate_session',
       format('SELECT tenant, principal_id, session_id, rotated_token IS NULL FROM multitenant.validate_session(%L, true)', j.token),
       'mt_ix_app', NULL, p.prep
  FROM jose AS j, LATERAL (VALUES
	(NULL),
	(format('SELECT multitenant.retire_session_key(%L, ''ixj'')', j.kid)),
	('UPDATE multitenant.principal_sessions SET rotation_due = true WHERE instance_id = ''ixj'''),
	(format('UPDATE multitenant.session_keys SET instance_id = ''ix-01'' WHERE kid = %L', j.kid))) AS p(prep);

-- Both ways.
INSERT INTO answers
SELECT n, kind, pg_temp.answer(q, true, app_role, tenant, prep), pg_temp.answer(q, false, app_role, tenant, prep)
  FROM cases ORDER BY n;

SELECT is_empty($$SELECT n, probed, statement FROM answers
                   WHERE kind = 'user_by_login_name' AND probed IS DISTINCT FROM statement$$,
                'user_by_login_name: the probes answer every case as the statements do');
SELECT is_empty($$SELECT n, probed, statement FROM answers
                   WHERE kind = 'authenticate_pat' AND probed IS DISTINCT FROM statement$$,
                'authenticate_pat: the probes answer every case as the statements do');
SELECT is_empty($$SELECT n, probed, statement FROM answers
                   WHERE kind = 'validate_session' AND probed IS DISTINCT FROM statement$$,
                'validate_session: the probes answer every case as the statements do');

-- The cases are not all alike: rows, refusals and errors of each kind.
SELECT results_eq($$SELECT kind, count(*) FILTER (WHERE statement NOT LIKE 'ERROR%' AND statement <> '(no row)') > 20,
                           count(*) FILTER (WHERE statement = '(no row)') > 20,
                           count(*) FILTER (WHERE statement LIKE 'ERROR 21000%') > 2
                      FROM answers WHERE kind = 'user_by_login_name' GROUP BY kind$$,
                  $$VALUES ('user_by_login_name', true, true, true)$$,
                  'user_by_login_name: users found, none found, and more than one');
SELECT ok((SELECT count(DISTINCT statement) FROM answers WHERE kind = 'user_by_login_name' AND statement LIKE 'ERROR%') >= 4,
          'user_by_login_name: errors of several kinds (no tenant, NULL, too long, ambiguous)');
SELECT results_eq($$SELECT count(*) FILTER (WHERE statement NOT LIKE 'ERROR%') > 5,
                           count(*) FILTER (WHERE statement LIKE 'ERROR 28000%') > 40,
                           count(*) FILTER (WHERE statement LIKE 'ERROR 22004%') = 1
                      FROM answers WHERE kind = 'authenticate_pat'$$,
                  $$VALUES (true, true, true)$$,
                  'authenticate_pat: tokens accepted, refused, and a NULL');
SELECT results_eq($$SELECT count(*) FILTER (WHERE statement NOT LIKE 'ERROR%') > 5,
                           count(*) FILTER (WHERE statement LIKE 'ERROR 28000%') > 40,
                           count(*) FILTER (WHERE statement LIKE '%,f)' AND q LIKE '%rotated_token IS NULL FROM%') >= 2
                      FROM answers JOIN cases USING (n, kind) WHERE kind = 'validate_session'$$,
                  $$VALUES (true, true, true)$$,
                  'validate_session: sessions accepted, refused, and rotated');

-- The probes did run: their memory context exists in this backend.
SELECT ok(EXISTS (SELECT FROM pg_backend_memory_contexts WHERE name = 'multitenant index probes'),
          'the lookups probed indexes');

-- Where a probe may not be used, the statement runs: an inheritance child
-- of users_projection (which a SELECT of it reads), a child of
-- principal_sessions, a policy added to personal_access_tokens_projection.
CREATE TABLE public.ix_users_child () INHERITS (multitenant.users_projection);
INSERT INTO public.ix_users_child (id, creation_date, sequence, state, resource_owner, instance_id, username, type)
VALUES ('uc', now(), 1, 1, 'o1', 'ix-00', 'child1', 1);
SELECT is(pg_temp.answer('SELECT id FROM multitenant.user_by_login_name(''child1'')', true, NULL, 'ix-00', NULL),
          '(uc)', 'a user in a child table of users_projection is found with the probes on');
SELECT is(pg_temp.answer('SELECT id FROM multitenant.user_by_login_name(''user1'')', true, NULL, 'ix-00', NULL),
          '(u1)', 'and the others still are');
DROP TABLE public.ix_users_child;

CREATE TABLE public.ix_sessions_child () INHERITS (multitenant.principal_sessions);
INSERT INTO public.ix_sessions_child (instance_id, id, principal_id, realm_id, kind, format, token_hash, idle_timeout,
                                      expires_at, last_seen_at, created_at, changed_at)
VALUES ('ix-01', 'sc', 'ixp-0', 'pw', 'browser', 'opaque', sha256(convert_to(pg_temp.ix_token('ix-01', 'sc'), 'UTF8')),
        '30 minutes', now() + interval '1 hour', now(), now(), now());
SELECT is(pg_temp.answer(format('SELECT session_id FROM multitenant.validate_session(%L)', pg_temp.ix_token('ix-01', 'sc')),
                         true, NULL, NULL, NULL),
          '(sc)', 'a session in a child table of principal_sessions is found with the probes on');
DROP TABLE public.ix_sessions_child;

-- A policy of one's own on the tokens: authenticate_pat reads as the owner,
-- whom it does not narrow; still the same answers both ways.
CREATE POLICY ix_no_p2 ON multitenant.personal_access_tokens_projection AS RESTRICTIVE FOR SELECT TO PUBLIC
	USING (id <> 'p2');
SELECT is(pg_temp.answer('SELECT user_id FROM multitenant.authenticate_pat(''mtp_ix-01_p2'')', true, 'mt_ix_app', NULL, NULL),
          pg_temp.answer('SELECT user_id FROM multitenant.authenticate_pat(''mtp_ix-01_p2'')', false, 'mt_ix_app', NULL, NULL),
          'authenticate_pat answers alike with a policy added to its table');

SELECT * FROM finish();
ROLLBACK;
