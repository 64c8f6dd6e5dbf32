// nofold::train::Adam — Adam / AdamW over a flat parameter vector, with a per-epoch step-size
// schedule and optional global gradient-norm clipping.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace nofold::train {

struct AdamSettings {
    double learning_rate = 1e-3;  ///< step size at epoch 0
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    /// Adam: L2 term added to the gradient (g + wd theta). AdamW (decoupled = true): theta *= 1 - lr wd
    /// before the Adam update.
    double weight_decay = 0.0;
    bool decoupled = false;
    /// Schedule: lr(step) = learning_rate * lr_decay_per_epoch^floor(step / steps_per_epoch);
    /// steps_per_epoch = 0 keeps it constant.
    double lr_decay_per_epoch = 1.0;
    std::uint64_t steps_per_epoch = 0;
    /// If > 0, gradients whose global L2 norm exceeds it are scaled by max / norm first.
    double max_gradient_norm = 0.0;
};

/// Adam (Kingma & Ba) over `count` parameters of type P with moments of type M:
///   g' = clip(g) [+ wd theta]; m = b1 m + (1 - b1) g'; v = b2 v + (1 - b2) g'^2;
///   theta [*= 1 - lr wd]; theta -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
/// with t the 1-based step number. The element update runs in M; the gradient norm in double.
/// Deterministic: one thread, fixed order, no randomness. A step whose gradient norm is not finite is
/// skipped (parameters, moments and step count unchanged) and step() returns false.
/// P: float or double. M: float or double (default double: see docs/training.md for the float drift).
/// Allocates: the constructor (moments). step() never allocates, throws or locks.
/// Reference: D. P. Kingma, J. Ba, "Adam: A method for stochastic optimization", ICLR 2015;
/// I. Loshchilov, F. Hutter, "Decoupled weight decay regularization", ICLR 2019.
template <class P, class M = double>
class Adam {
public:
    using parameter_type = P;
    using moment_type = M;

    /// Throws std::invalid_argument for settings outside 0 <= beta < 1, epsilon > 0, lr >= 0,
    /// decay > 0, max norm >= 0.
    Adam(std::size_t count, const AdamSettings& settings);

    std::size_t size() const noexcept { return m_.size(); }
    const AdamSettings& settings() const noexcept { return settings_; }
    /// Replaces the settings (validated as in the constructor); moments and step are kept.
    void set_settings(const AdamSettings& settings);
    /// Steps taken so far.
    std::uint64_t step_count() const noexcept { return step_; }
    /// Step size used by the step after `steps` completed steps.
    double learning_rate_at(std::uint64_t steps) const noexcept;
    /// Global L2 norm of the last gradient passed to step() (before clipping).
    double last_gradient_norm() const noexcept { return last_norm_; }

    /// One update of params (size() values) from grad (size() values).
    bool step(P* params, const P* grad) noexcept;

    const std::vector<M>& first_moment() const noexcept { return m_; }
    const std::vector<M>& second_moment() const noexcept { return v_; }
    /// Restores a saved state (checkpoint): the step count and both moments (size() values each).
    void restore(std::uint64_t step, const M* first, const M* second) noexcept;
    /// Back to the initial state (zero moments, step 0).
    void reset() noexcept;

private:
    static void validate(const AdamSettings& s);

    AdamSettings settings_;
    std::vector<M> m_, v_;
    std::uint64_t step_ = 0;
    double last_norm_ = 0.0;
};

// =============================================================================================
// Implementation
// =============================================================================================

template <class P, class M>
void Adam<P, M>::validate(const AdamSettings& s) {
    if (!(s.beta1 >= 0.0 && s.beta1 < 1.0) || !(s.beta2 >= 0.0 && s.beta2 < 1.0) || !(s.epsilon > 0.0) ||
        !(s.learning_rate >= 0.0) || !(s.lr_decay_per_epoch > 0.0) || !(s.max_gradient_norm >= 0.0) ||
        !(s.weight_decay >= 0.0))
        throw std::invalid_argument(
            "nofold::train::Adam: need 0 <= beta < 1, epsilon > 0, lr >= 0, weight decay >= 0, decay > 0, max norm >= 0");
}

template <class P, class M>
Adam<P, M>::Adam(std::size_t count, const AdamSettings& settings) : settings_(settings), m_(count, M(0)), v_(count, M(0)) {
    validate(settings);
}

template <class P, class M>
void Adam<P, M>::set_settings(const AdamSettings& settings) {
    validate(settings);
    settings_ = settings;
}

template <class P, class M>
double Adam<P, M>::learning_rate_at(std::uint64_t steps) const noexcept {
    if (settings_.steps_per_epoch == 0 || settings_.lr_decay_per_epoch == 1.0) return settings_.learning_rate;
    const auto epoch = static_cast<double>(steps / settings_.steps_per_epoch);
    return settings_.learning_rate * std::pow(settings_.lr_decay_per_epoch, epoch);
}

template <class P, class M>
bool Adam<P, M>::step(P* params, const P* grad) noexcept {
    const std::size_t n = m_.size();
    double norm2 = 0.0;
    for (std::size_t i = 0; i < n; ++i) norm2 += static_cast<double>(grad[i]) * static_cast<double>(grad[i]);
    last_norm_ = std::sqrt(norm2);
    if (!std::isfinite(last_norm_)) return false;
    const AdamSettings& s = settings_;
    const double lr = learning_rate_at(step_);
    ++step_;
    const double t = static_cast<double>(step_);
    const double clip = s.max_gradient_norm > 0.0 && last_norm_ > s.max_gradient_norm ? s.max_gradient_norm / last_norm_ : 1.0;
    const auto b1 = static_cast<M>(s.beta1), b2 = static_cast<M>(s.beta2);
    const auto one_b1 = static_cast<M>(1.0 - s.beta1), one_b2 = static_cast<M>(1.0 - s.beta2);
    const auto inv_bc1 = static_cast<M>(1.0 / (1.0 - std::pow(s.beta1, t)));
    const auto inv_bc2 = static_cast<M>(1.0 / (1.0 - std::pow(s.beta2, t)));
    const auto eps = static_cast<M>(s.epsilon), step_size = static_cast<M>(lr), scale = static_cast<M>(clip);
    const auto l2 = static_cast<M>(s.decoupled ? 0.0 : s.weight_decay);
    const auto shrink = static_cast<M>(s.decoupled ? 1.0 - lr * s.weight_decay : 1.0);
    for (std::size_t i = 0; i < n; ++i) {
        M theta = static_cast<M>(params[i]);
        const M g = scale * static_cast<M>(grad[i]) + l2 * theta;
        m_[i] = b1 * m_[i] + one_b1 * g;
        v_[i] = b2 * v_[i] + one_b2 * g * g;
        theta *= shrink;
        theta -= step_size * (m_[i] * inv_bc1) / (std::sqrt(v_[i] * inv_bc2) + eps);
        params[i] = static_cast<P>(theta);
    }
    return true;
}

template <class P, class M>
void Adam<P, M>::restore(std::uint64_t step, const M* first, const M* second) noexcept {
    step_ = step;
    for (std::size_t i = 0; i < m_.size(); ++i) {
        m_[i] = first[i];
        v_[i] = second[i];
    }
}

template <class P, class M>
void Adam<P, M>::reset() noexcept {
    step_ = 0;
    last_norm_ = 0.0;
    for (auto& x : m_) x = M(0);
    for (auto& x : v_) x = M(0);
}

}  // namespace nofold::train
