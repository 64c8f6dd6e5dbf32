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
/// tuning", DAFx25, §2.2 (docs/metrics.md §3).
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

    /// sum_n w[n] e^{j 2 pi d n / N}: the window's response to a tone d bins off a bin centre
    /// (closed form), and the same by direct summation in long double (slow; for tests).
    std::complex<double> window_response(double offset_bins) const;
    std::complex<double> window_response_direct(double offset_bins) const;

private:

    double sample_rate_hz_;
    Fft fft_;
    std::vector<double> window_;
    double window_sum_ = 0.0;
    double ripple_ = 0.0;  // 10^{attenuation / 20}
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
    if (!(sample_rate_hz > 0.0 && std::isfinite(sample_rate_hz)))
        throw std::invalid_argument("nofold::analysis::HarmonicAnalyzer: fs must be positive and finite");
    for (double v : window_) window_sum_ += v;
    ripple_ = std::pow(10.0, window_attenuation_db / 20.0);
}

inline std::complex<double> HarmonicAnalyzer::window_response(double offset_bins) const {
    // sum_n w[n] e^{j theta n}, theta = 2 pi d / N, in closed form. The periodic window is the
    // symmetric Dolph-Chebyshev window of length N + 1 (order N) without its last sample w_s[N] = w[0],
    // and the symmetric window's DTFT is c e^{-j omega N / 2} T_N(x0 cos(omega / 2)) (exactly: it is
    // how the window was built). So the sum is c e^{j theta N/2} T_N(x0 cos(theta/2)) - w[0] e^{j theta N},
    // with c fixed by theta = 0: sum w + w[0] = c T_N(x0) = c 10^{att/20}.
    const double n = static_cast<double>(window_.size());
    const double theta = detail::two_pi * offset_bins / n;
    const double t = detail::chebyshev_t_of_cos(n, std::acosh(ripple_) / n, theta / 2.0);
    const double c = (window_sum_ + window_[0]) / ripple_;
    const std::complex<double> half_turn = std::polar(1.0, theta * n / 2.0);
    return c * t * half_turn - window_[0] * half_turn * half_turn;
}

/// Direct O(N) evaluation of the same sum (used by the tests to check the closed form).
inline std::complex<double> HarmonicAnalyzer::window_response_direct(double offset_bins) const {
    const std::size_t n_total = window_.size();
    long double re = 0.0L, im = 0.0L;
    for (std::size_t i = 0; i < n_total; ++i) {
        const long double angle = static_cast<long double>(detail::two_pi) * offset_bins * static_cast<long double>(i) /
                                  static_cast<long double>(n_total);
        re += window_[i] * std::cos(angle);
        im += window_[i] * std::sin(angle);
    }
    return {static_cast<double>(re), static_cast<double>(im)};
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
    // y~[n] = B + 2 Re( sum_m C_m z^m ),  z = e^{j 2 pi f0 n / fs}, by Horner's rule in z; eight
    // samples at a time so the independent recurrences fill the vector lanes.
    constexpr std::size_t lanes = 8;
    const std::size_t n_total = size();
    const std::size_t count = h.amplitudes.size();
    for (std::size_t start = 0; start < n_total; start += lanes) {
        double zr[lanes], zi[lanes], ar[lanes] = {}, ai[lanes] = {};
        for (std::size_t j = 0; j < lanes; ++j) {
            const double t = static_cast<double>(start + j);
            const double cycles = std::fmod(h.f0_hz * t, h.sample_rate_hz) / h.sample_rate_hz;
            zr[j] = std::cos(detail::two_pi * cycles);
            zi[j] = std::sin(detail::two_pi * cycles);
        }
        for (std::size_t m = count; m >= 1; --m) {
            const double cr = h.amplitudes[m - 1].real(), ci = h.amplitudes[m - 1].imag();
            for (std::size_t j = 0; j < lanes; ++j) {
                const double tr = ar[j] + cr, ti = ai[j] + ci;
                ar[j] = tr * zr[j] - ti * zi[j];
                ai[j] = tr * zi[j] + ti * zr[j];
            }
        }
        const std::size_t end = std::min(lanes, n_total - start);
        for (std::size_t j = 0; j < end; ++j) out[start + j] = h.dc + 2.0 * ar[j];
    }
}

}  // namespace nofold::analysis
