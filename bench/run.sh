#!/usr/bin/env bash
# bench/run.sh (`make bench`): build + install the extension, start a
# throwaway cluster (test/harness/cluster.sh), load bench/setup.sql, then run
# every pgbench script in bench/*.sql with -M prepared -n for 1 and 2 clients,
# synchronous_commit on and off, and print two markdown tables (also written to
# bench/results/latest.md): throughput per scenario, and the target ratios.
#
# Environment:
#   BENCH_SECONDS   seconds per pgbench run (default 15)
#   BENCH_ROUNDS    rounds of the whole matrix; the tables report medians (default 3)
#   BENCH_CLIENTS   client counts (default "1 2")
#   BENCH_SYNC      synchronous_commit values (default "on off")
#   BENCH_DIAG=1    also run the diagnostic scripts in bench/diag/
#   BENCH_NO_BUILD=1  skip make / make install
#   MT_KEEP_CLUSTER=1 keep the cluster directory afterwards (see cluster.sh)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
SECONDS_PER_RUN=${BENCH_SECONDS:-15}
ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=${BENCH_CLIENTS:-1 2}
SYNCS=${BENCH_SYNC:-on off}
RESULTS=$BENCH_RESULTS
bench_build

# Settings for a write benchmark: all three 1M-row projections (~1 GB with
# indexes) fit in shared_buffers, and no checkpoint starts inside a run (each
# run starts right after an explicit CHECKPOINT instead).  fsync stays on.
export MT_CLUSTER_CONF="shared_buffers = '2GB'
max_wal_size = '16GB'
min_wal_size = '1GB'
checkpoint_timeout = '1h'
autovacuum = off
max_connections = 50"

bench_cluster_start

echo "== setup (1M-row projections x3; takes a minute)"
start=$(date +%s)
"${PSQL[@]}" -v events="${BENCH_EVENTS:-1000000}" -f bench/setup.sql >/dev/null
echo "   done in $(( $(date +%s) - start )) s"
"${PSQL[@]}" -At -c "SELECT 'payload bytes (jsonb text): ' || octet_length(bench.user_payload('123456789012345678')::text)"

# name|batch|script, in the order of the first (clients, sync) combination;
# each later combination starts one step further down the list, so that no
# scenario always runs first or last.
SCENARIOS=(
  "a1|1|bench/a1_push.sql"
  "b1|1|bench/b1_insert.sql"
  "c1|1|bench/c1_trigger.sql"
  "d1|1|bench/d1_client.sql"
  "a100|100|bench/a100_push_many.sql"
  "b100|100|bench/b100_insert.sql"
  "c100|100|bench/c100_trigger.sql"
  "d100|100|bench/d100_client.sql"
  "a1_identity|1|bench/a1_push_identity.sql"
  "a100_identity|100|bench/a100_push_many_identity.sql"
)
if [[ ${BENCH_DIAG:-0} == 1 ]]; then
  SCENARIOS+=(
    "diag_a1_noreducer|1|bench/diag/a1_push_noreducer.sql"
    "diag_b1_on_conflict|1|bench/diag/b1_insert_on_conflict.sql"
    "diag_a100_noreducer|100|bench/diag/a100_push_many_noreducer.sql"
    "diag_a100_array_only|100|bench/diag/a100_build_array_only.sql"
    "diag_a100_jsonb_agg|100|bench/diag/a100_push_many_jsonb_agg.sql"
    "diag_a1_sql|1|bench/a1_push.sql|-c multitenant.direct_event_writes=off"
    "diag_a100_sql|100|bench/a100_push_many.sql|-c multitenant.direct_event_writes=off"
    "diag_a1_new|1|bench/diag/a1_push_new.sql"
    "diag_a100_array|100|bench/diag/a100_push_many_array.sql"
  )
fi

between_runs() {
  "${PSQL[@]}" -c "VACUUM (ANALYZE) bench.users, bench.users_trigger, bench.users_client,
      bench.events_plain, bench.events_trigger, bench.events_client, multitenant.events" \
    -c "CHECKPOINT"
}

# This machine's throughput drifts by tens of percent from minute to minute,
# so the whole matrix runs ROUNDS times and every figure is the median.
declare -A RUNS TPS
LOG=$RESULTS/pgbench.log
: >"$LOG"
combo=0
n=${#SCENARIOS[@]}
for ((round = 1; round <= ROUNDS; round++)); do
  echo "== round $round of $ROUNDS"
  for sync in $SYNCS; do
    for clients in $CLIENTS; do
      for ((k = 0; k < n; k++)); do
        IFS='|' read -r name batch script options <<<"${SCENARIOS[$(((k + combo) % n))]}"
        between_runs
        out=$(PGOPTIONS="-c synchronous_commit=$sync ${options:-}" "$PGBENCH" -n -M prepared \
                -c "$clients" -j "$clients" -T "$SECONDS_PER_RUN" -f "$script" 2>&1) || {
          echo "$out" >&2
          echo "bench: pgbench failed for $name (clients=$clients sync=$sync)" >&2
          exit 1
        }
        printf '### %s clients=%s sync=%s\n%s\n\n' "$name" "$clients" "$sync" "$out" >>"$LOG"
        if grep -q 'aborted\|number of failed transactions: [1-9]' <<<"$out"; then
          echo "$out" >&2
          echo "bench: $name had failed or aborted clients (clients=$clients sync=$sync)" >&2
          exit 1
        fi
        tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out" | head -n1)
        RUNS[$name,$clients,$sync]+="$tps "
        printf '   %-22s clients=%s sync=%-3s %10.1f tps %12.0f rows/s\n' "$name" "$clients" "$sync" \
          "$tps" "$(awk -v t="$tps" -v b="$batch" 'BEGIN{print t*b}')"
      done
      combo=$((combo + 1))
    done
  done
done

for key in "${!RUNS[@]}"; do
  TPS[$key]=$(median "${RUNS[$key]}")
done

# Every reduced event must have produced exactly one new projection row.
echo "== sanity check"
"${PSQL[@]}" -At -F ' ' -c "
  SELECT 'a: events ' || (SELECT count(*) FROM multitenant.events WHERE event_type IN ('user.human.added', 'bench.user.added'))
      || ', new bench.users rows ' || (SELECT count(*) - 1000000 FROM bench.users);
  SELECT 'b: events ' || (SELECT count(*) FROM bench.events_plain);
  SELECT 'c: events ' || (SELECT count(*) FROM bench.events_trigger)
      || ', new bench.users_trigger rows ' || (SELECT count(*) - 1000000 FROM bench.users_trigger);
  SELECT 'd: events ' || (SELECT count(*) FROM bench.events_client)
      || ', new bench.users_client rows ' || (SELECT count(*) - 1000000 FROM bench.users_client);" \
  | tee "$RESULTS/sanity.txt"


{
  echo "# multitenant write benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $("$MT_PGBIN/postgres" -V), $(nproc) cores," \
       "pgbench -M prepared -n -T $SECONDS_PER_RUN, median of $ROUNDS rounds, 1M-row projections," \
       "payload $("${PSQL[@]}" -At -c "SELECT octet_length(bench.user_payload('123456789012345678')::text)") bytes."
  echo
  echo "| scenario | clients | synchronous_commit | tps | rows/s |"
  echo "|---|---:|---|---:|---:|"
  for entry in "${SCENARIOS[@]}"; do
    IFS='|' read -r name batch script _ <<<"$entry"
    for sync in $SYNCS; do
      for clients in $CLIENTS; do
        tps=${TPS[$name,$clients,$sync]:-0}
        printf '| %s | %s | %s | %.0f | %.0f |\n' "$name" "$clients" "$sync" "$tps" \
          "$(awk -v t="$tps" -v b="$batch" 'BEGIN{print t*b}')"
      done
    done
  done
  echo
  echo "Targets: one per transaction a1 >= 1.0x c1 and >= 1.5x d1;" \
       "100 per transaction a100 >= 1.2x c100 and >= 0.6x b100."
  echo
  echo "| clients | synchronous_commit | a1/c1 (>= 1.0) | a1/d1 (>= 1.5) | a100/c100 (>= 1.2) | a100/b100 (>= 0.6) |"
  echo "|---:|---|---|---|---|---|"
  for sync in $SYNCS; do
    for clients in $CLIENTS; do
      cells=""
      for pair in "a1 c1 1.0" "a1 d1 1.5" "a100 c100 1.2" "a100 b100 0.6"; do
        read -r x y target <<<"$pair"
        r=$(ratio "${TPS[$x,$clients,$sync]:-0}" "${TPS[$y,$clients,$sync]:-0}")
        cells+=" $r $(verdict_ge "$r" "$target") |"
      done
      echo "| $clients | $sync |$cells"
    done
  done
} >"$RESULTS/latest.md"

echo
cat "$RESULTS/latest.md"
echo
echo "(written to bench/results/latest.md; raw pgbench output in bench/results/pgbench.log)"
