// Tests for include/nofold/nn/wavenet_config.hpp, lstm_config.hpp, linear_config.hpp,
// convnet_config.hpp and model_config.hpp.
// Independent reference: the weight counts of the NAM example files, as listed in
// ../shared/reference/README.md (counted in the .nam files), and hand counts from docs/model-formats.md §3–5.
#include <doctest/doctest.h>

#include <nofold/nn/model_config.hpp>

using namespace nofold::nn;

namespace {

LayerArrayConfig a1_array(int input, int channels, int head, bool head_bias, std::vector<int> dilations) {
    LayerArrayConfig a;
    a.input_size = input;
    a.condition_size = 1;
    a.channels = channels;
    a.kernel_sizes = {3};
    a.dilations = std::move(dilations);
    a.activations = {ActivationSpec{"Tanh", {}}};
    a.gating_modes = {GatingMode::none};
    a.head = HeadConfig{head, 1, head_bias, 1};
    return a;
}

}  // namespace

TEST_CASE("weight_count: A1 standard has 13802 weights (reference README)") {
    const std::vector<int> d{1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
    WaveNetConfig c;
    c.layers = {a1_array(1, 16, 8, false, d), a1_array(16, 8, 1, true, d)};
    c.head_scale = 0.02f;
    CHECK(validate(c).empty());
    CHECK(weight_count(c) == 13802u);
}

TEST_CASE("weight_count: wavenet.nam shape (3ch x2, 2ch x1) has 131 weights") {
    WaveNetConfig c;
    c.layers = {a1_array(1, 3, 2, false, {1, 2}), a1_array(3, 2, 1, true, {8})};
    CHECK(validate(c).empty());
    CHECK(weight_count(c) == 131u);
}

TEST_CASE("weight_count: wavenet_a2_max top level (FiLM everywhere, groups) has 818 weights") {
    LayerArrayConfig a;
    a.input_size = 1;
    a.condition_size = 8;
    a.channels = 4;
    a.bottleneck = 4;
    a.kernel_sizes = {4};
    a.dilations = {1, 2};
    a.activations = {ActivationSpec{"Softsign", {}}};
    a.gating_modes = {GatingMode::none};
    a.head = HeadConfig{1, 1, true, 1};
    a.groups_input = 1;
    a.groups_input_mixin = 4;
    a.head1x1 = Head1x1Config{true, 4, 2};
    a.layer1x1 = Layer1x1Config{true, 2};
    const int groups[8] = {2, 4, 4, 2, 1, 2, 8, 4};
    for (int s = 0; s < film_slot_count; ++s) a.films[static_cast<std::size_t>(s)] = FilmConfig{true, true, groups[s]};
    WaveNetConfig c;
    c.layers = {a};
    CHECK(validate(c).empty());
    CHECK(weight_count(c) == 818u);
}

TEST_CASE("weight_count: slimmable_wavenet (3ch x10 ReLU) has 457 weights") {
    WaveNetConfig c;
    c.layers = {a1_array(1, 3, 1, false, {1, 2, 4, 8, 16, 32, 64, 128, 256, 512})};
    c.layers[0].allowed_channels = {1, 2, 3};
    CHECK(validate(c).empty());
    CHECK(weight_count(c) == 457u);
}

TEST_CASE("weight_count: LSTM 1x3 has 70 weights; Linear and ConvNet by hand (docs/model-formats.md §3-5)") {
    CHECK(weight_count(LstmConfig{1, 3, 1}) == 70u);
    CHECK(weight_count(ModelConfig{LinearConfig{10, false}}) == 10u);
    CHECK(weight_count(LinearConfig{10, true}) == 11u);
    // ConvNet 2 channels, 2 blocks, no batchnorm: (2*1*2 + 2) + (2*2*2 + 2) + head (2 + 1) = 19.
    CHECK(weight_count(ConvNetConfig{2, {1, 2}, false, {}}) == 19u);
    // With batchnorm: (4 + 9) + (8 + 9) + 3 = 33.
    CHECK(weight_count(ConvNetConfig{2, {1, 2}, true, {}}) == 33u);
    // GRU 1x2: 3*2*1 + 3*2*2 + 12 + head 3 = 33.
    CHECK(weight_count(GruConfig{1, 2, 1}) == 33u);
}

TEST_CASE("validate names the array and key at fault") {
    WaveNetConfig c;
    c.layers = {a1_array(1, 16, 4, false, {1, 2}), a1_array(16, 8, 1, true, {1})};
    const std::string err = validate(c);
    CHECK(err.find("layers[1]") != std::string::npos);
    CHECK(err.find("head size") != std::string::npos);
    c.layers[0].head.out_channels = 8;
    c.layers[0].groups_input = 3;
    CHECK(validate(c).find("groups_input") != std::string::npos);
}
