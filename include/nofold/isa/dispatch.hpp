// nofold::isa — run-time choice of the instruction set models are built for (docs/isa-dispatch.md).
//
// nofold is header-only and its kernels are compiled for the flags of the translation unit that includes
// them. To ship one x86-64 binary that uses AVX2 or AVX-512 where the CPU has them, a program compiles
// nofold/isa_backend.hpp once per instruction set with that set's flags (the CMake function
// nofold_add_isa_dispatch and the Meson dependency nofold_isa_dispatch_dep do it) and defines
// NOFOLD_ISA_DISPATCH plus NOFOLD_ISA_HAVE_<SET>=1 for every translation unit. io::load / io::build then
// build every network through the best compiled backend the CPU supports, chosen once (on the first
// model) from CPUID; the rest of the program keeps its baseline flags. Without NOFOLD_ISA_DISPATCH
// (the default) selected() is nullptr and nothing here costs anything.
//
// This header is shared by the baseline and every backend translation unit, so it declares only types
// that do not depend on compiler flags (no SIMD types; simd/arch.hpp must not be included from here).
// Allocates: no. Real-time: selected() is, after the first call (which reads CPUID and NOFOLD_ISA).
#pragma once

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "../config.hpp"
#include "../model.hpp"
#include "../nn/model_config.hpp"
#include "../nn/options.hpp"

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <immintrin.h>
#include <intrin.h>
#endif

namespace nofold::isa {

/// Instruction-set levels, lowest first. `baseline` is whatever the program's own flags give (SSE2 for a
/// plain x86-64 build, NEON on 64-bit ARM, scalar without SIMD); the others exist only on x86-64.
enum class Level : int {
    baseline = 0,
    sse41 = 1,   ///< -msse4.1 (xsimd sse4_1, 4 float lanes, no FMA)
    avx2 = 2,    ///< -mavx2 -mfma (8 float lanes, fused multiply-add)
    avx512 = 3,  ///< -mavx512f -mavx512cd -mavx512dq -mavx512bw (16 float lanes)
};
inline constexpr int level_count = 4;

/// One compiled backend: what it was compiled as and its model factory.
struct Backend {
    Level level;
    const char* simd_arch;     ///< xsimd architecture name in that translation unit, e.g. "avx512bw"
    int float_lanes;
    bool fused_multiply_add;
    /// Builds one network (a .nam leaf): a static preset when `allow_static` and the shape matches one,
    /// else the runtime implementation. Null and `error` set when the weights do not fit. `reason` says why
    /// the implementation was chosen. Allocates; may throw std::bad_alloc.
    std::unique_ptr<Model> (*make_leaf)(const nn::NestedModel& net, const nn::Options& options, bool allow_static,
                                        std::string& reason, std::string& error);
};

/// "baseline", "sse41", "avx2" or "avx512".
inline const char* level_name(Level level) noexcept {
    switch (level) {
        case Level::sse41: return "sse41";
        case Level::avx2: return "avx2";
        case Level::avx512: return "avx512";
        case Level::baseline: break;
    }
    return "baseline";
}

/// Parses a level_name(); false (and `level` unchanged) for anything else.
inline bool parse_level(const char* text, Level& level) noexcept {
    for (int i = 0; i < level_count; ++i) {
        if (text && std::strcmp(text, level_name(static_cast<Level>(i))) == 0) {
            level = static_cast<Level>(i);
            return true;
        }
    }
    return false;
}

/// Whether this CPU (and the operating system, which must save the wide registers) can run `level`.
inline bool cpu_supports(Level level) noexcept {
    if (level == Level::baseline) return true;
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    // libgcc / compiler-rt read CPUID and XGETBV, so AVX and AVX-512 are reported only when the OS
    // saves the ymm / zmm state.
    __builtin_cpu_init();
    const bool sse41 = __builtin_cpu_supports("sse4.1");
    const bool avx2 = sse41 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
                        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
    int r1[4] = {}, r7[4] = {};
    __cpuidex(r1, 1, 0);
    __cpuidex(r7, 7, 0);
    const bool osxsave = (r1[2] >> 27 & 1) != 0;
    const unsigned long long xcr0 = osxsave ? _xgetbv(0) : 0;
    const bool ymm_state = (xcr0 & 0x6) == 0x6, zmm_state = (xcr0 & 0xe6) == 0xe6;
    const bool sse41 = (r1[2] >> 19 & 1) != 0;
    const bool avx2 = sse41 && ymm_state && (r1[2] >> 28 & 1) && (r1[2] >> 12 & 1) && (r7[1] >> 5 & 1);
    const bool avx512 = avx2 && zmm_state && (r7[1] >> 16 & 1) && (r7[1] >> 28 & 1) && (r7[1] >> 17 & 1) &&
                        (r7[1] >> 30 & 1);
#else
    const bool sse41 = false, avx2 = false, avx512 = false;
#endif
    switch (level) {
        case Level::sse41: return sse41;
        case Level::avx2: return avx2;
        case Level::avx512: return avx512;
        case Level::baseline: break;
    }
    return true;
}

namespace detail {
// Defined in the backend translation units (nofold/isa_backend.hpp), one per compiled level.
#if defined(NOFOLD_ISA_DISPATCH) && defined(NOFOLD_ISA_HAVE_SSE41) && NOFOLD_ISA_HAVE_SSE41
const Backend& backend_sse41() noexcept;
#endif
#if defined(NOFOLD_ISA_DISPATCH) && defined(NOFOLD_ISA_HAVE_AVX2) && NOFOLD_ISA_HAVE_AVX2
const Backend& backend_avx2() noexcept;
#endif
#if defined(NOFOLD_ISA_DISPATCH) && defined(NOFOLD_ISA_HAVE_AVX512) && NOFOLD_ISA_HAVE_AVX512
const Backend& backend_avx512() noexcept;
#endif

inline std::atomic<int>& forced_level() noexcept {
    static std::atomic<int> level{-1};
    return level;
}
}  // namespace detail

/// The backend compiled for `level` into this program, or nullptr (always for baseline: the baseline
/// is the program's own code, reached without a table).
inline const Backend* compiled(Level level) noexcept {
    const Backend* backend = nullptr;
#if defined(NOFOLD_ISA_DISPATCH) && defined(NOFOLD_ISA_HAVE_SSE41) && NOFOLD_ISA_HAVE_SSE41
    if (level == Level::sse41) backend = &detail::backend_sse41();
#endif
#if defined(NOFOLD_ISA_DISPATCH) && defined(NOFOLD_ISA_HAVE_AVX2) && NOFOLD_ISA_HAVE_AVX2
    if (level == Level::avx2) backend = &detail::backend_avx2();
#endif
#if defined(NOFOLD_ISA_DISPATCH) && defined(NOFOLD_ISA_HAVE_AVX512) && NOFOLD_ISA_HAVE_AVX512
    if (level == Level::avx512) backend = &detail::backend_avx512();
#endif
    (void)level;
    return backend;
}

/// Whether `level` can be used here: compiled in (baseline always is) and supported by the CPU.
inline bool usable(Level level) noexcept {
    return level == Level::baseline || (compiled(level) != nullptr && cpu_supports(level));
}

/// The level chosen from CPUID: the highest usable one, unless the environment variable NOFOLD_ISA names a
/// usable lower one (baseline, sse41, avx2, avx512; an unusable name is ignored). Decided on the first call.
inline Level detected() noexcept {
    static const Level level = [] {
        Level best = Level::baseline;
        for (int i = level_count - 1; i > 0; --i) {
            if (usable(static_cast<Level>(i))) {
                best = static_cast<Level>(i);
                break;
            }
        }
        Level wanted = best;
        if (parse_level(std::getenv("NOFOLD_ISA"), wanted) && usable(wanted) &&
            static_cast<int>(wanted) < static_cast<int>(best))
            best = wanted;
        return best;
    }();
    return level;
}

/// Use `level` for models created from now on (tests and benchmarks compare paths this way). False, and
/// nothing changed, when the level is not usable here.
inline bool force(Level level) noexcept {
    if (!usable(level)) return false;
    detail::forced_level().store(static_cast<int>(level), std::memory_order_relaxed);
    return true;
}

/// Back to detected().
inline void clear_force() noexcept { detail::forced_level().store(-1, std::memory_order_relaxed); }

/// The level new models are built for.
inline Level selected_level() noexcept {
    const int forced = detail::forced_level().load(std::memory_order_relaxed);
    return forced >= 0 ? static_cast<Level>(forced) : detected();
}

/// The backend new models are built with, or nullptr for the program's own (baseline) code.
inline const Backend* selected() noexcept { return compiled(selected_level()); }

}  // namespace nofold::isa
