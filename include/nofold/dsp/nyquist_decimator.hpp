// nofold::dsp::NyquistDecimator — a 2:1 decimating low-pass whose stop band starts exactly at the
// lower rate's Nyquist frequency: the final down-sampling stage that leaves nothing to fold.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstring>

#include "../config.hpp"
#include "../simd/simd.hpp"

namespace nofold::dsp {

/// Linear-phase FIR low-pass at the higher rate, Kaiser-windowed sinc, pass band to
/// passband_edge × the output rate (default 0.4167: 20 kHz at 48 kHz), stop band from 0.5 × the output
/// rate with ≥ 120 dB attenuation, evaluated only at the kept (even) samples.
/// Why: a half-band decimator is only −6 dB at the output Nyquist frequency, so harmonics just above
/// it fold back almost unattenuated; with a model's harmonics there, they set the aliasing floor of an
/// oversampled model whatever the factor (measured in README "Oversampling that reaches the ideal").
/// Units: process() counts output samples (reads 2n inputs). Latency: latency() = (taps − 1)/4
/// output samples (≈ 47 at 48 kHz, about 1 ms).
/// Allocates: never (taps and history are members). RT-safe: process, reset.
/// Reference: J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh window function",
/// Proc. IEEE ISCAS 1974 (the β and length formulas).
class NyquistDecimator {
public:
    static constexpr int max_taps = 255;

    explicit NyquistDecimator(double passband_edge = 20000.0 / 48000.0, double attenuation_db = 120.0) noexcept;

    /// out[m] = Σ h[k]·x[2m − k]; n ≥ 0 output samples from 2n inputs.
    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept;
    NOFOLD_REALTIME void reset() noexcept;
    int taps() const noexcept { return taps_; }
    double latency() const noexcept { return (taps_ - 1) / 4.0; }
    /// Multiply-adds per output sample × 2.
    double flops_per_sample() const noexcept { return 2.0 * taps_; }
    /// The designed taps (double), for tests: h[k], k < taps().
    double tap(int k) const noexcept { return design_[static_cast<std::size_t>(k)]; }

private:
    static constexpr int block = 128;  // output samples per pass over the history
    int taps_ = 1;
    std::array<double, max_taps> design_{};
    std::array<float, max_taps> reversed_{};           // h[taps−1−k]
    std::array<float, max_taps - 1 + 2 * block> history_{};  // taps−1 old inputs, then new ones
};

// ------------------------------------------------------------------------------------------------
// Implementation
// ------------------------------------------------------------------------------------------------

namespace detail {
inline double bessel_i0(double x) noexcept {
    double sum = 1.0, term = 1.0;
    for (int k = 1; k < 64; ++k) {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
        if (term < 1e-17 * sum) break;
    }
    return sum;
}
}  // namespace detail

inline NyquistDecimator::NyquistDecimator(double passband_edge, double attenuation_db) noexcept {
    constexpr double pi = 3.14159265358979323846;
    // Frequencies in cycles per input (higher-rate) sample: pass band to edge/2, stop band from 1/4.
    const double pass = passband_edge / 2.0, stop = 0.25;
    const double width = 2.0 * pi * (stop - pass);
    const double beta = attenuation_db > 50.0 ? 0.1102 * (attenuation_db - 8.7)
                                              : 0.5842 * std::pow(attenuation_db - 21.0, 0.4) + 0.07886 * (attenuation_db - 21.0);
    int n = static_cast<int>(std::ceil((attenuation_db - 7.95) / (2.285 * width))) + 1;
    n += 2;  // margin: Kaiser's length formula is approximate near 120 dB
    if (n % 2 == 0) ++n;  // odd: the delay is a whole number of input samples
    taps_ = n > max_taps ? max_taps : n;
    const double cutoff = 0.5 * (pass + stop);
    const double centre = (taps_ - 1) / 2.0, i0_beta = detail::bessel_i0(beta);
    double dc = 0.0;
    for (int k = 0; k < taps_; ++k) {
        const double t = k - centre;
        const double sinc = t == 0.0 ? 2.0 * cutoff : std::sin(2.0 * pi * cutoff * t) / (pi * t);
        const double r = t / centre;
        const double w = detail::bessel_i0(beta * std::sqrt(std::fmax(0.0, 1.0 - r * r))) / i0_beta;
        design_[static_cast<std::size_t>(k)] = sinc * w;
        dc += sinc * w;
    }
    for (int k = 0; k < taps_; ++k) {
        design_[static_cast<std::size_t>(k)] /= dc;  // unit gain at DC
        reversed_[static_cast<std::size_t>(taps_ - 1 - k)] = static_cast<float>(design_[static_cast<std::size_t>(k)]);
    }
}

inline void NyquistDecimator::reset() noexcept { history_.fill(0.0f); }

inline void NyquistDecimator::process(const float* in, float* out, int n) noexcept {
    using V = simd::float_batch;
    constexpr int lanes = simd::lanes<V>;
    const int keep = taps_ - 1;
    float* hist = history_.data();
    const float* h = reversed_.data();
    while (n > 0) {
        const int m = n < block ? n : block;
        std::memcpy(hist + keep, in, sizeof(float) * static_cast<std::size_t>(2 * m));
        for (int j = 0; j < m; ++j) {
            // Output j's newest input is x[2j] of this block, at hist[keep + 2j].
            const float* x = hist + 2 * j;  // x[2j − taps + 1 … 2j]
            V acc(0.0f);
            int k = 0;
            for (; k + lanes <= taps_; k += lanes) acc = simd::fma(simd::load<V>(h + k), simd::load<V>(x + k), acc);
            float sum = simd::reduce_add(acc);
            for (; k < taps_; ++k) sum += h[k] * x[k];
            out[j] = sum;
        }
        std::memmove(hist, hist + 2 * m, sizeof(float) * static_cast<std::size_t>(keep));
        in += 2 * m;
        out += m;
        n -= m;
    }
}

}  // namespace nofold::dsp
