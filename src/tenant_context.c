/*-------------------------------------------------------------------------
 *
 * tenant_context.c
 *	  The tenant of a session: set_tenant, current_tenant, reset_tenant,
 *	  signed tenant tokens, and the access checks built on them.
 *
 * The tenant lives in the setting multitenant.tenant so that SET LOCAL works
 * through transaction-mode poolers.  In signed mode the setting holds a token
 * "<tenant>.<expiry>.<hmac>", where expiry is in Unix seconds and hmac is the
 * lower-case hex HMAC-SHA256 (OpenSSL) of "<tenant>.<expiry>" under
 * multitenant.signing_key; the tenant is parsed from the right, so it may
 * itself contain dots.
 *
 *-------------------------------------------------------------------------
 */
#include "multitenant.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/core_names.h>
#include <openssl/params.h>
#endif

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/extension.h"
#include "common/sha2.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(mt_current_tenant);
PG_FUNCTION_INFO_V1(mt_set_tenant);
PG_FUNCTION_INFO_V1(mt_reset_tenant);
PG_FUNCTION_INFO_V1(mt_sign_tenant);

#define HMAC_HEX_LEN (PG_SHA256_DIGEST_LENGTH * 2)

/* The last token that verified, so policies pay for HMAC once per token. */
static char *verified_token = NULL;
static char *verified_tenant = NULL;
static pg_time_t verified_expiry = 0;
static uint64 verified_key_generation = 0;

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
/*
 * An HMAC context keyed with the signing key, made once per key: setting up
 * HMAC-SHA256 from scratch (what HMAC() does) costs three times as much as
 * copying a keyed context, and tokens are verified on every tenant entry.
 */
static EVP_MAC_CTX *keyed_hmac = NULL;
static uint64 keyed_hmac_generation = 0;

static EVP_MAC_CTX *
keyed_hmac_context(void)
{
	if (keyed_hmac != NULL && keyed_hmac_generation == mt_signing_key_generation)
		return keyed_hmac;
	if (keyed_hmac != NULL)
		EVP_MAC_CTX_free(keyed_hmac);
	keyed_hmac = NULL;
	{
		EVP_MAC   *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		OSSL_PARAM params[2];
		EVP_MAC_CTX *ctx;

		if (mac == NULL)
			elog(ERROR, "could not fetch OpenSSL's HMAC");
		ctx = EVP_MAC_CTX_new(mac);
		EVP_MAC_free(mac);
		params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *) "SHA256", 0);
		params[1] = OSSL_PARAM_construct_end();
		if (ctx == NULL ||
			EVP_MAC_init(ctx, (const unsigned char *) mt_signing_key, strlen(mt_signing_key), params) != 1)
		{
			EVP_MAC_CTX_free(ctx);
			elog(ERROR, "could not key HMAC-SHA256 for tenant tokens");
		}
		keyed_hmac = ctx;
		keyed_hmac_generation = mt_signing_key_generation;
	}
	return keyed_hmac;
}
#endif

static void
compute_token_hmac(const char *message, size_t len, char *hex_out)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(keyed_hmac_context());
	size_t		digest_len = 0;
	bool		ok;

	ok = ctx != NULL &&
		EVP_MAC_update(ctx, (const unsigned char *) message, len) == 1 &&
		EVP_MAC_final(ctx, digest, &digest_len, sizeof(digest)) == 1;
	EVP_MAC_CTX_free(ctx);
	if (!ok || digest_len != PG_SHA256_DIGEST_LENGTH)
		elog(ERROR, "could not compute HMAC-SHA256 of a tenant token");
#else
	unsigned int digest_len = 0;

	if (HMAC(EVP_sha256(), mt_signing_key, (int) strlen(mt_signing_key),
			 (const unsigned char *) message, len, digest, &digest_len) == NULL ||
		digest_len != PG_SHA256_DIGEST_LENGTH)
		elog(ERROR, "could not compute HMAC-SHA256 of a tenant token");
#endif
	hex_encode((const char *) digest, PG_SHA256_DIGEST_LENGTH, hex_out);
	hex_out[HMAC_HEX_LEN] = '\0';
}

static bool
signing_possible(void)
{
	return mt_loaded_at_startup && mt_signing_key != NULL && mt_signing_key[0] != '\0';
}

static void
require_signing(void)
{
	if (!signing_possible())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tenant tokens cannot be verified: signing is not configured"),
				 errhint("Set multitenant.signing_key and load multitenant through shared_preload_libraries.")));
}

static pg_time_t
statement_time(void)
{
	return timestamptz_to_time_t(GetCurrentStatementStartTimestamp());
}

/*
 * Returns the tenant a token names if its signature is right and it has not
 * expired at the start of the current statement, else NULL.  Never raises for
 * a malformed token: forged input must look like no tenant at all.
 */
static const char *
verify_token(const char *token)
{
	const char *sig_dot;
	const char *expiry_dot;
	const char *p;
	char		expected[HMAC_HEX_LEN + 1];
	char		expiry_digits[24];
	size_t		expiry_len;
	pg_time_t	expiry;
	MemoryContext oldcxt;

	if (!signing_possible())
		return NULL;

	if (verified_token != NULL &&
		verified_key_generation == mt_signing_key_generation &&
		strcmp(token, verified_token) == 0)
		return verified_expiry > statement_time() ? verified_tenant : NULL;

	sig_dot = strrchr(token, '.');
	if (sig_dot == NULL || sig_dot == token)
		return NULL;
	if (strlen(sig_dot + 1) != HMAC_HEX_LEN)
		return NULL;
	for (expiry_dot = sig_dot - 1; expiry_dot > token && *expiry_dot != '.'; expiry_dot--)
		;
	if (expiry_dot <= token)		/* no dot, or an empty tenant */
		return NULL;
	expiry_len = sig_dot - expiry_dot - 1;
	if (expiry_len == 0 || expiry_len > 18)
		return NULL;
	for (p = expiry_dot + 1; p < sig_dot; p++)
		if (*p < '0' || *p > '9')
			return NULL;
	memcpy(expiry_digits, expiry_dot + 1, expiry_len);
	expiry_digits[expiry_len] = '\0';
	expiry = (pg_time_t) strtoll(expiry_digits, NULL, 10);

	compute_token_hmac(token, sig_dot - token, expected);
	if (CRYPTO_memcmp(expected, sig_dot + 1, HMAC_HEX_LEN) != 0)
		return NULL;

	oldcxt = MemoryContextSwitchTo(TopMemoryContext);
	if (verified_token)
		pfree(verified_token);
	if (verified_tenant)
		pfree(verified_tenant);
	verified_token = pstrdup(token);
	verified_tenant = pnstrdup(token, expiry_dot - token);
	verified_expiry = expiry;
	verified_key_generation = mt_signing_key_generation;
	MemoryContextSwitchTo(oldcxt);

	return expiry > statement_time() ? verified_tenant : NULL;
}

/*
 * The current tenant as a palloc'd C string, or NULL when none is set, the
 * setting is empty, or (signed mode) the token does not verify.
 */
char *
mt_current_tenant_cstring(void)
{
	const char *raw = mt_tenant_setting;
	const char *tenant;

	if (raw == NULL || raw[0] == '\0')
		return NULL;
	if (!mt_require_signed_context)
		return pstrdup(raw);
	tenant = verify_token(raw);
	return tenant ? pstrdup(tenant) : NULL;
}

Datum
mt_current_tenant(PG_FUNCTION_ARGS)
{
	char	   *tenant = mt_current_tenant_cstring();

	if (tenant == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(tenant));
}

/*
 * Refuses NULL, empty and oversized identifiers with a message naming them.
 */
void
mt_check_identifier(const char *value, const char *what)
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
	if (len > MT_IDENTIFIER_MAXLEN)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("%s is too long (%zu bytes, at most %d)",
						what, len, MT_IDENTIFIER_MAXLEN)));
}

bool
mt_caller_is_admin(void)
{
	Oid			admin = get_role_oid("multitenant_admin", true);
	Oid			caller = GetUserId();

	return superuser_arg(caller) ||
		(OidIsValid(admin) && has_privs_of_role(caller, admin));
}

/*
 * A caller that is not an administrator may only act inside its own tenant.
 */
void
mt_check_tenant_access(const char *instance_id)
{
	char	   *current;

	if (mt_caller_is_admin())
		return;
	current = mt_current_tenant_cstring();
	if (current == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("no tenant is set, so tenant \"%s\" cannot be written", instance_id),
				 errhint("Call multitenant.set_tenant() first.")));
	if (strcmp(current, instance_id) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("tenant \"%s\" is not the current tenant", instance_id)));
}

/*
 * The owner of the extension, as whom the event store is written.
 */
Oid
mt_extension_owner(void)
{
	Oid			relid = mt_events_relid();
	HeapTuple	tuple;
	Oid			owner;

	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

static void
set_tenant_setting(const char *value, bool is_local)
{
	(void) set_config_option("multitenant.tenant", value,
							 superuser() ? PGC_SUSET : PGC_USERSET,
							 PGC_S_SESSION,
							 is_local ? GUC_ACTION_LOCAL : GUC_ACTION_SET,
							 true, 0, false);
}

/*
 * The one-round-trip entry of the lookups: a signed token enters its tenant
 * for the rest of the current transaction only (an implicit one ends with the
 * statement), exactly as set_tenant(..., is_local => true) would.
 */
void
mt_enter_tenant_token(const char *token)
{
	const char *tenant;

	require_signing();
	tenant = verify_token(token);
	if (tenant == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("invalid or expired tenant token")));
	set_tenant_setting(mt_require_signed_context ? token : tenant, true);
}

/*
 * The tenant a tenant-scoped lookup works in: the one the optional token
 * enters, else the current one.  There is no lookup without a tenant.
 */
char *
mt_lookup_tenant(const char *token, const char *function_name)
{
	char	   *tenant;

	if (token != NULL)
		mt_enter_tenant_token(token);
	tenant = mt_current_tenant_cstring();
	if (tenant == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s needs a tenant, and no tenant is set", function_name),
				 errhint("Call multitenant.set_tenant() first, or pass a token made by multitenant.sign_tenant() as tenant_token.")));
	return tenant;
}

Datum
mt_set_tenant(PG_FUNCTION_ARGS)
{
	char	   *instance_id = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *token = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	bool		is_local = PG_ARGISNULL(2) ? false : PG_GETARG_BOOL(2);

	mt_check_identifier(instance_id, "tenant id");

	if (is_local && !IsTransactionBlock())
		ereport(ERROR,
				(errcode(ERRCODE_NO_ACTIVE_SQL_TRANSACTION),
				 errmsg("set_tenant with is_local => true must be called inside a transaction block"),
				 errhint("Use BEGIN first; outside a transaction the tenant would end immediately.")));

	if (token == NULL && mt_require_signed_context)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("tenant \"%s\" requires a signed token", instance_id),
				 errhint("multitenant.require_signed_context is on; pass a token made by multitenant.sign_tenant().")));

	if (token != NULL)
	{
		const char *tenant;

		require_signing();
		tenant = verify_token(token);
		if (tenant == NULL || strcmp(tenant, instance_id) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
					 errmsg("invalid or expired token for tenant \"%s\"", instance_id)));
	}

	set_tenant_setting(mt_require_signed_context ? token : instance_id, is_local);
	PG_RETURN_VOID();
}

Datum
mt_reset_tenant(PG_FUNCTION_ARGS)
{
	set_tenant_setting("", false);
	PG_RETURN_VOID();
}

Datum
mt_sign_tenant(PG_FUNCTION_ARGS)
{
	char	   *instance_id = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	Interval   *ttl;
	TimestampTz now = GetCurrentTimestamp();
	TimestampTz expires;
	StringInfoData token;
	char		hex[HMAC_HEX_LEN + 1];

	mt_check_identifier(instance_id, "tenant id");
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("token lifetime for tenant \"%s\" must not be null", instance_id)));
	ttl = PG_GETARG_INTERVAL_P(1);
	if (!signing_possible())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot sign a token for tenant \"%s\": signing is not configured", instance_id),
				 errhint("Set multitenant.signing_key and load multitenant through shared_preload_libraries.")));

	expires = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
													  TimestampTzGetDatum(now),
													  IntervalPGetDatum(ttl)));
	if (expires <= now)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("token lifetime for tenant \"%s\" must be positive", instance_id)));

	initStringInfo(&token);
	appendStringInfo(&token, "%s.%lld", instance_id,
					 (long long) timestamptz_to_time_t(expires));
	compute_token_hmac(token.data, token.len, hex);
	appendStringInfo(&token, ".%s", hex);
	PG_RETURN_TEXT_P(cstring_to_text(token.data));
}
