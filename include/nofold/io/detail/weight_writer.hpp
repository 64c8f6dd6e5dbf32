// nofold::io::detail — puts a flat weight vector (nofold's order, as the readers produce it) back
// into the JSON text of the file it was read from, one number at a time, as a list of text edits.
// A weight whose float value is unchanged keeps its original spelling, so writing the weights a
// file already has changes nothing.
//
// Each walker mirrors its reader: .nam (nam_parts.hpp: each leaf's `weights`, then its
// condition_dsp, containers child by child), GuitarML (guitarml_reader.hpp: PyTorch tensors; the
// LSTM's summed bias is split back into bias_ih + bias_hh) and Keras (keras_reader.hpp: transposed
// kernels, GRU gate blocks z, r, h). Walkers assume the text was accepted by its reader.
// Units: none. Latency: none. Allocates: yes (writing only).
// Reference: the format notes in model-formats.md §1–3 (weight orders and tensor layouts).
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "../json.hpp"
#include "../write_error.hpp"
#include "json_text.hpp"

namespace nofold::io::detail {

class WeightWriter {
public:
    WeightWriter(const std::string& file, const std::string& text, const std::vector<float>& weights)
        : file_(file), text_(text), weights_(weights) {}

    /// The next weight goes into the number `v`.
    void number(const json::Value& v) { put(v, take()); }

    /// The next weight must be zero: the format has no place for it.
    void zero(const std::string& what) {
        const float x = take();
        if (x != 0.0f)
            throw WriteError(file_, "weight " + std::to_string(pos_ - 1) + " (" + what + ") is " + format_float(x) +
                                        ", but this format can only store 0 there");
    }

    /// The next weight is the sum a + b of two stored numbers (PyTorch LSTM bias_ih + bias_hh, which
    /// the reader adds in double and rounds to float); either may be absent (= 0). An unchanged sum
    /// keeps both; otherwise b is kept and a is solved for, or, if no float does it, a = sum, b = 0.
    void sum(const json::Value* a, const json::Value* b, const std::string& what) {
        if (a == nullptr && b == nullptr) return zero(what);
        if (a == nullptr || b == nullptr) return number(a ? *a : *b);
        const float s = take();
        const float fa = static_cast<float>(a->as_number()), fb = static_cast<float>(b->as_number());
        auto sums_to = [&](float x) {
            return same_bits(static_cast<float>(static_cast<double>(x) + static_cast<double>(fb)), s);
        };
        if (same_bits(static_cast<float>(static_cast<double>(fa) + static_cast<double>(fb)), s)) return;
        const float guess = static_cast<float>(static_cast<double>(s) - static_cast<double>(fb));
        for (float x : {guess, std::nextafter(guess, -std::numeric_limits<float>::infinity()),
                        std::nextafter(guess, std::numeric_limits<float>::infinity())}) {
            if (std::isfinite(x) && sums_to(x)) return put(*a, x);
        }
        put(*a, s);
        put(*b, 0.0f);
    }

    std::size_t used() const noexcept { return pos_; }
    std::vector<TextEdit>& edits() noexcept { return edits_; }

private:
    float take() {
        if (pos_ >= weights_.size()) throw WriteError(file_, "fewer weights given than the file holds");
        return weights_[pos_++];
    }
    void put(const json::Value& v, float x) {
        if (v.is_number() && same_bits(static_cast<float>(v.as_number()), x)) return;
        edits_.push_back({v.offset(), json_value_end(text_, v.offset()), format_float(x)});
    }

    const std::string& file_;
    const std::string& text_;
    const std::vector<float>& weights_;
    std::size_t pos_ = 0;
    std::vector<TextEdit> edits_;
};

inline std::size_t member_size(const json::Value& object, const char* key, std::size_t fallback) {
    const json::Value* v = object.find(key);
    return v && v->is_number() ? static_cast<std::size_t>(v->as_number()) : fallback;
}

/// .nam: a leaf's own weights, then its condition_dsp; containers child by child.
inline void write_nam_weights(const json::Value& model, WeightWriter& w) {
    const std::string& arch = model.find("architecture")->as_string();
    const json::Value& config = *model.find("config");
    if (arch == "SlimmableContainer" || arch == "Sequential") {
        const bool slim = arch == "SlimmableContainer";
        const json::Value& list = *config.find(slim ? "submodels" : "models");
        for (std::size_t i = 0; i < list.size(); ++i) write_nam_weights(slim ? *list[i].find("model") : list[i], w);
        return;
    }
    const json::Value& weights = *model.find("weights");
    for (std::size_t i = 0; i < weights.size(); ++i) w.number(weights[i]);
    if (arch == "WaveNet")
        if (const json::Value* cd = config.find("condition_dsp"); cd && !cd->is_null()) write_nam_weights(*cd, w);
}

/// GuitarML SimpleRNN: nofold's LSTM layout (rows [W_ih | W_hh], summed bias, zero h0/c0) or GRU
/// layout (W_ih, W_hh, b_ih, b_hh), then lin.weight and lin.bias.
inline void write_guitarml_weights(const json::Value& root, WeightWriter& w) {
    const json::Value& md = *root.find("model_data");
    const json::Value& sd = *root.find("state_dict");
    const bool lstm = md.find("unit_type")->as_string() == "LSTM";
    const std::size_t gates = lstm ? 4 : 3;
    const std::size_t h = member_size(md, "hidden_size", 0);
    const std::size_t layers = member_size(md, "num_layers", 1);
    for (std::size_t l = 0; l < layers; ++l) {
        const std::size_t in = l == 0 ? member_size(md, "input_size", 1) : h;
        const std::string suffix = "_l" + std::to_string(l);
        const json::Value& wih = *sd.find("rec.weight_ih" + suffix);
        const json::Value& whh = *sd.find("rec.weight_hh" + suffix);
        const json::Value* bih = sd.find("rec.bias_ih" + suffix);
        const json::Value* bhh = sd.find("rec.bias_hh" + suffix);
        if (lstm) {
            for (std::size_t r = 0; r < gates * h; ++r) {
                for (std::size_t c = 0; c < in; ++c) w.number(wih[r][c]);
                for (std::size_t c = 0; c < h; ++c) w.number(whh[r][c]);
            }
            for (std::size_t r = 0; r < gates * h; ++r)
                w.sum(bih ? &(*bih)[r] : nullptr, bhh ? &(*bhh)[r] : nullptr, "bias of layer " + std::to_string(l));
            for (std::size_t i = 0; i < 2 * h; ++i) w.zero("initial LSTM state of layer " + std::to_string(l));
        } else {
            for (std::size_t r = 0; r < gates * h; ++r)
                for (std::size_t c = 0; c < in; ++c) w.number(wih[r][c]);
            for (std::size_t r = 0; r < gates * h; ++r)
                for (std::size_t c = 0; c < h; ++c) w.number(whh[r][c]);
            for (const json::Value* b : {bih, bhh})
                for (std::size_t r = 0; r < gates * h; ++r) {
                    if (b)
                        w.number((*b)[r]);
                    else
                        w.zero("GRU bias of layer " + std::to_string(l) + ", absent from the file");
                }
        }
    }
    const json::Value& lin = *sd.find("lin.weight");
    for (std::size_t c = 0; c < h; ++c) w.number(lin[0][c]);
    if (const json::Value* b = sd.find("lin.bias"))
        w.number((*b)[0]);
    else
        w.zero("output bias, absent from the file");
}

/// Keras / AIDA-X: kernels stored transposed (I × G·H); GRU blocks z, r, h with reset_after biases.
inline void write_keras_weights(const json::Value& root, WeightWriter& w) {
    const json::Value& layers = *root.find("layers");
    const json::Value& in_shape = *root.find("in_shape");
    std::size_t in = static_cast<std::size_t>(in_shape[in_shape.size() - 1].as_number());
    for (std::size_t li = 0; li < layers.size(); ++li) {
        const json::Value& layer = layers[li];
        const json::Value& shape = *layer.find("shape");
        const auto width = static_cast<std::size_t>(shape[shape.size() - 1].as_number());
        const json::Value& weights = *layer.find("weights");
        const std::string& type = layer.find("type")->as_string();
        if (type == "lstm") {
            const std::size_t g = 4, h = width;
            for (std::size_t r = 0; r < g * h; ++r) {
                for (std::size_t c = 0; c < in; ++c) w.number(weights[0][c][r]);
                for (std::size_t c = 0; c < h; ++c) w.number(weights[1][c][r]);
            }
            for (std::size_t r = 0; r < g * h; ++r) w.number(weights[2][r]);
            for (std::size_t i = 0; i < 2 * h; ++i) w.zero("initial LSTM state of layer " + std::to_string(li));
            in = h;
        } else if (type == "gru") {
            const std::size_t h = width;
            const std::size_t from[3] = {1, 0, 2};  // nofold r, z, n ← Keras blocks z, r, h
            for (std::size_t gate = 0; gate < 3; ++gate)
                for (std::size_t u = 0; u < h; ++u)
                    for (std::size_t c = 0; c < in; ++c) w.number(weights[0][c][from[gate] * h + u]);
            for (std::size_t gate = 0; gate < 3; ++gate)
                for (std::size_t u = 0; u < h; ++u)
                    for (std::size_t c = 0; c < h; ++c) w.number(weights[1][c][from[gate] * h + u]);
            for (std::size_t which = 0; which < 2; ++which)
                for (std::size_t gate = 0; gate < 3; ++gate)
                    for (std::size_t u = 0; u < h; ++u) w.number(weights[2][which][from[gate] * h + u]);
            in = h;
        } else {  // the final dense layer: kernel [in][1], bias [1]
            for (std::size_t c = 0; c < in; ++c) w.number(weights[0][c][0]);
            w.number(weights[1][0]);
        }
    }
}

}  // namespace nofold::io::detail
