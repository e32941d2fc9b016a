#!/usr/bin/env bash
# bench/audit.sh (`make bench-audit`): what auditing costs a single-row
# UPDATE.  Three identical devices tables (bench/audit_setup.sql): not
# audited, audited by multitenant.enable_audit (the C row trigger), and
# audited by a PL/pgSQL trigger written the way supa_audit writes it.  Each
# pgbench transaction sets the tenant, the actor and the client address, then
# updates one random row (bench/audit_{plain,audited,plpgsql}.sql).  The
# three run in turn, their order rotating, BENCH_ROUNDS times; the figures
# are medians.  Targets: audited >= 0.85x not audited, >= 1.5x PL/pgSQL.
#
# Environment:
#   BENCH_SECONDS   seconds per pgbench run (default 10)
#   BENCH_ROUNDS    rounds (default 5)
#   BENCH_ROWS      rows per table (default 100000)
#   BENCH_SYNC      synchronous_commit (default off: the cost measured is
#                   the trigger's, not the WAL flush every variant pays)
#   BENCH_NO_BUILD=1  skip make / make install
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-5}
ROWS=${BENCH_ROWS:-100000}
SYNC=${BENCH_SYNC:-off}
bench_build

export MT_CLUSTER_CONF="shared_buffers = '512MB'
max_wal_size = '8GB'
checkpoint_timeout = '1h'
autovacuum = off"
bench_cluster_start

echo "== setup ($ROWS rows per table)"
"${PSQL[@]}" -v rows="$ROWS" -f bench/audit_setup.sql >/dev/null

VARIANTS=(plain audited plpgsql)
declare -A RUNS
LOG=$BENCH_RESULTS/audit-pgbench.log
: >"$LOG"
for ((round = 1; round <= ROUNDS; round++)); do
  for ((k = 0; k < ${#VARIANTS[@]}; k++)); do
    v=${VARIANTS[$(((k + round) % ${#VARIANTS[@]}))]}
    "${PSQL[@]}" -c "VACUUM bench.devices_$v" -c "CHECKPOINT"
    out=$(PGOPTIONS="-c synchronous_commit=$SYNC" "$PGBENCH" -n -M prepared -c 1 -j 1 -T "$SECONDS_PER_RUN" \
            -D rows="$ROWS" -f "bench/audit_$v.sql" 2>&1) || { echo "$out" >&2; exit 1; }
    printf '### %s round %s\n%s\n\n' "$v" "$round" "$out" >>"$LOG"
    if grep -q 'aborted\|number of failed transactions: [1-9]' <<<"$out"; then
      echo "$out" >&2
      exit 1
    fi
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out" | head -n1)
    RUNS[$v]+="$tps "
    printf '   round %s %-8s %10.1f tps\n' "$round" "$v" "$tps"
  done
done

# Every audited UPDATE wrote one entry, and so did every PL/pgSQL one.
echo "== sanity check"
"${PSQL[@]}" -At -c "SELECT 'audit_log entries: ' || count(*) FROM multitenant.audit_log WHERE action = 'UPDATE'" \
  -c "SELECT 'record_version rows: ' || count(*) FROM bench.record_version"

plain=$(median "${RUNS[plain]}")
audited=$(median "${RUNS[audited]}")
plpgsql=$(median "${RUNS[plpgsql]}")
r_plain=$(ratio "$audited" "$plain")
r_plpgsql=$(ratio "$audited" "$plpgsql")
{
  echo "# audit log benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $("$MT_PGBIN/postgres" -V), $(nproc) cores, pgbench -M prepared -n -c 1" \
       "-T $SECONDS_PER_RUN, median of $ROUNDS rounds, $ROWS rows per table, synchronous_commit $SYNC."
  echo
  echo "| variant | tps |"
  echo "|---|---:|"
  printf '| not audited | %.0f |\n' "$plain"
  printf '| enable_audit (C trigger) | %.0f |\n' "$audited"
  printf '| PL/pgSQL trigger (supa_audit style) | %.0f |\n' "$plpgsql"
  echo
  echo "| target | ratio | verdict |"
  echo "|---|---:|---|"
  echo "| audited >= 0.85x not audited | $r_plain | $(verdict_ge "$r_plain" 0.85) |"
  echo "| audited >= 1.5x PL/pgSQL | $r_plpgsql | $(verdict_ge "$r_plpgsql" 1.5) |"
} | tee "$BENCH_RESULTS/audit.md"
