// `nofold selfcheck [--json]`: checks this build on this machine: the SIMD shims against their scalar
// twins on random data, a WAV write/read round trip in every supported sample format, and (in a build
// with run-time ISA dispatch) every instruction-set path this CPU can run against the baseline path.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <nofold/isa/active.hpp>
#include <nofold/nofold.hpp>

#include "command.hpp"
#include "model_loading.hpp"
#include "wav.hpp"

namespace nofold::cli {
namespace {

// Largest |simd - scalar| over random inputs for a few shims; must be 0 (they are exact operations).
double simd_mismatch() {
    using V = simd::float_batch;
    constexpr int w = simd::lanes<V>;
    std::mt19937 rng(1234);
    std::normal_distribution<float> dist(0.0f, 3.0f);
    double worst = 0.0;
    for (int trial = 0; trial < 1000; ++trial) {
        float a[w], b[w], out[w];
        for (int i = 0; i < w; ++i) a[i] = dist(rng), b[i] = dist(rng);
        const V va = simd::load<V>(a), vb = simd::load<V>(b);
        simd::store(out, simd::max(simd::min(va, vb) * vb, simd::abs(va) - vb));
        for (int i = 0; i < w; ++i) {
            const float expected = simd::max(simd::min(a[i], b[i]) * b[i], std::fabs(a[i]) - b[i]);
            worst = std::max(worst, static_cast<double>(std::fabs(out[i] - expected)));
        }
    }
    return worst;
}

// Writes a sine in `format`, reads it back, returns the max error relative to full scale.
double wav_round_trip_error(SampleFormat format, const std::filesystem::path& dir) {
    Audio audio;
    audio.sample_rate_hz = 48000;
    audio.format = format;
    audio.channels.assign(2, std::vector<float>(4800));
    for (std::size_t i = 0; i < 4800; ++i) {
        audio.channels[0][i] = static_cast<float>(0.9 * std::sin(2 * M_PI * 441.0 * static_cast<double>(i) / 48000));
        audio.channels[1][i] = -audio.channels[0][i];
    }
    const auto path = (dir / (std::string("selfcheck_") + to_string(format) + ".wav")).string();
    write_wav(path, audio);
    const Audio back = read_wav(path);
    std::filesystem::remove(path);
    if (back.format != format || back.channels.size() != 2 || back.frames() != 4800) return 1.0;
    double worst = 0.0;
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < 4800; ++i)
            worst = std::max(worst, static_cast<double>(std::fabs(back.channels[c][i] - audio.channels[c][i])));
    return worst;
}

// Paths (FMA or not, 4/8/16 lanes) round differently; the WaveNet and LSTM outputs below must agree
// within this much of full scale (docs/isa-dispatch.md has the measured differences).
constexpr double isa_tolerance = 1e-5;

struct IsaRow {
    isa::Level level;
    const char* simd_arch;
    double max_difference;  // vs the baseline path, max over the test networks
};

// Output of the demo WaveNet (static preset and runtime engine) and a random LSTM 1x16, concatenated,
// built with whatever isa::selected() says now.
std::vector<float> isa_probe_output() {
    std::vector<float> in(4096);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> noise(-0.3f, 0.3f);
    for (std::size_t i = 0; i < in.size(); ++i)
        in[i] = static_cast<float>(0.5 * std::sin(2 * M_PI * 220.0 * static_cast<double>(i) / 48000)) + noise(rng);
    std::vector<float> result;
    auto run = [&](Model& m) {
        std::vector<float> out(in.size());
        m.process(in.data(), out.data(), static_cast<int>(in.size()));
        result.insert(result.end(), out.begin(), out.end());
    };
    const io::ModelFile demo = io::read_model_text("demo.nam", demo_model().dump());
    for (const io::Dispatch d : {io::Dispatch::automatic, io::Dispatch::runtime_only}) {
        io::LoadOptions options;
        options.dispatch = d;
        run(*build_model(demo, options).model);
    }
    io::ModelFile lstm = demo;
    lstm.model.config = nn::LstmConfig{1, 16, 1};
    lstm.model.weights.resize(nn::weight_count(lstm.model.config));
    std::normal_distribution<float> w(0.0f, 0.3f);
    for (float& x : lstm.model.weights) x = w(rng);
    run(*build_model(lstm).model);
    return result;
}

// Every usable level against the baseline; leaves the selection as it was.
std::vector<IsaRow> isa_paths() {
    isa::force(isa::Level::baseline);
    const std::vector<float> reference = isa_probe_output();
    std::vector<IsaRow> rows{{isa::Level::baseline, isa::active_path().simd_arch, 0.0}};
    for (int i = 1; i < isa::level_count; ++i) {
        const auto level = static_cast<isa::Level>(i);
        if (!isa::force(level)) continue;
        const std::vector<float> out = isa_probe_output();
        double worst = out.size() == reference.size() ? 0.0 : 1.0;
        for (std::size_t k = 0; k < out.size() && k < reference.size(); ++k)
            worst = std::max(worst, static_cast<double>(std::fabs(out[k] - reference[k])));
        rows.push_back({level, isa::active_path().simd_arch, worst});
    }
    isa::clear_force();
    return rows;
}

std::function<void()> add_selfcheck(CLI::App& app) {
    auto json = std::make_shared<bool>(false);
    app.add_flag("--json", *json, "print the result as JSON");
    return [json] {
        const auto dir = std::filesystem::temp_directory_path();
        const double simd_error = simd_mismatch();
        // A format passes when its error is within half a quantisation step (float: exact).
        struct Row {
            SampleFormat format;
            double tolerance;
            double error;
        };
        std::vector<Row> rows = {{SampleFormat::pcm16, 0.5 / 32768.0, 0},
                                 {SampleFormat::pcm24, 0.5 / 8388608.0, 0},
                                 {SampleFormat::pcm32, 1e-7, 0},
                                 {SampleFormat::float32, 0.0, 0}};
        bool ok = simd_error == 0.0;
        const std::vector<IsaRow> isa_rows = isa_paths();
        for (const auto& row : isa_rows) ok = ok && row.max_difference <= isa_tolerance;
        const isa::Path path = isa::active_path();
        for (auto& row : rows) {
            row.error = wav_round_trip_error(row.format, dir);
            ok = ok && row.error <= row.tolerance;
        }
        if (*json) {
            Json out;
            out["version"] = version_string;
            out["simd"] = simd::arch_name;
            out["float_lanes"] = simd::lanes<simd::float_batch>;
            out["simd_max_error"] = simd_error;
            for (const auto& row : rows) out["wav_max_error"][to_string(row.format)] = row.error;
            out["isa"] = {{"selected", isa::level_name(path.level)}, {"simd", path.simd_arch},
                          {"float_lanes", path.float_lanes}, {"fused_multiply_add", path.fused_multiply_add},
                          {"dispatch", path.dispatched}, {"tolerance", isa_tolerance}};
            for (const auto& row : isa_rows)
                out["isa"]["paths"].push_back({{"level", isa::level_name(row.level)}, {"simd", row.simd_arch},
                                               {"max_difference", row.max_difference}});
            out["ok"] = ok;
            print_json(out);
        } else {
            std::printf("nofold %s, SIMD %s (%d float lanes)\n", version_string, simd::arch_name,
                        simd::lanes<simd::float_batch>);
            std::printf("  SIMD shims vs scalar: max |difference| %g\n", simd_error);
            std::printf("  models run: %s (%s, %d float lanes%s)%s\n", isa::level_name(path.level), path.simd_arch,
                        path.float_lanes, path.fused_multiply_add ? ", FMA" : "",
                        path.dispatched ? ", chosen at run time" : ", fixed at compile time");
            for (const auto& row : isa_rows)
                std::printf("  path %-8s (%s) vs baseline: max |difference| %.3g (allowed %.3g)\n", isa::level_name(row.level),
                            row.simd_arch, row.max_difference, isa_tolerance);
            for (const auto& row : rows)
                std::printf("  WAV %-5s round trip: max |error| %.3g (allowed %.3g)\n", to_string(row.format),
                            row.error, row.tolerance);
            std::printf("%s\n", ok ? "self-check passed" : "self-check FAILED");
        }
        if (!ok) throw FileError("self-check failed");
    };
}


}  // namespace

Command selfcheck_command() { return {"selfcheck", "check this build: SIMD layer and WAV I/O", add_selfcheck}; }

}  // namespace nofold::cli
