/*
 * debuginfod.c - fetching debug files from debuginfod servers (see
 * debuginfod.h).
 *
 * libdebuginfod is opened with dlopen on the first fetch, as libdwfl does
 * itself: linked in, it would load libcurl and some thirty libraries at
 * every start of the tool, which is most of the time of symbolizing a
 * report whose debug files are all here.
 *
 * The client takes its servers from $DEBUGINFOD_URLS at each query, and
 * libdwfl's standard lookup queries by itself whenever that variable is
 * set, with the client's default 90 s time-out, three tries, and no word
 * on what happened.  So the symbolizer takes the variable out of the
 * environment (symbolize.c), and it is put back here around our own
 * queries only, whose outcome we can tell the user.
 */
#include "config.h"

#include "debuginfod.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_LIBDEBUGINFOD
#include <elfutils/debuginfod.h>
#endif

struct debug_server {
	char *urls;
	int given_up; /* said why once; no more queries */
#ifdef HAVE_LIBDEBUGINFOD
	debuginfod_client *client;
#endif
};

const char *debuginfod_support(void)
{
#ifdef HAVE_LIBDEBUGINFOD
	return "debuginfod: yes (libdebuginfod, loaded when "
	       "DEBUGINFOD_URLS or --debuginfod names a server)";
#else
	return "debuginfod: no (built without libdebuginfod)";
#endif
}

struct debug_server *debug_server_new(const char *urls)
{
	if (!urls || !*urls)
		return NULL;
	struct debug_server *server = calloc(1, sizeof(*server));
	if (!server || !(server->urls = strdup(urls))) {
		free(server);
		return NULL;
	}
	/* A server that accepts and never answers costs one time-out, not
	 * the client's 3 x 90 s per module: debug_server_fetch gives up on
	 * it after that.  The user's own settings win. */
	setenv("DEBUGINFOD_TIMEOUT", "10", 0);
	setenv("DEBUGINFOD_RETRY_LIMIT", "0", 0);
	return server;
}

const char *debug_server_urls(const struct debug_server *server)
{
	return server ? server->urls : "";
}

static void give_up(struct debug_server *server, const char *why)
{
	fprintf(stderr,
		"faultline: debuginfod (%s): %s; not asking it again in this "
		"run\n",
		server->urls, why);
	server->given_up = 1;
}

#ifdef HAVE_LIBDEBUGINFOD

static struct {
	__typeof__(debuginfod_begin) *begin;
	__typeof__(debuginfod_find_debuginfo) *find_debuginfo;
	__typeof__(debuginfod_end) *end;
} client_api;

static int load_client_api(void)
{
	static int tried;
	if (tried)
		return client_api.begin ? 0 : -1;
	tried = 1;
	void *handle = dlopen(DEBUGINFOD_SONAME, RTLD_LAZY | RTLD_LOCAL);
	if (!handle)
		return -1;
	*(void **)&client_api.begin = dlsym(handle, "debuginfod_begin");
	*(void **)&client_api.find_debuginfo =
		dlsym(handle, "debuginfod_find_debuginfo");
	*(void **)&client_api.end = dlsym(handle, "debuginfod_end");
	if (!client_api.begin || !client_api.find_debuginfo ||
	    !client_api.end) {
		client_api.begin = NULL;
		return -1;
	}
	return 0;
}

void debug_server_free(struct debug_server *server)
{
	if (!server)
		return;
	if (server->client)
		client_api.end(server->client);
	free(server->urls);
	free(server);
}

static const char *trouble(int error)
{
	static char text[128];
	switch (error) {
	case ETIME:
		snprintf(text, sizeof(text),
			 "no answer within %s s (DEBUGINFOD_TIMEOUT)",
			 getenv("DEBUGINFOD_TIMEOUT"));
		return text;
	case ECONNREFUSED:
		return "connection refused";
	case EHOSTUNREACH:
		return "host not found";
	default:
		return strerror(error);
	}
}

int debug_server_fetch(struct debug_server *server, const char *build_id,
		       char **path, enum fetch_status *status)
{
	*status = FETCH_UNAVAILABLE;
	*path = NULL;
	if (!server || server->given_up)
		return -1;
	if (!server->client) {
		if (load_client_api() < 0) {
			give_up(server, DEBUGINFOD_SONAME
				" cannot be loaded (Debian: install "
				"libdebuginfod1)");
			return -1;
		}
		server->client = client_api.begin();
		if (!server->client) {
			give_up(server, "cannot start the client");
			return -1;
		}
	}
	setenv("DEBUGINFOD_URLS", server->urls, 1);
	/* Length 0: the build-id is given in hex. */
	int fd = client_api.find_debuginfo(
		server->client, (const unsigned char *)build_id, 0, path);
	unsetenv("DEBUGINFOD_URLS");
	if (fd >= 0) {
		*status = FETCH_OK;
		return fd;
	}
	free(*path);
	*path = NULL;
	if (fd == -ENOENT || fd == -EFBIG)
		*status = FETCH_NOT_FOUND;
	else
		give_up(server, trouble(-fd));
	return -1;
}

#else /* no libdebuginfod */

void debug_server_free(struct debug_server *server)
{
	if (!server)
		return;
	free(server->urls);
	free(server);
}

int debug_server_fetch(struct debug_server *server, const char *build_id,
		       char **path, enum fetch_status *status)
{
	(void)build_id;
	*status = FETCH_UNAVAILABLE;
	*path = NULL;
	if (server && !server->given_up)
		give_up(server, "this faultline was built without "
				"libdebuginfod");
	return -1;
}

#endif
