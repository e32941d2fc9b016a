/*-------------------------------------------------------------------------
 *
 * index_probe.c
 *	  Lookups in the extension's own tables by an equality probe of a btree
 *	  index, as catalog lookups are made, without an SQL statement.
 *
 * A lookup through SPI spends most of its time starting and shutting down
 * the executor for a statement that reads one or two rows.  The lookups of
 * lookups.c, tokens.c and sessions.c read the extension's own tables by
 * keys that lead one of their btree indexes, so they may instead open the
 * table and the index as a SELECT would (AccessShareLock, held to the end
 * of the transaction), scan the index with equality keys under the
 * snapshot the statement would have used, and read the rows found.
 *
 * That reads exactly what the statement would only while nothing else
 * would take part in the statement, so a probe is usable only where:
 *	  - the table is a plain local heap table (relkind 'r', heap access
 *		method), without inheritance children (a SELECT would read them
 *		too), and Citus is not installed (a distributed table's rows are not
 *		in its local heap);
 *	  - a valid btree index without expressions or predicate leads with the
 *		probe's key columns, of the types the caller expects;
 *	  - the role the statement would run as would not be subject to row-level
 *		security on it (check_enable_rls), and may SELECT it;
 *	  - multitenant.index_lookups is on (tests turn it off to compare).
 * Otherwise the caller runs its statement.  The text columns a caller
 * compares itself must have the default collation, which is deterministic:
 * equality is then equality of bytes, as texteq finds it.
 *
 * What a probe resolves (OIDs, attribute numbers, the equality procedures
 * of the index's operator families) is kept until a relcache invalidation
 * of the table or the index; a change of policies, children, grants or
 * access method invalidates the table.  That a role may read the table
 * without row-level security is kept as well, until the table or any role
 * changes.
 *
 * Each lookup allocates in one context kept for the purpose and reset when
 * the next lookup starts, so that nothing a lookup leaves (a scan ended by
 * an error included) accumulates.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_am.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_index.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "executor/tuptable.h"
#include "utils/acl.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "catalog.h"
#include "index_probe.h"
#include "settings.h"
#include "util.h"

static MtIndexProbe *registered_probes = NULL;
static MemoryContext probe_context = NULL;

static void
probe_relcache_callback(Datum arg, Oid relid)
{
	MtIndexProbe *probe;

	for (probe = registered_probes; probe != NULL; probe = probe->next_registered)
		if (!OidIsValid(relid) || probe->relid == relid || probe->indexid == relid)
		{
			probe->resolved = false;
			probe->usable_as = InvalidOid;
			probe->invalidations++;
		}
}

/* A role's attributes or memberships changed: check every role again. */
static void
probe_role_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	MtIndexProbe *probe;

	for (probe = registered_probes; probe != NULL; probe = probe->next_registered)
		probe->usable_as = InvalidOid;
}

void
mt_index_probe_init(void)
{
	mt_register_relcache_callback(probe_relcache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, probe_role_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, probe_role_callback, (Datum) 0);
}

/*
 * Resets and returns the context a lookup allocates its probes in; the
 * caller switches to it and back.
 */
MemoryContext
mt_probe_begin_call(void)
{
	if (probe_context == NULL)
		probe_context = AllocSetContextCreate(TopMemoryContext, "multitenant index probes",
											  ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(probe_context);
	return probe_context;
}

/* The attribute number of a live column of the given type, or 0. */
static AttrNumber
column_attno(TupleDesc desc, const MtProbeColumn *column)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), column->name) == 0)
		{
			if (att->atttypid != column->type)
				return 0;
			if (att->atttypid == TEXTOID && att->attcollation != DEFAULT_COLLATION_OID)
				return 0;
			return att->attnum;
		}
	}
	return 0;
}

/*
 * Whether an index can serve the probe: a valid btree index without
 * expressions or predicate whose first key columns are the probe's keys.
 * Fills in the equality procedures and collations.
 */
static bool
index_serves(MtIndexProbe *probe, Relation index)
{
	Form_pg_index form = index->rd_index;
	int			i;

	if (index->rd_rel->relam != BTREE_AM_OID || !form->indisvalid || !form->indislive ||
		form->indnkeyatts < probe->nkeys ||
		!heap_attisnull(index->rd_indextuple, Anum_pg_index_indexprs, NULL) ||
		!heap_attisnull(index->rd_indextuple, Anum_pg_index_indpred, NULL))
		return false;
	for (i = 0; i < probe->nkeys; i++)
	{
		Oid			op;

		if (form->indkey.values[i] != probe->key_attnos[i] ||
			index->rd_opcintype[i] != probe->keys[i].type)
			return false;
		op = get_opfamily_member(index->rd_opfamily[i], index->rd_opcintype[i],
								 index->rd_opcintype[i], BTEqualStrategyNumber);
		if (!OidIsValid(op))
			return false;
		probe->key_procs[i] = get_opcode(op);
		probe->key_collations[i] = index->rd_indcollation[i];
	}
	return true;
}

static void
resolve_probe(MtIndexProbe *probe)
{
	Oid			relid = mt_relation_oid(probe->table, false);
	Relation	rel;
	TupleDesc	desc;
	List	   *indexes;
	ListCell   *lc;
	int			best_natts = INT_MAX;
	bool		usable;
	int			i;

	if (!probe->registered)
	{
		probe->registered = true;
		probe->next_registered = registered_probes;
		registered_probes = probe;
	}

	rel = table_open(relid, AccessShareLock);
	desc = RelationGetDescr(rel);
	probe->relid = relid;
	probe->indexid = InvalidOid;
	usable = rel->rd_rel->relkind == RELKIND_RELATION &&
		rel->rd_rel->relam == HEAP_TABLE_AM_OID &&
		!rel->rd_rel->relhassubclass &&
		!mt_citus_installed();
	for (i = 0; usable && i < probe->nkeys; i++)
		usable = (probe->key_attnos[i] = column_attno(desc, &probe->keys[i])) != 0;
	for (i = 0; usable && i < probe->ncolumns; i++)
		usable = (probe->attnos[i] = column_attno(desc, &probe->columns[i])) != 0;

	indexes = usable ? RelationGetIndexList(rel) : NIL;
	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		int			natts = index->rd_index->indnkeyatts;

		/* Fewest key columns first, then a unique one. */
		if ((natts < best_natts || (natts == best_natts && index->rd_index->indisunique)) &&
			index_serves(probe, index))
		{
			probe->indexid = RelationGetRelid(index);
			best_natts = natts;
		}
		index_close(index, NoLock);
	}
	list_free(indexes);
	/* index_serves filled in the procedures of the last index it accepted. */
	if (OidIsValid(probe->indexid))
	{
		Relation	index = index_open(probe->indexid, AccessShareLock);

		(void) index_serves(probe, index);
		index_close(index, NoLock);
	}
	table_close(rel, NoLock);
	probe->usable = usable && OidIsValid(probe->indexid);
	probe->resolved = true;
}

/*
 * Whether every probe is usable for a statement that would run as role
 * (see the header).  Resolves what it must.
 */
bool
mt_probes_usable(MtIndexProbe *const *probes, int n, Oid role)
{
	int			i;

	if (!mt_index_lookups || !ActiveSnapshotSet())
		return false;
	for (i = 0; i < n; i++)
	{
		MtIndexProbe *probe = probes[i];

		if (!probe->resolved)
			resolve_probe(probe);
		if (!probe->usable)
			return false;

		/*
		 * What the role may is kept until its table, or any role, changes
		 * (a change of the table's policies, row-level security or grants
		 * invalidates its relcache entry); except while row-level security
		 * is not forced on owners, which lasts only as long as that
		 * operation.
		 */
		if (probe->usable_as == role && !InNoForceRLSOperation())
			continue;
		if (check_enable_rls(probe->relid, role, true) == RLS_ENABLED ||
			pg_class_aclcheck(probe->relid, role, ACL_SELECT) != ACLCHECK_OK)
			return false;
		if (!InNoForceRLSOperation())
			probe->usable_as = role;
	}
	return true;
}

/* Opens the table and the index as a SELECT of them would. */
void
mt_probe_open(MtProbeScan *ps, MtIndexProbe *probe)
{
	Assert(probe->resolved && probe->usable);
	ps->probe = probe;
	ps->rel = table_open(probe->relid, AccessShareLock);
	ps->index = index_open(probe->indexid, AccessShareLock);
	ps->scan = NULL;
	ps->slot = table_slot_create(ps->rel, NULL);
}

/*
 * The first row the probe with these keys finds, visible to snapshot, or
 * NULL.  May be called again on the same scan with other keys.
 */
TupleTableSlot *
mt_probe_first(MtProbeScan *ps, Snapshot snapshot, const Datum *keys)
{
	MtIndexProbe *probe = ps->probe;
	int			i;

	for (i = 0; i < probe->nkeys; i++)
		ScanKeyEntryInitialize(&ps->keys[i], 0, i + 1, BTEqualStrategyNumber, InvalidOid,
							   probe->key_collations[i], probe->key_procs[i], keys[i]);
	if (ps->scan == NULL)
		ps->scan = index_beginscan(ps->rel, ps->index, snapshot, probe->nkeys, 0);
	index_rescan(ps->scan, ps->keys, probe->nkeys, NULL, 0);
	return mt_probe_next(ps);
}

TupleTableSlot *
mt_probe_next(MtProbeScan *ps)
{
	if (index_getnext_slot(ps->scan, ForwardScanDirection, ps->slot))
		return ps->slot;
	return NULL;
}

/*
 * The first column read of the one row with these keys, as a scalar
 * subquery gives it: NULL (*isnull) without a row, the executor's error with
 * more than one.  The value is copied into the current memory context, so
 * that it outlives the scan and the buffer pin of its row.
 */
Datum
mt_probe_scalar(MtProbeScan *ps, Snapshot snapshot, const Datum *keys, bool *isnull)
{
	TupleTableSlot *slot;
	Datum		result = (Datum) 0;
	bool		found = false;

	*isnull = true;
	for (slot = mt_probe_first(ps, snapshot, keys); slot != NULL; slot = mt_probe_next(ps))
	{
		Form_pg_attribute att = TupleDescAttr(slot->tts_tupleDescriptor, ps->probe->attnos[0] - 1);

		if (found)
			ereport(ERROR,
					(errcode(ERRCODE_CARDINALITY_VIOLATION),
					 errmsg("more than one row returned by a subquery used as an expression")));
		found = true;
		result = mt_probe_get(ps, 0, isnull);
		if (!*isnull)
			result = datumCopy(result, att->attbyval, att->attlen);
	}
	return result;
}

/* Ends the scan; the locks are kept to the end of the transaction. */
void
mt_probe_close(MtProbeScan *ps)
{
	if (ps->scan != NULL)
		index_endscan(ps->scan);
	ExecDropSingleTupleTableSlot(ps->slot);
	index_close(ps->index, NoLock);
	table_close(ps->rel, NoLock);
}

/* A column of the row found, by its position in the probe's columns. */
Datum
mt_probe_get(MtProbeScan *ps, int column, bool *isnull)
{
	return slot_getattr(ps->slot, ps->probe->attnos[column], isnull);
}

/* texteq under a deterministic collation: the same bytes. */
bool
mt_text_equals(Datum a, Datum b)
{
	text	   *ta = DatumGetTextPP(a);
	text	   *tb = DatumGetTextPP(b);
	Size		len = VARSIZE_ANY_EXHDR(ta);

	return len == VARSIZE_ANY_EXHDR(tb) && memcmp(VARDATA_ANY(ta), VARDATA_ANY(tb), len) == 0;
}

bool
mt_text_equals_cstring(Datum value, const char *literal)
{
	text	   *t = DatumGetTextPP(value);
	Size		len = VARSIZE_ANY_EXHDR(t);

	return len == strlen(literal) && memcmp(VARDATA_ANY(t), literal, len) == 0;
}
