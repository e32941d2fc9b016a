/*-------------------------------------------------------------------------
 *
 * row_cache.h
 *	  Per-backend copies of rarely changing rows that the lookups read,
 *	  used only where they are exactly what a probe would read.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_ROW_CACHE_H
#define MT_ROW_CACHE_H

#include "utils/snapshot.h"

#include "index_probe.h"

/* What one probe found, reduced to by-value columns: at most a few rows. */
#define MT_CACHED_MAXROWS 4
#define MT_CACHED_MAXCOLS 2
/* Longest key part (bytes) kept; a longer key is always probed. */
#define MT_CACHED_KEYLEN 63

typedef struct MtCachedRows
{
	int			nrows;
	Datum		values[MT_CACHED_MAXROWS][MT_CACHED_MAXCOLS];
	bool		isnull[MT_CACHED_MAXROWS][MT_CACHED_MAXCOLS];
} MtCachedRows;

/*
 * One cache: the probe whose answers it keeps (two text keys, by-value
 * columns), declared static by its caller.
 */
typedef struct MtRowCache
{
	const char *name;
	MtIndexProbe *probe;
	/*
	 * Optional: what is kept of a column read (the column's position in the
	 * probe, its value, not NULL), by value; without it the columns must be
	 * by-value types.
	 */
	Datum		(*keep) (int column, Datum value);
	/* Filled in on first use. */
	struct HTAB *entries;
	bool		guard_checked;	/* guarded is known, until a relcache invalidation */
	uint64		seen_invalidations; /* the probe's invalidations when checked */
	bool		guarded;		/* the table has the trigger (row_cache.c) */
	TransactionId guard_xmin[2];	/* the transactions that made or enabled them */
	bool		registered;
	struct MtRowCache *next_registered;
} MtRowCache;

extern void mt_row_cache_init(void);
extern bool mt_row_cache_usable(Snapshot snapshot);
extern bool mt_row_cache_get(MtRowCache *cache, Datum key1, Datum key2, MtCachedRows *rows);
extern void mt_row_cache_put(MtRowCache *cache, Datum key1, Datum key2, const MtCachedRows *rows);
extern bool mt_row_cache_read(MtRowCache *cache, MtProbeScan *ps, Snapshot snapshot, Datum key1, Datum key2,
							  MtCachedRows *rows);

#endif							/* MT_ROW_CACHE_H */
