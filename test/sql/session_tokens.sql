-- Session tokens as an application behind a transaction-mode pooler uses
-- them, as a real login role: validate_session with enter authenticates and
-- enters the tenant and the actor in one statement, for that transaction
-- only; every bad token is the same 28000 and enters nothing; in signed
-- mode the setting holds a token signed for the session's tenant and
-- principal, and shows only the tenant.
\set SHOW_CONTEXT never
CREATE EXTENSION multitenant;
SELECT current_user AS superuser \gset
CREATE ROLE mt_st_app LOGIN;
GRANT multitenant_app TO mt_st_app;
\set ECHO none
\o /dev/null
SELECT multitenant.create_tenant(t, initcap(t)) FROM unnest(ARRAY['st-a', 'st-b']) AS t;
SELECT multitenant.create_principal('user', p || '@example.com', initcap(p), id => p) FROM unnest(ARRAY['olga', 'mia']) AS p;
SELECT multitenant.verify_principal('olga');
SELECT multitenant.add_member('olga', 'owner', t) FROM unnest(ARRAY['st-a', 'st-b']) AS t;
SELECT multitenant.add_member('mia', 'member', 'st-a');
SELECT multitenant.push('tenant', t, 'tenant.realm.added', '{"realmId": "pw", "name": "staff", "type": "username_password"}', instance_id => t)
  FROM unnest(ARRAY['st-a', 'st-b']) AS t;
CREATE TABLE public.st_tokens (name text PRIMARY KEY, token text NOT NULL);
GRANT SELECT, INSERT ON public.st_tokens TO mt_st_app;
\o
\set ECHO all

\c - mt_st_app
-- The application logs mia in: inside the tenant it creates her session.
BEGIN;
SELECT multitenant.set_tenant('st-a', is_local => true);
INSERT INTO public.st_tokens SELECT 'mia', token FROM multitenant.create_session('mia', 'pw');
COMMIT;
SELECT token AS mia_token FROM public.st_tokens WHERE name = 'mia' \gset
SELECT multitenant.current_tenant() IS NULL AS no_tenant;
-- One statement authenticates and enters; the tenant ends with it.
SELECT tenant, principal_id, realm_id, kind, multitenant.current_tenant() AS entered, multitenant.current_actor() AS actor
  FROM multitenant.validate_session(:'mia_token', true);
SELECT multitenant.current_tenant() IS NULL AS tenant_ended_with_statement, multitenant.current_actor() IS NULL AS actor_ended;
-- In a transaction the tenant and actor last until its end; the actor
-- counts as the acting principal for the lifecycle functions.
BEGIN;
SELECT principal_id FROM multitenant.validate_session(:'mia_token', true);
SELECT multitenant.current_tenant(), multitenant.current_actor(), count(*) AS visible_sessions FROM multitenant.principal_sessions;
SELECT status FROM multitenant.revoke_session((SELECT session_id FROM multitenant.validate_session(:'mia_token')), 'logout');
COMMIT;
SELECT multitenant.current_tenant() IS NULL AS ended_at_commit;
-- Logged out: the token is dead, and the refusal enters nothing.
BEGIN;
SELECT principal_id FROM multitenant.validate_session(:'mia_token', true);
ROLLBACK;
BEGIN;
SAVEPOINT s;
SELECT principal_id FROM multitenant.validate_session(:'mia_token', true);
ROLLBACK TO SAVEPOINT s;
SELECT multitenant.current_tenant() IS NULL AS no_tenant_after_refusal, multitenant.current_actor() IS NULL AS no_actor_after_refusal;
COMMIT;

-- A token never enters a tenant next to another one.
BEGIN;
SELECT multitenant.set_tenant('st-a', is_local => true);
INSERT INTO public.st_tokens SELECT 'olga-a', token FROM multitenant.create_session('olga', 'pw');
COMMIT;
BEGIN;
SELECT multitenant.set_tenant('st-b', is_local => true);
INSERT INTO public.st_tokens SELECT 'olga-b', token FROM multitenant.create_session('olga', 'pw');
COMMIT;
SELECT token AS olga_a FROM public.st_tokens WHERE name = 'olga-a' \gset
SELECT token AS olga_b FROM public.st_tokens WHERE name = 'olga-b' \gset
BEGIN;
SELECT tenant FROM multitenant.validate_session(:'olga_a', true);
SAVEPOINT s;
SELECT tenant FROM multitenant.validate_session(:'olga_b', true);
ROLLBACK TO SAVEPOINT s;
SELECT multitenant.current_tenant() AS still_in;
COMMIT;
-- Every bad token: one refusal, 28000.
\set VERBOSITY sqlstate
SELECT * FROM multitenant.validate_session('garbage', true);
SELECT * FROM multitenant.validate_session(left(:'olga_a', 20), true);
SELECT * FROM multitenant.validate_session(:'olga_a' || 'x', true);
SELECT * FROM multitenant.validate_session('mts_' || repeat('A', 43), true);
SELECT * FROM multitenant.rotate_session('garbage');
\set VERBOSITY default
SELECT multitenant.current_tenant() IS NULL AS nothing_entered;

-- Signed mode: the setting holds a token signed for the tenant and the
-- principal, and shows only the tenant; a set tenant cannot be swapped.
\c - :superuser
ALTER ROLE mt_st_app SET multitenant.require_signed_context = on;
\c - mt_st_app
BEGIN;
SELECT tenant, principal_id FROM multitenant.validate_session(:'olga_b', true);
SELECT multitenant.current_tenant(), multitenant.current_actor(), current_setting('multitenant.tenant') AS shown,
       count(*) AS visible_sessions FROM multitenant.principal_sessions;
SAVEPOINT s;
SET LOCAL multitenant.actor = 'mia';
ROLLBACK TO SAVEPOINT s;
SELECT multitenant.current_actor() AS actor_after_setting;
COMMIT;
SELECT multitenant.current_tenant() IS NULL AS ended_at_commit;
SELECT tenant, multitenant.current_tenant() AS entered FROM multitenant.validate_session(:'olga_a', true);

\c - :superuser
ALTER ROLE mt_st_app RESET ALL;
DROP TABLE public.st_tokens;
DROP EXTENSION multitenant;
DROP ROLE mt_st_app;
