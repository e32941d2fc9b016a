-- One request of the application: its tenant, actor and client, then a
-- single-row UPDATE of a device (bench/audit.sh).
\set n random(1, :rows)
\set t :n % 100
BEGIN;
SELECT set_config('multitenant.tenant', 'bench-' || :t, true), set_config('multitenant.actor', 'user-' || :n, true),
       set_config('multitenant.client_address', '198.51.100.' || :t, true);
UPDATE bench.devices_audited SET status = CASE status WHEN 'active' THEN 'maintenance' ELSE 'active' END, updated_at = now()
 WHERE instance_id = 'bench-' || :t AND id = md5(:n::text)::uuid;
COMMIT;
