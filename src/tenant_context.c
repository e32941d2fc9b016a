/*-------------------------------------------------------------------------
 *
 * tenant_context.c
 *	  The tenant of a session: set_tenant, current_tenant, reset_tenant,
 *	  signed tenant tokens, the acting principal, the tenants that may not
 *	  be entered, and the access checks built on them.
 *
 * The tenant lives in the setting multitenant.tenant, defined here, so that
 * SET LOCAL works through transaction-mode poolers.  In signed mode the
 * setting holds a token "<tenant>.<expiry>.<hmac>", where expiry is in Unix
 * seconds and hmac is the lower-case hex HMAC-SHA256 (OpenSSL) of
 * "<tenant>.<expiry>" under multitenant.signing_key; the tenant is parsed
 * from the right, so it may itself contain dots.  A token that names an
 * actor has a format of its own (see TOKEN_V2_PREFIX).  The actor, the
 * acting principal, comes from the token in signed mode and from the
 * setting multitenant.actor otherwise.
 *
 * The tenants registry (multitenant.tenants) can mark a tenant suspended or
 * inactive: it then cannot be entered, and current_tenant() is NULL inside
 * it (see blocked_tenant_status).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/core_names.h>
#include <openssl/params.h>
#endif

#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "common/sha2.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "tcop/dest.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "multitenant.h"
#include "settings.h"
#include "tenant_context.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_current_tenant);
PG_FUNCTION_INFO_V1(mt_set_tenant);
PG_FUNCTION_INFO_V1(mt_reset_tenant);
PG_FUNCTION_INFO_V1(mt_sign_tenant);
PG_FUNCTION_INFO_V1(mt_tenants_changed);
PG_FUNCTION_INFO_V1(mt_current_actor);

#define HMAC_HEX_LEN (PG_SHA256_DIGEST_LENGTH * 2)

static void append_hex(StringInfo buf, const char *value);

/* multitenant.tenant: the tenant, or in signed mode the token. */
static char *tenant_setting = NULL;

static ExecutorStart_hook_type prev_executor_start = NULL;

/*
 * Tokens whose signature verified, so that a token pays for its HMAC once
 * per backend and signing key rather than on every entry and in every
 * policy: a backend behind a pooler serves many tenants in turn, and a
 * one-entry cache missed on every switch.  The table holds at most
 * VERIFIED_TOKENS_MAX tokens (it starts over when full, and whenever the
 * signing key changes), each with what it names and its expiry, which is
 * compared with the statement's start on every use as on the first.  A
 * token that does not verify is never kept.  multitenant.token_cache = off
 * verifies every token again, as a cache miss does.
 */
#define VERIFIED_TOKENS_MAX 4096

typedef struct VerifiedToken
{
	const char *token;			/* hash key: the token's text, in the table's context */
	char	   *tenant;
	char	   *actor;			/* NULL for a token without one */
	pg_time_t	expiry;
} VerifiedToken;

static HTAB *verified_tokens = NULL;
static MemoryContext verified_tokens_context = NULL;
static uint64 verified_key_generation = 0;

static uint32
verified_token_hash(const void *key, Size keysize)
{
	const char *token = *(const char *const *) key;

	return hash_bytes((const unsigned char *) token, strlen(token));
}

static int
verified_token_match(const void *key1, const void *key2, Size keysize)
{
	return strcmp(*(const char *const *) key1, *(const char *const *) key2);
}

/* Forgets every verified token and makes the table anew. */
static void
reset_verified_tokens(void)
{
	HASHCTL		ctl;

	if (verified_tokens_context == NULL)
		verified_tokens_context = AllocSetContextCreate(TopMemoryContext, "multitenant verified tokens",
														ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(verified_tokens_context);
	ctl.keysize = sizeof(const char *);
	ctl.entrysize = sizeof(VerifiedToken);
	ctl.hash = verified_token_hash;
	ctl.match = verified_token_match;
	ctl.hcxt = verified_tokens_context;
	verified_tokens = hash_create("multitenant verified tokens", 64, &ctl,
								  HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	verified_key_generation = mt_signing_key_generation;
}

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
 * A token that carries an actor has its own format,
 * "mt2.<hex tenant>.<hex actor>.<expiry>.<hmac>", whose HMAC covers
 * TOKEN_V2_LABEL with its terminating NUL before the token's text up to the
 * signature.  No token text holds a NUL, so the message of a token without
 * an actor never equals that of a token with one: neither kind can be
 * re-read as the other, whatever dots a tenant id holds.
 */
#define TOKEN_V2_PREFIX "mt2."
#define TOKEN_V2_LABEL "multitenant tenant token with actor"

static bool
parse_expiry(const char *p, const char *end, pg_time_t *expiry)
{
	char		digits[24];
	size_t		len = end - p;
	const char *c;

	if (len == 0 || len > 18)
		return false;
	for (c = p; c < end; c++)
		if (*c < '0' || *c > '9')
			return false;
	memcpy(digits, p, len);
	digits[len] = '\0';
	*expiry = (pg_time_t) strtoll(digits, NULL, 10);
	return true;
}

/* Lower-case hex of an identifier (1 to MT_IDENTIFIER_MAXLEN bytes), decoded. */
static char *
decode_hex_identifier(const char *p, size_t len)
{
	char	   *out;
	size_t		i;

	if (len == 0 || len % 2 != 0 || len > 2 * MT_IDENTIFIER_MAXLEN)
		return NULL;
	for (i = 0; i < len; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return NULL;
	out = palloc(len / 2 + 1);
	hex_decode(p, len, out);
	out[len / 2] = '\0';
	if (strlen(out) != len / 2)
		return NULL;			/* a NUL byte: no identifier */
	return out;
}

/*
 * Splits a token (or any value shaped like one) into tenant, actor (NULL for
 * a token without one), expiry and signature; false if it is not shaped like
 * a token of either format.
 */
static bool
parse_token(const char *token, char **tenant, char **actor, pg_time_t *expiry,
			const char **sig_dot_out, bool *with_actor)
{
	const char *sig_dot = strrchr(token, '.');
	const char *expiry_dot;

	if (sig_dot == NULL || sig_dot == token || strlen(sig_dot + 1) != HMAC_HEX_LEN)
		return false;
	*sig_dot_out = sig_dot;
	for (expiry_dot = sig_dot - 1; expiry_dot > token && *expiry_dot != '.'; expiry_dot--)
		;
	if (expiry_dot <= token)		/* no dot, or an empty tenant */
		return false;
	if (!parse_expiry(expiry_dot + 1, sig_dot, expiry))
		return false;

	if (strncmp(token, TOKEN_V2_PREFIX, strlen(TOKEN_V2_PREFIX)) == 0)
	{
		const char *tenant_hex = token + strlen(TOKEN_V2_PREFIX);
		const char *actor_dot = memchr(tenant_hex, '.', expiry_dot - tenant_hex);

		if (actor_dot != NULL &&
			memchr(actor_dot + 1, '.', expiry_dot - actor_dot - 1) == NULL &&
			(*tenant = decode_hex_identifier(tenant_hex, actor_dot - tenant_hex)) != NULL &&
			(*actor = decode_hex_identifier(actor_dot + 1, expiry_dot - actor_dot - 1)) != NULL)
		{
			*with_actor = true;
			return true;
		}
	}
	*tenant = pnstrdup(token, expiry_dot - token);
	*actor = NULL;
	*with_actor = false;
	return true;
}

static bool
token_signature_ok(const char *token, const char *sig_dot, bool with_actor)
{
	char		expected[HMAC_HEX_LEN + 1];

	if (with_actor)
	{
		size_t		label_len = sizeof(TOKEN_V2_LABEL);
		size_t		len = sig_dot - token;
		char	   *message = palloc(label_len + len);

		memcpy(message, TOKEN_V2_LABEL, label_len);
		memcpy(message + label_len, token, len);
		compute_token_hmac(message, label_len + len, expected);
		pfree(message);
	}
	else
		compute_token_hmac(token, sig_dot - token, expected);
	return CRYPTO_memcmp(expected, sig_dot + 1, HMAC_HEX_LEN) == 0;
}

/*
 * Returns the tenant a token names if its signature is right and it has not
 * expired at the start of the current statement, else NULL; *actor (if
 * asked for) is then the token's actor or NULL.  Never raises for a
 * malformed token: forged input must look like no tenant at all.  A value
 * shaped like a token with an actor that does not verify as one may still
 * be a token without an actor for a tenant whose id looks like that.
 */
static const char *
verify_token(const char *token, const char **actor_out)
{
	const char *sig_dot;
	char	   *tenant;
	char	   *actor;
	pg_time_t	expiry;
	bool		with_actor;

	if (actor_out)
		*actor_out = NULL;
	if (!signing_possible())
		return NULL;

	if (verified_tokens == NULL || verified_key_generation != mt_signing_key_generation)
		reset_verified_tokens();
	if (mt_token_cache)
	{
		VerifiedToken *entry = hash_search(verified_tokens, &token, HASH_FIND, NULL);

		if (entry != NULL)
		{
			if (entry->expiry <= statement_time())
				return NULL;
			if (actor_out)
				*actor_out = entry->actor;
			return entry->tenant;
		}
	}

	if (!parse_token(token, &tenant, &actor, &expiry, &sig_dot, &with_actor))
		return NULL;
	if (!token_signature_ok(token, sig_dot, with_actor))
	{
		const char *expiry_dot = sig_dot - 1;

		if (!with_actor || !token_signature_ok(token, sig_dot, false))
			return NULL;
		/* parse_token found this dot, after a non-empty tenant */
		while (*expiry_dot != '.')
			expiry_dot--;
		tenant = pnstrdup(token, expiry_dot - token);
		actor = NULL;
	}

	/* Kept also with the cache off: the caller reads the answer from it. */
	if (hash_get_num_entries(verified_tokens) >= VERIFIED_TOKENS_MAX)
		reset_verified_tokens();
	{
		char	   *key = MemoryContextStrdup(verified_tokens_context, token);
		bool		found;
		VerifiedToken *entry = hash_search(verified_tokens, &key, HASH_ENTER, &found);

		if (!found)
		{
			entry->token = key;
			entry->tenant = MemoryContextStrdup(verified_tokens_context, tenant);
			entry->actor = actor ? MemoryContextStrdup(verified_tokens_context, actor) : NULL;
			entry->expiry = expiry;
		}
		else
			pfree(key);
		if (expiry <= statement_time())
			return NULL;
		if (actor_out)
			*actor_out = entry->actor;
		return entry->tenant;
	}
}

/*
 * The tenants that the registry (multitenant.tenants) marks suspended or
 * inactive, cached per backend: current_tenant() runs once per row in every
 * policy, so it must not read the table each time.  Every change to the registry
 * invalidates its relcache entry (its tenants_changed trigger), which drops
 * the cache; this backend's own changes arrive at the next command, other
 * backends' at their next statement.  A database without the registry
 * (before 1.3) restricts nothing, and looks for it again on every call.
 */
typedef struct BlockedTenant
{
	char		tenant[MT_IDENTIFIER_MAXLEN + 1];	/* hash key */
	char		status[NAMEDATALEN];
} BlockedTenant;

static HTAB *blocked_tenants = NULL;
static Oid	registry_relid = InvalidOid;
static bool registry_loaded = false;
static bool registry_invalidated = false;

static void
registry_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == registry_relid)
	{
		registry_loaded = false;
		registry_invalidated = true;
	}
}

/*
 * Reads the registry directly, not through SPI: its policies call
 * current_tenant(), and the caller may see no row of it at all.  The catalog
 * snapshot sees every committed change (and this transaction's own), even
 * in a transaction that keeps an older snapshot for its queries, and may be
 * taken inside parallel workers.
 */
static void
load_registry(void)
{
	Oid			relid = mt_relation_oid("tenants", true);
	HASHCTL		ctl;
	HTAB	   *blocked;
	Relation	rel;
	Snapshot	snapshot;
	TableScanDesc scan;
	TupleTableSlot *slot;
	AttrNumber	id_att;
	AttrNumber	status_att;

	if (blocked_tenants != NULL)
		hash_destroy(blocked_tenants);
	blocked_tenants = NULL;
	registry_relid = relid;
	if (!OidIsValid(relid))
		return;

	rel = table_open(relid, AccessShareLock);
	registry_invalidated = false;
	id_att = get_attnum(relid, "id");
	status_att = get_attnum(relid, "status");
	if (id_att == InvalidAttrNumber || status_att == InvalidAttrNumber)
		elog(ERROR, "multitenant.tenants has no id or status column");

	ctl.keysize = MT_IDENTIFIER_MAXLEN + 1;
	ctl.entrysize = sizeof(BlockedTenant);
	blocked = hash_create("multitenant blocked tenants", 16, &ctl, HASH_ELEM | HASH_STRINGS);

	PG_TRY();
	{
		/* Relcache invalidations leave the catalog snapshot as it was. */
		InvalidateCatalogSnapshot();
		snapshot = RegisterSnapshot(GetCatalogSnapshot(relid));
		scan = table_beginscan(rel, snapshot, 0, NULL);
		slot = table_slot_create(rel, NULL);
		while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
		{
			bool		isnull;
			Datum		status_datum = slot_getattr(slot, status_att, &isnull);
			char	   *status;
			char	   *tenant;
			BlockedTenant *entry;

			if (isnull)
				continue;
			status = TextDatumGetCString(status_datum);
			if (strcmp(status, "active") == 0)
				continue;
			tenant = TextDatumGetCString(slot_getattr(slot, id_att, &isnull));
			if (strlen(tenant) > MT_IDENTIFIER_MAXLEN)
				continue;		/* never an enterable tenant id */
			entry = hash_search(blocked, tenant, HASH_ENTER, NULL);
			strlcpy(entry->status, status, sizeof(entry->status));
		}
		ExecDropSingleTupleTableSlot(slot);
		table_endscan(scan);
		UnregisterSnapshot(snapshot);
	}
	PG_CATCH();
	{
		hash_destroy(blocked);
		PG_RE_THROW();
	}
	PG_END_TRY();
	table_close(rel, AccessShareLock);

	blocked_tenants = blocked;
	/* An invalidation that came in while reading means: read again. */
	registry_loaded = !registry_invalidated;
}

/*
 * The status of a tenant the registry marks suspended or inactive, NULL for
 * an enterable one (active, or not in the registry).
 */
static const char *
blocked_tenant_status(const char *tenant)
{
	BlockedTenant *entry;

	if (!IsTransactionState())
		return NULL;
	if (!registry_loaded)
		load_registry();
	if (blocked_tenants == NULL || hash_get_num_entries(blocked_tenants) == 0 ||
		strlen(tenant) > MT_IDENTIFIER_MAXLEN)
		return NULL;
	entry = hash_search(blocked_tenants, tenant, HASH_FIND, NULL);
	return entry ? entry->status : NULL;
}

static AttrNumber
get_status_attnum(TupleDesc desc)
{
	int			attnum = SPI_fnumber(desc, "status");

	if (attnum <= 0)
		elog(ERROR, "multitenant.tenants has no status column");
	return (AttrNumber) attnum;
}

/* A registry row that is not active: its tenant is in the blocked set. */
static bool
row_blocks(HeapTuple tuple, TupleDesc desc)
{
	bool		isnull;
	Datum		status = heap_getattr(tuple, get_status_attnum(desc), desc, &isnull);

	return !isnull && strcmp(TextDatumGetCString(status), "active") != 0;
}

/*
 * The registry's triggers.  As a row trigger: every backend's cache of
 * blocked tenants must drop what it knows when the row can change that set
 * (a blocked row inserted, deleted, or updated from or to blocked), and only then, so
 * that registrations of active tenants leave the caches and plans of other
 * backends alone.  As a statement trigger after DELETE or TRUNCATE (a
 * rebuild, an instance.removed): the system tenant's row, which no event
 * writes, comes back, written as the extension's owner whoever deleted it.
 */
Datum
mt_tenants_changed(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr keep_system_plan = NULL;
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "tenants_changed must be called as a trigger");
	if (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
	{
		TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
		bool		changes_blocked;

		/* Only rows that are not active are in the set. */
		changes_blocked = row_blocks(trigdata->tg_trigtuple, desc) ||
			(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) && row_blocks(trigdata->tg_newtuple, desc));
		if (changes_blocked)
			CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
		return PointerGetDatum(NULL);
	}
	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) || TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
	{
		mt_spi_connect();
		MT_AS_ROLE_BEGIN(mt_extension_owner());
		if (keep_system_plan == NULL)
			keep_system_plan = mt_prepare_kept(
											   "INSERT INTO multitenant.tenants"
											   " (instance_id, id, name, type, status, settings, created_at, changed_at)"
											   " SELECT 'system', 'system', 'System', 'enterprise', 'active', '{}'::pg_catalog.jsonb,"
											   " '2000-01-01 00:00:00+00'::pg_catalog.timestamptz, '2000-01-01 00:00:00+00'::pg_catalog.timestamptz"
											   " WHERE NOT EXISTS (SELECT FROM multitenant.tenants AS t"
											   " WHERE t.instance_id OPERATOR(pg_catalog.=) 'system')",
											   0, NULL);
		if (mt_execute_kept(keep_system_plan, NULL, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not restore the system tenant's row");
		MT_AS_ROLE_END();
		SPI_finish();
	}
	return PointerGetDatum(NULL);
}

static void
require_enterable(const char *tenant)
{
	const char *status = blocked_tenant_status(tenant);

	if (status != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tenant \"%s\" is %s and cannot be entered", tenant, status),
				 errhint("An administrator can reactivate it with multitenant.set_tenant_status().")));
}

/*
 * multitenant.tenant's own GUC record: its stack tells a value that ends with
 * the transaction (SET LOCAL, set_tenant(..., is_local => true), a function's
 * SET clause) from one that outlasts it.
 */
static struct config_generic *tenant_record = NULL;

/*
 * The tenant the current transaction entered or read, in TopMemoryContext;
 * NULL until it does.  Forgotten when the transaction ends.
 */
static char *xact_tenant = NULL;

/* Likewise the actor the current transaction set or read. */
static char *xact_actor = NULL;

/* multitenant.actor and its GUC record (see check_actor_setting). */
static char *actor_setting = NULL;
static struct config_generic *actor_record = NULL;

/*
 * Whether the setting's current value outlasts the current transaction: no
 * stacked value (it came from an earlier transaction, the configuration, a
 * role or database setting, or the connection), or a plain SET in this one.
 */
static bool
setting_outlasts_transaction(struct config_generic *record)
{
	GucStack   *stack = record->stack;

	return stack == NULL || stack->state == GUC_SET;
}

/*
 * Behind a transaction-mode pooler, a value that outlasts the transaction is
 * seen by the next client of the server connection.  With session tenants
 * off such a value is an error wherever the tenant is read, so that neither
 * the client that set it nor the next one works in it.  (A parallel worker
 * cannot tell, since its values arrive without their stack; the leader
 * checks for it before the workers start, see tenant_executor_start.)
 */
static bool
session_value_refused(void)
{
	return !mt_session_tenant && !IsParallelWorker() && setting_outlasts_transaction(tenant_record);
}

static void
refuse_session_value(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("multitenant.tenant is set for the whole session, but multitenant.session_tenant is off"),
			 errdetail("Behind a transaction-mode connection pooler, a session-wide tenant would pass to the next client of the connection."),
			 errhint("Enter the tenant for one transaction: multitenant.set_tenant(..., is_local => true) or SET LOCAL inside BEGIN ... COMMIT, or a lookup's tenant_token; RESET multitenant.tenant clears the session value.")));
}

/* Records the transaction's tenant or actor, if it has none yet. */
static void
remember_for_xact(char **slot, const char *value)
{
	if (*slot == NULL && IsTransactionState())
		*slot = MemoryContextStrdup(TopMemoryContext, value);
}

static void
forget_for_xact(char **slot)
{
	if (*slot != NULL)
		pfree(*slot);
	*slot = NULL;
}

/* Leaving the transaction's tenant leaves its actor too. */
static void
forget_xact_tenant(void)
{
	forget_for_xact(&xact_tenant);
	forget_for_xact(&xact_actor);
}

static void
tenant_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			forget_xact_tenant();
			break;
		default:
			break;
	}
}

/*
 * The tenant (and actor) named by a value of the setting: in signed mode
 * those of the token if it verifies, else of its shape, without verifying;
 * NULL if the value is not shaped like a token (it then enters no tenant).
 */
static char *
tenant_of_value(const char *value, char **actor)
{
	const char *verified;
	const char *verified_act;
	const char *sig_dot;
	pg_time_t	expiry;
	bool		with_actor;
	char	   *tenant;

	*actor = NULL;
	if (!mt_require_signed_context)
		return pstrdup(value);
	verified = verify_token(value, &verified_act);
	if (verified != NULL)
	{
		*actor = verified_act ? pstrdup(verified_act) : NULL;
		return pstrdup(verified);
	}
	if (!parse_token(value, &tenant, actor, &expiry, &sig_dot, &with_actor))
		return NULL;
	return tenant;
}

/*
 * The actor, like the tenant, is one per transaction: once the transaction
 * set or read one, a different one is refused (an administrator switches).
 * No actor (an empty multitenant.actor, a token without one) is always
 * allowed.
 */
static bool
check_actor_change(const char *requested)
{
	if (xact_actor != NULL && strcmp(xact_actor, requested) != 0)
	{
		if (!mt_caller_is_admin())
		{
			GUC_check_errcode(ERRCODE_INVALID_TRANSACTION_STATE);
			GUC_check_errmsg("cannot act as \"%s\": this transaction already acts as \"%s\"",
							 requested, xact_actor);
			GUC_check_errhint("A transaction has one actor; commit or roll back before acting as another.");
			return false;
		}
		forget_for_xact(&xact_actor);
	}
	remember_for_xact(&xact_actor, requested);
	return true;
}

/*
 * A tenant may be entered (set_tenant, SET [LOCAL], a lookup's tenant_token,
 * a function's SET clause) unless the transaction already entered or read a
 * different one: a cursor opened in one tenant would otherwise go on in
 * another, and one statement could join the rows of two.  Leaving is always
 * allowed.  Administrators see every tenant anyway and may switch (their
 * reset also ends the transaction's tenant: a trusted setup that runs the
 * application role's statements inside its own transaction enters for it).
 */
static bool
check_tenant_setting(char **newval, void **extra, GucSource source)
{
	char	   *requested;
	char	   *actor;

	if (source == PGC_S_TEST || !IsTransactionState())
		return true;
	if (*newval == NULL || (*newval)[0] == '\0')
	{
		/* An administrator's reset lets the transaction enter anew. */
		if (xact_tenant != NULL && mt_caller_is_admin())
			forget_xact_tenant();
		return true;
	}
	requested = tenant_of_value(*newval, &actor);
	if (requested == NULL)
		return true;

	/*
	 * On one server a session in a suspended tenant sees nothing.  Under
	 * Citus the setting travels on to the workers, which do not have the
	 * registry (it stays on the coordinator): the coordinator must refuse it
	 * before it leaves.
	 */
	if (mt_citus_installed())
	{
		const char *status = blocked_tenant_status(requested);

		if (status != NULL)
		{
			GUC_check_errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
			GUC_check_errmsg("tenant \"%s\" is %s and cannot be entered", requested, status);
			GUC_check_errhint("An administrator can reactivate it with multitenant.set_tenant_status().");
			return false;
		}
	}
	if (xact_tenant != NULL && strcmp(xact_tenant, requested) != 0)
	{
		if (!mt_caller_is_admin())
		{
			GUC_check_errcode(ERRCODE_INVALID_TRANSACTION_STATE);
			GUC_check_errmsg("cannot enter tenant \"%s\": this transaction already entered tenant \"%s\"",
							 requested, xact_tenant);
			GUC_check_errhint("A transaction works in one tenant; commit or roll back before entering another.");
			return false;
		}
		forget_xact_tenant();
	}
	if (actor != NULL && !check_actor_change(actor))
		return false;
	remember_for_xact(&xact_tenant, requested);
	pfree(requested);
	return true;
}

/*
 * Plans that name the tenant (tenant_routing.c, under Citus) are right only
 * under the setting they were planned under: entering another tenant drops
 * every cached plan of the backend, so that each is planned again.  Only the
 * hash of that setting is kept (a token is long); a collision would at worst
 * keep a plan that RLS then leaves without rows.  Leaving the tenant drops
 * nothing: without a tenant no row passes the policies anyway.
 */
static bool plans_name_tenant = false;
static uint32 plans_tenant_hash = 0;

void
mt_note_plan_names_tenant(void)
{
	const char *raw = tenant_setting ? tenant_setting : "";

	plans_tenant_hash = hash_bytes((const unsigned char *) raw, strlen(raw));
	plans_name_tenant = true;
}

static void
assign_tenant_setting(const char *newval, void *extra)
{
	if (plans_name_tenant && newval != NULL && newval[0] != '\0' &&
		hash_bytes((const unsigned char *) newval, strlen(newval)) != plans_tenant_hash)
	{
		ResetPlanCache();
		plans_name_tenant = false;
	}
}

/*
 * multitenant.actor: the acting principal in unsigned mode, set by the
 * trusted application as it sets the tenant.  (In signed mode the actor
 * comes from the token only, and this setting is ignored.)
 */
static bool
check_actor_setting(char **newval, void **extra, GucSource source)
{
	if (*newval != NULL && strlen(*newval) > MT_IDENTIFIER_MAXLEN)
	{
		GUC_check_errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION);
		GUC_check_errmsg("multitenant.actor is too long (%zu bytes, at most %d)", strlen(*newval), MT_IDENTIFIER_MAXLEN);
		return false;
	}
	if (source == PGC_S_TEST || !IsTransactionState())
		return true;
	if (*newval == NULL || (*newval)[0] == '\0')
	{
		if (xact_actor != NULL && mt_caller_is_admin())
			forget_for_xact(&xact_actor);
		return true;
	}
	return check_actor_change(*newval);
}

/*
 * SHOW, current_setting() and pg_settings show the tenant, never a token: a
 * token read back could be presented again elsewhere until it expires.
 */
static const char *
show_tenant_setting(void)
{
	const char *raw = tenant_setting;
	const char *tenant;

	if (raw == NULL || raw[0] == '\0')
		return "";
	if (!mt_require_signed_context && !signing_possible())
		return raw;
	tenant = signing_possible() ? verify_token(raw, NULL) : NULL;
	if (tenant != NULL)
		return tenant;
	return mt_require_signed_context ? "" : raw;
}

/*
 * The leader's check for parallel plans: their workers cannot tell a
 * session-wide value from a transaction's.
 */
static void
tenant_executor_start(QueryDesc *queryDesc, int eflags)
{
	if (queryDesc->plannedstmt->parallelModeNeeded &&
		tenant_setting != NULL && tenant_setting[0] != '\0' &&
		session_value_refused())
		refuse_session_value();
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/*
 * Called from _PG_init before the other settings are defined: when the
 * definition takes over a placeholder's value, the check hook sees the
 * other settings at their defaults, as it always did.
 */
void
mt_tenant_context_init(void)
{
	struct config_generic **vars;
	int			n;
	int			i;

	DefineCustomStringVariable("multitenant.tenant",
							   "The tenant of this session or transaction (a signed token in signed mode).",
							   "Enter it with multitenant.set_tenant() or SET LOCAL; empty means no tenant.",
							   &tenant_setting,
							   "",
							   PGC_USERSET,
							   0,
							   check_tenant_setting, assign_tenant_setting, show_tenant_setting);

	DefineCustomStringVariable("multitenant.actor",
							   "The acting principal of the tenant context, in unsigned mode (signed mode takes it from the token).",
							   "Read it with multitenant.current_actor(); set it as the tenant is set, with SET LOCAL.",
							   &actor_setting,
							   "",
							   PGC_USERSET,
							   0,
							   check_actor_setting, NULL, NULL);

	vars = get_guc_variables();
	n = GetNumConfigOptions();
	for (i = 0; i < n; i++)
	{
		if (strcmp(vars[i]->name, "multitenant.tenant") == 0)
			tenant_record = vars[i];
		else if (strcmp(vars[i]->name, "multitenant.actor") == 0)
			actor_record = vars[i];
	}
	if (tenant_record == NULL || actor_record == NULL)
		elog(ERROR, "multitenant.tenant or multitenant.actor is not defined");
	RegisterXactCallback(tenant_xact_callback, NULL);
	mt_register_relcache_callback(registry_relcache_callback, (Datum) 0);

	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = tenant_executor_start;
}

/*
 * The current tenant, or NULL when none is set, the setting is empty, or
 * (signed mode) the token does not verify.  A tenant set for the session
 * while multitenant.session_tenant is off is an error, or with
 * ignore_session_value, no tenant.
 */
static const char *
current_tenant_internal(bool ignore_session_value)
{
	const char *raw = tenant_setting;
	const char *tenant;

	if (raw == NULL || raw[0] == '\0')
		return NULL;
	if (session_value_refused())
	{
		if (ignore_session_value)
			return NULL;
		refuse_session_value();
	}
	tenant = mt_require_signed_context ? verify_token(raw, NULL) : raw;
	/* A suspended or inactive tenant's session sees nothing. */
	if (tenant != NULL && blocked_tenant_status(tenant) != NULL)
		return NULL;
	if (tenant != NULL)
		remember_for_xact(&xact_tenant, tenant);
	return tenant;
}

/*
 * The current tenant as a palloc'd C string, or NULL; never an error (a
 * session-wide value that may not be used is no tenant).
 */
char *
mt_current_tenant_or_null(void)
{
	const char *tenant = current_tenant_internal(true);

	return tenant ? pstrdup(tenant) : NULL;
}

/* The current tenant as a palloc'd C string (see current_tenant_internal). */
char *
mt_current_tenant_cstring(void)
{
	const char *tenant = current_tenant_internal(false);

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
 * Whether a transaction-local setting must travel as a SET LOCAL statement:
 * Citus, loaded and told to propagate SET LOCAL, forwards the statements its
 * utility hook sees to the nodes the transaction uses, and nothing that
 * set_config_option changes directly.  A GUC lookup: free on a server
 * without Citus.
 */
static bool
set_local_must_propagate(void)
{
	const char *propagate = GetConfigOption("citus.propagate_set_commands", true, false);

	return propagate != NULL && pg_strcasecmp(propagate, "local") == 0;
}

/*
 * SET LOCAL name = value as a statement through ProcessUtility, so that the
 * utility hooks see it.  The statement is built as a node (the value is a
 * string constant; nothing is parsed).  Citus forwards the statement's text
 * to the workers, and only text can travel there: the value is quoted as a
 * literal for that text, as quote_literal() does.
 */
static void
set_local_statement(const char *name, const char *value)
{
	VariableSetStmt *stmt = makeNode(VariableSetStmt);
	A_Const    *arg = makeNode(A_Const);
	PlannedStmt *wrapper = makeNode(PlannedStmt);
	StringInfoData text;

	arg->val.sval.type = T_String;
	arg->val.sval.sval = pstrdup(value);
	arg->location = -1;
	stmt->kind = VAR_SET_VALUE;
	stmt->name = pstrdup(name);
	stmt->args = list_make1(arg);
	stmt->is_local = true;

	wrapper->commandType = CMD_UTILITY;
	wrapper->canSetTag = false;
	wrapper->utilityStmt = (Node *) stmt;
	wrapper->stmt_location = -1;
	wrapper->stmt_len = 0;

	initStringInfo(&text);
	appendStringInfo(&text, "SET LOCAL %s = %s", name, quote_literal_cstr(value));
	ProcessUtility(wrapper, text.data, false, PROCESS_UTILITY_QUERY,
				   NULL, NULL, None_Receiver, NULL);
}

/*
 * Sets multitenant.tenant or multitenant.actor, through its check hook.  A
 * transaction-local value is a real SET LOCAL where Citus propagates it
 * (docs/citus.md); elsewhere the setting is changed directly.
 */
static void
set_context_setting(const char *name, const char *value, bool is_local)
{
	if (is_local && set_local_must_propagate())
	{
		set_local_statement(name, value);
		return;
	}
	(void) set_config_option(name, value,
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
static void
enter_tenant_token(const char *token)
{
	const char *verified;
	const char *verified_actor_ptr;
	char	   *tenant;
	char	   *actor;
	const char *current;

	require_signing();
	verified = verify_token(token, &verified_actor_ptr);
	if (verified == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("invalid or expired tenant token")));
	tenant = pstrdup(verified);
	actor = verified_actor_ptr ? pstrdup(verified_actor_ptr) : NULL;
	require_enterable(tenant);

	/*
	 * The token enters its tenant in the middle of the caller's statement, so
	 * it must not meet a different tenant that the statement may already have
	 * read with.  (A session value refused by session_tenant = off is no
	 * tenant here: it is what a token replaces behind a pooler.)
	 */
	current = current_tenant_internal(true);
	if (current != NULL && strcmp(current, tenant) != 0 && !mt_caller_is_admin())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("cannot enter tenant \"%s\" with a tenant token: tenant \"%s\" is already entered", tenant, current),
				 errhint("Use the token in a statement of its own, or in a transaction that has not entered another tenant.")));
	set_context_setting("multitenant.tenant", mt_require_signed_context ? token : tenant, true);

	/*
	 * No actor where there is none already, and none read or set in this
	 * transaction: setting the empty value would change nothing but cost
	 * a setting's stack entry.
	 */
	if (!mt_require_signed_context &&
		(actor != NULL || (actor_setting != NULL && actor_setting[0] != '\0') || xact_actor != NULL))
		set_context_setting("multitenant.actor", actor ? actor : "", true);
}

/*
 * Enters tenant with actor for the rest of the current transaction, for a
 * caller that has authenticated them itself (a session token): the same
 * entry as a tenant token's, under the same rules.  In signed mode the
 * setting holds a token signed here, valid until expires (Unix seconds).
 */
void
mt_enter_tenant(const char *tenant, const char *actor, pg_time_t expires)
{
	const char *current;
	char	   *value;

	mt_check_identifier(tenant, "tenant id");
	mt_check_identifier(actor, "actor");
	if (mt_require_signed_context)
		require_signing();
	require_enterable(tenant);
	current = current_tenant_internal(true);
	if (current != NULL && strcmp(current, tenant) != 0 && !mt_caller_is_admin())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("cannot enter tenant \"%s\": tenant \"%s\" is already entered", tenant, current),
				 errhint("Validate the session in a statement of its own, or in a transaction that has not entered another tenant.")));
	if (mt_require_signed_context)
	{
		StringInfoData token;
		StringInfoData message;
		char		hex[HMAC_HEX_LEN + 1];

		initStringInfo(&token);
		appendStringInfoString(&token, TOKEN_V2_PREFIX);
		append_hex(&token, tenant);
		appendStringInfoChar(&token, '.');
		append_hex(&token, actor);
		appendStringInfo(&token, ".%lld", (long long) expires);
		initStringInfo(&message);
		appendBinaryStringInfo(&message, TOKEN_V2_LABEL, sizeof(TOKEN_V2_LABEL));
		appendBinaryStringInfo(&message, token.data, token.len);
		compute_token_hmac(message.data, message.len, hex);
		appendStringInfo(&token, ".%s", hex);
		value = token.data;
	}
	else
		value = pstrdup(tenant);
	set_context_setting("multitenant.tenant", value, true);
	if (!mt_require_signed_context)
		set_context_setting("multitenant.actor", actor, true);
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
		enter_tenant_token(token);
	tenant = mt_current_tenant_cstring();
	if (tenant == NULL && tenant_setting != NULL && tenant_setting[0] != '\0')
	{
		const char *named = mt_require_signed_context ? verify_token(tenant_setting, NULL) : tenant_setting;

		if (named != NULL)
			require_enterable(named);
	}
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
	char	   *instance_id = mt_text_arg(fcinfo, 0);
	char	   *token = mt_text_arg(fcinfo, 1);
	bool		is_local = PG_ARGISNULL(2) ? false : PG_GETARG_BOOL(2);
	char	   *actor = NULL;

	mt_check_identifier(instance_id, "tenant id");

	if (!is_local && !mt_session_tenant)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("session-wide tenants are disabled, so tenant \"%s\" cannot be set for the session", instance_id),
				 errdetail("multitenant.session_tenant is off: behind a transaction-mode connection pooler, a session-wide tenant would pass to the next client of the connection."),
				 errhint("Inside BEGIN ... COMMIT, call multitenant.set_tenant(..., is_local => true), or pass a lookup's tenant_token.")));

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
		const char *verified_actor_ptr;

		require_signing();
		tenant = verify_token(token, &verified_actor_ptr);
		if (tenant == NULL || strcmp(tenant, instance_id) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
					 errmsg("invalid or expired token for tenant \"%s\"", instance_id)));
		actor = verified_actor_ptr ? pstrdup(verified_actor_ptr) : NULL;
	}

	require_enterable(instance_id);
	set_context_setting("multitenant.tenant", mt_require_signed_context ? token : instance_id, is_local);
	/* In unsigned mode a token's actor (or none) becomes the setting's. */
	if (!mt_require_signed_context && token != NULL)
		set_context_setting("multitenant.actor", actor ? actor : "", is_local);
	PG_RETURN_VOID();
}

/*
 * The acting principal: in signed mode the actor of the token (NULL for a
 * token without one, and without a tenant), otherwise multitenant.actor,
 * with or without a tenant: the lifecycle functions that act before a
 * tenant is entered (registering a tenant, asking to join one, accepting an
 * invitation) need it.  The actor follows the tenant's rules: a session-wide
 * multitenant.actor is refused while multitenant.session_tenant is off.
 */
char *
mt_current_actor_cstring(void)
{
	const char *tenant = current_tenant_internal(false);
	const char *actor;

	if (mt_require_signed_context)
	{
		if (tenant == NULL)
			return NULL;
		(void) verify_token(tenant_setting, &actor);
	}
	else
	{
		actor = actor_setting;
		if (actor == NULL || actor[0] == '\0')
			return NULL;
		if (!mt_session_tenant && !IsParallelWorker() && setting_outlasts_transaction(actor_record))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("multitenant.actor is set for the whole session, but multitenant.session_tenant is off"),
					 errdetail("Behind a transaction-mode connection pooler, a session-wide actor would pass to the next client of the connection."),
					 errhint("Set it for one transaction: SET LOCAL multitenant.actor inside BEGIN ... COMMIT.")));
	}
	if (actor == NULL)
		return NULL;
	remember_for_xact(&xact_actor, actor);
	return pstrdup(actor);
}

Datum
mt_current_actor(PG_FUNCTION_ARGS)
{
	char	   *actor = mt_current_actor_cstring();

	if (actor == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(actor));
}

Datum
mt_reset_tenant(PG_FUNCTION_ARGS)
{
	set_context_setting("multitenant.tenant", "", false);
	PG_RETURN_VOID();
}

static void
append_hex(StringInfo buf, const char *value)
{
	size_t		len = strlen(value);

	enlargeStringInfo(buf, len * 2 + 1);
	buf->len += hex_encode(value, len, buf->data + buf->len);
	buf->data[buf->len] = '\0';
}

Datum
mt_sign_tenant(PG_FUNCTION_ARGS)
{
	char	   *instance_id = mt_text_arg(fcinfo, 0);
	char	   *actor = PG_NARGS() > 2 ? mt_text_arg(fcinfo, 2) : NULL;
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
	if (actor != NULL)
		mt_check_identifier(actor, "actor");
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
	if (actor == NULL)
	{
		/* The format of the tokens without an actor, unchanged. */
		appendStringInfo(&token, "%s.%lld", instance_id,
						 (long long) timestamptz_to_time_t(expires));
		compute_token_hmac(token.data, token.len, hex);
	}
	else
	{
		StringInfoData message;

		appendStringInfoString(&token, TOKEN_V2_PREFIX);
		append_hex(&token, instance_id);
		appendStringInfoChar(&token, '.');
		append_hex(&token, actor);
		appendStringInfo(&token, ".%lld", (long long) timestamptz_to_time_t(expires));
		initStringInfo(&message);
		appendBinaryStringInfo(&message, TOKEN_V2_LABEL, sizeof(TOKEN_V2_LABEL));
		appendBinaryStringInfo(&message, token.data, token.len);
		compute_token_hmac(message.data, message.len, hex);
	}
	appendStringInfo(&token, ".%s", hex);
	PG_RETURN_TEXT_P(cstring_to_text(token.data));
}
