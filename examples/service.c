/*
 * service.c - a service that stops cleanly on Ctrl-C, Ctrl-Break, a
 * closed console, logoff, shutdown, SIGTERM or SIGHUP, on POSIX and
 * Windows alike, with one loop and no signal handler of its own.
 *
 * Its main loop waits for work with a timeout and for requests on
 * faultline_request_waitable(); the first request makes it save its
 * state and return.  (A program that would rather not touch its loop
 * passes a callback to faultline_requests instead: it runs on a normal
 * thread, where it may lock, allocate and write files.)
 *
 *   examples/service [SECONDS]    run (default 60 s), then stop
 *
 * It prints "ready", then one line per request, then "saved" and exits
 * 0 when a request stopped it.
 */
#include <faultline.h>

#include <stdio.h>
#include <stdlib.h>

#ifdef _WIN32
#include <windows.h>

/* Wait up to ms for a request: 1 when one came. */
static int wait_for_request(intptr_t waitable, int ms)
{
	return WaitForSingleObject((HANDLE)waitable, (DWORD)ms) ==
	       WAIT_OBJECT_0;
}
#else
#include <poll.h>

static int wait_for_request(intptr_t waitable, int ms)
{
	struct pollfd p = {.fd = (int)waitable, .events = POLLIN};

	return poll(&p, 1, ms) > 0;
}
#endif

static void save_state(void)
{
	/* A real service flushes its files here. */
	printf("saved\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 60;
	enum faultline_request req;
	intptr_t waitable;

	if (faultline_requests(FAULTLINE_REQUESTS_ALL, NULL, NULL) != 0) {
		perror("faultline_requests");
		return 1;
	}
	waitable = faultline_request_waitable();
	printf("ready\n");
	fflush(stdout);
	for (int tick = 0; tick < seconds * 10; tick++) {
		if (!wait_for_request(waitable, 100))
			continue; /* a tenth of a second of work */
		if (faultline_request_next(&req) == 1) {
			printf("request: %s\n", faultline_request_name(req));
			save_state();
			/* On Windows a closed console (or logoff, shutdown)
			 * is held until this: the process may end now. */
			faultline_requests(0, NULL, NULL);
			return 0;
		}
	}
	faultline_requests(0, NULL, NULL);
	return 0;
}
