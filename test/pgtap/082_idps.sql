-- Identity providers (1.1 form): idp_configs (+ oidc / jwt configs),
-- idp_providers and idp_templates_projection (+ its 12 detail tables) reduce a
-- Zitadel-shaped event stream into the rows Zitadel's IdP projections hold.
-- Runs as superuser, so row-level security is bypassed and every push names
-- its tenant; every query filters by instance_id.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(64);

\ir ../fixtures/pgtap_events.sql

-- cv(tag): a legacy CryptoValue object as Zitadel writes it (Go field names).
CREATE FUNCTION pg_temp.cv(tag text) RETURNS jsonb LANGUAGE sql IMMUTABLE
AS $$ SELECT pg_catalog.jsonb_build_object('CryptoType', 0, 'Algorithm', 'aes', 'KeyID', 'idpConfigKey',
                                           'Crypted', pg_temp.b64(tag)) $$;

------------------------------------------------------------------------------
-- Legacy instance IdP config: `iam.` events on aggregate `instance`
------------------------------------------------------------------------------
SELECT is(pg_temp.ev('instance', 'tenant-a', 'iam.idp.config.added',
	'{"idpConfigId": "idp-1", "name": "Corp SSO", "idpType": 0, "stylingType": 1, "autoRegister": true}', 1),
	1::bigint, 'iam.idp.config.added pushed');

SELECT results_eq(
	$$SELECT instance_id, id, name, styling_type, owner_type, auto_register, type, state, owner_removed,
	         resource_owner, creation_date, change_date, sequence
	    FROM multitenant.idp_configs WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('tenant-a'::text, 'idp-1'::text, 'Corp SSO'::text, 1::smallint, 0::smallint, true, NULL::smallint,
	          1::smallint, false, 'tenant-a'::text, pg_temp.ts(1), pg_temp.ts(1), 1::bigint)$$,
	'iam.idp.config.added inserts an active instance-owned config without a type');

SELECT results_eq(
	$$SELECT id, name, type, owner_type, state, is_creation_allowed, is_linking_allowed, is_auto_creation,
	         is_auto_update, auto_linking, resource_owner, creation_date, change_date, sequence
	    FROM multitenant.idp_templates_projection WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('idp-1'::text, 'Corp SSO'::text, 0::smallint, 0::smallint, 1::smallint, true, true, true,
	          false, 0::smallint, 'tenant-a'::text, pg_temp.ts(1), pg_temp.ts(1), 1::bigint)$$,
	'the legacy config appears as a template of type 0, creation and linking allowed, auto creation = autoRegister');

SELECT is(pg_temp.ev('instance', 'tenant-a', 'iam.idp.oidc.config.added',
	pg_catalog.jsonb_build_object('idpConfigId', 'idp-1', 'clientId', 'client-1', 'clientSecret', pg_temp.cv('s1'),
		'issuer', 'https://sso.example.com', 'authorizationEndpoint', 'https://sso.example.com/auth',
		'tokenEndpoint', 'https://sso.example.com/token', 'scopes', pg_catalog.jsonb_build_array('openid', 'email'),
		'idpDisplayNameMapping', 1, 'usernameMapping', 2), 2),
	2::bigint, 'iam.idp.oidc.config.added pushed');

SELECT results_eq(
	$$SELECT type, change_date, sequence FROM multitenant.idp_configs WHERE instance_id = 'tenant-a' AND id = 'idp-1'$$,
	$$VALUES (0::smallint, pg_temp.ts(2), 2::bigint)$$,
	'the OIDC config sets type 0 (oidc) on the config');

SELECT results_eq(
	$$SELECT instance_id, idp_id, client_id, client_secret, issuer, scopes, display_name_mapping, username_mapping,
	         authorization_endpoint, token_endpoint
	    FROM multitenant.idp_configs_oidc_config WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('tenant-a'::text, 'idp-1'::text, 'client-1'::text, pg_temp.cv('s1'), 'https://sso.example.com'::text,
	          '{openid,email}'::text[], 1::smallint, 2::smallint, 'https://sso.example.com/auth'::text,
	          'https://sso.example.com/token'::text)$$,
	'iam.idp.oidc.config.added inserts the OIDC config with the CryptoValue as jsonb');

SELECT results_eq(
	$$SELECT t.type, t.change_date, t.sequence, o.issuer, o.client_id, o.client_secret, o.scopes, o.id_token_mapping, o.use_pkce
	    FROM multitenant.idp_templates_projection AS t
	    JOIN multitenant.idp_templates_projection_oidc AS o ON o.instance_id = t.instance_id AND o.idp_id = t.id
	   WHERE t.instance_id = 'tenant-a' AND t.id = 'idp-1'$$,
	$$VALUES (1::smallint, pg_temp.ts(2), 2::bigint, 'https://sso.example.com'::text, 'client-1'::text, pg_temp.cv('s1'),
	          '{openid,email}'::text[], true, false)$$,
	'the template becomes type 1 with an OIDC row (ID token mapping on, PKCE off)');

-- No key present: a no-op on idp_configs, but the template is touched (as in Zitadel).
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'iam.idp.config.changed', '{"idpConfigId": "idp-1"}', 3);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'iam.idp.oidc.config.changed', '{"idpConfigId": "idp-1", "clientSecret": null}', 4);
END $$;

SELECT results_eq(
	$$SELECT c.name, c.change_date, c.sequence, o.client_secret
	    FROM multitenant.idp_configs AS c
	    JOIN multitenant.idp_configs_oidc_config AS o ON o.instance_id = c.instance_id AND o.idp_id = c.id
	   WHERE c.instance_id = 'tenant-a' AND c.id = 'idp-1'$$,
	$$VALUES ('Corp SSO'::text, pg_temp.ts(2), 2::bigint, pg_temp.cv('s1'))$$,
	'config / OIDC changes without a key (or with a null) are no-ops on idp_configs');

SELECT results_eq(
	$$SELECT t.name, t.change_date, t.sequence, o.client_secret
	    FROM multitenant.idp_templates_projection AS t
	    JOIN multitenant.idp_templates_projection_oidc AS o ON o.instance_id = t.instance_id AND o.idp_id = t.id
	   WHERE t.instance_id = 'tenant-a' AND t.id = 'idp-1'$$,
	$$VALUES ('Corp SSO'::text, pg_temp.ts(4), 4::bigint, pg_temp.cv('s1'))$$,
	'the same events still touch the template row, not its OIDC row');

DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'iam.idp.config.changed',
		'{"idpConfigId": "idp-1", "name": "Corp SSO EU", "autoRegister": false}', 5);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'iam.idp.oidc.config.changed',
		'{"idpConfigId": "idp-1", "issuer": "https://eu.sso.example.com", "scopes": ["openid"], "usernameMapping": 1}', 6);
END $$;

SELECT results_eq(
	$$SELECT c.name, c.styling_type, c.auto_register, c.change_date, c.sequence, o.client_id, o.issuer, o.scopes,
	         o.display_name_mapping, o.username_mapping, o.authorization_endpoint
	    FROM multitenant.idp_configs AS c
	    JOIN multitenant.idp_configs_oidc_config AS o ON o.instance_id = c.instance_id AND o.idp_id = c.id
	   WHERE c.instance_id = 'tenant-a' AND c.id = 'idp-1'$$,
	$$VALUES ('Corp SSO EU'::text, 1::smallint, false, pg_temp.ts(6), 6::bigint, 'client-1'::text,
	          'https://eu.sso.example.com'::text, '{openid}'::text[], 1::smallint, 1::smallint, 'https://sso.example.com/auth'::text)$$,
	'config and OIDC changes change only the keys present');

SELECT results_eq(
	$$SELECT t.name, t.is_auto_creation, t.change_date, t.sequence, o.issuer, o.scopes
	    FROM multitenant.idp_templates_projection AS t
	    JOIN multitenant.idp_templates_projection_oidc AS o ON o.instance_id = t.instance_id AND o.idp_id = t.id
	   WHERE t.instance_id = 'tenant-a' AND t.id = 'idp-1'$$,
	$$VALUES ('Corp SSO EU'::text, false, pg_temp.ts(6), 6::bigint, 'https://eu.sso.example.com'::text, '{openid}'::text[])$$,
	'the template follows name, autoRegister, issuer and scopes');

SELECT is(pg_temp.ev('instance', 'tenant-a', 'iam.idp.config.deactivated', '{"idpConfigId": "idp-1"}', 7), 7::bigint,
	'iam.idp.config.deactivated pushed');
SELECT results_eq(
	$$SELECT (SELECT ROW(state, change_date, sequence)::text FROM multitenant.idp_configs WHERE instance_id = 'tenant-a' AND id = 'idp-1'),
	         (SELECT ROW(state, change_date, sequence)::text FROM multitenant.idp_templates_projection WHERE instance_id = 'tenant-a' AND id = 'idp-1')$$,
	$$VALUES (ROW(2::smallint, pg_temp.ts(7), 7::bigint)::text, ROW(1::smallint, pg_temp.ts(6), 6::bigint)::text)$$,
	'deactivation sets state 2 on the config; templates do not reduce it');

SELECT is(pg_temp.ev('instance', 'tenant-a', 'iam.idp.config.reactivated', '{"idpConfigId": "idp-1"}', 8), 8::bigint,
	'iam.idp.config.reactivated pushed');
SELECT results_eq(
	$$SELECT state, change_date, sequence FROM multitenant.idp_configs WHERE instance_id = 'tenant-a' AND id = 'idp-1'$$,
	$$VALUES (1::smallint, pg_temp.ts(8), 8::bigint)$$,
	'reactivation sets state 1');

-- Legacy JWT config
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'iam.idp.config.added', '{"idpConfigId": "idp-2", "name": "Partner JWT", "idpType": 2}', 9);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'iam.idp.jwt.config.added',
		'{"idpConfigId": "idp-2", "jwtEndpoint": "https://p.example.com/jwt", "issuer": "https://p.example.com", "keysEndpoint": "https://p.example.com/keys"}', 10);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'iam.idp.jwt.config.changed', '{"idpConfigId": "idp-2", "headerName": "x-token"}', 11);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'iam.idp.jwt.config.changed', '{"idpConfigId": "idp-2"}', 12);
END $$;

SELECT results_eq(
	$$SELECT c.type, c.styling_type, c.auto_register, c.change_date, c.sequence, j.issuer, j.keys_endpoint, j.header_name, j.endpoint
	    FROM multitenant.idp_configs AS c
	    JOIN multitenant.idp_configs_jwt_config AS j ON j.instance_id = c.instance_id AND j.idp_id = c.id
	   WHERE c.instance_id = 'tenant-a' AND c.id = 'idp-2'$$,
	$$VALUES (2::smallint, 0::smallint, false, pg_temp.ts(11), 11::bigint, 'https://p.example.com'::text,
	          'https://p.example.com/keys'::text, 'x-token'::text, 'https://p.example.com/jwt'::text)$$,
	'JWT config: type 2, jwtEndpoint -> endpoint, headerName changed, the empty change a no-op');

SELECT results_eq(
	$$SELECT t.type, t.change_date, t.sequence, j.issuer, j.jwt_endpoint, j.keys_endpoint, j.header_name
	    FROM multitenant.idp_templates_projection AS t
	    JOIN multitenant.idp_templates_projection_jwt AS j ON j.instance_id = t.instance_id AND j.idp_id = t.id
	   WHERE t.instance_id = 'tenant-a' AND t.id = 'idp-2'$$,
	$$VALUES (2::smallint, pg_temp.ts(12), 12::bigint, 'https://p.example.com'::text, 'https://p.example.com/jwt'::text,
	          'https://p.example.com/keys'::text, 'x-token'::text)$$,
	'the template becomes type 2 with a JWT row; every JWT change touches it');

------------------------------------------------------------------------------
-- Legacy org IdP config: `org.` events on aggregate `org`
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('org', 'org-1', 'org.idp.config.added', '{"idpConfigId": "idp-3", "name": "ACME AD"}', 20);
	PERFORM pg_temp.ev('org', 'org-1', 'org.idp.oidc.config.added',
		'{"idpConfigId": "idp-3", "clientId": "acme", "issuer": "https://login.acme.example.com"}', 21);
END $$;

SELECT results_eq(
	$$SELECT c.owner_type, c.resource_owner, c.styling_type, c.auto_register, c.type, c.sequence,
	         o.client_secret, o.scopes, o.display_name_mapping, o.username_mapping, o.authorization_endpoint, o.token_endpoint
	    FROM multitenant.idp_configs AS c
	    JOIN multitenant.idp_configs_oidc_config AS o ON o.instance_id = c.instance_id AND o.idp_id = c.id
	   WHERE c.instance_id = 'tenant-a' AND c.id = 'idp-3'$$,
	$$VALUES (1::smallint, 'org-1'::text, 0::smallint, false, 0::smallint, 2::bigint,
	          'null'::jsonb, '{}'::text[], 0::smallint, 0::smallint, ''::text, ''::text)$$,
	'an org config is owner_type 1; absent keys become Go zero values (JSON null for the secret)');

SELECT results_eq(
	$$SELECT t.owner_type, t.resource_owner, t.type, t.is_auto_creation, o.client_secret, o.scopes
	    FROM multitenant.idp_templates_projection AS t
	    JOIN multitenant.idp_templates_projection_oidc AS o ON o.instance_id = t.instance_id AND o.idp_id = t.id
	   WHERE t.instance_id = 'tenant-a' AND t.id = 'idp-3'$$,
	$$VALUES (1::smallint, 'org-1'::text, 1::smallint, false, 'null'::jsonb, NULL::text[])$$,
	'the org config as a template (scopes stay NULL when absent)');

------------------------------------------------------------------------------
-- idp_providers: login policy links
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.login.idpprovider.added', '{"idpConfigId": "idp-1", "idpProviderType": 0}', 30);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.login.idpprovider.added', '{"idpConfigId": "idp-2", "idpProviderType": 0}', 31);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.login.idpprovider.added', '{"idpConfigId": "idp-1", "idpProviderType": 0}', 32);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.login.idpprovider.added', '{"idpConfigId": "idp-3", "idpProviderType": 1}', 33);
	PERFORM pg_temp.ev('org', 'org-2', 'org.policy.login.idpprovider.added', '{"idpConfigId": "idp-1", "idpProviderType": 0}', 34);
	PERFORM pg_temp.ev('org', 'org-2', 'org.policy.login.idpprovider.added', '{"idpConfigId": "idp-2", "idpProviderType": 0}', 35);
END $$;

SELECT results_eq(
	$$SELECT aggregate_id, idp_id, provider_type, resource_owner, creation_date, change_date, sequence
	    FROM multitenant.idp_providers WHERE instance_id = 'tenant-a' ORDER BY aggregate_id, idp_id$$,
	$$VALUES ('org-1'::text, 'idp-1'::text, 1::smallint, 'org-1'::text, pg_temp.ts(32), pg_temp.ts(32), 3::bigint),
	         ('org-1', 'idp-3', 1::smallint, 'org-1', pg_temp.ts(33), pg_temp.ts(33), 4::bigint),
	         ('org-2', 'idp-1', 1::smallint, 'org-2', pg_temp.ts(34), pg_temp.ts(34), 1::bigint),
	         ('org-2', 'idp-2', 1::smallint, 'org-2', pg_temp.ts(35), pg_temp.ts(35), 2::bigint),
	         ('tenant-a', 'idp-1', 0::smallint, 'tenant-a', pg_temp.ts(30), pg_temp.ts(30), 13::bigint),
	         ('tenant-a', 'idp-2', 0::smallint, 'tenant-a', pg_temp.ts(31), pg_temp.ts(31), 14::bigint)$$,
	'links are keyed by the policy''s aggregate; provider_type follows that aggregate, not the payload');

DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.login.idpprovider.removed', '{"idpConfigId": "idp-2"}', 36);
	PERFORM pg_temp.ev('org', 'org-2', 'org.policy.login.idpprovider.cascade.removed', '{"idpConfigId": "idp-1"}', 37);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.login.idpprovider.removed', '{"idpConfigId": "idp-2"}', 38);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.login.idpprovider.added', '{"idpConfigId": "idp-2", "idpProviderType": 0}', 39);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.login.idpprovider.cascade.removed', '{"idpConfigId": "idp-2"}', 40);
END $$;

SELECT results_eq(
	$$SELECT aggregate_id, idp_id FROM multitenant.idp_providers WHERE instance_id = 'tenant-a' ORDER BY aggregate_id, idp_id$$,
	$$VALUES ('org-1'::text, 'idp-1'::text), ('org-1', 'idp-3'), ('org-2', 'idp-2'), ('tenant-a', 'idp-1')$$,
	'idpprovider.removed / cascade.removed delete the link of that policy only');

SELECT is(pg_temp.ev('instance', 'tenant-a', 'iam.idp.config.removed', '{"idpConfigId": "idp-2"}', 41), 18::bigint,
	'iam.idp.config.removed pushed');

SELECT results_eq(
	$$SELECT (SELECT pg_catalog.array_agg(id ORDER BY id) FROM multitenant.idp_configs WHERE instance_id = 'tenant-a'),
	         (SELECT count(*) FROM multitenant.idp_configs_jwt_config WHERE instance_id = 'tenant-a'),
	         (SELECT pg_catalog.array_agg(id ORDER BY id) FROM multitenant.idp_templates_projection WHERE instance_id = 'tenant-a'),
	         (SELECT count(*) FROM multitenant.idp_templates_projection_jwt WHERE instance_id = 'tenant-a'),
	         (SELECT pg_catalog.array_agg(aggregate_id || '/' || idp_id ORDER BY aggregate_id, idp_id) FROM multitenant.idp_providers WHERE instance_id = 'tenant-a')$$,
	$$VALUES ('{idp-1,idp-3}'::text[], 0::bigint, '{idp-1,idp-3}'::text[], 0::bigint, '{org-1/idp-1,org-1/idp-3,tenant-a/idp-1}'::text[])$$,
	'removing an instance config removes config, template, details and every link to it (an org''s too)');

DO $$ BEGIN
	PERFORM pg_temp.ev('org', 'org-2', 'org.policy.login.idpprovider.added', '{"idpConfigId": "idp-3", "idpProviderType": 1}', 42);
	PERFORM pg_temp.ev('org', 'org-1', 'org.idp.config.removed', '{"idpConfigId": "idp-3"}', 43);
END $$;

SELECT results_eq(
	$$SELECT (SELECT pg_catalog.array_agg(idp_id ORDER BY idp_id) FROM multitenant.idp_configs_oidc_config WHERE instance_id = 'tenant-a'),
	         (SELECT pg_catalog.array_agg(idp_id ORDER BY idp_id) FROM multitenant.idp_templates_projection_oidc WHERE instance_id = 'tenant-a'),
	         (SELECT pg_catalog.array_agg(aggregate_id || '/' || idp_id ORDER BY aggregate_id, idp_id) FROM multitenant.idp_providers WHERE instance_id = 'tenant-a')$$,
	$$VALUES ('{idp-1}'::text[], '{idp-1}'::text[], '{org-1/idp-1,org-2/idp-3,tenant-a/idp-1}'::text[])$$,
	'removing an org config removes only that org''s links to it');

SELECT is(pg_temp.ev('org', 'org-2', 'org.policy.login.removed', NULL, 44), 5::bigint, 'org.policy.login.removed pushed');
SELECT results_eq(
	$$SELECT aggregate_id, idp_id FROM multitenant.idp_providers WHERE instance_id = 'tenant-a' ORDER BY aggregate_id, idp_id$$,
	$$VALUES ('org-1'::text, 'idp-1'::text), ('tenant-a', 'idp-1')$$,
	'org.policy.login.removed deletes the links of that org''s policy');

------------------------------------------------------------------------------
-- Templates: one IdP of every kind (instance level)
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.oauth.added', pg_catalog.jsonb_build_object(
		'id', 'tpl-oauth', 'name', 'OAuth', 'clientId', 'oauth-client', 'clientSecret', pg_temp.cv('oauth'),
		'authorizationEndpoint', 'https://oauth.example.com/authorize', 'tokenEndpoint', 'https://oauth.example.com/token',
		'userEndpoint', 'https://oauth.example.com/userinfo', 'scopes', pg_catalog.jsonb_build_array('openid', 'profile'),
		'idAttribute', 'sub', 'usePKCE', true, 'isCreationAllowed', true, 'isLinkingAllowed', true,
		'isAutoCreation', true, 'isAutoUpdate', true, 'autoLinkingOption', 2), 50);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.oidc.added', pg_catalog.jsonb_build_object(
		'id', 'tpl-oidc', 'name', 'OIDC', 'issuer', 'https://oidc.example.com', 'clientId', 'oidc-client',
		'clientSecret', pg_temp.cv('oidc'), 'scopes', pg_catalog.jsonb_build_array('openid'),
		'idTokenMapping', true, 'isIdTokenMapping', false, 'usePKCE', true), 51);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.jwt.added',
		'{"id": "tpl-jwt", "name": "JWT", "issuer": "https://jwt.example.com", "jwtEndpoint": "https://jwt.example.com/login", "keysEndpoint": "https://jwt.example.com/keys"}', 52);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.azure.added', pg_catalog.jsonb_build_object(
		'id', 'tpl-azure', 'name', 'Azure', 'client_id', 'azure-client', 'clientId', 'camel-case-is-not-azure''s',
		'client_secret', pg_temp.cv('azure'), 'scopes', pg_catalog.jsonb_build_array('openid', 'User.Read'),
		'tenant', 'organizations', 'isEmailVerified', true), 53);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.github.added', pg_catalog.jsonb_build_object(
		'id', 'tpl-github', 'name', 'GitHub', 'clientId', 'gh-client', 'clientSecret', pg_temp.cv('github')), 54);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.github_enterprise.added', pg_catalog.jsonb_build_object(
		'id', 'tpl-ghe', 'name', 'GHE', 'clientId', 'ghe-client', 'clientSecret', pg_temp.cv('ghe'),
		'authorizationEndpoint', 'https://git.example.com/login/oauth/authorize',
		'tokenEndpoint', 'https://git.example.com/login/oauth/access_token',
		'userEndpoint', 'https://git.example.com/api/v3/user', 'scopes', pg_catalog.jsonb_build_array('read:user')), 55);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.gitlab.added', pg_catalog.jsonb_build_object(
		'id', 'tpl-gitlab', 'name', 'GitLab', 'client_id', 'gl-client', 'client_secret', pg_temp.cv('gitlab'),
		'scopes', pg_catalog.jsonb_build_array('read_user')), 56);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.gitlab_self_hosted.added', pg_catalog.jsonb_build_object(
		'id', 'tpl-glsh', 'name', 'GitLab SH', 'issuer', 'https://gitlab.example.com', 'client_id', 'glsh-client',
		'client_secret', pg_temp.cv('glsh')), 57);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.google.added', pg_catalog.jsonb_build_object(
		'id', 'tpl-google', 'name', 'Google', 'clientId', 'g-client', 'clientSecret', pg_temp.cv('google'),
		'scopes', pg_catalog.jsonb_build_array('openid', 'email')), 58);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.ldap.v2.added', pg_catalog.jsonb_build_object(
		'id', 'tpl-ldap', 'name', 'LDAP', 'servers', pg_catalog.jsonb_build_array('ldaps://ldap.example.com:636'),
		'startTLS', true, 'baseDN', 'dc=example,dc=com', 'bindDN', 'cn=admin,dc=example,dc=com',
		'bindPassword', pg_temp.cv('ldap'), 'userBase', 'ou=people', 'userObjectClasses', pg_catalog.jsonb_build_array('inetOrgPerson'),
		'userFilters', pg_catalog.jsonb_build_array('uid', 'mail'), 'timeout', 10000000000,
		'idAttribute', 'uid', 'emailAttribute', 'mail'), 59);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.apple.added', pg_catalog.jsonb_build_object(
		'id', 'tpl-apple', 'name', 'Apple', 'clientId', 'com.example.login', 'teamId', 'TEAM', 'keyId', 'KEY',
		'privateKey', pg_temp.cv('apple'), 'scopes', pg_catalog.jsonb_build_array('name', 'email')), 60);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.saml.added', pg_catalog.jsonb_build_object(
		'id', 'tpl-saml', 'name', 'SAML', 'metadata', pg_temp.b64('<EntityDescriptor/>'), 'key', pg_temp.cv('saml'),
		'certificate', pg_temp.b64('CERT'), 'binding', 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
		'withSignedRequest', true, 'transientMappingAttributeName', 'uid'), 61);
END $$;

SELECT results_eq(
	$$SELECT id, type, owner_type, name, state, is_creation_allowed, is_linking_allowed, is_auto_creation, is_auto_update,
	         auto_linking, resource_owner, creation_date = change_date
	    FROM multitenant.idp_templates_projection WHERE instance_id = 'tenant-a' AND id LIKE 'tpl-%' ORDER BY id$$,
	$$VALUES ('tpl-apple'::text, 11::smallint, 0::smallint, 'Apple'::text, 1::smallint, false, false, false, false, 0::smallint, 'tenant-a'::text, true),
	         ('tpl-azure', 5::smallint, 0::smallint, 'Azure', 1::smallint, false, false, false, false, 0::smallint, 'tenant-a', true),
	         ('tpl-ghe', 7::smallint, 0::smallint, 'GHE', 1::smallint, false, false, false, false, 0::smallint, 'tenant-a', true),
	         ('tpl-github', 6::smallint, 0::smallint, 'GitHub', 1::smallint, false, false, false, false, 0::smallint, 'tenant-a', true),
	         ('tpl-gitlab', 8::smallint, 0::smallint, 'GitLab', 1::smallint, false, false, false, false, 0::smallint, 'tenant-a', true),
	         ('tpl-glsh', 9::smallint, 0::smallint, 'GitLab SH', 1::smallint, false, false, false, false, 0::smallint, 'tenant-a', true),
	         ('tpl-google', 10::smallint, 0::smallint, 'Google', 1::smallint, false, false, false, false, 0::smallint, 'tenant-a', true),
	         ('tpl-jwt', 2::smallint, 0::smallint, 'JWT', 1::smallint, false, false, false, false, 0::smallint, 'tenant-a', true),
	         ('tpl-ldap', 4::smallint, 0::smallint, 'LDAP', 1::smallint, false, false, false, false, 0::smallint, 'tenant-a', true),
	         ('tpl-oauth', 3::smallint, 0::smallint, 'OAuth', 1::smallint, true, true, true, true, 2::smallint, 'tenant-a', true),
	         ('tpl-oidc', 1::smallint, 0::smallint, 'OIDC', 1::smallint, false, false, false, false, 0::smallint, 'tenant-a', true),
	         ('tpl-saml', 12::smallint, 0::smallint, 'SAML', 1::smallint, false, false, false, false, 0::smallint, 'tenant-a', true)$$,
	'every kind inserts an active template of its type with its options');

SELECT results_eq(
	$$SELECT idp_id, client_id, client_secret, authorization_endpoint, token_endpoint, user_endpoint, scopes, id_attribute, use_pkce
	    FROM multitenant.idp_templates_projection_oauth2 WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('tpl-oauth'::text, 'oauth-client'::text, pg_temp.cv('oauth'), 'https://oauth.example.com/authorize'::text,
	          'https://oauth.example.com/token'::text, 'https://oauth.example.com/userinfo'::text, '{openid,profile}'::text[], 'sub'::text, true)$$,
	'oauth detail row');
SELECT results_eq(
	$$SELECT idp_id, issuer, client_id, client_secret, scopes, id_token_mapping, use_pkce
	    FROM multitenant.idp_templates_projection_oidc WHERE instance_id = 'tenant-a' AND idp_id = 'tpl-oidc'$$,
	$$VALUES ('tpl-oidc'::text, 'https://oidc.example.com'::text, 'oidc-client'::text, pg_temp.cv('oidc'), '{openid}'::text[], true, true)$$,
	'oidc detail row (idTokenMapping, not isIdTokenMapping)');
SELECT results_eq(
	$$SELECT idp_id, issuer, jwt_endpoint, keys_endpoint, header_name
	    FROM multitenant.idp_templates_projection_jwt WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('tpl-jwt'::text, 'https://jwt.example.com'::text, 'https://jwt.example.com/login'::text, 'https://jwt.example.com/keys'::text, ''::text)$$,
	'jwt detail row (an absent headerName is the empty string)');
SELECT results_eq(
	$$SELECT idp_id, client_id, client_secret, scopes, tenant, is_email_verified
	    FROM multitenant.idp_templates_projection_azure WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('tpl-azure'::text, 'azure-client'::text, pg_temp.cv('azure'), '{openid,User.Read}'::text[], 'organizations'::text, true)$$,
	'azure detail row from the snake_case client_id / client_secret');
SELECT results_eq(
	$$SELECT idp_id, client_id, client_secret, scopes FROM multitenant.idp_templates_projection_github WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('tpl-github'::text, 'gh-client'::text, pg_temp.cv('github'), NULL::text[])$$,
	'github detail row (absent scopes stay NULL)');
SELECT results_eq(
	$$SELECT idp_id, client_id, client_secret, authorization_endpoint, token_endpoint, user_endpoint, scopes
	    FROM multitenant.idp_templates_projection_github_enterprise WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('tpl-ghe'::text, 'ghe-client'::text, pg_temp.cv('ghe'), 'https://git.example.com/login/oauth/authorize'::text,
	          'https://git.example.com/login/oauth/access_token'::text, 'https://git.example.com/api/v3/user'::text, '{read:user}'::text[])$$,
	'github enterprise detail row');
SELECT results_eq(
	$$SELECT idp_id, client_id, client_secret, scopes FROM multitenant.idp_templates_projection_gitlab WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('tpl-gitlab'::text, 'gl-client'::text, pg_temp.cv('gitlab'), '{read_user}'::text[])$$,
	'gitlab detail row');
SELECT results_eq(
	$$SELECT idp_id, issuer, client_id, client_secret, scopes FROM multitenant.idp_templates_projection_gitlab_self_hosted WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('tpl-glsh'::text, 'https://gitlab.example.com'::text, 'glsh-client'::text, pg_temp.cv('glsh'), NULL::text[])$$,
	'gitlab self-hosted detail row');
SELECT results_eq(
	$$SELECT idp_id, client_id, client_secret, scopes FROM multitenant.idp_templates_projection_google WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('tpl-google'::text, 'g-client'::text, pg_temp.cv('google'), '{openid,email}'::text[])$$,
	'google detail row');
SELECT results_eq(
	$$SELECT idp_id, servers, start_tls, base_dn, bind_dn, bind_password, user_base, user_object_classes, user_filters, timeout,
	         id_attribute, first_name_attribute, email_attribute, email_verified, profile_attribute
	    FROM multitenant.idp_templates_projection_ldap2 WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('tpl-ldap'::text, '{ldaps://ldap.example.com:636}'::text[], true, 'dc=example,dc=com'::text, 'cn=admin,dc=example,dc=com'::text,
	          pg_temp.cv('ldap'), 'ou=people'::text, '{inetOrgPerson}'::text[], '{uid,mail}'::text[], 10000000000::bigint,
	          'uid'::text, ''::text, 'mail'::text, ''::text, ''::text)$$,
	'ldap detail row from instance.idp.ldap.v2.added (timeout in nanoseconds, absent attributes empty)');
SELECT results_eq(
	$$SELECT idp_id, client_id, team_id, key_id, private_key, scopes FROM multitenant.idp_templates_projection_apple WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('tpl-apple'::text, 'com.example.login'::text, 'TEAM'::text, 'KEY'::text, pg_temp.cv('apple'), '{name,email}'::text[])$$,
	'apple detail row');
SELECT results_eq(
	$$SELECT idp_id, metadata, key, certificate, binding, with_signed_request, name_id_format, transient_mapping_attribute_name
	    FROM multitenant.idp_templates_projection_saml WHERE instance_id = 'tenant-a'$$,
	$$VALUES ('tpl-saml'::text, '\x3c456e7469747944657363726970746f722f3e'::bytea, pg_temp.cv('saml'), '\x43455254'::bytea,
	          'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'::text, true, NULL::smallint, 'uid'::text)$$,
	'saml detail row: base64 metadata and certificate as bytes, no nameIDFormat -> NULL');

-- LDAP at org level has no ".v2"; the instance event without it is not reduced.
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.ldap.added', '{"id": "tpl-ldap-v1", "name": "old", "servers": ["ldap://x"]}', 62);
	PERFORM pg_temp.ev('org', 'org-1', 'org.idp.ldap.added', pg_catalog.jsonb_build_object(
		'id', 'tpl-org-ldap', 'name', 'ACME LDAP', 'servers', pg_catalog.jsonb_build_array('ldap://ldap.acme.example.com'),
		'baseDN', 'dc=acme', 'bindDN', 'cn=svc', 'bindPassword', pg_temp.cv('acme-ldap'), 'userBase', 'ou=staff',
		'userObjectClasses', pg_catalog.jsonb_build_array('person'), 'userFilters', pg_catalog.jsonb_build_array('uid'),
		'timeout', 5000000000), 63);
END $$;

SELECT results_eq(
	$$SELECT t.id, t.type, t.owner_type, t.resource_owner, l.start_tls, l.timeout
	    FROM multitenant.idp_templates_projection AS t
	    JOIN multitenant.idp_templates_projection_ldap2 AS l ON l.instance_id = t.instance_id AND l.idp_id = t.id
	   WHERE t.instance_id = 'tenant-a' ORDER BY t.id$$,
	$$VALUES ('tpl-ldap'::text, 4::smallint, 0::smallint, 'tenant-a'::text, true, 10000000000::bigint),
	         ('tpl-org-ldap', 4::smallint, 1::smallint, 'org-1', false, 5000000000::bigint)$$,
	'org.idp.ldap.added is the org LDAP event; instance.idp.ldap.added (no v2) reduces nothing');

------------------------------------------------------------------------------
-- Templates: changes
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.oauth.changed', '{"id": "tpl-oauth", "name": "OAuth 2", "isAutoUpdate": false}', 70);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.oauth.changed',
		pg_catalog.jsonb_build_object('id', 'tpl-oauth', 'clientSecret', pg_temp.cv('oauth-2'), 'scopes', '[]'::jsonb, 'usePKCE', false), 71);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.azure.changed', '{"id": "tpl-azure", "clientId": "ignored"}', 72);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.saml.changed',
		pg_catalog.jsonb_build_object('id', 'tpl-saml', 'nameIDFormat', 3, 'metadata', pg_temp.b64('<EntityDescriptor entityID="x"/>')), 73);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.ldap.v2.changed', '{"id": "tpl-ldap", "timeout": 30000000000, "phoneAttribute": "mobile"}', 74);
	PERFORM pg_temp.ev('org', 'org-1', 'org.idp.ldap.changed', '{"id": "tpl-org-ldap", "startTLS": true, "isLinkingAllowed": true}', 75);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.github.changed', '{"id": "tpl-github"}', 76);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.jwt.changed', '{"id": "tpl-jwt", "headerName": "authorization"}', 77);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.oidc.changed', '{"id": "tpl-oidc", "idTokenMapping": false, "usePKCE": false}', 78);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.gitlab.changed', '{"id": "tpl-gitlab", "client_id": "gl-client-2"}', 79);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.gitlab_self_hosted.changed', '{"id": "tpl-glsh", "issuer": "https://code.example.com"}', 80);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.github_enterprise.changed', '{"id": "tpl-ghe", "scopes": ["read:org"]}', 81);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.google.changed', '{"id": "tpl-google", "clientId": "g-client-2"}', 82);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.apple.changed', '{"id": "tpl-apple", "teamId": "TEAM2", "name": "Sign in with Apple"}', 83);
END $$;

SELECT results_eq(
	$$SELECT id, name, is_auto_update, is_linking_allowed, change_date
	    FROM multitenant.idp_templates_projection WHERE instance_id = 'tenant-a' AND id LIKE 'tpl-%' ORDER BY id$$,
	$$VALUES ('tpl-apple'::text, 'Sign in with Apple'::text, false, false, pg_temp.ts(83)),
	         ('tpl-azure', 'Azure', false, false, pg_temp.ts(72)),
	         ('tpl-ghe', 'GHE', false, false, pg_temp.ts(81)),
	         ('tpl-github', 'GitHub', false, false, pg_temp.ts(76)),
	         ('tpl-gitlab', 'GitLab', false, false, pg_temp.ts(79)),
	         ('tpl-glsh', 'GitLab SH', false, false, pg_temp.ts(80)),
	         ('tpl-google', 'Google', false, false, pg_temp.ts(82)),
	         ('tpl-jwt', 'JWT', false, false, pg_temp.ts(77)),
	         ('tpl-ldap', 'LDAP', false, false, pg_temp.ts(74)),
	         ('tpl-oauth', 'OAuth 2', false, true, pg_temp.ts(71)),
	         ('tpl-oidc', 'OIDC', false, false, pg_temp.ts(78)),
	         ('tpl-org-ldap', 'ACME LDAP', false, true, pg_temp.ts(75)),
	         ('tpl-saml', 'SAML', false, false, pg_temp.ts(73))$$,
	'every <kind>.changed touches the template; name and options change only when present');

SELECT results_eq(
	$$SELECT client_secret, scopes, use_pkce, client_id FROM multitenant.idp_templates_projection_oauth2 WHERE instance_id = 'tenant-a'$$,
	$$VALUES (pg_temp.cv('oauth-2'), '{}'::text[], false, 'oauth-client'::text)$$,
	'oauth change: new secret, empty scopes, PKCE off, client id kept');
SELECT results_eq(
	$$SELECT (SELECT client_id FROM multitenant.idp_templates_projection_azure WHERE instance_id = 'tenant-a'),
	         (SELECT client_id FROM multitenant.idp_templates_projection_gitlab WHERE instance_id = 'tenant-a'),
	         (SELECT client_id FROM multitenant.idp_templates_projection_google WHERE instance_id = 'tenant-a'),
	         (SELECT issuer FROM multitenant.idp_templates_projection_gitlab_self_hosted WHERE instance_id = 'tenant-a'),
	         (SELECT scopes::text FROM multitenant.idp_templates_projection_github_enterprise WHERE instance_id = 'tenant-a'),
	         (SELECT team_id FROM multitenant.idp_templates_projection_apple WHERE instance_id = 'tenant-a'),
	         (SELECT header_name FROM multitenant.idp_templates_projection_jwt WHERE instance_id = 'tenant-a' AND idp_id = 'tpl-jwt'),
	         (SELECT ROW(id_token_mapping, use_pkce)::text FROM multitenant.idp_templates_projection_oidc WHERE instance_id = 'tenant-a' AND idp_id = 'tpl-oidc')$$,
	$$VALUES ('azure-client'::text, 'gl-client-2'::text, 'g-client-2'::text, 'https://code.example.com'::text, '{read:org}'::text,
	          'TEAM2'::text, 'authorization'::text, '(f,f)'::text)$$,
	'detail changes by kind: azure ignores camelCase clientId, gitlab reads snake_case client_id');
SELECT results_eq(
	$$SELECT (SELECT ROW(name_id_format, metadata, with_signed_request)::text FROM multitenant.idp_templates_projection_saml WHERE instance_id = 'tenant-a'),
	         (SELECT ROW(timeout, phone_attribute, start_tls)::text FROM multitenant.idp_templates_projection_ldap2 WHERE instance_id = 'tenant-a' AND idp_id = 'tpl-ldap'),
	         (SELECT ROW(timeout, start_tls)::text FROM multitenant.idp_templates_projection_ldap2 WHERE instance_id = 'tenant-a' AND idp_id = 'tpl-org-ldap')$$,
	$$VALUES (ROW(3::smallint, pg_catalog.convert_to('<EntityDescriptor entityID="x"/>', 'UTF8'), true)::text,
	          ROW(30000000000::bigint, 'mobile'::text, true)::text, ROW(5000000000::bigint, true)::text)$$,
	'saml and ldap changes (v2 at instance level, plain at org level)');

------------------------------------------------------------------------------
-- OIDC IdPs migrated to Azure AD / Google
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.oidc.added', pg_catalog.jsonb_build_object(
		'id', 'mig-az', 'name', 'Microsoft (OIDC)', 'issuer', 'https://login.microsoftonline.com/common/v2.0',
		'clientId', 'ms', 'clientSecret', pg_temp.cv('ms'), 'isCreationAllowed', true), 90);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.oidc.migrated.azure', pg_catalog.jsonb_build_object(
		'id', 'mig-az', 'name', 'Microsoft', 'client_id', 'ms-client', 'client_secret', pg_temp.cv('ms-2'),
		'scopes', pg_catalog.jsonb_build_array('openid'), 'tenant', 'common', 'isEmailVerified', true, 'isLinkingAllowed', true), 91);
	PERFORM pg_temp.ev('org', 'org-1', 'org.idp.oidc.added', pg_catalog.jsonb_build_object(
		'id', 'mig-go', 'name', 'Google (OIDC)', 'issuer', 'https://accounts.google.com', 'clientId', 'g', 'clientSecret', pg_temp.cv('g')), 92);
	PERFORM pg_temp.ev('org', 'org-1', 'org.idp.oidc.migrated.google', pg_catalog.jsonb_build_object(
		'id', 'mig-go', 'name', 'Google', 'clientId', 'g-client', 'clientSecret', pg_temp.cv('g-2'), 'autoLinkingOption', 2), 93);
END $$;

SELECT results_eq(
	$$SELECT id, type, owner_type, name, is_creation_allowed, is_linking_allowed, auto_linking, creation_date, change_date
	    FROM multitenant.idp_templates_projection WHERE instance_id = 'tenant-a' AND id LIKE 'mig-%' ORDER BY id$$,
	$$VALUES ('mig-az'::text, 5::smallint, 0::smallint, 'Microsoft'::text, false, true, 0::smallint, pg_temp.ts(90), pg_temp.ts(91)),
	         ('mig-go', 10::smallint, 1::smallint, 'Google', false, false, 2::smallint, pg_temp.ts(92), pg_temp.ts(93))$$,
	'a migration sets type, name and options as the payload states them');
SELECT results_eq(
	$$SELECT (SELECT count(*) FROM multitenant.idp_templates_projection_oidc WHERE instance_id = 'tenant-a' AND idp_id LIKE 'mig-%'),
	         (SELECT ROW(client_id, client_secret, scopes, tenant, is_email_verified)::text FROM multitenant.idp_templates_projection_azure
	           WHERE instance_id = 'tenant-a' AND idp_id = 'mig-az'),
	         (SELECT ROW(client_id, client_secret, scopes)::text FROM multitenant.idp_templates_projection_google
	           WHERE instance_id = 'tenant-a' AND idp_id = 'mig-go')$$,
	$$VALUES (0::bigint, ROW('ms-client'::text, pg_temp.cv('ms-2'), '{openid}'::text[], 'common'::text, true)::text,
	          ROW('g-client'::text, pg_temp.cv('g-2'), NULL::text[])::text)$$,
	'the OIDC row is replaced by the Azure AD / Google row');

------------------------------------------------------------------------------
-- IdP removal with its links
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.policy.login.idpprovider.added', '{"idpConfigId": "tpl-github", "idpProviderType": 0}', 100);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.login.idpprovider.added', '{"idpConfigId": "tpl-github", "idpProviderType": 0}', 101);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.login.idpprovider.added', '{"idpConfigId": "tpl-org-ldap", "idpProviderType": 1}', 102);
	PERFORM pg_temp.ev('org', 'org-2', 'org.policy.login.idpprovider.added', '{"idpConfigId": "tpl-org-ldap", "idpProviderType": 1}', 103);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.removed', '{"id": "tpl-github"}', 104);
	PERFORM pg_temp.ev('org', 'org-1', 'org.idp.removed', '{"id": "tpl-org-ldap"}', 105);
END $$;

SELECT results_eq(
	$$SELECT (SELECT count(*) FROM multitenant.idp_templates_projection WHERE instance_id = 'tenant-a' AND id IN ('tpl-github', 'tpl-org-ldap')),
	         (SELECT count(*) FROM multitenant.idp_templates_projection_github WHERE instance_id = 'tenant-a'),
	         (SELECT pg_catalog.array_agg(idp_id) FROM multitenant.idp_templates_projection_ldap2 WHERE instance_id = 'tenant-a'),
	         (SELECT pg_catalog.array_agg(aggregate_id || '/' || idp_id ORDER BY aggregate_id, idp_id) FROM multitenant.idp_providers WHERE instance_id = 'tenant-a')$$,
	$$VALUES (0::bigint, 0::bigint, '{tpl-ldap}'::text[], '{org-1/idp-1,org-2/tpl-org-ldap,tenant-a/idp-1}'::text[])$$,
	'instance.idp.removed / org.idp.removed delete template, details and links (an org IdP only its own org''s)');

------------------------------------------------------------------------------
-- org.removed
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('org', 'org-9', 'org.idp.config.added', '{"idpConfigId": "idp-9", "name": "Doomed"}', 110);
	PERFORM pg_temp.ev('org', 'org-9', 'org.idp.oidc.config.added', '{"idpConfigId": "idp-9", "clientId": "d", "issuer": "https://d.example.com"}', 111);
	PERFORM pg_temp.ev('org', 'org-9', 'org.idp.jwt.added',
		'{"id": "tpl-9", "name": "Doomed JWT", "issuer": "https://d.example.com", "jwtEndpoint": "https://d.example.com/jwt", "keysEndpoint": "https://d.example.com/keys"}', 112);
	PERFORM pg_temp.ev('org', 'org-9', 'org.policy.login.idpprovider.added', '{"idpConfigId": "idp-9", "idpProviderType": 1}', 113);
	PERFORM pg_temp.ev('org', 'org-9', 'org.policy.login.idpprovider.added', '{"idpConfigId": "idp-1", "idpProviderType": 0}', 114);
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.login.idpprovider.added', '{"idpConfigId": "tpl-9", "idpProviderType": 1}', 115);
	PERFORM pg_temp.ev('org', 'org-9', 'org.removed', NULL, 116);
END $$;

SELECT results_eq(
	$$SELECT (SELECT pg_catalog.array_agg(id ORDER BY id) FROM multitenant.idp_configs WHERE instance_id = 'tenant-a'),
	         (SELECT pg_catalog.array_agg(idp_id ORDER BY idp_id) FROM multitenant.idp_configs_oidc_config WHERE instance_id = 'tenant-a'),
	         (SELECT count(*) FROM multitenant.idp_templates_projection WHERE instance_id = 'tenant-a' AND id IN ('idp-9', 'tpl-9')),
	         (SELECT count(*) FROM multitenant.idp_templates_projection_jwt WHERE instance_id = 'tenant-a' AND idp_id = 'tpl-9'),
	         (SELECT pg_catalog.array_agg(aggregate_id || '/' || idp_id ORDER BY aggregate_id, idp_id) FROM multitenant.idp_providers WHERE instance_id = 'tenant-a')$$,
	$$VALUES ('{idp-1}'::text[], '{idp-1}'::text[], 0::bigint, 0::bigint,
	          '{org-1/idp-1,org-1/tpl-9,org-2/tpl-org-ldap,tenant-a/idp-1}'::text[])$$,
	'org.removed deletes the org''s configs, templates (with details) and its links; links owned elsewhere stay');

------------------------------------------------------------------------------
-- Payload traps: a key of the wrong JSON type fails the push, leaving nothing
------------------------------------------------------------------------------
SELECT throws_ok(
	$$SELECT multitenant.push('instance', 'tenant-b', 'iam.idp.config.added', '{"idpConfigId": "bad-1", "name": 42}', instance_id => 'tenant-b')$$,
	'22023', NULL, 'a numeric config name fails with 22023');
SELECT throws_ok(
	$$SELECT multitenant.push('instance', 'tenant-b', 'instance.idp.oauth.added',
	                          '{"id": "bad-2", "name": "x", "clientId": "c", "clientSecret": "plain-text"}', instance_id => 'tenant-b')$$,
	'22023', NULL, 'a client secret that is not a CryptoValue object fails with 22023');
SELECT throws_ok(
	$$SELECT multitenant.push('instance', 'tenant-b', 'instance.idp.saml.added',
	                          '{"id": "bad-3", "name": "x", "metadata": 123, "key": {"Crypted": "eA=="}, "certificate": "eA=="}', instance_id => 'tenant-b')$$,
	'22023', NULL, 'numeric SAML metadata fails with 22023');
SELECT throws_ok(
	$$SELECT multitenant.push('instance', 'tenant-b', 'instance.idp.google.added',
	                          '{"id": "bad-4", "clientId": "c", "clientSecret": {"Crypted": "eA=="}, "scopes": "openid"}', instance_id => 'tenant-b')$$,
	'22023', NULL, 'scopes that are not an array fail with 22023');
SELECT throws_ok(
	$$SELECT multitenant.push('instance', 'tenant-b', 'instance.idp.ldap.v2.added',
	                          '{"id": "bad-5", "timeout": "10s", "bindPassword": {"Crypted": "eA=="}}', instance_id => 'tenant-b')$$,
	'22023', NULL, 'a timeout that is not a number of nanoseconds fails with 22023');
SELECT throws_ok(
	$$SELECT multitenant.push('org', 'org-b', 'org.policy.login.idpprovider.added', '{"idpConfigId": 7}', instance_id => 'tenant-b')$$,
	'22023', NULL, 'a numeric idpConfigId fails with 22023');
SELECT is_empty(
	$$SELECT 1 FROM multitenant.events WHERE instance_id = 'tenant-b'
	  UNION ALL SELECT 1 FROM multitenant.idp_configs WHERE instance_id = 'tenant-b'
	  UNION ALL SELECT 1 FROM multitenant.idp_templates_projection WHERE instance_id = 'tenant-b'
	  UNION ALL SELECT 1 FROM multitenant.idp_providers WHERE instance_id = 'tenant-b'$$,
	'the failed pushes leave no event and no row');

------------------------------------------------------------------------------
-- Two tenants with the same ids
------------------------------------------------------------------------------
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'tenant-b', 'iam.idp.config.added', '{"idpConfigId": "idp-1", "name": "B SSO"}', 120, tenant => 'tenant-b');
	PERFORM pg_temp.ev('instance', 'tenant-b', 'iam.idp.oidc.config.added', '{"idpConfigId": "idp-1", "clientId": "b", "issuer": "https://b.example.com"}', 121, tenant => 'tenant-b');
	PERFORM pg_temp.ev('instance', 'tenant-b', 'iam.idp.config.added', '{"idpConfigId": "idp-2", "name": "B JWT"}', 122, tenant => 'tenant-b');
	PERFORM pg_temp.ev('instance', 'tenant-b', 'iam.idp.jwt.config.added', '{"idpConfigId": "idp-2", "issuer": "https://b.example.com"}', 123, tenant => 'tenant-b');
	PERFORM pg_temp.ev('instance', 'tenant-b', 'instance.idp.oauth.added',
		pg_catalog.jsonb_build_object('id', 'tpl-oauth', 'name', 'B OAuth', 'clientId', 'b-oauth', 'clientSecret', pg_temp.cv('b')), 124, tenant => 'tenant-b');
	PERFORM pg_temp.ev('instance', 'tenant-b', 'instance.policy.login.idpprovider.added', '{"idpConfigId": "idp-1", "idpProviderType": 0}', 125, tenant => 'tenant-b');
	PERFORM pg_temp.ev('org', 'org-1', 'org.policy.login.idpprovider.added', '{"idpConfigId": "idp-1", "idpProviderType": 0}', 126, tenant => 'tenant-b');
	-- tenant-a removes its own idp-1 and tpl-oauth
	PERFORM pg_temp.ev('instance', 'tenant-a', 'iam.idp.config.removed', '{"idpConfigId": "idp-1"}', 127);
	PERFORM pg_temp.ev('instance', 'tenant-a', 'instance.idp.removed', '{"id": "tpl-oauth"}', 128);
END $$;

SELECT results_eq(
	$$SELECT c.instance_id, c.id, c.name, o.client_id
	    FROM multitenant.idp_configs AS c
	    LEFT JOIN multitenant.idp_configs_oidc_config AS o ON o.instance_id = c.instance_id AND o.idp_id = c.id
	   WHERE c.id IN ('idp-1', 'idp-2') ORDER BY c.instance_id, c.id$$,
	$$VALUES ('tenant-b'::text, 'idp-1'::text, 'B SSO'::text, 'b'::text), ('tenant-b', 'idp-2', 'B JWT', NULL)$$,
	'tenant-a removing idp-1 leaves tenant-b''s idp-1 and its config alone');
SELECT results_eq(
	$$SELECT instance_id, aggregate_id, idp_id FROM multitenant.idp_providers WHERE idp_id = 'idp-1' ORDER BY instance_id, aggregate_id$$,
	$$VALUES ('tenant-b'::text, 'org-1'::text, 'idp-1'::text), ('tenant-b', 'tenant-b', 'idp-1')$$,
	'the removal deletes tenant-a''s links only');
SELECT results_eq(
	$$SELECT t.instance_id, t.name, o.client_id
	    FROM multitenant.idp_templates_projection AS t
	    JOIN multitenant.idp_templates_projection_oauth2 AS o ON o.instance_id = t.instance_id AND o.idp_id = t.id
	   WHERE t.id = 'tpl-oauth'$$,
	$$VALUES ('tenant-b'::text, 'B OAuth'::text, 'b-oauth'::text)$$,
	'templates with the same id are kept apart');
SELECT results_eq(
	$$SELECT (SELECT type FROM multitenant.idp_configs WHERE instance_id = 'tenant-b' AND id = 'idp-2'),
	         (SELECT ROW(issuer, keys_endpoint, header_name, endpoint)::text FROM multitenant.idp_configs_jwt_config WHERE instance_id = 'tenant-b')$$,
	$$VALUES (2::smallint, ROW('https://b.example.com'::text, ''::text, ''::text, ''::text)::text)$$,
	'tenant-b''s JWT config with absent keys as empty strings');

------------------------------------------------------------------------------
-- instance.removed: only its own tenant
------------------------------------------------------------------------------
SELECT ok(pg_temp.ev('instance', 'tenant-a', 'instance.removed', NULL, 130) > 0, 'instance.removed pushed');

SELECT is_empty(
	$$SELECT 'idp_configs' FROM multitenant.idp_configs WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'oidc_config' FROM multitenant.idp_configs_oidc_config WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'jwt_config' FROM multitenant.idp_configs_jwt_config WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'idp_providers' FROM multitenant.idp_providers WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'templates' FROM multitenant.idp_templates_projection WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'oauth2' FROM multitenant.idp_templates_projection_oauth2 WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'oidc' FROM multitenant.idp_templates_projection_oidc WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'jwt' FROM multitenant.idp_templates_projection_jwt WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'azure' FROM multitenant.idp_templates_projection_azure WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'github' FROM multitenant.idp_templates_projection_github WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'github_enterprise' FROM multitenant.idp_templates_projection_github_enterprise WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'gitlab' FROM multitenant.idp_templates_projection_gitlab WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'gitlab_self_hosted' FROM multitenant.idp_templates_projection_gitlab_self_hosted WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'google' FROM multitenant.idp_templates_projection_google WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'ldap2' FROM multitenant.idp_templates_projection_ldap2 WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'apple' FROM multitenant.idp_templates_projection_apple WHERE instance_id = 'tenant-a'
	  UNION ALL SELECT 'saml' FROM multitenant.idp_templates_projection_saml WHERE instance_id = 'tenant-a'$$,
	'instance.removed empties every IdP table of its tenant');

SELECT results_eq(
	$$SELECT (SELECT count(*) FROM multitenant.idp_configs WHERE instance_id = 'tenant-b'),
	         (SELECT count(*) FROM multitenant.idp_configs_oidc_config WHERE instance_id = 'tenant-b'),
	         (SELECT count(*) FROM multitenant.idp_configs_jwt_config WHERE instance_id = 'tenant-b'),
	         (SELECT count(*) FROM multitenant.idp_providers WHERE instance_id = 'tenant-b'),
	         (SELECT count(*) FROM multitenant.idp_templates_projection WHERE instance_id = 'tenant-b'),
	         (SELECT count(*) FROM multitenant.idp_templates_projection_oauth2 WHERE instance_id = 'tenant-b'),
	         (SELECT count(*) FROM multitenant.idp_templates_projection_oidc WHERE instance_id = 'tenant-b'),
	         (SELECT count(*) FROM multitenant.idp_templates_projection_jwt WHERE instance_id = 'tenant-b')$$,
	$$VALUES (2::bigint, 1::bigint, 1::bigint, 2::bigint, 3::bigint, 1::bigint, 1::bigint, 1::bigint)$$,
	'another tenant with the same ids is untouched');

------------------------------------------------------------------------------
-- Replay: rebuilding the IdP projections gives the rows reduction produced
------------------------------------------------------------------------------
CREATE TEMP TABLE before_rebuild AS
SELECT 'c' AS t, c::text AS r FROM multitenant.idp_configs AS c
UNION ALL SELECT 'p', p::text FROM multitenant.idp_providers AS p
UNION ALL SELECT 't', t::text FROM multitenant.idp_templates_projection AS t
UNION ALL SELECT 'o', o::text FROM multitenant.idp_templates_projection_oauth2 AS o;

SELECT lives_ok(
	$$SELECT multitenant.rebuild('multitenant.idp_configs'), multitenant.rebuild('multitenant.idp_providers'),
	         multitenant.rebuild('multitenant.idp_templates_projection')$$,
	'the IdP projections rebuild from the events');
SELECT set_eq(
	$$SELECT 'c' AS t, c::text AS r FROM multitenant.idp_configs AS c
	  UNION ALL SELECT 'p', p::text FROM multitenant.idp_providers AS p
	  UNION ALL SELECT 't', t::text FROM multitenant.idp_templates_projection AS t
	  UNION ALL SELECT 'o', o::text FROM multitenant.idp_templates_projection_oauth2 AS o$$,
	$$SELECT t, r FROM before_rebuild$$,
	'rebuilt rows equal the inline reduction');

SELECT * FROM finish();
ROLLBACK;
