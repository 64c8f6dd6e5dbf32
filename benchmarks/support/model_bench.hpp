// Benchmark support: the shared measurement of a model benchmark. run_model processes a -12 dBFS noise
// signal in blocks of 64 and reports ns_per_sample, rt_factor_48k, flops_per_sample, gflops,
// peak_gflops (measured once per program, fma_peak.hpp), peak_fraction and memory_kib; noise() makes
// the fixed-seed random weights and inputs. Units: as the counter names say. Allocates: yes (setup).
#pragma once

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include <nofold/model.hpp>

#include "fma_peak.hpp"

namespace nofold::bench {

/// Uniform noise in [−scale, scale], fixed seed.
inline std::vector<float> noise(std::size_t n, unsigned seed, float scale) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> d(-scale, scale);
    std::vector<float> v(n);
    for (float& x : v) x = d(gen);
    return v;
}

/// This program's measured FMA peak (GFLOP/s), measured on first use.
inline double peak_gflops() {
    static const double peak = measure_fma_peak_gflops(0.3);
    return peak;
}

/// After a prewarm, runs model.process on one block of `block` samples per benchmark iteration, stepping
/// through fixed-seed −12 dBFS noise (750 blocks, i.e. one second at 48 kHz for blocks of 64) and wrapping.
/// M is any type with prewarm() and process(in, out, n).
template <class M>
inline void process_noise_blocks(benchmark::State& state, M& model, int block) {
    const std::size_t n = static_cast<std::size_t>(block);
    const std::vector<float> x = noise(750 * n, 7, 0.25f);
    std::vector<float> y(x.size());
    model.prewarm();
    std::size_t pos = 0;
    for (auto _ : state) {
        if (pos + n > x.size()) pos = 0;
        model.process(x.data() + pos, y.data() + pos, block);
        benchmark::DoNotOptimize(y.data() + pos);
        pos += n;
    }
}

/// Times model.process over blocks of 64 samples and sets the counters listed above.
inline void run_model(benchmark::State& state, Model& model) {
    constexpr int block = 64;
    process_noise_blocks(state, model, block);
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

/// Multi-channel with shared weights: model.set_channels(channels), then process_channels over blocks
/// of 64 frames of `channels` fixed-seed noise signals (after a prewarm). Counters: ns_per_frame (all
/// channels of one frame: compare with the mono case's ns_per_sample) and ns_per_channel_sample.
inline void run_model_channels(benchmark::State& state, Model& model, int channels) {
    constexpr int block = 64;
    if (model.set_channels(channels) != channels) {
        state.SkipWithError("the model does not take that many channels");
        return;
    }
    std::vector<std::vector<float>> x, y;
    for (int c = 0; c < channels; ++c) {
        x.push_back(noise(750 * block, 7 + static_cast<unsigned>(c), 0.25f));
        y.emplace_back(x.back().size());
    }
    std::vector<const float*> in(static_cast<std::size_t>(channels));
    std::vector<float*> out(static_cast<std::size_t>(channels));
    model.prewarm();
    std::size_t pos = 0;
    for (auto _ : state) {
        if (pos + block > x[0].size()) pos = 0;
        for (std::size_t c = 0; c < in.size(); ++c) {
            in[c] = x[c].data() + pos;
            out[c] = y[c].data() + pos;
        }
        model.process_channels(in.data(), out.data(), channels, block);
        benchmark::DoNotOptimize(out[0]);
        pos += block;
    }
    const double frames = static_cast<double>(state.iterations()) * block;
    state.counters["ns_per_frame"] = benchmark::Counter(frames * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["ns_per_channel_sample"] =
        benchmark::Counter(frames * channels * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

}  // namespace nofold::bench
