#!/bin/sh
# ci-test.sh - build faultline and run its whole test suite.
#
#   ./ci-test.sh            x86-64 natively, then x86-64 with the system's
#                           libunwind, then aarch64 (cross build, run under
#                           qemu-user), then Windows (mingw-w64 cross build,
#                           run under Wine)
#   ./ci-test.sh native     only the native build and tests
#   ./ci-test.sh system     only the native build with the system's shared
#                           libunwind (--without-libunwind-source)
#   ./ci-test.sh aarch64    only the aarch64 cross build and tests
#   ./ci-test.sh windows    only the Windows cross build and tests
#   ./ci-test.sh distcheck  the release tarball builds and passes its tests
#
# On Debian 12 it first installs what is missing (apt-get, as root or with
# sudo; the aarch64 part adds the arm64 architecture for libunwind-dev:arm64
# and check:arm64).  Builds go to _build/<name> out of the source tree.
# Set FL_NO_INSTALL=1 to skip the package step.
#
# The native and aarch64 builds carry libunwind built from Debian's source
# package, fetched by configure (apt-get source, a private apt setup in the
# build tree; the only step that uses the network).  FL_UNWIND_SOURCE=PATH
# builds from a libunwind source tree or tarball instead.
set -eu

src=$(cd "$(dirname "$0")" && pwd)
jobs=${FL_JOBS:-2}
what=${1:-all}
unwind_source=${FL_UNWIND_SOURCE:-debian}
case $unwind_source in
debian | /*) ;;
*) unwind_source=$(pwd)/$unwind_source ;; # configure runs in the build dir
esac

say() { printf '\n=== %s\n' "$*"; }

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "ci-test.sh: need root or sudo to install: $*" >&2
		exit 1
	fi
}

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null |
		grep -q 'install ok installed'
}

# need PACKAGE...: install the ones that are missing.
updated=no
need() {
	[ "${FL_NO_INSTALL:-0}" = 1 ] && return 0
	command -v dpkg-query >/dev/null 2>&1 || return 0 # not Debian
	missing=
	for p in "$@"; do
		installed "$p" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	say "installing:$missing"
	if [ "$updated" = no ]; then
		as_root apt-get update -qq
		updated=yes
	fi
	# shellcheck disable=SC2086 # a list of package names
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $missing </dev/null
}

bootstrap() {
	# dpkg-dev and patch: apt-get source (libunwind's source package);
	# libunwind-dev: the system route, and a test program that uses it;
	# libdebuginfod-dev, and for the tests of faultline symbolize's debug
	# files debuginfod (a server), iproute2 (its network namespace), llvm
	# (llvm-dwp) and dwz; libiberty-dev: the demangler built into the
	# library; libc6-dbg: libc's separate debug file, whose symbols the
	# report names libc's local functions with; strace: a second tracer
	# for faultline dump's test (tests/tool/dump.sh).
	need build-essential autoconf automake libtool libdw-dev \
		pkg-config make libunwind-dev check gdb util-linux \
		dpkg-dev patch libdebuginfod-dev debuginfod llvm iproute2 dwz \
		libiberty-dev libc6-dbg strace
	if [ ! -x "$src/configure" ] || [ "$src/configure.ac" -nt "$src/configure" ]; then
		say "autoreconf"
		(cd "$src" && autoreconf -fi)
	fi
}

# run_check DIR: make check, showing the logs of what failed.
run_check() {
	if ! make -C "$1" -j"$jobs" check; then
		[ -f "$1/test-suite.log" ] && cat "$1/test-suite.log"
		echo "ci-test.sh: tests failed in $1" >&2
		exit 1
	fi
}

# fetch_breakpad DIR: Breakpad's minidump_stackwalk and dump_syms (Linux
# x86-64 binaries in the npm package "minidump") into DIR/tests/breakpad
# for tests/crash/minidump.sh; never part of the source.  Without npm
# the test says it skips them.
fetch_breakpad() {
	[ -x "$1/tests/breakpad/package/bin/linux-x64/minidump_stackwalk" ] &&
		return 0
	# Debian's nodejs lacks npm (a package of its own); NodeSource's has it.
	command -v npm >/dev/null 2>&1 || need npm
	mkdir -p "$1/tests/breakpad"
	(cd "$1/tests/breakpad" && npm pack --silent minidump >/dev/null &&
		tar xzf minidump-*.tgz) ||
		say "npm package minidump not fetched: Breakpad's checks skip"
}

native() {
	# tests/runtimes: real runtimes that own signals (a JVM, node,
	# CPython) and sanitizer builds (gcc's ASan, UBSan, TSan; clang's
	# MSan).  The JDK and node are large: headless JDK only, no
	# recommends.
	# lldb-16 and npm: tests/crash/minidump.sh reads minidumps with lldb
	# and with Breakpad's tools (fetch_breakpad).
	need default-jdk-headless nodejs python3 clang lldb-16
	b="$src/_build/native"
	say "native build ($b)"
	mkdir -p "$b"
	[ -f "$b/Makefile" ] || (cd "$b" && "$src/configure" --enable-werror \
		--with-libunwind-source="$unwind_source")
	make -C "$b" -j"$jobs"
	fetch_breakpad "$b"
	say "native tests"
	run_check "$b"
}

# The other route: the system's shared libunwind, as where no source can
# be had.  A second native build (about 2 minutes more), built by clang
# where there is one, so that clang's warnings (-Werror) and its code
# generation are checked too without a third build.
system() {
	b="$src/_build/native-system"
	say "native build with the system's libunwind ($b)"
	mkdir -p "$b"
	cc=${CC:-gcc} cxx=${CXX:-g++}
	command -v clang >/dev/null 2>&1 && cc=${CC:-clang}
	command -v clang++ >/dev/null 2>&1 && cxx=${CXX:-clang++}
	[ -f "$b/Makefile" ] || (cd "$b" && "$src/configure" --enable-werror \
		--without-libunwind-source CC="$cc" CXX="$cxx")
	make -C "$b" -j"$jobs"
	say "native tests, system libunwind"
	run_check "$b"
}

aarch64() {
	if ! dpkg --print-foreign-architectures 2>/dev/null | grep -qx arm64 &&
		[ "${FL_NO_INSTALL:-0}" != 1 ]; then
		say "adding the arm64 architecture"
		as_root dpkg --add-architecture arm64
		updated=no
	fi
	need gcc-aarch64-linux-gnu g++-aarch64-linux-gnu \
		libc6-dev-arm64-cross qemu-user libunwind-dev:arm64 check:arm64 \
		libiberty-dev:arm64 lldb-16
	b="$src/_build/aarch64"
	say "aarch64 cross build ($b)"
	mkdir -p "$b"
	# pkg-config must read the arm64 .pc files, not the build machine's.
	[ -f "$b/Makefile" ] || (cd "$b" &&
		PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig \
			"$src/configure" --enable-werror --host=aarch64-linux-gnu \
				--with-libunwind-source="$unwind_source")
	make -C "$b" -j"$jobs"
	say "aarch64 tests under qemu-user"
	run_check "$b"
}

windows() {
	# Wine's recommended packages are what the tests were run with.
	if [ "${FL_NO_INSTALL:-0}" != 1 ] && command -v dpkg-query >/dev/null 2>&1 &&
		! { installed wine && installed wine64 && installed gcc-mingw-w64-x86-64 &&
			installed g++-mingw-w64-x86-64; }; then
		say "installing: gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine wine64"
		as_root apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine wine64 </dev/null
	fi
	b="$src/_build/windows"
	say "Windows cross build ($b)"
	mkdir -p "$b"
	[ -f "$b/Makefile" ] || (cd "$b" &&
		"$src/configure" --enable-werror --host=x86_64-w64-mingw32)
	make -C "$b" -j"$jobs"
	say "Windows tests under Wine"
	run_check "$b"
}

distcheck() {
	b="$src/_build/native"
	[ -f "$b/Makefile" ] || native
	say "distcheck"
	make -C "$b" -j"$jobs" distcheck
}

bootstrap
case "$what" in
all)
	native
	system
	aarch64
	windows
	;;
native) native ;;
system) system ;;
aarch64) aarch64 ;;
windows) windows ;;
distcheck) distcheck ;;
*)
	echo "usage: $0 [all|native|system|aarch64|windows|distcheck]" >&2
	exit 2
	;;
esac
say "ci-test.sh $what: all tests passed"
