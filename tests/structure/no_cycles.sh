#!/bin/sh
# no_cycles.sh - no two files of lib/ or tools/ call each other, directly
# or round a loop (doc/architecture.md).  For each object file, nm says
# which functions and data it defines and which it uses; "A uses what B
# defines" is an edge A -> B, and tsort(1) finds any loop in the graph.
# The order tsort gives (callers first) goes to the log.
set -u
nm=${FL_NM:-nm}
cd "${FL_BUILDDIR:-.}" || exit 99
status=0
for dir in lib tools; do
	[ -d "$dir" ] || continue # tools/: built only with libdw
	# The objects of the library, or of the tool (its archive, which holds
	# lib/utf8.c too, and its main), one per source file (the non-PIC one
	# where libtool made both).
	case $dir in
	lib) where=lib name='libfaultline_la-*.o' main=$name ;;
	tools) where='tools lib' name='*libfaultline_tool_a-*.o'
		main='faultline.o' ;;
	esac
	# shellcheck disable=SC2086 # $where: one or two folders
	objs=$(find $where \( -name "$name" -o -name "$main" \) \
		! -path '*/.libs/*' | sort)
	# shellcheck disable=SC2086
	[ -n "$objs" ] || objs=$(find $where -name "$name" | sort)
	[ -n "$objs" ] || continue
	edges=$(for o in $objs; do
		$nm --format=posix "$o" | sed "s|^|$o |"
	done | awk '
		{ file = $1; sub(/.*\//, "", file); sub(/\.o$/, "", file)
		  sub(/^(libfaultline_la|(tools_)?libfaultline_tool_a)-/, "", file)
		  dir = $1; sub(/\/[^\/]*$/, "", dir); file = dir "/" file
		  nodes[file] = 1 }
		$3 == "U" { used[file, $2] = 1; next }
		$3 ~ /^[TDBRCVWG]$/ { def[$2] = file }
		END {
			for (n in nodes) print n, n
			for (k in used) {
				split(k, p, SUBSEP)
				if ((p[2] in def) && def[p[2]] != p[1])
					print p[1], def[p[2]]
			}
		}')
	if ! order=$(printf '%s\n' "$edges" | tsort 2>&1); then
		echo "FAIL: files of $dir/ call each other round a loop:"
		printf '%s\n' "$order" | grep 'tsort'
		status=1
	else
		echo "ok: $dir/ has no loop; callers first:"
		printf '%s\n' "$order" | sed 's/^/  /'
	fi
done
exit $status
