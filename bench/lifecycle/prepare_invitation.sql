-- Not timed: one pending invitation for accept.sql.  The application signs
-- up principal ap-<n>, and the owner of bt-<n % tenants> invites its
-- address; the token goes into bench.invites.
SELECT nextval('bench.invite_prep_seq') AS n \gset
SELECT FROM multitenant.create_principal('user', 'ap-' || :n || '@bench.example', id => 'ap-' || :n);
BEGIN;
SELECT multitenant.set_tenant('bt-' || :n % :tenants, is_local => true),
       set_config('multitenant.actor', 'bo-' || :n % :tenants, true);
INSERT INTO bench.invites (n, token)
SELECT :n, i.token FROM multitenant.invite('ap-' || :n || '@bench.example', 'member') AS i;
COMMIT;
