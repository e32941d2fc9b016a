/*-------------------------------------------------------------------------
 *
 * lookups.c
 *	  Tenant-scoped lookups: instance_by_domain, user_by_id,
 *	  user_by_login_name, org_by_domain, has_role.
 *
 * Each lookup is one statement prepared once per backend and kept.  An
 * optional signed tenant token first enters its tenant for the rest of the
 * transaction, which lets an application behind a transaction-mode pooler
 * enter and look up in one round trip.
 *
 * A lookup answers only a caller that may SELECT every table it reads.  The
 * statements then run as the extension's owner with the current tenant as an
 * explicit instance_id condition: that is the very tenant the extension's
 * policies compare with, so evaluating them on top would only cost time
 * (about a tenth of a lookup).  Where a table has policies of its own (one a
 * user added), the lookup runs as the caller instead, under every policy.
 * instance_by_domain and authenticate_pat read across tenants by design and
 * always run as the owner, so added policies do not narrow them.
 * Names and domains are compared lower-cased, against the *_lower columns
 * that the projections keep, so that plain btree indexes serve the lookups.
 *
 * user_by_login_name, the lookup a sign-in makes, does not run its
 * statements where it may probe the indexes they would use directly
 * (index_probe.c): it then reads the same rows, under the same snapshot, in
 * the same order, and refuses the same way, without the executor's start
 * and shutdown that cost most of a lookup.
 * The login-name policies it reads come from this backend's copies of them
 * where those are exactly what the probe would read (row_cache.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heaptoast.h"
#include "access/table.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "rewrite/rowsecurity.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/formatting.h"
#include "utils/inval.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "catalog.h"
#include "index_probe.h"
#include "lookups.h"
#include "multitenant.h"
#include "row_cache.h"
#include "tenant_context.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_instance_by_domain);
PG_FUNCTION_INFO_V1(mt_user_by_id);
PG_FUNCTION_INFO_V1(mt_user_by_login_name);
PG_FUNCTION_INFO_V1(mt_org_by_domain);
PG_FUNCTION_INFO_V1(mt_has_role);

/* Longest login name or domain a lookup accepts, in bytes. */
#define MT_LOOKUP_MAXLEN 1024

/*
 * The tables lookups read, resolved once and until a relcache invalidation
 * (a policy or privilege change, DROP EXTENSION) forgets them.
 */
typedef struct LookupTable
{
	const char *name;
	Oid			relid;			/* InvalidOid: to resolve */
	bool		added_policies; /* policies besides the extension's own */
} LookupTable;

static LookupTable lookup_tables[MT_N_LOOKUP_TABLES] = {
	[MT_T_USERS] = {"users_projection"},
	[MT_T_INSTANCE_DOMAINS] = {"instance_domains_projection"},
	[MT_T_ORGS] = {"orgs_projection"},
	[MT_T_ORG_DOMAINS] = {"org_domains_projection"},
	[MT_T_LOGIN_POLICIES] = {"login_names_projection_policies"},
	[MT_T_LOGIN_DOMAINS] = {"login_names_projection_domains"},
	[MT_T_USER_GRANTS] = {"user_grants_projection"},
	[MT_T_PROJECTS] = {"projects_projection"},
	[MT_T_PROJECT_GRANTS] = {"project_grants_projection"},
	[MT_T_PROJECT_MEMBERS] = {"project_members_projection"},
	[MT_T_ORG_MEMBERS] = {"org_members_projection"},
	[MT_T_INSTANCE_MEMBERS] = {"instance_members_projection"},
	[MT_T_PATS] = {"personal_access_tokens_projection"},
	[MT_T_MEMBERSHIPS] = {"memberships"},
	[MT_T_PRINCIPALS] = {"principals"},
	[MT_T_PRINCIPAL_CUSTOM_ROLES] = {"principal_custom_roles"},
	[MT_T_TENANT_REALMS] = {"tenant_realms"},
	[MT_T_LOGIN_FAILURES] = {"login_failures_projection"},
	[MT_T_LOCKOUT_POLICIES] = {"lockout_policies_projection"},
};

static void
lookup_relcache_callback(Datum arg, Oid relid)
{
	int			i;

	for (i = 0; i < MT_N_LOOKUP_TABLES; i++)
		if (!OidIsValid(relid) || lookup_tables[i].relid == relid)
			lookup_tables[i].relid = InvalidOid;
}

void
mt_lookups_init(void)
{
	mt_register_relcache_callback(lookup_relcache_callback, (Datum) 0);
}

static void
resolve_lookup_table(LookupTable *table)
{
	Oid			relid = mt_relation_oid(table->name, false);
	Relation	rel;
	ListCell   *lc;
	bool		added = false;

	rel = table_open(relid, AccessShareLock);
	if (rel->rd_rsdesc != NULL)
		foreach(lc, rel->rd_rsdesc->policies)
			if (!mt_extension_policy(((RowSecurityPolicy *) lfirst(lc))->policy_name))
				added = true;
	table_close(rel, AccessShareLock);
	table->added_policies = added;
	table->relid = relid;
}

/*
 * Refuses a caller without SELECT on one of the tables a lookup reads, and
 * tells whether the lookup must run as the caller because one of them has
 * policies the extension did not make.
 */
bool
mt_lookup_access(const char *function_name, const MtLookupTable *tables, int n)
{
	bool		as_caller = false;
	int			i;

	for (i = 0; i < n; i++)
	{
		LookupTable *table = &lookup_tables[tables[i]];

		if (!OidIsValid(table->relid))
			resolve_lookup_table(table);
		if (pg_class_aclcheck(table->relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for table multitenant.%s", table->name),
					 errdetail("multitenant.%s reads it, and answers only roles that may.", function_name)));
		as_caller = as_caller || table->added_policies;
	}
	return as_caller;
}

static SPIPlanPtr instance_by_domain_plan = NULL;
static SPIPlanPtr user_by_id_plan = NULL;
static SPIPlanPtr login_by_name_plan = NULL;
static SPIPlanPtr login_by_name_or_domain_plan = NULL;
static SPIPlanPtr org_by_domain_plan = NULL;
static SPIPlanPtr has_role_plan = NULL;
static SPIPlanPtr user_state_plan = NULL;

/*
 * The effective "login must be an org domain" rule of a user u, as the
 * login_names_projection view computes it: the org's own policy, else the
 * instance default (owned by the instance), else no.  Each is one probe of
 * the policies' key, whatever the number of orgs.
 */
#define MUST_BE_DOMAIN_SQL \
	"COALESCE((SELECT p.must_be_domain FROM multitenant.login_names_projection_policies AS p" \
	"           WHERE p.instance_id OPERATOR(pg_catalog.=) $1" \
	"             AND p.resource_owner OPERATOR(pg_catalog.=) u.resource_owner AND NOT p.is_default)," \
	"         (SELECT p.must_be_domain FROM multitenant.login_names_projection_policies AS p" \
	"           WHERE p.instance_id OPERATOR(pg_catalog.=) $1" \
	"             AND p.resource_owner OPERATOR(pg_catalog.=) $1 AND p.is_default)," \
	"         false)"

/* Users whose user name alone is their login name. */
#define LOGIN_BY_NAME_SQL \
	"SELECT u FROM multitenant.users_projection AS u" \
	" WHERE u.instance_id OPERATOR(pg_catalog.=) $1" \
	"   AND u.username_lower OPERATOR(pg_catalog.=) $2" \
	"   AND NOT " MUST_BE_DOMAIN_SQL

/* lower() with the database's default collation, as the *_lower columns. */
static char *
lower_cstring(const char *value)
{
	return str_tolower(value, strlen(value), DEFAULT_COLLATION_OID);
}

/*
 * Runs a kept plan of a lookup as mt_lookup_access decided: as the caller,
 * or as the extension's owner, the tenant being a parameter of every such
 * plan.  Reading as the owner also keeps one role on a tenant's placements
 * under Citus, which refuses a read as the caller of rows a push in the same
 * transaction wrote as the owner.  read_only: false after a write in the
 * same call, which the read must see.
 */
int
mt_execute_lookup(SPIPlanPtr plan, Datum *values, const char *nulls, bool as_caller,
				  bool read_only, long count)
{
	int			rc;

	if (as_caller)
		return mt_execute_kept(plan, values, nulls, read_only, count);
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = mt_execute_kept(plan, values, nulls, read_only, count);
	MT_AS_ROLE_END();
	return rc;
}

/*
 * Runs a kept lookup plan, whose one column is the whole row, and returns
 * its rows into the set-returning call.  Whole rows keep the table's row type
 * as declared, dropped columns included.  An answer that is not unique is
 * refused: a lookup that silently picked one of two users could sign in the
 * wrong one.
 */
static void
return_unique_rows(FunctionCallInfo fcinfo, SPIPlanPtr plan, Datum *values, bool as_caller,
				   const char *what, const char *key)
{
	TupleDesc	desc;
	Tuplestorestate *store = mt_begin_materialized_srf(fcinfo, &desc);
	int			rc;

	rc = mt_execute_lookup(plan, values, NULL, as_caller, true, 2);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "%s lookup failed: %s", what, SPI_result_code_string(rc));
	if (SPI_processed > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("%s \"%s\" matches more than one row in the current tenant", what, key)));
	if (SPI_processed == 1)
	{
		bool		isnull;
		Datum		row = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		HeapTupleHeader header = DatumGetHeapTupleHeader(row);
		HeapTupleData tuple;

		tuple.t_len = HeapTupleHeaderGetDatumLength(header);
		ItemPointerSetInvalid(&tuple.t_self);
		tuple.t_tableOid = InvalidOid;
		tuple.t_data = header;
		tuplestore_puttuple(store, &tuple);
	}
}

/*
 * instance_by_domain(domain): the tenant that owns a domain, or NULL.  It is
 * what a server asks before it knows the tenant, so it reads across tenants,
 * as the extension owner, and answers with nothing but the instance id.
 */
Datum
mt_instance_by_domain(PG_FUNCTION_ARGS)
{
	char	   *domain = mt_required_text_arg(fcinfo, 0, "domain", MT_LOOKUP_MAXLEN);
	static const MtLookupTable tables[] = {MT_T_INSTANCE_DOMAINS};
	Datum		values[1];
	Datum		result = (Datum) 0;
	bool		found = false;
	int			rc;

	(void) mt_lookup_access("instance_by_domain", tables, lengthof(tables));
	values[0] = CStringGetTextDatum(lower_cstring(domain));
	mt_spi_connect();
	if (instance_by_domain_plan == NULL)
	{
		Oid			types[1] = {TEXTOID};

		instance_by_domain_plan = mt_prepare_kept(
			"SELECT d.instance_id FROM multitenant.instance_domains_projection AS d"
			" WHERE d.domain_lower OPERATOR(pg_catalog.=) $1", 1, types);
	}
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = mt_execute_kept(instance_by_domain_plan, values, NULL, true, 1);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "instance_by_domain lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 1)
	{
		bool		isnull;

		result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (!isnull)
		{
			result = SPI_datumTransfer(result, false, -1);
			found = true;
		}
	}
	SPI_finish();
	if (!found)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

/* user_by_id(user_id, tenant_token): the user of the current tenant, or no row. */
Datum
mt_user_by_id(PG_FUNCTION_ARGS)
{
	char	   *user_id = mt_required_text_arg(fcinfo, 0, "user_id", MT_IDENTIFIER_MAXLEN);
	char	   *tenant = mt_lookup_tenant(mt_text_arg(fcinfo, 1), "user_by_id");
	static const MtLookupTable tables[] = {MT_T_USERS};
	bool		as_caller = mt_lookup_access("user_by_id", tables, lengthof(tables));
	Datum		values[2];

	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(user_id);
	mt_spi_connect();
	if (user_by_id_plan == NULL)
	{
		Oid			types[2] = {TEXTOID, TEXTOID};

		user_by_id_plan = mt_prepare_kept(
			"SELECT u FROM multitenant.users_projection AS u"
			" WHERE u.instance_id OPERATOR(pg_catalog.=) $1 AND u.id OPERATOR(pg_catalog.=) $2",
			2, types);
	}
	return_unique_rows(fcinfo, user_by_id_plan, values, as_caller, "user id", user_id);
	SPI_finish();
	return (Datum) 0;
}

/* The probes user_by_login_name makes instead of its statements. */
static MtIndexProbe users_by_name_probe = {
	.table = "users_projection",
	.nkeys = 2,
	.keys = {{"instance_id", TEXTOID}, {"username_lower", TEXTOID}},
	.ncolumns = 1,
	.columns = {{"resource_owner", TEXTOID}},
};
static MtIndexProbe login_policy_probe = {
	.table = "login_names_projection_policies",
	.nkeys = 2,
	.keys = {{"instance_id", TEXTOID}, {"resource_owner", TEXTOID}},
	.ncolumns = 2,
	.columns = {{"must_be_domain", BOOLOID}, {"is_default", BOOLOID}},
};
static MtIndexProbe login_domain_probe = {
	.table = "login_names_projection_domains",
	.nkeys = 2,
	.keys = {{"instance_id", TEXTOID}, {"name_lower", TEXTOID}},
	.ncolumns = 1,
	.columns = {{"resource_owner", TEXTOID}},
};
static MtIndexProbe *const login_probes[] = {&users_by_name_probe, &login_policy_probe, &login_domain_probe};

/* The policies' rows, kept per backend where that is exact (row_cache.c). */
static MtRowCache login_policy_cache = {
	.name = "multitenant login-name policies",
	.probe = &login_policy_probe,
};

/*
 * One of MUST_BE_DOMAIN_SQL's scalar subqueries: the must_be_domain of the
 * policy (tenant, owner) if its is_default is as wanted, else NULL (false
 * and *found false).  More than one such row is the executor's error.
 */
static bool
policy_must_be_domain(MtProbeScan *policies, Snapshot snapshot, Datum tenant, Datum owner,
					  bool is_default, bool *found)
{
	MtCachedRows rows;
	bool		result = false;
	int			matching = 0;
	int			i;

	*found = false;
	if (!mt_row_cache_read(&login_policy_cache, policies, snapshot, tenant, owner, &rows))
	{
		/* More rows than a copy holds: read them all. */
		Datum		keys[2] = {tenant, owner};
		TupleTableSlot *slot;

		for (slot = mt_probe_first(policies, snapshot, keys); slot != NULL; slot = mt_probe_next(policies))
		{
			bool		isnull;
			bool		row_default = DatumGetBool(mt_probe_get(policies, 1, &isnull));
			Datum		value;

			if (isnull || row_default != is_default)
				continue;
			if (++matching > 1)
				ereport(ERROR,
						(errcode(ERRCODE_CARDINALITY_VIOLATION),
						 errmsg("more than one row returned by a subquery used as an expression")));
			value = mt_probe_get(policies, 0, &isnull);
			*found = !isnull;
			result = !isnull && DatumGetBool(value);
		}
		return result;
	}
	for (i = 0; i < rows.nrows; i++)
	{
		if (rows.isnull[i][1] || DatumGetBool(rows.values[i][1]) != is_default)
			continue;
		if (++matching > 1)
			ereport(ERROR,
					(errcode(ERRCODE_CARDINALITY_VIOLATION),
					 errmsg("more than one row returned by a subquery used as an expression")));
		*found = !rows.isnull[i][0];
		result = !rows.isnull[i][0] && DatumGetBool(rows.values[i][0]);
	}
	return result;
}

/* MUST_BE_DOMAIN_SQL for a user of the tenant whose resource owner is owner. */
static bool
probe_must_be_domain(MtProbeScan *policies, Snapshot snapshot, Datum tenant, Datum owner)
{
	bool		found;
	bool		result = policy_must_be_domain(policies, snapshot, tenant, owner, false, &found);

	if (!found)
		result = policy_must_be_domain(policies, snapshot, tenant, tenant, true, &found);
	return found && result;
}

/*
 * The user a login name names, as login_by_name_plan (at NULL) or
 * login_by_name_or_domain_plan would find it: the user-name-only branch,
 * then the domain branch, at most two rows, each user's row as its whole-row
 * value (toasted values flattened).
 */
static void
probe_login_name(FunctionCallInfo fcinfo, const char *tenant, const char *lowered, const char *at,
				 const char *login_name)
{
	TupleDesc	desc;
	Tuplestorestate *store = mt_begin_materialized_srf(fcinfo, &desc);
	MemoryContext caller_context = MemoryContextSwitchTo(mt_probe_begin_call());
	Snapshot	snapshot = GetActiveSnapshot();
	MtProbeScan users;
	MtProbeScan policies;
	MtProbeScan domains;
	HeapTuple	found[2];
	int			nfound = 0;
	int			branch;
	Datum		tenant_datum = CStringGetTextDatum(tenant);

	mt_probe_open(&users, &users_by_name_probe);
	policies.probe = NULL;		/* opened when it is first probed */
	if (at != NULL)
		mt_probe_open(&domains, &login_domain_probe);
	for (branch = 0; branch < (at != NULL ? 2 : 1) && nfound < 2; branch++)
	{
		Datum		keys[2];
		Datum		domain = (Datum) 0;
		TupleTableSlot *slot;

		keys[0] = tenant_datum;
		if (branch == 0)
			keys[1] = CStringGetTextDatum(lowered);
		else
		{
			keys[1] = PointerGetDatum(cstring_to_text_with_len(lowered, at - lowered));
			domain = CStringGetTextDatum(at + 1);
		}
		for (slot = mt_probe_first(&users, snapshot, keys); slot != NULL && nfound < 2;
			 slot = mt_probe_next(&users))
		{
			bool		isnull;
			Datum		owner = datumCopy(mt_probe_get(&users, 0, &isnull), false, -1);
			int			copies = 1;
			HeapTuple	tuple;

			if (isnull)
				continue;
			if (branch == 1)
			{
				/* One row per domain of the user's organisation by that name. */
				Datum		domain_keys[2] = {tenant_datum, domain};
				TupleTableSlot *d;

				copies = 0;
				for (d = mt_probe_first(&domains, snapshot, domain_keys); d != NULL; d = mt_probe_next(&domains))
				{
					Datum		domain_owner = mt_probe_get(&domains, 0, &isnull);

					if (!isnull && mt_text_equals(domain_owner, owner))
						copies++;
				}
				if (copies == 0)
					continue;
			}
			if (probe_must_be_domain(&policies, snapshot, tenant_datum, owner) != (branch == 1))
				continue;
			slot_getallattrs(slot);
			tuple = toast_build_flattened_tuple(slot->tts_tupleDescriptor, slot->tts_values, slot->tts_isnull);
			while (copies-- > 0 && nfound < 2)
				found[nfound++] = tuple;
		}
	}
	if (at != NULL)
		mt_probe_close(&domains);
	if (policies.probe != NULL)
		mt_probe_close(&policies);
	mt_probe_close(&users);
	MemoryContextSwitchTo(caller_context);

	if (nfound > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("%s \"%s\" matches more than one row in the current tenant", "login name", login_name)));
	if (nfound == 1)
		tuplestore_puttuple(store, found[0]);
}

/*
 * user_by_login_name(login_name, tenant_token): the user whose login name it
 * is, by the rules of the login_names_projection view: the user name alone
 * where the user's effective domain policy does not require the org domain,
 * else "user name@verified org domain".  The user name may itself contain
 * '@', so the domain is what follows the last one.
 */
Datum
mt_user_by_login_name(PG_FUNCTION_ARGS)
{
	char	   *login_name = mt_required_text_arg(fcinfo, 0, "login_name", MT_LOOKUP_MAXLEN);
	char	   *tenant = mt_lookup_tenant(mt_text_arg(fcinfo, 1), "user_by_login_name");
	static const MtLookupTable tables[] = {MT_T_USERS, MT_T_LOGIN_POLICIES, MT_T_LOGIN_DOMAINS};
	bool		as_caller = mt_lookup_access("user_by_login_name", tables, lengthof(tables));
	char	   *lowered = lower_cstring(login_name);
	char	   *at = strrchr(lowered, '@');
	Datum		values[4];

	if (at == lowered || (at != NULL && at[1] == '\0'))
		at = NULL;
	if (!as_caller && mt_probes_usable(login_probes, lengthof(login_probes), mt_extension_owner()))
	{
		probe_login_name(fcinfo, tenant, lowered, at, login_name);
		return (Datum) 0;
	}
	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(lowered);
	mt_spi_connect();
	if (at == NULL)
	{
		/* No domain part: only the user name form can match. */
		if (login_by_name_plan == NULL)
		{
			Oid			types[2] = {TEXTOID, TEXTOID};

			login_by_name_plan = mt_prepare_kept(LOGIN_BY_NAME_SQL, 2, types);
		}
		return_unique_rows(fcinfo, login_by_name_plan, values, as_caller, "login name", login_name);
	}
	else
	{
		if (login_by_name_or_domain_plan == NULL)
		{
			Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};

			login_by_name_or_domain_plan = mt_prepare_kept(
				LOGIN_BY_NAME_SQL
				" UNION ALL "
				"SELECT u FROM multitenant.users_projection AS u"
				"  JOIN multitenant.login_names_projection_domains AS d"
				"    ON d.instance_id OPERATOR(pg_catalog.=) u.instance_id"
				"   AND d.resource_owner OPERATOR(pg_catalog.=) u.resource_owner"
				" WHERE u.instance_id OPERATOR(pg_catalog.=) $1"
				"   AND u.username_lower OPERATOR(pg_catalog.=) $3"
				"   AND d.name_lower OPERATOR(pg_catalog.=) $4"
				"   AND " MUST_BE_DOMAIN_SQL,
				4, types);
		}
		values[2] = PointerGetDatum(cstring_to_text_with_len(lowered, at - lowered));
		values[3] = CStringGetTextDatum(at + 1);
		return_unique_rows(fcinfo, login_by_name_or_domain_plan, values, as_caller, "login name", login_name);
	}
	SPI_finish();
	return (Datum) 0;
}

/*
 * org_by_domain(domain, tenant_token): the organisation of the current tenant
 * that verified the domain, or no row.
 */
Datum
mt_org_by_domain(PG_FUNCTION_ARGS)
{
	char	   *domain = mt_required_text_arg(fcinfo, 0, "domain", MT_LOOKUP_MAXLEN);
	char	   *tenant = mt_lookup_tenant(mt_text_arg(fcinfo, 1), "org_by_domain");
	static const MtLookupTable tables[] = {MT_T_ORGS, MT_T_ORG_DOMAINS};
	bool		as_caller = mt_lookup_access("org_by_domain", tables, lengthof(tables));
	Datum		values[2];

	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(lower_cstring(domain));
	mt_spi_connect();
	if (org_by_domain_plan == NULL)
	{
		Oid			types[2] = {TEXTOID, TEXTOID};

		org_by_domain_plan = mt_prepare_kept(
			"SELECT o FROM multitenant.orgs_projection AS o"
			" WHERE o.instance_id OPERATOR(pg_catalog.=) $1"
			"   AND o.id OPERATOR(pg_catalog.=) ANY ("
			"       SELECT d.org_id FROM multitenant.org_domains_projection AS d"
			"        WHERE d.instance_id OPERATOR(pg_catalog.=) $1"
			"          AND d.domain_lower OPERATOR(pg_catalog.=) $2 AND d.is_verified)",
			2, types);
	}
	return_unique_rows(fcinfo, org_by_domain_plan, values, as_caller, "domain", domain);
	SPI_finish();
	return (Datum) 0;
}

/*
 * has_role(user_id, role_key, project_id, tenant_token): whether a usable
 * user (active or initial) of the current tenant holds the role, through an
 * active user grant on an active project (and, for a granted project, an
 * active project grant) or through a member role.  With a project, only
 * grants on it and memberships of it count; without one, any grant and any
 * org, project or instance membership, and the tenant memberships: an
 * active membership of an active principal with the role or a higher one
 * (owner > admin > member > viewer), or a custom role granted to it.
 */
Datum
mt_has_role(PG_FUNCTION_ARGS)
{
	char	   *user_id = mt_required_text_arg(fcinfo, 0, "user_id", MT_IDENTIFIER_MAXLEN);
	char	   *role_key = mt_required_text_arg(fcinfo, 1, "role_key", MT_IDENTIFIER_MAXLEN);
	char	   *project_id = mt_text_arg(fcinfo, 2);
	static const MtLookupTable tables[] = {MT_T_USERS, MT_T_USER_GRANTS, MT_T_PROJECTS, MT_T_PROJECT_GRANTS,
		MT_T_PROJECT_MEMBERS, MT_T_ORG_MEMBERS, MT_T_INSTANCE_MEMBERS, MT_T_MEMBERSHIPS, MT_T_PRINCIPALS,
	MT_T_PRINCIPAL_CUSTOM_ROLES};
	bool		as_caller;
	char	   *tenant;
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	bool		result = false;
	int			rc;

	if (project_id != NULL)
		mt_check_identifier(project_id, "project_id");
	tenant = mt_lookup_tenant(mt_text_arg(fcinfo, 3), "has_role");
	as_caller = mt_lookup_access("has_role", tables, lengthof(tables));

	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(user_id);
	values[2] = CStringGetTextDatum(role_key);
	if (project_id != NULL)
		values[3] = CStringGetTextDatum(project_id);
	else
	{
		values[3] = (Datum) 0;
		nulls[3] = 'n';
	}

	mt_spi_connect();
	if (has_role_plan == NULL)
	{
		Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};

		has_role_plan = mt_prepare_kept(
			"SELECT EXISTS ("
			"  SELECT FROM multitenant.users_projection AS u"
			"   WHERE u.instance_id OPERATOR(pg_catalog.=) $1 AND u.id OPERATOR(pg_catalog.=) $2"
			"     AND u.state OPERATOR(pg_catalog.=) ANY ('{1,6}'::pg_catalog.int2[])"
			"     AND (EXISTS ("
			"            SELECT FROM multitenant.user_grants_projection AS g"
			"             WHERE g.instance_id OPERATOR(pg_catalog.=) $1 AND g.user_id OPERATOR(pg_catalog.=) $2"
			"               AND g.state OPERATOR(pg_catalog.=) 1"
			"               AND ($4 IS NULL OR g.project_id OPERATOR(pg_catalog.=) $4)"
			"               AND $3 OPERATOR(pg_catalog.=) ANY (g.roles)"
			"               AND NOT EXISTS (SELECT FROM multitenant.projects_projection AS p"
			"                                WHERE p.instance_id OPERATOR(pg_catalog.=) $1"
			"                                  AND p.id OPERATOR(pg_catalog.=) g.project_id"
			"                                  AND p.state OPERATOR(pg_catalog.<>) 1)"
			"               AND NOT EXISTS (SELECT FROM multitenant.project_grants_projection AS pg"
			"                                WHERE g.grant_id OPERATOR(pg_catalog.<>) ''"
			"                                  AND pg.instance_id OPERATOR(pg_catalog.=) $1"
			"                                  AND pg.grant_id OPERATOR(pg_catalog.=) g.grant_id"
			"                                  AND pg.state OPERATOR(pg_catalog.<>) 1))"
			"          OR EXISTS ("
			"            SELECT FROM multitenant.project_members_projection AS m"
			"             WHERE m.instance_id OPERATOR(pg_catalog.=) $1 AND m.user_id OPERATOR(pg_catalog.=) $2"
			"               AND ($4 IS NULL OR m.project_id OPERATOR(pg_catalog.=) $4)"
			"               AND $3 OPERATOR(pg_catalog.=) ANY (m.roles))"
			"          OR ($4 IS NULL AND EXISTS ("
			"            SELECT FROM multitenant.org_members_projection AS m"
			"             WHERE m.instance_id OPERATOR(pg_catalog.=) $1 AND m.user_id OPERATOR(pg_catalog.=) $2"
			"               AND $3 OPERATOR(pg_catalog.=) ANY (m.roles)))"
			"          OR ($4 IS NULL AND EXISTS ("
			"            SELECT FROM multitenant.instance_members_projection AS m"
			"             WHERE m.instance_id OPERATOR(pg_catalog.=) $1 AND m.user_id OPERATOR(pg_catalog.=) $2"
			"               AND $3 OPERATOR(pg_catalog.=) ANY (m.roles)))))"
			" OR ($4 IS NULL AND EXISTS ("
			"  SELECT FROM multitenant.memberships AS m"
			"    JOIN multitenant.principals AS p"
			"      ON p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) m.principal_id"
			"   WHERE m.instance_id OPERATOR(pg_catalog.=) $1 AND m.principal_id OPERATOR(pg_catalog.=) $2"
			"     AND m.status OPERATOR(pg_catalog.=) 'active' AND p.status OPERATOR(pg_catalog.=) 'active'"
			"     AND (multitenant.role_rank(m.role) OPERATOR(pg_catalog.>=) multitenant.role_rank($3)"
			"          OR EXISTS (SELECT FROM multitenant.principal_custom_roles AS g"
			"                      WHERE g.instance_id OPERATOR(pg_catalog.=) $1"
			"                        AND g.principal_id OPERATOR(pg_catalog.=) $2"
			"                        AND g.role_name OPERATOR(pg_catalog.=) $3))))",
			4, types);
	}
	rc = mt_execute_lookup(has_role_plan, values, nulls, as_caller, true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "has_role lookup failed: %s", SPI_result_code_string(rc));
	{
		bool		isnull;

		result = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
	PG_RETURN_BOOL(result);
}

/*
 * The state of a user of the tenant, for the functions that act on one
 * (create_pat, record_auth_check); a user the tenant does not have is refused
 * the same way whether or not another tenant has it.  Runs inside the
 * caller's SPI connection, as the caller or the owner (mt_lookup_access).
 */
int16
mt_user_state(const char *tenant, const char *user_id, bool as_caller)
{
	Datum		values[2];
	bool		isnull;
	int			rc;

	if (user_state_plan == NULL)
	{
		Oid			types[2] = {TEXTOID, TEXTOID};

		user_state_plan = mt_prepare_kept(
			"SELECT u.state FROM multitenant.users_projection AS u"
			" WHERE u.instance_id OPERATOR(pg_catalog.=) $1 AND u.id OPERATOR(pg_catalog.=) $2",
			2, types);
	}
	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(user_id);
	rc = mt_execute_lookup(user_state_plan, values, NULL, as_caller, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "user lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("user \"%s\" does not exist in the current tenant", user_id)));
	return DatumGetInt16(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}
