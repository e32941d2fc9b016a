/*-------------------------------------------------------------------------
 *
 * reducer.c
 *	  The reducer registry and the engine that reduces events into
 *	  projections inline, inside the pushing transaction.
 *
 * A reducer is a row of multitenant.reducers.  Each is compiled once per
 * backend into one SQL statement whose only parameter, $1, is the stored
 * event row; the statement is prepared with SPI and kept, so a push costs one
 * plan execution per reducer.  The cache is keyed by event type and dropped
 * whenever the registry or a projection that has reducers changes.
 *
 * A reducer runs as the role that registered it: a push never runs SQL that
 * its caller wrote, and a registrant never gains privileges it lacks.  Its
 * statement is compiled and run under a fixed search_path, never the
 * caller's, so that nobody can bind their own operators, functions or types
 * into it.
 *
 * The engine has two entries: mt_reduce_events, which push calls for the
 * events it stores, and mt_replay_events, which replays stored events for
 * rebuild and the upgrade's repair.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "catalog.h"
#include "multitenant.h"
#include "reducer.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_register_reducer);
PG_FUNCTION_INFO_V1(mt_unregister_reducer);
PG_FUNCTION_INFO_V1(mt_reducers_changed);

typedef struct CompiledReducer
{
	Oid			projection;
	char	   *projection_name;
	Oid			registrant;
	char		action;			/* 'i'nsert, u'p'sert, 'u'pdate, 'd'elete */
	SPIPlanPtr	plan;			/* $1: one event */
	SPIPlanPtr	batch_plan;		/* $1: an array of events; NULL if unsafe */
} CompiledReducer;

typedef struct ReducerSet
{
	char		event_type[MT_IDENTIFIER_MAXLEN + 1];	/* hash key */
	int			count;
	bool		batchable;		/* every reducer has a batch_plan */
	bool		batch_upserts;	/* a batch may hit one key twice (see below) */
	CompiledReducer *reducers;
} ReducerSet;

typedef struct ColumnExpr
{
	char	   *column;
	char	   *expr;
} ColumnExpr;

static MemoryContext reducer_cache_context = NULL;
static HTAB *reducer_sets = NULL;
static Oid	cached_registry_relid = InvalidOid;
static Oid *cached_projections = NULL;
static int	n_cached_projections = 0;
static bool reducer_cache_stale = false;

/* Reductions under way; the cache is never dropped while one is running. */
static int	reductions_in_progress = 0;

static SPIPlanPtr load_reducers_plan = NULL;

static void
reducer_relcache_callback(Datum arg, Oid relid)
{
	int			i;

	if (!OidIsValid(relid) || relid == cached_registry_relid)
	{
		reducer_cache_stale = true;
		return;
	}
	for (i = 0; i < n_cached_projections; i++)
		if (cached_projections[i] == relid)
		{
			reducer_cache_stale = true;
			return;
		}
}

void
mt_reducer_cache_init(void)
{
	mt_register_relcache_callback(reducer_relcache_callback, (Datum) 0);
}

static void
reset_reducer_cache(void)
{
	HASHCTL		ctl;

	if (reducer_sets != NULL)
	{
		HASH_SEQ_STATUS status;
		ReducerSet *set;

		hash_seq_init(&status, reducer_sets);
		while ((set = hash_seq_search(&status)) != NULL)
		{
			int			i;

			for (i = 0; i < set->count; i++)
			{
				SPI_freeplan(set->reducers[i].plan);
				if (set->reducers[i].batch_plan)
					SPI_freeplan(set->reducers[i].batch_plan);
			}
		}
		hash_destroy(reducer_sets);
		reducer_sets = NULL;
	}
	if (reducer_cache_context == NULL)
		reducer_cache_context = AllocSetContextCreate(CacheMemoryContext,
													  "multitenant reducer cache",
													  ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(reducer_cache_context);
	cached_projections = NULL;
	n_cached_projections = 0;
	cached_registry_relid = mt_relation_oid("reducers", true);

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = MT_IDENTIFIER_MAXLEN + 1;
	ctl.entrysize = sizeof(ReducerSet);
	ctl.hcxt = reducer_cache_context;
	reducer_sets = hash_create("multitenant reducers by event type", 64, &ctl,
							   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	reducer_cache_stale = false;
}

/* A projection's name, schema-qualified and quoted as needed. */
char *
mt_projection_name(Oid relid)
{
	char	   *relname = get_rel_name(relid);

	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("projection with OID %u does not exist", relid)));
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), relname);
}

/*
 * An expression must be exactly one SQL expression: a fragment that closes
 * its parenthesis and starts another statement is refused here, before it
 * is spliced into the reducer's statement.  (Expressions are code that an
 * administrator writes and that runs with that administrator's rights; this
 * keeps mistakes from turning into surprises, it is not a privilege check.)
 */
static void
check_single_expression(const char *expr, const char *what)
{
	char	   *probe = psprintf("SELECT (\n%s\n)", expr);
	List	   *parsed;

#if PG_VERSION_NUM >= 140000
	parsed = raw_parser(probe, RAW_PARSE_DEFAULT);
#else
	parsed = raw_parser(probe);
#endif
	if (list_length(parsed) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("expression for %s must be a single SQL expression", what)));
}

/*
 * Reads a {"column": "expression"} object, checking that every column exists
 * in the projection and every expression is a non-empty string.
 */
static List *
column_exprs(Jsonb *obj, const char *argname, Oid relid, const char *projection)
{
	List	   *result = NIL;
	JsonbIterator *it;
	JsonbValue	k;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (obj == NULL)
		return NIL;
	if (!JB_ROOT_IS_OBJECT(obj))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object mapping column names of projection %s to SQL expressions",
						argname, projection)));

	it = JsonbIteratorInit(&obj->root);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		ColumnExpr *ce;

		if (tok != WJB_KEY)
			continue;
		ce = palloc(sizeof(ColumnExpr));
		ce->column = pnstrdup(k.val.string.val, k.val.string.len);
		tok = JsonbIteratorNext(&it, &v, true);
		if (v.type != jbvString || v.val.string.len == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("expression for column \"%s\" in %s must be a non-empty JSON string",
							ce->column, argname)));
		ce->expr = pnstrdup(v.val.string.val, v.val.string.len);
		check_single_expression(ce->expr, ce->column);
		if (strcmp(ce->column, "instance_id") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("instance_id cannot be named in %s: it always comes from the event", argname)));
		if (!mt_has_column(relid, ce->column))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of projection %s does not exist", ce->column, projection)));
		result = lappend(result, ce);
	}
	return result;
}

static bool
names_column(List *exprs, const char *column)
{
	ListCell   *lc;

	foreach(lc, exprs)
		if (strcmp(((ColumnExpr *) lfirst(lc))->column, column) == 0)
			return true;
	return false;
}

/* Appends an automatic standard column unless the reducer names it itself. */
static List *
add_standard(List *auto_cols, Oid relid, List *set, List *match,
			 const char *column, const char *expr)
{
	ColumnExpr *ce;

	if (!mt_has_column(relid, column) || names_column(set, column) || names_column(match, column))
		return auto_cols;
	ce = palloc(sizeof(ColumnExpr));
	ce->column = pstrdup(column);
	ce->expr = pstrdup(expr);
	return lappend(auto_cols, ce);
}

/*
 * A tenant table always matches on the event's tenant.  Only the extension's
 * own legacy single-tenant tables (1.0) lack instance_id; see
 * mt_check_projection.
 */
static void
append_match_conditions(StringInfo sql, Oid relid, List *match, const char *condition)
{
	ListCell   *lc;

	appendStringInfoString(sql, " WHERE true");
	if (mt_has_column(relid, "instance_id"))
		appendStringInfoString(sql, " AND t.instance_id OPERATOR(pg_catalog.=) e.instance_id");
	foreach(lc, match)
	{
		ColumnExpr *ce = lfirst(lc);

		appendStringInfo(sql, " AND t.%s OPERATOR(pg_catalog.=) (\n%s\n)", quote_identifier(ce->column), ce->expr);
	}
	if (condition != NULL)
		appendStringInfo(sql, " AND (\n%s\n)", condition);
}

/*
 * Builds the one statement that applies a reducer to the event in $1.
 */
static char *
build_reducer_sql(Oid relid, const char *projection, const char *action,
				  Jsonb *set_json, Jsonb *match_json, const char *condition, bool touch,
				  const char *event_source)
{
	List	   *set = column_exprs(set_json, "set", relid, projection);
	List	   *match = column_exprs(match_json, "match", relid, projection);
	StringInfoData sql;
	ListCell   *lc;

	if (condition != NULL)
		check_single_expression(condition, "when");

	foreach(lc, set)
	{
		ColumnExpr *ce = lfirst(lc);

		if (names_column(match, ce->column))
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_COLUMN),
					 errmsg("column \"%s\" of projection %s appears in both set and match",
							ce->column, projection)));
	}

	initStringInfo(&sql);
	if (strcmp(action, "insert") == 0 || strcmp(action, "upsert") == 0)
	{
		List	   *auto_cols = NIL;
		List	   *all;
		List	   *updates = NIL;
		bool		first = true;

		auto_cols = add_standard(auto_cols, relid, set, match, "instance_id", "e.instance_id");
		auto_cols = add_standard(auto_cols, relid, set, match, "creation_date", "e.created_at");
		auto_cols = add_standard(auto_cols, relid, set, match, "change_date", "e.created_at");
		auto_cols = add_standard(auto_cols, relid, set, match, "sequence", "e.sequence");
		auto_cols = add_standard(auto_cols, relid, set, match, "resource_owner", "e.resource_owner");
		all = list_concat(list_concat(list_copy(auto_cols), match), set);

		appendStringInfo(&sql, "INSERT INTO %s AS t (", projection);
		foreach(lc, all)
		{
			appendStringInfo(&sql, "%s%s", first ? "" : ", ",
							 quote_identifier(((ColumnExpr *) lfirst(lc))->column));
			first = false;
		}
		appendStringInfoString(&sql, ") SELECT ");
		first = true;
		foreach(lc, all)
		{
			appendStringInfo(&sql, "%s(\n%s\n)", first ? "" : ", ", ((ColumnExpr *) lfirst(lc))->expr);
			first = false;
		}
		appendStringInfo(&sql, " FROM %s", event_source);
		if (condition != NULL)
			appendStringInfo(&sql, " WHERE (\n%s\n)", condition);

		if (strcmp(action, "upsert") == 0)
		{
			bool		first_key = true;

			appendStringInfoString(&sql, " ON CONFLICT (");
			if (mt_has_column(relid, "instance_id"))
			{
				appendStringInfoString(&sql, "instance_id");
				first_key = false;
			}
			foreach(lc, match)
			{
				appendStringInfo(&sql, "%s%s", first_key ? "" : ", ",
								 quote_identifier(((ColumnExpr *) lfirst(lc))->column));
				first_key = false;
			}
			appendStringInfoString(&sql, ")");

			updates = list_copy(set);
			foreach(lc, auto_cols)
			{
				ColumnExpr *ce = lfirst(lc);

				if (touch && (strcmp(ce->column, "change_date") == 0 ||
							  strcmp(ce->column, "sequence") == 0))
					updates = lappend(updates, ce);
			}
			if (updates == NIL)
				appendStringInfoString(&sql, " DO NOTHING");
			else
			{
				appendStringInfoString(&sql, " DO UPDATE SET ");
				first = true;
				foreach(lc, updates)
				{
					const char *col = quote_identifier(((ColumnExpr *) lfirst(lc))->column);

					appendStringInfo(&sql, "%s%s = EXCLUDED.%s", first ? "" : ", ", col, col);
					first = false;
				}
			}
		}
	}
	else if (strcmp(action, "update") == 0)
	{
		List	   *assignments = list_copy(set);
		bool		first = true;

		if (touch)
		{
			assignments = add_standard(assignments, relid, set, match, "change_date", "e.created_at");
			assignments = add_standard(assignments, relid, set, match, "sequence", "e.sequence");
		}
		if (assignments == NIL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("update reducer on projection %s sets no column", projection),
					 errhint("Name columns in set, or leave touch on.")));
		appendStringInfo(&sql, "UPDATE %s AS t SET ", projection);
		foreach(lc, assignments)
		{
			ColumnExpr *ce = lfirst(lc);

			appendStringInfo(&sql, "%s%s = (\n%s\n)", first ? "" : ", ", quote_identifier(ce->column), ce->expr);
			first = false;
		}
		appendStringInfo(&sql, " FROM %s", event_source);
		append_match_conditions(&sql, relid, match, condition);
	}
	else if (strcmp(action, "delete") == 0)
	{
		if (set != NIL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("delete reducer on projection %s cannot set columns", projection)));
		appendStringInfo(&sql, "DELETE FROM %s AS t USING %s", projection, event_source);
		append_match_conditions(&sql, relid, match, condition);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid reducer action \"%s\"", action),
				 errhint("The action must be insert, upsert, update or delete.")));

	return sql.data;
}

/*
 * Rethrows the error being handled with the reducer's event type and
 * projection in its message, keeping its SQLSTATE, detail and hint.
 */
static void
rethrow_reducer_error(MemoryContext cxt, const char *what,
					  const char *event_type, const char *projection)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	ereport(ERROR,
			(errcode(edata->sqlerrcode),
			 errmsg("reducer for event type \"%s\" on projection %s %s: %s",
					event_type, projection, what, edata->message),
			 edata->detail ? errdetail_internal("%s", edata->detail) : 0,
			 edata->hint ? errhint("%s", edata->hint) : 0));
}

/*
 * Prepares a reducer's statement as its registrant; errors name the event
 * type and projection.  The plan is not kept.
 */
static SPIPlanPtr
compile_reducer(const char *event_type, Oid relid, const char *action,
				Jsonb *set_json, Jsonb *match_json, const char *condition,
				bool touch, Oid registrant, bool plan_now, bool batch)
{
	char	   *projection = mt_projection_name(relid);
	MemoryContext cxt = CurrentMemoryContext;
	SPIPlanPtr	plan = NULL;
	Oid			argtype = batch ? get_array_type(mt_events_typeid()) : mt_events_typeid();
	int			nest = mt_enter_own_search_path();

	PG_TRY();
	{
		char	   *sql = build_reducer_sql(relid, projection, action, set_json, match_json,
											condition, touch,
											batch ? "pg_catalog.unnest($1) AS e" : "(SELECT ($1).*) AS e");

		MT_AS_ROLE_BEGIN(registrant);
		/*
		 * $1 is a whole row; a custom plan would re-plan every push for
		 * nothing, except under Citus (mt_kept_plan_options).
		 */
		plan = SPI_prepare_cursor(sql, 1, &argtype, mt_kept_plan_options());
		MT_AS_ROLE_END();
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (list_length(SPI_plan_get_plan_sources(plan)) != 1)
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("expressions must not contain more than one statement")));

		/*
		 * Some mistakes surface only when the statement is planned, such as
		 * an upsert whose match columns have no unique index.
		 */
		if (plan_now)
		{
			CachedPlan *cplan;

			MT_AS_ROLE_BEGIN(registrant);
			cplan = SPI_plan_get_cached_plan(plan);
			MT_AS_ROLE_END();
			if (cplan != NULL)
#if PG_VERSION_NUM >= 140000
				ReleaseCachedPlan(cplan, NULL);
#else
				ReleaseCachedPlan(cplan, false);
#endif
		}
	}
	PG_CATCH();
	{
		rethrow_reducer_error(cxt, "does not compile", event_type, projection);
	}
	PG_END_TRY();
	mt_leave_own_search_path(nest);
	return plan;
}

/* Collects the relations a query tree reads (list_append_unique_oid). */
static bool
collect_relations(Node *node, void *context)
{
	List	  **relids = (List **) context;

	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, collect_relations, context, QTW_EXAMINE_RTES_BEFORE);
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_RELATION)
			*relids = list_append_unique_oid(*relids, rte->relid);
		return false;
	}
	return expression_tree_walker(node, collect_relations, context);
}

/*
 * What a reducer's analysed statements read besides the projection they
 * write (and an upsert's EXCLUDED row): appends the relations to *read
 * (list_append_unique_oid, in the caller's memory context) and sets
 * *volatile_calls when a statement calls a volatile function, which may
 * read or write anything.
 */
static void
statement_reads(SPIPlanPtr plan, List **read, bool *volatile_calls)
{
	ListCell   *lc;

	foreach(lc, SPI_plan_get_plan_sources(plan))
	{
		CachedPlanSource *source = lfirst(lc);
		ListCell   *qc;

		foreach(qc, source->query_list)
		{
			Query	   *query = lfirst(qc);
			ListCell   *rc;
			int			rti = 0;

			if (contain_volatile_functions((Node *) query))
				*volatile_calls = true;
			foreach(rc, query->rtable)
			{
				/* the projection written, and an upsert's EXCLUDED row */
				if (++rti == query->resultRelation ||
					(query->onConflict != NULL && rti == query->onConflict->exclRelIndex))
					continue;
				(void) range_table_entry_walker(lfirst(rc), collect_relations, read,
												QTW_EXAMINE_RTES_BEFORE);
			}
			(void) query_tree_walker(query, collect_relations, read, QTW_IGNORE_RANGE_TABLE);
		}
	}
}

/*
 * Whether a reducer's insert depends on nothing but its event: no relation
 * appears anywhere in it except the projection it inserts into, and it calls
 * no volatile function.  Such an insert gives the same rows whether it runs
 * once per event or once over a run of events.
 */
static bool
reads_only_event(SPIPlanPtr plan)
{
	List	   *read = NIL;
	bool		volatile_calls = false;

	statement_reads(plan, &read, &volatile_calls);
	return read == NIL && !volatile_calls;
}

/*
 * The compiled reducers of an event type, loading and compiling them on
 * first use.  SPI must be connected.
 */
static ReducerSet *
get_reducer_set(const char *event_type)
{
	ReducerSet *set;
	bool		found;
	Datum		arg;
	int			rc;
	uint64		i;
	SPITupleTable *rows;
	CompiledReducer *compiled = NULL;
	bool		batch_upserts = false;
	MemoryContext oldcxt;

	if (reducer_sets == NULL || (reducer_cache_stale && reductions_in_progress == 0))
		reset_reducer_cache();

	set = hash_search(reducer_sets, event_type, HASH_FIND, &found);
	if (found)
		return set;

	if (load_reducers_plan == NULL)
	{
		Oid			argtype = TEXTOID;
		SPIPlanPtr	plan;

		plan = SPI_prepare("SELECT r.projection::pg_catalog.oid, r.action, r.set_columns,"
						   " r.match_columns, r.condition, r.touch, r.registered_by::pg_catalog.oid"
						   " FROM multitenant.reducers AS r"
						   " WHERE r.event_type OPERATOR(pg_catalog.=) $1 ORDER BY r.id",
						   1, &argtype);
		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "could not prepare the reducer registry query");
		load_reducers_plan = plan;
	}

	arg = CStringGetTextDatum(event_type);
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = SPI_execute_plan(load_reducers_plan, &arg, NULL, true, 0);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading the reducer registry failed: %s", SPI_result_code_string(rc));
	rows = SPI_tuptable;

	if (SPI_processed > 0)
		compiled = MemoryContextAllocZero(reducer_cache_context,
										  sizeof(CompiledReducer) * SPI_processed);
	for (i = 0; i < rows->numvals; i++)
	{
		HeapTuple	row = rows->vals[i];
		TupleDesc	desc = rows->tupdesc;
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(row, desc, 1, &isnull));
		char	   *action = SPI_getvalue(row, desc, 2);
		Jsonb	   *set_json = DatumGetJsonbP(SPI_getbinval(row, desc, 3, &isnull));
		Jsonb	   *match_json = DatumGetJsonbP(SPI_getbinval(row, desc, 4, &isnull));
		char	   *condition = SPI_getvalue(row, desc, 5);
		bool		touch = DatumGetBool(SPI_getbinval(row, desc, 6, &isnull));
		Oid			registrant = DatumGetObjectId(SPI_getbinval(row, desc, 7, &isnull));
		SPIPlanPtr	plan;

		if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(registrant)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("reducer for event type \"%s\" on projection %s was registered by a role that no longer exists",
							event_type, mt_projection_name(relid)),
					 errhint("Unregister and register the reducer again.")));

		plan = compile_reducer(event_type, relid, action, set_json, match_json,
							   condition, touch, registrant, false, false);
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		compiled[i].projection = relid;
		compiled[i].projection_name = MemoryContextStrdup(reducer_cache_context,
														  mt_projection_name(relid));
		compiled[i].registrant = registrant;
		compiled[i].action = strcmp(action, "upsert") == 0 ? 'p' : action[0];
		compiled[i].plan = plan;
		compiled[i].batch_plan = NULL;
		if (strcmp(action, "upsert") == 0)
			batch_upserts = true;
		if ((strcmp(action, "insert") == 0 || strcmp(action, "upsert") == 0) && reads_only_event(plan))
		{
			SPIPlanPtr	batch_plan = compile_reducer(event_type, relid, action, set_json, match_json,
													 condition, touch, registrant, false, true);

			if (SPI_keepplan(batch_plan) != 0)
				elog(ERROR, "SPI_keepplan failed");
			compiled[i].batch_plan = batch_plan;
		}

		oldcxt = MemoryContextSwitchTo(reducer_cache_context);
		if (cached_projections == NULL)
			cached_projections = palloc(sizeof(Oid) * 16);
		else if ((n_cached_projections & 15) == 0)
			cached_projections = repalloc(cached_projections,
										  sizeof(Oid) * (n_cached_projections + 16));
		cached_projections[n_cached_projections++] = relid;
		MemoryContextSwitchTo(oldcxt);
	}

	set = hash_search(reducer_sets, event_type, HASH_ENTER, &found);
	set->count = (int) rows->numvals;
	set->reducers = compiled;
	set->batchable = (set->count > 0);
	set->batch_upserts = batch_upserts;
	for (i = 0; i < rows->numvals; i++)
		set->batchable = set->batchable && compiled[i].batch_plan != NULL;
	SPI_freetuptable(rows);
	return set;
}

/*
 * Runs a reducer's plan as its registrant on one event or an array of them;
 * errors name the event type and the projection.
 */
static void
execute_reducer(CompiledReducer *reducer, SPIPlanPtr plan, Datum arg,
				const char *event_type, int n_events)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			rc = 0;

	PG_TRY();
	{
		MT_AS_ROLE_BEGIN(reducer->registrant);
		rc = SPI_execute_plan(plan, &arg, NULL, false, 0);
		MT_AS_ROLE_END();
	}
	PG_CATCH();
	{
		reductions_in_progress--;
		rethrow_reducer_error(cxt, n_events > 1 ? "failed on a run of events" : "failed",
							  event_type, reducer->projection_name);
	}
	PG_END_TRY();

	if (rc < 0)
	{
		reductions_in_progress--;
		elog(ERROR, "reducer for event type \"%s\" on projection %s failed: %s",
			 event_type, reducer->projection_name, SPI_result_code_string(rc));
	}
}

static bool
wanted(const CompiledReducer *reducer, const Oid *only_projections, int n_only)
{
	int			j;

	if (only_projections == NULL)
		return true;
	for (j = 0; j < n_only; j++)
		if (only_projections[j] == reducer->projection)
			return true;
	return false;
}

/*
 * What the reducers of an event type (with only_projections, just those
 * writing one of them) do to relations, as their analysed statements say:
 * *written gets every projection they write, *upserted those they upsert
 * into (whose unique indexes are their conflict targets), *changed those
 * they update or delete from, and *read every relation they read: the
 * projection an update or delete matches rows of, and any relation their
 * expressions, conditions or the policies on it name.  *opaque is set when
 * a statement calls a volatile function, which may read or write anything.
 * The lists are allocated in the caller's memory context.  SPI must be
 * connected.
 */
void
mt_reducer_access(const char *event_type, const Oid *only_projections, int n_only,
				  List **written, List **upserted, List **changed, List **read, bool *opaque)
{
	ReducerSet *set = get_reducer_set(event_type);
	int			i;

	for (i = 0; i < set->count; i++)
	{
		CompiledReducer *reducer = &set->reducers[i];

		if (!wanted(reducer, only_projections, n_only))
			continue;
		*written = list_append_unique_oid(*written, reducer->projection);
		if (reducer->action == 'p')
			*upserted = list_append_unique_oid(*upserted, reducer->projection);
		if (reducer->action == 'u' || reducer->action == 'd')
		{
			*changed = list_append_unique_oid(*changed, reducer->projection);
			*read = list_append_unique_oid(*read, reducer->projection);
		}
		statement_reads(reducer->plan, read, opaque);
	}
}

/*
 * Reduces a run of events of one type with one statement per reducer.  An
 * upsert run is equivalent to upserting event by event only while no two
 * events of the run hit the same row; when they do, PostgreSQL refuses the
 * statement (cardinality_violation), and the run is undone in its
 * subtransaction and left to the caller to reduce event by event.  Returns
 * whether the run was reduced.
 */
static bool
reduce_run(ReducerSet *set, Datum *events, int n, const char *event_type,
		   const Oid *only_projections, int n_only)
{
	Datum		run = PointerGetDatum(construct_array(events, n, mt_events_typeid(), -1, false,
													  TYPALIGN_DOUBLE));
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	int			i;

	if (!set->batch_upserts)
	{
		for (i = 0; i < set->count; i++)
			if (wanted(&set->reducers[i], only_projections, n_only))
				execute_reducer(&set->reducers[i], set->reducers[i].batch_plan, run, event_type, n);
		return true;
	}

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		for (i = 0; i < set->count; i++)
			if (wanted(&set->reducers[i], only_projections, n_only))
				execute_reducer(&set->reducers[i], set->reducers[i].batch_plan, run, event_type, n);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (edata->sqlerrcode != ERRCODE_CARDINALITY_VIOLATION)
			ReThrowError(edata);
		FreeErrorData(edata);
		/* execute_reducer counted the failure as the end of this reduction */
		reductions_in_progress++;
		return false;
	}
	PG_END_TRY();
	return true;
}

/*
 * Applies the reducers of each event's type, in registration order, to
 * events in order; with only_projections, just those writing one of the
 * given projections.  A run of consecutive events of one type whose
 * reducers all read nothing but the event is reduced with one statement per
 * reducer.  Everything runs under the extension's own search_path (see
 * mt_enter_own_search_path), entered once for the whole call.  SPI must be
 * connected.
 */
void
mt_reduce_events(Datum *events, char **event_types, int n,
				 const Oid *only_projections, int n_only)
{
	int			start = 0;
	int			nest = mt_enter_own_search_path();

	while (start < n)
	{
		ReducerSet *set = get_reducer_set(event_types[start]);
		int			end = start + 1;
		int			i;
		int			k;

		while (end < n && strcmp(event_types[end], event_types[start]) == 0)
			end++;
		if (set->count == 0)
		{
			start = end;
			continue;
		}

		reductions_in_progress++;
		if (!(set->batchable && end - start > 1 &&
			  reduce_run(set, events + start, end - start, event_types[start], only_projections, n_only)))
		{
			for (k = start; k < end; k++)
				for (i = 0; i < set->count; i++)
					if (wanted(&set->reducers[i], only_projections, n_only))
						execute_reducer(&set->reducers[i], set->reducers[i].plan, events[k],
										event_types[k], 1);
		}
		reductions_in_progress--;
		start = end;
	}
	mt_leave_own_search_path(nest);
}

/*
 * Replays the stored events a query selects, as (event row, event type) in
 * position order, through the reducers of the given projections, fetching
 * them a thousand at a time as the extension's owner.  With prepare,
 * prepare(event_type, prepare_arg) is called before each run of events of
 * one type is reduced.  With stop_type, at_stop(arg) is called before each
 * event of that type is reduced, once every event before it is.  Each batch
 * is reduced in a memory context of its own, reset before the next one, so
 * that a replay of any length holds one batch at a time.  Returns the number
 * of events replayed.  SPI must be connected.
 */
int64
mt_replay_events(const char *query, int nargs, Oid *argtypes, Datum *args, const char *nulls,
				 const Oid *targets, int n_targets,
				 MtReplayPrepare prepare, void *prepare_arg,
				 const char *stop_type, MtReplayStop at_stop, void *arg)
{
	Oid			owner = mt_extension_owner();
	Portal		cursor;
	int64		replayed = 0;
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext batch_cxt;

	MT_AS_ROLE_BEGIN(owner);
	cursor = SPI_cursor_open_with_args(NULL, query, nargs, argtypes, args, nulls, true, 0);
	MT_AS_ROLE_END();
	batch_cxt = AllocSetContextCreate(outer, "multitenant replay batch", ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		SPITupleTable *batch;
		Datum	   *events;
		char	  **event_types;
		int			n;
		int			start = 0;
		int			j;

		MT_AS_ROLE_BEGIN(owner);
		SPI_cursor_fetch(cursor, true, 1000);
		MT_AS_ROLE_END();
		batch = SPI_tuptable;
		if (SPI_processed == 0)
		{
			SPI_freetuptable(batch);
			break;
		}
		MemoryContextSwitchTo(batch_cxt);
		n = (int) batch->numvals;
		events = palloc(sizeof(Datum) * n);
		event_types = palloc(sizeof(char *) * n);
		for (j = 0; j < n; j++)
		{
			bool		isnull;

			events[j] = SPI_getbinval(batch->vals[j], batch->tupdesc, 1, &isnull);
			event_types[j] = SPI_getvalue(batch->vals[j], batch->tupdesc, 2);
		}
		for (j = 0; j < n; j++)
		{
			bool		stop = (stop_type != NULL && strcmp(event_types[j], stop_type) == 0);

			if (prepare != NULL && (j == 0 || strcmp(event_types[j], event_types[j - 1]) != 0))
			{
				/* the events before this run are reduced before it is prepared */
				if (j > start)
					mt_reduce_events(events + start, event_types + start, j - start,
									 targets, n_targets);
				start = j;
				MemoryContextSwitchTo(outer);
				prepare(event_types[j], prepare_arg);
				MemoryContextSwitchTo(batch_cxt);
			}
			if (!stop)
				continue;
			if (j > start)
				mt_reduce_events(events + start, event_types + start, j - start,
								 targets, n_targets);
			MemoryContextSwitchTo(outer);
			at_stop(arg);
			MemoryContextSwitchTo(batch_cxt);
			mt_reduce_events(events + j, event_types + j, 1, targets, n_targets);
			start = j + 1;
		}
		if (start < n)
			mt_reduce_events(events + start, event_types + start, n - start,
							 targets, n_targets);
		replayed += n;
		MemoryContextSwitchTo(outer);
		SPI_freetuptable(batch);
		MemoryContextReset(batch_cxt);
	}
	SPI_cursor_close(cursor);
	MemoryContextDelete(batch_cxt);
	return replayed;
}

/*
 * Registering a reducer, and rebuilding, need the caller to hold the
 * privilege on the projection that the reducer's or the rebuild's statement
 * uses.
 */
void
mt_require_projection_privilege(Oid relid, AclMode mode, const char *privilege)
{
	if (pg_class_aclcheck(relid, GetUserId(), mode) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied: %s privilege on projection %s is required",
						privilege, mt_projection_name(relid))));
}

/*
 * Refuses a relation that cannot be a projection: one that is not a table,
 * or (but for the extension's own legacy tables) one without instance_id.
 */
Oid
mt_check_projection(Oid relid)
{
	char		relkind = get_rel_relkind(relid);

	if (relkind == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("projection with OID %u does not exist", relid)));
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("projection %s is not a table", mt_projection_name(relid))));

	/*
	 * The 1.0 identity projections are single-tenant tables that the 1.1
	 * upgrade adopts; nobody else may create a projection that mixes tenants.
	 */
	if (!mt_has_column(relid, "instance_id") &&
		getExtensionOfObject(RelationRelationId, relid) != get_extension_oid("multitenant", true))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("projection %s has no instance_id column", mt_projection_name(relid)),
				 errhint("Every projection is a tenant table keyed by instance_id; multitenant.adopt_table makes one.")));
	return relid;
}

/* Argument n, a projection that must be given (see mt_check_projection). */
Oid
mt_projection_arg(FunctionCallInfo fcinfo, int n)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("projection must not be null")));
	return mt_check_projection(PG_GETARG_OID(n));
}

Datum
mt_register_reducer(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *event_type;
	char	   *action;
	Jsonb	   *set_json;
	Jsonb	   *match_json;
	char	   *condition;
	bool		touch;
	SPIPlanPtr	plan;
	Datum		values[9];
	char		nulls[9];
	Oid			types[9] = {REGCLASSOID, TEXTOID, TEXTOID, JSONBOID, JSONBOID, TEXTOID,
	BOOLOID, REGROLEOID, BOOLOID};
	int			rc;

	mt_require_admin("register_reducer");
	relid = mt_projection_arg(fcinfo, 0);
	event_type = mt_text_arg(fcinfo, 1);
	mt_check_identifier(event_type, "event_type");
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("action must not be null")));
	action = text_to_cstring(PG_GETARG_TEXT_PP(2));
	set_json = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	match_json = PG_ARGISNULL(4) ? NULL : PG_GETARG_JSONB_P(4);
	condition = mt_text_arg(fcinfo, 5);
	touch = PG_ARGISNULL(6) ? true : PG_GETARG_BOOL(6);

	if (strcmp(action, "insert") == 0)
		mt_require_projection_privilege(relid, ACL_INSERT, "INSERT");
	else if (strcmp(action, "upsert") == 0)
	{
		mt_require_projection_privilege(relid, ACL_INSERT, "INSERT");
		mt_require_projection_privilege(relid, ACL_UPDATE, "UPDATE");
	}
	else if (strcmp(action, "update") == 0)
		mt_require_projection_privilege(relid, ACL_UPDATE, "UPDATE");
	else if (strcmp(action, "delete") == 0)
		mt_require_projection_privilege(relid, ACL_DELETE, "DELETE");

	mt_spi_connect();

	plan = compile_reducer(event_type, relid, action, set_json, match_json, condition,
						   touch, GetUserId(), true, false);
	SPI_freeplan(plan);

	values[0] = ObjectIdGetDatum(relid);
	values[1] = CStringGetTextDatum(event_type);
	values[2] = CStringGetTextDatum(action);
	values[3] = set_json ? JsonbPGetDatum(set_json) : DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
	values[4] = match_json ? JsonbPGetDatum(match_json) : DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
	values[5] = condition ? CStringGetTextDatum(condition) : (Datum) 0;
	values[6] = BoolGetDatum(touch);
	values[7] = ObjectIdGetDatum(GetUserId());
	values[8] = BoolGetDatum(creating_extension);
	memset(nulls, ' ', sizeof(nulls));
	if (condition == NULL)
		nulls[5] = 'n';

	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = SPI_execute_with_args("INSERT INTO multitenant.reducers (projection, event_type, action,"
							   " set_columns, match_columns, condition, touch, registered_by, builtin)"
							   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
							   9, types, values, nulls, false, 0);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "recording the reducer failed: %s", SPI_result_code_string(rc));

	SPI_finish();
	PG_RETURN_VOID();
}

Datum
mt_unregister_reducer(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *event_type;
	Datum		values[2];
	Oid			types[2] = {REGCLASSOID, TEXTOID};
	int			rc;
	uint64		removed;
	bool		builtin_exists;

	mt_require_admin("unregister_reducer");
	relid = mt_projection_arg(fcinfo, 0);
	event_type = mt_text_arg(fcinfo, 1);
	mt_check_identifier(event_type, "event_type");

	values[0] = ObjectIdGetDatum(relid);
	values[1] = CStringGetTextDatum(event_type);

	mt_spi_connect();
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = SPI_execute_with_args("DELETE FROM multitenant.reducers AS r"
							   " WHERE r.projection OPERATOR(pg_catalog.=) $1"
							   " AND r.event_type OPERATOR(pg_catalog.=) $2 AND NOT r.builtin",
							   2, types, values, NULL, false, 0);
	removed = SPI_processed;
	if (rc == SPI_OK_DELETE && removed == 0)
	{
		rc = SPI_execute_with_args("SELECT FROM multitenant.reducers AS r"
								   " WHERE r.projection OPERATOR(pg_catalog.=) $1"
								   " AND r.event_type OPERATOR(pg_catalog.=) $2",
								   2, types, values, NULL, true, 1);
		builtin_exists = (SPI_processed > 0);
	}
	else
		builtin_exists = false;
	MT_AS_ROLE_END();
	if (rc < 0)
		elog(ERROR, "updating the reducer registry failed: %s", SPI_result_code_string(rc));
	SPI_finish();

	if (removed == 0 && builtin_exists)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the reducers for event type \"%s\" on projection %s are built in and cannot be unregistered",
						event_type, mt_projection_name(relid))));
	if (removed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("no reducer for event type \"%s\" on projection %s",
						event_type, mt_projection_name(relid))));
	PG_RETURN_INT32((int32) removed);
}

/*
 * Statement trigger on the registry: every backend drops its compiled
 * reducers when the transaction that changed the registry commits (and this
 * backend at once, for the rest of its own transaction).
 */
Datum
mt_reducers_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "reducers_changed must be called as a trigger");
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	return PointerGetDatum(NULL);
}
