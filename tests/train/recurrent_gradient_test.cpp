// Claims about include/nofold/train/recurrent_gradient.hpp: the forward pass is the inference engine's
// model (nn::LstmModel / nn::GruModel, float, same weights in the same order, state carried across
// frames); the gradient of a frame equals central finite differences in double, for a frame right
// after reset (reaching h0 and c0) and for a frame that starts from a carried state (truncated BPTT:
// that state is a constant); LSTM 1x8, GRU 1x8, and two-layer cells with the GuitarML skip; Adam
// over it learns a waveshaper with memory.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include <nofold/nn/recurrent_model.hpp>
#include <nofold/train/adam.hpp>
#include <nofold/train/losses.hpp>
#include <nofold/train/recurrent_gradient.hpp>

#include "support/finite_difference.hpp"

namespace nn = nofold::nn;
namespace train = nofold::train;

namespace {

// max |g − fd| / max |fd| of L = Σ r·y over the second frame (carried) or the first (after reset).
double gradient_error(train::Cell cell, int hidden, int layers, bool skip, bool carried, unsigned seed, int n = 40) {
    train::RecurrentGradient<double> base(cell, 1, hidden, layers, skip);
    std::vector<double> p = nofold::test::uniform_values(base.parameter_count(), seed, 0.5);
    const std::vector<double> x0 = nofold::test::uniform_values(n, seed + 1, 1.0), x1 = nofold::test::uniform_values(n, seed + 2, 1.0);
    const std::vector<double> r = nofold::test::uniform_values(n, seed + 3, 1.0);
    std::vector<double> y(n);
    base.reset(p.data());
    if (carried) {  // the state at the second frame's start is a constant of that frame
        base.forward(p.data(), x0.data(), n, y.data());
        base.carry();
    }
    const std::vector<double>& x = carried ? x1 : x0;
    auto model = base;
    model.forward(p.data(), x.data(), n, y.data());
    std::vector<double> g(p.size(), 0.0);
    model.backward(p.data(), r.data(), g.data());
    const auto loss = [&](const std::vector<double>& q) {
        auto m = base;
        if (!carried) m.reset(q.data());
        m.forward(q.data(), x.data(), n, y.data());
        double s = 0;
        for (int t = 0; t < n; ++t) s += r[static_cast<std::size_t>(t)] * y[static_cast<std::size_t>(t)];
        return s;
    };
    return nofold::test::gradient_error(p, g, loss);
}

template <class Engine>
double engine_error(train::Cell cell, int hidden, int layers) {
    train::RecurrentGradient<double> model(cell, 1, hidden, layers);
    const std::vector<double> p = nofold::test::uniform_values(model.parameter_count(), 7, 0.4);
    const std::vector<float> pf(p.begin(), p.end());
    Engine engine(1, hidden, layers);
    REQUIRE(engine.weight_count() == model.parameter_count());
    REQUIRE(engine.set_weights(pf.data(), pf.size()).ok());
    engine.reset();
    model.reset(p.data());
    const int n = 1000;
    double worst = 0, rms = 0;
    for (int frame = 0; frame < 3; ++frame) {  // state carried across frames, like the engine's
        const std::vector<double> x = nofold::test::uniform_values(n, 8 + static_cast<unsigned>(frame), 0.9);
        const std::vector<float> xf(x.begin(), x.end());
        std::vector<double> y(n);
        std::vector<float> ye(n);
        model.forward(p.data(), x.data(), n, y.data());
        model.carry();
        engine.process(xf.data(), ye.data(), n);
        for (int t = 0; t < n; ++t) {
            worst = std::max(worst, std::abs(y[t] - ye[t]));
            rms += y[t] * y[t];
        }
    }
    rms = std::sqrt(rms / (3 * n));
    REQUIRE(rms > 1e-3);
    return worst / rms;
}

}  // namespace

TEST_CASE("recurrent gradient: the forward pass equals nn::LstmModel and nn::GruModel across frames") {
    using DynLstm = nn::LstmModel<nn::dynamic, nn::dynamic, nn::dynamic>;
    using DynGru = nn::GruModel<nn::dynamic, nn::dynamic, nn::dynamic>;
    CHECK(engine_error<DynLstm>(train::Cell::lstm, 8, 1) <= 1e-5);
    CHECK(engine_error<DynLstm>(train::Cell::lstm, 5, 2) <= 1e-5);
    CHECK(engine_error<DynGru>(train::Cell::gru, 8, 1) <= 1e-5);
    CHECK(engine_error<DynGru>(train::Cell::gru, 4, 2) <= 1e-5);
}

TEST_CASE("recurrent gradient: central finite differences in double (after reset and carried)") {
    for (bool carried : {false, true}) {
        CAPTURE(carried);
        CHECK(gradient_error(train::Cell::lstm, 8, 1, false, carried, 40) <= 1e-5);
        CHECK(gradient_error(train::Cell::gru, 8, 1, false, carried, 41) <= 1e-5);
        CHECK(gradient_error(train::Cell::lstm, 5, 2, true, carried, 42) <= 1e-5);  // GuitarML skip
        CHECK(gradient_error(train::Cell::gru, 4, 2, true, carried, 43) <= 1e-5);
        // odd sizes and frame length: every vector tile of the step products and of the frame-long weight
        // products, and their scalar tails
        CHECK(gradient_error(train::Cell::lstm, 11, 2, false, carried, 44, 45) <= 1e-5);
        CHECK(gradient_error(train::Cell::gru, 13, 1, true, carried, 45, 45) <= 1e-5);
    }
}

TEST_CASE("recurrent gradient: Adam with truncated BPTT learns a waveshaper with memory to ESR <= 1e-3") {
    // target y[t] = 0.6·y[t−1] + 0.4·tanh(2·x[t]); LSTM 1x8, frames of 256 with the state carried,
    // one Adam step per frame (the DAFx25 schedule's shape). Deterministic.
    train::RecurrentGradient<float> model(train::Cell::lstm, 1, 8, 1);
    const std::vector<double> init = nofold::test::uniform_values(model.parameter_count(), 50, 0.3);
    std::vector<float> p(init.begin(), init.end());
    train::AdamSettings s;
    s.learning_rate = 1e-2;
    train::Adam<float> adam(p.size(), s);
    const int n = 256;
    std::mt19937 gen(51);
    std::normal_distribution<float> noise(0.0f, 0.6f);
    std::vector<float> x(n), t(n), y(n), dy(n), g(p.size());
    float esr = 1;
    for (int batch = 0; batch < 150; ++batch) {
        model.reset(p.data());
        float state = 0;
        for (int frame = 0; frame < 8; ++frame) {
            for (int i = 0; i < n; ++i) {
                x[i] = noise(gen);
                state = 0.6f * state + 0.4f * std::tanh(2.0f * x[i]);
                t[i] = state;
            }
            model.forward(p.data(), x.data(), n, y.data());
            esr = train::esr_loss(y.data(), t.data(), n, dy.data());
            std::fill(g.begin(), g.end(), 0.0f);
            model.backward(p.data(), dy.data(), g.data());
            REQUIRE(adam.step(p.data(), g.data()));
            model.carry();
        }
    }
    MESSAGE("LSTM ESR after 1200 steps: " << esr);
    CHECK(esr <= 1e-3);
}
