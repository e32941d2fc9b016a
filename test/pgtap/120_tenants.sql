-- The tenants registry: create_tenant, update_tenant and set_tenant_status
-- with their events, refusals and state machine; the settings rules; the
-- registry as a projection (rebuild gives the rows inline reduction gave,
-- the system row included) and a tenant table; and that a suspended or
-- inactive tenant cannot be entered (set_tenant, signed tokens, a lookup's
-- tenant_token) while a session inside it sees nothing.  The same across
-- two sessions is test/sql/tenant_status.sql.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(72);

CREATE ROLE mt_tn_app NOLOGIN;
GRANT multitenant_app TO mt_tn_app;
CREATE ROLE mt_tn_admin NOLOGIN;
GRANT multitenant_admin TO mt_tn_admin;

\ir ../fixtures/pgtap_tenant_calls.sql

-- The system row comes with the extension.
SELECT results_eq($$SELECT instance_id, id, name, type, status, settings, external_group_id FROM multitenant.tenants$$,
                  $$VALUES ('system', 'system', 'System', 'enterprise', 'active', '{}'::jsonb, NULL::text)$$,
                  'a fresh install holds the system tenant only');

------------------------------------------------------------------------------
-- create_tenant
------------------------------------------------------------------------------
SET LOCAL ROLE mt_tn_admin;
SELECT results_eq($$SELECT id, name, type, status, settings, external_group_id, created_at = changed_at
                      FROM multitenant.create_tenant('tn-a', 'Tenant A', 'trial', '{"features": {"sso": true}, "limits": {"users": 10}}', 'grp-a')$$,
                  $$VALUES ('tn-a', 'Tenant A', 'trial', 'active', '{"features": {"sso": true}, "limits": {"users": 10}}'::jsonb, 'grp-a', true)$$,
                  'create_tenant returns the new row');
SELECT results_eq($$SELECT instance_id, aggregate_type, aggregate_id, sequence, event_type, payload FROM multitenant.events WHERE aggregate_type = 'tenant'$$,
                  $$VALUES ('tn-a', 'tenant', 'tn-a', 1::bigint, 'tenant.added',
                            '{"name": "Tenant A", "type": "trial", "settings": {"features": {"sso": true}, "limits": {"users": 10}}, "externalGroupId": "grp-a"}'::jsonb)$$,
                  'create_tenant pushes tenant.added into the tenant');
SELECT is((SELECT (multitenant.create_tenant('tn-b', 'Tenant B')).type), 'standard', 'the type defaults to standard');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-a', 'Again')$$, '23505', 'tenant "tn-a" already exists', 'a duplicate id is refused');
SELECT throws_ok($$SELECT multitenant.create_tenant('system', 'Mine')$$, '23505', 'tenant "system" already exists', 'the system tenant exists');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-c', 'C', external_group_id => 'grp-a')$$, '23505',
                 'external_group_id "grp-a" of tenant "tn-c" already belongs to tenant "tn-a"', 'an external group names one tenant');
SELECT throws_ok($$SELECT multitenant.create_tenant(NULL, 'C')$$, '22004', NULL, 'a NULL id is refused');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-c', NULL)$$, '22004', NULL, 'a NULL name is refused');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-c', 'C', NULL)$$, '22004', NULL, 'a NULL type is refused');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-c', 'C', settings => NULL)$$, '22004', NULL, 'NULL settings are refused');
SELECT throws_ok($$SELECT multitenant.create_tenant('', 'C')$$, '22023', NULL, 'an empty id is refused');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-c', '')$$, '22023', 'name of tenant "tn-c" must not be empty', 'an empty name is refused');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-c', 'C', 'gold')$$, '22023', 'invalid type "gold" for tenant "tn-c"', 'an unknown type is refused');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-c', 'C', external_group_id => '')$$, '22023', NULL, 'an empty external group is refused');

------------------------------------------------------------------------------
-- Settings
------------------------------------------------------------------------------
SELECT lives_ok($$SELECT multitenant.create_tenant('tn-c', 'C', 'demo',
                    '{"features": {"sso": false}, "branding": {"colour": "#fff"}, "locale": "de-CH", "timezone": "Europe/Zurich", "limits": {"users": 0, "orgs": 12}}')$$,
                'every known settings key');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-d', 'D', settings => '{"colour": "red"}')$$, '22023',
                 'unknown settings key "colour" for tenant "tn-d"', 'an unknown key is refused, by name');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-d', 'D', settings => '[1]')$$, '22023', NULL, 'settings must be an object');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-d', 'D', settings => '{"features": ["sso"]}')$$, '22023',
                 'settings key "features" of tenant "tn-d" must be a JSON object', 'features is an object');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-d', 'D', settings => '{"features": {"sso": "yes"}}')$$, '22023',
                 'settings key "features.sso" of tenant "tn-d" must be a boolean', 'features are booleans');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-d', 'D', settings => '{"branding": {"logo": 1}}')$$, '22023',
                 'settings key "branding.logo" of tenant "tn-d" must be a string', 'branding holds strings');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-d', 'D', settings => '{"limits": {"users": -1}}')$$, '22023',
                 'settings key "limits.users" of tenant "tn-d" must be a non-negative integer', 'a negative limit is refused');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-d', 'D', settings => '{"limits": {"users": 1.5}}')$$, '22023', NULL, 'a fractional limit is refused');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-d', 'D', settings => '{"locale": 7}')$$, '22023', NULL, 'locale is a string');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-d', 'D', settings => '{"timezone": ""}')$$, '22023', NULL, 'timezone is not empty');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-d', 'D', settings => jsonb_build_object('branding', jsonb_build_object('x', repeat('a', 9000))))$$,
                 '54000', NULL, 'oversized settings are refused');
SELECT is((SELECT count(*)::int FROM multitenant.events WHERE aggregate_id = 'tn-d'), 0, 'a refused tenant leaves no event');
-- A tenant event pushed around the operator functions meets the same rules.
RESET ROLE;
SELECT throws_ok($$SELECT multitenant.push('tenant', 'tn-d', 'tenant.added', '{"name": "D", "settings": {"colour": 1}}', instance_id => 'tn-d')$$,
                 '22023', NULL, 'the reducer checks the settings too');
SELECT throws_ok($$SELECT multitenant.push('tenant', 'tn-e', 'tenant.added', '{"name": "E"}', instance_id => 'tn-d')$$,
                 '23514', NULL, 'a tenant event belongs to its own tenant');
SET LOCAL ROLE mt_tn_admin;

------------------------------------------------------------------------------
-- update_tenant
------------------------------------------------------------------------------
SELECT results_eq($$SELECT name, type, settings, external_group_id FROM multitenant.update_tenant('tn-a', name => 'Tenant A Ltd', settings => '{"locale": "en"}')$$,
                  $$VALUES ('Tenant A Ltd', 'trial', '{"locale": "en"}'::jsonb, 'grp-a')$$, 'update_tenant changes what it is given');
SELECT results_eq($$SELECT name, type, external_group_id FROM multitenant.update_tenant('tn-a', type => 'enterprise', external_group_id => '')$$,
                  $$VALUES ('Tenant A Ltd', 'enterprise', NULL::text)$$, 'an empty external group clears it');
SELECT is((SELECT (multitenant.update_tenant('tn-b', external_group_id => 'grp-a')).external_group_id), 'grp-a', 'a freed external group can be taken');
SELECT is((SELECT count(*)::int FROM multitenant.events WHERE aggregate_id = 'tn-a' AND event_type = 'tenant.changed'), 2, 'each update pushes tenant.changed');
SELECT lives_ok($$SELECT multitenant.update_tenant('tn-a')$$, 'nothing to change');
SELECT is((SELECT count(*)::int FROM multitenant.events WHERE aggregate_id = 'tn-a' AND event_type = 'tenant.changed'), 2, '... pushes nothing');
SELECT throws_ok($$SELECT multitenant.update_tenant('tn-none', 'X')$$, '42704', 'tenant "tn-none" does not exist', 'an unknown tenant is refused');
SELECT throws_ok($$SELECT multitenant.update_tenant(NULL, 'X')$$, '22004', NULL, 'a NULL id is refused');
SELECT throws_ok($$SELECT multitenant.update_tenant('system', 'X')$$, '55000', 'tenant "system" is built in and cannot be changed', 'the system tenant stays as installed');
SELECT throws_ok($$SELECT multitenant.update_tenant('tn-a', type => 'gold')$$, '22023', NULL, 'an unknown type is refused');
SELECT throws_ok($$SELECT multitenant.update_tenant('tn-a', settings => '{"nope": 1}')$$, '22023', NULL, 'unknown settings are refused');
SELECT throws_ok($$SELECT multitenant.update_tenant('tn-c', external_group_id => 'grp-a')$$, '23505', NULL, 'a taken external group is refused');

------------------------------------------------------------------------------
-- set_tenant_status: active <-> suspended, active | suspended -> inactive,
-- inactive -> active
------------------------------------------------------------------------------
SELECT is((SELECT (multitenant.set_tenant_status('tn-c', 'suspended', 'unpaid')).status), 'suspended', 'active -> suspended');
SELECT is((SELECT (multitenant.set_tenant_status('tn-c', 'active')).status), 'active', 'suspended -> active');
SELECT is((SELECT (multitenant.set_tenant_status('tn-c', 'inactive')).status), 'inactive', 'active -> inactive');
SELECT throws_ok($$SELECT multitenant.set_tenant_status('tn-c', 'suspended')$$, '55000',
                 'tenant "tn-c" cannot change from status "inactive" to "suspended"', 'inactive -> suspended is refused, naming both states');
SELECT throws_ok($$SELECT multitenant.set_tenant_status('tn-c', 'inactive')$$, '55000', NULL, 'the same status again is refused');
SELECT is((SELECT (multitenant.set_tenant_status('tn-c', 'active')).status), 'active', 'inactive -> active');
SELECT is((SELECT (multitenant.set_tenant_status('tn-c', 'suspended')).status), 'suspended', 'active -> suspended');
SELECT is((SELECT (multitenant.set_tenant_status('tn-c', 'inactive')).status), 'inactive', 'suspended -> inactive');
SELECT results_eq($$SELECT event_type, payload FROM multitenant.events WHERE aggregate_id = 'tn-c' AND sequence > 1 ORDER BY sequence$$,
                  $$VALUES ('tenant.suspended', '{"reason": "unpaid"}'::jsonb), ('tenant.reactivated', NULL), ('tenant.deactivated', NULL),
                           ('tenant.reactivated', NULL), ('tenant.suspended', NULL), ('tenant.deactivated', NULL)$$,
                  'each change pushes its event, with the reason');
SELECT throws_ok($$SELECT multitenant.set_tenant_status('tn-c', 'gone')$$, '22023', 'invalid status "gone" for tenant "tn-c"', 'an unknown status is refused');
SELECT throws_ok($$SELECT multitenant.set_tenant_status('tn-c', NULL)$$, '22004', NULL, 'a NULL status is refused');
SELECT throws_ok($$SELECT multitenant.set_tenant_status('tn-none', 'active')$$, '42704', NULL, 'an unknown tenant is refused');
SELECT throws_ok($$SELECT multitenant.set_tenant_status('system', 'suspended')$$, '55000', NULL, 'the system tenant cannot be suspended');
RESET ROLE;

-- Operators only.
SELECT pg_temp.as_app('mt_tn_app', 'tn-a');
SELECT throws_ok($$SELECT multitenant.create_tenant('tn-z', 'Z')$$, '42501', NULL, 'the application cannot create tenants');
SELECT throws_ok($$SELECT multitenant.set_tenant_status('tn-a', 'inactive')$$, '42501', NULL, 'nor change their status');
-- A tenant table: the application sees its own tenant's row only.
SELECT results_eq($$SELECT id FROM multitenant.tenants$$, $$VALUES ('tn-a')$$, 'inside tn-a the registry shows tn-a only');
RESET ROLE;

------------------------------------------------------------------------------
-- A projection: rebuild gives the rows inline reduction gave.
------------------------------------------------------------------------------
CREATE TEMP TABLE inline_rows AS SELECT * FROM multitenant.tenants;
SELECT multitenant.rebuild('multitenant.tenants');
SELECT set_eq($$SELECT * FROM multitenant.tenants$$, $$SELECT * FROM inline_rows$$, 'rebuild gives the inline rows, the system row included');
SELECT multitenant.rebuild('multitenant.tenants', 'system');
SELECT is((SELECT count(*)::int FROM multitenant.tenants WHERE id = 'system'), 1, 'the system row survives a rebuild of its own tenant');

------------------------------------------------------------------------------
-- Entering: tn-c is inactive; tn-b is suspended here.
------------------------------------------------------------------------------
SELECT multitenant.set_tenant_status('tn-b', 'suspended');
SELECT throws_ok($$SELECT multitenant.set_tenant('tn-b')$$, '55000', 'tenant "tn-b" is suspended and cannot be entered', 'set_tenant refuses a suspended tenant');
SELECT throws_ok($$SELECT multitenant.set_tenant('tn-c')$$, '55000', 'tenant "tn-c" is inactive and cannot be entered', 'set_tenant refuses an inactive tenant');
SELECT throws_ok(pg_catalog.format('SELECT multitenant.set_tenant(%L, %L)', 'tn-b', multitenant.sign_tenant('tn-b')), '55000', NULL,
                 'a signed token of a suspended tenant is refused');
SELECT throws_ok(pg_catalog.format('SELECT multitenant.user_by_id(%L, %L)', 'u1', multitenant.sign_tenant('tn-c')), '55000', NULL,
                 'a lookup''s tenant_token of an inactive tenant is refused');
SELECT lives_ok($$SELECT multitenant.set_tenant('tn-unregistered')$$, 'a tenant the registry does not know is entered as before');
SELECT multitenant.reset_tenant();

-- A session inside tn-a when it is suspended sees nothing from then on.
SELECT pg_temp.ev('org', 'o1', 'org.added', '{"name": "Org of tn-a"}', 'tn-a');
SELECT pg_temp.as_app('mt_tn_app', 'tn-a');
SELECT is((SELECT count(*)::int FROM multitenant.orgs_projection), 1, 'inside tn-a its org is visible');
RESET ROLE;
SELECT multitenant.set_tenant_status('tn-a', 'suspended');
SET LOCAL ROLE mt_tn_app;
SELECT is(multitenant.current_tenant(), NULL, 'once tn-a is suspended, current_tenant() is NULL inside it');
SELECT is((SELECT count(*)::int FROM multitenant.orgs_projection), 0, '... and its rows are gone from view');
SELECT throws_ok($$SELECT multitenant.user_by_id('u1')$$, '55000', 'tenant "tn-a" is suspended and cannot be entered', 'a lookup names the suspension');
RESET ROLE;
SELECT multitenant.set_tenant_status('tn-a', 'active');
SET LOCAL ROLE mt_tn_app;
SELECT is((SELECT count(*)::int FROM multitenant.orgs_projection), 1, 'reactivated, the org is visible again');
-- The registry is the operator's: the tenant's own application cannot change it through push.
SELECT throws_ok($$SELECT multitenant.push('tenant', 'tn-a', 'tenant.changed', '{"type": "demo"}')$$, '42501',
                 'permission denied to push event "tenant.changed" of the tenants registry for tenant "tn-a"',
                 'an application cannot change its own tenant by pushing a registry event');
SELECT throws_ok($$SELECT multitenant.push_many('[{"aggregate_type": "tenant", "aggregate_id": "tn-a", "event_type": "tenant.reactivated"}]')$$,
                 '42501', NULL, 'nor through push_many');
SELECT is((SELECT type FROM multitenant.tenants WHERE id = 'tn-a'), 'enterprise', 'its type is unchanged');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
