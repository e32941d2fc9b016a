-- Rows of a 1.0 database that no event produced, next to the tenants that
-- test/upgrade/removed_tenants.sql removes.  The upgrade keeps the first
-- four, each in its parent row's tenant: test/upgrade/removed_tenants_expected.sql.
-- A detail row of upg-a's event-made IdP config:
INSERT INTO multitenant.idp_configs_jwt_config (idp_id, issuer, keys_endpoint, header_name, endpoint)
VALUES ('upg-a-iam-oidc', 'https://issuer.example.com', 'https://issuer.example.com/keys', 'x-jwt', 'https://issuer.example.com/jwt');
-- An imported IdP config with its detail row (no tenant anywhere: system):
INSERT INTO multitenant.idp_configs (id, creation_date, sequence, resource_owner, state, name, styling_type, owner_type)
VALUES ('legacy-idp', '2023-05-01 12:00:00+00', 0, 'legacy-org', 1, 'Imported IdP', 0, 1);
INSERT INTO multitenant.idp_configs_jwt_config (idp_id, issuer, keys_endpoint, header_name, endpoint)
VALUES ('legacy-idp', 'https://legacy.example.com', 'https://legacy.example.com/keys', 'x-legacy', 'https://legacy.example.com/jwt');
-- A notification of quota unit 1, whose 1.0 row is upg-c's and whose
-- surviving row is upg-a's:
INSERT INTO multitenant.quotas_projection_notifications (unit, id, call_url, percent, repeat)
VALUES (1, 'legacy-qn', 'https://legacy.example.com/quota', 95, false);
-- Metadata of the user upg-b added after it came back:
INSERT INTO multitenant.user_metadata (user_id, creation_date, sequence, resource_owner, key, value)
VALUES ('upg-b-user-99', '2023-05-01 12:00:00+00', 0, 'legacy-org', 'origin', '\x696d706f7274');
-- Rows that go with their tenant's removal: metadata of a user of upg-c and
-- of a user upg-b had before its removal, and an imported user of upg-c with
-- its human details.
INSERT INTO multitenant.user_metadata (user_id, creation_date, sequence, resource_owner, key, value)
VALUES ('upg-c-user-1', '2023-05-01 12:00:00+00', 0, 'legacy-org', 'origin', '\x696d706f7274'),
       ('upg-b-user-2', '2023-05-01 12:00:00+00', 0, 'legacy-org', 'origin', '\x696d706f7274');
INSERT INTO multitenant.users_projection (id, creation_date, sequence, state, resource_owner, instance_id, username, type)
VALUES ('legacy-user-c', '2023-05-01 12:00:00+00', 0, 1, 'legacy-org', 'upg-c', 'imported-c', 1);
INSERT INTO multitenant.users_projection_humans (user_id, first_name, last_name, email, password_change_required)
VALUES ('legacy-user-c', 'Imported', 'C', 'imported@upg-c.example.com', false);
