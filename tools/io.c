/*
 * io.c - the tool's bytes in and out, below everything that reads logs or
 * writes reports (see io.h).
 */
#include "io.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Read all of in into memory and close it (unless stdin). */
static int read_stream(FILE *in, char **data, size_t *size)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t n = fread(buf + len, 1, cap - len, in);
		len += n;
		if (n == 0)
			break;
		if (len == cap) {
			char *grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = grown;
			cap *= 2;
		}
	}
	int failed = !buf || ferror(in);
	int saved = errno;
	if (in != stdin)
		fclose(in);
	if (failed) {
		free(buf);
		errno = saved ? saved : EIO;
		return -1;
	}
	*data = buf;
	*size = len;
	return 0;
}

int read_file(const char *path, char **data, size_t *size)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!in)
		return -1;
	return read_stream(in, data, size);
}

int read_regular_at(int dir, const char *name, char **data, size_t *size)
{
	struct stat st;
	int fd = openat(dir, name,
			O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1; /* ELOOP for a symbolic link */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	FILE *in = fdopen(fd, "rb");
	if (!in) {
		close(fd);
		return -1;
	}
	return read_stream(in, data, size);
}

void write_text_escaped(FILE *out, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		unsigned char c = u[i];
		if (c == '\\') {
			fputs("\\\\", out);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\x%02x", c);
			i++;
			continue;
		}
		if (c < 0x80) {
			putc(c, out);
			i++;
			continue;
		}
		/* Copy a valid UTF-8 sequence, escape anything else. */
		size_t need = fl_utf8_len(u + i, len - i);
		if (!need) {
			fprintf(out, "\\x%02x", c);
			i++;
			continue;
		}
		fwrite(u + i, 1, need, out);
		i += need;
	}
}
