/*
 * dumpdir.h - "faultline run --dump-dir DIR": one directory per crashed
 * process, DIR/YYYYMMDD-HHMMSS.mmm-EXE-PID/ (UTC, when the report was
 * written), holding report.txt, report.json and minidump.dmp (when the
 * process wrote one).  Names sort in time order, so retention (--keep N)
 * removes the first ones.  Only names of that shape are ever removed.
 */
#ifndef FL_TOOL_DUMPDIR_H
#define FL_TOOL_DUMPDIR_H

#include <time.h>

/* --keep / FAULTLINE_KEEP: a count from 0; anything else: a message, -1.
 * what names the source in the message. */
int dump_dir_parse_keep(const char *what, const char *arg, long *keep);

/* Create DIR when missing (its parent must exist); -1 with a message. */
int dump_dir_prepare(const char *dir);

/* Create the directory of one crash; its path (allocated), or NULL with a
 * message. */
char *dump_dir_new_crash(const char *dir, const struct timespec *when,
			 const char *exe, long pid);

/* Remove the oldest crash directories beyond the newest keep ones. */
void dump_dir_prune(const char *dir, long keep);

/* Move (or, with copy, copy) the file from into dir/name; -1 with a
 * message. */
int dump_dir_take_file(const char *from, const char *dir, const char *name,
		       int copy);

#endif
