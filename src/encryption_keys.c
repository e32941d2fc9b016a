/*-------------------------------------------------------------------------
 *
 * encryption_keys.c
 *	  add_key, get_key and rotate_master_key over multitenant.encryption_keys.
 *
 * Key material is stored encrypted with AES-256-GCM (OpenSSL) under the
 * server's master key, the setting multitenant.master_key (64 hex characters,
 * 32 bytes).  A stored value is nonce (12 random bytes) || ciphertext ||
 * tag (16 bytes).  The additional authenticated data binds the value to its
 * row, so that a value copied into another row or tenant fails
 * authentication instead of decrypting there, and (from 1.3) to the terms it
 * is served under, so that a row whose algorithm or expiry was changed in the
 * table fails too; key_format records which of the two forms a row uses (see
 * key_aad).  Each row names the master key that encrypted it by a
 * fingerprint, the hex of the first 8 bytes of HMAC-SHA256(master key,
 * "multitenant master key id"), which identifies the key without revealing
 * it.  A row stored under multitenant.previous_master_key still reads;
 * rotate_master_key re-encrypts every such row, and every row in the 1.2
 * format, under the current key in the current format.
 *
 * get_key refuses a key whose expired_at is at or before the start of the
 * current statement, after authenticating the row, so that the expiry it
 * reports is the one the key was stored with.
 *
 * instance.removed removes the tenant's keys: remove_tenant_keys is a push
 * callback (see there for why this is neither a trigger nor a reducer).
 *
 * The functions are for superusers and members of multitenant_admin only
 * (the SQL grants say so too), and read and write the table as the
 * extension's owner, always naming the tenant.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/sha2.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "port/pg_bswap.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "encryption_keys.h"
#include "event_store.h"
#include "settings.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_add_key);
PG_FUNCTION_INFO_V1(mt_get_key);
PG_FUNCTION_INFO_V1(mt_rotate_master_key);

#define NONCE_LEN			12
#define TAG_LEN				16
#define FINGERPRINT_LEN		8
#define FINGERPRINT_HEX_LEN (FINGERPRINT_LEN * 2)
#define KEY_MATERIAL_MAXLEN (64 * 1024)
#define ROTATE_BATCH		100

/* Values of encryption_keys.key_format; see key_aad. */
#define KEY_FORMAT_1_2		1
#define KEY_FORMAT_1_3		2

static const char fingerprint_label[] = "multitenant master key id";

/* A master key decoded from its setting; cleansed after every use. */
typedef struct MasterKey
{
	bool		configured;
	unsigned char key[MT_MASTER_KEY_LEN];
	char		fingerprint[FINGERPRINT_HEX_LEN + 1];
} MasterKey;

/* What a stored value is authenticated with, besides the master key. */
typedef struct KeyTerms
{
	const char *instance_id;
	const char *id;
	int			format;
	const char *algorithm;
	bool		expires;
	TimestampTz expired_at;
} KeyTerms;

/*
 * The statements over the table as 1.3 made it, and over 1.2's table, which
 * this library still meets between its installation and
 * ALTER EXTENSION multitenant UPDATE.
 */
typedef struct KeyPlans
{
	SPIPlanPtr	insert_key;
	SPIPlanPtr	select_key;
	SPIPlanPtr	stale_keys;
	SPIPlanPtr	reencrypt_key;
} KeyPlans;

static KeyPlans plans_1_3;
static KeyPlans plans_1_2;
static SPIPlanPtr delete_tenant_keys_plan = NULL;
static SPIPlanPtr delete_session_keys_plan = NULL;

/*
 * Decodes a setting's value (already checked by its check hook) and computes
 * its fingerprint.  An empty setting gives an unconfigured key.
 */
static void
load_master_key(const char *hex, const char *setting, MasterKey *mk)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;

	memset(mk, 0, sizeof(*mk));
	if (hex == NULL || hex[0] == '\0')
		return;
	if (strlen(hex) != MT_MASTER_KEY_HEX_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be exactly %d hexadecimal characters", setting, MT_MASTER_KEY_HEX_LEN)));
	if (hex_decode(hex, MT_MASTER_KEY_HEX_LEN, (char *) mk->key) != MT_MASTER_KEY_LEN)
		elog(ERROR, "could not decode %s", setting);
	if (HMAC(EVP_sha256(), mk->key, MT_MASTER_KEY_LEN,
			 (const unsigned char *) fingerprint_label, strlen(fingerprint_label),
			 digest, &digest_len) == NULL ||
		digest_len != PG_SHA256_DIGEST_LENGTH)
	{
		OPENSSL_cleanse(mk, sizeof(*mk));
		elog(ERROR, "could not compute the fingerprint of %s", setting);
	}
	hex_encode((const char *) digest, FINGERPRINT_LEN, mk->fingerprint);
	mk->fingerprint[FINGERPRINT_HEX_LEN] = '\0';
	OPENSSL_cleanse(digest, sizeof(digest));
	mk->configured = true;
}

/*
 * Without shared_preload_libraries, a session could have read the master key
 * from postgresql.conf as an unprotected placeholder, or set one of its own,
 * before this library defined the settings.
 */
static void
require_preloaded(const char *function)
{
	if (!mt_loaded_at_startup)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("multitenant.%s needs multitenant to be loaded at server start", function),
				 errhint("Add multitenant to shared_preload_libraries and restart the server; until then the master key settings are not protected.")));
}

static void
require_master_key(const MasterKey *mk, const char *action, const char *id, const char *instance_id)
{
	if (!mk->configured)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no master key is configured, so encryption key \"%s\" of tenant \"%s\" cannot be %s",
						id, instance_id, action),
				 errhint("Set multitenant.master_key to 64 hexadecimal characters (e.g. from \"openssl rand -hex 32\") in postgresql.conf and reload.")));
}

/* The tenant is checked first, so that the key's checks can name it. */
static void
check_key_names(const char *id, const char *instance_id)
{
	if (instance_id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("tenant of encryption key \"%s\" must not be null", id ? id : "(null)"),
				 errhint("Set a tenant with multitenant.set_tenant() or pass instance_id.")));
	mt_check_identifier(instance_id,
						psprintf("tenant of encryption key \"%s\"", id ? id : "(null)"));
	mt_check_identifier(id, psprintf("id of an encryption key of tenant \"%s\"", instance_id));
}

/*
 * The newest format the table can record, which is the one new values are
 * written in: the current one, unless the table is still 1.2's, without
 * key_format.  Values written then are in the 1.2 format, which the update's
 * default for key_format records for them.
 */
static int
table_key_format(void)
{
	Oid			relid = mt_relation_oid("encryption_keys", false);

	return get_attnum(relid, "key_format") != InvalidAttrNumber ? KEY_FORMAT_1_3 : KEY_FORMAT_1_2;
}

static KeyPlans *
prepare_key_plans(int table_format)
{
	bool		has_format = (table_format == KEY_FORMAT_1_3);
	KeyPlans   *p = has_format ? &plans_1_3 : &plans_1_2;

	if (p->insert_key == NULL)
	{
		Oid			types[6] = {TEXTOID, TEXTOID, TEXTOID, BYTEAOID, TEXTOID, TIMESTAMPTZOID};

		/* A taken id stores nothing; the caller reports it. */
		p->insert_key = mt_prepare_kept(psprintf(
			"INSERT INTO multitenant.encryption_keys AS k (instance_id, id, algorithm, key_data,"
			" master_key_id, created_at, expired_at%s)"
			" VALUES ($1, $2, $3, $4, $5, pg_catalog.now(), $6%s)"
			" ON CONFLICT (instance_id, id) DO NOTHING",
			has_format ? ", key_format" : "",
			has_format ? ", " CppAsString2(KEY_FORMAT_1_3) : ""), 6, types);
	}
	if (p->select_key == NULL)
	{
		Oid			types[2] = {TEXTOID, TEXTOID};

		p->select_key = mt_prepare_kept(psprintf(
			"SELECT k.key_data, k.master_key_id, k.algorithm, k.expired_at, %s"
			" FROM multitenant.encryption_keys AS k"
			" WHERE k.instance_id OPERATOR(pg_catalog.=) $1 AND k.id OPERATOR(pg_catalog.=) $2",
			has_format ? "k.key_format::pg_catalog.int4" : CppAsString2(KEY_FORMAT_1_2)), 2, types);
	}
	if (p->stale_keys == NULL)
	{
		Oid			types[1] = {TEXTOID};

		/* Locked, so that concurrent rotations re-encrypt each row once. */
		p->stale_keys = mt_prepare_kept(psprintf(
			"SELECT k.instance_id, k.id, k.key_data, k.master_key_id, k.algorithm, k.expired_at, %s"
			" FROM multitenant.encryption_keys AS k"
			" WHERE k.master_key_id OPERATOR(pg_catalog.<>) $1%s"
			" ORDER BY k.instance_id, k.id FOR UPDATE",
			has_format ? "k.key_format::pg_catalog.int4" : CppAsString2(KEY_FORMAT_1_2),
			has_format ? " OR k.key_format OPERATOR(pg_catalog.<>) " CppAsString2(KEY_FORMAT_1_3) : ""),
			1, types);
	}
	if (p->reencrypt_key == NULL)
	{
		Oid			types[4] = {TEXTOID, TEXTOID, BYTEAOID, TEXTOID};

		p->reencrypt_key = mt_prepare_kept(psprintf(
			"UPDATE multitenant.encryption_keys AS k"
			" SET key_data = $3, master_key_id = $4, rotation_date = pg_catalog.now()%s"
			" WHERE k.instance_id OPERATOR(pg_catalog.=) $1 AND k.id OPERATOR(pg_catalog.=) $2",
			has_format ? ", key_format = " CppAsString2(KEY_FORMAT_1_3) : ""), 4, types);
	}
	return p;
}

/*
 * The additional authenticated data of a stored value.
 *
 * Format 1 (1.2): instance_id || 0x00 || id.
 * Format 2 (1.3): 0x00 || 0x02 || instance_id || 0x00 || id || 0x00 ||
 * algorithm || 0x00 || expiry, where expiry is 0x00 for none, else 0x01 and
 * expired_at (microseconds since 2000-01-01 UTC) as 8 big-endian bytes.
 *
 * Text holds no zero bytes, so the fields cannot run into each other, and a
 * format 1 value starts with its non-empty tenant while a format 2 value
 * starts with a zero byte: no row's data in one format equals any row's data
 * in the other, so a value never authenticates under a format (or terms)
 * other than the ones it was encrypted with.
 */
static void
key_aad(const KeyTerms *terms, StringInfo aad)
{
	static const char zero = 0;

	initStringInfo(aad);
	if (terms->format == KEY_FORMAT_1_3)
	{
		char		version = KEY_FORMAT_1_3;

		appendBinaryStringInfo(aad, &zero, 1);
		appendBinaryStringInfo(aad, &version, 1);
	}
	else if (terms->format != KEY_FORMAT_1_2)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("encryption key \"%s\" of tenant \"%s\" has unknown key_format %d",
						terms->id, terms->instance_id, terms->format)));
	appendBinaryStringInfo(aad, terms->instance_id, strlen(terms->instance_id));
	appendBinaryStringInfo(aad, &zero, 1);
	appendBinaryStringInfo(aad, terms->id, strlen(terms->id));
	if (terms->format == KEY_FORMAT_1_3)
	{
		char		expires = terms->expires ? 1 : 0;

		appendBinaryStringInfo(aad, &zero, 1);
		appendBinaryStringInfo(aad, terms->algorithm, strlen(terms->algorithm));
		appendBinaryStringInfo(aad, &zero, 1);
		appendBinaryStringInfo(aad, &expires, 1);
		if (terms->expires)
		{
			uint64		be = pg_hton64((uint64) terms->expired_at);

			appendBinaryStringInfo(aad, (const char *) &be, sizeof(be));
		}
	}
}

/*
 * nonce || AES-256-GCM(plain) || tag, as a bytea in the current memory context.
 */
static bytea *
encrypt_key(const MasterKey *mk, const KeyTerms *terms, const unsigned char *plain, int plain_len)
{
	Size		total = NONCE_LEN + (Size) plain_len + TAG_LEN;
	bytea	   *out = palloc(VARHDRSZ + total);
	unsigned char *nonce = (unsigned char *) VARDATA(out);
	unsigned char *cipher = nonce + NONCE_LEN;
	unsigned char *tag = cipher + plain_len;
	StringInfoData aad;
	EVP_CIPHER_CTX *ctx;
	int			len = 0;
	int			final_len = 0;
	bool		ok;

	SET_VARSIZE(out, VARHDRSZ + total);
	if (!pg_strong_random(nonce, NONCE_LEN))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random nonce for encryption key \"%s\" of tenant \"%s\"",
						terms->id, terms->instance_id)));
	key_aad(terms, &aad);

	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
		EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
		EVP_EncryptInit_ex(ctx, NULL, NULL, mk->key, nonce) == 1 &&
		EVP_EncryptUpdate(ctx, NULL, &len, (const unsigned char *) aad.data, aad.len) == 1 &&
		EVP_EncryptUpdate(ctx, cipher, &len, plain, plain_len) == 1 &&
		len == plain_len &&
		EVP_EncryptFinal_ex(ctx, cipher + len, &final_len) == 1 &&
		final_len == 0 &&
		EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(ctx);
	pfree(aad.data);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not encrypt encryption key \"%s\" of tenant \"%s\"", terms->id, terms->instance_id)));
	return out;
}

static void
authentication_failed(const KeyTerms *terms, const char *fingerprint)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("encryption key \"%s\" of tenant \"%s\" failed authentication", terms->id, terms->instance_id),
			 errdetail("Its stored data, algorithm, expiry or format was altered, its data was moved from another row, or it was not encrypted by master key \"%s\".",
					   fingerprint)));
}

/*
 * The plain key material of a stored value, as a bytea allocated in cxt.
 * Raises data_corrupted unless the value authenticates under mk with these
 * terms; nothing decrypted is returned or left behind then.
 */
static bytea *
decrypt_key(const MasterKey *mk, const KeyTerms *terms, bytea *stored, MemoryContext cxt)
{
	Size		n = VARSIZE_ANY_EXHDR(stored);
	const unsigned char *nonce = (const unsigned char *) VARDATA_ANY(stored);
	const unsigned char *cipher = nonce + NONCE_LEN;
	unsigned char tag[TAG_LEN];
	StringInfoData aad;
	bytea	   *out;
	unsigned char *plain;
	int			plain_len;
	EVP_CIPHER_CTX *ctx;
	int			len = 0;
	int			final_len = 0;
	bool		ok;
	bool		authentic;

	if (n <= NONCE_LEN + TAG_LEN || n > NONCE_LEN + KEY_MATERIAL_MAXLEN + TAG_LEN)
		authentication_failed(terms, mk->fingerprint);
	plain_len = (int) (n - NONCE_LEN - TAG_LEN);
	memcpy(tag, cipher + plain_len, TAG_LEN);
	key_aad(terms, &aad);

	out = MemoryContextAlloc(cxt, VARHDRSZ + plain_len);
	SET_VARSIZE(out, VARHDRSZ + plain_len);
	plain = (unsigned char *) VARDATA(out);

	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
		EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
		EVP_DecryptInit_ex(ctx, NULL, NULL, mk->key, nonce) == 1 &&
		EVP_DecryptUpdate(ctx, NULL, &len, (const unsigned char *) aad.data, aad.len) == 1 &&
		EVP_DecryptUpdate(ctx, plain, &len, cipher, plain_len) == 1 &&
		len == plain_len &&
		EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1;
	/* Only the final step checks the tag. */
	authentic = ok && EVP_DecryptFinal_ex(ctx, plain + len, &final_len) > 0 && final_len == 0;
	EVP_CIPHER_CTX_free(ctx);
	pfree(aad.data);
	if (!authentic)
	{
		OPENSSL_cleanse(plain, plain_len);
		pfree(out);
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not decrypt encryption key \"%s\" of tenant \"%s\"", terms->id, terms->instance_id)));
		authentication_failed(terms, mk->fingerprint);
	}
	return out;
}

/*
 * The key of current or previous that encrypted a row, by fingerprint.
 */
static const MasterKey *
key_for_row(const MasterKey *current, const MasterKey *previous, const char *fingerprint,
			const char *id, const char *instance_id)
{
	if (current->configured && strcmp(fingerprint, current->fingerprint) == 0)
		return current;
	if (previous->configured && strcmp(fingerprint, previous->fingerprint) == 0)
		return previous;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("encryption key \"%s\" of tenant \"%s\" is stored under master key \"%s\", which is neither multitenant.master_key (\"%s\") nor multitenant.previous_master_key%s",
					id, instance_id, fingerprint, current->fingerprint,
					previous->configured ? psprintf(" (\"%s\")", previous->fingerprint) : " (not set)"),
			 errhint("Set multitenant.previous_master_key to the master key with fingerprint \"%s\".",
					 fingerprint)));
	return NULL;				/* not reached */
}

static void
cleanse_master_keys(MasterKey *current, MasterKey *previous)
{
	OPENSSL_cleanse(current, sizeof(*current));
	OPENSSL_cleanse(previous, sizeof(*previous));
}

/*
 * A stored row's terms from columns first .. first + 2 of a result row
 * (algorithm, expired_at, key format); the strings are allocated in the
 * current memory context.
 */
static void
row_terms(HeapTuple tuple, TupleDesc desc, int first, const char *instance_id, const char *id,
		  KeyTerms *terms)
{
	bool		isnull;
	Datum		expired_at;

	terms->instance_id = instance_id;
	terms->id = id;
	terms->algorithm = SPI_getvalue(tuple, desc, first);
	expired_at = SPI_getbinval(tuple, desc, first + 1, &isnull);
	terms->expires = !isnull;
	terms->expired_at = isnull ? 0 : DatumGetTimestampTz(expired_at);
	terms->format = DatumGetInt32(SPI_getbinval(tuple, desc, first + 2, &isnull));
	if (terms->algorithm == NULL || isnull)
		elog(ERROR, "encryption key \"%s\" of tenant \"%s\" has no algorithm or format", id, instance_id);
}

/*
 * add_key(id, key_material, algorithm, expired_at, instance_id)
 */
Datum
mt_add_key(PG_FUNCTION_ARGS)
{
	char	   *id = mt_text_arg(fcinfo, 0);
	char	   *algorithm = mt_text_arg(fcinfo, 2);
	char	   *instance_id = mt_text_arg(fcinfo, 4);
	bytea	   *material;
	Size		material_len;
	MasterKey	current;
	KeyTerms	terms;
	KeyPlans   *plans;
	char		fingerprint[FINGERPRINT_HEX_LEN + 1];
	bytea	   *volatile stored = NULL;
	Datum		values[6];
	char		nulls[6];
	int			rc;

	mt_require_admin("add_key");
	check_key_names(id, instance_id);
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("key material of encryption key \"%s\" of tenant \"%s\" must not be null",
						id, instance_id)));
	material = PG_GETARG_BYTEA_PP(1);
	material_len = VARSIZE_ANY_EXHDR(material);
	if (material_len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key material of encryption key \"%s\" of tenant \"%s\" must not be empty",
						id, instance_id)));
	if (material_len > KEY_MATERIAL_MAXLEN)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("key material of encryption key \"%s\" of tenant \"%s\" is too long (%zu bytes, at most %d)",
						id, instance_id, (size_t) material_len, KEY_MATERIAL_MAXLEN)));
	mt_check_identifier(algorithm,
						psprintf("algorithm of encryption key \"%s\" of tenant \"%s\"", id, instance_id));
	require_preloaded("add_key");

	terms.instance_id = instance_id;
	terms.id = id;
	terms.format = table_key_format();
	terms.algorithm = algorithm;
	terms.expires = !PG_ARGISNULL(3);
	terms.expired_at = terms.expires ? PG_GETARG_TIMESTAMPTZ(3) : 0;

	PG_TRY();
	{
		load_master_key(mt_master_key, "multitenant.master_key", &current);
		require_master_key(&current, "stored", id, instance_id);
		stored = encrypt_key(&current, &terms,
							 (const unsigned char *) VARDATA_ANY(material), (int) material_len);
		strlcpy(fingerprint, current.fingerprint, sizeof(fingerprint));
	}
	PG_FINALLY();
	{
		OPENSSL_cleanse(&current, sizeof(current));
		/* A detoasted copy of the plain material is ours to wipe. */
		if ((Pointer) material != DatumGetPointer(PG_GETARG_DATUM(1)))
			OPENSSL_cleanse(VARDATA_ANY(material), material_len);
	}
	PG_END_TRY();

	/* The row holds exactly the terms that were authenticated. */
	values[0] = CStringGetTextDatum(instance_id);
	values[1] = CStringGetTextDatum(id);
	values[2] = CStringGetTextDatum(algorithm);
	values[3] = PointerGetDatum(stored);
	values[4] = CStringGetTextDatum(fingerprint);
	values[5] = TimestampTzGetDatum(terms.expired_at);
	memset(nulls, ' ', sizeof(nulls));
	if (!terms.expires)
		nulls[5] = 'n';

	mt_spi_connect();
	plans = prepare_key_plans(terms.format);
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = SPI_execute_plan(plans->insert_key, values, nulls, false, 0);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "storing encryption key \"%s\" of tenant \"%s\" failed: %s",
			 id, instance_id, SPI_result_code_string(rc));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("encryption key \"%s\" of tenant \"%s\" already exists", id, instance_id)));
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * get_key(id, instance_id): the plain key material.
 */
Datum
mt_get_key(PG_FUNCTION_ARGS)
{
	char	   *id = mt_text_arg(fcinfo, 0);
	char	   *instance_id = mt_text_arg(fcinfo, 1);
	MemoryContext caller_cxt = CurrentMemoryContext;
	MasterKey	current;
	MasterKey	previous;
	bytea	   *volatile result = NULL;

	mt_require_admin("get_key");
	check_key_names(id, instance_id);
	require_preloaded("get_key");

	PG_TRY();
	{
		Datum		values[2];
		bool		isnull;
		int			rc;
		KeyPlans   *plans;
		KeyTerms	terms;
		HeapTuple	row;
		TupleDesc	desc;
		bytea	   *stored;
		char	   *fingerprint;

		load_master_key(mt_master_key, "multitenant.master_key", &current);
		load_master_key(mt_previous_master_key, "multitenant.previous_master_key", &previous);
		require_master_key(&current, "read", id, instance_id);

		values[0] = CStringGetTextDatum(instance_id);
		values[1] = CStringGetTextDatum(id);
		mt_spi_connect();
		plans = prepare_key_plans(table_key_format());
		MT_AS_ROLE_BEGIN(mt_extension_owner());
		rc = SPI_execute_plan(plans->select_key, values, NULL, false, 1);
		MT_AS_ROLE_END();
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "reading encryption key \"%s\" of tenant \"%s\" failed: %s",
				 id, instance_id, SPI_result_code_string(rc));
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("encryption key \"%s\" of tenant \"%s\" does not exist", id, instance_id)));
		row = SPI_tuptable->vals[0];
		desc = SPI_tuptable->tupdesc;
		stored = DatumGetByteaPP(SPI_getbinval(row, desc, 1, &isnull));
		fingerprint = SPI_getvalue(row, desc, 2);
		row_terms(row, desc, 3, instance_id, id, &terms);
		result = decrypt_key(key_for_row(&current, &previous, fingerprint, id, instance_id),
							 &terms, stored, caller_cxt);

		if (terms.expires && terms.expired_at <= GetCurrentStatementStartTimestamp())
		{
			OPENSSL_cleanse(VARDATA(result), VARSIZE(result) - VARHDRSZ);
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("encryption key \"%s\" of tenant \"%s\" expired at %s",
							id, instance_id,
							DatumGetCString(DirectFunctionCall1(timestamptz_out,
																TimestampTzGetDatum(terms.expired_at)))),
					 errdetail("A key is served only before its expired_at.")));
		}
		SPI_finish();
	}
	PG_FINALLY();
	{
		cleanse_master_keys(&current, &previous);
	}
	PG_END_TRY();

	PG_RETURN_BYTEA_P(result);
}

/*
 * rotate_master_key(): re-encrypts under multitenant.master_key, in the
 * current format, every key stored under another master key (which must be
 * multitenant.previous_master_key) or in the 1.2 format.  Any row it cannot
 * decrypt raises an error, and the statement's error undoes every row
 * already re-encrypted.
 */
Datum
mt_rotate_master_key(PG_FUNCTION_ARGS)
{
	MasterKey	current;
	MasterKey	previous;
	volatile int64 count = 0;

	mt_require_admin("rotate_master_key");
	require_preloaded("rotate_master_key");

	PG_TRY();
	{
		Oid			owner = mt_extension_owner();
		int			format = table_key_format();
		KeyPlans   *plans;
		MemoryContext row_cxt;
		MemoryContext oldcxt;
		Datum		arg;
		Portal		portal;

		load_master_key(mt_master_key, "multitenant.master_key", &current);
		load_master_key(mt_previous_master_key, "multitenant.previous_master_key", &previous);
		if (!current.configured)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("no master key is configured, so encryption keys cannot be re-encrypted"),
					 errhint("Set multitenant.master_key to the new key and multitenant.previous_master_key to the old one, then reload.")));

		mt_spi_connect();
		plans = prepare_key_plans(format);
		row_cxt = AllocSetContextCreate(CurrentMemoryContext, "rotate_master_key row",
										ALLOCSET_DEFAULT_SIZES);
		arg = CStringGetTextDatum(current.fingerprint);
		MT_AS_ROLE_BEGIN(owner);
		portal = SPI_cursor_open(NULL, plans->stale_keys, &arg, NULL, false);
		MT_AS_ROLE_END();

		for (;;)
		{
			SPITupleTable *batch;
			uint64		n;
			uint64		i;

			MT_AS_ROLE_BEGIN(owner);
			SPI_cursor_fetch(portal, true, ROTATE_BATCH);
			MT_AS_ROLE_END();
			batch = SPI_tuptable;
			n = SPI_processed;
			if (n == 0)
			{
				SPI_freetuptable(batch);
				break;
			}
			for (i = 0; i < n; i++)
			{
				HeapTuple	tuple = batch->vals[i];
				char	   *row_instance;
				char	   *row_id;
				char	   *fingerprint;
				KeyTerms	terms;
				bytea	   *stored;
				bytea	   *plain;
				bytea	   *fresh;
				bool		isnull;
				Datum		values[4];
				int			rc;

				oldcxt = MemoryContextSwitchTo(row_cxt);
				row_instance = SPI_getvalue(tuple, batch->tupdesc, 1);
				row_id = SPI_getvalue(tuple, batch->tupdesc, 2);
				stored = DatumGetByteaPP(SPI_getbinval(tuple, batch->tupdesc, 3, &isnull));
				fingerprint = SPI_getvalue(tuple, batch->tupdesc, 4);
				row_terms(tuple, batch->tupdesc, 5, row_instance, row_id, &terms);
				plain = decrypt_key(key_for_row(&current, &previous, fingerprint, row_id, row_instance),
									&terms, stored, row_cxt);
				/* The row's terms, now authenticated in the current format. */
				terms.format = format;
				fresh = encrypt_key(&current, &terms,
									(const unsigned char *) VARDATA(plain), (int) (VARSIZE(plain) - VARHDRSZ));
				OPENSSL_cleanse(VARDATA(plain), VARSIZE(plain) - VARHDRSZ);

				values[0] = CStringGetTextDatum(row_instance);
				values[1] = CStringGetTextDatum(row_id);
				values[2] = PointerGetDatum(fresh);
				values[3] = CStringGetTextDatum(current.fingerprint);
				MT_AS_ROLE_BEGIN(owner);
				rc = SPI_execute_plan(plans->reencrypt_key, values, NULL, false, 0);
				MT_AS_ROLE_END();
				if (rc != SPI_OK_UPDATE || SPI_processed != 1)
					elog(ERROR, "re-encrypting encryption key \"%s\" of tenant \"%s\" failed: %s",
						 row_id, row_instance, SPI_result_code_string(rc));
				count++;
				MemoryContextSwitchTo(oldcxt);
				MemoryContextReset(row_cxt);
			}
			SPI_freetuptable(batch);
		}
		SPI_cursor_close(portal);
		SPI_finish();
	}
	PG_FINALLY();
	{
		cleanse_master_keys(&current, &previous);
	}
	PG_END_TRY();

	PG_RETURN_INT64(count);
}

/*
 * Deletes every encryption key of a tenant, for an instance.removed event
 * that push stores, in the pushing transaction.  It is a push callback rather
 * than a trigger on multitenant.events: pg_restore copies the events into a
 * database whose extension, triggers included, already exists, and such a
 * trigger would delete the keys of every tenant that was removed and added
 * again.  Nor is it a reducer: rebuild must never delete keys, which no event
 * can bring back.  A database still at 1.0 or 1.1 has no keys.
 */
static void
remove_tenant_keys(const char *instance_id, const char *event_type)
{
	Datum		arg;
	int			rc;

	if (strcmp(event_type, "instance.removed") != 0 ||
		!OidIsValid(mt_relation_oid("encryption_keys", true)))
		return;
	if (delete_tenant_keys_plan == NULL)
	{
		Oid			types[1] = {TEXTOID};

		delete_tenant_keys_plan = mt_prepare_kept(
			"DELETE FROM multitenant.encryption_keys AS k WHERE k.instance_id OPERATOR(pg_catalog.=) $1",
			1, types);
	}
	arg = CStringGetTextDatum(instance_id);
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = mt_execute_kept(delete_tenant_keys_plan, &arg, NULL, false, 0);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "deleting the encryption keys of removed tenant \"%s\" failed: %s",
			 instance_id, SPI_result_code_string(rc));

	/* From 1.4 the list of its session keys, whose material just went. */
	if (!OidIsValid(mt_relation_oid("session_keys", true)))
		return;
	if (delete_session_keys_plan == NULL)
	{
		Oid			types[1] = {TEXTOID};

		delete_session_keys_plan = mt_prepare_kept(
			"DELETE FROM multitenant.session_keys AS k WHERE k.instance_id OPERATOR(pg_catalog.=) $1",
			1, types);
	}
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = mt_execute_kept(delete_session_keys_plan, &arg, NULL, false, 0);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "deleting the session keys of removed tenant \"%s\" failed: %s",
			 instance_id, SPI_result_code_string(rc));
}

/* Called from _PG_init. */
void
mt_encryption_keys_init(void)
{
	mt_register_push_callback(remove_tenant_keys);
}
