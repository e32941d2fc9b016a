#!/usr/bin/env bash
# Realm resolution (resolve_realm) at 10 and at 10,000 tenants x 3 realms,
# against its floor, the same index probe as a plain SELECT in the same
# transaction shape.  Each run: a fresh set of tenants (events pushed, so the
# projection is filled as in use), ANALYZE, then pgbench for BENCH_SECONDS
# with BENCH_CLIENTS clients, each transaction entering a random tenant and
# resolving one of its realms.  Results: bench/results/realms.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/common.sh
BENCH_SECONDS=${BENCH_SECONDS:-15}
BENCH_CLIENTS=${BENCH_CLIENTS:-2}
MT_CLUSTER_CONF=${MT_CLUSTER_CONF:-}
bench_build
bench_cluster_start
out=$BENCH_RESULTS/realms.txt
: >"$out"
for tenants in 10 10000; do
  "$MT_PGBIN/dropdb" --if-exists mt_bench_realms
  "$MT_PGBIN/createdb" mt_bench_realms
  "${PSQL[@]}" -d mt_bench_realms -c 'CREATE EXTENSION multitenant' -c "
    SELECT multitenant.push_many(pg_catalog.jsonb_agg(e)) FROM (
      SELECT pg_catalog.jsonb_build_object('instance_id', 'bt-' || t, 'aggregate_type', 'tenant', 'aggregate_id', 'bt-' || t,
                                           'event_type', 'tenant.added', 'payload', pg_catalog.jsonb_build_object('name', 'T' || t)) AS e
        FROM pg_catalog.generate_series(1, $tenants) AS t) AS x;
    SELECT pg_catalog.count(multitenant.push('tenant', 'bt-' || t, 'tenant.realm.added',
             pg_catalog.jsonb_build_object('realmId', 'r' || r, 'name', 'realm-' || r, 'type', 'username_password'),
             instance_id => 'bt-' || t))
      FROM pg_catalog.generate_series(1, $tenants) AS t, pg_catalog.generate_series(1, 3) AS r;
    ANALYZE;" >/dev/null
  for script in resolve floor; do
    tps=$("$PGBENCH" -n -M prepared -c "$BENCH_CLIENTS" -j "$BENCH_CLIENTS" -T "$BENCH_SECONDS" -D tenants="$tenants" \
            -f "bench/realms/$script.sql" mt_bench_realms 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    printf '%s tenants x 3 realms  %-8s %10s tps\n' "$tenants" "$script" "$tps" | tee -a "$out"
  done
done
