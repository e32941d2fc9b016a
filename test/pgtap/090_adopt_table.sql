-- adopt_table on plain single-tenant application tables (sites, devices,
-- user_site_assignments; workflows, models, rules, decision_tables,
-- knowledge_bases), with data and foreign keys between them.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;
\ir ../fixtures/seed_tables.sql
-- The fixture's deferred foreign key checks must not be pending during ALTER TABLE.
SET CONSTRAINTS ALL IMMEDIATE;

CREATE ROLE mt_adopt_app NOLOGIN;
GRANT multitenant_app TO mt_adopt_app;
GRANT USAGE ON SCHEMA app TO mt_adopt_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app TO mt_adopt_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA app TO mt_adopt_app;

CREATE TEMP TABLE before_rows AS
SELECT 'sites' AS t, count(*) AS n FROM app.sites UNION ALL
SELECT 'devices', count(*) FROM app.devices UNION ALL
SELECT 'user_site_assignments', count(*) FROM app.user_site_assignments UNION ALL
SELECT 'workflows', count(*) FROM app.workflows UNION ALL
SELECT 'models', count(*) FROM app.models UNION ALL
SELECT 'rules', count(*) FROM app.rules UNION ALL
SELECT 'decision_tables', count(*) FROM app.decision_tables UNION ALL
SELECT 'knowledge_bases', count(*) FROM app.knowledge_bases;

GRANT SELECT ON before_rows TO PUBLIC;

SELECT plan(48);

-- Bad input.
SELECT throws_ok($$SELECT multitenant.adopt_table(NULL)$$, '22004', 'table must not be null', 'a NULL table is refused');
SELECT throws_ok($$SELECT multitenant.adopt_table('app.sites', '')$$, '22023', NULL, 'an empty default tenant is refused');
SELECT throws_ok($$SELECT multitenant.adopt_table('app.sites', NULL)$$, '22023', NULL, 'a NULL default tenant is refused');
SELECT throws_ok($$SELECT multitenant.adopt_table('app.sites', repeat('x', 201))$$, '22023', NULL, 'an oversized default tenant is refused');
SELECT throws_ok($$SELECT multitenant.adopt_table('app.no_such_table')$$, '42P01', NULL, 'an unknown table is refused');

-- Who may adopt: multitenant_admin, on tables it owns.
CREATE ROLE mt_adopt_admin NOLOGIN;
GRANT multitenant_admin TO mt_adopt_admin;
GRANT USAGE ON SCHEMA app TO mt_adopt_admin;
SET LOCAL ROLE mt_adopt_app;
SELECT throws_ok($$SELECT multitenant.adopt_table('app.knowledge_bases')$$, '42501', NULL, 'an application role cannot adopt tables');
RESET ROLE;
SET LOCAL ROLE mt_adopt_admin;
SELECT throws_ok($$SELECT multitenant.adopt_table('app.knowledge_bases')$$, '42501', 'must be owner of table knowledge_bases',
                 'an administrator cannot adopt a table it does not own');
RESET ROLE;
SELECT hasnt_column('app', 'knowledge_bases', 'instance_id', 'refused: knowledge_bases unchanged');

-- A dry run plans every table that references sites and changes nothing.
SELECT ok((SELECT count(*) FROM multitenant.adopt_table('app.sites', dry_run => true)) > 20, 'dry run returns the plan');
SELECT ok(EXISTS (SELECT FROM multitenant.adopt_table('app.sites', dry_run => true) AS s
                   WHERE s = 'ALTER TABLE app.devices ADD CONSTRAINT devices_site_id_fkey FOREIGN KEY (instance_id, site_id) REFERENCES app.sites (instance_id, id) ON UPDATE NO ACTION ON DELETE CASCADE'),
          'the plan recreates the referencing foreign key as a composite one');
SELECT hasnt_column('app', 'sites', 'instance_id', 'dry run: sites unchanged');
SELECT hasnt_column('app', 'devices', 'instance_id', 'dry run: devices unchanged');

-- Refusals leave everything as it was.
CREATE TABLE app.audit_notes (note text);
CREATE TABLE app.site_notes (site_id uuid REFERENCES app.sites (id), note text);
SELECT throws_ok($$SELECT multitenant.adopt_table('app.sites')$$, '55000',
                 'cannot adopt app.sites: table app.site_notes has no primary key',
                 'a referencing table without a primary key stops the adoption');
SELECT hasnt_column('app', 'sites', 'instance_id', 'refused: sites unchanged');
DROP TABLE app.site_notes;
SELECT throws_ok($$SELECT multitenant.adopt_table('app.audit_notes')$$, '55000', NULL, 'a table without a primary key is refused');

CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE app.bookings (id int PRIMARY KEY, room int, during tstzrange,
                           EXCLUDE USING gist (room WITH =, during WITH &&));
SELECT throws_ok($$SELECT multitenant.adopt_table('app.bookings')$$, '0A000', NULL, 'an exclusion constraint is refused');

CREATE VIEW app.site_summary AS SELECT s.id, s.name, count(d.id) AS devices
  FROM app.sites s LEFT JOIN app.devices d ON d.site_id = s.id GROUP BY s.id;
SELECT throws_ok($$SELECT multitenant.adopt_table('app.sites')$$, '2BP01', NULL,
                 'a view that depends on the primary key is refused');
SELECT hasnt_column('app', 'devices', 'instance_id', 'refused: devices unchanged');
DROP VIEW app.site_summary;

-- A plain view over the columns keeps working.
CREATE VIEW app.site_names WITH (security_invoker = true) AS SELECT id, name FROM app.sites;
GRANT SELECT ON app.site_names TO mt_adopt_app;

-- Legacy data that already names tenants: kept, inherited, or refused when inconsistent.
CREATE TABLE app.legacy_parents (id int PRIMARY KEY, instance_id text);
CREATE TABLE app.legacy_children (id int PRIMARY KEY, instance_id text, parent_id int REFERENCES app.legacy_parents (id));
CREATE TABLE app.legacy_notes (id int PRIMARY KEY, parent_id int REFERENCES app.legacy_parents (id));
INSERT INTO app.legacy_parents VALUES (1, 'tenant-a'), (2, NULL);
SELECT throws_ok($$SELECT multitenant.adopt_table('app.legacy_parents')$$, '23502',
                 'cannot adopt app.legacy_parents: row (id)=(2) of table app.legacy_parents has no tenant',
                 'a NULL tenant in an existing instance_id column names the table and key');
UPDATE app.legacy_parents SET instance_id = 'tenant-b' WHERE id = 2;
INSERT INTO app.legacy_children VALUES (10, 'tenant-b', 1);
INSERT INTO app.legacy_notes VALUES (100, 1), (101, 2), (102, NULL);
SELECT throws_ok($$SELECT multitenant.adopt_table('app.legacy_parents')$$, '23503', NULL,
                 'a child row of tenant b pointing at a row of tenant a stops the adoption');
SELECT hasnt_column('app', 'legacy_notes', 'instance_id', 'refused: the other child table is unchanged');
SELECT col_is_pk('app', 'legacy_parents', ARRAY['id'], 'refused: the parent key is unchanged');
UPDATE app.legacy_children SET instance_id = 'tenant-a';
SELECT lives_ok($$SELECT multitenant.adopt_table('app.legacy_parents')$$, 'consistent legacy tenants are adopted');
SELECT results_eq($$SELECT id, instance_id FROM app.legacy_notes ORDER BY id$$,
                  $$VALUES (100, 'tenant-a'), (101, 'tenant-b'), (102, 'system')$$,
                  'rows of a new tenant column take their parent row''s tenant, else the default');

-- The real thing.
SELECT ok((SELECT count(*) FROM multitenant.adopt_table('app.sites')) > 20, 'sites adopted with its referencing tables');
SELECT is((SELECT count(*)::int FROM multitenant.adopt_table('app.sites')), 0, 'a second call is a no-op');
SELECT ok((SELECT count(*) FROM multitenant.adopt_table('app.workflows')) > 20, 'workflows adopted with models, rules, decision tables');
SELECT ok((SELECT count(*) FROM multitenant.adopt_table('app.knowledge_bases', 'legacy')) > 5, 'knowledge bases adopted into tenant legacy');

SELECT col_is_pk('app', 'sites', ARRAY['instance_id', 'id'], 'sites: primary key (instance_id, id)');
SELECT col_is_pk('app', 'user_site_assignments', ARRAY['instance_id', 'user_id', 'site_id'], 'assignments: composite key led by instance_id');
SELECT fk_ok('app', 'devices', ARRAY['instance_id', 'site_id'], 'app', 'sites', ARRAY['instance_id', 'id'], 'devices -> sites is composite');
SELECT fk_ok('app', 'workflows', ARRAY['instance_id', 'parent_id'], 'app', 'workflows', ARRAY['instance_id', 'id'], 'the self reference is composite');
SELECT fk_ok('app', 'decision_tables', ARRAY['instance_id', 'rule_id'], 'app', 'rules', ARRAY['instance_id', 'id'], 'decision_tables -> rules is composite');
SELECT is((SELECT condeferred FROM pg_constraint WHERE conname = 'decision_tables_rule_id_fkey'), true, 'deferral kept');
SELECT is((SELECT pg_get_indexdef('app.devices_active_serial_idx'::regclass)),
          'CREATE UNIQUE INDEX devices_active_serial_idx ON app.devices USING btree (instance_id, serial_number) WHERE (status = ''active''::text)',
          'a partial unique index is led by instance_id and keeps its predicate');
SELECT is((SELECT pg_get_indexdef('app.sites_metadata_idx'::regclass)),
          'CREATE INDEX sites_metadata_idx ON app.sites USING gin (metadata)', 'a GIN index is kept as it was');
SELECT is((SELECT array_agg(column_default::text ORDER BY column_name) FROM information_schema.columns
            WHERE table_schema = 'app' AND table_name = 'rules' AND column_name IN ('instance_id', 'resource_owner', 'sequence')),
          ARRAY['multitenant.current_tenant()', 'multitenant.current_tenant()', '0'], 'defaults: the session''s tenant, sequence 0');
SELECT is((SELECT array_agg(table_name::text ORDER BY table_name::text) FROM multitenant.tenant_tables WHERE schema_name = 'app'),
          ARRAY['app.decision_tables', 'app.devices', 'app.knowledge_bases', 'app.legacy_children', 'app.legacy_notes',
                'app.legacy_parents', 'app.models', 'app.rules', 'app.sites',
                'app.user_site_assignments', 'app.workflows'], 'tenant_tables lists the adopted tables');

-- Every row survived, in the default tenant.
SELECT set_eq($$SELECT t, n FROM before_rows$$,
  $$SELECT 'sites', count(*) FILTER (WHERE instance_id = 'system' AND resource_owner = 'system' AND sequence = 0 AND change_date IS NULL) FROM app.sites UNION ALL
    SELECT 'devices', count(*) FILTER (WHERE instance_id = 'system') FROM app.devices UNION ALL
    SELECT 'user_site_assignments', count(*) FILTER (WHERE instance_id = 'system') FROM app.user_site_assignments UNION ALL
    SELECT 'workflows', count(*) FILTER (WHERE instance_id = 'system') FROM app.workflows UNION ALL
    SELECT 'models', count(*) FILTER (WHERE instance_id = 'system') FROM app.models UNION ALL
    SELECT 'rules', count(*) FILTER (WHERE instance_id = 'system') FROM app.rules UNION ALL
    SELECT 'decision_tables', count(*) FILTER (WHERE instance_id = 'system') FROM app.decision_tables UNION ALL
    SELECT 'knowledge_bases', count(*) FILTER (WHERE instance_id = 'legacy') FROM app.knowledge_bases$$,
  'every row kept, backfilled with the default tenant');

-- Isolation, as an application role.
SET LOCAL ROLE mt_adopt_app;
SELECT multitenant.reset_tenant();
SELECT is((SELECT count(*)::int FROM app.sites), 0, 'no tenant: no sites');
SELECT throws_ok($$INSERT INTO app.knowledge_bases (uuid, title) VALUES (gen_random_uuid(), 'x')$$, '42501', NULL,
                 'no tenant: no writes');
SELECT multitenant.set_tenant('tenant-b');
INSERT INTO app.sites (id, name) VALUES ('00000000-0000-0000-0000-000000000001', 'site 1');
INSERT INTO app.devices (id, site_id, serial_number) VALUES ('10000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000001', 'SN-1');
SELECT results_eq($$SELECT instance_id, id::text, name FROM app.sites$$,
                  $$VALUES ('tenant-b', '00000000-0000-0000-0000-000000000001', 'site 1')$$,
                  'tenant b reuses the system tenant''s ids and names, and sees only its own row');
SELECT results_eq($$SELECT id::text FROM app.site_names$$, $$VALUES ('00000000-0000-0000-0000-000000000001')$$,
                  'the plain view keeps working, under row-level security');
SELECT throws_ok($$INSERT INTO app.devices (id, site_id, serial_number) VALUES (gen_random_uuid(), '00000000-0000-0000-0000-000000000002', 'SN-x')$$,
                 '23503', NULL, 'a device cannot point at another tenant''s site');
SELECT throws_ok($$INSERT INTO app.sites (instance_id, id, name) VALUES ('system', gen_random_uuid(), 'spoof')$$, '42501', NULL,
                 'writing into another tenant is refused');
SELECT is((SELECT count(*)::int FROM app.devices WHERE site_id = '00000000-0000-0000-0000-000000000002'), 0,
          'the system tenant''s devices stay invisible');
RESET ROLE;
SELECT multitenant.set_tenant('system');
SET LOCAL ROLE mt_adopt_app;
SELECT is((SELECT count(*)::int FROM app.devices), (SELECT n::int FROM before_rows WHERE t = 'devices'), 'the system tenant sees its backfilled rows');
RESET ROLE;
DELETE FROM app.sites WHERE instance_id = 'tenant-b';
SELECT is((SELECT count(*)::int FROM app.devices WHERE instance_id = 'tenant-b'), 0, 'ON DELETE CASCADE still works, within the tenant');

SELECT * FROM finish();
ROLLBACK;
