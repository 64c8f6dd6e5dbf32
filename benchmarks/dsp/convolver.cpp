// Cost of cab-IR convolution: a 500 ms response (24 000 taps at 48 kHz, exponentially decaying noise)
// processed in host blocks of 64, per sample. Cases: Convolver/<taps>/<block>/<latency mode>, and,
// when zita-convolver is installed (Debian libzita-convolver-dev, benchmark-only), the same response
// through zita-convolver 4 (non-uniform partitions from 64 to 8192, FFTW, one block of latency) as
// the anchor: Zita/<taps>/<block>/one_block. zita computes its longer partitions in threads of its
// own and process(sync = true) waits for them, so every case is timed as CPU time of the whole
// process (all threads). Also reported: % of one core at 48 kHz, and (worst_block) the costliest
// 64-sample blocks against the mean.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <ctime>
#include <vector>

#include <nofold/dsp/convolver.hpp>

#include "support/model_bench.hpp"

#if defined(NOFOLD_BENCH_WITH_ZITA)
#include <sched.h>
#include <zita-convolver.h>
#endif

namespace dsp = nofold::dsp;

namespace {
constexpr int rate_hz = 48000;

std::vector<float> response(int taps) {
    std::mt19937 rng(3);
    std::normal_distribution<float> g(0.0f, 0.1f);
    std::vector<float> h(static_cast<std::size_t>(taps));
    for (int i = 0; i < taps; ++i) h[static_cast<std::size_t>(i)] = g(rng) * std::exp(-static_cast<float>(i) / (0.1f * rate_hz));
    return h;
}

std::vector<float> noise(int n) { return nofold::bench::noise(static_cast<std::size_t>(n), 1, 1.0f); }

template <class Run>
void time_blocks(benchmark::State& state, int block, Run&& run) {
    const auto x = noise(block);
    std::vector<float> y(static_cast<std::size_t>(block));
    for (auto _ : state) {
        run(x.data(), y.data(), block);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    state.counters["ns/sample"] =
        benchmark::Counter(double(block) * state.iterations(), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["core%@48k"] =
        benchmark::Counter(double(block) * state.iterations() / rate_hz / 100.0,
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

double thread_cpu_us() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) * 1e-3;
}

void bm_convolver(benchmark::State& state, dsp::ConvolverLatency mode) {
    const int taps = static_cast<int>(state.range(0)), block = static_cast<int>(state.range(1));
    const auto h = response(taps);
    dsp::Convolver c(h.data(), taps, {block, mode});
    // Warm up past one full pass of the tail so every partition holds data.
    const auto warm = noise(taps + 4 * block);
    std::vector<float> sink(warm.size());
    c.process(warm.data(), sink.data(), static_cast<int>(warm.size()));
    time_blocks(state, block, [&](const float* in, float* out, int n) { c.process(in, out, n); });
    state.counters["tail_partition"] = c.tail_partition();
}

// The tail's work is spread over the head periods, so no block should cost much more than the mean:
// per iteration one second of blocks, each timed in thread CPU time (preemption does not count);
// reports the mean, the 99th percentile and the worst block in µs (the worst also catches cache
// misses after another process ran).
void bm_convolver_worst_block(benchmark::State& state) {
    const int taps = static_cast<int>(state.range(0)), block = static_cast<int>(state.range(1));
    const auto h = response(taps);
    dsp::Convolver c(h.data(), taps, {block, dsp::ConvolverLatency::zero});
    const auto x = noise(rate_hz);
    std::vector<float> y(x.size());
    std::vector<double> times;
    times.reserve(static_cast<std::size_t>(rate_hz / block) * 64);
    for (auto _ : state) {
        for (int done = 0; done + block <= rate_hz; done += block) {
            const double t0 = thread_cpu_us();
            c.process(x.data() + done, y.data() + done, block);
            times.push_back(thread_cpu_us() - t0);
        }
        benchmark::DoNotOptimize(y.data());
    }
    std::sort(times.begin(), times.end());
    double total = 0;
    for (double t : times) total += t;
    state.counters["mean_block_us"] = total / static_cast<double>(times.size());
    state.counters["p99_block_us"] = times[times.size() * 99 / 100];
    state.counters["max_block_us"] = times.back();
}

#if defined(NOFOLD_BENCH_WITH_ZITA)
void bm_zita(benchmark::State& state) {
    const int taps = static_cast<int>(state.range(0)), block = static_cast<int>(state.range(1));
    auto h = response(taps);
    Convproc zita;
    if (zita.configure(1, 1, static_cast<uint32_t>(taps), static_cast<uint32_t>(block), static_cast<uint32_t>(block),
                       Convproc::MAXPART, 0.0f) != 0 ||
        zita.impdata_create(0, 0, 1, h.data(), 0, taps) != 0 || zita.start_process(0, SCHED_OTHER) != 0) {
        state.SkipWithError("zita-convolver refused the configuration");
        return;
    }
    const auto run = [&](const float* in, float* out, int n) {
        std::copy(in, in + n, zita.inpdata(0));
        zita.process(true);
        std::copy(zita.outdata(0), zita.outdata(0) + n, out);
    };
    const auto warm = noise(block);
    std::vector<float> sink(static_cast<std::size_t>(block));
    for (int i = 0; i < taps / block + 4; ++i) run(warm.data(), sink.data(), block);
    time_blocks(state, block, run);
    zita.stop_process();
    while (!zita.check_stop()) sched_yield();
    zita.cleanup();
}
BENCHMARK(bm_zita)->Name("Zita/24000/64/one_block")->Args({24000, 64})->MeasureProcessCPUTime();
#endif
}  // namespace

BENCHMARK_CAPTURE(bm_convolver, zero, dsp::ConvolverLatency::zero)
    ->Name("Convolver/24000/64/zero")->Args({24000, 64})->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(bm_convolver, one_block, dsp::ConvolverLatency::one_block)
    ->Name("Convolver/24000/64/one_block")->Args({24000, 64})->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(bm_convolver, zero, dsp::ConvolverLatency::zero)
    ->Name("Convolver/4800/64/zero")->Args({4800, 64})->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(bm_convolver, zero, dsp::ConvolverLatency::zero)
    ->Name("Convolver/24000/256/zero")->Args({24000, 256})->MeasureProcessCPUTime();
BENCHMARK(bm_convolver_worst_block)->Name("Convolver/24000/64/zero/worst_block")->Args({24000, 64})->Iterations(3);

BENCHMARK_MAIN();
