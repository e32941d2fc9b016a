/*-------------------------------------------------------------------------
 *
 * reducer.h
 *	  The reducer engine's entries, and the checks of projections that the
 *	  registry and rebuild share.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_REDUCER_H
#define MT_REDUCER_H

#include "fmgr.h"
#include "nodes/pg_list.h"
#include "utils/acl.h"

/* See mt_replay_events. */
typedef void (*MtReplayStop) (void *arg);
typedef void (*MtReplayPrepare) (const char *event_type, void *arg);

extern void mt_reducer_cache_init(void);
extern void mt_reduce_events(Datum *events, char **event_types, int n,
							 const Oid *only_projections, int n_only);
extern int64 mt_replay_events(const char *query, int nargs, Oid *argtypes,
							  Datum *args, const char *nulls,
							  const Oid *targets, int n_targets,
							  MtReplayPrepare prepare, void *prepare_arg,
							  const char *stop_type, MtReplayStop at_stop, void *arg);

extern void mt_reducer_access(const char *event_type, const Oid *only_projections, int n_only,
							  List **written, List **upserted, List **changed, List **read,
							  bool *opaque);
extern char *mt_projection_name(Oid relid);
extern Oid	mt_check_projection(Oid relid);
extern Oid	mt_projection_arg(FunctionCallInfo fcinfo, int n);
extern void mt_require_projection_privilege(Oid relid, AclMode mode, const char *privilege);

#endif							/* MT_REDUCER_H */
