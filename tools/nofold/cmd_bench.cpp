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
#include "model_loading.hpp"
#include "oversampling.hpp"

namespace nofold::cli {
namespace {

struct BenchOptions {
    std::string model;
    int block = 64;
    double seconds = 2.0;
    std::string math = "exact";
    bool json = false;
    OversampleChoice oversampling;
};

// The oversampler alone: a model that returns its input, for the filter share of --oversample.
class PassThrough final : public Model {
public:
    void process(const float* in, float* out, int n) noexcept override {
        if (in != out) std::copy(in, in + n, out);
    }
    void reset() noexcept override {}
    void prewarm() noexcept override {}
    int latency() const noexcept override { return 0; }
    int receptive_field() const noexcept override { return 1; }
    double flops_per_sample() const noexcept override { return 0.0; }
    RateFactorStatus set_rate_factor(double r) noexcept override {
        rate_ = r;
        return RateFactorStatus::ok;
    }
    double rate_factor() const noexcept override { return rate_; }
    double max_rate_factor() const noexcept override { return 16.0; }
    std::size_t memory_bytes() const noexcept override { return sizeof(*this); }
    const char* implementation_name() const noexcept override { return "pass-through"; }

private:
    double rate_ = 1.0;
};

// Median over 5 rounds of CPU time per sample of `model` on `in`, blocks of `block`.
double time_model(Model& model, const std::vector<float>& in, std::vector<float>& out, int block, double seconds) {
    const auto b = static_cast<std::size_t>(block);
    model.prewarm();
    model.process(in.data(), out.data(), block);  // warm-up
    std::vector<double> ns;
    for (int round = 0; round < 5; ++round) {
        const std::clock_t start = std::clock();
        double samples = 0.0, elapsed = 0.0;
        do {
            for (std::size_t k = 0; k < 64; ++k) model.process(in.data() + k * b, out.data() + k * b, block);
            samples += 64.0 * static_cast<double>(b);
            elapsed = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
        } while (elapsed < seconds / 5.0);
        ns.push_back(elapsed * 1e9 / samples);
    }
    std::sort(ns.begin(), ns.end());
    return ns[2];
}

std::function<void()> add_bench(CLI::App& app) {
    auto o = std::make_shared<BenchOptions>();
    app.add_option("model", o->model, "model file")->required();
    app.add_option("--block", o->block, "block size in samples (default 64)");
    app.add_option("--seconds", o->seconds, "CPU seconds to measure (default 2)");
    app.add_option("--math", o->math, "exact | fast | nam");
    app.add_flag("--json", o->json, "machine-readable output");
    add_oversample_options(app, o->oversampling, false);
    return [o] {
        validate_oversampling(o->oversampling);
        io::LoadOptions options;
        options.max_rate_factor = o->oversampling.factor;
        if (o->math == "exact")
            options.math = math::Accuracy::exact;
        else if (o->math == "fast")
            options.math = math::Accuracy::fast;
        else if (o->math == "nam")
            options.math = math::Accuracy::nam;
        else
            throw UsageError("--math must be exact, fast or nam");
        if (o->block < 1 || o->block > 65536) throw UsageError("--block must lie in [1, 65536]");
        if (!(o->seconds > 0.0 && o->seconds <= 600.0)) throw UsageError("--seconds must lie in (0, 600]");
        io::LoadedModel m;
        try {
            m = load_model(o->model, options);
        } catch (const io::LoadError& e) {
            throw FileError(e.what());
        }
        const auto block = static_cast<std::size_t>(o->block);
        std::vector<float> in(block * 64), out(block * 64);
        std::mt19937 rng(1);
        std::normal_distribution<float> noise(0.0f, 0.1f);
        for (float& x : in) x = noise(rng);
        m.model = apply_oversampling(std::move(m.model), o->oversampling, o->model);
        const double ns_per_sample = time_model(*m.model, in, out, o->block, o->seconds);
        double filter_ns = 0.0;
        if (o->oversampling.factor != 1) {
            auto filters_only = apply_oversampling(std::make_unique<PassThrough>(), o->oversampling, "pass-through");
            filter_ns = time_model(*filters_only, in, out, o->block, o->seconds);
        }
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
            j["oversample"] = o->oversampling.factor;
            j["filter"] = o->oversampling.factor == 1 ? "none" : filter_name(o->oversampling);
            j["filter_ns_per_sample"] = filter_ns;
            j["filter_share"] = filter_ns / ns_per_sample;
            print_json(j);
            return;
        }
        std::printf("%s (%s, math %s, block %d)\n", o->model.c_str(), m.model->implementation_name(), o->math.c_str(), o->block);
        std::printf("%.2f ns/sample (median of 5), %.1fx real time at %.0f Hz\n", ns_per_sample, realtime, m.model_sample_rate_hz);
        std::printf("%.0f FLOPs/sample = %.2f GFLOP/s, %.1f%% of the %.1f GFLOP/s FMA peak\n", flops, flops / ns_per_sample,
                    100.0 * fraction, peak);
        if (o->oversampling.factor != 1)
            std::printf("%dx %s oversampling: filters %.2f ns/sample (%.1f%% of the total)\n", o->oversampling.factor,
                        filter_name(o->oversampling), filter_ns, 100.0 * filter_ns / ns_per_sample);
    };
}


}  // namespace

Command bench_command() { return {"bench", "measure a model's speed on this machine", add_bench}; }

}  // namespace nofold::cli
