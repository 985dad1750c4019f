/*
 * open-hook.c - see open-hook.h.
 */
#include "open-hook.h"

#include <fcntl.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

void (*volatile fl_test_open_hook)(const char *path, int fd);

int open(const char *path, int flags, ...);
int open(const char *path, int flags, ...)
{
	va_list ap;
	int mode = 0;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);

	if (fl_test_open_hook)
		fl_test_open_hook(path, fd);
	return fd;
}
