/* multitenant 1.2 -> 1.3: isolation hardening */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.3'" to load this file. \quit

------------------------------------------------------------------------------
-- Encryption keys: the algorithm and the expiry authenticated with the key
-- material, expired keys refused (src/encryption_keys.c)
------------------------------------------------------------------------------

-- key_format says what the GCM tag of key_data authenticates: 1, the 1.2
-- format, the tenant and the id; 2, also the algorithm, the expiry and the
-- format itself.  Every row that exists here was written by 1.2, and a row
-- written without naming its format (by a session that still runs 1.2's
-- statements) is in the 1.2 format too, hence the default; add_key names
-- format 2.  The marker only selects what must authenticate: the two formats'
-- authenticated data can never be equal, so a flipped marker fails
-- authentication.  rotate_master_key rewrites format 1 rows into format 2.
ALTER TABLE @extschema@.encryption_keys
	ADD COLUMN key_format smallint NOT NULL DEFAULT 1,
	ADD CONSTRAINT encryption_keys_key_format_check
		CHECK (key_format OPERATOR(pg_catalog.=) 1 OR key_format OPERATOR(pg_catalog.=) 2);
