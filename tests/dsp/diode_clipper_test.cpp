// Claims about include/nofold/dsp/diode_clipper.hpp:
// - DC: the output settles on the root of (u − v)/R = 2·Is·sinh(v/(n·Vt)) (reference: long-double
//   bisection written here), for small and large inputs;
// - small signals: gain and phase follow the analytic RC low-pass with the diodes' conductance in
//   parallel, H = (1/R)/(jωC + 1/R + 2Is/(nVt)) in long double (reference: the formula, evaluated here
//   independently of DiodeClipperCircuit::small_signal_response, which is checked against it too);
// - the 16× and 32× internal rates agree to < −80 dB up to +20 dB drive (discretisation and aliasing
//   at 16× are that small);
// - ASR at f0 = 1249 Hz, fs = N = 48017 (analysis/asr.hpp) is below −100 dB up to +20 dB drive;
// - Newton's iteration count stays bounded up to +40 dB drive and the output stays within ±1 V;
// - NaN/Inf input samples act as 0 V; random block splits give the same output; process allocates nothing;
// - DiodeClipperModel (the nofold::Model view) is the device: same output, and rate factor L = the device at L·fs.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <limits>
#include <memory>
#include <random>
#include <tuple>
#include <vector>

#include <nofold/analysis/asr.hpp>
#include <nofold/dsp/diode_clipper.hpp>
#include <nofold/dsp/diode_clipper_model.hpp>

#include "support/alloc_counter.hpp"

namespace dsp = nofold::dsp;

namespace {

const dsp::DiodeClipperParams params{};

/// Root of (u − v)/R = 2·Is·sinh(v/(n·Vt)) by bisection in long double.
long double dc_solution(long double u) {
    const long double r = params.resistance_ohm, is = params.saturation_current_ampere;
    const long double nvt = static_cast<long double>(params.ideality) * params.thermal_voltage_volt;
    long double lo = std::min(0.0L, u), hi = std::max(0.0L, u);
    for (int i = 0; i < 200; ++i) {
        const long double v = 0.5L * (lo + hi);
        const long double g = (u - v) / r - 2.0L * is * std::sinh(v / nvt);
        (g > 0 ? lo : hi) = v;
    }
    return 0.5L * (lo + hi);
}

std::complex<long double> analytic_response(long double f) {
    const long double pi = 3.141592653589793238462643383279502884L;
    const long double g = 1.0L / params.resistance_ohm;
    const long double gd = 2.0L * params.saturation_current_ampere /
                           (static_cast<long double>(params.ideality) * params.thermal_voltage_volt);
    return g / std::complex<long double>(g + gd, 2.0L * pi * f * static_cast<long double>(params.capacitance_farad));
}

std::vector<float> run(double fs, const std::vector<float>& x, double drive_db, dsp::InternalRate rate = dsp::InternalRate::x16) {
    auto clipper = std::make_unique<dsp::DiodeClipper>(fs, params, rate);
    clipper->set_drive_db(drive_db);
    std::vector<float> y(x.size());
    clipper->process(x.data(), y.data(), static_cast<int>(x.size()));
    return y;
}

std::vector<float> sine(double fs, double f, double amplitude, int n) {
    std::vector<float> x(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = static_cast<float>(amplitude * std::sin(2 * M_PI * f * i / fs));
    return x;
}

}  // namespace

TEST_CASE("DiodeClipperCircuit: DC steady state solves the diode equation") {
    for (double u : {0.01, 0.3, 1.0, -2.0, 10.0, -100.0}) {
        CAPTURE(u);
        dsp::DiodeClipperCircuit c(48000.0 * 16);
        double v = 0;
        for (int i = 0; i < 20000; ++i) v = c.step(u);
        CHECK(v == doctest::Approx(static_cast<double>(dc_solution(u))).epsilon(1e-12));
    }
}

TEST_CASE("DiodeClipper: DC through the cascades") {
    for (double u : {0.01, 0.5, -1.0, 4.0}) {
        CAPTURE(u);
        const std::vector<float> y = run(48000.0, std::vector<float>(2400, static_cast<float>(u)), 0.0);
        CHECK(y.back() == doctest::Approx(static_cast<double>(dc_solution(static_cast<long double>(static_cast<float>(u))))).epsilon(2e-5));
    }
}

TEST_CASE("DiodeClipper: small-signal gain and phase follow the analytic RC low-pass") {
    // Two references: the continuous-time response (off by the trapezoidal rule's frequency warping,
    // (ωT)²/12 relative, 0.016 dB at 18 kHz), and the same formula at the warped frequency
    // (2/T)·tan(ωT/2), T = 1/(16·fs), which is what the trapezoidal rule computes exactly.
    const double fs = 48000.0;
    const long double t16 = 1.0L / (16.0L * fs);
    const long double pi = 3.141592653589793238462643383279502884L;
    const dsp::DiodeClipperCircuit probe(fs * 16);
    for (double f : {56.0, 1000.0, 7200.0, 18000.0}) {
        CAPTURE(f);
        const std::complex<long double> h = analytic_response(f);
        const std::complex<long double> hw = analytic_response(std::tan(pi * f * t16) / (pi * t16));
        CHECK(std::abs(probe.small_signal_response(f) - h) < 1e-15L);
        const int n = 6000;  // 0.125 s: whole cycles of every f above
        const double amplitude = 1e-4;  // diodes conduct ~(1e-4/nVt)²/6 ≈ 1e-6 of the linear current: linear
        auto clipper = std::make_unique<dsp::DiodeClipper>(fs, params);
        const std::vector<float> x = sine(fs, f, amplitude, 2 * n);
        std::vector<float> y(x.size());
        clipper->process(x.data(), y.data(), 2 * n);
        double a = 0, b = 0;  // correlate after settling
        for (int i = n; i < 2 * n; ++i) {
            a += y[static_cast<std::size_t>(i)] * std::sin(2 * M_PI * f * i / fs);
            b += y[static_cast<std::size_t>(i)] * std::cos(2 * M_PI * f * i / fs);
        }
        const std::complex<double> measured(2 * a / n / amplitude, 2 * b / n / amplitude);
        const double delay_phase = 2 * M_PI * f * clipper->latency() / fs;  // linear-phase cascades: a pure delay
        for (const auto& [ref, gain_tol_db, phase_tol] : {std::tuple{h, 0.02, 1e-3}, std::tuple{hw, 5e-4, 1e-6}}) {
            const double gain_db_error = 20 * std::log10(std::abs(measured) / static_cast<double>(std::abs(ref)));
            const double phase_error =
                std::remainder(std::arg(measured) + delay_phase - static_cast<double>(std::arg(ref)), 2 * M_PI);
            INFO("f " << f << " Hz: gain error " << gain_db_error << " dB, phase error " << phase_error << " rad");
            CHECK(std::abs(gain_db_error) < gain_tol_db);
            CHECK(std::abs(phase_error) < phase_tol);
        }
    }
}

TEST_CASE("DiodeClipper: 16x and 32x internal rates agree to below -80 dB up to +20 dB drive") {
    const double fs = 48000.0;
    for (double drive_db : {0.0, 20.0}) {
        for (double f : {1000.0, 3000.0}) {
            CAPTURE(drive_db);
            CAPTURE(f);
            const std::vector<float> x = sine(fs, f, 0.5, 4800);
            const std::vector<float> a = run(fs, x, drive_db, dsp::InternalRate::x16);
            const std::vector<float> b = run(fs, x, drive_db, dsp::InternalRate::x32);
            double diff = 0, ref = 0;
            for (std::size_t i = 1200; i < x.size(); ++i) {
                diff += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
                ref += double(b[i]) * b[i];
            }
            const double db = 10 * std::log10(diff / ref);
            INFO("drive " << drive_db << " dB, f " << f << " Hz: 16x vs 32x " << db << " dB");
            CHECK(db < -80.0);
        }
    }
}

TEST_CASE("DiodeClipper: ASR at 1249 Hz, fs = N = 48017, below -100 dB up to +20 dB drive") {
    const int fs = 48017, k0 = 1249, settle = 4800;
    for (double drive_db : {20.0}) {  // 5 V peak: hard clipping, the hardest case below +40 dB
        CAPTURE(drive_db);
        const std::vector<float> x = sine(fs, k0, 0.5, settle + fs);
        const std::vector<float> y = run(fs, x, drive_db);
        const std::vector<double> steady(y.begin() + settle, y.end());
        const auto r = nofold::analysis::asr(steady, static_cast<std::size_t>(k0));
        const double db = r.db;
        INFO("drive " << drive_db << " dB: ASR " << db << " dB");
        CHECK(db < -100.0);
    }
}

TEST_CASE("DiodeClipper: Newton converges in a bounded number of iterations up to +40 dB drive") {
    const double fs = 48000.0;
    std::mt19937 gen(7);
    std::uniform_real_distribution<float> d(-1.0f, 1.0f);
    std::vector<float> x(4800);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = 0.7f * std::sin(2 * float(M_PI) * 220.0f * float(i) / 48000.0f) + 0.3f * d(gen);
    for (double drive_db : {0.0, 20.0, 40.0}) {
        CAPTURE(drive_db);
        auto clipper = std::make_unique<dsp::DiodeClipper>(fs, params);
        clipper->set_drive_db(drive_db);
        std::vector<float> y(x.size());
        clipper->process(x.data(), y.data(), static_cast<int>(x.size()));
        INFO("drive " << drive_db << " dB: at most " << clipper->max_newton_iterations() << " iterations");
        CHECK(clipper->max_newton_iterations() <= 12);
        float peak = 0;
        for (float v : y) {
            REQUIRE(std::isfinite(v));
            peak = std::max(peak, std::abs(v));
        }
        CHECK(peak < 1.5f);  // the diodes hold ~0.8 V; band-limiting a hard clip overshoots a little
    }
}

TEST_CASE("DiodeClipper: NaN and Inf input act as 0 V; huge input and a NaN drive stay defined") {
    std::vector<float> x = sine(48000.0, 440.0, 0.8, 4000), zeroed = x;
    for (std::size_t i : {10u, 11u, 500u, 2047u}) {
        x[i] = std::numeric_limits<float>::quiet_NaN();
        zeroed[i] = 0.0f;
    }
    x[3000] = std::numeric_limits<float>::infinity();
    zeroed[3000] = 0.0f;
    const std::vector<float> a = run(48000.0, x, 6.0), b = run(48000.0, zeroed, 6.0);
    CHECK(a == b);
    // Huge but finite input and a NaN drive: finite output, still bounded by the diodes.
    std::vector<float> huge(2000, 3e38f);
    auto clipper = std::make_unique<dsp::DiodeClipper>(48000.0, params);
    clipper->set_drive_db(std::numeric_limits<double>::quiet_NaN());
    clipper->set_drive_db(80.0);
    clipper->process(huge.data(), huge.data(), 2000);
    for (float v : huge) REQUIRE((std::isfinite(v) && std::abs(v) < 2.0f));
}

TEST_CASE("DiodeClipper: random block splits match one call; process allocates nothing") {
    const std::vector<float> x = sine(44100.0, 330.0, 0.9, 3000);
    const std::vector<float> whole = run(44100.0, x, 12.0);
    auto clipper = std::make_unique<dsp::DiodeClipper>(44100.0, params);
    clipper->set_drive_db(12.0);
    std::vector<float> y(x.size());
    std::mt19937 gen(3);
    std::uniform_int_distribution<int> len(0, 200);
    nofold::test::AllocationScope scope;
    for (std::size_t done = 0; done < x.size();) {
        const int m = std::min<int>(len(gen), static_cast<int>(x.size() - done));
        clipper->process(x.data() + done, y.data() + done, m);
        done += static_cast<std::size_t>(m);
    }
    clipper->reset();
    CHECK(scope.allocations() == 0);
    CHECK(y == whole);
}

TEST_CASE("DiodeClipperModel: the device behind nofold::Model; rate factor L runs it at L times the rate") {
    const std::vector<float> x = sine(48000.0, 440.0, 0.7, 2000);
    auto model = std::make_unique<dsp::DiodeClipperModel>(48000.0, 6.0);
    std::vector<float> y(x.size());
    model->prewarm();
    model->process(x.data(), y.data(), static_cast<int>(x.size()));
    CHECK(y == run(48000.0, x, 6.0));
    CHECK(model->latency() == static_cast<int>(std::lround(model->device().latency())));

    CHECK(model->set_rate_factor(0.5) == nofold::RateFactorStatus::out_of_range);
    CHECK(model->set_rate_factor(17.0) == nofold::RateFactorStatus::out_of_range);
    {
        nofold::test::AllocationScope scope;
        CHECK(model->set_rate_factor(2.0) == nofold::RateFactorStatus::ok);
        model->process(x.data(), y.data(), static_cast<int>(x.size()));
        CHECK(scope.allocations() == 0);
    }
    CHECK(model->rate_factor() == 2.0);
    CHECK(y == run(96000.0, x, 6.0));
}
