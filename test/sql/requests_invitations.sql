-- Join requests and invitations as a real login role granted
-- multitenant_app (never a superuser that SET ROLEs), each statement its own
-- transaction: what the role sees of both tables in its tenant, in another
-- and in none; that it never reads a token hash; and the eight ways an
-- invitation token can fail to admit its bearer, which must give the
-- application byte-identical errors while the audit log, written by a
-- background worker so that it outlives each error, keeps nine distinct
-- reasons.
CREATE EXTENSION multitenant;
SELECT current_user AS superuser \gset
\set ECHO none
\o /dev/null
-- Two tenants with an owner each, and the principals who ask or are invited.
SELECT multitenant.create_tenant(t, initcap(t)) FROM unnest(ARRAY['ri-a', 'ri-b', 'ri-c']) AS t;
SELECT multitenant.create_principal('user', p || '@example.com', initcap(p), id => p)
  FROM unnest(ARRAY['owen', 'bea', 'adam', 'rob', 'mia', 'nina', 'otto', 'pia', 'rex', 'sue', 'tim', 'uma', 'ivan']) AS p;
SELECT multitenant.add_member('owen', 'owner', 'ri-a'), multitenant.add_member('adam', 'admin', 'ri-a'),
       multitenant.add_member('mia', 'member', 'ri-a'), multitenant.add_member('bea', 'owner', 'ri-b');
\o
\set ECHO all
CREATE ROLE mt_ri_app LOGIN;
GRANT multitenant_app TO mt_ri_app;
-- Tokens of the failure cases below, kept in a table of the test only (the
-- extension keeps none).
CREATE TABLE public.tok (name text PRIMARY KEY, token text);
GRANT SELECT, INSERT ON public.tok TO mt_ri_app;

\c - mt_ri_app
-- Requests in both tenants, made from outside any tenant.
BEGIN; SET LOCAL multitenant.actor = 'rob'; SELECT instance_id, principal_id, status FROM multitenant.request_join('ri-a', 'hello a'); COMMIT;
BEGIN; SET LOCAL multitenant.actor = 'rob'; SELECT instance_id, principal_id, status FROM multitenant.request_join('ri-b', 'hello b'); COMMIT;
BEGIN; SET LOCAL multitenant.actor = 'pia'; SELECT instance_id, principal_id, status FROM multitenant.request_join('ri-b'); COMMIT;
-- Invitations into both tenants.
BEGIN;
SELECT multitenant.set_tenant('ri-a', is_local => true);
SET LOCAL multitenant.actor = 'adam';
SELECT count(*) FROM multitenant.invite('nina@example.com');
SELECT count(*) FROM multitenant.invite('otto@example.com', 'viewer');
-- ivan will accept after adam has lost the admin role.
INSERT INTO public.tok SELECT 'inviter_demoted', token FROM multitenant.invite('ivan@example.com');
COMMIT;
BEGIN;
SELECT multitenant.set_tenant('ri-b', is_local => true);
SET LOCAL multitenant.actor = 'bea';
SELECT count(*) FROM multitenant.invite('nina@example.com', 'admin');
COMMIT;

-- What the role sees.  An admin of ri-a: ri-a's requests and invitations.
BEGIN;
SELECT multitenant.set_tenant('ri-a', is_local => true);
SET LOCAL multitenant.actor = 'adam';
SELECT instance_id, principal_id, message FROM multitenant.join_requests ORDER BY 1, 2;
SELECT instance_id, email, role, invited_by FROM multitenant.invitations ORDER BY 1, 2;
SELECT instance_id, email FROM multitenant.invitations WHERE instance_id = 'ri-b';
SELECT token_hash FROM multitenant.invitations;
ROLLBACK;
BEGIN;
SELECT multitenant.set_tenant('ri-a', is_local => true);
SET LOCAL multitenant.actor = 'adam';
SELECT * FROM multitenant.invitations;
ROLLBACK;
-- The owner of ri-b: ri-b's only.
BEGIN;
SELECT multitenant.set_tenant('ri-b', is_local => true);
SET LOCAL multitenant.actor = 'bea';
SELECT instance_id, principal_id FROM multitenant.join_requests ORDER BY 1, 2;
SELECT instance_id, email, role FROM multitenant.invitations ORDER BY 1, 2;
COMMIT;
-- The requester in ri-b: their own request there, nothing of ri-a.
BEGIN;
SELECT multitenant.set_tenant('ri-b', is_local => true);
SET LOCAL multitenant.actor = 'rob';
SELECT instance_id, principal_id, message FROM multitenant.join_requests;
SELECT count(*) AS invitations_seen FROM multitenant.invitations;
COMMIT;
-- A member of ri-a: none.  No tenant: none, whoever acts.
BEGIN;
SELECT multitenant.set_tenant('ri-a', is_local => true);
SET LOCAL multitenant.actor = 'mia';
SELECT count(*) AS requests_seen FROM multitenant.join_requests;
SELECT count(*) AS invitations_seen FROM multitenant.invitations;
COMMIT;
BEGIN;
SET LOCAL multitenant.actor = 'adam';
SELECT count(*) AS requests_seen FROM multitenant.join_requests;
SELECT count(*) AS invitations_seen FROM multitenant.invitations;
COMMIT;
\c - :superuser
-- The other tokens, made by the operator.
SELECT multitenant.set_tenant('ri-a');
INSERT INTO tok SELECT 'used', token FROM multitenant.invite('pia@example.com');
INSERT INTO tok SELECT 'revoked', token FROM multitenant.invite('rex@example.com');
INSERT INTO tok SELECT 'expired', token FROM multitenant.invite('sue@example.com', lifetime => '1 second');
INSERT INTO tok SELECT 'foreign', token FROM multitenant.invite('tim@example.com');
INSERT INTO tok SELECT 'wrong_email', token FROM multitenant.invite('uma@example.com');
INSERT INTO tok SELECT 'already_member', token FROM multitenant.invite('otto.second@example.com');
SELECT multitenant.reset_tenant();
-- A token of ri-b, which is then suspended.
SELECT multitenant.set_tenant('ri-b');
INSERT INTO tok SELECT 'tenant_suspended', token FROM multitenant.invite('uma@example.com');
SELECT multitenant.reset_tenant();
\o /dev/null
SELECT multitenant.revoke_invitation(i.id, 'ri-a') FROM multitenant.invitations AS i WHERE i.email = 'rex@example.com';
SELECT multitenant.change_member_role('adam', 'member', 'ri-a');
SELECT multitenant.set_tenant_status('ri-b', 'suspended');
SELECT multitenant.create_principal('user', 'otto.second@example.com', id => 'otto2');
SELECT multitenant.add_member('otto2', 'member', 'ri-a');
SELECT pg_sleep(1.1);
\o
SELECT max(id) AS audit_before FROM multitenant.audit_log \gset

\c - mt_ri_app
-- The used token is used first.
BEGIN; SET LOCAL multitenant.actor = 'pia';
SELECT principal_id, role FROM multitenant.accept_invitation((SELECT token FROM tok WHERE name = 'used'));
COMMIT;
-- Nine failures, each its own transaction; the error the application gets
-- (SQLSTATE, message, detail, hint, context) of each.
CREATE TEMP TABLE errors (n integer, fingerprint text);
CREATE FUNCTION pg_temp.try_accept(n integer, tenant text, actor text, token text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text; hnt text; ctx text;
BEGIN
	IF tenant IS NOT NULL THEN
		PERFORM multitenant.set_tenant(tenant, is_local => true);
	END IF;
	PERFORM set_config('multitenant.actor', actor, true);
	PERFORM multitenant.accept_invitation(token);
	INSERT INTO errors VALUES (n, 'accepted');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
	                        hnt = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
	-- The context up to this function's own frame, which differs by line only.
	INSERT INTO errors VALUES (n, concat_ws(' | ', st, msg, det, hnt, split_part(ctx, E'\nPL/pgSQL function pg_temp', 1)));
END $$;
BEGIN; SELECT pg_temp.try_accept(1, NULL, 'nina', 'mti_' || repeat('x', 43)); COMMIT;
BEGIN; SELECT pg_temp.try_accept(2, NULL, 'pia', (SELECT token FROM tok WHERE name = 'used')); COMMIT;
BEGIN; SELECT pg_temp.try_accept(3, NULL, 'rex', (SELECT token FROM tok WHERE name = 'revoked')); COMMIT;
BEGIN; SELECT pg_temp.try_accept(4, NULL, 'sue', (SELECT token FROM tok WHERE name = 'expired')); COMMIT;
BEGIN; SELECT pg_temp.try_accept(5, 'ri-c', 'tim', (SELECT token FROM tok WHERE name = 'foreign')); COMMIT;
BEGIN; SELECT pg_temp.try_accept(6, NULL, 'nina', (SELECT token FROM tok WHERE name = 'wrong_email')); COMMIT;
BEGIN; SELECT pg_temp.try_accept(7, NULL, 'ivan', (SELECT token FROM tok WHERE name = 'inviter_demoted')); COMMIT;
BEGIN; SELECT pg_temp.try_accept(8, NULL, 'uma', (SELECT token FROM tok WHERE name = 'tenant_suspended')); COMMIT;
BEGIN; SELECT pg_temp.try_accept(9, NULL, 'otto2', (SELECT token FROM tok WHERE name = 'already_member')); COMMIT;
SELECT count(*) AS cases, count(DISTINCT fingerprint) AS distinct_errors FROM errors;
SELECT DISTINCT fingerprint FROM errors;
-- And as psql prints one.
BEGIN; SET LOCAL multitenant.actor = 'rex';
SELECT multitenant.accept_invitation((SELECT token FROM tok WHERE name = 'revoked'));
ROLLBACK;

\c - :superuser
-- The reasons are in the audit log, committed although every call failed.
SELECT instance_id, reason FROM multitenant.audit_log
 WHERE id > :audit_before AND action = 'tenant.invitation.accepted' AND after IS NULL
 ORDER BY id;
SELECT count(DISTINCT reason) AS distinct_reasons FROM multitenant.audit_log
 WHERE id > :audit_before AND action = 'tenant.invitation.accepted' AND after IS NULL;
SELECT count(*) AS tokens_in_the_log FROM multitenant.audit_log AS a, tok AS t
 WHERE strpos(concat_ws(' ', a.target_key, a.before, a.after, a.reason), t.token) > 0;
SELECT principal_id, role FROM multitenant.memberships WHERE instance_id = 'ri-a' AND principal_id IN ('pia', 'rex', 'sue', 'tim', 'nina', 'ivan', 'uma') ORDER BY 1;

DROP TABLE public.tok;
DROP EXTENSION multitenant;
DROP SCHEMA multitenant;
DROP ROLE mt_ri_app;
