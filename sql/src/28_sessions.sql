/*
 * Sessions of principals: what a login in a tenant's realm gives a browser
 * user or a service client.  create_session returns a token once, opaque,
 * signed (JWS) or encrypted (JWE) with the tenant's session keys;
 * validate_session (C, sessions.c) answers tenant, principal, realm, kind
 * and expiry for it and can enter the tenant and the actor in the same
 * call.  The table is a projection of events on the tenant's `tenant`
 * aggregate, like memberships: tenant.session.added | rotated | revoked,
 * payload keys sessionId, principalId, realmId, kind, format, tokenHash
 * (hex SHA-256: the token itself is in no event, row or log), keyId,
 * idleTimeout, expiresAt, createdBy, reason.  A role change marks the
 * principal's sessions in the tenant due for rotation.  Removing or suspending a membership and
 * suspending or deactivating the tenant revoke sessions through reducers
 * on those events, in the same transaction; deactivating a principal
 * revokes its sessions in every tenant (set_principal_status).
 * sessions_projection (the Zitadel session aggregate) is left as it is:
 * see docs/design.md, "Sessions".
 */

CREATE TABLE @extschema@.principal_sessions (
	instance_id   text        NOT NULL,
	id            text        NOT NULL,
	principal_id  text        NOT NULL,
	realm_id      text        NOT NULL,
	kind          text        NOT NULL,
	format        text        NOT NULL,
	token_hash    bytea       NOT NULL,
	key_id        text,
	status        text        NOT NULL DEFAULT 'active',
	rotation_due  boolean     NOT NULL DEFAULT false,
	idle_timeout  interval    NOT NULL,
	expires_at    timestamptz NOT NULL,
	last_seen_at  timestamptz NOT NULL,
	created_by    text,
	rotated_at    timestamptz,
	revoked_at    timestamptz,
	revoke_reason text,
	created_at    timestamptz NOT NULL,
	changed_at    timestamptz NOT NULL,
	CONSTRAINT principal_sessions_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT principal_sessions_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT principal_sessions_kind_check CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['browser', 'service'])),
	CONSTRAINT principal_sessions_format_check CHECK (format OPERATOR(pg_catalog.=) ANY (ARRAY['opaque', 'jws', 'jwe'])),
	CONSTRAINT principal_sessions_key_id_check CHECK ((format OPERATOR(pg_catalog.=) 'opaque') OPERATOR(pg_catalog.=) (key_id IS NULL)),
	CONSTRAINT principal_sessions_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'revoked'])),
	CONSTRAINT principal_sessions_token_hash_check CHECK (pg_catalog.length(token_hash) OPERATOR(pg_catalog.=) 32),
	CONSTRAINT principal_sessions_idle_timeout_check CHECK (idle_timeout OPERATOR(pg_catalog.>) '0'::pg_catalog.interval)
);

-- A token is looked up before its tenant is known, and names one session
-- across all tenants.
CREATE UNIQUE INDEX principal_sessions_token_hash_key ON @extschema@.principal_sessions (token_hash);
-- The sessions a membership change or a deactivation revokes.
CREATE INDEX principal_sessions_principal_id_idx ON @extschema@.principal_sessions (principal_id, instance_id);

SELECT @extschema@.enable_tenant_isolation('@extschema@.principal_sessions');
GRANT SELECT (instance_id, id, principal_id, realm_id, kind, format, key_id, status, rotation_due, idle_timeout,
              expires_at, last_seen_at, created_by, rotated_at, revoked_at, revoke_reason, created_at, changed_at)
	ON @extschema@.principal_sessions TO multitenant_app;
GRANT SELECT ON @extschema@.principal_sessions TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.principal_sessions', '');

-- Inside its tenant the application sees a session as its principal, or as
-- one of the tenant's owners or admins.
CREATE POLICY principal_sessions_visibility ON @extschema@.principal_sessions AS RESTRICTIVE FOR SELECT TO multitenant_app
	USING (principal_id OPERATOR(pg_catalog.=) (SELECT @extschema@.current_actor())
	       OR (SELECT @extschema@.actor_is_tenant_admin()));

SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'tenant.session.added', 'insert',
	set => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')",
	          "realm_id": "multitenant.payload_text(e.payload, 'realmId')",
	          "kind": "multitenant.payload_text(e.payload, 'kind')",
	          "format": "multitenant.payload_text(e.payload, 'format')",
	          "token_hash": "multitenant.payload_sha256(e.payload, 'tokenHash')",
	          "key_id": "multitenant.payload_text(e.payload, 'keyId')",
	          "status": "'active'",
	          "idle_timeout": "multitenant.payload_text(e.payload, 'idleTimeout')::pg_catalog.interval",
	          "expires_at": "multitenant.payload_timestamptz(e.payload, 'expiresAt')",
	          "last_seen_at": "e.created_at",
	          "created_by": "multitenant.payload_text(e.payload, 'createdBy')",
	          "created_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'sessionId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'tenant.session.rotated', 'update',
	set => $${"token_hash": "multitenant.payload_sha256(e.payload, 'tokenHash')",
	          "key_id": "multitenant.payload_text(e.payload, 'keyId')",
	          "rotation_due": "false",
	          "rotated_at": "e.created_at",
	          "last_seen_at": "e.created_at",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'sessionId')"}$$,
	"when" => $$t.status OPERATOR(pg_catalog.=) 'active'$$);

SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'tenant.session.revoked', 'update',
	set => $${"status": "'revoked'",
	          "revoked_at": "e.created_at",
	          "revoke_reason": "multitenant.payload_text(e.payload, 'reason')",
	          "changed_at": "e.created_at"}$$,
	match => $${"id": "multitenant.payload_text(e.payload, 'sessionId')"}$$,
	"when" => $$t.status OPERATOR(pg_catalog.=) 'active'$$);

-- The events that end a principal's right to the tenant end its sessions
-- there; a later reactivation does not bring them back.
SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'tenant.member.removed', 'update',
	set => $${"status": "'revoked'", "revoked_at": "e.created_at", "revoke_reason": "'membership removed'",
	          "changed_at": "e.created_at"}$$,
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$,
	"when" => $$t.status OPERATOR(pg_catalog.=) 'active'$$);

SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'tenant.member.suspended', 'update',
	set => $${"status": "'revoked'", "revoked_at": "e.created_at", "revoke_reason": "'membership suspended'",
	          "changed_at": "e.created_at"}$$,
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$,
	"when" => $$t.status OPERATOR(pg_catalog.=) 'active'$$);

SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'tenant.suspended', 'update',
	set => $${"status": "'revoked'", "revoked_at": "e.created_at", "revoke_reason": "'tenant suspended'",
	          "changed_at": "e.created_at"}$$,
	match => '{}',
	"when" => $$t.status OPERATOR(pg_catalog.=) 'active'$$);

SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'tenant.deactivated', 'update',
	set => $${"status": "'revoked'", "revoked_at": "e.created_at", "revoke_reason": "'tenant deactivated'",
	          "changed_at": "e.created_at"}$$,
	match => '{}',
	"when" => $$t.status OPERATOR(pg_catalog.=) 'active'$$);

SELECT @extschema@.register_reducer('@extschema@.principal_sessions', 'instance.removed', 'delete',
	match => '{}');

-- A change of the principal's roles in the tenant makes its sessions due
-- for rotation: the next validation replaces the token (see sessions.c), so
-- that a token planted before an elevation does not carry it.  Dropping a
-- custom role only takes rights away and rotates nothing.
SELECT @extschema@.register_reducer('@extschema@.principal_sessions', event_type, 'update',
	set => $${"rotation_due": "true", "changed_at": "e.created_at"}$$,
	match => $${"principal_id": "multitenant.payload_text(e.payload, 'principalId')"}$$,
	"when" => $$t.status OPERATOR(pg_catalog.=) 'active'$$)
  FROM pg_catalog.unnest(ARRAY['tenant.member.role.changed', 'tenant.member.custom_role.granted',
                               'tenant.member.custom_role.revoked']) AS event_type;

------------------------------------------------------------------------------
-- Session keys.
------------------------------------------------------------------------------

/*
 * The keys JWS and JWE session tokens are made with, per tenant: ES256 or
 * HS256 to sign, A256GCM (JWE "dir") to encrypt.  This table lists them;
 * the key material is the tenant's encryption key "session-key:<kid>"
 * (encrypted under the master key; see session_tokens.c).  The newest active
 * key of a purpose makes new tokens; every active key verifies the tokens it
 * made; a retired key verifies nothing.  Keys are not events: like
 * encryption keys they are kept by pg_dump, untouched by rebuild and
 * deleted with the tenant (instance.removed).
 */
CREATE TABLE @extschema@.session_keys (
	instance_id text        NOT NULL,
	kid         text        NOT NULL,
	purpose     text        NOT NULL,
	algorithm   text        NOT NULL,
	public_jwk  jsonb,
	status      text        NOT NULL DEFAULT 'active',
	created_at  timestamptz NOT NULL,
	retired_at  timestamptz,
	CONSTRAINT session_keys_pkey PRIMARY KEY (instance_id, kid),
	CONSTRAINT session_keys_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT session_keys_purpose_check CHECK (purpose OPERATOR(pg_catalog.=) ANY (ARRAY['sign', 'encrypt'])),
	CONSTRAINT session_keys_algorithm_check CHECK (algorithm OPERATOR(pg_catalog.=) ANY (ARRAY['ES256', 'HS256', 'A256GCM'])),
	CONSTRAINT session_keys_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'retired'])),
	CONSTRAINT session_keys_retired_check CHECK ((status OPERATOR(pg_catalog.=) 'retired') OPERATOR(pg_catalog.=) (retired_at IS NOT NULL))
);

-- A token names its key by kid alone, before its tenant is known.
CREATE UNIQUE INDEX session_keys_kid_key ON @extschema@.session_keys (kid);

SELECT @extschema@.enable_tenant_isolation('@extschema@.session_keys');
-- Nothing secret is in the table: the public half of an ES256 key is there
-- for whoever verifies tokens outside the database.
GRANT SELECT ON @extschema@.session_keys TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.session_keys', '');

-- A new key of the tenant (ES256 or HS256 to sign, A256GCM to encrypt); it
-- makes the tenant's new tokens of its purpose at once, and the keys before
-- it still verify theirs until retired.  In C (session_tokens.c): the key
-- material never passes through SQL.
CREATE FUNCTION @extschema@.session_key_create(tenant text, algorithm text)
RETURNS text
AS 'MODULE_PATHNAME', 'mt_session_key_create'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- claims signed ('jws') or encrypted ('jwe') with the key kid names.
CREATE FUNCTION @extschema@.session_token_issue(kid text, format text, claims jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'mt_session_token_issue'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- Records a key's creation or retirement in the tenant's audit log.
CREATE FUNCTION @extschema@.session_key_audit(tenant text, action text, kid text, before jsonb, reason text)
RETURNS @extschema@.session_keys
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	result @extschema@.session_keys;
BEGIN
	SELECT k.* INTO STRICT result FROM @extschema@.session_keys AS k
	 WHERE k.instance_id OPERATOR(pg_catalog.=) tenant AND k.kid OPERATOR(pg_catalog.=) kid;
	PERFORM @extschema@.audit_lifecycle(tenant, action, 'multitenant.session_keys',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'kid', kid), before, pg_catalog.to_jsonb(result), reason);
	RETURN result;
END
$fn$;

-- The kid that makes the tenant's new tokens of a purpose; the first token
-- of a purpose makes its key (ES256 to sign, A256GCM to encrypt).  The
-- caller holds the tenant's lock.
CREATE FUNCTION @extschema@.current_session_key(tenant text, purpose text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	found_kid text;
BEGIN
	SELECT k.kid INTO found_kid FROM @extschema@.session_keys AS k
	 WHERE k.instance_id OPERATOR(pg_catalog.=) tenant AND k.purpose OPERATOR(pg_catalog.=) purpose
	   AND k.status OPERATOR(pg_catalog.=) 'active'
	 ORDER BY k.created_at DESC, k.kid DESC
	 LIMIT 1;
	IF found_kid IS NULL THEN
		found_kid := @extschema@.session_key_create(tenant, CASE purpose WHEN 'sign' THEN 'ES256' ELSE 'A256GCM' END);
		PERFORM @extschema@.session_key_audit(tenant, 'tenant.session_key.added', found_kid, NULL, 'first token of its purpose');
	END IF;
	RETURN found_kid;
END
$fn$;

-- A new session key of the tenant, for its owners and admins or the
-- operator; returns it.
CREATE FUNCTION @extschema@.rotate_session_key(algorithm text DEFAULT 'ES256', tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.session_keys
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
BEGIN
	IF algorithm IS NULL THEN
		RAISE EXCEPTION 'rotate_session_key: algorithm must not be null (tenant "%")', tenant USING ERRCODE = '22004';
	END IF;
	IF NOT algorithm OPERATOR(pg_catalog.=) ANY (ARRAY['ES256', 'HS256', 'A256GCM']) THEN
		RAISE EXCEPTION 'invalid session key algorithm "%"', pg_catalog.left(algorithm, 100)
			USING ERRCODE = '22023', HINT = 'The algorithm is ES256 or HS256 (signing) or A256GCM (encryption).';
	END IF;
	PERFORM @extschema@.lock_tenant(tenant, 'rotate_session_key');
	PERFORM @extschema@.require_member_role(tenant, 'admin', 'rotate_session_key');
	RETURN @extschema@.session_key_audit(tenant, 'tenant.session_key.added',
		@extschema@.session_key_create(tenant, algorithm), NULL, NULL);
END
$fn$;

-- Retires a session key: the tokens it made stop validating at once (their
-- sessions live on: rotate_session gives them a token under the current
-- key).  For the tenant's owners and admins or the operator; retiring a
-- retired key returns it and changes nothing.
CREATE FUNCTION @extschema@.retire_session_key(kid text, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.session_keys
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	target @extschema@.session_keys;
BEGIN
	IF kid IS NULL THEN
		RAISE EXCEPTION 'retire_session_key: kid must not be null (tenant "%")', tenant USING ERRCODE = '22004';
	END IF;
	PERFORM @extschema@.lock_tenant(tenant, 'retire_session_key');
	PERFORM @extschema@.require_member_role(tenant, 'admin', 'retire_session_key');
	SELECT k.* INTO target FROM @extschema@.session_keys AS k
	 WHERE k.instance_id OPERATOR(pg_catalog.=) tenant AND k.kid OPERATOR(pg_catalog.=) kid;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'session key "%" does not exist in tenant "%"', pg_catalog.left(kid, 100), tenant USING ERRCODE = '42704';
	END IF;
	IF target.status OPERATOR(pg_catalog.=) 'retired' THEN
		RETURN target;
	END IF;
	UPDATE @extschema@.session_keys AS k SET status = 'retired', retired_at = pg_catalog.now()
	 WHERE k.instance_id OPERATOR(pg_catalog.=) tenant AND k.kid OPERATOR(pg_catalog.=) kid;
	RETURN @extschema@.session_key_audit(tenant, 'tenant.session_key.retired', kid, pg_catalog.to_jsonb(target), NULL);
END
$fn$;

-- The tenant's active ES256 public keys as a JWK set, for whoever verifies
-- JWS session tokens outside the database.  Such a verifier sees signatures
-- and expiry only: revocation, idle expiry and rotation are known to
-- validate_session alone.
CREATE FUNCTION @extschema@.session_jwks(tenant text DEFAULT @extschema@.current_tenant())
RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT pg_catalog.jsonb_build_object('keys', COALESCE(pg_catalog.jsonb_agg(k.public_jwk ORDER BY k.created_at, k.kid), '[]'))
	  FROM @extschema@.session_keys AS k
	 WHERE k.instance_id OPERATOR(pg_catalog.=) tenant
	   AND k.status OPERATOR(pg_catalog.=) 'active'
	   AND k.public_jwk IS NOT NULL
$fn$;

------------------------------------------------------------------------------
-- Shared steps.
------------------------------------------------------------------------------

-- Pushes one event of a session and records the change in the tenant's log;
-- the log's images leave the token's hash out.
CREATE FUNCTION @extschema@.session_push(tenant text, session_id text, event_type text, payload jsonb)
RETURNS @extschema@.principal_sessions
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	before jsonb;
	result @extschema@.principal_sessions;
BEGIN
	SELECT pg_catalog.to_jsonb(s) OPERATOR(pg_catalog.-) 'token_hash' INTO before FROM @extschema@.principal_sessions AS s
	 WHERE s.instance_id OPERATOR(pg_catalog.=) tenant AND s.id OPERATOR(pg_catalog.=) session_id;
	PERFORM @extschema@.lifecycle_push(tenant, event_type,
		pg_catalog.jsonb_build_object('sessionId', session_id) OPERATOR(pg_catalog.||) payload);
	SELECT s.* INTO STRICT result FROM @extschema@.principal_sessions AS s
	 WHERE s.instance_id OPERATOR(pg_catalog.=) tenant AND s.id OPERATOR(pg_catalog.=) session_id;
	PERFORM @extschema@.audit_lifecycle(tenant, event_type, 'multitenant.principal_sessions',
		pg_catalog.jsonb_build_object('instance_id', tenant, 'id', session_id),
		before, pg_catalog.to_jsonb(result) OPERATOR(pg_catalog.-) 'token_hash', payload OPERATOR(pg_catalog.->>) 'reason');
	RETURN result;
END
$fn$;

-- The session a token names, if it is active, unexpired and of the current
-- tenant (when one is entered); else the one refusal every bad token
-- gets.  Nothing tells a caller why.
CREATE FUNCTION @extschema@.session_by_token(token text)
RETURNS @extschema@.principal_sessions
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	entered CONSTANT text := @extschema@.current_tenant();
	found_session @extschema@.principal_sessions;
BEGIN
	IF token IS NOT NULL AND pg_catalog.octet_length(token) OPERATOR(pg_catalog.<=) 4096 THEN
		SELECT s.* INTO found_session FROM @extschema@.principal_sessions AS s
		 WHERE s.token_hash OPERATOR(pg_catalog.=) pg_catalog.sha256(pg_catalog.convert_to(token, 'UTF8'))
		   AND s.status OPERATOR(pg_catalog.=) 'active'
		   AND s.expires_at OPERATOR(pg_catalog.>) pg_catalog.statement_timestamp()
		   AND s.last_seen_at OPERATOR(pg_catalog.+) s.idle_timeout OPERATOR(pg_catalog.>) pg_catalog.statement_timestamp()
		   AND (entered IS NULL OR s.instance_id OPERATOR(pg_catalog.=) entered);
		IF FOUND THEN
			RETURN found_session;
		END IF;
	END IF;
	RAISE EXCEPTION 'invalid session token' USING ERRCODE = '28000';
END
$fn$;

-- A new token of a session, in its format, and the event payload keys
-- that name it.  A JWS or JWE carries the tenant (tid), principal (sub),
-- realm, session (sid), kind, issue and absolute expiry times and a
-- random jti, and is made with the tenant's current key of its purpose;
-- the caller holds the tenant's lock.
CREATE FUNCTION @extschema@.session_new_token(target @extschema@.principal_sessions, OUT token text, OUT payload jsonb)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	kid text;
BEGIN
	IF target.format OPERATOR(pg_catalog.=) 'opaque' THEN
		token := @extschema@.issue_secret('mts_');
	ELSE
		kid := @extschema@.current_session_key(target.instance_id,
			CASE target.format WHEN 'jws' THEN 'sign' ELSE 'encrypt' END);
		token := @extschema@.session_token_issue(kid, target.format, pg_catalog.jsonb_build_object(
			'iss', 'multitenant', 'tid', target.instance_id, 'sub', target.principal_id, 'realm', target.realm_id,
			'sid', target.id, 'kind', target.kind,
			'iat', pg_catalog.floor(pg_catalog.date_part('epoch', pg_catalog.now()))::bigint,
			'exp', pg_catalog.floor(pg_catalog.date_part('epoch', target.expires_at))::bigint,
			'jti', pg_catalog.gen_random_uuid()));
	END IF;
	payload := pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
		'tokenHash', pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(token, 'UTF8')), 'hex'),
		'keyId', kid));
END
$fn$;

-- Rotates the session a valid token names: a new token, the old one dead at
-- once.  The token is checked again under the tenant's lock, so that of
-- concurrent rotations of one token exactly one succeeds.
CREATE FUNCTION @extschema@.session_rotate(token text, reason text,
                                           OUT session_id text, OUT new_token text, OUT expires_at timestamptz)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	found_session @extschema@.principal_sessions;
	made record;
BEGIN
	found_session := @extschema@.session_by_token(token);
	PERFORM @extschema@.lock_tenant(found_session.instance_id, 'rotate_session');
	found_session := @extschema@.session_by_token(token);
	made := @extschema@.session_new_token(found_session);
	PERFORM @extschema@.session_push(found_session.instance_id, found_session.id, 'tenant.session.rotated',
		made.payload OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('reason', reason));
	session_id := found_session.id;
	new_token := made.token;
	expires_at := found_session.expires_at;
END
$fn$;

------------------------------------------------------------------------------
-- Session functions.
------------------------------------------------------------------------------

-- A new session of an active member of the tenant in one of its enabled
-- realms, after the application has authenticated the principal.  The
-- application creates it inside the tenant (or the operator, anywhere);
-- with an acting principal other than the session's, only an owner or admin
-- may.  The token (prefix "mts_", 256 random bits) is returned here only.
CREATE FUNCTION @extschema@.create_session(
	principal_id text,
	realm_id text,
	kind text DEFAULT 'browser',
	idle_timeout interval DEFAULT '30 minutes',
	absolute_timeout interval DEFAULT '12 hours',
	format text DEFAULT 'opaque',
	tenant text DEFAULT @extschema@.current_tenant(),
	OUT session_id text,
	OUT token text,
	OUT expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	action CONSTANT text := 'tenant.session.added';
	actor CONSTANT text := @extschema@.current_actor();
	registry @extschema@.tenants;
	realm_enabled boolean;
	made record;
BEGIN
	IF principal_id IS NULL OR realm_id IS NULL OR kind IS NULL OR idle_timeout IS NULL
	   OR absolute_timeout IS NULL OR format IS NULL THEN
		RAISE EXCEPTION 'create_session: principal_id, realm_id, kind, idle_timeout, absolute_timeout and format must not be null (tenant "%")', tenant
			USING ERRCODE = '22004';
	END IF;
	IF NOT kind OPERATOR(pg_catalog.=) ANY (ARRAY['browser', 'service']) THEN
		RAISE EXCEPTION 'invalid session kind "%"', pg_catalog.left(kind, 100)
			USING ERRCODE = '22023', HINT = 'The kind is browser or service.';
	END IF;
	IF NOT format OPERATOR(pg_catalog.=) ANY (ARRAY['opaque', 'jws', 'jwe']) THEN
		RAISE EXCEPTION 'invalid session token format "%"', pg_catalog.left(format, 100)
			USING ERRCODE = '22023', HINT = 'The format is opaque, jws or jwe.';
	END IF;
	IF NOT pg_catalog.isfinite(idle_timeout) OR NOT pg_catalog.isfinite(absolute_timeout)
	   OR idle_timeout OPERATOR(pg_catalog.<=) '0'::pg_catalog.interval
	   OR absolute_timeout OPERATOR(pg_catalog.<=) '0'::pg_catalog.interval
	   OR absolute_timeout OPERATOR(pg_catalog.>) '1 year'::pg_catalog.interval THEN
		RAISE EXCEPTION 'session lifetimes for principal "%" must be positive (idle %, absolute %)', principal_id, idle_timeout, absolute_timeout
			USING ERRCODE = '22023', HINT = 'The absolute lifetime is at most one year.';
	END IF;
	IF idle_timeout OPERATOR(pg_catalog.>) absolute_timeout THEN
		RAISE EXCEPTION 'idle lifetime % of a session for principal "%" exceeds its absolute lifetime %', idle_timeout, principal_id, absolute_timeout
			USING ERRCODE = '22023';
	END IF;
	registry := @extschema@.lock_tenant(tenant, 'create_session');
	IF NOT @extschema@.caller_is_operator() THEN
		IF tenant IS DISTINCT FROM @extschema@.current_tenant() THEN
			RAISE EXCEPTION 'permission denied for function multitenant.create_session'
				USING ERRCODE = '42501', DETAIL = pg_catalog.format('Tenant "%s" is not the current tenant.', tenant);
		END IF;
		IF actor IS NOT NULL AND actor OPERATOR(pg_catalog.<>) principal_id THEN
			PERFORM @extschema@.require_member_role(tenant, 'admin', 'create_session');
		END IF;
	END IF;
	IF registry.status OPERATOR(pg_catalog.<>) 'active' THEN
		RAISE EXCEPTION 'tenant "%" is % and gives no sessions', tenant, registry.status USING ERRCODE = '55000';
	END IF;
	PERFORM @extschema@.active_principal(principal_id, 'create_session');
	IF NOT EXISTS (SELECT FROM @extschema@.memberships AS m
	                WHERE m.instance_id OPERATOR(pg_catalog.=) tenant AND m.principal_id OPERATOR(pg_catalog.=) principal_id
	                  AND m.status OPERATOR(pg_catalog.=) 'active') THEN
		PERFORM @extschema@.refuse_lifecycle(tenant, action, 'multitenant.principal_sessions',
			pg_catalog.jsonb_build_object('instance_id', tenant, 'principal_id', principal_id),
			'not an active member', '55000',
			pg_catalog.format('principal "%s" is not an active member of tenant "%s"', principal_id, tenant));
	END IF;
	SELECT r.enabled INTO realm_enabled FROM @extschema@.tenant_realms AS r
	 WHERE r.instance_id OPERATOR(pg_catalog.=) tenant AND r.id OPERATOR(pg_catalog.=) realm_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'realm "%" does not exist in tenant "%"', realm_id, tenant USING ERRCODE = '42704';
	END IF;
	IF NOT realm_enabled THEN
		RAISE EXCEPTION 'realm "%" of tenant "%" is disabled', realm_id, tenant USING ERRCODE = '55000';
	END IF;

	session_id := pg_catalog.gen_random_uuid()::pg_catalog.text;
	expires_at := pg_catalog.now() OPERATOR(pg_catalog.+) absolute_timeout;
	made := @extschema@.session_new_token(pg_catalog.jsonb_populate_record(NULL::@extschema@.principal_sessions,
		pg_catalog.jsonb_build_object('instance_id', tenant, 'id', session_id, 'principal_id', principal_id,
		                              'realm_id', realm_id, 'kind', kind, 'format', format, 'expires_at', expires_at)));
	token := made.token;
	PERFORM @extschema@.session_push(tenant, session_id, action,
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
			'principalId', principal_id, 'realmId', realm_id, 'kind', kind, 'format', format,
			'idleTimeout', idle_timeout::pg_catalog.text, 'expiresAt', expires_at, 'createdBy', actor))
		OPERATOR(pg_catalog.||) made.payload);
END
$fn$;

-- A new token for the session the token names, in its format and (for a
-- JWS or JWE) under the tenant's current key; the old one is dead at once.
-- The token is the proof: whoever holds it may rotate it.
CREATE FUNCTION @extschema@.rotate_session(token text, OUT session_id text, OUT new_token text, OUT expires_at timestamptz)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT r.session_id, r.new_token, r.expires_at FROM @extschema@.session_rotate(token, 'requested') AS r
$fn$;

-- Ends a session: its principal (the acting principal), an owner or admin
-- of the tenant, or the operator.
CREATE FUNCTION @extschema@.revoke_session(session_id text, reason text DEFAULT NULL, tenant text DEFAULT @extschema@.current_tenant())
RETURNS @extschema@.principal_sessions
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	target @extschema@.principal_sessions;
BEGIN
	IF session_id IS NULL THEN
		RAISE EXCEPTION 'revoke_session: session_id must not be null (tenant "%")', tenant USING ERRCODE = '22004';
	END IF;
	PERFORM @extschema@.lock_tenant(tenant, 'revoke_session');
	SELECT s.* INTO target FROM @extschema@.principal_sessions AS s
	 WHERE s.instance_id OPERATOR(pg_catalog.=) tenant AND s.id OPERATOR(pg_catalog.=) session_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'session "%" does not exist in tenant "%"', session_id, tenant USING ERRCODE = '42704';
	END IF;
	IF @extschema@.caller_is_operator()
	   OR (tenant OPERATOR(pg_catalog.=) @extschema@.current_tenant()
	       AND target.principal_id OPERATOR(pg_catalog.=) @extschema@.current_actor()) THEN
		NULL;
	ELSE
		PERFORM @extschema@.require_member_role(tenant, 'admin', 'revoke_session');
	END IF;
	IF target.status OPERATOR(pg_catalog.<>) 'active' THEN
		RETURN target;
	END IF;
	RETURN @extschema@.session_push(tenant, session_id, 'tenant.session.revoked',
		pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('reason', reason)));
END
$fn$;

-- Revokes every active session of a principal, in every tenant (its
-- deactivation); each tenant is locked first, in one order.
CREATE FUNCTION @extschema@.revoke_principal_sessions(principal_id text, reason text)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
	tenant text;
	sid text;
	n integer := 0;
BEGIN
	FOR tenant IN
		SELECT DISTINCT s.instance_id FROM @extschema@.principal_sessions AS s
		 WHERE s.principal_id OPERATOR(pg_catalog.=) principal_id AND s.status OPERATOR(pg_catalog.=) 'active'
		 ORDER BY 1
	LOOP
		PERFORM @extschema@.lock_tenant(tenant, 'revoke_principal_sessions');
		FOR sid IN
			SELECT s.id FROM @extschema@.principal_sessions AS s
			 WHERE s.instance_id OPERATOR(pg_catalog.=) tenant AND s.principal_id OPERATOR(pg_catalog.=) principal_id
			   AND s.status OPERATOR(pg_catalog.=) 'active'
			 ORDER BY s.id
		LOOP
			PERFORM @extschema@.session_push(tenant, sid, 'tenant.session.revoked',
				pg_catalog.jsonb_build_object('reason', reason));
			n := n OPERATOR(pg_catalog.+) 1;
		END LOOP;
	END LOOP;
	RETURN n;
END
$fn$;

-- validate_session(token, enter): the tenant, principal, realm, kind and
-- expiry of a valid token (active, within both lifetimes, of an active
-- member and principal, in an enabled realm of an active tenant); with
-- enter, the tenant and the principal as actor are entered for the rest of
-- the transaction, as a lookup's tenant_token does.  Every bad token gets
-- the same 28000 and enters nothing.
CREATE FUNCTION @extschema@.validate_session(token text, enter boolean DEFAULT false)
RETURNS TABLE (tenant text, principal_id text, realm_id text, kind text, expires_at timestamptz, session_id text,
               rotated_token text)
AS 'MODULE_PATHNAME', 'mt_validate_session'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;
