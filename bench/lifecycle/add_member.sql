-- An owner adds a principal that is no member yet: the n-th call adds
-- bp-<n / tenants> to bt-<n % tenants>, so concurrent calls hit different
-- tenants and never the same pair.
BEGIN;
SELECT multitenant.set_tenant('bt-' || n % :tenants, is_local => true),
       set_config('multitenant.actor', 'bo-' || n % :tenants, true),
       set_config('bench.principal', 'bp-' || n / :tenants, true)
  FROM nextval('bench.add_seq') AS n;
SELECT multitenant.add_member(current_setting('bench.principal'), 'member');
COMMIT;
