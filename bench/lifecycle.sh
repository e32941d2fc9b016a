#!/usr/bin/env bash
# bench/lifecycle.sh (`make bench-lifecycle`): throughput of the tenant
# lifecycle calls, one call per transaction, as the application's login role
# with the tenant and the actor set for the transaction
# (bench/lifecycle/*.sql; data from bench/lifecycle_setup.sql):
#
#   register_new       register_tenant: a new tenant and a new owner (sign-up)
#   register_existing  register_tenant for an existing verified principal
#   add_member         an owner adds a principal that is no member yet
#   change_role        an owner toggles a member between member and viewer
#   invite             an owner invites a new e-mail address
#   accept             the invited principal accepts a pending invitation
#   approve            an owner approves a pending join request
#   floor              the same request shape inserting one row into a tenant table
#
# accept and approve consume pending invitations and requests in order; before
# each of their runs the application makes enough new ones (not timed:
# prepare_invitation.sql, prepare_request.sql) for BENCH_PENDING calls.
#
# Each runs with pgbench -n -M prepared for 1 and 4 clients, BENCH_SECONDS
# each, synchronous_commit on and the cluster's fsync defaults (fsync on,
# wal_sync_method fdatasync, full_page_writes on); the order rotates, the whole
# list repeats BENCH_ROUNDS times, the figures are medians.  Target: >= 1,000
# calls per second each.  Then, unless BENCH_DIAG=0, each call runs once more
# for BENCH_SECONDS with pg_stat_statements tracking nested statements, and
# its statements by total time go to bench/results/lifecycle-statements.txt,
# with each call's server time measured in one transaction of 500 calls
# (no commit per call, no round trips).
#
# Environment:
#   BENCH_SECONDS      seconds per pgbench run (default 10)
#   BENCH_ROUNDS       rounds (default 3)
#   BENCH_CLIENTS      client counts (default "1 4")
#   BENCH_TENANTS      tenants prepared (default 100), BENCH_MEMBERS members each (default 50)
#   BENCH_PRINCIPALS   principals prepared for add_member (default 2000; add_member can
#                      make BENCH_TENANTS x BENCH_PRINCIPALS calls)
#   BENCH_PENDING      pending invitations and join requests ready before each run
#                      (default 2,000 per second of a run)
#   BENCH_DIAG=0       skip the diagnosis
#   BENCH_NO_BUILD=1   skip make / make install
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=${BENCH_CLIENTS:-1 4}
TENANTS=${BENCH_TENANTS:-100}
MEMBERS=${BENCH_MEMBERS:-50}
PRINCIPALS=${BENCH_PRINCIPALS:-2000}
DIAG=${BENCH_DIAG:-1}
PENDING=${BENCH_PENDING:-$((SECONDS_PER_RUN * 2000))}
bench_build

export MT_CLUSTER_CONF="shared_buffers = '512MB'
max_wal_size = '8GB'
checkpoint_timeout = '1h'
autovacuum = off
shared_preload_libraries = 'multitenant,pg_stat_statements'
pg_stat_statements.track = 'none'"
bench_cluster_start

echo "== setup ($TENANTS tenants with $MEMBERS members each, $PRINCIPALS principals)"
"${PSQL[@]}" -v tenants="$TENANTS" -v principals="$PRINCIPALS" -v members="$MEMBERS" \
  -f bench/lifecycle_setup.sql >/dev/null

CALLS=(register_new register_existing add_member change_role invite accept approve floor)
DEFS=(-D tenants="$TENANTS" -D principals="$PRINCIPALS" -D members="$MEMBERS")
declare -A RUNS
LOG=$BENCH_RESULTS/lifecycle-pgbench.log
: >"$LOG"

pgbench_run() { # pgbench_run SCRIPT CLIENTS SECONDS -> tps
  local out
  out=$("$PGBENCH" -n -M prepared -U bench_app -c "$2" -j "$2" -T "$3" "${DEFS[@]}" \
          -f "bench/lifecycle/$1.sql" 2>&1) || { echo "$out" >&2; return 1; }
  printf '### %s, %s clients\n%s\n\n' "$1" "$2" "$out" >>"$LOG"
  if grep -q 'aborted\|number of failed transactions: [1-9]' <<<"$out"; then
    echo "$out" >&2
    return 1
  fi
  sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out" | head -n1
}

# Pending invitations or join requests for the next PENDING calls of accept
# or approve, made by the application (not timed).
top_up() { # top_up CALL
  local made used missing out
  case $1 in
    accept) made="SELECT coalesce(max(n), 0) FROM bench.invites"; used=bench.accept_seq ;;
    approve) made="SELECT coalesce(max(n), 0) FROM bench.requests"; used=bench.approve_seq ;;
    *) return 0 ;;
  esac
  missing=$("${PSQL[@]}" -At -c "SELECT $PENDING - (($made) - (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM $used))")
  if ((missing > 0)); then
    local script=prepare_invitation
    [[ $1 == approve ]] && script=prepare_request
    out=$("$PGBENCH" -n -U bench_app -c 2 -j 2 -t $(((missing + 1) / 2)) "${DEFS[@]}" \
            -f "bench/lifecycle/$script.sql" 2>&1) || { echo "$out" >&2; return 1; }
    if grep -q 'aborted\|number of failed transactions: [1-9]' <<<"$out"; then
      echo "$out" >&2
      return 1
    fi
  fi
}

for ((round = 1; round <= ROUNDS; round++)); do
  for c in $CLIENTS; do
    for ((k = 0; k < ${#CALLS[@]}; k++)); do
      call=${CALLS[$(((k + round) % ${#CALLS[@]}))]}
      top_up "$call"
      "${PSQL[@]}" -c "VACUUM ANALYZE" -c "CHECKPOINT"
      tps=$(pgbench_run "$call" "$c" "$SECONDS_PER_RUN")
      RUNS[$call,$c]+="$tps "
      printf '   round %s, %s client(s), %-18s %8.1f tps\n' "$round" "$c" "$call" "$tps"
    done
  done
done

echo "== sanity check"
"${PSQL[@]}" -At <<'SQL'
SELECT 'tenants registered by the benchmark: ' || count(*) FROM multitenant.tenants WHERE id LIKE 'rt-%';
SELECT 'memberships added by add_member: ' || count(*) FROM multitenant.memberships WHERE principal_id LIKE 'bp-%' AND role = 'member';
SELECT 'role changes: ' || count(*) FROM multitenant.events WHERE event_type = 'tenant.member.role.changed';
SELECT 'invitations by status: ' || string_agg(status || ' ' || n, ', ' ORDER BY status)
  FROM (SELECT status, count(*) AS n FROM multitenant.invitations GROUP BY status) AS i;
SELECT 'join requests by status: ' || string_agg(status || ' ' || n, ', ' ORDER BY status)
  FROM (SELECT status, count(*) AS n FROM multitenant.join_requests GROUP BY status) AS r;
SELECT 'audit entries: ' || count(*) FROM multitenant.audit_log;
SQL

{
  echo "# lifecycle benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $("$MT_PGBIN/postgres" -V), $(nproc) cores, pgbench -n -M prepared" \
       "-T $SECONDS_PER_RUN as bench_app, synchronous_commit on, median of $ROUNDS rounds," \
       "$TENANTS tenants x $MEMBERS members, $PRINCIPALS principals."
  echo
  header="| call |"
  rule="|---|"
  for c in $CLIENTS; do
    header+=" $c client(s), tps | vs target 1,000 |"
    rule+="---:|---|"
  done
  echo "$header"
  echo "$rule"
  for call in "${CALLS[@]}"; do
    line="| $call |"
    for c in $CLIENTS; do
      m=$(median "${RUNS[$call,$c]}")
      r=$(ratio "$m" 1000)
      if [[ $call == floor ]]; then
        line+=" $(printf '%.0f' "$m") | (floor) |"
      else
        line+=" $(printf '%.0f' "$m") | $r $(verdict_ge "$r" 1.0) |"
      fi
    done
    echo "$line"
  done
} | tee "$BENCH_RESULTS/lifecycle.md"

[[ $DIAG == 1 ]] || exit 0

# Where the time goes.  Server time per call without commit or round trips:
# 500 calls in one transaction (as the operator, which the functions
# authorize first, so the application's checks are left out; the principals
# and tenants are new ones).  Then each call through pgbench again with
# pg_stat_statements tracking nested statements.
echo "== server time per call (500 calls in one transaction)"
"${PSQL[@]}" -At -v tenants="$TENANTS" <<'SQL' | tee "$BENCH_RESULTS/lifecycle-server.txt"
CREATE TEMP TABLE t (call text, us numeric);
DO $$
DECLARE
	t0 timestamptz;
	i integer;
BEGIN
	t0 := clock_timestamp();
	FOR i IN 1..500 LOOP
		PERFORM multitenant.register_tenant('diag-rt-' || i, 'Tenant', owner_id => 'diag-ro-' || i,
		                                    owner_email => 'diag-ro-' || i || '@bench.example');
	END LOOP;
	INSERT INTO t VALUES ('register_new', extract(epoch FROM clock_timestamp() - t0) * 1e6 / 500);
	t0 := clock_timestamp();
	FOR i IN 1..500 LOOP
		PERFORM multitenant.create_principal('user', 'diag-p-' || i || '@bench.example', id => 'diag-p-' || i);
	END LOOP;
	INSERT INTO t VALUES ('create_principal', extract(epoch FROM clock_timestamp() - t0) * 1e6 / 500);
	t0 := clock_timestamp();
	FOR i IN 1..500 LOOP
		PERFORM multitenant.add_member('diag-p-' || i, 'member', tenant => 'diag-rt-' || i);
	END LOOP;
	INSERT INTO t VALUES ('add_member', extract(epoch FROM clock_timestamp() - t0) * 1e6 / 500);
	t0 := clock_timestamp();
	FOR i IN 1..500 LOOP
		PERFORM multitenant.change_member_role('diag-p-' || i, 'viewer', tenant => 'diag-rt-' || i);
	END LOOP;
	INSERT INTO t VALUES ('change_member_role', extract(epoch FROM clock_timestamp() - t0) * 1e6 / 500);
	t0 := clock_timestamp();
	FOR i IN 1..500 LOOP
		PERFORM multitenant.push('tenant', 'diag-rt-' || i, 'tenant.member.role.changed',
		                         jsonb_build_object('principalId', 'diag-p-' || i, 'role', 'member'),
		                         instance_id => 'diag-rt-' || i);
	END LOOP;
	INSERT INTO t VALUES ('push of the same event alone', extract(epoch FROM clock_timestamp() - t0) * 1e6 / 500);
	t0 := clock_timestamp();
	FOR i IN 1..500 LOOP
		PERFORM multitenant.audit_lifecycle('diag-rt-' || i, 'diag', 'multitenant.memberships',
		                                    jsonb_build_object('instance_id', 'diag-rt-' || i), NULL, NULL);
	END LOOP;
	INSERT INTO t VALUES ('audit_lifecycle alone', extract(epoch FROM clock_timestamp() - t0) * 1e6 / 500);
END $$;
SELECT call || ': ' || round(us) || ' us' FROM t;
SQL

echo "== statements by total time (pg_stat_statements, track = all)"
"${PSQL[@]}" -c "ALTER SYSTEM SET pg_stat_statements.track = 'all'" \
  -c "ALTER SYSTEM SET pg_stat_statements.track_planning = on" -c "SELECT pg_reload_conf()" >/dev/null
STMTS=$BENCH_RESULTS/lifecycle-statements.txt
: >"$STMTS"
for call in "${CALLS[@]}"; do
  top_up "$call"
  "${PSQL[@]}" -c "SELECT pg_stat_statements_reset()" >/dev/null
  out=$("$PGBENCH" -n -M prepared -U bench_app -c 1 -j 1 -T "$SECONDS_PER_RUN" "${DEFS[@]}" \
          -f "bench/lifecycle/$call.sql" 2>&1) || { echo "$out" >&2; exit 1; }
  txns=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
  {
    printf '### %s (1 client, %s transactions, %s)\n' "$call" "$txns" "$(grep '^tps' <<<"$out")"
    "${PSQL[@]}" -P pager=off -v txns="$txns" <<'SQL'
WITH s AS (SELECT * FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND query NOT LIKE '%pg_stat_statements%')
SELECT round(sum(total_plan_time)::numeric / :txns * 1000, 1) AS planning_us_per_call,
       round((sum(total_exec_time) FILTER (WHERE toplevel))::numeric / :txns * 1000, 1) AS toplevel_exec_us_per_call
  FROM s;
SELECT calls, plans, round(total_exec_time::numeric / :txns * 1000, 1) AS exec_us_per_call,
       round(total_plan_time::numeric / :txns * 1000, 1) AS plan_us_per_call,
       regexp_replace(left(query, 100), '\s+', ' ', 'g') AS query
  FROM pg_stat_statements
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND query NOT LIKE '%pg_stat_statements%'
 ORDER BY total_exec_time + total_plan_time DESC
 LIMIT 30;
SQL
  } >>"$STMTS"
done
"${PSQL[@]}" -c "ALTER SYSTEM RESET pg_stat_statements.track" -c "ALTER SYSTEM RESET pg_stat_statements.track_planning" \
  -c "SELECT pg_reload_conf()" >/dev/null
echo "   written to $STMTS"
