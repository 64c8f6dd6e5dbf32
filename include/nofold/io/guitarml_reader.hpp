// nofold::io::read_guitarml — reads a GuitarML "SimpleRNN" JSON model (Proteus, NeuralPi, the DAFx25
// anti-aliasing paper's LSTMs) into a validated ModelFile.
//
// `model_data` gives the shape (`unit_type` LSTM | GRU, `input_size`, `hidden_size`, `num_layers`,
// `output_size` = 1, `skip`); `state_dict` holds PyTorch tensors as nested lists. The weights are
// rearranged into nofold's flat orders: an LSTM becomes the NAM LSTM layout (row r =
// [W_ih[r,:] | W_hh[r,:]], bias b_ih + b_hh summed in double, h0 = c0 = 0), a GRU the nn::GruConfig
// layout (W_ih, W_hh, b_ih, b_hh per layer, gate order r, z, n). `skip` = 1 adds the input to the
// output. Inputs beyond the first are conditioning knobs (ModelFile::conditioning). The sample rate
// is not stored in these files (44.1 kHz for these libraries): callers pass it in ReadOptions.
// The top-level `nofold_training` array (io/write.hpp's training records) is skipped silently.
//
// Units: sample rate in Hz. Latency: none. Allocates: yes (loading only).
// Reference: docs/model-formats.md §7; PyTorch nn.LSTM / nn.GRU documentation (gate order).
#pragma once

#include <string>
#include <vector>

#include "detail/json_access.hpp"
#include "model_file.hpp"

namespace nofold::io {

/// Reads GuitarML SimpleRNN JSON text. `sample_rate_hz` (0 = leave unknown) is recorded as the
/// model's assumed training rate (Metadata::assumed_sample_rate_hz), since the format stores none.
ModelFile read_guitarml(const std::string& file_name, const std::string& text, double sample_rate_hz = 0.0);

// ============================================================================================
// Implementation
// ============================================================================================

namespace detail {

/// Appends doubles as floats, refusing values a float cannot hold.
inline void append_as_float(const Source& src, const json::Value& at, const std::string& path,
                            const std::vector<double>& values, std::vector<float>& out) {
    for (double x : values) {
        if (!(std::abs(x) <= static_cast<double>(std::numeric_limits<float>::max())))
            src.fail(at, path, "a summed bias is out of range for a float");
        out.push_back(static_cast<float>(x));
    }
}

}  // namespace detail

namespace detail {

inline ModelFile read_guitarml_root(const Source& src, double sample_rate_hz) {
    const json::Value& root = src.root();
    src.expect_type(root, json::Type::object, "$");
    ModelFile file;
    file.metadata.format = FileFormat::guitarml;
    for (std::size_t i = 0; i < root.size(); ++i)
        if (root.key(i) != "model_data" && root.key(i) != "state_dict" && root.key(i) != "nofold_training")
            file.warnings.push_back(json::path_member("$", root.key(i)) + ": unknown top-level key ignored");

    const std::string mp = "$.model_data";
    const json::Value& md = src.require(root, "model_data", "$");
    src.expect_type(md, json::Type::object, mp);
    src.only_keys(md, mp, {"model", "input_size", "skip", "output_size", "unit_type", "num_layers", "hidden_size", "bias_fl"},
                  "GuitarML model_data");
    if (const json::Value* m = md.find("model")) {
        const std::string& name = src.string(*m, json::path_member(mp, "model"));
        if (name != "SimpleRNN") src.fail(*m, json::path_member(mp, "model"), "unsupported model \"" + name + "\" (expected SimpleRNN)");
    }
    const json::Value& unit_value = src.require(md, "unit_type", mp);
    const std::string& unit = src.string(unit_value, json::path_member(mp, "unit_type"));
    const bool lstm = unit == "LSTM";
    if (!lstm && unit != "GRU")
        src.fail(unit_value, json::path_member(mp, "unit_type"), "unsupported unit_type \"" + unit + "\" (expected LSTM or GRU)");
    const int inputs = src.integer_member(md, "input_size", mp, 1, 64);
    const int hidden = src.integer_member(md, "hidden_size", mp, 1, 4096);
    const int layers = src.integer_member_or(md, "num_layers", mp, 1, 1, 64);
    const int outputs = src.integer_member_or(md, "output_size", mp, 1, 1, 64);
    if (outputs != 1) src.fail(*md.find("output_size"), json::path_member(mp, "output_size"), "only output_size 1 is supported (mono)");
    if (const json::Value* skip = md.find("skip"); skip && !skip->is_null()) {
        const int s = src.integer(*skip, json::path_member(mp, "skip"), 0, 1);
        file.input_skip = s == 1 ? InputSkip::on : InputSkip::off;
    }

    const std::string sp = "$.state_dict";
    const json::Value& sd = src.require(root, "state_dict", "$");
    src.expect_type(sd, json::Type::object, sp);
    const std::size_t gates = lstm ? 4 : 3;
    const auto h = static_cast<std::size_t>(hidden);
    std::vector<std::string> used;
    auto tensor = [&](const std::string& key) -> const json::Value& {
        used.push_back(key);
        return src.require(sd, key, sp);
    };
    std::vector<float> w;
    for (int l = 0; l < layers; ++l) {
        const auto in = static_cast<std::size_t>(l == 0 ? inputs : hidden);
        const std::string suffix = "_l" + std::to_string(l);
        const std::string kih = "rec.weight_ih" + suffix, khh = "rec.weight_hh" + suffix;
        const std::string kbi = "rec.bias_ih" + suffix, kbh = "rec.bias_hh" + suffix;
        const auto w_ih = read_matrix(src, tensor(kih), json::path_member(sp, kih), gates * h, in);
        const auto w_hh = read_matrix(src, tensor(khh), json::path_member(sp, khh), gates * h, h);
        std::vector<double> b_ih(gates * h, 0.0), b_hh(gates * h, 0.0);
        if (sd.find(kbi)) b_ih = read_vector(src, tensor(kbi), json::path_member(sp, kbi), gates * h);
        if (sd.find(kbh)) b_hh = read_vector(src, tensor(kbh), json::path_member(sp, kbh), gates * h);
        if (lstm) {
            for (std::size_t r = 0; r < gates * h; ++r) {
                for (std::size_t c = 0; c < in; ++c) w.push_back(static_cast<float>(w_ih[r * in + c]));
                for (std::size_t c = 0; c < h; ++c) w.push_back(static_cast<float>(w_hh[r * h + c]));
            }
            std::vector<double> bias(gates * h);
            for (std::size_t r = 0; r < bias.size(); ++r) bias[r] = b_ih[r] + b_hh[r];
            append_as_float(src, sd, json::path_member(sp, kbi), bias, w);
            w.insert(w.end(), 2 * h, 0.0f);  // h0, c0
        } else {
            for (double x : w_ih) w.push_back(static_cast<float>(x));
            for (double x : w_hh) w.push_back(static_cast<float>(x));
            for (double x : b_ih) w.push_back(static_cast<float>(x));
            for (double x : b_hh) w.push_back(static_cast<float>(x));
        }
    }
    const auto lin_w = read_matrix(src, tensor("lin.weight"), json::path_member(sp, "lin.weight"), 1, h);
    for (double x : lin_w) w.push_back(static_cast<float>(x));
    if (sd.find("lin.bias")) {
        const auto lin_b = read_vector(src, tensor("lin.bias"), json::path_member(sp, "lin.bias"), 1);
        w.push_back(static_cast<float>(lin_b[0]));
    } else {
        w.push_back(0.0f);
    }
    for (std::size_t i = 0; i < sd.size(); ++i) {
        bool known = false;
        for (const std::string& u : used) known = known || u == sd.key(i);
        if (!known) src.fail(sd[i], json::path_member(sp, sd.key(i)), "unsupported tensor \"" + sd.key(i) + "\"");
    }

    if (lstm) {
        file.architecture = Architecture::lstm;
        file.model.config = nn::LstmConfig{inputs, hidden, layers};
    } else {
        file.architecture = Architecture::gru;
        file.model.config = nn::GruConfig{inputs, hidden, layers};
    }
    file.model.weights = std::move(w);
    for (int i = 1; i < inputs; ++i) file.conditioning.push_back({"param" + std::to_string(i), 0.5});
    if (sample_rate_hz > 0.0) {
        file.metadata.assumed_sample_rate_hz = sample_rate_hz;
        file.model.sample_rate_hz = sample_rate_hz;
    }
    return file;
}

}  // namespace detail

inline ModelFile read_guitarml(const std::string& file_name, const std::string& text, double sample_rate_hz) {
    const json::Document doc = detail::parse_document(file_name, text);
    return detail::read_guitarml_root(detail::Source(file_name, doc), sample_rate_hz);
}

}  // namespace nofold::io
