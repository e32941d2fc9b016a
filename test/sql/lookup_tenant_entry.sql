-- The one-round-trip tenant entry of the lookups, as an application behind a
-- transaction-mode pooler uses it: every statement is its own transaction,
-- and the tenant that a token enters ends with that transaction.
CREATE EXTENSION multitenant;
-- The superuser this suite runs as (postgres in make test, anyone under installcheck).
SELECT current_user AS superuser \gset
CREATE ROLE mt_entry_app LOGIN;
GRANT multitenant_app TO mt_entry_app;
SELECT count(*) FROM multitenant.push('user', 'u1', 'user.human.added',
	'{"userName": "Alice", "firstName": "A", "lastName": "A", "email": "a@x"}', resource_owner => 'o1', instance_id => 'tenant-a');
SELECT count(*) FROM multitenant.push('user', 'u1', 'user.human.added',
	'{"userName": "bob", "firstName": "B", "lastName": "B", "email": "b@x"}', resource_owner => 'o1', instance_id => 'tenant-b');
SELECT multitenant.sign_tenant('tenant-a') AS token_a \gset
SELECT multitenant.sign_tenant('tenant-b') AS token_b \gset

\c - mt_entry_app
SELECT multitenant.current_tenant() IS NULL AS no_tenant;
SELECT instance_id, id, username FROM multitenant.user_by_login_name('ALICE', :'token_a');
SELECT multitenant.current_tenant() IS NULL AS tenant_ended_with_statement, count(*) AS visible_users FROM multitenant.users_projection;
SELECT instance_id, id, username FROM multitenant.user_by_id('u1', :'token_b');
SELECT multitenant.current_tenant() IS NULL AS tenant_ended_with_statement;
-- In an explicit transaction the tenant lasts until its end, commit or rollback.
BEGIN;
SELECT id FROM multitenant.user_by_id('u1', :'token_a');
SELECT multitenant.current_tenant(), count(*) AS visible_users FROM multitenant.users_projection;
COMMIT;
SELECT multitenant.current_tenant() IS NULL AS ended_at_commit;
BEGIN;
SELECT id FROM multitenant.user_by_id('u1', :'token_a');
ROLLBACK;
SELECT multitenant.current_tenant() IS NULL AS ended_at_rollback;
-- A token never enters a tenant next to another one: with a session tenant
-- set, a token of another tenant is refused, and the session's tenant stays.
SELECT multitenant.set_tenant('tenant-b');
SELECT instance_id, username FROM multitenant.user_by_id('u1', :'token_a');
SELECT multitenant.current_tenant() AS session_tenant_after_statement;
SELECT multitenant.reset_tenant();
-- A refused token enters nothing.
SELECT id FROM multitenant.user_by_id('u1', 'tenant-a.99999999999.00');
SELECT multitenant.current_tenant() IS NULL AS no_tenant_after_refusal;

-- Signed mode: the setting holds the token, verified on every use, and shows
-- only the tenant.
\c - :superuser
ALTER ROLE mt_entry_app SET multitenant.require_signed_context = on;
\c - mt_entry_app
SELECT username FROM multitenant.user_by_login_name('bob', :'token_b');
SELECT multitenant.current_tenant() IS NULL AS tenant_ended_with_statement;
BEGIN;
SELECT id FROM multitenant.user_by_id('u1', :'token_b');
SELECT current_setting('multitenant.tenant') AS setting, current_setting('multitenant.tenant') = :'token_b' AS token_readable,
       multitenant.current_tenant();
COMMIT;

\c - :superuser
ALTER ROLE mt_entry_app RESET ALL;
DROP EXTENSION multitenant;
DROP ROLE mt_entry_app;
