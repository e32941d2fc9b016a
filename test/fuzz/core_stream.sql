-- Seeded random stream over the core projections (instances, orgs, projects,
-- applications and their OIDC / API / SAML configs) for test/fuzz/events.sh.
-- The upgrade streams cover every other event type with a reducer; these are
-- the ones they leave out, with random counts, values and lifecycles.
-- Every event here must push cleanly: the fuzzer replays what this leaves in
-- multitenant.events as its well-formed events.
--
-- psql variables: seed (a double in [0, 1) for setseed), tenants (how many).
SELECT setseed(:seed);
-- (psql does not interpolate inside the DO block's dollar quotes)
SET fuzz.core_tenants = :tenants;

CREATE TEMPORARY SEQUENCE core_clock;

CREATE FUNCTION pg_temp.ev(tenant text, agg_type text, agg_id text, ev_type text, payload jsonb DEFAULT NULL,
                           owner text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
	SELECT FROM multitenant.push(agg_type, agg_id, ev_type, payload, resource_owner => owner, instance_id => tenant,
	                             created_at => '2025-03-01 00:00:00+00'::timestamptz
	                                           + pg_catalog.make_interval(secs => pg_catalog.nextval('pg_temp.core_clock')))
$$;

-- n in 0 .. k - 1
CREATE FUNCTION pg_temp.rnd(k integer) RETURNS integer LANGUAGE sql
AS $$ SELECT pg_catalog.floor(pg_catalog.random() * k)::integer $$;

-- Names with the characters that quoting and encodings get wrong.
CREATE FUNCTION pg_temp.name(prefix text) RETURNS text LANGUAGE sql AS $$
	SELECT prefix || ' ' || pg_temp.rnd(100000)
	       || (ARRAY['', ' Zürich', ' ☃', ' 日本', ' "quoted"', ' back\slash', E' tab\there', ' it''s', ' %_'])[1 + pg_temp.rnd(9)]
$$;

CREATE FUNCTION pg_temp.b64(s text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT pg_catalog.translate(pg_catalog.encode(pg_catalog.convert_to(s, 'UTF8'), 'base64'), E'\n', '') $$;

-- A random subset (each key with probability p) of an object.
CREATE FUNCTION pg_temp.some(obj jsonb, p double precision) RETURNS jsonb LANGUAGE sql AS $$
	SELECT COALESCE(pg_catalog.jsonb_object_agg(x.key, x.value), '{}') FROM pg_catalog.jsonb_each(obj) AS x
	 WHERE pg_catalog.random() < p
$$;

CREATE FUNCTION pg_temp.oidc_config(app text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT pg_catalog.jsonb_build_object(
		'oidcVersion', 0,
		'redirectUris', pg_catalog.jsonb_build_array('https://' || app || '.example.com/cb' || pg_temp.rnd(9)),
		'responseTypes', pg_catalog.to_jsonb(ARRAY[pg_temp.rnd(3)]),
		'grantTypes', pg_catalog.to_jsonb(ARRAY[0, 1 + pg_temp.rnd(3)]),
		'applicationType', pg_temp.rnd(3),
		'authMethodType', pg_temp.rnd(4),
		'postLogoutRedirectUris', CASE WHEN pg_temp.rnd(2) = 0 THEN '[]'::jsonb ELSE pg_catalog.jsonb_build_array('https://' || app || '.example.com/bye') END,
		'devMode', pg_temp.rnd(2) = 0,
		'accessTokenType', pg_temp.rnd(2),
		'accessTokenRoleAssertion', pg_temp.rnd(2) = 0,
		'idTokenRoleAssertion', pg_temp.rnd(2) = 0,
		'idTokenUserinfoAssertion', pg_temp.rnd(2) = 0,
		'clockSkew', pg_temp.rnd(5) * 1000000000::bigint,
		'additionalOrigins', '[]'::jsonb,
		'skipNativeAppSuccessPage', pg_temp.rnd(2) = 0,
		'backChannelLogoutURI', CASE WHEN pg_temp.rnd(2) = 0 THEN 'https://' || app || '.example.com/bcl' END,
		'loginVersion', CASE WHEN pg_temp.rnd(2) = 0 THEN 1 + pg_temp.rnd(2) END)
$$;

DO $core$
DECLARE
	secret CONSTANT jsonb := '{"CryptoType": 0, "Algorithm": "aes", "KeyID": "k1", "Crypted": "c2VjcmV0"}';
	tenant text;
	org text;
	proj text;
	app text;
	kind integer;
	n_tenants CONSTANT integer := pg_catalog.current_setting('fuzz.core_tenants')::integer;
BEGIN
	FOR t IN 1..n_tenants LOOP
		tenant := 'fz-core-' || t;
		PERFORM pg_temp.ev(tenant, 'instance', tenant, 'instance.added', pg_catalog.jsonb_build_object('name', pg_temp.name('Instance')));
		FOR k IN 1..1 + pg_temp.rnd(2) LOOP
			PERFORM pg_temp.ev(tenant, 'instance', tenant, 'instance.changed', pg_catalog.jsonb_build_object('name', pg_temp.name('Renamed')));
		END LOOP;
		PERFORM pg_temp.ev(tenant, 'instance', tenant, 'instance.default.org.set', '{"orgId": "org-1"}');
		PERFORM pg_temp.ev(tenant, 'instance', tenant, 'instance.iam.project.set', '{"iamProjectId": "org-1-proj-1"}');
		PERFORM pg_temp.ev(tenant, 'instance', tenant, 'instance.iam.console.set',
		                   pg_catalog.jsonb_build_object('clientId', 'console-' || pg_temp.rnd(100), 'appId', 'org-1-proj-1-app-1'));
		PERFORM pg_temp.ev(tenant, 'instance', tenant, 'instance.default.language.set',
		                   pg_catalog.jsonb_build_object('language', (ARRAY['de', 'en', 'fr', 'und'])[1 + pg_temp.rnd(4)]));
		FOR o IN 1..2 + pg_temp.rnd(4) LOOP
			org := 'org-' || o;
			PERFORM pg_temp.ev(tenant, 'org', org, 'org.added', pg_catalog.jsonb_build_object('name', pg_temp.name('Org')));
			FOR k IN 1..pg_temp.rnd(4) LOOP
				CASE pg_temp.rnd(5)
					WHEN 0 THEN PERFORM pg_temp.ev(tenant, 'org', org, 'org.changed', pg_catalog.jsonb_build_object('name', pg_temp.name('Org')));
					WHEN 1 THEN PERFORM pg_temp.ev(tenant, 'org', org, 'org.changed', '{"name": ""}');
					WHEN 2 THEN PERFORM pg_temp.ev(tenant, 'org', org, 'org.domain.primary.set',
					                               pg_catalog.jsonb_build_object('domain', org || '.' || tenant || '.example.com'));
					WHEN 3 THEN PERFORM pg_temp.ev(tenant, 'org', org, 'org.deactivated');
					ELSE PERFORM pg_temp.ev(tenant, 'org', org, 'org.reactivated');
				END CASE;
			END LOOP;
			FOR p IN 1..1 + pg_temp.rnd(3) LOOP
				proj := org || '-proj-' || p;
				PERFORM pg_temp.ev(tenant, 'project', proj, 'project.added',
					pg_catalog.jsonb_build_object('name', pg_temp.name('Project'), 'projectRoleAssertion', pg_temp.rnd(2) = 0,
					                              'projectRoleCheck', pg_temp.rnd(2) = 0, 'hasProjectCheck', pg_temp.rnd(2) = 0,
					                              'privateLabelingSetting', pg_temp.rnd(3)),
					owner => org);
				FOR k IN 1..pg_temp.rnd(4) LOOP
					CASE pg_temp.rnd(3)
						WHEN 0 THEN PERFORM pg_temp.ev(tenant, 'project', proj, 'project.changed', pg_temp.some(
							pg_catalog.jsonb_build_object('name', pg_temp.name('Project'), 'projectRoleAssertion', pg_temp.rnd(2) = 0,
							                              'projectRoleCheck', pg_temp.rnd(2) = 0, 'hasProjectCheck', pg_temp.rnd(2) = 0,
							                              'privateLabelingSetting', pg_temp.rnd(3)), 0.5));
						WHEN 1 THEN PERFORM pg_temp.ev(tenant, 'project', proj, 'project.deactivated');
						ELSE PERFORM pg_temp.ev(tenant, 'project', proj, 'project.reactivated');
					END CASE;
				END LOOP;
				FOR a IN 1..pg_temp.rnd(4) LOOP
					app := proj || '-app-' || a;
					kind := pg_temp.rnd(3);
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.added',
					                   pg_catalog.jsonb_build_object('appId', app, 'name', pg_temp.name('App')));
					CASE kind
						WHEN 0 THEN PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.oidc.added',
							pg_temp.oidc_config(app) || pg_catalog.jsonb_build_object('appId', app, 'clientId', app || '@client',
							                                                          'clientSecret', secret));
						WHEN 1 THEN PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.api.added',
							pg_catalog.jsonb_build_object('appId', app, 'clientId', app || '@api', 'authMethodType', pg_temp.rnd(2))
							|| CASE WHEN pg_temp.rnd(2) = 0 THEN pg_catalog.jsonb_build_object('clientSecret', secret)
							        ELSE pg_catalog.jsonb_build_object('hashedSecret', '$2a$hash-' || app) END);
						ELSE PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.saml.added',
							pg_catalog.jsonb_build_object('appId', app, 'entityId', 'https://' || app, 'metadata', pg_temp.b64('<md ' || app || '/>'),
							                              'metadata_url', 'https://' || app || '/md'));
					END CASE;
					FOR k IN 1..pg_temp.rnd(5) LOOP
						CASE pg_temp.rnd(6)
							WHEN 0 THEN PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.changed',
							                               pg_catalog.jsonb_build_object('appId', app, 'name', pg_temp.name('App')));
							WHEN 1 THEN PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.deactivated',
							                               pg_catalog.jsonb_build_object('appId', app));
							WHEN 2 THEN PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.reactivated',
							                               pg_catalog.jsonb_build_object('appId', app));
							WHEN 3 THEN
								CASE kind
									WHEN 0 THEN PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.oidc.changed',
										pg_temp.some(pg_temp.oidc_config(app), 0.3) || pg_catalog.jsonb_build_object('appId', app));
									WHEN 1 THEN PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.api.changed',
										pg_catalog.jsonb_build_object('appId', app, 'authMethodType', pg_temp.rnd(2)));
									ELSE PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.saml.changed',
										pg_temp.some(pg_catalog.jsonb_build_object('entityId', 'https://' || app || '/v' || pg_temp.rnd(9),
										                                           'metadata', pg_temp.b64('<md v="' || pg_temp.rnd(9) || '"/>'),
										                                           'metadata_url', 'https://' || app || '/md' || pg_temp.rnd(9)), 0.5)
										|| pg_catalog.jsonb_build_object('appId', app));
								END CASE;
							WHEN 4 THEN
								CASE kind
									WHEN 0 THEN PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.oidc.secret.changed',
										pg_catalog.jsonb_build_object('appId', app, 'clientSecret', secret));
									WHEN 1 THEN PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.api.secret.changed',
										pg_catalog.jsonb_build_object('appId', app, 'clientSecret', secret));
									ELSE NULL;
								END CASE;
							ELSE
								CASE kind
									WHEN 0 THEN PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.oidc.secret.updated',
										pg_catalog.jsonb_build_object('appId', app, 'hashedSecret', '$2a$hash-' || pg_temp.rnd(1000)));
									WHEN 1 THEN PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.api.secret.updated',
										pg_catalog.jsonb_build_object('appId', app, 'hashedSecret', '$2a$hash-' || pg_temp.rnd(1000)));
									ELSE NULL;
								END CASE;
						END CASE;
					END LOOP;
					IF pg_temp.rnd(8) = 0 THEN
						PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.removed', pg_catalog.jsonb_build_object('appId', app));
					END IF;
				END LOOP;
				IF pg_temp.rnd(8) = 0 THEN
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.removed', pg_catalog.jsonb_build_object('name', 'gone'));
				END IF;
			END LOOP;
			IF pg_temp.rnd(8) = 0 THEN
				PERFORM pg_temp.ev(tenant, 'org', org, 'org.removed');
			END IF;
		END LOOP;

		-- Whatever the draws left out: every core event type once, in an
		-- org of its own.
		org := 'org-tour';
		proj := org || '-proj';
		PERFORM pg_temp.ev(tenant, 'org', org, 'org.added', pg_catalog.jsonb_build_object('name', pg_temp.name('Tour')));
		PERFORM pg_temp.ev(tenant, 'org', org, 'org.changed', pg_catalog.jsonb_build_object('name', pg_temp.name('Tour')));
		PERFORM pg_temp.ev(tenant, 'org', org, 'org.deactivated');
		PERFORM pg_temp.ev(tenant, 'org', org, 'org.reactivated');
		PERFORM pg_temp.ev(tenant, 'project', proj, 'project.added', pg_catalog.jsonb_build_object('name', pg_temp.name('Tour')), owner => org);
		PERFORM pg_temp.ev(tenant, 'project', proj, 'project.changed', '{"hasProjectCheck": true}');
		PERFORM pg_temp.ev(tenant, 'project', proj, 'project.deactivated');
		PERFORM pg_temp.ev(tenant, 'project', proj, 'project.reactivated');
		FOR a IN 0..2 LOOP
			app := proj || '-app-' || a;
			PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.added', pg_catalog.jsonb_build_object('appId', app, 'name', 'Tour'));
			PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.changed', pg_catalog.jsonb_build_object('appId', app, 'name', 'Tour 2'));
			PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.deactivated', pg_catalog.jsonb_build_object('appId', app));
			PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.reactivated', pg_catalog.jsonb_build_object('appId', app));
			CASE a
				WHEN 0 THEN
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.oidc.added',
						pg_temp.oidc_config(app) || pg_catalog.jsonb_build_object('appId', app, 'clientId', app || '@client'));
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.oidc.changed',
						pg_catalog.jsonb_build_object('appId', app, 'devMode', true));
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.oidc.secret.changed',
						pg_catalog.jsonb_build_object('appId', app, 'clientSecret', secret));
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.oidc.secret.updated',
						pg_catalog.jsonb_build_object('appId', app, 'hashedSecret', '$2a$tour'));
				WHEN 1 THEN
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.api.added',
						pg_catalog.jsonb_build_object('appId', app, 'clientId', app || '@api'));
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.api.changed',
						pg_catalog.jsonb_build_object('appId', app, 'authMethodType', 1));
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.api.secret.changed',
						pg_catalog.jsonb_build_object('appId', app, 'clientSecret', secret));
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.api.secret.updated',
						pg_catalog.jsonb_build_object('appId', app, 'hashedSecret', '$2a$tour'));
				ELSE
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.saml.added',
						pg_catalog.jsonb_build_object('appId', app, 'entityId', 'https://' || app, 'metadata', pg_temp.b64('<md/>')));
					PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.config.saml.changed',
						pg_catalog.jsonb_build_object('appId', app, 'metadata_url', 'https://' || app || '/md'));
			END CASE;
		END LOOP;
		PERFORM pg_temp.ev(tenant, 'project', proj, 'project.application.removed', pg_catalog.jsonb_build_object('appId', proj || '-app-0'));
		PERFORM pg_temp.ev(tenant, 'project', proj, 'project.removed');
		PERFORM pg_temp.ev(tenant, 'org', org, 'org.removed');
	END LOOP;
	-- One tenant is removed and comes back: events after the removal reduce
	-- into the new instance only.
	tenant := 'fz-core-' || (1 + pg_temp.rnd(n_tenants));
	PERFORM pg_temp.ev(tenant, 'instance', tenant, 'instance.removed');
	PERFORM pg_temp.ev(tenant, 'instance', tenant, 'instance.added', pg_catalog.jsonb_build_object('name', pg_temp.name('Again')));
	PERFORM pg_temp.ev(tenant, 'org', 'org-1', 'org.changed', pg_catalog.jsonb_build_object('name', pg_temp.name('Ghost')));
	PERFORM pg_temp.ev(tenant, 'org', 'org-9', 'org.added', pg_catalog.jsonb_build_object('name', pg_temp.name('Org')));
END
$core$;
