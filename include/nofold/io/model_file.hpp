// nofold::io::ModelFile — a validated description of a model file: architecture, configuration,
// weights and metadata, ready to build a model from. Readers produce it; io::load builds it;
// io::write_header turns it into C++.
//
// Leaf architectures (WaveNet, LSTM, GRU, Linear, ConvNet) carry an nn::NestedModel (config + flat
// weights in the .nam order, already checked to have exactly the right count and finite values).
// Containers carry children: a SlimmableContainer picks one child by size, a Sequential chains them.
// Wrapper fields express what GuitarML and AIDA-X files add around the network (input/output gain,
// input skip, conditioning inputs).
// Units: gains in dB; sample rates in Hz; max_values are slimmable sizes in [0, 1].
// Latency: none. Allocates: on construction and copy (loading only).
// Reference: docs/model-formats.md.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "../nn/model_config.hpp"
#include "metadata.hpp"

namespace nofold::io {

/// Which network a ModelFile describes.
enum class Architecture { wavenet, lstm, gru, linear, convnet, slimmable_container, sequential };

inline const char* to_string(Architecture a) noexcept {
    switch (a) {
        case Architecture::wavenet: return "WaveNet";
        case Architecture::lstm: return "LSTM";
        case Architecture::gru: return "GRU";
        case Architecture::linear: return "Linear";
        case Architecture::convnet: return "ConvNet";
        case Architecture::slimmable_container: return "SlimmableContainer";
        case Architecture::sequential: return "Sequential";
    }
    return "?";
}

/// Whether the model input is added to the network output (GuitarML `skip`, AIDA-X `in_skip`).
enum class InputSkip { off, on };

/// An extra network input that is a knob rather than audio (GuitarML/AIDA-X conditioned models).
/// Model::set_parameter(i) sets the i-th of a ModelFile's conditioning inputs.
struct ConditioningInput {
    std::string name;       ///< "param1", "param2", ... (GuitarML/AIDA-X), "input1", ... (.nam)
    double default_value;   ///< value used when the caller gives none (0.5: mid-knob)
    double min = 0.0;       ///< range Model::set_parameter clamps to
    double max = 1.0;
};

/// Weights of a leaf model plus those of its condition_dsp chain.
inline std::size_t nested_weights(const nn::NestedModel& m) {
    std::size_t n = m.weights.size();
    if (const auto* w = std::get_if<nn::WaveNetConfig>(&m.config))
        if (w->condition_dsp) n += nested_weights(*w->condition_dsp);
    return n;
}

/// A validated model file.
struct ModelFile {
    Architecture architecture = Architecture::wavenet;
    Metadata metadata;
    /// Leaf architectures: the network. Containers: unused.
    nn::NestedModel model;
    /// Containers: submodels (SlimmableContainer, ascending max_value) or stages (Sequential).
    std::vector<ModelFile> children;
    /// SlimmableContainer: children[i] serves sizes v < max_values[i].
    std::vector<double> max_values;

    // Wrapper (GuitarML / AIDA-X): y = out_gain · (net(in_gain · x) + (skip ? in_gain · x : 0)).
    double input_gain_db = 0.0;
    double output_gain_db = 0.0;
    InputSkip input_skip = InputSkip::off;
    /// Inputs 1..n of the network beyond the audio input 0: the model's live parameters
    /// (Model::set_parameter), or folded into the first layer's bias (LoadOptions::fold_parameters).
    std::vector<ConditioningInput> conditioning;

    /// AIDA-X `input_batch` / `output_batch`: a ready-made golden vector pair (may be empty).
    std::vector<float> golden_input;
    std::vector<float> golden_output;

    /// Things the reader accepted but ignored (unknown top-level or metadata keys), one line each.
    std::vector<std::string> warnings;

    /// Weights in this file, children and nested condition_dsp models included.
    std::size_t total_weights() const {
        std::size_t n = nested_weights(model);
        for (const ModelFile& c : children) n += c.total_weights();
        return n;
    }
    bool is_container() const noexcept {
        return architecture == Architecture::slimmable_container || architecture == Architecture::sequential;
    }
    /// What a slimmable size selects from: a SlimmableContainer's max_values, else the channel widths a
    /// slimmable WaveNet allows (layer arrays in order); empty when the model is not slimmable.
    std::vector<double> slimmable_values() const {
        if (architecture == Architecture::slimmable_container) return max_values;
        std::vector<double> widths;
        if (const auto* w = std::get_if<nn::WaveNetConfig>(&model.config))
            for (const auto& a : w->layers)
                for (int c : a.allowed_channels) widths.push_back(c);
        return widths;
    }
};

}  // namespace nofold::io
