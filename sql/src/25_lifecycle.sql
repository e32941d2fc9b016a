/*
 * The tenant lifecycle: principals (users and machine clients, platform
 * wide), their memberships of tenants with an ordered role, per-tenant custom
 * roles, and registration of a tenant with its first owner.  Every table is a
 * projection: the functions check, then push events that the reducers below
 * write, so rebuild gives the tables inline reduction gives.
 *
 * The functions applications call are SECURITY DEFINER: they push `tenant`
 * and `principal` events (which push takes from administrators only) and so
 * authorize the acting principal themselves.  Every change of a tenant's
 * lifecycle takes the tenant's row lock first and pushes on the tenant's
 * aggregate expecting the version read under that lock, so two changes of
 * one tenant never pass their checks on the same state: in READ COMMITTED
 * the second waits and then reads the first's result, in REPEATABLE READ and
 * SERIALIZABLE its push fails with 40001.
 */

------------------------------------------------------------------------------
-- Principals: platform-wide, their events in the system tenant (aggregate
-- `principal`).  An application sees the acting principal and the members of
-- its current tenant, nobody else.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.principals (
	instance_id  text        NOT NULL DEFAULT 'system',
	id           text        NOT NULL,
	kind         text        NOT NULL,
	email        text,
	display_name text,
	user_type    text        NOT NULL,
	external_id  text,
	verified     boolean     NOT NULL DEFAULT false,
	status       text        NOT NULL DEFAULT 'active',
	metadata     jsonb       NOT NULL DEFAULT '{}',
	created_at   timestamptz NOT NULL,
	changed_at   timestamptz NOT NULL,
	CONSTRAINT principals_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT principals_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.=) 'system'),
	CONSTRAINT principals_id_check CHECK (id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT principals_kind_check CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['user', 'client'])),
	CONSTRAINT principals_email_check CHECK ((kind OPERATOR(pg_catalog.=) 'user') OPERATOR(pg_catalog.=) (email IS NOT NULL)),
	CONSTRAINT principals_user_type_check CHECK (user_type OPERATOR(pg_catalog.=) ANY (ARRAY['system_admin', 'regular', 'service_account', 'guest'])),
	CONSTRAINT principals_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'inactive'])),
	CONSTRAINT principals_metadata_check CHECK (pg_catalog.jsonb_typeof(metadata) OPERATOR(pg_catalog.=) 'object')
);

CREATE UNIQUE INDEX principals_email_key ON @extschema@.principals (instance_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX principals_external_id_key ON @extschema@.principals (instance_id, external_id) WHERE external_id IS NOT NULL;

ALTER TABLE @extschema@.principals ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.principals FORCE ROW LEVEL SECURITY;
CREATE POLICY principals_admin ON @extschema@.principals AS PERMISSIVE FOR ALL TO multitenant_admin
	USING (true) WITH CHECK (true);
GRANT SELECT ON @extschema@.principals TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.principals', '');

------------------------------------------------------------------------------
-- Memberships: which principals belong to a tenant, with which role.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.memberships (
	instance_id    text        NOT NULL,
	principal_id   text        NOT NULL,
	role           text        NOT NULL,
	status         text        NOT NULL DEFAULT 'active',
	invited_by     text,
	invited_at     timestamptz,
	accepted_at    timestamptz,
	last_active_at timestamptz,
	created_at     timestamptz NOT NULL,
	changed_at     timestamptz NOT NULL,
	CONSTRAINT memberships_pkey PRIMARY KEY (instance_id, principal_id),
	CONSTRAINT memberships_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT memberships_role_check CHECK (role OPERATOR(pg_catalog.=) ANY (ARRAY['owner', 'admin', 'member', 'viewer'])),
	CONSTRAINT memberships_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'invited', 'suspended'])),
	CONSTRAINT memberships_accepted_at_check CHECK (accepted_at OPERATOR(pg_catalog.>) invited_at)
);

-- The tenants of a principal, across tenants (the principals policy, has_role).
CREATE INDEX memberships_principal_id_idx ON @extschema@.memberships (principal_id, instance_id);
-- A tenant's owners (the invariant's check), admins and so on.
CREATE INDEX memberships_instance_id_role_idx ON @extschema@.memberships (instance_id, role);

SELECT @extschema@.enable_tenant_isolation('@extschema@.memberships');
GRANT SELECT ON @extschema@.memberships TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.memberships', '');

-- The principals an application sees: the acting one, and the members of the
-- current tenant.
CREATE POLICY principals_visible ON @extschema@.principals AS PERMISSIVE FOR SELECT TO multitenant_app
	USING (id OPERATOR(pg_catalog.=) @extschema@.current_actor()
	       OR EXISTS (SELECT FROM @extschema@.memberships AS m
	                   WHERE m.instance_id OPERATOR(pg_catalog.=) @extschema@.current_tenant()
	                     AND m.principal_id OPERATOR(pg_catalog.=) principals.id));

------------------------------------------------------------------------------
-- Custom roles of a tenant, and which principals hold them.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.custom_roles (
	instance_id text        NOT NULL,
	name        text        NOT NULL,
	description text,
	created_at  timestamptz NOT NULL,
	changed_at  timestamptz NOT NULL,
	CONSTRAINT custom_roles_pkey PRIMARY KEY (instance_id, name),
	CONSTRAINT custom_roles_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.custom_roles');
GRANT SELECT ON @extschema@.custom_roles TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.custom_roles', '');

CREATE TABLE @extschema@.principal_custom_roles (
	instance_id  text        NOT NULL,
	principal_id text        NOT NULL,
	role_name    text        NOT NULL,
	granted_by   text,
	created_at   timestamptz NOT NULL,
	CONSTRAINT principal_custom_roles_pkey PRIMARY KEY (instance_id, principal_id, role_name),
	CONSTRAINT principal_custom_roles_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

CREATE INDEX principal_custom_roles_role_name_idx ON @extschema@.principal_custom_roles (instance_id, role_name);

SELECT @extschema@.enable_tenant_isolation('@extschema@.principal_custom_roles');
GRANT SELECT ON @extschema@.principal_custom_roles TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.principal_custom_roles', '');

------------------------------------------------------------------------------
-- Reducers.  Principals: aggregate `principal` (aggregate_id = the
-- principal) in the system tenant; payload keys kind, email, displayName,
-- userType, externalId ('' clears it), verified, metadata, reason.
-- Memberships and custom roles: aggregate `tenant` (aggregate_id = the
-- tenant); payload keys principalId, role, status, invitedBy, invitedAt,
-- acceptedAt, name, description, reason.
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.principals', 'principal.added', 'insert',
	set => $${"kind": "multitenant.payload_text(e.payload, 'kind')",
	          "email": "multitenant.payload_text(e.payload, 'email')",
	          "display_name": "multitenant.payload_text(e.payload, 'displayName')",
	          "user_type": "COALESCE(multitenant.payload_text(e.payload, 'userType'), CASE multitenant.payload_text(e.payload, 'kind') WHEN 'client' THEN 'service_account' ELSE 'regular' END)",
	          "external_id": "NULLIF(multitenant.payload_text(e.payload, 'externalId'), '')",
	          "verified": "COALESCE(multitenant.payload_bool(e.payload, 'verified'), false)",
	          "status": "'active'",
	          "metadata": "COALESCE(e.payload OPERATOR(pg_catalog.->) 'metadata', '{}')",
	          "created_at": "e.created_at",
	          "changed_at": "e.created_at"}$$);

-- A new e-mail address is unverified until verify_principal says otherwise.
SELECT @extschema@.register_reducer('@extschema@.principals', 'principal.changed', 'update',
	set => $${"email": "COALESCE(multitenant.payload_text(e.payload, 'email'), t.email)",
	          "verified": "CASE WHEN e.payload OPERATOR(pg_catalog.?) 'email' AND multitenant.payload_text(e.payload, 'email') IS DISTINCT FROM t.email THEN false ELSE t.verified END",
	          "display_name": "CASE WHEN e.payload OPERATOR(pg_catalog.?) 'displayName' THEN multitenant.payload_text(e.payload, 'displayName') ELSE t.display_name END",
	          "external_id": "CASE WHEN e.payload OPERATOR(pg_catalog.?) 'externalId' THEN NULLIF(multitenant.payload_text(e.payload, 'externalId'), '') ELSE t.external_id END",
	          "metadata": "COALESCE(e.payload OPERATOR(pg_catalog.->) 'metadata', t.metadata)",
	          "changed_at": "e.created_at"}$$,
	match => '{"id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.principals', 'principal.verified', 'update',
	set => $${"verified": "true", "changed_at": "e.created_at"}$$);

SELECT @extschema@.register_reducer('@extschema@.principals', 'principal.deactivated', 'update',
	set => $${"status": "'inactive'", "changed_at": "e.created_at"}$$);

SELECT @extschema@.register_reducer('@extschema@.principals', 'principal.reactivated', 'update',
	set => $${"status": "'active'", "changed_at": "e.created_at"}$$);

SELECT @extschema@.register_reducer('@extschema@.memberships', 'tenant.member.added', 'insert',
	set => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')",
	          "role": "multitenant.payload_text(e.payload, 'role')",
	          "status": "COALESCE(multitenant.payload_text(e.payload, 'status'), 'active')",
	          "invited_by": "multitenant.payload_text(e.payload, 'invitedBy')",
	          "invited_at": "multitenant.payload_timestamptz(e.payload, 'invitedAt')",
	          "accepted_at": "multitenant.payload_timestamptz(e.payload, 'acceptedAt')",
	          "last_active_at": "multitenant.payload_timestamptz(e.payload, 'acceptedAt')",
	          "created_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => '{}');

SELECT @extschema@.register_reducer('@extschema@.memberships', 'tenant.member.role.changed', 'update',
	set => $${"role": "multitenant.payload_text(e.payload, 'role')", "changed_at": "e.created_at"}$$,
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.memberships', 'tenant.member.suspended', 'update',
	set => $${"status": "'suspended'", "changed_at": "e.created_at"}$$,
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.memberships', 'tenant.member.reactivated', 'update',
	set => $${"status": "'active'", "changed_at": "e.created_at"}$$,
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.memberships', 'tenant.member.removed', 'delete',
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.memberships', 'instance.removed', 'delete',
	match => '{}');

SELECT @extschema@.register_reducer('@extschema@.custom_roles', 'tenant.custom_role.added', 'insert',
	set => $${"name": "multitenant.payload_text(e.payload, 'name')",
	          "description": "multitenant.payload_text(e.payload, 'description')",
	          "created_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => '{}');

SELECT @extschema@.register_reducer('@extschema@.custom_roles', 'tenant.custom_role.changed', 'update',
	set => $${"description": "multitenant.payload_text(e.payload, 'description')", "changed_at": "e.created_at"}$$,
	match => $${"name": "multitenant.payload_text(e.payload, 'name')"}$$);

-- A role's grants go first, then the role.
SELECT @extschema@.register_reducer('@extschema@.principal_custom_roles', 'tenant.custom_role.removed', 'delete',
	match => $${"role_name": "multitenant.payload_text(e.payload, 'name')"}$$);

SELECT @extschema@.register_reducer('@extschema@.custom_roles', 'tenant.custom_role.removed', 'delete',
	match => $${"name": "multitenant.payload_text(e.payload, 'name')"}$$);

SELECT @extschema@.register_reducer('@extschema@.custom_roles', 'instance.removed', 'delete',
	match => '{}');

SELECT @extschema@.register_reducer('@extschema@.principal_custom_roles', 'tenant.member.custom_role.granted', 'insert',
	set => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')",
	          "role_name": "multitenant.payload_text(e.payload, 'role')",
	          "granted_by": "multitenant.payload_text(e.payload, 'grantedBy')",
	          "created_at": "e.created_at"}$$,
	match => '{}');

SELECT @extschema@.register_reducer('@extschema@.principal_custom_roles', 'tenant.member.custom_role.revoked', 'delete',
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')",
	            "role_name": "multitenant.payload_text(e.payload, 'role')"}$$);

-- A member who leaves keeps no custom role.
SELECT @extschema@.register_reducer('@extschema@.principal_custom_roles', 'tenant.member.removed', 'delete',
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.principal_custom_roles', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Shared checks.
------------------------------------------------------------------------------

-- owner > admin > member > viewer; NULL for anything else.
CREATE FUNCTION @extschema@.role_rank(role text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN CASE WHEN role OPERATOR(pg_catalog.=) 'owner' THEN 4
	            WHEN role OPERATOR(pg_catalog.=) 'admin' THEN 3
	            WHEN role OPERATOR(pg_catalog.=) 'member' THEN 2
	            WHEN role OPERATOR(pg_catalog.=) 'viewer' THEN 1 END;
END
$fn$;

-- The stored form of an e-mail address: trimmed and lower-case, one @, a dot
-- in the domain, no blanks, at most 254 bytes; anything else is 22023.
CREATE FUNCTION @extschema@.normalize_email(email text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	normalized text;
BEGIN
	IF email IS NULL THEN
		RETURN NULL;
	END IF;
	normalized := pg_catalog.lower(pg_catalog.btrim(email));
	IF pg_catalog.octet_length(normalized) OPERATOR(pg_catalog.>) 254
	   OR normalized OPERATOR(pg_catalog.!~) '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:].]+$' THEN
		RAISE EXCEPTION 'invalid e-mail address "%"', pg_catalog.left(email, 300)
			USING ERRCODE = '22023', HINT = 'An e-mail address is local-part@domain, at most 254 bytes.';
	END IF;
	RETURN normalized;
END
$fn$;

-- The tenant's registry row, locked for the rest of the transaction: every
-- lifecycle change of a tenant takes it before reading what it checks.
CREATE FUNCTION @extschema@.lock_tenant(tenant text, function_name text)
RETURNS @extschema@.tenants
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	locked @extschema@.tenants;
BEGIN
	IF tenant IS NULL THEN
		RAISE EXCEPTION '%: tenant must not be null', function_name
			USING ERRCODE = '22004', HINT = 'Enter the tenant first, or pass it as the tenant argument.';
	END IF;
	IF tenant OPERATOR(pg_catalog.=) 'system' THEN
		RAISE EXCEPTION '%: tenant "system" has no members', function_name USING ERRCODE = '55000';
	END IF;
	SELECT t.* INTO locked FROM @extschema@.tenants AS t
	 WHERE t.instance_id OPERATOR(pg_catalog.=) tenant AND t.id OPERATOR(pg_catalog.=) tenant
	   FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'tenant "%" does not exist', tenant
			USING ERRCODE = '42704', HINT = 'Register it with multitenant.register_tenant() or multitenant.create_tenant().';
	END IF;
	RETURN locked;
END
$fn$;

-- Whether the tenant has what it must keep: an active owner membership of an
-- active, verified principal, and an active membership of a verified active
-- user or an active client.
CREATE FUNCTION @extschema@.tenant_keeps_owner(tenant text)
RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN EXISTS (SELECT FROM @extschema@.memberships AS m
	                 JOIN @extschema@.principals AS p
	                   ON p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) m.principal_id
	                WHERE m.instance_id OPERATOR(pg_catalog.=) tenant
	                  AND m.role OPERATOR(pg_catalog.=) 'owner'
	                  AND m.status OPERATOR(pg_catalog.=) 'active'
	                  AND p.status OPERATOR(pg_catalog.=) 'active'
	                  AND p.verified)
	   AND EXISTS (SELECT FROM @extschema@.memberships AS m
	                 JOIN @extschema@.principals AS p
	                   ON p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) m.principal_id
	                WHERE m.instance_id OPERATOR(pg_catalog.=) tenant
	                  AND m.status OPERATOR(pg_catalog.=) 'active'
	                  AND p.status OPERATOR(pg_catalog.=) 'active'
	                  AND (p.verified OR p.kind OPERATOR(pg_catalog.=) 'client'));
END
$fn$;

-- Records a refused lifecycle change in the audit log (kept even though the
-- error rolls the transaction back) and raises the error.
CREATE FUNCTION @extschema@.refuse_lifecycle(
	tenant text, action text, target_table text, target_key jsonb, reason text,
	sqlstate text, message text, hint text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF tenant IS NOT NULL AND tenant OPERATOR(pg_catalog.<>) '' THEN
		PERFORM @extschema@.audit_lifecycle(tenant, action, target_table, target_key, NULL, NULL,
		                                    reason, refused => true);
	END IF;
	IF hint IS NULL THEN
		RAISE EXCEPTION USING MESSAGE = message, ERRCODE = sqlstate;
	END IF;
	RAISE EXCEPTION USING MESSAGE = message, ERRCODE = sqlstate, HINT = hint;
END
$fn$;

-- A change that would leave an active or suspended tenant that had a verified
-- owner without one fails (23514).  Tenants that never had one (created by
-- the operator, not yet given an owner) are exempt until they get one.
CREATE FUNCTION @extschema@.check_tenant_invariant(tenant text, had_owner boolean, action text, target_key jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF had_owner
	   AND EXISTS (SELECT FROM @extschema@.tenants AS t
	                WHERE t.instance_id OPERATOR(pg_catalog.=) tenant
	                  AND t.status OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'suspended']))
	   AND NOT @extschema@.tenant_keeps_owner(tenant) THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.memberships', target_key,
			'the tenant would be left without a verified owner or without a verified user or active client',
			'23514',
			pg_catalog.format('tenant "%s" must keep at least one verified owner and at least one verified user or active client', tenant),
			'Make another verified principal an owner first.');
	END IF;
END
$fn$;

-- Who may change the tenant: the operator (superusers and multitenant_admin,
-- judged by the calling role, not the definer), or the acting principal of
-- the tenant the session is in, with an active membership of at least
-- min_role.  Returns 'operator' or the actor's role.  Volatile: a refusal
-- is written to the audit log.
CREATE FUNCTION @extschema@.require_member_role(tenant text, min_role text, function_name text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor CONSTANT text := @extschema@.current_actor();
	actor_role text;
BEGIN
	IF @extschema@.caller_is_operator() THEN
		RETURN 'operator';
	END IF;
	IF tenant IS DISTINCT FROM @extschema@.current_tenant() THEN
		RAISE EXCEPTION 'permission denied for function multitenant.%', function_name
			USING ERRCODE = '42501',
			      DETAIL = pg_catalog.format('Tenant "%s" is not the current tenant.', tenant);
	END IF;
	IF actor IS NULL THEN
		RAISE EXCEPTION 'permission denied for function multitenant.%', function_name
			USING ERRCODE = '42501',
			      DETAIL = 'No acting principal is set.',
			      HINT = 'Sign the tenant with an actor, or set multitenant.actor for the transaction.';
	END IF;
	SELECT m.role INTO actor_role
	  FROM @extschema@.memberships AS m
	  JOIN @extschema@.principals AS p
	    ON p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) m.principal_id
	 WHERE m.instance_id OPERATOR(pg_catalog.=) tenant
	   AND m.principal_id OPERATOR(pg_catalog.=) actor
	   AND m.status OPERATOR(pg_catalog.=) 'active'
	   AND p.status OPERATOR(pg_catalog.=) 'active';
	IF actor_role IS NULL
	   OR @extschema@.role_rank(actor_role) OPERATOR(pg_catalog.<) @extschema@.role_rank(min_role) THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, function_name, 'multitenant.memberships',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', actor),
			pg_catalog.format('the acting principal is %s, %s is needed',
			                  COALESCE('a ' OPERATOR(pg_catalog.||) actor_role, 'no active member'), min_role),
			'42501',
			pg_catalog.format('permission denied for function multitenant.%s', function_name)
			OPERATOR(pg_catalog.||) pg_catalog.format(': principal "%s" is not an active %s of tenant "%s"',
			                                           actor, min_role, tenant));
	END IF;
	RETURN actor_role;
END
$fn$;

-- Whether the acting principal is an owner or admin of the current tenant:
-- the policies that show a tenant's invitations, requests and audit log to
-- those members only call it.
CREATE FUNCTION @extschema@.actor_is_tenant_admin()
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	-- Values, not calls in the query: Citus routes the query to the tenant's
	-- shard only by a value it can see.
	tenant CONSTANT text := @extschema@.current_tenant();
	actor CONSTANT text := @extschema@.current_actor();
BEGIN
	RETURN EXISTS (SELECT FROM @extschema@.memberships AS m
	                 JOIN @extschema@.principals AS p
	                   ON p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) m.principal_id
	                WHERE m.instance_id OPERATOR(pg_catalog.=) tenant
	                  AND m.principal_id OPERATOR(pg_catalog.=) actor
	                  AND m.status OPERATOR(pg_catalog.=) 'active'
	                  AND m.role OPERATOR(pg_catalog.=) ANY (ARRAY['owner', 'admin'])
	                  AND p.status OPERATOR(pg_catalog.=) 'active');
END
$fn$;

-- The audit log: an application reads its tenant's entries when the acting
-- principal is one of the tenant's owners or admins.
GRANT SELECT ON @extschema@.audit_log TO multitenant_app;
CREATE POLICY tenant_admins_only ON @extschema@.audit_log AS RESTRICTIVE FOR SELECT TO multitenant_app
	USING ((SELECT @extschema@.actor_is_tenant_admin()));

-- Pushes one lifecycle event of the tenant, expecting the version read now
-- (under the tenant lock).
CREATE FUNCTION @extschema@.lifecycle_push(tenant text, event_type text, payload jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	PERFORM @extschema@.push('tenant', tenant, event_type, payload,
	                         expected_sequence => @extschema@.tenant_version(tenant),
	                         creator => @extschema@.current_actor(),
	                         instance_id => tenant);
END
$fn$;

-- A principal's row as the audit log records it.
CREATE FUNCTION @extschema@.principal_image(principal_id text)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN (SELECT pg_catalog.to_jsonb(p) FROM @extschema@.principals AS p
	         WHERE p.instance_id OPERATOR(pg_catalog.=) 'system'
	           AND p.id OPERATOR(pg_catalog.=) principal_image.principal_id);
END
$fn$;

CREATE FUNCTION @extschema@.membership_image(tenant text, principal_id text)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN (SELECT pg_catalog.to_jsonb(m) FROM @extschema@.memberships AS m
	         WHERE m.instance_id OPERATOR(pg_catalog.=) membership_image.tenant
	           AND m.principal_id OPERATOR(pg_catalog.=) membership_image.principal_id);
END
$fn$;

-- The version of a principal's aggregate (in the system tenant).
CREATE FUNCTION @extschema@.principal_version(principal_id text)
RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN COALESCE((SELECT e.sequence FROM @extschema@.events AS e
	                  WHERE e.instance_id OPERATOR(pg_catalog.=) 'system'
	                    AND e.aggregate_type OPERATOR(pg_catalog.=) 'principal'
	                    AND e.aggregate_id OPERATOR(pg_catalog.=) principal_id
	                  ORDER BY e.sequence DESC
	                  LIMIT 1), 0);
END
$fn$;

-- Pushes one event of a principal and records it in the system tenant's log.
CREATE FUNCTION @extschema@.principal_push(principal_id text, event_type text, payload jsonb, version bigint)
RETURNS @extschema@.principals
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	before CONSTANT jsonb := @extschema@.principal_image(principal_id);
	result @extschema@.principals;
BEGIN
	BEGIN
		PERFORM @extschema@.push('principal', principal_id, event_type, payload,
		                         expected_sequence => version,
		                         creator => @extschema@.current_actor(),
		                         instance_id => 'system');
	EXCEPTION
		WHEN serialization_failure THEN
			RAISE EXCEPTION 'principal "%" was changed by a concurrent transaction', principal_id
				USING ERRCODE = '40001', HINT = 'Retry the transaction.';
		WHEN unique_violation THEN
			RAISE EXCEPTION 'another principal already has this e-mail address or external id (principal "%")', principal_id
				USING ERRCODE = '23505';
	END;
	SELECT p.* INTO STRICT result FROM @extschema@.principals AS p
	 WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) principal_id;
	PERFORM @extschema@.audit_lifecycle('system', event_type, 'multitenant.principals',
		pg_catalog.jsonb_build_object('instance_id', 'system', 'id', principal_id),
		before, pg_catalog.to_jsonb(result), payload OPERATOR(pg_catalog.->>) 'reason');
	RETURN result;
END
$fn$;

-- Changes of a principal are made by the principal itself (the acting
-- principal) or by the operator.
CREATE FUNCTION @extschema@.require_principal_self(principal_id text, function_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF principal_id IS NULL THEN
		RAISE EXCEPTION '%: principal id must not be null', function_name USING ERRCODE = '22004';
	END IF;
	IF NOT @extschema@.caller_is_operator()
	   AND principal_id IS DISTINCT FROM @extschema@.current_actor() THEN
		PERFORM @extschema@.refuse_lifecycle('system', function_name, 'multitenant.principals',
			pg_catalog.jsonb_build_object('instance_id', 'system', 'id', principal_id),
			'the acting principal is not the principal changed', '42501',
			pg_catalog.format('permission denied for function multitenant.%s: principal "%s" is not the acting principal',
			                  function_name, principal_id),
			'Only the principal itself and the operator change a principal.');
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.principals AS p
	                WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) principal_id) THEN
		RAISE EXCEPTION 'principal "%" does not exist', principal_id USING ERRCODE = '42704';
	END IF;
END
$fn$;

-- Locks every tenant the principal is an active member of (in one order, so
-- two such changes cannot deadlock) and returns those that have what they
-- must keep, to be checked again after the change.
CREATE FUNCTION @extschema@.lock_principal_tenants(principal_id text, function_name text)
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	tenant text;
	keeping text[] := '{}';
BEGIN
	FOR tenant IN
		SELECT m.instance_id FROM @extschema@.memberships AS m
		 WHERE m.principal_id OPERATOR(pg_catalog.=) principal_id
		   AND m.status OPERATOR(pg_catalog.=) 'active'
		 ORDER BY m.instance_id
	LOOP
		-- Under one snapshot for the whole transaction, another transaction's
		-- change of the same tenants would stay invisible to the check.
		IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.=) 'repeatable read' THEN
			RAISE EXCEPTION '%: principal "%" is a member of tenants, and REPEATABLE READ cannot keep their invariant', function_name, principal_id
				USING ERRCODE = '0A000', HINT = 'Run it in READ COMMITTED or SERIALIZABLE.';
		END IF;
		PERFORM @extschema@.lock_tenant(tenant, function_name);
		IF @extschema@.tenant_keeps_owner(tenant) THEN
			keeping := keeping OPERATOR(pg_catalog.||) tenant;
		END IF;
	END LOOP;
	RETURN keeping;
END
$fn$;

------------------------------------------------------------------------------
-- Principals.
------------------------------------------------------------------------------

-- Anyone the extension's roles let in may create a principal (sign-up); it
-- starts unverified, and only the operator creates a system_admin.
CREATE FUNCTION @extschema@.create_principal(
	kind text,
	email text DEFAULT NULL,
	display_name text DEFAULT NULL,
	user_type text DEFAULT NULL,
	external_id text DEFAULT NULL,
	metadata jsonb DEFAULT '{}',
	id text DEFAULT NULL)
RETURNS @extschema@.principals
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	principal_id CONSTANT text := COALESCE(id, pg_catalog.gen_random_uuid()::pg_catalog.text);
	payload jsonb;
BEGIN
	PERFORM @extschema@.check_principal_fields(principal_id, kind, email, display_name, user_type, external_id, metadata);
	IF user_type OPERATOR(pg_catalog.=) 'system_admin' AND NOT @extschema@.caller_is_operator() THEN
		RAISE EXCEPTION 'permission denied to create principal "%" of type system_admin', principal_id
			USING ERRCODE = '42501', DETAIL = 'Only the operator creates system administrators.';
	END IF;
	IF EXISTS (SELECT FROM @extschema@.principals AS p
	            WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) principal_id) THEN
		RAISE EXCEPTION 'principal "%" already exists', principal_id USING ERRCODE = '23505';
	END IF;
	payload := pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
		'kind', kind,
		'email', @extschema@.normalize_email(email),
		'displayName', display_name,
		'userType', user_type,
		'externalId', external_id,
		'metadata', metadata));
	RETURN @extschema@.principal_push(principal_id, 'principal.added', payload, 0);
END
$fn$;

-- The checks a principal's fields pass, at creation and on change.
CREATE FUNCTION @extschema@.check_principal_fields(
	principal_id text, kind text, email text, display_name text, user_type text, external_id text, metadata jsonb)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF kind IS NULL OR metadata IS NULL THEN
		RAISE EXCEPTION 'principal "%": kind and metadata must not be null', principal_id USING ERRCODE = '22004';
	END IF;
	IF principal_id OPERATOR(pg_catalog.=) '' OR pg_catalog.octet_length(principal_id) OPERATOR(pg_catalog.>) 200 THEN
		RAISE EXCEPTION 'invalid principal id "%"', pg_catalog.left(principal_id, 210)
			USING ERRCODE = '22023', HINT = 'A principal id has 1 to 200 bytes.';
	END IF;
	IF NOT kind OPERATOR(pg_catalog.=) ANY (ARRAY['user', 'client']) THEN
		RAISE EXCEPTION 'invalid kind "%" for principal "%"', kind, principal_id
			USING ERRCODE = '22023', HINT = 'The kind is user or client.';
	END IF;
	IF kind OPERATOR(pg_catalog.=) 'user' AND email IS NULL THEN
		RAISE EXCEPTION 'user "%" needs an e-mail address', principal_id USING ERRCODE = '22004';
	END IF;
	IF kind OPERATOR(pg_catalog.=) 'client' AND email IS NOT NULL THEN
		RAISE EXCEPTION 'client "%" cannot have an e-mail address', principal_id USING ERRCODE = '22023';
	END IF;
	PERFORM @extschema@.normalize_email(email);
	IF user_type IS NOT NULL AND NOT user_type OPERATOR(pg_catalog.=) ANY (ARRAY['system_admin', 'regular', 'service_account', 'guest']) THEN
		RAISE EXCEPTION 'invalid user type "%" for principal "%"', user_type, principal_id
			USING ERRCODE = '22023', HINT = 'The user type is system_admin, regular, service_account or guest.';
	END IF;
	IF pg_catalog.octet_length(display_name) OPERATOR(pg_catalog.>) 200 THEN
		RAISE EXCEPTION 'display name of principal "%" is too long (at most 200 bytes)', principal_id USING ERRCODE = '22001';
	END IF;
	IF external_id OPERATOR(pg_catalog.=) '' OR pg_catalog.octet_length(external_id) OPERATOR(pg_catalog.>) 200 THEN
		RAISE EXCEPTION 'external id of principal "%" must have 1 to 200 bytes', principal_id USING ERRCODE = '22023';
	END IF;
	IF pg_catalog.jsonb_typeof(metadata) OPERATOR(pg_catalog.<>) 'object' THEN
		RAISE EXCEPTION 'metadata of principal "%" must be a JSON object', principal_id USING ERRCODE = '22023';
	END IF;
	IF pg_catalog.octet_length(metadata::pg_catalog.text) OPERATOR(pg_catalog.>) 8192 THEN
		RAISE EXCEPTION 'metadata of principal "%" is too large (at most 8192 bytes)', principal_id USING ERRCODE = '54000';
	END IF;
END
$fn$;

-- NULL leaves a field unchanged; external_id => '' clears it.  A new e-mail
-- address makes the principal unverified, which the tenants it owns must
-- survive.
CREATE FUNCTION @extschema@.update_principal(
	id text,
	email text DEFAULT NULL,
	display_name text DEFAULT NULL,
	external_id text DEFAULT NULL,
	metadata jsonb DEFAULT NULL)
RETURNS @extschema@.principals
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	existing @extschema@.principals;
	payload jsonb := '{}';
	keeping text[] := '{}';
	tenant text;
	result @extschema@.principals;
BEGIN
	PERFORM @extschema@.require_principal_self(id, 'update_principal');
	SELECT p.* INTO STRICT existing FROM @extschema@.principals AS p
	 WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) id;
	PERFORM @extschema@.check_principal_fields(id, existing.kind,
		COALESCE(email, existing.email), display_name, NULL, NULLIF(external_id, ''), COALESCE(metadata, '{}'));
	IF email IS NOT NULL AND @extschema@.normalize_email(email) IS DISTINCT FROM existing.email THEN
		payload := payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('email', @extschema@.normalize_email(email));
		keeping := @extschema@.lock_principal_tenants(id, 'update_principal');
	END IF;
	IF display_name IS NOT NULL THEN
		payload := payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('displayName', display_name);
	END IF;
	IF external_id IS NOT NULL THEN
		payload := payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('externalId', external_id);
	END IF;
	IF metadata IS NOT NULL THEN
		payload := payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('metadata', metadata);
	END IF;
	IF payload OPERATOR(pg_catalog.=) '{}' THEN
		RETURN existing;
	END IF;
	result := @extschema@.principal_push(id, 'principal.changed', payload, @extschema@.principal_version(id));
	FOREACH tenant IN ARRAY keeping LOOP
		PERFORM @extschema@.check_tenant_invariant(tenant, true, 'principal.changed',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', id));
	END LOOP;
	RETURN result;
END
$fn$;

-- The principal's e-mail address (or, for a client, its credentials) has
-- been confirmed by the application or the operator.
CREATE FUNCTION @extschema@.verify_principal(id text)
RETURNS @extschema@.principals
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	existing @extschema@.principals;
BEGIN
	PERFORM @extschema@.require_principal_self(id, 'verify_principal');
	SELECT p.* INTO STRICT existing FROM @extschema@.principals AS p
	 WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) id;
	IF existing.verified THEN
		RETURN existing;
	END IF;
	RETURN @extschema@.principal_push(id, 'principal.verified', NULL, @extschema@.principal_version(id));
END
$fn$;

-- active <-> inactive.  A principal may deactivate itself; only the operator
-- reactivates.  Deactivating the last verified owner of a tenant fails.
CREATE FUNCTION @extschema@.set_principal_status(id text, status text, reason text DEFAULT NULL)
RETURNS @extschema@.principals
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	existing @extschema@.principals;
	keeping text[] := '{}';
	tenant text;
	result @extschema@.principals;
BEGIN
	PERFORM @extschema@.require_principal_self(id, 'set_principal_status');
	IF status IS NULL THEN
		RAISE EXCEPTION 'status of principal "%" must not be null', id USING ERRCODE = '22004';
	END IF;
	IF NOT status OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'inactive']) THEN
		RAISE EXCEPTION 'invalid status "%" for principal "%"', status, id
			USING ERRCODE = '22023', HINT = 'The status is active or inactive.';
	END IF;
	SELECT p.* INTO STRICT existing FROM @extschema@.principals AS p
	 WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) id;
	IF existing.status OPERATOR(pg_catalog.=) status THEN
		RAISE EXCEPTION 'principal "%" is already %', id, status USING ERRCODE = '55000';
	END IF;
	IF status OPERATOR(pg_catalog.=) 'active' AND NOT @extschema@.caller_is_operator() THEN
		PERFORM @extschema@.refuse_lifecycle('system', 'principal.reactivated', 'multitenant.principals',
			pg_catalog.jsonb_build_object('instance_id', 'system', 'id', id),
			'only the operator reactivates a principal', '42501',
			pg_catalog.format('permission denied to reactivate principal "%s"', id),
			'Only the operator reactivates a principal.');
	END IF;
	IF status OPERATOR(pg_catalog.=) 'inactive' THEN
		keeping := @extschema@.lock_principal_tenants(id, 'set_principal_status');
	END IF;
	result := @extschema@.principal_push(id,
		CASE status WHEN 'active' THEN 'principal.reactivated' ELSE 'principal.deactivated' END,
		CASE WHEN reason IS NULL THEN NULL ELSE pg_catalog.jsonb_build_object('reason', reason) END,
		@extschema@.principal_version(id));
	-- Its sessions end with it, in every tenant (see 28_sessions.sql).
	IF status OPERATOR(pg_catalog.=) 'inactive' THEN
		PERFORM @extschema@.revoke_principal_sessions(id, 'principal deactivated');
	END IF;
	FOREACH tenant IN ARRAY keeping LOOP
		PERFORM @extschema@.check_tenant_invariant(tenant, true, 'principal.deactivated',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', id));
	END LOOP;
	RETURN result;
END
$fn$;

------------------------------------------------------------------------------
-- Memberships.  Owners manage everyone and are the only ones who grant,
-- change or remove `owner` and manage admins; admins manage members and
-- viewers; nobody raises their own role; any member may leave.
------------------------------------------------------------------------------

-- The membership a function changes, after the caller's right to manage it
-- has been checked: 42704 when the principal is no member, 42501 when the
-- actor's role does not reach the target's (self allowed when allow_self).
CREATE FUNCTION @extschema@.managed_membership(
	tenant text, principal_id text, actor_role text, allow_self boolean, function_name text)
RETURNS @extschema@.memberships
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	target @extschema@.memberships;
	actor CONSTANT text := @extschema@.current_actor();
	key CONSTANT jsonb := pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id);
BEGIN
	IF principal_id IS NULL THEN
		RAISE EXCEPTION '%: principal_id must not be null', function_name USING ERRCODE = '22004';
	END IF;
	SELECT m.* INTO target FROM @extschema@.memberships AS m
	 WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND m.principal_id OPERATOR(pg_catalog.=) principal_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'principal "%" is not a member of tenant "%"', principal_id, tenant USING ERRCODE = '42704';
	END IF;
	IF actor_role OPERATOR(pg_catalog.=) 'operator' THEN
		RETURN target;
	END IF;
	IF principal_id OPERATOR(pg_catalog.=) actor THEN
		IF NOT allow_self THEN
			PERFORM @extschema@.refuse_lifecycle(tenant, function_name, 'multitenant.memberships', key,
				'a principal cannot do this to its own membership', '42501',
				pg_catalog.format('permission denied for function multitenant.%s: principal "%s" cannot change its own membership this way', function_name, actor));
		END IF;
		RETURN target;
	END IF;
	IF actor_role OPERATOR(pg_catalog.<>) 'owner'
	   AND @extschema@.role_rank(target.role) OPERATOR(pg_catalog.>=) @extschema@.role_rank('admin') THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, function_name, 'multitenant.memberships', key,
			pg_catalog.format('a %s cannot manage a %s', actor_role, target.role), '42501',
			pg_catalog.format('permission denied for function multitenant.%s: only an owner manages %s "%s" of tenant "%s"',
			                  function_name, target.role, principal_id, tenant));
	END IF;
	RETURN target;
END
$fn$;

-- Only an owner gives the roles owner and admin; admins give member and viewer.
CREATE FUNCTION @extschema@.check_role_grant(tenant text, principal_id text, role text, actor_role text, function_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
BEGIN
	IF role IS NULL THEN
		RAISE EXCEPTION '%: role must not be null', function_name USING ERRCODE = '22004';
	END IF;
	IF @extschema@.role_rank(role) IS NULL THEN
		RAISE EXCEPTION 'invalid role "%" for tenant "%"', role, tenant
			USING ERRCODE = '22023', HINT = 'The role is owner, admin, member or viewer.';
	END IF;
	IF actor_role OPERATOR(pg_catalog.<>) 'operator' AND actor_role OPERATOR(pg_catalog.<>) 'owner'
	   AND @extschema@.role_rank(role) OPERATOR(pg_catalog.>=) @extschema@.role_rank('admin') THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, function_name, 'multitenant.memberships',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id),
			pg_catalog.format('a %s cannot grant %s', actor_role, role), '42501',
			pg_catalog.format('permission denied for function multitenant.%s: only an owner grants the role %s in tenant "%s"',
			                  function_name, role, tenant));
	END IF;
END
$fn$;

-- The principal a membership is given to: it exists and is active.
CREATE FUNCTION @extschema@.active_principal(principal_id text, function_name text)
RETURNS @extschema@.principals
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	found_principal @extschema@.principals;
BEGIN
	IF principal_id IS NULL THEN
		RAISE EXCEPTION '%: principal_id must not be null', function_name USING ERRCODE = '22004';
	END IF;
	SELECT p.* INTO found_principal FROM @extschema@.principals AS p
	 WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) principal_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'principal "%" does not exist', principal_id USING ERRCODE = '42704';
	END IF;
	IF found_principal.status OPERATOR(pg_catalog.<>) 'active' THEN
		RAISE EXCEPTION 'principal "%" is inactive', principal_id USING ERRCODE = '55000';
	END IF;
	RETURN found_principal;
END
$fn$;

-- Pushes a membership event and records the change in the tenant's log.
CREATE FUNCTION @extschema@.membership_push(tenant text, principal_id text, event_type text, payload jsonb)
RETURNS @extschema@.memberships
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	before CONSTANT jsonb := @extschema@.membership_image(tenant, principal_id);
	result @extschema@.memberships;
BEGIN
	PERFORM @extschema@.lifecycle_push(tenant, event_type,
		pg_catalog.jsonb_build_object('principalId', principal_id) OPERATOR(pg_catalog.||) COALESCE(payload, '{}'));
	SELECT m.* INTO result FROM @extschema@.memberships AS m
	 WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND m.principal_id OPERATOR(pg_catalog.=) principal_id;
	PERFORM @extschema@.audit_lifecycle(tenant, event_type, 'multitenant.memberships',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id),
		before, CASE WHEN result.principal_id IS NULL THEN NULL ELSE pg_catalog.to_jsonb(result) END,
		payload OPERATOR(pg_catalog.->>) 'reason');
	RETURN result;
END
$fn$;

-- Adds an active member.  A principal that is already a member keeps its
-- membership and role (23505): roles change through change_member_role only.
CREATE FUNCTION @extschema@.add_member(principal_id text, role text DEFAULT 'member', tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.memberships
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor_role text;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'add_member');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'add_member');
	PERFORM @extschema@.active_principal(principal_id, 'add_member');
	PERFORM @extschema@.check_role_grant(tenant, principal_id, role, actor_role, 'add_member');
	IF EXISTS (SELECT FROM @extschema@.memberships AS m
	            WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND m.principal_id OPERATOR(pg_catalog.=) principal_id) THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, 'tenant.member.added', 'multitenant.memberships',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id),
			'already a member', '23505',
			pg_catalog.format('principal "%s" is already a member of tenant "%s"', principal_id, tenant),
			'Change its role with multitenant.change_member_role().');
	END IF;
	RETURN @extschema@.membership_push(tenant, principal_id, 'tenant.member.added',
		pg_catalog.jsonb_build_object('role', role, 'status', 'active',
		                              'acceptedAt', pg_catalog.now()));
END
$fn$;

CREATE FUNCTION @extschema@.change_member_role(principal_id text, role text, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.memberships
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor_role text;
	target @extschema@.memberships;
	had_owner boolean;
	result @extschema@.memberships;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'change_member_role');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'change_member_role');
	target := @extschema@.managed_membership(tenant, principal_id, actor_role, true, 'change_member_role');
	PERFORM @extschema@.check_role_grant(tenant, principal_id, role, actor_role, 'change_member_role');
	IF target.role OPERATOR(pg_catalog.=) role THEN
		RETURN target;
	END IF;
	IF actor_role OPERATOR(pg_catalog.<>) 'operator'
	   AND principal_id OPERATOR(pg_catalog.=) @extschema@.current_actor()
	   AND @extschema@.role_rank(role) OPERATOR(pg_catalog.>) @extschema@.role_rank(target.role) THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, 'tenant.member.role.changed', 'multitenant.memberships',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id),
			'a principal cannot raise its own role', '42501',
			pg_catalog.format('principal "%s" cannot raise its own role in tenant "%s"', principal_id, tenant));
	END IF;
	had_owner := @extschema@.tenant_keeps_owner(tenant);
	result := @extschema@.membership_push(tenant, principal_id, 'tenant.member.role.changed',
		pg_catalog.jsonb_build_object('role', role));
	PERFORM @extschema@.check_tenant_invariant(tenant, had_owner, 'tenant.member.role.changed',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id));
	RETURN result;
END
$fn$;

CREATE FUNCTION @extschema@.suspend_member(principal_id text, reason text DEFAULT NULL, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.memberships
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor_role text;
	target @extschema@.memberships;
	had_owner boolean;
	result @extschema@.memberships;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'suspend_member');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'suspend_member');
	target := @extschema@.managed_membership(tenant, principal_id, actor_role, false, 'suspend_member');
	IF target.status OPERATOR(pg_catalog.=) 'suspended' THEN
		RAISE EXCEPTION 'membership of principal "%" in tenant "%" is already suspended', principal_id, tenant
			USING ERRCODE = '55000';
	END IF;
	had_owner := @extschema@.tenant_keeps_owner(tenant);
	result := @extschema@.membership_push(tenant, principal_id, 'tenant.member.suspended',
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('reason', reason)));
	PERFORM @extschema@.check_tenant_invariant(tenant, had_owner, 'tenant.member.suspended',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id));
	RETURN result;
END
$fn$;

CREATE FUNCTION @extschema@.reactivate_member(principal_id text, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.memberships
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor_role text;
	target @extschema@.memberships;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'reactivate_member');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'reactivate_member');
	target := @extschema@.managed_membership(tenant, principal_id, actor_role, false, 'reactivate_member');
	IF target.status OPERATOR(pg_catalog.<>) 'suspended' THEN
		RAISE EXCEPTION 'membership of principal "%" in tenant "%" is not suspended', principal_id, tenant
			USING ERRCODE = '55000';
	END IF;
	RETURN @extschema@.membership_push(tenant, principal_id, 'tenant.member.reactivated', NULL);
END
$fn$;

-- Removes a membership (and the member's custom roles); a member may leave.
CREATE FUNCTION @extschema@.remove_member(principal_id text, reason text DEFAULT NULL, tenant text DEFAULT @extschema@.current_tenant())
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor_role text;
	had_owner boolean;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'remove_member');
	-- Leaving needs no role beyond being a member.
	actor_role := @extschema@.require_member_role(tenant,
		CASE WHEN principal_id OPERATOR(pg_catalog.=) @extschema@.current_actor() THEN 'viewer' ELSE 'admin' END,
		'remove_member');
	PERFORM @extschema@.managed_membership(tenant, principal_id, actor_role, true, 'remove_member');
	had_owner := @extschema@.tenant_keeps_owner(tenant);
	PERFORM @extschema@.membership_push(tenant, principal_id, 'tenant.member.removed',
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('reason', reason)));
	PERFORM @extschema@.check_tenant_invariant(tenant, had_owner, 'tenant.member.removed',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id));
END
$fn$;

------------------------------------------------------------------------------
-- Custom roles: defined and granted by a tenant's owners and admins, held by
-- members; has_role answers for them.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.check_custom_role_name(name text, tenant text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF name IS NULL THEN
		RAISE EXCEPTION 'custom role name must not be null (tenant "%")', tenant USING ERRCODE = '22004';
	END IF;
	IF name OPERATOR(pg_catalog.!~) '^[A-Za-z][A-Za-z0-9_.:-]{0,62}$' THEN
		RAISE EXCEPTION 'invalid custom role name "%" for tenant "%"', pg_catalog.left(name, 100), tenant
			USING ERRCODE = '22023',
			      HINT = 'A custom role name starts with a letter and has at most 63 letters, digits, "_", ".", ":" or "-".';
	END IF;
	IF @extschema@.role_rank(name) IS NOT NULL THEN
		RAISE EXCEPTION 'custom role name "%" is a membership role', name USING ERRCODE = '22023';
	END IF;
END
$fn$;

CREATE FUNCTION @extschema@.create_custom_role(name text, description text DEFAULT NULL, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.custom_roles
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	result @extschema@.custom_roles;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'create_custom_role');
	PERFORM @extschema@.require_member_role(tenant, 'admin', 'create_custom_role');
	PERFORM @extschema@.check_custom_role_name(name, tenant);
	IF pg_catalog.octet_length(description) OPERATOR(pg_catalog.>) 1000 THEN
		RAISE EXCEPTION 'description of custom role "%" is too long (at most 1000 bytes)', name USING ERRCODE = '22001';
	END IF;
	IF EXISTS (SELECT FROM @extschema@.custom_roles AS r
	            WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.name OPERATOR(pg_catalog.=) name) THEN
		RAISE EXCEPTION 'custom role "%" already exists in tenant "%"', name, tenant USING ERRCODE = '23505';
	END IF;
	PERFORM @extschema@.lifecycle_push(tenant, 'tenant.custom_role.added',
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('name', name, 'description', description)));
	SELECT r.* INTO STRICT result FROM @extschema@.custom_roles AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.name OPERATOR(pg_catalog.=) name;
	PERFORM @extschema@.audit_lifecycle(tenant, 'tenant.custom_role.added', 'multitenant.custom_roles',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'name', name), NULL, pg_catalog.to_jsonb(result));
	RETURN result;
END
$fn$;

-- Drops the role and every grant of it.
CREATE FUNCTION @extschema@.drop_custom_role(name text, tenant text DEFAULT @extschema@.current_tenant())
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	before jsonb;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'drop_custom_role');
	PERFORM @extschema@.require_member_role(tenant, 'admin', 'drop_custom_role');
	PERFORM @extschema@.check_custom_role_name(name, tenant);
	SELECT pg_catalog.to_jsonb(r) INTO before FROM @extschema@.custom_roles AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.name OPERATOR(pg_catalog.=) name;
	IF before IS NULL THEN
		RAISE EXCEPTION 'custom role "%" does not exist in tenant "%"', name, tenant USING ERRCODE = '42704';
	END IF;
	PERFORM @extschema@.lifecycle_push(tenant, 'tenant.custom_role.removed', pg_catalog.jsonb_build_object('name', name));
	PERFORM @extschema@.audit_lifecycle(tenant, 'tenant.custom_role.removed', 'multitenant.custom_roles',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'name', name), before, NULL);
END
$fn$;

-- Granting a custom role to yourself would raise your own rights: refused.
CREATE FUNCTION @extschema@.grant_custom_role(principal_id text, role_name text, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.principal_custom_roles
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor_role text;
	result @extschema@.principal_custom_roles;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'grant_custom_role');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'grant_custom_role');
	PERFORM @extschema@.check_custom_role_name(role_name, tenant);
	PERFORM @extschema@.managed_membership(tenant, principal_id, actor_role, false, 'grant_custom_role');
	IF NOT EXISTS (SELECT FROM @extschema@.custom_roles AS r
	                WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.name OPERATOR(pg_catalog.=) role_name) THEN
		RAISE EXCEPTION 'custom role "%" does not exist in tenant "%"', role_name, tenant USING ERRCODE = '42704';
	END IF;
	SELECT g.* INTO result FROM @extschema@.principal_custom_roles AS g
	 WHERE g.instance_id OPERATOR(pg_catalog.=) tenant AND g.principal_id OPERATOR(pg_catalog.=) principal_id
	   AND g.role_name OPERATOR(pg_catalog.=) role_name;
	IF FOUND THEN
		RETURN result;
	END IF;
	PERFORM @extschema@.lifecycle_push(tenant, 'tenant.member.custom_role.granted',
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('principalId', principal_id, 'role', role_name,
		                                                           'grantedBy', @extschema@.current_actor())));
	SELECT g.* INTO STRICT result FROM @extschema@.principal_custom_roles AS g
	 WHERE g.instance_id OPERATOR(pg_catalog.=) tenant AND g.principal_id OPERATOR(pg_catalog.=) principal_id
	   AND g.role_name OPERATOR(pg_catalog.=) role_name;
	PERFORM @extschema@.audit_lifecycle(tenant, 'tenant.member.custom_role.granted', 'multitenant.principal_custom_roles',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id, 'role_name', role_name),
		NULL, pg_catalog.to_jsonb(result));
	RETURN result;
END
$fn$;

CREATE FUNCTION @extschema@.revoke_custom_role(principal_id text, role_name text, tenant text DEFAULT @extschema@.current_tenant())
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	actor_role text;
	before jsonb;
BEGIN
	PERFORM @extschema@.lock_tenant(tenant, 'revoke_custom_role');
	actor_role := @extschema@.require_member_role(tenant, 'admin', 'revoke_custom_role');
	PERFORM @extschema@.check_custom_role_name(role_name, tenant);
	PERFORM @extschema@.managed_membership(tenant, principal_id, actor_role, true, 'revoke_custom_role');
	SELECT pg_catalog.to_jsonb(g) INTO before FROM @extschema@.principal_custom_roles AS g
	 WHERE g.instance_id OPERATOR(pg_catalog.=) tenant AND g.principal_id OPERATOR(pg_catalog.=) principal_id
	   AND g.role_name OPERATOR(pg_catalog.=) role_name;
	IF before IS NULL THEN
		RAISE EXCEPTION 'principal "%" does not hold custom role "%" in tenant "%"', principal_id, role_name, tenant
			USING ERRCODE = '42704';
	END IF;
	PERFORM @extschema@.lifecycle_push(tenant, 'tenant.member.custom_role.revoked',
		pg_catalog.jsonb_build_object('principalId', principal_id, 'role', role_name));
	PERFORM @extschema@.audit_lifecycle(tenant, 'tenant.member.custom_role.revoked', 'multitenant.principal_custom_roles',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id, 'role_name', role_name),
		before, NULL);
END
$fn$;

------------------------------------------------------------------------------
-- Registration: a new tenant with its registering principal as owner, in one
-- transaction, approved at once.  Applications may call it while
-- multitenant.self_registration is on; the operator always may.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.register_tenant(
	id text,
	name text,
	owner_id text DEFAULT NULL,
	owner_kind text DEFAULT 'user',
	owner_email text DEFAULT NULL,
	owner_display_name text DEFAULT NULL,
	type text DEFAULT 'standard',
	settings jsonb DEFAULT '{}')
RETURNS @extschema@.memberships
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	operator CONSTANT boolean := @extschema@.caller_is_operator();
	owner @extschema@.principals;
BEGIN
	IF NOT operator AND NOT pg_catalog.current_setting('multitenant.self_registration')::pg_catalog.bool THEN
		RAISE EXCEPTION 'permission denied for function multitenant.register_tenant: self-registration of tenants is disabled'
			USING ERRCODE = '42501', HINT = 'The operator turns it on with multitenant.self_registration.';
	END IF;
	IF id IS NULL OR name IS NULL THEN
		RAISE EXCEPTION 'register_tenant: id and name must not be null (tenant "%")', id USING ERRCODE = '22004';
	END IF;
	SELECT p.* INTO owner FROM @extschema@.principals AS p
	 WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) owner_id;
	IF FOUND THEN
		-- An application registers for its acting principal only.
		IF NOT operator AND owner_id IS DISTINCT FROM @extschema@.current_actor() THEN
			RAISE EXCEPTION 'permission denied for function multitenant.register_tenant: principal "%" is not the acting principal', owner_id
				USING ERRCODE = '42501';
		END IF;
		IF owner.status OPERATOR(pg_catalog.<>) 'active' THEN
			RAISE EXCEPTION 'principal "%" is inactive', owner_id USING ERRCODE = '55000';
		END IF;
		IF owner_email IS NOT NULL OR owner_display_name IS NOT NULL THEN
			RAISE EXCEPTION 'register_tenant: principal "%" exists; owner_email and owner_display_name are for a new one', owner_id
				USING ERRCODE = '22023';
		END IF;
	ELSE
		owner := @extschema@.create_principal(owner_kind, owner_email, owner_display_name, id => owner_id);
	END IF;
	PERFORM @extschema@.create_tenant(id, name, type, settings);
	-- Registration approves the registrant.
	IF NOT owner.verified THEN
		owner := @extschema@.principal_push(owner.id, 'principal.verified', NULL, @extschema@.principal_version(owner.id));
	END IF;
	PERFORM @extschema@.lock_tenant(id, 'register_tenant');
	RETURN @extschema@.membership_push(id, owner.id, 'tenant.member.added',
		pg_catalog.jsonb_build_object('role', 'owner', 'status', 'active',
		                              'acceptedAt', pg_catalog.now()));
END
$fn$;
