// nofold::dsp::detail — a small linear time-invariant system advanced a block of steps at a time.
//
// Why: a recursive filter evaluated sample by sample is bound by its feedback (one multiply-add
// per section and sample, a few cycles of latency that no amount of arithmetic throughput can
// hide). Over a block of `block_steps` steps the same system is a pair of matrix products
//     out[0..P) = D · in[0..P) + C · s,        s' = B · in[0..P) + A · s
// whose rows are independent, so they fill SIMD lanes, and the feedback is paid once per block.
// The matrices come from the caller (in double, e.g. by simulating the recursion on unit vectors)
// and are stored in float.
//
// Arithmetic order (what makes every Pack give the same numbers): the terms of output lane t are
// q = 0 .. P-1 (inputs, x_q D[t][q]) then P .. P+S-1 (state words, s_j C[t][j]); term q is
// multiply-added into accumulator q mod K (K = 2 or 4, fixed by the shape), and the K
// accumulators are added pairwise. Inputs after step(t) are skipped (their D is exactly zero by
// causality). State lanes likewise with B and A.
// So Pack = float (one lane at a time) and Pack = simd::float_batch give equal results (up to the
// sign of a zero), and any split of the stream into calls gives the same output as one call: a
// partial block is evaluated with the missing inputs set to zero and the state advanced only when
// the block is complete.
//
// Template parameters: I, O — inputs and outputs per step; S — state words; Pack — float or a
// float batch (lanes over outputs).
// Units: process() counts steps. Allocates: never. RT-safe: process, reset, set_*.
#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

#include "../../config.hpp"
#include "../../simd/ops.hpp"

namespace nofold::dsp::detail {

template <int I, int O, int S, class Pack>
class BlockLti {
    static_assert(I >= 1 && O >= 1 && S >= 1, "BlockLti needs inputs, outputs and state");

public:
    static constexpr int block_steps = 8;
    static constexpr int in_len = block_steps * I;
    static constexpr int out_len = block_steps * O;
    static constexpr int w = simd::lanes<Pack>;
    static constexpr int out_vecs = (out_len + w - 1) / w;
    static constexpr int out_pad = out_vecs * w;
    static constexpr int state_vecs = (S + w - 1) / w;
    static constexpr int state_pad = state_vecs * w;

    /// Column `p` of D and B: the block's outputs and final state for a unit input at index p.
    void set_input_column(int p, const double* outputs, const double* state) noexcept;
    /// Column `j` of C and A: the block's outputs and final state for a unit initial state j.
    void set_state_column(int j, const double* outputs, const double* state) noexcept;
    NOFOLD_REALTIME void reset() noexcept;
    /// Reads steps·I inputs, writes steps·O outputs.
    NOFOLD_REALTIME void process(const float* in, float* out, int steps) noexcept;
    /// The state words, in the caller's order (for tests and for changing coefficients).
    const float* state() const noexcept { return s_.data(); }

private:
    // Inputs that output vector v depends on: those of the steps up to its last lane's step.
    static constexpr int inputs_for(int v) noexcept {
        const int last = (v + 1) * w < out_len ? (v + 1) * w - 1 : out_len - 1;
        return (last / O + 1) * I;
    }
    // Accumulators per vector: enough independent chains to cover the multiply-add latency, few
    // enough to stay in registers. Fixed by the shape, never by the Pack, so all Packs agree.
    static constexpr int K = in_len >= 16 ? 4 : 2;
    enum class Advance { no, yes };
    // Writes the block's out_pad outputs to y from inputs x (and the state); with Advance::yes
    // also moves the state to the end of the block.
    template <Advance Adv>
    void run(const float* x, float* y) noexcept;

    alignas(alignment) std::array<float, in_len * out_pad> d_{};  // d_[p * out_pad + t]
    alignas(alignment) std::array<float, S * out_pad> c_{};       // c_[j * out_pad + t]
    alignas(alignment) std::array<float, in_len * state_pad> b_{};
    alignas(alignment) std::array<float, S * state_pad> a_{};
    alignas(alignment) std::array<float, state_pad> s_{};
    alignas(alignment) std::array<float, in_len> pending_{};  // inputs of a partial block, zeros after
    int filled_ = 0;                                           // steps of the partial block
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
template <int I, int O, int S, class Pack>
void BlockLti<I, O, S, Pack>::set_input_column(int p, const double* outputs, const double* state) noexcept {
    for (int t = 0; t < out_len; ++t)
        d_[static_cast<std::size_t>(p * out_pad + t)] = static_cast<float>(outputs[t]);
    for (int k = 0; k < S; ++k) b_[static_cast<std::size_t>(p * state_pad + k)] = static_cast<float>(state[k]);
}

template <int I, int O, int S, class Pack>
void BlockLti<I, O, S, Pack>::set_state_column(int j, const double* outputs, const double* state) noexcept {
    for (int t = 0; t < out_len; ++t)
        c_[static_cast<std::size_t>(j * out_pad + t)] = static_cast<float>(outputs[t]);
    for (int k = 0; k < S; ++k) a_[static_cast<std::size_t>(j * state_pad + k)] = static_cast<float>(state[k]);
}

template <int I, int O, int S, class Pack>
void BlockLti<I, O, S, Pack>::reset() noexcept {
    s_.fill(0.0f);
    pending_.fill(0.0f);
    filled_ = 0;
}

/// Calls f(std::integral_constant<int, i>{}) for i = 0 .. N-1, unrolled at compile time.
template <class F, int... Is>
inline void static_for_each(F&& f, std::integer_sequence<int, Is...>) noexcept {
    (f(std::integral_constant<int, Is>{}), ...);
}
template <int N, class F>
inline void static_for(F&& f) noexcept {
    static_for_each(f, std::make_integer_sequence<int, N>{});
}

template <int I, int O, int S, class Pack>
template <typename BlockLti<I, O, S, Pack>::Advance Adv>
void BlockLti<I, O, S, Pack>::run(const float* x, float* y) noexcept {
    // One pass over the terms q = 0 .. in_len + S - 1 (inputs, then state words): each is
    // broadcast once and multiply-added into every output and state vector's accumulator q mod K.
    std::array<Pack, K * out_vecs> out_acc;
    std::array<Pack, K * state_vecs> state_acc;
    out_acc.fill(simd::broadcast<Pack>(0.0f));
    state_acc.fill(simd::broadcast<Pack>(0.0f));
    static_for<in_len + S>([&](auto q_constant) {
        constexpr int q = decltype(q_constant)::value;
        constexpr int k = q % K;
        const Pack term = q < in_len ? simd::broadcast<Pack>(x[q < in_len ? q : 0])
                                     : simd::broadcast<Pack>(s_[static_cast<std::size_t>(q < in_len ? 0 : q - in_len)]);
        const float* out_col = q < in_len ? d_.data() + q * out_pad : c_.data() + (q - in_len) * out_pad;
        static_for<out_vecs>([&](auto v_constant) {
            constexpr int v = decltype(v_constant)::value;
            if constexpr (q >= in_len || q < inputs_for(v)) {
                auto& acc = out_acc[static_cast<std::size_t>(v * K + k)];
                acc = simd::fma(term, simd::load_aligned<Pack>(out_col + v * w), acc);
            }
        });
        if constexpr (Adv == Advance::yes) {
            const float* state_col = q < in_len ? b_.data() + q * state_pad : a_.data() + (q - in_len) * state_pad;
            static_for<state_vecs>([&](auto v_constant) {
                constexpr int v = decltype(v_constant)::value;
                auto& acc = state_acc[static_cast<std::size_t>(v * K + k)];
                acc = simd::fma(term, simd::load_aligned<Pack>(state_col + v * w), acc);
            });
        }
    });
    const auto reduce = [](const Pack* acc) {
        if constexpr (K == 2) return acc[0] + acc[1];
        else return (acc[0] + acc[1]) + (acc[2] + acc[3]);
    };
    for (int v = 0; v < out_vecs; ++v) simd::store(y + v * w, reduce(out_acc.data() + v * K));
    if constexpr (Adv == Advance::yes) {
        for (int v = 0; v < state_vecs; ++v)
            simd::store_aligned(s_.data() + v * w, reduce(state_acc.data() + v * K));
    }
}

template <int I, int O, int S, class Pack>
void BlockLti<I, O, S, Pack>::process(const float* in, float* out, int steps) noexcept {
    alignas(alignment) std::array<float, out_pad> y{};
    while (steps > 0) {
        if (filled_ == 0 && steps >= block_steps) {
            if constexpr (out_pad == out_len) {
                run<Advance::yes>(in, out);
            } else {
                run<Advance::yes>(in, y.data());
                std::memcpy(out, y.data(), sizeof(float) * out_len);
            }
            in += in_len;
            out += out_len;
            steps -= block_steps;
            continue;
        }
        const int m = steps < block_steps - filled_ ? steps : block_steps - filled_;
        std::memcpy(pending_.data() + filled_ * I, in, sizeof(float) * static_cast<std::size_t>(m * I));
        const bool complete = filled_ + m == block_steps;
        if (complete) run<Advance::yes>(pending_.data(), y.data());
        else run<Advance::no>(pending_.data(), y.data());
        std::memcpy(out, y.data() + filled_ * O, sizeof(float) * static_cast<std::size_t>(m * O));
        filled_ += m;
        in += m * I;
        out += m * O;
        steps -= m;
        if (complete) {
            pending_.fill(0.0f);
            filled_ = 0;
        }
    }
}

}  // namespace nofold::dsp::detail
