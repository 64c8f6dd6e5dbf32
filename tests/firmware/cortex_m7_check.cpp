// Cortex-M7 (hard-float, no exceptions, no RTTI) compile check of the header-only library. CI compiles
// this translation unit with arm-none-eabi-g++ and then inspects the object's undefined symbols: any
// reference to malloc/free/operator new/delete (or exception machinery) fails the check, proving the
// code below uses no heap.
#include <nofold/nofold.hpp>

static_assert(!nofold::simd::enabled, "Cortex-M has no SIMD unit xsimd supports: the scalar path must be chosen");

extern "C" float nofold_m7_check(const float* x, float* y, int n) {
    namespace simd = nofold::simd;
    using V = simd::float_batch;
    float energy = 0.0f;
    for (int i = 0; i < n; ++i) {
        const V v = simd::zero_if_not_finite(simd::load<V>(x + i));
        const V shaped = simd::clamp(simd::fma(v, V(0.5f), V(0.1f)), -1.0f, 1.0f);
        simd::store(y + i, shaped);
        energy += simd::reduce_add(shaped * shaped);
    }
    return energy;
}
