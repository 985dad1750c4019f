#!/bin/sh
# bench/callgrind.sh - benchmarks (a) and (b), and one fault recovered by
# faultline_protect with its snapshot, as instruction, syscall and
# page-fault counts.
#
# Wall-clock ratios on a shared machine carry noise; the number of
# instructions a run executes does not drift.  This runs the four programs
# of `make bench` under valgrind --tool=callgrind and prints their
# instruction counts (Ir: user space, including the dynamic loader's work;
# the kernel's exec, page faults and exit are not counted), the ratios, the
# inclusive cost of faultline's two entry points (the preload constructor
# and the signal handler) and the functions where the handler spends its
# instructions.  Then, where strace and perf work, the same runs' syscall
# counts and page faults (each costs microseconds in a VM), with the page
# faults taken after the crash listed by the function that took them.
#
# usage: bench/callgrind.sh [BUILDDIR]    (or: make bench-callgrind)
# Set FL_BENCH_KEEP=DIR to keep the callgrind.out files in DIR.
set -eu

top=$(cd "${1:-.}" && pwd)
lib=$top/.libs/libfaultline.so
blank=$top/bench/.libs/libblank.so
tiny=$top/bench/tiny
deep=$top/bench/deep
protect=$top/bench/protect
for f in "$lib" "$blank" "$tiny" "$deep" "$protect"; do
	if [ ! -e "$f" ]; then
		echo "callgrind.sh: $f is missing: run make first" >&2
		exit 2
	fi
done
command -v valgrind >/dev/null || {
	echo "callgrind.sh: valgrind not found (Debian: valgrind)" >&2
	exit 2
}

if [ -n "${FL_BENCH_KEEP:-}" ]; then
	work=$FL_BENCH_KEEP
	mkdir -p "$work"
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
# No core files: neither the kernel's nor valgrind's vgcore.
ulimit -c 0

# cg NAME PRELOAD PROGRAM [ARG...]: run under callgrind, print the
# instruction count.
cg() {
	name=$1 pre=$2
	shift 2
	(
		cd "$work"
		unset FAULTLINE_SIGNALS FAULTLINE_OUTPUT FAULTLINE_FORMAT \
			FAULTLINE_DISABLE LD_PRELOAD FL_BENCH_TS_FD
		if [ -n "$pre" ]; then
			LD_PRELOAD=$pre
			export LD_PRELOAD
		fi
		# The crash runs die by SIGSEGV, as they should: keep the
		# shell's "Segmentation fault" line out of the output.
		{
			valgrind --tool=callgrind \
				--callgrind-out-file="$work/$name.out" \
				--log-file="$work/$name.log" "$@" \
				>"$work/$name.stdout" 2>"$work/$name.stderr"
		} 2>/dev/null || true
	)
	sed -n 's/^==[0-9]*== Collected : //p' "$work/$name.log"
}

# inclusive NAME FUNCTION: inclusive Ir of FUNCTION in run NAME (0 if absent).
inclusive() {
	callgrind_annotate --inclusive=yes --threshold=100 "$work/$1.out" |
		awk -v fn=":$2 " '
			index($0, fn) { gsub(",", "", $1); print $1; found = 1; exit }
			END { if (!found) print 0 }'
}

# callgrind_annotate's percentages are of one dump part, not of the run
# (a process dying by a signal ends with a partial dump): drop them.
pct='s/ *( *[0-9.]*%) / /;'

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'
}

# per_recovery COUNT1 COUNT11: what one recovery adds.
per_recovery() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 10 }'
}

a_ff=$(cg startup-faultline "$lib" "$tiny")
a_bl=$(cg startup-blank "$blank" "$tiny")
b_ff=$(cg crash-faultline "$lib" "$deep")
b_nh=$(cg crash-nohandler "" "$deep")
ctor=$(inclusive startup-faultline install_if_preloaded)
handler=$(inclusive crash-faultline handle_fatal)
report=$(wc -c <"$work/crash-faultline.stderr")
r_1=$(cg recover-1 "" "$protect" -r 1)
r_11=$(cg recover-11 "" "$protect" -r 11)
r_h1=$(inclusive recover-1 handle_fatal)
r_h11=$(inclusive recover-11 handle_fatal)

echo "callgrind instruction counts (Ir; user space incl. ld.so, no kernel)"
printf '(a) start-up   faultline %10s  empty DSO  %10s  ratio %s\n' \
	"$a_ff" "$a_bl" "$(ratio "$a_ff" "$a_bl")"
printf '               +%s Ir, of which the constructor (install_if_preloaded) %s\n' \
	"$((a_ff - a_bl))" "$ctor"
printf '(b) crash      faultline %10s  no handler %10s  ratio %s\n' \
	"$b_ff" "$b_nh" "$(ratio "$b_ff" "$b_nh")"
printf '               +%s Ir, of which the handler (handle_fatal) %s; report %s bytes\n' \
	"$((b_ff - b_nh))" "$handler" "$report"
printf '(c) recovery   one fault recovered with its snapshot %s Ir, of which the handler %s\n' \
	"$(per_recovery "$r_1" "$r_11")" "$(per_recovery "$r_h1" "$r_h11")"
echo
echo "(b) where the crashing process spends instructions, inclusive, outside ld.so:"
callgrind_annotate --inclusive=yes --threshold=100 "$work/crash-faultline.out" |
	grep -v 'ld-linux' | grep -E '^ *[0-9,]+ \(' | sed -n "$pct"'2,21p'
echo
echo "(b) top functions, exclusive (self) cost:"
callgrind_annotate --threshold=100 "$work/crash-faultline.out" |
	grep -E '^ *[0-9,]+ \(' | sed -n "$pct"'2,16p'
echo
echo "(a) top functions of start-up with faultline, exclusive (self) cost:"
callgrind_annotate --threshold=100 "$work/startup-faultline.out" |
	grep -E '^ *[0-9,]+ \(' | sed -n "$pct"'2,11p'

# --- syscalls and page faults ------------------------------------------------
# In a VM both cost microseconds each and dominate the wall-clock figures, so
# their counts are the other drift-free view.  Optional: strace and perf.

# run_env PRELOAD PROGRAM...: run with the benchmark's environment.
run_env() {
	pre=$1
	shift
	(
		unset FAULTLINE_SIGNALS FAULTLINE_OUTPUT FAULTLINE_FORMAT \
			FAULTLINE_DISABLE LD_PRELOAD FL_BENCH_TS_FD
		cd "$work"
		if [ -n "$pre" ]; then
			LD_PRELOAD=$pre
			export LD_PRELOAD
		fi
		{ "$@" >/dev/null 2>&1; } 2>/dev/null || true
	)
}

if command -v strace >/dev/null; then
	# syscalls NAME PRELOAD PROGRAM [ARG...]: total syscalls of a run
	# (strace -c).
	syscalls() {
		name=$1 pre=$2
		shift 2
		run_env "$pre" strace -f -c -S calls -o "$work/$name.strace" "$@"
		set -- "$name"
		awk '$NF == "total" { print $(NF - 1) == "" ? 0 : \
			($4 ~ /^[0-9]+$/ ? $4 : $3) }' "$work/$1.strace"
	}
	echo
	echo "syscalls (strace -f -c; the kernel's exec and exit are the same on both sides)"
	printf '(a) start-up   faultline %6s  empty DSO  %6s\n' \
		"$(syscalls startup-faultline "$lib" "$tiny")" \
		"$(syscalls startup-blank "$blank" "$tiny")"
	printf '(b) crash      faultline %6s  no handler %6s\n' \
		"$(syscalls crash-faultline "$lib" "$deep")" \
		"$(syscalls crash-nohandler "" "$deep")"
	echo "(b) most frequent syscalls with faultline:"
	sed -n '3,10p' "$work/crash-faultline.strace" |
		awk '{ printf "    %6s %s\n", $4 ~ /^[0-9]+$/ ? $4 : $3, $NF }'
	r_s1=$(syscalls recover-1 "" "$protect" -r 1)
	r_s11=$(syscalls recover-11 "" "$protect" -r 11)
	printf '(c) recovery   %s syscalls per recovered fault:' \
		"$(per_recovery "$r_s1" "$r_s11")"
	# per syscall name: (calls with -r 11 - calls with -r 1) / 10
	awk 'FNR <= 2 || $NF == "total" || /^-/ { next }
		{ n = $4 ~ /^[0-9]+$/ ? $4 : $3 }
		FILENAME ~ /recover-1\.strace$/ { c[$NF] -= n; next }
		{ c[$NF] += n }
		END { for (s in c) if (c[s] > 0) printf " %s %g", s, c[s] / 10
		      print "" }' "$work/recover-1.strace" "$work/recover-11.strace"
fi

if command -v perf >/dev/null &&
	perf record -q -e page-faults -c 1 -o "$work/probe.data" true \
		>/dev/null 2>&1; then
	# faults NAME PRELOAD PROGRAM: minor page faults of a run, each one
	# recorded with the code and the data address that took it.
	faults() {
		name=$1 pre=$2
		shift 2
		run_env "$pre" perf record -q -e page-faults -c 1 -d \
			-o "$work/$name.data" "$@"
		set -- "$name"
		perf script -i "$work/$1.data" -F ip,sym,dso,addr \
			>"$work/$1.faults" 2>/dev/null
		wc -l <"$work/$1.faults" | tr -d ' '
	}
	echo
	echo "page faults (perf record -e page-faults)"
	printf '(a) start-up   faultline %6s  empty DSO  %6s\n' \
		"$(faults startup-faultline "$lib" "$tiny")" \
		"$(faults startup-blank "$blank" "$tiny")"
	printf '(b) crash      faultline %6s  no handler %6s\n' \
		"$(faults crash-faultline "$lib" "$deep")" \
		"$(faults crash-nohandler "" "$deep")"
	# After the fault in f64, every page fault is the handler's: the
	# touched data (or code) page and the function that touched it.
	echo "(b) page faults taken after the crash (data address, by function):"
	awk '/ f64 / { on = 1; next } on' "$work/crash-faultline.faults" |
		sed 's/ ([^)]*)//g' |
		awk '{ printf "    %s  %s\n", $1, $NF == "[unknown]" ? \
			$(NF - 1) : $NF }'
	printf '(c) recovery   %s page faults per recovered fault (-r 1: %s, -r 11: %s)\n' \
		"$(per_recovery "$(faults recover-1 "" "$protect" -r 1)" \
			"$(faults recover-11 "" "$protect" -r 11)")" \
		"$(wc -l <"$work/recover-1.faults" | tr -d ' ')" \
		"$(wc -l <"$work/recover-11.faults" | tr -d ' ')"
fi
