// Claims about include/nofold/math/activation.hpp, gating.hpp and block.hpp: the run-time Activation gives
// the same bits as the static policy it names, accepts the .nam spellings, handles per-channel PReLU and
// gated/blended blocks, works for every block length, and never allocates while processing.
// References: the static policies (checked against long double in the other files) and, for Gated and
// Blended, the long-double formulas act(a)·σ(b) and g·act(a) + (1 − g)·a.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <nofold/math/activation.hpp>
#include <support/alloc_counter.hpp>

#include "reference.hpp"

namespace math = nofold::math;
using mtest::LD;

namespace {
std::vector<float> random_inputs(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, 3.0f);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}
}  // namespace

TEST_CASE("kind_from_name accepts every .nam activation name and the catalogue identifiers") {
    using K = math::ActivationKind;
    const std::pair<const char*, K> nam[] = {
        {"Tanh", K::tanh},       {"Hardtanh", K::hardtanh},   {"Fasttanh", K::fasttanh},
        {"ReLU", K::relu},       {"LeakyReLU", K::leaky_relu}, {"PReLU", K::prelu},
        {"Sigmoid", K::sigmoid}, {"SiLU", K::silu},           {"Hardswish", K::hardswish},
        {"Softsign", K::softsign}, {"LeakyHardtanh", K::leaky_hardtanh}, {"LeakyHardTanh", K::leaky_hardtanh},
        {"GELU", K::gelu},       {"Swish", K::silu},          {"smoothhardtanh", K::smooth_hardtanh_c2},
        {"customtanh", K::custom_tanh}, {"LogSigmoid", K::log_sigmoid}};
    for (const auto& entry : nam) {
        const char* name = entry.first;
        const K kind = entry.second;
        INFO(std::string(name));
        REQUIRE(math::Activation::kind_from_name(name).has_value());
        CHECK(*math::Activation::kind_from_name(name) == kind);
    }
    for (int i = 0; i < math::activation_kind_count; ++i) {
        const auto k = static_cast<K>(i);
        CHECK(math::Activation::kind_from_name(math::to_string(k)) == k);
    }
    CHECK_FALSE(math::Activation::kind_from_name("Tanhh").has_value());
    CHECK_FALSE(math::Activation::kind_from_name("").has_value());
    const auto lr = math::Activation::from_name("LeakyReLU");
    REQUIRE(lr.has_value());
    CHECK(lr->params[0] == 0.01f);
    const auto lh = math::Activation::from_name("LeakyHardTanh");
    CHECK(lh->params[0] == -1.0f);
    CHECK(lh->params[3] == 0.01f);
}

TEST_CASE("Activation::apply gives the static policy's bits for every kind and tier, any block length") {
    const auto xs = random_inputs(1000, 3);
    for (int i = 0; i < math::activation_kind_count; ++i) {
        for (auto acc : {math::Accuracy::exact, math::Accuracy::fast, math::Accuracy::nam}) {
            const math::Activation act(static_cast<math::ActivationKind>(i), acc);
            const std::string label = std::string(math::to_string(act.kind)) + " " + math::to_string(acc);
            INFO(label);
            std::vector<float> expected(xs.size());
            act.visit([&](const auto& policy) {
                for (std::size_t j = 0; j < xs.size(); ++j) expected[j] = policy(xs[j]);
            });
            for (int n : {0, 1, 7, 8, 9, 31, 64, 1000}) {
                std::vector<float> y(xs.begin(), xs.end());
                act.apply(y.data(), n);
                const std::vector<float> head_y(y.begin(), y.begin() + n), head_e(expected.begin(), expected.begin() + n),
                    head_x(xs.begin(), xs.begin() + n);
                CHECK(mtest::mismatches(head_y, head_e, &head_x) == 0);
                for (std::size_t j = static_cast<std::size_t>(n); j < xs.size(); ++j) REQUIRE(y[j] == xs[j]);  // untouched
            }
        }
    }
}

TEST_CASE("parameters flow from Activation to the policy") {
    math::Activation act(math::ActivationKind::leaky_hardtanh);
    act.params = {-2.0f, 0.5f, 0.1f, 0.2f};
    float x[4] = {-3.0f, 0.0f, 0.25f, 1.5f};
    act.apply(x, 4);
    CHECK(x[0] == doctest::Approx(-2.0f + 0.1f * -1.0f));
    CHECK(x[1] == 0.0f);
    CHECK(x[2] == 0.25f);
    CHECK(x[3] == doctest::Approx(0.5f + 0.2f * 1.0f));
    math::Activation snake(math::ActivationKind::snake);
    snake.params[0] = 2.9f;
    float y = 0.7f;
    snake.apply(&y, 1);
    CHECK(y == math::Snake{2.9f}(0.7f));
}

TEST_CASE("per-channel PReLU through apply_channel") {
    math::Activation act(math::ActivationKind::prelu);
    act.channel_slopes = {0.1f, 0.5f, 2.0f};
    for (int c = 0; c < 3; ++c) {
        float x[5] = {-2.0f, -1.0f, 0.0f, 1.0f, 3.0f};
        act.apply_channel(x, 5, c);
        CHECK(x[0] == -2.0f * act.channel_slopes[static_cast<std::size_t>(c)]);
        CHECK(x[4] == 3.0f);
    }
    math::Activation single(math::ActivationKind::prelu);
    float x = -4.0f;
    single.apply_channel(&x, 1, 7);  // no channel slopes: params[0] everywhere
    CHECK(x == -1.0f);
}

TEST_CASE("Gated and Blended against long-double formulas; runtime forms give the same bits") {
    const auto a = random_inputs(777, 5), b = random_inputs(777, 6);
    std::vector<float> g(a.size()), bl(a.size()), rg(a.size()), rb(a.size());
    math::apply(math::Gated<math::Tanh<>>{}, a.data(), b.data(), g.data(), 777);
    math::apply(math::Blended<math::Tanh<>>{}, a.data(), b.data(), bl.data(), 777);
    double eg = 0, eb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const LD A = a[i], B = b[i], s = 1.0L / (1.0L + std::exp(-B));
        eg = std::max(eg, mtest::abs_error(g[i], std::tanh(A) * s));
        eb = std::max(eb, mtest::abs_error(bl[i], s * std::tanh(A) + (1 - s) * A) / (1.0 + std::fabs(a[i])));
    }
    CHECK(eg < 3e-7);
    CHECK(eb < 5e-7);
    const math::Activation t(math::ActivationKind::tanh), s(math::ActivationKind::sigmoid);
    t.apply_gated(a.data(), b.data(), rg.data(), 777, s);
    t.apply_blended(a.data(), b.data(), rb.data(), 777, s);
    CHECK(mtest::mismatches(rg, g) == 0);
    CHECK(mtest::mismatches(rb, bl) == 0);
    // Aliased output (out == a) works too.
    std::vector<float> inplace(a.begin(), a.end());
    t.apply_gated(inplace.data(), b.data(), inplace.data(), 777, s);
    CHECK(mtest::mismatches(inplace, g) == 0);
}

TEST_CASE("no allocation while applying (static and run-time forms)") {
    const auto a = random_inputs(4096, 8), b = random_inputs(4096, 9);
    std::vector<float> out(4096);
    std::vector<math::Activation> acts;
    for (int i = 0; i < math::activation_kind_count; ++i) acts.emplace_back(static_cast<math::ActivationKind>(i));
    acts[static_cast<std::size_t>(math::ActivationKind::prelu)].channel_slopes = {0.1f, 0.2f};
    const math::Activation sig(math::ActivationKind::sigmoid);
    nofold::test::AllocationScope scope;
    for (const auto& act : acts) {
        act.apply(a.data(), out.data(), 4096);
        act.apply_channel(out.data(), 4096, 1);
        act.apply_gated(a.data(), b.data(), out.data(), 4096, sig);
        act.apply_blended(a.data(), b.data(), out.data(), 4096, sig);
    }
    math::apply(math::Gated<math::Tanh<math::Fast>, math::Sigmoid<math::Fast>>{}, a.data(), b.data(), out.data(), 4096);
    math::apply(math::Snake{2.9f}, out.data(), 4096);
    CHECK(scope.allocations() == 0);
}
