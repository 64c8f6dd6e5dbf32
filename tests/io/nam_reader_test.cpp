// Claims about include/nofold/io/nam_reader.hpp and read.hpp: every shared .nam file is read with
// the weight counts the reference README states (an independent count made when the references were
// rendered); configs are read key by key; and every malformed file is refused with a message that
// names the file, the JSON path and the reason. Never a crash, never a half-loaded model.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nofold/io/read.hpp>

#include "support/shared_data.hpp"
#include "support/text_file.hpp"

namespace io = nofold::io;
namespace nn = nofold::nn;

namespace {

using nofold::test::read_text_file;

std::string weights_json(std::size_t n, float value = 0.25f) {
    std::string s = "[";
    for (std::size_t i = 0; i < n; ++i) s += (i ? ", " : "") + std::to_string(value);
    return s + "]";
}

// A one-array WaveNet: channels C, kernel 3, `layers` dilations, ungated, head_size 1 with bias.
// Weight count written out independently of nn::weight_count:
//   rechannel C + per layer (conv 3C² + C, mixin C, layer1x1 C² + C) + head (C + 1) + head_scale 1.
std::string tiny_wavenet(int c, int layers, const std::string& extra_array_keys = "", long weight_delta = 0,
                         const std::string& activation = "\"Tanh\"") {
    std::string dil = "[";
    for (int i = 0; i < layers; ++i) dil += (i ? ", " : "") + std::to_string(1 << i);
    dil += "]";
    const long n = c + layers * (3L * c * c + c + c + c * c + c) + c + 1 + 1 + weight_delta;
    return R"({"version": "0.5.4", "architecture": "WaveNet", "sample_rate": 48000,
  "config": {"layers": [{"input_size": 1, "condition_size": 1, "channels": )" +
           std::to_string(c) + R"(, "kernel_size": 3, "dilations": )" + dil + R"(, "activation": )" + activation +
           R"(, "gated": false, "head_size": 1, "head_bias": true)" + extra_array_keys + R"(}], "head": null, "head_scale": 0.02},
  "weights": )" + weights_json(static_cast<std::size_t>(n)) + "}";
}

io::LoadError load_error(const std::string& text, const std::string& name = "bad.nam") {
    try {
        io::read_model_text(name, text);
    } catch (const io::LoadError& e) {
        return e;
    }
    FAIL("expected a LoadError");
    return io::LoadError("", "", "");
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("nam: every shared model reads with the README's weight counts" *
          doctest::skip(nofold::test::shared_dir().empty())) {
    // Counts from ../shared/reference/README.md ("weights" column, nested models included).
    const struct {
        const char* file;
        std::size_t weights;
        io::Architecture arch;
        std::size_t children;
    } expected[] = {
        {"wavenet.nam", 131, io::Architecture::wavenet, 0},
        {"lstm.nam", 70, io::Architecture::lstm, 0},
        {"wavenet_a1_standard.nam", 13802, io::Architecture::wavenet, 0},
        {"A2.nam", 14017, io::Architecture::slimmable_container, 2},
        {"slimmable_container.nam", 1043, io::Architecture::slimmable_container, 3},
        {"slimmable_wavenet.nam", 457, io::Architecture::wavenet, 0},
        {"wavenet_a2_max.nam", 1870, io::Architecture::wavenet, 0},
        {"wavenet_condition_dsp.nam", 284, io::Architecture::wavenet, 0},
        {"identity_linear_1.nam", 1, io::Architecture::linear, 0},
        {"identity_linear_10.nam", 10, io::Architecture::linear, 0},
        {"identity_wavenet_minimal.nam", 9, io::Architecture::wavenet, 0},
        {"identity_wavenet_standard.nam", 13802, io::Architecture::wavenet, 0},
    };
    for (const auto& e : expected) {
        CAPTURE(e.file);
        const io::ModelFile f = io::read_model_file((nofold::test::shared_dir() / "models" / e.file).string());
        CHECK(f.total_weights() == e.weights);
        CHECK(f.architecture == e.arch);
        CHECK(f.children.size() == e.children);
        CHECK(f.metadata.format == io::FileFormat::nam);
    }
}

TEST_CASE("nam: wavenet.nam config and metadata, key by key" * doctest::skip(nofold::test::shared_dir().empty())) {
    const std::string path = (nofold::test::shared_dir() / "models" / "wavenet.nam").string();
    const io::ModelFile f = io::read_model_file(path);
    const auto& c = std::get<nn::WaveNetConfig>(f.model.config);
    REQUIRE(c.layers.size() == 2);
    CHECK(c.layers[0].channels == 3);
    CHECK(c.layers[0].head.out_channels == 2);
    CHECK_FALSE(c.layers[0].head.bias);
    CHECK(c.layers[0].dilations == std::vector<int>{1, 2});
    CHECK(c.layers[1].input_size == 3);
    CHECK(c.layers[1].channels == 2);
    CHECK(c.layers[1].head.bias);
    CHECK(c.layers[1].dilations == std::vector<int>{8});
    CHECK(c.layers[1].activation(0).name == "Tanh");
    CHECK(c.layers[1].gating(0) == nn::GatingMode::none);
    CHECK(f.metadata.sample_rate_hz == 48000.0);
    CHECK(f.metadata.version == "0.5.4");
    CHECK(f.metadata.name == "Test Model");
    CHECK(f.metadata.gear_make == "Darkglass Electronics");
    CHECK(f.metadata.input_level_dbu == doctest::Approx(18.3));
    CHECK(f.metadata.output_level_dbu == doctest::Approx(12.3));
    CHECK(f.metadata.loudness_db == doctest::Approx(-20.020729064941406));
    CHECK(f.metadata.date == "2024-10-09 18:32:27");
    // The last weight is head_scale and overrides the config's value. Find it in the text independently.
    const std::string text = read_text_file(path);
    const std::size_t close = text.rfind(']');
    const std::size_t comma = text.rfind(',', close);
    CHECK(c.head_scale == static_cast<float>(std::stod(text.substr(comma + 1, close - comma - 1))));
}

TEST_CASE("nam: new-style keys (wavenet_a2_max): per-layer lists, gating modes, FiLM, head1x1, groups" *
          doctest::skip(nofold::test::shared_dir().empty())) {
    const io::ModelFile f = io::read_model_file((nofold::test::shared_dir() / "models" / "wavenet_a2_max.nam").string());
    const auto& c = std::get<nn::WaveNetConfig>(f.model.config);
    REQUIRE(c.condition_dsp);
    const auto& cd = std::get<nn::WaveNetConfig>(c.condition_dsp->config);
    REQUIRE(cd.layers.size() == 2);
    const nn::LayerArrayConfig& a0 = cd.layers[0];
    CHECK(a0.bottleneck == 6);
    CHECK(a0.groups_input == 3);
    CHECK(a0.head1x1.active);
    CHECK(a0.head1x1.out_channels == 6);
    CHECK(a0.head1x1.groups == 3);
    CHECK(a0.layer1x1.groups == 3);
    CHECK(a0.gating(0) == nn::GatingMode::gated);
    CHECK(a0.activation(0).name == "SiLU");
    CHECK(a0.secondary_activation(1).name == "Hardswish");
    CHECK(a0.film(nn::FilmSlot::head1x1_post).active);
    CHECK(a0.film(nn::FilmSlot::head1x1_post).shift);
    const nn::LayerArrayConfig& a1 = cd.layers[1];
    CHECK(a1.gating(0) == nn::GatingMode::blended);
    CHECK(a1.gating(2) == nn::GatingMode::gated);
    CHECK(a1.activation(0).name == "PReLU");
    CHECK(a1.activation(0).params == std::vector<float>{0.04f, 0.05f});
    CHECK(a1.activation(2).name == "Softsign");
    CHECK(a1.secondary_activation(0).name == "LeakyHardtanh");
    CHECK(a1.secondary_activation(0).params == std::vector<float>{0.0f, 0.9f, 0.0f, 0.02f});
    CHECK(a1.secondary_activation(1).name == "ReLU");
    CHECK_FALSE(a1.film(nn::FilmSlot::conv_pre).shift);
    CHECK(f.warnings.size() == 1);  // "notes" is not a .nam key
    CHECK(contains(f.warnings.at(0), "$.notes"));
}

TEST_CASE("nam: A2 and slimmable shapes" * doctest::skip(nofold::test::shared_dir().empty())) {
    const io::ModelFile a2 = io::read_model_file((nofold::test::shared_dir() / "models" / "A2.nam").string());
    REQUIRE(a2.max_values.size() == 2);
    CHECK(a2.max_values[0] == 0.5);
    CHECK(a2.max_values[1] == 1.0);
    const auto& small = std::get<nn::WaveNetConfig>(a2.children[0].model.config);
    CHECK(small.layers[0].channels == 3);
    CHECK(small.layers[0].kernel_size(14) == 15);
    CHECK(small.layers[0].head.kernel_size == 16);
    CHECK(small.layers[0].activation(0) == nn::ActivationSpec{"LeakyReLU", {0.01f}});
    const auto& big = std::get<nn::WaveNetConfig>(a2.children[1].model.config);
    CHECK(big.layers[0].channels == 8);
    const io::ModelFile sw = io::read_model_file((nofold::test::shared_dir() / "models" / "slimmable_wavenet.nam").string());
    CHECK(std::get<nn::WaveNetConfig>(sw.model.config).layers[0].allowed_channels == std::vector<int>{1, 2, 3});
}

TEST_CASE("nam: a small hand-written file reads, and the weight count is checked both ways") {
    const io::ModelFile f = io::read_model_text("tiny.nam", tiny_wavenet(4, 3));
    CHECK(f.model.weights.size() == static_cast<std::size_t>(4 + 3 * (48 + 4 + 4 + 16 + 4) + 4 + 1 + 1));
    const auto short_by_one = load_error(tiny_wavenet(4, 3, "", -1), "tiny.nam");
    CHECK(contains(short_by_one.what(), "tiny.nam"));
    CHECK(short_by_one.json_path() == "$.weights");
    CHECK(short_by_one.reason() == "expected 238 weights, file has 237");
    CHECK(load_error(tiny_wavenet(4, 3, "", 5)).reason() == "expected 238 weights, file has 243");
}

TEST_CASE("nam: errors name the key, the path and the reason") {
    // Missing or unknown architecture.
    CHECK(contains(load_error(R"({"version": "0.5.4", "config": {}, "weights": []})").reason(), "not a recognised model file"));
    const auto arch = load_error(R"({"architecture": "Transformer", "config": {}, "weights": []})");
    CHECK(arch.reason() == "unsupported architecture \"Transformer\"");
    CHECK(arch.json_path() == "$.architecture");
    CHECK(arch.line() == 1);
    // Unknown key in a layer array, named with its path.
    const auto key = load_error(tiny_wavenet(2, 1, R"(, "dropout": 0.1)"));
    CHECK(key.reason() == "unsupported key \"dropout\" in a WaveNet layer array");
    CHECK(key.json_path() == "$.config.layers[0].dropout");
    CHECK(key.line() == 2);
    // Unsupported activation, named.
    const auto act = load_error(tiny_wavenet(2, 1, "", 0, "\"Mish\""));
    CHECK(act.reason() == "unsupported activation \"Mish\"");
    CHECK(act.json_path() == "$.config.layers[0].activation");
    const auto act_param = load_error(tiny_wavenet(2, 1, "", 0, R"({"type": "LeakyReLU", "alpha": 0.2})"));
    CHECK(act_param.json_path() == "$.config.layers[0].activation.alpha");
    // Wrong types and values.
    const auto chan = load_error(tiny_wavenet(2, 1, R"(, "bottleneck": 2.5)"));
    CHECK(chan.reason() == "expected an integer, found 2.5");
    CHECK(chan.json_path() == "$.config.layers[0].bottleneck");
    CHECK(load_error(tiny_wavenet(2, 1, R"(, "gating_mode": "sometimes")")).reason() ==
          "unsupported gating_mode \"sometimes\" (expected none, gated or blended)");
    CHECK(contains(load_error(tiny_wavenet(2, 1, R"(, "gating_mode": "gated")")).reason(), "disagrees"));
    CHECK(contains(load_error(tiny_wavenet(2, 2, R"(, "kernel_sizes": [3])")).reason(), "both kernel_size and kernel_sizes"));
    CHECK(load_error(tiny_wavenet(2, 1, R"(, "slimmable": {"method": "magic", "kwargs": {}})")).reason() ==
          "unsupported slimmable method \"magic\"");
    CHECK(contains(load_error(tiny_wavenet(2, 1, R"(, "conv_pre_film": true)")).reason(), "FiLM slot"));
}

TEST_CASE("nam: non-finite and out-of-range weights are refused, naming the index") {
    std::string text = tiny_wavenet(2, 1);
    const std::size_t w = text.find("\"weights\": [") + 12;
    text.replace(w, text.find(',', w) - w, "NaN");
    const auto nan = load_error(text);
    CHECK(nan.reason() == "non-finite weight nan");
    CHECK(nan.json_path() == "$.weights[0]");
    std::string big = tiny_wavenet(2, 1);
    big.replace(big.find("\"weights\": [") + 12, 8, "1e39");  // finite double, not a float
    CHECK(contains(load_error(big).reason(), "out of range for a float"));
    std::string inf = tiny_wavenet(2, 1);
    inf.replace(inf.find("\"weights\": [") + 12, 8, "-Infinity");
    CHECK(contains(load_error(inf).reason(), "non-finite weight"));
}

TEST_CASE("nam: shape seams between arrays and the condition are checked") {
    // Array 1's head (size 2) must equal array 2's channels (3) → refused.
    const std::string two_arrays = R"({"architecture": "WaveNet", "config": {"layers": [
      {"input_size": 1, "condition_size": 1, "channels": 3, "kernel_size": 2, "dilations": [1], "activation": "Tanh", "head_size": 2},
      {"input_size": 3, "condition_size": 1, "channels": 3, "kernel_size": 2, "dilations": [1], "activation": "Tanh", "head_size": 1}],
      "head_scale": 1}, "weights": []})";
    const auto seam = load_error(two_arrays);
    CHECK(seam.json_path() == "$.config");
    CHECK(contains(seam.reason(), "layers[1]"));
    CHECK(contains(seam.reason(), "head size"));
    // condition_size must equal the condition's width (the model input: 1).
    const auto cond = load_error(R"({"architecture": "WaveNet", "config": {"layers": [
      {"input_size": 1, "condition_size": 2, "channels": 1, "kernel_size": 1, "dilations": [1], "activation": "Tanh", "head_size": 1}],
      "head_scale": 1}, "weights": []})");
    CHECK(cond.json_path() == "$.config.layers[0].condition_size");
    CHECK(contains(cond.reason(), "condition_size is 2 but the condition has 1"));
    // Per-layer list of the wrong length.
    CHECK(contains(load_error(tiny_wavenet(2, 3, R"(, "gating_mode": ["none", "none"])")).reason(), "one entry per layer (3)"));
}

TEST_CASE("nam: truncated and non-JSON files are refused with line and column" *
          doctest::skip(nofold::test::shared_dir().empty())) {
    const std::string text = read_text_file(nofold::test::shared_dir() / "models" / "wavenet_a1_standard.nam");
    for (std::size_t cut : {std::size_t(0), std::size_t(1), std::size_t(100), text.size() / 2, text.size() - 1}) {
        CAPTURE(cut);
        const auto e = load_error(text.substr(0, cut), "a1.nam");
        CHECK(contains(e.what(), "a1.nam:"));
        CHECK(e.line() >= 1);
        CHECK((contains(e.reason(), "truncated") || contains(e.reason(), "empty")));
    }
    CHECK(contains(load_error("RIFF....WAVEfmt ").reason(), "not valid JSON"));
    CHECK(contains(load_error("[1, 2, 3]").reason(), "expected a JSON object"));
}

TEST_CASE("nam: containers") {
    const std::string lstm = R"({"architecture": "LSTM", "sample_rate": 48000, "config": {"input_size": 1, "hidden_size": 1, "num_layers": 1},
      "weights": )" + weights_json(4 * 2 + 4 + 2 + 1 + 1) + "}";
    const std::string ok = R"({"architecture": "SlimmableContainer", "config": {"submodels": [{"max_value": 0.5, "model": )" + lstm +
                           R"(}, {"max_value": 1.0, "model": )" + lstm + R"(}]}, "weights": []})";
    const io::ModelFile f = io::read_model_text("c.nam", ok);
    CHECK(f.children.size() == 2);
    CHECK(f.metadata.sample_rate_hz == 48000.0);
    const std::string unsorted = R"({"architecture": "SlimmableContainer", "config": {"submodels": [{"max_value": 1.0, "model": )" +
                                 lstm + R"(}, {"max_value": 0.5, "model": )" + lstm + R"(}]}, "weights": []})";
    const auto e1 = load_error(unsorted);
    CHECK(e1.json_path() == "$.config.submodels[1].max_value");
    const std::string with_weights = R"({"architecture": "Sequential", "config": {"models": [)" + lstm + R"(]}, "weights": [1]})";
    CHECK(contains(load_error(with_weights).reason(), "expected 0 weights"));
    std::string other_rate = lstm;
    other_rate.replace(other_rate.find("48000"), 5, "44100");
    const std::string mixed = R"({"architecture": "Sequential", "config": {"models": [)" + lstm + ", " + other_rate + R"(]}, "weights": []})";
    CHECK(contains(load_error(mixed).reason(), "sample rates"));
    // Error paths reach into nested models.
    std::string bad_inner = lstm;
    bad_inner.replace(bad_inner.find("\"hidden_size\": 1"), 16, "\"hidden_size\": 0");
    const std::string nested = R"({"architecture": "Sequential", "config": {"models": [)" + lstm + ", " + bad_inner + R"(]}, "weights": []})";
    CHECK(load_error(nested).json_path() == "$.config.models[1].config.hidden_size");
}

TEST_CASE("nam: linear and convnet weight counts (independent formulas)") {
    const io::ModelFile lin = io::read_model_text(
        "l.nam", R"({"architecture": "Linear", "config": {"receptive_field": 5, "bias": true}, "weights": )" + weights_json(6) + "}");
    CHECK(lin.model.weights.size() == 6);
    // ConvNet: channels 2, dilations [1, 2], batchnorm: block 1 conv 2·1·2, block 2 conv 2·2·2, each + 4·2 + 1 bn; head 2 + 1.
    const std::size_t n = (4 + 9) + (8 + 9) + 3;
    const io::ModelFile cn = io::read_model_text(
        "c.nam", R"({"architecture": "ConvNet", "config": {"channels": 2, "dilations": [1, 2], "batchnorm": true, "activation": "Tanh"},
                     "weights": )" + weights_json(n) + "}");
    CHECK(cn.architecture == io::Architecture::convnet);
    CHECK(cn.model.weights.size() == n);
}
