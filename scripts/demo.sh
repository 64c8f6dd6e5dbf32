#!/usr/bin/env bash
# The README's demo command: installs what is missing, builds the `nofold` program (Release, native
# SIMD width of this machine's AVX2/FMA or NEON), and runs it: version, self-check, and — once the
# bundled demo model is in place — a rendered example with aliasing figures.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/deps.sh" demo
build=$root/out/demo
flags=""
if grep -q avx2 /proc/cpuinfo 2>/dev/null && grep -q fma /proc/cpuinfo; then flags="-mavx2 -mfma"; fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="$flags" \
    -DNOFOLD_BUILD_TESTS=OFF -DNOFOLD_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target nofold_cli
nofold=$build/examples/cli/nofold
"$nofold" --version
"$nofold" selfcheck
