// nofold::math — gated activations for WaveNet-style layers, whose convolution produces two halves a, b:
//   Gated<Act, Gate>:   act(a)·gate(b)                     (WaveNet's tanh·σ gate)
//   Blended<Act, Gate>: g·act(a) + (1 − g)·a, g = gate(b)   (a learned mix of the activation and a bypass)
// The element formulas are written once here (gate, blend) and used by every gated or blended layer;
// blend_nam is NAM Core's spelling of the blend, g·f + (1 − g)·a, which rounds differently from
// blend's a + g·(f − a) and is what .nam files are rendered with (runtime::WaveNet uses it for parity).
// Template parameters: Act, Gate — any activation policy (float/double/batch operator()); Gate defaults
// to Sigmoid<Exact>. Members are public values, so parameterised policies carry their parameters.
// Units: none. Allocates: never. RT-safe: operator().
#pragma once

#include "sigmoid.hpp"

namespace nofold::math {

/// f·g: an activation value gated by a gate value.
template <class V>
inline V gate(const V& f, const V& g) noexcept {
    return f * g;
}

/// g·f + (1 − g)·a computed as a + g·(f − a) (one fused multiply-add).
template <class V>
inline V blend(const V& g, const V& f, const V& a) noexcept {
    return simd::fma(g, f - a, a);
}

/// g·f + (1 − g)·a as NAM Core computes it: two rounded products, then their sum.
template <class V>
inline V blend_nam(const V& g, const V& f, const V& a) noexcept {
    return simd::no_contract(g * f) + simd::no_contract((V(1) - g) * a);
}

/// act(a)·gate(b).
template <class Act, class Gate = Sigmoid<>>
struct Gated {
    Act act{};
    Gate gate{};
    template <class V>
    V operator()(const V& a, const V& b) const noexcept {
        return math::gate(act(a), gate(b));
    }
};

/// g·act(a) + (1 − g)·a with g = gate(b), computed as a + g·(act(a) − a).
template <class Act, class Gate = Sigmoid<>>
struct Blended {
    Act act{};
    Gate gate{};
    template <class V>
    V operator()(const V& a, const V& b) const noexcept {
        return math::blend(gate(b), act(a), a);
    }
};

}  // namespace nofold::math
