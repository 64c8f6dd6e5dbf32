// nofold::math — the tanh family: Tanh<Tier>, NAM's Fasttanh and the stretched CustomTanh(α).
//
// Kernels (own derivations; coefficients fitted with mpmath, see each function):
//   Exact: tanh|x| = e/(e + 2), e = expm1(2|x|) (exp_log.hpp's reduction with a single-constant ln 2,
//          enough because |x| ≤ 9.5 where tanh rounds to 1, carried out on |x| with halved constants so
//          the doubling costs nothing), sign copied back. NaN propagates. The division stays: on the target
//          (Zen 4, AVX2) a reciprocal estimate plus Newton steps measured slower (0.55 vs 0.36 ns/element),
//          the kernel being bound by its ~20 FMA-pipe operations, not by the divider.
//          Float: ≤ 4 ULP from the correctly rounded value everywhere (max 3, checked over every positive
//          float; the test samples every 64th). The expm1 polynomial is in Estrin's order for latency.
//   Fast:  odd rational x·P(x²)/Q(x²), P degree 3, Q degree 4 in x², near-minimax on [0, 8] (Lawson
//          iteration), input clamped to ±8 and P scaled so the value at the clamp is ±1 exactly.
//          Max abs error 6.3e-7 in exact arithmetic (≤ 1e-6 tested in float). ±inf → ±1, NaN → −1.
//   NamCompat: NAM's Fasttanh (docs/model-formats.md §2.8): max abs error ≈ 4.4e-4, unbounded for |x| > 8.56. Products
//          pass through simd::no_contract, so results equal NAM Core's (built with -ffp-contract=off) bit for
//          bit whatever the user's -ffp-contract (≈ 20% slower than the fused form it replaced).
// Units: none. Allocates: never. RT-safe: all members.
#pragma once

#include <type_traits>

#include "exp_log.hpp"
#include "tier.hpp"

namespace nofold::math {

/// tanh(x), the accuracy chosen by Tier (Exact, Fast or NamCompat).
/// Antiderivatives (exact tier whatever Tier is): F1 = ln cosh x, F2 = ∫F1 (docs/activations.md §6).
/// Reference: the kernels above; tested against long double tanhl in tests/math/tanh_test.cpp.
template <class Tier = Exact>
struct Tanh {
    static_assert(is_tier_v<Tier>, "math::Tanh<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    template <class V>
    V operator()(const V& x) const noexcept;
    template <class V>
    V antiderivative(const V& x) const noexcept;
    template <class V>
    V antiderivative2(const V& x) const noexcept;
};

/// NAM's rational tanh approximation ("Fasttanh" in .nam files), same formula and operation order as
/// NAM, so results are bit-identical when both builds use the same floating-point contraction.
struct Fasttanh {
    template <class V>
    V operator()(const V& x) const noexcept;
};

/// tanh(x/α): α > 1 stretches it horizontally (smoother, less aliasing), α = 1 is Tanh.
/// Units: alpha in input units. Antiderivatives: α·F1(x/α), α²·F2(x/α).
template <class Tier = Exact>
struct CustomTanh {
    static_assert(is_tier_v<Tier>, "math::CustomTanh<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    float alpha = 1.0f;
    template <class V>
    V operator()(const V& x) const noexcept;
    template <class V>
    V antiderivative(const V& x) const noexcept;
    template <class V>
    V antiderivative2(const V& x) const noexcept;
};

// ---------------------------------------------------------------------------------------------------
namespace detail {

template <class V>
inline V tanh_exact(const V& x) noexcept {
    const V a = simd::min(constant<V>(is_double_v<V> ? 19.5 : 9.5), simd::abs(x));  // NaN propagates
    // e = expm1(2a) = 2^n·(expm1(r) + 1) − 1 with r = 2a − n·ln2, computed on h = r/2 = a − n·ln2/2 (every
    // step is the doubled one scaled by an exact power of two): k holds n + 1, so 2^(n+1) comes out of it.
    const double magic_plus_1 = float_format<scalar_of<V>>::round_magic + 1.0;
    const V k = simd::fma(a, constant<V>(2.0 * log2e), constant<V>(magic_plus_1));
    const V n = k - constant<V>(magic_plus_1);
    V h;
    if constexpr (is_double_v<V>) {
        h = simd::fma(n, constant<V>(-0.5) * ln2_lo<V>(), simd::fma(n, constant<V>(-0.5) * ln2_hi<V>(), a));
    } else {
        h = simd::fma(n, constant<V>(-0.5 * static_cast<double>(static_cast<float>(ln2))), a);
    }
    const V s2 = pow2_from_shifted(k);                                               // 2^(n+1)
    const V e = simd::fma(s2, expm1_half_of_double(h), simd::fma(s2, constant<V>(0.5), constant<V>(-1.0)));
    return with_sign_of(e / (e + constant<V>(2.0)), x);
}

inline constexpr double fast_tanh_clamp = 8.0;

template <class V>
inline V tanh_fast(const V& x) noexcept {
    const V xc = simd::clamp(x, scalar_of<V>(-fast_tanh_clamp), scalar_of<V>(fast_tanh_clamp));
    const V z = xc * xc;
    constexpr double p[] = {0.99999986801385059, 0.12913683528987634, 0.00293886409095936, 1.1310535811204523e-5};
    constexpr double q[] = {1.0, 0.46246776292121992604, 0.023763978883712392693, 0.0002370329805897138287,
                            2.4239258906083609138e-7};
    const V t = xc * detail::horner(z, p) / detail::horner(z, q);
    return simd::clamp(t, scalar_of<V>(-1), scalar_of<V>(1));
}

template <class V>
inline V fasttanh_nam(const V& x) noexcept {
    // NAM Core's references are built with -ffp-contract=off: every product below that feeds an addition
    // goes through simd::no_contract, so no compiler setting (GCC fuses across statements by default with
    // -mfma, Clang within expressions) can turn it into a fused multiply-add. Scalar and SIMD paths then
    // round exactly like NAM's and like each other.
    using simd::no_contract;
    const V a = simd::abs(x);
    const V x2 = no_contract(x * x);
    const V k0 = constant<V>(2.45550750702956);
    const V n1 = k0 + no_contract(k0 * a);
    const V m = constant<V>(0.893229853513558) + no_contract(constant<V>(0.821226666969744) * a);
    const V num = x * (n1 + no_contract(m * x2));
    const V xa = constant<V>(0.814642734961073) * x;
    const V inner = simd::abs(x + no_contract(xa * a));
    const V d0 = constant<V>(2.44506634652299);
    const V d1 = d0 + x2;
    return num / (d0 + no_contract(d1 * inner));
}

template <class Tier, class V>
inline V tanh_tier(const V& x) noexcept {
    if constexpr (std::is_same_v<Tier, Fast>) {
        return tanh_fast(x);
    } else if constexpr (std::is_same_v<Tier, NamCompat>) {
        return fasttanh_nam(x);
    } else {
        return tanh_exact(x);
    }
}

/// ln cosh x = |x| + log1p(e^(−2|x|)) − ln 2 (no overflow, no cancellation near 0 beyond the log1p's).
template <class V>
inline V log_cosh(const V& x) noexcept {
    const V a = simd::abs(x);
    return (a - constant<V>(ln2)) + math::log1p(math::exp(constant<V>(-2.0) * a));
}

/// Li2(z) for z in [−1, 0] (dilogarithm), polynomial fit in z (mpmath chebyfit, degree 18 / 11).
template <class V>
inline V dilog_neg(const V& z) noexcept;

/// ∫₀ˣ ln cosh t dt (odd): a²/2 − a·ln2 + ½·Li2(−e^(−2a)) + π²/24 with a = |x|.
template <class V>
inline V log_cosh_integral(const V& x) noexcept {
    const V a = simd::abs(x);
    const V li = dilog_neg(-math::exp(constant<V>(-2.0) * a));
    const V f = simd::fma(a, constant<V>(0.5) * a - constant<V>(ln2),
                          simd::fma(constant<V>(0.5), li, constant<V>(0.41123351671205660911)));  // π²/24
    return with_sign_of(f, x);
}

}  // namespace detail

template <class V>
inline V detail::dilog_neg(const V& z) noexcept {
    if constexpr (detail::is_double_v<V>) {
        constexpr double c[] = {0.0, 0.999999999999999981072, 0.249999999999996654593, 0.111111111110875131161,
                                0.0624999999911354075512, 0.0399999997947799940842, 0.0277777745812197794542,
                                0.020408127762037579556, 0.015624707111626448407, 0.0123438298975603752832,
                                0.00999086208460090683483, 0.00822849389517592810893, 0.0068300974199723043135,
                                0.0056201826977758557086, 0.004465464072248911432, 0.00330673492879791844803,
                                0.00219074603002685329078, 0.00124352237500205587644, 0.000577633203023449475528,
                                0.000208165545504131549961, 0.0000541146665575312355325,
                                0.00000897473473629489907139, 7.10157723780950599241e-7};
        return detail::horner(z, c);
    } else {
        constexpr double c[] = {0.0, 0.999999995169966815572, 0.249999766494461275097, 0.111106635921690079117,
                                0.0624550390197885194011, 0.0397283495460365170022, 0.0267088915188268775739,
                                0.017524363861592486161, 0.0100817673722102086863, 0.00446615714144935212696,
                                0.001289790421053373635, 0.000176786602262502035452};
        return detail::horner(z, c);
    }
}

// ---------------------------------------------------------------------------------------------------
template <class Tier>
template <class V>
inline V Tanh<Tier>::operator()(const V& x) const noexcept {
    return detail::tanh_tier<Tier>(x);
}
template <class Tier>
template <class V>
inline V Tanh<Tier>::antiderivative(const V& x) const noexcept {
    return detail::log_cosh(x);
}
template <class Tier>
template <class V>
inline V Tanh<Tier>::antiderivative2(const V& x) const noexcept {
    return detail::log_cosh_integral(x);
}

template <class V>
inline V Fasttanh::operator()(const V& x) const noexcept {
    return detail::fasttanh_nam(x);
}

template <class Tier>
template <class V>
inline V CustomTanh<Tier>::operator()(const V& x) const noexcept {
    if constexpr (std::is_same_v<Tier, Exact>) {
        return detail::tanh_exact(x / simd::broadcast<V>(static_cast<simd::scalar_t<V>>(alpha)));
    } else {
        const auto inv = static_cast<simd::scalar_t<V>>(1) / static_cast<simd::scalar_t<V>>(alpha);
        return detail::tanh_tier<Tier>(x * simd::broadcast<V>(inv));
    }
}
template <class Tier>
template <class V>
inline V CustomTanh<Tier>::antiderivative(const V& x) const noexcept {
    const V a = simd::broadcast<V>(static_cast<simd::scalar_t<V>>(alpha));
    return a * detail::log_cosh(x / a);
}
template <class Tier>
template <class V>
inline V CustomTanh<Tier>::antiderivative2(const V& x) const noexcept {
    const V a = simd::broadcast<V>(static_cast<simd::scalar_t<V>>(alpha));
    return a * a * detail::log_cosh_integral(x / a);
}

}  // namespace nofold::math
