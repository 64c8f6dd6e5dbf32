// nofold::nn::detail — the recurrent kernel shared by LstmLayer and GruLayer: a register-blocked GEMV
// over the columns of [x; h] whose per-batch gate sums go to a cell update (lstm.hpp, gru.hpp), and the
// halved-row sigmoid both cells use.
// Units: none. Latency: none. Allocates: never. RT-safe: everything.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "../../config.hpp"
#include "../../math/exp_log.hpp"
#include "../../math/tanh.hpp"
#include "../../math/tier.hpp"
#include "../../simd/simd.hpp"

namespace nofold::nn::detail {

/// Register blocking of the recurrent GEMV: each pass over the columns of [x; h] serves recurrent_tiles
/// batches of hidden units (one broadcast of x_j / h_j feeds all of them: on AVX2 the broadcasts are a
/// fifth of the loads, and loads bound the 1 × 40 step), with recurrent_chains independent accumulator
/// chains per batch (a step is latency-bound: h(t) feeds the GEMV of t + 1). 4 accumulators per batch
/// and chain: 8 with 8 lanes (AVX2 has 16 vector registers; measured against 1 batch × 2 chains:
/// 1x16 −4 %, 1x40 −5 %; 1 batch × 3 chains was 5-10 % slower than × 2), 16 with 32 registers
/// (AVX-512, NEON). A last batch that has no partner runs alone with recurrent_tiles × more chains.
template <class V>
inline constexpr int recurrent_tiles = 2;
template <class V>
inline constexpr int recurrent_chains = simd::lanes<V> == 8 || simd::lanes<V> == 1 ? 1 : 2;

// Gate and cell functions in the formulas of the NAM Core build each tier reproduces
// (docs/model-formats.md §3), because a recurrence integrates every difference in rounding: with
// ½ + ½·tanh(x/2) gates or a one-formula tanh, equally accurate, the shared LSTM drifted to −109.4 dB
// from Core's default render (issue 17); with the C library's formulas below, −118.9 dB (default
// x86-64 flags) in a scalar model of the kernel.

/// tanh of a recurrent cell. Exact: the C library's classic two-branch form that Core's tanhf
/// evaluates, with math::expm1 (≤ 2 ULP): a = |x|, tanh a = 1 − 2/(expm1(2a) + 2) for a ≥ 1 and
/// −t/(t + 2), t = expm1(−2a), below (one expm1 and one division: the branch picks the argument and
/// the numerator). Within 3 ULP; ±inf give ±1, NaN propagates. Fast and NamCompat: math::Tanh<Tier>.
template <class Tier, class V>
inline V recurrent_tanh(const V& x) noexcept {
    if constexpr (std::is_same_v<Tier, math::Exact>) {
        const V a = simd::min(simd::broadcast<V>(9.5f), simd::abs(x));  // tanh rounds to 1 from 9.01
        const auto big = a >= simd::broadcast<V>(1.0f);
        const V two_a = a + a;
        const V t = math::expm1(simd::select(big, two_a, -two_a));
        const V q = simd::select(big, simd::broadcast<V>(2.0f), -t) / (t + simd::broadcast<V>(2.0f));
        const V z = simd::select(big, simd::broadcast<V>(1.0f) - q, q);
        return simd::select(x < V(0.0f), -z, z);
    } else {
        return math::Tanh<Tier>{}(x);
    }
}

/// σ(2u) for a gate whose pre-activation was stored halved (u = x/2, exact). Exact: Core's default
/// 1/(1 + e^−x) (e^−x by math::exp, ≤ 2 ULP; the sum and the quotient add ½ ULP each, no cancellation
/// for either sign, e^−x = +inf gives 0). Fast and NamCompat: ½ + ½·tanh(u), Core's fast_sigmoid under
/// enable_fast_tanh() (one tanh of the tier, max abs error ≤ 2e-6 for Fast).
template <class Tier, class V>
inline V sigmoid_of_half(const V& u) noexcept {
    if constexpr (std::is_same_v<Tier, math::Exact>) {
        const V one = simd::broadcast<V>(1.0f);
        return one / (one + math::exp(-(u + u)));
    } else {
        const V half = simd::broadcast<V>(0.5f);
        return simd::fma(half, math::Tanh<Tier>{}(u), half);
    }
}

/// Pre-activations of T consecutive batches of hidden units, K chains each: sink(t, sum) receives, for
/// batch t, sum[q] = (Σ w·[x; h]) + bias_q for the Acc accumulators q (the bias added last). The tile of batch
/// t starts at w + t·tile: nx columns of GX × lanes floats (gate q < GX − 1 into accumulator q, the last
/// into LX), then nh columns of GH × lanes (the last gate into LH); its biases at bias + t·bias_stride.
template <class V, int T, int K, int Acc, int GX, int LX, int GH, int LH, class Sink>
inline void recurrent_preactivations(const float* w, std::size_t tile, const float* bias, std::size_t bias_stride,
                                     const float* x, int nx, const float* h, int nh, Sink&& sink) noexcept {
    constexpr int lanes = simd::lanes<V>;
    // The unroll pragmas keep a[][][] in registers at -O2 too: GCC 12 unrolls these small loops fully only
    // at -O3 by itself, and left on the stack the accumulators made -O2 builds 1.5-2x slower.
    V a[T][K][Acc];
NOFOLD_UNROLL(4)
    for (int t = 0; t < T; ++t)
NOFOLD_UNROLL(4)
        for (int q = 0; q < Acc; ++q) {
NOFOLD_UNROLL(4)
            for (int k = 0; k < K; ++k) a[t][k][q] = V(0.0f);
        }
    // column j feeds chain j mod K of every batch
    const auto columns = [&](const float* wc, const float* v, int n, auto gates, auto last) {
        constexpr int G = decltype(gates)::value, L = decltype(last)::value;
        const auto column = [&](int j, int k) {  // column j into chain k of every batch
            const V s = simd::broadcast<V>(v[j]);
NOFOLD_UNROLL(4)
            for (int t = 0; t < T; ++t)
NOFOLD_UNROLL(4)
                for (int q = 0; q < G; ++q) {
                    V& acc = a[t][k][q + 1 < G ? q : L];
                    acc = simd::fma(s, simd::load_aligned<V>(wc + t * tile + static_cast<std::size_t>((j * G + q) * lanes)), acc);
                }
        };
        int j = 0;
        for (; j + K <= n; j += K)
NOFOLD_UNROLL(4)
            for (int k = 0; k < K; ++k) column(j + k, k);
        for (int k = 0; j + k < n; ++k) column(j + k, k);
    };
    columns(w, x, nx, std::integral_constant<int, GX>{}, std::integral_constant<int, LX>{});
    columns(w + nx * GX * lanes, h, nh, std::integral_constant<int, GH>{}, std::integral_constant<int, LH>{});
NOFOLD_UNROLL(4)
    for (int t = 0; t < T; ++t) {
        V sum[Acc];
NOFOLD_UNROLL(4)
        for (int q = 0; q < Acc; ++q) {
            sum[q] = a[t][0][q];
NOFOLD_UNROLL(4)
            for (int k = 1; k < K; ++k) sum[q] = sum[q] + a[t][k][q];
            // the bias last, as W·[x; h] + b is evaluated by NAM Core (and PyTorch)
            sum[q] = sum[q] + simd::load_aligned<V>(bias + t * bias_stride + static_cast<std::size_t>(q * lanes));
        }
        sink(t, sum);
    }
}

/// One pass of the blocked GEMV over `count` ≤ recurrent_tiles batches (see recurrent_preactivations):
/// sink(t, sums) receives the Acc pre-activation sums of the pass's batch t.
template <class V, int Acc, int GX, int LX, int GH, int LH, class Sink>
inline void recurrent_pass(int count, const float* w, std::size_t tile, const float* bias, std::size_t bias_stride,
                           const float* x, int nx, const float* h, int nh, Sink&& sink) noexcept {
    constexpr int T = recurrent_tiles<V>, K = recurrent_chains<V>;
    static_assert(T == 1 || T == 2, "recurrent_pass: recurrent_tiles must be 1 or 2");
    if (count == T || T == 1) {
        recurrent_preactivations<V, T, K, Acc, GX, LX, GH, LH>(w, tile, bias, bias_stride, x, nx, h, nh, sink);
    } else {
        recurrent_preactivations<V, 1, K * T, Acc, GX, LX, GH, LH>(w, tile, bias, bias_stride, x, nx, h, nh, sink);
    }
}

/// Runs the Acc-accumulator GEMV of every batch of a recurrent cell and update(b, sums) for batch b.
/// Sizes of at most recurrent_tiles batches go in one pass and hand the sums over in registers; larger
/// ones store them in g (Acc × lanes floats per batch) and run the updates of pass p − 1 after the GEMV
/// of pass p (skewed), so the latency-bound nonlinearities overlap the load/FMA-bound GEMV.
template <class V, int Acc, int GX, int LX, int GH, int LH, class Update>
inline void recurrent_step(int batches, const float* w, std::size_t tile, const float* bias, std::size_t bias_stride,
                           const float* x, int nx, const float* h, int nh, float* g, Update&& update) noexcept {
    constexpr int lanes = simd::lanes<V>, T = recurrent_tiles<V>;
    const auto bias_of = [&](int b) { return bias + static_cast<std::size_t>(b) * bias_stride; };
    if (batches <= T) {
        recurrent_pass<V, Acc, GX, LX, GH, LH>(batches, w, tile, bias_of(0), bias_stride, x, nx, h, nh, update);
        return;
    }
    const int passes = (batches + T - 1) / T;
    for (int p = 0; p <= passes; ++p) {
        if (p < passes) {
            const int b0 = p * T;
            float* gp = g + static_cast<std::size_t>(b0 * Acc * lanes);
            recurrent_pass<V, Acc, GX, LX, GH, LH>(std::min(T, batches - b0), w + static_cast<std::size_t>(b0) * tile, tile,
                                                   bias_of(b0), bias_stride, x, nx, h, nh, [gp](int t, const V(&sum)[Acc]) {
NOFOLD_UNROLL(4)
                                                       for (int q = 0; q < Acc; ++q)
                                                           simd::store_aligned(gp + (t * Acc + q) * lanes, sum[q]);
                                                   });
        }
        if (p > 0)
            for (int b = (p - 1) * T; b < std::min(p * T, batches); ++b) {
                V sum[Acc];
NOFOLD_UNROLL(4)
                for (int q = 0; q < Acc; ++q) sum[q] = simd::load_aligned<V>(g + (b * Acc + q) * lanes);
                update(b, sum);
            }
    }
}

}  // namespace nofold::nn::detail
