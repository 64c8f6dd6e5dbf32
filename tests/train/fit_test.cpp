// Claims about include/nofold/train/align.hpp and include/nofold/train/fit.hpp: the cross-correlation
// finds an inserted delay exactly (a memoryless curve and the white-box diode clipper); a nano-shaped
// WaveNet trained on the diode clipper (dsp::DiodeClipperModel, the independent reference) reaches a
// validation ESR ≤ 0.02 deterministically, and the written .nam loads through io::load and reproduces
// the trainer's validation output; pairs that cannot be trained on are refused with a message.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include <unistd.h>

#include <nofold/dsp/diode_clipper_model.hpp>
#include <nofold/io/load.hpp>
#include <nofold/train/align.hpp>
#include <nofold/train/fit.hpp>

#include "support/model_loading.hpp"

namespace train = nofold::train;

namespace {

// A guitar-like test signal: notes (two partials each, random pitch and level, decaying) over a little noise.
std::vector<float> phrase(std::size_t n, std::uint64_t seed, double fs = 48000.0) {
    train::Random r(seed, 1);
    std::vector<float> x(n, 0.0f);
    const double pi = 3.14159265358979323846;
    for (std::size_t start = 0; start < n; start += static_cast<std::size_t>(fs * 0.25)) {
        const double f = 82.0 * std::pow(2.0, r.uniform(0.0, 3.0));
        const double a = r.uniform(0.05, 0.9);
        const double ph = r.uniform(0.0, 2 * pi);
        for (std::size_t i = start; i < n; ++i) {
            const double t = static_cast<double>(i - start) / fs;
            const double env = a * std::exp(-3.0 * t);
            if (env < 1e-4) break;
            x[i] += static_cast<float>(env * (std::sin(2 * pi * f * t + ph) + 0.3 * std::sin(4 * pi * f * t)));
        }
    }
    for (float& v : x) v = static_cast<float>(0.7 * std::tanh(v) + 0.003 * r.uniform(-1.0, 1.0));
    return x;
}

// The diode clipper at 16×, its whole-sample latency removed.
std::vector<float> clipper(const std::vector<float>& x, double drive_db) {
    nofold::dsp::DiodeClipperModel m(48000.0, drive_db);
    const int lat = m.latency();
    std::vector<float> in(x.size() + static_cast<std::size_t>(lat), 0.0f), out(in.size());
    std::copy(x.begin(), x.end(), in.begin());
    m.process(in.data(), out.data(), static_cast<int>(in.size()));
    return std::vector<float>(out.begin() + lat, out.end());
}

std::vector<float> delayed(const std::vector<float>& y, std::size_t d) {
    std::vector<float> out(y.size(), 0.0f);
    for (std::size_t i = d; i < y.size(); ++i) out[i] = y[i - d];
    return out;
}

}  // namespace

TEST_CASE("find_delay: an inserted delay is found exactly") {
    const std::vector<float> x = phrase(48000, 3);
    std::vector<float> curve(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) curve[i] = std::tanh(3.0f * x[i]);
    for (std::size_t d : {0u, 1u, 37u, 1000u}) {
        const train::Alignment a = train::find_delay(x.data(), delayed(curve, d).data(), x.size(), 2048);
        CHECK(a.delay_samples == static_cast<int>(d));
        CHECK(a.correlation > 0.8);
    }
    // A polarity-inverting device still aligns, with a negative correlation.
    std::vector<float> inverted = delayed(curve, 12);
    for (float& v : inverted) v = -v;
    const train::Alignment inv = train::find_delay(x.data(), inverted.data(), x.size(), 2048);
    CHECK(inv.delay_samples == 12);
    CHECK(inv.correlation < -0.8);
    // The target leading the input gives a negative delay.
    CHECK(train::find_delay(delayed(x, 25).data(), x.data(), x.size(), 100).delay_samples == -25);
    // The white-box clipper (its filters smear the peak over neighbours, not off it).
    // The white-box clipper: its RC filter and the fractional part of its latency put its own peak d0
    // near 0; an inserted delay moves the peak by exactly that delay.
    const std::vector<float> y = clipper(x, 6.0);
    const int d0 = train::find_delay(x.data(), y.data(), x.size(), 2048).delay_samples;
    CHECK(std::abs(d0) <= 2);
    CHECK(train::find_delay(x.data(), delayed(y, 123).data(), x.size(), 2048).delay_samples == d0 + 123);
    // Silence: no delay, no correlation.
    const std::vector<float> zero(x.size(), 0.0f);
    CHECK(train::find_delay(x.data(), zero.data(), x.size(), 16).correlation == 0.0);
    CHECK_THROWS_AS(train::find_delay(x.data(), y.data(), 10, 16), std::invalid_argument);
}

TEST_CASE("fit: a nano WaveNet learns the diode clipper; the .nam reproduces the validation output") {
    const std::vector<float> x = phrase(4 * 48000, 7);
    const std::vector<float> device = clipper(x, 6.0);
    const std::vector<float> y = delayed(device, 17);
    const int d0 = train::find_delay(x.data(), device.data(), x.size(), 64).delay_samples;
    train::FitSettings s;
    std::string error;
    s.config = train::architecture_config("nano", {}, false, error);
    REQUIRE(error.empty());
    s.architecture_name = "nano";
    // Small and fast for CI: 3 epochs of 12 batches of 2 × 2048 samples (plus the 4092-sample warm-up).
    s.epochs = 3;
    s.items = 2;
    s.frame_length = 2048;
    s.batches_per_epoch = 12;
    s.seed = 1;
    s.threads = 2;
    s.adam.learning_rate = 0.03;
    const train::FitResult r = train::fit(x, y, s);
    MESSAGE("validation ESR " << r.validation_esr << ", training ESR " << r.training_esr << ", ASR " << r.asr << ", "
                              << r.trainer.elapsed_seconds << " s");
    CHECK(r.latency_measured);
    CHECK(r.latency_samples == 17 + d0);
    CHECK(r.validation_esr <= 0.02);
    CHECK(r.validation_esr == r.trainer.best_validation);
    CHECK(r.asr > 0.0);

    const std::string path = "/tmp/nofold_fit_test.nam";
    const std::string text = train::nam_text(r, s);
    CHECK(text.find("\"validation_esr\"") != std::string::npos);
    CHECK(text.find("\"architecture\": \"nano\"") != std::string::npos);
    {
        std::ofstream f(path);
        f << text;
    }
    nofold::io::LoadedModel loaded = nofold::test::load_model(path);
    std::remove(path.c_str());
    CHECK(loaded.file.metadata.sample_rate_hz == 48000.0);
    // Run it over the same held-out part, preceded by the same history, and compare.
    const std::size_t lead = 4092;
    std::vector<float> in(x.begin() + static_cast<std::ptrdiff_t>(r.validation_start - lead), x.end() - r.latency_samples), out(in.size());
    loaded.model->reset();
    loaded.model->prewarm();
    loaded.model->process(in.data(), out.data(), static_cast<int>(in.size()));
    REQUIRE(r.validation_output.size() == in.size() - lead);
    double err = 0, ref = 0;
    for (std::size_t i = 0; i < r.validation_output.size(); ++i) {
        err = std::max(err, static_cast<double>(std::abs(out[lead + i] - r.validation_output[i])));
        ref = std::max(ref, static_cast<double>(std::abs(r.validation_output[i])));
    }
    CHECK(err <= 1e-5 * ref);

    // Deterministic: the same seed gives the same model on one thread.
    s.threads = 1;
    s.epochs = 1;
    s.batches_per_epoch = 2;
    const train::FitResult a = train::fit(x, y, s), b = train::fit(x, y, s);
    CHECK(a.parameters == b.parameters);
}

TEST_CASE("fit: pairs that cannot be trained on are refused with a message") {
    const std::vector<float> x = phrase(48000, 5);
    const std::vector<float> y = clipper(x, 0.0);
    train::FitSettings s;
    std::string error;
    s.config = train::architecture_config("lstm:4x1", {}, false, error);
    REQUIRE(error.empty());
    s.epochs = 1;
    s.frame_length = 1024;
    s.items = 2;
    const auto refused = [&](const std::vector<float>& in, const std::vector<float>& out, const std::string& text) {
        CHECK_THROWS_WITH_AS(train::fit(in, out, s), doctest::Contains(text.c_str()), std::invalid_argument);
    };
    refused(x, std::vector<float>(y.begin(), y.end() - 1), "differ in length");
    std::vector<float> nan = x;
    nan[100] = NAN;
    refused(nan, y, "NaN");
    refused(x, std::vector<float>(x.size(), 0.0f), "target is silent");
    std::vector<float> clipped = x;
    for (std::size_t i = 0; i < 1000; ++i) clipped[i * 20] = 1.0f;
    refused(clipped, y, "input is clipped");
    refused(std::vector<float>(x.begin(), x.begin() + 3000), std::vector<float>(y.begin(), y.begin() + 3000), "too short");
    refused(delayed(x, 30), x, "leads the input");
    CHECK(train::architecture_config("lstm:0x1", {}, false, error).index() == 0);
    CHECK(error.find("HxL") != std::string::npos);
    train::architecture_config("bogus", {}, false, error);
    CHECK(error.find("unknown architecture") != std::string::npos);
    train::architecture_config("lstm:8x1", nofold::nn::ActivationSpec{"Tanh", {}}, false, error);
    CHECK(error.find("WaveNets only") != std::string::npos);
    s.config = nofold::nn::LinearConfig{32, true};
    refused(x, y, "only WaveNet, LSTM and GRU");
}

TEST_CASE("architecture_config: a custom shape from a JSON file (a .nam config, alone or with its architecture)") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("nofold_fit_test_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto write = [&](const char* name, const std::string& text) {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    };
    const std::string array = R"({"input_size":1,"condition_size":1,"channels":3,"head_size":1,"kernel_size":2,)"
                              R"("dilations":[1,3,9],"activation":"Tanh","gated":false,"head_bias":true})";
    const std::string bare = write("bare.json", R"({"layers":[)" + array + R"(],"head":null,"head_scale":0.5})");
    std::string error;
    nofold::nn::ModelConfig c = train::architecture_config(bare, nofold::nn::ActivationSpec{"Hardtanh", {}}, true, error);
    REQUIRE(error.empty());
    REQUIRE(std::holds_alternative<nofold::nn::WaveNetConfig>(c));
    const auto& w = std::get<nofold::nn::WaveNetConfig>(c);
    REQUIRE(w.layers.size() == 1);
    CHECK(w.layers[0].channels == 3);
    CHECK(w.layers[0].dilations == std::vector<int>{1, 3, 9});
    CHECK(w.layers[0].activations.front().name == "Hardtanh");
    CHECK(w.layers[0].gating_modes.front() == nofold::nn::GatingMode::gated);
    CHECK(w.head_scale == 0.5f);
    // By hand, ungated: rechannel 3·1; per layer 3·3·2 conv + 3 bias + 3 mixin + 3·3 1×1 + 3 bias = 36, three
    // layers; head 3·1 + 1 bias; head_scale 1 → 3 + 108 + 4 + 1 = 116.
    CHECK(nofold::nn::weight_count(train::architecture_config(bare, {}, false, error)) == 116);

    const std::string lstm = write("lstm.json", R"({"architecture":"LSTM","config":{"input_size":1,"hidden_size":5,"num_layers":2},"weights":[]})");
    c = train::architecture_config(lstm, {}, false, error);
    REQUIRE(std::holds_alternative<nofold::nn::LstmConfig>(c));
    CHECK(std::get<nofold::nn::LstmConfig>(c).hidden_size == 5);
    CHECK(std::get<nofold::nn::LstmConfig>(c).num_layers == 2);
    train::architecture_config(lstm, nofold::nn::ActivationSpec{"Tanh", {}}, false, error);
    CHECK(error.find("WaveNets only") != std::string::npos);

    // A whole .nam gives its shape (weights ignored).
    c = train::architecture_config(write("model.nam", R"({"version":"0.5.4","architecture":"WaveNet","config":{"layers":[)" + array +
                                                          R"(],"head":null,"head_scale":0.5},"weights":[0.1,0.2]})"),
                                   {}, false, error);
    CHECK(error.empty());
    CHECK(nofold::nn::weight_count(c) == 116);

    train::architecture_config((dir / "missing.json").string(), {}, false, error);
    CHECK(error.find("missing.json") != std::string::npos);
    train::architecture_config(write("linear.json", R"({"architecture":"Linear","config":{}})"), {}, false, error);
    CHECK(error.find("WaveNet or an LSTM") != std::string::npos);
    train::architecture_config(write("typo.json", R"({"layers":[)" + array + R"(],"head_scael":1})"), {}, false, error);
    CHECK(error.find("head_scael") != std::string::npos);
    train::architecture_config(write("broken.json", "{\"layers\": ["), {}, false, error);
    CHECK(error.find("broken.json") != std::string::npos);
    fs::remove_all(dir);
}
