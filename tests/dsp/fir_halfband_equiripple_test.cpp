// Claims about include/nofold/dsp/fir_halfband_equiripple.hpp, measured on the designed taps by a
// dense DTFT of the full impulse response, a naive double loop (reference: the DTFT definition,
// 4000 points per band; double resolves the 1e-7 ripples measured here to ~1e-9 relative):
// - the design is a half-band whose stopband peak equals the reported ripple (to 0.05 dB) and
//   whose passband error mirrors it: equiripple, with at least J + 1 alternating extrema per band;
// - at the size fir_halfband_equiripple_side_taps() picks, the measured attenuation meets the
//   request, for transitions 0.02 .. 0.45 and 60 .. 120 dB; for the FIREquiripple preset's stages
//   it is the smallest such size;
// - it beats every Kaiser-window half-band of the same length (Kaiser beta swept), and needs
//   fewer taps than the Kaiser designer for the same request.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <vector>

#include <nofold/dsp/fir_halfband_design.hpp>
#include <nofold/dsp/fir_halfband_equiripple.hpp>
#include <nofold/dsp/filter_preset.hpp>

#include "support/halfband.hpp"

namespace dsp = nofold::dsp;

namespace {
constexpr long double pi_l = 3.141592653589793238462643383279502884L;

using nofold::test::halfband_impulse;

// Zero-phase amplitude from the impulse response: DTFT times e^{+j w centre}, real part.
long double amplitude(const std::vector<long double>& h, long double f) {
    const double centre = static_cast<double>(h.size() - 1) / 2.0;
    const double w = 2.0 * static_cast<double>(pi_l) * static_cast<double>(f);
    double s = 0;
    for (std::size_t n = 0; n < h.size(); ++n)
        s += static_cast<double>(h[n]) * std::cos(w * (static_cast<double>(n) - centre));
    return s;
}

struct Measured {
    long double stop_peak = 0;  // max |A| on the stopband
    long double pass_peak = 0;  // max |A - 1| on the passband
    int stop_extrema = 0;       // local maxima of |A| (sign alternations of the error) in the stopband
};

Measured measure(const std::vector<long double>& h, double tbw, int points = 4000) {
    Measured m;
    const long double fp = (0.5L - tbw) / 2, fs = (0.5L + tbw) / 2;
    long double prev_sign = 0;
    for (int i = 0; i <= points; ++i) {
        const long double a = amplitude(h, fs + (0.5L - fs) * i / points);
        m.stop_peak = std::max(m.stop_peak, std::abs(a));
        const long double sign = a > 0 ? 1 : -1;
        if (prev_sign != 0 && sign != prev_sign) ++m.stop_extrema;
        prev_sign = sign;
        m.pass_peak = std::max(m.pass_peak, std::abs(amplitude(h, fp * i / points) - 1));
    }
    ++m.stop_extrema;  // n sign changes separate n + 1 alternating lobes
    return m;
}

long double db(long double x) { return 20 * std::log10(x); }

template <int J>
void check_equiripple(double tbw) {
    const auto d = dsp::fir_halfband_equiripple<J>(tbw);
    const auto m = measure(halfband_impulse(d.g), tbw);
    MESSAGE("equiripple J=" << J << " (" << 4 * J - 1 << " taps), tbw " << tbw << ": reported " << d.attenuation_db()
                            << " dB in " << d.iterations << " exchanges, measured stopband " << (double)db(m.stop_peak)
                            << " dB, passband " << (double)db(m.pass_peak) << " dB, " << m.stop_extrema << " lobes");
    CHECK(d.converged);
    CHECK(std::abs(db(m.stop_peak) + d.attenuation_db()) < 0.05);
    CHECK(std::abs(db(m.pass_peak) - db(m.stop_peak)) < 0.05);
    CHECK(m.stop_extrema >= J);  // J + 1 extrema: at least J alternating lobes inside the band
}

// Best stopband (dB, negative) of Kaiser half-bands with J side taps over a sweep of beta (the
// beta of 40 .. 200 dB in 2 dB steps). A coarser grid (800 points) can only flatter Kaiser.
template <int J>
long double best_kaiser_db(double tbw) {
    long double best = 0;
    for (double a = 40.0; a <= 200.0; a += 2.0) {
        const auto m = measure(halfband_impulse(dsp::fir_halfband_kaiser<J>(a)), tbw, 800);
        best = std::min(best, db(std::max(m.stop_peak, m.pass_peak)));
    }
    return best;
}

template <int J>
void check_beats_kaiser(double tbw, double attenuation_db) {
    const auto d = dsp::fir_halfband_equiripple<J>(tbw);
    const auto m = measure(halfband_impulse(d.g), tbw);
    const long double kaiser_same = db(measure(halfband_impulse(dsp::fir_halfband_kaiser<J>(attenuation_db)), tbw).stop_peak);
    const long double kaiser_best = best_kaiser_db<J>(tbw);
    MESSAGE((4 * J - 1) << " taps at tbw " << tbw << ": equiripple " << (double)db(m.stop_peak)
                      << " dB, Kaiser (designer's beta for " << attenuation_db << " dB) " << (double)kaiser_same
                      << " dB, best Kaiser beta " << (double)kaiser_best << " dB; Kaiser designer needs "
                      << 4 * dsp::fir_halfband_side_taps(tbw, attenuation_db) - 1 << " taps, equiripple "
                      << 4 * dsp::fir_halfband_equiripple_side_taps(tbw, attenuation_db) - 1);
    CHECK(db(m.stop_peak) <= -attenuation_db);
    CHECK(db(m.stop_peak) < kaiser_same - 3.0);
    CHECK(db(m.stop_peak) < kaiser_best - 1.0);
    CHECK(dsp::fir_halfband_equiripple_side_taps(tbw, attenuation_db) < dsp::fir_halfband_side_taps(tbw, attenuation_db));
}

template <int J>
void check_size_meets(double tbw, double attenuation_db) {
    const auto d = dsp::fir_halfband_equiripple<J>(tbw);
    const auto m = measure(halfband_impulse(d.g), tbw);
    CHECK(d.converged);
    CHECK(db(m.stop_peak) <= -attenuation_db);
    CHECK(db(m.pass_peak) <= -attenuation_db);
}

}  // namespace

TEST_CASE("FIR equiripple half-band: equiripple, reported ripple = measured, passband mirrors stopband") {
    check_equiripple<1>(0.3);
    check_equiripple<6>(0.29);
    check_equiripple<12>(0.1375);
    check_equiripple<22>(0.08);
    check_equiripple<40>(0.02);
}

TEST_CASE("FIR equiripple half-band: meets the request and beats Kaiser of the same length") {
    check_beats_kaiser<dsp::fir_halfband_equiripple_side_taps(0.08, 110.0)>(0.08, 110.0);
    check_beats_kaiser<dsp::fir_halfband_equiripple_side_taps(0.05, 100.0)>(0.05, 100.0);
    check_beats_kaiser<dsp::fir_halfband_equiripple_side_taps(0.1375, 120.0)>(0.1375, 120.0);
}

TEST_CASE("FIR equiripple half-band: the size estimate reaches the request over the design range") {
    check_size_meets<dsp::fir_halfband_equiripple_side_taps(0.02, 60.0)>(0.02, 60.0);
    check_size_meets<dsp::fir_halfband_equiripple_side_taps(0.05, 90.0)>(0.05, 90.0);
    check_size_meets<dsp::fir_halfband_equiripple_side_taps(0.05, 120.0)>(0.05, 120.0);
    check_size_meets<dsp::fir_halfband_equiripple_side_taps(0.08, 110.0)>(0.08, 110.0);
    check_size_meets<dsp::fir_halfband_equiripple_side_taps(0.1375, 100.0)>(0.1375, 100.0);
    check_size_meets<dsp::fir_halfband_equiripple_side_taps(0.2, 90.0)>(0.2, 90.0);
    check_size_meets<dsp::fir_halfband_equiripple_side_taps(0.29, 110.0)>(0.29, 110.0);
    check_size_meets<dsp::fir_halfband_equiripple_side_taps(0.395, 120.0)>(0.395, 120.0);
    check_size_meets<dsp::fir_halfband_equiripple_side_taps(0.4475, 110.0)>(0.4475, 110.0);
    check_size_meets<dsp::fir_halfband_equiripple_side_taps(0.4475, 60.0)>(0.4475, 60.0);
    // For the FIREquiripple preset's stages it is also the smallest size that reaches it.
    using P = dsp::FIREquiripple;
    for (int s = 0; s < 4; ++s) {
        const double tbw = dsp::stage_transition(P::transition, s);
        const int j = dsp::stage_size<P>(s);
        MESSAGE("FIREquiripple stage " << s << ": tbw " << tbw << ", " << 4 * j - 1 << " taps ("
                                       << dsp::fir_halfband_equiripple_attenuation_db(j, tbw) << " dB), Kaiser "
                                       << 4 * dsp::stage_size<dsp::FIRLinearPhase>(s) - 1 << " taps");
        CHECK(dsp::fir_halfband_equiripple_attenuation_db(j, tbw) >= P::attenuation_db + 1.0);
        if (j > 1) CHECK(dsp::fir_halfband_equiripple_attenuation_db(j - 1, tbw) < P::attenuation_db + 1.0);
        CHECK(j <= dsp::stage_size<dsp::FIRLinearPhase>(s));
    }
}
