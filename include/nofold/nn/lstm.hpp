// nofold::nn — LstmLayer: a PyTorch-convention LSTM cell with compile-time or run-time sizes (the
// layers of nn::LstmModel, recurrent_model.hpp).
//
// Cell: ifgo = W·[x; h] + b, c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c').
// Kernel: the gate pre-activations of a batch of `lanes` hidden units accumulate in registers, two
// batches per pass over the columns of [x; h] (detail::recurrent_tiles / recurrent_chains: register
// blocking for the latency-bound step, h(t) feeds the GEMV of t + 1). Up to two batches (H ≤ 16 on
// AVX2) the state update takes them straight from the registers; larger cells park them in a small
// scratch and run a pass's nonlinearities after the GEMV of the next pass (skewed, detail::recurrent_step),
// so the latency-bound tanh chains overlap the load/FMA-bound GEMV. The rows of i, f and o are stored
// halved (exact in float); the gates and tanh follow the formulas of the NAM Core build the tier
// reproduces (detail::sigmoid_of_half, recurrent_tanh: Exact 1/(1 + e^−x), Fast and NamCompat
// ½ + ½·tanh(x/2)), and the bias is added after W·[x; h], as Core does.
// Weight layout (tile-major): for each hidden batch, for each column of [x; h], 4 gates × lanes floats.
// Template parameters: In, Hidden: sizes or nn::dynamic. Units: none. Latency: 0.
// Allocates: configure() of dynamic shapes only. RT-safe: step, initial_state.
// Reference: docs/model-formats.md §3 (weights i, f, g, o; bias; h0, c0; output layer).
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "../math/tanh.hpp"
#include "../math/tier.hpp"
#include "../simd/simd.hpp"
#include "detail/recurrent_step.hpp"
#include "detail/storage.hpp"
#include "../math/tier.hpp"

namespace nofold::nn {

/// One LSTM cell layer. Use in nn::Recurrent / nn::LstmModel.
template <int In = dynamic, int Hidden = dynamic>
class LstmLayer {
public:
    using V = simd::float_batch;
    static constexpr int lanes = simd::lanes<V>;
    static constexpr int hp_static = detail::round_up(Hidden, lanes);
    static constexpr int in_static = In;
    /// State layout: [h | c], Hp floats each (aligned); Hp = H rounded up to the lane count.
    static constexpr int state_vectors = 2;

    LstmLayer() {
        if constexpr (In != dynamic && Hidden != dynamic) configure(In, Hidden);
    }
    /// Sizes (must equal In/Hidden when those are static). Allocates for dynamic shapes.
    void configure(int in, int hidden);
    int input_size() const noexcept { return in_; }
    int hidden_size() const noexcept { return h_; }
    int padded_hidden() const noexcept { return hp_; }
    /// Reads the NAM order (matrix [4H][I+H], bias 4H, h0 H, c0 H); returns the pointer after them.
    const float* set_weights(const float* w) noexcept;
    std::size_t weight_count() const noexcept { return static_cast<std::size_t>(4 * h_ * (in_ + h_) + 6 * h_); }
    double flops() const noexcept { return 2.0 * 4 * h_ * (in_ + h_); }
    const float* h0() const noexcept { return h0_.data(); }
    const float* c0() const noexcept { return c0_.data(); }
    void initial_state(float* state) const noexcept {
        std::copy(h0_.data(), h0_.data() + hp_, state);
        std::copy(c0_.data(), c0_.data() + hp_, state + hp_);
    }
    /// state = cell(x, prev) with the gates in Tier (math::Exact, Fast or NamCompat); `state` must not
    /// alias `prev`. The hidden output is state[0, H).
    template <class Tier>
    NOFOLD_REALTIME void step(const float* x, const float* prev, float* state) const noexcept;
    std::size_t heap_bytes() const noexcept {
        return wt_.heap_bytes() + b_.heap_bytes() + h0_.heap_bytes() + c0_.heap_bytes() + g_.heap_bytes();
    }

private:
    int in_ = 0, h_ = 0, hp_ = 0;
    detail::Storage<detail::product(detail::sum(In, Hidden), detail::product(4, hp_static))> wt_;
    detail::Storage<detail::product(4, hp_static)> b_;
    detail::Storage<hp_static> h0_, c0_;
    mutable detail::Storage<detail::product(4, hp_static)> g_;  // pre-activations of the current step
};

// ---------------------------------------------------------------------------------------------------
namespace detail {

/// LSTM state update of one batch from its pre-activations g (i, f, o halved).
template <class Tier, class V>
inline void lstm_update(const V (&g)[4], const float* c_prev, float* h_out, float* c_out) noexcept {
    const V i = sigmoid_of_half<Tier>(g[0]);
    const V f = sigmoid_of_half<Tier>(g[1]);
    const V gg = recurrent_tanh<Tier>(g[2]);
    const V o = sigmoid_of_half<Tier>(g[3]);
    V c;
    if constexpr (std::is_same_v<Tier, math::Fast>) {
        c = simd::fma(f, simd::load_aligned<V>(c_prev), i * gg);
    } else {
        // NAM Core's cell (both of its builds, which the Exact and NamCompat tiers reproduce): two
        // rounded products, then their sum (its reference renders have no fusion)
        c = simd::no_contract(f * simd::load_aligned<V>(c_prev)) + simd::no_contract(i * gg);
    }
    simd::store_aligned(c_out, c);
    simd::store_aligned(h_out, o * recurrent_tanh<Tier>(c));
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------------
template <int In, int Hidden>
void LstmLayer<In, Hidden>::configure(int in, int hidden) {
    in_ = extent<In>(in);
    h_ = extent<Hidden>(hidden);
    hp_ = (h_ + lanes - 1) / lanes * lanes;
    wt_.resize(static_cast<std::size_t>((in_ + h_) * 4 * hp_));
    b_.resize(static_cast<std::size_t>(4 * hp_));
    h0_.resize(static_cast<std::size_t>(hp_));
    c0_.resize(static_cast<std::size_t>(hp_));
    g_.resize(static_cast<std::size_t>(4 * hp_));
    wt_.fill(0.0f);
    b_.fill(0.0f);
    g_.fill(0.0f);
    h0_.fill(0.0f);
    c0_.fill(0.0f);
}

template <int In, int Hidden>
const float* LstmLayer<In, Hidden>::set_weights(const float* w) noexcept {
    const int cols = in_ + h_;
    // Row r = gate·H + j of W goes to tile j / lanes, lane j % lanes; i, f, o (gates 0, 1, 3) halved.
    const auto scale = [](int gate) { return gate == 2 ? 1.0f : 0.5f; };
    const auto at = [&](int gate, int j, int col) {
        return static_cast<std::size_t>(((j / lanes * cols + col) * 4 + gate) * lanes + j % lanes);
    };
    for (int r = 0; r < 4 * h_; ++r) {
        const int gate = r / h_, j = r % h_;
        for (int c = 0; c < cols; ++c) wt_.data()[at(gate, j, c)] = scale(gate) * *w++;
    }
    for (int r = 0; r < 4 * h_; ++r) {
        const int gate = r / h_, j = r % h_;
        b_.data()[static_cast<std::size_t>((j / lanes * 4 + gate) * lanes + j % lanes)] = scale(gate) * *w++;
    }
    for (int j = 0; j < h_; ++j) h0_.data()[j] = *w++;
    for (int j = 0; j < h_; ++j) c0_.data()[j] = *w++;
    return w;
}

template <int In, int Hidden>
template <class Tier>
[[gnu::flatten]] void LstmLayer<In, Hidden>::step(const float* x, const float* prev, float* state) const noexcept {
    const int nx = extent<In>(in_), nh = extent<Hidden>(h_), hp = extent<hp_static>(hp_);
    const std::size_t tile = static_cast<std::size_t>((nx + nh) * 4 * lanes);
    detail::recurrent_step<V, 4, 4, 3, 4, 3>(hp / lanes, wt_.data(), tile, b_.data(), 4 * lanes, x, nx, prev, nh, g_.data(),
                                             [&](int b, const V(&g)[4]) {
                                                 const int o = b * lanes;
                                                 detail::lstm_update<Tier, V>(g, prev + hp + o, state + o, state + hp + o);
                                             });
}

}  // namespace nofold::nn
