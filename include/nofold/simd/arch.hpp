// nofold::simd — which SIMD instruction set the build uses, and the float batch type built on it.
//
// The choice is made at compile time from the compiler flags (there is no run-time dispatch): the
// widest xsimd architecture that the flags enable and that fits in NOFOLD_SIMD_MAX_BITS. With
// NOFOLD_NO_SIMD (or no supported SIMD unit) the "batch" is plain `float`, one lane, so every
// kernel written against the shims in ops.hpp still compiles and runs.
//
// xsimd 8.1 (Debian 12) cannot instantiate its AVX-512 `rsqrt`; nofold never calls it (ops.hpp
// builds rsqrt from sqrt), so AVX-512 batches are safe with every xsimd from 8.1 on.
//
// xsimd 8 on 64-bit ARM divides and takes square roots of float batches with the 32-bit NEON
// estimates (reciprocal estimate plus two Newton steps), which are off by an ULP or more, although
// AArch64 has correctly rounded vector instructions for both. Exact-tier error bounds and bit-exact
// NAM compatibility need IEEE results, so this header specialises those two kernels for neon64.
#pragma once

#include "../config.hpp"

#ifndef NOFOLD_NO_SIMD
#include <xsimd/xsimd.hpp>

#if XSIMD_WITH_NEON64 && XSIMD_VERSION_MAJOR == 8
// Must precede any float division or sqrt on neon64 batches in the translation unit (the usual rule
// for explicit specialisations); nofold's headers all reach xsimd through this one.
namespace xsimd::kernel {
template <>
inline batch<float, neon64> div<neon64>(batch<float, neon64> const& lhs, batch<float, neon64> const& rhs,
                                        requires_arch<neon>) noexcept {
    return vdivq_f32(lhs, rhs);
}
template <>
inline batch<float, neon64> sqrt<neon64>(batch<float, neon64> const& x, requires_arch<neon>) noexcept {
    return vsqrtq_f32(x);
}
}  // namespace xsimd::kernel
#endif
#endif

namespace nofold::simd {

#ifdef NOFOLD_NO_SIMD

/// Scalar build: one float per "batch".
using float_batch = float;
using double_batch = double;
inline constexpr const char* arch_name = "scalar";
inline constexpr bool enabled = false;

#else

namespace detail {
// Ordered from widest to narrowest; the first one the flags enable (within the cap) wins.
#if XSIMD_WITH_AVX512BW && NOFOLD_SIMD_MAX_BITS >= 512
using selected_arch = xsimd::avx512bw;
#elif XSIMD_WITH_AVX512F && NOFOLD_SIMD_MAX_BITS >= 512
using selected_arch = xsimd::avx512f;
#elif XSIMD_WITH_FMA3_AVX2 && NOFOLD_SIMD_MAX_BITS >= 256
using selected_arch = xsimd::fma3<xsimd::avx2>;
#elif XSIMD_WITH_AVX2 && NOFOLD_SIMD_MAX_BITS >= 256
using selected_arch = xsimd::avx2;
#elif XSIMD_WITH_FMA3_AVX && NOFOLD_SIMD_MAX_BITS >= 256
using selected_arch = xsimd::fma3<xsimd::avx>;
#elif XSIMD_WITH_AVX && NOFOLD_SIMD_MAX_BITS >= 256
using selected_arch = xsimd::avx;
#elif XSIMD_WITH_FMA3_SSE
using selected_arch = xsimd::fma3<xsimd::sse4_2>;
#elif XSIMD_WITH_SSE4_2
using selected_arch = xsimd::sse4_2;
#elif XSIMD_WITH_SSE4_1
using selected_arch = xsimd::sse4_1;
#elif XSIMD_WITH_SSE2
using selected_arch = xsimd::sse2;
#elif XSIMD_WITH_NEON64
using selected_arch = xsimd::neon64;
#elif XSIMD_WITH_NEON
using selected_arch = xsimd::neon;
#else
#error "nofold: xsimd reports no usable architecture; define NOFOLD_NO_SIMD"
#endif
}  // namespace detail

/// The xsimd architecture every nofold kernel is instantiated for.
using arch = detail::selected_arch;
/// Widest float batch of the build (8 lanes with -mavx2, 16 with AVX-512, 4 with NEON/SSE).
using float_batch = xsimd::batch<float, arch>;
/// Double batch on the same architecture (half the float lanes).
using double_batch = xsimd::batch<double, arch>;
inline constexpr const char* arch_name = arch::name();
inline constexpr bool enabled = true;

#endif

/// Whether simd::fma on float_batch is one fused multiply-add (one rounding). False on x86 without
/// FMA3 (plain SSE2/SSE4/AVX: the default `cmake` build without -m flags) and on 32-bit NEON, where
/// xsimd multiplies and adds; simd::fma on scalars then does the same, so scalar tails and batch
/// lanes give the same bits in every build (README "Bit-identity claims").
#if defined(NOFOLD_NO_SIMD) || defined(__FMA__) || defined(__aarch64__) || defined(__AVX512F__)
inline constexpr bool fused_multiply_add = true;
#else
inline constexpr bool fused_multiply_add = false;
#endif

}  // namespace nofold::simd
