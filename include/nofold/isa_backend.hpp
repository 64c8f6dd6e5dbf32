// nofold::isa backend — include this header in exactly one translation unit per instruction set, compiled
// with that set's flags and -DNOFOLD_ISA_NAME=<sse41|avx2|avx512> (plus the program's NOFOLD_ISA_DISPATCH /
// NOFOLD_ISA_HAVE_* definitions). It compiles nofold's model factory for those flags and defines
// nofold::isa::detail::backend_<name>(), which isa::selected() returns when the CPU supports the set
// (docs/isa-dispatch.md). Must be the first nofold header of its translation unit.
//
// One definition rule. Every inline function and class of nofold compiled here would have the same
// mangled name as the baseline copy while holding different instructions, and the linker keeps one copy
// for the whole program (the AVX-512 copy could then run on a CPU without AVX-512, or every path could
// silently run the baseline code). So the library is compiled into its own namespace, nofold_isa_<name>
// (the identifier `nofold` is a macro while the headers are read), and only the flag-independent types in
// dispatch.hpp's includes — Model, the network descriptions and Options — are shared with the rest of
// the program. What remains shared are standard-library and xsimd functions that do not mention an
// nofold type; the build helpers link the backends after the program's own objects, lowest set first,
// so the linker keeps the lowest-set copy of each (docs/isa-dispatch.md; tests/isa/check_symbols.sh
// checks the nofold program).
#pragma once

#ifndef NOFOLD_ISA_NAME
#error "nofold/isa_backend.hpp: define NOFOLD_ISA_NAME (sse41, avx2 or avx512) for this translation unit"
#endif
#ifdef NOFOLD_VERSION
#error "nofold/isa_backend.hpp must be the first nofold header of its translation unit"
#endif

#define NOFOLD_ISA_CAT_(a, b) a##b
#define NOFOLD_ISA_CAT(a, b) NOFOLD_ISA_CAT_(a, b)
#define NOFOLD_ISA_NAMESPACE NOFOLD_ISA_CAT(nofold_isa_, NOFOLD_ISA_NAME)
#define NOFOLD_ISA_LEVEL_sse41 1
#define NOFOLD_ISA_LEVEL_avx2 2
#define NOFOLD_ISA_LEVEL_avx512 3
#define NOFOLD_ISA_LEVEL NOFOLD_ISA_CAT(NOFOLD_ISA_LEVEL_, NOFOLD_ISA_NAME)

// The flags must give at least what the name promises (else a "backend" would silently be baseline code).
#if NOFOLD_ISA_LEVEL < 1 || NOFOLD_ISA_LEVEL > 3
#error "nofold/isa_backend.hpp: NOFOLD_ISA_NAME must be sse41, avx2 or avx512"
#elif NOFOLD_ISA_LEVEL == 3 && !(defined(__AVX512F__) && defined(__AVX512CD__) && defined(__AVX512DQ__) && defined(__AVX512BW__))
#error "the avx512 backend needs -mavx512f -mavx512cd -mavx512dq -mavx512bw (MSVC: /arch:AVX512)"
#elif NOFOLD_ISA_LEVEL == 2 && !(defined(__AVX2__) && (defined(__FMA__) || defined(_MSC_VER)))
#error "the avx2 backend needs -mavx2 -mfma (MSVC: /arch:AVX2)"
#elif NOFOLD_ISA_LEVEL == 1 && !(defined(__SSE4_1__) || defined(__AVX__) || defined(_MSC_VER))
#error "the sse41 backend needs -msse4.1"
#endif

#include "isa/dispatch.hpp"

// The shared declarations, visible inside the backend's namespace under their usual names.
namespace NOFOLD_ISA_NAMESPACE {
using namespace ::nofold;
namespace detail {
using namespace ::nofold::detail;
}
namespace math {
using namespace ::nofold::math;
}
namespace nn {
using namespace ::nofold::nn;
}
}  // namespace NOFOLD_ISA_NAMESPACE

#define nofold NOFOLD_ISA_NAMESPACE
#include "io/load.hpp"
#undef nofold

namespace {
std::unique_ptr<::nofold::Model> nofold_isa_make_leaf(const ::nofold::nn::NestedModel& net, const ::nofold::nn::Options& options,
                                                      bool allow_static, std::string& reason, std::string& error) {
    return NOFOLD_ISA_NAMESPACE::io::detail::make_leaf(net, options, allow_static, reason, error);
}
}  // namespace

namespace nofold::isa::detail {
const Backend& NOFOLD_ISA_CAT(backend_, NOFOLD_ISA_NAME)() noexcept {
    static const Backend backend{static_cast<Level>(NOFOLD_ISA_LEVEL), NOFOLD_ISA_NAMESPACE::simd::arch_name,
                                 NOFOLD_ISA_NAMESPACE::simd::lanes<NOFOLD_ISA_NAMESPACE::simd::float_batch>,
                                 NOFOLD_ISA_NAMESPACE::simd::fused_multiply_add, &nofold_isa_make_leaf};
    return backend;
}
}  // namespace nofold::isa::detail
