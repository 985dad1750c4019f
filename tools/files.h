/*
 * files.h - files and directories the tool makes and removes for
 * "faultline run": never one of someone else's, never through a symbolic
 * link.
 */
#ifndef FL_TOOL_FILES_H
#define FL_TOOL_FILES_H

/* Make STEM SUFFIX with create (which fails with EEXIST when it exists),
 * else STEM-2 SUFFIX, STEM-3 SUFFIX, ... (a pid that came round twice, two
 * crashes in one millisecond).  create's result (>= 0) and the path made
 * (allocated), or -1 with a message. */
int create_numbered(const char *stem, const char *suffix,
		    int (*create)(const char *path), char **made);

/* create_numbered's makers: a new file (0644) open for writing, a new
 * directory (0755). */
int create_file(const char *path);
int create_dir(const char *path);

/* Remove the directory name (of parent, a descriptor or AT_FDCWD): the
 * files in it, then itself; 0, or -1 with errno. */
int remove_flat_dir(int parent, const char *name);

#endif
