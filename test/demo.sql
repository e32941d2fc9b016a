-- make demo: a walk through tenants, events, projections and isolation.
-- Run by test/harness/demo.sh with psql -e, so every statement is printed
-- before its result.
\pset footer off
\set VERBOSITY terse

\echo
\echo '== 1. Install the extension. It creates schema multitenant and the roles multitenant_app and multitenant_admin.'
CREATE EXTENSION multitenant;
SELECT extname, extversion FROM pg_extension WHERE extname = 'multitenant';
CREATE ROLE demo_app LOGIN;
GRANT multitenant_app TO demo_app;

\echo
\echo '== 2. Push Zitadel-shaped events for two tenants that use the same ids.'
\echo '   Each push stores the event and, in the same transaction, C reducers update the projections.'
SELECT instance_id, aggregate_type, aggregate_id, sequence, event_type, resource_owner
  FROM multitenant.push_many($$[
    {"instance_id": "acme",   "aggregate_type": "instance", "aggregate_id": "acme",   "event_type": "instance.added", "payload": {"name": "ACME Corp"}},
    {"instance_id": "acme",   "aggregate_type": "org",      "aggregate_id": "org-1",  "event_type": "org.added",      "payload": {"name": "ACME Sales"}},
    {"instance_id": "acme",   "aggregate_type": "project",  "aggregate_id": "proj-1", "event_type": "project.added",  "payload": {"name": "Portal", "projectRoleCheck": true}, "resource_owner": "org-1"},
    {"instance_id": "acme",   "aggregate_type": "project",  "aggregate_id": "proj-1", "event_type": "project.application.added", "payload": {"appId": "app-1", "name": "Web"}},
    {"instance_id": "acme",   "aggregate_type": "project",  "aggregate_id": "proj-1", "event_type": "project.application.config.oidc.added",
     "payload": {"appId": "app-1", "clientId": "web@portal", "redirectUris": ["https://acme.example/cb"], "responseTypes": [0], "grantTypes": [0]}},
    {"instance_id": "globex", "aggregate_type": "instance", "aggregate_id": "globex", "event_type": "instance.added", "payload": {"name": "Globex"}},
    {"instance_id": "globex", "aggregate_type": "org",      "aggregate_id": "org-1",  "event_type": "org.added",      "payload": {"name": "Globex HQ"}}
  ]$$);

\echo
\echo '== 3. The projections, seen by the superuser (who bypasses row-level security):'
SELECT instance_id, id, name, org_state, sequence FROM multitenant.orgs_projection ORDER BY instance_id;
SELECT instance_id, app_id, client_id, redirect_uris FROM multitenant.applications_projection_oidc_configs;

\echo
\echo '== 4. Optimistic concurrency: a push that expects an older aggregate sequence fails with SQLSTATE 40001.'
SELECT sequence, event_type FROM multitenant.push('org', 'org-1', 'org.changed', '{"name": "ACME Sales EMEA"}', expected_sequence => 1, instance_id => 'acme');
\set ON_ERROR_STOP off
SELECT sequence FROM multitenant.push('org', 'org-1', 'org.changed', '{"name": "stale write"}', expected_sequence => 1, instance_id => 'acme');
\set ON_ERROR_STOP on

\echo
\echo '== 5. A malformed payload fails the push with an error naming event type, projection and cause; nothing is stored.'
\set ON_ERROR_STOP off
SELECT multitenant.push('org', 'org-2', 'org.added', '{"name": 42}', instance_id => 'acme');
\set ON_ERROR_STOP on
SELECT count(*) AS events_for_org_2 FROM multitenant.events WHERE aggregate_id = 'org-2';

\echo
\echo '== 6. Now as the application role demo_app (granted multitenant_app).'
\c - demo_app
\set VERBOSITY terse
\echo '   No tenant set: every tenant table is empty.'
SELECT count(*) AS visible_orgs FROM multitenant.orgs_projection;
SELECT multitenant.set_tenant('acme');
SELECT multitenant.current_tenant();
SELECT id, name FROM multitenant.orgs_projection;
\echo '   The same id in another tenant stays invisible, even when asked for explicitly:'
SELECT count(*) FROM multitenant.orgs_projection WHERE instance_id = 'globex';
\echo '   The app role pushes into its own tenant; the projection follows at once.'
SELECT sequence, event_type FROM multitenant.push('org', 'org-1', 'org.deactivated');
SELECT id, name, org_state FROM multitenant.orgs_projection;
\echo '   It cannot push into, or write, another tenant:'
\set ON_ERROR_STOP off
SELECT multitenant.push('org', 'org-1', 'org.removed', instance_id => 'globex');
UPDATE multitenant.orgs_projection SET name = 'hijacked';
\set ON_ERROR_STOP on
\echo '   A transaction-local tenant (what a transaction-mode pooler needs) ends with the transaction:'
SELECT multitenant.reset_tenant();
BEGIN;
SELECT multitenant.set_tenant('globex', is_local => true);
SELECT id, name FROM multitenant.orgs_projection;
COMMIT;
SELECT multitenant.current_tenant() AS tenant_after_commit;
\echo '   A transaction works in one tenant: entering another inside it is refused.'
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
\set ON_ERROR_STOP off
SELECT multitenant.set_tenant('globex', is_local => true);
\set ON_ERROR_STOP on
ROLLBACK;

\echo
\echo '== 6b. Behind a transaction-mode pooler the operator turns session-wide tenants off for the app role:'
\echo '   the next client of a pooled connection can then never inherit a tenant.'
\c - postgres
ALTER ROLE demo_app SET multitenant.session_tenant = off;
\c - demo_app
\set VERBOSITY terse
\set ON_ERROR_STOP off
SELECT multitenant.set_tenant('acme');
SET multitenant.tenant = 'acme';
SELECT count(*) FROM multitenant.orgs_projection;
RESET multitenant.tenant;
\set ON_ERROR_STOP on
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
SELECT id, name FROM multitenant.orgs_projection;
COMMIT;
\c - postgres
ALTER ROLE demo_app RESET multitenant.session_tenant;

\echo
\echo '== 7. Signed mode: with multitenant.require_signed_context = on, only a token made by sign_tenant() enters a tenant.'
\c - postgres
\set VERBOSITY terse
SELECT multitenant.sign_tenant('acme', '10 minutes') AS acme_token \gset
ALTER ROLE demo_app SET multitenant.require_signed_context = on;
\c - demo_app
\set VERBOSITY terse
SET multitenant.tenant = 'acme';
SELECT multitenant.current_tenant() AS tenant_from_plain_set, count(*) AS visible_orgs FROM multitenant.orgs_projection;
SELECT multitenant.set_tenant('acme', :'acme_token');
SELECT multitenant.current_tenant() AS tenant_from_token, count(*) AS visible_orgs FROM multitenant.orgs_projection;
\echo '   The setting shows the tenant, never the token, so nobody can read the token back:'
SHOW multitenant.tenant;
\set ON_ERROR_STOP off
SELECT multitenant.set_tenant('globex', :'acme_token');
\set ON_ERROR_STOP on

\echo
\echo '== 8. Your own projection, made the way the built-ins are: a table and declarative reducers.'
\c - postgres
\set VERBOSITY terse
ALTER ROLE demo_app RESET ALL;
CREATE TABLE public.org_activity (
	instance_id    text NOT NULL CHECK (instance_id <> ''),
	id             text NOT NULL,
	creation_date  timestamptz NOT NULL,
	change_date    timestamptz NOT NULL,
	sequence       bigint NOT NULL,
	resource_owner text NOT NULL,
	changes        integer NOT NULL DEFAULT 0,
	PRIMARY KEY (instance_id, id)
);
SELECT multitenant.enable_tenant_isolation('public.org_activity');
GRANT SELECT ON public.org_activity TO multitenant_app;
SELECT multitenant.register_reducer('public.org_activity', 'org.added', 'insert');
SELECT multitenant.register_reducer('public.org_activity', 'org.changed', 'update', set => '{"changes": "t.changes + 1"}');
\echo '   rebuild() replays the stored events into it:'
SELECT multitenant.rebuild('public.org_activity') AS events_replayed;
SELECT instance_id, id, changes, sequence FROM public.org_activity ORDER BY instance_id;
\echo '   and every later push keeps it current:'
SELECT sequence FROM multitenant.push('org', 'org-1', 'org.changed', '{"name": "Globex Europe"}', instance_id => 'globex');
SELECT instance_id, id, changes, sequence FROM public.org_activity ORDER BY instance_id;

\echo
\echo '== 9. Catch-up readers get events in position order, never skipping one that commits late.'
SELECT position, instance_id, event_type FROM multitenant.read_events(after_position => 5, max_events => 5);

\echo
\echo '== 10. An existing single-tenant table becomes a tenant table with adopt_table (dry run first).'
CREATE TABLE public.sites (id int PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE public.devices (id int PRIMARY KEY, site_id int NOT NULL REFERENCES public.sites (id), serial text NOT NULL);
INSERT INTO public.sites VALUES (1, 'Zurich'), (2, 'Berlin');
INSERT INTO public.devices VALUES (10, 1, 'SN-10'), (11, 2, 'SN-11');
SELECT * FROM multitenant.adopt_table('public.sites', dry_run => true);
SELECT count(*) AS statements_run FROM multitenant.adopt_table('public.sites');
\echo '   devices referenced sites, so it was adopted too; existing rows went to tenant system:'
SELECT instance_id, id, site_id, serial FROM public.devices ORDER BY id;
SELECT table_name, primary_key, rls_forced FROM multitenant.tenant_tables WHERE schema_name = 'public';
SELECT count(*) AS statements_on_second_call FROM multitenant.adopt_table('public.sites');

\echo
\echo '== 11. Lookups in C (1.2): the tenant of a host, users by login name, roles, access tokens, lockout.'
SELECT count(*) AS events FROM multitenant.push_many($$[
  {"instance_id": "acme", "aggregate_type": "instance", "aggregate_id": "acme", "event_type": "instance.domain.added", "payload": {"domain": "login.acme.example", "generated": false}},
  {"instance_id": "acme", "aggregate_type": "instance", "aggregate_id": "acme", "event_type": "instance.policy.lockout.added", "payload": {"maxPasswordAttempts": 2, "maxOTPAttempts": 3, "showLockOutFailures": true}},
  {"instance_id": "acme", "aggregate_type": "org", "aggregate_id": "org-2", "event_type": "org.added", "payload": {"name": "ACME Support"}},
  {"instance_id": "acme", "aggregate_type": "user", "aggregate_id": "user-1", "event_type": "user.human.added", "resource_owner": "org-2",
   "payload": {"userName": "Alice", "firstName": "Alice", "lastName": "Doe", "email": "alice@acme.example"}},
  {"instance_id": "acme", "aggregate_type": "usergrant", "aggregate_id": "grant-1", "event_type": "user.grant.added", "resource_owner": "org-2",
   "payload": {"userId": "user-1", "projectId": "proj-1", "roleKeys": ["editor"]}},
  {"instance_id": "globex", "aggregate_type": "user", "aggregate_id": "user-1", "event_type": "user.machine.added", "resource_owner": "org-1",
   "payload": {"userName": "alice", "name": "Globex robot"}}
]$$);
SELECT multitenant.sign_tenant('acme') AS acme_token \gset
\c - demo_app
\echo '   Before any tenant is set: which tenant serves this host?'
SELECT multitenant.instance_by_domain('LOGIN.acme.example');
\echo '   One statement enters the tenant with a signed token and looks up (case does not matter); the tenant ends with it:'
SELECT instance_id, id, username, state FROM multitenant.user_by_login_name('alice', tenant_token => :'acme_token');
SELECT multitenant.current_tenant() IS NULL AS no_tenant_after_the_statement;
SELECT multitenant.set_tenant('acme');
SELECT multitenant.has_role('user-1', 'editor', 'proj-1') AS editor_on_portal, multitenant.has_role('user-1', 'admin') AS admin;
\echo '   A personal access token is shown once; only its SHA-256 is stored. It authenticates before any tenant is set'
\echo '   (Alice is in org-2: the users of org-1, deactivated in step 6, authenticate nobody).'
SELECT multitenant.create_pat('user-1', now() + interval '30 days', ARRAY['api']) AS pat \gset
SELECT user_id, scopes, encode(token_hash, 'hex') AS token_hash FROM multitenant.personal_access_tokens_projection;
SELECT multitenant.reset_tenant();
SELECT * FROM multitenant.authenticate_pat(:'pat');
\echo '   Two failed password checks reach the instance policy (2): a user.locked event locks the user, and the token stops working.'
SELECT multitenant.record_auth_check('user-1', 'password', false, tenant_token => :'acme_token') AS locked;
SELECT multitenant.record_auth_check('user-1', 'password', false, tenant_token => :'acme_token') AS locked;
\set ON_ERROR_STOP off
SELECT * FROM multitenant.authenticate_pat(:'pat');
\set ON_ERROR_STOP on
\c - postgres

\echo
\echo '== 12. The tenant lifecycle, as demo_app: sign-up, members and roles, an invitation, the audit log.'
\c - demo_app
SELECT id, email, verified FROM multitenant.create_principal('user', 'Ann@Example.com', 'Ann', id => 'ann');
BEGIN;
SET LOCAL multitenant.actor = 'ann';
SELECT instance_id, principal_id, role FROM multitenant.register_tenant('initech', 'Initech', owner_id => 'ann');
COMMIT;
SELECT id FROM multitenant.create_principal('user', 'ben@example.com', 'Ben', id => 'ben');
BEGIN;
SELECT multitenant.set_tenant('initech', is_local => true);
SET LOCAL multitenant.actor = 'ann';
SELECT principal_id, role FROM multitenant.add_member('ben', 'admin');
SELECT token AS invitation FROM multitenant.invite('cat@example.com', 'viewer') \gset
COMMIT;
\echo '   The last verified owner cannot leave (23514):'
\set ON_ERROR_STOP off
BEGIN;
SELECT multitenant.set_tenant('initech', is_local => true);
SET LOCAL multitenant.actor = 'ann';
SELECT multitenant.remove_member('ann');
ROLLBACK;
\set ON_ERROR_STOP on
\echo '   Cat signs up and accepts the invitation with the token she was sent:'
SELECT id FROM multitenant.create_principal('user', 'CAT@example.com', 'Cat', id => 'cat');
BEGIN;
SET LOCAL multitenant.actor = 'cat';
SELECT principal_id, role, status FROM multitenant.accept_invitation(:'invitation');
COMMIT;
\echo '   The owner reads the tenant''s audit log (the refusal above included, kept despite its rollback):'
BEGIN;
SELECT multitenant.set_tenant('initech', is_local => true);
SET LOCAL multitenant.actor = 'ann';
SELECT actor, action, target_key ->> 'principal_id' AS principal, reason FROM multitenant.audit_log ORDER BY id;
COMMIT;
\echo '   1.4: Ann adds a realm; the app logs Cat in with a signed session token (JWS, ES256 under the tenant''s key):'
BEGIN;
SELECT multitenant.set_tenant('initech', is_local => true);
SET LOCAL multitenant.actor = 'ann';
SELECT name, type, source FROM multitenant.create_realm('staff', 'username_password', '{"min_password_length": 12}');
COMMIT;
BEGIN;
SELECT multitenant.set_tenant('initech', is_local => true);
SET LOCAL multitenant.actor = 'cat';
CREATE TEMP TABLE cat_login AS
SELECT s.token FROM multitenant.create_session('cat', (SELECT r.id FROM multitenant.resolve_realm('staff') AS r), format => 'jws') AS s;
COMMIT;
SELECT left(token, 20) || '…' AS token, length(token),
       convert_from(decode(rpad(translate(split_part(token, '.', 2), '-_', '+/'), (length(split_part(token, '.', 2)) + 3) / 4 * 4, '='), 'base64'), 'UTF8')::jsonb
       - ARRAY['iat', 'exp', 'jti', 'sid', 'realm'] AS claims_anyone_can_read
  FROM cat_login;
\echo '   Each request: one statement checks the token (signature, session row, membership, tenant) and enters tenant and actor:'
SELECT tenant, principal_id, kind, multitenant.current_tenant() AS entered, multitenant.current_actor() AS actor
  FROM cat_login, multitenant.validate_session(cat_login.token, true);
\echo '   Cat logs out; the same token is refused like any bad token (28000), and nothing is entered:'
BEGIN;
SELECT session_id FROM cat_login, multitenant.validate_session(cat_login.token, true) \gset
SELECT status, revoke_reason FROM multitenant.revoke_session(:'session_id', 'logout');
COMMIT;
\set ON_ERROR_STOP off
SELECT tenant FROM cat_login, multitenant.validate_session(cat_login.token, true);
\set ON_ERROR_STOP on
\c - postgres

\echo
\echo '== 13. Upgrading from 1.0: its identity projections are single-tenant; ALTER EXTENSION makes them tenant tables.'
CREATE DATABASE demo_upgrade;
\c demo_upgrade
\set VERBOSITY terse
CREATE EXTENSION multitenant VERSION '1.0';
SELECT count(*) AS events FROM (
  SELECT multitenant.push('user', tenant || '-user-1', 'user.human.added',
         jsonb_build_object('userName', 'alice', 'firstName', 'Alice', 'lastName', 'Doe', 'email', 'alice@' || tenant || '.example'),
         resource_owner => 'org-1', instance_id => tenant)
    FROM unnest(ARRAY['acme', 'globex']) AS tenant) AS pushed;
SELECT id, instance_id, username FROM multitenant.users_projection ORDER BY id;
\d multitenant.user_metadata
ALTER EXTENSION multitenant UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'multitenant';
\d multitenant.user_metadata
SELECT instance_id, id, username, change_date IS NOT NULL AS has_change_date FROM multitenant.users_projection ORDER BY 1, 2;
SELECT instance_id, user_id, login_name FROM multitenant.login_names_projection ORDER BY 1, 2;

\echo
\echo '== Done. The cluster and everything in it are thrown away now.'
