// nofold::io::write_nam_text — a new `.nam` file for a model that has no file yet (training from
// scratch): the configuration in the keys NAM Core and the NAM trainer use, the weights in the
// file's order, the sample rate and an empty `metadata` object. To add loudness or a training
// record, pass the result through rewrite_model_text (io/write.hpp), which also checks it reads back.
//
// Covered: LSTM, Linear, and WaveNets in the classic keys (kernel_size or kernel_sizes, dilations,
// activation with parameters, gated or gating_mode, bottleneck, head_size/head_bias or a `head`
// object for a wider head kernel, layer1x1 inactive) — the NAM presets and the A2 shape. Refused with
// a WriteError naming the feature: FiLM, grouped convolutions, head1x1, slimmable widths, a
// post-stack head, condition_dsp, in_channels ≠ 1, ConvNet, GRU (the .nam format has no GRU).
// Units: sample rate in Hz. Latency: none. Allocates: yes (writing only).
// Reference: model-formats.md §1.1–1.3 (keys, defaults and weight order).
#pragma once

#include <cmath>
#include <string>
#include <variant>
#include <vector>

#include "../nn/model_config.hpp"
#include "detail/json_text.hpp"
#include "write_error.hpp"

namespace nofold::io {

/// The .nam text of `model` (WriteError for what the format or this writer cannot express).
/// `version` is the file's version string; 0.5.4 is what NAM Core 0.x and the plugin accept widely.
std::string write_nam_text(const nn::NestedModel& model, const std::string& version = "0.5.4");

// ============================================================================================
// Implementation
// ============================================================================================

namespace detail {

inline std::string activation_json(const nn::ActivationSpec& a) {
    const std::string& n = a.name;
    const std::vector<float>& p = a.params;
    const bool leaky = n == "LeakyReLU" || n == "PReLU";
    const bool leaky_hardtanh = n == "LeakyHardtanh" || n == "LeakyHardTanh";
    if (p.empty() || (leaky && p == std::vector<float>{0.01f}) ||
        (leaky_hardtanh && p == std::vector<float>{-1.0f, 1.0f, 0.01f, 0.01f}))
        return quote_json(n);
    std::string s = "{\"type\": " + quote_json(n);
    if (leaky && p.size() == 1) {
        s += ", \"negative_slope\": " + format_float(p[0]);
    } else if (n == "PReLU") {
        s += ", \"negative_slopes\": [";
        for (std::size_t i = 0; i < p.size(); ++i) s += (i ? ", " : "") + format_float(p[i]);
        s += "]";
    } else if (leaky_hardtanh && p.size() == 4) {
        s += ", \"min_val\": " + format_float(p[0]) + ", \"max_val\": " + format_float(p[1]) +
             ", \"min_slope\": " + format_float(p[2]) + ", \"max_slope\": " + format_float(p[3]);
    }
    return s + "}";
}

/// A value per layer: one scalar when all layers agree, else a list.
template <class T, class Print>
std::string per_layer(const std::vector<T>& v, int layers, T fallback, Print print) {
    std::vector<T> all;
    for (int l = 0; l < layers; ++l) all.push_back(v.empty() ? fallback : v.size() == 1 ? v[0] : v[static_cast<std::size_t>(l)]);
    bool same = true;
    for (const T& x : all) same = same && x == all.front();
    if (same && !all.empty()) return print(all.front());
    std::string s = "[";
    for (std::size_t i = 0; i < all.size(); ++i) s += (i ? ", " : "") + print(all[i]);
    return s + "]";
}

inline std::string int_list(const std::vector<int>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
}

inline std::string layer_array_json(const nn::LayerArrayConfig& a, std::size_t index) {
    const std::string where = "layer array " + std::to_string(index) + ": ";
    for (const nn::FilmConfig& f : a.films)
        if (f.active) throw WriteError("", where + "FiLM is not supported by write_nam_text");
    if (a.groups_input != 1 || a.groups_input_mixin != 1 || a.layer1x1.groups != 1)
        throw WriteError("", where + "grouped convolutions are not supported by write_nam_text");
    if (a.head1x1.active) throw WriteError("", where + "head1x1 is not supported by write_nam_text");
    if (!a.allowed_channels.empty()) throw WriteError("", where + "slimmable widths are not supported by write_nam_text");
    const int n = a.layer_count();
    std::string s = "{\"input_size\": " + std::to_string(a.input_size) + ", \"condition_size\": " +
                    std::to_string(a.condition_size) + ", \"channels\": " + std::to_string(a.channels);
    if (a.bottleneck_size() != a.channels) s += ", \"bottleneck\": " + std::to_string(a.bottleneck_size());
    std::vector<int> kernels;
    for (int l = 0; l < n; ++l) kernels.push_back(a.kernel_size(l));
    bool same_kernel = true;
    for (int k : kernels) same_kernel = same_kernel && k == kernels.front();
    if (same_kernel && n > 0)
        s += ", \"kernel_size\": " + std::to_string(kernels.front());
    else
        s += ", \"kernel_sizes\": " + int_list(kernels);
    s += ", \"dilations\": " + int_list(a.dilations);
    s += ", \"activation\": " +
         per_layer(a.activations, n, nn::ActivationSpec{"Tanh", {}}, [](const nn::ActivationSpec& x) { return activation_json(x); });
    bool blended = false, uniform = true;
    for (int l = 0; l < n; ++l) {
        blended = blended || a.gating(l) == nn::GatingMode::blended;
        uniform = uniform && a.gating(l) == a.gating(0);
    }
    if (!blended && uniform)
        s += std::string(", \"gated\": ") + (n > 0 && a.gating(0) == nn::GatingMode::gated ? "true" : "false");
    else
        s += ", \"gating_mode\": " + per_layer(a.gating_modes, n, nn::GatingMode::none, [](nn::GatingMode g) {
                 return std::string(g == nn::GatingMode::none ? "\"none\"" : g == nn::GatingMode::gated ? "\"gated\"" : "\"blended\"");
             });
    bool custom_secondary = false;
    for (const nn::ActivationSpec& x : a.secondary_activations) custom_secondary = custom_secondary || !(x.name.empty() || x == nn::ActivationSpec{"Sigmoid", {}});
    if (custom_secondary)
        s += ", \"secondary_activation\": " + per_layer(a.secondary_activations, n, nn::ActivationSpec{},
                                                       [](const nn::ActivationSpec& x) { return x.name.empty() ? std::string("null") : activation_json(x); });
    if (a.head.kernel_size == 1 && a.head.dilation == 1)
        s += ", \"head_size\": " + std::to_string(a.head.out_channels) + ", \"head_bias\": " + (a.head.bias ? "true" : "false");
    else
        s += ", \"head\": {\"out_channels\": " + std::to_string(a.head.out_channels) + ", \"kernel_size\": " +
             std::to_string(a.head.kernel_size) + ", \"bias\": " + (a.head.bias ? "true" : "false") +
             (a.head.dilation != 1 ? ", \"head_dilation\": " + std::to_string(a.head.dilation) : std::string()) + "}";
    if (!a.layer1x1.active) s += ", \"layer1x1\": {\"active\": false, \"groups\": 1}";
    return s + "}";
}

inline std::string config_json(const nn::NestedModel& m, std::string& architecture) {
    if (const auto* w = std::get_if<nn::WaveNetConfig>(&m.config)) {
        architecture = "WaveNet";
        if (w->head.active) throw WriteError("", "a post-stack head is not supported by write_nam_text");
        if (w->condition_dsp) throw WriteError("", "condition_dsp is not supported by write_nam_text");
        if (w->in_channels != 1) throw WriteError("", "in_channels other than 1 is not supported by write_nam_text");
        std::string s = "{\"layers\": [";
        for (std::size_t i = 0; i < w->layers.size(); ++i) s += (i ? ", " : "") + layer_array_json(w->layers[i], i);
        // head_scale is also the last weight, which overrides this value; both agree here.
        return s + "], \"head\": null, \"head_scale\": " + format_float(m.weights.empty() ? w->head_scale : m.weights.back()) + "}";
    }
    if (const auto* l = std::get_if<nn::LstmConfig>(&m.config)) {
        architecture = "LSTM";
        return "{\"input_size\": " + std::to_string(l->input_size) + ", \"hidden_size\": " + std::to_string(l->hidden_size) +
               ", \"num_layers\": " + std::to_string(l->num_layers) + "}";
    }
    if (const auto* c = std::get_if<nn::LinearConfig>(&m.config)) {
        architecture = "Linear";
        return "{\"receptive_field\": " + std::to_string(c->receptive_field) + ", \"bias\": " + (c->bias ? "true" : "false") + "}";
    }
    throw WriteError("", "this architecture cannot be written as a .nam by write_nam_text (WaveNet, LSTM and Linear can)");
}

}  // namespace detail

inline std::string write_nam_text(const nn::NestedModel& model, const std::string& version) {
    if (model.weights.size() != nn::weight_count(model.config))
        throw WriteError("", "expected " + std::to_string(nn::weight_count(model.config)) + " weights, got " +
                                 std::to_string(model.weights.size()));
    std::string architecture;
    const std::string config = detail::config_json(model, architecture);
    std::string s = "{\n  \"version\": " + detail::quote_json(version) + ",\n  \"architecture\": " + detail::quote_json(architecture) +
                    ",\n  \"config\": " + config + ",\n  \"weights\": [";
    for (std::size_t i = 0; i < model.weights.size(); ++i) {
        if (!std::isfinite(model.weights[i])) throw WriteError("", "weight " + std::to_string(i) + " is not finite");
        s += (i ? (i % 8 == 0 ? ",\n    " : ", ") : "\n    ") + detail::format_float(model.weights[i]);
    }
    s += "\n  ]";
    if (model.sample_rate_hz > 0.0) s += ",\n  \"sample_rate\": " + detail::format_double(model.sample_rate_hz);
    return s + ",\n  \"metadata\": {}\n}\n";
}

}  // namespace nofold::io
