/*-------------------------------------------------------------------------
 *
 * upgrade_repair.h
 *	  The 1.0 -> 1.1 upgrade's snapshots of the legacy projections, set
 *	  right after the replay that re-derives those projections.
 *
 *-------------------------------------------------------------------------
 */
#ifndef UPGRADE_REPAIR_H
#define UPGRADE_REPAIR_H

#include "multitenant.h"

extern void mt_upgrade_repair_snapshots(const Oid *targets, int n_targets,
										const char *instance_id);

#endif							/* UPGRADE_REPAIR_H */
