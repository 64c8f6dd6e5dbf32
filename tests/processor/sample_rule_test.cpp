// Claims about nofold's sample rule (simd::sanitize, stated in the README): every public processing
// type — half-band stages, cascades, run-time oversampler, resampler, DC blocker, oversampled and
// resampled models, every loaded model kind (static and runtime WaveNet, LSTM, GRU, ConvNet, the
// GuitarML wrapper with its skip path, Sequential and SlimmableContainer) and the Processor — treats
// NaN and ±inf input as 0 and clamps |x| > 2^64 to ±2^64 before anything reaches its state.
// Reference: the same object fed the same signal with those samples replaced by exactly what the
// rule says (0, or ±2^64). The outputs must be identical bit for bit, from the first sample to the
// last, so a bad sample can never mute the rest of the stream (issue 17: one NaN into the default
// IIR oversampler or the resampler silenced everything after it). Signals: a 997 Hz sine at 48 kHz,
// a burst of 10 NaN, 10 +inf and 10 −inf (or of ±3e38 and ±1e30) after 4000 samples, processed in
// blocks of 100 so the burst lands inside and across blocks.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <nofold/dsp/cascade.hpp>
#include <nofold/dsp/dc_blocker.hpp>
#include <nofold/dsp/halfband_fir.hpp>
#include <nofold/dsp/halfband_iir.hpp>
#include <nofold/dsp/oversampled.hpp>
#include <nofold/dsp/oversampled_model.hpp>
#include <nofold/dsp/oversampler.hpp>
#include <nofold/dsp/resampled_model.hpp>
#include <nofold/dsp/resampler.hpp>
#include <nofold/io/load.hpp>
#include <nofold/processor.hpp>

#include "support/model_loading.hpp"
#include "support/simple_model.hpp"

namespace dsp = nofold::dsp;

namespace {

constexpr int sine_before = 4000;
constexpr int total = 12000;
constexpr int block = 100;

/// A block processor: reads `n` input values, appends its output to `out`.
using Stage = std::function<void(const float* in, int n, std::vector<float>& out)>;
/// Makes a fresh stage (so both runs start from the same state).
using Factory = std::function<Stage()>;

std::vector<float> sine(int n, int stride = 1) {
    std::vector<float> x(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        x[static_cast<std::size_t>(i)] = static_cast<float>(0.5 * std::sin(2 * M_PI * 997.0 * (i / stride) / 48000.0));
    return x;
}

std::vector<float> run(const Factory& make, const std::vector<float>& x, int frame) {
    Stage stage = make();
    std::vector<float> y;
    const int n = static_cast<int>(x.size());
    const int step = block / frame * frame;
    for (int pos = 0; pos < n; pos += step) stage(x.data() + pos, std::min(step, n - pos), y);
    return y;
}

struct Burst {
    std::vector<float> bad, ruled;  // the input with the burst, and with what the rule makes of it
};

Burst nan_burst(const std::vector<float>& x, int at) {
    Burst b{x, x};
    const float values[3] = {std::numeric_limits<float>::quiet_NaN(), INFINITY, -INFINITY};
    for (int k = 0; k < 30; ++k) {
        b.bad[static_cast<std::size_t>(at + k)] = values[k / 10];
        b.ruled[static_cast<std::size_t>(at + k)] = 0.0f;
    }
    return b;
}

Burst huge_burst(const std::vector<float>& x, int at) {
    Burst b{x, x};
    const float values[4] = {3e38f, -3e38f, 1e30f, -1e30f};
    for (int k = 0; k < 20; ++k) {
        const float v = values[k / 5];
        b.bad[static_cast<std::size_t>(at + k)] = v;
        b.ruled[static_cast<std::size_t>(at + k)] = v > 0 ? nofold::simd::max_signal : -nofold::simd::max_signal;
    }
    return b;
}

/// `frame` = input values per output step (2 for a 2x down-sampler, so blocks never split a pair).
void check_rule(const std::string& name, const Factory& make, int frame = 1, int stride = 1, bool finite_model_output = true) {
    CAPTURE(name);
    const std::vector<float> x = sine(total * frame, stride);
    for (const Burst& b : {nan_burst(x, sine_before * frame + 3), huge_burst(x, sine_before * frame + 3)}) {
        const std::vector<float> y_bad = run(make, b.bad, frame);
        const std::vector<float> y_ruled = run(make, b.ruled, frame);
        REQUIRE(y_bad.size() == y_ruled.size());
        REQUIRE(!y_bad.empty());
        std::size_t differ = 0, non_finite_tail = 0;
        for (std::size_t i = 0; i < y_bad.size(); ++i)
            differ += std::memcmp(&y_bad[i], &y_ruled[i], sizeof(float)) != 0 ? 1 : 0;
        double tail_energy = 0.0;
        for (std::size_t i = y_bad.size() / 2; i < y_bad.size(); ++i) {
            non_finite_tail += std::isfinite(y_bad[i]) ? 0 : 1;
            tail_energy += double(y_bad[i]) * y_bad[i];
        }
        CHECK(differ == 0);
        if (!finite_model_output) continue;  // nam_convnet.json's random batchnorm gives NaN on its own
        CHECK(non_finite_tail == 0);
        CHECK(tail_energy > 1.0);  // not muted
    }
}

template <class T>
Factory filter(std::function<std::unique_ptr<T>()> make, int out_per_in_num, int out_per_in_den) {
    return [make, out_per_in_num, out_per_in_den] {
        std::shared_ptr<T> f = make();
        return Stage([f, out_per_in_num, out_per_in_den](const float* in, int n, std::vector<float>& out) {
            const std::size_t at = out.size();
            const int produced = n * out_per_in_num / out_per_in_den;
            out.resize(at + static_cast<std::size_t>(produced));
            f->process(in, out.data() + at, out_per_in_den == 2 ? produced : n);
        });
    };
}

Factory model_stage(std::function<std::unique_ptr<nofold::Model>()> make) {
    return [make] {
        std::shared_ptr<nofold::Model> m = make();
        m->prewarm();
        return Stage([m](const float* in, int n, std::vector<float>& out) {
            const std::size_t at = out.size();
            out.resize(at + static_cast<std::size_t>(n));
            m->process(in, out.data() + at, n);
        });
    };
}

std::filesystem::path source_root() { return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path(); }

std::unique_ptr<nofold::Model> load(const std::filesystem::path& file, nofold::io::Dispatch dispatch) {
    nofold::io::LoadOptions options;
    options.dispatch = dispatch;
    options.max_rate_factor = 4.0;
    return nofold::test::load_model(file.string(), options).model;
}

}  // namespace

TEST_CASE("sample rule: half-band stages, cascades, oversampler, resampler, DC blocker") {
    const auto iir6 = dsp::iir_halfband_coefs<6>(0.06);
    check_rule("IIRUpsampler2x block", filter<dsp::IIRUpsampler2x<6>>([&] { return std::make_unique<dsp::IIRUpsampler2x<6>>(iir6); }, 2, 1));
    check_rule("IIRUpsampler2x sections",
               filter<dsp::IIRUpsampler2x<6, float, dsp::IIRForm::sections>>(
                   [&] { return std::make_unique<dsp::IIRUpsampler2x<6, float, dsp::IIRForm::sections>>(iir6); }, 2, 1));
    check_rule("IIRDownsampler2x block",
               filter<dsp::IIRDownsampler2x<6>>([&] { return std::make_unique<dsp::IIRDownsampler2x<6>>(iir6); }, 1, 2), 2, 2);
    check_rule("IIRDownsampler2x sections",
               filter<dsp::IIRDownsampler2x<6, float, dsp::IIRForm::sections>>(
                   [&] { return std::make_unique<dsp::IIRDownsampler2x<6, float, dsp::IIRForm::sections>>(iir6); }, 1, 2),
               2, 2);
    check_rule("IIRDownsampler2x block_scalar",
               filter<dsp::IIRDownsampler2x<6, float, dsp::IIRForm::block_scalar>>(
                   [&] { return std::make_unique<dsp::IIRDownsampler2x<6, float, dsp::IIRForm::block_scalar>>(iir6); }, 1, 2),
               2, 2);
    const auto fir8 = dsp::fir_halfband_kaiser<8>(100.0);
    check_rule("FIRUpsampler2x", filter<dsp::FIRUpsampler2x<8>>([&] { return std::make_unique<dsp::FIRUpsampler2x<8>>(fir8); }, 2, 1));
    check_rule("FIRDownsampler2x",
               filter<dsp::FIRDownsampler2x<8>>([&] { return std::make_unique<dsp::FIRDownsampler2x<8>>(fir8); }, 1, 2), 2, 2);

    // Cascades and the run-time oversampler: up, then down through the same object, so both the
    // input side and what comes back from the high rate are covered.
    const auto round_trip = [](auto make) {
        return Factory([make] {
            auto c = std::shared_ptr<std::remove_reference_t<decltype(*make())>>(make());
            return Stage([c](const float* in, int n, std::vector<float>& out) {
                std::vector<float> high(static_cast<std::size_t>(n * c->factor_value()));
                c->up(in, high.data(), n);
                const std::size_t at = out.size();
                out.resize(at + static_cast<std::size_t>(n));
                c->down(high.data(), out.data() + at, n);
            });
        });
    };
    struct IirQuality2 : dsp::Cascade<2, dsp::IIRQuality> {
        int factor_value() const { return 2; }
    };
    struct IirFast4Integer : dsp::Cascade<4, dsp::IIRFast> {
        IirFast4Integer() : dsp::Cascade<4, dsp::IIRFast>(dsp::LatencyMode::integer) {}
        int factor_value() const { return 4; }
    };
    struct Fir16 : dsp::Cascade<16, dsp::FIRLinearPhase> {
        int factor_value() const { return 16; }
    };
    struct Runtime8 : dsp::Oversampler {
        Runtime8() : dsp::Oversampler(dsp::OversampleFactor::x8, dsp::FilterPreset::iir_quality) {}
        int factor_value() const { return factor(); }
    };
    check_rule("Cascade<2, IIRQuality>", round_trip([] { return std::make_unique<IirQuality2>(); }));
    check_rule("Cascade<4, IIRFast> integer latency", round_trip([] { return std::make_unique<IirFast4Integer>(); }));
    check_rule("Cascade<16, FIRLinearPhase>", round_trip([] { return std::make_unique<Fir16>(); }));
    check_rule("Oversampler x8 iir_quality", round_trip([] { return std::make_unique<Runtime8>(); }));

    check_rule("Resampler 44.1 -> 48 kHz", [] {
        auto r = std::make_shared<dsp::Resampler>(44100, 48000);
        return Stage([r](const float* in, int n, std::vector<float>& out) {
            const std::size_t at = out.size();
            out.resize(at + static_cast<std::size_t>(r->max_output(n)));
            out.resize(at + static_cast<std::size_t>(r->process(in, n, out.data() + at)));
        });
    });
    check_rule("DcBlocker", filter<dsp::DcBlocker>([] { return std::make_unique<dsp::DcBlocker>(10.0, 48000.0); }, 1, 1));
}

TEST_CASE("sample rule: every loaded model kind, alone, oversampled and resampled" *
          doctest::skip(!std::filesystem::is_directory(source_root() / "tests" / "fuzz" / "corpus"))) {
    const auto corpus = source_root() / "tests" / "fuzz" / "corpus";
    const std::vector<std::filesystem::path> files = {
        source_root() / "examples" / "models" / "nofold_demo_drive.nam",  // WaveNet (static preset)
        corpus / "nam_wavenet_tiny.json",  corpus / "nam_convnet.json", corpus / "nam_lstm_tiny.json",
        corpus / "guitarml_lstm.json",  // skip: 1, the NaN-through-the-skip-path case
        corpus / "guitarml_gru.json",      corpus / "keras_gru.json",   corpus / "nam_sequential.json",
        corpus / "nam_container.json"};
    const auto finite = [](const std::filesystem::path& f) { return f.filename() != "nam_convnet.json"; };
    for (const auto& file : files) {
        for (const auto dispatch : {nofold::io::Dispatch::automatic, nofold::io::Dispatch::runtime_only}) {
            const std::string name = file.filename().string() + (dispatch == nofold::io::Dispatch::automatic ? "" : " (runtime)");
            check_rule(name, model_stage([file, dispatch] { return load(file, dispatch); }), 1, 1, finite(file));
        }
        check_rule(file.filename().string() + " oversampled 2x iir", model_stage([file] {
                       return std::make_unique<dsp::OversampledModel>(load(file, nofold::io::Dispatch::automatic),
                                                                      dsp::OversampleFactor::x2, dsp::FilterPreset::iir_quality);
                   }),
                   1, 1, finite(file));
        check_rule(file.filename().string() + " resampled 44.1 kHz host", model_stage([file] {
                       return std::make_unique<dsp::ResampledModel>(load(file, nofold::io::Dispatch::automatic), 44100, 48000);
                   }),
                   1, 1, finite(file));
    }
}

namespace {
/// y = k·x + c for finite x, NaN otherwise: a model that does NOT follow the rule, so the Processor's
/// own guards (input, crossfade, DC blocker) are what is tested.
class CarelessModel final : public nofold::test::SimpleModel {
public:
    explicit CarelessModel(float k) : k_(k) {}
    void process(const float* in, float* out, int n) noexcept override {
        for (int i = 0; i < n; ++i) out[i] = std::isfinite(in[i]) && std::fabs(in[i]) <= nofold::simd::max_signal ? k_ * in[i] + 0.01f
                                                                                                                      : in[i] - in[i];
    }

private:
    float k_;
};

/// Feeds a NaN-producing model's output (a model whose weights overflow) straight at the Processor.
class OverflowingModel final : public nofold::test::SimpleModel {
public:
    void process(const float* in, float* out, int n) noexcept override {
        for (int i = 0; i < n; ++i) out[i] = in[i] * 3e38f * 3e38f;  // ±inf for any non-zero input
    }
};
}  // namespace

TEST_CASE("sample rule: the Processor guards its input, crossfade and DC blocker, across a model swap") {
    for (const auto dc : {nofold::DcBlock::on, nofold::DcBlock::off}) {
        check_rule(dc == nofold::DcBlock::on ? "Processor, DC blocker on" : "Processor, DC blocker off", [dc] {
            nofold::ProcessorSettings s;
            s.dc_block = dc;
            s.crossfade_ms = 50.0;  // 2400 samples: the burst at 4003 falls inside the fade below
            auto p = std::make_shared<nofold::Processor>(s);
            std::unique_ptr<nofold::Model> first = std::make_unique<CarelessModel>(1.0f);
            REQUIRE(p->submit(first) == nofold::SubmitStatus::accepted);
            auto blocks = std::make_shared<int>(0);
            return Stage([p, blocks](const float* in, int n, std::vector<float>& out) {
                if (++*blocks == 39) {  // start a crossfade at sample 3800
                    std::unique_ptr<nofold::Model> second = std::make_unique<CarelessModel>(-0.7f);
                    REQUIRE(p->submit(second) == nofold::SubmitStatus::accepted);
                }
                const std::size_t at = out.size();
                out.resize(at + static_cast<std::size_t>(n));
                p->process(in, out.data() + at, n);
            });
        });
    }
    // A model whose output overflows: the Processor's output stays finite and recovers as soon as
    // the model does (here: at once, for zero input), DC blocker included.
    nofold::Processor p;
    std::unique_ptr<nofold::Model> m = std::make_unique<OverflowingModel>();
    REQUIRE(p.submit(m) == nofold::SubmitStatus::accepted);
    std::vector<float> x(2000, 0.0f), y(2000);
    x[100] = 0.5f;
    p.process(x.data(), y.data(), 2000);
    int non_finite = 0;
    for (float v : y) non_finite += std::isfinite(v) ? 0 : 1;
    CHECK(non_finite == 0);
}
