/*
 * requests.c - faultline_requests on POSIX: SIGINT, SIGQUIT, SIGTERM and
 * SIGHUP become requests handed on by a normal thread.
 *
 * The handler does the least a handler may: it queues the request
 * (request.c's lock-free ring) and writes one byte to a non-blocking
 * pipe, the self-pipe trick; both are async-signal-safe.  The pipe's read
 * end is what a program polls (faultline_request_waitable), or what the
 * dispatcher thread sleeps on before it calls the callback.  The byte is
 * only a wake-up: the ring holds the requests, so a full pipe (EAGAIN)
 * loses nothing.  The pipe is made once and kept for the life of the
 * process: a handler still running on another thread while requests are
 * stopped must never write into a descriptor number the program has
 * since reused.
 */
#include "posix.h"
#include "platform.h"
#include "request.h"
#include "str.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static const int request_signal[FL_REQUEST_KINDS] = {
	[FAULTLINE_REQUEST_INTERRUPT] = SIGINT,
	[FAULTLINE_REQUEST_BREAK] = SIGQUIT,
	[FAULTLINE_REQUEST_TERMINATE] = SIGTERM,
	[FAULTLINE_REQUEST_HANGUP] = SIGHUP,
};

/* Everything below but the pipe and the actions' table is guarded by
 * lock; the handler reads only wake_fd and previous[] (set before our
 * action is, restored after it is gone). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int pipe_fds[2] = {-1, -1};
static volatile int wake_fd = -1;
static unsigned receiving; /* the mask in force */
static struct sigaction previous[FL_REQUEST_KINDS];
static int active;	/* receiving something */
static int dispatching; /* the dispatcher thread runs */
static pthread_t dispatcher;

static enum faultline_request request_of(int sig)
{
	for (int k = 1; k < FL_REQUEST_KINDS; k++)
		if (request_signal[k] == sig)
			return (enum faultline_request)k;
	return 0;
}

static void on_request(int sig, siginfo_t *si, void *ctx)
{
	int saved_errno = errno;
	enum faultline_request req = request_of(sig);

	if (req) {
		fl_request_post(req);
		if (write(wake_fd, "", 1) < 0) {
			/* EAGAIN: the pipe is full of wake-ups already. */
		}
		/* The program's own handler still runs, as it would
		 * without us. */
		if (previous[req].sa_handler != SIG_DFL &&
		    previous[req].sa_handler != SIG_IGN)
			fl_signal_forward(&previous[req], sig, si, ctx);
	}
	errno = saved_errno;
}

static int make_pipe(void)
{
	if (pipe_fds[0] >= 0)
		return 0;
	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0)
		return -1;
	wake_fd = pipe_fds[1];
	return 0;
}

void fl_platform_request_rearm(void)
{
	char buf[256];

	if (pipe_fds[0] < 0)
		return;
	while (read(pipe_fds[0], buf, sizeof(buf)) > 0)
		;
}

intptr_t fl_platform_request_waitable(void)
{
	intptr_t fd;

	pthread_mutex_lock(&lock);
	fd = active && !fl_request_has_callback() ? pipe_fds[0] : -1;
	pthread_mutex_unlock(&lock);
	return fd;
}

/* BREAK is SIGQUIT, unless faultline's dump has it (issue 9). */
static unsigned usable(unsigned mask)
{
	if (fl_signals_installed() && fl_config.dump_signal == SIGQUIT)
		mask &= ~FAULTLINE_REQUEST_BIT(FAULTLINE_REQUEST_BREAK);
	return mask;
}

static int take_signal(enum faultline_request req)
{
	struct sigaction sa, old;
	uint64_t block = 0;

	for (int k = 1; k < FL_REQUEST_KINDS; k++)
		if (request_signal[k])
			block |= FAULTLINE_SIGNAL_BIT(request_signal[k]);
	/* Our handler blocks the other request signals (no nesting on a
	 * thread) and keeps the program's choice of restarting calls:
	 * SA_RESTART unless its own handler did without. */
	if (fl_sys_sigaction(request_signal[req], NULL, &old) != 0)
		return -1;
	int restart = (old.sa_handler == SIG_DFL || old.sa_handler == SIG_IGN ||
		       (old.sa_flags & SA_RESTART))
			      ? SA_RESTART
			      : 0;
	fl_memcpy(&previous[req], &old, sizeof(old));
	fl_signal_fill_action(&sa, on_request, restart, block);
	return fl_sys_sigaction(request_signal[req], &sa, NULL);
}

static void give_signal_back(enum faultline_request req)
{
	fl_sys_sigaction(request_signal[req], &previous[req], NULL);
}

/* Change the signals we hold from receiving to mask. */
static int set_signals(unsigned mask)
{
	for (int k = 1; k < FL_REQUEST_KINDS; k++) {
		unsigned bit = FAULTLINE_REQUEST_BIT(k);
		if (!request_signal[k] || !(mask & bit) == !(receiving & bit))
			continue;
		if (mask & bit) {
			if (take_signal((enum faultline_request)k) != 0)
				return -1;
			receiving |= bit;
		} else {
			give_signal_back((enum faultline_request)k);
			receiving &= ~bit;
		}
	}
	return 0;
}

/* --- the dispatcher ----------------------------------------------------- */

static void *dispatch(void *arg)
{
	unsigned long mine = (unsigned long)(uintptr_t)arg;
	struct pollfd p = {.fd = pipe_fds[0], .events = POLLIN};

	while (fl_request_generation() == mine) {
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			break;
		fl_platform_request_rearm();
		fl_request_dispatch(mine, NULL);
	}
	return NULL;
}

static int start_dispatcher(void)
{
	sigset_t all, old;
	int rc;

	if (dispatching)
		return 0;
	/* The thread takes no signal meant for the program's threads; a
	 * fault of the callback is still a fault (synchronous signals
	 * are delivered whatever the mask). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&dispatcher, NULL, dispatch,
			    (void *)(uintptr_t)fl_request_generation());
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	dispatching = 1;
	return 0;
}

/* Called with lock held; returns with it held. */
static void stop_dispatcher(void)
{
	if (!dispatching)
		return;
	fl_request_new_generation();
	if (write(pipe_fds[1], "", 1) < 0) {
		/* Full: the thread wakes anyway. */
	}
	dispatching = 0;
	if (pthread_equal(pthread_self(), dispatcher)) {
		/* From the callback: the thread ends once it returns. */
		pthread_detach(dispatcher);
		return;
	}
	pthread_mutex_unlock(&lock);
	pthread_join(dispatcher, NULL);
	pthread_mutex_lock(&lock);
}

int fl_platform_requests(unsigned mask, faultline_request_callback fn,
			 void *data)
{
	int rc = 0;

	pthread_mutex_lock(&lock);
	mask = usable(mask);
	if (!mask) {
		set_signals(0);
		stop_dispatcher();
		fl_request_set_callback(NULL, NULL);
		active = 0;
		fl_request_discard();
		fl_platform_request_rearm();
		pthread_mutex_unlock(&lock);
		return 0;
	}
	if (make_pipe() != 0) {
		pthread_mutex_unlock(&lock);
		return -1;
	}
	fl_request_set_callback(fn, data);
	if (fn)
		rc = start_dispatcher();
	else
		stop_dispatcher();
	if (rc == 0)
		rc = set_signals(mask);
	active = rc == 0;
	if (rc != 0) {
		int saved = errno;
		set_signals(0);
		stop_dispatcher();
		fl_request_set_callback(NULL, NULL);
		errno = saved;
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

int fl_platform_request_send(long pid, enum faultline_request req,
			     unsigned flags)
{
	int sig = request_signal[req];

	if (flags & FAULTLINE_REQUEST_FORCE)
		sig = SIGKILL;
	if (!sig) {
		errno = ENOTSUP; /* LOGOFF, SHUTDOWN: Windows only */
		return -1;
	}
	return kill((pid_t)((flags & FAULTLINE_REQUEST_GROUP) ? -pid : pid),
		    sig);
}
