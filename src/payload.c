/*-------------------------------------------------------------------------
 *
 * payload.c
 *	  Typed reads of event payload keys for reducer expressions.
 *
 * A key that is absent or JSON null reads as SQL NULL; a key of another JSON
 * type than the accessor expects is an error (22023), so that a malformed
 * event fails its push instead of projecting a silently coerced value.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/base64.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(mt_payload_text);
PG_FUNCTION_INFO_V1(mt_payload_bool);
PG_FUNCTION_INFO_V1(mt_payload_bigint);
PG_FUNCTION_INFO_V1(mt_payload_smallint);
PG_FUNCTION_INFO_V1(mt_payload_text_array);
PG_FUNCTION_INFO_V1(mt_payload_smallint_array);
PG_FUNCTION_INFO_V1(mt_payload_bytea);
PG_FUNCTION_INFO_V1(mt_payload_timestamptz);

static const char *
json_type_name(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "string";
		case jbvNumeric:
			return "number";
		case jbvBool:
			return "boolean";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ? "array" : "object";
		default:
			return "unknown";
	}
}

static void
wrong_type(const char *key, const char *expected, const JsonbValue *v)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("payload key \"%s\" must be a JSON %s, not %s",
					key, expected, json_type_name(v))));
}

/*
 * Looks up key in the payload object; false when absent or JSON null.
 */
static bool
payload_lookup(FunctionCallInfo fcinfo, char **key_out, JsonbValue *value)
{
	Jsonb	   *payload = PG_GETARG_JSONB_P(0);
	text	   *key = PG_GETARG_TEXT_PP(1);
	char	   *key_str = text_to_cstring(key);

	*key_out = key_str;
	if (!JB_ROOT_IS_OBJECT(payload))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event payload must be a JSON object to read key \"%s\"", key_str)));
	if (getKeyJsonValueFromContainer(&payload->root, VARDATA_ANY(key),
									 VARSIZE_ANY_EXHDR(key), value) == NULL)
		return false;
	return value->type != jbvNull;
}

static int64
numeric_to_integer(const char *key, Numeric num)
{
	int64		result = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(num)));

	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(num),
										  DirectFunctionCall1(int8_numeric, Int64GetDatum(result)))) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("payload key \"%s\" must be an integer", key)));
	return result;
}

static int16
integer_to_smallint(const char *key, int64 value)
{
	if (value < PG_INT16_MIN || value > PG_INT16_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("payload key \"%s\" is out of range for type smallint", key)));
	return (int16) value;
}

Datum
mt_payload_text(PG_FUNCTION_ARGS)
{
	char	   *key;
	JsonbValue	v;

	if (!payload_lookup(fcinfo, &key, &v))
		PG_RETURN_NULL();
	if (v.type != jbvString)
		wrong_type(key, "string", &v);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(v.val.string.val, v.val.string.len));
}

Datum
mt_payload_bool(PG_FUNCTION_ARGS)
{
	char	   *key;
	JsonbValue	v;

	if (!payload_lookup(fcinfo, &key, &v))
		PG_RETURN_NULL();
	if (v.type != jbvBool)
		wrong_type(key, "boolean", &v);
	PG_RETURN_BOOL(v.val.boolean);
}

Datum
mt_payload_bigint(PG_FUNCTION_ARGS)
{
	char	   *key;
	JsonbValue	v;

	if (!payload_lookup(fcinfo, &key, &v))
		PG_RETURN_NULL();
	if (v.type != jbvNumeric)
		wrong_type(key, "number", &v);
	PG_RETURN_INT64(numeric_to_integer(key, v.val.numeric));
}

Datum
mt_payload_smallint(PG_FUNCTION_ARGS)
{
	char	   *key;
	JsonbValue	v;

	if (!payload_lookup(fcinfo, &key, &v))
		PG_RETURN_NULL();
	if (v.type != jbvNumeric)
		wrong_type(key, "number", &v);
	PG_RETURN_INT16(integer_to_smallint(key, numeric_to_integer(key, v.val.numeric)));
}

/*
 * Builds a one-dimensional array from a JSON array whose elements must all be
 * of one JSON type (strings for text[], numbers for smallint[]).
 */
static Datum
json_array_to_array(const char *key, JsonbValue *v, Oid elemtype)
{
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken tok;
	Datum	   *elems;
	int			n = 0;
	int			capacity;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		wrong_type(key, "array", v);

	capacity = Max(JsonContainerSize(v->val.binary.data), 1);
	elems = palloc(sizeof(Datum) * capacity);
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (elemtype == TEXTOID)
		{
			if (elem.type != jbvString)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("payload key \"%s\" must be an array of JSON strings, not of %s",
								key, json_type_name(&elem))));
			elems[n++] = PointerGetDatum(cstring_to_text_with_len(elem.val.string.val,
																  elem.val.string.len));
		}
		else
		{
			if (elem.type != jbvNumeric)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("payload key \"%s\" must be an array of JSON numbers, not of %s",
								key, json_type_name(&elem))));
			elems[n++] = Int16GetDatum(integer_to_smallint(key,
														   numeric_to_integer(key, elem.val.numeric)));
		}
	}
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_array(elems, n, elemtype, typlen, typbyval, typalign));
}

Datum
mt_payload_text_array(PG_FUNCTION_ARGS)
{
	char	   *key;
	JsonbValue	v;

	if (!payload_lookup(fcinfo, &key, &v))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(json_array_to_array(key, &v, TEXTOID));
}

Datum
mt_payload_smallint_array(PG_FUNCTION_ARGS)
{
	char	   *key;
	JsonbValue	v;

	if (!payload_lookup(fcinfo, &key, &v))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(json_array_to_array(key, &v, INT2OID));
}

/* Go marshals []byte as a standard base64 string. */
Datum
mt_payload_bytea(PG_FUNCTION_ARGS)
{
	char	   *key;
	JsonbValue	v;
	bytea	   *result;
	int			decoded;

	if (!payload_lookup(fcinfo, &key, &v))
		PG_RETURN_NULL();
	if (v.type != jbvString)
		wrong_type(key, "string", &v);
	result = palloc(VARHDRSZ + pg_b64_dec_len(v.val.string.len));
	decoded = pg_b64_decode(v.val.string.val, v.val.string.len,
							VARDATA(result), pg_b64_dec_len(v.val.string.len));
	if (decoded < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("payload key \"%s\" is not valid base64", key)));
	SET_VARSIZE(result, VARHDRSZ + decoded);
	PG_RETURN_BYTEA_P(result);
}

Datum
mt_payload_timestamptz(PG_FUNCTION_ARGS)
{
	char	   *key;
	JsonbValue	v;

	if (!payload_lookup(fcinfo, &key, &v))
		PG_RETURN_NULL();
	if (v.type != jbvString)
		wrong_type(key, "string", &v);
	PG_RETURN_DATUM(DirectFunctionCall3(timestamptz_in,
										CStringGetDatum(pnstrdup(v.val.string.val, v.val.string.len)),
										ObjectIdGetDatum(InvalidOid),
										Int32GetDatum(-1)));
}
