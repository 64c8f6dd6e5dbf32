// nofold::math — gated activations for WaveNet-style layers, whose convolution produces two halves a, b:
//   Gated<Act, Gate>:   act(a)·gate(b)                     (WaveNet's tanh·σ gate)
//   Blended<Act, Gate>: g·act(a) + (1 − g)·a, g = gate(b)   (a learned mix of the activation and a bypass)
// Template parameters: Act, Gate — any activation policy (float/double/batch operator()); Gate defaults
// to Sigmoid<Exact>. Members are public values, so parameterised policies carry their parameters.
// Units: none. Allocates: never. RT-safe: operator().
#pragma once

#include "sigmoid.hpp"

namespace nofold::math {

/// act(a)·gate(b).
template <class Act, class Gate = Sigmoid<>>
struct Gated {
    Act act{};
    Gate gate{};
    template <class V>
    V operator()(const V& a, const V& b) const noexcept {
        return act(a) * gate(b);
    }
};

/// g·act(a) + (1 − g)·a with g = gate(b), computed as a + g·(act(a) − a).
template <class Act, class Gate = Sigmoid<>>
struct Blended {
    Act act{};
    Gate gate{};
    template <class V>
    V operator()(const V& a, const V& b) const noexcept {
        return simd::fma(gate(b), act(a) - a, a);
    }
};

}  // namespace nofold::math
