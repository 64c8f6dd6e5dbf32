// nofold::math — exp, expm1 and log1p for float, double and SIMD batches (the kernels under every
// exp-based activation).
//
// Method (textbook Cody–Waite reduction, own minimax coefficients fitted with mpmath.chebyfit):
//   exp/expm1: n = round(x·log2 e), r = x − n·ln2 (two-part ln2), expm1(r) = r + r²·P(r) on |r| ≤ ln2/2
//              (P: degree 4 for float, 10 for double), then scaled by 2^n in two exact steps so subnormal
//              results are rounded once and overflow gives inf.
//   log1p:     u = 1 + y = m·2^k with m in [√½, √2), log m = 2·atanh(s), s = (m − 1)/(m + 1), plus the
//              rounding error of 1 + y carried as (y − (u − 1))/u.
// Accuracy (float, tested in tests/math/exp_log_test.cpp against long double): exp, expm1 ≤ 2 ULP,
// log1p ≤ 2 ULP. NaN propagates; exp(−inf) = 0, exp(+inf) = inf, expm1(−inf) = −1, log1p(−1) = −inf.
// Units: none. Allocates: never. RT-safe: all.
#pragma once

#include <limits>

#include "detail/kernels.hpp"

namespace nofold::math {

template <class V>
V exp(const V& x) noexcept;
template <class V>
V expm1(const V& x) noexcept;
template <class V>
V log1p(const V& y) noexcept;

// ---------------------------------------------------------------------------------------------------
namespace detail {

/// ln 2 split so that n·ln2_hi is exact for the n the kernels use.
template <class V>
inline V ln2_hi() noexcept {
    return constant<V>(is_double_v<V> ? 6.93147180369123816490e-01 : 0.693359375);
}
template <class V>
inline V ln2_lo() noexcept {
    return constant<V>(is_double_v<V> ? 1.90821492927058770002e-10 : -2.12194440e-4);
}
inline constexpr double log2e = 1.44269504088896340736;
inline constexpr double ln2 = 0.69314718055994530942;

/// Coefficients of P in expm1(r) = r + r²·P(r), |r| ≤ ln2/2: relative error below 2^-24 (float) / 2^-53
/// (double).
inline constexpr double expm1_coefficients_double[] = {0.5,
                                                       0.16666666666666671438,
                                                       0.041666666666666670074,
                                                       0.0083333333333255446996,
                                                       0.0013888888888883326674,
                                                       0.00019841269876864354929,
                                                       0.000024801587327007186731,
                                                       2.7557252833516909748e-6,
                                                       2.7557271810219799569e-7,
                                                       2.5106274733573294688e-8,
                                                       2.0915442297780115217e-9};
inline constexpr double expm1_coefficients_float[] = {0.5, 0.16666573381900846023, 0.041666550110305124444,
                                                      0.0083637738744055734988, 0.0013926926614021906481};

/// expm1(2h)/2 for |h| ≤ ln2/4, computed as expm1_reduced(2h)/2 with every intermediate scaled by a power
/// of two (coefficient i of P times 2^(i+1)), so the caller saves the doubling of its argument. Double:
/// bit-identical to expm1_reduced(2h)/2; float: the same polynomial in Estrin's order (below).
template <class V, std::size_t N>
inline V expm1_half_of_double(const V& h, const double (&c)[N]) noexcept {
    V p = constant<V>(c[N - 1] * static_cast<double>(std::uint64_t(1) << N));
    for (std::size_t i = N - 1; i-- > 0;)
        p = simd::fma(p, h, constant<V>(c[i] * static_cast<double>(std::uint64_t(1) << (i + 1))));
    return simd::fma(h * h, p, h);
}
template <class V>
inline V expm1_half_of_double(const V& h) noexcept {
    if constexpr (is_double_v<V>) {
        return expm1_half_of_double(h, expm1_coefficients_double);
    } else {
        // Estrin's scheme: h + h²(k0 + k1·h) + h⁴(k2 + k3·h + k4·h²) is 3 operations deep where Horner's
        // is 5, same cost; tanh's latency is what bounds a recurrent cell's step (LSTM 1x16 −5 %).
        const auto k = [](std::size_t i) {
            return constant<V>(expm1_coefficients_float[i] * static_cast<double>(std::uint64_t(2) << i));
        };
        const V h2 = h * h;
        const V low = simd::fma(k(1), h, k(0));
        const V high = simd::fma(simd::fma(k(4), h, k(3)), h, k(2));
        return simd::fma(h2 * h2, high, simd::fma(h2, low, h));
    }
}

/// expm1(r) for |r| ≤ ln2/2 (a little beyond is fine), relative error below 2^-24 (float) / 2^-53 (double).
template <class V>
inline V expm1_reduced(const V& r) noexcept {
    if constexpr (is_double_v<V>) {
        return simd::fma(r * r, detail::horner(r, expm1_coefficients_double), r);
    } else {
        return simd::fma(r * r, detail::horner(r, expm1_coefficients_float), r);
    }
}

/// Shared reduction: returns r and sets n (integer-valued) with x = n·ln2 + r.
template <class V>
inline V reduce_ln2(const V& x, V& n) noexcept {
    const V k = simd::fma(x, constant<V>(log2e), round_magic<V>());
    n = k - round_magic<V>();
    const V r = simd::fma(n, -ln2_hi<V>(), x);
    return simd::fma(n, -ln2_lo<V>(), r);
}

/// e^x = m·2^n with m in [0.7, 1.42] (n integer-valued, returned through n_out): lets callers multiply
/// by m before the final scaling, so products that are normal keep full precision even when e^x alone
/// would be subnormal (x·σ(x) for x < −87).
template <class V>
inline V exp_parts(const V& x, V& n_out) noexcept {
    // Below lo, e^x rounds to +0 even after multiplication by any finite float the callers use (m·x with
    // |x| ≤ 2^8); above hi it is +inf. scale_pow2 covers the resulting n.
    const double lo = is_double_v<V> ? -1100.0 : -150.0;
    const double hi = is_double_v<V> ? 710.0 : 89.0;
    // Operand order makes NaN propagate through max/min (simd:: returns the second one when unordered).
    const V xc = simd::min(constant<V>(hi), simd::max(constant<V>(lo), x));
    const V r = reduce_ln2(xc, n_out);
    return expm1_reduced(r) + constant<V>(1.0);
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------------
/// e^x. Float: ≤ 2 ULP over the whole range including subnormal results.
template <class V>
inline V exp(const V& x) noexcept {
    V n;
    const V m = detail::exp_parts(x, n);
    return detail::scale_pow2(m, n);
}

/// e^x − 1, accurate relative to the result near 0.
template <class V>
inline V expm1(const V& x) noexcept {
    using detail::constant;
    const double lo = detail::is_double_v<V> ? -40.0 : -18.0;  // below: −1 to working precision
    const double hi = detail::is_double_v<V> ? 710.0 : 89.0;
    const V xc = simd::min(constant<V>(hi), simd::max(constant<V>(lo), x));
    V n;
    const V r = detail::reduce_ln2(xc, n);
    // expm1(x) = 2^n·(expm1(r) + 1 − 2^−n); 1 − 2^−n is exact for the n where it matters.
    const V n_cap = simd::min(n, constant<V>(detail::is_double_v<V> ? 60.0 : 30.0));
    const V c = constant<V>(1.0) - detail::pow2i(-n_cap);
    return detail::scale_pow2(detail::expm1_reduced(r) + c, n);
}

/// ln(1 + y), accurate relative to the result near 0. log1p(−1) = −inf, y < −1 gives NaN.
template <class V>
inline V log1p(const V& y) noexcept {
    using detail::constant;
    const V one = constant<V>(1.0);
    const V u = y + one;
    V k;
    const V m = detail::split_exponent(u, k);
    // Rounding error of u = 1 + y (u − 1 is exact for the u where the correction matters).
    const V corr = (y - (u - one)) / u;
    const V f = m - one;
    const V s = f / (constant<V>(2.0) + f);
    const V z = s * s;
    V tail;
    if constexpr (detail::is_double_v<V>) {
        constexpr double c[] = {0.33333333333333349535, 0.19999999999946610882, 0.14285714314405497799,
                                0.11111105337119257623, 0.090914612567579708165, 0.076653086533716524421,
                                0.073150156820614302402};
        tail = detail::horner(z, c);
    } else {
        constexpr double c[] = {0.33333342801636780161, 0.19994275494467878669, 0.14795158678580198598};
        tail = detail::horner(z, c);
    }
    const V two_s = s + s;
    const V log_m = simd::fma(two_s * z, tail, two_s);
    V result = simd::fma(k, detail::ln2_hi<V>(), log_m + simd::fma(k, detail::ln2_lo<V>(), corr));
    const V inf = constant<V>(std::numeric_limits<double>::infinity());
    result = simd::select(u == inf, inf, result);
    result = simd::select(u == constant<V>(0.0), -inf, result);
    return simd::select(y >= constant<V>(-1.0), result, constant<V>(std::numeric_limits<double>::quiet_NaN()));
}

}  // namespace nofold::math
