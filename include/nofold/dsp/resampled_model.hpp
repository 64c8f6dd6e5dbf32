// nofold::dsp::ResampledModel — a model trained at one rate played at a host running at another.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../model.hpp"
#include "resampler.hpp"

namespace nofold::dsp {

/// A Model at the host rate that owns a Model trained at another rate and converts at its
/// boundary: host -> model rate with one Resampler, the model at its own rate, model -> host rate
/// with another (what `nofold process --rate HZ` uses when HZ differs from the model's rate).
/// Both resamplers emit samples as soon as their inputs allow, so after N host samples at least N
/// are ready: process() always returns exactly n samples and adds no buffering delay.
/// Units: host-rate samples; rates in Hz.
/// Latency: latency_seconds() = both resamplers + the inner latency; latency() rounds it to host
/// samples (about 0.2 ms for 44.1 <-> 48 kHz).
/// Allocates: in the constructor only (see Resampler, which may throw std::invalid_argument);
/// process, reset, prewarm are RT-safe if the inner model's are.
/// Reference: Carson et al. 2025, as restated in docs/oversampling.md §4.
class ResampledModel final : public nofold::detail::ForwardingModel {
public:
    ResampledModel(std::unique_ptr<Model> inner, int host_rate_hz, int model_rate_hz, double clean_band_hz = 16000.0,
                   double attenuation_db = 100.0);
    double latency_seconds() const noexcept;
    Model& inner() noexcept { return *inner_; }

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept override;
    NOFOLD_REALTIME void reset() noexcept override;
    NOFOLD_REALTIME void prewarm() noexcept override;
    int latency() const noexcept override { return static_cast<int>(std::lround(latency_seconds() * host_rate_hz_)); }
    int receptive_field() const noexcept override;
    double flops_per_sample() const noexcept override;
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double rate_factor) noexcept override {
        return inner_->set_rate_factor(rate_factor);
    }
    double rate_factor() const noexcept override { return inner_->rate_factor(); }
    double max_rate_factor() const noexcept override { return inner_->max_rate_factor(); }
    std::size_t memory_bytes() const noexcept override;
    const char* implementation_name() const noexcept override { return name_.c_str(); }
    NOFOLD_REALTIME void set_slimmable_size(double size) noexcept override { inner_->set_slimmable_size(size); }

private:
    Model& inner_model() noexcept override { return *inner_; }
    const Model& inner_model() const noexcept override { return *inner_; }
    std::unique_ptr<Model> inner_;
    int host_rate_hz_;
    int model_rate_hz_;
    Resampler to_model_;
    Resampler to_host_;
    std::string name_;
    std::vector<float> model_in_;
    std::vector<float> model_out_;
    std::vector<float> fifo_;  // host-rate samples produced but not yet returned
    int fifo_fill_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
inline ResampledModel::ResampledModel(std::unique_ptr<Model> inner, int host_rate_hz, int model_rate_hz,
                                      double clean_band_hz, double attenuation_db)
    : inner_(std::move(inner)),
      host_rate_hz_(host_rate_hz),
      model_rate_hz_(model_rate_hz),
      to_model_(host_rate_hz, model_rate_hz, clean_band_hz, attenuation_db),
      to_host_(model_rate_hz, host_rate_hz, clean_band_hz, attenuation_db),
      name_(std::string(inner_->implementation_name()) + ", resampled " + std::to_string(host_rate_hz) + " <-> " +
            std::to_string(model_rate_hz) + " Hz") {
    model_in_.assign(static_cast<std::size_t>(to_model_.max_output(chunk_frames)), 0.0f);
    model_out_.assign(model_in_.size(), 0.0f);
    fifo_.assign(static_cast<std::size_t>(to_host_.max_output(static_cast<int>(model_in_.size())) + chunk_frames + 8), 0.0f);
}

inline double ResampledModel::latency_seconds() const noexcept {
    return to_model_.latency_seconds() + to_host_.latency_seconds() +
           static_cast<double>(inner_->latency()) / model_rate_hz_;
}

inline void ResampledModel::process(const float* in, float* out, int n) noexcept {
    while (n > 0) {
        const int m = n < chunk_frames ? n : chunk_frames;
        const int k = to_model_.process(in, m, model_in_.data());
        inner_->process(model_in_.data(), model_out_.data(), k);
        fifo_fill_ += to_host_.process(model_out_.data(), k, fifo_.data() + fifo_fill_);
        // The resamplers emit eagerly, so at least m samples are ready (see the class comment).
        const int take = std::min(m, fifo_fill_);
        std::memcpy(out, fifo_.data(), sizeof(float) * static_cast<std::size_t>(take));
        std::fill(out + take, out + m, 0.0f);
        fifo_fill_ -= take;
        std::memmove(fifo_.data(), fifo_.data() + take, sizeof(float) * static_cast<std::size_t>(fifo_fill_));
        in += m;
        out += m;
        n -= m;
    }
}

inline void ResampledModel::reset() noexcept {
    inner_->reset();
    to_model_.reset();
    to_host_.reset();
    fifo_fill_ = 0;
}

inline void ResampledModel::prewarm() noexcept {
    inner_->prewarm();
    to_model_.reset();
    to_host_.reset();
    fifo_fill_ = 0;
    const float zeros[chunk_frames] = {};
    float sink[chunk_frames];
    for (int i = 0; i < 16; ++i) process(zeros, sink, chunk_frames);
}

inline int ResampledModel::receptive_field() const noexcept {
    return static_cast<int>(std::ceil(static_cast<double>(inner_->receptive_field()) * host_rate_hz_ / model_rate_hz_));
}

inline double ResampledModel::flops_per_sample() const noexcept {
    const double ratio = static_cast<double>(model_rate_hz_) / host_rate_hz_;
    const double resamplers = 2.0 * (4.0 * Resampler::halfband_coefs) +  // two 2x half-bands per host sample
                              2.0 * ratio * to_model_.taps_per_phase() + 2.0 * to_host_.taps_per_phase();
    return inner_->flops_per_sample() * ratio + resamplers;
}

inline std::size_t ResampledModel::memory_bytes() const noexcept {
    return sizeof(*this) + inner_->memory_bytes() + sizeof(float) * (model_in_.capacity() + model_out_.capacity() + fifo_.capacity()) +
           sizeof(float) * static_cast<std::size_t>(to_model_.phases() * to_model_.taps_per_phase() +
                                                    to_host_.phases() * to_host_.taps_per_phase());
}

}  // namespace nofold::dsp
