// Parity with NAM Core: every shared model, loaded through io::load with Core's prewarm (whole blocks
// of 64 zeros) and processed in blocks of 64, reproduces Core's renders in ../shared/reference
// (reference: NeuralAmpModelerCore's own output, see that folder's README), for `exact` (math exact
// vs *.exact.wav) and `nam` (math nam vs *.fast.wav), and for each slimmable size Core rendered.
// Tolerances: error-to-signal <= -110 dB (hard). Max |error|: the target is 1e-5 (reported
// with WARN when missed); the hard bound is 5e-5 × max(1, peak of the reference), because Core
// rebuilt without FMA/AVX differs from these same references by up to 2.1e-5 (README "Portability
// indication"), so summation order alone moves deep models past 1e-5, and the synthetic models
// with outputs far above full scale (peak 55) sit several float ULPs above it (the last case here:
// Core's own a1_standard render is 1.21e-5 from an exact double-precision evaluation).
// Also: Core's prewarm counts (README table) equal io::nam_prewarm_samples.
//
// Whose rounding is it? The last case compares Core's render and nofold's with an independent
// double-precision evaluation of the same weights (tests/runtime/naive_wavenet.hpp: whole-signal loops
// written from docs/model-formats.md §2, std::tanh in double). Measured (AVX2+FMA, g++ 12, at 64cd572 with
// the nn/ work then in progress), max |error| / error-to-signal against the double result:
//   model                Core                 nofold
//   wavenet_a1_standard  1.21e-5 / −124.5 dB  1.47e-5 / −120.5 dB
//   slimmable_wavenet    2.0e-5  / −131.8 dB  2.0e-5  / −131.7 dB
//   wavenet              1.32e-7 / −136.2 dB  1.23e-7 / −136.4 dB
//   wavenet_a2_max       9.4e-6  / −139.0 dB  1.20e-5 / −139.5 dB  (peak 10.9; nofold−Core 1.05e-5)
// For a1_standard the 4 dB between Core and nofold are not tanh (glibc tanhf in place of the exact tier
// changes nothing); summation order is left. So the 1e-5 target of issue 5 is below Core's own rounding
// on these models. Tolerance (a regression guard at the measured state plus margin, the same for every
// model): nofold's max |error| against the double result at most 2 × Core's, and its error-to-signal
// ratio at most Core's + 6 dB.
// wavenet_a2_max was left out of this case until the naive model was found to be wrong, not Core or the
// spec: its layer1x1 read only the first `channels` rows of the activation output instead of all
// `bottleneck` rows, which matters only when bottleneck > channels — in wavenet_a2_max's condition_dsp,
// array 0 (3 channels, bottleneck 6, layer1x1 groups 3). Bisected with identity FiLMs and one layer at a
// time (every layer alone agreed to −143 dB; the array with two layers was −37 dB apart, and −143 dB with
// layer 0's layer1x1 zeroed). Core agrees with docs/model-formats.md here: in NeuralAmpModelerCore's
// NAM/wavenet/model.cpp (Layer::Process) the layer 1×1 of a gated or blended layer takes the top
// `bottleneck` rows of z, all of them. Before the fix the naive model was −57.5 dB from nofold and −59 dB
// from Core; after it, −139 dB from both. The Core quirk of docs/model-formats.md §2.6 is also visible in
// Core's render (that FiLM sits in the blended branch of Layer::Process only): applying layer1x1_post_film
// in every layer (the trainer's rule) instead of only in blended layers puts the double result at max
// |error| 1.67, −27.2 dB from Core (checked below).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <nofold/io/load.hpp>

#include "float_wav.hpp"
#include "runtime/naive_wavenet.hpp"
#include "support/alloc_counter.hpp"
#include "support/model_loading.hpp"
#include "support/shared_data.hpp"

namespace io = nofold::io;

namespace {

struct Case {
    const char* model;
    const char* input;
    double slim;  // < 0: no SetSlimmableSize call
    const char* slim_tag;
};

const Case cases[] = {
    {"wavenet", "input48k.wav", -1, ""},
    {"lstm", "input48k.wav", -1, ""},
    {"wavenet_a1_standard", "input48k.wav", -1, ""},
    {"A2", "input48k.wav", -1, ""},
    {"A2", "input48k.wav", 0.0, ".slim0"},
    {"A2", "input48k.wav", 1.0, ".slim1"},
    {"slimmable_container", "input48k.wav", -1, ""},
    {"slimmable_container", "input48k.wav", 0.0, ".slim0"},
    {"slimmable_container", "input48k.wav", 0.5, ".slim0p5"},
    {"slimmable_container", "input48k.wav", 1.0, ".slim1"},
    {"slimmable_wavenet", "input48k.wav", -1, ""},
    {"slimmable_wavenet", "input48k.wav", 0.0, ".slim0"},
    {"slimmable_wavenet", "input48k.wav", 0.5, ".slim0p5"},
    {"slimmable_wavenet", "input48k.wav", 1.0, ".slim1"},
    {"wavenet_a2_max", "input48k.wav", -1, ""},
    {"wavenet_condition_dsp", "input48k.wav", -1, ""},
    {"identity_linear_1", "input48k.wav", -1, ""},
    {"identity_linear_10", "input48k.wav", -1, ""},
    {"identity_wavenet_minimal", "input48k.wav", -1, ""},
    {"identity_wavenet_standard", "input48k.wav", -1, ""},
};

struct Result {
    double max_error = 0.0;
    double error_db = -400.0;
};

/// Max |y − ref| and the error-to-signal ratio of y against ref (a float render or a double result).
template <class R>
Result compare(const std::vector<float>& y, const std::vector<R>& ref) {
    Result r;
    long double e2 = 0.0L, s2 = 0.0L;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        const long double e = static_cast<long double>(y[i]) - static_cast<long double>(ref[i]);
        e2 += e * e;
        s2 += static_cast<long double>(ref[i]) * static_cast<long double>(ref[i]);
        r.max_error = std::max(r.max_error, static_cast<double>(std::fabs(e)));
    }
    if (e2 > 0.0L) r.error_db = static_cast<double>(10.0L * std::log10(e2 / s2));
    return r;
}

struct Render {
    std::vector<float> output;
    std::size_t allocations = 0;  ///< by prewarm and process
    std::string implementation;
};

/// Core's call sequence: loaded with Core's prewarm (whole blocks of 64 zeros), then blocks of 64.
Render render_like_core(const std::string& path, io::LoadOptions options, const nofold::test::FloatWav& input) {
    options.prewarm = io::PrewarmPolicy::nam_core;
    options.prewarm_block = 64;
    options.host_sample_rate_hz = input.sample_rate_hz;
    const io::LoadedModel m = nofold::test::load_model(path, options);
    Render r;
    r.output.resize(input.samples.size());
    r.implementation = m.model->implementation_name();
    std::vector<float>& y = r.output;
    nofold::test::AllocationScope scope;
    m.model->prewarm();
    for (std::size_t i = 0; i < y.size(); i += 64) {
        const int n = static_cast<int>(std::min<std::size_t>(64, y.size() - i));
        m.model->process(input.samples.data() + i, y.data() + i, n);
    }
    r.allocations = scope.allocations();
    return r;
}

// The double-precision output for `input`, with enough zeros in front that the model's state at the
// first sample is the one Core's prewarm leaves (both are the response to silence).
std::vector<double> double_truth(const io::ModelFile& file, const std::vector<float>& input, const naive::Options& options = {}) {
    const auto& cfg = std::get<nofold::nn::WaveNetConfig>(file.model.config);
    const std::size_t lead = 16384;  // above the receptive field of every model tested here
    naive::Signal in(1, std::vector<double>(lead + input.size(), 0.0));
    for (std::size_t i = 0; i < input.size(); ++i) in[0][lead + i] = static_cast<double>(input[i]);
    const naive::Signal out = naive::wavenet(cfg, file.model.weights, in, options);
    return std::vector<double>(out[0].begin() + static_cast<std::ptrdiff_t>(lead), out[0].end());
}

}  // namespace

TEST_CASE("parity: nofold reproduces NAM Core's renders of every shared model" *
          doctest::skip(nofold::test::shared_dir().empty())) {
    const auto shared = nofold::test::shared_dir();
    std::printf("\n%-28s %-9s %-6s %12s %10s  %s\n", "model", "size", "math", "max |err|", "err dB", "implementation");
    for (const Case& c : cases) {
        for (const auto math : {nofold::math::Accuracy::exact, nofold::math::Accuracy::nam}) {
            const bool exact = math == nofold::math::Accuracy::exact;
            const std::string ref_name = std::string(c.model) + c.slim_tag + (exact ? ".exact.wav" : ".fast.wav");
            CAPTURE(ref_name);
            nofold::test::FloatWav input, ref;
            REQUIRE(nofold::test::read_float_wav((shared / "reference" / c.input).string(), input));
            REQUIRE(nofold::test::read_float_wav((shared / "reference" / ref_name).string(), ref));
            REQUIRE(ref.samples.size() == input.samples.size());
            io::LoadOptions options;
            options.math = math;
            if (c.slim >= 0.0) options.slimmable_size = c.slim;
            const Render render = render_like_core((shared / "models" / (std::string(c.model) + ".nam")).string(), options, input);
            CHECK(render.allocations == 0);
            const std::vector<float>& y = render.output;
            const Result r = compare(y, ref.samples);
            std::printf("%-28s %-9s %-6s %12.3g %10.1f  %s\n", c.model, c.slim_tag, exact ? "exact" : "nam", r.max_error,
                        r.error_db, render.implementation.c_str());
            double peak = 0.0;
            for (float v : ref.samples) peak = std::max(peak, static_cast<double>(std::fabs(v)));
            WARN(r.max_error <= 1e-5);
            CHECK(r.max_error <= 5e-5 * std::max(1.0, peak));
            // An LSTM is the sensitive case: the recurrent state carries every rounding difference, so the
            // cell follows Core's formulas in both modes (nn/detail/recurrent_step.hpp: bias after W·[x; h],
            // exact gates 1/(1 + e^−x) and the two-branch tanh, the cell update unfused as in Core's
            // -ffp-contract=off renders). Measured for lstm exact / nam: default x86-64 flags −118.8 /
            // −113.8 dB (−109.4 / −111.0 before issue 17's change), AVX2+FMA −112.7 / −116.3 dB.
            CHECK(r.error_db <= -110.0);
        }
    }
}

TEST_CASE("parity: Core's prewarm counts (reference README table)" * doctest::skip(nofold::test::shared_dir().empty())) {
    const struct {
        const char* model;
        int samples;
    } expected[] = {{"wavenet", 23}, {"lstm", 24000}, {"wavenet_a1_standard", 4093}, {"wavenet_a2_max", 31},
                    {"wavenet_condition_dsp", 45}, {"identity_linear_1", 0}, {"identity_wavenet_minimal", 1},
                    {"identity_wavenet_standard", 4093}};
    for (const auto& e : expected) {
        CAPTURE(e.model);
        const io::ModelFile f = io::read_model_file((nofold::test::shared_dir() / "models" / (std::string(e.model) + ".nam")).string());
        CHECK(io::nam_prewarm_samples(f.model, f.metadata.sample_rate_hz.has_value()) == e.samples);
    }
    // A container reports its full-size submodel's count (A2: 6347, slimmable_container: 4093).
    const io::ModelFile a2 = io::read_model_file((nofold::test::shared_dir() / "models" / "A2.nam").string());
    CHECK(io::nam_prewarm_samples(a2.children.back().model, true) == 6347);
}

TEST_CASE("parity: nofold is as close to the exact (double) result as NAM Core's own float render" *
          doctest::skip(nofold::test::shared_dir().empty())) {
    const auto shared = nofold::test::shared_dir();
    nofold::test::FloatWav input;
    REQUIRE(nofold::test::read_float_wav((shared / "reference" / "input48k.wav").string(), input));
    std::printf("\n%-22s %12s %12s %12s %10s %10s\n", "model (exact tanh)", "core-double", "nofold-double", "nofold-core",
                "core dB", "nofold dB");
    for (const char* model : {"wavenet_a1_standard", "slimmable_wavenet", "wavenet", "wavenet_a2_max"}) {
        CAPTURE(model);
        const std::string path = (shared / "models" / (std::string(model) + ".nam")).string();
        nofold::test::FloatWav core;
        REQUIRE(nofold::test::read_float_wav((shared / "reference" / (std::string(model) + ".exact.wav")).string(), core));
        REQUIRE(core.samples.size() == input.samples.size());
        const std::vector<float> y = render_like_core(path, io::LoadOptions{}, input).output;
        const std::vector<double> truth = double_truth(io::read_model_file(path), input.samples);
        const Result core_d = compare(core.samples, truth);
        const Result ours_d = compare(y, truth);
        const Result between = compare(y, core.samples);
        std::printf("%-22s %12.3g %12.3g %12.3g %10.1f %10.1f\n", model, core_d.max_error, ours_d.max_error, between.max_error,
                    core_d.error_db, ours_d.error_db);
        CHECK(ours_d.max_error <= 2.0 * core_d.max_error);
        CHECK(ours_d.error_db <= core_d.error_db + 6.0);
    }
}

TEST_CASE("parity: Core applies layer1x1_post_film only in blended layers (docs/model-formats.md §2.6)" *
          doctest::skip(nofold::test::shared_dir().empty())) {
    // Reference: Core's render of wavenet_a2_max (its condition_dsp has gated and blended layers, its main
    // array an ungated one, all with layer1x1_post_film) against the naive double model under each rule.
    // Measured: Core's rule −139.0 dB, the trainer's rule −27.2 dB (max |error| 1.67). Bounds: −120 dB and
    // −60 dB, so the test fails if Core's references ever follow the trainer.
    const auto shared = nofold::test::shared_dir();
    nofold::test::FloatWav input, core;
    REQUIRE(nofold::test::read_float_wav((shared / "reference" / "input48k.wav").string(), input));
    REQUIRE(nofold::test::read_float_wav((shared / "reference" / "wavenet_a2_max.exact.wav").string(), core));
    const io::ModelFile file = io::read_model_file((shared / "models" / "wavenet_a2_max.nam").string());
    naive::Options trainer;
    trainer.core_film_quirk = false;
    const Result core_rule = compare(core.samples, double_truth(file, input.samples));
    const Result trainer_rule = compare(core.samples, double_truth(file, input.samples, trainer));
    MESSAGE("Core's rule " << core_rule.error_db << " dB, trainer's rule " << trainer_rule.error_db << " dB (max |error| "
                           << trainer_rule.max_error << ")");
    CHECK(core_rule.error_db <= -120.0);
    CHECK(trainer_rule.error_db >= -60.0);
}
