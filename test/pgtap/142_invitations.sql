-- Invitations: invite, accept_invitation and revoke_invitation with their
-- events, refusals and rank rules; the token (returned once, only its hash
-- stored, never in an event or the audit log); every token that does not
-- admit its bearer failing alike; who of the application sees invitations
-- and that it never reads a hash; rebuild equals inline reduction.  As a
-- real login role, with the audit log's reasons for the uniform failures:
-- test/sql/requests_invitations.sql; concurrent acceptances of one token:
-- test/sql/concurrent_invitations.sql.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(88);

CREATE ROLE mt_iv_app NOLOGIN;
GRANT multitenant_app TO mt_iv_app;

\ir ../fixtures/pgtap_tenant_calls.sql
-- The tokens the tests got, by name (tokens are kept here only, as an
-- application would hand them to the invited person).
CREATE TEMP TABLE tokens (name text PRIMARY KEY, invitation_id text, token text);
GRANT ALL ON tokens TO mt_iv_app;
CREATE FUNCTION pg_temp.keep(name text, invitation_id text, token text) RETURNS text LANGUAGE sql AS $$
	INSERT INTO pg_temp.tokens VALUES (name, invitation_id, token) RETURNING token
$$;
GRANT EXECUTE ON FUNCTION pg_temp.keep(text, text, text) TO mt_iv_app;
CREATE FUNCTION pg_temp.tok(name text) RETURNS text LANGUAGE sql AS $$ SELECT token FROM pg_temp.tokens WHERE tokens.name = tok.name $$;
GRANT EXECUTE ON FUNCTION pg_temp.tok(text) TO mt_iv_app;

DO $$
BEGIN
	PERFORM multitenant.create_tenant('iv-a', 'Tenant A');
	PERFORM multitenant.create_tenant('iv-b', 'Tenant B');
	PERFORM multitenant.create_principal('user', p || '@example.com', initcap(p), id => p)
	   FROM unnest(ARRAY['olga', 'adam', 'mia', 'nina', 'otto', 'pia', 'rex', 'sue', 'tim', 'uma', 'val', 'ivan']) AS p;
	PERFORM multitenant.set_principal_status('ivan', 'inactive');
	PERFORM multitenant.add_member('olga', 'owner', 'iv-a');
	PERFORM multitenant.add_member('adam', 'admin', 'iv-a');
	PERFORM multitenant.add_member('mia', 'member', 'iv-a');
	PERFORM multitenant.add_member('olga', 'owner', 'iv-b');
	PERFORM multitenant.create_custom_role('auditor', NULL, 'iv-a');
	PERFORM multitenant.create_custom_role('pilot', NULL, 'iv-a');
END $$;

------------------------------------------------------------------------------
-- invite
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_iv_app', 'iv-a', 'adam');
SELECT ok((SELECT pg_temp.keep('nina', i.invitation_id, i.token) ~ '^mti_[A-Za-z0-9_-]{43}$'
             FROM multitenant.invite('  Nina@Example.COM ', custom_roles => ARRAY['auditor', 'pilot', 'auditor']) AS i),
          'invite returns a token: mti_ and 43 base64url characters (256 random bits)');
SELECT results_eq($$SELECT i.id, i.email, i.role, i.custom_roles, i.invited_by, i.status, i.expires_at - i.created_at, i.accepted_by, i.revoked_by
                      FROM multitenant.invitations AS i$$,
                  $$SELECT invitation_id, 'nina@example.com', 'member', '{auditor,pilot}'::text[], 'adam', 'pending', interval '7 days', NULL::text, NULL::text
                      FROM pg_temp.tokens WHERE name = 'nina'$$,
                  'the invitation: normalised address, member by default, seven days, invited by the admin');
SELECT throws_ok($$SELECT token_hash FROM multitenant.invitations$$, '42501', NULL, 'the application cannot read token hashes');
SELECT throws_ok($$SELECT * FROM multitenant.invitations$$, '42501', NULL, '... not even with *');
RESET ROLE;
SELECT is((SELECT token_hash FROM multitenant.invitations), sha256(convert_to(pg_temp.tok('nina'), 'UTF8')), 'only the token''s SHA-256 is stored');
SELECT results_eq($$SELECT e.aggregate_type, e.aggregate_id, e.event_type, e.payload - 'expiresAt' - 'invitationId' FROM multitenant.events AS e
                     WHERE e.event_type LIKE 'tenant.invitation.%'$$,
                  $$SELECT 'tenant', 'iv-a', 'tenant.invitation.added',
                           jsonb_build_object('email', 'nina@example.com', 'role', 'member', 'customRoles', ARRAY['auditor', 'pilot'],
                                              'tokenHash', encode(sha256(convert_to(pg_temp.tok('nina'), 'UTF8')), 'hex'), 'invitedBy', 'adam')$$,
                  'tenant.invitation.added carries the hash as hex, not the token');

SELECT pg_temp.as_actor('mt_iv_app', 'iv-a', 'adam');
SELECT throws_ok($$SELECT * FROM multitenant.invite('x@example.com', 'admin')$$, '42501', NULL, 'an admin cannot invite an admin');
SELECT throws_ok($$SELECT * FROM multitenant.invite('x@example.com', 'owner')$$, '42501', NULL, '... nor an owner');
SELECT throws_ok($$SELECT * FROM multitenant.invite('x@example.com', 'boss')$$, '22023', NULL, 'an unknown role');
SELECT throws_ok($$SELECT * FROM multitenant.invite('x@example.com', NULL)$$, '22004', NULL, 'a NULL role');
SELECT throws_ok($$SELECT * FROM multitenant.invite(NULL)$$, '22004', NULL, 'a NULL address');
SELECT throws_ok($$SELECT * FROM multitenant.invite('not an address')$$, '22023', 'invalid e-mail address "not an address"', 'a malformed address');
SELECT throws_ok($$SELECT * FROM multitenant.invite('a@b@example.com')$$, '22023', NULL, 'an address with two @');
SELECT throws_ok($$SELECT * FROM multitenant.invite('x@example.com', lifetime => '0')$$, '22023', NULL, 'a lifetime of zero');
SELECT throws_ok($$SELECT * FROM multitenant.invite('x@example.com', lifetime => '-1 day')$$, '22023', NULL, 'a negative lifetime');
SELECT throws_ok($$SELECT * FROM multitenant.invite('x@example.com', lifetime => '30 days 1 second')$$, '22023', NULL, 'a lifetime over 30 days');
SELECT throws_ok($$SELECT * FROM multitenant.invite('x@example.com', lifetime => NULL)$$, '22004', NULL, 'a NULL lifetime');
SELECT throws_ok($$SELECT * FROM multitenant.invite('x@example.com', custom_roles => NULL)$$, '22004', NULL, 'NULL custom roles');
SELECT throws_ok($$SELECT * FROM multitenant.invite('x@example.com', custom_roles => ARRAY['nope'])$$, '42704',
                 'custom role "nope" does not exist in tenant "iv-a"', 'an unknown custom role');
SELECT throws_ok($$SELECT * FROM multitenant.invite('MIA@example.com', 'viewer')$$, '23505',
                 'e-mail address "mia@example.com" already belongs to a member of tenant "iv-a"', 'a member''s address, in any case');
SELECT is((SELECT role FROM multitenant.memberships WHERE principal_id = 'mia'), 'member', '... and the member keeps her role');
SELECT throws_ok($$SELECT * FROM multitenant.invite('x@example.com', tenant => 'iv-b')$$, '42501', NULL, 'not into another tenant than the current one');
SELECT pg_temp.as_actor('mt_iv_app', 'iv-a', 'mia');
SELECT throws_ok($$SELECT * FROM multitenant.invite('x@example.com')$$, '42501', NULL, 'a member cannot invite');
SELECT pg_temp.as_actor('mt_iv_app', 'iv-a', NULL);
SELECT throws_ok($$SELECT * FROM multitenant.invite('x@example.com')$$, '42501', NULL, 'nor can nobody');
SELECT pg_temp.as_actor('mt_iv_app', NULL, 'adam');
SELECT throws_ok($$SELECT * FROM multitenant.invite('x@example.com')$$, '22004', NULL, 'outside a tenant, no tenant');
SELECT pg_temp.as_actor('mt_iv_app', 'iv-a', 'adam');
SELECT lives_ok($$SELECT pg_temp.keep('otto', i.invitation_id, i.token) FROM multitenant.invite('otto@example.com', 'viewer', '30 days') AS i$$,
                'a lifetime of exactly 30 days');
SELECT lives_ok($$SELECT pg_temp.keep('pia', i.invitation_id, i.token) FROM multitenant.invite('pia@example.com', lifetime => '1 second') AS i$$,
                'a lifetime of one second');
SELECT lives_ok($$SELECT pg_temp.keep('rex', i.invitation_id, i.token) FROM multitenant.invite('rex@example.com') AS i$$, 'rex is invited by adam');
SELECT lives_ok($$SELECT pg_temp.keep('sue', i.invitation_id, i.token) FROM multitenant.invite('sue@example.com') AS i$$, 'sue too');
SELECT lives_ok($$SELECT pg_temp.keep('tim', i.invitation_id, i.token) FROM multitenant.invite('tim@example.com') AS i$$, 'tim too');
SELECT pg_temp.as_actor('mt_iv_app', 'iv-a', 'olga');
SELECT lives_ok($$SELECT pg_temp.keep('uma', i.invitation_id, i.token) FROM multitenant.invite('uma@example.com', 'admin') AS i$$, 'an owner invites an admin');
SELECT lives_ok($$SELECT pg_temp.keep('val', i.invitation_id, i.token) FROM multitenant.invite('val@example.com', 'owner') AS i$$, '... and an owner');
SELECT pg_temp.as_actor('mt_iv_app', 'iv-b', 'olga');
SELECT lives_ok($$SELECT pg_temp.keep('nina-b', i.invitation_id, i.token) FROM multitenant.invite('nina@example.com') AS i$$, 'nina is invited to iv-b as well');
RESET ROLE;
SELECT lives_ok($$SELECT pg_temp.keep('op', i.invitation_id, i.token) FROM multitenant.invite('ivan@example.com', tenant => 'iv-a') AS i$$,
                'the operator invites into any tenant');
SELECT is((SELECT invited_by FROM multitenant.invitations WHERE email = 'ivan@example.com'), NULL, '... and is no inviter acceptance re-checks');

------------------------------------------------------------------------------
-- Who sees invitations
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_iv_app', 'iv-a', 'adam');
SELECT is((SELECT count(*)::int FROM (SELECT id, email FROM multitenant.invitations) AS i), 9, 'an admin sees the tenant''s invitations');
SELECT ok((SELECT bool_and(instance_id = 'iv-a') FROM (SELECT instance_id FROM multitenant.invitations) AS i), '... and no other tenant''s');
SELECT pg_temp.as_actor('mt_iv_app', 'iv-a', 'mia');
SELECT is_empty($$SELECT id FROM multitenant.invitations$$, 'a member sees none');
SELECT pg_temp.as_actor('mt_iv_app', 'iv-a', NULL);
SELECT is_empty($$SELECT id FROM multitenant.invitations$$, 'nor does nobody');
SELECT pg_temp.as_actor('mt_iv_app', NULL, 'nina');
SELECT is_empty($$SELECT id FROM multitenant.invitations$$, 'nor the invited person');

------------------------------------------------------------------------------
-- accept_invitation
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_iv_app', NULL, 'nina');
SELECT results_eq($$SELECT instance_id, principal_id, role, status, invited_by, accepted_at > invited_at FROM multitenant.accept_invitation(pg_temp.tok('nina'))$$,
                  $$VALUES ('iv-a', 'nina', 'member', 'active', 'adam', true)$$,
                  'the invited principal accepts from outside any tenant and becomes an active member, invited by the admin');
RESET ROLE;
SELECT results_eq($$SELECT status, accepted_by, accepted_at = changed_at FROM multitenant.invitations WHERE id = (SELECT invitation_id FROM pg_temp.tokens WHERE name = 'nina')$$,
                  $$VALUES ('accepted', 'nina', true)$$, 'the invitation is accepted by her');
SELECT results_eq($$SELECT role_name, granted_by FROM multitenant.principal_custom_roles WHERE principal_id = 'nina' ORDER BY 1$$,
                  $$VALUES ('auditor', 'adam'), ('pilot', 'adam')$$, 'with the custom roles it carried');
SELECT results_eq($$SELECT event_type, payload - 'invitationId' - 'invitedAt' - 'acceptedAt' FROM multitenant.events
                     WHERE instance_id = 'iv-a' AND payload ->> 'principalId' = 'nina' ORDER BY position$$,
                  $$VALUES ('tenant.invitation.accepted', '{"principalId": "nina"}'::jsonb),
                           ('tenant.member.added', '{"principalId": "nina", "role": "member", "status": "active", "invitedBy": "adam"}'::jsonb),
                           ('tenant.member.custom_role.granted', '{"principalId": "nina", "role": "auditor", "grantedBy": "adam"}'::jsonb),
                           ('tenant.member.custom_role.granted', '{"principalId": "nina", "role": "pilot", "grantedBy": "adam"}'::jsonb)$$,
                  'tenant.invitation.accepted, tenant.member.added, the grants');
SELECT pg_temp.as_actor('mt_iv_app', 'iv-a', 'otto');
SELECT is((multitenant.accept_invitation(pg_temp.tok('otto'))).role, 'viewer', 'accepting inside the invitation''s tenant');
SELECT pg_temp.as_actor('mt_iv_app', NULL, 'uma');
SELECT is((multitenant.accept_invitation(pg_temp.tok('uma'))).role, 'admin', 'an owner''s invitation as admin');

-- Every token that does not admit its bearer: one SQLSTATE, one message.
SELECT pg_temp.as_actor('mt_iv_app', NULL, 'nina');
SELECT throws_ok($$SELECT multitenant.accept_invitation('mti_' || repeat('A', 43))$$, '28000', 'invitation token is not valid', 'an unknown token');
SELECT throws_ok($$SELECT multitenant.accept_invitation(pg_temp.tok('nina'))$$, '28000', 'invitation token is not valid', 'a used token');
SELECT pg_temp.as_actor('mt_iv_app', NULL, 'rex');
SELECT throws_ok($$SELECT multitenant.accept_invitation(pg_temp.tok('nina'))$$, '28000', 'invitation token is not valid', 'a token used by someone else');
SELECT throws_ok($$SELECT multitenant.accept_invitation(pg_temp.tok('sue'))$$, '28000', 'invitation token is not valid', 'another principal''s invitation (wrong e-mail)');
SELECT pg_temp.as_actor('mt_iv_app', 'iv-b', 'rex');
SELECT throws_ok($$SELECT multitenant.accept_invitation(pg_temp.tok('rex'))$$, '28000', 'invitation token is not valid', 'a token of another tenant than the current one');
SELECT pg_temp.as_actor('mt_iv_app', NULL, 'ivan');
SELECT throws_ok($$SELECT multitenant.accept_invitation(pg_temp.tok('op'))$$, '28000', 'invitation token is not valid', 'an inactive principal');
RESET ROLE;
SELECT lives_ok($$SELECT multitenant.push('tenant', 'iv-a', 'tenant.invitation.added',
                    jsonb_build_object('invitationId', 'inv-old', 'email', 'pia@example.com', 'role', 'member',
                                       'tokenHash', encode(sha256(convert_to('mti_expired', 'UTF8')), 'hex'), 'expiresAt', now()),
                    instance_id => 'iv-a')$$, 'an invitation expiring now, pushed by the operator');
SELECT pg_temp.as_actor('mt_iv_app', NULL, 'pia');
SELECT throws_ok($$SELECT multitenant.accept_invitation('mti_expired')$$, '28000', 'invitation token is not valid', 'a token at its expires_at');
SELECT is((multitenant.accept_invitation(pg_temp.tok('pia'))).principal_id, 'pia', 'a token just before its expires_at (one second ahead)');
-- The inviter loses the right to give the role.
RESET ROLE;
SELECT lives_ok($$SELECT multitenant.change_member_role('adam', 'member', 'iv-a')$$, 'the operator makes adam a member');
SELECT pg_temp.as_actor('mt_iv_app', NULL, 'rex');
SELECT throws_ok($$SELECT multitenant.accept_invitation(pg_temp.tok('rex'))$$, '28000', 'invitation token is not valid', 'the inviter is no longer an admin');
RESET ROLE;
SELECT lives_ok($$SELECT multitenant.change_member_role('adam', 'admin', 'iv-a')$$, 'adam is an admin again');
SELECT lives_ok($$SELECT multitenant.add_member('tim', 'member', 'iv-a')$$, 'tim becomes a member meanwhile');
SELECT pg_temp.as_actor('mt_iv_app', NULL, 'tim');
SELECT throws_ok($$SELECT multitenant.accept_invitation(pg_temp.tok('tim'))$$, '28000', 'invitation token is not valid', 'a principal who is a member already');
RESET ROLE;
SELECT lives_ok($$SELECT multitenant.set_tenant_status('iv-b', 'suspended')$$, 'iv-b is suspended');
SELECT pg_temp.as_actor('mt_iv_app', NULL, 'nina');
SELECT throws_ok($$SELECT multitenant.accept_invitation(pg_temp.tok('nina-b'))$$, '28000', 'invitation token is not valid', 'a tenant that is not active');
RESET ROLE;
SELECT lives_ok($$SELECT multitenant.set_tenant_status('iv-b', 'active')$$, 'iv-b is active again');
SELECT pg_temp.as_actor('mt_iv_app', NULL, 'nina');
SELECT is((multitenant.accept_invitation(pg_temp.tok('nina-b'))).instance_id, 'iv-b', '... and the same token admits her');
SELECT throws_ok($$SELECT multitenant.accept_invitation(NULL)$$, '22004', NULL, 'a NULL token is a bad argument, not a bad token');
SELECT pg_temp.as_actor('mt_iv_app', NULL, NULL);
SELECT throws_ok($$SELECT multitenant.accept_invitation(pg_temp.tok('rex'))$$, '42501', NULL, 'without an acting principal nothing is accepted');
SELECT pg_temp.as_actor('mt_iv_app', NULL, 'rex');
SELECT is((multitenant.accept_invitation(pg_temp.tok('rex'))).principal_id, 'rex', 'rex''s token works now that adam is an admin again');

------------------------------------------------------------------------------
-- revoke_invitation
------------------------------------------------------------------------------
SELECT pg_temp.as_actor('mt_iv_app', 'iv-a', 'mia');
SELECT throws_ok(format('SELECT multitenant.revoke_invitation(%L)', (SELECT invitation_id FROM pg_temp.tokens WHERE name = 'sue')), '42501', NULL,
                 'a member cannot revoke');
SELECT pg_temp.as_actor('mt_iv_app', 'iv-a', 'adam');
SELECT throws_ok(format('SELECT multitenant.revoke_invitation(%L)', (SELECT invitation_id FROM pg_temp.tokens WHERE name = 'val')), '42501', NULL,
                 'an admin cannot revoke an invitation as owner');
SELECT throws_ok($$SELECT multitenant.revoke_invitation('no-such-invitation')$$, '42704', NULL, 'an unknown invitation');
SELECT throws_ok($$SELECT multitenant.revoke_invitation(NULL)$$, '22004', NULL, 'a NULL invitation id');
SELECT throws_ok(format('SELECT multitenant.revoke_invitation(%L)', (SELECT invitation_id FROM pg_temp.tokens WHERE name = 'nina')), '55000', NULL,
                 'an accepted invitation cannot be revoked');
SELECT results_eq(format('SELECT status, revoked_by, revoked_at = changed_at FROM multitenant.revoke_invitation(%L, reason => %L)',
                         (SELECT invitation_id FROM pg_temp.tokens WHERE name = 'sue'), 'sent by mistake'),
                  $$VALUES ('revoked', 'adam', true)$$, 'an admin revokes a member''s invitation');
SELECT throws_ok(format('SELECT multitenant.revoke_invitation(%L)', (SELECT invitation_id FROM pg_temp.tokens WHERE name = 'sue')), '55000', NULL,
                 'a revoked invitation cannot be revoked again');
SELECT pg_temp.as_actor('mt_iv_app', NULL, 'sue');
SELECT throws_ok($$SELECT multitenant.accept_invitation(pg_temp.tok('sue'))$$, '28000', 'invitation token is not valid', 'a revoked token');
SELECT pg_temp.as_actor('mt_iv_app', 'iv-a', 'olga');
SELECT is((multitenant.revoke_invitation((SELECT invitation_id FROM pg_temp.tokens WHERE name = 'val'))).status, 'revoked', 'an owner revokes an owner''s invitation');
RESET ROLE;
SELECT is((SELECT payload - 'invitationId' FROM multitenant.events WHERE event_type = 'tenant.invitation.revoked' ORDER BY position LIMIT 1),
          '{"reason": "sent by mistake", "revokedBy": "adam"}'::jsonb, 'tenant.invitation.revoked carries the reason');

------------------------------------------------------------------------------
-- The token is nowhere but with its bearer; audit; rebuild; removal
------------------------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM multitenant.events AS e, pg_temp.tokens AS t WHERE strpos(e.payload::text, t.token) > 0), 0,
          'no event holds a token');
SELECT is((SELECT count(*)::int FROM multitenant.audit_log AS a, pg_temp.tokens AS t
            WHERE strpos(concat_ws(' ', a.target_key, a.before, a.after, a.reason), t.token) > 0), 0, 'no audit entry holds a token');
SELECT is((SELECT count(*)::int FROM multitenant.audit_log WHERE target_table = 'multitenant.invitations'
             AND (before ? 'token_hash' OR after ? 'token_hash')), 0, 'nor a token hash');
SELECT results_eq($$SELECT actor, after ->> 'email', after ->> 'status' FROM multitenant.audit_log
                     WHERE action = 'tenant.invitation.added' AND after ->> 'email' = 'rex@example.com'$$,
                  $$VALUES ('adam', 'rex@example.com', 'pending')$$, 'the invitation is in the audit log');
SELECT results_eq($$SELECT actor, before ->> 'status', after ->> 'status' FROM multitenant.audit_log
                     WHERE action = 'tenant.invitation.accepted' AND after ->> 'accepted_by' = 'rex'$$,
                  $$VALUES ('rex', 'pending', 'accepted')$$, '... and its acceptance');

CREATE TEMP TABLE inline_rows AS SELECT * FROM multitenant.invitations;
SELECT ok(multitenant.rebuild('multitenant.invitations') > 0, 'rebuild of invitations');
SELECT set_eq($$SELECT * FROM multitenant.invitations$$, $$SELECT * FROM inline_rows$$, 'rebuild gives the rows inline reduction gave');
SELECT lives_ok($$SELECT multitenant.push('instance', 'iv-b', 'instance.removed', NULL, instance_id => 'iv-b')$$, 'iv-b is removed');
SELECT is((SELECT count(*)::int FROM multitenant.invitations WHERE instance_id = 'iv-b'), 0, 'instance.removed deletes the tenant''s invitations');
SELECT is((SELECT count(*)::int FROM multitenant.invitations WHERE instance_id = 'iv-a'), 10, '... and no other tenant''s');

SELECT pg_temp.as_actor('mt_iv_app', 'iv-a', 'olga');
SELECT throws_ok($$SELECT multitenant.push('tenant', 'iv-a', 'tenant.invitation.accepted', '{"invitationId": "x"}')$$, '42501', NULL,
                 'an application cannot push invitation events');

SELECT * FROM finish();
ROLLBACK;
