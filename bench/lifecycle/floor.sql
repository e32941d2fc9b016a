-- The floor: the same request shape (tenant and actor for the transaction,
-- one statement, commit) writing one row of a tenant table.
\set k random(0, :tenants - 1)
BEGIN;
SELECT multitenant.set_tenant('bt-' || :k, is_local => true), set_config('multitenant.actor', 'bo-' || :k, true);
INSERT INTO bench.floor (id, actor) VALUES (nextval('bench.floor_seq'), current_setting('multitenant.actor'));
COMMIT;
