#!/usr/bin/env bash
# bench/upgrade.sh (`make bench-upgrade`): the 1.0 -> 1.1 upgrade on a 1.0
# database holding BENCH_USERS users (default 1M), each with one metadata row,
# every row backed by its events (as a live 1.0 database is), against the
# floor: CREATE TABLE ... AS SELECT copies of the same tables plus their
# indexes.  Prints both times, their ratio, and the longest time any table was
# held under an ACCESS EXCLUSIVE lock (sampled every 50 ms from another session).
#
# Environment: BENCH_USERS (default 1000000), BENCH_NO_BUILD=1, MT_KEEP_CLUSTER=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
USERS=${BENCH_USERS:-1000000}
bench_build

export MT_CLUSTER_CONF="shared_buffers = '2GB'
maintenance_work_mem = '512MB'
work_mem = '64MB'
max_wal_size = '16GB'
checkpoint_timeout = '1h'
autovacuum = off"
bench_cluster_start

"${PSQL[@]}" -c 'CREATE DATABASE mt_bench_upgrade'
export PGDATABASE=mt_bench_upgrade
"${PSQL[@]}" -c "CREATE EXTENSION multitenant VERSION '1.0'"

echo "== setup: $USERS users with one metadata row each, as events, reduced by 1.0"
t0=$(now)
"${PSQL[@]}" -v users="$USERS" <<'SQL'
-- Events are written directly (they are what a 1.0 database has stored) and
-- then reduced by 1.0 itself with rebuild(): faster than 2M pushes, same rows.
INSERT INTO multitenant.events (instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator,
                                resource_owner, created_at, position)
SELECT 'tenant-' || (i % 10), 'user', 'user-' || i, 1, 'user.human.added',
       jsonb_build_object('userName', 'user' || i, 'firstName', 'First' || i, 'lastName', 'Last' || i,
                          'displayName', 'User ' || i, 'preferredLanguage', 'en', 'email', 'user' || i || '@example.com',
                          'phone', '+4179' || lpad(i::text, 7, '0'), 'changeRequired', false),
       'creator', 'org-' || (i % 10), '2024-01-01'::timestamptz + make_interval(secs => i), nextval('multitenant.events_position_seq')
  FROM generate_series(1, :users) AS i;
INSERT INTO multitenant.events (instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator,
                                resource_owner, created_at, position)
SELECT 'tenant-' || (i % 10), 'user', 'user-' || i, 2, 'user.metadata.set',
       jsonb_build_object('key', 'department', 'value', encode(convert_to('dept ' || (i % 97), 'UTF8'), 'base64')),
       'creator', 'org-' || (i % 10), '2024-02-01'::timestamptz + make_interval(secs => i), nextval('multitenant.events_position_seq')
  FROM generate_series(1, :users) AS i;
SELECT multitenant.rebuild();
VACUUM ANALYZE;
SQL
echo "   $(elapsed "$t0" "$(now)") s"
"${PSQL[@]}" -At -c "SELECT 'rows: users ' || (SELECT count(*) FROM multitenant.users_projection) || ', metadata ' || (SELECT count(*) FROM multitenant.user_metadata) || ', events ' || (SELECT count(*) FROM multitenant.events)"

# The tables the upgrade rewrites that hold a row per user.
TABLES=$("${PSQL[@]}" -At -c "SELECT string_agg(c.oid::regclass::text, ' ' ORDER BY c.relname) FROM pg_class c
                              WHERE c.relnamespace = 'multitenant'::regnamespace AND c.relkind = 'r'
                                AND c.relname <> 'events' AND c.reltuples >= $USERS * 0.9")
echo "== floor: CREATE TABLE AS + indexes of: $TABLES"
"${PSQL[@]}" -c 'CREATE SCHEMA floor' -c 'CHECKPOINT'
floor_sql=$MT_CLUSTER_DIR/floor.sql
: >"$floor_sql"
for t in $TABLES; do
  copy=floor.${t#multitenant.}
  echo "CREATE TABLE $copy AS SELECT * FROM $t;" >>"$floor_sql"
  "${PSQL[@]}" -At -c "SELECT replace(replace(pg_get_indexdef(indexrelid), ' ON $t ', ' ON $copy '), 'CREATE UNIQUE INDEX ', 'CREATE UNIQUE INDEX floor_') || ';' FROM pg_index WHERE indrelid = '$t'::regclass" |
    sed -E 's/^CREATE INDEX /CREATE INDEX floor_/' >>"$floor_sql"
done
t0=$(now)
"${PSQL[@]}" -1 -f "$floor_sql"
floor=$(elapsed "$t0" "$(now)")
echo "   floor: $floor s"
"${PSQL[@]}" -c 'DROP SCHEMA floor CASCADE' -c 'CHECKPOINT'

# The "off" run upgrades a copy, made now, of the database the "on" run upgrades.
"${PSQL[@]}" -d postgres -c 'CREATE DATABASE mt_bench_upgrade_off TEMPLATE mt_bench_upgrade' -c 'CHECKPOINT'

# upgrade DB DEFERRAL: times ALTER EXTENSION ... UPDATE TO '1.1' in DB; sets
# upgrade (seconds) and longest (the longest ACCESS EXCLUSIVE hold).
upgrade() {
  local db=$1 deferral=$2 locks=$MT_CLUSTER_DIR/locks-$2.log monitor t0 t1
  echo "== ALTER EXTENSION multitenant UPDATE TO '1.1', multitenant.deferred_index_builds $deferral"
  "${PSQL[@]}" -c 'CHECKPOINT'
  # One session samples pg_locks every 50 ms and reports through notices.
  PGDATABASE=$db "${PSQL[@]}" -c "DO \$\$ BEGIN LOOP
      PERFORM pg_sleep(0.05);
      RAISE NOTICE 'lock % %', extract(epoch FROM clock_timestamp()),
        (SELECT string_agg(l.relation::regclass::text, ' ') FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
          WHERE l.mode = 'AccessExclusiveLock' AND l.granted AND c.relkind = 'r'
            AND c.relnamespace = 'multitenant'::regnamespace);
    END LOOP; END \$\$" 2>"$locks" &
  monitor=$!
  t0=$(now)
  PGDATABASE=$db PGOPTIONS="-c multitenant.deferred_index_builds=$deferral" \
    "${PSQL[@]}" -c "ALTER EXTENSION multitenant UPDATE TO '1.1'"
  t1=$(now)
  kill "$monitor" 2>/dev/null || true
  wait "$monitor" 2>/dev/null || true
  upgrade=$(elapsed "$t0" "$t1")
  echo "   $upgrade s"
  longest=$(sed -n 's/^NOTICE:  lock //p' "$locks" | awk -v end="$t1" '{ for (i = 2; i <= NF; i++) if ($i != "<NULL>" && !($i in first)) first[$i] = $1 }
    END { best = 0; name = "-";
    for (t in first) if (end - first[t] > best) { best = end - first[t]; name = t } printf "%.1f s (%s)", best, name }')
}
upgrade mt_bench_upgrade_off off
off=$upgrade off_longest=$longest
upgrade mt_bench_upgrade on
{
  echo "| users | floor (CTAS + indexes) | UPDATE, deferral off | ratio | UPDATE, deferral on | ratio (target <= 3, then 2) | longest ACCESS EXCLUSIVE (off / on) |"
  echo "|---:|---:|---:|---:|---:|---:|---|"
  printf '| %s | %.1f s | %.1f s | %s | %.1f s | %s | %s / %s |\n' "$USERS" "$floor" "$off" "$(ratio "$off" "$floor")" \
    "$upgrade" "$(ratio "$upgrade" "$floor")" "$off_longest" "$longest"
} | tee bench/results/upgrade.md
mt_cluster_stop
