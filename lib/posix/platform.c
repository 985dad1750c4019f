/*
 * platform.c - the POSIX side of lib/platform.h: thin syscall wrappers.
 * Everything marked [fatal] in platform.h is a direct syscall here; we
 * never call strerror (not async-signal-safe), stdio or malloc.
 */
#include "platform.h"
#include "sink.h"

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

/* The memory map is /proc/self/maps verbatim, streamed through a small
 * buffer: reading it is a plain read(2), safe in the handler. */
static void put_map_line(struct fl_sink *s, const char *line, size_t len,
			 int json, int *first)
{
	if (json) {
		char tmp[512];
		size_t n = len < sizeof(tmp) - 1 ? len : sizeof(tmp) - 1;
		fl_memcpy(tmp, line, n);
		tmp[n] = '\0';
		if (!*first)
			fl_sink_char(s, ',');
		fl_sink_json_str(s, tmp);
	} else {
		fl_sink_str(s, "  ");
		fl_sink_write(s, line, len);
		fl_sink_char(s, '\n');
	}
	*first = 0;
}

void fl_platform_write_memory_map(struct fl_sink *s, int json)
{
	char buf[4096];
	size_t have = 0;
	int first = 1;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	fl_sink_str(s, json ? "[" : "memory map:\n");
	while (fd >= 0) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		size_t start = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		for (size_t i = 0; i < have; i++) {
			if (buf[i] != '\n')
				continue;
			put_map_line(s, buf + start, i - start, json, &first);
			start = i + 1;
		}
		if (start == 0 && have == sizeof(buf)) {
			/* A line longer than the buffer: emit it cut. */
			put_map_line(s, buf, have, json, &first);
			start = have;
		}
		for (size_t i = start; i < have; i++)
			buf[i - start] = buf[i];
		have -= start;
	}
	if (have)
		put_map_line(s, buf, have, json, &first);
	if (fd >= 0)
		close(fd);
	if (json)
		fl_sink_char(s, ']');
}
