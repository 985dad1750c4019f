/*
 * test-env.c - preload-mode configuration (issue 2, section 3): each
 * FAULTLINE_* variable, invalid values (one warning line, the default,
 * and the program runs on), report files created O_EXCL|O_NOFOLLOW with
 * mode 0600, fd:N, and FAULTLINE_DISABLE.
 */
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const struct run *r;

/* Run scenario with one or two variables set. */
static void go(enum child_kind kind, const char *scenario, const char *env1,
	       const char *env2)
{
	struct spawn sp = {
		.kind = kind, .args = {scenario}, .env = {env1, env2}};

	r = spawn(&sp);
}

/* The crash test with one or two variables set: death by sig after one
 * text report. */
static void crash_with(enum child_kind kind, const char *scenario,
		       const char *env1, const char *env2, int sig)
{
	struct spawn sp = {
		.kind = kind, .args = {scenario}, .env = {env1, env2}};

	r = crash_spawn(&sp, sig, NULL, NULL);
}

static void check_no_report(void)
{
	check_lacks("stderr", r->err, "==== faultline");
	check_lacks("stderr", r->err, "{\"faultline\"");
}

/* The program runs on after exactly one warning line naming the
 * variable and its value. */
static void check_warning(const char *var, const char *value)
{
	go(CHILD_PRELOAD, "ok", var, NULL);
	check_exited(r, 0);
	check_has("stdout", r->out, "still running");
	CHECK(line_count(r->err) == 1, "expected one warning line, got %zu: %s",
	      line_count(r->err), r->err);
	CHECK(strncmp(r->err, "faultline: ", 11) == 0,
	      "warning does not start with 'faultline: '");
	check_has("warning", r->err, value);
	check_has("warning", r->err, "using ");
}

TEST(env_signals_list)
{
	go(CHILD_PRELOAD, "abort", "FAULTLINE_SIGNALS=SEGV", NULL);
	check_died(r, SIGABRT);
	check_no_report();
	crash_with(CHILD_PRELOAD, "null-read", "FAULTLINE_SIGNALS=SEGV", NULL,
		   SIGSEGV);
	return 0;
}

TEST(env_signals_name_forms)
{
	crash_with(CHILD_PRELOAD, "abort", "FAULTLINE_SIGNALS=sigabrt,Bus",
		   NULL, SIGABRT);
	crash_with(CHILD_PRELOAD, "mapped-file-past-end",
		   "FAULTLINE_SIGNALS=sigabrt,Bus", NULL, SIGBUS);
	go(CHILD_PRELOAD, "null-read", "FAULTLINE_SIGNALS=sigabrt,Bus", NULL);
	check_died(r, SIGSEGV);
	check_no_report();
	return 0;
}

TEST(env_signals_all)
{
	crash_with(CHILD_PRELOAD, "breakpoint", "FAULTLINE_SIGNALS=all", NULL,
		   SIGTRAP);
	go(CHILD_PRELOAD, "ok", "FAULTLINE_SIGNALS=all", NULL);
	check_exited(r, 0);
	CHECK(r->err_len == 0, "unexpected output: %s", r->err);
	/* beyond the default set: the other core-dumping signals */
	for (size_t i = 0; i < 3; i++) {
		static const int extra[] = {SIGQUIT, SIGXCPU, SIGXFSZ};
		struct spawn sp = {.kind = CHILD_PRELOAD,
				   .args = {"wait-for-kill"},
				   .env = {"FAULTLINE_SIGNALS=all"},
				   .kill_when_ready = extra[i]};

		r = crash_spawn(&sp, (unsigned long)extra[i], NULL, NULL);
	}
	/* and not the ones that end a process without a core */
	struct spawn term = {.kind = CHILD_PRELOAD,
			     .args = {"wait-for-kill"},
			     .env = {"FAULTLINE_SIGNALS=all"},
			     .kill_when_ready = SIGTERM};
	r = spawn(&term);
	check_died(r, SIGTERM);
	check_no_report();
	return 0;
}

TEST(env_signals_invalid)
{
	check_warning("FAULTLINE_SIGNALS=SEGV,BOGUS",
		      "FAULTLINE_SIGNALS='SEGV,BOGUS'");
	/* The default set applies: SIGABRT is in it. */
	crash_with(CHILD_PRELOAD, "abort", "FAULTLINE_SIGNALS=SEGV,BOGUS", NULL,
		   SIGABRT);
	check_warning("FAULTLINE_SIGNALS=KILL", "FAULTLINE_SIGNALS='KILL'");
	check_warning("FAULTLINE_SIGNALS=", "FAULTLINE_SIGNALS=''");
	return 0;
}

TEST(env_format)
{
	crash_with(CHILD_PRELOAD, "null-read", "FAULTLINE_FORMAT=text", NULL,
		   SIGSEGV);
	go(CHILD_PRELOAD, "null-read", "FAULTLINE_FORMAT=json", NULL);
	check_died(r, SIGSEGV);
	check_has("stderr", r->err, "{\"faultline\":");
	check_lacks("stderr", r->err, "==== faultline");
	return 0;
}

TEST(env_format_invalid)
{
	check_warning("FAULTLINE_FORMAT=xml", "FAULTLINE_FORMAT='xml'");
	crash_with(CHILD_PRELOAD, "null-read", "FAULTLINE_FORMAT=xml", NULL,
		   SIGSEGV); /* text, the default */
	return 0;
}

static char *slurp(const char *path)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

TEST(env_output_fd)
{
	int fd = open("fd-report.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"null-read"},
			   .env = {"FAULTLINE_OUTPUT=fd:7"},
			   .pass_fd = fd,
			   .fd_target = 7};

	r = spawn(&sp);
	close(fd);
	check_died(r, SIGSEGV);
	check_no_report();
	check_one_report(slurp("fd-report.txt"));
	return 0;
}

TEST(env_output_fd_invalid)
{
	check_warning("FAULTLINE_OUTPUT=fd:99", "FAULTLINE_OUTPUT='fd:99'");
	check_warning("FAULTLINE_OUTPUT=fd:abc", "FAULTLINE_OUTPUT='fd:abc'");
	crash_with(CHILD_PRELOAD, "null-read", "FAULTLINE_OUTPUT=fd:99", NULL,
		   SIGSEGV);
	return 0;
}

static void check_report_file(const char *path)
{
	struct stat st;

	CHECK(lstat(path, &st) == 0, "report file %s was not created", path);
	CHECK(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600,
	      "report file mode is 0%o, not 0600", st.st_mode & 07777);
	check_one_report(slurp(path));
	check_no_report();
}

TEST(env_output_template)
{
	char env[4200], cwd[2048], want[4200];
	long long t0, t1, t;
	const char *tdigits;

	if (!getcwd(cwd, sizeof(cwd)))
		return 99;
	snprintf(env, sizeof(env), "FAULTLINE_OUTPUT=%s/rep-%%e-%%p-%%%%.txt",
		 cwd);
	go(CHILD_PRELOAD, "null-read", env, NULL);
	check_died(r, SIGSEGV);
	snprintf(want, sizeof(want), "%s/rep-crashme-plain-%ld-%%.txt", cwd,
		 (long)r->pid);
	check_report_file(want);

	snprintf(env, sizeof(env), "FAULTLINE_OUTPUT=%s/time-%%t.txt", cwd);
	t0 = (long long)time(NULL);
	go(CHILD_PRELOAD, "abort", env, NULL);
	t1 = (long long)time(NULL);
	check_died(r, SIGABRT);
	tdigits = NULL;
	for (t = t0; t <= t1; t++) {
		snprintf(want, sizeof(want), "%s/time-%lld.txt", cwd, t);
		if (access(want, F_OK) == 0) {
			tdigits = want;
			break;
		}
	}
	CHECK(tdigits, "no time-<unix time>.txt between %lld and %lld", t0, t1);
	if (tdigits)
		check_report_file(tdigits);
	return 0;
}

static void check_refused(const char *path)
{
	char want[4200];

	snprintf(want, sizeof(want),
		 "faultline: cannot create report file '%s': ", path);
	CHECK(strncmp(r->err, want, strlen(want)) == 0,
	      "stderr does not start with the reason line");
	CHECK(count_of(r->err, "faultline: cannot create") == 1,
	      "not exactly one reason line");
	check_one_report(r->err);
}

TEST(env_output_exists)
{
	char env[8400], cwd[2048], path[4200];
	int fd;

	if (!getcwd(cwd, sizeof(cwd)))
		return 99;
	snprintf(path, sizeof(path), "%s/exists.txt", cwd);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, "old\n", 4) == 4, "cannot create %s", path);
	close(fd);
	snprintf(env, sizeof(env), "FAULTLINE_OUTPUT=%s", path);
	go(CHILD_PRELOAD, "null-read", env, NULL);
	check_died(r, SIGSEGV);
	check_refused(path);
	check_has("stderr", r->err, "file exists");
	CHECK(slurp(path) && strcmp(slurp(path), "old\n") == 0,
	      "the existing file was changed");
	return 0;
}

TEST(env_output_symlink)
{
	char env[8400], cwd[2048], link[4200], target[4200];

	if (!getcwd(cwd, sizeof(cwd)))
		return 99;
	snprintf(link, sizeof(link), "%s/link.txt", cwd);
	snprintf(target, sizeof(target), "%s/target.txt", cwd);
	CHECK(symlink(target, link) == 0, "cannot create the symlink");
	snprintf(env, sizeof(env), "FAULTLINE_OUTPUT=%s", link);
	go(CHILD_PRELOAD, "null-read", env, NULL);
	check_died(r, SIGSEGV);
	check_refused(link);
	CHECK(access(target, F_OK) != 0, "the symlink was followed");
	return 0;
}

/* A directory link planted on the path, in a sticky world-writable
 * directory (as in /tmp): the report is not redirected through it. */
TEST(env_output_symlinked_directory)
{
	char env[8400], cwd[2048], sticky[4200], link[4300], target[4200];
	char file[4400];

	/* qemu-user has no openat2 and maps "/" to its sysroot, where the
	 * directory walk misses: the library falls back to plain open. */
	if (emulator()) {
		printf("  qemu-user: no openat2, no walk from /: skipped\n");
		return SKIP;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return 99;
	snprintf(sticky, sizeof(sticky), "%s/sticky", cwd);
	snprintf(target, sizeof(target), "%s/elsewhere", cwd);
	snprintf(link, sizeof(link), "%s/d", sticky);
	CHECK(mkdir(sticky, 0777) == 0 && chmod(sticky, 01777) == 0 &&
		      mkdir(target, 0700) == 0 && symlink(target, link) == 0,
	      "cannot set up the directories");
	snprintf(file, sizeof(file), "%s/report.txt", link);
	snprintf(env, sizeof(env), "FAULTLINE_OUTPUT=%s", file);
	go(CHILD_PRELOAD, "null-read", env, NULL);
	check_died(r, SIGSEGV);
	check_refused(file);
	check_has("stderr", r->err, "': a symbolic link on the path; ");
	snprintf(file, sizeof(file), "%s/report.txt", target);
	CHECK(access(file, F_OK) != 0, "the directory link was followed");
	return 0;
}

/* Where the kernel has no openat2 (before Linux 5.6; a seccomp filter
 * here answers ENOSYS, as such a kernel does), the path is walked one
 * directory at a time: a directory link is still refused, and a plain
 * path still gets the report. */
static void walk_without_openat2(const char *env)
{
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"seccomp-errno", "no-openat2"},
			   .env = {env}};

	r = spawn(&sp);
}

TEST(env_output_walk_without_openat2)
{
	char env[8400], cwd[2048], dir[4200], link[4200], file[4400];

	if (emulator()) {
		printf("  qemu-user: no seccomp filters: skipped\n");
		return SKIP;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return 99;
	snprintf(dir, sizeof(dir), "%s/walked", cwd);
	snprintf(link, sizeof(link), "%s/walked-link", cwd);
	CHECK(mkdir(dir, 0700) == 0 && symlink(dir, link) == 0,
	      "cannot set up the directories");

	snprintf(file, sizeof(file), "%s/report.txt", link);
	snprintf(env, sizeof(env), "FAULTLINE_OUTPUT=%s", file);
	walk_without_openat2(env);
	check_died(r, SIGSEGV);
	check_refused(file);
	check_has("stderr", r->err, "': a symbolic link on the path; ");
	snprintf(file, sizeof(file), "%s/report.txt", dir);
	CHECK(access(file, F_OK) != 0, "the directory link was followed");

	snprintf(env, sizeof(env), "FAULTLINE_OUTPUT=%s", file);
	walk_without_openat2(env);
	check_died(r, SIGSEGV);
	check_report_file(file);
	return 0;
}

TEST(env_output_template_invalid)
{
	check_warning("FAULTLINE_OUTPUT=/tmp/x-%x",
		      "FAULTLINE_OUTPUT='/tmp/x-%x'");
	return 0;
}

TEST(env_disable)
{
	go(CHILD_PRELOAD, "null-read", "FAULTLINE_DISABLE=1", NULL);
	check_died(r, SIGSEGV);
	CHECK(r->err_len == 0, "output with FAULTLINE_DISABLE=1: %s", r->err);
	go(CHILD_LINKED, "null-read", "FAULTLINE_DISABLE=1", NULL);
	check_died(r, SIGSEGV);
	CHECK(r->err_len == 0, "linked, FAULTLINE_DISABLE=1: %s", r->err);
	/* Also when the program passes options. */
	go(CHILD_LINKED, "json-options", "FAULTLINE_DISABLE=1", NULL);
	check_died(r, SIGSEGV);
	CHECK(r->err_len == 0, "options, FAULTLINE_DISABLE=1: %s", r->err);
	crash_with(CHILD_PRELOAD, "null-read", "FAULTLINE_DISABLE=0", NULL,
		   SIGSEGV);
	return 0;
}

TEST(env_disable_invalid)
{
	check_warning("FAULTLINE_DISABLE=maybe", "FAULTLINE_DISABLE='maybe'");
	crash_with(CHILD_PRELOAD, "null-read", "FAULTLINE_DISABLE=maybe", NULL,
		   SIGSEGV);
	return 0;
}

TEST(env_ignored_with_options)
{
	go(CHILD_LINKED, "json-options", "FAULTLINE_FORMAT=text",
	   "FAULTLINE_SIGNALS=ABRT");
	check_died(r, SIGSEGV);
	check_has("stderr", r->err, "{\"faultline\":");
	return 0;
}

TEST(env_one_warning_each)
{
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"ok"},
			   .env = {"FAULTLINE_SIGNALS=NOPE",
				   "FAULTLINE_FORMAT=yaml",
				   "FAULTLINE_OUTPUT=fd:-1"}};

	r = spawn(&sp);
	check_exited(r, 0);
	CHECK(line_count(r->err) == 3, "expected three warning lines: %s",
	      r->err);
	return 0;
}
