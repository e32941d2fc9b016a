-- Encryption keys (1.2, 1.3): key material stored with AES-256-GCM under the
-- server's master key (multitenant.master_key), authenticated together with
-- its tenant, id, algorithm and expiry; expired keys refused; rows in the
-- 1.2 format; master key rotation; removal with the tenant; who may use
-- them; the settings' protection.  Two tenants use the same key ids.  Runs as superuser with
-- master keys set per transaction (the harness's own key is random); every
-- query filters by tenant (the suite also runs in upgraded databases).
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(130);

-- HMAC-SHA256 spelled out with sha256(), to check the fingerprints that rows
-- and messages carry independently of the C code.
CREATE FUNCTION pg_temp.pad(k bytea, b integer) RETURNS bytea LANGUAGE sql IMMUTABLE
AS $$ SELECT string_agg(set_byte('\x00'::bytea, 0, (CASE WHEN i < length(k) THEN get_byte(k, i) ELSE 0 END) # b), ''::bytea ORDER BY i)
        FROM generate_series(0, 63) AS i $$;
CREATE FUNCTION pg_temp.fingerprint(hex text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT left(encode(sha256(pg_temp.pad(decode(hex, 'hex'), 92) ||
                                sha256(pg_temp.pad(decode(hex, 'hex'), 54) || convert_to('multitenant master key id', 'UTF8'))), 'hex'), 16) $$;

CREATE FUNCTION pg_temp.keys(master text, previous text DEFAULT '') RETURNS void LANGUAGE sql
AS $$ SELECT set_config('multitenant.master_key', master, true), set_config('multitenant.previous_master_key', previous, true) $$;

-- Three master keys and some key material (m1 and m2 are 32 bytes each).
CREATE TEMP TABLE k AS
SELECT repeat('1f', 32) AS k1, repeat('2e', 32) AS k2, repeat('3D', 32) AS k3,
       sha256('material one') AS m1, sha256('material two') AS m2;
CREATE TEMP TABLE fp AS
SELECT pg_temp.fingerprint(k1) AS f1, pg_temp.fingerprint(k2) AS f2, pg_temp.fingerprint(lower(k3)) AS f3 FROM k;
GRANT SELECT ON k, fp TO PUBLIC;

------------------------------------------------------------------------------
-- Catalog
------------------------------------------------------------------------------
SELECT columns_are('multitenant', 'encryption_keys',
	ARRAY['instance_id', 'id', 'algorithm', 'key_data', 'master_key_id', 'created_at', 'rotation_date', 'expired_at', 'key_format'],
	'encryption_keys has the key, its encrypted data, its master key, dates and format');
SELECT ok(NOT has_table_privilege('multitenant_app', 'multitenant.encryption_keys', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
          AND has_table_privilege('multitenant_admin', 'multitenant.encryption_keys', 'SELECT')
          AND NOT has_table_privilege('multitenant_admin', 'multitenant.encryption_keys', 'INSERT, UPDATE, DELETE, TRUNCATE'),
	'the app role has no access to key rows; administrators may only read them');
SELECT ok(NOT has_function_privilege('multitenant_app', 'multitenant.add_key(text, bytea, text, timestamptz, text)', 'EXECUTE')
          AND NOT has_function_privilege('multitenant_app', 'multitenant.get_key(text, text)', 'EXECUTE')
          AND NOT has_function_privilege('multitenant_app', 'multitenant.rotate_master_key()', 'EXECUTE')
          AND NOT has_function_privilege('public', 'multitenant.get_key(text, text)', 'EXECUTE'),
	'neither the app role nor PUBLIC may execute add_key, get_key or rotate_master_key');
SELECT ok(has_function_privilege('multitenant_admin', 'multitenant.add_key(text, bytea, text, timestamptz, text)', 'EXECUTE')
          AND has_function_privilege('multitenant_admin', 'multitenant.get_key(text, text)', 'EXECUTE')
          AND has_function_privilege('multitenant_admin', 'multitenant.rotate_master_key()', 'EXECUTE'),
	'administrators may execute all three');

------------------------------------------------------------------------------
-- The server's configured key (test/harness/cluster.sh sets one)
------------------------------------------------------------------------------
SELECT lives_ok($$SELECT multitenant.add_key('cfg', '\xc0ffee'::bytea, instance_id => 'ek-a')$$,
	'add_key works under the master key from postgresql.conf');
SELECT is(multitenant.get_key('cfg', 'ek-a'), '\xc0ffee'::bytea, 'and get_key returns the material');
DELETE FROM multitenant.encryption_keys WHERE instance_id = 'ek-a' AND id = 'cfg';

------------------------------------------------------------------------------
-- Round trip, tenants, stored form
------------------------------------------------------------------------------
SELECT pg_temp.keys(k1) FROM k;
SELECT lives_ok($$SELECT multitenant.add_key('key-1', (SELECT m1 FROM k), instance_id => 'ek-a')$$, 'add_key stores a key of tenant a');
SELECT lives_ok($$SELECT multitenant.add_key('key-1', (SELECT m2 FROM k), 'hmac-sha256', '2100-01-01 00:00:00+00', 'ek-b')$$,
	'the same id in tenant b, with algorithm and expiry');
SELECT is(multitenant.get_key('key-1', 'ek-a'), (SELECT m1 FROM k), 'get_key returns tenant a''s material');
SELECT is(multitenant.get_key('key-1', 'ek-b'), (SELECT m2 FROM k), 'get_key returns tenant b''s material for the same id');

SELECT multitenant.set_tenant('ek-a');
SELECT lives_ok($$SELECT multitenant.add_key('key-2', '\x01'::bytea)$$, 'add_key defaults to the current tenant');
SELECT is(multitenant.get_key('key-1'), (SELECT m1 FROM k), 'get_key defaults to the current tenant');
SELECT multitenant.reset_tenant();

SELECT results_eq(
	$$SELECT instance_id, id, algorithm, master_key_id, created_at = now(), rotation_date, expired_at, key_format::int
	    FROM multitenant.encryption_keys WHERE instance_id IN ('ek-a', 'ek-b') ORDER BY 1, 2$$,
	$$SELECT * FROM (VALUES ('ek-a', 'key-1', 'aes256', (SELECT f1 FROM fp), true, NULL::timestamptz, NULL::timestamptz, 2),
	                        ('ek-a', 'key-2', 'aes256', (SELECT f1 FROM fp), true, NULL, NULL, 2),
	                        ('ek-b', 'key-1', 'hmac-sha256', (SELECT f1 FROM fp), true, NULL, '2100-01-01 00:00:00+00', 2)) AS v$$,
	'rows name their tenant, algorithm, expiry, the fingerprint of the master key (HMAC-SHA256 of a fixed label) and the 1.3 format');
SELECT is((SELECT length(key_data) FROM multitenant.encryption_keys WHERE instance_id = 'ek-a' AND id = 'key-1'), 12 + 32 + 16,
	'key_data is a 12-byte nonce, the ciphertext and a 16-byte tag');
SELECT is((SELECT position((SELECT m1 FROM k) IN key_data) FROM multitenant.encryption_keys WHERE instance_id = 'ek-a' AND id = 'key-1'), 0,
	'the stored bytes do not contain the material');
SELECT is((SELECT count(*)::int FROM multitenant.encryption_keys
            WHERE instance_id IN ('ek-a', 'ek-b') AND position(decode((SELECT k1 FROM k), 'hex') IN key_data) > 0), 0,
	'neither does any row contain the master key');
SELECT lives_ok($$SELECT multitenant.add_key('key-3', (SELECT m1 FROM k), instance_id => 'ek-a')$$, 'the same material again under another id');
SELECT ok((SELECT count(DISTINCT key_data) = 2 AND count(DISTINCT substr(key_data, 1, 12)) = 2
             FROM multitenant.encryption_keys WHERE instance_id = 'ek-a' AND id IN ('key-1', 'key-3')),
	'two encryptions of the same material differ, with different nonces');
SELECT is(multitenant.get_key('key-3', 'ek-a'), (SELECT m1 FROM k), 'and both decrypt to it');
SELECT lives_ok($$SELECT multitenant.add_key('big', decode(repeat('ab', 65536), 'hex'), instance_id => 'ek-a')$$, '64 KiB of material is accepted');
SELECT is(multitenant.get_key('big', 'ek-a'), decode(repeat('ab', 65536), 'hex'), 'and comes back whole');
DELETE FROM multitenant.encryption_keys WHERE instance_id = 'ek-a' AND id = 'big';

------------------------------------------------------------------------------
-- Tampering and moved ciphertexts fail authentication
------------------------------------------------------------------------------
CREATE TEMP TABLE saved AS
SELECT instance_id, id, key_data FROM multitenant.encryption_keys WHERE instance_id IN ('ek-a', 'ek-b');

UPDATE multitenant.encryption_keys SET key_data = set_byte(key_data, 20, get_byte(key_data, 20) # 1)
 WHERE instance_id = 'ek-a' AND id = 'key-1';
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-a')$$, 'XX001',
	'encryption key "key-1" of tenant "ek-a" failed authentication', 'one altered ciphertext byte fails authentication');
UPDATE multitenant.encryption_keys AS e SET key_data = set_byte(s.key_data, 0, get_byte(s.key_data, 0) # 128)
  FROM saved AS s WHERE s.instance_id = e.instance_id AND s.id = e.id AND e.instance_id = 'ek-a' AND e.id = 'key-1';
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-a')$$, 'XX001', NULL, 'one altered nonce byte fails authentication');
UPDATE multitenant.encryption_keys AS e SET key_data = substr(s.key_data, 1, 27)
  FROM saved AS s WHERE s.instance_id = e.instance_id AND s.id = e.id AND e.instance_id = 'ek-a' AND e.id = 'key-1';
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-a')$$, 'XX001', NULL, 'data too short for nonce and tag fails authentication');
UPDATE multitenant.encryption_keys AS e SET key_data = s.key_data
  FROM saved AS s WHERE s.instance_id = e.instance_id AND s.id = e.id AND e.instance_id = 'ek-a' AND e.id = 'key-1';
SELECT is(multitenant.get_key('key-1', 'ek-a'), (SELECT m1 FROM k), 'restored data decrypts again');

UPDATE multitenant.encryption_keys SET key_data = (SELECT key_data FROM saved WHERE instance_id = 'ek-a' AND id = 'key-1')
 WHERE instance_id = 'ek-b' AND id = 'key-1';
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-b')$$, 'XX001',
	'encryption key "key-1" of tenant "ek-b" failed authentication', 'tenant a''s data copied into tenant b''s row fails authentication');
UPDATE multitenant.encryption_keys SET key_data = (SELECT key_data FROM saved WHERE instance_id = 'ek-a' AND id = 'key-1')
 WHERE instance_id = 'ek-a' AND id = 'key-3';
SELECT throws_ok($$SELECT multitenant.get_key('key-3', 'ek-a')$$, 'XX001', NULL,
	'data copied into another row of the same tenant fails authentication, though it holds the same material');
UPDATE multitenant.encryption_keys AS e SET key_data = s.key_data
  FROM saved AS s WHERE s.instance_id = e.instance_id AND s.id = e.id;
SELECT is(multitenant.get_key('key-1', 'ek-b'), (SELECT m2 FROM k), 'restored rows decrypt again');

------------------------------------------------------------------------------
-- The algorithm, the expiry and the format are authenticated with the data
------------------------------------------------------------------------------
UPDATE multitenant.encryption_keys SET algorithm = 'aes256' WHERE instance_id = 'ek-b' AND id = 'key-1';
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-b')$$, 'XX001',
	'encryption key "key-1" of tenant "ek-b" failed authentication', 'a changed algorithm fails authentication');
UPDATE multitenant.encryption_keys SET algorithm = 'hmac-sha256', expired_at = expired_at + interval '1 microsecond'
 WHERE instance_id = 'ek-b' AND id = 'key-1';
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-b')$$, 'XX001', NULL, 'an expiry moved by a microsecond fails authentication');
UPDATE multitenant.encryption_keys SET expired_at = NULL WHERE instance_id = 'ek-b' AND id = 'key-1';
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-b')$$, 'XX001', NULL, 'so does a removed expiry');
UPDATE multitenant.encryption_keys SET expired_at = '2000-01-01 00:00:00+00' WHERE instance_id = 'ek-b' AND id = 'key-1';
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-b')$$, 'XX001', NULL,
	'and an expiry moved into the past (authentication comes before the expiry)');
UPDATE multitenant.encryption_keys SET expired_at = '2100-01-01 00:00:00+00' WHERE instance_id = 'ek-b' AND id = 'key-1';
SELECT is(multitenant.get_key('key-1', 'ek-b'), (SELECT m2 FROM k), 'the original terms decrypt again');
UPDATE multitenant.encryption_keys SET expired_at = '2100-01-01 00:00:00+00' WHERE instance_id = 'ek-a' AND id = 'key-1';
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-a')$$, 'XX001', NULL, 'an expiry given to a key without one fails authentication');
UPDATE multitenant.encryption_keys SET expired_at = NULL, key_format = 1 WHERE instance_id = 'ek-a' AND id = 'key-1';
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-a')$$, 'XX001', NULL,
	'a row marked as 1.2''s format fails authentication instead of being checked with less data');
UPDATE multitenant.encryption_keys SET key_format = 2 WHERE instance_id = 'ek-a' AND id = 'key-1';
SELECT is(multitenant.get_key('key-1', 'ek-a'), (SELECT m1 FROM k), 'marked back, it decrypts again');
SELECT throws_ok($$UPDATE multitenant.encryption_keys SET key_format = 3 WHERE instance_id = 'ek-a' AND id = 'key-1'$$, '23514', NULL,
	'there are only the formats 1 and 2');

------------------------------------------------------------------------------
-- Expiry: get_key refuses a key whose expired_at is at or before the start
-- of the statement
------------------------------------------------------------------------------
SELECT lives_ok($$SELECT multitenant.add_key('in-an-hour', '\x11'::bytea, expired_at => statement_timestamp() + interval '1 hour', instance_id => 'ek-x')$$,
	'a key that expires in an hour');
SELECT is(multitenant.get_key('in-an-hour', 'ek-x'), '\x11'::bytea, 'is served');
SELECT lives_ok($$SELECT multitenant.add_key('never', '\x12'::bytea, expired_at => 'infinity', instance_id => 'ek-x')$$, 'a key that expires at infinity');
SELECT is(multitenant.get_key('never', 'ek-x'), '\x12'::bytea, 'is served');
SELECT multitenant.add_key('now', '\x13'::bytea, expired_at => now(), instance_id => 'ek-x');
SELECT throws_ok($$SELECT multitenant.get_key('now', 'ek-x')$$, '55000',
	format('encryption key "now" of tenant "ek-x" expired at %s', now()),
	'a key that expired when this transaction began is refused, naming key, tenant and expiry');
SELECT multitenant.add_key('past', '\x14'::bytea, 'hmac-sha256', '2001-02-03 04:05:06.789+00', 'ek-x');
SELECT throws_ok($$SELECT multitenant.get_key('past', 'ek-x')$$, '55000',
	format('encryption key "past" of tenant "ek-x" expired at %s', '2001-02-03 04:05:06.789+00'::timestamptz), 'a key that expired long ago is refused');
SELECT multitenant.add_key('minus-infinity', '\x15'::bytea, expired_at => '-infinity', instance_id => 'ek-x');
SELECT throws_ok($$SELECT multitenant.get_key('minus-infinity', 'ek-x')$$, '55000', NULL, 'so is one that expires at -infinity');
-- The start of the statement is the time that counts: within one statement
-- a key that expires while it runs is still served; the next statement
-- refuses it, though this transaction began before its expiry.
CREATE FUNCTION pg_temp.add_then_get(pause double precision) RETURNS bytea LANGUAGE plpgsql
AS $$
BEGIN
	PERFORM multitenant.add_key('brief', '\x16'::bytea, expired_at => statement_timestamp() + interval '200 milliseconds', instance_id => 'ek-x');
	PERFORM pg_sleep(pause);
	RETURN multitenant.get_key('brief', 'ek-x');
END $$;
SELECT is(pg_temp.add_then_get(0.3), '\x16'::bytea, 'a key that expires during the statement is served in that statement');
SELECT ok((SELECT expired_at > now() AND expired_at < clock_timestamp() FROM multitenant.encryption_keys WHERE instance_id = 'ek-x' AND id = 'brief'),
	'it expired after this transaction began, and has expired by now');
SELECT throws_ok($$SELECT multitenant.get_key('brief', 'ek-x')$$, '55000', NULL, 'a later statement refuses it');

------------------------------------------------------------------------------
-- Rows in the 1.2 format: stored by 1.2's add_key under master key k1, with
-- only the tenant and the id authenticated
------------------------------------------------------------------------------
INSERT INTO multitenant.encryption_keys (instance_id, id, algorithm, key_data, master_key_id, created_at, expired_at)
VALUES ('ek-old', 'legacy-1', 'aes256',
        '\xfb1376ee52243dc4c2005e170a9df85e3ba35ea7858010089db18e937e410e5c1cb9189ebc0415c9c774631e333202cdccbe472a36d8161baf11a805',
        (SELECT f1 FROM fp), '2024-01-01 00:00:00+00', NULL),
       ('ek-old', 'legacy-2', 'hmac-sha256',
        '\xca170caba57c3d8773c0971ab679e1a12d8a3313a2d19261a73f51176b9cec48468321ec817b44911e026d31bf0cad7d47517b0cb2afbaa98bff68a1',
        (SELECT f1 FROM fp), '2024-01-01 00:00:00+00', '2099-01-01 00:00:00+00'),
       ('ek-old', 'legacy-old', 'aes256', '\x54b67970322f37d96d696e0d2a082920243368fa08760d32c22db48778fa',
        (SELECT f1 FROM fp), '2024-01-01 00:00:00+00', '2020-01-01 00:00:00+00');
SELECT is((SELECT array_agg(key_format ORDER BY id) FROM multitenant.encryption_keys WHERE instance_id = 'ek-old'), '{1,1,1}'::smallint[],
	'a row stored without naming its format is in the 1.2 format');
SELECT is(multitenant.get_key('legacy-1', 'ek-old'), (SELECT m1 FROM k), '1.2-format rows still read');
SELECT is(multitenant.get_key('legacy-2', 'ek-old'), (SELECT m2 FROM k), 'one with an algorithm and expiry too');
SELECT throws_ok($$SELECT multitenant.get_key('legacy-old', 'ek-old')$$, '55000',
	format('encryption key "legacy-old" of tenant "ek-old" expired at %s', '2020-01-01 00:00:00+00'::timestamptz),
	'their expiry is enforced as well');
UPDATE multitenant.encryption_keys SET key_format = 2 WHERE instance_id = 'ek-old' AND id = 'legacy-1';
SELECT throws_ok($$SELECT multitenant.get_key('legacy-1', 'ek-old')$$, 'XX001',
	'encryption key "legacy-1" of tenant "ek-old" failed authentication', 'a 1.2-format row marked as 1.3''s fails authentication');
UPDATE multitenant.encryption_keys SET key_format = 1 WHERE instance_id = 'ek-old' AND id = 'legacy-1';
UPDATE multitenant.encryption_keys SET id = 'legacy-9' WHERE instance_id = 'ek-old' AND id = 'legacy-1';
SELECT throws_ok($$SELECT multitenant.get_key('legacy-9', 'ek-old')$$, 'XX001', NULL, 'a 1.2-format row under another id fails authentication');
UPDATE multitenant.encryption_keys SET id = 'legacy-1' WHERE instance_id = 'ek-old' AND id = 'legacy-9';

-- Rotation rewrites them in the 1.3 format, though they are under the
-- current master key already.  Other tenants' rows are under master keys
-- this test does not know; they are set aside (the transaction ends in
-- ROLLBACK).
DELETE FROM multitenant.encryption_keys WHERE instance_id NOT IN ('ek-a', 'ek-b', 'ek-old');
DELETE FROM saved;
INSERT INTO saved SELECT instance_id, id, key_data FROM multitenant.encryption_keys WHERE instance_id = 'ek-old';
SELECT is(multitenant.rotate_master_key(), 3::bigint, 'rotation re-encrypts the three 1.2-format rows, under the current master key too');
SELECT results_eq(
	$$SELECT e.id, e.key_format::int, e.master_key_id, e.rotation_date IS NOT NULL, e.key_data <> s.key_data, length(e.key_data) = length(s.key_data)
	    FROM multitenant.encryption_keys AS e JOIN saved AS s USING (instance_id, id) WHERE e.instance_id = 'ek-old' ORDER BY e.id$$,
	$$SELECT * FROM (VALUES ('legacy-1', 2, (SELECT f1 FROM fp), true, true, true), ('legacy-2', 2, (SELECT f1 FROM fp), true, true, true),
	                        ('legacy-old', 2, (SELECT f1 FROM fp), true, true, true)) AS v$$,
	'they are in the 1.3 format now, with new data and a rotation date; the expired one too');
SELECT is(multitenant.get_key('legacy-1', 'ek-old'), (SELECT m1 FROM k), 'and read to the same material');
SELECT is(multitenant.get_key('legacy-2', 'ek-old'), (SELECT m2 FROM k), 'with their algorithm and expiry');
SELECT throws_ok($$SELECT multitenant.get_key('legacy-old', 'ek-old')$$, '55000', NULL, 'the expired one stays refused');
UPDATE multitenant.encryption_keys SET algorithm = 'aes256' WHERE instance_id = 'ek-old' AND id = 'legacy-2';
SELECT throws_ok($$SELECT multitenant.get_key('legacy-2', 'ek-old')$$, 'XX001', NULL, 'their algorithm is authenticated now');
UPDATE multitenant.encryption_keys SET algorithm = 'hmac-sha256' WHERE instance_id = 'ek-old' AND id = 'legacy-2';
SELECT is(multitenant.rotate_master_key(), 0::bigint, 'a second rotation has nothing left to do');
DELETE FROM multitenant.encryption_keys WHERE instance_id = 'ek-old';

------------------------------------------------------------------------------
-- Other master keys
------------------------------------------------------------------------------
SELECT pg_temp.keys(k2) FROM k;
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-a')$$, '55000',
	format('encryption key "key-1" of tenant "ek-a" is stored under master key "%s", which is neither multitenant.master_key ("%s") nor multitenant.previous_master_key (not set)',
	       (SELECT f1 FROM fp), (SELECT f2 FROM fp)),
	'a different master key refuses to read, naming the fingerprints');
UPDATE multitenant.encryption_keys SET master_key_id = (SELECT f2 FROM fp) WHERE instance_id = 'ek-a' AND id = 'key-1';
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-a')$$, 'XX001', NULL,
	'a row relabelled with the current fingerprint fails authentication instead of decrypting to garbage');
UPDATE multitenant.encryption_keys SET master_key_id = (SELECT f1 FROM fp) WHERE instance_id = 'ek-a' AND id = 'key-1';

SELECT pg_temp.keys('') FROM k;
SELECT throws_ok($$SELECT multitenant.add_key('key-9', '\x01'::bytea, instance_id => 'ek-a')$$, '55000',
	'no master key is configured, so encryption key "key-9" of tenant "ek-a" cannot be stored', 'add_key needs a master key');
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-a')$$, '55000',
	'no master key is configured, so encryption key "key-1" of tenant "ek-a" cannot be read', 'get_key needs a master key');
SELECT throws_ok($$SELECT multitenant.rotate_master_key()$$, '55000',
	'no master key is configured, so encryption keys cannot be re-encrypted', 'rotate_master_key needs a master key');
SELECT pg_temp.keys('', k1) FROM k;
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-a')$$, '55000', NULL, 'a previous key alone is not enough');

------------------------------------------------------------------------------
-- Rotation
--
-- rotate_master_key covers every tenant.  Rows of other tenants (none in a
-- fresh database) are under keys this test does not know; they are set
-- aside in this transaction, which ends in ROLLBACK.
------------------------------------------------------------------------------
DELETE FROM multitenant.encryption_keys WHERE instance_id NOT IN ('ek-a', 'ek-b');

SELECT pg_temp.keys(k2, k1) FROM k;
SELECT is(multitenant.get_key('key-1', 'ek-a'), (SELECT m1 FROM k), 'before rotation, keys under the previous master key still read');
SELECT lives_ok($$SELECT multitenant.add_key('key-new', (SELECT m2 FROM k), instance_id => 'ek-a')$$, 'new keys go under the new master key');
SELECT is((SELECT master_key_id FROM multitenant.encryption_keys WHERE instance_id = 'ek-a' AND id = 'key-new'), (SELECT f2 FROM fp),
	'and carry its fingerprint');
DELETE FROM saved;
INSERT INTO saved SELECT instance_id, id, key_data FROM multitenant.encryption_keys WHERE instance_id IN ('ek-a', 'ek-b');

SELECT is(multitenant.rotate_master_key(), 4::bigint, 'rotation re-encrypts the four keys under the previous master key');
SELECT results_eq(
	$$SELECT e.id, e.master_key_id, e.rotation_date IS NOT NULL, e.key_data <> s.key_data
	    FROM multitenant.encryption_keys AS e JOIN saved AS s USING (instance_id, id)
	   WHERE e.instance_id IN ('ek-a', 'ek-b') ORDER BY e.instance_id, e.id$$,
	$$SELECT * FROM (VALUES ('key-1', (SELECT f2 FROM fp), true, true), ('key-2', (SELECT f2 FROM fp), true, true),
	                        ('key-3', (SELECT f2 FROM fp), true, true), ('key-new', (SELECT f2 FROM fp), false, false),
	                        ('key-1', (SELECT f2 FROM fp), true, true)) AS v$$,
	'every row is now under the new key; rotated rows have new data and a rotation date, the new key is untouched');
SELECT pg_temp.keys(k2) FROM k;
SELECT results_eq(
	$$SELECT multitenant.get_key(id, instance_id) FROM multitenant.encryption_keys
	   WHERE instance_id IN ('ek-a', 'ek-b') ORDER BY instance_id, id$$,
	$$SELECT m FROM k, LATERAL (VALUES (1, m1), (2, '\x01'::bytea), (3, m1), (4, m2), (5, m2)) AS v(n, m) ORDER BY n$$,
	'after rotation every key reads with the new master key alone, to the same material');
SELECT pg_temp.keys(k2, k1) FROM k;
SELECT is(multitenant.rotate_master_key(), 0::bigint, 'a second rotation has nothing left to do');

-- A key under a master key that is neither current nor previous: the rows
-- before it (in order) could be re-encrypted, but the call changes nothing.
SELECT pg_temp.keys(k1) FROM k;
SELECT lives_ok($$SELECT multitenant.add_key('zz-stray', '\x02'::bytea, instance_id => 'ek-b')$$, 'a key stored under the old master key');
SELECT pg_temp.keys(k3, k2) FROM k;
DELETE FROM saved;
INSERT INTO saved SELECT instance_id, id, key_data FROM multitenant.encryption_keys WHERE instance_id IN ('ek-a', 'ek-b');
CREATE TEMP TABLE before_rotation AS
SELECT instance_id, id, key_data, master_key_id, rotation_date FROM multitenant.encryption_keys WHERE instance_id IN ('ek-a', 'ek-b');
SELECT throws_ok($$SELECT multitenant.rotate_master_key()$$, '55000',
	format('encryption key "zz-stray" of tenant "ek-b" is stored under master key "%s", which is neither multitenant.master_key ("%s") nor multitenant.previous_master_key ("%s")',
	       (SELECT f1 FROM fp), (SELECT f3 FROM fp), (SELECT f2 FROM fp)),
	'rotation refuses a key under an unknown master key, naming it');
SELECT set_eq(
	$$SELECT instance_id, id, key_data, master_key_id, rotation_date FROM multitenant.encryption_keys WHERE instance_id IN ('ek-a', 'ek-b')$$,
	$$SELECT * FROM before_rotation$$,
	'and changes nothing');

-- A row that authenticates under neither key (altered data) stops rotation too.
DELETE FROM multitenant.encryption_keys WHERE instance_id = 'ek-b' AND id = 'zz-stray';
UPDATE multitenant.encryption_keys SET key_data = set_byte(key_data, 30, get_byte(key_data, 30) # 4)
 WHERE instance_id = 'ek-a' AND id = 'key-3';
DELETE FROM before_rotation;
INSERT INTO before_rotation
SELECT instance_id, id, key_data, master_key_id, rotation_date FROM multitenant.encryption_keys WHERE instance_id IN ('ek-a', 'ek-b');
SELECT throws_ok($$SELECT multitenant.rotate_master_key()$$, 'XX001',
	'encryption key "key-3" of tenant "ek-a" failed authentication', 'rotation refuses altered data');
SELECT set_eq(
	$$SELECT instance_id, id, key_data, master_key_id, rotation_date FROM multitenant.encryption_keys WHERE instance_id IN ('ek-a', 'ek-b')$$,
	$$SELECT * FROM before_rotation$$,
	'and changes nothing either');
UPDATE multitenant.encryption_keys AS e SET key_data = s.key_data
  FROM saved AS s WHERE s.instance_id = e.instance_id AND s.id = e.id AND e.instance_id = 'ek-a' AND e.id = 'key-3';
SELECT is(multitenant.rotate_master_key(), 5::bigint, 'repaired, the rotation to the third master key goes through');
SELECT is(multitenant.get_key('key-3', 'ek-a'), (SELECT m1 FROM k), 'and the keys still read');

------------------------------------------------------------------------------
-- Who may use keys
------------------------------------------------------------------------------
CREATE ROLE mt_ek_app NOLOGIN;
GRANT multitenant_app TO mt_ek_app;
CREATE ROLE mt_ek_admin NOLOGIN;
GRANT multitenant_admin TO mt_ek_admin;

SET LOCAL ROLE mt_ek_app;
SELECT multitenant.set_tenant('ek-a');
SELECT throws_ok($$SELECT multitenant.add_key('key-x', '\x01'::bytea)$$, '42501', NULL, 'the app role cannot add keys, even in its tenant');
SELECT throws_ok($$SELECT multitenant.get_key('key-1')$$, '42501', NULL, 'the app role cannot read keys, even of its tenant');
SELECT throws_ok($$SELECT multitenant.rotate_master_key()$$, '42501', NULL, 'the app role cannot rotate');
SELECT throws_ok($$SELECT count(*) FROM multitenant.encryption_keys$$, '42501', NULL, 'the app role cannot select key rows');
SELECT throws_ok($$SELECT current_setting('multitenant.master_key')$$, '42501', NULL, 'the app role cannot read the master key');
SELECT throws_ok($$SELECT current_setting('multitenant.previous_master_key', true)$$, '42501', NULL, 'nor the previous one, even with missing_ok');
SELECT throws_ok($$SET multitenant.master_key = '0000000000000000000000000000000000000000000000000000000000000000'$$, '42501', NULL,
	'the app role cannot set a master key');
SELECT multitenant.reset_tenant();
RESET ROLE;

-- The functions check the caller themselves, should EXECUTE be granted wider.
GRANT EXECUTE ON FUNCTION multitenant.add_key(text, bytea, text, timestamptz, text), multitenant.get_key(text, text),
	multitenant.rotate_master_key() TO mt_ek_app;
SET LOCAL ROLE mt_ek_app;
SELECT throws_ok($$SELECT multitenant.add_key('key-x', '\x01'::bytea, instance_id => 'ek-a')$$, '42501',
	'permission denied for function multitenant.add_key', 'with EXECUTE granted, add_key still refuses the app role');
SELECT throws_ok($$SELECT multitenant.get_key('key-1', 'ek-a')$$, '42501',
	'permission denied for function multitenant.get_key', 'get_key too');
SELECT throws_ok($$SELECT multitenant.rotate_master_key()$$, '42501',
	'permission denied for function multitenant.rotate_master_key', 'rotate_master_key too');
RESET ROLE;

SET LOCAL ROLE mt_ek_admin;
SELECT is(multitenant.get_key('key-1', 'ek-b'), (SELECT m2 FROM k), 'a non-superuser administrator reads keys of any tenant');
SELECT lives_ok($$SELECT multitenant.add_key('key-admin', '\x03'::bytea, instance_id => 'ek-b')$$, 'and adds them');
SELECT is((SELECT count(*)::int FROM multitenant.encryption_keys WHERE instance_id IN ('ek-a', 'ek-b')), 6, 'and may select the rows');
SELECT throws_ok($$DELETE FROM multitenant.encryption_keys WHERE instance_id = 'ek-b'$$, '42501', NULL, 'but not write them directly');
RESET ROLE;

------------------------------------------------------------------------------
-- Bad input
------------------------------------------------------------------------------
SELECT throws_ok($$SELECT multitenant.add_key(NULL, '\x01'::bytea, instance_id => 'ek-a')$$, '22004',
	'id of an encryption key of tenant "ek-a" must not be null', 'add_key: NULL id');
SELECT throws_ok($$SELECT multitenant.add_key('', '\x01'::bytea, instance_id => 'ek-a')$$, '22023',
	'id of an encryption key of tenant "ek-a" must not be empty', 'add_key: empty id');
SELECT throws_ok(format($$SELECT multitenant.add_key(%L, '\x01'::bytea, instance_id => 'ek-a')$$, repeat('i', 201)), '22001',
	'id of an encryption key of tenant "ek-a" is too long (201 bytes, at most 200)', 'add_key: id too long');
SELECT throws_ok($$SELECT multitenant.add_key('key-x', '\x01'::bytea)$$, '22004',
	'tenant of encryption key "key-x" must not be null', 'add_key: no tenant set and none given');
SELECT throws_ok($$SELECT multitenant.add_key('key-x', '\x01'::bytea, instance_id => '')$$, '22023',
	'tenant of encryption key "key-x" must not be empty', 'add_key: empty tenant');
SELECT throws_ok($$SELECT multitenant.add_key('key-x', NULL, instance_id => 'ek-a')$$, '22004',
	'key material of encryption key "key-x" of tenant "ek-a" must not be null', 'add_key: NULL material');
SELECT throws_ok($$SELECT multitenant.add_key('key-x', '\x'::bytea, instance_id => 'ek-a')$$, '22023',
	'key material of encryption key "key-x" of tenant "ek-a" must not be empty', 'add_key: empty material');
SELECT throws_ok($$SELECT multitenant.add_key('key-x', decode(repeat('ab', 65537), 'hex'), instance_id => 'ek-a')$$, '22001',
	'key material of encryption key "key-x" of tenant "ek-a" is too long (65537 bytes, at most 65536)', 'add_key: material over 64 KiB');
SELECT throws_ok($$SELECT multitenant.add_key('key-x', '\x01'::bytea, NULL, instance_id => 'ek-a')$$, '22004',
	'algorithm of encryption key "key-x" of tenant "ek-a" must not be null', 'add_key: NULL algorithm');
SELECT throws_ok($$SELECT multitenant.add_key('key-x', '\x01'::bytea, '', instance_id => 'ek-a')$$, '22023',
	'algorithm of encryption key "key-x" of tenant "ek-a" must not be empty', 'add_key: empty algorithm');
SELECT throws_ok($$SELECT multitenant.add_key('key-1', '\x01'::bytea, instance_id => 'ek-a')$$, '23505',
	'encryption key "key-1" of tenant "ek-a" already exists', 'add_key: duplicate id in the tenant');
SELECT is(multitenant.get_key('key-1', 'ek-a'), (SELECT m1 FROM k), 'the duplicate left the key as it was');
SELECT throws_ok($$SELECT multitenant.get_key('key-zz', 'ek-a')$$, '42704',
	'encryption key "key-zz" of tenant "ek-a" does not exist', 'get_key: unknown key');
SELECT throws_ok($$SELECT multitenant.get_key('key-admin', 'ek-a')$$, '42704', NULL, 'get_key: a key of another tenant does not exist here');
SELECT throws_ok($$SELECT multitenant.get_key(NULL, 'ek-a')$$, '22004', NULL, 'get_key: NULL id');
SELECT throws_ok($$SELECT multitenant.get_key('key-1', '')$$, '22023', NULL, 'get_key: empty tenant');
SELECT throws_ok($$SELECT multitenant.get_key('key-1')$$, '22004', NULL, 'get_key: no tenant set and none given');

------------------------------------------------------------------------------
-- instance.removed removes the tenant's keys, in the pushing transaction
------------------------------------------------------------------------------
SELECT pg_temp.keys(k3) FROM k;
SELECT multitenant.add_key(v.id, '\x21'::bytea, instance_id => v.tenant)
  FROM (VALUES ('ek-r1', 'r-1'), ('ek-r1', 'r-2'), ('ek-r2', 'r-1'), ('ek-r1-x', 'r-1'), ('ek-r3', 'r-1')) AS v(tenant, id);
SELECT lives_ok($$SELECT multitenant.push('instance', 'ek-r1', 'instance.removed', instance_id => 'ek-r1')$$, 'instance.removed for ek-r1');
SELECT results_eq(
	$$SELECT instance_id, id FROM multitenant.encryption_keys WHERE instance_id LIKE 'ek-r%' ORDER BY 1, 2$$,
	$$VALUES ('ek-r1-x', 'r-1'), ('ek-r2', 'r-1'), ('ek-r3', 'r-1')$$,
	'removes every key of ek-r1 and none of another tenant');

SAVEPOINT before_removal;
SELECT lives_ok($$SELECT multitenant.push_many('[{"aggregate_type": "instance", "aggregate_id": "ek-r2", "event_type": "instance.removed", "instance_id": "ek-r2"}]')$$,
	'instance.removed for ek-r2 through push_many');
SELECT is((SELECT count(*)::int FROM multitenant.encryption_keys WHERE instance_id = 'ek-r2'), 0, 'removes its keys too');
ROLLBACK TO SAVEPOINT before_removal;
SELECT is((SELECT count(*)::int FROM multitenant.encryption_keys WHERE instance_id = 'ek-r2'), 1,
	'rolling the push back brings the keys back: they went in the same transaction');

-- The application may remove its own tenant; the keys go with it, though it
-- cannot touch the table.
SELECT multitenant.reset_tenant();
SELECT multitenant.set_tenant('ek-r3');
SET LOCAL ROLE mt_ek_app;
SELECT lives_ok($$SELECT multitenant.push('instance', 'ek-r3', 'instance.removed')$$, 'the app role pushes instance.removed for its tenant');
RESET ROLE;
SELECT multitenant.reset_tenant();
SELECT is((SELECT count(*)::int FROM multitenant.encryption_keys WHERE instance_id = 'ek-r3'), 0, 'and the tenant''s keys are gone');

-- A tenant added again keeps the keys it gets then, and rebuild (which
-- replays instance.removed into the projections) leaves them alone.
SELECT FROM multitenant.push('instance', 'ek-r1', 'instance.added', '{"name": "again"}', instance_id => 'ek-r1');
SELECT multitenant.add_key('r-new', '\x22'::bytea, instance_id => 'ek-r1');
SELECT cmp_ok(multitenant.rebuild(), '>=', 3::bigint, 'a full rebuild replays the removal');
SELECT is(multitenant.get_key('r-new', 'ek-r1'), '\x22'::bytea, 'and the key added after it is still there');

------------------------------------------------------------------------------
-- The settings
------------------------------------------------------------------------------
SELECT throws_ok($$SET LOCAL multitenant.master_key = 'abc'$$, '22023',
	'multitenant.master_key must be empty or exactly 64 hexadecimal characters (32 bytes)', 'a short master key is refused');
SELECT throws_ok(format('SET LOCAL multitenant.previous_master_key = %L', repeat('g', 64)), '22023',
	'multitenant.previous_master_key must be empty or exactly 64 hexadecimal characters (32 bytes)', 'a non-hex master key is refused');
SELECT throws_ok(format('ALTER ROLE mt_ek_app SET multitenant.master_key = %L', repeat('ab', 32)), '22023',
	'multitenant.master_key cannot be stored as a database, role or function setting',
	'a master key cannot be stored as a role setting (pg_db_role_setting is readable by everyone)');
SELECT throws_ok(format('CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql SET multitenant.previous_master_key = %L AS ''SELECT 1''', repeat('ab', 32)), '22023',
	'multitenant.previous_master_key cannot be stored as a database, role or function setting',
	'nor as a function setting (pg_proc is readable by everyone)');

CREATE FUNCTION pg_temp.show_all() RETURNS SETOF text LANGUAGE plpgsql
AS $$ DECLARE r record; BEGIN FOR r IN EXECUTE 'SHOW ALL' LOOP RETURN NEXT r.name; END LOOP; END $$;
GRANT EXECUTE ON FUNCTION pg_temp.show_all() TO PUBLIC;
SELECT is((SELECT count(*)::int FROM pg_temp.show_all() AS s WHERE s LIKE 'multitenant.%master_key'), 0,
	'SHOW ALL omits the master keys');
SELECT is((SELECT count(*)::int FROM pg_settings WHERE name LIKE 'multitenant.%master_key'), 0, 'and so does pg_settings');
SET LOCAL ROLE mt_ek_app;
SELECT ok((SELECT count(*) > 0 FROM pg_temp.show_all()) AND (SELECT count(*) = 0 FROM pg_temp.show_all() AS s WHERE s LIKE 'multitenant.%master_key'),
	'SHOW ALL omits them for the app role');
RESET ROLE;
-- Members of pg_read_all_settings (e.g. monitoring roles via pg_monitor) may
-- read superuser-only settings; they learn only that a key is set.
CREATE ROLE mt_ek_monitor NOLOGIN;
GRANT pg_read_all_settings TO mt_ek_monitor;
SELECT pg_temp.keys(k3, '') FROM k;
SET LOCAL ROLE mt_ek_monitor;
SELECT is(current_setting('multitenant.master_key'), '(hidden)', 'pg_read_all_settings members see the master key hidden');
SELECT is(current_setting('multitenant.previous_master_key'), '', 'and an unset previous key as empty');
RESET ROLE;
SELECT is(current_setting('multitenant.master_key'), (SELECT k3 FROM k), 'superusers see the key itself');

SELECT * FROM finish();
ROLLBACK;
