/*
 * run_state.c - the private directory of "faultline run", and collecting
 * those of runs that could not remove theirs (SIGKILL, a power cut).
 *
 * The owner's pid is in the name: a directory whose pid names no process
 * is stale.  A reused pid only delays the collection to a later run;
 * nothing of a live run is ever removed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "run_state.h"

static const char PREFIX[] = "faultline-run-";

static const char *tmp_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	return tmp && *tmp ? tmp : "/tmp";
}

char *run_state_create(void)
{
	char *dir = NULL;
	if (asprintf(&dir, "%s/%s%ld.XXXXXX", tmp_dir(), PREFIX,
		     (long)getpid()) < 0)
		dir = NULL; /* asprintf leaves it undefined */
	if (!dir || !mkdtemp(dir)) {
		fprintf(stderr,
			"faultline: cannot create a private directory for "
			"reports: %s\n",
			strerror(errno));
		free(dir);
		return NULL;
	}
	/* Children may chdir: the path must not depend on the cwd (a
	 * relative TMPDIR). */
	char *absolute = realpath(dir, NULL);
	if (absolute) {
		free(dir);
		dir = absolute;
	}
	return dir;
}

int run_state_remove(const char *dir)
{
	if (remove_flat_dir(AT_FDCWD, dir) < 0) {
		fprintf(stderr, "faultline: cannot remove %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* The owner's pid of a name of ours, or 0. */
static long owner_of(const char *name)
{
	if (strncmp(name, PREFIX, sizeof(PREFIX) - 1) != 0)
		return 0;
	char *end;
	long pid = strtol(name + sizeof(PREFIX) - 1, &end, 10);
	return *end == '.' && strlen(end) == 7 && pid > 0 ? pid : 0;
}

static int is_dead(long pid)
{
	return pid == (long)getpid() ||
	       (kill((pid_t)pid, 0) < 0 && errno == ESRCH);
}

void run_state_collect_stale(void)
{
	int tmp = open(tmp_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = tmp >= 0 ? fdopendir(tmp) : NULL;
	if (!d) {
		if (tmp >= 0)
			close(tmp);
		return;
	}
	uid_t me = getuid();
	struct dirent *e;
	while ((e = readdir(d))) {
		long pid = owner_of(e->d_name);
		struct stat st;
		if (pid &&
		    fstatat(tmp, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode) && st.st_uid == me && is_dead(pid))
			remove_flat_dir(tmp, e->d_name);
	}
	closedir(d);
}
