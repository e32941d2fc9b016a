#!/usr/bin/env bash
# The join request sweep scheduled with pg_cron, as docs/design.md tells an
# operator to run it: a cluster with shared_preload_libraries =
# 'pg_cron,multitenant' and cron.database_name set, the job scheduled with
# cron.schedule by the superuser, and requests that are overdue (an event with
# a past expiresAt, and a request made while multitenant.unverified_ttl was
# one second), overdue in another tenant, and not yet due.  The suite waits
# until pg_cron has run the job and checks what it changed.
#
# Usage, from the repository root, with the extension built and installed for
# that PostgreSQL:
#
#   PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config bash test/deploy/pg_cron.sh
#
# Output: TAP ("ok N - ...", "not ok N - ...", "# ..." diagnostics, the plan
# "1..N" last).  Exit status 0 when every check passed, 1 when one failed, 2
# when the set-up failed.  Needs pg_cron (postgresql-15-cron,
# test/harness/deps.sh) in the PostgreSQL that PG_CONFIG names.  Starts its
# own throwaway cluster (test/harness/cluster.sh) and removes it on exit, on
# failure and on Ctrl-C; MT_KEEP_CLUSTER=1 keeps it.
#
# pg_cron 1.4 (Debian 12's) schedules by the minute only (seconds, such as
# '2 seconds', need 1.5): the job runs every minute, so the suite waits up to
# 90 seconds for its first run.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../harness/cluster.sh
source "$here/../harness/cluster.sh"

pg_config=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
if [[ ! -f $("$pg_config" --pkglibdir)/pg_cron.so ]]; then
  echo "Bail out! pg_cron is not installed for $pg_config (bash test/harness/deps.sh installs postgresql-15-cron)"
  exit 2
fi

# shellcheck source=../harness/tap.sh
source "$here/../harness/tap.sh"

DB=mtcron
# The launcher connects to cron.database_name at start and retries until it
# exists, so the database is created after the server has started.
MT_CLUSTER_CONF="shared_preload_libraries = 'pg_cron,multitenant'
cron.database_name = '$DB'
cron.log_run = on"

sql() { # statements on stdin, one value per line out
  "$MT_PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" "$@"
}

start_epoch=$SECONDS
mt_cluster_start >/dev/null || tap_bail "could not start a cluster"
"$MT_PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB" || tap_bail "could not create $DB"

# Two tenants; requests pushed as the operator's events (the tenant
# aggregate is the administrators'), and one made through request_join while
# the time to live was one second.
sql >/dev/null <<'SQL' || tap_bail "set-up failed"
CREATE EXTENSION pg_cron;
CREATE EXTENSION multitenant;
SELECT multitenant.create_tenant('cron-a', 'Tenant A');
SELECT multitenant.create_tenant('cron-b', 'Tenant B');
SELECT multitenant.push('tenant', 'cron-a', 'tenant.request.added',
                        jsonb_build_object('requestId', 'r-overdue', 'principalId', 'p-1', 'message', 'let me in',
                                           'expiresAt', now() - interval '1 minute'),
                        instance_id => 'cron-a');
SELECT multitenant.push('tenant', 'cron-a', 'tenant.request.added',
                        jsonb_build_object('requestId', 'r-due-tomorrow', 'principalId', 'p-2',
                                           'expiresAt', now() + interval '1 day'),
                        instance_id => 'cron-a');
SELECT multitenant.push('tenant', 'cron-b', 'tenant.request.added',
                        jsonb_build_object('requestId', 'r-overdue-b', 'principalId', 'p-1',
                                           'expiresAt', now() - interval '1 second'),
                        instance_id => 'cron-b');
SELECT multitenant.create_principal('user', 'ttl@example.com', id => 'p-ttl');
SET multitenant.unverified_ttl = 1;
SET multitenant.actor = 'p-ttl';
SELECT multitenant.request_join('cron-b', 'one second to live');
SQL
sleep 1.5

tap_is "$(sql -c "SELECT string_agg(r.instance_id || '/' || r.label || '=' || r.status, ',' ORDER BY r.instance_id, r.label) FROM (SELECT instance_id, status, CASE WHEN principal_id = 'p-ttl' THEN 'p-ttl' ELSE id END AS label FROM multitenant.join_requests) AS r")" \
  "cron-a/r-due-tomorrow=pending,cron-a/r-overdue=pending,cron-b/p-ttl=pending,cron-b/r-overdue-b=pending" \
  "before the sweep every request is pending, the overdue ones too"

# The documented schedule is '*/10 * * * *'; every minute here.
jobid=$(sql -c "SELECT cron.schedule('multitenant-expire', '* * * * *', 'SELECT multitenant.expire_join_requests()')") ||
  tap_bail "cron.schedule failed"
tap_is "$(sql -c "SELECT command FROM cron.job WHERE jobid = $jobid")" "SELECT multitenant.expire_join_requests()" \
  "the sweep is scheduled as the documentation writes it"

# Until the first run of the job has finished (at most a minute and a bit).
status=
for _ in $(seq 1 180); do
  status=$(sql -c "SELECT status FROM cron.job_run_details WHERE jobid = $jobid AND status IN ('succeeded', 'failed') ORDER BY runid LIMIT 1")
  [[ -n $status ]] && break
  sleep 0.5
done
tap_is "$status" succeeded "pg_cron ran the sweep, and it succeeded"
tap_is "$(sql -c "SELECT string_agg(instance_id || '/' || id || '=' || status, ',' ORDER BY instance_id, id) FROM multitenant.join_requests WHERE principal_id <> 'p-ttl'")" \
  "cron-a/r-due-tomorrow=pending,cron-a/r-overdue=expired,cron-b/r-overdue-b=expired" \
  "the overdue requests of both tenants are expired, the one not yet due is still pending"
tap_is "$(sql -c "SELECT status || ' ' || (expires_at - created_at)::text FROM multitenant.join_requests WHERE principal_id = 'p-ttl'")" \
  "expired 00:00:01" "a request made through request_join while unverified_ttl was one second expired too"
tap_is "$(sql -c "SELECT string_agg(instance_id || ':' || coalesce(nullif(payload ->> 'requestId', (SELECT id FROM multitenant.join_requests WHERE principal_id = 'p-ttl')), 'ttl'), ',' ORDER BY instance_id, payload ->> 'requestId' = (SELECT id FROM multitenant.join_requests WHERE principal_id = 'p-ttl')) FROM multitenant.events WHERE event_type = 'tenant.request.expired'")" \
  "cron-a:r-overdue,cron-b:r-overdue-b,cron-b:ttl" \
  "one tenant.request.expired event per expired request, in its own tenant"
tap_is "$(sql -c "SELECT count(*) FROM multitenant.join_requests AS r WHERE r.status = 'expired' AND r.changed_at > r.created_at")" "3" \
  "the expired rows changed when the job ran, not when they were made"
tap_is "$(sql -c "SELECT multitenant.expire_join_requests()")" "0" "a sweep right after finds nothing more to expire"

sql -c "SELECT cron.unschedule($jobid)" >/dev/null
echo "# $((tap_count - tap_failures)) passed, $tap_failures failed, $((SECONDS - start_epoch)) s"
tap_end
