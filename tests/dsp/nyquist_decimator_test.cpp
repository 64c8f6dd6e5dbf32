// Claims about include/nofold/dsp/nyquist_decimator.hpp and FinalStage::nyquist of oversampler.hpp:
// - the designed low-pass, evaluated here as a DTFT in double, is flat to ±0.01 dB up to 20 kHz of a
//   48 kHz output and ≥ 119 dB down from the output Nyquist frequency up;
// - process() equals the decimated direct convolution (plain double loop) over any block split;
// - cause of the aliasing floor: a tone just above the base Nyquist frequency at the 2x rate leaves
//   the preset's half-band cascade almost unattenuated (it folds), and the nyquist final stage
//   removes it (≤ −115 dB);
// - the Oversampler's latency() with the nyquist stage equals the measured phase delay of a 100 Hz
//   tone through up → down (±0.02 samples); process and reset do not allocate.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <random>
#include <vector>

#include <nofold/dsp/nyquist_decimator.hpp>
#include <nofold/dsp/oversampler.hpp>

#include "support/alloc_counter.hpp"

namespace dsp = nofold::dsp;

namespace {
constexpr double pi = 3.14159265358979323846;

double response_db(const dsp::NyquistDecimator& d, double f_in) {  // f in cycles per input sample
    std::complex<double> s = 0;
    for (int k = 0; k < d.taps(); ++k) s += d.tap(k) * std::polar(1.0, -2 * pi * f_in * k);
    return 20 * std::log10(std::abs(s));
}

// Level in dB of the component at f_out (cycles per output sample) in y, after skipping `settle`.
double tone_db(const std::vector<float>& y, double f_out, int settle) {
    std::complex<double> s = 0;
    const int n = static_cast<int>(y.size()) - settle;
    for (int i = 0; i < n; ++i) s += static_cast<double>(y[static_cast<std::size_t>(settle + i)]) * std::polar(1.0, -2 * pi * f_out * i);
    return 20 * std::log10(2 * std::abs(s) / n + 1e-30);
}
}  // namespace

TEST_CASE("NyquistDecimator: pass band flat to 20 kHz, stop band from the output Nyquist") {
    dsp::NyquistDecimator d;
    double ripple = 0, stop = -400;
    for (int i = 0; i <= 2000; ++i) {
        const double f_out = 0.4167 * i / 2000;  // up to 20 kHz at 48 kHz
        ripple = std::max(ripple, std::fabs(response_db(d, f_out / 2)));
    }
    for (int i = 0; i <= 4000; ++i) {
        const double f_in = 0.25 + 0.25 * i / 4000;  // output Nyquist … input Nyquist
        stop = std::max(stop, response_db(d, f_in));
    }
    CHECK(ripple < 0.01);
    CHECK(stop < -119.0);
    CHECK(d.latency() == doctest::Approx((d.taps() - 1) / 4.0));
}

TEST_CASE("NyquistDecimator: process equals the decimated direct convolution, any split, no allocation") {
    dsp::NyquistDecimator d;
    std::mt19937 rng(4);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> x(6000);
    for (float& v : x) v = g(rng);
    std::vector<float> y(3000);
    std::uniform_int_distribution<int> len(0, 300);
    {
        nofold::test::AllocationScope scope;
        for (int done = 0; done < 3000;) {
            const int m = std::min(3000 - done, len(rng));
            d.process(x.data() + 2 * done, y.data() + done, m);
            done += m;
        }
        d.reset();
        CHECK(scope.allocations() == 0);
    }
    double worst = 0;
    for (int j = 0; j < 3000; ++j) {
        double acc = 0;
        for (int k = 0; k < d.taps() && 2 * j - k >= 0; ++k) acc += d.tap(k) * x[static_cast<std::size_t>(2 * j - k)];
        worst = std::max(worst, std::fabs(acc - y[static_cast<std::size_t>(j)]));
    }
    CHECK(worst < 1e-5);
}

TEST_CASE("FinalStage::nyquist removes what the half-band lets fold, at the stated latency") {
    const int rate = 48000;
    for (auto factor : {dsp::OversampleFactor::x2, dsp::OversampleFactor::x4, dsp::OversampleFactor::x8}) {
        const int L = static_cast<int>(factor);
        // 24.6 kHz at the high rate: above the base Nyquist, inside the first half-band's transition band.
        const double f_hz = 24600.0;
        const int n = 8192;
        std::vector<float> high(static_cast<std::size_t>(n * L)), y(static_cast<std::size_t>(n));
        for (int i = 0; i < n * L; ++i) high[static_cast<std::size_t>(i)] = static_cast<float>(0.5 * std::sin(2 * pi * f_hz * i / (rate * L)));
        const double alias_out = (rate - f_hz) / rate;  // where it folds to, cycles per base sample
        dsp::Oversampler halfband(factor, dsp::FilterPreset::iir_quality);
        halfband.down(high.data(), y.data(), n);
        const double folded_halfband = tone_db(y, alias_out, 1024) - 20 * std::log10(0.5);
        dsp::Oversampler nyquist(factor, dsp::FilterPreset::iir_quality, dsp::LatencyMode::fractional, dsp::FinalStage::nyquist);
        {
            nofold::test::AllocationScope scope;
            nyquist.down(high.data(), y.data(), n);
            nyquist.reset();
            CHECK(scope.allocations() == 0);
        }
        nyquist.down(high.data(), y.data(), n);
        const double folded_nyquist = tone_db(y, alias_out, 1024) - 20 * std::log10(0.5);
        INFO("factor " << L << ": half-band " << folded_halfband << " dB, nyquist " << folded_nyquist << " dB");
        CHECK(folded_halfband > -30.0);
        CHECK(folded_nyquist < -115.0);

        // Latency: phase delay of a 100 Hz tone through up → down.
        nyquist.reset();
        const int m = 48000;
        std::vector<float> x(static_cast<std::size_t>(m)), up(static_cast<std::size_t>(m * L)), out(static_cast<std::size_t>(m));
        for (int i = 0; i < m; ++i) x[static_cast<std::size_t>(i)] = static_cast<float>(std::sin(2 * pi * 100.0 * i / rate));
        nyquist.up(x.data(), up.data(), m);
        nyquist.down(up.data(), out.data(), m);
        std::complex<double> a = 0, b = 0;
        for (int i = m / 2; i < m; ++i) {
            a += static_cast<double>(x[static_cast<std::size_t>(i)]) * std::polar(1.0, -2 * pi * 100.0 * i / rate);
            b += static_cast<double>(out[static_cast<std::size_t>(i)]) * std::polar(1.0, -2 * pi * 100.0 * i / rate);
        }
        const double delay = -std::arg(b / a) / (2 * pi * 100.0 / rate);
        CHECK(std::fabs(nyquist.latency() - delay) < 0.02);
    }
}
