/*-------------------------------------------------------------------------
 *
 * tenant_routing.h
 *	  Under Citus, statements that only row-level security confines to the
 *	  current tenant name it, so that they go to the tenant's shard.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_TENANT_ROUTING_H
#define MT_TENANT_ROUTING_H

extern void mt_tenant_routing_init(void);

#endif							/* MT_TENANT_ROUTING_H */
