// nofold::math — activations built on exp, log1p and erfc: ELU, CELU, SELU, GELU (erf form), GELUTanh,
// Mish, Softplus, LogSigmoid, Tanhshrink, Gaussian and ReLUSquaredDip. PyTorch's defaults (docs/activations.md §1).
//
// Each is written so that no step cancels: negative tails use expm1 or e^x·(…) directly, GELU's tail uses
// erfc(z) = e^(−z²)·R(z) with x² split exactly by an fma, Tanhshrink near 0 uses x³·T(x²). Accuracy (float,
// measured against long double in tests/math/exponential_test.cpp): ≤ 4 ULP for ELU, CELU, SELU, Softplus,
// LogSigmoid, Mish, Gaussian, ReLUSquaredDip (β = 1); GELU ≤ 8 ULP for x ≥ −3 and ≤ 12 ULP below (its
// condition number is ≈ x² there; 16 ULP where simd::fused_multiply_add is false, as the x² split is then
// not exact); GELUTanh see its comment; Tanhshrink ≤ 8 ULP
// (x − tanh x cancels just above the series range |x| < 0.6).
// Tiers: GELUTanh and Tanhshrink follow their tanh/sigmoid's Tier. The others take a Tier too: Exact (and
// NamCompat, since NAM has no approximation of them) as above; Fast uses detail/fast_exp.hpp (e^x with a
// degree-5 polynomial and an explicit clamp, log1p on [0, 1] as a polynomial, Abramowitz–Stegun erfc) with
// absolute error ≤ 1e-6·max(1, |f(x)|) (SELU, CELU(α): ≤ 2e-6·max(1, α, |f(x)|)), measured against long double
// in tests/math/exponential_test.cpp. Fast results are finite for finite inputs, ±inf give the limits, NaN
// gives some finite value (the clamps; NaN is not propagated).
// Units: parameters in input units. Allocates: never. RT-safe: all members.
#pragma once

#include "piecewise.hpp"
#include "detail/fast_exp.hpp"
#include "sigmoid.hpp"

namespace nofold::math {

/// x > 0 ? x : α(eˣ − 1) (α = 1). F1 = x²/2 or α(expm1 x − x); F2 = x³/6 or α(expm1 x − x − x²/2)
/// (exact kernels whatever the Tier).
template <class Tier = Exact>
struct ELU {
    static_assert(is_tier_v<Tier>, "math::ELU<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    float alpha = 1.0f;
    template <class V>
    V operator()(const V& x) const noexcept;
    template <class V>
    V antiderivative(const V& x) const noexcept;
    template <class V>
    V antiderivative2(const V& x) const noexcept;
};

/// max(0, x) + min(0, α(e^(x/α) − 1)) (α = 1).
template <class Tier = Exact>
struct CELU {
    static_assert(is_tier_v<Tier>, "math::CELU<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    float alpha = 1.0f;
    template <class V>
    V operator()(const V& x) const noexcept;
    /// x²/2 (x > 0) or α(α·expm1(x/α) − x) (exact kernels whatever the Tier).
    template <class V>
    V antiderivative(const V& x) const noexcept;
    /// x³/6 (x > 0) or α³(expm1 u − u) − αx²/2, u = x/α.
    template <class V>
    V antiderivative2(const V& x) const noexcept;
};

/// scale·(x > 0 ? x : α(eˣ − 1)) with PyTorch's α = 1.6732632423543772848, scale = 1.0507009873554804934.
template <class Tier = Exact>
struct SELU {
    static_assert(is_tier_v<Tier>, "math::SELU<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    template <class V>
    V operator()(const V& x) const noexcept;
    /// scale·(x²/2 or α(expm1 x − x)) (exact kernels whatever the Tier).
    template <class V>
    V antiderivative(const V& x) const noexcept;
    /// scale·(x³/6 or α(expm1 x − x − x²/2)).
    template <class V>
    V antiderivative2(const V& x) const noexcept;
};

/// GELU, erf form: x·Φ(x) = ½x(1 + erf(x/√2)), with Φ from erfc so the negative tail keeps its precision.
/// Fast tier: Abramowitz–Stegun's erfc (abs error ≤ 1e-7·|x| from it).
template <class Tier = Exact>
struct GELU {
    static_assert(is_tier_v<Tier>, "math::GELU<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    template <class V>
    V operator()(const V& x) const noexcept;
};

/// GELU, tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³))) = x·σ(z), z = 2√(2/π)(x + 0.044715x³).
/// In the negative tail the function's relative condition number is ≈ 3|z|, so the float rounding of z dominates:
/// relative error ≤ (4 + 3|z|)·2^-24 for x < −1 (≤ 4 ULP above); 1.25 × that without a fused multiply-add.
template <class Tier = Exact>
struct GELUTanh {
    static_assert(is_tier_v<Tier>, "math::GELUTanh<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    template <class V>
    V operator()(const V& x) const noexcept;
};

/// x·tanh(softplus x), computed as x·n/(n + 2), n = eˣ(eˣ + 2).
template <class Tier = Exact>
struct Mish {
    static_assert(is_tier_v<Tier>, "math::Mish<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    template <class V>
    V operator()(const V& x) const noexcept;
};

/// βx > threshold ? x : log1p(e^(βx))/β (β = 1, threshold = 20). F1 (β = 1 form) is −Li2(−eˣ): not provided.
template <class Tier = Exact>
struct Softplus {
    static_assert(is_tier_v<Tier>, "math::Softplus<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    float beta = 1.0f;
    float threshold = 20.0f;
    template <class V>
    V operator()(const V& x) const noexcept;
};

/// ln σ(x) = min(x, 0) − log1p(e^−|x|).
template <class Tier = Exact>
struct LogSigmoid {
    static_assert(is_tier_v<Tier>, "math::LogSigmoid<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    template <class V>
    V operator()(const V& x) const noexcept;
};

/// x − tanh x (near 0: x³·T(x²), T fitted with mpmath). Tier: the tanh used for |x| ≥ 0.6.
template <class Tier = Exact>
struct Tanhshrink {
    static_assert(is_tier_v<Tier>, "math::Tanhshrink<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    template <class V>
    V operator()(const V& x) const noexcept;
};

/// e^(−x²).
template <class Tier = Exact>
struct Gaussian {
    static_assert(is_tier_v<Tier>, "math::Gaussian<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    template <class V>
    V operator()(const V& x) const noexcept;
};

/// x ≥ 0 ? x² : x·σ(βx) (this library's definition, docs/activations.md §2; β = 1).
template <class Tier = Exact>
struct ReLUSquaredDip {
    static_assert(is_tier_v<Tier>, "math::ReLUSquaredDip<Tier>: Tier must be math::Exact, math::Fast or math::NamCompat");
    float beta = 1.0f;
    template <class V>
    V operator()(const V& x) const noexcept;
};

// ---------------------------------------------------------------------------------------------------
namespace detail {

/// e^(−x²·k) for k = 1 or ½, with x² split exactly (hi + lo) so large x keep their relative precision.
template <class V>
inline V exp_neg_square_parts(const V& x_in, double k, V& n) noexcept {
    const V x = simd::min(constant<V>(1e5), simd::abs(x_in));  // keeps x² finite; e^(−k·1e10) is 0 anyway
    // x² = hi + lo exactly by Dekker's product (Veltkamp split), not fma(x, x, −hi): simd::fma is not
    // always fused (xsimd 8.1 has no AVX-512 fma), and every step below is exact with or without contraction.
    const V c = x * constant<V>(is_double_v<V> ? 134217729.0 : 4097.0);
    const V xh = c - (c - x);
    const V xl = x - xh;
    const V hi = x * x;
    const V lo = ((xh * xh - hi) + constant<V>(2.0) * xh * xl) + xl * xl;
    const V m = exp_parts(constant<V>(-k) * hi, n);
    return simd::fma(m, constant<V>(-k) * lo, m);
}
template <class V>
inline V exp_neg_square(const V& x, double k) noexcept {
    V n;
    const V m = exp_neg_square_parts(x, k, n);
    return scale_pow2(m, n);
}

/// ½·erfc(|x|/√2) = Φ(−|x|): e^(−x²/2)·R(z)/2, R(z) = erfc(z)·e^(z²) fitted (mpmath chebyfit) in
/// u = affine(t), t = 2/(2 + z), on z in [0, 10] (float) / [0, 27] (double); beyond, the result underflows.
template <class V>
inline V erfc_scaled_r(const V& x) noexcept {
    constexpr bool dbl = is_double_v<V>;
    const double lo = dbl ? 2.0 / 29.0 : 1.0 / 6.0;
    const V z = simd::min(constant<V>(dbl ? 27.0 : 10.0), simd::abs(x) * constant<V>(0.70710678118654752440));
    const V t = constant<V>(2.0) / (constant<V>(2.0) + z);
    const V u = simd::fma(t, constant<V>(2.0 / (1.0 - lo)), constant<V>(-(1.0 + lo) / (1.0 - lo)));
    V r;
    if constexpr (dbl) {
        constexpr double c[] = {
            0.286032133965984101033,   0.429811170650182563378,   0.223711904921517057239,
            0.064297813766500326621,   0.000954895318226613167324, -0.00507158062601286575518,
            -0.00024225197831171188095, 0.000592711925078638032174, -0.0000324310247852680983509,
            -0.0000784170376047782941924, 0.0000215399218630814349716, 0.00000725278870999323146156,
            -0.00000584510133731937084721, 6.24114686027193719304e-7, 8.7569068715909675836e-7,
            -4.6744075852032754811e-7,  1.93961141180347934579e-8, 8.93027519369310578248e-8,
            -4.6334262962829125087e-8,  3.11794327477030801214e-9, 8.91153175180199954695e-9,
            -5.48153348169330725044e-9, 9.29751765994312091442e-10, 7.68781783619499731582e-10,
            -6.88625761621757735184e-10, 2.55066940570321483269e-10, 2.30370461963312752112e-11,
            -1.08364958095284271807e-10, 6.08864451666503286975e-11, 5.94944867607620221005e-12,
            -1.91239318508700586225e-11, 4.17306502659199470385e-12, 2.05828682351278436474e-12,
            -7.5986422205146409422e-13};
        r = detail::horner(u, c);
    } else {
        constexpr double c[] = {
            0.333673652541460308784,    0.428634793719239363199,   0.195443422613477500542,
            0.0459904708432859349662,   -0.00110556823551242560214, -0.0029242074290906897678,
            0.0000905536425592651777576, 0.000247512154095501816422, -0.0000390496854649073696185,
            -0.0000196949114651593494842, 0.00000859421471436149503228, 5.05067858008754321589e-7,
            -0.00000119312057917541108848, 1.24186735175746391268e-7, 8.44011155551402554197e-8};
        r = detail::horner(u, c);
    }
    return r;
}

/// ½·erfc(|x|/√2) = Φ(−|x|) = ½·R(z)·e^(−x²/2).
template <class V>
inline V half_erfc_abs(const V& x) noexcept {
    return constant<V>(0.5) * erfc_scaled_r(x) * exp_neg_square(x, 0.5);
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------------
namespace detail {
template <class Tier>
inline constexpr bool is_fast_v = std::is_same_v<Tier, Fast>;
}  // namespace detail

template <class Tier>
template <class V>
inline V ELU<Tier>::operator()(const V& x) const noexcept {
    if constexpr (detail::is_fast_v<Tier>) {
        return simd::select(x > detail::constant<V>(0.0), x,
                            detail::bcast<V>(alpha) * (detail::exp_fast(x) - detail::constant<V>(1.0)));
    } else {
        return simd::select(x > detail::constant<V>(0.0), x, detail::bcast<V>(alpha) * math::expm1(x));
    }
}
template <class Tier>
template <class V>
inline V ELU<Tier>::antiderivative(const V& x) const noexcept {
    const V pos = detail::constant<V>(0.5) * x * x;
    return simd::select(x > detail::constant<V>(0.0), pos, detail::bcast<V>(alpha) * (math::expm1(x) - x));
}
template <class Tier>
template <class V>
inline V ELU<Tier>::antiderivative2(const V& x) const noexcept {
    const V half_sq = detail::constant<V>(0.5) * x * x;
    const V pos = detail::constant<V>(1.0 / 3.0) * half_sq * x;
    return simd::select(x > detail::constant<V>(0.0), pos, detail::bcast<V>(alpha) * ((math::expm1(x) - x) - half_sq));
}

template <class Tier>
template <class V>
inline V CELU<Tier>::operator()(const V& x) const noexcept {
    const V a = detail::bcast<V>(alpha);
    if constexpr (detail::is_fast_v<Tier>) {
        const V inv = detail::bcast<V>(1.0f / alpha);
        return simd::select(x > detail::constant<V>(0.0), x, a * (detail::exp_fast(x * inv) - detail::constant<V>(1.0)));
    } else {
        return simd::select(x > detail::constant<V>(0.0), x, a * math::expm1(x / a));
    }
}

template <class Tier>
template <class V>
inline V SELU<Tier>::operator()(const V& x) const noexcept {
    const V scale = detail::constant<V>(1.0507009873554804934193349852946);
    const V scale_alpha = detail::constant<V>(1.0507009873554804934193349852946 * 1.6732632423543772848170429916717);
    if constexpr (detail::is_fast_v<Tier>) {
        return simd::select(x > detail::constant<V>(0.0), scale * x,
                            simd::fma(scale_alpha, detail::exp_fast(x), -scale_alpha));
    } else {
        return simd::select(x > detail::constant<V>(0.0), scale * x, scale_alpha * math::expm1(x));
    }
}

template <class Tier>
template <class V>
inline V CELU<Tier>::antiderivative(const V& x) const noexcept {
    const V a = detail::bcast<V>(alpha);
    const V neg = a * simd::fma(a, math::expm1(x / a), -x);
    return simd::select(x > detail::constant<V>(0.0), detail::constant<V>(0.5) * x * x, neg);
}
template <class Tier>
template <class V>
inline V CELU<Tier>::antiderivative2(const V& x) const noexcept {
    const V a = detail::bcast<V>(alpha);
    const V u = x / a;
    const V half_sq = detail::constant<V>(0.5) * x * x;
    const V neg = a * a * a * (math::expm1(u) - u) - a * half_sq;
    return simd::select(x > detail::constant<V>(0.0), detail::constant<V>(1.0 / 3.0) * half_sq * x, neg);
}

template <class Tier>
template <class V>
inline V SELU<Tier>::antiderivative(const V& x) const noexcept {
    const V scale = detail::constant<V>(1.0507009873554804934193349852946);
    const V scale_alpha = detail::constant<V>(1.0507009873554804934193349852946 * 1.6732632423543772848170429916717);
    return simd::select(x > detail::constant<V>(0.0), scale * (detail::constant<V>(0.5) * x * x),
                        scale_alpha * (math::expm1(x) - x));
}
template <class Tier>
template <class V>
inline V SELU<Tier>::antiderivative2(const V& x) const noexcept {
    const V scale = detail::constant<V>(1.0507009873554804934193349852946);
    const V scale_alpha = detail::constant<V>(1.0507009873554804934193349852946 * 1.6732632423543772848170429916717);
    const V half_sq = detail::constant<V>(0.5) * x * x;
    return simd::select(x > detail::constant<V>(0.0), scale * (detail::constant<V>(1.0 / 3.0) * half_sq * x),
                        scale_alpha * ((math::expm1(x) - x) - half_sq));
}

template <class Tier>
template <class V>
inline V GELU<Tier>::operator()(const V& x) const noexcept {
    if constexpr (detail::is_fast_v<Tier>) {
        const V xc = simd::max(x, detail::constant<V>(-1e5));  // −inf·0 would be NaN; NaN → −1e5
        const V h = detail::normal_cdf_neg_abs_fast(xc);
        // x·(1 − h) as one explicit fma, so scalar and SIMD round alike whatever the compiler contracts.
        return simd::select(xc < detail::constant<V>(0.0), xc * h, simd::fma(-xc, h, xc));
    } else {
        V n;
        const V hm = detail::constant<V>(0.5) * detail::erfc_scaled_r(x) * detail::exp_neg_square_parts(x, 0.5, n);
        const V h = detail::scale_pow2(hm, n);
        // Negative side: x·h with the power of two applied last (h may be subnormal where x·h is not).
        const V xc = simd::max(detail::constant<V>(-1e5), x);
        return simd::select(x < detail::constant<V>(0.0), detail::scale_pow2(xc * hm, n), x * (detail::constant<V>(1.0) - h));
    }
}

template <class Tier>
template <class V>
inline V GELUTanh<Tier>::operator()(const V& x) const noexcept {
    const V xc = simd::max(detail::constant<V>(-200.0), x);  // σ(…) is 0 below; keeps −inf·0 from being NaN
    const V u = xc * simd::fma(detail::constant<V>(0.044715) * xc, xc, detail::constant<V>(1.0));
    return xc * detail::sigmoid_tier<Tier>(detail::constant<V>(2.0 * 0.79788456080286535588) * u);
}

template <class Tier>
template <class V>
inline V Mish<Tier>::operator()(const V& x) const noexcept {
    const V two = detail::constant<V>(2.0);
    if constexpr (detail::is_fast_v<Tier>) {
        // Below −87, x·n/(n + 2) < 1e-36: evaluated at −87 (NaN → −87 too); above 20 the ratio is 1.
        const V xc = simd::max(x, detail::constant<V>(-87.0));
        const V e = detail::exp_fast(simd::min(xc, detail::constant<V>(20.0)));
        const V n = e * (e + two);
        return xc * (n / (n + two));
    } else {
        constexpr bool dbl = detail::is_double_v<V>;
        const V xc = simd::max(detail::constant<V>(dbl ? -800.0 : -200.0), x);
        V k;
        const V m = detail::exp_parts(simd::min(detail::constant<V>(dbl ? 40.0 : 20.0), xc), k);  // ratio is 1 beyond
        const V e = detail::scale_pow2(m, k);
        const V n = e * (e + two);
        // x·n/(n + 2); for x < 0 with x·m·(e + 2) scaled last, so a subnormal e^x does not cost the (normal)
        // result its precision.
        const V neg = detail::scale_pow2(xc * m * (e + two), k) / (n + two);
        return simd::select(xc < detail::constant<V>(0.0), neg, xc * (n / (n + two)));
    }
}

template <class Tier>
template <class V>
inline V Softplus<Tier>::operator()(const V& x) const noexcept {
    const V bx = detail::bcast<V>(beta) * x;
    V sp;
    if constexpr (detail::is_fast_v<Tier>) {
        sp = simd::max(bx, detail::constant<V>(0.0)) + detail::softplus_neg_abs_fast(bx);
    } else {
        sp = detail::softplus(bx);
    }
    return simd::select(bx > detail::bcast<V>(threshold), x, sp / detail::bcast<V>(beta));
}

template <class Tier>
template <class V>
inline V LogSigmoid<Tier>::operator()(const V& x) const noexcept {
    if constexpr (detail::is_fast_v<Tier>) {
        return simd::min(x, detail::constant<V>(0.0)) - detail::softplus_neg_abs_fast(x);
    } else {
        return detail::negative_part(x) - math::log1p(math::exp(-simd::abs(x)));
    }
}

template <class Tier>
template <class V>
inline V Tanhshrink<Tier>::operator()(const V& x) const noexcept {
    const V z = x * x;
    V small;
    if constexpr (detail::is_double_v<V>) {
        constexpr double c[] = {0.333333333333333331176,   -0.133333333333331653069,   0.0539682539680369334482,
                                -0.0218694885251520942344, 0.00886323524097466974911, -0.00359212354567020894152,
                                0.00145578993937992079446, -0.000589735962275764522626, 0.000237840750533441706523,
                                -0.00009308573387290733603, 0.0000317981482017224951208, -0.00000678374807732222487061};
        small = x * z * detail::horner(z, c);
    } else {
        constexpr double c[] = {0.333333332142720308368,  -0.133333101163937151973,  0.0539608544320474614923,
                                -0.0217822466882000403128, 0.00838877367178478188397, -0.00234493122117602419469};
        small = x * z * detail::horner(z, c);
    }
    return simd::select(simd::abs(x) < detail::constant<V>(0.6), small, x - detail::tanh_tier<Tier>(x));
}

template <class Tier>
template <class V>
inline V Gaussian<Tier>::operator()(const V& x) const noexcept {
    if constexpr (detail::is_fast_v<Tier>) {
        return detail::exp_fast(-(x * x));  // the rounding of x² moves e^(−x²) by ≤ x²e^(−x²)·2^-24 < 2.2e-8
    } else {
        return detail::exp_neg_square(x, 1.0);
    }
}

template <class Tier>
template <class V>
inline V ReLUSquaredDip<Tier>::operator()(const V& x) const noexcept {
    // x·σ(βx) = (βx·σ(βx))/β, so the tail keeps its precision (sigmoid.hpp's x_sigmoid_exact).
    const V b = detail::bcast<V>(beta);
    if constexpr (detail::is_fast_v<Tier>) {
        const V bxc = simd::max(b * x, detail::constant<V>(-87.0));  // NaN → −87
        const V e = detail::exp_fast(bxc);
        return simd::select(x >= detail::constant<V>(0.0), x * x, (bxc * e / (detail::constant<V>(1.0) + e)) / b);
    } else {
        const V xc = simd::max(detail::constant<V>(detail::is_double_v<V> ? -800.0 : -200.0), b * x);
        return simd::select(x >= detail::constant<V>(0.0), x * x, detail::x_sigmoid_exact(xc) / b);
    }
}

}  // namespace nofold::math
