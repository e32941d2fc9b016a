-- bench/probe_memory_setup.sql: the data of bench/probe_memory.sh, run as the
-- bootstrap superuser in a fresh database: three tenants pm-0 .. pm-2 with the
-- same user ids and names (u<j>, user<j>, j < 100); in pm-1 one personal access
-- token per user ('mtp_pm_<j>') and one opaque session per member principal
-- (probe_memory.token(j)), fresh enough that validation writes nothing.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS multitenant;
CREATE SCHEMA probe_memory;

CREATE FUNCTION probe_memory.token(j integer) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT 'mts_' || rpad(md5('pm/' || j), 43, 'Q') $$;

INSERT INTO multitenant.tenants (instance_id, id, name, created_at, changed_at)
SELECT t, t, t, now(), now() FROM unnest(ARRAY['pm-0', 'pm-1', 'pm-2']) AS t;
INSERT INTO multitenant.orgs_projection (instance_id, id, creation_date, change_date, resource_owner, sequence, org_state, name)
SELECT t, 'o1', now(), now(), t, 1, 1, 'o1' FROM unnest(ARRAY['pm-0', 'pm-1', 'pm-2']) AS t;
INSERT INTO multitenant.login_names_projection_policies (must_be_domain, is_default, resource_owner, instance_id)
SELECT false, true, t, t FROM unnest(ARRAY['pm-0', 'pm-1', 'pm-2']) AS t;
INSERT INTO multitenant.users_projection (id, creation_date, sequence, state, resource_owner, instance_id, username, type)
SELECT 'u' || j, now(), 1, 1, 'o1', t, 'user' || j, 1
  FROM unnest(ARRAY['pm-0', 'pm-1', 'pm-2']) AS t, generate_series(0, 99) AS j;
INSERT INTO multitenant.personal_access_tokens_projection (instance_id, id, creation_date, change_date, sequence,
                                                           resource_owner, user_id, expiration, scopes, token_hash)
SELECT 'pm-1', 'p' || j, now(), now(), 1, 'o1', 'u' || j, 'infinity', '{openid}',
       sha256(convert_to('mtp_pm_' || j, 'UTF8'))
  FROM generate_series(0, 99) AS j;

INSERT INTO multitenant.principals (id, kind, email, user_type, created_at, changed_at)
SELECT 'pmp-' || j, 'user', 'pmp-' || j || '@example.com', 'regular', now(), now() FROM generate_series(0, 99) AS j;
INSERT INTO multitenant.memberships (instance_id, principal_id, role, created_at, changed_at)
SELECT 'pm-1', 'pmp-' || j, 'member', now(), now() FROM generate_series(0, 99) AS j;
INSERT INTO multitenant.tenant_realms (instance_id, id, name, type, created_at, changed_at)
VALUES ('pm-1', 'pw', 'pw', 'username_password', now(), now());
INSERT INTO multitenant.principal_sessions (instance_id, id, principal_id, realm_id, kind, format, token_hash,
                                            idle_timeout, expires_at, last_seen_at, created_at, changed_at)
SELECT 'pm-1', 's' || j, 'pmp-' || j, 'pw', 'browser', 'opaque', sha256(convert_to(probe_memory.token(j), 'UTF8')),
       '1 day', now() + interval '2 days', now(), now(), now()
  FROM generate_series(0, 99) AS j;
VACUUM ANALYZE;
