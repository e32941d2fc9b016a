#!/usr/bin/env bash
# shellcheck shell=bash
# Throwaway PostgreSQL 15 cluster for tests, demos and benchmarks.
# Source this file, then:
#
#   mt_cluster_start   # initdb + start in a fresh `mktemp -d` directory
#   ...                # psql, pg_regress, pg_prove, pgbench as the invoking user
#   mt_cluster_stop    # stop (pg_ctl -m fast) and delete the directory
#
# mt_cluster_start installs EXIT/INT/TERM/HUP traps, so the cluster is also
# stopped and removed on error or Ctrl-C.  (This replaces any EXIT trap the
# caller had; define a function `mt_cluster_exit_hook` to run code after the
# cleanup at exit.)
#
# After mt_cluster_start these are exported:
#   PGHOST          socket directory (the server also listens on 127.0.0.1:PGPORT)
#   PGPORT          TCP port, the first free one from 54321 upward
#   PGUSER          bootstrap superuser: `postgres` when run as root, else the invoking user
#   PGDATABASE      postgres
#   MT_PGBIN        /usr/lib/postgresql/15/bin (from $PG_CONFIG --bindir)
#   MT_CLUSTER_DIR  the temp directory (data dir, socket, server.log)
#   MT_PGDATA       $MT_CLUSTER_DIR/data
#   MT_SERVER_LOG   $MT_CLUSTER_DIR/server.log
#   MT_SIGNING_KEY  the 64-hex-char value of multitenant.signing_key in postgresql.conf
#   MT_MASTER_KEY   the 64-hex-char value of multitenant.master_key in postgresql.conf
#                   (32 random bytes, as `openssl rand -hex 32` makes them)
#   MT_EXAMPLE_LDAP_BIND_PASSWORD, MT_EXAMPLE_OAUTH2_CLIENT_SECRET
#                   random values in the server's environment too: the secrets
#                   examples/realms.yaml names as placeholders
#
# The server refuses to run as root: when the invoking user is root, the
# directory belongs to, and every server-side command (initdb, pg_ctl) runs as,
# the `postgres` system user.  Use `mt_as_server_user CMD...` for your own
# server-side commands, e.g. `mt_as_server_user "$MT_PGBIN/pg_ctl" -D "$MT_PGDATA" reload`.
#
# Settings (environment, optional):
#   PG_CONFIG            default /usr/lib/postgresql/15/bin/pg_config
#   MT_PORT_BASE         first port tried, default 54321
#   MT_CLUSTER_CONF      extra lines appended to postgresql.conf
#   MT_KEEP_CLUSTER=1    leave the directory in place after stopping (debugging)

# The cluster this shell started (not exported: a child shell that sources
# this file starts and stops its own cluster, never its parent's).
mt__dir=

# Run a server-side command as the user that owns the cluster.
mt_as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then
    # cd first: tools run as postgres warn when they cannot read the cwd.
    (cd "${MT_CLUSTER_DIR:-/}" && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

mt__port_in_use() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Hltn "sport = :$port" 2>/dev/null) ]]
  else
    (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

mt__free_port() {
  local port=$1
  while ((port < 65000)); do
    if ! mt__port_in_use "$port"; then
      echo "$port"
      return 0
    fi
    port=$((port + 1))
  done
  echo "cluster: no free TCP port found" >&2
  return 1
}

mt__on_exit() {
  local status=$?
  mt_cluster_stop >/dev/null 2>&1 || true
  if declare -F mt_cluster_exit_hook >/dev/null; then
    mt_cluster_exit_hook "$status" || true
  fi
  exit "$status"
}

mt__install_traps() {
  trap mt__on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
}

mt_cluster_start() {
  if [[ -n $mt__dir && -d $mt__dir ]]; then
    echo "cluster: already running in $mt__dir" >&2
    return 1
  fi
  local pg_config=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
  MT_PGBIN=$("$pg_config" --bindir)
  export MT_PGBIN

  local superuser
  if [[ $(id -u) -eq 0 ]]; then
    superuser=postgres
    if ! id postgres >/dev/null 2>&1; then
      echo "cluster: running as root but there is no 'postgres' user (is postgresql-15 installed?)" >&2
      return 1
    fi
  else
    superuser=$(id -un)
  fi

  # Traps first, so a failure from here on still removes the directory.
  mt__install_traps

  local base=${TMPDIR:-/tmp}
  MT_CLUSTER_DIR=$(mktemp -d "$base/mt-cluster.XXXXXX")
  export MT_CLUSTER_DIR
  mt__dir=$MT_CLUSTER_DIR
  if [[ $(id -u) -eq 0 ]]; then
    chmod 755 "$MT_CLUSTER_DIR"
    chown postgres: "$MT_CLUSTER_DIR"
    if ! runuser -u postgres -- test -w "$MT_CLUSTER_DIR"; then
      # $TMPDIR is not traversable by postgres: fall back to /tmp.
      rmdir "$MT_CLUSTER_DIR"
      MT_CLUSTER_DIR=$(mktemp -d /tmp/mt-cluster.XXXXXX)
      mt__dir=$MT_CLUSTER_DIR
      chmod 755 "$MT_CLUSTER_DIR"
      chown postgres: "$MT_CLUSTER_DIR"
    fi
  fi
  export MT_PGDATA=$MT_CLUSTER_DIR/data
  export MT_SERVER_LOG=$MT_CLUSTER_DIR/server.log

  # initdb --no-sync only skips initdb's own final fsync of the new files;
  # the running server keeps fsync=on and all other defaults.
  if ! mt_as_server_user "$MT_PGBIN/initdb" -D "$MT_PGDATA" -U "$superuser" \
      --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync --no-instructions \
      >"$MT_CLUSTER_DIR/initdb.log" 2>&1; then
    cat "$MT_CLUSTER_DIR/initdb.log" >&2
    echo "cluster: initdb failed" >&2
    return 1
  fi

  MT_SIGNING_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  export MT_SIGNING_KEY
  MT_MASTER_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  export MT_MASTER_KEY
  MT_EXAMPLE_LDAP_BIND_PASSWORD=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  MT_EXAMPLE_OAUTH2_CLIENT_SECRET=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  export MT_EXAMPLE_LDAP_BIND_PASSWORD MT_EXAMPLE_OAUTH2_CLIENT_SECRET

  local port=${MT_PORT_BASE:-54321} attempt
  for attempt in 1 2 3 4 5; do
    port=$(mt__free_port "$port") || return 1
    mt_as_server_user tee -a "$MT_PGDATA/postgresql.conf" >/dev/null <<CONF

# ---- test/harness/cluster.sh (attempt $attempt) ----
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$MT_CLUSTER_DIR'
max_connections = 50
log_min_messages = warning
shared_preload_libraries = 'multitenant'
multitenant.signing_key = '$MT_SIGNING_KEY'
multitenant.master_key = '$MT_MASTER_KEY'
${MT_CLUSTER_CONF:-}
CONF
    if mt_as_server_user env MT_EXAMPLE_LDAP_BIND_PASSWORD="$MT_EXAMPLE_LDAP_BIND_PASSWORD" \
        MT_EXAMPLE_OAUTH2_CLIENT_SECRET="$MT_EXAMPLE_OAUTH2_CLIENT_SECRET" \
        "$MT_PGBIN/pg_ctl" -D "$MT_PGDATA" -l "$MT_SERVER_LOG" -w -t 60 -s start >/dev/null 2>&1; then
      break
    fi
    if grep -q 'could not bind\|could not create any TCP/IP sockets' "$MT_SERVER_LOG" 2>/dev/null \
        && ((attempt < 5)); then
      port=$((port + 1))   # lost a race for the port: try the next one
      continue
    fi
    echo "cluster: server failed to start; server log:" >&2
    cat "$MT_SERVER_LOG" >&2 2>/dev/null || true
    return 1
  done

  # Only the variables below steer the clients; drop anything that would
  # send them elsewhere.
  unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE PGSSLMODE PGREQUIRESSL PGOPTIONS
  export PGHOST=$MT_CLUSTER_DIR PGPORT=$port PGUSER=$superuser PGDATABASE=postgres
  echo "cluster: $("$MT_PGBIN/postgres" -V) on port $PGPORT, socket $PGHOST, superuser $PGUSER"
}

mt_cluster_stop() {
  local dir=$mt__dir
  [[ -n $dir && -d $dir ]] || return 0
  if [[ -f $dir/data/postmaster.pid ]]; then
    if ! mt_as_server_user "$MT_PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 -s stop >/dev/null 2>&1; then
      mt_as_server_user "$MT_PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 -s stop >/dev/null 2>&1 || true
    fi
    # Last resort: the postmaster we started is still there.
    if [[ -f $dir/data/postmaster.pid ]]; then
      local pid
      pid=$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null || true)
      if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        sleep 1
      fi
    fi
  fi
  if [[ ${MT_KEEP_CLUSTER:-0} == 1 ]]; then
    echo "cluster: kept $dir" >&2
  else
    rm -rf -- "$dir"
  fi
  mt__dir=
  unset MT_CLUSTER_DIR MT_PGDATA MT_SERVER_LOG
}
