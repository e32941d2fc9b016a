-- Placeholder demo (test/harness/demo.sh runs this with psql -e); the lead replaces it.
CREATE EXTENSION multitenant;
SELECT multitenant.current_tenant();
