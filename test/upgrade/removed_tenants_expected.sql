-- What test/upgrade/removed_tenants_rows_1.0.sql must look like after the
-- upgrade: each kept row in its parent row's tenant (system when nothing
-- names one), with the added columns' backfill; the rows of removed tenants
-- and of their removed users are gone.
INSERT INTO multitenant.idp_configs_jwt_config (instance_id, idp_id, issuer, keys_endpoint, header_name, endpoint, change_date, resource_owner, sequence)
VALUES ('upg-a', 'upg-a-iam-oidc', 'https://issuer.example.com', 'https://issuer.example.com/keys', 'x-jwt', 'https://issuer.example.com/jwt', NULL, 'system', 0);
INSERT INTO multitenant.idp_configs (instance_id, id, creation_date, change_date, sequence, resource_owner, state, name, styling_type, owner_type)
VALUES ('system', 'legacy-idp', '2023-05-01 12:00:00+00', NULL, 0, 'legacy-org', 1, 'Imported IdP', 0, 1);
INSERT INTO multitenant.idp_configs_jwt_config (instance_id, idp_id, issuer, keys_endpoint, header_name, endpoint, change_date, resource_owner, sequence)
VALUES ('system', 'legacy-idp', 'https://legacy.example.com', 'https://legacy.example.com/keys', 'x-legacy', 'https://legacy.example.com/jwt', NULL, 'system', 0);
INSERT INTO multitenant.quotas_projection_notifications (instance_id, unit, id, call_url, percent, repeat, change_date, resource_owner, sequence)
VALUES ('upg-a', 1, 'legacy-qn', 'https://legacy.example.com/quota', 95, false, NULL, 'system', 0);
INSERT INTO multitenant.user_metadata (instance_id, user_id, creation_date, change_date, sequence, resource_owner, key, value)
VALUES ('upg-b', 'upg-b-user-99', '2023-05-01 12:00:00+00', NULL, 0, 'legacy-org', 'origin', '\x696d706f7274');
