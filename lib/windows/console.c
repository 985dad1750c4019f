/*
 * console.c - faultline_requests on Windows: console control events
 * become requests handed on by a thread of ours.
 *
 * Windows has no signals.  The console runs each control handler
 * registered with SetConsoleCtrlHandler on a new thread, last registered
 * first, until one returns TRUE; the C runtime's signal(SIGINT/SIGBREAK)
 * is such a handler, registered when the runtime starts, and the system's
 * last one ends the process (STATUS_CONTROL_C_EXIT).  Ours queues the
 * request (request.c's ring) and sets an event, the waitable, which the
 * dispatcher thread or the program waits on.  A close, logoff or shutdown
 * ends the process as soon as the handlers return: ours holds the
 * console's thread until the callback for it finished (Wine runs the
 * handlers under the console's lock, so nothing here may register or
 * remove a handler while it waits: faultline_requests(0) releases the
 * waiting handlers before it removes ours).
 *
 * A process started with CREATE_NEW_PROCESS_GROUP ignores Ctrl-C: the
 * process parameters' ConsoleFlags bit 0, which SetConsoleCtrlHandler(NULL,
 * TRUE/FALSE) sets and clears and the control thread reads.  It is read
 * there before we clear it, and put back when we stop.
 */
#include "platform.h"
#include "request.h"
#include "win.h"

#include <errno.h>
#include <winternl.h>

static SRWLOCK lock = SRWLOCK_INIT;
static HANDLE wake;	/* manual-reset event: a request came */
static HANDLE finished; /* auto-reset: a callback finished */
static volatile LONG mask_in_force;
static volatile LONG stopping; /* release handlers waiting for callbacks */
static HANDLE dispatcher;      /* the thread; NULL none */
static DWORD dispatcher_id;
static int handler_registered;
static int ctrl_c_was_ignored = -1; /* -1: not changed by us */
/* Requests posted and callbacks finished, for the waits of close. */
static volatile LONG posted, done;

static enum faultline_request request_of(DWORD event)
{
	switch (event) {
	case CTRL_C_EVENT:
		return FAULTLINE_REQUEST_INTERRUPT;
	case CTRL_BREAK_EVENT:
		return FAULTLINE_REQUEST_BREAK;
	case CTRL_CLOSE_EVENT:
		return FAULTLINE_REQUEST_HANGUP;
	case CTRL_LOGOFF_EVENT:
		return FAULTLINE_REQUEST_LOGOFF;
	case CTRL_SHUTDOWN_EVENT:
		return FAULTLINE_REQUEST_SHUTDOWN;
	default:
		return 0;
	}
}

/* The process ends when the handler returns: wait until the program is
 * done with the request, or until the system ends us anyway. */
static void wait_until_handled(LONG ticket)
{
	while (!InterlockedCompareExchange(&stopping, 0, 0)) {
		if (fl_request_has_callback() &&
		    InterlockedCompareExchange(&done, 0, 0) >= ticket)
			return;
		WaitForSingleObject(finished, 100);
	}
}

static BOOL WINAPI on_console_event(DWORD event)
{
	enum faultline_request req = request_of(event);
	LONG ticket;

	if (!req || !(InterlockedCompareExchange(&mask_in_force, 0, 0) &
		      FAULTLINE_REQUEST_BIT(req)))
		return FALSE; /* the next handler's */
	fl_request_post(req);
	ticket = InterlockedIncrement(&posted);
	SetEvent(wake);
	if (req == FAULTLINE_REQUEST_HANGUP ||
	    req == FAULTLINE_REQUEST_LOGOFF ||
	    req == FAULTLINE_REQUEST_SHUTDOWN)
		wait_until_handled(ticket);
	return TRUE;
}

/* RTL_USER_PROCESS_PARAMETERS.ConsoleFlags (after the four ULONGs and
 * ConsoleHandle; the same in Windows and Wine): bit 0, Ctrl-C ignored. */
/* gcc takes NtCurrentTeb's read of %gs:0x30 for an access to address
 * 0x30 of an empty array. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
static volatile ULONG *console_flags(void)
{
	char *params = (char *)NtCurrentTeb()
			       ->ProcessEnvironmentBlock->ProcessParameters;
	return (volatile ULONG *)(params + 0x18);
}
#pragma GCC diagnostic pop

static void enable_ctrl_c(int on)
{
	if (on && ctrl_c_was_ignored < 0) {
		ctrl_c_was_ignored = (int)(*console_flags() & 1);
		if (ctrl_c_was_ignored)
			SetConsoleCtrlHandler(NULL, FALSE);
	} else if (!on && ctrl_c_was_ignored >= 0) {
		if (ctrl_c_was_ignored)
			SetConsoleCtrlHandler(NULL, TRUE);
		ctrl_c_was_ignored = -1;
	}
}

void fl_platform_request_rearm(void)
{
	if (wake)
		ResetEvent(wake);
}

intptr_t fl_platform_request_waitable(void)
{
	intptr_t h;

	AcquireSRWLockShared(&lock);
	h = mask_in_force && !fl_request_has_callback() ? (intptr_t)wake : -1;
	ReleaseSRWLockShared(&lock);
	return h;
}

/* --- the dispatcher ----------------------------------------------------- */

static void callback_finished(void)
{
	InterlockedIncrement(&done);
	SetEvent(finished);
}

static DWORD WINAPI dispatch(void *arg)
{
	unsigned long mine = (unsigned long)(uintptr_t)arg;

	while (fl_request_generation() == mine) {
		WaitForSingleObject(wake, INFINITE);
		ResetEvent(wake);
		fl_request_dispatch(mine, callback_finished);
	}
	return 0;
}

/* With lock held. */
static int start_dispatcher(void)
{
	if (dispatcher)
		return 0;
	dispatcher = CreateThread(NULL, 0, dispatch,
				  (void *)(uintptr_t)fl_request_generation(), 0,
				  &dispatcher_id);
	if (!dispatcher) {
		errno = EAGAIN;
		return -1;
	}
	return 0;
}

/* With lock held; returns with it held. */
static void stop_dispatcher(void)
{
	HANDLE t = dispatcher;

	if (!t)
		return;
	fl_request_new_generation();
	dispatcher = NULL;
	SetEvent(wake);
	if (GetCurrentThreadId() != dispatcher_id) {
		ReleaseSRWLockExclusive(&lock);
		WaitForSingleObject(t, INFINITE);
		AcquireSRWLockExclusive(&lock);
	}
	CloseHandle(t);
}

static int make_events(void)
{
	if (!wake)
		wake = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (!finished)
		finished = CreateEventW(NULL, FALSE, FALSE, NULL);
	if (!wake || !finished) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static void stop_all(void)
{
	/* Handlers waiting for a callback return first: Wine holds the
	 * console's lock while they run, and removing ours needs it. */
	InterlockedExchange(&stopping, 1);
	InterlockedExchange(&mask_in_force, 0);
	SetEvent(finished);
	stop_dispatcher();
	fl_request_set_callback(NULL, NULL);
	if (handler_registered) {
		ReleaseSRWLockExclusive(&lock);
		SetConsoleCtrlHandler(on_console_event, FALSE);
		AcquireSRWLockExclusive(&lock);
		handler_registered = 0;
	}
	enable_ctrl_c(0);
	fl_request_discard();
	fl_platform_request_rearm();
}

/* BREAK is Ctrl-Break, unless faultline's dump has it (issue 9): then
 * this handler declines it and the dump's console handler takes it. */
static unsigned usable(unsigned mask)
{
	if (fl_config.dump_signal == FAULTLINE_SIGBREAK)
		mask &= ~FAULTLINE_REQUEST_BIT(FAULTLINE_REQUEST_BREAK);
	return mask;
}

int fl_platform_requests(unsigned mask, faultline_request_callback fn,
			 void *data)
{
	int rc = 0;

	AcquireSRWLockExclusive(&lock);
	mask = usable(mask);
	if (!mask) {
		stop_all();
		ReleaseSRWLockExclusive(&lock);
		return 0;
	}
	if (make_events() != 0) {
		ReleaseSRWLockExclusive(&lock);
		return -1;
	}
	InterlockedExchange(&stopping, 0);
	fl_request_set_callback(fn, data);
	if (fn)
		rc = start_dispatcher();
	else
		stop_dispatcher();
	if (rc == 0 && !handler_registered) {
		if (SetConsoleCtrlHandler(on_console_event, TRUE))
			handler_registered = 1;
		else {
			errno = ENOMEM;
			rc = -1;
		}
	}
	if (rc == 0) {
		enable_ctrl_c((mask & FAULTLINE_REQUEST_BIT(
					      FAULTLINE_REQUEST_INTERRUPT)) !=
			      0);
		InterlockedExchange(&mask_in_force, (LONG)mask);
	} else {
		stop_all();
	}
	ReleaseSRWLockExclusive(&lock);
	return rc;
}

/* --- sending ------------------------------------------------------------ */

static int send_console_event(long pid, DWORD event, unsigned flags)
{
	if (pid != 0 && !(flags & FAULTLINE_REQUEST_GROUP)) {
		/* The console would take a process id that is not a group's
		 * as it likes: only a group the caller made is safe. */
		errno = EINVAL;
		return -1;
	}
	if (!GenerateConsoleCtrlEvent(event, (DWORD)pid)) {
		errno = GetLastError() == ERROR_ACCESS_DENIED ? EPERM : ENOTSUP;
		return -1;
	}
	return 0;
}

static int terminate(long pid)
{
	HANDLE h = OpenProcess(PROCESS_TERMINATE, FALSE, (DWORD)pid);
	BOOL ok;

	if (!h) {
		errno = GetLastError() == ERROR_ACCESS_DENIED ? EPERM : ESRCH;
		return -1;
	}
	ok = TerminateProcess(h, FAULTLINE_REQUEST_KILLED);
	CloseHandle(h);
	if (!ok) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int fl_platform_request_send(long pid, enum faultline_request req,
			     unsigned flags)
{
	switch (req) {
	case FAULTLINE_REQUEST_INTERRUPT:
		return send_console_event(pid, CTRL_C_EVENT, flags);
	case FAULTLINE_REQUEST_BREAK:
		return send_console_event(pid, CTRL_BREAK_EVENT, flags);
	case FAULTLINE_REQUEST_TERMINATE:
		if ((flags & FAULTLINE_REQUEST_FORCE) &&
		    !(flags & FAULTLINE_REQUEST_GROUP) && pid > 0)
			return terminate(pid);
		/* No polite terminate on Windows: only when asked, a kill. */
		errno = (flags & FAULTLINE_REQUEST_FORCE) ? EINVAL : ENOTSUP;
		return -1;
	default:
		errno = ENOTSUP; /* only the system sends these */
		return -1;
	}
}
