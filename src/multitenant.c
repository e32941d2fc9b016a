/*-------------------------------------------------------------------------
 *
 * multitenant.c
 *	  Module entry point: _PG_init starts every module that keeps state,
 *	  registers callbacks or defines settings.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "encryption_keys.h"
#include "event_store.h"
#include "lookups.h"
#include "reducer.h"
#include "settings.h"
#include "tenant_context.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	mt_loaded_at_startup = process_shared_preload_libraries_in_progress;

	mt_tenant_context_init();
	mt_settings_init();
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("multitenant");
#else
	EmitWarningsOnPlaceholders("multitenant");
#endif

	mt_event_store_init();
	mt_reducer_cache_init();
	mt_lookups_init();
	mt_encryption_keys_init();
}
