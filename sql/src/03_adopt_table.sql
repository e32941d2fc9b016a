/*
 * adopt_table: the tenancy migration of an existing single-tenant table, and
 * of every table that references it, as one checked call.  Administrators
 * call it on their own tables (the upgrade from 1.0 called it on the
 * identity projections of that version).
 */

------------------------------------------------------------------------------
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

GRANT EXECUTE ON FUNCTION @extschema@.adopt_table(regclass, text, boolean) TO multitenant_admin;
