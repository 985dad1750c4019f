#!/bin/sh
# libunwind/prepare.sh ORIGIN DIR - make a libunwind source ready for
# faultline's build: a private copy, our patches, libunwind's configure.
#
#   ORIGIN  a libunwind >= 1.6 source tree or release tarball (never
#           modified: it is copied to DIR/tree first)
#   DIR     the build tree's _libunwind directory
#
# The compiler and flags come from the environment, as faultline's
# configure found them: CC, CFLAGS, CPPFLAGS, LDFLAGS, FL_HOST, FL_BUILD.
#
# libunwind's own configure runs in DIR/build with the options of a build
# for a crash handler (remote-only, no signal blocking, nothing optional),
# its own Makefile later compiles the files (make in DIR/build/src), and
# this script writes DIR/objects.list: the libtool objects of the generic
# library libunwind-ARCH and of the convenience libraries it links in
# (DWARF, ELF), less the local unwinder - taken from libunwind's Makefile,
# so that any version >= 1.6 builds its own list of files.
#
# A second run with the same inputs does nothing.  Output: progress on
# stderr, the libunwind version on stdout.  Exit status 1 on failure.
set -eu

die() {
	echo "prepare.sh: $*" >&2
	exit 1
}

[ $# -eq 2 ] || die "usage: prepare.sh ORIGIN DIR"
origin=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$2"
dir=$(cd "$2" && pwd)
case $origin in
/*) ;;
*) origin=$(pwd)/$origin ;;
esac
[ -e "$origin" ] || die "$origin: no such file or directory"

# The options that make this a crash handler's libunwind.  Unknown ones
# (an older or newer libunwind) are ignored by its configure.
#   UNW_REMOTE_ONLY        we drive the generic API over our own address
#                          space; the local unwinder (its memory-probe pipe,
#                          dl_iterate_phdr) is not compiled at all
#   -fvisibility=hidden    nothing of it is exported from libfaultline.so
#   --disable-block-signals no sigprocmask pair around its locks: only our
#                          handler, running with signals blocked, enters
#                          this private copy
unw_cppflags="${CPPFLAGS:-} -DUNW_REMOTE_ONLY"
unw_cflags="${CFLAGS:--g -O2} -fvisibility=hidden"
unw_options="--enable-shared --disable-static --with-pic
	--disable-block-signals --disable-minidebuginfo --disable-zlibdebuginfo
	--disable-cxx-exceptions --disable-coredump --disable-ptrace
	--disable-setjmp --disable-debug-frame --disable-conservative-checks
	--disable-documentation --disable-tests --disable-dependency-tracking
	--disable-per-thread-cache --disable-weak-backtrace
	--disable-unwind-header"
[ -n "${FL_HOST:-}" ] && unw_options="$unw_options --host=$FL_HOST"
[ -n "${FL_BUILD:-}" ] && unw_options="$unw_options --build=$FL_BUILD"

# Everything the result depends on: same key, nothing to do.
key=$(
	{
		ls -ld --time-style=full-iso "$origin"
		echo "$unw_options|${CC:-}|$unw_cflags|$unw_cppflags|${LDFLAGS:-}"
		cat "$here"/patches/*.patch "$0" "$here/objects.mk"
	} | cksum
)
if [ -f "$dir/prepared" ] && [ "$(cat "$dir/prepared")" = "$key" ] &&
	[ -s "$dir/objects.list" ] && [ -f "$dir/version" ]; then
	cat "$dir/version"
	exit 0
fi
rm -rf "$dir/tree" "$dir/build" "$dir/unpack" "$dir/prepared" \
	"$dir/objects.list" "$dir/version" "$dir/objects.stamp"

# --- a private copy (timestamps kept: libunwind's Makefile must not try
# to rerun automake) -------------------------------------------------------
echo "prepare.sh: copying $origin" >&2
if [ -d "$origin" ]; then
	mkdir -p "$dir/tree"
	(cd "$origin" && tar --exclude=.git -cf - .) | (cd "$dir/tree" && tar -xpf -)
else
	mkdir -p "$dir/unpack"
	tar -xf "$origin" -C "$dir/unpack" ||
		die "$origin: not a tarball that tar can unpack"
	set -- "$dir"/unpack/*
	[ $# -eq 1 ] && [ -d "$1" ] ||
		die "$origin: expected one top-level directory"
	mv "$1" "$dir/tree"
	rmdir "$dir/unpack"
fi
tree=$dir/tree
[ -f "$tree/configure.ac" ] && [ -f "$tree/include/libunwind-common.h.in" ] ||
	die "$origin: not a libunwind source tree"

# --- version: >= 1.6 ---------------------------------------------------------
ver() { sed -n "s/^define(pkg_$1, *\([0-9]*\)).*/\1/p" "$tree/configure.ac"; }
major=$(ver major)
minor=$(ver minor)
extra=$(ver extra)
[ -n "$major" ] && [ -n "$minor" ] ||
	die "$origin: cannot read libunwind's version from configure.ac"
version=$major.$minor${extra:+.$extra}
if [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 6 ]; }; then
	die "libunwind $version is too old: faultline needs 1.6 or later"
fi

# --- our patches -------------------------------------------------------------
# Each patch says which versions it is for ("Applies-to: all", or a shell
# pattern such as 1.6.*) and why it exists.
for p in "$here"/patches/*.patch; do
	[ -f "$p" ] || continue
	applies=$(sed -n 's/^Applies-to: *//p' "$p" | head -n 1)
	[ "$applies" = all ] && applies='*'
	# shellcheck disable=SC2254 # the pattern is the point
	case $version in
	$applies) ;;
	*)
		echo "prepare.sh: $(basename "$p"): not for $version" >&2
		continue
		;;
	esac
	echo "prepare.sh: applying $(basename "$p")" >&2
	patch -d "$tree" -p1 -N -s <"$p" ||
		die "$(basename "$p") does not apply to libunwind $version"
done

# Release tarballs ship headers generated on the release maker's machine
# (include/libunwind.h, include/tdep/libunwind_i.h: x86-64's).  libunwind's
# sources include them by a path relative to the tree, so in a build
# directory of another architecture they would win over the ones its
# configure generates: remove every header that has its template beside it.
find "$tree/include" -name '*.h.in' | while read -r template; do
	rm -f "${template%.in}"
done

# A checkout of libunwind's repository has no configure yet.
if [ ! -x "$tree/configure" ]; then
	echo "prepare.sh: autoreconf -fi (a source tree without configure)" >&2
	(cd "$tree" && autoreconf -fi >&2) ||
		die "autoreconf failed in the copy of $origin"
fi

# --- libunwind's configure ---------------------------------------------------
mkdir -p "$dir/build"
echo "prepare.sh: libunwind's configure (log: $dir/build/config.log)" >&2
# shellcheck disable=SC2086 # a list of options
(cd "$dir/build" && "$tree/configure" $unw_options \
	CC="${CC:-cc}" CFLAGS="$unw_cflags" CPPFLAGS="$unw_cppflags" \
	LDFLAGS="${LDFLAGS:-}" >configure.out 2>&1) ||
	die "libunwind's configure failed: see $dir/build/config.log"

# --- the objects to compile, from libunwind's own Makefile ----------------
objects=$(${MAKE:-make} -s --no-print-directory -C "$dir/build/src" \
	-f Makefile -f "$here/objects.mk" fl-print-objects) ||
	die "cannot list libunwind's objects"
[ -n "$objects" ] || die "libunwind's Makefile lists no objects"
for o in $objects; do echo "$o"; done >"$dir/objects.list"
echo "$version" >"$dir/version"
echo "$key" >"$dir/prepared"
echo "$version"
