#!/usr/bin/env bash
# The write path and a lookup on a 3-node Citus cluster (a coordinator and two
# workers on this machine, test/harness/citus_cluster.sh, distribute()) against
# one server, in the same run: push (1 event per transaction), push_many (100)
# and user_by_id, through pgbench -M prepared as the superuser, 1 and 2
# clients, each client its own tenant.  Rounds alternate which side goes
# first; medians of transactions per second, and the paired ratio Citus / one
# server.  On one machine the cluster only shows what distribution costs
# (every statement crosses a connection to a worker), never what it gains.
#
# And an application's own statement that only row-level security confines
# (rls_read: a login role in multitenant_app, SET LOCAL multitenant.tenant, a
# SELECT without instance_id), which the extension routes to the tenant's
# shard (src/tenant_routing.c).
#
# Also whether every Citus statement touched one shard: each statement Citus
# runs on more than one shard is logged (citus.multi_task_query_log_level) and
# counted.
#
#   bash bench/citus.sh        # BENCH_ROUNDS=3, BENCH_SECONDS=8, BENCH_CITUS_SCRIPTS; needs Citus (test/harness/deps.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
# shellcheck source=test/harness/citus_cluster.sh
source test/harness/citus_cluster.sh
mt_citus_available || { echo "bench/citus.sh: Citus is not installed for $PG_CONFIG" >&2; exit 1; }
# shellcheck source=bench/common.sh
source bench/common.sh
bench_build

ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_PER_RUN=${BENCH_SECONDS:-8}
# BENCH_CITUS_SCRIPTS: a subset of the scenarios, e.g. "rls_read".
SCRIPTS=${BENCH_CITUS_SCRIPTS:-push push_many lookup rls_read}

MT_CITUS_CONF="citus.propagate_set_commands = 'local'
citus.multi_task_query_log_level = 'log'
log_statement = 'none'"
mt_citus_start
read -ra ports <<<"$MT_CITUS_PORTS"
citus_dir=$MT_CITUS_DIR
for node in 0 1 2; do
  mt_citus_sql "$node" -d postgres -c "CREATE EXTENSION citus" -c "CREATE EXTENSION multitenant" >/dev/null
done
mt_citus_sql 0 -d postgres -c "SELECT citus_add_node('localhost', ${ports[1]})" -c "SELECT citus_add_node('localhost', ${ports[2]})" >/dev/null
# The single server: its own cluster; at exit both are stopped.
mt_cluster_exit_hook() { mt_citus_stop; }
citus_host=$MT_CITUS_DIR
MT_CLUSTER_CONF=""
mt_cluster_start >/dev/null
single_port=$PGPORT
PGBENCH=$MT_PGBIN/pgbench
single_host=$PGHOST

setup=$(cat <<'SQL'
CREATE EXTENSION IF NOT EXISTS multitenant;
SELECT count(multitenant.push('user', 'u' || g, 'user.human.added',
       jsonb_build_object('userName', 'user' || g, 'firstName', 'F', 'lastName', 'L', 'email', 'u' || g || '@x'),
       instance_id => 't' || (g % 2 + 1)))
  FROM generate_series(1, 2000) AS g;
-- rls_read's tenant, which no other scenario writes: the same rows on both sides.
SELECT count(multitenant.push('user', 'r' || g, 'user.human.added',
       jsonb_build_object('userName', 'reader' || g, 'firstName', 'F', 'lastName', 'L', 'email', 'r' || g || '@x'),
       instance_id => 'reads'))
  FROM generate_series(1, 2000) AS g;
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_app') THEN
    CREATE ROLE bench_app LOGIN;
  END IF;
END $$;
GRANT multitenant_app TO bench_app;
SQL
)
"$MT_PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$single_host" -p "$single_port" -d postgres -c "$setup" >/dev/null
PGOPTIONS='-c client_min_messages=warning' mt_citus_sql 0 -d postgres -c "SELECT count(*) FROM multitenant.distribute()" >/dev/null
PGOPTIONS='-c client_min_messages=warning' mt_citus_sql 0 -d postgres -c "$setup" >/dev/null

results=$BENCH_RESULTS
cat >"$results/citus_push.sql" <<'SQL'
\set aid random(1, 999999999999)
SELECT position FROM multitenant.push('user', 'a' || :aid::text, 'user.human.added',
  jsonb_build_object('userName', 'a' || :aid::text, 'firstName', 'F', 'lastName', 'L', 'email', 'a@x'),
  instance_id => 't' || :client_id::text);
SQL
cat >"$results/citus_push_many.sql" <<'SQL'
\set aid random(1, 999999999999)
SELECT count(*) FROM multitenant.push_many((
  SELECT jsonb_agg(jsonb_build_object('aggregate_type', 'user', 'aggregate_id', 'a' || :aid::text || '-' || g,
                                      'event_type', 'user.human.added', 'instance_id', 't' || :client_id::text,
                                      'payload', jsonb_build_object('userName', 'a' || :aid::text || '-' || g,
                                                                    'firstName', 'F', 'lastName', 'L', 'email', 'a@x')))
    FROM generate_series(1, 100) AS g));
SQL
cat >"$results/citus_lookup.sql" <<'SQL'
\set u random(1, 2000)
BEGIN;
SELECT multitenant.set_tenant('t' || (:u::int % 2 + 1), is_local => true);
SELECT (multitenant.user_by_id('u' || :u::text)).username;
COMMIT;
SQL

cat >"$results/citus_rls_read.sql" <<'SQL'
\set u random(1, 2000)
BEGIN;
SET LOCAL multitenant.tenant = 'reads';
SELECT count(*) FROM multitenant.users_projection WHERE username_lower = 'reader' || :u::text;
COMMIT;
SQL

declare -A RATES
run() { # run SIDE SCRIPT CLIENTS
  local host port user=postgres
  if [[ $1 == citus ]]; then host=$citus_host port=${ports[0]}; else host=$single_host port=$single_port; fi
  [[ $2 == rls_read ]] && user=bench_app
  "$PGBENCH" -h "$host" -p "$port" -U "$user" -M prepared -n -T "$SECONDS_PER_RUN" -c "$3" -j "$3" \
    -f "$results/citus_$2.sql" postgres 2>&1 | tee -a "$results/citus_pgbench.log" |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}
for round in $(seq 1 "$ROUNDS"); do
  for script in $SCRIPTS; do
    for clients in 1 2; do
      if ((round % 2)); then order="citus single"; else order="single citus"; fi
      for side in $order; do
        rate=$(run "$side" "$script" "$clients")
        RATES[$side.$script.$clients]+="$rate "
      done
    done
  done
done
multi=$(grep -c 'multi-task query about to be executed' "$citus_dir/server0.log" || true)
# Control: an operator's statement without a tenant goes to every shard, and is logged.
mt_citus_sql 0 -d postgres -c "SELECT count(*) FROM multitenant.users_projection" >/dev/null
control=$(( $(grep -c 'multi-task query about to be executed' "$citus_dir/server0.log" || true) - multi ))
grep -m3 -A2 'multi-task query' "$citus_dir/server0.log" >"$results/citus_multi_task.log" || true

echo
echo "| scenario | clients | Citus tps | one server tps | paired ratio Citus/one server |"
echo "|---|---|---|---|---|"
for script in $SCRIPTS; do
  for clients in 1 2; do
    read -ra c <<<"${RATES[citus.$script.$clients]}"
    read -ra s <<<"${RATES[single.$script.$clients]}"
    ratios=""
    for i in "${!c[@]}"; do ratios+="$(ratio "${c[$i]}" "${s[$i]}") "; done
    echo "| $script | $clients | $(fmt "$(median "${c[*]}")") | $(fmt "$(median "${s[*]}")") | $(median "$ratios") |"
  done
done
echo
echo "Citus statements logged as touching more than one shard during the runs: $multi (control: a statement without the tenant afterwards is logged $control time(s))"
