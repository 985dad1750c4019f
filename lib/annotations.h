/*
 * annotations.h - the crash annotations of faultline_annotate and
 * FAULTLINE_ANNOTATIONS: a fixed table reserved statically, written by
 * any thread without a lock the crash handler could wait for, read by
 * the fatal path (reports, minidumps).
 */
#ifndef FL_ANNOTATIONS_H
#define FL_ANNOTATIONS_H

#include <stddef.h>

#include "faultline.h"

#define FL_ANNOTATIONS_MAX FAULTLINE_ANNOTATIONS_MAX

struct fl_annotation {
	char key[64];
	char value[256];
};

/* A consistent copy of the current annotations; async-signal-safe. */
size_t fl_annotations_read(struct fl_annotation *out, size_t max);

/* Add the entries of FAULTLINE_ANNOTATIONS (install time, not fatal):
 * the good ones are kept, the bad ones cost one warning line. */
void fl_annotations_from_env(void);

#endif
