// LSTM and GRU model benchmarks: ns/sample at block 64, real-time factor at 48 kHz, FLOPs/sample,
// fraction of the measured single-core FMA peak, and memory per instance. Random weights (fixed seed),
// input a -12 dBFS noise signal. Case names: Model/<layers>x<hidden>/<implementation>/<math>.
#include <benchmark/benchmark.h>

#include <vector>

#include <nofold/model.hpp>
#include <nofold/nn/recurrent_model.hpp>

#include "support/model_bench.hpp"

using namespace nofold;

namespace {

template <class P>
void recurrent(benchmark::State& state, int hidden, int layers, math::Accuracy math) {
    ModelFor<P> model(1, hidden, layers, math, 1.0);
    const std::vector<float> w = bench::noise(model.get().weight_count(), 3, 0.3f);
    model.get().set_weights(w.data(), w.size());
    bench::run_model(state, model);
}

void lstm_1x8(benchmark::State& s, math::Accuracy m) { recurrent<nn::LstmModel<1, 8, 1>>(s, 8, 1, m); }
void lstm_1x16(benchmark::State& s, math::Accuracy m) { recurrent<nn::LstmModel<1, 16, 1>>(s, 16, 1, m); }
void lstm_1x40(benchmark::State& s, math::Accuracy m) { recurrent<nn::LstmModel<1, 40, 1>>(s, 40, 1, m); }
void lstm_2x16(benchmark::State& s, math::Accuracy m) { recurrent<nn::LstmModel<1, 16, 2>>(s, 16, 2, m); }
void lstm_runtime_1x40(benchmark::State& s, math::Accuracy m) {
    recurrent<nn::LstmModel<nn::dynamic, nn::dynamic, nn::dynamic>>(s, 40, 1, m);
}
void gru_1x16(benchmark::State& s, math::Accuracy m) { recurrent<nn::GruModel<1, 16, 1>>(s, 16, 1, m); }
void gru_1x40(benchmark::State& s, math::Accuracy m) { recurrent<nn::GruModel<1, 40, 1>>(s, 40, 1, m); }

// Two channels through one instance (shared weights, state per channel): ns per frame of both
// channels, to compare with the mono case of the same shape (target of issue 15: ≤ 1.25 × mono).
template <class P>
void recurrent_stereo(benchmark::State& state, int hidden) {
    ModelFor<P> model(1, hidden, 1, math::Accuracy::exact, 1.0);
    const std::vector<float> w = bench::noise(model.get().weight_count(), 3, 0.3f);
    model.get().set_weights(w.data(), w.size());
    model.set_channels(2);
    constexpr int block = 64;
    const std::vector<float> x = bench::noise(750 * block, 7, 0.25f), x2 = bench::noise(750 * block, 8, 0.25f);
    std::vector<float> y(x.size()), y2(x.size());
    model.prewarm();
    std::size_t pos = 0;
    for (auto _ : state) {
        if (pos + block > x.size()) pos = 0;
        const float* in[2] = {x.data() + pos, x2.data() + pos};
        float* out[2] = {y.data() + pos, y2.data() + pos};
        model.process_channels(in, out, 2, block);
        benchmark::DoNotOptimize(y.data() + pos);
        pos += block;
    }
    state.counters["ns_per_frame"] = benchmark::Counter(static_cast<double>(state.iterations()) * block * 1e-9,
                                                        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
void lstm_1x16_stereo(benchmark::State& s) { recurrent_stereo<nn::LstmModel<1, 16, 1>>(s, 16); }
void gru_1x16_stereo(benchmark::State& s) { recurrent_stereo<nn::GruModel<1, 16, 1>>(s, 16); }

}  // namespace

BENCHMARK(lstm_1x16_stereo)->Name("LSTM/1x16/static/exact/2ch");
BENCHMARK(gru_1x16_stereo)->Name("GRU/1x16/static/exact/2ch");
BENCHMARK_CAPTURE(lstm_1x8, LSTM/1x8/static/exact, math::Accuracy::exact);
BENCHMARK_CAPTURE(lstm_1x8, LSTM/1x8/static/fast, math::Accuracy::fast);
BENCHMARK_CAPTURE(lstm_1x8, LSTM/1x8/static/nam, math::Accuracy::nam);
BENCHMARK_CAPTURE(lstm_1x16, LSTM/1x16/static/exact, math::Accuracy::exact);
BENCHMARK_CAPTURE(lstm_1x16, LSTM/1x16/static/fast, math::Accuracy::fast);
BENCHMARK_CAPTURE(lstm_1x16, LSTM/1x16/static/nam, math::Accuracy::nam);
BENCHMARK_CAPTURE(lstm_1x40, LSTM/1x40/static/exact, math::Accuracy::exact);
BENCHMARK_CAPTURE(lstm_1x40, LSTM/1x40/static/fast, math::Accuracy::fast);
BENCHMARK_CAPTURE(lstm_1x40, LSTM/1x40/static/nam, math::Accuracy::nam);
BENCHMARK_CAPTURE(lstm_2x16, LSTM/2x16/static/exact, math::Accuracy::exact);
BENCHMARK_CAPTURE(lstm_2x16, LSTM/2x16/static/fast, math::Accuracy::fast);
BENCHMARK_CAPTURE(lstm_2x16, LSTM/2x16/static/nam, math::Accuracy::nam);
BENCHMARK_CAPTURE(gru_1x16, GRU/1x16/static/exact, math::Accuracy::exact);
BENCHMARK_CAPTURE(gru_1x16, GRU/1x16/static/fast, math::Accuracy::fast);
BENCHMARK_CAPTURE(gru_1x16, GRU/1x16/static/nam, math::Accuracy::nam);
BENCHMARK_CAPTURE(gru_1x40, GRU/1x40/static/exact, math::Accuracy::exact);
BENCHMARK_CAPTURE(gru_1x40, GRU/1x40/static/fast, math::Accuracy::fast);
BENCHMARK_CAPTURE(gru_1x40, GRU/1x40/static/nam, math::Accuracy::nam);
BENCHMARK_CAPTURE(lstm_runtime_1x40, LSTM/1x40/runtime/exact, math::Accuracy::exact);

BENCHMARK_MAIN();
