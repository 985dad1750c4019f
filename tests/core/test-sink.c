/*
 * test-sink.c - the sink: async-signal-safe number and string formatting,
 * buffering, truncation of memory sinks, and the JSON and text escaping
 * of arbitrary bytes.
 */
#include "unit.h"
#include "json.h"
#include "sink.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char mem[65536];
static struct fl_sink s;

static void reset(void)
{
	fl_sink_init_memory(&s, mem, sizeof(mem));
}

START_TEST(decimal)
{
	reset();
	fl_sink_dec(&s, 0);
	fl_sink_char(&s, ' ');
	fl_sink_dec(&s, -1);
	fl_sink_char(&s, ' ');
	fl_sink_dec(&s, 4242);
	fl_sink_char(&s, ' ');
	fl_sink_dec(&s, LLONG_MAX);
	fl_sink_char(&s, ' ');
	fl_sink_dec(&s, LLONG_MIN);
	fl_sink_char(&s, ' ');
	fl_sink_udec(&s, ULLONG_MAX);
	ck_assert_str_eq(mem, "0 -1 4242 9223372036854775807 "
			      "-9223372036854775808 18446744073709551615");
}
END_TEST

START_TEST(hexadecimal)
{
	reset();
	fl_sink_hex(&s, 0, 1);
	fl_sink_char(&s, ' ');
	fl_sink_hex(&s, 0xdeadbeef, 1);
	fl_sink_char(&s, ' ');
	fl_sink_hex(&s, 0x1f, 16);
	fl_sink_char(&s, ' ');
	fl_sink_hex(&s, ULLONG_MAX, 8);
	fl_sink_char(&s, ' ');
	fl_sink_hex(&s, 0xabc, 0);
	fl_sink_char(&s, ' ');
	fl_sink_hex(&s, 0x5, 40); /* padding is capped at 16 digits */
	ck_assert_str_eq(mem, "0x0 0xdeadbeef 0x000000000000001f "
			      "0xffffffffffffffff 0xabc 0x0000000000000005");
}
END_TEST

START_TEST(hex_bytes_and_strings)
{
	static const unsigned char id[] = {0x00, 0x01, 0xab, 0xff};

	reset();
	fl_sink_hexbytes(&s, id, sizeof(id));
	fl_sink_char(&s, '|');
	fl_sink_str(&s, NULL);
	fl_sink_char(&s, '|');
	fl_sink_str(&s, "");
	fl_sink_str(&s, "abc");
	fl_sink_pad(&s, 3, 7);
	fl_sink_char(&s, '|');
	fl_sink_pad(&s, 9, 7); /* already past the column: nothing */
	fl_sink_char(&s, '|');
	ck_assert_str_eq(mem, "0001abff|(null)|abc    ||");
}
END_TEST

START_TEST(memory_truncates)
{
	char small[8];

	fl_sink_init_memory(&s, small, sizeof(small));
	fl_sink_str(&s, "0123456789");
	ck_assert_str_eq(small, "0123456");
	ck_assert_uint_eq(s.dropped, 3);
	fl_sink_dec(&s, 12);
	ck_assert_str_eq(small, "0123456");
	ck_assert_uint_eq(s.dropped, 5);
}
END_TEST

/* Through the buffer to a real file: nothing lost or reordered across
 * buffer boundaries. */
START_TEST(buffered_file)
{
	FILE *f = tmpfile();
	char *want = malloc(3 * FL_SINK_BUFFER + 7), *got;
	size_t n = 0;

	ck_assert_ptr_nonnull(f);
	fl_sink_init(&s, fileno(f));
	for (int i = 0; n < 3 * FL_SINK_BUFFER; i++) {
		char piece[32];
		int len = snprintf(piece, sizeof(piece), "%d,", i);
		fl_sink_dec(&s, i);
		fl_sink_char(&s, ',');
		memcpy(want + n, piece, (size_t)len);
		n += (size_t)len;
	}
	fl_sink_flush(&s);
	ck_assert_int_eq(s.error, 0);
	got = malloc(n + 1);
	ck_assert_int_eq(pread(fileno(f), got, n + 1, 0), (ssize_t)n);
	ck_assert_int_eq(memcmp(got, want, n), 0);
	free(got);
	free(want);
	fclose(f);
}
END_TEST

START_TEST(write_error_remembered)
{
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	fl_sink_init(&s, fds[1]);
	fl_sink_str(&s, "nobody reads this");
	fl_sink_flush(&s);
	ck_assert_int_ne(s.error, 0);
	fl_sink_str(&s, "more");
	fl_sink_flush(&s); /* no crash, no hang */
	close(fds[1]);
}
END_TEST

static const char *json_of(const char *str)
{
	reset();
	fl_sink_json_str(&s, str);
	return mem;
}

/* Parse a JSON string literal; its decoded value or NULL when invalid. */
static char *decode(const char *lit)
{
	static char out[65536];
	const char *error;
	size_t end;
	struct json_value *j =
		json_parse_document(lit, strlen(lit), &end, &error);

	if (!j)
		return NULL;
	ck_assert_int_eq(j->type, JSON_STRING);
	snprintf(out, sizeof(out), "%s", j->str);
	json_free(j);
	return out;
}

/* Each string in[i] escaped by render must read out[i]. */
struct escape {
	const char *in, *out;
};

static void check_escapes(const char *(*render)(const char *),
			  const struct escape *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(render(e[i].in), e[i].out);
}

START_TEST(json_escaping)
{
	static const struct escape json[] = {
		{"plain", "\"plain\""},
		{"a\"b\\c", "\"a\\\"b\\\\c\""},
		{"\n\t", "\"\\n\\t\""},
		{"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
		{"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		 "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""},
		/* Not UTF-8: lone continuation, truncated sequence, overlong,
		 * a surrogate, beyond U+10FFFF, 0xff. */
		{"\x80", "\"\\u0080\""},
		{"\xc3", "\"\\u00c3\""},
		{"\xc0\xaf", "\"\\u00c0\\u00af\""},
		{"\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\""},
		{"\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\""},
		{"\xff", "\"\\u00ff\""},
		{NULL, "\"\""},
	};

	check_escapes(json_of, json, sizeof(json) / sizeof(json[0]));
}
END_TEST

/* Up to 39 random non-NUL bytes into str[64]; high: prefer bytes >=
 * 0x80 (UTF-8 lead and continuation bytes). */
static void random_string(char *str, unsigned *seed, int high)
{
	size_t len = (size_t)(rand_r(seed) % 40);

	for (size_t i = 0; i < len; i++) {
		int c;
		do
			c = rand_r(seed) & 0xff;
		while (c == 0);
		if (high && c > 0x20 && c < 0x80)
			c |= 0x80;
		str[i] = (char)c;
	}
	str[len] = '\0';
}

/* Any byte string gives a literal that a strict reader accepts, and
 * whose value keeps every valid character. */
START_TEST(json_any_bytes)
{
	unsigned seed = 12345;
	char str[64];

	for (int round = 0; round < 4000; round++) {
		const char *lit;
		/* Every third string leans to bytes >= 0x80. */
		random_string(str, &seed, round % 3 == 0);
		lit = json_of(str);
		ck_assert_msg(decode(lit) != NULL,
			      "invalid JSON for round %d: %s", round, lit);
	}
	/* Printable ASCII survives unchanged. */
	ck_assert_str_eq(decode(json_of("/usr/lib/x.so")), "/usr/lib/x.so");
}
END_TEST

static const char *text_of(const char *str)
{
	reset();
	fl_sink_text_str(&s, str);
	return mem;
}

START_TEST(text_escaping)
{
	static const struct escape text[] = {
		{"plain /path", "plain /path"},
		{"a\\b", "a\\\\b"},
		{"a\nb\tc\x01\x7f", "a\\x0ab\\x09c\\x01\\x7f"},
		{"caf\xc3\xa9", "caf\xc3\xa9"},
		{"\xff\xc3(\xed\xa0\x80", "\\xff\\xc3(\\xed\\xa0\\x80"},
		{"\"quoted\"", "\"quoted\""},
	};

	check_escapes(text_of, text, sizeof(text) / sizeof(text[0]));
}
END_TEST

/* Text escaping never lets a control byte or invalid UTF-8 through. */
START_TEST(text_any_bytes)
{
	unsigned seed = 777;
	char str[64];

	for (int round = 0; round < 4000; round++) {
		const unsigned char *p;
		int control = 0, invalid;
		random_string(str, &seed, 0);
		/* One assertion a round: each one is a message to Check's
		 * parent process, slow under an emulator. */
		for (p = (const unsigned char *)text_of(str); *p; p++)
			control |= *p < 0x20 || *p == 0x7f;
		/* A JSON literal of the text output must be free of \u00XX
		 * escapes: the output is valid UTF-8. */
		invalid = strstr(json_of(text_of(str)), "\\u00") != NULL;
		ck_assert_msg(!control && !invalid,
			      "round %d: control byte or invalid UTF-8 in '%s'",
			      round, text_of(str));
	}
}
END_TEST

START_TEST(string_helpers)
{
	char buf[5];

	ck_assert_uint_eq(fl_strlen(""), 0);
	ck_assert_uint_eq(fl_strlen("abc"), 3);
	ck_assert_uint_eq(fl_strlcpy(buf, "abcdefgh", sizeof(buf)), 8);
	ck_assert_str_eq(buf, "abcd");
	ck_assert_int_ne(fl_streq("abc", "abc"), 0);
	ck_assert_int_eq(fl_streq("abc", "abd"), 0);
	ck_assert_int_eq(fl_streq("abc", "ab"), 0);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("sink");

	UNIT_CASE(suite, "format", 0, decimal, hexadecimal,
		  hex_bytes_and_strings, memory_truncates, buffered_file,
		  write_error_remembered, string_helpers);
	UNIT_CASE(suite, "escape", 60, json_escaping, json_any_bytes,
		  text_escaping, text_any_bytes);
	return unit_run(suite, CK_FORK_GETENV);
}
