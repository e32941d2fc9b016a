/*-------------------------------------------------------------------------
 *
 * upgrade_repair.c
 *	  The 1.0 -> 1.1 upgrade's snapshots of the legacy projections, set
 *	  right after the replay that re-derives those projections.
 *
 * The upgrade script copies each legacy single-tenant projection into
 * pg_temp.mt_legacy_<oid>, empties and adopts it, replays the events into it
 * (rebuild_many, which calls this module at the end of its replay), and then
 * puts back every snapshot row whose key no replayed row has, as a row that
 * no event produced.  On its own, that put-back goes wrong twice:
 *
 * - It brings back the rows of a tenant whose instance.removed is stored:
 *   1.0 did not reduce that event into its single-tenant tables, so the rows
 *   are in the snapshot, and the replay wrote them and then deleted them.
 *   Most legacy tables carry no tenant, so only a replay tells which rows
 *   those are: the removed tenant's events are replayed once more here, up
 *   to each of its removals, and the snapshot rows the tenant holds at that
 *   moment are dropped, along with rows of tenants that are gone and rows
 *   whose parent row went.
 *
 * - It gives a row of a table without instance_id the tenant its parent row
 *   has in the parent's snapshot, where only users_projection names one, so
 *   detail rows landed in 'system' while their parent row kept its tenant.
 *   Here every snapshot gets an instance_id column, filled from the parent
 *   row as it ends up (replayed, else put back, parents first); the script's
 *   put-back uses a snapshot's own instance_id when it has one.
 *
 * The snapshots are the script's temporary tables, so only this session sees
 * them, and only inside the extension's own update script does this run.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "catalog.h"
#include "reducer.h"
#include "upgrade_repair.h"

/* What adopt_table gives a row that names no tenant and has no parent. */
#define DEFAULT_TENANT "system"

typedef struct ParentKey
{
	int			parent;			/* index into the table array */
	List	   *child_cols;		/* referencing columns, instance_id left out */
	List	   *parent_cols;	/* referenced columns, in the same order */
} ParentKey;

typedef struct RepairTable
{
	Oid			relid;
	char	   *live;			/* the adopted projection, qualified */
	char	   *snapshot;		/* pg_temp."mt_legacy_<oid>", NULL if none */
	bool		native_tenant;	/* the legacy table had instance_id */
	bool		lost_rows;		/* rows were dropped from its snapshot */
	List	   *key_cols;		/* primary key, instance_id left out */
	List	   *parents;		/* ParentKey, by constraint name */
} RepairTable;

/* A removed tenant's replay: what capture_removal needs at each removal. */
typedef struct RemovalReplay
{
	RepairTable *tables;
	int			n;
	const char *tenant;
} RemovalReplay;

static void
removed_tenant_context(void *arg)
{
	errcontext("replaying the events of removed tenant \"%s\" to find the legacy rows its removal deleted",
			   (const char *) arg);
}

static uint64
run(const char *sql, int nargs, Oid *types, Datum *values, const char *what)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0);

	if (rc < 0)
		elog(ERROR, "upgrade: %s failed: %s", what, SPI_result_code_string(rc));
	return SPI_processed;
}

static char *
snapshot_name(Oid relid)
{
	return psprintf("mt_legacy_%u", relid);
}

/* "l.a OPERATOR(pg_catalog.=) r.b AND ..."; true when there are no columns */
static char *
columns_equal(const char *l, List *l_cols, const char *r, List *r_cols)
{
	StringInfoData buf;
	ListCell   *lc;
	ListCell   *rc;

	if (l_cols == NIL)
		return "true";
	initStringInfo(&buf);
	forboth(lc, l_cols, rc, r_cols)
	{
		appendStringInfo(&buf, "%s%s.%s OPERATOR(pg_catalog.=) %s.%s",
						 buf.len > 0 ? " AND " : "",
						 l, quote_identifier(lfirst(lc)), r, quote_identifier(lfirst(rc)));
	}
	return buf.data;
}

/* "s.a IS NOT NULL AND ...": a row that references a parent at all */
static char *
columns_present(const char *alias, List *cols)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, cols)
		appendStringInfo(&buf, "%s%s.%s IS NOT NULL", buf.len > 0 ? " AND " : "",
						 alias, quote_identifier(lfirst(lc)));
	return buf.len > 0 ? buf.data : "true";
}

static List *
text_array_to_list(Datum array)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	List	   *result = NIL;

	deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (i = 0; i < n; i++)
		result = lappend(result, TextDatumGetCString(elems[i]));
	return result;
}

static int
table_index(RepairTable *tables, int n, Oid relid)
{
	int			i;

	for (i = 0; i < n; i++)
		if (tables[i].relid == relid)
			return i;
	return -1;
}

/*
 * Primary key and foreign keys to other rebuilt projections, both without
 * instance_id (adopt_table led them with it; the snapshot has the legacy
 * columns only).
 */
static void
load_keys(RepairTable *tables, int n, int t, Oid snapshot_relid)
{
	RepairTable *table = &tables[t];
	Oid			types[2] = {OIDOID, OIDOID};
	Datum		values[2];
	uint64		i;

	values[0] = ObjectIdGetDatum(table->relid);
	values[1] = ObjectIdGetDatum(snapshot_relid);

	run("SELECT pg_catalog.array_agg(a.attname::pg_catalog.text ORDER BY u.ord)"
		"  FROM pg_catalog.pg_constraint AS c"
		" CROSS JOIN LATERAL pg_catalog.unnest(c.conkey) WITH ORDINALITY AS u(attnum, ord)"
		"  JOIN pg_catalog.pg_attribute AS a"
		"    ON a.attrelid OPERATOR(pg_catalog.=) c.conrelid AND a.attnum OPERATOR(pg_catalog.=) u.attnum"
		" WHERE c.conrelid OPERATOR(pg_catalog.=) $1 AND c.contype OPERATOR(pg_catalog.=) 'p'"
		"   AND a.attname OPERATOR(pg_catalog.<>) 'instance_id'",
		1, types, values, "reading a primary key");
	if (SPI_processed == 1)
	{
		bool		isnull;
		Datum		cols = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			table->key_cols = text_array_to_list(cols);
	}

	run("SELECT c.confrelid,"
		"       pg_catalog.array_agg(ca.attname::pg_catalog.text ORDER BY u.ord),"
		"       pg_catalog.array_agg(pa.attname::pg_catalog.text ORDER BY u.ord)"
		"  FROM pg_catalog.pg_constraint AS c"
		" CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey))"
		"       WITH ORDINALITY AS u(fk, pk, ord)"
		"  JOIN pg_catalog.pg_attribute AS ca"
		"    ON ca.attrelid OPERATOR(pg_catalog.=) c.conrelid AND ca.attnum OPERATOR(pg_catalog.=) u.fk"
		"  JOIN pg_catalog.pg_attribute AS pa"
		"    ON pa.attrelid OPERATOR(pg_catalog.=) c.confrelid AND pa.attnum OPERATOR(pg_catalog.=) u.pk"
		" WHERE c.conrelid OPERATOR(pg_catalog.=) $1 AND c.contype OPERATOR(pg_catalog.=) 'f'"
		"   AND c.confrelid OPERATOR(pg_catalog.<>) c.conrelid"
		"   AND ca.attname OPERATOR(pg_catalog.<>) 'instance_id'"
		" GROUP BY c.oid, c.conname, c.confrelid"
		" HAVING pg_catalog.bool_and(EXISTS (SELECT FROM pg_catalog.pg_attribute AS s"
		"        WHERE s.attrelid OPERATOR(pg_catalog.=) $2"
		"          AND s.attname OPERATOR(pg_catalog.=) ca.attname AND NOT s.attisdropped))"
		" ORDER BY c.conname",
		2, types, values, "reading foreign keys");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		int			parent = table_index(tables, n,
										 DatumGetObjectId(SPI_getbinval(row, desc, 1, &isnull)));
		ParentKey  *key;

		if (parent < 0)
			continue;
		key = palloc(sizeof(ParentKey));
		key->parent = parent;
		key->child_cols = text_array_to_list(SPI_getbinval(row, desc, 2, &isnull));
		key->parent_cols = text_array_to_list(SPI_getbinval(row, desc, 3, &isnull));
		table->parents = lappend(table->parents, key);
	}
}

/*
 * Keeps in a snapshot only the rows the script would put back, those whose
 * key no replayed row has, and gives it an instance_id column if it has
 * none.  Everything below then works on those rows alone, and the script's
 * own anti-join finds nothing left to skip.
 */
static void
keep_unreplayed_rows(RepairTable *table)
{
	const char *snapshot = quote_identifier(snapshot_name(table->relid));

	run(psprintf("CREATE TEMPORARY TABLE pg_temp.mt_unreplayed AS"
				 " SELECT s.*%s FROM pg_temp.%s AS s"
				 " WHERE NOT EXISTS (SELECT FROM %s AS x WHERE %s)",
				 table->native_tenant ? "" : ", NULL::pg_catalog.text AS instance_id",
				 snapshot, table->live, columns_equal("x", table->key_cols, "s", table->key_cols)),
		0, NULL, NULL, "keeping the legacy rows no event reproduced");
	run(psprintf("DROP TABLE pg_temp.%s", snapshot), 0, NULL, NULL, "replacing a snapshot");
	run(psprintf("ALTER TABLE pg_temp.mt_unreplayed RENAME TO %s", snapshot),
		0, NULL, NULL, "replacing a snapshot");
}

/*
 * A row whose parent is a replayed row takes that row's tenant.  (The same
 * key in two tenants cannot be told apart by the legacy row; the first tenant
 * in sort order is taken.)
 */
static void
fill_from_replayed_parents(RepairTable *tables, RepairTable *table)
{
	ListCell   *lc;

	foreach(lc, table->parents)
	{
		ParentKey  *key = lfirst(lc);
		StringInfoData parent_cols;
		ListCell   *pc;

		initStringInfo(&parent_cols);
		foreach(pc, key->parent_cols)
			appendStringInfo(&parent_cols, "%sx.%s", parent_cols.len > 0 ? ", " : "",
							 quote_identifier(lfirst(pc)));
		run(psprintf("UPDATE %s AS s SET instance_id = p.instance_id"
					 "  FROM (SELECT %s, pg_catalog.min(x.instance_id) AS instance_id FROM %s AS x"
					 "         WHERE EXISTS (SELECT FROM %s AS c WHERE c.instance_id IS NULL AND %s)"
					 "         GROUP BY %s) AS p"
					 " WHERE s.instance_id IS NULL AND %s",
					 table->snapshot, parent_cols.data, tables[key->parent].live, table->snapshot,
					 columns_equal("x", key->parent_cols, "c", key->child_cols), parent_cols.data,
					 columns_equal("p", key->parent_cols, "s", key->child_cols)),
			0, NULL, NULL, "giving legacy rows their parent's tenant");
	}
}

/*
 * At a removal of the replayed tenant (called by mt_replay_events before it
 * reduces the removal): rows whose parent the tenant holds now belong to the
 * tenant, and the snapshot rows the tenant holds now are the ones the
 * removal deletes.
 */
static void
capture_removal(void *arg)
{
	RemovalReplay *replay = (RemovalReplay *) arg;
	RepairTable *tables = replay->tables;
	int			n = replay->n;
	const char *tenant = replay->tenant;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	int			t;

	values[0] = CStringGetTextDatum(tenant);
	for (t = 0; t < n; t++)
	{
		RepairTable *table = &tables[t];
		ListCell   *lc;

		if (table->snapshot == NULL || table->native_tenant)
			continue;
		foreach(lc, table->parents)
		{
			ParentKey  *key = lfirst(lc);

			run(psprintf("UPDATE %s AS s SET instance_id = $1"
						 " WHERE s.instance_id IS NULL AND %s"
						 "   AND EXISTS (SELECT FROM %s AS x WHERE x.instance_id OPERATOR(pg_catalog.=) $1 AND %s)",
						 table->snapshot, columns_present("s", key->child_cols), tables[key->parent].live,
						 columns_equal("x", key->parent_cols, "s", key->child_cols)),
				1, types, values, "giving legacy rows their removed parent's tenant");
		}
	}
	for (t = 0; t < n; t++)
	{
		RepairTable *table = &tables[t];

		if (table->snapshot == NULL)
			continue;
		if (run(psprintf("DELETE FROM %s AS s"
						 " WHERE EXISTS (SELECT FROM %s AS x WHERE x.instance_id OPERATOR(pg_catalog.=) $1 AND %s)",
						 table->snapshot, table->live,
						 columns_equal("x", table->key_cols, "s", table->key_cols)),
				1, types, values, "dropping the legacy rows a removal deleted") > 0)
			table->lost_rows = true;
	}
}

static void
delete_tenant_rows(RepairTable *tables, int n, Datum tenant)
{
	Oid			types[1] = {TEXTOID};
	int			t;

	/* referencing tables first, as the targets come */
	for (t = 0; t < n; t++)
		run(psprintf("DELETE FROM %s AS x WHERE x.instance_id OPERATOR(pg_catalog.=) $1", tables[t].live),
			1, types, &tenant, "emptying a tenant of a projection");
}

/*
 * Replays a removed tenant's events up to its last removal, from the empty
 * state the main replay started it from, and captures what each removal
 * deletes.  A tenant added again after its removal holds replayed rows; they
 * are set aside meanwhile and put back as they were.
 */
static void
replay_removed_tenant(RepairTable *tables, int n, const Oid *targets, int n_targets,
					  const char *tenant, int64 last_removal)
{
	Datum		tenant_datum = CStringGetTextDatum(tenant);
	Oid			types[3] = {TEXTOID, INT8OID, OIDARRAYOID};
	Datum		args[3];
	bool	   *set_aside = palloc0(sizeof(bool) * n);
	bool		any_aside = false;
	RemovalReplay replay;
	ErrorContextCallback callback;
	Datum	   *elems;
	int			t;

	callback.callback = removed_tenant_context;
	callback.arg = (void *) tenant;
	callback.previous = error_context_stack;
	error_context_stack = &callback;

	for (t = 0; t < n; t++)
	{
		if (run(psprintf("SELECT FROM %s AS x WHERE x.instance_id OPERATOR(pg_catalog.=) $1 LIMIT 1",
						 tables[t].live),
				1, types, &tenant_datum, "looking for a tenant's rows") == 0)
			continue;
		run(psprintf("CREATE TEMPORARY TABLE pg_temp.%s AS SELECT * FROM %s AS x"
					 " WHERE x.instance_id OPERATOR(pg_catalog.=) $1",
					 quote_identifier(psprintf("mt_aside_%u", tables[t].relid)), tables[t].live),
			1, types, &tenant_datum, "setting a tenant's rows aside");
		set_aside[t] = true;
		any_aside = true;
	}
	if (any_aside)
		delete_tenant_rows(tables, n, tenant_datum);

	elems = palloc(sizeof(Datum) * Max(n_targets, 1));
	for (t = 0; t < n_targets; t++)
		elems[t] = ObjectIdGetDatum(targets[t]);
	args[0] = tenant_datum;
	args[1] = Int64GetDatum(last_removal);
	args[2] = PointerGetDatum(construct_array(elems, n_targets, OIDOID, sizeof(Oid), true, TYPALIGN_INT));

	replay.tables = tables;
	replay.n = n;
	replay.tenant = tenant;
	(void) mt_replay_events("SELECT e, e.event_type FROM multitenant.events AS e"
							" WHERE e.instance_id OPERATOR(pg_catalog.=) $1"
							" AND e.position OPERATOR(pg_catalog.<=) $2"
							" AND (e.event_type OPERATOR(pg_catalog.=) 'instance.removed'"
							"      OR e.event_type OPERATOR(pg_catalog.=) ANY (ARRAY("
							"        SELECT DISTINCT r.event_type FROM multitenant.reducers AS r"
							"        WHERE r.projection::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($3))))"
							" ORDER BY e.position",
							3, types, args, NULL, targets, n_targets, NULL, NULL,
							"instance.removed", capture_removal, &replay);

	/* The last removal emptied the tenant; its rows from after it come back. */
	delete_tenant_rows(tables, n, tenant_datum);
	for (t = n - 1; t >= 0; t--)
	{
		const char *aside;
		char	   *cols;
		Oid			type = OIDOID;
		Datum		relid = ObjectIdGetDatum(tables[t].relid);

		if (!set_aside[t])
			continue;
		aside = quote_identifier(psprintf("mt_aside_%u", tables[t].relid));
		run("SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)"
			"  FROM pg_catalog.pg_attribute AS a"
			" WHERE a.attrelid OPERATOR(pg_catalog.=) $1 AND a.attnum OPERATOR(pg_catalog.>) 0"
			"   AND NOT a.attisdropped AND a.attgenerated OPERATOR(pg_catalog.=) ''",
			1, &type, &relid, "listing a projection's columns");
		cols = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		run(psprintf("INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM pg_temp.%s",
					 tables[t].live, cols, cols, aside),
			0, NULL, NULL, "putting a tenant's rows back");
		run(psprintf("DROP TABLE pg_temp.%s", aside), 0, NULL, NULL, "putting a tenant's rows back");
	}
	error_context_stack = callback.previous;
}

/*
 * Called by rebuild (rebuild.c) after its replay, with its targets
 * (referencing tables first) and SPI connected.  Does nothing unless this is
 * a full rebuild inside the multitenant extension's own script and the
 * upgrade's snapshots exist.
 */
void
mt_upgrade_repair_snapshots(const Oid *targets, int n_targets, const char *instance_id)
{
	Oid			temp_namespace;
	RepairTable *tables;
	int			n_snapshots = 0;
	int			t;
	uint64		i;
	Datum	   *gone;
	int			n_gone = 0;
	SPITupleTable *removed;

	if (instance_id != NULL || n_targets == 0 || !mt_running_own_script())
		return;
	temp_namespace = LookupExplicitNamespace("pg_temp", true);
	if (!OidIsValid(temp_namespace))
		return;

	tables = palloc0(sizeof(RepairTable) * n_targets);
	for (t = 0; t < n_targets; t++)
	{
		char	   *relname = get_rel_name(targets[t]);

		if (relname == NULL)
			elog(ERROR, "cache lookup failed for relation %u", targets[t]);
		tables[t].relid = targets[t];
		tables[t].live = quote_qualified_identifier(get_namespace_name(get_rel_namespace(targets[t])),
													relname);
	}
	for (t = 0; t < n_targets; t++)
	{
		Oid			snapshot = get_relname_relid(snapshot_name(targets[t]), temp_namespace);

		if (!OidIsValid(snapshot))
			continue;
		tables[t].snapshot = psprintf("pg_temp.%s", quote_identifier(snapshot_name(targets[t])));
		tables[t].native_tenant = get_attnum(snapshot, "instance_id") != InvalidAttrNumber;
		load_keys(tables, n_targets, t, snapshot);
		n_snapshots++;
	}
	if (n_snapshots == 0)
		return;

	for (t = 0; t < n_targets; t++)
		if (tables[t].snapshot != NULL)
			keep_unreplayed_rows(&tables[t]);
	for (t = 0; t < n_targets; t++)
		if (tables[t].snapshot != NULL && !tables[t].native_tenant)
			fill_from_replayed_parents(tables, &tables[t]);

	/*
	 * Every tenant with a stored removal; gone when no instance.added follows
	 * its last one.
	 */
	run("SELECT r.instance_id, r.last_removal,"
		"       NOT EXISTS (SELECT FROM multitenant.events AS a"
		"                    WHERE a.instance_id OPERATOR(pg_catalog.=) r.instance_id"
		"                      AND a.event_type OPERATOR(pg_catalog.=) 'instance.added'"
		"                      AND a.position OPERATOR(pg_catalog.>) r.last_removal)"
		"  FROM (SELECT e.instance_id, pg_catalog.max(e.position) AS last_removal"
		"          FROM multitenant.events AS e"
		"         WHERE e.event_type OPERATOR(pg_catalog.=) 'instance.removed'"
		"         GROUP BY e.instance_id) AS r"
		" ORDER BY r.instance_id",
		0, NULL, NULL, "finding removed tenants");
	removed = SPI_tuptable;
	gone = palloc(sizeof(Datum) * Max(removed->numvals, 1));
	for (i = 0; i < removed->numvals; i++)
	{
		bool		isnull;
		char	   *tenant = SPI_getvalue(removed->vals[i], removed->tupdesc, 1);
		int64		last_removal = DatumGetInt64(SPI_getbinval(removed->vals[i], removed->tupdesc, 2, &isnull));

		if (DatumGetBool(SPI_getbinval(removed->vals[i], removed->tupdesc, 3, &isnull)))
			gone[n_gone++] = CStringGetTextDatum(tenant);
		replay_removed_tenant(tables, n_targets, targets, n_targets, tenant, last_removal);
	}

	/* Parents first: a row to be put back takes its parent's tenant. */
	for (t = n_targets - 1; t >= 0; t--)
	{
		ListCell   *lc;

		if (tables[t].snapshot == NULL || tables[t].native_tenant)
			continue;
		foreach(lc, tables[t].parents)
		{
			ParentKey  *key = lfirst(lc);
			RepairTable *parent = &tables[key->parent];

			if (parent->snapshot == NULL)
				continue;
			run(psprintf("UPDATE %s AS s SET instance_id = p.instance_id FROM %s AS p"
						 " WHERE s.instance_id IS NULL AND p.instance_id IS NOT NULL AND %s",
						 tables[t].snapshot, parent->snapshot,
						 columns_equal("p", key->parent_cols, "s", key->child_cols)),
				0, NULL, NULL, "giving legacy rows their parent's tenant");
		}
	}

	if (n_gone > 0)
	{
		Oid			type = TEXTARRAYOID;
		Datum		arg = PointerGetDatum(construct_array(gone, n_gone, TEXTOID, -1, false, TYPALIGN_INT));

		for (t = 0; t < n_targets; t++)
			if (tables[t].snapshot != NULL &&
				run(psprintf("DELETE FROM %s AS s WHERE s.instance_id OPERATOR(pg_catalog.=) ANY ($1)",
							 tables[t].snapshot),
					1, &type, &arg, "dropping the legacy rows of removed tenants") > 0)
				tables[t].lost_rows = true;
	}

	/*
	 * A row whose parent row was dropped above would have gone with it
	 * (ON DELETE CASCADE, or the tenant's removal); parents first, so that
	 * the drop carries down.  In 1.0 every such row had its parent.
	 */
	for (t = n_targets - 1; t >= 0; t--)
	{
		ListCell   *lc;

		if (tables[t].snapshot == NULL)
			continue;
		foreach(lc, tables[t].parents)
		{
			ParentKey  *key = lfirst(lc);
			RepairTable *parent = &tables[key->parent];

			/* only snapshots lose rows */
			if (!parent->lost_rows)
				continue;
			if (run(psprintf("DELETE FROM %s AS s WHERE %s"
							 "   AND NOT EXISTS (SELECT FROM %s AS x WHERE %s)"
							 "   AND NOT EXISTS (SELECT FROM %s AS p WHERE %s)",
							 tables[t].snapshot, columns_present("s", key->child_cols),
							 parent->live, columns_equal("x", key->parent_cols, "s", key->child_cols),
							 parent->snapshot, columns_equal("p", key->parent_cols, "s", key->child_cols)),
					0, NULL, NULL, "dropping legacy rows whose parent was dropped") > 0)
				tables[t].lost_rows = true;
		}
	}

	for (t = 0; t < n_targets; t++)
	{
		Oid			type = TEXTOID;
		Datum		arg = CStringGetTextDatum(DEFAULT_TENANT);

		if (tables[t].snapshot != NULL && !tables[t].native_tenant)
			run(psprintf("UPDATE %s AS s SET instance_id = $1 WHERE s.instance_id IS NULL", tables[t].snapshot),
				1, &type, &arg, "giving legacy rows the default tenant");
	}
}
