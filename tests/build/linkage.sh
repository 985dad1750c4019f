#!/bin/sh
# tests/build/linkage.sh - what libfaultline carries of libunwind (issue 12):
#  - it exports no libunwind symbol (unw_*, _U*), on either route: a
#    program with its own libunwind keeps its own;
#  - with libunwind built in (FL_UNWIND=private), libfaultline.so needs
#    nothing but libc (no libunwind, no liblzma), and libfaultline.a
#    defines the unwinder itself, so static links need nothing more.
#  - with libiberty's demangler built in (FL_LIBIBERTY=yes), both carry
#    it and libfaultline.so exports none of its symbols (issue 13).
# Run by make check (FL_BUILDDIR, FL_UNWIND, FL_LIBIBERTY, NM and READELF
# set).
set -u
b=${FL_BUILDDIR:?}
so=$b/.libs/libfaultline.so
a=$b/.libs/libfaultline.a
nm=${NM:-nm}
readelf=${READELF:-readelf}
failed=0

fail() {
	echo "FAIL: $*"
	failed=1
}

[ -e "$so" ] || {
	echo "no $so (shared library disabled): skipped"
	exit 77
}

exported=$($nm -D --defined-only "$so" | awk '{ print $NF }' |
	grep -E '^(unw_|_U)' || true)
[ -z "$exported" ] || fail "libfaultline.so exports libunwind symbols:
$exported"

exported=$($nm -D --defined-only "$so" | awk '{ print $NF }' |
	grep -E '^(cplus_|java_demangle|is_gnu_v3)' || true)
[ -z "$exported" ] || fail "libfaultline.so exports libiberty symbols:
$exported"
if [ "${FL_LIBIBERTY:-}" = yes ]; then
	$nm "$so" | grep -Eq ' t cplus_demangle_v3_callback$' ||
		fail "libfaultline.so does not carry the demangler (hidden)"
	[ ! -e "$a" ] || $nm "$a" 2>/dev/null |
		grep -Eq ' T cplus_demangle_v3_callback$' ||
		fail "libfaultline.a does not define the demangler"
fi

needed=$($readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "libfaultline.so needs:" $needed
if [ "${FL_UNWIND:-}" = private ]; then
	for lib in $needed; do
		case $lib in
		libc.so.* | ld-linux*.so.*) ;;
		*) fail "libfaultline.so needs $lib (libc only expected)" ;;
		esac
	done
	if [ -e "$a" ]; then
		$nm "$a" 2>/dev/null |
			grep -Eq ' T _U(x86_64|aarch64)_init_remote$' ||
			fail "libfaultline.a does not define the unwinder"
	fi
else
	echo "system libunwind: its libraries are expected above"
fi
exit $failed
