/*-------------------------------------------------------------------------
 *
 * multitenant.c
 *	  Module entry point: settings and cache callbacks.
 *
 *-------------------------------------------------------------------------
 */
#include "multitenant.h"

#include "miscadmin.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

char	   *mt_tenant_setting = NULL;
bool		mt_require_signed_context = false;
char	   *mt_signing_key = NULL;

/*
 * Signed mode trusts the signing key only when no session could have read it
 * as an unprotected placeholder before this library defined it, i.e. when
 * the library was loaded at server start.
 */
bool		mt_loaded_at_startup = false;

/* Bumped whenever the key changes, so cached token verdicts are dropped. */
uint64		mt_signing_key_generation = 0;

static bool
check_signing_key(char **newval, void **extra, GucSource source)
{
	if (*newval != NULL && (*newval)[0] != '\0' && strlen(*newval) < 32)
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("multitenant.signing_key must be at least 32 characters long");
		return false;
	}
	return true;
}

static void
assign_signing_key(const char *newval, void *extra)
{
	mt_signing_key_generation++;
}

void
_PG_init(void)
{
	mt_loaded_at_startup = process_shared_preload_libraries_in_progress;

	DefineCustomStringVariable("multitenant.tenant",
							   "The tenant of this session or transaction (a signed token in signed mode).",
							   "Set it with multitenant.set_tenant() or SET LOCAL; empty means no tenant.",
							   &mt_tenant_setting,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomBoolVariable("multitenant.require_signed_context",
							 "Accept only tenant tokens made by multitenant.sign_tenant().",
							 NULL,
							 &mt_require_signed_context,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("multitenant.signing_key",
							   "Secret key that signs tenant tokens.",
							   "Readable and settable by superusers only.",
							   &mt_signing_key,
							   "",
							   PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   check_signing_key, assign_signing_key, NULL);

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("multitenant");
#else
	EmitWarningsOnPlaceholders("multitenant");
#endif

	mt_reducer_cache_init();
}
