/*-------------------------------------------------------------------------
 *
 * multitenant.h
 *	  What several modules share without it belonging to any one of them:
 *	  the length limit of identifiers, the classes of our advisory locks,
 *	  and a compatibility macro.
 *
 * Each module declares what it offers in its own header (util.h, catalog.h,
 * settings.h, tenant_context.h, ...); only what no single module owns is
 * here.  The lock classes are listed together so that they cannot collide.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MULTITENANT_H
#define MULTITENANT_H

#include "utils/hsearch.h"

/* Before PostgreSQL 14, string keys were dynahash's default. */
#ifndef HASH_STRINGS
#define HASH_STRINGS 0
#endif

/* Longest tenant id, aggregate type, aggregate id or event type, in bytes. */
#define MT_IDENTIFIER_MAXLEN 200

/*
 * Advisory lock classes (locktag field 4) of our locks; the SQL-level
 * advisory functions use 1 and 2, so ours never collide with an application's.
 */
#define MT_LOCK_CLASS_PUSHERS	0x4D54
#define MT_LOCK_CLASS_AGGREGATE	0x4D55
#define MT_LOCK_CLASS_LOCKOUT	0x4D56

#endif							/* MULTITENANT_H */
