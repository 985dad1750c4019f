#!/bin/sh
# sanitizers.sh - programs built with AddressSanitizer, UndefinedBehavior-
# Sanitizer, ThreadSanitizer (gcc) and MemorySanitizer (clang) run under
# "faultline run" and with the library preloaded exactly as alone (issue
# 11): the same exit status and the sanitizer's own report, no faultline
# report (the library stands aside in a process with a sanitizer
# runtime).  A null read and, for ASan, a heap overflow.
name=sanitizers.sh
. "$(dirname "$0")/lib.sh"
need gcc gcc
faultline=$FL_BUILDDIR/faultline
[ -x "$faultline" ] || { echo "FAIL: $faultline missing"; exit 99; }

cat >"$tmp/prog.c" <<'C'
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "heap") == 0) {
		char *volatile b = malloc(4);
		b[argc + 4] = 1;
		free(b);
		return 0;
	}
	volatile int *p = 0;
	return *p;
}
C

# same NAME PROGRAM ARG: alone, preloaded and under faultline run: one exit
# status, the sanitizer's lines kept, nothing of faultline.
same() {
	run "$1.alone" "$2" $3
	alone=$rc
	grep -E 'Sanitizer|runtime error' "$tmp/$1.alone.err" | head -1 \
		>"$tmp/$1.first"
	# gcc's shared ASan runtime must come first in the library list (it
	# says so and exits otherwise): preloaded after it, as it asks.
	first=
	if [ "${1#gcc-address}" != "$1" ]; then
		first=$(gcc -print-file-name=libasan.so):
	fi
	run "$1.preload" env LD_PRELOAD="$first$lib" "$2" $3
	status "$1.preload" "$alone"
	run "$1.run" "$faultline" run --library "$lib" -- "$2" $3
	status "$1.run" "$alone"
	for how in preload run; do
		lacks "$1.$how" "$tmp/$1.$how.err" "faultline"
		if [ -s "$tmp/$1.first" ]; then
			has "$1.$how" "$tmp/$1.$how.err" \
				"$(sed 's/==[0-9]*==//; s/(pid=[0-9]*)//' "$tmp/$1.first" |
					cut -c1-40)"
		fi
	done
}

built=0
for s in address undefined thread; do
	if gcc -g -fsanitize=$s "$tmp/prog.c" -o "$tmp/gcc-$s" 2>"$tmp/cc.err"; then
		built=$((built + 1))
		same "gcc-$s" "$tmp/gcc-$s" null
	else
		echo "note: gcc -fsanitize=$s: cannot build here (skipped)"
	fi
done
same gcc-address-heap "$tmp/gcc-address" heap
if command -v clang >/dev/null 2>&1 &&
	clang -g -fsanitize=memory "$tmp/prog.c" -o "$tmp/clang-memory" 2>/dev/null; then
	same clang-memory "$tmp/clang-memory" null
else
	echo "note: clang -fsanitize=memory: cannot build here (skipped)"
fi
[ "$built" -gt 0 ] || { echo "SKIP: no sanitizer builds with gcc here"; exit 77; }
finish
