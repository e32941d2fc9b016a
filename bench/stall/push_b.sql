-- A push into tenant B, one per transaction.
\set id random(1, 1000000000)
SELECT multitenant.push('org', 'org-' || :id, 'org.added', '{"name": "B"}', instance_id => 'tenant-b');
