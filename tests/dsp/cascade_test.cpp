// Claims about include/nofold/dsp/cascade.hpp, measured on sines through the float cascades
// (reference: the ideal response, 1 in the passband and 0 elsewhere, and the attenuation each
// preset promises; amplitudes by single-bin DFTs in long double over whole periods):
// - passband ripple of up->down is below 0.001 dB up to the preset's passband edge;
// - every image of up() is at least the preset's attenuation below the tone;
// - every high-rate tone that would fold into the base passband is attenuated by down() at least
//   as much (minus 1 dB for float rounding);
// - latency() equals the measured round-trip phase delay of a low-frequency sine, also in
//   LatencyMode::integer where it is a whole number;
// - random block splits (n = 0 included) equal one call; no allocation.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <random>
#include <vector>

#include <nofold/dsp/cascade.hpp>

#include "support/alloc_counter.hpp"
#include "support/blocks.hpp"
#include "support/signals.hpp"

namespace dsp = nofold::dsp;

namespace {
constexpr long double pi_l = 3.141592653589793238462643383279502884L;

// Complex amplitude of the component at `cycles` cycles per sample over y[start, start + len). Double
// with the phase reduced to one turn first (error ~1e-15 per term, far below the −125 dB measured
// here); long double would be software quad precision on 64-bit ARM, hundreds of times slower there.
std::complex<double> tone(const std::vector<float>& y, std::size_t start, std::size_t len, long double cycles) {
    const double c = static_cast<double>(cycles - std::floor(cycles));
    std::complex<double> s = 0;
    for (std::size_t n = 0; n < len; ++n) {
        const double turns = c * static_cast<double>(n);
        s += static_cast<double>(y[start + n]) * std::polar(1.0, -2.0 * static_cast<double>(pi_l) * (turns - std::floor(turns)));
    }
    return s * (2.0 / static_cast<double>(len));
}

std::vector<float> sine(std::size_t n, long double cycles) {
    const double c = static_cast<double>(cycles - std::floor(cycles));
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double turns = c * static_cast<double>(i);
        x[i] = static_cast<float>(std::sin(2.0 * static_cast<double>(pi_l) * (turns - std::floor(turns))));
    }
    return x;
}

template <int F, class Filter>
void check_cascade() {
    using C = dsp::Cascade<F, Filter>;
    const int period = 1024;      // analysis length in base samples (bins k/1024)
    const int settle = 4 * period;
    const long double pass_edge = 0.5L - Filter::transition;  // base-rate cycles per sample
    const double atten = Filter::attenuation_db;
    double worst_ripple = 0, worst_image = -400, worst_alias = -400;
    // Stepped sweep of the passband: ripple of up->down and images of up().
    for (int k = 3; k <= (int)(pass_edge * period); k += 23) {
        const long double f = (long double)k / period;
        C c;
        const auto x = sine(settle + period, f);
        std::vector<float> hi((settle + period) * F), y(settle + period);
        c.up(x.data(), hi.data(), settle + period);
        c.down(hi.data(), y.data(), settle + period);
        const long double a = std::abs(tone(y, settle, period, f));
        worst_ripple = std::max(worst_ripple, (double)std::abs(20 * std::log10(a)));
        const long double a_hi = std::abs(tone(hi, settle * F, period * F, f / F));
        for (int m = 1; m < F; ++m) {  // images at (m ± f)/F of the high rate
            for (long double img : {(long double)m - f, (long double)m + f}) {
                if (img >= F / 2.0L) continue;
                const long double r = std::abs(tone(hi, settle * F, period * F, img / F)) / a_hi;
                worst_image = std::max(worst_image, (double)(20 * std::log10(r + 1e-30L)));
            }
        }
    }
    // High-rate tones folding into the base passband: down() must remove them.
    for (int k = period / 2 + 7; k < F * period / 2; k += (F * period / 2) / 37) {
        const long double F_hi = (long double)k / period;  // base-rate cycles
        const long double folded = std::abs(F_hi - std::round(F_hi));
        if (folded > pass_edge || std::abs(F_hi - std::round(F_hi)) < 1e-9L) continue;
        C c;
        const auto xh = sine((settle + period) * F, F_hi / F);
        std::vector<float> y(settle + period);
        c.down(xh.data(), y.data(), settle + period);
        const long double a = std::abs(tone(y, settle, period, folded));
        worst_alias = std::max(worst_alias, (double)(20 * std::log10(a + 1e-30L)));
    }
    MESSAGE(F << "x " << Filter::attenuation_db << " dB preset: ripple " << worst_ripple << " dB, worst image "
              << worst_image << " dB, worst alias " << worst_alias << " dB, latency " << C::filter_latency()
              << " base samples");
    CHECK(worst_ripple < 0.001);
    CHECK(worst_image <= -atten + 1.0);
    CHECK(worst_alias <= -atten + 1.0);
}

template <int F, class Filter>
void check_latency(dsp::LatencyMode mode) {
    dsp::Cascade<F, Filter> c(mode);
    // A low-frequency sine (0.002 cycles/sample): phase delay ≈ DC phase delay.
    const long double f = 2.0L / 1024;
    const int n = 8192;
    const auto x = sine(n, f);
    std::vector<float> hi(n * F), y(n);
    c.up(x.data(), hi.data(), n);
    c.down(hi.data(), y.data(), n);
    const auto a = tone(y, 4096, 4096, f);
    const auto b = tone(x, 4096, 4096, f);
    const double measured = (double)(-std::arg(a / b) / (2 * pi_l * f));
    MESSAGE(F << "x latency: reported " << c.latency() << ", measured " << measured);
    CHECK(std::abs(measured - c.latency()) < 0.02);
    if (mode == dsp::LatencyMode::integer) CHECK(c.latency() == std::floor(c.latency()));
}
}  // namespace

TEST_CASE("Cascade iir_quality: ripple, images, aliases at 2/4/8/16x") {
    check_cascade<2, dsp::IIRQuality>();
    check_cascade<4, dsp::IIRQuality>();
    check_cascade<8, dsp::IIRQuality>();
    check_cascade<16, dsp::IIRQuality>();
}

TEST_CASE("Cascade iir_fast and fir_linear_phase: ripple, images, aliases") {
    check_cascade<2, dsp::IIRFast>();
    check_cascade<8, dsp::IIRFast>();
    check_cascade<2, dsp::FIRLinearPhase>();
    check_cascade<4, dsp::FIRLinearPhase>();
    check_cascade<16, dsp::FIRLinearPhase>();
}

TEST_CASE("Cascade fir equiripple (FIREquiripple): ripple, images, aliases; shorter than Kaiser") {
    check_cascade<2, dsp::FIREquiripple>();
    check_cascade<8, dsp::FIREquiripple>();
    check_latency<4, dsp::FIREquiripple>(dsp::LatencyMode::fractional);
    CHECK(dsp::Cascade<8, dsp::FIREquiripple>::filter_latency() < dsp::Cascade<8, dsp::FIRLinearPhase>::filter_latency());
}

TEST_CASE("Cascade latency() is the measured round-trip phase delay") {
    check_latency<2, dsp::IIRQuality>(dsp::LatencyMode::fractional);
    check_latency<8, dsp::IIRQuality>(dsp::LatencyMode::fractional);
    check_latency<16, dsp::IIRFast>(dsp::LatencyMode::fractional);
    check_latency<4, dsp::FIRLinearPhase>(dsp::LatencyMode::fractional);
    check_latency<2, dsp::IIRQuality>(dsp::LatencyMode::integer);
    check_latency<8, dsp::IIRFast>(dsp::LatencyMode::integer);
    check_latency<1, dsp::IIRQuality>(dsp::LatencyMode::fractional);
}

TEST_CASE("Cascade stage sizes relax with the rate") {
    for (int s = 0; s < 4; ++s)
        MESSAGE("stage " << s << ": iir_fast " << dsp::Cascade<16, dsp::IIRFast>::stage_size(s) << " coefs, iir_quality "
                         << dsp::Cascade<16, dsp::IIRQuality>::stage_size(s) << " coefs, fir_linear_phase "
                         << 4 * dsp::Cascade<16, dsp::FIRLinearPhase>::stage_size(s) - 1 << " taps");
    for (int s = 1; s < 4; ++s) CHECK(dsp::Cascade<16, dsp::IIRQuality>::stage_size(s) < dsp::Cascade<16, dsp::IIRQuality>::stage_size(s - 1));
}

TEST_CASE("Cascade: random block splits (n = 0 included) equal one call, without allocating") {
    const int n = 700;
    std::mt19937 rng(11);  // draws the signal, then every block length
    const std::vector<float> x = nofold::test::uniform_noise(n, rng);
    auto run = [&](auto& ca, auto& cb, int f) {
        std::vector<float> ha(n * f), hb(n * f), ya(n), yb(n);
        ca.up(x.data(), ha.data(), n);
        ca.down(ha.data(), ya.data(), n);
        nofold::test::AllocationScope scope;
        nofold::test::random_blocks(n, 150, rng, [&](int pos, int m) {
            cb.up(x.data() + pos, hb.data() + pos * f, m);
            cb.down(hb.data() + pos * f, yb.data() + pos, m);
        });
        CHECK(scope.allocations() == 0);
        CHECK(ha == hb);
        CHECK(ya == yb);
    };
    {
        dsp::Cascade<8, dsp::IIRQuality> a(dsp::LatencyMode::integer), b(dsp::LatencyMode::integer);
        run(a, b, 8);
    }
    {
        dsp::Cascade<4, dsp::FIRLinearPhase> a, b;
        run(a, b, 4);
    }
    {
        dsp::Cascade<16, dsp::IIRFast> a, b;
        run(a, b, 16);
        nofold::test::AllocationScope scope;
        b.reset();
        CHECK(scope.allocations() == 0);
    }
}
