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
 *
 * Signals.  The terminal's ^C reaches the whole foreground group, COMMAND
 * included: the tool ignores it and stays to report, as system(3) does.
 * SIGINT sent to the tool alone (a CI runner cancelling a job), SIGTERM and
 * SIGHUP are passed on to COMMAND; a second one, or one when COMMAND is
 * gone, ends the tool: it removes its directory and dies of that signal.
 * What SIGKILL leaves behind, the next run removes (run_state.c).
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crash_info.h"
#include "dumpdir.h"
#include "files.h"
#include "github.h"
#include "io.h"
#include "run_state.h"
#include "run_timeout.h"
#include "tool.h"

#ifndef FL_LIBDIR
#define FL_LIBDIR "/usr/local/lib"
#endif

static const char LIBRARY_NAME[] = "libfaultline.so.0";

static volatile sig_atomic_t child_pid, signals_passed, stop_signal;

/* SIGINT sent to the tool, SIGTERM, SIGHUP (a CI timeout or cancel, a
 * closed terminal) are meant for the command: pass them on and keep
 * waiting to report; a second one ends the tool (stop_signal).  A ^C from
 * the terminal (sent by the kernel: si_code > 0) reached COMMAND already. */
static void on_signal(int sig, siginfo_t *info, void *context)
{
	(void)context;
	if (sig == SIGINT && info && info->si_code > 0)
		return;
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
	if (child_pid <= 0 || ++signals_passed >= 2)
		stop_signal = sig;
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

/* A program built with AddressSanitizer's shared runtime (gcc's default)
 * refuses to start when a preloaded library comes before the runtime in
 * the initial library list.  In such a program the library stands aside
 * (lib/posix/preload.c): the sanitizer reports its own crashes.  Turning
 * that one check off lets the command tree run as it runs alone; a
 * setting of the user's wins. */
static int let_asan_run(void)
{
	const char *old = getenv("ASAN_OPTIONS");
	char *value = NULL;

	if (old && strstr(old, "verify_asan_link_order"))
		return 0;
	if (asprintf(&value, "%s%sverify_asan_link_order=0", old ? old : "",
		     old && *old ? ":" : "") < 0)
		return -1;
	int rc = setenv("ASAN_OPTIONS", value, 1);
	free(value);
	return rc;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Reports are NAME.json; the other files (minidumps) are named by them. */
static int only_reports(const struct dirent *entry)
{
	size_t n = strlen(entry->d_name);
	return entry->d_name[0] != '.' && n > 5 &&
	       strcmp(entry->d_name + n - 5, ".json") == 0;
}

/* Open DIR/PID.EXT, or PID-2.EXT, ... when a pid came round twice. */
static FILE *open_kept(const char *dir, long pid, const char *ext)
{
	char *stem = NULL, suffix[16], *made = NULL;
	snprintf(suffix, sizeof(suffix), ".%s", ext);
	if (asprintf(&stem, "%s/%ld", dir, pid) < 0)
		return NULL; /* asprintf leaves stem undefined */
	int fd = create_numbered(stem, suffix, create_file, &made);
	free(stem);
	free(made);
	return fd >= 0 ? fdopen(fd, "w") : NULL;
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

struct run_args {
	const char *output_dir, *dump_dir, *json_file, *signals, *library;
	long keep; /* -1: keep every crash */
	enum output_format format;
	int symbolize, fail_on_crash, github;
	char **debug_dirs;
	size_t debug_dir_count;
	char *annotations; /* for FAULTLINE_ANNOTATIONS, or NULL */
	double timeout;	   /* --timeout in seconds; 0: none */
	double kill_after; /* --kill-after: SIGTERM to SIGKILL */
	char **command;
};

/* What a run collected: every log read, kept until the end for the
 * summary line, the annotations and the job summary. */
struct collected {
	struct log *logs;
	char **data;
	size_t count;
	struct report **crashes;
	size_t crash_count;
};

/* Write a log in one format to DIR/NAME. */
static void write_log_file(struct log *log, const char *dir, const char *name,
			   enum output_format format)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		fprintf(stderr, "faultline: cannot create %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
	} else {
		process_log(log, NULL, format, name, out, NULL, NULL);
		if (fclose(out) != 0)
			fprintf(stderr, "faultline: cannot write %s\n", path);
	}
	free(path);
}

/* DIR/<time>-<exe>-<pid>/: report.txt, report.json, minidump.dmp. */
static void keep_crash(struct log *log, const char *dump_dir,
		       const char *channel, const struct stat *st)
{
	struct report *r = log->reports[0];
	char *dir = dump_dir_new_crash(dump_dir, &st->st_mtim,
				       crash_executable_name(r), r->pid);
	if (!dir)
		return;
	write_log_file(log, dir, "report.txt", OUTPUT_TEXT);
	write_log_file(log, dir, "report.json", OUTPUT_JSON);
	const char *minidump = crash_minidump(r);
	size_t n = strlen(channel);
	if (minidump && *minidump) {
		/* Ours to move when the library wrote it in the channel (the
		 * template run set); a file of the user's own is copied. */
		int ours = strncmp(minidump, channel, n) == 0 &&
			   minidump[n] == '/' && !strchr(minidump + n + 1, '/');
		dump_dir_take_file(minidump, dir, "minidump.dmp", !ours);
	}
	free(dir);
}

static int is_dump(const struct report *r)
{
	return r->cause && strncmp(r->cause, "dump requested:", 15) == 0;
}

/* Any process of the tree can write in the channel: only regular files
 * are read, by name in the directory opened once (dir), without
 * following a link or blocking on a FIFO; the rest is removed. */
static int collect_one(struct collected *c, const struct run_args *a,
		       const char *channel, int dir, const char *name,
		       struct symbolizer *symbolizer, FILE *json_out)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", channel, name) < 0)
		return -1;
	struct stat st;
	char *data = NULL;
	size_t size = 0;
	if (read_regular_at(dir, name, &data, &size) < 0 ||
	    fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		int err = errno;
		fprintf(stderr, "faultline: ignoring %s: %s\n", path,
			err == ELOOP	? "a symbolic link"
			: err == EINVAL ? "not a regular file"
					: strerror(err));
		free(data);
		unlinkat(dir, name, 0);
		free(path);
		return -1;
	}
	struct log *log = &c->logs[c->count];
	c->data[c->count++] = data;
	log_parse(log, data, size);
	if (log->report_count == 0)
		fprintf(stderr,
			"faultline: a crashing process left an unreadable "
			"report (%zu bytes)\n",
			size);
	fflush(stderr);
	/* One block per crashed process, set off from the command's own
	 * output. */
	fputc('\n', stderr);
	process_log(log, symbolizer, a->format, name, stderr, stderr, NULL);
	fflush(stderr);
	if (log->report_count) {
		if (json_out)
			process_log(log, NULL, OUTPUT_JSON, name, json_out,
				    NULL, NULL);
		if (a->output_dir)
			keep_report(log, a->output_dir, name);
		if (a->dump_dir)
			keep_crash(log, a->dump_dir, channel, &st);
		struct report **more = realloc(
			c->crashes, (c->crash_count + log->report_count) *
					    sizeof(*c->crashes));
		/* A dump (--timeout) is shown, but is not a crash. */
		for (size_t i = 0; more && i < log->report_count; i++)
			if (!is_dump(log->reports[i]))
				more[c->crash_count++] = log->reports[i];
		if (more)
			c->crashes = more;
	}
	unlinkat(dir, name, 0);
	free(path);
	return 0;
}

static void collect_reports(struct collected *c, const struct run_args *a,
			    const char *channel, FILE *json_out)
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
	c->logs = calloc((size_t)count + 1, sizeof(*c->logs));
	c->data = calloc((size_t)count + 1, sizeof(*c->data));
	struct symbolizer *symbolizer =
		a->symbolize && count
			? symbolizer_new(a->debug_dirs, a->debug_dir_count)
			: NULL;
	for (int i = 0; i < count; i++) {
		/* A second signal: stop, the directory is removed as is. */
		if (c->logs && c->data && !stop_signal)
			collect_one(c, a, channel, dir, entries[i]->d_name,
				    symbolizer, json_out);
		free(entries[i]);
	}
	free(entries);
	close(dir);
	symbolizer_free(symbolizer);
}

static void collected_free(struct collected *c)
{
	for (size_t i = 0; i < c->count; i++) {
		log_free(&c->logs[i]);
		free(c->data[i]);
	}
	free(c->logs);
	free(c->data);
	free(c->crashes);
}

/* The workspace of GitHub annotations: $GITHUB_WORKSPACE, else the
 * current directory.  Allocated. */
static char *workspace(void)
{
	const char *ws = getenv("GITHUB_WORKSPACE");
	return ws && *ws ? strdup(ws) : getcwd(NULL, 0);
}

/* After the reports: the summary line, and under GitHub Actions the
 * annotations and the job summary. */
static void report_crashes(const struct collected *c, const struct run_args *a)
{
	if (c->crash_count == 0)
		return;
	char *root = workspace();
	crash_summary_line(stderr, c->crashes, c->crash_count, root);
	fflush(stderr);
	if (a->github && root) {
		for (size_t i = 0; i < c->crash_count; i++)
			github_annotate(stdout, c->crashes[i], root);
		fflush(stdout);
		const char *summary = getenv("GITHUB_STEP_SUMMARY");
		if (summary && *summary)
			github_step_summary(summary, c->crashes, c->crash_count,
					    root);
	}
	free(root);
}

enum {
	OPT_DUMP_DIR = 256,
	OPT_KEEP,
	OPT_JSON,
	OPT_FAIL_ON_CRASH,
	OPT_CI_ANNOTATIONS,
	OPT_ANNOTATE,
	OPT_TIMEOUT,
	OPT_KILL_AFTER
};

/* arg with ',' and '\' escaped as FAULTLINE_ANNOTATIONS reads them. */
static char *escape_annotation(const char *arg)
{
	char *out = malloc(2 * strlen(arg) + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *p = arg; *p; p++) {
		if (*p == ',' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

/* KEY=VALUE appended to the FAULTLINE_ANNOTATIONS list being built. */
static int add_annotation(struct run_args *a, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		fprintf(stderr,
			"faultline: --annotate takes KEY=VALUE (KEY not "
			"empty), not '%s'\n",
			arg);
		return -1;
	}
	char *escaped = escape_annotation(arg);
	char *joined = NULL;
	if (!escaped ||
	    asprintf(&joined, "%s%s%s", a->annotations ? a->annotations : "",
		     a->annotations ? "," : "", escaped) < 0) {
		free(escaped);
		return -1;
	}
	free(escaped);
	free(a->annotations);
	a->annotations = joined;
	return 0;
}

static int parse_ci_annotations(const char *arg, int *github)
{
	if (strcmp(arg, "github") == 0)
		*github = 1;
	else if (strcmp(arg, "none") == 0)
		*github = 0;
	else {
		fprintf(stderr,
			"faultline: --ci-annotations takes github or none, "
			"not '%s'\n",
			arg);
		return -1;
	}
	return 0;
}

/* 0 to go on; else the exit status. */
static int parse_run_args(int argc, char **argv, struct run_args *a)
{
	static const struct option options[] = {
		{"output-dir", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},
		{"no-symbolize", no_argument, NULL, 'n'},
		{"signals", required_argument, NULL, 's'},
		{"library", required_argument, NULL, 'L'},
		{"debug-dir", required_argument, NULL, 'd'},
		{"dump-dir", required_argument, NULL, OPT_DUMP_DIR},
		{"keep", required_argument, NULL, OPT_KEEP},
		{"json", required_argument, NULL, OPT_JSON},
		{"fail-on-crash", no_argument, NULL, OPT_FAIL_ON_CRASH},
		{"ci-annotations", required_argument, NULL, OPT_CI_ANNOTATIONS},
		{"annotate", required_argument, NULL, OPT_ANNOTATE},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"kill-after", required_argument, NULL, OPT_KILL_AFTER},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *env_keep = getenv("FAULTLINE_KEEP");
	if (env_keep && *env_keep &&
	    dump_dir_parse_keep("FAULTLINE_KEEP", env_keep, &a->keep) < 0)
		return EXIT_RUN_FAILED;
	const char *gha = getenv("GITHUB_ACTIONS");
	a->github = gha && strcmp(gha, "true") == 0;
	int c, keep_given = 0;
	/* "+": options end at COMMAND, whose own options are its own. */
	while ((c = getopt_long(argc, argv, "+o:f:ns:L:d:h", options, NULL)) !=
	       -1) {
		int bad = 0;
		switch (c) {
		case 'o':
			a->output_dir = optarg;
			break;
		case 'f':
			bad = parse_format(optarg, &a->format) < 0;
			break;
		case 'n':
			a->symbolize = 0;
			break;
		case 's':
			a->signals = optarg;
			break;
		case 'L':
			a->library = optarg;
			break;
		case 'd':
			a->debug_dirs[a->debug_dir_count++] = optarg;
			break;
		case OPT_DUMP_DIR:
			a->dump_dir = optarg;
			break;
		case OPT_KEEP:
			bad = dump_dir_parse_keep("--keep", optarg, &a->keep) <
			      0;
			keep_given = 1;
			break;
		case OPT_JSON:
			a->json_file = optarg;
			break;
		case OPT_FAIL_ON_CRASH:
			a->fail_on_crash = 1;
			break;
		case OPT_CI_ANNOTATIONS:
			bad = parse_ci_annotations(optarg, &a->github) < 0;
			break;
		case OPT_ANNOTATE:
			bad = add_annotation(a, optarg) < 0;
			break;
		case OPT_TIMEOUT:
			bad = parse_duration("--timeout", optarg, &a->timeout) <
			      0;
			break;
		case OPT_KILL_AFTER:
			bad = parse_duration("--kill-after", optarg,
					     &a->kill_after) < 0;
			break;
		case 'h':
			fputs("Usage: faultline run [OPTION]... [--] COMMAND "
			      "[ARG]...; see 'faultline --help'\n",
			      stdout);
			return EXIT_SUCCESS;
		default:
			fputs("Try 'faultline --help'.\n", stderr);
			bad = 1;
		}
		if (bad)
			return EXIT_RUN_FAILED;
	}
	if (optind >= argc) {
		fputs("faultline: run needs a command: faultline run "
		      "[OPTION]... -- COMMAND [ARG]...\n",
		      stderr);
		return EXIT_RUN_FAILED;
	}
	if (keep_given && !a->dump_dir) {
		fputs("faultline: --keep needs --dump-dir\n", stderr);
		return EXIT_RUN_FAILED;
	}
	a->command = argv + optind;
	return 0;
}

/* FAULTLINE_ANNOTATIONS: the inherited list, then --annotate's. */
static int set_annotations(const char *more)
{
	if (!more)
		return 0;
	const char *old = getenv("FAULTLINE_ANNOTATIONS");
	char *value = NULL;
	if (asprintf(&value, "%s%s%s", old && *old ? old : "",
		     old && *old ? "," : "", more) < 0)
		return -1;
	int rc = setenv("FAULTLINE_ANNOTATIONS", value, 1);
	free(value);
	return rc;
}

/* --timeout: the tree's dump signal, unless the user chose one. */
static int set_dump_signal(void)
{
	const char *old = getenv("FAULTLINE_DUMP_SIGNAL");
	if (old && *old)
		return 0;
	return setenv("FAULTLINE_DUMP_SIGNAL", TIMEOUT_DUMP_SIGNAL, 1);
}

/* The number of the dump signal the tree has (NAME or SIGNAME); 0 when
 * unknown. */
static int dump_signal_number(void)
{
	const char *name = getenv("FAULTLINE_DUMP_SIGNAL");
	if (!name)
		return 0;
	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev && strcmp(abbrev, name) == 0)
			return sig;
	}
	return 0;
}

static double monotonic_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* waitpid for pid, for at most timeout seconds (0: no limit); the pid, 0
 * when the time ran out, -1 when a signal to stop came. */
static pid_t wait_command(pid_t pid, int *status, double timeout)
{
	double deadline = monotonic_now() + timeout;
	for (;;) {
		pid_t got = waitpid(pid, status, timeout > 0 ? WNOHANG : 0);
		if (got == pid)
			return pid;
		if ((got < 0 && errno != EINTR) || stop_signal)
			return -1;
		if (got == 0) {
			if (monotonic_now() >= deadline)
				return 0;
			struct timespec ts = {0, 50 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
}

static int set_environment(const struct run_args *a, const char *library,
			   const char *channel)
{
	char *template = NULL, *minidump = NULL;
	int rc = -1;
	if (asprintf(&template, "%s/%%t-%%p.json", channel) < 0)
		template = NULL;
	/* Minidumps go to the channel too, for --dump-dir to keep; a
	 * template of the user's own is left alone. */
	if (a->dump_dir && !getenv("FAULTLINE_MINIDUMP") &&
	    asprintf(&minidump, "%s/%%t-%%p.dmp", channel) < 0)
		minidump = NULL;
	if (template &&
	    (!a->dump_dir || getenv("FAULTLINE_MINIDUMP") || minidump) &&
	    set_preload(library) == 0 && let_asan_run() == 0 &&
	    setenv("FAULTLINE_OUTPUT", template, 1) == 0 &&
	    setenv("FAULTLINE_FORMAT", "json", 1) == 0 &&
	    (!a->signals || setenv("FAULTLINE_SIGNALS", a->signals, 1) == 0) &&
	    (!minidump || setenv("FAULTLINE_MINIDUMP", minidump, 1) == 0) &&
	    set_annotations(a->annotations) == 0 &&
	    (!a->timeout || set_dump_signal() == 0))
		rc = 0;
	else
		fprintf(stderr, "faultline: cannot set up the environment\n");
	free(template);
	free(minidump);
	return rc;
}

static const int HANDLED[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};
#define HANDLED_COUNT (sizeof(HANDLED) / sizeof(HANDLED[0]))

/* SIGQUIT is ignored, as system(3) does; the others: on_signal, unless
 * they were ignored already (a background job's SIGINT, nohup's SIGHUP):
 * those stay ignored, for the tool and COMMAND.  Without SA_RESTART, so
 * that waitpid returns to look at stop_signal. */
static void catch_signals(struct sigaction *old)
{
	struct sigaction ignore = {.sa_handler = SIG_IGN},
			 handle = {.sa_sigaction = on_signal,
				   .sa_flags = SA_SIGINFO};
	sigemptyset(&ignore.sa_mask);
	sigfillset(&handle.sa_mask);
	for (size_t i = 0; i < HANDLED_COUNT; i++) {
		sigaction(HANDLED[i], NULL, &old[i]);
		if (HANDLED[i] == SIGQUIT || old[i].sa_handler != SIG_IGN)
			sigaction(HANDLED[i],
				  HANDLED[i] == SIGQUIT ? &ignore : &handle,
				  NULL);
	}
}

static void restore_signals(const struct sigaction *old)
{
	for (size_t i = 0; i < HANDLED_COUNT; i++)
		sigaction(HANDLED[i], &old[i], NULL);
}

/* Run COMMAND; its exit status as the shell gives it, or ours; -1 when
 * it ran out of time. */
static int run_command(char **command, const struct sigaction *old,
		       double timeout)
{
	/* The child tells us through this close-on-exec pipe why exec
	 * failed; a successful exec closes it empty. */
	int exec_pipe[2];
	if (pipe2(exec_pipe, O_CLOEXEC) < 0) {
		fprintf(stderr, "faultline: pipe: %s\n", strerror(errno));
		return EXIT_RUN_FAILED;
	}
	fflush(NULL);
	/* Blocked until child_pid is set: a signal in between is passed on,
	 * not taken as one that arrived with no command to pass it to. */
	sigset_t handled, was;
	sigemptyset(&handled);
	for (size_t i = 0; i < HANDLED_COUNT; i++)
		sigaddset(&handled, HANDLED[i]);
	sigprocmask(SIG_BLOCK, &handled, &was);
	pid_t pid = fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &was, NULL);
		fprintf(stderr, "faultline: fork: %s\n", strerror(errno));
		close(exec_pipe[0]);
		close(exec_pipe[1]);
		return EXIT_RUN_FAILED;
	}
	if (pid == 0) {
		restore_signals(old);
		sigprocmask(SIG_SETMASK, &was, NULL);
		close(exec_pipe[0]);
		execvp(command[0], command);
		int error = errno;
		if (write(exec_pipe[1], &error, sizeof(error)) < 0)
			_exit(EXIT_CANNOT_EXEC);
		_exit(error == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
	}
	child_pid = pid;
	sigprocmask(SIG_SETMASK, &was, NULL);
	close(exec_pipe[1]);
	int exec_error = 0;
	ssize_t got;
	while ((got = read(exec_pipe[0], &exec_error, sizeof(exec_error))) <
		       0 &&
	       errno == EINTR && !stop_signal)
		;
	close(exec_pipe[0]);

	int status = 0;
	pid_t waited = got > 0 ? waitpid(pid, &status, 0)
			       : wait_command(pid, &status, timeout);
	if (waited == 0)
		return -1; /* child_pid stays: a signal now is passed on */
	child_pid = 0;
	if (waited != pid)
		return EXIT_RUN_FAILED; /* stopped waiting: stop_signal */
	if (got == (ssize_t)sizeof(exec_error)) {
		fprintf(stderr, "faultline: cannot run %s: %s\n", command[0],
			strerror(exec_error));
		return exec_error == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static FILE *open_json_channel(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		fprintf(stderr, "faultline: cannot open %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return out;
}

/* Set up, run, collect; the exit status. */
static int run(const struct run_args *a, const char *library,
	       const char *channel, FILE *json_out, const struct sigaction *old)
{
	if (set_environment(a, library, channel) < 0)
		return EXIT_RUN_FAILED;
	if (a->dump_dir && a->keep >= 0)
		dump_dir_prune(a->dump_dir, a->keep);
	/* Orphans of the tree stay ours, to be found at the timeout. */
	if (a->timeout > 0 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		fprintf(stderr,
			"faultline: cannot be the tree's subreaper: "
			"%s\n",
			strerror(errno));
	int exit_status = stop_signal
				  ? EXIT_RUN_FAILED
				  : run_command(a->command, old, a->timeout);
	if (exit_status < 0) {
		timeout_dump_and_end(channel, dump_signal_number(),
				     a->kill_after);
		child_pid = 0;
		exit_status = EXIT_TIMED_OUT;
	}

	/* "faultline run ... 2>&1 | head" closes our stderr early: finish
	 * quietly and still remove the reports rather than die of SIGPIPE
	 * (set only now: COMMAND must get the default disposition). */
	signal(SIGPIPE, SIG_IGN);
	struct collected c = {0};
	collect_reports(&c, a, channel, json_out);
	if (!stop_signal)
		report_crashes(&c, a);
	if (a->dump_dir && a->keep >= 0)
		dump_dir_prune(a->dump_dir, a->keep);
	/* --fail-on-crash: 1 (documented) when COMMAND said 0. */
	if (a->fail_on_crash && c.crash_count && exit_status == 0)
		exit_status = 1;
	collected_free(&c);
	return exit_status;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = {.keep = -1,
			     .format = OUTPUT_TEXT,
			     .symbolize = 1,
			     .kill_after = 5};
	a.debug_dirs = calloc((size_t)argc, sizeof(*a.debug_dirs));
	char *library = NULL, *channel = NULL;
	FILE *json_out = NULL;
	struct sigaction old[HANDLED_COUNT];
	int caught = 0;
	int exit_status =
		a.debug_dirs ? parse_run_args(argc, argv, &a) : EXIT_RUN_FAILED;
	if (exit_status != 0 || !a.command)
		goto out;
	exit_status = EXIT_RUN_FAILED;
	if ((a.output_dir && dump_dir_prepare(a.output_dir) < 0) ||
	    (a.dump_dir && dump_dir_prepare(a.dump_dir) < 0))
		goto out;
	if (!(library = find_library(a.library)))
		goto out;
	if (a.json_file && !(json_out = open_json_channel(a.json_file)))
		goto out;
	catch_signals(old);
	caught = 1;
	run_state_collect_stale();
	if (!(channel = run_state_create()))
		goto out;
	exit_status = run(&a, library, channel, json_out, old);
out:
	if (channel)
		run_state_remove(channel);
	if (json_out && fclose(json_out) != 0) {
		fprintf(stderr, "faultline: cannot write %s\n", a.json_file);
		exit_status = EXIT_RUN_FAILED;
	}
	free(channel);
	free(library);
	free(a.debug_dirs);
	free(a.annotations);
	if (caught) {
		int sig = stop_signal;
		restore_signals(old);
		if (sig) {
			/* Die of the signal that ended us, as its sender
			 * expects. */
			signal(sig, SIG_DFL);
			raise(sig);
		}
	}
	return exit_status;
}
