/*-------------------------------------------------------------------------
 *
 * event_store.h
 *	  push, push_many and read_events over multitenant.events: what other
 *	  modules need of the event store.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_EVENT_STORE_H
#define MT_EVENT_STORE_H

#include "storage/lockdefs.h"

/* See mt_register_push_callback. */
typedef void (*MtPushCallback) (const char *instance_id, const char *event_type);

extern void mt_event_store_init(void);
extern void mt_register_push_callback(MtPushCallback callback);
extern void mt_lock_pushers(LOCKMODE mode);

#endif							/* MT_EVENT_STORE_H */
