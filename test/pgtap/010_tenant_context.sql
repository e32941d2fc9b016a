-- Tenant context: set_tenant, current_tenant, reset_tenant, signed tokens.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;
SELECT plan(41);

CREATE ROLE mt_t_app NOLOGIN;
GRANT multitenant_app TO mt_t_app;

-- Properties the planner and the policies rely on.
SELECT volatility_is('multitenant', 'current_tenant', ARRAY[]::text[], 'stable', 'current_tenant() is STABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = 'multitenant.current_tenant()'::regprocedure), 's', 'current_tenant() is PARALLEL SAFE');
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'multitenant' AND p.provolatile = 'i' AND p.proname LIKE '%tenant%'), 0,
          'no tenant accessor is IMMUTABLE');

-- Unset, set, reset.
SELECT is(multitenant.current_tenant(), NULL, 'no tenant before set_tenant');
SELECT lives_ok($$SELECT multitenant.set_tenant('tenant-a')$$, 'set_tenant succeeds');
SELECT is(multitenant.current_tenant(), 'tenant-a', 'current_tenant returns the tenant');
SELECT is(current_setting('multitenant.tenant'), 'tenant-a', 'the tenant lives in multitenant.tenant');
SELECT lives_ok($$SELECT multitenant.reset_tenant()$$, 'reset_tenant succeeds');
SELECT is(multitenant.current_tenant(), NULL, 'no tenant after reset_tenant');
SELECT lives_ok($$SET multitenant.tenant = ''$$, 'an empty setting is accepted');
SELECT is(multitenant.current_tenant(), NULL, 'an empty tenant counts as unset');
SELECT lives_ok($$SET LOCAL multitenant.tenant = 'tenant-b'$$, 'SET LOCAL works as well');
SELECT is(multitenant.current_tenant(), 'tenant-b', 'SET LOCAL tenant is current');
SELECT multitenant.reset_tenant();

-- Bad input.
SELECT throws_ok($$SELECT multitenant.set_tenant(NULL)$$, '22004', 'tenant id must not be null', 'NULL tenant refused');
SELECT throws_ok($$SELECT multitenant.set_tenant('')$$, '22023', 'tenant id must not be empty', 'empty tenant refused');
SELECT throws_ok($$SELECT multitenant.set_tenant(repeat('x', 201))$$, '22001', NULL, 'oversized tenant refused');
SELECT throws_ok($$SELECT multitenant.set_tenant('t', 'not-a-token')$$, '28000',
                 'invalid or expired token for tenant "t"', 'a malformed token is refused even in unsigned mode');

-- is_local: inside this test's transaction block it is accepted and scoped.
SELECT lives_ok($$SELECT multitenant.set_tenant('tenant-local', is_local => true)$$, 'is_local inside a transaction');
SELECT is(multitenant.current_tenant(), 'tenant-local', 'local tenant is current');
SAVEPOINT before_switch;
SELECT multitenant.set_tenant('tenant-inner', is_local => true);
ROLLBACK TO SAVEPOINT before_switch;
SELECT is(multitenant.current_tenant(), 'tenant-local', 'ROLLBACK TO SAVEPOINT restores the previous tenant');
SELECT multitenant.reset_tenant();

-- Signed tokens.  The harness configures a signing key and preloads the library.
SELECT ok(multitenant.sign_tenant('tenant-a') ~ '^tenant-a\.[0-9]+\.[0-9a-f]{64}$', 'a token is tenant.expiry.hmac');
SELECT throws_ok($$SELECT multitenant.sign_tenant('tenant-a', '-5 minutes')$$, '22023', NULL, 'a non-positive lifetime is refused');
SELECT throws_ok($$SELECT multitenant.sign_tenant('', '5 minutes')$$, '22023', NULL, 'an empty tenant cannot be signed');
SELECT throws_ok($$SELECT multitenant.sign_tenant(NULL)$$, '22004', 'tenant id must not be null', 'a NULL tenant cannot be signed');
SELECT throws_ok($$SELECT multitenant.sign_tenant('tenant-a', NULL)$$, '22004', NULL, 'a NULL lifetime is refused');

CREATE TEMP TABLE tokens AS
SELECT multitenant.sign_tenant('tenant.with.dots') AS dotted,
       multitenant.sign_tenant('tenant-a') AS good,
       multitenant.sign_tenant('tenant-a', '1 microsecond') AS short;
GRANT SELECT ON tokens TO mt_t_app;

SET LOCAL multitenant.require_signed_context = on;
SELECT throws_ok($$SELECT multitenant.set_tenant('tenant-a')$$, '28000', 'tenant "tenant-a" requires a signed token',
                 'signed mode refuses set_tenant without a token');
SELECT lives_ok($$SELECT multitenant.set_tenant('tenant-a', (SELECT good FROM tokens))$$, 'signed mode accepts a valid token');
SELECT is(multitenant.current_tenant(), 'tenant-a', 'the verified tenant is current');
SELECT is(current_setting('multitenant.tenant'), 'tenant-a', 'the setting shows the verified tenant, never the token');
SELECT throws_ok($$SELECT multitenant.set_tenant('tenant-b', (SELECT good FROM tokens))$$, '28000',
                 'invalid or expired token for tenant "tenant-b"', 'a token of another tenant is refused');
SELECT lives_ok($$SELECT multitenant.set_tenant('tenant.with.dots', (SELECT dotted FROM tokens))$$, 'tenants may contain dots');
SELECT is(multitenant.current_tenant(), 'tenant.with.dots', 'dotted tenant verified');

SET LOCAL multitenant.tenant = 'tenant-b';
SELECT is(multitenant.current_tenant(), NULL, 'spoofing the setting with a bare tenant id gives no tenant');
SELECT set_config('multitenant.tenant', replace((SELECT good FROM tokens), 'tenant-a.', 'tenant-b.'), true);
SELECT is(multitenant.current_tenant(), NULL, 'a token with an altered tenant gives no tenant');
SELECT set_config('multitenant.tenant', regexp_replace((SELECT good FROM tokens), '\.([0-9]+)\.', '.99999999999.'), true);
SELECT is(multitenant.current_tenant(), NULL, 'a token with an altered expiry gives no tenant');
SELECT set_config('multitenant.tenant', left((SELECT good FROM tokens), -1) ||
                  CASE right((SELECT good FROM tokens), 1) WHEN '0' THEN '1' ELSE '0' END, true);
SELECT is(multitenant.current_tenant(), NULL, 'a token with an altered signature gives no tenant');
SELECT set_config('multitenant.tenant', (SELECT short FROM tokens), true);
SELECT is(multitenant.current_tenant(), NULL, 'an expired token gives no tenant');

-- Ordinary roles cannot read the key, turn signed mode off, or sign.
SET LOCAL ROLE mt_t_app;
SELECT throws_ok($$SELECT current_setting('multitenant.signing_key')$$, '42501', NULL, 'the signing key is unreadable for the app role');
SELECT throws_ok($$SET multitenant.require_signed_context = off$$, '42501', NULL, 'the app role cannot leave signed mode');
SELECT throws_ok($$SELECT multitenant.sign_tenant('tenant-a')$$, '42501', NULL, 'the app role cannot sign tokens');
RESET ROLE;
SELECT ok(length(current_setting('multitenant.signing_key')) >= 32, 'superusers can read the configured key');

SELECT * FROM finish();
ROLLBACK;
