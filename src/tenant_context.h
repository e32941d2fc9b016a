/*-------------------------------------------------------------------------
 *
 * tenant_context.h
 *	  The tenant of the current session or transaction, and the checks
 *	  that other modules make against it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_TENANT_CONTEXT_H
#define MT_TENANT_CONTEXT_H

#include "pgtime.h"

extern void mt_tenant_context_init(void);
extern char *mt_current_tenant_cstring(void);
extern char *mt_current_tenant_or_null(void);
extern void mt_note_plan_names_tenant(void);
extern char *mt_current_actor_cstring(void);
extern void mt_check_tenant_access(const char *instance_id);
extern char *mt_lookup_tenant(const char *token, const char *function_name);
extern void mt_enter_tenant(const char *tenant, const char *actor, pg_time_t expires);

#endif							/* MT_TENANT_CONTEXT_H */
