\set n random(1, :tenants)
BEGIN;
SELECT multitenant.set_tenant('bt-' || :n, is_local => true);
SELECT id FROM multitenant.tenant_realms WHERE instance_id = 'bt-' || :n AND name = 'realm-2' AND enabled;
COMMIT;
