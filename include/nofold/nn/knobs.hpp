// nofold::nn — Knobs: the live conditioning inputs of a model (GuitarML/AIDA-X conditioned LSTMs and
// GRUs, .nam WaveNets with in_channels > 1): targets set between blocks, and the values the network
// sees, which follow the targets along a linear ramp, one tick per sample.
//
// Why a linear ramp: the per-sample change of a value is bounded by its slope, (max − min) /
// ramp_samples, whatever the host does with the targets, so a knob turned by a block-rate automation
// cannot step the network's input (zipper noise); a ramp also ends, so after ramp_samples samples the
// model computes exactly what it computes with the value held constant.
// Capacity: most knobs (0 for shapes known to have none: then every call compiles away).
// Units: knob values as the network reads them; ramp in samples at the model's running rate.
// KnobModel<Derived> implements nofold::Model's parameter methods over Derived::knobs() (runtime::WaveNet).
// Latency: none. Allocates: never. RT-safe: everything.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>

#include "../config.hpp"
#include "../model.hpp"

namespace nofold::nn {

/// Most knob inputs a model exposes (nofold::Model::parameter_count).
inline constexpr int max_knobs = 16;

/// Default length of a full-range ramp, in samples (about 21 ms at 48 kHz).
inline constexpr int default_knob_ramp = 1024;

template <int Capacity>
class Knobs {
public:
    static constexpr int capacity = Capacity;

    /// `count` knobs (clamped to [0, Capacity]), each with range [0, 1], target and value 0.
    void configure(int count) noexcept {
        count_ = std::clamp(count, 0, Capacity);
        for (int i = 0; i < Capacity; ++i) {
            lo_[i] = 0.0f;
            hi_[i] = 1.0f;
            target_[i] = value_[i] = 0.0f;
        }
        update_slopes();
        moving_ = false;
    }
    int count() const noexcept { return count_; }
    /// Range of knob i (lo ≤ hi, both finite; otherwise nothing changes). Clamps target and value.
    bool set_range(int i, double lo, double hi) noexcept {
        if (i < 0 || i >= count_ || !(std::isfinite(lo) && std::isfinite(hi) && lo <= hi)) return false;
        lo_[i] = static_cast<float>(lo);
        hi_[i] = static_cast<float>(hi);
        target_[i] = std::clamp(target_[i], lo_[i], hi_[i]);
        value_[i] = std::clamp(value_[i], lo_[i], hi_[i]);
        update_slopes();
        moving_ = true;
        return true;
    }
    double min(int i) const noexcept { return ok(i) ? lo_[i] : nan(); }
    double max(int i) const noexcept { return ok(i) ? hi_[i] : nan(); }
    /// Target of knob i: NaN or a bad index → false and nothing changes; ±inf and values outside the
    /// range are clamped to it.
    bool set(int i, double v) noexcept {
        if (!ok(i) || std::isnan(v)) return false;
        target_[i] = static_cast<float>(std::clamp(v, static_cast<double>(lo_[i]), static_cast<double>(hi_[i])));
        moving_ = moving_ || target_[i] != value_[i];
        return true;
    }
    double target(int i) const noexcept { return ok(i) ? target_[i] : nan(); }
    /// The value the network sees now.
    float value(int i) const noexcept { return ok(i) ? value_[i] : 0.0f; }
    const float* values() const noexcept { return value_.data(); }
    /// Every value jumps to its target (load, prewarm, a model that is not audible yet).
    void settle() noexcept {
        for (int i = 0; i < count_; ++i) value_[i] = target_[i];
        moving_ = false;
    }
    /// Samples a full-range change takes (≥ 1; others leave it unchanged).
    void set_ramp(int samples) noexcept {
        if (samples < 1) return;
        ramp_ = samples;
        update_slopes();
    }
    int ramp() const noexcept { return ramp_; }
    /// Largest change of knob i's value in one tick.
    float slope(int i) const noexcept { return ok(i) ? slope_[i] : 0.0f; }
    bool moving() const noexcept { return moving_; }
    /// One sample: every value moves towards its target by at most its slope.
    void tick() noexcept {
        if (!moving_) return;
        bool still = false;
        for (int i = 0; i < count_; ++i) {
            const float d = target_[i] - value_[i];
            if (d > slope_[i]) {
                value_[i] += slope_[i];
                still = true;
            } else if (d < -slope_[i]) {
                value_[i] -= slope_[i];
                still = true;
            } else {
                value_[i] = target_[i];
            }
        }
        moving_ = still;
    }

private:
    static double nan() noexcept { return std::numeric_limits<double>::quiet_NaN(); }
    bool ok(int i) const noexcept { return i >= 0 && i < count_; }
    void update_slopes() noexcept {
        for (int i = 0; i < Capacity; ++i) slope_[i] = (hi_[i] - lo_[i]) / static_cast<float>(ramp_);
    }
    static constexpr std::size_t n = Capacity > 0 ? static_cast<std::size_t>(Capacity) : 1;
    std::array<float, n> lo_{}, hi_{}, target_{}, value_{}, slope_{};
    int count_ = 0, ramp_ = default_knob_ramp;
    bool moving_ = false;
};

/// Model's live-conditioning overrides for a model whose knobs are Derived::knobs() (an nn::Knobs).
template <class Derived>
class KnobModel : public Model {
public:
    int parameter_count() const noexcept override { return k().count(); }
    NOFOLD_REALTIME bool set_parameter(int index, double value) noexcept override { return k().set(index, value); }
    double parameter(int index) const noexcept override { return k().target(index); }
    double parameter_min(int index) const noexcept override { return k().min(index); }
    double parameter_max(int index) const noexcept override { return k().max(index); }
    bool set_parameter_range(int index, double min, double max) noexcept override { return k().set_range(index, min, max); }
    NOFOLD_REALTIME void settle_parameters() noexcept override { k().settle(); }
    NOFOLD_REALTIME void set_parameter_smoothing(int samples) noexcept override { k().set_ramp(samples); }
    int parameter_smoothing() const noexcept override { return k().ramp(); }

private:
    auto& k() noexcept { return static_cast<Derived*>(this)->knobs(); }
    const auto& k() const noexcept { return static_cast<const Derived*>(this)->knobs(); }
};

}  // namespace nofold::nn
