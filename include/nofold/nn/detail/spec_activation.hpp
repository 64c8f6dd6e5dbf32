// nofold::nn::detail — turns a model file's ActivationSpec and a math::Accuracy into a math::Activation (the
// catalogue's run-time activation), and applies it to one channel-major row of a chunk.
//
// Tier mapping (math::Accuracy → catalogue): exact → math::Exact, fast → math::Fast, nam → NAM Core's fast-tanh
// switch: "Tanh" becomes math::Fasttanh, every other activation keeps the Exact tier (Core approximates
// nothing else in a WaveNet). Defaults follow the .nam spelling (ActivationSpec): PReLU {0.01}.
// Units: none (activations are dimensionless). Latency: none.
// Allocates: to_math_activation (error text, PReLU slope list); apply_row never. RT-safe: apply_row.
// Reference: docs/model-formats.md §2.8 "Activation names", docs/activations.md.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include "../../math/activation.hpp"
#include "../activation_spec.hpp"
#include "../../math/tier.hpp"

namespace nofold::nn::detail {


/// Fills `out` from `spec`; empty string on success, else the reason naming the activation.
inline std::string to_math_activation(const ActivationSpec& spec, math::Accuracy mode, math::Activation& out) {
    const auto kind = math::Activation::kind_from_name(spec.name);
    if (!kind) return "unknown activation '" + spec.name + "'";
    const math::ActivationKind k = *kind;
    out = math::Activation(k, math::tier_in_model(mode, k == math::ActivationKind::tanh));
    if (k == math::ActivationKind::prelu) out.params[0] = 0.01f;  // the .nam default, not PyTorch's 0.25
    const std::size_t given = std::min(spec.params.size(), out.params.size());
    for (std::size_t i = 0; i < given; ++i) out.params[i] = spec.params[i];
    if (k == math::ActivationKind::prelu && spec.params.size() > 1) out.channel_slopes = spec.params;
    return {};
}

/// Applies `act` to n floats of channel `row` (PReLU with per-channel slopes uses the row's slope, the
/// last slope for rows beyond the list).
NOFOLD_REALTIME inline void apply_row(const math::Activation& act, float* data, int n, int row) noexcept {
    if (act.kind == math::ActivationKind::identity) return;
    if (act.kind == math::ActivationKind::prelu && !act.channel_slopes.empty()) {
        const int last = static_cast<int>(act.channel_slopes.size()) - 1;
        math::apply(math::PReLU{act.channel_slopes[static_cast<std::size_t>(std::min(row, last))]}, data, n);
        return;
    }
    act.apply(data, n);
}

}  // namespace nofold::nn::detail
