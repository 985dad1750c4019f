/*
 * symbolize.h - file:line, inlined call chains and demangled names for the
 * frames of a report, from DWARF through elfutils' libdw, outside the
 * crashed process.
 */
#ifndef FL_TOOL_SYMBOLIZE_H
#define FL_TOOL_SYMBOLIZE_H

#include <stddef.h>

#include "report.h"

struct symbolizer;

/* debug_dirs: extra roots searched for DIR/.build-id/xx/rest.debug and
 * DIR/PATH.debug before /usr/lib/debug.  NULL when out of memory. */
struct symbolizer *symbolizer_new(char **debug_dirs, size_t debug_dir_count);
void symbolizer_free(struct symbolizer *s);

/* Symbolize every frame of report.  Each problem (module missing, build-id
 * mismatch, no debug information) is written once per module to stderr as
 * "faultline: ..."; returns the number of problems met in this report. */
size_t symbolize_report(struct symbolizer *s, struct report *report);

/* The demangled form of a C++ symbol name (malloc'd), or NULL when name is
 * not mangled or no demangler is available. */
char *demangle(const char *name);

#endif
