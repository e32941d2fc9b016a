#!/usr/bin/env bash
# Tenant isolation through PgBouncer in transaction mode, as a deployment runs
# it: an application LOGIN role (granted multitenant_app, never a superuser
# that SET ROLEs) connects through the pooler, each client is a separate psql
# process, and with default_pool_size = 1 consecutive clients share one server
# connection, which every case proves with pg_backend_pid().
#
# Usage, from the repository root, with the extension built and installed for
# that PostgreSQL:
#
#   PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config bash test/deploy/pgbouncer.sh
#
# Output: TAP ("ok N - ...", "not ok N - ...", "# ..." diagnostics, the plan
# "1..N" last).  Exit status 0 when every check passed, 1 when one failed, 2
# when the set-up failed.  Needs the pgbouncer binary (test/harness/deps.sh).
# Starts its own throwaway cluster (test/harness/cluster.sh) and its own
# PgBouncer on 127.0.0.1 on a free port (as the `postgres` system user when run
# as root: PgBouncer refuses to run as root), and stops and removes both on
# exit, on failure and on Ctrl-C.  MT_KEEP_CLUSTER=1 keeps the cluster
# directory, which then also holds pgbouncer/ (config and log) and clients/
# (each client's stdin, stdout and stderr).
#
# The cluster uses trust authentication, so PgBouncer does too (auth_type =
# trust, with the two user names in its auth_file); its server connections go
# to the cluster over 127.0.0.1.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../harness/cluster.sh
source "$here/../harness/cluster.sh"

APP=mt_pool_app
POOL_DB=mtpool

if ! command -v pgbouncer >/dev/null 2>&1; then
  echo "Bail out! pgbouncer is not installed (bash test/harness/deps.sh installs it)"
  exit 2
fi

# ---------------------------------------------------------------- TAP output
tap_n=0
tap_failed=0

tap_result() { # status description [diagnostic lines...]
  local status=$1 desc=$2
  shift 2
  tap_n=$((tap_n + 1))
  if ((status == 0)); then
    echo "ok $tap_n - $desc"
  else
    tap_failed=$((tap_failed + 1))
    echo "not ok $tap_n - $desc"
    local arg line
    for arg in "$@"; do
      while IFS= read -r line; do
        printf '#   %s\n' "$line"
      done <<<"$arg"
    done
  fi
}

is() { # got want description
  [[ $1 == "$2" ]]
  tap_result $? "$3" "got:  '$1'" "want: '$2'"
}

# An error check: the SQLSTATE and the start of the message of the statement
# a client printed under a tag (sql_try, sql_rows, sql_tenant).
is_error() { # client tag sqlstate message_prefix description
  local state msg
  state=$(field "$1" "$2_state")
  msg=$(field "$1" "$2_msg")
  local status=0
  [[ $state == "$3" && $msg == "$4"* ]] || status=1
  # After a statement that succeeded, psql's LAST_ERROR_MESSAGE is an older one.
  [[ $state == 00000 ]] && msg=
  tap_result "$status" "$5" "got:  $state '$msg'" "want: $3 '$4...'"
}

bail() {
  echo "Bail out! $*"
  exit 2
}

# ------------------------------------------------------------------- clients
# A client is one psql process: through PgBouncer as the application role
# (`client NAME`) or straight to the server as the superuser (`admin_psql`).
# Its SQL comes on stdin; it tags what it prints ("key=value" lines), and
# `field NAME key` reads a value back.  Every client gets the two tokens as
# the psql variables tok_a and tok_b.
clients_dir=
client() { # name <sql
  local name=$1
  cat >"$clients_dir/$name.sql"
  "$MT_PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=0 -h 127.0.0.1 -p "$bouncer_port" -U "$APP" -d "$POOL_DB" \
    -v tok_a="$tok_a" -v tok_b="$tok_b" \
    -f "$clients_dir/$name.sql" >"$clients_dir/$name.out" 2>"$clients_dir/$name.err"
  local rc=$?
  if ((rc != 0)); then
    echo "# client $name: psql exited with $rc: $(head -c 500 "$clients_dir/$name.err")"
  fi
}

field() { # name key: the value of the first "key=" line, or "<absent>"
  local line
  line=$(grep -m1 "^$2=" "$clients_dir/$1.out" 2>/dev/null) || { echo "<absent>"; return; }
  echo "${line#"$2="}"
}

admin_psql() {
  "$MT_PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

# SQL snippets the clients print with.  Rows are "instance/id" of the orgs
# the client can see, sorted; a failed query prints no "tag=" line at all, so
# "<absent>" and "" (no rows) stay apart.
sql_pid() { echo "SELECT 'pid=' || pg_catalog.pg_backend_pid();"; }
sql_rows() { # tag
  cat <<SQL
SELECT '$1=' || coalesce(string_agg(instance_id || '/' || id, ',' ORDER BY instance_id, id), '')
  FROM multitenant.orgs_projection;
\\echo $1_state=:SQLSTATE
\\echo $1_msg=:LAST_ERROR_MESSAGE
SQL
}
sql_tenant() { # tag
  cat <<SQL
SELECT '$1=' || coalesce(multitenant.current_tenant(), '<null>');
\\echo $1_state=:SQLSTATE
\\echo $1_msg=:LAST_ERROR_MESSAGE
SQL
}
# A statement followed by its SQLSTATE and message.
sql_try() { # tag statement
  cat <<SQL
$2
\\echo $1_state=:SQLSTATE
\\echo $1_msg=:LAST_ERROR_MESSAGE
SQL
}
# What a client can read of the tenant setting: SHOW, current_setting and
# the whole pg_settings row.
sql_setting() { # tag
  cat <<SQL
\\echo -n $1_show=
SHOW multitenant.tenant;
\\if :ERROR
\\echo
\\endif
SELECT '$1_cs=' || pg_catalog.current_setting('multitenant.tenant');
SELECT '$1_pgs=' || s.setting
  FROM pg_catalog.pg_settings s WHERE s.name OPERATOR(pg_catalog.=) 'multitenant.tenant';
SELECT '$1_row=' || s::text
  FROM pg_catalog.pg_settings s WHERE s.name OPERATOR(pg_catalog.=) 'multitenant.tenant';
SQL
}
sql_show_session_tenant() {
  cat <<'SQL'
\echo -n session_tenant=
SHOW multitenant.session_tenant;
\if :ERROR
\echo
\endif
SQL
}

# --------------------------------------------------------------- PgBouncer
bouncer_dir=
bouncer_port=
bouncer_job=

# PgBouncer's pid: the job itself, or (as root) the child of its runuser.
bouncer_process() {
  local pid=$bouncer_job
  [[ -n $pid ]] || return 1
  if [[ $(id -u) -eq 0 ]]; then
    pid=$(ps -o pid= --ppid "$bouncer_job" 2>/dev/null | tr -d ' ' | head -n1)
  fi
  [[ $pid =~ ^[0-9]+$ && $(cat "/proc/$pid/comm" 2>/dev/null) == pgbouncer ]] || return 1
  echo "$pid"
}

stop_bouncer() {
  [[ -n $bouncer_job ]] || return 0
  local pid
  # PgBouncer itself, so that runuser reaps it and exits on its own (a
  # signalled runuser leaves its child for init to reap).
  if pid=$(bouncer_process); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      [[ $(cat "/proc/$pid/comm" 2>/dev/null) == pgbouncer ]] || break
      sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
  else
    kill -TERM "$bouncer_job" 2>/dev/null || true
  fi
  wait "$bouncer_job" 2>/dev/null || true
  bouncer_job=
}

# cluster.sh stops the cluster on exit, then calls this.
mt_cluster_exit_hook() {
  stop_bouncer
}

start_bouncer() {
  bouncer_dir=$MT_CLUSTER_DIR/pgbouncer
  mkdir -p "$bouncer_dir"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$bouncer_dir"
  printf '"%s" ""\n"%s" ""\n' "$APP" "$PGUSER" >"$bouncer_dir/userlist.txt"
  local attempt port=$((PGPORT + 1))
  for attempt in 1 2 3 4 5; do
    port=$(mt__free_port "$port") || return 1   # cluster.sh's port search
    # server_reset_query_always = 0 is the default, spelt out: in transaction
    # mode PgBouncer resets nothing between clients, so whatever session state
    # a client leaves on the server connection, the next client inherits.
    cat >"$bouncer_dir/pgbouncer.ini" <<INI
[databases]
$POOL_DB = host=127.0.0.1 port=$PGPORT dbname=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $bouncer_dir/userlist.txt
admin_users = $PGUSER
pool_mode = transaction
default_pool_size = 1
min_pool_size = 0
reserve_pool_size = 0
server_reset_query_always = 0
logfile = $bouncer_dir/pgbouncer.log
INI
    # In the foreground, as a child of this shell (a daemon, -d, would leave
    # its exited parent for init to reap); exec'd, so that $! is PgBouncer or
    # the runuser that runs it.
    rm -f "$bouncer_dir/pgbouncer.log"
    local as_postgres=()
    [[ $(id -u) -eq 0 ]] && as_postgres=(runuser -u postgres --)
    (cd "$bouncer_dir" && exec "${as_postgres[@]}" pgbouncer -q "$bouncer_dir/pgbouncer.ini") \
      >>"$bouncer_dir/pgbouncer.out" 2>&1 </dev/null &
    bouncer_job=$!
    for _ in $(seq 1 50); do
      kill -0 "$bouncer_job" 2>/dev/null || break   # exited: it could not start
      # Its own log first: whatever else listens on the port must not be
      # mistaken for it.
      if grep -q "listening on 127.0.0.1:$port\$" "$bouncer_dir/pgbouncer.log" 2>/dev/null &&
          PGCONNECT_TIMEOUT=5 "$MT_PGBIN/psql" -X -q -A -t -h 127.0.0.1 -p "$port" -U "$PGUSER" \
            -d pgbouncer -c 'SHOW VERSION' >/dev/null 2>&1; then
        bouncer_port=$port
        return 0
      fi
      sleep 0.1
    done
    stop_bouncer
    if grep -q 'Address already in use' "$bouncer_dir/pgbouncer.log" 2>/dev/null && ((attempt < 5)); then
      port=$((port + 1))   # lost a race for the port: try the next one
      continue
    fi
    cat "$bouncer_dir/pgbouncer.log" >&2 2>/dev/null || true
    return 1
  done
  return 1
}

# Drop the pool's server connection, so that the next client gets a new one,
# which reads the role's settings afresh (ALTER ROLE ... SET applies at
# connection start only) and starts with no session state.
fresh_server_connection() {
  admin_psql -h 127.0.0.1 -p "$bouncer_port" -U "$PGUSER" -d pgbouncer \
    -c "KILL $POOL_DB" -c "RESUME $POOL_DB" >/dev/null ||
    bail "PgBouncer did not KILL/RESUME $POOL_DB"
}

# postgresql.conf change + reload; waits until the pooled server connection
# reports the value (or gives up after 3 s, or at once when the server has no
# such setting: the checks that follow then say what they saw).
set_conf_session_tenant() { # on|off
  printf 'multitenant.session_tenant = %s\n' "$1" |
    mt_as_server_user tee -a "$MT_PGDATA/postgresql.conf" >/dev/null
  admin_psql -c 'SELECT pg_catalog.pg_reload_conf()' >/dev/null || bail "reload failed"
  for _ in $(seq 1 30); do
    client reload_probe <<<"$(sql_show_session_tenant)"
    case $(field reload_probe session_tenant) in
      "$1") return 0 ;;
      on | off) ;;          # not reloaded yet
      *) return 0 ;;        # no such setting: waiting would not help
    esac
    sleep 0.1
  done
}

# ------------------------------------------------------------------- set-up
start_epoch=$SECONDS
mt_cluster_start >/dev/null || bail "could not start a cluster"
clients_dir=$MT_CLUSTER_DIR/clients
mkdir -p "$clients_dir"

# Two tenants with orgs (org-1 in both, org-2 in tenant-b) and a user u1 in
# each, pushed by the superuser; the application role is a plain LOGIN role.
admin_psql >/dev/null <<SQL || bail "set-up SQL failed"
CREATE EXTENSION multitenant;
CREATE ROLE $APP LOGIN;
GRANT multitenant_app TO $APP;
SELECT count(*) FROM multitenant.push('org', 'org-1', 'org.added', '{"name": "Org A1"}', instance_id => 'tenant-a');
SELECT count(*) FROM multitenant.push('org', 'org-1', 'org.added', '{"name": "Org B1"}', instance_id => 'tenant-b');
SELECT count(*) FROM multitenant.push('org', 'org-2', 'org.added', '{"name": "Org B2"}', instance_id => 'tenant-b');
SELECT count(*) FROM multitenant.push('user', 'u1', 'user.human.added',
	'{"userName": "alice", "firstName": "A", "lastName": "A", "email": "a@x"}', resource_owner => 'org-1', instance_id => 'tenant-a');
SELECT count(*) FROM multitenant.push('user', 'u1', 'user.human.added',
	'{"userName": "bob", "firstName": "B", "lastName": "B", "email": "b@x"}', resource_owner => 'org-1', instance_id => 'tenant-b');
SQL
tok_a=$(admin_psql -c "SELECT multitenant.sign_tenant('tenant-a', '15 minutes')") || bail "sign_tenant failed"
tok_b=$(admin_psql -c "SELECT multitenant.sign_tenant('tenant-b', '15 minutes')") || bail "sign_tenant failed"
# The part of a token that only a token has: its signature.
sig_a=${tok_a##*.}
sig_b=${tok_b##*.}

start_bouncer || bail "could not start PgBouncer"

ROWS_A='tenant-a/org-1'
ROWS_B='tenant-b/org-1,tenant-b/org-2'

# ======================================================================
# 1. Default (multitenant.session_tenant = on, the 1.2 behaviour): a session
#    tenant outlives the client that set it.  PgBouncer hands the server
#    connection to the next client, which entered no tenant and still sees
#    the first client's rows.  This is the risk `off` removes; the case shows
#    that this set-up does expose it, so that case 2 proves something.
# ======================================================================
fresh_server_connection
client s1_a <<SQL
$(sql_pid)
SELECT multitenant.set_tenant('tenant-a');
SQL
client s1_b <<SQL
$(sql_pid)
$(sql_tenant tenant)
$(sql_rows rows)
SQL
[[ $(field s1_a pid) =~ ^[0-9]+$ && $(field s1_a pid) == "$(field s1_b pid)" ]]
tap_result $? "1: two clients through PgBouncer share one server connection" \
  "pids: $(field s1_a pid) $(field s1_b pid)"
is "$(field s1_b tenant)" tenant-a "1: on: a client that entered no tenant is in the previous client's tenant"
is "$(field s1_b rows)" "$ROWS_A" "1: on: ... and reads that tenant's rows"

# ======================================================================
# 2a. multitenant.session_tenant = off in postgresql.conf, reloaded while the
#     pooled server connection stays open.  A session-wide set_tenant is
#     refused and sets nothing; a raw SET that would outlast its transaction
#     does not enter a tenant for the next client: its query on a tenant table
#     fails (55000) and returns nothing, while a tenant entered for a
#     transaction still works.
# ======================================================================
fresh_server_connection
client s2a_0 <<<"$(sql_pid)"
set_conf_session_tenant off
client s2a_a <<SQL
$(sql_pid)
$(sql_show_session_tenant)
$(sql_try set "SELECT multitenant.set_tenant('tenant-a');")
$(sql_try set_tok "SELECT multitenant.set_tenant('tenant-a', :'tok_a');")
SQL
client s2a_b <<SQL
$(sql_pid)
$(sql_tenant tenant)
$(sql_rows rows)
SQL
client s2a_c <<SQL
$(sql_pid)
SET multitenant.tenant = 'tenant-a';
SQL
client s2a_d <<SQL
$(sql_pid)
$(sql_rows rows)
$(sql_tenant tenant)
BEGIN;
SELECT multitenant.set_tenant('tenant-b', is_local => true);
$(sql_rows own)
COMMIT;
SQL
pids="$(field s2a_0 pid) $(field s2a_a pid) $(field s2a_b pid) $(field s2a_c pid) $(field s2a_d pid)"
[[ $(field s2a_0 pid) =~ ^[0-9]+$ && $(tr ' ' '\n' <<<"$pids" | sort -u | wc -l) -eq 1 ]]
tap_result $? "2a: every client, before and after the reload, used one server connection" "pids: $pids"
is "$(field s2a_a session_tenant)" off "2a: off: the reload reached the pooled server connection"
is_error s2a_a set 55000 'session-wide tenants are disabled' "2a: off: set_tenant(t) is refused"
is_error s2a_a set_tok 55000 'session-wide tenants are disabled' "2a: off: set_tenant(t, token) is refused"
is "$(field s2a_b tenant)" '<null>' "2a: off: the refused set_tenant left no tenant for the next client"
is "$(field s2a_b rows)" "" "2a: off: ... which sees no rows"
is_error s2a_d rows 55000 'multitenant.tenant is set for the whole session' \
  "2a: off: after a client's raw SET, the next client's query on a tenant table fails"
is "$(field s2a_d rows)" '<absent>' "2a: off: ... and returns no rows"
is_error s2a_d tenant 55000 'multitenant.tenant is set for the whole session' \
  "2a: off: ... and current_tenant() fails too"
is "$(field s2a_d own)" "$ROWS_B" "2a: off: that client, entering its own tenant for a transaction, sees only its rows"
set_conf_session_tenant on

# ======================================================================
# 2b. The same, set per role by the operator: ALTER ROLE app SET
#     multitenant.session_tenant = off (a superuser-only setting, which the
#     application role cannot undo), with the leak made by set_config(..., false).
# ======================================================================
admin_psql -c "ALTER ROLE $APP SET multitenant.session_tenant = off" >/dev/null 2>"$clients_dir/s2b_alter.err"
tap_result $? "2b: ALTER ROLE ... SET multitenant.session_tenant = off is accepted" \
  "$(head -c 300 "$clients_dir/s2b_alter.err")"
fresh_server_connection
client s2b_a <<SQL
$(sql_pid)
$(sql_show_session_tenant)
$(sql_try set_on "SET multitenant.session_tenant = on;")
$(sql_try set "SELECT multitenant.set_tenant('tenant-a');")
SELECT pg_catalog.set_config('multitenant.tenant', 'tenant-a', false) IS NOT NULL;
SQL
client s2b_b <<SQL
$(sql_pid)
$(sql_rows rows)
BEGIN;
SET LOCAL multitenant.tenant = 'tenant-b';
$(sql_rows own)
COMMIT;
SQL
[[ $(field s2b_a pid) =~ ^[0-9]+$ && $(field s2b_a pid) == "$(field s2b_b pid)" && $(field s2b_a pid) != "$(field s2a_d pid)" ]]
tap_result $? "2b: a new server connection, shared by both clients" \
  "pids: before $(field s2a_d pid), now $(field s2b_a pid) $(field s2b_b pid)"
is "$(field s2b_a session_tenant)" off "2b: per role: the application's session has session_tenant = off"
is_error s2b_a set_on 42501 'permission denied to set parameter' "2b: per role: the application role cannot turn it back on"
is_error s2b_a set 55000 'session-wide tenants are disabled' "2b: per role: set_tenant(t) is refused"
is_error s2b_b rows 55000 'multitenant.tenant is set for the whole session' \
  "2b: per role: after a client's set_config(..., false), the next client's query fails"
is "$(field s2b_b rows)" '<absent>' "2b: per role: ... and returns no rows"
is "$(field s2b_b own)" "$ROWS_B" "2b: per role: SET LOCAL in a transaction sees only its own tenant's rows"
admin_psql -c "ALTER ROLE $APP RESET ALL" >/dev/null

# ======================================================================
# 3. Transaction-scoped entry (set_tenant with is_local, SET LOCAL, a lookup's
#    tenant_token) works through the pooler with session tenants off, and
#    leaves nothing on the server connection: the next client has no tenant
#    and sees no rows.
# ======================================================================
set_conf_session_tenant off
fresh_server_connection
client s3_a1 <<SQL
$(sql_pid)
BEGIN;
SELECT multitenant.set_tenant('tenant-a', is_local => true);
$(sql_rows rows)
COMMIT;
SQL
client s3_b1 <<SQL
$(sql_pid)
$(sql_tenant tenant)
$(sql_rows rows)
SQL
client s3_a2 <<SQL
$(sql_pid)
BEGIN;
SET LOCAL multitenant.tenant = 'tenant-b';
$(sql_rows rows)
COMMIT;
SQL
client s3_b2 <<SQL
$(sql_pid)
$(sql_tenant tenant)
$(sql_rows rows)
SQL
client s3_a3 <<SQL
$(sql_pid)
SELECT 'user=' || instance_id || '/' || id FROM multitenant.user_by_id('u1', tenant_token => :'tok_a');
\\echo user_state=:SQLSTATE
\\echo user_msg=:LAST_ERROR_MESSAGE
SQL
client s3_b3 <<SQL
$(sql_pid)
$(sql_tenant tenant)
$(sql_rows rows)
SELECT 'users=' || count(*) FROM multitenant.users_projection;
SQL
pids="$(for c in s3_a1 s3_b1 s3_a2 s3_b2 s3_a3 s3_b3; do field $c pid; done | tr '\n' ' ')"
[[ $(field s3_a1 pid) =~ ^[0-9]+$ && $(tr ' ' '\n' <<<"${pids% }" | sort -u | wc -l) -eq 1 ]]
tap_result $? "3: all six clients used one server connection" "pids: $pids"
is "$(field s3_a1 rows)" "$ROWS_A" "3: set_tenant(t, is_local => true) in a transaction sees its tenant"
is "$(field s3_b1 tenant)|$(field s3_b1 rows)" '<null>|' "3: ... and the next client has no tenant and no rows"
is "$(field s3_a2 rows)" "$ROWS_B" "3: SET LOCAL in a transaction sees its tenant"
is "$(field s3_b2 tenant)|$(field s3_b2 rows)" '<null>|' "3: ... and the next client has no tenant and no rows"
is "$(field s3_a3 user)" 'tenant-a/u1' "3: a lookup with tenant_token, one statement, finds its tenant's user"
is "$(field s3_b3 tenant)|$(field s3_b3 rows)|$(field s3_b3 users)" '<null>||0' \
  "3: ... and the next client has no tenant, no orgs and no users"
set_conf_session_tenant on

# ======================================================================
# 4. Signed mode (require_signed_context = on for the application role):
#    the token is a credential, and the setting never shows it.  Neither the
#    client that presented it nor the next client on that server connection
#    can read it back through SHOW, current_setting() or pg_settings; they see
#    the verified tenant id.  The application cannot mint tokens itself.
# ======================================================================
admin_psql -c "ALTER ROLE $APP SET multitenant.require_signed_context = on" >/dev/null
fresh_server_connection
client s4_a <<SQL
$(sql_pid)
$(sql_try set "SELECT multitenant.set_tenant('tenant-a', :'tok_a');")
$(sql_rows rows)
$(sql_setting a)
$(sql_try sign "SELECT multitenant.sign_tenant('tenant-a');")
SELECT 'can_sign=' || pg_catalog.has_function_privilege('multitenant.sign_tenant(text, interval, text)', 'EXECUTE');
SQL
client s4_b <<SQL
$(sql_pid)
$(sql_setting b)
SQL
[[ $(field s4_a pid) =~ ^[0-9]+$ && $(field s4_a pid) == "$(field s4_b pid)" ]]
tap_result $? "4: both clients used one server connection" "pids: $(field s4_a pid) $(field s4_b pid)"
is "$(field s4_a set_state)|$(field s4_a rows)" "00000|$ROWS_A" "4: signed: set_tenant with a token enters its tenant"
! grep -q -e "$sig_a" -e "$sig_b" "$clients_dir/s4_a.out"
tap_result $? "4: signed: the client that presented the token cannot read it back" \
  "$(grep -e "$sig_a" "$clients_dir/s4_a.out" | head -3)"
is "$(field s4_a a_show)|$(field s4_a a_cs)|$(field s4_a a_pgs)" 'tenant-a|tenant-a|tenant-a' \
  "4: signed: SHOW, current_setting and pg_settings show the verified tenant id"
! grep -q -e "$sig_a" -e "$sig_b" "$clients_dir/s4_b.out"
tap_result $? "4: signed: the next client cannot read the token either" \
  "$(grep -e "$sig_a" "$clients_dir/s4_b.out" | head -3)"
v="$(field s4_b b_show)|$(field s4_b b_cs)|$(field s4_b b_pgs)"
[[ $v == 'tenant-a|tenant-a|tenant-a' || $v == '||' ]]
tap_result $? "4: signed: ... it sees the verified tenant id or nothing" "got: '$v'"
is_error s4_a sign 42501 'permission denied for function sign_tenant' "4: signed: the application role cannot call sign_tenant"
is "$(field s4_a can_sign)" false "4: signed: ... nor has EXECUTE on it"

# The one-round-trip entry: a lookup's tenant_token in signed mode.
fresh_server_connection
client s4_c <<SQL
$(sql_pid)
BEGIN;
SELECT 'user=' || instance_id || '/' || id FROM multitenant.user_by_id('u1', tenant_token => :'tok_b');
$(sql_setting c)
COMMIT;
SQL
client s4_d <<SQL
$(sql_pid)
$(sql_setting d)
$(sql_tenant tenant)
SQL
[[ $(field s4_c pid) =~ ^[0-9]+$ && $(field s4_c pid) == "$(field s4_d pid)" ]]
tap_result $? "4: both lookup clients used one server connection" "pids: $(field s4_c pid) $(field s4_d pid)"
is "$(field s4_c user)" 'tenant-b/u1' "4: signed: a lookup with tenant_token finds its tenant's user"
! grep -q -e "$sig_a" -e "$sig_b" "$clients_dir/s4_c.out" "$clients_dir/s4_d.out"
tap_result $? "4: signed: after a tenant_token lookup, neither that client nor the next reads the token" \
  "$(grep -h -e "$sig_b" "$clients_dir/s4_c.out" "$clients_dir/s4_d.out" | head -3)"
is "$(field s4_c c_show)|$(field s4_c c_cs)|$(field s4_c c_pgs)" 'tenant-b|tenant-b|tenant-b' \
  "4: signed: inside the lookup's transaction the setting shows the verified tenant id"
is "$(field s4_d d_show)|$(field s4_d d_cs)|$(field s4_d d_pgs)|$(field s4_d tenant)" '|||<null>' \
  "4: signed: the next client finds the setting empty and no tenant"
admin_psql -c "ALTER ROLE $APP RESET ALL" >/dev/null

# ======================================================================
# 5. One tenant per transaction: once a transaction has entered a tenant, it
#    cannot enter another one (25000), whichever way it tries; re-entering
#    the same tenant is fine, and leaving does not open the way to another.
#    The refusal ends with the transaction: the next client on the same
#    server connection has no tenant and can enter any.
# ======================================================================
fresh_server_connection
client s5_a1 <<SQL
$(sql_pid)
BEGIN;
SELECT multitenant.set_tenant('tenant-a', is_local => true);
$(sql_rows first)
$(sql_try again "SELECT multitenant.set_tenant('tenant-a', is_local => true);")
$(sql_try switch "SELECT multitenant.set_tenant('tenant-b', is_local => true);")
$(sql_rows after)
ROLLBACK;
SQL
client s5_a2 <<SQL
$(sql_pid)
BEGIN;
SET LOCAL multitenant.tenant = 'tenant-a';
$(sql_rows first)
$(sql_try switch "SET LOCAL multitenant.tenant = 'tenant-b';")
$(sql_rows after)
ROLLBACK;
SQL
client s5_a3 <<SQL
$(sql_pid)
BEGIN;
SELECT multitenant.set_tenant('tenant-a', is_local => true);
$(sql_rows first)
$(sql_try leave "SET LOCAL multitenant.tenant = '';")
$(sql_try switch "SELECT multitenant.set_tenant('tenant-b', is_local => true);")
$(sql_rows after)
ROLLBACK;
SQL
client s5_a4 <<SQL
$(sql_pid)
BEGIN;
SELECT multitenant.set_tenant('tenant-a', is_local => true);
$(sql_try same "SELECT id FROM multitenant.user_by_id('u1', tenant_token => :'tok_a');")
$(sql_try other "SELECT 'user=' || instance_id || '/' || id FROM multitenant.user_by_id('u1', tenant_token => :'tok_b');")
ROLLBACK;
SQL
client s5_b <<SQL
$(sql_pid)
$(sql_tenant tenant)
$(sql_rows rows)
BEGIN;
SELECT multitenant.set_tenant('tenant-b', is_local => true);
$(sql_rows own)
COMMIT;
SQL
pids="$(for c in s5_a1 s5_a2 s5_a3 s5_a4 s5_b; do field $c pid; done | tr '\n' ' ')"
[[ $(field s5_a1 pid) =~ ^[0-9]+$ && $(tr ' ' '\n' <<<"${pids% }" | sort -u | wc -l) -eq 1 ]]
tap_result $? "5: all five clients used one server connection" "pids: $pids"
is "$(field s5_a1 first)|$(field s5_a1 again_state)" "$ROWS_A|00000" "5: entering the same tenant again in a transaction is fine"
is_error s5_a1 switch 25000 'cannot enter tenant "tenant-b": this transaction already entered tenant "tenant-a"' \
  "5: set_tenant into another tenant in the same transaction is refused"
is "$(field s5_a1 after)" '<absent>' "5: ... and the transaction reads none of the other tenant's rows"
# SET LOCAL may be refused when it is run or when the tenant is next read.
s=$(field s5_a2 switch_state)
[[ $(field s5_a2 first) == "$ROWS_A" && $(field s5_a2 after) == '<absent>' &&
   ($s == 25000 || ($s == 00000 && $(field s5_a2 after_state) == 25000)) ]]
tap_result $? "5: SET LOCAL into another tenant in the same transaction is refused" \
  "first: '$(field s5_a2 first)', SET LOCAL: $s '$(field s5_a2 switch_msg)'" \
  "after: '$(field s5_a2 after)' $(field s5_a2 after_state) '$(field s5_a2 after_msg)'"
is "$(field s5_a3 first)|$(field s5_a3 leave_state)" "$ROWS_A|00000" "5: leaving the tenant inside the transaction is allowed"
is_error s5_a3 switch 25000 'cannot enter tenant "tenant-b": this transaction already entered tenant "tenant-a"' \
  "5: ... but does not allow entering another tenant before the transaction ends"
is "$(field s5_a3 after)" '<absent>' "5: ... and the transaction reads none of the other tenant's rows"
is "$(field s5_a4 same_state)" 00000 "5: a lookup's tenant_token naming the current tenant is accepted"
is_error s5_a4 other 25000 'cannot enter tenant "tenant-b" with a tenant token: tenant "tenant-a" is already entered' \
  "5: a lookup's tenant_token naming another tenant is refused"
is "$(field s5_a4 user)" '<absent>' "5: ... and returns nothing of that tenant"
is "$(field s5_b tenant)|$(field s5_b rows)|$(field s5_b own)" "<null>||$ROWS_B" \
  "5: the next client is unaffected: no tenant, no rows, and it can enter another tenant"

echo "1..$tap_n"
echo "# $((tap_n - tap_failed)) passed, $tap_failed failed, $((SECONDS - start_epoch)) s"
((tap_failed == 0))
