/*
 * run.c - "faultline run": run a command tree with libfaultline preloaded
 * and print a symbolized report for every process of it that crashes.
 *
 * The channel.  Every process writes its report to its own file in a
 * private directory (mode 0700, made by mkdtemp): FAULTLINE_OUTPUT is the
 * template DIR/%t-%p.json, expanded by the library at crash time.  An
 * inherited descriptor (FAULTLINE_OUTPUT=fd:N) was the other choice; it is
 * weaker here because
 *  - programs that close every descriptor they do not know (daemons,
 *    closefrom(3) callers, some test harnesses) or that
 *    reuse low numbers would lose it or, worse, get our reports written
 *    into one of their own files;
 *  - one pipe shared by a whole tree interleaves reports of processes that
 *    crash at once, and a full pipe would block a crashing process whose
 *    reader is busy;
 *  - the file is opened only at crash time, so nothing is held open in the
 *    command's processes, and O_EXCL|O_NOFOLLOW in a 0700 directory keeps
 *    other users out.
 * Its cost: reports are collected when COMMAND ends; a process that
 * outlives COMMAND and crashes later finds the directory gone and, as the
 * library does whenever it cannot create its file, reports on its stderr.
 *
 * Reports are JSON on the channel: one line, every byte escaped, nothing
 * for a log prefix or a half-written line to confuse; the tool renders
 * text from it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "tool.h"

#ifndef FL_LIBDIR
#define FL_LIBDIR "/usr/local/lib"
#endif

static const char LIBRARY_NAME[] = "libfaultline.so.0";

static volatile sig_atomic_t child_pid;

/* SIGTERM/SIGHUP to the tool (a CI timeout, a closed terminal) are meant
 * for the command: pass them on and keep waiting to report. */
static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static char *find_library(const char *option)
{
	const char *env = getenv("FAULTLINE_LIBRARY");
	const char *explicit = option ? option : (env && *env ? env : NULL);
	char resolved[PATH_MAX];
	if (explicit) {
		if (!realpath(explicit, resolved)) {
			fprintf(stderr,
				"faultline: cannot use library %s: %s\n",
				explicit, strerror(errno));
			return NULL;
		}
		return strdup(resolved);
	}
	/* A relocated installation: PREFIX/bin/faultline beside
	 * PREFIX/lib/libfaultline.so.0; then the configured libdir. */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *candidate = NULL;
		if (asprintf(&candidate, "%s/../lib/%s", dirname(exe),
			     LIBRARY_NAME) >= 0) {
			char *path = realpath(candidate, resolved)
					     ? strdup(resolved)
					     : NULL;
			free(candidate);
			if (path)
				return path;
		}
	}
	char *candidate = NULL;
	if (asprintf(&candidate, "%s/%s", FL_LIBDIR, LIBRARY_NAME) < 0)
		return NULL;
	if (access(candidate, R_OK) == 0)
		return candidate;
	fprintf(stderr,
		"faultline: cannot find %s (looked beside the tool and in "
		"%s); use --library PATH or FAULTLINE_LIBRARY\n",
		LIBRARY_NAME, FL_LIBDIR);
	free(candidate);
	return NULL;
}

/* LD_PRELOAD plus our library, after what is already there: a runtime
 * that insists on coming first (AddressSanitizer's) keeps its place. */
static int set_preload(const char *library)
{
	if (strpbrk(library, " :\t")) {
		fprintf(stderr,
			"faultline: cannot preload %s: LD_PRELOAD cannot hold "
			"a path with spaces or colons\n",
			library);
		return -1;
	}
	const char *old = getenv("LD_PRELOAD");
	char *value = NULL;
	if (old && *old) {
		if (asprintf(&value, "%s:%s", old, library) < 0)
			return -1;
	} else {
		value = strdup(library);
	}
	int rc = value ? setenv("LD_PRELOAD", value, 1) : -1;
	free(value);
	return rc;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int only_reports(const struct dirent *entry)
{
	return entry->d_name[0] != '.';
}

/* Open DIR/PID.EXT, or PID-2.EXT, ... when a pid came round twice. */
static FILE *open_kept(const char *dir, long pid, const char *ext)
{
	for (int attempt = 1; attempt < 100; attempt++) {
		char *path = NULL;
		int rc = attempt == 1
				 ? asprintf(&path, "%s/%ld.%s", dir, pid, ext)
				 : asprintf(&path, "%s/%ld-%d.%s", dir, pid,
					    attempt, ext);
		if (rc < 0)
			return NULL;
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			      0644);
		int saved = errno;
		if (fd >= 0) {
			free(path);
			return fdopen(fd, "w");
		}
		if (saved != EEXIST) {
			fprintf(stderr, "faultline: cannot create %s: %s\n",
				path, strerror(saved));
			free(path);
			return NULL;
		}
		free(path);
	}
	return NULL;
}

static void keep_report(struct log *log, const char *dir, const char *name)
{
	long pid = log->report_count ? log->reports[0]->pid : 0;
	static const char *const ext[] = {"txt", "json"};
	for (int format = OUTPUT_TEXT; format <= OUTPUT_JSON; format++) {
		FILE *out = open_kept(dir, pid, ext[format]);
		if (!out)
			continue;
		/* Messages were printed when the report was shown. */
		process_log(log, NULL, (enum output_format)format, name, out,
			    NULL, NULL);
		if (fclose(out) != 0)
			fprintf(stderr, "faultline: cannot write %s/%ld.%s\n",
				dir, pid, ext[format]);
	}
}

static void collect_reports(const char *channel, const char *output_dir,
			    enum output_format format, int symbolize,
			    char **debug_dirs, size_t debug_dir_count)
{
	struct dirent **entries = NULL;
	/* Any process of the tree can write there: only regular files are
	 * read, by name in the directory opened once, without following a
	 * link or blocking on a FIFO. */
	int dir =
		open(channel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int count = dir < 0 ? -1
			    : scandir(channel, &entries, only_reports, by_name);
	if (count < 0) {
		fprintf(stderr, "faultline: cannot read %s: %s\n", channel,
			strerror(errno));
		if (dir >= 0)
			close(dir);
		return;
	}
	struct symbolizer *symbolizer =
		symbolize && count ? symbolizer_new(debug_dirs, debug_dir_count)
				   : NULL;
	for (int i = 0; i < count; i++) {
		char *path = NULL;
		if (asprintf(&path, "%s/%s", channel, entries[i]->d_name) < 0)
			continue;
		char *data = NULL;
		size_t size = 0;
		if (read_regular_at(dir, entries[i]->d_name, &data, &size) <
		    0) {
			fprintf(stderr, "faultline: ignoring %s: %s\n", path,
				errno == ELOOP	  ? "a symbolic link"
				: errno == EINVAL ? "not a regular file"
						  : strerror(errno));
		} else {
			struct log log;
			log_parse(&log, data, size);
			if (log.report_count == 0)
				fprintf(stderr,
					"faultline: a crashing process left "
					"an unreadable report (%zu bytes)\n",
					size);
			fflush(stderr);
			/* One block per crashed process, set off from the
			 * command's own output. */
			fputc('\n', stderr);
			process_log(&log, symbolizer, format,
				    entries[i]->d_name, stderr, stderr, NULL);
			fflush(stderr);
			if (output_dir && log.report_count)
				keep_report(&log, output_dir,
					    entries[i]->d_name);
			log_free(&log);
		}
		free(data);
		unlinkat(dir, entries[i]->d_name, 0);
		free(path);
		free(entries[i]);
	}
	free(entries);
	close(dir);
	symbolizer_free(symbolizer);
}

int cmd_run(int argc, char **argv)
{
	static const struct option options[] = {
		{"output-dir", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},
		{"no-symbolize", no_argument, NULL, 'n'},
		{"signals", required_argument, NULL, 's'},
		{"library", required_argument, NULL, 'L'},
		{"debug-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *output_dir = NULL, *signals = NULL, *library_option = NULL;
	enum output_format format = OUTPUT_TEXT;
	int symbolize = 1;
	char **debug_dirs = calloc((size_t)argc, sizeof(*debug_dirs));
	size_t debug_dir_count = 0;
	char *library = NULL, *channel = NULL, *template = NULL;
	int exit_status = EXIT_RUN_FAILED;
	int c;
	if (!debug_dirs)
		goto out;
	/* "+": options end at COMMAND, whose own options are its own. */
	while ((c = getopt_long(argc, argv, "+o:f:ns:L:d:h", options, NULL)) !=
	       -1) {
		switch (c) {
		case 'o':
			output_dir = optarg;
			break;
		case 'f':
			if (parse_format(optarg, &format) < 0)
				goto out;
			break;
		case 'n':
			symbolize = 0;
			break;
		case 's':
			signals = optarg;
			break;
		case 'L':
			library_option = optarg;
			break;
		case 'd':
			debug_dirs[debug_dir_count++] = optarg;
			break;
		case 'h':
			fputs("Usage: faultline run [OPTION]... [--] COMMAND "
			      "[ARG]...; see 'faultline --help'\n",
			      stdout);
			exit_status = 0;
			goto out;
		default:
			fputs("Try 'faultline --help'.\n", stderr);
			goto out;
		}
	}
	if (optind >= argc) {
		fputs("faultline: run needs a command: faultline run "
		      "[OPTION]... "
		      "-- COMMAND [ARG]...\n",
		      stderr);
		goto out;
	}
	char **command = argv + optind;

	if (output_dir && mkdir(output_dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "faultline: cannot create %s: %s\n", output_dir,
			strerror(errno));
		goto out;
	}
	library = find_library(library_option);
	if (!library)
		goto out;
	const char *tmp = getenv("TMPDIR");
	if (asprintf(&channel, "%s/faultline-run.XXXXXX",
		     tmp && *tmp ? tmp : "/tmp") < 0)
		channel = NULL; /* asprintf leaves it undefined */
	if (!channel || !mkdtemp(channel)) {
		fprintf(stderr,
			"faultline: cannot create a private directory for "
			"reports: %s\n",
			strerror(errno));
		free(channel);
		channel = NULL;
		goto out;
	}
	/* Children may chdir: the template must not depend on the cwd (a
	 * relative TMPDIR). */
	char *absolute = realpath(channel, NULL);
	if (absolute) {
		free(channel);
		channel = absolute;
	}
	if (asprintf(&template, "%s/%%t-%%p.json", channel) < 0)
		template = NULL;
	if (!template || set_preload(library) < 0 ||
	    setenv("FAULTLINE_OUTPUT", template, 1) < 0 ||
	    setenv("FAULTLINE_FORMAT", "json", 1) < 0 ||
	    (signals && setenv("FAULTLINE_SIGNALS", signals, 1) < 0)) {
		fprintf(stderr, "faultline: cannot set up the environment\n");
		goto out;
	}

	/* The child tells us through this close-on-exec pipe why exec
	 * failed; a successful exec closes it empty. */
	int exec_pipe[2];
	if (pipe2(exec_pipe, O_CLOEXEC) < 0) {
		fprintf(stderr, "faultline: pipe: %s\n", strerror(errno));
		goto out;
	}
	struct sigaction ignore = {.sa_handler = SIG_IGN},
			 forward = {.sa_handler = forward_signal}, old_int,
			 old_quit, old_term, old_hup;
	sigemptyset(&ignore.sa_mask);
	sigemptyset(&forward.sa_mask);
	/* As system(3) does: the terminal's ^C and ^\ go to the whole
	 * foreground group, COMMAND included; the tool stays to report. */
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGQUIT, &ignore, &old_quit);
	sigaction(SIGTERM, &forward, &old_term);
	sigaction(SIGHUP, &forward, &old_hup);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "faultline: fork: %s\n", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
		close(exec_pipe[0]);
		execvp(command[0], command);
		int error = errno;
		if (write(exec_pipe[1], &error, sizeof(error)) < 0)
			_exit(EXIT_CANNOT_EXEC);
		_exit(error == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
	}
	child_pid = pid;
	close(exec_pipe[1]);
	int exec_error = 0;
	ssize_t got;
	while ((got = read(exec_pipe[0], &exec_error, sizeof(exec_error))) <
		       0 &&
	       errno == EINTR)
		;
	close(exec_pipe[0]);

	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	if (got == (ssize_t)sizeof(exec_error)) {
		fprintf(stderr, "faultline: cannot run %s: %s\n", command[0],
			strerror(exec_error));
		exit_status = exec_error == ENOENT ? EXIT_NOT_FOUND
						   : EXIT_CANNOT_EXEC;
	} else if (WIFSIGNALED(status)) {
		exit_status = 128 + WTERMSIG(status);
	} else {
		exit_status = WEXITSTATUS(status);
	}

	/* "faultline run ... 2>&1 | head" closes our stderr early: finish
	 * quietly and still remove the reports rather than die of SIGPIPE
	 * (set only now: COMMAND must get the default disposition). */
	signal(SIGPIPE, SIG_IGN);
	collect_reports(channel, output_dir, format, symbolize, debug_dirs,
			debug_dir_count);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
out:
	if (channel && rmdir(channel) < 0)
		fprintf(stderr, "faultline: cannot remove %s: %s\n", channel,
			strerror(errno));
	free(template);
	free(channel);
	free(library);
	free(debug_dirs);
	return exit_status;
}
