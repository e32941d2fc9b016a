-- The acting principal: sign_tenant(..., actor) and current_actor(), in
-- signed mode (from the token only) and unsigned mode (multitenant.actor, or
-- a token's actor); the two token formats cannot be read as each other and
-- the tokens without an actor keep their format; the actor is one per
-- transaction and follows multitenant.session_tenant.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(30);

CREATE ROLE mt_ac_app NOLOGIN;
GRANT multitenant_app TO mt_ac_app;
\ir ../fixtures/pgtap_tenant_calls.sql
SELECT pg_temp.ev('user', 'u1', 'user.human.added', '{"userName": "ada"}', 'ac-a');

CREATE TEMP TABLE tokens AS
SELECT multitenant.sign_tenant('ac-a') AS plain,
       multitenant.sign_tenant('ac-a', '1 hour', 'alice') AS alice,
       multitenant.sign_tenant('ac.dotted', '1 hour', 'bob.smith') AS dotted,
       -- a tenant id shaped like a token with an actor: 'mt2.' || hex('ac-a') || '.' || hex('eve')
       multitenant.sign_tenant('mt2.' || encode('ac-a', 'hex') || '.' || encode('eve', 'hex')) AS lookalike;
GRANT SELECT ON tokens TO mt_ac_app;

-- Formats.
SELECT is(split_part((SELECT plain FROM tokens), '.', 1), 'ac-a', 'a token without an actor keeps its format');
SELECT is((SELECT left(alice, 4) FROM tokens), 'mt2.', 'a token with an actor has a format of its own');
SELECT throws_ok($$SELECT multitenant.sign_tenant('ac-a', '1 hour', '')$$, '22023', 'actor must not be empty', 'an empty actor is refused');
SELECT throws_ok($$SELECT multitenant.sign_tenant('ac-a', '1 hour', repeat('x', 201))$$, '22001', NULL, 'an oversized actor is refused');

SELECT is(multitenant.current_actor(), NULL, 'no actor before one is set');

------------------------------------------------------------------------------
-- Signed mode: the actor comes from the token.
------------------------------------------------------------------------------
SET LOCAL multitenant.require_signed_context = on;
SELECT lives_ok($$SELECT multitenant.set_tenant('ac-a', (SELECT alice FROM tokens), is_local => true)$$, 'a token with an actor enters its tenant');
SELECT results_eq($$SELECT multitenant.current_tenant(), multitenant.current_actor()$$, $$VALUES ('ac-a', 'alice')$$, 'tenant and actor from the token');
SELECT is(current_setting('multitenant.tenant'), 'ac-a', 'the setting shows the tenant, never the token');
SET LOCAL multitenant.actor = 'mallory';
SELECT is(multitenant.current_actor(), 'alice', 'multitenant.actor cannot override a signed actor');
RESET multitenant.actor;
SELECT multitenant.reset_tenant();
SELECT lives_ok($$SELECT multitenant.set_tenant('ac-a', (SELECT plain FROM tokens), is_local => true)$$, 'a token without an actor still verifies');
SELECT results_eq($$SELECT multitenant.current_tenant(), multitenant.current_actor()$$, $$VALUES ('ac-a', NULL::text)$$, '... and names no actor');
SELECT lives_ok($$SELECT multitenant.set_tenant('ac.dotted', (SELECT dotted FROM tokens), is_local => true)$$, 'tenant and actor may contain dots');
SELECT results_eq($$SELECT multitenant.current_tenant(), multitenant.current_actor()$$, $$VALUES ('ac.dotted', 'bob.smith')$$, '... and come back whole');

-- Neither format can be re-read as the other.
SELECT throws_ok(format('SELECT multitenant.set_tenant(%L, %L)', 'mt2.' || encode('ac-a', 'hex') || '.' || encode('alice', 'hex'), (SELECT alice FROM tokens)),
                 '28000', NULL, 'a token with an actor is no token of a tenant named like its text');
SELECT throws_ok(format('SELECT multitenant.set_tenant(%L, %L)', 'ac-a', (SELECT lookalike FROM tokens)),
                 '28000', NULL, 'a token without an actor is no token with one, whatever its tenant id looks like');
SELECT lives_ok(format('SELECT multitenant.set_tenant(%L, %L, is_local => true)', 'mt2.' || encode('ac-a', 'hex') || '.' || encode('eve', 'hex'), (SELECT lookalike FROM tokens)),
                'that token still verifies for its own tenant');
SELECT is(multitenant.current_actor(), NULL, '... with no actor');
SELECT multitenant.reset_tenant();
SELECT set_config('multitenant.tenant', replace((SELECT alice FROM tokens), encode('alice', 'hex'), encode('mallory', 'hex')), true);
SELECT is(multitenant.current_tenant(), NULL, 'a token with an altered actor gives no tenant');
SELECT set_config('multitenant.tenant', '', true);

-- A lookup's tenant_token brings its actor.
SET LOCAL ROLE mt_ac_app;
SELECT results_eq(format('SELECT u.id, multitenant.current_actor() FROM multitenant.user_by_id(%L, %L) AS u', 'u1', (SELECT alice FROM tokens)),
                  $$VALUES ('u1', 'alice')$$, 'a lookup''s tenant_token brings its actor');
RESET ROLE;
SET LOCAL multitenant.require_signed_context = off;
SELECT multitenant.reset_tenant();

------------------------------------------------------------------------------
-- Unsigned mode: multitenant.actor, or a token's actor.
------------------------------------------------------------------------------
SELECT pg_temp.as_app('mt_ac_app', 'ac-a');
SELECT is(multitenant.current_actor(), NULL, 'no actor until one is set');
SET LOCAL multitenant.actor = 'carol';
SELECT is(multitenant.current_actor(), 'carol', 'multitenant.actor is the actor');
SELECT throws_ok($$SET LOCAL multitenant.actor = 'dave'$$, '25000', 'cannot act as "dave": this transaction already acts as "carol"',
                 'a transaction has one actor');
SELECT lives_ok($$SET LOCAL multitenant.actor = 'carol'$$, 'the same actor again is fine');
SELECT throws_ok(format('SET LOCAL multitenant.actor = %L', repeat('x', 201)), '22001', NULL, 'an oversized actor is refused');
RESET ROLE;
SELECT multitenant.reset_tenant();
SELECT is(multitenant.current_actor(), 'carol', 'in unsigned mode the actor stands without a tenant (platform-level calls)');
SELECT lives_ok($$SELECT multitenant.set_tenant('ac-a', (SELECT alice FROM tokens), is_local => true)$$, 'unsigned mode accepts a token too');
SELECT is(multitenant.current_actor(), 'alice', 'its actor becomes the actor');
SELECT multitenant.set_tenant('ac-a', (SELECT plain FROM tokens), is_local => true);
SELECT is(multitenant.current_actor(), NULL, 'a token without an actor leaves none');

-- With session tenants off, a session-wide actor is refused like a session-wide tenant.
SET LOCAL multitenant.session_tenant = off;
SELECT set_config('multitenant.actor', 'erin', false);
SELECT throws_ok($$SELECT multitenant.current_actor()$$, '55000', 'multitenant.actor is set for the whole session, but multitenant.session_tenant is off',
                 'a session-wide actor is refused while session tenants are off');
SELECT set_config('multitenant.actor', 'erin', true);
SELECT is(multitenant.current_actor(), 'erin', 'a transaction''s actor is fine');

SELECT * FROM finish();
ROLLBACK;
