// How far NAM Core's own renders are from the exact result, next to how far nofold's are.
//
// parity_test.cpp compares nofold with Core's float renders. On deep models the two differ by a few
// 1e-5 at the loudest samples, and the question is whose rounding that is. Here both are compared with
// an independent double-precision evaluation of the same weights (tests/runtime/naive_wavenet.hpp:
// whole-signal loops written from model-formats.md §1.1, std::tanh in double). If Core's float render
// is itself further than 1e-5 from that result, no float implementation that sums in a different order
// can promise 1e-5 against it; what can be asked is that nofold is no less accurate than Core.
// Measured (AVX2+FMA): a1_standard Core 1.21e-5 / −124.5 dB from the double result, nofold 1.69e-5 /
// −120.4 dB (the 4 dB are not tanh: glibc tanhf in place of the exact tier changes nothing; summation
// order is left); slimmable_wavenet both 2.0e-5. So the 1e-5 target of issue 5 is below Core's own
// rounding on these models.
// Reference: ../shared/reference (Core's renders) and the naive double model. Tolerance (a regression
// guard at the measured state plus margin): nofold's max |error| against the double result at most
// 2 × Core's, and its error-to-signal ratio at most Core's + 6 dB.
// wavenet_a2_max is left out: the naive model and Core read that synthetic file differently (−59 dB
// apart, while nofold follows Core to 1.05e-5); which feature the naive model treats differently is
// not yet known.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <nofold/io/load.hpp>

#include "float_wav.hpp"
#include "runtime/naive_wavenet.hpp"
#include "support/shared_data.hpp"

namespace io = nofold::io;

namespace {

struct Distance {
    double max_error = 0.0;
    double error_db = -400.0;
};

Distance distance(const std::vector<float>& y, const std::vector<double>& truth) {
    Distance d;
    long double e2 = 0.0L, s2 = 0.0L;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const long double e = static_cast<long double>(y[i]) - static_cast<long double>(truth[i]);
        e2 += e * e;
        s2 += static_cast<long double>(truth[i]) * static_cast<long double>(truth[i]);
        d.max_error = std::max(d.max_error, static_cast<double>(std::fabs(e)));
    }
    if (e2 > 0.0L) d.error_db = static_cast<double>(10.0L * std::log10(e2 / s2));
    return d;
}

// The double-precision output for `input`, with enough zeros in front that the model's state at the
// first sample is the one Core's prewarm leaves (both are the response to silence).
std::vector<double> double_truth(const io::ModelFile& file, const std::vector<float>& input) {
    const auto& cfg = std::get<nofold::nn::WaveNetConfig>(file.model.config);
    const std::size_t lead = 16384;  // above the receptive field of every model tested here
    naive::Signal in(1, std::vector<double>(lead + input.size(), 0.0));
    for (std::size_t i = 0; i < input.size(); ++i) in[0][lead + i] = static_cast<double>(input[i]);
    const naive::Signal out = naive::wavenet(cfg, file.model.weights, in, naive::Options{});
    return std::vector<double>(out[0].begin() + static_cast<std::ptrdiff_t>(lead), out[0].end());
}

}  // namespace

TEST_CASE("parity: nofold is as close to the exact (double) result as NAM Core's own float render" *
          doctest::skip(nofold::test::shared_dir().empty())) {
    const auto shared = nofold::test::shared_dir();
    nofold::test::FloatWav input;
    REQUIRE(nofold::test::read_float_wav((shared / "reference" / "input48k.wav").string(), input));
    std::printf("\n%-22s %12s %12s %12s %10s %10s\n", "model (exact tanh)", "core-double", "nofold-double", "nofold-core",
                "core dB", "nofold dB");
    for (const char* model : {"wavenet_a1_standard", "slimmable_wavenet", "wavenet"}) {
        CAPTURE(model);
        const std::string path = (shared / "models" / (std::string(model) + ".nam")).string();
        nofold::test::FloatWav core;
        REQUIRE(nofold::test::read_float_wav((shared / "reference" / (std::string(model) + ".exact.wav")).string(), core));
        REQUIRE(core.samples.size() == input.samples.size());

        io::LoadOptions options;
        options.prewarm = io::PrewarmPolicy::nam_core;
        options.prewarm_block = 64;
        options.host_sample_rate_hz = input.sample_rate_hz;
        const io::LoadedModel m = io::load(path, options);
        std::vector<float> y(input.samples.size());
        m.model->prewarm();
        for (std::size_t i = 0; i < y.size(); i += 64) {
            const int n = static_cast<int>(std::min<std::size_t>(64, y.size() - i));
            m.model->process(input.samples.data() + i, y.data() + i, n);
        }

        const std::vector<double> truth = double_truth(io::read_model_file(path), input.samples);
        const Distance core_d = distance(core.samples, truth);
        const Distance ours_d = distance(y, truth);
        double between = 0.0;
        for (std::size_t i = 0; i < y.size(); ++i)
            between = std::max(between, static_cast<double>(std::fabs(y[i] - core.samples[i])));
        std::printf("%-22s %12.3g %12.3g %12.3g %10.1f %10.1f\n", model, core_d.max_error, ours_d.max_error, between,
                    core_d.error_db, ours_d.error_db);
        CHECK(ours_d.max_error <= 2.0 * core_d.max_error);
        CHECK(ours_d.error_db <= core_d.error_db + 6.0);
    }
}
