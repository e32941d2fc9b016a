# shellcheck shell=bash
# What every benchmark script shares.  Source it from the repository root
# after setting MT_CLUSTER_CONF (the cluster's extra postgresql.conf lines):
#
#   bench_build          make + make install, unless BENCH_NO_BUILD=1
#   bench_cluster_start  a throwaway cluster (test/harness/cluster.sh); sets
#                        PSQL (an array) and PGBENCH
#   now, elapsed A B [DECIMALS]     wall-clock seconds, and B - A
#   median "X Y Z ..."   the median of numbers ("n/a" and blanks ignored)
#   ratio X Y            X / Y to two decimals, n/a when either is n/a or Y <= 0
#   verdict_ge R T, verdict_le R T  PASS or MISS against a target ("" for n/a)
#
# Results go to bench/results/ (BENCH_RESULTS).

export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
BENCH_RESULTS=$PWD/bench/results
mkdir -p "$BENCH_RESULTS"

bench_build() {
  if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
    echo "== build and install"
    make -s >/dev/null
    make -s install >/dev/null
  fi
}

bench_cluster_start() {
  # shellcheck source=test/harness/cluster.sh
  source test/harness/cluster.sh
  mt_cluster_start
  PSQL=("$MT_PGBIN/psql" -X -q -v ON_ERROR_STOP=1)
  PGBENCH=$MT_PGBIN/pgbench
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { printf "%.*f", d, b - a }'; }

median() {
  tr ' ' '\n' <<<"$1" | awk '$1 != "" && $1 != "n/a"' | sort -g |
    awk '{v[NR] = $1} END {if (NR == 0) print "n/a"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
ratio() { awk -v x="$1" -v y="$2" 'BEGIN{ if (x == "n/a" || y == "n/a" || y + 0 <= 0) print "n/a"; else printf "%.2f", x / y }'; }
verdict_ge() { awk -v r="$1" -v t="$2" 'BEGIN{ print (r == "n/a") ? "" : (r + 0 >= t) ? "PASS" : "MISS" }'; }
verdict_le() { awk -v r="$1" -v t="$2" 'BEGIN{ print (r == "n/a") ? "" : (r + 0 <= t) ? "PASS" : "MISS" }'; }
