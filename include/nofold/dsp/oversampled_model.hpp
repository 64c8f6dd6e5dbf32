// nofold::dsp::OversampledModel — any nofold::Model run at L × its rate behind a run-time Oversampler.
#pragma once

#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <utility>

#include "../config.hpp"
#include "../model.hpp"
#include "oversampler.hpp"

namespace nofold::dsp {

/// A Model that owns another Model and runs it at factor × its rate between the up- and
/// down-sampler of a run-time dsp::Oversampler (what `nofold process --oversample N --filter ...`
/// uses). The inner model gets set_rate_factor(factor × r) whenever this one is asked for r.
/// Units: base-rate samples. Latency: latency() = round(latency_samples()); latency_samples() is
/// the exact (fractional unless LatencyMode::integer) filter delay plus the inner latency / factor.
/// Allocates: in the constructor only (the name string); process, reset, prewarm, set_rate_factor
/// are RT-safe if the inner model's are.
/// Reference: docs/oversampling.md §4.
class OversampledModel final : public nofold::detail::ForwardingModel {
public:
    OversampledModel(std::unique_ptr<Model> inner, OversampleFactor factor, FilterPreset filter,
                     LatencyMode mode = LatencyMode::fractional, FinalStage final = FinalStage::halfband);
    /// What the inner model answered to set_rate_factor(factor); not ok means it cannot run at
    /// that rate (its max_rate_factor() is too small, or the factor must be an integer).
    RateFactorStatus status() const noexcept { return status_; }
    double latency_samples() const noexcept;
    Model& inner() noexcept { return *inner_; }
    const Oversampler& oversampler() const noexcept { return oversampler_; }

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept override;
    NOFOLD_REALTIME void reset() noexcept override;
    NOFOLD_REALTIME void prewarm() noexcept override;
    int latency() const noexcept override { return static_cast<int>(std::lround(latency_samples())); }
    int receptive_field() const noexcept override;
    double flops_per_sample() const noexcept override;
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double rate_factor) noexcept override;
    double rate_factor() const noexcept override { return inner_->rate_factor() / oversampler_.factor(); }
    double max_rate_factor() const noexcept override { return inner_->max_rate_factor() / oversampler_.factor(); }
    std::size_t memory_bytes() const noexcept override { return sizeof(*this) + name_.capacity() + inner_->memory_bytes(); }
    const char* implementation_name() const noexcept override { return name_.c_str(); }
    NOFOLD_REALTIME void set_slimmable_size(double size) noexcept override { inner_->set_slimmable_size(size); }

private:
    Model& inner_model() noexcept override { return *inner_; }
    const Model& inner_model() const noexcept override { return *inner_; }
    std::unique_ptr<Model> inner_;
    Oversampler oversampler_;
    RateFactorStatus status_;
    std::string name_;
    alignas(alignment) std::array<float, chunk_frames * 16> high_in_{};
    alignas(alignment) std::array<float, chunk_frames * 16> high_out_{};
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
inline OversampledModel::OversampledModel(std::unique_ptr<Model> inner, OversampleFactor factor, FilterPreset filter,
                                          LatencyMode mode, FinalStage final)
    : inner_(std::move(inner)),
      oversampler_(factor, filter, mode, final),
      status_(inner_->set_rate_factor(inner_->rate_factor() * static_cast<int>(factor))),
      name_(std::string(inner_->implementation_name()) + ", oversampled " + std::to_string(static_cast<int>(factor)) +
            "x " + filter_preset_name(filter) + (oversampler_.final_stage() == FinalStage::nyquist ? " + nyquist" : "")) {}

inline double OversampledModel::latency_samples() const noexcept {
    return oversampler_.latency() + static_cast<double>(inner_->latency()) / oversampler_.factor();
}

inline void OversampledModel::process(const float* in, float* out, int n) noexcept {
    const int factor = oversampler_.factor();
    while (n > 0) {
        const int m = n < chunk_frames ? n : chunk_frames;
        oversampler_.up(in, high_in_.data(), m);
        inner_->process(high_in_.data(), high_out_.data(), m * factor);
        oversampler_.down(high_out_.data(), out, m);
        in += m;
        out += m;
        n -= m;
    }
}

inline void OversampledModel::reset() noexcept {
    inner_->reset();
    oversampler_.reset();
}

inline void OversampledModel::prewarm() noexcept {
    inner_->prewarm();
    oversampler_.reset();
    // The inner model's output for silence may be a non-zero constant: let the filters settle.
    const std::array<float, chunk_frames> zeros{};
    std::array<float, chunk_frames> sink{};
    for (int i = 0; i < 32; ++i) process(zeros.data(), sink.data(), chunk_frames);
}

inline int OversampledModel::receptive_field() const noexcept {
    const int factor = oversampler_.factor();
    return (inner_->receptive_field() + factor - 1) / factor;
}

inline double OversampledModel::flops_per_sample() const noexcept {
    return inner_->flops_per_sample() * oversampler_.factor() + oversampler_.flops_per_sample();
}

inline RateFactorStatus OversampledModel::set_rate_factor(double rate_factor) noexcept {
    return inner_->set_rate_factor(rate_factor * oversampler_.factor());
}

}  // namespace nofold::dsp
