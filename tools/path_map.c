/*
 * path_map.c - --source-prefix OLD=NEW (see path_map.h).
 */
#include "path_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int path_maps_add(struct path_maps *maps, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		fprintf(stderr,
			"faultline: --source-prefix takes OLD=NEW, e.g. "
			"/builds/ci/project=%s; not '%s'\n",
			"$HOME/src/project", arg);
		return -1;
	}
	size_t from_len = (size_t)(eq - arg);
	/* "/a/b/" and "/a/b" are the same directory. */
	while (from_len > 1 && arg[from_len - 1] == '/')
		from_len--;
	struct path_map *items =
		realloc(maps->items, (maps->count + 1) * sizeof(*items));
	if (!items)
		return -1;
	maps->items = items;
	struct path_map *m = &items[maps->count];
	m->from = strndup(arg, from_len);
	size_t to_len = strlen(eq + 1);
	while (to_len > 1 && eq[to_len] == '/')
		to_len--;
	m->to = strndup(eq + 1, to_len);
	if (!m->from || !m->to) {
		free(m->from);
		free(m->to);
		return -1;
	}
	maps->count++;
	return 0;
}

void path_maps_free(struct path_maps *maps)
{
	for (size_t i = 0; i < maps->count; i++) {
		free(maps->items[i].from);
		free(maps->items[i].to);
	}
	free(maps->items);
	maps->items = NULL;
	maps->count = 0;
}

char *path_maps_apply(const struct path_maps *maps, const char *path)
{
	for (size_t i = 0; maps && path && i < maps->count; i++) {
		const struct path_map *m = &maps->items[i];
		size_t n = strlen(m->from);
		/* "/src" must not match "/srcfoo/x.c". */
		if (strncmp(path, m->from, n) != 0 ||
		    (path[n] != '/' && path[n] != '\0' &&
		     m->from[n - 1] != '/'))
			continue;
		char *mapped = NULL;
		if (asprintf(&mapped, "%s%s", m->to, path + n) < 0)
			return NULL;
		return mapped;
	}
	return NULL;
}
