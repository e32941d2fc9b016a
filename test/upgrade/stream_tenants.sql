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

-- Lifecycle: principals (in the system tenant), memberships and custom roles
-- of upg-a, upg-b and upg-c; every event type of them appears.  A principal
-- belongs to several tenants with different roles.
DO $lifecycle$
DECLARE
	base CONSTANT timestamptz := '2024-03-02 00:00:00+00';
BEGIN
	PERFORM multitenant.push('principal', 'p-ann', 'principal.added',
	                         '{"kind": "user", "email": "ann@example.com", "displayName": "Ann", "userType": "regular", "externalId": "kc-ann", "metadata": {"team": "ops"}}',
	                         instance_id => 'system', created_at => base);
	PERFORM multitenant.push('principal', 'p-ann', 'principal.verified', NULL, instance_id => 'system', created_at => base + interval '1 second');
	PERFORM multitenant.push('principal', 'p-ben', 'principal.added', '{"kind": "user", "email": "ben@example.com"}',
	                         instance_id => 'system', created_at => base + interval '2 seconds');
	PERFORM multitenant.push('principal', 'p-ben', 'principal.changed', '{"email": "ben@example.org", "displayName": "Ben", "externalId": ""}',
	                         instance_id => 'system', created_at => base + interval '3 seconds');
	PERFORM multitenant.push('principal', 'p-ben', 'principal.verified', NULL, instance_id => 'system', created_at => base + interval '4 seconds');
	PERFORM multitenant.push('principal', 'p-bot', 'principal.added', '{"kind": "client", "displayName": "CI bot"}',
	                         instance_id => 'system', created_at => base + interval '5 seconds');
	PERFORM multitenant.push('principal', 'p-bot', 'principal.deactivated', '{"reason": "rotated"}', instance_id => 'system', created_at => base + interval '6 seconds');
	PERFORM multitenant.push('principal', 'p-bot', 'principal.reactivated', NULL, instance_id => 'system', created_at => base + interval '7 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.member.added', '{"principalId": "p-ann", "role": "owner", "acceptedAt": "2024-03-02T00:00:10Z"}',
	                         instance_id => 'upg-a', created_at => base + interval '10 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.member.added',
	                         '{"principalId": "p-ben", "role": "admin", "invitedBy": "p-ann", "invitedAt": "2024-03-02T00:00:05Z", "acceptedAt": "2024-03-02T00:00:11Z"}',
	                         instance_id => 'upg-a', created_at => base + interval '11 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.member.role.changed', '{"principalId": "p-ben", "role": "member"}',
	                         instance_id => 'upg-a', created_at => base + interval '12 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.member.added', '{"principalId": "p-bot", "role": "viewer"}',
	                         instance_id => 'upg-a', created_at => base + interval '13 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.member.suspended', '{"principalId": "p-bot", "reason": "audit"}',
	                         instance_id => 'upg-a', created_at => base + interval '14 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.member.reactivated', '{"principalId": "p-bot"}',
	                         instance_id => 'upg-a', created_at => base + interval '15 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.custom_role.added', '{"name": "billing", "description": "Sees invoices"}',
	                         instance_id => 'upg-a', created_at => base + interval '16 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.custom_role.changed', '{"name": "billing", "description": "Sees and pays invoices"}',
	                         instance_id => 'upg-a', created_at => base + interval '17 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.member.custom_role.granted', '{"principalId": "p-bot", "role": "billing", "grantedBy": "p-ann"}',
	                         instance_id => 'upg-a', created_at => base + interval '18 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.custom_role.added', '{"name": "support"}',
	                         instance_id => 'upg-a', created_at => base + interval '19 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.member.custom_role.granted', '{"principalId": "p-ben", "role": "support"}',
	                         instance_id => 'upg-a', created_at => base + interval '20 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.member.custom_role.revoked', '{"principalId": "p-ben", "role": "support"}',
	                         instance_id => 'upg-a', created_at => base + interval '21 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.member.custom_role.granted', '{"principalId": "p-ann", "role": "support"}',
	                         instance_id => 'upg-a', created_at => base + interval '22 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.custom_role.removed', '{"name": "support"}',
	                         instance_id => 'upg-a', created_at => base + interval '23 seconds');
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.member.added', '{"principalId": "p-ben", "role": "owner"}',
	                         instance_id => 'upg-b', created_at => base + interval '24 seconds');
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.member.added', '{"principalId": "p-ann", "role": "viewer"}',
	                         instance_id => 'upg-b', created_at => base + interval '25 seconds');
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.custom_role.added', '{"name": "billing"}',
	                         instance_id => 'upg-b', created_at => base + interval '26 seconds');
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.member.custom_role.granted', '{"principalId": "p-ann", "role": "billing"}',
	                         instance_id => 'upg-b', created_at => base + interval '27 seconds');
	PERFORM multitenant.push('tenant', 'upg-c', 'tenant.member.added', '{"principalId": "p-ben", "role": "owner"}',
	                         instance_id => 'upg-c', created_at => base + interval '28 seconds');
	PERFORM multitenant.push('tenant', 'upg-c', 'tenant.member.added', '{"principalId": "p-ann", "role": "member"}',
	                         instance_id => 'upg-c', created_at => base + interval '29 seconds');
	PERFORM multitenant.push('tenant', 'upg-c', 'tenant.custom_role.added', '{"name": "auditor"}',
	                         instance_id => 'upg-c', created_at => base + interval '30 seconds');
	PERFORM multitenant.push('tenant', 'upg-c', 'tenant.member.custom_role.granted', '{"principalId": "p-ann", "role": "auditor"}',
	                         instance_id => 'upg-c', created_at => base + interval '31 seconds');
	PERFORM multitenant.push('tenant', 'upg-c', 'tenant.member.removed', '{"principalId": "p-ann", "reason": "left"}',
	                         instance_id => 'upg-c', created_at => base + interval '32 seconds');
	PERFORM multitenant.push('tenant', 'upg-c', 'tenant.member.added', '{"principalId": "p-bot", "role": "member"}',
	                         instance_id => 'upg-c', created_at => base + interval '33 seconds');
END
$lifecycle$;

-- Join requests and invitations of upg-a, upg-b and upg-c; every event type
-- of them appears.  Pending ones expire in 2099, so that a sweep run after
-- the stream leaves them pending.
DO $requests$
DECLARE
	base CONSTANT timestamptz := '2024-03-03 00:00:00+00';
BEGIN
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.request.added',
	                         '{"requestId": "req-a1", "principalId": "p-dan", "message": "Hello", "expiresAt": "2099-01-01T00:00:00Z"}',
	                         instance_id => 'upg-a', created_at => base);
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.request.added',
	                         '{"requestId": "req-a2", "principalId": "p-eve", "expiresAt": "2024-03-06T00:00:00Z"}',
	                         instance_id => 'upg-a', created_at => base + interval '1 second');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.request.rejected', '{"requestId": "req-a2", "reason": "unknown to us", "decidedBy": "p-ann"}',
	                         instance_id => 'upg-a', created_at => base + interval '2 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.invitation.added',
	                         '{"invitationId": "inv-a1", "email": "new@example.com", "role": "member", "customRoles": ["billing"], "tokenHash": "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "expiresAt": "2099-01-01T00:00:00Z", "invitedBy": "p-ann"}',
	                         instance_id => 'upg-a', created_at => base + interval '3 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.invitation.added',
	                         '{"invitationId": "inv-a2", "email": "old@example.com", "role": "viewer", "tokenHash": "a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2", "expiresAt": "2024-03-10T00:00:00Z", "invitedBy": "p-ann"}',
	                         instance_id => 'upg-a', created_at => base + interval '4 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.invitation.revoked', '{"invitationId": "inv-a2", "reason": "left", "revokedBy": "p-ann"}',
	                         instance_id => 'upg-a', created_at => base + interval '5 seconds');
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.request.added',
	                         '{"requestId": "req-b1", "principalId": "p-bot", "expiresAt": "2024-03-06T00:00:00Z"}',
	                         instance_id => 'upg-b', created_at => base + interval '6 seconds');
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.request.approved',
	                         '{"requestId": "req-b1", "role": "member", "customRoles": ["billing"], "decidedBy": "p-ben"}',
	                         instance_id => 'upg-b', created_at => base + interval '7 seconds');
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.invitation.added',
	                         '{"invitationId": "inv-b1", "email": "cat@example.com", "role": "admin", "tokenHash": "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1", "expiresAt": "2024-03-10T00:00:00Z", "invitedBy": "p-ben"}',
	                         instance_id => 'upg-b', created_at => base + interval '8 seconds');
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.invitation.accepted', '{"invitationId": "inv-b1", "principalId": "p-cat"}',
	                         instance_id => 'upg-b', created_at => base + interval '9 seconds');
	PERFORM multitenant.push('tenant', 'upg-c', 'tenant.request.added',
	                         '{"requestId": "req-c1", "principalId": "p-dan", "expiresAt": "2024-03-03T00:00:30Z"}',
	                         instance_id => 'upg-c', created_at => base + interval '10 seconds');
	PERFORM multitenant.push('tenant', 'upg-c', 'tenant.request.expired', '{"requestId": "req-c1"}',
	                         instance_id => 'upg-c', created_at => base + interval '40 seconds');
	PERFORM multitenant.push('tenant', 'upg-c', 'tenant.invitation.added',
	                         '{"invitationId": "inv-c1", "email": "dan@example.com", "role": "member", "tokenHash": "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1", "expiresAt": "2099-01-01T00:00:00Z", "invitedBy": "p-ben"}',
	                         instance_id => 'upg-c', created_at => base + interval '41 seconds');
END
$requests$;

-- Realms of upg-a and upg-b (1.4); every realm event type appears.  Versions
-- before 1.4 store them without reducing them; the upgrade to 1.4 rebuilds
-- the realms from them.
DO $realms$
DECLARE
	base CONSTANT timestamptz := '2024-03-04 00:00:00+00';
BEGIN
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.realm.added',
	                         '{"realmId": "r-a-pw", "name": "staff", "type": "username_password", "source": "api", "configuration": {"min_password_length": 12}}',
	                         instance_id => 'upg-a', created_at => base);
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.realm.added',
	                         '{"realmId": "r-a-ldap", "name": "corp", "type": "ldap", "source": "file", "enabled": false, "configuration": {"url": "ldaps://ldap.example.com", "user_base_dn": "ou=people,dc=example,dc=com"}}',
	                         instance_id => 'upg-a', created_at => base + interval '1 second');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.realm.changed',
	                         '{"realmId": "r-a-ldap", "configuration": {"url": "ldaps://ldap2.example.com", "user_base_dn": "ou=people,dc=example,dc=com"}, "secretsChanged": ["bind_password"]}',
	                         instance_id => 'upg-a', created_at => base + interval '2 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.realm.enabled', '{"realmId": "r-a-ldap"}',
	                         instance_id => 'upg-a', created_at => base + interval '3 seconds');
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.realm.added',
	                         '{"realmId": "r-b-otp", "name": "second-factor", "type": "otp", "configuration": {"digits": 6}}',
	                         instance_id => 'upg-b', created_at => base + interval '4 seconds');
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.realm.changed', '{"realmId": "r-b-otp", "name": "otp"}',
	                         instance_id => 'upg-b', created_at => base + interval '5 seconds');
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.realm.disabled', '{"realmId": "r-b-otp"}',
	                         instance_id => 'upg-b', created_at => base + interval '6 seconds');
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.realm.enabled', '{"realmId": "r-b-otp"}',
	                         instance_id => 'upg-b', created_at => base + interval '7 seconds');
END
$realms$;

-- Sessions of upg-a and upg-b (1.4); every session event type appears.
-- Versions before 1.4 store them without reducing them; the upgrade to 1.4
-- rebuilds the sessions from them.  Their expiries lie in 2099, so that the
-- suites working after the stream meet active sessions.
DO $sessions$
DECLARE
	base CONSTANT timestamptz := '2024-03-05 00:00:00+00';
BEGIN
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.session.added',
	                         '{"sessionId": "ses-a1", "principalId": "p-ann", "realmId": "r-a-pw", "kind": "browser", "format": "opaque", "tokenHash": "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1", "idleTimeout": "00:30:00", "expiresAt": "2099-01-01T00:00:00Z", "createdBy": "p-ann"}',
	                         instance_id => 'upg-a', created_at => base);
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.session.rotated',
	                         '{"sessionId": "ses-a1", "tokenHash": "d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2"}',
	                         instance_id => 'upg-a', created_at => base + interval '1 second');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.session.added',
	                         '{"sessionId": "ses-a2", "principalId": "p-bot", "realmId": "r-a-pw", "kind": "service", "format": "opaque", "tokenHash": "d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3", "idleTimeout": "1 day", "expiresAt": "2099-01-01T00:00:00Z"}',
	                         instance_id => 'upg-a', created_at => base + interval '2 seconds');
	PERFORM multitenant.push('tenant', 'upg-a', 'tenant.session.revoked', '{"sessionId": "ses-a2", "reason": "logout"}',
	                         instance_id => 'upg-a', created_at => base + interval '3 seconds');
	PERFORM multitenant.push('tenant', 'upg-b', 'tenant.session.added',
	                         '{"sessionId": "ses-b1", "principalId": "p-ben", "realmId": "r-b-otp", "kind": "browser", "format": "opaque", "tokenHash": "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4", "idleTimeout": "00:15:00", "expiresAt": "2099-01-01T00:00:00Z", "createdBy": "p-ben"}',
	                         instance_id => 'upg-b', created_at => base + interval '4 seconds');
END
$sessions$;
