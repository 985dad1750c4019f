/*
 * test-requests.c - faultline_requests on POSIX: SIGINT, SIGQUIT, SIGTERM
 * and SIGHUP delivered as requests on a normal thread, in order, none
 * lost; the waitable descriptor; sending; giving everything back.
 *
 * Each test runs in a forked child (the signal actions and the
 * dispatcher thread are the process's), which exits 0 when all went
 * well, or with the number of the check that failed.
 */
#include "harness.h"

#include "faultline.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ALL FAULTLINE_REQUESTS_ALL
#define KINDS (FAULTLINE_REQUEST_SHUTDOWN + 1)
#define BURST 10000
#define FL_SA_RESTORER 0x04000000

/* --- in the child ------------------------------------------------------ */

#define SEEN_MAX (BURST + 16)
static enum faultline_request seen[SEEN_MAX];
static volatile unsigned long seen_count;
static volatile unsigned long seen_kind[KINDS];
static volatile long callback_tid;

static long tid(void)
{
	return syscall(SYS_gettid);
}

static void record(enum faultline_request req, void *data)
{
	(void)data;
	callback_tid = tid();
	if (seen_count < SEEN_MAX)
		seen[seen_count] = req;
	if ((unsigned)req < KINDS)
		__atomic_add_fetch(&seen_kind[req], 1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&seen_count, 1, __ATOMIC_RELEASE);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Wait (up to 10 s) until the callback has seen n requests. */
static int wait_seen(unsigned long n)
{
	for (int i = 0; i < 10000; i++) {
		if (__atomic_load_n(&seen_count, __ATOMIC_ACQUIRE) >= n)
			return 1;
		sleep_ms(1);
	}
	return 0;
}

static void block_requests(int how)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(how, &set, NULL);
}

/* --- in the parent ----------------------------------------------------- */

/* Run fn in a child; its exit status (0: all good), or -1 when it did
 * not exit normally within 60 s (*sig: the signal that ended it). */
static int in_child(int (*fn)(void), int *sig)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(fn());
	*sig = 0;
	for (int i = 0; i < 6000; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			if (WIFSIGNALED(status))
				*sig = WTERMSIG(status);
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

#define CHILD_CHECK(n, cond)                                                   \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "child check %d failed: %s\n", n,      \
				#cond);                                        \
			return n;                                              \
		}                                                              \
	} while (0)

#define EXPECT_CHILD(fn)                                                       \
	do {                                                                   \
		int sig_, rc_ = in_child(fn, &sig_);                           \
		CHECK(rc_ == 0, "child %s: exit %d, signal %d", #fn, rc_,      \
		      sig_);                                                   \
	} while (0)

/* --- each request type, on a normal thread ----------------------------- */

static int each_type(void)
{
	static const int sigs[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};
	static const enum faultline_request want[] = {
		FAULTLINE_REQUEST_INTERRUPT, FAULTLINE_REQUEST_BREAK,
		FAULTLINE_REQUEST_TERMINATE, FAULTLINE_REQUEST_HANGUP};

	CHILD_CHECK(1, faultline_requests(ALL, record, NULL) == 0);
	for (int i = 0; i < 4; i++) {
		raise(sigs[i]); /* delivered on this thread, before return */
		CHILD_CHECK(10 + i, wait_seen(i + 1));
		CHILD_CHECK(20 + i, seen[i] == want[i]);
		/* Not in the handler: on another thread than the one the
		 * signal was delivered to. */
		CHILD_CHECK(30 + i, callback_tid && callback_tid != tid());
	}
	CHILD_CHECK(40, faultline_request_waitable() == -1);
	return 0;
}

TEST(each_request_type)
{
	EXPECT_CHILD(each_type);
	return 0;
}

/* --- several together, in order ---------------------------------------- */

static int burst(void)
{
	static const enum faultline_request want[] = {
		FAULTLINE_REQUEST_HANGUP, FAULTLINE_REQUEST_INTERRUPT,
		FAULTLINE_REQUEST_BREAK, FAULTLINE_REQUEST_TERMINATE};

	CHILD_CHECK(1, faultline_requests(ALL, record, NULL) == 0);
	/* Four pending signals, released at once: the kernel delivers
	 * them lowest number first (HUP 1, INT 2, QUIT 3, TERM 15), one
	 * after the other as each handler returns. */
	block_requests(SIG_BLOCK);
	kill(getpid(), SIGTERM);
	kill(getpid(), SIGQUIT);
	kill(getpid(), SIGINT);
	kill(getpid(), SIGHUP);
	block_requests(SIG_UNBLOCK);
	CHILD_CHECK(2, wait_seen(4));
	sleep_ms(100);
	CHILD_CHECK(3, seen_count == 4);
	for (int i = 0; i < 4; i++)
		CHILD_CHECK(10 + i, seen[i] == want[i]);
	return 0;
}

TEST(burst_in_order)
{
	EXPECT_CHILD(burst);
	return 0;
}

/* --- a main thread blocked in poll, woken through the descriptor ------- */

static void *take_signals(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int poll_woken(void)
{
	enum faultline_request req;
	pthread_t t;
	struct pollfd p;
	pid_t self = getpid();
	int rc;

	CHILD_CHECK(1, faultline_requests(ALL, NULL, NULL) == 0);
	p.fd = (int)faultline_request_waitable();
	p.events = POLLIN;
	CHILD_CHECK(2, p.fd >= 0);
	CHILD_CHECK(3, faultline_request_next(&req) == 0);
	/* The signal goes to the other thread: only the descriptor can
	 * wake this one (no EINTR). */
	block_requests(SIG_BLOCK);
	block_requests(SIG_UNBLOCK); /* the new thread's mask */
	pthread_create(&t, NULL, take_signals, NULL);
	block_requests(SIG_BLOCK);
	if (fork() == 0) {
		sleep_ms(200);
		kill(self, SIGTERM);
		_exit(0);
	}
	rc = poll(&p, 1, 20000);
	CHILD_CHECK(4, rc == 1 && (p.revents & POLLIN));
	CHILD_CHECK(5, faultline_request_next(&req) == 1);
	CHILD_CHECK(6, req == FAULTLINE_REQUEST_TERMINATE);
	CHILD_CHECK(7, faultline_request_next(&req) == 0);
	/* Rearmed: nothing to read until the next request. */
	CHILD_CHECK(8, poll(&p, 1, 0) == 0);
	kill(self, SIGHUP);
	CHILD_CHECK(9, poll(&p, 1, 20000) == 1);
	CHILD_CHECK(10, faultline_request_next(&req) == 1 &&
				req == FAULTLINE_REQUEST_HANGUP);
	return 0;
}

TEST(poll_woken_by_the_descriptor)
{
	EXPECT_CHILD(poll_woken);
	return 0;
}

/* --- 10,000 signals, one at a time: every one seen, in order ---------- */

static int lockstep(void)
{
	static const int sigs[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};
	static const enum faultline_request want[] = {
		FAULTLINE_REQUEST_INTERRUPT, FAULTLINE_REQUEST_BREAK,
		FAULTLINE_REQUEST_TERMINATE, FAULTLINE_REQUEST_HANGUP};

	CHILD_CHECK(1, faultline_requests(ALL, record, NULL) == 0);
	for (int i = 0; i < BURST; i++) {
		kill(getpid(), sigs[i % 4]);
		CHILD_CHECK(2, wait_seen(i + 1));
	}
	sleep_ms(50);
	CHILD_CHECK(3, seen_count == BURST);
	for (int i = 0; i < BURST; i++)
		CHILD_CHECK(4, seen[i] == want[i % 4]);
	return 0;
}

TEST(ten_thousand_one_by_one)
{
	EXPECT_CHILD(lockstep);
	return 0;
}

/* --- 10,000 signals from 4 threads at once, the callback held back ----
 * The program's own handlers (installed first, called by faultline's)
 * count what the kernel delivered: standard signals merge while pending,
 * so that is what must be seen, per type, with the queue overflowing
 * while the callback is held. */

static volatile unsigned long delivered[KINDS];
static volatile int senders_done;

static void count_delivery(int sig)
{
	int k = sig == SIGINT	 ? FAULTLINE_REQUEST_INTERRUPT
		: sig == SIGQUIT ? FAULTLINE_REQUEST_BREAK
		: sig == SIGTERM ? FAULTLINE_REQUEST_TERMINATE
				 : FAULTLINE_REQUEST_HANGUP;
	__atomic_add_fetch(&delivered[k], 1, __ATOMIC_RELAXED);
}

static void held_record(enum faultline_request req, void *data)
{
	/* Hold the first call until every signal was sent: the rest queue
	 * up meanwhile (more than the ring holds). */
	while (!__atomic_load_n(&senders_done, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	record(req, data);
}

static void *send_many(void *arg)
{
	static const int sigs[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};
	int n = (int)(intptr_t)arg;
	pid_t self = getpid();

	for (int i = 0; i < BURST / 4; i++)
		kill(self, sigs[(i + n) % 4]);
	return NULL;
}

static unsigned long total(volatile unsigned long *a)
{
	unsigned long t = 0;
	for (int k = 0; k < KINDS; k++)
		t += __atomic_load_n(&a[k], __ATOMIC_ACQUIRE);
	return t;
}

static int flood(void)
{
	static const int sigs[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};
	pthread_t t[4];
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count_delivery;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, NULL);
	CHILD_CHECK(1, faultline_requests(ALL, held_record, NULL) == 0);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, send_many, (void *)(intptr_t)i);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	sleep_ms(100); /* the last deliveries */
	__atomic_store_n(&senders_done, 1, __ATOMIC_RELEASE);
	/* Until the callback catches up with the deliveries. */
	for (int i = 0; i < 1000 && total(seen_kind) != total(delivered); i++)
		sleep_ms(10);
	sleep_ms(100);
	fprintf(stderr, "delivered %lu of %d signals, seen %lu\n",
		total(delivered), BURST, total(seen_kind));
	for (int k = 1; k <= FAULTLINE_REQUEST_HANGUP; k++)
		CHILD_CHECK(10 + k, seen_kind[k] == delivered[k]);
	CHILD_CHECK(20, total(delivered) > 0);
	return 0;
}

TEST(ten_thousand_at_once_none_lost)
{
	EXPECT_CHILD(flood);
	return 0;
}

/* --- everything put back ---------------------------------------------- */

static void program_handler(int sig)
{
	(void)sig;
}

static int restore(void)
{
	struct sigaction sa, before[4], after;
	static const int sigs[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = program_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGQUIT, &sa, NULL);
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], NULL, &before[i]);
	CHILD_CHECK(1, faultline_requests(ALL, record, NULL) == 0);
	sigaction(SIGTERM, NULL, &after);
	CHILD_CHECK(2, after.sa_handler != before[2].sa_handler);
	/* A second call changes the set: SIGQUIT given back at once. */
	CHILD_CHECK(3,
		    faultline_requests(ALL & ~FAULTLINE_REQUEST_BIT(
						     FAULTLINE_REQUEST_BREAK),
				       record, NULL) == 0);
	sigaction(SIGQUIT, NULL, &after);
	CHILD_CHECK(4, after.sa_handler == SIG_IGN);
	CHILD_CHECK(5, faultline_requests(0, NULL, NULL) == 0);
	for (int i = 0; i < 4; i++) {
		sigaction(sigs[i], NULL, &after);
		/* The C library adds its SA_RESTORER to every action set. */
		CHILD_CHECK(
			10 + i,
			after.sa_handler == before[i].sa_handler &&
				(after.sa_flags & ~FL_SA_RESTORER) ==
					(before[i].sa_flags & ~FL_SA_RESTORER));
	}
	CHILD_CHECK(20, faultline_request_waitable() == -1);
	raise(SIGTERM); /* the default again: death by SIGTERM */
	return 21;
}

TEST(stopping_puts_every_action_back)
{
	int sig, rc = in_child(restore, &sig);

	CHECK(rc == -1 && sig == SIGTERM, "exit %d, signal %d", rc, sig);
	return 0;
}

/* --- stopping from the callback ---------------------------------------- */

static void stop_in_callback(enum faultline_request req, void *data)
{
	record(req, data);
	faultline_requests(0, NULL, NULL);
}

static int stop_from_callback(void)
{
	CHILD_CHECK(1, faultline_requests(ALL, stop_in_callback, NULL) == 0);
	kill(getpid(), SIGHUP);
	CHILD_CHECK(2, wait_seen(1));
	sleep_ms(100);
	/* Receiving again, with a new dispatcher. */
	CHILD_CHECK(3, faultline_requests(ALL, record, NULL) == 0);
	kill(getpid(), SIGINT);
	CHILD_CHECK(4, wait_seen(2));
	CHILD_CHECK(5, faultline_requests(0, NULL, NULL) == 0);
	kill(getpid(), SIGHUP);
	return 6; /* not reached: SIGHUP's default */
}

TEST(stop_from_the_callback)
{
	int sig, rc = in_child(stop_from_callback, &sig);

	CHECK(rc == -1 && sig == SIGHUP, "exit %d, signal %d", rc, sig);
	return 0;
}

/* --- BREAK stays the dump's when SIGQUIT is the dump signal ------------ */

static int break_is_dump(void)
{
	struct faultline_options o;

	faultline_options_init(&o);
	o.dump_signal = FAULTLINE_SIGQUIT;
	o.output_fd = open("/dev/null", O_WRONLY);
	CHILD_CHECK(1, faultline_install(&o) == 0);
	CHILD_CHECK(2, faultline_requests(ALL, record, NULL) == 0);
	raise(SIGQUIT); /* a dump, and the process runs on */
	raise(SIGINT);
	CHILD_CHECK(3, wait_seen(1));
	sleep_ms(200);
	CHILD_CHECK(4,
		    seen_count == 1 && seen[0] == FAULTLINE_REQUEST_INTERRUPT);
	return 0;
}

TEST(break_is_the_dump_signal_s)
{
	EXPECT_CHILD(break_is_dump);
	return 0;
}

/* --- sending ----------------------------------------------------------- */

static int receive_one(void)
{
	CHILD_CHECK(1, faultline_requests(ALL, record, NULL) == 0);
	write(1, "r", 1);
	CHILD_CHECK(2, wait_seen(1));
	return 40 + seen[0];
}

/* Start receive_one in a child (in its own group when group), wait until
 * it receives; its pid. */
static pid_t receiver(int group, int *out)
{
	int p[2];
	char c;
	pid_t pid;

	if (pipe(p) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (group)
			setpgid(0, 0);
		dup2(p[1], 1);
		_exit(receive_one());
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		pid = -1;
	*out = p[0];
	return pid;
}

/* Send req with flags to a receiver (in a group of its own with
 * FAULTLINE_REQUEST_GROUP); how it ended, or -1 when the send failed. */
static int sent(enum faultline_request req, unsigned flags)
{
	int fd, status;
	pid_t pid = receiver((flags & FAULTLINE_REQUEST_GROUP) != 0, &fd);

	if (pid <= 0)
		return -1;
	if (faultline_request(pid, req, flags) != 0) {
		fprintf(stderr, "send %s: %s\n", faultline_request_name(req),
			strerror(errno));
		kill(pid, SIGKILL);
	}
	close(fd);
	waitpid(pid, &status, 0);
	return status;
}

TEST(send_each_request)
{
	static const enum faultline_request reqs[] = {
		FAULTLINE_REQUEST_INTERRUPT, FAULTLINE_REQUEST_BREAK,
		FAULTLINE_REQUEST_TERMINATE, FAULTLINE_REQUEST_HANGUP};

	for (int i = 0; i < 4; i++) {
		int status = sent(reqs[i], 0);
		CHECK(WIFEXITED(status) &&
			      WEXITSTATUS(status) == 40 + (int)reqs[i],
		      "%s: status %#x", faultline_request_name(reqs[i]),
		      status);
	}
	return 0;
}

TEST(send_to_a_group)
{
	int status = sent(FAULTLINE_REQUEST_INTERRUPT, FAULTLINE_REQUEST_GROUP);

	CHECK(WIFEXITED(status) &&
		      WEXITSTATUS(status) == 40 + FAULTLINE_REQUEST_INTERRUPT,
	      "status %#x", status);
	return 0;
}

TEST(send_force_kills)
{
	int status = sent(FAULTLINE_REQUEST_TERMINATE, FAULTLINE_REQUEST_FORCE);

	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x",
	      status);
	return 0;
}

TEST(send_errors)
{
	errno = 0;
	CHECK(faultline_request(getpid(), FAULTLINE_REQUEST_LOGOFF, 0) == -1 &&
		      errno == ENOTSUP,
	      "logoff: %s", strerror(errno));
	errno = 0;
	CHECK(faultline_request(getpid(), FAULTLINE_REQUEST_INTERRUPT,
				FAULTLINE_REQUEST_FORCE) == -1 &&
		      errno == EINVAL,
	      "force interrupt: %s", strerror(errno));
	errno = 0;
	CHECK(faultline_request(0, FAULTLINE_REQUEST_TERMINATE,
				FAULTLINE_REQUEST_GROUP) == -1 &&
		      errno == EINVAL,
	      "group 0: %s", strerror(errno));
	errno = 0;
	CHECK(faultline_request(-5, FAULTLINE_REQUEST_TERMINATE, 0) == -1 &&
		      errno == EINVAL,
	      "negative pid: %s", strerror(errno));
	errno = 0;
	CHECK(faultline_request(getpid(), (enum faultline_request)9, 0) == -1 &&
		      errno == EINVAL,
	      "unknown request: %s", strerror(errno));
	errno = 0;
	CHECK(faultline_requests(1u << 12, NULL, NULL) == -1 && errno == EINVAL,
	      "unknown mask bit: %s", strerror(errno));
	CHECK(faultline_request_next(NULL) == -1 && errno == EINVAL,
	      "next(NULL)");
	CHECK(!strcmp(faultline_request_name(FAULTLINE_REQUEST_HANGUP),
		      "hangup") &&
		      !faultline_request_name((enum faultline_request)0),
	      "names");
	return 0;
}
