/* multitenant 1.4 -> 1.5: performance and scale-out */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.5'" to load this file. \quit

-- push and push_many enter the extension's own search_path in C, more cheaply
-- than their SET clauses did (see 02_event_store.sql).
ALTER FUNCTION @extschema@.push(text, text, text, jsonb, bigint, text, text, text, timestamptz) RESET search_path;
ALTER FUNCTION @extschema@.push_many(jsonb) RESET search_path;
ALTER FUNCTION @extschema@.push_many(VARIADIC jsonb[]) RESET search_path;
