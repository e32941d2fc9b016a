/*-------------------------------------------------------------------------
 *
 * audit.c
 *	  The audit log: the row trigger that enable_audit attaches to a tenant
 *	  table, the guard that keeps multitenant.audit_log append-only, and
 *	  its retention.
 *
 * The trigger builds the row images in C (to_jsonb of the row, minus the
 * excluded columns, which are the trigger's arguments) and writes the entry
 * straight into the log's heap and indexes, so that no role needs a
 * privilege on the log to be audited, and no statement is planned or
 * executed per audited row.  Only purge_audit_log deletes
 * entries: the guard lets a DELETE through while it runs, and it records
 * what it removed in the same transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"

#include "catalog.h"
#include "settings.h"
#include "tenant_context.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_audit_row);
PG_FUNCTION_INFO_V1(mt_audit_log_immutable);
PG_FUNCTION_INFO_V1(mt_enable_audit);
PG_FUNCTION_INFO_V1(mt_disable_audit);
PG_FUNCTION_INFO_V1(mt_purge_audit_log);

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
 * Writes one entry.  The log is the extension's own table, with no insert
 * trigger, so the entry goes in through the table access method and the
 * indexes directly, skipping the executor that a statement would start for
 * every audited row.  What the table's defaults and CHECKs would do is done
 * here: the identity, the transaction, its start time, a non-empty tenant.
 * Nullable arguments are NULL pointers.
 */
static void
write_entry(const char *instance_id, const char *action, const char *target_table,
			Jsonb *target_key, Jsonb *before, Jsonb *after, ArrayType *changed,
			const char *reason)
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

	if (instance_id == NULL || instance_id[0] == '\0')
		elog(ERROR, "an audit log entry needs a tenant");

	values[COL_INSTANCE_ID] = CStringGetTextDatum(instance_id);
	nulls[COL_INSTANCE_ID] = false;
	values[COL_ACTOR] = text_or_null(mt_current_actor_cstring(), &nulls[COL_ACTOR]);
	values[COL_DB_ROLE] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
	nulls[COL_DB_ROLE] = false;
	values[COL_ACTION] = CStringGetTextDatum(action);
	nulls[COL_ACTION] = false;
	values[COL_TARGET_TABLE] = CStringGetTextDatum(target_table);
	nulls[COL_TARGET_TABLE] = false;
	values[COL_TARGET_KEY] = PointerGetDatum(target_key);
	nulls[COL_TARGET_KEY] = (target_key == NULL);
	values[COL_BEFORE] = PointerGetDatum(before);
	nulls[COL_BEFORE] = (before == NULL);
	values[COL_AFTER] = PointerGetDatum(after);
	nulls[COL_AFTER] = (after == NULL);
	values[COL_CHANGED_COLUMNS] = PointerGetDatum(changed);
	nulls[COL_CHANGED_COLUMNS] = (changed == NULL);
	values[COL_CLIENT_ADDRESS] = text_or_null(mt_client_address, &nulls[COL_CLIENT_ADDRESS]);
	values[COL_USER_AGENT] = text_or_null(mt_user_agent, &nulls[COL_USER_AGENT]);
	values[COL_REASON] = text_or_null(reason, &nulls[COL_REASON]);
	values[COL_TRANSACTION_ID] = FullTransactionIdGetDatum(GetTopFullTransactionId());
	nulls[COL_TRANSACTION_ID] = false;
	values[COL_CREATED_AT] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
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

	write_entry(row_tenant(rel, new_tuple ? new_tuple : old_tuple), action, target_table,
				key, before, after, changed, NULL);

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
	write_entry(tenant ? tenant : "system", "purge", "multitenant.audit_log",
				NULL, NULL, NULL, NULL, reason);
	SPI_finish();
	PG_RETURN_INT64((int64) deleted);
}
