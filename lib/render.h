/*
 * render.h - turn a resolved snapshot into a report.  Shared by every
 * platform; see doc/report-format.md for both formats.  Everything here
 * is [fatal] (platform.h).
 */
#ifndef FL_RENDER_H
#define FL_RENDER_H

#include "sink.h"
#include "snapshot.h"

/* Not const: the other threads' frames are resolved as they are written
 * (fl_snapshot_thread). */
/* The text report up to its end marker, which fl_render_text_end
 * writes: the user callback's output goes in between. */
void fl_render_text(struct fl_sink *s, struct fl_snapshot *snap);
void fl_render_text_end(struct fl_sink *s);
#define FL_TEXT_END "==== end of faultline report ====\n"
void fl_render_json(struct fl_sink *s, struct fl_snapshot *snap);

/* Signal / code names; NULL when unknown. */
const char *fl_signal_name(int signo);
const char *fl_code_name(int signo, int code);
const char *fl_access_name(enum faultline_access a); /* "read", ... */
/* The word for a thread's state letter ("sleeping"; "unknown" for 0). */
const char *fl_thread_state_name(char state);
/* How a thread was captured: "stopped", "not stopped", "over the cap";
 * and why one was not stopped ("signals blocked"; NULL when stopped). */
const char *fl_thread_capture_name(const struct fl_thread *t);
const char *fl_thread_why_name(const struct fl_thread *t);

#endif
