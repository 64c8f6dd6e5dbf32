// Claims about include/nofold/io/guitarml_reader.hpp and keras_reader.hpp: tensors are rearranged into
// nofold's flat orders exactly as the formats define them (reference: the PyTorch/Keras tensor layouts
// written out index by index here, independently of the readers' loops), wrapper keys are kept, and
// bad shapes are refused with the tensor's path.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include <nofold/io/read.hpp>

#include "support/json_text.hpp"

namespace io = nofold::io;
namespace nn = nofold::nn;

namespace {

struct Rng {
    std::mt19937 gen{2024};
    nofold::test::Matrix matrix(int rows, int cols) { return nofold::test::uniform_matrix(rows, cols, gen, 1.0f); }
};

std::string to_json(const nofold::test::Matrix& m) { return nofold::test::json_matrix(m); }
std::string row(const nofold::test::Matrix& m) { return nofold::test::json_row(m); }

io::LoadError load_error(const std::string& text) {
    try {
        io::read_model_text("bad.json", text);
    } catch (const io::LoadError& e) {
        return e;
    }
    FAIL("expected a LoadError");
    return io::LoadError("", "", "");
}

}  // namespace

TEST_CASE("guitarml: LSTM tensors map to the NAM LSTM layout") {
    Rng rng;
    const int I = 2, H = 3;
    const auto w_ih = rng.matrix(4 * H, I), w_hh = rng.matrix(4 * H, H), b_ih = rng.matrix(1, 4 * H),
               b_hh = rng.matrix(1, 4 * H), lin_w = rng.matrix(1, H), lin_b = rng.matrix(1, 1);
    const std::string text = R"({"model_data": {"model": "SimpleRNN", "input_size": 2, "skip": 1, "output_size": 1,
        "unit_type": "LSTM", "num_layers": 1, "hidden_size": 3, "bias_fl": true}, "state_dict": {
        "rec.weight_ih_l0": )" + to_json(w_ih) + R"(, "rec.weight_hh_l0": )" + to_json(w_hh) +
                             R"(, "rec.bias_ih_l0": )" + row(b_ih) + R"(, "rec.bias_hh_l0": )" + row(b_hh) +
                             R"(, "lin.weight": )" + to_json(lin_w) + R"(, "lin.bias": )" + row(lin_b) + "}}";
    const io::ModelFile f = io::read_model_text("g.json", text);
    REQUIRE(f.architecture == io::Architecture::lstm);
    const auto& c = std::get<nn::LstmConfig>(f.model.config);
    CHECK(c.input_size == 2);
    CHECK(c.hidden_size == 3);
    CHECK(f.input_skip == io::InputSkip::on);
    REQUIRE(f.conditioning.size() == 1);
    CHECK_FALSE(f.metadata.sample_rate_hz);  // not stored in the format...
    CHECK(f.metadata.assumed_sample_rate_hz == 44100.0);  // ...so ReadOptions' default is assumed
    REQUIRE(f.model.weights.size() == nn::weight_count(c));
    // NAM layout: row r = [W_ih[r][0..I) | W_hh[r][0..H)], then bias b_ih + b_hh, h0, c0, W_out, b_out.
    const std::vector<float>& w = f.model.weights;
    for (int r = 0; r < 4 * H; ++r) {
        for (int j = 0; j < I; ++j) CHECK(w[static_cast<std::size_t>(r * (I + H) + j)] == static_cast<float>(w_ih[r][j]));
        for (int j = 0; j < H; ++j) CHECK(w[static_cast<std::size_t>(r * (I + H) + I + j)] == static_cast<float>(w_hh[r][j]));
    }
    const std::size_t bias = 4 * H * (I + H);
    for (int r = 0; r < 4 * H; ++r) CHECK(w[bias + r] == static_cast<float>(b_ih[0][r] + b_hh[0][r]));
    for (int k = 0; k < 2 * H; ++k) CHECK(w[bias + 4 * H + k] == 0.0f);
    for (int k = 0; k < H; ++k) CHECK(w[bias + 6 * H + k] == static_cast<float>(lin_w[0][k]));
    CHECK(w.back() == static_cast<float>(lin_b[0][0]));
}

TEST_CASE("guitarml: GRU tensors keep PyTorch's gate order in nofold's GRU layout") {
    Rng rng;
    const int H = 2;
    const auto w_ih = rng.matrix(3 * H, 1), w_hh = rng.matrix(3 * H, H), b_ih = rng.matrix(1, 3 * H),
               b_hh = rng.matrix(1, 3 * H), lin_w = rng.matrix(1, H);
    const std::string text = R"({"model_data": {"model": "SimpleRNN", "input_size": 1, "skip": 0, "output_size": 1,
        "unit_type": "GRU", "num_layers": 1, "hidden_size": 2}, "state_dict": {"rec.weight_ih_l0": )" + to_json(w_ih) +
                             R"(, "rec.weight_hh_l0": )" + to_json(w_hh) + R"(, "rec.bias_ih_l0": )" + row(b_ih) +
                             R"(, "rec.bias_hh_l0": )" + row(b_hh) + R"(, "lin.weight": )" + to_json(lin_w) +
                             R"(, "lin.bias": [0.5]}})";
    const io::ModelFile f = io::read_model_text("g.json", text);
    REQUIRE(f.architecture == io::Architecture::gru);
    const auto& c = std::get<nn::GruConfig>(f.model.config);
    REQUIRE(f.model.weights.size() == nn::weight_count(c));
    const std::vector<float>& w = f.model.weights;
    std::size_t k = 0;
    for (int r = 0; r < 3 * H; ++r) CHECK(w[k++] == static_cast<float>(w_ih[r][0]));
    for (int r = 0; r < 3 * H; ++r)
        for (int j = 0; j < H; ++j) CHECK(w[k++] == static_cast<float>(w_hh[r][j]));
    for (int r = 0; r < 3 * H; ++r) CHECK(w[k++] == static_cast<float>(b_ih[0][r]));
    for (int r = 0; r < 3 * H; ++r) CHECK(w[k++] == static_cast<float>(b_hh[0][r]));
    CHECK(w[k] == static_cast<float>(lin_w[0][0]));
    CHECK(w.back() == 0.5f);
    CHECK(f.input_skip == io::InputSkip::off);
}

TEST_CASE("keras: LSTM kernels are transposed into NAM rows; GRU gates z, r, h become r, z, n") {
    Rng rng;
    const int H = 2;
    const auto k = rng.matrix(1, 4 * H), rec = rng.matrix(H, 4 * H), b = rng.matrix(1, 4 * H), dw = rng.matrix(H, 1);
    const std::string lstm = R"({"in_shape": [null, null, 1], "in_skip": 1, "in_gain": 6, "out_gain": -3, "samplerate": 48000,
        "input_batch": [[0.1], [0.2], [0.3]], "output_batch": [[1], [2], [3]], "layers": [
        {"type": "lstm", "activation": "tanh", "shape": [null, null, 2], "weights": [)" +
                             to_json(k) + "," + to_json(rec) + "," + row(b) + R"(]},
        {"type": "dense", "activation": "", "shape": [null, null, 1], "weights": [)" + to_json(dw) + R"(, [0.25]]}]})";
    const io::ModelFile f = io::read_model_text("k.json", lstm);
    REQUIRE(f.architecture == io::Architecture::lstm);
    CHECK(f.input_skip == io::InputSkip::on);
    CHECK(f.input_gain_db == 6.0);
    CHECK(f.output_gain_db == -3.0);
    CHECK(f.metadata.sample_rate_hz == 48000.0);
    CHECK(f.golden_input == std::vector<float>{0.1f, 0.2f, 0.3f});
    CHECK(f.golden_output == std::vector<float>{1.0f, 2.0f, 3.0f});
    const std::vector<float>& w = f.model.weights;
    REQUIRE(w.size() == nn::weight_count(std::get<nn::LstmConfig>(f.model.config)));
    for (int r = 0; r < 4 * H; ++r) {
        CHECK(w[static_cast<std::size_t>(r * (1 + H))] == static_cast<float>(k[0][r]));
        for (int j = 0; j < H; ++j) CHECK(w[static_cast<std::size_t>(r * (1 + H) + 1 + j)] == static_cast<float>(rec[j][r]));
    }
    CHECK(w[static_cast<std::size_t>(4 * H * (1 + H))] == static_cast<float>(b[0][0]));
    CHECK(w.back() == 0.25f);

    const auto gk = rng.matrix(1, 3 * H), grec = rng.matrix(H, 3 * H), gb = rng.matrix(2, 3 * H);
    const std::string gru = R"({"in_shape": [null, null, 1], "layers": [
        {"type": "gru", "activation": "tanh", "shape": [null, null, 2], "weights": [)" +
                            to_json(gk) + "," + to_json(grec) + "," + to_json(gb) + R"(]},
        {"type": "time-distributed-dense", "activation": "linear", "shape": [null, null, 1], "weights": [)" + to_json(dw) +
                            R"(, [0]]}]})";
    const io::ModelFile g = io::read_model_text("k.json", gru);
    REQUIRE(g.architecture == io::Architecture::gru);
    const std::vector<float>& v = g.model.weights;
    REQUIRE(v.size() == nn::weight_count(std::get<nn::GruConfig>(g.model.config)));
    const int keras_block[3] = {1, 0, 2};  // nofold r ← Keras r (block 1), z ← z (block 0), n ← h (block 2)
    for (int gate = 0; gate < 3; ++gate)
        for (int u = 0; u < H; ++u) {
            const int col = keras_block[gate] * H + u;
            const int r = gate * H + u;
            CHECK(v[static_cast<std::size_t>(r)] == static_cast<float>(gk[0][col]));
            for (int j = 0; j < H; ++j) CHECK(v[static_cast<std::size_t>(3 * H + r * H + j)] == static_cast<float>(grec[j][col]));
            CHECK(v[static_cast<std::size_t>(3 * H + 3 * H * H + r)] == static_cast<float>(gb[0][col]));
            CHECK(v[static_cast<std::size_t>(6 * H + 3 * H * H + r)] == static_cast<float>(gb[1][col]));
        }
}

TEST_CASE("guitarml/keras: bad shapes and unknown tensors are refused with their path") {
    const auto e = load_error(R"({"model_data": {"unit_type": "LSTM", "input_size": 1, "hidden_size": 2},
        "state_dict": {"rec.weight_ih_l0": [[1], [2]]}})");
    CHECK(e.json_path() == "$.state_dict[\"rec.weight_ih_l0\"]");
    CHECK(e.reason() == "expected 8 rows, found 2");
    CHECK(load_error(R"({"model_data": {"unit_type": "RNN", "input_size": 1, "hidden_size": 2}, "state_dict": {}})").reason() ==
          "unsupported unit_type \"RNN\" (expected LSTM or GRU)");
    const auto k = load_error(R"({"in_shape": [null, null, 1], "layers": [
        {"type": "conv1d", "shape": [null, null, 2], "weights": []}, {"type": "dense", "shape": [null, null, 1], "weights": []}]})");
    CHECK(k.reason() == "unsupported layer type \"conv1d\"");
    CHECK(k.json_path() == "$.layers[0].type");
    const auto d = load_error(R"({"in_shape": [null, null, 1], "layers": [
        {"type": "lstm", "shape": [null, null, 1], "weights": [[[1, 1, 1, 1]], [[1, 1, 1, 1]], [0, 0, 0, 0]]},
        {"type": "dense", "activation": "tanh", "shape": [null, null, 1], "weights": [[[1]], [0]]}]})");
    CHECK(d.reason() == "unsupported activation \"tanh\" on the output layer");
}

// Issue 17 (5): a Keras in_gain of 1000 dB (1e50) made every output sample non-finite, written as 0
// with exit 0. Gains are read like weights (finite) and must be plausible (|dB| ≤ io::keras_max_gain_db).
TEST_CASE("keras: in_gain/out_gain must be finite and plausible") {
    const auto keras_with = [](const std::string& extra) {
        return R"({"in_shape": [null, null, 1], )" + extra + R"("layers": [
        {"type": "lstm", "shape": [null, null, 1], "weights": [[[1, 1, 1, 1]], [[1, 1, 1, 1]], [0, 0, 0, 0]]},
        {"type": "dense", "shape": [null, null, 1], "weights": [[[1]], [0]]}]})";
    };
    const auto g = load_error(keras_with(R"("in_gain": 1000, )"));
    CHECK(g.json_path() == "$.in_gain");
    CHECK(g.reason() == "in_gain 1000 dB is not plausible (limit ±100 dB)");
    const auto o = load_error(keras_with(R"("out_gain": -150.5, )"));
    CHECK(o.json_path() == "$.out_gain");
    CHECK(o.reason() == "out_gain -150.5 dB is not plausible (limit ±100 dB)");
    const auto n = load_error(keras_with(R"("in_gain": NaN, )"));
    CHECK(n.json_path() == "$.in_gain");
    CHECK(n.reason().find("finite") != std::string::npos);
    // the limits themselves are accepted
    for (const char* ok : {R"("in_gain": 100, "out_gain": -100, )", R"("in_gain": 0, "out_gain": 12.5, )"}) {
        INFO(ok);
        CHECK_NOTHROW(io::read_model_text("k.json", keras_with(ok)));
    }
}
