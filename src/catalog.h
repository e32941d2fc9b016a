/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  Catalog lookups about the extension itself: its relations, its owner,
 *	  its running script, who administers or operates it, and the
 *	  search_path of its own statements.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_CATALOG_H
#define MT_CATALOG_H

extern void mt_catalog_init(void);
extern Oid	mt_relation_oid(const char *relname, bool missing_ok);
extern bool mt_has_column(Oid relid, const char *column);
extern Oid	mt_events_relid(void);
extern Oid	mt_events_typeid(void);
extern Oid	mt_extension_owner(void);
extern bool mt_running_own_script(void);
extern bool mt_caller_is_admin(void);
extern bool mt_caller_is_operator(void);
extern void mt_require_admin(const char *function);
extern bool mt_extension_policy(const char *name);
extern bool mt_citus_installed(void);
extern bool mt_is_citus_table(Oid relid);
extern void mt_require_coordinator(const char *function_name);
extern int	mt_enter_own_search_path(void);
extern void mt_leave_own_search_path(int nest);

#endif							/* MT_CATALOG_H */
