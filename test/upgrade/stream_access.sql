-- Upgrade stream for the access projections: org / instance domains, trusted
-- domains, project roles, project and user grants, org / project / instance
-- members, password complexity / age, login and notification policies.
--
-- Runs as superuser after the base stream (per tenant T: instance T, orgs
-- T-org-1 and T-org-2, project T-proj-1 owned by T-org-1) and works on the
-- 1.0 single-tenant tables as on 1.1: every id this stream creates carries
-- the tenant and "acc", so ids never collide across tenants or with other
-- streams.  Every reducer of the group runs at least once; the final state
-- has rows in every table for every tenant, with some objects changed,
-- deactivated and removed (a project, a user and an org are removed, so
-- the cascades run).
--
-- Each event is one multitenant.push with a fixed created_at: tenant k's
-- events are one second apart from 2024-06-0k 08:00 UTC on.  {T} in the
-- rows below stands for the tenant.

DO $stream$
DECLARE
	tenant text;
	day integer := 0;
	ev record;
	pushed integer := 0;
BEGIN
	FOREACH tenant IN ARRAY ARRAY['upg-a', 'upg-b', 'upg-c']
	LOOP
		day := day + 1;
		FOR ev IN
			WITH stream(sec, sub, agg_type, agg_id, event_type, payload, owner) AS (
				----------------------------------------------------------------
				-- 1: orgs, users, projects of this stream
				----------------------------------------------------------------
				VALUES
				(1, 1, 'org', '{T}-acc-org-3', 'org.added', '{"name": "Acc Three {T}"}', NULL),
				(1, 2, 'org', '{T}-acc-org-4', 'org.added', '{"name": "Acc Four {T}"}', NULL)
				UNION ALL
				-- users 1..12: odd ones belong to T-org-1, even ones to T-org-2,
				-- 11 and 12 to T-acc-org-3; every fourth is a machine user
				SELECT 1, 10 + i, 'user', '{T}-acc-user-' || i,
				       CASE WHEN i % 4 = 0 THEN 'user.machine.added' ELSE 'user.human.added' END,
				       CASE WHEN i % 4 = 0
				            THEN pg_catalog.format('{"userName": "acc-bot-%s@{T}", "name": "Bot %s", "description": "stream bot", "accessTokenType": 0}', i, i)
				            ELSE pg_catalog.format('{"userName": "acc-user-%s@{T}", "firstName": "First%s", "lastName": "Last", "displayName": "First%s Last", "preferredLanguage": "en", "email": "acc-user-%s@{T}.test", "changeRequired": false}', i, i, i, i)
				       END,
				       CASE WHEN i >= 11 THEN '{T}-acc-org-3' WHEN i % 2 = 1 THEN '{T}-org-1' ELSE '{T}-org-2' END
				  FROM pg_catalog.generate_series(1, 12) AS i
				UNION ALL VALUES
				(1, 30, 'project', '{T}-acc-proj-2', 'project.added', '{"name": "Acc Two", "projectRoleAssertion": true}', '{T}-org-2'),
				(1, 31, 'project', '{T}-acc-proj-3', 'project.added', '{"name": "Acc Three"}', '{T}-acc-org-3'),
				(1, 32, 'project', '{T}-acc-proj-4', 'project.added', '{"name": "Acc Four"}', '{T}-org-1'),
				(1, 33, 'project', '{T}-acc-proj-5', 'project.added', '{"name": "Acc Five"}', '{T}-org-2')
				----------------------------------------------------------------
				-- 2: org domains (10 events on each of four orgs)
				----------------------------------------------------------------
				UNION ALL
				SELECT 2, o.n * 100 + d.sub, 'org', o.org, d.event_type, pg_catalog.replace(d.payload, '{O}', o.slug), NULL
				  FROM (VALUES (1, '{T}-org-1', 'o1'), (2, '{T}-org-2', 'o2'), (3, '{T}-acc-org-3', 'o3'), (4, '{T}-acc-org-4', 'o4'))
				       AS o(n, org, slug)
				 CROSS JOIN (VALUES
					(1, 'org.domain.added', '{"domain": "acc-a.{O}.{T}.test"}'),
					(2, 'org.domain.added', '{"domain": "acc-b.{O}.{T}.test"}'),
					(3, 'org.domain.added', '{"domain": "acc-c.{O}.{T}.test"}'),
					(4, 'org.domain.verification.added', '{"domain": "acc-a.{O}.{T}.test", "validationType": 2, "validationCode": {"CryptoType": 0, "Algorithm": "aes", "KeyID": "domainVerificationKey", "Crypted": "c2VjcmV0"}}'),
					(5, 'org.domain.verified', '{"domain": "acc-a.{O}.{T}.test"}'),
					(6, 'org.domain.primary.set', '{"domain": "acc-a.{O}.{T}.test"}'),
					(7, 'org.domain.verification.added', '{"domain": "acc-b.{O}.{T}.test", "validationType": 1, "validationCode": {"CryptoType": 0, "Algorithm": "aes", "KeyID": "domainVerificationKey", "Crypted": "b3RoZXI="}}'),
					(8, 'org.domain.verified', '{"domain": "acc-b.{O}.{T}.test"}'),
					(9, 'org.domain.primary.set', '{"domain": "acc-b.{O}.{T}.test"}'),
					(10, 'org.domain.removed', '{"domain": "acc-c.{O}.{T}.test"}')) AS d(sub, event_type, payload)
				----------------------------------------------------------------
				-- 3: project roles
				----------------------------------------------------------------
				UNION ALL VALUES
				(3, 1, 'project', '{T}-proj-1', 'project.role.added', '{"key": "acc-admin", "displayName": "Admin", "group": "acc"}', NULL),
				(3, 2, 'project', '{T}-proj-1', 'project.role.added', '{"key": "acc-editor", "displayName": "Editor", "group": "acc"}', NULL),
				(3, 3, 'project', '{T}-proj-1', 'project.role.added', '{"key": "acc-viewer", "displayName": "Viewer"}', NULL),
				(3, 4, 'project', '{T}-proj-1', 'project.role.added', '{"key": "acc-auditor", "displayName": "Auditor", "group": "acc"}', NULL),
				(3, 5, 'project', '{T}-proj-1', 'project.role.added', '{"key": "acc-temp"}', NULL),
				(3, 6, 'project', '{T}-proj-1', 'project.role.added', '{"key": "acc-gone", "displayName": "Gone"}', NULL),
				(3, 7, 'project', '{T}-proj-1', 'project.role.changed', '{"key": "acc-viewer", "displayName": "Reader"}', NULL),
				(3, 8, 'project', '{T}-proj-1', 'project.role.changed', '{"key": "acc-editor", "group": "writers"}', NULL),
				(3, 9, 'project', '{T}-proj-1', 'project.role.changed', '{"key": "acc-auditor"}', NULL),
				(3, 10, 'project', '{T}-proj-1', 'project.role.removed', '{"key": "acc-temp"}', NULL),
				(3, 11, 'project', '{T}-acc-proj-2', 'project.role.added', '{"key": "r-a", "displayName": "A"}', NULL),
				(3, 12, 'project', '{T}-acc-proj-2', 'project.role.added', '{"key": "r-b", "displayName": "B"}', NULL),
				(3, 13, 'project', '{T}-acc-proj-3', 'project.role.added', '{"key": "r-x", "displayName": "X"}', NULL),
				(3, 14, 'project', '{T}-acc-proj-4', 'project.role.added', '{"key": "r-y", "displayName": "Y"}', NULL),
				(3, 15, 'project', '{T}-acc-proj-5', 'project.role.added', '{"key": "r-z", "displayName": "Z"}', NULL)
				----------------------------------------------------------------
				-- 4: instance domains and trusted domains
				----------------------------------------------------------------
				UNION ALL VALUES
				(4, 1, 'instance', '{T}', 'instance.domain.added', '{"domain": "{T}-acc.zitadel.cloud", "generated": true}', NULL),
				(4, 2, 'instance', '{T}', 'instance.domain.added', '{"domain": "login.{T}.acc.test", "generated": false}', NULL),
				(4, 3, 'instance', '{T}', 'instance.domain.added', '{"domain": "old.{T}.acc.test"}', NULL),
				(4, 4, 'instance', '{T}', 'instance.domain.primary.set', '{"domain": "{T}-acc.zitadel.cloud"}', NULL),
				(4, 5, 'instance', '{T}', 'instance.domain.primary.set', '{"domain": "login.{T}.acc.test"}', NULL),
				(4, 6, 'instance', '{T}', 'instance.domain.removed', '{"domain": "old.{T}.acc.test"}', NULL),
				(4, 7, 'instance', '{T}', 'instance.trusted_domains.added', '{"domain": "app.{T}.acc.test"}', NULL),
				(4, 8, 'instance', '{T}', 'instance.trusted_domains.added', '{"domain": "api.{T}.acc.test"}', NULL),
				(4, 9, 'instance', '{T}', 'instance.trusted_domains.added', '{"domain": "tmp.{T}.acc.test"}', NULL),
				(4, 10, 'instance', '{T}', 'instance.trusted_domains.removed', '{"domain": "tmp.{T}.acc.test"}', NULL)
				----------------------------------------------------------------
				-- 5: project grants
				----------------------------------------------------------------
				UNION ALL VALUES
				(5, 1, 'project', '{T}-proj-1', 'project.grant.added', '{"grantId": "{T}-acc-grant-1", "grantedOrgId": "{T}-org-2", "roleKeys": ["acc-admin", "acc-viewer", "acc-editor"]}', NULL),
				(5, 2, 'project', '{T}-proj-1', 'project.grant.added', '{"grantId": "{T}-acc-grant-2", "grantedOrgId": "{T}-acc-org-3", "roleKeys": ["acc-viewer"]}', NULL),
				(5, 3, 'project', '{T}-proj-1', 'project.grant.added', '{"grantId": "{T}-acc-grant-4", "grantedOrgId": "{T}-acc-org-4", "roleKeys": ["acc-viewer"]}', NULL),
				(5, 4, 'project', '{T}-acc-proj-2', 'project.grant.added', '{"grantId": "{T}-acc-grant-3", "grantedOrgId": "{T}-org-1", "roleKeys": ["r-a", "r-b"]}', NULL),
				(5, 5, 'project', '{T}-acc-proj-4', 'project.grant.added', '{"grantId": "{T}-acc-grant-6", "grantedOrgId": "{T}-org-2", "roleKeys": ["r-y"]}', NULL),
				(5, 6, 'project', '{T}-acc-proj-5', 'project.grant.added', '{"grantId": "{T}-acc-grant-5", "grantedOrgId": "{T}-org-1", "roleKeys": ["r-z"]}', NULL),
				(5, 7, 'project', '{T}-acc-proj-3', 'project.grant.added', '{"grantId": "{T}-acc-grant-7", "grantedOrgId": "{T}-org-1", "roleKeys": ["r-x"]}', NULL),
				(5, 8, 'project', '{T}-proj-1', 'project.grant.changed', '{"grantId": "{T}-acc-grant-1", "roleKeys": ["acc-admin", "acc-viewer", "acc-editor", "acc-gone"]}', NULL),
				(5, 9, 'project', '{T}-acc-proj-2', 'project.grant.deactivated', '{"grantId": "{T}-acc-grant-3"}', NULL),
				(5, 10, 'project', '{T}-acc-proj-2', 'project.grant.reactivated', '{"grantId": "{T}-acc-grant-3"}', NULL),
				(5, 11, 'project', '{T}-acc-proj-2', 'project.grant.deactivated', '{"grantId": "{T}-acc-grant-3"}', NULL),
				(5, 12, 'project', '{T}-acc-proj-5', 'project.owner.corrected', NULL, '{T}-org-1')
				----------------------------------------------------------------
				-- 6: user grants (aggregate usergrant)
				----------------------------------------------------------------
				UNION ALL
				-- grants 1..8 for users 1..8 on T-proj-1: T-org-1's users directly,
				-- T-org-2's users through the project grant to T-org-2
				SELECT 6, i, 'usergrant', '{T}-acc-ug-' || i, 'user.grant.added',
				       CASE WHEN i % 2 = 1
				            THEN pg_catalog.format('{"userId": "{T}-acc-user-%s", "projectId": "{T}-proj-1", "roleKeys": ["acc-admin", "acc-viewer", "acc-gone"]}', i)
				            ELSE pg_catalog.format('{"userId": "{T}-acc-user-%s", "projectId": "{T}-proj-1", "grantId": "{T}-acc-grant-1", "roleKeys": ["acc-viewer", "acc-editor", "acc-gone"]}', i)
				       END,
				       CASE WHEN i % 2 = 1 THEN '{T}-org-1' ELSE '{T}-org-2' END
				  FROM pg_catalog.generate_series(1, 8) AS i
				UNION ALL VALUES
				(6, 9, 'usergrant', '{T}-acc-ug-9', 'user.grant.added', '{"userId": "{T}-acc-user-11", "projectId": "{T}-proj-1", "roleKeys": ["acc-viewer"]}', '{T}-org-1'),
				(6, 10, 'usergrant', '{T}-acc-ug-10', 'user.grant.added', '{"userId": "{T}-acc-user-1", "projectId": "{T}-acc-proj-3", "roleKeys": ["r-x"]}', '{T}-acc-org-3'),
				(6, 11, 'usergrant', '{T}-acc-ug-11', 'user.grant.added', '{"userId": "{T}-acc-user-3", "projectId": "{T}-proj-1", "grantId": "{T}-acc-grant-2", "roleKeys": ["acc-viewer"]}', '{T}-acc-org-3'),
				(6, 12, 'usergrant', '{T}-acc-ug-12', 'user.grant.added', '{"userId": "{T}-acc-user-5", "projectId": "{T}-acc-proj-4", "roleKeys": ["r-y"]}', '{T}-org-1'),
				(6, 13, 'usergrant', '{T}-acc-ug-13', 'user.grant.added', '{"userId": "{T}-acc-user-9", "projectId": "{T}-proj-1", "roleKeys": ["acc-viewer"]}', '{T}-org-1'),
				(6, 14, 'usergrant', '{T}-acc-ug-14', 'user.grant.added', '{"userId": "{T}-acc-user-4", "projectId": "{T}-proj-1", "grantId": "{T}-acc-grant-4", "roleKeys": ["acc-viewer"]}', '{T}-acc-org-4'),
				(6, 15, 'usergrant', '{T}-acc-ug-15', 'user.grant.added', '{"userId": "{T}-acc-user-7", "projectId": "{T}-acc-proj-2", "grantId": "{T}-acc-grant-3", "roleKeys": ["r-a"]}', '{T}-org-1'),
				(6, 16, 'usergrant', '{T}-acc-ug-1', 'user.grant.changed', '{"userId": "{T}-acc-user-1", "roleKeys": ["acc-admin", "acc-gone"]}', NULL),
				(6, 17, 'usergrant', '{T}-acc-ug-2', 'user.grant.cascade.changed', '{"userId": "{T}-acc-user-2", "roleKeys": ["acc-viewer", "acc-gone"]}', NULL),
				(6, 18, 'usergrant', '{T}-acc-ug-3', 'user.grant.deactivated', NULL, NULL),
				(6, 19, 'usergrant', '{T}-acc-ug-4', 'user.grant.deactivated', NULL, NULL),
				(6, 20, 'usergrant', '{T}-acc-ug-3', 'user.grant.reactivated', NULL, NULL),
				(6, 21, 'usergrant', '{T}-acc-ug-5', 'user.grant.removed', '{"userId": "{T}-acc-user-5", "projectId": "{T}-proj-1"}', NULL),
				(6, 22, 'usergrant', '{T}-acc-ug-6', 'user.grant.cascade.removed', '{"userId": "{T}-acc-user-6", "projectId": "{T}-proj-1", "grantId": "{T}-acc-grant-1"}', NULL)
				----------------------------------------------------------------
				-- 7: project changes that reach the user grants
				----------------------------------------------------------------
				UNION ALL VALUES
				(7, 1, 'project', '{T}-proj-1', 'project.role.removed', '{"key": "acc-gone"}', NULL),
				(7, 2, 'project', '{T}-proj-1', 'project.grant.cascade.changed', '{"grantId": "{T}-acc-grant-1", "roleKeys": ["acc-admin", "acc-viewer", "acc-editor"]}', NULL),
				(7, 3, 'project', '{T}-proj-1', 'project.grant.changed', '{"grantId": "{T}-acc-grant-1", "roleKeys": ["acc-viewer", "acc-editor"]}', NULL),
				(7, 4, 'project', '{T}-proj-1', 'project.grant.removed', '{"grantId": "{T}-acc-grant-4"}', NULL)
				----------------------------------------------------------------
				-- 8: members
				----------------------------------------------------------------
				UNION ALL VALUES
				(8, 1, 'org', '{T}-org-1', 'org.member.added', '{"userId": "{T}-acc-user-1", "roles": ["ORG_OWNER"]}', NULL),
				(8, 2, 'org', '{T}-org-1', 'org.member.added', '{"userId": "{T}-acc-user-3", "roles": ["ORG_USER_MANAGER"]}', NULL),
				(8, 3, 'org', '{T}-org-1', 'org.member.added', '{"userId": "{T}-acc-user-5", "roles": ["ORG_PROJECT_CREATOR"]}', NULL),
				(8, 4, 'org', '{T}-org-1', 'org.member.added', '{"userId": "{T}-acc-user-12", "roles": ["ORG_USER_MANAGER"]}', NULL),
				(8, 5, 'org', '{T}-org-2', 'org.member.added', '{"userId": "{T}-acc-user-2", "roles": ["ORG_OWNER"]}', NULL),
				(8, 6, 'org', '{T}-org-2', 'org.member.added', '{"userId": "{T}-acc-user-4", "roles": ["ORG_USER_MANAGER"]}', NULL),
				(8, 7, 'org', '{T}-org-2', 'org.member.added', '{"userId": "{T}-acc-user-9", "roles": ["ORG_OWNER_VIEWER"]}', NULL),
				(8, 8, 'org', '{T}-acc-org-3', 'org.member.added', '{"userId": "{T}-acc-user-11", "roles": ["ORG_OWNER"]}', NULL),
				(8, 9, 'org', '{T}-acc-org-4', 'org.member.added', '{"userId": "{T}-acc-user-1", "roles": ["ORG_OWNER"]}', NULL),
				(8, 10, 'org', '{T}-org-1', 'org.member.changed', '{"userId": "{T}-acc-user-3", "roles": ["ORG_USER_MANAGER", "ORG_SETTINGS_MANAGER"]}', NULL),
				(8, 11, 'org', '{T}-org-1', 'org.member.removed', '{"userId": "{T}-acc-user-5"}', NULL),
				(8, 12, 'org', '{T}-org-2', 'org.member.cascade.removed', '{"userId": "{T}-acc-user-4"}', NULL),
				(8, 20, 'project', '{T}-proj-1', 'project.member.added', '{"userId": "{T}-acc-user-1", "roles": ["PROJECT_OWNER"]}', NULL),
				(8, 21, 'project', '{T}-proj-1', 'project.member.added', '{"userId": "{T}-acc-user-2", "roles": ["PROJECT_OWNER_VIEWER"]}', NULL),
				(8, 22, 'project', '{T}-proj-1', 'project.member.added', '{"userId": "{T}-acc-user-3", "roles": ["PROJECT_OWNER_VIEWER"]}', NULL),
				(8, 23, 'project', '{T}-proj-1', 'project.member.added', '{"userId": "{T}-acc-user-12", "roles": ["PROJECT_OWNER_VIEWER"]}', NULL),
				(8, 24, 'project', '{T}-proj-1', 'project.member.added', '{"userId": "{T}-acc-user-9", "roles": ["PROJECT_OWNER_VIEWER"]}', NULL),
				(8, 25, 'project', '{T}-acc-proj-2', 'project.member.added', '{"userId": "{T}-acc-user-4", "roles": ["PROJECT_OWNER"]}', NULL),
				(8, 26, 'project', '{T}-acc-proj-3', 'project.member.added', '{"userId": "{T}-acc-user-5", "roles": ["PROJECT_OWNER"]}', NULL),
				(8, 27, 'project', '{T}-acc-proj-4', 'project.member.added', '{"userId": "{T}-acc-user-1", "roles": ["PROJECT_OWNER"]}', NULL),
				(8, 28, 'project', '{T}-acc-proj-5', 'project.member.added', '{"userId": "{T}-acc-user-6", "roles": ["PROJECT_OWNER"]}', NULL),
				(8, 29, 'project', '{T}-proj-1', 'project.member.changed', '{"userId": "{T}-acc-user-2", "roles": ["PROJECT_OWNER_VIEWER", "PROJECT_GRANT_OWNER"]}', NULL),
				(8, 30, 'project', '{T}-proj-1', 'project.member.removed', '{"userId": "{T}-acc-user-3"}', NULL),
				(8, 31, 'project', '{T}-acc-proj-2', 'project.member.cascade.removed', '{"userId": "{T}-acc-user-4"}', NULL),
				(8, 40, 'instance', '{T}', 'instance.member.added', '{"userId": "{T}-acc-user-1", "roles": ["IAM_OWNER"]}', NULL),
				(8, 41, 'instance', '{T}', 'instance.member.added', '{"userId": "{T}-acc-user-2", "roles": ["IAM_OWNER_VIEWER"]}', NULL),
				(8, 42, 'instance', '{T}', 'instance.member.added', '{"userId": "{T}-acc-user-11", "roles": ["IAM_ORG_MANAGER"]}', NULL),
				(8, 43, 'instance', '{T}', 'instance.member.added', '{"userId": "{T}-acc-user-6", "roles": ["IAM_USER_MANAGER"]}', NULL),
				(8, 44, 'instance', '{T}', 'instance.member.added', '{"userId": "{T}-acc-user-7", "roles": ["IAM_USER_MANAGER"]}', NULL),
				(8, 45, 'instance', '{T}', 'instance.member.added', '{"userId": "{T}-acc-user-9", "roles": ["IAM_OWNER_VIEWER"]}', NULL),
				(8, 46, 'instance', '{T}', 'instance.member.changed', '{"userId": "{T}-acc-user-2", "roles": ["IAM_OWNER_VIEWER", "IAM_USER_MANAGER"]}', NULL),
				(8, 47, 'instance', '{T}', 'instance.member.removed', '{"userId": "{T}-acc-user-6"}', NULL),
				(8, 48, 'instance', '{T}', 'instance.member.cascade.removed', '{"userId": "{T}-acc-user-7"}', NULL)
				----------------------------------------------------------------
				-- 9: policies: the instance defaults, T-acc-org-4's own (kept),
				-- T-acc-org-3's (removed, added again, then gone with the org)
				----------------------------------------------------------------
				UNION ALL VALUES
				(9, 1, 'instance', '{T}', 'instance.policy.password.complexity.added', '{"minLength": 8, "hasLowercase": true, "hasUppercase": true, "hasNumber": true, "hasSymbol": true}', NULL),
				(9, 2, 'instance', '{T}', 'instance.policy.password.complexity.changed', '{"minLength": 10, "hasSymbol": false}', NULL),
				(9, 3, 'instance', '{T}', 'instance.policy.password.age.added', '{"expireWarnDays": 0, "maxAgeDays": 0}', NULL),
				(9, 4, 'instance', '{T}', 'instance.policy.password.age.changed', '{"expireWarnDays": 7, "maxAgeDays": 90}', NULL),
				(9, 5, 'instance', '{T}', 'instance.policy.login.added', '{"allowUsernamePassword": true, "allowRegister": true, "allowExternalIdp": true, "forceMFA": false, "forceMFALocalOnly": false, "passwordlessType": 1, "hidePasswordReset": false, "ignoreUnknownUsernames": false, "allowDomainDiscovery": true, "disableLoginWithEmail": false, "disableLoginWithPhone": false, "defaultRedirectURI": "", "passwordCheckLifetime": 864000000000000, "externalLoginCheckLifetime": 864000000000000, "mfaInitSkipLifetime": 2592000000000000, "secondFactorCheckLifetime": 64800000000000, "multiFactorCheckLifetime": 43200000000000}', NULL),
				(9, 6, 'instance', '{T}', 'instance.policy.login.secondfactor.added', '{"mfaType": 1}', NULL),
				(9, 7, 'instance', '{T}', 'instance.policy.login.secondfactor.added', '{"mfaType": 2}', NULL),
				(9, 8, 'instance', '{T}', 'instance.policy.login.secondfactor.removed', '{"mfaType": 2}', NULL),
				(9, 9, 'instance', '{T}', 'instance.policy.login.multifactor.added', '{"mfaType": 1}', NULL),
				(9, 10, 'instance', '{T}', 'instance.policy.login.multifactor.removed', '{"mfaType": 1}', NULL),
				(9, 11, 'instance', '{T}', 'instance.policy.login.multifactor.added', '{"mfaType": 1}', NULL),
				(9, 12, 'instance', '{T}', 'instance.policy.login.changed', '{"forceMFA": true, "defaultRedirectURI": "https://{T}.acc.test/home"}', NULL),
				(9, 13, 'instance', '{T}', 'instance.policy.notification.added', '{"passwordChange": true}', NULL),
				(9, 14, 'instance', '{T}', 'instance.policy.notification.changed', '{"passwordChange": false}', NULL),
				(9, 20, 'org', '{T}-acc-org-4', 'org.policy.password.complexity.added', '{"minLength": 12, "hasLowercase": true, "hasUppercase": true, "hasNumber": true, "hasSymbol": false}', NULL),
				(9, 21, 'org', '{T}-acc-org-4', 'org.policy.password.complexity.changed', '{"hasSymbol": true}', NULL),
				(9, 22, 'org', '{T}-acc-org-4', 'org.policy.password.age.added', '{"expireWarnDays": 3, "maxAgeDays": 30}', NULL),
				(9, 23, 'org', '{T}-acc-org-4', 'org.policy.password.age.changed', '{"maxAgeDays": 45}', NULL),
				(9, 24, 'org', '{T}-acc-org-4', 'org.policy.login.added', '{"allowUsernamePassword": true, "allowRegister": false, "allowExternalIdp": false, "forceMFA": true, "forceMFALocalOnly": true, "passwordlessType": 0, "passwordCheckLifetime": 3600000000000}', NULL),
				(9, 25, 'org', '{T}-acc-org-4', 'org.policy.login.changed', '{"allowExternalIdp": true, "hidePasswordReset": true}', NULL),
				(9, 26, 'org', '{T}-acc-org-4', 'org.policy.login.secondfactor.added', '{"mfaType": 3}', NULL),
				(9, 27, 'org', '{T}-acc-org-4', 'org.policy.login.secondfactor.added', '{"mfaType": 4}', NULL),
				(9, 28, 'org', '{T}-acc-org-4', 'org.policy.login.secondfactor.removed', '{"mfaType": 3}', NULL),
				(9, 29, 'org', '{T}-acc-org-4', 'org.policy.login.multifactor.added', '{"mfaType": 1}', NULL),
				(9, 30, 'org', '{T}-acc-org-4', 'org.policy.login.multifactor.removed', '{"mfaType": 1}', NULL),
				(9, 31, 'org', '{T}-acc-org-4', 'org.policy.notification.added', '{"passwordChange": false}', NULL),
				(9, 32, 'org', '{T}-acc-org-4', 'org.policy.notification.changed', '{"passwordChange": true}', NULL),
				(9, 40, 'org', '{T}-acc-org-3', 'org.policy.password.complexity.added', '{"minLength": 6}', NULL),
				(9, 41, 'org', '{T}-acc-org-3', 'org.policy.password.complexity.removed', NULL, NULL),
				(9, 42, 'org', '{T}-acc-org-3', 'org.policy.password.complexity.added', '{"minLength": 7}', NULL),
				(9, 43, 'org', '{T}-acc-org-3', 'org.policy.password.age.added', '{"maxAgeDays": 10}', NULL),
				(9, 44, 'org', '{T}-acc-org-3', 'org.policy.password.age.removed', NULL, NULL),
				(9, 45, 'org', '{T}-acc-org-3', 'org.policy.password.age.added', '{"maxAgeDays": 11}', NULL),
				(9, 46, 'org', '{T}-acc-org-3', 'org.policy.login.added', '{"allowUsernamePassword": true}', NULL),
				(9, 47, 'org', '{T}-acc-org-3', 'org.policy.login.removed', NULL, NULL),
				(9, 48, 'org', '{T}-acc-org-3', 'org.policy.login.added', '{"allowRegister": true}', NULL),
				(9, 49, 'org', '{T}-acc-org-3', 'org.policy.notification.added', '{"passwordChange": true}', NULL),
				(9, 50, 'org', '{T}-acc-org-3', 'org.policy.notification.removed', NULL, NULL),
				(9, 51, 'org', '{T}-acc-org-3', 'org.policy.notification.added', '{"passwordChange": false}', NULL)
				----------------------------------------------------------------
				-- 10: removals and their cascades
				----------------------------------------------------------------
				UNION ALL VALUES
				(10, 1, 'project', '{T}-acc-proj-4', 'project.removed', '{"Name": "Acc Four"}', NULL),
				(10, 2, 'user', '{T}-acc-user-9', 'user.removed', NULL, NULL),
				(10, 3, 'org', '{T}-acc-org-3', 'org.removed', NULL, NULL)
			)
			SELECT s.agg_type,
			       pg_catalog.replace(s.agg_id, '{T}', tenant) AS agg_id,
			       s.event_type,
			       pg_catalog.replace(s.payload, '{T}', tenant)::jsonb AS payload,
			       pg_catalog.replace(s.owner, '{T}', tenant) AS owner,
			       pg_catalog.row_number() OVER (ORDER BY s.sec, s.sub) AS n
			  FROM stream AS s
			 ORDER BY s.sec, s.sub
		LOOP
			PERFORM multitenant.push(ev.agg_type, ev.agg_id, ev.event_type, ev.payload,
			                         resource_owner => ev.owner, instance_id => tenant,
			                         created_at => '2024-06-01 08:00:00+00'::timestamptz
			                                       + pg_catalog.make_interval(days => day - 1, secs => ev.n));
			pushed := pushed + 1;
		END LOOP;
	END LOOP;
END
$stream$;
