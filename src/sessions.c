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
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "catalog.h"
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
	bool		refresh;
	bool		rotate;
	TimestampTz expires_if_seen_now;
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
	values[2] = CStringGetTextDatum(format == SESSION_TOKEN_OPAQUE ? "opaque" :
									format == SESSION_TOKEN_JWS ? "jws" : "jwe");
	if (format == SESSION_TOKEN_OPAQUE)
		nulls[3] = 'n';
	else
		values[3] = CStringGetTextDatum(kid);

	mt_spi_connect();
	if (validate_plan == NULL)
	{
		Oid			types[4] = {BYTEAOID, TIMESTAMPTZOID, TEXTOID, TEXTOID};

		validate_plan = mt_prepare_kept(
			"SELECT s.instance_id, s.principal_id, s.realm_id, s.kind,"
			"       LEAST(s.expires_at, s.last_seen_at OPERATOR(pg_catalog.+) s.idle_timeout),"
			"       s.id,"
			"       (s.last_seen_at OPERATOR(pg_catalog.+) (s.idle_timeout OPERATOR(pg_catalog./) 16::pg_catalog.float8))"
			"         OPERATOR(pg_catalog.<) $2,"
			"       s.rotation_due,"
			"       LEAST(s.expires_at, $2 OPERATOR(pg_catalog.+) s.idle_timeout)"
			"  FROM multitenant.principal_sessions AS s"
			" WHERE s.token_hash OPERATOR(pg_catalog.=) $1"
			"   AND s.status OPERATOR(pg_catalog.=) 'active'"
			"   AND s.format OPERATOR(pg_catalog.=) $3"
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
			"         WHERE r.instance_id OPERATOR(pg_catalog.=) s.instance_id AND r.id OPERATOR(pg_catalog.=) s.realm_id)"
			/* The key that made a JWS or JWE is the tenant's, and not retired. */
			"   AND ($4::pg_catalog.text IS NULL"
			"        OR (SELECT k.status FROM multitenant.session_keys AS k"
			"             WHERE k.instance_id OPERATOR(pg_catalog.=) s.instance_id AND k.kid OPERATOR(pg_catalog.=) $4)"
			"           OPERATOR(pg_catalog.=) 'active')",
			4, types);
	}
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = mt_execute_kept(validate_plan, values, nulls, false, 1);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "session lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed != 1)
		refuse_token();
	for (i = 0; i < 6; i++)
		row[i] = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1, &isnull),
								   i == 4 ? true : false, i == 4 ? sizeof(TimestampTz) : -1);
	refresh = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 7, &isnull));
	rotate = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 8, &isnull));
	expires_if_seen_now = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 9, &isnull));
	expires = DatumGetTimestampTz(row[4]);
	SPI_finish();
	tenant = TextDatumGetCString(row[0]);
	principal = TextDatumGetCString(row[1]);

	/* A token of another tenant than the one entered is no token here. */
	if (entered != NULL && strcmp(entered, tenant) != 0)
		refuse_token();

	/*
	 * Rotation pushes an event, and a read-only transaction cannot: there the
	 * token stays valid until a validation that may write rotates it.
	 */
	if (rotate && !XactReadOnly)
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
		expires = expires_if_seen_now;
		row[4] = TimestampTzGetDatum(expires);
	}
	else if (refresh && !XactReadOnly)
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
		expires = expires_if_seen_now;
		row[4] = TimestampTzGetDatum(expires);
	}

	if (enter)
		mt_enter_tenant(tenant, principal,
						(timestamptz_to_time_t(expires) +
						 (expires % USECS_PER_SEC != 0 ? 1 : 0)));
	tuplestore_putvalues(store, desc, row, row_nulls);
	return (Datum) 0;
}
