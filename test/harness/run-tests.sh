#!/usr/bin/env bash
# `make test`: deps, build, install, throwaway cluster, then
#   (a) pg_regress over the Makefile's REGRESS (default: test/sql/*.sql; expected output in expected/, via the
#       test/expected -> ../expected symlink), and
#   (b) pg_prove -v over test/pgtap/*.sql in a fresh database `mt_pgtap` that
#       has `CREATE EXTENSION pgtap` (the files create multitenant themselves).
# The last line printed is always "N passed, N failed"; the exit status is
# non-zero when anything failed or nothing ran.
#
# Counting:
#   pg_regress  one per test file: "... ok" = passed, "... FAILED" = failed
#               (pg_regress exiting non-zero with no FAILED line counts 1 failed).
#   pgTAP       one per assertion: "ok N" = passed, "not ok N # TODO" = passed,
#               other "not ok N" = failed; a file pg_prove reports as failed
#               (bad plan, died) without any failed assertion counts 1 failed.
#   harness     deps/build/install/cluster failure counts 1 failed.
#   scripts     (test/deploy, crash, fuzz) one per "ok N"/"not ok N" line; a script whose plan is
#               "1..0 # SKIP reason" (test/deploy/citus.sh without Citus) is listed as
#               "# SKIP script: reason" just above the summary line.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

passed=0
failed=0
skipped=()
summary_printed=0
stage=setup

print_summary() {
  ((summary_printed)) && return 0
  summary_printed=1
  local suite
  for suite in ${skipped[@]+"${skipped[@]}"}; do
    echo "# SKIP $suite"
  done
  echo "${passed} passed, ${failed} failed"
}

# Runs at exit after the cluster is stopped (see cluster.sh), and from our own
# EXIT trap before the cluster exists.  Anything that exits early (set -e) is
# a harness failure and is counted as one.
mt_cluster_exit_hook() {
  local status=$1
  if ((!summary_printed)); then
    if ((status != 0)); then
      echo "run-tests: aborted during: $stage (exit status $status)" >&2
      failed=$((failed + 1))
    fi
    print_summary
  fi
}
trap 'mt_cluster_exit_hook $?' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=test/harness/cluster.sh
source test/harness/cluster.sh

section() { printf '\n=== %s ===\n' "$*"; }

section "dependencies"
stage="installing dependencies (test/harness/deps.sh)"
bash test/harness/deps.sh

section "build"
stage="building (make)"
make --no-print-directory -j"$(nproc)" PG_CONFIG="$PG_CONFIG"

stage="installing (make install)"
if [[ $(id -u) -eq 0 ]]; then
  make --no-print-directory -s PG_CONFIG="$PG_CONFIG" install
else
  sudo make --no-print-directory -s PG_CONFIG="$PG_CONFIG" install
fi

section "cluster"
stage="starting the test cluster"
mt_cluster_start

# ---- (a) pg_regress ----------------------------------------------------------
stage="reading REGRESS from the Makefile"
# The Makefile's REGRESS (default: basenames of test/sql/*.sql, sorted) and
# REGRESS_OPTS (default: --inputdir=test) are the single source of truth.
read -ra tests <<<"$(make --no-print-directory -s print-regress)"
read -ra regress_opts <<<"$(make --no-print-directory -s print-regress-opts)"
shopt -s nullglob
pgtap_files=(test/pgtap/*.sql)
shopt -u nullglob

if ((${#tests[@]})); then
  section "pg_regress (${#tests[@]} tests)"
  stage="running pg_regress"
  pg_regress="$(dirname "$("$PG_CONFIG" --pgxs)")/../../src/test/regress/pg_regress"
  rm -rf results regression.diffs regression.out
  regress_log=$MT_CLUSTER_DIR/pg_regress.log
  set +e
  "$pg_regress" "${regress_opts[@]}" --bindir="$MT_PGBIN" \
    --host="$PGHOST" --port="$PGPORT" --user="$PGUSER" \
    --dbname=contrib_regression "${tests[@]}" 2>&1 | tee "$regress_log"
  regress_status=${PIPESTATUS[0]}
  set -e
  r_pass=0 r_fail=0
  while IFS= read -r line; do
    # PG <= 15: "test name ... ok 12 ms" / "     name ... FAILED 9 ms"
    # PG >= 16: "ok 1  - name 12 ms" / "not ok 2 - name 9 ms"
    if [[ $line =~ \.\.\.\ +ok([[:space:]]|$) || $line =~ \.\.\.\ +failed\ \(ignored\) \
          || $line =~ ^ok\ [0-9]+\  ]]; then
      r_pass=$((r_pass + 1))
    elif [[ $line =~ \.\.\.\ +FAILED || $line =~ ^not\ ok\ [0-9]+\  ]]; then
      r_fail=$((r_fail + 1))
    fi
  done <"$regress_log"
  rm -f "$regress_log"
  if ((regress_status != 0 && r_fail == 0)); then
    echo "run-tests: pg_regress exited with status $regress_status without a FAILED test; counting 1 failure"
    r_fail=1
  fi
  if [[ -s regression.diffs ]] && ((r_fail)); then
    section "regression.diffs"
    cat regression.diffs
  fi
  echo "pg_regress: ${r_pass} passed, ${r_fail} failed"
  passed=$((passed + r_pass))
  failed=$((failed + r_fail))
else
  echo "run-tests: no pg_regress tests in test/sql/"
fi

# ---- (b) pgTAP ---------------------------------------------------------------
# run_pgtap DB LABEL: pg_prove -v over every pgTAP file in DB, counted.
run_pgtap() {
  local db=$1 label=$2 line prove_log prove_status t_pass=0 t_fail=0 t_died=0
  stage="running pg_prove ($label)"
  prove_log=$MT_CLUSTER_DIR/pg_prove.log
  set +e
  pg_prove -v --psql-bin "$MT_PGBIN/psql" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" \
    -d "$db" "${pgtap_files[@]}" 2>&1 | tee "$prove_log"
  prove_status=${PIPESTATUS[0]}
  set -e
  while IFS= read -r line; do
    if [[ $line =~ ^ok\ [0-9] ]]; then
      t_pass=$((t_pass + 1))
    elif [[ $line =~ ^not\ ok\ [0-9] ]]; then
      if [[ $line =~ \#\ *TODO ]]; then
        t_pass=$((t_pass + 1))
      else
        t_fail=$((t_fail + 1))
      fi
    elif [[ $line =~ ^([^[:space:]].*[^[:space:]])\ +\(Wstat:\ .*\ Tests:\ [0-9]+\ Failed:\ ([0-9]+)\)$ ]]; then
      # "Test Summary Report" entry: a failed file.  Failed: 0 means it
      # failed without a failing assertion (bad plan, died): count it once.
      if ((BASH_REMATCH[2] == 0)); then
        echo "run-tests: ${BASH_REMATCH[1]} failed without a failing assertion (bad plan or died); counting 1 failure"
        t_died=$((t_died + 1))
      fi
    fi
  done <"$prove_log"
  rm -f "$prove_log"
  t_fail=$((t_fail + t_died))
  if ((prove_status != 0 && t_fail == 0)); then
    echo "run-tests: pg_prove exited with status $prove_status without a counted failure; counting 1 failure"
    t_fail=1
  fi
  echo "pgTAP ($label): ${t_pass} passed, ${t_fail} failed"
  passed=$((passed + t_pass))
  failed=$((failed + t_fail))
}

if ((${#pgtap_files[@]})); then
  section "pgTAP (${#pgtap_files[@]} files)"
  stage="preparing the pgTAP database"
  PGOPTIONS='-c client_min_messages=warning' "$MT_PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres \
    -c 'DROP DATABASE IF EXISTS mt_pgtap' -c 'CREATE DATABASE mt_pgtap'
  "$MT_PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d mt_pgtap -c 'CREATE EXTENSION pgtap'
  run_pgtap mt_pgtap "fresh install"
else
  echo "run-tests: no pgTAP tests in test/pgtap/"
fi

# ---- (c) upgrades ------------------------------------------------------------
# test/upgrade/check.sh prints TAP for every upgrade path and leaves each
# upgraded database (mt_upgraded_<from>) for the whole pgTAP suite to run in.
section "upgrade paths"
stage="running the upgrade tests"
upgrade_log=$MT_CLUSTER_DIR/upgrade.log
set +e
PATH="$MT_PGBIN:$PATH" bash test/upgrade/check.sh 2>&1 | tee "$upgrade_log"
upgrade_status=${PIPESTATUS[0]}
set -e
u_pass=$(grep -c '^ok [0-9]' "$upgrade_log" || true)
u_fail=$(grep -c '^not ok [0-9]' "$upgrade_log" || true)
if ((upgrade_status != 0 && u_fail == 0)); then
  echo "run-tests: the upgrade tests exited with status $upgrade_status; counting 1 failure"
  u_fail=1
fi
echo "upgrades: ${u_pass} passed, ${u_fail} failed"
passed=$((passed + u_pass))
failed=$((failed + u_fail))
for db in $("$MT_PGBIN/psql" -X -At -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'mt\_upgraded\_%' ORDER BY 1"); do
  if ((${#pgtap_files[@]})); then
    section "pgTAP on $db"
    run_pgtap "$db" "$db"
  fi
done

# ---- (d) suites with clusters of their own -------------------------------
# Each prints TAP and starts, and removes, a throwaway cluster of its own
# (test/harness/cluster.sh): what a deployment adds (a transaction-mode
# pooler), or what the shared cluster must not suffer (killing the server,
# fuzzing it).
run_tap_script() { # run_tap_script SCRIPT
  local script=$1 log status s_pass s_fail
  section "$script"
  stage="running $script"
  log=$MT_CLUSTER_DIR/tap_script.log
  set +e
  bash "$script" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  # A "not ok ... # TODO" check demonstrates a known defect: it passes.
  s_pass=$(grep -c '^ok [0-9]\|^not ok [0-9].*# *TODO' "$log" || true)
  s_fail=$(grep '^not ok [0-9]' "$log" | grep -vc '# *TODO' || true)
  # A suite whose plan is "1..0 # SKIP <reason>" ran nothing: shown as
  # skipped here and again above the summary, never counted as passed.
  if grep -q '^1\.\.0 *# *SKIP' "$log"; then
    skipped+=("$script: $(sed -n 's/^1\.\.0 *# *SKIP *//p' "$log" | head -n1)")
    echo "$script: SKIPPED"
  fi
  rm -f "$log"
  if ((status != 0 && s_fail == 0)); then
    echo "run-tests: $script exited with status $status; counting 1 failure"
    s_fail=1
  fi
  echo "$script: ${s_pass} passed, ${s_fail} failed"
  passed=$((passed + s_pass))
  failed=$((failed + s_fail))
}
for script in test/deploy/pgbouncer.sh test/deploy/pg_cron.sh test/deploy/jose_interop.sh test/deploy/citus.sh test/crash/drill.sh test/fuzz/events.sh; do
  run_tap_script "$script"
done

# Stop the cluster before the summary, so nothing is printed after it.
stage="stopping the test cluster"
mt_cluster_stop

if ((passed + failed == 0)); then
  echo "run-tests: no tests ran"
  print_summary
  exit 1
fi
print_summary
((failed == 0))
