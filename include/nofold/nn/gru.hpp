// nofold::nn — GruLayer: a PyTorch-convention GRU cell with compile-time or run-time sizes.
//
// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) (the hidden bias of n inside the reset product),
// h' = (1 − z) ⊙ n + z ⊙ h. Gate order r, z, n.
// Kernel (detail/recurrent_step.hpp, shared with LstmLayer): four accumulators per batch of `lanes`
// hidden units (r, z, input part of n, hidden part of n), two batches per pass over the columns, stored to a scratch; the nonlinearities
// of a pass run after the GEMV of the next. The rows and biases of r and z are stored halved (exact);
// the gates and tanh follow the formulas of the tier (detail::sigmoid_of_half, recurrent_tanh).
// Weight layout (tile-major): for each hidden batch, the x columns (r, z, n × lanes floats each), then
// the h columns (r, z, n), then 4 × lanes biases (b_ir + b_hr, b_iz + b_hz halved; b_in; b_hn).
// Template parameters: In, Hidden (sizes or nn::dynamic). Units: none. Latency: 0.
// Allocates: configure() of dynamic shapes only. RT-safe: step, initial_state.
// Reference: docs/model-formats.md §7.
#pragma once

#include <algorithm>
#include <cstddef>

#include "../math/tanh.hpp"
#include "../simd/simd.hpp"
#include "detail/recurrent_step.hpp"
#include "detail/storage.hpp"
#include "../math/tier.hpp"

namespace nofold::nn {

/// One GRU cell layer. Use in nn::Recurrent / nn::GruModel.
template <int In = dynamic, int Hidden = dynamic>
class GruLayer {
public:
    using V = simd::float_batch;
    static constexpr int lanes = simd::lanes<V>;
    static constexpr int hp_static = detail::round_up(Hidden, lanes);
    static constexpr int in_static = In;
    /// State layout: h, Hp floats (aligned); Hp = H rounded up to the lane count.
    static constexpr int state_vectors = 1;

    GruLayer() {
        if constexpr (In != dynamic && Hidden != dynamic) configure(In, Hidden);
    }
    /// Sizes (must equal In/Hidden when those are static). Allocates for dynamic shapes.
    void configure(int in, int hidden);
    int input_size() const noexcept { return in_; }
    int hidden_size() const noexcept { return h_; }
    int padded_hidden() const noexcept { return hp_; }
    /// Reads W_ih [3H][I], W_hh [3H][H], b_ih (3H), b_hh (3H); returns the pointer after them.
    const float* set_weights(const float* w) noexcept;
    std::size_t weight_count() const noexcept { return static_cast<std::size_t>(3 * h_ * (in_ + h_) + 6 * h_); }
    double flops() const noexcept { return 2.0 * 3 * h_ * (in_ + h_); }
    void initial_state(float* state) const noexcept { std::fill(state, state + hp_, 0.0f); }
    /// state = cell(x, prev) with the gates in Tier (math::Exact, Fast or NamCompat); `state` must not
    /// alias `prev`.
    template <class Tier>
    NOFOLD_REALTIME void step(const float* x, const float* prev, float* state) const noexcept;
    std::size_t heap_bytes() const noexcept { return w_.heap_bytes() + g_.heap_bytes(); }

private:
    std::size_t tile_floats() const noexcept { return static_cast<std::size_t>((3 * (in_ + h_) + 4) * lanes); }
    float* tile(int b) noexcept { return w_.data() + static_cast<std::size_t>(b) * tile_floats(); }

    int in_ = 0, h_ = 0, hp_ = 0;
    detail::Storage<detail::product(detail::sum(detail::product(3, detail::sum(In, Hidden)), 4), hp_static)> w_;
    mutable detail::Storage<detail::product(4, hp_static)> g_;  // pre-activations of the current step
};

// ---------------------------------------------------------------------------------------------------
namespace detail {

/// GRU state update of one batch from its pre-activations g (r, z halved; n input part; n hidden part).
template <class Tier, class V>
inline void gru_update(const V (&g)[4], const float* h_prev, float* h_out) noexcept {
    const V r = sigmoid_of_half<Tier>(g[0]);
    const V z = sigmoid_of_half<Tier>(g[1]);
    const V n = recurrent_tanh<Tier>(simd::fma(r, g[3], g[2]));
    simd::store_aligned(h_out, simd::fma(z, simd::load_aligned<V>(h_prev) - n, n));
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------------
template <int In, int Hidden>
void GruLayer<In, Hidden>::configure(int in, int hidden) {
    in_ = extent<In>(in);
    h_ = extent<Hidden>(hidden);
    hp_ = (h_ + lanes - 1) / lanes * lanes;
    w_.resize(static_cast<std::size_t>(hp_ / lanes) * tile_floats());
    g_.resize(static_cast<std::size_t>(4 * hp_));
    w_.fill(0.0f);
    g_.fill(0.0f);
}

template <int In, int Hidden>
const float* GruLayer<In, Hidden>::set_weights(const float* w) noexcept {
    w_.fill(0.0f);
    // Row r = gate·H + j goes to tile j / lanes, lane j % lanes; r and z (gates 0, 1) halved.
    const auto scale = [](int gate) { return gate == 2 ? 1.0f : 0.5f; };
    const auto put = [&](std::size_t offset, int r, float v) {
        const int gate = r / h_, j = r % h_;
        tile(j / lanes)[offset + static_cast<std::size_t>(gate * lanes + j % lanes)] += scale(gate) * v;
    };
    const std::size_t x_cols = 0, h_cols = static_cast<std::size_t>(3 * in_ * lanes);
    const std::size_t bias = static_cast<std::size_t>(3 * (in_ + h_) * lanes);
    for (int r = 0; r < 3 * h_; ++r)
        for (int c = 0; c < in_; ++c) put(x_cols + static_cast<std::size_t>(3 * c * lanes), r, *w++);
    for (int r = 0; r < 3 * h_; ++r)
        for (int c = 0; c < h_; ++c) put(h_cols + static_cast<std::size_t>(3 * c * lanes), r, *w++);
    for (int r = 0; r < 3 * h_; ++r) put(bias, r, *w++);  // b_ih: r, z sums start here; b_in in slot 2
    for (int r = 0; r < 3 * h_; ++r) {                    // b_hh: r, z added; b_hn to slot 3
        const bool n_gate = r / h_ == 2;
        put(bias + (n_gate ? static_cast<std::size_t>(lanes) : 0), r, *w++);
    }
    return w;
}

template <int In, int Hidden>
template <class Tier>
[[gnu::flatten]] void GruLayer<In, Hidden>::step(const float* x, const float* prev, float* state) const noexcept {
    const int nx = extent<In>(in_), nh = extent<Hidden>(h_), hp = extent<hp_static>(hp_);
    const std::size_t tile = static_cast<std::size_t>((3 * (nx + nh) + 4) * lanes);
    const std::size_t biases = static_cast<std::size_t>(3 * (nx + nh) * lanes);  // offset in a tile
    detail::recurrent_step<V, 4, 3, 2, 3, 3>(hp / lanes, w_.data(), tile, w_.data() + biases, tile, x, nx, prev, nh, g_.data(),
                                             [&](int b, const V(&g)[4]) {
                                                 const int o = b * lanes;
                                                 detail::gru_update<Tier, V>(g, prev + o, state + o);
                                             });
}

}  // namespace nofold::nn
