#!/usr/bin/env bash
# Installs, with apt-get, the Debian 12 packages nofold needs that are not installed yet.
#   scripts/deps.sh demo   what the demo needs (compiler, CMake, xsimd, the CLI's libraries)
#   scripts/deps.sh test   everything the full test run needs (adds clang, Meson, test/benchmark
#                          libraries, the aarch64 and Cortex-M cross compilers, qemu (user
#                          mode for aarch64, qemu-system-arm for the emulated Cortex-M7), LV2 tools, and
#                          pybind11, NumPy and pytest for the Python module)
# Prints what it installs; installs nothing when everything is present. Uses sudo when not root.
set -euo pipefail
mode=${1:-test}

demo_packages=(g++ cmake ninja-build pkg-config python3 libxsimd-dev nlohmann-json3-dev libsndfile1-dev libcli11-dev)
test_packages=("${demo_packages[@]}" clang libclang-rt-14-dev meson doctest-dev libbenchmark-dev
               g++-aarch64-linux-gnu qemu-user qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi
               libstdc++-arm-none-eabi-newlib binutils-arm-none-eabi lv2-dev lilv-utils librsvg2-bin
               python3-dev python3-venv python3-setuptools python3-wheel pybind11-dev python3-pybind11
               python3-numpy python3-pytest libzita-convolver-dev)

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
