// Any-length FFT: the prime length of the ASR test (48017, via Bluestein over 2^17), the power-of-two
// work size itself, and a composite non-power-of-two length. Counter: ns per transformed element.
#include <benchmark/benchmark.h>

#include <complex>
#include <random>
#include <vector>

#include <nofold/analysis/fft.hpp>

namespace {

std::vector<double> noise(std::size_t n) {
    std::mt19937 rng(1);
    std::normal_distribution<double> d(0, 1);
    std::vector<double> x(n);
    for (auto& v : x) v = d(rng);
    return x;
}

void fft_real(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    nofold::analysis::Fft fft(n);
    const auto x = noise(n);
    std::vector<std::complex<double>> out(n / 2 + 1);
    for (auto _ : state) {
        fft.forward_real(x.data(), out.data());
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    // rate of (elements * 1e-9) inverted = seconds / (elements * 1e-9) = ns per element
    state.counters["ns_per_element"] = benchmark::Counter(
        static_cast<double>(n) * static_cast<double>(state.iterations()) * 1e-9,
        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void fft_complex(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    nofold::analysis::Fft fft(n);
    const auto r = noise(2 * n);
    std::vector<std::complex<double>> x(n), out(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = {r[2 * i], r[2 * i + 1]};
    for (auto _ : state) {
        fft.forward(x.data(), out.data());
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    // rate of (elements * 1e-9) inverted = seconds / (elements * 1e-9) = ns per element
    state.counters["ns_per_element"] = benchmark::Counter(
        static_cast<double>(n) * static_cast<double>(state.iterations()) * 1e-9,
        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

}  // namespace

BENCHMARK(fft_real)->Name("Fft/48017/real")->Arg(48017)->Unit(benchmark::kMillisecond);
BENCHMARK(fft_real)->Name("Fft/48000/real")->Arg(48000)->Unit(benchmark::kMillisecond);
BENCHMARK(fft_complex)->Name("Fft/131072/complex")->Arg(131072)->Unit(benchmark::kMillisecond);
BENCHMARK(fft_complex)->Name("Fft/4096/complex")->Arg(4096)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
