/*-------------------------------------------------------------------------
 *
 * sessions.c
 *	  validate_session: what a session token authenticates, and, in the
 *	  same call, entry into its tenant as its principal.
 *
 * create_session (SQL) hands out an opaque token ("mts_" followed by 32
 * random bytes in unpadded base64url), a JWS or a JWE (session_tokens.c),
 * and stores only the token's SHA-256.  Validation checks a JWS's signature
 * or a JWE's tag first, then hashes the token, whatever its format, and
 * finds the session by that hash across tenants, as
 * the extension's owner, in one kept statement that also checks everything
 * the token's validity depends on: the session is active and within its
 * idle and absolute lifetimes, its principal and membership are active, its
 * realm is enabled and its tenant active, and the key of a JWS or JWE is
 * the tenant's and not retired.  Every failure, including a token
 * of another tenant than the one entered, is the same 28000 and enters
 * nothing, so that a caller learns nothing about tokens it does not hold.
 *
 * Where it may (index_probe.c), validation finds the session and checks it
 * by probing the indexes that statement would use instead of running it:
 * the same conditions, evaluated in the statement's order, under the
 * snapshot it would take, each probe after the first keyed by the
 * session's tenant.  The writes (refresh, rotation) stay statements.
 *
 * The idle lifetime counts from last_seen_at, which validation moves
 * forward itself (it is the one column no event writes: an event per
 * request would fill the event store).  It does so only once a sixteenth of
 * the idle lifetime has passed, so most validations write nothing; a
 * session is thus idle-expired between 15/16 and all of its idle lifetime
 * after its last use.  In a read-only transaction it writes nothing.
 *
 * A session whose principal's roles in the tenant changed is due for
 * rotation (the reducers of those events mark it): the next validation
 * that may write rotates it through session_rotate and returns the new
 * token, and the token it was given is dead from then on.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/sha2.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "index_probe.h"
#include "row_cache.h"
#include "session_tokens.h"
#include "tenant_context.h"
#include "tokens.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_validate_session);

static SPIPlanPtr validate_plan = NULL;
static SPIPlanPtr refresh_plan = NULL;
static SPIPlanPtr rotate_plan = NULL;

static void
refuse_token(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			 errmsg("invalid session token")));
}

/* What validate_plan reads, probed directly where it may be. */
enum
{
	S_INSTANCE_ID,
	S_PRINCIPAL_ID,
	S_REALM_ID,
	S_KIND,
	S_ID,
	S_STATUS,
	S_FORMAT,
	S_EXPIRES_AT,
	S_LAST_SEEN_AT,
	S_IDLE_TIMEOUT,
	S_ROTATION_DUE,
	S_NCOLUMNS
};
StaticAssertDecl(S_NCOLUMNS <= MT_PROBE_MAXCOLS, "a probe reads at most MT_PROBE_MAXCOLS columns");
static MtIndexProbe session_by_hash_probe = {
	.table = "principal_sessions",
	.nkeys = 1,
	.keys = {{"token_hash", BYTEAOID}},
	.ncolumns = S_NCOLUMNS,
	.columns = {{"instance_id", TEXTOID}, {"principal_id", TEXTOID}, {"realm_id", TEXTOID},
		{"kind", TEXTOID}, {"id", TEXTOID}, {"status", TEXTOID}, {"format", TEXTOID},
		{"expires_at", TIMESTAMPTZOID}, {"last_seen_at", TIMESTAMPTZOID},
	{"idle_timeout", INTERVALOID}, {"rotation_due", BOOLOID}},
};
static MtIndexProbe session_tenant_probe = {
	.table = "tenants",
	.nkeys = 2,
	.keys = {{"instance_id", TEXTOID}, {"id", TEXTOID}},
	.ncolumns = 1,
	.columns = {{"status", TEXTOID}},
};
static MtIndexProbe session_principal_probe = {
	.table = "principals",
	.nkeys = 2,
	.keys = {{"instance_id", TEXTOID}, {"id", TEXTOID}},
	.ncolumns = 1,
	.columns = {{"status", TEXTOID}},
};
static MtIndexProbe session_membership_probe = {
	.table = "memberships",
	.nkeys = 2,
	.keys = {{"instance_id", TEXTOID}, {"principal_id", TEXTOID}},
	.ncolumns = 1,
	.columns = {{"status", TEXTOID}},
};
static MtIndexProbe session_realm_probe = {
	.table = "tenant_realms",
	.nkeys = 2,
	.keys = {{"instance_id", TEXTOID}, {"id", TEXTOID}},
	.ncolumns = 1,
	.columns = {{"enabled", BOOLOID}},
};
static MtIndexProbe session_key_probe = {
	.table = "session_keys",
	.nkeys = 2,
	.keys = {{"instance_id", TEXTOID}, {"kid", TEXTOID}},
	.ncolumns = 1,
	.columns = {{"status", TEXTOID}},
};
static MtIndexProbe *const session_probes[] = {&session_by_hash_probe, &session_tenant_probe,
	&session_principal_probe, &session_membership_probe, &session_realm_probe, &session_key_probe};

/*
 * The tenants' and realms' rows, kept per backend where that is exact
 * (row_cache.c): of a tenant, whether its status is 'active'.
 */
static Datum
keep_is_active(int column, Datum status)
{
	return BoolGetDatum(mt_text_equals_cstring(status, "active"));
}

static MtRowCache tenant_active_cache = {
	.name = "multitenant tenant states",
	.probe = &session_tenant_probe,
	.keep = keep_is_active,
};
static MtRowCache realm_enabled_cache = {
	.name = "multitenant realm states",
	.probe = &session_realm_probe,
};

/* What validate_plan returns of the session it finds. */
typedef struct FoundSession
{
	Datum		row[6];			/* the result's first six columns */
	bool		refresh;
	bool		rotate;
	TimestampTz expires_if_seen_now;
} FoundSession;

/*
 * One of validate_plan's scalar subqueries: the value of the one column of
 * the row of table with these keys; NULL (*isnull) without a row.
 */
static Datum
probe_scalar(MtIndexProbe *probe, Snapshot snapshot, Datum key0, Datum key1, bool *isnull)
{
	MtProbeScan ps;
	Datum		keys[2] = {key0, key1};
	Datum		result;

	mt_probe_open(&ps, probe);
	result = mt_probe_scalar(&ps, snapshot, keys, isnull);
	mt_probe_close(&ps);
	return result;
}

static bool
scalar_is_active(MtIndexProbe *probe, Snapshot snapshot, Datum key0, Datum key1)
{
	bool		isnull;
	Datum		status = probe_scalar(probe, snapshot, key0, key1, &isnull);

	return !isnull && mt_text_equals_cstring(status, "active");
}

/*
 * A scalar subquery as probe_scalar answers it, what the row cache keeps
 * (see the caches above) for the one column.
 */
static Datum
cached_scalar(MtRowCache *cache, Snapshot snapshot, Datum key0, Datum key1, bool *isnull)
{
	MtProbeScan ps;
	MtCachedRows rows;
	bool		read;

	ps.probe = NULL;			/* opened if it must probe */
	read = mt_row_cache_read(cache, &ps, snapshot, key0, key1, &rows);
	if (ps.probe != NULL)
		mt_probe_close(&ps);
	if (!read || rows.nrows > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("more than one row returned by a subquery used as an expression")));
	*isnull = rows.nrows == 0 || rows.isnull[0][0];
	return *isnull ? (Datum) 0 : rows.values[0][0];
}

static bool
cached_bool(MtRowCache *cache, Snapshot snapshot, Datum key0, Datum key1)
{
	bool		isnull;
	Datum		value = cached_scalar(cache, snapshot, key0, key1, &isnull);

	return !isnull && DatumGetBool(value);
}

static TimestampTz
timestamptz_plus(TimestampTz t, Datum interval)
{
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval, TimestampTzGetDatum(t), interval));
}

/*
 * validate_plan's answer by probes, under the snapshot its execution would
 * take (a new one, as SPI takes for a statement that may write), its
 * conditions in the order the statement checks them.  The result's values
 * are allocated in the caller's memory context.
 */
static bool
probe_session(Datum hash, TimestampTz now, const char *format, const char *kid, FoundSession *out)
{
	MemoryContext probe_context = mt_probe_begin_call();
	MemoryContext caller_context = MemoryContextSwitchTo(probe_context);
	MtProbeScan sessions;
	TupleTableSlot *slot;
	Snapshot	snapshot;
	bool		found = false;

	PushActiveSnapshot(GetTransactionSnapshot());
	CommandCounterIncrement();
	UpdateActiveSnapshotCommandId();
	snapshot = GetActiveSnapshot();

	mt_probe_open(&sessions, &session_by_hash_probe);
	/* The statement locks the keys it would read for a JWS or JWE too. */
	if (kid == NULL)
	{
		LockRelationOid(session_key_probe.relid, AccessShareLock);
		LockRelationOid(session_key_probe.indexid, AccessShareLock);
	}
	for (slot = mt_probe_first(&sessions, snapshot, &hash); slot != NULL && !found;
		 slot = mt_probe_next(&sessions))
	{
		Datum		v[S_NCOLUMNS];
		bool		n[S_NCOLUMNS];
		TimestampTz expires_at;
		TimestampTz last_seen_at;
		bool		isnull = true;
		int			i;

		for (i = 0; i < S_NCOLUMNS; i++)
			v[i] = mt_probe_get(&sessions, i, &n[i]);
		/* The filters on the session row, cheapest first. */
		if (n[S_STATUS] || !mt_text_equals_cstring(v[S_STATUS], "active") ||
			n[S_FORMAT] || !mt_text_equals_cstring(v[S_FORMAT], format) ||
			n[S_EXPIRES_AT] || DatumGetTimestampTz(v[S_EXPIRES_AT]) <= now ||
			n[S_LAST_SEEN_AT] || n[S_IDLE_TIMEOUT])
			continue;
		expires_at = DatumGetTimestampTz(v[S_EXPIRES_AT]);
		last_seen_at = DatumGetTimestampTz(v[S_LAST_SEEN_AT]);
		if (timestamptz_plus(last_seen_at, v[S_IDLE_TIMEOUT]) <= now)
			continue;
		/* Then the subqueries, each keyed by the session's tenant. */
		if (n[S_INSTANCE_ID] || n[S_PRINCIPAL_ID] ||
			!cached_bool(&tenant_active_cache, snapshot, v[S_INSTANCE_ID], v[S_INSTANCE_ID]) ||
			!scalar_is_active(&session_principal_probe, snapshot, CStringGetTextDatum("system"), v[S_PRINCIPAL_ID]) ||
			!scalar_is_active(&session_membership_probe, snapshot, v[S_INSTANCE_ID], v[S_PRINCIPAL_ID]))
			continue;
		{
			Datum		enabled;

			isnull = true;
			enabled = n[S_REALM_ID] ? (Datum) 0 :
				cached_scalar(&realm_enabled_cache, snapshot, v[S_INSTANCE_ID], v[S_REALM_ID], &isnull);

			if (isnull || !DatumGetBool(enabled))
				continue;
		}
		if (kid != NULL &&
			!scalar_is_active(&session_key_probe, snapshot, v[S_INSTANCE_ID], CStringGetTextDatum(kid)))
			continue;

		/* The target list. */
		{
			TimestampTz idle_expiry = timestamptz_plus(last_seen_at, v[S_IDLE_TIMEOUT]);
			Datum		sixteenth = DirectFunctionCall2(interval_div, v[S_IDLE_TIMEOUT], Float8GetDatum(16.0));
			TimestampTz refresh_at = timestamptz_plus(last_seen_at, sixteenth);
			TimestampTz idle_expiry_now = timestamptz_plus(now, v[S_IDLE_TIMEOUT]);

			MemoryContextSwitchTo(caller_context);
			out->row[0] = datumCopy(v[S_INSTANCE_ID], false, -1);
			out->row[1] = datumCopy(v[S_PRINCIPAL_ID], false, -1);
			out->row[2] = datumCopy(v[S_REALM_ID], false, -1);
			out->row[3] = datumCopy(v[S_KIND], false, -1);
			out->row[4] = TimestampTzGetDatum(Min(expires_at, idle_expiry));
			out->row[5] = datumCopy(v[S_ID], false, -1);
			out->refresh = refresh_at < now;
			out->rotate = !n[S_ROTATION_DUE] && DatumGetBool(v[S_ROTATION_DUE]);
			out->expires_if_seen_now = Min(expires_at, idle_expiry_now);
			MemoryContextSwitchTo(probe_context);
			found = true;
		}
	}
	mt_probe_close(&sessions);
	PopActiveSnapshot();
	MemoryContextSwitchTo(caller_context);
	return found;
}

/*
 * The session a token names, by validate_plan and the Citus plans: its
 * columns (FoundSession's, in order), and the conditions on the session row
 * itself.  $1 token hash, $2 now, $3 format.
 */
#define SESSION_COLUMNS_SQL \
	"SELECT s.instance_id, s.principal_id, s.realm_id, s.kind," \
	"       LEAST(s.expires_at, s.last_seen_at OPERATOR(pg_catalog.+) s.idle_timeout)," \
	"       s.id," \
	"       (s.last_seen_at OPERATOR(pg_catalog.+) (s.idle_timeout OPERATOR(pg_catalog./) 16::pg_catalog.float8))" \
	"         OPERATOR(pg_catalog.<) $2," \
	"       s.rotation_due," \
	"       LEAST(s.expires_at, $2 OPERATOR(pg_catalog.+) s.idle_timeout)" \
	"  FROM multitenant.principal_sessions AS s" \
	" WHERE s.token_hash OPERATOR(pg_catalog.=) $1" \
	"   AND s.status OPERATOR(pg_catalog.=) 'active'" \
	"   AND s.format OPERATOR(pg_catalog.=) $3" \
	"   AND s.expires_at OPERATOR(pg_catalog.>) $2" \
	"   AND s.last_seen_at OPERATOR(pg_catalog.+) s.idle_timeout OPERATOR(pg_catalog.>) $2"

/*
 * Whether what the session stands on is still there: its principal, its
 * membership, its realm and the key of a JWS or JWE (KID), given the tenant
 * (TENANT), the principal (PRINCIPAL) and the realm (REALM).
 */
#define SESSION_STANDING_SQL(TENANT, PRINCIPAL, REALM, KID) \
	"(SELECT p.status FROM multitenant.principals AS p" \
	"  WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) " PRINCIPAL ")" \
	" OPERATOR(pg_catalog.=) 'active'" \
	" AND (SELECT m.status FROM multitenant.memberships AS m" \
	"  WHERE m.instance_id OPERATOR(pg_catalog.=) " TENANT " AND m.principal_id OPERATOR(pg_catalog.=) " PRINCIPAL ")" \
	" OPERATOR(pg_catalog.=) 'active'" \
	" AND (SELECT r.enabled FROM multitenant.tenant_realms AS r" \
	"  WHERE r.instance_id OPERATOR(pg_catalog.=) " TENANT " AND r.id OPERATOR(pg_catalog.=) " REALM ")" \
	/* The key that made a JWS or JWE is the tenant's, and not retired. */ \
	" AND (" KID "::pg_catalog.text IS NULL" \
	"      OR (SELECT k.status FROM multitenant.session_keys AS k" \
	"           WHERE k.instance_id OPERATOR(pg_catalog.=) " TENANT " AND k.kid OPERATOR(pg_catalog.=) " KID ")" \
	"         OPERATOR(pg_catalog.=) 'active')"

static void
keep_found_session(FoundSession *out)
{
	bool		isnull;
	int			i;

	for (i = 0; i < 6; i++)
		out->row[i] = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1, &isnull),
										i == 4 ? true : false, i == 4 ? sizeof(TimestampTz) : -1);
	out->refresh = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 7, &isnull));
	out->rotate = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 8, &isnull));
	out->expires_if_seen_now = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 9, &isnull));
}

/* Whether the one row of a boolean answer is true. */
static bool
answer_is_true(void)
{
	bool		isnull;
	Datum		answer;

	if (SPI_processed != 1)
		return false;
	answer = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return !isnull && DatumGetBool(answer);
}

/*
 * Under Citus, validate_plan's answer in three statements: the session by
 * its token (a reference table), the tenant's status (the registry stays a
 * table of the coordinator, which no statement on Citus tables may join),
 * and the rest with the tenant as a value, which Citus routes to the
 * tenant's shard.
 */
static bool
citus_find_session(Datum *values, const char *nulls, FoundSession *out)
{
	static SPIPlanPtr session_plan = NULL;
	static SPIPlanPtr tenant_plan = NULL;
	static SPIPlanPtr standing_plan = NULL;
	Datum		args[4];
	char		arg_nulls[4] = {' ', ' ', ' ', ' '};
	bool		standing;

	if (session_plan == NULL)
	{
		Oid			session_types[3] = {BYTEAOID, TIMESTAMPTZOID, TEXTOID};
		Oid			tenant_types[1] = {TEXTOID};
		Oid			standing_types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};

		session_plan = mt_prepare_kept(SESSION_COLUMNS_SQL, 3, session_types);
		tenant_plan = mt_prepare_kept(
			"SELECT t.status OPERATOR(pg_catalog.=) 'active' FROM multitenant.tenants AS t"
			" WHERE t.instance_id OPERATOR(pg_catalog.=) $1 AND t.id OPERATOR(pg_catalog.=) $1",
			1, tenant_types);
		standing_plan = mt_prepare_kept("SELECT " SESSION_STANDING_SQL("$1", "$2", "$3", "$4"),
										4, standing_types);
	}
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	if (mt_execute_kept(session_plan, values, nulls, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "session lookup failed");
	standing = SPI_processed == 1;
	if (standing)
	{
		keep_found_session(out);
		args[0] = out->row[0];
		if (mt_execute_kept(tenant_plan, args, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "session lookup of the tenant failed");
		standing = answer_is_true();
	}
	if (standing)
	{
		args[1] = out->row[1];
		args[2] = out->row[2];
		args[3] = values[3];
		arg_nulls[3] = nulls[3];
		if (mt_execute_kept(standing_plan, args, arg_nulls, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "session lookup of its standing failed");
		standing = answer_is_true();
	}
	MT_AS_ROLE_END();
	return standing;
}

/* validate_plan's answer, by running it. */
static bool
sql_find_session(Datum *values, const char *nulls, FoundSession *out)
{
	int			rc;

	mt_spi_connect();
	if (mt_citus_installed())
	{
		bool		found = citus_find_session(values, nulls, out);

		SPI_finish();
		return found;
	}
	if (validate_plan == NULL)
	{
		Oid			types[4] = {BYTEAOID, TIMESTAMPTZOID, TEXTOID, TEXTOID};

		/*
		 * Subplans, each a probe of a primary key once the session is found:
		 * as joins, a plan kept from small tables started from every
		 * principal.
		 */
		validate_plan = mt_prepare_kept(
			SESSION_COLUMNS_SQL
			"   AND (SELECT t.status FROM multitenant.tenants AS t"
			"         WHERE t.instance_id OPERATOR(pg_catalog.=) s.instance_id AND t.id OPERATOR(pg_catalog.=) s.instance_id)"
			"       OPERATOR(pg_catalog.=) 'active'"
			"   AND " SESSION_STANDING_SQL("s.instance_id", "s.principal_id", "s.realm_id", "$4"),
			4, types);
	}
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = mt_execute_kept(validate_plan, values, nulls, false, 1);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "session lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed != 1)
	{
		SPI_finish();
		return false;
	}
	keep_found_session(out);
	SPI_finish();
	return true;
}

/*
 * validate_session(token, enter): one row (tenant, principal_id, realm_id,
 * kind, expires_at, session_id, rotated_token), expires_at being the earlier
 * of the idle and the absolute expiry; with enter, the tenant and the
 * principal as actor are entered for the rest of the transaction.
 * rotated_token is NULL unless the session was due for rotation (a role of
 * its principal changed since its token was made): then the token given is
 * dead and rotated_token replaces it.
 */
Datum
mt_validate_session(PG_FUNCTION_ARGS)
{
	char	   *token;
	bool		enter = PG_ARGISNULL(1) ? false : PG_GETARG_BOOL(1);
	char	   *entered;
	TupleDesc	desc;
	Tuplestorestate *store;
	SessionTokenFormat format;
	char		kid[MT_SESSION_KID_LEN + 1];
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	Datum		row[7];
	bool		row_nulls[7] = {false, false, false, false, false, false, true};
	const char *format_name;
	FoundSession found;
	bool		isnull;
	int			rc;
	char	   *tenant;
	char	   *principal;
	TimestampTz expires;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("session token must not be null")));
	token = text_to_cstring(PG_GETARG_TEXT_PP(0));
	store = mt_begin_materialized_srf(fcinfo, &desc);
	entered = mt_current_tenant_cstring();
	format = mt_session_token_format(token);
	if (format == SESSION_TOKEN_MALFORMED)
		refuse_token();
	if (format != SESSION_TOKEN_OPAQUE && !mt_session_token_verify(token, format, kid))
		refuse_token();

	/*
	 * A signed or encrypted token is also found by its hash: it is valid only
	 * as long as its session row names it, so that revoking or rotating the
	 * session kills it as it kills an opaque one.
	 */
	values[0] = PointerGetDatum(mt_token_hash(token));
	values[1] = TimestampTzGetDatum(GetCurrentStatementStartTimestamp());
	format_name = format == SESSION_TOKEN_OPAQUE ? "opaque" :
		format == SESSION_TOKEN_JWS ? "jws" : "jwe";
	values[2] = CStringGetTextDatum(format_name);
	if (format == SESSION_TOKEN_OPAQUE)
		nulls[3] = 'n';
	else
		values[3] = CStringGetTextDatum(kid);

	if (mt_probes_usable(session_probes, lengthof(session_probes), mt_extension_owner()))
	{
		if (!probe_session(values[0], DatumGetTimestampTz(values[1]), format_name,
						   format == SESSION_TOKEN_OPAQUE ? NULL : kid, &found))
			refuse_token();
	}
	else if (!sql_find_session(values, nulls, &found))
		refuse_token();
	memcpy(row, found.row, sizeof(found.row));
	expires = DatumGetTimestampTz(row[4]);
	tenant = TextDatumGetCString(row[0]);
	principal = TextDatumGetCString(row[1]);

	/* A token of another tenant than the one entered is no token here. */
	if (entered != NULL && strcmp(entered, tenant) != 0)
		refuse_token();

	/*
	 * Rotation pushes an event, and a read-only transaction cannot: there the
	 * token stays valid until a validation that may write rotates it.
	 */
	if (found.rotate && !XactReadOnly)
	{
		mt_spi_connect();
		if (rotate_plan == NULL)
		{
			Oid			types[1] = {TEXTOID};

			rotate_plan = mt_prepare_kept(
				"SELECT r.new_token FROM multitenant.session_rotate($1, 'role changed') AS r", 1, types);
		}
		values[0] = CStringGetTextDatum(token);
		MT_AS_ROLE_BEGIN(mt_extension_owner());
		rc = mt_execute_kept(rotate_plan, values, NULL, false, 1);
		MT_AS_ROLE_END();
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "session rotation failed: %s", SPI_result_code_string(rc));
		row[6] = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull),
								   false, -1);
		row_nulls[6] = false;
		SPI_finish();
		expires = found.expires_if_seen_now;
		row[4] = TimestampTzGetDatum(expires);
	}
	else if (found.refresh && !XactReadOnly)
	{
		mt_spi_connect();
		if (refresh_plan == NULL)
		{
			Oid			types[4] = {TEXTOID, TEXTOID, TIMESTAMPTZOID, BYTEAOID};

			refresh_plan = mt_prepare_kept(
				"UPDATE multitenant.principal_sessions AS s SET last_seen_at = $3"
				" WHERE s.instance_id OPERATOR(pg_catalog.=) $1 AND s.id OPERATOR(pg_catalog.=) $2"
				"   AND s.status OPERATOR(pg_catalog.=) 'active'"
				"   AND s.token_hash OPERATOR(pg_catalog.=) $4"
				"   AND s.last_seen_at OPERATOR(pg_catalog.<) $3",
				4, types);
		}
		values[3] = values[0];
		values[0] = row[0];
		values[1] = row[5];
		values[2] = TimestampTzGetDatum(GetCurrentStatementStartTimestamp());
		MT_AS_ROLE_BEGIN(mt_extension_owner());
		rc = mt_execute_kept(refresh_plan, values, NULL, false, 1);
		MT_AS_ROLE_END();
		if (rc != SPI_OK_UPDATE)
			elog(ERROR, "session refresh failed: %s", SPI_result_code_string(rc));

		/*
		 * No row: a revocation or rotation committed while this statement
		 * waited for the row.  The token is dead.
		 */
		if (SPI_processed != 1)
			refuse_token();
		SPI_finish();
		expires = found.expires_if_seen_now;
		row[4] = TimestampTzGetDatum(expires);
	}

	if (enter)
		mt_enter_tenant(tenant, principal,
						(timestamptz_to_time_t(expires) +
						 (expires % USECS_PER_SEC != 0 ? 1 : 0)));
	tuplestore_putvalues(store, desc, row, row_nulls);
	return (Datum) 0;
}
