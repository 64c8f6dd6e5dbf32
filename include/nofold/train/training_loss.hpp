// nofold::train::TrainingLoss — pre-emphasis, then a weighted sum of ESR, NMR, DC and STFT terms.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <vector>

#include "losses.hpp"
#include "nmr_loss.hpp"
#include "pre_emphasis.hpp"
#include "stft_loss.hpp"

namespace nofold::train {

/// Weights of the loss terms; a zero weight skips the term (and its set-up).
/// The defaults are the anti-aliasing fine-tune's 0.5 ESR + 0.5 NMR + 1.0 DC (docs/training.md).
struct LossWeights {
    double esr = 0.5;
    double nmr = 0.5;
    double dc = 1.0;
    double stft = 0.0;
};

struct LossSettings {
    double sample_rate_hz = 48000.0;
    PreEmphasis pre_emphasis = PreEmphasis::low_pass;
    LossWeights weights;
    std::vector<StftResolution> stft_resolutions = StftLoss<double>::default_resolutions();
};

/// Each term's value (linear) and the weighted total of the last evaluate().
struct LossTerms {
    double total = 0.0;
    double esr = 0.0;
    double nmr = 0.0;
    double dc = 0.0;
    double stft = 0.0;
};

/// L(p, t) = w_esr ESR(Fp, Ft) + w_nmr NMR(Fp, Ft) + w_dc DC(Fp, Ft) + w_stft STFT(Fp, Ft), F the
/// pre-emphasis filter applied to every frame on its own; dL/dp = F^T dL/d(Fp).
/// Batch layout: `items` frames of `frame_length` samples, planar item-major.
/// T: float or double. Allocates: the constructor only; evaluate() never allocates or throws.
/// One object per thread (the NMR and STFT terms hold FFT scratch).
template <class T>
class TrainingLoss {
public:
    /// Throws std::invalid_argument for an empty batch, a filter the rate cannot hold, or a frame too
    /// short for the NMR (2048) or STFT (largest size) terms when their weight is non-zero.
    TrainingLoss(const LossSettings& settings, std::size_t items, std::size_t frame_length);

    const LossSettings& settings() const noexcept { return settings_; }
    std::size_t items() const noexcept { return items_; }
    std::size_t frame_length() const noexcept { return frame_length_; }

    /// Writes dL/dp (items * frame_length values) unless `gradient` is null.
    LossTerms evaluate(const T* prediction, const T* target, T* gradient) noexcept;

private:
    void add_term(double weight, T* gradient) noexcept;

    LossSettings settings_;
    std::size_t items_, frame_length_;
    PreEmphasisFilter<T> filter_;
    std::unique_ptr<NmrLoss<T>> nmr_;
    std::unique_ptr<StftLoss<T>> stft_;
    std::vector<T> p_, t_, term_gradient_, total_gradient_;
};

// =============================================================================================
// Implementation
// =============================================================================================

template <class T>
TrainingLoss<T>::TrainingLoss(const LossSettings& settings, std::size_t items, std::size_t frame_length)
    : settings_(settings),
      items_(items),
      frame_length_(frame_length),
      filter_(settings.pre_emphasis, settings.sample_rate_hz, frame_length) {
    if (items == 0) throw std::invalid_argument("nofold::train::TrainingLoss: need at least one item");
    if (settings.weights.nmr != 0.0) nmr_ = std::make_unique<NmrLoss<T>>(settings.sample_rate_hz, items, frame_length);
    if (settings.weights.stft != 0.0) stft_ = std::make_unique<StftLoss<T>>(items, frame_length, settings.stft_resolutions);
    const std::size_t size = items * frame_length;
    p_.resize(size);
    t_.resize(size);
    term_gradient_.resize(size);
    total_gradient_.resize(size);
}

template <class T>
void TrainingLoss<T>::add_term(double weight, T* gradient) noexcept {
    if (gradient == nullptr) return;
    const auto w = static_cast<T>(weight);
    for (std::size_t i = 0; i < total_gradient_.size(); ++i) total_gradient_[i] += w * term_gradient_[i];
}

template <class T>
LossTerms TrainingLoss<T>::evaluate(const T* prediction, const T* target, T* gradient) noexcept {
    filter_.apply(prediction, p_.data(), items_);
    filter_.apply(target, t_.data(), items_);
    const std::size_t size = p_.size();
    T* g = gradient != nullptr ? term_gradient_.data() : nullptr;
    if (gradient != nullptr)
        for (auto& v : total_gradient_) v = T(0);
    const LossWeights& w = settings_.weights;
    LossTerms terms;
    if (w.esr != 0.0) {
        terms.esr = static_cast<double>(esr_loss(p_.data(), t_.data(), size, g));
        add_term(w.esr, gradient);
    }
    if (w.dc != 0.0) {
        terms.dc = static_cast<double>(dc_loss(p_.data(), t_.data(), size, g));
        add_term(w.dc, gradient);
    }
    if (nmr_) {
        terms.nmr = static_cast<double>(nmr_->evaluate(p_.data(), t_.data(), g));
        add_term(w.nmr, gradient);
    }
    if (stft_) {
        terms.stft = static_cast<double>(stft_->evaluate(p_.data(), t_.data(), g));
        add_term(w.stft, gradient);
    }
    // Skipped terms stay out of the sum (0 * inf would be NaN).
    if (w.esr != 0.0) terms.total += w.esr * terms.esr;
    if (w.dc != 0.0) terms.total += w.dc * terms.dc;
    if (w.nmr != 0.0) terms.total += w.nmr * terms.nmr;
    if (w.stft != 0.0) terms.total += w.stft * terms.stft;
    if (gradient != nullptr) filter_.adjoint(total_gradient_.data(), gradient, items_);
    return terms;
}

}  // namespace nofold::train
