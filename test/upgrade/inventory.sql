-- Everything about the extension's catalog that an upgrade must reproduce,
-- one sorted line per fact.  A column's position counts the table's
-- non-dropped columns only: an upgraded table may have dropped some, and
-- whole-row results (user_by_id returns the table's row type) depend on the
-- order of the others, not on attnum.
\pset footer off
\pset tuples_only on
\pset format unaligned
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'multitenant'),
members AS (
	SELECT d.classid, d.objid FROM pg_depend d, ext WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
),
rels AS (SELECT c.oid, c.relname, c.relkind FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid),
facts(line) AS (
	SELECT 'member ' || pg_describe_object(m.classid, m.objid, 0) FROM members m
	UNION ALL
	SELECT format('column %s.%s #%s %s notnull=%s default=%s generated=%s identity=%s collation=%s', r.relname, a.attname,
	              row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum), format_type(a.atttypid, a.atttypmod), a.attnotnull,
	              pg_get_expr(ad.adbin, ad.adrelid), a.attgenerated, a.attidentity, a.attcollation::regcollation)
	  FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
	  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	UNION ALL
	SELECT format('relation %s kind=%s persistence=%s rls=%s force=%s acl=%s options=%s', r.relname, r.relkind, c.relpersistence,
	              c.relrowsecurity, c.relforcerowsecurity, (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(c.relacl) x), c.reloptions)
	  FROM rels r JOIN pg_class c ON c.oid = r.oid
	UNION ALL
	SELECT format('sequence %s type=%s start=%s increment=%s min=%s max=%s cache=%s cycle=%s owned_by=%s', r.relname, s.seqtypid::regtype,
	              s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
	              (SELECT pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid) FROM pg_depend d
	                WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid AND d.deptype IN ('a', 'i') AND d.refclassid = 'pg_class'::regclass))
	  FROM rels r JOIN pg_sequence s ON s.seqrelid = r.oid
	UNION ALL
	SELECT format('constraint %s.%s %s', r.relname, k.conname, pg_get_constraintdef(k.oid)) FROM rels r JOIN pg_constraint k ON k.conrelid = r.oid
	UNION ALL
	SELECT format('index %s', pg_get_indexdef(i.indexrelid)) FROM rels r JOIN pg_index i ON i.indrelid = r.oid
	UNION ALL
	SELECT format('policy %s.%s cmd=%s permissive=%s roles=%s using=%s check=%s', r.relname, p.polname, p.polcmd, p.polpermissive,
	              (SELECT string_agg(CASE WHEN x = 0 THEN 'public' ELSE x::regrole::text END, ',' ORDER BY 1) FROM unnest(p.polroles) x),
	              pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
	  FROM rels r JOIN pg_policy p ON p.polrelid = r.oid
	UNION ALL
	SELECT format('trigger %s enabled=%s', pg_get_triggerdef(t.oid), t.tgenabled) FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
	UNION ALL
	SELECT format('constraint trigger %s.%s %s enabled=%s', r.relname, k.conname, t.tgfoid::regproc, t.tgenabled)
	  FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND t.tgisinternal JOIN pg_constraint k ON k.oid = t.tgconstraint
	UNION ALL
	SELECT format('view %s %s', r.relname, pg_get_viewdef(r.oid)) FROM rels r WHERE r.relkind = 'v'
	UNION ALL
	SELECT format('function %s(%s) returns %s lang=%s vol=%s strict=%s secdef=%s parallel=%s leakproof=%s cost=%s rows=%s config=%s acl=%s bin=%s src=%s',
	              p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), l.lanname, p.provolatile,
	              p.proisstrict, p.prosecdef, p.proparallel, p.proleakproof, p.procost, p.prorows, p.proconfig,
	              (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(p.proacl) x), p.probin, md5(p.prosrc))
	  FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid JOIN pg_language l ON l.oid = p.prolang
	UNION ALL
	SELECT format('schema %s acl=%s', n.nspname, (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(n.nspacl) x))
	  FROM pg_namespace n WHERE n.nspname = 'multitenant'
	UNION ALL
	SELECT format('config_dump %s %s', c::regclass, cond)
	  FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(c, cond) WHERE e.extname = 'multitenant'
	UNION ALL
	SELECT format('extension version=%s relocatable=%s schema=%s', extversion, extrelocatable, extnamespace::regnamespace)
	  FROM pg_extension WHERE extname = 'multitenant'
	UNION ALL
	SELECT format('reducer %s #%s %s %s set=%s match=%s when=%s touch=%s builtin=%s', r.event_type,
	              row_number() OVER (PARTITION BY r.event_type ORDER BY r.id), r.projection, r.action,
	              r.set_columns, r.match_columns, r.condition, r.touch, r.builtin)
	  FROM multitenant.reducers r
)
SELECT line FROM facts ORDER BY line COLLATE "C";
