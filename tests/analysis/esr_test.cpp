// Tests for include/nofold/analysis/esr.hpp: analytic ratios of bin-exact sines, the IEC 61672
// A-weighting table, and the 0/0 and x/0 conventions.
#include <nofold/analysis/esr.hpp>
#include <nofold/analysis/signals.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <limits>

using nofold::analysis::EsrWeighting;

TEST_CASE("esr of a scaled target is (1 - g)^2; conventions for silence") {
    const auto t = nofold::analysis::sine(1000, 48000, 0.7, 4800);
    std::vector<double> y(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) y[i] = 0.9 * t[i];
    CHECK(nofold::analysis::esr(y, t).linear == doctest::Approx(0.01).epsilon(1e-12));
    CHECK(nofold::analysis::esr(y, t).db == doctest::Approx(-20.0).epsilon(1e-12));
    std::vector<double> zero(t.size(), 0.0);
    CHECK(nofold::analysis::esr(zero, zero).linear == 0.0);
    CHECK(nofold::analysis::esr(y, zero).linear == std::numeric_limits<double>::infinity());
    CHECK(!std::isnan(nofold::analysis::esr(y, zero).db));
    CHECK(nofold::analysis::esr(zero, zero, EsrWeighting::a_weighting, 48000).linear == 0.0);
}

TEST_CASE("pre-emphasis ESR weights an error tone by |1 - 0.95 e^{-jw}|^2 (analytic, 1e-3)") {
    const std::size_t n = 48000;
    const double f1 = 200, f2 = 6000, eps = 0.01;
    const auto t = nofold::analysis::bin_exact_sine(n, 200, 1.0, n);
    const auto e = nofold::analysis::bin_exact_sine(n, 6000, eps, n);
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = t[i] + e[i];
    auto h2 = [](double f) {
        const std::complex<double> h = 1.0 - 0.95 * std::exp(std::complex<double>(0, -2 * M_PI * f / 48000));
        return std::norm(h);
    };
    const double truth = eps * eps * h2(f2) / h2(f1);
    // The zero initial state adds one transient sample, an O(1/N) effect.
    CHECK(nofold::analysis::esr(y, t, EsrWeighting::pre_emphasis).linear == doctest::Approx(truth).epsilon(1e-3));
    CHECK(nofold::analysis::esr(y, t).linear == doctest::Approx(eps * eps).epsilon(1e-9));
}

TEST_CASE("a_weighting_gain matches the IEC 61672-1 table to 0.1 dB") {
    struct Row {
        double f, db;
    };
    // IEC 61672-1:2013 Table 3, A-weighting design goals, at the exact base-10 frequencies
    // 10^(k/10) Hz behind the nominal 31.5, 63, ..., 16000 Hz.
    for (const Row r : {Row{31.5, -39.4}, Row{63, -26.2}, Row{100, -19.1}, Row{250, -8.6}, Row{500, -3.2},
                        Row{1000, 0.0}, Row{2000, 1.2}, Row{4000, 1.0}, Row{8000, -1.1}, Row{16000, -6.6}}) {
        CAPTURE(r.f);
        const double exact_f = std::pow(10.0, std::round(10.0 * std::log10(r.f)) / 10.0);
        CHECK(std::fabs(20 * std::log10(nofold::analysis::a_weighting_gain(exact_f)) - r.db) < 0.1);
    }
    CHECK(nofold::analysis::a_weighting_gain(1000.0) == doctest::Approx(1.0).epsilon(1e-15));
}

TEST_CASE("A-weighted ESR of bin-exact tones is eps^2 |A(f2)|^2 / |A(f1)|^2 exactly") {
    const std::size_t n = 48000;
    const auto t = nofold::analysis::bin_exact_sine(n, 1000, 0.5, n);
    const auto e = nofold::analysis::bin_exact_sine(n, 50, 0.05, n);
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = t[i] + e[i];
    // Reference gains from the IEC closed form, written out here independently.
    auto ra = [](double f) {
        const double f2 = f * f;
        return 12194.0 * 12194.0 * f2 * f2 /
               ((f2 + 20.6 * 20.6) * std::sqrt((f2 + 107.7 * 107.7) * (f2 + 737.9 * 737.9)) * (f2 + 12194.0 * 12194.0));
    };
    const double truth = 0.01 * std::pow(ra(50) / ra(1000), 2);
    // 1e-3: the reference uses the rounded pole frequencies of the standard's text.
    CHECK(nofold::analysis::esr(y, t, EsrWeighting::a_weighting, 48000).linear == doctest::Approx(truth).epsilon(1e-3));
    CHECK_THROWS_AS(nofold::analysis::esr(y, t, EsrWeighting::a_weighting), std::invalid_argument);
}
