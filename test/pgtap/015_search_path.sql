-- No function of the extension resolves an operator, function, aggregate or
-- type through the caller's search_path.  A schema `evil`
-- (test/fixtures/search_path_shadows.sql) shadows the common ones, each
-- shadow counting its calls and answering wrongly.  Every function of schema
-- multitenant runs against one fixture twice, each time in a savepoint that
-- is rolled back afterwards: with an ordinary search_path, and as a caller
-- with `SET search_path = evil, pg_catalog, public` would.  The result (or
-- the SQLSTATE) and the state the call leaves (every table of the extension
-- and of the fixture, the fixture's catalog) must be the same, and no shadow
-- may be called.  The push and reducer cases run as an application role and
-- as an administrator too, and replay the events of every built-in projection
-- family; the functions that reach the reducer engine run once more with
-- their SET clauses removed, so that the engine's own search_path is on
-- trial.  A control case checks that the shadows do bite an unqualified
-- caller.  The list of cases must cover pg_proc: a new function without a
-- case fails the suite.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

------------------------------------------------------------------------------
-- The events of every built-in projection family: the upgrade streams,
-- pushed, read back as push_many elements and rolled back, so that the cases
-- can replay them into projections that do not hold them.
------------------------------------------------------------------------------
SAVEPOINT stream;
\ir ../upgrade/stream_base.sql
\ir ../upgrade/stream_identity.sql
\ir ../upgrade/stream_access.sql
\ir ../upgrade/stream_idps.sql
\ir ../upgrade/stream_auth.sql
\ir ../upgrade/stream_tenants.sql
SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
           'instance_id', e.instance_id, 'aggregate_type', e.aggregate_type, 'aggregate_id', e.aggregate_id,
           'event_type', e.event_type, 'payload', e.payload, 'expected_sequence', e.sequence - 1,
           'resource_owner', e.resource_owner, 'creator', e.creator, 'created_at', e.created_at)
       ORDER BY e.position)::text AS stream
  FROM multitenant.events AS e
 WHERE e.instance_id IN ('upg-a', 'upg-b', 'upg-c', 'system') \gset
ROLLBACK TO SAVEPOINT stream;

CREATE TEMP TABLE sp_stream AS
SELECT x.n::integer AS n, x.element ->> 'instance_id' AS instance_id, x.element ->> 'event_type' AS event_type,
       -- no payload key for events without a payload, so that sp_push_each passes SQL NULL as the stream did
       CASE WHEN x.element -> 'payload' = 'null' THEN x.element - 'payload' ELSE x.element END AS element
  FROM jsonb_array_elements(:'stream'::jsonb) WITH ORDINALITY AS x(element, n);
GRANT SELECT ON sp_stream TO PUBLIC;

-- Replays one tenant's stream event by event.  Caller's code: like every
-- case, it qualifies what it uses, so that only the extension's own
-- resolution is on trial.
CREATE FUNCTION pg_temp.sp_push_each(tenant text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	s record;
BEGIN
	FOR s IN SELECT x.element FROM pg_temp.sp_stream AS x
	          WHERE x.instance_id OPERATOR(pg_catalog.=) tenant ORDER BY x.n LOOP
		PERFORM multitenant.push(s.element OPERATOR(pg_catalog.->>) 'aggregate_type',
		                         s.element OPERATOR(pg_catalog.->>) 'aggregate_id',
		                         s.element OPERATOR(pg_catalog.->>) 'event_type',
		                         s.element OPERATOR(pg_catalog.->) 'payload',
		                         resource_owner => s.element OPERATOR(pg_catalog.->>) 'resource_owner',
		                         creator => s.element OPERATOR(pg_catalog.->>) 'creator',
		                         instance_id => tenant,
		                         created_at => (s.element OPERATOR(pg_catalog.->>) 'created_at')::timestamp with time zone);
	END LOOP;
END $$;

------------------------------------------------------------------------------
-- Fixture
------------------------------------------------------------------------------
CREATE ROLE mt_sp_app NOLOGIN;
GRANT multitenant_app TO mt_sp_app;
CREATE ROLE mt_sp_admin NOLOGIN;
GRANT multitenant_admin TO mt_sp_admin;

\ir ../fixtures/pgtap_tenant_calls.sql

DO $$
BEGIN
	PERFORM pg_temp.ev('instance', 'sp-a', 'instance.added', '{"name": "Shadows"}', 'sp-a');
	PERFORM pg_temp.ev('instance', 'sp-a', 'instance.domain.added', '{"domain": "Login.sp-a.example", "generated": false}', 'sp-a');
	PERFORM pg_temp.ev('instance', 'sp-a', 'instance.policy.domain.added', '{"userLoginMustBeDomain": false}', 'sp-a');
	PERFORM pg_temp.ev('instance', 'sp-a', 'instance.policy.lockout.added',
		'{"maxPasswordAttempts": 5, "maxOTPAttempts": 5, "showLockOutFailures": true}', 'sp-a');
	PERFORM pg_temp.ev('org', 'o1', 'org.added', '{"name": "One"}', 'sp-a');
	PERFORM pg_temp.ev('org', 'o1', 'org.domain.added', '{"domain": "One.example"}', 'sp-a');
	PERFORM pg_temp.ev('org', 'o1', 'org.domain.verified', '{"domain": "One.example"}', 'sp-a');
	PERFORM pg_temp.ev('org', 'o1', 'org.policy.lockout.added',
		'{"maxPasswordAttempts": 2, "maxOTPAttempts": 2, "showLockOutFailures": false}', 'sp-a');
	PERFORM pg_temp.ev('org', 'o2', 'org.added', '{"name": "Two"}', 'sp-a');
	PERFORM pg_temp.ev('org', 'o2', 'org.domain.added', '{"domain": "two.example"}', 'sp-a');
	PERFORM pg_temp.ev('org', 'o2', 'org.domain.verified', '{"domain": "two.example"}', 'sp-a');
	PERFORM pg_temp.ev('org', 'o2', 'org.policy.domain.added', '{"userLoginMustBeDomain": true}', 'sp-a');
	PERFORM pg_temp.ev('project', 'p1', 'project.added', '{"name": "Shop"}', 'sp-a', 'o1');
	PERFORM pg_temp.ev('user', 'u1', 'user.human.added',
		'{"userName": "Alice", "firstName": "A", "lastName": "A", "email": "a@x"}', 'sp-a', 'o1');
	PERFORM pg_temp.ev('user', 'u2', 'user.human.added',
		'{"userName": "bob", "firstName": "B", "lastName": "B", "email": "b@x"}', 'sp-a', 'o1');
	PERFORM pg_temp.ev('user', 'u4', 'user.human.added',
		'{"userName": "Dave", "firstName": "D", "lastName": "D", "email": "d@x"}', 'sp-a', 'o2');
	PERFORM pg_temp.ev('user', 'm1', 'user.machine.added', '{"userName": "svc", "name": "Service"}', 'sp-a', 'o1');
	PERFORM pg_temp.ev('usergrant', 'g1', 'user.grant.added',
		'{"userId": "u1", "projectId": "p1", "roleKeys": ["reader"]}', 'sp-a', 'o1');
	PERFORM pg_temp.ev('org', 'o1', 'org.member.added', '{"userId": "u1", "roles": ["ORG_OWNER"]}', 'sp-a');
	PERFORM pg_temp.ev('instance', 'sp-b', 'instance.added', '{"name": "Other"}', 'sp-b');
	PERFORM pg_temp.ev('user', 'u1', 'user.human.added',
		'{"userName": "carol", "firstName": "C", "lastName": "C", "email": "c@x"}', 'sp-b', 'o1');
END $$;

-- A projection of our own, with reducers registered by an administrator
-- whose expressions leave operators, functions and casts unqualified.
CREATE SCHEMA sp;
GRANT USAGE ON SCHEMA sp TO mt_sp_app, mt_sp_admin;
CREATE TABLE sp.carts (
	instance_id text NOT NULL CHECK (instance_id <> ''),
	id text NOT NULL,
	creation_date timestamptz NOT NULL,
	change_date timestamptz NOT NULL,
	sequence bigint NOT NULL,
	resource_owner text NOT NULL,
	label text,
	items integer NOT NULL DEFAULT 0,
	PRIMARY KEY (instance_id, id)
);
GRANT SELECT ON sp.carts TO mt_sp_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON sp.carts TO mt_sp_admin;
-- adopt_table's subjects, and a tenant table not yet isolated.
CREATE TABLE sp.sites (
	id integer PRIMARY KEY,
	name text NOT NULL UNIQUE,
	kind text NOT NULL DEFAULT 'plain' CHECK (kind <> ''),
	tags text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX sites_lower_name_idx ON sp.sites (lower(name)) WHERE kind <> 'hidden';
CREATE TABLE sp.site_notes (
	id integer PRIMARY KEY,
	site_id integer NOT NULL REFERENCES sp.sites ON DELETE CASCADE,
	note text NOT NULL DEFAULT ''
);
INSERT INTO sp.sites VALUES (1, 'North', 'plain', '{a}'), (2, 'South', 'hidden', '{}');
INSERT INTO sp.site_notes VALUES (1, 1, 'n1'), (2, 2, 'n2');
CREATE TABLE sp.plain (instance_id text NOT NULL CHECK (instance_id <> ''), id text NOT NULL, PRIMARY KEY (instance_id, id));

CREATE TEMP TABLE sp_vals (k text PRIMARY KEY, v text);
GRANT SELECT ON sp_vals TO PUBLIC;

DO $$
BEGIN
	PERFORM multitenant.enable_tenant_isolation('sp.carts');
	SET LOCAL ROLE mt_sp_admin;
	PERFORM multitenant.register_reducer('sp.carts', 'cart.created', 'insert',
		set => $j${"label": "lower(multitenant.payload_text(e.payload, 'label')) || '!'"}$j$);
	PERFORM multitenant.register_reducer('sp.carts', 'cart.item.added', 'update',
		set => $j${"items": "t.items + coalesce(multitenant.payload_bigint(e.payload, 'count'), 1)::integer"}$j$,
		"when" => $w$e.payload ->> 'sku' <> 'free'$w$);
	RESET ROLE;
	PERFORM pg_temp.ev('cart', 'c0', 'cart.created', '{"label": "First"}', 'sp-a', 'o1');
	PERFORM pg_temp.ev('cart', 'c0', 'cart.item.added', '{"sku": "x", "count": 2}', 'sp-a');

	-- One failed password check of u2: the next one reaches o1's limit.
	PERFORM multitenant.set_tenant('sp-a');
	PERFORM multitenant.record_auth_check('u2', 'password', false);
	INSERT INTO pg_temp.sp_vals VALUES ('pat', multitenant.create_pat('m1', '2999-01-01 00:00:00+00', '{api}'));
	PERFORM multitenant.reset_tenant();

	-- Signed tokens and keys where the server is configured for them.
	BEGIN
		INSERT INTO pg_temp.sp_vals VALUES ('token', multitenant.sign_tenant('sp-a', '1 hour'));
		INSERT INTO pg_temp.sp_vals VALUES ('actor_token', multitenant.sign_tenant('sp-a', '1 hour', 'bob'));
	EXCEPTION WHEN object_not_in_prerequisite_state THEN
		NULL;
	END;
	BEGIN
		PERFORM multitenant.add_key('k1', '\xc0ffee', instance_id => 'sp-a');
	EXCEPTION WHEN object_not_in_prerequisite_state THEN
		NULL;
	END;
END $$;

CREATE FUNCTION pg_temp.sp_val(key text) RETURNS text LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT v.v FROM pg_temp.sp_vals AS v WHERE v.k = key $$;

------------------------------------------------------------------------------
-- The shadows, and the driver
------------------------------------------------------------------------------
\ir ../fixtures/search_path_shadows.sql

-- A table row as compared: what differs between two runs by design (event
-- positions, registry and audit log ids from sequences, random token ids and hashes,
-- random nonces in encrypted keys) is reduced to its length.  It runs only
-- inside sp_state, under sp_state's search_path.
CREATE FUNCTION pg_temp.sp_row(tbl text, j jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
SELECT CASE tbl
	WHEN 'multitenant.events' THEN
		(j - 'position') || CASE WHEN j ->> 'event_type' = 'user.pat.added'
		                         THEN jsonb_build_object('payload', (j -> 'payload')
		                              || jsonb_build_object('tokenId', length(j -> 'payload' ->> 'tokenId'),
		                                                    'tokenHash', length(j -> 'payload' ->> 'tokenHash')))
		                         -- made by request_join, invite, create_realm and the clock
		                         WHEN j ->> 'event_type' LIKE 'tenant.request.%' OR j ->> 'event_type' LIKE 'tenant.invitation.%'
		                              OR j ->> 'event_type' LIKE 'tenant.session.%'
		                              OR j ->> 'event_type' = 'tenant.member.added' OR j ->> 'event_type' LIKE 'tenant.realm.%'
		                         THEN jsonb_build_object('payload', (j -> 'payload')
		                              || jsonb_strip_nulls(jsonb_build_object('requestId', length(j -> 'payload' ->> 'requestId'),
		                                                                      'sessionId', length(j -> 'payload' ->> 'sessionId'),
		                                                                      'realmId', length(j -> 'payload' ->> 'realmId'),
		                                                                      'invitationId', length(j -> 'payload' ->> 'invitationId'),
		                                                                      'tokenHash', length(j -> 'payload' ->> 'tokenHash'),
		                                                                      'keyId', length(j -> 'payload' ->> 'keyId'),
		                                                                      'acceptedAt', (j -> 'payload') ? 'acceptedAt')))
		                         ELSE '{}' END
	WHEN 'multitenant.personal_access_tokens_projection' THEN
		j || jsonb_build_object('id', length(j ->> 'id'), 'token_hash', length(j ->> 'token_hash'))
	WHEN 'multitenant.reducers' THEN j - 'id'
	WHEN 'multitenant.encryption_keys' THEN
		j || jsonb_build_object('key_data', length(j ->> 'key_data'))
		  -- a realm's secrets are named by the realm's random id
		  || CASE WHEN j ->> 'id' LIKE 'realm:%' OR j ->> 'id' LIKE 'session-key:%' THEN jsonb_build_object('id', length(j ->> 'id')) ELSE '{}' END
	WHEN 'multitenant.audit_log' THEN
		(j - 'id') || CASE WHEN j ->> 'target_table' IN ('multitenant.join_requests', 'multitenant.invitations', 'multitenant.memberships',
		                                                 'multitenant.principal_sessions', 'multitenant.tenant_realms',
		                                                 'multitenant.session_keys')
		                   THEN jsonb_build_object('target_key', jsonb_typeof(j -> 'target_key'), 'before', jsonb_typeof(j -> 'before'),
		                                           'after', jsonb_typeof(j -> 'after'))
		                   ELSE '{}' END
	WHEN 'multitenant.join_requests' THEN j || jsonb_build_object('id', length(j ->> 'id'))
	WHEN 'multitenant.tenant_realms' THEN j || jsonb_build_object('id', length(j ->> 'id'))
	WHEN 'multitenant.invitations' THEN j || jsonb_build_object('id', length(j ->> 'id'), 'token_hash', length(j ->> 'token_hash'))
	WHEN 'multitenant.principal_sessions' THEN
		j || jsonb_build_object('id', length(j ->> 'id'), 'token_hash', length(j ->> 'token_hash'), 'key_id', length(j ->> 'key_id'))
	WHEN 'multitenant.session_keys' THEN
		-- made at the clock's time, not the transaction's
		j || jsonb_build_object('kid', length(j ->> 'kid'), 'public_jwk', jsonb_typeof(j -> 'public_jwk'),
		                        'created_at', jsonb_typeof(j -> 'created_at'))
	WHEN 'multitenant.memberships' THEN
		j || jsonb_build_object('accepted_at', j ? 'accepted_at' AND j -> 'accepted_at' <> 'null',
		                        'last_active_at', j ? 'last_active_at' AND j -> 'last_active_at' <> 'null')
	ELSE j END $$;

-- The state a case leaves: per table of the extension and of the fixture
-- its row count and a digest of its rows, then the fixture's catalog as
-- PostgreSQL prints it (an operator bound to evil prints as OPERATOR(evil.=)).
DO $$
BEGIN
	EXECUTE (SELECT 'CREATE TEMP VIEW sp_rows AS '
	                || string_agg(format('SELECT %L::text AS tbl, %s AS x FROM %s AS r', c.oid::regclass,
	                                     CASE WHEN c.oid IN ('multitenant.events'::regclass, 'multitenant.reducers'::regclass,
	                                                         'multitenant.personal_access_tokens_projection'::regclass,
	                                                         'multitenant.encryption_keys'::regclass, 'multitenant.audit_log'::regclass,
	                                                         'multitenant.join_requests'::regclass, 'multitenant.invitations'::regclass,
	                                                         'multitenant.memberships'::regclass, 'multitenant.tenant_realms'::regclass,
	                                                         'multitenant.principal_sessions'::regclass, 'multitenant.session_keys'::regclass)
	                                          THEN format('pg_temp.sp_row(%L, to_jsonb(r))::text', c.oid::regclass)
	                                          ELSE 'r::text' END,
	                                     c.oid::regclass)
	                              -- the built-in reducers (ids from the install) by id only: cheaper
	                              || CASE WHEN c.oid = 'multitenant.reducers'::regclass
	                                      THEN ' WHERE NOT r.builtin UNION ALL SELECT ''built-in reducers'', r.id::text'
	                                           ' FROM multitenant.reducers AS r WHERE r.builtin'
	                                      ELSE '' END,
	                              ' UNION ALL ' ORDER BY c.oid::regclass::text)
	           FROM pg_class AS c
	          WHERE c.relnamespace IN ('multitenant'::regnamespace, 'sp'::regnamespace) AND c.relkind = 'r');
END $$;
CREATE FUNCTION pg_temp.sp_state() RETURNS text LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	acc text;
BEGIN
	SELECT string_agg(format('%s %s %s', s.tbl, s.n, s.digest), E'\n' ORDER BY s.tbl) INTO acc
	  FROM (SELECT v.tbl, count(*) AS n, md5(string_agg(v.x, E'\n' ORDER BY v.x)) AS digest
	          FROM pg_temp.sp_rows AS v GROUP BY v.tbl) AS s;
	SELECT acc || E'\n' || coalesce(string_agg(d, E'\n' ORDER BY d), '') INTO acc FROM (
		SELECT format('column %s.%s %s not null %s default %s', c.relname, a.attname,
		              format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid)) AS d
		  FROM pg_class AS c
		  JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		  LEFT JOIN pg_attrdef AS ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
		 WHERE c.relnamespace = 'sp'::regnamespace AND c.relkind = 'r'
		UNION ALL
		SELECT format('constraint %s.%s %s', c.relname, k.conname, pg_get_constraintdef(k.oid))
		  FROM pg_constraint AS k JOIN pg_class AS c ON c.oid = k.conrelid
		 WHERE c.relnamespace = 'sp'::regnamespace
		UNION ALL
		SELECT format('index %s', pg_get_indexdef(i.indexrelid))
		  FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indrelid
		 WHERE c.relnamespace = 'sp'::regnamespace
		UNION ALL
		SELECT format('policy %s.%s %s %s %s using %s check %s', c.relname, p.polname, p.polcmd, p.polpermissive,
		              p.polroles::regrole[], pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
		  FROM pg_policy AS p JOIN pg_class AS c ON c.oid = p.polrelid
		 WHERE c.relnamespace = 'sp'::regnamespace
		UNION ALL
		SELECT format('rls %s %s %s', c.relname, c.relrowsecurity, c.relforcerowsecurity)
		  FROM pg_class AS c WHERE c.relnamespace = 'sp'::regnamespace AND c.relkind = 'r'
	) AS catalog;
	RETURN acc;
END $$;

-- The lines of one state that the other lacks, each marked with its side.
CREATE FUNCTION pg_temp.sp_diff(have text, want text) RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp AS $$
SELECT coalesce(string_agg(l, E'\n' ORDER BY l), '') FROM (
	(SELECT 'hostile: ' || x FROM unnest(string_to_array(have, E'\n')) AS x
	 EXCEPT ALL SELECT 'hostile: ' || y FROM unnest(string_to_array(want, E'\n')) AS y)
	UNION ALL
	(SELECT 'normal:  ' || y FROM unnest(string_to_array(want, E'\n')) AS y
	 EXCEPT ALL SELECT 'normal:  ' || x FROM unnest(string_to_array(have, E'\n')) AS x)
) AS d(l) $$;

-- The lifecycle's fixture: tenant sp-lc with owner sp-o, admin sp-m, a
-- custom role; sp-u is a principal of no tenant, unverified.
DO $lifecycle$
BEGIN
	PERFORM multitenant.register_tenant('sp-lc', 'Lifecycle', owner_id => 'sp-o', owner_email => 'o@example.com');
	PERFORM multitenant.create_principal('user', 'm@example.com', 'M', id => 'sp-m');
	PERFORM multitenant.verify_principal('sp-m');
	PERFORM multitenant.add_member('sp-m', 'admin', 'sp-lc');
	PERFORM multitenant.create_principal('user', 'u@example.com', 'U', id => 'sp-u');
	PERFORM multitenant.create_custom_role('auditor', 'Reads the log', 'sp-lc');
END
$lifecycle$;

CREATE TEMP TABLE sp_cases (
	id serial PRIMARY KEY,
	fn regprocedure,                    -- the function the case covers; NULL for the control case
	label text NOT NULL,
	run_as name,                        -- NULL: the superuser running the suite
	tenant text,                        -- the tenant entered (by the superuser) before
	steps text[] NOT NULL DEFAULT '{}', -- statements run first, as the case's role and search_path
	query text NOT NULL,                -- a query whose rows are the result, or a statement (is_query false)
	is_query boolean NOT NULL DEFAULT true
);
CREATE TEMP TABLE sp_outcomes (
	case_id integer NOT NULL,
	section text NOT NULL,
	path text NOT NULL,
	result text,
	state text,
	calls text,
	PRIMARY KEY (case_id, section, path)
);

-- Runs a case in a savepoint that is rolled back, under the given
-- search_path; returns its rows (or SQLSTATE), the state it left and the
-- shadow calls it made (counted by a sequence, which the rollback cannot
-- undo; named from the log when the case did not fail).
CREATE FUNCTION pg_temp.sp_run(case_id integer, path text, OUT result text, OUT state text, OUT calls text)
LANGUAGE plpgsql AS $$
DECLARE
	c pg_temp.sp_cases;
	stmt text;
	step text;
	saved text := current_setting('search_path');
	before bigint := evil.call_count();
	n bigint;
	code text;
BEGIN
	SELECT * INTO STRICT c FROM pg_temp.sp_cases AS x WHERE x.id = case_id;
	stmt := CASE WHEN c.is_query
	             THEN 'SELECT pg_catalog.string_agg(r::pg_catalog.text, E''\n'' ORDER BY r::pg_catalog.text) FROM ('
	                  || c.query || ') AS r'
	             ELSE c.query END;
	BEGIN
		IF c.tenant IS NULL THEN
			PERFORM multitenant.reset_tenant();
		ELSE
			PERFORM multitenant.set_tenant(c.tenant);
		END IF;
		-- No actor either (cleared by the superuser, so that a case's steps
		-- may act as another one than an earlier case).
		PERFORM pg_catalog.set_config('multitenant.actor', '', true);
		IF c.run_as IS NOT NULL THEN
			EXECUTE format('SET LOCAL ROLE %I', c.run_as);
		END IF;
		PERFORM pg_catalog.set_config('search_path', path, true);
		-- Until the search_path is restored, only what needs no resolution.
		FOREACH step IN ARRAY c.steps LOOP
			EXECUTE step;
		END LOOP;
		IF c.is_query THEN
			EXECUTE stmt INTO result;
		ELSE
			EXECUTE stmt;
			GET DIAGNOSTICS n = ROW_COUNT;
		END IF;
		PERFORM pg_catalog.set_config('search_path', saved, true);
		RESET ROLE;
		IF NOT c.is_query THEN
			result := n || ' rows';
		END IF;
		result := coalesce(result, '(no rows)');
		state := pg_temp.sp_state();
		SELECT string_agg(DISTINCT l.what, '; ' ORDER BY l.what) INTO calls FROM evil.calls AS l;
		RAISE EXCEPTION USING ERRCODE = 'MTSP0', MESSAGE = 'rolled back';
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE;
		IF code <> 'MTSP0' THEN
			result := 'ERROR ' || code;
			state := NULL;
			calls := NULL;
		END IF;
	END;
	n := evil.call_count() - before;
	calls := CASE WHEN n = 0 THEN '' ELSE n || ' shadow calls' || coalesce(': ' || calls, '') END;
END $$;

CREATE FUNCTION pg_temp.sp_run_all(section text, fns regprocedure[] DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	c record;
	o record;
	p text;
BEGIN
	FOR c IN SELECT x.id FROM pg_temp.sp_cases AS x WHERE fns IS NULL OR x.fn = ANY (fns) ORDER BY x.id LOOP
		FOREACH p IN ARRAY ARRAY['normal', 'hostile'] LOOP
			SELECT * INTO o FROM pg_temp.sp_run(c.id, CASE p WHEN 'normal' THEN '"$user", public'
			                                                 ELSE 'evil, pg_catalog, public' END);
			INSERT INTO pg_temp.sp_outcomes VALUES (c.id, section, p, o.result, o.state, o.calls);
		END LOOP;
	END LOOP;
END $$;

------------------------------------------------------------------------------
-- The cases
------------------------------------------------------------------------------
INSERT INTO sp_cases (fn, label, run_as, tenant, steps, query, is_query) VALUES
-- control: the shadows bite a caller that leaves things unqualified
(NULL, 'control', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT 'a' = 'a', lower('A'), ('{"k": "v"}'::jsonb) ->> 'k', 'x'::text, length('abc')$$, true),

-- tenant context
('multitenant.current_tenant()', 'current_tenant', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.current_tenant()$$, true),
('multitenant.set_tenant(text,text,boolean)', 'set_tenant', 'mt_sp_app', NULL,
 ARRAY[$$SELECT multitenant.set_tenant('sp-a')$$], $$SELECT multitenant.current_tenant()$$, true),
('multitenant.set_tenant(text,text,boolean)', 'set_tenant is_local', 'mt_sp_app', NULL,
 ARRAY[$$SELECT multitenant.set_tenant('sp-b', is_local => true)$$], $$SELECT multitenant.current_tenant()$$, true),
('multitenant.set_tenant(text,text,boolean)', 'set_tenant with a token', 'mt_sp_app', NULL,
 ARRAY[format('SELECT multitenant.set_tenant(%L, %L)', 'sp-a', pg_temp.sp_val('token'))],
 $$SELECT multitenant.current_tenant()$$, true),
('multitenant.set_tenant(text,text,boolean)', 'set_tenant with a bad token', 'mt_sp_app', NULL, '{}',
 $$SELECT multitenant.set_tenant('sp-a', 'sp-a.1.00')$$, true),
('multitenant.set_tenant(text,text,boolean)', 'set_tenant empty', 'mt_sp_app', NULL, '{}',
 $$SELECT multitenant.set_tenant('')$$, true),
('multitenant.sign_tenant(text,interval,text)', 'sign_tenant with an actor', NULL, NULL, '{}',
 $$SELECT pg_catalog.split_part(t, '.', 1), pg_catalog.split_part(t, '.', 2), pg_catalog.split_part(t, '.', 3) FROM multitenant.sign_tenant('sp-a', '1 hour', 'alice') AS t$$, true),
('multitenant.current_actor()', 'current_actor', 'mt_sp_app', 'sp-a', ARRAY[$$SET LOCAL multitenant.actor = 'alice'$$],
 $$SELECT multitenant.current_actor()$$, true),
('multitenant.current_actor()', 'current_actor of a token', 'mt_sp_app', NULL, '{}',
 format('SELECT u.id, multitenant.current_actor() FROM multitenant.user_by_id(%L, %L) AS u', 'u1', pg_temp.sp_val('actor_token')), true),
('multitenant.reset_tenant()', 'reset_tenant', 'mt_sp_app', 'sp-a',
 ARRAY[$$SELECT multitenant.reset_tenant()$$], $$SELECT multitenant.current_tenant() IS NULL$$, true),
('multitenant.sign_tenant(text,interval,text)', 'sign_tenant', NULL, NULL, '{}',
 $$SELECT pg_catalog.split_part(t, '.', 1), pg_catalog.length(t) FROM multitenant.sign_tenant('sp-a', '1 hour') AS t$$, true),
('multitenant.sign_tenant(text,interval,text)', 'sign_tenant as the application', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.sign_tenant('sp-a')$$, true),

-- payload accessors
('multitenant.payload_text(jsonb,text)', 'payload_text', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.payload_text('{"a": "x", "n": null}', 'a'), multitenant.payload_text('{"n": null}', 'n'),
          multitenant.payload_text('{}', 'a')$$, true),
('multitenant.payload_text(jsonb,text)', 'payload_text of a number', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.payload_text('{"a": 1}', 'a')$$, true),
('multitenant.payload_bool(jsonb,text)', 'payload_bool', NULL, NULL, '{}',
 $$SELECT multitenant.payload_bool('{"a": true, "b": false}', 'a'), multitenant.payload_bool('{"a": true, "b": false}', 'b')$$, true),
('multitenant.payload_bool(jsonb,text)', 'payload_bool of a string', NULL, NULL, '{}',
 $$SELECT multitenant.payload_bool('{"a": "true"}', 'a')$$, true),
('multitenant.payload_bigint(jsonb,text)', 'payload_bigint', NULL, NULL, '{}',
 $$SELECT multitenant.payload_bigint('{"a": 9007199254740993}', 'a'), multitenant.payload_bigint('{"a": -1}', 'a')$$, true),
('multitenant.payload_bigint(jsonb,text)', 'payload_bigint of a fraction', NULL, NULL, '{}',
 $$SELECT multitenant.payload_bigint('{"a": 1.5}', 'a')$$, true),
('multitenant.payload_smallint(jsonb,text)', 'payload_smallint', NULL, NULL, '{}',
 $$SELECT multitenant.payload_smallint('{"a": 7}', 'a')$$, true),
('multitenant.payload_smallint(jsonb,text)', 'payload_smallint out of range', NULL, NULL, '{}',
 $$SELECT multitenant.payload_smallint('{"a": 70000}', 'a')$$, true),
('multitenant.payload_text_array(jsonb,text)', 'payload_text_array', NULL, NULL, '{}',
 $$SELECT multitenant.payload_text_array('{"a": ["x", "y"]}', 'a'), multitenant.payload_text_array('{"a": []}', 'a')$$, true),
('multitenant.payload_text_array(jsonb,text)', 'payload_text_array of numbers', NULL, NULL, '{}',
 $$SELECT multitenant.payload_text_array('{"a": [1]}', 'a')$$, true),
('multitenant.payload_smallint_array(jsonb,text)', 'payload_smallint_array', NULL, NULL, '{}',
 $$SELECT multitenant.payload_smallint_array('{"a": [1, 2]}', 'a')$$, true),
('multitenant.payload_bytea(jsonb,text)', 'payload_bytea', NULL, NULL, '{}',
 $$SELECT multitenant.payload_bytea('{"a": "aGVsbG8="}', 'a')$$, true),
('multitenant.payload_bytea(jsonb,text)', 'payload_bytea not base64', NULL, NULL, '{}',
 $$SELECT multitenant.payload_bytea('{"a": "!!"}', 'a')$$, true),
('multitenant.payload_timestamptz(jsonb,text)', 'payload_timestamptz', NULL, NULL, '{}',
 $$SELECT multitenant.payload_timestamptz('{"a": "2024-05-01T10:00:00Z"}', 'a')$$, true),
('multitenant.payload_timestamptz(jsonb,text)', 'payload_timestamptz invalid', NULL, NULL, '{}',
 $$SELECT multitenant.payload_timestamptz('{"a": "nope"}', 'a')$$, true),
('multitenant.payload_timestamptz(jsonb,text)', 'payload_timestamptz without an offset', NULL, NULL, ARRAY[$$SET LOCAL TimeZone = 'Asia/Tokyo'$$],
 $$SELECT multitenant.payload_timestamptz('{"a": "2024-05-01 10:00:00"}', 'a') OPERATOR(pg_catalog.=) '2024-05-01 10:00:00+00'::pg_catalog.timestamptz$$, true),
('multitenant.payload_timestamptz(jsonb,text)', 'payload_timestamptz now', NULL, NULL, '{}',
 $$SELECT multitenant.payload_timestamptz('{"a": "now"}', 'a')$$, true),
('multitenant.payload_utf8(jsonb,text)', 'payload_utf8', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.payload_utf8('{"a": "aMOpbGxv"}', 'a'), multitenant.payload_utf8('{}', 'a')$$, true),
('multitenant.payload_utf8(jsonb,text)', 'payload_utf8 not UTF-8', NULL, NULL, '{}',
 $$SELECT multitenant.payload_utf8('{"a": "/w=="}', 'a')$$, true),
('multitenant.payload_sha256(jsonb,text)', 'payload_sha256', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.payload_sha256('{"a": "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"}', 'a'),
          multitenant.payload_sha256('{}', 'a')$$, true),
('multitenant.payload_sha256(jsonb,text)', 'payload_sha256 not hex', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.payload_sha256('{"a": "xyz"}', 'a')$$, true),

-- event store
('multitenant.events_immutable()', 'events_immutable on UPDATE', NULL, NULL, '{}',
 $$UPDATE multitenant.events SET creator = creator$$, false),
('multitenant.events_immutable()', 'events_immutable on TRUNCATE', NULL, NULL, '{}',
 $$TRUNCATE multitenant.events$$, false),
('multitenant.push(text,text,text,jsonb,bigint,text,text,text,timestamp with time zone)',
 'push as the application (user reducer, insert)', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT e.instance_id, e.aggregate_type, e.aggregate_id, e.sequence, e.event_type, e.payload, e.creator, e.resource_owner
     FROM multitenant.push('cart', 'c1', 'cart.created', '{"label": "Mine"}', resource_owner => 'o1') AS e$$, true),
('multitenant.push(text,text,text,jsonb,bigint,text,text,text,timestamp with time zone)',
 'push as the application (user reducer, update with a condition)', 'mt_sp_app', 'sp-a',
 ARRAY[$$SELECT multitenant.push('cart', 'c1', 'cart.created', '{"label": "Mine"}', resource_owner => 'o1')$$,
       $$SELECT multitenant.push('cart', 'c1', 'cart.item.added', '{"sku": "free"}')$$],
 $$SELECT (multitenant.push('cart', 'c1', 'cart.item.added', '{"sku": "x", "count": 3}')).sequence$$, true),
('multitenant.push(text,text,text,jsonb,bigint,text,text,text,timestamp with time zone)',
 'push as the application (built-in reducers)', 'mt_sp_app', 'sp-a',
 ARRAY[$$SELECT multitenant.push('user', 'u3', 'user.human.added',
          '{"userName": "Eve", "firstName": "E", "lastName": "E", "email": "e@x", "preferredLanguage": "de"}', resource_owner => 'o2')$$,
       $$SELECT multitenant.push('user', 'u3', 'user.human.profile.changed', '{"displayName": "Eve E", "nickName": "ee"}')$$,
       $$SELECT multitenant.push('user', 'u3', 'user.metadata.set', '{"key": "k", "value": "dmFsdWU="}')$$,
       $$SELECT multitenant.push('org', 'o2', 'org.domain.added', '{"domain": "Three.example"}')$$],
 $$SELECT (multitenant.push('user', 'u1', 'user.removed')).sequence$$, true),
('multitenant.push(text,text,text,jsonb,bigint,text,text,text,timestamp with time zone)',
 'push into another tenant', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT (multitenant.push('org', 'ox', 'org.added', '{"name": "X"}', instance_id => 'sp-b')).sequence$$, true),
('multitenant.push(text,text,text,jsonb,bigint,text,text,text,timestamp with time zone)',
 'push with a stale expected sequence', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT (multitenant.push('org', 'o1', 'org.changed', '{"name": "One!"}', expected_sequence => 1)).sequence$$, true),
('multitenant.push(text,text,text,jsonb,bigint,text,text,text,timestamp with time zone)',
 'push a payload a reducer refuses', NULL, NULL, '{}',
 $$SELECT (multitenant.push('org', 'o9', 'org.added', '{"name": 5}', instance_id => 'sp-a')).sequence$$, true),
('multitenant.push(text,text,text,jsonb,bigint,text,text,text,timestamp with time zone)',
 'push a tenant''s stream event by event, as the application', 'mt_sp_app', 'upg-b', '{}',
 $$SELECT pg_temp.sp_push_each('upg-b')$$, true),
('multitenant.push_many(jsonb)', 'push_many of a tenant''s stream', NULL, NULL, '{}',
 $$SELECT pg_catalog.count(*) FROM multitenant.push_many(
     (SELECT pg_catalog.jsonb_agg(s.element ORDER BY s.n) FROM pg_temp.sp_stream AS s
       WHERE s.instance_id OPERATOR(pg_catalog.=) 'upg-b'))$$, true),
('multitenant.push_many(jsonb)', 'push_many of the principals'' stream (system tenant)', NULL, NULL, '{}',
 $$SELECT pg_catalog.count(*) FROM multitenant.push_many(
     (SELECT pg_catalog.jsonb_agg(s.element ORDER BY s.n) FROM pg_temp.sp_stream AS s
       WHERE s.instance_id OPERATOR(pg_catalog.=) 'system'))$$, true),
('multitenant.push_many(jsonb)', 'push_many of a tenant''s stream, as the application', 'mt_sp_app', 'upg-a', '{}',
 $$SELECT pg_catalog.count(*) FROM multitenant.push_many(
     (SELECT pg_catalog.jsonb_agg(s.element ORDER BY s.n) FROM pg_temp.sp_stream AS s
       WHERE s.instance_id OPERATOR(pg_catalog.=) 'upg-a'))$$, true),
('multitenant.push_many(jsonb)', 'push_many of a bad element', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT pg_catalog.count(*) FROM multitenant.push_many('[{"aggregate_type": "org"}]')$$, true),
('multitenant.push_many(jsonb[])', 'push_many of a tenant''s stream as an array', NULL, NULL, '{}',
 $$SELECT pg_catalog.count(*) FROM multitenant.push_many(VARIADIC
     (SELECT pg_catalog.array_agg(s.element ORDER BY s.n) FROM pg_temp.sp_stream AS s
       WHERE s.instance_id OPERATOR(pg_catalog.=) 'upg-b'))$$, true),
('multitenant.push_many(jsonb[])', 'push_many of a tenant''s stream as an array, as the application', 'mt_sp_app', 'upg-a', '{}',
 $$SELECT pg_catalog.count(*) FROM multitenant.push_many(VARIADIC
     (SELECT pg_catalog.array_agg(s.element ORDER BY s.n) FROM pg_temp.sp_stream AS s
       WHERE s.instance_id OPERATOR(pg_catalog.=) 'upg-a'))$$, true),
('multitenant.push_many(jsonb[])', 'push_many of an array with a bad element', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT pg_catalog.count(*) FROM multitenant.push_many(VARIADIC ARRAY['{"aggregate_type": "org"}']::pg_catalog.jsonb[])$$, true),
('multitenant.read_events(bigint,integer)', 'read_events', NULL, NULL, '{}',
 $$SELECT e FROM multitenant.read_events(0, 100000) AS e$$, true),
('multitenant.read_events(bigint,integer)', 'read_events as the application', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT e FROM multitenant.read_events(2, 5) AS e$$, true),
('multitenant.read_events(bigint,integer)', 'read_events of no events', NULL, NULL, '{}',
 $$SELECT e FROM multitenant.read_events(0, 0) AS e$$, true),
('multitenant.aggregate_version(text,text)', 'aggregate_version', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.aggregate_version('org', 'o1')$$, true),
('multitenant.aggregate_version(text,text)', 'aggregate_version of an aggregate without events', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.aggregate_version('org', 'nothing-yet')$$, true),
('multitenant.declare_event_type(text)', 'declare_event_type, then a push under the guard', NULL, NULL,
 ARRAY[$$SET LOCAL multitenant.require_declared_event_types = on$$,
       $$SELECT multitenant.declare_event_type('thing.happened')$$],
 $$SELECT (multitenant.push('thing', 't1', 'thing.happened', instance_id => 'sp-a')).sequence$$, true),
('multitenant.declare_event_type(text)', 'an undeclared type under the guard', NULL, NULL,
 ARRAY[$$SET LOCAL multitenant.require_declared_event_types = on$$],
 $$SELECT (multitenant.push('thing', 't1', 'thing.unheard.of', instance_id => 'sp-a')).sequence$$, true),

-- reducers
('multitenant.reducers_changed()', 'reducers_changed', NULL, NULL, '{}',
 $$DELETE FROM multitenant.reducers AS r WHERE r.event_type OPERATOR(pg_catalog.=) 'no.such.event'$$, false),
('multitenant.register_reducer(regclass,text,text,jsonb,jsonb,text,boolean)', 'register_reducer, then push', 'mt_sp_admin', NULL,
 ARRAY[$$SELECT multitenant.register_reducer('sp.carts', 'cart.renamed', 'update',
          set => '{"label": "upper(multitenant.payload_text(e.payload, ''label'')) || ''?''"}',
          "when" => 'e.payload ? ''label'' AND length(e.payload ->> ''label'') > 0')$$,
       $$SELECT multitenant.push('cart', 'c2', 'cart.created', '{"label": "two"}', resource_owner => 'o1', instance_id => 'sp-a')$$],
 $$SELECT (multitenant.push('cart', 'c2', 'cart.renamed', '{"label": "Deux"}', instance_id => 'sp-a')).sequence$$, true),
('multitenant.register_reducer(regclass,text,text,jsonb,jsonb,text,boolean)', 'register_reducer with an unknown function', 'mt_sp_admin', NULL, '{}',
 $$SELECT multitenant.register_reducer('sp.carts', 'cart.renamed', 'update', set => '{"label": "no_such_function(e.payload)"}')$$, true),
('multitenant.unregister_reducer(regclass,text)', 'unregister_reducer', 'mt_sp_admin', NULL,
 ARRAY[$$SELECT multitenant.unregister_reducer('sp.carts', 'cart.item.added')$$],
 $$SELECT (multitenant.push('cart', 'c0', 'cart.item.added', '{"sku": "y"}', instance_id => 'sp-a')).sequence$$, true),
('multitenant.unregister_reducer(regclass,text)', 'unregister_reducer of a built-in reducer', 'mt_sp_admin', NULL, '{}',
 $$SELECT multitenant.unregister_reducer('multitenant.orgs_projection', 'org.added')$$, true),
('multitenant.rebuild(regclass,text)', 'rebuild of our projection for a tenant', 'mt_sp_admin', NULL, '{}',
 $$SELECT multitenant.rebuild('sp.carts', 'sp-a')$$, true),
('multitenant.rebuild(regclass,text)', 'rebuild of every projection for a tenant', NULL, NULL, '{}',
 $$SELECT multitenant.rebuild(NULL, 'sp-a')$$, true),
('multitenant.rebuild(regclass,text)', 'rebuild of everything after a stream', NULL, NULL,
 ARRAY[$$SELECT pg_catalog.count(*) FROM multitenant.push_many(
          (SELECT pg_catalog.jsonb_agg(s.element ORDER BY s.n) FROM pg_temp.sp_stream AS s
            WHERE s.instance_id OPERATOR(pg_catalog.=) 'upg-b'))$$],
 $$SELECT multitenant.rebuild()$$, true),
('multitenant.rebuild_many(regclass[],text)', 'rebuild_many', NULL, NULL, '{}',
 $$SELECT multitenant.rebuild_many('{sp.carts,multitenant.users_projection,multitenant.login_failures_projection}', 'sp-a')$$, true),
('multitenant.enable_tenant_isolation(regclass)', 'enable_tenant_isolation', NULL, NULL, '{}',
 $$SELECT multitenant.enable_tenant_isolation('sp.plain')$$, true),
('multitenant.adopt_table(regclass,text,boolean)', 'adopt_table dry run', NULL, NULL, '{}',
 $$SELECT s FROM multitenant.adopt_table('sp.sites', dry_run => true) AS s$$, true),
('multitenant.adopt_table(regclass,text,boolean)', 'adopt_table', NULL, NULL, '{}',
 $$SELECT s FROM multitenant.adopt_table('sp.sites', 'sp-a') AS s$$, true),
('multitenant.adopt_table(regclass,text,boolean)', 'adopt_table of an adopted table', NULL, NULL, '{}',
 $$SELECT s FROM multitenant.adopt_table('sp.carts') AS s$$, true),

-- encryption keys
('multitenant.add_key(text,bytea,text,timestamp with time zone,text)', 'add_key', NULL, NULL, '{}',
 $$SELECT multitenant.add_key('k2', '\xdeadbeef', 'rsa', '2999-01-01 00:00:00+00', 'sp-a')$$, true),
('multitenant.get_key(text,text)', 'get_key', NULL, NULL, '{}',
 $$SELECT multitenant.get_key('k1', 'sp-a')$$, true),
('multitenant.get_key(text,text)', 'get_key of an unknown key', NULL, NULL, '{}',
 $$SELECT multitenant.get_key('nope', 'sp-a')$$, true),
('multitenant.get_key(text,text)', 'get_key as the application', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.get_key('k1')$$, true),
('multitenant.rotate_master_key()', 'rotate_master_key', NULL, NULL,
 ARRAY[$$SELECT pg_catalog.set_config('multitenant.previous_master_key', pg_catalog.current_setting('multitenant.master_key'), true)$$,
       $$SELECT pg_catalog.set_config('multitenant.master_key', pg_catalog.repeat('3d', 32), true)$$],
 $$SELECT multitenant.rotate_master_key()$$, true),

-- tenants registry
('multitenant.create_tenant(text,text,text,jsonb,text)', 'create_tenant', 'mt_sp_admin', NULL, '{}',
 $$SELECT t FROM multitenant.create_tenant('sp-new', 'New', 'trial', '{"features": {"sso": true}, "limits": {"users": 5}}', 'grp-new') AS t$$, true),
('multitenant.create_tenant(text,text,text,jsonb,text)', 'create_tenant with an unknown settings key', 'mt_sp_admin', NULL, '{}',
 $$SELECT multitenant.create_tenant('sp-new', 'New', settings => '{"colour": "red"}')$$, true),
('multitenant.update_tenant(text,text,text,jsonb,text)', 'update_tenant', 'mt_sp_admin', NULL,
 ARRAY[$$SELECT multitenant.create_tenant('sp-new', 'New', external_group_id => 'grp-new')$$],
 $$SELECT t FROM multitenant.update_tenant('sp-new', 'Renamed', 'enterprise', '{"locale": "fr-CH"}', '') AS t$$, true),
('multitenant.update_tenant(text,text,text,jsonb,text)', 'update_tenant of an unknown tenant', 'mt_sp_admin', NULL, '{}',
 $$SELECT multitenant.update_tenant('sp-none', 'x')$$, true),
('multitenant.set_tenant_status(text,text,text)', 'set_tenant_status', 'mt_sp_admin', NULL,
 ARRAY[$$SELECT multitenant.create_tenant('sp-new', 'New')$$, $$SELECT multitenant.set_tenant_status('sp-new', 'suspended', 'unpaid')$$],
 $$SELECT t FROM multitenant.set_tenant_status('sp-new', 'inactive') AS t$$, true),
('multitenant.set_tenant_status(text,text,text)', 'set_tenant_status refused', 'mt_sp_admin', NULL,
 ARRAY[$$SELECT multitenant.create_tenant('sp-new', 'New')$$, $$SELECT multitenant.set_tenant_status('sp-new', 'inactive')$$],
 $$SELECT multitenant.set_tenant_status('sp-new', 'suspended')$$, true),
('multitenant.check_tenant_settings(jsonb,text)', 'check_tenant_settings', NULL, NULL, '{}',
 $$SELECT multitenant.check_tenant_settings('{"branding": {"logo": "x"}, "timezone": "UTC", "limits": {"orgs": 3}}', 'sp-a')$$, true),
('multitenant.check_tenant_settings(jsonb,text)', 'check_tenant_settings of a wrong type', NULL, NULL, '{}',
 $$SELECT multitenant.check_tenant_settings('{"limits": {"orgs": -3}}', 'sp-a')$$, true),
('multitenant.check_external_group(text,text)', 'check_external_group', 'mt_sp_admin', NULL,
 ARRAY[$$SELECT multitenant.create_tenant('sp-new', 'New', external_group_id => 'grp-new')$$],
 $$SELECT multitenant.check_external_group('sp-other', 'grp-new')$$, true),
('multitenant.require_tenant_operator(text)', 'require_tenant_operator as the application', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.require_tenant_operator('create_tenant')$$, true),
('multitenant.tenant_version(text)', 'tenant_version', 'mt_sp_admin', NULL,
 ARRAY[$$SELECT multitenant.create_tenant('sp-new', 'New')$$],
 $$SELECT multitenant.tenant_version('sp-new')$$, true),
('multitenant.tenant_version_for_change(text)', 'tenant_version_for_change of the system tenant', 'mt_sp_admin', NULL, '{}',
 $$SELECT multitenant.tenant_version_for_change('system')$$, true),
('multitenant.tenants_changed()', 'tenants_changed puts the system row back', NULL, NULL, '{}',
 $$DELETE FROM multitenant.tenants AS t WHERE t.id OPERATOR(pg_catalog.=) 'system'$$, false),
('multitenant.lookup_rows_changed()', 'lookup_rows_changed on a write of login-name policies', NULL, NULL, '{}',
 $$UPDATE multitenant.login_names_projection_policies AS p SET must_be_domain = NOT p.must_be_domain$$, false),
('multitenant.set_tenant(text,text,boolean)', 'set_tenant into a suspended tenant', NULL, NULL,
 ARRAY[$$SELECT multitenant.create_tenant('sp-c', 'C')$$, $$SELECT multitenant.set_tenant_status('sp-c', 'suspended')$$],
 $$SELECT multitenant.set_tenant('sp-c')$$, true),

-- tenant lifecycle
('multitenant.create_principal(text,text,text,text,text,jsonb,text)', 'create_principal', 'mt_sp_app', NULL, '{}',
 $$SELECT p.id, p.email, p.user_type FROM multitenant.create_principal('user', ' New@Example.COM', 'New', id => 'sp-new') AS p$$, true),
('multitenant.create_principal(text,text,text,text,text,jsonb,text)', 'create_principal with a malformed e-mail', 'mt_sp_app', NULL, '{}',
 $$SELECT multitenant.create_principal('user', 'nope', id => 'sp-new')$$, true),
('multitenant.update_principal(text,text,text,text,jsonb)', 'update_principal of oneself', 'mt_sp_app', NULL, ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-m', true)$$],
 $$SELECT p FROM multitenant.update_principal('sp-m', 'm2@example.com', 'M2', 'ext-m', '{"a": 1}') AS p$$, true),
('multitenant.update_principal(text,text,text,text,jsonb)', 'update_principal leaving a tenant without a verified owner', 'mt_sp_app', NULL, ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-o', true)$$],
 $$SELECT multitenant.update_principal('sp-o', 'o2@example.com')$$, true),
('multitenant.verify_principal(text)', 'verify_principal', NULL, NULL, '{}',
 $$SELECT p FROM multitenant.verify_principal('sp-u') AS p$$, true),
('multitenant.set_principal_status(text,text,text)', 'set_principal_status', NULL, NULL, '{}',
 $$SELECT p FROM multitenant.set_principal_status('sp-m', 'inactive', 'left') AS p$$, true),
('multitenant.set_principal_status(text,text,text)', 'set_principal_status of the last owner', 'mt_sp_app', NULL, ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-o', true)$$],
 $$SELECT multitenant.set_principal_status('sp-o', 'inactive')$$, true),
('multitenant.register_tenant(text,text,text,text,text,text,text,jsonb)', 'register_tenant', 'mt_sp_app', NULL, '{}',
 $$SELECT m FROM multitenant.register_tenant('sp-reg', 'Registered', owner_id => 'sp-r', owner_email => 'r@example.com', type => 'trial') AS m$$, true),
('multitenant.add_member(text,text,text)', 'add_member', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-o', true)$$],
 $$SELECT m FROM multitenant.add_member('sp-u', 'viewer') AS m$$, true),
('multitenant.add_member(text,text,text)', 'add_member of a member', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-o', true)$$],
 $$SELECT multitenant.add_member('sp-m', 'viewer')$$, true),
('multitenant.change_member_role(text,text,text)', 'change_member_role', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-o', true)$$],
 $$SELECT m FROM multitenant.change_member_role('sp-m', 'owner') AS m$$, true),
('multitenant.change_member_role(text,text,text)', 'change_member_role by an admin of an owner', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-m', true)$$],
 $$SELECT multitenant.change_member_role('sp-o', 'viewer')$$, true),
('multitenant.suspend_member(text,text,text)', 'suspend_member', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-o', true)$$],
 $$SELECT m FROM multitenant.suspend_member('sp-m', 'audit') AS m$$, true),
('multitenant.reactivate_member(text,text)', 'reactivate_member', NULL, NULL,
 ARRAY[$$SELECT multitenant.suspend_member('sp-m', NULL, 'sp-lc')$$],
 $$SELECT m FROM multitenant.reactivate_member('sp-m', 'sp-lc') AS m$$, true),
('multitenant.remove_member(text,text,text)', 'remove_member', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-o', true)$$],
 $$SELECT multitenant.remove_member('sp-m', 'gone')$$, true),
('multitenant.remove_member(text,text,text)', 'remove_member of the last owner', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-o', true)$$],
 $$SELECT multitenant.remove_member('sp-o')$$, true),
('multitenant.create_custom_role(text,text,text)', 'create_custom_role', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-m', true)$$],
 $$SELECT r FROM multitenant.create_custom_role('billing', 'Invoices') AS r$$, true),
('multitenant.drop_custom_role(text,text)', 'drop_custom_role', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-m', true)$$],
 $$SELECT multitenant.drop_custom_role('auditor')$$, true),
('multitenant.grant_custom_role(text,text,text)', 'grant_custom_role', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-o', true)$$],
 $$SELECT g FROM multitenant.grant_custom_role('sp-m', 'auditor') AS g$$, true),
('multitenant.revoke_custom_role(text,text,text)', 'revoke_custom_role', NULL, NULL,
 ARRAY[$$SELECT multitenant.grant_custom_role('sp-m', 'auditor', 'sp-lc')$$],
 $$SELECT multitenant.revoke_custom_role('sp-m', 'auditor', 'sp-lc')$$, true),
('multitenant.has_role(text,text,text,text)', 'has_role of memberships and custom roles', 'mt_sp_app', 'sp-lc', '{}',
 $$SELECT multitenant.has_role('sp-m', 'member'), multitenant.has_role('sp-m', 'owner'), multitenant.has_role('sp-o', 'auditor')$$, true),
('multitenant.role_rank(text)', 'role_rank', 'mt_sp_app', NULL, '{}',
 $$SELECT multitenant.role_rank('owner'), multitenant.role_rank('viewer'), multitenant.role_rank('x')$$, true),
('multitenant.normalize_email(text)', 'normalize_email', NULL, NULL, '{}',
 $$SELECT multitenant.normalize_email(' A.B@Example.ORG ')$$, true),
('multitenant.actor_is_tenant_admin()', 'actor_is_tenant_admin', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-m', true)$$],
 $$SELECT multitenant.actor_is_tenant_admin()$$, true),
('multitenant.active_principal(text,text)', 'active_principal', NULL, NULL, '{}',
 $$SELECT p FROM multitenant.active_principal('sp-m', 'f') AS p$$, true),
('multitenant.check_custom_role_name(text,text)', 'check_custom_role_name', NULL, NULL, '{}',
 $$SELECT multitenant.check_custom_role_name('owner', 'sp-lc')$$, true),
('multitenant.check_principal_fields(text,text,text,text,text,text,jsonb)', 'check_principal_fields', NULL, NULL, '{}',
 $$SELECT multitenant.check_principal_fields('x', 'client', NULL, 'X', 'guest', 'e', '{}')$$, true),
('multitenant.check_role_grant(text,text,text,text,text)', 'check_role_grant', NULL, NULL, '{}',
 $$SELECT multitenant.check_role_grant('sp-lc', 'sp-u', 'admin', 'admin', 'f')$$, true),
('multitenant.check_tenant_invariant(text,boolean,text,jsonb)', 'check_tenant_invariant', NULL, NULL, '{}',
 $$SELECT multitenant.check_tenant_invariant('sp-lc', true, 'x', '{}')$$, true),
('multitenant.lifecycle_push(text,text,jsonb)', 'lifecycle_push', NULL, NULL, '{}',
 $$SELECT multitenant.lifecycle_push('sp-lc', 'tenant.custom_role.changed', '{"name": "auditor", "description": "d"}')$$, true),
('multitenant.lock_principal_tenants(text,text)', 'lock_principal_tenants', NULL, NULL, '{}',
 $$SELECT multitenant.lock_principal_tenants('sp-m', 'f')$$, true),
('multitenant.lock_tenant(text,text)', 'lock_tenant', NULL, NULL, '{}',
 $$SELECT t FROM multitenant.lock_tenant('sp-lc', 'f') AS t$$, true),
('multitenant.managed_membership(text,text,text,boolean,text)', 'managed_membership', NULL, NULL, '{}',
 $$SELECT m FROM multitenant.managed_membership('sp-lc', 'sp-m', 'owner', false, 'f') AS m$$, true),
('multitenant.membership_image(text,text)', 'membership_image', NULL, NULL, '{}',
 $$SELECT multitenant.membership_image('sp-lc', 'sp-m')$$, true),
('multitenant.membership_push(text,text,text,jsonb)', 'membership_push', NULL, NULL, '{}',
 $$SELECT m FROM multitenant.membership_push('sp-lc', 'sp-m', 'tenant.member.role.changed', '{"role": "viewer"}') AS m$$, true),
('multitenant.principal_image(text)', 'principal_image', NULL, NULL, '{}',
 $$SELECT multitenant.principal_image('sp-m')$$, true),
('multitenant.principal_push(text,text,jsonb,bigint)', 'principal_push', NULL, NULL, '{}',
 $$SELECT p FROM multitenant.principal_push('sp-u', 'principal.verified', NULL, multitenant.principal_version('sp-u')) AS p$$, true),
('multitenant.principal_version(text)', 'principal_version', NULL, NULL, '{}',
 $$SELECT multitenant.principal_version('sp-m')$$, true),
('multitenant.refuse_lifecycle(text,text,text,jsonb,text,text,text,text)', 'refuse_lifecycle', NULL, NULL, '{}',
 $$SELECT multitenant.refuse_lifecycle('sp-lc', 'a', 'multitenant.memberships', '{}', 'r', '42501', 'no', 'hint')$$, true),
('multitenant.require_member_role(text,text,text)', 'require_member_role', NULL, NULL, '{}',
 $$SELECT multitenant.require_member_role('sp-lc', 'owner', 'f')$$, true),
('multitenant.require_principal_self(text,text)', 'require_principal_self', NULL, NULL, '{}',
 $$SELECT multitenant.require_principal_self('sp-nobody', 'f')$$, true),
('multitenant.tenant_keeps_owner(text)', 'tenant_keeps_owner', NULL, NULL, '{}',
 $$SELECT multitenant.tenant_keeps_owner('sp-lc'), multitenant.tenant_keeps_owner('sp-none')$$, true),

-- audit log
('multitenant.enable_audit(regclass,text[])', 'enable_audit', 'mt_sp_admin', NULL, '{}',
 $$SELECT multitenant.enable_audit('sp.carts', '{label}')$$, true),
('multitenant.enable_audit(regclass,text[])', 'enable_audit of a table without instance_id', 'mt_sp_admin', NULL, '{}',
 $$SELECT multitenant.enable_audit('sp.sites')$$, true),
('multitenant.enable_audit(regclass,text[])', 'enable_audit of an unknown column', 'mt_sp_admin', NULL, '{}',
 $$SELECT multitenant.enable_audit('sp.carts', '{nope}')$$, true),
('multitenant.disable_audit(regclass)', 'disable_audit', 'mt_sp_admin', NULL,
 ARRAY[$$SELECT multitenant.enable_audit('sp.carts')$$],
 $$SELECT multitenant.disable_audit('sp.carts')$$, true),
('multitenant.audit_row()', 'audit_row records changes', NULL, 'sp-a',
 ARRAY[$$SELECT multitenant.enable_audit('sp.carts', '{items}')$$, $$SET LOCAL multitenant.actor = 'alice'$$,
       $$SET LOCAL multitenant.client_address = '192.0.2.1'$$],
 $$UPDATE sp.carts AS c SET label = 'audited', items = 7 WHERE c.instance_id OPERATOR(pg_catalog.=) 'sp-a'$$, false),
('multitenant.audit_row()', 'audit_row of deleted rows', 'mt_sp_admin', NULL,
 ARRAY[$$SELECT multitenant.enable_audit('sp.carts')$$],
 $$DELETE FROM sp.carts$$, false),
('multitenant.audit_log_immutable()', 'audit_log_immutable refuses an update', NULL, NULL,
 ARRAY[$$SELECT multitenant.purge_audit_log('1 day', 'sp-a')$$],
 $$UPDATE multitenant.audit_log SET reason = 'forged'$$, false),
('multitenant.purge_audit_log(interval,text)', 'purge_audit_log', 'mt_sp_admin', NULL, '{}',
 $$SELECT multitenant.purge_audit_log('1 day', 'sp-a'), multitenant.purge_audit_log('1 hour')$$, true),
('multitenant.purge_audit_log(interval,text)', 'purge_audit_log of a negative interval', 'mt_sp_admin', NULL, '{}',
 $$SELECT multitenant.purge_audit_log('-1 day')$$, true),
('multitenant.audit_lifecycle(text,text,text,jsonb,jsonb,jsonb,text,boolean)', 'audit_lifecycle', NULL, 'sp-a',
 ARRAY[$$SET LOCAL multitenant.actor = 'alice'$$, $$SET LOCAL multitenant.client_address = '192.0.2.1'$$],
 $$SELECT multitenant.audit_lifecycle('sp-a', 'tenant.member.role.changed', 'multitenant.memberships',
          '{"principal_id": "u1"}', '{"role": "member", "status": "active", "x": [1]}',
          '{"role": "admin", "status": "active", "y": null}', 'promoted')$$, true),
('multitenant.audit_lifecycle(text,text,text,jsonb,jsonb,jsonb,text,boolean)', 'audit_lifecycle without an action', NULL, 'sp-a', '{}',
 $$SELECT multitenant.audit_lifecycle('sp-a', NULL, 'multitenant.memberships', NULL, NULL, NULL)$$, true),

-- lifecycle building blocks
('multitenant.caller_is_operator()', 'caller_is_operator as the application', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.caller_is_operator()$$, true),
('multitenant.caller_is_operator()', 'caller_is_operator as an administrator', 'mt_sp_admin', NULL, '{}',
 $$SELECT multitenant.caller_is_operator()$$, true),
('multitenant.issue_secret(text)', 'issue_secret', NULL, NULL, '{}',
 $$SELECT pg_catalog.left(s, 4), pg_catalog.length(s) FROM multitenant.issue_secret('inv_') AS s$$, true),
('multitenant.issue_secret(text)', 'issue_secret with a bad prefix', NULL, NULL, '{}',
 $$SELECT multitenant.issue_secret('inv-')$$, true),

-- lookups, tokens, lockout
('multitenant.instance_by_domain(text)', 'instance_by_domain', 'mt_sp_app', NULL, '{}',
 $$SELECT multitenant.instance_by_domain('LOGIN.sp-a.example'), multitenant.instance_by_domain('nowhere.example')$$, true),
('multitenant.user_by_id(text,text)', 'user_by_id', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT u FROM multitenant.user_by_id('u1') AS u$$, true),
('multitenant.user_by_id(text,text)', 'user_by_id with a token', 'mt_sp_app', NULL, '{}',
 format($$SELECT u FROM multitenant.user_by_id('u1', %L) AS u$$, pg_temp.sp_val('token')), true),
('multitenant.user_by_id(text,text)', 'user_by_id without a tenant', 'mt_sp_app', NULL, '{}',
 $$SELECT u FROM multitenant.user_by_id('u1') AS u$$, true),
('multitenant.user_by_login_name(text,text)', 'user_by_login_name', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT u.id FROM multitenant.user_by_login_name('ALICE') AS u
   UNION ALL SELECT u.id FROM multitenant.user_by_login_name('dave@TWO.example') AS u
   UNION ALL SELECT u.id FROM multitenant.user_by_login_name('dave') AS u
   UNION ALL SELECT u.id FROM multitenant.user_by_login_name('alice@one.example') AS u$$, true),
('multitenant.org_by_domain(text,text)', 'org_by_domain', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT o FROM multitenant.org_by_domain('ONE.example') AS o$$, true),
('multitenant.has_role(text,text,text,text)', 'has_role', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.has_role('u1', 'reader', project_id => 'p1'), multitenant.has_role('u1', 'ORG_OWNER'),
          multitenant.has_role('u1', 'writer'), multitenant.has_role('u2', 'reader')$$, true),
('multitenant.create_pat(text,timestamp with time zone,text[])', 'create_pat', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT pg_catalog.left(t, 4), pg_catalog.length(t)
     FROM multitenant.create_pat('m1', '2999-01-01 00:00:00+00', '{api,openid}') AS t$$, true),
('multitenant.create_pat(text,timestamp with time zone,text[])', 'create_pat with a past expiration', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.create_pat('m1', '2000-01-01 00:00:00+00')$$, true),
('multitenant.authenticate_pat(text)', 'authenticate_pat', 'mt_sp_app', NULL, '{}',
 format($$SELECT a FROM multitenant.authenticate_pat(%L) AS a$$, pg_temp.sp_val('pat')), true),
('multitenant.authenticate_pat(text)', 'authenticate_pat of an unknown token', 'mt_sp_app', NULL, '{}',
 $$SELECT a FROM multitenant.authenticate_pat('mtp_nope') AS a$$, true),
('multitenant.record_auth_check(text,text,boolean,text)', 'record_auth_check locks at the limit', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.record_auth_check('u2', 'password', false)$$, true),
('multitenant.record_auth_check(text,text,boolean,text)', 'record_auth_check of OTP failures', 'mt_sp_app', 'sp-a',
 ARRAY[$$SELECT multitenant.record_auth_check('u1', 'totp', false)$$],
 $$SELECT multitenant.record_auth_check('u1', 'totp', false)$$, true),
('multitenant.record_auth_check(text,text,boolean,text)', 'record_auth_check of a success', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.record_auth_check('u2', 'password', true)$$, true),
('multitenant.record_auth_check(text,text,boolean,text)', 'record_auth_check with a token', 'mt_sp_app', NULL, '{}',
 format($$SELECT multitenant.record_auth_check('u4', 'otp_email', false, %L)$$, pg_temp.sp_val('token')), true),
('multitenant.record_auth_check(text,text,boolean,text)', 'record_auth_check of an unknown factor', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT multitenant.record_auth_check('u1', 'sms', false)$$, true);

-- Join requests and invitations: a registered tenant with an owner and an
-- admin, a custom role, a pending request, an overdue one and an invitation
-- whose token the cases know.
DO $$
BEGIN
	PERFORM multitenant.create_tenant('sp-l', 'Lifecycle');
	PERFORM multitenant.create_principal('user', p || '@sp.example', id => p)
	   FROM unnest(ARRAY['sp-owner', 'sp-admin', 'sp-asker', 'sp-guest', 'sp-late']) AS p;
	PERFORM multitenant.add_member('sp-owner', 'owner', 'sp-l');
	PERFORM multitenant.add_member('sp-admin', 'admin', 'sp-l');
	PERFORM multitenant.create_custom_role('sp-role', NULL, 'sp-l');
	PERFORM multitenant.push('tenant', 'sp-l', 'tenant.request.added',
		'{"requestId": "sp-req", "principalId": "sp-asker", "expiresAt": "2999-01-01T00:00:00Z"}', instance_id => 'sp-l');
	PERFORM multitenant.push('tenant', 'sp-l', 'tenant.request.added',
		'{"requestId": "sp-req-old", "principalId": "sp-late", "expiresAt": "2020-01-01T00:00:00Z"}', instance_id => 'sp-l');
	PERFORM multitenant.push('tenant', 'sp-l', 'tenant.invitation.added',
		jsonb_build_object('invitationId', 'sp-inv', 'email', 'sp-guest@sp.example', 'role', 'member', 'customRoles', ARRAY['sp-role'],
		                   'tokenHash', encode(sha256(convert_to('mti_sp-token', 'UTF8')), 'hex'),
		                   'expiresAt', '2999-01-01T00:00:00Z', 'invitedBy', 'sp-admin'),
		instance_id => 'sp-l');
END $$;

INSERT INTO sp_cases (fn, label, run_as, tenant, steps, query, is_query) VALUES
('multitenant.request_join(text,text)', 'request_join', 'mt_sp_app', NULL, ARRAY[$$SET LOCAL multitenant.actor = 'sp-guest'$$],
 $$SELECT r.instance_id, r.principal_id, r.status, r.message, r.expires_at OPERATOR(pg_catalog.-) r.created_at FROM multitenant.request_join('sp-l', 'hello') AS r$$, true),
('multitenant.request_join(text,text)', 'request_join of a member', 'mt_sp_app', NULL, ARRAY[$$SET LOCAL multitenant.actor = 'sp-admin'$$],
 $$SELECT r.id FROM multitenant.request_join('sp-l') AS r$$, true),
('multitenant.approve_join_request(text,text,text[],text)', 'approve_join_request', 'mt_sp_app', 'sp-l', ARRAY[$$SET LOCAL multitenant.actor = 'sp-admin'$$],
 $$SELECT m.principal_id, m.role, m.status, m.invited_by FROM multitenant.approve_join_request('sp-req', 'member', ARRAY['sp-role']) AS m$$, true),
('multitenant.approve_join_request(text,text,text[],text)', 'approve_join_request of an overdue request', 'mt_sp_app', 'sp-l',
 ARRAY[$$SET LOCAL multitenant.actor = 'sp-admin'$$],
 $$SELECT m.principal_id FROM multitenant.approve_join_request('sp-req-old') AS m$$, true),
('multitenant.reject_join_request(text,text,text)', 'reject_join_request', 'mt_sp_app', 'sp-l', ARRAY[$$SET LOCAL multitenant.actor = 'sp-owner'$$],
 $$SELECT r.status, r.reason, r.decided_by FROM multitenant.reject_join_request('sp-req', 'no') AS r$$, true),
('multitenant.expire_join_requests()', 'expire_join_requests', 'mt_sp_admin', NULL, '{}',
 $$SELECT multitenant.expire_join_requests()$$, true),
('multitenant.expire_join_requests()', 'expire_join_requests as the application', 'mt_sp_app', 'sp-l', '{}',
 $$SELECT multitenant.expire_join_requests()$$, true),
('multitenant.pending_join_request(text,text,text)', 'pending_join_request', NULL, NULL, '{}',
 $$SELECT r.principal_id, r.status FROM multitenant.pending_join_request('sp-l', 'sp-req', 'approve_join_request') AS r$$, true),
('multitenant.join_request_push(text,text,text,jsonb)', 'join_request_push', NULL, NULL, '{}',
 $$SELECT r.status FROM multitenant.join_request_push('sp-l', 'sp-req', 'tenant.request.expired', '{}') AS r$$, true),
('multitenant.invite(text,text,interval,text[],text)', 'invite', 'mt_sp_app', 'sp-l', ARRAY[$$SET LOCAL multitenant.actor = 'sp-admin'$$],
 $$SELECT pg_catalog.left(i.token, 4), pg_catalog.length(i.token), pg_catalog.length(i.invitation_id)
     FROM multitenant.invite(' New@SP.example', 'viewer', '1 day', ARRAY['sp-role']) AS i$$, true),
('multitenant.invite(text,text,interval,text[],text)', 'invite as an owner by an admin', 'mt_sp_app', 'sp-l', ARRAY[$$SET LOCAL multitenant.actor = 'sp-admin'$$],
 $$SELECT i.invitation_id FROM multitenant.invite('new@sp.example', 'owner') AS i$$, true),
('multitenant.accept_invitation(text)', 'accept_invitation', 'mt_sp_app', NULL, ARRAY[$$SET LOCAL multitenant.actor = 'sp-guest'$$],
 $$SELECT m.instance_id, m.principal_id, m.role, m.invited_by FROM multitenant.accept_invitation('mti_sp-token') AS m$$, true),
('multitenant.accept_invitation(text)', 'accept_invitation of an unknown token', 'mt_sp_app', NULL, ARRAY[$$SET LOCAL multitenant.actor = 'sp-guest'$$],
 $$SELECT m.principal_id FROM multitenant.accept_invitation('mti_nope') AS m$$, true),
('multitenant.accept_invitation(text)', 'accept_invitation for another address', 'mt_sp_app', NULL, ARRAY[$$SET LOCAL multitenant.actor = 'sp-late'$$],
 $$SELECT m.principal_id FROM multitenant.accept_invitation('mti_sp-token') AS m$$, true),
('multitenant.revoke_invitation(text,text,text)', 'revoke_invitation', 'mt_sp_app', 'sp-l', ARRAY[$$SET LOCAL multitenant.actor = 'sp-admin'$$],
 $$SELECT i.status, i.revoked_by FROM multitenant.revoke_invitation('sp-inv', reason => 'oops') AS i$$, true),
('multitenant.invitation_push(text,text,text,jsonb)', 'invitation_push', NULL, NULL, '{}',
 $$SELECT i.status FROM multitenant.invitation_push('sp-l', 'sp-inv', 'tenant.invitation.revoked', '{"reason": "r"}') AS i$$, true),
('multitenant.missing_custom_role(text,text[])', 'missing_custom_role', NULL, NULL, '{}',
 $$SELECT multitenant.missing_custom_role('sp-l', ARRAY['sp-role', 'nope', 'other']), multitenant.missing_custom_role('sp-l', ARRAY['sp-role'])$$, true),
('multitenant.grant_carried_custom_roles(text,text,text[],text)', 'grant_carried_custom_roles', NULL, NULL, '{}',
 $$SELECT multitenant.grant_carried_custom_roles('sp-l', 'sp-admin', ARRAY['sp-role', 'sp-role'], 'sp-owner')$$, true);

-- Sessions: a realm of the lifecycle tenant and a session of its admin whose
-- token the cases know.
DO $$
BEGIN
	PERFORM multitenant.push('tenant', 'sp-l', 'tenant.realm.added',
		'{"realmId": "sp-realm", "name": "staff", "type": "username_password"}', instance_id => 'sp-l');
	PERFORM multitenant.push('tenant', 'sp-l', 'tenant.session.added',
		jsonb_build_object('sessionId', 'sp-sess', 'principalId', 'sp-admin', 'realmId', 'sp-realm', 'kind', 'browser',
		                   'format', 'opaque', 'tokenHash', encode(sha256(convert_to('mts_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'UTF8')), 'hex'),
		                   'idleTimeout', '1 year', 'expiresAt', '2999-01-01T00:00:00Z'),
		instance_id => 'sp-l');
END $$;

INSERT INTO sp_cases (fn, label, run_as, tenant, steps, query, is_query) VALUES
('multitenant.create_session(text,text,text,interval,interval,text,text)', 'create_session', 'mt_sp_app', 'sp-l',
 ARRAY[$$SET LOCAL multitenant.actor = 'sp-admin'$$],
 $$SELECT pg_catalog.left(s.token, 4), pg_catalog.length(s.token), pg_catalog.length(s.session_id)
     FROM multitenant.create_session('sp-admin', 'sp-realm', 'service', '5 minutes', '1 hour') AS s$$, true),
('multitenant.create_session(text,text,text,interval,interval,text,text)', 'create_session for a non-member', 'mt_sp_app', 'sp-l', '{}',
 $$SELECT s.session_id FROM multitenant.create_session('sp-guest', 'sp-realm') AS s$$, true),
('multitenant.validate_session(text,boolean)', 'validate_session', 'mt_sp_app', NULL, '{}',
 $$SELECT s.tenant, s.principal_id, s.realm_id, s.kind, s.session_id FROM multitenant.validate_session('mts_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') AS s$$, true),
('multitenant.validate_session(text,boolean)', 'validate_session entering', 'mt_sp_app', NULL, '{}',
 $$SELECT s.tenant, multitenant.current_tenant(), multitenant.current_actor() FROM multitenant.validate_session('mts_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', true) AS s$$, true),
('multitenant.validate_session(text,boolean)', 'validate_session of an unknown token', 'mt_sp_app', NULL, '{}',
 $$SELECT s.tenant FROM multitenant.validate_session('mts_nope') AS s$$, true),
('multitenant.rotate_session(text)', 'rotate_session', 'mt_sp_app', NULL, '{}',
 $$SELECT r.session_id, pg_catalog.length(r.new_token) FROM multitenant.rotate_session('mts_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') AS r$$, true),
('multitenant.revoke_session(text,text,text)', 'revoke_session', 'mt_sp_app', 'sp-l', ARRAY[$$SET LOCAL multitenant.actor = 'sp-owner'$$],
 $$SELECT s.status, s.revoke_reason FROM multitenant.revoke_session('sp-sess', 'bye') AS s$$, true),
('multitenant.session_push(text,text,text,jsonb)', 'session_push', NULL, NULL, '{}',
 $$SELECT s.status FROM multitenant.session_push('sp-l', 'sp-sess', 'tenant.session.revoked', '{"reason": "r"}') AS s$$, true),
('multitenant.session_by_token(text)', 'session_by_token', NULL, NULL, '{}',
 $$SELECT s.id, s.principal_id FROM multitenant.session_by_token('mts_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') AS s$$, true),
('multitenant.revoke_principal_sessions(text,text)', 'revoke_principal_sessions', NULL, NULL, '{}',
 $$SELECT multitenant.revoke_principal_sessions('sp-admin', 'gone')$$, true);

-- Signed and encrypted sessions: an HS256 key of the lifecycle tenant whose
-- tokens of fixed claims are deterministic, and a JWS session of its admin
-- (made with the tenant's first ES256 key), whose token the cases read.
CREATE TEMP TABLE sp_jose AS
SELECT multitenant.session_key_create('sp-l', 'HS256') AS hs_kid,
       (SELECT s.token FROM multitenant.create_session('sp-admin', 'sp-realm', format => 'jws', tenant => 'sp-l') AS s) AS jws;
GRANT SELECT ON sp_jose TO PUBLIC;

INSERT INTO sp_cases (fn, label, run_as, tenant, steps, query, is_query) VALUES
('multitenant.create_session(text,text,text,interval,interval,text,text)', 'create_session of a JWE', 'mt_sp_app', 'sp-l',
 ARRAY[$$SET LOCAL multitenant.actor = 'sp-admin'$$],
 $$SELECT pg_catalog.array_length(pg_catalog.string_to_array(s.token, '.'), 1)
     FROM multitenant.create_session('sp-admin', 'sp-realm', format => 'jwe') AS s$$, true),
('multitenant.validate_session(text,boolean)', 'validate_session of a JWS', 'mt_sp_app', NULL, '{}',
 $$SELECT s.tenant, s.principal_id, s.realm_id, s.kind, s.rotated_token, multitenant.current_tenant()
     FROM pg_temp.sp_jose AS j, multitenant.validate_session(j.jws, true) AS s$$, true),
('multitenant.validate_session(text,boolean)', 'validate_session of a JWS due for rotation', NULL, NULL,
 ARRAY[$$UPDATE multitenant.principal_sessions SET rotation_due = true WHERE principal_id OPERATOR(pg_catalog.=) 'sp-admin'$$],
 $$SELECT s.principal_id, s.rotated_token IS NOT NULL FROM pg_temp.sp_jose AS j, multitenant.validate_session(j.jws) AS s$$, true),
('multitenant.validate_session(text,boolean)', 'validate_session of a JWS re-signed with alg none', 'mt_sp_app', NULL, '{}',
 $$SELECT s.tenant FROM pg_temp.sp_jose AS j,
     multitenant.validate_session(pg_catalog.split_part(j.jws, '.', 1) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.split_part(j.jws, '.', 2) OPERATOR(pg_catalog.||) '.') AS s$$, true),
('multitenant.session_rotate(text,text)', 'session_rotate', NULL, NULL, '{}',
 $$SELECT r.new_token IS NOT NULL, r.expires_at IS NOT NULL FROM pg_temp.sp_jose AS j, multitenant.session_rotate(j.jws, 'r') AS r$$, true),
('multitenant.session_new_token(multitenant.principal_sessions)', 'session_new_token', NULL, NULL, '{}',
 $$SELECT pg_catalog.length(t.payload OPERATOR(pg_catalog.->>) 'tokenHash'), pg_catalog.length(t.payload OPERATOR(pg_catalog.->>) 'keyId')
     FROM multitenant.principal_sessions AS s, multitenant.session_new_token(s) AS t WHERE s.format OPERATOR(pg_catalog.=) 'jws'$$, true),
('multitenant.session_key_create(text,text)', 'session_key_create', NULL, NULL, '{}',
 $$SELECT pg_catalog.length(multitenant.session_key_create('sp-l', 'ES256'))$$, true),
('multitenant.session_key_create(text,text)', 'session_key_create of an unknown algorithm', NULL, NULL, '{}',
 $$SELECT multitenant.session_key_create('sp-l', 'RS256')$$, true),
('multitenant.session_token_issue(text,text,jsonb)', 'session_token_issue', NULL, NULL, '{}',
 $$SELECT multitenant.session_token_issue(j.hs_kid, 'jws', '{"sub": "x"}') OPERATOR(pg_catalog.=) multitenant.session_token_issue(j.hs_kid, 'jws', '{"sub": "x"}')
     FROM pg_temp.sp_jose AS j$$, true),
('multitenant.session_token_issue(text,text,jsonb)', 'session_token_issue with a signing key for a JWE', NULL, NULL, '{}',
 $$SELECT multitenant.session_token_issue(j.hs_kid, 'jwe', '{"sub": "x"}') FROM pg_temp.sp_jose AS j$$, true),
('multitenant.session_key_audit(text,text,text,jsonb,text)', 'session_key_audit', NULL, NULL, '{}',
 $$SELECT k.algorithm FROM pg_temp.sp_jose AS j, multitenant.session_key_audit('sp-l', 'tenant.session_key.added', j.hs_kid, NULL, 'r') AS k$$, true),
('multitenant.current_session_key(text,text)', 'current_session_key', NULL, NULL, '{}',
 $$SELECT pg_catalog.length(multitenant.current_session_key('sp-l', 'encrypt')), multitenant.current_session_key('sp-l', 'sign') OPERATOR(pg_catalog.=) j.hs_kid
     FROM pg_temp.sp_jose AS j$$, true),
('multitenant.rotate_session_key(text,text)', 'rotate_session_key', 'mt_sp_app', 'sp-l', ARRAY[$$SET LOCAL multitenant.actor = 'sp-owner'$$],
 $$SELECT k.purpose, k.algorithm, k.status, k.public_jwk OPERATOR(pg_catalog.?) 'x' FROM multitenant.rotate_session_key('ES256') AS k$$, true),
('multitenant.rotate_session_key(text,text)', 'rotate_session_key of an unknown algorithm', 'mt_sp_app', 'sp-l', ARRAY[$$SET LOCAL multitenant.actor = 'sp-owner'$$],
 $$SELECT k.kid FROM multitenant.rotate_session_key('none') AS k$$, true),
('multitenant.retire_session_key(text,text)', 'retire_session_key', 'mt_sp_app', 'sp-l', ARRAY[$$SET LOCAL multitenant.actor = 'sp-owner'$$],
 $$SELECT k.status, k.retired_at IS NOT NULL FROM pg_temp.sp_jose AS j, multitenant.retire_session_key(j.hs_kid) AS k$$, true),
('multitenant.session_jwks(text)', 'session_jwks', 'mt_sp_app', NULL, '{}',
 $$SELECT pg_catalog.jsonb_array_length(multitenant.session_jwks('sp-l') OPERATOR(pg_catalog.->) 'keys')$$, true);

-- Realms: in sp-lc, a database realm and a realm of the operator's file;
-- load_realms reads its files from the repository (pg_prove runs there).
\getenv sp_repo PWD
DO $$
BEGIN
	PERFORM multitenant.create_realm('sp-staff', 'username_password', '{"min_password_length": 10}', 'sp-lc');
	PERFORM multitenant.push('tenant', 'sp-lc', 'tenant.realm.added',
		'{"realmId": "sp-file", "name": "sp-corp", "type": "ldap", "source": "file", "configuration": {"url": "ldaps://l", "user_base_dn": "dc=x"}}',
		instance_id => 'sp-lc');
END $$;

INSERT INTO sp_cases (fn, label, run_as, tenant, steps, query, is_query) VALUES
('multitenant.realm_type_spec(text)', 'realm_type_spec', 'mt_sp_app', NULL, '{}',
 $$SELECT multitenant.realm_type_spec('ldap'), multitenant.realm_type_spec('nope')$$, true),
('multitenant.check_realm_name(text,text)', 'check_realm_name', 'mt_sp_app', NULL, '{}',
 $$SELECT multitenant.check_realm_name('Not valid', 'sp-lc')$$, true),
('multitenant.check_realm_configuration(text,text,jsonb)', 'check_realm_configuration', 'mt_sp_app', NULL, '{}',
 $$SELECT multitenant.check_realm_configuration('r', 'oauth2', '{"issuer": "https://i", "client_id": "c", "scopes": ["openid", "email"]}')$$, true),
('multitenant.check_realm_configuration(text,text,jsonb)', 'check_realm_configuration of an unknown key', 'mt_sp_app', NULL, '{}',
 $$SELECT multitenant.check_realm_configuration('r', 'otp', '{"digits": 6, "colour": "red"}')$$, true),
('multitenant.check_realm_configuration(text,text,jsonb)', 'check_realm_configuration of a value out of bounds', 'mt_sp_app', NULL, '{}',
 $$SELECT multitenant.check_realm_configuration('r', 'username_password', '{"min_password_length": 200}')$$, true),
('multitenant.create_realm(text,text,jsonb,text)', 'create_realm', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-m', true)$$],
 $$SELECT r.instance_id, r.name, r.type, r.configuration, r.source, r.enabled FROM multitenant.create_realm('sp-otp', 'otp', '{"digits": 8}') AS r$$, true),
('multitenant.create_realm(text,text,jsonb,text)', 'create_realm of a file type', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-o', true)$$],
 $$SELECT multitenant.create_realm('sp-dir', 'ldap', '{"url": "ldaps://x", "user_base_dn": "dc=x"}')$$, true),
('multitenant.update_realm(text,jsonb,text,text)', 'update_realm', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-o', true)$$],
 $$SELECT r.name, r.configuration FROM multitenant.update_realm('sp-staff', '{"min_password_length": 16}', 'sp-people') AS r$$, true),
('multitenant.update_realm(text,jsonb,text,text)', 'update_realm of a realm of the file', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-o', true)$$],
 $$SELECT multitenant.update_realm('sp-corp', '{}')$$, true),
('multitenant.set_realm_enabled(text,boolean,text)', 'set_realm_enabled', 'mt_sp_app', 'sp-lc', ARRAY[$$SELECT pg_catalog.set_config('multitenant.actor', 'sp-m', true)$$],
 $$SELECT r.name, r.enabled FROM multitenant.set_realm_enabled('sp-staff', false) AS r$$, true),
('multitenant.realm_image(text,text)', 'realm_image', NULL, NULL, '{}',
 $$SELECT multitenant.realm_image('sp-lc', 'sp-file') - ARRAY['created_at', 'changed_at']$$, true),
('multitenant.realm_push(text,text,text,jsonb)', 'realm_push', NULL, NULL, '{}',
 $$SELECT r.name, r.enabled FROM multitenant.realm_push('sp-lc', 'sp-file', 'tenant.realm.disabled', '{}') AS r$$, true),
('multitenant.api_realm(text,text,text)', 'api_realm', NULL, NULL, '{}',
 $$SELECT r.name, r.type FROM multitenant.api_realm('sp-lc', 'sp-staff', 'f') AS r$$, true),
('multitenant.api_realm(text,text,text)', 'api_realm of a realm of the file', NULL, NULL, '{}',
 $$SELECT r.name FROM multitenant.api_realm('sp-lc', 'sp-corp', 'f') AS r$$, true),
('multitenant.resolve_realm(text,text)', 'resolve_realm', 'mt_sp_app', 'sp-lc', '{}',
 $$SELECT r.instance_id, r.name, r.type, r.configuration FROM multitenant.resolve_realm('sp-staff') AS r$$, true),
('multitenant.resolve_realm(text,text)', 'resolve_realm of an unknown realm', 'mt_sp_app', 'sp-lc', '{}',
 $$SELECT r.name FROM multitenant.resolve_realm('sp-none') AS r$$, true),
('multitenant.load_realms(text,text,boolean)', 'load_realms', NULL, NULL, '{}',
 format($$SELECT r.tenant, r.realm, r.type, r.action, r.changes FROM multitenant.load_realms(%L, 'overwrite', false) AS r$$,
        :'sp_repo' || '/test/fixtures/realms/search_path.yaml'), true),
('multitenant.load_realms(text,text,boolean)', 'load_realms of a file that would change a realm''s type', NULL, NULL, '{}',
 format($$SELECT r.action FROM multitenant.load_realms(%L, 'skip_existing') AS r$$,
        :'sp_repo' || '/test/fixtures/realms/type_change.yaml'), true),
('multitenant.distribute()', 'distribute without Citus', NULL, NULL, '{}',
 $$SELECT r.table_name, r.distribution FROM multitenant.distribute() AS r$$, true),
('multitenant.distribute()', 'distribute by an application role', 'mt_sp_app', 'sp-a', '{}',
 $$SELECT r.table_name, r.distribution FROM multitenant.distribute() AS r$$, true);

-- Functions that reach the reducer engine: run again with their SET clauses
-- removed, as a caller without one would reach the engine.
CREATE TEMP TABLE sp_engine_entries AS
SELECT ARRAY['multitenant.push(text,text,text,jsonb,bigint,text,text,text,timestamp with time zone)',
             'multitenant.push_many(jsonb)', 'multitenant.push_many(jsonb[])',
             'multitenant.rebuild(regclass,text)',
             'multitenant.rebuild_many(regclass[],text)',
             'multitenant.register_reducer(regclass,text,text,jsonb,jsonb,text,boolean)']::regprocedure[] AS unset,
       ARRAY['multitenant.push(text,text,text,jsonb,bigint,text,text,text,timestamp with time zone)',
             'multitenant.push_many(jsonb)', 'multitenant.push_many(jsonb[])',
             'multitenant.rebuild(regclass,text)',
             'multitenant.rebuild_many(regclass[],text)',
             'multitenant.register_reducer(regclass,text,text,jsonb,jsonb,text,boolean)',
             'multitenant.unregister_reducer(regclass,text)',
             'multitenant.create_pat(text,timestamp with time zone,text[])',
             'multitenant.record_auth_check(text,text,boolean,text)']::regprocedure[] AS rerun;

SELECT plan((SELECT 3 * count(*)::integer FROM sp_cases WHERE fn IS NOT NULL)
            + (SELECT 3 * count(*)::integer FROM sp_cases, sp_engine_entries WHERE fn = ANY (rerun))
            + 4);

------------------------------------------------------------------------------
-- Coverage
------------------------------------------------------------------------------
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc AS p WHERE p.pronamespace = 'multitenant'::regnamespace
                EXCEPT SELECT c.fn::text FROM sp_cases AS c WHERE c.fn IS NOT NULL ORDER BY 1),
          '{}'::text[], 'every function of schema multitenant has a case');
SELECT is((SELECT count(DISTINCT r.projection)::integer FROM multitenant.reducers AS r
            WHERE r.builtin AND r.event_type IN (SELECT s.event_type FROM sp_stream AS s WHERE s.instance_id IN ('upg-b', 'system'))),
          (SELECT count(DISTINCT r.projection)::integer FROM multitenant.reducers AS r WHERE r.builtin),
          'the replayed stream reaches every built-in projection');

------------------------------------------------------------------------------
-- Every case, with an ordinary and with a hostile search_path
------------------------------------------------------------------------------
SELECT pg_temp.sp_run_all('plain');

SELECT ok(h.result IS DISTINCT FROM n.result AND h.calls <> '' AND n.calls = '',
          'control: an unqualified caller binds the shadows (the suite can see them)')
  FROM sp_outcomes AS n JOIN sp_outcomes AS h USING (case_id, section)
  JOIN sp_cases AS c ON c.id = n.case_id
 WHERE c.fn IS NULL AND n.path = 'normal' AND h.path = 'hostile';

SELECT is(h.result, n.result, c.label || ': same result')
  FROM sp_cases AS c
  JOIN sp_outcomes AS n ON n.case_id = c.id AND n.section = 'plain' AND n.path = 'normal'
  JOIN sp_outcomes AS h ON h.case_id = c.id AND h.section = 'plain' AND h.path = 'hostile'
 WHERE c.fn IS NOT NULL ORDER BY c.id;
SELECT is(pg_temp.sp_diff(h.state, n.state), '', c.label || ': same state afterwards')
  FROM sp_cases AS c
  JOIN sp_outcomes AS n ON n.case_id = c.id AND n.section = 'plain' AND n.path = 'normal'
  JOIN sp_outcomes AS h ON h.case_id = c.id AND h.section = 'plain' AND h.path = 'hostile'
 WHERE c.fn IS NOT NULL ORDER BY c.id;
SELECT is(h.calls || n.calls, '', c.label || ': no shadow called')
  FROM sp_cases AS c
  JOIN sp_outcomes AS n ON n.case_id = c.id AND n.section = 'plain' AND n.path = 'normal'
  JOIN sp_outcomes AS h ON h.case_id = c.id AND h.section = 'plain' AND h.path = 'hostile'
 WHERE c.fn IS NOT NULL ORDER BY c.id;

------------------------------------------------------------------------------
-- The reducer engine fixes its own search_path: the same cases again with
-- the SET clauses of the functions that reach it removed.
------------------------------------------------------------------------------
DO $$
DECLARE
	f regprocedure;
BEGIN
	FOREACH f IN ARRAY (SELECT unset FROM pg_temp.sp_engine_entries) LOOP
		EXECUTE format('ALTER FUNCTION %s RESET search_path', f);
	END LOOP;
END $$;
SELECT is((SELECT count(*)::integer FROM pg_proc AS p, sp_engine_entries AS e
            WHERE p.oid = ANY (e.unset) AND p.proconfig IS NOT NULL), 0,
          'the functions that reach the reducer engine run without SET clauses now');
SELECT pg_temp.sp_run_all('unset', (SELECT rerun FROM sp_engine_entries));

SELECT is(h.result, n.result, c.label || ' (no SET clause): same result')
  FROM sp_cases AS c
  JOIN sp_outcomes AS n ON n.case_id = c.id AND n.section = 'unset' AND n.path = 'normal'
  JOIN sp_outcomes AS h ON h.case_id = c.id AND h.section = 'unset' AND h.path = 'hostile'
 ORDER BY c.id;
SELECT is(pg_temp.sp_diff(h.state, n.state), '', c.label || ' (no SET clause): same state afterwards')
  FROM sp_cases AS c
  JOIN sp_outcomes AS n ON n.case_id = c.id AND n.section = 'unset' AND n.path = 'normal'
  JOIN sp_outcomes AS h ON h.case_id = c.id AND h.section = 'unset' AND h.path = 'hostile'
 ORDER BY c.id;
SELECT is(h.calls || n.calls, '', c.label || ' (no SET clause): no shadow called')
  FROM sp_cases AS c
  JOIN sp_outcomes AS n ON n.case_id = c.id AND n.section = 'unset' AND n.path = 'normal'
  JOIN sp_outcomes AS h ON h.case_id = c.id AND h.section = 'unset' AND h.path = 'hostile'
 ORDER BY c.id;

SELECT * FROM finish();
ROLLBACK;
