/*-------------------------------------------------------------------------
 *
 * realms.c
 *	  load_realms: the operator's realm file (YAML, read with libyaml's
 *	  document API) into multitenant.tenant_realms.
 *
 * One document: a mapping with the key `tenants`, a sequence of tenants,
 * each a mapping of `id` and `realms`, a sequence of realms, each a mapping
 * of `name`, `type`, optional `enabled`, `configuration` and `secrets`.
 * Every key outside these, every duplicate key, tenant or realm name is an
 * error naming the file, line and column.
 *
 * The call runs in three passes, so that a file that is wrong anywhere
 * changes nothing: it reads and checks the whole file (the configuration
 * with the same SQL checks create_realm uses, each error re-raised with the
 * place in the file); it locks every tenant of the file (in id order, so two
 * loads cannot deadlock) and compares each realm with the database; and
 * only then, unless dry_run, pushes one event per realm that changes, which
 * realm_push records in the audit log.  A realm that does not differ pushes
 * nothing, so loading the same file twice changes nothing.
 *
 * `${NAME}` in any string is replaced by the server's environment variable
 * NAME when the file is loaded (`$${` stands for a literal `${`); a variable
 * that is not set is an error naming it and its place.  Secrets (the
 * `secrets` mapping; which ones a type takes is in realm_type_spec) are
 * stored with add_key as encryption keys of the tenant, `realm:<realm
 * id>:<secret>`, encrypted under the master key: never in the configuration,
 * an event or an audit image; events name the secrets that changed.  A
 * stored secret is compared with the file's by decrypting it (get_key), so
 * that no digest of a secret is kept anywhere.
 *
 * resolve_realm(name, tenant_token) is the lookup a login makes: the enabled
 * realm of that name in the current tenant (entered by the token first, if
 * given), one probe of the (instance_id, name) unique index, like the
 * lookups of lookups.c and under the same access rule.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <yaml.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "catalog.h"
#include "lookups.h"
#include "multitenant.h"
#include "realms.h"
#include "tenant_context.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mt_load_realms);
PG_FUNCTION_INFO_V1(mt_resolve_realm);

#define REALM_FILE_MAXLEN	(4 * 1024 * 1024)
#define SECRET_MAXLEN		(64 * 1024)

/* A place in the file, 1-based. */
typedef struct Place
{
	int			line;
	int			column;
} Place;

typedef struct SecretSpec
{
	char	   *name;
	char	   *value;
	Place		place;
	bool		changed;
} SecretSpec;

typedef struct RealmSpec
{
	char	   *name;
	Place		place;
	char	   *type;
	Place		type_place;
	bool		enabled;
	char	   *configuration;	/* JSON text */
	Place		configuration_place;
	List	   *secrets;		/* SecretSpec */

	/* What the comparison with the database found. */
	char	   *id;
	const char *action;
	List	   *changes;		/* char * */
	bool		configuration_changed;
	bool		enabled_changed;
	bool		source_changed;
} RealmSpec;

typedef struct TenantSpec
{
	char	   *id;
	Place		place;
	List	   *realms;			/* RealmSpec */
} TenantSpec;

typedef struct Loader
{
	const char *path;
	yaml_document_t *doc;
	List	   *tenants;		/* TenantSpec */
} Loader;

static SPIPlanPtr tenant_exists_plan = NULL;
static SPIPlanPtr check_name_plan = NULL;
static SPIPlanPtr check_configuration_plan = NULL;
static SPIPlanPtr type_spec_plan = NULL;
static SPIPlanPtr lock_tenant_plan = NULL;
static SPIPlanPtr realm_by_name_plan = NULL;
static SPIPlanPtr secret_exists_plan = NULL;
static SPIPlanPtr get_secret_plan = NULL;
static SPIPlanPtr delete_secret_plan = NULL;
static SPIPlanPtr add_secret_plan = NULL;
static SPIPlanPtr new_id_plan = NULL;
static SPIPlanPtr realm_push_plan = NULL;
static SPIPlanPtr file_realms_plan = NULL;
static SPIPlanPtr resolve_realm_plan = NULL;

static Place
node_place(yaml_node_t *node)
{
	Place		p;

	p.line = (int) node->start_mark.line + 1;
	p.column = (int) node->start_mark.column + 1;
	return p;
}

static void
file_error(const Loader *ld, Place p, int sqlstate, const char *fmt,...)
pg_attribute_printf(4, 5) pg_attribute_noreturn();

static void
file_error(const Loader *ld, Place p, int sqlstate, const char *fmt,...)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("realm file \"%s\", line %d, column %d: %s", ld->path, p.line, p.column, buf.data)));
}

/* A scalar's text in the server encoding (the file is UTF-8). */
static char *
scalar_text(const Loader *ld, yaml_node_t *node, const char *what)
{
	const char *raw;
	char	   *converted;
	size_t		len;

	if (node->type != YAML_SCALAR_NODE)
		file_error(ld, node_place(node), ERRCODE_INVALID_PARAMETER_VALUE, "%s must be a scalar", what);
	raw = (const char *) node->data.scalar.value;
	len = node->data.scalar.length;
	if (strlen(raw) != len || !pg_verify_mbstr(PG_UTF8, raw, (int) len, true))
		file_error(ld, node_place(node), ERRCODE_CHARACTER_NOT_IN_REPERTOIRE,
				   "%s is not valid UTF-8 text", what);
	converted = pg_any_to_server(raw, (int) len, PG_UTF8);
	/* The document, and with it raw, is freed before the values are used. */
	return converted == raw ? pnstrdup(raw, len) : converted;
}

/*
 * A string with its `${NAME}` placeholders replaced from the server's
 * environment.
 */
static char *
resolve_placeholders(const Loader *ld, yaml_node_t *node, const char *text)
{
	StringInfoData buf;
	const char *p = text;

	initStringInfo(&buf);
	while (*p)
	{
		if (p[0] == '$' && p[1] == '$' && p[2] == '{')
		{
			appendStringInfoString(&buf, "${");
			p += 3;
		}
		else if (p[0] == '$' && p[1] == '{')
		{
			const char *start = p + 2;
			const char *end = strchr(start, '}');
			char	   *name;
			const char *value;
			const char *q;

			if (end == NULL || end == start)
				file_error(ld, node_place(node), ERRCODE_INVALID_PARAMETER_VALUE,
						   "unterminated or empty placeholder in \"%s\"", text);
			name = pnstrdup(start, end - start);
			for (q = name; *q; q++)
				if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || *q == '_' ||
					  (q > name && *q >= '0' && *q <= '9')))
					file_error(ld, node_place(node), ERRCODE_INVALID_PARAMETER_VALUE,
							   "invalid environment variable name \"%s\" in a placeholder", name);
			value = getenv(name);
			if (value == NULL)
				file_error(ld, node_place(node), ERRCODE_UNDEFINED_OBJECT,
						   "environment variable \"%s\" is not set", name);
			appendStringInfoString(&buf, value);
			p = end + 1;
		}
		else
			appendStringInfoChar(&buf, *p++);
	}
	return buf.data;
}

/*
 * Checks that a mapping has only the allowed keys, each once.  allowed is
 * NULL-terminated; NULL allows any key (each still once).
 */
static void
check_mapping(const Loader *ld, yaml_node_t *node, const char *what, const char *const *allowed)
{
	yaml_node_pair_t *pair;
	yaml_node_pair_t *other;

	if (node->type != YAML_MAPPING_NODE)
		file_error(ld, node_place(node), ERRCODE_INVALID_PARAMETER_VALUE, "%s must be a mapping", what);
	for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++)
	{
		yaml_node_t *key = yaml_document_get_node(ld->doc, pair->key);
		char	   *k = scalar_text(ld, key, psprintf("a key of %s", what));

		if (allowed != NULL)
		{
			const char *const *a;

			for (a = allowed; *a; a++)
				if (strcmp(*a, k) == 0)
					break;
			if (*a == NULL)
				file_error(ld, node_place(key), ERRCODE_INVALID_PARAMETER_VALUE,
						   "unknown key \"%s\" in %s", k, what);
		}
		for (other = node->data.mapping.pairs.start; other < pair; other++)
		{
			yaml_node_t *okey = yaml_document_get_node(ld->doc, other->key);

			if (okey->type == YAML_SCALAR_NODE && strcmp(scalar_text(ld, okey, what), k) == 0)
				file_error(ld, node_place(key), ERRCODE_INVALID_PARAMETER_VALUE,
						   "duplicate key \"%s\" in %s", k, what);
		}
	}
}

static yaml_node_t *
mapping_value(const Loader *ld, yaml_node_t *node, const char *key)
{
	yaml_node_pair_t *pair;

	for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++)
	{
		yaml_node_t *k = yaml_document_get_node(ld->doc, pair->key);

		if (strcmp((const char *) k->data.scalar.value, key) == 0)
			return yaml_document_get_node(ld->doc, pair->value);
	}
	return NULL;
}

static yaml_node_t *
required_value(const Loader *ld, yaml_node_t *node, const char *key, const char *what)
{
	yaml_node_t *value = mapping_value(ld, node, key);

	if (value == NULL)
		file_error(ld, node_place(node), ERRCODE_INVALID_PARAMETER_VALUE, "%s has no \"%s\"", what, key);
	return value;
}

static bool
plain_scalar(yaml_node_t *node)
{
	return node->type == YAML_SCALAR_NODE && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static bool
yaml_boolean(yaml_node_t *node, bool *value)
{
	const char *v = (const char *) node->data.scalar.value;

	if (!plain_scalar(node))
		return false;
	if (strcmp(v, "true") == 0 || strcmp(v, "True") == 0 || strcmp(v, "TRUE") == 0)
		*value = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "False") == 0 || strcmp(v, "FALSE") == 0)
		*value = false;
	else
		return false;
	return true;
}

static bool
yaml_integer(yaml_node_t *node)
{
	const char *v = (const char *) node->data.scalar.value;

	if (!plain_scalar(node))
		return false;
	if (*v == '-')
		v++;
	if (*v == '\0' || (*v == '0' && v[1] != '\0'))
		return false;
	for (; *v; v++)
		if (*v < '0' || *v > '9')
			return false;
	return strlen((const char *) node->data.scalar.value) <= 18;
}

/*
 * A configuration value as JSON: plain true/false are booleans, plain
 * integers numbers, every other scalar a string (placeholders resolved);
 * sequences arrays and mappings objects.  A null is refused, since no
 * configuration key takes one.
 */
static void
append_json_value(const Loader *ld, yaml_node_t *node, StringInfo out, const char *what, int depth)
{
	bool		b;

	if (depth > 8)
		file_error(ld, node_place(node), ERRCODE_INVALID_PARAMETER_VALUE, "%s is nested too deeply", what);
	switch (node->type)
	{
		case YAML_SCALAR_NODE:
			{
				const char *v = (const char *) node->data.scalar.value;

				if (plain_scalar(node) && (v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0))
					file_error(ld, node_place(node), ERRCODE_INVALID_PARAMETER_VALUE, "%s is null", what);
				if (yaml_boolean(node, &b))
					appendStringInfoString(out, b ? "true" : "false");
				else if (yaml_integer(node))
					appendStringInfoString(out, v);
				else
					escape_json(out, resolve_placeholders(ld, node, scalar_text(ld, node, what)));
				break;
			}
		case YAML_SEQUENCE_NODE:
			{
				yaml_node_item_t *item;

				appendStringInfoChar(out, '[');
				for (item = node->data.sequence.items.start; item < node->data.sequence.items.top; item++)
				{
					if (item > node->data.sequence.items.start)
						appendStringInfoString(out, ", ");
					append_json_value(ld, yaml_document_get_node(ld->doc, *item), out, what, depth + 1);
				}
				appendStringInfoChar(out, ']');
				break;
			}
		case YAML_MAPPING_NODE:
			{
				yaml_node_pair_t *pair;

				check_mapping(ld, node, what, NULL);
				appendStringInfoChar(out, '{');
				for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++)
				{
					yaml_node_t *key = yaml_document_get_node(ld->doc, pair->key);

					if (pair > node->data.mapping.pairs.start)
						appendStringInfoString(out, ", ");
					escape_json(out, scalar_text(ld, key, what));
					appendStringInfoString(out, ": ");
					append_json_value(ld, yaml_document_get_node(ld->doc, pair->value), out,
									  psprintf("key \"%s\" of %s", key->data.scalar.value, what), depth + 1);
				}
				appendStringInfoChar(out, '}');
				break;
			}
		default:
			file_error(ld, node_place(node), ERRCODE_INVALID_PARAMETER_VALUE, "%s is empty", what);
	}
}

/*
 * Runs a kept plan in a subtransaction; an error it raises is raised again
 * with the place in the file, keeping its SQLSTATE, detail and hint.
 */
static void
run_at_place(const Loader *ld, Place p, SPIPlanPtr plan, Datum *values, const char *nulls)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		if (mt_execute_kept(plan, values, nulls, true, 0) < 0)
			elog(ERROR, "checking the realm file failed");
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		ereport(ERROR,
				(errcode(edata->sqlerrcode),
				 errmsg("realm file \"%s\", line %d, column %d: %s", ld->path, p.line, p.column, edata->message),
				 edata->detail ? errdetail("%s", edata->detail) : 0,
				 edata->hint ? errhint("%s", edata->hint) : 0));
	}
	PG_END_TRY();
}

static void
prepare_plans(void)
{
	Oid			t1[1] = {TEXTOID};
	Oid			t2[2] = {TEXTOID, TEXTOID};
	Oid			t3[3] = {TEXTOID, TEXTOID, TEXTOID};
	Oid			tcfg[3] = {TEXTOID, TEXTOID, JSONBOID};
	Oid			tadd[3] = {TEXTOID, BYTEAOID, TEXTOID};
	Oid			tpush[4] = {TEXTOID, TEXTOID, TEXTOID, JSONBOID};

	if (tenant_exists_plan != NULL)
		return;
	tenant_exists_plan = mt_prepare_kept(
		"SELECT FROM multitenant.tenants AS t"
		" WHERE t.instance_id OPERATOR(pg_catalog.=) $1 AND t.id OPERATOR(pg_catalog.=) $1", 1, t1);
	check_name_plan = mt_prepare_kept("SELECT multitenant.check_realm_name($1, $2)", 2, t2);
	check_configuration_plan = mt_prepare_kept("SELECT multitenant.check_realm_configuration($1, $2, $3)", 3, tcfg);
	type_spec_plan = mt_prepare_kept(
		"SELECT s OPERATOR(pg_catalog.->>) 'source', ARRAY(SELECT pg_catalog.jsonb_array_elements_text("
		"s OPERATOR(pg_catalog.->) 'secrets'))::pg_catalog.text,"
		" ARRAY(SELECT pg_catalog.jsonb_object_keys(s OPERATOR(pg_catalog.->) 'keys'))::pg_catalog.text"
		" FROM multitenant.realm_type_spec($1) AS s WHERE s IS NOT NULL", 1, t1);
	lock_tenant_plan = mt_prepare_kept("SELECT FROM multitenant.lock_tenant($1, 'load_realms')", 1, t1);
	realm_by_name_plan = mt_prepare_kept(
		"SELECT r.id, r.type, r.source, r.enabled, r.configuration OPERATOR(pg_catalog.=) $3::pg_catalog.jsonb"
		" FROM multitenant.tenant_realms AS r"
		" WHERE r.instance_id OPERATOR(pg_catalog.=) $1 AND r.name OPERATOR(pg_catalog.=) $2", 3, t3);
	secret_exists_plan = mt_prepare_kept(
		"SELECT FROM multitenant.encryption_keys AS k"
		" WHERE k.instance_id OPERATOR(pg_catalog.=) $1 AND k.id OPERATOR(pg_catalog.=) $2", 2, t2);
	get_secret_plan = mt_prepare_kept("SELECT multitenant.get_key($2, $1)", 2, t2);
	delete_secret_plan = mt_prepare_kept(
		"DELETE FROM multitenant.encryption_keys AS k"
		" WHERE k.instance_id OPERATOR(pg_catalog.=) $1 AND k.id OPERATOR(pg_catalog.=) $2", 2, t2);
	add_secret_plan = mt_prepare_kept("SELECT multitenant.add_key($3, $2, 'realm_secret', NULL, $1)", 3, tadd);
	new_id_plan = mt_prepare_kept("SELECT pg_catalog.gen_random_uuid()::pg_catalog.text", 0, NULL);
	realm_push_plan = mt_prepare_kept("SELECT FROM multitenant.realm_push($1, $2, $3, $4)", 4, tpush);
	file_realms_plan = mt_prepare_kept(
		"SELECT r.instance_id, r.name, r.type FROM multitenant.tenant_realms AS r"
		" WHERE r.source OPERATOR(pg_catalog.=) 'file' ORDER BY r.instance_id, r.name", 0, NULL);
}

static bool
list_has_string(List *list, const char *s)
{
	ListCell   *lc;

	foreach(lc, list)
		if (strcmp((char *) lfirst(lc), s) == 0)
		return true;
	return false;
}

/* The secret names a text[] output lists ("{a,b}"; names are identifiers). */
static List *
parse_name_array(const char *text)
{
	List	   *names = NIL;
	char	   *copy = pstrdup(text);
	char	   *inner;
	char	   *tok;
	char	   *save;

	if (copy[0] != '{')
		return NIL;
	inner = copy + 1;
	inner[strlen(inner) - 1] = '\0';
	for (tok = strtok_r(inner, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		names = lappend(names, pstrdup(tok));
	return names;
}

static RealmSpec *
read_realm(Loader *ld, TenantSpec *tenant, yaml_node_t *node)
{
	static const char *const realm_keys[] = {"name", "type", "enabled", "configuration", "secrets", NULL};
	RealmSpec  *realm = palloc0(sizeof(RealmSpec));
	yaml_node_t *v;
	Datum		values[3];
	List	   *secret_names;
	List	   *configuration_keys;
	StringInfoData cfg;
	ListCell   *lc;
	char	   *what = psprintf("a realm of tenant \"%s\"", tenant->id);

	check_mapping(ld, node, what, realm_keys);
	realm->place = node_place(node);
	v = required_value(ld, node, "name", what);
	realm->name = scalar_text(ld, v, "a realm name");
	values[0] = CStringGetTextDatum(realm->name);
	values[1] = CStringGetTextDatum(tenant->id);
	run_at_place(ld, node_place(v), check_name_plan, values, NULL);
	what = psprintf("realm \"%s\" of tenant \"%s\"", realm->name, tenant->id);

	foreach(lc, tenant->realms)
		if (strcmp(((RealmSpec *) lfirst(lc))->name, realm->name) == 0)
		file_error(ld, node_place(v), ERRCODE_INVALID_PARAMETER_VALUE,
				   "duplicate realm name \"%s\" in tenant \"%s\"", realm->name, tenant->id);

	v = required_value(ld, node, "type", what);
	realm->type = scalar_text(ld, v, "a realm type");
	realm->type_place = node_place(v);
	values[0] = CStringGetTextDatum(realm->type);
	if (mt_execute_kept(type_spec_plan, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading realm type \"%s\" failed", realm->type);
	if (SPI_processed == 0)
		file_error(ld, node_place(v), ERRCODE_INVALID_PARAMETER_VALUE,
				   "unknown realm type \"%s\" for %s", realm->type, what);
	secret_names = parse_name_array(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2));
	configuration_keys = parse_name_array(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3));

	realm->enabled = true;
	v = mapping_value(ld, node, "enabled");
	if (v != NULL && !yaml_boolean(v, &realm->enabled))
		file_error(ld, node_place(v), ERRCODE_INVALID_PARAMETER_VALUE,
				   "\"enabled\" of %s must be true or false", what);

	initStringInfo(&cfg);
	v = mapping_value(ld, node, "configuration");
	realm->configuration_place = v ? node_place(v) : realm->place;
	if (v == NULL)
		appendStringInfoString(&cfg, "{}");
	else
	{
		yaml_node_pair_t *pair;

		if (v->type != YAML_MAPPING_NODE)
			file_error(ld, node_place(v), ERRCODE_INVALID_PARAMETER_VALUE,
					   "the configuration of %s must be a mapping", what);
		append_json_value(ld, v, &cfg, psprintf("the configuration of %s", what), 0);
		/* Placed at the key itself; check_realm_configuration would place it at the mapping. */
		for (pair = v->data.mapping.pairs.start; pair < v->data.mapping.pairs.top; pair++)
		{
			yaml_node_t *key = yaml_document_get_node(ld->doc, pair->key);
			char	   *k = scalar_text(ld, key, "a configuration key");

			if (!list_has_string(configuration_keys, k))
				file_error(ld, node_place(key), ERRCODE_INVALID_PARAMETER_VALUE,
						   "unknown key \"%s\" in the configuration of %s (type %s)%s", k, what, realm->type,
						   list_has_string(secret_names, k) ? ": a secret goes under \"secrets\"" : "");
		}
	}
	realm->configuration = cfg.data;
	values[0] = CStringGetTextDatum(realm->name);
	values[1] = CStringGetTextDatum(realm->type);
	values[2] = DirectFunctionCall1(jsonb_in, CStringGetDatum(realm->configuration));
	run_at_place(ld, realm->configuration_place, check_configuration_plan, values, NULL);

	v = mapping_value(ld, node, "secrets");
	if (v != NULL)
	{
		yaml_node_pair_t *pair;

		check_mapping(ld, v, psprintf("the secrets of %s", what), NULL);
		for (pair = v->data.mapping.pairs.start; pair < v->data.mapping.pairs.top; pair++)
		{
			yaml_node_t *key = yaml_document_get_node(ld->doc, pair->key);
			yaml_node_t *value = yaml_document_get_node(ld->doc, pair->value);
			SecretSpec *secret = palloc0(sizeof(SecretSpec));

			secret->name = scalar_text(ld, key, "a secret name");
			secret->place = node_place(value);
			if (!list_has_string(secret_names, secret->name))
				file_error(ld, node_place(key), ERRCODE_INVALID_PARAMETER_VALUE,
						   "unknown secret \"%s\" for %s (type %s takes %s)", secret->name, what, realm->type,
						   secret_names ? "the secrets of realm_type_spec()" : "no secret");
			if (value->type != YAML_SCALAR_NODE ||
				(plain_scalar(value) && value->data.scalar.length == 0))
				file_error(ld, node_place(value), ERRCODE_INVALID_PARAMETER_VALUE,
						   "secret \"%s\" of %s must be a non-empty string", secret->name, what);
			secret->value = resolve_placeholders(ld, value, scalar_text(ld, value, "a secret"));
			if (secret->value[0] == '\0' || strlen(secret->value) > SECRET_MAXLEN)
				file_error(ld, node_place(value), ERRCODE_INVALID_PARAMETER_VALUE,
						   "secret \"%s\" of %s must have 1 to %d bytes", secret->name, what, SECRET_MAXLEN);
			realm->secrets = lappend(realm->secrets, secret);
		}
	}
	foreach(lc, secret_names)
	{
		char	   *name = lfirst(lc);
		ListCell   *sc;
		bool		found = false;

		foreach(sc, realm->secrets)
			if (strcmp(((SecretSpec *) lfirst(sc))->name, name) == 0)
			found = true;
		if (!found)
			file_error(ld, v ? node_place(v) : realm->place, ERRCODE_INVALID_PARAMETER_VALUE,
					   "missing secret \"%s\" for %s (type %s)", name, what, realm->type);
	}
	return realm;
}

static void
read_file(Loader *ld)
{
	static const char *const top_keys[] = {"tenants", NULL};
	static const char *const tenant_keys[] = {"id", "realms", NULL};
	yaml_node_t *root = yaml_document_get_root_node(ld->doc);
	yaml_node_t *tenants;
	yaml_node_item_t *item;

	if (root == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("realm file \"%s\" is empty", ld->path)));
	check_mapping(ld, root, "the realm file", top_keys);
	tenants = required_value(ld, root, "tenants", "the realm file");
	if (tenants->type != YAML_SEQUENCE_NODE)
		file_error(ld, node_place(tenants), ERRCODE_INVALID_PARAMETER_VALUE, "\"tenants\" must be a sequence");
	for (item = tenants->data.sequence.items.start; item < tenants->data.sequence.items.top; item++)
	{
		yaml_node_t *node = yaml_document_get_node(ld->doc, *item);
		TenantSpec *tenant = palloc0(sizeof(TenantSpec));
		yaml_node_t *v;
		yaml_node_item_t *r;
		ListCell   *lc;
		Datum		values[1];

		check_mapping(ld, node, "a tenant", tenant_keys);
		tenant->place = node_place(node);
		v = required_value(ld, node, "id", "a tenant");
		tenant->id = scalar_text(ld, v, "a tenant id");
		foreach(lc, ld->tenants)
			if (strcmp(((TenantSpec *) lfirst(lc))->id, tenant->id) == 0)
			file_error(ld, node_place(v), ERRCODE_INVALID_PARAMETER_VALUE, "duplicate tenant \"%s\"", tenant->id);
		if (strcmp(tenant->id, "system") == 0)
			file_error(ld, node_place(v), ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					   "tenant \"system\" has no realms");
		values[0] = CStringGetTextDatum(tenant->id);
		if (mt_execute_kept(tenant_exists_plan, values, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "reading tenant \"%s\" failed", tenant->id);
		if (SPI_processed == 0)
			file_error(ld, node_place(v), ERRCODE_UNDEFINED_OBJECT, "tenant \"%s\" does not exist", tenant->id);

		v = required_value(ld, node, "realms", psprintf("tenant \"%s\"", tenant->id));
		if (v->type != YAML_SEQUENCE_NODE)
			file_error(ld, node_place(v), ERRCODE_INVALID_PARAMETER_VALUE,
					   "\"realms\" of tenant \"%s\" must be a sequence", tenant->id);
		for (r = v->data.sequence.items.start; r < v->data.sequence.items.top; r++)
			tenant->realms = lappend(tenant->realms,
									 read_realm(ld, tenant, yaml_document_get_node(ld->doc, *r)));
		ld->tenants = lappend(ld->tenants, tenant);
	}
}

/* Parses the file into ld->doc; libyaml's errors name line and column. */
static void
parse_file(Loader *ld, yaml_document_t *doc)
{
	FILE	   *volatile fp;
	yaml_parser_t parser;
	volatile bool parser_ready = false;
	volatile bool loaded = false;

	fp = AllocateFile(ld->path, PG_BINARY_R);
	if (fp == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open realm file \"%s\": %m", ld->path)));
	PG_TRY();
	{
		yaml_document_t extra;
		bool		more;

		if (!yaml_parser_initialize(&parser))
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		parser_ready = true;
		yaml_parser_set_input_file(&parser, fp);
		yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
		if (!yaml_parser_load(&parser, doc))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("realm file \"%s\", line %d, column %d: %s%s%s", ld->path,
							(int) parser.problem_mark.line + 1, (int) parser.problem_mark.column + 1,
							parser.problem ? parser.problem : "invalid YAML",
							parser.context ? " " : "", parser.context ? parser.context : "")));
		loaded = true;
		if (!yaml_parser_load(&parser, &extra))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("realm file \"%s\", line %d, column %d: %s", ld->path,
							(int) parser.problem_mark.line + 1, (int) parser.problem_mark.column + 1,
							parser.problem ? parser.problem : "invalid YAML")));
		more = yaml_document_get_root_node(&extra) != NULL;
		if (more)
		{
			Place		p = node_place(yaml_document_get_root_node(&extra));

			yaml_document_delete(&extra);
			file_error(ld, p, ERRCODE_INVALID_PARAMETER_VALUE, "a realm file holds one YAML document");
		}
		yaml_document_delete(&extra);
	}
	PG_CATCH();
	{
		if (loaded)
			yaml_document_delete(doc);
		if (parser_ready)
			yaml_parser_delete(&parser);
		FreeFile(fp);
		PG_RE_THROW();
	}
	PG_END_TRY();
	yaml_parser_delete(&parser);
	FreeFile(fp);
}

static char *
secret_key_id(const char *realm_id, const char *secret)
{
	return psprintf("realm:%s:%s", realm_id, secret);
}

/* Whether the stored secret differs from the file's (decrypted to compare). */
static bool
secret_differs(const char *tenant, const char *realm_id, SecretSpec *secret)
{
	Datum		values[2];
	bool		isnull;
	bytea	   *stored;
	bool		differs;
	size_t		len = strlen(secret->value);

	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(secret_key_id(realm_id, secret->name));
	if (mt_execute_kept(secret_exists_plan, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading a secret of realm \"%s\" failed", realm_id);
	if (SPI_processed == 0)
		return true;
	if (mt_execute_kept(get_secret_plan, values, NULL, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "reading a secret of realm \"%s\" failed", realm_id);
	stored = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	differs = isnull || VARSIZE_ANY_EXHDR(stored) != len ||
		memcmp(VARDATA_ANY(stored), secret->value, len) != 0;
	if (!isnull)
		explicit_bzero(VARDATA_ANY(stored), VARSIZE_ANY_EXHDR(stored));
	return differs;
}

/* Compares one realm of the file with the database and decides. */
static void
plan_realm(const Loader *ld, TenantSpec *tenant, RealmSpec *realm, bool overwrite)
{
	Datum		values[3];
	HeapTuple	row;
	TupleDesc	desc;
	bool		isnull;
	char	   *type;
	char	   *source;
	bool		enabled;
	bool		same_configuration;
	ListCell   *lc;

	values[0] = CStringGetTextDatum(tenant->id);
	values[1] = CStringGetTextDatum(realm->name);
	values[2] = CStringGetTextDatum(realm->configuration);
	if (mt_execute_kept(realm_by_name_plan, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading realm \"%s\" of tenant \"%s\" failed", realm->name, tenant->id);
	if (SPI_processed == 0)
	{
		realm->action = "added";
		foreach(lc, realm->secrets)
			((SecretSpec *) lfirst(lc))->changed = true;
		return;
	}
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	realm->id = SPI_getvalue(row, desc, 1);
	type = SPI_getvalue(row, desc, 2);
	source = SPI_getvalue(row, desc, 3);
	enabled = DatumGetBool(SPI_getbinval(row, desc, 4, &isnull));
	same_configuration = DatumGetBool(SPI_getbinval(row, desc, 5, &isnull));

	if (strcmp(type, realm->type) != 0)
		file_error(ld, realm->type_place, ERRCODE_INVALID_PARAMETER_VALUE,
				   "realm \"%s\" of tenant \"%s\" has type %s, not %s: a realm's type does not change",
				   realm->name, tenant->id, type, realm->type);
	if (strcmp(source, "file") != 0)
	{
		realm->source_changed = true;
		realm->changes = lappend(realm->changes, "source");
	}
	if (!same_configuration)
	{
		realm->configuration_changed = true;
		realm->changes = lappend(realm->changes, "configuration");
	}
	if (enabled != realm->enabled)
	{
		realm->enabled_changed = true;
		realm->changes = lappend(realm->changes, "enabled");
	}
	foreach(lc, realm->secrets)
	{
		SecretSpec *secret = lfirst(lc);

		if (secret_differs(tenant->id, realm->id, secret))
		{
			secret->changed = true;
			realm->changes = lappend(realm->changes, psprintf("secret %s", secret->name));
		}
	}
	if (realm->changes == NIL)
		realm->action = "unchanged";
	else
		realm->action = overwrite ? "changed" : "skipped";
}

static void
store_secrets(const char *tenant, RealmSpec *realm, StringInfo changed_names)
{
	ListCell   *lc;
	bool		first = true;

	appendStringInfoChar(changed_names, '[');
	foreach(lc, realm->secrets)
	{
		SecretSpec *secret = lfirst(lc);
		Datum		values[3];
		size_t		len;
		bytea	   *material;

		if (!secret->changed)
			continue;
		values[0] = CStringGetTextDatum(tenant);
		values[1] = CStringGetTextDatum(secret_key_id(realm->id, secret->name));
		if (mt_execute_kept(delete_secret_plan, values, NULL, false, 0) != SPI_OK_DELETE)
			elog(ERROR, "replacing a secret of realm \"%s\" failed", realm->name);
		len = strlen(secret->value);
		material = palloc(VARHDRSZ + len);
		SET_VARSIZE(material, VARHDRSZ + len);
		memcpy(VARDATA(material), secret->value, len);
		values[2] = values[1];
		values[1] = PointerGetDatum(material);
		if (mt_execute_kept(add_secret_plan, values, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "storing a secret of realm \"%s\" failed", realm->name);
		explicit_bzero(VARDATA(material), len);
		if (!first)
			appendStringInfoString(changed_names, ", ");
		escape_json(changed_names, secret->name);
		first = false;
	}
	appendStringInfoChar(changed_names, ']');
}

static void
apply_realm(const char *tenant, RealmSpec *realm)
{
	StringInfoData payload;
	StringInfoData secrets;
	Datum		values[4];
	const char *event_type;

	initStringInfo(&secrets);
	if (strcmp(realm->action, "added") == 0)
	{
		if (mt_execute_kept(new_id_plan, NULL, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "making a realm id failed");
		realm->id = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	}
	store_secrets(tenant, realm, &secrets);

	initStringInfo(&payload);
	appendStringInfoChar(&payload, '{');
	if (strcmp(realm->action, "added") == 0)
	{
		event_type = "tenant.realm.added";
		appendStringInfoString(&payload, "\"name\": ");
		escape_json(&payload, realm->name);
		appendStringInfoString(&payload, ", \"type\": ");
		escape_json(&payload, realm->type);
		appendStringInfo(&payload, ", \"source\": \"file\", \"enabled\": %s, \"configuration\": %s",
						 realm->enabled ? "true" : "false", realm->configuration);
	}
	else
	{
		event_type = "tenant.realm.changed";
		appendStringInfoString(&payload, "\"name\": ");
		escape_json(&payload, realm->name);
		if (realm->source_changed)
			appendStringInfoString(&payload, ", \"source\": \"file\"");
		if (realm->enabled_changed)
			appendStringInfo(&payload, ", \"enabled\": %s", realm->enabled ? "true" : "false");
		if (realm->configuration_changed)
			appendStringInfo(&payload, ", \"configuration\": %s", realm->configuration);
	}
	if (strcmp(secrets.data, "[]") != 0)
		appendStringInfo(&payload, ", \"secretsChanged\": %s", secrets.data);
	appendStringInfoChar(&payload, '}');

	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(realm->id);
	values[2] = CStringGetTextDatum(event_type);
	values[3] = DirectFunctionCall1(jsonb_in, CStringGetDatum(payload.data));
	if (mt_execute_kept(realm_push_plan, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "pushing %s for realm \"%s\" of tenant \"%s\" failed", event_type, realm->name, tenant);
}

static int
tenant_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp(((TenantSpec *) lfirst(a))->id, ((TenantSpec *) lfirst(b))->id);
}

static void
emit(Tuplestorestate *store, TupleDesc desc, const char *tenant, const char *realm, const char *type,
	 const char *action, List *changes)
{
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};
	Datum	   *elems;
	int			n = list_length(changes);
	int			i = 0;
	ListCell   *lc;

	elems = palloc(sizeof(Datum) * (n > 0 ? n : 1));
	foreach(lc, changes)
		elems[i++] = CStringGetTextDatum((char *) lfirst(lc));
	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(realm);
	values[2] = CStringGetTextDatum(type);
	values[3] = CStringGetTextDatum(action);
	values[4] = PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
	tuplestore_putvalues(store, desc, values, nulls);
}

static void
cleanse_secrets(Loader *ld)
{
	ListCell   *tc;

	foreach(tc, ld->tenants)
	{
		ListCell   *rc;

		foreach(rc, ((TenantSpec *) lfirst(tc))->realms)
		{
			ListCell   *sc;

			foreach(sc, ((RealmSpec *) lfirst(rc))->secrets)
			{
				SecretSpec *s = lfirst(sc);

				if (s->value)
					explicit_bzero(s->value, strlen(s->value));
			}
		}
	}
}

/* Reads and checks the whole file; the document is freed however it ends. */
static void
read_document(Loader *ld)
{
	yaml_document_t doc;

	parse_file(ld, &doc);
	ld->doc = &doc;
	PG_TRY();
	{
		read_file(ld);
	}
	PG_FINALLY();
	{
		yaml_document_delete(&doc);
		ld->doc = NULL;
	}
	PG_END_TRY();
}

/*
 * Locks the file's tenants, compares every realm with the database, then
 * (unless dry_run) applies the changes; the plain secrets are wiped however
 * it ends.
 */
static pg_noinline void
plan_and_apply_steps(Loader *ld, bool overwrite, bool dry_run, Tuplestorestate *store, TupleDesc desc)
{
	List	   *sorted = list_copy(ld->tenants);
	ListCell   *tc;

	list_sort(sorted, tenant_cmp);
	foreach(tc, sorted)
	{
		Datum		values[1];

		values[0] = CStringGetTextDatum(((TenantSpec *) lfirst(tc))->id);
		if (mt_execute_kept(lock_tenant_plan, values, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "locking tenant \"%s\" failed", ((TenantSpec *) lfirst(tc))->id);
	}
	foreach(tc, ld->tenants)
	{
		TenantSpec *tenant = lfirst(tc);
		ListCell   *rc;

		foreach(rc, tenant->realms)
			plan_realm(ld, tenant, lfirst(rc), overwrite);
	}
	foreach(tc, ld->tenants)
	{
		TenantSpec *tenant = lfirst(tc);
		ListCell   *rc;

		foreach(rc, tenant->realms)
		{
			RealmSpec  *realm = lfirst(rc);

			if (!dry_run && (strcmp(realm->action, "added") == 0 || strcmp(realm->action, "changed") == 0))
				apply_realm(tenant->id, realm);
			emit(store, desc, tenant->id, realm->name, realm->type, realm->action, realm->changes);
		}
	}
}

static void
plan_and_apply(Loader *ld, bool overwrite, bool dry_run, Tuplestorestate *store, TupleDesc desc)
{
	PG_TRY();
	{
		plan_and_apply_steps(ld, overwrite, dry_run, store, desc);
	}
	PG_CATCH();
	{
		cleanse_secrets(ld);
		PG_RE_THROW();
	}
	PG_END_TRY();
	cleanse_secrets(ld);
}

/*
 * load_realms(path, strategy, dry_run) RETURNS TABLE (tenant, realm, type,
 * action, changes): action is added, changed, unchanged, skipped (differs,
 * left as it is by skip_existing) or absent (a realm of the file source in
 * the database that the file no longer lists; never deleted).
 */
Datum
mt_load_realms(PG_FUNCTION_ARGS)
{
	Loader		ld;
	char	   *strategy;
	bool		overwrite;
	bool		dry_run;
	TupleDesc	desc;
	Tuplestorestate *store;
	ListCell   *tc;
	uint64		i;

	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for function multitenant.load_realms"),
				 errdetail("Only superusers load the realm file.")));
	ld.path = mt_required_text_arg(fcinfo, 0, "realm file path", MAXPGPATH);
	strategy = mt_text_arg(fcinfo, 1);
	if (strategy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("load_realms: strategy must not be null"),
				 errhint("Name it: skip_existing or overwrite.")));
	if (strcmp(strategy, "skip_existing") == 0)
		overwrite = false;
	else if (strcmp(strategy, "overwrite") == 0)
		overwrite = true;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("load_realms: unknown strategy \"%s\"", strategy),
				 errhint("The strategy is skip_existing or overwrite.")));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("load_realms: dry_run must not be null")));
	dry_run = PG_GETARG_BOOL(2);
	ld.tenants = NIL;

	store = mt_begin_materialized_srf(fcinfo, &desc);
	mt_spi_connect();
	prepare_plans();

	read_document(&ld);
	plan_and_apply(&ld, overwrite, dry_run, store, desc);

	if (mt_execute_kept(file_realms_plan, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading the realms of the file failed");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		char	   *tenant = SPI_getvalue(row, SPI_tuptable->tupdesc, 1);
		char	   *name = SPI_getvalue(row, SPI_tuptable->tupdesc, 2);
		bool		listed = false;

		foreach(tc, ld.tenants)
		{
			TenantSpec *t = lfirst(tc);
			ListCell   *rc;

			if (strcmp(t->id, tenant) != 0)
				continue;
			foreach(rc, t->realms)
				if (strcmp(((RealmSpec *) lfirst(rc))->name, name) == 0)
				listed = true;
		}
		if (!listed)
			emit(store, desc, tenant, name, SPI_getvalue(row, SPI_tuptable->tupdesc, 3), "absent", NIL);
	}
	SPI_finish();
	return (Datum) 0;
}

/*
 * resolve_realm(name, tenant_token): the enabled realm of that name in the
 * current tenant, or no row.
 */
Datum
mt_resolve_realm(PG_FUNCTION_ARGS)
{
	char	   *name = mt_required_text_arg(fcinfo, 0, "realm name", MT_IDENTIFIER_MAXLEN);
	char	   *tenant = mt_lookup_tenant(mt_text_arg(fcinfo, 1), "resolve_realm");
	static const MtLookupTable tables[] = {MT_T_TENANT_REALMS};
	bool		as_caller = mt_lookup_access("resolve_realm", tables, lengthof(tables));
	TupleDesc	desc;
	Tuplestorestate *store = mt_begin_materialized_srf(fcinfo, &desc);
	Datum		values[2];
	int			rc;

	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(name);
	mt_spi_connect();
	if (resolve_realm_plan == NULL)
	{
		Oid			types[2] = {TEXTOID, TEXTOID};

		resolve_realm_plan = mt_prepare_kept(
			"SELECT r FROM multitenant.tenant_realms AS r"
			" WHERE r.instance_id OPERATOR(pg_catalog.=) $1 AND r.name OPERATOR(pg_catalog.=) $2 AND r.enabled",
			2, types);
	}
	if (as_caller)
		rc = mt_execute_kept(resolve_realm_plan, values, NULL, true, 1);
	else
	{
		MT_AS_ROLE_BEGIN(mt_extension_owner());
		rc = mt_execute_kept(resolve_realm_plan, values, NULL, true, 1);
		MT_AS_ROLE_END();
	}
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "resolve_realm lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 1)
	{
		bool		isnull;
		HeapTupleHeader header = DatumGetHeapTupleHeader(SPI_getbinval(SPI_tuptable->vals[0],
																	   SPI_tuptable->tupdesc, 1, &isnull));
		HeapTupleData tuple;

		tuple.t_len = HeapTupleHeaderGetDatumLength(header);
		ItemPointerSetInvalid(&tuple.t_self);
		tuple.t_tableOid = InvalidOid;
		tuple.t_data = header;
		tuplestore_puttuple(store, &tuple);
	}
	SPI_finish();
	return (Datum) 0;
}
