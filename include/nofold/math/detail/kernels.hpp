// nofold::math::detail — building blocks shared by the activation kernels: constants of the right
// precision, Horner evaluation with fused multiply-adds, powers of two from bit patterns, sign transfer.
//
// Every function is a template over V (float, double, or a batch of either). The only branch on V is
// `if constexpr (simd::is_batch<V>)` where scalars must use unsigned integers to stay free of undefined
// behaviour (shifts of negative values, conversions of NaN) that SIMD instructions do not have.
// Allocates: never. RT-safe: all.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "../../simd/ops.hpp"

namespace nofold::math::detail {

template <class V>
using scalar_of = simd::scalar_t<V>;

/// True when V holds doubles (scalar or batch).
template <class V>
inline constexpr bool is_double_v = std::is_same_v<scalar_of<V>, double>;

/// A constant of V's precision, broadcast to every lane.
template <class V>
inline V constant(double c) noexcept {
    return simd::broadcast<V>(static_cast<scalar_of<V>>(c));
}

/// c[0] + c[1]·x + … + c[N−1]·x^(N−1), Horner's scheme with one fused multiply-add per coefficient.
template <class V, std::size_t N>
inline V horner(const V& x, const double (&c)[N]) noexcept {
    static_assert(N >= 1, "horner needs at least one coefficient");
    V r = constant<V>(c[N - 1]);
    // fully unrolled, so the coefficients fold into constants: left rolled at -O2, GCC 12 for Cortex-M7
    // copied the array to the stack and converted each double at run time (fast tanh 67 -> 24 instructions)
NOFOLD_UNROLL(32)
    for (std::size_t k = 2; k <= N; ++k) r = simd::fma(r, x, constant<V>(c[N - k]));
    return r;
}

/// Bit layout of the IEEE binary formats.
template <class S>
struct float_format;
template <>
struct float_format<float> {
    using uint = std::uint32_t;
    static constexpr int mantissa_bits = 23;
    static constexpr int bias = 127;
    static constexpr double round_magic = 12582912.0;  // 1.5·2^23: x + magic rounds x to an integer
};
template <>
struct float_format<double> {
    using uint = std::uint64_t;
    static constexpr int mantissa_bits = 52;
    static constexpr int bias = 1023;
    static constexpr double round_magic = 6755399441055744.0;  // 1.5·2^52
};

/// The "round to integer" constant: for |x| < 2^22 (float) the sum x + magic holds round(x) in its low
/// mantissa bits, and (x + magic) − magic is round(x), ties to even.
template <class V>
inline V round_magic() noexcept {
    return constant<V>(float_format<scalar_of<V>>::round_magic);
}

/// 2^n from k = n + round_magic(), n an integer with 1 − bias ≤ n ≤ bias (a normal power of two).
/// Outside that range (or for NaN k) the result is some finite or non-finite value, never UB.
template <class V>
inline V pow2_from_shifted(const V& k) noexcept {
    using S = scalar_of<V>;
    using F = float_format<S>;
    if constexpr (simd::is_batch<V>) {
        using I = simd::integer_t<V>;
        using IS = typename I::value_type;
        const I bits = (simd::bit_cast_to_integer(k) << F::mantissa_bits) +
                       I(static_cast<IS>(static_cast<IS>(F::bias) << F::mantissa_bits));
        return simd::bit_cast_to_float(bits);
    } else {
        typename F::uint u;
        std::memcpy(&u, &k, sizeof u);
        u = (u << F::mantissa_bits) + (static_cast<typename F::uint>(F::bias) << F::mantissa_bits);
        S r;
        std::memcpy(&r, &u, sizeof r);
        return r;
    }
}

/// 2^n for an integer-valued n with 1 − bias ≤ n ≤ bias.
template <class V>
inline V pow2i(const V& n) noexcept {
    return pow2_from_shifted(n + round_magic<V>());
}

/// floor(n/2) for an integer-valued n, |n| < 2^21 (float): n/2 − 1/4 is exact and never a tie, so
/// rounding it gives the floor. (Avoids simd::floor, whose AVX-512 intrinsic trips GCC 12's
/// -Wmaybe-uninitialized.)
template <class V>
inline V half_floor(const V& n) noexcept {
    return (simd::fma(n, constant<V>(0.5), constant<V>(-0.25)) + round_magic<V>()) - round_magic<V>();
}

/// True where the integer-valued k (|k| < 2^22 for float) is odd.
template <class V>
inline simd::mask_t<V> is_odd(const V& k) noexcept {
    const V h = k * constant<V>(0.5);
    return (h + round_magic<V>()) - round_magic<V>() != h;
}

/// x·2^n for integer-valued n in [2 − 2·bias, 2·bias] (two exact scalings, one final rounding, so
/// results in the subnormal range are rounded once and overflow gives inf).
template <class V>
inline V scale_pow2(const V& x, const V& n) noexcept {
    const V h = half_floor(n);
    return x * pow2i(h) * pow2i(n - h);
}

/// |mag| carrying the sign of s (copysign for a non-negative or NaN mag).
template <class V>
inline V with_sign_of(const V& mag, const V& s) noexcept {
    if constexpr (simd::is_batch<V>) {
        return mag | (s & V(scalar_of<V>(-0.0)));
    } else {
        return std::copysign(mag, s);
    }
}

/// u = m·2^k with m in [√½, √2) for finite u > 0; returns m, stores k (integer-valued) in k_out.
template <class V>
inline V split_exponent(const V& u, V& k_out) noexcept {
    using S = scalar_of<V>;
    using F = float_format<S>;
    constexpr double sqrt_half = 0.70710678118654752440;
    if constexpr (simd::is_batch<V>) {
        using I = simd::integer_t<V>;
        const I bu = simd::bit_cast_to_integer(u);
        const I k = (bu - simd::bit_cast_to_integer(constant<V>(sqrt_half))) >> F::mantissa_bits;
        k_out = simd::convert_to_float(k);
        return simd::bit_cast_to_float(bu - (k << F::mantissa_bits));
    } else {
        using U = typename F::uint;
        using SI = std::make_signed_t<U>;
        const S ref = static_cast<S>(sqrt_half);
        U bu, br;
        std::memcpy(&bu, &u, sizeof bu);
        std::memcpy(&br, &ref, sizeof br);
        const U diff = bu - br;
        // Arithmetic shift of the two's-complement difference, written without signed overflow.
        const bool negative = (diff >> (sizeof(U) * 8 - 1)) != 0;
        const U shifted = negative ? ~((~diff) >> F::mantissa_bits) : diff >> F::mantissa_bits;
        SI k;
        std::memcpy(&k, &shifted, sizeof k);
        k_out = static_cast<S>(k);
        const U mb = bu - (shifted << F::mantissa_bits);
        S m;
        std::memcpy(&m, &mb, sizeof m);
        return m;
    }
}

/// Lane-wise "is NaN".
template <class V>
inline simd::mask_t<V> is_nan(const V& x) noexcept {
    return x != x;
}

}  // namespace nofold::math::detail
