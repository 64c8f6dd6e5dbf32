// WaveNet model benchmarks (LSTM/GRU: benchmarks/nn/recurrent.cpp): ns/sample at block 64, real-time
// factor at 48 kHz, FLOPs/sample, fraction of the measured single-core FMA peak, and memory per
// instance. Random weights (fixed seed), input a -12 dBFS noise signal.
// Case names: Model/<shape>/<implementation>/<math>.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include <nofold/io/load.hpp>
#include <nofold/isa/active.hpp>
#include <nofold/nn/wavenet_presets.hpp>
#include <nofold/runtime/wavenet.hpp>

#include "support/model_bench.hpp"

using namespace nofold;

namespace {

using bench::noise;
using bench::run_model;

nn::LayerArrayConfig array(int input, int channels, int head, bool head_bias, std::vector<int> dilations, int kernel = 3) {
    nn::LayerArrayConfig a;
    a.input_size = input;
    a.channels = channels;
    a.kernel_sizes = {kernel};
    a.dilations = std::move(dilations);
    a.activations = {nn::ActivationSpec{"Tanh", {}}};
    a.head = nn::HeadConfig{head, 1, head_bias, 1};
    return a;
}

nn::WaveNetConfig a1(int c1, int c2, bool long_dilations) {
    std::vector<int> d1{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}, d2 = d1;
    if (!long_dilations) {
        d1 = {1, 2, 4, 8, 16, 32, 64};
        d2 = {128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
    }
    nn::WaveNetConfig c;
    c.layers = {array(1, c1, c2, false, d1), array(c1, c2, 1, true, d2)};
    c.head_scale = 0.02f;
    return c;
}

nn::WaveNetConfig a2(int channels) {
    nn::LayerArrayConfig a;
    a.input_size = 1;
    a.channels = channels;
    a.kernel_sizes = {6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 15, 15, 6, 6, 6, 6, 6, 6, 6};
    a.dilations = {1, 3, 7, 17, 41, 101, 239, 1, 3, 7, 17, 41, 101, 239, 1, 13, 1, 3, 7, 17, 41, 101, 239};
    a.activations = {nn::ActivationSpec{"LeakyReLU", {0.01f}}};
    a.head = nn::HeadConfig{1, 16, true, 1};
    nn::WaveNetConfig c;
    c.layers = {a};
    c.head_scale = 0.01f;
    return c;
}

// A1-standard-sized arrays with the features between conv and residual that the fused conv now covers
// (issue 12): grouped conv and layer1x1, head1x1, gated layers, activation and layer1x1_post FiLMs.
nn::WaveNetConfig featured() {
    nn::WaveNetConfig c = a1(16, 8, true);
    for (nn::LayerArrayConfig& a : c.layers) {
        a.groups_input = 2;
        a.layer1x1 = nn::Layer1x1Config{true, 2};
        a.head1x1 = nn::Head1x1Config{true, a.channels, 2};
        a.gating_modes.assign(a.dilations.size(), nn::GatingMode::none);
        for (std::size_t l = 1; l < a.gating_modes.size(); l += 2) a.gating_modes[l] = nn::GatingMode::gated;
        a.secondary_activations = {nn::ActivationSpec{"Sigmoid", {}}};
        a.film(nn::FilmSlot::activation_post) = nn::FilmConfig{true, true, 1};
        a.film(nn::FilmSlot::layer1x1_post) = nn::FilmConfig{true, false, 1};
    }
    return c;
}

void runtime_wavenet(benchmark::State& state, nn::WaveNetConfig cfg, math::Accuracy math, bool fused = true) {
    nn::Options opt;
    opt.math = math;
    opt.fused_layers = fused;
    std::string err;
    auto m = runtime::WaveNet::create(cfg, opt, err);
    if (!m) {
        state.SkipWithError(err.c_str());
        return;
    }
    std::vector<float> w = noise(nn::weight_count(cfg), 3, 0.2f);
    m->set_weights(w.data(), w.size());
    run_model(state, *m);
}

// Built through io::build, so through the run-time ISA dispatch when the program has it
// (docs/isa-dispatch.md); the label names the path. Compares a dispatched backend with a build whose
// own flags are that instruction set.
void dispatched(benchmark::State& state, nn::ModelConfig cfg) {
    io::ModelFile file;
    file.model.config = std::move(cfg);
    file.model.weights = noise(nn::weight_count(file.model.config), 3, 0.2f);
    const io::LoadedModel loaded = io::build(std::move(file));
    const isa::Path path = isa::active_path();
    state.SetLabel(std::string(isa::level_name(path.level)) + " " + path.simd_arch);
    run_model(state, *loaded.model);
}

template <class P>
void static_wavenet(benchmark::State& state, math::Accuracy math) {
    nn::Options opt;
    opt.math = math;
    ModelFor<P> m(opt);
    std::vector<float> w = noise(P::weight_count(), 3, 0.2f);
    m.get().set_weights(w.data(), w.size());
    run_model(state, m);
}

void wavenet_standard(benchmark::State& s, math::Accuracy m) { static_wavenet<nn::wavenet::Standard>(s, m); }

// Two channels through one instance (shared weights, delay lines per channel): ns per frame of both
// channels, to compare with the mono case (issue 15's target for A1 standard: ≤ 1.9 × mono).
void wavenet_standard_2ch(benchmark::State& state) {
    ModelFor<nn::wavenet::Standard> m;
    std::vector<float> w = noise(nn::wavenet::Standard::weight_count(), 3, 0.2f);
    m.get().set_weights(w.data(), w.size());
    bench::run_model_channels(state, m, 2);
}
// The alternative without shared weights: two mono instances (each its own copy of the weights), one
// block of each per iteration; ns per frame of both channels.
void wavenet_standard_two_instances(benchmark::State& state) {
    ModelFor<nn::wavenet::Standard> a, b;
    std::vector<float> w = noise(nn::wavenet::Standard::weight_count(), 3, 0.2f);
    a.get().set_weights(w.data(), w.size());
    b.get().set_weights(w.data(), w.size());
    constexpr int block = 64;
    const std::vector<float> x = noise(750 * block, 7, 0.25f), x2 = noise(750 * block, 8, 0.25f);
    std::vector<float> y(x.size()), y2(x.size());
    a.prewarm();
    b.prewarm();
    std::size_t pos = 0;
    for (auto _ : state) {
        if (pos + block > x.size()) pos = 0;
        a.process(x.data() + pos, y.data() + pos, block);
        b.process(x2.data() + pos, y2.data() + pos, block);
        benchmark::DoNotOptimize(y.data() + pos);
        pos += block;
    }
    state.counters["ns_per_frame"] = benchmark::Counter(static_cast<double>(state.iterations()) * block * 1e-9,
                                                        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
void runtime_wavenet_2ch(benchmark::State& state) {
    std::string err;
    const nn::WaveNetConfig cfg = a1(16, 8, true);
    auto m = runtime::WaveNet::create(cfg, {}, err);
    std::vector<float> w = noise(nn::weight_count(cfg), 3, 0.2f);
    m->set_weights(w.data(), w.size());
    bench::run_model_channels(state, *m, 2);
}
void wavenet_lite(benchmark::State& s, math::Accuracy m) { static_wavenet<nn::wavenet::Lite>(s, m); }
void wavenet_feather(benchmark::State& s, math::Accuracy m) { static_wavenet<nn::wavenet::Feather>(s, m); }
void wavenet_nano(benchmark::State& s, math::Accuracy m) { static_wavenet<nn::wavenet::Nano>(s, m); }
void wavenet_a2_3(benchmark::State& s, math::Accuracy m) { static_wavenet<nn::wavenet::A2<3>>(s, m); }
void wavenet_a2_8(benchmark::State& s, math::Accuracy m) { static_wavenet<nn::wavenet::A2<8>>(s, m); }
void wavenet_feather_fixed(benchmark::State& s, math::Accuracy m) { static_wavenet<nn::wavenet::fixed::Feather>(s, m); }
void wavenet_nano_fixed(benchmark::State& s, math::Accuracy m) { static_wavenet<nn::wavenet::fixed::Nano>(s, m); }

}  // namespace

BENCHMARK_CAPTURE(wavenet_standard, WaveNet/a1_standard/static/exact, math::Accuracy::exact);
BENCHMARK(wavenet_standard_2ch)->Name("WaveNet/a1_standard/static/exact/2ch");
BENCHMARK(wavenet_standard_two_instances)->Name("WaveNet/a1_standard/static/exact/2x1ch");
BENCHMARK(runtime_wavenet_2ch)->Name("WaveNet/a1_standard/runtime/exact/2ch");
BENCHMARK_CAPTURE(wavenet_standard, WaveNet/a1_standard/static/fast, math::Accuracy::fast);
BENCHMARK_CAPTURE(wavenet_standard, WaveNet/a1_standard/static/nam, math::Accuracy::nam);
BENCHMARK_CAPTURE(wavenet_lite, WaveNet/a1_lite/static/exact, math::Accuracy::exact);
BENCHMARK_CAPTURE(wavenet_lite, WaveNet/a1_lite/static/fast, math::Accuracy::fast);
BENCHMARK_CAPTURE(wavenet_feather, WaveNet/a1_feather/static/exact, math::Accuracy::exact);
BENCHMARK_CAPTURE(wavenet_feather, WaveNet/a1_feather/static/fast, math::Accuracy::fast);
BENCHMARK_CAPTURE(wavenet_nano, WaveNet/a1_nano/static/exact, math::Accuracy::exact);
BENCHMARK_CAPTURE(wavenet_nano, WaveNet/a1_nano/static/fast, math::Accuracy::fast);
BENCHMARK_CAPTURE(wavenet_feather_fixed, WaveNet/a1_feather/fixed/exact, math::Accuracy::exact);
BENCHMARK_CAPTURE(wavenet_nano_fixed, WaveNet/a1_nano/fixed/exact, math::Accuracy::exact);
BENCHMARK_CAPTURE(wavenet_a2_3, WaveNet/a2_c3/static/exact, math::Accuracy::exact);
BENCHMARK_CAPTURE(wavenet_a2_8, WaveNet/a2_c8/static/exact, math::Accuracy::exact);
// A2 uses LeakyReLU: its fast tier is the same computation (a check that the tier switch costs nothing)
BENCHMARK_CAPTURE(wavenet_a2_8, WaveNet/a2_c8/static/fast, math::Accuracy::fast);
BENCHMARK_CAPTURE(runtime_wavenet, WaveNet/a1_standard/runtime/exact, a1(16, 8, true), math::Accuracy::exact);
BENCHMARK_CAPTURE(runtime_wavenet, WaveNet/a1_standard/runtime/fast, a1(16, 8, true), math::Accuracy::fast);
BENCHMARK_CAPTURE(runtime_wavenet, WaveNet/a1_standard/runtime/nam, a1(16, 8, true), math::Accuracy::nam);
BENCHMARK_CAPTURE(runtime_wavenet, WaveNet/a1_lite/runtime/exact, a1(12, 6, false), math::Accuracy::exact);
BENCHMARK_CAPTURE(runtime_wavenet, WaveNet/a1_feather/runtime/exact, a1(8, 4, false), math::Accuracy::exact);
BENCHMARK_CAPTURE(runtime_wavenet, WaveNet/a1_nano/runtime/exact, a1(4, 2, false), math::Accuracy::exact);
BENCHMARK_CAPTURE(runtime_wavenet, WaveNet/a1_nano/runtime/fast, a1(4, 2, false), math::Accuracy::fast);
BENCHMARK_CAPTURE(runtime_wavenet, WaveNet/a2_c3/runtime/exact, a2(3), math::Accuracy::exact);
BENCHMARK_CAPTURE(runtime_wavenet, WaveNet/a2_c8/runtime/exact, a2(8), math::Accuracy::exact);
BENCHMARK_CAPTURE(runtime_wavenet, WaveNet/featured_16_8/runtime/exact, featured(), math::Accuracy::exact);
BENCHMARK_CAPTURE(runtime_wavenet, WaveNet/featured_16_8/generic/exact, featured(), math::Accuracy::exact, false);
BENCHMARK_CAPTURE(dispatched, WaveNet/a1_standard/dispatched/exact, a1(16, 8, true));
BENCHMARK_CAPTURE(dispatched, WaveNet/a1_nano/dispatched/exact, a1(4, 2, false));
BENCHMARK_CAPTURE(dispatched, LSTM/1x16/dispatched/exact, nn::LstmConfig{1, 16, 1});

BENCHMARK_MAIN();
