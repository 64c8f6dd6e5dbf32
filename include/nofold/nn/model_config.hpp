// nofold::nn — ModelConfig and NestedModel: any model description nofold can build, with weights.
//
// A NestedModel is what a .nam `condition_dsp` holds: a complete model (config + its own flat weights in
// file order + its sample rate). Units: sample_rate_hz in Hz (0 = not stored in the file).
// Latency: none. Allocates: on construction and copy; never on a real-time path.
// Reference: docs/model-formats.md §2.1 (`condition_dsp`), §3–5, §7.
#pragma once

#include <variant>
#include <vector>

#include "convnet_config.hpp"
#include "linear_config.hpp"
#include "lstm_config.hpp"
#include "wavenet_config.hpp"

namespace nofold::nn {

/// One of the architectures nofold builds.
using ModelConfig = std::variant<WaveNetConfig, LstmConfig, GruConfig, LinearConfig, ConvNetConfig>;

/// A complete model: architecture, flat weights in the file's order, training sample rate.
struct NestedModel {
    ModelConfig config;
    std::vector<float> weights;
    double sample_rate_hz = 0.0;
};

/// Weight count of whichever architecture `config` holds.
inline std::size_t weight_count(const ModelConfig& config) {
    return std::visit([](const auto& c) { return weight_count(c); }, config);
}

}  // namespace nofold::nn
