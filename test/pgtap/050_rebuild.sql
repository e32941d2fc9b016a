-- rebuild() replays the event store and gives exactly what inline reduction
-- produced, on a generated stream over six tenants and every event type that
-- has a reducer (the core stream below plus the upgrade test's streams).
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;
SELECT plan(31);

CREATE FUNCTION pg_temp.ev(tenant text, agg_type text, agg_id text, ev_type text, payload jsonb DEFAULT NULL)
RETURNS void LANGUAGE sql
AS $$ SELECT FROM multitenant.push(agg_type, agg_id, ev_type, payload, instance_id => tenant) $$;

DO $gen$
DECLARE
	tenant text;
	o int; p int; a int;
	org text; proj text; app text;
	secret jsonb := '{"cryptoType": 0, "algorithm": "aes", "keyId": "k1", "crypted": "c2VjcmV0"}';
BEGIN
	FOREACH tenant IN ARRAY ARRAY['tenant-1', 'tenant-2', 'tenant-3'] LOOP
		PERFORM pg_temp.ev(tenant, 'instance', tenant, 'instance.added', jsonb_build_object('name', 'Instance ' || tenant));
		PERFORM pg_temp.ev(tenant, 'instance', tenant, 'instance.changed', jsonb_build_object('name', 'Renamed ' || tenant));
		PERFORM pg_temp.ev(tenant, 'instance', tenant, 'instance.default.org.set', '{"orgId": "org-1"}');
		PERFORM pg_temp.ev(tenant, 'instance', tenant, 'instance.iam.project.set', '{"iamProjectId": "org-1-proj-1"}');
		PERFORM pg_temp.ev(tenant, 'instance', tenant, 'instance.iam.console.set', '{"clientId": "console", "appId": "app-c"}');
		PERFORM pg_temp.ev(tenant, 'instance', tenant, 'instance.default.language.set', '{"language": "de"}');
		FOR o IN 1..8 LOOP
			org := 'org-' || o;
			PERFORM pg_temp.ev(tenant, 'org', org, 'org.added', jsonb_build_object('name', 'Org ' || o));
			PERFORM pg_temp.ev(tenant, 'org', org, 'org.changed', jsonb_build_object('name', 'Org ' || o || ' of ' || tenant));
			PERFORM pg_temp.ev(tenant, 'org', org, 'org.changed', '{"name": ""}');
			PERFORM pg_temp.ev(tenant, 'org', org, 'org.domain.primary.set', jsonb_build_object('domain', org || '.example.com'));
			PERFORM pg_temp.ev(tenant, 'org', org, 'org.deactivated');
			IF o % 2 = 0 THEN
				PERFORM pg_temp.ev(tenant, 'org', org, 'org.reactivated');
			END IF;
			FOR p IN 1..3 LOOP
				proj := org || '-proj-' || p;
				PERFORM multitenant.push('project', proj, 'project.added',
					jsonb_build_object('name', 'Project ' || p, 'projectRoleAssertion', p % 2 = 0,
					                   'projectRoleCheck', true, 'hasProjectCheck', false, 'privateLabelingSetting', p % 3),
					resource_owner => org, instance_id => tenant);
				PERFORM pg_temp.ev(tenant, 'project', proj, 'project.changed', jsonb_build_object('name', 'Project ' || p || 'b'));
				PERFORM pg_temp.ev(tenant, 'project', proj, 'project.changed', '{"hasProjectCheck": true}');
				PERFORM pg_temp.ev(tenant, 'project', proj, 'project.deactivated');
				PERFORM pg_temp.ev(tenant, 'project', proj, 'project.reactivated');
				FOR a IN 1..2 LOOP
					app := proj || '-app-' || a;
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.added', jsonb_build_object('appId', app, 'name', 'App ' || a));
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.changed', jsonb_build_object('appId', app, 'name', 'App ' || a || 'b'));
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.deactivated', jsonb_build_object('appId', app));
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.reactivated', jsonb_build_object('appId', app));
					IF a = 1 THEN
						PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.oidc.added', jsonb_build_object(
							'appId', app, 'clientId', app || '@client', 'clientSecret', secret, 'oidcVersion', 0,
							'redirectUris', jsonb_build_array('https://' || app || '/cb'), 'responseTypes', '[0]'::jsonb, 'grantTypes', '[0, 2]'::jsonb,
							'applicationType', 0, 'authMethodType', 1, 'postLogoutRedirectUris', '[]'::jsonb, 'devMode', false,
							'accessTokenType', 1, 'accessTokenRoleAssertion', true, 'idTokenRoleAssertion', false,
							'idTokenUserinfoAssertion', true, 'clockSkew', 1000000000, 'additionalOrigins', '[]'::jsonb,
							'skipNativeAppSuccessPage', false));
						PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.oidc.changed',
							jsonb_build_object('appId', app, 'devMode', true, 'redirectUris', jsonb_build_array('https://' || app || '/cb2')));
						PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.oidc.secret.changed',
							jsonb_build_object('appId', app, 'clientSecret', secret));
						PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.oidc.secret.updated',
							jsonb_build_object('appId', app, 'hashedSecret', '$2a$hash-' || app));
					ELSE
						PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.api.added', jsonb_build_object(
							'appId', app, 'clientId', app || '@api', 'clientSecret', secret, 'authMethodType', 0));
						PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.api.changed',
							jsonb_build_object('appId', app, 'authMethodType', 1));
						PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.api.secret.changed',
							jsonb_build_object('appId', app, 'clientSecret', secret));
						PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.api.secret.updated',
							jsonb_build_object('appId', app, 'hashedSecret', '$2a$hash-' || app));
					END IF;
				END LOOP;
				app := proj || '-saml';
				PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.added', jsonb_build_object('appId', app, 'name', 'SAML'));
				PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.saml.added', jsonb_build_object(
					'appId', app, 'entityId', 'https://' || app, 'metadata', 'PG1ldGFkYXRhLz4=', 'metadata_url', 'https://' || app || '/md'));
				PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.saml.changed',
					jsonb_build_object('appId', app, 'metadata_url', 'https://' || app || '/md2'));
				IF p = 2 THEN
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.removed', jsonb_build_object('appId', proj || '-app-1'));
				END IF;
				IF p = 3 AND o % 3 = 0 THEN
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.removed', jsonb_build_object('Name', 'Project ' || p || 'b'));
				END IF;
			END LOOP;
			IF o = 7 THEN
				PERFORM pg_temp.ev(tenant, 'org', org, 'org.removed');
			END IF;
		END LOOP;
	END LOOP;
	-- tenant-3 is removed and comes back with a smaller footprint.
	PERFORM pg_temp.ev('tenant-3', 'instance', 'tenant-3', 'instance.removed');
	PERFORM pg_temp.ev('tenant-3', 'instance', 'tenant-3', 'instance.added', '{"name": "Again"}');
	PERFORM pg_temp.ev('tenant-3', 'org', 'org-1', 'org.changed', '{"name": "ghost"}');
END
$gen$;
\ir ../upgrade/stream_base.sql
\ir ../upgrade/stream_identity.sql
\ir ../upgrade/stream_access.sql
\ir ../upgrade/stream_idps.sql
\ir ../upgrade/stream_auth.sql
\ir ../upgrade/stream_tenants.sql

SELECT cmp_ok((SELECT count(*)::int FROM multitenant.events), '>=', 3000, 'the stream has at least 3,000 events');
SELECT is((SELECT count(DISTINCT instance_id)::int FROM multitenant.events WHERE instance_id <> 'system'), 6, 'over six tenants (and the system tenant''s principals)');
SELECT is((SELECT count(DISTINCT event_type)::int FROM multitenant.events),
          (SELECT count(DISTINCT event_type)::int FROM multitenant.reducers), 'covering every event type with a reducer');

-- Every table but the event store, the registries (reducers, declared event
-- types), the encryption and session keys (written by add_key and the key
-- functions, not by events) and the
-- audit log (written by its triggers and purge_audit_log) is a
-- projection.
CREATE FUNCTION pg_temp.current_state() RETURNS TABLE (t text, r jsonb) LANGUAGE plpgsql AS $$
DECLARE
	rel regclass;
BEGIN
	FOR rel IN SELECT c.oid::regclass FROM pg_class c
	            WHERE c.relnamespace = 'multitenant'::regnamespace AND c.relkind = 'r'
	              AND c.relname NOT IN ('events', 'reducers', 'event_types', 'encryption_keys', 'session_keys', 'audit_log') ORDER BY 1 LOOP
		RETURN QUERY EXECUTE format('SELECT %L::text, to_jsonb(x) FROM %s AS x', rel, rel);
	END LOOP;
END $$;
CREATE TEMP TABLE inline_state AS SELECT * FROM pg_temp.current_state();

SELECT is((SELECT count(DISTINCT t)::int FROM inline_state),
          (SELECT count(*)::int - 1 FROM pg_class WHERE relnamespace = 'multitenant'::regnamespace AND relkind = 'r'
                                                    AND relname NOT IN ('events', 'reducers', 'event_types', 'encryption_keys', 'session_keys', 'audit_log')),
          'every projection has rows, except quota periods (no event writes them)');
SELECT is((SELECT count(*)::int FROM multitenant.orgs_projection WHERE instance_id = 'tenant-3'), 0,
          'events after instance.removed on a removed org change nothing');

-- Full rebuild.
SELECT is(multitenant.rebuild(), (SELECT count(*) FROM multitenant.events), 'a full rebuild replays every event');
SELECT bag_eq($$SELECT * FROM pg_temp.current_state()$$, $$SELECT * FROM inline_state$$, 'full rebuild equals inline reduction');

-- One tenant, one projection.
DELETE FROM multitenant.orgs_projection WHERE instance_id = 'tenant-2';
UPDATE multitenant.orgs_projection SET name = 'tampered' WHERE instance_id = 'tenant-1';
SELECT cmp_ok(multitenant.rebuild('multitenant.orgs_projection', 'tenant-2'), '>', 0::bigint, 'rebuild of one projection for one tenant');
SELECT is((SELECT count(*)::int FROM multitenant.orgs_projection WHERE name = 'tampered'), 7, 'other tenants are left alone');
SELECT cmp_ok(multitenant.rebuild('multitenant.orgs_projection', 'tenant-1'), '>', 0::bigint, 'rebuild of another tenant');
SELECT bag_eq($$SELECT * FROM pg_temp.current_state()$$, $$SELECT * FROM inline_state$$, 'per-tenant rebuilds restore the projection');

-- A main table's rebuild includes the detail tables that reference it.
DELETE FROM multitenant.applications_projection;
SELECT is((SELECT count(*)::int FROM multitenant.applications_projection_oidc_configs), 0, 'details went with their apps');
SELECT lives_ok($$SELECT multitenant.rebuild('multitenant.applications_projection')$$, 'rebuild the applications projection');
SELECT bag_eq($$SELECT * FROM pg_temp.current_state()$$, $$SELECT * FROM inline_state$$, 'applications and their detail tables restored');

-- Rebuild is idempotent and safe to repeat.
SELECT is(multitenant.rebuild(NULL, 'tenant-3'), (SELECT count(*) FROM multitenant.events WHERE instance_id = 'tenant-3'), 'rebuild of every projection for one tenant');
SELECT bag_eq($$SELECT * FROM pg_temp.current_state()$$, $$SELECT * FROM inline_state$$, 'rebuilding a removed-and-readded tenant');

-- Several projections in one pass.
DELETE FROM multitenant.users_projection WHERE instance_id = 'upg-a';
UPDATE multitenant.idp_templates_projection SET name = 'tampered';
DELETE FROM multitenant.login_policies;
SELECT cmp_ok(multitenant.rebuild_many(ARRAY['multitenant.users_projection', 'multitenant.idp_templates_projection',
                                             'multitenant.login_policies']::regclass[]), '>', 0::bigint,
              'rebuild_many replays the events of several projections at once');
SELECT bag_eq($$SELECT * FROM pg_temp.current_state()$$, $$SELECT * FROM inline_state$$,
              'rebuild_many restores them and their detail tables');
DELETE FROM multitenant.user_metadata WHERE instance_id = 'upg-b';
SELECT cmp_ok(multitenant.rebuild_many(ARRAY['multitenant.user_metadata']::regclass[], 'upg-b'), '>', 0::bigint,
              'rebuild_many for one tenant');
SELECT bag_eq($$SELECT * FROM pg_temp.current_state()$$, $$SELECT * FROM inline_state$$, 'only that tenant was replayed, correctly');
SELECT throws_ok($$SELECT multitenant.rebuild_many(NULL)$$, '22004', 'projections must not be null', 'rebuild_many: NULL');
SELECT throws_ok($$SELECT multitenant.rebuild_many('{}')$$, '22023', 'projections must not be empty', 'rebuild_many: empty');
SELECT throws_ok($$SELECT multitenant.rebuild_many(ARRAY['multitenant.orgs_projection', NULL]::regclass[])$$, '22004',
                 'projections must not contain null', 'rebuild_many: a NULL element');
SELECT throws_ok($$SELECT multitenant.rebuild_many(ARRAY['pg_temp.unregistered_many']::regclass[])$$, '42P01', NULL,
                 'rebuild_many: unknown projection');

-- Bad input.
CREATE TABLE pg_temp.unregistered (instance_id text, id text);
SELECT throws_ok($$SELECT multitenant.rebuild('pg_temp.unregistered')$$, '42704', NULL, 'a projection without reducers');
SELECT throws_ok($$SELECT multitenant.rebuild('multitenant.orgs_projection', '')$$, '22023', 'instance_id must not be empty', 'empty tenant');
SELECT throws_ok($$SELECT multitenant.rebuild('multitenant.no_such_table')$$, '42P01', NULL, 'unknown projection');
CREATE ROLE mt_r_app NOLOGIN;
GRANT multitenant_app TO mt_r_app;
SET LOCAL ROLE mt_r_app;
SELECT throws_ok($$SELECT multitenant.rebuild()$$, '42501', NULL, 'application roles cannot rebuild');
SELECT throws_ok($$SELECT multitenant.rebuild_many(ARRAY['multitenant.orgs_projection']::regclass[])$$, '42501', NULL,
                 'nor rebuild several projections');
RESET ROLE;
CREATE ROLE mt_r_admin NOLOGIN;
GRANT multitenant_admin TO mt_r_admin;
SET LOCAL ROLE mt_r_admin;
SELECT throws_ok($$SELECT multitenant.rebuild('multitenant.orgs_projection')$$, '42501',
                 'permission denied: DELETE privilege on projection multitenant.orgs_projection is required',
                 'admins need the write privilege on the projection');
RESET ROLE;
SELECT bag_eq($$SELECT * FROM pg_temp.current_state()$$, $$SELECT * FROM inline_state$$, 'failed rebuilds changed nothing');

SELECT * FROM finish();
ROLLBACK;
