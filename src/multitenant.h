/*-------------------------------------------------------------------------
 *
 * multitenant.h
 *	  Declarations shared by the multitenant extension's source files.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MULTITENANT_H
#define MULTITENANT_H

#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

/* Before PostgreSQL 14, string keys were dynahash's default. */
#ifndef HASH_STRINGS
#define HASH_STRINGS 0
#endif

/* Longest tenant id, aggregate type, aggregate id or event type, in bytes. */
#define MT_IDENTIFIER_MAXLEN 200

/* Largest event payload accepted by push, in bytes. */
#define MT_PAYLOAD_MAXLEN (1024 * 1024)

/* Master keys of encryption_keys: 32 bytes, set as 64 hex characters. */
#define MT_MASTER_KEY_LEN 32
#define MT_MASTER_KEY_HEX_LEN (MT_MASTER_KEY_LEN * 2)

/*
 * Advisory lock classes (locktag field 4) of our locks; the SQL-level
 * advisory functions use 1 and 2, so ours never collide with an application's.
 */
#define MT_LOCK_CLASS_PUSHERS	0x4D54
#define MT_LOCK_CLASS_AGGREGATE	0x4D55
#define MT_LOCK_CLASS_LOCKOUT	0x4D56

/* multitenant.c */
extern char *mt_tenant_setting;
extern bool mt_session_tenant;
extern bool mt_require_declared_event_types;
extern bool mt_require_signed_context;
extern char *mt_signing_key;
extern bool mt_loaded_at_startup;
extern uint64 mt_signing_key_generation;
extern char *mt_master_key;
extern char *mt_previous_master_key;

/* tenant_context.c */
extern void mt_tenant_context_init(void);
extern bool mt_check_tenant_setting(char **newval, void **extra, GucSource source);
extern const char *mt_show_tenant_setting(void);
extern void mt_check_parallel_tenant(bool parallel_plan);
extern char *mt_current_tenant_cstring(void);
extern bool mt_caller_is_admin(void);
extern void mt_require_admin(const char *function);
extern void mt_check_identifier(const char *value, const char *what);
extern void mt_check_tenant_access(const char *instance_id);
extern Oid	mt_extension_owner(void);
extern void mt_enter_tenant_token(const char *token);
extern char *mt_lookup_tenant(const char *token, const char *function_name);

/* encryption_keys.c */
extern void mt_encryption_keys_init(void);

/* event_store.c */
typedef void (*MtPushCallback) (const char *instance_id, const char *event_type);

extern void mt_event_store_init(void);
extern void mt_register_push_callback(MtPushCallback callback);
extern Oid	mt_events_relid(void);
extern Oid	mt_events_typeid(void);
extern void mt_lock_pushers(LOCKMODE mode);
extern void mt_unlock_pushers(LOCKMODE mode);
extern SPIPlanPtr mt_prepare_kept(const char *sql, int nargs, Oid *argtypes);
extern int	mt_execute_kept(SPIPlanPtr plan, Datum *values, const char *nulls,
							bool read_only, long count);
extern Tuplestorestate *mt_begin_materialized_srf(FunctionCallInfo fcinfo,
												  TupleDesc *desc_out);

/* lookups.c */
typedef enum MtLookupTable
{
	MT_T_USERS,
	MT_T_INSTANCE_DOMAINS,
	MT_T_ORGS,
	MT_T_ORG_DOMAINS,
	MT_T_LOGIN_POLICIES,
	MT_T_LOGIN_DOMAINS,
	MT_T_USER_GRANTS,
	MT_T_PROJECTS,
	MT_T_PROJECT_GRANTS,
	MT_T_PROJECT_MEMBERS,
	MT_T_ORG_MEMBERS,
	MT_T_INSTANCE_MEMBERS,
	MT_T_PATS,
	MT_N_LOOKUP_TABLES
} MtLookupTable;

extern void mt_lookups_init(void);
extern bool mt_lookup_access(const char *function_name, const MtLookupTable *tables, int n);
extern int16 mt_user_state(const char *tenant, const char *user_id);

/* reducer.c */
extern void mt_reducer_cache_init(void);
extern void mt_reduce_events(Datum *events, char **event_types, int n,
							 const Oid *only_projections, int n_only);

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

#endif							/* MULTITENANT_H */
