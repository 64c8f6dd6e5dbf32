// nofold::analysis::NmrAnalyzer — noise-to-mask ratio, simplified ITU-R BS.1387 basic model.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "bs1387_bands.hpp"
#include "detail/constants.hpp"
#include "fft.hpp"
#include "ratio.hpp"
#include "window.hpp"

namespace nofold::analysis {

/// Noise-to-mask ratio of a test signal against a reference, steady-state and frame-averaged.
///
/// The simplified BS.1387 FFT ear model of docs/metrics.md §5: 2048-sample frames (hop 1024,
/// symmetric Hann, only frames that fit), playback level 92 dB SPL for a full-scale 1019.5 Hz sine,
/// outer/middle-ear weighting, error spectrum = difference of weighted magnitudes, 109 quarter-Bark
/// bands (bs1387_bands), internal noise on the reference, level-dependent spreading (exponent 0.4)
/// normalised by the spread of a flat spectrum, mask offset 3 dB up to band 48 then 0.0625 dB per band.
/// NMR = mean over frames and bands of band error energy / mask. About -10 dB is the approximate
/// threshold of audible aliasing.
/// Units: fs in Hz; signals in full-scale units (+-1). Allocates: constructor and measure() (small
/// per-call scratch). Not real-time; one analyzer per thread.
/// Reference: ITU-R BS.1387-1 (2001), basic version, FFT ear model and NMR; P. Kabal, "An Examination
/// and Interpretation of ITU-R BS.1387", McGill University, 2003; Carson, Wright & Bilbao, DAFx25, §2.6.
class NmrAnalyzer {
public:
    static constexpr std::size_t frame_size = 2048;
    static constexpr std::size_t hop_size = 1024;
    static constexpr std::size_t band_count = 109;

    /// `bits` < 64 rounds the scaled samples to integers first (a fixed-point input); every NMR
    /// docs/metrics.md reports uses 64 (no rounding).
    explicit NmrAnalyzer(double sample_rate_hz, int bits = 64);

    /// NMR of `test` against `reference`, both `size` samples. Throws if size < frame_size.
    Ratio measure(const double* test, const double* reference, std::size_t size);
    Ratio measure(const std::vector<double>& test, const std::vector<double>& reference) {
        if (test.size() != reference.size()) throw std::invalid_argument("nofold::analysis::NmrAnalyzer: length mismatch");
        return measure(test.data(), reference.data(), test.size());
    }

    /// Outer/middle-ear weight in dB: -2.184 f^-0.8 + 6.5 e^{-0.6 (f - 3.3)^2} - 0.001 f^3.6, f in kHz.
    static double ear_weight_db(double frequency_hz) noexcept;
    double sample_rate_hz() const noexcept { return sample_rate_hz_; }
    /// Level gain applied to full-scale samples: A_max * G_L.
    double level_gain() const noexcept { return level_gain_; }

    // The ear model's parts, public so that a training loss (include/nofold/train/nmr_loss.hpp) can
    // differentiate the same computation instead of repeating it.
    /// One non-zero bin-to-band weight U[band, bin].
    struct BandBin {
        std::size_t band;
        std::size_t bin;
        double weight;  // U[i, k]
    };
    const std::vector<BandBin>& band_bins() const noexcept { return band_bins_; }
    /// W_k for k = 0 ... N/2 (0 at DC).
    const std::vector<double>& ear_weights() const noexcept { return ear_weight_; }
    /// The symmetric Hann frame window (frame_size values).
    const std::vector<double>& frame_window() const noexcept { return hann_; }
    /// Masking threshold M_i (band_count values) of one reference frame, from its weighted
    /// magnitudes W_k |R_k| (frame_size/2 + 1 values): band energies floored at 1e-12, internal
    /// noise, spreading normalised by the flat spread, mask offset. Never allocates.
    void frame_mask(const double* reference_weighted_magnitude, double* mask) const noexcept;
    /// Band error energy floor: E_err,i = max(sum_k U[i,k] (W|S_k| - W|R_k|)^2, error_floor).
    static constexpr double error_floor = 1e-12;

private:
    // Unnormalised spreading of band energies `e` (already including internal noise): the bracket
    // of docs/metrics.md §5 step 7 raised to 1/e (no division by B).
    void spread(const double* e, double* out) const noexcept;
    void frame_power(const double* x, std::size_t start, std::vector<double>& magnitude);

    double sample_rate_hz_;
    int bits_;
    double level_gain_ = 0.0;
    Fft fft_;
    std::vector<double> hann_;
    std::vector<double> ear_weight_;  // W_k, k = 0 ... N/2
    std::vector<BandBin> band_bins_;
    std::vector<double> internal_noise_, mask_gain_, flat_spread_;
    std::vector<double> upper_slope_, lower_gain_;  // per band: 10^((-2.4 - 23/f_c) dz), g_L,m
    std::vector<double> frame_, mag_test_, mag_ref_;
    std::vector<std::complex<double>> spectrum_;
};

// =============================================================================================
// Implementation
// =============================================================================================

inline double NmrAnalyzer::ear_weight_db(double frequency_hz) noexcept {
    const double f = frequency_hz / 1000.0;
    return -2.184 * std::pow(f, -0.8) + 6.5 * std::exp(-0.6 * (f - 3.3) * (f - 3.3)) - 0.001 * std::pow(f, 3.6);
}

inline NmrAnalyzer::NmrAnalyzer(double sample_rate_hz, int bits)
    : sample_rate_hz_(sample_rate_hz),
      bits_(bits),
      fft_(frame_size),
      hann_(hann_window(frame_size, WindowSymmetry::symmetric)),
      frame_(frame_size),
      mag_test_(frame_size / 2 + 1),
      mag_ref_(frame_size / 2 + 1),
      spectrum_(frame_size / 2 + 1) {
    if (!(sample_rate_hz > 0.0 && std::isfinite(sample_rate_hz)))
        throw std::invalid_argument("nofold::analysis::NmrAnalyzer: fs must be positive and finite");
    if (bits < 2 || bits > 64) throw std::invalid_argument("nofold::analysis::NmrAnalyzer: bits must be 2 ... 64");
    const double n = static_cast<double>(frame_size);
    // Level: a full-scale sine at 1019.5 Hz reads 92 dB SPL; g_p corrects the Hann window's
    // scalloping for that tone's offset from the nearest bin.
    const double f_fs = 1019.5 / sample_rate_hz;
    const double delta = std::fabs(f_fs - std::nearbyint(f_fs * n) / n);
    const double big_delta = (n - 1.0) * delta;
    double gp = 1.0;
    if (std::fabs(big_delta) > 1e-12) {
        if (std::fabs(big_delta - 1.0) < 1e-12) {
            gp = 0.5;  // limit of sin(pi D) / (pi D (1 - D^2)) at D = 1
        } else {
            gp = std::sin(detail::pi * big_delta) / (detail::pi * big_delta * (1.0 - big_delta * big_delta));
        }
    }
    const double a_max = std::ldexp(1.0, bits - 1);
    const double gl = std::pow(10.0, 92.0 / 20.0) / (gp * (a_max / 4.0) * (n - 1.0));
    level_gain_ = a_max * gl;

    const double df = sample_rate_hz / n;
    ear_weight_.assign(frame_size / 2 + 1, 0.0);
    for (std::size_t k = 1; k < ear_weight_.size(); ++k)
        ear_weight_[k] = std::pow(10.0, ear_weight_db(static_cast<double>(k) * df) / 20.0);

    for (std::size_t i = 0; i < band_count; ++i) {
        const auto& band = bs1387_bands[i];
        for (std::size_t k = 0; k <= frame_size / 2; ++k) {
            const double lo = std::max(band.lower_hz, (static_cast<double>(k) - 0.5) * df);
            const double hi = std::min(band.upper_hz, (static_cast<double>(k) + 0.5) * df);
            if (hi > lo) band_bins_.push_back({i, k, (hi - lo) / df});
        }
        upper_slope_.push_back(std::pow(10.0, (-2.4 - 23.0 / band.center_hz) * 0.25));
        const double a_l = std::pow(10.0, -2.7 * 0.25);
        lower_gain_.push_back((1.0 - std::pow(a_l, static_cast<double>(i + 1))) / (1.0 - a_l));
        internal_noise_.push_back(std::pow(10.0, 1.456 * std::pow(band.center_hz / 1000.0, -0.8) / 10.0));
        const double offset_db = i <= 48 ? 3.0 : 0.25 * static_cast<double>(i) * 0.25;
        mask_gain_.push_back(std::pow(10.0, -offset_db / 10.0));
    }
    const std::vector<double> ones(band_count, 1.0);
    flat_spread_.resize(band_count);
    spread(ones.data(), flat_spread_.data());
}

inline void NmrAnalyzer::spread(const double* e, double* out) const noexcept {
    constexpr double dz = 0.25, expo = 0.4;
    constexpr std::size_t z = band_count;
    const double a_l = std::pow(10.0, -2.7 * dz);
    double e_hat_pow[z], a_u_pow[z];
    for (std::size_t m = 0; m < z; ++m) {
        const double a_u = upper_slope_[m] * std::pow(e[m], 0.2 * dz);
        const double g_u = (1.0 - std::pow(a_u, static_cast<double>(z - m))) / (1.0 - a_u);
        const double e_hat = e[m] / (lower_gain_[m] + g_u - 1.0);
        e_hat_pow[m] = std::pow(e_hat, expo);  // (a^k E)^e = (a^e)^k E^e
        a_u_pow[m] = std::pow(a_u, expo);
    }
    const double a_l_pow = std::pow(a_l, expo);
    double lower[z], upper[z];
    // lower[i] = sum_{m >= i} (a_l^e)^(m - i) E^_m^e, by recursion from the top band.
    double run = 0.0;
    for (std::size_t i = z; i-- > 0;) {
        run = e_hat_pow[i] + a_l_pow * run;
        lower[i] = run;
    }
    // upper[i] = sum_{m < i} (a_u,m^e)^(i - m) E^_m^e. Each source band m is a chain of products
    // p *= a_u,m^e; four chains advance together (the single chain is bound by multiply latency),
    // and every upper[i] still receives its terms in ascending m.
    for (std::size_t i = 0; i < z; ++i) upper[i] = 0.0;
    std::size_t m = 0;
    for (; m + 4 <= z; m += 4) {
        const double* a = a_u_pow + m;
        const double* w = e_hat_pow + m;
        double p0 = a[0], p1 = a[1], p2 = a[2], p3 = a[3];
        // The first three targets above m see only the chains already started.
        upper[m + 1] += p0 * w[0];
        p0 *= a[0];
        upper[m + 2] += p0 * w[0];
        upper[m + 2] += p1 * w[1];
        p0 *= a[0];
        p1 *= a[1];
        upper[m + 3] += p0 * w[0];
        upper[m + 3] += p1 * w[1];
        upper[m + 3] += p2 * w[2];
        p0 *= a[0];
        p1 *= a[1];
        p2 *= a[2];
        for (std::size_t i = m + 4; i < z; ++i) {
            upper[i] += p0 * w[0];
            upper[i] += p1 * w[1];
            upper[i] += p2 * w[2];
            upper[i] += p3 * w[3];
            p0 *= a[0];
            p1 *= a[1];
            p2 *= a[2];
            p3 *= a[3];
        }
    }
    for (; m < z; ++m) {
        double p = a_u_pow[m];
        for (std::size_t i = m + 1; i < z; ++i) {
            upper[i] += p * e_hat_pow[m];
            p *= a_u_pow[m];
        }
    }
    // x^(1/0.4) = x^2 sqrt(x).
    for (std::size_t i = 0; i < z; ++i) {
        const double x = lower[i] + upper[i];
        out[i] = x * x * std::sqrt(x);
    }
}

inline void NmrAnalyzer::frame_power(const double* x, std::size_t start, std::vector<double>& magnitude) {
    const double a_max = std::ldexp(1.0, bits_ - 1);
    const double gl = level_gain_ / a_max;
    for (std::size_t n = 0; n < frame_size; ++n) {
        double v = x[start + n] * a_max;
        if (bits_ < 64) v = std::nearbyint(v);
        frame_[n] = v * gl * hann_[n];
    }
    fft_.forward_real(frame_.data(), spectrum_.data());
    for (std::size_t k = 0; k < magnitude.size(); ++k) magnitude[k] = ear_weight_[k] * std::abs(spectrum_[k]);
}

inline void NmrAnalyzer::frame_mask(const double* reference_weighted_magnitude, double* mask) const noexcept {
    double ref_band[band_count], ref_spread[band_count];
    for (std::size_t i = 0; i < band_count; ++i) ref_band[i] = 0.0;
    for (const auto& bb : band_bins_) {
        const double r = reference_weighted_magnitude[bb.bin];
        ref_band[bb.band] += bb.weight * r * r;
    }
    for (std::size_t i = 0; i < band_count; ++i) ref_band[i] = std::max(ref_band[i], error_floor) + internal_noise_[i];
    spread(ref_band, ref_spread);
    for (std::size_t i = 0; i < band_count; ++i) mask[i] = mask_gain_[i] * ref_spread[i] / flat_spread_[i];
}

inline Ratio NmrAnalyzer::measure(const double* test, const double* reference, std::size_t size) {
    if (size < frame_size) throw std::invalid_argument("nofold::analysis::NmrAnalyzer: need at least 2048 samples");
    const std::size_t frames = (size - frame_size) / hop_size + 1;
    double err_band[band_count], mask[band_count];
    double sum = 0.0;
    for (std::size_t f = 0; f < frames; ++f) {
        frame_power(test, f * hop_size, mag_test_);
        frame_power(reference, f * hop_size, mag_ref_);
        for (std::size_t i = 0; i < band_count; ++i) err_band[i] = 0.0;
        for (const auto& bb : band_bins_) {
            const double d = mag_test_[bb.bin] - mag_ref_[bb.bin];
            err_band[bb.band] += bb.weight * d * d;
        }
        frame_mask(mag_ref_.data(), mask);
        for (std::size_t i = 0; i < band_count; ++i) sum += std::max(err_band[i], error_floor) / mask[i];
    }
    return Ratio::from_linear(sum / static_cast<double>(frames * band_count));
}

}  // namespace nofold::analysis
