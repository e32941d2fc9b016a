-- The copies that backends keep for the lookups (src/row_cache.c: login-name
-- policies, organisation states; src/tenant_context.c: verified tenant
-- tokens) answer exactly as the probes and the statements would: an
-- application session (a real login role, through dblink) looks up while
-- this session, the superuser, writes the kept tables directly, in every
-- way a write can come: committed, in progress, rolled back, TRUNCATE,
-- session_replication_role = replica, with the trigger disabled; under
-- READ COMMITTED and REPEATABLE READ; in the writing transaction itself.
-- Then signing-key changes and expiry against the token cache, and every
-- answer with the caches on and off.
CREATE EXTENSION dblink;
CREATE EXTENSION multitenant;
CREATE ROLE mt_cache_app LOGIN;
GRANT multitenant_app TO mt_cache_app;
SELECT format('dbname=%s host=%s port=%s', current_database(),
              current_setting('unix_socket_directories'), current_setting('port')) AS conninfo \gset

-- Two tenants with the same ids and names: alice in org o1, with a token.
INSERT INTO multitenant.orgs_projection (instance_id, id, creation_date, change_date, resource_owner, sequence, org_state, name)
SELECT t, 'o1', now(), now(), t, 1, 1, 'o1' FROM unnest(ARRAY['ca-a', 'ca-b']) AS t;
INSERT INTO multitenant.login_names_projection_policies (must_be_domain, is_default, resource_owner, instance_id)
SELECT false, true, t, t FROM unnest(ARRAY['ca-a', 'ca-b']) AS t;
INSERT INTO multitenant.users_projection (id, creation_date, sequence, state, resource_owner, instance_id, username, type)
SELECT 'u1', now(), 1, 1, 'o1', t, 'alice', 1 FROM unnest(ARRAY['ca-a', 'ca-b']) AS t;
INSERT INTO multitenant.personal_access_tokens_projection (instance_id, id, creation_date, change_date, sequence,
                                                           resource_owner, user_id, expiration, scopes, token_hash)
SELECT t, 'p1', now(), now(), 1, 'o1', 'u1', 'infinity', '{openid}', sha256(convert_to('mtp_cache_' || t, 'UTF8'))
  FROM unnest(ARRAY['ca-a', 'ca-b']) AS t;
SELECT multitenant.sign_tenant('ca-a') AS token_a \gset
SELECT multitenant.sign_tenant('ca-b') AS token_b \gset

SELECT dblink_connect('app', :'conninfo' || ' user=mt_cache_app');
-- What the application asks: alice by her bare login name in ca-a, and ca-a's token.
SELECT format('SELECT count(*) FROM multitenant.user_by_login_name(%L, %L)', 'alice', :'token_a') AS alice \gset
SELECT $$SELECT count(*) FROM multitenant.authenticate_pat('mtp_cache_ca-a')$$ AS pat \gset
PREPARE alice AS SELECT n FROM dblink('app', :'alice') AS t(n bigint);
PREPARE pat AS SELECT * FROM dblink('app', :'pat') AS t(n bigint);

-- Found, twice (the second from the copies).
EXECUTE alice;
EXECUTE alice;
-- A committed change is seen by the next statement.
UPDATE multitenant.login_names_projection_policies SET must_be_domain = true WHERE instance_id = 'ca-a';
EXECUTE alice;
-- The other tenant's policy is its own.
SELECT n FROM dblink('app', format('SELECT count(*) FROM multitenant.user_by_login_name(%L, %L)', 'alice', :'token_b')) AS t(n bigint);
UPDATE multitenant.login_names_projection_policies SET must_be_domain = false WHERE instance_id = 'ca-a';
EXECUTE alice;

-- A writer in progress: its change is not seen until it commits.
BEGIN;
UPDATE multitenant.login_names_projection_policies SET must_be_domain = true WHERE instance_id = 'ca-a';
EXECUTE alice;
EXECUTE alice;
COMMIT;
EXECUTE alice;
-- Rolled back: nothing changed.
BEGIN;
UPDATE multitenant.login_names_projection_policies SET must_be_domain = false WHERE instance_id = 'ca-a';
EXECUTE alice;
ROLLBACK;
EXECUTE alice;
EXECUTE alice;

-- REPEATABLE READ: a change committed after the snapshot is not seen, in
-- either direction, even though the copies were made before it.
SELECT dblink_exec('app', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
EXECUTE alice;
UPDATE multitenant.login_names_projection_policies SET must_be_domain = false WHERE instance_id = 'ca-a';
EXECUTE alice;
EXECUTE alice;
SELECT dblink_exec('app', 'COMMIT');
EXECUTE alice;
EXECUTE alice;
SELECT dblink_exec('app', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
EXECUTE alice;
UPDATE multitenant.login_names_projection_policies SET must_be_domain = true WHERE instance_id = 'ca-a';
EXECUTE alice;
SELECT dblink_exec('app', 'COMMIT');
EXECUTE alice;
UPDATE multitenant.login_names_projection_policies SET must_be_domain = false WHERE instance_id = 'ca-a';
EXECUTE alice;

-- The writing transaction sees its own change, and again after a
-- savepoint's rollback that did not undo it; the rollback undoes it.
BEGIN;
SELECT count(*) FROM multitenant.user_by_login_name('alice', :'token_a');
UPDATE multitenant.login_names_projection_policies SET must_be_domain = true WHERE instance_id = 'ca-a';
SELECT count(*) FROM multitenant.user_by_login_name('alice', :'token_a');
SAVEPOINT s;
UPDATE multitenant.login_names_projection_policies SET must_be_domain = false WHERE instance_id = 'ca-a';
SELECT count(*) FROM multitenant.user_by_login_name('alice', :'token_a');
ROLLBACK TO SAVEPOINT s;
SELECT count(*) FROM multitenant.user_by_login_name('alice', :'token_a');
ROLLBACK;
SELECT count(*) FROM multitenant.user_by_login_name('alice', :'token_a');
EXECUTE alice;

-- A transaction that wrote a kept table cannot be prepared: its writes would
-- stay pending after its backend forgot them.
BEGIN;
UPDATE multitenant.login_names_projection_policies SET must_be_domain = true WHERE instance_id = 'ca-a';
PREPARE TRANSACTION 'lookup_caches';
SELECT count(*) AS prepared FROM pg_prepared_xacts WHERE gid = 'lookup_caches';
EXECUTE alice;

-- An org policy of o1 overrides the instance default, and its removal
-- brings the default back.
INSERT INTO multitenant.login_names_projection_policies (must_be_domain, is_default, resource_owner, instance_id)
VALUES (true, false, 'o1', 'ca-a');
EXECUTE alice;
DELETE FROM multitenant.login_names_projection_policies WHERE instance_id = 'ca-a' AND resource_owner = 'o1';
EXECUTE alice;

-- TRUNCATE, and a replica-mode writer (the trigger fires ALWAYS).
UPDATE multitenant.login_names_projection_policies SET must_be_domain = true WHERE instance_id = 'ca-a';
EXECUTE alice;
TRUNCATE multitenant.login_names_projection_policies;
EXECUTE alice;
SET session_replication_role = replica;
INSERT INTO multitenant.login_names_projection_policies (must_be_domain, is_default, resource_owner, instance_id)
SELECT true, true, t, t FROM unnest(ARRAY['ca-a', 'ca-b']) AS t;
RESET session_replication_role;
EXECUTE alice;
-- With the trigger disabled the copies are not used: a change it does not
-- report is seen all the same.  (Likewise with the row trigger disabled.)
ALTER TABLE multitenant.login_names_projection_policies DISABLE TRIGGER lookup_rows_changed_row;
UPDATE multitenant.login_names_projection_policies SET must_be_domain = false WHERE instance_id = 'ca-a';
EXECUTE alice;
UPDATE multitenant.login_names_projection_policies SET must_be_domain = true WHERE instance_id = 'ca-a';
EXECUTE alice;
ALTER TABLE multitenant.login_names_projection_policies ENABLE ALWAYS TRIGGER lookup_rows_changed_row;
ALTER TABLE multitenant.login_names_projection_policies DISABLE TRIGGER lookup_rows_changed;
UPDATE multitenant.login_names_projection_policies SET must_be_domain = false WHERE instance_id = 'ca-a';
EXECUTE alice;
UPDATE multitenant.login_names_projection_policies SET must_be_domain = true WHERE instance_id = 'ca-a';
EXECUTE alice;
ALTER TABLE multitenant.login_names_projection_policies ENABLE ALWAYS TRIGGER lookup_rows_changed;
UPDATE multitenant.login_names_projection_policies SET must_be_domain = false WHERE instance_id = 'ca-a';
EXECUTE alice;
-- A snapshot older than the trigger's enabling may miss a write made
-- without it: such a snapshot neither uses nor fills copies, so that the
-- next statement sees the write.
-- (The application's snapshot is taken before the write, by a statement
-- that does not lock the table, so that its lookup after the enabling
-- reads the enabled trigger.)
ALTER TABLE multitenant.login_names_projection_policies DISABLE TRIGGER lookup_rows_changed;
SELECT dblink_exec('app', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
SELECT * FROM dblink('app', 'SELECT 1') AS t(one integer);
UPDATE multitenant.login_names_projection_policies SET must_be_domain = true WHERE instance_id = 'ca-a';
ALTER TABLE multitenant.login_names_projection_policies ENABLE ALWAYS TRIGGER lookup_rows_changed;
EXECUTE alice;
EXECUTE alice;
SELECT dblink_exec('app', 'COMMIT');
EXECUTE alice;
UPDATE multitenant.login_names_projection_policies SET must_be_domain = false WHERE instance_id = 'ca-a';
EXECUTE alice;

-- Organisation states, for authenticate_pat: deactivated, then active again,
-- in progress and REPEATABLE READ.
EXECUTE pat;
EXECUTE pat;
UPDATE multitenant.orgs_projection SET org_state = 2 WHERE instance_id = 'ca-a';
SELECT n FROM dblink('app', :'pat', false) AS t(n bigint);
SELECT dblink_error_message('app') <> 'OK' AS refused;
BEGIN;
UPDATE multitenant.orgs_projection SET org_state = 1 WHERE instance_id = 'ca-a';
SELECT n FROM dblink('app', :'pat', false) AS t(n bigint);
COMMIT;
EXECUTE pat;
SELECT dblink_exec('app', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
EXECUTE pat;
UPDATE multitenant.orgs_projection SET org_state = 2 WHERE instance_id = 'ca-a';
EXECUTE pat;
SELECT dblink_exec('app', 'COMMIT');
SELECT n FROM dblink('app', :'pat', false) AS t(n bigint);
UPDATE multitenant.orgs_projection SET org_state = 1 WHERE instance_id = 'ca-a';
EXECUTE pat;
-- The other tenant's organisation is its own.
UPDATE multitenant.orgs_projection SET org_state = 2 WHERE instance_id = 'ca-b';
EXECUTE pat;
UPDATE multitenant.orgs_projection SET org_state = 1 WHERE instance_id = 'ca-b';

-- Tenants' and realms' states, for validate_session: a session of mia in
-- cs-a, validated by the application while this session writes the
-- registry's and the realm's rows directly (set_tenant_status would revoke
-- the session itself), under READ COMMITTED and REPEATABLE READ.
\o /dev/null
SELECT multitenant.create_tenant('cs-a', 'Cs A');
SELECT multitenant.create_principal('user', 'mia@example.com', 'Mia', id => 'mia');
SELECT multitenant.add_member('mia', 'member', 'cs-a');
SELECT multitenant.push('tenant', 'cs-a', 'tenant.realm.added', '{"realmId": "pw", "name": "staff", "type": "username_password"}', instance_id => 'cs-a');
\o
SELECT dblink_exec('app', 'BEGIN');
SELECT * FROM dblink('app', $$SELECT 'entered' FROM multitenant.set_tenant('cs-a', is_local => true)$$) AS t(r text);
SELECT token AS mia_token FROM dblink('app', $$SELECT token FROM multitenant.create_session('mia', 'pw')$$) AS t(token text) \gset
SELECT dblink_exec('app', 'COMMIT');
SELECT format('SELECT count(*) FROM multitenant.validate_session(%L)', :'mia_token') AS mia \gset
PREPARE mia AS SELECT n FROM dblink('app', :'mia', false) AS t(n bigint);
EXECUTE mia;
EXECUTE mia;
UPDATE multitenant.tenants SET status = 'suspended' WHERE id = 'cs-a';
EXECUTE mia;
UPDATE multitenant.tenants SET status = 'active' WHERE id = 'cs-a';
EXECUTE mia;
UPDATE multitenant.tenant_realms SET enabled = false WHERE instance_id = 'cs-a' AND id = 'pw';
EXECUTE mia;
UPDATE multitenant.tenant_realms SET enabled = true WHERE instance_id = 'cs-a' AND id = 'pw';
EXECUTE mia;
SELECT dblink_exec('app', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
EXECUTE mia;
UPDATE multitenant.tenants SET status = 'suspended' WHERE id = 'cs-a';
EXECUTE mia;
SELECT dblink_exec('app', 'COMMIT');
EXECUTE mia;
BEGIN;
UPDATE multitenant.tenants SET status = 'active' WHERE id = 'cs-a';
EXECUTE mia;
COMMIT;
EXECUTE mia;

-- The trigger is a BEFORE trigger only.
SELECT multitenant.lookup_rows_changed();
CREATE TABLE public.cache_other (x integer);
CREATE TRIGGER wrong AFTER INSERT ON public.cache_other FOR EACH ROW EXECUTE FUNCTION multitenant.lookup_rows_changed();
INSERT INTO public.cache_other VALUES (1);
DROP TABLE public.cache_other;

-- Tenant tokens: a verified token stops verifying when the signing key
-- changes, and again verifies when it comes back; a kept token expires.
SELECT count(*) FROM multitenant.user_by_login_name('alice', :'token_a');
SET multitenant.signing_key = 'another key of at least thirty-two characters';
SELECT count(*) FROM multitenant.user_by_login_name('alice', :'token_a');
SELECT count(*) FROM multitenant.user_by_login_name('alice', multitenant.sign_tenant('ca-a'));
RESET multitenant.signing_key;
SELECT count(*) FROM multitenant.user_by_login_name('alice', :'token_a');
SELECT multitenant.sign_tenant('ca-a', '2 seconds') AS short_token \gset
SELECT format('SELECT count(*) FROM multitenant.user_by_login_name(%L, %L)', 'alice', :'short_token') AS short \gset
SELECT count(*) FROM multitenant.user_by_login_name('alice', :'short_token');
SELECT n FROM dblink('app', :'short') AS t(n bigint);
SELECT pg_sleep(2.5);
SELECT count(*) FROM multitenant.user_by_login_name('alice', :'short_token');
SELECT n FROM dblink('app', :'short', false) AS t(n bigint);
SELECT dblink_error_message('app') LIKE '%invalid or expired tenant token%' AS expired_in_app;

-- Every answer the same with the caches off: each policy state for every
-- name form, both tenants, each org state.
CREATE TEMP TABLE answers (caches boolean, k integer, tenant text, login text, who text, pat text);
CREATE FUNCTION pg_temp.pat_of(t text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN (SELECT string_agg(p.instance_id || '/' || p.user_id, ',')
	          FROM multitenant.authenticate_pat('mtp_cache_' || t) AS p);
EXCEPTION WHEN invalid_authorization_specification THEN
	RETURN 'refused';
END
$$;
-- Each state committed on its own, so that the lookups after it may use copies.
CREATE PROCEDURE pg_temp.answer_all(caches boolean) LANGUAGE plpgsql AS $$
DECLARE
	k integer;
	t text;
	login text;
BEGIN
	PERFORM set_config('multitenant.row_cache', caches::text, false);
	PERFORM set_config('multitenant.token_cache', caches::text, false);
	FOR k IN 0..5 LOOP
		UPDATE multitenant.login_names_projection_policies SET must_be_domain = (k % 2 = 1);
		DELETE FROM multitenant.login_names_projection_policies WHERE is_default = false;
		IF k >= 2 THEN
			INSERT INTO multitenant.login_names_projection_policies (must_be_domain, is_default, resource_owner, instance_id)
			VALUES (k < 4, false, 'o1', 'ca-a');
		END IF;
		UPDATE multitenant.orgs_projection SET org_state = CASE WHEN k = 5 THEN 2 ELSE 1 END WHERE instance_id = 'ca-a';
		COMMIT;
		FOREACH t IN ARRAY ARRAY['ca-a', 'ca-b'] LOOP
			FOREACH login IN ARRAY ARRAY['alice', 'ALICE', 'alice@o1.example', 'nobody'] LOOP
				INSERT INTO answers
				SELECT caches, k, t, login,
				       (SELECT string_agg(u.instance_id || '/' || u.id, ',')
				          FROM multitenant.user_by_login_name(login, multitenant.sign_tenant(t)) AS u),
				       pg_temp.pat_of(t);
				COMMIT;
			END LOOP;
		END LOOP;
	END LOOP;
	PERFORM set_config('multitenant.row_cache', 'on', false);
	PERFORM set_config('multitenant.token_cache', 'on', false);
END
$$;
INSERT INTO multitenant.login_names_projection_domains (instance_id, resource_owner, name, is_primary)
VALUES ('ca-a', 'o1', 'o1.example', true);
CALL pg_temp.answer_all(true);
CALL pg_temp.answer_all(false);
SELECT count(*) AS answers, count(DISTINCT (k, tenant, login, who, pat)) AS distinct_answers FROM answers;
SELECT k, tenant, login, who, pat FROM answers WHERE caches ORDER BY 1, 2, 3;

SELECT dblink_disconnect('app');
DROP EXTENSION multitenant CASCADE;
DROP ROLE mt_cache_app;
DROP EXTENSION dblink;
