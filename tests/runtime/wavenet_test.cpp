// Tests for include/nofold/runtime/wavenet.hpp.
// Independent reference: naive_wavenet.hpp (double precision, whole-signal loops straight from spec
// §1.1). Tolerance: max abs error ≤ 1e-5 × output RMS (exact tier).
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include <nofold/nn/wavenet_presets.hpp>
#include <nofold/runtime/wavenet.hpp>

#include "naive_wavenet.hpp"
#include "support/alloc_counter.hpp"
#include "support/blocks.hpp"
#include "support/channels.hpp"
#include "support/compare.hpp"
#include "support/signals.hpp"

using namespace nofold;
using nn::ActivationSpec;
using nn::FilmSlot;
using nn::GatingMode;

namespace {

nn::LayerArrayConfig plain_array(int input, int channels, int head, bool head_bias, std::vector<int> dilations,
                                 std::string act = "Tanh") {
    nn::LayerArrayConfig a;
    a.input_size = input;
    a.channels = channels;
    a.kernel_sizes = {3};
    a.dilations = std::move(dilations);
    a.activations = {ActivationSpec{std::move(act), {}}};
    a.head = nn::HeadConfig{head, 1, head_bias, 1};
    return a;
}

struct Built {
    std::unique_ptr<runtime::WaveNet> model;
    std::vector<float> weights;
};

Built build(const nn::WaveNetConfig& cfg, unsigned seed, nn::Options opt = {}, float scale = 0.3f) {
    std::string err;
    Built b;
    b.model = runtime::WaveNet::create(cfg, opt, err);
    REQUIRE_MESSAGE(b.model, err);
    b.weights = test::uniform_noise(nn::weight_count(cfg), seed, scale);
    b.weights.back() = 0.7f;  // head_scale
    REQUIRE(b.model->set_weights(b.weights.data(), b.weights.size()).empty());
    return b;
}

double check_against_naive(const nn::WaveNetConfig& cfg, unsigned seed, naive::Options nopt = {}, nn::Options ropt = {},
                           int block = 64, std::size_t T = 3000) {
    Built b = build(cfg, seed, ropt);
    if (nopt.rate != 1) REQUIRE(b.model->set_rate_factor(nopt.rate) == RateFactorStatus::ok);
    if (nopt.slim >= 0) b.model->set_slimmable_size(nopt.slim);
    std::vector<float> x = test::uniform_noise(T, seed + 1, 0.8f);
    naive::Signal in(1, std::vector<double>(x.begin(), x.end()));
    const naive::Signal ref = naive::wavenet(cfg, b.weights, in, nopt);
    const std::vector<float> y = test::run_blocks(*b.model, x, block);
    const double e = test::max_error_over_rms(y, ref[0]);
    MESSAGE("relative error " << e);
    return e;
}

nn::WaveNetConfig small_two_arrays() {
    nn::WaveNetConfig c;
    c.layers = {plain_array(1, 3, 2, false, {1, 2}), plain_array(3, 2, 1, true, {8, 33})};
    return c;
}

nn::WaveNetConfig a1(int ch1, int ch2) {
    const std::vector<int> d{1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
    nn::WaveNetConfig c;
    c.layers = {plain_array(1, ch1, ch2, false, d), plain_array(ch1, ch2, 1, true, d)};
    return c;
}

// Every feature at once: per-layer kernels, gating none/gated/blended, secondary activations,
// bottleneck, head1x1 with groups, grouped input and mixin, all eight FiLM slots, head kernel and
// dilation, two arrays, post-stack head.
nn::WaveNetConfig everything(bool with_condition_dsp) {
    nn::LayerArrayConfig a;
    a.input_size = 1;
    a.condition_size = with_condition_dsp ? 4 : 1;
    a.channels = 4;
    a.bottleneck = 6;
    a.kernel_sizes = {2, 3, 4};
    a.dilations = {1, 3, 2};
    a.activations = {ActivationSpec{"SiLU", {}}, ActivationSpec{"PReLU", {0.1f, 0.2f, 0.3f, 0.05f, 0.2f, 0.25f}},
                     ActivationSpec{"Tanh", {}}};
    a.gating_modes = {GatingMode::gated, GatingMode::blended, GatingMode::none};
    a.secondary_activations = {ActivationSpec{"Hardswish", {}}, ActivationSpec{"LeakyHardtanh", {0.0f, 0.9f, 0.0f, 0.02f}},
                               ActivationSpec{}};
    a.groups_input = 2;
    a.groups_input_mixin = with_condition_dsp ? 2 : 1;
    a.layer1x1 = nn::Layer1x1Config{true, 2};
    a.head1x1 = nn::Head1x1Config{true, 4, 2};
    a.head = nn::HeadConfig{3, 3, true, 2};
    for (int s = 0; s < nn::film_slot_count; ++s) a.films[static_cast<std::size_t>(s)] = nn::FilmConfig{true, s % 2 == 0, 1};
    nn::LayerArrayConfig b = plain_array(4, 3, 2, false, {1, 5}, "Softsign");
    b.condition_size = a.condition_size;
    b.head1x1 = nn::Head1x1Config{true, 3, 1};
    b.layer1x1 = nn::Layer1x1Config{true, 1};
    b.film(FilmSlot::activation_post) = nn::FilmConfig{true, true, 1};
    b.gating_modes = {GatingMode::blended};
    nn::WaveNetConfig c;
    c.layers = {a, b};
    c.head = nn::PostStackHeadConfig{true, 3, 2, 1, ActivationSpec{"ReLU", {}}};
    if (with_condition_dsp) {
        nn::WaveNetConfig inner;
        inner.layers = {plain_array(1, 3, 4, true, {1, 2}, "Hardtanh")};
        auto nested = std::make_shared<nn::NestedModel>();
        nested->config = inner;
        nested->weights = test::uniform_noise(nn::weight_count(inner), 99, 0.4f);
        c.condition_dsp = nested;
    }
    return c;
}

// f (fused) and g (generic) at `rate`: bitwise equal output for blocks of 1, 37 and 64, and after a
// steady-state prewarm.
void require_same_output(Built& f, Built& g, int rate, unsigned seed) {
    REQUIRE(f.model->set_rate_factor(rate) == RateFactorStatus::ok);
    REQUIRE(g.model->set_rate_factor(rate) == RateFactorStatus::ok);
    const std::vector<float> x = test::uniform_noise(1500, seed, 0.8f);
    const std::vector<float> ref = test::run_blocks(*g.model, x, 64);
    for (int block : {1, 37, 64}) {
        f.model->reset();
        const std::vector<float> y = test::run_blocks(*f.model, x, block);
        for (std::size_t i = 0; i < y.size(); ++i) REQUIRE(y[i] == ref[i]);
    }
    f.model->prewarm();
    g.model->prewarm();
    const std::vector<float> yf = test::run_blocks(*f.model, x, 64), yg = test::run_blocks(*g.model, x, 64);
    for (std::size_t i = 0; i < yf.size(); ++i) REQUIRE(yf[i] == yg[i]);
}

// The shape built with `base` options and with the same options but fused_layers = false, in every math
// tier at rate factors 1 and 2: bitwise equal output (require_same_output); `fused` says whether the first
// must have taken the fused path (its memory differs) or stayed generic (the same memory).
void require_fused_equals_generic(const nn::WaveNetConfig& shape, nn::Options base, bool fused, unsigned seed) {
    for (math::Accuracy math : {math::Accuracy::exact, math::Accuracy::fast, math::Accuracy::nam})
        for (int rate : {1, 2}) {
            CAPTURE(static_cast<int>(math));
            CAPTURE(rate);
            nn::Options opt = base;
            opt.math = math;
            opt.max_rate_factor = 2;
            nn::Options generic = opt;
            generic.fused_layers = false;
            Built f = build(shape, seed, opt);
            Built g = build(shape, seed, generic);
            if (fused) CHECK(f.model->memory_bytes() != g.model->memory_bytes());
            else CHECK(f.model->memory_bytes() == g.model->memory_bytes());
            require_same_output(f, g, rate, seed + 10);
        }
}

}  // namespace

TEST_CASE("runtime WaveNet: two plain arrays match the naive double reference") {
    CHECK(check_against_naive(small_two_arrays(), 1) <= 1e-5);
}

TEST_CASE("runtime WaveNet: A1 standard and nano shapes match the naive reference") {
    CHECK(check_against_naive(a1(16, 8), 2, {}, {}, 64, 2500) <= 1e-5);
    CHECK(check_against_naive(a1(4, 2), 3, {}, {}, 64, 2500) <= 1e-5);
}

// The feature cases are held to 3e-7 × RMS, well inside the 1e-5: their float rounding measures
// 6e-8 (AVX2), while a one-argument slip in the naive model (layer1x1 reading `channels` instead of
// `bottleneck` rows) gave 4e-7 to 2e-6 and passed the 1e-5 bound unnoticed.
constexpr double feature_tolerance = 3e-7;

TEST_CASE("runtime WaveNet: every §1.1 feature (gating, FiLM, groups, head1x1, head kernel, post head)") {
    CHECK(check_against_naive(everything(false), 4) <= feature_tolerance);
    naive::Options trainer;
    trainer.core_film_quirk = false;
    nn::Options ropt;
    ropt.layer1x1_post_film = nn::Layer1x1PostFilm::trainer;
    CHECK(check_against_naive(everything(false), 5, trainer, ropt) <= feature_tolerance);
}

TEST_CASE("runtime WaveNet: condition_dsp (nested WaveNet, 4-channel condition)") {
    CHECK(check_against_naive(everything(true), 6) <= feature_tolerance);
}

TEST_CASE("runtime WaveNet: nam math mode equals the reference with Fasttanh") {
    naive::Options nopt;
    nopt.nam_fast = true;
    nn::Options ropt;
    ropt.math = math::Accuracy::nam;
    CHECK(check_against_naive(small_two_arrays(), 7, nopt, ropt) <= 1e-5);
}

TEST_CASE("runtime WaveNet: slimmable widths slice the first c channels") {
    nn::WaveNetConfig c;
    c.layers = {plain_array(1, 3, 1, false, {1, 2, 4, 8}, "ReLU")};
    c.layers[0].allowed_channels = {1, 2, 3};
    for (double v : {0.0, 0.5, 0.99, 1.0}) {
        naive::Options nopt;
        nopt.slim = v;
        CHECK(check_against_naive(c, 8, nopt) <= 1e-5);
    }
}

// Plain arrays with a fused kernel for their (channels, kernel) run the fused layer pass (5 channels
// have none: the fourth shape mixes a fused and a generic array; the A2 shapes mix kernels 6 and 15); the same
// arrays marked slimmable at full width (allowed_channels = {channels}: same maths, same weights) take
// the generic gathered-product path. Reference: that generic path; tolerance: bitwise, in every math
// tier, at rate factors 1 and 2, blocks of 1, 37 and 64, and after a steady-state prewarm.
TEST_CASE("runtime WaveNet: fused layer kernels equal the generic path bitwise") {
    const std::vector<int> d{1, 2, 4, 8, 16, 32, 64, 128};
    std::vector<nn::WaveNetConfig> shapes(6);
    shapes[0].layers = {plain_array(1, 16, 8, false, d), plain_array(16, 8, 1, true, d)};
    shapes[1] = small_two_arrays();
    shapes[2].layers = {plain_array(1, 12, 6, false, {1, 3, 9, 27}), plain_array(12, 6, 1, true, {2, 200})};
    shapes[3].layers = {plain_array(1, 8, 5, false, {1, 70}), plain_array(8, 5, 1, true, {4, 9})};  // fused, then generic (5)
    shapes[4] = nn::wavenet::config_of<nn::wavenet::A2Shape<8>>();  // kernels 6 and 15, LeakyReLU in registers
    shapes[5] = nn::wavenet::config_of<nn::wavenet::A2Shape<3>>();  // the same with ReLU applied row by row
    shapes[5].layers[0].activations = {nn::ActivationSpec{"ReLU", {}}};
    for (std::size_t s = 0; s < shapes.size(); ++s)
        for (math::Accuracy math : {math::Accuracy::exact, math::Accuracy::fast, math::Accuracy::nam})
            for (int rate : {1, 2}) {
                CAPTURE(s);
                CAPTURE(static_cast<int>(math));
                CAPTURE(rate);
                nn::WaveNetConfig generic = shapes[s];
                for (nn::LayerArrayConfig& a : generic.layers) a.allowed_channels = {a.channels};
                REQUIRE(nn::weight_count(generic) == nn::weight_count(shapes[s]));
                nn::Options opt;
                opt.math = math;
                opt.max_rate_factor = 2;
                Built f = build(shapes[s], 20 + static_cast<unsigned>(s), opt);
                Built g = build(generic, 20 + static_cast<unsigned>(s), opt);
                require_same_output(f, g, rate, 30 + static_cast<unsigned>(s));
            }
}

// Gated and blended layers of kernel 3 (every fused channel count's neighbour: 4, 8, 16; per-layer
// secondary activations) take the fused conv with the gate applied after it. Reference: the same model
// with Options::fused_layers = false (the generic gathered products); tolerance: bitwise, every math
// tier, rate factors 1 and 2, blocks of 1, 37 and 64, after a steady-state prewarm; and the fused model
// against the naive double reference.
TEST_CASE("runtime WaveNet: fused gated and blended layers equal the generic path bitwise") {
    const std::vector<int> d{1, 5, 32};
    auto gated = [&](int input, int channels, int head, bool bias, std::vector<GatingMode> modes) {
        nn::LayerArrayConfig a = plain_array(input, channels, head, bias, d);
        a.gating_modes = std::move(modes);
        a.secondary_activations = {ActivationSpec{"Sigmoid", {}}, ActivationSpec{"Hardswish", {}}, ActivationSpec{"Softsign", {}}};
        return a;
    };
    std::vector<nn::WaveNetConfig> shapes(3);
    const std::vector<GatingMode> mixed{GatingMode::gated, GatingMode::blended, GatingMode::none};
    shapes[0].layers = {gated(1, 16, 8, false, {GatingMode::gated}), gated(16, 8, 1, true, {GatingMode::blended})};
    shapes[1].layers = {gated(1, 4, 1, true, mixed)};
    shapes[2].layers = {gated(1, 8, 5, false, mixed), gated(8, 5, 1, true, {GatingMode::gated})};  // fused, then generic (5)
    for (std::size_t s = 0; s < shapes.size(); ++s) {
        CAPTURE(s);
        CHECK(check_against_naive(shapes[s], 40 + static_cast<unsigned>(s)) <= 1e-5);
        require_fused_equals_generic(shapes[s], {}, true, 50 + static_cast<unsigned>(s));
    }
}

// Layers take the fused conv whatever comes around it: grouped convs and layer1x1 (expanded), head1x1
// (grouped, narrower skip), layer1x1 off, each of the eight FiLM slots (layer1x1_post applied as in the
// trainer; conv_pre modulates the copy the conv reads; conv_post and the input-mixin FiLMs separate the
// mixin), gated layers among them. A bottleneck ≠ channels keeps the array generic.
// Reference: the same model with Options::fused_layers = false; tolerance: bitwise, every math tier, rate
// factors 1 and 2, blocks of 1, 37 and 64, after a steady-state prewarm; and each against the naive
// double reference at 1e-6 × RMS (these FiLM-heavy shapes measure 2e-7 to 6e-7 on the generic path
// alone: the shape with the conv_post FiLM runs nothing else).
TEST_CASE("runtime WaveNet: fused convs under groups, head1x1 and the FiLMs after the conv equal the generic path") {
    const std::vector<int> d{1, 5, 32};
    std::vector<nn::WaveNetConfig> shapes(6);
    {
        nn::LayerArrayConfig a = plain_array(1, 8, 4, false, d, "Tanh");
        a.groups_input = 2;
        a.layer1x1 = nn::Layer1x1Config{true, 4};
        a.head1x1 = nn::Head1x1Config{true, 4, 2};
        a.film(FilmSlot::activation_pre) = nn::FilmConfig{true, true, 1};
        a.film(FilmSlot::layer1x1_post) = nn::FilmConfig{true, false, 1};
        nn::LayerArrayConfig b = plain_array(8, 4, 1, true, d, "Softsign");
        b.layer1x1 = nn::Layer1x1Config{false, 1};
        b.film(FilmSlot::activation_post) = nn::FilmConfig{true, true, 1};
        shapes[0].layers = {a, b};
    }
    {
        nn::LayerArrayConfig a = plain_array(1, 16, 1, true, d, "Tanh");
        a.groups_input = 4;
        a.gating_modes = {GatingMode::gated, GatingMode::none, GatingMode::blended};
        a.secondary_activations = {ActivationSpec{"Sigmoid", {}}};
        a.head1x1 = nn::Head1x1Config{true, 6, 1};
        a.film(FilmSlot::head1x1_post) = nn::FilmConfig{true, true, 1};
        shapes[1].layers = {a};
    }
    {
        nn::LayerArrayConfig a = plain_array(1, 4, 1, true, d, "Tanh");
        a.film(FilmSlot::activation_post) = nn::FilmConfig{true, false, 1};
        shapes[2].layers = {a};
    }
    {
        nn::LayerArrayConfig a = plain_array(1, 4, 1, true, d, "Tanh");
        a.film(FilmSlot::conv_post) = nn::FilmConfig{true, true, 1};
        a.film(FilmSlot::conv_pre) = nn::FilmConfig{true, false, 1};
        shapes[3].layers = {a};
    }
    {  // every slot, gated and blended layers, groups, head1x1, two arrays
        nn::LayerArrayConfig a = plain_array(1, 8, 4, false, d, "Tanh");
        a.groups_input = 2;
        a.gating_modes = {GatingMode::blended, GatingMode::gated, GatingMode::none};
        a.secondary_activations = {ActivationSpec{"Hardswish", {}}};
        a.head1x1 = nn::Head1x1Config{true, 6, 2};
        for (int f = 0; f < nn::film_slot_count; ++f) a.films[static_cast<std::size_t>(f)] = nn::FilmConfig{true, f % 3 != 0, 1};
        nn::LayerArrayConfig b = plain_array(8, 4, 1, true, d, "Softsign");
        b.film(FilmSlot::input_mixin_post) = nn::FilmConfig{true, true, 1};
        b.film(FilmSlot::input_mixin_pre) = nn::FilmConfig{true, false, 1};
        shapes[4].layers = {a, b};
    }
    {  // bottleneck ≠ channels: generic
        nn::LayerArrayConfig a = plain_array(1, 4, 1, true, d, "Tanh");
        a.bottleneck = 8;
        shapes[5].layers = {a};
    }
    for (std::size_t s = 0; s < shapes.size(); ++s) {
        CAPTURE(s);
        nn::Options trainer_film;
        trainer_film.layer1x1_post_film = nn::Layer1x1PostFilm::trainer;
        naive::Options naive_trainer;
        naive_trainer.core_film_quirk = false;
        CHECK(check_against_naive(shapes[s], 70 + static_cast<unsigned>(s), naive_trainer, trainer_film) <= 1e-6);
        require_fused_equals_generic(shapes[s], trainer_film, s < 5, 80 + static_cast<unsigned>(s));  // shape 5 stays generic
    }
}

TEST_CASE("runtime WaveNet: rate factor L multiplies every dilation (head dilation too)") {
    nn::Options ropt;
    ropt.max_rate_factor = 4;
    for (int L : {2, 3, 4}) {
        naive::Options nopt;
        nopt.rate = L;
        CHECK(check_against_naive(everything(false), 9, nopt, ropt) <= 1e-5);
    }
    Built b = build(small_two_arrays(), 10, ropt);
    CHECK(b.model->set_rate_factor(5) == RateFactorStatus::out_of_range);
    CHECK(b.model->set_rate_factor(1.5) == RateFactorStatus::not_integer);
    CHECK(b.model->set_rate_factor(0.5) == RateFactorStatus::out_of_range);
    const int rf1 = b.model->receptive_field();
    CHECK(b.model->set_rate_factor(2) == RateFactorStatus::ok);
    CHECK(b.model->receptive_field() == 2 * (rf1 - 1) + 1);
}

TEST_CASE("runtime WaveNet: block sizes 1, 7, 64, 1000 and empty blocks give the same output") {
    Built b = build(everything(true), 11);
    std::vector<float> x = test::uniform_noise(2500, 12, 0.8f);
    b.model->reset();
    const std::vector<float> ref = test::run_blocks(*b.model, x, 64);
    for (int block : {1, 7, 1000}) {
        b.model->reset();
        const std::vector<float> y = test::run_blocks(*b.model, x, block);
        CHECK(test::max_error_over_rms(y, std::vector<double>(ref.begin(), ref.end())) <= 1e-6);
    }
    b.model->reset();
    std::vector<float> y(x.size());
    for (std::size_t i = 0; i < x.size(); i += 10) {
        b.model->process(x.data() + i, y.data() + i, 0);
        b.model->process(x.data() + i, y.data() + i, 10);
    }
    CHECK(test::max_error_over_rms(y, std::vector<double>(ref.begin(), ref.end())) <= 1e-6);
}

TEST_CASE("runtime WaveNet: steady-state prewarm equals feeding zeros for the receptive field") {
    nn::Options fast_opt, zero_opt;
    zero_opt.prewarm = nn::PrewarmMode::zero_blocks;
    Built a = build(everything(true), 13, fast_opt);
    Built b = build(everything(true), 13, zero_opt);
    a.model->prewarm();
    b.model->prewarm();
    std::vector<float> x = test::uniform_noise(500, 14, 0.8f);
    const std::vector<float> ya = test::run_blocks(*a.model, x, 64);
    const std::vector<float> yb = test::run_blocks(*b.model, x, 64);
    CHECK(test::max_error_over_rms(ya, std::vector<double>(yb.begin(), yb.end())) <= 1e-6);
    // and a prewarmed model's response to silence is constant from the first sample
    a.model->prewarm();
    std::vector<float> zeros(300, 0.0f);
    const std::vector<float> yz = test::run_blocks(*a.model, zeros, 64);
    for (float v : yz) CHECK(v == doctest::Approx(yz[0]).epsilon(1e-6));
}

TEST_CASE("runtime WaveNet: NaN and inf input samples are read as 0") {
    Built a = build(small_two_arrays(), 15);
    Built b = build(small_two_arrays(), 15);
    std::vector<float> x = test::uniform_noise(600, 16, 0.8f);
    std::vector<float> clean = x;
    x[100] = std::nanf("");
    x[101] = INFINITY;
    x[300] = -INFINITY;
    clean[100] = clean[101] = clean[300] = 0.0f;
    const std::vector<float> y = test::run_blocks(*a.model, x, 64);
    const std::vector<float> yc = test::run_blocks(*b.model, clean, 64);
    for (std::size_t i = 0; i < y.size(); ++i) REQUIRE(y[i] == yc[i]);
}

TEST_CASE("runtime WaveNet: weight count mismatch is reported") {
    std::string err;
    auto m = runtime::WaveNet::create(small_two_arrays(), {}, err);
    REQUIRE(m);
    std::vector<float> w(nn::weight_count(small_two_arrays()) + 1);
    const std::string msg = m->set_weights(w.data(), w.size());
    const std::size_t n = nn::weight_count(small_two_arrays());
    CHECK(msg == "expected " + std::to_string(n) + " weights, got " + std::to_string(n + 1));
}

namespace {
// Allocations made by the audio-thread calls on a model built for rate factors up to 2.
std::size_t audio_thread_allocations(const nn::WaveNetConfig& cfg, unsigned seed, bool slim) {
    nn::Options ropt;
    ropt.max_rate_factor = 2;
    Built b = build(cfg, seed, ropt);
    std::vector<float> x = test::uniform_noise(1000, 18, 0.8f), y(1000);
    nofold::test::AllocationScope scope;
    b.model->process(x.data(), y.data(), 1000);
    b.model->reset();
    b.model->prewarm();
    CHECK(b.model->set_rate_factor(2) == RateFactorStatus::ok);
    b.model->process(x.data(), y.data(), 333);
    if (slim) b.model->set_slimmable_size(0.3);
    return scope.allocations();
}
}  // namespace

TEST_CASE("runtime WaveNet: process, reset, prewarm, set_rate_factor and slimming never allocate") {
    CHECK(audio_thread_allocations(everything(true), 17, true) == 0);
}

TEST_CASE("runtime WaveNet: the fused layer path never allocates either") {
    CHECK(audio_thread_allocations(a1(16, 8), 19, false) == 0);
}

TEST_CASE("runtime WaveNet: inputs beyond the first are live knobs that ramp and equal the naive reference") {
    nn::WaveNetConfig cfg;
    cfg.in_channels = 2;
    cfg.layers = {plain_array(2, 3, 2, false, {1, 2}), plain_array(3, 2, 1, true, {8, 33})};
    for (auto& a : cfg.layers) a.condition_size = 2;
    REQUIRE(nn::validate(cfg).empty());
    Built b = build(cfg, 91);
    REQUIRE(b.model->parameter_count() == 1);
    REQUIRE(b.model->set_parameter_range(0, -1.0, 1.0));
    b.model->set_parameter_smoothing(200);  // slope 2 / 200 = 0.01 per sample
    const std::size_t T = 3000;
    std::vector<float> x = test::uniform_noise(T, 92, 0.8f);
    // knob 0 ramps 0 → 0.6 from sample 0, then 0.6 → −0.4 from sample 1500 (the reference's input row 1)
    std::vector<double> knob(T);
    for (std::size_t t = 0; t < T; ++t) {
        if (t < 1500) knob[t] = std::min(0.6, 0.01 * static_cast<double>(t + 1));
        else knob[t] = std::max(-0.4, 0.6 - 0.01 * static_cast<double>(t - 1500 + 1));
    }
    naive::Signal in = {std::vector<double>(x.begin(), x.end()), knob};
    const naive::Signal ref = naive::wavenet(cfg, b.weights, in, {});
    std::vector<float> y(T);
    test::AllocationScope scope;
    CHECK(b.model->set_parameter(0, 0.6));
    for (std::size_t i = 0; i < T; i += 100) {
        if (i == 1500) CHECK(b.model->set_parameter(0, -0.4));
        b.model->process(x.data() + i, y.data() + i, 100);
    }
    CHECK(scope.allocations() == 0);
    const double e = test::max_error_over_rms(y, ref[0]);
    MESSAGE("relative error " << e);
    CHECK(e < 1e-5);
    CHECK_FALSE(b.model->set_parameter(1, 0.0));
    CHECK_FALSE(b.model->set_parameter(0, std::nan("")));
}

// Multi-channel with shared weights (set_channels / process_channels: nn::History streams): 2 and 3
// channels equal as many mono instances bit for bit (tests/support/channels.hpp: independent objects as
// the reference), on the fused path (A1 standard shape) and the generic one (every feature, with a
// condition_dsp whose delay lines are per channel too), blocks of 1, 37 and 64, after prewarm and after
// reset, rate factors 1 and 2; process_channels never allocates.
TEST_CASE("runtime WaveNet: C channels through shared weights equal C mono instances bit for bit") {
    const auto maker = [](nn::WaveNetConfig cfg, unsigned seed) {
        return [cfg, seed] {
            nn::Options opt;
            opt.max_rate_factor = 2;
            Built b = build(cfg, seed, opt);
            return std::unique_ptr<Model>(std::move(b.model));
        };
    };
    const auto standard = maker(a1(16, 8), 31), features = maker(everything(true), 32);
    for (int block : {1, 37, 64}) {
        test::require_channels_equal_mono(standard, 2, 1.0, block, 700);
        test::require_channels_equal_mono(features, 2, 1.0, block, 700);
    }
    test::require_channels_equal_mono(standard, 3, 2.0, 37, 700);
    test::require_channels_equal_mono(features, 3, 2.0, 64, 700);
}
