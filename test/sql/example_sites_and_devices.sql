-- examples/sites_and_devices.sql run as written (its transcript is part of
-- the expected output), then its outcomes checked: as the real login role,
-- each tenant sees its own rows of every adopted table and none of the
-- other's; the roles answer per tenant; as the operator, every change the
-- application made has its audit entry with actor and database role, and
-- no device image carries api_secret although the rows hold it.
-- (pg_regress feeds this file to psql on standard input: paths are the
-- repository root's.)
\i examples/sites_and_devices.sql

\c - example_app
SELECT current_user AS login_role, r.rolsuper, r.rolbypassrls
  FROM pg_roles AS r WHERE r.rolname = current_user;
CREATE FUNCTION pg_temp.rows_by_tenant(tenant text)
RETURNS TABLE (tbl text, own_rows bigint, other_rows bigint) LANGUAGE plpgsql AS $$
DECLARE
	t regclass;
BEGIN
	FOREACH t IN ARRAY ARRAY['app.sites', 'app.devices', 'app.user_site_assignments']::regclass[] LOOP
		tbl := t::text;
		EXECUTE format('SELECT count(*) FILTER (WHERE instance_id = %L), count(*) FILTER (WHERE instance_id IS DISTINCT FROM %L) FROM %s',
		               tenant, tenant, t) INTO own_rows, other_rows;
		RETURN NEXT;
	END LOOP;
END $$;
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
SELECT * FROM pg_temp.rows_by_tenant('acme');
SELECT multitenant.has_role('alice', 'owner') AS alice_owner, multitenant.has_role('alice', 'admin') AS alice_admin,
       multitenant.has_role('dave', 'site_manager') AS dave_site_manager,
       multitenant.has_role('erin', 'site_manager') AS erin_site_manager,
       multitenant.has_role('bob', 'viewer') AS bob_in_acme;
COMMIT;
BEGIN;
SELECT multitenant.set_tenant('beta', is_local => true);
SELECT * FROM pg_temp.rows_by_tenant('beta');
SELECT multitenant.has_role('alice', 'viewer') AS alice_viewer, multitenant.has_role('alice', 'member') AS alice_member,
       multitenant.has_role('dave', 'site_manager') AS dave_site_manager_in_beta,
       multitenant.has_role('dave', 'viewer') AS dave_in_beta;
-- Beta's device with Acme's serial number is Beta's own row.
SELECT instance_id, serial_number, type FROM app.devices WHERE serial_number = 'SN-1001';
COMMIT;
-- Without a tenant: nothing.
SELECT * FROM pg_temp.rows_by_tenant('acme');
SELECT count(*) AS memberships_without_a_tenant FROM multitenant.memberships;
-- Acme's owner reads Acme's audit entries, and no other tenant's.
BEGIN;
SELECT multitenant.set_tenant('acme', is_local => true);
SET LOCAL multitenant.actor = 'alice';
SELECT count(*) FILTER (WHERE instance_id <> 'acme') AS other_tenants_entries,
       count(*) FILTER (WHERE target_table = 'app.devices') AS acme_device_entries
  FROM multitenant.audit_log;
COMMIT;

\c - :operator
-- The rows hold the secrets the audit images leave out.
SELECT instance_id, serial_number, api_secret FROM app.devices ORDER BY instance_id, serial_number;
SELECT target_table, action, count(*) AS entries,
       count(*) FILTER (WHERE db_role = 'example_app') AS by_example_app,
       count(*) FILTER (WHERE actor IS NOT NULL) AS with_actor,
       count(*) FILTER (WHERE (coalesce(before, '{}') || coalesce(after, '{}')) ? 'api_secret') AS with_api_secret
  FROM multitenant.audit_log
 WHERE target_table LIKE 'app.%'
 GROUP BY 1, 2
 ORDER BY 1, 2;
-- The images are the rows as they were and are, minus api_secret.
SELECT a.after - 'api_secret' = to_jsonb(d) - 'api_secret' AS after_is_the_row_minus_api_secret,
       a.after ? 'api_secret' AS after_has_api_secret,
       a.before ->> 'status' AS status_before, a.changed_columns
  FROM multitenant.audit_log AS a
  JOIN app.devices AS d ON d.instance_id = a.instance_id AND d.id::text = a.target_key ->> 'id'
 WHERE a.target_table = 'app.devices' AND a.action = 'UPDATE';
-- Every lifecycle change the example made and the one refusal.
SELECT instance_id, action, count(*) AS entries, count(*) FILTER (WHERE reason IS NOT NULL) AS refusals
  FROM multitenant.audit_log
 WHERE target_table NOT LIKE 'app.%'
 GROUP BY 1, 2
 ORDER BY 1, 2;

DROP SCHEMA app CASCADE;
DROP EXTENSION multitenant;
DROP SCHEMA multitenant;
DROP ROLE example_app;
