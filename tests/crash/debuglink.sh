#!/bin/sh
# debuglink.sh - a stripped library's local functions named from its
# separate debug file found by .gnu_debuglink (issue 13, section 1): in
# the library's .debug/ directory, next to it, and not when the debug
# file's build-id is another build's or its CRC-32 is not the one the
# link records; for a library without a build-id, by the CRC alone.  Native builds only (it compiles a
# library with the host's cc): skips (77) under an emulator.
: "${FL_BUILDDIR:=.}"
lib="$FL_BUILDDIR/.libs/libfaultline.so"
cc=${CC:-cc}

if [ -n "${FL_TEST_EMULATOR:-}" ]; then
	echo "SKIP: cross build (the test compiles for the host)"
	exit 77
fi
for tool in "$cc" objcopy strip; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "SKIP: no $tool"
		exit 77
	}
done
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0

cat >"$tmp/stripped.c" <<'EOF'
int *volatile fl_null;
__attribute__((noinline)) static int local_crash(int v)
{
	*fl_null = v;
	return v + VARIANT;
}
int fl_entry(int v)
{
	return local_crash(v) + 1;
}
EOF
cat >"$tmp/main.c" <<'EOF'
int fl_entry(int v);
int main(void)
{
	return fl_entry(3);
}
EOF
# build VARIANT [BUILD-ID]: libstripped.so with a build-id of its own
# (VARIANT changes the code; BUILD-ID "none": without one), its debug
# file libstripped.so.debug beside it.
build() {
	"$cc" -g -O1 -shared -fPIC -Wl,--build-id="${2:-sha1}" \
		-DVARIANT="$1" \
		-o "$tmp/libstripped.so" "$tmp/stripped.c" &&
		objcopy --only-keep-debug "$tmp/libstripped.so" \
			"$tmp/libstripped.so.debug" &&
		strip --strip-all "$tmp/libstripped.so" &&
		objcopy --add-gnu-debuglink="$tmp/libstripped.so.debug" \
			"$tmp/libstripped.so"
}
build 1 || exit 99
"$cc" -o "$tmp/main" "$tmp/main.c" -L"$tmp" -lstripped \
	-Wl,-rpath,"$tmp" || exit 99

# crash WHAT EXPECT: the report names local_crash (EXPECT yes) or not.
crash() {
	LD_PRELOAD="$lib" "$tmp/main" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 139 ]; then
		echo "FAIL: $1: exit status $rc, expected 139 (SIGSEGV)"
		failed=1
	fi
	if grep -q ' in local_crash+0x' "$tmp/err"; then got=yes; else got=no; fi
	if [ "$got" = "$2" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1: local_crash named: $got, expected $2"
		sed 's/^/    | /' "$tmp/err"
		failed=1
	fi
}

crash "stripped, debug file next to it" yes
mkdir "$tmp/.debug" && mv "$tmp/libstripped.so.debug" "$tmp/.debug/"
crash "stripped, debug file in .debug/" yes
rm -rf "$tmp/.debug"
crash "stripped, no debug file" no
# Another build's debug file under the same name: not taken.
cp "$tmp/libstripped.so" "$tmp/keep.so"
build 2 || exit 99
mv "$tmp/keep.so" "$tmp/libstripped.so"
crash "debug file of another build" no
# The same build, the debug file changed after the link was made: its
# build-id still matches, its CRC does not.
build 1 || exit 99
crash "debug file, CRC as linked" yes
printf 'x' >>"$tmp/libstripped.so.debug"
crash "debug file changed since (CRC mismatch)" no
# No build-id: the CRC is the only proof.
build 1 none || exit 99
crash "no build-id, CRC as linked" yes
printf 'x' >>"$tmp/libstripped.so.debug"
crash "no build-id, CRC mismatch" no
exit $failed
