/*
 * test-json-reader.c - the tool's JSON reader (tools/json.c), which the
 * tests also check reports with, is strict: it takes what RFC 8259 allows
 * and nothing else, so that "the report parses" means any conforming
 * reader would take it.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "unit.h"

static struct json_value *parse(const char *text, const char **error)
{
	size_t end;

	return json_parse_document(text, strlen(text), &end, error);
}

/* Texts that are JSON, each with something the reader must not refuse. */
static const char *const valid[] = {
	"0",
	"-0",
	"-12.5e+3",
	"1E-2",
	"[]",
	"{}",
	" [1, true, false, null, \"\"] ",
	"{\"a\":{\"b\":[{}]}}",
	"\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"",
	"\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00e9 \\u20ac\"",
	"\"\\ud83d\\ude00\"",
	"\"\\u0000\"",
};

/* Texts that are not, with why. */
static const struct {
	const char *text, *why;
} invalid[] = {
	{"", "nothing"},
	{"01", "a leading zero"},
	{"-", "a sign alone"},
	{"+1", "a plus sign"},
	{".5", "no integer part"},
	{"1.", "no digits after the point"},
	{"1e", "no exponent digits"},
	{"1e+", "no exponent digits after the sign"},
	{"0x10", "hex"},
	{"[1,]", "a trailing comma"},
	{"{\"a\" 1}", "no colon"},
	{"{1:2}", "a key that is not a string"},
	{"[1] x", "more after the value"},
	{"\"abc", "an unterminated string"},
	{"\"a\nb\"", "a raw control byte"},
	{"\"\\x41\"", "an unknown escape"},
	{"\"\\u12\"", "a short \\u escape"},
	{"\"\\ud800\"", "a lone high surrogate"},
	{"\"\\ud800\\u0041\"", "a high surrogate and no low one"},
	{"\"\\udc00\"", "a lone low surrogate"},
	{"\"\x80\"", "a lone continuation byte"},
	{"\"\xc3\"", "a truncated sequence"},
	{"\"\xc0\xaf\"", "an overlong form"},
	{"\"\xe0\x80\x80\"", "an overlong three-byte form"},
	{"\"\xed\xa0\x80\"", "a surrogate in UTF-8"},
	{"\"\xf4\x90\x80\x80\"", "beyond U+10FFFF"},
	{"\"\xff\"", "a byte UTF-8 never has"},
	{"tru", "a cut literal"},
	{"nul", "a cut literal"},
};

START_TEST(takes_json)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		const char *error = NULL;
		struct json_value *v = parse(valid[i], &error);
		ck_assert_msg(v != NULL, "refused '%s': %s", valid[i],
			      error ? error : "?");
		json_free(v);
	}
}
END_TEST

START_TEST(refuses_what_is_not_json)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		const char *error = NULL;
		struct json_value *v = parse(invalid[i].text, &error);
		ck_assert_msg(v == NULL, "took %s: '%s'", invalid[i].why,
			      invalid[i].text);
		ck_assert_ptr_nonnull(error);
	}
}
END_TEST

START_TEST(decodes)
{
	const char *error;
	struct json_value *v =
		parse("{\"s\":\"a\\u00e9\\u20ac\\ud83d\\ude00\",\"n\":-2.5e1,"
		      "\"l\":[true,null]}",
		      &error);

	ck_assert_ptr_nonnull(v);
	/* \u00XX is the raw byte XX (the report format's convention for
	 * bytes that are not UTF-8); other escapes are UTF-8. */
	ck_assert_str_eq(json_string(json_get(v, "s")),
			 "a\xe9\xe2\x82\xac\xf0\x9f\x98\x80");
	ck_assert(json_number(json_get(v, "n")) == -25.0);
	ck_assert_uint_eq(json_count(json_get(v, "l")), 2);
	ck_assert_int_eq(json_at(json_get(v, "l"), 0)->type, JSON_TRUE);
	ck_assert_int_eq(json_at(json_get(v, "l"), 1)->type, JSON_NULL);
	ck_assert_ptr_null(json_at(json_get(v, "l"), 2));
	json_free(v);
}
END_TEST

int main(void)
{
	return UNIT_MAIN("json reader", 0, takes_json, refuses_what_is_not_json,
			 decodes);
}
