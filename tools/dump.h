/*
 * dump.h - every thread of a live process, read from outside through
 * ptrace (libdwfl's unwinder), as a faultline report ("faultline dump",
 * and "faultline run --timeout" for processes without the library).
 */
#ifndef FL_TOOL_DUMP_H
#define FL_TOOL_DUMP_H

#include <stdio.h>
#include <sys/types.h>

#include "tool.h"

/* Exit statuses of "faultline dump" (documented in faultline(1)). */
enum {
	EXIT_DUMPED = 0,	  /* every thread read and symbolized */
	EXIT_DUMP_PARTIAL = 1,	  /* written, with problems (stderr) */
	EXIT_DUMP_USAGE = 2,	  /* bad usage */
	EXIT_DUMP_NO_PROCESS = 3, /* no such process */
	EXIT_DUMP_REFUSED = 4	  /* ptrace refused, or reading failed */
};

/* Write a text report (doc/report-format.md, "Reports without a fault")
 * of every thread of pid to out, cause "dump requested: REQUESTER".  Each
 * thread is stopped only while it is unwound.  Returns 0, or one of the
 * statuses above after a one-line message on stderr. */
int dump_process(pid_t pid, const char *requester, FILE *out);

/* dump_process, the report read back and written to out as the tool
 * writes any (symbolized when symbolizer is non-NULL); its status. */
int dump_and_render(pid_t pid, const char *requester,
		    struct symbolizer *symbolizer, enum output_format format,
		    FILE *out);

#endif
