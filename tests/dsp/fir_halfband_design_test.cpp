// Claims about include/nofold/dsp/fir_halfband_design.hpp: the Kaiser half-band, evaluated densely
// by the test in long double from the full impulse response (reference: the DTFT definition), has
// its stopband at or below the requested attenuation and the same ripple in the passband, and the
// taps are the windowed ideal half-band (reference: sinc times a <cmath> Kaiser window).
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <vector>

#include <nofold/dsp/fir_halfband_design.hpp>

#include "support/halfband.hpp"

namespace dsp = nofold::dsp;

namespace {
constexpr long double pi_l = 3.141592653589793238462643383279502884L;

using nofold::test::halfband_impulse;

long double mag_db(const std::vector<long double>& h, long double f) {
    std::complex<long double> s = 0;
    for (std::size_t n = 0; n < h.size(); ++n) s += h[n] * std::polar(1.0L, -2 * pi_l * f * (long double)n);
    return 20 * std::log10(std::abs(s));
}

template <int J>
void check_design(double tbw, double atten_db) {
    const auto g = dsp::fir_halfband_kaiser<J>(atten_db);
    const auto h = halfband_impulse(g);
    long double worst_stop = -1000, worst_pass = 0;
    const int points = 4000;
    for (int i = 0; i <= points; ++i) {
        worst_stop = std::max(worst_stop, mag_db(h, 0.25L + tbw / 2 + (0.25L - tbw / 2) * i / points));
        worst_pass = std::max(worst_pass, std::abs(mag_db(h, (0.25L - tbw / 2) * i / points)));
    }
    MESSAGE("FIR half-band, " << 4 * J - 1 << " taps, tbw " << tbw << ": stopband " << (double)worst_stop
                              << " dB (asked -" << atten_db << "), passband ripple " << (double)worst_pass << " dB");
    CHECK(worst_stop <= -atten_db);
    CHECK(worst_pass <= 20 * std::log10(1 + std::pow(10.0L, -atten_db / 20)) + 1e-12L);
}
}  // namespace

TEST_CASE("FIR half-band: taps are the Kaiser-windowed ideal half-band") {
    constexpr auto g = dsp::fir_halfband_kaiser<10>(90.0);
    const long double beta = 0.1102L * (93.0L - 8.7L);
    for (int j = 1; j <= 10; ++j) {
        const long double n = 2 * j - 1, r = n / 19.0L;
        const long double w = std::cyl_bessel_i(0.0L, beta * std::sqrt(1 - r * r)) / std::cyl_bessel_i(0.0L, beta);
        const long double ideal = std::sin(pi_l * n / 2) / (pi_l * n);
        CHECK(std::abs(g[j - 1] - (double)(ideal * w)) < 1e-13);
    }
}

TEST_CASE("FIR half-band: measured response meets the requested attenuation") {
    constexpr int j1 = dsp::fir_halfband_side_taps(0.05, 110.0);
    constexpr int j2 = dsp::fir_halfband_side_taps(0.1375, 100.0);
    constexpr int j3 = dsp::fir_halfband_side_taps(0.2, 90.0);
    check_design<j1>(0.05, 110.0);
    check_design<j2>(0.1375, 100.0);
    check_design<j3>(0.2, 90.0);
    // The zero-phase amplitude helper agrees with the test's DTFT.
    const auto g = dsp::fir_halfband_kaiser<j2>(100.0);
    const auto h = halfband_impulse(g);
    for (double f : {0.0, 0.1, 0.24, 0.3}) {
        CHECK(std::abs(20 * std::log10(std::abs(dsp::fir_halfband_amplitude(g, f))) - (double)mag_db(h, f)) < 1e-6);
    }
}
