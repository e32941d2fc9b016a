/*-------------------------------------------------------------------------
 *
 * util.c
 *	  Generic helpers: SPI connections and kept plans, materialized
 *	  set-returning functions, text arguments and their checks.
 *
 * Kept plans are prepared once per backend and always run as generic
 * plans, under a guard that keeps a plan built while a table looked empty
 * from scanning it sequentially for the rest of the backend's life (see
 * mt_execute_kept).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/plancache.h"
#include "utils/resowner.h"

#include "catalog.h"
#include "multitenant.h"
#include "util.h"

#if PG_VERSION_NUM >= 170000
#define search_path_matches(path) SearchPathMatchesCurrentEnvironment(path)
#else
#define search_path_matches(path) OverrideSearchPathMatchesCurrent(path)
#endif

/*
 * The module's relcache callbacks, called from one callback registered with
 * PostgreSQL.  A backend has room for only ten relcache callbacks
 * (MAX_RELCACHE_CALLBACKS) for the server and every library together, and
 * Citus takes several: one callback for the whole extension leaves room
 * for both libraries in one server.
 */
#define MT_MAX_RELCACHE_CALLBACKS 16

static struct
{
	RelcacheCallbackFunction func;
	Datum		arg;
}			relcache_callbacks[MT_MAX_RELCACHE_CALLBACKS];
static int	relcache_callback_count = 0;

static void
relcache_callbacks_dispatch(Datum arg, Oid relid)
{
	for (int i = 0; i < relcache_callback_count; i++)
		relcache_callbacks[i].func(relcache_callbacks[i].arg, relid);
}

void
mt_register_relcache_callback(RelcacheCallbackFunction func, Datum arg)
{
	if (relcache_callback_count >= MT_MAX_RELCACHE_CALLBACKS)
		elog(FATAL, "out of multitenant relcache callback slots");
	if (relcache_callback_count == 0)
		CacheRegisterRelcacheCallback(relcache_callbacks_dispatch, (Datum) 0);
	relcache_callbacks[relcache_callback_count].func = func;
	relcache_callbacks[relcache_callback_count].arg = arg;
	relcache_callback_count++;
}

void
mt_spi_connect(void)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

/*
 * How our statements are planned.  They take keys and whole rows as
 * parameters, where a custom plan is never better than the generic one;
 * always using the generic plan saves planning on every push.  Citus is the
 * exception: it routes a statement to one shard only when it sees the
 * tenant's value, and it cannot plan INSERT ... SELECT or a join of
 * distributed tables generically at all ("could not create distributed
 * plan").  In a database with Citus our statements are therefore planned
 * for their values on every execution; the catalog lookup happens once per
 * statement and backend, when it is prepared.
 */
int
mt_kept_plan_options(void)
{
	return mt_citus_installed() ?
		CURSOR_OPT_CUSTOM_PLAN : CURSOR_OPT_GENERIC_PLAN;
}

/* Whether a kept plan is planned for its values each time (Citus). */
bool
mt_kept_plan_is_custom(SPIPlanPtr plan)
{
	CachedPlanSource *source = linitial(SPI_plan_get_plan_sources(plan));

	return (source->cursor_options & CURSOR_OPT_CUSTOM_PLAN) != 0;
}

SPIPlanPtr
mt_prepare_kept(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, argtypes, mt_kept_plan_options());

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plan;
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

	/* Planned for its values each time (Citus): nothing is kept to guard. */
	if (mt_kept_plan_is_custom(plan))
		return SPI_execute_plan(plan, values, nulls, read_only, count);

	/*
	 * The plan cache also re-plans when the caller's search_path differs
	 * from the one the plan was made under (a pooled connection's next
	 * client); that re-plan must not escape the guard either.
	 */
	if (!source->is_valid || source->gplan == NULL || !source->gplan->is_valid ||
		(source->search_path != NULL && !search_path_matches(source->search_path)))
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
	/*
	 * The executor already built the result's descriptor for a function in
	 * FROM; building it again from the catalog costs a lookup per call.
	 */
	if (rsinfo->expectedDesc != NULL)
		desc = rsinfo->expectedDesc;
	else if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
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

/* Text argument n as a C string, NULL for SQL NULL. */
char *
mt_text_arg(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/*
 * Refuses NULL, empty and oversized (more than maxlen bytes) text with a
 * message naming it.
 */
void
mt_check_text(const char *value, const char *what, int maxlen)
{
	size_t		len;

	if (value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what)));
	len = strlen(value);
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what)));
	if (len > maxlen)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("%s is too long (%zu bytes, at most %d)", what, len, maxlen)));
}

/* Text argument n, which must be present, non-empty and at most maxlen bytes. */
char *
mt_required_text_arg(FunctionCallInfo fcinfo, int n, const char *what, int maxlen)
{
	char	   *value = mt_text_arg(fcinfo, n);

	mt_check_text(value, what, maxlen);
	return value;
}

/* Tenant ids, aggregate types and ids, event types and the like. */
void
mt_check_identifier(const char *value, const char *what)
{
	mt_check_text(value, what, MT_IDENTIFIER_MAXLEN);
}

/*
 * What a row or statement trigger's event does to a row, for the messages
 * of the append-only guards: "updated", "deleted" or "truncated".
 */
const char *
mt_trigger_event_verb(uint32 tg_event)
{
	if (TRIGGER_FIRED_BY_UPDATE(tg_event))
		return "updated";
	if (TRIGGER_FIRED_BY_DELETE(tg_event))
		return "deleted";
	return "truncated";
}
