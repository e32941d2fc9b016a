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
 * aggregates as a serialization failure.  Every push also holds a shared
 * "pushers" lock for the rest of its transaction; read_events waits for the
 * exclusive form of it, so it only ever returns positions whose transactions
 * have all ended.
 *
 * The event row is written as the extension's owner: application roles have
 * no write privilege on the event store and reach it only through push, which
 * checks the tenant first.
 *
 *-------------------------------------------------------------------------
 */
#include "multitenant.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(mt_push);
PG_FUNCTION_INFO_V1(mt_push_many);
PG_FUNCTION_INFO_V1(mt_read_events);
PG_FUNCTION_INFO_V1(mt_events_immutable);

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

static SPIPlanPtr latest_event_plan = NULL;
static SPIPlanPtr insert_event_plan = NULL;
static SPIPlanPtr latest_events_batch_plan = NULL;
static SPIPlanPtr insert_events_batch_plan = NULL;

Oid
mt_events_relid(void)
{
	Oid			relid = get_relname_relid("events", get_namespace_oid("multitenant", false));

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"multitenant.events\" does not exist")));
	return relid;
}

Oid
mt_events_typeid(void)
{
	return get_rel_type_id(mt_events_relid());
}

static void
set_pushers_locktag(LOCKTAG *tag)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, 0, 0, MT_LOCK_CLASS_PUSHERS);
}

void
mt_lock_pushers(LOCKMODE mode)
{
	LOCKTAG		tag;

	set_pushers_locktag(&tag);
	(void) LockAcquire(&tag, mode, false, false);
}

void
mt_unlock_pushers(LOCKMODE mode)
{
	LOCKTAG		tag;

	set_pushers_locktag(&tag);
	LockRelease(&tag, mode, false);
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
 * Our statements take keys and whole rows as parameters, where a custom plan
 * is never better than the generic one; always using the generic plan saves
 * planning on every push.
 */
SPIPlanPtr
mt_prepare_kept(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, argtypes, CURSOR_OPT_GENERIC_PLAN);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plan;
}

static void
prepare_event_plans(void)
{
	if (latest_event_plan == NULL)
	{
		Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};

		latest_event_plan = mt_prepare_kept(
			"SELECT e.sequence, e.resource_owner FROM multitenant.events AS e"
			" WHERE e.instance_id OPERATOR(pg_catalog.=) $1"
			" AND e.aggregate_type OPERATOR(pg_catalog.=) $2"
			" AND e.aggregate_id OPERATOR(pg_catalog.=) $3"
			" ORDER BY e.sequence DESC LIMIT 1", 3, types);
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

/*
 * Executes one of our kept plans (event store writes, lookups).  A generic
 * plan built while a table is empty, or its statistics say so, would scan it
 * sequentially for as long as the backend lives; so whenever the plan cache
 * has to (re)build the plan, it does so here with sequential and bitmap scans
 * off.
 */
int
mt_execute_kept(SPIPlanPtr plan, Datum *values, const char *nulls, bool read_only, long count)
{
	CachedPlanSource *source = linitial(SPI_plan_get_plan_sources(plan));

	if (!source->is_valid || source->gplan == NULL || !source->gplan->is_valid)
	{
		int			nest = NewGUCNestLevel();
		CachedPlan *cplan;

		(void) set_config_option("enable_seqscan", "off", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		(void) set_config_option("enable_bitmapscan", "off", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		cplan = SPI_plan_get_cached_plan(plan);
		if (cplan != NULL)
#if PG_VERSION_NUM >= 140000
			ReleaseCachedPlan(cplan, CurrentResourceOwner);
#else
			ReleaseCachedPlan(cplan, true);
#endif
		AtEOXact_GUC(true, nest);
	}
	return SPI_execute_plan(plan, values, nulls, read_only, count);
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

/*
 * Stores one event and reduces it; returns the stored row as a datum of the
 * events row type, allocated in the caller's (pre-SPI) memory context.
 * SPI must be connected.
 */
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
	int			i;

	for (i = 0; i < n; i++)
	{
		validate_request(&reqs[i]);
		mt_check_tenant_access(reqs[i].instance_id);
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
	prepare_event_plans();
	if (n == 1)
		stored[0] = store_event(&reqs[0], owner);
	else
		store_event_batch(reqs, n, owner, stored);

	types = palloc(sizeof(char *) * n);
	for (i = 0; i < n; i++)
	{
		if (HeapTupleHeaderGetNatts(stored[i]->t_data) != events_desc->natts)
			elog(ERROR, "multitenant.events returned %d columns, its row type has %d",
				 HeapTupleHeaderGetNatts(stored[i]->t_data), events_desc->natts);
		datums[i] = heap_copy_tuple_as_datum(stored[i], events_desc);
		types[i] = reqs[i].event_type;
	}
	mt_reduce_events(datums, types, n, NULL, 0);

	/* A removed tenant's keys go with it; see mt_remove_tenant_keys. */
	for (i = 0; i < n; i++)
		if (strcmp(types[i], "instance.removed") == 0)
			mt_remove_tenant_keys(reqs[i].instance_id);
}

static char *
arg_cstring(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

Datum
mt_push(PG_FUNCTION_ARGS)
{
	PushRequest req;
	TupleDesc	events_desc;
	HeapTuple	stored;
	Datum		event;
	Datum		result;

	req.aggregate_type = arg_cstring(fcinfo, 0);
	req.aggregate_id = arg_cstring(fcinfo, 1);
	req.event_type = arg_cstring(fcinfo, 2);
	req.payload = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	req.has_expected_sequence = !PG_ARGISNULL(4);
	req.expected_sequence = req.has_expected_sequence ? PG_GETARG_INT64(4) : 0;
	req.resource_owner = arg_cstring(fcinfo, 5);
	req.creator = arg_cstring(fcinfo, 6);
	req.instance_id = arg_cstring(fcinfo, 7);
	if (req.instance_id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no tenant for event \"%s\": no tenant is set and no instance_id was given",
						req.event_type ? req.event_type : "(null)"),
				 errhint("Call multitenant.set_tenant() or pass instance_id.")));
	req.created_at = PG_ARGISNULL(8) ? GetCurrentTransactionStartTimestamp() : PG_GETARG_TIMESTAMPTZ(8);

	events_desc = lookup_rowtype_tupdesc_copy(mt_events_typeid(), -1);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
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

/*
 * Prepares a materialized set-returning call; portable across 13-17, where
 * the helper for this changed names twice.
 */
Tuplestorestate *
mt_begin_materialized_srf(FunctionCallInfo fcinfo, TupleDesc *desc_out)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcxt;
	Tuplestorestate *store;
	TupleDesc	desc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	desc = CreateTupleDescCopy(desc);
	store = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = desc;
	MemoryContextSwitchTo(oldcxt);
	*desc_out = desc;
	return store;
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

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	push_events(reqs, n, events_desc, stored, datums);
	for (i = 0; i < n; i++)
		tuplestore_puttuple(store, stored[i]);
	SPI_finish();
	return (Datum) 0;
}

/*
 * Catch-up reader: the events after a position, in position order, that no
 * running transaction can still add to.  Visibility is the caller's: a
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

	store = mt_begin_materialized_srf(fcinfo, &desc);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/*
	 * Every position at or below the horizon was handed out to a push that
	 * already held the pushers lock; waiting for that lock lets them finish.
	 */
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = SPI_execute("SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END"
					 " FROM multitenant.events_position_seq AS s", true, 1);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "reading the event position failed");
	{
		bool		isnull;

		horizon = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	mt_lock_pushers(ExclusiveLock);
	mt_unlock_pushers(ExclusiveLock);

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
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		what = "updated";
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		what = "deleted";
	else
		what = "truncated";
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("events in multitenant.events are immutable and cannot be %s", what),
			 errhint("Correct a past event by pushing a new one.")));
	PG_RETURN_NULL();
}
