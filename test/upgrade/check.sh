#!/usr/bin/env bash
# Upgrade tests (TAP on stdout): for every released version, install it, push
# the upgrade stream, ALTER EXTENSION multitenant UPDATE, then compare with a
# fresh install of the newest version fed the same stream.  The two come from
# different sources: the fresh install runs the script assembled from
# sql/src (the schema as it is), the upgrade runs the released scripts and
# the hops (the way there).
#   1. the catalog inventory (test/upgrade/inventory.sql) is identical, column
#      order and reducer order included;
#   2. every row of the old version survived, and every projection row equals
#      what the fresh install reduced (backfilled columns included);
#   3. pg_dump of the upgraded database restores to the same inventory and rows.
# It leaves the upgraded database `mt_upgraded_<version>` with its data cleared
# (triggers bypassed) for the pgTAP suite to run against.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (test/harness/cluster.sh).
set -uo pipefail
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# Released versions: those whose scripts test/upgrade/released.sha256 freezes,
# except the newest (default_version), which every path ends in.  Each needs
# test/upgrade/legacy_rows_<version>.sql: rows no event produced, in that
# version's shape, that become test/upgrade/legacy_rows_expected.sql.
NEWEST=$(sed -n "s/^default_version = '\(.*\)'$/\1/p" multitenant.control)
RELEASED=${MT_RELEASED_VERSIONS:-$(sed -E 's/^[0-9a-f]+ +multitenant--//; s/\.sql$//; s/--/\n/' test/upgrade/released.sha256 |
  sort -uV | grep -vx "$NEWEST" | tr '\n' ' ')}
echo "# released versions upgraded to $NEWEST: $RELEASED"
STREAMS=(test/upgrade/stream_base.sql test/upgrade/stream_identity.sql test/upgrade/stream_access.sql test/upgrade/stream_idps.sql test/upgrade/stream_auth.sql test/upgrade/stream_tenants.sql test/upgrade/stream_bulk.sql)
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
tap() { # tap STATUS DESCRIPTION
  n=$((n + 1))
  if (($1 == 0)); then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
q() { "${PSQL[@]}" -At "$@"; }

# The extension's data tables (everything but the reducer registry).
data_tables() { # data_tables DB
  q -d "$1" -c "SELECT c.oid::regclass FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'e'
                JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'multitenant'
                WHERE c.relkind = 'r' AND c.oid <> 'multitenant.reducers'::regclass ORDER BY c.oid::regclass::text"
}

# Every data table with its rows, one sorted COPY per table.
dump_rows() { # dump_rows DB FILE
  local db=$1 out=$2 t
  : >"$out"
  for t in $(data_tables "$db"); do
    echo "== $t" >>"$out"
    q -d "$db" -c "COPY (SELECT * FROM $t ORDER BY 1, 2, 3) TO STDOUT" | LC_ALL=C sort >>"$out"
  done
}

load_streams() { # load_streams DB
  local f
  for f in "${STREAMS[@]}"; do
    [[ -f $f ]] || continue
    "${PSQL[@]}" -d "$1" -f "$f" >/dev/null || return 1
  done
}

# Released scripts are frozen: every later change is a new hop.
(cd sql && sha256sum --quiet -c ../test/upgrade/released.sha256)
tap $? "released scripts are unchanged (test/upgrade/released.sha256)"
for f in sql/multitenant--*.sql; do
  [[ $f == sql/multitenant--$NEWEST.sql ]] && continue  # built from sql/src, never released as such
  grep -q " ${f#sql/}\$" test/upgrade/released.sha256 || echo "# not released yet: $f"
done

echo "# fresh install of the newest version"
# It must run the install script that make assembles from sql/src: were that
# script missing, CREATE EXTENSION would run the released scripts and the
# hops instead, and every comparison below would compare the hops with
# themselves.
installed="$("${PG_CONFIG:-pg_config}" --sharedir)/extension/multitenant--$NEWEST.sql"
[[ -s sql/multitenant--$NEWEST.sql ]] && cmp -s "sql/multitenant--$NEWEST.sql" "$installed"
tap $? "fresh install: CREATE EXTENSION runs sql/multitenant--$NEWEST.sql, assembled from sql/src (installed as $installed)"
"${PSQL[@]}" -d postgres -c 'DROP DATABASE IF EXISTS mt_fresh' -c 'CREATE DATABASE mt_fresh'
"${PSQL[@]}" -d mt_fresh -c 'CREATE EXTENSION multitenant'
load_streams mt_fresh && "${PSQL[@]}" -d mt_fresh -f test/upgrade/legacy_rows_expected.sql
tap $? "fresh install: the upgrade stream reduces"
q -d mt_fresh -f test/upgrade/inventory.sql >"$work/fresh.inventory"
dump_rows mt_fresh "$work/fresh.rows"
echo "# $(grep -c '' "$work/fresh.rows") rows, $(q -d mt_fresh -c 'SELECT count(*) FROM multitenant.events') events"

for from in $RELEASED; do
  db=mt_upgraded_${from//./_}
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  "${PSQL[@]}" -d "$db" -c "CREATE EXTENSION multitenant VERSION '$from'"
  load_streams "$db" && "${PSQL[@]}" -d "$db" -f "test/upgrade/legacy_rows_$from.sql"
  tap $? "$from: the upgrade stream reduces into $from, plus rows no event produced"
  # Every row of the old version, as JSON, kept outside the extension.
  "${PSQL[@]}" -d "$db" -c 'CREATE SCHEMA upgrade_check' -c 'CREATE TABLE upgrade_check.old_rows (tbl regclass, old_row jsonb)'
  for t in $(data_tables "$db"); do
    "${PSQL[@]}" -d "$db" -c "INSERT INTO upgrade_check.old_rows SELECT '$t', to_jsonb(t) FROM $t AS t"
  done
  old_count=$(q -d "$db" -c "SELECT count(*) FROM upgrade_check.old_rows")
  "${PSQL[@]}" -d "$db" -c 'ALTER EXTENSION multitenant UPDATE'
  tap $? "$from: ALTER EXTENSION multitenant UPDATE"
  q -d "$db" -f test/upgrade/inventory.sql >"$work/upgraded.inventory"
  diff -u "$work/fresh.inventory" "$work/upgraded.inventory" >"$work/inventory.diff"
  tap $? "$from: the upgraded catalog equals a fresh install ($(grep -c '' "$work/fresh.inventory") facts)"
  sed 's/^/#   /' "$work/inventory.diff" | head -40

  lost=$("${PSQL[@]}" -At -d "$db" <<'SQL'
CREATE TEMP TABLE lost (tbl regclass, old_row jsonb);
DO $$
DECLARE r regclass;
BEGIN
	FOR r IN SELECT DISTINCT tbl FROM upgrade_check.old_rows LOOP
		EXECUTE format('INSERT INTO lost SELECT o.tbl, o.old_row FROM upgrade_check.old_rows o
		                 WHERE o.tbl = %L::regclass AND NOT EXISTS (SELECT FROM %s AS t WHERE to_jsonb(t) @> o.old_row)', r, r);
	END LOOP;
END $$;
SELECT count(*) FROM lost;
SELECT '# lost: ' || tbl || ' ' || old_row FROM lost LIMIT 5;
SQL
)
  lost_n=$(head -1 <<<"$lost")
  [[ $lost_n == 0 ]]
  tap $? "$from: all $old_count rows of $from survived with their $from values"
  tail -n +2 <<<"$lost"

  dump_rows "$db" "$work/upgraded.rows"
  diff -u "$work/fresh.rows" "$work/upgraded.rows" >"$work/rows.diff"
  tap $? "$from: every row equals the fresh install's, backfilled columns included"
  sed 's/^/#   /' "$work/rows.diff" | head -40

  # The audit log holds no stream rows (its entries carry times and
  # transactions of their own); one entry written now puts it, and its
  # identity sequence, through the dump and restore too.
  q -d "$db" -c "SELECT multitenant.purge_audit_log('1 day', 'upg-a')" >/dev/null &&
    [[ $(q -d "$db" -c "SELECT count(*) FROM multitenant.audit_log") == 1 ]]
  tap $? "$from: an audit log entry is written before the dump"
  dump_rows "$db" "$work/upgraded.rows"
  restored=${db}_restored
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $restored" -c "CREATE DATABASE $restored"
  pg_dump -Fc -d "$db" -f "$work/dump" && pg_restore -d "$restored" "$work/dump" 2>"$work/restore.err"
  tap $? "$from: pg_dump of the upgraded database restores without error"
  sed 's/^/#   /' "$work/restore.err" | head -20
  q -d "$restored" -f test/upgrade/inventory.sql >"$work/restored.inventory"
  diff -u "$work/upgraded.inventory" "$work/restored.inventory" >"$work/restored.diff"
  tap $? "$from: the restored catalog equals the upgraded one"
  sed 's/^/#   /' "$work/restored.diff" | head -20
  dump_rows "$restored" "$work/restored.rows"
  diff -u "$work/upgraded.rows" "$work/restored.rows" >"$work/restored-rows.diff"
  tap $? "$from: the restored rows equal the upgraded ones"
  sed 's/^/#   /' "$work/restored-rows.diff" | head -20
  "${PSQL[@]}" -d postgres -c "DROP DATABASE $restored"

  # The pgTAP suite then runs on this upgraded catalog, without the stream's rows
  # (the tenants registry's trigger, which the replica role silences, puts back
  # the system tenant's row, which the extension itself provides).
  "${PSQL[@]}" -d "$db" -c 'DROP SCHEMA upgrade_check CASCADE' -c 'SET session_replication_role = replica' \
    -c "TRUNCATE $(data_tables "$db" | paste -sd, -)" -c 'SET session_replication_role = origin' \
    -c 'TRUNCATE multitenant.tenants' -c 'CREATE EXTENSION pgtap'
  tap $? "$from: stream data cleared for the pgTAP run"
done
# Legacy rows that cannot become tenant rows stop the upgrade, which names the
# table and the key, and leave the database at the old version.
expect_refusal() { # expect_refusal FROM DESCRIPTION SQL PATTERN
  local from=$1 what=$2 sql=$3 pattern=$4 bad=mt_upgrade_refused out
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $bad" -c "CREATE DATABASE $bad"
  "${PSQL[@]}" -d "$bad" -c "CREATE EXTENSION multitenant VERSION '$from'"
  load_streams "$bad" && "${PSQL[@]}" -d "$bad" -c "$sql"
  out=$("${PSQL[@]}" -d "$bad" -c 'ALTER EXTENSION multitenant UPDATE' 2>&1)
  echo "$out" | sed 's/^/#   /'
  [[ $out =~ $pattern ]] && [[ $(q -d "$bad" -c "SELECT extversion FROM pg_extension WHERE extname = 'multitenant'") == "$from" ]]
  tap $? "$from: $what"
  "${PSQL[@]}" -d postgres -c "DROP DATABASE $bad"
}
if [[ " $RELEASED " == *" 1.0 "* ]]; then
  expect_refusal 1.0 "a legacy user without a tenant stops the upgrade, naming table and key" \
    "INSERT INTO multitenant.users_projection (id, creation_date, sequence, state, resource_owner, instance_id, username, type)
     VALUES ('legacy-null', now(), 0, 1, 'o', NULL, 'nobody', 1)" \
    'ERROR:  cannot adopt multitenant.users_projection: row \(id\)=\(legacy-null\) of table multitenant.users_projection has no tenant'
fi

# Tenants removed in 1.0 (test/upgrade/removed_tenants.sql): 1.0 stored
# instance.removed without reducing it into its single-tenant tables, so their
# rows are still there.  The upgrade must drop every row the replay removes,
# and keep each row no event produced in its parent row's tenant; the result
# must equal a fresh install fed the same events.
if [[ " $RELEASED " == *" 1.0 "* ]]; then
  fresh=mt_fresh_removed db=mt_upgraded_removed
  for d in $fresh $db; do
    "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $d" -c "CREATE DATABASE $d"
  done
  "${PSQL[@]}" -d $fresh -c 'CREATE EXTENSION multitenant'
  load_streams $fresh && "${PSQL[@]}" -d $fresh -f test/upgrade/removed_tenants.sql \
    -f test/upgrade/legacy_rows_expected.sql -f test/upgrade/removed_tenants_expected.sql >/dev/null
  tap $? "removed tenants: a fresh install reduces the stream and the removals"
  "${PSQL[@]}" -d $db -c "CREATE EXTENSION multitenant VERSION '1.0'"
  load_streams $db && "${PSQL[@]}" -d $db -f test/upgrade/removed_tenants.sql \
    -f test/upgrade/legacy_rows_1.0.sql -f test/upgrade/removed_tenants_rows_1.0.sql >/dev/null
  tap $? "removed tenants: 1.0 stores the stream and the removals, plus rows no event produced"
  "${PSQL[@]}" -d $db -c 'ALTER EXTENSION multitenant UPDATE' 2>&1 | sed 's/^/#   /'
  [[ $(q -d $db -c "SELECT extversion FROM pg_extension WHERE extname = 'multitenant'") == "$NEWEST" ]]
  tap $? "removed tenants: ALTER EXTENSION multitenant UPDATE"
  left=$(for t in $(data_tables $db); do
    [[ $t == multitenant.events ]] && continue
    q -d $db -c "SELECT '$t ' || count(*) FROM $t AS t WHERE to_jsonb(t) ->> 'instance_id' = 'upg-c' HAVING count(*) > 0"
  done)
  [[ -z $left ]]
  tap $? "removed tenants: no projection keeps a row of the removed tenant upg-c"
  sed 's/^/#   upg-c rows left: /' <<<"$left" | grep -v ': $'
  dump_rows $fresh "$work/removed-fresh.rows"
  dump_rows $db "$work/removed-upgraded.rows"
  diff -u "$work/removed-fresh.rows" "$work/removed-upgraded.rows" >"$work/removed.diff"
  tap $? "removed tenants: every row equals the fresh install's ($(grep -c '' "$work/removed-fresh.rows") rows; kept rows in their parent row's tenant)"
  sed 's/^/#   /' "$work/removed.diff" | head -40
  "${PSQL[@]}" -d postgres -c "DROP DATABASE $fresh" -c "DROP DATABASE $db"
fi
# Deferred index builds (src/rebuild.c): the 1.0 -> 1.1 replay leaves the
# indexes of the projections it empties unbuilt until a reducer needs one or
# the replay ends; with multitenant.deferred_index_builds off every index is
# maintained row by row.  Both paths must give the same rows and catalog, and
# a projection with a trigger of its own (which must see every row as the
# statements write it) or an extra index must come out the same either way.
if [[ " $RELEASED " == *" 1.0 "* ]]; then
  # deferral_db DB MODE [SQL]: 1.0 with the stream and the legacy rows, then
  # SQL, upgraded with deferred_index_builds MODE; prints the update's output.
  deferral_db() {
    "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
    "${PSQL[@]}" -d "$1" -c "CREATE EXTENSION multitenant VERSION '1.0'"
    load_streams "$1" && "${PSQL[@]}" -d "$1" -f test/upgrade/legacy_rows_1.0.sql >/dev/null &&
      { [[ -z ${3:-} ]] || "${PSQL[@]}" -d "$1" -c "$3" >/dev/null; } || echo "setup failed"
    PGOPTIONS="$PGOPTIONS -c multitenant.deferred_index_builds=$2" "${PSQL[@]}" -v VERBOSITY=verbose -d "$1" \
      -c 'ALTER EXTENSION multitenant UPDATE' 2>&1
  }
  # Every index of the extension's tables built, ready and holding every heap row.
  indexes_sound() { # indexes_sound DB
    q -d "$1" -c 'CREATE EXTENSION IF NOT EXISTS amcheck' >/dev/null &&
      [[ $(q -d "$1" -c "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                         WHERE c.relnamespace = 'multitenant'::regnamespace
                           AND NOT (i.indisvalid AND i.indisready AND i.indislive)") == 0 ]] &&
      q -d "$1" -c "SELECT bool_and(true) FROM (SELECT public.bt_index_check(i.indexrelid, true)
                     FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid
                    WHERE c.relnamespace = 'multitenant'::regnamespace AND c.relpersistence = 'p'
                      AND x.relam = (SELECT oid FROM pg_am WHERE amname = 'btree')) AS checked" >/dev/null
  }
  for setup in plain index trigger; do
    case $setup in
      plain) extra= ;;
      index) extra="CREATE INDEX user_metadata_value_extra ON multitenant.user_metadata (value)" ;;
      trigger) extra="CREATE TABLE public.humans_seen (user_id text, email text);
        CREATE FUNCTION public.note_human() RETURNS trigger LANGUAGE plpgsql AS
          \$f\$ BEGIN INSERT INTO public.humans_seen VALUES (NEW.user_id, NEW.email); RETURN NEW; END \$f\$;
        CREATE TRIGGER note_human AFTER INSERT ON multitenant.users_projection_humans
          FOR EACH ROW EXECUTE FUNCTION public.note_human()" ;;
    esac
    for mode in on off; do
      deferral_db "mt_deferral_$mode" "$mode" "$extra" | grep -v '^ALTER EXTENSION$' | sed 's/^/#   /'
      [[ $(q -d "mt_deferral_$mode" -c "SELECT extversion FROM pg_extension WHERE extname = 'multitenant'") == "$NEWEST" ]] &&
        indexes_sound "mt_deferral_$mode"
      tap $? "deferred index builds $mode ($setup): upgraded from 1.0, every index built, ready and holding every row (amcheck)"
      dump_rows "mt_deferral_$mode" "$work/deferral-$mode.rows"
      [[ $setup != trigger ]] || q -d "mt_deferral_$mode" -c 'SELECT * FROM public.humans_seen ORDER BY 1, 2' >>"$work/deferral-$mode.rows"
      q -d "mt_deferral_$mode" -f test/upgrade/inventory.sql >"$work/deferral-$mode.inventory"
    done
    diff -u "$work/deferral-off.rows" "$work/deferral-on.rows" >"$work/deferral.diff" &&
      diff -u "$work/deferral-off.inventory" "$work/deferral-on.inventory" >>"$work/deferral.diff"
    tap $? "deferred index builds ($setup): the same rows$([[ $setup != trigger ]] || echo ", trigger calls") and catalog with deferral on and off"
    sed 's/^/#   /' "$work/deferral.diff" | head -20
    if [[ $setup == plain ]]; then
      diff -u "$work/fresh.rows" "$work/deferral-on.rows" >"$work/deferral.diff"
      tap $? "deferred index builds (plain): the rows equal the fresh install's"
      sed 's/^/#   /' "$work/deferral.diff" | head -20
    elif [[ $setup == index ]]; then
      [[ $(q -d mt_deferral_on -c "SELECT count(*) FROM pg_index WHERE indexrelid = 'multitenant.user_metadata_value_extra'::regclass") == 1 ]]
      tap $? "deferred index builds (index): the extra index is kept and built"
    else
      [[ $(q -d mt_deferral_on -c "SELECT count(*) FROM public.humans_seen") -gt 0 ]]
      tap $? "deferred index builds (trigger): the projection's own trigger saw the replay's rows"
    fi
  done
  # A stored event that the reducers refuse (a second user.human.added for
  # one user, stored directly as a 1.0 database may hold it) stops the
  # upgrade on both paths with the same SQLSTATE, leaving 1.0; the error tells
  # which path ran: the deferred unique index's build, or the reducer's
  # statement when a trigger of its own makes the rebuild maintain every index.
  duplicate="INSERT INTO multitenant.events (instance_id, aggregate_type, aggregate_id, sequence, event_type, payload,
                                        creator, resource_owner, created_at, position)
             SELECT 'upg-a', 'user', 'dup-' || (i % 2), i, 'user.human.added', jsonb_build_object('userName', 'dup' || i),
                    'creator', 'org-1', '2024-01-01'::timestamptz + make_interval(secs => i),
                    nextval('multitenant.events_position_seq')
               FROM generate_series(1, 3) AS i"
  for run in "on|:|could not create unique index .*building index .* deferred during the replay" \
             "off|:|reducer for event type \"user.human.added\" on projection multitenant\.[a-z_]+ failed.*duplicate key value" \
             "on|CREATE TRIGGER note_human AFTER INSERT ON multitenant.users_projection_humans FOR EACH ROW EXECUTE FUNCTION public.note_human()|reducer for event type \"user.human.added\" on projection multitenant\.[a-z_]+ failed.*duplicate key value"; do
    IFS='|' read -r mode extra pattern <<<"$run"
    [[ $extra == : ]] && extra= || extra="CREATE FUNCTION public.note_human() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'; $extra"
    "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS mt_deferral_dup" -c "CREATE DATABASE mt_deferral_dup"
    "${PSQL[@]}" -d mt_deferral_dup -c "CREATE EXTENSION multitenant VERSION '1.0'" -c "$duplicate" ${extra:+-c "$extra"} >/dev/null
    out=$(PGOPTIONS="$PGOPTIONS -c multitenant.deferred_index_builds=$mode" "${PSQL[@]}" -v VERBOSITY=verbose \
      -d mt_deferral_dup -c 'ALTER EXTENSION multitenant UPDATE' 2>&1 | tr '\n' ' ')
    sed 's/^/#   /' <<<"$out"
    [[ $out =~ ERROR:\ \ 23505:\ ${pattern} ]] &&
      [[ $(q -d mt_deferral_dup -c "SELECT extversion FROM pg_extension WHERE extname = 'multitenant'") == 1.0 ]]
    tap $? "deferred index builds $mode${extra:+ (trigger)}: a duplicate the reducers refuse stops the upgrade (23505), leaving 1.0"
  done
  "${PSQL[@]}" -d postgres -c "DROP DATABASE mt_deferral_on" -c "DROP DATABASE mt_deferral_off" -c "DROP DATABASE mt_deferral_dup"
fi
echo "1..$n"
