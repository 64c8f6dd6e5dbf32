#!/usr/bin/env bash
# Builds nofold in every configuration CI covers and runs the tests. Usage:
#   scripts/test.sh            all stages (what .ci/run runs)
#   scripts/test.sh quick      the main build only (g++, AVX2+FMA, -Werror)
#   scripts/test.sh STAGE...   chosen stages: lint gcc-avx2 clang-scalar-sanitize meson-native
#                              default-flags fuzz consume aarch64 cortex-m7
# Build trees go to out/<stage>. Installs missing Debian packages first (scripts/deps.sh test).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=$root/out
jobs=$(nproc)
werror=(-DNOFOLD_WERROR=ON)

# --run-stage STAGE: one stage at the top level (run_stage below starts each stage this way).
[[ ${1:-} == --run-stage ]] || "$root/scripts/deps.sh" test

configure_build_test() {  # name, extra cmake args...
    local name=$1
    shift
    rm -rf "$out/$name"
    cmake -S "$root" -B "$out/$name" -G Ninja "${werror[@]}" "$@" >"$out/$name.configure.log" 2>&1 ||
        { cat "$out/$name.configure.log"; return 1; }
    cmake --build "$out/$name" -j"$jobs"
    (cd "$out/$name" && ctest --output-on-failure -j"$jobs" --timeout 900)
}

# Debian's interpreter (the one python3-numpy and python3-pytest are for), even when another python3
# comes first on PATH.
python=$(command -v /usr/bin/python3 || command -v python3)
stage_gcc-avx2() {  # everything: tests, benchmarks, the nofold program, examples, the Python module and its pytest suite
    configure_build_test gcc-avx2 -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ \
        -DCMAKE_CXX_FLAGS="-mavx2 -mfma" -DNOFOLD_BUILD_PYTHON=ON -DPython3_EXECUTABLE="$python"
}
# clang, scalar kernels (NOFOLD_NO_SIMD), AddressSanitizer + UndefinedBehaviorSanitizer, -Werror: three
# of CI's requirements in one build, to stay within 30 minutes on 2 cores.
stage_clang-scalar-sanitize() {
    configure_build_test clang-scalar-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DNOFOLD_NO_SIMD=ON -DNOFOLD_SANITIZE=address,undefined \
        -DNOFOLD_BUILD_BENCHMARKS=OFF -DNOFOLD_BUILD_EXAMPLES=OFF -DNOFOLD_BUILD_TOOLS=OFF -DNOFOLD_HEADER_CHECK=OFF \
        -DNOFOLD_LEARNING_TESTS=OFF
    tsan_processor
}
# ThreadSanitizer on the Processor's threaded tests only (processor_test.cpp: the swap protocol with a UI
# thread polling every query), one test file.
tsan_processor() {
    rm -rf "$out/tsan"
    cmake -S "$root" -B "$out/tsan" -G Ninja "${werror[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DNOFOLD_SANITIZE=thread -DNOFOLD_BUILD_BENCHMARKS=OFF \
        -DNOFOLD_BUILD_EXAMPLES=OFF -DNOFOLD_BUILD_TOOLS=OFF -DNOFOLD_HEADER_CHECK=OFF >"$out/tsan.configure.log" 2>&1 ||
        { cat "$out/tsan.configure.log"; return 1; }
    cmake --build "$out/tsan" -j"$jobs" --target nofold_tests_processor_threads
    TSAN_OPTIONS="halt_on_error=1" "$out/tsan/tests/nofold_tests_processor_threads"
}
# Meson, g++, -march=native (AVX-512 here: the xsimd 8.1 trap), compiled as C++20. GCC 12 reports
# -W(maybe-)uninitialized inside its own AVX-512 intrinsic headers when xsimd 8.1's shifts and
# conversions are inlined (a false positive in code nofold does not own), so those two are not errors.
stage_meson-native() {
    rm -rf "$out/meson-native"
    CXXFLAGS="-march=native -Wno-maybe-uninitialized -Wno-uninitialized" \
        meson setup "$out/meson-native" -Dwerror=true -Dtools=false -Dcpp_std=c++20 -Doptimization=1 \
        >"$out/meson-native.configure.log" 2>&1 || { cat "$out/meson-native.configure.log"; return 1; }
    ninja -C "$out/meson-native" -j"$jobs"
    meson test -C "$out/meson-native" --print-errorlogs --num-processes "$jobs"
}
# What a user gets without -m flags (x86-64: SSE2, no fused multiply-add), on both build systems: the
# suites whose claims depend on the instruction set (bit identity of SIMD and scalar paths, ULP
# bounds, filters, parity with NAM Core's renders). -O2; both builds in parallel halves of the machine.
stage_default-flags() {
    rm -rf "$out/default-cmake" "$out/default-meson"
    cmake -S "$root" -B "$out/default-cmake" -G Ninja "${werror[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DNOFOLD_BUILD_BENCHMARKS=OFF -DNOFOLD_BUILD_EXAMPLES=OFF -DNOFOLD_BUILD_TOOLS=OFF \
        -DNOFOLD_HEADER_CHECK=OFF -DNOFOLD_ISA_PROBE=ON >"$out/default-cmake.configure.log" 2>&1 ||
        { cat "$out/default-cmake.configure.log"; return 1; }
    meson setup "$out/default-meson" -Dwerror=true -Dtools=false -Doptimization=2 \
        >"$out/default-meson.configure.log" 2>&1 || { cat "$out/default-meson.configure.log"; return 1; }
    cmake --build "$out/default-cmake" -j"$jobs" --target nofold_tests_math nofold_tests_dsp nofold_tests_simd nofold_tests_runtime \
        nofold_tests_parity nofold_isa_probe
    # isa_dispatch: the probe natively and under qemu-x86_64 -cpu Nehalem / Haswell (docs/isa-dispatch.md).
    (cd "$out/default-cmake" && ctest --output-on-failure -j"$jobs" -R '^(math|dsp|simd|runtime|isa_dispatch|isa_dispatch_link_map)$')
    "$out/default-cmake/tests/nofold_tests_parity"  # NAM Core renders (the shared LSTM: gate formula, no FMA)
    ninja -C "$out/default-meson" -j"$jobs" tests/nofold_tests_math tests/nofold_tests_dsp
    meson test -C "$out/default-meson" --no-rebuild --print-errorlogs math dsp
}
stage_consume() {  # install, then build tiny consumers with find_package, pkg-config and a Meson subproject
    local prefix=$out/install
    rm -rf "$prefix" "$out/consume-"*
    cmake -S "$root" -B "$out/consume-lib" -G Ninja -DNOFOLD_BUILD_TESTS=OFF -DNOFOLD_BUILD_BENCHMARKS=OFF \
        -DNOFOLD_BUILD_EXAMPLES=OFF -DNOFOLD_BUILD_TOOLS=OFF -DCMAKE_INSTALL_PREFIX="$prefix" >/dev/null
    cmake --install "$out/consume-lib" >/dev/null
    cmake -S tests/consume/cmake -B "$out/consume-cmake" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
    cmake --build "$out/consume-cmake" >/dev/null
    "$out/consume-cmake/consumer"
    if [[ -x $out/consume-cmake/consumer_dispatch ]]; then "$out/consume-cmake/consumer_dispatch"; fi
    # shellcheck disable=SC2046
    g++ -std=c++17 -Wall -Wextra -Werror $(PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --cflags nofold) \
        tests/consume/main.cpp -o "$out/consume-pkgconfig"
    "$out/consume-pkgconfig"
    mkdir -p "$out/consume-meson-src/subprojects"
    cp tests/consume/main.cpp "$out/consume-meson-src/main.cpp"
    sed 's|\.\./main\.cpp|main.cpp|' tests/consume/meson/meson.build >"$out/consume-meson-src/meson.build"
    ln -s "$root" "$out/consume-meson-src/subprojects/nofold"
    meson setup "$out/consume-meson" "$out/consume-meson-src" >/dev/null
    ninja -C "$out/consume-meson" >/dev/null
    "$out/consume-meson/consumer"
    # The README's Python install (offline, Debian's pybind11/NumPy) from a copy of the sources (pip builds
    # in the tree it is given), at -O1 to keep CI short.
    mkdir -p "$out/consume-python-src"
    cp -r include python setup.py pyproject.toml README.md "$out/consume-python-src/"
    "$python" -m venv --system-site-packages "$out/consume-venv"
    NOFOLD_CXXFLAGS=-O1 "$out/consume-venv/bin/pip" install -q --no-build-isolation --no-index \
        "$out/consume-python-src" >/dev/null
    (cd "$out" && "$out/consume-venv/bin/python" -c "import nofold; print('python module', nofold.__version__)")
}
stage_aarch64() {  # NEON path, tests under qemu-aarch64
    local deps=$out/aarch64-header-deps
    rm -rf "$deps" && mkdir -p "$deps"
    ln -s /usr/include/xsimd "$deps/xsimd"
    ln -s /usr/include/doctest "$deps/doctest"
    # Under qemu the float sweeps sample every 1024th bit pattern instead of every 64th (native runs do all).
    NOFOLD_TEST_SWEEP_STRIDE=1024 configure_build_test aarch64 -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/aarch64-linux-gnu.cmake" -DNOFOLD_HEADER_DEPS_DIR="$deps" \
        -DNOFOLD_BUILD_BENCHMARKS=OFF -DNOFOLD_BUILD_EXAMPLES=OFF -DNOFOLD_BUILD_TOOLS=OFF -DNOFOLD_HEADER_CHECK=OFF \
        -DNOFOLD_LEARNING_TESTS=OFF
}
stage_cortex-m7() {  # Cortex-M: heap-free compile checks, then the firmware booted on an emulated M7
    mkdir -p "$out/cortex-m7"
    local obj=$out/cortex-m7/check.o
    arm-none-eabi-g++ -std=c++17 -O2 -mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard -mthumb -fno-exceptions \
        -fno-rtti -Wall -Wextra -Wpedantic -Werror -Iinclude -c tests/firmware/cortex_m7_check.cpp -o "$obj"
    local heap
    heap=$(arm-none-eabi-nm -u "$obj" | grep -E 'malloc|calloc|realloc|free|_Znw|_Zna|_Zdl|_Zda|__cxa_throw|__cxa_allocate' || true)
    if [[ -n $heap ]]; then
        echo "Cortex-M7 object references heap/exception symbols:"; echo "$heap"; return 1
    fi
    arm-none-eabi-size "$obj"
    "$root/tests/nn/firmware/check.sh" "$out/cortex-m7"  # heap-free static WaveNet/LSTM/GRU models
    # the firmware's synthetic test models are what their generator writes
    python3 tests/firmware/models/make_test_models.py "$out/cortex-m7"
    cmp tests/firmware/models/firmware_nano.nam "$out/cortex-m7/firmware_nano.nam"
    cmp tests/firmware/models/firmware_lstm_1x16.nam "$out/cortex-m7/firmware_lstm_1x16.nam"
    # M7/M4F/M33 images without heap, the M7 one run in qemu-system-arm, output bit-identical to the host's
    "$root/examples/firmware/build.sh" "$out/cortex-m7"
}
stage_fuzz() {  # the three libFuzzer harnesses, 60 s each, run side by side (tests/fuzz/run.sh ci)
    WORK="$out/fuzz" "$root/tests/fuzz/run.sh" ci 60
}
stage_lint() {
    "$root/scripts/lint.sh"
}

if [[ ${1:-} == --run-stage ]]; then
    "stage_$2"
    exit 0
fi

all_stages=(lint gcc-avx2 clang-scalar-sanitize meson-native default-flags fuzz consume aarch64 cortex-m7)
# With no arguments the stages run in two lanes side by side. Each stage alone leaves a core idle for much
# of its time (configure steps, links, a test binary finishing last, qemu, the fuzzers' and consumers'
# serial steps); two lanes fill those gaps. The lanes hold about equal work on an idle 2-core machine.
lanes=("gcc-avx2 meson-native default-flags consume" "lint clang-scalar-sanitize aarch64 fuzz cortex-m7")
if [[ $# -eq 0 ]]; then
    stages=("${all_stages[@]}")
elif [[ $1 == quick ]]; then
    stages=(gcc-avx2)
    lanes=()
else
    stages=("$@")
    lanes=()
fi

mkdir -p "$out"
# One stage, its output in out/<stage>.log (printed when it fails) and its summary line in
# out/<stage>.result. The stage runs in a new shell so that `set -e` holds inside it (called in an `if`
# or `||` context, bash ignores it in the function and only the stage's last command would count).
run_stage() {  # stage
    local stage=$1 start rc=0 result=ok
    start=$(date +%s)
    echo "=== stage $stage started"
    bash "$root/scripts/test.sh" --run-stage "$stage" >"$out/$stage.log" 2>&1 || rc=$?
    [[ $rc == 0 ]] || result=FAILED
    printf '%-22s %-7s %5ss\n' "$stage" "$result" "$(($(date +%s) - start))" >"$out/$stage.result"
    echo "=== stage $stage $result after $(($(date +%s) - start)) s"
    if [[ $result != ok ]]; then
        echo "=== stage $stage output (last 300 lines of out/$stage.log)"
        tail -n 300 "$out/$stage.log"
        echo "=== end of stage $stage output"
    fi
    return $rc
}
run_lane() {  # stage...
    local stage rc=0
    for stage in "$@"; do run_stage "$stage" || rc=1; done
    return $rc
}

status=0
for stage in "${stages[@]}"; do rm -f "$out/$stage.result"; done
if [[ ${#lanes[@]} -gt 0 ]]; then
    pids=()
    for lane in "${lanes[@]}"; do
        # shellcheck disable=SC2086
        run_lane $lane &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || status=1; done
else
    run_lane "${stages[@]}" || status=1
fi
echo "=== summary"
for stage in "${stages[@]}"; do
    if [[ -f $out/$stage.result ]]; then cat "$out/$stage.result"; else printf '%-22s %s\n' "$stage" "NOT RUN"; status=1; fi
done
exit $status
