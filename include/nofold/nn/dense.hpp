// nofold::nn — Dense: y += W · x over a chunk of frames, channel-major (the kernel under every layer).
//
// Signals inside nofold models are chunks of up to nofold::chunk_frames frames stored channel-major:
// row c holds channel c for consecutive frames, rows `ld` floats apart, aligned to nofold::alignment.
// A 1×1 convolution, a dense layer and (after gathering the taps, see history.hpp) a dilated
// convolution are all the same product `Y[rows][frames] += W[rows][cols] · X[cols][frames]`, computed
// with SIMD over time: every weight is broadcast and multiplies a batch of consecutive frames, so the
// kernel is the same for any channel count (3, 8, 16, ...) and any lane count (1, 4, 8, 16).
//
// Template parameters: V is the value type (float, or nofold::simd::float_batch); Rows and Cols are
// compile-time extents or nn::dynamic. Units: frames, channels. Latency: none.
// Allocates: never. RT-safe: all functions.
#pragma once

#include "../simd/simd.hpp"
#include "extent.hpp"

namespace nofold::nn {

/// Whether the X rows of a product are aligned to nofold::alignment (Y rows always are).
enum class XAlignment { aligned, unaligned };

/// Y[r][t] += Σ_c W[r·ldw + c] · X[c·ldx + t] for r < rows, t < batches·lanes<V>.
/// Y rows (and X rows unless XAlign is unaligned) must be aligned to nofold::alignment and hold
/// batches·lanes<V> floats.
template <class V, int Rows = dynamic, int Cols = dynamic, XAlignment XAlign = XAlignment::aligned>
void dense_accumulate(const float* w, int ldw, int rows, int cols, const float* x, int ldx, float* y, int ldy,
                      int batches) noexcept;

/// Y[r][t] = bias[r] + Σ_c W[r·ldw + c] · X[c·ldx + t] (bias null: 0), the same rounding as fill_rows
/// followed by dense_accumulate, in one pass.
template <class V, int Rows = dynamic, int Cols = dynamic, XAlignment XAlign = XAlignment::aligned>
void dense_bias(const float* w, int ldw, int rows, int cols, const float* bias, const float* x, int ldx, float* y, int ldy,
                int batches) noexcept;

/// Y[r][t] = Y[r][t] + (bias[r] + Σ_c W[r·ldw + c] · X[c·ldx + t]): a residual update whose product is
/// rounded on its own before the add (as a separate r = bias + W·x; y = y + r would). X must not alias Y.
template <class V, int Rows = dynamic, int Cols = dynamic>
void dense_bias_residual(const float* w, int ldw, int rows, int cols, const float* bias, const float* x, int ldx, float* y,
                         int ldy, int batches) noexcept;

/// Y[r][t] = bias[r] (or 0 when bias is null) for r < rows, t < batches·lanes<V>.
template <class V>
void fill_rows(const float* bias, int rows, float* y, int ldy, int batches) noexcept;

/// Number of V batches that cover `frames` frames.
template <class V>
constexpr int batches_for(int frames) noexcept {
    return (frames + simd::lanes<V> - 1) / simd::lanes<V>;
}

// ------------------------------------------------------------------------------------------------
namespace detail {

template <class V, XAlignment XAlign>
inline V load_x(const float* p) noexcept {
    if constexpr (XAlign == XAlignment::aligned) {
        return simd::load_aligned<V>(p);
    } else {
        return simd::load<V>(p);
    }
}

/// One column of a register tile: acc[r][b] += w[r·ldw] · x[b·lanes] (the step every product kernel
/// repeats; tap_conv.hpp uses it too, so both round identically).
template <class V, XAlignment XAlign, int RB, int TB>
inline void fma_column(const float* w, int ldw, const float* x, V (&acc)[RB][TB]) noexcept {
    constexpr int lanes = simd::lanes<V>;
    V xv[TB];
    // fully unrolled at every optimisation level: -O2 does not unroll these on its own, and the
    // accumulators then live in memory (A1 standard ran 2x slower)
NOFOLD_UNROLL(16)
    for (int b = 0; b < TB; ++b) xv[b] = load_x<V, XAlign>(x + b * lanes);
NOFOLD_UNROLL(16)
    for (int r = 0; r < RB; ++r) {
        const V wv = simd::broadcast<V>(w[r * ldw]);
NOFOLD_UNROLL(16)
        for (int b = 0; b < TB; ++b) acc[r][b] = simd::fma(wv, xv[b], acc[r][b]);
    }
}

enum class DenseMode { accumulate, bias, bias_residual };

template <class V, int RB, int TB, int Cols, XAlignment XAlign, DenseMode Mode>
inline void dense_tile(const float* w, int ldw, int cols, const float* bias, const float* x, int ldx, float* y, int ldy,
                       int t0) noexcept {
    constexpr int lanes = simd::lanes<V>;
    const int nc = extent<Cols>(cols);
    V acc[RB][TB];
NOFOLD_UNROLL(16)
    for (int r = 0; r < RB; ++r) {
        if constexpr (Mode == DenseMode::accumulate) {
NOFOLD_UNROLL(16)
            for (int b = 0; b < TB; ++b) acc[r][b] = simd::load_aligned<V>(y + r * ldy + t0 + b * lanes);
        } else {
            const V v = simd::broadcast<V>(bias ? bias[r] : 0.0f);
NOFOLD_UNROLL(16)
            for (int b = 0; b < TB; ++b) acc[r][b] = v;
        }
    }
    if constexpr (Cols != dynamic) {  // compile-time width: unrolled (the loop costs a third of a column)
NOFOLD_UNROLL(4)
        for (int c = 0; c < nc; ++c) fma_column<V, XAlign>(w + c, ldw, x + c * ldx + t0, acc);
    } else {  // run-time width (runtime::WaveNet): unrolling with a remainder measured slower for short rows
        for (int c = 0; c < nc; ++c) fma_column<V, XAlign>(w + c, ldw, x + c * ldx + t0, acc);
    }
NOFOLD_UNROLL(16)
    for (int r = 0; r < RB; ++r)
NOFOLD_UNROLL(16)
        for (int b = 0; b < TB; ++b) {
            float* p = y + r * ldy + t0 + b * lanes;
            if constexpr (Mode == DenseMode::bias_residual) {
                simd::store_aligned(p, simd::load_aligned<V>(p) + acc[r][b]);
            } else {
                simd::store_aligned(p, acc[r][b]);
            }
        }
}

template <class V, int RB, int Cols, XAlignment XAlign, DenseMode Mode>
inline void dense_row_block(const float* w, int ldw, int cols, const float* bias, const float* x, int ldx, float* y, int ldy,
                            int batches) noexcept {
    constexpr int lanes = simd::lanes<V>;
    constexpr int tb = RB >= 4 ? 3 : 4;
    // time tiles of tb batches; the last 4 (when tb = 3) as 2 + 2, never a lone 1 after a full tile
    int b = 0;
    for (; batches - b >= tb + (tb == 3 ? 2 : 0) || batches - b == tb; b += tb)
        dense_tile<V, RB, tb, Cols, XAlign, Mode>(w, ldw, cols, bias, x, ldx, y, ldy, b * lanes);
    for (; batches - b >= 2; b += 2) dense_tile<V, RB, 2, Cols, XAlign, Mode>(w, ldw, cols, bias, x, ldx, y, ldy, b * lanes);
    if (b < batches) dense_tile<V, RB, 1, Cols, XAlign, Mode>(w, ldw, cols, bias, x, ldx, y, ldy, b * lanes);
}

}  // namespace detail

namespace detail {
template <class V, int Rows, int Cols, XAlignment XAlign, DenseMode Mode>
inline void dense_rows(const float* w, int ldw, int rows, int cols, const float* bias, const float* x, int ldx, float* y, int ldy,
                       int batches) noexcept {
    const int nr = extent<Rows>(rows);
    auto off = [](const float* b, int r) { return b ? b + r : nullptr; };
    int r = 0;
    for (; r + 4 <= nr; r += 4)
        dense_row_block<V, 4, Cols, XAlign, Mode>(w + r * ldw, ldw, cols, off(bias, r), x, ldx, y + r * ldy, ldy, batches);
    switch (nr - r) {
        case 3: dense_row_block<V, 3, Cols, XAlign, Mode>(w + r * ldw, ldw, cols, off(bias, r), x, ldx, y + r * ldy, ldy, batches); break;
        case 2: dense_row_block<V, 2, Cols, XAlign, Mode>(w + r * ldw, ldw, cols, off(bias, r), x, ldx, y + r * ldy, ldy, batches); break;
        case 1: dense_row_block<V, 1, Cols, XAlign, Mode>(w + r * ldw, ldw, cols, off(bias, r), x, ldx, y + r * ldy, ldy, batches); break;
        default: break;
    }
}
}  // namespace detail

template <class V, int Rows, int Cols, XAlignment XAlign>
void dense_accumulate(const float* w, int ldw, int rows, int cols, const float* x, int ldx, float* y, int ldy,
                      int batches) noexcept {
    detail::dense_rows<V, Rows, Cols, XAlign, detail::DenseMode::accumulate>(w, ldw, rows, cols, nullptr, x, ldx, y, ldy, batches);
}

template <class V, int Rows, int Cols, XAlignment XAlign>
void dense_bias(const float* w, int ldw, int rows, int cols, const float* bias, const float* x, int ldx, float* y, int ldy,
                int batches) noexcept {
    detail::dense_rows<V, Rows, Cols, XAlign, detail::DenseMode::bias>(w, ldw, rows, cols, bias, x, ldx, y, ldy, batches);
}

template <class V, int Rows, int Cols>
void dense_bias_residual(const float* w, int ldw, int rows, int cols, const float* bias, const float* x, int ldx, float* y,
                         int ldy, int batches) noexcept {
    detail::dense_rows<V, Rows, Cols, XAlignment::aligned, detail::DenseMode::bias_residual>(w, ldw, rows, cols, bias, x, ldx, y,
                                                                                            ldy, batches);
}

template <class V>
void fill_rows(const float* bias, int rows, float* y, int ldy, int batches) noexcept {
    constexpr int lanes = simd::lanes<V>;
    for (int r = 0; r < rows; ++r) {
        const V v = simd::broadcast<V>(bias ? bias[r] : 0.0f);
        for (int b = 0; b < batches; ++b) simd::store_aligned(y + r * ldy + b * lanes, v);
    }
}

}  // namespace nofold::nn
