/*
 * Scale-out on Citus: distribute() spreads every tenant table over a Citus
 * cluster by instance_id (docs/citus.md).  Nothing here runs, or costs
 * anything, on a single server until an operator calls it.
 */

------------------------------------------------------------------------------
-- distribute(): every tenant table (multitenant.tenant_tables: the
-- extension's and every adopted one) becomes, in one transaction,
--
--   * a distributed table by instance_id, all in one colocation group, so
--     that a tenant's rows of every table live in one shard group; or
--   * a reference table (a copy on every node) when it holds a fact unique
--     across tenants: a unique index without instance_id (an instance's
--     domains, token hashes, session key ids), which Citus cannot enforce on
--     a distributed table.
--
-- Parents go before the tables that reference them by foreign key.  Either
-- every tenant table is a Citus table afterwards or none changed: a cluster
-- where some are and some are not (a failed manual attempt) is refused with
-- the list, and a second call is a no-op that says so.  The principals
-- become a reference table too (below).  The extension's own registries
-- (reducers, event_types), the tenants registry and the audit log stay
-- tables of the coordinator, where tenants are entered and pushes, lookups
-- and the lifecycle run: the registry of suspended tenants is read there by a
-- scan of the table's own heap, its triggers drop the backends' caches
-- there, and the audit log is written there straight into its heap.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.distribute()
RETURNS TABLE (table_name pg_catalog.regclass, distribution pg_catalog.text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	citus_schema pg_catalog.name;
	tables pg_catalog.regclass[];
	done pg_catalog.regclass[];
	refused pg_catalog.text;
	anchor pg_catalog.regclass;
	t record;
BEGIN
	IF NOT @extschema@.caller_is_operator() THEN
		RAISE EXCEPTION 'permission denied for function distribute'
			USING ERRCODE = '42501',
			      DETAIL = 'Only superusers and members of multitenant_admin distribute the tenant tables.';
	END IF;

	SELECT n.nspname INTO citus_schema
	  FROM pg_catalog.pg_extension AS e
	  JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
	 WHERE e.extname OPERATOR(pg_catalog.=) 'citus';
	IF citus_schema IS NULL THEN
		RAISE EXCEPTION 'multitenant.distribute() needs the citus extension'
			USING ERRCODE = '0A000',
			      HINT = 'Install Citus, load it with shared_preload_libraries = ''citus,multitenant'' and CREATE EXTENSION citus on every node first (docs/citus.md).';
	END IF;

	-- The tenants registry and the audit log stay tables of the coordinator:
	-- tenants are entered there and the cache of suspended ones is kept
	-- there, and the audit log is written there, straight into its heap, also
	-- by a background worker for the refusals of aborted transactions.
	tables := ARRAY(SELECT tt.table_name FROM @extschema@.tenant_tables AS tt
	                 WHERE tt.table_name OPERATOR(pg_catalog.<>) ALL (ARRAY['@extschema@.tenants'::pg_catalog.regclass,
	                                                                         '@extschema@.audit_log'::pg_catalog.regclass])
	                 ORDER BY tt.table_name::pg_catalog.oid);
	IF pg_catalog.cardinality(tables) OPERATOR(pg_catalog.=) 0 THEN
		RAISE EXCEPTION 'there are no tenant tables to distribute'
			USING ERRCODE = '55000';
	END IF;

	-- Which of them Citus already knows (its catalog is in pg_catalog).
	SELECT pg_catalog.array_agg(p.logicalrelid ORDER BY p.logicalrelid::pg_catalog.oid) INTO done
	  FROM pg_catalog.pg_dist_partition AS p
	 WHERE p.logicalrelid OPERATOR(pg_catalog.=) ANY (tables);
	IF pg_catalog.cardinality(done) OPERATOR(pg_catalog.=) pg_catalog.cardinality(tables) THEN
		RAISE NOTICE 'the % tenant tables are already distributed: nothing to do', pg_catalog.cardinality(tables);
		RETURN;
	ELSIF done IS NOT NULL THEN
		RAISE EXCEPTION 'the tenant tables are half distributed: % of % are Citus tables',
				pg_catalog.cardinality(done), pg_catalog.cardinality(tables)
			USING ERRCODE = '55000',
			      DETAIL = pg_catalog.format('Not distributed: %s.',
			                                 (SELECT pg_catalog.string_agg(u.t::pg_catalog.text, ', ' ORDER BY u.t::pg_catalog.text)
			                                    FROM pg_catalog.unnest(tables) AS u(t)
			                                   WHERE u.t OPERATOR(pg_catalog.<>) ALL (done))),
			      HINT = 'Undo the partial distribution (undistribute_table) and call distribute() again.';
	END IF;

	DROP TABLE IF EXISTS pg_temp.distribute_plan;
	CREATE TEMPORARY TABLE distribute_plan (
		relid pg_catalog.oid PRIMARY KEY,
		reference boolean NOT NULL,
		depth integer NOT NULL
	) ON COMMIT DROP;

	-- Reference tables: a unique index that leaves instance_id out.
	INSERT INTO pg_temp.distribute_plan (relid, reference, depth)
	SELECT u.t::pg_catalog.oid,
	       EXISTS (SELECT FROM pg_catalog.pg_index AS i
	                WHERE i.indrelid OPERATOR(pg_catalog.=) u.t
	                  AND i.indisunique
	                  AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
	                                   WHERE a.attrelid OPERATOR(pg_catalog.=) u.t
	                                     AND a.attname OPERATOR(pg_catalog.=) 'instance_id'
	                                     AND a.attnum OPERATOR(pg_catalog.=) ANY (i.indkey::pg_catalog.int2[]))),
	       0
	  FROM pg_catalog.unnest(tables) AS u(t);

	-- Depth: the longest chain of foreign keys to a parent among the tenant
	-- tables; parents (depth 0) first.
	WITH RECURSIVE chain (relid, depth) AS (
		SELECT p.relid, 0 FROM pg_temp.distribute_plan AS p
		UNION ALL
		SELECT c.conrelid, ch.depth OPERATOR(pg_catalog.+) 1
		  FROM chain AS ch
		  JOIN pg_catalog.pg_constraint AS c
		    ON c.confrelid OPERATOR(pg_catalog.=) ch.relid AND c.contype OPERATOR(pg_catalog.=) 'f'
		   AND c.conrelid OPERATOR(pg_catalog.<>) c.confrelid
		  JOIN pg_temp.distribute_plan AS child ON child.relid OPERATOR(pg_catalog.=) c.conrelid
		 WHERE ch.depth OPERATOR(pg_catalog.<) 64)
	UPDATE pg_temp.distribute_plan AS p
	   SET depth = d.depth
	  FROM (SELECT chain.relid, pg_catalog.max(chain.depth) AS depth FROM chain GROUP BY chain.relid) AS d
	 WHERE d.relid OPERATOR(pg_catalog.=) p.relid;

	-- Everything Citus would refuse halfway is refused before the first change.
	SELECT pg_catalog.string_agg(pg_catalog.format('%s references the distributed table %s (%s)',
	                                               c.conrelid::pg_catalog.regclass, c.confrelid::pg_catalog.regclass, c.conname),
	                             '; ' ORDER BY c.conname)
	  INTO refused
	  FROM pg_catalog.pg_constraint AS c
	  JOIN pg_temp.distribute_plan AS child ON child.relid OPERATOR(pg_catalog.=) c.conrelid AND child.reference
	  JOIN pg_temp.distribute_plan AS parent ON parent.relid OPERATOR(pg_catalog.=) c.confrelid AND NOT parent.reference
	 WHERE c.contype OPERATOR(pg_catalog.=) 'f';
	IF refused IS NOT NULL THEN
		RAISE EXCEPTION 'cannot distribute the tenant tables: a table that must be a reference table references a distributed one'
			USING ERRCODE = '0A000', DETAIL = refused || '.';
	END IF;

	-- enable_audit's row trigger writes into the audit log's heap where it
	-- fires: on a distributed table, on a worker, whose log nobody reads.
	SELECT pg_catalog.string_agg(tg.tgrelid::pg_catalog.regclass::pg_catalog.text, ', ' ORDER BY tg.tgrelid::pg_catalog.regclass::pg_catalog.text)
	  INTO refused
	  FROM pg_catalog.pg_trigger AS tg
	  JOIN pg_temp.distribute_plan AS p ON p.relid OPERATOR(pg_catalog.=) tg.tgrelid
	 WHERE tg.tgfoid OPERATOR(pg_catalog.=) '@extschema@.audit_row()'::pg_catalog.regprocedure;
	IF refused IS NOT NULL THEN
		RAISE EXCEPTION 'cannot distribute the tenant tables: audited tables cannot be distributed'
			USING ERRCODE = '0A000',
			      DETAIL = pg_catalog.format('Audited with enable_audit: %s.', refused),
			      HINT = 'Its row trigger would write the audit entries on the workers; disable_audit first.';
	END IF;

	-- Citus makes every policy of a distributed table PERMISSIVE on its
	-- shards, whatever the coordinator's says: a restrictive policy there
	-- loses its restriction, and a permissive one is no longer confined by
	-- tenant_guard, so another tenant's rows could pass it.  Only the
	-- extension's policies, whose rules hold as permissive ones (below), are
	-- distributed; anyone else's is refused.
	SELECT pg_catalog.string_agg(pg_catalog.format('policy %I on %s', pol.polname, pol.polrelid::pg_catalog.regclass),
	                             ', ' ORDER BY pol.polrelid::pg_catalog.regclass::pg_catalog.text, pol.polname)
	  INTO refused
	  FROM pg_catalog.pg_policy AS pol
	  JOIN pg_temp.distribute_plan AS p ON p.relid OPERATOR(pg_catalog.=) pol.polrelid
	 WHERE pol.polname OPERATOR(pg_catalog.<>) ALL (ARRAY['tenant_isolation', 'tenant_admin', 'tenant_guard'])
	   AND (pol.polrelid, pol.polname) NOT IN (
	           ('@extschema@.join_requests'::pg_catalog.regclass, 'join_requests_visibility'),
	           ('@extschema@.invitations'::pg_catalog.regclass, 'invitations_visibility'),
	           ('@extschema@.principal_sessions'::pg_catalog.regclass, 'principal_sessions_visibility'));
	IF refused IS NOT NULL THEN
		RAISE EXCEPTION 'cannot distribute the tenant tables: Citus makes every policy permissive on the shards'
			USING ERRCODE = '0A000',
			      DETAIL = pg_catalog.format('Policies the extension did not make: %s.', refused),
			      HINT = 'Drop them first: on the shards a restrictive policy would restrict nothing, and a permissive one would not be confined to the tenant.';
	END IF;

	-- The rules of what a tenant's owners and admins see beyond their own
	-- rows (the invitations, others' join requests and sessions) are
	-- restrictive policies that call actor_is_tenant_admin(), which reads
	-- the memberships and the principals.  On the shards they would be
	-- permissive, and run on a worker, where the memberships cannot be read
	-- (Citus also refuses their scalar subqueries).  They become their
	-- fail-closed part, and the application roles lose their SELECT on the
	-- join requests, the one of these tables they may read on one server:
	-- operators (multitenant_admin) read it, as before.  (The audit log's
	-- rule holds: it stays on the coordinator.)
	ALTER POLICY join_requests_visibility ON @extschema@.join_requests
		USING (principal_id OPERATOR(pg_catalog.=) @extschema@.current_actor());
	ALTER POLICY invitations_visibility ON @extschema@.invitations
		USING (false);
	ALTER POLICY principal_sessions_visibility ON @extschema@.principal_sessions
		USING (principal_id OPERATOR(pg_catalog.=) @extschema@.current_actor());
	REVOKE SELECT ON @extschema@.join_requests FROM multitenant_app;

	-- The principals, platform-wide, are no tenant table, but the lifecycle's
	-- statements join them with the memberships and other distributed
	-- tables, which Citus cannot do with a table of the coordinator: they
	-- become a reference table, first.  Their rule for applications (the
	-- acting principal and the tenant's members) would read the memberships
	-- on a worker: an application role sees its acting principal only.
	ALTER POLICY principals_visible ON @extschema@.principals
		USING (id OPERATOR(pg_catalog.=) @extschema@.current_actor());

	-- Triggers on distributed tables (the immutability of events, the
	-- lookups' row copies) fire on the shards, on the workers, where the
	-- extension is installed too.  Citus calls that unsafe because it cannot
	-- see what a trigger does; ours only raise or invalidate a cache.  Creating the shards in one connection per node
	-- lets the reference tables and the foreign keys to them be made in the
	-- same transaction.
	PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
	PERFORM pg_catalog.set_config('citus.multi_shard_modify_mode', 'sequential', true);

	EXECUTE pg_catalog.format('SELECT %I.create_reference_table($1)', citus_schema)
		USING '@extschema@.principals'::pg_catalog.regclass;
	table_name := '@extschema@.principals'::pg_catalog.regclass;
	distribution := 'reference';
	RETURN NEXT;

	FOR t IN
		SELECT p.relid::pg_catalog.regclass AS relid, p.reference
		  FROM pg_temp.distribute_plan AS p
		 ORDER BY p.reference DESC, p.depth, p.relid::pg_catalog.regclass::pg_catalog.text
	LOOP
		IF t.reference THEN
			EXECUTE pg_catalog.format('SELECT %I.create_reference_table($1)', citus_schema) USING t.relid;
			table_name := t.relid;
			distribution := 'reference';
		ELSE
			IF anchor IS NULL THEN
				EXECUTE pg_catalog.format('SELECT %I.create_distributed_table($1, $2, colocate_with => $3)', citus_schema)
					USING t.relid, 'instance_id', 'none';
				anchor := t.relid;
			ELSE
				EXECUTE pg_catalog.format('SELECT %I.create_distributed_table($1, $2, colocate_with => $3)', citus_schema)
					USING t.relid, 'instance_id', anchor::pg_catalog.text;
			END IF;
			table_name := t.relid;
			distribution := 'instance_id';
		END IF;
		RETURN NEXT;
	END LOOP;
END
$fn$;

GRANT EXECUTE ON FUNCTION @extschema@.distribute() TO multitenant_admin;
