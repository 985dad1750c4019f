#!/bin/sh
# node.sh - node with faultline preloaded (issue 11): node resets every
# signal disposition to the default at start, and faultline stays armed
# (the chain keeps its action in the kernel); V8's WebAssembly trap
# handler still turns an out-of-bounds access into a RangeError and the
# program goes on.
name=node.sh
. "$(dirname "$0")/lib.sh"
need node nodejs

# A fatal signal after node's reset: reported, the same death.
run kill env LD_PRELOAD="$lib" node -e 'process.kill(process.pid, "SIGSEGV")'
status kill 139
has kill "$tmp/kill.err" "==== faultline"
# (V8's handler, first, raises a signal it did not handle once more.)
has kill "$tmp/kill.err" "signal: SIGSEGV (11), code SI_"
has kill "$tmp/kill.err" "cause: signal sent by pid"

# (module (memory 1) (func (export "load") (param i32) (result i32)
#   local.get 0 i32.load))
cat >"$tmp/wasm.js" <<'JS'
const bytes = new Uint8Array([
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
	0x03, 0x02, 0x01, 0x00,
	0x05, 0x03, 0x01, 0x00, 0x01,
	0x07, 0x08, 0x01, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x00,
	0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x28, 0x02, 0x00, 0x0b]);
const load = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.load;
let traps = 0;
for (let i = 0; i < 1000; i++) {
	try { load(0x10000000 + i * 4); } catch (e) { if (e instanceof WebAssembly.RuntimeError) traps++; }
}
console.log("in bounds " + load(16) + ", traps " + traps);
JS
run wasm env LD_PRELOAD="$lib" node "$tmp/wasm.js"
status wasm 0
has wasm "$tmp/wasm.out" "in bounds 0, traps 1000"
lacks wasm "$tmp/wasm.err" "faultline"
finish
