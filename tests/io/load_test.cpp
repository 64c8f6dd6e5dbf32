// Claims about include/nofold/io/load.hpp: GuitarML and Keras/AIDA-X files run exactly the network
// their tensors describe (reference: naive double-precision LSTM/GRU cells written here from the
// PyTorch and Keras definitions, reading the tensors in the files' own layouts), with the wrapper
// (input gain, skip, output gain) and conditioning inputs; containers route correctly; rate
// mismatches are refused or adapted; processing never allocates. Tolerance: 1e-4 absolute on O(1)
// outputs (float model vs double reference over 3000 samples).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include <nofold/io/load.hpp>

#include "support/alloc_counter.hpp"
#include "support/json_text.hpp"
#include "support/model_loading.hpp"

namespace io = nofold::io;

namespace {

using nofold::test::json_matrix;
using nofold::test::Matrix;
std::string json_vector(const Matrix& m) { return nofold::test::json_row(m); }

struct Rng {
    std::mt19937 gen;
    explicit Rng(unsigned seed) : gen(seed) {}
    Matrix matrix(int rows, int cols, double scale = 0.6) {
        return nofold::test::uniform_matrix(rows, cols, gen, static_cast<float>(scale));
    }
    std::vector<float> signal(int n) {
        std::normal_distribution<float> d(0.0f, 0.4f);
        std::vector<float> x(static_cast<std::size_t>(n));
        for (float& v : x) v = d(gen);
        return x;
    }
};

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// PyTorch LSTM/GRU cell stack + linear output, straight from the torch.nn documentation.
struct TorchReference {
    bool lstm;
    int hidden;
    std::vector<Matrix> w_ih, w_hh, b_ih, b_hh;  // per layer; biases as 1 x G·H
    Matrix lin_w, lin_b;
    std::vector<std::vector<double>> h, c;

    double step(const std::vector<double>& input) {
        std::vector<double> x = input;
        const auto H = static_cast<std::size_t>(hidden);
        for (std::size_t l = 0; l < w_ih.size(); ++l) {
            const std::size_t G = lstm ? 4 : 3;
            std::vector<double> gi(G * H), gh(G * H);
            for (std::size_t r = 0; r < G * H; ++r) {
                gi[r] = b_ih[l][0][r];
                gh[r] = b_hh[l][0][r];
                for (std::size_t k = 0; k < x.size(); ++k) gi[r] += w_ih[l][r][k] * x[k];
                for (std::size_t k = 0; k < H; ++k) gh[r] += w_hh[l][r][k] * h[l][k];
            }
            for (std::size_t u = 0; u < H; ++u) {
                if (lstm) {
                    const double i = sigmoid(gi[u] + gh[u]), f = sigmoid(gi[H + u] + gh[H + u]);
                    const double g = std::tanh(gi[2 * H + u] + gh[2 * H + u]), o = sigmoid(gi[3 * H + u] + gh[3 * H + u]);
                    c[l][u] = f * c[l][u] + i * g;
                    h[l][u] = o * std::tanh(c[l][u]);
                } else {
                    const double r = sigmoid(gi[u] + gh[u]), z = sigmoid(gi[H + u] + gh[H + u]);
                    const double n = std::tanh(gi[2 * H + u] + r * gh[2 * H + u]);
                    h[l][u] = (1.0 - z) * n + z * h[l][u];
                }
            }
            x = h[l];
        }
        double y = lin_b[0][0];
        for (std::size_t u = 0; u < H; ++u) y += lin_w[0][u] * x[u];
        return y;
    }
};

// Keras LSTM (gate blocks i, f, c, o) / GRU (z, r, h; reset_after) + Dense, from the Keras docs.
struct KerasReference {
    bool lstm;
    int hidden;
    std::vector<Matrix> kernel, recurrent, bias;  // kernel I x G·H, recurrent H x G·H, bias 1 x G·H (LSTM) or 2 x G·H
    Matrix dense_w, dense_b;
    std::vector<std::vector<double>> h, c;

    double step(double input) {
        std::vector<double> x = {input};
        const auto H = static_cast<std::size_t>(hidden);
        for (std::size_t l = 0; l < kernel.size(); ++l) {
            const std::size_t G = lstm ? 4 : 3;
            std::vector<double> xin(G * H), rec(G * H);
            for (std::size_t col = 0; col < G * H; ++col) {
                xin[col] = bias[l][0][col];
                rec[col] = lstm ? 0.0 : bias[l][1][col];
                for (std::size_t k = 0; k < x.size(); ++k) xin[col] += x[k] * kernel[l][k][col];
                for (std::size_t k = 0; k < H; ++k) rec[col] += h[l][k] * recurrent[l][k][col];
            }
            for (std::size_t u = 0; u < H; ++u) {
                if (lstm) {
                    const double i = sigmoid(xin[u] + rec[u]), f = sigmoid(xin[H + u] + rec[H + u]);
                    const double g = std::tanh(xin[2 * H + u] + rec[2 * H + u]), o = sigmoid(xin[3 * H + u] + rec[3 * H + u]);
                    c[l][u] = f * c[l][u] + i * g;
                    h[l][u] = o * std::tanh(c[l][u]);
                } else {
                    const double z = sigmoid(xin[u] + rec[u]), r = sigmoid(xin[H + u] + rec[H + u]);
                    const double hh = std::tanh(xin[2 * H + u] + r * rec[2 * H + u]);
                    h[l][u] = z * h[l][u] + (1.0 - z) * hh;
                }
            }
            x = h[l];
        }
        double y = dense_b[0][0];
        for (std::size_t u = 0; u < H; ++u) y += dense_w[u][0] * x[u];
        return y;
    }
};

std::string guitarml_json(TorchReference& ref, Rng& rng, int inputs, int hidden, int layers, bool lstm, int skip) {
    const int G = lstm ? 4 : 3;
    ref.lstm = lstm;
    ref.hidden = hidden;
    std::string sd;
    for (int l = 0; l < layers; ++l) {
        ref.w_ih.push_back(rng.matrix(G * hidden, l == 0 ? inputs : hidden));
        ref.w_hh.push_back(rng.matrix(G * hidden, hidden));
        ref.b_ih.push_back(rng.matrix(1, G * hidden, 0.3));
        ref.b_hh.push_back(rng.matrix(1, G * hidden, 0.3));
        const std::string k = std::to_string(l);
        sd += "\"rec.weight_ih_l" + k + "\": " + json_matrix(ref.w_ih.back()) + ", \"rec.weight_hh_l" + k +
              "\": " + json_matrix(ref.w_hh.back()) + ", \"rec.bias_ih_l" + k + "\": " + json_vector(ref.b_ih.back()) +
              ", \"rec.bias_hh_l" + k + "\": " + json_vector(ref.b_hh.back()) + ", ";
    }
    ref.lin_w = rng.matrix(1, hidden);
    ref.lin_b = rng.matrix(1, 1, 0.1);
    ref.h.assign(static_cast<std::size_t>(layers), std::vector<double>(static_cast<std::size_t>(hidden), 0.0));
    ref.c = ref.h;
    return "{\"model_data\": {\"model\": \"SimpleRNN\", \"input_size\": " + std::to_string(inputs) + ", \"skip\": " +
           std::to_string(skip) + ", \"output_size\": 1, \"unit_type\": \"" + (lstm ? "LSTM" : "GRU") +
           "\", \"num_layers\": " + std::to_string(layers) + ", \"hidden_size\": " + std::to_string(hidden) +
           ", \"bias_fl\": true}, \"state_dict\": {" + sd + "\"lin.weight\": " + json_matrix(ref.lin_w) +
           ", \"lin.bias\": " + json_vector(ref.lin_b) + "}}";
}

std::string keras_json(KerasReference& ref, Rng& rng, int hidden, int layers, bool lstm, const std::string& extras) {
    const int G = lstm ? 4 : 3;
    ref.lstm = lstm;
    ref.hidden = hidden;
    std::string ls;
    for (int l = 0; l < layers; ++l) {
        ref.kernel.push_back(rng.matrix(l == 0 ? 1 : hidden, G * hidden));
        ref.recurrent.push_back(rng.matrix(hidden, G * hidden));
        ref.bias.push_back(rng.matrix(lstm ? 1 : 2, G * hidden, 0.3));
        ls += std::string("{\"type\": \"") + (lstm ? "lstm" : "gru") + "\", \"activation\": \"tanh\", \"shape\": [null, null, " +
              std::to_string(hidden) + "], \"weights\": [" + json_matrix(ref.kernel.back()) + ", " +
              json_matrix(ref.recurrent.back()) + ", " + (lstm ? json_vector(ref.bias.back()) : json_matrix(ref.bias.back())) +
              "]}, ";
    }
    ref.dense_w = rng.matrix(hidden, 1);
    ref.dense_b = rng.matrix(1, 1, 0.1);
    ref.h.assign(static_cast<std::size_t>(layers), std::vector<double>(static_cast<std::size_t>(hidden), 0.0));
    ref.c = ref.h;
    return "{\"in_shape\": [null, null, 1]" + extras + ", \"layers\": [" + ls +
           "{\"type\": \"dense\", \"activation\": \"\", \"shape\": [null, null, 1], \"weights\": [" + json_matrix(ref.dense_w) +
           ", " + json_vector(ref.dense_b) + "]}]}";
}

io::LoadedModel load_text(const std::string& text, const io::LoadOptions& options = {}) {
    return nofold::test::build_model(io::read_model_text("fixture.json", text, options.read), options, "fixture.json");
}

double max_error(nofold::Model& model, const std::vector<float>& x, const std::vector<double>& expected) {
    std::vector<float> y(x.size());
    nofold::test::AllocationScope scope;
    for (std::size_t i = 0; i < x.size(); i += 50)
        model.process(x.data() + i, y.data() + i, static_cast<int>(std::min<std::size_t>(50, x.size() - i)));
    CHECK(scope.allocations() == 0);
    double e = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) e = std::max(e, std::fabs(static_cast<double>(y[i]) - expected[i]));
    return e;
}

}  // namespace

TEST_CASE("load: GuitarML LSTM and GRU (1 and 2 layers, skip) equal the PyTorch definition") {
    for (const bool lstm : {true, false})
        for (const int layers : {1, 2})
            for (const int skip : {0, 1}) {
                CAPTURE(lstm);
                CAPTURE(layers);
                CAPTURE(skip);
                Rng rng(static_cast<unsigned>(100 + layers * 10 + skip + (lstm ? 1000 : 0)));
                TorchReference ref;
                const std::string text = guitarml_json(ref, rng, 1, 5, layers, lstm, skip);
                io::LoadedModel m = load_text(text);
                const std::vector<float> x = rng.signal(3000);
                std::vector<double> expected;
                for (float v : x) expected.push_back(ref.step({v}) + (skip ? v : 0.0));
                CHECK(max_error(*m.model, x, expected) <= 1e-4);
                CHECK(m.model_sample_rate_hz == 44100.0);  // GuitarML stores none; 44.1 kHz is assumed
            }
}

TEST_CASE("load: GuitarML conditioning inputs are parameters (folded into the bias)") {
    Rng rng(7);
    TorchReference ref;
    const std::string text = guitarml_json(ref, rng, 3, 4, 1, true, 1);
    io::LoadOptions options;
    options.parameters = {0.3};  // param1 = 0.3; param2 keeps the default 0.5
    io::LoadedModel m = load_text(text, options);
    REQUIRE(m.file.conditioning.size() == 2);
    const std::vector<float> x = rng.signal(3000);
    std::vector<double> expected;
    for (float v : x) expected.push_back(ref.step({v, 0.3, 0.5}) + v);
    CHECK(max_error(*m.model, x, expected) <= 1e-4);

    TorchReference gref;
    const std::string gru = guitarml_json(gref, rng, 2, 4, 1, false, 0);
    io::LoadOptions goptions;
    goptions.parameters = {0.8};
    io::LoadedModel g = load_text(gru, goptions);
    expected.clear();
    for (float v : x) expected.push_back(gref.step({v, 0.8}));
    CHECK(max_error(*g.model, x, expected) <= 1e-4);
}

TEST_CASE("load: Keras/AIDA-X LSTM and GRU with input gain, skip and output gain equal the Keras definition") {
    for (const bool lstm : {true, false})
        for (const int layers : {1, 2}) {
            CAPTURE(lstm);
            CAPTURE(layers);
            Rng rng(static_cast<unsigned>(200 + layers + (lstm ? 50 : 0)));
            KerasReference ref;
            const std::string text =
                keras_json(ref, rng, 6, layers, lstm, ", \"in_skip\": 1, \"in_gain\": 6.0, \"out_gain\": -3.0, \"samplerate\": 48000");
            io::LoadedModel m = load_text(text);
            CHECK(m.model_sample_rate_hz == 48000.0);
            const std::vector<float> x = rng.signal(3000);
            const double gi = std::pow(10.0, 6.0 / 20.0), go = std::pow(10.0, -3.0 / 20.0);
            std::vector<double> expected;
            for (float v : x) {
                const double u = static_cast<double>(static_cast<float>(gi) * v);
                expected.push_back(go * (ref.step(u) + u));
            }
            CHECK(max_error(*m.model, x, expected) <= 1e-4);
        }
}

TEST_CASE("load: AIDA-X golden vectors (input_batch/output_batch) are reproduced") {
    // A fixture whose golden output was computed by the Keras reference above; the file then checks
    // itself the way AIDA-X files with embedded batches do.
    Rng rng(31);
    KerasReference ref;
    const std::vector<float> x = rng.signal(256);
    std::string in = "[", out = "[";
    const std::string base = keras_json(ref, rng, 4, 1, true, "");
    for (std::size_t i = 0; i < x.size(); ++i) {
        char a[40], b[40];
        std::snprintf(a, sizeof a, "%s[%.9g]", i ? "," : "", static_cast<double>(x[i]));
        std::snprintf(b, sizeof b, "%s[%.9g]", i ? "," : "", ref.step(x[i]));
        in += a;
        out += b;
    }
    const std::string text = base.substr(0, base.size() - 1) + ", \"input_batch\": " + in + "], \"output_batch\": " + out + "]}";
    io::LoadedModel m = load_text(text);
    REQUIRE(m.file.golden_input.size() == 256);
    std::vector<double> expected(m.file.golden_output.begin(), m.file.golden_output.end());
    CHECK(max_error(*m.model, m.file.golden_input, expected) <= 1e-4);
}

TEST_CASE("load: containers, rate mismatches and dispatch reasons") {
    const std::string lstm = R"({"architecture": "LSTM", "sample_rate": 48000, "config": {"input_size": 1, "hidden_size": 1, "num_layers": 1},
      "weights": [0.5, 0.1, 0.2, -0.3, 0.4, 0.2, 0.1, -0.1, 0, 0, 0, 0, 0, 0, 1.0, 0.0]})";
    const std::string linear = R"({"architecture": "Linear", "sample_rate": 48000, "config": {"receptive_field": 2, "bias": false}, "weights": [0.5, 0.25]})";
    // Sequential: LSTM then FIR; the reference is the two run one after the other.
    io::LoadedModel seq = load_text(R"({"architecture": "Sequential", "config": {"models": [)" + lstm + ", " + linear + R"(]}, "weights": []})");
    io::LoadedModel a = load_text(lstm), b = load_text(linear);
    Rng rng(9);
    const std::vector<float> x = rng.signal(500);
    std::vector<float> y1(x.size()), y2(x.size()), ys(x.size());
    a.model->process(x.data(), y1.data(), 500);
    b.model->process(y1.data(), y2.data(), 500);
    seq.model->process(x.data(), ys.data(), 500);
    CHECK(ys == y2);
    CHECK(seq.dispatch.size() == 2);
    CHECK(seq.dispatch[1].path == "$.config.models[1]");

    // Rate: refused by default, adapted by set_rate_factor when allowed (96 kHz host, 48 kHz model).
    io::LoadOptions host96;
    host96.host_sample_rate_hz = 96000;
    CHECK_THROWS_WITH_AS(load_text(lstm, host96), doctest::Contains("refusing"), io::LoadError);
    host96.rate_mismatch = io::RateMismatch::adapt;
    io::LoadedModel adapted = load_text(lstm, host96);
    CHECK(adapted.model->rate_factor() == 2.0);
    io::LoadOptions host44 = host96;
    host44.host_sample_rate_hz = 44100;
    CHECK_THROWS_WITH_AS(load_text(lstm, host44), doctest::Contains("below its training rate"), io::LoadError);
    bool adapter_called = false;
    host44.rate_adapter = [&](std::unique_ptr<nofold::Model> m, double model_hz, double host_hz) {
        adapter_called = model_hz == 48000.0 && host_hz == 44100.0;
        return m;
    };
    load_text(lstm, host44);
    CHECK(adapter_called);
}

TEST_CASE("load: an LSTM without sample_rate prewarms with exactly one block of zeros (NAM Core's caveat)") {
    // Reference: the same model, not prewarmed, fed one block (64) of zeros before the signal. The forget
    // gates are biased near 1 (bias 6) so the cell state drifts slowly and one block differs from two.
    const std::string no_rate = R"({"architecture": "LSTM", "config": {"input_size": 1, "hidden_size": 2, "num_layers": 1},
      "weights": [0.5, 0.1, 0.2, -0.3, 0.4, 0.2, 0.1, -0.1, 0.3, 0.2, -0.2, 0.1, 0.6, -0.4, 0.2, 0.1, 0.3, 0.3, -0.5, 0.2, 0.1, 0.4,
                  0.5, 0.5, 6.0, 6.0, 0.8, 0.8, 0.1, 0.1, 0.1, 0.1, 0.2, -0.2, 0.3, -0.1, 1.0, -0.5, 0.05]})";
    io::LoadOptions options;
    options.prewarm = io::PrewarmPolicy::nam_core;
    options.prewarm_block = 64;
    io::LoadedModel warmed = load_text(no_rate, options);
    io::LoadedModel cold = load_text(no_rate, options);
    CHECK(io::nam_prewarm_samples(warmed.file.model, false) == 1);
    Rng rng(12);
    const std::vector<float> x = rng.signal(300);
    std::vector<float> zeros(64, 0.0f), sink(64), a(x.size()), b(x.size());
    warmed.model->prewarm();
    warmed.model->process(x.data(), a.data(), 300);
    cold.model->process(zeros.data(), sink.data(), 64);
    cold.model->process(x.data(), b.data(), 300);
    CHECK(a == b);
    // And the count differs from two blocks (the test can tell them apart).
    io::LoadedModel two = load_text(no_rate, options);
    two.model->process(zeros.data(), sink.data(), 64);
    two.model->process(zeros.data(), sink.data(), 64);
    two.model->process(x.data(), b.data(), 300);
    CHECK(a != b);
}

TEST_CASE("presets: every registry entry matches itself, names its static type and builds the static engine") {
    // The registry (nn/preset_shapes.hpp) is the only list of preset shapes; io::presets(), match_preset's
    // names and type names, and the loader's static instantiation are all derived from it.
    const auto& all = io::presets();
    REQUIRE(all.size() == 6 + std::size(nofold::nn::lstm_preset_sizes));
    for (const io::Preset& p : all) {
        CAPTURE(p.name);
        nofold::nn::NestedModel net;
        net.config = p.config;
        const io::PresetMatch m = io::match_preset(net);
        CHECK(m.name == p.name);
        CHECK(m.type_name == p.type_name);
        CHECK(!p.type_name.empty());
        if (const auto* w = std::get_if<nofold::nn::WaveNetConfig>(&p.config)) {
            const std::vector<float> weights(nofold::nn::weight_count(*w), 0.01f);
            std::string error;
            auto model = nofold::nn::wavenet::match_preset(*w, weights.data(), weights.size(), {}, error);
            REQUIRE(model);
            CHECK(error.empty());
            CHECK(std::string(model->implementation_name()).rfind("static WaveNet preset", 0) == 0);
        }
    }
    // a shape one field away from a preset is not matched, and the reason names the field
    nofold::nn::NestedModel near;
    auto wide = std::get<nofold::nn::WaveNetConfig>(all.front().config);
    wide.layers[0].dilations.back() = 1024;
    near.config = wide;
    const io::PresetMatch none = io::match_preset(near);
    CHECK(none.name.empty());
    CHECK(none.reason.find("dilations differ") != std::string::npos);
}

// Issue 17: a container of many children got the per-model state budget once per child (a 777 KB
// file asked for 3.9 GB). The budget now covers the whole model, children summed, and the rate
// factor it is built for; past it the load is refused with the sizes. Reference: the children's
// own memory_bytes(), measured here by loading one of them alone.
TEST_CASE("load: the memory budget covers all children together and the rate factor") {
    const std::string linear = R"({"architecture": "Linear", "sample_rate": 48000, "config": {"receptive_field": 4096, "bias": false}, "weights": [)" +
                               [] {
                                   std::string w = "0.5";
                                   for (int i = 1; i < 4096; ++i) w += ", 0";
                                   return w;
                               }() + "]}";
    const std::size_t one = load_text(linear).model->memory_bytes();
    std::string children = linear;
    for (int i = 1; i < 40; ++i) children += ", " + linear;
    const std::string seq = R"({"architecture": "Sequential", "config": {"models": [)" + children + R"(]}, "weights": []})";
    io::LoadOptions options;
    options.max_memory_bytes = 40 * one;  // exactly enough
    CHECK(load_text(seq, options).model->memory_bytes() >= 40 * one);
    options.max_memory_bytes = 20 * one;
    CHECK_THROWS_WITH_AS(load_text(seq, options), doctest::Contains("too large: the model needs more than"), io::LoadError);
    io::LoadOptions fast;
    fast.max_rate_factor = 1e9;  // `--rate 2000000000 --adapt model` used to end in std::bad_alloc
    CHECK_THROWS_WITH_AS(load_text(linear, fast), doctest::Contains("rate factor"), io::LoadError);
}

// Issue 17: a legal 15 KB WaveNet with 341 layers of dilation 65536 spent 27 s in NAM-style prewarm.
// Past LoadOptions::max_nam_prewarm_samples the steady-state fill is used and a warning says so.
// Reference: the same file loaded with the steady-state policy gives the same samples after prewarm
// (the two policies agree for a causal WaveNet, the NAM-parity tests' own claim).
TEST_CASE("load: NAM-style prewarm beyond the limit falls back to the steady-state fill, with a warning") {
    const auto file = std::filesystem::path(__FILE__).parent_path().parent_path() / "fuzz" / "corpus" / "nam_wavenet_tiny.json";
    REQUIRE(std::filesystem::exists(file));
    io::LoadOptions nam;
    nam.prewarm = io::PrewarmPolicy::nam_core;
    io::LoadedModel within = nofold::test::load_model(file.string(), nam);
    CHECK(within.warnings.empty());
    nam.max_nam_prewarm_samples = 2;
    io::LoadedModel capped = nofold::test::load_model(file.string(), nam);
    REQUIRE(capped.warnings.size() == 1);
    CHECK(capped.warnings[0].find("steady-state fill is used instead") != std::string::npos);
    io::LoadedModel steady = nofold::test::load_model(file.string(), io::LoadOptions{});
    capped.model->prewarm();
    steady.model->prewarm();
    const std::vector<float> x = Rng(4).signal(300);
    std::vector<float> a(x.size()), b(x.size());
    capped.model->process(x.data(), a.data(), 300);
    steady.model->process(x.data(), b.data(), 300);
    CHECK(a == b);
}

namespace {

/// The values a knob moving from `from` to `to` takes at samples 0, 1, …: a linear ramp of `slope` per
/// sample (written from the documented rule, Model::set_parameter), then the target.
std::vector<double> ramp(double from, double to, double slope, std::size_t n) {
    std::vector<double> v(n);
    for (std::size_t t = 0; t < n; ++t) {
        const double d = slope * static_cast<double>(t + 1);
        v[t] = to > from ? std::min(to, from + d) : std::max(to, from - d);
    }
    return v;
}

}  // namespace

TEST_CASE("load: GuitarML knobs are live: set_parameter ramps the network input and equals the PyTorch definition") {
    for (const bool lstm : {true, false}) {
        CAPTURE(lstm);
        Rng rng(lstm ? 31u : 32u);
        TorchReference ref;
        const std::string text = guitarml_json(ref, rng, 3, 6, 2, lstm, 1);
        io::LoadOptions options;
        options.parameters = {0.2};  // param1 = 0.2, param2 the default 0.5
        io::LoadedModel m = load_text(text, options);
        nofold::Model& model = *m.model;
        REQUIRE(model.parameter_count() == 2);
        CHECK(model.parameter(0) == doctest::Approx(0.2));
        CHECK(model.parameter(1) == 0.5);
        CHECK(model.parameter_min(1) == 0.0);
        CHECK(model.parameter_max(1) == 1.0);
        model.set_parameter_smoothing(100);  // slope 0.01 per sample
        const std::vector<float> x = rng.signal(3000);
        // Knob 0 goes 0.2 → 0.9 at sample 500, knob 1 0.5 → 0.1 at sample 1000 (both mid-block).
        std::vector<double> k0(x.size(), 0.2), k1(x.size(), 0.5);
        const auto r0 = ramp(0.2, 0.9, 0.01, x.size() - 500), r1 = ramp(0.5, 0.1, 0.01, x.size() - 1000);
        std::copy(r0.begin(), r0.end(), k0.begin() + 500);
        std::copy(r1.begin(), r1.end(), k1.begin() + 1000);
        std::vector<double> expected;
        for (std::size_t t = 0; t < x.size(); ++t) expected.push_back(ref.step({x[t], k0[t], k1[t]}) + x[t]);
        std::vector<float> y(x.size());
        nofold::test::AllocationScope scope;
        for (std::size_t i = 0; i < x.size(); i += 50) {
            if (i == 500) CHECK(model.set_parameter(0, 0.9));
            if (i == 1000) CHECK(model.set_parameter(1, 0.1));
            model.process(x.data() + i, y.data() + i, 50);
        }
        CHECK(scope.allocations() == 0);
        double e = 0.0;
        for (std::size_t i = 0; i < x.size(); ++i) e = std::max(e, std::fabs(static_cast<double>(y[i]) - expected[i]));
        CHECK(e <= 1e-4);

        // After the ramp the live model equals the same file loaded with the value folded into the bias.
        io::LoadOptions fold = options;
        fold.parameters = {0.9, 0.1};
        fold.fold_parameters = true;
        io::LoadedModel folded = load_text(text, fold);
        CHECK(folded.model->parameter_count() == 0);
        model.reset();
        const std::vector<float> x2 = rng.signal(2000);
        std::vector<float> live(x2.size()), fixed(x2.size());
        model.process(x2.data(), live.data(), static_cast<int>(x2.size()));
        folded.model->process(x2.data(), fixed.data(), static_cast<int>(x2.size()));
        e = 0.0;
        for (std::size_t i = 0; i < x2.size(); ++i) e = std::max(e, static_cast<double>(std::fabs(live[i] - fixed[i])));
        CHECK(e <= 1e-4);
    }
}

TEST_CASE("load: bad parameter calls have a defined result") {
    Rng rng(33);
    TorchReference ref;
    const std::string text = guitarml_json(ref, rng, 2, 4, 1, true, 0);
    io::LoadedModel a = load_text(text), b = load_text(text);
    nofold::Model& m = *a.model;
    nofold::test::AllocationScope scope;
    CHECK_FALSE(m.set_parameter(-1, 0.3));
    CHECK_FALSE(m.set_parameter(1, 0.3));
    CHECK_FALSE(m.set_parameter(0, std::nan("")));
    CHECK(std::isnan(m.parameter(1)));
    CHECK(m.parameter(0) == 0.5);  // unchanged by the refused calls
    CHECK(m.set_parameter(0, 1e30));
    CHECK(m.parameter(0) == 1.0);  // clamped to the range
    CHECK(m.set_parameter(0, -INFINITY));
    CHECK(m.parameter(0) == 0.0);
    CHECK(scope.allocations() == 0);
    // The last accepted value wins: a model sent to 0 and one loaded at 0 agree once the ramp is over.
    b.model->set_parameter(0, 0.0);
    b.model->settle_parameters();
    m.settle_parameters();
    const std::vector<float> x = rng.signal(500);
    std::vector<float> ya(x.size()), yb(x.size());
    m.process(x.data(), ya.data(), 500);
    b.model->process(x.data(), yb.data(), 500);
    CHECK(ya == yb);
    // A file with more knobs than a model takes is refused at load with a reason.
    Rng big(34);
    TorchReference bref;
    CHECK_THROWS_AS(load_text(guitarml_json(bref, big, nofold::nn::max_knobs + 2, 2, 1, true, 0)), io::LoadError);
}
