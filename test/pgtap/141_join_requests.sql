-- Join requests: request_join, approve_join_request, reject_join_request and
-- expire_join_requests with their events, refusals and rank rules; expiry
-- (a request just before and at its expires_at, multitenant.unverified_ttl);
-- who of the application sees which request; the audit entries; rebuild
-- equals inline reduction.  The same as a real login role, and an approval
-- racing a rejection, are test/sql/requests_invitations.sql and
-- test/sql/concurrent_invitations.sql; the sweep under pg_cron is
-- test/deploy/pg_cron.sh.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(81);

CREATE ROLE mt_jr_app NOLOGIN;
GRANT multitenant_app TO mt_jr_app;
CREATE ROLE mt_jr_admin NOLOGIN;
GRANT multitenant_admin TO mt_jr_admin;

\ir ../fixtures/pgtap_tenant_calls.sql
-- A request pushed as the operator, with a chosen expiry.
CREATE FUNCTION pg_temp.pushed_request(tenant text, request_id text, principal_id text, expires_at timestamptz) RETURNS void
LANGUAGE sql AS $$
	SELECT FROM multitenant.push('tenant', tenant, 'tenant.request.added',
	                             jsonb_build_object('requestId', request_id, 'principalId', principal_id, 'expiresAt', expires_at),
	                             instance_id => tenant)
$$;

-- Two tenants; an owner, an admin and a member in jr-a; the principals who ask.
DO $$
BEGIN
	PERFORM multitenant.create_tenant('jr-a', 'Tenant A');
	PERFORM multitenant.create_tenant('jr-b', 'Tenant B');
	PERFORM multitenant.create_tenant('jr-s', 'Suspended');
	PERFORM multitenant.set_tenant_status('jr-s', 'suspended');
	PERFORM multitenant.create_principal('user', p || '@example.com', initcap(p), id => p)
	   FROM unnest(ARRAY['olga', 'adam', 'mia', 'rob', 'ria', 'sam', 'pat', 'quinn', 'zoe', 'ivan', 'vic']) AS p;
	PERFORM multitenant.set_principal_status('ivan', 'inactive');
	PERFORM multitenant.add_member('olga', 'owner', 'jr-a');
	PERFORM multitenant.add_member('adam', 'admin', 'jr-a');
	PERFORM multitenant.add_member('mia', 'member', 'jr-a');
	PERFORM multitenant.add_member('olga', 'owner', 'jr-b');
	PERFORM multitenant.create_custom_role('auditor', 'Reads the books', 'jr-a');
END $$;

------------------------------------------------------------------------------
-- request_join
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_jr_app', NULL, 'rob');
SELECT results_eq($$SELECT instance_id, principal_id, message, status, role, custom_roles, decided_by, expires_at - created_at, created_at = changed_at
                      FROM multitenant.request_join('jr-a', 'Let me in')$$,
                  $$VALUES ('jr-a', 'rob', 'Let me in', 'pending', NULL::text, '{}'::text[], NULL::text, interval '72 hours', true)$$,
                  'request_join from outside any tenant makes a pending request that expires after multitenant.unverified_ttl');
SELECT ok((SELECT id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$' FROM multitenant.request_join('jr-a')), 'its id is a UUID');
RESET ROLE;
SELECT results_eq($$SELECT e.aggregate_type, e.aggregate_id, e.event_type, e.payload
                      FROM multitenant.events AS e WHERE e.instance_id = 'jr-a' AND e.event_type LIKE 'tenant.request.%'$$,
                  $$SELECT 'tenant', 'jr-a', 'tenant.request.added',
                           jsonb_build_object('requestId', r.id, 'principalId', 'rob', 'message', 'Let me in', 'expiresAt', r.expires_at)
                      FROM multitenant.join_requests AS r WHERE r.principal_id = 'rob'$$,
                  'one tenant.request.added event on the tenant''s aggregate; the second call pushed nothing');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'ria');
SELECT is((multitenant.request_join('jr-a', NULL)).principal_id, 'ria', 'request_join inside the tenant itself');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-b', 'sam');
SELECT throws_ok($$SELECT multitenant.request_join('jr-a')$$, '42501', NULL, 'not from inside another tenant');
SELECT pg_temp.as_actor('mt_jr_app', NULL, NULL);
SELECT throws_ok($$SELECT multitenant.request_join('jr-a')$$, '42501',
                 'permission denied for function multitenant.request_join: no acting principal', 'not without an acting principal');
SELECT pg_temp.as_actor('mt_jr_app', NULL, 'sam');
SELECT throws_ok($$SELECT multitenant.request_join(NULL)$$, '22004', NULL, 'a NULL tenant');
SELECT throws_ok($$SELECT multitenant.request_join('jr-a', repeat('x', 1001))$$, '22023', NULL, 'a message over 1000 characters');
SELECT lives_ok($$SELECT multitenant.request_join('jr-b', repeat('x', 1000))$$, 'a message of 1000 characters');
SELECT throws_ok($$SELECT multitenant.request_join('jr-nowhere')$$, '42704', 'tenant "jr-nowhere" does not exist', 'an unknown tenant');
SELECT throws_ok($$SELECT multitenant.request_join('system')$$, '55000', NULL, 'the system tenant');
SELECT throws_ok($$SELECT multitenant.request_join('jr-s')$$, '55000', 'tenant "jr-s" is suspended and takes no join requests', 'a suspended tenant');
SELECT pg_temp.as_actor('mt_jr_app', NULL, 'mia');
SELECT throws_ok($$SELECT multitenant.request_join('jr-a')$$, '23505', 'principal "mia" is already a member of tenant "jr-a"', 'a member');
SELECT pg_temp.as_actor('mt_jr_app', NULL, 'ivan');
SELECT throws_ok($$SELECT multitenant.request_join('jr-a')$$, '42501', NULL, 'an inactive principal');
SELECT pg_temp.as_actor('mt_jr_app', NULL, 'ghost');
SELECT throws_ok($$SELECT multitenant.request_join('jr-a')$$, '42501', NULL, 'an actor that is no principal');
SELECT pg_temp.as_actor('mt_jr_app', NULL, 'sam');
SELECT throws_ok($$SET multitenant.unverified_ttl = '1h'$$, '42501', NULL, 'the application cannot change multitenant.unverified_ttl');
RESET ROLE;
SELECT throws_ok($$SET LOCAL multitenant.unverified_ttl = 0$$, '22023', NULL, 'multitenant.unverified_ttl must be positive');
SET LOCAL multitenant.unverified_ttl = '90min';
SELECT pg_temp.as_actor('mt_jr_app', NULL, 'sam');
SELECT is((SELECT expires_at - created_at FROM multitenant.request_join('jr-a')), interval '90 minutes',
          'the time to live in force when the request is made fixes expires_at');
RESET ROLE;
RESET multitenant.unverified_ttl;
SELECT is((SELECT count(*)::int FROM multitenant.join_requests WHERE status = 'pending' AND instance_id = 'jr-a'), 3, 'rob, ria and sam wait in jr-a');

------------------------------------------------------------------------------
-- Who sees which request
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'rob');
SELECT results_eq($$SELECT principal_id FROM multitenant.join_requests$$, $$VALUES ('rob')$$, 'a requester sees their own request only');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'mia');
SELECT is_empty($$SELECT * FROM multitenant.join_requests$$, 'a member sees none');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', NULL);
SELECT is_empty($$SELECT * FROM multitenant.join_requests$$, 'without an acting principal none');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'adam');
SELECT results_eq($$SELECT principal_id FROM multitenant.join_requests ORDER BY 1$$, $$VALUES ('ria'), ('rob'), ('sam')$$,
                  'an admin sees the tenant''s requests');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-b', 'olga');
SELECT results_eq($$SELECT instance_id, principal_id FROM multitenant.join_requests$$, $$VALUES ('jr-b', 'sam')$$,
                  'an owner of another tenant sees that tenant''s only');
SELECT pg_temp.as_actor('mt_jr_app', NULL, 'rob');
SELECT is_empty($$SELECT * FROM multitenant.join_requests$$, 'outside any tenant the requester sees nothing');

------------------------------------------------------------------------------
-- approve_join_request
------------------------------------------------------------------------------
RESET ROLE;
SELECT id AS rob_request FROM multitenant.join_requests WHERE principal_id = 'rob' \gset
SELECT id AS ria_request FROM multitenant.join_requests WHERE principal_id = 'ria' \gset
SELECT id AS sam_request FROM multitenant.join_requests WHERE principal_id = 'sam' AND instance_id = 'jr-a' \gset

SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'mia');
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L)', :'rob_request'), '42501', NULL, 'a member cannot approve');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', NULL);
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L)', :'rob_request'), '42501', NULL, 'nor can nobody');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-b', 'olga');
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L, tenant => %L)', :'rob_request', 'jr-a'), '42501', NULL,
                 'an owner of another tenant cannot approve (tenant is not the current one)');
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L)', :'rob_request'), '42704', NULL, 'nor find the request in her own');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'adam');
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L, %L)', :'rob_request', 'admin'), '42501', NULL, 'an admin cannot approve as admin');
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L, %L)', :'rob_request', 'owner'), '42501', NULL, '... nor as owner');
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L, %L)', :'rob_request', 'boss'), '22023', NULL, 'an unknown role');
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L, NULL)', :'rob_request'), '22004', NULL, 'a NULL role');
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L, custom_roles => NULL)', :'rob_request'), '22004', NULL, 'NULL custom roles');
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L, custom_roles => ARRAY[NULL])', :'rob_request'), '22004', NULL, 'a NULL custom role');
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L, custom_roles => ARRAY[%L])', :'rob_request', 'pilot'), '42704',
                 'custom role "pilot" does not exist in tenant "jr-a"', 'an unknown custom role');
SELECT throws_ok($$SELECT multitenant.approve_join_request(NULL)$$, '22004', NULL, 'a NULL request id');
SELECT throws_ok($$SELECT multitenant.approve_join_request('no-such-request')$$, '42704',
                 'join request "no-such-request" does not exist in tenant "jr-a"', 'an unknown request');
SELECT is((SELECT count(*)::int FROM multitenant.events WHERE instance_id = 'jr-a' AND event_type IN ('tenant.request.approved', 'tenant.member.added')), 3,
          'the refusals pushed nothing (the three members added at set-up)');

SELECT results_eq(format('SELECT instance_id, principal_id, role, status, invited_by, accepted_at > invited_at FROM multitenant.approve_join_request(%L, %L, ARRAY[%L, %L])',
                         :'rob_request', 'member', 'auditor', 'auditor'),
                  $$VALUES ('jr-a', 'rob', 'member', 'active', 'adam', true)$$,
                  'an admin approves as member: the requester becomes an active member, invited by the approver');
SELECT results_eq(format('SELECT status, role, custom_roles, decided_by, decided_at = changed_at FROM multitenant.join_requests WHERE id = %L', :'rob_request'),
                  $$VALUES ('approved', 'member', '{auditor}'::text[], 'adam', true)$$, 'the request is approved, with what it granted');
RESET ROLE;
SELECT results_eq($$SELECT event_type, payload - 'requestId' - 'acceptedAt' - 'invitedAt' FROM multitenant.events
                     WHERE instance_id = 'jr-a' AND position > (SELECT max(position) FROM multitenant.events WHERE event_type = 'tenant.request.added' AND instance_id = 'jr-a')
                     ORDER BY position$$,
                  $$VALUES ('tenant.request.approved', '{"role": "member", "customRoles": ["auditor"], "decidedBy": "adam"}'::jsonb),
                           ('tenant.member.added', '{"principalId": "rob", "role": "member", "status": "active", "invitedBy": "adam"}'::jsonb),
                           ('tenant.member.custom_role.granted', '{"principalId": "rob", "role": "auditor", "grantedBy": "adam"}'::jsonb)$$,
                  'tenant.request.approved, then tenant.member.added, then the custom role granted');
SELECT results_eq(format($$SELECT (payload ->> 'invitedAt')::timestamptz = r.created_at, (payload ->> 'acceptedAt')::timestamptz > r.created_at
                             FROM multitenant.events, multitenant.join_requests AS r
                            WHERE event_type = 'tenant.member.added' AND payload ->> 'principalId' = 'rob' AND r.id = %L$$, :'rob_request'),
                  $$VALUES (true, true)$$, 'invitedAt is when the request was made, acceptedAt later');
SELECT ok(EXISTS (SELECT FROM multitenant.principal_custom_roles WHERE instance_id = 'jr-a' AND principal_id = 'rob' AND role_name = 'auditor' AND granted_by = 'adam'),
          'rob holds the custom role');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'adam');
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L)', :'rob_request'), '55000',
                 format('join request "%s" of tenant "jr-a" is approved, not pending', :'rob_request'), 'an approved request cannot be approved again');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'olga');
SELECT is((multitenant.approve_join_request(:'ria_request', 'admin')).role, 'admin', 'an owner approves as admin');
-- Sam asked before an operator made him an admin: he cannot approve himself.
RESET ROLE;
SELECT lives_ok($$SELECT multitenant.add_member('sam', 'admin', 'jr-a')$$, 'an operator makes sam an admin');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'sam');
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L)', :'sam_request'), '42501', NULL, 'nobody approves their own request');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'olga');
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L)', :'sam_request'), '23505', 'principal "sam" is already a member of tenant "jr-a"',
                 'a request of someone who became a member meanwhile cannot be approved');

-- Expiry: just before expires_at a request is approved, at it no longer.
RESET ROLE;
SELECT pg_temp.pushed_request('jr-a', 'req-pat', 'pat', now() + interval '1 millisecond');
SELECT pg_temp.pushed_request('jr-a', 'req-quinn', 'quinn', now());
SELECT pg_temp.pushed_request('jr-a', 'req-vic', 'vic', now() - interval '1 day');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'adam');
SELECT is((multitenant.approve_join_request('req-pat')).principal_id, 'pat', 'a request whose expires_at is still ahead is approved');
SELECT throws_ok($$SELECT multitenant.approve_join_request('req-quinn')$$, '55000',
                 format('join request "req-quinn" of tenant "jr-a" expired at %s', now()), 'a request at its expires_at is not, though nothing marked it expired');
SELECT throws_ok($$SELECT multitenant.reject_join_request('req-quinn')$$, '55000', NULL, '... nor rejected');
SELECT is((SELECT status FROM multitenant.join_requests WHERE id = 'req-quinn'), 'pending', '... and stays pending until the sweep');

------------------------------------------------------------------------------
-- reject_join_request
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_jr_app', NULL, 'zoe');
SELECT id AS zoe_request FROM multitenant.request_join('jr-a', 'Hi') \gset
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'mia');
SELECT throws_ok(format('SELECT multitenant.reject_join_request(%L)', :'zoe_request'), '42501', NULL, 'a member cannot reject');
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'adam');
SELECT throws_ok($$SELECT multitenant.reject_join_request(NULL)$$, '22004', NULL, 'a NULL request id');
SELECT throws_ok($$SELECT multitenant.reject_join_request('no-such-request')$$, '42704', NULL, 'an unknown request');
SELECT results_eq(format('SELECT status, reason, decided_by, role FROM multitenant.reject_join_request(%L, %L)', :'zoe_request', 'not now'),
                  $$VALUES ('rejected', 'not now', 'adam', NULL::text)$$, 'an admin rejects, with a reason');
SELECT throws_ok(format('SELECT multitenant.reject_join_request(%L)', :'zoe_request'), '55000', NULL, 'a rejected request cannot be rejected again');
SELECT throws_ok(format('SELECT multitenant.approve_join_request(%L)', :'zoe_request'), '55000', NULL, '... nor approved');
SELECT ok(NOT EXISTS (SELECT FROM multitenant.memberships WHERE principal_id = 'zoe'), 'zoe is no member');
RESET ROLE;
SELECT is((SELECT payload - 'requestId' FROM multitenant.events WHERE event_type = 'tenant.request.rejected'),
          '{"reason": "not now", "decidedBy": "adam"}'::jsonb, 'tenant.request.rejected carries the reason and who decided');
SELECT pg_temp.as_actor('mt_jr_app', NULL, 'zoe');
SELECT isnt((multitenant.request_join('jr-a')).id, :'zoe_request', 'after a rejection the principal may ask again');

------------------------------------------------------------------------------
-- expire_join_requests
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'olga');
SELECT throws_ok($$SELECT multitenant.expire_join_requests()$$, '42501', NULL, 'the application cannot sweep');
RESET ROLE;
-- An overdue request in a tenant the registry does not hold is left alone.
SELECT pg_temp.pushed_request('jr-gone', 'req-gone', 'rob', '2020-01-01 00:00:00+00');
SELECT pg_temp.pushed_request('jr-b', 'req-b-old', 'rob', now() - interval '1 hour');
SET LOCAL ROLE mt_jr_admin;
SELECT is(multitenant.expire_join_requests(), 3, 'an administrator sweeps: three overdue requests in two tenants');
RESET ROLE;
SELECT results_eq($$SELECT instance_id, id, status FROM multitenant.join_requests WHERE id IN ('req-quinn', 'req-vic', 'req-b-old', 'req-gone') ORDER BY 1, 2$$,
                  $$VALUES ('jr-a', 'req-quinn', 'expired'), ('jr-a', 'req-vic', 'expired'), ('jr-b', 'req-b-old', 'expired'), ('jr-gone', 'req-gone', 'pending')$$,
                  'they are expired; the unregistered tenant''s request is not touched');
SELECT results_eq($$SELECT instance_id, aggregate_id, payload FROM multitenant.events WHERE event_type = 'tenant.request.expired' ORDER BY position$$,
                  $$VALUES ('jr-a', 'jr-a', '{"requestId": "req-vic"}'::jsonb), ('jr-a', 'jr-a', '{"requestId": "req-quinn"}'::jsonb),
                           ('jr-b', 'jr-b', '{"requestId": "req-b-old"}'::jsonb)$$,
                  'one tenant.request.expired per request, on its tenant''s aggregate, the most overdue first');
SELECT is(multitenant.expire_join_requests(), 0, 'a second sweep finds nothing');
SELECT ok((SELECT count(*) = 1 FROM multitenant.join_requests WHERE status = 'pending' AND principal_id = 'zoe'), 'a request not yet due stays pending');
-- A principal whose pending request is overdue (not swept yet) asks again:
-- the old one expires and a new one is made.
SELECT pg_temp.pushed_request('jr-b', 'req-vic-b', 'vic', now() - interval '1 second');
SELECT pg_temp.as_actor('mt_jr_app', NULL, 'vic');
SELECT isnt((multitenant.request_join('jr-b')).id, 'req-vic-b', 'asking with an overdue pending request makes a new one');
RESET ROLE;
SELECT is((SELECT status FROM multitenant.join_requests WHERE id = 'req-vic-b'), 'expired', '... and expires the old one');

------------------------------------------------------------------------------
-- Audit log, rebuild, removal
------------------------------------------------------------------------------
SELECT results_eq(format($$SELECT actor, target_key, before ->> 'status', after ->> 'status' FROM multitenant.audit_log
                            WHERE action = 'tenant.request.approved' AND target_key ->> 'id' = %L$$, :'rob_request'),
                  format($$VALUES ('adam', jsonb_build_object('instance_id', 'jr-a', 'id', %L), 'pending', 'approved')$$, :'rob_request'),
                  'the approval is in the audit log, with both images');
SELECT ok((SELECT count(*) >= 1 FROM multitenant.audit_log WHERE action = 'tenant.member.added' AND target_key ->> 'principal_id' = 'rob' AND actor = 'adam'),
          '... and the membership it made');
SELECT results_eq($$SELECT actor, after ->> 'principal_id', after ->> 'message' FROM multitenant.audit_log
                     WHERE action = 'tenant.request.added' AND instance_id = 'jr-a' AND after ->> 'principal_id' = 'rob'$$,
                  $$VALUES ('rob', 'rob', 'Let me in')$$, 'the request is in the audit log, once');
SELECT is((SELECT count(*)::int FROM multitenant.audit_log WHERE action = 'tenant.request.expired'), 4, 'every expiry is (three by the sweep, one by request_join)');
SELECT ok((SELECT count(*) = 1 FROM multitenant.audit_log WHERE action = 'tenant.request.rejected' AND reason = 'not now'), 'the rejection is, with its reason');

CREATE TEMP TABLE inline_rows AS SELECT * FROM multitenant.join_requests;
SELECT ok(multitenant.rebuild('multitenant.join_requests') > 0, 'rebuild of join_requests');
SELECT set_eq($$SELECT * FROM multitenant.join_requests$$, $$SELECT * FROM inline_rows$$, 'rebuild gives the rows inline reduction gave');
SELECT lives_ok($$SELECT multitenant.push('instance', 'jr-b', 'instance.removed', NULL, instance_id => 'jr-b')$$, 'jr-b is removed');
SELECT is((SELECT count(*)::int FROM multitenant.join_requests WHERE instance_id = 'jr-b'), 0, 'instance.removed deletes the tenant''s requests');
SELECT ok((SELECT count(*) > 0 FROM multitenant.join_requests WHERE instance_id = 'jr-a'), '... and no other tenant''s');

-- The application cannot push request events around the functions.
SELECT pg_temp.as_actor('mt_jr_app', 'jr-a', 'olga');
SELECT throws_ok($$SELECT multitenant.push('tenant', 'jr-a', 'tenant.request.approved', '{"requestId": "req-x"}')$$, '42501', NULL,
                 'an application cannot push request events');

SELECT * FROM finish();
ROLLBACK;
