// Test support: the stride of exhaustive-style float sweeps. $NOFOLD_TEST_SWEEP_STRIDE overrides it,
// so slow targets (tests under qemu in CI) can sample fewer bit patterns; native runs use the default.
#pragma once

#include <cstdint>
#include <cstdlib>

namespace nofold::test {

inline std::uint32_t sweep_stride(std::uint32_t default_stride) {
    if (const char* env = std::getenv("NOFOLD_TEST_SWEEP_STRIDE")) {
        const long v = std::strtol(env, nullptr, 10);
        if (v > 0) return static_cast<std::uint32_t>(v);
    }
    return default_stride;
}

}  // namespace nofold::test
