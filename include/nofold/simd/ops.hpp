// nofold::simd — the handful of operations kernels need, for `float`, `double` and xsimd batches.
//
// Kernels in nofold are templates over a value type V. Arithmetic and comparisons use the ordinary
// operators; everything else goes through these shims so one kernel serves scalars and batches.
// Differences between xsimd versions (8.1 on Debian 12 through 14) are absorbed here and nowhere
// else: `hadd` became `reduce_add`, `bool_cast` became `batch_bool_cast`, and `bitwise_cast` changed
// its template argument from the target batch to the target element type.
//
// Semantics shared by every V: min/max return the second argument when the comparison is
// unordered (NaN), like x86 minps; select(mask, a, b) picks a where mask is true.
// Allocates: never. RT-safe: all.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "arch.hpp"

namespace nofold::simd {

// ---------------------------------------------------------------------------------------------
// Traits: element type, lane count and the integer batch of the same width.
// ---------------------------------------------------------------------------------------------
template <class V>
struct traits;

template <>
struct traits<float> {
    using scalar = float;
    using integer = std::int32_t;
    using mask = bool;
    static constexpr int lanes = 1;
};

template <>
struct traits<double> {
    using scalar = double;
    using integer = std::int64_t;
    using mask = bool;
    static constexpr int lanes = 1;
};

#ifndef NOFOLD_NO_SIMD
template <class T, class A>
struct traits<xsimd::batch<T, A>> {
    using scalar = T;
    using integer = xsimd::batch<std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>, A>;
    using mask = xsimd::batch_bool<T, A>;
    static constexpr int lanes = static_cast<int>(xsimd::batch<T, A>::size);
};
#endif

/// Element type of V (float for a float batch).
template <class V>
using scalar_t = typename traits<V>::scalar;
/// Integer vector with the same lane count and lane width as V.
template <class V>
using integer_t = typename traits<V>::integer;
/// Result type of a comparison between two V.
template <class V>
using mask_t = typename traits<V>::mask;
/// Number of lanes in V (1 for scalars).
template <class V>
inline constexpr int lanes = traits<V>::lanes;

/// True for xsimd batches, false for plain float/double.
template <class V>
inline constexpr bool is_batch = !std::is_arithmetic_v<V>;

// ---------------------------------------------------------------------------------------------
// Scalar implementations.
// ---------------------------------------------------------------------------------------------
template <class V>
inline V broadcast(scalar_t<V> x) noexcept {
    return V(x);
}

template <class V, std::enable_if_t<std::is_floating_point_v<V>, int> = 0>
inline V load(const V* p) noexcept {
    return *p;
}
template <class V, std::enable_if_t<std::is_floating_point_v<V>, int> = 0>
inline V load_aligned(const V* p) noexcept {
    return *p;
}
inline void store(float* p, float v) noexcept { *p = v; }
inline void store(double* p, double v) noexcept { *p = v; }
inline void store(std::int32_t* p, std::int32_t v) noexcept { *p = v; }
inline void store(std::int64_t* p, std::int64_t v) noexcept { *p = v; }
inline void store_aligned(float* p, float v) noexcept { *p = v; }
inline void store_aligned(double* p, double v) noexcept { *p = v; }

// Fused where the batches are (see simd::fused_multiply_add), so a scalar tail rounds like a lane.
inline float fma(float a, float b, float c) noexcept {
    if constexpr (fused_multiply_add) return std::fma(a, b, c);
    else return a * b + c;
}
inline double fma(double a, double b, double c) noexcept {
    if constexpr (fused_multiply_add) return std::fma(a, b, c);
    else return a * b + c;
}
inline float min(float a, float b) noexcept { return a < b ? a : b; }
inline double min(double a, double b) noexcept { return a < b ? a : b; }
inline float max(float a, float b) noexcept { return a > b ? a : b; }
inline double max(double a, double b) noexcept { return a > b ? a : b; }
inline float abs(float a) noexcept { return std::fabs(a); }
inline double abs(double a) noexcept { return std::fabs(a); }
inline float sqrt(float a) noexcept { return std::sqrt(a); }
inline double sqrt(double a) noexcept { return std::sqrt(a); }
inline float floor(float a) noexcept { return std::floor(a); }
inline double floor(double a) noexcept { return std::floor(a); }
/// Round to nearest, ties to even (the default floating-point rounding mode).
inline float round_even(float a) noexcept { return std::nearbyint(a); }
inline double round_even(double a) noexcept { return std::nearbyint(a); }
inline float select(bool m, float a, float b) noexcept { return m ? a : b; }
inline double select(bool m, double a, double b) noexcept { return m ? a : b; }
inline float reduce_add(float v) noexcept { return v; }
inline double reduce_add(double v) noexcept { return v; }

inline std::int32_t bit_cast_to_integer(float v) noexcept {
    std::int32_t r;
    std::memcpy(&r, &v, sizeof r);
    return r;
}
inline std::int64_t bit_cast_to_integer(double v) noexcept {
    std::int64_t r;
    std::memcpy(&r, &v, sizeof r);
    return r;
}
inline float bit_cast_to_float(std::int32_t v) noexcept {
    float r;
    std::memcpy(&r, &v, sizeof r);
    return r;
}
inline double bit_cast_to_float(std::int64_t v) noexcept {
    double r;
    std::memcpy(&r, &v, sizeof r);
    return r;
}
/// Truncating conversion to the integer vector (caller keeps values in range).
inline std::int32_t convert_to_integer(float v) noexcept { return static_cast<std::int32_t>(v); }
inline std::int64_t convert_to_integer(double v) noexcept { return static_cast<std::int64_t>(v); }
inline float convert_to_float(std::int32_t v) noexcept { return static_cast<float>(v); }
inline double convert_to_float(std::int64_t v) noexcept { return static_cast<double>(v); }

// ---------------------------------------------------------------------------------------------
// Batch implementations.
// ---------------------------------------------------------------------------------------------
#ifndef NOFOLD_NO_SIMD
template <class V, std::enable_if_t<!std::is_arithmetic_v<V>, int> = 0>
inline V load(const scalar_t<V>* p) noexcept {
    return V::load_unaligned(p);
}
template <class V, std::enable_if_t<!std::is_arithmetic_v<V>, int> = 0>
inline V load_aligned(const scalar_t<V>* p) noexcept {
    return V::load_aligned(p);
}
template <class T, class A>
inline void store(T* p, const xsimd::batch<T, A>& v) noexcept {
    v.store_unaligned(p);
}
template <class T, class A>
inline void store_aligned(T* p, const xsimd::batch<T, A>& v) noexcept {
    v.store_aligned(p);
}

/// Fused a·b + c (one rounding) wherever the hardware has it. xsimd 8.1 computes a·b + c unfused on
/// AVX-512, so the instruction is used directly there.
template <class T, class A>
inline xsimd::batch<T, A> fma(const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b,
                              const xsimd::batch<T, A>& c) noexcept {
#if XSIMD_WITH_AVX512F
    if constexpr (std::is_base_of_v<xsimd::avx512f, A> && std::is_same_v<T, float>) {
        return xsimd::batch<T, A>(_mm512_fmadd_ps(a, b, c));
    } else if constexpr (std::is_base_of_v<xsimd::avx512f, A> && std::is_same_v<T, double>) {
        return xsimd::batch<T, A>(_mm512_fmadd_pd(a, b, c));
    }
#endif
    return xsimd::fma(a, b, c);
}
namespace detail {
/// x86's minps/maxps return the second operand when the comparison is false or unordered: exactly the
/// select below, in one instruction instead of a compare and a blend.
#if XSIMD_WITH_SSE2
inline constexpr bool x86_minmax = true;
#else
inline constexpr bool x86_minmax = false;
#endif
}  // namespace detail
template <class T, class A>
inline xsimd::batch<T, A> min(const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b) noexcept {
    if constexpr (detail::x86_minmax && std::is_floating_point_v<T>) {
        return xsimd::min(a, b);
    } else {
        return xsimd::select(a < b, a, b);
    }
}
template <class T, class A>
inline xsimd::batch<T, A> max(const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b) noexcept {
    if constexpr (detail::x86_minmax && std::is_floating_point_v<T>) {
        return xsimd::max(a, b);
    } else {
        return xsimd::select(a > b, a, b);
    }
}
template <class T, class A>
inline xsimd::batch<T, A> abs(const xsimd::batch<T, A>& a) noexcept {
    return xsimd::abs(a);
}
/// Correctly rounded on every architecture (arch.hpp mends xsimd 8's estimate on 64-bit ARM).
template <class T, class A>
inline xsimd::batch<T, A> sqrt(const xsimd::batch<T, A>& a) noexcept {
    return xsimd::sqrt(a);
}
template <class T, class A>
inline xsimd::batch<T, A> floor(const xsimd::batch<T, A>& a) noexcept {
    return xsimd::floor(a);
}
template <class T, class A>
inline xsimd::batch<T, A> round_even(const xsimd::batch<T, A>& a) noexcept {
    return xsimd::nearbyint(a);
}
template <class T, class A>
inline xsimd::batch<T, A> select(const xsimd::batch_bool<T, A>& m, const xsimd::batch<T, A>& a,
                                 const xsimd::batch<T, A>& b) noexcept {
    return xsimd::select(m, a, b);
}
template <class T, class A>
inline T reduce_add(const xsimd::batch<T, A>& v) noexcept {
#if XSIMD_VERSION_MAJOR >= 9
    return xsimd::reduce_add(v);
#else
    return xsimd::hadd(v);
#endif
}

namespace detail {
// xsimd <= 8 spells bitwise_cast<TargetBatch>(x); newer versions spell bitwise_cast<TargetElement>(x).
// The return type of the new spelling tells which one this xsimd has, without naming a version.
template <class To, class From>
inline To bitwise(const From& x) noexcept {
    using element = typename To::value_type;
    if constexpr (std::is_same_v<decltype(xsimd::bitwise_cast<element>(x)), To>) {
        return xsimd::bitwise_cast<element>(x);
    } else {
        return xsimd::bitwise_cast<To>(x);
    }
}
}  // namespace detail

template <class T, class A>
inline integer_t<xsimd::batch<T, A>> bit_cast_to_integer(const xsimd::batch<T, A>& v) noexcept {
    return detail::bitwise<integer_t<xsimd::batch<T, A>>>(v);
}
template <class I, class A, std::enable_if_t<std::is_integral_v<I>, int> = 0>
inline auto bit_cast_to_float(const xsimd::batch<I, A>& v) noexcept {
    using F = xsimd::batch<std::conditional_t<sizeof(I) == 4, float, double>, A>;
    return detail::bitwise<F>(v);
}
template <class T, class A>
inline integer_t<xsimd::batch<T, A>> convert_to_integer(const xsimd::batch<T, A>& v) noexcept {
    return xsimd::to_int(v);
}
template <class I, class A, std::enable_if_t<std::is_integral_v<I>, int> = 0>
inline auto convert_to_float(const xsimd::batch<I, A>& v) noexcept {
    return xsimd::to_float(v);
}

/// Mask of the float lanes whose integer lanes satisfy a comparison (bool_cast in xsimd <= 8).
template <class I, class A>
inline auto mask_to_float(const xsimd::batch_bool<I, A>& m) noexcept {
#if XSIMD_VERSION_MAJOR >= 9
    return xsimd::batch_bool_cast<std::conditional_t<sizeof(I) == 4, float, double>>(m);
#else
    return xsimd::bool_cast(m);
#endif
}
#endif

inline bool mask_to_float(bool m) noexcept { return m; }

// ---------------------------------------------------------------------------------------------
// A barrier against floating-point contraction.
// ---------------------------------------------------------------------------------------------
/// v unchanged, but opaque to the optimiser: a product passed through it is never fused with a later
/// addition into a multiply-add, whatever -ffp-contract the user's build has. For formulas that must
/// round like another program built without contraction (NAM-compatible kernels). Costs no instruction
/// on GCC/Clang for x86 and ARM (an empty asm statement with the value as a register operand); elsewhere
/// scalars take a volatile copy.
template <class V>
inline V no_contract(V v) noexcept {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__SSE2__))
    if constexpr (is_batch<V>) {
        typename V::register_type r = v;
        __asm__("" : "+x"(r));
        return V(r);
    } else {
        __asm__("" : "+x"(v));
        return v;
    }
#elif defined(__GNUC__) && (defined(__aarch64__) || defined(__ARM_NEON))
    if constexpr (is_batch<V>) {
        typename V::register_type r = v;
        __asm__("" : "+w"(r));
        return V(r);
    } else {
        __asm__("" : "+w"(v));
        return v;
    }
#else
    if constexpr (is_batch<V>) {
        return v;  // other compilers do not contract intrinsics on their own
    } else {
        volatile V t = v;
        return t;
    }
#endif
}

// ---------------------------------------------------------------------------------------------
// Derived operations, written once for every V. Calls are qualified (simd::) because xsimd
// declares functions of the same names that argument-dependent lookup would also find; kernels
// elsewhere in nofold must qualify them the same way.
// ---------------------------------------------------------------------------------------------

/// 1/sqrt(x), full precision (xsimd 8.1's AVX-512 rsqrt does not compile, and estimates are not
/// accurate enough for nofold's exact tier anyway).
template <class V>
inline V rsqrt(const V& x) noexcept {
    return V(1) / simd::sqrt(x);
}

/// Clamp to [lo, hi]; NaN becomes lo (max(NaN, lo) returns lo by the ordering of simd::max).
template <class V>
inline V clamp(const V& x, scalar_t<V> lo, scalar_t<V> hi) noexcept {
    return simd::min(simd::max(x, simd::broadcast<V>(lo)), simd::broadcast<V>(hi));
}

/// True where x is neither NaN nor ±inf.
template <class V>
inline mask_t<V> is_finite(const V& x) noexcept {
    return simd::abs(x) <= simd::broadcast<V>(std::numeric_limits<scalar_t<V>>::max());
}

/// x where finite, 0 elsewhere.
template <class V>
inline V zero_if_not_finite(const V& x) noexcept {
    return simd::select(is_finite(x), x, simd::broadcast<V>(0));
}

/// Largest magnitude a sample may carry into any nofold state: 2^64 (about +385 dBFS). Far above
/// any audio, far enough below float's 2^128 that no filter or model sum can overflow on the way.
inline constexpr float max_signal = 18446744073709551616.0f;

/// nofold's sample rule, applied by every stateful stage to what it receives before it reaches
/// state (delay lines, filter and recurrent state, crossfade, DC blocker): NaN and ±inf become 0,
/// finite values are clamped to ±max_signal. Finite audio passes bit for bit, so one bad sample
/// affects the output for at most the stage's memory and never silences the rest of a stream.
template <class V>
inline V sanitize(const V& x) noexcept {
    return simd::select(is_finite(x), simd::clamp(x, -max_signal, max_signal), simd::broadcast<V>(0));
}

}  // namespace nofold::simd
