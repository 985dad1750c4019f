/*
 * run_timeout.h - "faultline run --timeout": the command tree found, dumped
 * (every thread of every process) and ended when it has run too long.
 */
#ifndef FL_TOOL_RUN_TIMEOUT_H
#define FL_TOOL_RUN_TIMEOUT_H

#include <sys/types.h>

#include "tool.h"

/* Exit status of a run ended by --timeout, as timeout(1)'s. */
enum { EXIT_TIMED_OUT = 124 };

/* A duration as timeout(1) takes it: a number (fractions allowed) with an
 * optional suffix s, m, h or d; into seconds.  -1 with a message. */
int parse_duration(const char *option, const char *arg, double *seconds);

/* The signal run sets as FAULTLINE_DUMP_SIGNAL for the tree, unless the
 * environment sets one already: its name (without "SIG"). */
extern const char TIMEOUT_DUMP_SIGNAL[];

/* Dump every process of our tree (the processes whose parent chain leads
 * to this one; run is their subreaper): by the dump signal (signo) where
 * the library is loaded and set up for it, else from outside (dump.c) —
 * either way the report lands in channel as TIME-PID.json, so that
 * collect_reports shows, symbolizes, keeps (--json, --output-dir,
 * --dump-dir) and summarizes both kinds alike.  Then end the tree:
 * SIGTERM, SIGKILL after kill_after seconds; every child is reaped. */
void timeout_dump_and_end(const char *channel, int signo, double kill_after);

#endif
