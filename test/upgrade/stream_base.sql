-- Base of the upgrade stream: three tenants, each with an instance, two
-- organisations and a project with applications (the 1.0 core projections).
-- The group streams (stream_identity.sql, stream_access.sql,
-- stream_idps.sql) build on these ids.
DO $base$
DECLARE
	t text;
	n integer := 0;
	base CONSTANT timestamptz := '2024-01-01 00:00:00+00';
BEGIN
	FOREACH t IN ARRAY ARRAY['upg-a', 'upg-b', 'upg-c'] LOOP
		PERFORM multitenant.push('instance', t, 'instance.added', jsonb_build_object('name', 'Instance ' || t),
		                         instance_id => t, created_at => base + make_interval(secs => n));
		n := n + 1;
		PERFORM multitenant.push('instance', t, 'instance.default.language.set', '{"language": "en"}',
		                         instance_id => t, created_at => base + make_interval(secs => n));
		n := n + 1;
		FOR o IN 1..2 LOOP
			PERFORM multitenant.push('org', t || '-org-' || o, 'org.added', jsonb_build_object('name', 'Org ' || o || ' of ' || t),
			                         instance_id => t, created_at => base + make_interval(secs => n));
			n := n + 1;
		END LOOP;
		PERFORM multitenant.push('instance', t, 'instance.default.org.set', jsonb_build_object('orgId', t || '-org-1'),
		                         instance_id => t, created_at => base + make_interval(secs => n));
		n := n + 1;
		PERFORM multitenant.push('project', t || '-proj-1', 'project.added', '{"name": "Main project", "projectRoleAssertion": true}',
		                         resource_owner => t || '-org-1', instance_id => t, created_at => base + make_interval(secs => n));
		n := n + 1;
		PERFORM multitenant.push('project', t || '-proj-1', 'project.application.added',
		                         jsonb_build_object('appId', t || '-app-1', 'name', 'Console'),
		                         instance_id => t, created_at => base + make_interval(secs => n));
		n := n + 1;
		PERFORM multitenant.push('project', t || '-proj-1', 'project.application.config.oidc.added',
		                         jsonb_build_object('appId', t || '-app-1', 'clientId', t || '-client-1',
		                                            'redirectUris', jsonb_build_array('https://' || t || '.example.com/cb'),
		                                            'responseTypes', '[0]'::jsonb, 'grantTypes', '[0]'::jsonb),
		                         instance_id => t, created_at => base + make_interval(secs => n));
		n := n + 1;
		PERFORM multitenant.push('project', t || '-proj-1', 'project.application.added',
		                         jsonb_build_object('appId', t || '-app-2', 'name', 'API'),
		                         instance_id => t, created_at => base + make_interval(secs => n));
		n := n + 1;
		PERFORM multitenant.push('project', t || '-proj-1', 'project.application.config.api.added',
		                         jsonb_build_object('appId', t || '-app-2', 'clientId', t || '-api-client', 'hashedSecret', '$2a$hash', 'authMethodType', 0),
		                         instance_id => t, created_at => base + make_interval(secs => n));
		n := n + 1;
		PERFORM multitenant.push('project', t || '-proj-1', 'project.application.added',
		                         jsonb_build_object('appId', t || '-app-3', 'name', 'SAML'),
		                         instance_id => t, created_at => base + make_interval(secs => n));
		n := n + 1;
		PERFORM multitenant.push('project', t || '-proj-1', 'project.application.config.saml.added',
		                         jsonb_build_object('appId', t || '-app-3', 'entityId', 'https://' || t || '.example.com/saml', 'metadata', 'PHgvPg=='),
		                         instance_id => t, created_at => base + make_interval(secs => n));
		n := n + 1;
	END LOOP;
END
$base$;
