/*
 * output.c - create the report file without following any symbolic link
 * on its whole path.
 *
 * O_NOFOLLOW guards the last component only: a directory link planted on
 * the way (in a sticky world-writable directory such as /tmp) would still
 * redirect the report.  openat2 with RESOLVE_NO_SYMLINKS refuses a link
 * anywhere on the path (Linux 5.6); where the kernel lacks it (ENOSYS),
 * the path is walked one directory at a time with
 * O_PATH|O_DIRECTORY|O_NOFOLLOW, which refuses links the same way.
 * Syscalls only: this runs in the fatal path.
 */
#include "posix.h"
#include "str.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437 /* the same on every architecture */
#endif

#define CREATE_FLAGS (O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC)

static int open_with_openat2(const char *path)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = CREATE_FLAGS;
	how.mode = 0600;
	how.resolve = RESOLVE_NO_SYMLINKS;
	return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

/* One directory of the walk, never through a link.  O_DIRECTORY with
 * O_NOFOLLOW refuses a link with ENOTDIR, which would read "not a
 * directory": a link says ELOOP, as openat2 does. */
static int open_directory(int dir, const char *name)
{
	struct stat st;
	int fd = openat(dir, name,
			O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOTDIR) {
		int link = fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			   S_ISLNK(st.st_mode);

		errno = link ? ELOOP : ENOTDIR;
	}
	return fd;
}

/* The fallback: each directory opened from the last, never following a
 * link. */
static int open_walking(const char *path)
{
	char name[256];
	int dir = *path == '/' ? open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)
			       : AT_FDCWD;
	const char *p = path;

	for (;;) {
		const char *end;
		size_t len;
		int next;

		while (*p == '/')
			p++;
		for (end = p; *end && *end != '/'; end++)
			;
		if (!*end)
			break;
		len = (size_t)(end - p);
		if (len >= sizeof(name)) {
			errno = ENAMETOOLONG;
			next = -1;
		} else {
			fl_memcpy(name, p, len);
			name[len] = '\0';
			next = open_directory(dir, name);
		}
		if (dir >= 0)
			close(dir);
		if (next < 0)
			return -1;
		dir = next;
		p = end;
	}
	{
		int fd = openat(dir, p, CREATE_FLAGS, 0600);
		int err = errno;

		if (dir >= 0)
			close(dir);
		errno = err;
		return fd;
	}
}

int fl_create_nofollow(const char *path)
{
	int fd;

	do {
		fd = open_with_openat2(path);
	} while (fd < 0 && (errno == EINTR || errno == EAGAIN));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
		/* ENOSYS: an older kernel, or qemu-user; EPERM: a seccomp
		 * filter that does not know the call. */
		do {
			fd = open_walking(path);
		} while (fd < 0 && errno == EINTR);
		/* qemu-user maps "/" to its sysroot, where the walk then
		 * misses the directories; a kernel says ENOENT to open too
		 * where they really are missing. */
		while (fd < 0 && errno == ENOENT) {
			fd = open(path, CREATE_FLAGS, 0600);
			if (fd >= 0 || errno != EINTR)
				break;
		}
	}
	return fd;
}
