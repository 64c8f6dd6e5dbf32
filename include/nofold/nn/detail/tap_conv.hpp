// nofold::nn::detail — tap_conv: a whole causal dilated convolution of one chunk (K taps plus extra
// rows of the current input, e.g. a WaveNet layer's input mixin) in one register-tiled pass, with a
// caller-supplied epilogue that sees every output vector once while it is still in registers.
//
//     y[r][t] = bias[r] + Σ_k Σ_c W[r][k·C + c] · x_c[t − o_k]  (+ Σ_e W[r][K·C + e] · cur[C + e][t])
//
// Taps 0 … K−2 are past taps read through PastTap (a delay line plus the current chunk for the frames
// that fall inside it); tap K−1 is the current chunk itself (offset 0), whose rows are followed by the
// `Extra` rows of the mixin input (same leading dimension), so the weight columns run on without a gap:
// [W_0 … W_{K−1} | W_mix], exactly the column order of a dense product over gathered taps. The
// multiply-adds are done in that column order from the bias, so the result is bit-identical to
// fill_rows + dense_accumulate over a gathered tap matrix (nn/dense.hpp).
//
// Time is tiled in groups of TB batches (outer loop), output rows in register blocks of RB (inner loop),
// so a tile's tap windows are resolved once and reused by every row block. A window that lies in one
// contiguous piece of memory (inside the delay line without wrapping, or inside the current chunk) is read
// in place; one that straddles the ring's end or the ring/chunk boundary is copied to a small stack buffer
// for that tile only (at most (K−1)·C·TB·lanes floats of stack).
//
// Template parameters: V (float or simd::float_batch), Rows (output rows), C (rows per tap), K (taps),
// Extra (rows after the current tap's C rows). The weight rows are K·C + Extra floats apart. Units: frames, channels; offsets in samples at the
// running rate. Latency: none. Allocates: never (stack only). RT-safe: all functions.
#pragma once

#include <algorithm>
#include <type_traits>
#include <utility>

#include "../../config.hpp"
#include "../../simd/simd.hpp"
#include "../dense.hpp"
#include "../history.hpp"

namespace nofold::nn::detail {

/// A past tap of a chunk: frame t of channel c is rings[c·span + (start + t) mod span] while t < offset,
/// else cur[c·ldc + t − offset] (the current chunk). start = (write position − offset) mod span.
struct PastTap {
    const float* rings;
    int span;
    int start;
    int offset;
};

/// The PastTap for `offset` samples back, given channel-major rings of `span` floats whose next write
/// position is `pos`. Requires 0 < offset ≤ span.
inline PastTap past_tap(const float* rings, int span, int pos, int offset) noexcept {
    int start = pos - offset;
    if (start < 0) start += span;
    return PastTap{rings, span, start, offset};
}

/// acc[r][b] += Σ_{c < N} w[r·ldw + c] · x[c·ld + b·lanes], columns in order.
template <class V, int RB, int TB, int N, int ldw>
NOFOLD_ALWAYS_INLINE void accumulate_columns(const float* w, const float* x, int ld, V (&acc)[RB][TB]) noexcept {
NOFOLD_UNROLL(4)
    for (int c = 0; c < N; ++c) fma_column<V, XAlignment::unaligned>(w + c, ldw, x + c * ld, acc);
}

/// One register tile: RB rows × TB batches, taps read from src[k] (already at the tile's first frame).
template <class V, int RB, int TB, int C, int K, int Extra, class Epilogue>
NOFOLD_ALWAYS_INLINE void tap_tile(const float* w, const float* bias, const float* const* src, const int* ld, Epilogue& ep, int r0,
                     int t0) noexcept {
    constexpr int lanes = simd::lanes<V>;
    constexpr int ldw = K * C + Extra;
    V acc[RB][TB];  // in registers: every loop over it is fully unrolled (see fma_column)
NOFOLD_UNROLL(16)
    for (int r = 0; r < RB; ++r) {
        const V v = simd::broadcast<V>(bias ? bias[r] : 0.0f);
NOFOLD_UNROLL(16)
        for (int b = 0; b < TB; ++b) acc[r][b] = v;
    }
NOFOLD_UNROLL(16)
    for (int k = 0; k + 1 < K; ++k) accumulate_columns<V, RB, TB, C, ldw>(w + k * C, src[k], ld[k], acc);
    accumulate_columns<V, RB, TB, C + Extra, ldw>(w + (K - 1) * C, src[K - 1], ld[K - 1], acc);
NOFOLD_UNROLL(16)
    for (int r = 0; r < RB; ++r)
NOFOLD_UNROLL(16)
        for (int b = 0; b < TB; ++b) ep(r0 + r, t0 + b * lanes, acc[r][b]);
}

/// Where tap `p` of frames [t0, t0 + width) can be read: in place, or copied to `buf` (C rows of width).
template <int C>
inline void resolve_tap(const PastTap& p, const float* cur, int ldc, int before, int t0, int width, float* buf,
                        const float*& src, int& ld) noexcept {
    const int o = p.offset;
    if (t0 >= o || o <= before) {  // all from the current chunk (and the history stored in front of it)
        src = cur + (t0 - o);
        ld = ldc;
        return;
    }
    int idx = p.start + t0;
    if (idx >= p.span) idx -= p.span;
    if (t0 + width <= o && idx + width <= p.span) {  // all from the ring, no wrap
        src = p.rings + idx;
        ld = p.span;
        return;
    }
    const int from_ring = std::min(o, t0 + width) - t0;
    const int first = std::min(from_ring, p.span - idx);
    for (int c = 0; c < C; ++c) {
        const float* ring = p.rings + c * p.span;
        float* dst = buf + c * width;
        copy_floats(ring + idx, first, dst);
        copy_floats(ring, from_ring - first, dst + first);
        copy_floats(cur + c * ldc, width - from_ring, dst + from_ring);
    }
    src = buf;
    ld = width;
}

/// Output rows in register blocks of at most MaxRB rows, as equal as possible (16 rows with MaxRB 6:
/// 6 + 5 + 5), so that every block keeps about RB·TB accumulators busy. Block i starts at row R0.
template <int Rows, int MaxRB>
struct RowBlocks {
    static constexpr int count = (Rows + MaxRB - 1) / MaxRB;
    static constexpr int size(int i) noexcept { return Rows / count + (i < Rows % count ? 1 : 0); }
    static constexpr int start(int i) noexcept { return i * (Rows / count) + std::min(i, Rows % count); }
};

template <class V, int Rows, int MaxRB, int TB, int C, int K, int Extra, class Epilogue, std::size_t... I>
NOFOLD_ALWAYS_INLINE void tap_row_blocks(const float* w, const float* bias, const float* const* src, const int* ld, Epilogue& ep, int t0,
                           std::index_sequence<I...>) noexcept {
    using B = RowBlocks<Rows, MaxRB>;
    constexpr int ldw = K * C + Extra;
    (tap_tile<V, B::size(static_cast<int>(I)), TB, C, K, Extra>(w + B::start(static_cast<int>(I)) * ldw,
                                                                 bias ? bias + B::start(static_cast<int>(I)) : nullptr, src, ld,
                                                                 ep, B::start(static_cast<int>(I)), t0),
     ...);
}

template <class V, int Rows, int MaxRB, int TB, int C, int K, int Extra, class Epilogue>
NOFOLD_ALWAYS_INLINE void tap_time_tile(const float* w, const float* bias, const PastTap* past, const float* cur, int ldc, int before,
                          Epilogue& ep, int t0) noexcept {
    constexpr int lanes = simd::lanes<V>;
    constexpr int width = TB * lanes;
    alignas(64) float buf[(K > 1 ? K - 1 : 1) * C * width];
    const float* src[K];
    int ld[K];
    for (int k = 0; k + 1 < K; ++k) resolve_tap<C>(past[k], cur, ldc, before, t0, width, buf + k * C * width, src[k], ld[k]);
    src[K - 1] = cur + t0;
    ld[K - 1] = ldc;
    tap_row_blocks<V, Rows, MaxRB, TB, C, K, Extra>(w, bias, src, ld, ep, t0,
                                                     std::make_index_sequence<static_cast<std::size_t>(RowBlocks<Rows, MaxRB>::count)>{});
}

/// The convolution over nb batches of the chunk (see the header comment); `past` holds K−1 taps,
/// `cur` has C + Extra rows `ldc` floats apart, and its first C rows are preceded by `before` floats of
/// history (cur[c·ldc − j] = x_c[−j] for j ≤ before; taps at most that far back are read in place);
/// ep(row, frame, value) receives each output vector.
/// w rows are K·C + Extra floats apart; bias may be null (0).
template <class V, int Rows, int C, int K, int Extra, class Epilogue>
NOFOLD_ALWAYS_INLINE void tap_conv(const float* w, const float* bias, const PastTap* past, const float* cur, int ldc, int before, int nb,
                     Epilogue&& ep) noexcept {
    static_assert(Rows >= 1 && C >= 1 && K >= 1 && Extra >= 0, "nofold: tap_conv needs Rows, C, K >= 1 and Extra >= 0");
    constexpr int lanes = simd::lanes<V>;
    // 2 batches × up to 6 rows (≤ 12 accumulators plus 2 x loads and a broadcast weight in 16 registers:
    // enough independent chains to cover the FMA latency), or for 3 rows or fewer 3–4 batches
    constexpr int TB = Rows >= 4 ? 2 : (Rows == 3 ? 3 : 4);
    constexpr int MaxRB = Rows >= 4 ? 6 : Rows;
    int b = 0;
    for (; b + TB <= nb; b += TB) tap_time_tile<V, Rows, MaxRB, TB, C, K, Extra>(w, bias, past, cur, ldc, before, ep, b * lanes);
    for (; b < nb; ++b) tap_time_tile<V, Rows, MaxRB, 1, C, K, Extra>(w, bias, past, cur, ldc, before, ep, b * lanes);
}

}  // namespace nofold::nn::detail
