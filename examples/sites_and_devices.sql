-- A site and device platform, moved onto multitenant: an application that
-- kept one customer's sites, devices and site assignments in ordinary tables
-- becomes a platform for many tenants.  Run as a superuser, in a database of
-- a server that preloads the extension (examples/README.md):
--
--     psql -v ON_ERROR_STOP=1 -f examples/sites_and_devices.sql
--
-- The file connects as the application's login role (example_app) with \c,
-- so the server must let that role log in.  test/sql/example_sites_and_devices.sql
-- runs this file; its expected output is this file's transcript.

CREATE EXTENSION IF NOT EXISTS multitenant;
SELECT current_user AS operator \gset

------------------------------------------------------------------------------
-- 1. The application as it was: single-tenant tables, no instance_id.
------------------------------------------------------------------------------

CREATE SCHEMA app;

CREATE TABLE app.sites (
	id         uuid PRIMARY KEY,
	name       text NOT NULL,
	address    text,
	latitude   numeric(9, 6),
	longitude  numeric(9, 6),
	timezone   text NOT NULL DEFAULT 'UTC',
	metadata   jsonb NOT NULL DEFAULT '{}',
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app.devices (
	id            uuid PRIMARY KEY,
	site_id       uuid NOT NULL REFERENCES app.sites (id) ON DELETE CASCADE,
	serial_number text NOT NULL UNIQUE,
	type          text NOT NULL,
	status        text NOT NULL DEFAULT 'active',
	metadata      jsonb NOT NULL DEFAULT '{}',
	api_secret    text,                         -- the device's credential: never audited
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_site_id_idx ON app.devices (site_id);

CREATE TABLE app.user_site_assignments (
	user_id     text NOT NULL,                  -- a principal's id
	site_id     uuid NOT NULL REFERENCES app.sites (id) ON DELETE CASCADE,
	assigned_by text,
	assigned_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, site_id)
);

-- The data of the one customer the application served so far: Acme.
INSERT INTO app.sites (id, name, address, latitude, longitude, timezone) VALUES
	('a0000000-0000-4000-8000-000000000001', 'Acme Berlin', 'Invalidenstr. 1, Berlin', 52.530000, 13.380000, 'Europe/Berlin'),
	('a0000000-0000-4000-8000-000000000002', 'Acme Lyon', '1 Place Bellecour, Lyon', 45.757800, 4.832000, 'Europe/Paris');
INSERT INTO app.devices (id, site_id, serial_number, type, metadata, api_secret) VALUES
	('d0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'SN-1001', 'thermostat', '{"firmware": "2.1"}', 'acme-secret-1'),
	('d0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000001', 'SN-1002', 'camera', '{"firmware": "5.0"}', 'acme-secret-2'),
	('d0000000-0000-4000-8000-000000000003', 'a0000000-0000-4000-8000-000000000002', 'SN-1003', 'meter', '{}', 'acme-secret-3');
INSERT INTO app.user_site_assignments (user_id, site_id, assigned_by) VALUES
	('alice', 'a0000000-0000-4000-8000-000000000001', 'alice');

-- The application's login role: an ordinary role, granted multitenant_app.
CREATE ROLE example_app LOGIN;
GRANT multitenant_app TO example_app;
GRANT USAGE ON SCHEMA app TO example_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app TO example_app;

------------------------------------------------------------------------------
-- 2. Tenancy: Acme, the existing customer, is registered by the operator;
-- adopt_table gives every table instance_id (the existing rows go to Acme),
-- keys and foreign keys led by it, and forced row-level security; then the
-- tables are audited, without the devices' secrets.
------------------------------------------------------------------------------

SELECT instance_id, principal_id, role, status
  FROM multitenant.register_tenant('acme', 'Acme Corp', owner_id => 'alice', owner_email => 'alice@acme.example',
                                   owner_display_name => 'Alice', type => 'enterprise');

-- Parents first: adopting sites adopts every table that references it, so
-- the later calls find nothing left to do and return no statements.
SELECT * FROM multitenant.adopt_table('app.sites', default_tenant => 'acme');
SELECT * FROM multitenant.adopt_table('app.devices', default_tenant => 'acme');
SELECT * FROM multitenant.adopt_table('app.user_site_assignments', default_tenant => 'acme');

SELECT multitenant.enable_audit('app.sites');
SELECT multitenant.enable_audit('app.devices', exclude_columns => '{api_secret}');
SELECT multitenant.enable_audit('app.user_site_assignments');

------------------------------------------------------------------------------
-- 3. People, through the lifecycle API, as the application.
------------------------------------------------------------------------------

\c - example_app

-- Beta signs up on its own (self-registration): Bob registers the tenant
-- as the acting principal and becomes its verified owner.
BEGIN;
SET LOCAL multitenant.actor = 'bob';
SELECT instance_id, principal_id, role, status
  FROM multitenant.register_tenant('beta', 'Beta Labs', owner_id => 'bob', owner_email => 'bob@beta.example',
                                   owner_display_name => 'Bob', type => 'trial');
COMMIT;

-- Two more users sign up; each confirms their address (the application
-- verified the e-mail, then acts as that principal).
SELECT id, kind, email, verified FROM multitenant.create_principal('user', 'dave@acme.example', 'Dave', id => 'dave');
SELECT id, kind, email, verified FROM multitenant.create_principal('user', 'erin@acme.example', 'Erin', id => 'erin');
BEGIN;
SET LOCAL multitenant.actor = 'dave';
SELECT id, verified FROM multitenant.verify_principal('dave');
COMMIT;
BEGIN;
SET LOCAL multitenant.actor = 'erin';
SELECT id, verified FROM multitenant.verify_principal('erin');
COMMIT;

-- Alice, owner of Acme, adds Dave as a member and Erin as a viewer, and
-- makes Dave a site manager (a custom role of Acme's).
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
SET LOCAL multitenant.actor = 'alice';
SELECT principal_id, role FROM multitenant.add_member('dave', 'member');
SELECT principal_id, role FROM multitenant.add_member('erin', 'viewer');
SELECT name, description FROM multitenant.create_custom_role('site_manager', 'Manages the sites assigned to them');
SELECT principal_id, role_name, granted_by FROM multitenant.grant_custom_role('dave', 'site_manager');
COMMIT;

-- Bob, owner of Beta, lets Alice look at Beta: she is a viewer there.
BEGIN;
SELECT multitenant.set_tenant('beta', is_local => true);
SET LOCAL multitenant.actor = 'bob';
SELECT principal_id, role FROM multitenant.add_member('alice', 'viewer');
COMMIT;

-- Roles are per tenant: in Beta, Alice's viewer role does not let her add
-- anyone.  The refusal is an error (shown here as a notice) and an audit
-- entry that outlives the rolled-back transaction.
BEGIN;
SELECT multitenant.set_tenant('beta', is_local => true);
SET LOCAL multitenant.actor = 'alice';
DO $$
BEGIN
	PERFORM multitenant.add_member('dave', 'member');
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE 'refused (%): %', SQLSTATE, SQLERRM;
END
$$;
COMMIT;

-- has_role answers in the current tenant, for membership roles (a role
-- includes the ones below it) and custom roles.
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
SELECT multitenant.has_role('alice', 'owner') AS alice_owner_of_acme,
       multitenant.has_role('dave', 'member') AS dave_member,
       multitenant.has_role('dave', 'site_manager') AS dave_site_manager,
       multitenant.has_role('dave', 'admin') AS dave_admin,
       multitenant.has_role('erin', 'member') AS erin_member;
COMMIT;
BEGIN;
SELECT multitenant.set_tenant('beta', is_local => true);
SELECT multitenant.has_role('alice', 'viewer') AS alice_viewer_of_beta,
       multitenant.has_role('alice', 'member') AS alice_member_of_beta,
       multitenant.has_role('alice', 'owner') AS alice_owner_of_beta,
       multitenant.has_role('bob', 'owner') AS bob_owner_of_beta;
COMMIT;

------------------------------------------------------------------------------
-- 4. The application at work: each request enters its tenant and names its
-- actor for the transaction only.
------------------------------------------------------------------------------

-- Acme: Dave opens a site in Hamburg with two devices, Alice assigns him
-- to it, Dave takes a camera out for maintenance and rotates its secret.
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
SET LOCAL multitenant.actor = 'dave';
SET LOCAL multitenant.client_address = '203.0.113.10';
INSERT INTO app.sites (id, name, address, latitude, longitude, timezone, metadata)
VALUES ('a0000000-0000-4000-8000-000000000003', 'Acme Hamburg', 'Am Sandtorkai 1, Hamburg', 53.543000, 9.990000,
        'Europe/Berlin', '{"floors": 3}');
INSERT INTO app.devices (id, site_id, serial_number, type, api_secret) VALUES
	('d0000000-0000-4000-8000-000000000004', 'a0000000-0000-4000-8000-000000000003', 'SN-2001', 'gateway', 'acme-secret-4'),
	('d0000000-0000-4000-8000-000000000005', 'a0000000-0000-4000-8000-000000000003', 'SN-2002', 'meter', 'acme-secret-5');
COMMIT;
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
SET LOCAL multitenant.actor = 'alice';
INSERT INTO app.user_site_assignments (user_id, site_id, assigned_by)
VALUES ('dave', 'a0000000-0000-4000-8000-000000000003', multitenant.current_actor());
COMMIT;
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
SET LOCAL multitenant.actor = 'dave';
UPDATE app.devices SET status = 'maintenance', api_secret = 'acme-secret-2-rotated', updated_at = now()
 WHERE serial_number = 'SN-1002';
COMMIT;

-- Beta: Bob sets up a lab with two devices; one has a serial number Acme
-- uses too, which is fine now that keys are per tenant.
BEGIN;
SELECT multitenant.set_tenant('beta', is_local => true);
SET LOCAL multitenant.actor = 'bob';
INSERT INTO app.sites (id, name, address, latitude, longitude, timezone)
VALUES ('b0000000-0000-4000-8000-000000000001', 'Beta Lab', '5 Main St, Springfield', 39.781700, -89.650100, 'America/Chicago');
INSERT INTO app.devices (id, site_id, serial_number, type, api_secret) VALUES
	('e0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000001', 'SN-1001', 'thermostat', 'beta-secret-1'),
	('e0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000001', 'BX-7', 'sensor', 'beta-secret-2');
INSERT INTO app.user_site_assignments (user_id, site_id, assigned_by)
VALUES ('bob', 'b0000000-0000-4000-8000-000000000001', multitenant.current_actor());
COMMIT;

------------------------------------------------------------------------------
-- 5. What each tenant sees, as the application's login role.
------------------------------------------------------------------------------

-- Acme: its three sites, five devices, two assignments; none of Beta's.
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
SELECT instance_id, name, timezone FROM app.sites ORDER BY name;
SELECT d.instance_id, s.name AS site, d.serial_number, d.type, d.status
  FROM app.devices AS d JOIN app.sites AS s ON s.id = d.site_id
 ORDER BY d.serial_number;
SELECT user_id, assigned_by FROM app.user_site_assignments ORDER BY user_id;
COMMIT;

-- Beta: its own lab and devices only.
BEGIN;
SELECT multitenant.set_tenant('beta', is_local => true);
SELECT instance_id, name, timezone FROM app.sites ORDER BY name;
SELECT d.instance_id, s.name AS site, d.serial_number, d.type, d.status
  FROM app.devices AS d JOIN app.sites AS s ON s.id = d.site_id
 ORDER BY d.serial_number;
COMMIT;

-- No tenant entered: no rows at all.
SELECT (SELECT count(*) FROM app.sites) AS sites, (SELECT count(*) FROM app.devices) AS devices,
       (SELECT count(*) FROM app.user_site_assignments) AS assignments;

-- Inside Acme, Beta's rows can neither be written nor referenced.
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
DO $$
BEGIN
	INSERT INTO app.sites (instance_id, id, name) VALUES ('beta', 'b0000000-0000-4000-8000-000000000009', 'Planted');
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE 'refused (%): %', SQLSTATE, SQLERRM;
END
$$;
DO $$
BEGIN
	INSERT INTO app.devices (id, site_id, serial_number, type)
	VALUES ('d0000000-0000-4000-8000-000000000009', 'b0000000-0000-4000-8000-000000000001', 'SN-9', 'meter');
EXCEPTION WHEN foreign_key_violation THEN
	RAISE NOTICE 'refused (%): %', SQLSTATE, SQLERRM;
END
$$;
WITH retired AS (UPDATE app.devices SET status = 'retired' WHERE serial_number = 'BX-7' RETURNING 1)
SELECT count(*) AS beta_devices_updated FROM retired;
COMMIT;

-- The cross-tenant user: Alice's membership as each tenant shows it.
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
SELECT instance_id, principal_id, role FROM multitenant.memberships WHERE principal_id = 'alice';
COMMIT;
BEGIN;
SELECT multitenant.set_tenant('beta', is_local => true);
SELECT instance_id, principal_id, role FROM multitenant.memberships WHERE principal_id = 'alice';
COMMIT;

-- Owners and admins read their tenant's audit log; a viewer reads none of it.
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
SET LOCAL multitenant.actor = 'alice';
SELECT count(*) > 0 AS alice_reads_entries, bool_and(instance_id = 'acme') AS only_acme
  FROM multitenant.audit_log;
COMMIT;
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
SET LOCAL multitenant.actor = 'erin';
SELECT count(*) AS entries_erin_reads FROM multitenant.audit_log;
COMMIT;

------------------------------------------------------------------------------
-- 6. As the operator: every tenant's memberships, and the audit log.
------------------------------------------------------------------------------

\c - :operator

SELECT m.instance_id, m.principal_id, m.role, m.status, p.verified,
       coalesce(string_agg(g.role_name, ', '), '') AS custom_roles
  FROM multitenant.memberships AS m
  JOIN multitenant.principals AS p ON p.id = m.principal_id
  LEFT JOIN multitenant.principal_custom_roles AS g
    ON g.instance_id = m.instance_id AND g.principal_id = m.principal_id
 GROUP BY 1, 2, 3, 4, 5
 ORDER BY 1, 2;

-- The application's changes: who (actor and database role), what, from where.
SELECT instance_id, actor, db_role, action, target_table, target_key - 'instance_id' AS key,
       changed_columns, client_address
  FROM multitenant.audit_log
 WHERE target_table LIKE 'app.%'
 ORDER BY id;

-- The device images leave out api_secret, even for the update that rotated it.
SELECT action, after ->> 'serial_number' AS serial_number,
       (coalesce(before, '{}') || coalesce(after, '{}')) ? 'api_secret' AS has_api_secret,
       before ->> 'status' AS status_before, after ->> 'status' AS status_after
  FROM multitenant.audit_log
 WHERE target_table = 'app.devices'
 ORDER BY id;

-- The lifecycle's entries: each change, and the refusal.
SELECT instance_id, actor, db_role, action, target_table,
       coalesce(target_key ->> 'principal_id', target_key ->> 'name', target_key ->> 'id') AS target,
       reason
  FROM multitenant.audit_log
 WHERE target_table NOT LIKE 'app.%'
 ORDER BY id;
