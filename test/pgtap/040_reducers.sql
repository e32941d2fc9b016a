-- Reducer engine: registration checks, actions, standard columns, order,
-- conditions, failures, cache invalidation, privileges.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;
SELECT plan(70);

CREATE SCHEMA shop;
CREATE TABLE shop.carts (
	instance_id text NOT NULL CHECK (instance_id <> ''),
	id text NOT NULL,
	creation_date timestamptz NOT NULL,
	change_date timestamptz NOT NULL,
	sequence bigint NOT NULL,
	resource_owner text NOT NULL,
	owner_name text NOT NULL,
	items integer NOT NULL DEFAULT 0,
	note text,
	touched_by text,
	PRIMARY KEY (instance_id, id)
);
CREATE TABLE shop.cart_log (
	instance_id text NOT NULL,
	cart_id text NOT NULL,
	entry integer NOT NULL,
	what text NOT NULL,
	PRIMARY KEY (instance_id, cart_id, entry)
);
CREATE TABLE shop.no_tenant (id text PRIMARY KEY);
CREATE VIEW shop.carts_view AS SELECT * FROM shop.carts;

-- Registration checks.
SELECT throws_ok($$SELECT multitenant.register_reducer(NULL, 'cart.created', 'insert')$$, '22004', 'projection must not be null', 'NULL projection');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.nope', 'cart.created', 'insert')$$, '42P01', NULL, 'unknown projection');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts_view', 'cart.created', 'insert')$$, '42809', 'projection shop.carts_view is not a table', 'views are refused');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.no_tenant', 'cart.created', 'insert')$$, '42703', 'projection shop.no_tenant has no instance_id column', 'projection without instance_id');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', '', 'insert')$$, '22023', 'event_type must not be empty', 'empty event type');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.created', 'merge')$$, '22023', 'reducer for event type "cart.created" on projection shop.carts does not compile: invalid reducer action "merge"', 'unknown action');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.created', NULL)$$, '22004', 'action must not be null', 'NULL action');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.created', 'insert', set => '{"colour": "1"}')$$, '42703',
                 'reducer for event type "cart.created" on projection shop.carts does not compile: column "colour" of projection shop.carts does not exist', 'unknown column');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.created', 'insert', set => '{"owner_name": 1}')$$, '22023', NULL, 'expression must be a string');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.created', 'insert', set => '[1]')$$, '22023', NULL, 'set must be an object');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.created', 'insert', set => '{"instance_id": "''x''"}')$$, '22023', NULL, 'instance_id cannot be set');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.created', 'insert', set => '{"id": "e.aggregate_id"}')$$, '42701', NULL, 'a column in both set and match');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.created', 'insert', set => '{"owner_name": "e.no_such_field"}')$$, '42703', NULL, 'expression referencing an unknown event field');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.created', 'insert', set => '{"owner_name": "e.payload->>"}')$$, '42601', NULL, 'expression with a syntax error');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.created', 'insert', set => '{"owner_name": "1); DROP TABLE shop.carts; SELECT (1"}')$$, '42601', NULL, 'expressions cannot smuggle statements');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.created', 'insert', set => '{"owner_name": "''x''"}', "when" => 'e.payload')$$, '42804', NULL, 'non-boolean when');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.item', 'upsert', set => '{"items": "1"}', match => '{"owner_name": "''x''"}')$$, '42P10', NULL, 'upsert needs a unique key on its match columns');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.poke', 'update', set => '{}', touch => false)$$, '22023', NULL, 'an update that sets nothing');
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.gone', 'delete', set => '{"note": "''x''"}')$$, '22023', NULL, 'a delete that sets columns');
SELECT is((SELECT count(*)::int FROM multitenant.reducers WHERE projection = 'shop.carts'::regclass), 0, 'refused registrations left nothing behind');

-- Working reducers.
SELECT lives_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.created', 'insert',
    set => $j${"owner_name": "multitenant.payload_text(e.payload, 'owner')"}$j$)$$, 'insert reducer');
SELECT lives_ok($$SELECT multitenant.register_reducer('shop.cart_log', 'cart.created', 'insert',
    set => $j${"what": "'created'"}$j$, match => $j${"cart_id": "e.aggregate_id", "entry": "e.sequence::integer"}$j$)$$, 'second reducer for the same event');
SELECT lives_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.item.added', 'update',
    set => $j${"items": "t.items + coalesce(multitenant.payload_bigint(e.payload, 'count'), 1)::integer"}$j$)$$, 'update reducer reading t');
SELECT lives_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.noted', 'update',
    set => $j${"note": "multitenant.payload_text(e.payload, 'note')"}$j$, "when" => $j$e.payload ? 'note'$j$, touch => false)$$, 'update reducer with when and touch off');
SELECT lives_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.restored', 'upsert',
    set => $j${"owner_name": "multitenant.payload_text(e.payload, 'owner')", "touched_by": "current_user"}$j$)$$, 'upsert reducer');
SELECT lives_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.deleted', 'delete')$$, 'delete reducer');
SELECT lives_ok($$SELECT multitenant.register_reducer('shop.cart_log', 'cart.deleted', 'delete', match => '{"cart_id": "e.aggregate_id"}')$$, 'delete by another column');

SELECT multitenant.push('cart', 'c1', 'cart.created', '{"owner": "ann"}', instance_id => 'ta', resource_owner => 'org-1', created_at => '2024-01-01 00:00:00+00');
SELECT multitenant.push('cart', 'c1', 'cart.created', '{"owner": "bob"}', instance_id => 'tb', created_at => '2024-01-01 00:00:00+00');
SELECT results_eq($$SELECT instance_id, id, owner_name, items, sequence, resource_owner, creation_date, change_date FROM shop.carts ORDER BY instance_id$$,
    $$VALUES ('ta', 'c1', 'ann', 0, 1::bigint, 'org-1', '2024-01-01 00:00:00+00'::timestamptz, '2024-01-01 00:00:00+00'::timestamptz),
             ('tb', 'c1', 'bob', 0, 1::bigint, 'tb', '2024-01-01 00:00:00+00'::timestamptz, '2024-01-01 00:00:00+00'::timestamptz)$$,
    'insert fills the standard columns; tenants with equal ids stay apart');
SELECT results_eq($$SELECT instance_id, cart_id, entry, what FROM shop.cart_log ORDER BY instance_id$$,
    $$VALUES ('ta', 'c1', 1, 'created'), ('tb', 'c1', 1, 'created')$$, 'both reducers of the event ran');

SELECT multitenant.push('cart', 'c1', 'cart.item.added', '{"count": 3}', instance_id => 'ta', created_at => '2024-01-02 00:00:00+00');
SELECT multitenant.push('cart', 'c1', 'cart.item.added', '{}', instance_id => 'ta', created_at => '2024-01-03 00:00:00+00');
SELECT results_eq($$SELECT items, sequence, change_date FROM shop.carts WHERE instance_id = 'ta'$$,
    $$VALUES (4, 3::bigint, '2024-01-03 00:00:00+00'::timestamptz)$$, 'update reads the current row and touches change_date and sequence');
SELECT is((SELECT items FROM shop.carts WHERE instance_id = 'tb'), 0, 'the update stayed in its tenant');

SELECT multitenant.push('cart', 'c1', 'cart.noted', '{}', instance_id => 'ta');
SELECT multitenant.push('cart', 'c1', 'cart.noted', '{"note": "fragile"}', instance_id => 'ta');
SELECT results_eq($$SELECT note, sequence FROM shop.carts WHERE instance_id = 'ta'$$, $$VALUES ('fragile'::text, 3::bigint)$$,
    'when skips events without the key; touch => false leaves sequence alone');

-- Reducers run as their registrant.
SELECT multitenant.push('cart', 'c2', 'cart.restored', '{"owner": "cy"}', instance_id => 'ta');
SELECT is((SELECT touched_by FROM shop.carts WHERE instance_id = 'ta' AND id = 'c2'), current_user::text, 'upsert inserts, running as the registrant');
SELECT multitenant.push('cart', 'c2', 'cart.restored', '{"owner": "dee"}', instance_id => 'ta');
SELECT results_eq($$SELECT owner_name, sequence FROM shop.carts WHERE instance_id = 'ta' AND id = 'c2'$$, $$VALUES ('dee'::text, 2::bigint)$$, 'upsert updates on conflict');

-- A failing reducer fails the push, naming event type and projection; nothing remains.
SELECT throws_ok($$SELECT multitenant.push('cart', 'c9', 'cart.created', '{}', instance_id => 'ta')$$, '23502',
    NULL, 'a reducer violating NOT NULL fails the push');
SELECT throws_like($$SELECT multitenant.push('cart', 'c9', 'cart.created', '{"owner": ["x"]}', instance_id => 'ta')$$,
    'reducer for event type "cart.created" on projection shop.carts failed: payload key "owner" must be a JSON string, not array',
    'the error names event type, projection and cause');
SELECT is((SELECT count(*)::int FROM multitenant.events WHERE aggregate_id = 'c9'), 0, 'no event remains of a failed push');
SELECT is((SELECT count(*)::int FROM shop.cart_log WHERE cart_id = 'c9'), 0, 'no projection row remains of a failed push');

-- A run of events of one type in push_many is reduced with one statement per
-- reducer when every reducer only reads its event; the rows are the same.
SELECT results_eq($$SELECT aggregate_id, sequence FROM multitenant.push_many('[
    {"aggregate_type": "cart", "aggregate_id": "r1", "event_type": "cart.created", "payload": {"owner": "r-one"}, "instance_id": "ta"},
    {"aggregate_type": "cart", "aggregate_id": "r2", "event_type": "cart.created", "payload": {"owner": "r-two"}, "instance_id": "ta"},
    {"aggregate_type": "cart", "aggregate_id": "r3", "event_type": "cart.created", "payload": {"owner": "r-three"}, "instance_id": "ta"},
    {"aggregate_type": "cart", "aggregate_id": "r1", "event_type": "cart.item.added", "payload": {"count": 2}, "instance_id": "ta"}]')$$,
    $$VALUES ('r1', 1::bigint), ('r2', 1::bigint), ('r3', 1::bigint), ('r1', 2::bigint)$$, 'push_many of a run');
SELECT results_eq($$SELECT c.id, c.owner_name, c.items, c.sequence, l.entry, l.what FROM shop.carts c JOIN shop.cart_log l ON l.instance_id = c.instance_id AND l.cart_id = c.id
                    WHERE c.instance_id = 'ta' AND c.id LIKE 'r%' ORDER BY c.id$$,
    $$VALUES ('r1', 'r-one', 2, 2::bigint, 1, 'created'), ('r2', 'r-two', 0, 1::bigint, 1, 'created'), ('r3', 'r-three', 0, 1::bigint, 1, 'created')$$,
    'a run reduces into every projection exactly as event by event');
SELECT throws_like($$SELECT * FROM multitenant.push_many('[
    {"aggregate_type": "cart", "aggregate_id": "r4", "event_type": "cart.created", "payload": {"owner": "x"}, "instance_id": "ta"},
    {"aggregate_type": "cart", "aggregate_id": "r5", "event_type": "cart.created", "payload": {"owner": 5}, "instance_id": "ta"}]')$$,
    'reducer for event type "cart.created" on projection shop.carts failed on a run of events: payload key "owner" must be a JSON string, not number',
    'a failing run names event type and projection');
SELECT is((SELECT count(*)::int FROM multitenant.events WHERE aggregate_id IN ('r4', 'r5')), 0, 'a failing run leaves nothing behind');
-- A reducer that reads a relation other than its projection sees, for each
-- event, what the events before it wrote, also inside one push_many.
SELECT multitenant.register_reducer('shop.cart_log', 'cart.logged', 'insert',
    set => $j${"what": "'logged'"}$j$,
    match => $j${"cart_id": "e.aggregate_id", "entry": "(SELECT count(*) FROM shop.cart_log AS l WHERE l.instance_id = e.instance_id AND l.cart_id = e.aggregate_id)::integer + 1"}$j$);
SELECT lives_ok($$SELECT * FROM multitenant.push_many('[
    {"aggregate_type": "cart", "aggregate_id": "r9", "event_type": "cart.logged", "instance_id": "ta"},
    {"aggregate_type": "cart", "aggregate_id": "r9", "event_type": "cart.logged", "instance_id": "ta"},
    {"aggregate_type": "cart", "aggregate_id": "r9", "event_type": "cart.logged", "instance_id": "ta"}]')$$,
    'a run of a reducer that reads other rows');
SELECT results_eq($$SELECT entry FROM shop.cart_log WHERE instance_id = 'ta' AND cart_id = 'r9' ORDER BY entry$$,
    ARRAY[1, 2, 3], 'it is reduced event by event');

-- Who may register, and as whom reducers run.
CREATE ROLE mt_x_app NOLOGIN;
GRANT multitenant_app TO mt_x_app;
CREATE ROLE mt_x_admin NOLOGIN;
GRANT multitenant_admin TO mt_x_admin;
CREATE TABLE shop.audit (instance_id text NOT NULL, id text NOT NULL, who text NOT NULL, PRIMARY KEY (instance_id, id));
GRANT USAGE ON SCHEMA shop TO mt_x_admin;
GRANT SELECT, INSERT ON shop.audit TO mt_x_admin;
SET LOCAL ROLE mt_x_app;
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.audit', 'cart.audited', 'insert', set => '{"who": "current_user"}')$$,
    '42501', NULL, 'application roles cannot register reducers');
RESET ROLE;
-- The registry functions check the caller themselves, should EXECUTE be granted wider.
GRANT EXECUTE ON FUNCTION multitenant.register_reducer(regclass, text, text, jsonb, jsonb, text, boolean),
    multitenant.unregister_reducer(regclass, text), multitenant.rebuild(regclass, text),
    multitenant.rebuild_many(regclass[], text), multitenant.declare_event_type(text) TO mt_x_app;
SET LOCAL ROLE mt_x_app;
SELECT throws_ok($$SELECT multitenant.register_reducer('multitenant.orgs_projection', 'org.audited', 'delete')$$, '42501',
    'permission denied for function multitenant.register_reducer', 'with EXECUTE granted, register_reducer still refuses the app role');
SELECT throws_ok($$SELECT multitenant.unregister_reducer('multitenant.orgs_projection', 'org.added')$$, '42501',
    'permission denied for function multitenant.unregister_reducer', 'unregister_reducer too');
SELECT throws_ok($$SELECT multitenant.rebuild('multitenant.orgs_projection')$$, '42501',
    'permission denied for function multitenant.rebuild', 'rebuild too');
SELECT throws_ok($$SELECT multitenant.rebuild_many(ARRAY['multitenant.orgs_projection']::regclass[])$$, '42501',
    'permission denied for function multitenant.rebuild_many', 'rebuild_many too');
SELECT throws_ok($$SELECT multitenant.declare_event_type('org.audited')$$, '42501',
    'permission denied for function multitenant.declare_event_type', 'declare_event_type too');
RESET ROLE;
SET LOCAL ROLE mt_x_admin;
SELECT throws_ok($$SELECT multitenant.register_reducer('shop.carts', 'cart.audited', 'delete')$$,
    '42501', 'permission denied: DELETE privilege on projection shop.carts is required', 'admins need the privilege the action uses');
SELECT lives_ok($$SELECT multitenant.register_reducer('shop.audit', 'cart.audited', 'insert', set => '{"who": "current_user"}')$$,
    'an admin registers a reducer on a table it may write');
RESET ROLE;
SELECT multitenant.push('cart', 'audit-1', 'cart.audited', instance_id => 'ta');
SELECT is((SELECT who FROM shop.audit WHERE id = 'audit-1'), 'mt_x_admin', 'the reducer ran as its registrant, not as the superuser who pushed');
SELECT is((SELECT registered_by::text FROM multitenant.reducers WHERE event_type = 'cart.audited'), 'mt_x_admin', 'the registry records the registrant');

-- Deletes, unknown event types, unregistering and cache invalidation.
SELECT multitenant.push('cart', 'c1', 'cart.deleted', instance_id => 'ta');
SELECT results_eq($$SELECT instance_id FROM shop.carts WHERE id = 'c1'$$, $$VALUES ('tb'::text)$$, 'delete removes only the tenant''s row');
SELECT is((SELECT count(*)::int FROM shop.cart_log WHERE instance_id = 'ta' AND cart_id = 'c1'), 0, 'delete by another column');
SELECT lives_ok($$SELECT multitenant.push('cart', 'c1', 'cart.unknown', instance_id => 'ta')$$, 'unknown event types reduce to nothing');
SELECT is(multitenant.unregister_reducer('shop.carts', 'cart.item.added'), 1, 'unregister returns the number removed');
SELECT multitenant.push('cart', 'c1', 'cart.item.added', instance_id => 'tb');
SELECT is((SELECT items FROM shop.carts WHERE instance_id = 'tb'), 0, 'an unregistered reducer no longer runs (cache invalidated)');
SELECT throws_ok($$SELECT multitenant.unregister_reducer(NULL, 'cart.item.added')$$, '22004', 'projection must not be null', 'unregister with a NULL projection');
SELECT throws_ok($$SELECT multitenant.unregister_reducer('shop.carts', NULL)$$, '22004', 'event_type must not be null', 'unregister with a NULL event type');
SELECT throws_ok($$SELECT multitenant.unregister_reducer('multitenant.orgs_projection', 'org.added')$$, '42501',
    'the reducers for event type "org.added" on projection multitenant.orgs_projection are built in and cannot be unregistered', 'built-in reducers stay');
SELECT throws_ok($$SELECT multitenant.enable_tenant_isolation('shop.no_tenant')$$, '42703', NULL, 'isolation needs an instance_id column');
SELECT lives_ok($$SELECT multitenant.enable_tenant_isolation('shop.carts'); SELECT multitenant.enable_tenant_isolation('shop.carts')$$, 'enabling isolation twice is harmless');
SELECT is((SELECT count(*)::int FROM pg_policies WHERE schemaname = 'shop' AND tablename = 'carts'), 3, 'the three policies, once each');
SELECT throws_ok($$SELECT multitenant.unregister_reducer('shop.carts', 'cart.item.added')$$, '42704',
    'no reducer for event type "cart.item.added" on projection shop.carts', 'unregistering an unknown reducer');

-- An upsert run is one statement while no two of its events hit one row; a
-- run that does is undone and reduced event by event, with the same result.
SELECT lives_ok($$SELECT * FROM multitenant.push_many('[
  {"aggregate_type": "cart", "aggregate_id": "u1", "event_type": "cart.restored", "payload": {"owner": "a"}, "instance_id": "ta"},
  {"aggregate_type": "cart", "aggregate_id": "u2", "event_type": "cart.restored", "payload": {"owner": "b"}, "instance_id": "ta"},
  {"aggregate_type": "cart", "aggregate_id": "u1", "event_type": "cart.restored", "payload": {"owner": "c"}, "instance_id": "ta"}]')$$,
    'an upsert run that hits one row twice');
SELECT results_eq($$SELECT id, owner_name, sequence FROM shop.carts WHERE instance_id = 'ta' AND id IN ('u1', 'u2') ORDER BY id$$,
    $$VALUES ('u1'::text, 'c'::text, 2::bigint), ('u2', 'b', 1)$$, 'reduced event by event: the later event wins');
SELECT lives_ok($$SELECT * FROM multitenant.push_many('[
  {"aggregate_type": "cart", "aggregate_id": "u1", "event_type": "cart.restored", "payload": {"owner": "d"}, "instance_id": "ta"},
  {"aggregate_type": "cart", "aggregate_id": "u3", "event_type": "cart.restored", "payload": {"owner": "e"}, "instance_id": "ta"}]')$$,
    'an upsert run over distinct rows');
SELECT results_eq($$SELECT id, owner_name, sequence FROM shop.carts WHERE instance_id = 'ta' AND id IN ('u1', 'u2', 'u3') ORDER BY id$$,
    $$VALUES ('u1'::text, 'd'::text, 3::bigint), ('u2', 'b', 1), ('u3', 'e', 1)$$, 'one statement: updated and inserted');

SELECT * FROM finish();
ROLLBACK;
