// Tests for include/nofold/analysis/signals.hpp against long-double evaluations of the formulas.
#include <nofold/analysis/signals.hpp>

#include <doctest/doctest.h>

#include <cmath>

namespace {
const long double pi_l = 3.141592653589793238462643383279502884L;
}

TEST_CASE("sine matches a long-double sine over 10 s, bin_exact_sine is N-periodic") {
    const double f0 = static_cast<double>(static_cast<float>(440.0 * std::pow(2.0, -1.0 / 12)));
    const auto x = nofold::analysis::sine(f0, 48000.0, 0.5, 480000);
    for (std::size_t n = 0; n < x.size(); n += 977) {
        const long double ref = 0.5L * std::sin(2 * pi_l * static_cast<long double>(f0) * n / 48000.0L);
        CHECK(std::fabs(x[n] - static_cast<double>(ref)) < 1e-12);
    }
    const auto b = nofold::analysis::bin_exact_sine(48017, 1249, 1.0, 2 * 48017);
    for (std::size_t n = 0; n < 48017; n += 101) {
        CHECK(b[n] == b[n + 48017]);
        CHECK(std::fabs(b[n] - static_cast<double>(std::sin(2 * pi_l * 1249.0L * n / 48017.0L))) < 1e-12);
    }
}

TEST_CASE("chromatic_set: 88 notes x 3 levels, f0 rounded to float, MIDI 69 = 440 Hz") {
    const auto set = nofold::analysis::chromatic_set();
    REQUIRE(set.size() == 264);
    CHECK(set.front().midi_note == 21);
    CHECK(set.front().f0_hz == 27.5);
    CHECK(set.front().amplitude_dbfs == -36.0);
    CHECK(set.back().midi_note == 108);
    CHECK(set.back().amplitude_dbfs == -6.0);
    CHECK(set.back().f0_hz == static_cast<double>(static_cast<float>(440.0L * std::pow(2.0L, 39.0L / 12.0L))));
    for (const auto& t : set) {
        CHECK(t.f0_hz == static_cast<double>(static_cast<float>(t.f0_hz)));
        CHECK(t.amplitude == doctest::Approx(std::pow(10.0, t.amplitude_dbfs / 20)));
        if (t.midi_note == 69) CHECK(t.f0_hz == 440.0);
    }
}

TEST_CASE("log_sweep follows Farina's phase law and sweeps the right number of cycles") {
    const double fs = 48000, f1 = 20, f2 = 20000;
    const std::size_t len = 96000;
    const auto x = nofold::analysis::log_sweep(f1, f2, fs, 0.25, len);
    const long double t_total = len / static_cast<long double>(fs), r = std::log(static_cast<long double>(f2 / f1));
    for (std::size_t n = 0; n < len; n += 1013) {
        const long double t = n / static_cast<long double>(fs);
        const long double ref = 0.25L * std::sin(2 * pi_l * f1 * t_total / r * (std::exp(t * r / t_total) - 1));
        CHECK(std::fabs(x[n] - static_cast<double>(ref)) < 1e-9);
    }
    // Upward zero crossings ~ total cycles f1 T / ln(f2/f1) (e^{ln(f2/f1)} - 1).
    int crossings = 0;
    for (std::size_t n = 1; n < len; ++n) crossings += (x[n - 1] < 0 && x[n] >= 0);
    const double cycles = static_cast<double>(f1 * t_total / r * (f2 / f1 - 1));
    CHECK(std::fabs(crossings - cycles) < 3.0);
}
