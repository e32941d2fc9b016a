-- Volume for the upgrade stream: per tenant, 100 more users with an email
-- verification, a metadata entry and a changed profile (1,200 events).
DO $bulk$
DECLARE
	t text;
	u text;
	n integer := 0;
	base CONSTANT timestamptz := '2024-06-01 00:00:00+00';
BEGIN
	FOREACH t IN ARRAY ARRAY['upg-a', 'upg-b', 'upg-c'] LOOP
		FOR i IN 1..100 LOOP
			u := t || '-bulk-user-' || i;
			PERFORM multitenant.push('user', u, 'user.human.added',
				jsonb_build_object('userName', 'bulk' || i, 'firstName', 'Bulk', 'lastName', 'User ' || i,
				                   'email', 'bulk' || i || '@' || t || '.example.com', 'preferredLanguage', 'en'),
				resource_owner => t || '-org-' || (1 + i % 2), instance_id => t, created_at => base + make_interval(secs => n));
			PERFORM multitenant.push('user', u, 'user.human.email.verified', NULL,
				instance_id => t, created_at => base + make_interval(secs => n + 1));
			PERFORM multitenant.push('user', u, 'user.metadata.set',
				jsonb_build_object('key', 'cost-center', 'value', encode(convert_to('cc-' || (i % 7), 'UTF8'), 'base64')),
				instance_id => t, created_at => base + make_interval(secs => n + 2));
			PERFORM multitenant.push('user', u, 'user.human.profile.changed',
				jsonb_build_object('displayName', 'Bulk User ' || i, 'nickName', 'b' || i),
				instance_id => t, created_at => base + make_interval(secs => n + 3));
			n := n + 4;
		END LOOP;
	END LOOP;
END
$bulk$;
