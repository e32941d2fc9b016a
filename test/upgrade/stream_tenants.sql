-- The 1.3 part of the upgrade stream: the tenants registry, for the tenants
-- upg-a, upg-b, upg-c of stream_base.sql.  Versions before 1.3 store these
-- events without reducing them; the upgrade to 1.3 rebuilds the registry
-- from them.  Every tenant event type appears.  upg-c goes through every
-- status and ends active, as the others, so that the suites that work inside
-- these tenants after the stream can still enter them; upg-b only changes,
-- since a suite replays its stream as the application, which a suspension
-- would lock out in the middle.
DO $tenants$
DECLARE
	base CONSTANT timestamptz := '2024-03-01 00:00:00+00';
BEGIN
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.added',
	                         '{"name": "Tenant A", "type": "enterprise", "settings": {"features": {"sso": true}, "locale": "en-GB"}, "externalGroupId": "grp-upg-a"}',
	                         instance_id => 'upg-a', created_at => base);
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.added', '{"name": "Tenant B", "type": "standard", "settings": {}}',
	                         instance_id => 'upg-b', created_at => base + interval '1 second');
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.changed',
	                         '{"name": "Tenant B Ltd", "settings": {"limits": {"users": 50}, "branding": {"colour": "#123456"}, "timezone": "Europe/Zurich"}, "externalGroupId": "grp-upg-b"}',
	                         instance_id => 'upg-b', created_at => base + interval '2 seconds');
	PERFORM multitenant.push('tenant', 'upg-c', 'tenant.added', '{"name": "Tenant C", "type": "trial"}',
	                         instance_id => 'upg-c', created_at => base + interval '3 seconds');
	PERFORM multitenant.push('tenant', 'upg-c', 'tenant.suspended', '{"reason": "unpaid"}',
	                         instance_id => 'upg-c', created_at => base + interval '4 seconds');
	PERFORM multitenant.push('tenant', 'upg-c', 'tenant.deactivated', NULL,
	                         instance_id => 'upg-c', created_at => base + interval '5 seconds');
	PERFORM multitenant.push('tenant', 'upg-c', 'tenant.reactivated', '{"reason": "paid"}',
	                         instance_id => 'upg-c', created_at => base + interval '6 seconds');
	PERFORM multitenant.push('tenant', 'upg-c', 'tenant.changed', '{"type": "standard", "externalGroupId": ""}',
	                         instance_id => 'upg-c', created_at => base + interval '7 seconds');
END
$tenants$;
