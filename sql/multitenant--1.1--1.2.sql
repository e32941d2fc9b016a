/* multitenant 1.1 -> 1.2: auth methods, personal access tokens, lockout, encryption keys, tenant-scoped lookups */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.2'" to load this file. \quit

------------------------------------------------------------------------------
-- Projections of Phase 3 (reference/zitadel.md B.21, B.29, B.30) and the
-- failed-check counters behind the lockout flow.
--
-- Four tenant tables in the 1.0 core style: instance_id first in every key
-- and index (one deliberate exception, the token hash below), CHECK
-- (instance_id <> ''), row-level security through enable_tenant_isolation,
-- readable by both roles, dumped with pg_dump.  No foreign keys, as in
-- Zitadel: user.removed and org.removed reducers do the cascading, and the
-- tables can be replayed on their own (the end of this section does so).
-- Payload keys are read through the typed accessors, so a key of the wrong
-- JSON type fails the push (22023); absent keys become Go zero values where
-- Zitadel stores them into NOT NULL columns.
------------------------------------------------------------------------------

------------------------------------------------------------------------------
-- payload_sha256: a SHA-256 digest given as 64 hexadecimal digits (the
-- tokenHash of user.pat.added).  NULL for an absent key or JSON null, like
-- the other accessors; anything else that is not exactly 64 hex digits
-- (whitespace included, which decode() would skip) fails with 22023 instead
-- of storing bytes that no token hashes to.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.payload_sha256(payload jsonb, key text)
RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	digest CONSTANT text := @extschema@.payload_text(payload, key);
BEGIN
	IF digest IS NULL THEN
		RETURN NULL;
	END IF;
	IF digest OPERATOR(pg_catalog.!~) '^[0-9A-Fa-f]{64}$' THEN
		RAISE EXCEPTION 'payload key "%" must be a SHA-256 digest as 64 hexadecimal digits', key
			USING ERRCODE = '22023',
			      DETAIL = pg_catalog.format('The value has %s characters.', pg_catalog.length(digest));
	END IF;
	RETURN pg_catalog.decode(digest, 'hex');
END
$fn$;

------------------------------------------------------------------------------
-- lockout_policies_projection (Zitadel projections.lockout_policies3, B.21)
-- An org's policy has id = the org, the instance's default policy id = the
-- instance (is_default true).  state (PolicyState): 1 active.
-- max_otp_attempts counts TOTP, OTP-SMS and OTP-email failures alike.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.lockout_policies_projection (
	instance_id           text        NOT NULL,
	id                    text        NOT NULL,
	creation_date         timestamptz NOT NULL,
	change_date           timestamptz NOT NULL,
	sequence              bigint      NOT NULL,
	state                 smallint    NOT NULL,
	is_default            boolean     NOT NULL DEFAULT false,
	resource_owner        text        NOT NULL,
	max_password_attempts bigint      NOT NULL,
	max_otp_attempts      bigint      NOT NULL DEFAULT 0,
	show_failure          boolean     NOT NULL,
	CONSTRAINT lockout_policies_projection_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT lockout_policies_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- org.removed cascades by resource_owner.
CREATE INDEX lockout_policies_projection_resource_owner_idx ON @extschema@.lockout_policies_projection (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.lockout_policies_projection');
GRANT SELECT ON @extschema@.lockout_policies_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.lockout_policies_projection', '');

------------------------------------------------------------------------------
-- user_auth_methods_projection (Zitadel projections.user_auth_methods5, B.29)
-- One row per second factor or passwordless token; no id column.  token_id
-- is the WebAuthn token id for U2F and passwordless, '' for the OTP kinds
-- (a user has at most one of each).  method_type (UserAuthMethodType):
-- 1 totp, 2 u2f, 3 passwordless, 4 password, 5 idp, 6 otp_sms, 7 otp_email.
-- state (MFAState): 1 not ready, 2 ready.  domain is the WebAuthn relying
-- party id (NULL for the OTP kinds).
------------------------------------------------------------------------------

CREATE TABLE @extschema@.user_auth_methods_projection (
	instance_id    text        NOT NULL,
	user_id        text        NOT NULL,
	method_type    smallint    NOT NULL,
	token_id       text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	change_date    timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	state          smallint    NOT NULL,
	resource_owner text        NOT NULL,
	name           text        NOT NULL,
	domain         text,
	CONSTRAINT user_auth_methods_projection_pkey PRIMARY KEY (instance_id, user_id, method_type, token_id),
	CONSTRAINT user_auth_methods_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- org.removed cascades by resource_owner (user.removed uses the key).
CREATE INDEX user_auth_methods_projection_resource_owner_idx ON @extschema@.user_auth_methods_projection (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.user_auth_methods_projection');
GRANT SELECT ON @extschema@.user_auth_methods_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.user_auth_methods_projection', '');

------------------------------------------------------------------------------
-- personal_access_tokens_projection (Zitadel projections.personal_access_tokens3,
-- B.30) plus token_hash, our own column: the SHA-256 of the token, from the
-- payload key tokenHash that create_pat writes (64 hex digits).  Zitadel's
-- PATs are encrypted "tokenID:userID" strings and its events carry no hash:
-- those rows keep token_hash NULL and authenticate nobody here.  An absent
-- expiration is Zitadel's "no expiry", 9999-12-31 23:59:59 UTC.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.personal_access_tokens_projection (
	instance_id    text        NOT NULL,
	id             text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	change_date    timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	resource_owner text        NOT NULL,
	user_id        text        NOT NULL,
	expiration     timestamptz NOT NULL,
	scopes         text[],
	owner_removed  boolean     NOT NULL DEFAULT false,
	token_hash     bytea,
	CONSTRAINT personal_access_tokens_projection_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT personal_access_tokens_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT personal_access_tokens_projection_token_hash_check
		CHECK (token_hash IS NULL OR pg_catalog.octet_length(token_hash) OPERATOR(pg_catalog.=) 32)
);

-- Not led by instance_id, on purpose (as the instance domain index below):
-- authenticate_pat is given nothing but the token,
-- so it must find the token's row (and with it the tenant) before any
-- tenant is known.  Unique across tenants: a hash names one token
-- everywhere.  The existence oracle such a key opens (security.md 10: a
-- push of user.pat.added with a hash that another tenant holds fails with
-- 23505) needs the SHA-256 of another tenant's secret token, which is as
-- hard to come by as the token itself; a tenant can only make its own rows.
CREATE UNIQUE INDEX personal_access_tokens_projection_token_hash_key ON @extschema@.personal_access_tokens_projection (token_hash);
-- user.removed cascades by user_id, org.removed by resource_owner.
CREATE INDEX personal_access_tokens_projection_user_id_idx ON @extschema@.personal_access_tokens_projection (instance_id, user_id);
CREATE INDEX personal_access_tokens_projection_resource_owner_idx ON @extschema@.personal_access_tokens_projection (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.personal_access_tokens_projection');
GRANT SELECT ON @extschema@.personal_access_tokens_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.personal_access_tokens_projection', '');

------------------------------------------------------------------------------
-- login_failures_projection (ours, not Zitadel's): the failed checks behind
-- the lockout flow, one row per user that ever failed one, one counter per
-- kind.  A failure adds one; the matching success sets that counter back to
-- zero; user.unlocked sets all four back.  The lockout flow compares
-- password_failures with max_password_attempts and the three OTP counters
-- with max_otp_attempts of the effective lockout policy.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.login_failures_projection (
	instance_id        text        NOT NULL,
	user_id            text        NOT NULL,
	creation_date      timestamptz NOT NULL,
	change_date        timestamptz NOT NULL,
	sequence           bigint      NOT NULL,
	resource_owner     text        NOT NULL,
	password_failures  integer     NOT NULL DEFAULT 0,
	totp_failures      integer     NOT NULL DEFAULT 0,
	otp_sms_failures   integer     NOT NULL DEFAULT 0,
	otp_email_failures integer     NOT NULL DEFAULT 0,
	CONSTRAINT login_failures_projection_pkey PRIMARY KEY (instance_id, user_id),
	CONSTRAINT login_failures_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- org.removed cascades by resource_owner.
CREATE INDEX login_failures_projection_resource_owner_idx ON @extschema@.login_failures_projection (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.login_failures_projection');
GRANT SELECT ON @extschema@.login_failures_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.login_failures_projection', '');

------------------------------------------------------------------------------
-- Reducers: lockout_policies_projection (aggregates `org` / `instance`)
-- Absent keys of an added event are Go zero values; a changed event sets
-- the keys present and always touches the row.  There is no instance-level
-- removal event.
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.lockout_policies_projection', 'org.policy.lockout.added', 'insert',
	set => $${"state": "1",
	          "is_default": "false",
	          "max_password_attempts": "COALESCE(multitenant.payload_bigint(e.payload, 'maxPasswordAttempts'), 0)",
	          "max_otp_attempts": "COALESCE(multitenant.payload_bigint(e.payload, 'maxOTPAttempts'), 0)",
	          "show_failure": "COALESCE(multitenant.payload_bool(e.payload, 'showLockOutFailures'), false)"}$$);

SELECT @extschema@.register_reducer('@extschema@.lockout_policies_projection', 'instance.policy.lockout.added', 'insert',
	set => $${"state": "1",
	          "is_default": "true",
	          "max_password_attempts": "COALESCE(multitenant.payload_bigint(e.payload, 'maxPasswordAttempts'), 0)",
	          "max_otp_attempts": "COALESCE(multitenant.payload_bigint(e.payload, 'maxOTPAttempts'), 0)",
	          "show_failure": "COALESCE(multitenant.payload_bool(e.payload, 'showLockOutFailures'), false)"}$$);

SELECT @extschema@.register_reducer('@extschema@.lockout_policies_projection', 'org.policy.lockout.changed', 'update',
	set => $${"max_password_attempts": "COALESCE(multitenant.payload_bigint(e.payload, 'maxPasswordAttempts'), t.max_password_attempts)",
	          "max_otp_attempts": "COALESCE(multitenant.payload_bigint(e.payload, 'maxOTPAttempts'), t.max_otp_attempts)",
	          "show_failure": "COALESCE(multitenant.payload_bool(e.payload, 'showLockOutFailures'), t.show_failure)"}$$);

SELECT @extschema@.register_reducer('@extschema@.lockout_policies_projection', 'instance.policy.lockout.changed', 'update',
	set => $${"max_password_attempts": "COALESCE(multitenant.payload_bigint(e.payload, 'maxPasswordAttempts'), t.max_password_attempts)",
	          "max_otp_attempts": "COALESCE(multitenant.payload_bigint(e.payload, 'maxOTPAttempts'), t.max_otp_attempts)",
	          "show_failure": "COALESCE(multitenant.payload_bool(e.payload, 'showLockOutFailures'), t.show_failure)"}$$);

SELECT @extschema@.register_reducer('@extschema@.lockout_policies_projection', 'org.policy.lockout.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.lockout_policies_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.lockout_policies_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Reducers: user_auth_methods_projection (aggregate `user`, user id = the
-- aggregate id).  As in Zitadel: adding a WebAuthn token or TOTP upserts a
-- not-ready row (a repeated add keeps creation_date); verifying makes it
-- ready and names it, matched on the user's resource owner as well; OTP-SMS
-- and OTP-email are ready when added; removing the phone number removes
-- OTP-SMS.  A removal without a WebAuthn token id removes every token of
-- that kind (Zitadel leaves the token condition out when the id is empty).
------------------------------------------------------------------------------

-- Added: method 3 passwordless, 2 U2F (domain = the relying party id, a Go
-- string: '' when absent), 1 TOTP (domain not set).
SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.passwordless.token.added', 'upsert',
	set => $${"state": "1",
	          "name": "''",
	          "domain": "COALESCE(multitenant.payload_text(e.payload, 'rpID'), '')"}$$,
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "3",
	            "token_id": "COALESCE(multitenant.payload_text(e.payload, 'webAuthNTokenId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.mfa.u2f.token.added', 'upsert',
	set => $${"state": "1",
	          "name": "''",
	          "domain": "COALESCE(multitenant.payload_text(e.payload, 'rpID'), '')"}$$,
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "2",
	            "token_id": "COALESCE(multitenant.payload_text(e.payload, 'webAuthNTokenId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.mfa.otp.added', 'upsert',
	set => $${"state": "1",
	          "name": "''"}$$,
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "1",
	            "token_id": "''"}$$);

-- Verified: ready, named after the token (TOTP: '').
SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.passwordless.token.verified', 'update',
	set => $${"state": "2",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'webAuthNTokenName'), '')"}$$,
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "3",
	            "resource_owner": "e.resource_owner",
	            "token_id": "COALESCE(multitenant.payload_text(e.payload, 'webAuthNTokenId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.mfa.u2f.token.verified', 'update',
	set => $${"state": "2",
	          "name": "COALESCE(multitenant.payload_text(e.payload, 'webAuthNTokenName'), '')"}$$,
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "2",
	            "resource_owner": "e.resource_owner",
	            "token_id": "COALESCE(multitenant.payload_text(e.payload, 'webAuthNTokenId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.mfa.otp.verified', 'update',
	set => $${"state": "2",
	          "name": "''"}$$,
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "1",
	            "resource_owner": "e.resource_owner",
	            "token_id": "''"}$$);

-- OTP by SMS (6) and e-mail (7): ready at once, no token.
SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.mfa.otp.sms.added', 'insert',
	set => $${"state": "2",
	          "name": "''"}$$,
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "6",
	            "token_id": "''"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.mfa.otp.email.added', 'insert',
	set => $${"state": "2",
	          "name": "''"}$$,
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "7",
	            "token_id": "''"}$$);

-- Removed WebAuthn tokens: the one named, or every one of that kind when
-- the event names none.
SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.passwordless.token.removed', 'delete',
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "3",
	            "resource_owner": "e.resource_owner",
	            "token_id": "multitenant.payload_text(e.payload, 'webAuthNTokenId')"}$$,
	"when" => $$COALESCE(multitenant.payload_text(e.payload, 'webAuthNTokenId'), '') <> ''$$);
SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.passwordless.token.removed', 'delete',
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "3",
	            "resource_owner": "e.resource_owner"}$$,
	"when" => $$COALESCE(multitenant.payload_text(e.payload, 'webAuthNTokenId'), '') = ''$$);

SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.mfa.u2f.token.removed', 'delete',
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "2",
	            "resource_owner": "e.resource_owner",
	            "token_id": "multitenant.payload_text(e.payload, 'webAuthNTokenId')"}$$,
	"when" => $$COALESCE(multitenant.payload_text(e.payload, 'webAuthNTokenId'), '') <> ''$$);
SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.mfa.u2f.token.removed', 'delete',
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "2",
	            "resource_owner": "e.resource_owner"}$$,
	"when" => $$COALESCE(multitenant.payload_text(e.payload, 'webAuthNTokenId'), '') = ''$$);

SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.mfa.otp.removed', 'delete',
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "1",
	            "resource_owner": "e.resource_owner"}$$);

-- OTP-SMS goes with its own removal and with the phone number (both
-- spellings of the phone removal).
SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.mfa.otp.sms.removed', 'delete',
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "6",
	            "resource_owner": "e.resource_owner"}$$);
SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.phone.removed', 'delete',
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "6",
	            "resource_owner": "e.resource_owner"}$$);
SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.phone.removed', 'delete',
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "6",
	            "resource_owner": "e.resource_owner"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.human.mfa.otp.email.removed', 'delete',
	match => $${"user_id": "e.aggregate_id",
	            "method_type": "7",
	            "resource_owner": "e.resource_owner"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'user.removed', 'delete',
	match => $${"user_id": "e.aggregate_id",
	            "resource_owner": "e.resource_owner"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.user_auth_methods_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Reducers: personal_access_tokens_projection (aggregate `user`, user id =
-- the aggregate id, token id = payload tokenId)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.personal_access_tokens_projection', 'user.pat.added', 'insert',
	set => $${"user_id": "e.aggregate_id",
	          "expiration": "COALESCE(multitenant.payload_timestamptz(e.payload, 'expiration'), '9999-12-31 23:59:59+00'::pg_catalog.timestamptz)",
	          "scopes": "multitenant.payload_text_array(e.payload, 'scopes')",
	          "token_hash": "multitenant.payload_sha256(e.payload, 'tokenHash')"}$$,
	match => $${"id": "COALESCE(multitenant.payload_text(e.payload, 'tokenId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.personal_access_tokens_projection', 'user.pat.removed', 'delete',
	match => $${"id": "COALESCE(multitenant.payload_text(e.payload, 'tokenId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.personal_access_tokens_projection', 'user.removed', 'delete',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.personal_access_tokens_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.personal_access_tokens_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Reducers: login_failures_projection (aggregate `user`, user id = the
-- aggregate id).  A failure first makes sure the user's row exists (an
-- upsert that sets only the standard columns), then adds one to its counter
-- in the row as it is now, so failures in one push_many batch add up.  (An
-- upsert alone cannot add: it writes the value the event brings.)  Zitadel's
-- event types; the v1 spellings user.password.check.* and
-- user.mfa.otp.check.* count like the human.* ones.
------------------------------------------------------------------------------

-- Password checks (v2 and v1 spelling).
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.human.password.check.failed', 'upsert',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.human.password.check.failed', 'update',
	set => '{"password_failures": "t.password_failures + 1"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.human.password.check.succeeded', 'update',
	set => '{"password_failures": "0"}',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.password.check.failed', 'upsert',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.password.check.failed', 'update',
	set => '{"password_failures": "t.password_failures + 1"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.password.check.succeeded', 'update',
	set => '{"password_failures": "0"}',
	match => '{"user_id": "e.aggregate_id"}');

-- TOTP checks (v2 and v1 spelling).
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.human.mfa.otp.check.failed', 'upsert',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.human.mfa.otp.check.failed', 'update',
	set => '{"totp_failures": "t.totp_failures + 1"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.human.mfa.otp.check.succeeded', 'update',
	set => '{"totp_failures": "0"}',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.mfa.otp.check.failed', 'upsert',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.mfa.otp.check.failed', 'update',
	set => '{"totp_failures": "t.totp_failures + 1"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.mfa.otp.check.succeeded', 'update',
	set => '{"totp_failures": "0"}',
	match => '{"user_id": "e.aggregate_id"}');

-- OTP-SMS and OTP-email checks.
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.human.mfa.otp.sms.check.failed', 'upsert',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.human.mfa.otp.sms.check.failed', 'update',
	set => '{"otp_sms_failures": "t.otp_sms_failures + 1"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.human.mfa.otp.sms.check.succeeded', 'update',
	set => '{"otp_sms_failures": "0"}',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.human.mfa.otp.email.check.failed', 'upsert',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.human.mfa.otp.email.check.failed', 'update',
	set => '{"otp_email_failures": "t.otp_email_failures + 1"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.human.mfa.otp.email.check.succeeded', 'update',
	set => '{"otp_email_failures": "0"}',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.unlocked', 'update',
	set => '{"password_failures": "0", "totp_failures": "0", "otp_sms_failures": "0", "otp_email_failures": "0"}',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'user.removed', 'delete',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_failures_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Events stored before this version (by a 1.0 or 1.1 database, which stored
-- these event types without reducing them) fill the new projections.  On a
-- fresh install the event store is empty and this does nothing.
------------------------------------------------------------------------------

SELECT @extschema@.rebuild_many(ARRAY['@extschema@.lockout_policies_projection', '@extschema@.user_auth_methods_projection',
                                      '@extschema@.personal_access_tokens_projection', '@extschema@.login_failures_projection']::pg_catalog.regclass[]);

------------------------------------------------------------------------------
-- Encryption keys: key material encrypted at rest under the server's master
-- key (AES-256-GCM through OpenSSL).
------------------------------------------------------------------------------

------------------------------------------------------------------------------
-- Tenant-scoped lookups (C): normalised lookup columns, their indexes, the
-- functions, personal access tokens and the lockout flow.
------------------------------------------------------------------------------

-- Lookups compare names and domains lower-cased (SPEC §5: case does not
-- matter), against copies that PostgreSQL keeps itself, so that a plain
-- btree index answers them with "=".
ALTER TABLE @extschema@.users_projection
	ADD COLUMN username_lower text GENERATED ALWAYS AS (pg_catalog.lower(username)) STORED;
CREATE INDEX users_projection_username_lower_idx
	ON @extschema@.users_projection (instance_id, username_lower);

ALTER TABLE @extschema@.login_names_projection_domains
	ADD COLUMN name_lower text GENERATED ALWAYS AS (pg_catalog.lower(name)) STORED;
CREATE INDEX login_names_projection_domains_name_lower_idx
	ON @extschema@.login_names_projection_domains (instance_id, name_lower);

ALTER TABLE @extschema@.org_domains_projection
	ADD COLUMN domain_lower text GENERATED ALWAYS AS (pg_catalog.lower(domain)) STORED;
CREATE INDEX org_domains_projection_domain_lower_idx
	ON @extschema@.org_domains_projection (instance_id, domain_lower);

-- instance_by_domain maps a request's host to its tenant before any tenant
-- is known, so a domain must name one instance across all tenants: otherwise
-- a tenant could claim another's domain and receive its requests.  This
-- index is therefore not led by instance_id.  Zitadel enforces the same
-- uniqueness through its unique constraints.
DO $unique_domains$
DECLARE
	clash record;
BEGIN
	SELECT pg_catalog.lower(d.domain) AS domain,
	       pg_catalog.string_agg(pg_catalog.quote_literal(d.instance_id), ', ' ORDER BY d.instance_id) AS instances
	  INTO clash
	  FROM @extschema@.instance_domains_projection AS d
	 GROUP BY pg_catalog.lower(d.domain)
	HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 1
	 ORDER BY 1
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'cannot upgrade multitenant.instance_domains_projection: domain "%" belongs to more than one instance (%)',
			clash.domain, clash.instances
			USING ERRCODE = '23505',
			      HINT = 'A domain routes requests to one tenant. Remove it from all but one instance (push instance.domain.removed), then upgrade.';
	END IF;
END
$unique_domains$;

ALTER TABLE @extschema@.instance_domains_projection
	ADD COLUMN domain_lower text GENERATED ALWAYS AS (pg_catalog.lower(domain)) STORED;
CREATE UNIQUE INDEX instance_domains_projection_domain_lower_key
	ON @extschema@.instance_domains_projection (domain_lower);

-- The lookups.  All but instance_by_domain and authenticate_pat answer within
-- the current tenant only, as the caller (row-level security applies); the
-- optional tenant_token (made by sign_tenant) enters its tenant for the rest
-- of the transaction first: one statement, one round trip.

CREATE FUNCTION @extschema@.instance_by_domain(domain text)
RETURNS text
AS 'MODULE_PATHNAME', 'mt_instance_by_domain'
LANGUAGE C STABLE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.user_by_id(user_id text, tenant_token text DEFAULT NULL)
RETURNS SETOF @extschema@.users_projection
AS 'MODULE_PATHNAME', 'mt_user_by_id'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;

CREATE FUNCTION @extschema@.user_by_login_name(login_name text, tenant_token text DEFAULT NULL)
RETURNS SETOF @extschema@.users_projection
AS 'MODULE_PATHNAME', 'mt_user_by_login_name'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;

CREATE FUNCTION @extschema@.org_by_domain(domain text, tenant_token text DEFAULT NULL)
RETURNS SETOF @extschema@.orgs_projection
AS 'MODULE_PATHNAME', 'mt_org_by_domain'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;

CREATE FUNCTION @extschema@.has_role(user_id text, role_key text, project_id text DEFAULT NULL, tenant_token text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'mt_has_role'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- Personal access tokens: create_pat returns the token once and pushes
-- user.pat.added with its SHA-256 only; authenticate_pat finds the token's
-- tenant and user before any tenant is set.

CREATE FUNCTION @extschema@.create_pat(user_id text, expiration timestamptz, scopes text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'mt_create_pat'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.authenticate_pat(token text)
RETURNS TABLE (instance_id text, user_id text, scopes text[])
AS 'MODULE_PATHNAME', 'mt_authenticate_pat'
LANGUAGE C STABLE PARALLEL UNSAFE ROWS 1;

-- The lockout flow: factor is password, totp, otp_sms or otp_email; the
-- result is whether the user is locked afterwards.

CREATE FUNCTION @extschema@.record_auth_check(user_id text, factor text, succeeded boolean, tenant_token text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'mt_record_auth_check'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
