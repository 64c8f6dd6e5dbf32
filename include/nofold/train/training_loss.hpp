// nofold::train::TrainingLoss — pre-emphasis, then a weighted sum of ESR, NMR, DC and STFT terms.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
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

    // Item by item. When the loss is the ESR alone, item i's gradient needs only item i and the batch's
    // (pre-emphasised) target energy, so a trainer can run each item's forward pass, loss gradient and
    // backward pass back to back while its activations are still in cache. The gradients are the
    // ones evaluate() writes, bit for bit; the loss value may differ in its last bits (the error is
    // summed per item, then over items).
    /// True when item-by-item evaluation applies (the ESR's weight alone is non-zero).
    bool separates_over_items() const noexcept;
    /// Pre-emphasises the batch's targets and sums their energy. Call before item().
    void begin_items(const T* target) noexcept;
    /// Item i's pre-emphasised error energy; writes dL/dp of its frame (frame_length values) into
    /// `gradient`. Thread-safe across items: `filter` (a PreEmphasisFilter made with this loss's
    /// settings and frame length) and `scratch` (2 · frame_length values) are the caller's, per thread.
    double item(std::size_t i, const T* prediction, T* gradient, PreEmphasisFilter<T>& filter, T* scratch) const noexcept;
    /// The batch's loss from the sum of item()'s returns (added in item order).
    LossTerms end_items(double error_sum) const noexcept;

private:
    void add_term(double weight, T* gradient) noexcept;

    LossSettings settings_;
    std::size_t items_, frame_length_;
    PreEmphasisFilter<T> filter_;
    std::unique_ptr<NmrLoss<T>> nmr_;
    std::unique_ptr<StftLoss<T>> stft_;
    std::vector<T> p_, t_, term_gradient_, total_gradient_;
    double target_energy_ = 0.0;  // begin_items()
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

template <class T>
bool TrainingLoss<T>::separates_over_items() const noexcept {
    const LossWeights& w = settings_.weights;
    return w.esr != 0.0 && w.dc == 0.0 && w.nmr == 0.0 && w.stft == 0.0;
}

template <class T>
void TrainingLoss<T>::begin_items(const T* target) noexcept {
    using A = detail::accumulator_t<T>;
    filter_.apply(target, t_.data(), items_);
    A energy = 0;  // esr_loss's sum, in its order
    for (const T& v : t_) energy += A(v) * A(v);
    target_energy_ = static_cast<double>(energy);
}

template <class T>
double TrainingLoss<T>::item(std::size_t i, const T* prediction, T* gradient, PreEmphasisFilter<T>& filter, T* scratch) const noexcept {
    using A = detail::accumulator_t<T>;
    const std::size_t n = frame_length_;
    T* fp = scratch;
    T* fg = scratch + n;
    const T* ft = t_.data() + i * n;
    filter.apply(prediction, fp, 1);
    A error = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const A d = A(fp[k]) - A(ft[k]);
        error += d * d;
    }
    const A energy = static_cast<A>(target_energy_);
    if (!(energy > A(0))) {
        std::fill(gradient, gradient + n, T(0));
        return static_cast<double>(error);
    }
    // evaluate()'s arithmetic: esr_loss's element, then add_term's weighting (onto zero), then F^T
    const A scale = A(2) / energy;
    const auto w = static_cast<T>(settings_.weights.esr);
    for (std::size_t k = 0; k < n; ++k) fg[k] = T(0) + w * static_cast<T>(scale * (A(fp[k]) - A(ft[k])));
    filter.adjoint(fg, gradient, 1);
    return static_cast<double>(error);
}

template <class T>
LossTerms TrainingLoss<T>::end_items(double error_sum) const noexcept {
    using A = detail::accumulator_t<T>;
    LossTerms terms;
    const A energy = static_cast<A>(target_energy_), error = static_cast<A>(error_sum);
    terms.esr = energy > A(0) ? static_cast<double>(static_cast<T>(error / energy))
                              : (error == A(0) ? 0.0 : static_cast<double>(std::numeric_limits<T>::infinity()));
    terms.total = settings_.weights.esr * terms.esr;
    return terms;
}

}  // namespace nofold::train
