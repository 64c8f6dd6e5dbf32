// nofold::nn::wavenet — the standard NAM WaveNet presets for loaders: config_of<Shape>() (a preset's
// shape as a WaveNetConfig) and match_preset() (is this file's shape a preset? then run it on the static
// engine). The preset types themselves (Standard, Lite, Feather, Nano, A2<C>, their heap-free fixed::
// twins, and Preset<Shape, Storage>) are in wavenet_static.hpp, which this header includes.
// Units: samples at the running rate. Latency: 0. Allocates: config_of and match_preset (load time).
// Reference: docs/model-formats.md §2.9 "Presets and the A2 shape".
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "../model.hpp"
#include "../runtime/options.hpp"
#include "wavenet_config.hpp"
#include "wavenet_static.hpp"

namespace nofold::nn::wavenet {

/// The shape of a static preset as the plain config a loader produces (head_scale = the shape's default).
template <class Shape>
WaveNetConfig config_of() {
    WaveNetConfig c;
    for (int i = 0; i < Shape::array_count; ++i) {
        const ArrayShape& s = Shape::arrays[i];
        LayerArrayConfig a;
        a.input_size = s.input_size;
        a.condition_size = 1;
        a.channels = s.channels;
        a.bottleneck = s.channels;
        a.kernel_sizes.assign(s.kernels, s.kernels + s.layers);
        a.dilations.assign(s.dilations, s.dilations + s.layers);
        a.activations = {s.activation == ArrayActivation::tanh ? ActivationSpec{"Tanh", {}}
                                                               : ActivationSpec{"LeakyReLU", {s.activation_param}}};
        a.gating_modes = {GatingMode::none};
        a.layer1x1 = Layer1x1Config{true, 1};
        a.head = HeadConfig{s.head_size, s.head_kernel, s.head_bias, s.head_dilation};
        c.layers.push_back(std::move(a));
    }
    c.head_scale = Shape::default_head_scale;
    return c;
}

namespace detail {

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

/// The preset whose shape `config` has, wrapped as a Model with `weights` loaded; null when the
/// shape is not a preset (use runtime::make_model then) or the weights do not fit (`error` set).
inline std::unique_ptr<Model> match_preset(const WaveNetConfig& config, const float* weights, std::size_t count,
                                           const runtime::Options& options, std::string& error) {
    error.clear();
    auto make = [&](auto* tag) -> std::unique_ptr<Model> {
        using P = std::remove_pointer_t<decltype(tag)>;
        auto m = std::make_unique<ModelFor<P>>(options);
        error = m->get().set_weights(weights, count).message();
        return error.empty() ? std::move(m) : nullptr;
    };
    if (detail::same_shape(config, config_of<StandardShape>())) return make(static_cast<Standard*>(nullptr));
    if (detail::same_shape(config, config_of<LiteShape>())) return make(static_cast<Lite*>(nullptr));
    if (detail::same_shape(config, config_of<FeatherShape>())) return make(static_cast<Feather*>(nullptr));
    if (detail::same_shape(config, config_of<NanoShape>())) return make(static_cast<Nano*>(nullptr));
    if (detail::same_shape(config, config_of<A2Shape<3>>())) return make(static_cast<A2<3>*>(nullptr));
    if (detail::same_shape(config, config_of<A2Shape<8>>())) return make(static_cast<A2<8>*>(nullptr));
    return nullptr;
}

}  // namespace nofold::nn::wavenet
