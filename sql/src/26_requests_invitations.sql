/*
 * Join requests and invitations: the two ways into a tenant that start with
 * someone other than an operator.  A principal asks to join (request_join)
 * and the tenant's owners or admins approve or reject; or an owner or admin
 * invites an e-mail address (invite) and the principal holding it accepts
 * with the token.  Both are projections of events of the `tenant` aggregate,
 * like memberships, and their functions share the lifecycle helpers of
 * 25_lifecycle.sql.
 */

------------------------------------------------------------------------------
-- Join requests (events tenant.request.added | approved | rejected | expired
-- on ('tenant', T)).  expires_at is fixed when the request is made, from
-- multitenant.unverified_ttl; a request past it is never approved, whether
-- or not expire_join_requests has marked it yet.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.join_requests (
	instance_id  text        NOT NULL,
	id           text        NOT NULL,
	principal_id text        NOT NULL,
	message      text,
	status       text        NOT NULL DEFAULT 'pending',
	role         text,
	custom_roles text[]      NOT NULL DEFAULT '{}',
	decided_by   text,
	decided_at   timestamptz,
	reason       text,
	expires_at   timestamptz NOT NULL,
	created_at   timestamptz NOT NULL,
	changed_at   timestamptz NOT NULL,
	CONSTRAINT join_requests_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT join_requests_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT join_requests_message_check CHECK (pg_catalog.char_length(message) OPERATOR(pg_catalog.<=) 1000),
	CONSTRAINT join_requests_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['pending', 'approved', 'rejected', 'expired'])),
	CONSTRAINT join_requests_role_check CHECK (role OPERATOR(pg_catalog.=) ANY (ARRAY['owner', 'admin', 'member', 'viewer']))
);

-- One pending request per principal and tenant.
CREATE UNIQUE INDEX join_requests_pending_key ON @extschema@.join_requests (instance_id, principal_id)
	WHERE status OPERATOR(pg_catalog.=) 'pending';

SELECT @extschema@.enable_tenant_isolation('@extschema@.join_requests');
GRANT SELECT ON @extschema@.join_requests TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.join_requests', '');

-- Inside its tenant the application sees a request only as one of the
-- tenant's owners or admins, or as the principal who made it.
CREATE POLICY join_requests_visibility ON @extschema@.join_requests AS RESTRICTIVE FOR SELECT TO multitenant_app
	USING (principal_id OPERATOR(pg_catalog.=) (SELECT @extschema@.current_actor())
	       OR (SELECT @extschema@.actor_is_tenant_admin()));

SELECT @extschema@.register_reducer('@extschema@.join_requests', 'tenant.request.added', 'insert',
	set => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')",
	          "message": "multitenant.payload_text(e.payload, 'message')",
	          "status": "'pending'",
	          "expires_at": "multitenant.payload_timestamptz(e.payload, 'expiresAt')",
	          "created_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'requestId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.join_requests', 'tenant.request.approved', 'update',
	set => $${"status": "'approved'",
	          "role": "multitenant.payload_text(e.payload, 'role')",
	          "custom_roles": "COALESCE(multitenant.payload_text_array(e.payload, 'customRoles'), '{}')",
	          "decided_by": "multitenant.payload_text(e.payload, 'decidedBy')",
	          "decided_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'requestId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.join_requests', 'tenant.request.rejected', 'update',
	set => $${"status": "'rejected'",
	          "reason": "multitenant.payload_text(e.payload, 'reason')",
	          "decided_by": "multitenant.payload_text(e.payload, 'decidedBy')",
	          "decided_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'requestId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.join_requests', 'tenant.request.expired', 'update',
	set => $${"status": "'expired'", "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'requestId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.join_requests', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Invitations (events tenant.invitation.added | accepted | revoked on
-- ('tenant', T)).  Only the SHA-256 of a token is stored, in the event too;
-- the token itself is returned once, by invite.  The application may read
-- every column but the hash, and only as an owner or admin of the tenant.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.invitations (
	instance_id  text        NOT NULL,
	id           text        NOT NULL,
	email        text        NOT NULL,
	role         text        NOT NULL,
	custom_roles text[]      NOT NULL DEFAULT '{}',
	invited_by   text,
	token_hash   bytea       NOT NULL,
	status       text        NOT NULL DEFAULT 'pending',
	expires_at   timestamptz NOT NULL,
	accepted_by  text,
	accepted_at  timestamptz,
	revoked_by   text,
	revoked_at   timestamptz,
	created_at   timestamptz NOT NULL,
	changed_at   timestamptz NOT NULL,
	CONSTRAINT invitations_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT invitations_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT invitations_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['pending', 'accepted', 'revoked'])),
	CONSTRAINT invitations_role_check CHECK (role OPERATOR(pg_catalog.=) ANY (ARRAY['owner', 'admin', 'member', 'viewer'])),
	CONSTRAINT invitations_token_hash_check CHECK (pg_catalog.length(token_hash) OPERATOR(pg_catalog.=) 32)
);

-- A token is looked up before its tenant is known, and names one invitation
-- across all tenants (like a personal access token's hash).
CREATE UNIQUE INDEX invitations_token_hash_key ON @extschema@.invitations (token_hash);

SELECT @extschema@.enable_tenant_isolation('@extschema@.invitations');
GRANT SELECT (instance_id, id, email, role, custom_roles, invited_by, status, expires_at, accepted_by, accepted_at,
              revoked_by, revoked_at, created_at, changed_at)
	ON @extschema@.invitations TO multitenant_app;
GRANT SELECT ON @extschema@.invitations TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.invitations', '');

CREATE POLICY invitations_visibility ON @extschema@.invitations AS RESTRICTIVE FOR SELECT TO multitenant_app
	USING ((SELECT @extschema@.actor_is_tenant_admin()));

SELECT @extschema@.register_reducer('@extschema@.invitations', 'tenant.invitation.added', 'insert',
	set => $${"email": "multitenant.payload_text(e.payload, 'email')",
	          "role": "multitenant.payload_text(e.payload, 'role')",
	          "custom_roles": "COALESCE(multitenant.payload_text_array(e.payload, 'customRoles'), '{}')",
	          "invited_by": "multitenant.payload_text(e.payload, 'invitedBy')",
	          "token_hash": "multitenant.payload_sha256(e.payload, 'tokenHash')",
	          "status": "'pending'",
	          "expires_at": "multitenant.payload_timestamptz(e.payload, 'expiresAt')",
	          "created_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'invitationId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.invitations', 'tenant.invitation.accepted', 'update',
	set => $${"status": "'accepted'",
	          "accepted_by": "multitenant.payload_text(e.payload, 'principalId')",
	          "accepted_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'invitationId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.invitations', 'tenant.invitation.revoked', 'update',
	set => $${"status": "'revoked'",
	          "revoked_by": "multitenant.payload_text(e.payload, 'revokedBy')",
	          "revoked_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'invitationId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.invitations', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Shared checks and pushes.
------------------------------------------------------------------------------

-- The first of roles that is not a custom role of the tenant, or NULL.
CREATE FUNCTION @extschema@.missing_custom_role(tenant text, roles text[])
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN (SELECT r.name FROM pg_catalog.unnest(roles) WITH ORDINALITY AS r(name, n)
	         WHERE NOT EXISTS (SELECT FROM @extschema@.custom_roles AS c
	                            WHERE c.instance_id OPERATOR(pg_catalog.=) tenant
	                              AND c.name OPERATOR(pg_catalog.=) r.name)
	         ORDER BY r.n
	         LIMIT 1);
END
$fn$;

-- Gives a new member the custom roles an approval or invitation carried,
-- each grant recorded in the tenant's log.
CREATE FUNCTION @extschema@.grant_carried_custom_roles(tenant text, principal_id text, roles text[], granted_by text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	role_name text;
	granted @extschema@.principal_custom_roles;
BEGIN
	FOR role_name IN SELECT DISTINCT r.name FROM pg_catalog.unnest(roles) AS r(name) ORDER BY 1 LOOP
		PERFORM @extschema@.lifecycle_push(tenant, 'tenant.member.custom_role.granted',
			pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('principalId', principal_id, 'role', role_name,
			                                                           'grantedBy', granted_by)));
		SELECT g.* INTO STRICT granted FROM @extschema@.principal_custom_roles AS g
		 WHERE g.instance_id OPERATOR(pg_catalog.=) tenant AND g.principal_id OPERATOR(pg_catalog.=) principal_id
		   AND g.role_name OPERATOR(pg_catalog.=) role_name;
		PERFORM @extschema@.audit_lifecycle(tenant, 'tenant.member.custom_role.granted', 'multitenant.principal_custom_roles',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id, 'role_name', role_name),
			NULL, pg_catalog.to_jsonb(granted));
	END LOOP;
END
$fn$;

-- Pushes one event of a join request and records the change in the
-- tenant's log.
CREATE FUNCTION @extschema@.join_request_push(tenant text, request_id text, event_type text, payload jsonb)
RETURNS @extschema@.join_requests
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	before jsonb;
	result @extschema@.join_requests;
BEGIN
	SELECT pg_catalog.to_jsonb(r) INTO before FROM @extschema@.join_requests AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.id OPERATOR(pg_catalog.=) request_id;
	PERFORM @extschema@.lifecycle_push(tenant, event_type,
		pg_catalog.jsonb_build_object('requestId', request_id) OPERATOR(pg_catalog.||) payload);
	SELECT r.* INTO STRICT result FROM @extschema@.join_requests AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.id OPERATOR(pg_catalog.=) request_id;
	PERFORM @extschema@.audit_lifecycle(tenant, event_type, 'multitenant.join_requests',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'id', request_id),
		before, pg_catalog.to_jsonb(result), payload OPERATOR(pg_catalog.->>) 'reason');
	RETURN result;
END
$fn$;

-- The same for an invitation; the log's images leave the token's hash out.
CREATE FUNCTION @extschema@.invitation_push(tenant text, invitation_id text, event_type text, payload jsonb)
RETURNS @extschema@.invitations
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	before jsonb;
	result @extschema@.invitations;
BEGIN
	SELECT pg_catalog.to_jsonb(i) OPERATOR(pg_catalog.-) 'token_hash' INTO before FROM @extschema@.invitations AS i
	 WHERE i.instance_id OPERATOR(pg_catalog.=) tenant AND i.id OPERATOR(pg_catalog.=) invitation_id;
	PERFORM @extschema@.lifecycle_push(tenant, event_type,
		pg_catalog.jsonb_build_object('invitationId', invitation_id) OPERATOR(pg_catalog.||) payload);
	SELECT i.* INTO STRICT result FROM @extschema@.invitations AS i
	 WHERE i.instance_id OPERATOR(pg_catalog.=) tenant AND i.id OPERATOR(pg_catalog.=) invitation_id;
	PERFORM @extschema@.audit_lifecycle(tenant, event_type, 'multitenant.invitations',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'id', invitation_id),
		before, pg_catalog.to_jsonb(result) OPERATOR(pg_catalog.-) 'token_hash', payload OPERATOR(pg_catalog.->>) 'reason');
	RETURN result;
END
$fn$;

------------------------------------------------------------------------------
-- Join request functions.
------------------------------------------------------------------------------

-- The acting principal asks to join the tenant, from outside any tenant or
-- from inside that one.  While a request is pending, asking again returns
-- it and pushes nothing.
CREATE FUNCTION @extschema@.request_join(tenant text, message text DEFAULT NULL)
RETURNS @extschema@.join_requests
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	action CONSTANT text := 'tenant.request.added';
	actor CONSTANT text := @extschema@.current_actor();
	entered CONSTANT text := @extschema@.current_tenant();
	key jsonb;
	registry @extschema@.tenants;
	pending @extschema@.join_requests;
	ttl interval;
BEGIN
	IF tenant IS NULL THEN
		RAISE EXCEPTION 'request_join: tenant must not be null' USING ERRCODE = '22004';
	END IF;
	IF actor IS NULL THEN
		RAISE EXCEPTION 'permission denied for function multitenant.request_join: no acting principal'
			USING ERRCODE = '42501',
			      HINT = 'Sign the tenant with an actor, or set multitenant.actor for the transaction.';
	END IF;
	IF entered IS NOT NULL AND entered OPERATOR(pg_catalog.<>) tenant THEN
		RAISE EXCEPTION 'permission denied for function multitenant.request_join: tenant "%" is not the current tenant', tenant
			USING ERRCODE = '42501', DETAIL = pg_catalog.format('The session is in tenant "%s".', entered);
	END IF;
	IF pg_catalog.char_length(message) OPERATOR(pg_catalog.>) 1000 THEN
		RAISE EXCEPTION 'message of a join request to tenant "%" is too long (% characters, at most 1000)',
			tenant, pg_catalog.char_length(message) USING ERRCODE = '22023';
	END IF;
	registry := @extschema@.lock_tenant(tenant, 'request_join');
	key := pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', actor);
	IF registry.status OPERATOR(pg_catalog.<>) 'active' THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.join_requests', key,
			pg_catalog.format('the tenant is %s', registry.status), '55000',
			pg_catalog.format('tenant "%s" is %s and takes no join requests', tenant, registry.status));
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.principals AS p
	                WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) actor
	                  AND p.status OPERATOR(pg_catalog.=) 'active') THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.join_requests', key,
			'the acting principal is not an active principal', '42501',
			pg_catalog.format('permission denied for function multitenant.request_join: "%s" is not an active principal', actor));
	END IF;
	IF EXISTS (SELECT FROM @extschema@.memberships AS m
	            WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND m.principal_id OPERATOR(pg_catalog.=) actor) THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.join_requests', key,
			'already a member', '23505',
			pg_catalog.format('principal "%s" is already a member of tenant "%s"', actor, tenant));
	END IF;
	SELECT r.* INTO pending FROM @extschema@.join_requests AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.principal_id OPERATOR(pg_catalog.=) actor
	   AND r.status OPERATOR(pg_catalog.=) 'pending';
	IF FOUND THEN
		IF pending.expires_at OPERATOR(pg_catalog.>) pg_catalog.now() THEN
			RETURN pending;
		END IF;
		-- Overdue, and not swept yet: it expires, and a new one takes its place.
		PERFORM @extschema@.join_request_push(tenant, pending.id, 'tenant.request.expired', '{}');
	END IF;
	ttl := pg_catalog.current_setting('multitenant.unverified_ttl')::pg_catalog.interval;
	RETURN @extschema@.join_request_push(tenant, pg_catalog.gen_random_uuid()::pg_catalog.text, action,
		pg_catalog.jsonb_build_object('principalId', actor, 'message', message,
		                              'expiresAt', pg_catalog.now() OPERATOR(pg_catalog.+) ttl));
END
$fn$;

-- The request an approval or rejection decides (its tenant locked by the
-- caller): it exists (42704), is pending and is not past expires_at (55000),
-- whether or not expire_join_requests has marked it yet.
CREATE FUNCTION @extschema@.pending_join_request(tenant text, request_id text, function_name text)
RETURNS @extschema@.join_requests
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	key CONSTANT jsonb := pg_catalog.jsonb_build_object('instance_id', tenant, 'id', request_id);
	request @extschema@.join_requests;
BEGIN
	IF request_id IS NULL THEN
		RAISE EXCEPTION '%: request_id must not be null', function_name USING ERRCODE = '22004';
	END IF;
	SELECT r.* INTO request FROM @extschema@.join_requests AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.id OPERATOR(pg_catalog.=) request_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'join request "%" does not exist in tenant "%"', request_id, tenant USING ERRCODE = '42704';
	END IF;
	IF request.status OPERATOR(pg_catalog.<>) 'pending' THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, function_name, 'multitenant.join_requests', key,
			pg_catalog.format('the request is %s', request.status), '55000',
			pg_catalog.format('join request "%s" of tenant "%s" is %s, not pending', request_id, tenant, request.status));
	END IF;
	IF request.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, function_name, 'multitenant.join_requests', key,
			'the request expired', '55000',
			pg_catalog.format('join request "%s" of tenant "%s" expired at %s', request_id, tenant, request.expires_at));
	END IF;
	RETURN request;
END
$fn$;

-- Makes the requester a member with role (the rank rules of add_member:
-- admins approve as member or viewer only) and the custom roles, and
-- returns the membership.  Nobody approves their own request.
CREATE FUNCTION @extschema@.approve_join_request(
	request_id text,
	role text DEFAULT 'member',
	custom_roles text[] DEFAULT '{}',
	tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.memberships
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	action CONSTANT text := 'tenant.request.approved';
	actor CONSTANT text := @extschema@.current_actor();
	actor_role text;
	missing text;
	request @extschema@.join_requests;
	result @extschema@.memberships;
BEGIN
	IF custom_roles IS NULL OR pg_catalog.array_position(custom_roles, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'approve_join_request: custom_roles and its elements must not be null (request "%")', request_id
			USING ERRCODE = '22004';
	END IF;
	PERFORM @extschema@.lock_tenant(tenant, 'approve_join_request');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'approve_join_request');
	request := @extschema@.pending_join_request(tenant, request_id, 'approve_join_request');
	PERFORM @extschema@.check_role_grant(tenant, request.principal_id, role, actor_role, 'approve_join_request');
	IF request.principal_id OPERATOR(pg_catalog.=) actor THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.join_requests',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'id', request_id),
			'a principal cannot approve its own request', '42501',
			pg_catalog.format('permission denied for function multitenant.approve_join_request: principal "%s" cannot approve its own join request', actor));
	END IF;
	PERFORM @extschema@.active_principal(request.principal_id, 'approve_join_request');
	IF EXISTS (SELECT FROM @extschema@.memberships AS m
	            WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND m.principal_id OPERATOR(pg_catalog.=) request.principal_id) THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.join_requests',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'id', request_id),
			'already a member', '23505',
			pg_catalog.format('principal "%s" is already a member of tenant "%s"', request.principal_id, tenant));
	END IF;
	missing := @extschema@.missing_custom_role(tenant, custom_roles);
	IF missing IS NOT NULL THEN
		RAISE EXCEPTION 'custom role "%" does not exist in tenant "%"', missing, tenant USING ERRCODE = '42704';
	END IF;

	PERFORM @extschema@.join_request_push(tenant, request_id, action,
		pg_catalog.jsonb_build_object('role', role,
		                              'customRoles', ARRAY(SELECT DISTINCT r.name FROM pg_catalog.unnest(custom_roles) AS r(name) ORDER BY 1),
		                              'decidedBy', actor));
	result := @extschema@.membership_push(tenant, request.principal_id, 'tenant.member.added',
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
			'role', role, 'status', 'active', 'invitedBy', actor, 'invitedAt', request.created_at,
			'acceptedAt', pg_catalog.clock_timestamp())));
	PERFORM @extschema@.grant_carried_custom_roles(tenant, request.principal_id, custom_roles, actor);
	RETURN result;
END
$fn$;

CREATE FUNCTION @extschema@.reject_join_request(
	request_id text,
	reason text DEFAULT NULL,
	tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.join_requests
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'reject_join_request');
	PERFORM @extschema@.require_member_role(tenant, 'admin', 'reject_join_request');
	PERFORM @extschema@.pending_join_request(tenant, request_id, 'reject_join_request');
	RETURN @extschema@.join_request_push(tenant, request_id, 'tenant.request.rejected',
		pg_catalog.jsonb_build_object('reason', reason, 'decidedBy', @extschema@.current_actor()));
END
$fn$;

-- The operator's sweep (a pg_cron job, for example): every pending request
-- past its expires_at becomes expired, tenant by tenant under the tenant's
-- lock; returns how many.  Requests of tenants the registry does not hold
-- are left alone.
CREATE FUNCTION @extschema@.expire_join_requests()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	tenant text;
	request_id text;
	n integer := 0;
BEGIN
	IF NOT @extschema@.caller_is_operator() THEN
		RAISE EXCEPTION 'permission denied for function multitenant.expire_join_requests'
			USING ERRCODE = '42501',
			      DETAIL = 'Only superusers and members of multitenant_admin may call it.';
	END IF;
	FOR tenant IN
		SELECT DISTINCT r.instance_id FROM @extschema@.join_requests AS r
		  JOIN @extschema@.tenants AS t ON t.instance_id OPERATOR(pg_catalog.=) r.instance_id
		 WHERE r.status OPERATOR(pg_catalog.=) 'pending' AND r.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()
		   AND r.instance_id OPERATOR(pg_catalog.<>) 'system'
		 ORDER BY 1
	LOOP
		PERFORM @extschema@.lock_tenant(tenant, 'expire_join_requests');
		-- Read again under the lock: a decision may have come first.
		FOR request_id IN
			SELECT r.id FROM @extschema@.join_requests AS r
			 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.status OPERATOR(pg_catalog.=) 'pending'
			   AND r.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()
			 ORDER BY r.expires_at, r.id
		LOOP
			PERFORM @extschema@.join_request_push(tenant, request_id, 'tenant.request.expired', '{}');
			n := n OPERATOR(pg_catalog.+) 1;
		END LOOP;
	END LOOP;
	RETURN n;
END
$fn$;

------------------------------------------------------------------------------
-- Invitation functions.
------------------------------------------------------------------------------

-- Invites an e-mail address (owners and admins, under the rank rules) and
-- returns the invitation's id and its token, once: only the token's SHA-256
-- is kept.
CREATE FUNCTION @extschema@.invite(
	email text,
	role text DEFAULT 'member',
	lifetime interval DEFAULT '7 days',
	custom_roles text[] DEFAULT '{}',
	tenant text DEFAULT @extschema@.current_tenant())
RETURNS TABLE (invitation_id text, token text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	action CONSTANT text := 'tenant.invitation.added';
	actor_role text;
	registry @extschema@.tenants;
	address text;
	missing text;
	secret text;
	new_id text;
BEGIN
	IF email IS NULL OR lifetime IS NULL OR custom_roles IS NULL OR pg_catalog.array_position(custom_roles, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'invite: email, lifetime and custom_roles (and its elements) must not be null (tenant "%")', tenant
			USING ERRCODE = '22004';
	END IF;
	registry := @extschema@.lock_tenant(tenant, 'invite');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'invite');
	address := @extschema@.normalize_email(email);
	IF lifetime OPERATOR(pg_catalog.<=) '0'::pg_catalog.interval OR lifetime OPERATOR(pg_catalog.>) '30 days'::pg_catalog.interval THEN
		RAISE EXCEPTION 'lifetime of an invitation to tenant "%" must be positive and at most 30 days, not %', tenant, lifetime
			USING ERRCODE = '22023';
	END IF;
	PERFORM @extschema@.check_role_grant(tenant, NULL, role, actor_role, 'invite');
	IF registry.status OPERATOR(pg_catalog.<>) 'active' THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.invitations', NULL,
			pg_catalog.format('the tenant is %s', registry.status), '55000',
			pg_catalog.format('tenant "%s" is %s and takes no invitations', tenant, registry.status));
	END IF;
	IF EXISTS (SELECT FROM @extschema@.memberships AS m
	             JOIN @extschema@.principals AS p
	               ON p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) m.principal_id
	            WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND p.email OPERATOR(pg_catalog.=) address) THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.invitations', NULL,
			'the address is a member''s', '23505',
			pg_catalog.format('e-mail address "%s" already belongs to a member of tenant "%s"', address, tenant));
	END IF;
	missing := @extschema@.missing_custom_role(tenant, custom_roles);
	IF missing IS NOT NULL THEN
		RAISE EXCEPTION 'custom role "%" does not exist in tenant "%"', missing, tenant USING ERRCODE = '42704';
	END IF;

	secret := @extschema@.issue_secret('mti_');
	new_id := pg_catalog.gen_random_uuid()::pg_catalog.text;
	PERFORM @extschema@.invitation_push(tenant, new_id, action,
		pg_catalog.jsonb_build_object(
			'email', address, 'role', role,
			'customRoles', ARRAY(SELECT DISTINCT r.name FROM pg_catalog.unnest(custom_roles) AS r(name) ORDER BY 1),
			'tokenHash', pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(secret, 'UTF8')), 'hex'),
			'expiresAt', pg_catalog.now() OPERATOR(pg_catalog.+) lifetime,
			-- An operator's invitation has no inviter whose rights acceptance re-checks.
			'invitedBy', CASE WHEN actor_role OPERATOR(pg_catalog.=) 'operator' THEN NULL ELSE @extschema@.current_actor() END));
	invitation_id := new_id;
	token := secret;
	RETURN NEXT;
END
$fn$;

-- The acting principal accepts the invitation the token names and becomes
-- a member.  Every token that does not admit them fails alike (28000, one
-- message, raised by one statement): whether it exists, was used, was meant
-- for someone else or for another tenant is for the audit log only.
CREATE FUNCTION @extschema@.accept_invitation(token text)
RETURNS @extschema@.memberships
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	action CONSTANT text := 'tenant.invitation.accepted';
	actor CONSTANT text := @extschema@.current_actor();
	entered CONSTANT text := @extschema@.current_tenant();
	hash bytea;
	tenant text;
	key jsonb;
	reason text;
	registry @extschema@.tenants;
	invitation @extschema@.invitations;
	principal @extschema@.principals;
	inviter_role text;
	result @extschema@.memberships;
BEGIN
	IF token IS NULL THEN
		RAISE EXCEPTION 'accept_invitation: token must not be null' USING ERRCODE = '22004';
	END IF;
	IF actor IS NULL THEN
		RAISE EXCEPTION 'permission denied for function multitenant.accept_invitation: no acting principal'
			USING ERRCODE = '42501',
			      HINT = 'Sign the tenant with an actor, or set multitenant.actor for the transaction.';
	END IF;
	hash := pg_catalog.sha256(pg_catalog.convert_to(token, 'UTF8'));
	SELECT i.instance_id, pg_catalog.jsonb_build_object('instance_id', i.instance_id, 'id', i.id) INTO tenant, key
	  FROM @extschema@.invitations AS i
	 WHERE i.token_hash OPERATOR(pg_catalog.=) hash;
	IF tenant IS NULL THEN
		reason := 'unknown token';
		tenant := COALESCE(entered, 'system');
	ELSIF entered IS NOT NULL AND entered OPERATOR(pg_catalog.<>) tenant THEN
		reason := pg_catalog.format('token presented inside tenant "%s"', entered);
	ELSE
		-- Single use: behind the tenant's lock, a concurrent acceptance of
		-- the same token has committed or not started.
		registry := @extschema@.lock_tenant(tenant, 'accept_invitation');
		SELECT i.* INTO STRICT invitation FROM @extschema@.invitations AS i
		 WHERE i.token_hash OPERATOR(pg_catalog.=) hash;
		SELECT p.* INTO principal FROM @extschema@.principals AS p
		 WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) actor;
		IF invitation.status OPERATOR(pg_catalog.=) 'accepted' THEN
			reason := pg_catalog.format('already accepted by "%s"', invitation.accepted_by);
		ELSIF invitation.status OPERATOR(pg_catalog.=) 'revoked' THEN
			reason := 'revoked';
		ELSIF invitation.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN
			reason := 'expired';
		ELSIF registry.status OPERATOR(pg_catalog.<>) 'active' THEN
			reason := pg_catalog.format('the tenant is %s', registry.status);
		ELSIF principal.id IS NULL OR principal.status OPERATOR(pg_catalog.<>) 'active' THEN
			reason := pg_catalog.format('"%s" is not an active principal', actor);
		ELSIF principal.email IS DISTINCT FROM invitation.email THEN
			reason := pg_catalog.format('invited e-mail address is not that of principal "%s"', actor);
		ELSIF EXISTS (SELECT FROM @extschema@.memberships AS m
		               WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND m.principal_id OPERATOR(pg_catalog.=) actor) THEN
			reason := pg_catalog.format('principal "%s" is already a member', actor);
		ELSIF invitation.invited_by IS NOT NULL THEN
			SELECT m.role INTO inviter_role FROM @extschema@.memberships AS m
			  JOIN @extschema@.principals AS p
			    ON p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) m.principal_id
			 WHERE m.instance_id OPERATOR(pg_catalog.=) tenant
			   AND m.principal_id OPERATOR(pg_catalog.=) invitation.invited_by
			   AND m.status OPERATOR(pg_catalog.=) 'active' AND p.status OPERATOR(pg_catalog.=) 'active';
			IF inviter_role IS NULL
			   OR @extschema@.role_rank(inviter_role) OPERATOR(pg_catalog.<) @extschema@.role_rank('admin')
			   OR (inviter_role OPERATOR(pg_catalog.<>) 'owner'
			       AND @extschema@.role_rank(invitation.role) OPERATOR(pg_catalog.>=) @extschema@.role_rank('admin')) THEN
				reason := pg_catalog.format('inviter "%s" may no longer grant the role %s', invitation.invited_by, invitation.role);
			END IF;
		END IF;
	END IF;
	IF reason IS NOT NULL THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.invitations', key, reason,
			'28000', 'invitation token is not valid');
	END IF;

	PERFORM @extschema@.invitation_push(tenant, invitation.id, action,
		pg_catalog.jsonb_build_object('principalId', actor));
	result := @extschema@.membership_push(tenant, actor, 'tenant.member.added',
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
			'role', invitation.role, 'status', 'active', 'invitedBy', invitation.invited_by,
			'invitedAt', invitation.created_at, 'acceptedAt', pg_catalog.clock_timestamp())));
	-- A custom role dropped since the invitation is not granted.
	PERFORM @extschema@.grant_carried_custom_roles(tenant, actor,
		ARRAY(SELECT r.name FROM pg_catalog.unnest(invitation.custom_roles) AS r(name)
		       WHERE EXISTS (SELECT FROM @extschema@.custom_roles AS c
		                      WHERE c.instance_id OPERATOR(pg_catalog.=) tenant AND c.name OPERATOR(pg_catalog.=) r.name)),
		invitation.invited_by);
	RETURN result;
END
$fn$;

-- Owners and admins revoke a pending invitation, admins only those they may
-- give (member, viewer).
CREATE FUNCTION @extschema@.revoke_invitation(
	invitation_id text,
	tenant text DEFAULT @extschema@.current_tenant(),
	reason text DEFAULT NULL)
RETURNS @extschema@.invitations
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	action CONSTANT text := 'tenant.invitation.revoked';
	key CONSTANT jsonb := pg_catalog.jsonb_build_object('instance_id', tenant, 'id', invitation_id);
	actor_role text;
	invitation @extschema@.invitations;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'revoke_invitation');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'revoke_invitation');
	IF invitation_id IS NULL THEN
		RAISE EXCEPTION 'revoke_invitation: invitation_id must not be null' USING ERRCODE = '22004';
	END IF;
	SELECT i.* INTO invitation FROM @extschema@.invitations AS i
	 WHERE i.instance_id OPERATOR(pg_catalog.=) tenant AND i.id OPERATOR(pg_catalog.=) invitation_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'invitation "%" does not exist in tenant "%"', invitation_id, tenant USING ERRCODE = '42704';
	END IF;
	IF invitation.status OPERATOR(pg_catalog.<>) 'pending' THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.invitations', key,
			pg_catalog.format('the invitation is %s', invitation.status), '55000',
			pg_catalog.format('invitation "%s" of tenant "%s" is %s, not pending', invitation_id, tenant, invitation.status));
	END IF;
	IF actor_role OPERATOR(pg_catalog.<>) 'operator' AND actor_role OPERATOR(pg_catalog.<>) 'owner'
	   AND @extschema@.role_rank(invitation.role) OPERATOR(pg_catalog.>=) @extschema@.role_rank('admin') THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.invitations', key,
			pg_catalog.format('a %s cannot revoke an invitation as %s', actor_role, invitation.role), '42501',
			pg_catalog.format('permission denied for function multitenant.revoke_invitation: only an owner revokes an invitation as %s in tenant "%s"',
			                  invitation.role, tenant));
	END IF;
	RETURN @extschema@.invitation_push(tenant, invitation_id, action,
		pg_catalog.jsonb_build_object('reason', reason, 'revokedBy', @extschema@.current_actor()));
END
$fn$;
