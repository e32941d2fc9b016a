/*
 * Identity projections: users (with their human, machine and notification
 * rows), user metadata, login names, sessions, auth requests, milestones,
 * quotas and limits; each table is followed by its indexes, isolation,
 * grants and reducers.
 *
 * These tables were single-tenant before version 1.1 adopted them
 * (adopt_table), and their columns keep the order that left: the tenant
 * columns Zitadel's table lacks (instance_id, change_date, resource_owner,
 * sequence) come after Zitadel's own, instance_id defaults to the current
 * tenant and change_date is nullable.  The order is part of the tables' row
 * types, so a fresh install creates them the same way.  Keys and indexes are
 * led by instance_id and foreign keys include it.  The reducers never name
 * the tenant: the engine adds it to every match and fills the standard
 * columns (instance_id, change_date, resource_owner, sequence) that exist.
 *
 * Payload conventions: Go []byte values are base64 strings, Go time.Duration
 * values are integers in nanoseconds.  Where Zitadel decodes an absent key
 * into a Go zero value and stores it in a NOT NULL column, the reducer does
 * the same with COALESCE; nullable columns get NULL.
 */

------------------------------------------------------------------------------
-- users_projection (Zitadel projections.users14) and its detail tables.
-- UserState: 1 active, 2 inactive, 3 deleted, 4 locked, 5 suspend,
-- 6 initial.  UserType: 1 human, 2 machine.  Removing a user deletes the row
-- (state 3 is not written); the detail rows follow by ON DELETE CASCADE.
-- instance_id stands among Zitadel's columns: users recorded their instance
-- before the table was adopted, only the key was the user id alone.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.users_projection (
	id             text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	state          smallint    NOT NULL,
	resource_owner text        NOT NULL,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	username       text        NOT NULL,
	type           smallint    NOT NULL,
	change_date    timestamptz,
	username_lower text        GENERATED ALWAYS AS (pg_catalog.lower(username)) STORED,
	CONSTRAINT users_projection_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT users_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- org.removed cascades by resource_owner.
CREATE INDEX users_projection_resource_owner_idx ON @extschema@.users_projection (instance_id, resource_owner);
-- Lookups compare names and domains lower-cased (case does not matter),
-- against copies that PostgreSQL keeps itself (username_lower here), so that
-- a plain btree index answers them with "=".
CREATE INDEX users_projection_username_lower_idx
	ON @extschema@.users_projection (instance_id, username_lower);

SELECT @extschema@.enable_tenant_isolation('@extschema@.users_projection');
GRANT SELECT ON @extschema@.users_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.users_projection', '');

-- Gender: 1 female, 2 male, 3 diverse (unspecified is NULL).
CREATE TABLE @extschema@.users_projection_humans (
	user_id                  text        NOT NULL,
	first_name               text        NOT NULL,
	last_name                text        NOT NULL,
	nick_name                text,
	display_name             text,
	preferred_language       text,
	gender                   smallint,
	avatar_key               text,
	email                    text        NOT NULL,
	is_email_verified        boolean     NOT NULL DEFAULT false,
	phone                    text,
	is_phone_verified        boolean,
	password_change_required boolean     NOT NULL,
	password_changed         timestamptz,
	mfa_init_skipped         timestamptz,
	instance_id              text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date              timestamptz,
	resource_owner           text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence                 bigint      NOT NULL DEFAULT 0,
	CONSTRAINT users_projection_humans_pkey PRIMARY KEY (instance_id, user_id),
	CONSTRAINT users_projection_humans_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT users_projection_humans_user_id_fkey FOREIGN KEY (instance_id, user_id)
		REFERENCES @extschema@.users_projection (instance_id, id) ON DELETE CASCADE
);

-- Login by e-mail address compares case-insensitively.
CREATE INDEX users_projection_humans_email_idx ON @extschema@.users_projection_humans (instance_id, pg_catalog.lower(email));

SELECT @extschema@.enable_tenant_isolation('@extschema@.users_projection_humans');
GRANT SELECT ON @extschema@.users_projection_humans TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.users_projection_humans', '');

-- access_token_type: 0 bearer, 1 jwt.  secret is the stored client secret
-- (the Crypted bytes of a legacy CryptoValue as text, or a hash).
CREATE TABLE @extschema@.users_projection_machines (
	user_id           text        NOT NULL,
	name              text        NOT NULL,
	description       text,
	secret            text,
	access_token_type smallint    NOT NULL DEFAULT 0,
	instance_id       text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date       timestamptz,
	resource_owner    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence          bigint      NOT NULL DEFAULT 0,
	CONSTRAINT users_projection_machines_pkey PRIMARY KEY (instance_id, user_id),
	CONSTRAINT users_projection_machines_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT users_projection_machines_user_id_fkey FOREIGN KEY (instance_id, user_id)
		REFERENCES @extschema@.users_projection (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.users_projection_machines');
GRANT SELECT ON @extschema@.users_projection_machines TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.users_projection_machines', '');

-- Where notifications go: the last address given and the last one verified.
CREATE TABLE @extschema@.users_projection_notifications (
	user_id        text        NOT NULL,
	last_email     text,
	verified_email text,
	last_phone     text,
	verified_phone text,
	password_set   boolean     NOT NULL DEFAULT false,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	resource_owner text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence       bigint      NOT NULL DEFAULT 0,
	CONSTRAINT users_projection_notifications_pkey PRIMARY KEY (instance_id, user_id),
	CONSTRAINT users_projection_notifications_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT users_projection_notifications_user_id_fkey FOREIGN KEY (instance_id, user_id)
		REFERENCES @extschema@.users_projection (instance_id, id) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.users_projection_notifications');
GRANT SELECT ON @extschema@.users_projection_notifications TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.users_projection_notifications', '');

------------------------------------------------------------------------------
-- Reducers: users_projection and details (aggregate `user`, user id = the
-- aggregate id).  Zitadel's v1 event spellings (user.added, user.phone.*, …)
-- reduce like the human.* ones.  Main-row reducers are registered before the
-- detail ones, so that inserts satisfy the foreign keys.
------------------------------------------------------------------------------

-- Human added / self-registered.  Empty nick / display names and phones are
-- NULL, "und" is no preferred language, gender 0 (or out of range) is
-- unspecified.  A password was given when the payload carries a non-empty
-- encodedHash or a legacy secret (CryptoValue) with non-empty Crypted bytes.
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.added', 'insert',
	set => $${"username": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')",
	          "state": "1",
	          "type": "1"}$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.added', 'insert',
	set => $${"first_name": "COALESCE(multitenant.payload_text(e.payload, 'firstName'), '')",
	          "last_name": "COALESCE(multitenant.payload_text(e.payload, 'lastName'), '')",
	          "nick_name": "NULLIF(multitenant.payload_text(e.payload, 'nickName'), '')",
	          "display_name": "NULLIF(multitenant.payload_text(e.payload, 'displayName'), '')",
	          "preferred_language": "NULLIF(NULLIF(multitenant.payload_text(e.payload, 'preferredLanguage'), ''), 'und')",
	          "gender": "CASE WHEN multitenant.payload_smallint(e.payload, 'gender') BETWEEN 1 AND 3 THEN multitenant.payload_smallint(e.payload, 'gender') END",
	          "email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_change_required": "COALESCE(multitenant.payload_bool(e.payload, 'changeRequired'), false)",
	          "password_changed": "CASE WHEN COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0 THEN e.created_at END"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.added', 'insert',
	set => $${"last_email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "last_phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_set": "COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0"}$$,
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.added', 'insert',
	set => $${"username": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')",
	          "state": "1",
	          "type": "1"}$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.added', 'insert',
	set => $${"first_name": "COALESCE(multitenant.payload_text(e.payload, 'firstName'), '')",
	          "last_name": "COALESCE(multitenant.payload_text(e.payload, 'lastName'), '')",
	          "nick_name": "NULLIF(multitenant.payload_text(e.payload, 'nickName'), '')",
	          "display_name": "NULLIF(multitenant.payload_text(e.payload, 'displayName'), '')",
	          "preferred_language": "NULLIF(NULLIF(multitenant.payload_text(e.payload, 'preferredLanguage'), ''), 'und')",
	          "gender": "CASE WHEN multitenant.payload_smallint(e.payload, 'gender') BETWEEN 1 AND 3 THEN multitenant.payload_smallint(e.payload, 'gender') END",
	          "email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_change_required": "COALESCE(multitenant.payload_bool(e.payload, 'changeRequired'), false)",
	          "password_changed": "CASE WHEN COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0 THEN e.created_at END"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.added', 'insert',
	set => $${"last_email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "last_phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_set": "COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0"}$$,
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.selfregistered', 'insert',
	set => $${"username": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')",
	          "state": "1",
	          "type": "1"}$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.selfregistered', 'insert',
	set => $${"first_name": "COALESCE(multitenant.payload_text(e.payload, 'firstName'), '')",
	          "last_name": "COALESCE(multitenant.payload_text(e.payload, 'lastName'), '')",
	          "nick_name": "NULLIF(multitenant.payload_text(e.payload, 'nickName'), '')",
	          "display_name": "NULLIF(multitenant.payload_text(e.payload, 'displayName'), '')",
	          "preferred_language": "NULLIF(NULLIF(multitenant.payload_text(e.payload, 'preferredLanguage'), ''), 'und')",
	          "gender": "CASE WHEN multitenant.payload_smallint(e.payload, 'gender') BETWEEN 1 AND 3 THEN multitenant.payload_smallint(e.payload, 'gender') END",
	          "email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_change_required": "COALESCE(multitenant.payload_bool(e.payload, 'changeRequired'), false)",
	          "password_changed": "CASE WHEN COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0 THEN e.created_at END"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.selfregistered', 'insert',
	set => $${"last_email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "last_phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_set": "COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0"}$$,
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.selfregistered', 'insert',
	set => $${"username": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')",
	          "state": "1",
	          "type": "1"}$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.selfregistered', 'insert',
	set => $${"first_name": "COALESCE(multitenant.payload_text(e.payload, 'firstName'), '')",
	          "last_name": "COALESCE(multitenant.payload_text(e.payload, 'lastName'), '')",
	          "nick_name": "NULLIF(multitenant.payload_text(e.payload, 'nickName'), '')",
	          "display_name": "NULLIF(multitenant.payload_text(e.payload, 'displayName'), '')",
	          "preferred_language": "NULLIF(NULLIF(multitenant.payload_text(e.payload, 'preferredLanguage'), ''), 'und')",
	          "gender": "CASE WHEN multitenant.payload_smallint(e.payload, 'gender') BETWEEN 1 AND 3 THEN multitenant.payload_smallint(e.payload, 'gender') END",
	          "email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_change_required": "COALESCE(multitenant.payload_bool(e.payload, 'changeRequired'), false)",
	          "password_changed": "CASE WHEN COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0 THEN e.created_at END"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.selfregistered', 'insert',
	set => $${"last_email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "last_phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')",
	          "password_set": "COALESCE(multitenant.payload_text(e.payload, 'encodedHash'), '') <> '' OR COALESCE(pg_catalog.length(COALESCE(multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'Crypted'), multitenant.payload_bytea(NULLIF(e.payload -> 'secret', 'null'), 'crypted'))), 0) > 0"}$$,
	match => '{"user_id": "e.aggregate_id"}');

-- Machine added: no notifications row.  An empty description is NULL.
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.machine.added', 'insert',
	set => $${"username": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')",
	          "state": "1",
	          "type": "2"}$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection_machines', 'user.machine.added', 'insert',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), '')",
	          "description": "NULLIF(multitenant.payload_text(e.payload, 'description'), '')",
	          "access_token_type": "COALESCE(multitenant.payload_smallint(e.payload, 'accessTokenType'), 0)"}$$,
	match => '{"user_id": "e.aggregate_id"}');

-- Initialisation code and its check change the state without touching
-- change_date / sequence.
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.initialization.code.added', 'update',
	set => '{"state": "6"}', touch => false);
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.initialization.code.added', 'update',
	set => '{"state": "6"}', touch => false);
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.initialization.check.succeeded', 'update',
	set => '{"state": "1"}', touch => false);
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.initialization.check.succeeded', 'update',
	set => '{"state": "1"}', touch => false);

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.locked', 'update',
	set => '{"state": "4"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.unlocked', 'update',
	set => '{"state": "1"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.deactivated', 'update',
	set => '{"state": "2"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.reactivated', 'update',
	set => '{"state": "1"}');

-- Detail rows go with the main row (ON DELETE CASCADE).
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.username.changed', 'update',
	set => $${"username": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.domain.claimed', 'update',
	set => $${"username": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$);

-- Profile: the main row is always touched; of the human row only the keys
-- present change (an empty first or last name counts as absent).
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.profile.changed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.profile.changed', 'update',
	set => $${"first_name": "COALESCE(NULLIF(multitenant.payload_text(e.payload, 'firstName'), ''), t.first_name)",
	          "last_name": "COALESCE(NULLIF(multitenant.payload_text(e.payload, 'lastName'), ''), t.last_name)",
	          "nick_name": "COALESCE(multitenant.payload_text(e.payload, 'nickName'), t.nick_name)",
	          "display_name": "COALESCE(multitenant.payload_text(e.payload, 'displayName'), t.display_name)",
	          "preferred_language": "COALESCE(multitenant.payload_text(e.payload, 'preferredLanguage'), t.preferred_language)",
	          "gender": "COALESCE(multitenant.payload_smallint(e.payload, 'gender'), t.gender)"}$$,
	match => '{"user_id": "e.aggregate_id"}',
	"when" => $$multitenant.payload_text(e.payload, 'firstName') <> '' OR multitenant.payload_text(e.payload, 'lastName') <> '' OR pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['nickName', 'displayName', 'preferredLanguage', 'gender']$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.profile.changed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.profile.changed', 'update',
	set => $${"first_name": "COALESCE(NULLIF(multitenant.payload_text(e.payload, 'firstName'), ''), t.first_name)",
	          "last_name": "COALESCE(NULLIF(multitenant.payload_text(e.payload, 'lastName'), ''), t.last_name)",
	          "nick_name": "COALESCE(multitenant.payload_text(e.payload, 'nickName'), t.nick_name)",
	          "display_name": "COALESCE(multitenant.payload_text(e.payload, 'displayName'), t.display_name)",
	          "preferred_language": "COALESCE(multitenant.payload_text(e.payload, 'preferredLanguage'), t.preferred_language)",
	          "gender": "COALESCE(multitenant.payload_smallint(e.payload, 'gender'), t.gender)"}$$,
	match => '{"user_id": "e.aggregate_id"}',
	"when" => $$multitenant.payload_text(e.payload, 'firstName') <> '' OR multitenant.payload_text(e.payload, 'lastName') <> '' OR pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['nickName', 'displayName', 'preferredLanguage', 'gender']$$);

-- Phone changed: unverified again; notifications keep the new number (NULL
-- when empty).
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.phone.changed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.phone.changed', 'update',
	set => $${"phone": "COALESCE(multitenant.payload_text(e.payload, 'phone'), '')",
	          "is_phone_verified": "false"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.phone.changed', 'update',
	set => $${"last_phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.phone.changed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.phone.changed', 'update',
	set => $${"phone": "COALESCE(multitenant.payload_text(e.payload, 'phone'), '')",
	          "is_phone_verified": "false"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.phone.changed', 'update',
	set => $${"last_phone": "NULLIF(multitenant.payload_text(e.payload, 'phone'), '')"}$$,
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.phone.removed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.phone.removed', 'update',
	set => '{"phone": "NULL", "is_phone_verified": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.phone.removed', 'update',
	set => '{"last_phone": "NULL", "verified_phone": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.phone.removed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.phone.removed', 'update',
	set => '{"phone": "NULL", "is_phone_verified": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.phone.removed', 'update',
	set => '{"last_phone": "NULL", "verified_phone": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');

-- Verified: notifications go to the last number / address given.
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.phone.verified', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.phone.verified', 'update',
	set => '{"is_phone_verified": "true"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.phone.verified', 'update',
	set => '{"verified_phone": "t.last_phone"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.phone.verified', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.phone.verified', 'update',
	set => '{"is_phone_verified": "true"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.phone.verified', 'update',
	set => '{"verified_phone": "t.last_phone"}',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.email.changed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.email.changed', 'update',
	set => $${"email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "is_email_verified": "false"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.email.changed', 'update',
	set => $${"last_email": "NULLIF(multitenant.payload_text(e.payload, 'email'), '')"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.email.changed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.email.changed', 'update',
	set => $${"email": "COALESCE(multitenant.payload_text(e.payload, 'email'), '')",
	          "is_email_verified": "false"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.email.changed', 'update',
	set => $${"last_email": "NULLIF(multitenant.payload_text(e.payload, 'email'), '')"}$$,
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.email.verified', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.email.verified', 'update',
	set => '{"is_email_verified": "true"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.email.verified', 'update',
	set => '{"verified_email": "t.last_email"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.email.verified', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.email.verified', 'update',
	set => '{"is_email_verified": "true"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.email.verified', 'update',
	set => '{"verified_email": "t.last_email"}',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.avatar.added', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.avatar.added', 'update',
	set => $${"avatar_key": "COALESCE(multitenant.payload_text(e.payload, 'storeKey'), '')"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.human.avatar.removed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.avatar.removed', 'update',
	set => '{"avatar_key": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');

-- Password changed: the main row stays untouched.
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.password.changed', 'update',
	set => $${"password_change_required": "COALESCE(multitenant.payload_bool(e.payload, 'changeRequired'), false)",
	          "password_changed": "e.created_at"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'user.human.password.changed', 'update',
	set => '{"password_set": "true"}',
	match => '{"user_id": "e.aggregate_id"}');

-- Machine changed: only the keys present change; no-op without any.
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.machine.changed', 'update',
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['name', 'description', 'accessTokenType']$$);
SELECT @extschema@.register_reducer('@extschema@.users_projection_machines', 'user.machine.changed', 'update',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'name'), t.name)",
	          "description": "COALESCE(multitenant.payload_text(e.payload, 'description'), t.description)",
	          "access_token_type": "COALESCE(multitenant.payload_smallint(e.payload, 'accessTokenType'), t.access_token_type)"}$$,
	match => '{"user_id": "e.aggregate_id"}',
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['name', 'description', 'accessTokenType']$$);

-- Machine secret: the Crypted bytes of a legacy CryptoValue (Go field names,
-- read case-insensitively like Go) as text, else the hashed secret.
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.machine.secret.set', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_machines', 'user.machine.secret.set', 'update',
	set => $${"secret": "COALESCE(COALESCE(multitenant.payload_utf8(NULLIF(e.payload -> 'clientSecret', 'null'), 'Crypted'), multitenant.payload_utf8(NULLIF(e.payload -> 'clientSecret', 'null'), 'crypted')), multitenant.payload_text(e.payload, 'hashedSecret'))"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.machine.secret.updated', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_machines', 'user.machine.secret.updated', 'update',
	set => $${"secret": "multitenant.payload_text(e.payload, 'hashedSecret')"}$$,
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'user.machine.secret.removed', 'update');
SELECT @extschema@.register_reducer('@extschema@.users_projection_machines', 'user.machine.secret.removed', 'update',
	set => '{"secret": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');

-- MFA initialisation skipped, and undone by any second factor becoming
-- ready.  Only the human row changes.  (The v1 skip event is spelled
-- user.mfa.otp.init.skipped.)
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.mfa.init.skipped', 'update',
	set => '{"mfa_init_skipped": "e.created_at"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.mfa.otp.init.skipped', 'update',
	set => '{"mfa_init_skipped": "e.created_at"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.mfa.otp.verified', 'update',
	set => '{"mfa_init_skipped": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.mfa.otp.verified', 'update',
	set => '{"mfa_init_skipped": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.mfa.otp.sms.added', 'update',
	set => '{"mfa_init_skipped": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.mfa.otp.email.added', 'update',
	set => '{"mfa_init_skipped": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.mfa.u2f.token.verified', 'update',
	set => '{"mfa_init_skipped": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'user.human.passwordless.token.verified', 'update',
	set => '{"mfa_init_skipped": "NULL"}',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.users_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.users_projection', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_humans', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_machines', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.users_projection_notifications', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- user_metadata (Zitadel projections.user_metadata5)
-- value holds the raw bytes (base64 in the event payload).
------------------------------------------------------------------------------

CREATE TABLE @extschema@.user_metadata (
	user_id        text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	resource_owner text        NOT NULL,
	key            text        NOT NULL,
	value          bytea,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	CONSTRAINT user_metadata_pkey PRIMARY KEY (instance_id, user_id, key),
	CONSTRAINT user_metadata_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT user_metadata_user_id_fkey FOREIGN KEY (instance_id, user_id)
		REFERENCES @extschema@.users_projection (instance_id, id) ON DELETE CASCADE
);

-- org.removed cascades by resource_owner.
CREATE INDEX user_metadata_resource_owner_idx ON @extschema@.user_metadata (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.user_metadata');
GRANT SELECT ON @extschema@.user_metadata TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.user_metadata', '');

------------------------------------------------------------------------------
-- Reducers: user_metadata (aggregate `user`)
------------------------------------------------------------------------------

-- Upsert on (user_id, key): a key set again keeps its creation_date.
SELECT @extschema@.register_reducer('@extschema@.user_metadata', 'user.metadata.set', 'upsert',
	set => $${"value": "multitenant.payload_bytea(e.payload, 'value')"}$$,
	match => $${"user_id": "e.aggregate_id",
	            "key": "COALESCE(multitenant.payload_text(e.payload, 'key'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_metadata', 'user.metadata.removed', 'delete',
	match => $${"user_id": "e.aggregate_id",
	            "key": "COALESCE(multitenant.payload_text(e.payload, 'key'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_metadata', 'user.metadata.removed.all', 'delete',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.user_metadata', 'user.removed', 'delete',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.user_metadata', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.user_metadata', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- login_names_projection (Zitadel projections.login_names3): a view
-- over three lookup tables (Zitadel's hold no dates or sequences).  The domains
-- table holds verified org domains only; a policy's resource_owner is the
-- org (custom policy) or the instance (default policy, is_default).
------------------------------------------------------------------------------

CREATE TABLE @extschema@.login_names_projection_users (
	id             text        NOT NULL,
	user_name      text        NOT NULL,
	resource_owner text        NOT NULL,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	sequence       bigint      NOT NULL DEFAULT 0,
	CONSTRAINT login_names_projection_users_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT login_names_projection_users_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- The view joins users to their org's policy and domains; org.removed
-- cascades by resource_owner.
CREATE INDEX login_names_projection_users_resource_owner_idx ON @extschema@.login_names_projection_users (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.login_names_projection_users');
GRANT SELECT ON @extschema@.login_names_projection_users TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.login_names_projection_users', '');

CREATE TABLE @extschema@.login_names_projection_domains (
	name           text        NOT NULL,
	is_primary     boolean     NOT NULL DEFAULT false,
	resource_owner text        NOT NULL,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	sequence       bigint      NOT NULL DEFAULT 0,
	name_lower     text        GENERATED ALWAYS AS (pg_catalog.lower(name)) STORED,
	CONSTRAINT login_names_projection_domains_pkey PRIMARY KEY (instance_id, resource_owner, name),
	CONSTRAINT login_names_projection_domains_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- user_by_login_name finds the domain lower-cased.
CREATE INDEX login_names_projection_domains_name_lower_idx
	ON @extschema@.login_names_projection_domains (instance_id, name_lower);

SELECT @extschema@.enable_tenant_isolation('@extschema@.login_names_projection_domains');
GRANT SELECT ON @extschema@.login_names_projection_domains TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.login_names_projection_domains', '');

CREATE TABLE @extschema@.login_names_projection_policies (
	must_be_domain boolean     NOT NULL,
	is_default     boolean     NOT NULL,
	resource_owner text        NOT NULL,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	sequence       bigint      NOT NULL DEFAULT 0,
	CONSTRAINT login_names_projection_policies_pkey PRIMARY KEY (instance_id, resource_owner),
	CONSTRAINT login_names_projection_policies_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.login_names_projection_policies');
GRANT SELECT ON @extschema@.login_names_projection_policies TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.login_names_projection_policies', '');

-- One row per login name: with a policy that requires the org domain (the
-- org's own policy, else the instance default), user_name@domain for every
-- verified org domain; otherwise the bare user_name, primary.  As in Zitadel,
-- a user whose policy requires a domain while the org has none verified gets
-- 'user_name@'.  Every join, and the instance default policy, is matched
-- within the user's tenant; the tenant is the view's last column.
CREATE VIEW @extschema@.login_names_projection WITH (security_invoker = true) AS
SELECT u.id AS user_id,
       CASE WHEN COALESCE(custom.must_be_domain, dflt.must_be_domain)
            THEN pg_catalog.concat(u.user_name, '@', d.name)
            ELSE u.user_name
       END AS login_name,
       COALESCE(d.is_primary, true) AS is_primary,
       u.instance_id
  FROM @extschema@.login_names_projection_users AS u
  LEFT JOIN @extschema@.login_names_projection_policies AS custom
    ON custom.instance_id OPERATOR(pg_catalog.=) u.instance_id
   AND NOT custom.is_default
   AND custom.resource_owner OPERATOR(pg_catalog.=) u.resource_owner
  LEFT JOIN @extschema@.login_names_projection_policies AS dflt
    ON dflt.instance_id OPERATOR(pg_catalog.=) u.instance_id
   AND dflt.is_default
  LEFT JOIN @extschema@.login_names_projection_domains AS d
    ON d.instance_id OPERATOR(pg_catalog.=) u.instance_id
   AND COALESCE(custom.must_be_domain, dflt.must_be_domain)
   AND d.resource_owner OPERATOR(pg_catalog.=) u.resource_owner;

GRANT SELECT ON @extschema@.login_names_projection TO multitenant_app, multitenant_admin;

------------------------------------------------------------------------------
-- Reducers: login names (aggregates `user`, `org`, `instance`).  Zitadel's
-- three tables have no dates or sequence: the updates it makes pass
-- touch => false, so they leave change_date and sequence as they are.
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.added', 'insert',
	set => $${"user_name": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$);
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.human.added', 'insert',
	set => $${"user_name": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$);
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.human.selfregistered', 'insert',
	set => $${"user_name": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$);
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.selfregistered', 'insert',
	set => $${"user_name": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$);
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.machine.added', 'insert',
	set => $${"user_name": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.username.changed', 'update',
	set => $${"user_name": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$,
	touch => false);
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'user.domain.claimed', 'update',
	set => $${"user_name": "COALESCE(multitenant.payload_text(e.payload, 'userName'), '')"}$$,
	touch => false);

-- Domain policies: the org's own, or the instance default.
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_policies', 'org.policy.domain.added', 'insert',
	set => $${"must_be_domain": "COALESCE(multitenant.payload_bool(e.payload, 'userLoginMustBeDomain'), false)",
	          "is_default": "false"}$$,
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_policies', 'instance.policy.domain.added', 'insert',
	set => $${"must_be_domain": "COALESCE(multitenant.payload_bool(e.payload, 'userLoginMustBeDomain'), false)",
	          "is_default": "true"}$$,
	match => '{}');

-- No-op without userLoginMustBeDomain.
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_policies', 'org.policy.domain.changed', 'update',
	set => $${"must_be_domain": "multitenant.payload_bool(e.payload, 'userLoginMustBeDomain')"}$$,
	match => '{"resource_owner": "e.resource_owner"}',
	"when" => $$multitenant.payload_bool(e.payload, 'userLoginMustBeDomain') IS NOT NULL$$,
	touch => false);
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_policies', 'instance.policy.domain.changed', 'update',
	set => $${"must_be_domain": "multitenant.payload_bool(e.payload, 'userLoginMustBeDomain')"}$$,
	match => '{"resource_owner": "e.resource_owner"}',
	"when" => $$multitenant.payload_bool(e.payload, 'userLoginMustBeDomain') IS NOT NULL$$,
	touch => false);

SELECT @extschema@.register_reducer('@extschema@.login_names_projection_policies', 'org.policy.domain.removed', 'delete',
	match => '{"resource_owner": "e.resource_owner"}');

-- Only verified domains count.
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_domains', 'org.domain.verified', 'insert',
	set => $${"name": "COALESCE(multitenant.payload_text(e.payload, 'domain'), '')"}$$,
	match => '{}');

-- The named domain becomes the org's only primary one.
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_domains', 'org.domain.primary.set', 'update',
	set => $${"is_primary": "t.name = COALESCE(multitenant.payload_text(e.payload, 'domain'), '')"}$$,
	match => '{"resource_owner": "e.resource_owner"}',
	touch => false);

SELECT @extschema@.register_reducer('@extschema@.login_names_projection_domains', 'org.domain.removed', 'delete',
	match => $${"resource_owner": "e.resource_owner",
	            "name": "COALESCE(multitenant.payload_text(e.payload, 'domain'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.login_names_projection_domains', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_policies', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_domains', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_policies', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.login_names_projection_users', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- sessions_projection (Zitadel projections.sessions8)
-- SessionState: 1 active (terminated sessions are deleted).  metadata maps
-- keys to base64 values as Zitadel stores them; user_agent_header maps header
-- names to arrays of values.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.sessions_projection (
	id                        text        NOT NULL,
	creation_date             timestamptz NOT NULL,
	sequence                  bigint      NOT NULL,
	state                     smallint    NOT NULL,
	resource_owner            text        NOT NULL,
	creator                   text        NOT NULL,
	user_id                   text,
	user_resource_owner       text,
	user_checked_at           timestamptz,
	password_checked_at       timestamptz,
	intent_checked_at         timestamptz,
	webauthn_checked_at       timestamptz,
	webauthn_user_verified    boolean,
	totp_checked_at           timestamptz,
	otp_sms_checked_at        timestamptz,
	otp_email_checked_at      timestamptz,
	metadata                  jsonb,
	token_id                  text,
	user_agent_fingerprint_id text,
	user_agent_ip             text,
	user_agent_description    text,
	user_agent_header         jsonb,
	expiration                timestamptz,
	instance_id               text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date               timestamptz,
	CONSTRAINT sessions_projection_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT sessions_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

CREATE INDEX sessions_projection_user_agent_fingerprint_id_idx ON @extschema@.sessions_projection (instance_id, user_agent_fingerprint_id);
CREATE INDEX sessions_projection_user_id_idx ON @extschema@.sessions_projection (instance_id, user_id);

SELECT @extschema@.enable_tenant_isolation('@extschema@.sessions_projection');
GRANT SELECT ON @extschema@.sessions_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sessions_projection', '');

------------------------------------------------------------------------------
-- Reducers: sessions_projection (aggregate `session`)
------------------------------------------------------------------------------

-- creator is the event's creator.  user_agent is a nested object
-- {fingerprint_id, ip, description, header}; header values must be arrays
-- of strings.
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.added', 'insert',
	set => $${"state": "1",
	          "creator": "e.creator",
	          "user_agent_fingerprint_id": "multitenant.payload_text(NULLIF(e.payload -> 'user_agent', 'null'), 'fingerprint_id')",
	          "user_agent_ip": "multitenant.payload_text(NULLIF(e.payload -> 'user_agent', 'null'), 'ip')",
	          "user_agent_description": "multitenant.payload_text(NULLIF(e.payload -> 'user_agent', 'null'), 'description')",
	          "user_agent_header": "(SELECT CASE WHEN s.h IS NOT NULL THEN COALESCE((SELECT pg_catalog.jsonb_object_agg(x.key, pg_catalog.to_jsonb(multitenant.payload_text_array(s.h, x.key))) FROM pg_catalog.jsonb_each(s.h) AS x), '{}'::jsonb) END FROM (SELECT NULLIF(NULLIF(e.payload -> 'user_agent', 'null') -> 'header', 'null') AS h) AS s)"}$$);

SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.user.checked', 'update',
	set => $${"user_id": "multitenant.payload_text(e.payload, 'userID')",
	          "user_resource_owner": "multitenant.payload_text(e.payload, 'userResourceOwner')",
	          "user_checked_at": "multitenant.payload_timestamptz(e.payload, 'checkedAt')"}$$);

SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.password.checked', 'update',
	set => $${"password_checked_at": "multitenant.payload_timestamptz(e.payload, 'checkedAt')"}$$);
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.intent.checked', 'update',
	set => $${"intent_checked_at": "multitenant.payload_timestamptz(e.payload, 'checkedAt')"}$$);
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.webAuthN.checked', 'update',
	set => $${"webauthn_checked_at": "multitenant.payload_timestamptz(e.payload, 'checkedAt')",
	          "webauthn_user_verified": "multitenant.payload_bool(e.payload, 'userVerified')"}$$);
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.totp.checked', 'update',
	set => $${"totp_checked_at": "multitenant.payload_timestamptz(e.payload, 'checkedAt')"}$$);
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.otp.sms.checked', 'update',
	set => $${"otp_sms_checked_at": "multitenant.payload_timestamptz(e.payload, 'checkedAt')"}$$);
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.otp.email.checked', 'update',
	set => $${"otp_email_checked_at": "multitenant.payload_timestamptz(e.payload, 'checkedAt')"}$$);

SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.token.set', 'update',
	set => $${"token_id": "multitenant.payload_text(e.payload, 'tokenID')"}$$);

-- The whole map is replaced; every value must be base64 (it is stored in its
-- canonical base64 form, as Go marshals the decoded bytes).
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.metadata.set', 'update',
	set => $${"metadata": "(SELECT CASE WHEN s.m IS NOT NULL THEN COALESCE((SELECT pg_catalog.jsonb_object_agg(x.key, pg_catalog.to_jsonb(pg_catalog.translate(pg_catalog.encode(multitenant.payload_bytea(s.m, x.key), 'base64'), pg_catalog.chr(10), ''))) FROM pg_catalog.jsonb_each(s.m) AS x), '{}'::jsonb) END FROM (SELECT NULLIF(e.payload -> 'metadata', 'null') AS m) AS s)"}$$);

-- lifetime is a Go duration (nanoseconds); timestamps keep microseconds.
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.lifetime.set', 'update',
	set => $${"expiration": "e.created_at + (COALESCE(multitenant.payload_bigint(e.payload, 'lifetime'), 0) / 1000)::double precision * '1 microsecond'::interval"}$$);

SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'session.terminated', 'delete');

-- A password change invalidates earlier password checks of the user's
-- sessions, without touching them otherwise.
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'user.human.password.changed', 'update',
	set => $${"password_checked_at": "CASE WHEN t.password_checked_at < e.created_at THEN NULL ELSE t.password_checked_at END"}$$,
	match => '{"user_id": "e.aggregate_id"}',
	touch => false);

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.sessions_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- auth_requests_projection (Zitadel projections.auth_requests)
-- prompt (Prompt): 1 none, 2 login, 3 consent, 4 select_account, 5 create.
-- max_age in nanoseconds.  A request is deleted once it succeeds or fails.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.auth_requests_projection (
	id             text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	resource_owner text        NOT NULL,
	login_client   text        NOT NULL,
	client_id      text        NOT NULL,
	redirect_uri   text        NOT NULL,
	scope          text[]      NOT NULL,
	prompt         smallint[],
	ui_locales     text[],
	max_age        bigint,
	login_hint     text,
	hint_user_id   text,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	CONSTRAINT auth_requests_projection_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT auth_requests_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.auth_requests_projection');
GRANT SELECT ON @extschema@.auth_requests_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.auth_requests_projection', '');

------------------------------------------------------------------------------
-- Reducers: auth_requests_projection (aggregate `auth_request`, snake_case
-- payload keys)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.auth_requests_projection', 'auth_request.added', 'insert',
	set => $${"login_client": "COALESCE(multitenant.payload_text(e.payload, 'login_client'), '')",
	          "client_id": "COALESCE(multitenant.payload_text(e.payload, 'client_id'), '')",
	          "redirect_uri": "COALESCE(multitenant.payload_text(e.payload, 'redirect_uri'), '')",
	          "scope": "COALESCE(multitenant.payload_text_array(e.payload, 'scope'), '{}')",
	          "prompt": "multitenant.payload_smallint_array(e.payload, 'prompt')",
	          "ui_locales": "multitenant.payload_text_array(e.payload, 'ui_locales')",
	          "max_age": "multitenant.payload_bigint(e.payload, 'max_age')",
	          "login_hint": "multitenant.payload_text(e.payload, 'login_hint')",
	          "hint_user_id": "multitenant.payload_text(e.payload, 'hint_user_id')"}$$);

SELECT @extschema@.register_reducer('@extschema@.auth_requests_projection', 'auth_request.succeeded', 'delete');
SELECT @extschema@.register_reducer('@extschema@.auth_requests_projection', 'auth_request.failed', 'delete');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.auth_requests_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- milestones_projection (Zitadel projections.milestones3)
-- type (milestone.Type, a name in the payload): 1 InstanceCreated,
-- 2 AuthenticationSucceededOnInstance, 3 ProjectCreated, 4 ApplicationCreated,
-- 5 AuthenticationSucceededOnApplication, 6 InstanceDeleted.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.milestones_projection (
	type             smallint    NOT NULL,
	reached_date     timestamptz,
	last_pushed_date timestamptz,
	instance_id      text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date      timestamptz,
	resource_owner   text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence         bigint      NOT NULL DEFAULT 0,
	CONSTRAINT milestones_projection_pkey PRIMARY KEY (instance_id, type),
	CONSTRAINT milestones_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.milestones_projection');
GRANT SELECT ON @extschema@.milestones_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.milestones_projection', '');

------------------------------------------------------------------------------
-- Reducers: milestones_projection (aggregate `milestone`).  The payload
-- names the type; an unknown name fails the push (22023: payload_smallint
-- refuses the string).  Zitadel's table has no dates or sequence: its
-- updates pass touch => false.
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.milestones_projection', 'milestone.v2.reached', 'insert',
	set => $${"type": "COALESCE(pg_catalog.array_position(ARRAY['InstanceCreated', 'AuthenticationSucceededOnInstance', 'ProjectCreated', 'ApplicationCreated', 'AuthenticationSucceededOnApplication', 'InstanceDeleted'], multitenant.payload_text(e.payload, 'type'))::smallint, multitenant.payload_smallint(e.payload, 'type'), 0)",
	          "reached_date": "COALESCE(multitenant.payload_timestamptz(e.payload, 'reachedDate'), e.created_at)"}$$,
	match => '{}');

SELECT @extschema@.register_reducer('@extschema@.milestones_projection', 'milestone.v2.pushed', 'update',
	set => $${"last_pushed_date": "COALESCE(multitenant.payload_timestamptz(e.payload, 'pushedDate'), e.created_at)"}$$,
	match => $${"type": "COALESCE(pg_catalog.array_position(ARRAY['InstanceCreated', 'AuthenticationSucceededOnInstance', 'ProjectCreated', 'ApplicationCreated', 'AuthenticationSucceededOnApplication', 'InstanceDeleted'], multitenant.payload_text(e.payload, 'type'))::smallint, multitenant.payload_smallint(e.payload, 'type'), 0)"}$$,
	"when" => $$multitenant.payload_text(e.payload, 'type') IS DISTINCT FROM 'InstanceDeleted'$$,
	touch => false);

-- Pushing InstanceDeleted ends the instance's milestones.
SELECT @extschema@.register_reducer('@extschema@.milestones_projection', 'milestone.v2.pushed', 'delete',
	match => '{}',
	"when" => $$multitenant.payload_text(e.payload, 'type') = 'InstanceDeleted'$$);

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.milestones_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- quotas_projection (Zitadel projections.quotas) and its detail
-- tables.  unit (quota.Unit): 1 requests_all_authenticated,
-- 2 actions_all_run_seconds.  A quota is identified by its unit; id is the
-- quota aggregate.  Usage periods are counted by the application, not by
-- events; they go with their quota.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.quotas_projection (
	id             text        NOT NULL,
	unit           smallint    NOT NULL,
	amount         bigint,
	from_anchor    timestamptz,
	"interval"     interval,
	limit_usage    boolean,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	resource_owner text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence       bigint      NOT NULL DEFAULT 0,
	CONSTRAINT quotas_projection_pkey PRIMARY KEY (instance_id, unit),
	CONSTRAINT quotas_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.quotas_projection');
GRANT SELECT ON @extschema@.quotas_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.quotas_projection', '');

CREATE TABLE @extschema@.quotas_projection_periods (
	unit           smallint    NOT NULL,
	start          timestamptz NOT NULL,
	usage          bigint      NOT NULL,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	resource_owner text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence       bigint      NOT NULL DEFAULT 0,
	CONSTRAINT quotas_projection_periods_pkey PRIMARY KEY (instance_id, unit, start),
	CONSTRAINT quotas_projection_periods_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT quotas_projection_periods_unit_fkey FOREIGN KEY (instance_id, unit)
		REFERENCES @extschema@.quotas_projection (instance_id, unit) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.quotas_projection_periods');
GRANT SELECT ON @extschema@.quotas_projection_periods TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.quotas_projection_periods', '');

-- percent of the quota at which call_url is notified; next_due_threshold is
-- the percent of the next period's bucket (threshold + 100).
CREATE TABLE @extschema@.quotas_projection_notifications (
	unit                    smallint    NOT NULL,
	id                      text        NOT NULL,
	call_url                text        NOT NULL,
	percent                 bigint      NOT NULL,
	repeat                  boolean     NOT NULL,
	latest_due_period_start timestamptz,
	next_due_threshold      bigint,
	instance_id             text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date             timestamptz,
	resource_owner          text        NOT NULL DEFAULT @extschema@.current_tenant(),
	sequence                bigint      NOT NULL DEFAULT 0,
	CONSTRAINT quotas_projection_notifications_pkey PRIMARY KEY (instance_id, unit, id),
	CONSTRAINT quotas_projection_notifications_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT quotas_projection_notifications_unit_fkey FOREIGN KEY (instance_id, unit)
		REFERENCES @extschema@.quotas_projection (instance_id, unit) ON DELETE CASCADE
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.quotas_projection_notifications');
GRANT SELECT ON @extschema@.quotas_projection_notifications TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.quotas_projection_notifications', '');

------------------------------------------------------------------------------
-- Reducers: quotas (aggregate `quota`).  quota.added and quota.set upsert
-- the quota of a unit with the keys present (no-op on the main row when the
-- event carries only notifications); notifications, when present, replace
-- the unit's notifications.  Zitadel's tables have no dates or sequence:
-- their updates pass touch => false.
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.quotas_projection', 'quota.added', 'upsert',
	set => '{"id": "e.aggregate_id"}',
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['amount', 'from', 'interval', 'limit']$$,
	touch => false);
SELECT @extschema@.register_reducer('@extschema@.quotas_projection', 'quota.added', 'update',
	set => $${"amount": "COALESCE(multitenant.payload_bigint(e.payload, 'amount'), t.amount)",
	          "from_anchor": "COALESCE(multitenant.payload_timestamptz(e.payload, 'from'), t.from_anchor)",
	          "interval": "COALESCE((multitenant.payload_bigint(e.payload, 'interval') / 1000)::double precision * '1 microsecond'::interval, t.\"interval\")",
	          "limit_usage": "COALESCE(multitenant.payload_bool(e.payload, 'limit'), t.limit_usage)"}$$,
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['amount', 'from', 'interval', 'limit']$$,
	touch => false);
SELECT @extschema@.register_reducer('@extschema@.quotas_projection_notifications', 'quota.added', 'delete',
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$,
	"when" => $$NULLIF(e.payload -> 'notifications', 'null') IS NOT NULL$$);
-- One row per element of the notifications array (absent keys are Go zero
-- values).
SELECT @extschema@.register_reducer('@extschema@.quotas_projection_notifications', 'quota.added', 'insert',
	set => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)",
	          "id": "multitenant.payload_text('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'id')",
	          "call_url": "multitenant.payload_text('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'callUrl')",
	          "percent": "multitenant.payload_bigint('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'percent')",
	          "repeat": "multitenant.payload_bool('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'repeat')"}$$,
	match => '{}');

SELECT @extschema@.register_reducer('@extschema@.quotas_projection', 'quota.set', 'upsert',
	set => '{"id": "e.aggregate_id"}',
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['amount', 'from', 'interval', 'limit']$$,
	touch => false);
SELECT @extschema@.register_reducer('@extschema@.quotas_projection', 'quota.set', 'update',
	set => $${"amount": "COALESCE(multitenant.payload_bigint(e.payload, 'amount'), t.amount)",
	          "from_anchor": "COALESCE(multitenant.payload_timestamptz(e.payload, 'from'), t.from_anchor)",
	          "interval": "COALESCE((multitenant.payload_bigint(e.payload, 'interval') / 1000)::double precision * '1 microsecond'::interval, t.\"interval\")",
	          "limit_usage": "COALESCE(multitenant.payload_bool(e.payload, 'limit'), t.limit_usage)"}$$,
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['amount', 'from', 'interval', 'limit']$$,
	touch => false);
SELECT @extschema@.register_reducer('@extschema@.quotas_projection_notifications', 'quota.set', 'delete',
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$,
	"when" => $$NULLIF(e.payload -> 'notifications', 'null') IS NOT NULL$$);
SELECT @extschema@.register_reducer('@extschema@.quotas_projection_notifications', 'quota.set', 'insert',
	set => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)",
	          "id": "multitenant.payload_text('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'id')",
	          "call_url": "multitenant.payload_text('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'callUrl')",
	          "percent": "multitenant.payload_bigint('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'percent')",
	          "repeat": "multitenant.payload_bool('{\"id\": \"\", \"callUrl\": \"\", \"percent\": 0, \"repeat\": false}'::jsonb || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_array_elements(NULLIF(e.payload -> 'notifications', 'null'))), 'repeat')"}$$,
	match => '{}');

-- The next due threshold lies in the next period's bucket (threshold + 100).
SELECT @extschema@.register_reducer('@extschema@.quotas_projection_notifications', 'quota.notificationdue', 'update',
	set => $${"latest_due_period_start": "multitenant.payload_timestamptz(e.payload, 'periodStart')",
	          "next_due_threshold": "COALESCE(multitenant.payload_bigint(e.payload, 'threshold'), 0) + 100"}$$,
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)",
	            "id": "COALESCE(multitenant.payload_text(e.payload, 'id'), '')"}$$,
	touch => false);

SELECT @extschema@.register_reducer('@extschema@.quotas_projection_periods', 'quota.removed', 'delete',
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$);
SELECT @extschema@.register_reducer('@extschema@.quotas_projection_notifications', 'quota.removed', 'delete',
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$);
SELECT @extschema@.register_reducer('@extschema@.quotas_projection', 'quota.removed', 'delete',
	match => $${"unit": "COALESCE(multitenant.payload_smallint(e.payload, 'unit'), 0)"}$$);

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.quotas_projection', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.quotas_projection_notifications', 'instance.removed', 'delete',
	match => '{}');
SELECT @extschema@.register_reducer('@extschema@.quotas_projection_periods', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- limits_projection (Zitadel projections.limits)
-- One row per resource owner (the instance); aggregate_id is the limits
-- aggregate.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.limits_projection (
	aggregate_id        text        NOT NULL,
	creation_date       timestamptz NOT NULL,
	resource_owner      text        NOT NULL,
	sequence            bigint      NOT NULL,
	audit_log_retention interval,
	block               boolean,
	instance_id         text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date         timestamptz,
	CONSTRAINT limits_projection_pkey PRIMARY KEY (instance_id, resource_owner),
	CONSTRAINT limits_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.limits_projection');
GRANT SELECT ON @extschema@.limits_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.limits_projection', '');

------------------------------------------------------------------------------
-- Reducers: limits_projection (aggregate `limits`).  limits.set upserts the
-- resource owner's row (keeping its creation_date), then applies the keys
-- present.
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.limits_projection', 'limits.set', 'upsert',
	set => '{"aggregate_id": "e.aggregate_id"}',
	match => '{"resource_owner": "e.resource_owner"}');
SELECT @extschema@.register_reducer('@extschema@.limits_projection', 'limits.set', 'update',
	set => $${"audit_log_retention": "COALESCE((multitenant.payload_bigint(e.payload, 'auditLogRetention') / 1000)::double precision * '1 microsecond'::interval, t.audit_log_retention)",
	          "block": "COALESCE(multitenant.payload_bool(e.payload, 'block'), t.block)"}$$,
	match => '{"resource_owner": "e.resource_owner"}');

SELECT @extschema@.register_reducer('@extschema@.limits_projection', 'limits.reset', 'delete',
	match => '{"resource_owner": "e.resource_owner"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.limits_projection', 'instance.removed', 'delete',
	match => '{}');
