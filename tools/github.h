/*
 * github.h - "faultline run" under GitHub Actions: an error annotation per
 * crash (a workflow command on stdout) and a Markdown job summary.
 */
#ifndef FL_TOOL_GITHUB_H
#define FL_TOOL_GITHUB_H

#include <stdio.h>

#include "report.h"

/* Workflow-command escaping: the message (% CR LF) and a property's value
 * (those and : ,). */
void github_write_data(FILE *out, const char *s);
void github_write_property(FILE *out, const char *s);

/* One "::error file=...,line=...,title=...::message" line: the file is the
 * innermost source file of the crashed thread inside workspace, relative
 * to it (no file property when there is none). */
void github_annotate(FILE *out, const struct report *r, const char *workspace);

/* Append a Markdown summary of the crashes to the file path
 * ($GITHUB_STEP_SUMMARY); -1 with a message. */
int github_step_summary(const char *path, struct report *const *reports,
			size_t count, const char *workspace);

#endif
