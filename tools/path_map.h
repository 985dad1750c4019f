/*
 * path_map.h - --source-prefix OLD=NEW: paths recorded on another machine
 * (a CI checkout, a build directory) mapped to where the files are here.
 */
#ifndef FL_TOOL_PATH_MAP_H
#define FL_TOOL_PATH_MAP_H

#include <stddef.h>

struct path_map {
	char *from; /* no trailing '/' */
	char *to;
};

struct path_maps {
	struct path_map *items;
	size_t count;
};

/* Add "OLD=NEW" (OLD not empty); a message and -1 when arg is not that. */
int path_maps_add(struct path_maps *maps, const char *arg);
void path_maps_free(struct path_maps *maps);

/* path with the first matching OLD replaced by its NEW (malloc'd), or NULL
 * when no OLD is a prefix of path at a '/' boundary (or out of memory). */
char *path_maps_apply(const struct path_maps *maps, const char *path);

#endif
