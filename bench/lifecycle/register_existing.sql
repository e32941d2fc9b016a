-- A new tenant registered by the application for an existing verified
-- principal, the acting one.
\set p random(0, :principals - 1)
BEGIN;
SELECT set_config('multitenant.actor', 'bp-' || :p, true), set_config('bench.n', nextval('bench.tenant_seq')::text, true);
SELECT multitenant.register_tenant('rt-' || current_setting('bench.n'), 'Tenant', owner_id => 'bp-' || :p);
COMMIT;
