/*
 * blocking_ctor.c - a library whose constructor never returns: dlopen
 * holds the loader's lock for good (crashme's loader-lock-dlopen).  It
 * first writes a byte to the descriptor CRASHME_CTOR_FD names.
 */
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void block_forever(void)
{
	const char *fd = getenv("CRASHME_CTOR_FD");

	if (!fd || write(atoi(fd), "c", 1) != 1)
		return;
	for (;;)
		pause();
}
