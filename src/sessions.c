/*-------------------------------------------------------------------------
 *
 * sessions.c
 *	  validate_session: what a session token authenticates, and, in the
 *	  same call, entry into its tenant as its principal.
 *
 * create_session (SQL) hands out "mts_" followed by 32 random bytes in
 * unpadded base64url and stores only the token's SHA-256.  Validation hashes
 * what it is given and finds the session by that hash across tenants, as
 * the extension's owner, in one kept statement that also checks everything
 * the token's validity depends on: the session is active and within its
 * idle and absolute lifetimes, its principal and membership are active, its
 * realm is enabled and its tenant active.  Every failure, including a token
 * of another tenant than the one entered, is the same 28000 and enters
 * nothing, so that a caller learns nothing about tokens it does not hold.
 *
 * The idle lifetime counts from last_seen_at, which validation moves
 * forward itself (it is the one column no event writes: an event per
 * request would fill the event store).  It does so only once a sixteenth of
 * the idle lifetime has passed, so most validations write nothing; a
 * session is thus idle-expired between 15/16 and all of its idle lifetime
 * after its last use.  In a read-only transaction it writes nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/sha2.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "tenant_context.h"
#include "tokens.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_validate_session);

#define SESSION_PREFIX "mts_"
/* The prefix and the unpadded base64url of 32 bytes. */
#define SESSION_TOKEN_LEN (4 + 43)

static SPIPlanPtr validate_plan = NULL;
static SPIPlanPtr refresh_plan = NULL;

static void
refuse_token(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			 errmsg("invalid session token")));
}

static bool
well_formed(const char *token)
{
	size_t		i;

	if (strlen(token) != SESSION_TOKEN_LEN ||
		strncmp(token, SESSION_PREFIX, strlen(SESSION_PREFIX)) != 0)
		return false;
	for (i = strlen(SESSION_PREFIX); i < SESSION_TOKEN_LEN; i++)
	{
		char		c = token[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/*
 * validate_session(token, enter): one row (tenant, principal_id, realm_id,
 * kind, expires_at, session_id), expires_at being the earlier of the idle
 * and the absolute expiry; with enter, the tenant and the principal as actor
 * are entered for the rest of the transaction.
 */
Datum
mt_validate_session(PG_FUNCTION_ARGS)
{
	char	   *token;
	bool		enter = PG_ARGISNULL(1) ? false : PG_GETARG_BOOL(1);
	char	   *entered;
	TupleDesc	desc;
	Tuplestorestate *store;
	Datum		values[3];
	Datum		row[6];
	bool		row_nulls[6] = {false, false, false, false, false, false};
	bool		refresh = false;
	bool		isnull;
	int			rc;
	int			i;
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
	if (!well_formed(token))
		refuse_token();

	values[0] = PointerGetDatum(mt_token_hash(token));
	values[1] = TimestampTzGetDatum(GetCurrentStatementStartTimestamp());

	mt_spi_connect();
	if (validate_plan == NULL)
	{
		Oid			types[2] = {BYTEAOID, TIMESTAMPTZOID};

		validate_plan = mt_prepare_kept(
			"SELECT s.instance_id, s.principal_id, s.realm_id, s.kind,"
			"       LEAST(s.expires_at, s.last_seen_at OPERATOR(pg_catalog.+) s.idle_timeout),"
			"       s.id,"
			"       (s.last_seen_at OPERATOR(pg_catalog.+) (s.idle_timeout OPERATOR(pg_catalog./) 16::pg_catalog.float8))"
			"         OPERATOR(pg_catalog.<) $2"
			"  FROM multitenant.principal_sessions AS s"
			" WHERE s.token_hash OPERATOR(pg_catalog.=) $1"
			"   AND s.status OPERATOR(pg_catalog.=) 'active'"
			"   AND s.expires_at OPERATOR(pg_catalog.>) $2"
			"   AND s.last_seen_at OPERATOR(pg_catalog.+) s.idle_timeout OPERATOR(pg_catalog.>) $2"
			/*
			 * Subplans, each a probe of a primary key once the session is
			 * found: as joins, a plan kept from small tables started from
			 * every principal.
			 */
			"   AND (SELECT t.status FROM multitenant.tenants AS t"
			"         WHERE t.instance_id OPERATOR(pg_catalog.=) s.instance_id AND t.id OPERATOR(pg_catalog.=) s.instance_id)"
			"       OPERATOR(pg_catalog.=) 'active'"
			"   AND (SELECT p.status FROM multitenant.principals AS p"
			"         WHERE p.instance_id OPERATOR(pg_catalog.=) 'system' AND p.id OPERATOR(pg_catalog.=) s.principal_id)"
			"       OPERATOR(pg_catalog.=) 'active'"
			"   AND (SELECT m.status FROM multitenant.memberships AS m"
			"         WHERE m.instance_id OPERATOR(pg_catalog.=) s.instance_id AND m.principal_id OPERATOR(pg_catalog.=) s.principal_id)"
			"       OPERATOR(pg_catalog.=) 'active'"
			"   AND (SELECT r.enabled FROM multitenant.tenant_realms AS r"
			"         WHERE r.instance_id OPERATOR(pg_catalog.=) s.instance_id AND r.id OPERATOR(pg_catalog.=) s.realm_id)",
			2, types);
	}
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = mt_execute_kept(validate_plan, values, NULL, false, 1);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "session lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed != 1)
		refuse_token();
	for (i = 0; i < 6; i++)
		row[i] = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1, &isnull),
								   i == 4 ? true : false, i == 4 ? sizeof(TimestampTz) : -1);
	refresh = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 7, &isnull));
	expires = DatumGetTimestampTz(row[4]);
	SPI_finish();
	tenant = TextDatumGetCString(row[0]);
	principal = TextDatumGetCString(row[1]);

	/* A token of another tenant than the one entered is no token here. */
	if (entered != NULL && strcmp(entered, tenant) != 0)
		refuse_token();

	if (refresh && !XactReadOnly)
	{
		mt_spi_connect();
		if (refresh_plan == NULL)
		{
			Oid			types[3] = {TEXTOID, TEXTOID, TIMESTAMPTZOID};

			refresh_plan = mt_prepare_kept(
				"UPDATE multitenant.principal_sessions AS s SET last_seen_at = $3"
				" WHERE s.instance_id OPERATOR(pg_catalog.=) $1 AND s.id OPERATOR(pg_catalog.=) $2"
				"   AND s.status OPERATOR(pg_catalog.=) 'active'"
				"   AND s.last_seen_at OPERATOR(pg_catalog.<) $3"
				" RETURNING LEAST(s.expires_at, s.last_seen_at OPERATOR(pg_catalog.+) s.idle_timeout)",
				3, types);
		}
		values[0] = row[0];
		values[1] = row[5];
		values[2] = TimestampTzGetDatum(GetCurrentStatementStartTimestamp());
		MT_AS_ROLE_BEGIN(mt_extension_owner());
		rc = mt_execute_kept(refresh_plan, values, NULL, false, 1);
		MT_AS_ROLE_END();
		if (rc != SPI_OK_UPDATE_RETURNING)
			elog(ERROR, "session refresh failed: %s", SPI_result_code_string(rc));

		/*
		 * No row: a revocation or rotation committed while this statement
		 * waited for the row.  The token is dead.
		 */
		if (SPI_processed != 1)
			refuse_token();
		expires = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		row[4] = TimestampTzGetDatum(expires);
		SPI_finish();
	}

	if (enter)
		mt_enter_tenant(tenant, principal,
						(timestamptz_to_time_t(expires) +
						 (expires % USECS_PER_SEC != 0 ? 1 : 0)));
	tuplestore_putvalues(store, desc, row, row_nulls);
	return (Datum) 0;
}
