/*-------------------------------------------------------------------------
 *
 * lookups.h
 *	  The tables lookups read and the access check over them, and the user
 *	  state that create_pat and record_auth_check act on.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_LOOKUPS_H
#define MT_LOOKUPS_H

#include "executor/spi.h"

/* The tables a lookup may read; see mt_lookup_access. */
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
	MT_T_MEMBERSHIPS,
	MT_T_PRINCIPALS,
	MT_T_PRINCIPAL_CUSTOM_ROLES,
	MT_T_TENANT_REALMS,
	MT_T_LOGIN_FAILURES,
	MT_T_LOCKOUT_POLICIES,
	MT_N_LOOKUP_TABLES
} MtLookupTable;

extern void mt_lookups_init(void);
extern bool mt_lookup_access(const char *function_name, const MtLookupTable *tables, int n);
extern int16 mt_user_state(const char *tenant, const char *user_id, bool as_caller);
extern int	mt_execute_lookup(SPIPlanPtr plan, Datum *values, const char *nulls, bool as_caller,
							  bool read_only, long count);

#endif							/* MT_LOOKUPS_H */
