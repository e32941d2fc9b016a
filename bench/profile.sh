#!/usr/bin/env bash
# bench/profile.sh SCRIPT [SCRIPT...]: throwaway cluster + bench/setup.sql,
# then for each pgbench script a short run (1 client, synchronous_commit=off)
# under `perf record -g` of the whole machine, and the top of `perf report`
# for the postgres processes.
# BENCH_SECONDS (default 10), PERF_LINES (default 60), BENCH_EVENTS (default
# 1000000, see setup.sql).  Without postgresql-15-dbgsym most postgres frames
# show as addresses.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
export MT_CLUSTER_CONF="shared_buffers = '2GB'
max_wal_size = '16GB'
checkpoint_timeout = '1h'
autovacuum = off"
bench_cluster_start
"${PSQL[@]}" -v events="${BENCH_EVENTS:-1000000}" -f bench/setup.sql >/dev/null
out=$(mktemp -d)
for script in "$@"; do
  "${PSQL[@]}" -c "CHECKPOINT"
  PGOPTIONS="-c synchronous_commit=off" perf record -q -g -a -o "$out/perf.data" -- \
    "$MT_PGBIN/pgbench" -n -M prepared -c 1 -j 1 -T "${BENCH_SECONDS:-10}" -f "$script" 2>&1 | grep '^tps'
  echo "== $script"
  perf report -i "$out/perf.data" --comm postgres --no-children --sort symbol --stdio 2>/dev/null \
    | grep -v '^$' | grep -v '^#' | grep '%' | head -n "${PERF_LINES:-60}" || true
done
rm -rf "$out"
