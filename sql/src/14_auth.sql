/*
 * Authentication projections: lockout policies, user auth methods, personal
 * access tokens, and the failed-check counters behind the lockout flow; each
 * table is followed by its indexes, isolation, grants and reducers.
 *
 * Tenant tables in the style of the core projections: instance_id first in
 * every key and index (one deliberate exception, the token hash), CHECK
 * (instance_id <> ''), row-level security through enable_tenant_isolation,
 * readable by both roles, dumped with pg_dump.  No foreign keys, as in
 * Zitadel: user.removed and org.removed reducers do the cascading, and each
 * table can be rebuilt on its own.  Payload keys are read through the typed
 * accessors, so a key of the wrong JSON type fails the push (22023); absent
 * keys become Go zero values where Zitadel stores them into NOT NULL columns.
 */

------------------------------------------------------------------------------
-- lockout_policies_projection (Zitadel projections.lockout_policies3)
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
-- user_auth_methods_projection (Zitadel projections.user_auth_methods5)
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
-- personal_access_tokens_projection (Zitadel projections.personal_access_tokens3)
-- plus token_hash, our own column: the SHA-256 of the token, from the
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

-- Not led by instance_id, on purpose (as the instance domain index):
-- authenticate_pat is given nothing but the token, so it must find the
-- token's row (and with it the tenant) before any tenant is known.  Unique
-- across tenants: a hash names one token everywhere.  The existence oracle
-- such a key opens (a push of user.pat.added with a hash that another tenant
-- holds fails with 23505) needs the SHA-256 of another tenant's secret token,
-- which is as hard to come by as the token itself; a tenant can only make
-- its own rows.
CREATE UNIQUE INDEX personal_access_tokens_projection_token_hash_key ON @extschema@.personal_access_tokens_projection (token_hash);
-- user.removed cascades by user_id, org.removed by resource_owner.
CREATE INDEX personal_access_tokens_projection_user_id_idx ON @extschema@.personal_access_tokens_projection (instance_id, user_id);
CREATE INDEX personal_access_tokens_projection_resource_owner_idx ON @extschema@.personal_access_tokens_projection (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.personal_access_tokens_projection');
GRANT SELECT ON @extschema@.personal_access_tokens_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.personal_access_tokens_projection', '');

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
