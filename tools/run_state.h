/*
 * run_state.h - the temporary state of "faultline run": its private report
 * directory, $TMPDIR/faultline-run-PID.XXXXXX (PID: the tool's own), and
 * what a run killed by SIGKILL left behind.
 */
#ifndef FL_TOOL_RUN_STATE_H
#define FL_TOOL_RUN_STATE_H

/* Create the private directory (0700) under $TMPDIR (else /tmp); its
 * absolute path (allocated), or NULL with a message. */
char *run_state_create(void);

/* Remove the directory and every file in it. */
int run_state_remove(const char *dir);

/* Remove the directories under $TMPDIR (else /tmp) of runs of this user
 * that are dead (no process of their pid, or this process's own pid
 * before this run made one). */
void run_state_collect_stale(void);

#endif
