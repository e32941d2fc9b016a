-- Install-time safety and catalog audits: a planted schema, functions'
-- search_path and rights, what the application role owns and may write.
BEGIN;
-- On an upgraded database (make test runs the suite there too) start from a
-- clean slate; the upgrade tests compare that catalog with this one.
DROP EXTENSION IF EXISTS multitenant CASCADE;
DROP SCHEMA IF EXISTS multitenant;
SELECT plan(12);

-- A schema planted beforehand by an untrusted role is refused, and nothing is installed.
CREATE ROLE mt_planter NOLOGIN;
CREATE SCHEMA multitenant AUTHORIZATION mt_planter;
SELECT throws_ok($$CREATE EXTENSION multitenant$$, '42501',
                 'schema "multitenant" is owned by a role that is neither a superuser nor the installing role',
                 'CREATE EXTENSION refuses a schema an untrusted role owns');
SELECT is((SELECT count(*)::int FROM pg_extension WHERE extname = 'multitenant'), 0, 'and installs nothing');
DROP SCHEMA multitenant;

CREATE EXTENSION multitenant;
SELECT is((SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'multitenant'), current_user::text,
          'the schema belongs to the installing superuser');

-- Functions: nothing leakproof, every function with settings pins search_path, definer rights only for the
-- lifecycle and realm functions applications call (they push the events push takes from administrators only, and
-- authorize the acting principal themselves), each pinning search_path.
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = 'multitenant' AND p.proleakproof$$, 'no function of the extension is LEAKPROOF');
SELECT set_eq($$SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = 'multitenant' AND p.prosecdef
                   AND 'search_path=pg_catalog, pg_temp' = ANY (p.proconfig)$$,
              ARRAY['actor_is_tenant_admin', 'add_member', 'change_member_role', 'create_custom_role', 'create_principal',
                    'drop_custom_role', 'grant_custom_role', 'reactivate_member', 'register_tenant', 'remove_member',
                    'revoke_custom_role', 'set_principal_status', 'suspend_member', 'update_principal', 'verify_principal',
                    'request_join', 'approve_join_request', 'reject_join_request', 'expire_join_requests', 'invite',
                    'accept_invitation', 'revoke_invitation', 'create_session', 'rotate_session', 'revoke_session',
                    'rotate_session_key', 'retire_session_key', 'session_jwks',
                    'create_realm', 'update_realm', 'set_realm_enabled', 'distribute'],
              'definer rights only for the lifecycle functions and distribute, each with a pinned search_path');
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = 'multitenant' AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
                     AND NOT EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')$$,
                'every PL/pgSQL function pins search_path');
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = 'multitenant' AND p.proname IN ('register_reducer', 'unregister_reducer', 'rebuild', 'read_events')
                     AND NOT EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c = 'search_path=pg_catalog, multitenant, pg_temp')$$,
                'functions that run registry SQL pin search_path');
-- push and push_many enter the extension's own search_path in C instead
-- (015_search_path runs them under hostile search_paths).
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = 'multitenant' AND p.proname IN ('push', 'push_many') AND p.proconfig IS NOT NULL$$,
                'push and push_many carry no settings of their own');

-- The application role owns nothing and cannot write the registry or the event store.
SELECT ok(NOT has_table_privilege('multitenant_app', 'multitenant.reducers', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE'),
          'the app role has no access to the reducer registry');
SELECT ok(NOT has_sequence_privilege('multitenant_app', 'multitenant.events_position_seq', 'USAGE, SELECT, UPDATE'),
          'the app role cannot read or advance the position sequence');
SELECT is_empty($$SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'multitenant' AND pg_has_role('multitenant_app', c.relowner, 'MEMBER')$$,
                'the app role owns no relation of the extension');

SELECT is_empty($$SELECT t.tgrelid::regclass::text || ' ' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                   WHERE c.relnamespace = 'multitenant'::regnamespace AND t.tgenabled = 'D'$$,
                'no trigger of the extension is left disabled (the upgrade turns foreign key checks off during its replay)');

SELECT * FROM finish();
ROLLBACK;
