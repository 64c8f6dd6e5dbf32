// nofold — Model: the interface every loaded model is used through, and ModelFor<T>, which wraps a
// static model type (a preset) in it.
//
// One virtual call per host block, never per sample: `process` runs whole blocks internally in
// chunks of nofold::chunk_frames. Units: audio samples at the model's running rate (training rate ×
// rate factor). Latency: latency() samples (0 for causal models). Allocates: construction only;
// process, reset, prewarm, set_rate_factor and set_slimmable_size are RT-safe (no allocation, lock,
// exception or I/O).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "config.hpp"

namespace nofold {

/// Result of Model::set_rate_factor.
enum class RateFactorStatus {
    ok,            ///< applied
    not_integer,   ///< this model (a convolutional one) needs an integer factor; nothing changed
    out_of_range,  ///< below 1 or above max_rate_factor(); nothing changed
};

/// The rate-factor rule of the convolutional models (WaveNet, ConvNet, Linear): a factor in
/// [1, max_factor] that is an integer, since their delay lines stretch by whole samples.
inline RateFactorStatus check_integer_rate_factor(double factor, double max_factor) noexcept {
    if (!(factor >= 1.0) || factor > max_factor) return RateFactorStatus::out_of_range;
    if (factor != std::floor(factor)) return RateFactorStatus::not_integer;
    return RateFactorStatus::ok;
}

/// Abstract mono model. Input samples follow nofold's sample rule (simd::sanitize: NaN and ±inf read
/// as 0, magnitudes clamped to 2^64) before they reach any state, so a bad sample affects the output
/// for at most the receptive field (WaveNet) and never poisons recurrent state.
class Model {
public:
    virtual ~Model() = default;

    /// Process n ≥ 0 samples; `in` and `out` may be the same buffer. RT-safe.
    NOFOLD_REALTIME virtual void process(const float* in, float* out, int n) noexcept = 0;
    /// Restore the state right after construction (initial LSTM h0/c0, zero delay lines). RT-safe.
    NOFOLD_REALTIME virtual void reset() noexcept = 0;
    /// reset(), then bring the state to its steady state for silence (see the concrete model for
    /// the mode: a fast steady-state fill or NAM's "whole blocks of zeros"). RT-safe.
    NOFOLD_REALTIME virtual void prewarm() noexcept = 0;
    /// Latency in samples at the running rate (0 for causal models).
    virtual int latency() const noexcept = 0;
    /// Samples of input history the output depends on, at the running rate (1 = memoryless).
    virtual int receptive_field() const noexcept = 0;
    /// Floating-point operations (a multiply-add counts 2) per processed sample.
    virtual double flops_per_sample() const noexcept = 0;
    /// Run at L × the training rate (convolutional models: dilations × L, integer L only;
    /// recurrent models: state feedback delayed by L samples, fractional L interpolated).
    /// 1 ≤ L ≤ max_rate_factor(). Resets the state when it changes anything. RT-safe.
    NOFOLD_REALTIME virtual RateFactorStatus set_rate_factor(double rate_factor) noexcept = 0;
    /// The factor in use (1 after construction).
    virtual double rate_factor() const noexcept = 0;
    /// Largest factor set_rate_factor accepts; fixed at construction (memory is sized for it).
    virtual double max_rate_factor() const noexcept = 0;
    /// Bytes owned by this instance (object plus heap), weights included.
    virtual std::size_t memory_bytes() const noexcept = 0;
    /// Human-readable implementation, e.g. "static WaveNet preset 'standard'" or "runtime WaveNet".
    virtual const char* implementation_name() const noexcept = 0;
    /// Slimmable models: choose the width, v in [0, 1] (docs/model-formats.md §2.7, §6). Others ignore it. RT-safe.
    NOFOLD_REALTIME virtual void set_slimmable_size(double /*size*/) noexcept {}

    /// Multi-channel processing with shared weights: after set_channels(C) returned C, the model
    /// holds C independent states (one per channel) and process_channels runs C planar buffers
    /// through one copy of the weights; channel c's output equals that of a separate mono instance
    /// fed channel c (bit for bit). Channel 0 is the state process() uses. Models that cannot
    /// (today: everything but LSTM/GRU and WaveNet, static and runtime) return 1. Not RT-safe
    /// (allocates the extra state); resets.
    virtual int set_channels(int /*channels*/) { return 1; }
    /// The channel count set_channels accepted (1 by default).
    virtual int channels() const noexcept { return 1; }
    /// in[c], out[c]: n samples of channel c < channels(); in[c] == out[c] allowed. RT-safe.
    NOFOLD_REALTIME virtual void process_channels(const float* const* in, float* const* out, int channels, int n) noexcept {
        if (channels >= 1) process(in[0], out[0], n);
    }

    /// Live conditioning: knob inputs of the network (GuitarML/AIDA-X conditioned LSTM/GRU, .nam
    /// WaveNet inputs beyond the first), 0 … parameter_count() − 1. Names and ranges as the file gives
    /// them are in io::ModelFile::conditioning. Models without knobs have none.
    virtual int parameter_count() const noexcept { return 0; }
    /// Audio thread, between blocks: the target of parameter i. The value the network sees follows it
    /// along a linear ramp (a full-range change takes parameter_smoothing() samples), so no sample steps
    /// it by more than (max − min) / parameter_smoothing(). A bad index or a NaN value → false and
    /// nothing changes; other values are clamped to the range. The model is not rebuilt. RT-safe.
    NOFOLD_REALTIME virtual bool set_parameter(int /*index*/, double /*value*/) noexcept { return false; }
    /// Target of parameter i (NaN for a bad index).
    virtual double parameter(int /*index*/) const noexcept { return std::numeric_limits<double>::quiet_NaN(); }
    /// Range of parameter i (NaN for a bad index).
    virtual double parameter_min(int /*index*/) const noexcept { return std::numeric_limits<double>::quiet_NaN(); }
    virtual double parameter_max(int /*index*/) const noexcept { return std::numeric_limits<double>::quiet_NaN(); }
    /// Not real-time (the loader sets it from the file): range of parameter i (finite, min ≤ max).
    virtual bool set_parameter_range(int /*index*/, double /*min*/, double /*max*/) noexcept { return false; }
    /// Every parameter's value jumps to its target (no ramp): for a model that is not audible yet. RT-safe.
    NOFOLD_REALTIME virtual void settle_parameters() noexcept {}
    /// Samples (at the running rate) a full-range change takes, ≥ 1 (default nn::default_knob_ramp). RT-safe.
    NOFOLD_REALTIME virtual void set_parameter_smoothing(int /*samples*/) noexcept {}
    virtual int parameter_smoothing() const noexcept { return 0; }
};

namespace detail {
template <class T, class = void>
struct has_memory_bytes : std::false_type {};
template <class T>
struct has_memory_bytes<T, std::void_t<decltype(std::declval<const T&>().memory_bytes())>> : std::true_type {};
template <class T, class = void>
struct has_channels : std::false_type {};
template <class T>
struct has_channels<T, std::void_t<decltype(std::declval<T&>().set_channels(2, static_cast<float*>(nullptr))),
                                   decltype(std::declval<const T&>().extra_state_floats(2))>> : std::true_type {};
template <class T, class = void>
struct has_knobs : std::false_type {};
template <class T>
struct has_knobs<T, std::void_t<decltype(std::declval<T&>().knobs())>> : std::true_type {};
/// Model's live-conditioning overrides for a model that wraps one other model (Derived::inner_model()).
class ForwardingModel : public Model {
public:
    int parameter_count() const noexcept override { return inner_model().parameter_count(); }
    NOFOLD_REALTIME bool set_parameter(int index, double value) noexcept override { return inner_model().set_parameter(index, value); }
    double parameter(int index) const noexcept override { return inner_model().parameter(index); }
    double parameter_min(int index) const noexcept override { return inner_model().parameter_min(index); }
    double parameter_max(int index) const noexcept override { return inner_model().parameter_max(index); }
    bool set_parameter_range(int index, double min, double max) noexcept override {
        return inner_model().set_parameter_range(index, min, max);
    }
    NOFOLD_REALTIME void settle_parameters() noexcept override { inner_model().settle_parameters(); }
    NOFOLD_REALTIME void set_parameter_smoothing(int samples) noexcept override { inner_model().set_parameter_smoothing(samples); }
    int parameter_smoothing() const noexcept override { return inner_model().parameter_smoothing(); }

protected:
    virtual Model& inner_model() noexcept = 0;
    virtual const Model& inner_model() const noexcept = 0;
};

template <class T, class = void>
struct has_slimmable : std::false_type {};
template <class T>
struct has_slimmable<T, std::void_t<decltype(std::declval<T&>().set_slimmable_size(0.0))>> : std::true_type {};
}  // namespace detail

/// Wraps a static model type T (a preset such as nn::wavenet::Standard or nn::LstmModel<1, 16, 1>) as a Model.
///
/// T provides process/reset/prewarm/latency/receptive_field/flops_per_sample/set_rate_factor/
/// rate_factor/max_rate_factor with the signatures above, and `static const char* name()`;
/// optionally memory_bytes() (else sizeof is used), set_slimmable_size(double), and
/// extra_state_floats(int)/set_channels(int, float*)/channels()/process_channels(...) for multi-channel
/// processing, whose extra state (aligned) ModelFor allocates and owns.
/// Allocates: only if T's constructor does. Latency: T's.
template <class T>
class ModelFor final : public Model {
public:
    template <class... Args>
    explicit ModelFor(Args&&... args) : model_(std::forward<Args>(args)...) {}
    // A copy holds its own copy of the extra channels' state (moved to its own aligned start) and
    // points its model at it.
    ModelFor(const ModelFor& other) : Model(other), model_(other.model_), extra_(other.extra_.size(), 0.0f) {
        if constexpr (detail::has_channels<T>::value) {
            const int c = model_.channels();
            if (c > 1) {
                const float* from = aligned(other.extra_);
                std::copy(from, from + model_.extra_state_floats(c), aligned(extra_));
                model_.set_channels(c, aligned(extra_), true);
            }
        }
    }
    ModelFor& operator=(const ModelFor&) = delete;

    T& get() noexcept { return model_; }
    const T& get() const noexcept { return model_; }

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept override { model_.process(in, out, n); }
    NOFOLD_REALTIME void reset() noexcept override { model_.reset(); }
    NOFOLD_REALTIME void prewarm() noexcept override { model_.prewarm(); }
    int latency() const noexcept override { return model_.latency(); }
    int receptive_field() const noexcept override { return model_.receptive_field(); }
    double flops_per_sample() const noexcept override { return model_.flops_per_sample(); }
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double rate_factor) noexcept override {
        return model_.set_rate_factor(rate_factor);
    }
    double rate_factor() const noexcept override { return model_.rate_factor(); }
    double max_rate_factor() const noexcept override { return model_.max_rate_factor(); }
    std::size_t memory_bytes() const noexcept override {
        if constexpr (detail::has_memory_bytes<T>::value) {
            return sizeof(*this) - sizeof(T) + model_.memory_bytes() + extra_.capacity() * sizeof(float);
        } else {
            return sizeof(*this);
        }
    }
    const char* implementation_name() const noexcept override { return T::name(); }
    NOFOLD_REALTIME void set_slimmable_size(double size) noexcept override {
        if constexpr (detail::has_slimmable<T>::value) model_.set_slimmable_size(size);
    }
    int set_channels(int channels) override {
        if constexpr (detail::has_channels<T>::value) {
            channels = channels < 1 ? 1 : channels;
            const std::size_t n = model_.extra_state_floats(channels);
            model_.set_channels(1, nullptr);  // never left pointing at freed memory
            if (n == 0) {
                std::vector<float>().swap(extra_);
            } else {
                extra_.assign(n + alignment / sizeof(float), 0.0f);
                model_.set_channels(channels, aligned(extra_));
            }
            return model_.channels();
        } else {
            return Model::set_channels(channels);
        }
    }
    int channels() const noexcept override {
        if constexpr (detail::has_channels<T>::value) return model_.channels();
        else return 1;
    }
    NOFOLD_REALTIME void process_channels(const float* const* in, float* const* out, int channels, int n) noexcept override {
        if constexpr (detail::has_channels<T>::value) model_.process_channels(in, out, channels, n);
        else Model::process_channels(in, out, channels, n);
    }
    // Live conditioning: T's knobs() (an nn::Knobs), when it has them.
    int parameter_count() const noexcept override {
        if constexpr (detail::has_knobs<T>::value) return model_.knobs().count();
        else return 0;
    }
    NOFOLD_REALTIME bool set_parameter(int index, double value) noexcept override {
        if constexpr (detail::has_knobs<T>::value) return model_.knobs().set(index, value);
        else return Model::set_parameter(index, value);
    }
    double parameter(int index) const noexcept override {
        if constexpr (detail::has_knobs<T>::value) return model_.knobs().target(index);
        else return Model::parameter(index);
    }
    double parameter_min(int index) const noexcept override {
        if constexpr (detail::has_knobs<T>::value) return model_.knobs().min(index);
        else return Model::parameter_min(index);
    }
    double parameter_max(int index) const noexcept override {
        if constexpr (detail::has_knobs<T>::value) return model_.knobs().max(index);
        else return Model::parameter_max(index);
    }
    bool set_parameter_range(int index, double min, double max) noexcept override {
        if constexpr (detail::has_knobs<T>::value) return model_.knobs().set_range(index, min, max);
        else return Model::set_parameter_range(index, min, max);
    }
    NOFOLD_REALTIME void settle_parameters() noexcept override {
        if constexpr (detail::has_knobs<T>::value) model_.knobs().settle();
    }
    NOFOLD_REALTIME void set_parameter_smoothing(int samples) noexcept override {
        if constexpr (detail::has_knobs<T>::value) model_.knobs().set_ramp(samples);
    }
    int parameter_smoothing() const noexcept override {
        if constexpr (detail::has_knobs<T>::value) return model_.knobs().ramp();
        else return 0;
    }

private:
    template <class Vec>  // std::vector<float>, const or not
    static auto aligned(Vec& v) noexcept {
        const auto address = reinterpret_cast<std::uintptr_t>(v.data());
        return v.data() + (alignment - address % alignment) % alignment / sizeof(float);
    }

    T model_;
    std::vector<float> extra_;  // state of channels 1 …, aligned inside (set_channels)
};

}  // namespace nofold
