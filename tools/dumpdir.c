/*
 * dumpdir.c - the dump directory of "faultline run" (layout in dumpdir.h,
 * documented in faultline(1)).  Everything here runs in the tool, after
 * the crashed process is gone: never in a fatal path.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dumpdir.h"
#include "files.h"

/* "YYYYMMDD-HHMMSS.mmm-" */
#define STAMP_LEN 20
#define MAX_EXE_LEN 64

int dump_dir_parse_keep(const char *what, const char *arg, long *keep)
{
	char *end;
	errno = 0;
	long n = strtol(arg, &end, 10);
	if (errno || end == arg || *end || n < 0 ||
	    !isdigit((unsigned char)*arg)) {
		fprintf(stderr,
			"faultline: %s takes a number of crashes to keep "
			"(0 or more), not '%s'\n",
			what, arg);
		return -1;
	}
	*keep = n;
	return 0;
}

int dump_dir_prepare(const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "faultline: cannot create %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int is_crash_name(const char *name)
{
	static const char shape[] = "dddddddd-dddddd.ddd-";
	for (size_t i = 0; i < STAMP_LEN; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)name[i])
				    : name[i] != shape[i])
			return 0;
	}
	return 1;
}

/* What of exe can go in a file name: letters, digits and ._+- */
static void safe_name(char *out, const char *exe)
{
	size_t n = 0;
	for (; exe[n] && n < MAX_EXE_LEN; n++) {
		unsigned char c = (unsigned char)exe[n];
		out[n] = isalnum(c) || strchr("._+-", c) ? (char)c : '_';
	}
	if (n == 0 || out[0] == '.')
		out[n ? 0 : n++] = '_';
	out[n] = '\0';
}

char *dump_dir_new_crash(const char *dir, const struct timespec *when,
			 const char *exe, long pid)
{
	struct tm tm;
	char stamp[32], name[MAX_EXE_LEN + 2];
	time_t seconds = when->tv_sec;
	if (!gmtime_r(&seconds, &tm) ||
	    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm) == 0)
		strcpy(stamp, "00000000-000000");
	safe_name(name, exe);
	char *stem = NULL, *made = NULL;
	if (asprintf(&stem, "%s/%s.%03ld-%s-%ld", dir, stamp,
		     when->tv_nsec / 1000000, name, pid) < 0)
		return NULL; /* asprintf leaves stem undefined */
	if (create_numbered(stem, "", create_dir, &made) < 0)
		made = NULL;
	free(stem);
	return made;
}

/* A crash directory's files, then itself (no recursion, no symbolic link
 * followed). */
static void remove_crash(int dirfd, const char *name)
{
	if (remove_flat_dir(dirfd, name) < 0)
		fprintf(stderr,
			"faultline: cannot remove an old crash, %s: %s\n", name,
			strerror(errno));
}

static int only_crashes(const struct dirent *e)
{
	return strlen(e->d_name) > STAMP_LEN && is_crash_name(e->d_name);
}

void dump_dir_prune(const char *dir, long keep)
{
	struct dirent **entries = NULL;
	int count = scandir(dir, &entries, only_crashes, alphasort);
	if (count < 0)
		return;
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < count; i++) {
		if (dirfd >= 0 && (long)(count - i) > keep)
			remove_crash(dirfd, entries[i]->d_name);
		free(entries[i]);
	}
	free(entries);
	if (dirfd >= 0)
		close(dirfd);
}

static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	char buf[65536];
	ssize_t n;
	int rc = 0;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = -1;
				break;
			}
			done += w;
		}
		if (rc < 0)
			break;
	}
	close(in);
	if (close(out) < 0)
		rc = -1;
	return rc;
}

int dump_dir_take_file(const char *from, const char *dir, const char *name,
		       int copy)
{
	char *to = NULL;
	if (asprintf(&to, "%s/%s", dir, name) < 0)
		return -1;
	int rc = !copy ? rename(from, to) : -1;
	if (rc < 0 && (copy || errno == EXDEV)) {
		rc = copy_file(from, to);
		if (rc == 0 && !copy)
			unlink(from);
	}
	if (rc < 0)
		fprintf(stderr, "faultline: cannot keep %s as %s: %s\n", from,
			to, strerror(errno));
	free(to);
	return rc;
}
