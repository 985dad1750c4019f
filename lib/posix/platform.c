/*
 * platform.c - the POSIX side of lib/platform.h: thin syscall wrappers.
 * Everything marked [fatal] in platform.h is a direct syscall here; we
 * never call strerror (not async-signal-safe), stdio or malloc.
 */
#include "platform.h"
#include "posix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

long fl_platform_write(fl_handle_t h, const void *buf, size_t len)
{
	for (;;) {
		ssize_t n = write(h, buf, len);
		if (n >= 0 || errno != EINTR)
			return (long)n;
	}
}

static const char *errno_reason(int err)
{
	switch (err) {
	case EEXIST:
		return "file exists (reports never overwrite)";
	case ELOOP:
		return "path is a symbolic link";
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
	default:
		return "cannot create file";
	}
}

fl_handle_t fl_platform_create_file(const char *path, const char **err)
{
	int fd;

	do {
		fd = open(path,
			  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  0600);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		*err = errno_reason(errno);
	return fd;
}

void fl_platform_close(fl_handle_t h)
{
	close(h);
}

fl_handle_t fl_platform_stderr(void)
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

const char *fl_platform_getenv(const char *name)
{
	/* secure_getenv: a setuid program must not be steered into writing
	 * reports wherever its caller likes. */
	return secure_getenv(name);
}

/* glibc's own sigaction under its other public name: preload mode
 * interposes "sigaction" (sigchain.c), and faultline's own actions must
 * reach the kernel. */
extern int __sigaction(int sig, const struct sigaction *act,
		       struct sigaction *old);

int fl_sys_sigaction(int sig, const struct sigaction *act,
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
