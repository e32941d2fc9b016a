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
#  * python3-jwt, python3-cryptography: test/deploy/jose_interop.sh checks the
#    JWS session tokens with a JOSE implementation independent of libcjose.
#  * Citus (test/deploy/citus.sh) is no Debian package: when a Citus build is
#    available as a tarball (MT_CITUS_TARBALL, default
#    ../shared/citus/citus-13.2.2-pg15-amd64.tar.gz next to the repository),
#    it is extracted into the PostgreSQL tree that PG_CONFIG names, with its
#    runtime libraries from Debian.  No tarball and no Citus: nothing is
#    installed and the suite reports itself skipped.  Users install Citus from
#    Citus Data's own packages (docs/citus.md).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
pg_config=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
citus_tarball=${MT_CITUS_TARBALL:-$repo/../shared/citus/citus-13.2.2-pg15-amd64.tar.gz}
citus_packages=(libcurl4 libpq5 libzstd1 liblz4-1)

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
  python3-jwt
  python3-cryptography
  pgbouncer
  postgresql-15-cron
)

is_installed() {
  dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

citus_installed() {
  [[ -x $pg_config ]] || return 1
  [[ -f $("$pg_config" --pkglibdir)/citus.so && -f $("$pg_config" --sharedir)/extension/citus.control ]]
}

# Citus is wanted when its build is at hand and the PostgreSQL tree has none.
want_citus=0
if [[ -f $citus_tarball ]] && ! citus_installed; then
  want_citus=1
  packages+=("${citus_packages[@]}")
fi

missing=()
for pkg in "${packages[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0 && want_citus == 0)); then
  echo "deps: all ${#packages[@]} packages already installed"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "deps: missing packages (${missing[*]}) or Citus and not root and no sudo" >&2
  exit 1
fi

# install_citus: the tarball holds usr/lib/postgresql/15/lib (citus*.so, the
# decoders) and usr/share/postgresql/15/extension; they go to the library
# and extension directories of the tree PG_CONFIG names (/usr or a private
# copy), not necessarily to the paths inside the tarball.
install_citus() {
  local tmp pkglibdir extdir
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf -- '$tmp'" RETURN
  tar xzf "$citus_tarball" -C "$tmp"
  [[ -f $tmp/usr/lib/postgresql/15/lib/citus.so ]] || {
    echo "deps: $citus_tarball holds no usr/lib/postgresql/15/lib/citus.so" >&2
    return 1
  }
  pkglibdir=$("$pg_config" --pkglibdir)
  extdir=$("$pg_config" --sharedir)/extension
  "${as_root[@]}" cp -R "$tmp"/usr/lib/postgresql/15/lib/. "$pkglibdir"/
  "${as_root[@]}" cp "$tmp"/usr/share/postgresql/15/extension/citus* "$extdir"/
  echo "deps: Citus installed from $citus_tarball into $pkglibdir"
}

if ((${#missing[@]} == 0)); then
  install_citus
  exit 0
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
((want_citus == 0)) || install_citus
echo "deps: done"
