// nofold::isa::active_path — which code the models created now run: the dispatched backend
// (isa/dispatch.hpp) or, without one, the including program's own build (its simd::arch).
// For `nofold info` / `selfcheck` and plugin about-boxes. Allocates: no. Not for the audio thread.
#pragma once

#include "../simd/ops.hpp"
#include "dispatch.hpp"

namespace nofold::isa {

/// The code path new models use.
struct Path {
    Level level;               ///< baseline when nothing was dispatched
    const char* simd_arch;     ///< xsimd architecture name ("sse2", "fma3<avx2>", "avx512bw", "neon64", "scalar")
    int float_lanes;
    bool fused_multiply_add;
    bool dispatched;           ///< built with NOFOLD_ISA_DISPATCH (backends compiled in)
};

inline Path active_path() noexcept {
#ifdef NOFOLD_ISA_DISPATCH
    constexpr bool dispatch = true;
#else
    constexpr bool dispatch = false;
#endif
    if (const Backend* b = selected()) return {b->level, b->simd_arch, b->float_lanes, b->fused_multiply_add, dispatch};
    return {Level::baseline, simd::arch_name, simd::lanes<simd::float_batch>, simd::fused_multiply_add, dispatch};
}

}  // namespace nofold::isa
