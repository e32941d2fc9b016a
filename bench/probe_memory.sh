#!/usr/bin/env bash
# bench/probe_memory.sh (`make bench-probe-memory`): the memory of one backend
# across BENCH_LOOKUPS (default 1,000,000) calls of each lookup that probes
# indexes directly (user_by_login_name, authenticate_pat, validate_session;
# see src/index_probe.c), which must not grow by more than 1 MB.
#
# Builds and installs the extension, starts a throwaway cluster
# (test/harness/cluster.sh), loads a few tenants' users, tokens and sessions
# (bench/probe_memory_setup.sql), then, in one psql session, runs the
# lookups in DO blocks of 10,000 calls each (one transaction per block) and
# samples the backend's memory before and after each lookup's calls: the
# sum of its memory contexts (pg_backend_memory_contexts) and its anonymous
# resident memory (RssAnon of /proc/<pid>/status; shared_buffers pages are
# not anonymous).  Prints a table, writes it to bench/results/probe_memory.md,
# and exits 1 if a lookup grew either figure by more than 1 MB.
#
# Environment:
#   BENCH_LOOKUPS      calls per lookup (default 1000000; a multiple of 10,000)
#   BENCH_NO_BUILD=1   skip make / make install
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/common.sh
source bench/common.sh

LOOKUPS=${BENCH_LOOKUPS:-1000000}
BLOCK=10000
BLOCKS=$(((LOOKUPS + BLOCK - 1) / BLOCK))
LIMIT=$((1024 * 1024))

bench_build
export MT_CLUSTER_CONF="autovacuum = off"
bench_cluster_start
"${PSQL[@]}" -f bench/probe_memory_setup.sql >/dev/null

# One lookup's calls: BLOCKS DO blocks, each BLOCK calls with keys that cycle
# through the data, every answer checked.
calls() {
  local call=$1 check=$2
  for ((b = 0; b < BLOCKS; b++)); do
    cat <<SQL
DO \$\$
DECLARE
	n integer := 0;
BEGIN
	FOR i IN 0..$((BLOCK - 1)) LOOP
		PERFORM 1 FROM $call AS r WHERE $check;
		IF FOUND THEN
			n := n + 1;
		END IF;
	END LOOP;
	IF n <> $BLOCK THEN
		RAISE EXCEPTION 'probe_memory: % of $BLOCK lookups answered as expected', n;
	END IF;
END
\$\$;
SQL
  done
}

sample() {
  cat <<SQL
SELECT '$1', (SELECT sum(total_bytes) FROM pg_backend_memory_contexts),
       (SELECT regexp_replace(l, '\D', '', 'g')::bigint * 1024
          FROM regexp_split_to_table(pg_read_file('/proc/' || pg_backend_pid() || '/status'), E'\n') AS l
         WHERE l LIKE 'RssAnon:%'),
       clock_timestamp();
SQL
}

SCRIPT=$MT_CLUSTER_DIR/probe_memory.sql
{
  echo "\\set ON_ERROR_STOP 1"
  echo "\\pset format unaligned"
  echo "\\pset tuples_only on"
  echo "\\pset fieldsep '|'"
  echo "SELECT multitenant.set_tenant('pm-1');"
  # A first round of each, so that what is made once per backend (plans,
  # caches, the probes' context) is there before the first sample.
  BLOCKS_SAVED=$BLOCKS
  BLOCKS=1
  calls "multitenant.user_by_login_name('user' || (i % 100))" "r.id = 'u' || (i % 100)"
  calls "multitenant.authenticate_pat('mtp_pm_' || (i % 100))" "r.user_id = 'u' || (i % 100)"
  calls "multitenant.validate_session(pg_temp_token(i % 100), true)" "r.session_id = 's' || (i % 100)"
  BLOCKS=$BLOCKS_SAVED
  sample start
  calls "multitenant.user_by_login_name('user' || (i % 100))" "r.id = 'u' || (i % 100)"
  sample user_by_login_name
  calls "multitenant.authenticate_pat('mtp_pm_' || (i % 100))" "r.user_id = 'u' || (i % 100)"
  sample authenticate_pat
  calls "multitenant.validate_session(pg_temp_token(i % 100), true)" "r.session_id = 's' || (i % 100)"
  sample validate_session
} | sed 's/pg_temp_token(/probe_memory.token(/' >"$SCRIPT"

echo "== $LOOKUPS calls of each lookup in one backend"
OUT=$("${PSQL[@]}" -d postgres -f "$SCRIPT")
RESULT=$BENCH_RESULTS/probe_memory.md
awk -F'|' -v limit="$LIMIT" -v lookups="$LOOKUPS" '
  NF >= 4 {
    name[++n] = $1; ctx[n] = $2; rss[n] = $3
  }
  END {
    printf "# Memory of one backend across %d calls of each lookup\n\n", lookups
    printf "| after | memory contexts (bytes) | growth | RssAnon (bytes) | growth |\n|---|---:|---:|---:|---:|\n"
    bad = 0
    for (i = 1; i <= n; i++) {
      dc = (i == 1) ? 0 : ctx[i] - ctx[i - 1]
      dr = (i == 1) ? 0 : rss[i] - rss[i - 1]
      printf "| %s | %d | %+d | %d | %+d |\n", name[i], ctx[i], dc, rss[i], dr
      if (dc > limit || dr > limit) bad = 1
    }
    printf "\nLimit: 1 MB (%d bytes) of growth per lookup: %s\n", limit, bad ? "EXCEEDED" : "held"
    exit bad
  }' <<<"$OUT" | tee "$RESULT"
