-- Access projections in their final (1.1) form: org / instance domains,
-- trusted domains, project roles, project and user grants, org / project /
-- instance members, password complexity / age, login and notification
-- policies.  Runs as superuser, so row-level security is bypassed and every
-- push names its tenant.  Event-store lookups (user, project and grant
-- owners) are checked through the columns they fill.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(54);

\ir ../fixtures/pgtap_events.sql

-- Every row of the group's tables for one tenant, as one text (to prove that
-- another tenant's events leave them alone).
CREATE FUNCTION pg_temp.tenant_rows(tenant text) RETURNS text LANGUAGE plpgsql
AS $$
DECLARE
	tbl text;
	part text;
	acc text := '';
BEGIN
	FOREACH tbl IN ARRAY ARRAY['org_domains_projection', 'project_roles_projection', 'instance_domains_projection',
	                           'instance_trusted_domains_projection', 'user_grants_projection', 'project_grants_projection',
	                           'org_members_projection', 'project_members_projection', 'instance_members_projection',
	                           'password_complexity_policies', 'password_age_policies', 'login_policies',
	                           'notification_policies']
	LOOP
		EXECUTE pg_catalog.format('SELECT COALESCE(string_agg(x::text, ''|'' ORDER BY x::text), '''') FROM multitenant.%I AS x WHERE x.instance_id = $1', tbl)
			INTO part USING tenant;
		acc := acc || tbl || ':' || part || E'\n';
	END LOOP;
	RETURN acc;
END
$$;

CREATE FUNCTION pg_temp.tenant_count(tenant text) RETURNS bigint LANGUAGE plpgsql
AS $$
DECLARE
	tbl text;
	n bigint;
	total bigint := 0;
BEGIN
	FOREACH tbl IN ARRAY ARRAY['org_domains_projection', 'project_roles_projection', 'instance_domains_projection',
	                           'instance_trusted_domains_projection', 'user_grants_projection', 'project_grants_projection',
	                           'org_members_projection', 'project_members_projection', 'instance_members_projection',
	                           'password_complexity_policies', 'password_age_policies', 'login_policies',
	                           'notification_policies']
	LOOP
		EXECUTE pg_catalog.format('SELECT count(*) FROM multitenant.%I AS x WHERE x.instance_id = $1', tbl) INTO n USING tenant;
		total := total + n;
	END LOOP;
	RETURN total;
END
$$;

------------------------------------------------------------------------------
-- Tenant A: instance, orgs, users, projects
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.added', '{"name": "Tenant A"}', 1);
	PERFORM pg_temp.ev('org', 'org-1', 'org.added', '{"name": "ACME"}', 2);
	PERFORM pg_temp.ev('org', 'org-2', 'org.added', '{"name": "Partner"}', 3);
	PERFORM pg_temp.ev('org', 'org-3', 'org.added', '{"name": "Doomed"}', 4);
	PERFORM pg_temp.ev('user', 'user-1', 'user.human.added',
		'{"userName": "alice", "firstName": "Alice", "lastName": "Adams", "email": "alice@acme.test", "preferredLanguage": "en"}', 5, owner => 'org-1');
	PERFORM pg_temp.ev('user', 'user-2', 'user.machine.added',
		'{"userName": "bot", "name": "Bot", "description": "partner bot"}', 6, owner => 'org-2');
	PERFORM pg_temp.ev('user', 'user-3', 'user.human.added',
		'{"userName": "carol", "firstName": "Carol", "lastName": "Cole", "email": "carol@doomed.test"}', 7, owner => 'org-3');
	PERFORM pg_temp.ev('project', 'proj-1', 'project.added', '{"name": "Shop"}', 8, owner => 'org-1');
	PERFORM pg_temp.ev('project', 'proj-2', 'project.added', '{"name": "Portal"}', 9, owner => 'org-2');
	PERFORM pg_temp.ev('project', 'proj-3', 'project.added', '{"name": "Three"}', 10, owner => 'org-3');
	PERFORM pg_temp.ev('project', 'proj-4', 'project.added', '{"name": "Four"}', 11, owner => 'org-3');
END $$;

------------------------------------------------------------------------------
-- org_domains_projection
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.added', '{"domain": "acme.test"}', 20);
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.added', '{"domain": "acme.example"}', 21);
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.verification.added',
		'{"domain": "acme.test", "validationType": 2, "validationCode": {"CryptoType": 0, "Algorithm": "aes", "KeyID": "k", "Crypted": "c2VjcmV0"}}', 22);
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.verified', '{"domain": "acme.test"}', 23);
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.primary.set', '{"domain": "acme.test"}', 24);
END $$;

SELECT results_eq(
	$$SELECT domain, is_verified, is_primary, validation_type, creation_date, change_date, sequence
	    FROM multitenant.org_domains_projection WHERE instance_id = 'tenant-a' ORDER BY domain$$,
	$$VALUES ('acme.example'::text, false, false, 0::smallint, pg_temp.ts(21), pg_temp.ts(21), 3::bigint),
	         ('acme.test'::text, true, true, 2::smallint, pg_temp.ts(20), pg_temp.ts(24), 6::bigint)$$,
	'org.domain.added / verification.added / verified / primary.set');

DO $$ BEGIN
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.verified', '{"domain": "acme.example"}', 25);
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.primary.set', '{"domain": "acme.example"}', 26);
	PERFORM pg_temp.ev('org', 'org-2', 'org.domain.added', '{"domain": "other.test"}', 27);
	PERFORM pg_temp.ev('org', 'org-2', 'org.domain.primary.set', '{"domain": "other.test"}', 28);
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.added', '{"domain": "gone.test"}', 29);
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.removed', '{"domain": "gone.test"}', 30);
	PERFORM pg_temp.ev('org', 'org-3', 'org.domain.added', '{"domain": "doomed.test"}', 31);
END $$;

SELECT results_eq(
	$$SELECT instance_id, org_id, domain, is_verified, is_primary, validation_type, creation_date, change_date, sequence
	    FROM multitenant.org_domains_projection ORDER BY instance_id, org_id, domain$$,
	$$VALUES ('tenant-a'::text, 'org-1'::text, 'acme.example'::text, true, true, 0::smallint, pg_temp.ts(21), pg_temp.ts(26), 8::bigint),
	         ('tenant-a', 'org-1', 'acme.test', true, false, 2::smallint, pg_temp.ts(20), pg_temp.ts(26), 8::bigint),
	         ('tenant-a', 'org-2', 'other.test', false, true, 0::smallint, pg_temp.ts(27), pg_temp.ts(28), 3::bigint),
	         ('tenant-a', 'org-3', 'doomed.test', false, false, 0::smallint, pg_temp.ts(31), pg_temp.ts(31), 2::bigint)$$,
	'a new primary domain clears (and touches) only its own org''s old primary; org.domain.removed deletes');

SELECT throws_ok(
	$$SELECT multitenant.push('org', 'org-1', 'org.domain.added', '{"domain": 5}', instance_id => 'tenant-a')$$,
	'22023', NULL, 'org.domain.added with a numeric domain fails the push');

------------------------------------------------------------------------------
-- project_roles_projection
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('project', 'proj-1', 'project.role.added', '{"key": "admin", "displayName": "Admin", "group": "staff"}', 40);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.role.added', '{"key": "viewer", "displayName": "Viewer"}', 41);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.role.added', '{"key": "editor"}', 42);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.role.changed', '{"key": "viewer"}', 43);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.role.changed', '{"key": "viewer", "displayName": null}', 44);
END $$;

SELECT results_eq(
	$$SELECT role_key, display_name, group_name, change_date, sequence
	    FROM multitenant.project_roles_projection WHERE instance_id = 'tenant-a' AND role_key = 'viewer'$$,
	$$VALUES ('viewer'::text, 'Viewer'::text, ''::text, pg_temp.ts(41), 3::bigint)$$,
	'project.role.changed without displayName / group (or with null) is a no-op');

SELECT is(pg_temp.ev('project', 'proj-1', 'project.role.changed', '{"key": "viewer", "group": "readers"}', 45), 7::bigint,
	'project.role.changed with a group pushed');

SELECT results_eq(
	$$SELECT instance_id, project_id, role_key, display_name, group_name, resource_owner, creation_date, change_date, sequence
	    FROM multitenant.project_roles_projection ORDER BY instance_id, project_id, role_key$$,
	$$VALUES ('tenant-a'::text, 'proj-1'::text, 'admin'::text, 'Admin'::text, 'staff'::text, 'org-1'::text, pg_temp.ts(40), pg_temp.ts(40), 2::bigint),
	         ('tenant-a', 'proj-1', 'editor', '', '', 'org-1', pg_temp.ts(42), pg_temp.ts(42), 4::bigint),
	         ('tenant-a', 'proj-1', 'viewer', 'Viewer', 'readers', 'org-1', pg_temp.ts(41), pg_temp.ts(45), 7::bigint)$$,
	'project.role.added / changed: absent keys are empty, changed keeps what it does not name');

------------------------------------------------------------------------------
-- instance_domains_projection, instance_trusted_domains_projection
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.domain.added', '{"domain": "a.zitadel.cloud", "generated": true}', 50);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.domain.added', '{"domain": "login.acme.test"}', 51);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.domain.primary.set', '{"domain": "a.zitadel.cloud"}', 52);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.domain.primary.set', '{"domain": "login.acme.test"}', 53);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.domain.added', '{"domain": "old.acme.test", "generated": false}', 54);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.domain.removed', '{"domain": "old.acme.test"}', 55);
END $$;

SELECT results_eq(
	$$SELECT domain, is_generated, is_primary, creation_date, change_date, sequence
	    FROM multitenant.instance_domains_projection WHERE instance_id = 'tenant-a' ORDER BY domain$$,
	$$VALUES ('a.zitadel.cloud'::text, true, false, pg_temp.ts(50), pg_temp.ts(53), 5::bigint),
	         ('login.acme.test'::text, false, true, pg_temp.ts(51), pg_temp.ts(53), 5::bigint)$$,
	'instance.domain.added / primary.set (old primary cleared and touched) / removed');

-- A removed primary that comes back is not primary; the next primary.set
-- finds no primary to clear and leaves it untouched.
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.domain.removed', '{"domain": "login.acme.test"}', 56);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.domain.added', '{"domain": "login.acme.test"}', 57);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.domain.primary.set', '{"domain": "a.zitadel.cloud"}', 58);
END $$;

SELECT results_eq(
	$$SELECT domain, is_generated, is_primary, creation_date, change_date, sequence
	    FROM multitenant.instance_domains_projection WHERE instance_id = 'tenant-a' ORDER BY domain$$,
	$$VALUES ('a.zitadel.cloud'::text, true, true, pg_temp.ts(50), pg_temp.ts(58), 10::bigint),
	         ('login.acme.test'::text, false, false, pg_temp.ts(57), pg_temp.ts(57), 9::bigint)$$,
	'a re-added former primary is neither primary nor touched by the next primary.set');

DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.trusted_domains.added', '{"domain": "app.acme.test"}', 60);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.trusted_domains.added', '{"domain": "tmp.acme.test"}', 61);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.trusted_domains.removed', '{"domain": "tmp.acme.test"}', 62);
END $$;

SELECT results_eq(
	$$SELECT instance_id, domain, creation_date, change_date, sequence
	    FROM multitenant.instance_trusted_domains_projection ORDER BY instance_id, domain$$,
	$$VALUES ('tenant-a'::text, 'app.acme.test'::text, pg_temp.ts(60), pg_temp.ts(60), 11::bigint)$$,
	'instance.trusted_domains.added / removed');

------------------------------------------------------------------------------
-- project_grants_projection
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('project', 'proj-1', 'project.grant.added',
		'{"grantId": "grant-1", "grantedOrgId": "org-2", "roleKeys": ["admin", "viewer"]}', 70);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.grant.added',
		'{"grantId": "grant-2", "grantedOrgId": "org-3", "roleKeys": ["viewer"]}', 71);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.grant.changed',
		'{"grantId": "grant-1", "roleKeys": ["admin", "viewer", "editor"]}', 72);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.grant.deactivated', '{"grantId": "grant-1"}', 73);
END $$;

SELECT results_eq(
	$$SELECT state, change_date, sequence FROM multitenant.project_grants_projection
	   WHERE instance_id = 'tenant-a' AND grant_id = 'grant-1'$$,
	$$VALUES (2::smallint, pg_temp.ts(73), 11::bigint)$$,
	'project.grant.deactivated sets state 2');

SELECT is(pg_temp.ev('project', 'proj-1', 'project.grant.reactivated', '{"grantId": "grant-1"}', 74), 12::bigint,
	'project.grant.reactivated pushed');

SELECT results_eq(
	$$SELECT instance_id, grant_id, project_id, granted_org_id, granted_role_keys, state, resource_owner,
	         creation_date, change_date, sequence
	    FROM multitenant.project_grants_projection ORDER BY instance_id, grant_id$$,
	$$VALUES ('tenant-a'::text, 'grant-1'::text, 'proj-1'::text, 'org-2'::text, '{admin,viewer,editor}'::text[], 1::smallint,
	          'org-1'::text, pg_temp.ts(70), pg_temp.ts(74), 12::bigint),
	         ('tenant-a', 'grant-2', 'proj-1', 'org-3', '{viewer}'::text[], 1::smallint, 'org-1', pg_temp.ts(71), pg_temp.ts(71), 9::bigint)$$,
	'project.grant.added / changed / reactivated');

------------------------------------------------------------------------------
-- user_grants_projection (aggregate usergrant, events user.grant.*)
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('usergrant', 'ug-1', 'user.grant.added',
		'{"userId": "user-1", "projectId": "proj-1", "roleKeys": ["admin", "editor", "viewer"]}', 80, owner => 'org-1');
	PERFORM pg_temp.ev('usergrant', 'ug-2', 'user.grant.added',
		'{"userId": "user-2", "projectId": "proj-1", "grantId": "grant-1", "roleKeys": ["admin", "viewer", "editor"]}', 81, owner => 'org-2');
	PERFORM pg_temp.ev('usergrant', 'ug-3', 'user.grant.added',
		'{"userId": "user-3", "projectId": "proj-1", "grantId": "grant-2", "roleKeys": ["viewer"]}', 82, owner => 'org-3');
	PERFORM pg_temp.ev('usergrant', 'ug-4', 'user.grant.added',
		'{"userId": "user-3", "projectId": "proj-2", "roleKeys": ["x"]}', 83, owner => 'org-1');
	PERFORM pg_temp.ev('usergrant', 'ug-5', 'user.grant.added',
		'{"userId": "user-1", "projectId": "proj-1", "roleKeys": ["viewer"]}', 84, owner => 'org-1');
	PERFORM pg_temp.ev('usergrant', 'ug-6', 'user.grant.added',
		'{"userId": "user-2", "projectId": "proj-1", "roleKeys": ["viewer"]}', 84, owner => 'org-1');
	PERFORM pg_temp.ev('usergrant', 'ug-1', 'user.grant.changed', '{"userId": "user-1", "roleKeys": ["admin", "editor"]}', 85);
	PERFORM pg_temp.ev('usergrant', 'ug-1', 'user.grant.cascade.changed', '{"roleKeys": ["admin", "editor", "viewer"]}', 86);
	PERFORM pg_temp.ev('usergrant', 'ug-1', 'user.grant.deactivated', NULL, 87);
	PERFORM pg_temp.ev('usergrant', 'ug-1', 'user.grant.reactivated', NULL, 88);
	PERFORM pg_temp.ev('usergrant', 'ug-4', 'user.grant.deactivated', NULL, 89);
	PERFORM pg_temp.ev('usergrant', 'ug-5', 'user.grant.removed', '{"userId": "user-1", "projectId": "proj-1"}', 90);
	PERFORM pg_temp.ev('usergrant', 'ug-6', 'user.grant.cascade.removed', '{"userId": "user-2", "projectId": "proj-1"}', 91);
END $$;

SELECT results_eq(
	$$SELECT instance_id, id, resource_owner, user_id, resource_owner_user, project_id, resource_owner_project, grant_id, granted_org,
	         roles, state, creation_date, change_date, sequence
	    FROM multitenant.user_grants_projection ORDER BY instance_id, id$$,
	$$VALUES ('tenant-a'::text, 'ug-1'::text, 'org-1'::text, 'user-1'::text, 'org-1'::text, 'proj-1'::text, 'org-1'::text, ''::text, ''::text,
	          '{admin,editor,viewer}'::text[], 1::smallint, pg_temp.ts(80), pg_temp.ts(88), 5::bigint),
	         ('tenant-a', 'ug-2', 'org-2', 'user-2', 'org-2', 'proj-1', 'org-1', 'grant-1', 'org-2',
	          '{admin,viewer,editor}'::text[], 1::smallint, pg_temp.ts(81), pg_temp.ts(81), 1::bigint),
	         ('tenant-a', 'ug-3', 'org-3', 'user-3', 'org-3', 'proj-1', 'org-1', 'grant-2', 'org-3',
	          '{viewer}'::text[], 1::smallint, pg_temp.ts(82), pg_temp.ts(82), 1::bigint),
	         ('tenant-a', 'ug-4', 'org-1', 'user-3', 'org-3', 'proj-2', 'org-2', '', '',
	          '{x}'::text[], 2::smallint, pg_temp.ts(83), pg_temp.ts(89), 2::bigint)$$,
	'user.grant.* with user / project owners and granted org looked up in the event store');

SELECT throws_ok(
	$$SELECT multitenant.push('usergrant', 'ug-bad', 'user.grant.added', '{"userId": "nobody", "projectId": "proj-1"}',
	                          resource_owner => 'org-1', instance_id => 'tenant-a')$$,
	'23502', NULL, 'a user grant for a user that does not exist fails the push');

SELECT throws_ok(
	$$SELECT multitenant.push('usergrant', 'ug-bad', 'user.grant.added',
	                          '{"userId": "user-1", "projectId": "proj-1", "grantId": "no-such-grant"}',
	                          resource_owner => 'org-1', instance_id => 'tenant-a')$$,
	'23502', NULL, 'a user grant through a project grant that does not exist fails the push');

SELECT throws_ok(
	$$SELECT multitenant.push('usergrant', 'ug-bad', 'user.grant.added',
	                          '{"userId": "user-1", "projectId": "proj-1", "roleKeys": "admin"}',
	                          resource_owner => 'org-1', instance_id => 'tenant-a')$$,
	'22023', NULL, 'roleKeys that is not an array fails the push');

SELECT is_empty(
	$$SELECT 1 FROM multitenant.events WHERE instance_id = 'tenant-a' AND aggregate_id = 'ug-bad'
	  UNION ALL SELECT 1 FROM multitenant.user_grants_projection WHERE instance_id = 'tenant-a' AND id = 'ug-bad'$$,
	'failed pushes leave neither event nor row');

-- Project changes reach the grants: role and grant changes trim roles
-- without touching change_date / sequence; a removed project grant takes
-- its user grants.
DO $$ BEGIN
	PERFORM pg_temp.ev('project', 'proj-1', 'project.role.removed', '{"key": "editor"}', 100);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.grant.changed', '{"grantId": "grant-1", "roleKeys": ["viewer"]}', 101);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.grant.cascade.changed', '{"grantId": "grant-2", "roleKeys": []}', 102);
END $$;

SELECT results_eq(
	$$SELECT id, roles, change_date, sequence FROM multitenant.user_grants_projection WHERE instance_id = 'tenant-a' ORDER BY id$$,
	$$VALUES ('ug-1'::text, '{admin,viewer}'::text[], pg_temp.ts(88), 5::bigint),
	         ('ug-2', '{viewer}'::text[], pg_temp.ts(81), 1::bigint),
	         ('ug-3', '{}'::text[], pg_temp.ts(82), 1::bigint),
	         ('ug-4', '{x}'::text[], pg_temp.ts(89), 2::bigint)$$,
	'project.role.removed removes the role, project.grant.(cascade.)changed intersects, neither touches');

SELECT results_eq(
	$$SELECT grant_id, granted_role_keys, change_date, sequence FROM multitenant.project_grants_projection
	   WHERE instance_id = 'tenant-a' ORDER BY grant_id$$,
	$$VALUES ('grant-1'::text, '{viewer}'::text[], pg_temp.ts(101), 14::bigint),
	         ('grant-2', '{}'::text[], pg_temp.ts(102), 15::bigint)$$,
	'project.grant.changed / cascade.changed replace the granted role keys');

SELECT results_eq(
	$$SELECT project_id, role_key FROM multitenant.project_roles_projection WHERE instance_id = 'tenant-a' ORDER BY role_key$$,
	$$VALUES ('proj-1'::text, 'admin'::text), ('proj-1', 'viewer')$$,
	'project.role.removed deletes the role');

DO $$ BEGIN
	PERFORM pg_temp.ev('project', 'proj-1', 'project.grant.removed', '{"grantId": "grant-2"}', 103);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.grant.added', '{"grantId": "grant-6", "grantedOrgId": "org-3", "roleKeys": ["viewer"]}', 104);
	-- everything hanging on proj-3 goes with it
	PERFORM pg_temp.ev('project', 'proj-3', 'project.role.added', '{"key": "r3", "displayName": "R3"}', 105);
	PERFORM pg_temp.ev('project', 'proj-3', 'project.grant.added', '{"grantId": "grant-3", "grantedOrgId": "org-1", "roleKeys": ["r3"]}', 105);
	PERFORM pg_temp.ev('project', 'proj-3', 'project.member.added', '{"userId": "user-1", "roles": ["PROJECT_OWNER"]}', 105);
	PERFORM pg_temp.ev('usergrant', 'ug-7', 'user.grant.added',
		'{"userId": "user-1", "projectId": "proj-3", "roleKeys": ["r3"]}', 105, owner => 'org-3');
END $$;

SELECT results_eq(
	$$SELECT (SELECT count(*) FROM multitenant.project_roles_projection WHERE instance_id = 'tenant-a' AND project_id = 'proj-3'),
	         (SELECT count(*) FROM multitenant.project_grants_projection WHERE instance_id = 'tenant-a' AND project_id = 'proj-3'),
	         (SELECT count(*) FROM multitenant.project_members_projection WHERE instance_id = 'tenant-a' AND project_id = 'proj-3'),
	         (SELECT count(*) FROM multitenant.user_grants_projection WHERE instance_id = 'tenant-a' AND project_id = 'proj-3')$$,
	$$VALUES (1::bigint, 1::bigint, 1::bigint, 1::bigint)$$,
	'proj-3 has a role, a grant, a member and a user grant');

SELECT is(pg_temp.ev('project', 'proj-3', 'project.removed', '{"Name": "Three"}', 106), 5::bigint, 'project.removed pushed');

SELECT results_eq(
	$$SELECT (SELECT count(*) FROM multitenant.project_roles_projection WHERE instance_id = 'tenant-a' AND project_id = 'proj-3'),
	         (SELECT count(*) FROM multitenant.project_grants_projection WHERE instance_id = 'tenant-a' AND project_id = 'proj-3'),
	         (SELECT count(*) FROM multitenant.project_members_projection WHERE instance_id = 'tenant-a' AND project_id = 'proj-3'),
	         (SELECT count(*) FROM multitenant.user_grants_projection WHERE instance_id = 'tenant-a' AND project_id = 'proj-3')$$,
	$$VALUES (0::bigint, 0::bigint, 0::bigint, 0::bigint)$$,
	'project.removed deletes the project''s roles, grants, members and user grants');

-- The grants of proj-2 follow it to org-1; nothing else changes.
DO $$ BEGIN
	PERFORM pg_temp.ev('project', 'proj-2', 'project.grant.added', '{"grantId": "grant-4", "grantedOrgId": "org-1", "roleKeys": ["r2"]}', 107);
	PERFORM pg_temp.ev('project', 'proj-2', 'project.owner.corrected', NULL, 108, owner => 'org-1');
END $$;

SELECT results_eq(
	$$SELECT instance_id, grant_id, project_id, granted_org_id, granted_role_keys, state, resource_owner, creation_date, change_date, sequence
	    FROM multitenant.project_grants_projection ORDER BY instance_id, grant_id$$,
	$$VALUES ('tenant-a'::text, 'grant-1'::text, 'proj-1'::text, 'org-2'::text, '{viewer}'::text[], 1::smallint, 'org-1'::text,
	          pg_temp.ts(70), pg_temp.ts(101), 14::bigint),
	         ('tenant-a', 'grant-4', 'proj-2', 'org-1', '{r2}'::text[], 1::smallint, 'org-1', pg_temp.ts(107), pg_temp.ts(107), 2::bigint),
	         ('tenant-a', 'grant-6', 'proj-1', 'org-3', '{viewer}'::text[], 1::smallint, 'org-1', pg_temp.ts(104), pg_temp.ts(104), 17::bigint)$$,
	'project.grant.removed deletes; project.owner.corrected moves the owner without touching');

SELECT results_eq(
	$$SELECT id FROM multitenant.user_grants_projection WHERE instance_id = 'tenant-a' ORDER BY id$$,
	$$VALUES ('ug-1'::text), ('ug-2'), ('ug-4')$$,
	'project.grant.removed deletes the user grants through that grant');

------------------------------------------------------------------------------
-- Members
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('org', 'org-1', 'org.member.added', '{"userId": "user-1", "roles": ["ORG_OWNER"]}', 110);
	PERFORM pg_temp.ev('org', 'org-1', 'org.member.added', '{"userId": "user-3", "roles": ["ORG_USER_MANAGER"]}', 111);
	PERFORM pg_temp.ev('org', 'org-2', 'org.member.added', '{"userId": "user-2", "roles": ["ORG_OWNER"]}', 112);
	PERFORM pg_temp.ev('org', 'org-1', 'org.member.changed', '{"userId": "user-1", "roles": ["ORG_OWNER", "ORG_ADMIN"]}', 113);
	PERFORM pg_temp.ev('org', 'org-2', 'org.member.added', '{"userId": "user-1", "roles": ["ORG_USER"]}', 114);
	PERFORM pg_temp.ev('org', 'org-2', 'org.member.removed', '{"userId": "user-1"}', 115);
	PERFORM pg_temp.ev('org', 'org-1', 'org.member.added', '{"userId": "user-2", "roles": ["ORG_USER"]}', 116);
	PERFORM pg_temp.ev('org', 'org-1', 'org.member.cascade.removed', '{"userId": "user-2"}', 117);
	PERFORM pg_temp.ev('org', 'org-3', 'org.member.added', '{"userId": "user-1", "roles": ["ORG_OWNER"]}', 118);

	PERFORM pg_temp.ev('project', 'proj-1', 'project.member.added', '{"userId": "user-1", "roles": ["PROJECT_OWNER"]}', 120);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.member.added', '{"userId": "user-3", "roles": ["PROJECT_OWNER_VIEWER"]}', 121);
	PERFORM pg_temp.ev('project', 'proj-2', 'project.member.added', '{"userId": "user-2", "roles": ["PROJECT_OWNER"]}', 122);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.member.changed', '{"userId": "user-1", "roles": ["PROJECT_OWNER", "PROJECT_OWNER_VIEWER"]}', 123);
	PERFORM pg_temp.ev('project', 'proj-2', 'project.member.added', '{"userId": "user-1", "roles": ["PROJECT_OWNER_VIEWER"]}', 124);
	PERFORM pg_temp.ev('project', 'proj-2', 'project.member.removed', '{"userId": "user-1"}', 125);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.member.added', '{"userId": "user-2", "roles": ["PROJECT_OWNER_VIEWER"]}', 126);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.member.cascade.removed', '{"userId": "user-2"}', 127);

	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.member.added', '{"userId": "user-1", "roles": ["IAM_OWNER"]}', 130);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.member.added', '{"userId": "user-3", "roles": ["IAM_ORG_MANAGER"]}', 131);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.member.added', '{"userId": "user-2", "roles": ["IAM_OWNER_VIEWER"]}', 132);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.member.changed', '{"userId": "user-1", "roles": ["IAM_OWNER", "IAM_END_USER_VIEWER"]}', 133);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.member.removed', '{"userId": "user-2"}', 134);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.member.added', '{"userId": "user-2", "roles": ["IAM_USER_MANAGER"]}', 135);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.member.cascade.removed', '{"userId": "user-2"}', 136);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.member.added', '{"userId": "user-2", "roles": ["IAM_OWNER_VIEWER"]}', 137);
END $$;

SELECT results_eq(
	$$SELECT instance_id, org_id, user_id, user_resource_owner, roles, resource_owner, creation_date, change_date, sequence
	    FROM multitenant.org_members_projection ORDER BY instance_id, org_id, user_id$$,
	$$VALUES ('tenant-a'::text, 'org-1'::text, 'user-1'::text, 'org-1'::text, '{ORG_OWNER,ORG_ADMIN}'::text[], 'org-1'::text,
	          pg_temp.ts(110), pg_temp.ts(113), 13::bigint),
	         ('tenant-a', 'org-1', 'user-3', 'org-3', '{ORG_USER_MANAGER}'::text[], 'org-1', pg_temp.ts(111), pg_temp.ts(111), 12::bigint),
	         ('tenant-a', 'org-2', 'user-2', 'org-2', '{ORG_OWNER}'::text[], 'org-2', pg_temp.ts(112), pg_temp.ts(112), 4::bigint),
	         ('tenant-a', 'org-3', 'user-1', 'org-1', '{ORG_OWNER}'::text[], 'org-3', pg_temp.ts(118), pg_temp.ts(118), 3::bigint)$$,
	'org.member.added / changed / removed / cascade.removed (user_resource_owner from the user''s creation event)');

SELECT results_eq(
	$$SELECT instance_id, project_id, user_id, user_resource_owner, roles, resource_owner, creation_date, change_date, sequence
	    FROM multitenant.project_members_projection ORDER BY instance_id, project_id, user_id$$,
	$$VALUES ('tenant-a'::text, 'proj-1'::text, 'user-1'::text, 'org-1'::text, '{PROJECT_OWNER,PROJECT_OWNER_VIEWER}'::text[], 'org-1'::text,
	          pg_temp.ts(120), pg_temp.ts(123), 20::bigint),
	         ('tenant-a', 'proj-1', 'user-3', 'org-3', '{PROJECT_OWNER_VIEWER}'::text[], 'org-1', pg_temp.ts(121), pg_temp.ts(121), 19::bigint),
	         ('tenant-a', 'proj-2', 'user-2', 'org-2', '{PROJECT_OWNER}'::text[], 'org-1', pg_temp.ts(122), pg_temp.ts(122), 4::bigint)$$,
	'project.member.added / changed / removed / cascade.removed');

SELECT results_eq(
	$$SELECT instance_id, id, user_id, user_resource_owner, roles, resource_owner, creation_date, change_date, sequence
	    FROM multitenant.instance_members_projection ORDER BY instance_id, id, user_id$$,
	$$VALUES ('tenant-a'::text, 'tenant-a'::text, 'user-1'::text, 'org-1'::text, '{IAM_OWNER,IAM_END_USER_VIEWER}'::text[], 'tenant-a'::text,
	          pg_temp.ts(130), pg_temp.ts(133), 17::bigint),
	         ('tenant-a', 'tenant-a', 'user-2', 'org-2', '{IAM_OWNER_VIEWER}'::text[], 'tenant-a', pg_temp.ts(137), pg_temp.ts(137), 21::bigint),
	         ('tenant-a', 'tenant-a', 'user-3', 'org-3', '{IAM_ORG_MANAGER}'::text[], 'tenant-a', pg_temp.ts(131), pg_temp.ts(131), 15::bigint)$$,
	'instance.member.added / changed / removed / cascade.removed');

SELECT throws_ok(
	$$SELECT multitenant.push('org', 'org-1', 'org.member.added', '{"userId": "ghost", "roles": ["ORG_OWNER"]}', instance_id => 'tenant-a')$$,
	'23502', NULL, 'a member whose user does not exist fails the push');

------------------------------------------------------------------------------
-- Policies
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.password.complexity.added',
		'{"minLength": 8, "hasLowercase": true, "hasUppercase": true, "hasNumber": true, "hasSymbol": false}', 140);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.password.complexity.added', '{"minLength": 12}', 141);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.password.complexity.changed', '{"hasSymbol": true}', 142);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.password.complexity.changed', '{}', 143);
	PERFORM pg_temp.ev('org', 'org-2', 'org.policy.password.complexity.added', '{"minLength": 10}', 144);
	PERFORM pg_temp.ev('org', 'org-2', 'org.policy.password.complexity.removed', NULL, 145);
	PERFORM pg_temp.ev('org', 'org-3', 'org.policy.password.complexity.added', '{"minLength": 6}', 146);

	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.password.age.added', '{"expireWarnDays": 10, "maxAgeDays": 90}', 150);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.password.age.added', '{"maxAgeDays": 30}', 151);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.password.age.changed', '{"expireWarnDays": 5}', 152);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.password.age.changed', '{"maxAgeDays": 60}', 153);
	PERFORM pg_temp.ev('org', 'org-2', 'org.policy.password.age.added', '{"maxAgeDays": 1}', 154);
	PERFORM pg_temp.ev('org', 'org-2', 'org.policy.password.age.removed', NULL, 155);
	PERFORM pg_temp.ev('org', 'org-3', 'org.policy.password.age.added', '{"maxAgeDays": 7}', 156);
END $$;

SELECT results_eq(
	$$SELECT instance_id, id, is_default, state, resource_owner, min_length, has_lowercase, has_uppercase, has_number, has_symbol,
	         creation_date, change_date, sequence
	    FROM multitenant.password_complexity_policies ORDER BY instance_id, id$$,
	$$VALUES ('tenant-a'::text, 'org-1'::text, false, 1::smallint, 'org-1'::text, 12::bigint, false, false, false, true,
	          pg_temp.ts(141), pg_temp.ts(142), 17::bigint),
	         ('tenant-a', 'org-3', false, 1::smallint, 'org-3', 6::bigint, false, false, false, false,
	          pg_temp.ts(146), pg_temp.ts(146), 4::bigint),
	         ('tenant-a', 'tenant-a', true, 1::smallint, 'tenant-a', 8::bigint, true, true, true, false,
	          pg_temp.ts(140), pg_temp.ts(143), 23::bigint)$$,
	'password complexity: org / instance added, changed (present keys, always touched), removed');

SELECT results_eq(
	$$SELECT instance_id, id, is_default, state, resource_owner, expire_warn_days, max_age_days, creation_date, change_date, sequence
	    FROM multitenant.password_age_policies ORDER BY instance_id, id$$,
	$$VALUES ('tenant-a'::text, 'org-1'::text, false, 1::smallint, 'org-1'::text, 5::bigint, 30::bigint, pg_temp.ts(151), pg_temp.ts(152), 19::bigint),
	         ('tenant-a', 'org-3', false, 1::smallint, 'org-3', 0::bigint, 7::bigint, pg_temp.ts(156), pg_temp.ts(156), 5::bigint),
	         ('tenant-a', 'tenant-a', true, 1::smallint, 'tenant-a', 10::bigint, 60::bigint, pg_temp.ts(150), pg_temp.ts(153), 25::bigint)$$,
	'password age: org / instance added, changed, removed');

DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.login.added',
		'{"allowUsernamePassword": true, "allowRegister": true, "allowExternalIdp": true, "forceMFA": false, "forceMFALocalOnly": false,
		  "passwordlessType": 1, "hidePasswordReset": false, "ignoreUnknownUsernames": false, "allowDomainDiscovery": true,
		  "disableLoginWithEmail": false, "disableLoginWithPhone": true, "defaultRedirectURI": "https://acme.test",
		  "passwordCheckLifetime": 864000000000000, "externalLoginCheckLifetime": 864000000000000,
		  "mfaInitSkipLifetime": 2592000000000000, "secondFactorCheckLifetime": 64800000000000,
		  "multiFactorCheckLifetime": 43200000000000}', 160);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.login.secondfactor.added', '{"mfaType": 1}', 161);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.login.secondfactor.added', '{"mfaType": 2}', 162);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.login.secondfactor.removed', '{"mfaType": 1}', 163);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.login.multifactor.added', '{"mfaType": 1}', 164);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.login.added', '{"allowUsernamePassword": true, "forceMFA": true, "forceMFALocalOnly": true}', 165);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.login.changed',
		'{"allowRegister": true, "defaultRedirectURI": "https://one.test", "passwordCheckLifetime": 3600000000000}', 166);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.login.secondfactor.added', '{"mfaType": 3}', 167);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.login.multifactor.added', '{"mfaType": 1}', 168);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.login.multifactor.removed', '{"mfaType": 1}', 169);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.login.multifactor.removed', '{"mfaType": 1}', 170);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.login.secondfactor.added', '{"mfaType": 4}', 171);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.login.secondfactor.removed', '{"mfaType": 3}', 172);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.login.changed', '{"forceMFA": true}', 173);
	PERFORM pg_temp.ev('org', 'org-2', 'org.policy.login.added', '{}', 174);
	PERFORM pg_temp.ev('org', 'org-2', 'org.policy.login.removed', NULL, 175);
	PERFORM pg_temp.ev('org', 'org-3', 'org.policy.login.added', '{"allowRegister": true}', 176);
END $$;

SELECT results_eq(
	$$SELECT instance_id, aggregate_id, is_default, allow_register, allow_username_password, allow_external_idps, force_mfa,
	         force_mfa_local_only, second_factors, multi_factors, passwordless_type, hide_password_reset, ignore_unknown_usernames,
	         allow_domain_discovery, disable_login_with_email, disable_login_with_phone, default_redirect_uri,
	         password_check_lifetime, external_login_check_lifetime, mfa_init_skip_lifetime, second_factor_check_lifetime,
	         multi_factor_check_lifetime, creation_date, change_date, sequence
	    FROM multitenant.login_policies ORDER BY instance_id, aggregate_id$$,
	$$VALUES ('tenant-a'::text, 'org-1'::text, false, true, true, false, true, true, '{4}'::smallint[], '{}'::smallint[], 0::smallint,
	          false, false, false, false, false, 'https://one.test'::text, 3600000000000::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint,
	          pg_temp.ts(165), pg_temp.ts(172), 26::bigint),
	         ('tenant-a', 'org-3', false, true, false, false, false, false, NULL::smallint[], NULL::smallint[], 0::smallint,
	          false, false, false, false, false, '', 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint,
	          pg_temp.ts(176), pg_temp.ts(176), 6::bigint),
	         ('tenant-a', 'tenant-a', true, true, true, true, true, false, '{2}'::smallint[], '{}'::smallint[], 1::smallint,
	          false, false, true, false, true, 'https://acme.test', 864000000000000::bigint, 864000000000000::bigint,
	          2592000000000000::bigint, 64800000000000::bigint, 43200000000000::bigint,
	          pg_temp.ts(160), pg_temp.ts(173), 32::bigint)$$,
	'login policy: added (absent keys are zero values), changed (present keys), second / multi factors, removed');

SELECT throws_ok(
	$$SELECT multitenant.push('org', 'org-1', 'org.policy.login.changed', '{"forceMFA": "yes"}', instance_id => 'tenant-a')$$,
	'22023', NULL, 'a login policy flag that is not a boolean fails the push');

SELECT throws_ok(
	$$SELECT multitenant.push('org', 'org-1', 'org.policy.password.age.changed', '{"maxAgeDays": "30"}', instance_id => 'tenant-a')$$,
	'22023', NULL, 'a password age that is a string fails the push');

DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.notification.added', '{"passwordChange": true}', 180);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.notification.added', '{}', 181);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.notification.changed', '{"passwordChange": true}', 182);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.notification.changed', '{}', 183);
	PERFORM pg_temp.ev('org', 'org-2', 'org.policy.notification.added', '{"passwordChange": false}', 184);
	PERFORM pg_temp.ev('org', 'org-2', 'org.policy.notification.removed', NULL, 185);
	PERFORM pg_temp.ev('org', 'org-3', 'org.policy.notification.added', '{"passwordChange": true}', 186);
END $$;

SELECT results_eq(
	$$SELECT instance_id, id, is_default, state, resource_owner, password_change, creation_date, change_date, sequence
	    FROM multitenant.notification_policies ORDER BY instance_id, id$$,
	$$VALUES ('tenant-a'::text, 'org-1'::text, false, 1::smallint, 'org-1'::text, true, pg_temp.ts(181), pg_temp.ts(182), 28::bigint),
	         ('tenant-a', 'org-3', false, 1::smallint, 'org-3', true, pg_temp.ts(186), pg_temp.ts(186), 7::bigint),
	         ('tenant-a', 'tenant-a', true, 1::smallint, 'tenant-a', true, pg_temp.ts(180), pg_temp.ts(183), 34::bigint)$$,
	'notification policy: added, changed, removed');

------------------------------------------------------------------------------
-- org.removed: everything the org owns, and what hangs on its users,
-- projects and project grants
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('project', 'proj-4', 'project.role.added', '{"key": "p4"}', 190);
	PERFORM pg_temp.ev('project', 'proj-4', 'project.grant.added', '{"grantId": "grant-5", "grantedOrgId": "org-2", "roleKeys": ["p4"]}', 191);
	PERFORM pg_temp.ev('project', 'proj-4', 'project.member.added', '{"userId": "user-1", "roles": ["PROJECT_OWNER"]}', 192);
	PERFORM pg_temp.ev('usergrant', 'ug-8', 'user.grant.added', '{"userId": "user-1", "projectId": "proj-1", "roleKeys": ["admin"]}', 193, owner => 'org-3');
	PERFORM pg_temp.ev('usergrant', 'ug-9', 'user.grant.added', '{"userId": "user-1", "projectId": "proj-4", "roleKeys": ["p4"]}', 194, owner => 'org-1');
	PERFORM pg_temp.ev('usergrant', 'ug-10', 'user.grant.added',
		'{"userId": "user-2", "projectId": "proj-1", "grantId": "grant-6", "roleKeys": ["viewer"]}', 195, owner => 'org-2');
END $$;

SELECT results_eq(
	$$SELECT id, resource_owner, resource_owner_user, resource_owner_project, granted_org
	    FROM multitenant.user_grants_projection WHERE instance_id = 'tenant-a' ORDER BY id$$,
	$$VALUES ('ug-1'::text, 'org-1'::text, 'org-1'::text, 'org-1'::text, ''::text),
	         ('ug-10', 'org-2', 'org-2', 'org-1', 'org-3'),
	         ('ug-2', 'org-2', 'org-2', 'org-1', 'org-2'),
	         ('ug-4', 'org-1', 'org-3', 'org-2', ''),
	         ('ug-8', 'org-3', 'org-1', 'org-1', ''),
	         ('ug-9', 'org-1', 'org-1', 'org-3', '')$$,
	'before org.removed: grants owned by, for users of, on projects of and granted to org-3');

SELECT is(pg_temp.ev('org', 'org-3', 'org.removed', NULL, 200), 8::bigint, 'org.removed pushed');

SELECT results_eq(
	$$SELECT id FROM multitenant.user_grants_projection WHERE instance_id = 'tenant-a' ORDER BY id$$,
	$$VALUES ('ug-1'::text), ('ug-2')$$,
	'org.removed deletes user grants by owner, user owner, project owner and granted org');

SELECT results_eq(
	$$SELECT grant_id FROM multitenant.project_grants_projection WHERE instance_id = 'tenant-a' ORDER BY grant_id$$,
	$$VALUES ('grant-1'::text), ('grant-4')$$,
	'org.removed deletes project grants of the org and to the org');

SELECT results_eq(
	$$SELECT 'org' AS kind, org_id AS scope, user_id FROM multitenant.org_members_projection WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'project', project_id, user_id FROM multitenant.project_members_projection WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'instance', id, user_id FROM multitenant.instance_members_projection WHERE instance_id = 'tenant-a'
	  ORDER BY 1, 2, 3$$,
	$$VALUES ('instance'::text, 'tenant-a'::text, 'user-1'::text), ('instance', 'tenant-a', 'user-2'),
	         ('org', 'org-1', 'user-1'), ('org', 'org-2', 'user-2'),
	         ('project', 'proj-1', 'user-1'), ('project', 'proj-2', 'user-2')$$,
	'org.removed deletes the org''s members and every membership of its users');

SELECT results_eq(
	$$SELECT (SELECT count(*) FROM multitenant.org_domains_projection WHERE instance_id = 'tenant-a' AND org_id = 'org-3'),
	         (SELECT count(*) FROM multitenant.project_roles_projection WHERE instance_id = 'tenant-a' AND resource_owner = 'org-3'),
	         (SELECT count(*) FROM multitenant.password_complexity_policies WHERE instance_id = 'tenant-a' AND id = 'org-3'),
	         (SELECT count(*) FROM multitenant.password_age_policies WHERE instance_id = 'tenant-a' AND id = 'org-3'),
	         (SELECT count(*) FROM multitenant.login_policies WHERE instance_id = 'tenant-a' AND aggregate_id = 'org-3'),
	         (SELECT count(*) FROM multitenant.notification_policies WHERE instance_id = 'tenant-a' AND id = 'org-3'),
	         (SELECT count(*) FROM multitenant.org_domains_projection WHERE instance_id = 'tenant-a'),
	         (SELECT count(*) FROM multitenant.password_complexity_policies WHERE instance_id = 'tenant-a')$$,
	$$VALUES (0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 3::bigint, 2::bigint)$$,
	'org.removed deletes the org''s domains, project roles and policies, and only those');

------------------------------------------------------------------------------
-- user.removed
------------------------------------------------------------------------------
SELECT is(pg_temp.ev('user', 'user-2', 'user.removed', NULL, 210), 2::bigint, 'user.removed pushed');

SELECT results_eq(
	$$SELECT 'grant' AS kind, id AS scope, user_id FROM multitenant.user_grants_projection WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'org', org_id, user_id FROM multitenant.org_members_projection WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'project', project_id, user_id FROM multitenant.project_members_projection WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'instance', id, user_id FROM multitenant.instance_members_projection WHERE instance_id = 'tenant-a'
	  ORDER BY 1, 2, 3$$,
	$$VALUES ('grant'::text, 'ug-1'::text, 'user-1'::text), ('instance', 'tenant-a', 'user-1'),
	         ('org', 'org-1', 'user-1'), ('project', 'proj-1', 'user-1')$$,
	'user.removed deletes the user''s grants and memberships');

------------------------------------------------------------------------------
-- Tenant B uses the same ids; its events never touch tenant A's rows
------------------------------------------------------------------------------
CREATE TEMPORARY TABLE tenant_a_before AS SELECT pg_temp.tenant_rows('tenant-a') AS rows;

DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-b', 'instance.added', '{"name": "Tenant B"}', 250, tenant => 'tenant-b');
	-- An instance domain names one instance across tenants (1.2), so tenant B
	-- has its own; org domains may repeat across tenants.
	PERFORM pg_temp.ev('instance', 'tenant-b', 'instance.domain.added', '{"domain": "b.zitadel.cloud"}', 251, tenant => 'tenant-b');
	PERFORM pg_temp.ev('instance', 'tenant-b', 'instance.domain.primary.set', '{"domain": "b.zitadel.cloud"}', 252, tenant => 'tenant-b');
	PERFORM pg_temp.ev('instance', 'tenant-b', 'instance.trusted_domains.added', '{"domain": "app.acme.test"}', 253, tenant => 'tenant-b');
	PERFORM pg_temp.ev('org', 'org-1', 'org.added', '{"name": "B One"}', 254, tenant => 'tenant-b');
	PERFORM pg_temp.ev('org', 'org-9', 'org.added', '{"name": "B Nine"}', 255, tenant => 'tenant-b');
	PERFORM pg_temp.ev('user', 'user-1', 'user.human.added',
		'{"userName": "bob", "firstName": "Bob", "lastName": "Baker", "email": "bob@b.test"}', 256, tenant => 'tenant-b', owner => 'org-9');
	PERFORM pg_temp.ev('project', 'proj-1', 'project.added', '{"name": "B Shop"}', 257, tenant => 'tenant-b', owner => 'org-9');
	PERFORM pg_temp.ev('instance', 'tenant-b', 'instance.member.added', '{"userId": "user-1", "roles": ["IAM_OWNER"]}', 258, tenant => 'tenant-b');
	PERFORM pg_temp.ev('instance', 'tenant-b', 'instance.policy.password.complexity.added', '{"minLength": 20}', 259, tenant => 'tenant-b');
	PERFORM pg_temp.ev('instance', 'tenant-b', 'instance.policy.login.added', '{"allowRegister": true}', 260, tenant => 'tenant-b');
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.added', '{"domain": "acme.test"}', 261, tenant => 'tenant-b');
	PERFORM pg_temp.ev('org', 'org-1', 'org.domain.primary.set', '{"domain": "acme.test"}', 262, tenant => 'tenant-b');
	PERFORM pg_temp.ev('usergrant', 'ug-1', 'user.grant.added', '{"userId": "user-1", "projectId": "proj-1", "roleKeys": ["admin"]}', 263,
		tenant => 'tenant-b', owner => 'org-1');
	PERFORM pg_temp.ev('org', 'org-1', 'org.member.added', '{"userId": "user-1", "roles": ["ORG_OWNER"]}', 264, tenant => 'tenant-b');
	PERFORM pg_temp.ev('project', 'proj-1', 'project.member.added', '{"userId": "user-1", "roles": ["PROJECT_OWNER"]}', 265, tenant => 'tenant-b');
	PERFORM pg_temp.ev('project', 'proj-1', 'project.role.added', '{"key": "admin"}', 266, tenant => 'tenant-b');
	PERFORM pg_temp.ev('project', 'proj-1', 'project.grant.added', '{"grantId": "grant-1", "grantedOrgId": "org-1", "roleKeys": ["admin"]}', 267,
		tenant => 'tenant-b');
END $$;

SELECT results_eq(
	$$SELECT instance_id, domain, is_primary, change_date FROM multitenant.instance_domains_projection WHERE domain IN ('a.zitadel.cloud', 'b.zitadel.cloud')
	  UNION ALL
	  SELECT instance_id, org_id || '/' || domain, is_primary, change_date FROM multitenant.org_domains_projection WHERE domain = 'acme.test'
	  ORDER BY 1, 2$$,
	$$VALUES ('tenant-a'::text, 'a.zitadel.cloud'::text, true, pg_temp.ts(58)),
	         ('tenant-a', 'org-1/acme.test', false, pg_temp.ts(26)),
	         ('tenant-b', 'b.zitadel.cloud', true, pg_temp.ts(252)),
	         ('tenant-b', 'org-1/acme.test', true, pg_temp.ts(262))$$,
	'domains in two tenants: each primary.set works in its own tenant');

SELECT results_eq(
	$$SELECT instance_id, id, resource_owner, user_id, resource_owner_user, project_id, resource_owner_project, roles
	    FROM multitenant.user_grants_projection WHERE id = 'ug-1' ORDER BY instance_id$$,
	$$VALUES ('tenant-a'::text, 'ug-1'::text, 'org-1'::text, 'user-1'::text, 'org-1'::text, 'proj-1'::text, 'org-1'::text, '{admin,viewer}'::text[]),
	         ('tenant-b', 'ug-1', 'org-1', 'user-1', 'org-9', 'proj-1', 'org-9', '{admin}'::text[])$$,
	'the same user grant id in two tenants; owners are looked up in the event''s own tenant');

SELECT results_eq(
	$$SELECT instance_id, id, user_id, user_resource_owner FROM multitenant.instance_members_projection WHERE user_id = 'user-1'
	  UNION ALL SELECT instance_id, org_id, user_id, user_resource_owner FROM multitenant.org_members_projection WHERE user_id = 'user-1'
	  ORDER BY 1, 2$$,
	$$VALUES ('tenant-a'::text, 'org-1'::text, 'user-1'::text, 'org-1'::text),
	         ('tenant-a', 'tenant-a', 'user-1', 'org-1'),
	         ('tenant-b', 'org-1', 'user-1', 'org-9'),
	         ('tenant-b', 'tenant-b', 'user-1', 'org-9')$$,
	'members of the same user id in two tenants');

DO $$ BEGIN
	PERFORM pg_temp.ev('org', 'org-1', 'org.removed', NULL, 270, tenant => 'tenant-b');
	PERFORM pg_temp.ev('user', 'user-1', 'user.removed', NULL, 271, tenant => 'tenant-b');
	PERFORM pg_temp.ev('project', 'proj-1', 'project.role.removed', '{"key": "admin"}', 272, tenant => 'tenant-b');
END $$;

SELECT is(pg_temp.tenant_rows('tenant-a'), (SELECT rows FROM tenant_a_before),
	'org.removed, user.removed and project.role.removed in tenant B leave tenant A''s rows as they were');

SELECT results_eq(
	$$SELECT 'domain' AS kind, domain AS what FROM multitenant.instance_domains_projection WHERE instance_id = 'tenant-b'
	  UNION ALL SELECT 'trusted', domain FROM multitenant.instance_trusted_domains_projection WHERE instance_id = 'tenant-b'
	  UNION ALL SELECT 'role', project_id || '/' || role_key FROM multitenant.project_roles_projection WHERE instance_id = 'tenant-b'
	  UNION ALL SELECT 'complexity', id FROM multitenant.password_complexity_policies WHERE instance_id = 'tenant-b'
	  UNION ALL SELECT 'login', aggregate_id FROM multitenant.login_policies WHERE instance_id = 'tenant-b'
	  ORDER BY 1, 2$$,
	$$VALUES ('complexity'::text, 'tenant-b'::text), ('domain', 'b.zitadel.cloud'), ('login', 'tenant-b'), ('trusted', 'app.acme.test')$$,
	'tenant B after its own removals: only instance-level rows are left');

------------------------------------------------------------------------------
-- rebuild replays to the same rows; instance.removed empties one tenant
------------------------------------------------------------------------------
CREATE TEMPORARY TABLE both_before AS SELECT pg_temp.tenant_rows('tenant-a') || pg_temp.tenant_rows('tenant-b') AS rows;
SELECT ok(multitenant.rebuild() > 0, 'rebuild replays the event store');
SELECT is(pg_temp.tenant_rows('tenant-a') || pg_temp.tenant_rows('tenant-b'), (SELECT rows FROM both_before),
	'rebuild reproduces every row, event-store lookups included');

SELECT ok(pg_temp.tenant_count('tenant-b') > 0, 'tenant B has rows before instance.removed');
SELECT is(pg_temp.ev('instance', 'tenant-b', 'instance.removed', NULL, 280, tenant => 'tenant-b'), 8::bigint, 'instance.removed pushed');
SELECT is(pg_temp.tenant_count('tenant-b'), 0::bigint, 'instance.removed empties every access projection of its tenant');
SELECT is(pg_temp.tenant_rows('tenant-a'), (SELECT rows FROM tenant_a_before), 'and leaves the other tenant alone');

SELECT * FROM finish();
ROLLBACK;
