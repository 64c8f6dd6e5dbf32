// nofold::train::NmrLoss — noise-to-mask ratio against the target's own mask, with its gradient.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "../analysis/fft.hpp"
#include "../analysis/nmr.hpp"
#include "detail/spectra.hpp"

namespace nofold::train {

/// NMR loss of a batch: per item b, NMR_b = analysis::NmrAnalyzer's figure with the prediction as the
/// test signal and the target as the reference (2048-sample frames, hop 1024, bits 64; frames that
/// fit entirely, so the tail of a frame length that is not 2048 + k 1024 never enters); the batch
/// value is the geometric mean exp(mean_b ln NMR_b).
///
/// Gradient: the mask depends on the target only, so dL/dp flows through the band error energies
/// E_i = sum_k U[i,k] (W_k |P_k| - W_k |T_k|)^2 only: through |P_k| and the linear windowed DFT.
/// |P_k| takes the sub-gradient 0 where P_k = 0, which here means below 1e-13 of the frame's largest
/// bin (the rounding noise of the transform). A band whose error is at or below the analyzer's 1e-12 floor
/// contributes a zero gradient (the floor is constant there).
/// T: float or double (signals); the ear model runs in double.
/// Allocates: the constructor only; evaluate() never allocates or throws. One object per thread.
/// Reference: docs/metrics.md §5 and docs/training.md §1.3; Carson, Wright &
/// Bilbao, DAFx25.
template <class T>
class NmrLoss {
public:
    /// Throws std::invalid_argument if frame_length < 2048 or items == 0.
    NmrLoss(double sample_rate_hz, std::size_t items, std::size_t frame_length);

    std::size_t items() const noexcept { return items_; }
    std::size_t frame_length() const noexcept { return frame_length_; }
    /// NMR frames per item.
    std::size_t frames() const noexcept { return frames_; }

    /// L = geometric mean over items of NMR_b (linear). Writes dL/dp (items * frame_length values,
    /// planar item-major) unless `gradient` is null.
    T evaluate(const T* prediction, const T* target, T* gradient) noexcept;
    /// NMR_b (linear) of item b in the last evaluate().
    double item_nmr(std::size_t b) const noexcept { return item_nmr_[b]; }

private:
    using complex = std::complex<double>;
    static constexpr std::size_t n_ = analysis::NmrAnalyzer::frame_size;
    static constexpr std::size_t bins_ = n_ / 2 + 1;
    static constexpr std::size_t bands_ = analysis::NmrAnalyzer::band_count;

    // NMR_b summed over frames (not yet averaged); accumulates dNMR_b/dp (unscaled) into grad.
    double item(const T* p, const T* t, double* grad) noexcept;

    analysis::NmrAnalyzer ear_;
    analysis::Fft fft_;
    std::size_t items_, frame_length_, frames_;
    std::vector<double> mag_p_, mag_t_, bin_gradient_, mask_, item_nmr_, item_gradient_;
    std::vector<complex> spec_p_, spec_t_, full_;
};

// =============================================================================================
// Implementation
// =============================================================================================

template <class T>
NmrLoss<T>::NmrLoss(double sample_rate_hz, std::size_t items, std::size_t frame_length)
    : ear_(sample_rate_hz, 64), fft_(n_), items_(items), frame_length_(frame_length) {
    if (items == 0) throw std::invalid_argument("nofold::train::NmrLoss: need at least one item");
    if (frame_length < n_) throw std::invalid_argument("nofold::train::NmrLoss: frame length must be at least 2048 samples");
    frames_ = (frame_length - n_) / analysis::NmrAnalyzer::hop_size + 1;
    mag_p_.resize(bins_);
    mag_t_.resize(bins_);
    bin_gradient_.resize(bins_);
    mask_.resize(bands_);
    item_nmr_.resize(items);
    item_gradient_.resize(items * frame_length);
    spec_p_.resize(bins_);
    spec_t_.resize(bins_);
    full_.resize(n_);
}

template <class T>
double NmrLoss<T>::item(const T* p, const T* t, double* grad) noexcept {
    const double gain = ear_.level_gain();
    const auto& window = ear_.frame_window();
    const auto& weight = ear_.ear_weights();
    double sum = 0.0;
    double error[bands_];
    for (std::size_t f = 0; f < frames_; ++f) {
        const std::size_t start = f * analysis::NmrAnalyzer::hop_size;
        detail::two_real_spectra(fft_, p + start, t + start, window.data(), gain, full_.data(), spec_p_.data(),
                                 spec_t_.data());
        double largest = 0.0;
        for (std::size_t k = 0; k < bins_; ++k) {
            const double mp = detail::magnitude(spec_p_[k]), mt = detail::magnitude(spec_t_[k]);
            mag_p_[k] = weight[k] * mp;
            mag_t_[k] = weight[k] * mt;
            largest = std::max(largest, std::max(mp, mt));
        }
        ear_.frame_mask(mag_t_.data(), mask_.data());
        for (std::size_t i = 0; i < bands_; ++i) error[i] = 0.0;
        for (const auto& bb : ear_.band_bins()) {
            const double d = mag_p_[bb.bin] - mag_t_[bb.bin];
            error[bb.band] += bb.weight * d * d;
        }
        for (std::size_t i = 0; i < bands_; ++i) sum += std::max(error[i], analysis::NmrAnalyzer::error_floor) / mask_[i];
        if (grad == nullptr) continue;
        // dNMR/d(W|P_k|) summed over the bands bin k feeds; bands on the floor are constant.
        for (auto& g : bin_gradient_) g = 0.0;
        for (const auto& bb : ear_.band_bins()) {
            if (!(error[bb.band] > analysis::NmrAnalyzer::error_floor)) continue;
            bin_gradient_[bb.bin] += bb.weight * 2.0 * (mag_p_[bb.bin] - mag_t_[bb.bin]) / mask_[bb.band];
        }
        // d|P_k|/dP_k = P_k / |P_k| (0 at P_k = 0); P_k = sum_n gain w[n] x[n] e^{-j 2 pi k n / N}, so
        // dL/dx[n] = gain w[n] Re(sum_{k <= N/2} G_k e^{+j 2 pi k n / N}), G_k = a_k W_k P_k / |P_k|.
        // P and T share one complex FFT, so a silent prediction's bins hold the transform's rounding
        // noise (~1e-16 of the frame's largest bin) rather than exact zeros: bins below 1e-13 of the
        // largest count as zero and take the sub-gradient 0.
        const double zero = 1e-13 * largest;
        for (std::size_t k = 0; k < bins_; ++k) {
            const double magnitude = detail::magnitude(spec_p_[k]);
            full_[k] = magnitude > zero ? spec_p_[k] * (bin_gradient_[k] * weight[k] / magnitude) : complex(0.0, 0.0);
        }
        detail::add_half_spectrum_adjoint(fft_, full_.data(), window.data(), gain, grad + start);
    }
    return sum;
}

template <class T>
T NmrLoss<T>::evaluate(const T* prediction, const T* target, T* gradient) noexcept {
    const double per_frame = 1.0 / static_cast<double>(frames_ * bands_);
    double log_sum = 0.0;
    for (std::size_t b = 0; b < items_; ++b) {
        const std::size_t offset = b * frame_length_;
        double* g = gradient != nullptr ? item_gradient_.data() + offset : nullptr;
        if (g != nullptr)
            for (std::size_t n = 0; n < frame_length_; ++n) g[n] = 0.0;
        item_nmr_[b] = per_frame * item(prediction + offset, target + offset, g);
        log_sum += std::log(item_nmr_[b]);
    }
    const double loss = std::exp(log_sum / static_cast<double>(items_));
    if (gradient != nullptr) {
        // L = exp(mean ln NMR_b): dL/dNMR_b = L / (B NMR_b).
        for (std::size_t b = 0; b < items_; ++b) {
            const std::size_t offset = b * frame_length_;
            const double scale = loss / (static_cast<double>(items_) * item_nmr_[b]) * per_frame;
            for (std::size_t n = 0; n < frame_length_; ++n)
                gradient[offset + n] = static_cast<T>(scale * item_gradient_[offset + n]);
        }
    }
    return static_cast<T>(loss);
}

}  // namespace nofold::train
