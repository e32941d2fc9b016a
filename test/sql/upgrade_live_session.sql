-- A pooled connection that reduced events under 1.0 (its reducer plans are
-- cached for the single-tenant tables) keeps working across
-- ALTER EXTENSION multitenant UPDATE run from another session: its next pushes
-- are reduced in the 1.1 form, tenant and standard columns included.
CREATE EXTENSION dblink;
CREATE EXTENSION multitenant VERSION '1.0';
SELECT format('dbname=%s host=%s port=%s user=%s', current_database(),
              current_setting('unix_socket_directories'), current_setting('port'), current_user) AS conninfo \gset
SELECT dblink_connect('pooled', :'conninfo');
SELECT sequence FROM dblink('pooled', $$SELECT sequence FROM multitenant.push('user', 'u1', 'user.human.added',
    '{"userName": "ada", "firstName": "Ada", "lastName": "L", "email": "ada@a.example"}', instance_id => 'tenant-a',
    created_at => '2024-01-01 00:00:00+00')$$) AS r(sequence bigint);
SELECT sequence FROM dblink('pooled', $$SELECT sequence FROM multitenant.push('user', 'u1', 'user.metadata.set',
    '{"key": "team", "value": "Y29yZQ=="}', instance_id => 'tenant-a', created_at => '2024-01-01 00:01:00+00')$$) AS r(sequence bigint);
-- 1.0: no tenant in the metadata key, no change_date.
SELECT user_id, key, convert_from(value, 'UTF8') AS value FROM multitenant.user_metadata;

ALTER EXTENSION multitenant UPDATE;
SELECT e.extversion = a.default_version AS at_default_version
  FROM pg_extension AS e JOIN pg_available_extensions AS a ON a.name = e.extname WHERE e.extname = 'multitenant';

-- The same connection, with its cached reducers from before the upgrade.
SELECT sequence FROM dblink('pooled', $$SELECT sequence FROM multitenant.push('user', 'u1', 'user.metadata.set',
    '{"key": "team", "value": "b3Bz"}', instance_id => 'tenant-a', created_at => '2024-01-01 00:02:00+00')$$) AS r(sequence bigint);
SELECT sequence FROM dblink('pooled', $$SELECT sequence FROM multitenant.push('user', 'u1', 'user.human.added',
    '{"userName": "bob", "firstName": "Bob", "lastName": "M", "email": "bob@b.example"}', instance_id => 'tenant-b',
    created_at => '2024-01-01 00:03:00+00')$$) AS r(sequence bigint);
SELECT sequence FROM dblink('pooled', $$SELECT sequence FROM multitenant.push('user', 'u1', 'user.metadata.set',
    '{"key": "team", "value": "c2FsZXM="}', instance_id => 'tenant-b', created_at => '2024-01-01 00:04:00+00')$$) AS r(sequence bigint);
SELECT instance_id, id, username, creation_date, change_date, sequence FROM multitenant.users_projection ORDER BY 1, 2;
SELECT instance_id, user_id, key, convert_from(value, 'UTF8') AS value, change_date, sequence, resource_owner
  FROM multitenant.user_metadata ORDER BY 1, 2;
-- The same id in two tenants, and instance.removed (registered by the upgrade) removes one tenant only.
SELECT sequence FROM dblink('pooled', $$SELECT sequence FROM multitenant.push('instance', 'tenant-b', 'instance.removed',
    instance_id => 'tenant-b', created_at => '2024-01-01 00:05:00+00')$$) AS r(sequence bigint);
SELECT instance_id, id FROM multitenant.users_projection ORDER BY 1, 2;
SELECT instance_id, user_id FROM multitenant.user_metadata ORDER BY 1, 2;

SELECT dblink_disconnect('pooled');
DROP EXTENSION multitenant;
DROP SCHEMA multitenant;
DROP EXTENSION dblink;
