-- Event store: push, push_many, sequences, ownership, immutability, read_events.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;
SELECT plan(51);

CREATE ROLE mt_e_app NOLOGIN;
GRANT multitenant_app TO mt_e_app;
CREATE ROLE mt_e_admin NOLOGIN;
GRANT multitenant_admin TO mt_e_admin;

SELECT has_table('multitenant', 'events', 'events table exists');
SELECT col_is_pk('multitenant', 'events', ARRAY['instance_id', 'aggregate_type', 'aggregate_id', 'sequence'], 'events primary key');

-- Happy path and sequences.
SELECT is((multitenant.push('user', 'u1', 'user.human.added', '{"userName": "ann"}', instance_id => 'ta')).sequence, 1::bigint, 'first event of an aggregate has sequence 1');
SELECT is((multitenant.push('user', 'u1', 'user.locked', instance_id => 'ta')).sequence, 2::bigint, 'second event has sequence 2');
SELECT is((multitenant.push('user', 'u1', 'user.unlocked', instance_id => 'ta', expected_sequence => 2)).sequence, 3::bigint, 'matching expected_sequence is accepted');
SELECT is((multitenant.push('user', 'u1', 'user.human.added', instance_id => 'tb')).sequence, 1::bigint, 'sequences are per tenant');
SELECT is((multitenant.push('user', 'u2', 'user.human.added', instance_id => 'ta', expected_sequence => 0)).sequence, 1::bigint, 'expected_sequence 0 means a new aggregate');
SELECT results_eq($$SELECT sequence FROM multitenant.events WHERE instance_id = 'ta' AND aggregate_id = 'u1' ORDER BY sequence$$,
                  ARRAY[1, 2, 3]::bigint[], 'gapless sequences');
SELECT ok((SELECT bool_and(position > 0) AND count(DISTINCT position) = count(*) FROM multitenant.events), 'positions are unique');
SELECT results_eq($$SELECT position FROM multitenant.events WHERE instance_id = 'ta' AND aggregate_id = 'u1' ORDER BY sequence$$,
                  $$SELECT position FROM multitenant.events WHERE instance_id = 'ta' AND aggregate_id = 'u1' ORDER BY position$$,
                  'positions grow with pushes');
SELECT is((SELECT creator FROM multitenant.events WHERE instance_id = 'ta' AND aggregate_id = 'u1' AND sequence = 1), current_user::text,
          'creator defaults to the calling role');
SELECT is((multitenant.push('user', 'u3', 'user.human.added', instance_id => 'ta', creator => 'SYSTEM')).creator, 'SYSTEM', 'explicit creator kept');
SELECT is((multitenant.push('user', 'u4', 'x.happened', instance_id => 'ta', created_at => '2020-01-02 03:04:05+00')).created_at,
          '2020-01-02 03:04:05+00'::timestamptz, 'explicit created_at kept');
SELECT is((multitenant.push('thing', 't1', 'thing.unknown_type', '{"any": [1, 2]}', instance_id => 'ta')).event_type, 'thing.unknown_type',
          'unknown event types are stored');

-- Resource owner defaulting.
SELECT is((multitenant.push('org', 'org-1', 'org.added', '{"name": "Acme"}', instance_id => 'ta')).resource_owner, 'org-1', 'org aggregates own themselves');
SELECT is((multitenant.push('project', 'p1', 'project.added', '{"name": "P"}', instance_id => 'ta', resource_owner => 'org-1')).resource_owner, 'org-1', 'explicit owner kept');
SELECT is((multitenant.push('project', 'p1', 'project.changed', '{"name": "Q"}', instance_id => 'ta')).resource_owner, 'org-1', 'later events inherit the aggregate owner');
SELECT is((multitenant.push('instance', 'ta', 'instance.added', '{"name": "A"}', instance_id => 'ta')).resource_owner, 'ta', 'other aggregates default to the tenant');

-- expected_sequence mismatch.
SELECT throws_ok($$SELECT multitenant.push('user', 'u1', 'user.locked', instance_id => 'ta', expected_sequence => 1)$$, '40001',
                 'aggregate user "u1" of tenant "ta" is at sequence 3, expected 1', 'stale expected_sequence is a serialization failure');
SELECT throws_ok($$SELECT multitenant.push('user', 'u1', 'user.locked', instance_id => 'ta', expected_sequence => -1)$$, '22023',
                 'expected_sequence must not be negative', 'negative expected_sequence refused');

-- Bad input.
SELECT throws_ok($$SELECT multitenant.push(NULL, 'u1', 'e', instance_id => 'ta')$$, '22004', 'aggregate_type must not be null', 'NULL aggregate_type');
SELECT throws_ok($$SELECT multitenant.push('user', '', 'e', instance_id => 'ta')$$, '22023', 'aggregate_id must not be empty', 'empty aggregate_id');
SELECT throws_ok($$SELECT multitenant.push('user', 'u1', NULL, instance_id => 'ta')$$, '22004', 'event_type must not be null', 'NULL event_type');
SELECT throws_ok($$SELECT multitenant.push('user', 'u1', repeat('e', 201), instance_id => 'ta')$$, '22001', NULL, 'oversized event_type');
SELECT throws_ok($$SELECT multitenant.push('user', 'u1', 'e', '[1, 2]', instance_id => 'ta')$$, '22023', 'payload of event "e" must be a JSON object', 'array payload');
SELECT throws_ok($$SELECT multitenant.push('user', 'u1', 'e', '"str"', instance_id => 'ta')$$, '22023', NULL, 'scalar payload');
SELECT throws_ok($$SELECT multitenant.push('user', 'u1', 'e', jsonb_build_object('blob', repeat('x', 1100000)), instance_id => 'ta')$$, '54000', NULL, 'oversized payload');
SELECT throws_ok($$SELECT multitenant.push('user', 'u1', 'e')$$, '55000', NULL, 'no tenant set and none given');
SELECT throws_ok($$SELECT multitenant.push('user', 'u1', 'e', instance_id => '')$$, '22023', 'instance_id must not be empty', 'empty tenant');
SELECT throws_ok($$SELECT multitenant.push('user', 'u1', 'e', instance_id => 'ta', resource_owner => '')$$, '22023', NULL, 'empty resource_owner');
SELECT is((SELECT count(*)::int FROM multitenant.events WHERE instance_id = 'ta' AND aggregate_id = 'u1'), 3, 'failed pushes left nothing behind');

-- push_many.
SELECT results_eq($$SELECT aggregate_id, sequence FROM multitenant.push_many('[
    {"aggregate_type": "user", "aggregate_id": "m1", "event_type": "user.human.added", "payload": {"userName": "m"}, "instance_id": "ta"},
    {"aggregate_type": "user", "aggregate_id": "m1", "event_type": "user.locked", "instance_id": "ta", "expected_sequence": 1},
    {"aggregate_type": "user", "aggregate_id": "m2", "event_type": "user.human.added", "instance_id": "tb", "creator": "SYSTEM"}]')$$,
    $$VALUES ('m1', 1::bigint), ('m1', 2::bigint), ('m2', 1::bigint)$$, 'push_many stores every event in order');
SELECT is_empty($$SELECT * FROM multitenant.push_many('[]')$$, 'an empty array pushes nothing');
SELECT throws_ok($$SELECT * FROM multitenant.push_many('[{"aggregate_type": "user", "aggregate_id": "m3", "event_type": "e", "instance_id": "ta"},
                                                        {"aggregate_type": "user", "aggregate_id": "m3", "event_type": "e", "instance_id": "ta", "expected_sequence": 5}]')$$,
                 '40001', NULL, 'push_many fails as a whole on a stale expected_sequence');
SELECT is((SELECT count(*)::int FROM multitenant.events WHERE aggregate_id = 'm3'), 0, 'push_many is all or nothing');
SELECT throws_ok($$SELECT * FROM multitenant.push_many('[{"aggregate_type": "user", "aggregate_id": "m4", "event_type": "e", "instance_id": "ta", "colour": "red"}]')$$,
                 '22023', 'element 1 of push_many has unknown key "colour"', 'unknown keys refused');
SELECT throws_ok($$SELECT * FROM multitenant.push_many('[{"aggregate_type": 7, "aggregate_id": "m4", "event_type": "e", "instance_id": "ta"}]')$$,
                 '22023', 'element 1 of push_many: "aggregate_type" must be a JSON string', 'wrong JSON types refused');
SELECT throws_ok($$SELECT * FROM multitenant.push_many('{"aggregate_type": "user"}')$$, '22023', NULL, 'an object instead of an array');
SELECT throws_ok($$SELECT * FROM multitenant.push_many(NULL)$$, '22004', NULL, 'NULL array');
SELECT throws_ok($$SELECT * FROM multitenant.push_many('[1]')$$, '22023', 'element 1 of push_many''s array must be a JSON object', 'non-object elements');

-- Catch-up reader.
SELECT results_eq($$SELECT position FROM multitenant.read_events(0, 3)$$,
                  $$SELECT position FROM multitenant.events ORDER BY position LIMIT 3$$, 'read_events returns the first positions in order');
SELECT results_eq($$SELECT position FROM multitenant.read_events((SELECT max(position) FROM multitenant.events) - 2)$$,
                  $$SELECT position FROM (SELECT position FROM multitenant.events ORDER BY position DESC LIMIT 2) AS last ORDER BY position$$, 'read_events continues after a position');
SELECT throws_ok($$SELECT * FROM multitenant.read_events(0, 0)$$, '22023', 'max_events must be positive', 'max_events must be positive');

-- Immutability, for everyone.
SELECT throws_ok($$UPDATE multitenant.events SET payload = '{}'$$, '42501', 'events in multitenant.events are immutable and cannot be updated', 'UPDATE refused for the superuser');
SELECT throws_ok($$DELETE FROM multitenant.events$$, '42501', 'events in multitenant.events are immutable and cannot be deleted', 'DELETE refused');
SELECT throws_ok($$TRUNCATE multitenant.events$$, '42501', 'events in multitenant.events are immutable and cannot be truncated', 'TRUNCATE refused');

-- A tenant-scoped caller pushes only into its own tenant.
SET LOCAL ROLE mt_e_app;
SELECT multitenant.set_tenant('ta');
SELECT is((multitenant.push('user', 'app-u', 'user.human.added')).instance_id, 'ta', 'the app role pushes into its tenant by default');
SELECT throws_ok($$SELECT multitenant.push('user', 'app-u', 'user.locked', instance_id => 'tb')$$, '42501', 'tenant "tb" is not the current tenant',
                 'the app role cannot push into another tenant');
SELECT throws_ok($$INSERT INTO multitenant.events VALUES ('ta', 'user', 'x', 1, 'e', NULL, 'me', 'ta', now(), 999999)$$, '42501', NULL,
                 'the app role cannot write the event store directly');
SELECT is((SELECT count(DISTINCT instance_id)::int FROM multitenant.events), 1, 'the app role reads only its tenant''s events');
SELECT is((SELECT count(*)::int FROM multitenant.read_events(0, 1000) WHERE instance_id <> 'ta'), 0, 'read_events is tenant-scoped');
RESET ROLE;
SELECT multitenant.reset_tenant();

SELECT * FROM finish();
ROLLBACK;
