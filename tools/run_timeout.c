/*
 * run_timeout.c - "faultline run --timeout" (see run_timeout.h).
 *
 * The tree.  run makes itself a child subreaper (PR_SET_CHILD_SUBREAPER,
 * in run.c) when a timeout is set: a process of the tree whose parent
 * exits, a daemon that forked twice into its own session included, is
 * reparented to us rather than to init, so "every process whose chain of
 * parents in /proc leads to us" is the whole tree.
 *
 * Two ways to dump.  Where the library is loaded and the process still has
 * the FAULTLINE_DUMP_SIGNAL run set, the signal makes it write its own
 * all-thread report (in-process symbols, no ptrace) into run's channel,
 * collected with the crash reports.  Elsewhere (a static program,
 * LD_PRELOAD cleared, a handler that never answered) the process is dumped
 * from outside through ptrace (dump.c), which needs nothing of it.
 */
#include "config.h"

#include "run_timeout.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dump.h"
#include "io.h"
#include "report.h"

/* Ignored by default: a process of the tree that has no handler for it
 * (the library not loaded after all) is not killed by the request. */
const char TIMEOUT_DUMP_SIGNAL[] = "URG";

/* How long a process gets to write its report after the dump signal. */
#define SIGNAL_DUMP_WAIT 10.0

int parse_duration(const char *option, const char *arg, double *seconds)
{
	char *end;
	errno = 0;
	double n = strtod(arg, &end);
	double unit = 1;
	if (end != arg && *end && !end[1]) {
		switch (*end++) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		default:
			end--;
			break;
		}
	}
	if (errno || end == arg || *end || !(n >= 0) || n * unit > 1e9 ||
	    !isdigit((unsigned char)arg[strspn(arg, " ")])) {
		fprintf(stderr,
			"faultline: %s takes a duration (e.g. 10, 2.5s, 5m, "
			"1h), not '%s'\n",
			option, arg);
		return -1;
	}
	*seconds = n * unit;
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_a_little(void)
{
	struct timespec ts = {0, 50 * 1000 * 1000};
	nanosleep(&ts, NULL);
}

/* Parent pid and state letter of pid from /proc/PID/stat; -1 gone. */
static pid_t parent_of(pid_t pid, char *state)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *paren = strrchr(buf, ')');
	int ppid;
	if (!paren || sscanf(paren + 1, " %c %d", state, &ppid) != 2)
		return -1;
	return (pid_t)ppid;
}

struct proc {
	pid_t pid, ppid;
	char state;
};

/* Every live process (not a zombie) whose parents lead to us, in
 * (allocated) *out; their count. */
static size_t find_tree(pid_t **out)
{
	struct proc *all = NULL;
	size_t count = 0, cap = 0;
	DIR *proc = opendir("/proc");
	struct dirent *e;
	while (proc && (e = readdir(proc))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		char state;
		pid_t ppid = parent_of((pid_t)pid, &state);
		if (ppid < 0)
			continue;
		if (count == cap) {
			struct proc *more = realloc(all, (cap = cap * 2 + 64) *
								 sizeof(*all));
			if (!more)
				break;
			all = more;
		}
		all[count++] = (struct proc){(pid_t)pid, ppid, state};
	}
	if (proc)
		closedir(proc);
	*out = calloc(count + 1, sizeof(**out));
	size_t n = 0;
	pid_t self = getpid();
	for (size_t i = 0; *out && i < count; i++) {
		if (all[i].state == 'Z')
			continue;
		/* Walk up at most count steps: a pid reused during the scan
		 * cannot make us loop. */
		pid_t up = all[i].ppid;
		for (size_t steps = 0; up > 1 && up != self && steps < count;
		     steps++) {
			size_t j = 0;
			while (j < count && all[j].pid != up)
				j++;
			up = j < count ? all[j].ppid : 0;
		}
		if (up == self)
			(*out)[n++] = all[i].pid;
	}
	free(all);
	return n;
}

/* Does pid have the library loaded and the dump signal set for it? */
static int answers_dump_signal(pid_t pid, const char *setting)
{
	char path[64], *data = NULL;
	size_t size = 0;
	int loaded = 0, set = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (read_file(path, &data, &size) == 0)
		loaded = memmem(data, size, "/libfaultline.so", 16) != NULL;
	free(data);
	data = NULL;
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	if (loaded && read_file(path, &data, &size) == 0) {
		size_t n = strlen(setting);
		for (size_t at = 0; at < size; at += strlen(data + at) + 1)
			if (size - at > n &&
			    memcmp(data + at, setting, n) == 0 &&
			    data[at + n] == '\0')
				set = 1;
	}
	free(data);
	return set;
}

/* Has pid's report, CHANNEL/TIME-PID.json, been written in full (its
 * one line ends in a newline)? */
static int report_written(const char *channel, pid_t pid)
{
	char suffix[32];
	int found = 0;
	snprintf(suffix, sizeof(suffix), "-%d.json", (int)pid);
	size_t sn = strlen(suffix);
	DIR *dir = opendir(channel);
	struct dirent *e;
	while (dir && !found && (e = readdir(dir))) {
		size_t n = strlen(e->d_name);
		if (n <= sn || strcmp(e->d_name + n - sn, suffix) != 0)
			continue;
		char *path = NULL, *data = NULL;
		size_t size = 0;
		if (asprintf(&path, "%s/%s", channel, e->d_name) >= 0 &&
		    read_file(path, &data, &size) == 0 && size &&
		    data[size - 1] == '\n')
			found = 1;
		free(path);
		free(data);
	}
	if (dir)
		closedir(dir);
	return found;
}

/* The report of a process that could not answer, written from outside
 * into the channel as its own would be (JSON, not yet symbolized: the
 * collector does that); on stderr at once only when the channel will not
 * take it. */
static void dump_from_outside(const char *channel, pid_t pid)
{
	char *path = NULL;
	FILE *out = NULL;
	int fd = -1;
	if (asprintf(&path, "%s/%lld-%d-outside.json", channel,
		     (long long)time(NULL), (int)pid) >= 0)
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0 && !(out = fdopen(fd, "w")))
		close(fd);
	if (!out) {
		fprintf(stderr, "faultline: cannot write the dump of %d in %s: "
				"%s; on stderr instead\n",
			(int)pid, channel, strerror(errno));
		fputc('\n', stderr);
		dump_and_render(pid, "faultline run --timeout", NULL,
				OUTPUT_TEXT, stderr);
		fflush(stderr);
	} else {
		dump_and_render(pid, "faultline run --timeout", NULL,
				OUTPUT_JSON, out);
		fclose(out);
	}
	free(path);
}

static void reap_children(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* Signal every process of the tree; how many there were. */
static size_t signal_tree(int sig)
{
	pid_t *pids;
	size_t n = find_tree(&pids);
	for (size_t i = 0; pids && i < n; i++)
		kill(pids[i], sig);
	free(pids);
	return n;
}

static void end_tree(double kill_after)
{
	double deadline = now() + kill_after;
	signal_tree(SIGTERM);
	for (;;) {
		reap_children();
		pid_t *pids;
		size_t n = find_tree(&pids);
		free(pids);
		if (n == 0)
			return;
		if (now() >= deadline)
			break;
		pause_a_little();
	}
	while (signal_tree(SIGKILL)) {
		reap_children();
		pause_a_little();
	}
	reap_children();
}

void timeout_dump_and_end(const char *channel, int signo, double kill_after)
{
	pid_t *pids;
	size_t n = find_tree(&pids);
	char *setting = NULL;
	const char *name = sigabbrev_np(signo);
	if (!pids || asprintf(&setting, "FAULTLINE_DUMP_SIGNAL=%s",
			      name ? name : "") < 0) {
		free(pids);
		end_tree(kill_after);
		return;
	}
	fprintf(stderr,
		"faultline: the command ran out of time: dumping its %zu "
		"process%s\n",
		n, n == 1 ? "" : "es");
	fflush(stderr);
	/* Ask every process that can answer first: they write at once. */
	char *asked = calloc(n + 1, 1);
	for (size_t i = 0; asked && i < n; i++)
		if (answers_dump_signal(pids[i], setting) &&
		    kill(pids[i], signo) == 0)
			asked[i] = 1;
	double deadline = now() + SIGNAL_DUMP_WAIT;
	for (size_t i = 0; i < n; i++) {
		while (asked && asked[i] && !report_written(channel, pids[i]) &&
		       now() < deadline)
			pause_a_little();
		if (!asked || !asked[i] || !report_written(channel, pids[i]))
			dump_from_outside(channel, pids[i]);
	}
	free(asked);
	free(setting);
	free(pids);
	end_tree(kill_after);
}
