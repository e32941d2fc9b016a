/*-------------------------------------------------------------------------
 *
 * settings.c
 *	  The extension's settings other than multitenant.tenant: their
 *	  variables, the checks that keep secrets where only superusers can read
 *	  them, and their definitions.
 *
 * multitenant.tenant is defined by tenant_context.c: its check and show
 * hooks are the tenant context itself.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "miscadmin.h"
#include "utils/guc.h"

#include "settings.h"

bool		mt_session_tenant = true;
bool		mt_require_declared_event_types = false;
bool		mt_require_signed_context = false;
bool		mt_self_registration = true;
bool		mt_index_lookups = true;
bool		mt_token_cache = true;
bool		mt_row_cache = true;
bool		mt_direct_event_writes = true;
bool		mt_deferred_index_builds = true;
char	   *mt_signing_key = NULL;
char	   *mt_master_key = NULL;
char	   *mt_previous_master_key = NULL;
char	   *mt_client_address = NULL;
char	   *mt_user_agent = NULL;

/*
 * Read by the join request functions in SQL (current_setting), never here:
 * each request copies it into its expiresAt when it is made.
 */
static int	mt_unverified_ttl = 72 * 60 * 60;

/*
 * Whether the library was loaded at server start (set by _PG_init).  Only
 * then can no session have read a secret as an unprotected placeholder
 * before this library defined it, so signed mode and the encryption keys
 * trust their keys only then.
 */
bool		mt_loaded_at_startup = false;

/* Bumped whenever the key changes, so cached token verdicts are dropped. */
uint64		mt_signing_key_generation = 0;

/*
 * Secrets may come from the configuration files, the command line or a
 * superuser's SET, but not from ALTER DATABASE/ROLE ... SET or a function's
 * SET clause: those are stored in pg_db_role_setting and pg_proc, which every
 * role can read.
 */
static bool
check_secret_source(GucSource source, const char *name)
{
	if (source == PGC_S_TEST || source == PGC_S_GLOBAL || source == PGC_S_DATABASE ||
		source == PGC_S_USER || source == PGC_S_DATABASE_USER)
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("%s cannot be stored as a database, role or function setting", name);
		GUC_check_errdetail("Those settings are stored in catalogs that every role can read.");
		GUC_check_errhint("Set it in postgresql.conf or a file it includes.");
		return false;
	}
	return true;
}

static bool
check_signing_key(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if (strlen(*newval) < 32)
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("multitenant.signing_key must be at least 32 characters long");
		return false;
	}
	return check_secret_source(source, "multitenant.signing_key");
}

/*
 * A master key is '' (none) or 32 bytes as 64 hex characters, from where a
 * secret may come (check_secret_source).
 */
static bool
check_master_key_value(const char *value, GucSource source, const char *name)
{
	if (value == NULL || value[0] == '\0')
		return true;
	if (strlen(value) != MT_MASTER_KEY_HEX_LEN ||
		strspn(value, "0123456789abcdefABCDEF") != MT_MASTER_KEY_HEX_LEN)
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("%s must be empty or exactly %d hexadecimal characters (%d bytes)",
						 name, MT_MASTER_KEY_HEX_LEN, MT_MASTER_KEY_LEN);
		GUC_check_errhint("Generate one with \"openssl rand -hex 32\".");
		return false;
	}
	return check_secret_source(source, name);
}

static bool
check_master_key(char **newval, void **extra, GucSource source)
{
	return check_master_key_value(*newval, source, "multitenant.master_key");
}

static bool
check_previous_master_key(char **newval, void **extra, GucSource source)
{
	return check_master_key_value(*newval, source, "multitenant.previous_master_key");
}

/*
 * GUC_SUPERUSER_ONLY still lets members of pg_read_all_settings (and so of
 * pg_monitor, which monitoring agents are commonly given) read a setting;
 * they see only whether a secret is set.
 */
static const char *
show_secret_value(const char *value)
{
	if (value == NULL || value[0] == '\0')
		return "";
	return superuser() ? value : "(hidden)";
}

static const char *
show_master_key(void)
{
	return show_secret_value(mt_master_key);
}

static const char *
show_previous_master_key(void)
{
	return show_secret_value(mt_previous_master_key);
}

static const char *
show_signing_key(void)
{
	return show_secret_value(mt_signing_key);
}

static void
assign_signing_key(const char *newval, void *extra)
{
	mt_signing_key_generation++;
}

/*
 * The request metadata the audit log records is set by the application on
 * every request, so a runaway value would be copied into every entry.
 */
static bool
check_request_value(const char *value, const char *name, int maxlen)
{
	if (value != NULL && strlen(value) > maxlen)
	{
		GUC_check_errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION);
		GUC_check_errmsg("%s must be at most %d bytes long", name, maxlen);
		return false;
	}
	return true;
}

static bool
check_client_address(char **newval, void **extra, GucSource source)
{
	return check_request_value(*newval, "multitenant.client_address", MT_CLIENT_ADDRESS_MAXLEN);
}

static bool
check_user_agent(char **newval, void **extra, GucSource source)
{
	return check_request_value(*newval, "multitenant.user_agent", MT_USER_AGENT_MAXLEN);
}

/*
 * Called from _PG_init after multitenant.tenant is defined, so that the
 * settings are defined, and their placeholders' values taken over, in the
 * order they always were.
 */
void
mt_settings_init(void)
{
	DefineCustomBoolVariable("multitenant.session_tenant",
							 "Whether a tenant may be set for a whole session.",
							 "Turn it off behind transaction-mode connection poolers: then only transaction-scoped entry works.",
							 &mt_session_tenant,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("multitenant.require_declared_event_types",
							 "Refuse to push events of a type that no reducer reduces and nobody declared.",
							 "Declare event types with multitenant.declare_event_type().",
							 &mt_require_declared_event_types,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("multitenant.self_registration",
							 "Whether applications may register new tenants with multitenant.register_tenant().",
							 "The operator always may.",
							 &mt_self_registration,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	/*
	 * Off, the lookups that can probe an index directly run their SQL
	 * statements instead: what the tests compare the probes with.
	 */
	DefineCustomBoolVariable("multitenant.index_lookups",
							 "Answer user_by_login_name, authenticate_pat and validate_session by probing indexes directly.",
							 "Off, they run SQL statements instead; the answers are the same.",
							 &mt_index_lookups,
							 true,
							 PGC_SUSET,
							 GUC_NOT_IN_SAMPLE,
							 NULL, NULL, NULL);

	/*
	 * Off, every tenant token is verified again (its HMAC computed) on every
	 * use, and the rows the lookups keep per backend are read again: what
	 * the tests compare the caches with.
	 */
	DefineCustomBoolVariable("multitenant.token_cache",
							 "Keep the tenant tokens that verified, per backend, until the signing key changes.",
							 "Off, every token's signature is checked on every use; the answers are the same.",
							 &mt_token_cache,
							 true,
							 PGC_SUSET,
							 GUC_NOT_IN_SAMPLE,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("multitenant.row_cache",
							 "Keep rarely changing rows the lookups read (login-name policies, organisation states) per backend.",
							 "Off, the lookups probe their indexes for them every time; the answers are the same.",
							 &mt_row_cache,
							 true,
							 PGC_SUSET,
							 GUC_NOT_IN_SAMPLE,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("multitenant.require_signed_context",
							 "Accept only tenant tokens made by multitenant.sign_tenant().",
							 NULL,
							 &mt_require_signed_context,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("multitenant.signing_key",
							   "Secret key that signs tenant tokens.",
							   "Readable and settable by superusers only.",
							   &mt_signing_key,
							   "",
							   PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   check_signing_key, assign_signing_key, show_signing_key);

	DefineCustomStringVariable("multitenant.master_key",
							   "Master key (64 hexadecimal characters) that encrypts the key material in multitenant.encryption_keys.",
							   "Readable and settable by superusers only; set it in postgresql.conf.",
							   &mt_master_key,
							   "",
							   PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   check_master_key, NULL, show_master_key);

	DefineCustomStringVariable("multitenant.previous_master_key",
							   "The master key before the last change, until multitenant.rotate_master_key() has re-encrypted everything.",
							   "Readable and settable by superusers only; set it in postgresql.conf.",
							   &mt_previous_master_key,
							   "",
							   PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   check_previous_master_key, NULL, show_previous_master_key);

	DefineCustomStringVariable("multitenant.client_address",
							   "The address of the client the application serves, recorded in the audit log.",
							   "Set it per request, with SET LOCAL.",
							   &mt_client_address,
							   "",
							   PGC_USERSET,
							   0,
							   check_client_address, NULL, NULL);

	DefineCustomStringVariable("multitenant.user_agent",
							   "The user agent of the client the application serves, recorded in the audit log.",
							   "Set it per request, with SET LOCAL.",
							   &mt_user_agent,
							   "",
							   PGC_USERSET,
							   0,
							   check_user_agent, NULL, NULL);

	DefineCustomIntVariable("multitenant.unverified_ttl",
							"How long a join request stays pending before it expires.",
							"Fixed into each request when it is made; multitenant.expire_join_requests() marks overdue requests expired.",
							&mt_unverified_ttl,
							72 * 60 * 60,
							1,
							INT_MAX,
							PGC_SUSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("multitenant.direct_event_writes",
							 "Store pushed events through the table access method instead of an SQL INSERT.",
							 "Off forces the SQL statements, which the direct path falls back to by itself whenever the event store has triggers, rules or row-level security of its own.",
							 &mt_direct_event_writes,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("multitenant.deferred_index_builds",
							 "Let a rebuild that empties its projections build their indexes when a reducer first reads them, or after the replay.",
							 "Applies inside the extension's own update scripts, which empty the projections they rebuild; off keeps every index maintained row by row during the replay, which the deferral falls back to by itself for a projection with triggers or rules of its own, inheritance, or another access method, and with Citus.",
							 &mt_deferred_index_builds,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
}
