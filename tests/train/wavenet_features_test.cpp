// Claims about include/nofold/train/wavenet_gradient.hpp beyond plain layers: for gated and blended
// layers, bottleneck ≠ channels, layer 1×1 off, head 1×1, grouped convolutions, per-channel PReLU, all
// eight FiLM slots (layer1x1_post in NAM Core's and the trainer's placement), condition_dsp and the
// post-stack head, the trainer's forward pass equals runtime::WaveNet's output (float engine, same
// weights) and its gradient equals central finite differences of its own forward pass in double; the
// same holds for a gated A1-like shape and for NAM Core's example models with these features
// (wavenet_a2_max.nam, wavenet_condition_dsp.nam) read through io and make_gradient.
// With set_first_output, the outputs from that frame on and the gradient of a loss over them equal the
// whole frame's and central differences, for every shape above.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nofold/io/load.hpp>
#include <nofold/runtime/wavenet.hpp>
#include <nofold/train/model_gradient.hpp>
#include <nofold/train/wavenet_gradient.hpp>

#include "gradient_check.hpp"
#include "support/finite_difference.hpp"
#include "support/model_loading.hpp"
#include "support/shared_data.hpp"

namespace nn = nofold::nn;
namespace train = nofold::train;

namespace {

nn::ActivationSpec act(const std::string& name, std::vector<float> params = {}) { return nn::ActivationSpec{name, std::move(params)}; }

nn::LayerArrayConfig array(int input, int channels, int bottleneck, std::vector<int> kernels, std::vector<int> dilations,
                           std::vector<nn::ActivationSpec> acts, std::vector<nn::GatingMode> gating,
                           std::vector<nn::ActivationSpec> secondary, int head, int head_kernel, bool head_bias) {
    nn::LayerArrayConfig a;
    a.input_size = input;
    a.channels = channels;
    a.bottleneck = bottleneck;
    a.kernel_sizes = std::move(kernels);
    a.dilations = std::move(dilations);
    a.activations = std::move(acts);
    a.gating_modes = std::move(gating);
    a.secondary_activations = std::move(secondary);
    a.head.out_channels = head;
    a.head.kernel_size = head_kernel;
    a.head.bias = head_bias;
    return a;
}

using G = nn::GatingMode;

// Gated, blended and plain layers with a bottleneck, head 1×1 and per-channel PReLU, chained into an
// array without layer 1×1.
nn::WaveNetConfig gated_shape() {
    nn::WaveNetConfig c;
    nn::LayerArrayConfig a0 = array(1, 3, 2, {2, 3, 1}, {1, 2, 3}, {act("Tanh"), act("SiLU"), act("PReLU", {0.1f, 0.3f})},
                                    {G::gated, G::blended, G::none}, {act("Sigmoid"), act("Softsign"), act("")}, 2, 2, true);
    a0.head1x1 = {true, 3, 1};
    nn::LayerArrayConfig a1 = array(3, 2, 2, {2}, {1, 4}, {act("ELU")}, {G::blended}, {act("HardSigmoid")}, 1, 1, false);
    a1.layer1x1.active = false;
    c.layers = {a0, a1};
    return c;
}

// Grouped conv, layer 1×1 and head 1×1; bottleneck 6 over 4 channels, one gated layer.
nn::WaveNetConfig grouped_shape() {
    nn::WaveNetConfig c;
    nn::LayerArrayConfig a = array(1, 4, 6, {2}, {1, 2}, {act("Tanh"), act("GELU")}, {G::gated, G::none}, {act("Sigmoid")}, 1, 1, true);
    a.groups_input = 2;
    a.layer1x1.groups = 2;
    a.head1x1 = {true, 4, 2};
    c.layers = {a};
    return c;
}

// Every FiLM slot, with and without shift, in a blended and a gated layer.
nn::WaveNetConfig film_shape() {
    nn::WaveNetConfig c;
    nn::LayerArrayConfig a = array(1, 3, 2, {2}, {1, 3}, {act("Tanh"), act("LeakyReLU")}, {G::blended, G::gated},
                                   {act("Sigmoid")}, 1, 2, true);
    a.head1x1 = {true, 2, 1};
    for (int s = 0; s < nn::film_slot_count; ++s) a.films[static_cast<std::size_t>(s)] = {true, s % 2 == 0, 1};
    c.layers = {a};
    return c;
}

// A nested WaveNet as condition (2 channels), grouped mixin and FiLM over it, and a post-stack head.
nn::WaveNetConfig condition_shape(unsigned seed) {
    nn::WaveNetConfig inner;
    inner.layers = {array(1, 2, 2, {2}, {1, 2}, {act("Tanh")}, {}, {}, 2, 1, true)};
    auto nested = std::make_shared<nn::NestedModel>();
    nested->config = inner;
    const std::vector<double> w = nofold::test::uniform_values(nn::weight_count(inner), seed, 0.6);
    nested->weights.assign(w.begin(), w.end());
    nested->weights.back() = 1.0f;  // head_scale: a condition as loud as the input
    nn::WaveNetConfig c;
    nn::LayerArrayConfig a = array(1, 2, 2, {3}, {1, 2}, {act("Softsign")}, {}, {}, 2, 1, false);
    a.condition_size = 2;
    a.groups_input_mixin = 2;
    a.film(nn::FilmSlot::input_mixin_pre) = {true, true, 2};
    a.film(nn::FilmSlot::activation_post) = {true, false, 1};
    c.layers = {a};
    c.condition_dsp = nested;
    c.head.active = true;
    c.head.num_layers = 2;
    c.head.channels = 3;
    c.head.out_channels = 1;
    c.head.activation = act("Tanh");
    return c;
}

// An A1-like model (two arrays of ten layers, dilations 1 … 512, kernel 3) with gated layers, narrow.
nn::WaveNetConfig gated_a1_like() {
    std::vector<int> d;
    for (int i = 0; i < 10; ++i) d.push_back(1 << i);
    nn::WaveNetConfig c;
    c.layers = {array(1, 4, 4, {3}, d, {act("Tanh")}, {G::gated}, {act("Sigmoid")}, 2, 1, false),
                array(4, 2, 2, {3}, d, {act("Tanh")}, {G::gated}, {act("Sigmoid")}, 1, 1, true)};
    return c;
}

// max |trainer − engine| / rms(engine) over n samples of noise.
double engine_difference(const nn::WaveNetConfig& config, nn::Layer1x1PostFilm post_film, unsigned seed, int n) {
    std::string error;
    auto model = train::WaveNetGradient<double>::create(config, error, post_film);
    REQUIRE_MESSAGE(model, error);
    const std::vector<double> p = nofold::test::uniform_values(model->parameter_count(), seed, 0.4);
    const std::vector<float> pf(p.begin(), p.end());
    nn::Options options;
    options.layer1x1_post_film = post_film;
    auto engine = nofold::runtime::WaveNet::create(config, options, error);
    REQUIRE_MESSAGE(engine, error);
    REQUIRE(engine->set_weights(pf.data(), pf.size()).empty());
    CHECK(engine->receptive_field() == model->history() + 1);
    const std::vector<double> x = nofold::test::uniform_values(static_cast<std::size_t>(n), seed + 1, 0.8);
    const std::vector<float> xf(x.begin(), x.end());
    std::vector<float> ye(xf.size());
    engine->process(xf.data(), ye.data(), n);
    std::vector<double> y(x.size());
    model->forward(p.data(), x.data(), n, y.data());
    double worst = 0, rms = 0;
    for (int t = 0; t < n; ++t) {
        worst = std::max(worst, std::abs(y[static_cast<std::size_t>(t)] - ye[static_cast<std::size_t>(t)]));
        rms += static_cast<double>(ye[static_cast<std::size_t>(t)]) * ye[static_cast<std::size_t>(t)];
    }
    rms = std::sqrt(rms / n);
    REQUIRE(rms > 1e-3);
    return worst / rms;
}

// Central-difference error of L = Σ r·y over `count` parameters (all when count is 0).
double gradient_error(const nn::WaveNetConfig& config, nn::Layer1x1PostFilm post_film, unsigned seed, int n, std::size_t count = 0) {
    std::string error;
    auto model = train::WaveNetGradient<double>::create(config, error, post_film);
    REQUIRE_MESSAGE(model, error);
    const std::vector<double> p = nofold::test::uniform_values(model->parameter_count(), seed, 0.5);
    const std::vector<double> x = nofold::test::uniform_values(static_cast<std::size_t>(n), seed + 1, 1.0);
    const std::vector<double> r = nofold::test::uniform_values(static_cast<std::size_t>(n), seed + 2, 1.0);
    std::vector<double> y(x.size()), g(p.size(), 0.0);
    model->forward(p.data(), x.data(), n, y.data());
    model->backward(p.data(), r.data(), g.data());
    const auto loss = [&](const std::vector<double>& q) {
        model->forward(q.data(), x.data(), n, y.data());
        double s = 0;
        for (std::size_t t = 0; t < y.size(); ++t) s += r[t] * y[t];
        return s;
    };
    if (count == 0) return nofold::test::gradient_error(p, g, loss);
    std::mt19937 rng(seed);
    return nofold::test::gradient_error(loss, p, g, nofold::test::some_indices(rng, p.size(), count));
}

}  // namespace

TEST_CASE("WaveNet gradient: gated, blended, bottleneck, head 1x1, no layer 1x1, per-channel PReLU") {
    CHECK(engine_difference(gated_shape(), nn::Layer1x1PostFilm::core, 40, 600) <= 1e-5);
    CHECK(gradient_error(gated_shape(), nn::Layer1x1PostFilm::core, 41, 40) <= 1e-5);
}

TEST_CASE("WaveNet gradient: grouped convolutions, layer 1x1 and head 1x1") {
    CHECK(engine_difference(grouped_shape(), nn::Layer1x1PostFilm::core, 42, 600) <= 1e-5);
    CHECK(gradient_error(grouped_shape(), nn::Layer1x1PostFilm::core, 43, 30) <= 1e-5);
}

TEST_CASE("WaveNet gradient: all eight FiLM slots, layer1x1_post in Core's and the trainer's placement") {
    for (const auto mode : {nn::Layer1x1PostFilm::core, nn::Layer1x1PostFilm::trainer}) {
        CHECK(engine_difference(film_shape(), mode, 44, 600) <= 1e-5);
        CHECK(gradient_error(film_shape(), mode, 45, 30) <= 1e-5);
    }
}

TEST_CASE("WaveNet gradient: condition_dsp (weights constant), grouped mixin over it, post-stack head") {
    const nn::WaveNetConfig c = condition_shape(46);
    CHECK(engine_difference(c, nn::Layer1x1PostFilm::core, 47, 600) <= 1e-5);
    CHECK(gradient_error(c, nn::Layer1x1PostFilm::core, 48, 30) <= 1e-5);
}

TEST_CASE("WaveNet gradient: a gated A1-like model (2 × 10 layers, dilations to 512)") {
    CHECK(engine_difference(gated_a1_like(), nn::Layer1x1PostFilm::core, 49, 3000) <= 1e-5);
    CHECK(gradient_error(gated_a1_like(), nn::Layer1x1PostFilm::core, 50, 160, 40) <= 1e-5);
}

TEST_CASE("WaveNet gradient: NAM Core's wavenet_a2_max and wavenet_condition_dsp through make_gradient" *
          doctest::skip(nofold::test::shared_dir().empty())) {
    for (const char* name : {"wavenet_a2_max.nam", "wavenet_condition_dsp.nam"}) {
        CAPTURE(name);
        const nofold::io::ModelFile file = nofold::io::read_model_file((nofold::test::shared_dir() / "models" / name).string());
        std::vector<double> p;
        std::string error;
        auto g = train::make_gradient<double>(file, p, error);
        REQUIRE_MESSAGE(g, error);
        nofold::io::LoadedModel engine = nofold::test::build_model(file);
        engine.model->reset();
        const int n = 400;
        const std::vector<double> x = nofold::test::uniform_values(n, 51, 0.5);
        const std::vector<float> xf(x.begin(), x.end());
        std::vector<float> ye(xf.size());
        engine.model->process(xf.data(), ye.data(), n);
        std::vector<double> y(x.size());
        g->forward(p.data(), x.data(), n, y.data());
        double worst = 0, rms = 0;
        for (std::size_t t = 0; t < y.size(); ++t) {
            worst = std::max(worst, std::abs(y[t] - ye[t]));
            rms += static_cast<double>(ye[t]) * ye[t];
        }
        rms = std::sqrt(rms / n);
        REQUIRE(rms > 1e-4);
        CHECK(worst <= 1e-5 * rms);
        // the gradient over 40 of its weights, on a short frame
        const int m = 40;
        const std::vector<double> r = nofold::test::uniform_values(m, 52, 1.0);
        std::vector<double> grad(p.size(), 0.0);
        g->forward(p.data(), x.data(), m, y.data());
        g->backward(p.data(), r.data(), grad.data());
        std::mt19937 rng(53);
        const double err = nofold::test::gradient_error(
            [&](const std::vector<double>& q) {
                g->forward(q.data(), x.data(), m, y.data());
                double s = 0;
                for (int t = 0; t < m; ++t) s += r[static_cast<std::size_t>(t)] * y[static_cast<std::size_t>(t)];
                return s;
            },
            p, grad, nofold::test::some_indices(rng, p.size(), 40));
        CHECK(err <= 1e-5);
    }
}

namespace {

struct TrimmedErrors {
    double output = 0, gradient = 0, finite_difference = 0;
    bool zero_before = true;  // y[t < first] = 0
};

// set_first_output(first) against the whole frame: outputs from `first` on (relative to their largest), the
// gradient of L = Σ_{t ≥ first} r·y against the whole frame's with r zeroed before `first` (the trimmed model
// is given r whole: it must not read dy before `first`), and against central differences of that L computed
// by the trimmed forward over `count` parameters.
TrimmedErrors trimmed_errors(const nn::WaveNetConfig& config, unsigned seed, int n, int first, std::size_t count) {
    std::string error;
    auto whole = train::WaveNetGradient<double>::create(config, error);
    REQUIRE_MESSAGE(whole, error);
    auto trimmed = train::WaveNetGradient<double>::create(config, error);
    trimmed->set_first_output(first);
    const std::vector<double> p = nofold::test::uniform_values(whole->parameter_count(), seed, 0.5);
    const std::vector<double> x = nofold::test::uniform_values(static_cast<std::size_t>(n), seed + 1, 1.0);
    const std::vector<double> r = nofold::test::uniform_values(static_cast<std::size_t>(n), seed + 2, 1.0);
    const auto f = static_cast<std::size_t>(std::min(first, n));
    std::vector<double> r0 = r;
    std::fill(r0.begin(), r0.begin() + static_cast<std::ptrdiff_t>(f), 0.0);
    std::vector<double> yw(x.size()), yt(x.size(), 1.0), gw(p.size(), 0.0), gt(p.size(), 0.0);
    whole->forward(p.data(), x.data(), n, yw.data());
    whole->backward(p.data(), r0.data(), gw.data());
    trimmed->forward(p.data(), x.data(), n, yt.data());
    trimmed->backward(p.data(), r.data(), gt.data());
    TrimmedErrors e;
    double top = 0, worst = 0;
    for (std::size_t t = 0; t < yw.size(); ++t) {
        if (t < f) {
            e.zero_before = e.zero_before && yt[t] == 0.0;
            continue;
        }
        top = std::max(top, std::abs(yw[t]));
        worst = std::max(worst, std::abs(yt[t] - yw[t]));
    }
    e.output = top > 0 ? worst / top : worst;
    top = worst = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        top = std::max(top, std::abs(gw[i]));
        worst = std::max(worst, std::abs(gt[i] - gw[i]));
    }
    e.gradient = top > 0 ? worst / top : worst;
    std::vector<double> y(x.size());
    const auto loss = [&](const std::vector<double>& q) {
        trimmed->forward(q.data(), x.data(), n, y.data());
        double s = 0;
        for (std::size_t t = f; t < y.size(); ++t) s += r[t] * y[t];
        return s;
    };
    std::mt19937 rng(seed);
    e.finite_difference = nofold::test::gradient_error(loss, p, gt, nofold::test::some_indices(rng, p.size(), count));
    return e;
}

}  // namespace

TEST_CASE("WaveNet gradient: set_first_output skips the warm-up's work and keeps outputs and gradient exact") {
    struct Case {
        const char* name;
        nn::WaveNetConfig config;
        int n;
    };
    const nn::WaveNetConfig a1 = gated_a1_like();  // history 4092: most layers start late
    std::string error;
    const int a1_history = train::WaveNetGradient<double>::create(a1, error)->history();
    nn::WaveNetConfig wide_head;  // one array whose dilated head reaches furthest back
    wide_head.layers = {array(1, 3, 3, {2, 3}, {1, 2}, {act("Tanh"), act("SiLU")}, {}, {}, 1, 3, true)};
    wide_head.layers[0].head.dilation = 3;
    const Case cases[] = {{"gated, two arrays, head kernel 2", gated_shape(), 60},
                          {"head kernel 3, dilation 3", wide_head, 40},
                          {"grouped, head 1x1", grouped_shape(), 50},
                          {"every FiLM slot (runs whole)", film_shape(), 40},
                          {"condition_dsp, post-stack head", condition_shape(54), 50},
                          {"A1-like", a1, a1_history + 300}};
    for (const Case& c : cases) {
        std::string e;
        const int history = train::WaveNetGradient<double>::create(c.config, e)->history();
        for (const int first : {0, 1, history / 2, history, c.n - 3, c.n}) {
            CAPTURE(c.name);
            CAPTURE(first);
            // The A1-like shape's frame is ~100x the others': 10 parameters by finite differences at each
            // `first` keep the case quick under emulation (the exactness checks cover every parameter).
            const TrimmedErrors r = trimmed_errors(c.config, 60, c.n, first, c.n > 1000 ? 10 : 40);
            CHECK(r.zero_before);
            CHECK(r.output <= 1e-12);
            CHECK(r.gradient <= 1e-12);
            if (first < c.n) CHECK(r.finite_difference <= 1e-5);
        }
    }
}
