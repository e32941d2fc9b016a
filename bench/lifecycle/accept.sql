-- The invited principal accepts: the n-th call takes the n-th pending
-- invitation of bench.invites (made by prepare_invitation.sql), from outside
-- any tenant, acting as the invited principal.
BEGIN;
SELECT set_config('multitenant.actor', 'ap-' || i.n, true), set_config('bench.token', i.token, true)
  FROM nextval('bench.accept_seq') AS s(n) JOIN bench.invites AS i ON i.n = s.n;
SELECT multitenant.accept_invitation(current_setting('bench.token'));
COMMIT;
