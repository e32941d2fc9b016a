-- The 1.3 tenant-context rules, as a real non-superuser login role:
-- multitenant.session_tenant = off (only transaction-scoped entry works),
-- one tenant per transaction (a cursor cannot go on in another tenant, a
-- tenant token cannot meet another tenant in its statement), and a signed
-- token that cannot be read back.
CREATE EXTENSION multitenant;
-- The superuser this suite runs as (postgres in make test, anyone under installcheck).
SELECT current_user AS superuser \gset
CREATE ROLE mt_scope_app LOGIN;
GRANT multitenant_app TO mt_scope_app;
SELECT count(*) FROM multitenant.push('org', 'org-1', 'org.added', '{"name": "Org of tenant-a"}', instance_id => 'tenant-a');
SELECT count(*) FROM multitenant.push('org', 'org-1', 'org.added', '{"name": "Org of tenant-b"}', instance_id => 'tenant-b');
SELECT count(*) FROM multitenant.push('user', 'u1', 'user.human.added', '{"userName": "ada"}', instance_id => 'tenant-a');
SELECT count(*) FROM multitenant.push('user', 'u1', 'user.human.added', '{"userName": "bob"}', instance_id => 'tenant-b');
SELECT multitenant.sign_tenant('tenant-a') AS token_a \gset
SELECT multitenant.sign_tenant('tenant-b') AS token_b \gset
-- An operator turns session-wide tenants off for the role that sits behind
-- a transaction-mode pooler; the role itself cannot turn them back on.
ALTER ROLE mt_scope_app SET multitenant.session_tenant = off;

\c - mt_scope_app
SHOW multitenant.session_tenant;
SET multitenant.session_tenant = on;
-- A session-wide tenant is refused, whichever way it is asked for.
SELECT multitenant.set_tenant('tenant-a');
SELECT multitenant.set_tenant('tenant-a', is_local => false);
SET multitenant.tenant = 'tenant-a';
SELECT count(*) FROM multitenant.orgs_projection;
SELECT multitenant.current_tenant();
-- A transaction's own tenant overrides it and ends with the transaction.
BEGIN;
SELECT multitenant.set_tenant('tenant-b', is_local => true);
SELECT id, name FROM multitenant.orgs_projection;
COMMIT;
SELECT count(*) FROM multitenant.orgs_projection;
RESET multitenant.tenant;
SELECT multitenant.current_tenant() IS NULL AS no_tenant, count(*) FROM multitenant.orgs_projection;
BEGIN;
SET LOCAL multitenant.tenant = 'tenant-a';
SELECT id, name FROM multitenant.orgs_projection;
COMMIT;
SELECT multitenant.current_tenant() IS NULL AS no_tenant_after_commit;
-- set_config(..., false) is no way around it.
SELECT set_config('multitenant.tenant', 'tenant-a', false);
SELECT count(*) FROM multitenant.orgs_projection;
RESET multitenant.tenant;

-- One tenant per transaction.  A cursor opened in tenant A cannot go on in
-- tenant B.
BEGIN;
SELECT multitenant.set_tenant('tenant-a', is_local => true);
DECLARE orgs CURSOR FOR SELECT instance_id, name FROM multitenant.orgs_projection;
FETCH 1 FROM orgs;
SELECT multitenant.set_tenant('tenant-b', is_local => true);
ROLLBACK;
BEGIN;
SET LOCAL multitenant.tenant = 'tenant-a';
SET LOCAL multitenant.tenant = 'tenant-b';
ROLLBACK;
-- Re-entering the same tenant is fine; leaving does not open another.
BEGIN;
SELECT multitenant.set_tenant('tenant-a', is_local => true);
SELECT multitenant.set_tenant('tenant-a', is_local => true);
SELECT multitenant.reset_tenant();
SET LOCAL multitenant.tenant = 'tenant-b';
ROLLBACK;
-- The next transaction may enter another tenant.
BEGIN;
SELECT multitenant.set_tenant('tenant-b', is_local => true);
SELECT id, name FROM multitenant.orgs_projection;
COMMIT;

-- A tenant token enters its tenant for its own statement's transaction...
SELECT id, username FROM multitenant.user_by_id('u1', tenant_token => :'token_b');
SELECT multitenant.current_tenant() IS NULL AS no_tenant_after_the_statement;
-- ...but never next to another tenant: not in a transaction that entered
-- one, and not in a statement that joins the lookup with a tenant table.
BEGIN;
SELECT multitenant.set_tenant('tenant-a', is_local => true);
SELECT id, username FROM multitenant.user_by_id('u1', tenant_token => :'token_b');
ROLLBACK;
BEGIN;
SET LOCAL multitenant.tenant = 'tenant-a';
SELECT o.name, u.username FROM multitenant.orgs_projection AS o, multitenant.user_by_id('u1', tenant_token => :'token_b') AS u;
ROLLBACK;
BEGIN;
SET LOCAL multitenant.tenant = 'tenant-a';
SELECT o.name, u.username FROM multitenant.orgs_projection AS o, multitenant.user_by_id('u1', tenant_token => :'token_a') AS u;
COMMIT;

\c - :superuser
ALTER ROLE mt_scope_app RESET multitenant.session_tenant;
-- Signed mode: the setting shows the verified tenant, never the token, to
-- SHOW, current_setting() and pg_settings alike.
ALTER ROLE mt_scope_app SET multitenant.require_signed_context = on;

\c - mt_scope_app
SELECT multitenant.set_tenant('tenant-a', :'token_a');
SHOW multitenant.tenant;
SELECT current_setting('multitenant.tenant') AS setting,
       (SELECT setting FROM pg_settings WHERE name = 'multitenant.tenant') AS pg_settings,
       current_setting('multitenant.tenant') = :'token_a' AS token_readable;
SELECT id, name FROM multitenant.orgs_projection;
-- A value copied from SHOW is a bare tenant id, which enters nothing.
SELECT set_config('multitenant.tenant', current_setting('multitenant.tenant'), false) AS copied;
SELECT multitenant.current_tenant() IS NULL AS copied_value_enters_nothing;
RESET multitenant.tenant;

\c - :superuser
ALTER ROLE mt_scope_app RESET ALL;
-- The signing key is a secret like the master key: never a database, role
-- or function setting, and hidden from pg_read_all_settings.
ALTER ROLE mt_scope_app SET multitenant.signing_key = '0123456789abcdef0123456789abcdef';
ALTER DATABASE contrib_regression SET multitenant.signing_key = '0123456789abcdef0123456789abcdef';
CREATE FUNCTION public.keyed() RETURNS void LANGUAGE sql SET multitenant.signing_key = '0123456789abcdef0123456789abcdef' AS '';
GRANT pg_read_all_settings TO mt_scope_app;
\c - mt_scope_app
SELECT current_setting('multitenant.signing_key') AS signing_key;
\c - :superuser
REVOKE pg_read_all_settings FROM mt_scope_app;
DROP EXTENSION multitenant;
DROP SCHEMA multitenant;
DROP ROLE mt_scope_app;
