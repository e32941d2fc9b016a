/*-------------------------------------------------------------------------
 *
 * row_cache.c
 *	  Per-backend copies of rarely changing rows that the lookups read
 *	  (login-name policies, organisations', tenants' and realms' states),
 *	  used only where a copy is exactly what a probe of the table would read
 *	  under the statement's snapshot.
 *
 * The tables whose rows are kept carry a C trigger, lookup_rows_changed,
 * twice, enabled ALWAYS (so that it fires with session_replication_role =
 * replica too): BEFORE INSERT, UPDATE, DELETE and TRUNCATE for each
 * statement, and BEFORE INSERT, UPDATE and DELETE for each row (logical
 * replication's apply fires row triggers only).  Every write, whatever
 * makes it (a reducer, a rebuild, an administrator's SQL, TRUNCATE, COPY,
 * a subscription), runs it before it changes a row.  It records the
 * writing transaction in shared memory, in the slot of its database:
 *
 *	  changes		bumped when a transaction first writes, and again when it
 *					ends (commit or abort, in the transaction callback, which
 *					runs once the commit is visible to new snapshots);
 *	  writing		how many transactions that wrote are still running;
 *	  writers		the top-level transaction ids of the writers since the
 *					last time writing was 0 (at most MAX_WRITERS; beyond that,
 *					overflow, and horizon below stands in for them);
 *	  horizon		the next transaction id when writing last fell to 0.
 *
 * A backend may use or fill its copies under a snapshot only when
 *	  - no writer is running (writing = 0): a running one may commit at
 *		any moment, and its rows are not in the copies;
 *	  - every writer of the list has ended as far as the snapshot is
 *		concerned (not in progress in it: XidInMVCCSnapshot), or, after an
 *		overflow, the snapshot's xmin is at least the horizon: so the
 *		snapshot sees everything any writer ever wrote (a writer of an
 *		earlier list ended before the first writer of the current list
 *		started writing, so before that one ended);
 *	  - the transaction itself wrote none of the tables (its own writes
 *		are seen by its own snapshots only);
 *	  - not in recovery (a standby's tables change without triggers);
 * and it forgets all its copies whenever changes differs from the value it
 * last saw.  Under those conditions every snapshot that passes sees the same
 * rows of these tables, those written by every transaction that has ever
 * written them, so what one probe found is what any other would find.  A
 * REPEATABLE READ snapshot taken before a writer ended fails the second
 * condition and probes; the writer's own transaction fails the third.
 *
 * A prepared transaction would keep its writes pending after its backend
 * forgot them, so a transaction that wrote these tables cannot be
 * prepared.  Where Citus is installed (which prepares every transaction
 * that writes several nodes) no copies are used, since the probes are not
 * (index_probe.c), and the trigger records nothing.  A table's copies are also forgotten on any relcache
 * invalidation of it (ALTER TABLE, a trigger disabled); the copies are used
 * only while the table still has the trigger, enabled ALWAYS, only under a
 * snapshot that sees the transaction that created or enabled it ended (see
 * table_guarded), only where the probes themselves are (index_probe.c),
 * and only after taking the AccessShareLock a SELECT would (which reads
 * pending invalidations).  Each cache holds at most MAX_ENTRIES keys and
 * starts over when full.  Without shared memory (the library not preloaded)
 * nothing is kept.  A database that finds every slot taken takes over the
 * slot of a dropped database, or else counts its writers in one slot that
 * every database also checks.
 * multitenant.row_cache = off probes every time.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/indexing.h"
#include "catalog/pg_trigger.h"
#include "common/hashfn.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "storage/ipc.h"
#include "storage/lmgr.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "catalog.h"
#include "index_probe.h"
#include "row_cache.h"
#include "settings.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_lookup_rows_changed);

#define MAX_DATABASES 64
#define MAX_WRITERS 64
#define MAX_ENTRIES 16384

typedef struct RowCacheSlot
{
	Oid			database;		/* InvalidOid: free */
	uint64		changes;
	int			writing;
	int			nwriters;
	bool		overflow;
	TransactionId horizon;
	TransactionId writers[MAX_WRITERS];
} RowCacheSlot;

typedef struct RowCacheShared
{
	slock_t		mutex;
	RowCacheSlot slots[MAX_DATABASES];
	RowCacheSlot unslotted;		/* the writers of databases without a slot */
} RowCacheShared;

static RowCacheShared *shared = NULL;
static RowCacheSlot *my_slot = NULL;
static bool my_slot_looked_up = false;

/* The transaction wrote a kept table (and is counted in writing). */
static bool xact_wrote = false;
static RowCacheSlot *xact_slot = NULL;	/* where it is counted */

/* changes as this backend's copies know it. */
static uint64 seen_changes = 0;
static bool seen_any = false;

static MtRowCache *registered_caches = NULL;
static MemoryContext cache_context = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

typedef struct CacheKey
{
	char		key1[MT_CACHED_KEYLEN + 1];
	char		key2[MT_CACHED_KEYLEN + 1];
} CacheKey;

typedef struct CacheEntry
{
	CacheKey	key;
	MtCachedRows rows;
} CacheEntry;

static void
row_cache_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(sizeof(RowCacheShared));
}

static void
row_cache_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct("multitenant row cache", sizeof(RowCacheShared), &found);
	if (!found)
	{
		memset(shared, 0, sizeof(RowCacheShared));
		SpinLockInit(&shared->mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * This database's slot, taken on first use and kept; NULL if none is free.
 * When all are taken, the slot of a database that no longer exists is
 * taken over (nobody can be connected to it, nor be writing in it).
 */
static RowCacheSlot *
database_slot(void)
{
	Oid			taken[MAX_DATABASES];
	int			i;

	if (my_slot_looked_up)
		return my_slot;
	if (shared == NULL || !OidIsValid(MyDatabaseId) || !IsTransactionState())
		return NULL;
	SpinLockAcquire(&shared->mutex);
	for (i = 0; i < MAX_DATABASES && my_slot == NULL; i++)
		if (shared->slots[i].database == MyDatabaseId)
			my_slot = &shared->slots[i];
	for (i = 0; i < MAX_DATABASES && my_slot == NULL; i++)
		if (shared->slots[i].database == InvalidOid)
		{
			my_slot = &shared->slots[i];
			my_slot->database = MyDatabaseId;
		}
	for (i = 0; i < MAX_DATABASES; i++)
		taken[i] = shared->slots[i].database;
	SpinLockRelease(&shared->mutex);

	for (i = 0; i < MAX_DATABASES && my_slot == NULL; i++)
	{
		if (SearchSysCacheExists1(DATABASEOID, ObjectIdGetDatum(taken[i])))
			continue;
		SpinLockAcquire(&shared->mutex);
		if (shared->slots[i].database == taken[i] && shared->slots[i].writing == 0)
		{
			my_slot = &shared->slots[i];
			my_slot->database = MyDatabaseId;
			my_slot->changes++;
			my_slot->nwriters = 0;
			my_slot->overflow = false;
		}
		SpinLockRelease(&shared->mutex);
	}
	/* Without a slot, look again next time: another may be free by then. */
	my_slot_looked_up = my_slot != NULL;
	return my_slot;
}

static void
forget_all(void)
{
	MtRowCache *cache;

	for (cache = registered_caches; cache != NULL; cache = cache->next_registered)
		cache->entries = NULL;
	if (cache_context != NULL)
		MemoryContextReset(cache_context);
}

/* The writer's end: visible to new snapshots by the time COMMIT runs this. */
static void
row_cache_xact_callback(XactEvent event, void *arg)
{
	RowCacheSlot *slot;

	if (!xact_wrote)
		return;
	switch (event)
	{
		case XACT_EVENT_PRE_PREPARE:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot prepare a transaction that wrote a table whose rows lookups keep"),
					 errdetail("Backends keep copies of rows of the tables with the trigger lookup_rows_changed, which must see every writer end.")));
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			slot = xact_slot;
			xact_wrote = false;
			xact_slot = NULL;
			SpinLockAcquire(&shared->mutex);
			slot->changes++;
			if (--slot->writing == 0)
				slot->horizon = XidFromFullTransactionId(ReadNextFullTransactionId());
			SpinLockRelease(&shared->mutex);
			break;
		default:
			break;
	}
}

void
mt_row_cache_init(void)
{
	if (process_shared_preload_libraries_in_progress)
	{
		prev_shmem_request_hook = shmem_request_hook;
		shmem_request_hook = row_cache_shmem_request;
		prev_shmem_startup_hook = shmem_startup_hook;
		shmem_startup_hook = row_cache_shmem_startup;
	}
	RegisterXactCallback(row_cache_xact_callback, NULL);
}

/*
 * lookup_rows_changed(): the statement and row triggers of the kept tables
 * (see the header).  Records this transaction as a writer before the
 * statement or the row changes anything.
 */
Datum
mt_lookup_rows_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	RowCacheSlot *slot;
	TransactionId xid;

	HeapTuple	row = NULL;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("lookup_rows_changed must be called as a BEFORE trigger")));
	/* A row trigger lets the row be written as it is. */
	if (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		row = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	/*
	 * Under Citus no copies are kept (index_probe.c does not probe there),
	 * and Citus prepares the transactions that write several nodes.
	 */
	if (xact_wrote || shared == NULL || mt_citus_installed())
		return PointerGetDatum(row);
	slot = database_slot();
	if (slot == NULL)
		slot = &shared->unslotted;
	xid = GetTopTransactionId();
	SpinLockAcquire(&shared->mutex);
	if (slot->writing++ == 0)
	{
		slot->nwriters = 0;
		slot->overflow = false;
	}
	if (slot->nwriters < MAX_WRITERS)
		slot->writers[slot->nwriters++] = xid;
	else
		slot->overflow = true;
	slot->changes++;
	SpinLockRelease(&shared->mutex);
	xact_wrote = true;
	xact_slot = slot;
	return PointerGetDatum(row);
}

/*
 * Whether this backend's copies may be used and filled under snapshot (see
 * the header); forgets them if a writer has been at work since.
 */
bool
mt_row_cache_usable(Snapshot snapshot)
{
	RowCacheSlot *slots[2];
	TransactionId writers[2][MAX_WRITERS];
	int			nwriters[2];
	bool		overflow[2];
	TransactionId horizon[2];
	uint64		changes = 0;
	int			writing = 0;
	int			nslots;
	int			i;
	int			w;

	if (!mt_row_cache || xact_wrote || shared == NULL || snapshot == NULL ||
		!IsMVCCSnapshot(snapshot) || RecoveryInProgress())
		return false;

	/*
	 * The database's slot and the one of databases without a slot: a
	 * backend that found no free slot counts its writes there, even after
	 * this database got one.
	 */
	nslots = 0;
	slots[nslots++] = &shared->unslotted;
	if (database_slot() != NULL)
		slots[nslots++] = database_slot();
	SpinLockAcquire(&shared->mutex);
	for (i = 0; i < nslots; i++)
	{
		changes += slots[i]->changes;
		writing += slots[i]->writing;
		overflow[i] = slots[i]->overflow;
		horizon[i] = slots[i]->horizon;
		nwriters[i] = slots[i]->nwriters;
		if (!overflow[i])
			memcpy(writers[i], slots[i]->writers, nwriters[i] * sizeof(TransactionId));
	}
	SpinLockRelease(&shared->mutex);

	/* Every write bumps one of the counters, so their sum moves. */
	if (!seen_any || changes != seen_changes)
	{
		forget_all();
		seen_changes = changes;
		seen_any = true;
	}
	if (writing > 0)
		return false;
	for (i = 0; i < nslots; i++)
	{
		if (overflow[i])
		{
			if (!TransactionIdFollowsOrEquals(snapshot->xmin, horizon[i]))
				return false;
			continue;
		}
		for (w = 0; w < nwriters[i]; w++)
			if (XidInMVCCSnapshot(writers[i][w], snapshot))
				return false;
	}
	return true;
}

/*
 * The transaction that created or last changed a trigger (its pg_trigger
 * row's xmin).
 */
static TransactionId
trigger_xmin(Oid trigger_oid)
{
	Relation	triggers = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	TransactionId xmin = InvalidTransactionId;

	ScanKeyInit(&key, Anum_pg_trigger_oid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(trigger_oid));
	scan = systable_beginscan(triggers, TriggerOidIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		xmin = HeapTupleHeaderGetXmin(tuple->t_data);
	systable_endscan(scan);
	table_close(triggers, AccessShareLock);
	return xmin;
}

/*
 * Whether the probe's table may be answered from copies: the table has
 * lookup_rows_changed, enabled ALWAYS, as a BEFORE statement trigger on
 * every kind of write and as a BEFORE row trigger on INSERT, UPDATE and
 * DELETE (logical replication's apply fires row triggers only).  Sets
 * cache->guard_xmin to the transactions that created or enabled those
 * triggers: each waited for every transaction that wrote the table without
 * it (CREATE TRIGGER and ENABLE take a lock that conflicts with writers'),
 * so a snapshot that sees them ended sees those writers ended too.  Kept
 * until the table's next relcache invalidation.
 */
static bool
table_guarded(MtRowCache *cache)
{
	Relation	rel;
	TriggerDesc *trigdesc;
	bool		statement = false;
	bool		row = false;
	int			i;
	Oid			function = LookupFuncName(list_make2(makeString("multitenant"),
													 makeString("lookup_rows_changed")),
										  0, NULL, true);

	if (!OidIsValid(function))
		return false;
	rel = table_open(cache->probe->relid, AccessShareLock);
	trigdesc = rel->trigdesc;
	for (i = 0; trigdesc != NULL && i < trigdesc->numtriggers; i++)
	{
		Trigger    *trigger = &trigdesc->triggers[i];
		int16		type = trigger->tgtype;
		bool		every_write;

		if (trigger->tgfoid != function || trigger->tgenabled != TRIGGER_FIRES_ALWAYS ||
			!TRIGGER_FOR_BEFORE(type) || trigger->tgqual != NULL || trigger->tgnattr != 0)
			continue;
		every_write = TRIGGER_FOR_INSERT(type) && TRIGGER_FOR_UPDATE(type) && TRIGGER_FOR_DELETE(type);
		if (!statement && !TRIGGER_FOR_ROW(type) && every_write && TRIGGER_FOR_TRUNCATE(type))
		{
			cache->guard_xmin[0] = trigger_xmin(trigger->tgoid);
			statement = TransactionIdIsValid(cache->guard_xmin[0]);
		}
		else if (!row && TRIGGER_FOR_ROW(type) && every_write)
		{
			cache->guard_xmin[1] = trigger_xmin(trigger->tgoid);
			row = TransactionIdIsValid(cache->guard_xmin[1]);
		}
	}
	table_close(rel, NoLock);
	return statement && row;
}

/* Whether snapshot sees the transactions of cache->guard_xmin ended. */
static bool
guard_visible(MtRowCache *cache, Snapshot snapshot)
{
	int			i;

	for (i = 0; i < 2; i++)
		if (XidInMVCCSnapshot(cache->guard_xmin[i], snapshot) ||
			TransactionIdIsCurrentTransactionId(cache->guard_xmin[i]))
			return false;
	return true;
}

/* Keys hashed and compared by their strings, not their whole buffers. */
static uint32
cache_key_hash(const void *key, Size keysize)
{
	const CacheKey *k = (const CacheKey *) key;

	return hash_combine(hash_bytes((const unsigned char *) k->key1, strlen(k->key1)),
						hash_bytes((const unsigned char *) k->key2, strlen(k->key2)));
}

static int
cache_key_match(const void *key1, const void *key2, Size keysize)
{
	const CacheKey *a = (const CacheKey *) key1;
	const CacheKey *b = (const CacheKey *) key2;

	return strcmp(a->key1, b->key1) != 0 || strcmp(a->key2, b->key2) != 0;
}

static HTAB *
cache_entries(MtRowCache *cache)
{
	HASHCTL		ctl;

	if (!cache->registered)
	{
		cache->registered = true;
		cache->next_registered = registered_caches;
		registered_caches = cache;
	}
	if (cache->entries != NULL)
		return cache->entries;
	if (cache_context == NULL)
		cache_context = AllocSetContextCreate(TopMemoryContext, "multitenant row cache",
											  ALLOCSET_DEFAULT_SIZES);
	ctl.keysize = sizeof(CacheKey);
	ctl.entrysize = sizeof(CacheEntry);
	ctl.hash = cache_key_hash;
	ctl.match = cache_key_match;
	ctl.hcxt = cache_context;
	cache->entries = hash_create(cache->name, 256, &ctl, HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	return cache->entries;
}

/* The key of two text values, false if either is too long to keep. */
static bool
make_key(Datum key1, Datum key2, CacheKey *key)
{
	text	   *t1 = DatumGetTextPP(key1);
	text	   *t2 = DatumGetTextPP(key2);
	Size		len1 = VARSIZE_ANY_EXHDR(t1);
	Size		len2 = VARSIZE_ANY_EXHDR(t2);

	if (len1 > MT_CACHED_KEYLEN || len2 > MT_CACHED_KEYLEN)
		return false;
	memcpy(key->key1, VARDATA_ANY(t1), len1);
	key->key1[len1] = '\0';
	memcpy(key->key2, VARDATA_ANY(t2), len2);
	key->key2[len2] = '\0';
	/* A NUL inside a text value would make two keys one: not kept. */
	return memchr(key->key1, '\0', len1) == NULL && memchr(key->key2, '\0', len2) == NULL;
}

bool
mt_row_cache_get(MtRowCache *cache, Datum key1, Datum key2, MtCachedRows *rows)
{
	CacheKey	key;
	CacheEntry *entry;

	if (!make_key(key1, key2, &key))
		return false;
	entry = hash_search(cache_entries(cache), &key, HASH_FIND, NULL);
	if (entry == NULL)
		return false;
	*rows = entry->rows;
	return true;
}

void
mt_row_cache_put(MtRowCache *cache, Datum key1, Datum key2, const MtCachedRows *rows)
{
	CacheKey	key;
	CacheEntry *entry;

	if (!make_key(key1, key2, &key))
		return;
	if (hash_get_num_entries(cache_entries(cache)) >= MAX_ENTRIES)
		forget_all();
	entry = hash_search(cache_entries(cache), &key, HASH_ENTER, NULL);
	entry->rows = *rows;
}

/*
 * The rows the probe of cache finds with these keys, as by-value copies of
 * its columns (or what cache->keep keeps of them): from this backend's copies where use_copies (the caller's
 * mt_row_cache_usable for this snapshot) and the table is guarded, else by
 * probing, through ps, which is opened here if its probe is NULL.  False
 * if more rows than MT_CACHED_MAXROWS are found: the caller then probes
 * itself.
 */
bool
mt_row_cache_read(MtRowCache *cache, MtProbeScan *ps, Snapshot snapshot, Datum key1, Datum key2,
				  MtCachedRows *rows)
{
	bool		keep = false;
	Datum		keys[2] = {key1, key2};
	TupleTableSlot *slot;
	int			ncolumns = cache->probe->ncolumns;

	Assert(ncolumns <= MT_CACHED_MAXCOLS && cache->probe->nkeys == 2);
	if (mt_row_cache_usable(snapshot))
	{
		/*
		 * The lock a SELECT takes, first: taking it reads the invalidations
		 * that a concurrent ALTER TABLE or DROP sent before it let go.
		 */
		LockRelationOid(cache->probe->relid, AccessShareLock);
		(void) cache_entries(cache);
		/* A relcache invalidation of the table: forget, and check again. */
		if (cache->probe->invalidations != cache->seen_invalidations)
		{
			forget_all();
			cache->guard_checked = false;
			cache->seen_invalidations = cache->probe->invalidations;
		}
		if (!cache->guard_checked)
		{
			cache->guarded = table_guarded(cache);
			cache->guard_checked = true;
		}
		/* A snapshot older than the trigger may miss writes made without it. */
		keep = cache->guarded && guard_visible(cache, snapshot);
	}
	if (keep && mt_row_cache_get(cache, key1, key2, rows))
		return true;
	if (ps->probe == NULL)
		mt_probe_open(ps, cache->probe);
	rows->nrows = 0;
	for (slot = mt_probe_first(ps, snapshot, keys); slot != NULL; slot = mt_probe_next(ps))
	{
		int			c;

		if (rows->nrows == MT_CACHED_MAXROWS)
			return false;
		for (c = 0; c < ncolumns; c++)
		{
			Datum		value = mt_probe_get(ps, c, &rows->isnull[rows->nrows][c]);

			if (cache->keep != NULL && !rows->isnull[rows->nrows][c])
				value = cache->keep(c, value);
			rows->values[rows->nrows][c] = value;
		}
		rows->nrows++;
	}
	if (keep)
		mt_row_cache_put(cache, key1, key2, rows);
	return true;
}
