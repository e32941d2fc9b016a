/* multitenant 1.4 -> 1.5: performance and scale-out */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.5'" to load this file. \quit

-- push and push_many enter the extension's own search_path in C, more cheaply
-- than their SET clauses did (see 02_event_store.sql).
ALTER FUNCTION @extschema@.push(text, text, text, jsonb, bigint, text, text, text, timestamptz) RESET search_path;
ALTER FUNCTION @extschema@.push_many(jsonb) RESET search_path;
ALTER FUNCTION @extschema@.push_many(VARIADIC jsonb[]) RESET search_path;

------------------------------------------------------------------------------
-- Scale-out on Citus (docs/citus.md)
------------------------------------------------------------------------------

-- Event positions unique per tenant, as Citus needs of a table distributed
-- by instance_id (positions still come from one sequence).
DROP INDEX @extschema@.events_position_idx;
CREATE UNIQUE INDEX events_position_idx ON @extschema@.events (position, instance_id);

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

REVOKE ALL ON FUNCTION @extschema@.distribute() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.distribute() TO multitenant_admin;

------------------------------------------------------------------------------
-- Per-backend copies of login-name policies, organisation, tenant and realm
-- states for the lookups, guarded by a statement trigger (src/row_cache.c).
------------------------------------------------------------------------------
-- Backends keep copies of the rows of login-name policies and of
-- organisations' states that user_by_login_name and authenticate_pat read,
-- and of tenants' and realms' states that validate_session reads
-- (src/row_cache.c).  These triggers, before any write and enabled
-- ALWAYS (logical replication's apply and session_replication_role =
-- replica included), tell them that a transaction writes these tables: the
-- statement trigger for every statement and TRUNCATE, the row trigger for
-- writers that fire row triggers only (logical replication's apply).  The
-- backends use their copies only where they are exactly what a probe would
-- read.
CREATE FUNCTION @extschema@.lookup_rows_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mt_lookup_rows_changed'
LANGUAGE C;

CREATE TRIGGER lookup_rows_changed
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.login_names_projection_policies
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.login_names_projection_policies ENABLE ALWAYS TRIGGER lookup_rows_changed;
CREATE TRIGGER lookup_rows_changed_row
	BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.login_names_projection_policies
	FOR EACH ROW EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.login_names_projection_policies ENABLE ALWAYS TRIGGER lookup_rows_changed_row;

CREATE TRIGGER lookup_rows_changed
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.orgs_projection
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.orgs_projection ENABLE ALWAYS TRIGGER lookup_rows_changed;
CREATE TRIGGER lookup_rows_changed_row
	BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.orgs_projection
	FOR EACH ROW EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.orgs_projection ENABLE ALWAYS TRIGGER lookup_rows_changed_row;

-- validate_session keeps tenants' states per backend (src/row_cache.c, see 20_lookups).
CREATE TRIGGER lookup_rows_changed
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.tenants
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.tenants ENABLE ALWAYS TRIGGER lookup_rows_changed;
CREATE TRIGGER lookup_rows_changed_row
	BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.tenants
	FOR EACH ROW EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.tenants ENABLE ALWAYS TRIGGER lookup_rows_changed_row;

-- validate_session keeps realms' states per backend (src/row_cache.c, see 20_lookups).
CREATE TRIGGER lookup_rows_changed
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.tenant_realms
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.tenant_realms ENABLE ALWAYS TRIGGER lookup_rows_changed;
CREATE TRIGGER lookup_rows_changed_row
	BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.tenant_realms
	FOR EACH ROW EXECUTE FUNCTION @extschema@.lookup_rows_changed();
ALTER TABLE @extschema@.tenant_realms ENABLE ALWAYS TRIGGER lookup_rows_changed_row;

REVOKE ALL ON FUNCTION @extschema@.lookup_rows_changed() FROM PUBLIC;

------------------------------------------------------------------------------
-- Reducers that Citus accepts, and replays that do not depend on the session
-- (docs/citus.md).  Citus refuses a function that is not immutable inside
-- CASE or COALESCE of a modification, and a statement that writes a
-- reference table while it reads a distributed one.
------------------------------------------------------------------------------

-- Text carried as the base64 of its UTF-8 bytes, as convert_from(bytes,
-- 'UTF8') reads it, but immutable (see 01_reducers.sql).
CREATE FUNCTION @extschema@.payload_utf8(payload jsonb, key text)
RETURNS text AS 'MODULE_PATHNAME', 'mt_payload_utf8'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

REVOKE ALL ON FUNCTION @extschema@.payload_utf8(jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.payload_utf8(jsonb, text) TO multitenant_app, multitenant_admin;

-- A value without a UTC offset is now read as UTC whatever the session's
-- TimeZone, so the function is immutable (the library's new code).
ALTER FUNCTION @extschema@.payload_timestamptz(jsonb, text) IMMUTABLE;

-- The built-in reducers change in place (the same ids, so the order of the
-- reducers of each event type stays as it was): the client secrets read with
-- payload_utf8, the previous primary domain read from the domains table, and
-- the milestone type's number without stable functions.
DO $citus_reducers$
DECLARE
	old_secret CONSTANT text := $$COALESCE(pg_catalog.convert_from(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'clientSecret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'clientSecret', 'null'), 'crypted')), 'UTF8'), multitenant.payload_text(e.payload, 'hashedSecret'))$$;
	old_type CONSTANT text := $$COALESCE(multitenant.payload_smallint(pg_catalog.jsonb_build_object('type', COALESCE(pg_catalog.to_jsonb(pg_catalog.array_position(ARRAY['InstanceCreated', 'AuthenticationSucceededOnInstance', 'ProjectCreated', 'ApplicationCreated', 'AuthenticationSucceededOnApplication', 'InstanceDeleted'], multitenant.payload_text(e.payload, 'type'))), e.payload -> 'type')), 'type'), 0)$$;
	new_type CONSTANT text := $$COALESCE(pg_catalog.array_position(ARRAY['InstanceCreated', 'AuthenticationSucceededOnInstance', 'ProjectCreated', 'ApplicationCreated', 'AuthenticationSucceededOnApplication', 'InstanceDeleted'], multitenant.payload_text(e.payload, 'type'))::smallint, multitenant.payload_smallint(e.payload, 'type'), 0)$$;
	new_secret CONSTANT text := $$COALESCE(COALESCE(multitenant.payload_utf8(NULLIF(e.payload -> 'clientSecret', 'null'), 'Crypted'), multitenant.payload_utf8(NULLIF(e.payload -> 'clientSecret', 'null'), 'crypted')), multitenant.payload_text(e.payload, 'hashedSecret'))$$;
	changed bigint;
	n bigint;
BEGIN
	-- The client secrets of API and OIDC applications and machine users.
	UPDATE @extschema@.reducers AS r
	   SET set_columns = pg_catalog.jsonb_set(r.set_columns, '{client_secret}', pg_catalog.to_jsonb(new_secret))
	 WHERE r.builtin AND r.set_columns OPERATOR(pg_catalog.->>) 'client_secret' OPERATOR(pg_catalog.=) old_secret;
	GET DIAGNOSTICS changed = ROW_COUNT;
	UPDATE @extschema@.reducers AS r
	   SET set_columns = pg_catalog.jsonb_set(r.set_columns, '{secret}', pg_catalog.to_jsonb(new_secret))
	 WHERE r.builtin AND r.set_columns OPERATOR(pg_catalog.->>) 'secret' OPERATOR(pg_catalog.=) old_secret;
	GET DIAGNOSTICS n = ROW_COUNT;
	changed := changed OPERATOR(pg_catalog.+) n;

	-- instance.domain.primary.set: the previous primary is the tenant's row
	-- with the flag (see 12_access.sql), not read from the events.
	UPDATE @extschema@.reducers AS r
	   SET match_columns = '{}', condition = 't.is_primary'
	 WHERE r.builtin
	   AND r.projection OPERATOR(pg_catalog.=) '@extschema@.instance_domains_projection'::pg_catalog.regclass
	   AND r.event_type OPERATOR(pg_catalog.=) 'instance.domain.primary.set'
	   AND r.set_columns OPERATOR(pg_catalog.=) '{"is_primary": "false"}'::pg_catalog.jsonb;
	GET DIAGNOSTICS n = ROW_COUNT;
	changed := changed OPERATOR(pg_catalog.+) n;

	-- The milestone type's number without jsonb_build_object and to_jsonb
	-- (stable): the same numbers, and the same error for an unknown name.
	UPDATE @extschema@.reducers AS r
	   SET set_columns = pg_catalog.jsonb_set(r.set_columns, '{type}', pg_catalog.to_jsonb(new_type))
	 WHERE r.builtin AND r.set_columns OPERATOR(pg_catalog.->>) 'type' OPERATOR(pg_catalog.=) old_type;
	GET DIAGNOSTICS n = ROW_COUNT;
	changed := changed OPERATOR(pg_catalog.+) n;
	UPDATE @extschema@.reducers AS r
	   SET match_columns = pg_catalog.jsonb_set(r.match_columns, '{type}', pg_catalog.to_jsonb(new_type))
	 WHERE r.builtin AND r.match_columns OPERATOR(pg_catalog.->>) 'type' OPERATOR(pg_catalog.=) old_type;
	GET DIAGNOSTICS n = ROW_COUNT;
	changed := changed OPERATOR(pg_catalog.+) n;

	IF changed OPERATOR(pg_catalog.<>) 8 THEN
		RAISE EXCEPTION 'expected to change 8 built-in reducers, found %', changed
			USING ERRCODE = '55000';
	END IF;
END
$citus_reducers$;

-- actor_is_tenant_admin() reads the tenant and the actor into values first:
-- Citus routes its query to the tenant's shard only by a value it sees.
CREATE OR REPLACE FUNCTION @extschema@.actor_is_tenant_admin()
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	-- Values, not calls in the query: Citus routes the query to the tenant's
	-- shard only by a value it can see.
	tenant CONSTANT text := @extschema@.current_tenant();
	actor CONSTANT text := @extschema@.current_actor();
BEGIN
	RETURN EXISTS (SELECT FROM @extschema@.memberships AS m
	                 JOIN @extschema@.principals AS p
	                   ON p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) m.principal_id
	                WHERE m.instance_id OPERATOR(pg_catalog.=) tenant
	                  AND m.principal_id OPERATOR(pg_catalog.=) actor
	                  AND m.status OPERATOR(pg_catalog.=) 'active'
	                  AND m.role OPERATOR(pg_catalog.=) ANY (ARRAY['owner', 'admin'])
	                  AND p.status OPERATOR(pg_catalog.=) 'active');
END
$fn$;
