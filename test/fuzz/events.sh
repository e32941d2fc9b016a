#!/usr/bin/env bash
# Fuzz test of the event store and the reducers.  Run from the repository root
# with PG_CONFIG exported (the extension installed into that PostgreSQL):
#
#   bash test/fuzz/events.sh                  # a new random seed, printed first
#   FUZZ_SEED=1234 bash test/fuzz/events.sh   # the same run again
#
# Prints TAP on stdout ("ok N - ..." / "not ok N - ...", the plan "1..N" last)
# and exits non-zero when a check failed; checks marked "# TODO" demonstrate a
# known defect and do not count as failures.  It starts its own throwaway
# cluster (test/harness/cluster.sh) and removes it, and its work files, on any
# exit.  Settings: FUZZ_SEED (0 .. 2^31-1), FUZZ_BAD_EVERY (about one malformed
# step per that many good ones, default 4), FUZZ_CORE_TENANTS (default 3).
#
# What it does: the upgrade streams (test/upgrade/stream_*.sql) and a seeded
# random stream over the core projections (core_stream.sql) are pushed into a
# scratch database; their events are the well-formed corpus, covering every
# event type that has a reducer.  In the fuzz database the corpus is pushed
# again in a random interleaving of its tenants (each tenant's order kept),
# through push, push with the expected sequence, push as an application role
# and push_many batches, with malformed events in between (fuzz.sql lists the
# kinds: payload keys of the wrong JSON type where a reducer reads them, keys a
# NOT NULL column needs missing or null, values too large for an index row,
# non-object and oversized payloads, bad identifiers, no or another tenant,
# unknown keys and wrong JSON types in push_many elements, stale, negative and
# out-of-range expected sequences, bad created_at), alone or among good events
# of one push_many; and random changes of any payload key, which the reducers
# may accept or refuse, pushed and undone.  Each statement runs in its own
# transaction, as a client's.
#
# Checks: no backend crashed and the script ran to its end; no statement failed
# with an internal error (SQLSTATE class XX); every good step succeeded; every
# malformed step failed with the SQLSTATE its kind names and left the state
# digest (every projection row and every event) as it was; the stored events
# are exactly the good ones, with gapless sequences in push order; the
# projections reduced inline equal what multitenant.rebuild() derives, and
# equal the scratch database's, where the same events were pushed one at a
# time in their streams' order.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

# shellcheck source=test/harness/cluster.sh
source test/harness/cluster.sh
# shellcheck source=test/harness/tap.sh
source test/harness/tap.sh

seed=${FUZZ_SEED:-$(($(od -An -tu4 -N4 /dev/urandom | tr -d ' ') % 2147483648))}
if ! [[ $seed =~ ^(0|[1-9][0-9]{0,9})$ ]] || ((seed >= 2147483648)); then
  echo "FUZZ_SEED must be an integer from 0 to 2147483647" >&2
  exit 2
fi
bad_every=${FUZZ_BAD_EVERY:-4}
core_tenants=${FUZZ_CORE_TENANTS:-3}
# setseed() takes a double in [-1, 1].
seed_fraction=$(awk -v s="$seed" 'BEGIN { printf "%.10f", s / 2147483648 }')
echo "# seed $seed (FUZZ_SEED=$seed bash test/fuzz/events.sh repeats this run)"

work=$(mktemp -d "${TMPDIR:-/tmp}/mt-fuzz.XXXXXX")
mt_cluster_exit_hook() {
  rm -rf -- "$work"
}
trap 'rm -rf -- "$work"' EXIT

PSQL=(psql -X -q -v ON_ERROR_STOP=1)
q() { "${PSQL[@]}" -At "$@"; }

if ! mt_cluster_start >"$work/cluster.log" 2>&1; then
  tap 1 "a throwaway cluster starts"
  tap_diag <"$work/cluster.log"
  tap_end
  exit 1
fi
tap_diag <"$work/cluster.log"

# ---- the corpus ---------------------------------------------------------------
started=$SECONDS
# The upgrade streams in the order they build on each other, then any newer
# one; stream_bulk.sql only adds volume.
streams=()
for f in base identity access idps auth; do
  streams+=("test/upgrade/stream_$f.sql")
done
for f in test/upgrade/stream_*.sql; do
  [[ " ${streams[*]} " == *" $f "* || $f == test/upgrade/stream_bulk.sql ]] || streams+=("$f")
done

build_corpus() {
  local f
  "${PSQL[@]}" -d postgres -c 'CREATE DATABASE mt_fuzz_corpus' -c 'CREATE DATABASE mt_fuzz' || return 1
  "${PSQL[@]}" -d mt_fuzz_corpus -c 'CREATE EXTENSION multitenant' || return 1
  for f in "${streams[@]}"; do
    "${PSQL[@]}" -d mt_fuzz_corpus -f "$f" || return 1
  done
  "${PSQL[@]}" -d mt_fuzz_corpus -v seed="$seed_fraction" -v tenants="$core_tenants" -f test/fuzz/core_stream.sql
}
corpus_ok=0
build_corpus >"$work/corpus.log" 2>&1 || corpus_ok=1
corpus_events=$(q -d mt_fuzz_corpus -c 'SELECT count(*) FROM multitenant.events' 2>/dev/null)
corpus_tenants=$(q -d mt_fuzz_corpus -c 'SELECT count(DISTINCT instance_id) FROM multitenant.events' 2>/dev/null)
tap "$corpus_ok" "the corpus pushes cleanly: ${corpus_events:-?} well-formed events of ${corpus_tenants:-?} tenants"
((corpus_ok == 0)) || tail -n 20 "$work/corpus.log" | tap_diag

# ---- the fuzz database and its steps ------------------------------------------
setup_fuzz_db() {
  "${PSQL[@]}" -d mt_fuzz -c 'CREATE EXTENSION multitenant' -f test/fuzz/fuzz.sql || return 1
  "${PSQL[@]}" -d mt_fuzz \
    -c 'CREATE ROLE fuzz_app NOLOGIN' -c 'GRANT multitenant_app TO fuzz_app' \
    -c 'GRANT USAGE ON SCHEMA fuzz TO fuzz_app' \
    -c 'ALTER FUNCTION fuzz.push_as_app(text, text, text, text, jsonb, bigint, text, text, text, timestamptz) OWNER TO fuzz_app' ||
    return 1
  q -d mt_fuzz_corpus -c "COPY (SELECT position, instance_id, aggregate_type, aggregate_id, event_type, payload, creator,
                                       resource_owner, created_at FROM multitenant.events ORDER BY position) TO STDOUT" |
    "${PSQL[@]}" -d mt_fuzz -c 'COPY fuzz.corpus FROM STDIN' || return 1
  "${PSQL[@]}" -d mt_fuzz_corpus -f test/fuzz/fuzz.sql || return 1
  q -d mt_fuzz_corpus -c 'COPY (SELECT * FROM fuzz.projection_rows()) TO STDOUT' |
    "${PSQL[@]}" -d mt_fuzz -c 'COPY fuzz.corpus_rows FROM STDIN' || return 1
  # One session, so that setseed() steers every random() of the generator.
  "${PSQL[@]}" -d mt_fuzz -c "SELECT setseed($seed_fraction)" -c 'SELECT fuzz.merge()' -c "SELECT fuzz.generate($bad_every)" ||
    return 1
  q -d mt_fuzz -c 'SELECT * FROM fuzz.script()' >"$work/steps.sql"
}
setup_ok=0
setup_fuzz_db >"$work/setup.log" 2>&1 || setup_ok=1
counts=$(q -d mt_fuzz -F ' ' -c "SELECT count(*) FILTER (WHERE good), count(*) FILTER (WHERE NOT good),
                                        (SELECT count(*) FROM fuzz.expected_events) FROM fuzz.steps" 2>/dev/null)
read -r n_good n_bad n_events <<<"${counts:-? ? ?}"
tap "$setup_ok" "generated $n_good good steps ($n_events events) and $n_bad malformed ones"
if ((corpus_ok || setup_ok)); then
  tap_diag <"$work/setup.log"
  tap_end
  exit 1
fi

# Every type that has a reducer is pushed at least once.
q -d mt_fuzz -c "SELECT DISTINCT 'never pushed: ' || event_type FROM multitenant.reducers
                 EXCEPT SELECT 'never pushed: ' || event_type FROM fuzz.expected_events ORDER BY 1" >"$work/coverage" 2>&1
tap_rows "the good steps cover every event type that has a reducer ($(q -d mt_fuzz -c 'SELECT count(DISTINCT event_type) FROM multitenant.reducers' 2>/dev/null) types)" "$work/coverage"

# ---- the run --------------------------------------------------------------------
run_started=$SECONDS
PGOPTIONS='-c statement_timeout=60s' psql -X -q -d mt_fuzz -f "$work/steps.sql" >"$work/steps.out" 2>"$work/steps.err"
run_status=$?
run_seconds=$((SECONDS - run_started))
# A crashed backend takes the server through crash recovery first.
for ((i = 0; i < 100; i++)); do
  q -d mt_fuzz -c 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.3
done
ran=$(q -d mt_fuzz -c 'SELECT count(*) FROM fuzz.outcomes' 2>/dev/null)
total=$(q -d mt_fuzz -c 'SELECT count(*) FROM fuzz.steps' 2>/dev/null)
[[ $run_status == 0 && -n $ran && $ran == "$total" ]]
tap $? "every step ran, without losing the connection ($ran of $total steps in ${run_seconds}s)"
if [[ $run_status != 0 || $ran != "$total" ]]; then
  echo "# psql exited with status $run_status; the step after the last recorded one:"
  q -d mt_fuzz -c "SELECT step || ' ' || kind || ' ' || variant || ': ' || left(sql, 400) FROM fuzz.steps
                   WHERE step > (SELECT COALESCE(max(step), 0) FROM fuzz.outcomes) ORDER BY step LIMIT 1" 2>&1 | tap_diag
  tail -n 5 "$work/steps.err" | tap_diag
fi

grep -E 'terminated by signal|was terminated by exception|PANIC|TRAP:|server process .* exited with exit code [^0]' \
  "$MT_SERVER_LOG" >"$work/crashes" 2>/dev/null
tap_rows "no server process crashed (server log)" "$work/crashes"

q -d mt_fuzz -c "SELECT 'step ' || step || ': ' || sqlstate || ' ' || COALESCE(message, '') FROM fuzz.outcomes
                 WHERE sqlstate LIKE 'XX%' ORDER BY step" >"$work/internal" 2>&1
tap_rows "no statement failed with an internal error (SQLSTATE class XX)" "$work/internal"

q -d mt_fuzz -c "SELECT 'step ' || s.step || ' (' || s.kind || ' ' || s.variant || '): ' || o.sqlstate || ' ' || COALESCE(o.message, '')
                 FROM fuzz.steps AS s JOIN fuzz.outcomes AS o USING (step) WHERE s.good AND o.sqlstate <> '00000' ORDER BY s.step" \
  >"$work/good" 2>&1
tap_rows "every good step succeeded ($n_good steps)" "$work/good"

# One check per malformed kind: refused, with the SQLSTATE it names.
while IFS='|' read -r kind count codes todo; do
  [[ -n $kind ]] || continue
  q -d mt_fuzz -c "SELECT 'step ' || s.step || ' (' || s.variant || '): ' || o.sqlstate || ', expected ' || s.expect
                          || ' ' || COALESCE(o.message, '(accepted)')
                   FROM fuzz.steps AS s JOIN fuzz.outcomes AS o USING (step)
                   WHERE s.kind = '$kind' AND o.sqlstate <> s.expect AND NOT (s.expect = '*' AND o.sqlstate NOT LIKE 'XX%')
                   ORDER BY s.step" >"$work/kind" 2>&1 </dev/null
  if [[ $codes == '*' ]]; then
    outcomes=$(q -d mt_fuzz -c "SELECT string_agg(o.sqlstate || ' ' || n, ', ' ORDER BY o.sqlstate)
                                FROM (SELECT o.sqlstate, count(*) AS n FROM fuzz.steps AS s JOIN fuzz.outcomes AS o USING (step)
                                      WHERE s.kind = '$kind' GROUP BY o.sqlstate) AS o" </dev/null 2>/dev/null)
    tap_rows "$kind: $count pushes with a random key changed, refused or accepted and undone (${outcomes:-none}), none with an internal error" "$work/kind"
  else
    tap_rows "$kind: $count malformed pushes refused with $codes" "$work/kind" "${todo:+TODO $todo}"
  fi
done < <(q -d mt_fuzz -c "SELECT kind, count(*), string_agg(DISTINCT expect, '/'), max(todo) FROM fuzz.steps
                          WHERE NOT good GROUP BY kind ORDER BY min(step)")

q -d mt_fuzz -c "SELECT 'step ' || s.step || ' (' || s.kind || ' ' || s.variant || '): the digest changed'
                 FROM fuzz.steps AS s JOIN fuzz.outcomes AS o USING (step)
                 WHERE NOT s.good AND s.todo IS NULL AND o.unchanged IS NOT TRUE ORDER BY s.step" >"$work/unchanged" 2>&1
tap_rows "every refused push left every projection and the event store as they were" "$work/unchanged"

# The stored events are exactly the good ones, in push order per aggregate;
# the tenant fz-probe is the known defect's (its check reports it).
q -d mt_fuzz >"$work/events" 2>&1 <<'SQL'
WITH expected AS (
	SELECT instance_id, aggregate_type, aggregate_id,
	       row_number() OVER (PARTITION BY instance_id, aggregate_type, aggregate_id ORDER BY step, k) AS sequence,
	       event_type, payload, creator, resource_owner, created_at
	  FROM fuzz.expected_events
), stored AS (
	SELECT instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, resource_owner, created_at
	  FROM multitenant.events
	 WHERE instance_id <> 'fz-probe'
)
(SELECT 'stored but not pushed by a good step: ' || row_to_json(x)::text FROM (TABLE stored EXCEPT ALL TABLE expected) AS x LIMIT 20)
UNION ALL
(SELECT 'pushed by a good step but not stored as such: ' || row_to_json(x)::text FROM (TABLE expected EXCEPT ALL TABLE stored) AS x LIMIT 20);
SQL
tap_rows "the event store holds exactly the good events, with gapless sequences in push order ($n_events events)" "$work/events"

# Inline reduction against a full replay (rolled back).
q -d mt_fuzz >"$work/rebuild" 2>&1 <<'SQL'
BEGIN;
CREATE TEMPORARY TABLE inline_rows AS SELECT * FROM fuzz.projection_rows();
SELECT FROM multitenant.rebuild();
(SELECT 'inline only: ' || projection || ' ' || r::text FROM (SELECT * FROM inline_rows EXCEPT ALL SELECT * FROM fuzz.projection_rows()) AS x LIMIT 10)
UNION ALL
(SELECT 'rebuild only: ' || projection || ' ' || r::text FROM (SELECT * FROM fuzz.projection_rows() EXCEPT ALL SELECT * FROM inline_rows) AS x LIMIT 10);
ROLLBACK;
SQL
tap_rows "the projections reduced inline equal what multitenant.rebuild() derives ($(q -d mt_fuzz -c 'SELECT count(*) FROM fuzz.projection_rows()' 2>/dev/null) rows)" "$work/rebuild"

# Tenants are independent and each kept its order, so the batches, the runs
# reduced set-based and the interleaving must change nothing.
q -d mt_fuzz >"$work/corpus_rows" 2>&1 <<'SQL'
(SELECT 'here only: ' || projection || ' ' || r::text FROM (SELECT * FROM fuzz.projection_rows() EXCEPT ALL SELECT * FROM fuzz.corpus_rows) AS x LIMIT 10)
UNION ALL
(SELECT 'corpus database only: ' || projection || ' ' || r::text FROM (SELECT * FROM fuzz.corpus_rows EXCEPT ALL SELECT * FROM fuzz.projection_rows()) AS x LIMIT 10);
SQL
tap_rows "the projections equal the corpus database's, where the same events were pushed one at a time in stream order" "$work/corpus_rows"

echo "# $((SECONDS - started))s in all (seed $seed)"
tap_end
