#!/usr/bin/env bash
# `make demo`: deps, build, install, throwaway cluster, run test/demo.sql with
# psql echoing every statement, then stop and remove the cluster.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

# shellcheck source=test/harness/cluster.sh
source test/harness/cluster.sh

bash test/harness/deps.sh
make --no-print-directory -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
if [[ $(id -u) -eq 0 ]]; then
  make --no-print-directory -s PG_CONFIG="$PG_CONFIG" install
else
  sudo make --no-print-directory -s PG_CONFIG="$PG_CONFIG" install
fi

mt_cluster_start
echo
"$MT_PGBIN/psql" -X -v ON_ERROR_STOP=1 -e -f test/demo.sql
mt_cluster_stop
