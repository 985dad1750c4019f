/*
 * test-threads.c - the thread listing of a capture (threads.c, issue 12
 * section 4): a process whose only thread is the capturer lists nothing
 * and does not open /proc/self/task (a stat of it says so); with a
 * second thread the listing runs and finds it.  Under qemu-user the
 * link count is the host's, qemu's own threads among them: the listing
 * runs (and shows those).
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "open-hook.h"
#include "posix/posix.h"
#include "snapshot.h"
#include "unit.h"

/* Opens of /proc/self/task. */
static atomic_int task_opens;

static void count_task_open(const char *path, int fd)
{
	(void)fd;
	if (strcmp(path, "/proc/self/task") == 0)
		atomic_fetch_add(&task_opens, 1);
}

static long self(void)
{
	return syscall(SYS_gettid);
}

/* What the kernel (or qemu's host) counts: 2 + threads. */
static int task_links(void)
{
	struct stat st;

	ck_assert_int_eq(stat("/proc/self/task", &st), 0);
	return (int)st.st_nlink;
}

START_TEST(alone_lists_nothing_unopened)
{
	struct fl_thread_list list = {0};
	int alone = task_links() == 3;

	fl_test_open_hook = count_task_open;
	ck_assert_int_eq(fl_threads_prepare(0), 0);
	fl_threads_capture(&list, self(), 0, NULL);
	if (!alone) { /* an emulator's host threads */
		ck_assert_int_eq(atomic_load(&task_opens), 1);
		return;
	}
	ck_assert_uint_eq(list.count, 0);
	ck_assert_int_eq(atomic_load(&task_opens), 0);
}
END_TEST

static atomic_int stop;
static atomic_long other_tid;

static void *spin(void *arg)
{
	(void)arg;
	atomic_store(&other_tid, syscall(SYS_gettid));
	while (!atomic_load(&stop))
		usleep(1000);
	return NULL;
}

START_TEST(second_thread_listed)
{
	struct fl_thread_list list = {0};
	pthread_t t;

	fl_test_open_hook = count_task_open;
	ck_assert_int_eq(fl_threads_prepare(0), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, spin, NULL), 0);
	while (atomic_load(&other_tid) == 0)
		usleep(1000);
	fl_threads_capture(&list, self(), 0, NULL);
	size_t i;

	ck_assert_int_eq(atomic_load(&task_opens), 1);
	ck_assert_uint_ge(list.count, 1);
	for (i = 0; i < list.count && list.t[i].tid != atomic_load(&other_tid);
	     i++)
		;
	ck_assert_uint_lt(i, list.count);
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
}
END_TEST

int main(void)
{
	return UNIT_MAIN("threads", 60, alone_lists_nothing_unopened,
			 second_thread_listed);
}
