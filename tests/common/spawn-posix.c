/*
 * spawn-posix.c - the crash harness on POSIX (see harness.h): fork and
 * exec a child, under $FL_TEST_EMULATOR when set (qemu-user for an
 * aarch64 build), in a private temporary directory that is the harness's
 * working directory; capture its output, wait with a time limit, read its
 * wait status.
 */
#include "harness.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

const char *builddir(void)
{
	const char *b = getenv("FL_BUILDDIR");
	return b && *b ? b : ".";
}

const char *emulator(void)
{
	const char *e = getenv("FL_TEST_EMULATOR");
	return e && *e ? e : NULL;
}

const char *child_path(enum child_kind kind)
{
	static char path[3][4096];
	static const char *const names[] = {"crashme", "crashme-plain",
					    "crashme-malloc"};

	if ((size_t)kind >= sizeof(names) / sizeof(names[0]))
		kind = CHILD_LINKED; /* the Windows-only children */
	snprintf(path[kind], sizeof(path[kind]), "%s/tests/crash/%s",
		 builddir(), names[kind]);
	return path[kind];
}

double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Append what fd has to *buf; 0 at EOF. */
static int drain(int fd, char **buf, size_t *len, size_t *cap)
{
	char tmp[65536];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	if (*len + (size_t)n + 1 > *cap) {
		*cap = (*len + (size_t)n + 1) * 2;
		*buf = realloc(*buf, *cap);
		if (!*buf)
			abort();
	}
	memcpy(*buf + *len, tmp, (size_t)n);
	*len += (size_t)n;
	(*buf)[*len] = '\0';
	return 1;
}

static int env_keep(const char *e)
{
	return strncmp(e, "FAULTLINE_", 10) != 0 &&
	       strncmp(e, "LD_PRELOAD=", 11) != 0 &&
	       strncmp(e, "FL_TEST_CORE=", 13) != 0 &&
	       !(emulator() && strncmp(e, "LD_LIBRARY_PATH=", 16) == 0);
}

/* qemu-user announces the guest's death on stderr ("qemu: uncaught
 * target signal 11 (Segmentation fault) - core dumped"): not the child's
 * output. */
static void strip_emulator_lines(struct run *r)
{
	char *p = r->err;

	while ((p = strstr(p, "qemu: uncaught target signal")) != NULL) {
		char *nl = strchr(p, '\n');
		size_t cut = nl ? (size_t)(nl + 1 - p) : strlen(p);
		if (p != r->err && p[-1] != '\n') {
			p++;
			continue;
		}
		memmove(p, p + cut, strlen(p + cut) + 1);
		r->err_len -= cut;
	}
}

int spawn_child(const struct spawn *sp, struct run *r)
{
	char *argv[64];
	char *envp[512];
	char emu[1024], preload[4200];
	size_t na = 0, ne = 0;
	int out[2], err[2];
	size_t ocap = 0, ecap = 0;
	double timeout = sp->timeout > 0 ? sp->timeout : 30;
	double start, deadline;
	int open_fds = 2, killed = 0, status = -1;
	int ready_sig = sp->kill_when_ready;
	pid_t pid;

	if (emulator())
		timeout *= 4;
	snprintf(preload, sizeof(preload),
		 "LD_PRELOAD=%s/.libs/libfaultline.so", builddir());
	if (emulator()) {
		char *save = NULL;
		snprintf(emu, sizeof(emu), "%s", emulator());
		for (char *w = strtok_r(emu, " ", &save); w && na < 40;
		     w = strtok_r(NULL, " ", &save))
			argv[na++] = w;
		if (sp->kind != CHILD_LINKED) {
			argv[na++] = "-E";
			argv[na++] = preload;
		}
	}
	argv[na++] = (char *)(sp->path ? sp->path : child_path(sp->kind));
	for (size_t i = 0; i < 8 && sp->args[i]; i++)
		argv[na++] = (char *)sp->args[i];
	argv[na] = NULL;
	for (char **e = environ; *e && ne < 480; e++)
		if (env_keep(*e))
			envp[ne++] = *e;
	if (sp->kind != CHILD_LINKED && !emulator())
		envp[ne++] = preload;
	if (sp->cores)
		envp[ne++] = "FL_TEST_CORE=1";
	for (size_t i = 0; i < 8 && sp->env[i]; i++)
		envp[ne++] = (char *)sp->env[i];
	envp[ne] = NULL;

	r->status = -1;
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
		return -1;
	fflush(NULL);
	start = now();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (sp->fd_target > 2)
			dup2(sp->pass_fd, sp->fd_target); /* clears CLOEXEC */
		execve(argv[0], argv, envp);
		fprintf(stderr, "harness: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	r->pid = pid;
	close(out[1]);
	close(err[1]);
	deadline = start + timeout;
	while (open_fds > 0) {
		struct pollfd pfd[2] = {{out[0], POLLIN, 0},
					{err[0], POLLIN, 0}};
		double left = deadline - now();
		int n;
		if (left <= 0) {
			if (!killed) {
				kill(pid, SIGKILL);
				r->timed_out = killed = 1;
			}
			left = 5; /* read what is left after SIGKILL */
			deadline = now() + 5;
		}
		n = poll(pfd, 2, (int)(left * 1000) + 1);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 ||
			    !(pfd[i].revents & (POLLIN | POLLHUP)))
				continue;
			if (!(i == 0 ? drain(out[0], &r->out, &r->out_len,
					     &ocap)
				     : drain(err[0], &r->err, &r->err_len,
					     &ecap))) {
				close(i == 0 ? out[0] : err[0]);
				if (i == 0)
					out[0] = -1;
				else
					err[0] = -1;
				open_fds--;
			}
		}
		if (ready_sig && r->out && strstr(r->out, "ready\n")) {
			kill(pid, ready_sig);
			ready_sig = 0;
		}
		if (out[0] < 0 && err[0] < 0)
			break;
	}
	if (out[0] >= 0)
		close(out[0]);
	if (err[0] >= 0)
		close(err[0]);
	/* Output closed: the child is gone or about to be; bounded wait. */
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0) {
			status = -1;
			break;
		}
		if (now() > deadline && !killed) {
			kill(pid, SIGKILL);
			r->timed_out = killed = 1;
		}
		usleep(2000);
	}
	r->status = status;
	r->seconds = now() - start;
	if (emulator() && r->err)
		strip_emulator_lines(r);
	return 0;
}

static const char *status_text(int status)
{
	static char buf[128];

	if (status == -1)
		snprintf(buf, sizeof(buf), "not waited for");
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by signal %d (%s)%s",
			 WTERMSIG(status), strsignal(WTERMSIG(status)),
			 WCOREDUMP(status) ? ", core dumped" : "");
	else if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit status %d",
			 WEXITSTATUS(status));
	else
		snprintf(buf, sizeof(buf), "status 0x%x", status);
	return buf;
}

int died_by(const struct run *r, unsigned long sig)
{
	return r->status != -1 && WIFSIGNALED(r->status) &&
	       WTERMSIG(r->status) == (int)sig;
}

int exited_with(const struct run *r, int code)
{
	return r->status != -1 && WIFEXITED(r->status) &&
	       WEXITSTATUS(r->status) == code;
}

const char *death_text(unsigned long sig)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "death by signal %lu (%s)", sig,
		 strsignal((int)sig));
	return buf;
}

const char *end_text(const struct run *r)
{
	return status_text(r->status);
}

int elf_build_id(const char *path, char *out, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned char *m;
	int found = 0;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return 0;
	}
	m = malloc((size_t)st.st_size);
	if (!m || read(fd, m, (size_t)st.st_size) != st.st_size) {
		free(m);
		close(fd);
		return 0;
	}
	close(fd);
	{
		const Elf64_Ehdr *eh = (const void *)m;
		for (int i = 0; i < eh->e_phnum && !found; i++) {
			const Elf64_Phdr *ph =
				(const void *)(m + eh->e_phoff +
					       (size_t)i * eh->e_phentsize);
			size_t off = ph->p_offset, end = off + ph->p_filesz;
			if (ph->p_type != PT_NOTE)
				continue;
			while (off + sizeof(Elf64_Nhdr) <= end) {
				const Elf64_Nhdr *nh = (const void *)(m + off);
				size_t name = off + sizeof(*nh);
				size_t desc = name + ((nh->n_namesz + 3) & ~3u);
				if (nh->n_type == NT_GNU_BUILD_ID &&
				    nh->n_namesz == 4 &&
				    memcmp(m + name, "GNU", 4) == 0 &&
				    nh->n_descsz * 2 + 1 <= cap) {
					for (size_t k = 0; k < nh->n_descsz;
					     k++)
						sprintf(out + 2 * k, "%02x",
							m[desc + k]);
					found = 1;
					break;
				}
				off = desc + ((nh->n_descsz + 3) & ~3u);
			}
		}
	}
	free(m);
	return found;
}

static char tmpdir[4096];

static void remove_tmpdir(void)
{
	DIR *d;
	struct dirent *e;

	if (!tmpdir[0] || chdir("/") != 0)
		return;
	d = opendir(tmpdir);
	while (d && (e = readdir(d))) {
		char p[8192];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(tmpdir);
}

int harness_setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/faultline-crash-XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir) || chdir(tmpdir) != 0) {
		perror("harness: temporary directory");
		return 99;
	}
	atexit(remove_tmpdir);
	if (access(child_path(CHILD_LINKED), X_OK) != 0) {
		fprintf(stderr, "harness: %s not found (set FL_BUILDDIR)\n",
			child_path(CHILD_LINKED));
		return 99;
	}
	return 0;
}
