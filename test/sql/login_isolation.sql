-- Isolation as a real non-superuser login role granted multitenant_app:
-- unset context, RESET, DISCARD ALL, transaction-local tenants, role
-- switching, and signed mode against spoofed settings.
CREATE EXTENSION multitenant;
-- The superuser this suite runs as (postgres in make test, anyone under installcheck).
SELECT current_user AS superuser \gset
CREATE ROLE mt_login_app LOGIN;
GRANT multitenant_app TO mt_login_app;
SELECT count(*) FROM multitenant.push('org', 'org-1', 'org.added', '{"name": "Org of tenant-a"}', instance_id => 'tenant-a');
SELECT count(*) FROM multitenant.push('org', 'org-1', 'org.added', '{"name": "Org of tenant-b"}', instance_id => 'tenant-b');
SELECT multitenant.sign_tenant('tenant-a') AS token_a \gset
SELECT multitenant.sign_tenant('tenant-a', '1 microsecond') AS expired_a \gset

\c - mt_login_app
SELECT current_user, multitenant.current_tenant() IS NULL AS no_tenant;
SELECT count(*) FROM multitenant.orgs_projection;
SELECT multitenant.set_tenant('tenant-a');
SELECT id, name FROM multitenant.orgs_projection;
RESET multitenant.tenant;
SELECT multitenant.current_tenant() IS NULL AS no_tenant_after_reset, count(*) FROM multitenant.orgs_projection;
SELECT multitenant.set_tenant('tenant-a');
DISCARD ALL;
SELECT multitenant.current_tenant() IS NULL AS no_tenant_after_discard, count(*) FROM multitenant.orgs_projection;
-- A transaction-local tenant ends with its transaction, commit or rollback.
BEGIN;
SELECT multitenant.set_tenant('tenant-b', is_local => true);
SELECT id, name FROM multitenant.orgs_projection;
COMMIT;
SELECT multitenant.current_tenant() IS NULL AS no_tenant_after_commit, count(*) FROM multitenant.orgs_projection;
BEGIN;
SET LOCAL multitenant.tenant = 'tenant-b';
ROLLBACK;
SELECT multitenant.current_tenant() IS NULL AS no_tenant_after_rollback;
SELECT multitenant.set_tenant('tenant-a', is_local => true);
-- The application role cannot become anyone else or turn off row security.
\set VERBOSITY sqlstate
SET ROLE :"superuser";
\set VERBOSITY default
SET row_security = off;
SELECT count(*) FROM multitenant.orgs_projection;
RESET row_security;
SELECT multitenant.set_tenant('tenant-a');
SET row_security = off;
SELECT count(*) FROM multitenant.orgs_projection;
RESET row_security;
SELECT multitenant.reset_tenant();

-- Signed mode: no setting of any kind enters a tenant without a valid token.
\c - :superuser
ALTER ROLE mt_login_app SET multitenant.require_signed_context = on;
\c - mt_login_app
SHOW multitenant.require_signed_context;
SET multitenant.tenant = 'tenant-a';
SELECT multitenant.current_tenant() IS NULL AS spoofed_set, count(*) FROM multitenant.orgs_projection;
SELECT set_config('multitenant.tenant', 'tenant-b', false) IS NOT NULL AS set;
SELECT multitenant.current_tenant() IS NULL AS spoofed_set_config, count(*) FROM multitenant.orgs_projection;
SELECT multitenant.set_tenant('tenant-a');
SET multitenant.require_signed_context = off;
SELECT set_config('multitenant.tenant', :'expired_a', false) IS NOT NULL AS set;
SELECT multitenant.current_tenant() IS NULL AS expired_token, count(*) FROM multitenant.orgs_projection;
SELECT multitenant.set_tenant('tenant-a', :'expired_a');
SELECT multitenant.set_tenant('tenant-b', :'token_a');
SELECT multitenant.set_tenant('tenant-a', :'token_a');
SELECT multitenant.current_tenant(), name FROM multitenant.orgs_projection;
SELECT set_config('multitenant.tenant', :'token_a', false) IS NOT NULL AS set;
SELECT multitenant.current_tenant(), name FROM multitenant.orgs_projection;
SELECT count(*) FROM multitenant.push('org', 'org-1', 'org.changed', '{"name": "Renamed by a"}');
SELECT count(*) FROM multitenant.push('org', 'org-1', 'org.changed', '{"name": "Renamed by a"}', instance_id => 'tenant-b');
SELECT name FROM multitenant.orgs_projection;

\c - :superuser
SELECT instance_id, name FROM multitenant.orgs_projection ORDER BY instance_id;
ALTER ROLE mt_login_app RESET ALL;
DROP EXTENSION multitenant;
DROP ROLE mt_login_app;
