/*
 * json.c - a small, strict JSON reader for the tests (see json.h).
 */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const unsigned char *start, *p, *end;
	char *err;
	size_t errcap;
	int depth;
};

static int fail(struct parser *ps, const char *what)
{
	if (ps->err && ps->errcap && !ps->err[0])
		snprintf(ps->err, ps->errcap, "%s at byte %ld", what,
			 (long)(ps->p - ps->start));
	return -1;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static struct json *node(enum json_type t)
{
	struct json *j = calloc(1, sizeof(*j));
	if (!j)
		abort();
	j->type = t;
	return j;
}

/* Length of a valid UTF-8 sequence at p (strict), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t n, i;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int hex4(struct parser *ps, unsigned *out)
{
	unsigned v = 0;

	if (ps->end - ps->p < 4)
		return fail(ps, "short \\u escape");
	for (int i = 0; i < 4; i++) {
		unsigned char c = *ps->p++;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return fail(ps, "bad hex digit in \\u escape");
	}
	*out = v;
	return 0;
}

static void put_utf8(char **o, unsigned long cp)
{
	unsigned char *q = (unsigned char *)*o;
	if (cp < 0x80) {
		*q++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*q++ = (unsigned char)(0xc0 | cp >> 6);
		*q++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*q++ = (unsigned char)(0xe0 | cp >> 12);
		*q++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*q++ = (unsigned char)(0xf0 | cp >> 18);
		*q++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		*q++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	*o = (char *)q;
}

static int parse_string(struct parser *ps, char **out)
{
	/* Decoded text is never longer than the source. */
	char *buf, *o;

	if (ps->p >= ps->end || *ps->p != '"')
		return fail(ps, "expected string");
	ps->p++;
	buf = o = malloc((size_t)(ps->end - ps->p) + 1);
	if (!buf)
		abort();
	for (;;) {
		unsigned char c;
		if (ps->p >= ps->end) {
			free(buf);
			return fail(ps, "unterminated string");
		}
		c = *ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20) {
			free(buf);
			return fail(ps, "raw control character in string");
		}
		if (c == '\\') {
			unsigned cp, lo;
			ps->p++;
			if (ps->p >= ps->end) {
				free(buf);
				return fail(ps, "unterminated escape");
			}
			c = *ps->p++;
			switch (c) {
			case '"':
			case '\\':
			case '/':
				*o++ = (char)c;
				break;
			case 'b':
				*o++ = '\b';
				break;
			case 'f':
				*o++ = '\f';
				break;
			case 'n':
				*o++ = '\n';
				break;
			case 'r':
				*o++ = '\r';
				break;
			case 't':
				*o++ = '\t';
				break;
			case 'u':
				if (hex4(ps, &cp) != 0) {
					free(buf);
					return -1;
				}
				if (cp >= 0xdc00 && cp <= 0xdfff) {
					free(buf);
					return fail(ps, "lone low surrogate");
				}
				if (cp >= 0xd800 && cp <= 0xdbff) {
					if (ps->end - ps->p < 6 ||
					    ps->p[0] != '\\' ||
					    ps->p[1] != 'u') {
						free(buf);
						return fail(
							ps,
							"lone high surrogate");
					}
					ps->p += 2;
					if (hex4(ps, &lo) != 0 || lo < 0xdc00 ||
					    lo > 0xdfff) {
						free(buf);
						return fail(
							ps,
							"bad surrogate pair");
					}
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
				}
				put_utf8(&o, cp);
				break;
			default:
				free(buf);
				return fail(ps, "unknown escape");
			}
			continue;
		}
		{
			size_t n = utf8_len(ps->p, ps->end);
			if (n == 0) {
				free(buf);
				return fail(ps, "invalid UTF-8 in string");
			}
			memcpy(o, ps->p, n);
			o += n;
			ps->p += n;
		}
	}
	*o = '\0';
	*out = buf;
	return 0;
}

static int parse_value(struct parser *ps, struct json **out);

static int parse_number(struct parser *ps, struct json **out)
{
	const unsigned char *s = ps->p;
	char tmp[64];

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end)
		return fail(ps, "bad number");
	if (*ps->p == '0') {
		ps->p++;
	} else if (*ps->p >= '1' && *ps->p <= '9') {
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	} else {
		return fail(ps, "bad number");
	}
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return fail(ps, "bad fraction");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return fail(ps, "bad exponent");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if ((size_t)(ps->p - s) >= sizeof(tmp))
		return fail(ps, "number too long");
	memcpy(tmp, s, (size_t)(ps->p - s));
	tmp[ps->p - s] = '\0';
	*out = node(JSON_NUMBER);
	(*out)->number = strtod(tmp, NULL);
	return 0;
}

static int literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, "bad literal");
	ps->p += n;
	return 0;
}

static int parse_container(struct parser *ps, struct json **out, int object)
{
	struct json *j = node(object ? JSON_OBJECT : JSON_ARRAY);
	struct json **tail = &j->child;
	char close = object ? '}' : ']';

	*out = j;
	if (++ps->depth > 200)
		return fail(ps, "nesting too deep");
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		struct json *v;
		skip_ws(ps);
		if (object) {
			if (parse_string(ps, &key) != 0)
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				return fail(ps, "expected ':'");
			}
			ps->p++;
		}
		if (parse_value(ps, &v) != 0) {
			free(key);
			if (v)
				json_free(v);
			return -1;
		}
		v->key = key;
		*tail = v;
		tail = &v->next;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			ps->depth--;
			return 0;
		}
		return fail(ps, object ? "expected ',' or '}'"
				       : "expected ',' or ']'");
	}
}

static int parse_value(struct parser *ps, struct json **out)
{
	*out = NULL;
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end");
	switch (*ps->p) {
	case '{':
		return parse_container(ps, out, 1);
	case '[':
		return parse_container(ps, out, 0);
	case '"': {
		char *s;
		if (parse_string(ps, &s) != 0)
			return -1;
		*out = node(JSON_STRING);
		(*out)->string = s;
		return 0;
	}
	case 't':
		*out = node(JSON_BOOL);
		(*out)->boolean = 1;
		return literal(ps, "true");
	case 'f':
		*out = node(JSON_BOOL);
		return literal(ps, "false");
	case 'n':
		*out = node(JSON_NULL);
		return literal(ps, "null");
	default:
		return parse_number(ps, out);
	}
}

struct json *json_parse(const char *text, size_t len, char *err, size_t errcap)
{
	struct parser ps = {(const unsigned char *)text,
			    (const unsigned char *)text,
			    (const unsigned char *)text + len,
			    err,
			    errcap,
			    0};
	struct json *j;

	if (err && errcap)
		err[0] = '\0';
	if (parse_value(&ps, &j) != 0) {
		if (j)
			json_free(j);
		return NULL;
	}
	skip_ws(&ps);
	if (ps.p != ps.end) {
		fail(&ps, "trailing bytes after the value");
		json_free(j);
		return NULL;
	}
	return j;
}

void json_free(struct json *j)
{
	while (j) {
		struct json *next = j->next;
		json_free(j->child);
		free(j->key);
		free(j->string);
		free(j);
		j = next;
	}
}

const struct json *json_get(const struct json *j, const char *key)
{
	if (!j || j->type != JSON_OBJECT)
		return NULL;
	for (const struct json *c = j->child; c; c = c->next)
		if (strcmp(c->key, key) == 0)
			return c;
	return NULL;
}

const struct json *json_at(const struct json *j, size_t i)
{
	if (!j || j->type != JSON_ARRAY)
		return NULL;
	for (const struct json *c = j->child; c; c = c->next)
		if (i-- == 0)
			return c;
	return NULL;
}

size_t json_count(const struct json *j)
{
	size_t n = 0;
	if (!j || (j->type != JSON_ARRAY && j->type != JSON_OBJECT))
		return 0;
	for (const struct json *c = j->child; c; c = c->next)
		n++;
	return n;
}

const char *json_str(const struct json *j, const char *key)
{
	const struct json *v = json_get(j, key);
	return v && v->type == JSON_STRING ? v->string : NULL;
}
