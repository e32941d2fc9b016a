/*-------------------------------------------------------------------------
 *
 * settings.h
 *	  The extension's settings (multitenant.*), except multitenant.tenant,
 *	  which tenant_context.c defines with its own hooks.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_SETTINGS_H
#define MT_SETTINGS_H

/* Master keys of encryption_keys: 32 bytes, set as 64 hex characters. */
#define MT_MASTER_KEY_LEN 32
#define MT_MASTER_KEY_HEX_LEN (MT_MASTER_KEY_LEN * 2)

/* The request metadata of the audit log, in bytes. */
#define MT_CLIENT_ADDRESS_MAXLEN 128
#define MT_USER_AGENT_MAXLEN 1024

extern bool mt_session_tenant;
extern bool mt_require_declared_event_types;
extern bool mt_require_signed_context;
extern bool mt_self_registration;
extern bool mt_index_lookups;
extern bool mt_token_cache;
extern bool mt_row_cache;
extern bool mt_direct_event_writes;
extern bool mt_deferred_index_builds;
extern char *mt_signing_key;
extern uint64 mt_signing_key_generation;
extern char *mt_master_key;
extern char *mt_previous_master_key;
extern bool mt_loaded_at_startup;
extern char *mt_client_address;
extern char *mt_user_agent;

extern void mt_settings_init(void);

#endif							/* MT_SETTINGS_H */
