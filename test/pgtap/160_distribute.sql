-- multitenant.distribute() on a server without Citus (test/deploy/citus.sh
-- distributes on a real Citus cluster): refused with 0A000 naming Citus,
-- before anything changed; refused to roles that are not operators; and the
-- schema that distribution needs, present on a single server too.
BEGIN;
SELECT plan(8);

CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT is((SELECT count(*)::int FROM pg_extension WHERE extname = 'citus'), 0, 'this server has no Citus');
SELECT throws_ok($$SELECT * FROM multitenant.distribute()$$, '0A000',
                 'multitenant.distribute() needs the citus extension',
                 'distribute() without Citus is refused with 0A000, naming citus');

-- Nothing changed: the subquery policies Citus cannot take are still there.
SELECT is((SELECT count(*)::int FROM pg_policy
            WHERE polname IN ('tenant_admins_only', 'join_requests_visibility', 'invitations_visibility', 'principal_sessions_visibility')
              AND strpos(polqual::text, '{SUBLINK') > 0),
          4, 'a refused distribute() leaves the policies as they were');

-- Only operators: an application role may not call it, a member of
-- multitenant_admin that is no superuser reaches the Citus check.
CREATE ROLE mt_dist_app NOLOGIN;
GRANT multitenant_app TO mt_dist_app;
CREATE ROLE mt_dist_admin NOLOGIN;
GRANT multitenant_admin TO mt_dist_admin;
SET LOCAL ROLE mt_dist_app;
SELECT throws_ok($$SELECT * FROM multitenant.distribute()$$, '42501', NULL,
                 'an application role may not call distribute()');
RESET ROLE;
SET LOCAL ROLE mt_dist_admin;
SELECT throws_ok($$SELECT * FROM multitenant.distribute()$$, '0A000',
                 'multitenant.distribute() needs the citus extension',
                 'a multitenant_admin member may call it (and learns that Citus is missing)');
RESET ROLE;

-- Event positions: unique with instance_id (what Citus needs), led by
-- position for read_events, and no second index.
SELECT is((SELECT pg_get_indexdef('multitenant.events_position_idx'::regclass)),
          'CREATE UNIQUE INDEX events_position_idx ON multitenant.events USING btree ("position", instance_id)',
          'events_position_idx is unique per (position, instance_id)');
SELECT is((SELECT count(*)::int FROM pg_index WHERE indrelid = 'multitenant.events'::regclass), 3,
          'events keeps three indexes: its key, the position index and the type index');
SELECT is((SELECT count(*)::int FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = 'multitenant.events'::regclass AND i.indisunique AND a.attname = 'instance_id'), 2,
          'every unique index of events holds instance_id');

SELECT * FROM finish();
ROLLBACK;
