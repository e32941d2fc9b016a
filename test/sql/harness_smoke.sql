-- Harness smoke test: the library loads, the extension installs and drops.
CREATE EXTENSION multitenant;
SELECT multitenant.current_tenant() IS NULL AS no_tenant_set;
DROP EXTENSION multitenant;
