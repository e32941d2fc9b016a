-- A replay reads an event as its push did, in any session: the payload
-- accessors that reducers use are immutable, so the rows a rebuild gives do
-- not depend on the session's TimeZone or DateStyle (and Citus accepts them
-- inside CASE and COALESCE, docs/citus.md).  payload_timestamptz reads a
-- value without a UTC offset as UTC and refuses "now" and its kin;
-- payload_utf8 reads the base64 of UTF-8 bytes as text, as
-- convert_from(bytes, 'UTF8') does.  Runs as superuser; every push names its
-- tenant and every query filters by it.
BEGIN;
CREATE EXTENSION IF NOT EXISTS multitenant;

SELECT plan(38);

\ir ../fixtures/pgtap_events.sql

CREATE FUNCTION pg_temp.tstz(payload jsonb) RETURNS timestamptz LANGUAGE sql
AS $$ SELECT multitenant.payload_timestamptz(payload, 'a') $$;

------------------------------------------------------------------------------
-- payload_timestamptz
------------------------------------------------------------------------------
SELECT is((SELECT provolatile FROM pg_catalog.pg_proc WHERE oid = 'multitenant.payload_timestamptz(jsonb,text)'::regprocedure),
	'i'::"char", 'payload_timestamptz is immutable');

SET LOCAL TimeZone = 'America/New_York';
SELECT is(pg_temp.tstz('{"a": "2024-05-01 10:00:00"}'), '2024-05-01 10:00:00+00'::timestamptz,
	'a value without an offset is UTC, not the session''s TimeZone (New York)');
SELECT is(pg_temp.tstz('{"a": "2024-05-01T10:00:00.25"}'), '2024-05-01 10:00:00.25+00'::timestamptz,
	'the ISO 8601 form without an offset too');
SELECT is(pg_temp.tstz('{"a": "2024-05-01"}'), '2024-05-01 00:00:00+00'::timestamptz,
	'a date alone is its midnight in UTC');
SET LOCAL TimeZone = 'Asia/Tokyo';
SELECT is(pg_temp.tstz('{"a": "2024-05-01 10:00:00"}'), '2024-05-01 10:00:00+00'::timestamptz,
	'the same instant under another TimeZone (Tokyo)');
SELECT is(pg_temp.tstz('{"a": "2024-05-01T10:00:00+02:00"}'), '2024-05-01 08:00:00+00'::timestamptz,
	'an offset is honoured');
SELECT is(pg_temp.tstz('{"a": "2024-05-01T10:00:00Z"}'), '2024-05-01 10:00:00+00'::timestamptz,
	'Z is UTC');
SELECT is(pg_temp.tstz('{"a": "2024-01-15 10:00:00 Europe/Berlin"}'), '2024-01-15 09:00:00+00'::timestamptz,
	'a zone name is honoured');
SET LOCAL DateStyle = 'ISO, DMY';
SELECT is(pg_temp.tstz('{"a": "01/02/2024 10:00:00"}'), '2024-01-02 10:00:00+00'::timestamptz,
	'day and month are read month first whatever DateStyle says');
SELECT is(pg_temp.tstz('{"a": "infinity"}'), 'infinity'::timestamptz, 'infinity');
SELECT is(pg_temp.tstz('{"a": "epoch"}'), '1970-01-01 00:00:00+00'::timestamptz, 'epoch');
RESET DateStyle;
RESET TimeZone;

SELECT throws_ok($$SELECT pg_temp.tstz('{"a": "now"}')$$, '22007',
	'payload key "a" must be a fixed point in time, not "now"', '"now" is refused: a replay would read another time');
SELECT throws_ok($$SELECT pg_temp.tstz('{"a": "Today"}')$$, '22007',
	'payload key "a" must be a fixed point in time, not "Today"', '"today" is refused');
SELECT throws_ok($$SELECT pg_temp.tstz('{"a": "tomorrow 10:00"}')$$, '22007', NULL, '"tomorrow" is refused');
SELECT throws_ok($$SELECT pg_temp.tstz('{"a": "yesterday"}')$$, '22007', NULL, '"yesterday" is refused');
SELECT throws_ok($$SELECT pg_temp.tstz('{"a": "nope"}')$$, '22007',
	'invalid input syntax for type timestamp with time zone: "nope"', 'a malformed value fails as timestamptz input does');
SELECT throws_ok($$SELECT pg_temp.tstz('{"a": "2024-13-01"}')$$, '22008', NULL, 'a month out of range fails with 22008');
SELECT throws_ok($$SELECT pg_temp.tstz('{"a": "294277-01-01"}')$$, '22008',
	'timestamp out of range: "294277-01-01"', 'a year out of range fails with 22008');
SELECT throws_ok($$SELECT pg_temp.tstz('{"a": 1714557600}')$$, '22023',
	'payload key "a" must be a JSON string, not number', 'a number is refused');
SELECT is(pg_temp.tstz('{"a": null}'), NULL::timestamptz, 'JSON null reads as NULL');
SELECT is(pg_temp.tstz('{}'), NULL::timestamptz, 'an absent key reads as NULL');

------------------------------------------------------------------------------
-- A rebuild gives the rows the pushes gave, whatever the session's TimeZone.
------------------------------------------------------------------------------
SET LOCAL TimeZone = 'Asia/Tokyo';
DO $$ BEGIN
	PERFORM pg_temp.ev('instance', 'rd-a', 'instance.added', '{"name": "Replay"}', 0, 'rd-a');
	PERFORM pg_temp.ev('milestone', 'rd-a', 'milestone.v2.reached', '{"type": "ProjectCreated", "reachedDate": "2024-04-01 08:30:00"}', 1, 'rd-a');
	PERFORM pg_temp.ev('milestone', 'rd-a', 'milestone.v2.pushed', '{"type": "ProjectCreated", "pushedDate": "2024-04-02T09:00:00", "endpoints": []}', 2, 'rd-a');
	PERFORM pg_temp.ev('quota', 'q1', 'quota.added', '{"unit": 1, "amount": 10, "from": "2024-05-01 00:00:00", "interval": 86400000000000}', 3, 'rd-a');
END $$;

CREATE TEMP TABLE pushed_under_tokyo AS
SELECT 'milestone' AS what, reached_date AS a, last_pushed_date AS b
  FROM multitenant.milestones_projection WHERE instance_id = 'rd-a'
UNION ALL
SELECT 'quota', from_anchor, NULL FROM multitenant.quotas_projection WHERE instance_id = 'rd-a';

SELECT results_eq($$SELECT what, a, b FROM pushed_under_tokyo ORDER BY what$$,
	$$VALUES ('milestone'::text, '2024-04-01 08:30:00+00'::timestamptz, '2024-04-02 09:00:00+00'::timestamptz),
	         ('quota', '2024-05-01 00:00:00+00'::timestamptz, NULL)$$,
	'pushed in a Tokyo session, offset-less payload times are projected as UTC');

SET LOCAL TimeZone = 'America/Los_Angeles';
SELECT cmp_ok(multitenant.rebuild('multitenant.milestones_projection', 'rd-a'), '>', 0::bigint, 'rebuild milestones in a Los Angeles session');
SELECT cmp_ok(multitenant.rebuild('multitenant.quotas_projection', 'rd-a'), '>', 0::bigint, 'rebuild quotas in a Los Angeles session');
SELECT results_eq(
	$$SELECT 'milestone'::text, reached_date, last_pushed_date
	    FROM multitenant.milestones_projection WHERE instance_id = 'rd-a'
	  UNION ALL
	  SELECT 'quota', from_anchor, NULL FROM multitenant.quotas_projection WHERE instance_id = 'rd-a'
	  ORDER BY 1$$,
	$$SELECT what, a, b FROM pushed_under_tokyo ORDER BY what$$,
	'the rebuild under another TimeZone gives exactly the rows the pushes gave');
RESET TimeZone;

------------------------------------------------------------------------------
-- payload_utf8
------------------------------------------------------------------------------
SELECT is((SELECT provolatile FROM pg_catalog.pg_proc WHERE oid = 'multitenant.payload_utf8(jsonb,text)'::regprocedure),
	'i'::"char", 'payload_utf8 is immutable');
SELECT is(multitenant.payload_utf8(pg_catalog.jsonb_build_object('a', pg_temp.b64('h€llo $2a$')), 'a'), 'h€llo $2a$',
	'payload_utf8 reads the base64 of UTF-8 bytes as text');
SELECT is(multitenant.payload_utf8('{"a": ""}', 'a'), '', 'no bytes are the empty string');
SELECT is(multitenant.payload_utf8('{"a": null}', 'a'), NULL, 'JSON null reads as NULL');
SELECT is(multitenant.payload_utf8('{}', 'a'), NULL, 'an absent key reads as NULL');
SELECT throws_ok($$SELECT multitenant.payload_utf8('{"a": "/w=="}', 'a')$$, '22021',
	'invalid byte sequence for encoding "UTF8": 0xff', 'bytes that are not UTF-8 fail as convert_from fails');
SELECT throws_ok($$SELECT multitenant.payload_utf8('{"a": "YQBi"}', 'a')$$, '22021',
	'invalid byte sequence for encoding "UTF8": 0x00', 'a NUL byte fails as convert_from fails');
SELECT throws_ok($$SELECT multitenant.payload_utf8('{"a": "!!"}', 'a')$$, '22023',
	'payload key "a" is not valid base64', 'a value that is not base64 is refused');
SELECT throws_ok($$SELECT multitenant.payload_utf8('{"a": 5}', 'a')$$, '22023',
	'payload key "a" must be a JSON string, not number', 'a number is refused');
SELECT throws_ok($$SELECT multitenant.payload_utf8('"x"', 'a')$$, '22023',
	'event payload must be a JSON object to read key "a"', 'a payload that is no object is refused');

-- The client-secret reducers use it: a legacy secret whose bytes are not
-- UTF-8 fails its push, as it did with convert_from.
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'm-rd', 'user.machine.added', '{"userName": "svc", "name": "Service"}', 10, 'rd-a');
END $$;
SELECT throws_ok($$SELECT pg_temp.ev('user', 'm-rd', 'user.machine.secret.set',
	'{"clientSecret": {"CryptoType": 1, "Algorithm": "bcrypt", "KeyID": "", "Crypted": "/w=="}}', 11, 'rd-a')$$,
	'22021', NULL, 'a machine secret whose bytes are not UTF-8 fails its push');
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'm-rd', 'user.machine.secret.set',
		pg_catalog.jsonb_build_object('clientSecret', pg_catalog.jsonb_build_object('crypted', pg_temp.b64('$2a$14$lower'))), 12, 'rd-a');
END $$;
SELECT is((SELECT secret FROM multitenant.users_projection_machines WHERE instance_id = 'rd-a' AND user_id = 'm-rd'),
	'$2a$14$lower', 'the lower-case crypted key is read as Go reads it');
DO $$ BEGIN
	PERFORM pg_temp.ev('user', 'm-rd', 'user.machine.secret.set', '{"clientSecret": null, "hashedSecret": "$argon2$h"}', 13, 'rd-a');
END $$;
SELECT is((SELECT secret FROM multitenant.users_projection_machines WHERE instance_id = 'rd-a' AND user_id = 'm-rd'),
	'$argon2$h', 'without a CryptoValue the hashed secret is stored');

SELECT * FROM finish();
ROLLBACK;
