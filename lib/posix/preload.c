/*
 * preload.c - LD_PRELOAD=libfaultline.so installs faultline at load time,
 * configured by the FAULTLINE_* environment.
 */
#include "faultline.h"
#include "posix.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A sanitizer runtime (ASan, TSan, MSan, HWASan, UBSan, LSan: all of them
 * carry sanitizer_common) owns the fatal signals and writes its own
 * report: faultline stands aside, and the program runs as it does
 * alone. */
static int sanitizer_present(void)
{
	return dlsym(RTLD_DEFAULT, "__sanitizer_set_report_path") != NULL;
}

/* Preload mode: LD_PRELOAD=libfaultline.so installs at load time.  A
 * program that merely links us decides itself when to install. */
__attribute__((constructor)) static void install_if_preloaded(void)
{
	const char *preload = getenv("LD_PRELOAD");
	int saved_errno = errno;

	fl_chain_resolve();
	if (preload && strstr(preload, "faultline") && !sanitizer_present()) {
		fl_chain_preloaded();
		faultline_install(NULL);
	}
	errno = saved_errno; /* start-up must leave no trace */
}
