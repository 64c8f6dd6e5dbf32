// nofold — configuration: version, switches, real-time annotation, alignment.
//
// This is the only header of nofold that defines macros for users. Every switch carries the
// NOFOLD_ prefix and is documented here; everything else in the library is a type or a function.
//
// Switches a user may define before including any nofold header (or on the command line):
//   NOFOLD_NO_SIMD          build every kernel on plain `float` (one lane); also chosen automatically
//                           when xsimd is missing or the target has no SIMD unit xsimd supports
//                           (e.g. Cortex-M).
//   NOFOLD_SIMD_MAX_BITS    cap the batch width in bits (128, 256 or 512). Without it the widest
//                           instruction set enabled by the compiler flags is used.
//   NOFOLD_NO_EXCEPTIONS    never throw; detected automatically under -fno-exceptions. Loaders are
//                           not available then (firmware uses generated headers instead).
//   NOFOLD_ASSERT(cond)     precondition check used on non-real-time paths; defaults to assert().
//   NOFOLD_ISA_DISPATCH, NOFOLD_ISA_HAVE_SSE41 / _AVX2 / _AVX512 (=1)
//                           run-time instruction-set dispatch of io::load / io::build (isa/dispatch.hpp);
//                           set by the build helpers, identically for every translation unit of a program.
//                           NOFOLD_ISA_NAME is only for a backend translation unit (isa_backend.hpp).
// Defined for the library's own use: NOFOLD_REALTIME, NOFOLD_UNROLL(n) (see below).
#pragma once

#include <cassert>
#include <cstddef>

#if !defined(__cplusplus) || (__cplusplus < 201703L && !(defined(_MSVC_LANG) && _MSVC_LANG >= 201703L))
#error "nofold needs C++17 or newer (compile with -std=c++17)."
#endif

#define NOFOLD_VERSION_MAJOR 0
#define NOFOLD_VERSION_MINOR 1
#define NOFOLD_VERSION_PATCH 0
#define NOFOLD_VERSION_STRING "0.1.0"
/// Single integer for comparisons: major * 10000 + minor * 100 + patch.
#define NOFOLD_VERSION (NOFOLD_VERSION_MAJOR * 10000 + NOFOLD_VERSION_MINOR * 100 + NOFOLD_VERSION_PATCH)

// Marks functions that are safe to call from a real-time audio thread: they never allocate, lock,
// throw or do I/O. Where the compiler can check this (clang's function-effect analysis, used by
// RealtimeSanitizer), the marker becomes the checked attribute; elsewhere it documents the contract
// and is verified by nofold's allocation-counting tests.
#if defined(__has_cpp_attribute)
#if __has_cpp_attribute(clang::nonblocking)
#define NOFOLD_REALTIME [[clang::nonblocking]]
#endif
#endif
#ifndef NOFOLD_REALTIME
#define NOFOLD_REALTIME
#endif

// NOFOLD_ALWAYS_INLINE on the register-tiled product machinery (nn/detail/tap_conv.hpp): its tiles
// must inline into the one layer function that instantiates them, whatever else the translation unit
// holds (with both WaveNet engines in one unit GCC otherwise kept tiles out of line, and small layers
// paid for the calls: nano 10 % slower). Forcing whole layers or flattening them instead cost the
// same speed and 10-15 s more compile time per unit that builds both engines. MSVC: __forceinline.
#if defined(__GNUC__) || defined(__clang__)
#define NOFOLD_ALWAYS_INLINE __attribute__((always_inline)) inline
#elif defined(_MSC_VER)
#define NOFOLD_ALWAYS_INLINE __forceinline
#else
#define NOFOLD_ALWAYS_INLINE inline
#endif

// Scalar fallback when xsimd is not available or the target has no SIMD unit it supports
// (Cortex-M, 32-bit x86 without SSE2, ...). Decided here so that every header agrees.
#if !defined(NOFOLD_NO_SIMD)
#if defined(__has_include)
#if !__has_include(<xsimd/xsimd.hpp>)
#define NOFOLD_NO_SIMD
#endif
#endif
#endif
#if !defined(NOFOLD_NO_SIMD) && !(defined(__SSE2__) || defined(_M_X64) || defined(__ARM_NEON) || defined(__aarch64__))
#define NOFOLD_NO_SIMD
#endif
#ifndef NOFOLD_SIMD_MAX_BITS
#define NOFOLD_SIMD_MAX_BITS 512
#endif

// NOFOLD_UNROLL(n) placed before a loop asks the compiler to unroll it n times (the register-tiled
// kernels need it so their accumulators stay in registers at -O2 as well as -O3). One spelling in the
// library, mapped to each compiler's own: clang (Apple Clang and icx too) `#pragma unroll n`, GCC
// `#pragma GCC unroll n`; MSVC has no loop-unroll pragma, so there it expands to nothing (and no
// unknown-pragma warning is raised).
#define NOFOLD_PRAGMA(text) _Pragma(#text)
#if defined(__clang__)
#define NOFOLD_UNROLL(n) NOFOLD_PRAGMA(unroll n)
#elif defined(__GNUC__)
#define NOFOLD_UNROLL(n) NOFOLD_PRAGMA(GCC unroll n)
#else
#define NOFOLD_UNROLL(n)
#endif

// POSIX file calls (open with O_EXCL, fsync, fchmod) for io::AtomicFile's durability; 0 where the
// headers are missing (the C++17 fallback then covers crashes and kills, not power cuts).
#if defined(__has_include)
#if __has_include(<unistd.h>) && __has_include(<fcntl.h>) && __has_include(<sys/stat.h>)
#define NOFOLD_POSIX_FILES 1
#endif
#endif
#ifndef NOFOLD_POSIX_FILES
#define NOFOLD_POSIX_FILES 0
#endif

#if !defined(NOFOLD_NO_EXCEPTIONS) && !defined(__cpp_exceptions) && !defined(__EXCEPTIONS)
#define NOFOLD_NO_EXCEPTIONS
#endif

#ifndef NOFOLD_ASSERT
#define NOFOLD_ASSERT(cond) assert(cond)
#endif

#ifndef NOFOLD_NO_EXCEPTIONS
#include <stdexcept>
#endif

namespace nofold {

/// Library version as compiled in (same values as the NOFOLD_VERSION_* macros).
struct Version {
    int major;
    int minor;
    int patch;
};
inline constexpr Version version{NOFOLD_VERSION_MAJOR, NOFOLD_VERSION_MINOR, NOFOLD_VERSION_PATCH};
inline constexpr const char* version_string = NOFOLD_VERSION_STRING;

/// Alignment in bytes of every buffer nofold owns: one cache line, which is also the widest
/// SIMD register (AVX-512), so aligned loads are always legal.
inline constexpr std::size_t alignment = 64;

/// Internal processing chunk in frames. Models split host blocks of any length into chunks of
/// at most this many frames, so the cost per sample does not depend on the host block size.
inline constexpr int chunk_frames = 64;

namespace detail {
/// Reports bad construction arguments: throws std::invalid_argument(message), or under
/// NOFOLD_NO_EXCEPTIONS returns, and the caller falls back to the defined state its documentation
/// names (so such headers stay usable in firmware).
inline void raise_invalid_argument(const char* message) {
#ifndef NOFOLD_NO_EXCEPTIONS
    throw std::invalid_argument(message);
#else
    (void)message;
#endif
}
}  // namespace detail

}  // namespace nofold
