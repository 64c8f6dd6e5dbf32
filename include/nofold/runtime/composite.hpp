// nofold::runtime — Models made of other Models: the .nam SlimmableContainer and Sequential
// containers, and the GuitarML/AIDA-X wrapper (input gain, input skip, output gain). They hold
// no model math of their own; they route blocks between the models they own.
//
// Units: samples at the running rate; gains linear (converted from dB at construction).
// Latency: SlimmableContainer: the active child's; Sequential: the sum; Wrapper: the inner model's.
// Allocates: construction only. RT-safe: process, reset, prewarm, set_rate_factor, set_slimmable_size.
// Reference: docs/model-formats.md §6 (containers), §7–8 (wrappers),
// §9 (Core resets and prewarms a newly selected submodel).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "../config.hpp"
#include "../model.hpp"
#include "../simd/ops.hpp"

namespace nofold::runtime {

namespace detail {

/// Sets a rate factor on every model, or on none: on the first refusal the others are put back.
inline RateFactorStatus set_rate_on_all(std::vector<std::unique_ptr<Model>>& models, double factor) noexcept {
    for (std::size_t i = 0; i < models.size(); ++i) {
        const double old = models[i]->rate_factor();
        const RateFactorStatus s = models[i]->set_rate_factor(factor);
        if (s != RateFactorStatus::ok) {
            for (std::size_t j = 0; j < i; ++j) models[j]->set_rate_factor(old);
            return s;
        }
    }
    return RateFactorStatus::ok;
}

}  // namespace detail

/// SlimmableContainer: submodel i serves sizes v < max_values[i]; the last serves the rest and is
/// active until set_slimmable_size is called. Selecting another submodel prewarms it (as Core does).
/// Its submodels are alternatives of one model, so every one gets the same parameter calls (the reads
/// come from the active one).
class SlimmableContainerModel final : public nofold::detail::ForwardingModel {
public:
    SlimmableContainerModel(std::vector<std::unique_ptr<Model>> children, std::vector<double> max_values)
        : children_(std::move(children)), max_values_(std::move(max_values)), active_(children_.size() - 1) {
        name_ = "SlimmableContainer [";
        for (std::size_t i = 0; i < children_.size(); ++i)
            name_ += (i ? "; " : "") + std::string(children_[i]->implementation_name());
        name_ += "]";
    }

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept override { children_[active_]->process(in, out, n); }
    NOFOLD_REALTIME void reset() noexcept override { children_[active_]->reset(); }
    NOFOLD_REALTIME void prewarm() noexcept override { children_[active_]->prewarm(); }
    int latency() const noexcept override { return children_[active_]->latency(); }
    int receptive_field() const noexcept override { return children_[active_]->receptive_field(); }
    double flops_per_sample() const noexcept override { return children_[active_]->flops_per_sample(); }
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double f) noexcept override { return detail::set_rate_on_all(children_, f); }
    double rate_factor() const noexcept override { return children_[active_]->rate_factor(); }
    double max_rate_factor() const noexcept override {
        double m = children_.front()->max_rate_factor();
        for (const auto& c : children_) m = std::min(m, c->max_rate_factor());
        return m;
    }
    std::size_t memory_bytes() const noexcept override {
        std::size_t b = sizeof(*this) + name_.capacity() + max_values_.capacity() * sizeof(double);
        for (const auto& c : children_) b += c->memory_bytes();
        return b;
    }
    const char* implementation_name() const noexcept override { return name_.c_str(); }
    NOFOLD_REALTIME void set_slimmable_size(double size) noexcept override {
        std::size_t pick = children_.size() - 1;
        for (std::size_t i = 0; i < max_values_.size(); ++i)
            if (size < max_values_[i]) {
                pick = i;
                break;
            }
        if (pick != active_) {
            active_ = pick;
            children_[active_]->prewarm();
        }
    }

    std::size_t active_index() const noexcept { return active_; }
    Model& child(std::size_t i) noexcept { return *children_[i]; }

    NOFOLD_REALTIME bool set_parameter(int index, double value) noexcept override {
        bool ok = false;
        for (auto& c : children_) ok = c->set_parameter(index, value) || ok;
        return ok;
    }
    bool set_parameter_range(int index, double min, double max) noexcept override {
        bool ok = false;
        for (auto& c : children_) ok = c->set_parameter_range(index, min, max) || ok;
        return ok;
    }
    NOFOLD_REALTIME void settle_parameters() noexcept override {
        for (auto& c : children_) c->settle_parameters();
    }
    NOFOLD_REALTIME void set_parameter_smoothing(int samples) noexcept override {
        for (auto& c : children_) c->set_parameter_smoothing(samples);
    }

private:
    Model& inner_model() noexcept override { return *children_[active_]; }
    const Model& inner_model() const noexcept override { return *children_[active_]; }
    std::vector<std::unique_ptr<Model>> children_;
    std::vector<double> max_values_;
    std::size_t active_;
    std::string name_;
};

/// Sequential: each model's output is the next one's input. Its parameters are its stages', in order.
class SequentialModel final : public Model {
public:
    explicit SequentialModel(std::vector<std::unique_ptr<Model>> children) : children_(std::move(children)) {
        name_ = "Sequential [";
        for (std::size_t i = 0; i < children_.size(); ++i)
            name_ += (i ? "; " : "") + std::string(children_[i]->implementation_name());
        name_ += "]";
    }

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept override {
        children_.front()->process(in, out, n);
        for (std::size_t i = 1; i < children_.size(); ++i) children_[i]->process(out, out, n);
    }
    NOFOLD_REALTIME void reset() noexcept override {
        for (auto& c : children_) c->reset();
    }
    NOFOLD_REALTIME void prewarm() noexcept override {
        for (auto& c : children_) c->prewarm();
    }
    int latency() const noexcept override {
        int l = 0;
        for (const auto& c : children_) l += c->latency();
        return l;
    }
    int receptive_field() const noexcept override {
        int r = 1;
        for (const auto& c : children_) r += c->receptive_field() - 1;
        return r;
    }
    double flops_per_sample() const noexcept override {
        double f = 0.0;
        for (const auto& c : children_) f += c->flops_per_sample();
        return f;
    }
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double f) noexcept override { return detail::set_rate_on_all(children_, f); }
    double rate_factor() const noexcept override { return children_.front()->rate_factor(); }
    double max_rate_factor() const noexcept override {
        double m = children_.front()->max_rate_factor();
        for (const auto& c : children_) m = std::min(m, c->max_rate_factor());
        return m;
    }
    std::size_t memory_bytes() const noexcept override {
        std::size_t b = sizeof(*this) + name_.capacity();
        for (const auto& c : children_) b += c->memory_bytes();
        return b;
    }
    const char* implementation_name() const noexcept override { return name_.c_str(); }
    NOFOLD_REALTIME void set_slimmable_size(double size) noexcept override {
        for (auto& c : children_) c->set_slimmable_size(size);
    }
    int parameter_count() const noexcept override {
        int n = 0;
        for (const auto& c : children_) n += c->parameter_count();
        return n;
    }
    NOFOLD_REALTIME bool set_parameter(int index, double value) noexcept override {
        Model* c = stage_of(index);
        return c && c->set_parameter(index, value);
    }
    double parameter(int index) const noexcept override {
        const Model* c = stage_of(index);
        return c ? c->parameter(index) : Model::parameter(index);
    }
    double parameter_min(int index) const noexcept override {
        const Model* c = stage_of(index);
        return c ? c->parameter_min(index) : Model::parameter_min(index);
    }
    double parameter_max(int index) const noexcept override {
        const Model* c = stage_of(index);
        return c ? c->parameter_max(index) : Model::parameter_max(index);
    }
    bool set_parameter_range(int index, double min, double max) noexcept override {
        Model* c = stage_of(index);
        return c && c->set_parameter_range(index, min, max);
    }
    NOFOLD_REALTIME void settle_parameters() noexcept override {
        for (auto& c : children_) c->settle_parameters();
    }
    NOFOLD_REALTIME void set_parameter_smoothing(int samples) noexcept override {
        for (auto& c : children_) c->set_parameter_smoothing(samples);
    }
    int parameter_smoothing() const noexcept override {
        for (const auto& c : children_)
            if (c->parameter_count() > 0) return c->parameter_smoothing();
        return 0;
    }

private:
    /// The stage that holds parameter `index`, which becomes that stage's own index; null if none.
    Model* stage_of(int& index) const noexcept {
        if (index < 0) return nullptr;
        for (const auto& c : children_) {
            if (index < c->parameter_count()) return c.get();
            index -= c->parameter_count();
        }
        return nullptr;
    }
    std::vector<std::unique_ptr<Model>> children_;
    std::string name_;
};

/// y = out_gain · (net(in_gain · x) + (skip ? in_gain · x : 0)), x read through simd::sanitize.
class WrapperModel final : public nofold::detail::ForwardingModel {
public:
    enum class Skip { off, on };
    WrapperModel(std::unique_ptr<Model> inner, float in_gain, float out_gain, Skip skip)
        : inner_(std::move(inner)), in_gain_(in_gain), out_gain_(out_gain), skip_(skip) {
        name_ = std::string(inner_->implementation_name()) + " (with input/output gain and skip)";
    }

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept override {
        for (int done = 0; done < n;) {
            const int m = std::min(n - done, chunk_frames);
            // The skip path reads the input directly: it obeys simd::sanitize like every stage.
            for (int i = 0; i < m; ++i) scratch_[static_cast<std::size_t>(i)] = simd::sanitize(in_gain_ * simd::sanitize(in[done + i]));
            inner_->process(scratch_.data(), out + done, m);
            const float skip = skip_ == Skip::on ? 1.0f : 0.0f;
            for (int i = 0; i < m; ++i)
                out[done + i] = out_gain_ * (out[done + i] + skip * scratch_[static_cast<std::size_t>(i)]);
            done += m;
        }
    }
    NOFOLD_REALTIME void reset() noexcept override { inner_->reset(); }
    NOFOLD_REALTIME void prewarm() noexcept override { inner_->prewarm(); }
    int latency() const noexcept override { return inner_->latency(); }
    int receptive_field() const noexcept override { return inner_->receptive_field(); }
    double flops_per_sample() const noexcept override { return inner_->flops_per_sample() + 4.0; }
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double f) noexcept override { return inner_->set_rate_factor(f); }
    double rate_factor() const noexcept override { return inner_->rate_factor(); }
    double max_rate_factor() const noexcept override { return inner_->max_rate_factor(); }
    std::size_t memory_bytes() const noexcept override { return sizeof(*this) + name_.capacity() + inner_->memory_bytes(); }
    const char* implementation_name() const noexcept override { return name_.c_str(); }
    NOFOLD_REALTIME void set_slimmable_size(double size) noexcept override { inner_->set_slimmable_size(size); }

private:
    Model& inner_model() noexcept override { return *inner_; }
    const Model& inner_model() const noexcept override { return *inner_; }
    std::unique_ptr<Model> inner_;
    float in_gain_, out_gain_;
    Skip skip_;
    std::string name_;
    std::array<float, chunk_frames> scratch_{};
};

}  // namespace nofold::runtime
