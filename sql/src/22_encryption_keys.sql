/*
 * Encryption keys: key material encrypted at rest under the server's master
 * key (AES-256-GCM through OpenSSL), and the only functions that put plain
 * key material in or take it out.
 */

-- Zitadel keeps its symmetric keys in one global table; here every tenant
-- has its own keys.  key_data is
-- nonce (12 bytes) || ciphertext || GCM tag (16 bytes), authenticated together
-- with instance_id and id (and, in key_format 2, the algorithm and the
-- expiry), so a value moved to another row or tenant, or relabelled, does not
-- decrypt.  get_key refuses a key past its expired_at, and pushing a tenant's
-- instance.removed deletes its keys in the same transaction (keys are no
-- projection: rebuild never touches them).  master_key_id is the fingerprint of the master key that encrypted
-- the row (see src/encryption_keys.c), which tells rotate_master_key what is
-- left to re-encrypt.  Applications never read key rows, not even encrypted:
-- only multitenant_admin may select them, and add_key / get_key /
-- rotate_master_key are the only way in or out of plain key material.
CREATE TABLE @extschema@.encryption_keys (
	instance_id   text        NOT NULL,
	id            text        NOT NULL,
	algorithm     text        NOT NULL,
	key_data      bytea       NOT NULL,
	master_key_id text        NOT NULL,
	created_at    timestamptz NOT NULL,
	rotation_date timestamptz,
	expired_at    timestamptz,
	-- What the GCM tag of key_data authenticates: 1 (as 1.2 stored keys), the
	-- tenant and the id; 2, also the algorithm, the expiry and the format
	-- itself.  The two formats' authenticated data can never be equal, so a
	-- flipped marker fails authentication.  add_key names format 2; the
	-- default keeps a row written without naming it (by a session still on
	-- 1.2's statements) in the format it really has.  rotate_master_key
	-- rewrites format 1 rows into format 2.
	key_format    smallint    NOT NULL DEFAULT 1,
	CONSTRAINT encryption_keys_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT encryption_keys_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT encryption_keys_id_check CHECK (id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT encryption_keys_algorithm_check CHECK (algorithm OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT encryption_keys_key_format_check
		CHECK (key_format OPERATOR(pg_catalog.=) 1 OR key_format OPERATOR(pg_catalog.=) 2)
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.encryption_keys');
GRANT SELECT ON @extschema@.encryption_keys TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.encryption_keys', '');

CREATE FUNCTION @extschema@.add_key(
	id text,
	key_material bytea,
	algorithm text DEFAULT 'aes256',
	expired_at timestamptz DEFAULT NULL,
	instance_id text DEFAULT @extschema@.current_tenant())
RETURNS void
AS 'MODULE_PATHNAME', 'mt_add_key'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

CREATE FUNCTION @extschema@.get_key(id text, instance_id text DEFAULT @extschema@.current_tenant())
RETURNS bytea
AS 'MODULE_PATHNAME', 'mt_get_key'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

-- Re-encrypts under multitenant.master_key every key stored under
-- multitenant.previous_master_key, in the calling transaction; returns how
-- many.  A key under any other master key fails the call and changes nothing.
CREATE FUNCTION @extschema@.rotate_master_key()
RETURNS bigint
AS 'MODULE_PATHNAME', 'mt_rotate_master_key'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

-- The C functions check the caller again (42501), in case EXECUTE is granted wider.
GRANT EXECUTE ON FUNCTION
	@extschema@.add_key(text, bytea, text, timestamptz, text),
	@extschema@.get_key(text, text),
	@extschema@.rotate_master_key()
TO multitenant_admin;

