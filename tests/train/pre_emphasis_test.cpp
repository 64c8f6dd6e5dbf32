// Tests for include/nofold/train/pre_emphasis.hpp: the Kaiser low-pass against its specification
// (frequency response on a 10 Hz grid), A-weighting against the exact analogue curve of
// analysis::a_weighting_gain, every filter against a naive long-double difference equation or
// convolution, and every adjoint by the dot-product identity <F x, y> = <x, F^T y>.
#include <nofold/analysis/esr.hpp>
#include <nofold/train/pre_emphasis.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <vector>

#include "gradient_check.hpp"

namespace {

using ld = long double;
using nofold::train::PreEmphasis;
const ld pi_l = 3.141592653589793238462643383279502884L;

// Zero-phase response of a symmetric FIR: sum_n h[n] cos(w (n - c)). Double is ample for an 80 dB
// stop band (rounding near -300 dB) and much faster than long double where that is software (AArch64).
double fir_gain(const std::vector<double>& h, double f_over_fs) {
    const double c = static_cast<double>(h.size() - 1) / 2.0;
    double re = 0;
    for (std::size_t n = 0; n < h.size(); ++n) re += h[n] * std::cos(2 * M_PI * f_over_fs * (static_cast<double>(n) - c));
    return re;
}

ld biquads_gain(const std::array<nofold::train::Biquad, 3>& s, ld f_over_fs) {
    ld g = 1;
    const ld w = 2 * pi_l * f_over_fs;
    for (const auto& q : s) {
        const ld nr = q.b0 + q.b1 * std::cos(w) + q.b2 * std::cos(2 * w), ni = -q.b1 * std::sin(w) - q.b2 * std::sin(2 * w);
        const ld dr = 1 + q.a1 * std::cos(w) + q.a2 * std::cos(2 * w), di = -q.a1 * std::sin(w) - q.a2 * std::sin(2 * w);
        g *= std::sqrt((nr * nr + ni * ni) / (dr * dr + di * di));
    }
    return g;
}

// Naive per-frame reference of each filter, long double.
std::vector<ld> naive_apply(const nofold::train::PreEmphasisFilter<double>& f, const std::vector<double>& x, std::size_t items) {
    const std::size_t len = f.frame_length();
    std::vector<ld> y(x.size());
    for (std::size_t b = 0; b < items; ++b) {
        const double* xi = x.data() + b * len;
        ld* yi = y.data() + b * len;
        switch (f.kind()) {
        case PreEmphasis::none:
            for (std::size_t n = 0; n < len; ++n) yi[n] = xi[n];
            break;
        case PreEmphasis::high_pass:
            for (std::size_t n = 0; n < len; ++n) yi[n] = xi[n] - (n > 0 ? 0.95L * xi[n - 1] : 0.0L);
            break;
        case PreEmphasis::low_pass: {
            const auto& h = f.taps();
            const long c = static_cast<long>(h.size() / 2);
            for (long n = 0; n < static_cast<long>(len); ++n)
                for (long m = 0; m < static_cast<long>(len); ++m) {
                    const long k = n + c - m;
                    if (k >= 0 && k < static_cast<long>(h.size())) yi[n] += h[static_cast<std::size_t>(k)] * xi[m];
                }
            break;
        }
        case PreEmphasis::a_weighting: {
            std::vector<ld> cur(xi, xi + len);
            for (const auto& q : f.sections()) {  // direct form I
                std::vector<ld> out(len);
                for (std::size_t n = 0; n < len; ++n) {
                    ld v = q.b0 * cur[n];
                    if (n >= 1) v += q.b1 * cur[n - 1] - q.a1 * out[n - 1];
                    if (n >= 2) v += q.b2 * cur[n - 2] - q.a2 * out[n - 2];
                    out[n] = v;
                }
                cur = out;
            }
            for (std::size_t n = 0; n < len; ++n) yi[n] = cur[n];
            break;
        }
        }
    }
    return y;
}

}  // namespace

TEST_CASE("Kaiser pre-emphasis low-pass: 57 taps at 44.1 kHz, +-0.0012 dB to 12 kHz, <= -79.5 dB from 16 kHz (-78.9 dB at 48/96 kHz)") {
    const auto h441 = nofold::train::kaiser_low_pass(44100);
    CHECK(h441.size() == 57);
    CHECK(nofold::train::kaiser_low_pass(48000).size() == 63);  // ceil(72.05 / (14.36 / 12)) = 61 -> 62 -> 63 taps
    for (double fs : {44100.0, 48000.0, 96000.0}) {
        CAPTURE(fs);
        const auto h = nofold::train::kaiser_low_pass(fs);
        ld sum = 0;
        for (std::size_t n = 0; n < h.size(); ++n) {
            sum += h[n];
            CHECK(h[n] == h[h.size() - 1 - n]);  // linear phase
        }
        CHECK(std::fabs(static_cast<double>(sum - 1)) < 1e-15);  // DC gain 1
        double ripple = 0, stop = -1000;
        for (double f = 0; f <= 12000; f += 10) ripple = std::max(ripple, std::fabs(20 * std::log10(fir_gain(h, f / fs))));
        for (double f = 16000; f <= fs / 2; f += 10) stop = std::max(stop, 20 * std::log10(std::fabs(fir_gain(h, f / fs)) + 1e-300));
        CHECK(ripple < 0.0012);
        // Kaiser's order formula is approximate: the spec's 57-tap design reaches -79.7 dB at 44.1 kHz,
        // the same recipe at 48 kHz -79.0 dB.
        CHECK(stop < (fs == 44100 ? -79.5 : -78.9));
        CHECK(20 * std::log10(fir_gain(h, 14000 / fs)) == doctest::Approx(-6.02).epsilon(0.01));
    }
    CHECK_THROWS_AS(nofold::train::kaiser_low_pass(30000), std::invalid_argument);  // 16 kHz above Nyquist
}

TEST_CASE("A-weighting biquads follow IEC 61672's analogue curve: 1 at 1 kHz, within 0.9 / 0.75 / 0.2 dB to 10 kHz at 44.1 / 48 / 96 kHz") {
    for (double fs : {44100.0, 48000.0, 96000.0}) {
        CAPTURE(fs);
        const auto s = nofold::train::a_weighting_biquads(fs);
        CHECK(static_cast<double>(biquads_gain(s, 1000 / fs)) == doctest::Approx(1.0).epsilon(1e-12));
        double worst_low = 0, worst_high = 0;
        for (double f = 10; f <= 0.45 * fs; f *= 1.02) {
            const double err = std::fabs(20 * std::log10(static_cast<double>(biquads_gain(s, f / fs)) /
                                                         nofold::analysis::a_weighting_gain(f)));
            (f <= 10000 ? worst_low : worst_high) = std::max(f <= 10000 ? worst_low : worst_high, err);
        }
        MESSAGE("fs " << fs << ": worst deviation " << worst_low << " dB to 10 kHz, " << worst_high << " dB above");
        // The bilinear transform's zeros at Nyquist pull the top octave down (worst near 8.4 kHz);
        // pre-warping the corners keeps the rest of the curve.
        CHECK(worst_low < (fs == 44100 ? 0.9 : fs == 48000 ? 0.75 : 0.2));
    }
    CHECK_THROWS_AS(nofold::train::a_weighting_biquads(22050), std::invalid_argument);
}

TEST_CASE("every pre-emphasis filter equals its naive long-double form, per frame, float and double") {
    std::mt19937 rng(11);
    for (auto kind : {PreEmphasis::none, PreEmphasis::high_pass, PreEmphasis::a_weighting, PreEmphasis::low_pass}) {
        for (std::size_t len : {1u, 7u, 30u, 57u, 131u}) {
            CAPTURE(static_cast<int>(kind));
            CAPTURE(len);
            const std::size_t items = 3;
            nofold::train::PreEmphasisFilter<double> f(kind, 48000, len);
            nofold::train::PreEmphasisFilter<float> ff(kind, 48000, len);
            const auto x = nofold::test::random_signal(rng, items * len);
            std::vector<double> y(x.size());
            f.apply(x.data(), y.data(), items);
            const auto ref = naive_apply(f, x, items);
            std::vector<float> xf(x.begin(), x.end()), yf(x.size());
            ff.apply(xf.data(), yf.data(), items);
            double worst = 0, worst_f = 0, scale = 1e-300;
            for (std::size_t i = 0; i < x.size(); ++i) {
                worst = std::max(worst, std::fabs(static_cast<double>(y[i] - ref[i])));
                worst_f = std::max(worst_f, std::fabs(static_cast<double>(yf[i] - ref[i])));
                scale = std::max(scale, std::fabs(static_cast<double>(ref[i])));
            }
            CHECK(worst / scale < 1e-13);
            CHECK(worst_f / scale < 1e-6);
        }
    }
}

TEST_CASE("pre-emphasis adjoints satisfy <F x, y> = <x, F^T y> (long double, 1e-13)") {
    std::mt19937 rng(12);
    for (auto kind : {PreEmphasis::none, PreEmphasis::high_pass, PreEmphasis::a_weighting, PreEmphasis::low_pass}) {
        for (std::size_t len : {1u, 2u, 13u, 56u, 57u, 58u, 301u}) {
            CAPTURE(static_cast<int>(kind));
            CAPTURE(len);
            const std::size_t items = 2;
            nofold::train::PreEmphasisFilter<double> f(kind, 44100, len);
            const auto x = nofold::test::random_signal(rng, items * len);
            const auto y = nofold::test::random_signal(rng, items * len);
            std::vector<double> fx(x.size()), fty(x.size());
            f.apply(x.data(), fx.data(), items);
            f.adjoint(y.data(), fty.data(), items);
            ld lhs = 0, rhs = 0, mag = 0;
            for (std::size_t i = 0; i < x.size(); ++i) {
                lhs += static_cast<ld>(fx[i]) * y[i];
                rhs += static_cast<ld>(x[i]) * fty[i];
                mag += std::fabs(static_cast<ld>(fx[i]) * y[i]);
            }
            CHECK(std::fabs(static_cast<double>((lhs - rhs) / mag)) < 1e-13);
        }
    }
}
