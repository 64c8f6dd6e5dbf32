#!/usr/bin/env bash
# Run-time ISA dispatch (docs/isa-dispatch.md): one binary (tests/isa/probe.cpp) on three CPUs —
# emulated without AVX (qemu-x86_64 -cpu Nehalem: SSE4.2), emulated with AVX2+FMA (-cpu Haswell), and
# natively. Checks that each picks the level that CPU supports (expected level from the CPU model and
# /proc/cpuinfo, not from nofold), that every path it can run stays within the probe's bound of the
# baseline path (the probe's exit status), and that each path gives bit-identical output emulated and
# native (same code, so the CPU must not change a bit).
# Usage: dispatch.sh PROBE MODEL...   Exit 77 (skipped) without qemu-x86_64 or on a non-x86-64 host.
set -euo pipefail
probe=$1
shift
[[ $(uname -m) == x86_64 ]] || { echo "skip: not an x86-64 host"; exit 77; }
command -v qemu-x86_64 >/dev/null || { echo "skip: qemu-x86_64 (Debian qemu-user) not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
has() { [[ $flags == *" $1 "* ]]; }
native=baseline
has sse4_1 && native=sse41
has avx2 && has fma && [[ $native == sse41 ]] && native=avx2
has avx512f && has avx512cd && has avx512dq && has avx512bw && [[ $native == avx2 ]] && native=avx512

run() {  # run NAME EXPECTED RUNNER...
    local name=$1 expected=$2
    shift 2
    "${@}" "$probe" "${models[@]}" >"$tmp/$name.txt" || fail "$name: probe failed: $(cat "$tmp/$name.txt")"
    local got
    got=$(awk '$1 == "selected" {print $2}' "$tmp/$name.txt")
    [[ $got == "$expected" ]] || fail "$name: selected '$got', expected $expected"
    echo "ok: $name selects $expected; paths: $(awk '$1 != "selected" {print $4 "=" $10}' "$tmp/$name.txt" | sort -u | tr '\n' ' ')"
}
models=("$@")
run native "$native" env
run nehalem sse41 qemu-x86_64 -cpu Nehalem
[[ $native == avx2 || $native == avx512 ]] && run haswell avx2 qemu-x86_64 -cpu Haswell
# Same path, same bits: every emulated line must appear verbatim in the native run.
for name in nehalem haswell; do
    [[ -f $tmp/$name.txt ]] || continue
    missing=$(grep -v '^selected' "$tmp/$name.txt" | grep -vxFf "$tmp/native.txt" || true)
    [[ -z $missing ]] || fail "$name: output differs from the same path run natively: $missing"
done
echo "dispatch: ok"
