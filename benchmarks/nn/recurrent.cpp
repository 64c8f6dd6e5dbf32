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

}  // namespace

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
