/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Catalog lookups about the extension itself: the relations of its
 *	  schema, the events row type, its owner, whether its own script is
 *	  running, whether the caller administers it or operates it, and the
 *	  search_path its own statements run under.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "catalog.h"

PG_FUNCTION_INFO_V1(mt_caller_is_operator_sql);

/*
 * A relation of the multitenant schema; with missing_ok, InvalidOid when it
 * (or the schema) does not exist.
 */
Oid
mt_relation_oid(const char *relname, bool missing_ok)
{
	Oid			relid = get_relname_relid(relname, get_namespace_oid("multitenant", missing_ok));

	if (!OidIsValid(relid) && !missing_ok)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"multitenant.%s\" does not exist", relname)));
	return relid;
}

Oid
mt_events_relid(void)
{
	return mt_relation_oid("events", false);
}

bool
mt_has_column(Oid relid, const char *column)
{
	return get_attnum(relid, column) > 0;
}

/* The row type of multitenant.events, which reducers take as $1. */
Oid
mt_events_typeid(void)
{
	return get_rel_type_id(mt_events_relid());
}

/*
 * Whether a row-level security policy is one the extension makes: those
 * enable_tenant_isolation gives every tenant table, the platform-wide
 * principals', and the visibility rules of the lifecycle's tables.  What a
 * table has besides them is the user's (lookups then read as the caller;
 * tenant_routing.c names no tenant for it).
 */
bool
mt_extension_policy(const char *name)
{
	static const char *const names[] = {
		"tenant_isolation", "tenant_admin", "tenant_guard",
		"principals_admin", "principals_visible",
		"tenant_admins_only", "join_requests_visibility", "invitations_visibility",
		"principal_sessions_visibility",
	};
	int			i;

	for (i = 0; i < lengthof(names); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/*
 * Whether the citus extension exists in this database: where it does, the
 * extension's tables may be distributed, and the direct paths (probes, table
 * access method writes, deferred index builds, row copies) step aside.
 * Citus can only be created where its library was preloaded, which the
 * backend knows for its whole life from Citus's settings: a single server
 * answers without a catalog scan, and every push asks.
 */
bool
mt_citus_installed(void)
{
	static int	citus_loaded = -1;

	if (citus_loaded < 0)
		citus_loaded = GetConfigOption("citus.version", true, false) != NULL;
	return citus_loaded && OidIsValid(get_extension_oid("citus", true));
}

/*
 * Whether Citus distributes the table (or keeps it as a reference table):
 * whether its catalog pg_dist_partition has a row for it.
 */
bool
mt_is_citus_table(Oid relid)
{
	Oid			catalog;
	Relation	rel;
	TableScanDesc scan;
	ScanKeyData key;
	bool		found;

	if (!mt_citus_installed())
		return false;
	catalog = get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE);
	if (!OidIsValid(catalog))
		return false;
	rel = table_open(catalog, AccessShareLock);
	/* logicalrelid, the first column */
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = table_beginscan_catalog(rel, 1, &key);
	found = heap_getnext(scan, ForwardScanDirection) != NULL;
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * Under Citus, events get their positions from the coordinator's
 * events_position_seq, and read_events' horizon of pushes in flight is in the
 * coordinator's shared memory: on a worker push would draw from the worker's
 * own sequence and read_events would trust the worker's horizon.  A node is a
 * worker once Citus gave it a group (pg_dist_local_group.groupid > 0), which
 * it keeps; until then it is asked again.
 */
void
mt_require_coordinator(const char *function_name)
{
	static bool known_worker = false;

	if (!known_worker && mt_citus_installed())
	{
		Oid			relid = get_relname_relid("pg_dist_local_group", PG_CATALOG_NAMESPACE);

		if (OidIsValid(relid))
		{
			Relation	rel = table_open(relid, AccessShareLock);
			TableScanDesc scan = table_beginscan_catalog(rel, 0, NULL);
			HeapTuple	tuple;

			while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
			{
				bool		isnull;
				Datum		group = heap_getattr(tuple, 1, RelationGetDescr(rel), &isnull);

				if (!isnull && DatumGetInt32(group) > 0)
					known_worker = true;
			}
			table_endscan(scan);
			table_close(rel, AccessShareLock);
		}
	}
	if (known_worker)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("multitenant.%s runs on the Citus coordinator, not on a worker", function_name),
				 errdetail("Events take their positions from the coordinator's sequence, and read_events trusts the coordinator's record of pushes in flight."),
				 errhint("Connect to the coordinator.")));
}

/*
 * The search_path of the extension's own statements and of the reducers'
 * (push, push_many, reductions, rebuilds): pg_catalog, then the extension's
 * schema; never the caller's schemas, never pg_temp.  Under the caller's
 * search_path a schema listed before pg_catalog could bind its own "=",
 * "->>", lower() or text into statements that run as the extension's owner
 * or a reducer's registrant, and the plan cache would analyse every kept
 * statement again whenever the caller's search_path differs from the one it
 * was prepared under.
 *
 * Where Citus is installed the path is pg_catalog alone: Citus sends a shard
 * its statement as text deparsed under the current path, which names what
 * the path makes visible without its schema ("$1::events"), and the workers'
 * path does not have the extension's schema.  Reducers' expressions there
 * must name the extension's functions with their schema (docs/citus.md).
 *
 * Up to PostgreSQL 16 it is pushed as an override rather than set as the
 * search_path setting: no setting is parsed, saved and restored, and name
 * resolution is not recomputed after each change (about 5 us a push).  A
 * pushed path, like a setting's nest level, belongs to the current
 * (sub)transaction, whose abort unwinds it; a normal return leaves it with
 * mt_leave_own_search_path, given what mt_enter_own_search_path returned.
 */
int
mt_enter_own_search_path(void)
{
	bool		with_extension_schema = !mt_citus_installed();
#if PG_VERSION_NUM < 170000
	OverrideSearchPath path;

	path.schemas = list_make1_oid(PG_CATALOG_NAMESPACE);
	if (with_extension_schema)
		path.schemas = lappend_oid(path.schemas, get_namespace_oid("multitenant", false));
	path.addCatalog = false;
	path.addTemp = false;
	path.generation = 0;
	PushOverrideSearchPath(&path);
	list_free(path.schemas);
	return 0;
#else
	int			nest = NewGUCNestLevel();

	(void) set_config_option("search_path", with_extension_schema ? "pg_catalog, multitenant" : "pg_catalog",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return nest;
#endif
}

void
mt_leave_own_search_path(int nest)
{
#if PG_VERSION_NUM < 170000
	PopOverrideSearchPath();
#else
	AtEOXact_GUC(true, nest);
#endif
}

/*
 * The owner of the extension, as whom the event store is written: the owner
 * of multitenant.events.  Every lookup asks, so it is kept until the table's
 * pg_class row changes (ALTER ... OWNER, DROP) or a schema changes.  (A
 * syscache callback: a backend has only a few relcache callback slots, which
 * other libraries need too.)
 */
static bool owner_known = false;
static uint32 owner_hashvalue = 0;
static Oid	owner_cached = InvalidOid;

static void
owner_class_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	if (hashvalue == 0 || hashvalue == owner_hashvalue)
		owner_known = false;
}

static void
owner_namespace_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	owner_known = false;
}

void
mt_catalog_init(void)
{
	CacheRegisterSyscacheCallback(RELOID, owner_class_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, owner_namespace_callback, (Datum) 0);
}

Oid
mt_extension_owner(void)
{
	Oid			relid;
	HeapTuple	tuple;
	Oid			owner;

	if (owner_known)
		return owner_cached;
	relid = mt_events_relid();
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	owner_hashvalue = GetSysCacheHashValue1(RELOID, ObjectIdGetDatum(relid));
	owner_cached = owner;
	owner_known = true;
	return owner;
}

/* Whether this is the multitenant extension's own install or update script. */
bool
mt_running_own_script(void)
{
	return creating_extension &&
		CurrentExtensionObject == get_extension_oid("multitenant", true);
}

static bool
role_administers(Oid role)
{
	Oid			admin = get_role_oid("multitenant_admin", true);

	return superuser_arg(role) ||
		(OidIsValid(admin) && has_privs_of_role(role, admin));
}

bool
mt_caller_is_admin(void)
{
	return role_administers(GetUserId());
}

/*
 * Whether the role in effect outside any SECURITY DEFINER function (the
 * session user, or whom SET ROLE chose) administers the extension.  Inside a
 * definer function GetUserId() is the function's owner, so a function that
 * the installing superuser owns and applications may call asks this instead
 * to tell an operator from the application calling it.
 */
bool
mt_caller_is_operator(void)
{
	return role_administers(GetOuterUserId());
}

Datum
mt_caller_is_operator_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(mt_caller_is_operator());
}

/*
 * The administrative functions check the caller themselves, so that they
 * stay closed should EXECUTE on them be granted wider.
 */
void
mt_require_admin(const char *function)
{
	if (!mt_caller_is_admin())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for function multitenant.%s", function),
				 errdetail("Only superusers and members of multitenant_admin may call it.")));
}
