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

// C channels through one instance (shared weights, state per channel): ns per frame of all channels, to
// compare with the mono case of the same shape (issue 15's target for 2 channels: ≤ 1.25 × mono). The
// 8-channel case shows the per-channel floor (ns_per_channel_sample): the cost of a channel when many
// independent steps can overlap.
template <class P>
void recurrent_channels(benchmark::State& state, int hidden, int channels) {
    ModelFor<P> model(1, hidden, 1, math::Accuracy::exact, 1.0);
    const std::vector<float> w = bench::noise(model.get().weight_count(), 3, 0.3f);
    model.get().set_weights(w.data(), w.size());
    bench::run_model_channels(state, model, channels);
}
void lstm_1x16_channels(benchmark::State& s, int c) { recurrent_channels<nn::LstmModel<1, 16, 1>>(s, 16, c); }
void gru_1x16_channels(benchmark::State& s, int c) { recurrent_channels<nn::GruModel<1, 16, 1>>(s, 16, c); }

}  // namespace

BENCHMARK_CAPTURE(lstm_1x16_channels, LSTM/1x16/static/exact/2ch, 2);
BENCHMARK_CAPTURE(lstm_1x16_channels, LSTM/1x16/static/exact/8ch, 8);
BENCHMARK_CAPTURE(gru_1x16_channels, GRU/1x16/static/exact/2ch, 2);
BENCHMARK_CAPTURE(gru_1x16_channels, GRU/1x16/static/exact/8ch, 8);
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
