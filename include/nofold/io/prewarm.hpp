// nofold::io::nam_prewarm_samples — how many samples of zeros NAM Core feeds a freshly reset model
// (its GetPrewarmSamples), which io::load passes to models for NAM-parity prewarming.
//
// WaveNet: 1 + Σ over arrays of Σ (k − 1)·d + (head kernel − 1)·head dilation, plus the condition_dsp's
// count − 1. LSTM/GRU: 0.5 × sample rate, or 1 when the file stores no sample_rate (which Core's
// whole-block prewarm turns into exactly one block of zeros). Linear and ConvNet: 0.
// Units: samples at the training rate. Latency: none. Allocates: never.
// Reference: docs/model-formats.md §9.
#pragma once

#include <variant>

#include "../nn/model_config.hpp"

namespace nofold::io {

/// Samples of zeros NAM Core feeds before the first block for this network.
inline int nam_prewarm_samples(const nn::NestedModel& model, bool has_sample_rate) {
    if (const auto* w = std::get_if<nn::WaveNetConfig>(&model.config)) {
        long rf = 1;
        for (const nn::LayerArrayConfig& a : w->layers) {
            for (int l = 0; l < a.layer_count(); ++l) rf += static_cast<long>(a.kernel_size(l) - 1) * a.dilation(l);
            rf += static_cast<long>(a.head.kernel_size - 1) * a.head.dilation;
        }
        if (w->condition_dsp) rf += nam_prewarm_samples(*w->condition_dsp, has_sample_rate) - 1;
        return static_cast<int>(rf);
    }
    if (std::holds_alternative<nn::LstmConfig>(model.config) || std::holds_alternative<nn::GruConfig>(model.config))
        return has_sample_rate ? static_cast<int>(0.5 * model.sample_rate_hz) : 1;
    return 0;
}

}  // namespace nofold::io
