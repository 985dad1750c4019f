#!/bin/sh
# libunwind/fetch-source.sh DIR - fetch libunwind's source the way Debian
# builds its package: `apt-get source libunwind`.
#
# This is the only step of faultline's build that uses the network.  The
# deb-src entries are derived from the machine's own apt sources (one-line
# sources.list files and deb822 .sources files), and apt runs with a
# private configuration under DIR: its own source lists, package lists and
# cache, and the system's hooks (APT::Update::Post-Invoke...) cleared.
# Nothing under /etc/apt or /var/lib/apt, /var/cache/apt is written.  The
# system's apt.conf.d settings (proxies, ...) still apply.
#
# On success it prints the path of the unpacked source tree (upstream's
# release with Debian's patches, as dpkg-source -x gives it).  A second run
# prints the same path without touching the network.  Progress goes to
# stderr; exit status 1 when the source cannot be had.
#
# Environment: FL_APT_ETC (default /etc/apt) is where the machine's apt
# configuration is read from (the tests point it elsewhere).
set -eu

die() {
	echo "fetch-source.sh: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: fetch-source.sh DIR"
mkdir -p "$1"
dir=$(cd "$1" && pwd)
etc=${FL_APT_ETC:-/etc/apt}

# Cached: the tree of an earlier run.
if [ -f "$dir/source-tree" ]; then
	tree=$(cat "$dir/source-tree")
	if [ -f "$tree/configure.ac" ]; then
		echo "$tree"
		exit 0
	fi
fi

command -v apt-get >/dev/null 2>&1 || die "apt-get not found (not a Debian system)"
command -v dpkg-source >/dev/null 2>&1 ||
	die "dpkg-source not found (Debian: dpkg-dev)"

apt=$dir/apt
rm -rf "$apt" "$dir/download" "$dir/source-tree"
mkdir -p "$apt/sources.list.d" "$apt/apt.conf.d" "$apt/preferences.d" \
	"$apt/lists/partial" "$apt/cache/archives/partial" "$dir/download"

# --- deb-src entries from the machine's sources ----------------------------
# One-line format: every "deb" line becomes a "deb-src" line (options such
# as [signed-by=...] kept); existing deb-src lines are kept once.
for f in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -n 's/^[[:space:]]*deb\(-src\)\{0,1\}[[:space:]]/deb-src /p' "$f"
done | awk '!seen[$0]++' >"$apt/sources.list"

# deb822: each stanza whose Types has deb gets Types: deb-src; other fields
# (URIs, Suites, Components, Signed-By, Enabled...) are kept as they are.
for f in "$etc"/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	awk '
		/^Types:/ {
			if ($0 ~ /[[:space:]]deb([[:space:]]|$)/ ||
			    $0 ~ /[[:space:]]deb-src([[:space:]]|$)/)
				print "Types: deb-src"
			else
				print
			next
		}
		{ print }' "$f" >"$apt/sources.list.d/$(basename "$f")"
done
if [ ! -s "$apt/sources.list" ] &&
	! ls "$apt"/sources.list.d/*.sources >/dev/null 2>&1; then
	die "no apt sources in $etc to derive deb-src entries from"
fi

# The system's apt.conf.d first (proxies, authentication, ...), then ours
# last: it points every path that apt writes under $apt and clears the
# hooks that would run system commands after an update.
# The main apt.conf, read after the parts, goes first among them.
[ -f "$etc/apt.conf" ] && cp "$etc/apt.conf" "$apt/apt.conf.d/0000-apt.conf"
if [ -d "$etc/apt.conf.d" ]; then
	for f in "$etc"/apt.conf.d/*; do
		[ -f "$f" ] && cp "$f" "$apt/apt.conf.d/"
	done
fi
cat >"$apt/apt.conf.d/zzzz-faultline" <<EOF
Dir::Etc::main "/dev/null";
Dir::Etc::sourcelist "$apt/sources.list";
Dir::Etc::sourceparts "$apt/sources.list.d";
Dir::Etc::preferences "$apt/preferences";
Dir::Etc::preferencesparts "$apt/preferences.d";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
Dir::Cache::archives "$apt/cache/archives";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
#clear DPkg::Pre-Invoke;
#clear DPkg::Post-Invoke;
#clear DPkg::Pre-Install-Pkgs;
EOF
# APT_CONFIG is read before the parts directory: it only redirects that
# directory to ours, so the file above is read last.
echo "Dir::Etc::parts \"$apt/apt.conf.d\";" >"$apt/apt.conf"
APT_CONFIG=$apt/apt.conf
export APT_CONFIG

echo "fetch-source.sh: apt-get update (deb-src, private lists in $apt)" >&2
# A third-party repository without sources fails its part of the update;
# what counts is whether Debian's source package can be had.
apt-get -q update >&2 || true

# apt's download sandbox runs as _apt, which must be able to write there.
if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
	chown _apt "$dir/download" 2>/dev/null || true
fi
echo "fetch-source.sh: apt-get source --download-only libunwind" >&2
(cd "$dir/download" && apt-get -q source --download-only libunwind >&2) ||
	die "apt-get source libunwind failed (no deb-src reachable?)"

dsc=$(ls "$dir"/download/libunwind_*.dsc 2>/dev/null | head -n 1)
[ -n "$dsc" ] || die "no libunwind .dsc was downloaded"
rm -rf "$dir/debian"
mkdir -p "$dir/debian"
# apt checked every file against the signed Sources index; dpkg-source
# unpacks upstream's release and applies Debian's patches.
version=$(sed -n 's/^Version: //p' "$dsc" | head -n 1)
tree=$dir/debian/libunwind-${version%-*}
dpkg-source -q -x "$dsc" "$tree" >&2 ||
	die "dpkg-source -x $(basename "$dsc") failed"
echo "$tree" >"$dir/source-tree"
echo "libunwind $version" >"$dir/source-version"
echo "$tree"
