/* hung_threads: a process whose threads block in known functions, for
 * "faultline dump" and "faultline run --timeout" (tests/tool/dump.sh,
 * timeout.sh).  It prints "ready" once every thread is in place, then
 * waits forever.  Argument "fork N": first fork a child that does the
 * same, N levels deep (a tree).  Argument "undumpable": first make itself
 * non-dumpable, so that only a privileged tracer may read it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t started;

__attribute__((noinline)) void blocked_in_mutex(void)
{
	pthread_mutex_lock(&held);
	pthread_mutex_unlock(&held);
}

__attribute__((noinline)) void blocked_in_sleep(void)
{
	for (;;)
		sleep(1000);
}

__attribute__((noinline)) void blocked_in_read(int fd)
{
	char c;
	while (read(fd, &c, 1) != 0)
		;
	blocked_in_sleep();
}

static void *mutex_thread(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "locker");
	pthread_barrier_wait(&started);
	blocked_in_mutex();
	return NULL;
}

static void *read_thread(void *arg)
{
	int *fds = arg;
	prctl(PR_SET_NAME, "reader");
	pthread_barrier_wait(&started);
	blocked_in_read(fds[0]);
	return NULL;
}

int main(int argc, char **argv)
{
	int depth =
		argc > 2 && strcmp(argv[1], "fork") == 0 ? atoi(argv[2]) : 0;
	if (depth > 0 && fork() == 0) {
		char n[16];
		snprintf(n, sizeof(n), "%d", depth - 1);
		execl(argv[0], argv[0], "fork", n, (char *)NULL);
		_exit(127);
	}
	if (argc > 1 && strcmp(argv[1], "undumpable") == 0)
		prctl(PR_SET_DUMPABLE, 0);
	static int fds[2];
	if (pipe(fds) < 0)
		return 1;
	pthread_mutex_lock(&held);
	pthread_barrier_init(&started, NULL, 3);
	pthread_t a, b;
	pthread_create(&a, NULL, mutex_thread, NULL);
	pthread_create(&b, NULL, read_thread, fds);
	pthread_barrier_wait(&started);
	usleep(200000); /* into their blocking calls */
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	blocked_in_sleep();
	return 0;
}
