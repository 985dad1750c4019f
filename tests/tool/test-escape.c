/*
 * test-escape.c - the tool escapes strings exactly as the library does:
 * the same bytes go out as they are, the same become \xNN in text and
 * \u00XX in JSON, because both follow lib/utf8.c.  (The tool's text
 * writer had a laxer UTF-8 check of its own: `faultline symbolize` let
 * overlong forms and surrogates through that a report would escape.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"	  /* the tool's write_text_escaped */
#include "json.h" /* the tool's json_write_string */
#include "sink.h" /* the library's fl_sink_text_str, fl_sink_json_str */
#include "unit.h"

enum { CAP = 1024 };

static const char *by_library(const char *s, int json)
{
	static char out[CAP];
	struct fl_sink k;

	fl_sink_init_memory(&k, out, sizeof(out));
	if (json)
		fl_sink_json_str(&k, s);
	else
		fl_sink_text_str(&k, s);
	return out;
}

static const char *by_tool(const char *s, int json)
{
	static char out[CAP];
	FILE *f = fmemopen(out, sizeof(out), "w");
	long n;

	ck_assert_ptr_nonnull(f);
	if (json)
		json_write_string(f, s, strlen(s));
	else
		write_text_escaped(f, s);
	fflush(f);
	n = ftell(f);
	fclose(f);
	out[n >= 0 && n < CAP ? n : 0] = '\0';
	return out;
}

/* The library writes \n and \t in JSON, the tool \u000a and \u0009: the
 * same string, spelled two ways.  One spelling, to compare. */
static const char *json_spelling(const char *lit)
{
	static char out[2 * CAP];
	char *o = out;

	for (const char *p = lit; *p && o < out + sizeof(out) - 8; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		p++;
		if (*p == 'n' || *p == 't') {
			memcpy(o, *p == 'n' ? "\\u000a" : "\\u0009", 6);
			o += 6;
		} else {
			*o++ = '\\';
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

/* Bytes where UTF-8 has its edges: ASCII and what is escaped anyway,
 * continuation bytes at their limits, every kind of lead byte and the
 * leads of overlong forms, surrogates and code points past U+10FFFF. */
static const unsigned char edges[] = {
	0x01, 0x09, 0x0a, 0x1f, ' ',  '"',  '\\', 'a',	0x7f,
	0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2,
	0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
};
enum { EDGES = sizeof(edges) };

struct tally {
	long compared, differ;
	char first[64]; /* the first string that differs, in hex */
};

static void compare(const char *s, int json, struct tally *t)
{
	const char *lib = by_library(s, json), *tool = by_tool(s, json);

	t->compared++;
	if (json ? strcmp(json_spelling(lib), tool) == 0
		 : strcmp(lib, tool) == 0)
		return;
	if (t->differ++ == 0)
		for (size_t i = 0; s[i] && i < 16; i++)
			snprintf(t->first + 3 * i, 4, "%02x ",
				 (unsigned char)s[i]);
}

/* Every string of one to three edge bytes, and four-byte ones after each
 * four-byte lead. */
static void compare_edges(int json, struct tally *t)
{
	char s[5];

	for (int a = 0; a < EDGES; a++) {
		s[0] = (char)edges[a];
		s[1] = '\0';
		compare(s, json, t);
		for (int b = 0; b < EDGES; b++) {
			s[1] = (char)edges[b];
			s[2] = '\0';
			compare(s, json, t);
			for (int c = 0; c < EDGES; c++) {
				s[2] = (char)edges[c];
				s[3] = '\0';
				compare(s, json, t);
				if (edges[a] < 0xf0)
					continue;
				for (int d = 0; d < EDGES; d++) {
					s[3] = (char)edges[d];
					s[4] = '\0';
					compare(s, json, t);
				}
			}
		}
	}
}

static void assert_as_the_library(int json)
{
	struct tally t = {0};

	compare_edges(json, &t);
	ck_assert_msg(t.differ == 0, "%ld of %ld strings differ, first: %s",
		      t.differ, t.compared, t.first);
}

START_TEST(text_as_the_library)
{
	assert_as_the_library(0);
}
END_TEST

START_TEST(json_as_the_library)
{
	assert_as_the_library(1);
}
END_TEST

int main(void)
{
	return UNIT_MAIN("escape", 60, text_as_the_library, json_as_the_library);
}
