#!/bin/sh
# demo.sh - install what is missing, build faultline, and crash a small
# program (examples/demo.c) under the preloaded library to show the report.
#
# On Debian 12 it installs missing packages with apt-get (as root or with
# sudo); set FL_NO_INSTALL=1 to skip that.  The build goes to _build/demo.
set -eu

src=$(cd "$(dirname "$0")" && pwd)
b="$src/_build/demo"

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

if [ "${FL_NO_INSTALL:-0}" != 1 ] && command -v dpkg-query >/dev/null 2>&1; then
	missing=
	for p in build-essential autoconf automake libtool pkg-config make \
		libunwind-dev dpkg-dev patch libiberty-dev; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		echo "demo.sh: installing:$missing"
		as_root apt-get update -qq
		# shellcheck disable=SC2086 # a list of package names
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $missing </dev/null
	fi
fi

if [ ! -x "$src/configure" ] || [ "$src/configure.ac" -nt "$src/configure" ]; then
	(cd "$src" && autoreconf -fi) >/dev/null
fi
mkdir -p "$b"
if [ ! -f "$b/Makefile" ]; then
	echo "demo.sh: configuring in $b"
	(cd "$b" && "$src/configure" --quiet)
fi
echo "demo.sh: building"
make -C "$b" -j2 --quiet libfaultline.la examples/demo >/dev/null

echo "demo.sh: running LD_PRELOAD=$b/.libs/libfaultline.so $b/examples/demo"
echo
set +e
LD_PRELOAD="$b/.libs/libfaultline.so" "$b/examples/demo"
status=$?
set -e
echo
if [ "$status" -eq 139 ]; then
	echo "demo.sh: the demo died by SIGSEGV (status $status), as it would have without faultline."
	echo "demo.sh: try FAULTLINE_FORMAT=json, or FAULTLINE_OUTPUT=/tmp/crash-%e-%p.txt"
	exit 0
fi
echo "demo.sh: unexpected exit status $status" >&2
exit 1
