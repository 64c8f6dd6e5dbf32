// LSTM and GRU model benchmarks: ns/sample at block 64, real-time factor at 48 kHz, FLOPs/sample,
// fraction of the measured single-core FMA peak, and memory per instance. Random weights (fixed seed),
// input a -12 dBFS noise signal. Case names: Model/<layers>x<hidden>/<implementation>/<math>.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include <nofold/model.hpp>
#include <nofold/nn/recurrent_model.hpp>

#include "support/fma_peak.hpp"

using namespace nofold;

namespace {

double peak_gflops() {
    static const double peak = bench::measure_fma_peak_gflops(0.3);
    return peak;
}

std::vector<float> noise(std::size_t n, unsigned seed, float scale) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> d(-scale, scale);
    std::vector<float> v(n);
    for (float& x : v) x = d(gen);
    return v;
}

template <class P>
void recurrent(benchmark::State& state, int hidden, int layers, nn::MathMode math) {
    constexpr int block = 64;
    ModelFor<P> model(1, hidden, layers, math, 1.0);
    const std::vector<float> w = noise(model.get().weight_count(), 3, 0.3f);
    model.get().set_weights(w.data(), w.size());
    const std::vector<float> x = noise(48000, 7, 0.25f);
    std::vector<float> y(x.size());
    model.prewarm();
    std::size_t pos = 0;
    for (auto _ : state) {
        if (pos + block > x.size()) pos = 0;
        model.process(x.data() + pos, y.data() + pos, block);
        benchmark::DoNotOptimize(y.data() + pos);
        pos += block;
    }
    const double samples = static_cast<double>(state.iterations()) * block;
    const double flops = model.flops_per_sample();
    state.counters["ns_per_sample"] = benchmark::Counter(samples * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["rt_factor_48k"] = benchmark::Counter(samples / 48000.0, benchmark::Counter::kIsRate);
    state.counters["flops_per_sample"] = flops;
    state.counters["gflops"] = benchmark::Counter(samples * flops * 1e-9, benchmark::Counter::kIsRate);
    state.counters["peak_gflops"] = peak_gflops();
    state.counters["peak_fraction"] = benchmark::Counter(samples * flops * 1e-9 / peak_gflops(), benchmark::Counter::kIsRate);
    state.counters["memory_kib"] = static_cast<double>(model.memory_bytes()) / 1024.0;
}

void lstm_1x8(benchmark::State& s, nn::MathMode m) { recurrent<nn::LstmModel<1, 8, 1>>(s, 8, 1, m); }
void lstm_1x16(benchmark::State& s, nn::MathMode m) { recurrent<nn::LstmModel<1, 16, 1>>(s, 16, 1, m); }
void lstm_1x40(benchmark::State& s, nn::MathMode m) { recurrent<nn::LstmModel<1, 40, 1>>(s, 40, 1, m); }
void lstm_2x16(benchmark::State& s, nn::MathMode m) { recurrent<nn::LstmModel<1, 16, 2>>(s, 16, 2, m); }
void lstm_runtime_1x40(benchmark::State& s, nn::MathMode m) {
    recurrent<nn::LstmModel<nn::dynamic, nn::dynamic, nn::dynamic>>(s, 40, 1, m);
}
void gru_1x16(benchmark::State& s, nn::MathMode m) { recurrent<nn::GruModel<1, 16, 1>>(s, 16, 1, m); }
void gru_1x40(benchmark::State& s, nn::MathMode m) { recurrent<nn::GruModel<1, 40, 1>>(s, 40, 1, m); }

}  // namespace

BENCHMARK_CAPTURE(lstm_1x8, LSTM/1x8/static/exact, nn::MathMode::exact);
BENCHMARK_CAPTURE(lstm_1x8, LSTM/1x8/static/fast, nn::MathMode::fast);
BENCHMARK_CAPTURE(lstm_1x8, LSTM/1x8/static/nam, nn::MathMode::nam);
BENCHMARK_CAPTURE(lstm_1x16, LSTM/1x16/static/exact, nn::MathMode::exact);
BENCHMARK_CAPTURE(lstm_1x16, LSTM/1x16/static/fast, nn::MathMode::fast);
BENCHMARK_CAPTURE(lstm_1x16, LSTM/1x16/static/nam, nn::MathMode::nam);
BENCHMARK_CAPTURE(lstm_1x40, LSTM/1x40/static/exact, nn::MathMode::exact);
BENCHMARK_CAPTURE(lstm_1x40, LSTM/1x40/static/fast, nn::MathMode::fast);
BENCHMARK_CAPTURE(lstm_1x40, LSTM/1x40/static/nam, nn::MathMode::nam);
BENCHMARK_CAPTURE(lstm_2x16, LSTM/2x16/static/exact, nn::MathMode::exact);
BENCHMARK_CAPTURE(lstm_2x16, LSTM/2x16/static/fast, nn::MathMode::fast);
BENCHMARK_CAPTURE(lstm_2x16, LSTM/2x16/static/nam, nn::MathMode::nam);
BENCHMARK_CAPTURE(gru_1x16, GRU/1x16/static/exact, nn::MathMode::exact);
BENCHMARK_CAPTURE(gru_1x16, GRU/1x16/static/fast, nn::MathMode::fast);
BENCHMARK_CAPTURE(gru_1x16, GRU/1x16/static/nam, nn::MathMode::nam);
BENCHMARK_CAPTURE(gru_1x40, GRU/1x40/static/exact, nn::MathMode::exact);
BENCHMARK_CAPTURE(gru_1x40, GRU/1x40/static/fast, nn::MathMode::fast);
BENCHMARK_CAPTURE(gru_1x40, GRU/1x40/static/nam, nn::MathMode::nam);
BENCHMARK_CAPTURE(lstm_runtime_1x40, LSTM/1x40/runtime/exact, nn::MathMode::exact);

BENCHMARK_MAIN();
