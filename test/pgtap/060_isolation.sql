-- Cross-tenant isolation on every tenant table of the extension, checked as a
-- non-superuser role granted multitenant_app: two tenants hold rows with the
-- same ids; reads, foreign writes, moving rows, plan caching.  The catalog
-- part audits what every tenant table must have: row-level security enabled
-- and forced, the three policies, a non-empty instance_id, keys and indexes
-- led by instance_id, the pg_dump mark and the application role's privileges.
--
-- Applications read every tenant table in their tenant except the ones listed
-- in app_reads below (encryption_keys: its rows hold key material, encrypted
-- though it is, and only multitenant_admin may select them).  For those the
-- app role must have no privilege at all, and the reads under row-level
-- security are checked as the writer role, which is granted SELECT here.  The
-- tables with a tenant_admins_only policy (the audit log) show their rows to
-- the tenant's owners and admins only: the reads run with the acting
-- principal an owner of the tenant (ann of upg-a, ben of upg-b in the
-- stream).
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

CREATE ROLE mt_i_app NOLOGIN;
GRANT multitenant_app TO mt_i_app;
CREATE ROLE mt_i_writer NOLOGIN;
GRANT multitenant_app TO mt_i_writer;

CREATE TEMP TABLE tenant_tables AS
SELECT c.oid::regclass AS tbl, c.relname::text AS name,
       c.relname <> ALL (ARRAY['encryption_keys']) AS app_reads
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'multitenant' AND c.relkind IN ('r', 'p')
   AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'instance_id' AND NOT a.attisdropped)
   -- platform-wide: every row is the system tenant's, shown by policies of its own (125_lifecycle)
   AND c.relname <> 'principals';
GRANT SELECT ON tenant_tables TO PUBLIC;

SELECT plan((SELECT 15 * count(*)::int + 7 FROM tenant_tables));

SELECT is((SELECT count(*)::int FROM tenant_tables), 68, 'the events table, 56 projection tables, encryption_keys, the tenants registry, the audit log, memberships, custom roles, join requests, invitations, realms, principal sessions and session keys are tenant tables');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'multitenant' AND c.relkind IN ('r', 'p') AND c.oid NOT IN (SELECT tbl FROM tenant_tables)),
          ARRAY['event_types', 'principals', 'reducers'], 'the only non-tenant tables are the registries of reducers and declared event types, and the platform-wide principals');
SELECT is_empty($$SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'multitenant' AND c.relkind = 'v'
                     AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)$$,
                'every view of the extension is security_invoker');
SELECT set_eq($$SELECT tablename::text, permissive::text, roles::text[], cmd::text FROM pg_policies
                 WHERE schemaname = 'multitenant' AND policyname = 'tenant_admins_only'$$,
              $$VALUES ('audit_log', 'RESTRICTIVE', ARRAY['multitenant_app'], 'SELECT')$$,
              'the audit log shows an application its tenant''s entries only when the actor is an owner or admin');

-- Every projection gets rows in two tenants: the upgrade test's stream (three
-- tenants, every reducer), plus the same ids in both tenants.
\ir ../upgrade/stream_base.sql
\ir ../upgrade/stream_identity.sql
\ir ../upgrade/stream_access.sql
\ir ../upgrade/stream_idps.sql
\ir ../upgrade/stream_auth.sql
\ir ../upgrade/stream_tenants.sql
-- A master key of this transaction's own, for the encryption keys.
SELECT set_config('multitenant.master_key', repeat('5a', 32), true);
DO $gen$
DECLARE
	tenant text;
BEGIN
	FOREACH tenant IN ARRAY ARRAY['upg-a', 'upg-b'] LOOP
		PERFORM multitenant.push('org', 'org-1', 'org.added', jsonb_build_object('name', 'Org of ' || tenant), instance_id => tenant);
		PERFORM multitenant.push('project', 'proj-1', 'project.added', '{"name": "P"}', resource_owner => 'org-1', instance_id => tenant);
		PERFORM multitenant.push('project', 'proj-1', 'project.application.added', '{"appId": "app-1", "name": "A"}', instance_id => tenant);
		PERFORM multitenant.push('project', 'proj-1', 'project.application.added', '{"appId": "app-2", "name": "B"}', instance_id => tenant);
		PERFORM multitenant.push('project', 'proj-1', 'project.application.added', '{"appId": "app-3", "name": "C"}', instance_id => tenant);
		PERFORM multitenant.push('project', 'proj-1', 'project.application.config.api.added',
			'{"appId": "app-1", "clientId": "c1", "hashedSecret": "h", "authMethodType": 0}', instance_id => tenant);
		PERFORM multitenant.push('project', 'proj-1', 'project.application.config.oidc.added',
			'{"appId": "app-2", "clientId": "c2", "redirectUris": ["https://x"], "responseTypes": [0], "grantTypes": [0]}', instance_id => tenant);
		PERFORM multitenant.push('project', 'proj-1', 'project.application.config.saml.added',
			'{"appId": "app-3", "entityId": "https://e", "metadata": "PHgvPg=="}', instance_id => tenant);
		PERFORM multitenant.push('user', 'user-1', 'user.human.added',
			'{"userName": "same", "firstName": "S", "lastName": "Ame", "email": "same@example.com"}', resource_owner => 'org-1', instance_id => tenant);
		PERFORM multitenant.push('user', 'user-1', 'user.metadata.set', '{"key": "k", "value": "dg=="}', instance_id => tenant);
		PERFORM multitenant.push('org', 'org-1', 'org.policy.lockout.added', '{"maxPasswordAttempts": 3}', instance_id => tenant);
		PERFORM multitenant.push('user', 'user-1', 'user.human.mfa.otp.sms.added', NULL, instance_id => tenant);
		-- Token hashes are unique across tenants: each tenant hashes its own token.
		PERFORM multitenant.push('user', 'user-1', 'user.pat.added',
			jsonb_build_object('tokenId', 'pat-1', 'tokenHash', encode(sha256(convert_to(tenant || ':pat-1', 'UTF8')), 'hex')), instance_id => tenant);
		PERFORM multitenant.push('user', 'user-1', 'user.human.password.check.failed', NULL, instance_id => tenant);
		PERFORM multitenant.add_key('key-1', convert_to('key of ' || tenant, 'UTF8'), instance_id => tenant);
		PERFORM multitenant.session_key_create(tenant, 'ES256');
		-- A purge writes an entry into the tenant's audit log.
		PERFORM multitenant.purge_audit_log('1 day', tenant);
	END LOOP;
END
$gen$;
-- No event writes quota periods (Zitadel counts usage outside the event store).
INSERT INTO multitenant.quotas_projection_periods (instance_id, resource_owner, unit, start, usage)
SELECT instance_id, instance_id, unit, '2024-01-01', 1 FROM multitenant.quotas_projection WHERE instance_id IN ('upg-a', 'upg-b');

CREATE TEMP TABLE counts_before (tbl regclass, tenant text, n bigint);
SELECT format('INSERT INTO counts_before SELECT %L, instance_id, count(*) FROM %s WHERE instance_id IN (''upg-a'', ''upg-b'') GROUP BY instance_id', tbl, tbl)
  FROM tenant_tables
\gexec
GRANT SELECT ON counts_before TO PUBLIC;

SELECT is((SELECT count(*)::int FROM tenant_tables t WHERE NOT EXISTS (SELECT FROM counts_before c WHERE c.tbl = t.tbl AND c.tenant = 'upg-a')
                                                          OR NOT EXISTS (SELECT FROM counts_before c WHERE c.tbl = t.tbl AND c.tenant = 'upg-b')),
          0, 'every tenant table has rows in both tenants');

-- Writers get write privileges (and SELECT, which matters for the tables the
-- app role may not read) here to show that row-level security, not only the
-- missing grants, keeps tenants apart.
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO mt_i_writer', tbl) FROM tenant_tables
\gexec

-- Step 5 exempts six indexes that cannot be led by instance_id: the events'
-- global position (catch-up readers read across tenants), the hash of a
-- personal access token and of an invitation token (authenticate_pat and
-- accept_invitation must find the token before any tenant is known), an
-- instance's domain (instance_by_domain maps a host to its tenant, and a
-- domain must name one tenant only), a tenant's external group (which must
-- name one tenant only), and a principal's memberships (the tenants of one
-- principal, across tenants), and a session key's kid (a JWS or JWE names its
-- key by kid before its tenant is known, and a kid must name one key only).  Join requests and invitations have a
-- restrictive policy more (only the tenant's owners and admins, and a
-- request's maker, see them): the application reads them as an owner.
SELECT stmt FROM tenant_tables,
-- Writable columns only: a generated column refuses any value (428C9) before
-- row-level security would have its say.
LATERAL (SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS cols,
                string_agg('r.' || quote_ident(attname), ', ' ORDER BY attnum) AS rcols
           FROM pg_attribute WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped AND attgenerated = '') AS writable,
LATERAL (VALUES
  (1, format($$SELECT ok((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = %L::regclass), '%s: row-level security enabled and forced')$$, tbl, name)),
  (2, format($$SELECT set_eq($q$SELECT policyname::text, permissive::text, roles::text[], cmd::text FROM pg_policies WHERE schemaname = 'multitenant' AND tablename = %L AND policyname <> 'tenant_admins_only'$q$,
       $q$VALUES ('tenant_isolation', 'PERMISSIVE', ARRAY['public'], 'ALL'), ('tenant_admin', 'PERMISSIVE', ARRAY['multitenant_admin'], 'ALL'), ('tenant_guard', 'RESTRICTIVE', ARRAY['multitenant_app'], 'ALL')%s$q$,
       '%s: the isolation, admin and restrictive guard policies')$$, name,
       -- what the application sees of these inside its tenant depends on the acting principal too
       CASE WHEN name IN ('join_requests', 'invitations', 'principal_sessions') THEN format($v$, ('%s_visibility', 'RESTRICTIVE', ARRAY['multitenant_app'], 'SELECT')$v$, name) ELSE '' END,
       name)),
  (3, format($$SELECT ok(EXISTS (SELECT FROM pg_constraint WHERE conrelid = %L::regclass AND contype = 'c' AND pg_get_constraintdef(oid) ~ 'instance_id <> ..::text'), '%s: CHECK on a non-empty instance_id')$$, tbl, name)),
  (4, format($$SELECT is((SELECT a.attname::text FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] WHERE c.conrelid = %L::regclass AND c.contype = 'p'), 'instance_id', '%s: primary key led by instance_id')$$, tbl, name)),
  (5, format($$SELECT is((SELECT count(*)::int FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = %L::regclass AND a.attname <> 'instance_id' AND i.indexrelid::regclass::text NOT IN ('multitenant.events_position_idx', 'multitenant.personal_access_tokens_projection_token_hash_key', 'multitenant.instance_domains_projection_domain_lower_key', 'multitenant.tenants_external_group_id_key', 'multitenant.memberships_principal_id_idx', 'multitenant.invitations_token_hash_key', 'multitenant.principal_sessions_token_hash_key', 'multitenant.principal_sessions_principal_id_idx', 'multitenant.session_keys_kid_key')), 0, '%s: every index led by instance_id')$$, tbl, name)),
  (6, format($$SELECT ok(%L::regclass::oid = ANY ((SELECT extconfig FROM pg_extension WHERE extname = 'multitenant')::oid[]), '%s: marked for pg_dump')$$, tbl, name)),
  (7, CASE WHEN app_reads
        THEN format($$SELECT ok(has_any_column_privilege('mt_i_app', %L, 'SELECT') AND NOT has_table_privilege('mt_i_app', %L, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'), '%s: the app role may only read')$$, tbl, tbl, name)
        ELSE format($$SELECT ok(NOT has_table_privilege('mt_i_app', %L, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'), '%s: the app role has no privilege on it')$$, tbl, name) END),
  (8, 'SELECT multitenant.reset_tenant()'),
  (9, 'SET LOCAL ROLE mt_i_app'),
  (10, CASE WHEN app_reads
         THEN format($$SELECT is((SELECT count(*)::int FROM %s), 0, '%s: no tenant, no rows')$$, tbl, name)
         ELSE format($$SELECT throws_ok($q$SELECT count(*) FROM %s$q$, '42501', NULL, '%s: the app role cannot read it')$$, tbl, name) END),
  (11, $$RESET ROLE; SELECT multitenant.set_tenant('upg-a'); SELECT set_config('multitenant.actor', 'p-ann', true); SET LOCAL ROLE mt_i_app$$),
  (12, CASE WHEN app_reads
         THEN format($$SELECT ok((SELECT count(*) > 0 AND bool_and(instance_id = 'upg-a') FROM %s), '%s: tenant a sees its rows only')$$, tbl, name)
         ELSE format($$SELECT throws_ok($q$SELECT count(*) FROM %s$q$, '42501', NULL, '%s: the app role cannot read it in its own tenant either')$$, tbl, name) END),
  (13, format($$SELECT throws_ok($q$INSERT INTO %s (%s) SELECT %s FROM %s t, jsonb_populate_record(NULL::%s, to_jsonb(t) || '{"instance_id": "upg-a"}') AS r LIMIT 1$q$, '42501', NULL, '%s: the app role cannot write')$$, tbl, cols, rcols, tbl, tbl, name)),
  (14, 'RESET ROLE'),
  (15, 'SET LOCAL ROLE mt_i_writer'),
  (16, format($$SELECT throws_ok($q$INSERT INTO %s (%s) SELECT %s FROM %s t, jsonb_populate_record(NULL::%s, to_jsonb(t) || '{"instance_id": "upg-b"}') AS r LIMIT 1$q$, '42501', NULL, '%s: inserting a row of another tenant is refused')$$, tbl, cols, rcols, tbl, tbl, name)),
  (17, format($$SELECT throws_ok($q$UPDATE %s SET instance_id = 'upg-b'$q$, '42501', NULL, '%s: moving rows to another tenant is refused')$$, tbl, name)),
  (18, format($$SELECT is_empty($q$DELETE FROM %s WHERE instance_id = 'upg-b' RETURNING 1$q$, '%s: another tenant''s rows cannot be deleted')$$, tbl, name)),
  (19, $$RESET ROLE; SELECT multitenant.set_tenant('upg-b'); SELECT set_config('multitenant.actor', 'p-ben', true); SET LOCAL ROLE mt_i_writer$$),
  (20, format($$SELECT ok((SELECT count(*) > 0 AND bool_and(instance_id = 'upg-b') FROM %s), '%s: tenant b sees its rows only')$$, tbl, name)),
  (21, 'RESET ROLE'),
  (22, 'SELECT multitenant.reset_tenant()'),
  (23, format($$SELECT set_eq($q$SELECT instance_id, count(*) FROM %s WHERE instance_id IN ('upg-a', 'upg-b') GROUP BY 1$q$, $q$SELECT tenant, n FROM counts_before WHERE tbl = %L::regclass$q$, '%s: both tenants'' rows untouched')$$, tbl, tbl, name))
) AS s(step, stmt)
ORDER BY name, step
\gexec

-- Prepared statements keep honouring tenant switches, also as generic plans.
SET LOCAL ROLE mt_i_app;
SET LOCAL plan_cache_mode = force_generic_plan;
SELECT multitenant.set_tenant('upg-a');
PREPARE org_names AS SELECT name FROM multitenant.orgs_projection WHERE id = 'org-1';
SELECT results_eq('EXECUTE org_names', $$VALUES ('Org of upg-a')$$, 'prepared statement under tenant a');
RESET ROLE;
SELECT multitenant.set_tenant('upg-b');
SET LOCAL ROLE mt_i_app;
SELECT results_eq('EXECUTE org_names', $$VALUES ('Org of upg-b')$$, 'the same generic plan after switching to tenant b');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
