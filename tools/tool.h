/*
 * tool.h - what the faultline tool's commands share.
 */
#ifndef FL_TOOL_TOOL_H
#define FL_TOOL_TOOL_H

#include <stddef.h>
#include <stdio.h>

#include "report.h"
#include "symbolize.h"

/* Exit statuses of "faultline symbolize" (documented in faultline(1)). */
enum {
	EXIT_SYMBOLIZED = 0, /* every report read and symbolized in full */
	EXIT_PARTIAL = 1,    /* output written, but with problems (stderr) */
	EXIT_USAGE = 2,	     /* bad usage, or the input could not be read */
	EXIT_NO_REPORT = 3   /* the input held no report (copied through) */
};

/* Exit statuses of "faultline run" itself, as env(1) and timeout(1). */
enum {
	EXIT_RUN_FAILED = 125,	/* faultline could not set up or run */
	EXIT_CANNOT_EXEC = 126, /* the command was found but not run */
	EXIT_NOT_FOUND = 127	/* the command was not found */
};

enum output_format { OUTPUT_AS_INPUT = -1, OUTPUT_TEXT, OUTPUT_JSON };

/* "text" or "json"; anything else: a message and -1. */
int parse_format(const char *arg, enum output_format *format);

/* Symbolize (when symbolizer is non-NULL) every report of a parsed log and
 * write the log back to out in the given format, text as style says (NULL:
 * plain).  The log's problems are printed to messages (unless NULL), each
 * prefixed with name.  Returns the number of problems, the symbolizer's
 * included. */
size_t process_log(struct log *log, struct symbolizer *symbolizer,
		   enum output_format format, const char *name, FILE *out,
		   FILE *messages, const struct text_style *style);

int cmd_symbolize(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_dump(int argc, char **argv);

#endif
