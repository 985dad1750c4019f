/*
 * json.h - a small JSON document tree for the faultline tool, and the
 * strict reader the tests check reports with.
 *
 * The tool rewrites JSON reports by adding members to frame objects; it
 * keeps every member it does not know (the report format asks readers to
 * ignore them, and a rewriter must not drop them).  Hence a tree, not a
 * streaming reader.  Strings carry their length: "\u0000" is legal JSON.
 */
#ifndef FL_TOOL_JSON_H
#define FL_TOOL_JSON_H

#include <stddef.h>
#include <stdio.h>

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER, /* text kept verbatim in str */
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
};

struct json_member;

struct json_value {
	enum json_type type;
	char *str; /* NUL-terminated copy; may also hold NULs inside */
	size_t len;
	size_t count; /* array items or object members */
	size_t capacity;
	struct json_value **items;   /* JSON_ARRAY */
	struct json_member *members; /* JSON_OBJECT */
};

struct json_member {
	char *key;
	struct json_value *value;
};

/* Parse one JSON value from text[0..len).  On success returns the tree and
 * sets *end to the first byte after the value; on failure returns NULL and
 * sets *error to a static description and *end to where it went wrong.
 * Nesting deeper than JSON_MAX_DEPTH is an error (no stack exhaustion on
 * hostile input).
 *
 * Strict: it takes only RFC 8259 JSON (strings of valid UTF-8 by
 * lib/utf8.c, surrogates in pairs, numbers as the grammar has them), so
 * that "parses" means any conforming reader would take it.  The one
 * liberty is in decoding: \u0080 to \u00ff give the raw byte, as the
 * report format writes bytes that are not UTF-8. */
#define JSON_MAX_DEPTH 64
struct json_value *json_parse(const char *text, size_t len, size_t *end,
			      const char **error);
/* The same for a whole document: nothing but white space may follow the
 * value. */
struct json_value *json_parse_document(const char *text, size_t len,
				       size_t *end, const char **error);
void json_free(struct json_value *value);

/* Object member by key, or NULL. */
struct json_value *json_get(const struct json_value *object, const char *key);
/* String contents or NULL when value is not a string. */
const char *json_string(const struct json_value *value);
/* Array item i, or NULL when value is not an array or has no item i. */
struct json_value *json_at(const struct json_value *array, size_t i);
/* Items of an array, members of an object; 0 for any other value. */
size_t json_count(const struct json_value *value);
/* A number's value; 0 when value is not a number. */
double json_number(const struct json_value *value);

struct json_value *json_new(enum json_type type);
struct json_value *json_new_string(const char *s);
struct json_value *json_new_number(long long n);
/* Append to an array / set a member of an object (replaces a same key).
 * Return 0, or -1 when out of memory. */
int json_append(struct json_value *array, struct json_value *item);
int json_set(struct json_value *object, const char *key,
	     struct json_value *value);

/* Write value as one-line JSON.  Bytes that are not valid UTF-8 are written
 * as \u00XX, the convention of doc/report-format.md. */
void json_write(FILE *out, const struct json_value *value);
/* Write s[0..len) as a JSON string literal, quotes included. */
void json_write_string(FILE *out, const char *s, size_t len);

#endif
