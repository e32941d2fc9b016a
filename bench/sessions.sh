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
# With BENCH_DIAG=1 (default 0), the steps of an opaque validation are then
# timed against each other: one lookup_client connection (superuser)
# alternates, request by request, the floor, the kept statement of
# validate_session rebuilt as plain SQL with its checks added one at a time,
# and validate_session itself without and with entering the tenant
# (BENCH_DIAG_SECONDS each run, BENCH_ROUNDS runs, medians); the mean time
# of each and its difference to the one before go to
# bench/results/sessions-diag.md.  The plain-SQL steps copy the statement of
# src/sessions.c as it is written now: keep them in step with it.
#
# Environment:
#   BENCH_SECONDS      seconds per run (default 8)
#   BENCH_ROUNDS       rounds (default 3)
#   BENCH_CLIENTS      client counts (default "1 2")
#   BENCH_TENANTS      tenants (default 1000)
#   BENCH_MEMBERS      members per tenant besides its owner (default 3)
#   BENCH_SESSIONS     sessions per format (default 5000)
#   BENCH_ISSUE=0      skip the issuance runs
#   BENCH_ISSUE_SYNC   synchronous_commit of the issuance runs (default off: the
#                      WAL flush each commit waits for is the same for every
#                      format, and on a disk shared with other work its
#                      variance hides the differences; "on" to include it)
#   BENCH_DIAG=1       also time the steps (see above)
#   BENCH_DIAG_SECONDS seconds per diagnostic run (default 10)
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
# sessions' idle lifetime is a day, refreshed after 90 minutes).  fsync
# stays on; issuance runs with BENCH_ISSUE_SYNC.
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
  if ! out=$(PGOPTIONS="-c synchronous_commit=${BENCH_ISSUE_SYNC:-off}" "$PGBENCH" -n -M prepared -d ss_issue -c "$clients" -j "$clients" -T "$SECONDS_PER_RUN" \
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

run_one() {
  local driver s format clients
  IFS='|' read -r driver s format clients <<<"$1"
  if [[ $driver == client ]]; then
    out=$("$CLIENT" -s "$s" -F "$format" -c "$clients" -T "$SECONDS_PER_RUN" -r "$(($2 * 100 + $3))" \
            "dbname=ss user=$(role_of "$s")")
    read -r rate lat cpu <<<"$(client_figures "$out")"
  else
    read -r rate lat <<<"$(run_issue "$format" "$clients")"
    cpu=n/a
    out="pgbench sessions_per_s=$rate mean_us=$lat"
  fi
}
LOG=$RESULTS/sessions.log
bench_rounds run_one "$LOG"

bench_medians

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
    echo "(commit included, synchronous_commit ${BENCH_ISSUE_SYNC:-off}); ratio to opaque as above."
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

[[ ${BENCH_DIAG:-0} == 1 && " $FORMATS " == *" opaque "* ]] || exit 0

# The steps, each adding to the one before.  Every statement answers the
# session's id and tenant, which lookup_client checks.
H="pg_catalog.sha256(pg_catalog.convert_to(\$1, 'UTF8'))"
NOW="pg_catalog.statement_timestamp()"
KEPT="SELECT s.instance_id, s.principal_id, s.realm_id, s.kind,
        LEAST(s.expires_at, s.last_seen_at + s.idle_timeout) AS expires_at, s.id,
        (s.last_seen_at + (s.idle_timeout / 16::float8)) < $NOW AS refresh, s.rotation_due,
        LEAST(s.expires_at, $NOW + s.idle_timeout) AS expires_if_seen
   FROM multitenant.principal_sessions AS s
  WHERE s.token_hash = $H AND s.status = 'active' AND s.format = 'opaque'
    AND s.expires_at > $NOW AND s.last_seen_at + s.idle_timeout > $NOW"
REALM="(SELECT r.enabled FROM multitenant.tenant_realms AS r WHERE r.instance_id = s.instance_id AND r.id = s.realm_id)"
TENANT="(SELECT t.status FROM multitenant.tenants AS t WHERE t.instance_id = s.instance_id AND t.id = s.instance_id) = 'active'"
PRINCIPAL="(SELECT p.status FROM multitenant.principals AS p WHERE p.instance_id = 'system' AND p.id = s.principal_id) = 'active'"
MEMBER="(SELECT m.status FROM multitenant.memberships AS m WHERE m.instance_id = s.instance_id AND m.principal_id = s.principal_id) = 'active'"
STEPS=(
  "floor: the token_hash probe|SELECT instance_id, principal_id, realm_id, kind, expires_at, id FROM multitenant.principal_sessions WHERE token_hash = $H"
  "+ the validity conditions and computed columns|$KEPT"
  "+ the realm subplan|$KEPT AND $REALM"
  "+ the tenant subplan|$KEPT AND $REALM AND $TENANT"
  "+ the principal and membership subplans: the kept statement as plain SQL|$KEPT AND $REALM AND $TENANT AND $PRINCIPAL AND $MEMBER"
  "validate_session(token, false): the same in a C function through SPI|SELECT * FROM multitenant.validate_session(\$1, false)"
  "validate_session(token, true): + entering the tenant and actor|SELECT * FROM multitenant.validate_session(\$1, true)"
)
args=()
for step in "${STEPS[@]}"; do args+=(-q "${step#*|}"); done
declare -A STEP_US
echo
echo "== the steps of an opaque validation, alternating request by request (${BENCH_DIAG_SECONDS:-10} s x $ROUNDS)"
for ((round = 0; round < ROUNDS; round++)); do
  out=$("$CLIENT" -s f -F opaque -c 1 -T "${BENCH_DIAG_SECONDS:-10}" -w 1000 -r "$((round + 7))" "${args[@]}" \
          "dbname=ss user=$PGUSER")
  echo "diag $out" >>"$LOG"
  echo "   $out"
  for ((i = 1; i <= ${#STEPS[@]}; i++)); do
    STEP_US[$i]+="$(sed -n "s/.*mean_us_$i=\([^ ]*\).*/\1/p" <<<"$out") "
  done
done
{
  echo "# The steps of an opaque session validation"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), one lookup_client connection as the superuser alternating the statements"
  echo "request by request, ${BENCH_DIAG_SECONDS:-10} s per run, median of $ROUNDS runs (mean wall time per request, round trip included)."
  echo "A step that leaves the heap to be trimmed at its end makes the next request fault the pages back in, so part"
  echo "of its cost shows in the step after it (the floor, first in the cycle, pays for the last): see bench/README.md."
  echo
  echo "| step | µs per request | + µs |"
  echo "|---|---:|---:|"
  prev=""
  for ((i = 1; i <= ${#STEPS[@]}; i++)); do
    m=$(median "${STEP_US[$i]}")
    d=$(awk -v a="$m" -v b="$prev" 'BEGIN{ if (b == "" || a == "n/a" || b == "n/a") print ""; else printf "%+.1f", a - b }')
    echo "| ${STEPS[$((i - 1))]%%|*} | $(fmt1 "$m") | $d |"
    prev=$m
  done
} >"$RESULTS/sessions-diag.md"
echo
cat "$RESULTS/sessions-diag.md"
