/*
 * io.h - the tool's bytes in and out, below everything that reads logs or
 * writes reports: a whole file into memory, and text escaped as the
 * library escapes it (lib/utf8.c's rule).
 */
#ifndef FL_TOOL_IO_H
#define FL_TOOL_IO_H

#include <stddef.h>
#include <stdio.h>

/* Read a whole file (or stdin for "-") into memory; -1 with errno. */
int read_file(const char *path, char **data, size_t *size);
/* Read name in directory dir if it is a regular file, never following a
 * symbolic link (ELOOP) nor blocking on a FIFO or device (EINVAL); -1
 * with errno. */
int read_regular_at(int dir, const char *name, char **data, size_t *size);

/* Write s in the text report's escaping: control bytes and invalid UTF-8
 * as \xNN, backslash as \\. */
void write_text_escaped(FILE *out, const char *s);

#endif
