/*
 * Access projections: org and instance domains, trusted domains, project
 * roles, user and project grants, org / project / instance members, and the
 * password complexity, password age, login and notification policies; each
 * table is followed by its indexes, isolation, grants and reducers.
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
 * Facts about other aggregates (a user's or project's owner, a project
 * grant's granted org) come from the event store, as in Zitadel: the first
 * event of an aggregate fixes its owner.  Zitadel fails the event when the
 * user, project or grant does not exist; here the lookup yields NULL and the
 * NOT NULL column refuses the push.
 */

------------------------------------------------------------------------------
-- org_domains_projection (Zitadel projections.org_domains2)
-- validation_type (OrgDomainValidationType): 0 unspecified, 1 http, 2 dns.
-- Zitadel's table has no resource_owner (the org is org_id); the one
-- adoption added is filled like every standard column, with the event's
-- owner.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.org_domains_projection (
	org_id          text        NOT NULL,
	creation_date   timestamptz NOT NULL,
	sequence        bigint      NOT NULL,
	domain          text        NOT NULL,
	is_verified     boolean     NOT NULL,
	is_primary      boolean     NOT NULL,
	validation_type smallint    NOT NULL,
	owner_removed   boolean     NOT NULL DEFAULT false,
	instance_id     text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date     timestamptz,
	resource_owner  text        NOT NULL DEFAULT @extschema@.current_tenant(),
	domain_lower    text        GENERATED ALWAYS AS (pg_catalog.lower(domain)) STORED,
	CONSTRAINT org_domains_projection_pkey PRIMARY KEY (instance_id, org_id, domain),
	CONSTRAINT org_domains_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- org_by_domain finds the domain lower-cased.
CREATE INDEX org_domains_projection_domain_lower_idx
	ON @extschema@.org_domains_projection (instance_id, domain_lower);

SELECT @extschema@.enable_tenant_isolation('@extschema@.org_domains_projection');
GRANT SELECT ON @extschema@.org_domains_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.org_domains_projection', '');

------------------------------------------------------------------------------
-- Reducers: org_domains_projection (aggregate `org`)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'org.domain.added', 'insert',
	set => '{"is_verified": "false", "is_primary": "false", "validation_type": "0"}',
	match => $${"org_id": "e.aggregate_id",
	            "domain": "COALESCE(multitenant.payload_text(e.payload, 'domain'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'org.domain.verification.added', 'update',
	set => $${"validation_type": "COALESCE(multitenant.payload_smallint(e.payload, 'validationType'), 0)"}$$,
	match => $${"org_id": "e.aggregate_id", "domain": "multitenant.payload_text(e.payload, 'domain')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'org.domain.verified', 'update',
	set => '{"is_verified": "true"}',
	match => $${"org_id": "e.aggregate_id", "domain": "multitenant.payload_text(e.payload, 'domain')"}$$);

-- Two statements, in this order, as in Zitadel: the org's current primary
-- domain (whatever it is) loses the flag, then the named one gets it; both
-- rows are touched.  A column cannot be both set and matched, so the first
-- matches "domain is the row's own domain if it is primary".
SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'org.domain.primary.set', 'update',
	set => '{"is_primary": "false"}',
	match => $${"org_id": "e.aggregate_id", "domain": "CASE WHEN t.is_primary THEN t.domain END"}$$);
SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'org.domain.primary.set', 'update',
	set => '{"is_primary": "true"}',
	match => $${"org_id": "e.aggregate_id", "domain": "multitenant.payload_text(e.payload, 'domain')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'org.domain.removed', 'delete',
	match => $${"org_id": "e.aggregate_id", "domain": "multitenant.payload_text(e.payload, 'domain')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'org.removed', 'delete',
	match => '{"org_id": "e.aggregate_id"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.org_domains_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- project_roles_projection (Zitadel projections.project_roles4)
------------------------------------------------------------------------------

CREATE TABLE @extschema@.project_roles_projection (
	project_id     text        NOT NULL,
	role_key       text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	resource_owner text        NOT NULL,
	display_name   text        NOT NULL,
	group_name     text        NOT NULL,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	CONSTRAINT project_roles_projection_pkey PRIMARY KEY (instance_id, project_id, role_key),
	CONSTRAINT project_roles_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- org.removed cascades by resource_owner.
CREATE INDEX project_roles_projection_resource_owner_idx ON @extschema@.project_roles_projection (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.project_roles_projection');
GRANT SELECT ON @extschema@.project_roles_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.project_roles_projection', '');

------------------------------------------------------------------------------
-- Reducers: project_roles_projection (aggregate `project`)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.project_roles_projection', 'project.role.added', 'insert',
	set => $${"display_name": "COALESCE(multitenant.payload_text(e.payload, 'displayName'), '')",
	          "group_name": "COALESCE(multitenant.payload_text(e.payload, 'group'), '')"}$$,
	match => $${"project_id": "e.aggregate_id",
	            "role_key": "COALESCE(multitenant.payload_text(e.payload, 'key'), '')"}$$);

-- Only the keys present (with a non-null value) change; no-op without any.
SELECT @extschema@.register_reducer('@extschema@.project_roles_projection', 'project.role.changed', 'update',
	set => $${"display_name": "COALESCE(multitenant.payload_text(e.payload, 'displayName'), t.display_name)",
	          "group_name": "COALESCE(multitenant.payload_text(e.payload, 'group'), t.group_name)"}$$,
	match => $${"project_id": "e.aggregate_id", "role_key": "multitenant.payload_text(e.payload, 'key')"}$$,
	"when" => $$pg_catalog.jsonb_strip_nulls(e.payload) ?| ARRAY['displayName', 'group']$$);

SELECT @extschema@.register_reducer('@extschema@.project_roles_projection', 'project.role.removed', 'delete',
	match => $${"project_id": "e.aggregate_id", "role_key": "multitenant.payload_text(e.payload, 'key')"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_roles_projection', 'project.removed', 'delete',
	match => '{"project_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.project_roles_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.project_roles_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- instance_domains_projection (Zitadel projections.instance_domains)
-- Zitadel's key is (instance_id, domain); a domain names exactly one
-- instance (see the unique index below).
------------------------------------------------------------------------------

CREATE TABLE @extschema@.instance_domains_projection (
	creation_date  timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	domain         text        NOT NULL,
	is_generated   boolean     NOT NULL,
	is_primary     boolean     NOT NULL,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	resource_owner text        NOT NULL DEFAULT @extschema@.current_tenant(),
	domain_lower   text        GENERATED ALWAYS AS (pg_catalog.lower(domain)) STORED,
	CONSTRAINT instance_domains_projection_pkey PRIMARY KEY (instance_id, domain),
	CONSTRAINT instance_domains_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- instance_by_domain maps a request's host to its tenant before any tenant
-- is known, so a domain must name one instance across all tenants: otherwise
-- a tenant could claim another's domain and receive its requests.  This
-- index is therefore not led by instance_id.  Zitadel enforces the same
-- uniqueness through its unique constraints.  Compared lower-cased, like
-- every lookup.
CREATE UNIQUE INDEX instance_domains_projection_domain_lower_key
	ON @extschema@.instance_domains_projection (domain_lower);

SELECT @extschema@.enable_tenant_isolation('@extschema@.instance_domains_projection');
GRANT SELECT ON @extschema@.instance_domains_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.instance_domains_projection', '');

------------------------------------------------------------------------------
-- Reducers: instance_domains_projection (aggregate `instance`)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.instance_domains_projection', 'instance.domain.added', 'insert',
	set => $${"is_generated": "COALESCE(multitenant.payload_bool(e.payload, 'generated'), false)",
	          "is_primary": "false"}$$,
	match => $${"domain": "COALESCE(multitenant.payload_text(e.payload, 'domain'), '')"}$$);

-- As for org domains: the instance's current primary loses the flag, then
-- the named domain gets it.  The current primary is the tenant's row that
-- has the flag, as Zitadel's "instance_id = ? AND is_primary" finds it: only
-- this event sets the flag, on the domain it names, so that row is the domain
-- of the previous instance.domain.primary.set if it still has the flag (a
-- re-added domain starts as not primary).  Read from the table itself, not
-- from the events: on Citus the table is a reference table, and a statement
-- that writes it must not read a distributed one.
SELECT @extschema@.register_reducer('@extschema@.instance_domains_projection', 'instance.domain.primary.set', 'update',
	set => '{"is_primary": "false"}',
	match => '{}',
	"when" => 't.is_primary');
SELECT @extschema@.register_reducer('@extschema@.instance_domains_projection', 'instance.domain.primary.set', 'update',
	set => '{"is_primary": "true"}',
	match => $${"domain": "multitenant.payload_text(e.payload, 'domain')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instance_domains_projection', 'instance.domain.removed', 'delete',
	match => $${"domain": "multitenant.payload_text(e.payload, 'domain')"}$$);

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.instance_domains_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- instance_trusted_domains_projection (Zitadel
-- projections.instance_trusted_domains)
------------------------------------------------------------------------------

CREATE TABLE @extschema@.instance_trusted_domains_projection (
	creation_date  timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	domain         text        NOT NULL,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	resource_owner text        NOT NULL DEFAULT @extschema@.current_tenant(),
	CONSTRAINT instance_trusted_domains_projection_pkey PRIMARY KEY (instance_id, domain),
	CONSTRAINT instance_trusted_domains_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.instance_trusted_domains_projection');
GRANT SELECT ON @extschema@.instance_trusted_domains_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.instance_trusted_domains_projection', '');

------------------------------------------------------------------------------
-- Reducers: instance_trusted_domains_projection (aggregate `instance`)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.instance_trusted_domains_projection', 'instance.trusted_domains.added', 'insert',
	match => $${"domain": "COALESCE(multitenant.payload_text(e.payload, 'domain'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instance_trusted_domains_projection', 'instance.trusted_domains.removed', 'delete',
	match => $${"domain": "multitenant.payload_text(e.payload, 'domain')"}$$);

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.instance_trusted_domains_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- user_grants_projection (Zitadel projections.user_grants5)
-- UserGrantState: 1 active, 2 inactive.  grant_id and granted_org are ''
-- for a grant on the organisation's own project.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.user_grants_projection (
	id                     text        NOT NULL,
	creation_date          timestamptz NOT NULL,
	sequence               bigint      NOT NULL,
	state                  smallint    NOT NULL,
	resource_owner         text        NOT NULL,
	user_id                text        NOT NULL,
	resource_owner_user    text        NOT NULL,
	project_id             text        NOT NULL,
	resource_owner_project text        NOT NULL,
	grant_id               text        NOT NULL,
	granted_org            text        NOT NULL,
	roles                  text[],
	instance_id            text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date            timestamptz,
	CONSTRAINT user_grants_projection_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT user_grants_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

CREATE INDEX user_grants_projection_user_id_idx ON @extschema@.user_grants_projection (instance_id, user_id);
CREATE INDEX user_grants_projection_resource_owner_idx ON @extschema@.user_grants_projection (instance_id, resource_owner);
-- project.removed / project.role.removed cascade by project_id,
-- project.grant.* by grant_id, org.removed by each of the three owners.
CREATE INDEX user_grants_projection_project_id_idx ON @extschema@.user_grants_projection (instance_id, project_id);
CREATE INDEX user_grants_projection_grant_id_idx ON @extschema@.user_grants_projection (instance_id, grant_id);
CREATE INDEX user_grants_projection_resource_owner_user_idx ON @extschema@.user_grants_projection (instance_id, resource_owner_user);
CREATE INDEX user_grants_projection_resource_owner_project_idx ON @extschema@.user_grants_projection (instance_id, resource_owner_project);
CREATE INDEX user_grants_projection_granted_org_idx ON @extschema@.user_grants_projection (instance_id, granted_org);

SELECT @extschema@.enable_tenant_isolation('@extschema@.user_grants_projection');
GRANT SELECT ON @extschema@.user_grants_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.user_grants_projection', '');

------------------------------------------------------------------------------
-- Reducers: user_grants_projection (aggregate `usergrant`, events
-- `user.grant.*`; cascades from `user`, `project` and `org` events)
------------------------------------------------------------------------------

-- resource_owner_user: the owner of the user's creation event (the user
-- must exist).  resource_owner_project: the owner of the project's creation
-- event ('' without projectId).  granted_org: grantedOrgId of the project's
-- project.grant.added with this grantId ('' without grantId).
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.grant.added', 'insert',
	set => $${"user_id": "COALESCE(multitenant.payload_text(e.payload, 'userId'), '')",
	          "project_id": "COALESCE(multitenant.payload_text(e.payload, 'projectId'), '')",
	          "grant_id": "COALESCE(multitenant.payload_text(e.payload, 'grantId'), '')",
	          "roles": "multitenant.payload_text_array(e.payload, 'roleKeys')",
	          "state": "1",
	          "resource_owner_user": "(SELECT x.resource_owner FROM multitenant.events AS x WHERE x.instance_id = e.instance_id AND x.aggregate_type = 'user' AND x.aggregate_id = multitenant.payload_text(e.payload, 'userId') AND x.sequence = 1)",
	          "resource_owner_project": "CASE WHEN COALESCE(multitenant.payload_text(e.payload, 'projectId'), '') = '' THEN '' ELSE (SELECT x.resource_owner FROM multitenant.events AS x WHERE x.instance_id = e.instance_id AND x.aggregate_type = 'project' AND x.aggregate_id = multitenant.payload_text(e.payload, 'projectId') AND x.sequence = 1) END",
	          "granted_org": "CASE WHEN COALESCE(multitenant.payload_text(e.payload, 'grantId'), '') = '' THEN '' ELSE (SELECT multitenant.payload_text(x.payload, 'grantedOrgId') FROM multitenant.events AS x WHERE x.instance_id = e.instance_id AND x.aggregate_type = 'project' AND x.aggregate_id = multitenant.payload_text(e.payload, 'projectId') AND x.event_type = 'project.grant.added' AND x.payload @> pg_catalog.jsonb_build_object('grantId', multitenant.payload_text(e.payload, 'grantId')) ORDER BY x.sequence DESC LIMIT 1) END"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.grant.changed', 'update',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roleKeys')"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.grant.cascade.changed', 'update',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roleKeys')"}$$);

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.grant.deactivated', 'update',
	set => '{"state": "2"}');

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.grant.reactivated', 'update',
	set => '{"state": "1"}');

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.grant.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.grant.cascade.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'user.removed', 'delete',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'project.removed', 'delete',
	match => '{"project_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'project.grant.removed', 'delete',
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')"}$$);

-- Role and grant changes on the project trim the grants' roles without
-- touching change_date / sequence.
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'project.role.removed', 'update',
	set => $${"roles": "pg_catalog.array_remove(t.roles, multitenant.payload_text(e.payload, 'key'))"}$$,
	match => '{"project_id": "e.aggregate_id"}',
	touch => false);

-- roles := roles ∩ roleKeys, keeping the order of roles.
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'project.grant.changed', 'update',
	set => $${"roles": "ARRAY(SELECT u.r FROM pg_catalog.unnest(t.roles) WITH ORDINALITY AS u(r, n) WHERE u.r = ANY (multitenant.payload_text_array(e.payload, 'roleKeys')) ORDER BY u.n)"}$$,
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')"}$$,
	touch => false);

SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'project.grant.cascade.changed', 'update',
	set => $${"roles": "ARRAY(SELECT u.r FROM pg_catalog.unnest(t.roles) WITH ORDINALITY AS u(r, n) WHERE u.r = ANY (multitenant.payload_text_array(e.payload, 'roleKeys')) ORDER BY u.n)"}$$,
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')"}$$,
	touch => false);

-- A removed org takes the grants it gave, the grants of its users, the
-- grants on its projects and the grants through project grants to it.
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'org.removed', 'delete',
	match => '{"resource_owner_user": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'org.removed', 'delete',
	match => '{"resource_owner_project": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'org.removed', 'delete',
	match => '{"granted_org": "e.aggregate_id"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.user_grants_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- project_grants_projection (Zitadel projections.project_grants4)
-- ProjectGrantState: 1 active, 2 inactive.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.project_grants_projection (
	grant_id          text        NOT NULL,
	creation_date     timestamptz NOT NULL,
	sequence          bigint      NOT NULL,
	state             smallint    NOT NULL,
	resource_owner    text        NOT NULL,
	project_id        text        NOT NULL,
	granted_org_id    text        NOT NULL,
	granted_role_keys text[],
	instance_id       text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date       timestamptz,
	CONSTRAINT project_grants_projection_pkey PRIMARY KEY (instance_id, grant_id),
	CONSTRAINT project_grants_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

CREATE INDEX project_grants_projection_resource_owner_idx ON @extschema@.project_grants_projection (instance_id, resource_owner);
CREATE INDEX project_grants_projection_granted_org_id_idx ON @extschema@.project_grants_projection (instance_id, granted_org_id);
-- project.removed and project.owner.corrected work by project_id.
CREATE INDEX project_grants_projection_project_id_idx ON @extschema@.project_grants_projection (instance_id, project_id);

SELECT @extschema@.enable_tenant_isolation('@extschema@.project_grants_projection');
GRANT SELECT ON @extschema@.project_grants_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.project_grants_projection', '');

------------------------------------------------------------------------------
-- Reducers: project_grants_projection (aggregate `project`, grant id =
-- payload grantId)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.grant.added', 'insert',
	set => $${"project_id": "e.aggregate_id",
	          "state": "1",
	          "granted_org_id": "COALESCE(multitenant.payload_text(e.payload, 'grantedOrgId'), '')",
	          "granted_role_keys": "multitenant.payload_text_array(e.payload, 'roleKeys')"}$$,
	match => $${"grant_id": "COALESCE(multitenant.payload_text(e.payload, 'grantId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.grant.changed', 'update',
	set => $${"granted_role_keys": "multitenant.payload_text_array(e.payload, 'roleKeys')"}$$,
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')", "project_id": "e.aggregate_id"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.grant.cascade.changed', 'update',
	set => $${"granted_role_keys": "multitenant.payload_text_array(e.payload, 'roleKeys')"}$$,
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')", "project_id": "e.aggregate_id"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.grant.deactivated', 'update',
	set => '{"state": "2"}',
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')", "project_id": "e.aggregate_id"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.grant.reactivated', 'update',
	set => '{"state": "1"}',
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')", "project_id": "e.aggregate_id"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.grant.removed', 'delete',
	match => $${"grant_id": "multitenant.payload_text(e.payload, 'grantId')", "project_id": "e.aggregate_id"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.removed', 'delete',
	match => '{"project_id": "e.aggregate_id"}');

-- The grants follow their project to the event's owner; Zitadel changes
-- nothing else (no change_date / sequence).
SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'project.owner.corrected', 'update',
	set => '{"resource_owner": "e.resource_owner"}',
	match => '{"project_id": "e.aggregate_id"}',
	touch => false);

-- The granting org's grants and the grants to the org both go.
SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'org.removed', 'delete',
	match => '{"granted_org_id": "e.aggregate_id"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.project_grants_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- org_members_projection, project_members_projection,
-- instance_members_projection (Zitadel projections.org_members4,
-- project_members4, instance_members4).  roles are Zitadel role
-- names (ORG_OWNER, PROJECT_OWNER, IAM_OWNER, ...).  user_resource_owner is
-- the org that owns the member user.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.org_members_projection (
	org_id              text        NOT NULL,
	user_id             text        NOT NULL,
	creation_date       timestamptz NOT NULL,
	user_resource_owner text        NOT NULL,
	roles               text[],
	sequence            bigint      NOT NULL,
	resource_owner      text        NOT NULL,
	instance_id         text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date         timestamptz,
	CONSTRAINT org_members_projection_pkey PRIMARY KEY (instance_id, org_id, user_id),
	CONSTRAINT org_members_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

CREATE INDEX org_members_projection_user_id_idx ON @extschema@.org_members_projection (instance_id, user_id);
-- org.removed cascades by resource_owner and by user_resource_owner.
CREATE INDEX org_members_projection_resource_owner_idx ON @extschema@.org_members_projection (instance_id, resource_owner);
CREATE INDEX org_members_projection_user_resource_owner_idx ON @extschema@.org_members_projection (instance_id, user_resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.org_members_projection');
GRANT SELECT ON @extschema@.org_members_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.org_members_projection', '');

------------------------------------------------------------------------------
-- Reducers: members.  Payload userId, roles.  user_resource_owner is the
-- owner of the user's creation event (the user must exist).
------------------------------------------------------------------------------

-- org_members_projection (aggregate `org`, org_id = aggregate id)
SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'org.member.added', 'insert',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roles')",
	          "user_resource_owner": "(SELECT x.resource_owner FROM multitenant.events AS x WHERE x.instance_id = e.instance_id AND x.aggregate_type = 'user' AND x.aggregate_id = multitenant.payload_text(e.payload, 'userId') AND x.sequence = 1)"}$$,
	match => $${"org_id": "e.aggregate_id", "user_id": "COALESCE(multitenant.payload_text(e.payload, 'userId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'org.member.changed', 'update',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roles')"}$$,
	match => $${"org_id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'org.member.removed', 'delete',
	match => $${"org_id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'org.member.cascade.removed', 'delete',
	match => $${"org_id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'user.removed', 'delete',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'org.removed', 'delete',
	match => '{"user_resource_owner": "e.aggregate_id"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.org_members_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- project_members_projection: project_id is the project.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.project_members_projection (
	project_id          text        NOT NULL,
	user_id             text        NOT NULL,
	creation_date       timestamptz NOT NULL,
	user_resource_owner text        NOT NULL,
	roles               text[],
	sequence            bigint      NOT NULL,
	resource_owner      text        NOT NULL,
	instance_id         text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date         timestamptz,
	CONSTRAINT project_members_projection_pkey PRIMARY KEY (instance_id, project_id, user_id),
	CONSTRAINT project_members_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

CREATE INDEX project_members_projection_user_id_idx ON @extschema@.project_members_projection (instance_id, user_id);
-- org.removed cascades by resource_owner and by user_resource_owner.
CREATE INDEX project_members_projection_resource_owner_idx ON @extschema@.project_members_projection (instance_id, resource_owner);
CREATE INDEX project_members_projection_user_resource_owner_idx ON @extschema@.project_members_projection (instance_id, user_resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.project_members_projection');
GRANT SELECT ON @extschema@.project_members_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.project_members_projection', '');

-- project_members_projection (aggregate `project`, project_id = aggregate id)
SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'project.member.added', 'insert',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roles')",
	          "user_resource_owner": "(SELECT x.resource_owner FROM multitenant.events AS x WHERE x.instance_id = e.instance_id AND x.aggregate_type = 'user' AND x.aggregate_id = multitenant.payload_text(e.payload, 'userId') AND x.sequence = 1)"}$$,
	match => $${"project_id": "e.aggregate_id", "user_id": "COALESCE(multitenant.payload_text(e.payload, 'userId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'project.member.changed', 'update',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roles')"}$$,
	match => $${"project_id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'project.member.removed', 'delete',
	match => $${"project_id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'project.member.cascade.removed', 'delete',
	match => $${"project_id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'project.removed', 'delete',
	match => '{"project_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'user.removed', 'delete',
	match => '{"user_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'org.removed', 'delete',
	match => '{"user_resource_owner": "e.aggregate_id"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.project_members_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- instance_members_projection: id is the instance (the instance aggregate's
-- id).
------------------------------------------------------------------------------

CREATE TABLE @extschema@.instance_members_projection (
	id                  text        NOT NULL,
	user_id             text        NOT NULL,
	creation_date       timestamptz NOT NULL,
	user_resource_owner text        NOT NULL,
	roles               text[],
	sequence            bigint      NOT NULL,
	resource_owner      text        NOT NULL,
	instance_id         text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date         timestamptz,
	CONSTRAINT instance_members_projection_pkey PRIMARY KEY (instance_id, id, user_id),
	CONSTRAINT instance_members_projection_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

CREATE INDEX instance_members_projection_user_id_idx ON @extschema@.instance_members_projection (instance_id, user_id);
-- org.removed cascades by user_resource_owner.
CREATE INDEX instance_members_projection_user_resource_owner_idx ON @extschema@.instance_members_projection (instance_id, user_resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.instance_members_projection');
GRANT SELECT ON @extschema@.instance_members_projection TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.instance_members_projection', '');

-- instance_members_projection (aggregate `instance`, id = aggregate id =
-- the tenant).  Zitadel matches changes and removals on (instance_id,
-- user_id); id equals the tenant, so matching id = the instance is the same
-- (the reducers were written when the table had no tenant column, and id
-- kept the instances' rows apart).
SELECT @extschema@.register_reducer('@extschema@.instance_members_projection', 'instance.member.added', 'insert',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roles')",
	          "user_resource_owner": "(SELECT x.resource_owner FROM multitenant.events AS x WHERE x.instance_id = e.instance_id AND x.aggregate_type = 'user' AND x.aggregate_id = multitenant.payload_text(e.payload, 'userId') AND x.sequence = 1)"}$$,
	match => $${"id": "e.aggregate_id", "user_id": "COALESCE(multitenant.payload_text(e.payload, 'userId'), '')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instance_members_projection', 'instance.member.changed', 'update',
	set => $${"roles": "multitenant.payload_text_array(e.payload, 'roles')"}$$,
	match => $${"id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instance_members_projection', 'instance.member.removed', 'delete',
	match => $${"id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instance_members_projection', 'instance.member.cascade.removed', 'delete',
	match => $${"id": "e.aggregate_id", "user_id": "multitenant.payload_text(e.payload, 'userId')"}$$);

SELECT @extschema@.register_reducer('@extschema@.instance_members_projection', 'user.removed', 'delete',
	match => '{"id": "e.instance_id", "user_id": "e.aggregate_id"}');

-- Only the members whose user belonged to the org (the instance is not
-- owned by an org).
SELECT @extschema@.register_reducer('@extschema@.instance_members_projection', 'org.removed', 'delete',
	match => '{"id": "e.instance_id", "user_resource_owner": "e.aggregate_id"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.instance_members_projection', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- Policies.  An org's policy has id = the org, the instance's default policy
-- id = the instance (is_default true).  state (PolicyState): 1 active.
--
-- password_complexity_policies (Zitadel
-- projections.password_complexity_policies2)
------------------------------------------------------------------------------

CREATE TABLE @extschema@.password_complexity_policies (
	id             text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	state          smallint    NOT NULL,
	is_default     boolean     NOT NULL DEFAULT false,
	resource_owner text        NOT NULL,
	min_length     bigint      NOT NULL,
	has_lowercase  boolean     NOT NULL,
	has_uppercase  boolean     NOT NULL,
	has_symbol     boolean     NOT NULL,
	has_number     boolean     NOT NULL,
	owner_removed  boolean     NOT NULL DEFAULT false,
	instance_id    text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date    timestamptz,
	CONSTRAINT password_complexity_policies_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT password_complexity_policies_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- org.removed cascades by resource_owner.
CREATE INDEX password_complexity_policies_resource_owner_idx ON @extschema@.password_complexity_policies (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.password_complexity_policies');
GRANT SELECT ON @extschema@.password_complexity_policies TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.password_complexity_policies', '');

------------------------------------------------------------------------------
-- Reducers: password_complexity_policies (aggregates `org` / `instance`)
-- Absent keys of an added event are Go zero values; a changed event sets
-- the keys present and always touches the row.
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.password_complexity_policies', 'org.policy.password.complexity.added', 'insert',
	set => $${"state": "1",
	          "is_default": "false",
	          "min_length": "COALESCE(multitenant.payload_bigint(e.payload, 'minLength'), 0)",
	          "has_lowercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasLowercase'), false)",
	          "has_uppercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasUppercase'), false)",
	          "has_number": "COALESCE(multitenant.payload_bool(e.payload, 'hasNumber'), false)",
	          "has_symbol": "COALESCE(multitenant.payload_bool(e.payload, 'hasSymbol'), false)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_complexity_policies', 'instance.policy.password.complexity.added', 'insert',
	set => $${"state": "1",
	          "is_default": "true",
	          "min_length": "COALESCE(multitenant.payload_bigint(e.payload, 'minLength'), 0)",
	          "has_lowercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasLowercase'), false)",
	          "has_uppercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasUppercase'), false)",
	          "has_number": "COALESCE(multitenant.payload_bool(e.payload, 'hasNumber'), false)",
	          "has_symbol": "COALESCE(multitenant.payload_bool(e.payload, 'hasSymbol'), false)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_complexity_policies', 'org.policy.password.complexity.changed', 'update',
	set => $${"min_length": "COALESCE(multitenant.payload_bigint(e.payload, 'minLength'), t.min_length)",
	          "has_lowercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasLowercase'), t.has_lowercase)",
	          "has_uppercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasUppercase'), t.has_uppercase)",
	          "has_number": "COALESCE(multitenant.payload_bool(e.payload, 'hasNumber'), t.has_number)",
	          "has_symbol": "COALESCE(multitenant.payload_bool(e.payload, 'hasSymbol'), t.has_symbol)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_complexity_policies', 'instance.policy.password.complexity.changed', 'update',
	set => $${"min_length": "COALESCE(multitenant.payload_bigint(e.payload, 'minLength'), t.min_length)",
	          "has_lowercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasLowercase'), t.has_lowercase)",
	          "has_uppercase": "COALESCE(multitenant.payload_bool(e.payload, 'hasUppercase'), t.has_uppercase)",
	          "has_number": "COALESCE(multitenant.payload_bool(e.payload, 'hasNumber'), t.has_number)",
	          "has_symbol": "COALESCE(multitenant.payload_bool(e.payload, 'hasSymbol'), t.has_symbol)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_complexity_policies', 'org.policy.password.complexity.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.password_complexity_policies', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.password_complexity_policies', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- password_age_policies (Zitadel projections.password_age_policies2)
------------------------------------------------------------------------------

CREATE TABLE @extschema@.password_age_policies (
	id               text        NOT NULL,
	creation_date    timestamptz NOT NULL,
	sequence         bigint      NOT NULL,
	state            smallint    NOT NULL,
	is_default       boolean     NOT NULL DEFAULT false,
	resource_owner   text        NOT NULL,
	expire_warn_days bigint      NOT NULL,
	max_age_days     bigint      NOT NULL,
	owner_removed    boolean     NOT NULL DEFAULT false,
	instance_id      text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date      timestamptz,
	CONSTRAINT password_age_policies_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT password_age_policies_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- org.removed cascades by resource_owner.
CREATE INDEX password_age_policies_resource_owner_idx ON @extschema@.password_age_policies (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.password_age_policies');
GRANT SELECT ON @extschema@.password_age_policies TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.password_age_policies', '');

------------------------------------------------------------------------------
-- Reducers: password_age_policies (aggregates `org` / `instance`)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.password_age_policies', 'org.policy.password.age.added', 'insert',
	set => $${"state": "1",
	          "is_default": "false",
	          "expire_warn_days": "COALESCE(multitenant.payload_bigint(e.payload, 'expireWarnDays'), 0)",
	          "max_age_days": "COALESCE(multitenant.payload_bigint(e.payload, 'maxAgeDays'), 0)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_age_policies', 'instance.policy.password.age.added', 'insert',
	set => $${"state": "1",
	          "is_default": "true",
	          "expire_warn_days": "COALESCE(multitenant.payload_bigint(e.payload, 'expireWarnDays'), 0)",
	          "max_age_days": "COALESCE(multitenant.payload_bigint(e.payload, 'maxAgeDays'), 0)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_age_policies', 'org.policy.password.age.changed', 'update',
	set => $${"expire_warn_days": "COALESCE(multitenant.payload_bigint(e.payload, 'expireWarnDays'), t.expire_warn_days)",
	          "max_age_days": "COALESCE(multitenant.payload_bigint(e.payload, 'maxAgeDays'), t.max_age_days)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_age_policies', 'instance.policy.password.age.changed', 'update',
	set => $${"expire_warn_days": "COALESCE(multitenant.payload_bigint(e.payload, 'expireWarnDays'), t.expire_warn_days)",
	          "max_age_days": "COALESCE(multitenant.payload_bigint(e.payload, 'maxAgeDays'), t.max_age_days)"}$$);

SELECT @extschema@.register_reducer('@extschema@.password_age_policies', 'org.policy.password.age.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.password_age_policies', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.password_age_policies', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- login_policies (Zitadel projections.login_policies5).  Keyed by
-- aggregate_id (the org or the instance); Zitadel's table has no
-- resource_owner (the one adoption added is filled with the event's owner)
-- and no state.  second_factors (SecondFactorType): 1 totp, 2 u2f, 3 otp
-- email, 4 otp sms; multi_factors (MultiFactorType): 1 u2f with pin.
-- passwordless_type: 0 not allowed, 1 allowed.  Lifetimes in nanoseconds
-- (Go time.Duration).
------------------------------------------------------------------------------

CREATE TABLE @extschema@.login_policies (
	aggregate_id                  text        NOT NULL,
	creation_date                 timestamptz NOT NULL,
	sequence                      bigint      NOT NULL,
	is_default                    boolean     NOT NULL DEFAULT false,
	allow_register                boolean     NOT NULL,
	allow_username_password       boolean     NOT NULL,
	allow_external_idps           boolean     NOT NULL,
	force_mfa                     boolean     NOT NULL,
	force_mfa_local_only          boolean     NOT NULL DEFAULT false,
	second_factors                smallint[],
	multi_factors                 smallint[],
	passwordless_type             smallint    NOT NULL,
	hide_password_reset           boolean     NOT NULL,
	ignore_unknown_usernames      boolean     NOT NULL,
	allow_domain_discovery        boolean     NOT NULL,
	disable_login_with_email      boolean     NOT NULL,
	disable_login_with_phone      boolean     NOT NULL,
	default_redirect_uri          text,
	password_check_lifetime       bigint      NOT NULL,
	external_login_check_lifetime bigint      NOT NULL,
	mfa_init_skip_lifetime        bigint      NOT NULL,
	second_factor_check_lifetime  bigint      NOT NULL,
	multi_factor_check_lifetime   bigint      NOT NULL,
	owner_removed                 boolean     NOT NULL DEFAULT false,
	instance_id                   text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date                   timestamptz,
	resource_owner                text        NOT NULL DEFAULT @extschema@.current_tenant(),
	CONSTRAINT login_policies_pkey PRIMARY KEY (instance_id, aggregate_id),
	CONSTRAINT login_policies_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

SELECT @extschema@.enable_tenant_isolation('@extschema@.login_policies');
GRANT SELECT ON @extschema@.login_policies TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.login_policies', '');

------------------------------------------------------------------------------
-- Reducers: login_policies (aggregates `org` / `instance`, key aggregate_id)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.policy.login.added', 'insert',
	set => $${"is_default": "false",
	          "allow_register": "COALESCE(multitenant.payload_bool(e.payload, 'allowRegister'), false)",
	          "allow_username_password": "COALESCE(multitenant.payload_bool(e.payload, 'allowUsernamePassword'), false)",
	          "allow_external_idps": "COALESCE(multitenant.payload_bool(e.payload, 'allowExternalIdp'), false)",
	          "force_mfa": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFA'), false)",
	          "force_mfa_local_only": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFALocalOnly'), false)",
	          "passwordless_type": "COALESCE(multitenant.payload_smallint(e.payload, 'passwordlessType'), 0)",
	          "hide_password_reset": "COALESCE(multitenant.payload_bool(e.payload, 'hidePasswordReset'), false)",
	          "ignore_unknown_usernames": "COALESCE(multitenant.payload_bool(e.payload, 'ignoreUnknownUsernames'), false)",
	          "allow_domain_discovery": "COALESCE(multitenant.payload_bool(e.payload, 'allowDomainDiscovery'), false)",
	          "disable_login_with_email": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithEmail'), false)",
	          "disable_login_with_phone": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithPhone'), false)",
	          "default_redirect_uri": "COALESCE(multitenant.payload_text(e.payload, 'defaultRedirectURI'), '')",
	          "password_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'passwordCheckLifetime'), 0)",
	          "external_login_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'externalLoginCheckLifetime'), 0)",
	          "mfa_init_skip_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'mfaInitSkipLifetime'), 0)",
	          "second_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'secondFactorCheckLifetime'), 0)",
	          "multi_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'multiFactorCheckLifetime'), 0)"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_policies', 'instance.policy.login.added', 'insert',
	set => $${"is_default": "true",
	          "allow_register": "COALESCE(multitenant.payload_bool(e.payload, 'allowRegister'), false)",
	          "allow_username_password": "COALESCE(multitenant.payload_bool(e.payload, 'allowUsernamePassword'), false)",
	          "allow_external_idps": "COALESCE(multitenant.payload_bool(e.payload, 'allowExternalIdp'), false)",
	          "force_mfa": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFA'), false)",
	          "force_mfa_local_only": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFALocalOnly'), false)",
	          "passwordless_type": "COALESCE(multitenant.payload_smallint(e.payload, 'passwordlessType'), 0)",
	          "hide_password_reset": "COALESCE(multitenant.payload_bool(e.payload, 'hidePasswordReset'), false)",
	          "ignore_unknown_usernames": "COALESCE(multitenant.payload_bool(e.payload, 'ignoreUnknownUsernames'), false)",
	          "allow_domain_discovery": "COALESCE(multitenant.payload_bool(e.payload, 'allowDomainDiscovery'), false)",
	          "disable_login_with_email": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithEmail'), false)",
	          "disable_login_with_phone": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithPhone'), false)",
	          "default_redirect_uri": "COALESCE(multitenant.payload_text(e.payload, 'defaultRedirectURI'), '')",
	          "password_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'passwordCheckLifetime'), 0)",
	          "external_login_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'externalLoginCheckLifetime'), 0)",
	          "mfa_init_skip_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'mfaInitSkipLifetime'), 0)",
	          "second_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'secondFactorCheckLifetime'), 0)",
	          "multi_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'multiFactorCheckLifetime'), 0)"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.policy.login.changed', 'update',
	set => $${"allow_register": "COALESCE(multitenant.payload_bool(e.payload, 'allowRegister'), t.allow_register)",
	          "allow_username_password": "COALESCE(multitenant.payload_bool(e.payload, 'allowUsernamePassword'), t.allow_username_password)",
	          "allow_external_idps": "COALESCE(multitenant.payload_bool(e.payload, 'allowExternalIdp'), t.allow_external_idps)",
	          "force_mfa": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFA'), t.force_mfa)",
	          "force_mfa_local_only": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFALocalOnly'), t.force_mfa_local_only)",
	          "passwordless_type": "COALESCE(multitenant.payload_smallint(e.payload, 'passwordlessType'), t.passwordless_type)",
	          "hide_password_reset": "COALESCE(multitenant.payload_bool(e.payload, 'hidePasswordReset'), t.hide_password_reset)",
	          "ignore_unknown_usernames": "COALESCE(multitenant.payload_bool(e.payload, 'ignoreUnknownUsernames'), t.ignore_unknown_usernames)",
	          "allow_domain_discovery": "COALESCE(multitenant.payload_bool(e.payload, 'allowDomainDiscovery'), t.allow_domain_discovery)",
	          "disable_login_with_email": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithEmail'), t.disable_login_with_email)",
	          "disable_login_with_phone": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithPhone'), t.disable_login_with_phone)",
	          "default_redirect_uri": "COALESCE(multitenant.payload_text(e.payload, 'defaultRedirectURI'), t.default_redirect_uri)",
	          "password_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'passwordCheckLifetime'), t.password_check_lifetime)",
	          "external_login_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'externalLoginCheckLifetime'), t.external_login_check_lifetime)",
	          "mfa_init_skip_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'mfaInitSkipLifetime'), t.mfa_init_skip_lifetime)",
	          "second_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'secondFactorCheckLifetime'), t.second_factor_check_lifetime)",
	          "multi_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'multiFactorCheckLifetime'), t.multi_factor_check_lifetime)"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_policies', 'instance.policy.login.changed', 'update',
	set => $${"allow_register": "COALESCE(multitenant.payload_bool(e.payload, 'allowRegister'), t.allow_register)",
	          "allow_username_password": "COALESCE(multitenant.payload_bool(e.payload, 'allowUsernamePassword'), t.allow_username_password)",
	          "allow_external_idps": "COALESCE(multitenant.payload_bool(e.payload, 'allowExternalIdp'), t.allow_external_idps)",
	          "force_mfa": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFA'), t.force_mfa)",
	          "force_mfa_local_only": "COALESCE(multitenant.payload_bool(e.payload, 'forceMFALocalOnly'), t.force_mfa_local_only)",
	          "passwordless_type": "COALESCE(multitenant.payload_smallint(e.payload, 'passwordlessType'), t.passwordless_type)",
	          "hide_password_reset": "COALESCE(multitenant.payload_bool(e.payload, 'hidePasswordReset'), t.hide_password_reset)",
	          "ignore_unknown_usernames": "COALESCE(multitenant.payload_bool(e.payload, 'ignoreUnknownUsernames'), t.ignore_unknown_usernames)",
	          "allow_domain_discovery": "COALESCE(multitenant.payload_bool(e.payload, 'allowDomainDiscovery'), t.allow_domain_discovery)",
	          "disable_login_with_email": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithEmail'), t.disable_login_with_email)",
	          "disable_login_with_phone": "COALESCE(multitenant.payload_bool(e.payload, 'disableLoginWithPhone'), t.disable_login_with_phone)",
	          "default_redirect_uri": "COALESCE(multitenant.payload_text(e.payload, 'defaultRedirectURI'), t.default_redirect_uri)",
	          "password_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'passwordCheckLifetime'), t.password_check_lifetime)",
	          "external_login_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'externalLoginCheckLifetime'), t.external_login_check_lifetime)",
	          "mfa_init_skip_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'mfaInitSkipLifetime'), t.mfa_init_skip_lifetime)",
	          "second_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'secondFactorCheckLifetime'), t.second_factor_check_lifetime)",
	          "multi_factor_check_lifetime": "COALESCE(multitenant.payload_bigint(e.payload, 'multiFactorCheckLifetime'), t.multi_factor_check_lifetime)"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');

-- Factors: an absent mfaType is Go's zero value 0.
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.policy.login.secondfactor.added', 'update',
	set => $${"second_factors": "pg_catalog.array_append(t.second_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'instance.policy.login.secondfactor.added', 'update',
	set => $${"second_factors": "pg_catalog.array_append(t.second_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.policy.login.secondfactor.removed', 'update',
	set => $${"second_factors": "pg_catalog.array_remove(t.second_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'instance.policy.login.secondfactor.removed', 'update',
	set => $${"second_factors": "pg_catalog.array_remove(t.second_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.policy.login.multifactor.added', 'update',
	set => $${"multi_factors": "pg_catalog.array_append(t.multi_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'instance.policy.login.multifactor.added', 'update',
	set => $${"multi_factors": "pg_catalog.array_append(t.multi_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.policy.login.multifactor.removed', 'update',
	set => $${"multi_factors": "pg_catalog.array_remove(t.multi_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'instance.policy.login.multifactor.removed', 'update',
	set => $${"multi_factors": "pg_catalog.array_remove(t.multi_factors, COALESCE(multitenant.payload_smallint(e.payload, 'mfaType'), 0::smallint))"}$$,
	match => '{"aggregate_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.policy.login.removed', 'delete',
	match => '{"aggregate_id": "e.aggregate_id"}');

SELECT @extschema@.register_reducer('@extschema@.login_policies', 'org.removed', 'delete',
	match => '{"aggregate_id": "e.aggregate_id"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.login_policies', 'instance.removed', 'delete',
	match => '{}');

------------------------------------------------------------------------------
-- notification_policies (Zitadel projections.notification_policies)
------------------------------------------------------------------------------

CREATE TABLE @extschema@.notification_policies (
	id              text        NOT NULL,
	creation_date   timestamptz NOT NULL,
	sequence        bigint      NOT NULL,
	state           smallint    NOT NULL,
	is_default      boolean     NOT NULL DEFAULT false,
	resource_owner  text        NOT NULL,
	password_change boolean     NOT NULL,
	owner_removed   boolean     NOT NULL DEFAULT false,
	instance_id     text        NOT NULL DEFAULT @extschema@.current_tenant(),
	change_date     timestamptz,
	CONSTRAINT notification_policies_pkey PRIMARY KEY (instance_id, id),
	CONSTRAINT notification_policies_instance_id_check CHECK (instance_id OPERATOR(pg_catalog.<>) '')
);

-- org.removed cascades by resource_owner.
CREATE INDEX notification_policies_resource_owner_idx ON @extschema@.notification_policies (instance_id, resource_owner);

SELECT @extschema@.enable_tenant_isolation('@extschema@.notification_policies');
GRANT SELECT ON @extschema@.notification_policies TO multitenant_app, multitenant_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.notification_policies', '');

------------------------------------------------------------------------------
-- Reducers: notification_policies (aggregates `org` / `instance`)
------------------------------------------------------------------------------

SELECT @extschema@.register_reducer('@extschema@.notification_policies', 'org.policy.notification.added', 'insert',
	set => $${"state": "1",
	          "is_default": "false",
	          "password_change": "COALESCE(multitenant.payload_bool(e.payload, 'passwordChange'), false)"}$$);

SELECT @extschema@.register_reducer('@extschema@.notification_policies', 'instance.policy.notification.added', 'insert',
	set => $${"state": "1",
	          "is_default": "true",
	          "password_change": "COALESCE(multitenant.payload_bool(e.payload, 'passwordChange'), false)"}$$);

SELECT @extschema@.register_reducer('@extschema@.notification_policies', 'org.policy.notification.changed', 'update',
	set => $${"password_change": "COALESCE(multitenant.payload_bool(e.payload, 'passwordChange'), t.password_change)"}$$);

SELECT @extschema@.register_reducer('@extschema@.notification_policies', 'instance.policy.notification.changed', 'update',
	set => $${"password_change": "COALESCE(multitenant.payload_bool(e.payload, 'passwordChange'), t.password_change)"}$$);

SELECT @extschema@.register_reducer('@extschema@.notification_policies', 'org.policy.notification.removed', 'delete');

SELECT @extschema@.register_reducer('@extschema@.notification_policies', 'org.removed', 'delete',
	match => '{"resource_owner": "e.aggregate_id"}');

-- instance.removed deletes the tenant's rows: the engine adds the tenant to
-- the empty match.
SELECT @extschema@.register_reducer('@extschema@.notification_policies', 'instance.removed', 'delete',
	match => '{}');
