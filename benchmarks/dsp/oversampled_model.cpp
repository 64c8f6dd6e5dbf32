// Cost of running a WaveNet preset (random weights, fixed seed) at L x its rate inside
// dsp::OversampledModel, against L x the same model's own cost at its base rate.
// All counters are ns per BASE-rate sample; input: -12 dBFS noise, host blocks of 64 samples.
// Cases:
//   Model/<preset>/1x/alone              the model at rate factor 1        -> L x this is the target
//   Model/<preset>/<L>x/alone            the model at rate factor L, fed 64·L samples per call
//                                        (what the oversampler hands it), per base sample
//   OversampledModel/<preset>/<L>x/<filter>  up-sample, model at rate L, down-sample
//   Paired/<preset>/<L>x/<filter>        the three above interleaved in short bursts and timed by
//                                        thread CPU time, so that they share the machine's load
//                                        (others compiling on the same cores): counters
//                                        ratio = OversampledModel / (L x model at 1x),
//                                        model_at_L = model at rate L / (L x model at 1x),
//                                        filters = (OversampledModel - model at rate L) / (L x 1x).
// The ratio splits into the filters (see also bench_dsp_oversampling) and the model's own cost
// change at rate L (dilations x L spread its history over L x the memory).
#include <benchmark/benchmark.h>

#include <ctime>
#include <memory>
#include <vector>

#include <nofold/dsp/oversampled_model.hpp>
#include <nofold/nn/wavenet_presets.hpp>

#include "support/model_bench.hpp"

namespace dsp = nofold::dsp;
namespace nn = nofold::nn;

namespace {
constexpr int block = 64;  // host block, base-rate samples

using nofold::bench::noise;

template <class P>
std::unique_ptr<nofold::Model> make_model(int max_rate) {
    nofold::nn::Options options;
    options.max_rate_factor = max_rate;
    auto m = std::make_unique<nofold::ModelFor<P>>(options);
    const std::vector<float> w = noise(P::weight_count(), 3, 0.2f);
    m->get().set_weights(w.data(), w.size());
    return m;
}

void set_counters(benchmark::State& state, double base_samples_per_iteration) {
    state.counters["ns/sample"] = benchmark::Counter(base_samples_per_iteration * static_cast<double>(state.iterations()),
                                                     benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// The model alone at rate factor L, called with block·L samples (its cost per base sample).
template <class P, int L>
void bm_model(benchmark::State& state) {
    auto m = make_model<P>(L);
    if (m->set_rate_factor(L) != nofold::RateFactorStatus::ok) {
        state.SkipWithError("rate factor refused");
        return;
    }
    nofold::bench::process_noise_blocks(state, *m, block * L);
    set_counters(state, block);
}

template <class P, int L, dsp::FilterPreset Filter>
void bm_oversampled(benchmark::State& state) {
    dsp::OversampledModel m(make_model<P>(L), static_cast<dsp::OversampleFactor>(L), Filter);
    if (m.status() != nofold::RateFactorStatus::ok) {
        state.SkipWithError("rate factor refused");
        return;
    }
    nofold::bench::process_noise_blocks(state, m, block);
    set_counters(state, block);
    state.counters["latency"] = m.latency_samples();
}

double thread_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

template <class P, int L, dsp::FilterPreset Filter>
void bm_paired(benchmark::State& state) {
    constexpr int burst = 16;  // blocks per measurement, so each instance runs with warm caches
    auto base = make_model<P>(1);
    auto at_rate = make_model<P>(L);
    dsp::OversampledModel os(make_model<P>(L), static_cast<dsp::OversampleFactor>(L), Filter);
    if (at_rate->set_rate_factor(L) != nofold::RateFactorStatus::ok || os.status() != nofold::RateFactorStatus::ok) {
        state.SkipWithError("rate factor refused");
        return;
    }
    const std::vector<float> x = noise(48000 * L, 7, 0.25f);
    std::vector<float> y(x.size());
    base->prewarm();
    at_rate->prewarm();
    os.prewarm();
    double t_base = 0, t_rate = 0, t_os = 0;
    for (auto _ : state) {
        double t0 = thread_seconds();
        for (int b = 0; b < burst * L; ++b) base->process(x.data() + b * block, y.data() + b * block, block);
        double t1 = thread_seconds();
        t_base += t1 - t0;
        for (int b = 0; b < burst; ++b)
            at_rate->process(x.data() + b * block * L, y.data() + b * block * L, block * L);
        t0 = thread_seconds();
        t_rate += t0 - t1;
        for (int b = 0; b < burst; ++b) os.process(x.data() + b * block, y.data() + b * block, block);
        t1 = thread_seconds();
        t_os += t1 - t0;
        benchmark::DoNotOptimize(y.data());
        state.SetIterationTime(t1 - t0);
    }
    const double reference = t_base;  // L x the model's own cost, same base samples
    state.counters["ratio"] = t_os / reference;
    state.counters["model_at_L"] = t_rate / reference;
    state.counters["filters"] = (t_os - t_rate) / reference;
    state.counters["ns/sample"] = 1e9 * t_os / (static_cast<double>(state.iterations()) * burst * block);
    state.counters["ns/sample_1x"] = 1e9 * t_base / (static_cast<double>(state.iterations()) * burst * block * L);
    state.counters["kib_1x"] = static_cast<double>(base->memory_bytes()) / 1024.0;
    state.counters["kib_at_L"] = static_cast<double>(at_rate->memory_bytes()) / 1024.0;
}

using Feather = nn::wavenet::Feather;
using Standard = nn::wavenet::Standard;
constexpr auto iir = dsp::FilterPreset::iir_quality;
constexpr auto fir = dsp::FilterPreset::fir_linear_phase;
}  // namespace

BENCHMARK_TEMPLATE(bm_model, Feather, 1)->Name("Model/feather/1x/alone");
BENCHMARK_TEMPLATE(bm_model, Feather, 2)->Name("Model/feather/2x/alone");
BENCHMARK_TEMPLATE(bm_model, Feather, 4)->Name("Model/feather/4x/alone");
BENCHMARK_TEMPLATE(bm_model, Feather, 8)->Name("Model/feather/8x/alone");
BENCHMARK_TEMPLATE(bm_oversampled, Feather, 2, iir)->Name("OversampledModel/feather/2x/iir_quality");
BENCHMARK_TEMPLATE(bm_oversampled, Feather, 4, iir)->Name("OversampledModel/feather/4x/iir_quality");
BENCHMARK_TEMPLATE(bm_oversampled, Feather, 8, iir)->Name("OversampledModel/feather/8x/iir_quality");
BENCHMARK_TEMPLATE(bm_oversampled, Feather, 2, fir)->Name("OversampledModel/feather/2x/fir_linear_phase");
BENCHMARK_TEMPLATE(bm_oversampled, Feather, 8, fir)->Name("OversampledModel/feather/8x/fir_linear_phase");
BENCHMARK_TEMPLATE(bm_model, Standard, 1)->Name("Model/standard/1x/alone");
BENCHMARK_TEMPLATE(bm_model, Standard, 2)->Name("Model/standard/2x/alone");
BENCHMARK_TEMPLATE(bm_model, Standard, 4)->Name("Model/standard/4x/alone");
BENCHMARK_TEMPLATE(bm_model, Standard, 8)->Name("Model/standard/8x/alone");
BENCHMARK_TEMPLATE(bm_oversampled, Standard, 2, iir)->Name("OversampledModel/standard/2x/iir_quality");
BENCHMARK_TEMPLATE(bm_oversampled, Standard, 4, iir)->Name("OversampledModel/standard/4x/iir_quality");
BENCHMARK_TEMPLATE(bm_oversampled, Standard, 8, iir)->Name("OversampledModel/standard/8x/iir_quality");
BENCHMARK_TEMPLATE(bm_paired, Feather, 2, iir)->Name("Paired/feather/2x/iir_quality")->UseManualTime();
BENCHMARK_TEMPLATE(bm_paired, Feather, 4, iir)->Name("Paired/feather/4x/iir_quality")->UseManualTime();
BENCHMARK_TEMPLATE(bm_paired, Feather, 8, iir)->Name("Paired/feather/8x/iir_quality")->UseManualTime();
BENCHMARK_TEMPLATE(bm_paired, Standard, 2, iir)->Name("Paired/standard/2x/iir_quality")->UseManualTime();
BENCHMARK_TEMPLATE(bm_paired, Standard, 4, iir)->Name("Paired/standard/4x/iir_quality")->UseManualTime();
BENCHMARK_TEMPLATE(bm_paired, Standard, 8, iir)->Name("Paired/standard/8x/iir_quality")->UseManualTime();

BENCHMARK_MAIN();
