// nofold::analysis::HarmonicAnalyzer — harmonic amplitudes of a sine response and its alias-free
// resynthesis (Carson, Wright & Bilbao).
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "detail/constants.hpp"
#include "fft.hpp"
#include "window.hpp"

namespace nofold::analysis {

/// Harmonic content of one analysed segment: DC and the complex amplitude of each harmonic.
struct Harmonics {
    double f0_hz = 0.0;
    double sample_rate_hz = 0.0;
    double dc = 0.0;                                ///< B
    std::vector<std::complex<double>> amplitudes;   ///< C_m, m = 1 ... M (index m - 1): the signal holds 2|C_m| cos(...)
    /// Peak amplitude of harmonic m (1-based): 2 |C_m|.
    double peak(std::size_t m) const { return 2.0 * std::abs(amplitudes.at(m - 1)); }
};

/// Measures the harmonics of a sine response and rebuilds the alias-free signal from them.
///
/// For N analysed samples (N = fs for one second, giving 1 Hz bins): S = DFT(w y) with w the
/// periodic Dolph-Chebyshev window of 120 dB side-lobe attenuation; for m = 1 ... M = floor(fs/(2 f0)),
/// beta_m = m f0 N / fs, b_m = round-half-even(beta_m), d_m = beta_m - b_m and the scalloping-corrected
/// amplitude C_m = S[b_m] / sum_n w[n] e^{j 2 pi d_m n / N}; DC B = Re(S[0]) / sum w.
/// resynthesise() writes y~[n] = B + sum_m 2|C_m| cos(2 pi m f0 n / fs + arg C_m).
/// Units: f0 and fs in Hz; amplitudes in the signal's units. Latency: none.
/// Allocates: constructor (window, FFT plan, scratch) and analyse() (the result). Not real-time;
/// one analyzer per thread.
/// Reference: Carson, Wright & Bilbao, "Anti-aliasing of neural distortion effects via model fine
/// tuning", DAFx25, §2.2 (metrics spec §3).
class HarmonicAnalyzer {
public:
    /// Plans for segments of `size` samples at `sample_rate_hz`.
    HarmonicAnalyzer(std::size_t size, double sample_rate_hz, double window_attenuation_db = 120.0);

    std::size_t size() const noexcept { return fft_.size(); }
    double sample_rate_hz() const noexcept { return sample_rate_hz_; }
    const std::vector<double>& window() const noexcept { return window_; }

    /// Harmonics of y (size() samples) for fundamental f0 (0 < f0 < fs/2).
    Harmonics analyse(const double* y, double f0_hz);
    /// Alias-free resynthesis of `h` over size() samples into `out`.
    void resynthesise(const Harmonics& h, double* out) const;
    /// Windowed spectrum of the last analyse() call: size()/2 + 1 bins of DFT(w y) / sum(w), so a
    /// bin-centred sine of peak amplitude a reads a/2.
    const std::vector<std::complex<double>>& last_spectrum() const noexcept { return spectrum_; }

private:
    std::complex<double> window_response(double offset_bins) const;

    double sample_rate_hz_;
    Fft fft_;
    std::vector<double> window_;
    double window_sum_ = 0.0;
    std::vector<double> scratch_;
    std::vector<std::complex<double>> spectrum_;
};

// =============================================================================================
// Implementation
// =============================================================================================

inline HarmonicAnalyzer::HarmonicAnalyzer(std::size_t size, double sample_rate_hz, double window_attenuation_db)
    : sample_rate_hz_(sample_rate_hz),
      fft_(size),
      window_(chebyshev_window(size, window_attenuation_db, WindowSymmetry::periodic)),
      scratch_(size),
      spectrum_(size / 2 + 1) {
    if (!(sample_rate_hz > 0.0)) throw std::invalid_argument("nofold::analysis::HarmonicAnalyzer: fs must be positive");
    for (double v : window_) window_sum_ += v;
}

inline std::complex<double> HarmonicAnalyzer::window_response(double offset_bins) const {
    // sum_n w[n] e^{j 2 pi d n / N}: a rotating phasor, re-seeded exactly every 512 samples so the
    // recurrence never drifts by more than a few ulps.
    const std::size_t n_total = window_.size();
    const double step = detail::two_pi * offset_bins / static_cast<double>(n_total);
    const std::complex<double> rot(std::cos(step), std::sin(step));
    std::complex<double> acc(0.0, 0.0);
    for (std::size_t start = 0; start < n_total; start += 512) {
        const double a = step * static_cast<double>(start);
        std::complex<double> z(std::cos(a), std::sin(a));
        const std::size_t end = std::min(n_total, start + 512);
        double re = 0.0, im = 0.0;
        for (std::size_t n = start; n < end; ++n) {
            re += window_[n] * z.real();
            im += window_[n] * z.imag();
            z = std::complex<double>(z.real() * rot.real() - z.imag() * rot.imag(),
                                     z.real() * rot.imag() + z.imag() * rot.real());
        }
        acc += std::complex<double>(re, im);
    }
    return acc;
}

inline Harmonics HarmonicAnalyzer::analyse(const double* y, double f0_hz) {
    if (!(f0_hz > 0.0 && f0_hz < sample_rate_hz_ / 2.0))
        throw std::invalid_argument("nofold::analysis::HarmonicAnalyzer::analyse: need 0 < f0 < fs/2");
    const std::size_t n = size();
    for (std::size_t i = 0; i < n; ++i) scratch_[i] = window_[i] * y[i];
    fft_.forward_real(scratch_.data(), spectrum_.data());

    Harmonics h;
    h.f0_hz = f0_hz;
    h.sample_rate_hz = sample_rate_hz_;
    h.dc = spectrum_[0].real() / window_sum_;
    const auto harmonic_count = static_cast<std::size_t>(std::floor(sample_rate_hz_ / (2.0 * f0_hz)));
    h.amplitudes.resize(harmonic_count);
    const double bins_per_hz = static_cast<double>(n) / sample_rate_hz_;
    for (std::size_t m = 1; m <= harmonic_count; ++m) {
        const double beta = static_cast<double>(m) * f0_hz * bins_per_hz;
        const double b = std::nearbyint(beta);  // default rounding mode: ties to even
        const auto bin = static_cast<std::size_t>(b);
        if (bin >= spectrum_.size()) {
            h.amplitudes[m - 1] = 0.0;  // harmonic rounds onto/above Nyquist: nothing to measure
            continue;
        }
        h.amplitudes[m - 1] = spectrum_[bin] / window_response(beta - b);
    }
    for (auto& s : spectrum_) s /= window_sum_;
    return h;
}

inline void HarmonicAnalyzer::resynthesise(const Harmonics& h, double* out) const {
    // y~[n] = B + 2 Re( sum_m C_m z^m ),  z = e^{j 2 pi f0 n / fs}, by Horner's rule in z.
    const std::size_t n_total = size();
    const std::size_t count = h.amplitudes.size();
    for (std::size_t i = 0; i < n_total; ++i) {
        const double cycles = std::fmod(h.f0_hz * static_cast<double>(i), h.sample_rate_hz) / h.sample_rate_hz;
        const double zr = std::cos(detail::two_pi * cycles), zi = std::sin(detail::two_pi * cycles);
        double ar = 0.0, ai = 0.0;
        for (std::size_t m = count; m >= 1; --m) {
            const double cr = h.amplitudes[m - 1].real(), ci = h.amplitudes[m - 1].imag();
            const double tr = ar + cr, ti = ai + ci;
            ar = tr * zr - ti * zi;
            ai = tr * zi + ti * zr;
        }
        out[i] = h.dc + 2.0 * ar;
    }
}

}  // namespace nofold::analysis
