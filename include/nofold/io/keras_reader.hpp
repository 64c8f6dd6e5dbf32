// nofold::io::read_keras — reads a Keras / AIDA-X JSON model (RTNeural's export format) into a
// validated ModelFile.
//
// Supported stacks: one or more `lstm` (or one or more `gru`) layers of equal width, then one
// `dense` (or `time-distributed-dense`) layer with one output and a linear activation. Keras stores
// kernels transposed (I × G·H) with gate blocks i, f, c, o (LSTM) or z, r, h (GRU, reset_after);
// they are rearranged into nofold's flat orders (NAM LSTM layout with zero h0/c0; nn::GruConfig
// layout with gate order r, z, n). AIDA-X extras: `in_skip` (y = x + net(x)), `in_gain` and
// `out_gain` in dB, `samplerate` in Hz, and optional `input_batch`/`output_batch` golden vectors.
// Inputs beyond the first (`in_shape` last dimension > 1) are conditioning knobs. The top-level
// `nofold_training` array (io/write.hpp's training records) is skipped silently.
//
// Units: gains in dB, sample rate in Hz. Latency: none. Allocates: yes (loading only).
// Reference: docs/model-formats.md §8; Keras LSTM/GRU layer documentation (weight shapes,
// gate order, reset_after).
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "detail/json_access.hpp"
#include "model_file.hpp"

namespace nofold::io {

/// Reads Keras/AIDA-X JSON text.
ModelFile read_keras(const std::string& file_name, const std::string& text);

// ============================================================================================
// Implementation
// ============================================================================================

namespace detail {

/// Flattens nested number arrays (golden vectors) into floats, at most `limit` values.
inline void flatten_numbers(const Source& src, const json::Value& v, const std::string& path, std::vector<float>& out,
                            int depth) {
    if (depth > 4) src.fail(v, path, "golden vectors nest too deeply");
    if (v.is_array()) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (v[i].is_number())
                out.push_back(src.weight(v[i], path, i));
            else
                flatten_numbers(src, v[i], json::path_index(path, i), out, depth + 1);
        }
        return;
    }
    src.fail(v, path, "expected an array of numbers, found " + describe(v));
}

inline int last_dimension(const Source& src, const json::Value& shape, const std::string& path) {
    src.expect_type(shape, json::Type::array, path);
    if (shape.size() == 0) src.fail(shape, path, "shape must not be empty");
    return src.integer(shape[shape.size() - 1], json::path_index(path, shape.size() - 1), 1, 4096);
}

}  // namespace detail

/// Largest |in_gain| and |out_gain| a Keras/AIDA-X file may state, in dB (a factor of 10^5).
inline constexpr double keras_max_gain_db = 100.0;

namespace detail {

inline ModelFile read_keras_root(const Source& src) {
    const json::Value& root = src.root();
    src.expect_type(root, json::Type::object, "$");
    ModelFile file;
    file.metadata.format = FileFormat::keras;
    for (std::size_t i = 0; i < root.size(); ++i) {
        const std::string& k = root.key(i);
        if (k != "in_shape" && k != "layers" && k != "in_skip" && k != "in_gain" && k != "out_gain" && k != "samplerate" &&
            k != "input_batch" && k != "output_batch" && k != "nofold_training")
            file.warnings.push_back(json::path_member("$", k) + ": unknown top-level key ignored");
    }
    const int inputs = last_dimension(src, src.require(root, "in_shape", "$"), "$.in_shape");
    if (const json::Value* s = root.find("in_skip"); s && !s->is_null())
        file.input_skip = src.boolean(*s, "$.in_skip") ? InputSkip::on : InputSkip::off;
    // Gains are checked like weights (finite) and for plausibility: beyond ±keras_max_gain_db the model is
    // driven into nonsense or its output overflows (in_gain 1000 dB is 1e50, not even a float).
    const auto gain_db = [&](const char* key, double& out) {
        const json::Value* g = root.find(key);
        if (!g || g->is_null()) return;
        const std::string path = std::string("$.") + key;
        const double db = src.number(*g, path);
        if (!(std::fabs(db) <= keras_max_gain_db))
            src.fail(*g, path, std::string(key) + " " + describe(*g) + " dB is not plausible (limit ±" +
                                   std::to_string(static_cast<int>(keras_max_gain_db)) + " dB)");
        out = db;
    };
    gain_db("in_gain", file.input_gain_db);
    gain_db("out_gain", file.output_gain_db);
    if (const json::Value* r = root.find("samplerate"); r && !r->is_null()) {
        const double rate = src.number(*r, "$.samplerate");
        if (!(rate >= 1000.0 && rate <= 1536000.0)) src.fail(*r, "$.samplerate", "samplerate " + describe(*r) + " Hz is not plausible");
        file.metadata.sample_rate_hz = rate;
        file.model.sample_rate_hz = rate;
    }
    if (const json::Value* b = root.find("input_batch")) flatten_numbers(src, *b, "$.input_batch", file.golden_input, 0);
    if (const json::Value* b = root.find("output_batch")) flatten_numbers(src, *b, "$.output_batch", file.golden_output, 0);
    if (file.golden_input.size() != file.golden_output.size() * static_cast<std::size_t>(inputs))
        src.fail(root, "$", "input_batch has " + std::to_string(file.golden_input.size()) + " values but output_batch has " +
                                std::to_string(file.golden_output.size()));

    const json::Value& layers = src.require(root, "layers", "$");
    src.expect_type(layers, json::Type::array, "$.layers");
    if (layers.size() < 2) src.fail(layers, "$.layers", "expected recurrent layers followed by one dense layer");
    std::string kind;  // "lstm" or "gru"
    int hidden = 0;
    std::vector<float> w;
    for (std::size_t li = 0; li < layers.size(); ++li) {
        const std::string lp = json::path_index("$.layers", li);
        const json::Value& layer = layers[li];
        src.expect_type(layer, json::Type::object, lp);
        src.only_keys(layer, lp, {"type", "activation", "shape", "weights", "kernel_size", "dilation", "num_filters_in",
                                  "num_features_in", "num_filters_out"},
                      "a Keras layer");
        const json::Value& type_value = src.require(layer, "type", lp);
        const std::string& type = src.string(type_value, json::path_member(lp, "type"));
        const int width = last_dimension(src, src.require(layer, "shape", lp), json::path_member(lp, "shape"));
        const std::string act = layer.find("activation") ? src.string(*layer.find("activation"), json::path_member(lp, "activation")) : "";
        const json::Value& weights = src.require(layer, "weights", lp);
        const std::string wp = json::path_member(lp, "weights");
        src.expect_type(weights, json::Type::array, wp);
        const bool last = li + 1 == layers.size();
        if (type == "lstm" || type == "gru") {
            if (last) src.fail(layer, lp, "the last layer must be a dense layer with one output");
            if (!kind.empty() && kind != type) src.fail(type_value, json::path_member(lp, "type"), "mixing lstm and gru layers is not supported");
            if (hidden != 0 && width != hidden) src.fail(layer, json::path_member(lp, "shape"), "all recurrent layers must have the same width");
            kind = type;
            const auto in = static_cast<std::size_t>(hidden == 0 ? inputs : hidden);
            hidden = width;
            const auto h = static_cast<std::size_t>(hidden);
            const bool lstm = type == "lstm";
            const std::size_t g = lstm ? 4 : 3;
            if (weights.size() != 3) src.fail(weights, wp, "expected 3 weight tensors (kernel, recurrent, bias), found " + std::to_string(weights.size()));
            const auto kernel = read_matrix(src, weights[0], json::path_index(wp, 0), in, g * h);
            const auto recurrent = read_matrix(src, weights[1], json::path_index(wp, 1), h, g * h);
            std::vector<double> b_in(g * h, 0.0), b_rec(g * h, 0.0);
            const std::string bp = json::path_index(wp, 2);
            if (lstm) {
                b_in = read_vector(src, weights[2], bp, g * h);
            } else {
                if (weights[2].size() != 2 || !weights[2][0].is_array())
                    src.fail(weights[2], bp, "a GRU bias must be 2 × " + std::to_string(g * h) + " (reset_after = true)");
                const auto both = read_matrix(src, weights[2], bp, 2, g * h);
                b_in.assign(both.begin(), both.begin() + static_cast<std::ptrdiff_t>(g * h));
                b_rec.assign(both.begin() + static_cast<std::ptrdiff_t>(g * h), both.end());
            }
            if (lstm) {
                // Keras gate blocks i, f, c, o = NAM's i, f, g, o. Row r of NAM's W is column r of Keras'.
                for (std::size_t r = 0; r < g * h; ++r) {
                    for (std::size_t c = 0; c < in; ++c) w.push_back(static_cast<float>(kernel[c * g * h + r]));
                    for (std::size_t c = 0; c < h; ++c) w.push_back(static_cast<float>(recurrent[c * g * h + r]));
                }
                for (double x : b_in) w.push_back(static_cast<float>(x));
                w.insert(w.end(), 2 * h, 0.0f);
            } else {
                // nofold gate g ∈ {r, z, n} comes from Keras block {1, 0, 2} (Keras order z, r, h).
                const std::size_t from[3] = {1, 0, 2};
                for (std::size_t gate = 0; gate < 3; ++gate)
                    for (std::size_t u = 0; u < h; ++u)
                        for (std::size_t c = 0; c < in; ++c) w.push_back(static_cast<float>(kernel[c * g * h + from[gate] * h + u]));
                for (std::size_t gate = 0; gate < 3; ++gate)
                    for (std::size_t u = 0; u < h; ++u)
                        for (std::size_t c = 0; c < h; ++c)
                            w.push_back(static_cast<float>(recurrent[c * g * h + from[gate] * h + u]));
                for (const auto* b : {&b_in, &b_rec})
                    for (std::size_t gate = 0; gate < 3; ++gate)
                        for (std::size_t u = 0; u < h; ++u) w.push_back(static_cast<float>((*b)[from[gate] * h + u]));
            }
        } else if (type == "dense" || type == "time-distributed-dense") {
            if (!last) src.fail(layer, lp, "a dense layer is supported only as the last layer");
            if (kind.empty()) src.fail(layer, lp, "expected recurrent layers before the dense layer");
            if (width != 1) src.fail(layer, json::path_member(lp, "shape"), "the dense layer must have one output (mono)");
            if (!act.empty() && act != "linear") src.fail(*layer.find("activation"), json::path_member(lp, "activation"), "unsupported activation \"" + act + "\" on the output layer");
            if (weights.size() != 2) src.fail(weights, wp, "expected 2 weight tensors (kernel, bias), found " + std::to_string(weights.size()));
            const auto kernel = read_matrix(src, weights[0], json::path_index(wp, 0), static_cast<std::size_t>(hidden), 1);
            const auto bias = read_vector(src, weights[1], json::path_index(wp, 1), 1);
            for (double x : kernel) w.push_back(static_cast<float>(x));
            w.push_back(static_cast<float>(bias[0]));
        } else {
            src.fail(type_value, json::path_member(lp, "type"), "unsupported layer type \"" + type + "\"");
        }
    }
    const int layer_count = static_cast<int>(layers.size()) - 1;
    if (kind == "lstm") {
        file.architecture = Architecture::lstm;
        file.model.config = nn::LstmConfig{inputs, hidden, layer_count};
    } else {
        file.architecture = Architecture::gru;
        file.model.config = nn::GruConfig{inputs, hidden, layer_count};
    }
    file.model.weights = std::move(w);
    for (int i = 1; i < inputs; ++i) file.conditioning.push_back({"param" + std::to_string(i), 0.5});
    return file;
}

}  // namespace detail

inline ModelFile read_keras(const std::string& file_name, const std::string& text) {
    const json::Document doc = detail::parse_document(file_name, text);
    return detail::read_keras_root(detail::Source(file_name, doc));
}

}  // namespace nofold::io
