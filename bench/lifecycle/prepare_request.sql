-- Not timed: one pending join request for approve.sql.  The application
-- signs up principal jp-<n>, which asks to join bt-<n % tenants>; the
-- request's id goes into bench.requests.
SELECT nextval('bench.request_prep_seq') AS n \gset
SELECT FROM multitenant.create_principal('user', 'jp-' || :n || '@bench.example', id => 'jp-' || :n);
BEGIN;
SELECT set_config('multitenant.actor', 'jp-' || :n, true);
INSERT INTO bench.requests (n, tenant, request_id)
SELECT :n, r.instance_id, r.id FROM multitenant.request_join('bt-' || :n % :tenants) AS r;
COMMIT;
