/*-------------------------------------------------------------------------
 *
 * event_store.c
 *	  push, push_many and read_events over multitenant.events.
 *
 * Sequences are gapless per aggregate: a push reads the aggregate's latest
 * sequence and inserts the next one with ON CONFLICT DO NOTHING on the
 * primary key.  A concurrent pusher of the same sequence makes that insert
 * wait for it; if it commits, the insert does nothing and the push reads the
 * new latest sequence and tries again (or, holding an expected_sequence,
 * fails).  Retries queue on a lock of their aggregate, released as soon as
 * the event is stored, so that a push cannot be starved by a stream of others
 * and one transaction can still push to any number of aggregates without
 * filling the lock table.  push_many stores a batch with one lookup and one
 * multi-row insert instead, and reports a concurrent push to one of its
 * aggregates as a serialization failure.
 *
 * Positions come from a sequence, so a transaction can commit a position
 * after a later one is already visible.  read_events must never skip such a
 * position, nor wait for it: one tenant's open transaction must not hold up
 * anyone's reads or writes.  So every pushing transaction publishes, in
 * shared memory, a lower bound of the positions it may hold (taken before it
 * draws one) until it ends, and a reader returns only what lies below the
 * lowest bound published: the high-water mark of positions that can no longer
 * appear.  Without shared_preload_libraries there is no shared memory; the
 * reader then waits for the pushes in flight instead (never blocking new
 * ones).  Every push also holds a shared "pushers" lock for the rest of its
 * transaction, which rebuild takes exclusively.
 *
 * The event row is written as the extension's owner: application roles have
 * no write privilege on the event store and reach it only through push, which
 * checks the tenant first.
 *
 * A push reduces its events through the reducer engine (reducer.c) before it
 * returns.  Modules above that must act on pushed events in the pushing
 * transaction, but never on a rebuild's replay, register a push callback.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "catalog.h"
#include "event_store.h"
#include "multitenant.h"
#include "reducer.h"
#include "settings.h"
#include "tenant_context.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_push);
PG_FUNCTION_INFO_V1(mt_push_many);
PG_FUNCTION_INFO_V1(mt_read_events);
PG_FUNCTION_INFO_V1(mt_events_immutable);
PG_FUNCTION_INFO_V1(mt_aggregate_version);
PG_FUNCTION_INFO_V1(mt_declare_event_type);

/* Largest event payload accepted by push, in bytes. */
#define MT_PAYLOAD_MAXLEN (1024 * 1024)

typedef struct PushRequest
{
	char	   *aggregate_type;
	char	   *aggregate_id;
	char	   *event_type;
	Jsonb	   *payload;		/* NULL for no payload */
	bool		has_expected_sequence;
	int64		expected_sequence;
	char	   *resource_owner; /* NULL: derive it */
	char	   *creator;		/* NULL: the calling role */
	char	   *instance_id;
	TimestampTz created_at;
} PushRequest;

/*
 * Shared state of the high-water-mark reader: per backend, the lowest
 * position its transaction may hold, its database and its tenant.
 */
typedef struct PendingPush
{
	pg_atomic_uint64 lowest;	/* 0: no push in flight */
	pg_atomic_uint64 tenant;	/* tenant_hash() of its tenant, 0: several */
	Oid			database;
} PendingPush;

typedef struct PushHorizon
{
	int			n_slots;
	PendingPush pending[FLEXIBLE_ARRAY_MEMBER];
} PushHorizon;

/* A transaction about to draw its first position holds up every reader. */
#define DRAWING_FIRST_POSITION 1

static PushHorizon *push_horizon = NULL;
static bool horizon_slot_published = false;
static bool horizon_slot_drawn = false;
static uint64 horizon_slot_tenant = 0;

#if PG_VERSION_NUM >= 150000
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static SPIPlanPtr latest_event_plan = NULL;
static SPIPlanPtr aggregate_version_plan = NULL;
static SPIPlanPtr event_type_known_plan = NULL;

/*
 * Event types known to be declared or reduced, for the declared-types guard;
 * dropped whenever the reducer registry or the declarations change.
 */
static HTAB *known_event_types = NULL;
static Oid	known_event_types_sources[2] = {InvalidOid, InvalidOid};
static SPIPlanPtr insert_event_plan = NULL;
static SPIPlanPtr latest_events_batch_plan = NULL;
static SPIPlanPtr insert_events_batch_plan = NULL;

/* See mt_register_push_callback. */
#define MAX_PUSH_CALLBACKS 4
static MtPushCallback push_callbacks[MAX_PUSH_CALLBACKS];
static int	n_push_callbacks = 0;

static int
horizon_slot_count(void)
{
#if PG_VERSION_NUM >= 150000
	return MaxBackends;
#else
	/* MaxBackends is not computed yet while libraries are preloaded. */
	return MaxConnections + autovacuum_max_workers + 1 + max_worker_processes + max_wal_senders;
#endif
}

static Size
horizon_size(void)
{
	return add_size(offsetof(PushHorizon, pending),
					mul_size(sizeof(PendingPush), horizon_slot_count()));
}

static int
my_horizon_slot(void)
{
#if PG_VERSION_NUM >= 170000
	int			slot = MyProcNumber;
#else
	int			slot = MyBackendId - 1;
#endif

	if (slot < 0 || slot >= push_horizon->n_slots)
		elog(ERROR, "backend slot %d is outside the push horizon's %d slots", slot, push_horizon->n_slots);
	return slot;
}

#if PG_VERSION_NUM >= 150000
static void
horizon_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(horizon_size());
}
#endif

static void
horizon_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	push_horizon = ShmemInitStruct("multitenant push horizon", horizon_size(), &found);
	if (!found)
	{
		int			i;

		push_horizon->n_slots = horizon_slot_count();
		for (i = 0; i < push_horizon->n_slots; i++)
		{
			pg_atomic_init_u64(&push_horizon->pending[i].lowest, 0);
			pg_atomic_init_u64(&push_horizon->pending[i].tenant, 0);
			push_horizon->pending[i].database = InvalidOid;
		}
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Ends this backend's bound with its transaction: by the time of the
 * COMMIT callback the commit is visible to every new snapshot.  A prepared
 * transaction would outlive the bound, so one that pushed is refused.
 */
static void
horizon_xact_callback(XactEvent event, void *arg)
{
	if (!horizon_slot_published)
		return;
	switch (event)
	{
		case XACT_EVENT_PRE_PREPARE:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot prepare a transaction that pushed events"),
					 errdetail("read_events must see every pushed event end before it reads past its position.")));
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
			pg_atomic_write_u64(&push_horizon->pending[my_horizon_slot()].lowest, 0);
			horizon_slot_published = false;
			horizon_slot_drawn = false;
			break;
		default:
			break;
	}
}

static void
event_types_relcache_callback(Datum arg, Oid relid)
{
	if (known_event_types != NULL &&
		(!OidIsValid(relid) || relid == known_event_types_sources[0] ||
		 relid == known_event_types_sources[1]))
	{
		hash_destroy(known_event_types);
		known_event_types = NULL;
	}
}

/* Called from _PG_init. */
void
mt_event_store_init(void)
{
	CacheRegisterRelcacheCallback(event_types_relcache_callback, (Datum) 0);
	if (process_shared_preload_libraries_in_progress)
	{
#if PG_VERSION_NUM >= 150000
		prev_shmem_request_hook = shmem_request_hook;
		shmem_request_hook = horizon_shmem_request;
#else
		RequestAddinShmemSpace(horizon_size());
#endif
		prev_shmem_startup_hook = shmem_startup_hook;
		shmem_startup_hook = horizon_shmem_startup;
	}
	RegisterXactCallback(horizon_xact_callback, NULL);
}

/*
 * Lets a module act on the events a push stores, in the pushing transaction,
 * where a reducer would not do: a rebuild replays reducers, never these.  The
 * callbacks run, with SPI connected, once the whole push is reduced: for each
 * event in push order, each callback in registration order.  Called from
 * _PG_init.
 */
void
mt_register_push_callback(MtPushCallback callback)
{
	if (n_push_callbacks >= MAX_PUSH_CALLBACKS)
		elog(ERROR, "too many multitenant push callbacks");
	push_callbacks[n_push_callbacks++] = callback;
}

/*
 * The last position the sequence handed out (0 if none).  SPI must be
 * connected.
 */
static int64
last_drawn_position(void)
{
	int			rc;
	bool		isnull;

	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = SPI_execute("SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END"
					 " FROM multitenant.events_position_seq AS s", true, 1);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "reading the event position failed");
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * A tenant as readers compare it: a hash, never 0 (which stands for several
 * tenants).  Two tenants that collide only make a reader of one wait for the
 * other's pushes, as if it read every tenant.
 */
static uint64
tenant_hash(const char *tenant)
{
	uint64		h = DatumGetUInt64(hash_any_extended((const unsigned char *) tenant, strlen(tenant), 0x4D54));

	return h == 0 ? 1 : h;
}

/*
 * Publishes, before the transaction draws a position for the tenant given
 * (its hash, or 0 for several), that readers of its database and tenant must
 * not read past the positions it holds.  Until the first position is drawn
 * the bound is below every position; record_first_position narrows it.
 */
static void
publish_horizon_slot(uint64 tenant)
{
	PendingPush *slot;

	if (push_horizon == NULL)
		return;
	slot = &push_horizon->pending[my_horizon_slot()];
	if (horizon_slot_published)
	{
		/* A transaction that pushes into a second tenant holds up both. */
		if (horizon_slot_tenant != 0 && horizon_slot_tenant != tenant)
		{
			horizon_slot_tenant = 0;
			pg_atomic_write_u64(&slot->tenant, 0);
			pg_memory_barrier();
		}
		return;
	}
	slot->database = MyDatabaseId;
	horizon_slot_tenant = tenant;
	pg_atomic_write_u64(&slot->tenant, tenant);
	pg_write_barrier();
	pg_atomic_write_u64(&slot->lowest, DRAWING_FIRST_POSITION);
	horizon_slot_published = true;
	pg_memory_barrier();
}

/* The transaction's first position: no later one is lower. */
static void
record_first_position(int64 position)
{
	if (push_horizon == NULL || horizon_slot_drawn)
		return;
	pg_atomic_write_u64(&push_horizon->pending[my_horizon_slot()].lowest,
						(uint64) Max(position, DRAWING_FIRST_POSITION));
	horizon_slot_drawn = true;
}

/*
 * The highest position at or below which every position the reader can see
 * is final (committed, or never to be), given the sequence's last value read
 * before.  A reader confined to one tenant (reader_tenant, else 0) waits for
 * no other tenant's pushes; its own transaction's pushes are its own to see.
 */
static int64
safe_horizon(int64 last_drawn, uint64 reader_tenant)
{
	int64		horizon = last_drawn;
	int			mine = my_horizon_slot();
	int			i;

	pg_memory_barrier();
	for (i = 0; i < push_horizon->n_slots; i++)
	{
		uint64		lowest = pg_atomic_read_u64(&push_horizon->pending[i].lowest);
		uint64		tenant;

		if (lowest == 0 || i == mine)
			continue;
		pg_read_barrier();
		if (push_horizon->pending[i].database != MyDatabaseId)
			continue;
		tenant = pg_atomic_read_u64(&push_horizon->pending[i].tenant);
		if (reader_tenant != 0 && tenant != 0 && tenant != reader_tenant)
			continue;
		if ((int64) lowest - 1 < horizon)
			horizon = (int64) lowest - 1;
	}
	return horizon;
}

static void
set_pushers_locktag(LOCKTAG *tag)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, 0, 0, MT_LOCK_CLASS_PUSHERS);
}

/*
 * Every push holds the pushers lock in ShareLock until its transaction ends;
 * rebuild takes it in ExclusiveLock, so that no push interleaves with its
 * replay.
 */
void
mt_lock_pushers(LOCKMODE mode)
{
	LOCKTAG		tag;

	set_pushers_locktag(&tag);
	(void) LockAcquire(&tag, mode, false, false);
}

static void
lock_aggregate(const PushRequest *req, LOCKTAG *tag)
{
	StringInfoData key;
	uint64		hash;

	initStringInfo(&key);
	appendBinaryStringInfo(&key, req->instance_id, strlen(req->instance_id) + 1);
	appendBinaryStringInfo(&key, req->aggregate_type, strlen(req->aggregate_type) + 1);
	appendBinaryStringInfo(&key, req->aggregate_id, strlen(req->aggregate_id));
	hash = DatumGetUInt64(hash_any_extended((unsigned char *) key.data, key.len, 0));
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, (uint32) (hash >> 32), (uint32) hash,
						 MT_LOCK_CLASS_AGGREGATE);
	(void) LockAcquire(tag, ExclusiveLock, false, false);
	pfree(key.data);
}

/*
 * The latest event of aggregate ($2, $3) in tenant $1.  push reads it as the
 * extension's owner, aggregate_version as its caller: two plans, since a plan
 * under row-level security belongs to the role it was made for.
 */
#define LATEST_EVENT_SQL \
	" FROM multitenant.events AS e" \
	" WHERE e.instance_id OPERATOR(pg_catalog.=) $1" \
	" AND e.aggregate_type OPERATOR(pg_catalog.=) $2" \
	" AND e.aggregate_id OPERATOR(pg_catalog.=) $3" \
	" ORDER BY e.sequence DESC LIMIT 1"

static void
prepare_event_plans(void)
{
	if (latest_event_plan == NULL)
	{
		Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};

		latest_event_plan = mt_prepare_kept(
			"SELECT e.sequence, e.resource_owner" LATEST_EVENT_SQL, 3, types);
	}
	if (insert_event_plan == NULL)
	{
		Oid			types[9] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, JSONBOID, TEXTOID,
		TEXTOID, TIMESTAMPTZOID, INT8OID};

		/*
		 * One statement reads the aggregate's latest event and stores the
		 * next one; it stores nothing if expected_sequence ($9) does not
		 * match or a concurrent push took the sequence.
		 */
		insert_event_plan = mt_prepare_kept(
			"INSERT INTO multitenant.events AS e (instance_id, aggregate_type, aggregate_id,"
			" sequence, event_type, payload, creator, resource_owner, created_at, position)"
			" SELECT $1, $2, $3, COALESCE(l.sequence, 0) OPERATOR(pg_catalog.+) 1, $4, $5, $6,"
			" COALESCE($7, l.resource_owner,"
			"  CASE WHEN $2 OPERATOR(pg_catalog.=) 'org' THEN $3 ELSE $1 END),"
			" $8, pg_catalog.nextval('multitenant.events_position_seq'::pg_catalog.regclass)"
			" FROM (VALUES (1)) AS one(x)"
			" LEFT JOIN LATERAL (SELECT x.sequence, x.resource_owner FROM multitenant.events AS x"
			"  WHERE x.instance_id OPERATOR(pg_catalog.=) $1"
			"  AND x.aggregate_type OPERATOR(pg_catalog.=) $2"
			"  AND x.aggregate_id OPERATOR(pg_catalog.=) $3"
			"  ORDER BY x.sequence DESC LIMIT 1) AS l ON true"
			" WHERE $9 IS NULL OR COALESCE(l.sequence, 0) OPERATOR(pg_catalog.=) $9"
			" ON CONFLICT (instance_id, aggregate_type, aggregate_id, sequence) DO NOTHING"
			" RETURNING e.*", 9, types);
	}
	if (latest_events_batch_plan == NULL)
	{
		Oid			types[3] = {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};

		latest_events_batch_plan = mt_prepare_kept(
			"SELECT k.ord, l.sequence, l.resource_owner"
			" FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3))"
			"  WITH ORDINALITY"
			"  AS k(instance_id, aggregate_type, aggregate_id, ord)"
			" CROSS JOIN LATERAL (SELECT e.sequence, e.resource_owner FROM multitenant.events AS e"
			"  WHERE e.instance_id OPERATOR(pg_catalog.=) k.instance_id"
			"  AND e.aggregate_type OPERATOR(pg_catalog.=) k.aggregate_type"
			"  AND e.aggregate_id OPERATOR(pg_catalog.=) k.aggregate_id"
			"  ORDER BY e.sequence DESC LIMIT 1) AS l", 3, types);
	}
	if (insert_events_batch_plan == NULL)
	{
		Oid			types[9] = {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID,
			TEXTARRAYOID, JSONBARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID};

		insert_events_batch_plan = mt_prepare_kept(
			"INSERT INTO multitenant.events AS e (instance_id, aggregate_type, aggregate_id,"
			" sequence, event_type, payload, creator, resource_owner, created_at, position)"
			" SELECT u.instance_id, u.aggregate_type, u.aggregate_id, u.sequence, u.event_type,"
			" u.payload, u.creator, u.resource_owner, u.created_at,"
			" pg_catalog.nextval('multitenant.events_position_seq'::pg_catalog.regclass)"
			" FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3),"
			"  pg_catalog.unnest($4), pg_catalog.unnest($5), pg_catalog.unnest($6),"
			"  pg_catalog.unnest($7), pg_catalog.unnest($8), pg_catalog.unnest($9))"
			"  AS u(instance_id, aggregate_type, aggregate_id, sequence, event_type,"
			"  payload, creator, resource_owner, created_at)"
			" RETURNING e.*", 9, types);
	}
}

static void
validate_request(PushRequest *req)
{
	mt_check_identifier(req->instance_id, "instance_id");
	mt_check_identifier(req->aggregate_type, "aggregate_type");
	mt_check_identifier(req->aggregate_id, "aggregate_id");
	mt_check_identifier(req->event_type, "event_type");
	if (req->resource_owner != NULL)
		mt_check_identifier(req->resource_owner, "resource_owner");
	if (req->creator != NULL)
		mt_check_identifier(req->creator, "creator");
	if (req->payload != NULL)
	{
		if (!JB_ROOT_IS_OBJECT(req->payload))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("payload of event \"%s\" must be a JSON object", req->event_type)));
		if (VARSIZE(req->payload) > MT_PAYLOAD_MAXLEN)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("payload of event \"%s\" is too large (%zu bytes, at most %d)",
							req->event_type, (size_t) VARSIZE(req->payload), MT_PAYLOAD_MAXLEN)));
	}
	if (req->has_expected_sequence && req->expected_sequence < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expected_sequence must not be negative")));
}

/* A push whose expected_sequence is not the aggregate's. */
static void
aggregate_sequence_mismatch(const PushRequest *req, int64 current_sequence)
{
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("aggregate %s \"%s\" of tenant \"%s\" is at sequence " INT64_FORMAT ", expected " INT64_FORMAT,
					req->aggregate_type, req->aggregate_id, req->instance_id,
					current_sequence, req->expected_sequence),
			 errhint("Reload the aggregate and retry.")));
}

/*
 * The owner an event gets when push is not told one: the aggregate's, else
 * the org itself for org aggregates, else the tenant.  (The single-event
 * statement spells the same rule in SQL.)
 */
static char *
default_owner(const PushRequest *req, char *aggregate_owner)
{
	if (aggregate_owner != NULL)
		return aggregate_owner;
	if (strcmp(req->aggregate_type, "org") == 0)
		return req->aggregate_id;
	return req->instance_id;
}

/*
 * Stores one event, going again on top of any concurrent push that takes its
 * sequence first.  Returns the stored row, copied out of SPI.
 */
static HeapTuple
store_event(PushRequest *req, Oid owner)
{
	Datum		values[9];
	char		nulls[9];
	int			attempt;
	LOCKTAG		aggregate_lock;

	values[0] = CStringGetTextDatum(req->instance_id);
	values[1] = CStringGetTextDatum(req->aggregate_type);
	values[2] = CStringGetTextDatum(req->aggregate_id);
	values[3] = CStringGetTextDatum(req->event_type);
	values[4] = req->payload ? JsonbPGetDatum(req->payload) : (Datum) 0;
	values[5] = CStringGetTextDatum(req->creator);
	values[6] = req->resource_owner ? CStringGetTextDatum(req->resource_owner) : (Datum) 0;
	values[7] = TimestampTzGetDatum(req->created_at);
	values[8] = Int64GetDatum(req->expected_sequence);
	memset(nulls, ' ', sizeof(nulls));
	if (req->payload == NULL)
		nulls[4] = 'n';
	if (req->resource_owner == NULL)
		nulls[6] = 'n';
	if (!req->has_expected_sequence)
		nulls[8] = 'n';

	for (attempt = 1;; attempt++)
	{
		int			rc;

		if (attempt == 2)
			lock_aggregate(req, &aggregate_lock);

		MT_AS_ROLE_BEGIN(owner);
		rc = mt_execute_kept(insert_event_plan, values, nulls, false, 0);
		MT_AS_ROLE_END();
		if (rc != SPI_OK_INSERT_RETURNING)
			elog(ERROR, "storing the event failed: %s", SPI_result_code_string(rc));
		if (SPI_processed == 1)
		{
			HeapTuple	stored = SPI_copytuple(SPI_tuptable->vals[0]);

			if (attempt >= 2)
				LockRelease(&aggregate_lock, ExclusiveLock, false);
			return stored;
		}

		/*
		 * Nothing stored: the expectation failed, or a concurrent push took
		 * the sequence and committed.  Tell which; in the second case go
		 * again on top of it.  Every lost round means another transaction
		 * committed to this aggregate, so the bound is only a safety net.
		 */
		if (req->has_expected_sequence)
		{
			int64		current_sequence = 0;

			MT_AS_ROLE_BEGIN(owner);
			rc = mt_execute_kept(latest_event_plan, values, NULL, false, 1);
			MT_AS_ROLE_END();
			if (rc != SPI_OK_SELECT)
				elog(ERROR, "reading the latest event failed: %s", SPI_result_code_string(rc));
			if (SPI_processed > 0)
			{
				bool		isnull;

				current_sequence = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
															   SPI_tuptable->tupdesc, 1, &isnull));
			}
			if (current_sequence != req->expected_sequence)
				aggregate_sequence_mismatch(req, current_sequence);
		}
		if (attempt >= 1000)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("aggregate %s \"%s\" of tenant \"%s\" kept changing under concurrent pushes",
							req->aggregate_type, req->aggregate_id, req->instance_id),
					 errhint("Retry the transaction.")));
	}
}

typedef struct AggregateState
{
	char		key[3 * (MT_IDENTIFIER_MAXLEN + 8)];	/* hash key */
	int64		sequence;		/* latest sequence, stored or assigned */
	char	   *owner;			/* latest event's owner, NULL if none */
} AggregateState;

static Datum
array_of(Datum *elems, bool *nulls, int n, Oid elemtype)
{
	int			dims[1] = {n};
	int			lbs[1] = {1};
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
											  elemtype, typlen, typbyval, typalign));
}

static int
insert_batch(Datum *args, Oid owner, int n)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			rc = 0;

	PG_TRY();
	{
		MT_AS_ROLE_BEGIN(owner);
		rc = mt_execute_kept(insert_events_batch_plan, args, NULL, false, 0);
		MT_AS_ROLE_END();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_UNIQUE_VIOLATION)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("a concurrent push took a sequence of an aggregate in this batch of %d events", n),
				 edata->detail ? errdetail_internal("%s", edata->detail) : 0,
				 errhint("Retry the transaction.")));
	}
	PG_END_TRY();
	return rc;
}

/*
 * Stores a batch of events with one lookup and one insert, assigning
 * sequences and owners in array order.  A concurrent push that takes one of
 * the sequences first makes the insert fail on the primary key; that is
 * reported as the serialization failure it is, so the client retries.  (A
 * subtransaction could retry here instead, but a transaction that calls
 * push_many often would then overflow the backend's subtransaction cache and
 * slow every other session's snapshots.)
 */
static void
store_event_batch(PushRequest *reqs, int n, Oid owner, HeapTuple *stored)
{
	HASHCTL		ctl;
	HTAB	   *aggregates;
	AggregateState **by_event = palloc(sizeof(AggregateState *) * n);
	AggregateState **by_ordinal = palloc(sizeof(AggregateState *) * n);
	Datum	   *cols[9];
	bool	   *payload_nulls = palloc(sizeof(bool) * n);
	Datum		args[9];
	int			n_aggregates = 0;
	int			i;
	int			rc;
	uint64		row;
	SPITupleTable *found;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(((AggregateState *) NULL)->key);
	ctl.entrysize = sizeof(AggregateState);
	ctl.hcxt = CurrentMemoryContext;
	aggregates = hash_create("multitenant push batch", n, &ctl,
							 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	for (i = 0; i < 9; i++)
		cols[i] = palloc(sizeof(Datum) * n);

	/* Distinct aggregates, keyed unambiguously by length-prefixed parts. */
	for (i = 0; i < n; i++)
	{
		char		key[sizeof(((AggregateState *) NULL)->key)];
		AggregateState *agg;
		bool		found_agg;

		snprintf(key, sizeof(key), "%zu.%s%zu.%s%s",
				 strlen(reqs[i].instance_id), reqs[i].instance_id,
				 strlen(reqs[i].aggregate_type), reqs[i].aggregate_type,
				 reqs[i].aggregate_id);
		agg = hash_search(aggregates, key, HASH_ENTER, &found_agg);
		if (!found_agg)
		{
			n_aggregates++;
			agg->sequence = 0;
			agg->owner = NULL;
			by_ordinal[n_aggregates - 1] = agg;
			cols[0][n_aggregates - 1] = CStringGetTextDatum(reqs[i].instance_id);
			cols[1][n_aggregates - 1] = CStringGetTextDatum(reqs[i].aggregate_type);
			cols[2][n_aggregates - 1] = CStringGetTextDatum(reqs[i].aggregate_id);
		}
		by_event[i] = agg;
	}

	args[0] = array_of(cols[0], NULL, n_aggregates, TEXTOID);
	args[1] = array_of(cols[1], NULL, n_aggregates, TEXTOID);
	args[2] = array_of(cols[2], NULL, n_aggregates, TEXTOID);
	MT_AS_ROLE_BEGIN(owner);
	rc = mt_execute_kept(latest_events_batch_plan, args, NULL, false, 0);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading the latest events failed: %s", SPI_result_code_string(rc));
	found = SPI_tuptable;
	for (row = 0; row < SPI_processed; row++)
	{
		bool		isnull;
		int64		ordinal = DatumGetInt64(SPI_getbinval(found->vals[row], found->tupdesc, 1, &isnull));
		AggregateState *agg;

		if (ordinal < 1 || ordinal > n_aggregates)
			elog(ERROR, "latest-event lookup returned ordinal " INT64_FORMAT " of %d", ordinal, n_aggregates);
		agg = by_ordinal[ordinal - 1];
		agg->sequence = DatumGetInt64(SPI_getbinval(found->vals[row], found->tupdesc, 2, &isnull));
		agg->owner = SPI_getvalue(found->vals[row], found->tupdesc, 3);
	}

	for (i = 0; i < n; i++)
	{
		PushRequest *req = &reqs[i];
		AggregateState *agg = by_event[i];

		if (req->has_expected_sequence && req->expected_sequence != agg->sequence)
			aggregate_sequence_mismatch(req, agg->sequence);
		if (req->resource_owner == NULL)
			req->resource_owner = default_owner(req, agg->owner);
		agg->sequence++;
		agg->owner = req->resource_owner;

		cols[0][i] = CStringGetTextDatum(req->instance_id);
		cols[1][i] = CStringGetTextDatum(req->aggregate_type);
		cols[2][i] = CStringGetTextDatum(req->aggregate_id);
		cols[3][i] = Int64GetDatum(agg->sequence);
		cols[4][i] = CStringGetTextDatum(req->event_type);
		cols[5][i] = req->payload ? JsonbPGetDatum(req->payload) : (Datum) 0;
		payload_nulls[i] = (req->payload == NULL);
		cols[6][i] = CStringGetTextDatum(req->creator);
		cols[7][i] = CStringGetTextDatum(req->resource_owner);
		cols[8][i] = TimestampTzGetDatum(req->created_at);
	}
	args[0] = array_of(cols[0], NULL, n, TEXTOID);
	args[1] = array_of(cols[1], NULL, n, TEXTOID);
	args[2] = array_of(cols[2], NULL, n, TEXTOID);
	args[3] = array_of(cols[3], NULL, n, INT8OID);
	args[4] = array_of(cols[4], NULL, n, TEXTOID);
	args[5] = array_of(cols[5], payload_nulls, n, JSONBOID);
	args[6] = array_of(cols[6], NULL, n, TEXTOID);
	args[7] = array_of(cols[7], NULL, n, TEXTOID);
	args[8] = array_of(cols[8], NULL, n, TIMESTAMPTZOID);

	rc = insert_batch(args, owner, n);
	if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != (uint64) n)
		elog(ERROR, "storing the events failed: %s", SPI_result_code_string(rc));

	/* The insert returns its rows in the order of the arrays. */
	for (i = 0; i < n; i++)
	{
		bool		isnull;
		char	   *aggregate_id = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3);
		int64		sequence = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 4, &isnull));

		if (strcmp(aggregate_id, reqs[i].aggregate_id) != 0 || sequence != DatumGetInt64(cols[3][i]))
			elog(ERROR, "stored event %d of the batch came back out of order", i + 1);
		stored[i] = SPI_copytuple(SPI_tuptable->vals[i]);
	}
}

/*
 * With multitenant.require_declared_event_types on, an event type must be
 * reduced by some reducer or declared with declare_event_type: a stored event
 * can never be removed, so a misspelt type would stay forever.  SPI must be
 * connected.
 */
static void
check_event_type_declared(const char *event_type)
{
	Datum		arg;
	int			rc;
	bool		isnull;

	if (known_event_types != NULL &&
		hash_search(known_event_types, event_type, HASH_FIND, NULL) != NULL)
		return;
	if (event_type_known_plan == NULL)
	{
		Oid			type = TEXTOID;

		event_type_known_plan = mt_prepare_kept(
			"SELECT EXISTS (SELECT FROM multitenant.reducers AS r WHERE r.event_type OPERATOR(pg_catalog.=) $1)"
			" OR EXISTS (SELECT FROM multitenant.event_types AS d WHERE d.event_type OPERATOR(pg_catalog.=) $1)",
			1, &type);
	}
	arg = CStringGetTextDatum(event_type);
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = mt_execute_kept(event_type_known_plan, &arg, NULL, true, 1);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "reading the declared event types failed: %s", SPI_result_code_string(rc));
	if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("event type \"%s\" is not declared", event_type),
				 errdetail("multitenant.require_declared_event_types is on, and no reducer reduces it."),
				 errhint("Declare it with multitenant.declare_event_type('%s'), or register a reducer for it.", event_type)));
	if (known_event_types == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = MT_IDENTIFIER_MAXLEN + 1;
		ctl.entrysize = MT_IDENTIFIER_MAXLEN + 1;
		ctl.hcxt = CacheMemoryContext;
		known_event_types = hash_create("multitenant declared event types", 64, &ctl,
										HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
		known_event_types_sources[0] = mt_relation_oid("reducers", true);
		known_event_types_sources[1] = mt_relation_oid("event_types", true);
	}
	(void) hash_search(known_event_types, event_type, HASH_ENTER, NULL);
}

/*
 * The `tenant` aggregate (the registry, memberships, custom roles) and the
 * `principal` aggregate decide who may do what, so an application must not
 * push their events: the lifecycle functions check the acting principal and
 * push them with the definer's rights.
 */
static void
check_registry_event(const PushRequest *req)
{
	if (mt_caller_is_admin())
		return;
	if (strcmp(req->aggregate_type, "tenant") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to push event \"%s\" of the tenants registry for tenant \"%s\"",
						req->event_type, req->instance_id),
				 errhint("Tenants, memberships and custom roles change through the lifecycle functions (create_tenant, add_member, ...).")));
	if (strcmp(req->aggregate_type, "principal") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to push event \"%s\" of principal \"%s\"",
						req->event_type, req->aggregate_id),
				 errhint("Principals change through create_principal, update_principal, verify_principal and set_principal_status.")));
}

static int
position_attnum(TupleDesc desc)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
		if (strcmp(NameStr(TupleDescAttr(desc, i)->attname), "position") == 0)
			return i + 1;
	elog(ERROR, "multitenant.events has no position column");
	return 0;					/* not reached */
}

/*
 * Checks, stores and reduces events in order, leaving the stored rows in
 * stored and, as datums of the events row type, in datums.  SPI must be
 * connected.
 */
static void
push_events(PushRequest *reqs, int n, TupleDesc events_desc, HeapTuple *stored,
			Datum *datums)
{
	Oid			owner = mt_extension_owner();
	char	   *caller = NULL;
	char	  **types;
	int64		first_position = 0;
	int			i;
	int			c;

	for (i = 0; i < n; i++)
	{
		validate_request(&reqs[i]);
		mt_check_tenant_access(reqs[i].instance_id);
		check_registry_event(&reqs[i]);
		if (mt_require_declared_event_types)
			check_event_type_declared(reqs[i].event_type);
		if (reqs[i].creator == NULL)
		{
			if (caller == NULL)
				caller = GetUserNameFromId(GetUserId(), false);
			reqs[i].creator = caller;
		}
	}
	if (n == 0)
		return;

	mt_lock_pushers(ShareLock);
	{
		uint64		tenant = tenant_hash(reqs[0].instance_id);

		for (i = 1; i < n && tenant != 0; i++)
			if (strcmp(reqs[i].instance_id, reqs[0].instance_id) != 0)
				tenant = 0;
		publish_horizon_slot(tenant);
	}
	prepare_event_plans();
	if (n == 1)
		stored[0] = store_event(&reqs[0], owner);
	else
		store_event_batch(reqs, n, owner, stored);

	types = palloc(sizeof(char *) * n);
	for (i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		position;

		if (HeapTupleHeaderGetNatts(stored[i]->t_data) != events_desc->natts)
			elog(ERROR, "multitenant.events returned %d columns, its row type has %d",
				 HeapTupleHeaderGetNatts(stored[i]->t_data), events_desc->natts);
		position = heap_getattr(stored[i], position_attnum(events_desc), events_desc, &isnull);
		if (!isnull && (first_position == 0 || DatumGetInt64(position) < first_position))
			first_position = DatumGetInt64(position);
		datums[i] = heap_copy_tuple_as_datum(stored[i], events_desc);
		types[i] = reqs[i].event_type;
	}
	record_first_position(first_position);
	mt_reduce_events(datums, types, n, NULL, 0);

	/* What the modules above ask for; see mt_register_push_callback. */
	for (i = 0; i < n; i++)
		for (c = 0; c < n_push_callbacks; c++)
			push_callbacks[c] (reqs[i].instance_id, types[i]);
}

Datum
mt_push(PG_FUNCTION_ARGS)
{
	PushRequest req;
	TupleDesc	events_desc;
	HeapTuple	stored;
	Datum		event;
	Datum		result;

	req.aggregate_type = mt_text_arg(fcinfo, 0);
	req.aggregate_id = mt_text_arg(fcinfo, 1);
	req.event_type = mt_text_arg(fcinfo, 2);
	req.payload = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	req.has_expected_sequence = !PG_ARGISNULL(4);
	req.expected_sequence = req.has_expected_sequence ? PG_GETARG_INT64(4) : 0;
	req.resource_owner = mt_text_arg(fcinfo, 5);
	req.creator = mt_text_arg(fcinfo, 6);
	req.instance_id = mt_text_arg(fcinfo, 7);
	if (req.instance_id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no tenant for event \"%s\": no tenant is set and no instance_id was given",
						req.event_type ? req.event_type : "(null)"),
				 errhint("Call multitenant.set_tenant() or pass instance_id.")));
	req.created_at = PG_ARGISNULL(8) ? GetCurrentTransactionStartTimestamp() : PG_GETARG_TIMESTAMPTZ(8);

	events_desc = lookup_rowtype_tupdesc_copy(mt_events_typeid(), -1);
	mt_spi_connect();
	push_events(&req, 1, events_desc, &stored, &event);
	result = SPI_datumTransfer(event, false, -1);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/*
 * Reads one element of push_many's array into a request, refusing keys that
 * push does not know and values of the wrong JSON type.
 */
static void
request_from_json(JsonbValue *obj, int index, PushRequest *req, char *default_tenant)
{
	JsonbIterator *it;
	JsonbValue	k;
	JsonbValue	v;
	JsonbIteratorToken tok;
	bool		instance_given = false;

	memset(req, 0, sizeof(*req));
	req->created_at = GetCurrentTransactionStartTimestamp();

	if (obj->type != jbvBinary || !JsonContainerIsObject(obj->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("element %d of push_many's array must be a JSON object", index + 1)));

	it = JsonbIteratorInit(obj->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		char	   *key;
		char	   *str = NULL;

		if (tok != WJB_KEY)
			continue;
		key = pnstrdup(k.val.string.val, k.val.string.len);
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);

		if (strcmp(key, "payload") == 0)
		{
			if (v.type == jbvNull)
				req->payload = NULL;
			else if (v.type == jbvBinary)
				req->payload = JsonbValueToJsonb(&v);
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("element %d of push_many: \"payload\" must be a JSON object", index + 1)));
			continue;
		}
		if (strcmp(key, "expected_sequence") == 0)
		{
			if (v.type == jbvNull)
				continue;
			if (v.type != jbvNumeric)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("element %d of push_many: \"expected_sequence\" must be a JSON number", index + 1)));
			req->has_expected_sequence = true;
			req->expected_sequence = DatumGetInt64(DirectFunctionCall1(numeric_int8,
																	   NumericGetDatum(v.val.numeric)));
			/* numeric_int8 rounds; 0.6 must not expect sequence 1. */
			if (!DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(v.val.numeric),
												  DirectFunctionCall1(int8_numeric,
																	  Int64GetDatum(req->expected_sequence)))))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("element %d of push_many: \"expected_sequence\" must be a whole number", index + 1)));
			continue;
		}

		if (v.type == jbvString)
			str = pnstrdup(v.val.string.val, v.val.string.len);
		else if (v.type != jbvNull)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("element %d of push_many: \"%s\" must be a JSON string", index + 1, key)));

		if (strcmp(key, "aggregate_type") == 0)
			req->aggregate_type = str;
		else if (strcmp(key, "aggregate_id") == 0)
			req->aggregate_id = str;
		else if (strcmp(key, "event_type") == 0)
			req->event_type = str;
		else if (strcmp(key, "resource_owner") == 0)
			req->resource_owner = str;
		else if (strcmp(key, "creator") == 0)
			req->creator = str;
		else if (strcmp(key, "instance_id") == 0)
		{
			req->instance_id = str;
			instance_given = true;
		}
		else if (strcmp(key, "created_at") == 0)
		{
			if (str != NULL)
				req->created_at = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
																		  CStringGetDatum(str),
																		  ObjectIdGetDatum(InvalidOid),
																		  Int32GetDatum(-1)));
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("element %d of push_many has unknown key \"%s\"", index + 1, key),
					 errhint("Known keys are push's parameters: aggregate_type, aggregate_id, event_type, payload, expected_sequence, resource_owner, creator, instance_id, created_at.")));
	}

	if (!instance_given)
		req->instance_id = default_tenant;
	if (req->instance_id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no tenant for element %d of push_many: no tenant is set and no instance_id was given",
						index + 1)));
}

Datum
mt_push_many(PG_FUNCTION_ARGS)
{
	Jsonb	   *events;
	TupleDesc	events_desc;
	Tuplestorestate *store;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *default_tenant;
	PushRequest *reqs;
	HeapTuple  *stored;
	Datum	   *datums;
	int			n = 0;
	int			i;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("push_many's events must not be null")));
	events = PG_GETARG_JSONB_P(0);
	if (!JB_ROOT_IS_ARRAY(events) || JB_ROOT_IS_SCALAR(events))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("push_many's events must be a JSON array of objects")));

	store = mt_begin_materialized_srf(fcinfo, &events_desc);
	default_tenant = mt_current_tenant_cstring();

	reqs = palloc(sizeof(PushRequest) * Max(JB_ROOT_COUNT(events), 1));
	stored = palloc(sizeof(HeapTuple) * Max(JB_ROOT_COUNT(events), 1));
	datums = palloc(sizeof(Datum) * Max(JB_ROOT_COUNT(events), 1));
	it = JsonbIteratorInit(&events->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		request_from_json(&v, n, &reqs[n], default_tenant);
		n++;
	}

	mt_spi_connect();
	push_events(reqs, n, events_desc, stored, datums);
	for (i = 0; i < n; i++)
		tuplestore_puttuple(store, stored[i]);
	SPI_finish();
	return (Datum) 0;
}

/*
 * Catch-up reader: the events after a position, in position order, up to the
 * high-water mark (see the top of this file).  Visibility is the caller's: a
 * tenant-scoped role reads its own tenant only.
 */
Datum
mt_read_events(PG_FUNCTION_ARGS)
{
	int64		after = PG_ARGISNULL(0) ? 0 : PG_GETARG_INT64(0);
	int32		max_events = PG_ARGISNULL(1) ? 1000 : PG_GETARG_INT32(1);
	TupleDesc	desc;
	Tuplestorestate *store;
	int64		horizon;
	Datum		args[3];
	Oid			types[3] = {INT8OID, INT8OID, INT8OID};
	int			rc;
	uint64		i;

	if (max_events <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_events must be positive")));

	/*
	 * The events are read with a snapshot taken after the horizon; an older
	 * transaction snapshot would miss events that commit below it, and the
	 * caller would skip them for good.
	 */
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("read_events cannot run in a REPEATABLE READ or SERIALIZABLE transaction"),
				 errdetail("Its snapshot was taken before events that commit later, which a catch-up reader would then skip."),
				 errhint("Call read_events at READ COMMITTED (the default).")));

	store = mt_begin_materialized_srf(fcinfo, &desc);
	mt_spi_connect();

	/* Every position at or below this one has been drawn. */
	horizon = last_drawn_position();
	if (push_horizon != NULL)
	{
		/*
		 * A role that is not an administrator reads its tenant's events only
		 * (the events' tenant policies), so it waits for no other tenant.
		 */
		char	   *tenant = mt_caller_is_admin() || has_bypassrls_privilege(GetUserId())
			? NULL : mt_current_tenant_cstring();

		horizon = safe_horizon(horizon, tenant ? tenant_hash(tenant) : 0);
	}
	else
	{
		LOCKTAG		tag;

		/* Each push draws its positions holding the pushers lock. */
		set_pushers_locktag(&tag);
		WaitForLockers(tag, ExclusiveLock, false);
	}

	args[0] = Int64GetDatum(after);
	args[1] = Int64GetDatum(horizon);
	args[2] = Int64GetDatum(max_events);
	rc = SPI_execute_with_args("SELECT e.* FROM multitenant.events AS e"
							   " WHERE e.position OPERATOR(pg_catalog.>) $1"
							   " AND e.position OPERATOR(pg_catalog.<=) $2"
							   " ORDER BY e.position LIMIT $3",
							   3, types, args, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading events failed: %s", SPI_result_code_string(rc));
	for (i = 0; i < SPI_processed; i++)
		tuplestore_puttuple(store, SPI_tuptable->vals[i]);
	SPI_finish();
	return (Datum) 0;
}

Datum
mt_events_immutable(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const char *what;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "events_immutable must be called as a trigger");
	what = mt_trigger_event_verb(trigdata->tg_event);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("events in multitenant.events are immutable and cannot be %s", what),
			 errhint("Correct a past event by pushing a new one.")));
	PG_RETURN_NULL();
}

/*
 * aggregate_version(aggregate_type, aggregate_id): the aggregate's current
 * sequence in the current tenant, 0 if it has no event: what a client passes
 * as expected_sequence.  It reads as the caller, so it sees what read_events
 * and the events table show that caller.
 */
Datum
mt_aggregate_version(PG_FUNCTION_ARGS)
{
	char	   *aggregate_type = mt_text_arg(fcinfo, 0);
	char	   *aggregate_id = mt_text_arg(fcinfo, 1);
	char	   *tenant;
	Datum		values[3];
	int64		version = 0;
	int			rc;

	mt_check_identifier(aggregate_type, "aggregate_type");
	mt_check_identifier(aggregate_id, "aggregate_id");
	tenant = mt_current_tenant_cstring();
	if (tenant == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("aggregate_version needs a tenant, and no tenant is set"),
				 errhint("Call multitenant.set_tenant() first.")));

	mt_spi_connect();
	if (aggregate_version_plan == NULL)
	{
		Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};

		aggregate_version_plan = mt_prepare_kept("SELECT e.sequence" LATEST_EVENT_SQL, 3, types);
	}
	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(aggregate_type);
	values[2] = CStringGetTextDatum(aggregate_id);
	rc = mt_execute_kept(aggregate_version_plan, values, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading the version of aggregate %s \"%s\" failed: %s",
			 aggregate_type, aggregate_id, SPI_result_code_string(rc));
	if (SPI_processed == 1)
	{
		bool		isnull;

		version = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
	PG_RETURN_INT64(version);
}

/*
 * declare_event_type(event_type): lets events of this type be pushed while
 * multitenant.require_declared_event_types is on.  Declaring a type twice
 * is no error.
 */
Datum
mt_declare_event_type(PG_FUNCTION_ARGS)
{
	char	   *event_type = mt_text_arg(fcinfo, 0);
	Datum		values[2];
	Oid			types[2] = {TEXTOID, OIDOID};
	int			rc;

	mt_require_admin("declare_event_type");
	mt_check_identifier(event_type, "event_type");
	values[0] = CStringGetTextDatum(event_type);
	values[1] = ObjectIdGetDatum(GetUserId());
	mt_spi_connect();
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = SPI_execute_with_args("INSERT INTO multitenant.event_types AS d (event_type, declared_by)"
							   " VALUES ($1, $2) ON CONFLICT (event_type) DO NOTHING",
							   2, types, values, NULL, false, 0);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "declaring event type \"%s\" failed: %s", event_type, SPI_result_code_string(rc));
	SPI_finish();
	PG_RETURN_VOID();
}
