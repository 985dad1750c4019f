#!/bin/sh
# symbolize.sh - how long "faultline symbolize" takes for a 64-frame report,
# cold: a new process each time, with the page cache of every file it reads
# dropped first (dd iflag=nocache; best effort, no root needed).  Target:
# a median of at most 200 ms.
#
# The report is written here from a generated program of 48 functions
# (48 frames with DWARF, inlined calls included) and 16 frames in libc
# (symbol table only, unless its debug file is installed), as the handler
# would write it.  Rounds alternate "faultline symbolize" with
# "addr2line -i -f -C" on the same 64 addresses, as a point of reference, so
# that drift in the machine's load hits both alike.
#
# Usage: bench/symbolize.sh [FAULTLINE [ROUNDS]]
#   (make bench-symbolize runs it on the build tree's tool)
set -eu
FAULTLINE=${1:-faultline}
ROUNDS=${2:-21}
CC=${CC:-cc}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/faultline-bench.XXXXXX")
trap "rm -rf \"$WORK\"" EXIT; [ -n "${KEEP:-}" ] && trap - EXIT && echo "$WORK"

# A program whose call chain is 48 functions deep, every other one with an
# inlined helper.
{
	echo '#include <stdlib.h>'
	echo 'volatile int sink;'
	for i in $(seq 0 47); do
		echo "static inline int helper_$i(int x) { sink += x; return x * $((i + 3)); }"
	done
	for i in $(seq 47 -1 0); do
		next=$((i + 1))
		if [ $i = 47 ]; then
			body="return *(volatile int *)0 + x;"
		else
			body="return level_$next(helper_$i(x)) + 1;"
		fi
		echo "__attribute__((noinline)) int level_$i(int x) { $body }"
	done
	echo 'int main(int argc, char **argv) { return level_0(argc); }'
} >"$WORK/deep.c"
"$CC" -g -O2 -o "$WORK/deep" "$WORK/deep.c"

LIBC=$(ldd "$WORK/deep" | awk '/libc\.so/ { print $3 }')
build_id() { readelf -n "$1" | sed -n 's/.*Build ID: //p'; }
sym() { nm "$WORK/deep" | awk -v s="$1" '$3 == s { print $1 }'; }
{
	echo "==== faultline 0.1.0 crash report ===="
	echo "signal: SIGSEGV (11), code SEGV_MAPERR (1)"
	echo "address: 0x0000000000000000 (read)"
	echo "cause: null pointer dereference"
	echo "process: pid 4242, executable $WORK/deep"
	echo "thread: tid 4242 \"deep\" (crashed)"
	echo "backtrace (64 frames):"
	n=0
	for i in $(seq 47 -1 0); do
		off=$(printf '0x%x' $((0x$(sym level_$i) + 9)))
		printf '  #%-2d 0x%016x in level_%d+0x9 (%s+%s)\n' $n \
			$((0x555555554000 + off)) $i "$WORK/deep" "$off"
		n=$((n + 1))
	done
	# libc: spread over its text, as deep library stacks are.
	for i in $(seq 0 15); do
		off=$(printf '0x%x' $((0x28000 + i * 0x9c40)))
		printf '  #%-2d 0x%016x in ?? (%s+%s)\n' $n \
			$((0x7ffff7dd0000 + off)) "$LIBC" "$off"
		n=$((n + 1))
	done
	echo "modules:"
	echo "  0x0000555555554000 $WORK/deep build-id $(build_id "$WORK/deep")"
	echo "  0x00007ffff7dd0000 $LIBC build-id $(build_id "$LIBC")"
	echo "==== end of faultline report ===="
} >"$WORK/report.txt"
awk '/^  #/ { gsub(/[()]/, "", $NF); n = split($NF, a, "+");
	print a[1], a[2] }' "$WORK/report.txt" >"$WORK/addresses"

drop_cache() {
	for f in "$WORK/deep" "$LIBC" "$(command -v "$FAULTLINE" || echo "$FAULTLINE")"; do
		dd if="$f" iflag=nocache count=0 status=none 2>/dev/null || true
	done
}

now_ns() { date +%s%N; }

# CPU time (user + sys, in ms) goes to $WORK/cpu when GNU time is there: on
# a shared, loaded machine wall time measures the neighbours too.
if [ -x /usr/bin/time ]; then
	TIMED="/usr/bin/time -f %U+%S -o $WORK/cpu"
else
	TIMED=
fi
run_faultline() {
	$TIMED "$FAULTLINE" symbolize "$WORK/report.txt" >/dev/null 2>&1 || true
	[ -z "$TIMED" ] || awk -F+ '{ printf "%d\n", ($1 + $2) * 1000000 }' \
		"$WORK/cpu" >>"$WORK/c_faultline"
}
run_addr2line() {
	# One addr2line per module, as a script would do it.
	awk -v m="$WORK/deep" '$1 == m { print $2 }' "$WORK/addresses" |
		addr2line -i -f -C -e "$WORK/deep" >/dev/null
	awk -v m="$LIBC" '$1 == m { print $2 }' "$WORK/addresses" |
		addr2line -i -f -C -e "$LIBC" >/dev/null
}

frames=$(grep -c '^  #' "$WORK/report.txt")
located=$("$FAULTLINE" symbolize "$WORK/report.txt" 2>/dev/null | grep -c '^      ' || true)
echo "report: $frames frames; faultline printed $located location lines"

: >"$WORK/t_faultline"
: >"$WORK/c_faultline"
: >"$WORK/t_addr2line"
for round in $(seq 1 "$ROUNDS"); do
	drop_cache
	t0=$(now_ns)
	run_faultline
	t1=$(now_ns)
	echo $(((t1 - t0) / 1000)) >>"$WORK/t_faultline"
	drop_cache
	t0=$(now_ns)
	run_addr2line
	t1=$(now_ns)
	echo $(((t1 - t0) / 1000)) >>"$WORK/t_addr2line"
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] / 1000 }'; }
mf=$(median "$WORK/t_faultline")
ma=$(median "$WORK/t_addr2line")
echo "faultline symbolize, 64 frames, cold: median $mf ms wall over $ROUNDS rounds (target <= 200 ms)"
if [ -s "$WORK/c_faultline" ]; then
	echo "                                         median $(median "$WORK/c_faultline") ms CPU (user+sys)"
fi
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo "addr2line -i -f -C (reference):        median $ma ms wall"
awk -v m="$mf" 'BEGIN { exit !(m <= 200) }' || {
	echo "over the 200 ms target" >&2
	exit 1
}
