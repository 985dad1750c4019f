/*
 * debuginfod.h - debug files fetched by build-id from debuginfod servers,
 * through elfutils' own client, libdebuginfod.
 */
#ifndef FL_TOOL_DEBUGINFOD_H
#define FL_TOOL_DEBUGINFOD_H

struct debug_server;

enum fetch_status {
	FETCH_OK,
	FETCH_NOT_FOUND,  /* the servers answered: they have no such file */
	FETCH_UNAVAILABLE /* no answer, no client: nothing was learnt */
};

/* The servers of urls (space-separated, as $DEBUGINFOD_URLS), or NULL
 * when urls is NULL or empty (or out of memory).  Sets elfutils' client
 * defaults faultline prefers where the environment sets none:
 * DEBUGINFOD_TIMEOUT 10 s, DEBUGINFOD_RETRY_LIMIT 0. */
struct debug_server *debug_server_new(const char *urls);
void debug_server_free(struct debug_server *server);

/* The servers' debug file for build_id (lower-case hex): an open file
 * descriptor and its path in the client's cache in *path (malloc'd), or
 * -1.  A server that does not answer, or a client that cannot be loaded,
 * is said once on stderr and not asked again. */
int debug_server_fetch(struct debug_server *server, const char *build_id,
		       char **path, enum fetch_status *status);

/* The URLs asked, for messages. */
const char *debug_server_urls(const struct debug_server *server);

/* One line for --version: how this build fetches debug files. */
const char *debuginfod_support(void);

#endif
