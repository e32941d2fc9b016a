-- The declared-event-types guard, aggregate_version, and who may call what.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;
SELECT plan(28);

CREATE ROLE mt_et_app NOLOGIN;
GRANT multitenant_app TO mt_et_app;
CREATE ROLE mt_et_admin NOLOGIN;
GRANT multitenant_admin TO mt_et_admin;

------------------------------------------------------------------------------
-- The guard: off by default, on for a superuser setting.
------------------------------------------------------------------------------
SELECT is(current_setting('multitenant.require_declared_event_types'), 'off', 'the guard is off by default');
SELECT lives_ok($$SELECT multitenant.push('thing', 't1', 'thing.frobbed', instance_id => 'et-a')$$,
                'with the guard off, a type nobody knows is stored');
SET LOCAL multitenant.require_declared_event_types = on;
SELECT throws_ok($$SELECT multitenant.push('thing', 't1', 'thing.frobed', instance_id => 'et-a')$$, '42704',
                 'event type "thing.frobed" is not declared', 'with the guard on, an undeclared type is refused');
SELECT throws_ok($$SELECT multitenant.push_many('[{"aggregate_type": "thing", "aggregate_id": "t2", "event_type": "org.added", "payload": {"name": "x"}, "instance_id": "et-a"},
                                                  {"aggregate_type": "thing", "aggregate_id": "t2", "event_type": "thing.frobed", "instance_id": "et-a"}]')$$,
                 '42704', 'event type "thing.frobed" is not declared', 'and refuses a batch holding one');
SELECT is((SELECT count(*)::int FROM multitenant.events WHERE aggregate_id IN ('t2') OR event_type = 'thing.frobed'), 0,
          'a refused push stores nothing, not even the batch''s valid events');
SELECT lives_ok($$SELECT multitenant.push('org', 'o1', 'org.added', '{"name": "A"}', instance_id => 'et-a')$$,
                'a built-in type (it has reducers) counts as declared');
SELECT lives_ok($$SELECT multitenant.declare_event_type('thing.frobbed')$$, 'declare_event_type declares a type');
SELECT lives_ok($$SELECT multitenant.declare_event_type('thing.frobbed')$$, 'declaring it again is no error');
SELECT lives_ok($$SELECT multitenant.push('thing', 't1', 'thing.frobbed', instance_id => 'et-a')$$, 'a declared type is stored');
SELECT is((SELECT declared_by::text FROM multitenant.event_types WHERE event_type = 'thing.frobbed'), current_user::text,
          'the declaration records who made it');
-- A backend that knew the type learns that its declaration is gone.
DELETE FROM multitenant.event_types WHERE event_type = 'thing.frobbed';
SELECT throws_ok($$SELECT multitenant.push('thing', 't1', 'thing.frobbed', instance_id => 'et-a')$$, '42704', NULL,
                 'a removed declaration no longer lets the type through');
SET LOCAL ROLE mt_et_admin;
SELECT lives_ok($$SELECT multitenant.declare_event_type('thing.frobbed')$$, 'multitenant_admin may declare types');
SELECT throws_ok($$SELECT multitenant.declare_event_type(NULL)$$, '22004', 'event_type must not be null', 'NULL refused');
SELECT throws_ok($$SELECT multitenant.declare_event_type('')$$, '22023', 'event_type must not be empty', 'empty refused');
SELECT throws_ok($$SELECT multitenant.declare_event_type(repeat('x', 201))$$, '22001', NULL, 'oversized refused');
RESET ROLE;
SET LOCAL ROLE mt_et_app;
SELECT throws_ok($$SELECT multitenant.declare_event_type('thing.zapped')$$, '42501', NULL,
                 'an application role may not declare types');
SELECT throws_ok($$SET multitenant.require_declared_event_types = off$$, '42501', NULL,
                 'nor turn the guard off');
RESET ROLE;
SET LOCAL multitenant.require_declared_event_types = off;

------------------------------------------------------------------------------
-- aggregate_version: the sequence to pass as expected_sequence.
------------------------------------------------------------------------------
SELECT multitenant.push('thing', 't9', 'thing.frobbed', instance_id => 'et-b');
SELECT multitenant.push('thing', 't9', 'thing.frobbed', instance_id => 'et-b');
SELECT multitenant.push('thing', 't9', 'thing.frobbed', instance_id => 'et-a');
SELECT multitenant.set_tenant('et-b');
SET LOCAL ROLE mt_et_app;
SELECT is(multitenant.aggregate_version('thing', 't9'), 2::bigint, 'the current sequence of the tenant''s aggregate');
SELECT is(multitenant.aggregate_version('thing', 'nothing-yet'), 0::bigint, '0 for an aggregate without events');
SELECT is((multitenant.push('thing', 't9', 'thing.frobbed', expected_sequence => multitenant.aggregate_version('thing', 't9'))).sequence,
          3::bigint, 'what push expects');
SELECT throws_ok($$SELECT multitenant.aggregate_version(NULL, 't9')$$, '22004', 'aggregate_type must not be null', 'NULL type refused');
SELECT throws_ok($$SELECT multitenant.aggregate_version('thing', NULL)$$, '22004', 'aggregate_id must not be null', 'NULL id refused');
RESET ROLE;
SELECT multitenant.reset_tenant();
SET LOCAL ROLE mt_et_app;
SELECT throws_ok($$SELECT multitenant.aggregate_version('thing', 't9')$$, '55000', NULL, 'no tenant, no version');
RESET ROLE;

------------------------------------------------------------------------------
-- Nothing but current_tenant() is executable by everyone.
------------------------------------------------------------------------------
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc AS p
            WHERE p.pronamespace = 'multitenant'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')),
          ARRAY['multitenant.current_tenant()'], 'only current_tenant() (called by every tenant policy) is executable by PUBLIC');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc AS p
                   WHERE p.pronamespace = 'multitenant'::regnamespace AND p.prorettype <> 'trigger'::regtype
                     AND p.proname NOT IN ('session_key_create', 'session_token_issue')
                     AND NOT has_function_privilege('multitenant_admin', p.oid, 'EXECUTE')$$,
                'multitenant_admin may call every function but the triggers and the session key makers (the lifecycle''s internal steps included)');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc AS p
                   WHERE p.pronamespace = 'multitenant'::regnamespace AND p.proname IN ('session_key_create', 'session_token_issue')
                     AND (has_function_privilege('multitenant_admin', p.oid, 'EXECUTE')
                          OR has_function_privilege('multitenant_app', p.oid, 'EXECUTE'))$$,
                'the session key makers are granted to nobody: only the extension''s own functions call them');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc AS p
                   WHERE p.pronamespace = 'multitenant'::regnamespace
                     AND p.prorettype = 'trigger'::regtype
                     AND (has_function_privilege('multitenant_admin', p.oid, 'EXECUTE') OR has_function_privilege('multitenant_app', p.oid, 'EXECUTE'))$$,
                'nobody is granted the trigger functions');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc AS p
                   WHERE p.oid IN ('multitenant.caller_is_operator()'::regprocedure, 'multitenant.issue_secret(text)'::regprocedure,
                                   'multitenant.audit_lifecycle(text,text,text,jsonb,jsonb,jsonb,text,boolean)'::regprocedure,
                                   'multitenant.lock_tenant(text,text)'::regprocedure)
                     AND has_function_privilege('multitenant_app', p.oid, 'EXECUTE')$$,
                'applications are not granted the lifecycle''s internal steps');

SELECT * FROM finish();
ROLLBACK;
