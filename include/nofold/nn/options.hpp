// nofold::nn — Options: what every model constructor takes (math tier, largest rate factor, prewarm,
// NAM Core quirks), for static presets and run-time models alike.
//
// Units: max_rate_factor is a ratio (running rate / training rate); prewarm_block in samples.
// Latency: none. Allocates: never.
// Reference: docs/model-formats.md §9 (prewarm), §2.6 (layer1x1_post_film).
#pragma once

#include "../math/tier.hpp"

namespace nofold::nn {

/// How prewarm() brings a model to its steady state for silence.
enum class PrewarmMode {
    steady_state,  ///< WaveNet: fill every delay line with its value for zero input (O(receptive field));
                   ///< recurrent models: zero_blocks (their state has no closed form)
    zero_blocks,   ///< NAM Core parity: whole blocks of zeros, the prewarm count rounded up to the block
};

/// Where the layer1x1_post FiLM applies.
enum class Layer1x1PostFilm {
    core,     ///< NAM Core: only in layers whose gating mode is blended (needed for Core parity)
    trainer,  ///< the trainer: in every layer
};

struct Options {
    math::Accuracy math = math::Accuracy::exact;
    /// Largest integer (WaveNet) or real (LSTM/GRU) rate factor set_rate_factor will accept.
    double max_rate_factor = 1.0;
    PrewarmMode prewarm = PrewarmMode::steady_state;
    int prewarm_block = 64;
    /// Samples of zeros a zero_blocks prewarm must at least feed. < 0: the model's own count (WaveNet:
    /// its receptive field; LSTM/GRU: 0.5 × sample rate, or 1 when the rate is unknown — the loader
    /// passes that here because the model does not know its rate).
    int prewarm_samples = -1;
    Layer1x1PostFilm layer1x1_post_film = Layer1x1PostFilm::core;
    /// runtime::WaveNet: run eligible arrays on the fused layer kernels (bit-identical to the generic
    /// gathered products, faster). false keeps every array generic: a reference for tests and A/B runs.
    bool fused_layers = true;
};

}  // namespace nofold::nn
