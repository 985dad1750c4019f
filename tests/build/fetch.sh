#!/bin/sh
# tests/build/fetch.sh - libunwind/fetch-source.sh, the one build step that
# uses the network (issue 12): it leaves the system's apt configuration,
# lists and cache exactly as they were, and a second run takes its cache
# without a download.  Run where this build fetched Debian's source
# package; skipped elsewhere, and when the archive cannot be reached now.
set -u
b=${FL_BUILDDIR:?}
src=${FL_SRCDIR:?}
[ -f "$b/_libunwind/source-tree" ] || {
	echo "this build did not fetch libunwind from Debian: skipped"
	exit 77
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every file under the system's apt directories: name, size, mode, mtime,
# and the contents of the configuration.
snapshot() {
	find /etc/apt /var/lib/apt /var/cache/apt \
		-printf '%p %s %m %T@\n' 2>/dev/null | sort
	find /etc/apt -type f -exec cksum {} + 2>/dev/null | sort
}

snapshot >"$tmp/before"
if ! tree=$(sh "$src/libunwind/fetch-source.sh" "$tmp/fetch" 2>"$tmp/log"); then
	cat "$tmp/log"
	if grep -Eqi 'could not resolve|temporary failure|unable to connect|failed to fetch|connection' \
		"$tmp/log"; then
		echo "Debian's archive cannot be reached now: skipped"
		exit 77
	fi
	echo "FAIL: fetch-source.sh failed"
	exit 1
fi
snapshot >"$tmp/after"
if ! diff "$tmp/before" "$tmp/after"; then
	echo "FAIL: the system's apt state changed (above)"
	exit 1
fi
[ -f "$tree/configure.ac" ] && [ -f "$tree/COPYING" ] || {
	echo "FAIL: $tree is not a libunwind source tree"
	exit 1
}
grep -q '^deb-src' "$tmp/fetch/apt/sources.list" 2>/dev/null ||
	ls "$tmp"/fetch/apt/sources.list.d/*.sources >/dev/null 2>&1 || {
	echo "FAIL: no deb-src entries were derived"
	exit 1
}

# Cached: the same tree, and apt is not run at all.
again=$(sh "$src/libunwind/fetch-source.sh" "$tmp/fetch" 2>"$tmp/log2") || {
	cat "$tmp/log2"
	echo "FAIL: the cached run failed"
	exit 1
}
[ "$again" = "$tree" ] || {
	echo "FAIL: cached run gave $again, not $tree"
	exit 1
}
if grep -q apt-get "$tmp/log2"; then
	cat "$tmp/log2"
	echo "FAIL: the cached run ran apt-get"
	exit 1
fi
echo "fetched $tree; system apt state unchanged; second run from the cache"
