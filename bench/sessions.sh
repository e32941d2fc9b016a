#!/usr/bin/env bash
# bench/sessions.sh (`make bench-sessions`): session validation with tenant
# entry against the plain indexed hash lookup of the same session row, per
# token format, and session issuance per format.
# Builds and installs the extension, starts a throwaway cluster
# (test/harness/cluster.sh, which sets multitenant.master_key), loads
# bench/sessions_setup.sql, builds bench/lookup_client.c against libpq, and
# runs, for each format that create_session accepts (opaque, jws, jwe; a
# format it refuses is skipped with a line saying so):
#
#   (e) validate_session(token, true) as the application role, no tenant set:
#       one round trip validates the token and enters its tenant and actor
#   (f) its floor: SELECT ... FROM principal_sessions WHERE token_hash =
#       sha256(token) as the superuser, with the same tokens
#
# through lookup_client with each count of BENCH_CLIENTS, a random session
# per request, every answer checked; then issuance: pgbench -M prepared
# with bench/sessions/issue.sql (create_session by the operator for a
# random member, one per transaction) in a copy of the database, so that the
# validations' table does not grow.  The list of runs is repeated
# BENCH_ROUNDS times, each round in a different order; the tables report
# medians and are printed and written to bench/results/sessions.md (every run
# in bench/results/sessions.log).
#
# With BENCH_DIAG=1 (default 0), the validation's steps are then timed one
# at a time: lookup_client -q with statements that do part of what
# validate_session does (bench/sessions/diag.txt lists them), as the
# superuser and the application role; server CPU per request to
# bench/results/sessions-diag.md.
#
# Environment:
#   BENCH_SECONDS      seconds per run (default 8)
#   BENCH_ROUNDS       rounds (default 3)
#   BENCH_CLIENTS      client counts (default "1 2")
#   BENCH_TENANTS      tenants (default 1000)
#   BENCH_MEMBERS      members per tenant besides its owner (default 3)
#   BENCH_SESSIONS     sessions per format (default 5000)
#   BENCH_ISSUE=0      skip the issuance runs
#   BENCH_DIAG=1       also time the steps (see above)
#   BENCH_NO_BUILD=1   skip make / make install
#   MT_KEEP_CLUSTER=1  keep the cluster directory afterwards (see cluster.sh)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
SECONDS_PER_RUN=${BENCH_SECONDS:-8}
ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=${BENCH_CLIENTS:-1 2}
TENANTS=${BENCH_TENANTS:-1000}
MEMBERS=${BENCH_MEMBERS:-3}
SESSIONS=${BENCH_SESSIONS:-5000}
RESULTS=$BENCH_RESULTS
bench_build

# Everything fits in shared_buffers; the validations write nothing (the
# sessions' idle lifetime is a day, refreshed after 90 minutes).  fsync and
# synchronous_commit stay on: issuance commits as in use.
export MT_CLUSTER_CONF="shared_buffers = '1GB'
max_wal_size = '8GB'
checkpoint_timeout = '1h'
autovacuum = off
max_connections = 50"

bench_cluster_start

echo "== lookup_client"
CLIENT=$MT_CLUSTER_DIR/lookup_client
gcc -O2 -Wall -Wextra -Werror -o "$CLIENT" bench/lookup_client.c \
  -I"$("$PG_CONFIG" --includedir)" -L"$("$PG_CONFIG" --libdir)" -lpq

echo "== setup: $TENANTS tenants x $((MEMBERS + 1)) members, $SESSIONS sessions per format"
t0=$(now)
"${PSQL[@]}" -c "CREATE DATABASE ss"
"${PSQL[@]}" -d ss -v tenants="$TENANTS" -v members="$MEMBERS" -v sessions="$SESSIONS" \
  -f bench/sessions_setup.sql >/dev/null
echo "   $(elapsed "$t0" "$(now)" 0) s"
FORMATS=""
while IFS='|' read -r format available refusal; do
  if [[ $available == t ]]; then
    FORMATS+="$format "
  else
    echo "== format $format: skipped, create_session refuses it ($refusal)"
  fi
done < <("${PSQL[@]}" -d ss -At -c "SELECT format, available, refusal FROM session_bench.formats
                                     ORDER BY array_position(ARRAY['opaque', 'jws', 'jwe'], format)")
if [[ -z $FORMATS ]]; then
  echo "sessions: create_session accepts none of the formats" >&2
  exit 1
fi
"${PSQL[@]}" -d ss -At -c "SELECT '   ' || format || ': ' || count(*) || ' sessions, tokens of '
                                  || min(length(token)) || '-' || max(length(token)) || ' characters'
                             FROM session_bench.tokens GROUP BY format ORDER BY format"
if [[ ${BENCH_ISSUE:-1} == 1 ]]; then
  "${PSQL[@]}" -c "CREATE DATABASE ss_issue TEMPLATE ss"
fi
"${PSQL[@]}" -c "CHECKPOINT"

role_of() { case $1 in e) echo session_bench_app ;; *) echo "$PGUSER" ;; esac; }

# driver|scenario|format|clients.  A validation and its floor run next to
# each other, so that the machine's drift hits both alike.
RUNS=()
for clients in $CLIENTS; do
  for format in $FORMATS; do
    for s in e f; do RUNS+=("client|$s|$format|$clients"); done
  done
  if [[ ${BENCH_ISSUE:-1} == 1 ]]; then
    for format in $FORMATS; do RUNS+=("issue|i|$format|$clients"); done
  fi
done

# One issuance run; prints "sessions_per_s mean_us".
run_issue() {
  local format=$1 clients=$2 out
  if ! out=$("$PGBENCH" -n -M prepared -d ss_issue -c "$clients" -j "$clients" -T "$SECONDS_PER_RUN" \
               -D tenants="$TENANTS" -D members="$MEMBERS" -D format="$format" \
               -f bench/sessions/issue.sql 2>&1) \
      || grep -q 'aborted\|number of failed transactions: [1-9]' <<<"$out"; then
    echo "$out" >&2
    echo "sessions: pgbench failed: issuance, $format, $clients clients" >&2
    return 1
  fi
  awk '/^tps = / { tps = $3 } /^latency average = / { lat = $4 * 1000 }
       END { if (tps == "") print "n/a n/a"; else printf "%.1f %.1f\n", tps, lat }' <<<"$out"
}

declare -A RATE LAT CPU ROUND_RATE
LOG=$RESULTS/sessions.log
: >"$LOG"
n_runs=${#RUNS[@]}
for ((round = 0; round < ROUNDS; round++)); do
  echo "== round $((round + 1)) of $ROUNDS ($n_runs runs of ${SECONDS_PER_RUN} s)"
  offset=$(((round * n_runs) / ROUNDS))
  for ((i = 0; i < n_runs; i++)); do
    IFS='|' read -r driver s format clients <<<"${RUNS[$(((i + offset) % n_runs))]}"
    key="$driver|$s|$format|$clients"
    if [[ $driver == client ]]; then
      out=$("$CLIENT" -s "$s" -F "$format" -c "$clients" -T "$SECONDS_PER_RUN" -r "$((round * 100 + i))" \
              "dbname=ss user=$(role_of "$s")")
      rate=$(sed -n 's/.*lookups_per_s=\([^ ]*\).*/\1/p' <<<"$out")
      lat=$(sed -n 's/.*mean_us=\([^ ]*\).*/\1/p' <<<"$out")
      cpu=$(sed -n 's/.*server_cpu_us=\([^ ]*\).*/\1/p' <<<"$out")
    else
      read -r rate lat <<<"$(run_issue "$format" "$clients")"
      cpu=n/a
      out="pgbench sessions_per_s=$rate mean_us=$lat"
    fi
    echo "$key $out" >>"$LOG"
    RATE[$key]+="$rate "
    ROUND_RATE[$key|$round]=$rate
    LAT[$key]+="$lat "
    CPU[$key]+="$cpu "
    printf '   %-7s (%s) %-6s clients=%s %10s /s %8s us %8s us server CPU\n' \
      "$driver" "$s" "$format" "$clients" "$rate" "$lat" "$cpu"
  done
done

fmt() { awk -v x="$1" 'BEGIN{ if (x == "n/a") print x; else printf "%.0f", x }'; }
fmt1() { awk -v x="$1" 'BEGIN{ if (x == "n/a") print x; else printf "%.1f", x }'; }
fmt2() { awk -v x="$1" 'BEGIN{ if (x == "n/a") print x; else printf "%.2f", x }'; }

declare -A MRATE MLAT MCPU
for key in "${!RATE[@]}"; do
  MRATE[$key]=$(median "${RATE[$key]}")
  MLAT[$key]=$(median "${LAT[$key]}")
  MCPU[$key]=$(median "${CPU[$key]}")
done

# The median over the rounds of the ratio of two runs of the same round.
paired_ratio() {
  local x=$1 y=$2 per_round="" round
  for ((round = 0; round < ROUNDS; round++)); do
    per_round+="$(ratio "${ROUND_RATE[$x|$round]:-n/a}" "${ROUND_RATE[$y|$round]:-n/a}") "
  done
  fmt2 "$(median "$per_round")"
}

{
  echo "# multitenant session benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $("$MT_PGBIN/postgres" -V), $(nproc) cores," \
       "$SECONDS_PER_RUN s per run, median of $ROUNDS rounds;" \
       "$TENANTS tenants x $((MEMBERS + 1)) members, one realm each, $SESSIONS sessions per format."
  echo "lookup_client: prepared statements over the Unix socket, a random session per request, every answer checked."
  for format in opaque jws jwe; do
    [[ " $FORMATS " == *" $format "* ]] || echo "Format $format skipped: create_session refuses it."
  done
  echo
  echo "Validation: (e) \`validate_session(token, true)\` as the application role, no tenant set, against (f) the floor,"
  echo "the \`token_hash\` probe of the same row as the superuser. Ratio: the median of the rounds' paired ratios,"
  echo "then the ratio of the medians in parentheses; target for opaque e / f >= 0.9."
  echo
  echo "| format | clients | (e) validations/s | µs | server CPU µs | (f) floor lookups/s | µs | server CPU µs | e / f |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
  for format in $FORMATS; do
    for clients in $CLIENTS; do
      e="client|e|$format|$clients" f="client|f|$format|$clients"
      r=$(paired_ratio "$e" "$f")
      verdict=""
      [[ $format == opaque ]] && verdict=" $(verdict_ge "$r" 0.9)"
      echo "| $format | $clients | $(fmt "${MRATE[$e]:-n/a}") | $(fmt1 "${MLAT[$e]:-n/a}") | $(fmt1 "${MCPU[$e]:-n/a}")" \
           "| $(fmt "${MRATE[$f]:-n/a}") | $(fmt1 "${MLAT[$f]:-n/a}") | $(fmt1 "${MCPU[$f]:-n/a}")" \
           "| $r$verdict ($(ratio "${MRATE[$e]:-n/a}" "${MRATE[$f]:-n/a}")) |"
    done
  done
  if [[ ${BENCH_ISSUE:-1} == 1 ]]; then
    echo
    echo "Issuance: pgbench -M prepared, \`create_session\` by the operator for a random member, one per transaction"
    echo "(commit included); ratio to opaque as above."
    echo
    echo "| format | clients | sessions/s | ms per session | / opaque |"
    echo "|---|---:|---:|---:|---|"
    for format in $FORMATS; do
      for clients in $CLIENTS; do
        k="issue|i|$format|$clients" o="issue|i|opaque|$clients"
        r=n/a
        [[ " $FORMATS " == *" opaque "* ]] && r="$(paired_ratio "$k" "$o") ($(ratio "${MRATE[$k]:-n/a}" "${MRATE[$o]:-n/a}"))"
        echo "| $format | $clients | $(fmt "${MRATE[$k]:-n/a}")" \
             "| $(awk -v x="${MLAT[$k]:-n/a}" 'BEGIN{ if (x == "n/a") print x; else printf "%.2f", x / 1000 }') | $r |"
      done
    done
  fi
} >"$RESULTS/sessions.md"

echo
cat "$RESULTS/sessions.md"
echo
echo "(written to bench/results/sessions.md; every run in bench/results/sessions.log)"
