/*-------------------------------------------------------------------------
 *
 * session_tokens.c
 *	  Signed (JWS) and encrypted (JWE) session tokens, through libcjose, and
 *	  the per-tenant keys they are made with.
 *
 * A tenant's session keys are listed in multitenant.session_keys (kid,
 * purpose, algorithm, public JWK, status); the key material itself, a
 * private JWK, is an encryption key of the tenant ("session-key:<kid>",
 * encrypted under the master key like every other), read through get_key.
 * Signing keys are ES256 (P-256) or HS256 (256 random bits); encryption keys
 * are 256-bit AES keys used directly (JWE "dir") with A256GCM.  The kid is
 * 128 random bits in hex, unique across tenants, so a token's kid names one
 * key of one tenant.
 *
 * Verification trusts nothing in a token before its signature or tag is
 * checked, except the kid that picks the key: the header's algorithm must be
 * exactly the key's (so "none", or HS256 over an ES256 key's public half, is
 * refused before libcjose sees the key), and for a JWE also "dir" and
 * A256GCM.  Whether the key is still active and belongs to the session's
 * tenant is checked by the statement that finds the session (sessions.c),
 * which reads both tables in one snapshot.
 *
 * Plain keys are cached per backend by kid.  A kid's material never
 * changes, so the cache needs no invalidation: retiring a key changes its
 * status, which every validation reads, and a removed tenant's kids are no
 * longer found by that statement.
 *
 * libcjose is loaded at run time, not linked (see load_cjose), and
 * allocates with malloc.  Its objects are released before any
 * error is raised, or, around calls that may raise one, in PG_FINALLY.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <dlfcn.h>

#include <cjose/cjose.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "catalog.h"
#include "multitenant.h"
#include "session_tokens.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_session_key_create);
PG_FUNCTION_INFO_V1(mt_session_token_issue);

#define OPAQUE_PREFIX "mts_"
/* The prefix and the unpadded base64url of 32 bytes. */
#define OPAQUE_TOKEN_LEN (4 + 43)
/* Far above any token made here (about 600 bytes), far below a DoS. */
#define JOSE_TOKEN_MAXLEN 4096

typedef enum SessionKeyAlgorithm
{
	KEY_ES256,
	KEY_HS256,
	KEY_A256GCM
} SessionKeyAlgorithm;

typedef struct SessionKey
{
	char		kid[MT_SESSION_KID_LEN + 1];	/* hash key */
	SessionKeyAlgorithm algorithm;
	cjose_jwk_t *jwk;
} SessionKey;

static HTAB *key_cache = NULL;
static SPIPlanPtr load_key_plan = NULL;
static SPIPlanPtr store_key_plan = NULL;

/*
 * libcjose, loaded on first use with its own symbols first (RTLD_DEEPBIND):
 * linked normally, its JSON library's json_object() would resolve to the
 * server's SQL function of that name, which the postgres executable
 * exports, and crash.  The functions used are reached through this table.
 */
#define CJOSE_FUNCTIONS(X) \
	X(get_dealloc) \
	X(header_get) \
	X(header_new) \
	X(header_release) \
	X(header_set) \
	X(jwe_decrypt) \
	X(jwe_encrypt) \
	X(jwe_export) \
	X(jwe_get_protected) \
	X(jwe_import) \
	X(jwe_release) \
	X(jwk_create_EC_random) \
	X(jwk_create_oct_random) \
	X(jwk_import) \
	X(jwk_release) \
	X(jwk_set_kid) \
	X(jwk_to_json) \
	X(jws_export) \
	X(jws_get_protected) \
	X(jws_import) \
	X(jws_release) \
	X(jws_sign) \
	X(jws_verify)

static struct
{
#define CJOSE_POINTER(name) __typeof__(cjose_##name) *name;
	CJOSE_FUNCTIONS(CJOSE_POINTER)
#undef CJOSE_POINTER
}			jose;

static bool jose_loaded = false;

static void
load_cjose(void)
{
	void	   *handle;

	if (jose_loaded)
		return;
	handle = dlopen("libcjose.so.0", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
	if (handle == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("could not load libcjose for session tokens: %s", dlerror()),
				 errhint("Install the libcjose0 package.")));
#define CJOSE_RESOLVE(name) \
	if ((jose.name = dlsym(handle, "cjose_" #name)) == NULL) \
		ereport(ERROR, \
				(errcode(ERRCODE_UNDEFINED_FUNCTION), \
				 errmsg("libcjose has no function cjose_" #name)));
	CJOSE_FUNCTIONS(CJOSE_RESOLVE)
#undef CJOSE_RESOLVE
	jose_loaded = true;
}

static const char *
algorithm_name(SessionKeyAlgorithm algorithm)
{
	switch (algorithm)
	{
		case KEY_ES256:
			return "ES256";
		case KEY_HS256:
			return "HS256";
		case KEY_A256GCM:
			return "A256GCM";
	}
	return NULL;
}

static bool
parse_algorithm(const char *name, SessionKeyAlgorithm *algorithm)
{
	if (strcmp(name, "ES256") == 0)
		*algorithm = KEY_ES256;
	else if (strcmp(name, "HS256") == 0)
		*algorithm = KEY_HS256;
	else if (strcmp(name, "A256GCM") == 0)
		*algorithm = KEY_A256GCM;
	else
		return false;
	return true;
}

static bool
well_formed_kid(const char *kid)
{
	int			i;

	if (kid == NULL || strlen(kid) != MT_SESSION_KID_LEN)
		return false;
	for (i = 0; i < MT_SESSION_KID_LEN; i++)
		if (!((kid[i] >= '0' && kid[i] <= '9') || (kid[i] >= 'a' && kid[i] <= 'f')))
			return false;
	return true;
}

/* Making and storing keys and tokens is for the extension's own functions. */
static void
require_extension_owner(const char *function)
{
	if (!has_privs_of_role(GetUserId(), mt_extension_owner()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for function multitenant.%s", function),
				 errdetail("Only the extension's own functions make session keys and tokens.")));
}

/*
 * The key a kid names, from the cache or from the tables; NULL if there is
 * none.  May raise an error (get_key's, when the master key is missing or
 * the row does not authenticate).
 */
static SessionKey *
find_key(const char *kid)
{
	SessionKey *key;
	bool		found;
	Datum		arg;
	int			rc;
	bool		isnull;
	char	   *algorithm_text;
	SessionKeyAlgorithm algorithm;
	bytea	   *material;
	cjose_jwk_t *jwk;
	cjose_err	err;

	if (key_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = MT_SESSION_KID_LEN + 1;
		ctl.entrysize = sizeof(SessionKey);
		ctl.hcxt = TopMemoryContext;
		key_cache = hash_create("multitenant session keys", 64, &ctl,
								HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	key = hash_search(key_cache, kid, HASH_FIND, NULL);
	if (key != NULL)
		return key;

	mt_spi_connect();
	if (load_key_plan == NULL)
	{
		Oid			types[1] = {TEXTOID};

		load_key_plan = mt_prepare_kept(
			"SELECT k.algorithm,"
			"       multitenant.get_key('session-key:' OPERATOR(pg_catalog.||) k.kid, k.instance_id)"
			"  FROM multitenant.session_keys AS k WHERE k.kid OPERATOR(pg_catalog.=) $1",
			1, types);
	}
	arg = CStringGetTextDatum(kid);
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = mt_execute_kept(load_key_plan, &arg, NULL, true, 1);
	MT_AS_ROLE_END();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "loading session key \"%s\" failed: %s", kid, SPI_result_code_string(rc));
	if (SPI_processed != 1)
	{
		SPI_finish();
		return NULL;
	}
	algorithm_text = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0],
													   SPI_tuptable->tupdesc, 1, &isnull));
	if (!parse_algorithm(algorithm_text, &algorithm))
		elog(ERROR, "session key \"%s\" has unknown algorithm \"%s\"", kid, algorithm_text);
	material = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	if (isnull)
		elog(ERROR, "session key \"%s\" has no key material", kid);
	jwk = jose.jwk_import(VARDATA_ANY(material), VARSIZE_ANY_EXHDR(material), &err);
	explicit_bzero(VARDATA_ANY(material), VARSIZE_ANY_EXHDR(material));
	SPI_finish();
	if (jwk == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("session key \"%s\" does not import: %s", kid, err.message)));

	key = hash_search(key_cache, kid, HASH_ENTER, &found);
	key->algorithm = algorithm;
	key->jwk = jwk;
	return key;
}

/*
 * session_key_create(tenant, algorithm): a new session key of the tenant,
 * stored and listed as active; returns its kid.  The callers (SQL) check
 * who may and lock the tenant.
 */
Datum
mt_session_key_create(PG_FUNCTION_ARGS)
{
	char	   *tenant = mt_required_text_arg(fcinfo, 0, "tenant", MT_IDENTIFIER_MAXLEN);
	char	   *algorithm_text = mt_required_text_arg(fcinfo, 1, "algorithm", MT_IDENTIFIER_MAXLEN);
	SessionKeyAlgorithm algorithm;
	unsigned char random_kid[MT_SESSION_KID_LEN / 2];
	char		kid[MT_SESSION_KID_LEN + 1];
	cjose_jwk_t *jwk;
	cjose_err	err;
	char	   *json;
	char	   *private_jwk;
	char	   *public_jwk = NULL;
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	int			rc;

	require_extension_owner("session_key_create");
	load_cjose();
	if (!parse_algorithm(algorithm_text, &algorithm))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid session key algorithm \"%s\"", algorithm_text),
				 errhint("The algorithm is ES256 or HS256 (signing) or A256GCM (encryption).")));
	if (!pg_strong_random(random_kid, sizeof(random_kid)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a session key id")));
	hex_encode((char *) random_kid, sizeof(random_kid), kid);
	kid[MT_SESSION_KID_LEN] = '\0';

	if (algorithm == KEY_ES256)
		jwk = jose.jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err);
	else
		jwk = jose.jwk_create_oct_random(256, &err);	/* bits */
	if (jwk == NULL || !jose.jwk_set_kid(jwk, kid, MT_SESSION_KID_LEN, &err))
	{
		if (jwk != NULL)
			jose.jwk_release(jwk);
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a %s session key for tenant \"%s\": %s",
						algorithm_name(algorithm), tenant, err.message)));
	}
	json = jose.jwk_to_json(jwk, true, &err);
	private_jwk = json ? pstrdup(json) : NULL;
	if (json)
	{
		explicit_bzero(json, strlen(json));
		jose.get_dealloc() (json);
	}
	if (private_jwk != NULL && algorithm == KEY_ES256)
	{
		json = jose.jwk_to_json(jwk, false, &err);
		public_jwk = json ? pstrdup(json) : NULL;
		if (json)
			jose.get_dealloc() (json);
	}
	jose.jwk_release(jwk);
	if (private_jwk == NULL || (algorithm == KEY_ES256 && public_jwk == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not export the new session key of tenant \"%s\": %s", tenant, err.message)));

	mt_spi_connect();
	if (store_key_plan == NULL)
	{
		Oid			types[5] = {TEXTOID, TEXTOID, TEXTOID, BYTEAOID, TEXTOID};

		/*
		 * One statement: add_key and the listing succeed or fail together
		 * with the caller's transaction anyway, and one plan is kept.
		 */
		store_key_plan = mt_prepare_kept(
			"WITH stored AS (SELECT multitenant.add_key('session-key:' OPERATOR(pg_catalog.||) $2, $4,"
			"                                             'jwk:' OPERATOR(pg_catalog.||) $3, NULL, $1))"
			"INSERT INTO multitenant.session_keys"
			"       (instance_id, kid, purpose, algorithm, public_jwk, status, created_at)"
			"SELECT $1, $2,"
			"       CASE WHEN $3 OPERATOR(pg_catalog.=) 'A256GCM' THEN 'encrypt' ELSE 'sign' END, $3,"
			"       $5::pg_catalog.jsonb OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('alg', $3, 'use', 'sig'),"
			"       'active', pg_catalog.clock_timestamp()"
			"  FROM stored",
			5, types);
	}
	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(kid);
	values[2] = CStringGetTextDatum(algorithm_name(algorithm));
	values[3] = PointerGetDatum(cstring_to_text(private_jwk));
	explicit_bzero(private_jwk, strlen(private_jwk));
	if (public_jwk != NULL)
		values[4] = CStringGetTextDatum(public_jwk);
	else
		nulls[4] = 'n';
	MT_AS_ROLE_BEGIN(mt_extension_owner());
	rc = mt_execute_kept(store_key_plan, values, nulls, false, 0);
	MT_AS_ROLE_END();
	explicit_bzero(VARDATA(DatumGetPointer(values[3])), VARSIZE(DatumGetPointer(values[3])) - VARHDRSZ);
	if (rc != SPI_OK_INSERT || SPI_processed != 1)
		elog(ERROR, "storing session key \"%s\" of tenant \"%s\" failed: %s",
			 kid, tenant, SPI_result_code_string(rc));
	SPI_finish();
	PG_RETURN_TEXT_P(cstring_to_text(kid));
}

/*
 * session_token_issue(kid, format, claims): the claims signed (format 'jws')
 * or encrypted (format 'jwe') with the key kid names.
 */
Datum
mt_session_token_issue(PG_FUNCTION_ARGS)
{
	char	   *kid = mt_required_text_arg(fcinfo, 0, "kid", MT_IDENTIFIER_MAXLEN);
	char	   *format = mt_required_text_arg(fcinfo, 1, "format", MT_IDENTIFIER_MAXLEN);
	Jsonb	   *claims;
	char	   *plaintext;
	bool		jwe;
	SessionKey *key;
	cjose_header_t *header;
	cjose_err	err;
	char	   *token = NULL;
	bool		ok = true;

	require_extension_owner("session_token_issue");
	load_cjose();
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("session_token_issue: claims must not be null")));
	claims = PG_GETARG_JSONB_P(2);
	if (strcmp(format, "jws") == 0)
		jwe = false;
	else if (strcmp(format, "jwe") == 0)
		jwe = true;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid session token format \"%s\"", format)));
	if (!well_formed_kid(kid) || (key = find_key(kid)) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("session key \"%s\" does not exist", kid)));
	if (jwe != (key->algorithm == KEY_A256GCM))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("session key \"%s\" (%s) cannot make a %s token",
						kid, algorithm_name(key->algorithm), format)));
	plaintext = JsonbToCString(NULL, &claims->root, VARSIZE(claims));

	header = jose.header_new(&err);
	if (header == NULL)
		ok = false;
	else if (jwe)
		ok = jose.header_set(header, "alg", "dir", &err) &&
			jose.header_set(header, "enc", "A256GCM", &err);
	else
		ok = jose.header_set(header, "alg", algorithm_name(key->algorithm), &err);
	ok = ok && jose.header_set(header, "kid", kid, &err) &&
		jose.header_set(header, "typ", "JWT", &err);
	if (ok && jwe)
	{
		cjose_jwe_t *made = jose.jwe_encrypt(key->jwk, header, (uint8_t *) plaintext,
											  strlen(plaintext), &err);
		char	   *compact = made ? jose.jwe_export(made, &err) : NULL;

		if (compact != NULL)
		{
			token = pstrdup(compact);
			jose.get_dealloc() (compact);
		}
		if (made != NULL)
			jose.jwe_release(made);
	}
	else if (ok)
	{
		cjose_jws_t *made = jose.jws_sign(key->jwk, header, (uint8_t *) plaintext,
										   strlen(plaintext), &err);
		const char *compact = NULL;

		/* The compact form belongs to the JWS object. */
		if (made != NULL && jose.jws_export(made, &compact, &err))
			token = pstrdup(compact);
		if (made != NULL)
			jose.jws_release(made);
	}
	if (header != NULL)
		jose.header_release(header);
	if (token == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not make a %s session token with key \"%s\": %s", format, kid, err.message)));
	PG_RETURN_TEXT_P(cstring_to_text(token));
}

static inline bool
is_base64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * What a presented token looks like: an opaque token ("mts_" and 43
 * base64url characters), a compact JWS (three base64url parts) or JWE (five),
 * or nothing made here.
 */
SessionTokenFormat
mt_session_token_format(const char *token)
{
	size_t		len = strlen(token);
	size_t		i;
	int			dots = 0;

	if (len == OPAQUE_TOKEN_LEN && strncmp(token, OPAQUE_PREFIX, strlen(OPAQUE_PREFIX)) == 0)
	{
		for (i = strlen(OPAQUE_PREFIX); i < len; i++)
			if (!is_base64url_char(token[i]))
				return SESSION_TOKEN_MALFORMED;
		return SESSION_TOKEN_OPAQUE;
	}
	if (len > JOSE_TOKEN_MAXLEN)
		return SESSION_TOKEN_MALFORMED;
	for (i = 0; i < len; i++)
	{
		if (token[i] == '.')
			dots++;
		else if (!is_base64url_char(token[i]))
			return SESSION_TOKEN_MALFORMED;
	}
	if (dots == 2)
		return SESSION_TOKEN_JWS;
	if (dots == 4)
		return SESSION_TOKEN_JWE;
	return SESSION_TOKEN_MALFORMED;
}

/*
 * Whether a JWS's signature or a JWE's tag checks out under the key its kid
 * names, with exactly that key's algorithm; on success the kid is copied
 * into kid (MT_SESSION_KID_LEN + 1 bytes).  Any failure is false, so that
 * the caller refuses every bad token alike.
 */
bool
mt_session_token_verify(const char *token, SessionTokenFormat format, char *kid)
{
	cjose_err	err;
	cjose_jws_t *volatile jws = NULL;
	cjose_jwe_t *volatile jwe = NULL;
	cjose_header_t *header;
	const char *header_alg;
	const char *header_enc = NULL;
	const char *header_kid;
	volatile bool verified = false;

	load_cjose();
	if (format == SESSION_TOKEN_JWS)
	{
		jws = jose.jws_import(token, strlen(token), &err);
		header = jws ? jose.jws_get_protected(jws) : NULL;
	}
	else if (format == SESSION_TOKEN_JWE)
	{
		jwe = jose.jwe_import(token, strlen(token), &err);
		header = jwe ? jose.jwe_get_protected(jwe) : NULL;
	}
	else
		return false;
	if (header == NULL)
	{
		if (jws != NULL)
			jose.jws_release(jws);
		if (jwe != NULL)
			jose.jwe_release(jwe);
		return false;
	}
	header_alg = jose.header_get(header, "alg", &err);
	header_kid = jose.header_get(header, "kid", &err);
	if (jwe != NULL)
		header_enc = jose.header_get(header, "enc", &err);

	PG_TRY();
	{
		SessionKey *key = NULL;

		if (header_alg != NULL && well_formed_kid(header_kid))
			key = find_key(header_kid);
		if (key == NULL)
			 /* refused below */ ;
		else if (jws != NULL)
			verified = key->algorithm != KEY_A256GCM &&
				strcmp(header_alg, algorithm_name(key->algorithm)) == 0 &&
				jose.jws_verify(jws, key->jwk, &err);
		else
		{
			if (key->algorithm == KEY_A256GCM &&
				strcmp(header_alg, "dir") == 0 &&
				header_enc != NULL && strcmp(header_enc, "A256GCM") == 0)
			{
				size_t		content_len = 0;
				uint8_t    *content = jose.jwe_decrypt(jwe, key->jwk, &content_len, &err);

				if (content != NULL)
				{
					verified = true;
					jose.get_dealloc() (content);
				}
			}
		}
		if (verified)
			strlcpy(kid, header_kid, MT_SESSION_KID_LEN + 1);
	}
	PG_FINALLY();
	{
		if (jws != NULL)
			jose.jws_release(jws);
		if (jwe != NULL)
			jose.jwe_release(jwe);
	}
	PG_END_TRY();
	return verified;
}
