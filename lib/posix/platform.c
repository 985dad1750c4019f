/*
 * platform.c - the POSIX side of lib/platform.h: thin syscall wrappers.
 * Everything marked [fatal] in platform.h is a direct syscall here; we
 * never call strerror (not async-signal-safe), stdio or malloc.
 */
#include "platform.h"
#include "posix.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* When the report must be written by (CLOCK_MONOTONIC nanoseconds; 0:
 * no limit).  See fl_write_deadline. */
static long long write_deadline;
/* What a pipe takes at once without blocking when poll says it can take
 * anything (one page of its buffer; POSIX's PIPE_BUF). */
#define FL_WRITE_CHUNK 4096

void fl_write_deadline(long long ns)
{
	write_deadline = ns;
}

long long fl_monotonic_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Wait until fd takes a chunk without blocking, or the deadline passes
 * (-1, ETIME).  A descriptor poll cannot judge is left to write(). */
static int wait_writable(int fd)
{
	for (;;) {
		struct pollfd p = {fd, POLLOUT, 0};
		long long left = write_deadline - fl_monotonic_ns();
		int n = poll(&p, 1, left > 0 ? (int)(left / 1000000) + 1 : 0);

		if (n > 0)
			return 0; /* POLLOUT, or an error write() will tell */
		if (n == 0) {
			errno = ETIME;
			return -1;
		}
		if (errno != EINTR)
			return 0;
	}
}

long fl_platform_write(fl_handle_t h, const void *buf, size_t len)
{
	/* Under a deadline no write may block: a pipe nobody reads, a
	 * stopped terminal would hang the handler for good when there is
	 * no watchdog timer (timer_create fails once RLIMIT_SIGPENDING is
	 * used up).  poll says when a chunk fits. */
	if (write_deadline && len > FL_WRITE_CHUNK)
		len = FL_WRITE_CHUNK;
	for (;;) {
		ssize_t n;

		if (write_deadline && wait_writable(h) != 0)
			return -1;
		n = write(h, buf, len);
		if (n >= 0 || errno != EINTR)
			return (long)n;
	}
}

/* A short text for errno err; fallback when it has none. */
static const char *errno_reason(int err, const char *fallback)
{
	switch (err) {
	case EEXIST:
		return "file exists (reports never overwrite)";
	case ELOOP:
		return "a symbolic link on the path";
	case EACCES:
	case EPERM:
		return "permission denied";
	case ENOENT:
		return "directory does not exist";
	case ENOTDIR:
		return "a path component is not a directory";
	case EROFS:
		return "read-only file system";
	case ENOSPC:
	case EDQUOT:
		return "no space left";
	case EMFILE:
	case ENFILE:
		return "too many open files";
	case ENAMETOOLONG:
		return "path too long";
	case EISDIR:
		return "is a directory";
	case EFBIG:
		return "file too large (RLIMIT_FSIZE)";
	case EIO:
		return "input/output error";
	case EBADF:
		return "descriptor not open";
	case EPIPE:
		return "nobody reads it (broken pipe)";
	case ETIME:
		return "timed out (nobody reads it?)";
	default:
		return fallback;
	}
}

const char *fl_platform_write_error(void)
{
	return errno_reason(errno, "write failed");
}

fl_handle_t fl_platform_create_file(const char *path, const char **err)
{
	int fd;

	fd = fl_create_nofollow(path);
	if (fd < 0)
		*err = errno_reason(errno, "cannot create file");
	return fd;
}

void fl_platform_close(fl_handle_t h)
{
	close(h);
}

FL_STARTUP_TEXT fl_handle_t fl_platform_stderr(void)
{
	return STDERR_FILENO;
}

fl_handle_t fl_platform_handle_from_fd(int fd)
{
	if (fd < 0 || fcntl(fd, F_GETFD) == -1)
		return FL_NO_HANDLE;
	return fd;
}

long fl_thread_id(void)
{
	return syscall(SYS_gettid);
}

long fl_platform_pid(void)
{
	return (long)getpid();
}

long long fl_platform_time(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec;
}

void fl_platform_exe_path(char *buf, size_t cap)
{
	ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/* entry's value if entry is "name=value", else NULL. */
FL_STARTUP_TEXT static const char *value_of(const char *entry, const char *name)
{
	while (*name && *entry == *name) {
		entry++;
		name++;
	}
	return *name == '\0' && *entry == '=' ? entry + 1 : NULL;
}

/* Not glibc's getenv: its code lies on a page of libc that nothing else
 * touches at start-up, a page fault (tens of us in a VM) in every process
 * faultline is preloaded into. */
FL_STARTUP_TEXT const char *fl_env_value(const char *name)
{
	char **e = environ;

	if (!e)
		return NULL;
	for (; *e; e++) {
		const char *v;
		if (**e != *name) /* most entries: one comparison */
			continue;
		if ((v = value_of(*e, name)) != NULL)
			return v;
	}
	return NULL;
}

FL_STARTUP_TEXT const char *fl_platform_getenv(const char *name)
{
	/* secure_getenv's rule (AT_SECURE is what glibc decides it by): a
	 * setuid program must not be steered into writing reports wherever
	 * its caller likes.  Asked once: install reads ten variables. */
	FL_STARTUP_DATA static int secure = -1;

	if (secure < 0)
		secure = getauxval(AT_SECURE) != 0;
	return secure ? NULL : fl_env_value(name);
}

FL_STARTUP_TEXT size_t fl_page_size(void)
{
	/* What sysconf(_SC_PAGESIZE) returns, without sysconf's code: a page
	 * of libc that start-up would otherwise fault in for it alone. */
	size_t page = (size_t)getauxval(AT_PAGESZ);

	return page ? page : 4096;
}

void fl_platform_yield(void)
{
	sched_yield();
}

/* glibc's own sigaction under its other public name: preload mode
 * interposes "sigaction" (sigchain.c), and faultline's own actions must
 * reach the kernel. */
extern int __sigaction(int sig, const struct sigaction *act,
		       struct sigaction *old);

FL_STARTUP_TEXT int fl_sys_sigaction(int sig, const struct sigaction *act,
				     struct sigaction *old)
{
	return __sigaction(sig, act, old);
}

int fl_sys_sigmask(int how, const uint64_t *set, uint64_t *old)
{
	/* The kernel's 64-bit mask: what sigchain.c computes with, and
	 * what a signal's context holds in its first 8 bytes. */
	return (int)syscall(SYS_rt_sigprocmask, how, set, old,
			    sizeof(uint64_t));
}

long fl_read_small_file(const char *path, char *buf, size_t cap,
			int short_read_ends)
{
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (short_read_ends && (size_t)n < cap - (got - (size_t)n))
			break;
	}
	close(fd);
	return (long)got;
}
