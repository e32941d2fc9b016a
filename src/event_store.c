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
 * aggregates as a serialization failure.  Both store their rows through the
 * table access method when nothing else acts on an insert into the table
 * (see "Direct writes" below), else through the same steps in SQL.
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

#include "access/genam.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/nbtree.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/resowner.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
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
PG_FUNCTION_INFO_V1(mt_push_many_array);
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
static bool horizon_slot_after_citus = false;	/* ends after Citus's commit */
static uint64 horizon_slot_tenant = 0;

#if PG_VERSION_NUM >= 150000
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void direct_target_relcache_callback(Datum arg, Oid relid);

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
static SPIPlanPtr insert_event_values_plan = NULL;
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

static void
end_horizon_slot(void)
{
	pg_atomic_write_u64(&push_horizon->pending[my_horizon_slot()].lowest, 0);
	horizon_slot_published = false;
	horizon_slot_drawn = false;
	horizon_slot_after_citus = false;
}

/*
 * Ends this backend's bound with its transaction: by the time of the
 * COMMIT callback the commit is visible to every new snapshot.  A prepared
 * transaction would outlive the bound, so one that pushed is refused.
 *
 * Under Citus the events live on a worker.  A transaction that wrote one
 * worker commits it before committing here; one that wrote several (a
 * reducer's write to a reference table) commits their prepared transactions
 * in Citus's own COMMIT callback, which runs after this one (callbacks run
 * newest first, and Citus is loaded first).  The bound then ends once the
 * transaction's resources are released, after every callback.
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
			if (!horizon_slot_after_citus)
				end_horizon_slot();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
			end_horizon_slot();
			break;
		default:
			break;
	}
}

static void
horizon_release_callback(ResourceReleasePhase phase, bool is_commit, bool is_top_level, void *arg)
{
	if (phase == RESOURCE_RELEASE_AFTER_LOCKS && is_top_level && horizon_slot_published)
		end_horizon_slot();
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
	mt_register_relcache_callback(event_types_relcache_callback, (Datum) 0);
	mt_register_relcache_callback(direct_target_relcache_callback, (Datum) 0);
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
	RegisterResourceReleaseCallback(horizon_release_callback, NULL);
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
	horizon_slot_after_citus = mt_citus_installed();
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

/*
 * The insert of event rows (their position from the one sequence), and what
 * makes a push's insert store its event at most once: nothing when a
 * concurrent push took the sequence, else the stored row.
 */
#define INSERT_EVENT_SQL \
	"INSERT INTO multitenant.events AS e (instance_id, aggregate_type, aggregate_id," \
	" sequence, event_type, payload, creator, resource_owner, created_at, position)"
#define NEXT_POSITION_SQL \
	"pg_catalog.nextval('multitenant.events_position_seq'::pg_catalog.regclass)"
#define STORE_EVENT_ONCE_SQL \
	" ON CONFLICT (instance_id, aggregate_type, aggregate_id, sequence) DO NOTHING" \
	" RETURNING e.*"

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
			INSERT_EVENT_SQL
			" SELECT $1, $2, $3, COALESCE(l.sequence, 0) OPERATOR(pg_catalog.+) 1, $4, $5, $6,"
			" COALESCE($7, l.resource_owner,"
			"  CASE WHEN $2 OPERATOR(pg_catalog.=) 'org' THEN $3 ELSE $1 END),"
			" $8, " NEXT_POSITION_SQL
			" FROM (VALUES (1)) AS one(x)"
			" LEFT JOIN LATERAL (SELECT x.sequence, x.resource_owner FROM multitenant.events AS x"
			"  WHERE x.instance_id OPERATOR(pg_catalog.=) $1"
			"  AND x.aggregate_type OPERATOR(pg_catalog.=) $2"
			"  AND x.aggregate_id OPERATOR(pg_catalog.=) $3"
			"  ORDER BY x.sequence DESC LIMIT 1) AS l ON true"
			" WHERE $9 IS NULL OR COALESCE(l.sequence, 0) OPERATOR(pg_catalog.=) $9"
			STORE_EVENT_ONCE_SQL, 9, types);
	}
	if (insert_event_values_plan == NULL)
	{
		Oid			types[9] = {TEXTOID, TEXTOID, TEXTOID, INT8OID, TEXTOID, JSONBOID,
		TEXTOID, TEXTOID, TIMESTAMPTZOID};

		/*
		 * The shape Citus routes to the tenant's shard: one row of values
		 * into one table (store_event_routable reads the sequence first).
		 */
		insert_event_values_plan = mt_prepare_kept(
			INSERT_EVENT_SQL
			" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
			" " NEXT_POSITION_SQL ")"
			STORE_EVENT_ONCE_SQL, 9, types);
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
			INSERT_EVENT_SQL
			" SELECT u.instance_id, u.aggregate_type, u.aggregate_id, u.sequence, u.event_type,"
			" u.payload, u.creator, u.resource_owner, u.created_at,"
			" " NEXT_POSITION_SQL
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
 * Direct writes.  The event store is the extension's own table, so a push
 * may store its rows through the table access method, as COPY FROM does,
 * instead of planning and running an INSERT: the same heap and index
 * insertions, CHECK and NOT NULL constraints and unique checks (a single
 * push with the speculative insertion of ON CONFLICT DO NOTHING), without an
 * executor started and shut down per push.  That is exact only while
 * nothing else would act on an INSERT into the table, so the direct path is
 * taken only for a plain local heap table with the expected columns and no
 * trigger, rule or row-level security of anyone else's, not distributed by
 * Citus; otherwise, and with multitenant.direct_event_writes off, a push
 * runs the SQL statements.
 */
#define N_EVENT_COLUMNS 10
#define EVENT_COL_SEQUENCE 3	/* zero-based */
#define EVENT_COL_RESOURCE_OWNER 7
#define EVENT_COL_POSITION 9

static const char *const event_column_names[N_EVENT_COLUMNS] = {
	"instance_id", "aggregate_type", "aggregate_id", "sequence", "event_type",
	"payload", "creator", "resource_owner", "created_at", "position"
};
static const Oid event_column_types[N_EVENT_COLUMNS] = {
	TEXTOID, TEXTOID, TEXTOID, INT8OID, TEXTOID,
	JSONBOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, INT8OID
};

/*
 * What the direct path knows of the event store, kept until the table's
 * relcache entry is invalidated (any ALTER, CREATE TRIGGER, CREATE RULE,
 * CREATE POLICY or a Citus distribution invalidates it).  The CHECK
 * constraints are planned once here rather than once per push.
 */
typedef struct DirectTarget
{
	bool		valid;
	const char *obstacle;		/* why it cannot be written directly, or NULL */
	Oid			relid;
	Oid			position_seq;
	Oid			pkey;
	MemoryContext cxt;
	int			ncheck;
	char	  **ccbin;
	ExprState **checks;
} DirectTarget;

static DirectTarget direct_target = {false};

static void
direct_target_relcache_callback(Datum arg, Oid relid)
{
	if (direct_target.valid &&
		(!OidIsValid(relid) || relid == direct_target.relid))
		direct_target.valid = false;
}

/* Why the direct path cannot write this table, or NULL if it can. */
static const char *
direct_write_obstacle(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_rel->relispartition)
		return "is not a plain table";
	if (rel->rd_rel->relam != HEAP_TABLE_AM_OID)
		return "is not a heap table";
	if (rel->rd_rel->relhasrules || rel->rd_rules != NULL)
		return "has rules";
	if (rel->trigdesc != NULL)
	{
		for (i = 0; i < rel->trigdesc->numtriggers; i++)
		{
			Trigger    *trig = &rel->trigdesc->triggers[i];

			if (TRIGGER_FOR_INSERT(trig->tgtype) ||
				(strcmp(trig->tgname, "events_immutable_row") != 0 &&
				 strcmp(trig->tgname, "events_immutable_truncate") != 0))
				return "has triggers other than its own";
		}
	}
	if (desc->natts != N_EVENT_COLUMNS)
		return "has columns other than its own";
	for (i = 0; i < N_EVENT_COLUMNS; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->atttypid != event_column_types[i] ||
			att->attgenerated || strcmp(NameStr(att->attname), event_column_names[i]) != 0)
			return "has columns other than its own";
	}
	if (mt_citus_installed())
		return "may be distributed by Citus";
	return NULL;
}

static void
build_direct_target(Relation rel)
{
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	MemoryContext old;
	int			i;

	if (direct_target.cxt == NULL)
		direct_target.cxt = AllocSetContextCreate(CacheMemoryContext,
												  "multitenant direct event writes",
												  ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(direct_target.cxt);
	direct_target.relid = RelationGetRelid(rel);
	direct_target.ncheck = 0;
	direct_target.ccbin = NULL;
	direct_target.checks = NULL;
	direct_target.obstacle = direct_write_obstacle(rel);
	if (direct_target.obstacle == NULL)
	{
		direct_target.position_seq = mt_relation_oid("events_position_seq", false);
		direct_target.pkey = RelationGetPrimaryKeyIndex(rel);
		if (!OidIsValid(direct_target.pkey))
			direct_target.obstacle = "has no primary key";
	}
	if (direct_target.obstacle == NULL && constr != NULL && constr->num_check > 0)
	{
		old = MemoryContextSwitchTo(direct_target.cxt);
		direct_target.ncheck = constr->num_check;
		direct_target.ccbin = palloc(sizeof(char *) * constr->num_check);
		direct_target.checks = palloc(sizeof(ExprState *) * constr->num_check);
		for (i = 0; i < constr->num_check; i++)
		{
			Expr	   *expr = (Expr *) stringToNode(constr->check[i].ccbin);

			direct_target.ccbin[i] = pstrdup(constr->check[i].ccbin);
			direct_target.checks[i] = ExecInitExpr(expression_planner(expr), NULL);
		}
		MemoryContextSwitchTo(old);
	}
	direct_target.valid = true;
}

/* The kept CHECK expressions, if they are still the table's. */
static ExprState **
direct_target_checks(Relation rel)
{
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	int			ncheck = constr ? constr->num_check : 0;
	int			i;

	if (ncheck != direct_target.ncheck)
		return NULL;
	for (i = 0; i < ncheck; i++)
		if (strcmp(constr->check[i].ccbin, direct_target.ccbin[i]) != 0)
			return NULL;
	return direct_target.checks;
}

typedef struct DirectWriter
{
	EState	   *estate;
	ResultRelInfo *rri;
	Relation	rel;
	Oid			position_seq;
	Oid			pkey;
} DirectWriter;

/*
 * Opens the event store for direct writes by the owner given, or returns
 * false if the SQL statements must store the events (see above).  Row-level
 * security is checked on every call: it depends on the owner's attributes,
 * which no relcache invalidation follows.
 */
static bool
direct_writer_begin(DirectWriter *w, Oid owner, bool speculative)
{
	Relation	rel;
	RangeTblEntry *rte;
	EState	   *estate;
	ResultRelInfo *rri;
	ExprState **checks;
	const char *obstacle;
	int			i;

	if (!mt_direct_event_writes)
	{
		elog(DEBUG1, "storing events through SQL: multitenant.direct_event_writes is off");
		return false;
	}
	rel = table_open(mt_events_relid(), RowExclusiveLock);
	if (!direct_target.valid || direct_target.relid != RelationGetRelid(rel))
		build_direct_target(rel);
	obstacle = direct_target.obstacle;
	if (obstacle == NULL && check_enable_rls(RelationGetRelid(rel), owner, true) == RLS_ENABLED)
		obstacle = "is under row-level security for the extension's owner";
	if (obstacle == NULL &&
		pg_class_aclcheck(RelationGetRelid(rel), owner, ACL_INSERT | ACL_SELECT) != ACLCHECK_OK)
		obstacle = "is not writable by the extension's owner";
	if (obstacle != NULL)
	{
		elog(DEBUG1, "storing events through SQL: multitenant.events %s", obstacle);
		table_close(rel, NoLock);
		return false;
	}

	estate = CreateExecutorState();
	rte = makeNode(RangeTblEntry);
	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(rel);
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	rte->requiredPerms = ACL_INSERT;
	rte->checkAsUser = owner;
	for (i = 1; i <= N_EVENT_COLUMNS; i++)
		rte->insertedCols = bms_add_member(rte->insertedCols,
										   i - FirstLowInvalidHeapAttributeNumber);
	ExecInitRangeTable(estate, list_make1(rte));
	rri = makeNode(ResultRelInfo);
	ExecInitResultRelation(estate, rri, 1);
	checks = direct_target_checks(rel);
	if (checks != NULL)
		rri->ri_ConstraintExprs = checks;
	ExecOpenIndices(rri, speculative);
	estate->es_output_cid = GetCurrentCommandId(true);
	estate->es_snapshot = IsolationUsesXactSnapshot() ? GetTransactionSnapshot() : GetActiveSnapshot();

	w->estate = estate;
	w->rri = rri;
	w->rel = rri->ri_RelationDesc;
	w->position_seq = direct_target.position_seq;
	w->pkey = direct_target.pkey;
	table_close(rel, NoLock);
	return true;
}

static void
direct_writer_end(DirectWriter *w)
{
	ExecResetTupleTable(w->estate->es_tupleTable, false);
	ExecCloseResultRelations(w->estate);
	ExecCloseRangeTableRelations(w->estate);
	FreeExecutorState(w->estate);
	w->estate = NULL;
}

/* Fills a slot with an event row, drawing its position. */
static void
direct_fill_slot(DirectWriter *w, TupleTableSlot *slot, const PushRequest *req,
				 int64 sequence, const char *resource_owner)
{
	Datum	   *values = slot->tts_values;
	bool	   *nulls = slot->tts_isnull;

	ExecClearTuple(slot);
	values[0] = CStringGetTextDatum(req->instance_id);
	values[1] = CStringGetTextDatum(req->aggregate_type);
	values[2] = CStringGetTextDatum(req->aggregate_id);
	values[3] = Int64GetDatum(sequence);
	values[4] = CStringGetTextDatum(req->event_type);
	values[5] = req->payload ? JsonbPGetDatum(req->payload) : (Datum) 0;
	values[6] = CStringGetTextDatum(req->creator);
	values[7] = CStringGetTextDatum(resource_owner);
	values[8] = TimestampTzGetDatum(req->created_at);
	values[9] = Int64GetDatum(nextval_internal(w->position_seq, true));
	memset(nulls, 0, sizeof(bool) * N_EVENT_COLUMNS);
	nulls[5] = (req->payload == NULL);
	ExecStoreVirtualTuple(slot);
	if (RelationGetDescr(w->rel)->constr != NULL)
		ExecConstraints(w->rri, slot, w->estate);
}

/*
 * A conflicting row that this transaction's snapshot cannot see, where the
 * transaction must not read past its snapshot, is a serialization failure,
 * exactly as ON CONFLICT DO NOTHING reports it.
 */
static void
direct_check_conflict_visible(DirectWriter *w, ItemPointer tid)
{
	TupleTableSlot *slot;

	if (!IsolationUsesXactSnapshot())
		return;
	slot = table_slot_create(w->rel, &w->estate->es_tupleTable);
	if (!table_tuple_fetch_row_version(w->rel, tid, SnapshotAny, slot))
		elog(ERROR, "failed to fetch the conflicting event");
	if (!table_tuple_satisfies_snapshot(w->rel, slot, w->estate->es_snapshot))
	{
		bool		isnull;
		TransactionId xmin = DatumGetTransactionId(slot_getsysattr(slot, MinTransactionIdAttributeNumber, &isnull));

		if (!TransactionIdIsCurrentTransactionId(xmin))
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update")));
	}
	ExecClearTuple(slot);
}

/*
 * Stores one event unless its primary key is taken, as INSERT ... ON
 * CONFLICT (primary key) DO NOTHING would.  Returns the stored row, in the
 * caller's memory context, or NULL.
 */
static HeapTuple
direct_insert_one(DirectWriter *w, const PushRequest *req, int64 sequence,
				  const char *resource_owner)
{
	MemoryContext cxt = CurrentMemoryContext;
	TupleTableSlot *slot;
	List	   *arbiters = list_make1_oid(w->pkey);
	ItemPointerData conflict;
	HeapTuple	stored;

	MemoryContextSwitchTo(w->estate->es_query_cxt);
	w->estate->es_output_cid = GetCurrentCommandId(true);
	slot = table_slot_create(w->rel, &w->estate->es_tupleTable);
	direct_fill_slot(w, slot, req, sequence, resource_owner);
	for (;;)
	{
		bool		spec_conflict = false;
		uint32		token;
		List	   *recheck;

		if (!ExecCheckIndexConstraints(w->rri, slot, w->estate, &conflict, arbiters))
		{
			direct_check_conflict_visible(w, &conflict);
			MemoryContextSwitchTo(cxt);
			return NULL;
		}
		token = SpeculativeInsertionLockAcquire(GetCurrentTransactionId());
		table_tuple_insert_speculative(w->rel, slot, w->estate->es_output_cid, 0, NULL, token);
		recheck = ExecInsertIndexTuples(w->rri, slot, w->estate, false, true, &spec_conflict, arbiters);
		table_tuple_complete_speculative(w->rel, slot, token, !spec_conflict);
		SpeculativeInsertionLockRelease(GetCurrentTransactionId());
		list_free(recheck);
		if (!spec_conflict)
			break;
	}
	MemoryContextSwitchTo(cxt);
	stored = ExecCopySlotHeapTuple(slot);
	return stored;
}

/* Most rows one multi-insert call takes, as in COPY FROM. */
#define DIRECT_BATCH_ROWS 1000

/*
 * Stores events in the order given, raising a unique violation on a taken
 * primary key as the SQL INSERT does; the stored rows go to stored, in the
 * caller's memory context.
 */
static void
direct_insert_batch(DirectWriter *w, PushRequest *reqs, int64 *sequences, int n,
					HeapTuple *stored)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			nslots = Min(n, DIRECT_BATCH_ROWS);
	TupleTableSlot **slots = palloc(sizeof(TupleTableSlot *) * nslots);
	int			done = 0;
	int			i;

	MemoryContextSwitchTo(w->estate->es_query_cxt);
	w->estate->es_output_cid = GetCurrentCommandId(true);
	for (i = 0; i < nslots; i++)
		slots[i] = table_slot_create(w->rel, &w->estate->es_tupleTable);
	while (done < n)
	{
		int			k = Min(n - done, nslots);

		for (i = 0; i < k; i++)
			direct_fill_slot(w, slots[i], &reqs[done + i], sequences[done + i],
							 reqs[done + i].resource_owner);
		table_multi_insert(w->rel, slots, k, w->estate->es_output_cid, 0, NULL);
		for (i = 0; i < k; i++)
		{
			if (w->rri->ri_NumIndices > 0)
				list_free(ExecInsertIndexTuples(w->rri, slots[i], w->estate, false, false, NULL, NIL));
			ResetPerTupleExprContext(w->estate);
			MemoryContextSwitchTo(cxt);
			stored[done + i] = ExecCopySlotHeapTuple(slots[i]);
			MemoryContextSwitchTo(w->estate->es_query_cxt);
		}
		done += k;
	}
	MemoryContextSwitchTo(cxt);
	pfree(slots);
}

/*
 * The latest event of the request's aggregate, read as the owner: its
 * sequence (0 if none) and, if owner_out is given, its owner (NULL if none).
 * values hold the tenant, aggregate type and aggregate id.
 */
static int64
latest_sequence(Datum *values, Oid owner, char **owner_out)
{
	int64		sequence = 0;
	int			rc;

	MT_AS_ROLE_BEGIN(owner);
	rc = mt_execute_kept(latest_event_plan, values, NULL, false, 1);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading the latest event failed: %s", SPI_result_code_string(rc));
	if (owner_out)
		*owner_out = NULL;
	if (SPI_processed > 0)
	{
		bool		isnull;

		sequence = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		if (owner_out)
			*owner_out = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	}
	return sequence;
}

/*
 * The latest event of the request's aggregate, read through the primary key
 * as the single-event statement reads it: after a command counter increment,
 * with a snapshot that sees this transaction's earlier pushes (a new one
 * unless the transaction keeps one).  Returns its sequence (0 if none) and
 * its owner (NULL if none), in the caller's memory context.
 */
static int64
direct_latest_sequence(DirectWriter *w, const PushRequest *req, char **owner_out)
{
	Relation	index;
	IndexScanDesc scan;
	ScanKeyData keys[3];
	TupleTableSlot *slot;
	const char *parts[3] = {req->instance_id, req->aggregate_type, req->aggregate_id};
	int64		sequence = 0;
	int			i;

	*owner_out = NULL;
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
	index = index_open(w->pkey, AccessShareLock);
	for (i = 0; i < 3; i++)
		ScanKeyEntryInitialize(&keys[i], 0, i + 1, BTEqualStrategyNumber, InvalidOid,
							   index->rd_indcollation[i], F_TEXTEQ,
							   CStringGetTextDatum(parts[i]));
	slot = table_slot_create(w->rel, NULL);
	scan = index_beginscan(w->rel, index, GetActiveSnapshot(), 3, 0);
	index_rescan(scan, keys, 3, NULL, 0);
	if (index_getnext_slot(scan, BackwardScanDirection, slot))
	{
		bool		isnull;
		Datum		owner;

		sequence = DatumGetInt64(slot_getattr(slot, EVENT_COL_SEQUENCE + 1, &isnull));
		owner = slot_getattr(slot, EVENT_COL_RESOURCE_OWNER + 1, &isnull);
		if (!isnull)
			*owner_out = TextDatumGetCString(owner);
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, NoLock);
	PopActiveSnapshot();
	return sequence;
}

/*
 * One attempt of the direct path: what the single-event statement does.  An
 * event expected to create its aggregate (expected_sequence 0) needs no
 * lookup: the primary key alone tells whether the aggregate has events.
 */
static HeapTuple
store_event_direct(DirectWriter *w, PushRequest *req, Oid owner)
{
	int64		sequence = 0;
	char	   *aggregate_owner = NULL;
	HeapTuple	stored;

	if (!req->has_expected_sequence || req->expected_sequence != 0)
	{
		sequence = direct_latest_sequence(w, req, &aggregate_owner);
		if (req->has_expected_sequence && sequence != req->expected_sequence)
			aggregate_sequence_mismatch(req, sequence);
	}
	MT_AS_ROLE_BEGIN(owner);
	stored = direct_insert_one(w, req, sequence + 1,
							   req->resource_owner ? req->resource_owner
							   : default_owner(req, aggregate_owner));
	MT_AS_ROLE_END();
	return stored;
}

/*
 * Stores the event at the given sequence in the shape Citus routes to one
 * shard (see mt_kept_plan_options): one row of values into one table, ON
 * CONFLICT DO NOTHING.  NULL when a concurrent push took the sequence.
 */
static HeapTuple
insert_event_values(const PushRequest *req, int64 sequence, const char *resource_owner, Oid owner)
{
	Datum		values[9];
	char		nulls[9];
	int			rc;

	values[0] = CStringGetTextDatum(req->instance_id);
	values[1] = CStringGetTextDatum(req->aggregate_type);
	values[2] = CStringGetTextDatum(req->aggregate_id);
	values[3] = Int64GetDatum(sequence);
	values[4] = CStringGetTextDatum(req->event_type);
	values[5] = req->payload ? JsonbPGetDatum(req->payload) : (Datum) 0;
	values[6] = CStringGetTextDatum(req->creator);
	values[7] = CStringGetTextDatum(resource_owner);
	values[8] = TimestampTzGetDatum(req->created_at);
	memset(nulls, ' ', sizeof(nulls));
	if (req->payload == NULL)
		nulls[5] = 'n';
	MT_AS_ROLE_BEGIN(owner);
	rc = mt_execute_kept(insert_event_values_plan, values, nulls, false, 0);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "storing the event failed: %s", SPI_result_code_string(rc));
	return SPI_processed == 1 ? SPI_copytuple(SPI_tuptable->vals[0]) : NULL;
}

/*
 * One round of store_event under Citus: the aggregate's latest event by a
 * one-table SELECT, then the next one by insert_event_values, as the direct
 * path does with the table itself.  NULL when a concurrent push took the
 * sequence.
 */
static HeapTuple
store_event_routable(PushRequest *req, Datum *keys, Oid owner)
{
	int64		sequence = 0;
	char	   *aggregate_owner = NULL;

	if (!req->has_expected_sequence || req->expected_sequence != 0)
	{
		sequence = latest_sequence(keys, owner, &aggregate_owner);
		if (req->has_expected_sequence && sequence != req->expected_sequence)
			aggregate_sequence_mismatch(req, sequence);
	}
	return insert_event_values(req, sequence + 1,
							   req->resource_owner ? req->resource_owner
							   : default_owner(req, aggregate_owner),
							   owner);
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
	DirectWriter w;
	bool		direct;

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

	direct = direct_writer_begin(&w, owner, true);
	for (attempt = 1;; attempt++)
	{
		HeapTuple	stored = NULL;

		if (attempt == 2)
			lock_aggregate(req, &aggregate_lock);

		if (direct)
			stored = store_event_direct(&w, req, owner);
		else if (mt_kept_plan_is_custom(insert_event_values_plan))
			stored = store_event_routable(req, values, owner);
		else
		{
			int			rc;

			MT_AS_ROLE_BEGIN(owner);
			rc = mt_execute_kept(insert_event_plan, values, nulls, false, 0);
			MT_AS_ROLE_END();
			if (rc != SPI_OK_INSERT_RETURNING)
				elog(ERROR, "storing the event failed: %s", SPI_result_code_string(rc));
			if (SPI_processed == 1)
				stored = SPI_copytuple(SPI_tuptable->vals[0]);
		}
		if (stored != NULL)
		{
			if (attempt >= 2)
				LockRelease(&aggregate_lock, ExclusiveLock, false);
			if (direct)
				direct_writer_end(&w);
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
			int64		current_sequence = latest_sequence(values, owner, NULL);

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

/*
 * Stores a batch's rows, directly (w) or through the SQL statement (args),
 * reporting a taken primary key as the serialization failure it is.  With
 * unprobed set, some aggregate expected to be new was not looked up, and a
 * taken key may as well mean it was not new.
 */
static int
insert_batch(DirectWriter *w, Datum *args, PushRequest *reqs, int64 *sequences,
			 Oid owner, int n, HeapTuple *stored, bool unprobed)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile int rc = 0;

	PG_TRY();
	{
		MT_AS_ROLE_BEGIN(owner);
		if (w != NULL)
			direct_insert_batch(w, reqs, sequences, n, stored);
		else
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
		if (unprobed)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("an aggregate in this batch of %d events expected at sequence 0 already has events, or a concurrent push took one of its sequences", n),
					 edata->detail ? errdetail_internal("%s", edata->detail) : 0,
					 errhint("Reload the aggregate and retry.")));
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
 * slow every other session's snapshots.)  An aggregate whose first event in
 * the batch expects sequence 0 is not looked up: the primary key refuses it
 * if it has events.
 */
static void
store_event_batch(PushRequest *reqs, int n, Oid owner, HeapTuple *stored)
{
	HASHCTL		ctl;
	HTAB	   *aggregates;
	AggregateState **by_event = palloc(sizeof(AggregateState *) * n);
	AggregateState **by_ordinal = palloc(sizeof(AggregateState *) * n);
	int64	   *sequences = palloc(sizeof(int64) * n);
	Datum	   *cols[9];
	bool	   *payload_nulls;
	Datum		args[9];
	int			n_aggregates = 0;
	int			i;
	int			rc;
	bool		unprobed = false;
	DirectWriter w;
	bool		direct;
	bool		routable = mt_kept_plan_is_custom(insert_event_values_plan);

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(((AggregateState *) NULL)->key);
	ctl.entrysize = sizeof(AggregateState);
	ctl.hcxt = CurrentMemoryContext;
	aggregates = hash_create("multitenant push batch", n, &ctl,
							 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	for (i = 0; i < 3; i++)
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
			agg->sequence = 0;
			agg->owner = NULL;
			if (reqs[i].has_expected_sequence && reqs[i].expected_sequence == 0)
				unprobed = true;
			else
			{
				by_ordinal[n_aggregates] = agg;
				cols[0][n_aggregates] = CStringGetTextDatum(reqs[i].instance_id);
				cols[1][n_aggregates] = CStringGetTextDatum(reqs[i].aggregate_type);
				cols[2][n_aggregates] = CStringGetTextDatum(reqs[i].aggregate_id);
				n_aggregates++;
			}
		}
		by_event[i] = agg;
	}

	if (n_aggregates > 0 && routable)
	{
		/* Under Citus: one routable lookup per aggregate. */
		for (i = 0; i < n_aggregates; i++)
		{
			Datum		keys[3] = {cols[0][i], cols[1][i], cols[2][i]};
			char	   *aggregate_owner;

			by_ordinal[i]->sequence = latest_sequence(keys, owner, &aggregate_owner);
			by_ordinal[i]->owner = aggregate_owner;
		}
	}
	else if (n_aggregates > 0)
	{
		SPITupleTable *found;
		uint64		row;

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
		sequences[i] = agg->sequence;
	}

	if (routable)
	{
		/*
		 * Under Citus: one routable insert per event.  A taken sequence is
		 * the same serialization failure as the batch insert's.
		 */
		for (i = 0; i < n; i++)
		{
			stored[i] = insert_event_values(&reqs[i], sequences[i], reqs[i].resource_owner, owner);
			if (stored[i] == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 unprobed ?
						 errmsg("an aggregate in this batch of %d events expected at sequence 0 already has events, or a concurrent push took one of its sequences", n) :
						 errmsg("a concurrent push took a sequence of an aggregate in this batch of %d events", n),
						 errdetail("Key (instance_id, aggregate_type, aggregate_id, sequence)=(%s, %s, %s, " INT64_FORMAT ") already exists.",
								   reqs[i].instance_id, reqs[i].aggregate_type, reqs[i].aggregate_id, sequences[i]),
						 errhint(unprobed ? "Reload the aggregate and retry." : "Retry the transaction.")));
		}
		return;
	}

	direct = direct_writer_begin(&w, owner, false);
	if (direct)
	{
		(void) insert_batch(&w, NULL, reqs, sequences, owner, n, stored, unprobed);
		direct_writer_end(&w);
		return;
	}

	for (i = 3; i < 9; i++)
		cols[i] = palloc(sizeof(Datum) * n);
	payload_nulls = palloc(sizeof(bool) * n);
	for (i = 0; i < n; i++)
	{
		PushRequest *req = &reqs[i];

		cols[0][i] = CStringGetTextDatum(req->instance_id);
		cols[1][i] = CStringGetTextDatum(req->aggregate_type);
		cols[2][i] = CStringGetTextDatum(req->aggregate_id);
		cols[3][i] = Int64GetDatum(sequences[i]);
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

	rc = insert_batch(NULL, args, reqs, sequences, owner, n, stored, unprobed);
	if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != (uint64) n)
		elog(ERROR, "storing the events failed: %s", SPI_result_code_string(rc));

	/* The insert returns its rows in the order of the arrays. */
	for (i = 0; i < n; i++)
	{
		bool		isnull;
		char	   *aggregate_id = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3);
		int64		sequence = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 4, &isnull));

		if (strcmp(aggregate_id, reqs[i].aggregate_id) != 0 || sequence != sequences[i])
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
check_store_and_reduce(PushRequest *reqs, int n, TupleDesc events_desc, HeapTuple *stored,
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

/*
 * push and push_many carry no search_path setting of their own: everything
 * they run, their own statements and the reducers', runs under the
 * extension's (mt_enter_own_search_path), whatever the caller's.
 */
static void
push_events(const char *function_name, PushRequest *reqs, int n, TupleDesc events_desc,
			HeapTuple *stored, Datum *datums)
{
	int			nest;

	mt_require_coordinator(function_name);
	nest = mt_enter_own_search_path();

	check_store_and_reduce(reqs, n, events_desc, stored, datums);
	mt_leave_own_search_path(nest);
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
	push_events("push", &req, 1, events_desc, &stored, &event);
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
	push_events("push_many", reqs, n, events_desc, stored, datums);
	for (i = 0; i < n; i++)
		tuplestore_puttuple(store, stored[i]);
	SPI_finish();
	return (Datum) 0;
}

/*
 * push_many(jsonb[]): the same batch as one array of objects, the form a
 * driver sends for an array of its own (node-postgres, for one): each event
 * arrives as a jsonb of its own, with no large document to parse.
 */
Datum
mt_push_many_array(PG_FUNCTION_ARGS)
{
	ArrayType  *events;
	TupleDesc	events_desc;
	Tuplestorestate *store;
	char	   *default_tenant;
	Datum	   *elems;
	bool	   *elem_nulls;
	PushRequest *reqs;
	HeapTuple  *stored;
	Datum	   *datums;
	int			n;
	int			i;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("push_many's events must not be null")));
	events = PG_GETARG_ARRAYTYPE_P(0);
	if (ARR_NDIM(events) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("push_many's events must be a one-dimensional array")));
	deconstruct_array(events, JSONBOID, -1, false, TYPALIGN_INT, &elems, &elem_nulls, &n);

	store = mt_begin_materialized_srf(fcinfo, &events_desc);
	default_tenant = mt_current_tenant_cstring();
	reqs = palloc(sizeof(PushRequest) * Max(n, 1));
	stored = palloc(sizeof(HeapTuple) * Max(n, 1));
	datums = palloc(sizeof(Datum) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		Jsonb	   *event;
		JsonbValue	v;

		if (elem_nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("element %d of push_many's array must be a JSON object", i + 1)));
		event = DatumGetJsonbP(elems[i]);
		v.type = jbvBinary;
		v.val.binary.data = &event->root;
		v.val.binary.len = VARSIZE(event) - VARHDRSZ;
		request_from_json(&v, i, &reqs[i], default_tenant);
	}

	mt_spi_connect();
	push_events("push_many", reqs, n, events_desc, stored, datums);
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
	mt_require_coordinator("read_events");

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
