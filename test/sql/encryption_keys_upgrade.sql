-- Encryption keys across ALTER EXTENSION multitenant UPDATE to 1.3.  This
-- library meets 1.2's table until the update: it reads and writes the 1.2
-- format there (tenant and id authenticated), and the update marks every
-- existing row as such, rows of a session that prepared its statements
-- before the update included.  rotate_master_key then rewrites them in the
-- 1.3 format (algorithm and expiry authenticated too).
CREATE EXTENSION dblink;
SELECT format('dbname=%s host=%s port=%s user=%s', current_database(),
              current_setting('unix_socket_directories'), current_setting('port'), current_user) AS conninfo \gset
SET multitenant.master_key = '1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f';

-- 1.0 has no encryption keys: removing a tenant there has none to remove.
CREATE EXTENSION multitenant VERSION '1.0';
SELECT sequence FROM multitenant.push('instance', 'ek-gone', 'instance.removed', instance_id => 'ek-gone',
    created_at => '2024-01-01 00:00:00+00');
ALTER EXTENSION multitenant UPDATE TO '1.2';

-- A row as 1.2's add_key stored it, under the master key set above.
INSERT INTO multitenant.encryption_keys (instance_id, id, algorithm, key_data, master_key_id, created_at)
VALUES ('ek-old', 'legacy-1', 'aes256',
        '\xfb1376ee52243dc4c2005e170a9df85e3ba35ea7858010089db18e937e410e5c1cb9189ebc0415c9c774631e333202cdccbe472a36d8161baf11a805',
        '4763fcbaa4ed910b', '2024-01-01 00:00:00+00');
SELECT multitenant.get_key('legacy-1', 'ek-old') = sha256('material one') AS legacy_reads;
-- This library's add_key into 1.2's table, here and in a pooled session.
SELECT multitenant.add_key('window-1', '\xc0ffee'::bytea, 'hmac-sha256', '2099-01-01 00:00:00+00', 'ek-up');
SELECT dblink_connect('pooled', :'conninfo');
SELECT dblink_exec('pooled', 'SET multitenant.master_key = ''1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f''');
SELECT * FROM dblink('pooled', $$SELECT multitenant.add_key('pooled-1', '\xbeef'::bytea, instance_id => 'ek-up')::text$$) AS r(x text);
SELECT * FROM dblink('pooled', $$SELECT multitenant.get_key('window-1', 'ek-up')$$) AS r(material bytea);
-- instance.removed removes a tenant's keys from 1.2's table too.
SELECT multitenant.add_key('gone-1', '\x01'::bytea, instance_id => 'ek-gone');
SELECT sequence FROM multitenant.push('instance', 'ek-gone', 'instance.removed', instance_id => 'ek-gone',
    created_at => '2024-01-01 00:01:00+00');
SELECT count(*) AS keys_of_removed_tenant FROM multitenant.encryption_keys WHERE instance_id = 'ek-gone';

ALTER EXTENSION multitenant UPDATE;
SELECT instance_id, id, algorithm, expired_at, key_format, rotation_date FROM multitenant.encryption_keys ORDER BY 1, 2;
SELECT id, multitenant.get_key(id, instance_id) FROM multitenant.encryption_keys WHERE instance_id = 'ek-up' ORDER BY 1;
-- The pooled session, with its statements from before the update, reads
-- these keys and writes new ones in the 1.3 format.
SELECT * FROM dblink('pooled', $$SELECT multitenant.get_key('pooled-1', 'ek-up')$$) AS r(material bytea);
SELECT * FROM dblink('pooled', $$SELECT multitenant.add_key('pooled-2', '\xfeed'::bytea, 'hmac-sha256', '2099-01-01 00:00:00+00', 'ek-up')::text$$) AS r(x text);
SELECT id, key_format FROM multitenant.encryption_keys WHERE id LIKE 'pooled-%' ORDER BY 1;
SELECT * FROM dblink('pooled', $$SELECT multitenant.get_key('pooled-2', 'ek-up')$$) AS r(material bytea);

-- Rotation rewrites the three 1.2-format rows in the 1.3 format, under the
-- master key they are already under; from then on their algorithm is
-- authenticated too.
SELECT multitenant.rotate_master_key();
SELECT instance_id, id, key_format, master_key_id, rotation_date IS NOT NULL AS rotated FROM multitenant.encryption_keys ORDER BY 1, 2;
SELECT multitenant.get_key('legacy-1', 'ek-old') = sha256('material one') AS legacy_reads;
SELECT id, multitenant.get_key(id, instance_id) FROM multitenant.encryption_keys WHERE instance_id = 'ek-up' ORDER BY 1;
UPDATE multitenant.encryption_keys SET algorithm = 'aes256' WHERE instance_id = 'ek-up' AND id = 'window-1';
SELECT multitenant.get_key('window-1', 'ek-up');
UPDATE multitenant.encryption_keys SET algorithm = 'hmac-sha256' WHERE instance_id = 'ek-up' AND id = 'window-1';
SELECT multitenant.get_key('window-1', 'ek-up');
SELECT multitenant.rotate_master_key();

SELECT dblink_disconnect('pooled');
DROP EXTENSION multitenant;
DROP SCHEMA multitenant;
DROP EXTENSION dblink;
