// nofold::nn::wavenet — the standard NAM WaveNet presets for loaders: config_of<Shape>() (a preset's
// shape as a WaveNetConfig) and match_preset() (is this file's shape a preset? then run it on the static
// engine). The preset types themselves (Standard, Lite, Feather, Nano, A2<C>, their heap-free fixed::
// twins, and Engine<Shape, Storage>) are in wavenet_static.hpp, which this header includes.
// Units: samples at the running rate. Latency: 0. Allocates: config_of and match_preset (load time).
// Reference: docs/model-formats.md §2.9 "Presets and the A2 shape".
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "../model.hpp"
#include "options.hpp"
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

/// Expands a per-layer list (empty = fallback, one entry = every layer) to one entry per layer.
template <class T, class F>
std::vector<T> per_layer(const LayerArrayConfig& a, F get) {
    std::vector<T> out;
    for (int l = 0; l < a.layer_count(); ++l) out.push_back(get(a, l));
    return out;
}

inline std::string spec_text(const ActivationSpec& s) {
    std::string t = s.name;
    if (!s.params.empty()) {
        t += "(";
        for (std::size_t i = 0; i < s.params.size(); ++i) t += (i ? ", " : "") + std::to_string(s.params[i]);
        t += ")";
    }
    return t;
}

}  // namespace detail

/// First field where two WaveNet shapes differ ("layers[0].channels: 12 vs 16"), empty when they are the same
/// shape (head_scale is a weight, not a shape; per-layer lists compare after expansion, so {3} equals {3, 3, …}).
inline std::string shape_difference(const WaveNetConfig& a, const WaveNetConfig& b) {
    if (a.layers.size() != b.layers.size())
        return "layer arrays: " + std::to_string(a.layers.size()) + " vs " + std::to_string(b.layers.size());
    if (a.in_channels != b.in_channels) return "in_channels";
    if (a.head.active != b.head.active) return "post-stack head (present in one only)";
    if (static_cast<bool>(a.condition_dsp) != static_cast<bool>(b.condition_dsp)) return "condition_dsp (present in one only)";
    for (std::size_t i = 0; i < a.layers.size(); ++i) {
        const LayerArrayConfig& x = a.layers[i];
        const LayerArrayConfig& y = b.layers[i];
        const std::string at = "layers[" + std::to_string(i) + "].";
        auto num = [&](const char* field, int u, int v) {
            return u == v ? std::string() : at + field + ": " + std::to_string(u) + " vs " + std::to_string(v);
        };
        for (const std::string& d :
             {num("input_size", x.input_size, y.input_size), num("condition_size", x.condition_size, y.condition_size),
              num("channels", x.channels, y.channels), num("bottleneck", x.bottleneck_size(), y.bottleneck_size()),
              num("layers", x.layer_count(), y.layer_count())})
            if (!d.empty()) return d;
        using L = LayerArrayConfig;
        if (detail::per_layer<int>(x, [](const L& c, int l) { return c.dilation(l); }) !=
            detail::per_layer<int>(y, [](const L& c, int l) { return c.dilation(l); }))
            return at + "dilations differ";
        if (detail::per_layer<int>(x, [](const L& c, int l) { return c.kernel_size(l); }) !=
            detail::per_layer<int>(y, [](const L& c, int l) { return c.kernel_size(l); }))
            return at + "kernel sizes differ";
        for (int l = 0; l < x.layer_count(); ++l) {
            if (x.activation(l) != y.activation(l))
                return at + "activation: " + detail::spec_text(x.activation(l)) + " vs " + detail::spec_text(y.activation(l));
            if (x.gating(l) != y.gating(l)) return at + "gating mode differs";
            if (x.gating(l) != GatingMode::none && x.secondary_activation(l) != y.secondary_activation(l))
                return at + "secondary activation differs";
        }
        for (const std::string& d :
             {num("head.out_channels", x.head.out_channels, y.head.out_channels),
              num("head.kernel_size", x.head.kernel_size, y.head.kernel_size),
              num("head.bias", x.head.bias, y.head.bias), num("head.dilation", x.head.dilation, y.head.dilation),
              num("groups_input", x.groups_input, y.groups_input),
              num("groups_input_mixin", x.groups_input_mixin, y.groups_input_mixin),
              num("layer1x1.active", x.layer1x1.active, y.layer1x1.active),
              num("layer1x1.groups", x.layer1x1.groups, y.layer1x1.groups),
              num("head1x1.active", x.head1x1.active, y.head1x1.active)})
            if (!d.empty()) return d;
        if (x.head1x1.active && (x.head1x1.out_channels != y.head1x1.out_channels || x.head1x1.groups != y.head1x1.groups))
            return at + "head1x1 differs";
        for (int s = 0; s < film_slot_count; ++s) {
            const FilmConfig& f = x.films[static_cast<std::size_t>(s)];
            const FilmConfig& g = y.films[static_cast<std::size_t>(s)];
            if (f.active != g.active || (f.active && (f.shift != g.shift || f.groups != g.groups)))
                return at + "FiLM slot " + std::to_string(s) + " differs";
        }
        if (!x.allowed_channels.empty() || !y.allowed_channels.empty()) return at + "slimmable widths";
    }
    return {};
}

/// The preset whose shape `config` has, wrapped as a Model with `weights` loaded; null when the
/// shape is not a preset (use runtime::make_model then) or the weights do not fit (`error` set).
inline std::unique_ptr<Model> match_preset(const WaveNetConfig& config, const float* weights, std::size_t count,
                                           const Options& options, std::string& error) {
    error.clear();
    auto make = [&](auto* tag) -> std::unique_ptr<Model> {
        using P = std::remove_pointer_t<decltype(tag)>;
        auto m = std::make_unique<ModelFor<P>>(options);
        error = m->get().set_weights(weights, count).message();
        return error.empty() ? std::move(m) : nullptr;
    };
    std::unique_ptr<Model> found;
    for_each_shape(PresetShapes{}, [&](auto* shape) {
        using Shape = std::remove_pointer_t<decltype(shape)>;
        if (!found && error.empty() && shape_difference(config, config_of<Shape>()).empty())
            found = make(static_cast<Engine<Shape>*>(nullptr));
    });
    return found;
}

}  // namespace nofold::nn::wavenet
