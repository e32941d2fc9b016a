-- Realms: the tenant_realms projection (its reducers, rebuild equal to inline
-- reduction, instance.removed, what the application sees); the functions of
-- the database realm types (create_realm, update_realm, set_realm_enabled)
-- with their events, audit entries, refusals and configuration checks;
-- resolve_realm.  The operator's file: test/sql/realms_file.sql.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(54);

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
-- The database realm types' functions
------------------------------------------------------------------------------
DO $$
BEGIN
	PERFORM multitenant.create_tenant('rl-c', 'Tenant C');
	PERFORM multitenant.create_tenant('rl-d', 'Tenant D');
	PERFORM multitenant.create_principal('user', p || '@rl.example', id => p)
	   FROM unnest(ARRAY['rl-own', 'rl-adm', 'rl-mem']) AS p;
	PERFORM multitenant.verify_principal('rl-own');
	PERFORM multitenant.add_member('rl-own', 'owner', 'rl-c');
	PERFORM multitenant.add_member('rl-adm', 'admin', 'rl-c');
	PERFORM multitenant.add_member('rl-mem', 'member', 'rl-c');
	-- A realm of the operator's file.
	PERFORM multitenant.push('tenant', 'rl-c', 'tenant.realm.added',
		'{"realmId": "rl-file", "name": "corp", "type": "ldap", "source": "file", "configuration": {"url": "ldaps://l", "user_base_dn": "dc=x"}}',
		instance_id => 'rl-c');
END $$;
GRANT SELECT ON multitenant.events TO mt_rl_app;

SELECT pg_temp.as_actor('mt_rl_app', 'rl-c', 'rl-own');
SELECT results_eq(
	$$SELECT r.instance_id, r.name, r.type, r.configuration, r.source, r.enabled
	    FROM multitenant.create_realm('staff', 'username_password', '{"min_password_length": 12, "allow_self_registration": false}') AS r$$,
	$$VALUES ('rl-c', 'staff', 'username_password', '{"min_password_length": 12, "allow_self_registration": false}'::jsonb, 'api', true)$$,
	'an owner creates a database realm');
SELECT pg_temp.as_actor('mt_rl_app', 'rl-c', 'rl-adm');
SELECT lives_ok($$SELECT multitenant.create_realm('second', 'otp', '{"digits": 6, "algorithm": "SHA256"}')$$, 'an admin creates one');
SELECT lives_ok($$SELECT multitenant.create_realm('keys', 'passkey')$$, 'the configuration defaults to {}');
RESET ROLE;
SELECT results_eq(
	$$SELECT e.aggregate_type, e.aggregate_id, e.creator, e.payload - 'realmId'
	    FROM multitenant.events AS e
	   WHERE e.instance_id = 'rl-c' AND e.event_type = 'tenant.realm.added' AND e.payload ->> 'name' = 'staff'$$,
	$$VALUES ('tenant', 'rl-c', 'rl-own',
	          '{"name": "staff", "type": "username_password", "source": "api", "enabled": true, "configuration": {"min_password_length": 12, "allow_self_registration": false}}'::jsonb)$$,
	'create_realm pushes tenant.realm.added on the tenant''s aggregate');
SELECT results_eq(
	$$SELECT a.actor, a.target_table, a.before IS NULL, a.after ->> 'name' FROM multitenant.audit_log AS a
	   WHERE a.instance_id = 'rl-c' AND a.action = 'tenant.realm.added' ORDER BY a.id$$,
	$$VALUES ('rl-own', 'multitenant.tenant_realms', true, 'staff'), ('rl-adm', 'multitenant.tenant_realms', true, 'second'),
	         ('rl-adm', 'multitenant.tenant_realms', true, 'keys')$$,
	'each creation has its audit entry');

SELECT pg_temp.as_actor('mt_rl_app', 'rl-c', 'rl-mem');
SELECT throws_ok($$SELECT multitenant.create_realm('mine', 'otp')$$, '42501', NULL, 'a member may not create a realm');
SELECT pg_temp.as_actor('mt_rl_app', 'rl-c', 'rl-own');
SELECT throws_ok($$SELECT multitenant.create_realm('dir', 'ldap', '{"url": "ldaps://x", "user_base_dn": "dc=x"}')$$, '42501',
	'permission denied for function multitenant.create_realm: realm type "ldap" (realm "dir" of tenant "rl-c") comes only from the operator''s realm file',
	'an owner may not create an ldap realm');
SELECT throws_ok($$SELECT multitenant.create_realm('dir', 'oauth2', '{}')$$, '42501', NULL, 'nor an oauth2 realm');
SELECT throws_ok($$SELECT multitenant.create_realm('x', 'username_password', '{"min_password_length": 12, "colour": "red"}')$$, '22023',
	'unknown key "colour" in the configuration of realm "x" (type username_password)', 'an unknown key is refused, named');
SELECT throws_ok($$SELECT multitenant.create_realm('x', 'username_password', '{"min_password_length": 4}')$$, '22023',
	'invalid value for key "min_password_length" in the configuration of realm "x" (type username_password)', 'a value out of bounds');
SELECT throws_ok($$SELECT multitenant.create_realm('x', 'username_password', '{"min_password_length": "12"}')$$, '22023', NULL,
	'a value of the wrong kind');
SELECT throws_ok($$SELECT multitenant.create_realm('x', 'passkey', '{"user_verification": "always"}')$$, '22023', NULL,
	'a value outside its list');
SELECT throws_ok($$SELECT multitenant.create_realm('x', 'otp', '[]')$$, '22023', NULL, 'a configuration that is not an object');
SELECT throws_ok($$SELECT multitenant.create_realm('x', 'kerberos')$$, '22023', 'unknown realm type "kerberos" for realm "x"',
	'an unknown type');
SELECT throws_ok($$SELECT multitenant.create_realm('Bad Name', 'otp')$$, '22023', NULL, 'an invalid name');
SELECT throws_ok($$SELECT multitenant.create_realm(NULL, 'otp')$$, '22004', NULL, 'a null name');
SELECT throws_ok($$SELECT multitenant.create_realm('staff', 'otp')$$, '23505', 'realm "staff" already exists in tenant "rl-c"',
	'a name taken in the tenant');
SELECT throws_ok($$SELECT multitenant.create_realm('corp', 'otp')$$, '23505', NULL, 'also by a realm of the file');
SELECT throws_ok($$SELECT multitenant.create_realm('x', 'otp', tenant => 'rl-d')$$, '42501', NULL, 'another tenant''s realms are not the owner''s');

SELECT results_eq(
	$$SELECT r.name, r.configuration FROM multitenant.update_realm('staff', '{"min_password_length": 14}') AS r$$,
	$$VALUES ('staff', '{"min_password_length": 14}'::jsonb)$$, 'update_realm replaces the configuration');
SELECT results_eq($$SELECT r.name FROM multitenant.update_realm('staff', new_name => 'people') AS r$$,
	$$VALUES ('people')$$, 'update_realm renames');
SELECT is((SELECT count(*)::int FROM multitenant.update_realm('people', '{"min_password_length": 14}', 'people')), 1, 'an update to the same values');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM multitenant.events WHERE instance_id = 'rl-c' AND event_type = 'tenant.realm.changed'), 2,
	'pushes nothing');
SELECT results_eq(
	$$SELECT a.before -> 'configuration', a.after -> 'configuration' FROM multitenant.audit_log AS a
	   WHERE a.instance_id = 'rl-c' AND a.action = 'tenant.realm.changed' ORDER BY a.id LIMIT 1$$,
	$$VALUES ('{"min_password_length": 12, "allow_self_registration": false}'::jsonb, '{"min_password_length": 14}'::jsonb)$$,
	'the change''s audit entry has the row before and after');
SELECT pg_temp.as_actor('mt_rl_app', 'rl-c', 'rl-adm');
SELECT throws_ok($$SELECT multitenant.update_realm('people', '{"min_password_length": 1000}')$$, '22023', NULL, 'update_realm checks the configuration');
SELECT throws_ok($$SELECT multitenant.update_realm('people', new_name => 'second')$$, '23505', NULL, 'update_realm keeps names unique');
SELECT throws_ok($$SELECT multitenant.update_realm('nope', '{}')$$, '42704', 'realm "nope" does not exist in tenant "rl-c"', 'an unknown realm');
SELECT throws_ok($$SELECT multitenant.update_realm('corp', '{"url": "ldaps://y", "user_base_dn": "dc=x"}')$$, '42501', NULL,
	'a realm of the file cannot be changed');
SELECT throws_ok($$SELECT multitenant.set_realm_enabled('corp', false)$$, '42501', NULL, 'nor disabled');

SELECT results_eq($$SELECT r.enabled FROM multitenant.set_realm_enabled('second', false) AS r$$, $$VALUES (false)$$,
	'set_realm_enabled disables');
SELECT results_eq($$SELECT r.enabled FROM multitenant.set_realm_enabled('second', true) AS r$$, $$VALUES (true)$$,
	'and enables');
SELECT pg_temp.as_actor('mt_rl_app', 'rl-c', 'rl-mem');
SELECT throws_ok($$SELECT multitenant.set_realm_enabled('second', false)$$, '42501', NULL, 'a member may not disable a realm');
SELECT throws_ok($$SELECT multitenant.update_realm('second', '{}')$$, '42501', NULL, 'nor change one');
RESET ROLE;
SELECT results_eq(
	$$SELECT event_type FROM multitenant.events WHERE instance_id = 'rl-c' AND event_type LIKE 'tenant.realm.%abled' ORDER BY sequence$$,
	$$VALUES ('tenant.realm.disabled'), ('tenant.realm.enabled')$$, 'set_realm_enabled pushes its events');
SELECT is((SELECT count(*)::int FROM multitenant.audit_log WHERE instance_id = 'rl-c' AND action IN ('tenant.realm.enabled', 'tenant.realm.disabled')), 2,
	'with their audit entries');
SELECT multitenant.reset_tenant();


------------------------------------------------------------------------------
-- resolve_realm: the enabled realm of that name in the current tenant
------------------------------------------------------------------------------
SELECT pg_temp.ev('tenant', 'rl-c', 'tenant.realm.disabled',
	jsonb_build_object('realmId', (SELECT id FROM multitenant.tenant_realms WHERE instance_id = 'rl-c' AND name = 'keys')), 'rl-c');
SELECT multitenant.sign_tenant('rl-c', '1 hour') AS rl_token \gset
SELECT pg_temp.as_app('mt_rl_app', 'rl-c');
SELECT results_eq($$SELECT instance_id, name, type, enabled FROM multitenant.resolve_realm('people')$$,
	$$VALUES ('rl-c', 'people', 'username_password', true)$$, 'resolve_realm finds the realm of the current tenant');
SELECT results_eq($$SELECT name, source FROM multitenant.resolve_realm('corp')$$, $$VALUES ('corp', 'file')$$,
	'and a realm of the file');
SELECT is_empty($$SELECT * FROM multitenant.resolve_realm('keys')$$, 'not a disabled realm');
SELECT is_empty($$SELECT * FROM multitenant.resolve_realm('staff')$$, 'nor another tenant''s realm');
SELECT is_empty($$SELECT * FROM multitenant.resolve_realm('nope')$$, 'nor an unknown name');
SELECT pg_temp.as_app('mt_rl_app', NULL);
SELECT throws_ok($$SELECT * FROM multitenant.resolve_realm('people')$$, '55000', NULL, 'without a tenant it refuses');
SELECT results_eq(format($$SELECT instance_id, name FROM multitenant.resolve_realm('people', %L)$$, :'rl_token'),
	$$VALUES ('rl-c', 'people')$$, 'a tenant token enters the tenant in the same call');
SELECT is(multitenant.current_tenant(), 'rl-c', 'and stays entered for the transaction');
RESET ROLE;
SELECT multitenant.reset_tenant();

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
SELECT results_eq($$SELECT DISTINCT instance_id FROM multitenant.tenant_realms ORDER BY 1$$, $$VALUES ('rl-b'), ('rl-c')$$,
	'instance.removed deletes the tenant''s realms');
SELECT is((SELECT count(*)::int FROM pg_catalog.pg_extension AS x, unnest(x.extconfig) AS c(oid)
            WHERE x.extname = 'multitenant' AND c.oid = 'multitenant.tenant_realms'::regclass), 1,
	'pg_dump keeps the realms');

SELECT * FROM finish();
ROLLBACK;
