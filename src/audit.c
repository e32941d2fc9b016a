/*-------------------------------------------------------------------------
 *
 * audit.c
 *	  The audit log: the row trigger that enable_audit attaches to a tenant
 *	  table, the guard that keeps multitenant.audit_log append-only, its
 *	  retention, and audit_lifecycle, which the tenant lifecycle functions
 *	  call for their changes and refusals.
 *
 * The trigger builds the row images in C (to_jsonb of the row, minus the
 * excluded columns, which are the trigger's arguments) and writes the entry
 * straight into the log's heap and indexes, so that no role needs a
 * privilege on the log to be audited, and no statement is planned or
 * executed per audited row.  Only purge_audit_log deletes
 * entries: the guard lets a DELETE through while it runs, and it records
 * what it removed in the same transaction.
 *
 * A refused lifecycle call records its refusal and then raises its error,
 * which aborts the transaction.  So that the entry survives, audit_lifecycle
 * hands it to a dynamic background worker (the audit writer) through a
 * segment of dynamic shared memory, and waits until the worker has written
 * and committed it in a transaction of its own.  While it waits, the caller
 * holds every lock its transaction took, and the deadlock detector cannot
 * see a latch wait: should the worker wait for one of those locks, the two
 * would wait for each other until the caller is cancelled.  The worker
 * takes only these locks: AccessShareLock on the catalogs it reads,
 * RowExclusiveLock on the log, its sequence, its indexes and its TOAST
 * table, and, for the unique check of the log's primary key, the
 * transaction lock of an uncommitted entry with the same key.  RowExclusive
 * conflicts only with Share and stronger locks, which the caller holds on
 * those relations only after DDL, LOCK TABLE, CREATE INDEX or VACUUM FULL on
 * them in its own transaction: audit_lifecycle checks for these and then
 * writes the entry in the caller's transaction (with a WARNING that it is
 * lost if that transaction aborts) instead of starting the worker.  The keys
 * come from the log's sequence, so a key the caller's transaction holds
 * uncommitted is one that a superuser inserted by hand with an explicit id;
 * that, and a catalog the caller locked exclusively, are left to the
 * worker's lock_timeout (the caller's, or ten seconds when it has none),
 * after which the worker fails and the caller warns that the entry was
 * lost.  When the log itself was created by the caller's transaction (a test
 * that creates the extension), the worker could not see it at all: the
 * entry is written in the caller's transaction then.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"

#include "catalog.h"
#include "multitenant.h"
#include "settings.h"
#include "tenant_context.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_audit_row);
PG_FUNCTION_INFO_V1(mt_audit_log_immutable);
PG_FUNCTION_INFO_V1(mt_enable_audit);
PG_FUNCTION_INFO_V1(mt_disable_audit);
PG_FUNCTION_INFO_V1(mt_purge_audit_log);
PG_FUNCTION_INFO_V1(mt_audit_lifecycle);

extern PGDLLEXPORT void mt_audit_writer_main(Datum main_arg);

/* Room for a schema-qualified name with both parts quoted. */
#define AUDIT_TARGET_TABLE_MAXLEN (2 * (2 * NAMEDATALEN + 2) + 1)

/* How long the audit writer waits for a lock when the caller would forever. */
#define AUDIT_WRITER_LOCK_TIMEOUT_MS 10000

/* The name of the trigger enable_audit attaches, one per table. */
#define AUDIT_TRIGGER_NAME "multitenant_audit"

/* Set while purge_audit_log deletes; the guard lets its DELETE through. */
static bool purging = false;

static SPIPlanPtr purge_plan = NULL;

/*
 * to_jsonb(record) called directly: it takes its argument's type from the
 * call expression, so the kept FmgrInfo carries one naming a record; the
 * datum's own header names the row type.
 */
static FmgrInfo to_jsonb_info;
static bool to_jsonb_ready = false;

static void
prepare_to_jsonb(void)
{
	MemoryContext old;

	if (to_jsonb_ready)
		return;
	old = MemoryContextSwitchTo(TopMemoryContext);
	fmgr_info(F_TO_JSONB, &to_jsonb_info);
	to_jsonb_info.fn_expr = (Node *) makeFuncExpr(F_TO_JSONB, JSONBOID,
												  list_make1(makeNullConst(RECORDOID, -1, InvalidOid)),
												  InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	MemoryContextSwitchTo(old);
	to_jsonb_ready = true;
}

/* The columns of multitenant.audit_log, in table order. */
enum
{
	COL_ID,
	COL_INSTANCE_ID,
	COL_ACTOR,
	COL_DB_ROLE,
	COL_ACTION,
	COL_TARGET_TABLE,
	COL_TARGET_KEY,
	COL_BEFORE,
	COL_AFTER,
	COL_CHANGED_COLUMNS,
	COL_CLIENT_ADDRESS,
	COL_USER_AGENT,
	COL_REASON,
	COL_TRANSACTION_ID,
	COL_CREATED_AT,
	AUDIT_LOG_NATTS
};

static Datum
text_or_null(const char *value, bool *null)
{
	*null = (value == NULL || value[0] == '\0');
	return *null ? (Datum) 0 : CStringGetTextDatum(value);
}

/*
 * One entry of the log, as it is written: everything but the identity,
 * which the log's sequence gives.  Nullable fields are NULL pointers.
 */
typedef struct AuditEntry
{
	const char *instance_id;
	const char *action;
	const char *target_table;
	Jsonb	   *target_key;
	Jsonb	   *before;
	Jsonb	   *after;
	ArrayType  *changed;
	const char *reason;
	const char *actor;
	const char *db_role;
	const char *client_address;
	const char *user_agent;
	FullTransactionId transaction_id;
	TimestampTz created_at;
} AuditEntry;

/*
 * Writes one entry.  The log is the extension's own table, with no insert
 * trigger, so the entry goes in through the table access method and the
 * indexes directly, skipping the executor that a statement would start for
 * every audited row.  What the table's defaults and CHECKs would do is done
 * by the callers and here: the identity, the transaction, its start time, a
 * non-empty tenant.  The audit writer calls this too, in its own
 * transaction, with the caller's values.
 */
static void
insert_entry(const AuditEntry *e)
{
	Oid			relid = mt_relation_oid("audit_log", false);
	Oid			seqid = mt_relation_oid("audit_log_id_seq", false);
	Datum		values[AUDIT_LOG_NATTS];
	bool		nulls[AUDIT_LOG_NATTS];
	Relation	rel;
	EState	   *estate;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
	HeapTuple	tuple;

	if (e->instance_id == NULL || e->instance_id[0] == '\0')
		elog(ERROR, "an audit log entry needs a tenant");

	values[COL_INSTANCE_ID] = CStringGetTextDatum(e->instance_id);
	nulls[COL_INSTANCE_ID] = false;
	values[COL_ACTOR] = text_or_null(e->actor, &nulls[COL_ACTOR]);
	values[COL_DB_ROLE] = CStringGetTextDatum(e->db_role);
	nulls[COL_DB_ROLE] = false;
	values[COL_ACTION] = CStringGetTextDatum(e->action);
	nulls[COL_ACTION] = false;
	values[COL_TARGET_TABLE] = CStringGetTextDatum(e->target_table);
	nulls[COL_TARGET_TABLE] = false;
	values[COL_TARGET_KEY] = PointerGetDatum(e->target_key);
	nulls[COL_TARGET_KEY] = (e->target_key == NULL);
	values[COL_BEFORE] = PointerGetDatum(e->before);
	nulls[COL_BEFORE] = (e->before == NULL);
	values[COL_AFTER] = PointerGetDatum(e->after);
	nulls[COL_AFTER] = (e->after == NULL);
	values[COL_CHANGED_COLUMNS] = PointerGetDatum(e->changed);
	nulls[COL_CHANGED_COLUMNS] = (e->changed == NULL);
	values[COL_CLIENT_ADDRESS] = text_or_null(e->client_address, &nulls[COL_CLIENT_ADDRESS]);
	values[COL_USER_AGENT] = text_or_null(e->user_agent, &nulls[COL_USER_AGENT]);
	values[COL_REASON] = text_or_null(e->reason, &nulls[COL_REASON]);
	values[COL_TRANSACTION_ID] = FullTransactionIdGetDatum(e->transaction_id);
	nulls[COL_TRANSACTION_ID] = false;
	values[COL_CREATED_AT] = TimestampTzGetDatum(e->created_at);
	nulls[COL_CREATED_AT] = false;

	rel = table_open(relid, RowExclusiveLock);
	if (RelationGetDescr(rel)->natts != AUDIT_LOG_NATTS)
		elog(ERROR, "multitenant.audit_log has %d columns, expected %d",
			 RelationGetDescr(rel)->natts, AUDIT_LOG_NATTS);
	values[COL_ID] = Int64GetDatum(nextval_internal(seqid, false));
	nulls[COL_ID] = false;

	estate = CreateExecutorState();
	rri = makeNode(ResultRelInfo);
	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);
	slot = ExecInitExtraTupleSlot(estate, RelationGetDescr(rel), &TTSOpsHeapTuple);
	tuple = heap_form_tuple(RelationGetDescr(rel), values, nulls);
	ExecStoreHeapTuple(tuple, slot, false);
	simple_table_tuple_insert(rel, slot);
	(void) ExecInsertIndexTuples(rri, slot, estate, false, false, NULL, NIL);
	ExecCloseIndices(rri);
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
	table_close(rel, NoLock);
}

/*
 * An entry of this session: the actor, the request settings, the
 * transaction and its start time, and role as the database role.
 */
static void
session_entry(AuditEntry *e, Oid role, const char *instance_id, const char *action,
			  const char *target_table, Jsonb *target_key, Jsonb *before, Jsonb *after,
			  ArrayType *changed, const char *reason)
{
	e->instance_id = instance_id;
	e->action = action;
	e->target_table = target_table;
	e->target_key = target_key;
	e->before = before;
	e->after = after;
	e->changed = changed;
	e->reason = reason;
	e->actor = mt_current_actor_cstring();
	e->db_role = GetUserNameFromId(role, false);
	e->client_address = mt_client_address;
	e->user_agent = mt_user_agent;
	e->transaction_id = GetTopFullTransactionId();
	e->created_at = GetCurrentTransactionStartTimestamp();
}

/* Writes one entry of this session in its transaction, role as db_role. */
static void
write_entry(Oid role, const char *instance_id, const char *action, const char *target_table,
			Jsonb *target_key, Jsonb *before, Jsonb *after, ArrayType *changed,
			const char *reason)
{
	AuditEntry	e;

	session_entry(&e, role, instance_id, action, target_table, target_key,
				  before, after, changed, reason);
	insert_entry(&e);
}

static bool
is_excluded(const char *column, Trigger *trigger)
{
	int			i;

	for (i = 0; i < trigger->tgnargs; i++)
		if (strcmp(trigger->tgargs[i], column) == 0)
			return true;
	return false;
}

/* The whole row as jsonb, as to_jsonb(row) gives it. */
static Jsonb *
row_jsonb(HeapTuple tuple, TupleDesc desc)
{
	Datum		row = heap_copy_tuple_as_datum(tuple, desc);

	return DatumGetJsonbP(FunctionCall1(&to_jsonb_info, row));
}

static Jsonb *
without_columns(Jsonb *image, ArrayType *excluded)
{
	if (excluded == NULL)
		return image;
	return DatumGetJsonbP(DirectFunctionCall2(jsonb_delete_array,
											  JsonbPGetDatum(image),
											  PointerGetDatum(excluded)));
}

/* The primary key columns of the row, taken from its whole image. */
static Jsonb *
key_of(Relation rel, Jsonb *image)
{
	Bitmapset  *pk = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	TupleDesc	desc = RelationGetDescr(rel);
	JsonbParseState *state = NULL;
	JsonbValue *result;
	int			member = -1;

	if (pk == NULL)
		return NULL;
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	while ((member = bms_next_member(pk, member)) >= 0)
	{
		AttrNumber	attnum = member + FirstLowInvalidHeapAttributeNumber;
		const char *name = NameStr(TupleDescAttr(desc, attnum - 1)->attname);
		JsonbValue	key;
		JsonbValue *value;

		key.type = jbvString;
		key.val.string.val = (char *) name;
		key.val.string.len = strlen(name);
		value = getKeyJsonValueFromContainer(&image->root, name, strlen(name), NULL);
		if (value == NULL)
			continue;
		pushJsonbValue(&state, WJB_KEY, &key);
		pushJsonbValue(&state, WJB_VALUE, value);
	}
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(result);
}

/* The columns an UPDATE changed, excluded ones left out. */
static ArrayType *
changed_columns(HeapTuple old_tuple, HeapTuple new_tuple, TupleDesc desc, Trigger *trigger)
{
	Datum	   *names = palloc(sizeof(Datum) * desc->natts);
	int			n = 0;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		bool		old_null;
		bool		new_null;
		Datum		old_value;
		Datum		new_value;

		if (att->attisdropped || is_excluded(NameStr(att->attname), trigger))
			continue;
		old_value = heap_getattr(old_tuple, i + 1, desc, &old_null);
		new_value = heap_getattr(new_tuple, i + 1, desc, &new_null);
		if (old_null && new_null)
			continue;
		if (old_null != new_null ||
			!datum_image_eq(old_value, new_value, att->attbyval, att->attlen))
			names[n++] = CStringGetTextDatum(NameStr(att->attname));
	}
	return construct_array(names, n, TEXTOID, -1, false, TYPALIGN_INT);
}

/*
 * The tenant of an entry: the row's own, which an administrator may write
 * outside any tenant context.
 */
static char *
row_tenant(Relation rel, HeapTuple tuple)
{
	int			attnum = SPI_fnumber(RelationGetDescr(rel), "instance_id");
	char	   *tenant = NULL;

	if (attnum > 0)
		tenant = SPI_getvalue(tuple, RelationGetDescr(rel), attnum);
	if (tenant == NULL || tenant[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("cannot audit a row of table %s without an instance_id",
						RelationGetRelationName(rel))));
	return tenant;
}

Datum
mt_audit_row(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	Trigger    *trigger;
	ArrayType  *excluded = NULL;
	HeapTuple	old_tuple = NULL;
	HeapTuple	new_tuple = NULL;
	Jsonb	   *before = NULL;
	Jsonb	   *after = NULL;
	Jsonb	   *key = NULL;
	ArrayType  *changed = NULL;
	const char *action;
	char	   *target_table;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "audit_row must be called as an AFTER ... FOR EACH ROW trigger");

	rel = trigdata->tg_relation;
	desc = RelationGetDescr(rel);
	trigger = trigdata->tg_trigger;
	prepare_to_jsonb();

	if (trigger->tgnargs > 0)
	{
		Datum	   *names = palloc(sizeof(Datum) * trigger->tgnargs);
		int			i;

		for (i = 0; i < trigger->tgnargs; i++)
		{
			/*
			 * An excluded column renamed since would otherwise be copied
			 * into a log that nobody can correct.
			 */
			if (SPI_fnumber(desc, trigger->tgargs[i]) <= 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" that the audit of table %s excludes does not exist",
								trigger->tgargs[i], RelationGetRelationName(rel)),
						 errhint("Call multitenant.enable_audit() again with the table's current column names.")));
			names[i] = CStringGetTextDatum(trigger->tgargs[i]);
		}
		excluded = construct_array(names, trigger->tgnargs, TEXTOID, -1, false, TYPALIGN_INT);
	}

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		action = "INSERT";
		new_tuple = trigdata->tg_trigtuple;
	}
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		action = "UPDATE";
		old_tuple = trigdata->tg_trigtuple;
		new_tuple = trigdata->tg_newtuple;
	}
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		action = "DELETE";
		old_tuple = trigdata->tg_trigtuple;
	}
	else
		elog(ERROR, "audit_row must be fired by INSERT, UPDATE or DELETE");

	/* The key of the row as it is after the change, or was before a DELETE. */
	if (old_tuple != NULL)
	{
		Jsonb	   *whole = row_jsonb(old_tuple, desc);

		if (new_tuple == NULL)
			key = key_of(rel, whole);
		before = without_columns(whole, excluded);
	}
	if (new_tuple != NULL)
	{
		Jsonb	   *whole = row_jsonb(new_tuple, desc);

		key = key_of(rel, whole);
		after = without_columns(whole, excluded);
	}
	if (old_tuple != NULL && new_tuple != NULL)
		changed = changed_columns(old_tuple, new_tuple, desc, trigger);

	target_table = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
											  RelationGetRelationName(rel));

	write_entry(GetUserId(), row_tenant(rel, new_tuple ? new_tuple : old_tuple), action,
				target_table, key, before, after, changed, NULL);

	return PointerGetDatum(NULL);
}

Datum
mt_audit_log_immutable(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const char *what;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "audit_log_immutable must be called as a trigger");
	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) && purging)
		return PointerGetDatum(trigdata->tg_trigtuple);
	what = mt_trigger_event_verb(trigdata->tg_event);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("entries in multitenant.audit_log are append-only and cannot be %s", what),
			 errhint("Old entries are removed with multitenant.purge_audit_log().")));
	PG_RETURN_NULL();
}

/*
 * The table enable_audit and disable_audit act on: a table (or partitioned
 * table) with an instance_id column, not the log itself.
 */
static Oid
audited_table_arg(FunctionCallInfo fcinfo, const char *function)
{
	Oid			relid;
	char		relkind;

	mt_require_admin(function);
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: the table must not be null", function)));
	relid = PG_GETARG_OID(0);
	relkind = get_rel_relkind(relid);
	if (relkind == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot audit %s: it is not a table", get_rel_name(relid))));
	if (relid == mt_relation_oid("audit_log", false))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot audit multitenant.audit_log itself")));
	return relid;
}

static char *
qualified_name(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

/*
 * enable_audit(tbl, exclude_columns): attaches the row trigger, or replaces
 * it to change the excluded columns.
 */
Datum
mt_enable_audit(PG_FUNCTION_ARGS)
{
	Oid			relid = audited_table_arg(fcinfo, "enable_audit");
	char	   *table = qualified_name(relid);
	StringInfoData sql;
	Datum	   *elems = NULL;
	bool	   *elem_nulls = NULL;
	int			n = 0;
	int			i;
	int			rc;

	if (get_attnum(relid, "instance_id") <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("cannot audit table %s: it has no instance_id column", table),
				 errhint("Only tenant tables are audited; see multitenant.adopt_table().")));
	if (mt_is_citus_table(relid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot audit table %s: it is a Citus table", table),
				 errdetail("The audit trigger writes into the audit log where it fires, which for a Citus table is on the workers."),
				 errhint("The audit log keeps the tenant lifecycle's changes on Citus; audit your own tables on one server.")));
	if (!PG_ARGISNULL(1))
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &elem_nulls, &n);

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE OR REPLACE TRIGGER %s AFTER INSERT OR UPDATE OR DELETE ON %s"
					 " FOR EACH ROW EXECUTE FUNCTION multitenant.audit_row(",
					 AUDIT_TRIGGER_NAME, table);
	for (i = 0; i < n; i++)
	{
		char	   *column;

		if (elem_nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("excluded columns of table %s must not be null", table)));
		column = TextDatumGetCString(elems[i]);
		if (get_attnum(relid, column) <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of table %s does not exist", column, table)));
		appendStringInfo(&sql, "%s%s", i > 0 ? ", " : "", quote_literal_cstr(column));
	}
	appendStringInfoChar(&sql, ')');

	mt_spi_connect();
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = SPI_execute(sql.data, false, 0);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_UTILITY)
		elog(ERROR, "attaching the audit trigger to %s failed: %s", table, SPI_result_code_string(rc));
	SPI_finish();
	PG_RETURN_VOID();
}

Datum
mt_disable_audit(PG_FUNCTION_ARGS)
{
	Oid			relid = audited_table_arg(fcinfo, "disable_audit");
	char	   *table = qualified_name(relid);
	char	   *sql = psprintf("DROP TRIGGER IF EXISTS %s ON %s", AUDIT_TRIGGER_NAME, table);
	int			rc;

	mt_spi_connect();
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = SPI_execute(sql, false, 0);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_UTILITY)
		elog(ERROR, "removing the audit trigger from %s failed: %s", table, SPI_result_code_string(rc));
	SPI_finish();
	PG_RETURN_VOID();
}

/* The purge's DELETE, the only one the guard lets through. */
static int
run_purge(Datum *values, const char *nulls)
{
	volatile int rc = 0;

	purging = true;
	PG_TRY();
	{
		MT_AS_ROLE_BEGIN(mt_extension_owner());
		rc = mt_execute_kept(purge_plan, values, nulls, false, 0);
		MT_AS_ROLE_END();
	}
	PG_FINALLY();
	{
		purging = false;
	}
	PG_END_TRY();
	return rc;
}

/*
 * purge_audit_log(older_than, instance_id): deletes the entries older than
 * the interval (of one tenant, or of all), then records the purge in the
 * tenant's log (the system tenant's for all tenants).  Returns how many it
 * deleted.
 */
Datum
mt_purge_audit_log(PG_FUNCTION_ARGS)
{
	Interval   *older_than;
	char	   *tenant = NULL;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	TimestampTz cutoff;
	Datum		values[2];
	char		nulls[2];
	uint64		deleted;
	char	   *reason;
	int			rc;

	mt_require_admin("purge_audit_log");
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("purge_audit_log: older_than must not be null")));
	older_than = PG_GETARG_INTERVAL_P(0);
	if (!PG_ARGISNULL(1))
	{
		tenant = TextDatumGetCString(PG_GETARG_DATUM(1));
		mt_check_identifier(tenant, "tenant id");
	}
	cutoff = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
													 TimestampTzGetDatum(now),
													 IntervalPGetDatum(older_than)));
	if (cutoff >= now)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("purge_audit_log: older_than must be a positive interval, not %s",
						DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(older_than))))));

	mt_spi_connect();
	if (purge_plan == NULL)
	{
		Oid			types[2] = {TIMESTAMPTZOID, TEXTOID};

		purge_plan = mt_prepare_kept("DELETE FROM multitenant.audit_log AS a"
									 " WHERE a.created_at OPERATOR(pg_catalog.<) $1"
									 "   AND ($2 IS NULL OR a.instance_id OPERATOR(pg_catalog.=) $2)",
									 2, types);
	}
	values[0] = TimestampTzGetDatum(cutoff);
	nulls[0] = ' ';
	values[1] = tenant ? CStringGetTextDatum(tenant) : (Datum) 0;
	nulls[1] = tenant ? ' ' : 'n';

	rc = run_purge(values, nulls);
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "purging the audit log failed: %s", SPI_result_code_string(rc));
	deleted = SPI_processed;

	reason = psprintf("purged " UINT64_FORMAT " entries older than %s%s", deleted,
					  DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(older_than))),
					  tenant ? "" : " of all tenants");
	write_entry(GetUserId(), tenant ? tenant : "system", "purge", "multitenant.audit_log",
				NULL, NULL, NULL, NULL, reason);
	SPI_finish();
	PG_RETURN_INT64((int64) deleted);
}

/*
 * The top-level keys whose values differ between two object images, or that
 * one of them lacks, in name order; NULL unless both images are objects.
 */
static void
add_differing_keys(Jsonb *image, Jsonb *other, bool keys_of_other_too,
				   char ***names, int *n, int *max)
{
	JsonbIterator *it = JsonbIteratorInit(&image->root);
	JsonbValue	v;
	JsonbIteratorToken token;

	while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		JsonbValue	key;
		JsonbValue *there;
		bool		differs;

		if (token != WJB_KEY)
			continue;
		key = v;
		token = JsonbIteratorNext(&it, &v, true);
		Assert(token == WJB_VALUE);
		there = getKeyJsonValueFromContainer(&other->root, key.val.string.val,
											 key.val.string.len, NULL);
		if (there == NULL)
			differs = true;
		else if (!keys_of_other_too)
			continue;			/* a key of both, compared from the other side */
		else
			differs = compareJsonbContainers(&JsonbValueToJsonb(&v)->root,
											 &JsonbValueToJsonb(there)->root) != 0;
		if (!differs)
			continue;
		if (*n == *max)
		{
			*max *= 2;
			*names = repalloc(*names, sizeof(char *) * *max);
		}
		(*names)[(*n)++] = pnstrdup(key.val.string.val, key.val.string.len);
	}
}

/* Byte order, whatever the collation. */
static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static ArrayType *
image_changes(Jsonb *before, Jsonb *after)
{
	int			max = 8;
	int			n = 0;
	char	  **names;
	Datum	   *texts;
	int			i;

	if (before == NULL || after == NULL ||
		!JB_ROOT_IS_OBJECT(before) || !JB_ROOT_IS_OBJECT(after))
		return NULL;
	names = palloc(sizeof(char *) * max);
	add_differing_keys(before, after, true, &names, &n, &max);
	add_differing_keys(after, before, false, &names, &n, &max);
	qsort(names, n, sizeof(char *), compare_names);
	texts = palloc(sizeof(Datum) * (n + 1));
	for (i = 0; i < n; i++)
		texts[i] = CStringGetTextDatum(names[i]);
	return construct_array(texts, n, TEXTOID, -1, false, TYPALIGN_INT);
}

/*
 * The segment an entry travels in to the audit writer: this header, then
 * the fields' bytes (text with its terminating NUL, jsonb and arrays as
 * whole varlenas).  written is set by the writer once it has committed.
 */
enum
{
	F_INSTANCE_ID,
	F_ACTION,
	F_TARGET_TABLE,
	F_REASON,
	F_ACTOR,
	F_DB_ROLE,
	F_CLIENT_ADDRESS,
	F_USER_AGENT,
	F_TARGET_KEY,
	F_BEFORE,
	F_AFTER,
	F_CHANGED,
	AUDIT_REQUEST_NFIELDS
};

#define F_FIRST_VARLENA F_TARGET_KEY

typedef struct AuditRequest
{
	pg_atomic_uint32 written;
	Oid			database;
	Oid			role;
	int			lock_timeout_ms;
	FullTransactionId transaction_id;
	TimestampTz created_at;
	bool		present[AUDIT_REQUEST_NFIELDS];
	Size		offset[AUDIT_REQUEST_NFIELDS];
	Size		length[AUDIT_REQUEST_NFIELDS];
} AuditRequest;

static void
entry_fields(const AuditEntry *e, const void **data, Size *length)
{
	const char *texts[F_FIRST_VARLENA] = {e->instance_id, e->action, e->target_table,
	e->reason, e->actor, e->db_role, e->client_address, e->user_agent};
	const void *varlenas[AUDIT_REQUEST_NFIELDS - F_FIRST_VARLENA] = {e->target_key,
	e->before, e->after, e->changed};
	int			f;

	for (f = 0; f < F_FIRST_VARLENA; f++)
	{
		data[f] = texts[f];
		length[f] = texts[f] ? strlen(texts[f]) + 1 : 0;
	}
	for (f = F_FIRST_VARLENA; f < AUDIT_REQUEST_NFIELDS; f++)
	{
		data[f] = varlenas[f - F_FIRST_VARLENA];
		length[f] = data[f] ? VARSIZE(data[f]) : 0;
	}
}

/* A copy of field f, in local memory (and so aligned), or NULL. */
static void *
request_field(AuditRequest *req, int f)
{
	void	   *copy;

	if (!req->present[f])
		return NULL;
	copy = palloc(req->length[f]);
	memcpy(copy, (char *) req + req->offset[f], req->length[f]);
	return copy;
}

/*
 * The audit writer: attaches the segment, connects to the caller's
 * database, writes the entry in a transaction of its own and commits, then
 * marks the request written.  Any error ends the process with the request
 * unmarked, which the caller reports.
 */
void
mt_audit_writer_main(Datum main_arg)
{
	dsm_segment *seg;
	AuditRequest *req;
	AuditEntry	e;
	char		timeout[32];

	BackgroundWorkerUnblockSignals();
	seg = dsm_attach(DatumGetUInt32(main_arg));
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the audit writer found no entry to write: its caller stopped waiting")));
	req = (AuditRequest *) dsm_segment_address(seg);

	snprintf(timeout, sizeof(timeout), "%d", req->lock_timeout_ms);
	SetConfigOption("lock_timeout", timeout, PGC_SUSET, PGC_S_OVERRIDE);
	BackgroundWorkerInitializeConnectionByOid(req->database, req->role, 0);

	StartTransactionCommand();
	SetCurrentStatementStartTimestamp();
	pgstat_report_activity(STATE_RUNNING, "writing an audit log entry of a refusal");
	PushActiveSnapshot(GetTransactionSnapshot());

	e.instance_id = request_field(req, F_INSTANCE_ID);
	e.action = request_field(req, F_ACTION);
	e.target_table = request_field(req, F_TARGET_TABLE);
	e.reason = request_field(req, F_REASON);
	e.actor = request_field(req, F_ACTOR);
	e.db_role = request_field(req, F_DB_ROLE);
	e.client_address = request_field(req, F_CLIENT_ADDRESS);
	e.user_agent = request_field(req, F_USER_AGENT);
	e.target_key = request_field(req, F_TARGET_KEY);
	e.before = request_field(req, F_BEFORE);
	e.after = request_field(req, F_AFTER);
	e.changed = request_field(req, F_CHANGED);
	e.transaction_id = req->transaction_id;
	e.created_at = req->created_at;
	insert_entry(&e);

	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);

	pg_atomic_write_u32(&req->written, 1);
	dsm_detach(seg);
	proc_exit(0);
}

/* Whether this transaction holds a lock on relid that the writer's RowExclusiveLock would wait for. */
static bool
holds_lock_against_writer(Oid relid)
{
	LOCKTAG		tag;
	LOCKMODE	mode;

	if (!OidIsValid(relid))
		return false;
	SET_LOCKTAG_RELATION(tag, MyDatabaseId, relid);
	for (mode = ShareLock; mode <= AccessExclusiveLock; mode++)
		if (LockHeldByMe(&tag, mode))
			return true;
	return false;
}

/*
 * Why the audit writer cannot write the entry for this transaction: the log
 * was created by it (the writer cannot see it), or it locked one of the
 * relations the writer inserts into; NULL when it can.
 */
static const char *
writer_blocked_by(void)
{
	Oid			relid = mt_relation_oid("audit_log", false);
	HeapTuple	tuple;
	bool		created_here;
	Relation	rel;
	List	   *indexes;
	ListCell   *lc;
	bool		locked;

	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	created_here = TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tuple->t_data));
	ReleaseSysCache(tuple);
	if (created_here)
		return "created";

	/* AccessShareLock conflicts with nothing the writer takes. */
	rel = table_open(relid, AccessShareLock);
	locked = holds_lock_against_writer(relid) ||
		holds_lock_against_writer(rel->rd_rel->reltoastrelid) ||
		holds_lock_against_writer(mt_relation_oid("audit_log_id_seq", false));
	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
		locked = locked || holds_lock_against_writer(lfirst_oid(lc));
	table_close(rel, AccessShareLock);
	return locked ? "locked" : NULL;
}

/* The role the writer connects as: the extension's owner, if it may log in. */
static Oid
writer_role(void)
{
	Oid			owner = mt_extension_owner();
	HeapTuple	tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(owner));
	bool		can_login;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for role %u", owner);
	can_login = ((Form_pg_authid) GETSTRUCT(tuple))->rolcanlogin;
	ReleaseSysCache(tuple);
	return can_login ? owner : BOOTSTRAP_SUPERUSERID;
}

static char *
describe_key(const AuditEntry *e)
{
	if (e->target_key == NULL)
		return "no key";
	return psprintf("key %s", JsonbToCString(NULL, &e->target_key->root,
											 VARSIZE(e->target_key)));
}

static void
warn_lost(const AuditEntry *e, const char *why)
{
	ereport(WARNING,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("audit log entry of the refused %s on %s (%s) in tenant \"%s\" was not recorded",
					e->action, e->target_table, describe_key(e), e->instance_id),
			 errdetail_internal("%s", why)));
}

/*
 * Records a refusal so that it survives the caller's transaction, which its
 * error is about to abort: through the audit writer, which commits on its
 * own.  Without a worker slot, or when the writer fails, the entry is lost
 * with a WARNING and the function returns, so that the refusal itself still
 * happens.
 */
static void
record_refusal(const AuditEntry *e)
{
	const char *blocked = writer_blocked_by();
	const void *data[AUDIT_REQUEST_NFIELDS];
	Size		length[AUDIT_REQUEST_NFIELDS];
	Size		size = MAXALIGN(sizeof(AuditRequest));
	dsm_segment *seg;
	AuditRequest *req;
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	BgwHandleStatus status;
	bool		written;
	int			f;

	if (blocked != NULL && strcmp(blocked, "created") == 0)
	{
		insert_entry(e);
		return;
	}
	if (blocked != NULL)
	{
		insert_entry(e);
		ereport(WARNING,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("audit log entry of the refused %s on %s (%s) in tenant \"%s\" is written in this transaction only",
						e->action, e->target_table, describe_key(e), e->instance_id),
				 errdetail("The transaction holds a lock on multitenant.audit_log that the audit writer would wait for; the entry is lost if the transaction aborts.")));
		return;
	}

	entry_fields(e, data, length);
	for (f = 0; f < AUDIT_REQUEST_NFIELDS; f++)
		size += MAXALIGN(length[f]);
	seg = dsm_create(size, 0);
	req = (AuditRequest *) dsm_segment_address(seg);
	memset(req, 0, sizeof(AuditRequest));
	pg_atomic_init_u32(&req->written, 0);
	req->database = MyDatabaseId;
	req->role = writer_role();
	req->lock_timeout_ms = LockTimeout > 0 ? LockTimeout : AUDIT_WRITER_LOCK_TIMEOUT_MS;
	req->transaction_id = e->transaction_id;
	req->created_at = e->created_at;
	size = MAXALIGN(sizeof(AuditRequest));
	for (f = 0; f < AUDIT_REQUEST_NFIELDS; f++)
	{
		req->present[f] = data[f] != NULL;
		req->offset[f] = size;
		req->length[f] = length[f];
		if (data[f] != NULL)
			memcpy((char *) req + size, data[f], length[f]);
		size += MAXALIGN(length[f]);
	}

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "$libdir/multitenant");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "mt_audit_writer_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "multitenant audit writer for PID %d", MyProcPid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "multitenant audit writer");
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		dsm_detach(seg);
		warn_lost(e, psprintf("No background worker slot is free (max_worker_processes = %d).",
							  max_worker_processes));
		return;
	}

	/*
	 * A cancel or statement_timeout ends the wait with an error; the segment
	 * goes then, or with the writer if it attached already (and still writes
	 * the entry).
	 */
	PG_TRY();
	{
		status = WaitForBackgroundWorkerShutdown(handle);
	}
	PG_CATCH();
	{
		dsm_detach(seg);
		PG_RE_THROW();
	}
	PG_END_TRY();

	written = pg_atomic_read_u32(&req->written) == 1;
	dsm_detach(seg);
	if (status == BGWH_POSTMASTER_DIED)
		warn_lost(e, "The postmaster died.");
	else if (!written)
		warn_lost(e, "The audit writer failed; the server log says why.");
}

/*
 * audit_lifecycle(instance_id, action, target_table, target_key, before,
 * after, reason, refused): one entry for a change or a refusal of the
 * tenant lifecycle functions.  These are SECURITY DEFINER functions, so the
 * database role recorded is the one outside them (GetOuterUserId), who
 * called them, not their owner.
 */
Datum
mt_audit_lifecycle(PG_FUNCTION_ARGS)
{
	char	   *instance_id = mt_required_text_arg(fcinfo, 0, "instance_id of an audit log entry",
												   MT_IDENTIFIER_MAXLEN);
	char	   *action = mt_required_text_arg(fcinfo, 1, "action of an audit log entry",
											  MT_IDENTIFIER_MAXLEN);
	char	   *target_table = mt_required_text_arg(fcinfo, 2, "target_table of an audit log entry",
													AUDIT_TARGET_TABLE_MAXLEN);
	Jsonb	   *target_key = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	Jsonb	   *before = PG_ARGISNULL(4) ? NULL : PG_GETARG_JSONB_P(4);
	Jsonb	   *after = PG_ARGISNULL(5) ? NULL : PG_GETARG_JSONB_P(5);
	char	   *reason = mt_text_arg(fcinfo, 6);
	AuditEntry	e;

	if (PG_ARGISNULL(7))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("refused of an audit log entry must not be null")));

	session_entry(&e, GetOuterUserId(), instance_id, action, target_table, target_key,
				  before, after, image_changes(before, after), reason);
	if (PG_GETARG_BOOL(7))
		record_refusal(&e);
	else
		insert_entry(&e);
	PG_RETURN_VOID();
}
