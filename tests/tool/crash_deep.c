/* crash_deep.c - a crash 5,000 frames deep: its report keeps a head and
 * a tail of the backtrace with "... N frames omitted ..." between. */
#include <stdio.h>

static int volatile *volatile target; /* stays NULL */

__attribute__((noinline)) static int descend(int depth)
{
	int volatile keep = depth; /* live across the call: no tail call */

	if (depth == 0)
		return *target;
	return descend(depth - 1) + keep;
}

int main(void)
{
	printf("crash_deep\n");
	fflush(stdout);
	return descend(5000);
}
