\set n random(1, :tenants)
BEGIN;
SELECT multitenant.set_tenant('bt-' || :n, is_local => true);
SELECT id FROM multitenant.resolve_realm('realm-2');
COMMIT;
