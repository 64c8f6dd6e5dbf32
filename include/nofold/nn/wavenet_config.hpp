// nofold::nn — WaveNetConfig: plain description of a NAM WaveNet, every key of the .nam format.
//
// Loaders fill it from JSON; runtime::WaveNet is built from it; static presets describe the same
// shapes as types. Only the standard library is used, so the loader needs nothing else.
// Units: sizes in channels, kernel sizes in taps, dilations in samples at the model's training rate.
// Latency: none (plain data). Allocates: on construction and copy; never on a real-time path.
// Reference: docs/model-formats.md §2.1–2.2 (keys, defaults, weight order).
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "activation_spec.hpp"

namespace nofold::nn {

/// How a layer's conv output becomes its activation output.
/// none: `act(z)`; gated: `prim(top) · sec(bottom)`; blended: `a·prim(top) + (1 − a)·top`, a = sec(bottom).
enum class GatingMode { none, gated, blended };

/// The eight FiLM slots, in weight order.
enum class FilmSlot {
    conv_pre,
    conv_post,
    input_mixin_pre,
    input_mixin_post,
    activation_pre,
    activation_post,
    layer1x1_post,
    head1x1_post
};
inline constexpr int film_slot_count = 8;

/// One FiLM slot: `y = scale ⊙ x (+ shift)`, scale/shift from a 1×1 conv (with bias) of the condition.
struct FilmConfig {
    bool active = false;
    bool shift = true;  ///< rows = (shift ? 2 : 1) · dim; scale rows first
    int groups = 1;
};

/// Head rechannel of a layer array: conv bottleneck (or head1x1 out) → out_channels.
/// Old files (`head_size`, `head_bias`) map to kernel_size 1, dilation 1.
struct HeadConfig {
    int out_channels = 1;
    int kernel_size = 1;
    bool bias = false;
    int dilation = 1;  ///< `head_dilation`
};

/// The residual 1×1 conv bottleneck → channels (with bias).
struct Layer1x1Config {
    bool active = true;
    int groups = 1;
};

/// Optional 1×1 conv on the skip path, bottleneck → out_channels (with bias).
struct Head1x1Config {
    bool active = false;
    int out_channels = 0;
    int groups = 1;
};

/// One layer array. Per-layer vectors have one entry per layer (= per dilation) or a single entry that
/// applies to every layer; use the accessors below rather than indexing them directly.
struct LayerArrayConfig {
    int input_size = 1;
    int condition_size = 1;
    int channels = 0;
    int bottleneck = 0;  ///< 0 = same as channels
    std::vector<int> kernel_sizes;                     ///< `kernel_size` or `kernel_sizes`
    std::vector<int> dilations;                        ///< one per layer; defines the layer count
    std::vector<ActivationSpec> activations;           ///< primary activation per layer
    std::vector<GatingMode> gating_modes;              ///< `gated` (bool) or `gating_mode`
    std::vector<ActivationSpec> secondary_activations; ///< empty name = Sigmoid (the default)
    HeadConfig head;
    int groups_input = 1;
    int groups_input_mixin = 1;
    Layer1x1Config layer1x1;
    Head1x1Config head1x1;
    std::array<FilmConfig, film_slot_count> films{};   ///< indexed by FilmSlot
    std::vector<int> allowed_channels;                 ///< slimmable widths; empty = not slimmable

    int layer_count() const noexcept { return static_cast<int>(dilations.size()); }
    int bottleneck_size() const noexcept { return bottleneck > 0 ? bottleneck : channels; }
    int kernel_size(int layer) const noexcept { return pick(kernel_sizes, layer, 1); }
    int dilation(int layer) const noexcept { return dilations[static_cast<std::size_t>(layer)]; }
    GatingMode gating(int layer) const noexcept { return pick(gating_modes, layer, GatingMode::none); }
    /// 2 for gated and blended layers (the conv produces top and bottom halves), else 1.
    int gate_factor(int layer) const noexcept { return gating(layer) == GatingMode::none ? 1 : 2; }
    ActivationSpec activation(int layer) const { return pick(activations, layer, ActivationSpec{"Tanh", {}}); }
    ActivationSpec secondary_activation(int layer) const {
        ActivationSpec s = pick(secondary_activations, layer, ActivationSpec{});
        if (s.name.empty()) s.name = "Sigmoid";
        return s;
    }
    const FilmConfig& film(FilmSlot slot) const noexcept { return films[static_cast<std::size_t>(slot)]; }
    FilmConfig& film(FilmSlot slot) noexcept { return films[static_cast<std::size_t>(slot)]; }
    /// Width of the skip contribution: head1x1 out_channels when active, else bottleneck.
    int skip_size() const noexcept { return head1x1.active ? head1x1.out_channels : bottleneck_size(); }

private:
    template <class T>
    static T pick(const std::vector<T>& v, int layer, T fallback) {
        if (v.empty()) return fallback;
        return v.size() == 1 ? v.front() : v[static_cast<std::size_t>(layer)];
    }
};

/// Post-stack head: `num_layers` 1×1 convs with bias, the activation applied before each;
/// widths: last array head size → channels → … → out_channels.
struct PostStackHeadConfig {
    bool active = false;
    int channels = 0;
    int num_layers = 0;
    int out_channels = 1;
    ActivationSpec activation{"Tanh", {}};
};

struct NestedModel;  // defined in model_config.hpp (a complete nested model with its own weights)

/// A whole WaveNet as in a .nam file's `config`.
struct WaveNetConfig {
    std::vector<LayerArrayConfig> layers;
    PostStackHeadConfig head;
    float head_scale = 1.0f;  ///< overridden by the last weight
    int in_channels = 1;
    /// Optional model whose output (all its channels) is the condition of every array.
    std::shared_ptr<const NestedModel> condition_dsp;
};

/// Dimension modulated by a FiLM slot of `array`'s layer `layer` (docs/model-formats.md §2.4).
inline int film_dim(const LayerArrayConfig& array, int layer, FilmSlot slot) noexcept {
    const int gb = array.gate_factor(layer) * array.bottleneck_size();
    switch (slot) {
        case FilmSlot::conv_pre: return array.channels;
        case FilmSlot::conv_post: return gb;
        case FilmSlot::input_mixin_pre: return array.condition_size;
        case FilmSlot::input_mixin_post: return gb;
        case FilmSlot::activation_pre: return gb;
        case FilmSlot::activation_post: return array.bottleneck_size();
        case FilmSlot::layer1x1_post: return array.channels;
        case FilmSlot::head1x1_post: return array.head1x1.out_channels;
    }
    return 0;
}

/// Number of weights the .nam `weights` array holds for this config (the nested condition_dsp's
/// weights are not included: they travel with it). Assumes validate() passed.
inline std::size_t weight_count(const WaveNetConfig& config) {
    std::size_t n = 0;
    auto z = [](int v) { return static_cast<std::size_t>(v); };
    for (const LayerArrayConfig& a : config.layers) {
        const int b = a.bottleneck_size();
        n += z(a.input_size) * z(a.channels);  // rechannel, no bias
        for (int l = 0; l < a.layer_count(); ++l) {
            const int gb = a.gate_factor(l) * b;
            n += z(gb) * z(a.channels / a.groups_input) * z(a.kernel_size(l)) + z(gb);
            n += z(gb) * z(a.condition_size / a.groups_input_mixin);
            if (a.layer1x1.active) n += z(a.channels) * z(b / a.layer1x1.groups) + z(a.channels);
            if (a.head1x1.active) n += z(a.head1x1.out_channels) * z(b / a.head1x1.groups) + z(a.head1x1.out_channels);
            for (int s = 0; s < film_slot_count; ++s) {
                const FilmConfig& f = a.films[z(s)];
                if (!f.active) continue;
                const int rows = (f.shift ? 2 : 1) * film_dim(a, l, static_cast<FilmSlot>(s));
                n += z(rows) * z(a.condition_size / f.groups) + z(rows);
            }
        }
        n += z(a.head.out_channels) * z(a.skip_size()) * z(a.head.kernel_size) + (a.head.bias ? z(a.head.out_channels) : 0);
    }
    if (config.head.active && !config.layers.empty()) {
        int in = config.layers.back().head.out_channels;
        for (int j = 0; j < config.head.num_layers; ++j) {
            const int out = j + 1 == config.head.num_layers ? config.head.out_channels : config.head.channels;
            n += z(out) * z(in) + z(out);
            in = out;
        }
    }
    return n + 1;  // head_scale
}

/// Checks shapes and cross-array seams. Returns an empty string when the config is usable, else one
/// sentence naming the array, layer and key at fault.
inline std::string validate(const WaveNetConfig& config) {
    auto where = [](std::size_t i) { return "layers[" + std::to_string(i) + "]: "; };
    if (config.layers.empty()) return "layers: at least one layer array is required";
    for (std::size_t i = 0; i < config.layers.size(); ++i) {
        const LayerArrayConfig& a = config.layers[i];
        const int n = a.layer_count();
        const int b = a.bottleneck_size();
        if (a.input_size < 1 || a.condition_size < 1 || a.channels < 1 || b < 1)
            return where(i) + "input_size, condition_size, channels and bottleneck must be >= 1";
        if (n < 1) return where(i) + "dilations must not be empty";
        auto per_layer_ok = [n](std::size_t s) { return s <= 1 || s == static_cast<std::size_t>(n); };
        if (!per_layer_ok(a.kernel_sizes.size()) || !per_layer_ok(a.activations.size()) ||
            !per_layer_ok(a.gating_modes.size()) || !per_layer_ok(a.secondary_activations.size()))
            return where(i) + "kernel_sizes, activation, gating_mode and secondary_activation need one entry or one per layer";
        for (int l = 0; l < n; ++l) {
            if (a.kernel_size(l) < 1) return where(i) + "kernel_size must be >= 1";
            if (a.dilation(l) < 1) return where(i) + "dilations must be >= 1";
        }
        if (a.head.out_channels < 1 || a.head.kernel_size < 1 || a.head.dilation < 1)
            return where(i) + "head out_channels, kernel_size and dilation must be >= 1";
        if (a.groups_input < 1 || a.channels % a.groups_input != 0 || b % a.groups_input != 0)
            return where(i) + "groups_input must divide channels and bottleneck";
        if (a.groups_input_mixin < 1 || a.condition_size % a.groups_input_mixin != 0 || b % a.groups_input_mixin != 0)
            return where(i) + "groups_input_mixin must divide condition_size and bottleneck";
        if (a.layer1x1.active && (a.layer1x1.groups < 1 || b % a.layer1x1.groups != 0 || a.channels % a.layer1x1.groups != 0))
            return where(i) + "layer1x1.groups must divide bottleneck and channels";
        if (!a.layer1x1.active && b != a.channels)
            return where(i) + "layer1x1 may be inactive only when bottleneck == channels";
        if (a.head1x1.active && (a.head1x1.out_channels < 1 || a.head1x1.groups < 1 || b % a.head1x1.groups != 0 ||
                                 a.head1x1.out_channels % a.head1x1.groups != 0))
            return where(i) + "head1x1 needs out_channels >= 1 and groups dividing bottleneck and out_channels";
        for (int s = 0; s < film_slot_count; ++s) {
            const FilmConfig& f = a.films[static_cast<std::size_t>(s)];
            if (!f.active) continue;
            for (int l = 0; l < n; ++l) {
                const int rows = (f.shift ? 2 : 1) * film_dim(a, l, static_cast<FilmSlot>(s));
                if (f.groups < 1 || a.condition_size % f.groups != 0 || rows % f.groups != 0)
                    return where(i) + "FiLM groups must divide condition_size and the FiLM's output rows";
            }
        }
        if (i == 0 && a.input_size != config.in_channels) return where(i) + "input_size must equal in_channels";
        if (i > 0) {
            const LayerArrayConfig& prev = config.layers[i - 1];
            if (a.input_size != prev.channels)
                return where(i) + "input_size must equal channels of the previous array";
            if (prev.head.out_channels != a.skip_size())
                return where(i) + "the previous array's head size must equal this array's skip width";
        }
        if (!a.allowed_channels.empty()) {
            if (b != a.channels || a.head1x1.active || a.groups_input != 1 || a.groups_input_mixin != 1 ||
                a.layer1x1.groups != 1)
                return where(i) + "slimmable arrays need bottleneck == channels, no head1x1 and no groups";
            for (int s = 0; s < film_slot_count; ++s)
                if (a.films[static_cast<std::size_t>(s)].active) return where(i) + "slimmable arrays cannot use FiLM";
            for (int c : a.allowed_channels)
                if (c < 1 || c > a.channels) return where(i) + "allowed_channels must lie in [1, channels]";
        }
    }
    if (config.head.active && (config.head.num_layers < 1 || config.head.out_channels < 1 ||
                               (config.head.num_layers > 1 && config.head.channels < 1)))
        return "head: num_layers, channels and out_channels must be >= 1";
    return {};
}

}  // namespace nofold::nn
