-- Every tenant table, as a real login role granted multitenant_app (never a
-- superuser that SET ROLEs): filled for three tenants by the upgrade streams
-- (every projection), the tenants registry, the audit log and an adopted
-- table of the application's own, the role sees its own tenant's rows and
-- not one row of another tenant, and with no tenant it sees nothing.
CREATE EXTENSION multitenant;
SELECT current_user AS superuser \gset
-- (pg_regress feeds this file to psql on standard input: paths are the
-- repository root's.)
\set ECHO none
\o /dev/null
\i test/upgrade/stream_base.sql
\i test/upgrade/stream_identity.sql
\i test/upgrade/stream_access.sql
\i test/upgrade/stream_idps.sql
\i test/upgrade/stream_auth.sql
\i test/upgrade/stream_tenants.sql
CREATE TABLE public.notes (id integer PRIMARY KEY, body text NOT NULL);
INSERT INTO public.notes VALUES (1, 'system note');
SELECT * FROM multitenant.adopt_table('public.notes');
SELECT multitenant.enable_audit('public.notes');
INSERT INTO public.notes (instance_id, resource_owner, id, body) VALUES ('upg-a', 'upg-a', 2, 'note of a'), ('upg-b', 'upg-b', 3, 'note of b');
-- Session keys are no projection: made by the key functions, one per tenant.
SELECT multitenant.session_key_create(t, 'ES256') FROM unnest(ARRAY['upg-a', 'upg-b']) AS t;
\o
\set ECHO all
CREATE ROLE mt_tables_app LOGIN;
GRANT multitenant_app TO mt_tables_app;
GRANT SELECT ON public.notes TO mt_tables_app;
SELECT count(*) >= 60 AS tenant_tables FROM multitenant.tenant_tables;

\c - mt_tables_app
-- For every tenant table the role may read: its rows of other tenants than
-- the one entered, and its own.
CREATE FUNCTION pg_temp.visible(tenant text)
RETURNS TABLE (tbl text, other_rows bigint, own_rows bigint) LANGUAGE plpgsql AS $$
DECLARE
	t regclass;
BEGIN
	FOR t IN SELECT table_name FROM multitenant.tenant_tables ORDER BY 1 LOOP
		CONTINUE WHEN NOT has_table_privilege(t, 'SELECT');
		tbl := t::text;
		EXECUTE format('SELECT count(*) FILTER (WHERE instance_id IS DISTINCT FROM %L), count(*) FILTER (WHERE instance_id = %L) FROM %s',
		               tenant, tenant, t) INTO other_rows, own_rows;
		RETURN NEXT;
	END LOOP;
END $$;
BEGIN;
SELECT multitenant.set_tenant('upg-a', is_local => true);
-- ann owns upg-a (in the stream): the audit log shows her its entries.
SET LOCAL multitenant.actor = 'p-ann';
SELECT count(*) AS readable_tables,
       coalesce(array_agg(tbl) FILTER (WHERE other_rows > 0), '{}') AS tables_showing_another_tenant,
       count(*) FILTER (WHERE own_rows > 0) >= 50 AS own_rows_in_most_tables,
       bool_or(tbl::regclass = 'public.notes'::regclass AND own_rows = 1) AS own_note,
       bool_or(tbl = 'multitenant.audit_log' AND own_rows = 1) AS own_audit_entry,
       bool_or(tbl = 'multitenant.tenants' AND own_rows = 1) AS own_registry_row
  FROM pg_temp.visible('upg-a');
COMMIT;
SELECT multitenant.current_tenant() IS NULL AS no_tenant,
       coalesce(array_agg(tbl) FILTER (WHERE other_rows + own_rows > 0), '{}') AS tables_showing_rows_without_a_tenant
  FROM pg_temp.visible('upg-a');
-- The principals are platform-wide: a tenant sees its members (upg-c: ann
-- left, the bot joined), with no tenant nobody, and with an actor but no
-- tenant the actor only.
BEGIN;
SELECT multitenant.set_tenant('upg-c', is_local => true);
SELECT array_agg(id ORDER BY id) AS principals_of_upg_c FROM multitenant.principals;
COMMIT;
SELECT count(*) AS principals_without_a_tenant FROM multitenant.principals;
BEGIN;
SET LOCAL multitenant.actor = 'p-ann';
SELECT array_agg(id ORDER BY id) AS principals_seen_by_ann_alone FROM multitenant.principals;
COMMIT;

\c - :superuser
DROP TABLE public.notes;
DROP EXTENSION multitenant;
DROP SCHEMA multitenant;
DROP ROLE mt_tables_app;
