/*-------------------------------------------------------------------------
 *
 * multitenant.c
 *	  Module entry point: _PG_init starts every module that keeps state,
 *	  registers callbacks or defines settings.
 *
 * The modules call each other in one direction only: each calls only
 * modules on the lines above its own.
 *
 *	  catalog, util, settings	the extension's own catalog objects, generic
 *								helpers, the settings
 *	  index_probe				lookups by a direct probe of one of our indexes
 *	  row_cache					per-backend copies of rarely changing rows
 *	  tenant_context			the current tenant and the checks against it
 *	  tenant_routing			under Citus, the tenant named in statements that
 *								only row-level security confines
 *	  reducer					the reducer registry and engine
 *	  event_store				push, push_many, read_events
 *	  upgrade_repair			the 1.0 -> 1.1 upgrade's repair of legacy rows
 *	  rebuild					rebuild, rebuild_many
 *	  lookups					the tenant-scoped lookups
 *	  tokens, lockout,			personal access tokens, the lockout flow,
 *	  encryption_keys			encryption keys
 *	  audit						the audit log's trigger and retention
 *
 * payload holds only SQL functions that reducer expressions call.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "catalog.h"
#include "encryption_keys.h"
#include "event_store.h"
#include "index_probe.h"
#include "lookups.h"
#include "reducer.h"
#include "row_cache.h"
#include "settings.h"
#include "tenant_context.h"
#include "tenant_routing.h"

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

	mt_catalog_init();
	mt_event_store_init();
	mt_reducer_cache_init();
	mt_index_probe_init();
	mt_row_cache_init();
	mt_lookups_init();
	mt_encryption_keys_init();
	mt_tenant_routing_init();
}
