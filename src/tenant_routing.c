/*-------------------------------------------------------------------------
 *
 * tenant_routing.c
 *	  Under Citus, a statement that only row-level security confines to the
 *	  current tenant names the tenant, so that Citus sends it to the one
 *	  shard that holds the tenant's rows instead of to every shard.
 *
 * Citus routes a statement by the values its WHERE clause gives the
 * distribution column; the policies' instance_id = current_tenant() is no
 * such value.  For a role the policies confine to the current tenant, the
 * planner hook adds instance_id = '<tenant>' to each tenant table the
 * statement reads where a WHERE condition may stand: every row that passes
 * the policies passes it too, so no result changes, and Citus sees the
 * tenant.
 *
 * The condition holds only for a table whose policies are all the
 * extension's (distribute() refuses any other on a distributed table: on the
 * shards Citus makes every policy permissive), read by a role that is
 * neither a superuser nor a member of multitenant_admin (whose policy shows
 * every tenant), with a tenant entered.  A plan that names a tenant is
 * planned again once another tenant is entered (tenant_context.c).
 *
 * Nothing of this runs on a server without Citus.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/planner.h"
#include "parser/parsetree.h"
#include "rewrite/rowsecurity.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"

#include "catalog.h"
#include "tenant_context.h"
#include "tenant_routing.h"

static planner_hook_type prev_planner = NULL;

typedef struct RoutingContext
{
	const char *tenant;
	bool		named;			/* a condition was added */
} RoutingContext;

/*
 * The attribute number of a tenant table's instance_id (text) when every
 * policy of the table is the extension's, else InvalidAttrNumber; *collation
 * is the column's.
 */
static AttrNumber
tenant_column(Oid relid, Oid *collation)
{
	Relation	rel = table_open(relid, NoLock);
	TupleDesc	desc = RelationGetDescr(rel);
	AttrNumber	attno = InvalidAttrNumber;
	bool		has_tenant_policy = false;
	ListCell   *lc;
	int			i;

	if (rel->rd_rsdesc != NULL)
	{
		foreach(lc, rel->rd_rsdesc->policies)
		{
			const char *name = ((RowSecurityPolicy *) lfirst(lc))->policy_name;

			if (!mt_extension_policy(name))
			{
				table_close(rel, NoLock);
				return InvalidAttrNumber;
			}
			if (strcmp(name, "tenant_isolation") == 0)
				has_tenant_policy = true;
		}
	}
	if (has_tenant_policy)
		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped && att->atttypid == TEXTOID &&
				strcmp(NameStr(att->attname), "instance_id") == 0)
			{
				attno = att->attnum;
				*collation = att->attcollation;
				break;
			}
		}
	table_close(rel, NoLock);
	return attno;
}

/*
 * The range table indexes of a join tree's relations whose rows a WHERE
 * condition may filter without changing the result: not on the nullable
 * side of an outer join.
 */
static List *
filterable_relations(Node *node, List *found)
{
	if (node == NULL)
		return found;
	if (IsA(node, RangeTblRef))
		return lappend_int(found, ((RangeTblRef *) node)->rtindex);
	if (IsA(node, FromExpr))
	{
		ListCell   *lc;

		foreach(lc, ((FromExpr *) node)->fromlist)
			found = filterable_relations(lfirst(lc), found);
		return found;
	}
	if (IsA(node, JoinExpr))
	{
		JoinExpr   *join = (JoinExpr *) node;

		switch (join->jointype)
		{
			case JOIN_INNER:
				found = filterable_relations(join->larg, found);
				return filterable_relations(join->rarg, found);
			case JOIN_LEFT:
				return filterable_relations(join->larg, found);
			case JOIN_RIGHT:
				return filterable_relations(join->rarg, found);
			default:
				return found;
		}
	}
	return found;
}

static void
name_tenant_in_query(Query *query, RoutingContext *context)
{
	List	   *relations;
	ListCell   *lc;

	if (query->jointree == NULL)
		return;
	relations = filterable_relations((Node *) query->jointree, NIL);
	foreach(lc, relations)
	{
		int			rtindex = lfirst_int(lc);
		RangeTblEntry *rte = rt_fetch(rtindex, query->rtable);
		AttrNumber	attno;
		Oid			collation = InvalidOid;
		Expr	   *condition;

		/* securityQuals: the policies confine this role on this table. */
		if (rte->rtekind != RTE_RELATION || rte->securityQuals == NIL)
			continue;
		attno = tenant_column(rte->relid, &collation);
		if (attno == InvalidAttrNumber)
			continue;
		condition = make_opclause(TextEqualOperator, BOOLOID, false,
								  (Expr *) makeVar(rtindex, attno, TEXTOID, -1, collation, 0),
								  (Expr *) makeConst(TEXTOID, -1, collation, -1,
													 CStringGetTextDatum(context->tenant), false, false),
								  InvalidOid, collation);
		((OpExpr *) condition)->opfuncid = F_TEXTEQ;
		query->jointree->quals = make_and_qual(query->jointree->quals, (Node *) condition);
		context->named = true;
	}
}

static bool
name_tenant_walker(Node *node, RoutingContext *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *query = (Query *) node;

		/* MERGE's join tree is not a plain filter of its target. */
		if (query->commandType != CMD_MERGE)
			name_tenant_in_query(query, context);
		return query_tree_walker(query, name_tenant_walker, context, 0);
	}
	return expression_tree_walker(node, name_tenant_walker, context);
}

static PlannedStmt *
tenant_routing_planner(Query *parse, const char *query_string, int cursor_options,
					   ParamListInfo bound_params)
{
	if (parse->hasRowSecurity && mt_citus_installed() && !mt_caller_is_admin())
	{
		RoutingContext context = {mt_current_tenant_or_null(), false};

		if (context.tenant != NULL)
		{
			(void) name_tenant_walker((Node *) parse, &context);
			if (context.named)
				mt_note_plan_names_tenant();
		}
	}
	if (prev_planner)
		return prev_planner(parse, query_string, cursor_options, bound_params);
	return standard_planner(parse, query_string, cursor_options, bound_params);
}

void
mt_tenant_routing_init(void)
{
	prev_planner = planner_hook;
	planner_hook = tenant_routing_planner;
}
