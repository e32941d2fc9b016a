#!/usr/bin/env bash
# bench/stall.sh (`make bench-stall`): what one tenant's open transaction costs
# every other tenant.  Tenant B pushes (as the superuser) and reads its events
# (as an application role), first with nothing else running, then while
# tenant A holds a transaction open right after a push.  Before 1.3 the reads
# waited for tenant A and the pushes queued behind the waiting reads; the
# ratios (open / quiet) should now be about 1.
#
# Environment: BENCH_SECONDS (default 5), BENCH_ROUNDS (default 3),
# BENCH_NO_BUILD=1, MT_KEEP_CLUSTER=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
SECONDS_PER_RUN=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
bench_build
export MT_CLUSTER_CONF="max_connections = 50"
bench_cluster_start

"${PSQL[@]}" <<'SQL'
CREATE EXTENSION multitenant;
CREATE ROLE stall_app LOGIN;
GRANT multitenant_app TO stall_app;
GRANT SELECT ON multitenant.events_position_seq TO stall_app;
SELECT count(*) FROM multitenant.push_many((SELECT jsonb_agg(jsonb_build_object('aggregate_type', 'org',
         'aggregate_id', 'seed-' || i, 'event_type', 'org.added', 'payload', jsonb_build_object('name', 'seed'),
         'instance_id', CASE WHEN i % 2 = 0 THEN 'tenant-a' ELSE 'tenant-b' END)) FROM generate_series(1, 2000) AS i));
SQL

# tps of a pgbench run; "0" when no transaction finished in time.
run() { # run SCRIPT ROLE
  local out
  out=$("$PGBENCH" -n -M prepared -U "$2" -c 1 -j 1 -T "$SECONDS_PER_RUN" -f "$1" 2>&1) || true
  sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out" | head -n1 | grep . || echo 0
}

declare -A TPS
for ((round = 1; round <= ROUNDS; round++)); do
  for state in quiet open; do
    holder=
    if [[ $state == open ]]; then
      # Tenant A pushes and then keeps its transaction open for the whole run.
      "${PSQL[@]}" -c "BEGIN" \
        -c "SELECT multitenant.push('org', 'held', 'org.added', '{\"name\": \"A\"}', instance_id => 'tenant-a')" \
        -c "SELECT pg_sleep($((2 * SECONDS_PER_RUN + 5)))" -c "ROLLBACK" >/dev/null &
      holder=$!
      sleep 1
    fi
    TPS[push,$state]+="$(run bench/stall/push_b.sql "$PGUSER") "
    TPS[read,$state]+="$(run bench/stall/read_b.sql stall_app) "
    if [[ -n $holder ]]; then
      "${PSQL[@]}" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                        WHERE query LIKE 'SELECT pg_sleep%' AND pid <> pg_backend_pid()" >/dev/null
      wait "$holder" 2>/dev/null || true
    fi
    echo "   round $round, $state: push ${TPS[push,$state]}| read ${TPS[read,$state]}"
  done
done

{
  echo "| tenant B's | tps, nothing open | tps, tenant A's transaction open | open / quiet |"
  echo "|---|---:|---:|---:|"
  for what in push read; do
    q=$(median "${TPS[$what,quiet]}")
    o=$(median "${TPS[$what,open]}")
    printf '| %s | %.0f | %.0f | %s |\n' "$what" "$q" "$o" "$(ratio "$o" "$q")"
  done
} | tee "$BENCH_RESULTS/stall.md"
