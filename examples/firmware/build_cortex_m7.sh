#!/usr/bin/env bash
# Builds the firmware example for a Cortex-M7 (hard float, newlib-nano, no exceptions, no RTTI) and
# proves it uses no heap: the linked image must not contain newlib's allocator (_malloc_r, _free_r,
# sbrk) nor operator new/delete. Prints the code and RAM size. Usage: build_cortex_m7.sh [OUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-${TMPDIR:-/tmp}/nofold-firmware}
mkdir -p "$out"
flags=(-std=c++17 -O2 -mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard -mthumb -fno-exceptions -fno-rtti
       -ffunction-sections -fdata-sections -Wall -Wextra -Wpedantic -Werror -I"$root/include" -I"$here")
arm-none-eabi-g++ "${flags[@]}" --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections \
    "$here/amp.cpp" "$here/main_cortex_m7.cpp" -o "$out/firmware.elf"
heap=$(arm-none-eabi-nm "$out/firmware.elf" | grep -E ' (_malloc_r|_free_r|_sbrk|_sbrk_r|_Znwj|_Znaj|_ZdlPv|_ZdaPv|__cxa_throw)$' || true)
if [[ -n $heap ]]; then
    echo "firmware: the linked image contains heap/exception code:"; echo "$heap"; exit 1
fi
echo "firmware: Cortex-M7 image links without heap or exceptions"
arm-none-eabi-size "$out/firmware.elf"
