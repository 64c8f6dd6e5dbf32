// nofold::dsp::detail — run a block kernel on input that obeys nofold's sample rule (simd::sanitize).
#pragma once

#include <cmath>

#include "../../config.hpp"
#include "../../simd/simd.hpp"

namespace nofold::dsp::detail {

/// True when every x[i] is finite and within ±simd::max_signal (sanitize would change nothing).
inline bool is_clean(const float* x, int n) noexcept {
    int bad = 0;  // an integer reduction the compiler vectorises; a NaN fails the comparison
    for (int i = 0; i < n; ++i) bad |= !(std::fabs(x[i]) <= simd::max_signal);
    return bad == 0;
}

/// Calls fn(p, count) so that it sees x[0..n) sanitised: once with p = x when x is already clean
/// (the normal case: one read pass, no copy), otherwise on sanitised copies in pieces of at most 64
/// values whose lengths are multiples of `frame` (n must be one too). For kernels that read their
/// input in place and would carry a NaN into their state.
template <class Fn>
inline void with_clean_input(const float* x, int n, int frame, Fn&& fn) noexcept {
    if (is_clean(x, n)) {
        fn(x, n);
        return;
    }
    constexpr int capacity = 64;
    alignas(alignment) float copy[capacity];
    const int piece = capacity / frame * frame;
    for (int done = 0; done < n;) {
        const int m = n - done < piece ? n - done : piece;
        for (int i = 0; i < m; ++i) copy[i] = simd::sanitize(x[done + i]);
        fn(static_cast<const float*>(copy), m);
        done += m;
    }
}

}  // namespace nofold::dsp::detail
