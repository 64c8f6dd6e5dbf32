// nofold::math::detail — the kernels under the Fast tier of the exp-based activations (exponential.hpp):
// e^x with an explicit clamp and a shorter polynomial, log1p on [0, 1] as one polynomial, and Φ(−|x|)
// from Abramowitz & Stegun's erfc approximation. Each trades the Exact tier's ULP guarantee for a
// documented absolute error and no special-case handling (no subnormal results, no NaN propagation).
//
// Own fits (mpmath.chebyfit, 30 digits), max errors in exact arithmetic:
//   exp_fast:   e^r = 1 + r + r²·P(r), P degree 3, |r| ≤ ln2/2: relative error 4.1e-7. Input clamped to
//               [−87, 88] (normal results, NaN → e^−87); one power-of-two scaling.
//   log1p_unit: log1p(t) for t in [0, 1], degree 7: absolute error 2.6e-7.
//   Φ(−|x|) = ½·erfc(|x|/√2) with erfc(z) ≈ t·(a1 + t·(a2 + …a5))·e^(−z²), t = 1/(1 + p·z): Abramowitz &
//               Stegun, Handbook of Mathematical Functions (1964), 7.1.26: |error| ≤ 1.5e-7 in erfc.
// Units: none. Allocates: never. RT-safe: all.
#pragma once

#include "../exp_log.hpp"

namespace nofold::math::detail {

/// e^x, relative error ≤ 5e-7 (float) for x in [−87, 88]; x is clamped there first (NaN → e^−87).
template <class V>
inline V exp_fast(const V& x) noexcept {
    const V xc = simd::clamp(x, scalar_of<V>(-87.0), scalar_of<V>(88.0));
    const V k = simd::fma(xc, constant<V>(log2e), round_magic<V>());
    const V n = k - round_magic<V>();
    const V r = simd::fma(n, -ln2_lo<V>(), simd::fma(n, -ln2_hi<V>(), xc));
    constexpr double c[] = {0.49999748990027464444, 0.16666630825186784315, 0.041833804078406466838,
                            0.0083572001484456671076};
    const V p = simd::fma(r * r, detail::horner(r, c), r + constant<V>(1.0));
    return p * pow2_from_shifted(k);
}

/// log1p(t) for t in [0, 1], absolute error ≤ 3e-7 (float).
template <class V>
inline V log1p_unit(const V& t) noexcept {
    constexpr double c[] = {2.5546730194009347151e-7, 0.99996708094385639679, -0.49928504912247165278,
                            0.32722571497334921567,   -0.22316586411854530322, 0.13083342798307843091,
                            -0.05243753706690215885,  0.010009289617833659879};
    return detail::horner(t, c);
}

/// ln(1 + e^−|x|) = softplus(−|x|), absolute error ≤ 7e-7 (float); NaN → ≈ 0.
template <class V>
inline V softplus_neg_abs_fast(const V& x) noexcept {
    return log1p_unit(exp_fast(-simd::abs(x)));
}

/// Φ(−|x|) = ½·erfc(|x|/√2), absolute error ≤ 1e-7 (Abramowitz & Stegun 7.1.26 plus float rounding).
template <class V>
inline V normal_cdf_neg_abs_fast(const V& x) noexcept {
    const V z = simd::abs(x) * constant<V>(0.70710678118654752440);
    const V t = constant<V>(1.0) / simd::fma(z, constant<V>(0.3275911), constant<V>(1.0));
    constexpr double a[] = {0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429};
    return constant<V>(0.5) * t * detail::horner(t, a) * exp_fast(-(z * z));
}

}  // namespace nofold::math::detail
