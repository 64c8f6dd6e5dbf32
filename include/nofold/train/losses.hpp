// nofold::train — pooled ESR and DC losses with their gradients.
#pragma once

#include <cstddef>
#include <limits>

namespace nofold::train {

/// Pooled error-to-signal ratio over all `count` samples of a batch (every item, every sample):
/// L = sum (p - t)^2 / sum t^2 — one ratio for the whole batch, not a mean of per-item ratios.
/// Writes dL/dp = 2 (p - t) / sum t^2 into `gradient` (count values) unless it is null.
/// Silent target: L = 0 if the error is zero too, else +inf, and the gradient is zero (no finite
/// direction reduces an infinite ratio).
/// T: float or double; sums run in double or wider. Allocates: never. noexcept.
/// Reference: docs/metrics.md §1 and docs/training.md §1.3 and §3.2.
template <class T>
T esr_loss(const T* prediction, const T* target, std::size_t count, T* gradient) noexcept;

/// DC loss L = (mean(t - p))^2 / mean(t^2) over all `count` samples of a batch; writes
/// dL/dp_i = -2 sum(t - p) / (count * sum t^2) into `gradient` unless it is null. Silent target as
/// esr_loss. Allocates: never. noexcept.
template <class T>
T dc_loss(const T* prediction, const T* target, std::size_t count, T* gradient) noexcept;

// =============================================================================================
// Implementation
// =============================================================================================

namespace detail {

// Accumulator: double for float, the type itself for double and long double.
template <class T>
using accumulator_t = decltype(T{} + 0.0);

template <class A, class T>
T silent_target(A error_energy, T* gradient, std::size_t count) noexcept {
    if (gradient != nullptr)
        for (std::size_t i = 0; i < count; ++i) gradient[i] = T(0);
    return error_energy == A(0) ? T(0) : std::numeric_limits<T>::infinity();
}

}  // namespace detail

template <class T>
T esr_loss(const T* prediction, const T* target, std::size_t count, T* gradient) noexcept {
    using A = detail::accumulator_t<T>;
    A error = 0, energy = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const A d = A(prediction[i]) - A(target[i]);
        error += d * d;
        energy += A(target[i]) * A(target[i]);
    }
    if (!(energy > A(0))) return detail::silent_target(error, gradient, count);
    if (gradient != nullptr) {
        const A scale = A(2) / energy;
        for (std::size_t i = 0; i < count; ++i) gradient[i] = static_cast<T>(scale * (A(prediction[i]) - A(target[i])));
    }
    return static_cast<T>(error / energy);
}

template <class T>
T dc_loss(const T* prediction, const T* target, std::size_t count, T* gradient) noexcept {
    using A = detail::accumulator_t<T>;
    A difference = 0, energy = 0;
    for (std::size_t i = 0; i < count; ++i) {
        difference += A(target[i]) - A(prediction[i]);
        energy += A(target[i]) * A(target[i]);
    }
    if (!(energy > A(0))) return detail::silent_target(difference * difference, gradient, count);
    const A n = static_cast<A>(count);
    if (gradient != nullptr) {
        const auto g = static_cast<T>(A(-2) * difference / (n * energy));
        for (std::size_t i = 0; i < count; ++i) gradient[i] = g;
    }
    return static_cast<T>(difference * difference / (n * energy));
}

}  // namespace nofold::train
