#!/usr/bin/env bash
# What the Citus-ready events index costs one server: push (1 event per
# transaction) and push_many (100) with events_position_idx on
# (position, instance_id), as 1.5 has it, against the same database with the
# index on (position) alone, as before 1.5.  One cluster, two databases made
# alike (the same pre-filled events), rounds alternating which goes first;
# pgbench -M prepared, 1 and 2 clients, each client its own tenant, an event
# type no reducer reduces (the index is what differs, not the reducers).
#
#   bash bench/events_index.sh         # BENCH_ROUNDS=3, BENCH_SECONDS=10, BENCH_EVENTS=200000
#
# Prints the medians (transactions per second) and the paired ratio
# new / old (median over rounds of the ratio within a round).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MT_CLUSTER_CONF="shared_buffers = 512MB
max_wal_size = 8GB
checkpoint_timeout = 1h
autovacuum = off"
# shellcheck source=bench/common.sh
source bench/common.sh
bench_build
bench_cluster_start

ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
EVENTS=${BENCH_EVENTS:-200000}

for db in idx_new idx_old; do
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $db" >/dev/null
  "${PSQL[@]}" -d "$db" >/dev/null <<SQL
CREATE EXTENSION multitenant;
SELECT count(*) FROM generate_series(0, ($EVENTS - 1) / 10000) AS chunk,
  LATERAL multitenant.push_many((
    SELECT jsonb_agg(jsonb_build_object('aggregate_type', 'bench', 'aggregate_id', 'pre-' || g,
                                        'event_type', 'bench.happened', 'instance_id', 'pre-' || (g % 100),
                                        'payload', jsonb_build_object('n', g, 'pad', repeat('x', 250))))
      FROM generate_series(chunk * 10000 + 1, least((chunk + 1) * 10000, $EVENTS)) AS g)) AS e;
SQL
done
"${PSQL[@]}" -d idx_old >/dev/null <<'SQL'
DROP INDEX multitenant.events_position_idx;
CREATE UNIQUE INDEX events_position_idx ON multitenant.events (position);
SQL

cat >"$BENCH_RESULTS/events_index_push.sql" <<'SQL'
\set aid random(1, 999999999999)
SELECT position FROM multitenant.push('bench', 'a' || :aid::text, 'bench.happened',
  jsonb_build_object('n', :aid::bigint, 'pad', repeat('x', 250)), instance_id => 't' || :client_id::text);
SQL
cat >"$BENCH_RESULTS/events_index_push_many.sql" <<'SQL'
\set aid random(1, 999999999999)
SELECT count(*) FROM multitenant.push_many((
  SELECT jsonb_agg(jsonb_build_object('aggregate_type', 'bench', 'aggregate_id', 'a' || :aid::text || '-' || g,
                                      'event_type', 'bench.happened', 'instance_id', 't' || :client_id::text,
                                      'payload', jsonb_build_object('n', g, 'pad', repeat('x', 250))))
    FROM generate_series(1, 100) AS g));
SQL

declare -A RATES
run() { # run DB SCRIPT CLIENTS: transactions per second
  "${PSQL[@]}" -d "$1" -c "VACUUM (ANALYZE) multitenant.events" -c CHECKPOINT >/dev/null
  "$PGBENCH" -M prepared -n -T "$SECONDS_PER_RUN" -c "$3" -j "$3" -f "$BENCH_RESULTS/events_index_$2.sql" "$1" 2>&1 |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}
for round in $(seq 1 "$ROUNDS"); do
  for script in push push_many; do
    for clients in 1 2; do
      if ((round % 2)); then order="idx_new idx_old"; else order="idx_old idx_new"; fi
      for db in $order; do
        RATES[$db.$script.$clients]+="$(run "$db" "$script" "$clients") "
      done
    done
  done
done

echo
echo "| scenario | clients | (position, instance_id) tps | (position) tps | paired ratio new/old |"
echo "|---|---|---|---|---|"
for script in push push_many; do
  for clients in 1 2; do
    read -ra new <<<"${RATES[idx_new.$script.$clients]}"
    read -ra old <<<"${RATES[idx_old.$script.$clients]}"
    ratios=""
    for i in "${!new[@]}"; do ratios+="$(ratio "${new[$i]}" "${old[$i]}") "; done
    echo "| $script | $clients | $(fmt "$(median "${new[*]}")") | $(fmt "$(median "${old[*]}")") | $(median "$ratios") |"
  done
done
