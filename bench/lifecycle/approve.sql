-- An owner approves a pending join request: the n-th call takes the n-th
-- request of bench.requests (made by prepare_request.sql).
BEGIN;
SELECT multitenant.set_tenant(r.tenant, is_local => true),
       set_config('multitenant.actor', 'bo-' || r.n % :tenants, true),
       set_config('bench.request', r.request_id, true)
  FROM nextval('bench.approve_seq') AS s(n) JOIN bench.requests AS r ON r.n = s.n;
SELECT principal_id, role FROM multitenant.approve_join_request(current_setting('bench.request'));
COMMIT;
