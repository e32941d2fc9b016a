/*-------------------------------------------------------------------------
 *
 * util.h
 *	  Generic helpers every module uses: SPI connections and kept plans,
 *	  materialized set-returning functions, text arguments and their
 *	  checks, and running code as another role.
 *
 * Nothing here knows the extension's tables or tenants; see catalog.h for
 * the helpers that do.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_UTIL_H
#define MT_UTIL_H

#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/inval.h"
#include "utils/tuplestore.h"

/* Run a block of code as another role, restoring the caller's role after. */
#define MT_AS_ROLE_BEGIN(role) \
	do { \
		Oid		mt_saved_userid_; \
		int		mt_saved_secctx_; \
		GetUserIdAndSecContext(&mt_saved_userid_, &mt_saved_secctx_); \
		SetUserIdAndSecContext((role), mt_saved_secctx_ | SECURITY_LOCAL_USERID_CHANGE);
#define MT_AS_ROLE_END() \
		SetUserIdAndSecContext(mt_saved_userid_, mt_saved_secctx_); \
	} while (0)

extern void mt_spi_connect(void);
extern int	mt_kept_plan_options(void);
extern bool mt_kept_plan_is_custom(SPIPlanPtr plan);
extern SPIPlanPtr mt_prepare_kept(const char *sql, int nargs, Oid *argtypes);
extern int	mt_execute_kept(SPIPlanPtr plan, Datum *values, const char *nulls,
							bool read_only, long count);
extern Tuplestorestate *mt_begin_materialized_srf(FunctionCallInfo fcinfo,
												  TupleDesc *desc_out);

extern char *mt_text_arg(FunctionCallInfo fcinfo, int n);
extern char *mt_required_text_arg(FunctionCallInfo fcinfo, int n, const char *what,
								  int maxlen);
extern void mt_check_text(const char *value, const char *what, int maxlen);
extern void mt_check_identifier(const char *value, const char *what);
extern const char *mt_trigger_event_verb(uint32 tg_event);
extern void mt_register_relcache_callback(RelcacheCallbackFunction func, Datum arg);

#endif							/* MT_UTIL_H */
