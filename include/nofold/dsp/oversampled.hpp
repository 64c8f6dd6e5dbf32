// nofold::dsp::Oversampled — runs a model at Factor × its rate between an up- and a down-sampler.
#pragma once

#include <array>
#include <cstddef>
#include <utility>

#include "../config.hpp"
#include "../model.hpp"
#include "cascade.hpp"

namespace nofold::dsp {

/// A model run at Factor × its training rate inside an oversampling cascade: up-sample, run the
/// model adapted with set_rate_factor(Factor) (WaveNet dilations × Factor, LSTM/GRU state delayed
/// by Factor samples), down-sample. The nonlinearity then works at the higher rate, so its
/// harmonics above the base Nyquist frequency are removed by the down-sampler instead of folding.
/// Template parameters: Model — any type with the model contract of nofold::Model (process, reset,
/// prewarm, latency, set_rate_factor returning RateFactorStatus), held by value; Factor — 1, 2, 4,
/// 8 or 16; Filter — IIRFast, IIRQuality (default), FIRLinearPhase or FIREquiripple.
/// Units: process() counts base-rate samples.
/// Latency: latency() = cascade round trip + the model's own latency / Factor, base-rate samples.
/// Allocates: only in the model's constructor and set_rate_factor, if the model does; process,
/// reset and prewarm are RT-safe (the high-rate buffers are members: 2 × 64 × Factor floats).
/// Reference: docs/oversampling.md §4.
template <class Model, int Factor, class Filter = IIRQuality>
class Oversampled {
public:
    /// Constructs the model from `model_args` and sets its rate factor to Factor.
    template <class... Args>
    explicit Oversampled(LatencyMode mode, Args&&... model_args);
    Oversampled() : Oversampled(LatencyMode::fractional) {}

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept;
    NOFOLD_REALTIME void reset() noexcept;
    /// The model's prewarm, then silence through the whole chain until the filters have settled.
    NOFOLD_REALTIME void prewarm() noexcept;
    double latency() const noexcept;
    /// Arithmetic per base-rate sample: Factor × the model's flops_per_sample() plus the cascade's.
    double flops_per_sample() const noexcept { return Factor * model_.flops_per_sample() + cascade_.flops_per_sample(); }
    /// What the model answered to set_rate_factor(Factor); anything but ok means the model runs at
    /// the wrong rate (for example its max_rate_factor() is below Factor).
    RateFactorStatus rate_factor_status() const noexcept { return status_; }
    Model& model() noexcept { return model_; }
    const Model& model() const noexcept { return model_; }
    Cascade<Factor, Filter>& cascade() noexcept { return cascade_; }

private:
    Model model_;
    Cascade<Factor, Filter> cascade_;
    RateFactorStatus status_;
    alignas(alignment) std::array<float, chunk_frames * Factor> high_in_{};
    alignas(alignment) std::array<float, chunk_frames * Factor> high_out_{};
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
template <class Model, int Factor, class Filter>
template <class... Args>
Oversampled<Model, Factor, Filter>::Oversampled(LatencyMode mode, Args&&... model_args)
    : model_(std::forward<Args>(model_args)...), cascade_(mode), status_(model_.set_rate_factor(double(Factor))) {}

template <class Model, int Factor, class Filter>
void Oversampled<Model, Factor, Filter>::process(const float* in, float* out, int n) noexcept {
    while (n > 0) {
        const int m = n < chunk_frames ? n : chunk_frames;
        cascade_.up(in, high_in_.data(), m);
        model_.process(high_in_.data(), high_out_.data(), m * Factor);
        cascade_.down(high_out_.data(), out, m);
        in += m;
        out += m;
        n -= m;
    }
}

template <class Model, int Factor, class Filter>
void Oversampled<Model, Factor, Filter>::reset() noexcept {
    model_.reset();
    cascade_.reset();
}

template <class Model, int Factor, class Filter>
void Oversampled<Model, Factor, Filter>::prewarm() noexcept {
    model_.prewarm();
    cascade_.reset();
    // The model's output for silence may be a non-zero constant; let the filters settle on it.
    const std::array<float, chunk_frames> zeros{};
    std::array<float, chunk_frames> sink{};
    for (int i = 0; i < 32; ++i) process(zeros.data(), sink.data(), chunk_frames);
}

template <class Model, int Factor, class Filter>
double Oversampled<Model, Factor, Filter>::latency() const noexcept {
    return cascade_.latency() + static_cast<double>(model_.latency()) / Factor;
}

}  // namespace nofold::dsp
