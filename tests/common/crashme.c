/*
 * crashme.c - the crashing child of the crash tests: runs one scenario of
 * the table in scenarios.c, named by argv[1], with argv[2] as its
 * argument.  Without arguments it lists the scenarios it has.
 */
#include "scenarios.h"

#include <stdio.h>
#include <string.h>

#ifdef FL_LINKED
#include "faultline.h"
#endif

static const struct scenario *find(const char *name)
{
	for (const struct scenario *s = scenarios; s->name; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

static int list(void)
{
	printf("usage: crashme SCENARIO [ARG]  (tests/common/scenarios.c)\n");
	for (const struct scenario *s = scenarios; s->name; s++)
		if (s->run)
			printf("  %s\n", s->name);
	return CRASHME_USAGE;
}

int main(int argc, char **argv)
{
	const struct scenario *s = argc > 1 ? find(argv[1]) : NULL;
	int rc;

	if (argc < 2)
		return list();
	if (!s || !s->run) {
		fprintf(stderr, "crashme: %s scenario '%s'\n",
			s ? "this build has no" : "unknown", argv[1]);
		return CRASHME_USAGE;
	}
	crashme_setup();
#ifdef FL_LINKED
	/* The FAULTLINE_* environment applies. */
	if (!s->installs && faultline_install(NULL) != 0) {
		perror("faultline_install");
		return CRASHME_SETUP;
	}
#endif
	rc = s->run(argc > 2 ? argv[2] : "");
	if (rc == CRASHME_SURVIVED) {
		printf("survived %s\n", s->name);
		fflush(stdout);
	}
	return rc;
}
