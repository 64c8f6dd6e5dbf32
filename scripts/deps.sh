#!/usr/bin/env bash
# Installs, with apt-get, the Debian 12 packages nofold needs that are not installed yet.
#   scripts/deps.sh demo   what the demo needs (compiler, CMake, xsimd, the CLI's libraries)
#   scripts/deps.sh test   everything the full test run needs (adds clang, Meson, test/benchmark
#                          libraries, the aarch64 and Cortex-M cross compilers, qemu, LV2 tools)
# Prints what it installs; installs nothing when everything is present. Uses sudo when not root.
set -euo pipefail
mode=${1:-test}

demo_packages=(g++ cmake ninja-build pkg-config python3 libxsimd-dev nlohmann-json3-dev libsndfile1-dev libcli11-dev)
test_packages=("${demo_packages[@]}" clang libclang-rt-14-dev meson doctest-dev libbenchmark-dev
               g++-aarch64-linux-gnu qemu-user gcc-arm-none-eabi libnewlib-arm-none-eabi
               libstdc++-arm-none-eabi-newlib binutils-arm-none-eabi lv2-dev lilv-utils librsvg2-bin
               libzita-convolver-dev)

case $mode in
  demo) wanted=("${demo_packages[@]}") ;;
  test) wanted=("${test_packages[@]}") ;;
  *) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "deps: all ${#wanted[@]} packages present"
  exit 0
fi
echo "deps: installing ${missing[*]}"
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
