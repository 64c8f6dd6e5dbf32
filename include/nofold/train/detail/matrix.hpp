// nofold::train::detail — the three products a convolutional layer's training step is made of, over
// rows of T (float or double) that run along time, vectorised over time and register-tiled:
//
//     multiply_add             y[r][t] += Σ_c w[r][c] · x_c[t]       forward (conv, 1×1, rechannel, head)
//     multiply_add_wt          d_c[t]  += Σ_r w[r][c] · a_r[t]       backward to the inputs (Wᵀ · dA)
//     multiply_add_outer       g[r][c] += Σ_t a_r[t] · x_c[t]         backward to the weights (dA · Xᵀ)
//
// The inputs x_c and outputs d_c are given as one pointer per column, so a dilated convolution needs no
// gathered copy: column j·K + k of a conv is the input row j shifted by its tap offset (a pointer offset
// into a row with enough zero padding before it). Columns of multiply_add_wt may overlap (the taps of
// one input row): they are accumulated one after another, never in parallel.
//
// Sums over time (multiply_add_outer) run in SIMD lanes and then across them, so their rounding differs
// from a left-to-right loop; it is the same for the same n on the same build, so training stays
// deterministic. Template parameter: T. Units: frames. Allocates: never. RT-safe: everything.
#pragma once

#include <cstddef>

#include "../../config.hpp"
#include "../../math/block.hpp"
#include "../../simd/simd.hpp"

namespace nofold::train::detail {

template <class T>
using batch_of = math::batch_t<T>;

/// y[r·ldy + t] += Σ_{c < cols} w[r·ldw + c] · x[c][t], r < rows, t < n.
template <class T>
void multiply_add(const T* w, int ldw, int rows, int cols, const T* const* x, T* y, std::size_t ldy, int n) noexcept {
    using V = batch_of<T>;
    constexpr int L = simd::lanes<V>;
    constexpr int RB = 4, TB = 2;
    const int whole = n / (L * TB) * (L * TB);
    int r = 0;
    for (; r + RB <= rows; r += RB) {
        for (int t = 0; t < whole; t += L * TB) {
            V acc[RB][TB];
            NOFOLD_UNROLL(4)
            for (int i = 0; i < RB; ++i)
                NOFOLD_UNROLL(2)
                for (int b = 0; b < TB; ++b) acc[i][b] = simd::load<V>(y + static_cast<std::size_t>(r + i) * ldy + t + b * L);
            for (int c = 0; c < cols; ++c) {
                V xv[TB];
                NOFOLD_UNROLL(2)
                for (int b = 0; b < TB; ++b) xv[b] = simd::load<V>(x[c] + t + b * L);
                NOFOLD_UNROLL(4)
                for (int i = 0; i < RB; ++i) {
                    const V wv = simd::broadcast<V>(w[(r + i) * ldw + c]);
                    NOFOLD_UNROLL(2)
                    for (int b = 0; b < TB; ++b) acc[i][b] = simd::fma(wv, xv[b], acc[i][b]);
                }
            }
            NOFOLD_UNROLL(4)
            for (int i = 0; i < RB; ++i)
                NOFOLD_UNROLL(2)
                for (int b = 0; b < TB; ++b) simd::store(y + static_cast<std::size_t>(r + i) * ldy + t + b * L, acc[i][b]);
        }
    }
    // the rows left over, and the frames after the last whole tile, one lane at a time
    for (int i = 0; i < rows; ++i) {
        T* yr = y + static_cast<std::size_t>(i) * ldy;
        const int from = i < r ? whole : 0;
        for (int c = 0; c < cols; ++c) {
            const T wc = w[i * ldw + c];
            const T* xc = x[c];
            for (int t = from; t < n; ++t) yr[t] = simd::fma(wc, xc[t], yr[t]);
        }
    }
}

/// d[c][t] += Σ_{r < rows} w[r·ldw + c] · a[r·lda + t], c < cols (in order), t < n.
template <class T>
void multiply_add_wt(const T* w, int ldw, int rows, int cols, const T* a, std::size_t lda, T* const* d, int n) noexcept {
    using V = batch_of<T>;
    constexpr int L = simd::lanes<V>;
    constexpr int TB = 4;
    const int whole = n / (L * TB) * (L * TB);
    for (int c = 0; c < cols; ++c) {
        T* dc = d[c];
        for (int t = 0; t < whole; t += L * TB) {
            V acc[TB];
            NOFOLD_UNROLL(4)
            for (int b = 0; b < TB; ++b) acc[b] = simd::load<V>(dc + t + b * L);
            for (int r = 0; r < rows; ++r) {
                const V wv = simd::broadcast<V>(w[r * ldw + c]);
                const T* ar = a + static_cast<std::size_t>(r) * lda + t;
                NOFOLD_UNROLL(4)
                for (int b = 0; b < TB; ++b) acc[b] = simd::fma(wv, simd::load<V>(ar + b * L), acc[b]);
            }
            NOFOLD_UNROLL(4)
            for (int b = 0; b < TB; ++b) simd::store(dc + t + b * L, acc[b]);
        }
        for (int t = whole; t < n; ++t) {
            T s = dc[t];
            for (int r = 0; r < rows; ++r) s = simd::fma(w[r * ldw + c], a[static_cast<std::size_t>(r) * lda + t], s);
            dc[t] = s;
        }
    }
}

/// g[r·ldg + c] += Σ_{t < n} a[r·lda + t] · x[c][t], r < rows, c < cols.
template <class T>
void multiply_add_outer(const T* a, std::size_t lda, int rows, const T* const* x, int cols, T* g, int ldg, int n) noexcept {
    using V = batch_of<T>;
    constexpr int L = simd::lanes<V>;
    constexpr int RB = 2, CB = 4;
    const int whole = n / L * L;
    auto tail = [&](int r, int c) {
        const T* ar = a + static_cast<std::size_t>(r) * lda;
        T s = 0;
        for (int t = whole; t < n; ++t) s = simd::fma(ar[t], x[c][t], s);
        return s;
    };
    int r = 0;
    for (; r < rows; r += RB) {
        const int rb = rows - r < RB ? rows - r : RB;
        int c = 0;
        for (; c < cols; c += CB) {
            const int cb = cols - c < CB ? cols - c : CB;
            if (rb == RB && cb == CB) {
                V acc[RB][CB];
                NOFOLD_UNROLL(2)
                for (int i = 0; i < RB; ++i)
                    NOFOLD_UNROLL(4)
                    for (int j = 0; j < CB; ++j) acc[i][j] = simd::broadcast<V>(T(0));
                const T* a0 = a + static_cast<std::size_t>(r) * lda;
                const T* a1 = a0 + lda;
                for (int t = 0; t < whole; t += L) {
                    const V av[RB] = {simd::load<V>(a0 + t), simd::load<V>(a1 + t)};
                    NOFOLD_UNROLL(4)
                    for (int j = 0; j < CB; ++j) {
                        const V xv = simd::load<V>(x[c + j] + t);
                        acc[0][j] = simd::fma(av[0], xv, acc[0][j]);
                        acc[1][j] = simd::fma(av[1], xv, acc[1][j]);
                    }
                }
                for (int i = 0; i < RB; ++i)
                    for (int j = 0; j < CB; ++j) g[(r + i) * ldg + c + j] += simd::reduce_add(acc[i][j]) + tail(r + i, c + j);
            } else {
                for (int i = 0; i < rb; ++i)
                    for (int j = 0; j < cb; ++j) {
                        const T* ar = a + static_cast<std::size_t>(r + i) * lda;
                        const T* xc = x[c + j];
                        V acc = simd::broadcast<V>(T(0));
                        for (int t = 0; t < whole; t += L) acc = simd::fma(simd::load<V>(ar + t), simd::load<V>(xc + t), acc);
                        g[(r + i) * ldg + c + j] += simd::reduce_add(acc) + tail(r + i, c + j);
                    }
            }
        }
    }
}

}  // namespace nofold::train::detail
