// nofold::math — the logistic sigmoid σ(x) = 1/(1 + e^−x) and SiLU x·σ(x), each with accuracy tiers.
//
// Kernels:
//   Exact: e = exp(−|x|) (exp_log.hpp), σ(|x|) = 1/(1 + e), σ(−|x|) = e/(1 + e): no cancellation, so
//          float results are within 4 ULP everywhere, subnormal tails included. NaN propagates.
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

template <class V>
inline V sigmoid_exact(const V& x) noexcept {
    const V e = math::exp(-simd::abs(x));
    const V s = constant<V>(1.0) / (constant<V>(1.0) + e);
    return simd::select(x < constant<V>(0.0), e * s, s);
}

/// x·σ(x) in the exact tier, with the negative tail scaled after the product (e^−|x| may be subnormal
/// where x·σ(x) is not).
template <class V>
inline V x_sigmoid_exact(const V& x) noexcept {
    V n;
    const V m = exp_parts(-simd::abs(x), n);
    const V e = scale_pow2(m, n);
    const V s = constant<V>(1.0) / (constant<V>(1.0) + e);
    return simd::select(x < constant<V>(0.0), scale_pow2(x * m, n) * s, x * s);
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
