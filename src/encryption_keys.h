/*-------------------------------------------------------------------------
 *
 * encryption_keys.h
 *	  add_key, get_key and rotate_master_key over multitenant.encryption_keys.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_ENCRYPTION_KEYS_H
#define MT_ENCRYPTION_KEYS_H

extern void mt_encryption_keys_init(void);

#endif							/* MT_ENCRYPTION_KEYS_H */
