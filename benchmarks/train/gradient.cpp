// Training step costs: forward + backward + Adam of nofold's trainers (train/wavenet_gradient.hpp,
// train/recurrent_gradient.hpp) per sample per batch item, one thread, batch 4 items x 4410 kept
// samples (the DAFx25 frame; the TCN frames are preceded by their receptive field − 1 of warm-up, whose
// cost counts: each layer runs from the first frame the kept outputs need, set_first_output). Shapes: the DAFx25/NAM standard TCN (16 then 8 channels, 2 x 10 layers, kernel 3),
// nano, LSTM 1x40 (GuitarML), LSTM 1x16, GRU 1x16. Counters: ns_per_sample_item, peak_fraction (the
// inference model's FLOPs per sample x 3 for forward + backward over the whole frame, warm-up included,
// against this program's FMA peak: work the trimmed warm-up skips counts as done),
// peak_MiB (the most heap the row's models, buffers and trainer held at once: this program counts every
// allocation). The Trainer/… rows run the whole train::Trainer on 1 and 2 threads (wall time). The
// same-run anchor is benchmarks/train/pytorch_anchor.py (PyTorch, when installed).
#include <benchmark/benchmark.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <nofold/nn/recurrent_model.hpp>
#include <nofold/nn/wavenet_presets.hpp>
#include <nofold/runtime/wavenet.hpp>
#include <nofold/train/adam.hpp>
#include <nofold/train/losses.hpp>
#include <nofold/train/recurrent_gradient.hpp>
#include <nofold/train/trainer.hpp>
#include <nofold/train/wavenet_gradient.hpp>

#include "support/model_bench.hpp"

// Heap accounting (glibc): the bytes live now and the most live since the last reset_peak(). The
// replacements call glibc's allocator under its own names, as tests/support/alloc_counter.cpp does.
#ifdef __GLIBC__
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}
namespace {
namespace heap {
constexpr bool counted = true;
std::atomic<std::size_t> live{0}, peak{0};
void* add(void* p) {
    if (!p) throw std::bad_alloc();
    const std::size_t size = malloc_usable_size(p);
    const std::size_t now = live.fetch_add(size) + size;
    std::size_t seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    return p;
}
void release(void* p) noexcept {
    if (!p) return;
    live.fetch_sub(malloc_usable_size(p));
    __libc_free(p);
}
std::size_t reset_peak() noexcept {
    peak.store(live.load());
    return live.load();
}
}  // namespace heap
}  // namespace

void* operator new(std::size_t n) { return heap::add(__libc_malloc(n ? n : 1)); }
void* operator new[](std::size_t n) { return heap::add(__libc_malloc(n ? n : 1)); }
void* operator new(std::size_t n, std::align_val_t a) { return heap::add(__libc_memalign(static_cast<std::size_t>(a), n ? n : 1)); }
void* operator new[](std::size_t n, std::align_val_t a) { return heap::add(__libc_memalign(static_cast<std::size_t>(a), n ? n : 1)); }
void operator delete(void* p) noexcept { heap::release(p); }
void operator delete[](void* p) noexcept { heap::release(p); }
void operator delete(void* p, std::size_t) noexcept { heap::release(p); }
void operator delete[](void* p, std::size_t) noexcept { heap::release(p); }
void operator delete(void* p, std::align_val_t) noexcept { heap::release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { heap::release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { heap::release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { heap::release(p); }
#else
namespace {
namespace heap {
constexpr bool counted = false;
inline std::atomic<std::size_t> peak{0};
std::size_t reset_peak() noexcept { return 0; }
}  // namespace heap
}  // namespace
#endif

namespace {

namespace nn = nofold::nn;
namespace train = nofold::train;
constexpr int items = 4, kept = 4410;

/// `base`: heap::reset_peak() before the row's models and buffers were made.
/// `cores`: the FMA peak is this many times the measured one-core peak.
void report(benchmark::State& state, double flops_per_sample, std::size_t base, int cores = 1) {
    if (heap::counted) state.counters["peak_MiB"] = static_cast<double>(heap::peak.load() - base) / (1024.0 * 1024.0);
    const double sample_items = static_cast<double>(state.iterations()) * items * kept;
    state.counters["ns_per_sample_item"] =
        benchmark::Counter(sample_items * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["peak_fraction"] =
        benchmark::Counter(sample_items * 3.0 * flops_per_sample * 1e-9 / (nofold::bench::peak_gflops() * cores), benchmark::Counter::kIsRate);
}

void wavenet_step(benchmark::State& state, nn::WaveNetConfig config) {
    const std::size_t base = heap::reset_peak();
    std::string error;
    auto model = train::WaveNetGradient<float>::create(config, error);
    auto engine = nofold::runtime::WaveNet::create(config, {}, error);
    if (!model || !engine) {
        state.SkipWithError(error.c_str());
        return;
    }
    const int warm = model->history(), n = warm + kept;
    model->set_first_output(warm);  // as the Trainer does: the warm-up's outputs are not in the loss
    std::vector<float> p = nofold::bench::noise(model->parameter_count(), 1, 0.1f);
    const std::vector<float> x = nofold::bench::noise(static_cast<std::size_t>(n) * items, 2, 0.5f);
    const std::vector<float> t = nofold::bench::noise(static_cast<std::size_t>(n) * items, 3, 0.5f);
    std::vector<float> y(n), dy(n, 0.0f), g(p.size());
    train::Adam<float> adam(p.size(), {});
    for (auto _ : state) {
        std::fill(g.begin(), g.end(), 0.0f);
        for (int b = 0; b < items; ++b) {
            model->forward(p.data(), x.data() + b * n, n, y.data());
            train::esr_loss(y.data() + warm, t.data() + b * n + warm, kept, dy.data() + warm);
            model->backward(p.data(), dy.data(), g.data());
        }
        adam.step(p.data(), g.data());
    }
    report(state, engine->flops_per_sample(), base + engine->memory_bytes());
}

/// FLOPs per sample of a one-layer cell on one input with its dense output (the inference model's).
double recurrent_flops(train::Cell cell, int hidden) {
    const double gates = cell == train::Cell::lstm ? 4.0 : 3.0;
    return 2.0 * gates * hidden * (1 + hidden) + 2.0 * hidden;
}

void recurrent_step(benchmark::State& state, train::Cell cell, int hidden) {
    const std::size_t base = heap::reset_peak();
    train::RecurrentGradient<float> model(cell, 1, hidden, 1);
    std::vector<float> p = nofold::bench::noise(model.parameter_count(), 1, 0.1f);
    const std::vector<float> x = nofold::bench::noise(static_cast<std::size_t>(kept) * items, 2, 0.5f);
    const std::vector<float> t = nofold::bench::noise(static_cast<std::size_t>(kept) * items, 3, 0.5f);
    std::vector<float> y(kept), dy(kept), g(p.size());
    train::Adam<float> adam(p.size(), {});
    for (auto _ : state) {
        std::fill(g.begin(), g.end(), 0.0f);
        for (int b = 0; b < items; ++b) {
            model.reset(p.data());
            model.forward(p.data(), x.data() + b * kept, kept, y.data());
            train::esr_loss(y.data(), t.data() + b * kept, kept, dy.data());
            model.backward(p.data(), dy.data(), g.data());
        }
        adam.step(p.data(), g.data());
    }
    report(state, recurrent_flops(cell, hidden), base);
}

// The whole trainer (train::Trainer: batch filling, the ESR loss over the batch, the summed gradient,
// Adam) on `threads` threads: what `nofold train` runs, and the both-cores figure. Counters as above
// (peak_fraction against the peak of `threads` cores), plus paper_schedule_hours: the DAFx25 LSTM
// schedule (40 000 steps of 40 items x 4410 samples) at this speed.
template <class G>
void trainer_batch(benchmark::State& state, const std::function<std::unique_ptr<G>()>& make, train::StateMode mode,
                   int warmup, double flops_per_sample) {
    train::TrainerSettings ts;
    ts.items = items;
    ts.frame_length = kept;
    ts.warmup = static_cast<std::size_t>(warmup);
    ts.state = mode;
    ts.threads = static_cast<int>(state.range(0));
    ts.loss.weights = {1.0, 0.0, 0.0, 0.0};  // ESR alone, no pre-emphasis: the TrainStep rows' and the anchor's loss
    ts.loss.pre_emphasis = train::PreEmphasis::none;
    const std::size_t count = make()->parameter_count();
    const std::vector<float> x = nofold::bench::noise(static_cast<std::size_t>(warmup + kept) * 64, 2, 0.5f);
    const std::size_t base = heap::reset_peak();  // the trainer's memory, not this row's source signal
    train::Trainer<G, float> trainer(ts, make, nofold::bench::noise(count, 1, 0.1f));
    trainer.set_batch_source([&x, warmup](const train::BatchRequest& r, float* in, float* target) {
        const float* from = x.data() + (r.item % 64) * static_cast<std::size_t>(warmup + kept);
        std::copy(from, from + warmup + kept, in);
        for (int i = 0; i < kept; ++i) target[i] = 0.8f * from[warmup + i];
    });
    std::uint64_t batch = 0;
    for (auto _ : state) benchmark::DoNotOptimize(trainer.train_batch(0, batch++ % ts.batches_per_epoch));
    report(state, flops_per_sample, base, ts.threads);
    const double paper_sample_items = 40000.0 * 40.0 * kept;
    state.counters["paper_schedule_hours"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * items * kept / paper_sample_items * 3600.0,
        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void trainer_wavenet(benchmark::State& s, const nn::WaveNetConfig& config) {
    std::string error;
    const auto make = [config] {
        std::string e;
        return train::WaveNetGradient<float>::create(config, e);
    };
    trainer_batch<train::WaveNetGradient<float>>(s, make, train::StateMode::none, make()->history(),
                                                 nofold::runtime::WaveNet::create(config, {}, error)->flops_per_sample());
}
void trainer_tcn_standard(benchmark::State& s) { trainer_wavenet(s, nn::wavenet::config_of<nn::wavenet::StandardShape>()); }
void trainer_tcn_nano(benchmark::State& s) { trainer_wavenet(s, nn::wavenet::config_of<nn::wavenet::NanoShape>()); }
void trainer_recurrent(benchmark::State& s, train::Cell cell, int hidden) {
    const auto make = [cell, hidden] { return std::make_unique<train::RecurrentGradient<float>>(cell, 1, hidden, 1); };
    trainer_batch<train::RecurrentGradient<float>>(s, make, train::StateMode::carried, 0, recurrent_flops(cell, hidden));
}
void trainer_lstm_1x40(benchmark::State& s) { trainer_recurrent(s, train::Cell::lstm, 40); }
void trainer_lstm_1x16(benchmark::State& s) { trainer_recurrent(s, train::Cell::lstm, 16); }
void trainer_gru_1x16(benchmark::State& s) { trainer_recurrent(s, train::Cell::gru, 16); }

void tcn_standard(benchmark::State& s) { wavenet_step(s, nn::wavenet::config_of<nn::wavenet::StandardShape>()); }
void tcn_nano(benchmark::State& s) { wavenet_step(s, nn::wavenet::config_of<nn::wavenet::NanoShape>()); }
void lstm_1x40(benchmark::State& s) { recurrent_step(s, train::Cell::lstm, 40); }
void lstm_1x16(benchmark::State& s) { recurrent_step(s, train::Cell::lstm, 16); }
void gru_1x16(benchmark::State& s) { recurrent_step(s, train::Cell::gru, 16); }

}  // namespace

BENCHMARK(tcn_standard)->Name("TrainStep/wavenet/standard")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(tcn_nano)->Name("TrainStep/wavenet/nano")->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(lstm_1x40)->Name("TrainStep/lstm/1x40")->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(lstm_1x16)->Name("TrainStep/lstm/1x16")->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(gru_1x16)->Name("TrainStep/gru/1x16")->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(trainer_tcn_standard)->Name("Trainer/wavenet/standard")->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();
BENCHMARK(trainer_tcn_nano)->Name("Trainer/wavenet/nano")->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->MinTime(1.0)->UseRealTime();
BENCHMARK(trainer_lstm_1x40)->Name("Trainer/lstm/1x40")->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->MinTime(1.0)->UseRealTime();
BENCHMARK(trainer_lstm_1x16)->Name("Trainer/lstm/1x16")->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->MinTime(1.0)->UseRealTime();
BENCHMARK(trainer_gru_1x16)->Name("Trainer/gru/1x16")->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->MinTime(1.0)->UseRealTime();
BENCHMARK_MAIN();
