-- Core 1.0 projections: instances, orgs, projects, applications (+ api /
-- oidc / saml configs) reduce a Zitadel-shaped event stream into the rows
-- Zitadel's projections of those objects hold.  Runs as superuser, so
-- row-level security is bypassed and every push names its tenant.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(60);

\ir ../fixtures/pgtap_events.sql

------------------------------------------------------------------------------
-- instance
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.added', '{"name": "ZITADEL"}', 1);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.changed', '{"name": "Tenant A"}', 2);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.default.org.set', '{"orgId": "org-1"}', 3);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.iam.project.set', '{"iamProjectId": "proj-iam"}', 4);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.iam.console.set', '{"clientId": "console@zitadel", "appId": "app-console"}', 5);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.default.language.set', '{"language": "de"}', 6);
END $$;

SELECT results_eq(
	$$SELECT instance_id, id, name, default_org_id, iam_project_id, console_client_id, console_app_id, default_language,
	         resource_owner, creation_date, change_date, sequence
	    FROM multitenant.instances_projection$$,
	$$VALUES ('tenant-a'::text, 'tenant-a'::text, 'Tenant A'::text, 'org-1'::text, 'proj-iam'::text, 'console@zitadel'::text,
	          'app-console'::text, 'de'::text, 'tenant-a'::text, pg_temp.ts(1), pg_temp.ts(6), 6::bigint)$$,
	'instance events build the instances_projection row');

------------------------------------------------------------------------------
-- org
------------------------------------------------------------------------------
SELECT is(pg_temp.ev('org', 'org-1', 'org.added', '{"name": "ACME"}', 10), 1::bigint, 'org.added pushed');

SELECT results_eq(
	$$SELECT id, name, org_state, primary_domain, resource_owner, creation_date, change_date, sequence
	    FROM multitenant.orgs_projection WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('org-1'::text, 'ACME'::text, 1::smallint, ''::text, 'org-1'::text, pg_temp.ts(10), pg_temp.ts(10), 1::bigint)$$,
	'org.added inserts an active org owned by itself');

DO $$ BEGIN
	PERFORM pg_temp.ev('org', 'org-1', 'org.changed', '{"name": ""}', 11);
	PERFORM pg_temp.ev('org', 'org-1', 'org.changed', '{}', 12);
END $$;

SELECT results_eq(
	$$SELECT name, change_date, sequence FROM multitenant.orgs_projection WHERE instance_id = 'tenant-a' AND id = 'org-1'$$,
	$$VALUES ('ACME'::text, pg_temp.ts(10), 1::bigint)$$,
	'org.changed without a name is a no-op');

SELECT is((SELECT count(*) FROM multitenant.events WHERE instance_id = 'tenant-a' AND aggregate_id = 'org-1'), 3::bigint,
	'no-op events are still stored');

SELECT is(pg_temp.ev('org', 'org-1', 'org.changed', '{"name": "ACME Corp"}', 13), 4::bigint, 'org.changed pushed');
SELECT is(pg_temp.ev('org', 'org-1', 'org.domain.primary.set', '{"domain": "acme.example.com"}', 14), 5::bigint, 'org.domain.primary.set pushed');
SELECT is(pg_temp.ev('org', 'org-1', 'org.deactivated', NULL, 15), 6::bigint, 'org.deactivated pushed');

SELECT results_eq(
	$$SELECT org_state, change_date, sequence FROM multitenant.orgs_projection WHERE instance_id = 'tenant-a' AND id = 'org-1'$$,
	$$VALUES (2::smallint, pg_temp.ts(15), 6::bigint)$$,
	'org.deactivated sets org_state 2');

SELECT is(pg_temp.ev('org', 'org-1', 'org.reactivated', NULL, 16), 7::bigint, 'org.reactivated pushed');

SELECT results_eq(
	$$SELECT name, org_state, primary_domain, creation_date, change_date, sequence
	    FROM multitenant.orgs_projection WHERE instance_id = 'tenant-a' AND id = 'org-1'$$,
	$$VALUES ('ACME Corp'::text, 1::smallint, 'acme.example.com'::text, pg_temp.ts(10), pg_temp.ts(16), 7::bigint)$$,
	'org.changed, org.domain.primary.set and org.reactivated update the org');

------------------------------------------------------------------------------
-- project
------------------------------------------------------------------------------
SELECT is(pg_temp.ev('project', 'proj-1', 'project.added',
	'{"name": "Shop", "projectRoleAssertion": true, "projectRoleCheck": false, "hasProjectCheck": false, "privateLabelingSetting": 1}',
	20, owner => 'org-1'), 1::bigint, 'project.added pushed');

SELECT results_eq(
	$$SELECT id, name, state, project_role_assertion, project_role_check, has_project_check, private_labeling_setting,
	         resource_owner, creation_date, change_date, sequence
	    FROM multitenant.projects_projection WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('proj-1'::text, 'Shop'::text, 1::smallint, true, false, false, 1::smallint, 'org-1'::text,
	          pg_temp.ts(20), pg_temp.ts(20), 1::bigint)$$,
	'project.added inserts an active project');

DO $$ BEGIN
	PERFORM pg_temp.ev('project', 'proj-1', 'project.changed', '{"name": "Webshop"}', 21);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.changed', '{}', 22);
END $$;

SELECT results_eq(
	$$SELECT name, project_role_assertion, private_labeling_setting, change_date, sequence
	    FROM multitenant.projects_projection WHERE instance_id = 'tenant-a' AND id = 'proj-1'$$,
	$$VALUES ('Webshop'::text, true, 1::smallint, pg_temp.ts(21), 2::bigint)$$,
	'project.changed changes only the keys present; without any key it is a no-op');

SELECT is(pg_temp.ev('project', 'proj-1', 'project.changed', '{"hasProjectCheck": true, "privateLabelingSetting": 2}', 23),
	4::bigint, 'project.changed with flags pushed');
SELECT is(pg_temp.ev('project', 'proj-1', 'project.deactivated', NULL, 24), 5::bigint, 'project.deactivated pushed');

SELECT results_eq(
	$$SELECT name, state, project_role_assertion, project_role_check, has_project_check, private_labeling_setting, change_date, sequence
	    FROM multitenant.projects_projection WHERE instance_id = 'tenant-a' AND id = 'proj-1'$$,
	$$VALUES ('Webshop'::text, 2::smallint, true, false, true, 2::smallint, pg_temp.ts(24), 5::bigint)$$,
	'project.changed flags and project.deactivated');

SELECT is(pg_temp.ev('project', 'proj-1', 'project.reactivated', NULL, 25), 6::bigint, 'project.reactivated pushed');
SELECT is((SELECT state FROM multitenant.projects_projection WHERE instance_id = 'tenant-a' AND id = 'proj-1'), 1::smallint,
	'project.reactivated sets state 1');

------------------------------------------------------------------------------
-- API application
------------------------------------------------------------------------------
SELECT is(pg_temp.ev('project', 'proj-1', 'project.application.added', '{"appId": "app-api", "name": "Backend API"}', 30),
	7::bigint, 'project.application.added pushed');

SELECT results_eq(
	$$SELECT id, name, project_id, state, resource_owner, creation_date, change_date, sequence
	    FROM multitenant.applications_projection WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('app-api'::text, 'Backend API'::text, 'proj-1'::text, 1::smallint, 'org-1'::text, pg_temp.ts(30), pg_temp.ts(30), 7::bigint)$$,
	'project.application.added inserts the app keyed by appId under the project');

-- Legacy CryptoValue secret: stored as the text of its Crypted bytes.
SELECT is(pg_temp.ev('project', 'proj-1', 'project.application.config.api.added',
	pg_catalog.jsonb_build_object('appId', 'app-api', 'clientId', '312@webshop', 'authMethodType', 0,
		'clientSecret', pg_catalog.jsonb_build_object('CryptoType', 1, 'Algorithm', 'bcrypt', 'KeyID', '',
			'Crypted', pg_temp.b64('$2a$14$legacyhash'))),
	31), 8::bigint, 'project.application.config.api.added pushed');

SELECT results_eq(
	$$SELECT app_id, client_id, client_secret, auth_method FROM multitenant.applications_projection_api_configs WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('app-api'::text, '312@webshop'::text, '$2a$14$legacyhash'::text, 0::smallint)$$,
	'config.api.added inserts the api config with the CryptoValue secret');

SELECT results_eq(
	$$SELECT change_date, sequence FROM multitenant.applications_projection WHERE instance_id = 'tenant-a' AND id = 'app-api'$$,
	$$VALUES (pg_temp.ts(31), 8::bigint)$$,
	'config.api.added touches the app row');

DO $$ BEGIN
	PERFORM pg_temp.ev('project', 'proj-1', 'project.application.config.api.changed', '{"appId": "app-api", "authMethodType": 1}', 32);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.application.config.api.changed', '{"appId": "app-api"}', 33);
END $$;

SELECT results_eq(
	$$SELECT c.auth_method, a.change_date, a.sequence
	    FROM multitenant.applications_projection_api_configs c
	    JOIN multitenant.applications_projection a ON a.instance_id = c.instance_id AND a.id = c.app_id
	   WHERE c.instance_id = 'tenant-a' AND c.app_id = 'app-api'$$,
	$$VALUES (1::smallint, pg_temp.ts(32), 9::bigint)$$,
	'config.api.changed sets auth_method; without authMethodType it is a no-op');

SELECT is(pg_temp.ev('project', 'proj-1', 'project.application.config.api.secret.changed',
	'{"appId": "app-api", "hashedSecret": "$2a$14$second"}', 34), 11::bigint, 'config.api.secret.changed pushed');
SELECT is((SELECT client_secret FROM multitenant.applications_projection_api_configs WHERE instance_id = 'tenant-a' AND app_id = 'app-api'),
	'$2a$14$second', 'config.api.secret.changed stores hashedSecret');

SELECT is(pg_temp.ev('project', 'proj-1', 'project.application.config.api.secret.updated',
	'{"appId": "app-api", "hashedSecret": "$argon2id$v=19$third"}', 35), 12::bigint, 'config.api.secret.updated pushed');
SELECT results_eq(
	$$SELECT c.client_secret, a.change_date, a.sequence
	    FROM multitenant.applications_projection_api_configs c
	    JOIN multitenant.applications_projection a ON a.instance_id = c.instance_id AND a.id = c.app_id
	   WHERE c.instance_id = 'tenant-a' AND c.app_id = 'app-api'$$,
	$$VALUES ('$argon2id$v=19$third'::text, pg_temp.ts(35), 12::bigint)$$,
	'config.api.secret.updated replaces the hash and touches the app');

------------------------------------------------------------------------------
-- OIDC application
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('project', 'proj-1', 'project.application.added', '{"appId": "app-oidc", "name": "Web"}', 40);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.application.config.oidc.added', $j${
		"oidcVersion": 0, "appId": "app-oidc", "clientId": "313@webshop", "hashedSecret": "$2a$14$oidc",
		"redirectUris": ["https://shop.example.com/cb"], "responseTypes": [0], "grantTypes": [0, 2],
		"applicationType": 0, "authMethodType": 0, "postLogoutRedirectUris": ["https://shop.example.com/"],
		"devMode": false, "accessTokenType": 1, "accessTokenRoleAssertion": true, "idTokenRoleAssertion": false,
		"idTokenUserinfoAssertion": true, "clockSkew": 1000000000, "additionalOrigins": ["https://cdn.example.com"],
		"skipNativeAppSuccessPage": false, "backChannelLogoutURI": "https://shop.example.com/bcl",
		"loginVersion": 2, "loginBaseURI": "https://login.example.com/"}$j$, 41);
END $$;

SELECT results_eq(
	$$SELECT app_id, version, client_id, client_secret, redirect_uris, response_types, grant_types, application_type,
	         auth_method_type, post_logout_redirect_uris, is_dev_mode, access_token_type, access_token_role_assertion,
	         id_token_role_assertion, id_token_userinfo_assertion, clock_skew, additional_origins,
	         skip_native_app_success_page, back_channel_logout_uri, login_version, login_base_uri
	    FROM multitenant.applications_projection_oidc_configs WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('app-oidc'::text, 0::smallint, '313@webshop'::text, '$2a$14$oidc'::text, '{https://shop.example.com/cb}'::text[],
	          '{0}'::smallint[], '{0,2}'::smallint[], 0::smallint, 0::smallint, '{https://shop.example.com/}'::text[], false,
	          1::smallint, true, false, true, 1000000000::bigint, '{https://cdn.example.com}'::text[], false,
	          'https://shop.example.com/bcl'::text, 2::smallint, 'https://login.example.com/'::text)$$,
	'config.oidc.added inserts every oidc column');

SELECT results_eq(
	$$SELECT change_date, sequence FROM multitenant.applications_projection WHERE instance_id = 'tenant-a' AND id = 'app-oidc'$$,
	$$VALUES (pg_temp.ts(41), 14::bigint)$$,
	'config.oidc.added touches the app row');

DO $$ BEGIN
	PERFORM pg_temp.ev('project', 'proj-1', 'project.application.config.oidc.changed',
		'{"appId": "app-oidc", "redirectUris": ["https://shop.example.com/cb", "http://localhost:3000/cb"], "devMode": true, "clockSkew": 2000000000}', 42);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.application.config.oidc.changed', '{"appId": "app-oidc"}', 43);
END $$;

SELECT results_eq(
	$$SELECT o.redirect_uris, o.is_dev_mode, o.clock_skew, o.grant_types, o.access_token_type, o.login_version,
	         o.client_id, o.client_secret, a.change_date, a.sequence
	    FROM multitenant.applications_projection_oidc_configs o
	    JOIN multitenant.applications_projection a ON a.instance_id = o.instance_id AND a.id = o.app_id
	   WHERE o.instance_id = 'tenant-a' AND o.app_id = 'app-oidc'$$,
	$$VALUES ('{https://shop.example.com/cb,http://localhost:3000/cb}'::text[], true, 2000000000::bigint, '{0,2}'::smallint[],
	          1::smallint, 2::smallint, '313@webshop'::text, '$2a$14$oidc'::text, pg_temp.ts(42), 15::bigint)$$,
	'config.oidc.changed changes only the keys present; without any key it is a no-op');

SELECT is(pg_temp.ev('project', 'proj-1', 'project.application.config.oidc.secret.changed',
	pg_catalog.jsonb_build_object('appId', 'app-oidc', 'clientSecret',
		pg_catalog.jsonb_build_object('CryptoType', 1, 'Algorithm', 'bcrypt', 'KeyID', '', 'Crypted', pg_temp.b64('$2a$14$oidc2'))),
	44), 17::bigint, 'config.oidc.secret.changed pushed');
SELECT is((SELECT client_secret FROM multitenant.applications_projection_oidc_configs WHERE instance_id = 'tenant-a' AND app_id = 'app-oidc'),
	'$2a$14$oidc2', 'config.oidc.secret.changed stores the CryptoValue secret');

SELECT is(pg_temp.ev('project', 'proj-1', 'project.application.config.oidc.secret.updated',
	'{"appId": "app-oidc", "hashedSecret": "$argon2id$oidc3"}', 45), 18::bigint, 'config.oidc.secret.updated pushed');
SELECT results_eq(
	$$SELECT o.client_secret, a.change_date, a.sequence
	    FROM multitenant.applications_projection_oidc_configs o
	    JOIN multitenant.applications_projection a ON a.instance_id = o.instance_id AND a.id = o.app_id
	   WHERE o.instance_id = 'tenant-a' AND o.app_id = 'app-oidc'$$,
	$$VALUES ('$argon2id$oidc3'::text, pg_temp.ts(45), 18::bigint)$$,
	'config.oidc.secret.updated replaces the hash and touches the app');

-- application changes and state
DO $$ BEGIN
	PERFORM pg_temp.ev('project', 'proj-1', 'project.application.changed', '{"appId": "app-oidc", "name": "Webshop Frontend"}', 46);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.application.changed', '{"appId": "app-oidc", "name": ""}', 47);
END $$;

SELECT results_eq(
	$$SELECT name, change_date, sequence FROM multitenant.applications_projection WHERE instance_id = 'tenant-a' AND id = 'app-oidc'$$,
	$$VALUES ('Webshop Frontend'::text, pg_temp.ts(46), 19::bigint)$$,
	'project.application.changed renames; an empty name is a no-op');

SELECT is(pg_temp.ev('project', 'proj-1', 'project.application.deactivated', '{"appId": "app-oidc"}', 48), 21::bigint,
	'project.application.deactivated pushed');
SELECT results_eq(
	$$SELECT state, change_date, sequence FROM multitenant.applications_projection WHERE instance_id = 'tenant-a' AND id = 'app-oidc'$$,
	$$VALUES (2::smallint, pg_temp.ts(48), 21::bigint)$$,
	'project.application.deactivated sets state 2');

SELECT is(pg_temp.ev('project', 'proj-1', 'project.application.reactivated', '{"appId": "app-oidc"}', 49), 22::bigint,
	'project.application.reactivated pushed');
SELECT is((SELECT state FROM multitenant.applications_projection WHERE instance_id = 'tenant-a' AND id = 'app-oidc'), 1::smallint,
	'project.application.reactivated sets state 1');

------------------------------------------------------------------------------
-- SAML application
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('project', 'proj-1', 'project.application.added', '{"appId": "app-saml", "name": "SAML SP"}', 50);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.application.config.saml.added',
		pg_catalog.jsonb_build_object('appId', 'app-saml', 'entityId', 'https://sp.example.com/metadata',
			'metadata', pg_temp.b64('<EntityDescriptor entityID="https://sp.example.com/metadata"/>'), 'metadata_url', ''), 51);
END $$;

SELECT results_eq(
	$$SELECT app_id, entity_id, metadata, metadata_url, login_version, login_base_uri
	    FROM multitenant.applications_projection_saml_configs WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('app-saml'::text, 'https://sp.example.com/metadata'::text,
	          pg_catalog.convert_to('<EntityDescriptor entityID="https://sp.example.com/metadata"/>', 'UTF8'),
	          ''::text, NULL::smallint, NULL::text)$$,
	'config.saml.added stores the decoded metadata');

DO $$ BEGIN
	PERFORM pg_temp.ev('project', 'proj-1', 'project.application.config.saml.changed',
		'{"appId": "app-saml", "metadata_url": "https://sp.example.com/metadata.xml", "loginVersion": 1}', 52);
	PERFORM pg_temp.ev('project', 'proj-1', 'project.application.config.saml.changed', '{"appId": "app-saml", "entityId": ""}', 53);
END $$;

SELECT results_eq(
	$$SELECT s.entity_id, s.metadata_url, s.login_version, pg_catalog.length(s.metadata) > 0, a.change_date, a.sequence
	    FROM multitenant.applications_projection_saml_configs s
	    JOIN multitenant.applications_projection a ON a.instance_id = s.instance_id AND a.id = s.app_id
	   WHERE s.instance_id = 'tenant-a' AND s.app_id = 'app-saml'$$,
	$$VALUES ('https://sp.example.com/metadata'::text, 'https://sp.example.com/metadata.xml'::text, 1::smallint, true,
	          pg_temp.ts(52), 25::bigint)$$,
	'config.saml.changed changes only the keys present (snake_case metadata_url); an empty change is a no-op');

------------------------------------------------------------------------------
-- removals
------------------------------------------------------------------------------
SELECT is(pg_temp.ev('project', 'proj-1', 'project.application.removed', '{"appId": "app-api"}', 55), 27::bigint,
	'project.application.removed pushed');
SELECT results_eq(
	$$SELECT id FROM multitenant.applications_projection WHERE instance_id = 'tenant-a' ORDER BY id$$,
	$$VALUES ('app-oidc'::text), ('app-saml'::text)$$,
	'project.application.removed deletes the app');
SELECT is_empty(
	$$SELECT 1 FROM multitenant.applications_projection_api_configs WHERE instance_id = 'tenant-a'$$,
	'the removed app''s api config goes with it');

SELECT is(pg_temp.ev('project', 'proj-1', 'project.removed', '{"Name": "Webshop"}', 60), 28::bigint, 'project.removed pushed');
SELECT is_empty(
	$$SELECT 1 FROM multitenant.projects_projection WHERE instance_id = 'tenant-a'$$,
	'project.removed deletes the project');
SELECT is_empty(
	$$SELECT 1 FROM multitenant.applications_projection WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 1 FROM multitenant.applications_projection_oidc_configs WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 1 FROM multitenant.applications_projection_saml_configs WHERE instance_id = 'tenant-a'$$,
	'project.removed deletes the project''s apps and their configs');

-- org.removed cascades to the org's projects and apps, and only those.
DO $$ BEGIN
	PERFORM pg_temp.ev('project', 'proj-2', 'project.added', '{"name": "Intranet"}', 70, owner => 'org-1');
	PERFORM pg_temp.ev('project', 'proj-2', 'project.application.added', '{"appId": "app-intra", "name": "Intranet Web"}', 71);
	PERFORM pg_temp.ev('project', 'proj-2', 'project.application.config.oidc.added', '{"appId": "app-intra", "clientId": "314@intranet"}', 72);
	PERFORM pg_temp.ev('org', 'org-2', 'org.added', '{"name": "Other"}', 73);
	PERFORM pg_temp.ev('project', 'proj-3', 'project.added', '{"name": "Keep"}', 74, owner => 'org-2');
	PERFORM pg_temp.ev('project', 'proj-3', 'project.application.added', '{"appId": "app-x", "name": "Kept"}', 75);
	PERFORM pg_temp.ev('project', 'proj-3', 'project.application.config.api.added', '{"appId": "app-x", "clientId": "315@keep"}', 76);
END $$;

SELECT results_eq(
	$$SELECT version, client_secret, redirect_uris, response_types, grant_types, post_logout_redirect_uris, additional_origins,
	         is_dev_mode, clock_skew, back_channel_logout_uri, login_version, login_base_uri
	    FROM multitenant.applications_projection_oidc_configs WHERE instance_id = 'tenant-a' AND app_id = 'app-intra'$$,
	$$VALUES (0::smallint, NULL::text, '{}'::text[], '{}'::smallint[], '{}'::smallint[], '{}'::text[], '{}'::text[],
	          false, 0::bigint, NULL::text, NULL::smallint, NULL::text)$$,
	'config.oidc.added with a minimal payload uses the defaults');

SELECT is((SELECT resource_owner FROM multitenant.applications_projection WHERE instance_id = 'tenant-a' AND id = 'app-intra'),
	'org-1', 'apps inherit the project''s resource owner');

SELECT is(pg_temp.ev('org', 'org-1', 'org.removed', NULL, 77), 8::bigint, 'org.removed pushed');

SELECT results_eq(
	$$SELECT 'org' AS kind, id FROM multitenant.orgs_projection WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'project', id FROM multitenant.projects_projection WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'app', id FROM multitenant.applications_projection WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'api', app_id FROM multitenant.applications_projection_api_configs WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'oidc', app_id FROM multitenant.applications_projection_oidc_configs WHERE instance_id = 'tenant-a'
	  ORDER BY 1, 2$$,
	$$VALUES ('api'::text, 'app-x'::text), ('app', 'app-x'), ('org', 'org-2'), ('project', 'proj-3')$$,
	'org.removed deletes the org, its projects, apps and configs; other orgs stay');

------------------------------------------------------------------------------
-- instance.removed: only its own tenant
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-b', 'instance.added', '{"name": "Tenant B"}', 80, tenant => 'tenant-b');
	PERFORM pg_temp.ev('org', 'org-2', 'org.added', '{"name": "Other"}', 81, tenant => 'tenant-b');
	PERFORM pg_temp.ev('project', 'proj-3', 'project.added', '{"name": "Keep"}', 82, tenant => 'tenant-b', owner => 'org-2');
	PERFORM pg_temp.ev('project', 'proj-3', 'project.application.added', '{"appId": "app-x", "name": "Kept"}', 83, tenant => 'tenant-b');
	PERFORM pg_temp.ev('project', 'proj-3', 'project.application.config.api.added', '{"appId": "app-x", "clientId": "315@keep"}', 84, tenant => 'tenant-b');
	PERFORM pg_temp.ev('project', 'proj-3', 'project.application.config.saml.added',
		'{"appId": "app-x", "entityId": "urn:x", "metadata": "PHgvPg=="}', 85, tenant => 'tenant-b');
	PERFORM pg_temp.ev('project', 'proj-3', 'project.application.config.saml.added',
		'{"appId": "app-x", "entityId": "urn:x", "metadata": "PHgvPg=="}', 86);
END $$;

SELECT is(pg_temp.ev('instance', 'tenant-a', 'instance.removed', NULL, 90), 7::bigint, 'instance.removed pushed');

SELECT results_eq(
	$$SELECT t.tbl, (SELECT count(*) FROM multitenant.instances_projection WHERE instance_id = 'tenant-a' AND t.tbl = 'instances')
	              + (SELECT count(*) FROM multitenant.orgs_projection WHERE instance_id = 'tenant-a' AND t.tbl = 'orgs')
	              + (SELECT count(*) FROM multitenant.projects_projection WHERE instance_id = 'tenant-a' AND t.tbl = 'projects')
	              + (SELECT count(*) FROM multitenant.applications_projection WHERE instance_id = 'tenant-a' AND t.tbl = 'apps')
	              + (SELECT count(*) FROM multitenant.applications_projection_api_configs WHERE instance_id = 'tenant-a' AND t.tbl = 'api')
	              + (SELECT count(*) FROM multitenant.applications_projection_oidc_configs WHERE instance_id = 'tenant-a' AND t.tbl = 'oidc')
	              + (SELECT count(*) FROM multitenant.applications_projection_saml_configs WHERE instance_id = 'tenant-a' AND t.tbl = 'saml')
	    FROM (VALUES (1, 'instances'), (2, 'orgs'), (3, 'projects'), (4, 'apps'), (5, 'api'), (6, 'oidc'), (7, 'saml')) AS t(o, tbl)
	   ORDER BY t.o$$,
	$$VALUES ('instances'::text, 0::bigint), ('orgs', 0), ('projects', 0), ('apps', 0), ('api', 0), ('oidc', 0), ('saml', 0)$$,
	'instance.removed empties every core projection of its tenant');

SELECT results_eq(
	$$SELECT (SELECT id FROM multitenant.instances_projection WHERE instance_id = 'tenant-b'),
	         (SELECT id FROM multitenant.orgs_projection WHERE instance_id = 'tenant-b'),
	         (SELECT id FROM multitenant.projects_projection WHERE instance_id = 'tenant-b'),
	         (SELECT id FROM multitenant.applications_projection WHERE instance_id = 'tenant-b'),
	         (SELECT client_id FROM multitenant.applications_projection_api_configs WHERE instance_id = 'tenant-b'),
	         (SELECT entity_id FROM multitenant.applications_projection_saml_configs WHERE instance_id = 'tenant-b')$$,
	$$VALUES ('tenant-b'::text, 'org-2'::text, 'proj-3'::text, 'app-x'::text, '315@keep'::text, 'urn:x'::text)$$,
	'another tenant with the same ids is untouched');

------------------------------------------------------------------------------
-- a payload key of the wrong JSON type fails the push and leaves nothing
------------------------------------------------------------------------------
SELECT throws_ok(
	$$SELECT multitenant.push('org', 'org-bad', 'org.added', '{"name": 42}', instance_id => 'tenant-b')$$,
	'22023', NULL,
	'org.added with a numeric name fails with 22023');
SELECT is_empty(
	$$SELECT 1 FROM multitenant.events WHERE instance_id = 'tenant-b' AND aggregate_id = 'org-bad'
	  UNION ALL SELECT 1 FROM multitenant.orgs_projection WHERE instance_id = 'tenant-b' AND id = 'org-bad'$$,
	'the failed push leaves no event and no row');

SELECT throws_ok(
	$$SELECT multitenant.push('project', 'proj-3', 'project.application.config.saml.changed',
	                          '{"appId": "app-x", "metadata": 123}', instance_id => 'tenant-b')$$,
	'22023', NULL,
	'a number where base64 metadata is expected fails with 22023');
SELECT results_eq(
	$$SELECT (SELECT max(sequence) FROM multitenant.events WHERE instance_id = 'tenant-b' AND aggregate_id = 'proj-3'),
	         (SELECT sequence FROM multitenant.applications_projection WHERE instance_id = 'tenant-b' AND id = 'app-x')$$,
	$$VALUES (4::bigint, 4::bigint)$$,
	'the failed push leaves the event store and the app row as they were');

SELECT * FROM finish();
ROLLBACK;
