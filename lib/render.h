/*
 * render.h - turn a resolved snapshot into a report.  Shared by every
 * platform; see doc/report-format.md for both formats.  Everything here
 * is [fatal] (platform.h).
 */
#ifndef FL_RENDER_H
#define FL_RENDER_H

#include "sink.h"
#include "snapshot.h"

void fl_render_text(struct fl_sink *s, const struct fl_snapshot *snap);
void fl_render_json(struct fl_sink *s, const struct fl_snapshot *snap);

/* Signal / code names; NULL when unknown. */
const char *fl_signal_name(int signo);
const char *fl_code_name(int signo, int code);
const char *fl_access_name(enum faultline_access a); /* "read", ... */

#endif
