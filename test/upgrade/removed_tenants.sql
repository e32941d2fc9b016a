-- Tenant removals on top of the upgrade stream: upg-c is removed for good;
-- upg-b is removed, added again and gets a new user with metadata.  1.0
-- stores instance.removed without reducing it into its single-tenant tables,
-- so their rows of upg-b and upg-c are still there when it is upgraded.
SELECT FROM multitenant.push('instance', 'upg-b', 'instance.removed', NULL, instance_id => 'upg-b',
                             created_at => '2024-09-01 00:00:01+00');
SELECT FROM multitenant.push('instance', 'upg-b', 'instance.added', '{"name": "Instance upg-b, again"}',
                             instance_id => 'upg-b', created_at => '2024-09-01 00:00:02+00');
SELECT FROM multitenant.push('user', 'upg-b-user-99', 'user.human.added',
                             '{"userName": "user99", "firstName": "Again", "lastName": "Ninety-Nine", "email": "user99@upg-b.example.com"}',
                             resource_owner => 'upg-b-org-1', instance_id => 'upg-b', created_at => '2024-09-01 00:00:03+00');
SELECT FROM multitenant.push('user', 'upg-b-user-99', 'user.metadata.set', '{"key": "tier", "value": "Z29sZA=="}',
                             resource_owner => 'upg-b-org-1', instance_id => 'upg-b', created_at => '2024-09-01 00:00:04+00');
SELECT FROM multitenant.push('instance', 'upg-c', 'instance.removed', NULL, instance_id => 'upg-c',
                             created_at => '2024-09-01 00:00:05+00');
