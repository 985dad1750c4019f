/*
 * test-output.c - where the report goes when its destination fails
 * (issue 13): a report file over RLIMIT_FSIZE, on a full file system or
 * on a device that fails with EIO,
 * a descriptor that is full (/dev/full), closed by the program or a pipe
 * nobody reads (a full one: test-safety).  The process dies by its own
 * signal (never SIGXFSZ or SIGPIPE), and what cannot go to the
 * destination goes to stderr: one line saying why, then the whole report.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct run *r;

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* stderr starts with the line saying why the destination failed, and
 * holds one complete report after it. */
static void check_detour(const char *line)
{
	CHECK(strncmp(r->err, line, strlen(line)) == 0,
	      "stderr does not start with \"%s\"", line);
	CHECK(count_of(r->err, "faultline: cannot ") == 1,
	      "not exactly one reason line");
	check_one_report(r->err);
}

/* FAULTLINE_OUTPUT=path, scenario ARG, by a child of kind. */
static void crash_to_file(enum child_kind kind, const char *path,
			  const char *scenario, const char *arg)
{
	char env[4200];
	struct spawn sp = {.kind = kind, .args = {scenario, arg}, .env = {env}};

	snprintf(env, sizeof(env), "FAULTLINE_OUTPUT=%s", path);
	unlink(path);
	r = crash_spawn(&sp, SIGSEGV, NULL, "null pointer dereference");
}

/* fd:7 is fd, scenario ARG. */
static void crash_to_fd(int fd, const char *scenario, const char *arg)
{
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {scenario, arg},
			   .env = {"FAULTLINE_OUTPUT=fd:7"},
			   .pass_fd = fd,
			   .fd_target = 7};

	r = crash_spawn(&sp, SIGSEGV, NULL, "null pointer dereference");
}

static const char *here(const char *name)
{
	static char path[4200];
	char cwd[4096];

	if (!getcwd(cwd, sizeof(cwd)))
		exit(99);
	snprintf(path, sizeof(path), "%s/%s", cwd, name);
	return path;
}

TEST(file_size_limit)
{
	char line[4400];
	const char *path = here("fsize.txt");

	snprintf(line, sizeof(line),
		 "faultline: cannot write report file '%s': file too large "
		 "(RLIMIT_FSIZE); the report follows here\n",
		 path);
	for (int kind = CHILD_LINKED; kind <= CHILD_PRELOAD; kind++) {
		/* A part of the report fits, the rest does not. */
		crash_to_file((enum child_kind)kind, path, "file-size-limit",
			      "1000");
		check_detour(line);
		CHECK(file_size(path) == 1000, "the file holds %ld bytes",
		      file_size(path));
		/* Nothing fits. */
		crash_to_file((enum child_kind)kind, path, "file-size-limit",
			      "0");
		check_detour(line);
		CHECK(file_size(path) == 0, "the file holds %ld bytes",
		      file_size(path));
	}
	return 0;
}

/* A file system with no space left: a tmpfs of one page, filled, in a
 * mount namespace of our own (root only). */
static int full_file_system(char *dir, size_t cap)
{
	int fd;
	char fill[4096];

	snprintf(dir, cap, "%s", here("full"));
	if (geteuid() != 0 || mkdir(dir, 0700) != 0 ||
	    unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("tmpfs", dir, "tmpfs", 0, "size=4k") != 0) {
		printf("cannot mount a small tmpfs here (%s; root: %s): "
		       "skipped\n",
		       strerror(errno), geteuid() == 0 ? "yes" : "no");
		rmdir(dir);
		return -1;
	}
	memset(fill, 'x', sizeof(fill));
	fd = open(here("full/fill"), O_WRONLY | O_CREAT, 0600);
	while (fd >= 0 && write(fd, fill, sizeof(fill)) > 0)
		;
	if (fd >= 0)
		close(fd);
	return 0;
}

TEST(no_space_left_file)
{
	char dir[4200], path[4300], line[4500];

	if (full_file_system(dir, sizeof(dir)) != 0)
		return SKIP;
	snprintf(path, sizeof(path), "%s/report.txt", dir);
	snprintf(line, sizeof(line),
		 "faultline: cannot write report file '%s': no space left; "
		 "the report follows here\n",
		 path);
	crash_to_file(CHILD_PRELOAD, path, "null-read", NULL);
	check_detour(line);
	CHECK(file_size(path) == 0, "the file holds %ld bytes",
	      file_size(path));
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	return 0;
}

TEST(no_space_left_fd)
{
	int fd = open("/dev/full", O_WRONLY);

	if (fd < 0)
		return SKIP;
	crash_to_fd(fd, "null-read", NULL);
	close(fd);
	check_detour("faultline: cannot write the report to descriptor 7: no "
		     "space left; the report follows here\n");
	return 0;
}

TEST(fd_closed_later)
{
	int fd = open("closed.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);

	crash_to_fd(fd, "closed-output-fd", "7");
	close(fd);
	check_detour("faultline: cannot write the report to descriptor 7: "
		     "descriptor not open; the report follows here\n");
	CHECK(file_size("closed.txt") == 0, "the closed descriptor's file "
					    "holds a report");
	return 0;
}

/* A device that fails every write (a disk gone bad, a network file
 * system gone away): a seccomp filter makes each write to a descriptor
 * above stderr fail with EIO. */
TEST(io_error_file)
{
	char line[4400];
	const char *path = here("eio.txt");

	if (emulator()) {
		printf("  qemu-user: no seccomp filters: skipped\n");
		return SKIP;
	}
	snprintf(line, sizeof(line),
		 "faultline: cannot write report file '%s': input/output "
		 "error; the report follows here\n",
		 path);
	for (int kind = CHILD_LINKED; kind <= CHILD_PRELOAD; kind++) {
		crash_to_file((enum child_kind)kind, path, "seccomp-errno",
			      "eio");
		check_detour(line);
		CHECK(file_size(path) == 0, "the file holds %ld bytes",
		      file_size(path));
	}
	return 0;
}

TEST(pipe_without_reader)
{
	int p[2];

	if (pipe(p) != 0)
		return 99;
	close(p[0]);
	crash_to_fd(p[1], "null-read", NULL);
	close(p[1]);
	check_detour("faultline: cannot write the report to descriptor 7: "
		     "nobody reads it (broken pipe); the report follows "
		     "here\n");
	return 0;
}
