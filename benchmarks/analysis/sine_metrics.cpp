// Cost of analysing one tone of the chromatic set (N = 48000): harmonic analysis + resynthesis +
// ESR-S + NMR-S, at the lowest note (most harmonics: 872) and at A4; and NMR alone per second.
// Counter: ns per analysed sample.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include <nofold/analysis/nmr.hpp>
#include <nofold/analysis/signals.hpp>
#include <nofold/analysis/sine_metrics.hpp>

namespace {

void set_ns_per_sample(benchmark::State& state, double samples) {
    state.counters["ns_per_sample"] = benchmark::Counter(samples * static_cast<double>(state.iterations()) * 1e-9,
                                                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void sine_analyzer(benchmark::State& state) {
    const double f0 = static_cast<double>(state.range(0)) / 10.0;
    auto y = nofold::analysis::sine(f0, 48000, 0.5, 48000);
    for (auto& v : y) v = std::tanh(4.0 * v);
    nofold::analysis::SineAnalyzer analyzer(48000, 48000);
    for (auto _ : state) {
        auto m = analyzer.measure(y.data(), f0);
        benchmark::DoNotOptimize(m.nmr_s.linear);
    }
    set_ns_per_sample(state, 48000);
}

void nmr(benchmark::State& state) {
    auto r = nofold::analysis::sine(440, 48000, 0.5, 48000);
    auto s = r;
    for (auto& v : s) v = std::tanh(4.0 * v);
    nofold::analysis::NmrAnalyzer analyzer(48000);
    for (auto _ : state) benchmark::DoNotOptimize(analyzer.measure(s, r).linear);
    set_ns_per_sample(state, 48000);
}

}  // namespace

BENCHMARK(sine_analyzer)->Name("SineAnalyzer/48000/f0_27.5")->Arg(275)->Unit(benchmark::kMillisecond);
BENCHMARK(sine_analyzer)->Name("SineAnalyzer/48000/f0_440")->Arg(4400)->Unit(benchmark::kMillisecond);
BENCHMARK(nmr)->Name("Nmr/48000/1s")->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
