#!/usr/bin/env bash
# Compiles tests/nn/firmware/static_models_m7.cpp for a Cortex-M7 (hard float, -fno-exceptions,
# -fno-rtti, -Werror) and fails if the object references the heap or exception machinery.
# Usage: tests/nn/firmware/check.sh [OUTPUT_DIR]   (run from anywhere; needs arm-none-eabi-g++)
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=${1:-${TMPDIR:-/tmp}/nofold-nn-firmware}
mkdir -p "$out"
obj=$out/static_models_m7.o
arm-none-eabi-g++ -std=c++17 -O2 -mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard -mthumb -fno-exceptions -fno-rtti \
    -Wall -Wextra -Wpedantic -Werror -I"$root/include" -c "$root/tests/nn/firmware/static_models_m7.cpp" -o "$obj"
heap=$(arm-none-eabi-nm -u "$obj" | grep -E 'malloc|calloc|realloc|free|_Znw|_Zna|_Zdl|_Zda|__cxa_throw|__cxa_allocate|__cxa_begin_catch' || true)
if [[ -n $heap ]]; then
    echo "static models: the Cortex-M7 object references heap/exception symbols:"
    echo "$heap"
    exit 1
fi
echo "static models: Cortex-M7 object is heap-free"
arm-none-eabi-size "$obj"
