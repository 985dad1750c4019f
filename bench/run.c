/*
 * run.c - A/B benchmark driver: alternating rounds in one run, medians
 * and their ratio.
 *
 * Absolute times drift on a shared machine (other jobs, frequency
 * scaling), so two variants are only ever compared within one run, in
 * alternating rounds A B A B ..., and the figure of merit is the ratio of
 * the medians.  Each round forks, execs the program with the variant's
 * environment and reaps it; the time is CLOCK_MONOTONIC from before fork
 * to after wait4, which also gives the child's CPU time (user + system),
 * a second figure less sensitive to a loaded machine, and its minor page
 * faults (a drift-free count; each costs microseconds in a VM).  The child's
 * stdout and stderr go to a pipe that we drain as CI would (or to /dev/null
 * with -o null), and it runs with RLIMIT_CORE 0 so that a crash never measures
 * the kernel writing a core.
 *
 * A program may also write a struct timespec (CLOCK_MONOTONIC, which is
 * system-wide) to the descriptor named by FL_BENCH_TS_FD just before it
 * crashes: we then also report the time from that instant to the reaped
 * death, without process start-up.
 *
 * usage: run [-n rounds] [-w warmup] [-t target] [-l label] [-o pipe|null]
 *            [-s signal] [-Q | -R] [-A name] [-B name] [-a VAR=VAL]... [-b
 * VAR=VAL]...
 *            [-e VAR=VAL]... -- program [args...]
 *
 * -s: the program must die by this signal (else exit with status 0).
 * -Q: neither variant may write anything (a failed preload makes the
 * loader complain); -R: A must write a report, B nothing.
 *
 * Exit status: 0 when the ratio of medians A/B is within the target (or
 * no target was given), 1 when it is not, 2 on error (a round that did not
 * end as expected, a bad option).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_ENV 64
#define TS_FD 3
#define ROUND_TIMEOUT_MS 30000

struct variant {
	const char *name;
	char *env[MAX_ENV];
	int nenv;
	char **envp;	  /* the child's whole environment */
	double *ns;	  /* fork to reaped death, per kept round */
	double *fault_ns; /* FL_BENCH_TS_FD stamp to reaped death */
	double *cpu_ns;	  /* the child's user + system CPU time */
	double *minflt;	  /* the child's minor page faults */
	double *out;	  /* bytes the child wrote to stdout + stderr */
	int nfault;
};

static int rounds = 100, warmup = 10, to_null;
static int expect_sig; /* 0: the program must exit with status 0 */
/* What the variants must write: -Q nothing at all (a preload that failed
 * makes the loader complain), -R a report from A and nothing from B. */
static int want_quiet, want_report;
static double target;
static const char *label = "bench";

static void die(const char *what)
{
	fprintf(stderr, "run: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void add_env(struct variant *v, char *kv)
{
	if (!strchr(kv, '=') || v->nenv == MAX_ENV) {
		fprintf(stderr, "run: bad or too many VAR=VAL: %s\n", kv);
		exit(2);
	}
	v->env[v->nenv++] = kv;
}

/* Our environment minus what the variants control (LD_PRELOAD and
 * FAULTLINE_*, so that the caller's settings cannot leak into one side),
 * plus the variant's own settings. */
static void build_env(struct variant *v)
{
	size_t n = 0, k = 0;

	while (environ[n])
		n++;
	v->envp = calloc(n + (size_t)v->nenv + 2, sizeof(char *));
	if (!v->envp)
		die("calloc");
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(environ[i], "LD_PRELOAD=", 11) ||
		    !strncmp(environ[i], "FAULTLINE_", 10) ||
		    !strncmp(environ[i], "FL_BENCH_TS_FD=", 15))
			continue;
		v->envp[k++] = environ[i];
	}
	for (int i = 0; i < v->nenv; i++)
		v->envp[k++] = v->env[i];
	v->envp[k++] = "FL_BENCH_TS_FD=3";
	v->envp[k] = NULL;
}

static void child(char **argv, char **envp, int out_fd, int ts_fd)
{
	struct rlimit no_core = {0, 0};

	setrlimit(RLIMIT_CORE, &no_core);
	if (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(out_fd, STDERR_FILENO) < 0)
		_exit(127);
	if (ts_fd != TS_FD) {
		if (dup2(ts_fd, TS_FD) < 0)
			_exit(127);
		close(ts_fd);
	} else {
		fcntl(TS_FD, F_SETFD, 0);
	}
	if (out_fd > STDERR_FILENO && out_fd != TS_FD)
		close(out_fd);
	execve(argv[0], argv, envp);
	_exit(127);
}

/* One round: returns 0 and fills the figures, or -1 with a message. */
static int one_round(char **argv, struct variant *v, double *ns, double *cpu_ns,
		     double *minflt, double *fault_ns, double *out_bytes)
{
	struct rusage ru;
	int outp[2] = {-1, -1}, tsp[2];
	int status, null_fd = -1;
	double t0, t1, bytes = 0;
	struct timespec stamp;
	pid_t pid;

	if (pipe2(tsp, O_CLOEXEC) != 0)
		die("pipe");
	if (to_null) {
		null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null_fd < 0)
			die("/dev/null");
	} else if (pipe2(outp, O_CLOEXEC) != 0) {
		die("pipe");
	}
	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* dup2 clears O_CLOEXEC on the copies the child keeps. */
		child(argv, v->envp, to_null ? null_fd : outp[1], tsp[1]);
	}
	close(tsp[1]);
	if (to_null) {
		close(null_fd);
	} else {
		char buf[65536];
		struct pollfd pfd = {outp[0], POLLIN, 0};

		close(outp[1]);
		for (;;) {
			ssize_t n;
			int r = poll(&pfd, 1, ROUND_TIMEOUT_MS);
			if (r < 0 && errno == EINTR)
				continue;
			if (r == 0) {
				kill(pid, SIGKILL);
				fprintf(stderr, "run: %s: round timed out\n",
					v->name);
				return -1;
			}
			n = read(outp[0], buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			bytes += (double)n;
		}
		close(outp[0]);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	t1 = now_ns();
	*cpu_ns = ((double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec) *
			  1e9 +
		  ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) *
			  1e3;
	*minflt = (double)ru.ru_minflt;
	*fault_ns = -1;
	if (read(tsp[0], &stamp, sizeof(stamp)) == (ssize_t)sizeof(stamp))
		*fault_ns = t1 - ((double)stamp.tv_sec * 1e9 +
				  (double)stamp.tv_nsec);
	close(tsp[0]);
	*ns = t1 - t0;
	*out_bytes = bytes;
	if (expect_sig
		    ? !(WIFSIGNALED(status) && WTERMSIG(status) == expect_sig)
		    : !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		fprintf(stderr,
			"run: %s: unexpected end (status 0x%x; wanted %s %d)\n",
			v->name, status, expect_sig ? "signal" : "exit",
			expect_sig);
		return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Quantile q of n values (sorts them), linear interpolation. */
static double quantile(double *x, int n, double q)
{
	double pos;
	int i;

	if (n <= 0)
		return 0;
	qsort(x, (size_t)n, sizeof(*x), cmp_double);
	pos = q * (n - 1);
	i = (int)pos;
	if (i + 1 >= n)
		return x[n - 1];
	return x[i] + (pos - i) * (x[i + 1] - x[i]);
}

static void print_variant(const char *tag, struct variant *v)
{
	double med = quantile(v->ns, rounds, 0.5);
	double q1 = quantile(v->ns, rounds, 0.25);
	double q3 = quantile(v->ns, rounds, 0.75);

	printf("  %s %-24s median %9.1f us  [q1 %9.1f, q3 %9.1f]  "
	       "cpu %7.1f us  %4.0f page faults  output %.0f bytes\n",
	       tag, v->name, med / 1e3, q1 / 1e3, q3 / 1e3,
	       quantile(v->cpu_ns, rounds, 0.5) / 1e3,
	       quantile(v->minflt, rounds, 0.5), quantile(v->out, rounds, 0.5));
}

static void usage(void)
{
	fprintf(stderr,
		"usage: run [-n rounds] [-w warmup] [-t target] [-l label] "
		"[-o pipe|null]\n"
		"           [-s signal] [-Q | -R] [-A name] [-B name] "
		"[-a VAR=VAL]... [-b VAR=VAL]...\n"
		"           [-e VAR=VAL]... -- program [args...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct variant var[2] = {{.name = "A"}, {.name = "B"}};
	double *pair_ratio;
	double med[2], ratio;
	int opt, total, pass;

	while ((opt = getopt(argc, argv, "n:w:t:l:o:s:QRA:B:a:b:e:")) != -1) {
		switch (opt) {
		case 'n':
			rounds = atoi(optarg);
			break;
		case 'w':
			warmup = atoi(optarg);
			break;
		case 't':
			target = atof(optarg);
			break;
		case 'l':
			label = optarg;
			break;
		case 'o':
			if (!strcmp(optarg, "null"))
				to_null = 1;
			else if (strcmp(optarg, "pipe"))
				usage();
			break;
		case 's':
			expect_sig = atoi(optarg);
			break;
		case 'Q':
			want_quiet = 1;
			break;
		case 'R':
			want_report = 1;
			break;
		case 'A':
			var[0].name = optarg;
			break;
		case 'B':
			var[1].name = optarg;
			break;
		case 'a':
			add_env(&var[0], optarg);
			break;
		case 'b':
			add_env(&var[1], optarg);
			break;
		case 'e':
			add_env(&var[0], optarg);
			add_env(&var[1], optarg);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || rounds < 1 || warmup < 0)
		usage();
	argv += optind;
	total = warmup + rounds;
	for (int k = 0; k < 2; k++) {
		build_env(&var[k]);
		var[k].ns = calloc((size_t)rounds, sizeof(double));
		var[k].fault_ns = calloc((size_t)rounds, sizeof(double));
		var[k].cpu_ns = calloc((size_t)rounds, sizeof(double));
		var[k].minflt = calloc((size_t)rounds, sizeof(double));
		var[k].out = calloc((size_t)rounds, sizeof(double));
		if (!var[k].ns || !var[k].fault_ns || !var[k].out ||
		    !var[k].cpu_ns || !var[k].minflt)
			die("calloc");
	}
	pair_ratio = calloc((size_t)rounds, sizeof(double));
	if (!pair_ratio)
		die("calloc");

	for (int r = 0; r < total; r++) {
		for (int k = 0; k < 2; k++) {
			struct variant *v = &var[k];
			double ns, cpu, flt, fns, bytes;
			int i = r - warmup;

			if (one_round(argv, v, &ns, &cpu, &flt, &fns, &bytes) !=
			    0)
				return 2;
			if (!to_null && (want_quiet || want_report) &&
			    (bytes > 0) != (want_report && k == 0)) {
				fprintf(stderr,
					"run: %s wrote %.0f bytes: expected "
					"%s\n",
					v->name, bytes,
					bytes > 0 ? "none" : "a report");
				return 2;
			}
			if (i < 0)
				continue; /* warm-up: page cache, CPU clock */
			v->ns[i] = ns;
			v->cpu_ns[i] = cpu;
			v->minflt[i] = flt;
			v->out[i] = bytes;
			if (fns >= 0)
				v->fault_ns[v->nfault++] = fns;
		}
		if (r >= warmup)
			pair_ratio[r - warmup] =
				var[0].ns[r - warmup] / var[1].ns[r - warmup];
	}

	printf("%s: %s\n", label, argv[0]);
	printf("  %d rounds alternating A B A B (%d warm-up rounds "
	       "discarded), output to %s\n",
	       rounds, warmup, to_null ? "/dev/null" : "a drained pipe");
	print_variant("A", &var[0]);
	print_variant("B", &var[1]);
	for (int k = 0; k < 2; k++)
		med[k] = quantile(var[k].ns, rounds, 0.5);
	ratio = med[0] / med[1];
	printf("  cpu time (user + sys of the child, less sensitive to load): "
	       "ratio of medians %.3f\n",
	       quantile(var[0].cpu_ns, rounds, 0.5) /
		       quantile(var[1].cpu_ns, rounds, 0.5));
	if (var[0].nfault == rounds && var[1].nfault == rounds) {
		double fa = quantile(var[0].fault_ns, rounds, 0.5);
		double fb = quantile(var[1].fault_ns, rounds, 0.5);
		printf("  fault-to-death only: A median %.1f us, B median "
		       "%.1f us, A-B %.1f us, ratio %.2f\n",
		       fa / 1e3, fb / 1e3, (fa - fb) / 1e3, fa / fb);
	}
	printf("  ratio of medians A/B = %.3f  (median of paired ratios "
	       "%.3f)\n",
	       ratio, quantile(pair_ratio, rounds, 0.5));
	pass = target <= 0 || ratio <= target;
	if (target > 0)
		printf("  target <= %.2f: %s\n", target,
		       pass ? "PASS" : "FAIL");
	fflush(stdout);
	return pass ? 0 : 1;
}
