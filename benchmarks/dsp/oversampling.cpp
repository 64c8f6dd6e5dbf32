// Cost of the oversampling cascades: up + down of one mono float block, per BASE-rate sample.
// Cases: Cascade/<factor>x/<preset>, plus the stages alone (HalfbandIIR/up|down/<coefs>c/<form>,
// IIRForm::block vs the per-sample IIRForm::sections), and the run-time Oversampler with the preset's
// last half-band or FinalStage::nyquist (Oversampler/iir_quality/<final stage>/<factor>).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include <nofold/dsp/cascade.hpp>
#include <nofold/dsp/oversampler.hpp>

namespace dsp = nofold::dsp;

namespace {
constexpr int block = 256;

std::vector<float> noise(int n) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-1, 1);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (auto& s : v) s = u(rng);
    return v;
}

template <int F, class Filter>
void bm_cascade(benchmark::State& state) {
    dsp::Cascade<F, Filter> c;
    const auto x = noise(block);
    std::vector<float> hi(block * F), y(block);
    for (auto _ : state) {
        c.up(x.data(), hi.data(), block);
        c.down(hi.data(), y.data(), block);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    state.counters["ns/sample"] =
        benchmark::Counter(double(block) * state.iterations(), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["latency"] = c.latency();
}

template <int N, dsp::IIRForm Form>
void bm_iir_up(benchmark::State& state) {
    dsp::IIRUpsampler2x<N, float, Form> up(dsp::iir_halfband_coefs<N>(0.05));
    const auto x = noise(block);
    std::vector<float> y(2 * block);
    for (auto _ : state) {
        up.process(x.data(), y.data(), block);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    state.counters["ns/sample"] =
        benchmark::Counter(double(block) * state.iterations(), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

template <int N, dsp::IIRForm Form>
void bm_iir_down(benchmark::State& state) {
    dsp::IIRDownsampler2x<N, float, Form> down(dsp::iir_halfband_coefs<N>(0.05));
    const auto x = noise(2 * block);
    std::vector<float> y(block);
    for (auto _ : state) {
        down.process(x.data(), y.data(), block);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    state.counters["ns/sample"] =
        benchmark::Counter(double(block) * state.iterations(), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
// The run-time Oversampler with either final stage: what FinalStage::nyquist costs over the preset.
void bm_oversampler(benchmark::State& state, dsp::FinalStage final) {
    const auto factor = *dsp::oversample_factor_from_int(static_cast<int>(state.range(0)));
    dsp::Oversampler os(factor, dsp::FilterPreset::iir_quality, dsp::LatencyMode::fractional, final);
    const int f = os.factor();
    const auto x = noise(block);
    std::vector<float> hi(static_cast<std::size_t>(block * f)), y(block);
    for (auto _ : state) {
        os.up(x.data(), hi.data(), block);
        os.down(hi.data(), y.data(), block);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    state.counters["ns/sample"] =
        benchmark::Counter(double(block) * state.iterations(), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["latency"] = os.latency();
}
}  // namespace

BENCHMARK_CAPTURE(bm_oversampler, halfband, dsp::FinalStage::halfband)->Name("Oversampler/iir_quality/halfband")->Arg(2)->Arg(4)->Arg(8);
BENCHMARK_CAPTURE(bm_oversampler, nyquist, dsp::FinalStage::nyquist)->Name("Oversampler/iir_quality/nyquist")->Arg(2)->Arg(4)->Arg(8);
BENCHMARK_TEMPLATE(bm_cascade, 2, dsp::IIRFast)->Name("Cascade/2x/iir_fast");
BENCHMARK_TEMPLATE(bm_cascade, 4, dsp::IIRFast)->Name("Cascade/4x/iir_fast");
BENCHMARK_TEMPLATE(bm_cascade, 8, dsp::IIRFast)->Name("Cascade/8x/iir_fast");
BENCHMARK_TEMPLATE(bm_cascade, 16, dsp::IIRFast)->Name("Cascade/16x/iir_fast");
BENCHMARK_TEMPLATE(bm_cascade, 2, dsp::IIRQuality)->Name("Cascade/2x/iir_quality");
BENCHMARK_TEMPLATE(bm_cascade, 4, dsp::IIRQuality)->Name("Cascade/4x/iir_quality");
BENCHMARK_TEMPLATE(bm_cascade, 8, dsp::IIRQuality)->Name("Cascade/8x/iir_quality");
BENCHMARK_TEMPLATE(bm_cascade, 16, dsp::IIRQuality)->Name("Cascade/16x/iir_quality");
BENCHMARK_TEMPLATE(bm_cascade, 2, dsp::FIRLinearPhase)->Name("Cascade/2x/fir_linear_phase");
BENCHMARK_TEMPLATE(bm_cascade, 4, dsp::FIRLinearPhase)->Name("Cascade/4x/fir_linear_phase");
BENCHMARK_TEMPLATE(bm_cascade, 8, dsp::FIRLinearPhase)->Name("Cascade/8x/fir_linear_phase");
BENCHMARK_TEMPLATE(bm_cascade, 16, dsp::FIRLinearPhase)->Name("Cascade/16x/fir_linear_phase");
BENCHMARK_TEMPLATE(bm_cascade, 2, dsp::FIREquiripple)->Name("Cascade/2x/fir_equiripple");
BENCHMARK_TEMPLATE(bm_cascade, 4, dsp::FIREquiripple)->Name("Cascade/4x/fir_equiripple");
BENCHMARK_TEMPLATE(bm_cascade, 8, dsp::FIREquiripple)->Name("Cascade/8x/fir_equiripple");
BENCHMARK_TEMPLATE(bm_cascade, 16, dsp::FIREquiripple)->Name("Cascade/16x/fir_equiripple");
BENCHMARK_TEMPLATE(bm_iir_up, 10, dsp::IIRForm::block)->Name("HalfbandIIR/up/10c/block");
BENCHMARK_TEMPLATE(bm_iir_down, 10, dsp::IIRForm::block)->Name("HalfbandIIR/down/10c/block");
BENCHMARK_TEMPLATE(bm_iir_up, 10, dsp::IIRForm::sections)->Name("HalfbandIIR/up/10c/sections");
BENCHMARK_TEMPLATE(bm_iir_down, 10, dsp::IIRForm::sections)->Name("HalfbandIIR/down/10c/sections");
BENCHMARK_TEMPLATE(bm_iir_up, 4, dsp::IIRForm::block)->Name("HalfbandIIR/up/4c/block");
BENCHMARK_TEMPLATE(bm_iir_down, 4, dsp::IIRForm::block)->Name("HalfbandIIR/down/4c/block");
BENCHMARK_TEMPLATE(bm_iir_up, 4, dsp::IIRForm::sections)->Name("HalfbandIIR/up/4c/sections");
BENCHMARK_TEMPLATE(bm_iir_down, 4, dsp::IIRForm::sections)->Name("HalfbandIIR/down/4c/sections");
BENCHMARK_TEMPLATE(bm_iir_up, 3, dsp::IIRForm::block)->Name("HalfbandIIR/up/3c/block");
BENCHMARK_TEMPLATE(bm_iir_down, 3, dsp::IIRForm::block)->Name("HalfbandIIR/down/3c/block");
BENCHMARK_TEMPLATE(bm_iir_up, 3, dsp::IIRForm::sections)->Name("HalfbandIIR/up/3c/sections");
BENCHMARK_TEMPLATE(bm_iir_down, 3, dsp::IIRForm::sections)->Name("HalfbandIIR/down/3c/sections");

BENCHMARK_MAIN();
