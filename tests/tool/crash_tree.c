/*
 * crash_tree.c - a process tree in which two processes crash: the
 * grandchild (SIGSEGV, after closing every descriptor it inherited, as
 * daemons do) and the child (SIGABRT, after exec'ing itself, so the
 * preload must survive exec).  The parent exits 3.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int *volatile nowhere;

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "abort") == 0)
		abort();
	pid_t child = fork();
	if (child == 0) {
		pid_t grandchild = fork();
		if (grandchild == 0) {
			for (int fd = 0; fd < 1024; fd++)
				close(fd);
			*nowhere = 1;
			_exit(0);
		}
		waitpid(grandchild, NULL, 0);
		execl("/proc/self/exe", argv[0], "abort", (char *)NULL);
		_exit(99);
	}
	int status;
	waitpid(child, &status, 0);
	printf("crash_tree: child %s\n",
	       WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "exited");
	return 3;
}
