/*
 * source.c - source excerpts (see source.h).
 *
 * A file is read whole the first time a frame needs it and kept with the
 * offset of each line, so a report with many frames in one file reads it
 * once.  Files that cannot be read are remembered too, and named in one
 * message at the end rather than once per frame.
 */
#include "source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "color.h"
#include "io.h"
#include "report.h"
#include "tool.h"

/* Bigger files are not sources worth showing (or not sources at all). */
#define SOURCE_MAX_BYTES (64u << 20)

struct source_file {
	char *path;
	char *data; /* NULL when the file could not be read */
	size_t size;
	size_t *line_start; /* offset of each line; line N at [N - 1] */
	size_t line_count;
	int error; /* errno of the failed read */
	struct source_file *next;
};

struct source_cache {
	struct source_file *files;
	size_t missing;
};

struct source_cache *source_cache_new(void)
{
	return calloc(1, sizeof(struct source_cache));
}

void source_cache_free(struct source_cache *cache)
{
	if (!cache)
		return;
	for (struct source_file *f = cache->files, *next; f; f = next) {
		next = f->next;
		free(f->path);
		free(f->data);
		free(f->line_start);
		free(f);
	}
	free(cache);
}

static int index_lines(struct source_file *f)
{
	size_t count = 1;
	for (size_t i = 0; i < f->size; i++)
		count += f->data[i] == '\n';
	f->line_start = malloc(count * sizeof(*f->line_start));
	if (!f->line_start)
		return -1;
	f->line_start[0] = 0;
	f->line_count = 1;
	for (size_t i = 0; i < f->size; i++)
		if (f->data[i] == '\n')
			f->line_start[f->line_count++] = i + 1;
	/* A final newline ends the last line; it does not start one. */
	if (f->size && f->data[f->size - 1] == '\n')
		f->line_count--;
	return 0;
}

static void load(struct source_file *f)
{
	/* Not a FIFO (reading it could block) nor a huge file. */
	struct stat st;
	if (stat(f->path, &st) == 0 &&
	    (!S_ISREG(st.st_mode) || (size_t)st.st_size > SOURCE_MAX_BYTES)) {
		f->error = S_ISDIR(st.st_mode)	 ? EISDIR
			   : S_ISREG(st.st_mode) ? EFBIG
						 : EINVAL;
		return;
	}
	if (read_file(f->path, &f->data, &f->size) < 0) {
		f->error = errno;
		f->data = NULL;
		return;
	}
	if (index_lines(f) < 0) {
		f->error = ENOMEM;
		free(f->data);
		f->data = NULL;
	}
}

static struct source_file *find(struct source_cache *cache, const char *path)
{
	for (struct source_file *f = cache->files; f; f = f->next)
		if (strcmp(f->path, path) == 0)
			return f;
	struct source_file *f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path))) {
		free(f);
		return NULL;
	}
	load(f);
	/* A relative path whose base DWARF does not give (../sysdeps/...
	 * in glibc's debug files) names no file anywhere: not worth a
	 * message. */
	if (!f->data && path[0] == '/')
		cache->missing++;
	f->next = cache->files;
	cache->files = f;
	return f;
}

/* One source line: tabs expanded to 8 columns, a trailing '\r' dropped,
 * control bytes and invalid UTF-8 escaped as in the report. */
static void write_source_text(FILE *out, const char *text, size_t len)
{
	if (len && text[len - 1] == '\r')
		len--;
	char *line = malloc(len * 8 + 1);
	if (!line)
		return;
	size_t n = 0, column = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\t') {
			do
				line[n++] = ' ';
			while (++column % 8);
			continue;
		}
		line[n++] = (char)c;
		/* Continuation bytes take no column. */
		if ((c & 0xc0) != 0x80)
			column++;
	}
	line[n] = '\0';
	/* A NUL in the source would end the string early: the rest of such
	 * a line is not worth showing. */
	write_text_escaped(out, line);
	free(line);
}

static int digits(size_t n)
{
	int d = 1;
	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

void source_write_excerpt(FILE *out, struct source_cache *cache,
			  const char *file, int line, int context,
			  const char *prefix, int color, int crash)
{
	if (!cache || !file || line <= 0)
		return;
	struct source_file *f = find(cache, file);
	if (!f || !f->data || (size_t)line > f->line_count)
		return;
	size_t first = (size_t)line > (size_t)context
			       ? (size_t)line - (size_t)context
			       : 1;
	size_t last = (size_t)line + (size_t)context;
	if (last > f->line_count)
		last = f->line_count;
	int width = digits(last);
	for (size_t n = first; n <= last; n++) {
		size_t start = f->line_start[n - 1];
		size_t end = n < f->line_count ? f->line_start[n] - 1 : f->size;
		if (end > start && f->data[end - 1] == '\n')
			end--;
		int marked = n == (size_t)line;
		enum color_role role =
			crash ? COLOR_CRASH_LINE : COLOR_FRAME_LINE;
		fprintf(out, "%s      ", prefix);
		/* The marked line in its colour, mark and number too. */
		color_start(out, color, marked ? role : COLOR_LINE_NUMBER);
		fprintf(out, "%c %*zu |", marked ? '>' : ' ', width, n);
		if (!marked)
			color_end(out, color);
		if (end > start) {
			putc(' ', out);
			write_source_text(out, f->data + start, end - start);
		}
		if (marked)
			color_end(out, color);
		putc('\n', out);
	}
}

size_t source_report_missing(struct source_cache *cache, FILE *messages)
{
	if (!cache || !cache->missing || !messages)
		return 0;
	const struct source_file *first = NULL;
	for (const struct source_file *f = cache->files; f; f = f->next)
		if (!f->data && f->path[0] == '/')
			first = f; /* the list is newest first */
	fprintf(messages,
		"faultline: no source shown for %zu file%s that cannot be "
		"read here (first: %s: %s); --source-prefix OLD=NEW maps "
		"paths of another checkout to this one\n",
		cache->missing, cache->missing == 1 ? "" : "s", first->path,
		strerror(first->error));
	return cache->missing;
}
