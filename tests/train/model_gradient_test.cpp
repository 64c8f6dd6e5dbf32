// Claims about include/nofold/train/model_gradient.hpp, linear_gradient.hpp and convnet_gradient.hpp:
// the Linear and ConvNet models' forward passes are runtime::Linear's and runtime::ConvNet's (with and
// without batchnorm) and their gradients equal central finite differences (double; batchnorm's running
// statistics are constants with a zero gradient);
// make_gradient builds, for a model file of each family, a model whose output equals that of the model
// io::build makes from the same file (parameters in the file's order, recurrent state carried across
// frames, GuitarML skip and gains); its gradient through the wrapper equals central differences; and
// files it cannot train are refused by name.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nofold/io/load.hpp>
#include <nofold/nn/wavenet_presets.hpp>
#include <nofold/runtime/convnet.hpp>
#include <nofold/runtime/linear.hpp>
#include <nofold/train/model_gradient.hpp>

#include "gradient_check.hpp"
#include "support/alloc_counter.hpp"
#include "support/finite_difference.hpp"
#include "support/model_loading.hpp"

namespace nn = nofold::nn;
namespace io = nofold::io;
namespace train = nofold::train;

namespace {

io::ModelFile leaf_file(io::Architecture arch, nn::ModelConfig config, unsigned seed, double scale) {
    io::ModelFile f;
    f.architecture = arch;
    f.model.config = std::move(config);
    const std::vector<double> w = nofold::test::uniform_values(nn::weight_count(f.model.config), seed, scale);
    f.model.weights.assign(w.begin(), w.end());
    return f;
}

// max |y − engine| / rms(engine) over two consecutive frames of n samples (state carried between them).
double engine_difference(const io::ModelFile& file, int n) {
    std::vector<double> p;
    std::string error;
    auto g = train::make_gradient<double>(file, p, error);
    REQUIRE_MESSAGE(g, error);
    REQUIRE(p.size() == g->parameter_count());
    io::LoadedModel m = nofold::test::build_model(file);
    m.model->reset();
    const std::vector<double> x = nofold::test::uniform_values(static_cast<std::size_t>(2 * n), 5, 0.8);
    const std::vector<float> xf(x.begin(), x.end());
    std::vector<float> ye(xf.size());
    m.model->process(xf.data(), ye.data(), 2 * n);
    std::vector<double> y(xf.size());
    g->reset(p.data());
    if (g->stateful()) {
        g->forward(p.data(), x.data(), n, y.data());
        g->carry();
        g->forward(p.data(), x.data() + n, n, y.data() + n);
    } else {
        g->forward(p.data(), x.data(), 2 * n, y.data());
    }
    double worst = 0, rms = 0;
    for (std::size_t t = 0; t < y.size(); ++t) {
        worst = std::max(worst, std::abs(y[t] - ye[t]));
        rms += static_cast<double>(ye[t]) * ye[t];
    }
    rms = std::sqrt(rms / static_cast<double>(y.size()));
    REQUIRE(rms > 1e-3);
    return worst / rms;
}

// Central-difference error of the factory's gradient for L = Σ r·y over one frame from reset().
double factory_gradient_error(const io::ModelFile& file, int n) {
    std::vector<double> p;
    std::string error;
    auto g = train::make_gradient<double>(file, p, error);
    REQUIRE_MESSAGE(g, error);
    const std::vector<double> x = nofold::test::uniform_values(static_cast<std::size_t>(n), 7, 0.8);
    const std::vector<double> r = nofold::test::uniform_values(static_cast<std::size_t>(n), 8, 1.0);
    std::vector<double> y(static_cast<std::size_t>(n)), grad(p.size(), 0.0);
    g->reset(p.data());
    g->forward(p.data(), x.data(), n, y.data());
    g->backward(p.data(), r.data(), grad.data());
    return nofold::test::gradient_error(p, grad, [&](const std::vector<double>& q) {
        g->reset(q.data());
        g->forward(q.data(), x.data(), n, y.data());
        double s = 0;
        for (int t = 0; t < n; ++t) s += r[static_cast<std::size_t>(t)] * y[static_cast<std::size_t>(t)];
        return s;
    });
}

}  // namespace

TEST_CASE("Linear gradient: runtime::Linear's output, and central finite differences in double") {
    for (const bool bias : {false, true}) {
        const nn::LinearConfig c{7, bias};
        std::string error;
        auto g = train::LinearGradient<double>::create(c, error);
        REQUIRE(g);
        CHECK(g->history() == 6);
        const std::vector<double> p = nofold::test::uniform_values(g->parameter_count(), 3, 0.5);
        const std::vector<float> pf(p.begin(), p.end());
        auto engine = nofold::runtime::Linear::create(c, {}, error);
        REQUIRE(engine->set_weights(pf.data(), pf.size()).empty());
        const int n = 50;
        const std::vector<double> x = nofold::test::uniform_values(n, 4, 1.0);
        const std::vector<float> xf(x.begin(), x.end());
        std::vector<float> ye(n);
        std::vector<double> y(n), r = nofold::test::uniform_values(n, 5, 1.0), grad(p.size(), 0.0);
        engine->process(xf.data(), ye.data(), n);
        g->forward(p.data(), x.data(), n, y.data());
        for (int t = 0; t < n; ++t) CHECK(std::abs(y[t] - ye[t]) <= 1e-6);
        g->backward(p.data(), r.data(), grad.data());
        CHECK(nofold::test::gradient_error(p, grad, [&](const std::vector<double>& q) {
                  g->forward(q.data(), x.data(), n, y.data());
                  double s = 0;
                  for (int t = 0; t < n; ++t) s += r[t] * y[t];
                  return s;
              }) <= 1e-7);
    }
    std::string error;
    CHECK(!train::LinearGradient<double>::create(nn::LinearConfig{0, false}, error));
    CHECK(!error.empty());
}

TEST_CASE("ConvNet gradient: runtime::ConvNet's output (batchnorm on and off), finite differences in double") {
    for (const bool bn : {false, true}) {
        CAPTURE(bn);
        nn::ConvNetConfig c;
        c.channels = 3;
        c.dilations = {1, 2, 4};
        c.batchnorm = bn;
        c.activation = nn::ActivationSpec{"SiLU", {}};
        io::ModelFile file = leaf_file(io::Architecture::convnet, c, 60, 0.5);
        // batchnorm per block: conv, then μ, σ², γ, β (3 each) and ε; σ² > 0, and μ, σ², ε stay out of the check
        std::vector<std::size_t> indices;
        std::size_t at = 0;
        for (std::size_t i = 0; i < c.dilations.size(); ++i) {
            const std::size_t conv = 3 * (i == 0 ? 1 : 3) * 2;
            for (std::size_t j = 0; j < conv; ++j) indices.push_back(at++);
            if (!bn) {
                for (int j = 0; j < 3; ++j) indices.push_back(at++);
                continue;
            }
            at += 3;  // μ
            for (int j = 0; j < 3; ++j) file.model.weights[at++] = 0.5f + 0.2f * static_cast<float>(j);  // σ²
            for (int j = 0; j < 6; ++j) indices.push_back(at++);  // γ, β
            file.model.weights[at++] = 1e-3f;  // ε
        }
        for (int j = 0; j < 4; ++j) indices.push_back(at++);  // head
        REQUIRE(at == file.model.weights.size());
        CHECK(engine_difference(file, 200) <= 1e-5);
        std::vector<double> p;
        std::string error;
        auto g = train::make_gradient<double>(file, p, error);
        REQUIRE_MESSAGE(g, error);
        CHECK(g->history() == 7);
        const int n = 30;
        const std::vector<double> x = nofold::test::uniform_values(n, 61, 1.0), r = nofold::test::uniform_values(n, 62, 1.0);
        std::vector<double> y(n), grad(p.size(), 0.0);
        g->forward(p.data(), x.data(), n, y.data());
        g->backward(p.data(), r.data(), grad.data());
        std::size_t zero = 0;
        for (std::size_t i = 0, k = 0; i < p.size(); ++i) {
            if (k < indices.size() && indices[k] == i) {
                ++k;
                continue;
            }
            zero += grad[i] == 0.0 ? 1u : 0u;
        }
        CHECK(zero == p.size() - indices.size());  // the statistics' entries
        CHECK(nofold::test::gradient_error(
                  [&](const std::vector<double>& q) {
                      g->forward(q.data(), x.data(), n, y.data());
                      double s = 0;
                      for (int t = 0; t < n; ++t) s += r[static_cast<std::size_t>(t)] * y[static_cast<std::size_t>(t)];
                      return s;
                  },
                  p, grad, indices) <= 1e-6);
    }
}

TEST_CASE("make_gradient: each family's output equals the model io::build makes from the same file") {
    CHECK(engine_difference(leaf_file(io::Architecture::wavenet, nn::wavenet::config_of<nn::wavenet::NanoShape>(), 1, 0.3), 400) <= 1e-5);
    CHECK(engine_difference(leaf_file(io::Architecture::linear, nn::LinearConfig{9, true}, 2, 0.4), 100) <= 1e-5);
    CHECK(engine_difference(leaf_file(io::Architecture::lstm, nn::LstmConfig{1, 5, 2}, 3, 0.4), 100) <= 1e-5);
    CHECK(engine_difference(leaf_file(io::Architecture::gru, nn::GruConfig{1, 4, 2}, 4, 0.4), 100) <= 1e-5);
    // GuitarML-shaped: an LSTM with the input skip and input/output gains around it
    io::ModelFile guitarml = leaf_file(io::Architecture::lstm, nn::LstmConfig{1, 6, 1}, 6, 0.4);
    guitarml.input_skip = io::InputSkip::on;
    guitarml.input_gain_db = -3.0;
    guitarml.output_gain_db = 2.0;
    CHECK(engine_difference(guitarml, 100) <= 1e-5);
}

TEST_CASE("make_gradient: central finite differences through the GuitarML wrapper and a GRU (double)") {
    io::ModelFile guitarml = leaf_file(io::Architecture::lstm, nn::LstmConfig{1, 4, 1}, 9, 0.5);
    guitarml.input_skip = io::InputSkip::on;
    guitarml.input_gain_db = 4.0;
    guitarml.output_gain_db = -1.5;
    CHECK(factory_gradient_error(guitarml, 30) <= 1e-5);
    CHECK(factory_gradient_error(leaf_file(io::Architecture::gru, nn::GruConfig{1, 3, 2}, 10, 0.5), 25) <= 1e-5);
}

TEST_CASE("make_gradient: files it cannot train are refused by name") {
    const auto refused = [](const io::ModelFile& f) {
        std::vector<float> p;
        std::string error;
        CHECK(!train::make_gradient<float>(f, p, error));
        return error;
    };
    io::ModelFile seq;
    seq.architecture = io::Architecture::sequential;
    CHECK(refused(seq) == "not trainable yet: Sequential");
    io::ModelFile knob = leaf_file(io::Architecture::lstm, nn::LstmConfig{2, 3, 1}, 1, 0.3);
    knob.conditioning.push_back({"param1", 0.5});
    CHECK(refused(knob) == "not trainable yet: conditioning inputs");
    CHECK(refused(leaf_file(io::Architecture::lstm, nn::LstmConfig{2, 3, 1}, 1, 0.3)) ==
          "not trainable yet: input_size (conditioning inputs)");
    nn::WaveNetConfig slim = nn::wavenet::config_of<nn::wavenet::NanoShape>();
    slim.layers[0].allowed_channels = {2, 4};
    CHECK(refused(leaf_file(io::Architecture::wavenet, slim, 1, 0.3)) == "not trainable yet: layers[0].slimmable");
    io::ModelFile short_weights = leaf_file(io::Architecture::linear, nn::LinearConfig{4, false}, 1, 0.3);
    short_weights.model.weights.pop_back();
    CHECK(refused(short_weights) == "expected 4 weights, got 3");
}

TEST_CASE("make_gradient: a training step (reset, forward, backward, carry) allocates nothing after the first") {
    nn::WaveNetConfig gated = nn::wavenet::config_of<nn::wavenet::NanoShape>();
    for (nn::LayerArrayConfig& a : gated.layers) {
        a.gating_modes = {nn::GatingMode::blended};
        a.bottleneck = a.channels / 2;
        a.head1x1 = {true, a.channels / 2, 1};
        a.film(nn::FilmSlot::activation_pre) = {true, true, 1};
    }
    gated.layers[0].head.out_channels = gated.layers[1].skip_size();
    nn::ConvNetConfig convnet;
    convnet.channels = 2;
    convnet.dilations = {1, 2};
    io::ModelFile guitarml = leaf_file(io::Architecture::lstm, nn::LstmConfig{1, 4, 1}, 3, 0.3);
    guitarml.input_skip = io::InputSkip::on;
    guitarml.output_gain_db = 3.0;
    for (const io::ModelFile& file : {leaf_file(io::Architecture::wavenet, gated, 1, 0.3), leaf_file(io::Architecture::convnet, convnet, 2, 0.3), guitarml}) {
        std::vector<float> p;
        std::string error;
        auto g = train::make_gradient<float>(file, p, error);
        REQUIRE_MESSAGE(g, error);
        const int n = 256;
        std::vector<float> x(n, 0.2f), y(n), dy(n, 0.01f), grad(p.size());
        const auto step = [&] {
            g->reset(p.data());
            g->forward(p.data(), x.data(), n, y.data());
            g->backward(p.data(), dy.data(), grad.data());
            g->carry();
        };
        step();
        nofold::test::AllocationScope scope;
        step();
        step();
        CHECK(scope.allocations() == 0);
    }
}
