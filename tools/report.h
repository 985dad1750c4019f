/*
 * report.h - a crash report as the faultline tool sees it, and the log
 * that carries it.
 *
 * The parser is tolerant: a log may hold any number of text and JSON
 * reports (doc/report-format.md) among other lines, with a per-report line
 * prefix (CI timestamps), interleaved with other output, cut off, or
 * garbage.  It records a problem per thing it cannot read and keeps what it
 * could.  It never trusts a count or a length from the input.
 */
#ifndef FL_TOOL_REPORT_H
#define FL_TOOL_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

enum report_format { REPORT_TEXT, REPORT_JSON };

/* One source location of a frame: the innermost one first, then, for code
 * inlined into its caller, one per call site ("inlined into"). */
struct location {
	char *function; /* demangled; NULL when unknown */
	char *file;	/* NULL when unknown */
	int line;	/* 0 when unknown */
	int column;	/* 0 when unknown */
};

struct frame {
	long index;
	uint64_t pc;
	/* The report's name for the frame's symbol: the raw ELF name, or a
	 * C++ name the library demangled; then mangled holds the raw name
	 * when the report says it (JSON).  NULL when unknown. */
	char *symbol;
	char *mangled;
	uint64_t symbol_offset;
	char *module; /* NULL when unknown */
	uint64_t offset;
	int has_offset;

	/* Where the frame sits in the log, for annotating it in place. */
	size_t line;		 /* text: line index of the frame line */
	struct json_value *node; /* JSON: the frame object */

	/* Filled by the symbolizer. */
	int symbolized;
	char *demangled; /* demangled symbol, when it differs from symbol */
	struct location *locations;
	size_t location_count;
	char *note; /* why nothing places the frame (PLT stub, ??), or NULL */
};

struct thread {
	long tid;
	char *name;
	int crashed;
	long declared_frames; /* text "backtrace (N frames)"; -1 unknown */
	size_t frames_omitted;
	size_t omitted_at; /* the gap comes before frames[omitted_at] */
	struct frame *frames;
	size_t frame_count;
	/* Why the unwinder stopped early: "step_limit", "time_limit", or
	 * NULL (walked to the end, or an older report). */
	char *walk_cut;
};

struct module {
	char *path;
	uint64_t base;
	uint64_t bias;
	char *build_id; /* lower-case hex, NULL when unknown */
};

struct reg {
	char *name;
	uint64_t value;
};

struct report {
	enum report_format format;
	char *version;

	int signo;
	char *signal_name;
	long code;
	char *code_name;
	char *signal_rest; /* text of the signal line after "code ... (C)" */
	int has_sender;
	long sender_pid, sender_uid;
	int has_address;
	uint64_t address;
	char *access;
	char *cause;
	long pid;
	char *executable;
	/* SIGSYS from seccomp: the refused system call and its AUDIT_ARCH. */
	int has_syscall;
	long syscall_nr;
	uint64_t syscall_arch;
	/* Context (absent from reports before 0.2: NULL, -1). */
	char *command_line;
	int command_line_cut;
	/* An uncaught C++ exception: its what() (text "what:" line, JSON
	 * exception.what), and JSON's exception.mangled; NULL unknown. */
	char *exception_what;
	char *exception_mangled;
	char *time;	     /* ISO 8601 UTC */
	long long uptime_ms; /* -1 unknown */

	struct thread *threads;
	size_t thread_count;
	struct reg *registers;
	size_t register_count;
	int has_registers;
	struct module *modules;
	size_t module_count;
	int has_modules;
	char **memory_map;
	size_t memory_map_count;
	/* Crash annotations: key, value, key, value... (2 * count). */
	char **annotations;
	size_t annotation_count;

	int complete;	   /* the closing line was seen (JSON: parsed) */
	size_t first_line; /* line indices in the log, inclusive */
	size_t last_line;
	char *prefix;	  /* log prefix before "====" (text) or "{" (JSON) */
	size_t stamp_len; /* text: the CI timestamp that starts prefix */
	struct json_value *json; /* JSON reports: the document */
};

struct log_line {
	const char *text; /* not NUL-terminated; no '\n' */
	size_t len;
	struct report *report; /* the report the line belongs to, or NULL */
	struct frame *frame;   /* when it is a frame line */
	int is_json;	       /* the line holds a whole JSON report */
};

struct problem {
	size_t line; /* 1-based, 0 for none */
	char *message;
};

struct log {
	struct log_line *lines;
	size_t line_count;
	struct report **reports;
	size_t report_count;
	struct problem *problems;
	size_t problem_count;
};

/* Split data (which must stay alive as long as the log) into lines and read
 * every report in it.  Returns 0, or -1 when out of memory (the log then
 * holds what was read). */
int log_parse(struct log *log, const char *data, size_t size);
void log_free(struct log *log);

/* Record a problem (printf-like); line is 1-based or 0. */
void log_problem(struct log *log, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Build the JSON document of a report read from text (setting every
 * frame's node).  NULL when out of memory. */
struct json_value *report_to_json(struct report *report);

struct source_cache;

/* How text output shows what the symbolizer found; NULL: plain. */
struct text_style {
	int color;	    /* colour escapes (color.h) */
	int source_context; /* source lines around each location; < 0: none */
	struct source_cache *sources;
};

/* Write a report in the text format of doc/report-format.md, every line
 * starting with prefix, symbolized frames followed by their locations. */
void report_write_text(FILE *out, const struct report *report,
		       const char *prefix, const struct text_style *style);
/* The location lines written after a symbolized text frame line (with
 * source excerpts when style asks for them). */
void frame_write_locations(FILE *out, const struct frame *frame,
			   const char *prefix, const struct text_style *style);
/* Add the symbolizer's results to every frame's JSON node. */
void report_annotate_json(struct report *report);

#endif
