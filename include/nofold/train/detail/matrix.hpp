// nofold::train::detail — the three products a convolutional layer's training step is made of, over
// rows of T (float or double) that run along time, vectorised over time and register-tiled:
//
//     multiply_add             y[r][t] += Σ_c w[r][c] · x_c[t]       forward (conv, 1×1, rechannel, head)
//     multiply_add_wt          d_c[t]  += Σ_r w[r][c] · a_r[t]       backward to the inputs (Wᵀ · dA;
//                                                                  _columns: weights by column pointer)
//     multiply_add_outer       g[r][c] += Σ_t a_r[t] · x_c[t]         backward to the weights (dA · Xᵀ)
//
// and the matrix–vector product a recurrent cell's step is made of, forward and backward:
//
//     column_sum               y[r]    += Σ_c w[c][r] · v[c]           a gate vector from the transposed
//                                                                    weights; Wᵀ · d from the weights
//
// The inputs x_c and outputs d_c are given as one pointer per column, so a dilated convolution needs no
// gathered copy: column j·K + k of a conv is the input row j shifted by its tap offset (a pointer offset
// into a row with enough zero padding before it). Columns of multiply_add_wt may overlap (the taps of
// one input row): those are accumulated one after another, never in parallel.
//
// Sums over time (multiply_add_outer) run in SIMD lanes and then across them, so their rounding differs
// from a left-to-right loop; it is the same for the same n on the same build, so training stays
// deterministic. Template parameter: T. Units: frames. Allocates: never. RT-safe: everything.
#pragma once

#include <cstddef>
#include <type_traits>

#include "../../config.hpp"
#include "../../math/block.hpp"
#include "../../simd/simd.hpp"

namespace nofold::train::detail {

/// Frames per pass of the products below: each runs over time in passes of this many frames, so that a
/// pass's slices of every row (16 rows × 192 floats = 12 KiB) stay in the level-1 cache while each tile
/// of rows and columns goes over them, instead of streaming whole frames from further out once per tile.
/// A multiple of every time tile below (2, 3 and 4 batches of 4, 8 or 16 lanes), so that only a frame's
/// last pass has a remainder. The weight-gradient product, which reduces its lanes after each pass,
/// takes passes four times as long.
inline constexpr int time_chunk = 192;

/// Rows [r, r + RB) of multiply_add_chunk over its whole time tiles [0, whole): RB × 3 vectors of y in
/// registers over every column.
template <int RB, class T>
void multiply_add_rows(const T* w, int ldw, int r, int cols, const T* const* x, std::size_t t0, T* y, std::size_t ldy,
                       int whole, const T* set, const T* base) noexcept {
    using V = math::batch_t<T>;
    constexpr int L = simd::lanes<V>;
    constexpr int TB = 3;
    for (int t = 0; t < whole; t += L * TB) {
        V acc[RB][TB];
        NOFOLD_UNROLL(4)
        for (int i = 0; i < RB; ++i)
            NOFOLD_UNROLL(3)
            for (int b = 0; b < TB; ++b) {
                const std::size_t at = static_cast<std::size_t>(r + i) * ldy + static_cast<std::size_t>(t + b * L);
                if (base)
                    acc[i][b] = simd::load<V>(base + at) + simd::broadcast<V>(set[r + i]);
                else
                    acc[i][b] = set ? simd::broadcast<V>(set[r + i]) : simd::load<V>(y + at);
            }
        for (int c = 0; c < cols; ++c) {
            V xv[TB];
            NOFOLD_UNROLL(3)
            for (int b = 0; b < TB; ++b) xv[b] = simd::load<V>(x[c] + t0 + static_cast<std::size_t>(t + b * L));
            NOFOLD_UNROLL(4)
            for (int i = 0; i < RB; ++i) {
                const V wv = simd::broadcast<V>(w[(r + i) * ldw + c]);
                NOFOLD_UNROLL(3)
                for (int b = 0; b < TB; ++b) acc[i][b] = simd::fma(wv, xv[b], acc[i][b]);
            }
        }
        NOFOLD_UNROLL(4)
        for (int i = 0; i < RB; ++i)
            NOFOLD_UNROLL(3)
            for (int b = 0; b < TB; ++b) simd::store(y + static_cast<std::size_t>(r + i) * ldy + static_cast<std::size_t>(t + b * L), acc[i][b]);
    }
}

/// The chunk [t0, t0 + n) of multiply_add (x[c] read from t0 on; y points at frame t0): rows four at a
/// time, then two, then one (small arrays, 2 or 3 channels, stay vectorised over time).
template <class T>
void multiply_add_chunk(const T* w, int ldw, int rows, int cols, const T* const* x, std::size_t t0, T* y, std::size_t ldy,
                        int n, const T* set, const T* base) noexcept {
    constexpr int L = simd::lanes<math::batch_t<T>>;
    const int whole = n / (L * 3) * (L * 3);
    int r = 0;
    for (; r + 4 <= rows; r += 4) multiply_add_rows<4>(w, ldw, r, cols, x, t0, y, ldy, whole, set, base);
    if (r + 2 <= rows) {
        multiply_add_rows<2>(w, ldw, r, cols, x, t0, y, ldy, whole, set, base);
        r += 2;
    }
    if (r < rows) multiply_add_rows<1>(w, ldw, r, cols, x, t0, y, ldy, whole, set, base);
    // the frames after the last whole tile, one lane at a time
    for (int i = 0; i < rows; ++i) {
        T* yr = y + static_cast<std::size_t>(i) * ldy;
        if (base)
            for (int t = whole; t < n; ++t) yr[t] = base[static_cast<std::size_t>(i) * ldy + static_cast<std::size_t>(t)] + set[i];
        else if (set)
            for (int t = whole; t < n; ++t) yr[t] = set[i];
        for (int c = 0; c < cols; ++c) {
            const T wc = w[i * ldw + c];
            const T* xc = x[c] + t0;
            for (int t = whole; t < n; ++t) yr[t] = simd::fma(wc, xc[t], yr[t]);
        }
    }
}

/// y[r·ldy + t] += Σ_{c < cols} w[r·ldw + c] · x[c][t], r < rows, t < n; with `set`, y[r·ldy + t] =
/// set[r] + that sum instead (y's old values unused); with `base` too (rows ldy apart, like y),
/// base[r·ldy + t] + set[r] + that sum.
template <class T>
void multiply_add(const T* w, int ldw, int rows, int cols, const T* const* x, T* y, std::size_t ldy, int n,
                  const T* set = nullptr, const T* base = nullptr) noexcept {
    for (int t0 = 0; t0 < n; t0 += time_chunk) {
        const int m = n - t0 < time_chunk ? n - t0 : time_chunk;
        multiply_add_chunk(w, ldw, rows, cols, x, static_cast<std::size_t>(t0), y + t0, ldy, m, set, base ? base + t0 : nullptr);
    }
}

/// The chunk [t0, t0 + n) of multiply_add_wt_columns (a points at frame t0; d[c] written from t0 on).
template <class T>
void multiply_add_wt_chunk(const T* const* w, int ldw, int rows, int cols, const T* a, std::size_t lda, T* const* d,
                           std::size_t t0, int n) noexcept {
    using V = math::batch_t<T>;
    constexpr int L = simd::lanes<V>;
    constexpr int TB = 4, CB = 4, TB4 = 3;
    const int whole = n / (L * TB) * (L * TB);
    const int whole4 = n / (L * TB4) * (L * TB4);
    // columns c … c + CB − 1 may be tiled together when their ranges [d[c] + t0, + n) do not meet
    const auto apart = [&](int c) {
        for (int i = 0; i < CB; ++i)
            for (int j = i + 1; j < CB; ++j) {
                const T* p = d[c + i] + t0;
                const T* q = d[c + j] + t0;
                if (p < q + n && q < p + n) return false;
            }
        return true;
    };
    int c = 0;
    while (c < cols) {
        if (c + CB <= cols && whole4 > 0 && apart(c)) {
            T* dc[CB];
            const T* wc[CB];
            for (int i = 0; i < CB; ++i) {
                dc[i] = d[c + i] + t0;
                wc[i] = w[c + i];
            }
            for (int t = 0; t < whole4; t += L * TB4) {
                V acc[CB][TB4];
                NOFOLD_UNROLL(4)
                for (int i = 0; i < CB; ++i)
                    NOFOLD_UNROLL(3)
                    for (int b = 0; b < TB4; ++b) acc[i][b] = simd::load<V>(dc[i] + t + b * L);
                for (int r = 0; r < rows; ++r) {
                    const T* ar = a + static_cast<std::size_t>(r) * lda + t;
                    V av[TB4];
                    NOFOLD_UNROLL(3)
                    for (int b = 0; b < TB4; ++b) av[b] = simd::load<V>(ar + b * L);
                    NOFOLD_UNROLL(4)
                    for (int i = 0; i < CB; ++i) {
                        const V wv = simd::broadcast<V>(wc[i][r * ldw]);
                        NOFOLD_UNROLL(3)
                        for (int b = 0; b < TB4; ++b) acc[i][b] = simd::fma(wv, av[b], acc[i][b]);
                    }
                }
                NOFOLD_UNROLL(4)
                for (int i = 0; i < CB; ++i)
                    NOFOLD_UNROLL(3)
                    for (int b = 0; b < TB4; ++b) simd::store(dc[i] + t + b * L, acc[i][b]);
            }
            int from = whole4;
            for (; from + L <= n; from += L)
                for (int i = 0; i < CB; ++i) {
                    V acc = simd::load<V>(dc[i] + from);
                    for (int r = 0; r < rows; ++r)
                        acc = simd::fma(simd::broadcast<V>(wc[i][r * ldw]), simd::load<V>(a + static_cast<std::size_t>(r) * lda + from), acc);
                    simd::store(dc[i] + from, acc);
                }
            for (int i = 0; i < CB; ++i)
                for (int t = from; t < n; ++t) {
                    T s = dc[i][t];
                    for (int r = 0; r < rows; ++r) s = simd::fma(wc[i][r * ldw], a[static_cast<std::size_t>(r) * lda + t], s);
                    dc[i][t] = s;
                }
            c += CB;
            continue;
        }
        T* dc = d[c] + t0;
        const T* wc = w[c];
        for (int t = 0; t < whole; t += L * TB) {
            V acc[TB];
            NOFOLD_UNROLL(4)
            for (int b = 0; b < TB; ++b) acc[b] = simd::load<V>(dc + t + b * L);
            for (int r = 0; r < rows; ++r) {
                const V wv = simd::broadcast<V>(wc[r * ldw]);
                const T* ar = a + static_cast<std::size_t>(r) * lda + t;
                NOFOLD_UNROLL(4)
                for (int b = 0; b < TB; ++b) acc[b] = simd::fma(wv, simd::load<V>(ar + b * L), acc[b]);
            }
            NOFOLD_UNROLL(4)
            for (int b = 0; b < TB; ++b) simd::store(dc + t + b * L, acc[b]);
        }
        for (int t = whole; t < n; ++t) {
            T s = dc[t];
            for (int r = 0; r < rows; ++r) s = simd::fma(wc[r * ldw], a[static_cast<std::size_t>(r) * lda + t], s);
            dc[t] = s;
        }
        ++c;
    }
}

/// d[c][t] += Σ_{r < rows} w[c][r·ldw] · a[r·lda + t], c < cols, t < n: column c's weights are
/// w[c][0], w[c][ldw], …. Columns whose outputs overlap are accumulated in order, one after another;
/// four at a time where they do not (a convolution lists its columns tap by tap so that they don't).
template <class T>
void multiply_add_wt_columns(const T* const* w, int ldw, int rows, int cols, const T* a, std::size_t lda, T* const* d,
                             int n) noexcept {
    for (int t0 = 0; t0 < n; t0 += time_chunk) {
        const int m = n - t0 < time_chunk ? n - t0 : time_chunk;
        multiply_add_wt_chunk(w, ldw, rows, cols, a + t0, lda, d, static_cast<std::size_t>(t0), m);
    }
}

/// d[c][t] += Σ_{r < rows} w[r·ldw + c] · a[r·lda + t], c < cols (at most max_columns), t < n.
inline constexpr int max_columns = 512;
template <class T>
void multiply_add_wt(const T* w, int ldw, int rows, int cols, const T* a, std::size_t lda, T* const* d, int n) noexcept {
    const T* wc[max_columns] = {};
    for (int c = 0; c < cols && c < max_columns; ++c) wc[c] = w + c;
    multiply_add_wt_columns(wc, ldw, rows, cols < max_columns ? cols : max_columns, a, lda, d, n);
}

/// The chunk [t0, t0 + n) of multiply_add_outer (a points at frame t0; x[c] read from t0 on).
/// g[(r + i)·ldg + c + j] += Σ_{t < n} a_{r+i}[t] · x_{c+j}[t] for an RB × CB tile: RB × CB sums in
/// registers over the whole vectors of time, then across lanes, plus the frames after them.
template <int RB, int CB, class T>
void multiply_add_outer_tile(const T* a, std::size_t lda, int r, const T* const* x, std::size_t t0, int c, T* g, int ldg,
                             int n) noexcept {
    using V = math::batch_t<T>;
    constexpr int L = simd::lanes<V>;
    const int whole = n / L * L;
    V acc[RB][CB];
    NOFOLD_UNROLL(4)
    for (int i = 0; i < RB; ++i)
        NOFOLD_UNROLL(3)
        for (int j = 0; j < CB; ++j) acc[i][j] = simd::broadcast<V>(T(0));
    const T* ar[RB];
    for (int i = 0; i < RB; ++i) ar[i] = a + static_cast<std::size_t>(r + i) * lda;
    const T* xc[CB];
    for (int j = 0; j < CB; ++j) xc[j] = x[c + j] + t0;
    for (int t = 0; t < whole; t += L) {
        V xv[CB];
        NOFOLD_UNROLL(3)
        for (int j = 0; j < CB; ++j) xv[j] = simd::load<V>(xc[j] + t);
        NOFOLD_UNROLL(4)
        for (int i = 0; i < RB; ++i) {
            const V av = simd::load<V>(ar[i] + t);
            NOFOLD_UNROLL(3)
            for (int j = 0; j < CB; ++j) acc[i][j] = simd::fma(av, xv[j], acc[i][j]);
        }
    }
    for (int i = 0; i < RB; ++i)
        for (int j = 0; j < CB; ++j) {
            T s = 0;
            for (int t = whole; t < n; ++t) s = simd::fma(ar[i][t], xc[j][t], s);
            g[(r + i) * ldg + c + j] += simd::reduce_add(acc[i][j]) + s;
        }
}

/// The chunk [t0, t0 + n) of multiply_add_outer (a points at frame t0; x[c] read from t0 on): tiles of
/// 4, 2 or 1 rows × 3 columns; the columns left over (fewer than 3) one sum at a time, with four
/// independent chains over time.
template <class T>
void multiply_add_outer_chunk(const T* a, std::size_t lda, int rows, const T* const* x, std::size_t t0, int cols, T* g,
                              int ldg, int n) noexcept {
    using V = math::batch_t<T>;
    constexpr int L = simd::lanes<V>;
    constexpr int CB = 3;
    const int whole = n / L * L;
    const int tiled = cols / CB * CB;
    auto row_group = [&](auto rb, int r) {
        constexpr int RB = decltype(rb)::value;
        for (int c = 0; c < tiled; c += CB) multiply_add_outer_tile<RB, CB>(a, lda, r, x, t0, c, g, ldg, n);
    };
    int r = 0;
    for (; r + 4 <= rows; r += 4) row_group(std::integral_constant<int, 4>{}, r);
    if (r + 2 <= rows) {
        row_group(std::integral_constant<int, 2>{}, r);
        r += 2;
    }
    if (r < rows) row_group(std::integral_constant<int, 1>{}, r);
    for (int i = 0; i < rows; ++i)
        for (int j = tiled; j < cols; ++j) {
            const T* ar = a + static_cast<std::size_t>(i) * lda;
            const T* xc = x[j] + t0;
            V acc[4] = {simd::broadcast<V>(T(0)), simd::broadcast<V>(T(0)), simd::broadcast<V>(T(0)), simd::broadcast<V>(T(0))};
            int t = 0;
            for (; t + 4 * L <= whole; t += 4 * L)
                NOFOLD_UNROLL(4)
                for (int b = 0; b < 4; ++b) acc[b] = simd::fma(simd::load<V>(ar + t + b * L), simd::load<V>(xc + t + b * L), acc[b]);
            for (; t < whole; t += L) acc[0] = simd::fma(simd::load<V>(ar + t), simd::load<V>(xc + t), acc[0]);
            T s = 0;
            for (t = whole; t < n; ++t) s = simd::fma(ar[t], xc[t], s);
            g[i * ldg + j] += simd::reduce_add((acc[0] + acc[1]) + (acc[2] + acc[3])) + s;
        }
}

/// g[r·ldg + c] += Σ_{t < n} a[r·lda + t] · x[c][t], r < rows, c < cols (each chunk's sum added in turn).
template <class T>
void multiply_add_outer(const T* a, std::size_t lda, int rows, const T* const* x, int cols, T* g, int ldg, int n) noexcept {
    constexpr int chunk = 4 * time_chunk;
    for (int t0 = 0; t0 < n; t0 += chunk) {
        const int m = n - t0 < chunk ? n - t0 : chunk;
        multiply_add_outer_chunk(a + t0, lda, rows, x, static_cast<std::size_t>(t0), cols, g, ldg, m);
    }
}

/// y[r] += Σ_{c < cols} w[c·ldw + r] · v[c], r < rows: the columns of w (each `rows` long, ldw apart)
/// scaled and summed. With w = a row-major matrix's rows (rows → columns here), this is y += wᵀ · v.
/// Blocks of eight vectors of y stay in registers over every column, so each weight is loaded once and
/// y once per block: eight independent chains of FMAs. The vectors left over (fewer than eight) each
/// split the columns into four chains, summed at the end, so that a short y with many columns (a small
/// recurrent cell's Wᵀ·d) is not one chain of dependent FMAs.
template <class T>
void column_sum(const T* w, int ldw, int rows, int cols, const T* v, T* y) noexcept {
    using V = math::batch_t<T>;
    constexpr int L = simd::lanes<V>;
    constexpr int RB = 8;
    const auto column = [w, ldw](int c) { return w + static_cast<std::size_t>(c) * static_cast<std::size_t>(ldw); };
    int r = 0;
    for (; r + RB * L <= rows; r += RB * L) {
        V acc[RB];
        NOFOLD_UNROLL(8)
        for (int i = 0; i < RB; ++i) acc[i] = simd::load<V>(y + r + i * L);
        for (int c = 0; c < cols; ++c) {
            const V vc = simd::broadcast<V>(v[c]);
            const T* wc = column(c) + r;
            NOFOLD_UNROLL(8)
            for (int i = 0; i < RB; ++i) acc[i] = simd::fma(simd::load<V>(wc + i * L), vc, acc[i]);
        }
        NOFOLD_UNROLL(8)
        for (int i = 0; i < RB; ++i) simd::store(y + r + i * L, acc[i]);
    }
    for (; r + L <= rows; r += L) {
        V acc[4] = {simd::load<V>(y + r), simd::broadcast<V>(T(0)), simd::broadcast<V>(T(0)), simd::broadcast<V>(T(0))};
        int c = 0;
        for (; c + 4 <= cols; c += 4)
            NOFOLD_UNROLL(4)
            for (int k = 0; k < 4; ++k) acc[k] = simd::fma(simd::load<V>(column(c + k) + r), simd::broadcast<V>(v[c + k]), acc[k]);
        for (; c < cols; ++c) acc[0] = simd::fma(simd::load<V>(column(c) + r), simd::broadcast<V>(v[c]), acc[0]);
        simd::store(y + r, (acc[0] + acc[1]) + (acc[2] + acc[3]));
    }
    for (; r < rows; ++r) {
        T s = y[r];
        for (int c = 0; c < cols; ++c) s = simd::fma(column(c)[r], v[c], s);
        y[r] = s;
    }
}

}  // namespace nofold::train::detail
