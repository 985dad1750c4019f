/*
 * sink.c - buffered, allocation-free output for the fatal path.
 *
 * Everything here is async-signal-safe: it touches only the caller's
 * struct and calls fl_platform_write() (the string helpers of str.c say
 * why not libc's).
 */
#include "sink.h"
#include "utf8.h"

void fl_sink_init(struct fl_sink *s, fl_handle_t h)
{
	s->handle = h;
	s->buf = s->storage;
	s->cap = sizeof(s->storage);
	s->len = 0;
	s->dropped = 0;
	s->error = 0;
	s->why = NULL;
}

void fl_sink_init_memory(struct fl_sink *s, char *mem, size_t cap)
{
	s->handle = FL_NO_HANDLE;
	s->buf = mem;
	s->cap = cap;
	s->len = 0;
	s->dropped = 0;
	s->error = 0;
	s->why = NULL;
	if (cap)
		mem[0] = '\0';
}

static int is_memory(const struct fl_sink *s)
{
	return s->buf != s->storage;
}

void fl_sink_flush(struct fl_sink *s)
{
	size_t off = 0;

	if (is_memory(s))
		return;
	while (off < s->len && !s->error) {
		long n = fl_platform_write(s->handle, s->buf + off,
					   s->len - off);
		if (n <= 0) {
			/* Remembered; the crash goes on. */
			s->error = 1;
			s->why = n < 0 ? fl_platform_write_error()
				       : "nothing was written";
		} else {
			off += (size_t)n;
		}
	}
	s->len = 0;
}

void fl_sink_write(struct fl_sink *s, const char *data, size_t len)
{
	if (is_memory(s)) {
		/* Keep one byte for the terminating NUL. */
		size_t room = s->cap ? s->cap - 1 - s->len : 0;
		size_t n = len < room ? len : room;
		fl_memcpy(s->buf + s->len, data, n);
		s->len += n;
		s->dropped += len - n;
		if (s->cap)
			s->buf[s->len] = '\0';
		return;
	}
	while (len) {
		size_t room = s->cap - s->len;
		size_t n = len < room ? len : room;
		fl_memcpy(s->buf + s->len, data, n);
		s->len += n;
		data += n;
		len -= n;
		if (s->len == s->cap)
			fl_sink_flush(s);
	}
}

void fl_sink_str(struct fl_sink *s, const char *str)
{
	if (!str)
		str = "(null)";
	fl_sink_write(s, str, fl_strlen(str));
}

void fl_sink_char(struct fl_sink *s, char c)
{
	fl_sink_write(s, &c, 1);
}

void fl_sink_udec(struct fl_sink *s, unsigned long long value)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	do {
		tmp[--i] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	fl_sink_write(s, tmp + i, sizeof(tmp) - i);
}

void fl_sink_dec(struct fl_sink *s, long long value)
{
	if (value < 0) {
		fl_sink_char(s, '-');
		/* Negate in unsigned arithmetic: LLONG_MIN has no positive. */
		fl_sink_udec(s, 0ULL - (unsigned long long)value);
		return;
	}
	fl_sink_udec(s, (unsigned long long)value);
}

static const char hexdigits[] = "0123456789abcdef";

void fl_sink_hex(struct fl_sink *s, unsigned long long value, int min_digits)
{
	char tmp[2 + 16];
	size_t i = sizeof(tmp);
	int digits = 0;

	/* 16 digits hold any 64-bit value; more padding would overrun tmp. */
	if (min_digits > 16)
		min_digits = 16;
	do {
		tmp[--i] = hexdigits[value & 0xf];
		value >>= 4;
		digits++;
	} while (value || digits < min_digits);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	fl_sink_write(s, tmp + i, sizeof(tmp) - i);
}

void fl_sink_hexbytes(struct fl_sink *s, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char pair[2] = {hexdigits[b[i] >> 4], hexdigits[b[i] & 0xf]};
		fl_sink_write(s, pair, 2);
	}
}

void fl_sink_pad(struct fl_sink *s, size_t written, size_t col)
{
	while (written++ < col)
		fl_sink_char(s, ' ');
}

/* The valid UTF-8 sequence at p, 0 if none: at most 4 bytes, and the
 * string's NUL ends the check before them. */
static size_t utf8_valid_len(const unsigned char *p)
{
	return fl_utf8_len(p, 4);
}

/* Length of the longest prefix of p that goes out as it is: valid UTF-8,
 * no control character, no backslash (and for JSON no quote).  Writing
 * it in one piece, not a character at a time, took the text renderer
 * from ~30 to ~4 instructions a byte. */
static size_t plain_run(const unsigned char *p, int json)
{
	const unsigned char *q = p;

	for (;;) {
		size_t n;

		if (*q >= 0x20 && *q < 0x7f) {
			if (*q == '\\' || (json && *q == '"'))
				break;
			q++;
			continue;
		}
		if (*q < 0x80 || (n = utf8_valid_len(q)) == 0)
			break;
		q += n;
	}
	return (size_t)(q - p);
}

static void escape_byte(struct fl_sink *s, const char *prefix, unsigned char c)
{
	char hex[2] = {hexdigits[c >> 4], hexdigits[c & 0xf]};
	fl_sink_str(s, prefix);
	fl_sink_write(s, hex, 2);
}

void fl_sink_json_str(struct fl_sink *s, const char *str)
{
	const unsigned char *p = (const unsigned char *)(str ? str : "");

	fl_sink_char(s, '"');
	while (*p) {
		size_t n = plain_run(p, 1);

		if (n) {
			fl_sink_write(s, (const char *)p, n);
			p += n;
			continue;
		}
		n = utf8_valid_len(p);
		if (n == 0) {
			/* Not UTF-8: keep the byte's value visible. */
			escape_byte(s, "\\u00", *p++);
		} else if (*p == '"' || *p == '\\') {
			fl_sink_char(s, '\\');
			fl_sink_char(s, (char)*p++);
		} else if (*p == '\n') {
			fl_sink_str(s, "\\n");
			p++;
		} else if (*p == '\t') {
			fl_sink_str(s, "\\t");
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			escape_byte(s, "\\u00", *p++);
		} else {
			fl_sink_write(s, (const char *)p, n);
			p += n;
		}
	}
	fl_sink_char(s, '"');
}

void fl_sink_text_str(struct fl_sink *s, const char *str)
{
	const unsigned char *p = (const unsigned char *)(str ? str : "");

	while (*p) {
		size_t n = plain_run(p, 0);

		if (n) {
			fl_sink_write(s, (const char *)p, n);
			p += n;
			continue;
		}
		n = utf8_valid_len(p);
		if (n == 0 || *p < 0x20 || *p == 0x7f) {
			escape_byte(s, "\\x", *p++);
		} else if (*p == '\\') {
			fl_sink_str(s, "\\\\");
			p++;
		} else {
			fl_sink_write(s, (const char *)p, n);
			p += n;
		}
	}
}
