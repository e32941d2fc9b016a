/*-------------------------------------------------------------------------
 *
 * rebuild.c
 *	  rebuild and rebuild_many: clear projections and replay the stored
 *	  events through their reducers.
 *
 * A rebuild takes the pushers lock exclusively, so that no push interleaves
 * with its replay, clears the projections (and every projection tied to them
 * by foreign keys), and replays through the reducer engine.  Inside the
 * extension's own update script, the 1.0 -> 1.1 upgrade's repair of the
 * legacy snapshots (upgrade_repair.c) follows the replay.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "catalog.h"
#include "event_store.h"
#include "reducer.h"
#include "upgrade_repair.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_rebuild);
PG_FUNCTION_INFO_V1(mt_rebuild_many);

/*
 * The projections to rebuild: the chosen ones and every projection tied to
 * them by foreign keys, either way (a detail table replayed alone would check
 * its rows against the parent's present state, not the state the events saw),
 * referencing tables before the tables they reference, so that deleting
 * their rows never trips a foreign key.
 */
static Oid *
rebuild_targets(ArrayType *chosen, int *n_out)
{
	Datum		arg = PointerGetDatum(chosen);
	char		null = chosen ? ' ' : 'n';
	Oid			type = OIDARRAYOID;
	int			rc;
	Oid		   *targets;
	uint64		i;

	rc = SPI_execute_with_args(
		"WITH RECURSIVE"
		" registered AS (SELECT DISTINCT r.projection::pg_catalog.oid AS relid FROM multitenant.reducers AS r),"
		" chosen(relid, hops) AS ("
		"   SELECT g.relid, 0 FROM registered AS g WHERE $1 IS NULL OR g.relid OPERATOR(pg_catalog.=) ANY ($1)"
		"   UNION"
		"   SELECT CASE WHEN c.confrelid OPERATOR(pg_catalog.=) ch.relid THEN c.conrelid ELSE c.confrelid END,"
		"          ch.hops OPERATOR(pg_catalog.+) 1 FROM chosen AS ch"
		"   JOIN pg_catalog.pg_constraint AS c"
		"     ON (c.confrelid OPERATOR(pg_catalog.=) ch.relid OR c.conrelid OPERATOR(pg_catalog.=) ch.relid)"
		"    AND c.contype OPERATOR(pg_catalog.=) 'f'"
		"   WHERE ch.hops OPERATOR(pg_catalog.<) 16),"
		" chain(relid, cur, depth) AS ("
		"   SELECT DISTINCT ch.relid, ch.relid, 0 FROM chosen AS ch"
		"   UNION"
		"   SELECT chain.relid, c.confrelid, chain.depth OPERATOR(pg_catalog.+) 1 FROM chain"
		"   JOIN pg_catalog.pg_constraint AS c ON c.conrelid OPERATOR(pg_catalog.=) chain.cur"
		"    AND c.contype OPERATOR(pg_catalog.=) 'f' AND c.confrelid OPERATOR(pg_catalog.<>) chain.cur"
		"   WHERE chain.depth OPERATOR(pg_catalog.<) 16)"
		" SELECT chain.relid FROM chain"
		" WHERE chain.relid OPERATOR(pg_catalog.=) ANY (SELECT g.relid FROM registered AS g)"
		" GROUP BY chain.relid ORDER BY pg_catalog.max(chain.depth) DESC, chain.relid",
		1, &type, &arg, &null, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "finding the projections to rebuild failed: %s", SPI_result_code_string(rc));

	*n_out = (int) SPI_processed;
	targets = palloc(sizeof(Oid) * Max(SPI_processed, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		targets[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
	}
	return targets;
}

/*
 * Clears the chosen projections (all when chosen is NULL) and the projections
 * tied to them, then replays the stored events through their reducers in one
 * pass.
 */
static int64
rebuild_projections(ArrayType *chosen, const char *instance_id)
{
	Oid		   *targets;
	int			n_targets;
	int			i;
	int64		replayed;
	Oid			owner;
	ArrayType  *target_array;
	Datum		args[2];
	char		nulls[2];
	Oid			types[2] = {TEXTOID, OIDARRAYOID};
	bool		emptied = false;

	owner = mt_extension_owner();

	/* No push may interleave with the replay; in-flight ones finish first. */
	mt_lock_pushers(ExclusiveLock);

	mt_spi_connect();

	MT_AS_ROLE_BEGIN(owner);
	targets = rebuild_targets(chosen, &n_targets);
	MT_AS_ROLE_END();

	args[0] = instance_id ? CStringGetTextDatum(instance_id) : (Datum) 0;
	nulls[0] = instance_id ? ' ' : 'n';
	nulls[1] = ' ';

	/*
	 * This extension's own update script, rebuilding everything, already
	 * holds ACCESS EXCLUSIVE on the tables it adopted: emptying them at once
	 * is then free, where DELETE would fire a foreign key trigger per row.
	 */
	if (mt_running_own_script() && instance_id == NULL && n_targets > 0)
	{
		StringInfoData truncate;

		for (i = 0; i < n_targets; i++)
			mt_require_projection_privilege(targets[i], ACL_TRUNCATE, "TRUNCATE");
		initStringInfo(&truncate);
		appendStringInfoString(&truncate, "TRUNCATE ");
		for (i = 0; i < n_targets; i++)
			appendStringInfo(&truncate, "%s%s", i > 0 ? ", " : "", mt_projection_name(targets[i]));
		if (SPI_execute(truncate.data, false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "emptying the projections failed");
		emptied = true;
	}
	for (i = 0; i < n_targets && !emptied; i++)
	{
		bool		tenant_table = mt_has_column(targets[i], "instance_id");
		char	   *sql;
		int			rc;

		mt_require_projection_privilege(targets[i], ACL_DELETE, "DELETE");
		if (!tenant_table && instance_id != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("projection %s is a single-tenant table and cannot be rebuilt for one tenant",
							mt_projection_name(targets[i])),
					 errhint("Rebuild it for every tenant, or run ALTER EXTENSION multitenant UPDATE to make it a tenant table.")));
		sql = psprintf("DELETE FROM %s AS t WHERE $1::pg_catalog.text IS NULL%s",
					   mt_projection_name(targets[i]),
					   tenant_table ? " OR t.instance_id OPERATOR(pg_catalog.=) $1" : "");
		rc = SPI_execute_with_args(sql, 1, types, args, nulls, false, 0);
		if (rc != SPI_OK_DELETE)
			elog(ERROR, "clearing projection %s failed: %s",
				 mt_projection_name(targets[i]), SPI_result_code_string(rc));
	}

	{
		Datum	   *elems = palloc(sizeof(Datum) * Max(n_targets, 1));

		for (i = 0; i < n_targets; i++)
			elems[i] = ObjectIdGetDatum(targets[i]);
		target_array = construct_array(elems, n_targets, OIDOID, sizeof(Oid), true, TYPALIGN_INT);
	}
	args[1] = PointerGetDatum(target_array);

	replayed = mt_replay_events("SELECT e, e.event_type FROM multitenant.events AS e"
								" WHERE ($1::pg_catalog.text IS NULL OR e.instance_id OPERATOR(pg_catalog.=) $1)"
								" AND e.event_type OPERATOR(pg_catalog.=) ANY (ARRAY("
								"   SELECT DISTINCT r.event_type FROM multitenant.reducers AS r"
								"   WHERE r.projection::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($2)))"
								" ORDER BY e.position",
								2, types, args, nulls, targets, n_targets, NULL, NULL, NULL);
	mt_upgrade_repair_snapshots(targets, n_targets, instance_id);
	SPI_finish();
	return replayed;
}

static char *
rebuild_tenant_arg(FunctionCallInfo fcinfo)
{
	char	   *instance_id = mt_text_arg(fcinfo, 1);

	if (instance_id != NULL)
		mt_check_identifier(instance_id, "instance_id");
	return instance_id;
}

static void
require_reducers(Oid projection)
{
	Oid			type = OIDOID;
	Datum		arg = ObjectIdGetDatum(projection);
	bool		found;

	mt_spi_connect();
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	if (SPI_execute_with_args("SELECT FROM multitenant.reducers AS r"
							  " WHERE r.projection::pg_catalog.oid OPERATOR(pg_catalog.=) $1 LIMIT 1",
							  1, &type, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading the reducer registry failed");
	found = (SPI_processed > 0);
	MT_AS_ROLE_END();
	SPI_finish();
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("projection %s has no reducers", mt_projection_name(projection))));
}

Datum
mt_rebuild(PG_FUNCTION_ARGS)
{
	ArrayType  *chosen = NULL;
	char	   *instance_id;

	mt_require_admin("rebuild");
	if (!PG_ARGISNULL(0))
	{
		Datum		relid = ObjectIdGetDatum(mt_projection_arg(fcinfo, 0));

		require_reducers(DatumGetObjectId(relid));
		chosen = construct_array(&relid, 1, OIDOID, sizeof(Oid), true, TYPALIGN_INT);
	}
	instance_id = rebuild_tenant_arg(fcinfo);
	PG_RETURN_INT64(rebuild_projections(chosen, instance_id));
}

/* One pass over the events for several projections (the 1.0 -> 1.1 upgrade). */
Datum
mt_rebuild_many(PG_FUNCTION_ARGS)
{
	ArrayType  *given;
	Datum	   *elems;
	bool	   *elem_nulls;
	int			n;
	int			i;
	char	   *instance_id;

	mt_require_admin("rebuild_many");
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("projections must not be null")));
	given = PG_GETARG_ARRAYTYPE_P(0);
	deconstruct_array(given, REGCLASSOID, sizeof(Oid), true, TYPALIGN_INT, &elems, &elem_nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("projections must not be empty")));
	for (i = 0; i < n; i++)
	{
		if (elem_nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("projections must not contain null")));
		mt_check_projection(DatumGetObjectId(elems[i]));
		require_reducers(DatumGetObjectId(elems[i]));
	}
	instance_id = rebuild_tenant_arg(fcinfo);
	PG_RETURN_INT64(rebuild_projections(construct_array(elems, n, OIDOID, sizeof(Oid), true, TYPALIGN_INT),
										instance_id));
}
