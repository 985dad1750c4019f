#!/bin/sh
# minidump.sh BUILDDIR - what a minidump costs (issue 10, section 5).
#  (f) crash to death of bench/threads (8 other threads, each 32 frames
#      deep, the main thread crashing 32 frames deep), faultline preloaded
#      writing its report and a minidump (FAULTLINE_MINIDUMP) against the
#      same without a minidump, in alternating rounds of one run (bench/run):
#      the ratio of medians; target <= 1.5.
#  (g) the minidump's size for 1, 8 and 64 threads.
b=${1:?usage: minidump.sh BUILDDIR}
lib="$b/.libs/libfaultline.so"
dir=$(mktemp -d) || exit 2
trap 'rm -rf "$dir"' EXIT
rc=0
"$b/bench/run" -n "${FL_BENCH_ROUNDS:-100}" -w 10 \
	-l '(f) crash with a minidump, 8 threads x 32 frames' -t 1.5 -s 11 \
	-A 'report + minidump' -a LD_PRELOAD="$lib" \
	-a FAULTLINE_MINIDUMP="$dir/f-%p-%t.dmp" \
	-B 'report only' -b LD_PRELOAD="$lib" \
	-- "$b/bench/threads" 8 || rc=1
rm -f "$dir"/f-*.dmp
echo "(g) minidump size"
for threads in 1 8 64; do
	LD_PRELOAD="$lib" FAULTLINE_MINIDUMP="$dir/g-$threads.dmp" \
		"$b/bench/threads" $((threads - 1)) >/dev/null 2>&1
	if [ -f "$dir/g-$threads.dmp" ]; then
		printf '  %2d threads: %s bytes\n' "$threads" \
			"$(wc -c <"$dir/g-$threads.dmp")"
	else
		echo "  $threads threads: no minidump written"
		rc=1
	fi
done
exit $rc
