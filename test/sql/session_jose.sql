-- Signed (JWS) and encrypted (JWE) session tokens as an application uses
-- them, as a real login role: what the tokens carry, validation with
-- tenant entry, every forged, altered, swapped, expired, revoked,
-- rotated-away and other-tenant token refused alike (28000) with nothing
-- entered, rotation on request and on a role change, the tenants' keys
-- (rotation with a kid, retirement, the public key set) and who may touch
-- them.  Attack tokens are built here with pgcrypto's HMAC and base64url
-- helpers, as an attacker holding valid tokens would build them.
\set SHOW_CONTEXT never
CREATE EXTENSION multitenant;
CREATE EXTENSION pgcrypto;
SELECT current_user AS superuser \gset
CREATE ROLE mt_sj_app LOGIN;
GRANT multitenant_app TO mt_sj_app;
\set ECHO none
\o /dev/null
SELECT multitenant.create_tenant(t, initcap(t)) FROM unnest(ARRAY['sj-a', 'sj-b']) AS t;
SELECT multitenant.create_principal('user', p || '@example.com', initcap(p), id => p) FROM unnest(ARRAY['olga', 'mia', 'ned']) AS p;
SELECT multitenant.verify_principal('olga');
SELECT multitenant.add_member('olga', 'owner', t) FROM unnest(ARRAY['sj-a', 'sj-b']) AS t;
SELECT multitenant.add_member(p, 'member', 'sj-a') FROM unnest(ARRAY['mia', 'ned']) AS p;
SELECT multitenant.push('tenant', t, 'tenant.realm.added', '{"realmId": "pw", "name": "staff", "type": "username_password"}', instance_id => t)
  FROM unnest(ARRAY['sj-a', 'sj-b']) AS t;
CREATE TABLE public.sj_tokens (name text PRIMARY KEY, token text NOT NULL);
GRANT SELECT, INSERT, UPDATE ON public.sj_tokens TO mt_sj_app;
CREATE FUNCTION public.b64url(bytea) RETURNS text LANGUAGE sql IMMUTABLE
	AS $$ SELECT translate(rtrim(encode($1, 'base64'), '='), E'+/\n', '-_') $$;
CREATE FUNCTION public.b64url_decode(text) RETURNS bytea LANGUAGE sql IMMUTABLE
	AS $$ SELECT decode(rpad(translate($1, '-_', '+/'), (length($1) + 3) / 4 * 4, '='), 'base64') $$;
CREATE FUNCTION public.jose_part(token text, n integer) RETURNS jsonb LANGUAGE sql IMMUTABLE
	AS $$ SELECT convert_from(public.b64url_decode(split_part(token, '.', n)), 'UTF8')::jsonb $$;
-- A compact JWS of a header and claims, signed with HS256 under key.
CREATE FUNCTION public.hs256(header jsonb, claims jsonb, key bytea) RETURNS text LANGUAGE sql IMMUTABLE
	AS $$ SELECT s || '.' || public.b64url(public.hmac(convert_to(s, 'UTF8'), key, 'sha256'))
	        FROM (SELECT public.b64url(convert_to(header::text, 'UTF8')) || '.' || public.b64url(convert_to(claims::text, 'UTF8'))) AS x(s) $$;
-- The token with one character of part n changed.
CREATE FUNCTION public.flip(token text, n integer) RETURNS text LANGUAGE sql IMMUTABLE
	AS $$ SELECT array_to_string(array_agg(CASE WHEN i = n THEN overlay(p PLACING CASE WHEN substr(p, 3, 1) = 'A' THEN 'B' ELSE 'A' END FROM 3 FOR 1) ELSE p END ORDER BY i), '.')
	        FROM unnest(string_to_array(token, '.')) WITH ORDINALITY AS u(p, i) $$;
GRANT EXECUTE ON FUNCTION public.hmac(bytea, bytea, text) TO mt_sj_app;
\o
\set ECHO all

\c - mt_sj_app
-- The application logs mia in, once with each format, and olga in sj-b.
BEGIN;
SELECT multitenant.set_tenant('sj-a', is_local => true);
INSERT INTO public.sj_tokens SELECT 'mia-jws', token FROM multitenant.create_session('mia', 'pw', format => 'jws');
INSERT INTO public.sj_tokens SELECT 'mia-jwe', token FROM multitenant.create_session('mia', 'pw', 'service', format => 'jwe');
INSERT INTO public.sj_tokens SELECT 'ned-jws', token FROM multitenant.create_session('ned', 'pw', format => 'jws');
COMMIT;
BEGIN;
SELECT multitenant.set_tenant('sj-b', is_local => true);
INSERT INTO public.sj_tokens SELECT 'olga-b-jws', token FROM multitenant.create_session('olga', 'pw', format => 'jws');
COMMIT;
SELECT token AS mia_jws FROM public.sj_tokens WHERE name = 'mia-jws' \gset
SELECT token AS mia_jwe FROM public.sj_tokens WHERE name = 'mia-jwe' \gset
SELECT token AS olga_b_jws FROM public.sj_tokens WHERE name = 'olga-b-jws' \gset
SELECT token AS ned_jws FROM public.sj_tokens WHERE name = 'ned-jws' \gset

-- A JWS is readable: ES256 under the tenant's key, the session's claims
-- (absolute expiry 12 hours after issue).  A JWE hides them.
SELECT public.jose_part(:'mia_jws', 1) - 'kid' AS header,
       public.jose_part(:'mia_jws', 2) - ARRAY['iat', 'exp', 'jti', 'sid'] AS claims,
       (public.jose_part(:'mia_jws', 2) ->> 'exp')::bigint - (public.jose_part(:'mia_jws', 2) ->> 'iat')::bigint AS lifetime_s,
       length(public.jose_part(:'mia_jws', 1) ->> 'kid') AS kid_length;
SELECT public.jose_part(:'mia_jwe', 1) - 'kid' AS header,
       split_part(:'mia_jwe', '.', 2) = '' AS no_wrapped_key,
       position(convert_to('"sub"', 'UTF8') IN public.b64url_decode(split_part(:'mia_jwe', '.', 4))) = 0 AS claims_hidden;

-- One statement authenticates and enters, for either format.
SELECT tenant, principal_id, realm_id, kind, rotated_token, multitenant.current_tenant() AS entered,
       multitenant.current_actor() AS actor
  FROM multitenant.validate_session(:'mia_jws', true);
SELECT tenant, principal_id, realm_id, kind, rotated_token, multitenant.current_tenant() AS entered,
       multitenant.current_actor() AS actor
  FROM multitenant.validate_session(:'mia_jwe', true);
SELECT multitenant.current_tenant() IS NULL AS tenant_ended_with_statement;

-- Forged and altered tokens: one refusal, 28000, nothing entered.
SELECT public.jose_part(:'mia_jws', 1) ->> 'kid' AS mia_kid, public.jose_part(:'olga_b_jws', 1) ->> 'kid' AS b_kid,
       public.jose_part(:'mia_jwe', 1) ->> 'kid' AS mia_enc_kid \gset
SELECT multitenant.session_jwks('sj-a') -> 'keys' -> 0 AS mia_public_jwk \gset
\set VERBOSITY sqlstate
-- claims changed (another principal), signature kept
SELECT * FROM multitenant.validate_session(split_part(:'mia_jws', '.', 1) || '.'
	|| public.b64url(convert_to(jsonb_set(public.jose_part(:'mia_jws', 2), '{sub}', '"olga"')::text, 'UTF8'))
	|| '.' || split_part(:'mia_jws', '.', 3), true);
-- claims changed (another realm)
SELECT * FROM multitenant.validate_session(split_part(:'mia_jws', '.', 1) || '.'
	|| public.b64url(convert_to(jsonb_set(public.jose_part(:'mia_jws', 2), '{realm}', '"other"')::text, 'UTF8'))
	|| '.' || split_part(:'mia_jws', '.', 3), true);
-- "alg": "none", no signature
SELECT * FROM multitenant.validate_session(public.b64url(convert_to(jsonb_build_object('alg', 'none', 'kid', :'mia_kid', 'typ', 'JWT')::text, 'UTF8'))
	|| '.' || split_part(:'mia_jws', '.', 2) || '.', true);
-- HS256 keyed with the ES256 key's public JWK, then with its raw point
SELECT * FROM multitenant.validate_session(public.hs256(jsonb_build_object('alg', 'HS256', 'kid', :'mia_kid', 'typ', 'JWT'),
	public.jose_part(:'mia_jws', 2), convert_to(:'mia_public_jwk', 'UTF8')), true);
SELECT * FROM multitenant.validate_session(public.hs256(jsonb_build_object('alg', 'HS256', 'kid', :'mia_kid', 'typ', 'JWT'),
	public.jose_part(:'mia_jws', 2),
	public.b64url_decode(:'mia_public_jwk'::jsonb ->> 'x') || public.b64url_decode(:'mia_public_jwk'::jsonb ->> 'y')), true);
-- the header's kid swapped for another tenant's key, and for the tenant's encryption key
SELECT * FROM multitenant.validate_session(public.b64url(convert_to(jsonb_set(public.jose_part(:'mia_jws', 1), '{kid}', to_jsonb(:'b_kid'::text))::text, 'UTF8'))
	|| '.' || split_part(:'mia_jws', '.', 2) || '.' || split_part(:'mia_jws', '.', 3), true);
SELECT * FROM multitenant.validate_session(public.b64url(convert_to(jsonb_set(public.jose_part(:'mia_jws', 1), '{kid}', to_jsonb(:'mia_enc_kid'::text))::text, 'UTF8'))
	|| '.' || split_part(:'mia_jws', '.', 2) || '.' || split_part(:'mia_jws', '.', 3), true);
-- truncated, a signature character changed, a part missing, oversized
SELECT * FROM multitenant.validate_session(left(:'mia_jws', -3), true);
SELECT * FROM multitenant.validate_session(public.flip(:'mia_jws', 3), true);
SELECT * FROM multitenant.validate_session(split_part(:'mia_jws', '.', 1) || '.' || split_part(:'mia_jws', '.', 2), true);
SELECT * FROM multitenant.validate_session(:'mia_jws' || repeat('A', 5000), true);
-- JWE: ciphertext, tag and IV altered; the header's enc and alg swapped
SELECT * FROM multitenant.validate_session(public.flip(:'mia_jwe', 4), true);
SELECT * FROM multitenant.validate_session(public.flip(:'mia_jwe', 5), true);
SELECT * FROM multitenant.validate_session(public.flip(:'mia_jwe', 3), true);
SELECT * FROM multitenant.validate_session(public.b64url(convert_to(jsonb_set(public.jose_part(:'mia_jwe', 1), '{enc}', '"A128GCM"')::text, 'UTF8'))
	|| substr(:'mia_jwe', position('.' IN :'mia_jwe')), true);
SELECT * FROM multitenant.validate_session(public.b64url(convert_to(jsonb_set(public.jose_part(:'mia_jwe', 1), '{alg}', '"A256KW"')::text, 'UTF8'))
	|| substr(:'mia_jwe', position('.' IN :'mia_jwe')), true);
-- a JWE's parts presented as a JWS
SELECT * FROM multitenant.validate_session(split_part(:'mia_jwe', '.', 1) || '.' || split_part(:'mia_jwe', '.', 4) || '.' || split_part(:'mia_jwe', '.', 5), true);
\set VERBOSITY default
SELECT multitenant.current_tenant() IS NULL AS nothing_entered, multitenant.current_actor() IS NULL AS no_actor;

-- A valid token of another tenant than the one entered is no token there.
BEGIN;
SELECT multitenant.set_tenant('sj-a', is_local => true);
SAVEPOINT s;
\set VERBOSITY sqlstate
SELECT tenant FROM multitenant.validate_session(:'olga_b_jws', true);
\set VERBOSITY default
ROLLBACK TO SAVEPOINT s;
SELECT multitenant.current_tenant() AS still_in, multitenant.current_actor() IS NULL AS no_actor;
COMMIT;

-- Expired: a session of one second, a second later.
BEGIN;
SELECT multitenant.set_tenant('sj-a', is_local => true);
INSERT INTO public.sj_tokens SELECT 'short', token
  FROM multitenant.create_session('mia', 'pw', idle_timeout => '1 second', absolute_timeout => '1 second', format => 'jws');
COMMIT;
SELECT token AS short FROM public.sj_tokens WHERE name = 'short' \gset
SELECT principal_id FROM multitenant.validate_session(:'short');
SELECT pg_sleep(1.1);
\set VERBOSITY sqlstate
SELECT principal_id FROM multitenant.validate_session(:'short');
\set VERBOSITY default

-- Rotation on request: a new JWS for the same session, the old one dead.
SELECT session_id AS mia_jws_session FROM multitenant.validate_session(:'mia_jws') \gset
SELECT session_id = :'mia_jws_session' AS same_session, array_length(string_to_array(new_token, '.'), 1) AS parts,
       new_token <> :'mia_jws' AS new_token
  FROM multitenant.rotate_session(:'mia_jws') \gset rot_
SELECT :'rot_same_session' AS same_session, :'rot_parts' AS parts, :'rot_new_token' AS new_token;
\set VERBOSITY sqlstate
SELECT * FROM multitenant.validate_session(:'mia_jws');
\set VERBOSITY default
UPDATE public.sj_tokens SET token = (SELECT new_token FROM multitenant.rotate_session(:'mia_jwe')) WHERE name = 'mia-jwe';
SELECT token AS mia_jwe_old, :'mia_jwe' AS mia_jwe_before FROM public.sj_tokens WHERE name = 'mia-jwe' \gset
\set VERBOSITY sqlstate
SELECT * FROM multitenant.validate_session(:'mia_jwe_before');
\set VERBOSITY default
SELECT principal_id, kind FROM multitenant.validate_session(:'mia_jwe_old');

\c - :superuser
-- A role change makes mia's sessions in sj-a due for rotation.
SELECT role FROM multitenant.change_member_role('mia', 'admin', 'sj-a');
SELECT format, rotation_due, count(*) FROM multitenant.principal_sessions
 WHERE principal_id = 'mia' AND status = 'active' GROUP BY 1, 2 ORDER BY 1, 2;
\c - mt_sj_app
-- A read-only transaction cannot rotate: the token still works there.
BEGIN READ ONLY;
SELECT principal_id, rotated_token IS NULL AS not_rotated FROM multitenant.validate_session(:'mia_jwe_old', true);
COMMIT;
-- The next validation rotates it and hands the new token over; the old one
-- is dead from then on.
SELECT principal_id, array_length(string_to_array(rotated_token, '.'), 1) AS rotated_parts, rotated_token AS mia_jwe_new
  FROM multitenant.validate_session(:'mia_jwe_old', true) \gset
SELECT :'principal_id' AS principal_id, :'rotated_parts' AS rotated_parts;
\set VERBOSITY sqlstate
SELECT * FROM multitenant.validate_session(:'mia_jwe_old');
\set VERBOSITY default
SELECT principal_id, rotated_token IS NULL AS not_rotated_again FROM multitenant.validate_session(:'mia_jwe_new');

-- Keys: ned, a member, may not rotate or retire them; olga, an owner, may.
BEGIN;
SELECT multitenant.set_tenant('sj-a', is_local => true);
SET LOCAL multitenant.actor = 'ned';
SAVEPOINT s;
SELECT kid FROM multitenant.rotate_session_key('HS256');
ROLLBACK TO SAVEPOINT s;
SELECT kid FROM multitenant.retire_session_key(:'mia_kid');
ROLLBACK;
BEGIN;
SELECT multitenant.set_tenant('sj-a', is_local => true);
SET LOCAL multitenant.actor = 'olga';
SAVEPOINT s;
SELECT kid FROM multitenant.rotate_session_key('RS256');
ROLLBACK TO SAVEPOINT s;
SELECT kid FROM multitenant.rotate_session_key(NULL);
ROLLBACK TO SAVEPOINT s;
SELECT kid FROM multitenant.retire_session_key(NULL);
ROLLBACK TO SAVEPOINT s;
SELECT kid FROM multitenant.retire_session_key('0123456789abcdef0123456789abcdef');
ROLLBACK TO SAVEPOINT s;
-- (another tenant's key: unknown here, 42704; its kid is random)
\set VERBOSITY sqlstate
SELECT kid FROM multitenant.retire_session_key(:'b_kid');
\set VERBOSITY default
ROLLBACK TO SAVEPOINT s;
SELECT kid FROM multitenant.rotate_session_key('ES256', 'sj-b');
ROLLBACK TO SAVEPOINT s;
SELECT purpose, algorithm, status, public_jwk IS NULL AS no_public_key FROM multitenant.rotate_session_key('HS256');
INSERT INTO public.sj_tokens SELECT 'ned-hs', token FROM multitenant.create_session('ned', 'pw', format => 'jws');
COMMIT;
SELECT token AS ned_hs FROM public.sj_tokens WHERE name = 'ned-hs' \gset
SELECT public.jose_part(:'ned_hs', 1) ->> 'alg' AS alg, public.jose_part(:'ned_hs', 1) ->> 'kid' <> :'mia_kid' AS new_kid;
-- The earlier key still verifies what it made until it is retired.
SELECT principal_id FROM multitenant.validate_session(:'ned_jws');
BEGIN;
SELECT multitenant.set_tenant('sj-a', is_local => true);
SET LOCAL multitenant.actor = 'olga';
SELECT status, retired_at IS NOT NULL AS retired FROM multitenant.retire_session_key(:'mia_kid');
SELECT status FROM multitenant.retire_session_key(:'mia_kid');
COMMIT;
-- Retired: what it signed no longer validates, and it leaves the key set;
-- the session lives on, and its rotation signs with the current key.
\set VERBOSITY sqlstate
SELECT * FROM multitenant.validate_session(:'ned_jws');
\set VERBOSITY default
SELECT jsonb_array_length(multitenant.session_jwks('sj-a') -> 'keys') AS sj_a_public_keys,
       jsonb_array_length(multitenant.session_jwks('sj-b') -> 'keys') AS sj_b_public_keys;
SELECT public.jose_part(new_token, 1) ->> 'alg' AS rotated_alg FROM multitenant.rotate_session(:'ned_jws');
SELECT principal_id FROM multitenant.validate_session(:'ned_hs');

-- What the application sees of keys: its tenant's list, never material.
BEGIN;
SELECT multitenant.set_tenant('sj-a', is_local => true);
SELECT purpose, algorithm, status FROM multitenant.session_keys ORDER BY created_at;
SELECT count(*) AS other_tenant_keys FROM multitenant.session_keys WHERE instance_id = 'sj-b';
SAVEPOINT s;
SELECT count(*) FROM multitenant.encryption_keys;
ROLLBACK TO SAVEPOINT s;
SELECT multitenant.session_key_create('sj-a', 'ES256');
ROLLBACK TO SAVEPOINT s;
SELECT multitenant.session_token_issue(:'mia_kid', 'jws', '{"sub": "olga"}');
ROLLBACK TO SAVEPOINT s;
COMMIT;

\c - :superuser
-- No token, signature or key material in any event or audit image; the
-- key changes are in the tenant's audit log.
SELECT count(*) AS events_naming_a_token
  FROM multitenant.events AS e, public.sj_tokens AS t
 WHERE strpos(e.payload::text, CASE WHEN t.token LIKE '%.%' THEN split_part(t.token, '.', 3) ELSE t.token END) > 0;
SELECT count(*) AS audit_rows_naming_a_token
  FROM multitenant.audit_log AS a, public.sj_tokens AS t
 WHERE strpos(coalesce(a.before::text, '') || coalesce(a.after::text, ''), split_part(t.token, '.', 3)) > 0;
SELECT count(*) AS audit_rows_with_key_material FROM multitenant.audit_log AS a
 WHERE coalesce(a.before::text, '') || coalesce(a.after::text, '') LIKE '%"d":%'
    OR coalesce(a.before::text, '') || coalesce(a.after::text, '') LIKE '%"k":%';
SELECT action, after ->> 'algorithm' AS algorithm, after ->> 'status' AS status
  FROM multitenant.audit_log WHERE instance_id = 'sj-a' AND target_table = 'multitenant.session_keys' ORDER BY created_at, id;
-- The key material is the tenant's encryption key, encrypted.
SELECT count(*) AS stored_keys, bool_and(k.algorithm LIKE 'jwk:%') AS jwk_material
  FROM multitenant.encryption_keys AS k JOIN multitenant.session_keys AS s
    ON s.instance_id = k.instance_id AND k.id = 'session-key:' || s.kid;
-- Removing a tenant removes its session keys with its other keys.
SELECT multitenant.push('instance', 'sj-b', 'instance.removed', '{}', instance_id => 'sj-b') IS NOT NULL AS removed;
SELECT count(*) AS sj_b_session_keys FROM multitenant.session_keys WHERE instance_id = 'sj-b';

DROP TABLE public.sj_tokens;
DROP FUNCTION public.b64url(bytea), public.b64url_decode(text), public.jose_part(text, integer),
	public.hs256(jsonb, jsonb, bytea), public.flip(text, integer);
DROP EXTENSION pgcrypto;
DROP EXTENSION multitenant;
DROP ROLE mt_sj_app;
