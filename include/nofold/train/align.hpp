// nofold::train::find_delay — the latency between an input recording and its target (a reamped or
// device-processed copy), from the peak of their cross-correlation.
//
//     r[d] = Σ_n x[n] · y[n + d],   d ∈ [−max_lag, max_lag]
//
// computed by FFT (zero-padded to a power of two, so no circular wrap reaches the searched lags) over
// the first `window` samples; the delay is the d with the largest |r[d]| (a polarity-inverting device
// still aligns; the sign is reported). Positive d: the target lags the input by d samples.
// Units: samples. Allocates: yes (the transforms). Not real-time.
// Reference: docs/training.md §5 (nofold train).
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "../analysis/fft.hpp"

namespace nofold::train {

struct Alignment {
    int delay_samples = 0;     ///< target[n + delay] lines up with input[n]
    double correlation = 0.0;  ///< r[delay] / sqrt(Σx² Σy²) over the window, in [−1, 1]
};

/// Throws std::invalid_argument for max_lag < 0 or a window shorter than 2 max_lag + 1 samples or
/// longer than the signals; a silent input or target gives delay 0 and correlation 0.
inline Alignment find_delay(const float* x, const float* y, std::size_t size, int max_lag, std::size_t window = 480000) {
    if (max_lag < 0) throw std::invalid_argument("nofold::train::find_delay: max_lag must be >= 0");
    const std::size_t n = std::min(window, size);
    const auto lag = static_cast<std::size_t>(max_lag);
    if (n < 2 * lag + 1) throw std::invalid_argument("nofold::train::find_delay: signals shorter than 2 max_lag + 1 samples");
    std::size_t m = 1;
    while (m < n + lag) m *= 2;
    analysis::Fft fft(m);
    using C = std::complex<double>;
    std::vector<C> a(m, C(0.0)), b(m, C(0.0));
    double ex = 0.0, ey = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = C(x[i], 0.0);
        b[i] = C(y[i], 0.0);
        ex += static_cast<double>(x[i]) * x[i];
        ey += static_cast<double>(y[i]) * y[i];
    }
    Alignment best;
    if (!(ex > 0.0) || !(ey > 0.0) || !std::isfinite(ex + ey)) return best;
    fft.forward(a.data(), a.data());
    fft.forward(b.data(), b.data());
    for (std::size_t k = 0; k < m; ++k) a[k] = std::conj(a[k]) * b[k];
    fft.inverse(a.data(), a.data());  // a[d mod m] = Σ x[n] y[n + d]
    double peak = -1.0;
    for (int d = -max_lag; d <= max_lag; ++d) {
        const double r = a[d >= 0 ? static_cast<std::size_t>(d) : m - static_cast<std::size_t>(-d)].real();
        if (std::abs(r) > peak) {  // the first (smallest |d| … most negative) of equal peaks wins
            peak = std::abs(r);
            best.delay_samples = d;
            best.correlation = r / std::sqrt(ex * ey);
        }
    }
    return best;
}

}  // namespace nofold::train
