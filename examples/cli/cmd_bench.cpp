// `nofold bench MODEL [--block N] [--seconds S] [--math exact|fast|nam] [--json]`: speed of a model
// on this machine.
//
// Processes a fixed pseudo-random input (-20 dBFS) in blocks of N for about S seconds of CPU time
// (process time, so other load on the machine inflates the result less than wall time would) in 5
// equal rounds and reports the median round.
// JSON keys (stable, in this order): ns_per_sample (median, CPU ns per mono sample), realtime_factor
// (how many times faster than real time at the model's rate), flops_per_sample (the model's count, a
// multiply-add = 2), peak_gflops (measured single-core FMA peak of this build's SIMD width),
// peak_fraction (achieved GFLOP/s ÷ peak), block, math, implementation, sample_rate_hz.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>

#include <nofold/io/load.hpp>

#include "../../benchmarks/support/fma_peak.hpp"
#include "command.hpp"

namespace nofold::cli {
namespace {

struct BenchOptions {
    std::string model;
    int block = 64;
    double seconds = 2.0;
    std::string math = "exact";
    bool json = false;
};

std::function<void()> add_bench(CLI::App& app) {
    auto o = std::make_shared<BenchOptions>();
    app.add_option("model", o->model, "model file")->required();
    app.add_option("--block", o->block, "block size in samples (default 64)");
    app.add_option("--seconds", o->seconds, "CPU seconds to measure (default 2)");
    app.add_option("--math", o->math, "exact | fast | nam");
    app.add_flag("--json", o->json, "machine-readable output");
    return [o] {
        io::LoadOptions options;
        if (o->math == "exact")
            options.math = nn::MathMode::exact;
        else if (o->math == "fast")
            options.math = nn::MathMode::fast;
        else if (o->math == "nam")
            options.math = nn::MathMode::nam;
        else
            throw UsageError("--math must be exact, fast or nam");
        if (o->block < 1 || o->block > 65536) throw UsageError("--block must lie in [1, 65536]");
        if (!(o->seconds > 0.0 && o->seconds <= 600.0)) throw UsageError("--seconds must lie in (0, 600]");
        io::LoadedModel m;
        try {
            m = io::load(o->model, options);
        } catch (const io::LoadError& e) {
            throw FileError(e.what());
        }
        const auto block = static_cast<std::size_t>(o->block);
        std::vector<float> in(block * 64), out(block * 64);
        std::mt19937 rng(1);
        std::normal_distribution<float> noise(0.0f, 0.1f);
        for (float& x : in) x = noise(rng);
        m.model->prewarm();
        // Warm-up, then 5 rounds of about seconds/5 each.
        m.model->process(in.data(), out.data(), o->block);
        std::vector<double> ns;
        for (int round = 0; round < 5; ++round) {
            const std::clock_t start = std::clock();
            double samples = 0.0, elapsed = 0.0;
            do {
                for (std::size_t b = 0; b < 64; ++b) m.model->process(in.data() + b * block, out.data() + b * block, o->block);
                samples += 64.0 * static_cast<double>(block);
                elapsed = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
            } while (elapsed < o->seconds / 5.0);
            ns.push_back(elapsed * 1e9 / samples);
        }
        std::sort(ns.begin(), ns.end());
        const double ns_per_sample = ns[2];
        const double peak = bench::measure_fma_peak_gflops(0.2);
        const double flops = m.model->flops_per_sample();
        const double realtime = 1e9 / (ns_per_sample * m.model_sample_rate_hz);
        const double fraction = flops / ns_per_sample / peak;  // FLOP/ns = GFLOP/s
        if (o->json) {
            Json j;
            j["ns_per_sample"] = ns_per_sample;
            j["realtime_factor"] = realtime;
            j["flops_per_sample"] = flops;
            j["peak_gflops"] = peak;
            j["peak_fraction"] = fraction;
            j["block"] = o->block;
            j["math"] = o->math;
            j["implementation"] = m.model->implementation_name();
            j["sample_rate_hz"] = m.model_sample_rate_hz;
            print_json(j);
            return;
        }
        std::printf("%s (%s, math %s, block %d)\n", o->model.c_str(), m.model->implementation_name(), o->math.c_str(), o->block);
        std::printf("%.2f ns/sample (median of 5), %.1fx real time at %.0f Hz\n", ns_per_sample, realtime, m.model_sample_rate_hz);
        std::printf("%.0f FLOPs/sample = %.2f GFLOP/s, %.1f%% of the %.1f GFLOP/s FMA peak\n", flops, flops / ns_per_sample,
                    100.0 * fraction, peak);
    };
}

const bool registered = add_command({"bench", "measure a model's speed on this machine", add_bench});

}  // namespace
}  // namespace nofold::cli
