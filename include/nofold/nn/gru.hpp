// nofold::nn — GruLayer: a PyTorch-convention GRU cell with compile-time or run-time sizes.
//
// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) (the hidden bias of n inside the reset product),
// h' = (1 − z) ⊙ n + z ⊙ h. Gate order r, z, n. Matrices stored transposed with gate blocks padded to
// Hp (H rounded up to the lane count): SIMD over gate rows, as in lstm.hpp. Use in nn::Recurrent.
// Template parameters: In, Hidden (sizes or nn::dynamic). Units: none. Latency: 0.
// Allocates: configure() of dynamic shapes only. RT-safe: step, initial_state.
// Reference: ../shared/specs/model-formats.md §2.
#pragma once

#include <algorithm>

#include "../simd/simd.hpp"
#include "detail/storage.hpp"
#include "lstm.hpp"
#include "math_mode.hpp"

namespace nofold::nn {

template <int In = dynamic, int Hidden = dynamic>
class GruLayer {
public:
    using V = simd::float_batch;
    static constexpr int lanes = simd::lanes<V>;
    static constexpr int hp_static = detail::round_up(Hidden, lanes);
    static constexpr int state_vectors = 1;

    GruLayer() {
        if constexpr (In != dynamic && Hidden != dynamic) configure(In, Hidden);
    }
    void configure(int in, int hidden) {
        in_ = extent<In>(in);
        h_ = extent<Hidden>(hidden);
        hp_ = (h_ + lanes - 1) / lanes * lanes;
        wi_.resize(static_cast<std::size_t>(in_ * 3 * hp_));
        wh_.resize(static_cast<std::size_t>(h_ * 3 * hp_));
        bi_.resize(static_cast<std::size_t>(3 * hp_));
        bh_.resize(static_cast<std::size_t>(3 * hp_));
        gi_.resize(static_cast<std::size_t>(3 * hp_));
        gh_.resize(static_cast<std::size_t>(3 * hp_));
        wi_.fill(0.0f);
        wh_.fill(0.0f);
        bi_.fill(0.0f);
        bh_.fill(0.0f);
        gi_.fill(0.0f);
        gh_.fill(0.0f);
    }
    int input_size() const noexcept { return in_; }
    int hidden_size() const noexcept { return h_; }
    int padded_hidden() const noexcept { return hp_; }
    /// Reads W_ih [3H][I], W_hh [3H][H], b_ih (3H), b_hh (3H); returns the pointer after them.
    const float* set_weights(const float* w) noexcept {
        for (int r = 0; r < 3 * h_; ++r)
            for (int c = 0; c < in_; ++c) wi_.data()[c * 3 * hp_ + (r / h_) * hp_ + r % h_] = *w++;
        for (int r = 0; r < 3 * h_; ++r)
            for (int c = 0; c < h_; ++c) wh_.data()[c * 3 * hp_ + (r / h_) * hp_ + r % h_] = *w++;
        for (int r = 0; r < 3 * h_; ++r) bi_.data()[(r / h_) * hp_ + r % h_] = *w++;
        for (int r = 0; r < 3 * h_; ++r) bh_.data()[(r / h_) * hp_ + r % h_] = *w++;
        return w;
    }
    std::size_t weight_count() const noexcept { return static_cast<std::size_t>(3 * h_ * (in_ + h_) + 6 * h_); }
    double flops() const noexcept { return 2.0 * 3 * h_ * (in_ + h_); }
    void initial_state(float* state) const noexcept { std::fill(state, state + hp_, 0.0f); }

    NOFOLD_REALTIME void step(const float* x, const float* prev, float* state, MathMode mode) const noexcept {
        float* gi = gi_.data();
        float* gh = gh_.data();
        const int hp = extent<hp_static>(hp_);
        const std::size_t stride = static_cast<std::size_t>(3 * hp);
        detail::gemv<V>(wi_.data(), stride, 3 * hp / lanes, bi_.data(), x, extent<In>(in_), nullptr, 0, gi);
        detail::gemv<V>(wh_.data(), stride, 3 * hp / lanes, bh_.data(), nullptr, 0, prev, extent<Hidden>(h_), gh);
        detail::with_gate_tier(mode, [&](auto tier) {
            using Tier = decltype(tier);
            const math::Sigmoid<Tier> sigmoid{};
            const math::Tanh<Tier> tanh{};
            for (int b = 0; b < hp_ / lanes; ++b) {
                const int o = b * lanes;
                const V r = sigmoid(simd::load_aligned<V>(gi + o) + simd::load_aligned<V>(gh + o));
                const V z = sigmoid(simd::load_aligned<V>(gi + hp_ + o) + simd::load_aligned<V>(gh + hp_ + o));
                const V n = tanh(simd::fma(r, simd::load_aligned<V>(gh + 2 * hp_ + o), simd::load_aligned<V>(gi + 2 * hp_ + o)));
                const V hprev = simd::load_aligned<V>(prev + o);
                simd::store_aligned(state + o, simd::fma(z, hprev - n, n));
            }
        });
    }
    std::size_t heap_bytes() const noexcept {
        return wi_.heap_bytes() + wh_.heap_bytes() + bi_.heap_bytes() + bh_.heap_bytes() + gi_.heap_bytes() + gh_.heap_bytes();
    }

private:
    int in_ = 0, h_ = 0, hp_ = 0;
    detail::Storage<detail::product(In, detail::product(3, hp_static))> wi_;
    detail::Storage<detail::product(Hidden, detail::product(3, hp_static))> wh_;
    detail::Storage<detail::product(3, hp_static)> bi_, bh_;
    mutable detail::Storage<detail::product(3, hp_static)> gi_, gh_;
};

}  // namespace nofold::nn
