// Tests for include/nofold/train/adam.hpp: every variant (Adam, L2 weight decay, AdamW, per-epoch
// decay, gradient-norm clipping) against a long-double transcription of the update formulas over
// many steps; skipped non-finite steps; determinism; no allocation; and the float-vs-double moment
// measurement quoted in docs/training.md.
#include <nofold/train/adam.hpp>
#include <nofold/train/losses.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "gradient_check.hpp"
#include "support/alloc_counter.hpp"

namespace {

using ld = long double;

// Adam as written in Kingma & Ba / Loshchilov & Hutter, in long double.
struct ReferenceAdam {
    nofold::train::AdamSettings s;
    std::vector<ld> m, v;
    long t = 0;
    template <class P>
    void step(std::vector<ld>& theta, const std::vector<P>& grad, bool round_to_float) {
        ++t;
        ld norm2 = 0;
        for (P g : grad) norm2 += static_cast<ld>(g) * g;
        const ld norm = std::sqrt(norm2);
        const ld clip = s.max_gradient_norm > 0 && norm > s.max_gradient_norm ? s.max_gradient_norm / norm : 1;
        const long epoch = s.steps_per_epoch > 0 ? (t - 1) / static_cast<long>(s.steps_per_epoch) : 0;
        const ld lr = s.learning_rate * std::pow(static_cast<ld>(s.lr_decay_per_epoch), static_cast<ld>(epoch));
        for (std::size_t i = 0; i < theta.size(); ++i) {
            ld g = clip * grad[i];
            if (!s.decoupled) g += s.weight_decay * theta[i];
            m[i] = s.beta1 * m[i] + (1 - static_cast<ld>(s.beta1)) * g;
            v[i] = s.beta2 * v[i] + (1 - static_cast<ld>(s.beta2)) * g * g;
            const ld mh = m[i] / (1 - std::pow(static_cast<ld>(s.beta1), static_cast<ld>(t)));
            const ld vh = v[i] / (1 - std::pow(static_cast<ld>(s.beta2), static_cast<ld>(t)));
            if (s.decoupled) theta[i] *= 1 - lr * s.weight_decay;
            theta[i] -= lr * mh / (std::sqrt(vh) + s.epsilon);
            if (round_to_float) theta[i] = static_cast<float>(theta[i]);
        }
    }
};

std::vector<nofold::train::AdamSettings> variants() {
    nofold::train::AdamSettings adam;
    adam.learning_rate = 5e-3;
    auto l2 = adam;
    l2.weight_decay = 0.1;
    auto adamw = l2;
    adamw.decoupled = true;
    auto decay = adam;
    decay.lr_decay_per_epoch = 0.9;
    decay.steps_per_epoch = 3;
    auto clip = adam;
    clip.max_gradient_norm = 2.0;  // the gradients below have norms around 3.5
    auto odd = adamw;
    odd.beta1 = 0.5;
    odd.beta2 = 0.9;
    odd.epsilon = 1e-3;
    return {adam, l2, adamw, decay, clip, odd};
}

template <class P, class M>
double run_against_reference(const nofold::train::AdamSettings& s, std::size_t n, int steps) {
    std::mt19937 rng(21);
    std::normal_distribution<double> d(0, 1);
    std::vector<P> theta(n);
    std::vector<ld> ref(n);
    for (std::size_t i = 0; i < n; ++i) ref[i] = theta[i] = static_cast<P>(d(rng));
    nofold::train::Adam<P, M> opt(n, s);
    ReferenceAdam r{s, std::vector<ld>(n, 0), std::vector<ld>(n, 0)};
    std::vector<P> g(n);
    double worst = 0;
    for (int k = 0; k < steps; ++k) {
        for (std::size_t i = 0; i < n; ++i) g[i] = static_cast<P>(d(rng) + 0.3 * static_cast<double>(theta[i]));
        CHECK(opt.step(theta.data(), g.data()));
        r.step(ref, g, sizeof(P) == 4);
        for (std::size_t i = 0; i < n; ++i)
            worst = std::max(worst, static_cast<double>(std::fabs(theta[i] - ref[i]) / (1 + std::fabs(ref[i]))));
    }
    CHECK(opt.step_count() == static_cast<std::uint64_t>(steps));
    return worst;
}

}  // namespace

TEST_CASE("Adam / AdamW / schedule / clipping equal a long-double reference over 40 steps") {
    int index = 0;
    for (const auto& s : variants()) {
        CAPTURE(index++);
        // double parameters and moments: rounding only.
        CHECK(run_against_reference<double, double>(s, 13, 40) < 1e-13);
        // float parameters, double moments: the update is exact to double, then rounded to float, so
        // the two agree to a float rounding (2^-24 relative) at every step.
        CHECK(run_against_reference<float, double>(s, 13, 40) < 1.2e-7);
    }
}

TEST_CASE("Adam learning-rate schedule: constant, or multiplied by the decay once per epoch") {
    nofold::train::AdamSettings s;
    s.learning_rate = 0.004;
    nofold::train::Adam<float> constant(1, s);
    CHECK(constant.learning_rate_at(0) == 0.004);
    CHECK(constant.learning_rate_at(123456) == 0.004);
    s.lr_decay_per_epoch = 0.993;
    s.steps_per_epoch = 100;
    nofold::train::Adam<float> decaying(1, s);
    CHECK(decaying.learning_rate_at(99) == 0.004);
    CHECK(decaying.learning_rate_at(100) == doctest::Approx(0.004 * 0.993).epsilon(1e-15));
    CHECK(decaying.learning_rate_at(1050) == doctest::Approx(0.004 * std::pow(0.993, 10)).epsilon(1e-15));
}

TEST_CASE("Adam skips a step whose gradient is not finite; rejects bad settings") {
    nofold::train::Adam<float> opt(3, {});
    std::vector<float> theta{1, 2, 3}, g{0.5f, std::numeric_limits<float>::quiet_NaN(), 0};
    CHECK_FALSE(opt.step(theta.data(), g.data()));
    CHECK(opt.step_count() == 0);
    CHECK(theta == std::vector<float>{1, 2, 3});
    CHECK(opt.first_moment() == std::vector<double>(3, 0.0));
    g[1] = std::numeric_limits<float>::infinity();
    CHECK_FALSE(opt.step(theta.data(), g.data()));
    g[1] = 1;
    CHECK(opt.step(theta.data(), g.data()));
    CHECK(opt.step_count() == 1);
    nofold::train::AdamSettings bad;
    bad.beta2 = 1.0;
    CHECK_THROWS_AS(nofold::train::Adam<float>(3, bad), std::invalid_argument);
    bad = {};
    bad.epsilon = 0;
    CHECK_THROWS_AS(nofold::train::Adam<float>(3, bad), std::invalid_argument);
}

TEST_CASE("Adam is deterministic and step() does not allocate") {
    const std::size_t n = 257;
    std::vector<float> a(n), b(n), g(n);
    std::mt19937 rng(5);
    std::normal_distribution<float> d(0, 1);
    for (std::size_t i = 0; i < n; ++i) a[i] = b[i] = d(rng);
    nofold::train::AdamSettings s;
    s.max_gradient_norm = 1.0;
    s.weight_decay = 0.01;
    s.decoupled = true;
    nofold::train::Adam<float> oa(n, s), ob(n, s);
    nofold::test::AllocationScope scope;
    for (int k = 0; k < 50; ++k) {
        for (auto& v : g) v = d(rng);
        oa.step(a.data(), g.data());
        ob.step(b.data(), g.data());
    }
    CHECK(scope.allocations() == 0);
    CHECK(std::memcmp(a.data(), b.data(), n * sizeof(float)) == 0);
}

namespace {

// A short training run: fit a 64-tap FIR to a target FIR's output on noise (256 samples a step) with the pooled ESR
// loss on a noisy target, 800 Adam steps (lr 1e-2). Returns the final weights.
template <class P, class M>
std::vector<double> fir_fit(double& final_loss) {
    const std::size_t taps = 64, len = 256;
    std::mt19937 rng(77);
    std::normal_distribution<double> d(0, 1);
    std::vector<double> truth(taps);
    for (std::size_t k = 0; k < taps; ++k) truth[k] = d(rng) * std::exp(-0.08 * static_cast<double>(k));
    std::vector<P> w(taps, P(0)), x(len + taps), y(len), t(len), gy(len), gw(taps);
    nofold::train::AdamSettings s;
    s.learning_rate = 1e-2;
    nofold::train::Adam<P, M> opt(taps, s);
    for (int step = 0; step < 800; ++step) {
        for (auto& v : x) v = static_cast<P>(d(rng));
        for (std::size_t n = 0; n < len; ++n) {
            double acc = 0, acc_t = 0;
            for (std::size_t k = 0; k < taps; ++k) {
                acc += static_cast<double>(w[k]) * static_cast<double>(x[n + taps - 1 - k]);
                acc_t += truth[k] * static_cast<double>(x[n + taps - 1 - k]);
            }
            y[n] = static_cast<P>(acc);
            t[n] = static_cast<P>(acc_t + 0.05 * d(rng));  // measurement noise: Adam never settles
        }
        final_loss = static_cast<double>(nofold::train::esr_loss(y.data(), t.data(), len, gy.data()));
        for (std::size_t k = 0; k < taps; ++k) {
            double acc = 0;
            for (std::size_t n = 0; n < len; ++n) acc += static_cast<double>(gy[n]) * static_cast<double>(x[n + taps - 1 - k]);
            gw[k] = static_cast<P>(acc);
        }
        opt.step(w.data(), gw.data());
    }
    return std::vector<double>(w.begin(), w.end());
}

}  // namespace

TEST_CASE("float parameters: float and double moments both track the all-double run (measured drift)") {
    double loss_dd = 0, loss_fd = 0, loss_ff = 0;
    const auto dd = fir_fit<double, double>(loss_dd);
    const auto fd = fir_fit<float, double>(loss_fd);
    const auto ff = fir_fit<float, float>(loss_ff);
    double scale = 0, e_fd = 0, e_ff = 0;
    for (std::size_t k = 0; k < dd.size(); ++k) {
        scale = std::max(scale, std::fabs(dd[k]));
        e_fd = std::max(e_fd, std::fabs(fd[k] - dd[k]));
        e_ff = std::max(e_ff, std::fabs(ff[k] - dd[k]));
    }
    MESSAGE("800-step FIR fit: final ESR double " << loss_dd << ", float/double-moments " << loss_fd
                                                  << ", float/float-moments " << loss_ff << "; max weight deviation from "
                                                  << "the double run " << e_fd / scale << " (double moments), "
                                                  << e_ff / scale << " (float moments), relative to the largest weight");
    // The noise floor is ESR ~ 9e-4; all three get near it, and the float runs stay within a few float
    // roundings of the double run whichever precision holds the moments.
    CHECK(loss_dd < 1.3e-3);
    CHECK(loss_fd < 1.3e-3);
    CHECK(loss_ff < 1.3e-3);
    CHECK(e_fd / scale < 1e-5);
    CHECK(e_ff / scale < 1e-5);
}
