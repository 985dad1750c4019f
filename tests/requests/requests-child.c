/*
 * requests-child.c - the child test-requests-win starts in a new process
 * group: it receives requests as the mode says and tells on stdout.
 *
 *   requests-child callback  every request to a callback; the first one
 *                            ends it with exit code 40 + the request; a
 *                            hang-up's callback takes 500 ms to "save"
 *   requests-child wait      no callback: the main thread waits on the
 *                            waitable handle, exit code 40 + the request
 *   requests-child coexist   the program's own control handler and the
 *                            C runtime's signal(SIGINT) beside faultline,
 *                            which receives hang-ups only
 *   requests-child restore   receive, stop: the Ctrl-C flag as before
 */
#include <windows.h>
#include <winternl.h>

#include <fcntl.h>
#include <io.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "faultline.h"

static volatile LONG first;

static void say(const char *what, const char *name)
{
	printf("%s %s\n", what, name);
	fflush(stdout);
}

static void on_request(enum faultline_request req, void *data)
{
	(void)data;
	say("request", faultline_request_name(req));
	if (req == FAULTLINE_REQUEST_HANGUP) {
		Sleep(500); /* saving state */
		say("saved", "state");
	}
	InterlockedCompareExchange(&first, (LONG)req, 0);
}

static int wait_first(void)
{
	for (int i = 0; i < 200 && !first; i++)
		Sleep(100);
	Sleep(100);
	return first ? 40 + (int)first : 99;
}

/* gcc takes NtCurrentTeb's read of %gs:0x30 for an access to address
 * 0x30 of an empty array. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
static int ctrl_c_ignored(void)
{
	char *params = (char *)NtCurrentTeb()
			       ->ProcessEnvironmentBlock->ProcessParameters;
	return (int)(*(volatile ULONG *)(params + 0x18) & 1);
}
#pragma GCC diagnostic pop

static BOOL WINAPI own_handler(DWORD event)
{
	char n[16];
	snprintf(n, sizeof(n), "%lu", event);
	say("own", n);
	return FALSE;
}

static void crt_handler(int sig)
{
	say("crt", sig == SIGINT ? "SIGINT" : "other");
	signal(sig, crt_handler);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	_setmode(_fileno(stdout), _O_BINARY); /* "\n", not "\r\n" */

	if (!strcmp(mode, "callback")) {
		if (faultline_requests(FAULTLINE_REQUESTS_ALL, on_request,
				       NULL) != 0)
			return 98;
		say("ready", mode);
		return wait_first();
	}
	if (!strcmp(mode, "wait")) {
		enum faultline_request req;
		if (faultline_requests(FAULTLINE_REQUESTS_ALL, NULL, NULL) != 0)
			return 98;
		say("ready", mode);
		if (WaitForSingleObject((HANDLE)faultline_request_waitable(),
					20000) != WAIT_OBJECT_0 ||
		    faultline_request_next(&req) != 1)
			return 97;
		say("woken", faultline_request_name(req));
		return 40 + (int)req;
	}
	if (!strcmp(mode, "coexist")) {
		/* Wine ignores every control event in a new group while
		 * Ctrl-C is ignored; Windows only Ctrl-C. */
		SetConsoleCtrlHandler(NULL, FALSE);
		signal(SIGINT, crt_handler);
		SetConsoleCtrlHandler(own_handler, TRUE);
		if (faultline_requests(
			    FAULTLINE_REQUEST_BIT(FAULTLINE_REQUEST_HANGUP),
			    on_request, NULL) != 0)
			return 98;
		say("ready", mode);
		Sleep(20000);
		return 96;
	}
	if (!strcmp(mode, "restore")) {
		char flags[16];
		int before = ctrl_c_ignored(), during, after;
		faultline_requests(FAULTLINE_REQUESTS_ALL, on_request, NULL);
		during = ctrl_c_ignored();
		faultline_requests(0, NULL, NULL);
		after = ctrl_c_ignored();
		snprintf(flags, sizeof(flags), "%d%d%d", before, during, after);
		say("ctrl-c-ignored", flags);
		SetConsoleCtrlHandler(NULL, FALSE);
		say("ready", mode);
		Sleep(20000);
		return 96;
	}
	return 2;
}
