-- Harness smoke test (pgTAP).  Runs in database mt_pgtap, where the harness
-- did CREATE EXTENSION pgtap (functions in schema public).
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;
SELECT plan(2);
SELECT has_schema('multitenant');
SELECT has_function('multitenant', 'current_tenant', ARRAY[]::name[],
                    'multitenant.current_tenant() exists');
SELECT * FROM finish();
ROLLBACK;
