-- What test/upgrade/legacy_rows_1.0.sql must look like after the upgrade:
-- the trusted domain in the system tenant with the added columns' backfill,
-- the imported user in the tenant its row already named, its metadata with it.
INSERT INTO multitenant.instance_trusted_domains_projection (instance_id, creation_date, change_date, sequence, resource_owner, domain)
VALUES ('system', '2023-05-01 12:00:00+00', NULL, 0, 'system', 'legacy.example.com');
INSERT INTO multitenant.users_projection (id, creation_date, change_date, sequence, state, resource_owner, instance_id, username, type)
VALUES ('legacy-user-1', '2023-05-01 12:00:00+00', NULL, 0, 1, 'legacy-org', 'upg-b', 'imported', 1);
INSERT INTO multitenant.user_metadata (instance_id, user_id, creation_date, change_date, sequence, resource_owner, key, value)
VALUES ('upg-b', 'legacy-user-1', '2023-05-01 12:00:00+00', NULL, 0, 'legacy-org', 'origin', '\x696d706f7274');
INSERT INTO multitenant.quotas_projection (instance_id, id, unit, amount, from_anchor, "interval", limit_usage, change_date, resource_owner, sequence)
VALUES ('system', 'legacy-quota', 9, 1000, '2023-01-01 00:00:00+00', '30 days', true, NULL, 'system', 0);
INSERT INTO multitenant.quotas_projection_periods (instance_id, unit, start, usage, change_date, resource_owner, sequence)
VALUES ('system', 9, '2023-05-01 00:00:00+00', 42, NULL, 'system', 0);
