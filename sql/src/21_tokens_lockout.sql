/*
 * Personal access tokens and the lockout flow: the functions that create and
 * check tokens and record authentication checks.  The projections they read
 * and write (personal_access_tokens_projection, lockout_policies_projection,
 * login_failures_projection) are in 14_auth.sql.
 */

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

-- A new secret: prefix (at most 16 bytes of [A-Za-z0-9_]) followed by the
-- unpadded base64url of 32 random bytes, as create_pat makes its tokens.
-- Callers keep only pg_catalog.sha256(pg_catalog.convert_to(secret, 'UTF8')).
-- Internal: no grants.
CREATE FUNCTION @extschema@.issue_secret(prefix text)
RETURNS text
AS 'MODULE_PATHNAME', 'mt_issue_secret'
LANGUAGE C VOLATILE PARALLEL SAFE;

-- The lockout flow: factor is password, totp, otp_sms or otp_email; the
-- result is whether the user is locked afterwards.

CREATE FUNCTION @extschema@.record_auth_check(user_id text, factor text, succeeded boolean, tenant_token text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'mt_record_auth_check'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
