// nofold::math — SmoothHardtanh: Hardtanh with rounded corners and leaky outer segments (the smoothed
// Hardtanh family proposed by Sato & Smith 2025, docs/activations.md §3; this construction is nofold's own).
//
// Odd function; for a = |x|: slope 1 on [0, 1 − w], slope s on [1 + w, ∞), and on the corner
// [1 − w, 1 + w] the slope blends as 1 + (s − 1)·B(u), u = (a − 1 + w)/(2w), with
//   Smoothness::c1: B(u) = u            → the corner is the C¹ cubic Hermite blend (its cubic term is 0),
//   Smoothness::c2: B(u) = 3u² − 2u³    → the corner is the C² quintic Hermite blend (its quintic term is 0),
// both matching value and slope (and curvature for c2) of the linear pieces at both ends. The corner
// values reach 1 + s·w at a = 1 + w, exactly the leaky line, so w → 0 gives LeakyHardtanh(±1, s, s).
// Written branch-free: f = (1−w) + 2w·(u_c + (s−1)·I(u_c)) + min(0, a−1+w) + s·max(0, a−1−w), u_c = clamp(u).
// Parameters: width w in (0, 1] (half-width of each corner, input units), slope s ≥ 0 (outer slope).
// Antiderivative F1 (closed form, piecewise polynomial) for ADAA. ±inf → ±inf (s > 0) or ±1 (s = 0).
// Units: width in input units. Allocates: never. RT-safe: all members.
#pragma once

#include "detail/kernels.hpp"

namespace nofold::math {

/// Corner smoothness of SmoothHardtanh.
enum class Smoothness { c1, c2 };

template <Smoothness S = Smoothness::c2>
struct SmoothHardtanh {
    float width = 0.25f;
    float slope = 0.01f;
    template <class V>
    V operator()(const V& x) const noexcept;
    template <class V>
    V antiderivative(const V& x) const noexcept;
};

// ---------------------------------------------------------------------------------------------------
namespace detail {
/// ∫₀ᵘ B and ∫₀ᵘ∫₀ B for the two blends.
template <Smoothness S, class V>
inline V blend_integral(const V& u) noexcept {
    if constexpr (S == Smoothness::c1) {
        return constant<V>(0.5) * u * u;
    } else {
        const V u3 = u * u * u;
        return u3 * simd::fma(constant<V>(-0.5), u, constant<V>(1.0));  // explicit fma: same in scalar and SIMD
    }
}
template <Smoothness S, class V>
inline V blend_integral2(const V& u) noexcept {
    if constexpr (S == Smoothness::c1) {
        return constant<V>(1.0 / 6.0) * u * u * u;
    } else {
        const V u2 = u * u;
        return u2 * u2 * (constant<V>(0.25) - constant<V>(0.1) * u);
    }
}
}  // namespace detail

template <Smoothness S>
template <class V>
inline V SmoothHardtanh<S>::operator()(const V& x) const noexcept {
    using detail::constant;
    using T = simd::scalar_t<V>;
    const T w = static_cast<T>(width) > T(1e-6) ? static_cast<T>(width) : T(1e-6);
    const V a = simd::abs(x);
    const V inner_end = simd::broadcast<V>(T(1) - w);
    const V u = (a - inner_end) * simd::broadcast<V>(T(0.5) / w);
    const V uc = simd::clamp(u, T(0), T(1));
    const V corner = simd::fma(simd::broadcast<V>(static_cast<T>(slope) - T(1)), detail::blend_integral<S>(uc), uc);
    V f = simd::fma(simd::broadcast<V>(w + w), corner, inner_end);
    f = f + simd::min(constant<V>(0.0), a - inner_end);  // NaN propagates here
    const V outer = simd::max(constant<V>(0.0), a - simd::broadcast<V>(T(1) + w));
    if (slope != 0.0f) f = simd::fma(simd::broadcast<V>(static_cast<T>(slope)), outer, f);
    return detail::with_sign_of(f, x);
}

template <Smoothness S>
template <class V>
inline V SmoothHardtanh<S>::antiderivative(const V& x) const noexcept {
    using detail::constant;
    using T = simd::scalar_t<V>;
    const T w = static_cast<T>(width) > T(1e-6) ? static_cast<T>(width) : T(1e-6);
    const T s = static_cast<T>(slope);
    const V a = simd::abs(x);
    const V inner_end = simd::broadcast<V>(T(1) - w);
    const V uc = simd::clamp((a - inner_end) * simd::broadcast<V>(T(0.5) / w), T(0), T(1));
    const V d_lo = simd::min(constant<V>(0.0), a - inner_end);
    const V d_hi = simd::max(constant<V>(0.0), a - simd::broadcast<V>(T(1) + w));
    const V h = constant<V>(0.5);
    // ∫ over [0, 1 − w] shifted by d_lo, the corner, and the leaky tail (header comment).
    const V inner = h * (inner_end + d_lo) * (inner_end + d_lo);
    const V corner_inner = h * uc * uc + simd::broadcast<V>(s - T(1)) * detail::blend_integral2<S>(uc);
    const V corner = simd::broadcast<V>(w + w) * (inner_end * uc + simd::broadcast<V>(w + w) * corner_inner);
    const V tail = d_hi * (simd::broadcast<V>(T(1) + s * w) + h * simd::broadcast<V>(s) * d_hi);
    return inner + corner + tail;
}

}  // namespace nofold::math
