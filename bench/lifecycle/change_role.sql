-- An owner toggles a random member of a random tenant between member and
-- viewer.
\set k random(0, :tenants - 1)
\set j random(0, :members - 1)
BEGIN;
SELECT multitenant.set_tenant('bt-' || :k, is_local => true), set_config('multitenant.actor', 'bo-' || :k, true);
SELECT multitenant.change_member_role(m.principal_id, CASE m.role WHEN 'member' THEN 'viewer' ELSE 'member' END)
  FROM multitenant.memberships AS m
 WHERE m.instance_id = 'bt-' || :k AND m.principal_id = 'bm-' || :j;
COMMIT;
