// nofold::dsp::DiodeClipper — a white-box reference device: the classic diode clipper (a series
// resistor into a capacitor to ground, shunted by two antiparallel diodes), simulated at 16× or 32×
// the audio rate and brought back with nofold's own half-band cascades (16× ↔ 2×) and a Kaiser
// low-pass whose stop band starts at fs/2 (2× ↔ 1×), so that its output is free of aliasing by
// construction: nothing above fs/2 folds back, at any drive. It gives training targets, demos and a true reference (ESR-R, NMR-R)
// where no recording exists.
//
// Circuit (node voltage v, input voltage u):  C·dv/dt = (u − v)/R − 2·Is·sinh(v / (n·Vt)).
// Integration: trapezoidal rule (second order, A-stable) at the internal rate; each step solves
// its implicit equation with Newton's method inside a bracket that always holds the root (the
// equation is monotone in v), falling back to bisection when a Newton step leaves it, so it
// converges for any drive. Small signals see the linear RC low-pass with the diodes' conductance
// 2·Is/(n·Vt) in parallel (DiodeClipperCircuit::small_signal_response).
//
// Units: input sample 1.0 = 1 V at drive 0 dB; output in volts (the node voltage, |v| < 1 V for
// these diodes at any sane drive); R in ohms, C in farads, Is in amperes, Vt in volts.
// Latency: latency() base-rate samples (linear-phase FIR cascades: a pure, fractional delay, the
// same at 16× and 32×, whose linear paths are identical).
// Allocates: never (buffers are members). RT-safe: process, reset, set_drive_db.
// Reference: D. T. Yeh, J. S. Abel, J. O. Smith, "Simulation of the diode limiter in guitar
// distortion circuits by numerical solution of ordinary differential equations", DAFx 2007 (the
// circuit, the 1N4148 values used as defaults, trapezoidal integration with Newton iterations).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstddef>

#include "../config.hpp"
#include "cascade.hpp"
#include "fir_halfband_design.hpp"

namespace nofold::dsp {

/// Component values; the defaults are Yeh et al.'s (2.2 kΩ, 10 nF: corner 7.2 kHz; 1N4148 diodes).
struct DiodeClipperParams {
    double resistance_ohm = 2.2e3;
    double capacitance_farad = 10e-9;
    double saturation_current_ampere = 2.52e-9;
    double ideality = 1.752;
    double thermal_voltage_volt = 0.02585;
};

/// The circuit alone at one sample rate (no resampling): one implicit trapezoidal step per sample.
/// Units: volts in and out. Latency: 0. Allocates: never. RT-safe: step, reset.
class DiodeClipperCircuit {
public:
    DiodeClipperCircuit(double sample_rate_hz, const DiodeClipperParams& p = {}) noexcept;
    /// Advances one sample with input voltage u; returns the node voltage. A non-finite u counts as 0 V.
    NOFOLD_REALTIME double step(double u) noexcept;
    NOFOLD_REALTIME void reset() noexcept;
    /// Most Newton/bisection iterations any step took since construction or reset.
    int max_iterations() const noexcept { return max_iterations_; }
    /// The linearised circuit's response at f_hz (continuous time, long double):
    /// H = (1/R) / (j·2πf·C + 1/R + 2·Is/(n·Vt)).
    std::complex<long double> small_signal_response(long double f_hz) const noexcept;

private:
    double current(double v) const noexcept { return two_is_ * std::sinh(v * inv_nvt_); }
    DiodeClipperParams p_;
    double k_;         // h / (2C)
    double inv_r_;
    double two_is_;
    double inv_nvt_;
    double v_ = 0.0;   // node voltage
    double f_ = 0.0;   // dv/dt · C at the last step
    int max_iterations_ = 0;
};

namespace detail {

/// Linear-phase Kaiser low-pass between 2× and 1× the audio rate: passband to 0.45·fs, stopband
/// from 0.5·fs, 120 dB. Unlike a half-band stage, whose transition band straddles Nyquist, it lets
/// nothing above fs/2 fold back when decimating, and no image below 0.5·fs remain when interpolating.
/// Units: up() reads n base-rate samples and writes 2n; down() reads 2n and writes n.
/// Latency: (length − 1)/2 samples at 2× for each direction (exact, all frequencies).
/// Allocates: never. RT-safe: up, down, reset.
/// Reference: J. F. Kaiser, ISCAS 1974 (window, β and length), as in fir_halfband_design.hpp.
class BandLimiter2x {
public:
    // Kaiser's length estimate for 120 dB (+3 dB margin) over a transition of 0.05·fs = 0.025 of the 2× rate.
    static constexpr int length = 2 * static_cast<int>((123.0 - 7.95) / (14.36 * 0.025) / 2.0 + 1.0) + 1;
    static constexpr int chunk = 64;  // base-rate frames per call at most

    BandLimiter2x() noexcept {
        const double beta = kaiser_beta(123.0), i0 = dsp::detail::cx_bessel_i0(beta), fc = 0.2375;  // cycles per 2× sample
        const double half = (length - 1) / 2.0;
        double sum = 0.0;
        for (int k = 0; k < length; ++k) {
            const double t = k - half, r = t / half;
            const double ideal = t == 0.0 ? 2.0 * fc : std::sin(2.0 * dsp::detail::pi * fc * t) / (dsp::detail::pi * t);
            h_[static_cast<std::size_t>(k)] = ideal * dsp::detail::cx_bessel_i0(beta * std::sqrt(std::max(0.0, 1.0 - r * r))) / i0;
            sum += h_[static_cast<std::size_t>(k)];
        }
        for (double& x : h_) x /= sum;  // unity gain at DC
    }
    static constexpr double latency_2x() noexcept { return (length - 1) / 2.0; }

    NOFOLD_REALTIME void up(const float* in, float* out, int n) noexcept {
        for (int i = 0; i < n; ++i) {
            up_[static_cast<std::size_t>(length - 1 + 2 * i)] = 2.0f * in[i];
            up_[static_cast<std::size_t>(length + 2 * i)] = 0.0f;
        }
        for (int j = 0; j < 2 * n; ++j) out[j] = static_cast<float>(dot(up_.data() + j, j % 2, 2));  // k ≡ j: nonzero
        shift(up_, 2 * n);
    }
    NOFOLD_REALTIME void down(const float* in, float* out, int n) noexcept {
        std::copy(in, in + 2 * n, down_.begin() + (length - 1));
        for (int i = 0; i < n; ++i) out[i] = static_cast<float>(dot(down_.data() + 2 * i, 0, 1));
        shift(down_, 2 * n);
    }
    NOFOLD_REALTIME void reset() noexcept {
        up_.fill(0.0f);
        down_.fill(0.0f);
    }

private:
    using Buffer = std::array<float, length - 1 + 2 * chunk>;
    // Σ h[k]·window[length − 1 − k] over the taps k = first, first + step, ... (an interpolator's
    // zero-stuffed input is zero at every other tap: step 2 skips those).
    double dot(const float* window, int first, int step) const noexcept {
        double acc = 0.0;
        for (int k = first; k < length; k += step) acc += h_[static_cast<std::size_t>(k)] * window[length - 1 - k];
        return acc;
    }
    static void shift(Buffer& b, int consumed) noexcept {
        std::copy(b.begin() + consumed, b.begin() + consumed + (length - 1), b.begin());
    }

    std::array<double, length> h_{};
    Buffer up_{};
    Buffer down_{};
};

}  // namespace detail

/// Internal simulation rate as a multiple of the audio rate.
enum class InternalRate { x16 = 16, x32 = 32 };

/// The circuit between up- and down-sampling chains: BandLimiter2x (1× ↔ 2×, 120 dB from fs/2),
/// FIRLinearPhase half-band cascades (2× ↔ 16×, ≈ 110 dB) and, at 32×, one more half-band.
class DiodeClipper {
public:
    DiodeClipper(double sample_rate_hz, const DiodeClipperParams& p = {}, InternalRate rate = InternalRate::x16) noexcept;
    /// Any n ≥ 0; in and out may be the same buffer. Non-finite input samples count as 0 V; inputs
    /// beyond ±10 kV (after the drive) are clamped there.
    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept;
    NOFOLD_REALTIME void reset() noexcept;
    /// Input gain in dB (0 dB: sample 1.0 = 1 V), clamped to [−120, +80] dB; NaN is ignored.
    NOFOLD_REALTIME void set_drive_db(double drive_db) noexcept {
        if (drive_db == drive_db) drive_ = std::pow(10.0, std::clamp(drive_db, -120.0, 80.0) / 20.0);
    }
    /// Changes the audio rate (the filters do not depend on it; the circuit's step does) and resets.
    NOFOLD_REALTIME void set_sample_rate_hz(double sample_rate_hz) noexcept {
        circuit_ = DiodeClipperCircuit(sample_rate_hz * static_cast<int>(rate_), params_);
        reset();
    }
    double latency() const noexcept { return latency_; }
    int max_newton_iterations() const noexcept { return circuit_.max_iterations(); }
    const DiodeClipperCircuit& circuit() const noexcept { return circuit_; }
    InternalRate internal_rate() const noexcept { return rate_; }

private:
    static constexpr int chunk = detail::BandLimiter2x::chunk;  // base-rate frames per inner block
    static constexpr double max_input_volt = 1e4;
    using Outer = Cascade<8, FIRLinearPhase>;  // 2× ↔ 16×
    // 16× ↔ 32×. At InternalRate::x32 the circuit runs between its up and down; at x16 both run after
    // the circuit, so the two rates share one linear path and one latency.
    using Inner = Cascade<2, FIRLinearPhase>;

    InternalRate rate_;
    DiodeClipperParams params_;
    double drive_ = 1.0;
    double latency_;
    DiodeClipperCircuit circuit_;
    detail::BandLimiter2x band_;
    Outer outer_;
    Inner inner_;
    std::array<float, chunk> in_{};
    std::array<float, chunk * 2> x2_{};
    std::array<float, chunk * 16> x16_{};
    std::array<float, chunk * 32> x32_{};
};

// ============================================================================================
// Implementation
// ============================================================================================

inline DiodeClipperCircuit::DiodeClipperCircuit(double sample_rate_hz, const DiodeClipperParams& p) noexcept
    : p_(p),
      k_(1.0 / (sample_rate_hz * 2.0 * p.capacitance_farad)),
      inv_r_(1.0 / p.resistance_ohm),
      two_is_(2.0 * p.saturation_current_ampere),
      inv_nvt_(1.0 / (p.ideality * p.thermal_voltage_volt)) {}

inline void DiodeClipperCircuit::reset() noexcept {
    v_ = 0.0;
    f_ = 0.0;
    max_iterations_ = 0;
}

inline double DiodeClipperCircuit::step(double u) noexcept {
    if (!std::isfinite(u)) u = 0.0;
    // Trapezoidal rule: v − v_prev = k·(f(v, u) + f_prev), f(v, u) = (u − v)/R − 2·Is·sinh(v/nVt).
    // g(v) = (1 + k/R)·v + k·2Is·sinh(v/nVt) − b with b = v_prev + k·f_prev + k·u/R is increasing,
    // g(0) = −b, so the root has the sign of b and |v| ≤ |b|/(1 + k/R) and ≤ nVt·asinh(|b|/(2k·Is)):
    // a bracket in which sinh stays finite.
    const double b = v_ + k_ * f_ + k_ * u * inv_r_;
    const double lin = 1.0 + k_ * inv_r_;
    const double bound = std::min(std::abs(b) / lin, std::asinh(std::abs(b) / (k_ * two_is_)) / inv_nvt_);
    double lo = b >= 0.0 ? 0.0 : -bound;
    double hi = b >= 0.0 ? bound : 0.0;
    double v = std::clamp(v_, lo, hi);
    int it = 0;
    for (; it < 100; ++it) {
        const double e = std::exp(v * inv_nvt_), inv_e = 1.0 / e;  // sinh and cosh from one exp
        const double g = lin * v + k_ * two_is_ * 0.5 * (e - inv_e) - b;
        if (g == 0.0) break;
        (g > 0.0 ? hi : lo) = v;
        const double dg = lin + k_ * two_is_ * inv_nvt_ * 0.5 * (e + inv_e);
        const double dv = g / dg;
        if (std::abs(dv) <= 1e-15 * (1.0 + std::abs(v))) {  // converged (checked first: such a step
            v -= dv;                                          // may round onto the bracket's edge)
            break;
        }
        v -= dv;
        if (!(v > lo && v < hi)) v = 0.5 * (lo + hi);  // Newton left the bracket: bisect
        if (hi - lo <= 1e-15 * (1.0 + std::abs(v))) break;
    }
    max_iterations_ = std::max(max_iterations_, it + 1);
    v_ = v;
    f_ = (u - v) * inv_r_ - current(v);
    return v;
}

inline std::complex<long double> DiodeClipperCircuit::small_signal_response(long double f_hz) const noexcept {
    const long double pi = 3.141592653589793238462643383279502884L;
    const long double g = 1.0L / static_cast<long double>(p_.resistance_ohm);
    const long double gd = 2.0L * static_cast<long double>(p_.saturation_current_ampere) /
                           (static_cast<long double>(p_.ideality) * static_cast<long double>(p_.thermal_voltage_volt));
    const std::complex<long double> y(g + gd, 2.0L * pi * f_hz * static_cast<long double>(p_.capacitance_farad));
    return g / y;
}

inline DiodeClipper::DiodeClipper(double sample_rate_hz, const DiodeClipperParams& p, InternalRate rate) noexcept
    : rate_(rate),
      params_(p),
      latency_(detail::BandLimiter2x::latency_2x() + Outer::filter_latency() / 2.0 + Inner::filter_latency() / 16.0),
      circuit_(sample_rate_hz * static_cast<int>(rate), p) {}

inline void DiodeClipper::reset() noexcept {
    circuit_.reset();
    band_.reset();
    outer_.reset();
    inner_.reset();
}

inline void DiodeClipper::process(const float* in, float* out, int n) noexcept {
    for (int done = 0; done < n;) {
        const int m = std::min(chunk, n - done);
        for (int i = 0; i < m; ++i) {
            const float x = in[done + i];
            // Beyond ±10 kV the circuit is meaningless anyway; the clamp keeps every filter state finite.
            in_[static_cast<std::size_t>(i)] =
                std::isfinite(x) ? static_cast<float>(std::clamp(drive_ * x, -max_input_volt, max_input_volt)) : 0.0f;
        }
        band_.up(in_.data(), x2_.data(), m);
        outer_.up(x2_.data(), x16_.data(), 2 * m);
        const int m16 = 16 * m;
        if (rate_ == InternalRate::x32) {
            inner_.up(x16_.data(), x32_.data(), m16);
            for (int i = 0; i < 2 * m16; ++i)
                x32_[static_cast<std::size_t>(i)] = static_cast<float>(circuit_.step(x32_[static_cast<std::size_t>(i)]));
        } else {
            for (int i = 0; i < m16; ++i)
                x16_[static_cast<std::size_t>(i)] = static_cast<float>(circuit_.step(x16_[static_cast<std::size_t>(i)]));
            inner_.up(x16_.data(), x32_.data(), m16);
        }
        inner_.down(x32_.data(), x16_.data(), m16);
        outer_.down(x16_.data(), x2_.data(), 2 * m);
        band_.down(x2_.data(), out + done, m);
        done += m;
    }
}

}  // namespace nofold::dsp
