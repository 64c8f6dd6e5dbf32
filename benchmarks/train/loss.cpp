// Training-core costs: each loss term (value + gradient) and the pre-emphasis filters per sample-item
// of a batch (4 items x 4410 samples at 44.1 kHz, the DAFx25 frame), in float and double; the Adam
// step per parameter. Counters: ns_per_sample (per sample of one batch item), ns_per_parameter.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include <nofold/train/adam.hpp>
#include <nofold/train/losses.hpp>
#include <nofold/train/nmr_loss.hpp>
#include <nofold/train/pre_emphasis.hpp>
#include <nofold/train/stft_loss.hpp>
#include <nofold/train/training_loss.hpp>

namespace {

constexpr double fs = 44100;
constexpr std::size_t items = 4, frame = 4410;

void per_sample(benchmark::State& state, double samples) {
    state.counters["ns_per_sample"] = benchmark::Counter(samples * static_cast<double>(state.iterations()) * 1e-9,
                                                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// A harmonic target and a slightly noisy prediction of it.
template <class T>
void signals(std::vector<T>& p, std::vector<T>& t) {
    std::mt19937 rng(1);
    std::normal_distribution<double> noise(0, 0.01);
    p.resize(items * frame);
    t.resize(items * frame);
    for (std::size_t b = 0; b < items; ++b)
        for (std::size_t n = 0; n < frame; ++n) {
            double v = 0;
            for (int m = 1; m <= 8; ++m) v += 0.3 / m * std::sin(2 * M_PI * m * (110.0 * (b + 1)) * n / fs);
            t[b * frame + n] = static_cast<T>(v);
            p[b * frame + n] = static_cast<T>(v + noise(rng));
        }
}

template <class T>
void esr(benchmark::State& state) {
    std::vector<T> p, t, g(items * frame);
    signals(p, t);
    for (auto _ : state) benchmark::DoNotOptimize(nofold::train::esr_loss(p.data(), t.data(), p.size(), g.data()));
    per_sample(state, items * frame);
}

template <class T>
void pre_emphasis(benchmark::State& state) {
    const auto kind = static_cast<nofold::train::PreEmphasis>(state.range(0));
    nofold::train::PreEmphasisFilter<T> filter(kind, fs, frame);
    std::vector<T> p, t, y(items * frame);
    signals(p, t);
    for (auto _ : state) {
        filter.apply(p.data(), y.data(), items);  // forward on the prediction ...
        filter.apply(t.data(), y.data(), items);  // ... and the target ...
        filter.adjoint(p.data(), y.data(), items);  // ... and the gradient's way back
        benchmark::ClobberMemory();
    }
    per_sample(state, items * frame);
}

template <class T>
void nmr(benchmark::State& state) {
    nofold::train::NmrLoss<T> loss(fs, items, frame);
    std::vector<T> p, t, g(items * frame);
    signals(p, t);
    for (auto _ : state) benchmark::DoNotOptimize(loss.evaluate(p.data(), t.data(), state.range(0) != 0 ? g.data() : nullptr));
    per_sample(state, items * frame);
}

template <class T>
void stft(benchmark::State& state) {
    nofold::train::StftLoss<T> loss(items, frame);
    std::vector<T> p, t, g(items * frame);
    signals(p, t);
    for (auto _ : state) benchmark::DoNotOptimize(loss.evaluate(p.data(), t.data(), g.data()));
    per_sample(state, items * frame);
}

// The fine-tune's loss: low-pass pre-emphasis, 0.5 ESR + 0.5 NMR + 1.0 DC.
template <class T>
void training_default(benchmark::State& state) {
    nofold::train::LossSettings s;
    s.sample_rate_hz = fs;
    nofold::train::TrainingLoss<T> loss(s, items, frame);
    std::vector<T> p, t, g(items * frame);
    signals(p, t);
    for (auto _ : state) benchmark::DoNotOptimize(loss.evaluate(p.data(), t.data(), g.data()).total);
    per_sample(state, items * frame);
}

template <class P, class M>
void adam_step(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    std::vector<P> theta(n, P(0.5)), g(n);
    std::mt19937 rng(2);
    std::normal_distribution<double> d(0, 1);
    for (auto& v : g) v = static_cast<P>(d(rng));
    nofold::train::AdamSettings s;
    s.max_gradient_norm = 1.0;
    nofold::train::Adam<P, M> opt(n, s);
    for (auto _ : state) {
        opt.step(theta.data(), g.data());
        benchmark::ClobberMemory();
    }
    state.counters["ns_per_parameter"] = benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()) * 1e-9,
                                                            benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

}  // namespace

BENCHMARK(esr<float>);
BENCHMARK(esr<double>);
// 1 = high-pass, 2 = A-weighting, 3 = low-pass (PreEmphasis order)
BENCHMARK(pre_emphasis<float>)->Arg(1)->Arg(2)->Arg(3);
BENCHMARK(pre_emphasis<double>)->Arg(3);
BENCHMARK(nmr<float>)->Arg(0)->Arg(1);  // 0 = value only, 1 = value + gradient
BENCHMARK(nmr<double>)->Arg(1);
BENCHMARK(stft<float>);
BENCHMARK(training_default<float>);
BENCHMARK(training_default<double>);
BENCHMARK(adam_step<float, double>)->Arg(1 << 14);
BENCHMARK(adam_step<float, float>)->Arg(1 << 14);
BENCHMARK(adam_step<double, double>)->Arg(1 << 14);

BENCHMARK_MAIN();
