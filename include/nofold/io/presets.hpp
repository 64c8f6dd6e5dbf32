// nofold::io::match_preset — decides whether a model's shape is one of the shapes nofold compiles
// as a static instantiation (WaveNet standard / lite / feather / nano, A2 with 3 or 8 channels, the
// common LSTM sizes), and explains the decision.
//
// A WaveNet matches only when every shape field agrees: array count, input/condition sizes,
// channels, bottleneck, per-layer kernel sizes, dilations, activations (parameters included),
// gating, head size/kernel/bias/dilation, groups, layer1x1, head1x1, every FiLM slot, no slimmable
// widths, no post-stack head, no condition_dsp. head_scale is a weight, not a shape. When nothing
// matches, the reason names the closest preset and its first differing field.
//
// Units: none. Latency: none. Allocates: yes (descriptions are built on call; loading only).
// Reference: docs/model-formats.md §2.9 "Presets and the A2 shape".
#pragma once

#include <string>
#include <vector>

#include "../nn/model_config.hpp"

namespace nofold::io {

/// Kind of network a preset describes.
enum class PresetKind { wavenet, lstm };

/// A shape nofold instantiates at compile time.
struct Preset {
    std::string name;           ///< "standard", "lite", "feather", "nano", "a2_3", "a2_8", "lstm_1x16", ...
    nn::ModelConfig config;     ///< the shape (weights not included)
};

/// Result of matching a model against the presets.
struct PresetMatch {
    std::string name;    ///< the matching preset, empty when none
    std::string reason;  ///< one sentence: why this preset, or why none
};

/// Every preset shape, WaveNets first.
const std::vector<Preset>& presets();

/// The preset whose shape equals `model`'s, with the reason.
PresetMatch match_preset(const nn::NestedModel& model);

/// First field where two WaveNet shapes differ ("layers[0].channels: 12 vs 16"), empty if equal.
std::string wavenet_shape_difference(const nn::WaveNetConfig& a, const nn::WaveNetConfig& b);

// ============================================================================================
// Implementation
// ============================================================================================

namespace detail {

inline nn::LayerArrayConfig preset_array(int input, int channels, int head, bool head_bias, std::vector<int> dilations) {
    nn::LayerArrayConfig a;
    a.input_size = input;
    a.condition_size = 1;
    a.channels = channels;
    a.bottleneck = channels;
    a.kernel_sizes = {3};
    a.dilations = std::move(dilations);
    a.activations = {nn::ActivationSpec{"Tanh", {}}};
    a.gating_modes = {nn::GatingMode::none};
    a.head.out_channels = head;
    a.head.bias = head_bias;
    return a;
}

inline nn::WaveNetConfig preset_two_arrays(int c1, int h1, int c2, std::vector<int> d1, std::vector<int> d2) {
    nn::WaveNetConfig w;
    w.layers.push_back(preset_array(1, c1, h1, false, std::move(d1)));
    w.layers.push_back(preset_array(c1, c2, 1, true, std::move(d2)));
    w.head_scale = 0.02f;
    return w;
}

inline nn::WaveNetConfig preset_a2(int channels) {
    nn::LayerArrayConfig a;
    a.input_size = 1;
    a.condition_size = 1;
    a.channels = channels;
    a.bottleneck = channels;
    const std::vector<int> d7 = {1, 3, 7, 17, 41, 101, 239};
    a.dilations = d7;
    a.dilations.insert(a.dilations.end(), d7.begin(), d7.end());
    a.dilations.push_back(1);
    a.dilations.push_back(13);
    a.dilations.insert(a.dilations.end(), d7.begin(), d7.end());
    a.kernel_sizes.assign(14, 6);
    a.kernel_sizes.push_back(15);
    a.kernel_sizes.push_back(15);
    a.kernel_sizes.insert(a.kernel_sizes.end(), 7, 6);
    a.activations = {nn::ActivationSpec{"LeakyReLU", {0.01f}}};
    a.gating_modes = {nn::GatingMode::none};
    a.layer1x1.active = true;
    a.head.out_channels = 1;
    a.head.kernel_size = 16;
    a.head.bias = true;
    nn::WaveNetConfig w;
    w.layers.push_back(std::move(a));
    w.head_scale = 0.01f;
    return w;
}

/// Expands a per-layer list (empty = fallback, one entry = every layer) to one entry per layer.
template <class T, class F>
std::vector<T> per_layer(const nn::LayerArrayConfig& a, F get) {
    std::vector<T> out;
    for (int l = 0; l < a.layer_count(); ++l) out.push_back(get(a, l));
    return out;
}

inline std::string spec_text(const nn::ActivationSpec& s) {
    std::string t = s.name;
    if (!s.params.empty()) {
        t += "(";
        for (std::size_t i = 0; i < s.params.size(); ++i) t += (i ? ", " : "") + std::to_string(s.params[i]);
        t += ")";
    }
    return t;
}

}  // namespace detail

inline const std::vector<Preset>& presets() {
    static const std::vector<Preset> all = [] {
        std::vector<Preset> p;
        const std::vector<int> d10 = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
        const std::vector<int> lite1 = {1, 2, 4, 8, 16, 32, 64};
        const std::vector<int> lite2 = {128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
        p.push_back({"standard", detail::preset_two_arrays(16, 8, 8, d10, d10)});
        p.push_back({"lite", detail::preset_two_arrays(12, 6, 6, lite1, lite2)});
        p.push_back({"feather", detail::preset_two_arrays(8, 4, 4, lite1, lite2)});
        p.push_back({"nano", detail::preset_two_arrays(4, 2, 2, lite1, lite2)});
        p.push_back({"a2_3", detail::preset_a2(3)});
        p.push_back({"a2_8", detail::preset_a2(8)});
        for (int h : {8, 12, 16, 20, 24, 32, 40}) p.push_back({"lstm_1x" + std::to_string(h), nn::LstmConfig{1, h, 1}});
        for (int h : {8, 12, 16}) p.push_back({"lstm_2x" + std::to_string(h), nn::LstmConfig{1, h, 2}});
        return p;
    }();
    return all;
}

inline std::string wavenet_shape_difference(const nn::WaveNetConfig& a, const nn::WaveNetConfig& b) {
    if (a.layers.size() != b.layers.size())
        return "layer arrays: " + std::to_string(a.layers.size()) + " vs " + std::to_string(b.layers.size());
    if (a.in_channels != b.in_channels) return "in_channels";
    if (a.head.active != b.head.active) return "post-stack head (present in one only)";
    if (static_cast<bool>(a.condition_dsp) != static_cast<bool>(b.condition_dsp)) return "condition_dsp (present in one only)";
    for (std::size_t i = 0; i < a.layers.size(); ++i) {
        const nn::LayerArrayConfig& x = a.layers[i];
        const nn::LayerArrayConfig& y = b.layers[i];
        const std::string at = "layers[" + std::to_string(i) + "].";
        auto num = [&](const char* field, int u, int v) {
            return u == v ? std::string() : at + field + ": " + std::to_string(u) + " vs " + std::to_string(v);
        };
        for (const std::string& d :
             {num("input_size", x.input_size, y.input_size), num("condition_size", x.condition_size, y.condition_size),
              num("channels", x.channels, y.channels), num("bottleneck", x.bottleneck_size(), y.bottleneck_size()),
              num("layers", x.layer_count(), y.layer_count())})
            if (!d.empty()) return d;
        using L = nn::LayerArrayConfig;
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
            if (x.gating(l) != nn::GatingMode::none && x.secondary_activation(l) != y.secondary_activation(l))
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
        for (int s = 0; s < nn::film_slot_count; ++s) {
            const nn::FilmConfig& f = x.films[static_cast<std::size_t>(s)];
            const nn::FilmConfig& g = y.films[static_cast<std::size_t>(s)];
            if (f.active != g.active || (f.active && (f.shift != g.shift || f.groups != g.groups)))
                return at + "FiLM slot " + std::to_string(s) + " differs";
        }
        if (!x.allowed_channels.empty() || !y.allowed_channels.empty()) return at + "slimmable widths";
    }
    return {};
}

inline PresetMatch match_preset(const nn::NestedModel& model) {
    if (const auto* w = std::get_if<nn::WaveNetConfig>(&model.config)) {
        std::string closest;
        int best_score = 0;
        for (const Preset& p : presets()) {
            const auto* pw = std::get_if<nn::WaveNetConfig>(&p.config);
            if (!pw) continue;
            const std::string d = wavenet_shape_difference(*w, *pw);
            if (d.empty()) return {p.name, "every shape field matches preset '" + p.name + "'"};
            // Closeness: same array count, then same first-array channels, then same layer count.
            int score = 1;
            if (pw->layers.size() == w->layers.size()) score += 4;
            if (pw->layers[0].channels == w->layers[0].channels) score += 2;
            if (pw->layers[0].layer_count() == w->layers[0].layer_count()) score += 1;
            if (score > best_score) {
                best_score = score;
                closest = "closest preset '" + p.name + "' differs in " + d;
            }
        }
        return {"", "no static preset has this shape (" + closest + ")"};
    }
    if (const auto* l = std::get_if<nn::LstmConfig>(&model.config)) {
        for (const Preset& p : presets()) {
            const auto* pl = std::get_if<nn::LstmConfig>(&p.config);
            if (pl && pl->input_size == l->input_size && pl->hidden_size == l->hidden_size && pl->num_layers == l->num_layers)
                return {p.name, "LSTM " + std::to_string(l->num_layers) + "x" + std::to_string(l->hidden_size) +
                                    " matches preset '" + p.name + "'"};
        }
        return {"", "no static preset for LSTM " + std::to_string(l->num_layers) + " layer(s) x " +
                        std::to_string(l->hidden_size) + " with " + std::to_string(l->input_size) +
                        " input(s) (static sizes: 1x8/12/16/20/24/32/40, 2x8/12/16, one input)"};
    }
    if (std::holds_alternative<nn::GruConfig>(model.config)) return {"", "GRU models always use the runtime implementation"};
    if (std::holds_alternative<nn::LinearConfig>(model.config)) return {"", "Linear models always use the runtime implementation"};
    return {"", "ConvNet models always use the runtime implementation"};
}

}  // namespace nofold::io
