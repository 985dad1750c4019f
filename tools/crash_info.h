/*
 * crash_info.h - the few facts of a crash report that "faultline run"
 * shows about it besides the report: where it crashed (for the summary
 * line, GitHub annotations and the dump directory's names), the minidump
 * it names and its annotations.
 */
#ifndef FL_TOOL_CRASH_INFO_H
#define FL_TOOL_CRASH_INFO_H

#include <stdio.h>

#include "report.h"

/* Where a crash happened, borrowed from a (symbolized) report. */
struct crash_place {
	const char *function; /* NULL when unknown */
	const char *file;     /* NULL when unknown */
	int line;	      /* 0 when unknown */
};

/* The thread that crashed (the first one when none says so), or NULL. */
const struct thread *crash_thread(const struct report *r);

/* The innermost location of the crashed thread that has a source file
 * under root (any file when root is NULL); its function is that
 * location's, else the innermost named frame's.  0 when found. */
int crash_place_find(const struct report *r, const char *root,
		     struct crash_place *place);

/* file relative to the directory root when it lies inside it, else NULL;
 * both are taken as they are, then with symbolic links resolved.
 * Allocated. */
char *path_inside(const char *root, const char *file);

/* The executable's last path component, or "unknown". */
const char *crash_executable_name(const struct report *r);

/* The "minidump" member of a JSON report (the file the crashed process
 * wrote), or NULL. */
const char *crash_minidump(const struct report *r);

/* The report's annotations (text "annotations:" block, JSON member
 * "annotations", an object of strings whose other members are skipped;
 * doc/report-format.md): key and value of annotation i, for i from 0
 * while it returns 0. */
int crash_annotation(const struct report *r, size_t i, const char **key,
		     const char **value);

/* "faultline: N processes crashed: EXE (pid P) SIGNAL in FUNCTION at
 * FILE:LINE; ..." on one line, files relative to root when inside it. */
void crash_summary_line(FILE *out, struct report *const *reports, size_t count,
			const char *root);

#endif
