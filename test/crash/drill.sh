#!/usr/bin/env bash
# Crash drill for the event store and the reducers.  Run from the repository
# root with PG_CONFIG exported (the extension installed into that PostgreSQL):
#
#   bash test/crash/drill.sh                  # a new random seed, printed first
#   DRILL_SEED=1234 bash test/crash/drill.sh  # the same workload and kill delay
#
# Prints TAP on stdout ("ok N - ..." / "not ok N - ...", the plan "1..N" last)
# and exits non-zero when a check failed.  It starts its own throwaway cluster
# (test/harness/cluster.sh) and removes it, its writers and its work files on
# any exit.  Settings: DRILL_SEED, DRILL_ROUNDS (default 3), DRILL_TENANTS
# (default 3), DRILL_WRITERS_PER_TENANT (default 2).
#
# Each round starts writers (one psql each, a bounded script of statements, each
# its own transaction): push and push_many of orgs, projects, applications and
# their OIDC configs, users and their metadata, several writers per tenant on the
# same "hot" aggregates (so pushes queue, retry and fail with 40001), pushes
# with expected_sequence, runs of one event type reduced set-based, and upsert
# runs that fall back to event-by-event reduction.  Every statement marks its
# events with its own creator, and each writer records what it saw: the rows
# push returned, and after each statement its SQLSTATE.  Once every writer is
# busy, at a random moment, the server is killed with SIGKILL: in odd rounds
# the postmaster and all its processes at once (a machine crash), in even
# rounds the postmaster alone (its backends finish what they are doing and
# exit).  The server is started again (crash recovery), and the round checks:
#   - the writers were busy when the server died, and it ran crash recovery;
#   - every write a client saw succeed is stored exactly as push returned it,
#     and no statement that reported an error left an event;
#   - the statement each writer had in flight is all or nothing, and nothing
#     else of the round is stored;
#   - every aggregate's sequences are 1..n;
#   - every projection equals what multitenant.rebuild() derives from the stored
#     events (no event is half-reduced);
#   - the event store's indexes agree with its table (amcheck).
# The next round writes on top of the recovered database.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

# shellcheck source=test/harness/cluster.sh
source test/harness/cluster.sh
# shellcheck source=test/harness/tap.sh
source test/harness/tap.sh

seed=${DRILL_SEED:-$(($(od -An -tu4 -N4 /dev/urandom | tr -d ' ') % 32768))}
rounds=${DRILL_ROUNDS:-3}
tenants=${DRILL_TENANTS:-3}
per_tenant=${DRILL_WRITERS_PER_TENANT:-2}
statements=2000                  # per writer and round; the kill comes long before
RANDOM=$seed
echo "# seed $seed (DRILL_SEED=$seed bash test/crash/drill.sh repeats this workload and kill delay)"

work=$(mktemp -d "${TMPDIR:-/tmp}/mt-drill.XXXXXX")
writer_pids=()
stop_writers() {
  local pid
  for pid in "${writer_pids[@]}"; do
    kill -KILL "$pid" 2>/dev/null
  done
  writer_pids=()
}
mt_cluster_exit_hook() {
  stop_writers
  rm -rf -- "$work"
}
trap 'stop_writers; rm -rf -- "$work"' EXIT

PSQL=(psql -X -q -v ON_ERROR_STOP=1)
q() { "${PSQL[@]}" -At -d mt_drill "$@"; }

# Crash recovery is reported at LOG level.  Settings already in
# MT_CLUSTER_CONF stay: with "synchronous_commit = off" there, say, the drill
# shows acknowledged writes that a crash lost.
export MT_CLUSTER_CONF="${MT_CLUSTER_CONF:-}
log_min_messages = log"
if ! mt_cluster_start >"$work/cluster.log" 2>&1; then
  tap 1 "a throwaway cluster starts"
  tap_diag <"$work/cluster.log"
  tap_end
  exit 1
fi
tap_diag <"$work/cluster.log"

# ---- setup ------------------------------------------------------------------------
setup() {
  "${PSQL[@]}" -d postgres -c 'CREATE DATABASE mt_drill' || return 1
  "${PSQL[@]}" -d mt_drill -c 'CREATE EXTENSION multitenant' -c 'CREATE EXTENSION amcheck' || return 1
  "${PSQL[@]}" -d mt_drill -v tenants="$tenants" <<'SQL'
CREATE SCHEMA drill;
-- What the writers saw: the rows push returned, each statement's SQLSTATE,
-- and every statement of their scripts with the number of events it pushes.
CREATE TABLE drill.acks (round integer, marker text, instance_id text, aggregate_type text, aggregate_id text,
                         sequence bigint, "position" bigint);
CREATE TABLE drill.outcomes (round integer, marker text PRIMARY KEY, sqlstate text);
CREATE TABLE drill.manifest (round integer, writer integer, ord integer, marker text PRIMARY KEY, events integer);

CREATE FUNCTION drill.projection_rows() RETURNS TABLE (projection text, r jsonb) LANGUAGE plpgsql AS $$
DECLARE
	rel regclass;
BEGIN
	FOR rel IN SELECT DISTINCT x.projection FROM multitenant.reducers AS x ORDER BY 1 LOOP
		RETURN QUERY EXECUTE format('SELECT %L::text, to_jsonb(t) FROM %s AS t', rel, rel);
	END LOOP;
END
$$;

-- The hot aggregates every writer of a tenant changes.
SELECT multitenant.push('instance', t, 'instance.added', jsonb_build_object('name', t), instance_id => t),
       multitenant.push('org', t || '-org-hot', 'org.added', '{"name": "hot"}', instance_id => t),
       multitenant.push('project', t || '-proj-hot', 'project.added', '{"name": "hot"}', resource_owner => t || '-org-hot', instance_id => t),
       multitenant.push('user', t || '-user-hot', 'user.human.added', '{"userName": "hot", "firstName": "H", "lastName": "Ot"}',
                        resource_owner => t || '-org-hot', instance_id => t)
  FROM (SELECT 'drill-' || g AS t FROM generate_series(1, :tenants) AS g) AS x;
SQL
}
if ! setup >"$work/setup.log" 2>&1; then
  tap 1 "the drill database is set up"
  tap_diag <"$work/setup.log"
  tap_end
  exit 1
fi

# ---- writers ----------------------------------------------------------------------
# Metadata values: base64 of "v1" and "v2".
base64_values=('' djE= djI=)

# The columns of an acknowledged event, as push and push_many return it.
ACK="SELECT 'ack', e.creator, e.instance_id, e.aggregate_type, e.aggregate_id, e.sequence, e.position"

# write_script ROUND WRITER TENANT: the writer's statements on stdout, one line
# "marker|writer|ord|events" per statement into the manifest.
write_script() {
  local round=$1 writer=$2 t=$3 s m kind k json ends
  local manifest=$work/manifest.$round.$writer
  : >"$manifest"
  for ((s = 1; s <= statements; s++)); do
    m="r${round}w${writer}s${s}"
    # Appended to each element of a push_many array (each ends in "}}", its
    # payload's end and its own): the statement's creator and tenant.
    ends="}, \"creator\": \"$m\", \"instance_id\": \"$t\"}"
    kind=$((RANDOM % 6))
    case $kind in
      0) # the tenant's hot org, by every writer of the tenant
        echo "$ACK FROM multitenant.push('org', '$t-org-hot', 'org.changed', '{\"name\": \"$m\"}', creator => '$m', instance_id => '$t') AS e;"
        echo "$m|$writer|$s|1" >>"$manifest" ;;
      1) # three aggregates in one transaction
        echo "$ACK FROM multitenant.push('org', 'o-$m', 'org.added', '{\"name\": \"$m\"}', creator => '$m', instance_id => '$t') AS e"
        echo "UNION ALL $ACK FROM multitenant.push('project', 'p-$m', 'project.added', '{\"name\": \"$m\", \"projectRoleCheck\": true}', resource_owner => 'o-$m', creator => '$m', instance_id => '$t') AS e"
        echo "UNION ALL $ACK FROM multitenant.push('project', 'p-$m', 'project.application.added', '{\"appId\": \"a-$m\", \"name\": \"$m\"}', creator => '$m', instance_id => '$t') AS e;"
        echo "$m|$writer|$s|3" >>"$manifest" ;;
      2) # a batch over a new user and the hot aggregates
        json="[{\"aggregate_type\": \"user\", \"aggregate_id\": \"u-$m\", \"event_type\": \"user.human.added\", \"resource_owner\": \"$t-org-hot\", \"payload\": {\"userName\": \"$m\", \"firstName\": \"F\", \"lastName\": \"L\", \"email\": \"$m@example.com\"}}"
        json+=", {\"aggregate_type\": \"user\", \"aggregate_id\": \"$t-user-hot\", \"event_type\": \"user.human.profile.changed\", \"payload\": {\"nickName\": \"$m\"}}"
        json+=", {\"aggregate_type\": \"user\", \"aggregate_id\": \"u-$m\", \"event_type\": \"user.metadata.set\", \"payload\": {\"key\": \"k\", \"value\": \"dmFsdWU=\"}}"
        json+=", {\"aggregate_type\": \"org\", \"aggregate_id\": \"$t-org-hot\", \"event_type\": \"org.changed\", \"payload\": {\"name\": \"b-$m\"}}]"
        json=${json//\}\}/$ends}
        echo "$ACK FROM multitenant.push_many('$json') AS e;"
        echo "$m|$writer|$s|4" >>"$manifest" ;;
      3) # optimistic concurrency on the hot user
        echo "$ACK FROM multitenant.push('user', '$t-user-hot', 'user.human.profile.changed', '{\"displayName\": \"$m\"}',"
        echo "  expected_sequence => (SELECT max(x.sequence) FROM multitenant.events AS x WHERE x.instance_id = '$t' AND x.aggregate_type = 'user' AND x.aggregate_id = '$t-user-hot'),"
        echo "  creator => '$m', instance_id => '$t') AS e;"
        echo "$m|$writer|$s|1" >>"$manifest" ;;
      4) # a set-based insert run, then an upsert run that hits one row twice
        json="["
        for k in 1 2 3 4 5; do
          json+="{\"aggregate_type\": \"user\", \"aggregate_id\": \"u-$m-$k\", \"event_type\": \"user.human.added\", \"resource_owner\": \"$t-org-hot\", \"payload\": {\"userName\": \"$m-$k\", \"firstName\": \"F\", \"lastName\": \"L\"}}, "
        done
        for k in 1 2 1; do
          json+="{\"aggregate_type\": \"user\", \"aggregate_id\": \"u-$m-1\", \"event_type\": \"user.metadata.set\", \"payload\": {\"key\": \"k$k\", \"value\": \"${base64_values[k]}\"}}, "
        done
        json="${json%, }]"
        json=${json//\}\}/$ends}
        echo "$ACK FROM multitenant.push_many('$json') AS e;"
        echo "$m|$writer|$s|8" >>"$manifest" ;;
      5) # an application with its OIDC config on the hot project
        json="[{\"aggregate_type\": \"project\", \"aggregate_id\": \"$t-proj-hot\", \"event_type\": \"project.application.added\", \"payload\": {\"appId\": \"a-$m\", \"name\": \"$m\"}}"
        json+=", {\"aggregate_type\": \"project\", \"aggregate_id\": \"$t-proj-hot\", \"event_type\": \"project.application.config.oidc.added\", \"payload\": {\"appId\": \"a-$m\", \"clientId\": \"c-$m\", \"redirectUris\": [\"https://$m.example.com/cb\"], \"responseTypes\": [0], \"grantTypes\": [0, 2], \"devMode\": true}}]"
        json=${json//\}\}/$ends}
        echo "$ACK FROM multitenant.push_many('$json') AS e;"
        echo "$m|$writer|$s|2" >>"$manifest" ;;
    esac
    echo "\\echo done $m :SQLSTATE"
  done
}

# The processes whose parent is $1.
children_of() {
  local stat pid comm state ppid rest
  for stat in /proc/[0-9]*/stat; do
    read -r pid comm state ppid rest <"$stat" 2>/dev/null || continue
    [[ $ppid == "$1" ]] && echo "$pid"
  done
}

alive() { # alive PID...: how many are still running
  local pid n=0
  for pid in "$@"; do
    kill -0 "$pid" 2>/dev/null && n=$((n + 1))
  done
  echo "$n"
}

# ---- rounds -----------------------------------------------------------------------
writers=$((tenants * per_tenant))
for ((round = 1; round <= rounds; round++)); do
  for ((w = 1; w <= writers; w++)); do
    write_script "$round" "$w" "drill-$(((w - 1) % tenants + 1))" >"$work/script.$round.$w"
  done
  start_events=$(q -c 'SELECT count(*) FROM multitenant.events')
  writer_pids=()
  for ((w = 1; w <= writers; w++)); do
    PGOPTIONS='-c statement_timeout=20s' psql -X -q -At -F '|' -d mt_drill -f "$work/script.$round.$w" \
      >"$work/out.$round.$w" 2>"$work/err.$round.$w" &
    writer_pids+=($!)
  done
  round_started=$(date +%s%N)

  # Busy: at least 20 events a writer, then a random moment within a second.
  for ((i = 0; i < 200; i++)); do
    (($(q -c 'SELECT count(*) FROM multitenant.events' 2>/dev/null || echo 0) >= start_events + 20 * writers)) && break
    sleep 0.1
  done
  sleep "0.$(printf '%03d' $((RANDOM % 1000)))"

  busy=$(alive "${writer_pids[@]}")
  postmaster=$(head -n 1 "$MT_PGDATA/postmaster.pid")
  mapfile -t server_children < <(children_of "$postmaster")
  log_offset=$(wc -c <"$MT_SERVER_LOG")
  if ((round % 2 == 1)); then
    how="the postmaster and its ${#server_children[@]} processes"
    kill -KILL "$postmaster" "${server_children[@]}"
  else
    how="the postmaster alone"
    kill -KILL "$postmaster"
  fi
  kill_seconds=$(awk -v a="$round_started" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')

  # The writers end when their connection does; the old server processes must
  # all be gone before a new postmaster may take over the data directory.
  for ((i = 0; i < 300; i++)); do
    (($(alive "${writer_pids[@]}" "${server_children[@]}") == 0)) && break
    sleep 0.1
  done
  left_over=$(alive "${writer_pids[@]}" "${server_children[@]}")
  stop_writers
  for pid in "${server_children[@]}"; do
    kill -KILL "$pid" 2>/dev/null
  done
  state=$(mt_as_server_user "$MT_PGBIN/pg_controldata" -D "$MT_PGDATA" 2>/dev/null | sed -n 's/^Database cluster state: *//p')

  acked=$(cat "$work"/out."$round".* | grep -c '^done .* 00000$')
  [[ $busy == "$writers" && $acked -gt 0 && $left_over == 0 ]]
  tap $? "round $round: killed $how (SIGKILL) after ${kill_seconds}s, with $busy of $writers writers busy and $acked statements acknowledged"
  ((left_over == 0)) || echo "#   $left_over writer or server processes were still running 30s after the kill"

  # Only the socket in the cluster's own directory: another cluster may have
  # taken the TCP port while this one was down.
  mt_as_server_user "$MT_PGBIN/pg_ctl" -D "$MT_PGDATA" -l "$MT_SERVER_LOG" -o "-c listen_addresses=''" \
    -w -t 120 -s start >"$work/restart.log" 2>&1
  restart_status=$?
  tail -c +"$((log_offset + 1))" "$MT_SERVER_LOG" >"$work/log.$round"
  [[ $restart_status == 0 && $state == "in production" ]] && grep -q 'automatic recovery in progress' "$work/log.$round" &&
    grep -q 'database system is ready to accept connections' "$work/log.$round"
  tap $? "round $round: the server restarts and recovers (cluster state at the kill: ${state:-unknown})"
  if [[ $restart_status != 0 ]]; then
    tap_diag <"$work/restart.log"
    tail -n 20 "$work/log.$round" | tap_diag
    break
  fi

  # What the writers saw, into the database.
  load_ok=0
  {
    cat "$work"/manifest."$round".* | sed "s/^/$round|/" | awk -F'|' -v OFS='|' '{ print $1, $3, $4, $2, $5 }' |
      q -c 'COPY drill.manifest (round, writer, ord, marker, events) FROM STDIN WITH (FORMAT csv, DELIMITER $$|$$)' &&
      cat "$work"/out."$round".* | awk -F'|' -v OFS='|' -v r="$round" '$1 == "ack" { print r, $2, $3, $4, $5, $6, $7 }' |
      q -c 'COPY drill.acks FROM STDIN WITH (FORMAT csv, DELIMITER $$|$$)' &&
      cat "$work"/out."$round".* | awk -v OFS='|' -v r="$round" '$1 == "done" { print r, $2, $3 }' |
      q -c 'COPY drill.outcomes FROM STDIN WITH (FORMAT csv, DELIMITER $$|$$)'
  } >"$work/load.log" 2>&1 || load_ok=1
  if ((load_ok)); then
    tap 1 "round $round: the writers' records load"
    tap_diag <"$work/load.log"
    break
  fi
  counts=$(q -F ' ' -c "SELECT count(*) FILTER (WHERE sqlstate = '00000'), count(*) FILTER (WHERE sqlstate <> '00000'),
                               (SELECT count(*) FROM drill.acks WHERE round = $round),
                               string_agg(DISTINCT sqlstate, '/') FILTER (WHERE sqlstate <> '00000')
                        FROM drill.outcomes WHERE round = $round")
  read -r n_ok n_failed n_acks failed_codes <<<"$counts"

  q >"$work/check" 2>&1 <<SQL
SELECT 'acknowledged but not stored as acknowledged: ' || a.marker || ' ' || a.aggregate_type || ' ' || a.aggregate_id
       || ' sequence ' || a.sequence || ' position ' || a.position
  FROM drill.acks AS a
 WHERE a.round = $round
   AND NOT EXISTS (SELECT FROM multitenant.events AS e
                    WHERE e.instance_id = a.instance_id AND e.aggregate_type = a.aggregate_type
                      AND e.aggregate_id = a.aggregate_id AND e.sequence = a.sequence
                      AND e.position = a.position AND e.creator = a.marker)
UNION ALL
SELECT 'statement ' || o.marker || ' succeeded with ' || (SELECT count(*) FROM drill.acks AS a WHERE a.marker = o.marker)
       || ' events returned and ' || (SELECT count(*) FROM multitenant.events AS e WHERE e.creator = o.marker)
       || ' stored, of ' || m.events
  FROM drill.outcomes AS o JOIN drill.manifest AS m USING (marker)
 WHERE o.round = $round AND o.sqlstate = '00000'
   AND NOT ((SELECT count(*) FROM drill.acks AS a WHERE a.marker = o.marker) = m.events
            AND (SELECT count(*) FROM multitenant.events AS e WHERE e.creator = o.marker) = m.events);
SQL
  tap_rows "round $round: every acknowledged write is stored as push returned it ($n_ok statements, $n_acks events)" "$work/check"

  q >"$work/check" 2>&1 <<SQL
SELECT 'statement ' || o.marker || ' failed with ' || o.sqlstate || ' but left ' || count(e.*) || ' events'
  FROM drill.outcomes AS o JOIN multitenant.events AS e ON e.creator = o.marker
 WHERE o.round = $round AND o.sqlstate <> '00000'
 GROUP BY o.marker, o.sqlstate
UNION ALL
SELECT 'statement ' || o.marker || ' failed with ' || o.sqlstate || ', not a serialization failure or deadlock'
  FROM drill.outcomes AS o
 WHERE o.round = $round AND o.sqlstate NOT IN ('00000', '40001', '40P01');
SQL
  tap_rows "round $round: the statements that failed (${n_failed}, ${failed_codes:-none}) failed as concurrent writers may, and left no event" "$work/check"

  # In flight at the kill: each writer's first statement without an outcome.
  q >"$work/check" 2>&1 <<SQL
CREATE TEMPORARY TABLE in_doubt AS
SELECT DISTINCT ON (m.writer) m.marker, m.events
  FROM drill.manifest AS m
 WHERE m.round = $round AND NOT EXISTS (SELECT FROM drill.outcomes AS o WHERE o.marker = m.marker)
 ORDER BY m.writer, m.ord;
SELECT 'in doubt: ' || d.marker || ' stored ' || count(e.*) || ' of its ' || d.events || ' events'
  FROM in_doubt AS d LEFT JOIN multitenant.events AS e ON e.creator = d.marker
 GROUP BY d.marker, d.events
HAVING count(e.*) NOT IN (0, d.events)
UNION ALL
SELECT 'stored by a statement neither acknowledged, failed nor in flight: ' || e.creator
  FROM multitenant.events AS e
 WHERE e.creator LIKE 'r${round}w%'
   AND NOT EXISTS (SELECT FROM drill.outcomes AS o WHERE o.marker = e.creator)
   AND NOT EXISTS (SELECT FROM in_doubt AS d WHERE d.marker = e.creator)
 GROUP BY e.creator;
SELECT '#' || count(*) || ' ' || count(*) FILTER (WHERE EXISTS (SELECT FROM multitenant.events AS e WHERE e.creator = d.marker))
  FROM in_doubt AS d;
SQL
  read -r n_doubt n_doubt_stored <<<"$(sed -n 's/^#//p' "$work/check")"
  sed -i '/^#/d' "$work/check"
  tap_rows "round $round: the $n_doubt statements in flight are all or nothing ($n_doubt_stored committed), and nothing else was stored" "$work/check"

  q >"$work/check" 2>&1 <<'SQL'
SELECT 'aggregate ' || instance_id || ' ' || aggregate_type || ' ' || aggregate_id || ': ' || count(*)
       || ' events, sequences ' || min(sequence) || '..' || max(sequence)
  FROM multitenant.events
 GROUP BY instance_id, aggregate_type, aggregate_id
HAVING min(sequence) <> 1 OR max(sequence) <> count(*);
SQL
  tap_rows "round $round: every aggregate's sequences are gapless ($(q -c 'SELECT count(*) FROM (SELECT DISTINCT instance_id, aggregate_type, aggregate_id FROM multitenant.events) AS a') aggregates, $(q -c 'SELECT count(*) FROM multitenant.events') events)" "$work/check"

  q >"$work/check" 2>&1 <<'SQL'
BEGIN;
CREATE TEMPORARY TABLE inline_rows AS SELECT * FROM drill.projection_rows();
SELECT FROM multitenant.rebuild();
(SELECT 'reduced inline only: ' || projection || ' ' || r::text
   FROM (SELECT * FROM inline_rows EXCEPT ALL SELECT * FROM drill.projection_rows()) AS x LIMIT 10)
UNION ALL
(SELECT 'derived by rebuild only: ' || projection || ' ' || r::text
   FROM (SELECT * FROM drill.projection_rows() EXCEPT ALL SELECT * FROM inline_rows) AS x LIMIT 10);
ROLLBACK;
SQL
  tap_rows "round $round: every projection equals what multitenant.rebuild() derives from the stored events" "$work/check"

  q >"$work/check" 2>&1 <<'SQL'
SELECT FROM pg_catalog.pg_index AS i, LATERAL (SELECT bt_index_check(i.indexrelid, true)) AS c
 WHERE i.indrelid = 'multitenant.events'::regclass;
SQL
  tap_rows "round $round: the event store's indexes agree with its table (amcheck)" "$work/check"
done

echo "# ${SECONDS}s in all (seed $seed)"
tap_end
