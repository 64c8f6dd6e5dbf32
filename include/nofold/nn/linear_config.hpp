// nofold::nn — LinearConfig: a NAM "Linear" model (an FIR filter).
//
// `y[t] = b + Σ_j w[j]·x[t−j]` (w[0] multiplies the current sample). Weights: taps, then the bias if any.
// Units: receptive_field in samples at the training rate. Latency: none. Allocates: never.
// Reference: docs/model-formats.md §4.
#pragma once

#include <cstddef>
#include <string>

namespace nofold::nn {

struct LinearConfig {
    int receptive_field = 1;
    bool bias = false;
};

inline std::size_t weight_count(const LinearConfig& c) {
    return static_cast<std::size_t>(c.receptive_field) + (c.bias ? 1u : 0u);
}

inline std::string validate(const LinearConfig& c) {
    if (c.receptive_field < 1) return "Linear: receptive_field must be >= 1";
    return {};
}

}  // namespace nofold::nn
