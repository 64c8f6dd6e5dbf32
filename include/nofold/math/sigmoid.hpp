// nofold::math — the logistic sigmoid σ(x) = 1/(1 + e^−x) and SiLU x·σ(x), each with accuracy tiers.
//
// Kernels:
//   Exact: e = exp(−|x|) (exp_log.hpp's reduction; 2^n applied as 2^(n+64)·2^−64, one rounding for
//          subnormal results instead of exp's two-step scaling), σ(|x|) = 1/(1 + e), σ(−|x|) = e/(1 + e): no
//          cancellation, so float results are within 4 ULP everywhere, subnormal tails included. NaN propagates.
//   Fast:  ½ + ½·tanh_fast(x/2) (tanh.hpp): max abs error ≤ 5e-7; exactly 0 and 1 beyond |x| = 16.
//   NamCompat: ½·(Fasttanh(x/2) + 1), what NAM's plugin uses in its LSTM gates.
// Units: none. Allocates: never. RT-safe: all members.
#pragma once

#include "tanh.hpp"

namespace nofold::math {

/// Logistic sigmoid. Antiderivative: softplus(x) = max(x, 0) + log1p(e^−|x|).
/// Reference: tested against long double 1/(1 + expl(−x)) in tests/math/sigmoid_test.cpp.
template <class Tier = Exact>
struct Sigmoid {
    static_assert(is_tier_v<Tier>, "math::Sigmoid<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    template <class V>
    V operator()(const V& x) const noexcept;
    template <class V>
    V antiderivative(const V& x) const noexcept;
};

/// SiLU / Swish: x·σ(x) with σ of the same tier. SiLU(−inf) = −0 (the limit), not NaN.
/// Accuracy: Exact ≤ 4 ULP + the product's rounding; Fast: abs error ≤ 5e-7·|x| (≤ 8e-6 overall).
template <class Tier = Exact>
struct SiLU {
    static_assert(is_tier_v<Tier>, "math::SiLU<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    template <class V>
    V operator()(const V& x) const noexcept;
};

// ---------------------------------------------------------------------------------------------------
namespace detail {

/// −|x| (the sign bit set; NaN stays NaN).
template <class V>
inline V negative_abs(const V& x) noexcept {
    if constexpr (simd::is_batch<V>) {
        return x | V(scalar_of<V>(-0.0));
    } else {
        return -std::fabs(x);
    }
}

/// e^−|x| = m·p·2^−64 for the sigmoid and SiLU, with m = 1 + expm1(r) in [0.7, 1.42] returned and
/// p = 2^(n+64) stored in p_out: callers multiply m by anything of magnitude ≤ 2^8 and then by p and 2^−64,
/// so results below the normal range are rounded once, by the last product. −|x| is clamped to lo (≥ −112
/// for float, ≥ −752 for double, where p stays normal); NaN propagates.
template <class V>
inline V exp_neg_abs_parts(const V& x, double lo, V& p_out) noexcept {
    const V na = simd::max(constant<V>(lo), negative_abs(x));
    const double shifted_magic = float_format<scalar_of<V>>::round_magic + 64.0;
    const V k = simd::fma(na, constant<V>(log2e), constant<V>(shifted_magic));  // holds n + 64
    const V n = k - constant<V>(shifted_magic);
    V r = simd::fma(n, -ln2_hi<V>(), na);
    r = simd::fma(n, -ln2_lo<V>(), r);
    p_out = pow2_from_shifted(k);
    return expm1_reduced(r) + constant<V>(1.0);
}

template <class V>
inline V sigmoid_exact(const V& x) noexcept {
    V p;
    // Below −104 (float) / −745.5 (double) e^−|x| rounds to 0.
    const V m = exp_neg_abs_parts(x, is_double_v<V> ? -745.5 : -104.0, p);
    const V e = (m * p) * constant<V>(0x1p-64);
    const V s = constant<V>(1.0) / (constant<V>(1.0) + e);
    return simd::select(x < constant<V>(0.0), e * s, s);
}

/// x·σ(x) in the exact tier, with the negative tail scaled after the product (e^−|x| may be subnormal
/// where x·σ(x) is not).
template <class V>
inline V x_sigmoid_exact(const V& x) noexcept {
    V p;
    // Below −112 (float) / −752 (double), x·e^x rounds to 0 for every x ≥ −200 / −800 (SiLU's clamp).
    const V m = exp_neg_abs_parts(x, is_double_v<V> ? -752.0 : -112.0, p);
    const V tiny = constant<V>(0x1p-64);
    const V e = (m * p) * tiny;
    const V s = constant<V>(1.0) / (constant<V>(1.0) + e);
    return simd::select(x < constant<V>(0.0), (((x * m) * p) * tiny) * s, x * s);
}

template <class Tier, class V>
inline V sigmoid_tier(const V& x) noexcept {
    if constexpr (std::is_same_v<Tier, Exact>) {
        return sigmoid_exact(x);
    } else {
        return simd::fma(constant<V>(0.5), tanh_tier<Tier>(constant<V>(0.5) * x), constant<V>(0.5));
    }
}

/// softplus(x) = ln(1 + e^x), stable for every x.
template <class V>
inline V softplus(const V& x) noexcept {
    return simd::max(x, constant<V>(0.0)) + math::log1p(math::exp(-simd::abs(x)));
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------------
template <class Tier>
template <class V>
inline V Sigmoid<Tier>::operator()(const V& x) const noexcept {
    return detail::sigmoid_tier<Tier>(x);
}
template <class Tier>
template <class V>
inline V Sigmoid<Tier>::antiderivative(const V& x) const noexcept {
    return detail::softplus(x);
}

template <class Tier>
template <class V>
inline V SiLU<Tier>::operator()(const V& x) const noexcept {
    // Below −200 (float) / −800 (double) the sigmoid is 0 in every tier; the bound keeps −inf·0 from
    // producing NaN (NaN still propagates: simd::max returns its second operand when unordered).
    const V xc = simd::max(detail::constant<V>(detail::is_double_v<V> ? -800.0 : -200.0), x);
    if constexpr (std::is_same_v<Tier, Exact>) {
        return detail::x_sigmoid_exact(xc);
    } else {
        return xc * detail::sigmoid_tier<Tier>(xc);
    }
}

}  // namespace nofold::math
