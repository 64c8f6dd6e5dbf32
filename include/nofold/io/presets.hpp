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
#include <type_traits>
#include <vector>

#include "../nn/model_config.hpp"
#include "../nn/preset_shapes.hpp"
#include "../nn/wavenet_presets.hpp"

namespace nofold::io {

/// Kind of network a preset describes.
enum class PresetKind { wavenet, lstm };

/// A shape nofold instantiates at compile time (an entry of the registry, nn/preset_shapes.hpp).
struct Preset {
    std::string name;           ///< "standard", "lite", "feather", "nano", "a2_3", "a2_8", "lstm_1x16", ...
    nn::ModelConfig config;     ///< the shape (weights not included)
    std::string type_name;      ///< the static type: "Standard" (in nofold::nn::wavenet and ::fixed), "LstmModel<1, 16, 1>" (in nofold::nn)
};

/// Result of matching a model against the presets.
struct PresetMatch {
    std::string name;    ///< the matching preset, empty when none
    std::string reason;  ///< one sentence: why this preset, or why none
    std::string type_name;  ///< the preset's static type (Preset::type_name), empty when none
};

/// Every preset shape, WaveNets first.
const std::vector<Preset>& presets();

/// The preset whose shape equals `model`'s, with the reason.
PresetMatch match_preset(const nn::NestedModel& model);

// ============================================================================================
// Implementation
// ============================================================================================

inline const std::vector<Preset>& presets() {
    static const std::vector<Preset> all = [] {
        std::vector<Preset> p;
        nn::wavenet::for_each_shape(nn::wavenet::PresetShapes{}, [&](auto* shape) {
            using Shape = std::remove_pointer_t<decltype(shape)>;
            p.push_back({Shape::key, nn::wavenet::config_of<Shape>(), Shape::type_name});
        });
        for (const nn::LstmPresetSize& s : nn::lstm_preset_sizes) {
            const std::string size = std::to_string(s.layers) + "x" + std::to_string(s.hidden);
            p.push_back({"lstm_" + size, nn::LstmConfig{1, s.hidden, s.layers},
                         "LstmModel<1, " + std::to_string(s.hidden) + ", " + std::to_string(s.layers) + ">"});
        }
        return p;
    }();
    return all;
}

inline PresetMatch match_preset(const nn::NestedModel& model) {
    if (const auto* w = std::get_if<nn::WaveNetConfig>(&model.config)) {
        std::string closest;
        int best_score = 0;
        for (const Preset& p : presets()) {
            const auto* pw = std::get_if<nn::WaveNetConfig>(&p.config);
            if (!pw) continue;
            const std::string d = nn::wavenet::shape_difference(*w, *pw);
            if (d.empty()) return {p.name, "every shape field matches preset '" + p.name + "'", p.type_name};
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
        return {"", "no static preset has this shape (" + closest + ")", ""};
    }
    if (const auto* l = std::get_if<nn::LstmConfig>(&model.config)) {
        for (const Preset& p : presets()) {
            const auto* pl = std::get_if<nn::LstmConfig>(&p.config);
            if (pl && pl->input_size == l->input_size && pl->hidden_size == l->hidden_size && pl->num_layers == l->num_layers)
                return {p.name,
                        "LSTM " + std::to_string(l->num_layers) + "x" + std::to_string(l->hidden_size) + " matches preset '" +
                            p.name + "'",
                        p.type_name};
        }
        std::string sizes;
        for (const nn::LstmPresetSize& s : nn::lstm_preset_sizes)
            sizes += (sizes.empty() ? "" : ", ") + std::to_string(s.layers) + "x" + std::to_string(s.hidden);
        return {"", "no static preset for LSTM " + std::to_string(l->num_layers) + " layer(s) x " +
                        std::to_string(l->hidden_size) + " with " + std::to_string(l->input_size) +
                        " input(s) (static sizes: " + sizes + ", one input)", ""};
    }
    if (std::holds_alternative<nn::GruConfig>(model.config)) return {"", "GRU models always use the runtime implementation", ""};
    if (std::holds_alternative<nn::LinearConfig>(model.config)) return {"", "Linear models always use the runtime implementation", ""};
    return {"", "ConvNet models always use the runtime implementation", ""};
}

}  // namespace nofold::io
