/*
 * scenarios-threads.c - crashme's scenarios of many threads (POSIX; the
 * table in scenarios.c says which): threads blocked every which way
 * while another one crashes, hangs or asks for dumps, and threads that
 * cannot be stopped.  Each thread names itself ("fl-...") and blocks in
 * a function of its own, which the report must name.
 */
#include "scenarios.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef FL_LINKED
#include "faultline.h"
#endif

static atomic_int in_place; /* threads about to block */

static void arrive(const char *name)
{
	pthread_setname_np(pthread_self(), name);
	atomic_fetch_add(&in_place, 1);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Until n threads are about to block, and a moment more for them to get
 * there. */
static void wait_in_place(int n)
{
	while (atomic_load(&in_place) < n)
		sleep_ms(1);
	sleep_ms(100);
}

static pthread_t start(void *(*fn)(void *), void *arg, size_t stack)
{
	pthread_attr_t attr;
	pthread_t t;

	pthread_attr_init(&attr);
	if (stack)
		pthread_attr_setstacksize(&attr, stack);
	if (pthread_create(&t, &attr, fn, arg) != 0) {
		perror("pthread_create");
		exit(CRASHME_SETUP);
	}
	pthread_attr_destroy(&attr);
	return t;
}

/* --- a program of blocked threads ------------------------------------- */

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static atomic_int holding; /* threads holding their first lock */
static int quiet_pipe[2];  /* nobody ever writes it */

/* Two threads take two locks in opposite orders: a deadlock. */
NOINLINE static void *lock_a_then_b(void *unused)
{
	arrive("fl-lock-a");
	pthread_mutex_lock(&lock_a);
	atomic_fetch_add(&holding, 1);
	while (atomic_load(&holding) < 2)
		sched_yield();
	pthread_mutex_lock(&lock_b);
	return unused;
}

NOINLINE static void *lock_b_then_a(void *unused)
{
	arrive("fl-lock-b");
	pthread_mutex_lock(&lock_b);
	atomic_fetch_add(&holding, 1);
	while (atomic_load(&holding) < 2)
		sched_yield();
	pthread_mutex_lock(&lock_a);
	return unused;
}

NOINLINE static void *sleeping_thread(void *unused)
{
	arrive("fl-sleeper");
	for (;;)
		sleep_ms(100000);
	return unused;
}

static volatile unsigned long spins;

NOINLINE static void *spinning_thread(void *unused)
{
	arrive("fl-spinner");
	for (;;)
		spins++;
	return unused;
}

NOINLINE static void *polling_thread(void *unused)
{
	struct pollfd p = {quiet_pipe[0], POLLIN, 0};

	arrive("fl-poller");
	for (;;)
		poll(&p, 1, -1);
	return unused;
}

NOINLINE static void *reading_thread(void *unused)
{
	char c;

	arrive("fl-reader");
	for (;;)
		if (read(quiet_pipe[0], &c, 1) < 0)
			sleep_ms(1);
	return unused;
}

static pthread_mutex_t cond_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

NOINLINE static void *waiting_thread(void *unused)
{
	arrive("fl-waiter");
	pthread_mutex_lock(&cond_lock);
	for (;;)
		pthread_cond_wait(&never, &cond_lock);
	return unused;
}

enum { BLOCKED_THREADS = 7 };

/* The threads above; returns the first of the deadlocked pair. */
static pthread_t start_blocked_threads(void)
{
	pthread_t first;

	if (pipe(quiet_pipe) != 0)
		exit(CRASHME_SETUP);
	first = start(lock_a_then_b, NULL, 0);
	start(lock_b_then_a, NULL, 0);
	start(sleeping_thread, NULL, 0);
	start(spinning_thread, NULL, 0);
	start(polling_thread, NULL, 0);
	start(reading_thread, NULL, 0);
	start(waiting_thread, NULL, 0);
	wait_in_place(BLOCKED_THREADS);
	while (atomic_load(&holding) < 2)
		sleep_ms(1);
	sleep_ms(50);
	return first;
}

int threads_blocked(const char *arg)
{
	pthread_t deadlocked = start_blocked_threads();

	printf("ready\n");
	fflush(stdout);
	if (strcmp(arg, "hang") == 0) {
		/* The main thread waits for the deadlocked one: the whole
		 * program hangs. */
		pthread_join(deadlocked, NULL);
		return CRASHME_SURVIVED;
	}
	crash_null_read();
	return CRASHME_SURVIVED;
}

/* --- threads that cannot be stopped ----------------------------------- */

NOINLINE static void *blocking_every_signal(void *unused)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	arrive("fl-blocker");
	for (;;)
		sleep_ms(100000);
	return unused;
}

int threads_blocking_signals(const char *arg)
{
	(void)arg;
	start(blocking_every_signal, NULL, 0);
	start(sleeping_thread, NULL, 0);
	wait_in_place(2);
	crash_null_read();
	return CRASHME_SURVIVED;
}

/* --- many threads ----------------------------------------------------- */

NOINLINE static void *many_thread_body(void *unused)
{
	atomic_fetch_add(&in_place, 1);
	pause_thread();
	return unused;
}

/* ARG: how many (default 1000), each on a 64 KiB stack. */
int threads_many(const char *arg)
{
	int n = *arg ? atoi(arg) : 1000;

	for (int i = 0; i < n; i++)
		start(many_thread_body, NULL, 64 * 1024);
	wait_in_place(n);
	printf("threads %d\n", n);
	fflush(stdout);
	crash_null_read();
	return CRASHME_SURVIVED;
}

/* --- threads coming and going ----------------------------------------- */

static atomic_int alive;

NOINLINE static void *short_lived(void *unused)
{
	atomic_fetch_sub(&alive, 1);
	return unused;
}

/* Starts threads that end at once, 16 at most at a time, for ever. */
NOINLINE static void *spawning_thread(void *unused)
{
	pthread_attr_t attr;

	arrive("fl-spawner");
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (;;) {
		pthread_t t;

		if (atomic_load(&alive) >= 16) {
			sched_yield();
			continue;
		}
		atomic_fetch_add(&alive, 1);
		if (pthread_create(&t, &attr, short_lived, NULL) != 0)
			atomic_fetch_sub(&alive, 1);
	}
	return unused;
}

static void start_churn(void)
{
	start(spawning_thread, NULL, 0);
	start(spawning_thread, NULL, 0);
	wait_in_place(2);
}

int threads_churn(const char *arg)
{
	(void)arg;
	start_churn();
	sleep_ms(200);
	crash_null_read();
	return CRASHME_SURVIVED;
}

/* --- dump signals ----------------------------------------------------- */

/* ARG: how many times to raise SIGUSR1 (default 1), then exit 0. */
int raise_usr1(const char *arg)
{
	int n = *arg ? atoi(arg) : 1;

	start(sleeping_thread, NULL, 0);
	wait_in_place(1);
	for (int i = 0; i < n; i++)
		raise(SIGUSR1);
	printf("raised %d\n", n);
	return 0;
}

/* Print "ready" and carry on for a while with a sleeper and a spinner
 * (the harness sends a signal), then exit 0. */
int wait_for_dump(const char *arg)
{
	(void)arg;
	start(sleeping_thread, NULL, 0);
	start(spinning_thread, NULL, 0);
	wait_in_place(2);
	printf("ready\n");
	fflush(stdout);
	sleep_ms(1500);
	printf("still running\n");
	return 0;
}

/* --- the C API -------------------------------------------------------- */

#ifdef FL_LINKED
static int count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

/* Resident memory in KiB, from /proc/self/statm. */
static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static atomic_int printing_done;

/* Writes "line N" for N = 0 .. 1999 while the dumps go on. */
NOINLINE static void *printing_thread(void *unused)
{
	arrive("fl-printer");
	for (int i = 0; i < 2000; i++) {
		printf("line %d\n", i);
		fflush(stdout);
		if (i % 100 == 0)
			sleep_ms(1);
	}
	atomic_store(&printing_done, 1);
	return unused;
}

static int dumps(int n, int devnull)
{
	for (int i = 0; i < n; i++)
		if (faultline_dump(devnull) != 0) {
			perror("faultline_dump");
			return -1;
		}
	return 0;
}

/* ARG: how many dumps (default 10000), to /dev/null, while a thread
 * prints, one sleeps and one spins.  Prints the descriptors and resident
 * memory after the first 100 dumps and at the end, then "done". */
int dump_loop(const char *arg)
{
	int n = *arg ? atoi(arg) : 10000;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	pthread_t printer;
	int fds;
	long rss;

	if (devnull < 0)
		return CRASHME_SETUP;
	start(sleeping_thread, NULL, 0);
	start(spinning_thread, NULL, 0);
	printer = start(printing_thread, NULL, 0);
	wait_in_place(3);
	if (dumps(n < 100 ? n : 100, devnull) != 0)
		return 1;
	fds = count_fds();
	rss = rss_kib();
	if (dumps(n - 100, devnull) != 0)
		return 1;
	pthread_join(printer, NULL);
	printf("fds %d %d\nrss %ld %ld\ndone\n", fds, count_fds(), rss,
	       rss_kib());
	return 0;
}

/* Threads come and go while ARG (default 300) dumps are made. */
int dump_churn(const char *arg)
{
	int n = *arg ? atoi(arg) : 300;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	start_churn();
	if (dumps(n, devnull) != 0)
		return 1;
	printf("dumps %d\n", n);
	return 0;
}

static atomic_int dumps_made;

NOINLINE static void *dumping_thread(void *unused)
{
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	arrive("fl-dumper");
	for (;;)
		if (faultline_dump(devnull) == 0)
			atomic_fetch_add(&dumps_made, 1);
	return unused;
}

/* A thread makes dumps without a pause; after a few, this one crashes. */
int crash_during_dump(const char *arg)
{
	(void)arg;
	start(sleeping_thread, NULL, 0);
	start(dumping_thread, NULL, 0);
	while (atomic_load(&dumps_made) < 5)
		sleep_ms(1);
	crash_null_read();
	return CRASHME_SURVIVED;
}

/* faultline_watchdog(1) as a heartbeat every 100 ms for 2 s ("beating"
 * first, "stopped" after), then nothing: the watchdog must fire. */
int watchdog_heartbeat(const char *arg)
{
	(void)arg;
	start(sleeping_thread, NULL, 0);
	wait_in_place(1);
	printf("beating\n");
	fflush(stdout);
	for (int i = 0; i < 20; i++) {
		if (faultline_watchdog(1) != 0) {
			perror("faultline_watchdog");
			return CRASHME_SETUP;
		}
		sleep_ms(100);
	}
	printf("stopped\n");
	fflush(stdout);
	for (;;)
		sleep_ms(1000);
	return CRASHME_SURVIVED;
}

/* Armed for 1 s, disarmed, then 2 s of sleep: nothing fires. */
int watchdog_disarm(const char *arg)
{
	(void)arg;
	if (faultline_watchdog(1) != 0 || faultline_watchdog(0) != 0)
		return CRASHME_SETUP;
	sleep_ms(2000);
	printf("still running\n");
	return 0;
}

static void programs_usr1(int sig)
{
	static const char msg[] = "the program's handler ran\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(5);
}

/* The program's own SIGUSR1 handler, then faultline with SIGUSR1 as the
 * dump signal, then raise(SIGUSR1): a dump, and the handler still runs. */
int dump_chain(const char *arg)
{
	struct faultline_options o;

	(void)arg;
	signal(SIGUSR1, programs_usr1);
	faultline_options_init(&o);
	o.dump_signal = FAULTLINE_SIGUSR1;
	if (faultline_install(&o) != 0)
		return CRASHME_SETUP;
	raise(SIGUSR1);
	printf("still running\n");
	return 0;
}
#endif
