// Tests for include/nofold/analysis/harmonics.hpp and sine_metrics.hpp: signals built from sines of
// known amplitude and phase (analytic truth), docs/metrics.md §6's identity and sin^3 cross-checks.
#include <nofold/analysis/harmonics.hpp>
#include <nofold/analysis/signals.hpp>
#include <nofold/analysis/sine_metrics.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

namespace {

const long double pi_l = 3.141592653589793238462643383279502884L;

// sum_m a_m cos(2 pi m f0 n / fs + phi_m) + dc, in long double.
std::vector<double> harmonic_signal(double f0, double fs, std::size_t n, const std::vector<double>& amps,
                                    const std::vector<double>& phases, double dc = 0.0) {
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) {
        long double v = dc;
        for (std::size_t m = 0; m < amps.size(); ++m)
            v += amps[m] * std::cos(2 * pi_l * (m + 1) * static_cast<long double>(f0) * i / fs + phases[m]);
        y[i] = static_cast<double>(v);
    }
    return y;
}

}  // namespace

TEST_CASE("sin^3 harmonics (3/4, -1/4) are recovered to < 1e-6 at a non-bin-exact f0") {
    const double fs = 48000, f0 = static_cast<double>(466.16376f);
    const auto x = nofold::analysis::sine(f0, fs, 1.0, 48000);
    std::vector<double> y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] * x[i] * x[i];  // = 3/4 sin - 1/4 sin 3
    nofold::analysis::HarmonicAnalyzer analyzer(48000, fs);
    const auto h = analyzer.analyse(y.data(), f0);
    REQUIRE(h.amplitudes.size() == static_cast<std::size_t>(fs / (2 * f0)));
    CHECK(std::fabs(h.peak(1) - 0.75) < 1e-6);
    CHECK(std::fabs(h.peak(3) - 0.25) < 1e-6);
    // Phases: sin = cos(. - pi/2), -sin(3.) = cos(3. + pi/2).
    CHECK(std::fabs(std::arg(h.amplitudes[0]) + M_PI / 2) < 1e-5);
    CHECK(std::fabs(std::arg(h.amplitudes[2]) - M_PI / 2) < 1e-5);
    for (std::size_t m : {2u, 4u, 5u, 10u}) CHECK(h.peak(m) < 1e-6);
    CHECK(std::fabs(h.dc) < 1e-6);
}

TEST_CASE("amplitudes, phases and DC of a known harmonic signal, and its exact resynthesis") {
    const double fs = 48000, f0 = 1234.5678;  // not bin-exact, not a float: any f0 works
    const std::vector<double> amps = {0.5, 0.2, 0.1, 0.05, 0.01};
    const std::vector<double> phases = {0.3, -1.0, 2.0, 0.0, -2.5};
    const auto y = harmonic_signal(f0, fs, 48000, amps, phases, 0.125);
    nofold::analysis::SineAnalyzer analyzer(48000, fs);
    const auto m = analyzer.measure(y.data(), f0);
    for (std::size_t k = 0; k < amps.size(); ++k) {
        CAPTURE(k);
        CHECK(std::fabs(m.harmonics.peak(k + 1) - amps[k]) < 1e-6);
        // Complex amplitude 2 C_m = a e^{j phi}: amplitude and phase together.
        CHECK(std::abs(2.0 * m.harmonics.amplitudes[k] - std::polar(amps[k], phases[k])) < 1e-6);
    }
    CHECK(std::fabs(m.harmonics.dc - 0.125) < 1e-6);
    // y is alias-free: ESR-S at the window's floor (docs/metrics.md §6: below -95 dB for any f0).
    CHECK(m.esr_s.db < -95.0);
    CHECK(m.asr_time.db == doctest::Approx(m.esr_s.db).epsilon(1e-9));
}

TEST_CASE("identity system (docs/metrics.md §6): ESR-S < -120 dB bin-exact, < -95 dB for any f0 >= 27.5 Hz") {
    const double fs = 48000;
    nofold::analysis::SineAnalyzer analyzer(48000, fs);
    {
        const auto y = nofold::analysis::sine(1000.0, fs, 0.5, 48000);
        CHECK(analyzer.measure(y.data(), 1000.0).esr_s.db < -120.0);
    }
    for (double f0 : {27.5, 29.135235, 41.203445, 440.0, 1245.0, 3951.0664, 4186.009}) {
        CAPTURE(f0);
        const double f = static_cast<double>(static_cast<float>(f0));
        const auto y = nofold::analysis::sine(f, fs, 0.5, 48000);
        CHECK(analyzer.measure(y.data(), f).esr_s.db < -95.0);
    }
}

TEST_CASE("ESR-S of an injected non-harmonic tone equals its power ratio (analytic, 0.01 dB)") {
    const double fs = 48000, f0 = 1000.5;
    auto y = harmonic_signal(f0, fs, 48000, {0.5, 0.0, 0.1}, {0.0, 0.0, 0.7});
    const double alias_amp = 1e-3, alias_f = 7777.0;
    for (std::size_t i = 0; i < y.size(); ++i)
        y[i] += alias_amp * static_cast<double>(std::sin(2 * pi_l * alias_f * i / fs));
    nofold::analysis::SineAnalyzer analyzer(48000, fs);
    const auto m = analyzer.measure(y.data(), f0);
    const double truth_db = 10 * std::log10(alias_amp * alias_amp / (0.5 * 0.5 + 0.1 * 0.1));
    CHECK(std::fabs(m.esr_s.db - truth_db) < 0.01);
    CHECK(std::fabs(m.asr_time.db - truth_db) < 0.01);
}

TEST_CASE("hesr compares harmonic magnitudes only (analytic)") {
    nofold::analysis::Harmonics a, b;
    a.amplitudes = {{0.5, 0.0}, {0.0, 0.1}};
    b.amplitudes = {{0.0, -0.45}, {0.1, 0.0}};  // same second magnitude, different phases
    const auto r = nofold::analysis::hesr(b, a);
    CHECK(r.linear == doctest::Approx(0.05 * 0.05 / (0.25 + 0.01)).epsilon(1e-12));
    CHECK(nofold::analysis::hesr(a, a).linear == 0.0);
}

TEST_CASE("window_response closed form equals the long-double direct sum to 1e-10 (relative)") {
    for (std::size_t n : {48000u, 44100u, 4001u}) {
        nofold::analysis::HarmonicAnalyzer analyzer(n, static_cast<double>(n));
        for (double d : {0.0, 0.5, -0.5, 0.25, -0.123456, 1e-7, 0.4999, 2.7}) {
            CAPTURE(n);
            CAPTURE(d);
            const auto fast = analyzer.window_response(d);
            const auto direct = analyzer.window_response_direct(d);
            CHECK(std::abs(fast - direct) < 1e-10 * std::abs(direct));
        }
    }
}
