// nofold::nn — ConvNetConfig: a NAM "ConvNet" model (dilated kernel-2 conv blocks, optional batchnorm).
//
// Per block: conv kernel 2 in → channels (`[out][in][2]`, bias only without batchnorm); with batchnorm
// running_mean[C], running_var[C], weight[C], bias[C], eps; then the activation. Then a head
// 1 × C weights and 1 bias. Units: dilations in samples at the training rate. Latency: none.
// Allocates: on copy. Reference: docs/model-formats.md §5.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "activation_spec.hpp"

namespace nofold::nn {

struct ConvNetConfig {
    int channels = 0;
    std::vector<int> dilations;
    bool batchnorm = false;
    ActivationSpec activation{"Tanh", {}};
};

inline std::size_t weight_count(const ConvNetConfig& c) {
    std::size_t n = 0;
    const auto ch = static_cast<std::size_t>(c.channels);
    for (std::size_t i = 0; i < c.dilations.size(); ++i) {
        const std::size_t in = i == 0 ? 1 : ch;
        n += ch * in * 2;
        n += c.batchnorm ? 4 * ch + 1 : ch;
    }
    return n + ch + 1;
}

inline std::string validate(const ConvNetConfig& c) {
    if (c.channels < 1) return "ConvNet: channels must be >= 1";
    if (c.dilations.empty()) return "ConvNet: dilations must not be empty";
    for (int d : c.dilations)
        if (d < 1) return "ConvNet: dilations must be >= 1";
    return {};
}

}  // namespace nofold::nn
