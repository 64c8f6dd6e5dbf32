// nofold::math — the periodic "Snake" activations: Snake(α) = x + sin²(αx)/α (slope 1 at 0 for every α)
// and SnakeBeta(α, β) = x + sin²(αx)/β (BigVGAN; files that store log-scale parameters must pass e^α, e^β).
//
// Kernel: t = αx reduced by π/2 with a three-part Cody–Waite constant (t = kπ/2 + r, |r| ≤ π/4), then
// sin²t = sin²r (k even) or 1 − sin²r (k odd), sin²r = r²·S(r²) (S fitted with mpmath; degree 5 float,
// 10 double). Accurate while |αx| < 2^22 (float) / 2^50 (double); beyond, the periodic term is a defined
// value in [0, 1] (the input is clamped), which is within a few ULP of the result for any α.
// Snake(±inf) = ±inf, NaN propagates. Float accuracy ≤ 8 ULP (x and the periodic term cancel for small α).
// Antiderivative F1 = x²/2 + (2αx − sin 2αx)/(4α·m) (m = α or β), u − sin u by its series for |u| < 1.
// Units: α in radians per input unit. Allocates: never. RT-safe: all members.
#pragma once

#include "detail/kernels.hpp"

namespace nofold::math {

/// x + sin²(αx)/α, α > 0 (α = 1 by default).
struct Snake {
    float alpha = 1.0f;
    template <class V>
    V operator()(const V& x) const noexcept;
    template <class V>
    V antiderivative(const V& x) const noexcept;
    /// F1 − x²/2 without cancellation (used by ADAA with LinearPart::subtract).
    template <class V>
    V antiderivative_minus_linear(const V& x) const noexcept;
};

/// x + sin²(αx)/β, α, β > 0.
struct SnakeBeta {
    float alpha = 1.0f;
    float beta = 1.0f;
    template <class V>
    V operator()(const V& x) const noexcept;
    template <class V>
    V antiderivative(const V& x) const noexcept;
    template <class V>
    V antiderivative_minus_linear(const V& x) const noexcept;
};

// ---------------------------------------------------------------------------------------------------
namespace detail {

/// t = k·π/2 + r with |r| ≤ π/4 (about); returns r, stores k (integer-valued).
template <class V>
inline V reduce_half_pi(const V& t, V& k) noexcept {
    constexpr bool dbl = is_double_v<V>;
    const V tc = simd::clamp(t, scalar_of<V>(dbl ? -1125899906842624.0 : -4194304.0),
                             scalar_of<V>(dbl ? 1125899906842624.0 : 4194304.0));
    const V kk = simd::fma(tc, constant<V>(0.63661977236758134308), round_magic<V>());
    k = kk - round_magic<V>();
    const double p1 = dbl ? 1.57079632673412561417 : 1.5703125;
    const double p2 = dbl ? 6.07710050630396597660e-11 : 4.837512969970703125e-4;
    const double p3 = dbl ? 2.02226624879595063154e-21 : 7.54978995489188216e-8;
    V r = simd::fma(k, constant<V>(-p1), tc);
    r = simd::fma(k, constant<V>(-p2), r);
    return simd::fma(k, constant<V>(-p3), r);
}

/// sin²(r) for |r| ≤ π/4.
template <class V>
inline V sin_squared_reduced(const V& r) noexcept {
    const V z = r * r;
    if constexpr (is_double_v<V>) {
        constexpr double c[] = {1.0,
                                -0.33333333333333333333,
                                0.044444444444444444444,
                                -0.0031746031746031745815,
                                0.00014109347442680748217,
                                -4.2755598311133038323e-6,
                                9.3968347926871564829e-8,
                                -1.5661391030786141876e-9,
                                2.0472350654762525544e-11,
                                -2.1543155314003914826e-13,
                                1.8200147155914362727e-15};
        return z * detail::horner(z, c);
    } else {
        constexpr double c[] = {0.999999999997399088,    -0.33333333303271181149,  0.044444438810770800467,
                                -0.0031745645331226163864, 0.00014097350321152560694, -4.1033054212050866773e-6};
        return z * detail::horner(z, c);
    }
}

/// sin²(t), full accuracy for |t| < 2^22 (float); for larger, infinite or NaN t a defined value in [0, 1]
/// (the caller restores NaN where it must: Snake's x + … does it by itself).
template <class V>
inline V sin_squared(const V& t) noexcept {
    V k;
    const V s2 = sin_squared_reduced(reduce_half_pi(t, k));
    return simd::select(detail::is_odd(k), constant<V>(1.0) - s2, s2);
}

/// sin(t) (used by the antiderivatives; Taylor series on |r| ≤ π/4).
template <class V>
inline V sin_full(const V& t) noexcept {
    V k;
    const V r = reduce_half_pi(t, k);
    const V z = r * r;
    constexpr double sc[] = {1.0, -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800,
                             1.0 / 6227020800.0, -1.0 / 1307674368000.0, 1.0 / 355687428096000.0};
    constexpr double cc[] = {1.0, -1.0 / 2, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800,
                             1.0 / 479001600.0, -1.0 / 87178291200.0, 1.0 / 20922789888000.0};
    const V s = r * detail::horner(z, sc);
    const V c = detail::horner(z, cc);
    // k mod 4: 0 → s, 1 → c, 2 → −s, 3 → −c
    const V base = simd::select(detail::is_odd(k), c, s);
    const V k_half = half_floor(k);
    return simd::select(detail::is_odd(k_half), -base, base) + (t - t);
}

/// u − sin u without cancellation.
template <class V>
inline V u_minus_sin(const V& u) noexcept {
    const V z = u * u;
    constexpr double c[] = {1.0 / 6, -1.0 / 120, 1.0 / 5040, -1.0 / 362880, 1.0 / 39916800, -1.0 / 6227020800.0,
                            1.0 / 1307674368000.0, -1.0 / 355687428096000.0, 1.0 / 121645100408832000.0};
    const V series = u * z * detail::horner(z, c);
    return simd::select(simd::abs(u) < constant<V>(1.0), series, u - sin_full(u));
}

template <class V>
inline V snake_value(const V& x, float alpha, float magnitude) noexcept {
    const V a = simd::broadcast<V>(static_cast<scalar_of<V>>(alpha));
    return x + sin_squared(a * x) / simd::broadcast<V>(static_cast<scalar_of<V>>(magnitude));
}

template <class V>
inline V snake_periodic_integral(const V& x, float alpha, float magnitude) noexcept {
    const V a = simd::broadcast<V>(static_cast<scalar_of<V>>(alpha));
    const V m = simd::broadcast<V>(static_cast<scalar_of<V>>(magnitude));
    return u_minus_sin(constant<V>(2.0) * a * x) / (constant<V>(4.0) * a * m);
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------------
template <class V>
inline V Snake::operator()(const V& x) const noexcept {
    return detail::snake_value(x, alpha, alpha);
}
template <class V>
inline V Snake::antiderivative(const V& x) const noexcept {
    return simd::fma(detail::constant<V>(0.5) * x, x, detail::snake_periodic_integral(x, alpha, alpha));
}
template <class V>
inline V Snake::antiderivative_minus_linear(const V& x) const noexcept {
    return detail::snake_periodic_integral(x, alpha, alpha);
}
template <class V>
inline V SnakeBeta::operator()(const V& x) const noexcept {
    return detail::snake_value(x, alpha, beta);
}
template <class V>
inline V SnakeBeta::antiderivative(const V& x) const noexcept {
    return simd::fma(detail::constant<V>(0.5) * x, x, detail::snake_periodic_integral(x, alpha, beta));
}
template <class V>
inline V SnakeBeta::antiderivative_minus_linear(const V& x) const noexcept {
    return detail::snake_periodic_integral(x, alpha, beta);
}

}  // namespace nofold::math
