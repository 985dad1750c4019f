/*
 * sink.h - a small buffered writer with async-signal-safe formatting.
 *
 * No stdio, no snprintf: the fatal path formats numbers and strings itself
 * into a fixed buffer and hands it to the platform's raw write primitive.
 * Write errors are remembered, never raised: a report that cannot be written
 * must not stop the process from dying by its signal.  Everything here is
 * [fatal] (platform.h).
 */
#ifndef FL_SINK_H
#define FL_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "str.h"

#define FL_SINK_BUFFER 4096

struct fl_sink {
	fl_handle_t handle; /* FL_NO_HANDLE: format into buf only (memory) */
	char *buf;	    /* data, or mem for memory sinks */
	size_t cap;
	size_t len;
	size_t dropped;	 /* bytes a memory sink could not hold */
	int error;	 /* a write failed: 1, else 0 */
	const char *why; /* why the first failed write failed (static) */
	char storage[FL_SINK_BUFFER];
};

/* A sink writing to handle h through an internal buffer. */
void fl_sink_init(struct fl_sink *s, fl_handle_t h);
/* A sink formatting into mem (always NUL-terminated, truncates). */
void fl_sink_init_memory(struct fl_sink *s, char *mem, size_t cap);
void fl_sink_flush(struct fl_sink *s);

void fl_sink_write(struct fl_sink *s, const char *data, size_t len);
void fl_sink_str(struct fl_sink *s, const char *str); /* NULL -> "(null)" */
void fl_sink_char(struct fl_sink *s, char c);
void fl_sink_dec(struct fl_sink *s, long long value);
void fl_sink_udec(struct fl_sink *s, unsigned long long value);
/* "0x" followed by at least min_digits hex digits. */
void fl_sink_hex(struct fl_sink *s, unsigned long long value, int min_digits);
/* Bare lower-case hex bytes, for build-ids. */
void fl_sink_hexbytes(struct fl_sink *s, const unsigned char *b, size_t n);
/* Spaces until the current line is col characters long (text layout). */
void fl_sink_pad(struct fl_sink *s, size_t written, size_t col);

/* A JSON string literal with quotes; any byte sequence yields valid JSON
 * (invalid UTF-8 bytes become \u00XX escapes of their value). */
void fl_sink_json_str(struct fl_sink *s, const char *str);
/* A printable rendering for text reports: control bytes and invalid UTF-8
 * become \xNN. */
void fl_sink_text_str(struct fl_sink *s, const char *str);

#endif
