-- Tenant-scoped lookups: instance_by_domain, user_by_id,
-- user_by_login_name, org_by_domain, has_role.  Two tenants use the same ids
-- and the same names throughout; the lookups run as an application role, so
-- row-level security applies as it would in production.  Happy paths,
-- unknown and removed objects, case differences, injection-shaped input, bad
-- arguments, and that nothing of tenant B shows through tenant A's answers or
-- errors.  (The one-round-trip token entry across statements is in
-- test/sql/lookup_tenant_entry.sql, since it needs autocommit.)
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(92);

CREATE ROLE mt_lk_app NOLOGIN;
GRANT multitenant_app TO mt_lk_app;

\ir ../fixtures/pgtap_tenant_calls.sql

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['lk-a', 'lk-b'] LOOP
		PERFORM pg_temp.ev('instance', t, 'instance.added', '{"name": "Lookups"}', t);
		PERFORM pg_temp.ev('instance', t, 'instance.policy.domain.added', '{"userLoginMustBeDomain": false}', t);
		PERFORM pg_temp.ev('org', 'o1', 'org.added', pg_catalog.jsonb_build_object('name', 'Org one of ' || t), t);
		PERFORM pg_temp.ev('org', 'o1', 'org.domain.added', '{"domain": "Acme.COM"}', t);
		PERFORM pg_temp.ev('org', 'o1', 'org.domain.verified', '{"domain": "Acme.COM"}', t);
		PERFORM pg_temp.ev('project', 'p1', 'project.added', '{"name": "Shop"}', t, 'o1');
	END LOOP;
	PERFORM pg_temp.ev('instance', 'lk-a', 'instance.domain.added', '{"domain": "Login.A.example", "generated": false}', 'lk-a');
	PERFORM pg_temp.ev('instance', 'lk-b', 'instance.domain.added', '{"domain": "login.b.example", "generated": false}', 'lk-b');
	PERFORM pg_temp.ev('instance', 'lk-b', 'instance.domain.added', '{"domain": "gone.b.example", "generated": false}', 'lk-b');
	PERFORM pg_temp.ev('instance', 'lk-b', 'instance.domain.removed', '{"domain": "gone.b.example"}', 'lk-b');

	-- Tenant A: u1 Alice, u3 Carol (locked), u5 Eve (removed); org o2 requires
	-- its verified domain in login names: u4 dave@beta.example.
	PERFORM pg_temp.ev('user', 'u1', 'user.human.added', '{"userName": "Alice", "firstName": "A", "lastName": "A", "email": "a@x"}', 'lk-a', 'o1');
	PERFORM pg_temp.ev('user', 'u3', 'user.human.added', '{"userName": "carol", "firstName": "C", "lastName": "C", "email": "c@x"}', 'lk-a', 'o1');
	PERFORM pg_temp.ev('user', 'u3', 'user.locked', NULL, 'lk-a');
	PERFORM pg_temp.ev('user', 'u5', 'user.human.added', '{"userName": "eve", "firstName": "E", "lastName": "E", "email": "e@x"}', 'lk-a', 'o1');
	PERFORM pg_temp.ev('user', 'u5', 'user.removed', NULL, 'lk-a');
	PERFORM pg_temp.ev('org', 'o2', 'org.added', '{"name": "Beta"}', 'lk-a');
	PERFORM pg_temp.ev('org', 'o2', 'org.domain.added', '{"domain": "Beta.example"}', 'lk-a');
	PERFORM pg_temp.ev('org', 'o2', 'org.domain.verified', '{"domain": "Beta.example"}', 'lk-a');
	PERFORM pg_temp.ev('org', 'o2', 'org.domain.added', '{"domain": "unverified.example"}', 'lk-a');
	PERFORM pg_temp.ev('org', 'o2', 'org.policy.domain.added', '{"userLoginMustBeDomain": true}', 'lk-a');
	PERFORM pg_temp.ev('user', 'u4', 'user.human.added', '{"userName": "Dave", "firstName": "D", "lastName": "D", "email": "d@x"}', 'lk-a', 'o2');
	PERFORM pg_temp.ev('project', 'p2', 'project.added', '{"name": "Closed"}', 'lk-a', 'o1');

	-- Tenant B: u1 Bob, u2 Alice: the same id and the same name as in A.
	PERFORM pg_temp.ev('user', 'u1', 'user.human.added', '{"userName": "bob", "firstName": "B", "lastName": "B", "email": "b@x"}', 'lk-b', 'o1');
	PERFORM pg_temp.ev('user', 'u2', 'user.human.added', '{"userName": "alice", "firstName": "A", "lastName": "B", "email": "a@y"}', 'lk-b', 'o1');

	-- Roles.  A: u1 reads p1 (active grant), wrote p2 (grant on a project
	-- deactivated later), was a writer (grant deactivated), owns o1, the
	-- instance and p1 as a member.  B: u1 administers p1.
	PERFORM pg_temp.ev('usergrant', 'g1', 'user.grant.added', '{"userId": "u1", "projectId": "p1", "roleKeys": ["reader"]}', 'lk-a', 'o1');
	PERFORM pg_temp.ev('usergrant', 'g2', 'user.grant.added', '{"userId": "u1", "projectId": "p1", "roleKeys": ["writer"]}', 'lk-a', 'o1');
	PERFORM pg_temp.ev('usergrant', 'g2', 'user.grant.deactivated', NULL, 'lk-a');
	PERFORM pg_temp.ev('usergrant', 'g3', 'user.grant.added', '{"userId": "u1", "projectId": "p2", "roleKeys": ["closer"]}', 'lk-a', 'o1');
	PERFORM pg_temp.ev('usergrant', 'g4', 'user.grant.added', '{"userId": "u3", "projectId": "p1", "roleKeys": ["reader"]}', 'lk-a', 'o1');
	PERFORM pg_temp.ev('org', 'o1', 'org.member.added', '{"userId": "u1", "roles": ["ORG_OWNER"]}', 'lk-a');
	PERFORM pg_temp.ev('instance', 'lk-a', 'instance.member.added', '{"userId": "u1", "roles": ["IAM_OWNER"]}', 'lk-a');
	PERFORM pg_temp.ev('project', 'p1', 'project.member.added', '{"userId": "u1", "roles": ["PROJECT_OWNER"]}', 'lk-a');
	PERFORM pg_temp.ev('usergrant', 'g1', 'user.grant.added', '{"userId": "u1", "projectId": "p1", "roleKeys": ["admin"]}', 'lk-b', 'o1');
END $$;

------------------------------------------------------------------------------
-- instance_by_domain: before any tenant, across tenants, the answer only
------------------------------------------------------------------------------
SET LOCAL ROLE mt_lk_app;
SELECT is(multitenant.current_tenant(), NULL, 'the application role starts without a tenant');
SELECT is(multitenant.instance_by_domain('login.a.example'), 'lk-a', 'instance_by_domain works before any tenant is set');
SELECT is(multitenant.instance_by_domain('LOGIN.A.EXAMPLE'), 'lk-a', 'instance_by_domain ignores case');
SELECT is(multitenant.instance_by_domain('login.b.example'), 'lk-b', 'instance_by_domain finds the other tenant too');
SELECT is(multitenant.instance_by_domain('nowhere.example'), NULL, 'an unknown domain is NULL');
SELECT is(multitenant.instance_by_domain('gone.b.example'), NULL, 'a removed domain is NULL');
SELECT is(multitenant.instance_by_domain($$login.a.example' OR '1'='1$$), NULL, 'injection-shaped input is just an unknown domain');
SELECT is(multitenant.instance_by_domain('%'), NULL, 'a pattern character matches nothing');
SELECT throws_ok($$SELECT multitenant.instance_by_domain(NULL)$$, '22004', 'domain must not be null', 'instance_by_domain(NULL) is refused');
SELECT throws_ok($$SELECT multitenant.instance_by_domain('')$$, '22023', 'domain must not be empty', 'an empty domain is refused');
SELECT throws_ok($$SELECT multitenant.instance_by_domain(repeat('d', 1025))$$, '22001', NULL, 'an oversized domain is refused');
RESET ROLE;
SELECT throws_ok($$SELECT pg_temp.ev('instance', 'lk-b', 'instance.domain.added', '{"domain": "LOGIN.a.example", "generated": false}', 'lk-b')$$,
	'23505', NULL, 'a tenant cannot claim a domain of another tenant, in any case');
SELECT is(multitenant.instance_by_domain('login.a.example'), 'lk-a', 'and the domain still routes to its tenant');

------------------------------------------------------------------------------
-- user_by_id
------------------------------------------------------------------------------
SET LOCAL ROLE mt_lk_app;
SELECT throws_ok($$SELECT * FROM multitenant.user_by_id('u1')$$, '55000', 'user_by_id needs a tenant, and no tenant is set',
	'user_by_id without a tenant is refused');
SELECT pg_temp.as_app('mt_lk_app', 'lk-a');
SELECT results_eq($$SELECT instance_id, id, username, state FROM multitenant.user_by_id('u1')$$,
	$$VALUES ('lk-a'::text, 'u1'::text, 'Alice'::text, 1::smallint)$$, 'user_by_id returns the current tenant''s user');
SELECT is_empty($$SELECT * FROM multitenant.user_by_id('u2')$$, 'a user id that only the other tenant has is not found');
SELECT is_empty($$SELECT * FROM multitenant.user_by_id('nobody')$$, 'an unknown user id returns no row');
SELECT is_empty($$SELECT * FROM multitenant.user_by_id('u5')$$, 'a removed user returns no row');
SELECT results_eq($$SELECT state FROM multitenant.user_by_id('u3')$$, $$VALUES (4::smallint)$$,
	'a locked user is returned with its state, for the caller to decide');
SELECT is_empty($$SELECT * FROM multitenant.user_by_id('U1')$$, 'ids are compared exactly');
SELECT is_empty($$SELECT * FROM multitenant.user_by_id($q$u1' OR 'x'='x$q$)$$, 'injection-shaped user id finds nothing');
SELECT throws_ok($$SELECT * FROM multitenant.user_by_id(NULL)$$, '22004', 'user_id must not be null', 'user_by_id(NULL) is refused');
SELECT throws_ok($$SELECT * FROM multitenant.user_by_id(repeat('u', 201))$$, '22001', NULL, 'an oversized user id is refused');
SELECT pg_temp.as_app('mt_lk_app', 'lk-b');
SELECT results_eq($$SELECT instance_id, id, username FROM multitenant.user_by_id('u1')$$,
	$$VALUES ('lk-b'::text, 'u1'::text, 'bob'::text)$$, 'the same id in the other tenant is the other tenant''s user');

------------------------------------------------------------------------------
-- user_by_login_name
------------------------------------------------------------------------------
SELECT pg_temp.as_app('mt_lk_app', 'lk-a');
SELECT results_eq($$SELECT id FROM multitenant.user_by_login_name('alice')$$, $$VALUES ('u1'::text)$$,
	'a login name is the user name where no domain is required');
SELECT results_eq($$SELECT id FROM multitenant.user_by_login_name('ALICE')$$, $$VALUES ('u1'::text)$$,
	'login names ignore case (stored Alice, asked ALICE)');
SELECT is_empty($$SELECT * FROM multitenant.user_by_login_name('alice@acme.com')$$,
	'no domain form where the policy does not require it');
SELECT is_empty($$SELECT * FROM multitenant.user_by_login_name('dave')$$,
	'where the org''s policy requires its domain, the bare user name is not a login name');
SELECT results_eq($$SELECT id FROM multitenant.user_by_login_name('dave@beta.example')$$, $$VALUES ('u4'::text)$$,
	'user@verified-domain where the org''s policy requires it');
SELECT results_eq($$SELECT id FROM multitenant.user_by_login_name('DAVE@BETA.Example')$$, $$VALUES ('u4'::text)$$,
	'domain and name ignore case');
SELECT is_empty($$SELECT * FROM multitenant.user_by_login_name('dave@unverified.example')$$, 'an unverified domain is no login name');
SELECT is_empty($$SELECT * FROM multitenant.user_by_login_name('dave@')$$, 'an empty domain is no login name');
SELECT is_empty($$SELECT * FROM multitenant.user_by_login_name('bob')$$, 'a login name of the other tenant is not found');
SELECT is_empty($$SELECT * FROM multitenant.user_by_login_name('eve')$$, 'a removed user''s login name is not found');
SELECT is_empty($$SELECT * FROM multitenant.user_by_login_name($q$alice' OR '1'='1$q$)$$, 'injection-shaped login name finds nothing');
SELECT is_empty($$SELECT * FROM multitenant.user_by_login_name('ali%')$$, 'a pattern character matches nothing');
SELECT throws_ok($$SELECT * FROM multitenant.user_by_login_name(NULL)$$, '22004', 'login_name must not be null', 'NULL login name is refused');
SELECT throws_ok($$SELECT * FROM multitenant.user_by_login_name('')$$, '22023', 'login_name must not be empty', 'empty login name is refused');
SELECT pg_temp.as_app('mt_lk_app', 'lk-b');
SELECT results_eq($$SELECT id FROM multitenant.user_by_login_name('Alice')$$, $$VALUES ('u2'::text)$$,
	'the same login name in the other tenant is that tenant''s user, and A''s Alice does not make it ambiguous');
RESET ROLE;
SELECT pg_temp.ev('user', 'u6', 'user.human.added', '{"userName": "ALICE", "firstName": "A", "lastName": "C", "email": "a@z"}', 'lk-a', 'o1');
SELECT pg_temp.as_app('mt_lk_app', 'lk-a');
SELECT throws_ok($$SELECT * FROM multitenant.user_by_login_name('alice')$$, '21000',
	'login name "alice" matches more than one row in the current tenant',
	'a login name that two users of the tenant share is refused, not guessed');
RESET ROLE;
SELECT pg_temp.ev('user', 'u6', 'user.removed', NULL, 'lk-a');

------------------------------------------------------------------------------
-- org_by_domain
------------------------------------------------------------------------------
SET LOCAL ROLE mt_lk_app;
SELECT multitenant.reset_tenant();
SELECT throws_ok($$SELECT * FROM multitenant.org_by_domain('acme.com')$$, '55000', NULL, 'org_by_domain without a tenant is refused');
SELECT pg_temp.as_app('mt_lk_app', 'lk-a');
SELECT results_eq($$SELECT instance_id, id, name FROM multitenant.org_by_domain('acme.com')$$,
	$$VALUES ('lk-a'::text, 'o1'::text, 'Org one of lk-a'::text)$$, 'org_by_domain finds the org that verified the domain');
SELECT results_eq($$SELECT id FROM multitenant.org_by_domain('BETA.EXAMPLE')$$, $$VALUES ('o2'::text)$$, 'org_by_domain ignores case');
SELECT is_empty($$SELECT * FROM multitenant.org_by_domain('unverified.example')$$, 'an unverified domain finds no org');
SELECT is_empty($$SELECT * FROM multitenant.org_by_domain('login.b.example')$$, 'an instance domain is not an org domain');
SELECT is_empty($$SELECT * FROM multitenant.org_by_domain($q$acme.com' OR '1'='1$q$)$$, 'injection-shaped domain finds nothing');
SELECT throws_ok($$SELECT * FROM multitenant.org_by_domain(NULL)$$, '22004', NULL, 'NULL domain is refused');
SELECT pg_temp.as_app('mt_lk_app', 'lk-b');
SELECT results_eq($$SELECT instance_id, name FROM multitenant.org_by_domain('acme.com')$$,
	$$VALUES ('lk-b'::text, 'Org one of lk-b'::text)$$, 'the same domain in the other tenant is that tenant''s org');
SELECT is_empty($$SELECT * FROM multitenant.org_by_domain('beta.example')$$, 'another tenant''s org domain is not found');

------------------------------------------------------------------------------
-- has_role
------------------------------------------------------------------------------
SELECT pg_temp.as_app('mt_lk_app', 'lk-a');
SELECT ok(multitenant.has_role('u1', 'reader'), 'an active user grant gives its role');
SELECT ok(multitenant.has_role('u1', 'reader', 'p1'), 'on the grant''s project');
SELECT ok(NOT multitenant.has_role('u1', 'reader', 'p2'), 'not on another project');
SELECT ok(NOT multitenant.has_role('u1', 'writer'), 'a deactivated grant gives nothing');
SELECT ok(multitenant.has_role('u1', 'ORG_OWNER'), 'an org member role counts without a project');
SELECT ok(NOT multitenant.has_role('u1', 'ORG_OWNER', 'p1'), 'an org member role does not count for a project');
SELECT ok(multitenant.has_role('u1', 'IAM_OWNER'), 'an instance member role counts without a project');
SELECT ok(multitenant.has_role('u1', 'PROJECT_OWNER', 'p1'), 'a project member role counts for its project');
SELECT ok(NOT multitenant.has_role('u1', 'PROJECT_OWNER', 'p2'), 'but not for another project');
SELECT ok(NOT multitenant.has_role('u1', 'admin'), 'the other tenant''s grant to the same user id gives nothing here');
SELECT ok(NOT multitenant.has_role('u3', 'reader'), 'a locked user has no roles');
SELECT ok(NOT multitenant.has_role('nobody', 'reader'), 'an unknown user has no roles');
SELECT ok(NOT multitenant.has_role('u1', 'READER'), 'role keys are compared exactly');
SELECT ok(NOT multitenant.has_role('u1', $$reader' OR '1'='1$$), 'injection-shaped role key is just an unknown role');
SELECT ok(multitenant.has_role('u1', 'closer', 'p2'), 'a grant on an active project counts');
RESET ROLE;
SELECT pg_temp.ev('project', 'p2', 'project.deactivated', NULL, 'lk-a');
SELECT pg_temp.as_app('mt_lk_app', 'lk-a');
SELECT ok(NOT multitenant.has_role('u1', 'closer', 'p2'), 'a grant on a deactivated project gives nothing');
SELECT throws_ok($$SELECT multitenant.has_role(NULL, 'reader')$$, '22004', NULL, 'has_role(NULL user) is refused');
SELECT throws_ok($$SELECT multitenant.has_role('u1', NULL)$$, '22004', NULL, 'has_role(NULL role) is refused');
SELECT throws_ok($$SELECT multitenant.has_role('u1', 'reader', '')$$, '22023', NULL, 'an empty project id is refused');
SELECT pg_temp.as_app('mt_lk_app', 'lk-b');
SELECT ok(multitenant.has_role('u1', 'admin', 'p1'), 'in the other tenant the same user id has that tenant''s role');
SELECT ok(NOT multitenant.has_role('u1', 'ORG_OWNER'), 'and none of tenant A''s member roles');
RESET ROLE;
SELECT multitenant.reset_tenant();
SET LOCAL ROLE mt_lk_app;
SELECT throws_ok($$SELECT multitenant.has_role('u1', 'admin')$$, '55000', NULL, 'has_role without a tenant is refused');

------------------------------------------------------------------------------
-- One statement, one round trip: a signed tenant token enters its tenant
------------------------------------------------------------------------------
RESET ROLE;
CREATE TEMP TABLE tokens AS
SELECT multitenant.sign_tenant('lk-a') AS a, multitenant.sign_tenant('lk-b') AS b,
       multitenant.sign_tenant('lk-a', '1 microsecond') AS short;
GRANT SELECT ON tokens TO mt_lk_app;
SELECT pg_sleep(0.01);
SET LOCAL ROLE mt_lk_app;
SELECT results_eq($$SELECT id, username FROM multitenant.user_by_login_name('alice', (SELECT a FROM tokens))$$,
	$$VALUES ('u1'::text, 'Alice'::text)$$, 'user_by_login_name with tenant A''s token, no tenant set before');
SELECT is(multitenant.current_tenant(), 'lk-a', 'the token entered its tenant for the rest of the transaction');
SELECT results_eq($$SELECT id, username FROM multitenant.user_by_login_name('alice', (SELECT a FROM tokens))$$,
	$$VALUES ('u1'::text, 'Alice'::text)$$, 'the same tenant''s token again in the same transaction');
SELECT throws_ok($$SELECT * FROM multitenant.user_by_login_name('alice', (SELECT b FROM tokens))$$, '25000',
	'cannot enter tenant "lk-b" with a tenant token: tenant "lk-a" is already entered',
	'another tenant''s token is refused once the transaction entered a tenant');
SELECT multitenant.reset_tenant();
SELECT throws_ok($$SELECT * FROM multitenant.user_by_id('u1', (SELECT b FROM tokens))$$, '25000',
	'cannot enter tenant "lk-b": this transaction already entered tenant "lk-a"',
	'leaving the tenant does not let the transaction enter another');
RESET ROLE;
SELECT multitenant.reset_tenant();
SET LOCAL ROLE mt_lk_app;
SELECT results_eq($$SELECT id, username FROM multitenant.user_by_login_name('alice', (SELECT b FROM tokens))$$,
	$$VALUES ('u2'::text, 'alice'::text)$$, 'tenant B''s token looks up in tenant B');
SELECT results_eq($$SELECT id FROM multitenant.user_by_id('u1', (SELECT b FROM tokens))$$, $$VALUES ('u1'::text)$$,
	'user_by_id takes a token too');
SELECT ok(multitenant.has_role('u1', 'admin', 'p1', (SELECT b FROM tokens)), 'has_role takes a token too');
RESET ROLE;
SELECT multitenant.reset_tenant();
SET LOCAL ROLE mt_lk_app;
SELECT results_eq($$SELECT name FROM multitenant.org_by_domain('acme.com', (SELECT a FROM tokens))$$,
	$$VALUES ('Org one of lk-a'::text)$$, 'org_by_domain takes a token too');
SELECT throws_ok($$SELECT * FROM multitenant.user_by_id('u1', (SELECT short FROM tokens))$$, '28000', 'invalid or expired tenant token',
	'an expired token enters nothing');
SELECT throws_ok($$SELECT * FROM multitenant.user_by_id('u1', (SELECT overlay(a PLACING 'x' FROM 2 FOR 1) FROM tokens))$$,
	'28000', 'invalid or expired tenant token', 'an altered token enters nothing');
SELECT throws_ok($$SELECT * FROM multitenant.user_by_id('u1', 'lk-a')$$, '28000', 'invalid or expired tenant token',
	'a bare tenant id is no token');

------------------------------------------------------------------------------
-- Lookups answer only callers that may read what they read, and apply the
-- policies a user adds to those tables.
------------------------------------------------------------------------------
RESET ROLE;
SELECT multitenant.reset_tenant();
CREATE ROLE mt_lk_outsider NOLOGIN;
GRANT USAGE ON SCHEMA multitenant TO mt_lk_outsider;
GRANT EXECUTE ON FUNCTION multitenant.user_by_id(text, text), multitenant.instance_by_domain(text),
                          multitenant.authenticate_pat(text) TO mt_lk_outsider;
GRANT SELECT ON tokens TO mt_lk_outsider;
SET LOCAL ROLE mt_lk_outsider;
SELECT throws_ok($$SELECT * FROM multitenant.user_by_id('u1', (SELECT a FROM tokens))$$, '42501',
	'permission denied for table multitenant.users_projection',
	'a role that may not read users_projection cannot read it through user_by_id');
SELECT throws_ok($$SELECT multitenant.instance_by_domain('lk-a.example.com')$$, '42501',
	'permission denied for table multitenant.instance_domains_projection', 'nor instance domains through instance_by_domain');
SELECT throws_ok($$SELECT * FROM multitenant.authenticate_pat('mtp_x')$$, '42501',
	'permission denied for table multitenant.personal_access_tokens_projection', 'nor tokens through authenticate_pat');
RESET ROLE;
SELECT multitenant.reset_tenant();
SET LOCAL ROLE mt_lk_app;
SELECT throws_ok($$SELECT multitenant.sign_tenant('lk-a')$$, '42501', NULL, 'the application role may not sign tokens');
RESET ROLE;
SELECT multitenant.reset_tenant();
CREATE POLICY mt_lk_no_alice ON multitenant.users_projection AS RESTRICTIVE FOR SELECT TO multitenant_app
	USING (username_lower <> 'alice');
SET LOCAL ROLE mt_lk_app;
SELECT is_empty($$SELECT * FROM multitenant.user_by_id('u1', (SELECT a FROM tokens))$$,
	'a restrictive policy added to users_projection narrows user_by_id');
SELECT is_empty($$SELECT * FROM multitenant.user_by_login_name('alice', (SELECT a FROM tokens))$$,
	'and user_by_login_name');
SELECT ok(NOT multitenant.has_role('u1', 'reader', NULL, (SELECT a FROM tokens)), 'and has_role');
RESET ROLE;
SELECT multitenant.reset_tenant();
DROP POLICY mt_lk_no_alice ON multitenant.users_projection;
SET LOCAL ROLE mt_lk_app;
SELECT results_eq($$SELECT id FROM multitenant.user_by_id('u1', (SELECT a FROM tokens))$$, $$VALUES ('u1'::text)$$,
	'without the policy, user_by_id answers again in the same session');
SELECT ok(multitenant.has_role('u1', 'reader', NULL, (SELECT a FROM tokens)), 'and so does has_role');

SELECT * FROM finish();
ROLLBACK;
