#!/usr/bin/env bash
# shellcheck shell=bash
# Throwaway Citus cluster for tests: a coordinator and two workers, each a
# PostgreSQL 15 server of its own on localhost, in one `mktemp -d` directory.
# Source this file (it sources cluster.sh for its helpers), then:
#
#   mt_citus_available     # true when PG_CONFIG's tree has Citus (citus.so and citus.control)
#   mt_citus_start         # initdb + start the three servers, traps installed
#   mt_citus_sql NODE ...  # psql -X -q -A -t -v ON_ERROR_STOP=1 on node 0 (coordinator), 1 or 2
#   mt_citus_stop          # stop every server (pg_ctl -m fast) and delete the directory
#
# mt_citus_start installs EXIT/INT/TERM/HUP traps like mt_cluster_start, so the
# servers are stopped and the directory removed on error or Ctrl-C too (define
# `mt_cluster_exit_hook` to run code after that).  Every node gets
# shared_preload_libraries = 'citus,multitenant' (Citus must come first) and
# the same multitenant.signing_key and multitenant.master_key, as a deployment
# must give them: a token signed on one node is verified on another.
#
# After mt_citus_start these are exported:
#   MT_PGBIN                  PostgreSQL's bindir (from $PG_CONFIG --bindir)
#   MT_CITUS_DIR              the temp directory (node0/ node1/ node2/, logs, sockets)
#   MT_CITUS_PORTS            "coordinator worker1 worker2" TCP ports (free ones from MT_PORT_BASE)
#   MT_SIGNING_KEY, MT_MASTER_KEY   as cluster.sh makes them
#   PGHOST, PGPORT, PGUSER    the coordinator (its socket directory, port, superuser)
#
# Settings (environment, optional): PG_CONFIG, MT_PORT_BASE (default 54421),
# MT_CITUS_CONF (extra postgresql.conf lines for every node), MT_KEEP_CLUSTER=1.

# shellcheck source=cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

mt__citus_dir=

mt_citus_available() {
  local pg_config=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
  [[ -f $("$pg_config" --pkglibdir)/citus.so && -f $("$pg_config" --sharedir)/extension/citus.control ]]
}

mt__citus_on_exit() {
  local status=$?
  mt_citus_stop >/dev/null 2>&1 || true
  if declare -F mt_cluster_exit_hook >/dev/null; then
    mt_cluster_exit_hook "$status" || true
  fi
  exit "$status"
}

mt_citus_start() {
  if [[ -n $mt__citus_dir && -d $mt__citus_dir ]]; then
    echo "citus cluster: already running in $mt__citus_dir" >&2
    return 1
  fi
  local pg_config=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
  MT_PGBIN=$("$pg_config" --bindir)
  export MT_PGBIN
  local superuser
  if [[ $(id -u) -eq 0 ]]; then
    superuser=postgres
  else
    superuser=$(id -un)
  fi

  trap mt__citus_on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP

  MT_CITUS_DIR=$(mktemp -d /tmp/mt-citus.XXXXXX)
  export MT_CITUS_DIR
  mt__citus_dir=$MT_CITUS_DIR
  # mt_as_server_user runs in $MT_CLUSTER_DIR (or /).
  export MT_CLUSTER_DIR=$MT_CITUS_DIR
  if [[ $(id -u) -eq 0 ]]; then
    chmod 755 "$MT_CITUS_DIR"
    chown postgres: "$MT_CITUS_DIR"
  fi

  MT_SIGNING_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  MT_MASTER_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  export MT_SIGNING_KEY MT_MASTER_KEY

  local node port=${MT_PORT_BASE:-54421} ports=() data attempt
  for node in 0 1 2; do
    data=$MT_CITUS_DIR/node$node
    if ! mt_as_server_user "$MT_PGBIN/initdb" -D "$data" -U "$superuser" \
        --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync --no-instructions \
        >"$MT_CITUS_DIR/initdb$node.log" 2>&1; then
      cat "$MT_CITUS_DIR/initdb$node.log" >&2
      echo "citus cluster: initdb of node $node failed" >&2
      return 1
    fi
    for attempt in 1 2 3 4 5; do
      port=$(mt__free_port "$port") || return 1
      mt_as_server_user tee -a "$data/postgresql.conf" >/dev/null <<CONF

# ---- test/harness/citus_cluster.sh (node $node, attempt $attempt) ----
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$MT_CITUS_DIR'
max_connections = 60
max_prepared_transactions = 60
shared_buffers = 32MB
log_min_messages = warning
shared_preload_libraries = 'citus,multitenant'
multitenant.signing_key = '$MT_SIGNING_KEY'
multitenant.master_key = '$MT_MASTER_KEY'
${MT_CITUS_CONF:-}
CONF
      if mt_as_server_user "$MT_PGBIN/pg_ctl" -D "$data" -l "$MT_CITUS_DIR/server$node.log" \
          -w -t 60 -s start >/dev/null 2>&1; then
        break
      fi
      if grep -q 'could not bind\|could not create any TCP/IP sockets\|lock file' "$MT_CITUS_DIR/server$node.log" 2>/dev/null \
          && ((attempt < 5)); then
        port=$((port + 1))
        continue
      fi
      echo "citus cluster: node $node failed to start; server log:" >&2
      cat "$MT_CITUS_DIR/server$node.log" >&2 2>/dev/null || true
      return 1
    done
    ports+=("$port")
    port=$((port + 1))
  done
  MT_CITUS_PORTS="${ports[*]}"
  export MT_CITUS_PORTS
  unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE PGSSLMODE PGREQUIRESSL PGOPTIONS
  export PGHOST=$MT_CITUS_DIR PGPORT=${ports[0]} PGUSER=$superuser PGDATABASE=postgres
  echo "citus cluster: coordinator on port ${ports[0]}, workers on ${ports[1]} and ${ports[2]}"
}

# mt_citus_sql NODE [psql arguments]: statements on stdin or -c, values out.
mt_citus_sql() {
  local node=$1 ports
  shift
  read -ra ports <<<"$MT_CITUS_PORTS"
  "$MT_PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$MT_CITUS_DIR" -p "${ports[$node]}" "$@"
}

mt_citus_stop() {
  local dir=$mt__citus_dir node pid
  [[ -n $dir && -d $dir ]] || return 0
  for node in 0 1 2; do
    [[ -f $dir/node$node/postmaster.pid ]] || continue
    if ! mt_as_server_user "$MT_PGBIN/pg_ctl" -D "$dir/node$node" -m fast -w -t 60 -s stop >/dev/null 2>&1; then
      mt_as_server_user "$MT_PGBIN/pg_ctl" -D "$dir/node$node" -m immediate -w -t 30 -s stop >/dev/null 2>&1 || true
    fi
    if [[ -f $dir/node$node/postmaster.pid ]]; then
      pid=$(head -n1 "$dir/node$node/postmaster.pid" 2>/dev/null || true)
      if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        sleep 1
      fi
    fi
  done
  if [[ ${MT_KEEP_CLUSTER:-0} == 1 ]]; then
    echo "citus cluster: kept $dir" >&2
  else
    rm -rf -- "$dir"
  fi
  mt__citus_dir=
  unset MT_CITUS_DIR MT_CLUSTER_DIR
}
