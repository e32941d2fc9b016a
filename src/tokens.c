/*-------------------------------------------------------------------------
 *
 * tokens.c
 *	  Personal access tokens: create_pat issues one, authenticate_pat finds
 *	  whom it authenticates; and issue_secret, the same kind of random
 *	  secret under another prefix, for the other secrets the extension
 *	  hands out.
 *
 * A token is "mtp_" followed by 32 random bytes from pg_strong_random in
 * unpadded base64url.  Only its SHA-256 is kept: create_pat pushes
 * user.pat.added with the hash in the payload (key tokenHash), and the
 * personal_access_tokens_projection reducer stores it, so a rebuild restores
 * it and the token itself exists nowhere but in create_pat's result.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "access/heaptoast.h"
#include "catalog/pg_type.h"
#include "common/base64.h"
#include "common/sha2.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "index_probe.h"
#include "row_cache.h"
#include "lookups.h"
#include "tenant_context.h"
#include "tokens.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_create_pat);
PG_FUNCTION_INFO_V1(mt_authenticate_pat);
PG_FUNCTION_INFO_V1(mt_issue_secret);

#define PAT_PREFIX "mtp_"
#define SECRET_RANDOM_BYTES 32
/* A prefix names the kind of secret, as "mtp_" does; it is not a secret. */
#define SECRET_PREFIX_MAXLEN 16
#define PAT_ID_BYTES 16

/* Longer input cannot be a token of ours; it is refused before hashing. */
#define PAT_MAXLEN 256

static SPIPlanPtr push_pat_plan = NULL;
static SPIPlanPtr authenticate_plan = NULL;

/*
 * SHA-256 of a token, as stored for personal access tokens and sessions.
 * With OpenSSL 3, EVP_sha256() makes every digest look the algorithm up
 * again (a fetch from the provider store, about half the hashing time of a
 * token); the fetched one is kept for the backend.
 */
void
mt_sha256(const char *data, size_t len, unsigned char *digest)
{
	unsigned int digest_len = 0;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	static EVP_MD *sha256 = NULL;

	if (sha256 == NULL && (sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		elog(ERROR, "could not fetch SHA-256 from OpenSSL");
#else
	const EVP_MD *sha256 = EVP_sha256();
#endif

	if (EVP_Digest(data, len, digest, &digest_len, sha256, NULL) != 1 ||
		digest_len != PG_SHA256_DIGEST_LENGTH)
		elog(ERROR, "could not compute SHA-256 of a token");
}

/* A token's SHA-256 as the bytea its table's token_hash column holds. */
bytea *
mt_token_hash(const char *token)
{
	bytea	   *hash = palloc(VARHDRSZ + PG_SHA256_DIGEST_LENGTH);

	SET_VARSIZE(hash, VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	mt_sha256(token, strlen(token), (unsigned char *) VARDATA(hash));
	return hash;
}

static void
strong_random(void *buf, size_t len)
{
	if (!pg_strong_random(buf, len))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random bytes for a secret")));
}

/* Unpadded base64url (RFC 4648 section 5) of len bytes. */
static char *
base64url(const unsigned char *bytes, int len)
{
	int			max = pg_b64_enc_len(len) + 1;
	char	   *out = palloc(max);
	int			n = pg_b64_encode((const char *) bytes, len, out, max);
	int			i;

	if (n < 0)
		elog(ERROR, "could not encode a secret");
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (i = 0; i < n; i++)
	{
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return out;
}

/*
 * prefix followed by the unpadded base64url of 32 random bytes; the random
 * bytes and their encoding are wiped from memory once the result holds them.
 */
static char *
new_secret(const char *prefix)
{
	unsigned char secret[SECRET_RANDOM_BYTES];
	char	   *encoded;
	char	   *result;

	strong_random(secret, sizeof(secret));
	encoded = base64url(secret, sizeof(secret));
	OPENSSL_cleanse(secret, sizeof(secret));
	result = psprintf("%s%s", prefix, encoded);
	OPENSSL_cleanse(encoded, strlen(encoded));
	return result;
}

static void
check_scopes(ArrayType *scopes, const char *user_id)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	if (ARR_NDIM(scopes) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scopes of a personal access token for user \"%s\" must be a one-dimensional array", user_id)));
	deconstruct_array(scopes, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("scope %d of a personal access token for user \"%s\" is null", i + 1, user_id)));
		mt_check_identifier(TextDatumGetCString(elems[i]), "scope");
	}
}

/*
 * create_pat(user_id, expiration, scopes): issues a token for a user of the
 * current tenant and returns it; it is never stored.  A NULL expiration
 * means none (Zitadel's 9999-12-31 23:59:59 UTC).
 */
Datum
mt_create_pat(PG_FUNCTION_ARGS)
{
	char	   *user_id = mt_text_arg(fcinfo, 0);
	TimestampTz expiration;
	ArrayType  *scopes = PG_ARGISNULL(2) ? NULL : PG_GETARG_ARRAYTYPE_P(2);
	char	   *tenant;
	static const MtLookupTable user_table[] = {MT_T_USERS};
	bool		as_caller;
	unsigned char token_id[PAT_ID_BYTES];
	unsigned char digest[PG_SHA256_DIGEST_LENGTH];
	char		token_id_hex[PAT_ID_BYTES * 2 + 1];
	char		digest_hex[PG_SHA256_DIGEST_LENGTH * 2 + 1];
	char	   *token;
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	int			rc;

	mt_check_identifier(user_id, "user_id");
	tenant = mt_lookup_tenant(NULL, "create_pat");
	as_caller = mt_lookup_access("create_pat", user_table, lengthof(user_table));
	if (PG_ARGISNULL(1))
		expiration = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
															 CStringGetDatum("9999-12-31 23:59:59+00"),
															 ObjectIdGetDatum(InvalidOid),
															 Int32GetDatum(-1)));
	else
		expiration = PG_GETARG_TIMESTAMPTZ(1);
	if (expiration <= GetCurrentStatementStartTimestamp() || TIMESTAMP_NOT_FINITE(expiration))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expiration of a personal access token for user \"%s\" must be a finite time in the future", user_id),
				 errhint("Pass NULL for a token that does not expire.")));
	if (scopes != NULL)
		check_scopes(scopes, user_id);

	mt_spi_connect();
	(void) mt_user_state(tenant, user_id, as_caller);

	token = new_secret(PAT_PREFIX);
	strong_random(token_id, sizeof(token_id));
	mt_sha256(token, strlen(token), digest);
	hex_encode((const char *) digest, sizeof(digest), digest_hex);
	digest_hex[sizeof(digest_hex) - 1] = '\0';
	hex_encode((const char *) token_id, sizeof(token_id), token_id_hex);
	token_id_hex[sizeof(token_id_hex) - 1] = '\0';

	if (push_pat_plan == NULL)
	{
		Oid			types[6] = {TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTARRAYOID, TEXTOID};

		push_pat_plan = mt_prepare_kept(
			"SELECT (multitenant.push('user', $2, 'user.pat.added',"
			"  pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object("
			"    'tokenId', $3, 'expiration', $4, 'scopes', $5, 'tokenHash', $6)),"
			"  instance_id => $1)).sequence",
			6, types);
	}
	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(user_id);
	values[2] = CStringGetTextDatum(token_id_hex);
	values[3] = TimestampTzGetDatum(expiration);
	if (scopes != NULL)
		values[4] = PointerGetDatum(scopes);
	else
	{
		values[4] = (Datum) 0;
		nulls[4] = 'n';
	}
	values[5] = CStringGetTextDatum(digest_hex);
	rc = mt_execute_kept(push_pat_plan, values, nulls, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "pushing user.pat.added failed: %s", SPI_result_code_string(rc));
	SPI_finish();

	PG_RETURN_TEXT_P(cstring_to_text(token));
}

/*
 * What authenticate_plan reads, probed directly where it may be
 * (index_probe.c): the token's row by its hash, then its user and the
 * user's organisation by their keys, each within the token's tenant.
 */
static MtIndexProbe pat_by_hash_probe = {
	.table = "personal_access_tokens_projection",
	.nkeys = 1,
	.keys = {{"token_hash", BYTEAOID}},
	.ncolumns = 4,
	.columns = {{"instance_id", TEXTOID}, {"user_id", TEXTOID}, {"scopes", TEXTARRAYOID},
	{"expiration", TIMESTAMPTZOID}},
};
static MtIndexProbe pat_user_probe = {
	.table = "users_projection",
	.nkeys = 2,
	.keys = {{"instance_id", TEXTOID}, {"id", TEXTOID}},
	.ncolumns = 2,
	.columns = {{"state", INT2OID}, {"resource_owner", TEXTOID}},
};
static MtIndexProbe pat_org_probe = {
	.table = "orgs_projection",
	.nkeys = 2,
	.keys = {{"instance_id", TEXTOID}, {"id", TEXTOID}},
	.ncolumns = 1,
	.columns = {{"org_state", INT2OID}},
};
static MtIndexProbe *const pat_probes[] = {&pat_by_hash_probe, &pat_user_probe, &pat_org_probe};

/* Organisations' states, kept per backend where that is exact (row_cache.c). */
static MtRowCache org_state_cache = {
	.name = "multitenant organisation states",
	.probe = &pat_org_probe,
};

/*
 * The scalar subquery of an organisation's state: NULL (*isnull) without a
 * row, the executor's error with more than one.
 */
static Datum
probe_org_state(MtProbeScan *orgs, Snapshot snapshot, Datum tenant, Datum org, bool *isnull)
{
	MtCachedRows rows;

	if (!mt_row_cache_read(&org_state_cache, orgs, snapshot, tenant, org, &rows) || rows.nrows > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("more than one row returned by a subquery used as an expression")));
	*isnull = rows.nrows == 0 || rows.isnull[0][0];
	return *isnull ? (Datum) 0 : rows.values[0][0];
}

/*
 * authenticate_plan's answer by probes: the first token row, in index
 * order, that passes its conditions, as a tuple of desc (valid until the
 * next lookup starts), or NULL.
 */
static HeapTuple
probe_pat(TupleDesc desc, Datum hash, TimestampTz now)
{
	MemoryContext caller_context = MemoryContextSwitchTo(mt_probe_begin_call());
	Snapshot	snapshot = GetActiveSnapshot();
	MtProbeScan pats;
	MtProbeScan users;
	MtProbeScan orgs;
	TupleTableSlot *slot;
	HeapTuple	result = NULL;

	mt_probe_open(&pats, &pat_by_hash_probe);
	mt_probe_open(&users, &pat_user_probe);
	orgs.probe = NULL;			/* opened when it is first probed */
	for (slot = mt_probe_first(&pats, snapshot, &hash); slot != NULL && result == NULL;
		 slot = mt_probe_next(&pats))
	{
		bool		isnull;
		Datum		expiration = mt_probe_get(&pats, 3, &isnull);
		Datum		user_keys[2];
		TupleTableSlot *user;

		if (isnull || DatumGetTimestampTz(expiration) <= now)
			continue;
		user_keys[0] = mt_probe_get(&pats, 0, &isnull);
		if (isnull)
			continue;
		user_keys[1] = mt_probe_get(&pats, 1, &isnull);
		if (isnull)
			continue;
		for (user = mt_probe_first(&users, snapshot, user_keys); user != NULL && result == NULL;
			 user = mt_probe_next(&users))
		{
			int16		state = DatumGetInt16(mt_probe_get(&users, 0, &isnull));
			Datum		org_keys[2];
			int16		org_state = 1;

			if (isnull || (state != 1 && state != 6))
				continue;
			org_keys[0] = user_keys[0];
			org_keys[1] = mt_probe_get(&users, 1, &isnull);
			if (!isnull)
			{
				/* The scalar subquery: NULL without a row, COALESCEd to 1. */
				Datum		value = probe_org_state(&orgs, snapshot, org_keys[0], org_keys[1], &isnull);

				org_state = isnull ? 1 : DatumGetInt16(value);
			}
			if (org_state != 1)
				continue;
			{
				Datum		values[3];
				bool		nulls[3];
				int			i;

				for (i = 0; i < 3; i++)
					values[i] = mt_probe_get(&pats, i, &nulls[i]);
				result = toast_build_flattened_tuple(desc, values, nulls);
			}
		}
	}
	if (orgs.probe != NULL)
		mt_probe_close(&orgs);
	mt_probe_close(&users);
	mt_probe_close(&pats);
	MemoryContextSwitchTo(caller_context);
	return result;
}

/*
 * authenticate_pat(token): the tenant, user and scopes of a token that has
 * not expired or been removed, of a user who is active or initial in an
 * organisation that is not deactivated.  It works before any tenant is set,
 * so it reads across tenants as the extension owner; with a tenant set, a
 * token of another tenant is refused exactly like an unknown one.  It writes
 * nothing (no "last used" stamp), so it leaves no trace another tenant could
 * time or read.
 */
Datum
mt_authenticate_pat(PG_FUNCTION_ARGS)
{
	static const MtLookupTable tables[] = {MT_T_PATS, MT_T_USERS, MT_T_ORGS};
	char	   *token;
	char	   *tenant;
	TupleDesc	desc;
	Tuplestorestate *store;
	Datum		values[2];
	int			rc;
	bool		valid = false;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("personal access token must not be null")));
	token = text_to_cstring(PG_GETARG_TEXT_PP(0));
	(void) mt_lookup_access("authenticate_pat", tables, lengthof(tables));
	store = mt_begin_materialized_srf(fcinfo, &desc);
	tenant = mt_current_tenant_cstring();

	if (strlen(token) <= PAT_MAXLEN &&
		mt_probes_usable(pat_probes, lengthof(pat_probes), mt_extension_owner()))
	{
		HeapTuple	found;

		found = probe_pat(desc, PointerGetDatum(mt_token_hash(token)), GetCurrentStatementStartTimestamp());
		if (found != NULL)
		{
			bool		isnull;
			char	   *owner_tenant = TextDatumGetCString(heap_getattr(found, 1, desc, &isnull));

			valid = tenant == NULL || strcmp(tenant, owner_tenant) == 0;
			if (valid)
				tuplestore_puttuple(store, found);
		}
	}
	else if (strlen(token) <= PAT_MAXLEN)
	{
		values[0] = PointerGetDatum(mt_token_hash(token));
		values[1] = TimestampTzGetDatum(GetCurrentStatementStartTimestamp());

		mt_spi_connect();
		if (authenticate_plan == NULL)
		{
			Oid			types[2] = {BYTEAOID, TIMESTAMPTZOID};

			authenticate_plan = mt_prepare_kept(
				"SELECT p.instance_id, p.user_id, p.scopes"
				"  FROM multitenant.personal_access_tokens_projection AS p"
				"  JOIN multitenant.users_projection AS u"
				"    ON u.instance_id OPERATOR(pg_catalog.=) p.instance_id AND u.id OPERATOR(pg_catalog.=) p.user_id"
				" WHERE p.token_hash OPERATOR(pg_catalog.=) $1"
				"   AND p.expiration OPERATOR(pg_catalog.>) $2"
				"   AND u.state OPERATOR(pg_catalog.=) ANY ('{1,6}'::pg_catalog.int2[])"
				/*
				 * A subplan keyed by both columns: as an anti-join the
				 * planner probed the org key by id alone.
				 */
				"   AND COALESCE((SELECT o.org_state FROM multitenant.orgs_projection AS o"
				"                  WHERE o.instance_id OPERATOR(pg_catalog.=) u.instance_id"
				"                    AND o.id OPERATOR(pg_catalog.=) u.resource_owner), 1)"
				"       OPERATOR(pg_catalog.=) 1",
				2, types);
		}
		MT_AS_ROLE_BEGIN(mt_extension_owner());
		rc = mt_execute_kept(authenticate_plan, values, NULL, true, 1);
		MT_AS_ROLE_END();
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "personal access token lookup failed: %s", SPI_result_code_string(rc));
		if (SPI_processed == 1)
		{
			bool		isnull;
			char	   *owner_tenant = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0],
																		 SPI_tuptable->tupdesc, 1, &isnull));

			valid = tenant == NULL || strcmp(tenant, owner_tenant) == 0;
			if (valid)
				tuplestore_puttuple(store, SPI_tuptable->vals[0]);
		}
		SPI_finish();
	}

	/* One answer for unknown, expired, removed and other tenants' tokens. */
	if (!valid)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("invalid personal access token")));
	return (Datum) 0;
}

/*
 * issue_secret(prefix): a new secret, prefix followed by the unpadded
 * base64url of 32 random bytes, as create_pat makes its tokens.  The caller
 * keeps only its SHA-256.  The prefix is limited to what needs no quoting or
 * escaping wherever the secret travels (URLs, headers, log lines).
 */
Datum
mt_issue_secret(PG_FUNCTION_ARGS)
{
	char	   *prefix;
	size_t		len;
	size_t		i;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("prefix of a secret must not be null")));
	prefix = text_to_cstring(PG_GETARG_TEXT_PP(0));
	len = strlen(prefix);
	if (len > SECRET_PREFIX_MAXLEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("prefix of a secret is too long (%zu bytes, at most %d)", len, SECRET_PREFIX_MAXLEN)));
	for (i = 0; i < len; i++)
	{
		char		c = prefix[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '_'))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("prefix of a secret may contain only ASCII letters, digits and underscores")));
	}
	PG_RETURN_TEXT_P(cstring_to_text(new_secret(prefix)));
}
