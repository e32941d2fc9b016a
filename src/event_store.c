/*-------------------------------------------------------------------------
 *
 * event_store.c
 *	  push, push_many and read_events over multitenant.events.
 *
 * Sequences are gapless per aggregate because a push holds a transaction
 * advisory lock on its aggregate while it reads the latest sequence and
 * inserts the next one.  Every push also holds a shared "pushers" lock for
 * the rest of its transaction; read_events waits for the exclusive form of
 * it, so it only ever returns positions whose transactions have all ended.
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
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
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
lock_aggregate(const PushRequest *req)
{
	StringInfoData key;
	uint64		hash;
	LOCKTAG		tag;

	initStringInfo(&key);
	appendBinaryStringInfo(&key, req->instance_id, strlen(req->instance_id) + 1);
	appendBinaryStringInfo(&key, req->aggregate_type, strlen(req->aggregate_type) + 1);
	appendBinaryStringInfo(&key, req->aggregate_id, strlen(req->aggregate_id));
	hash = DatumGetUInt64(hash_any_extended((unsigned char *) key.data, key.len, 0));
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) (hash >> 32), (uint32) hash,
						 MT_LOCK_CLASS_AGGREGATE);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
	pfree(key.data);
}

static SPIPlanPtr
prepare_kept(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

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

		latest_event_plan = prepare_kept(
			"SELECT e.sequence, e.resource_owner FROM multitenant.events AS e"
			" WHERE e.instance_id OPERATOR(pg_catalog.=) $1"
			" AND e.aggregate_type OPERATOR(pg_catalog.=) $2"
			" AND e.aggregate_id OPERATOR(pg_catalog.=) $3"
			" ORDER BY e.sequence DESC LIMIT 1", 3, types);
	}
	if (insert_event_plan == NULL)
	{
		Oid			types[9] = {TEXTOID, TEXTOID, TEXTOID, INT8OID, TEXTOID,
		JSONBOID, TEXTOID, TEXTOID, TIMESTAMPTZOID};

		insert_event_plan = prepare_kept(
			"INSERT INTO multitenant.events AS e (instance_id, aggregate_type, aggregate_id,"
			" sequence, event_type, payload, creator, resource_owner, created_at, position)"
			" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
			" pg_catalog.nextval('multitenant.events_position_seq'::pg_catalog.regclass))"
			" ON CONFLICT DO NOTHING RETURNING e.*", 9, types);
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

/*
 * Stores one event and reduces it; returns the stored row as a datum of the
 * events row type, allocated in the caller's (pre-SPI) memory context.
 * SPI must be connected.
 */
static HeapTuple
push_one(PushRequest *req, Oid owner, TupleDesc events_desc)
{
	Datum		values[9];
	char		nulls[9];
	int64		current_sequence = 0;
	char	   *current_owner = NULL;
	int			rc;
	HeapTuple	stored;
	Datum		event_datum;

	validate_request(req);
	mt_check_tenant_access(req->instance_id);

	mt_lock_pushers(ShareLock);
	lock_aggregate(req);

	MT_AS_ROLE_BEGIN(owner);
	{
		Datum		key[3];

		key[0] = CStringGetTextDatum(req->instance_id);
		key[1] = CStringGetTextDatum(req->aggregate_type);
		key[2] = CStringGetTextDatum(req->aggregate_id);
		rc = SPI_execute_plan(latest_event_plan, key, NULL, false, 1);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "reading the latest event failed: %s", SPI_result_code_string(rc));
		if (SPI_processed > 0)
		{
			bool		isnull;

			current_sequence = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
														   SPI_tuptable->tupdesc, 1, &isnull));
			current_owner = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
		}
	}
	MT_AS_ROLE_END();

	if (req->has_expected_sequence && req->expected_sequence != current_sequence)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("aggregate %s \"%s\" of tenant \"%s\" is at sequence " INT64_FORMAT ", expected " INT64_FORMAT,
						req->aggregate_type, req->aggregate_id, req->instance_id,
						current_sequence, req->expected_sequence),
				 errhint("Reload the aggregate and retry.")));

	if (req->resource_owner == NULL)
	{
		if (current_owner != NULL)
			req->resource_owner = current_owner;
		else if (strcmp(req->aggregate_type, "org") == 0)
			req->resource_owner = req->aggregate_id;
		else
			req->resource_owner = req->instance_id;
	}
	if (req->creator == NULL)
		req->creator = GetUserNameFromId(GetUserId(), false);

	values[0] = CStringGetTextDatum(req->instance_id);
	values[1] = CStringGetTextDatum(req->aggregate_type);
	values[2] = CStringGetTextDatum(req->aggregate_id);
	values[3] = Int64GetDatum(current_sequence + 1);
	values[4] = CStringGetTextDatum(req->event_type);
	values[5] = req->payload ? JsonbPGetDatum(req->payload) : (Datum) 0;
	values[6] = CStringGetTextDatum(req->creator);
	values[7] = CStringGetTextDatum(req->resource_owner);
	values[8] = TimestampTzGetDatum(req->created_at);
	memset(nulls, ' ', sizeof(nulls));
	if (req->payload == NULL)
		nulls[5] = 'n';

	MT_AS_ROLE_BEGIN(owner);
	rc = SPI_execute_plan(insert_event_plan, values, nulls, false, 0);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "storing the event failed: %s", SPI_result_code_string(rc));
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("aggregate %s \"%s\" of tenant \"%s\" was changed by a concurrent transaction",
						req->aggregate_type, req->aggregate_id, req->instance_id),
				 errhint("Retry the transaction.")));

	if (SPI_tuptable->tupdesc->natts != events_desc->natts)
		elog(ERROR, "multitenant.events returned %d columns, its row type has %d",
			 SPI_tuptable->tupdesc->natts, events_desc->natts);
	stored = SPI_copytuple(SPI_tuptable->vals[0]);
	event_datum = heap_copy_tuple_as_datum(stored, events_desc);

	mt_reduce_event(event_datum, req->event_type, NULL, 0);
	return stored;
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
	prepare_event_plans();
	stored = push_one(&req, mt_extension_owner(), events_desc);
	result = SPI_datumTransfer(heap_copy_tuple_as_datum(stored, events_desc), false, -1);
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
static Tuplestorestate *
begin_materialized_srf(FunctionCallInfo fcinfo, TupleDesc *desc_out)
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
	Oid			owner;
	int			index = 0;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("push_many's events must not be null")));
	events = PG_GETARG_JSONB_P(0);
	if (!JB_ROOT_IS_ARRAY(events) || JB_ROOT_IS_SCALAR(events))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("push_many's events must be a JSON array of objects")));

	store = begin_materialized_srf(fcinfo, &events_desc);
	default_tenant = mt_current_tenant_cstring();
	owner = mt_extension_owner();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	prepare_event_plans();

	it = JsonbIteratorInit(&events->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		PushRequest req;
		HeapTuple	stored;

		if (tok != WJB_ELEM)
			continue;
		request_from_json(&v, index++, &req, default_tenant);
		stored = push_one(&req, owner, events_desc);
		tuplestore_puttuple(store, stored);
	}
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

	store = begin_materialized_srf(fcinfo, &desc);
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
