/*-------------------------------------------------------------------------
 *
 * index_probe.h
 *	  Lookups in the extension's own tables by an equality probe of a btree
 *	  index, without an SQL statement.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_INDEX_PROBE_H
#define MT_INDEX_PROBE_H

#include "access/genam.h"
#include "executor/tuptable.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"

#define MT_PROBE_MAXCOLS 12

/* A column of a probed table: its name and the type it must have. */
typedef struct MtProbeColumn
{
	const char *name;
	Oid			type;
} MtProbeColumn;

/*
 * One kind of probe: a table of schema multitenant, the columns an index
 * must lead with (the probe's keys, in that order) and the columns the
 * caller reads from the rows found.  Declared static by its caller; the
 * rest is filled in on first use and forgotten on a relcache invalidation
 * of the table or its index.
 */
typedef struct MtIndexProbe
{
	const char *table;
	int			nkeys;
	MtProbeColumn keys[MT_PROBE_MAXCOLS];
	int			ncolumns;
	MtProbeColumn columns[MT_PROBE_MAXCOLS];

	/* Resolved. */
	bool		resolved;
	bool		usable;			/* a plain heap table with such an index */
	Oid			relid;
	Oid			indexid;
	AttrNumber	key_attnos[MT_PROBE_MAXCOLS];
	AttrNumber	attnos[MT_PROBE_MAXCOLS];
	RegProcedure key_procs[MT_PROBE_MAXCOLS];
	Oid			key_collations[MT_PROBE_MAXCOLS];
	Oid			usable_as;		/* a role found allowed (InvalidOid: none yet) */
	uint64		invalidations;	/* relcache invalidations of the table or index seen */
	bool		registered;
	struct MtIndexProbe *next_registered;
} MtIndexProbe;

/* An open probe scan. */
typedef struct MtProbeScan
{
	MtIndexProbe *probe;
	Relation	rel;
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	ScanKeyData keys[MT_PROBE_MAXCOLS];
} MtProbeScan;

extern void mt_index_probe_init(void);
extern MemoryContext mt_probe_begin_call(void);
extern bool mt_probes_usable(MtIndexProbe *const *probes, int n, Oid role);
extern void mt_probe_open(MtProbeScan *ps, MtIndexProbe *probe);
extern TupleTableSlot *mt_probe_first(MtProbeScan *ps, Snapshot snapshot, const Datum *keys);
extern TupleTableSlot *mt_probe_next(MtProbeScan *ps);
extern void mt_probe_close(MtProbeScan *ps);
extern Datum mt_probe_get(MtProbeScan *ps, int column, bool *isnull);
extern Datum mt_probe_scalar(MtProbeScan *ps, Snapshot snapshot, const Datum *keys, bool *isnull);
extern bool mt_text_equals(Datum a, Datum b);
extern bool mt_text_equals_cstring(Datum value, const char *literal);

#endif							/* MT_INDEX_PROBE_H */
