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
#   fmt X, fmt1 X, fmt2 X  X to 0, 1 or 2 decimals (n/a stays n/a)
#
# Rounds of runs whose order rotates from round to round (bench/lookups.sh,
# bench/sessions.sh):
#   bench_rounds FN LOG  runs every key of the array RUNS, ROUNDS times, each
#                        round starting at a different place: FN KEY ROUND I
#                        runs one and sets rate, lat, cpu (n/a if unknown) and
#                        out (its output line, appended to LOG); the figures go
#                        to bench_record
#   client_figures OUT   "rate mean_us server_cpu_us" from lookup_client's line
#   bench_record KEY ROUND RATE LAT CPU  one run's figures, into RATE, LAT and
#                        CPU (space-separated lists per key) and ROUND_RATE
#   bench_medians        MRATE, MLAT, MCPU: the median of each key's list
#   paired_ratio X Y     the median over the ROUNDS rounds of RATE X / RATE Y
#                        within a round, two decimals
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
fmt() { awk -v x="$1" 'BEGIN{ if (x == "n/a") print x; else printf "%.0f", x }'; }
fmt1() { awk -v x="$1" 'BEGIN{ if (x == "n/a") print x; else printf "%.1f", x }'; }
fmt2() { awk -v x="$1" 'BEGIN{ if (x == "n/a") print x; else printf "%.2f", x }'; }

client_figures() {
  local f out=$1 figures=""
  for f in lookups_per_s mean_us server_cpu_us; do
    figures+="$(sed -n "s/.* $f=\([^ ]*\).*/\1/p" <<<"$out" | grep . || echo n/a) "
  done
  echo "$figures"
}

declare -A RATE LAT CPU ROUND_RATE MRATE MLAT MCPU
# shellcheck disable=SC2154  # FN sets rate, lat, cpu and out
bench_rounds() {
  local run=$1 log=$2 n_runs=${#RUNS[@]} round i key
  : >"$log"
  for ((round = 0; round < ROUNDS; round++)); do
    echo "== round $((round + 1)) of $ROUNDS ($n_runs runs of ${SECONDS_PER_RUN} s)"
    for ((i = 0; i < n_runs; i++)); do
      key=${RUNS[$(((i + (round * n_runs) / ROUNDS) % n_runs))]}
      "$run" "$key" "$round" "$i"
      echo "$key $out" >>"$log"
      bench_record "$key" "$round" "$rate" "$lat" "$cpu"
      printf '   %-28s %10s /s %8s µs %8s µs server CPU\n' "$key" "$rate" "$lat" "$cpu"
    done
  done
}
bench_record() {
  RATE[$1]+="$3 "
  ROUND_RATE[$1|$2]=$3
  LAT[$1]+="$4 "
  CPU[$1]+="$5 "
}
# shellcheck disable=SC2034  # the scripts that source this file read MRATE, MLAT and MCPU
bench_medians() {
  local key
  for key in "${!RATE[@]}"; do
    MRATE[$key]=$(median "${RATE[$key]}")
    MLAT[$key]=$(median "${LAT[$key]}")
    MCPU[$key]=$(median "${CPU[$key]}")
  done
}
paired_ratio() {
  local per_round="" round
  for ((round = 0; round < ROUNDS; round++)); do
    per_round+="$(ratio "${ROUND_RATE[$1|$round]:-n/a}" "${ROUND_RATE[$2|$round]:-n/a}") "
  done
  fmt2 "$(median "$per_round")"
}
