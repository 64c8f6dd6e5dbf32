// nofold::nn — extents: a size known at compile time, or `dynamic` (known at run time).
//
// Kernels take every size both ways, like Eigen's `Dynamic`: a template parameter that is either the
// size itself or `dynamic`, plus a run-time argument that is used only in the dynamic case. Static
// and runtime-sized models therefore share one implementation; static sizes let the compiler
// unroll. Units: counts (channels, taps, frames). Latency: none. Allocates: never.
#pragma once

namespace nofold::nn {

/// Marker for a size chosen at run time.
inline constexpr int dynamic = -1;

/// The size to use: the compile-time one if given, else the run-time one.
template <int Static>
constexpr int extent(int runtime_value) noexcept {
    if constexpr (Static == dynamic) {
        return runtime_value;
    } else {
        return Static;
    }
}

}  // namespace nofold::nn
