/* multitenant 1.0 -> 1.1: adopt_table, and every legacy projection made a tenant table */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.1'" to load this file. \quit

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

------------------------------------------------------------------------------
-- rebuild_many: rebuild several projections in one pass over the events.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.rebuild_many(projections regclass[], instance_id text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'mt_rebuild_many'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

REVOKE ALL ON FUNCTION @extschema@.rebuild_many(regclass[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.rebuild_many(regclass[], text) TO multitenant_admin;

------------------------------------------------------------------------------
-- adopt_table: the seeds' "Pattern to Apply" as one checked function.
--
-- The table and every table that references it (they must follow it, or
-- their foreign keys would point across tenants) get instance_id,
-- change_date, resource_owner and sequence; existing rows are backfilled with
-- default_tenant; instance_id becomes NOT NULL, non-empty and defaults to the
-- session's tenant; the primary key, unique keys, btree indexes and foreign
-- keys between tenant tables are led by instance_id; row-level security is
-- enabled and forced.  Everything is checked before the first change, and
-- the function runs as one statement, so a refusal or a data error leaves
-- the tables as they were.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.adopt_table(tbl regclass, default_tenant text DEFAULT 'system', dry_run boolean DEFAULT false)
RETURNS SETOF text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	tenant_ok CONSTANT text := '^[^[:cntrl:]]{1,200}$';
	targets oid[];
	rel oid;
	stmt text;
	plan text[] := ARRAY[]::text[];
	late text[] := ARRAY[]::text[];
	fk record;
	idx record;
	con record;
	col record;
	cols text;
	wanted regtype;
	check_name text;
	inherit record;
	actions text;
	bad record;
	detail text;
BEGIN
	IF tbl IS NULL THEN
		RAISE EXCEPTION 'table must not be null' USING ERRCODE = '22004';
	END IF;
	IF default_tenant IS NULL OR default_tenant OPERATOR(pg_catalog.=) '' THEN
		RAISE EXCEPTION 'default_tenant must not be null or empty' USING ERRCODE = '22023';
	END IF;
	IF default_tenant OPERATOR(pg_catalog.!~) tenant_ok THEN
		RAISE EXCEPTION 'default_tenant must be at most 200 characters without control characters' USING ERRCODE = '22023';
	END IF;
	IF dry_run IS NULL THEN
		RAISE EXCEPTION 'dry_run must not be null' USING ERRCODE = '22004';
	END IF;

	-- The table and, transitively, every table whose foreign key references it.
	-- Ordered parents first, so that a table can take its rows' tenant from
	-- a parent that already had one (see below).
	WITH RECURSIVE closure(relid, depth) AS (
		SELECT tbl::oid, 0
		UNION
		SELECT c.conrelid, cl.depth OPERATOR(pg_catalog.+) 1 FROM closure AS cl
		  JOIN pg_catalog.pg_constraint AS c
		    ON c.confrelid OPERATOR(pg_catalog.=) cl.relid AND c.contype OPERATOR(pg_catalog.=) 'f'
		   AND c.conrelid OPERATOR(pg_catalog.<>) cl.relid
		 WHERE cl.depth OPERATOR(pg_catalog.<) 32
	)
	SELECT pg_catalog.array_agg(relid ORDER BY depth, relid) INTO targets
	  FROM (SELECT relid, pg_catalog.max(depth) AS depth FROM closure GROUP BY relid) AS deepest;

	-- Refusals first: nothing may change if any table of the closure cannot be converted.
	FOREACH rel IN ARRAY targets LOOP
		IF (SELECT c.relkind FROM pg_catalog.pg_class AS c WHERE c.oid OPERATOR(pg_catalog.=) rel) OPERATOR(pg_catalog.<>) 'r' THEN
			RAISE EXCEPTION 'cannot adopt %: only plain tables can be adopted', rel::regclass
				USING ERRCODE = '42809',
				      DETAIL = CASE WHEN rel OPERATOR(pg_catalog.<>) tbl::oid THEN pg_catalog.format('%s references %s.', rel::regclass, tbl) END;
		END IF;
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint AS c
		                WHERE c.conrelid OPERATOR(pg_catalog.=) rel AND c.contype OPERATOR(pg_catalog.=) 'p') THEN
			RAISE EXCEPTION 'cannot adopt %: table % has no primary key', tbl, rel::regclass
				USING ERRCODE = '55000',
				      HINT = 'Every tenant table needs a primary key to become (instance_id, <key>).';
		END IF;
		SELECT c.conname INTO con FROM pg_catalog.pg_constraint AS c
		 WHERE c.conrelid OPERATOR(pg_catalog.=) rel AND c.contype OPERATOR(pg_catalog.=) 'x' LIMIT 1;
		IF FOUND THEN
			RAISE EXCEPTION 'cannot adopt %: exclusion constraint "%" on table % cannot be made per tenant', tbl, con.conname, rel::regclass
				USING ERRCODE = '0A000';
		END IF;
		FOR col IN
			SELECT a.attname, a.atttypid, a.attgenerated, a.attidentity FROM pg_catalog.pg_attribute AS a
			 WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND NOT a.attisdropped
			   AND a.attname OPERATOR(pg_catalog.=) ANY (ARRAY['instance_id', 'change_date', 'resource_owner', 'sequence']::name[])
		LOOP
			wanted := CASE col.attname WHEN 'change_date' THEN 'pg_catalog.timestamptz'::pg_catalog.regtype
			                           WHEN 'sequence' THEN 'pg_catalog.int8'::pg_catalog.regtype
			                           ELSE 'pg_catalog.text'::pg_catalog.regtype END;
			IF col.atttypid OPERATOR(pg_catalog.<>) wanted OR col.attgenerated OPERATOR(pg_catalog.<>) '' THEN
				RAISE EXCEPTION 'cannot adopt %: column %.% has type % where % is required (and must not be generated)',
					tbl, rel::regclass, col.attname, col.atttypid::regtype, wanted
					USING ERRCODE = '42804';
			END IF;
		END LOOP;
		-- A view or rule that depends on a key or index being replaced would
		-- stop working (or block the change halfway): refuse up front.
		SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) AS dependent,
		       pg_catalog.pg_describe_object(d.refclassid, d.refobjid, 0) AS target
		  INTO bad
		  FROM pg_catalog.pg_depend AS d
		 WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
		   AND ((d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass
		         AND d.refobjid IN (SELECT c.oid FROM pg_catalog.pg_constraint AS c
		                             WHERE c.conrelid OPERATOR(pg_catalog.=) rel
		                               AND c.contype OPERATOR(pg_catalog.=) ANY (ARRAY['p', 'u']::"char"[])))
		        OR (d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
		            AND d.refobjid IN (SELECT i.indexrelid FROM pg_catalog.pg_index AS i
		                                WHERE i.indrelid OPERATOR(pg_catalog.=) rel)))
		 LIMIT 1;
		IF FOUND THEN
			RAISE EXCEPTION 'cannot adopt %: % depends on %, which must be replaced', tbl, bad.dependent, bad.target
				USING ERRCODE = '2BP01',
				      HINT = 'Drop the dependent view, adopt the table, then recreate the view with instance_id.';
		END IF;
	END LOOP;

	-- Rows that already name a tenant must name a real one.
	FOREACH rel IN ARRAY targets LOOP
		IF EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
		            WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attname OPERATOR(pg_catalog.=) 'instance_id' AND NOT a.attisdropped) THEN
			SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY u.ord) INTO cols
			  FROM pg_catalog.pg_constraint AS c
			 CROSS JOIN LATERAL pg_catalog.unnest(c.conkey) WITH ORDINALITY AS u(attnum, ord)
			  JOIN pg_catalog.pg_attribute AS a ON a.attrelid OPERATOR(pg_catalog.=) rel AND a.attnum OPERATOR(pg_catalog.=) u.attnum
			 WHERE c.conrelid OPERATOR(pg_catalog.=) rel AND c.contype OPERATOR(pg_catalog.=) 'p';
			EXECUTE pg_catalog.format(
				'SELECT ROW(%s)::text AS key FROM %s WHERE instance_id IS NULL OR instance_id OPERATOR(pg_catalog.=) %L LIMIT 1',
				cols, rel::regclass, '') INTO bad;
			IF bad.key IS NOT NULL THEN
				RAISE EXCEPTION 'cannot adopt %: row (%)=% of table % has no tenant', tbl, cols, bad.key, rel::regclass
					USING ERRCODE = '23502',
					      DETAIL = 'instance_id is NULL or empty; adopt_table backfills only tables without an instance_id column.',
					      HINT = pg_catalog.format('Set instance_id of those rows (e.g. to %L) first.', default_tenant);
			END IF;
		END IF;
	END LOOP;

	-- Foreign keys that will become composite: from a table of the closure,
	-- or to one of them, between two tables that are (or become) tenant tables.
	FOR fk IN
		SELECT c.oid, c.conname, c.conrelid, c.confrelid
		  FROM pg_catalog.pg_constraint AS c
		 WHERE c.contype OPERATOR(pg_catalog.=) 'f'
		   AND (c.conrelid OPERATOR(pg_catalog.=) ANY (targets) OR c.confrelid OPERATOR(pg_catalog.=) ANY (targets))
		   AND (c.confrelid OPERATOR(pg_catalog.=) ANY (targets)
		        OR EXISTS (SELECT FROM pg_catalog.pg_constraint AS pk
		                     JOIN pg_catalog.pg_attribute AS a
		                       ON a.attrelid OPERATOR(pg_catalog.=) pk.conrelid AND a.attnum OPERATOR(pg_catalog.=) pk.conkey[1]
		                    WHERE pk.conrelid OPERATOR(pg_catalog.=) c.confrelid AND pk.contype OPERATOR(pg_catalog.=) 'p'
		                      AND a.attname OPERATOR(pg_catalog.=) 'instance_id'))
		   AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
		                    WHERE a.attrelid OPERATOR(pg_catalog.=) c.conrelid AND a.attnum OPERATOR(pg_catalog.=) c.conkey[1]
		                      AND a.attname OPERATOR(pg_catalog.=) 'instance_id')
		 ORDER BY c.conrelid, c.conname
	LOOP
		SELECT c.*,
		       (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY u.ord)
		          FROM pg_catalog.unnest(c.conkey) WITH ORDINALITY AS u(attnum, ord)
		          JOIN pg_catalog.pg_attribute AS a ON a.attrelid OPERATOR(pg_catalog.=) c.conrelid AND a.attnum OPERATOR(pg_catalog.=) u.attnum) AS fcols,
		       (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY u.ord)
		          FROM pg_catalog.unnest(c.confkey) WITH ORDINALITY AS u(attnum, ord)
		          JOIN pg_catalog.pg_attribute AS a ON a.attrelid OPERATOR(pg_catalog.=) c.confrelid AND a.attnum OPERATOR(pg_catalog.=) u.attnum) AS rcols
		  INTO con
		  FROM pg_catalog.pg_constraint AS c WHERE c.oid OPERATOR(pg_catalog.=) fk.oid;
		IF con.confdeltype OPERATOR(pg_catalog.=) ANY (ARRAY['n', 'd']::"char"[])
		   OR con.confupdtype OPERATOR(pg_catalog.=) ANY (ARRAY['n', 'd']::"char"[]) THEN
			IF pg_catalog.current_setting('server_version_num')::integer OPERATOR(pg_catalog.<) 150000
			   OR con.confupdtype OPERATOR(pg_catalog.=) ANY (ARRAY['n', 'd']::"char"[]) THEN
				RAISE EXCEPTION 'cannot adopt %: foreign key "%" of table % sets columns to NULL or DEFAULT, which would clear instance_id',
					tbl, con.conname, con.conrelid::regclass
					USING ERRCODE = '0A000';
			END IF;
		END IF;
		actions := pg_catalog.format(' ON UPDATE %s ON DELETE %s',
			CASE con.confupdtype WHEN 'c' THEN 'CASCADE' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END,
			CASE con.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'r' THEN 'RESTRICT'
			                     WHEN 'n' THEN 'SET NULL (' OPERATOR(pg_catalog.||) con.fcols OPERATOR(pg_catalog.||) ')'
			                     WHEN 'd' THEN 'SET DEFAULT (' OPERATOR(pg_catalog.||) con.fcols OPERATOR(pg_catalog.||) ')'
			                     ELSE 'NO ACTION' END)
			OPERATOR(pg_catalog.||) CASE WHEN con.confmatchtype OPERATOR(pg_catalog.=) 'f' THEN ' MATCH FULL' ELSE '' END
			OPERATOR(pg_catalog.||) CASE WHEN con.condeferrable THEN ' DEFERRABLE' ELSE '' END
			OPERATOR(pg_catalog.||) CASE WHEN con.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END;
		plan := plan OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', con.conrelid::regclass, con.conname);
		late := late OPERATOR(pg_catalog.||) pg_catalog.format(
			'ALTER TABLE %s ADD CONSTRAINT %I FOREIGN KEY (instance_id, %s) REFERENCES %s (instance_id, %s)%s',
			con.conrelid::regclass, con.conname, con.fcols, con.confrelid::regclass, con.rcols, actions);
	END LOOP;

	FOREACH rel IN ARRAY targets LOOP
		-- Columns.  A constant default fills existing rows without rewriting
		-- the table; the lasting default is set right after.
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
		                WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attname OPERATOR(pg_catalog.=) 'instance_id' AND NOT a.attisdropped) THEN
			plan := plan OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s ADD COLUMN instance_id text NOT NULL DEFAULT %L', rel::regclass, default_tenant);
			-- A row that references a row of a table that already names tenants
			-- belongs to that row's tenant (a detail row of a legacy users
			-- table with instance_id, say), not to default_tenant.
			SELECT p.confrelid,
			       pg_catalog.string_agg(pg_catalog.format('p.%I OPERATOR(pg_catalog.=) c.%I', pa.attname, ca.attname), ' AND ') AS joins
			  INTO inherit
			  FROM (SELECT c.oid, c.conname, c.confrelid, u.fk, u.pk
			          FROM pg_catalog.pg_constraint AS c
			         CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) AS u(fk, pk)
			         WHERE c.conrelid OPERATOR(pg_catalog.=) rel AND c.contype OPERATOR(pg_catalog.=) 'f'
			           AND c.confrelid OPERATOR(pg_catalog.<>) rel
			           AND EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
			                        WHERE a.attrelid OPERATOR(pg_catalog.=) c.confrelid AND a.attname OPERATOR(pg_catalog.=) 'instance_id'
			                          AND NOT a.attisdropped)) AS p
			  JOIN pg_catalog.pg_attribute AS ca ON ca.attrelid OPERATOR(pg_catalog.=) rel AND ca.attnum OPERATOR(pg_catalog.=) p.fk
			  JOIN pg_catalog.pg_attribute AS pa ON pa.attrelid OPERATOR(pg_catalog.=) p.confrelid AND pa.attnum OPERATOR(pg_catalog.=) p.pk
			 GROUP BY p.oid, p.conname, p.confrelid
			 ORDER BY p.conname
			 LIMIT 1;
			IF FOUND THEN
				plan := plan OPERATOR(pg_catalog.||) pg_catalog.format(
					'UPDATE %s AS c SET instance_id = p.instance_id FROM %s AS p WHERE %s AND p.instance_id IS DISTINCT FROM c.instance_id',
					rel::regclass, inherit.confrelid::regclass, inherit.joins);
			END IF;
		ELSIF NOT (SELECT a.attnotnull FROM pg_catalog.pg_attribute AS a
		            WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attname OPERATOR(pg_catalog.=) 'instance_id') THEN
			plan := plan OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s ALTER COLUMN instance_id SET NOT NULL', rel::regclass);
		END IF;
		IF pg_catalog.pg_get_expr((SELECT d.adbin FROM pg_catalog.pg_attrdef AS d
		                            JOIN pg_catalog.pg_attribute AS a ON a.attrelid OPERATOR(pg_catalog.=) d.adrelid AND a.attnum OPERATOR(pg_catalog.=) d.adnum
		                           WHERE d.adrelid OPERATOR(pg_catalog.=) rel AND a.attname OPERATOR(pg_catalog.=) 'instance_id'), rel)
		   IS DISTINCT FROM 'multitenant.current_tenant()' THEN
			plan := plan OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s ALTER COLUMN instance_id SET DEFAULT multitenant.current_tenant()', rel::regclass);
		END IF;
		check_name := (SELECT r.relname FROM pg_catalog.pg_class AS r WHERE r.oid OPERATOR(pg_catalog.=) rel)
		              OPERATOR(pg_catalog.||) '_instance_id_check';
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint AS c
		                WHERE c.conrelid OPERATOR(pg_catalog.=) rel AND c.contype OPERATOR(pg_catalog.=) 'c'
		                  AND c.conname OPERATOR(pg_catalog.=) check_name) THEN
			plan := plan OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (instance_id OPERATOR(pg_catalog.<>) %L)',
				rel::regclass, check_name, '');
		END IF;
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
		                WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attname OPERATOR(pg_catalog.=) 'change_date' AND NOT a.attisdropped) THEN
			plan := plan OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s ADD COLUMN change_date timestamptz', rel::regclass);
		END IF;
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
		                WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attname OPERATOR(pg_catalog.=) 'resource_owner' AND NOT a.attisdropped) THEN
			plan := plan OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s ADD COLUMN resource_owner text NOT NULL DEFAULT %L', rel::regclass, default_tenant);
			plan := plan OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s ALTER COLUMN resource_owner SET DEFAULT multitenant.current_tenant()', rel::regclass);
		END IF;
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
		                WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attname OPERATOR(pg_catalog.=) 'sequence' AND NOT a.attisdropped) THEN
			plan := plan OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s ADD COLUMN sequence bigint NOT NULL DEFAULT 0', rel::regclass);
		END IF;

		-- Primary key and unique constraints: (instance_id, <old columns>).
		FOR con IN
			SELECT c.conname, c.contype,
			       (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY u.ord)
			          FROM pg_catalog.unnest(c.conkey) WITH ORDINALITY AS u(attnum, ord)
			          JOIN pg_catalog.pg_attribute AS a ON a.attrelid OPERATOR(pg_catalog.=) rel AND a.attnum OPERATOR(pg_catalog.=) u.attnum
			         WHERE a.attname OPERATOR(pg_catalog.<>) 'instance_id') AS keycols,
			       c.condeferrable, c.condeferred
			  FROM pg_catalog.pg_constraint AS c
			 WHERE c.conrelid OPERATOR(pg_catalog.=) rel AND c.contype OPERATOR(pg_catalog.=) ANY (ARRAY['p', 'u']::"char"[])
			   AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
			                    WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attnum OPERATOR(pg_catalog.=) c.conkey[1]
			                      AND a.attname OPERATOR(pg_catalog.=) 'instance_id')
			 ORDER BY c.contype, c.conname
		LOOP
			plan := plan OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', rel::regclass, con.conname);
			plan := plan OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s (instance_id%s)%s%s',
				rel::regclass, con.conname, CASE con.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END,
				CASE WHEN con.keycols IS NULL THEN '' ELSE ', ' OPERATOR(pg_catalog.||) con.keycols END,
				CASE WHEN con.condeferrable THEN ' DEFERRABLE' ELSE '' END,
				CASE WHEN con.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END);
		END LOOP;

		-- Other btree indexes: recreated under the same name, led by
		-- instance_id, so every tenant-scoped query keeps an index condition.
		-- (Other access methods cannot lead with a text column; they stay.)
		FOR idx IN
			SELECT i.indexrelid::regclass AS name, pg_catalog.pg_get_indexdef(i.indexrelid) AS def,
			       am.amname
			  FROM pg_catalog.pg_index AS i
			  JOIN pg_catalog.pg_class AS ic ON ic.oid OPERATOR(pg_catalog.=) i.indexrelid
			  JOIN pg_catalog.pg_am AS am ON am.oid OPERATOR(pg_catalog.=) ic.relam
			 WHERE i.indrelid OPERATOR(pg_catalog.=) rel
			   AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint AS c WHERE c.conindid OPERATOR(pg_catalog.=) i.indexrelid
			                     AND c.conrelid OPERATOR(pg_catalog.=) rel)
			   AND am.amname OPERATOR(pg_catalog.=) 'btree'
			   AND NOT (i.indkey[0] OPERATOR(pg_catalog.<>) 0 AND EXISTS (
			            SELECT FROM pg_catalog.pg_attribute AS a
			             WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attnum OPERATOR(pg_catalog.=) i.indkey[0]
			               AND a.attname OPERATOR(pg_catalog.=) 'instance_id'))
			 ORDER BY 1
		LOOP
			plan := plan OPERATOR(pg_catalog.||) pg_catalog.format('DROP INDEX %s', idx.name);
			plan := plan OPERATOR(pg_catalog.||) pg_catalog.regexp_replace(idx.def, ' USING btree \(', ' USING btree (instance_id, ');
		END LOOP;
	END LOOP;

	plan := plan OPERATOR(pg_catalog.||) late;
	FOREACH rel IN ARRAY targets LOOP
		IF NOT (SELECT c.relrowsecurity AND c.relforcerowsecurity FROM pg_catalog.pg_class AS c WHERE c.oid OPERATOR(pg_catalog.=) rel)
		   OR (SELECT pg_catalog.count(*) FROM pg_catalog.pg_policy AS p
		        WHERE p.polrelid OPERATOR(pg_catalog.=) rel
		          AND p.polname OPERATOR(pg_catalog.=) ANY (ARRAY['tenant_isolation', 'tenant_admin', 'tenant_guard']::name[])) OPERATOR(pg_catalog.<>) 3 THEN
			plan := plan OPERATOR(pg_catalog.||) pg_catalog.format('SELECT multitenant.enable_tenant_isolation(%L)', rel::regclass);
		END IF;
	END LOOP;

	FOREACH stmt IN ARRAY plan LOOP
		IF NOT dry_run THEN
			BEGIN
				EXECUTE stmt;
			EXCEPTION WHEN integrity_constraint_violation THEN
				GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
				RAISE EXCEPTION 'cannot adopt %: %', tbl, SQLERRM
					USING ERRCODE = SQLSTATE, DETAIL = detail,
					      HINT = 'Rows that belong to different tenants cannot reference each other; fix their instance_id first.';
			END;
		END IF;
		RETURN NEXT stmt;
	END LOOP;
END
$fn$;

REVOKE ALL ON FUNCTION @extschema@.adopt_table(regclass, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.adopt_table(regclass, text, boolean) TO multitenant_admin;

------------------------------------------------------------------------------
-- The legacy single-tenant projections of 1.0 become tenant tables.
--
-- Projections are derived data: after adoption every projection row is
-- re-derived from the events behind it (one replay over the events), so an
-- upgraded database holds exactly what a fresh 1.1 install reduces from the
-- same events.  Rows that no event produces (imported or hand-made rows) are
-- kept, with what adopt_table would have given them: the instance_id they
-- already had, else the tenant of the row they reference, else 'system'.
--
-- The tables are emptied before adopt_table runs, so that it changes empty
-- tables and the rows are written once, by the replay, instead of being
-- backfilled, re-indexed and checked only to be replaced.
------------------------------------------------------------------------------

DO $upgrade$
DECLARE
	legacy oid[];
	rel oid;
	snapshot text;
	restore_cols text;
	restore_vals text;
	restore_from text;
	keycols text;
	failure_detail text;
	fk record;
	check_triggers text[];
	stmt text;
BEGIN
	SELECT pg_catalog.array_agg(c.oid ORDER BY c.relname) INTO legacy
	  FROM pg_catalog.pg_class AS c
	  JOIN pg_catalog.pg_depend AS d
	    ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) c.oid
	   AND d.deptype OPERATOR(pg_catalog.=) 'e'
	   AND d.refobjid OPERATOR(pg_catalog.=) (SELECT x.oid FROM pg_catalog.pg_extension AS x WHERE x.extname OPERATOR(pg_catalog.=) 'multitenant')
	 WHERE c.relkind OPERATOR(pg_catalog.=) 'r'
	   AND c.oid OPERATOR(pg_catalog.<>) ALL (ARRAY['@extschema@.events'::pg_catalog.regclass, '@extschema@.reducers'::pg_catalog.regclass]::oid[])
	   AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint AS pk
	                     JOIN pg_catalog.pg_attribute AS a
	                       ON a.attrelid OPERATOR(pg_catalog.=) pk.conrelid AND a.attnum OPERATOR(pg_catalog.=) pk.conkey[1]
	                    WHERE pk.conrelid OPERATOR(pg_catalog.=) c.oid AND pk.contype OPERATOR(pg_catalog.=) 'p'
	                      AND a.attname OPERATOR(pg_catalog.=) 'instance_id');
	IF legacy IS NULL THEN
		RETURN;
	END IF;

	-- adopt_table's checks (a row without a tenant, above all) on the data as
	-- it is, before anything changes.
	FOREACH rel IN ARRAY legacy LOOP
		PERFORM @extschema@.adopt_table(rel::pg_catalog.regclass, dry_run => true);
	END LOOP;

	FOREACH rel IN ARRAY legacy LOOP
		EXECUTE pg_catalog.format('CREATE TEMPORARY TABLE %I AS TABLE %s',
			'mt_legacy_' OPERATOR(pg_catalog.||) rel::text, rel::pg_catalog.regclass);
	END LOOP;
	EXECUTE 'TRUNCATE ' OPERATOR(pg_catalog.||) (SELECT pg_catalog.string_agg(l.relid::pg_catalog.regclass::text, ', ')
	                                                FROM pg_catalog.unnest(legacy) AS l(relid));

	FOREACH rel IN ARRAY legacy LOOP
		PERFORM @extschema@.adopt_table(rel::pg_catalog.regclass);
		-- Every projection handles the removal of its tenant (A.4); in 1.0 a
		-- single-tenant table could not.
		PERFORM @extschema@.register_reducer(rel::pg_catalog.regclass, 'instance.removed', 'delete', match => '{}');
	END LOOP;

	-- The replay inserts every row once more; checking each detail row's
	-- parent one by one would cost as much as the replay itself.  Those checks
	-- (not the cascades) are off during the replay and made once, set-based,
	-- after it.
	SELECT pg_catalog.array_agg(pg_catalog.format('ALTER TABLE %s %%s TRIGGER %I', t.tgrelid::pg_catalog.regclass, t.tgname))
	  INTO check_triggers
	  FROM pg_catalog.pg_trigger AS t
	  JOIN pg_catalog.pg_constraint AS c ON c.oid OPERATOR(pg_catalog.=) t.tgconstraint
	 WHERE t.tgrelid OPERATOR(pg_catalog.=) ANY (legacy) AND c.contype OPERATOR(pg_catalog.=) 'f'
	   AND c.conrelid OPERATOR(pg_catalog.=) t.tgrelid;
	FOREACH stmt IN ARRAY COALESCE(check_triggers, '{}') LOOP
		EXECUTE pg_catalog.format(stmt, 'DISABLE');
	END LOOP;

	PERFORM @extschema@.rebuild_many(legacy::pg_catalog.regclass[]);

	FOREACH stmt IN ARRAY COALESCE(check_triggers, '{}') LOOP
		EXECUTE pg_catalog.format(stmt, 'ENABLE');
	END LOOP;
	FOR fk IN
		SELECT c.conname, c.conrelid, c.confrelid,
		       pg_catalog.string_agg(pg_catalog.format('p.%I OPERATOR(pg_catalog.=) x.%I', pa.attname, ca.attname), ' AND ') AS joins,
		       pg_catalog.string_agg(pg_catalog.format('x.%I IS NOT NULL', ca.attname), ' AND ') AS present,
		       pg_catalog.string_agg(pg_catalog.format('x.%I', ca.attname), ', ') AS fcols
		  FROM pg_catalog.pg_constraint AS c
		 CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) AS u(fk, pk)
		  JOIN pg_catalog.pg_attribute AS ca ON ca.attrelid OPERATOR(pg_catalog.=) c.conrelid AND ca.attnum OPERATOR(pg_catalog.=) u.fk
		  JOIN pg_catalog.pg_attribute AS pa ON pa.attrelid OPERATOR(pg_catalog.=) c.confrelid AND pa.attnum OPERATOR(pg_catalog.=) u.pk
		 WHERE c.conrelid OPERATOR(pg_catalog.=) ANY (legacy) AND c.contype OPERATOR(pg_catalog.=) 'f'
		 GROUP BY c.oid, c.conname, c.conrelid, c.confrelid
	LOOP
		EXECUTE pg_catalog.format('SELECT ROW(%s)::text FROM %s AS x WHERE %s AND NOT EXISTS (SELECT FROM %s AS p WHERE %s) LIMIT 1',
			fk.fcols, fk.conrelid::pg_catalog.regclass, fk.present, fk.confrelid::pg_catalog.regclass, fk.joins)
		  INTO failure_detail;
		IF failure_detail IS NOT NULL THEN
			RAISE EXCEPTION 'cannot upgrade %: the replayed events leave a row that violates foreign key constraint "%"',
				fk.conrelid::pg_catalog.regclass, fk.conname
				USING ERRCODE = '23503',
				      DETAIL = pg_catalog.format('Key %s is not present in table %s.', failure_detail, fk.confrelid::pg_catalog.regclass);
		END IF;
	END LOOP;

	-- Put back the rows no event reproduced, parents before the tables that
	-- reference them.
	FOR rel IN
		WITH RECURSIVE depth(relid, n) AS (
			SELECT l.relid, 0 FROM pg_catalog.unnest(legacy) AS l(relid)
			UNION ALL
			SELECT c.conrelid, dp.n OPERATOR(pg_catalog.+) 1 FROM depth AS dp
			  JOIN pg_catalog.pg_constraint AS c
			    ON c.confrelid OPERATOR(pg_catalog.=) dp.relid AND c.contype OPERATOR(pg_catalog.=) 'f'
			   AND c.conrelid OPERATOR(pg_catalog.<>) dp.relid
			 WHERE c.conrelid OPERATOR(pg_catalog.=) ANY (legacy) AND dp.n OPERATOR(pg_catalog.<) 16
		)
		SELECT dp.relid FROM depth AS dp GROUP BY dp.relid ORDER BY pg_catalog.max(dp.n), dp.relid
	LOOP
		snapshot := 'mt_legacy_' OPERATOR(pg_catalog.||) rel::text;
		-- The snapshot's columns, and the backfill of those adopt_table added.
		SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum),
		       pg_catalog.string_agg(
		           CASE WHEN s.attname IS NOT NULL THEN pg_catalog.format('s.%I', a.attname)
		                WHEN a.attname OPERATOR(pg_catalog.=) 'instance_id' THEN pg_catalog.format('COALESCE(p.instance_id, %L)', 'system')
		                WHEN a.attname OPERATOR(pg_catalog.=) 'resource_owner' THEN pg_catalog.quote_literal('system')
		                WHEN a.attname OPERATOR(pg_catalog.=) 'sequence' THEN '0'
		                ELSE 'NULL' END, ', ' ORDER BY a.attnum)
		  INTO restore_cols, restore_vals
		  FROM pg_catalog.pg_attribute AS a
		  LEFT JOIN pg_catalog.pg_attribute AS s
		    ON s.attrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('pg_temp.%I', snapshot))
		   AND s.attname OPERATOR(pg_catalog.=) a.attname AND NOT s.attisdropped
		 WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
		-- A row of a table that had no tenant takes the tenant its parent row had.
		SELECT pg_catalog.format('%I AS s LEFT JOIN %I AS p ON %s', snapshot, 'mt_legacy_' OPERATOR(pg_catalog.||) c.confrelid::text,
		           pg_catalog.string_agg(pg_catalog.format('p.%I OPERATOR(pg_catalog.=) s.%I', pa.attname, ca.attname), ' AND '))
		  INTO restore_from
		  FROM pg_catalog.pg_constraint AS c
		 CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) AS u(fk, pk)
		  JOIN pg_catalog.pg_attribute AS ca ON ca.attrelid OPERATOR(pg_catalog.=) c.conrelid AND ca.attnum OPERATOR(pg_catalog.=) u.fk
		  JOIN pg_catalog.pg_attribute AS pa ON pa.attrelid OPERATOR(pg_catalog.=) c.confrelid AND pa.attnum OPERATOR(pg_catalog.=) u.pk
		 WHERE c.conrelid OPERATOR(pg_catalog.=) rel AND c.contype OPERATOR(pg_catalog.=) 'f' AND c.confrelid OPERATOR(pg_catalog.<>) rel
		   AND ca.attname OPERATOR(pg_catalog.<>) 'instance_id'
		   AND EXISTS (SELECT FROM pg_catalog.pg_attribute AS t
		                WHERE t.attrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('pg_temp.%I', 'mt_legacy_' OPERATOR(pg_catalog.||) c.confrelid::text))
		                  AND t.attname OPERATOR(pg_catalog.=) 'instance_id')
		 GROUP BY c.oid, c.conname, c.confrelid
		 ORDER BY c.conname
		 LIMIT 1;
		IF NOT FOUND THEN
			restore_from := pg_catalog.format('%I AS s CROSS JOIN (SELECT NULL::pg_catalog.text AS instance_id) AS p', snapshot);
		END IF;
		SELECT pg_catalog.string_agg(pg_catalog.format('x.%1$I OPERATOR(pg_catalog.=) s.%1$I', a.attname), ' AND ')
		  INTO keycols
		  FROM pg_catalog.pg_constraint AS c
		 CROSS JOIN LATERAL pg_catalog.unnest(c.conkey) AS u(attnum)
		  JOIN pg_catalog.pg_attribute AS a ON a.attrelid OPERATOR(pg_catalog.=) rel AND a.attnum OPERATOR(pg_catalog.=) u.attnum
		 WHERE c.conrelid OPERATOR(pg_catalog.=) rel AND c.contype OPERATOR(pg_catalog.=) 'p'
		   AND a.attname OPERATOR(pg_catalog.<>) 'instance_id';
		BEGIN
			EXECUTE pg_catalog.format('INSERT INTO %s (%s) SELECT %s FROM %s WHERE NOT EXISTS (SELECT FROM %s AS x WHERE %s)',
				rel::pg_catalog.regclass, restore_cols, restore_vals, restore_from, rel::pg_catalog.regclass, keycols);
		EXCEPTION WHEN integrity_constraint_violation THEN
			GET STACKED DIAGNOSTICS failure_detail = PG_EXCEPTION_DETAIL;
			RAISE EXCEPTION 'cannot upgrade %: a row that no event produced cannot be kept: %',
				(SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class AS c
				   JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
				  WHERE c.oid OPERATOR(pg_catalog.=) rel), SQLERRM
				USING ERRCODE = SQLSTATE, DETAIL = failure_detail,
				      HINT = 'Its tenant (system, or the instance_id it had) differs from the tenant of the row it references. Fix or delete the row in 1.0, then upgrade.';
		END;
	END LOOP;

	FOREACH rel IN ARRAY legacy LOOP
		EXECUTE pg_catalog.format('GRANT SELECT ON %s TO multitenant_app', rel::pg_catalog.regclass);
		EXECUTE pg_catalog.format('DROP TABLE %I', 'mt_legacy_' OPERATOR(pg_catalog.||) rel::text);
	END LOOP;
END
$upgrade$;

------------------------------------------------------------------------------
-- login_names_projection (B.6) once its lookup tables carry instance_id:
-- every join and the instance default policy are matched within the
-- user's tenant, and the view exposes the tenant as its last column.
------------------------------------------------------------------------------

CREATE OR REPLACE VIEW @extschema@.login_names_projection WITH (security_invoker = true) AS
SELECT u.id AS user_id,
       CASE WHEN COALESCE(custom.must_be_domain, dflt.must_be_domain)
            THEN pg_catalog.concat(u.user_name, '@', d.name)
            ELSE u.user_name
       END AS login_name,
       COALESCE(d.is_primary, true) AS is_primary,
       u.instance_id
  FROM @extschema@.login_names_projection_users AS u
  LEFT JOIN @extschema@.login_names_projection_policies AS custom
    ON custom.instance_id OPERATOR(pg_catalog.=) u.instance_id
   AND NOT custom.is_default
   AND custom.resource_owner OPERATOR(pg_catalog.=) u.resource_owner
  LEFT JOIN @extschema@.login_names_projection_policies AS dflt
    ON dflt.instance_id OPERATOR(pg_catalog.=) u.instance_id
   AND dflt.is_default
  LEFT JOIN @extschema@.login_names_projection_domains AS d
    ON d.instance_id OPERATOR(pg_catalog.=) u.instance_id
   AND COALESCE(custom.must_be_domain, dflt.must_be_domain)
   AND d.resource_owner OPERATOR(pg_catalog.=) u.resource_owner;

GRANT SELECT ON @extschema@.login_names_projection TO multitenant_app;
