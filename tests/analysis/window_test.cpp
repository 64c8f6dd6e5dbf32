// Tests for include/nofold/analysis/window.hpp. The Dolph-Chebyshev window is checked through its
// defining property, evaluated independently with a long-double DTFT on a dense grid: equiripple
// side lobes exactly `attenuation` dB below the main-lobe peak, nothing above them.
#include <nofold/analysis/window.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

namespace {

using nofold::analysis::WindowSymmetry;

// |sum_n w[n] e^{-j omega n}| in long double. The phasor is taken from cos/sin every 32 terms and
// rotated by e^{-j omega} in between (rounding grows by at most 32 long-double ulps), because long
// double trigonometry is software quad precision on 64-bit ARM, where this test runs under qemu.
long double dtft_magnitude(const std::vector<double>& w, long double omega) {
    const long double step_c = std::cos(omega), step_s = -std::sin(omega);
    long double re = 0, im = 0, pc = 1, ps = 0;
    for (std::size_t n = 0; n < w.size(); ++n) {
        if (n % 32 == 0) {
            pc = std::cos(omega * static_cast<long double>(n));
            ps = -std::sin(omega * static_cast<long double>(n));
        }
        re += w[n] * pc;
        im += w[n] * ps;
        const long double c = pc * step_c - ps * step_s;
        ps = pc * step_s + ps * step_c;
        pc = c;
    }
    return std::sqrt(re * re + im * im);
}

}  // namespace

TEST_CASE("chebyshev_window has equiripple side lobes at exactly -attenuation dB (long-double DTFT)") {
    const long double pi = 3.141592653589793238462643383279502884L;
    for (std::size_t length : {31u, 64u, 101u, 256u}) {
        for (double att : {60.0, 120.0}) {
            CAPTURE(length);
            CAPTURE(att);
            const auto w = nofold::analysis::chebyshev_window(length, att, WindowSymmetry::symmetric);
            REQUIRE(w.size() == length);
            // Peak-normalised, symmetric.
            double peak = 0;
            for (double v : w) peak = std::max(peak, v);
            CHECK(peak == doctest::Approx(1.0).epsilon(1e-15));
            for (std::size_t n = 0; n < length; ++n) CHECK(w[n] == w[length - 1 - n]);
            // Main-lobe edge: x0 cos(omega/2) = 1 (analytic), x0 = cosh(acosh(10^(att/20)) / (L-1)).
            const long double x0 = std::cosh(std::acosh(std::pow(10.0L, att / 20.0L)) / (length - 1));
            const long double edge = 2.0L * std::acos(1.0L / x0);
            const long double dc = dtft_magnitude(w, 0.0L);
            long double worst = 0;
            const int grid = 40 * static_cast<int>(length);
            for (int i = 0; i <= grid; ++i) {
                const long double omega = edge + (pi - edge) * i / grid;
                worst = std::max(worst, dtft_magnitude(w, omega));
            }
            const double level_db = static_cast<double>(20.0L * std::log10(worst / dc));
            CHECK(level_db <= -att + 0.01);   // nothing above the design level
            CHECK(level_db >= -att - 0.05);   // and the ripple reaches it (equiripple)
        }
    }
}

TEST_CASE("chebyshev_window periodic form is the symmetric window of length L+1 without its last sample") {
    const auto periodic = nofold::analysis::chebyshev_window(48000, 120.0, WindowSymmetry::periodic);
    const auto sym = nofold::analysis::chebyshev_window(48001, 120.0, WindowSymmetry::symmetric);
    REQUIRE(periodic.size() == 48000);
    for (std::size_t n = 0; n < 48000; ++n) CHECK(periodic[n] == sym[n]);
    // DFT-even: w[n] == w[N - n].
    for (std::size_t n = 1; n < 48000; n += 997) CHECK(periodic[n] == periodic[48000 - n]);
    CHECK(periodic[24000] == doctest::Approx(1.0));
}

TEST_CASE("hann_window matches 0.5 (1 - cos(2 pi n / D)) in both forms") {
    const long double pi = 3.141592653589793238462643383279502884L;
    const auto s = nofold::analysis::hann_window(2048, WindowSymmetry::symmetric);
    const auto p = nofold::analysis::hann_window(2048, WindowSymmetry::periodic);
    for (std::size_t n = 0; n < 2048; ++n) {
        CHECK(s[n] == doctest::Approx(static_cast<double>(0.5L - 0.5L * std::cos(2 * pi * n / 2047.0L))).epsilon(1e-14));
        CHECK(p[n] == doctest::Approx(static_cast<double>(0.5L - 0.5L * std::cos(2 * pi * n / 2048.0L))).epsilon(1e-14));
    }
    CHECK(s[0] == 0.0);
    CHECK(s[2047] == doctest::Approx(0.0));
    CHECK(nofold::analysis::hann_window(1, WindowSymmetry::symmetric)[0] == 1.0);
}

TEST_CASE("window constructors reject bad arguments") {
    CHECK_THROWS_AS(nofold::analysis::chebyshev_window(0, 120, WindowSymmetry::periodic), std::invalid_argument);
    CHECK_THROWS_AS(nofold::analysis::chebyshev_window(16, -3, WindowSymmetry::periodic), std::invalid_argument);
    CHECK(nofold::analysis::chebyshev_window(1, 120, WindowSymmetry::symmetric)[0] == 1.0);
}
