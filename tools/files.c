/*
 * files.c - making numbered files and removing flat directories (see
 * files.h).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"

#define MAX_ATTEMPTS 100

int create_numbered(const char *stem, const char *suffix,
		    int (*create)(const char *path), char **made)
{
	for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
		char *path = NULL;
		int rc = attempt == 1 ? asprintf(&path, "%s%s", stem, suffix)
				      : asprintf(&path, "%s-%d%s", stem,
						 attempt, suffix);
		if (rc < 0)
			return -1;
		int result = create(path);
		if (result >= 0) {
			*made = path;
			return result;
		}
		int saved = errno;
		if (saved != EEXIST) {
			fprintf(stderr, "faultline: cannot create %s: %s\n",
				path, strerror(saved));
			free(path);
			return -1;
		}
		free(path);
	}
	fprintf(stderr, "faultline: cannot create %s%s: %d names taken\n", stem,
		suffix, MAX_ATTEMPTS);
	return -1;
}

int create_file(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
}

int create_dir(const char *path)
{
	return mkdir(path, 0755);
}

int remove_flat_dir(int parent, const char *name)
{
	int fd = openat(parent, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(fd, e->d_name, 0);
	closedir(d);
	return unlinkat(parent, name, AT_REMOVEDIR);
}
