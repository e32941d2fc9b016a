-- The facts of docs/projections.md, read from a fresh install's catalog:
-- for every projection table of the extension its key, the foreign key it
-- cascades from (if any), and a table of the event types that write it with their
-- action, the columns that find (or key) the row and the payload keys the
-- registered set, match and when expressions read.
--
--   createdb mt_catalog && psql -d mt_catalog -c 'CREATE EXTENSION multitenant'
--   psql -X -At -d mt_catalog -f docs/projections.sql > /tmp/projections.txt
--
-- The page adds a heading and a purpose line to each block and groups the
-- blocks by domain; compare its blocks with this output after changing a
-- reducer.  instance.removed (which deletes the tenant's rows from every
-- projection that has no parent to cascade from) is left out of the tables:
-- the page says it once.
SET search_path = pg_catalog, pg_temp;

-- The payload keys an expression reads: payload_*(e.payload, 'k'),
-- e.payload -> 'k' (or e.payload OPERATOR(pg_catalog.->) 'k'), the presence
-- test e.payload OPERATOR(pg_catalog.?) 'k', the key lists of "?|", and one
-- level of nesting ('k' holding an object or an array of objects whose 's'
-- is read), which is shown as k (s, ...).  Keys read from other events (x.payload) are not
-- the event's own and are not listed.
CREATE FUNCTION pg_temp.payload_keys(expr text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	WITH top(k) AS (
		SELECT m[1] FROM regexp_matches(expr, 'e\.payload(?:, | -> | OPERATOR\(pg_catalog\.(?:->|\?)\) )''([A-Za-z0-9_]+)''', 'g') AS m
		UNION
		SELECT btrim(x, ' ''') FROM regexp_matches(expr, 'e\.payload\) \?\| ARRAY\[([^]]*)\]', 'g') AS m,
		       regexp_split_to_table(m[1], ',') AS x
	), nested(k, s) AS (
		SELECT m[1], m[2]
		  FROM regexp_matches(expr,
		         'e\.payload(?: -> | OPERATOR\(pg_catalog\.->\) )''([A-Za-z0-9_]+)''(?:, ''null''\))?\)*(?:, | -> | OPERATOR\(pg_catalog\.->\) )''(?!null'')([A-Za-z0-9_]+)''', 'g') AS m
		 WHERE m[1] <> m[2]
	)
	SELECT coalesce(array_agg(shown ORDER BY k COLLATE "C"), '{}')
	  FROM (SELECT t.k,
	               '`' || t.k || '`' || coalesce(' (' || (SELECT string_agg('`' || s || '`', ', ' ORDER BY s COLLATE "C")
	                                                      FROM (SELECT DISTINCT s FROM nested WHERE nested.k = t.k) AS d) || ')', '')
	          FROM (SELECT DISTINCT k FROM top) AS t) AS x(k, shown)
$$;

-- Where one key column's value comes from.  (An expression that reads an
-- earlier event names no key of this event.)
CREATE FUNCTION pg_temp.source(expr text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN expr ~ 'multitenant\.events AS x' THEN 'an earlier event'
		WHEN expr = 'e.aggregate_id' THEN 'aggregate id'
		WHEN expr = 'e.resource_owner' THEN 'resource owner'
		WHEN expr = 'e.instance_id' THEN 'tenant'
		WHEN cardinality(pg_temp.payload_keys(expr)) > 0 THEN array_to_string(pg_temp.payload_keys(expr), ', ')
		WHEN expr ~ '^(''[^'']*''|[0-9]+)$' THEN '`' || expr || '`'
		ELSE 'the row''s own columns'
	END
$$;

-- "when" in words: the common "one of the keys it reads is present" test,
-- and the rest with payload accessors reduced to their key and
-- schema-qualified operators (OPERATOR(pg_catalog.=)) to the operator.
CREATE FUNCTION pg_temp.condition(expr text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN expr IS NULL THEN ''
		WHEN expr ~ '^pg_catalog\.jsonb_strip_nulls\(e\.payload\) \?\| ARRAY\[[^]]*\]$' THEN ', if one of its keys is set'
		ELSE ', if `' || regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
		         regexp_replace(expr, ' OR pg_catalog\.jsonb_strip_nulls\(e\.payload\) \?\| ARRAY\[[^]]*\]$', ''),
		         'OPERATOR\(pg_catalog\.([^()]+)\)', '\1', 'g'),
		         'multitenant\.payload_[a-z_]+\(e\.payload, ''([A-Za-z0-9_]+)''\)', '\1', 'g'),
		         'NULLIF\(e\.payload -> ''([A-Za-z0-9_]+)'', ''null''\)', '\1', 'g'),
		         'COALESCE\(([A-Za-z0-9_]+), ''''\)', '\1', 'g'),
		         '  +', ' ', 'g')
		     || '`' || CASE WHEN expr ~ ' OR pg_catalog\.jsonb_strip_nulls\(e\.payload\) \?\| ARRAY' THEN ' or another of its keys is set' ELSE '' END
	END
$$;

WITH r AS (
	SELECT r.id, r.projection, r.event_type,
	       -- What an update (or an upsert's update) writes; an insert writes
	       -- the whole row.
	       r.action || CASE WHEN r.action IN ('update', 'upsert') AND r.set_columns <> '{}'
	                        THEN ' ' || (SELECT string_agg('`' || k || '`', ', ' ORDER BY k) FROM jsonb_object_keys(r.set_columns) AS k)
	                        WHEN r.action = 'update' THEN ' (only `change_date`, `sequence`)'
	                        ELSE '' END
	                || CASE WHEN NOT r.touch THEN ' (keeps `change_date`, `sequence`)' ELSE '' END
	                || pg_temp.condition(r.condition) AS action,
	       -- An insert's row is its key columns, wherever they are set; the
	       -- other actions find their rows by the match columns (an upsert's
	       -- conflict target), all of the tenant's rows when there are none.
	       -- (The engine sets resource_owner from the event when the reducer
	       -- does not.)
	       coalesce((SELECT string_agg('`' || m.key || '` ← ' || pg_temp.source(m.value), '; ' ORDER BY m.key)
	                   FROM jsonb_each_text(CASE WHEN r.action = 'insert'
	                                             THEN '{"resource_owner": "e.resource_owner"}' || r.set_columns || r.match_columns
	                                             ELSE r.match_columns END) AS m
	                  WHERE r.action <> 'insert'
	                     OR m.key IN (SELECT a.attname FROM pg_constraint AS k
	                                    JOIN pg_attribute AS a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
	                                   WHERE k.conrelid = r.projection AND k.contype = 'p')),
	                'every row of the tenant') AS row_source,
	       concat_ws(' ', nullif(array_to_string(pg_temp.payload_keys(r.set_columns::text || ' ' || r.match_columns::text
	                                                                  || ' ' || coalesce(r.condition, '')), ', '), ''),
	                 CASE WHEN (r.set_columns::text || r.match_columns::text) ~ 'multitenant\.events AS x' THEN '(and earlier events)' END)
	         AS keys
	  FROM multitenant.reducers AS r
	 WHERE r.builtin AND r.event_type <> 'instance.removed'
), grouped AS (
	SELECT projection, min(id) AS first,
	       string_agg('`' || event_type || '`', ', ' ORDER BY id) AS event_types, action, row_source, keys
	  FROM r GROUP BY projection, action, row_source, keys
), blocks AS (
	SELECT c.oid::regclass AS projection,
	       '### `' || c.relname || '`' || E'\n\n'
	       || 'Key: `' || regexp_replace(pg_get_constraintdef(pk.oid), '^PRIMARY KEY ', '') || '`.'
	       || coalesce((SELECT string_agg(' Rows are deleted with their `' || p.relname || '` row (`'
	                                      || regexp_replace(regexp_replace(pg_get_constraintdef(f.oid), '^FOREIGN KEY ', ''), ' REFERENCES .*$', '')
	                                      || '`, `' || substring(pg_get_constraintdef(f.oid) FROM 'ON DELETE [A-Z ]+') || '`).', '')
	                     FROM pg_constraint AS f JOIN pg_class AS p ON p.oid = f.confrelid
	                    WHERE f.conrelid = c.oid AND f.contype = 'f' AND f.confdeltype = 'c'), '')
	       || E'\n\n| event types | action | row | payload keys |\n|---|---|---|---|\n'
	       || (SELECT string_agg('| ' || g.event_types || ' | ' || g.action || ' | ' || g.row_source || ' | '
	                             || coalesce(nullif(g.keys, ''), '—') || ' |', E'\n' ORDER BY g.first)
	             FROM grouped AS g WHERE g.projection = c.oid::regclass) AS block
	  FROM pg_class AS c
	  JOIN pg_constraint AS pk ON pk.conrelid = c.oid AND pk.contype = 'p'
	 WHERE c.oid IN (SELECT projection FROM multitenant.reducers WHERE builtin)
)
SELECT string_agg(block, E'\n\n' ORDER BY projection::text) FROM blocks;
