// nofold::train::StftLoss — multi-resolution STFT magnitude loss with its gradient.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

#include "../analysis/fft.hpp"
#include "../analysis/window.hpp"
#include "detail/spectra.hpp"

namespace nofold::train {

/// One STFT resolution: transform length (a power of two) and hop, both in samples.
struct StftResolution {
    std::size_t fft_size;
    std::size_t hop;
};

/// Multi-resolution STFT loss. Per resolution r (periodic Hann window of fft_size samples, frames
/// that fit entirely inside each item, no padding, bins k = 0 ... fft_size/2, magnitude
/// m = sqrt(|X|^2 + epsilon) so that it is smooth at X = 0):
///   SC_r = sqrt(sum (m_p - m_t)^2) / sqrt(sum m_t^2)   (spectral convergence, pooled over the batch)
///   LM_r = mean |ln m_p - ln m_t|                       (log-magnitude L1, over every item, frame and bin)
/// and L = (1/R) sum_r (SC_r + LM_r). The default resolutions are (2048, 512), (1024, 256), (512, 128).
/// The L1 term's sub-gradient at ln m_p = ln m_t is 0; SC's gradient is 0 when the error is 0.
/// T: float or double (signals); transforms run in double.
/// Allocates: the constructor only; evaluate() never allocates or throws. One object per thread.
/// Reference: R. Yamamoto, E. Song, J.-M. Kim, "Parallel WaveGAN", ICASSP 2020 (the SC + log-magnitude
/// pair over several resolutions); the resolutions here are our choice (docs/training.md).
template <class T>
class StftLoss {
public:
    static constexpr double epsilon = 1e-12;
    static std::vector<StftResolution> default_resolutions() { return {{2048, 512}, {1024, 256}, {512, 128}}; }

    /// Throws std::invalid_argument for no resolutions, a size that is not a power of two >= 4, a zero
    /// hop, or a frame_length shorter than the largest transform.
    StftLoss(std::size_t items, std::size_t frame_length, std::vector<StftResolution> resolutions = default_resolutions());

    const std::vector<StftResolution>& resolutions() const noexcept { return resolutions_; }

    /// Writes dL/dp (items * frame_length values, planar item-major) unless `gradient` is null.
    T evaluate(const T* prediction, const T* target, T* gradient) noexcept;

private:
    using complex = std::complex<double>;
    struct Plan {
        analysis::Fft fft;
        std::vector<double> window;
        std::size_t frames;
    };
    struct Sums {
        double error = 0.0, energy = 0.0, log_error = 0.0;
    };

    // One pass over every item and frame of resolution r; with `grad` also adds SC and LM gradients
    // (scaled by `sc_scale` and `lm_scale`) into it.
    Sums pass(std::size_t r, const T* p, const T* t, double* grad, double sc_scale, double lm_scale) noexcept;

    std::size_t items_, frame_length_;
    std::vector<StftResolution> resolutions_;
    std::vector<Plan> plans_;
    std::vector<double> gradient_;
    std::vector<complex> work_, spec_p_, spec_t_;
};

// =============================================================================================
// Implementation
// =============================================================================================

template <class T>
StftLoss<T>::StftLoss(std::size_t items, std::size_t frame_length, std::vector<StftResolution> resolutions)
    : items_(items), frame_length_(frame_length), resolutions_(std::move(resolutions)) {
    if (items == 0 || resolutions_.empty()) throw std::invalid_argument("nofold::train::StftLoss: need items and resolutions");
    std::size_t largest = 0;
    for (const auto& r : resolutions_) {
        if (r.fft_size < 4 || (r.fft_size & (r.fft_size - 1)) != 0 || r.hop == 0)
            throw std::invalid_argument("nofold::train::StftLoss: fft_size must be a power of two >= 4 and hop > 0");
        if (r.fft_size > frame_length)
            throw std::invalid_argument("nofold::train::StftLoss: frame length shorter than an FFT size");
        plans_.push_back({analysis::Fft(r.fft_size), analysis::hann_window(r.fft_size, analysis::WindowSymmetry::periodic),
                          (frame_length - r.fft_size) / r.hop + 1});
        largest = std::max(largest, r.fft_size);
    }
    work_.resize(largest);
    spec_p_.resize(largest / 2 + 1);
    spec_t_.resize(largest / 2 + 1);
    gradient_.resize(items * frame_length);
}

template <class T>
typename StftLoss<T>::Sums StftLoss<T>::pass(std::size_t r, const T* p, const T* t, double* grad, double sc_scale,
                                             double lm_scale) noexcept {
    Plan& plan = plans_[r];
    const std::size_t size = resolutions_[r].fft_size, hop = resolutions_[r].hop, bins = size / 2 + 1;
    Sums sums;
    for (std::size_t b = 0; b < items_; ++b) {
        const std::size_t offset = b * frame_length_;
        for (std::size_t f = 0; f < plan.frames; ++f) {
            const std::size_t start = offset + f * hop;
            detail::two_real_spectra(plan.fft, p + start, t + start, plan.window.data(), 1.0, work_.data(), spec_p_.data(),
                                     spec_t_.data());
            for (std::size_t k = 0; k < bins; ++k) {
                const double mp = std::sqrt(detail::power(spec_p_[k]) + epsilon);
                const double mt = std::sqrt(detail::power(spec_t_[k]) + epsilon);
                const double d = mp - mt, l = std::log(mp) - std::log(mt);
                sums.error += d * d;
                sums.energy += mt * mt;
                sums.log_error += std::fabs(l);
                if (grad != nullptr) {
                    // dL/dm_p, then dm_p/dX = X / m_p (a complex factor, as for the NMR loss).
                    const double sign = l > 0.0 ? 1.0 : l < 0.0 ? -1.0 : 0.0;
                    const double a = sc_scale * d + lm_scale * sign / mp;
                    work_[k] = spec_p_[k] * (a / mp);
                }
            }
            if (grad != nullptr) detail::add_half_spectrum_adjoint(plan.fft, work_.data(), plan.window.data(), 1.0, grad + start);
        }
    }
    return sums;
}

template <class T>
T StftLoss<T>::evaluate(const T* prediction, const T* target, T* gradient) noexcept {
    const double per_resolution = 1.0 / static_cast<double>(resolutions_.size());
    double loss = 0.0;
    if (gradient != nullptr)
        for (auto& g : gradient_) g = 0.0;
    for (std::size_t r = 0; r < resolutions_.size(); ++r) {
        const Sums s = pass(r, prediction, target, nullptr, 0.0, 0.0);
        const double count = static_cast<double>(items_ * plans_[r].frames * (resolutions_[r].fft_size / 2 + 1));
        const double error = std::sqrt(s.error), energy = std::sqrt(s.energy);
        loss += per_resolution * (error / energy + s.log_error / count);
        if (gradient == nullptr) continue;
        // d SC / d m_p = (m_p - m_t) / (sqrt(sum d^2) sqrt(sum m_t^2)); d LM / d m_p = sign / (count m_p).
        const double sc_scale = error > 0.0 ? per_resolution / (error * energy) : 0.0;
        pass(r, prediction, target, gradient_.data(), sc_scale, per_resolution / count);
    }
    if (gradient != nullptr)
        for (std::size_t i = 0; i < gradient_.size(); ++i) gradient[i] = static_cast<T>(gradient_[i]);
    return static_cast<T>(loss);
}

}  // namespace nofold::train
