// nofold::nn — LstmLayer and Lstm: PyTorch-convention LSTM cells and the NAM LSTM model
// (layers of cells, then a 1 × H output layer), with compile-time or run-time sizes.
//
// Cell: ifgo = W·[x; h] + b, c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'). The gate vector is
// computed with SIMD over gate rows: W is stored transposed ([I + H][4·Hp], each gate block padded to
// Hp = H rounded up to the lane count), so a step is (I + H) broadcast-FMAs over 4·Hp/lanes batches.
// Rate factor L: the state fed back is the one of L samples ago (s_t = cell(x_t, s_{t−L})); fractional
// L interpolates linearly between the two neighbouring stored states.
//
// Template parameters: In, Hidden, Layers: sizes or nn::dynamic; MaxRate: largest rate factor for
// static shapes (the state ring length). Units: samples at the running rate.
// Latency: 0. Allocates: configure() of dynamic shapes only. RT-safe: process, reset, prewarm,
// set_rate_factor.
// Reference: ../shared/specs/model-formats.md §1.2 (weights i, f, g, o; bias; h0, c0; output layer).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "../simd/simd.hpp"
#include "../math/sigmoid.hpp"
#include "../math/tanh.hpp"
#include "detail/storage.hpp"
#include "math_mode.hpp"

namespace nofold::nn {

namespace detail {
/// The catalogue tier a recurrent cell's gates use: exact → math::Exact, fast → math::Fast, nam →
/// math::NamCompat (Fasttanh and ½·(fasttanh(x/2) + 1), what NAM Core's LSTM computes with fast tanh on).
/// Calls fn(tier tag) once, so the per-gate code is compiled per tier with no branch inside.
template <class Fn>
inline void with_gate_tier(MathMode mode, Fn&& fn) noexcept {
    switch (mode) {
        case MathMode::fast: fn(math::Fast{}); return;
        case MathMode::nam: fn(math::NamCompat{}); return;
        case MathMode::exact:
        default: fn(math::Exact{}); return;
    }
}
// g[0, nb·lanes) = bias + Σ_j wt[j]·x[j] (j < nx) + Σ_j wt[nx + j]·h[j] (j < nh); wt rows `stride`
// floats apart. Up to 4 batches per pass; from 16 h columns on, two accumulator chains (even and odd
// h columns) summed at the end: a step is latency-bound (h feeds the next step), and two chains halve
// the dependent FMAs.
template <class V, int NB>
inline void gemv_tile(const float* wt, std::size_t stride, const float* bias, const float* x, int nx, const float* h, int nh,
                      float* g) noexcept {
    constexpr int lanes = simd::lanes<V>;
    V acc[NB], odd[NB];
    for (int b = 0; b < NB; ++b) {
        acc[b] = simd::load_aligned<V>(bias + b * lanes);
        odd[b] = V(0.0f);
    }
    for (int j = 0; j < nx; ++j) {
        const V s = simd::broadcast<V>(x[j]);
        const float* w = wt + static_cast<std::size_t>(j) * stride;
        for (int b = 0; b < NB; ++b) acc[b] = simd::fma(s, simd::load_aligned<V>(w + b * lanes), acc[b]);
    }
    int j = 0;
    for (; nh >= 16 && j + 2 <= nh; j += 2) {
        const V s0 = simd::broadcast<V>(h[j]);
        const V s1 = simd::broadcast<V>(h[j + 1]);
        const float* w0 = wt + static_cast<std::size_t>(nx + j) * stride;
        const float* w1 = w0 + stride;
        for (int b = 0; b < NB; ++b) {
            acc[b] = simd::fma(s0, simd::load_aligned<V>(w0 + b * lanes), acc[b]);
            odd[b] = simd::fma(s1, simd::load_aligned<V>(w1 + b * lanes), odd[b]);
        }
    }
    for (; j < nh; ++j) {
        const V s = simd::broadcast<V>(h[j]);
        const float* w = wt + static_cast<std::size_t>(nx + j) * stride;
        for (int b = 0; b < NB; ++b) acc[b] = simd::fma(s, simd::load_aligned<V>(w + b * lanes), acc[b]);
    }
    for (int b = 0; b < NB; ++b) simd::store_aligned(g + b * lanes, acc[b] + odd[b]);
}

template <class V>
inline void gemv(const float* wt, std::size_t stride, int batches, const float* bias, const float* x, int nx, const float* h,
                 int nh, float* g) noexcept {
    constexpr int lanes = simd::lanes<V>;
    int b = 0;
    for (; b + 4 <= batches; b += 4) gemv_tile<V, 4>(wt + b * lanes, stride, bias + b * lanes, x, nx, h, nh, g + b * lanes);
    const float* w = wt + b * lanes;
    switch (batches - b) {
        case 3: gemv_tile<V, 3>(w, stride, bias + b * lanes, x, nx, h, nh, g + b * lanes); break;
        case 2: gemv_tile<V, 2>(w, stride, bias + b * lanes, x, nx, h, nh, g + b * lanes); break;
        case 1: gemv_tile<V, 1>(w, stride, bias + b * lanes, x, nx, h, nh, g + b * lanes); break;
        default: break;
    }
}
}  // namespace detail

/// One LSTM cell layer.
template <int In = dynamic, int Hidden = dynamic>
class LstmLayer {
public:
    using V = simd::float_batch;
    static constexpr int lanes = simd::lanes<V>;
    static constexpr int hp_static = detail::round_up(Hidden, lanes);

    LstmLayer() {
        if constexpr (In != dynamic && Hidden != dynamic) configure(In, Hidden);
    }
    /// Sizes (must equal In/Hidden when those are static). Allocates for dynamic shapes.
    void configure(int in, int hidden) {
        in_ = extent<In>(in);
        h_ = extent<Hidden>(hidden);
        hp_ = (h_ + lanes - 1) / lanes * lanes;
        wt_.resize(static_cast<std::size_t>((in_ + h_) * 4 * hp_));
        b_.resize(static_cast<std::size_t>(4 * hp_));
        g_.resize(static_cast<std::size_t>(4 * hp_));
        h0_.resize(static_cast<std::size_t>(hp_));
        c0_.resize(static_cast<std::size_t>(hp_));
        wt_.fill(0.0f);
        b_.fill(0.0f);
        h0_.fill(0.0f);
        c0_.fill(0.0f);
    }
    int input_size() const noexcept { return in_; }
    int hidden_size() const noexcept { return h_; }
    int padded_hidden() const noexcept { return hp_; }
    /// Reads the NAM order (matrix [4H][I+H], bias 4H, h0 H, c0 H); returns the pointer after them.
    const float* set_weights(const float* w) noexcept {
        const int cols = in_ + h_;
        for (int r = 0; r < 4 * h_; ++r) {
            const int gate = r / h_, j = r % h_;
            for (int c = 0; c < cols; ++c) wt_.data()[c * 4 * hp_ + gate * hp_ + j] = *w++;
        }
        for (int r = 0; r < 4 * h_; ++r) b_.data()[(r / h_) * hp_ + r % h_] = *w++;
        for (int j = 0; j < h_; ++j) h0_.data()[j] = *w++;
        for (int j = 0; j < h_; ++j) c0_.data()[j] = *w++;
        return w;
    }
    std::size_t weight_count() const noexcept { return static_cast<std::size_t>(4 * h_ * (in_ + h_) + 6 * h_); }
    double flops() const noexcept { return 2.0 * 4 * h_ * (in_ + h_); }
    const float* h0() const noexcept { return h0_.data(); }
    const float* c0() const noexcept { return c0_.data(); }

    /// State layout: [h | c], Hp floats each (aligned).
    static constexpr int state_vectors = 2;
    void initial_state(float* state) const noexcept {
        std::copy(h0_.data(), h0_.data() + hp_, state);
        std::copy(c0_.data(), c0_.data() + hp_, state + hp_);
    }
    /// state = cell(x, prev); `state` must not alias `prev`. The hidden output is state[0, H).
    NOFOLD_REALTIME void step(const float* x, const float* prev, float* state, MathMode mode) const noexcept {
        const float* h_prev = prev;
        const float* c_prev = prev + hp_;
        float* h = state;
        float* c = state + hp_;
        float* g = g_.data();
        const int hp = extent<hp_static>(hp_);
        detail::gemv<V>(wt_.data(), static_cast<std::size_t>(4 * hp), 4 * hp / lanes, b_.data(), x, extent<In>(in_), h_prev,
                        extent<Hidden>(h_), g);
        detail::with_gate_tier(mode, [&](auto tier) {
            using Tier = decltype(tier);
            const math::Sigmoid<Tier> sigmoid{};
            const math::Tanh<Tier> tanh{};
            for (int b = 0; b < hp_ / lanes; ++b) {
                const int o = b * lanes;
                const V i = sigmoid(simd::load_aligned<V>(g + o));
                const V f = sigmoid(simd::load_aligned<V>(g + hp_ + o));
                const V gg = tanh(simd::load_aligned<V>(g + 2 * hp_ + o));
                const V og = sigmoid(simd::load_aligned<V>(g + 3 * hp_ + o));
                const V cn = simd::fma(f, simd::load_aligned<V>(c_prev + o), i * gg);
                simd::store_aligned(c + o, cn);
                simd::store_aligned(h + o, og * tanh(cn));
            }
        });
    }
    std::size_t heap_bytes() const noexcept {
        return wt_.heap_bytes() + b_.heap_bytes() + g_.heap_bytes() + h0_.heap_bytes() + c0_.heap_bytes();
    }

private:
    int in_ = 0, h_ = 0, hp_ = 0;
    detail::Storage<detail::product(detail::sum(In, Hidden), detail::product(4, hp_static))> wt_;
    detail::Storage<detail::product(4, hp_static)> b_;
    mutable detail::Storage<detail::product(4, hp_static)> g_;
    detail::Storage<hp_static> h0_, c0_;
};

}  // namespace nofold::nn
