/*
 * source.h - source excerpts under the frames of a symbolized report
 * (--source[=N]): the lines around each location, read once per file.
 */
#ifndef FL_TOOL_SOURCE_H
#define FL_TOOL_SOURCE_H

#include <stdio.h>

struct source_cache;

struct source_cache *source_cache_new(void);
void source_cache_free(struct source_cache *cache);

/* Write lines line-context .. line+context of file, each as
 * "PREFIX        NNN | text", the line itself marked with '>' (coloured as
 * the crash line when crash is set).  Nothing when the file cannot be
 * read or has no such line: the file is remembered for
 * source_report_missing. */
void source_write_excerpt(FILE *out, struct source_cache *cache,
			  const char *file, int line, int context,
			  const char *prefix, int color, int crash);

/* One line on messages naming the source files that could not be read, if
 * any.  Returns how many there were. */
size_t source_report_missing(struct source_cache *cache, FILE *messages);

#endif
