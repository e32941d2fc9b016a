#!/usr/bin/env bash
# Install the Debian 12 packages needed to build and test multitenant.
# Idempotent: does nothing (and needs no privileges) when everything is present;
# otherwise runs `apt-get update` once and installs only what is missing.
#
# Notes:
#  * postgresql-contrib-15 is not a real package in Debian 12: it is a virtual
#    package Provided by postgresql-15, which ships the contrib modules and
#    /usr/lib/postgresql/15/bin/pgbench (`dpkg -S` says: postgresql-15).
#  * pg_prove comes from libtap-parser-sourcehandler-pgtap-perl.
#  * pgbouncer: test/deploy/pgbouncer.sh runs the isolation checks through a
#    transaction-mode pooler.
#  * postgresql-15-cron: test/deploy/pg_cron.sh schedules the join request
#    sweep (multitenant.expire_join_requests) with pg_cron.
#  * libyaml-dev: multitenant.load_realms reads the operator's realm file with libyaml.
#  * libcjose-dev: JWS and JWE session tokens (create_session, validate_session).
set -euo pipefail

packages=(
  build-essential
  postgresql-15
  postgresql-server-dev-15
  postgresql-15-pgtap
  libtap-parser-sourcehandler-pgtap-perl
  libpq-dev
  libssl-dev
  libyaml-dev
  libcjose-dev
  pgbouncer
  postgresql-15-cron
)

is_installed() {
  dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

missing=()
for pkg in "${packages[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "deps: all ${#packages[@]} packages already installed"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "deps: missing packages (${missing[*]}) and not root and no sudo" >&2
  exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"

# Check the result: a package that apt could not provide is an error here,
# not a confusing build failure later.
still=()
for pkg in "${missing[@]}"; do
  is_installed "$pkg" || still+=("$pkg")
done
if ((${#still[@]})); then
  echo "deps: still missing after install: ${still[*]}" >&2
  exit 1
fi
echo "deps: done"
