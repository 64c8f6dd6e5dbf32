// `nofold selfcheck [--json]`: checks this build on this machine: the SIMD shims against their scalar
// twins on random data, and a WAV write/read round trip in every supported sample format.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include <nofold/nofold.hpp>

#include "command.hpp"
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
            out["ok"] = ok;
            print_json(out);
        } else {
            std::printf("nofold %s, SIMD %s (%d float lanes)\n", version_string, simd::arch_name,
                        simd::lanes<simd::float_batch>);
            std::printf("  SIMD shims vs scalar: max |difference| %g\n", simd_error);
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
