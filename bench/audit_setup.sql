-- bench/audit.sh: three identical seed-style devices tables (ROWS rows over
-- 100 tenants): one not audited, one audited by multitenant.enable_audit, one
-- by a PL/pgSQL trigger written the way supa_audit writes it (to_jsonb(NEW)
-- and to_jsonb(OLD) into a log table with a BRIN index on the time and a
-- btree on the table).
CREATE EXTENSION IF NOT EXISTS multitenant;
CREATE SCHEMA bench;

CREATE TABLE bench.devices_plain (
	instance_id text NOT NULL DEFAULT multitenant.current_tenant() CHECK (instance_id <> ''),
	id uuid NOT NULL,
	site_id integer NOT NULL,
	serial_number text NOT NULL,
	status text NOT NULL,
	metadata jsonb NOT NULL DEFAULT '{}',
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (instance_id, id)
);
CREATE TABLE bench.devices_audited (LIKE bench.devices_plain INCLUDING ALL);
CREATE TABLE bench.devices_plpgsql (LIKE bench.devices_plain INCLUDING ALL);

INSERT INTO bench.devices_plain
SELECT 'bench-' || (n % 100), md5(n::text)::uuid, n % 50, 'SN-' || n, 'active',
       jsonb_build_object('firmware', '1.2.' || (n % 9), 'tags', jsonb_build_array('rack-' || (n % 12), 'floor-2'), 'ip', '10.0.' || (n % 250) || '.' || (n % 200)),
       now()
  FROM generate_series(1, :rows) AS n;
INSERT INTO bench.devices_audited SELECT * FROM bench.devices_plain;
INSERT INTO bench.devices_plpgsql SELECT * FROM bench.devices_plain;
SELECT multitenant.enable_tenant_isolation(t)
  FROM unnest(ARRAY['bench.devices_plain', 'bench.devices_audited', 'bench.devices_plpgsql']::regclass[]) AS t;

SELECT multitenant.enable_audit('bench.devices_audited');

CREATE TABLE bench.record_version (
	id bigserial PRIMARY KEY,
	record_id uuid,
	old_record_id uuid,
	op text NOT NULL,
	ts timestamptz NOT NULL DEFAULT now(),
	table_oid oid NOT NULL,
	table_schema name NOT NULL,
	table_name name NOT NULL,
	record jsonb,
	old_record jsonb
);
CREATE INDEX record_version_ts ON bench.record_version USING brin (ts);
CREATE INDEX record_version_table_oid ON bench.record_version (table_oid);

CREATE FUNCTION bench.insert_update_delete_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO bench.record_version (record_id, old_record_id, op, table_oid, table_schema, table_name, record, old_record)
	SELECT CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN NEW.id END,
	       CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN OLD.id END,
	       TG_OP, TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME,
	       CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END,
	       CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
	RETURN coalesce(NEW, OLD);
END $$;
CREATE TRIGGER audit_i_u_d AFTER INSERT OR UPDATE OR DELETE ON bench.devices_plpgsql
	FOR EACH ROW EXECUTE FUNCTION bench.insert_update_delete_trigger();
VACUUM ANALYZE;
