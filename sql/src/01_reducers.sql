/*
 * The reducer registry and the helpers every tenant table goes through: the
 * typed payload accessors that reducer expressions read events with, the
 * registry itself with registration and rebuilds, the procedure that applies
 * the isolation contract to a table, and the view of all tables that carry it.
 * The event store and every projection below use them.
 */

------------------------------------------------------------------------------
-- Payload accessors: typed reads of event payload keys that refuse a key of
-- the wrong JSON type instead of coercing it.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.payload_text(payload jsonb, key text)
RETURNS text AS 'MODULE_PATHNAME', 'mt_payload_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.payload_bool(payload jsonb, key text)
RETURNS boolean AS 'MODULE_PATHNAME', 'mt_payload_bool'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.payload_bigint(payload jsonb, key text)
RETURNS bigint AS 'MODULE_PATHNAME', 'mt_payload_bigint'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.payload_smallint(payload jsonb, key text)
RETURNS smallint AS 'MODULE_PATHNAME', 'mt_payload_smallint'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.payload_text_array(payload jsonb, key text)
RETURNS text[] AS 'MODULE_PATHNAME', 'mt_payload_text_array'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.payload_smallint_array(payload jsonb, key text)
RETURNS smallint[] AS 'MODULE_PATHNAME', 'mt_payload_smallint_array'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.payload_bytea(payload jsonb, key text)
RETURNS bytea AS 'MODULE_PATHNAME', 'mt_payload_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- payload_utf8: text carried as the base64 of its UTF-8 bytes (a legacy
-- CryptoValue's Crypted secret), checked and converted to the database
-- encoding as convert_from(bytes, 'UTF8') would, but immutable, which Citus
-- needs of a function inside CASE or COALESCE in a modification.
CREATE FUNCTION @extschema@.payload_utf8(payload jsonb, key text)
RETURNS text AS 'MODULE_PATHNAME', 'mt_payload_utf8'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- A value without a UTC offset is read as UTC, not in the session's TimeZone,
-- and "now" and its kin are refused: a replay reads what the push read.
CREATE FUNCTION @extschema@.payload_timestamptz(payload jsonb, key text)
RETURNS timestamptz AS 'MODULE_PATHNAME', 'mt_payload_timestamptz'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

------------------------------------------------------------------------------
-- payload_sha256: a SHA-256 digest given as 64 hexadecimal digits (the
-- tokenHash of user.pat.added).  NULL for an absent key or JSON null, like
-- the other accessors; anything else that is not exactly 64 hex digits
-- (whitespace included, which decode() would skip) fails with 22023 instead
-- of storing bytes that no token hashes to.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.payload_sha256(payload jsonb, key text)
RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	digest CONSTANT text := @extschema@.payload_text(payload, key);
BEGIN
	IF digest IS NULL THEN
		RETURN NULL;
	END IF;
	IF digest OPERATOR(pg_catalog.!~) '^[0-9A-Fa-f]{64}$' THEN
		RAISE EXCEPTION 'payload key "%" must be a SHA-256 digest as 64 hexadecimal digits', key
			USING ERRCODE = '22023',
			      DETAIL = pg_catalog.format('The value has %s characters.', pg_catalog.length(digest));
	END IF;
	RETURN pg_catalog.decode(digest, 'hex');
END
$fn$;

------------------------------------------------------------------------------
-- Reducer registry.  Reducers of one event type run in the order of their
-- ids, that is in registration order: a detail table's insert comes after
-- its parent's, and a parent row is touched after its detail row changed.
-- The built-in reducers are registered table by table in the order of these
-- sources; the hops leave an upgraded database with the same order per event
-- type (the 1.2 -> 1.3 hop re-orders instance.removed to that end).
------------------------------------------------------------------------------

CREATE TABLE @extschema@.reducers (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	projection    regclass NOT NULL,
	event_type    text     NOT NULL CHECK (event_type OPERATOR(pg_catalog.<>) ''),
	action        text     NOT NULL CHECK (action OPERATOR(pg_catalog.=) ANY (ARRAY['insert', 'upsert', 'update', 'delete'])),
	set_columns   jsonb    NOT NULL DEFAULT '{}',
	match_columns jsonb    NOT NULL DEFAULT '{}',
	condition     text,
	touch         boolean  NOT NULL DEFAULT true,
	registered_by regrole  NOT NULL,
	builtin       boolean  NOT NULL DEFAULT false
);

CREATE INDEX reducers_event_type_idx ON @extschema@.reducers (event_type, id);

CREATE FUNCTION @extschema@.reducers_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mt_reducers_changed'
LANGUAGE C;

CREATE TRIGGER reducers_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.reducers
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.reducers_changed();

CREATE FUNCTION @extschema@.register_reducer(
	projection regclass,
	event_type text,
	action text,
	set jsonb DEFAULT '{}',
	match jsonb DEFAULT '{"id": "e.aggregate_id"}',
	"when" text DEFAULT NULL,
	touch boolean DEFAULT true)
RETURNS void
AS 'MODULE_PATHNAME', 'mt_register_reducer'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

CREATE FUNCTION @extschema@.unregister_reducer(projection regclass, event_type text)
RETURNS integer
AS 'MODULE_PATHNAME', 'mt_unregister_reducer'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

CREATE FUNCTION @extschema@.rebuild(projection regclass DEFAULT NULL, instance_id text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'mt_rebuild'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

-- rebuild_many: several projections in one pass over the events.
CREATE FUNCTION @extschema@.rebuild_many(projections regclass[], instance_id text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'mt_rebuild_many'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

GRANT EXECUTE ON FUNCTION
	@extschema@.register_reducer(regclass, text, text, jsonb, jsonb, text, boolean),
	@extschema@.unregister_reducer(regclass, text),
	@extschema@.rebuild(regclass, text),
	@extschema@.rebuild_many(regclass[], text)
TO multitenant_admin;

GRANT SELECT ON @extschema@.reducers TO multitenant_admin;

-- Reducers an administrator registered are dumped; the built-in ones come
-- with the extension.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.reducers', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.reducers_id_seq', '');

------------------------------------------------------------------------------
-- Tenant tables: one procedure applies the isolation contract so that every
-- table (ours and the ones adopt_table converts) gets exactly the same
-- policies.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.enable_tenant_isolation(tbl regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	tenant_qual CONSTANT text := 'instance_id OPERATOR(pg_catalog.=) multitenant.current_tenant()';
BEGIN
	EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
	EXECUTE pg_catalog.format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
	-- Calling it again changes nothing: each policy is created once.
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_policy AS p WHERE p.polrelid OPERATOR(pg_catalog.=) tbl AND p.polname OPERATOR(pg_catalog.=) 'tenant_isolation') THEN
		EXECUTE pg_catalog.format(
			'CREATE POLICY tenant_isolation ON %s AS PERMISSIVE FOR ALL TO PUBLIC USING (%s) WITH CHECK (%s)',
			tbl, tenant_qual, tenant_qual);
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_policy AS p WHERE p.polrelid OPERATOR(pg_catalog.=) tbl AND p.polname OPERATOR(pg_catalog.=) 'tenant_admin') THEN
		EXECUTE pg_catalog.format(
			'CREATE POLICY tenant_admin ON %s AS PERMISSIVE FOR ALL TO multitenant_admin USING (true) WITH CHECK (true)', tbl);
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_policy AS p WHERE p.polrelid OPERATOR(pg_catalog.=) tbl AND p.polname OPERATOR(pg_catalog.=) 'tenant_guard') THEN
		EXECUTE pg_catalog.format(
			'CREATE POLICY tenant_guard ON %s AS RESTRICTIVE FOR ALL TO multitenant_app USING (%s) WITH CHECK (%s)',
			tbl, tenant_qual, tenant_qual);
	END IF;
END
$fn$;

GRANT EXECUTE ON FUNCTION @extschema@.enable_tenant_isolation(regclass) TO multitenant_admin;

------------------------------------------------------------------------------
-- tenant_tables: every table that carries the isolation contract.  Computed
-- from the catalog, so adopted tables appear without a registry to keep in
-- step (and nothing extra for pg_dump to carry).
------------------------------------------------------------------------------

CREATE VIEW @extschema@.tenant_tables WITH (security_invoker = true) AS
SELECT c.oid::pg_catalog.regclass AS table_name,
       n.nspname AS schema_name,
       c.relname AS relation_name,
       ARRAY(SELECT a.attname::pg_catalog.text
               FROM pg_catalog.unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)
               JOIN pg_catalog.pg_attribute AS a
                 ON a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.=) u.attnum
              ORDER BY u.ord) AS primary_key,
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       EXISTS (SELECT FROM pg_catalog.pg_depend AS d
                WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                  AND d.objid OPERATOR(pg_catalog.=) c.oid
                  AND d.deptype OPERATOR(pg_catalog.=) 'e') AS extension_member
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
  LEFT JOIN pg_catalog.pg_constraint AS k
    ON k.conrelid OPERATOR(pg_catalog.=) c.oid AND k.contype OPERATOR(pg_catalog.=) 'p'
 WHERE c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p']::"char"[])
   AND EXISTS (SELECT FROM pg_catalog.pg_policy AS p
                WHERE p.polrelid OPERATOR(pg_catalog.=) c.oid
                  AND p.polname OPERATOR(pg_catalog.=) 'tenant_isolation');

GRANT SELECT ON @extschema@.tenant_tables TO multitenant_app, multitenant_admin;
