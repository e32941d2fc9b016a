-- Sign-up: a new tenant and its new owner, registered by the application as
-- that owner (register_tenant creates and verifies the principal, creates
-- the tenant and the owner membership).
BEGIN;
SELECT set_config('multitenant.actor', 'ro-' || n, true), set_config('bench.n', n::text, true)
  FROM nextval('bench.tenant_seq') AS n;
SELECT multitenant.register_tenant('rt-' || current_setting('bench.n'), 'Tenant', owner_id => current_setting('multitenant.actor'),
                                   owner_email => current_setting('multitenant.actor') || '@bench.example');
COMMIT;
