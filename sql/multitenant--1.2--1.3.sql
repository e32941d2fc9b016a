/* multitenant 1.2 -> 1.3: isolation hardening */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.3'" to load this file. \quit

------------------------------------------------------------------------------
-- Event types: the declared-types guard and aggregate versions.
--
-- A stored event can never be removed, so a misspelt event type would stay
-- forever.  With multitenant.require_declared_event_types on (a superuser
-- setting, off by default), push refuses a type that no reducer reduces and
-- nobody declared; the built-in types are reduced, so they count as
-- declared.  The declarations are global, like the reducer registry.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.event_types (
	event_type  text        PRIMARY KEY CHECK (event_type OPERATOR(pg_catalog.<>) ''),
	declared_by regrole     NOT NULL,
	declared_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- Backends cache which types are known; a removed declaration must reach them.
CREATE TRIGGER event_types_changed
	AFTER UPDATE OR DELETE OR TRUNCATE ON @extschema@.event_types
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.reducers_changed();

GRANT SELECT ON @extschema@.event_types TO multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.event_types', '');

CREATE FUNCTION @extschema@.declare_event_type(event_type text)
RETURNS void
AS 'MODULE_PATHNAME', 'mt_declare_event_type'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

CREATE FUNCTION @extschema@.aggregate_version(aggregate_type text, aggregate_id text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'mt_aggregate_version'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp;

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

------------------------------------------------------------------------------
-- Who may call what (keep this section last: it covers every function).
--
-- Only current_tenant() stays executable by everyone: the tenant policies and
-- the instance_id defaults of every tenant table call it, whoever queries
-- them.  Everything else is granted to the extension's roles explicitly.
------------------------------------------------------------------------------

DO $grants$
DECLARE
	fn pg_catalog.regprocedure;
BEGIN
	FOR fn IN
		SELECT p.oid::pg_catalog.regprocedure FROM pg_catalog.pg_proc AS p
		 WHERE p.pronamespace OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace
		   AND p.oid OPERATOR(pg_catalog.<>) '@extschema@.current_tenant()'::pg_catalog.regprocedure
	LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
	END LOOP;
END
$grants$;

GRANT EXECUTE ON FUNCTION
	@extschema@.set_tenant(text, text, boolean),
	@extschema@.reset_tenant(),
	@extschema@.payload_text(jsonb, text),
	@extschema@.payload_bool(jsonb, text),
	@extschema@.payload_bigint(jsonb, text),
	@extschema@.payload_smallint(jsonb, text),
	@extschema@.payload_text_array(jsonb, text),
	@extschema@.payload_smallint_array(jsonb, text),
	@extschema@.payload_bytea(jsonb, text),
	@extschema@.payload_timestamptz(jsonb, text),
	@extschema@.payload_sha256(jsonb, text),
	@extschema@.push(text, text, text, jsonb, bigint, text, text, text, timestamptz),
	@extschema@.push_many(jsonb),
	@extschema@.read_events(bigint, integer),
	@extschema@.aggregate_version(text, text),
	@extschema@.instance_by_domain(text),
	@extschema@.user_by_id(text, text),
	@extschema@.user_by_login_name(text, text),
	@extschema@.org_by_domain(text, text),
	@extschema@.has_role(text, text, text, text),
	@extschema@.create_pat(text, timestamptz, text[]),
	@extschema@.authenticate_pat(text),
	@extschema@.record_auth_check(text, text, boolean, text)
TO multitenant_app, multitenant_admin;

GRANT EXECUTE ON FUNCTION @extschema@.declare_event_type(text) TO multitenant_admin;
