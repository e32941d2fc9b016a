/*-------------------------------------------------------------------------
 *
 * upgrade_repair.h
 *	  The 1.0 -> 1.1 upgrade's snapshots of the legacy projections, set
 *	  right after the replay that re-derives those projections.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_UPGRADE_REPAIR_H
#define MT_UPGRADE_REPAIR_H

extern void mt_upgrade_repair_snapshots(const Oid *targets, int n_targets,
										const char *instance_id);

#endif							/* MT_UPGRADE_REPAIR_H */
