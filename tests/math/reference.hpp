// Test helpers for tests/math: ULP distances, grids of inputs, and evaluation of a policy through the
// SIMD block path and the scalar float path. The long-double reference functions live in each test.
#pragma once

#include <cmath>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include <nofold/math/block.hpp>

namespace mtest {

using LD = long double;

/// Monotonic integer image of a float (so that adjacent floats differ by 1, −0 and +0 coincide).
inline std::int64_t ordered(float f) {
    std::int32_t i;
    std::memcpy(&i, &f, sizeof i);
    return i < 0 ? -static_cast<std::int64_t>(i & 0x7fffffff) : static_cast<std::int64_t>(i);
}

/// Distance in float steps between y and the correctly rounded reference r. NaN == NaN is 0; one NaN
/// against a number is "infinitely" far.
inline std::int64_t ulp_distance(float y, LD r) {
    const float cr = static_cast<float>(r);
    if (std::isnan(y) || std::isnan(cr)) return (std::isnan(y) && std::isnan(cr)) ? 0 : (std::int64_t(1) << 40);
    const std::int64_t d = ordered(y) - ordered(cr);
    return d < 0 ? -d : d;
}

/// |y − r| with NaN/inf handled (equal non-finite values give 0).
inline double abs_error(float y, LD r) {
    if (std::isnan(y) || std::isnan(r)) return (std::isnan(y) && std::isnan(r)) ? 0.0 : HUGE_VAL;
    if (std::isinf(y) || std::isinf(r)) return (static_cast<LD>(y) == r) ? 0.0 : HUGE_VAL;
    return static_cast<double>(std::fabs(static_cast<LD>(y) - r));
}

/// Edge cases every policy is checked on.
inline std::vector<float> edge_values() {
    const float inf = std::numeric_limits<float>::infinity();
    const float den = std::numeric_limits<float>::denorm_min();
    return {0.0f, -0.0f, den, -den, 1e-40f, -1e-40f, 1e-30f, -1e-30f, 1e30f, -1e30f, inf, -inf,
            std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(),
            std::numeric_limits<float>::min(), -std::numeric_limits<float>::min()};
}

/// Dense grid on [lo, hi] with the given step, then log-uniform random magnitudes of both signs over
/// [1e-38, 3e38] (fixed seed), then the edge cases without NaN.
inline std::vector<float> test_inputs(float lo = -30.0f, float hi = 30.0f, float step = 1.0f / 1024.0f,
                                      int random_count = 20000) {
    std::vector<float> xs;
    for (float x = lo; x <= hi; x += step) xs.push_back(x);
    std::mt19937 rng(20260521);
    std::uniform_real_distribution<double> e(-38.0, 38.4);
    for (int i = 0; i < random_count; ++i) {
        const double m = std::pow(10.0, e(rng));
        xs.push_back(static_cast<float>((i & 1) ? m : -m));
    }
    for (float v : edge_values()) xs.push_back(v);
    return xs;
}

/// Policy applied through math::apply (SIMD body + padded tail).
template <class P>
std::vector<float> eval_block(const P& p, const std::vector<float>& xs) {
    std::vector<float> out(xs.size());
    nofold::math::apply(p, xs.data(), out.data(), static_cast<int>(xs.size()));
    return out;
}

/// Policy applied one float at a time (the scalar instantiation).
template <class P>
std::vector<float> eval_scalar(const P& p, const std::vector<float>& xs) {
    std::vector<float> out(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) out[i] = p(xs[i]);
    return out;
}

/// SIMD-vs-scalar tolerance in float steps: 0 (bit-identical) where the batch operations are the exact
/// IEEE ones (x86 up to AVX2, and the scalar build). Two xsimd 8.1 gaps allow a few ULP elsewhere: it has
/// no AVX-512 fma (x·y + z, fused or not at the compiler's whim) and divides NEON floats by a reciprocal
/// estimate refined twice (not correctly rounded).
#if defined(__aarch64__) || defined(__ARM_NEON)
inline constexpr std::int64_t simd_scalar_tolerance_ulp = nofold::simd::enabled ? 4 : 0;
/// Extra ULP allowed in accuracy bounds where the SIMD division is not correctly rounded (NEON, xsimd 8.1).
inline constexpr std::int64_t inexact_division_slack_ulp = nofold::simd::enabled ? 4 : 0;
#else
inline constexpr std::int64_t simd_scalar_tolerance_ulp = nofold::simd::lanes<nofold::simd::float_batch> > 8 ? 4 : 0;
inline constexpr std::int64_t inexact_division_slack_ulp = 0;
#endif

/// Number of positions where two float vectors differ by more than simd_scalar_tolerance_ulp (NaN
/// patterns compared as "both NaN"). With xs (the inputs), the absolute slack also scales with |x|
/// (x·σ(x)-type results inherit an absolute difference of σ times x).
inline std::size_t mismatches(const std::vector<float>& a, const std::vector<float>& b,
                              const std::vector<float>* xs = nullptr) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(a[i]) && std::isnan(b[i])) continue;
        if (std::memcmp(&a[i], &b[i], sizeof(float)) == 0) continue;
        if (std::isnan(a[i]) || std::isnan(b[i])) {
            ++count;
            continue;
        }
        const std::int64_t d = ordered(a[i]) - ordered(b[i]);
        // Where a tolerance applies, results that went through a 1 ± … step (fast sigmoid near 0) may differ
        // by a few ULP of 1 rather than of the (small) result: accept that absolute size too.
        const double abs_tol = static_cast<double>(simd_scalar_tolerance_ulp) * 0x1p-24 *
                               std::max({1.0, std::fabs(static_cast<double>(b[i])),
                                         xs ? std::fabs(static_cast<double>((*xs)[i])) : 0.0});
        if ((d < 0 ? -d : d) > simd_scalar_tolerance_ulp &&
            std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i])) > abs_tol)
            ++count;
    }
    return count;
}

}  // namespace mtest
