-- A catch-up read of the last hundred positions, as tenant B's application.
BEGIN;
SELECT multitenant.set_tenant('tenant-b', is_local => true);
SELECT count(*) FROM multitenant.read_events((SELECT last_value - 100 FROM multitenant.events_position_seq), 100);
COMMIT;
