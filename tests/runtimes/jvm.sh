#!/bin/sh
# jvm.sh - HotSpot with faultline preloaded (issue 11): a real JVM crash
# keeps its hs_err log and its exit status (134, SIGABRT), and what the
# JVM does with signals on its own - implicit null checks, stack banging,
# safepoint polls - keeps working: NullPointerExceptions in a loop and a
# StackOverflowError run as without faultline.
name=jvm.sh
. "$(dirname "$0")/lib.sh"
need java default-jdk-headless

cat >"$tmp/Crash.java" <<'JAVA'
import java.lang.reflect.Field;
public class Crash {
	public static void main(String[] args) throws Exception {
		Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
		f.setAccessible(true);
		((sun.misc.Unsafe) f.get(null)).putAddress(0, 42);
	}
}
JAVA
cat >"$tmp/Busy.java" <<'JAVA'
public class Busy {
	static int depth;
	static int[] nothing;
	static void down() { depth++; down(); }
	public static void main(String[] args) {
		int npe = 0;
		for (int i = 0; i < 200000; i++) {
			try { nothing[i & 7] = i; } catch (NullPointerException e) { npe++; }
		}
		int overflows = 0;
		for (int i = 0; i < 3; i++) {
			try { depth = 0; down(); } catch (StackOverflowError e) { overflows++; }
		}
		System.out.println("npe " + npe + " overflows " + overflows);
	}
}
JAVA
# -Xshare:auto and a private hs_err path; no core file.
java_run() {
	what=$1
	shift
	run "$what" env "$@" java -XX:ErrorFile="$tmp/hs_err_$what.log" \
		-XX:-CreateCoredumpOnCrash -Xss1m -cp "$tmp" "${CLASS}"
}

# A crash: exit status and hs_err as without faultline.  (Without
# -XX:-CreateCoredumpOnCrash the JVM aborts: 134; with it, exit 1.  Both
# are compared with the JVM alone.)
javac -d "$tmp" "$tmp/Crash.java" "$tmp/Busy.java" 2>"$tmp/javac.err" ||
	{ cat "$tmp/javac.err"; exit 99; }
CLASS=Crash
run alone sh -c "ulimit -c 0; exec java -XX:ErrorFile=$tmp/hs_err_alone.log -cp $tmp Crash"
alone_rc=$rc
run preloaded sh -c "ulimit -c 0; LD_PRELOAD=$lib exec java -XX:ErrorFile=$tmp/hs_err_preloaded.log -cp $tmp Crash"
[ "$alone_rc" = 134 ] || fail "the JVM alone ended with $alone_rc, not 134"
status preloaded 134
[ -s "$tmp/hs_err_preloaded.log" ] ||
	fail "no hs_err log with faultline preloaded"
has preloaded "$tmp/preloaded.out" "A fatal error has been detected by the Java Runtime Environment"

# Implicit null checks and stack banging: no report, same output.
CLASS=Busy
java_run busy LD_PRELOAD="$lib"
status busy 0
has busy "$tmp/busy.out" "npe 200000 overflows 3"
lacks busy "$tmp/busy.err" "faultline"
finish
