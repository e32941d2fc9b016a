#!/usr/bin/env bash
# bench/compare_builds.sh (`make bench-compare-builds`): the lookups of this
# tree against those of an earlier commit (BENCH_BASE, default HEAD~1), on
# one cluster and the same data, so that a change is measured as the ratio
# of two builds run next to each other rather than across two sessions of a
# machine whose speed drifts by tens of percent.
#
# Builds and installs this tree, builds the library of BENCH_BASE (git
# archive into a temporary directory) without installing it, starts a
# throwaway cluster (test/harness/cluster.sh), loads bench/lookups_setup.sql
# (database lk) and bench/sessions_setup.sql (database ss), and names the
# library of the extension's C functions without a directory, so that
# dynamic_library_path chooses which build a restarted server loads: the
# base build's directory first, or the default.  (The catalog is this tree's:
# what the base build lacks, such as new functions, is not called by the
# lookups.)  Each round restarts the server with one build, runs
#
#   (a) user_by_login_name + tenant token  (b) its floor
#   (c) authenticate_pat                   (d) its floor
#   (e) validate_session(opaque, true)     (f) its floor
#
# through lookup_client for BENCH_SECONDS each, then the same with the other
# build; BENCH_ROUNDS rounds, the builds' order alternating.  Prints (and
# writes to bench/results/compare_builds.md) per build and scenario the
# median lookups/s and server CPU µs, and the paired ratios a / b, c / d,
# e / f per build.
#
# Environment:
#   BENCH_BASE        the commit to compare with (default HEAD~1)
#   BENCH_SECONDS     seconds per run (default 5)
#   BENCH_ROUNDS      rounds (default 3)
#   BENCH_CLIENTS     client counts (default "1 2")
#   BENCH_TENANTS, BENCH_USERS   lookups data (default 1000 x 1000)
#   BENCH_SESSIONS    opaque sessions (default 2000)
#   BENCH_NO_BUILD=1  skip make / make install of this tree
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
BASE=${BENCH_BASE:-HEAD~1}
SECONDS_PER_RUN=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=${BENCH_CLIENTS:-1 2}
TENANTS=${BENCH_TENANTS:-1000}
USERS=${BENCH_USERS:-1000}
SESSIONS=${BENCH_SESSIONS:-2000}
bench_build

BASEDIR=$(mktemp -d /tmp/mt-base-build.XXXXXX)
mt_cluster_exit_hook() { rm -rf "$BASEDIR"; }
echo "== build of $BASE ($(git rev-parse --short "$BASE"))"
git archive "$BASE" | tar -x -C "$BASEDIR/"
make -s -C "$BASEDIR" all >/dev/null
mkdir -p "$BASEDIR/lib"
cp "$BASEDIR/multitenant.so" "$BASEDIR/lib/"
chmod -R a+rX "$BASEDIR"

export MT_CLUSTER_CONF="shared_buffers = '2GB'
maintenance_work_mem = '1GB'
max_wal_size = '16GB'
checkpoint_timeout = '1h'
autovacuum = off"
bench_cluster_start
CLIENT=$MT_CLUSTER_DIR/lookup_client
gcc -O2 -Wall -Wextra -Werror -o "$CLIENT" bench/lookup_client.c \
  -I"$("$PG_CONFIG" --includedir)" -L"$("$PG_CONFIG" --libdir)" -lpq

echo "== setup"
"${PSQL[@]}" -c "CREATE DATABASE lk" -c "CREATE DATABASE ss"
"${PSQL[@]}" -d lk -v tenants="$TENANTS" -v users="$USERS" -f bench/lookups_setup.sql >/dev/null
"${PSQL[@]}" -d ss -v tenants="$TENANTS" -v members=3 -v sessions="$SESSIONS" -f bench/sessions_setup.sql >/dev/null
for db in lk ss; do
  "${PSQL[@]}" -d "$db" -c "UPDATE pg_catalog.pg_proc SET probin = 'multitenant' WHERE probin = '\$libdir/multitenant'"
done
"${PSQL[@]}" -c "CHECKPOINT"

use_build() {
  if [[ $1 == base ]]; then
    "${PSQL[@]}" -c "ALTER SYSTEM SET dynamic_library_path = '$BASEDIR/lib:\$libdir'"
  else
    "${PSQL[@]}" -c "ALTER SYSTEM RESET dynamic_library_path"
  fi
  mt_as_server_user "$MT_PGBIN/pg_ctl" -D "$MT_PGDATA" -l "$MT_SERVER_LOG" -w -s restart >/dev/null
  echo "   restarted with the $1 build; dynamic_library_path = $(
    "${PSQL[@]}" -d lk -At -c "SHOW dynamic_library_path")"
}

run_one() {
  local s=$1 clients=$2 seed=$3 db=lk user=$PGUSER extra=(-t "$TENANTS" -u "$USERS")
  case $s in
    a | c) user=lookup_bench_app ;;
    e) db=ss user=session_bench_app extra=(-F opaque) ;;
    f) db=ss extra=(-F opaque) ;;
  esac
  "$CLIENT" -s "$s" "${extra[@]}" -c "$clients" -T "$SECONDS_PER_RUN" -r "$seed" "dbname=$db user=$user"
}

LOG=$BENCH_RESULTS/compare_builds.log
: >"$LOG"
for ((round = 0; round < ROUNDS; round++)); do
  order="base head"
  ((round % 2 == 1)) && order="head base"
  echo "== round $((round + 1)) of $ROUNDS"
  for build in $order; do
    use_build "$build"
    for clients in $CLIENTS; do
      for s in a b c d e f; do
        out=$(run_one "$s" "$clients" "$((round * 10 + clients))")
        read -r rate lat cpu <<<"$(client_figures "$out")"
        key="$build|$s|$clients"
        bench_record "$key" "$round" "$rate" "$lat" "$cpu"
        echo "$key $out" >>"$LOG"
        printf '   %-14s %10s /s %8s µs %8s µs server CPU\n' "$key" "$rate" "$lat" "$cpu"
      done
    done
  done
done
bench_medians

{
  echo "# multitenant: this tree against $BASE"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $("$MT_PGBIN/postgres" -V), $(nproc) cores, $SECONDS_PER_RUN s per run," \
       "median of $ROUNDS rounds; head $(git rev-parse --short HEAD), base $(git rev-parse --short "$BASE");" \
       "$TENANTS tenants x $USERS users, $SESSIONS opaque sessions. One cluster and the same data for both builds."
  echo
  echo "| scenario | clients | base lookups/s | base server CPU µs | head lookups/s | head server CPU µs |"
  echo "|---|---:|---:|---:|---:|---:|"
  for s in a b c d e f; do
    for clients in $CLIENTS; do
      echo "| ($s) | $clients | $(fmt "${MRATE[base|$s|$clients]:-n/a}") | $(fmt1 "${MCPU[base|$s|$clients]:-n/a}") |" \
           "$(fmt "${MRATE[head|$s|$clients]:-n/a}") | $(fmt1 "${MCPU[head|$s|$clients]:-n/a}") |"
    done
  done
  echo
  echo "Paired ratios (the median of the rounds' ratios; a scenario and its floor run with the same build, one after the other):"
  echo
  echo "| clients | base a / b | head a / b | base c / d | head c / d | base e / f | head e / f |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  for clients in $CLIENTS; do
    row="| $clients |"
    for pair in "a b" "c d" "e f"; do
      read -r x y <<<"$pair"
      for build in base head; do
        row+=" $(paired_ratio "$build|$x|$clients" "$build|$y|$clients") |"
      done
    done
    echo "$row"
  done
} >"$BENCH_RESULTS/compare_builds.md"
echo
cat "$BENCH_RESULTS/compare_builds.md"
