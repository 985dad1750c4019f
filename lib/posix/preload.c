/*
 * preload.c - LD_PRELOAD=libfaultline.so installs faultline at load time,
 * configured by the FAULTLINE_* environment.
 */
#include "faultline.h"
#include "platform.h"
#include "posix.h"

#include <errno.h>

/* A sanitizer runtime (ASan, TSan, MSan, HWASan, UBSan, LSan: all of them
 * carry sanitizer_common) owns the fatal signals and writes its own
 * report: faultline stands aside, and the program runs as it does
 * alone. */
/* A weak reference, bound by the dynamic linker with the library's other
 * symbols: a dlsym here cost start-up 5,000 instructions more. */
extern void __sanitizer_set_report_path(const char *path) __attribute__((weak));

static int sanitizer_present(void)
{
	return __sanitizer_set_report_path != NULL;
}

/* 1 when s contains word (strstr, which is libc code start-up would
 * fault in for this alone). */
FL_STARTUP_TEXT static int contains(const char *s, const char *word)
{
	for (; *s; s++) {
		size_t i = 0;
		while (word[i] && s[i] == word[i])
			i++;
		if (!word[i])
			return 1;
	}
	return 0;
}

/* Preload mode: LD_PRELOAD=libfaultline.so installs at load time.  A
 * program that merely links us decides itself when to install. */
__attribute__((constructor)) static void install_if_preloaded(void)
{
	FL_STARTUP_RODATA static const char var[] = "LD_PRELOAD",
					    word[] = "faultline";
	const char *preload = fl_env_value(var);
	int saved_errno = errno;

	if (preload && contains(preload, word) && !sanitizer_present()) {
		fl_chain_preloaded();
		faultline_install(NULL);
	}
	errno = saved_errno; /* start-up must leave no trace */
}
