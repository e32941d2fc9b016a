/*-------------------------------------------------------------------------
 *
 * realms.h
 *	  load_realms: the operator's realm file into multitenant.tenant_realms;
 *	  resolve_realm: the realm a login names.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_REALMS_H
#define MT_REALMS_H

#include "fmgr.h"

extern Datum mt_load_realms(PG_FUNCTION_ARGS);
extern Datum mt_resolve_realm(PG_FUNCTION_ARGS);

#endif							/* MT_REALMS_H */
