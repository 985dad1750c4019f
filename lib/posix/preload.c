/*
 * preload.c - LD_PRELOAD=libfaultline.so installs faultline at load time,
 * configured by the FAULTLINE_* environment.
 */
#include "faultline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Preload mode: LD_PRELOAD=libfaultline.so installs at load time.  A
 * program that merely links us decides itself when to install. */
__attribute__((constructor)) static void install_if_preloaded(void)
{
	const char *preload = getenv("LD_PRELOAD");
	int saved_errno = errno;

	if (preload && strstr(preload, "faultline"))
		faultline_install(NULL);
	errno = saved_errno; /* start-up must leave no trace */
}
