/*
 * demo.c - a small program with a bug, for ./demo.sh.  It knows nothing
 * of faultline: run it with LD_PRELOAD=libfaultline.so to get a report
 * instead of a bare "Segmentation fault".
 */
#include <stdio.h>
#include <string.h>

/* Keep the functions whole, so that the backtrace shows their plain
 * names (no inlining, no GCC clones such as name.isra.0). */
#if defined(__GNUC__) && !defined(__clang__)
#define KEEP __attribute__((noinline, noipa))
#else
#define KEEP __attribute__((noinline))
#endif

struct section {
	const char *name;
	const struct section *parent; /* NULL for the top level */
};

/* The bug: the top-level section has no parent. */
KEEP static size_t parent_name_length(const struct section *s)
{
	return strlen(s->parent->name);
}

KEEP static size_t total_length(const struct section *sections, size_t n)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += parent_name_length(&sections[i]);
	return total;
}

int main(void)
{
	static const struct section top = {"top", NULL};
	const struct section sections[] = {{"child", &top}, top};

	printf("demo: adding up the parents' name lengths...\n");
	fflush(stdout);
	printf("%zu\n", total_length(sections, 2));
	return 0;
}
