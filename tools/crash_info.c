/*
 * crash_info.c - where a report says it crashed, and what it names.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "crash_info.h"

const struct thread *crash_thread(const struct report *r)
{
	for (size_t i = 0; i < r->thread_count; i++)
		if (r->threads[i].crashed)
			return &r->threads[i];
	return r->thread_count ? &r->threads[0] : NULL;
}

static const char *frame_name(const struct frame *f)
{
	if (f->location_count && f->locations[0].function)
		return f->locations[0].function;
	return f->demangled ? f->demangled : f->symbol;
}

/* A path with a ".." component may lead out of where it seems to be. */
static int climbs(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '/' || !p[2]))
			return 1;
	return 0;
}

static char *relative(const char *root, const char *file)
{
	if (climbs(root) || climbs(file))
		return NULL;
	size_t n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (strncmp(root, file, n) != 0)
		return NULL;
	if (n == 1 && root[0] == '/')
		return file[0] == '/' && file[1] ? strdup(file + 1) : NULL;
	if (file[n] != '/' || !file[n + 1])
		return NULL;
	return strdup(file + n + 1);
}

char *path_inside(const char *root, const char *file)
{
	if (file[0] != '/')
		return NULL; /* relative to a build directory we cannot know */
	char *rel = relative(root, file);
	if (rel)
		return rel;
	char real_root[PATH_MAX], real_file[PATH_MAX];
	if (!realpath(root, real_root) || !realpath(file, real_file))
		return NULL;
	return relative(real_root, real_file);
}

int crash_place_find(const struct report *r, const char *root,
		     struct crash_place *place)
{
	memset(place, 0, sizeof(*place));
	const struct thread *t = crash_thread(r);
	for (size_t i = 0; t && i < t->frame_count; i++) {
		const struct frame *f = &t->frames[i];
		if (!place->function)
			place->function = frame_name(f);
		for (size_t j = 0; j < f->location_count; j++) {
			const struct location *l = &f->locations[j];
			if (!l->file)
				continue;
			char *inside = root ? path_inside(root, l->file) : NULL;
			if (root && !inside)
				continue;
			free(inside);
			place->file = l->file;
			place->line = l->line;
			if (l->function)
				place->function = l->function;
			return 0;
		}
	}
	return -1;
}

const char *crash_executable_name(const struct report *r)
{
	const char *exe = r->executable;
	if (!exe || !*exe)
		return "unknown";
	const char *slash = strrchr(exe, '/');
	return slash && slash[1] ? slash + 1 : exe;
}

const char *crash_minidump(const struct report *r)
{
	return r->json ? json_string(json_get(r->json, "minidump")) : NULL;
}

int crash_annotation(const struct report *r, size_t i, const char **key,
		     const char **value)
{
	if (i >= r->annotation_count)
		return -1;
	*key = r->annotations[2 * i];
	*value = r->annotations[2 * i + 1];
	return 0;
}

void crash_summary_line(FILE *out, struct report *const *reports, size_t count,
			const char *root)
{
	fprintf(out, "faultline: %zu process%s crashed:", count,
		count == 1 ? "" : "es");
	for (size_t i = 0; i < count; i++) {
		const struct report *r = reports[i];
		struct crash_place place;
		crash_place_find(r, NULL, &place);
		fprintf(out, "%s %s (pid %ld) %s", i ? ";" : "",
			crash_executable_name(r), r->pid,
			r->signal_name ? r->signal_name : "unknown signal");
		if (place.function)
			fprintf(out, " in %s", place.function);
		if (place.file) {
			char *rel = root ? path_inside(root, place.file) : NULL;
			fprintf(out, " at %s:%d", rel ? rel : place.file,
				place.line);
			free(rel);
		}
	}
	fputc('\n', out);
}
