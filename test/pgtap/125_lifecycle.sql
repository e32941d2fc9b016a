-- The tenant lifecycle's core: principals, memberships with their ordered
-- roles, custom roles and has_role, registration; each refusal with its
-- SQLSTATE and nothing written; the invariant (a tenant keeps a verified
-- owner); the events pushed and the projections they give (rebuild equals
-- inline reduction); what an application role sees.  The same invariant
-- under concurrency is test/sql/lifecycle_race.sql.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(104);

CREATE ROLE mt_lc_app NOLOGIN;
GRANT multitenant_app TO mt_lc_app;
CREATE ROLE mt_lc_admin NOLOGIN;
GRANT multitenant_admin TO mt_lc_admin;

\ir ../fixtures/pgtap_tenant_calls.sql

------------------------------------------------------------------------------
-- Principals
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_lc_app', NULL, NULL);
SELECT results_eq($$SELECT id, kind, email, display_name, user_type, verified, status FROM multitenant.create_principal('user', '  Ann@Example.COM ', 'Ann', id => 'ann')$$,
                  $$VALUES ('ann', 'user', 'ann@example.com', 'Ann', 'regular', false, 'active')$$,
                  'create_principal stores the e-mail address trimmed and lower-case, unverified');
SELECT results_eq($$SELECT kind, email, user_type FROM multitenant.create_principal('client', display_name => 'CI', id => 'bot')$$,
                  $$VALUES ('client', NULL::text, 'service_account')$$, 'a client has no e-mail address and is a service account');
SELECT lives_ok($$SELECT multitenant.create_principal('user', 'ben@example.com', 'Ben', id => 'ben')$$, 'a second user');
SELECT lives_ok($$SELECT multitenant.create_principal('user', 'cat@example.com', 'Cat', id => 'cat')$$, 'a third user');
SELECT lives_ok($$SELECT multitenant.create_principal('user', 'dan@example.com', 'Dan', id => 'dan')$$, 'a fourth user');
SELECT lives_ok($$SELECT multitenant.create_principal('user', 'eve@example.com', 'Eve', id => 'eve')$$, 'a fifth user');
SELECT ok((SELECT id IS NOT NULL AND length(id) = 36 FROM multitenant.create_principal('user', 'gen@example.com')), 'an id is generated');
SELECT throws_ok($$SELECT multitenant.create_principal(NULL)$$, '22004', NULL, 'a NULL kind is refused');
SELECT throws_ok($$SELECT multitenant.create_principal('robot')$$, '22023', NULL, 'an unknown kind is refused');
SELECT throws_ok($$SELECT multitenant.create_principal('user', id => 'x1')$$, '22004', 'user "x1" needs an e-mail address', 'a user needs an e-mail address');
SELECT throws_ok($$SELECT multitenant.create_principal('client', 'c@example.com', id => 'x1')$$, '22023', NULL, 'a client has none');
SELECT throws_ok($$SELECT multitenant.create_principal('user', 'not an address', id => 'x1')$$, '22023', 'invalid e-mail address "not an address"', 'a malformed e-mail address is refused');
SELECT throws_ok($$SELECT multitenant.create_principal('user', repeat('a', 250) || '@example.com', id => 'x1')$$, '22023', NULL, 'an oversized e-mail address is refused');
SELECT throws_ok($$SELECT multitenant.create_principal('user', 'ANN@example.com', id => 'x1')$$, '23505', NULL, 'an e-mail address belongs to one principal, case-insensitively');
SELECT throws_ok($$SELECT multitenant.create_principal('user', 'x1@example.com', id => 'ann')$$, '23505', 'principal "ann" already exists', 'a duplicate id is refused');
SELECT throws_ok($$SELECT multitenant.create_principal('user', 'x1@example.com', user_type => 'system_admin', id => 'x1')$$, '42501', NULL,
                 'only the operator creates a system administrator');
SELECT throws_ok($$SELECT multitenant.create_principal('user', 'x1@example.com', metadata => jsonb_build_object('blob', repeat('x', 9000)), id => 'x1')$$,
                 '54000', NULL, 'oversized metadata is refused');
SELECT throws_ok($$SELECT multitenant.create_principal('user', 'x1@example.com', metadata => '[1]', id => 'x1')$$, '22023', NULL, 'metadata must be an object');
SELECT is((SELECT count(*) FROM multitenant.events WHERE aggregate_id = 'x1'), 0::bigint, 'the refusals wrote nothing');

-- Only the principal itself (or the operator) changes a principal.
SELECT pg_temp.as_actor('mt_lc_app', NULL, 'ben');
SELECT throws_ok($$SELECT multitenant.verify_principal('ann')$$, '42501', NULL, 'another principal cannot verify ann');
SELECT throws_ok($$SELECT multitenant.update_principal('ann', display_name => 'Mallory')$$, '42501', NULL, '... nor change her');
SELECT pg_temp.as_actor('mt_lc_app', NULL, 'ann');
SELECT is((multitenant.verify_principal('ann')).verified, true, 'ann verifies herself (her application confirmed the address)');
SELECT throws_ok($$SELECT multitenant.verify_principal('nobody')$$, '42501', NULL, 'an unknown principal is not the actor');
RESET ROLE;
SELECT throws_ok($$SELECT multitenant.verify_principal('nobody')$$, '42704', 'principal "nobody" does not exist', 'the operator learns it does not exist');
SELECT lives_ok($$SELECT multitenant.verify_principal(p) FROM unnest(ARRAY['ben', 'cat', 'dan', 'bot']) AS p$$, 'the operator verifies others');

------------------------------------------------------------------------------
-- Registration
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_lc_app', NULL, 'ann');
SELECT results_eq($$SELECT instance_id, principal_id, role, status FROM multitenant.register_tenant('lc-a', 'Tenant A', owner_id => 'ann')$$,
                  $$VALUES ('lc-a', 'ann', 'owner', 'active')$$, 'an application registers a tenant for its acting principal, as owner');
RESET ROLE;
SELECT results_eq($$SELECT name, status FROM multitenant.tenants WHERE id = 'lc-a'$$, $$VALUES ('Tenant A', 'active')$$, 'the tenant is registered and active');
SELECT pg_temp.as_actor('mt_lc_app', NULL, 'ann');
SELECT throws_ok($$SELECT multitenant.register_tenant('lc-x', 'X', owner_id => 'ben')$$, '42501', NULL, 'not for another principal');
SELECT throws_ok($$SELECT multitenant.register_tenant('lc-a', 'Again', owner_id => 'ann')$$, '23505', 'tenant "lc-a" already exists', 'a registered id is refused');
SELECT results_eq($$SELECT principal_id, role FROM multitenant.register_tenant('lc-b', 'Tenant B', owner_id => 'fay', owner_email => 'Fay@Example.com')$$,
                  $$VALUES ('fay', 'owner')$$, 'registering creates the registrant as owner');
RESET ROLE;
SELECT results_eq($$SELECT email, verified FROM multitenant.principals WHERE id = 'fay'$$, $$VALUES ('fay@example.com', true)$$, '... approved at once');
SELECT pg_temp.as_actor('mt_lc_app', NULL, 'ann');
SELECT throws_ok($$SELECT multitenant.register_tenant('lc-y', 'Y', owner_id => 'gus', owner_email => 'gus@example.com', type => 'gold')$$, '22023', NULL,
                 'a bad tenant type is refused');
SELECT ok(NOT EXISTS (SELECT FROM multitenant.principals WHERE id = 'gus'), '... and the registrant it would have created is not there');
RESET ROLE;
SET LOCAL multitenant.self_registration = off;
SELECT pg_temp.as_actor('mt_lc_app', NULL, 'ben');
SELECT throws_ok($$SELECT multitenant.register_tenant('lc-z', 'Z', owner_id => 'ben')$$, '42501',
                 'permission denied for function multitenant.register_tenant: self-registration of tenants is disabled',
                 'with self-registration off an application cannot register');
RESET ROLE;
SELECT lives_ok($$SELECT multitenant.register_tenant('lc-c', 'Tenant C', owner_id => 'cat')$$, '... the operator still can');
RESET multitenant.self_registration;

------------------------------------------------------------------------------
-- Memberships and roles
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_lc_app', 'lc-a', 'ann');
SELECT results_eq($$SELECT role, status FROM multitenant.add_member('ben', 'admin')$$, $$VALUES ('admin', 'active')$$, 'the owner adds an admin');
SELECT lives_ok($$SELECT multitenant.add_member('bot', 'member')$$, 'a client becomes a member');
SELECT lives_ok($$SELECT multitenant.add_member('cat', 'viewer')$$, 'and a user a viewer');
SELECT throws_ok($$SELECT multitenant.add_member('ben', 'viewer')$$, '23505', 'principal "ben" is already a member of tenant "lc-a"', 'adding a member again is refused');
SELECT is((SELECT role FROM multitenant.memberships WHERE principal_id = 'ben'), 'admin', '... and never changes the role');
SELECT throws_ok($$SELECT multitenant.add_member('nobody')$$, '42704', 'principal "nobody" does not exist', 'an unknown principal');
SELECT throws_ok($$SELECT multitenant.add_member(NULL)$$, '22004', NULL, 'a NULL principal');
SELECT throws_ok($$SELECT multitenant.add_member('dan', 'god')$$, '22023', NULL, 'an unknown role');
SELECT throws_ok($$SELECT multitenant.add_member('dan', 'member', 'lc-b')$$, '42501', NULL, 'another tenant than the current one');
SELECT throws_ok($$SELECT multitenant.add_member('dan', 'member', 'lc-nowhere')$$, '42704', NULL, 'an unknown tenant');
SELECT throws_ok($$SELECT multitenant.push('principal', 'ann', 'principal.verified', NULL)$$, '42501', NULL,
                 'an application cannot push principal events around the functions');
SELECT throws_ok($$SELECT multitenant.push('tenant', 'lc-a', 'tenant.member.role.changed', '{"principalId": "cat", "role": "owner"}')$$, '42501', NULL,
                 '... nor membership events');

SELECT pg_temp.as_actor('mt_lc_app', 'lc-a', 'ben');
SELECT lives_ok($$SELECT multitenant.add_member('dan', 'member')$$, 'an admin adds a member');
SELECT throws_ok($$SELECT multitenant.add_member('eve', 'admin')$$, '42501', NULL, 'an admin does not add admins');
SELECT throws_ok($$SELECT multitenant.change_member_role('dan', 'owner')$$, '42501', NULL, 'an admin does not grant owner');
SELECT throws_ok($$SELECT multitenant.change_member_role('ann', 'member')$$, '42501', NULL, 'an admin does not demote an owner');
SELECT throws_ok($$SELECT multitenant.change_member_role('ben', 'owner')$$, '42501', NULL, 'nobody raises their own role');
SELECT results_eq($$SELECT role FROM multitenant.change_member_role('dan', 'viewer')$$, $$VALUES ('viewer')$$, 'an admin changes a member to viewer');
SELECT throws_ok($$SELECT multitenant.remove_member('ann')$$, '42501', NULL, 'an admin does not remove an owner');

SELECT pg_temp.as_actor('mt_lc_app', 'lc-a', 'dan');
SELECT throws_ok($$SELECT multitenant.add_member('eve')$$, '42501', NULL, 'a viewer adds nobody');
SELECT throws_ok($$SELECT multitenant.change_member_role('dan', 'member')$$, '42501', NULL, 'a viewer cannot raise itself');
SELECT pg_temp.as_actor('mt_lc_app', 'lc-a', NULL);
SELECT throws_ok($$SELECT multitenant.add_member('eve')$$, '42501', NULL, 'without an acting principal nothing is managed');
SELECT pg_temp.as_actor('mt_lc_app', 'lc-a', 'eve');
SELECT throws_ok($$SELECT multitenant.add_member('eve')$$, '42501', NULL, 'a principal that is no member manages nothing');

-- The invariant.
SELECT pg_temp.as_actor('mt_lc_app', 'lc-a', 'ann');
SELECT throws_ok($$SELECT multitenant.remove_member('ann')$$, '23514', 'tenant "lc-a" must keep at least one verified owner and at least one verified user or active client',
                 'the last verified owner cannot leave');
SELECT throws_ok($$SELECT multitenant.change_member_role('ann', 'admin')$$, '23514', NULL, '... nor demote herself');
SELECT pg_temp.as_actor('mt_lc_app', NULL, 'ann');
SELECT throws_ok($$SELECT multitenant.set_principal_status('ann', 'inactive')$$, '23514', NULL, '... nor deactivate herself');
SELECT throws_ok($$SELECT multitenant.update_principal('ann', email => 'ann@new.example.com')$$, '23514', NULL, '... nor change to an unverified address');
SELECT results_eq($$SELECT email, verified, status FROM multitenant.principals WHERE id = 'ann'$$, $$VALUES ('ann@example.com', true, 'active')$$,
                  'ann is as she was');
SELECT pg_temp.as_actor('mt_lc_app', 'lc-a', 'ann');
SELECT lives_ok($$SELECT multitenant.change_member_role('ben', 'owner')$$, 'the owner makes ben an owner');
SELECT results_eq($$SELECT role FROM multitenant.change_member_role('ann', 'admin')$$, $$VALUES ('admin')$$, 'now ann may step down');
SELECT pg_temp.as_actor('mt_lc_app', 'lc-a', 'ben');
SELECT throws_ok($$SELECT multitenant.suspend_member('ben')$$, '42501', NULL, 'nobody suspends themselves');
SELECT results_eq($$SELECT status FROM multitenant.suspend_member('ann', 'holiday')$$, $$VALUES ('suspended')$$, 'an owner suspends an admin');
SELECT throws_ok($$SELECT multitenant.suspend_member('ann')$$, '55000', NULL, 'twice is refused');
SELECT pg_temp.as_actor('mt_lc_app', 'lc-a', 'ann');
SELECT throws_ok($$SELECT multitenant.add_member('eve')$$, '42501', NULL, 'a suspended admin manages nothing');
SELECT pg_temp.as_actor('mt_lc_app', 'lc-a', 'ben');
SELECT results_eq($$SELECT status FROM multitenant.reactivate_member('ann')$$, $$VALUES ('active')$$, 'reactivated');
SELECT throws_ok($$SELECT multitenant.reactivate_member('ann')$$, '55000', NULL, 'reactivating an active member is refused');
SELECT throws_ok($$SELECT multitenant.remove_member('nobody')$$, '42704', 'principal "nobody" is not a member of tenant "lc-a"', 'removing a non-member');
SELECT pg_temp.as_actor('mt_lc_app', 'lc-a', 'cat');
SELECT lives_ok($$SELECT multitenant.remove_member('cat', 'moving on')$$, 'a viewer leaves');
SELECT pg_temp.as_actor('mt_lc_app', 'lc-a', 'ben');
SELECT lives_ok($$SELECT multitenant.add_member('cat', 'viewer')$$, 'and is added again');

------------------------------------------------------------------------------
-- Custom roles and has_role
------------------------------------------------------------------------------
SELECT results_eq($$SELECT name, description FROM multitenant.create_custom_role('billing', 'Sees invoices')$$, $$VALUES ('billing', 'Sees invoices')$$, 'an owner creates a custom role');
SELECT throws_ok($$SELECT multitenant.create_custom_role('billing')$$, '23505', NULL, 'a duplicate custom role');
SELECT throws_ok($$SELECT multitenant.create_custom_role('admin')$$, '22023', NULL, 'a membership role name is not a custom role');
SELECT throws_ok($$SELECT multitenant.create_custom_role('bad name')$$, '22023', NULL, 'a malformed custom role name');
SELECT throws_ok($$SELECT multitenant.create_custom_role(NULL)$$, '22004', NULL, 'a NULL custom role name');
SELECT lives_ok($$SELECT multitenant.grant_custom_role('bot', 'billing')$$, 'granted to the client');
SELECT lives_ok($$SELECT multitenant.grant_custom_role('bot', 'billing')$$, 'granting again changes nothing');
SELECT throws_ok($$SELECT multitenant.grant_custom_role('ben', 'billing')$$, '42501', NULL, 'nobody grants themselves a custom role');
SELECT throws_ok($$SELECT multitenant.grant_custom_role('bot', 'nosuch')$$, '42704', NULL, 'an unknown custom role');
SELECT throws_ok($$SELECT multitenant.grant_custom_role('eve', 'billing')$$, '42704', NULL, 'a non-member gets no custom role');
SELECT results_eq($$SELECT multitenant.has_role('bot', 'billing'), multitenant.has_role('bot', 'member'), multitenant.has_role('bot', 'admin'),
                           multitenant.has_role('ben', 'viewer'), multitenant.has_role('cat', 'member'), multitenant.has_role('eve', 'viewer')$$,
                  $$VALUES (true, true, false, true, false, false)$$,
                  'has_role answers for custom roles and for memberships, a higher role including the lower ones');
SELECT lives_ok($$SELECT multitenant.revoke_custom_role('bot', 'billing')$$, 'revoked');
SELECT is(multitenant.has_role('bot', 'billing'), false, 'has_role follows');
SELECT lives_ok($$SELECT multitenant.grant_custom_role('bot', 'billing')$$, 'granted again');
SELECT lives_ok($$SELECT multitenant.drop_custom_role('billing')$$, 'dropping the role');
SELECT is((SELECT count(*) FROM multitenant.principal_custom_roles), 0::bigint, '... drops its grants');

------------------------------------------------------------------------------
-- What an application sees
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_lc_app', 'lc-a', 'cat');
SELECT results_eq($$SELECT id FROM multitenant.principals ORDER BY id$$, $$VALUES ('ann'), ('ben'), ('bot'), ('cat'), ('dan')$$,
                  'the members of the current tenant, nobody else');
SELECT results_eq($$SELECT DISTINCT instance_id FROM multitenant.memberships$$, $$VALUES ('lc-a')$$, 'memberships of the current tenant only');
SELECT is((SELECT count(*)::int FROM multitenant.audit_log), 0, 'a viewer reads none of the tenant''s audit log');
SELECT pg_temp.as_actor('mt_lc_app', 'lc-a', 'ben');
SELECT ok((SELECT count(*) > 10 AND bool_and(instance_id = 'lc-a') FROM multitenant.audit_log), 'an owner reads the tenant''s audit log, and only it');
SELECT throws_ok($$DELETE FROM multitenant.audit_log$$, '42501', NULL, '... but cannot change it');
SELECT pg_temp.as_actor('mt_lc_app', NULL, 'eve');
SELECT results_eq($$SELECT id FROM multitenant.principals$$, $$VALUES ('eve')$$, 'without a tenant: the acting principal only');
SELECT is((SELECT count(*) FROM multitenant.memberships), 0::bigint, 'and no membership');
SELECT throws_ok($$INSERT INTO multitenant.memberships VALUES ('lc-a', 'eve', 'owner', 'active', NULL, NULL, NULL, NULL, now(), now())$$, '42501', NULL,
                 'memberships cannot be written directly');

------------------------------------------------------------------------------
-- Events, audit and rebuild
------------------------------------------------------------------------------
RESET ROLE;
SELECT results_eq($$SELECT DISTINCT event_type FROM multitenant.events WHERE instance_id = 'lc-a' AND aggregate_type = 'tenant' ORDER BY 1$$,
                  $$VALUES ('tenant.added'), ('tenant.custom_role.added'), ('tenant.custom_role.removed'), ('tenant.member.added'), ('tenant.member.custom_role.granted'),
                           ('tenant.member.custom_role.revoked'), ('tenant.member.reactivated'), ('tenant.member.removed'), ('tenant.member.role.changed'), ('tenant.member.suspended')$$,
                  'every change is an event of the tenant');
SELECT results_eq($$SELECT creator FROM multitenant.events WHERE instance_id = 'lc-a' AND event_type = 'tenant.member.suspended'$$, $$VALUES ('ben')$$,
                  'the acting principal is the creator');
SELECT results_eq($$SELECT actor, action, target_table, target_key, before->>'status', after->>'status', reason FROM multitenant.audit_log
                     WHERE instance_id = 'lc-a' AND action = 'tenant.member.suspended'$$,
                  $$VALUES ('ben', 'tenant.member.suspended', 'multitenant.memberships', '{"instance_id": "lc-a", "principal_id": "ann"}'::jsonb, 'active', 'suspended', 'holiday')$$,
                  'and an audit entry with actor, images and reason');
SELECT ok((SELECT count(*) FROM multitenant.audit_log WHERE instance_id = 'lc-a') >= 15, 'every change of lc-a is in the audit log');
CREATE TEMP TABLE inline_rows AS
SELECT 'm' AS t, m::text AS r FROM multitenant.memberships AS m
UNION ALL SELECT 'p', p::text FROM multitenant.principals AS p
UNION ALL SELECT 'c', c::text FROM multitenant.custom_roles AS c
UNION ALL SELECT 'g', g::text FROM multitenant.principal_custom_roles AS g;
SELECT lives_ok($$SELECT multitenant.rebuild_many(ARRAY['multitenant.principals', 'multitenant.memberships', 'multitenant.custom_roles', 'multitenant.principal_custom_roles']::regclass[])$$,
                'rebuild the lifecycle projections');
SELECT set_eq($$SELECT 'm', m::text FROM multitenant.memberships AS m
                UNION ALL SELECT 'p', p::text FROM multitenant.principals AS p
                UNION ALL SELECT 'c', c::text FROM multitenant.custom_roles AS c
                UNION ALL SELECT 'g', g::text FROM multitenant.principal_custom_roles AS g$$,
              $$SELECT t, r FROM inline_rows$$, 'rebuild gives the rows inline reduction gave');

SELECT * FROM finish();
ROLLBACK;
