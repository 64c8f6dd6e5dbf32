// Tests for include/nofold/runtime/make_model.hpp, linear.hpp and convnet.hpp.
// Independent references: naive double loops of the formulas of docs/model-formats.md (§4 FIR with w[0] on the current
// sample; §5 kernel-2 dilated conv, batchnorm scale = weight/sqrt(var+eps), loc = bias − mean·scale).
// Tolerance: max abs error ≤ 1e-5 × output RMS.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include <nofold/runtime/make_model.hpp>

#include "support/alloc_counter.hpp"
#include "support/blocks.hpp"
#include "support/compare.hpp"
#include "support/signals.hpp"

using namespace nofold;

namespace {

}  // namespace

TEST_CASE("Linear: y[t] = b + sum_j w[j] x[t-j] (naive loop), also at rate factor 3") {
    const nn::LinearConfig cfg{37, true};
    const std::vector<float> w = test::uniform_noise(38, 1, 0.5f), x = test::uniform_noise(1000, 2, 1.0f);
    nn::Options opt;
    opt.max_rate_factor = 3;
    std::string err;
    auto m = runtime::make_model(cfg, w.data(), w.size(), opt, err);
    REQUIRE_MESSAGE(m, err);
    for (int L : {1, 3}) {
        REQUIRE(m->set_rate_factor(L) == RateFactorStatus::ok);
        std::vector<double> ref(x.size());
        for (std::size_t t = 0; t < x.size(); ++t) {
            double acc = w[37];
            for (int j = 0; j < 37; ++j) {
                const long s = static_cast<long>(t) - j * L;
                if (s >= 0) acc += static_cast<double>(w[static_cast<std::size_t>(j)]) * x[static_cast<std::size_t>(s)];
            }
            ref[t] = acc;
        }
        CHECK(test::max_error_over_rms(test::run_blocks(*m, x, 7), ref) <= 1e-5);
    }
}

TEST_CASE("ConvNet with and without batchnorm matches the naive reference") {
    for (bool bn : {false, true}) {
        nn::ConvNetConfig cfg{3, {1, 2, 4}, bn, nn::ActivationSpec{"Tanh", {}}};
        std::vector<float> w = test::uniform_noise(nn::weight_count(cfg), 3, 0.5f);
        // running_var and eps must be positive: rewrite those slots
        std::size_t p = 0;
        for (std::size_t i = 0; i < cfg.dilations.size(); ++i) {
            const std::size_t in = i == 0 ? 1 : 3;
            p += 3 * in * 2;
            if (bn) {
                for (std::size_t k = 0; k < 3; ++k) w[p + 3 + k] = 0.5f + std::fabs(w[p + 3 + k]);
                w[p + 12] = 1e-3f;
                p += 13;
            } else {
                p += 3;
            }
        }
        const std::vector<float> x = test::uniform_noise(800, 4, 1.0f);
        std::string err;
        auto m = runtime::make_model(cfg, w.data(), w.size(), {}, err);
        REQUIRE_MESSAGE(m, err);
        // naive
        std::size_t q = 0;
        std::vector<std::vector<double>> sig{std::vector<double>(x.begin(), x.end())};
        for (std::size_t i = 0; i < cfg.dilations.size(); ++i) {
            const int in = static_cast<int>(sig.size()), d = cfg.dilations[i];
            std::vector<double> W(static_cast<std::size_t>(3 * in * 2));
            for (double& v : W) v = w[q++];
            std::vector<double> scale(3, 1.0), loc(3, 0.0);
            if (!bn) {
                for (double& v : loc) v = w[q++];
            } else {
                double mean[3], var[3], g[3], b[3];
                for (double& v : mean) v = w[q++];
                for (double& v : var) v = w[q++];
                for (double& v : g) v = w[q++];
                for (double& v : b) v = w[q++];
                const double eps = w[q++];
                for (int o = 0; o < 3; ++o) {
                    scale[static_cast<std::size_t>(o)] = g[o] / std::sqrt(var[o] + eps);
                    loc[static_cast<std::size_t>(o)] = b[o] - mean[o] * scale[static_cast<std::size_t>(o)];
                }
            }
            std::vector<std::vector<double>> out(3, std::vector<double>(x.size()));
            for (int o = 0; o < 3; ++o)
                for (std::size_t t = 0; t < x.size(); ++t) {
                    double acc = 0;
                    for (int c = 0; c < in; ++c)
                        for (int k = 0; k < 2; ++k) {
                            const long s = static_cast<long>(t) - (1 - k) * d;
                            if (s >= 0) acc += W[static_cast<std::size_t>((o * in + c) * 2 + k)] * sig[static_cast<std::size_t>(c)][static_cast<std::size_t>(s)];
                        }
                    const double v = bn ? acc * scale[static_cast<std::size_t>(o)] + loc[static_cast<std::size_t>(o)] : acc + loc[static_cast<std::size_t>(o)];
                    out[static_cast<std::size_t>(o)][t] = std::tanh(v);
                }
            sig = out;
        }
        std::vector<double> ref(x.size());
        double hw[3];
        for (double& v : hw) v = w[q++];
        const double hb = w[q++];
        REQUIRE(q == w.size());
        for (std::size_t t = 0; t < x.size(); ++t) ref[t] = hb + hw[0] * sig[0][t] + hw[1] * sig[1][t] + hw[2] * sig[2][t];
        CHECK(test::max_error_over_rms(test::run_blocks(*m, x, 64), ref) <= 1e-5);
    }
}

TEST_CASE("make_model reports weight count mismatches and unknown activations") {
    std::string err;
    std::vector<float> w(10);
    CHECK(!runtime::make_model(nn::LinearConfig{12, false}, w.data(), w.size(), {}, err));
    CHECK(err == "expected 12 weights, got 10");
    CHECK(!runtime::make_model(nn::LstmConfig{1, 3, 1}, w.data(), w.size(), {}, err));
    CHECK(err == "expected 70 weights, got 10");
    nn::ConvNetConfig bad{2, {1}, false, nn::ActivationSpec{"Wobble", {}}};
    CHECK(!runtime::make_model(bad, w.data(), w.size(), {}, err));
    CHECK(err.find("Wobble") != std::string::npos);
}

TEST_CASE("Linear and ConvNet never allocate while processing") {
    std::string err;
    const std::vector<float> wl = test::uniform_noise(10, 5, 0.5f);
    auto lin = runtime::make_model(nn::LinearConfig{10, false}, wl.data(), wl.size(), {}, err);
    nn::ConvNetConfig cfg{4, {1, 2}, false, nn::ActivationSpec{"ReLU", {}}};
    const std::vector<float> wc = test::uniform_noise(nn::weight_count(cfg), 6, 0.5f);
    auto cn = runtime::make_model(cfg, wc.data(), wc.size(), {}, err);
    REQUIRE(lin);
    REQUIRE(cn);
    std::vector<float> x = test::uniform_noise(500, 7, 1.0f), y(500);
    nofold::test::AllocationScope scope;
    for (Model* m : {lin.get(), cn.get()}) {
        m->process(x.data(), y.data(), 500);
        m->reset();
        m->prewarm();
        m->process(x.data(), y.data(), 3);
    }
    CHECK(scope.allocations() == 0);
}
