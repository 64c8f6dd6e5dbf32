// nofold::io::write_header — turns a model file into a self-contained C++ header: the weights as a
// `constexpr std::array<float, N>`, the configuration as code, the training sample rate, a type alias
// `Model` naming the static instantiation when the shape is a preset (`ModelFor<nn::wavenet::Standard>`,
// `ModelFor<nn::LstmModel<1, 16, 1>>`), and `make()` that builds the ready-to-run model. Firmware
// includes the header and needs no file system and no JSON parser; weights print with 9 significant
// digits, so every float round-trips exactly and the generated model computes what the loaded one does.
//
//     nofold codegen amp.nam -o amp_model.hpp --name Amp
//     #include "amp_model.hpp"
//     auto model = Amp::make();   // std::unique_ptr<nofold::Model>
//
// Containers: a SlimmableContainer is written for one size (CodegenOptions::slimmable_size, default
// full size); a Sequential is refused. GuitarML/AIDA-X wrappers (gain, skip) and conditioning inputs
// are refused too (they are not part of a single network). Units: sample rate in Hz.
// Latency: none. Allocates: yes (builds a string; offline tool code).
// Reference: docs/model-formats.md (weight order is the file's, unchanged).
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <variant>

#include "load_error.hpp"
#include "model_file.hpp"
#include "presets.hpp"
#include "prewarm.hpp"

namespace nofold::io {

struct CodegenOptions {
    std::string name = "Model";          ///< C++ identifier of the generated struct
    std::optional<double> slimmable_size;  ///< which submodel of a SlimmableContainer to write
    std::string source;                  ///< file name recorded in the header comment
};

/// The header text. Throws LoadError when the model cannot be expressed (see above).
std::string write_header(const ModelFile& file, const CodegenOptions& options);

// ============================================================================================
// Implementation
// ============================================================================================

namespace detail {

inline std::string float_literal(float x) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(x));
    std::string s = buf;
    if (s.find_first_of(".en") == std::string::npos) s += ".0";  // "n": inf/nan never get here (validated)
    return s + "f";
}

inline std::string quoted(const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') q += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;
        q += c;
    }
    return q + "\"";
}

inline std::string activation_code(const nn::ActivationSpec& a) {
    std::string s = "nofold::nn::ActivationSpec{" + quoted(a.name) + ", {";
    for (std::size_t i = 0; i < a.params.size(); ++i) s += (i ? ", " : "") + float_literal(a.params[i]);
    return s + "}}";
}

inline std::string ints_code(const std::vector<int>& v) {
    std::string s = "{";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "}";
}

inline const char* gating_code(nn::GatingMode g) {
    switch (g) {
        case nn::GatingMode::none: return "nofold::nn::GatingMode::none";
        case nn::GatingMode::gated: return "nofold::nn::GatingMode::gated";
        case nn::GatingMode::blended: return "nofold::nn::GatingMode::blended";
    }
    return "";
}

inline const char* boolean(bool b) { return b ? "true" : "false"; }

inline std::string weights_code(const std::vector<float>& w, const std::string& name) {
    std::string s = "    static constexpr std::array<float, " + std::to_string(w.size()) + "> " + name + " = {";
    for (std::size_t i = 0; i < w.size(); ++i) {
        if (i % 8 == 0) s += "\n        ";
        s += float_literal(w[i]) + ",";
        if (i % 8 != 7 && i + 1 != w.size()) s += " ";
    }
    return s + "\n    };\n";
}

/// Code (a lambda body's statements) that builds `net`'s config into a variable `c` of its type.
inline std::string config_code(const nn::NestedModel& net, const std::string& indent, const std::string& nested_name) {
    std::string s;
    if (const auto* w = std::get_if<nn::WaveNetConfig>(&net.config)) {
        s += indent + "nofold::nn::WaveNetConfig c;\n";
        s += indent + "c.in_channels = " + std::to_string(w->in_channels) + ";\n";
        s += indent + "c.head_scale = " + float_literal(w->head_scale) + ";\n";
        for (const nn::LayerArrayConfig& a : w->layers) {
            s += indent + "{\n";
            const std::string in = indent + "    ";
            s += in + "nofold::nn::LayerArrayConfig a;\n";
            s += in + "a.input_size = " + std::to_string(a.input_size) + ";\n";
            s += in + "a.condition_size = " + std::to_string(a.condition_size) + ";\n";
            s += in + "a.channels = " + std::to_string(a.channels) + ";\n";
            s += in + "a.bottleneck = " + std::to_string(a.bottleneck) + ";\n";
            s += in + "a.kernel_sizes = " + ints_code(a.kernel_sizes) + ";\n";
            s += in + "a.dilations = " + ints_code(a.dilations) + ";\n";
            for (const auto& act : a.activations) s += in + "a.activations.push_back(" + activation_code(act) + ");\n";
            for (nn::GatingMode g : a.gating_modes) s += in + "a.gating_modes.push_back(" + gating_code(g) + ");\n";
            for (const auto& act : a.secondary_activations)
                s += in + "a.secondary_activations.push_back(" + activation_code(act) + ");\n";
            s += in + "a.head = {" + std::to_string(a.head.out_channels) + ", " + std::to_string(a.head.kernel_size) + ", " +
                 boolean(a.head.bias) + ", " + std::to_string(a.head.dilation) + "};\n";
            s += in + "a.groups_input = " + std::to_string(a.groups_input) + ";\n";
            s += in + "a.groups_input_mixin = " + std::to_string(a.groups_input_mixin) + ";\n";
            s += in + "a.layer1x1 = {" + boolean(a.layer1x1.active) + ", " + std::to_string(a.layer1x1.groups) + "};\n";
            s += in + "a.head1x1 = {" + boolean(a.head1x1.active) + ", " + std::to_string(a.head1x1.out_channels) + ", " +
                 std::to_string(a.head1x1.groups) + "};\n";
            for (std::size_t f = 0; f < a.films.size(); ++f)
                if (a.films[f].active)
                    s += in + "a.films[" + std::to_string(f) + "] = {true, " + boolean(a.films[f].shift) + ", " +
                         std::to_string(a.films[f].groups) + "};\n";
            if (!a.allowed_channels.empty()) s += in + "a.allowed_channels = " + ints_code(a.allowed_channels) + ";\n";
            s += in + "c.layers.push_back(std::move(a));\n";
            s += indent + "}\n";
        }
        if (w->head.active)
            s += indent + "c.head = {true, " + std::to_string(w->head.channels) + ", " + std::to_string(w->head.num_layers) +
                 ", " + std::to_string(w->head.out_channels) + ", " + activation_code(w->head.activation) + "};\n";
        if (w->condition_dsp)
            s += indent + "c.condition_dsp = std::make_shared<const nofold::nn::NestedModel>(" + nested_name + "());\n";
        return s;
    }
    if (const auto* l = std::get_if<nn::LstmConfig>(&net.config))
        return indent + "nofold::nn::LstmConfig c{" + std::to_string(l->input_size) + ", " + std::to_string(l->hidden_size) +
               ", " + std::to_string(l->num_layers) + "};\n";
    if (const auto* g = std::get_if<nn::GruConfig>(&net.config))
        return indent + "nofold::nn::GruConfig c{" + std::to_string(g->input_size) + ", " + std::to_string(g->hidden_size) +
               ", " + std::to_string(g->num_layers) + "};\n";
    if (const auto* l = std::get_if<nn::LinearConfig>(&net.config))
        return indent + "nofold::nn::LinearConfig c{" + std::to_string(l->receptive_field) + ", " + boolean(l->bias) + "};\n";
    const auto& cn = std::get<nn::ConvNetConfig>(net.config);
    return indent + "nofold::nn::ConvNetConfig c{" + std::to_string(cn.channels) + ", " + ints_code(cn.dilations) + ", " +
           boolean(cn.batchnorm) + ", " + activation_code(cn.activation) + "};\n";
}

/// Emits `nested_<k>()` functions (weights + config) for a chain of condition_dsp models, innermost first.
inline void nested_code(const nn::NestedModel& net, int depth, std::string& out) {
    const auto* w = std::get_if<nn::WaveNetConfig>(&net.config);
    if (!w || !w->condition_dsp) return;
    const nn::NestedModel& inner = *w->condition_dsp;
    nested_code(inner, depth + 1, out);
    const std::string k = std::to_string(depth);
    out += weights_code(inner.weights, "condition_weights_" + k);
    out += "    static nofold::nn::NestedModel condition_" + k + "() {\n";
    out += config_code(inner, "        ", "condition_" + std::to_string(depth + 1));
    out += "        return nofold::nn::NestedModel{c, std::vector<float>(condition_weights_" + k + ".begin(), condition_weights_" + k +
           ".end()), " + std::to_string(inner.sample_rate_hz) + "};\n    }\n";
}

inline bool valid_identifier(const std::string& s) {
    if (s.empty() || s.front() == '_' || (s.front() >= '0' && s.front() <= '9')) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    // C++20 keywords and alternative tokens (ISO C++ [lex.key], [lex.digraph]): legal characters but
    // not names, so `struct int {...}` would not compile.
    static const char* const keywords[] = {
        "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch", "char",
        "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr", "constinit",
        "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete", "do", "double",
        "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if",
        "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or",
        "or_eq", "private", "protected", "public", "register", "reinterpret_cast", "requires", "return", "short", "signed",
        "sizeof", "static", "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local", "throw",
        "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void", "volatile",
        "wchar_t", "while", "xor", "xor_eq"};
    for (const char* k : keywords)
        if (s == k) return false;
    return true;
}

}  // namespace detail

inline std::string write_header(const ModelFile& file_in, const CodegenOptions& options) {
    const std::string& src = options.source;
    if (!detail::valid_identifier(options.name))
        throw LoadError(src, "", "--name must be a C++ identifier (letters, digits, '_', not starting with a digit or '_', not a keyword)");
    const ModelFile* file = &file_in;
    std::string picked;
    if (file->architecture == Architecture::slimmable_container) {
        std::size_t i = file->children.size() - 1;
        if (options.slimmable_size)
            for (std::size_t k = 0; k < file->max_values.size(); ++k)
                if (*options.slimmable_size < file->max_values[k]) {
                    i = k;
                    break;
                }
        picked = " (SlimmableContainer submodel " + std::to_string(i) + ")";
        file = &file->children[i];
    }
    if (file->is_container()) throw LoadError(src, "", "codegen supports single networks and SlimmableContainer, not Sequential");
    if (file->input_skip == InputSkip::on || file->input_gain_db != 0.0 || file->output_gain_db != 0.0 || !file->conditioning.empty())
        throw LoadError(src, "", "codegen does not support input skip, gains or conditioning inputs yet");
    const nn::NestedModel& net = file->model;
    const PresetMatch match = match_preset(net);
    // The static types come from the preset registry: nofold::nn::wavenet::<type> (heap) and
    // nofold::nn::wavenet::fixed::<type> (heap-free, for firmware); LSTM presets are heap-free already.
    std::string alias, fixed;
    if (!match.name.empty()) {
        if (std::holds_alternative<nn::LstmConfig>(net.config)) {
            fixed = "nofold::nn::" + match.type_name;
            alias = "nofold::ModelFor<" + fixed + ">";
        } else {
            alias = "nofold::ModelFor<nofold::nn::wavenet::" + match.type_name + ">";
            fixed = "nofold::nn::wavenet::fixed::" + match.type_name;
        }
    }
    const double rate = file->metadata.sample_rate_hz.value_or(file->metadata.assumed_sample_rate_hz.value_or(0.0));
    const bool has_rate = file->metadata.sample_rate_hz.has_value() || file->metadata.assumed_sample_rate_hz.has_value();
    std::string h;
    h += "// Generated by `nofold codegen` from " + (src.empty() ? std::string("a model") : src) + picked + ". Do not edit.\n";
    h += "// " + std::string(to_string(file->architecture)) + ", " + std::to_string(file->total_weights()) + " weights; " +
         match.reason + ".\n";
    h += "// Use: auto model = " + options.name + "::make(); model->prewarm(); model->process(in, out, n);\n";
    h += "// Firmware: compile with -fno-exceptions (NOFOLD_NO_EXCEPTIONS) to get only the heap-free part";
    h += fixed.empty() ? " (weights and constants; this shape has no static type).\n" : " (weights, constants and `Fixed`).\n";
    h += "#pragma once\n\n#include <array>\n\n#include <nofold/config.hpp>\n";
    if (!fixed.empty()) h += "#include <nofold/nn/recurrent_model.hpp>\n#include <nofold/nn/wavenet_static.hpp>\n";
    h += "#if !defined(NOFOLD_NO_EXCEPTIONS)\n#include <memory>\n#include <string>\n#include <vector>\n\n";
    h += "#include <nofold/model.hpp>\n#include <nofold/nn/model_config.hpp>\n#include <nofold/runtime/make_model.hpp>\n";
    if (!alias.empty()) h += "#include <nofold/nn/wavenet_presets.hpp>\n";
    h += "#endif\n";
    h += "\nstruct " + options.name + " {\n";
    h += "    /// Training sample rate in Hz (0 when the file did not store one; NAM hosts assume 48000).\n";
    h += "    static constexpr double sample_rate_hz = " + std::to_string(rate) + ";\n";
    h += "    /// Weights in the file's order.\n";
    h += detail::weights_code(net.weights, "weights");
    const bool recurrent = std::holds_alternative<nn::LstmConfig>(net.config) || std::holds_alternative<nn::GruConfig>(net.config);
    h += "    /// NAM Core's prewarm count for this network (recurrent models feed this many zeros on prewarm()).\n";
    h += "    static constexpr int nam_prewarm_samples = " + std::to_string(nam_prewarm_samples(net, has_rate)) + ";\n";
    if (!fixed.empty()) {
        h += recurrent ? "    /// Heap-free static type (all state inside the object): `Fixed m(1, H, layers);`, then init(m).\n"
                       : "    /// Heap-free static type (all state inside the object): `Fixed m;`, then init(m).\n";
        h += "    using Fixed = " + fixed + ";\n";
        h += "    /// Loads the weights (and, for recurrent models, NAM's prewarm count). False only if edited inconsistently.\n";
        h += "    static bool init(Fixed& model) noexcept {\n";
        h += "        const bool ok = model.set_weights(weights.data(), weights.size()).ok();\n";
        if (recurrent) h += "        model.set_prewarm(nam_prewarm_samples, 64);\n";
        h += "        return ok;\n    }\n";
    }
    h += "#if !defined(NOFOLD_NO_EXCEPTIONS)\n";
    std::string nested;
    detail::nested_code(net, 0, nested);
    h += nested;
    h += "    /// The network's shape.\n    static nofold::nn::ModelConfig config() {\n";
    h += detail::config_code(net, "        ", "condition_0");
    h += "        return c;\n    }\n";
    if (!alias.empty()) {
        h += "    /// The static instantiation for this shape (" + match.name + "), used through nofold::Model.\n";
        h += "    using Model = " + alias + ";\n";
    }
    h += "    /// Builds the model with these weights; null only if the generated data were edited inconsistently.\n";
    h += "    static std::unique_ptr<nofold::Model> make(nofold::nn::Options options = {}) {\n";
    if (recurrent) h += "        if (options.prewarm_samples < 0) options.prewarm_samples = nam_prewarm_samples;\n";
    if (!alias.empty() && !recurrent) {
        h += "        auto m = std::make_unique<Model>(options);\n";
        h += "        if (!m->get().set_weights(weights.data(), weights.size()).empty()) return nullptr;\n";
        h += "        return m;\n";
    } else if (!alias.empty()) {
        const auto& l = std::get<nn::LstmConfig>(net.config);
        h += "        auto m = std::make_unique<Model>(1, " + std::to_string(l.hidden_size) + ", " + std::to_string(l.num_layers) +
             ", options.math, options.max_rate_factor);\n";
        h += "        if (!m->get().set_weights(weights.data(), weights.size()).empty()) return nullptr;\n";
        h += "        m->get().set_prewarm(options.prewarm_samples, options.prewarm_block);\n";
        h += "        return m;\n";
    } else {
        h += "        std::string error;\n";
        h += "        return nofold::runtime::make_model(config(), weights.data(), weights.size(), options, error);\n";
    }
    h += "    }\n#endif\n};\n";
    return h;
}

}  // namespace nofold::io
