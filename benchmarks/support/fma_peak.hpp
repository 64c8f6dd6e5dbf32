// Benchmark support: measured single-core float FMA peak of this build's SIMD width.
//
// Runs 12 independent chains of fused multiply-adds on nofold::simd::float_batch (enough to hide the
// FMA latency on current x86 and ARM cores) for about `seconds` of CPU time and returns GFLOP/s, counting a
// multiply-add as 2 FLOPs. Used by the model benchmarks and by `nofold bench` to report the fraction
// of peak a model reaches. Units: GFLOP/s. Allocates: never. Not RT (it runs for a while).
#pragma once

#include <ctime>

#include <nofold/simd/simd.hpp>

namespace nofold::bench {

inline double measure_fma_peak_gflops(double seconds = 0.2) {
    using V = simd::float_batch;
    constexpr int chains = 12;
    constexpr long inner = 4096;
    V acc[chains];
    for (int i = 0; i < chains; ++i) acc[i] = simd::broadcast<V>(0.001f * static_cast<float>(i));
    const V a = simd::broadcast<V>(0.999999f);
    const V b = simd::broadcast<V>(1e-7f);
    // Process CPU time, not wall time: on a shared machine other processes must not lower the peak.
    const std::clock_t start = std::clock();
    long rounds = 0;
    double elapsed = 0;
    do {
        for (long k = 0; k < inner; ++k)
NOFOLD_UNROLL(12)
            for (int i = 0; i < chains; ++i) acc[i] = simd::fma(acc[i], a, b);  // unrolled at -O2 too
        ++rounds;
        elapsed = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
    } while (elapsed < seconds);
    V sum = acc[0];
    for (int i = 1; i < chains; ++i) sum = sum + acc[i];
    volatile float sink = simd::reduce_add(sum);
    (void)sink;
    const double flops = 2.0 * simd::lanes<V> * chains * static_cast<double>(inner) * static_cast<double>(rounds);
    return flops / elapsed * 1e-9;
}

}  // namespace nofold::bench
