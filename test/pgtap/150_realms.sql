-- Realms: the tenant_realms projection (its reducers, rebuild equal to inline
-- reduction, instance.removed, what the application sees).
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(11);

CREATE ROLE mt_rl_app NOLOGIN;
GRANT multitenant_app TO mt_rl_app;

\ir ../fixtures/pgtap_tenant_calls.sql

------------------------------------------------------------------------------
-- Reducers
------------------------------------------------------------------------------
SELECT pg_temp.ev('tenant', 'rl-a', 'tenant.realm.added',
	'{"realmId": "r1", "name": "staff", "type": "username_password", "configuration": {"min_password_length": 10}}', 'rl-a');
SELECT pg_temp.ev('tenant', 'rl-a', 'tenant.realm.added',
	'{"realmId": "r2", "name": "corp", "type": "ldap", "source": "file", "enabled": false, "configuration": {"url": "ldaps://l"}}', 'rl-a');
SELECT pg_temp.ev('tenant', 'rl-b', 'tenant.realm.added', '{"realmId": "r1", "name": "staff", "type": "otp"}', 'rl-b');

SELECT results_eq(
	$$SELECT instance_id, id, name, type, configuration, source, enabled FROM multitenant.tenant_realms ORDER BY 1, 2$$,
	$$VALUES ('rl-a', 'r1', 'staff', 'username_password', '{"min_password_length": 10}'::jsonb, 'api', true),
	         ('rl-a', 'r2', 'corp', 'ldap', '{"url": "ldaps://l"}'::jsonb, 'file', false),
	         ('rl-b', 'r1', 'staff', 'otp', '{}'::jsonb, 'api', true)$$,
	'tenant.realm.added inserts the realm with its defaults');

SELECT pg_temp.ev('tenant', 'rl-a', 'tenant.realm.changed', '{"realmId": "r1", "name": "people"}', 'rl-a');
SELECT results_eq($$SELECT name, configuration FROM multitenant.tenant_realms WHERE instance_id = 'rl-a' AND id = 'r1'$$,
	$$VALUES ('people', '{"min_password_length": 10}'::jsonb)$$, 'tenant.realm.changed keeps what it does not name');
SELECT pg_temp.ev('tenant', 'rl-a', 'tenant.realm.changed', '{"realmId": "r1", "configuration": {"min_password_length": 14}}', 'rl-a');
SELECT results_eq($$SELECT name, configuration FROM multitenant.tenant_realms WHERE instance_id = 'rl-a' AND id = 'r1'$$,
	$$VALUES ('people', '{"min_password_length": 14}'::jsonb)$$, 'tenant.realm.changed replaces the configuration');
SELECT pg_temp.ev('tenant', 'rl-a', 'tenant.realm.enabled', '{"realmId": "r2"}', 'rl-a');
SELECT pg_temp.ev('tenant', 'rl-a', 'tenant.realm.disabled', '{"realmId": "r1"}', 'rl-a');
SELECT results_eq($$SELECT id, enabled FROM multitenant.tenant_realms WHERE instance_id = 'rl-a' ORDER BY id$$,
	$$VALUES ('r1', false), ('r2', true)$$, 'tenant.realm.enabled and tenant.realm.disabled');

SELECT throws_ok($$SELECT pg_temp.ev('tenant', 'rl-a', 'tenant.realm.added', '{"realmId": "r3", "name": "people", "type": "otp"}', 'rl-a')$$,
	'23505', NULL, 'a realm name is unique in its tenant');
SELECT throws_ok($$SELECT pg_temp.ev('tenant', 'rl-a', 'tenant.realm.added', '{"realmId": "r3", "name": "dir", "type": "oauth2"}', 'rl-a')$$,
	'23514', NULL, 'a directory type exists only from the file');
SELECT throws_ok($$SELECT pg_temp.ev('tenant', 'rl-a', 'tenant.realm.added', '{"realmId": "r3", "name": "x", "type": "kerberos"}', 'rl-a')$$,
	'23514', NULL, 'an unknown type is refused by the table');

------------------------------------------------------------------------------
-- Rebuild, isolation, instance.removed
------------------------------------------------------------------------------
CREATE TEMP TABLE before_rebuild AS SELECT * FROM multitenant.tenant_realms;
SELECT multitenant.rebuild('multitenant.tenant_realms');
SELECT set_eq($$SELECT * FROM multitenant.tenant_realms$$, $$SELECT * FROM before_rebuild$$,
	'rebuild gives the rows inline reduction gave');

SELECT pg_temp.as_app('mt_rl_app', 'rl-b');
SELECT results_eq($$SELECT instance_id, id FROM multitenant.tenant_realms$$, $$VALUES ('rl-b', 'r1')$$,
	'the application sees its tenant''s realms only');
RESET ROLE;
SELECT multitenant.reset_tenant();

SELECT pg_temp.ev('instance', 'rl-a', 'instance.removed', NULL, 'rl-a');
SELECT results_eq($$SELECT instance_id FROM multitenant.tenant_realms$$, $$VALUES ('rl-b')$$,
	'instance.removed deletes the tenant''s realms');
SELECT is((SELECT count(*)::int FROM pg_catalog.pg_extension AS x, unnest(x.extconfig) AS c(oid)
            WHERE x.extname = 'multitenant' AND c.oid = 'multitenant.tenant_realms'::regclass), 1,
	'pg_dump keeps the realms');

SELECT * FROM finish();
ROLLBACK;
