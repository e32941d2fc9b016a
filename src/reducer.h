/*-------------------------------------------------------------------------
 *
 * reducer.h
 *	  The reducer engine's entries.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_REDUCER_H
#define MT_REDUCER_H

/* See mt_replay_events. */
typedef void (*MtReplayStop) (void *arg);

extern void mt_reducer_cache_init(void);
extern void mt_reduce_events(Datum *events, char **event_types, int n,
							 const Oid *only_projections, int n_only);
extern int64 mt_replay_events(const char *query, int nargs, Oid *argtypes,
							  Datum *args, const char *nulls,
							  const Oid *targets, int n_targets,
							  const char *stop_type, MtReplayStop at_stop, void *arg);

#endif							/* MT_REDUCER_H */
