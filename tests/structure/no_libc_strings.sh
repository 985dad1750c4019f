#!/bin/sh
# no_libc_strings.sh - the library's own code calls no C library string
# or memory function (lib/str.h says why: in the fatal path they may be a
# sanitizer's or an interposer's).  Compilers turn loops and struct copies
# into such calls by themselves (gcc made fl_strlen's loop a strlen
# call): nm on each object of the library says what it uses.  The
# libunwind and libiberty code linked in is not ours, and not checked.
set -u
nm=${FL_NM:-nm}
cd "${FL_BUILDDIR:-.}" || exit 99
objs=$(find lib -name 'libfaultline_la-*.o' ! -path '*/.libs/*' | sort)
[ -n "$objs" ] || objs=$(find lib -name 'libfaultline_la-*.o' | sort)
if [ -z "$objs" ]; then
	echo "SKIP: no object of the library under $PWD/lib"
	exit 77
fi
status=0
for o in $objs; do
	used=$($nm -u "$o" | awk '{ print $NF }' |
		grep -E '^(str|mem|stp|bcopy|bzero|wmem|wcs)' | tr '\n' ' ')
	if [ -n "$used" ]; then
		echo "FAIL: $o calls $used"
		status=1
	fi
done
[ $status -eq 0 ] && echo "ok: $(echo "$objs" | wc -l) objects call no libc string function"
exit $status
