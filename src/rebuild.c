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
 * Deferred index builds.  Inside the extension's own update script a
 * rebuild of everything empties its projections with TRUNCATE, under ACCESS
 * EXCLUSIVE until the script commits.  Their indexes are then marked not
 * ready (as CREATE INDEX CONCURRENTLY leaves an index it has not built yet):
 * the replay's statements neither maintain nor use them, and each is built
 * by one sort (REINDEX) when the replay first needs it, or after the replay.
 * An event type's reducers need, before their first run (reducer.c,
 * mt_reducer_access, says what their analysed statements do):
 *
 * - every index of a projection they upsert into (its unique indexes are
 *   the conflict targets), update or delete from, and of the tables whose
 *   foreign keys cascade from it.  No row is updated or deleted while an
 *   index of its table is unbuilt: a duplicate that the statements would
 *   have refused is refused when the unique index is built (23505, the same
 *   transaction), never deleted unseen, and no index is built over HOT
 *   chains that this transaction made (which would leave it unusable until
 *   the transaction ends);
 * - every index of a relation they read;
 * - the unique indexes of the tables a foreign key check of theirs reads;
 * - everything, when a statement calls a volatile function.
 *
 * A plain insert needs nothing, so a replay that only inserts into a table
 * writes its heap and sorts each index once, as CREATE TABLE AS and CREATE
 * INDEX do.  The rows, their order of arrival and every constraint are those
 * of the statements the replay runs either way; only when an index is built
 * differs.  Where anything but the reducers' statements could touch the
 * tables (a trigger or rule of a user's, inheritance, another access method,
 * Citus) or with multitenant.deferred_index_builds off, every index is
 * maintained row by row, as before.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "lib/stringinfo.h"
#include "storage/bufmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "catalog.h"
#include "event_store.h"
#include "multitenant.h"
#include "reducer.h"
#include "settings.h"
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

/* An index left unbuilt until the replay needs it (see the file header). */
typedef struct DeferredIndex
{
	Oid			indexrelid;
	Oid			relid;
	bool		unique;			/* unique or exclusion: enforces a constraint */
} DeferredIndex;

typedef struct IndexDeferral
{
	List	   *pending;		/* DeferredIndex not built yet */
	const Oid  *targets;
	int			n_targets;
	HTAB	   *prepared;		/* event types whose needs are met */
} IndexDeferral;

typedef struct PreparedType
{
	char		event_type[MT_IDENTIFIER_MAXLEN + 1];	/* hash key */
} PreparedType;

/*
 * Whether only the replay's statements can touch the projections, so that
 * their indexes may wait; says why not at DEBUG1.
 */
static bool
deferral_possible(const Oid *targets, int n_targets)
{
	int			i;

	if (!mt_deferred_index_builds)
		return false;
	if (mt_citus_installed())
	{
		elog(DEBUG1, "rebuild maintains every index during the replay: Citus is installed");
		return false;
	}
	for (i = 0; i < n_targets; i++)
	{
		Relation	rel = table_open(targets[i], AccessExclusiveLock);
		const char *why = NULL;

		if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_rel->relam != HEAP_TABLE_AM_OID)
			why = "is not a plain heap table";
		else if (rel->rd_rel->relhassubclass || rel->rd_rel->relispartition || has_superclass(targets[i]))
			why = "takes part in inheritance";
		else if (rel->rd_rel->relhasrules)
			why = "has rules";
		else if (rel->trigdesc != NULL)
		{
			int			t;

			for (t = 0; t < rel->trigdesc->numtriggers && why == NULL; t++)
				if (!rel->trigdesc->triggers[t].tgisinternal)
					why = "has a trigger of its own";
		}
		table_close(rel, NoLock);
		if (why != NULL)
		{
			elog(DEBUG1, "rebuild maintains every index during the replay: projection %s %s",
				 mt_projection_name(targets[i]), why);
			return false;
		}
	}
	return true;
}

/*
 * Marks every built index of the emptied projections not ready, in pg_index
 * (transactionally: an error puts them back as they were).  NULL when the
 * indexes cannot wait.
 */
static IndexDeferral *
defer_indexes(const Oid *targets, int n_targets)
{
	IndexDeferral *deferral;
	Relation	pg_index;
	HASHCTL		ctl;
	int			i;

	if (!deferral_possible(targets, n_targets))
		return NULL;

	deferral = palloc0(sizeof(IndexDeferral));
	deferral->targets = targets;
	deferral->n_targets = n_targets;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = MT_IDENTIFIER_MAXLEN + 1;
	ctl.entrysize = sizeof(PreparedType);
	ctl.hcxt = CurrentMemoryContext;
	deferral->prepared = hash_create("multitenant rebuild event types", 64, &ctl,
									 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	pg_index = table_open(IndexRelationId, RowExclusiveLock);
	for (i = 0; i < n_targets; i++)
	{
		Relation	rel = table_open(targets[i], AccessExclusiveLock);
		List	   *indexes = RelationGetIndexList(rel);
		ListCell   *lc;
		bool		deferred = false;

		foreach(lc, indexes)
		{
			Oid			indexrelid = lfirst_oid(lc);
			HeapTuple	tuple = SearchSysCacheCopy1(INDEXRELID, ObjectIdGetDatum(indexrelid));
			Form_pg_index form;
			DeferredIndex *index;

			if (!HeapTupleIsValid(tuple))
				elog(ERROR, "cache lookup failed for index %u", indexrelid);
			form = (Form_pg_index) GETSTRUCT(tuple);
			/* an index that is not built (a failed CREATE INDEX CONCURRENTLY) stays as it is */
			if (!form->indisvalid || !form->indisready || !form->indislive)
			{
				heap_freetuple(tuple);
				continue;
			}
			index = palloc(sizeof(DeferredIndex));
			index->indexrelid = indexrelid;
			index->relid = targets[i];
			index->unique = form->indisunique || form->indisexclusion;
			deferral->pending = lappend(deferral->pending, index);
			form->indisvalid = false;
			form->indisready = false;
			CatalogTupleUpdate(pg_index, &tuple->t_self, tuple);
			heap_freetuple(tuple);
			deferred = true;
		}
		if (deferred)
			CacheInvalidateRelcache(rel);
		list_free(indexes);
		table_close(rel, NoLock);
	}
	table_close(pg_index, RowExclusiveLock);
	CommandCounterIncrement();
	elog(DEBUG1, "rebuild defers %d indexes of %d projections", list_length(deferral->pending), n_targets);
	return deferral;
}

static void
deferred_index_context(void *arg)
{
	DeferredIndex *index = arg;

	errcontext("building index %s of projection %s, deferred during the replay",
			   quote_identifier(get_rel_name(index->indexrelid)), mt_projection_name(index->relid));
}

/*
 * Builds the deferred indexes of a projection (only its unique and exclusion
 * ones with unique_only), marking them ready and valid again.
 */
static void
build_deferred(IndexDeferral *deferral, Oid relid, bool unique_only, const char *why)
{
	ListCell   *lc;

	foreach(lc, deferral->pending)
	{
		DeferredIndex *index = lfirst(lc);
		ReindexParams params = {0};
		ErrorContextCallback context;

		if ((OidIsValid(relid) && index->relid != relid) || (unique_only && !index->unique))
			continue;
		elog(DEBUG1, "rebuild builds index %s of projection %s %s",
			 quote_identifier(get_rel_name(index->indexrelid)), mt_projection_name(index->relid), why);
		context.callback = deferred_index_context;
		context.arg = index;
		context.previous = error_context_stack;
		error_context_stack = &context;
		reindex_index(index->indexrelid, false, get_rel_persistence(index->relid), &params);
		error_context_stack = context.previous;
		CommandCounterIncrement();
		deferral->pending = foreach_delete_current(deferral->pending, lc);
		pfree(index);
	}
}

/*
 * The foreign keys of a projection whose enabled triggers (those of the
 * given side: RI_TRIGGER_PK on the referenced table, RI_TRIGGER_FK on the
 * referencing one) read or write the table at the other end: those tables.
 */
static List *
foreign_key_ends(Oid relid, int side)
{
	Relation	rel = table_open(relid, AccessShareLock);
	List	   *ends = NIL;
	int			t;

	for (t = 0; rel->trigdesc != NULL && t < rel->trigdesc->numtriggers; t++)
	{
		Trigger    *trigger = &rel->trigdesc->triggers[t];

		if (trigger->tgenabled != TRIGGER_DISABLED && OidIsValid(trigger->tgconstrrelid) &&
			trigger->tgconstrrelid != relid && RI_FKey_trigger_type(trigger->tgfoid) == side)
			ends = list_append_unique_oid(ends, trigger->tgconstrrelid);
	}
	table_close(rel, NoLock);
	return ends;
}

/* Rows of relid are updated or deleted: it, and what cascades from it, need every index. */
static void
need_changed(IndexDeferral *deferral, Oid relid, const char *why, int depth)
{
	ListCell   *lc;
	List	   *children;

	build_deferred(deferral, relid, false, why);
	if (depth >= 16)
		return;
	children = foreign_key_ends(relid, RI_TRIGGER_PK);
	foreach(lc, children)
		need_changed(deferral, lfirst_oid(lc), why, depth + 1);
	list_free(children);
}

/*
 * Before the first run of an event type in the replay: builds what its
 * reducers need (see the file header).
 */
static void
prepare_event_type(const char *event_type, void *arg)
{
	IndexDeferral *deferral = arg;
	List	   *written = NIL;
	List	   *upserted = NIL;
	List	   *changed = NIL;
	List	   *read = NIL;
	bool		opaque = false;
	bool		found;
	char	   *why;
	ListCell   *lc;

	if (deferral->pending == NIL)
		return;
	(void) hash_search(deferral->prepared, event_type, HASH_ENTER, &found);
	if (found)
		return;
	mt_reducer_access(event_type, deferral->targets, deferral->n_targets,
					  &written, &upserted, &changed, &read, &opaque);
	why = psprintf("before the replay's first \"%s\" event", event_type);
	if (opaque)
	{
		build_deferred(deferral, InvalidOid, false, why);
		return;
	}
	foreach(lc, upserted)
		need_changed(deferral, lfirst_oid(lc), why, 0);
	foreach(lc, changed)
		need_changed(deferral, lfirst_oid(lc), why, 0);
	foreach(lc, read)
		build_deferred(deferral, lfirst_oid(lc), false, why);
	foreach(lc, written)
	{
		List	   *parents = foreign_key_ends(lfirst_oid(lc), RI_TRIGGER_FK);
		ListCell   *pc;

		foreach(pc, parents)
			build_deferred(deferral, lfirst_oid(pc), true, why);
	}
}

/*
 * Whether the projections, locked ACCESS EXCLUSIVE, are all empty down to
 * their storage (no block in any heap, as the 1.0 -> 1.1 hop leaves the
 * tables it emptied and adopted) and none has a TRUNCATE trigger: TRUNCATE
 * would then change no row and fire nothing, and is skipped, since in the
 * transaction that created their files it truncates them in place, scanning
 * all of shared buffers for each table and index and rebuilding every empty
 * index.
 */
static bool
all_without_storage(const Oid *targets, int n_targets)
{
	int			i;

	for (i = 0; i < n_targets; i++)
	{
		Relation	rel = table_open(targets[i], AccessExclusiveLock);
		bool		empty;

		empty = rel->rd_rel->relkind == RELKIND_RELATION &&
			RelationGetNumberOfBlocks(rel) == 0 &&
			(rel->trigdesc == NULL ||
			 (!rel->trigdesc->trig_truncate_before_statement &&
			  !rel->trigdesc->trig_truncate_after_statement));
		table_close(rel, NoLock);
		if (!empty)
			return false;
	}
	return true;
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
	IndexDeferral *deferral = NULL;

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
	 * The lock is taken first, in the order TRUNCATE would take it.
	 */
	if (mt_running_own_script() && instance_id == NULL && n_targets > 0)
	{
		StringInfoData names;
		StringInfoData statement;

		for (i = 0; i < n_targets; i++)
			mt_require_projection_privilege(targets[i], ACL_TRUNCATE, "TRUNCATE");
		initStringInfo(&names);
		for (i = 0; i < n_targets; i++)
			appendStringInfo(&names, "%s%s", i > 0 ? ", " : "", mt_projection_name(targets[i]));
		initStringInfo(&statement);
		appendStringInfo(&statement, "LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", names.data);
		if (SPI_execute(statement.data, false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "locking the projections failed");
		if (!all_without_storage(targets, n_targets))
		{
			resetStringInfo(&statement);
			appendStringInfo(&statement, "TRUNCATE %s", names.data);
			if (SPI_execute(statement.data, false, 0) != SPI_OK_UTILITY)
				elog(ERROR, "emptying the projections failed");
		}
		emptied = true;
		deferral = defer_indexes(targets, n_targets);
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
								2, types, args, nulls, targets, n_targets,
								deferral ? prepare_event_type : NULL, deferral,
								NULL, NULL, NULL);
	if (deferral != NULL)
		build_deferred(deferral, InvalidOid, false, "after the replay");
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
