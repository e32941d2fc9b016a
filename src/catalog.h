/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  Catalog lookups about the extension itself: its relations, its owner,
 *	  its running script, and who administers or operates it.
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

#endif							/* MT_CATALOG_H */
