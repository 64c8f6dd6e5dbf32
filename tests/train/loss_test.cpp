// Tests for the training losses (include/nofold/train/losses.hpp, nmr_loss.hpp, stft_loss.hpp,
// training_loss.hpp): values against naive long-double formulas or analysis::NmrAnalyzer (itself
// checked against a naive long-double ear model in tests/analysis/nmr_test.cpp), gradients against
// central finite differences in double (random shapes, odd sizes), float against double, and no
// allocation inside evaluate().
#include <nofold/analysis/nmr.hpp>
#include <nofold/train/losses.hpp>
#include <nofold/train/nmr_loss.hpp>
#include <nofold/train/stft_loss.hpp>
#include <nofold/train/training_loss.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <limits>
#include <random>
#include <vector>

#include "gradient_check.hpp"
#include "support/alloc_counter.hpp"

namespace {

using ld = long double;
using nofold::test::gradient_error;
using nofold::test::random_signal;
using nofold::test::some_indices;
const ld pi_l = 3.141592653589793238462643383279502884L;

// A target with harmonics (what the fine-tune's targets look like) and a prediction near it.
std::vector<double> harmonic_target(std::mt19937& rng, std::size_t items, std::size_t len, double fs) {
    std::uniform_real_distribution<double> f0(60, 2000), ph(0, 6.283);
    std::vector<double> t(items * len);
    for (std::size_t b = 0; b < items; ++b) {
        const double f = f0(rng);
        for (int m = 1; m <= 6; ++m) {
            const double a = 0.4 / m, p = ph(rng);
            for (std::size_t n = 0; n < len; ++n) t[b * len + n] += a * std::sin(2 * M_PI * m * f * n / fs + p);
        }
    }
    return t;
}

std::vector<double> perturbed(std::mt19937& rng, const std::vector<double>& t, double amount) {
    auto p = random_signal(rng, t.size(), amount);
    for (std::size_t i = 0; i < t.size(); ++i) p[i] += t[i];
    return p;
}

}  // namespace

TEST_CASE("ESR and DC losses: values equal long-double formulas, gradients match finite differences") {
    std::mt19937 rng(1);
    for (const auto& shape : {std::pair<std::size_t, std::size_t>{1, 1}, {3, 37}, {5, 2}, {2, 101}}) {
        const std::size_t items = shape.first, len = shape.second;  // not a structured binding: lambdas capture these
        CAPTURE(items);
        CAPTURE(len);
        const auto t = random_signal(rng, items * len);
        const auto p = random_signal(rng, items * len);
        const std::size_t n = t.size();
        ld e = 0, s = 0, d = 0;
        for (std::size_t i = 0; i < n; ++i) {
            e += (static_cast<ld>(p[i]) - t[i]) * (static_cast<ld>(p[i]) - t[i]);
            s += static_cast<ld>(t[i]) * t[i];
            d += static_cast<ld>(t[i]) - p[i];
        }
        std::vector<double> g(n);
        CHECK(nofold::train::esr_loss(p.data(), t.data(), n, g.data()) == doctest::Approx(static_cast<double>(e / s)).epsilon(1e-14));
        auto esr = [&](const std::vector<double>& x) { return nofold::train::esr_loss(x.data(), t.data(), n, static_cast<double*>(nullptr)); };
        CHECK(gradient_error(esr, p, g, some_indices(rng, n, 400)) < 1e-5);
        const ld dc = (d / n) * (d / n) / (s / n);
        CHECK(nofold::train::dc_loss(p.data(), t.data(), n, g.data()) == doctest::Approx(static_cast<double>(dc)).epsilon(1e-12));
        auto dcf = [&](const std::vector<double>& x) { return nofold::train::dc_loss(x.data(), t.data(), n, static_cast<double*>(nullptr)); };
        CHECK(gradient_error(dcf, p, g, some_indices(rng, n, 400)) < 1e-5);
    }
}

TEST_CASE("ESR and DC of a silent target follow the ratio conventions (0 or +inf) with a zero gradient") {
    const std::vector<double> zero(9, 0.0), p(9, 0.25);
    std::vector<double> g(9, 7.0);
    CHECK(nofold::train::esr_loss(zero.data(), zero.data(), 9, g.data()) == 0.0);
    CHECK(nofold::train::esr_loss(p.data(), zero.data(), 9, g.data()) == std::numeric_limits<double>::infinity());
    for (double v : g) CHECK(v == 0.0);
    CHECK(nofold::train::dc_loss(p.data(), zero.data(), 9, g.data()) == std::numeric_limits<double>::infinity());
    CHECK(nofold::train::dc_loss(zero.data(), zero.data(), 9, g.data()) == 0.0);
}

TEST_CASE("NMR loss: value equals analysis::NmrAnalyzer per item, geometric mean over items") {
    std::mt19937 rng(2);
    const double fs = 44100;
    const std::size_t items = 3, len = 4410;  // 3 NMR frames per item, the last 314 samples unused
    const auto t = harmonic_target(rng, items, len, fs);
    auto p = perturbed(rng, t, 0.01);
    p[len - 1] += 1.0;  // beyond the last NMR frame: must not change the value
    nofold::train::NmrLoss<double> loss(fs, items, len);
    CHECK(loss.frames() == 3);
    const double value = loss.evaluate(p.data(), t.data(), nullptr);
    nofold::analysis::NmrAnalyzer analyzer(fs);
    ld log_sum = 0;
    for (std::size_t b = 0; b < items; ++b) {
        const double ref = analyzer.measure(p.data() + b * len, t.data() + b * len, len).linear;
        CHECK(loss.item_nmr(b) == doctest::Approx(ref).epsilon(1e-12));
        log_sum += std::log(static_cast<ld>(ref));
    }
    CHECK(value == doctest::Approx(static_cast<double>(std::exp(log_sum / items))).epsilon(1e-12));
    CHECK_THROWS_AS(nofold::train::NmrLoss<double>(fs, 1, 2047), std::invalid_argument);
}

TEST_CASE("NMR loss gradient matches finite differences (odd frame length, two items)") {
    std::mt19937 rng(3);
    for (double fs : {44100.0, 48000.0}) {
        CAPTURE(fs);
        const std::size_t items = 2, len = 3405;  // 2 frames, 333 trailing samples
        const auto t = harmonic_target(rng, items, len, fs);
        const auto p = perturbed(rng, t, 0.02);
        nofold::train::NmrLoss<double> loss(fs, items, len);
        std::vector<double> g(p.size());
        loss.evaluate(p.data(), t.data(), g.data());
        auto f = [&](const std::vector<double>& x) { return loss.evaluate(x.data(), t.data(), nullptr); };
        CHECK(gradient_error(f, p, g, some_indices(rng, p.size(), 120)) < 1e-5);
        for (std::size_t n = 3072; n < len; ++n) CHECK(g[n] == 0.0);  // never analysed
    }
}

TEST_CASE("NMR loss at a silent prediction: finite value, zero gradient (sub-gradient 0 at |P| = 0)") {
    std::mt19937 rng(4);
    const std::size_t len = 2048;
    const auto t = harmonic_target(rng, 1, len, 48000);
    const std::vector<double> p(len, 0.0);
    nofold::train::NmrLoss<double> loss(48000, 1, len);
    std::vector<double> g(len, 1.0);
    const double v = loss.evaluate(p.data(), t.data(), g.data());
    CHECK(std::isfinite(v));
    CHECK(v > 0);
    for (double x : g) CHECK(x == 0.0);
}

namespace {

// Naive multi-resolution STFT loss of the definition in stft_loss.hpp, long double, direct DFT.
ld naive_stft(const std::vector<double>& p, const std::vector<double>& t, std::size_t items, std::size_t len,
              const std::vector<nofold::train::StftResolution>& res) {
    ld total = 0;
    for (const auto& r : res) {
        const std::size_t n = r.fft_size, frames = (len - n) / r.hop + 1;
        std::vector<std::complex<ld>> root(n);
        std::vector<ld> window(n);
        for (std::size_t i = 0; i < n; ++i) {
            root[i] = std::polar(1.0L, -2 * pi_l * i / n);
            window[i] = 0.5L * (1 - std::cos(2 * pi_l * i / n));
        }
        ld err = 0, energy = 0, log_err = 0, count = 0;
        for (std::size_t b = 0; b < items; ++b)
            for (std::size_t f = 0; f < frames; ++f)
                for (std::size_t k = 0; k <= n / 2; ++k) {
                    std::complex<ld> xp = 0, xt = 0;
                    for (std::size_t i = 0; i < n; ++i) {
                        const std::complex<ld> e = root[k * i % n];
                        xp += window[i] * static_cast<ld>(p[b * len + f * r.hop + i]) * e;
                        xt += window[i] * static_cast<ld>(t[b * len + f * r.hop + i]) * e;
                    }
                    const ld mp = std::sqrt(std::norm(xp) + 1e-12L), mt = std::sqrt(std::norm(xt) + 1e-12L);
                    err += (mp - mt) * (mp - mt);
                    energy += mt * mt;
                    log_err += std::fabs(std::log(mp) - std::log(mt));
                    count += 1;
                }
        total += std::sqrt(err) / std::sqrt(energy) + log_err / count;
    }
    return total / res.size();
}

}  // namespace

TEST_CASE("multi-resolution STFT loss: value equals a naive long-double DFT, gradient matches finite differences") {
    std::mt19937 rng(5);
    const std::vector<nofold::train::StftResolution> res{{64, 16}, {32, 8}, {16, 5}};
    for (const auto& shape : {std::pair<std::size_t, std::size_t>{3, 131}, {1, 64}}) {
        const std::size_t items = shape.first, len = shape.second;
        CAPTURE(items);
        CAPTURE(len);
        const auto t = random_signal(rng, items * len);
        const auto p = perturbed(rng, t, 0.1);
        nofold::train::StftLoss<double> loss(items, len, res);
        std::vector<double> g(p.size());
        const double v = loss.evaluate(p.data(), t.data(), g.data());
        CHECK(v == doctest::Approx(static_cast<double>(naive_stft(p, t, items, len, res))).epsilon(1e-12));
        auto f = [&](const std::vector<double>& x) { return loss.evaluate(x.data(), t.data(), nullptr); };
        CHECK(gradient_error(f, p, g, some_indices(rng, p.size(), 400)) < 1e-5);
    }
    CHECK_THROWS_AS(nofold::train::StftLoss<double>(1, 2047), std::invalid_argument);
    CHECK_THROWS_AS(nofold::train::StftLoss<double>(1, 100, {{48, 8}}), std::invalid_argument);
}

TEST_CASE("training loss = weighted terms of the filtered signals; gradient through every pre-emphasis matches finite differences") {
    using nofold::train::PreEmphasis;
    std::mt19937 rng(6);
    const double fs = 48000;
    const std::size_t items = 2, len = 2111;
    for (auto kind : {PreEmphasis::none, PreEmphasis::high_pass, PreEmphasis::a_weighting, PreEmphasis::low_pass}) {
        CAPTURE(static_cast<int>(kind));
        nofold::train::LossSettings s;
        s.sample_rate_hz = fs;
        s.pre_emphasis = kind;
        s.weights = {0.5, 0.5, 1.0, 0.25};
        s.stft_resolutions = {{256, 64}, {128, 48}};
        nofold::train::TrainingLoss<double> loss(s, items, len);
        const auto t = harmonic_target(rng, items, len, fs);
        const auto p = perturbed(rng, t, 0.05);
        std::vector<double> g(p.size());
        const auto terms = loss.evaluate(p.data(), t.data(), g.data());

        // The same terms from separately tested parts: filter, then each loss on its own.
        nofold::train::PreEmphasisFilter<double> filter(kind, fs, len);
        std::vector<double> fp(p.size()), ft(p.size());
        filter.apply(p.data(), fp.data(), items);
        filter.apply(t.data(), ft.data(), items);
        nofold::analysis::NmrAnalyzer analyzer(fs);
        const double nmr = std::sqrt(analyzer.measure(fp.data(), ft.data(), len).linear *
                                     analyzer.measure(fp.data() + len, ft.data() + len, len).linear);
        const double esr = nofold::train::esr_loss(fp.data(), ft.data(), fp.size(), static_cast<double*>(nullptr));
        const double dc = nofold::train::dc_loss(fp.data(), ft.data(), fp.size(), static_cast<double*>(nullptr));
        // StftLoss's value is checked against the naive DFT above; long-double DFTs of this size are
        // slow where long double is software (AArch64).
        nofold::train::StftLoss<double> stft_loss(items, len, s.stft_resolutions);
        const double stft = stft_loss.evaluate(fp.data(), ft.data(), nullptr);
        CHECK(terms.nmr == doctest::Approx(nmr).epsilon(1e-12));
        CHECK(terms.esr == doctest::Approx(esr).epsilon(1e-14));
        CHECK(terms.dc == doctest::Approx(dc).epsilon(1e-14));
        CHECK(terms.stft == doctest::Approx(stft).epsilon(1e-14));
        CHECK(terms.total == doctest::Approx(0.5 * esr + 0.5 * nmr + dc + 0.25 * stft).epsilon(1e-12));

        auto f = [&](const std::vector<double>& x) { return loss.evaluate(x.data(), t.data(), nullptr).total; };
        CHECK(gradient_error(f, p, g, some_indices(rng, p.size(), 40)) < 1e-5);
    }
}

TEST_CASE("training loss in float agrees with double (value 1e-5, gradient 1e-3 of its largest element)") {
    std::mt19937 rng(7);
    const double fs = 44100;
    const std::size_t items = 3, len = 4410;
    nofold::train::LossSettings s;
    s.sample_rate_hz = fs;
    s.weights.stft = 1.0;
    nofold::train::TrainingLoss<double> ld_loss(s, items, len);
    nofold::train::TrainingLoss<float> f_loss(s, items, len);
    const auto t = harmonic_target(rng, items, len, fs);
    const auto p = perturbed(rng, t, 0.05);
    std::vector<float> tf(t.begin(), t.end()), pf(p.begin(), p.end()), gf(p.size());
    std::vector<double> g(p.size());
    // The same float-rounded inputs for both, so only the arithmetic differs.
    const std::vector<double> tr(tf.begin(), tf.end()), pr(pf.begin(), pf.end());
    const auto a = ld_loss.evaluate(pr.data(), tr.data(), g.data());
    const auto b = f_loss.evaluate(pf.data(), tf.data(), gf.data());
    CHECK(b.total == doctest::Approx(a.total).epsilon(1e-5));
    double worst = 0, largest = 0;
    for (std::size_t i = 0; i < g.size(); ++i) {
        worst = std::max(worst, std::fabs(gf[i] - g[i]));
        largest = std::max(largest, std::fabs(g[i]));
    }
    MESSAGE("float gradient: worst error " << worst / largest << " of the largest element");
    CHECK(worst / largest < 1e-3);
}

TEST_CASE("training loss evaluate() does not allocate after set-up (float and double, all terms)") {
    std::mt19937 rng(8);
    const std::size_t items = 2, len = 4410;
    const auto t = harmonic_target(rng, items, len, 48000);
    const auto p = perturbed(rng, t, 0.05);
    nofold::train::LossSettings s;
    s.weights.stft = 1.0;
    nofold::train::TrainingLoss<double> loss(s, items, len);
    nofold::train::TrainingLoss<float> loss_f(s, items, len);
    std::vector<float> tf(t.begin(), t.end()), pf(p.begin(), p.end()), gf(p.size());
    std::vector<double> g(p.size());
    loss.evaluate(p.data(), t.data(), g.data());
    loss_f.evaluate(pf.data(), tf.data(), gf.data());  // first calls may touch lazily built tables
    nofold::test::AllocationScope scope;
    loss.evaluate(p.data(), t.data(), g.data());
    loss.evaluate(p.data(), t.data(), nullptr);
    loss_f.evaluate(pf.data(), tf.data(), gf.data());
    CHECK(scope.allocations() == 0);
}
