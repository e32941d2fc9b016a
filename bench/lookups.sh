#!/usr/bin/env bash
# bench/lookups.sh (`make bench-lookups`): the tenant-scoped lookups and
# authenticate_pat against the plain index probes they are built on.
# Builds and installs the extension, starts a throwaway cluster
# (test/harness/cluster.sh), loads bench/lookups_setup.sql into one database
# per tenant count, builds bench/lookup_client.c against libpq, and runs
#
#   (a) user_by_login_name with a signed tenant token, as the application role
#   (b) its floor: the same index probe as the superuser
#   (c) authenticate_pat, as the application role
#   (d) its floor: the same token-hash probe as the superuser
#
# with 1 and 2 clients: at BENCH_TENANTS tenants through lookup_client and
# through pgbench -M prepared (bench/lookups/*.sql), and at each tenant count
# of BENCH_SCALE through lookup_client.  The whole list of runs is repeated
# BENCH_ROUNDS times, each round in a different order, and the tables report
# medians; they are printed and written to bench/results/lookups.md.
#
# Environment:
#   BENCH_SECONDS      seconds per run (default 8)
#   BENCH_ROUNDS       rounds (default 3)
#   BENCH_CLIENTS      client counts (default "1 2")
#   BENCH_TENANTS      tenants of the main database (default 1000)
#   BENCH_USERS        users per tenant (default 1000)
#   BENCH_SCALE        tenant counts of the scaling databases (default "10 10000"; "" for none)
#   BENCH_SCALE_USERS  users per tenant there (default BENCH_USERS)
#   BENCH_SCALE_ROWS   instead: users in all per scaling database, spread over its
#                      tenants, so that only the number of tenants differs
#   BENCH_PGBENCH=0    skip the pgbench runs
#   BENCH_SHARED_BUFFERS  shared_buffers (default 7GB: everything the lookups read)
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
USERS=${BENCH_USERS:-1000}
SCALE=${BENCH_SCALE-10 10000}
SCALE_USERS=${BENCH_SCALE_USERS:-$USERS}
RESULTS=$BENCH_RESULTS
bench_build

# Read-only lookups: everything they read fits in shared_buffers (at 10,000
# tenants x 1,000 users, 5 GB of tables and indexes; 1,000 x 1,000 adds 0.5
# GB), nothing is written during the runs.  fsync stays on.
export MT_CLUSTER_CONF="shared_buffers = '${BENCH_SHARED_BUFFERS:-7GB}'
maintenance_work_mem = '1GB'
work_mem = '64MB'
max_wal_size = '16GB'
checkpoint_timeout = '1h'
autovacuum = off
max_connections = 50"

bench_cluster_start

echo "== lookup_client"
CLIENT=$MT_CLUSTER_DIR/lookup_client
gcc -O2 -Wall -Wextra -Werror -o "$CLIENT" bench/lookup_client.c \
  -I"$("$PG_CONFIG" --includedir)" -L"$("$PG_CONFIG" --libdir)" -lpq

# One database per tenant count: lk_<tenants>.
declare -A DB_USERS
DB_USERS[$TENANTS]=$USERS
for n in $SCALE; do
  [[ $n == "$TENANTS" ]] && continue
  if [[ -n ${BENCH_SCALE_ROWS:-} ]]; then
    DB_USERS[$n]=$((BENCH_SCALE_ROWS / n))
  else
    DB_USERS[$n]=$SCALE_USERS
  fi
done
for n in $(printf '%s\n' "${!DB_USERS[@]}" | sort -n); do
  echo "== setup: $n tenants x ${DB_USERS[$n]} users, one token each"
  t0=$(now)
  "${PSQL[@]}" -c "CREATE DATABASE lk_$n"
  "${PSQL[@]}" -d "lk_$n" -v tenants="$n" -v users="${DB_USERS[$n]}" -f bench/lookups_setup.sql >/dev/null
  "${PSQL[@]}" -d "lk_$n" -At -c "SELECT '   ' || $(elapsed "$t0" "$(now)" 0) || ' s; users_projection '
      || pg_size_pretty(pg_total_relation_size('multitenant.users_projection'))
      || ', personal_access_tokens_projection '
      || pg_size_pretty(pg_total_relation_size('multitenant.personal_access_tokens_projection'))
      || ' (with indexes)'"
  # Into shared_buffers; each connection still maps the pages it reads
  # (touch_pages, see bench/lookups_setup.sql).
  "${PSQL[@]}" -d "lk_$n" -At -c "SELECT sum(pg_prewarm(r))
      FROM unnest(lookup_bench.relations('users') || lookup_bench.relations('pats')) AS r" >/dev/null
done
"${PSQL[@]}" -c "CHECKPOINT"

role_of() { case $1 in a | c) echo lookup_bench_app ;; *) echo "$PGUSER" ;; esac; }
script_of() {
  case $1 in
    a) echo bench/lookups/a_user_by_login_name.sql ;;
    b) echo bench/lookups/b_floor_username.sql ;;
    c) echo bench/lookups/c_authenticate_pat.sql ;;
    d) echo bench/lookups/d_floor_token_hash.sql ;;
  esac
}

# driver|tenants|scenario|clients.  A scenario and its floor run next to each
# other, so that the machine's drift hits both alike.
RUNS=()
for clients in $CLIENTS; do
  for s in a b c d; do RUNS+=("client|$TENANTS|$s|$clients"); done
  if [[ ${BENCH_PGBENCH:-1} == 1 ]]; then
    for s in a b c d; do RUNS+=("pgbench|$TENANTS|$s|$clients"); done
  fi
  for n in $SCALE; do
    [[ $n == "$TENANTS" ]] && continue
    for s in a b c d; do RUNS+=("client|$n|$s|$clients"); done
  done
done

# One pgbench run; prints "lookups_per_s mean_us".  Each client's first
# transaction maps the pages (touch_pages), so the figures come from the
# per-transaction log, counting only what finished after the last client's
# first transaction.
run_pgbench() {
  local n=$1 s=$2 clients=$3 dir
  dir=$(mktemp -d "$MT_CLUSTER_DIR/pgbench.XXXXXX")
  if ! "$PGBENCH" -n -M prepared -U "$(role_of "$s")" -d "lk_$n" -c "$clients" -j "$clients" \
      -T "$((SECONDS_PER_RUN + 2))" -D warmed=0 -D tenants="$n" -D users="${DB_USERS[$n]}" \
      -f "$(script_of "$s")" -l --log-prefix="$dir/log" >"$dir/out" 2>&1 \
      || grep -q 'aborted\|number of failed transactions: [1-9]' "$dir/out"; then
    cat "$dir/out" >&2
    echo "lookups: pgbench failed: scenario $s, $n tenants, $clients clients" >&2
    return 1
  fi
  cat "$dir"/log* | awk -v clients="$clients" '
    { t = $5 + $6 / 1e6; c = $1
      if (!(c in first)) { first[c] = t; n_first++ } else { time[NR] = t; lat[NR] = $3 } }
    END {
      if (n_first != clients) { print "n/a n/a"; exit }
      start = 0; stop = 0
      for (c in first) if (first[c] > start) start = first[c]
      for (i in time) if (time[i] > stop) stop = time[i]
      for (i in time) if (time[i] > start) { count++; sum += lat[i] }
      if (count == 0 || stop <= start) { print "n/a n/a"; exit }
      printf "%.1f %.1f\n", count / (stop - start), sum / count }'
  rm -rf "$dir"
}

# This machine's throughput drifts by tens of percent from minute to
# minute: the list runs ROUNDS times, each round starting at a different
# place, and every figure is the median.
run_one() {
  local driver n s clients
  IFS='|' read -r driver n s clients <<<"$1"
  if [[ $driver == client ]]; then
    out=$("$CLIENT" -s "$s" -c "$clients" -T "$SECONDS_PER_RUN" -t "$n" -u "${DB_USERS[$n]}" \
            -r "$(($2 * 100 + $3))" "dbname=lk_$n user=$(role_of "$s")")
    read -r rate lat cpu <<<"$(client_figures "$out")"
  else
    read -r rate lat <<<"$(run_pgbench "$n" "$s" "$clients")"
    cpu=n/a
    out="pgbench lookups_per_s=$rate mean_us=$lat"
  fi
}
LOG=$RESULTS/lookups.log
bench_rounds run_one "$LOG"

bench_medians

declare -A NAMES
NAMES=([a]="(a) user_by_login_name + tenant token, app role"
       [b]="(b) floor: users_projection probe, superuser"
       [c]="(c) authenticate_pat, app role"
       [d]="(d) floor: token_hash probe, superuser")
drivers=client
[[ ${BENCH_PGBENCH:-1} == 1 ]] && drivers="client pgbench"
{
  echo "# multitenant lookup benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $("$MT_PGBIN/postgres" -V), $(nproc) cores," \
       "$SECONDS_PER_RUN s per run, median of $ROUNDS rounds;" \
       "$TENANTS tenants x $USERS users (one personal access token each)."
  echo "lookup_client: prepared statements over the Unix socket, a random tenant and user per request;" \
       "pgbench -M prepared with bench/lookups/*.sql (the token or instance_id read from lookup_bench.tenants in the statement)."
  echo
  echo "| scenario | driver | clients | lookups/s | µs per lookup | server CPU µs per lookup |"
  echo "|---|---|---:|---:|---:|---:|"
  for s in a b c d; do
    for driver in $drivers; do
      for clients in $CLIENTS; do
        key="$driver|$TENANTS|$s|$clients"
        echo "| ${NAMES[$s]} | $driver | $clients | $(fmt "${MRATE[$key]:-n/a}") | $(fmt1 "${MLAT[$key]:-n/a}") | $(fmt1 "${MCPU[$key]:-n/a}") |"
      done
    done
  done
  echo
  echo "Throughput ratios: the median of the rounds' ratios (a scenario and its floor run next to each other in"
  echo "every round), then, in parentheses, the ratio of the medians above."
  echo
  echo "| driver | clients | a / b (target >= 0.9) | c / d (target >= 0.9) |"
  echo "|---|---:|---|---|"
  for driver in $drivers; do
    for clients in $CLIENTS; do
      cells=""
      for pair in "a b" "c d"; do
        read -r x y <<<"$pair"
        r=$(paired_ratio "$driver|$TENANTS|$x|$clients" "$driver|$TENANTS|$y|$clients")
        cells+=" $r $(verdict_ge "$r" 0.9) ($(ratio "${MRATE[$driver|$TENANTS|$x|$clients]:-n/a}" \
                                                  "${MRATE[$driver|$TENANTS|$y|$clients]:-n/a}")) |"
      done
      echo "| $driver | $clients |$cells"
    done
  done
  if [[ -n ${SCALE// /} ]]; then
    counts=$(printf '%s\n' "${!DB_USERS[@]}" | sort -n | tr '\n' ' ')
    echo
    echo "Tenant scaling (lookup_client, µs per lookup; users per tenant: $(for n in $counts; do printf '%s: %s  ' "$n" "${DB_USERS[$n]}"; done)):"
    echo
    header="| scenario | clients |"
    rule="|---|---:|"
    for n in $counts; do header+=" $n tenants |"; rule+="---:|"; done
    echo "$header slowest / fastest (target for a, c <= 1.2) |"
    echo "$rule---|"
    for s in a b c d; do
      for clients in $CLIENTS; do
        row="| ${NAMES[$s]} | $clients |"
        lo=""; hi=""
        for n in $counts; do
          v=${MLAT[client|$n|$s|$clients]:-n/a}
          row+=" $(fmt1 "$v") |"
          if [[ $v != n/a ]]; then
            lo=$(awk -v a="$lo" -v b="$v" 'BEGIN{ print (a == "" || b + 0 < a + 0) ? b : a }')
            hi=$(awk -v a="$hi" -v b="$v" 'BEGIN{ print (a == "" || b + 0 > a + 0) ? b : a }')
          fi
        done
        r=$(ratio "${hi:-n/a}" "${lo:-n/a}")
        case $s in a | c) row+=" $r $(verdict_le "$r" 1.2) |" ;; *) row+=" $r |" ;; esac
        echo "$row"
      done
    done
  fi
} >"$RESULTS/lookups.md"

echo
cat "$RESULTS/lookups.md"
echo
echo "(written to bench/results/lookups.md; every run in bench/results/lookups.log)"
