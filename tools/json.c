/*
 * json.c - recursive-descent JSON parser and writer (see json.h).
 */
#include "json.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

struct parser {
	const char *text;
	size_t len;
	size_t pos;
	const char *error;
};

static void skip_space(struct parser *p)
{
	while (p->pos < p->len &&
	       (p->text[p->pos] == ' ' || p->text[p->pos] == '\t' ||
		p->text[p->pos] == '\n' || p->text[p->pos] == '\r'))
		p->pos++;
}

static int fail(struct parser *p, const char *error)
{
	if (!p->error)
		p->error = error;
	return -1;
}

struct json_value *json_new(enum json_type type)
{
	struct json_value *value = calloc(1, sizeof(*value));
	if (value)
		value->type = type;
	return value;
}

void json_free(struct json_value *value)
{
	if (!value)
		return;
	free(value->str);
	for (size_t i = 0; value->type == JSON_ARRAY && i < value->count; i++)
		json_free(value->items[i]);
	for (size_t i = 0; value->type == JSON_OBJECT && i < value->count;
	     i++) {
		free(value->members[i].key);
		json_free(value->members[i].value);
	}
	free(value->items);
	free(value->members);
	free(value);
}

/* A growable byte buffer for string contents. */
struct bytes {
	char *data;
	size_t len, cap;
};

static int bytes_add(struct bytes *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *data = realloc(b->data, cap);
		if (!data)
			return -1;
		b->data = data;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static int hex4(struct parser *p, unsigned *out)
{
	unsigned v = 0;
	if (p->len - p->pos < 4)
		return fail(p, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = p->text[p->pos++];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return fail(p, "bad \\u escape");
	}
	*out = v;
	return 0;
}

static int add_utf8(struct bytes *b, unsigned cp)
{
	char buf[4];
	size_t n;
	if (cp < 0x80) {
		buf[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		buf[0] = (char)(0xc0 | (cp >> 6));
		buf[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		buf[0] = (char)(0xe0 | (cp >> 12));
		buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		buf[0] = (char)(0xf0 | (cp >> 18));
		buf[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		buf[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return bytes_add(b, buf, n);
}

/* The escape after a backslash, as the byte it stands for, or -1 for \u
 * and for what is not an escape. */
static int simple_escape(char e)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit = e ? strchr(from, e) : NULL;
	return hit ? to[hit - from] : -1;
}

/* The code point of a \u escape at p->pos (after the "\u"), a surrogate
 * pair taken together.  Strict, as RFC 8259 readers are: a surrogate
 * alone is an error. */
static int unicode_escape(struct parser *p, unsigned *cp)
{
	unsigned low;

	if (hex4(p, cp) < 0)
		return -1;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return fail(p, "lone low surrogate");
	if (*cp < 0xd800 || *cp > 0xdbff)
		return 0;
	if (p->len - p->pos < 6 || p->text[p->pos] != '\\' ||
	    p->text[p->pos + 1] != 'u')
		return fail(p, "lone high surrogate");
	p->pos += 2;
	if (hex4(p, &low) < 0)
		return -1;
	if (low < 0xdc00 || low > 0xdfff)
		return fail(p, "bad surrogate pair");
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (low - 0xdc00);
	return 0;
}

/* Bytes up to the next quote, backslash or control byte, which must be
 * valid UTF-8 (lib/utf8.c: the rule the library writes by). */
static int plain_bytes(struct parser *p, struct bytes *b)
{
	size_t start = p->pos;

	while (p->pos < p->len) {
		unsigned char c = (unsigned char)p->text[p->pos];
		size_t n;
		if (c == '"' || c == '\\' || c < 0x20)
			break;
		n = fl_utf8_len((const unsigned char *)p->text + p->pos,
				p->len - p->pos);
		if (n == 0)
			return fail(p, "invalid UTF-8 in string");
		p->pos += n;
	}
	if (bytes_add(b, p->text + start, p->pos - start) < 0)
		return fail(p, "out of memory");
	return 0;
}

/* Parses a string literal at p->pos (which is at the opening quote). */
static int parse_string(struct parser *p, char **out, size_t *out_len)
{
	struct bytes b = {0};
	p->pos++; /* opening quote */
	if (bytes_add(&b, "", 0) < 0) {
		fail(p, "out of memory");
		goto error;
	}
	for (;;) {
		if (p->pos >= p->len) {
			fail(p, "unterminated string");
			goto error;
		}
		unsigned char c = (unsigned char)p->text[p->pos];
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c < 0x20) {
			fail(p, "control character in string");
			goto error;
		}
		if (c != '\\') {
			if (plain_bytes(p, &b) < 0)
				goto error;
			continue;
		}
		p->pos++;
		if (p->pos >= p->len) {
			fail(p, "unterminated string");
			goto error;
		}
		char e = p->text[p->pos++];
		int simple = simple_escape(e);
		if (simple >= 0) {
			char byte = (char)simple;
			if (bytes_add(&b, &byte, 1) < 0)
				goto oom;
			continue;
		}
		if (e != 'u') {
			fail(p, "bad escape in string");
			goto error;
		}
		unsigned cp;
		if (unicode_escape(p, &cp) < 0)
			goto error;
		if (cp >= 0x80 && cp <= 0xff) {
			/* The report format writes bytes that are not valid
			 * UTF-8 as \u00XX: they stand for the raw byte (a file
			 * name must round-trip to open the file). */
			char raw = (char)cp;
			if (bytes_add(&b, &raw, 1) < 0)
				goto oom;
			continue;
		}
		if (add_utf8(&b, cp) < 0)
			goto oom;
	}
	*out = b.data;
	*out_len = b.len;
	return 0;
oom:
	fail(p, "out of memory");
error:
	free(b.data);
	return -1;
}

static struct json_value *parse_value(struct parser *p, int depth);

static int grow(struct json_value *v, size_t size)
{
	if (v->count < v->capacity)
		return 0;
	size_t cap = v->capacity ? v->capacity * 2 : 8;
	void *mem = realloc(v->type == JSON_ARRAY ? (void *)v->items
						  : (void *)v->members,
			    cap * size);
	if (!mem)
		return -1;
	if (v->type == JSON_ARRAY)
		v->items = mem;
	else
		v->members = mem;
	v->capacity = cap;
	return 0;
}

int json_append(struct json_value *array, struct json_value *item)
{
	if (grow(array, sizeof(*array->items)) < 0)
		return -1;
	array->items[array->count++] = item;
	return 0;
}

int json_set(struct json_value *object, const char *key,
	     struct json_value *value)
{
	for (size_t i = 0; i < object->count; i++) {
		if (strcmp(object->members[i].key, key) == 0) {
			json_free(object->members[i].value);
			object->members[i].value = value;
			return 0;
		}
	}
	char *copy = strdup(key);
	if (!copy || grow(object, sizeof(*object->members)) < 0) {
		free(copy);
		return -1;
	}
	object->members[object->count].key = copy;
	object->members[object->count].value = value;
	object->count++;
	return 0;
}

static struct json_value *parse_container(struct parser *p, int depth)
{
	int is_object = p->text[p->pos] == '{';
	struct json_value *v = json_new(is_object ? JSON_OBJECT : JSON_ARRAY);
	if (!v) {
		fail(p, "out of memory");
		return NULL;
	}
	p->pos++;
	skip_space(p);
	if (p->pos < p->len && p->text[p->pos] == (is_object ? '}' : ']')) {
		p->pos++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		size_t key_len;
		skip_space(p);
		if (is_object) {
			if (p->pos >= p->len || p->text[p->pos] != '"') {
				fail(p, "expected a member name");
				goto error;
			}
			if (parse_string(p, &key, &key_len) < 0)
				goto error;
			skip_space(p);
			if (p->pos >= p->len || p->text[p->pos] != ':') {
				free(key);
				fail(p, "expected ':'");
				goto error;
			}
			p->pos++;
		}
		struct json_value *item = parse_value(p, depth + 1);
		if (!item) {
			free(key);
			goto error;
		}
		if (grow(v, is_object ? sizeof(*v->members)
				      : sizeof(*v->items)) < 0) {
			free(key);
			json_free(item);
			fail(p, "out of memory");
			goto error;
		}
		if (is_object) {
			v->members[v->count].key = key;
			v->members[v->count].value = item;
		} else {
			v->items[v->count] = item;
		}
		v->count++;
		skip_space(p);
		if (p->pos >= p->len) {
			fail(p, is_object ? "unterminated object"
					  : "unterminated array");
			goto error;
		}
		char c = p->text[p->pos++];
		if (c == ',')
			continue;
		if (c == (is_object ? '}' : ']'))
			return v;
		p->pos--;
		fail(p,
		     is_object ? "expected ',' or '}'" : "expected ',' or ']'");
		goto error;
	}
error:
	json_free(v);
	return NULL;
}

/* Skips decimal digits; how many there were. */
static size_t skip_digits(struct parser *p)
{
	size_t start = p->pos;
	while (p->pos < p->len && p->text[p->pos] >= '0' &&
	       p->text[p->pos] <= '9')
		p->pos++;
	return p->pos - start;
}

static int next_is(const struct parser *p, const char *set)
{
	return p->pos < p->len && p->text[p->pos] &&
	       strchr(set, p->text[p->pos]) != NULL;
}

/* RFC 8259's number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static struct json_value *parse_number(struct parser *p)
{
	size_t start = p->pos;
	if (next_is(p, "-"))
		p->pos++;
	if (next_is(p, "0")) {
		p->pos++;
	} else if (!next_is(p, "123456789") || skip_digits(p) == 0) {
		fail(p, "unexpected character");
		return NULL;
	}
	if (next_is(p, ".")) {
		p->pos++;
		if (skip_digits(p) == 0) {
			fail(p, "no digits after the decimal point");
			return NULL;
		}
	}
	if (next_is(p, "eE")) {
		p->pos++;
		if (next_is(p, "+-"))
			p->pos++;
		if (skip_digits(p) == 0) {
			fail(p, "no digits in the exponent");
			return NULL;
		}
	}
	struct json_value *v = json_new(JSON_NUMBER);
	if (v) {
		v->len = p->pos - start;
		/* Not strndup: mingw-w64 has none, and the reader is built
		 * for the Windows tests too. */
		v->str = malloc(v->len + 1);
		if (v->str) {
			memcpy(v->str, p->text + start, v->len);
			v->str[v->len] = '\0';
		}
	}
	if (!v || !v->str) {
		json_free(v);
		fail(p, "out of memory");
		return NULL;
	}
	return v;
}

static struct json_value *parse_literal(struct parser *p, const char *word,
					enum json_type type)
{
	size_t n = strlen(word);
	if (p->len - p->pos < n || memcmp(p->text + p->pos, word, n) != 0) {
		fail(p, "unexpected character");
		return NULL;
	}
	p->pos += n;
	struct json_value *v = json_new(type);
	if (!v)
		fail(p, "out of memory");
	return v;
}

static struct json_value *parse_value(struct parser *p, int depth)
{
	if (depth > JSON_MAX_DEPTH) {
		fail(p, "nested too deeply");
		return NULL;
	}
	skip_space(p);
	if (p->pos >= p->len) {
		fail(p, "unexpected end of input");
		return NULL;
	}
	switch (p->text[p->pos]) {
	case '{':
	case '[':
		return parse_container(p, depth);
	case '"': {
		struct json_value *v = json_new(JSON_STRING);
		if (!v) {
			fail(p, "out of memory");
			return NULL;
		}
		if (parse_string(p, &v->str, &v->len) < 0) {
			json_free(v);
			return NULL;
		}
		return v;
	}
	case 't':
		return parse_literal(p, "true", JSON_TRUE);
	case 'f':
		return parse_literal(p, "false", JSON_FALSE);
	case 'n':
		return parse_literal(p, "null", JSON_NULL);
	default:
		return parse_number(p);
	}
}

struct json_value *json_parse(const char *text, size_t len, size_t *end,
			      const char **error)
{
	struct parser p = {.text = text, .len = len};
	struct json_value *v = parse_value(&p, 0);
	*end = p.pos;
	*error = v ? NULL : p.error;
	return v;
}

struct json_value *json_parse_document(const char *text, size_t len,
				       size_t *end, const char **error)
{
	struct parser p = {.text = text, .len = len};
	struct json_value *v = parse_value(&p, 0);

	skip_space(&p);
	if (v && p.pos != len) {
		json_free(v);
		v = NULL;
		fail(&p, "more after the value");
	}
	*end = p.pos;
	*error = v ? NULL : p.error;
	return v;
}

struct json_value *json_get(const struct json_value *object, const char *key)
{
	if (!object || object->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < object->count; i++)
		if (strcmp(object->members[i].key, key) == 0)
			return object->members[i].value;
	return NULL;
}

const char *json_string(const struct json_value *value)
{
	return value && value->type == JSON_STRING ? value->str : NULL;
}

struct json_value *json_at(const struct json_value *array, size_t i)
{
	if (!array || array->type != JSON_ARRAY || i >= array->count)
		return NULL;
	return array->items[i];
}

size_t json_count(const struct json_value *value)
{
	if (!value || (value->type != JSON_ARRAY && value->type != JSON_OBJECT))
		return 0;
	return value->count;
}

double json_number(const struct json_value *value)
{
	return value && value->type == JSON_NUMBER ? strtod(value->str, NULL)
						   : 0;
}

/* A scalar whose text is s: a string's contents or a number's digits. */
static struct json_value *new_scalar(enum json_type type, const char *s)
{
	struct json_value *v = json_new(type);
	if (v) {
		v->str = strdup(s);
		v->len = strlen(s);
		if (!v->str) {
			free(v);
			v = NULL;
		}
	}
	return v;
}

struct json_value *json_new_string(const char *s)
{
	return new_scalar(JSON_STRING, s);
}

struct json_value *json_new_number(long long n)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", n);
	return new_scalar(JSON_NUMBER, buf);
}

void json_write_string(FILE *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	putc('"', out);
	for (size_t i = 0; i < len;) {
		unsigned char c = u[i];
		if (c == '"' || c == '\\') {
			putc('\\', out);
			putc(c, out);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
			i++;
		} else {
			size_t n = fl_utf8_len(u + i, len - i);
			if (n == 0) {
				fprintf(out, "\\u%04x", c);
				i++;
			} else {
				fwrite(u + i, 1, n, out);
				i += n;
			}
		}
	}
	putc('"', out);
}

void json_write(FILE *out, const struct json_value *value)
{
	switch (value->type) {
	case JSON_NULL:
		fputs("null", out);
		break;
	case JSON_FALSE:
		fputs("false", out);
		break;
	case JSON_TRUE:
		fputs("true", out);
		break;
	case JSON_NUMBER:
		fputs(value->str, out);
		break;
	case JSON_STRING:
		json_write_string(out, value->str, value->len);
		break;
	case JSON_ARRAY:
		putc('[', out);
		for (size_t i = 0; i < value->count; i++) {
			if (i)
				putc(',', out);
			json_write(out, value->items[i]);
		}
		putc(']', out);
		break;
	case JSON_OBJECT:
		putc('{', out);
		for (size_t i = 0; i < value->count; i++) {
			if (i)
				putc(',', out);
			json_write_string(out, value->members[i].key,
					  strlen(value->members[i].key));
			putc(':', out);
			json_write(out, value->members[i].value);
		}
		putc('}', out);
		break;
	}
}
