// nofold::nn::wavenet — the standard NAM WaveNet shapes as types: Standard, Lite, Feather, Nano
// (A1 family) and A2<3>, A2<8>.
//
// A preset is a compile-time description (its config() and weight_count) of the one WaveNet
// implementation (runtime/wavenet.hpp, kernels in nn/dense.hpp and nn/history.hpp), so a preset and a
// runtime model built from the same file give identical output. Use through nofold::ModelFor<Preset>
// or directly. match_preset() tells a loader whether a file has a preset shape.
// Template parameters (A2): Channels = 3 or 8. Units: samples at the running rate.
// Latency: 0. Allocates: constructor only. RT-safe: process, reset, prewarm, set_rate_factor.
// Reference: ../shared/specs/model-formats.md §1.1 "Presets" and "A2 shape".
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "../model.hpp"
#include "../runtime/wavenet.hpp"
#include "wavenet_config.hpp"

namespace nofold::nn::wavenet {

namespace detail {

inline LayerArrayConfig a1_array(int input, int channels, int head, bool head_bias, std::vector<int> dilations) {
    LayerArrayConfig a;
    a.input_size = input;
    a.condition_size = 1;
    a.channels = channels;
    a.kernel_sizes = {3};
    a.dilations = std::move(dilations);
    a.activations = {ActivationSpec{"Tanh", {}}};
    a.gating_modes = {GatingMode::none};
    a.head = HeadConfig{head, 1, head_bias, 1};
    return a;
}

inline WaveNetConfig a1(int c1, int c2, bool standard_dilations) {
    std::vector<int> d1{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}, d2 = d1;
    if (!standard_dilations) {
        d1 = {1, 2, 4, 8, 16, 32, 64};
        d2 = {128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
    }
    WaveNetConfig c;
    c.layers = {a1_array(1, c1, c2, false, d1), a1_array(c1, c2, 1, true, d2)};
    c.head_scale = 0.02f;
    return c;
}

inline WaveNetConfig a2(int channels) {
    LayerArrayConfig a;
    a.input_size = 1;
    a.condition_size = 1;
    a.channels = channels;
    a.bottleneck = channels;
    a.kernel_sizes = {6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 15, 15, 6, 6, 6, 6, 6, 6, 6};
    a.dilations = {1, 3, 7, 17, 41, 101, 239, 1, 3, 7, 17, 41, 101, 239, 1, 13, 1, 3, 7, 17, 41, 101, 239};
    a.activations = {ActivationSpec{"LeakyReLU", {0.01f}}};
    a.gating_modes = {GatingMode::none};
    a.layer1x1 = Layer1x1Config{true, 1};
    a.head = HeadConfig{1, 16, true, 1};
    WaveNetConfig c;
    c.layers = {a};
    c.head_scale = 0.01f;
    return c;
}

// Same shape (everything but head_scale, which the weights carry); per-layer vectors compared after
// expansion so that {3} equals {3, 3, ...}.
inline bool same_shape(const WaveNetConfig& x, const WaveNetConfig& y) {
    if (x.layers.size() != y.layers.size() || x.in_channels != y.in_channels || x.head.active || y.head.active ||
        x.condition_dsp || y.condition_dsp)
        return false;
    for (std::size_t i = 0; i < x.layers.size(); ++i) {
        const LayerArrayConfig& a = x.layers[i];
        const LayerArrayConfig& b = y.layers[i];
        if (a.input_size != b.input_size || a.condition_size != b.condition_size || a.channels != b.channels ||
            a.bottleneck_size() != b.bottleneck_size() || a.dilations != b.dilations || a.groups_input != b.groups_input ||
            a.groups_input_mixin != b.groups_input_mixin || a.layer1x1.active != b.layer1x1.active ||
            a.layer1x1.groups != b.layer1x1.groups || a.head1x1.active != b.head1x1.active ||
            a.head.out_channels != b.head.out_channels || a.head.kernel_size != b.head.kernel_size ||
            a.head.bias != b.head.bias || a.head.dilation != b.head.dilation || !a.allowed_channels.empty() ||
            !b.allowed_channels.empty())
            return false;
        for (int s = 0; s < film_slot_count; ++s)
            if (a.films[static_cast<std::size_t>(s)].active || b.films[static_cast<std::size_t>(s)].active) return false;
        for (int l = 0; l < a.layer_count(); ++l) {
            if (a.kernel_size(l) != b.kernel_size(l) || a.gating(l) != b.gating(l) || a.activation(l) != b.activation(l))
                return false;
            if (a.gating(l) != GatingMode::none && a.secondary_activation(l) != b.secondary_activation(l)) return false;
        }
    }
    return true;
}

}  // namespace detail

/// A WaveNet preset model. Shape provides `static WaveNetConfig config()` and `static const char* name()`.
template <class Shape>
class Preset {
public:
    explicit Preset(const runtime::Options& options = {}) {
        std::string error;
        engine_ = runtime::WaveNet::create(Shape::config(), options, error);
        NOFOLD_ASSERT(engine_ != nullptr);
    }
    static WaveNetConfig config() { return Shape::config(); }
    static std::size_t weight_count() { return nn::weight_count(Shape::config()); }
    /// Weights in .nam order (head_scale last). Empty string on success.
    std::string set_weights(const float* w, std::size_t count) { return engine_->set_weights(w, count); }

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept { engine_->process(in, out, n); }
    NOFOLD_REALTIME void reset() noexcept { engine_->reset(); }
    NOFOLD_REALTIME void prewarm() noexcept { engine_->prewarm(); }
    int latency() const noexcept { return 0; }
    int receptive_field() const noexcept { return engine_->receptive_field(); }
    double flops_per_sample() const noexcept { return engine_->flops_per_sample(); }
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double r) noexcept { return engine_->set_rate_factor(r); }
    double rate_factor() const noexcept { return engine_->rate_factor(); }
    double max_rate_factor() const noexcept { return engine_->max_rate_factor(); }
    std::size_t memory_bytes() const noexcept { return sizeof(*this) + engine_->memory_bytes(); }
    static const char* name() noexcept { return Shape::name(); }

private:
    std::unique_ptr<runtime::WaveNet> engine_;
};

struct StandardShape {
    static WaveNetConfig config() { return detail::a1(16, 8, true); }
    static const char* name() noexcept { return "static WaveNet preset 'standard'"; }
};
struct LiteShape {
    static WaveNetConfig config() { return detail::a1(12, 6, false); }
    static const char* name() noexcept { return "static WaveNet preset 'lite'"; }
};
struct FeatherShape {
    static WaveNetConfig config() { return detail::a1(8, 4, false); }
    static const char* name() noexcept { return "static WaveNet preset 'feather'"; }
};
struct NanoShape {
    static WaveNetConfig config() { return detail::a1(4, 2, false); }
    static const char* name() noexcept { return "static WaveNet preset 'nano'"; }
};
template <int Channels>
struct A2Shape {
    static_assert(Channels == 3 || Channels == 8, "nofold: the A2 preset exists with 3 or 8 channels");
    static WaveNetConfig config() { return detail::a2(Channels); }
    static const char* name() noexcept {
        return Channels == 3 ? "static WaveNet preset 'A2-3'" : "static WaveNet preset 'A2-8'";
    }
};

using Standard = Preset<StandardShape>;
using Lite = Preset<LiteShape>;
using Feather = Preset<FeatherShape>;
using Nano = Preset<NanoShape>;
template <int Channels>
using A2 = Preset<A2Shape<Channels>>;

/// The preset whose shape `config` has, wrapped as a Model with `weights` loaded; null when the
/// shape is not a preset (use runtime::make_model then) or the weights do not fit (`error` set).
inline std::unique_ptr<Model> match_preset(const WaveNetConfig& config, const float* weights, std::size_t count,
                                           const runtime::Options& options, std::string& error) {
    error.clear();
    auto make = [&](auto* tag) -> std::unique_ptr<Model> {
        using P = std::remove_pointer_t<decltype(tag)>;
        auto m = std::make_unique<ModelFor<P>>(options);
        error = m->get().set_weights(weights, count);
        return error.empty() ? std::move(m) : nullptr;
    };
    if (detail::same_shape(config, StandardShape::config())) return make(static_cast<Standard*>(nullptr));
    if (detail::same_shape(config, LiteShape::config())) return make(static_cast<Lite*>(nullptr));
    if (detail::same_shape(config, FeatherShape::config())) return make(static_cast<Feather*>(nullptr));
    if (detail::same_shape(config, NanoShape::config())) return make(static_cast<Nano*>(nullptr));
    if (detail::same_shape(config, A2Shape<3>::config())) return make(static_cast<A2<3>*>(nullptr));
    if (detail::same_shape(config, A2Shape<8>::config())) return make(static_cast<A2<8>*>(nullptr));
    return nullptr;
}

}  // namespace nofold::nn::wavenet
