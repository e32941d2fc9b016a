/*-------------------------------------------------------------------------
 *
 * lockout.c
 *	  The lockout flow: record_auth_check counts failed password and OTP
 *	  checks against the effective lockout policy and locks the user at the
 *	  limit, as Zitadel's commands do.
 *
 * Every check is an event on the user aggregate (user.human.password.check.
 * failed|succeeded, user.human.mfa.otp[.sms|.email].check.failed|succeeded);
 * login_failures_projection counts the failures since the last success or
 * unlock.  When a failure reaches the policy's maximum (the org's policy,
 * else the instance default; 0 means no limit), user.locked is pushed in the
 * same transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/builtins.h"

#include "lookups.h"
#include "multitenant.h"
#include "tenant_context.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_record_auth_check);

/* Zitadel's UserState values that matter here. */
#define USER_STATE_INACTIVE 2
#define USER_STATE_LOCKED 4
#define USER_STATE_SUSPEND 5

typedef struct AuthFactor
{
	const char *name;
	const char *failed_event;
	const char *succeeded_event;
} AuthFactor;

static const AuthFactor factors[] = {
	{"password", "user.human.password.check.failed", "user.human.password.check.succeeded"},
	{"totp", "user.human.mfa.otp.check.failed", "user.human.mfa.otp.check.succeeded"},
	{"otp_sms", "user.human.mfa.otp.sms.check.failed", "user.human.mfa.otp.sms.check.succeeded"},
	{"otp_email", "user.human.mfa.otp.email.check.failed", "user.human.mfa.otp.email.check.succeeded"},
};

static SPIPlanPtr push_user_event_plan = NULL;
static SPIPlanPtr failures_plan = NULL;

/*
 * Checks of one user are serialised, so that two failures arriving together
 * cannot both stay under the limit.
 */
static void
lock_user_checks(const char *tenant, const char *user_id)
{
	StringInfoData key;
	uint64		hash;
	LOCKTAG		tag;

	initStringInfo(&key);
	appendBinaryStringInfo(&key, tenant, strlen(tenant) + 1);
	appendBinaryStringInfo(&key, user_id, strlen(user_id));
	hash = DatumGetUInt64(hash_any_extended((unsigned char *) key.data, key.len, 0));
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) (hash >> 32), (uint32) hash,
						 MT_LOCK_CLASS_LOCKOUT);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
	pfree(key.data);
}

static void
push_user_event(const char *tenant, const char *user_id, const char *event_type)
{
	Datum		values[3];
	int			rc;

	if (push_user_event_plan == NULL)
	{
		Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};

		push_user_event_plan = mt_prepare_kept(
			"SELECT (multitenant.push('user', $2, $3, instance_id => $1)).sequence",
			3, types);
	}
	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(user_id);
	values[2] = CStringGetTextDatum(event_type);
	rc = mt_execute_kept(push_user_event_plan, values, NULL, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "pushing %s failed: %s", event_type, SPI_result_code_string(rc));
}

/*
 * record_auth_check(user_id, factor, succeeded, tenant_token): records one
 * check of a user of the current tenant and returns whether the user is
 * locked afterwards.  A locked user's checks are not recorded (Zitadel
 * refuses them); an inactive or suspended user's are refused.
 */
Datum
mt_record_auth_check(PG_FUNCTION_ARGS)
{
	char	   *user_id = mt_text_arg(fcinfo, 0);
	char	   *factor_name = mt_text_arg(fcinfo, 1);
	bool		succeeded;
	char	   *token = mt_text_arg(fcinfo, 3);
	const AuthFactor *factor = NULL;
	static const MtLookupTable tables[] = {MT_T_USERS, MT_T_LOGIN_FAILURES, MT_T_LOCKOUT_POLICIES};
	bool		as_caller;
	char	   *tenant;
	Datum		values[3];
	bool		isnull;
	int			state;
	bool		locked = false;
	int			rc;
	int			i;

	mt_check_identifier(user_id, "user_id");
	if (factor_name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("factor of a check of user \"%s\" must not be null", user_id)));
	for (i = 0; i < lengthof(factors); i++)
		if (strcmp(factors[i].name, factor_name) == 0)
			factor = &factors[i];
	if (factor == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown authentication factor \"%s\" for user \"%s\"", factor_name, user_id),
				 errhint("The factor must be password, totp, otp_sms or otp_email.")));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("outcome of a %s check of user \"%s\" must not be null", factor_name, user_id)));
	succeeded = PG_GETARG_BOOL(2);
	tenant = mt_lookup_tenant(token, "record_auth_check");
	as_caller = mt_lookup_access("record_auth_check", tables, lengthof(tables));

	lock_user_checks(tenant, user_id);
	mt_spi_connect();

	state = mt_user_state(tenant, user_id, as_caller);

	if (state == USER_STATE_LOCKED)
	{
		SPI_finish();
		PG_RETURN_BOOL(true);
	}
	if (state == USER_STATE_INACTIVE || state == USER_STATE_SUSPEND)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("user \"%s\" is not active, so its %s check cannot be recorded", user_id, factor_name)));

	push_user_event(tenant, user_id, succeeded ? factor->succeeded_event : factor->failed_event);

	if (!succeeded)
	{
		if (failures_plan == NULL)
		{
			Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};

			/*
			 * The org's own policy (its id is the org), else the instance
			 * default (its id is the instance); without either, no limit.
			 * Each is one probe of the policies' key.  The plan is analysed
			 * again under whatever search_path its caller has, so every
			 * operator is qualified (CASE x WHEN compares with "=" too).
			 */
			failures_plan = mt_prepare_kept(
				"SELECT COALESCE(CASE"
				"         WHEN $3 OPERATOR(pg_catalog.=) 'password' THEN f.password_failures"
				"         WHEN $3 OPERATOR(pg_catalog.=) 'totp' THEN f.totp_failures"
				"         WHEN $3 OPERATOR(pg_catalog.=) 'otp_sms' THEN f.otp_sms_failures"
				"         ELSE f.otp_email_failures END, 0)::pg_catalog.int8,"
				"       COALESCE(CASE WHEN $3 OPERATOR(pg_catalog.=) 'password'"
				"         THEN pol.max_password_attempts ELSE pol.max_otp_attempts END, 0)::pg_catalog.int8"
				"  FROM multitenant.users_projection AS u"
				"  LEFT JOIN multitenant.login_failures_projection AS f"
				"    ON f.instance_id OPERATOR(pg_catalog.=) $1 AND f.user_id OPERATOR(pg_catalog.=) u.id"
				"  LEFT JOIN multitenant.lockout_policies_projection AS org_policy"
				"    ON org_policy.instance_id OPERATOR(pg_catalog.=) $1"
				"   AND org_policy.id OPERATOR(pg_catalog.=) u.resource_owner AND NOT org_policy.is_default"
				"  LEFT JOIN multitenant.lockout_policies_projection AS default_policy"
				"    ON default_policy.instance_id OPERATOR(pg_catalog.=) $1"
				"   AND default_policy.id OPERATOR(pg_catalog.=) $1 AND default_policy.is_default"
				"  CROSS JOIN LATERAL (SELECT COALESCE(org_policy.max_password_attempts, default_policy.max_password_attempts)"
				"                               AS max_password_attempts,"
				"                             COALESCE(org_policy.max_otp_attempts, default_policy.max_otp_attempts)"
				"                               AS max_otp_attempts) AS pol"
				" WHERE u.instance_id OPERATOR(pg_catalog.=) $1 AND u.id OPERATOR(pg_catalog.=) $2",
				3, types);
		}
		values[0] = CStringGetTextDatum(tenant);
		values[1] = CStringGetTextDatum(user_id);
		values[2] = CStringGetTextDatum(factor->name);
		rc = mt_execute_lookup(failures_plan, values, NULL, as_caller, false, 1);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "reading the failed checks of user \"%s\" failed: %s", user_id, SPI_result_code_string(rc));
		{
			int64		failures = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
			int64		limit = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));

			if (limit > 0 && failures >= limit)
			{
				push_user_event(tenant, user_id, "user.locked");
				locked = true;
			}
		}
	}
	SPI_finish();
	PG_RETURN_BOOL(locked);
}
