#!/usr/bin/env bash
# Builds the firmware example and checks it on an emulated Cortex-M7 (what CI's cortex-m7 stage runs):
#   1. the image for QEMU's mps2-an500 board (Cortex-M7, fpv5-d16 hard float, own startup and linker script
#      in qemu/, newlib-nano without system calls, no exceptions, no RTTI) and the same code linked for a
#      Cortex-M4F and a Cortex-M33 (RP2350-class; compile + link + size only). Each image must be free of
#      heap and exception code: newlib's allocator, sbrk, operator new/delete, __cxa_*.
#   2. runs the M7 image in qemu-system-arm with semihosting and -icount shift=0 (60 s time-out); a fault,
#      a stack overflow or a failed model set-up ends the run without its "done" line and fails. Two small
#      images first prove that a fault and a stack overflow do fail a run.
#   3. builds the host twin (tests/firmware/host_run.cpp: same code, NOFOLD_NO_SIMD) and requires every
#      output sample to be bit-identical to the firmware's.
# Both sides are built with -ffp-contract=off: GCC contracts a*b+c into a fused multiply-add by default in
# C++ where the target has one (the M7 does, x86-64 without -mfma does not), which changes the last bits.
# Prints the images' sizes and the firmware's per-model measurements ("budget" lines).
# With --budget it then links one M7 image per model and prints the README's budget table (flash = the
# image's text + data minus those of an image without models).
# Usage: examples/firmware/build.sh [OUT_DIR] [--budget]   (extra flags for both sides: $FIRMWARE_FLAGS)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-${TMPDIR:-/tmp}/nofold-firmware}
budget=${2:-}
mkdir -p "$out"
read -r -a extra <<<"${FIRMWARE_FLAGS:-}"
common=("${extra[@]}" -std=c++17 -O2 -DNDEBUG -ffp-contract=off -fno-exceptions -fno-rtti -ffunction-sections
        -fdata-sections -Wall -Wextra -Wpedantic -Werror -I"$root/include" -I"$here")
sources=("$here/test_run.cpp" "$here/qemu/main.cpp" "$here/qemu/startup.cpp")

link() {  # name, cpu flags...
    local name=$1
    shift
    arm-none-eabi-g++ "$@" -mthumb "${common[@]}" -nostartfiles --specs=nano.specs -Wl,--gc-sections \
        -T "$here/qemu/mps2_an500.ld" "${sources[@]}" -o "$out/$name.elf"
    local heap
    heap=$(arm-none-eabi-nm "$out/$name.elf" |
        grep -E ' (malloc|free|calloc|realloc|_malloc_r|_free_r|_sbrk|_sbrk_r|_Zn[wa]j.*|_Zd[la]Pv.*|__cxa_[a-z_]+)$' || true)
    if [[ -n $heap ]]; then
        echo "firmware: $name contains heap/exception code:"; echo "$heap"; return 1
    fi
}
m7=(-mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard)
link firmware_m7 "${m7[@]}" &
link firmware_m4f -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard &
link firmware_m33 -mcpu=cortex-m33 -mfpu=fpv5-sp-d16 -mfloat-abi=hard &
# without models, one dividing by zero, one recursing without end: the runs below must fail
link fault_test "${m7[@]}" -DFIRMWARE_MODELS=0 -DFIRMWARE_FAULT_TEST &
link overflow_test "${m7[@]}" -DFIRMWARE_MODELS=0 -DFIRMWARE_OVERFLOW_TEST &
g++ "${common[@]}" -DNOFOLD_NO_SIMD "$root/tests/firmware/host_run.cpp" "$here/test_run.cpp" -o "$out/host_run" &
for job in $(jobs -p); do wait "$job"; done
echo "firmware: M7, M4F and M33 images link without heap or exceptions"
arm-none-eabi-size "$out"/firmware_m7.elf "$out"/firmware_m4f.elf "$out"/firmware_m33.elf

run() {  # image name: runs it, its semihosting output in $out/NAME.log; returns QEMU's status
    rm -f "$out/$1.log"
    timeout 60 qemu-system-arm -M mps2-an500 -nographic -monitor none -serial none \
        -chardev file,id=semihosting,path="$out/$1.log" -semihosting-config enable=on,target=native,chardev=semihosting \
        -icount shift=0 -kernel "$out/$1.elf" 2>"$out/$1.err"
}
if run fault_test || ! grep -q '^FAULT' "$out/fault_test.log"; then
    echo "firmware: a division by zero did not fail the emulated run"; exit 1
fi
# the core locks up (no stack left for the fault handler) and QEMU aborts; the group hides bash's "Aborted"
if { run overflow_test; } 2>/dev/null; then
    echo "firmware: a stack overflow did not fail the emulated run"; exit 1
fi
echo "firmware: a fault and a stack overflow fail the emulated run, as they must"
log=$out/firmware_m7.log
status=0
run firmware_m7 || status=$?
grep -E '^(budget|done|FAIL|FAULT)' "$log" || true
if [[ $status -ne 0 ]] || ! grep -q '^done' "$log"; then
    echo "firmware: the emulated Cortex-M7 run failed (QEMU status $status; 124 = time-out; see $log, ${log%.log}.err)"
    exit 1
fi
"$out/host_run" "$log"
echo "firmware: the emulated Cortex-M7 output is bit-identical to the host build"

[[ $budget == --budget ]] || exit 0
# one image per model (FIRMWARE_MODELS bit in test_run.hpp), two at a time
for bit in 0 1 2 4 8; do
    link "firmware_m7_only$bit" "${m7[@]}" -DFIRMWARE_MODELS=$bit &
    [[ $bit == 1 || $bit == 8 ]] && wait
done
wait
flash() { arm-none-eabi-size "$out/firmware_m7_only$1.elf" | awk 'NR == 2 { print $1 + $2 }'; }
base=$(flash 0)
echo "| model | flash (KB) | static RAM (KB) | stack (bytes) | FLOP/sample | instructions/sample | % of 480 MHz at 48 kHz (instructions) | % (FLOP bound) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
bit=1
for model in nano feather lstm_1x16 nano_x2_iir; do
    grep "^budget $model " "$log" | awk -v f=$(( $(flash $bit) - base )) '{
        printf "| %s | %.1f | %.1f | %d | %d | %d | %.0f %% | %.0f %% |\n", $2, f / 1024, $8 / 1024, $6, $10, $4,
               100 * $4 / 10000, 100 * $10 / 2 / 10000 }'
    bit=$(( bit * 2 ))
done
