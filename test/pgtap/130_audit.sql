-- The audit log: enable_audit's row trigger records row images without the
-- excluded columns, the changed columns, the actor, the database role and
-- the request settings; the log is append-only for every role, superusers
-- included; purge_audit_log deletes old entries and records that it did;
-- bad input and callers are refused.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(50);

CREATE ROLE mt_au_app NOLOGIN;
GRANT multitenant_app TO mt_au_app;
CREATE ROLE mt_au_admin NOLOGIN;
GRANT multitenant_admin TO mt_au_admin;

CREATE SCHEMA au;
GRANT USAGE ON SCHEMA au TO mt_au_app, mt_au_admin;
CREATE TABLE au.devices (
	instance_id text NOT NULL DEFAULT multitenant.current_tenant() CHECK (instance_id <> ''),
	id uuid NOT NULL,
	site_id integer NOT NULL,
	serial_number text NOT NULL,
	status text NOT NULL,
	api_secret text,
	metadata jsonb NOT NULL DEFAULT '{}',
	updated_at timestamptz,
	PRIMARY KEY (instance_id, id)
);
SELECT multitenant.enable_tenant_isolation('au.devices');
GRANT SELECT, INSERT, UPDATE, DELETE ON au.devices TO mt_au_app;
CREATE TABLE au.plain (id integer PRIMARY KEY, note text);
CREATE VIEW au.devices_view AS SELECT * FROM au.devices;

-- Enabling.
SET LOCAL ROLE mt_au_admin;
SELECT lives_ok($$SELECT multitenant.enable_audit('au.devices', '{api_secret}')$$, 'an administrator enables auditing');
RESET ROLE;
SELECT is((SELECT tgargs FROM pg_trigger WHERE tgrelid = 'au.devices'::regclass AND tgname = 'multitenant_audit'),
          '\x6170695f73656372657400'::bytea, 'the excluded columns are the trigger''s arguments');
SELECT is((SELECT tgtype::int & 31 FROM pg_trigger WHERE tgrelid = 'au.devices'::regclass AND tgname = 'multitenant_audit'),
          29, 'an AFTER INSERT OR UPDATE OR DELETE row trigger');

-- Row changes, as the application, with the request settings.
SELECT multitenant.set_tenant('au-a');
SET LOCAL multitenant.actor = 'alice';
SET LOCAL multitenant.client_address = '203.0.113.7';
SET LOCAL multitenant.user_agent = 'app/1.0';
SET LOCAL ROLE mt_au_app;
INSERT INTO au.devices (id, site_id, serial_number, status, api_secret, metadata)
VALUES ('00000000-0000-0000-0000-00000000000a', 1, 'SN-1', 'new', 's3cret', '{"fw": [1, 2]}');
UPDATE au.devices SET status = 'active', api_secret = 'rotated', updated_at = '2026-01-01 00:00:00+00';
UPDATE au.devices SET api_secret = 'again';
DELETE FROM au.devices;
RESET ROLE;
RESET multitenant.actor;
RESET multitenant.client_address;
RESET multitenant.user_agent;

CREATE TEMP TABLE entries AS SELECT * FROM multitenant.audit_log WHERE instance_id = 'au-a' ORDER BY id;
SELECT is((SELECT array_agg(action ORDER BY id) FROM entries), ARRAY['INSERT', 'UPDATE', 'UPDATE', 'DELETE'], 'every change has an entry, in order');
SELECT ok((SELECT bool_and(target_table = 'au.devices') FROM entries), 'the target table is named qualified');
SELECT ok((SELECT bool_and(target_key = '{"instance_id": "au-a", "id": "00000000-0000-0000-0000-00000000000a"}') FROM entries),
          'the target key holds the primary key columns');
SELECT is((SELECT after FROM entries ORDER BY id LIMIT 1),
          '{"instance_id": "au-a", "id": "00000000-0000-0000-0000-00000000000a", "site_id": 1, "serial_number": "SN-1",
            "status": "new", "metadata": {"fw": [1, 2]}, "updated_at": null}'::jsonb,
          'INSERT: the after image, without the excluded column');
SELECT is((SELECT before FROM entries ORDER BY id LIMIT 1), NULL, 'INSERT: no before image');
SELECT is((SELECT changed_columns FROM entries ORDER BY id LIMIT 1), NULL, 'INSERT: no changed columns');
SELECT is((SELECT before ->> 'status' || ' -> ' || (after ->> 'status') FROM entries ORDER BY id OFFSET 1 LIMIT 1), 'new -> active',
          'UPDATE: the before and after images');
SELECT is((SELECT changed_columns FROM entries ORDER BY id OFFSET 1 LIMIT 1), ARRAY['status', 'updated_at'],
          'UPDATE: the changed columns, the excluded one left out');
SELECT is((SELECT changed_columns FROM entries ORDER BY id OFFSET 2 LIMIT 1), '{}'::text[],
          'UPDATE of an excluded column only: no changed column');
SELECT is((SELECT after FROM entries ORDER BY id DESC LIMIT 1), NULL, 'DELETE: no after image');
SELECT is((SELECT before ->> 'status' FROM entries ORDER BY id DESC LIMIT 1), 'active', 'DELETE: the before image');
SELECT ok((SELECT bool_and(NOT (before ? 'api_secret') AND NOT (after ? 'api_secret')) FROM entries WHERE before IS NOT NULL AND after IS NOT NULL)
          AND NOT EXISTS (SELECT FROM entries WHERE before::text ~ 's3cret|rotated|again' OR after::text ~ 's3cret|rotated|again'),
          'the excluded column appears in no image');
SELECT ok((SELECT bool_and(actor = 'alice' AND db_role = 'mt_au_app') FROM entries), 'the actor and the database role are recorded');
SELECT ok((SELECT bool_and(client_address = '203.0.113.7' AND user_agent = 'app/1.0') FROM entries), 'the client address and user agent are recorded');
SELECT ok((SELECT bool_and(transaction_id = pg_current_xact_id() AND created_at = now() AND reason IS NULL) FROM entries),
          'the transaction and its time are recorded, and no reason');

-- Without an actor or request settings, and as an administrator writing
-- another tenant's row outside any tenant context.
SELECT multitenant.reset_tenant();
INSERT INTO au.devices (instance_id, id, site_id, serial_number, status) VALUES ('au-b', '00000000-0000-0000-0000-00000000000b', 2, 'SN-2', 'new');
SELECT ok((SELECT count(*) = 1 AND bool_and(actor IS NULL AND db_role = current_user AND client_address IS NULL AND user_agent IS NULL)
             FROM multitenant.audit_log WHERE instance_id = 'au-b'),
          'an entry belongs to the row''s tenant; no actor or request settings, NULL');

-- Re-enabling changes the exclusions; disabling stops the recording.
SELECT multitenant.enable_audit('au.devices', '{serial_number, status}');
UPDATE au.devices SET status = 'retired', api_secret = 'visible' WHERE instance_id = 'au-b';
SELECT results_eq($$SELECT changed_columns, after ? 'status', after ->> 'api_secret' FROM multitenant.audit_log WHERE instance_id = 'au-b' AND action = 'UPDATE'$$,
                  $$VALUES (ARRAY['api_secret'], false, 'visible')$$,
                  'enable_audit again replaces the exclusions');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'au.devices'::regclass AND tgname = 'multitenant_audit'), 1, 'still one trigger');
SAVEPOINT renamed;
ALTER TABLE au.devices RENAME COLUMN status TO state;
SELECT throws_ok($$UPDATE au.devices SET state = 'x'$$, '42703', 'column "status" that the audit of table devices excludes does not exist',
                 'a renamed excluded column stops the writes rather than leak into the log');
ROLLBACK TO SAVEPOINT renamed;
SELECT multitenant.disable_audit('au.devices');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'au.devices'::regclass AND tgname = 'multitenant_audit'), 0, 'disable_audit removes the trigger');
DELETE FROM au.devices;
SELECT is((SELECT count(*)::int FROM multitenant.audit_log WHERE instance_id = 'au-b' AND action = 'DELETE'), 0, 'nothing is recorded once disabled');

-- Append-only, for the superuser too.
SELECT throws_ok($$UPDATE multitenant.audit_log SET reason = 'forged'$$, '42501', 'entries in multitenant.audit_log are append-only and cannot be updated',
                 'a superuser cannot update entries');
SELECT throws_ok($$DELETE FROM multitenant.audit_log$$, '42501', 'entries in multitenant.audit_log are append-only and cannot be deleted',
                 'a superuser cannot delete entries');
SELECT throws_ok($$TRUNCATE multitenant.audit_log$$, '42501', 'entries in multitenant.audit_log are append-only and cannot be truncated',
                 'a superuser cannot truncate the log');
SET LOCAL ROLE mt_au_admin;
SELECT is((SELECT count(*)::int FROM multitenant.audit_log WHERE instance_id IN ('au-a', 'au-b')), 6, 'an administrator reads every tenant''s log');
SELECT throws_ok($$DELETE FROM multitenant.audit_log$$, '42501', NULL, 'an administrator cannot delete entries');
RESET ROLE;
SELECT multitenant.set_tenant('au-a');
SET LOCAL ROLE mt_au_app;
SELECT is((SELECT count(*)::int FROM multitenant.audit_log), 0, 'the application reads no entry of its tenant''s log unless its actor is an owner or admin there');
RESET ROLE;
SELECT multitenant.reset_tenant();

-- Retention.  Entries written "yesterday": the only way in is as the owner.
INSERT INTO multitenant.audit_log (instance_id, db_role, action, target_table, created_at)
VALUES ('au-a', 'x', 'INSERT', 'au.devices', now() - interval '2 days'),
       ('au-a', 'x', 'INSERT', 'au.devices', now() - interval '3 days'),
       ('au-b', 'x', 'INSERT', 'au.devices', now() - interval '2 days');
SET LOCAL ROLE mt_au_admin;
SET LOCAL multitenant.client_address = '198.51.100.1';
SELECT is(multitenant.purge_audit_log('1 day', 'au-a'), 2::bigint, 'purge_audit_log deletes a tenant''s older entries and counts them');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM multitenant.audit_log WHERE created_at < now() AND instance_id IN ('au-a', 'au-b')), 1, 'the other tenant''s old entry stays');
SELECT results_eq($$SELECT instance_id, action, db_role, reason, target_table, client_address FROM multitenant.audit_log WHERE action = 'purge'$$,
                  $$VALUES ('au-a', 'purge', 'mt_au_admin', 'purged 2 entries older than 1 day', 'multitenant.audit_log', '198.51.100.1')$$,
                  'the purge is itself an entry of the tenant''s log');
SELECT is(multitenant.purge_audit_log('1 day'), 1::bigint, 'without a tenant, every tenant''s older entries go');
SELECT is((SELECT reason FROM multitenant.audit_log WHERE action = 'purge' AND instance_id = 'system'),
          'purged 1 entries older than 1 day of all tenants', 'a purge of all tenants is recorded in the system tenant''s log');
SELECT is((SELECT count(*)::int FROM multitenant.audit_log WHERE instance_id IN ('au-a', 'au-b')), 7, 'recent entries are kept');

-- Bad input and callers.
SELECT throws_ok($$SELECT multitenant.enable_audit(NULL)$$, '22004', 'enable_audit: the table must not be null', 'a NULL table');
SELECT throws_ok($$SELECT multitenant.disable_audit(NULL)$$, '22004', 'disable_audit: the table must not be null', 'a NULL table to disable');
SELECT throws_ok($$SELECT multitenant.enable_audit('au.plain')$$, '42P16', 'cannot audit table au.plain: it has no instance_id column', 'a table without instance_id');
SELECT throws_ok($$SELECT multitenant.enable_audit('au.devices_view')$$, '42809', NULL, 'a view');
SELECT throws_ok($$SELECT multitenant.enable_audit('multitenant.audit_log')$$, '0A000', NULL, 'the log itself');
SELECT throws_ok($$SELECT multitenant.enable_audit('au.devices', '{api_secret, nope}')$$, '42703', 'column "nope" of table au.devices does not exist', 'an unknown excluded column');
SELECT throws_ok($$SELECT multitenant.enable_audit('au.devices', ARRAY[NULL])$$, '22004', NULL, 'a NULL excluded column');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'au.devices'::regclass AND tgname = 'multitenant_audit'), 0, 'a refused call attaches nothing');
SELECT throws_ok($$SELECT multitenant.purge_audit_log(NULL)$$, '22004', 'purge_audit_log: older_than must not be null', 'a NULL interval');
SELECT throws_ok($$SELECT multitenant.purge_audit_log('0 seconds')$$, '22023', NULL, 'a zero interval');
SELECT throws_ok($$SELECT multitenant.purge_audit_log('-1 day')$$, '22023', NULL, 'a negative interval');
SELECT throws_ok($$SET LOCAL multitenant.user_agent = '$$ || repeat('x', 1025) || $$'$$, '22001', NULL, 'an oversized user agent');
SET LOCAL ROLE mt_au_app;
SELECT throws_ok($$SELECT multitenant.enable_audit('au.devices')$$, '42501', NULL, 'the application cannot enable auditing');
SELECT throws_ok($$SELECT multitenant.purge_audit_log('1 day')$$, '42501', NULL, 'the application cannot purge');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
