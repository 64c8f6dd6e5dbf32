// nofold::nn — LstmConfig and GruConfig: plain descriptions of recurrent models.
//
// Units: sizes in features. Latency: none. Allocates: never (plain values).
// Reference: docs/model-formats.md §3 (NAM LSTM weight order, h0/c0) and §7 (PyTorch GRU
// gate order r, z, n; the hidden bias of n sits inside the reset product).
#pragma once

#include <cstddef>
#include <string>

namespace nofold::nn {

/// Multi-layer LSTM followed by a 1 × hidden_size output layer with bias.
/// NAM weight order per layer: [4H × (I + H)] row-major (gates i, f, g, o), bias 4H, h0 (H), c0 (H);
/// then W_out (H) and b_out (1).
struct LstmConfig {
    int input_size = 1;
    int hidden_size = 0;
    int num_layers = 1;
};

/// Multi-layer GRU (PyTorch conventions) followed by a 1 × hidden_size output layer with bias.
/// Weight order used by nofold (the GuitarML reader rearranges into it), per layer:
/// W_ih [3H × I] (r, z, n), W_hh [3H × H], b_ih (3H), b_hh (3H); then W_out (H) and b_out (1).
/// The initial state is zero.
struct GruConfig {
    int input_size = 1;
    int hidden_size = 0;
    int num_layers = 1;
};

/// Weights a NAM LSTM file holds for this config.
inline std::size_t weight_count(const LstmConfig& c) {
    std::size_t n = 0;
    const auto h = static_cast<std::size_t>(c.hidden_size);
    for (int l = 0; l < c.num_layers; ++l) {
        const auto in = static_cast<std::size_t>(l == 0 ? c.input_size : c.hidden_size);
        n += 4 * h * (in + h) + 4 * h + 2 * h;
    }
    return n + h + 1;
}

/// Weights nofold's GRU order holds for this config.
inline std::size_t weight_count(const GruConfig& c) {
    std::size_t n = 0;
    const auto h = static_cast<std::size_t>(c.hidden_size);
    for (int l = 0; l < c.num_layers; ++l) {
        const auto in = static_cast<std::size_t>(l == 0 ? c.input_size : c.hidden_size);
        n += 3 * h * in + 3 * h * h + 6 * h;
    }
    return n + h + 1;
}

/// Empty when usable, else the reason.
inline std::string validate(const LstmConfig& c) {
    if (c.input_size < 1 || c.hidden_size < 1 || c.num_layers < 1)
        return "LSTM: input_size, hidden_size and num_layers must be >= 1";
    return {};
}
inline std::string validate(const GruConfig& c) {
    if (c.input_size < 1 || c.hidden_size < 1 || c.num_layers < 1)
        return "GRU: input_size, hidden_size and num_layers must be >= 1";
    return {};
}

}  // namespace nofold::nn
