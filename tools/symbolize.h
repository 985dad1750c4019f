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
struct path_maps;

/* debug_dirs: extra roots searched for DIR/.build-id/xx/rest.debug,
 * DIR/PATH.debug, debug links and split DWARF before /usr/lib/debug
 * (borrowed).  Debug files missing here are fetched from the debuginfod
 * servers of $DEBUGINFOD_URLS, which is taken out of the environment (see
 * debuginfod.c).  NULL when out of memory. */
struct symbolizer *symbolizer_new(char **debug_dirs, size_t debug_dir_count);
void symbolizer_free(struct symbolizer *s);

/* Ask these debuginfod servers instead (NULL or "": none); -1 when out of
 * memory. */
int symbolizer_set_debuginfod(struct symbolizer *s, const char *urls);

/* --source-prefix OLD=NEW (borrowed): paths of another machine in reports
 * (modules) and in debug information (sources, build directories) are
 * read, and source paths shown, under NEW. */
void symbolizer_set_path_maps(struct symbolizer *s,
			      const struct path_maps *maps);

/* Symbolize every frame of report.  Each problem (module missing, build-id
 * mismatch, no debug information, split DWARF missing) is written once per
 * module to stderr as "faultline: ..."; returns the number of problems met
 * in this report.  Frames that nothing places get a note: a PLT stub, or
 * why they are "??". */
size_t symbolize_report(struct symbolizer *s, struct report *report);

/* The demangled form of a C++ symbol name (malloc'd), or NULL when name is
 * not mangled or no demangler is available. */
char *demangle(const char *name);

#endif
