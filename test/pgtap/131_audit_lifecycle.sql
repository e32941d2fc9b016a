-- The lifecycle building blocks: audit_lifecycle's entries (fields,
-- changed_columns, the outer role as db_role through a SECURITY DEFINER
-- function, refusals written in the transaction that created the
-- extension), issue_secret's format, uniqueness and prefix checks, and
-- caller_is_operator for a superuser, an administrator and an application,
-- inside a definer function too.  All three are internal: no role of the
-- extension may call them directly.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(40);

CREATE ROLE mt_al_app NOLOGIN;
GRANT multitenant_app TO mt_al_app;
CREATE ROLE mt_al_admin NOLOGIN;
GRANT multitenant_admin TO mt_al_admin;

-- What a lifecycle function is: SECURITY DEFINER, owned by the superuser.
CREATE SCHEMA al;
GRANT USAGE ON SCHEMA al TO mt_al_app, mt_al_admin;
CREATE FUNCTION al.record(principal text, refused boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM multitenant.audit_lifecycle('al-t', 'tenant.member.added', 'multitenant.memberships',
		pg_catalog.jsonb_build_object('principal_id', principal), NULL,
		pg_catalog.jsonb_build_object('role', 'member'), NULL, refused);
END $$;
CREATE FUNCTION al.is_operator()
RETURNS TABLE (operator boolean, definer_user name) LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT multitenant.caller_is_operator(), current_user $$;
GRANT EXECUTE ON FUNCTION al.record(text, boolean), al.is_operator() TO mt_al_app, mt_al_admin;

------------------------------------------------------------------------------
-- audit_lifecycle: the fields of an entry
------------------------------------------------------------------------------
SELECT multitenant.set_tenant('al-t');
SET LOCAL multitenant.actor = 'alice';
SET LOCAL multitenant.client_address = '203.0.113.5';
SET LOCAL multitenant.user_agent = 'al-test/2';
SELECT lives_ok(
	$$SELECT multitenant.audit_lifecycle('al-t', 'tenant.member.role.changed', 'multitenant.memberships',
	         '{"instance_id": "al-t", "principal_id": "p1"}',
	         '{"role": "member", "status": "active", "meta": {"a": 1}, "gone": true, "n": 1}',
	         '{"role": "admin", "status": "active", "meta": {"a": 2}, "new": null, "n": 1.0}',
	         'promoted by the owner')$$,
	'audit_lifecycle writes an entry');
SELECT is(
	(SELECT row(instance_id, actor, db_role, action, target_table, target_key, before, after, changed_columns,
	            client_address, user_agent, reason, transaction_id = pg_current_xact_id(), created_at = now())::text
	   FROM multitenant.audit_log WHERE instance_id LIKE 'al-%' AND action = 'tenant.member.role.changed'),
	row('al-t', 'alice', current_user::text, 'tenant.member.role.changed', 'multitenant.memberships',
	    '{"instance_id": "al-t", "principal_id": "p1"}'::jsonb,
	    '{"role": "member", "status": "active", "meta": {"a": 1}, "gone": true, "n": 1}'::jsonb,
	    '{"role": "admin", "status": "active", "meta": {"a": 2}, "new": null, "n": 1.0}'::jsonb,
	    '{gone,meta,new,role}'::text[], '203.0.113.5', 'al-test/2', 'promoted by the owner', true, true)::text,
	'the entry: tenant, actor, role, action, table, key, images, changed columns (sorted; equal numbers unchanged), request settings, reason, transaction');

SELECT multitenant.audit_lifecycle('al-t', 'img.same', 'multitenant.memberships', NULL, '{"a": 1}', '{"a": 1}');
SELECT multitenant.audit_lifecycle('al-t', 'img.added', 'multitenant.memberships', NULL, NULL, '{"a": 1}');
SELECT multitenant.audit_lifecycle('al-t', 'img.removed', 'multitenant.memberships', NULL, '{"a": 1}', NULL);
SELECT multitenant.audit_lifecycle('al-t', 'img.array', 'multitenant.memberships', NULL, '[1]', '{"a": 1}');
SELECT multitenant.audit_lifecycle('al-t', 'img.none', 'multitenant.memberships', NULL, NULL, NULL, 'r');
SELECT is((SELECT changed_columns FROM multitenant.audit_log WHERE instance_id LIKE 'al-%' AND action = 'img.same'), '{}'::text[],
          'equal object images: no changed columns');
SELECT is((SELECT changed_columns FROM multitenant.audit_log WHERE instance_id LIKE 'al-%' AND action = 'img.added'), NULL,
          'no before image: changed_columns is NULL');
SELECT is((SELECT changed_columns FROM multitenant.audit_log WHERE instance_id LIKE 'al-%' AND action = 'img.removed'), NULL,
          'no after image: changed_columns is NULL');
SELECT is((SELECT changed_columns FROM multitenant.audit_log WHERE instance_id LIKE 'al-%' AND action = 'img.array'), NULL,
          'an image that is not an object: changed_columns is NULL');
SELECT is((SELECT row(target_key, before, after, reason)::text FROM multitenant.audit_log WHERE instance_id LIKE 'al-%' AND action = 'img.none'),
          row(NULL::jsonb, NULL::jsonb, NULL::jsonb, 'r')::text, 'key and images may be NULL');

-- With no tenant and no actor set the actor is NULL, and the entry names its
-- own tenant.
SELECT multitenant.reset_tenant();
RESET multitenant.actor;
SELECT multitenant.audit_lifecycle('al-other', 'no.tenant', 'multitenant.tenants', '{"id": "al-other"}', NULL, NULL);
SELECT is((SELECT row(instance_id, actor)::text FROM multitenant.audit_log WHERE instance_id LIKE 'al-%' AND action = 'no.tenant'),
          row('al-other', NULL::text)::text, 'without a tenant: the given tenant, no actor');

------------------------------------------------------------------------------
-- db_role: the role outside the SECURITY DEFINER function
------------------------------------------------------------------------------
SET LOCAL ROLE mt_al_app;
SELECT lives_ok($$SELECT al.record('p-app')$$, 'an application calls a definer function that records');
SELECT throws_ok($$SELECT multitenant.audit_lifecycle('al-t', 'direct', 'multitenant.memberships', NULL, NULL, NULL)$$,
                 '42501', NULL, 'audit_lifecycle is internal: the application cannot call it');
RESET ROLE;
SET LOCAL ROLE mt_al_admin;
SELECT lives_ok($$SELECT al.record('p-admin')$$, 'an administrator calls it');
SELECT lives_ok($$SELECT multitenant.audit_lifecycle('al-t', 'direct', 'multitenant.memberships', NULL, NULL, NULL)$$,
                'the operator may write an entry directly (create_tenant, run with its rights, does)');
RESET ROLE;
SELECT results_eq(
	$$SELECT target_key ->> 'principal_id', db_role, changed_columns IS NULL FROM multitenant.audit_log
	   WHERE instance_id LIKE 'al-%' AND target_key ? 'principal_id' AND action = 'tenant.member.added' ORDER BY id$$,
	$$VALUES ('p-app', 'mt_al_app'::text, true), ('p-admin', 'mt_al_admin', true)$$,
	'db_role is the caller of the definer function, not its owner');

------------------------------------------------------------------------------
-- refused => true: when this transaction created the extension (as here on a
-- fresh install), the audit writer could not see the log, so the entry is
-- written in the transaction; on a database where the extension already
-- existed, the writer commits it apart.
------------------------------------------------------------------------------
SELECT (c.xmin = pg_catalog.xid(pg_current_xact_id())) AS created_here
  FROM pg_class AS c WHERE c.oid = 'multitenant.audit_log'::regclass \gset
SAVEPOINT refusal;
SET LOCAL ROLE mt_al_app;
SELECT lives_ok($$SELECT al.record('p-refused', true)$$, 'a refusal is recorded');
RESET ROLE;
SELECT is((SELECT db_role FROM multitenant.audit_log WHERE target_key ->> 'principal_id' = 'p-refused'), 'mt_al_app',
          'the refusal is visible, with the caller as db_role');
ROLLBACK TO SAVEPOINT refusal;
SELECT is((SELECT count(*)::integer FROM multitenant.audit_log WHERE target_key ->> 'principal_id' = 'p-refused'),
          CASE WHEN :'created_here' THEN 0 ELSE 1 END,
          'a refusal goes with the transaction that created the extension, and only then');

------------------------------------------------------------------------------
-- audit_lifecycle: bad input
------------------------------------------------------------------------------
SELECT throws_ok($$SELECT multitenant.audit_lifecycle(NULL, 'a', 't', NULL, NULL, NULL)$$, '22004',
                 'instance_id of an audit log entry must not be null', 'NULL instance_id');
SELECT throws_ok($$SELECT multitenant.audit_lifecycle('al-t', NULL, 't', NULL, NULL, NULL)$$, '22004',
                 'action of an audit log entry must not be null', 'NULL action');
SELECT throws_ok($$SELECT multitenant.audit_lifecycle('al-t', 'a', NULL, NULL, NULL, NULL)$$, '22004',
                 'target_table of an audit log entry must not be null', 'NULL target_table');
SELECT throws_ok($$SELECT multitenant.audit_lifecycle('al-t', 'a', 't', NULL, NULL, NULL, NULL, NULL)$$, '22004',
                 'refused of an audit log entry must not be null', 'NULL refused');
SELECT throws_ok($$SELECT multitenant.audit_lifecycle('', 'a', 't', NULL, NULL, NULL)$$, '22023',
                 'instance_id of an audit log entry must not be empty', 'empty instance_id');
SELECT is((SELECT count(*)::integer FROM multitenant.audit_log WHERE instance_id LIKE 'al-%' AND action = 'a'), 0, 'refused calls wrote nothing');
SELECT is((SELECT count(*)::integer FROM multitenant.audit_log WHERE instance_id LIKE 'al-%' AND action = 'direct'), 1, 'the application''s direct call wrote nothing, the operator''s one entry');

------------------------------------------------------------------------------
-- issue_secret
------------------------------------------------------------------------------
SELECT matches(multitenant.issue_secret('inv_'), '^inv_[A-Za-z0-9_-]{43}$',
               'issue_secret: the prefix, then 43 base64url characters (32 bytes, unpadded)');
SELECT is(length(multitenant.issue_secret('')), 43, 'an empty prefix gives the bare secret');
SELECT is(length(multitenant.issue_secret('abcdefghijklmnop')), 59, 'a prefix of 16 bytes is accepted');
SELECT is((SELECT count(DISTINCT multitenant.issue_secret('x_'))::integer FROM generate_series(1, 200)), 200,
          '200 secrets are all different');
SELECT ok((SELECT bool_and(s !~ '[+/=]') FROM (SELECT multitenant.issue_secret('') AS s FROM generate_series(1, 50)) AS x),
          'no +, / or = padding in 50 secrets');
SELECT is((SELECT length(decode(translate(substr(s, 5), '-_', '+/') || '=', 'base64'))
             FROM multitenant.issue_secret('inv_') AS s), 32,
          'the secret decodes (base64url, padding restored) to 32 bytes');
SELECT throws_ok($$SELECT multitenant.issue_secret(NULL)$$, '22004', 'prefix of a secret must not be null',
                 'issue_secret: NULL prefix');
SELECT throws_ok($$SELECT multitenant.issue_secret('abcdefghijklmnopq')$$, '22023',
                 'prefix of a secret is too long (17 bytes, at most 16)', 'issue_secret: a prefix of 17 bytes');
SELECT throws_ok($$SELECT multitenant.issue_secret('inv-')$$, '22023',
                 'prefix of a secret may contain only ASCII letters, digits and underscores', 'issue_secret: a hyphen');
SELECT throws_ok($$SELECT multitenant.issue_secret('é')$$, '22023', NULL, 'issue_secret: a non-ASCII letter');
SELECT throws_ok($$SELECT multitenant.issue_secret('a b')$$, '22023', NULL, 'issue_secret: a space');
SET LOCAL ROLE mt_al_app;
SELECT throws_ok($$SELECT multitenant.issue_secret('inv_')$$, '42501', NULL,
                 'issue_secret is internal: the application cannot call it');
RESET ROLE;

------------------------------------------------------------------------------
-- caller_is_operator
------------------------------------------------------------------------------
SELECT ok(multitenant.caller_is_operator(), 'a superuser is an operator');
SELECT results_eq($$SELECT operator, definer_user::text FROM al.is_operator()$$, $$VALUES (true, current_user::text)$$,
                  'a superuser is one inside a definer function too');
SET LOCAL ROLE mt_al_admin;
SELECT results_eq($$SELECT operator FROM al.is_operator()$$, $$VALUES (true)$$,
                  'a member of multitenant_admin is an operator');
RESET ROLE;
SET LOCAL ROLE mt_al_app;
SELECT results_eq($$SELECT operator, definer_user::text FROM al.is_operator()$$, $$VALUES (false, session_user::text)$$,
                  'an application calling a definer function owned by a superuser is not an operator');
SELECT throws_ok($$SELECT multitenant.caller_is_operator()$$, '42501', NULL,
                 'caller_is_operator is internal: the application cannot call it');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
