// nofold::analysis::esr — error-to-signal ratio, plain, pre-emphasised or A-weighted.
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "fft.hpp"
#include "ratio.hpp"

namespace nofold::analysis {

/// Which weighting both signals get before the energies are summed.
enum class EsrWeighting {
    none,          ///< plain ESR
    pre_emphasis,  ///< first-order high-pass H(z) = 1 - 0.95 z^-1 (zero initial state)
    a_weighting,   ///< IEC 61672 A-weighting magnitude, applied on the DFT of the whole signal
};

/// ESR(y, t) = sum (t[n] - y[n])^2 / sum t[n]^2, after the chosen weighting of y and t.
///
/// A-weighting is applied as the exact analogue magnitude |R_A(f)| (IEC 61672-1, normalised to 1 at
/// 1 kHz) on the N-point DFT of the error and of the target (Parseval), i.e. zero-phase and circular:
/// it treats the N samples as one period, as steady-state tests do. 0/0 gives 0; x/0 gives +inf.
/// Units: sample_rate_hz in Hz (used by A-weighting only). Allocates: A-weighting only (an FFT plan
/// and spectra); the others never. Not real-time.
/// Reference: docs/metrics.md §1; A. Wright, E.-P. Damskägg, V. Välimäki, "Real-time black-box
/// modelling with recurrent neural networks", DAFx 2019 (pre-emphasis); IEC 61672-1:2013, Annex E.
Ratio esr(const double* y, const double* target, std::size_t size, EsrWeighting weighting = EsrWeighting::none,
          double sample_rate_hz = 0.0);
inline Ratio esr(const std::vector<double>& y, const std::vector<double>& target,
                 EsrWeighting weighting = EsrWeighting::none, double sample_rate_hz = 0.0) {
    if (y.size() != target.size()) throw std::invalid_argument("nofold::analysis::esr: length mismatch");
    return esr(y.data(), target.data(), y.size(), weighting, sample_rate_hz);
}

/// IEC 61672 A-weighting magnitude (linear), normalised to exactly 1 at 1 kHz. Units: f in Hz.
double a_weighting_gain(double frequency_hz) noexcept;

/// Pre-emphasis coefficient of EsrWeighting::pre_emphasis.
inline constexpr double pre_emphasis_coefficient = 0.95;

// =============================================================================================
// Implementation
// =============================================================================================

inline double a_weighting_gain(double frequency_hz) noexcept {
    auto ra = [](double f) {
        const double f2 = f * f;
        const double c1 = 20.598997 * 20.598997, c2 = 107.65265 * 107.65265, c3 = 737.86223 * 737.86223,
                     c4 = 12194.217 * 12194.217;
        return c4 * f2 * f2 / ((f2 + c1) * std::sqrt((f2 + c2) * (f2 + c3)) * (f2 + c4));
    };
    return ra(frequency_hz) / ra(1000.0);
}

inline Ratio esr(const double* y, const double* target, std::size_t size, EsrWeighting weighting,
                 double sample_rate_hz) {
    double err = 0.0, ref = 0.0;
    switch (weighting) {
        case EsrWeighting::none:
            for (std::size_t i = 0; i < size; ++i) {
                const double e = target[i] - y[i];
                err += e * e;
                ref += target[i] * target[i];
            }
            break;
        case EsrWeighting::pre_emphasis: {
            double prev_y = 0.0, prev_t = 0.0;
            for (std::size_t i = 0; i < size; ++i) {
                const double fy = y[i] - pre_emphasis_coefficient * prev_y;
                const double ft = target[i] - pre_emphasis_coefficient * prev_t;
                prev_y = y[i];
                prev_t = target[i];
                err += (ft - fy) * (ft - fy);
                ref += ft * ft;
            }
            break;
        }
        case EsrWeighting::a_weighting: {
            if (!(sample_rate_hz > 0.0))
                throw std::invalid_argument("nofold::analysis::esr: A-weighting needs the sample rate");
            if (size == 0) break;
            Fft fft(size);
            std::vector<double> e(size);
            for (std::size_t i = 0; i < size; ++i) e[i] = target[i] - y[i];
            std::vector<Fft::complex> es(size / 2 + 1), ts(size / 2 + 1);
            fft.forward_real(e.data(), es.data());
            fft.forward_real(target, ts.data());
            for (std::size_t k = 1; k < es.size(); ++k) {  // DC has zero weight
                // Bins 1 ... ceil(N/2)-1 stand for themselves and their mirror; N/2 (even N) once.
                const double mult = (size % 2 == 0 && k == size / 2) ? 1.0 : 2.0;
                const double g = a_weighting_gain(static_cast<double>(k) * sample_rate_hz / static_cast<double>(size));
                err += mult * g * g * std::norm(es[k]);
                ref += mult * g * g * std::norm(ts[k]);
            }
            break;
        }
    }
    return Ratio::of_energies(err, ref);
}

}  // namespace nofold::analysis
