// nofold::dsp::DcBlocker — first-order DC-removing high-pass, y[n] = x[n] − x[n−1] + r·y[n−1].
#pragma once

#include <cmath>

#include "../config.hpp"
#include "../simd/ops.hpp"

namespace nofold::dsp {

/// One-pole/one-zero high-pass with its zero at DC and its pole at r = exp(−2π·f_c/f_s), the
/// textbook DC blocker. Models with biases (or asymmetric clipping) put a DC offset on their output;
/// this removes it with −3 dB at about cutoff_hz and less than 0.01 dB loss above 10·cutoff_hz.
/// Units: cutoff in Hz, sample rate in Hz. Latency: 0 (minimum phase; group delay ≈ 0 above
/// the cutoff). Allocates: never. RT-safe: process, reset.
class DcBlocker {
public:
    DcBlocker() = default;
    DcBlocker(double cutoff_hz, double sample_rate_hz) noexcept { set_cutoff(cutoff_hz, sample_rate_hz); }

    /// Not RT-critical but allocation-free; keeps the state.
    void set_cutoff(double cutoff_hz, double sample_rate_hz) noexcept {
        pole_ = std::exp(-2.0 * 3.14159265358979323846 * cutoff_hz / sample_rate_hz);
    }
    double pole() const noexcept { return pole_; }

    NOFOLD_REALTIME void reset() noexcept { x1_ = y1_ = 0.0; }

    /// In place allowed (in == out). Any n ≥ 0. Input obeys simd::sanitize (NaN/inf read as 0), so
    /// the output is always finite.
    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept {
        // Double state: with the pole within 1e-3 of 1, float state would drift by its rounding.
        for (int i = 0; i < n; ++i) {
            const double x = simd::sanitize(in[i]);  // a NaN in x1_ or y1_ would stay for ever
            const double y = x - x1_ + pole_ * y1_;
            x1_ = x;
            y1_ = y;
            out[i] = static_cast<float>(y);
        }
    }

private:
    double pole_ = 0.0;
    double x1_ = 0.0;
    double y1_ = 0.0;
};

}  // namespace nofold::dsp
