/*
 * json.h - a small, strict JSON reader for the tests.
 *
 * It accepts exactly RFC 8259 JSON (strings must be valid UTF-8, escapes
 * well formed, surrogates paired, nothing after the value but white
 * space), so "parses" means "any conforming reader would take it".  The
 * tree it builds is enough to look fields up.
 */
#ifndef FL_TEST_JSON_H
#define FL_TEST_JSON_H

#include <stddef.h>

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
};

struct json {
	enum json_type type;
	char *key;    /* member name inside an object, else NULL */
	char *string; /* JSON_STRING: decoded, NUL-terminated (UTF-8) */
	double number;
	int boolean;
	struct json *child; /* first element / member */
	struct json *next;
};

/* Parse text[0..len); NULL on error with a message in err. */
struct json *json_parse(const char *text, size_t len, char *err, size_t errcap);
void json_free(struct json *j);

/* Member of an object (NULL when absent or j is not an object). */
const struct json *json_get(const struct json *j, const char *key);
/* Element i of an array, NULL when out of range. */
const struct json *json_at(const struct json *j, size_t i);
size_t json_count(const struct json *j);
/* Convenience: string member or NULL. */
const char *json_str(const struct json *j, const char *key);

#endif
