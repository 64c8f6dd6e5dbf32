// Claims about include/nofold/math/derivative.hpp and include/nofold/train/wavenet_gradient.hpp:
// every derivative in the table equals a central finite difference of the policy itself (double), and its
// block form equals it entry by entry (float, double);
// the trainer's forward pass is the inference engine's model (runtime::WaveNet, float, same weights);
// its gradient equals central finite differences of its own forward pass in double on odd shapes,
// chained arrays, kernels 1 to 6, dilations, head kernels and biases, and the nano and A2-3 shapes;
// shapes it cannot train are refused by name; and Adam over its gradient learns a waveshaper.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <nofold/nn/wavenet_presets.hpp>
#include <nofold/runtime/wavenet.hpp>
#include <nofold/train/adam.hpp>
#include <nofold/train/losses.hpp>
#include <nofold/train/recurrent_gradient.hpp>
#include <nofold/train/wavenet_gradient.hpp>

#include "support/finite_difference.hpp"

#include "support/alloc_counter.hpp"

namespace nn = nofold::nn;
namespace math = nofold::math;
namespace train = nofold::train;

namespace {

nn::LayerArrayConfig array(int input, int channels, int head, std::vector<int> kernels, std::vector<int> dilations,
                           std::vector<std::string> activations, int head_kernel, int head_dilation, bool head_bias) {
    nn::LayerArrayConfig a;
    a.input_size = input;
    a.channels = channels;
    a.kernel_sizes = std::move(kernels);
    a.dilations = std::move(dilations);
    for (const std::string& name : activations) a.activations.push_back(nn::ActivationSpec{name, {}});
    a.head.out_channels = head;
    a.head.kernel_size = head_kernel;
    a.head.dilation = head_dilation;
    a.head.bias = head_bias;
    return a;
}

// Two chained arrays with odd sizes, per-layer kernels and activations, a dilated head with bias.
nn::WaveNetConfig odd_shape() {
    nn::WaveNetConfig c;
    c.layers = {array(1, 3, 2, {3, 2, 1}, {1, 3, 2}, {"Tanh", "LeakyReLU", "SiLU"}, 2, 2, true),
                array(3, 2, 1, {2, 4}, {5, 1}, {"Snake", "SELU"}, 3, 1, true)};
    return c;
}

// max |g − fd| / max |fd| over every parameter, fd the central difference of L = Σ r·y in double.
double gradient_error(const nn::WaveNetConfig& config, int n, unsigned seed, double weight_scale) {
    std::string error;
    auto model = train::WaveNetGradient<double>::create(config, error);
    REQUIRE_MESSAGE(model, error);
    std::vector<double> p = nofold::test::uniform_values(model->parameter_count(), seed, weight_scale);
    p.back() = 0.7;  // head_scale
    const std::vector<double> x = nofold::test::uniform_values(static_cast<std::size_t>(n), seed + 1, 1.0);
    const std::vector<double> r = nofold::test::uniform_values(static_cast<std::size_t>(n), seed + 2, 1.0);
    std::vector<double> y(static_cast<std::size_t>(n)), g(p.size(), 0.0);
    model->forward(p.data(), x.data(), n, y.data());
    model->backward(p.data(), r.data(), g.data());
    const auto loss = [&](const std::vector<double>& q) {
        model->forward(q.data(), x.data(), n, y.data());
        double s = 0;
        for (int t = 0; t < n; ++t) s += r[static_cast<std::size_t>(t)] * y[static_cast<std::size_t>(t)];
        return s;
    };
    return nofold::test::gradient_error(p, g, loss);
}

}  // namespace

TEST_CASE("derivative table: every entry equals a central difference of the policy (double)") {
    int checked = 0;
    for (int k = 0; k < math::activation_kind_count; ++k) {
        const auto kind = static_cast<math::ActivationKind>(k);
        if (!math::has_derivative(kind)) continue;
        math::Activation act(kind);
        if (kind == math::ActivationKind::custom_tanh) act.params[0] = 1.8f;
        if (kind == math::ActivationKind::snake) act.params[0] = 2.9f;
        if (kind == math::ActivationKind::snake_beta) act.params = {2.0f, 0.5f, 0, 0};
        if (kind == math::ActivationKind::relu_squared) act.params[0] = 1.5f;
        if (kind == math::ActivationKind::elu || kind == math::ActivationKind::celu) act.params[0] = 0.7f;
        // corners at |x| = 1 ± 0.3, off the grid (the C¹ blend's second derivative jumps there)
        if (kind == math::ActivationKind::smooth_hardtanh_c1 || kind == math::ActivationKind::smooth_hardtanh_c2)
            act.params = {0.3f, 0.05f, 0, 0};
        const std::string name = math::to_string(kind);
        CAPTURE(name);
        act.visit([&](const auto& f) {
            for (double x = -3.05; x < 3.0; x += 0.1) {  // steps miss the kinks at 0, ±0.5, ±0.7, ±1, ±1.3, ±3, 6
                const double h = 1e-6;
                const double fd = (f(x + h) - f(x - h)) / (2 * h);
                CHECK(std::abs(math::derivative<double>(act, x, f(x)) - fd) <= 1e-7 * std::max(1.0, std::abs(fd)));
            }
        });
        ++checked;
    }
    CHECK(checked == 34);
}

// The block form (SIMD for the common kinds) against the scalar table entry by entry, with and without
// the scale, in place, float and double; and derivative_reads_x false only where the entry ignores x.
template <class T>
void check_block_derivative() {
    const T eps = std::numeric_limits<T>::epsilon();
    for (int k = 0; k < math::activation_kind_count; ++k) {
        const auto kind = static_cast<math::ActivationKind>(k);
        if (!math::has_derivative(kind)) continue;
        math::Activation act(kind);
        if (kind == math::ActivationKind::custom_tanh) act.params[0] = 1.8f;
        const std::string name = math::to_string(kind);
        CAPTURE(name);
        const std::size_t n = 37;  // whole batches and a tail
        std::vector<T> x(n), fx(n), scale(n), out(n), scaled(n);
        for (std::size_t i = 0; i < n; ++i) {
            x[i] = static_cast<T>(-3.05 + 0.17 * static_cast<double>(i));
            scale[i] = static_cast<T>(0.5 + 0.01 * static_cast<double>(i));
        }
        act.visit([&](const auto& f) {
            for (std::size_t i = 0; i < n; ++i) fx[i] = static_cast<T>(f(x[i]));
        });
        math::derivative<T>(act, x.data(), fx.data(), out.data(), n);
        scaled = scale;
        math::derivative<T>(act, x.data(), fx.data(), scaled.data(), n, scaled.data());  // in place over the scale
        for (std::size_t i = 0; i < n; ++i) {
            const T ref = math::derivative<T>(act, x[i], fx[i]);
            CHECK(std::abs(out[i] - ref) <= 4 * eps * (1 + std::abs(ref)));
            CHECK(std::abs(scaled[i] - scale[i] * ref) <= 4 * eps * (1 + std::abs(scale[i] * ref)));
            if (!math::derivative_reads_x(kind)) CHECK(math::derivative<T>(act, T(0.25), fx[i]) == ref);
        }
    }
}

TEST_CASE("derivative table: the block form equals the scalar one (float, double)") {
    check_block_derivative<float>();
    check_block_derivative<double>();
}

TEST_CASE("WaveNet gradient: the forward pass equals the inference engine (runtime::WaveNet, float)") {
    for (const nn::WaveNetConfig& config : {odd_shape(), nn::wavenet::config_of<nn::wavenet::NanoShape>(),
                                            nn::wavenet::config_of<nn::wavenet::A2Shape<3>>()}) {
        std::string error;
        auto model = train::WaveNetGradient<double>::create(config, error);
        REQUIRE_MESSAGE(model, error);
        auto fmodel = train::WaveNetGradient<float>::create(config, error);
        REQUIRE(fmodel);
        const std::vector<double> p = nofold::test::uniform_values(model->parameter_count(), 11, 0.3);
        const std::vector<float> pf(p.begin(), p.end());
        const int n = 3000;
        const std::vector<double> x = nofold::test::uniform_values(n, 12, 0.8);
        const std::vector<float> xf(x.begin(), x.end());
        auto engine = nofold::runtime::WaveNet::create(config, {}, error);
        REQUIRE_MESSAGE(engine, error);
        REQUIRE(engine->set_weights(pf.data(), pf.size()).empty());
        std::vector<float> ye(n), yf(n);
        engine->process(xf.data(), ye.data(), n);
        std::vector<double> y(n);
        model->forward(p.data(), x.data(), n, y.data());
        fmodel->forward(pf.data(), xf.data(), n, yf.data());
        double rms = 0, err = 0, errf = 0, energy = 0, energy_f = 0;
        for (int t = 0; t < n; ++t) {
            rms += y[t] * y[t];
            err = std::max(err, std::abs(y[t] - ye[t]));
            errf = std::max(errf, std::abs(static_cast<double>(yf[t]) - ye[t]));
            energy += static_cast<double>(ye[t]) * ye[t];
            energy_f += static_cast<double>(yf[t]) * yf[t];
        }
        rms = std::sqrt(rms / n);
        REQUIRE(rms > 1e-3);
        CHECK(err <= 1e-5 * rms);    // float engine against the double trainer
        CHECK(errf <= 1e-5 * rms);   // the float trainer against the float engine
        CHECK(std::abs(energy_f - energy) <= 1e-6 * energy);  // a loss computed by either agrees to 1e-6
    }
}

TEST_CASE("WaveNet gradient: central finite differences in double, odd shape and preset shapes") {
    CHECK(gradient_error(odd_shape(), 61, 21, 0.5) <= 1e-5);
    CHECK(gradient_error(nn::wavenet::config_of<nn::wavenet::NanoShape>(), 150, 22, 0.3) <= 1e-5);
    CHECK(gradient_error(nn::wavenet::config_of<nn::wavenet::A2Shape<3>>(), 260, 23, 0.3) <= 1e-5);
}

TEST_CASE("WaveNet gradient: shapes it cannot train yet are refused by key") {
    const auto refused = [](nn::WaveNetConfig c) {
        std::string error;
        CHECK(!train::WaveNetGradient<double>::create(c, error));
        return error;
    };
    nn::WaveNetConfig slim = odd_shape();
    slim.layers[1].allowed_channels = {1, 2};
    CHECK(refused(slim) == "not trainable yet: layers[1].slimmable");
    nn::WaveNetConfig stereo = odd_shape();
    stereo.in_channels = 2;
    stereo.layers[0].input_size = 2;
    CHECK(refused(stereo) == "not trainable yet: in_channels");
    nn::WaveNetConfig smooth = odd_shape();
    smooth.layers[0].activations[0] = nn::ActivationSpec{"fasttanh", {}};
    CHECK(refused(smooth) == "not trainable yet: layers[0].activation fasttanh");
    nn::WaveNetConfig gate = odd_shape();
    gate.layers[1].gating_modes = {nn::GatingMode::gated};
    gate.layers[1].secondary_activations = {nn::ActivationSpec{"fasttanh", {}}};
    CHECK(refused(gate) == "not trainable yet: layers[1].secondary_activation fasttanh");
}

TEST_CASE("WaveNet gradient: Adam learns a waveshaper and one-pole filter to ESR <= 1e-3") {
    // target: y[t] = 0.5·y[t−1] + 0.5·tanh(2·x[t]); the model's receptive field (16) covers the pole's
    // memory to 0.5^16. Deterministic: fixed seeds, one thread.
    nn::WaveNetConfig c;
    c.layers = {array(1, 6, 1, {3}, {1, 2, 4, 8}, {"Tanh"}, 1, 1, true)};
    std::string error;
    auto model = train::WaveNetGradient<float>::create(c, error);
    REQUIRE(model);
    const std::vector<double> init = nofold::test::uniform_values(model->parameter_count(), 31, 0.3);
    std::vector<float> p(init.begin(), init.end());
    p.back() = 1.0f;
    train::AdamSettings s;
    s.learning_rate = 5e-3;
    train::Adam<float> adam(p.size(), s);
    const int n = 1024;
    std::mt19937 gen(32);
    std::normal_distribution<float> noise(0.0f, 0.6f);
    std::vector<float> x(n), t(n), y(n), dy(n), g(p.size());
    float esr = 1;
    for (int step = 0; step < 1500; ++step) {
        float state = 0;
        for (int i = 0; i < n; ++i) {
            x[i] = noise(gen);
            state = 0.5f * state + 0.5f * std::tanh(2.0f * x[i]);
            t[i] = state;
        }
        model->forward(p.data(), x.data(), n, y.data());
        esr = train::esr_loss(y.data(), t.data(), n, dy.data());
        std::fill(g.begin(), g.end(), 0.0f);
        model->backward(p.data(), dy.data(), g.data());
        REQUIRE(adam.step(p.data(), g.data()));
    }
    MESSAGE("ESR after 1500 steps: " << esr);
    CHECK(esr <= 1e-3);
}

TEST_CASE("training step (WaveNet and LSTM forward, backward, Adam) allocates nothing after the first") {
    std::string error;
    auto wavenet = train::WaveNetGradient<float>::create(nn::wavenet::config_of<nn::wavenet::NanoShape>(), error);
    REQUIRE(wavenet);
    train::RecurrentGradient<float> lstm(train::Cell::lstm, 1, 8, 2, true);
    std::vector<float> pw(wavenet->parameter_count(), 0.05f), pl(lstm.parameter_count(), 0.05f);
    std::vector<float> gw(pw.size()), gl(pl.size());
    train::Adam<float> adam_w(pw.size(), {}), adam_l(pl.size(), {});
    const int n = 512;
    std::vector<float> x(n, 0.3f), y(n), dy(n, 0.01f);
    const auto step = [&] {
        wavenet->forward(pw.data(), x.data(), n, y.data());
        wavenet->backward(pw.data(), dy.data(), gw.data());
        adam_w.step(pw.data(), gw.data());
        lstm.reset(pl.data());
        lstm.forward(pl.data(), x.data(), n, y.data());
        lstm.backward(pl.data(), dy.data(), gl.data());
        lstm.carry();
        adam_l.step(pl.data(), gl.data());
    };
    step();
    nofold::test::AllocationScope scope;
    step();
    step();
    CHECK(scope.allocations() == 0);
    CHECK(scope.deallocations() == 0);
}
