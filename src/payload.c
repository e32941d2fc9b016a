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
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
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
PG_FUNCTION_INFO_V1(mt_payload_utf8);
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

/*
 * The bytes a JSON string value holds in standard base64 (Go marshals []byte
 * so), in *len; the string must be valid base64.
 */
static char *
decode_base64(const char *key, const JsonbValue *v, int *len)
{
	char	   *bytes;

	if (v->type != jbvString)
		wrong_type(key, "string", v);
	bytes = palloc(pg_b64_dec_len(v->val.string.len) + 1);
	*len = pg_b64_decode(v->val.string.val, v->val.string.len,
						 bytes, pg_b64_dec_len(v->val.string.len));
	if (*len < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("payload key \"%s\" is not valid base64", key)));
	bytes[*len] = '\0';
	return bytes;
}

Datum
mt_payload_bytea(PG_FUNCTION_ARGS)
{
	char	   *key;
	JsonbValue	v;
	bytea	   *result;
	char	   *bytes;
	int			len;

	if (!payload_lookup(fcinfo, &key, &v))
		PG_RETURN_NULL();
	bytes = decode_base64(key, &v, &len);
	result = palloc(VARHDRSZ + len);
	memcpy(VARDATA(result), bytes, len);
	SET_VARSIZE(result, VARHDRSZ + len);
	PG_RETURN_BYTEA_P(result);
}

/*
 * Text that a payload carries as the base64 of its UTF-8 bytes (a legacy
 * CryptoValue's Crypted secret): the bytes must be valid UTF-8, and are
 * converted to the database encoding, with the errors and results of
 * convert_from(bytes, 'UTF8').  Unlike convert_from, which names its source
 * encoding at run time, this is immutable: the source is always UTF-8 and a
 * database's encoding never changes, so Citus accepts it where it refuses
 * stable functions (inside CASE or COALESCE of a modification).
 */
Datum
mt_payload_utf8(PG_FUNCTION_ARGS)
{
	char	   *key;
	JsonbValue	v;
	char	   *bytes;
	char	   *converted;
	int			len;

	if (!payload_lookup(fcinfo, &key, &v))
		PG_RETURN_NULL();
	bytes = decode_base64(key, &v, &len);
	(void) pg_verify_mbstr(PG_UTF8, bytes, len, false);
	converted = (char *) pg_do_encoding_conversion((unsigned char *) bytes, len,
												   PG_UTF8, GetDatabaseEncoding());
	if (converted != bytes)
		len = strlen(converted);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(converted, len));
}

/*
 * A point in time, read from the string alone so that a replay projects what
 * the push did in any session: a value without a UTC offset or zone name is
 * UTC (not the session's TimeZone), a day and month are read in the order
 * month/day whatever DateStyle says (PostgreSQL's default; ISO 8601 dates,
 * which Go writes, have one order only), and the words that mean the
 * current time ("now", "today", "tomorrow", "yesterday") are refused.  Zone
 * names and abbreviations are read as timestamptz input reads them.
 * Malformed and out-of-range values fail with timestamptz input's errors.
 */
Datum
mt_payload_timestamptz(PG_FUNCTION_ARGS)
{
	static pg_tz *utc = NULL;
	char	   *key;
	JsonbValue	v;
	char	   *str;
	char		workbuf[MAXDATELEN + MAXDATEFIELDS];
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	int			nf;
	int			dterr;
	int			dtype = 0;
	struct pg_tm tt;
	fsec_t		fsec = 0;
	int			tz = 0;
	TimestampTz result;
	int			i;

	if (!payload_lookup(fcinfo, &key, &v))
		PG_RETURN_NULL();
	if (v.type != jbvString)
		wrong_type(key, "string", &v);
	str = pnstrdup(v.val.string.val, v.val.string.len);

	if (utc == NULL)
	{
		utc = pg_tzset("UTC");
		if (utc == NULL)
			elog(ERROR, "could not load time zone \"UTC\"");
	}

	dterr = ParseDateTime(str, workbuf, sizeof(workbuf), field, ftype, MAXDATEFIELDS, &nf);
	if (dterr == 0)
	{
		pg_tz	   *session_zone = session_timezone;
		int			session_order = DateOrder;

		for (i = 0; i < nf; i++)
		{
			int			special;

			if ((ftype[i] == DTK_STRING || ftype[i] == DTK_SPECIAL) &&
				DecodeSpecial(i, field[i], &special) == RESERV &&
				(special == DTK_NOW || special == DTK_TODAY ||
				 special == DTK_TOMORROW || special == DTK_YESTERDAY))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_DATETIME_FORMAT),
						 errmsg("payload key \"%s\" must be a fixed point in time, not \"%s\"",
								key, str),
						 errdetail("A replay of the event must read the time the push read.")));
		}

		/* DecodeDateTime reads the zone and the order from these settings */
		session_timezone = utc;
		DateOrder = DATEORDER_MDY;
		PG_TRY();
		{
			dterr = DecodeDateTime(field, ftype, nf, &dtype, &tt, &fsec, &tz);
		}
		PG_FINALLY();
		{
			session_timezone = session_zone;
			DateOrder = session_order;
		}
		PG_END_TRY();
	}
	if (dterr != 0)
		DateTimeParseError(dterr, str, "timestamp with time zone");

	switch (dtype)
	{
		case DTK_DATE:
			if (tm2timestamp(&tt, fsec, &tz, &result) != 0)
				ereport(ERROR,
						(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
						 errmsg("timestamp out of range: \"%s\"", str)));
			break;
		case DTK_EPOCH:
			result = SetEpochTimestamp();
			break;
		case DTK_LATE:
			TIMESTAMP_NOEND(result);
			break;
		case DTK_EARLY:
			TIMESTAMP_NOBEGIN(result);
			break;
		default:
			elog(ERROR, "unexpected dtype %d while parsing timestamptz \"%s\"", dtype, str);
	}
	PG_RETURN_TIMESTAMPTZ(result);
}
