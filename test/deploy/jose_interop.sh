#!/usr/bin/env bash
# JWS session tokens checked outside the database, as a service that holds a
# tenant's public keys would check them: a session's ES256 token, made by
# create_session, verifies with PyJWT (python3-jwt, a JOSE implementation
# independent of libcjose) under the key set session_jwks publishes, with the
# claims the session has; a token that PyJWT signs with a key of its own
# under the tenant's kid is refused by validate_session; after the key is
# retired it is no longer in the published set.
#
# Usage, from the repository root, with the extension built and installed for
# that PostgreSQL:
#
#   PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config bash test/deploy/jose_interop.sh
#
# Output: TAP; exit status 0 when every check passed, 1 when one failed, 2
# when the set-up failed.  Needs /usr/bin/python3 with python3-jwt and
# python3-cryptography (test/harness/deps.sh).  Starts its own throwaway
# cluster (test/harness/cluster.sh) and removes it on exit; MT_KEEP_CLUSTER=1
# keeps it.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../harness/cluster.sh
source "$here/../harness/cluster.sh"
# shellcheck source=../harness/tap.sh
source "$here/../harness/tap.sh"

python=/usr/bin/python3
"$python" -c 'import jwt, cryptography' 2>/dev/null ||
  tap_bail "$python lacks jwt or cryptography (bash test/harness/deps.sh installs python3-jwt and python3-cryptography)"

DB=mtjose
sql() { # statements on stdin, one value per line out
  "$MT_PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" "$@"
}

start_epoch=$SECONDS
mt_cluster_start >/dev/null || tap_bail "could not start a cluster"
"$MT_PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB" || tap_bail "could not create $DB"

token=$(sql <<'SQL'
\o /dev/null
CREATE EXTENSION multitenant;
SELECT multitenant.create_tenant('jose-a', 'Tenant A');
SELECT multitenant.create_principal('user', 'ida@example.com', 'Ida', id => 'ida');
SELECT multitenant.verify_principal('ida');
SELECT multitenant.add_member('ida', 'owner', 'jose-a');
SELECT multitenant.create_realm('staff', 'username_password', '{}', 'jose-a');
\o
SELECT s.token FROM multitenant.create_session('ida', (SELECT r.id FROM multitenant.tenant_realms AS r WHERE r.name = 'staff'),
                                               format => 'jws', tenant => 'jose-a') AS s;
SQL
) || tap_bail "set-up failed"
jwks=$(sql -c "SELECT multitenant.session_jwks('jose-a')") || tap_bail "session_jwks failed"
expected=$(sql -c "SELECT jsonb_build_object('tid', s.instance_id, 'sub', s.principal_id, 'realm', s.realm_id, 'sid', s.id,
                                               'kind', s.kind, 'exp', floor(extract(epoch FROM s.expires_at))::bigint)
                     FROM multitenant.principal_sessions AS s") || tap_bail "reading the session failed"

# PyJWT: the key the token's kid names in the published set, ES256 only.
verified=$(TOKEN=$token JWKS=$jwks "$python" - <<'PY' 2>&1
import json, os, jwt
token, keys = os.environ["TOKEN"], jwt.PyJWKSet.from_dict(json.loads(os.environ["JWKS"]))
kid = jwt.get_unverified_header(token)["kid"]
key = next(k for k in keys.keys if k.key_id == kid)
claims = jwt.decode(token, key.key, algorithms=["ES256"], options={"require": ["exp", "iat", "sub"]})
print(json.dumps({k: claims[k] for k in ("tid", "sub", "realm", "sid", "kind", "exp")}, sort_keys=True))
PY
)
tap_is "$verified" "$("$python" -c 'import json, sys; print(json.dumps(json.loads(sys.argv[1]), sort_keys=True))' "$expected")" \
  "PyJWT verifies the session's ES256 token under session_jwks, and its claims are the session's"

tampered=$(TOKEN=$token "$python" - <<'PY' 2>&1
import json, os, jwt
from cryptography.hazmat.primitives.asymmetric import ec
token = os.environ["TOKEN"]
header, claims = jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})
claims["sub"] = "mallory"
print(jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers={"kid": header["kid"], "typ": "JWT"}))
PY
)
tap_is "$(sql -c "SELECT count(*) FROM multitenant.validate_session('$tampered')" 2>&1 | grep -o '28000\|invalid session token' | head -1)" \
  "invalid session token" "a token signed by another ES256 key under the tenant's kid is refused"
tap_is "$(sql -c "SELECT principal_id FROM multitenant.validate_session('$token')")" "ida" "the session's own token validates"

kid=$("$python" -c 'import sys, jwt; print(jwt.get_unverified_header(sys.argv[1])["kid"])' "$token")
sql -c "SELECT multitenant.retire_session_key('$kid', 'jose-a')" >/dev/null || tap_bail "retire_session_key failed"
tap_is "$(sql -c "SELECT jsonb_array_length(multitenant.session_jwks('jose-a') -> 'keys')")" "0" \
  "a retired key leaves the published set"
tap_is "$(sql -c "SELECT count(*) FROM multitenant.validate_session('$token')" 2>&1 | grep -o 'invalid session token' | head -1)" \
  "invalid session token" "and what it signed no longer validates"

echo "# $((tap_count - tap_failures)) passed, $tap_failures failed, $((SECONDS - start_epoch)) s"
tap_end
