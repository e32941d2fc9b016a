-- Rows of a 1.0 database that no event produced (imported by hand): the
-- upgrade keeps them, in the tenant adopt_table gives them.
INSERT INTO multitenant.instance_trusted_domains_projection (creation_date, sequence, domain)
VALUES ('2023-05-01 12:00:00+00', 0, 'legacy.example.com');
INSERT INTO multitenant.users_projection (id, creation_date, sequence, state, resource_owner, instance_id, username, type)
VALUES ('legacy-user-1', '2023-05-01 12:00:00+00', 0, 1, 'legacy-org', 'upg-b', 'imported', 1);
INSERT INTO multitenant.user_metadata (user_id, creation_date, sequence, resource_owner, key, value)
VALUES ('legacy-user-1', '2023-05-01 12:00:00+00', 0, 'legacy-org', 'origin', '\x696d706f7274');
-- Quota usage periods are never written by events (Zitadel counts usage
-- outside the event store): a quota and its period, both imported.
INSERT INTO multitenant.quotas_projection (id, unit, amount, from_anchor, "interval", limit_usage)
VALUES ('legacy-quota', 9, 1000, '2023-01-01 00:00:00+00', '30 days', true);
INSERT INTO multitenant.quotas_projection_periods (unit, start, usage)
VALUES (9, '2023-05-01 00:00:00+00', 42);
