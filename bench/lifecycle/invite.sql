-- An owner invites a new e-mail address: the n-th call (a sequence) invites
-- iv-<n>@bench.example to bt-<n % tenants>.
BEGIN;
SELECT multitenant.set_tenant('bt-' || n % :tenants, is_local => true),
       set_config('multitenant.actor', 'bo-' || n % :tenants, true),
       set_config('bench.n', n::text, true)
  FROM nextval('bench.invite_seq') AS n;
SELECT invitation_id FROM multitenant.invite('iv-' || current_setting('bench.n') || '@bench.example', 'member');
COMMIT;
