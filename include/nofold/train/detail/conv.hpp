// nofold::train::detail — the causal convolution kernels of the gradient classes (WaveNetGradient,
// ConvNetGradient) in both directions, over channel-major rows of one training frame (row r of a
// matrix at r·N), in the .nam weight order ([out][in / groups][k], tap k on x[t − (K − 1 − k)·d]).
// Ungrouped convolutions run their frames from the largest tap offset on as register-tiled products
// (matrix.hpp: every tap a column pointer into its input row, no gathered copy); the first frames, where
// some taps still reach before t = 0, and grouped convolutions take the plain loops.
// Every kernel computes the frames [t0, N) of its outputs (t0 = 0: all of them; rows stay N apart): a
// frame whose outputs no later frame of the loss reads is never computed (WaveNetGradient's warm-up).
// Template parameter: T (float or double). Units: samples. Allocates: fill_bias when a row grows.
// Reference: docs/model-formats.md §2.2 (weight order).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "../../math/activation.hpp"
#include "../../math/block.hpp"
#include "matrix.hpp"

namespace nofold::train {

namespace detail {

inline std::size_t sz(int v) noexcept { return static_cast<std::size_t>(v); }

/// dst[o][t] += Σ_j Σ_k w[(o·in_g + j)·K + k] · src[(o / out_g)·in_g + j][t − (K − 1 − k)·d]: a causal
/// grouped convolution in the .nam weight order ([out][in / groups][k]), rows N apart, zero before t = 0.
/// Most columns (input rows × taps) a tiled product takes; wider convolutions take the plain loops.
inline constexpr int max_tiled_columns = 512;

/// f(r·N + t) for r < rows, t0 ≤ t < N: an element-wise step over the computed frames of a row matrix.
template <class F>
void each_frame(int rows, std::size_t N, std::size_t t0, F&& f) {
    for (int r = 0; r < rows; ++r)
        for (std::size_t i = sz(r) * N + t0, end = sz(r + 1) * N; i < end; ++i) f(i);
}

/// dst[r][t] = src[r][t] + b[r], r < rows, t0 ≤ t < N (dst may be src).
template <class T>
void add_bias(T* dst, const T* src, const T* b, int rows, std::size_t N, std::size_t t0 = 0) noexcept {
    for (int r = 0; r < rows; ++r) {
        T* row = dst + sz(r) * N;
        const T* in = src + sz(r) * N;
        const T v = b[r];
        for (std::size_t t = t0; t < N; ++t) row[t] = in[t] + v;
    }
}

/// The frames [t0, head) of conv_add, in plain loops.
template <class T>
void conv_add_head(const T* w, int out, int in, int K, int d, int groups, const T* src, T* dst, std::size_t N,
                   std::size_t head, std::size_t t0 = 0) {
    const int in_g = in / groups, out_g = out / groups;
    for (int o = 0; o < out; ++o) {
        T* row = dst + sz(o) * N;
        for (int j = 0; j < in_g; ++j) {
            const T* s = src + sz((o / out_g) * in_g + j) * N;
            for (int k = 0; k < K; ++k) {
                const T wv = w[sz((o * in_g + j) * K + k)];
                const std::size_t off = sz((K - 1 - k) * d);
                for (std::size_t t = std::max(off, t0); t < head; ++t) row[t] += wv * s[t - off];
            }
        }
    }
}

/// Frames [t0, N); with bias_set, dst = bias_set + the convolution (dst's old values unused).
template <class T>
void conv_add(const T* w, int out, int in, int K, int d, int groups, const T* src, T* dst, std::size_t N,
              const T* bias_set = nullptr, std::size_t t0 = 0) {
    const std::size_t tiled = std::max(sz((K - 1) * d), t0);  // the first frame every tap reaches
    std::size_t head = N;  // frames [t0, head) take conv_add_head
    if (groups == 1 && in * K <= max_tiled_columns && N > tiled) {
        const T* cols[max_tiled_columns] = {};  // (initialised: GCC cannot see that the loop fills the first in·K)
        for (int j = 0; j < in; ++j)
            for (int k = 0; k < K; ++k) cols[j * K + k] = src + sz(j) * N + tiled - sz((K - 1 - k) * d);
        multiply_add<T>(w, in * K, out, in * K, cols, dst + tiled, N, static_cast<int>(N - tiled), bias_set);
        head = tiled;
    }
    if (bias_set)
        for (int o = 0; o < out; ++o) std::fill(dst + sz(o) * N + std::min(t0, head), dst + sz(o) * N + head, bias_set[o]);
    conv_add_head(w, out, in, K, d, groups, src, dst, N, head, t0);
}

/// dst[o][t] = base[o][t] + b[o] + Σ_j w[o·in + j]·src[j][t]: a residual 1×1 (ungrouped; `groups` > 1
/// takes add_bias and conv_add).
template <class T>
void residual_1x1(const T* w, const T* b, int out, int in, int groups, const T* src, const T* base, T* dst, std::size_t N,
                  std::size_t t0 = 0) {
    if (groups != 1 || in > max_tiled_columns) {
        add_bias(dst, base, b, out, N, t0);
        conv_add(w, out, in, 1, 1, groups, src, dst, N, static_cast<const T*>(nullptr), t0);
        return;
    }
    if (t0 >= N) return;
    const T* cols[max_tiled_columns] = {};
    for (int j = 0; j < in; ++j) cols[j] = src + sz(j) * N + t0;
    multiply_add<T>(w, in, out, in, cols, dst + t0, N, static_cast<int>(N - t0), b, base + t0);
}

/// dst[o] = b[o] + (the convolution of conv_add, taps K, dilation d, of src's `in` rows) + (the 1×1 of
/// `cin` rows of cond with weights wc, [out][cin]): a layer's z in one product whose last columns are
/// the condition's rows (ungrouped; else conv_add twice). `scratch` holds the joined weight rows.
template <class T>
void conv_mix_set(const T* w, const T* wc, const T* b, int out, int in, int K, int d, const T* src, const T* cond, int cin,
                  T* dst, std::size_t N, std::vector<T>& scratch, std::size_t t0 = 0) {
    const std::size_t tiled = std::max(sz((K - 1) * d), t0);
    const int cols = in * K + cin;
    if (cols > max_tiled_columns || N <= tiled) {
        conv_add(w, out, in, K, d, 1, src, dst, N, b, t0);
        conv_add(wc, out, cin, 1, 1, 1, cond, dst, N, static_cast<const T*>(nullptr), t0);
        return;
    }
    scratch.resize(sz(out) * sz(cols));
    for (int o = 0; o < out; ++o) {
        std::copy(w + sz(o) * sz(in * K), w + sz(o + 1) * sz(in * K), scratch.begin() + static_cast<std::ptrdiff_t>(sz(o) * sz(cols)));
        std::copy(wc + sz(o) * sz(cin), wc + sz(o + 1) * sz(cin),
                  scratch.begin() + static_cast<std::ptrdiff_t>(sz(o) * sz(cols) + sz(in * K)));
    }
    const T* c[max_tiled_columns] = {};
    for (int j = 0; j < in; ++j)
        for (int k = 0; k < K; ++k) c[j * K + k] = src + sz(j) * N + tiled - sz((K - 1 - k) * d);
    for (int m = 0; m < cin; ++m) c[in * K + m] = cond + sz(m) * N + tiled;
    multiply_add<T>(scratch.data(), cols, out, cols, c, dst + tiled, N, static_cast<int>(N - tiled), b);
    for (int o = 0; o < out; ++o) std::fill(dst + sz(o) * N + t0, dst + sz(o) * N + tiled, b[o]);
    conv_add_head(w, out, in, K, d, 1, src, dst, N, tiled, t0);
    conv_add_head(wc, out, cin, 1, 1, 1, cond, dst, N, tiled, t0);
}

/// Σ a[t]·b[t], t < n, in eight interleaved partial sums (so that the compiler can keep them in one
/// vector register: a single running sum is a dependency chain it may not reorder).
template <class T>
T dot(const T* a, const T* b, std::size_t n) noexcept {
    T part[8] = {};
    std::size_t t = 0;
    for (; t + 8 <= n; t += 8)
        for (std::size_t l = 0; l < 8; ++l) part[l] += a[t + l] * b[t + l];
    T s = 0;
    for (; t < n; ++t) s += a[t] * b[t];
    for (std::size_t l = 0; l < 8; ++l) s += part[l];
    return s;
}

/// Reverse of conv_add: gw += dL/dw, and dsrc += dL/dsrc unless null, given dout = dL/ddst over the
/// frames [t0, N) (those conv_add computed; dout before t0 is not read).
template <class T>
void conv_back(const T* w, T* gw, int out, int in, int K, int d, int groups, const T* src, const T* dout, T* dsrc,
               std::size_t N, std::size_t t0 = 0) {
    const int in_g = in / groups, out_g = out / groups;
    const std::size_t tiled = std::max(sz((K - 1) * d), t0);  // the first frame of the tiled products
    std::size_t head = N;  // frames [t0, head) take the loops below
    if (groups == 1 && in * K <= max_tiled_columns && N > tiled) {
        const T* cols[max_tiled_columns] = {};  // (initialised: GCC cannot see that the loop fills the first in·K)
        // the backward product's columns tap by tap (k·in + j): neighbours are different input rows
        T* dcols[max_tiled_columns] = {};
        const T* wcols[max_tiled_columns] = {};
        for (int j = 0; j < in; ++j)
            for (int k = 0; k < K; ++k) {
                const std::size_t at = sz(j) * N + tiled - sz((K - 1 - k) * d);
                cols[j * K + k] = src + at;
                dcols[k * in + j] = dsrc ? dsrc + at : nullptr;
                wcols[k * in + j] = w + j * K + k;
            }
        const int n = static_cast<int>(N - tiled);
        multiply_add_outer<T>(dout + tiled, N, out, cols, in * K, gw, in * K, n);
        if (dsrc) multiply_add_wt_columns<T>(wcols, in * K, out, in * K, dout + tiled, N, dcols, n);
        head = tiled;
    }
    for (int o = 0; o < out; ++o) {
        const T* dr = dout + sz(o) * N;
        for (int j = 0; j < in_g; ++j) {
            const std::size_t c = sz((o / out_g) * in_g + j);
            const T* s = src + c * N;
            T* ds = dsrc ? dsrc + c * N : nullptr;
            for (int k = 0; k < K; ++k) {
                const std::size_t wi = sz((o * in_g + j) * K + k);
                const std::size_t off = sz((K - 1 - k) * d);
                const std::size_t from = std::max(off, t0);
                if (from >= head) continue;
                gw[wi] += dot(dr + from, s + (from - off), head - from);
                if (ds)
                    for (std::size_t t = from; t < head; ++t) ds[t - off] += w[wi] * dr[t];
            }
        }
    }
}

/// rows × N values, row r filled with b[r] (or zero when b is null).
template <class T>
void fill_bias(std::vector<T>& dst, const T* b, int rows, std::size_t N) {
    dst.resize(sz(rows) * N);
    for (int r = 0; r < rows; ++r) std::fill(dst.begin() + static_cast<std::ptrdiff_t>(sz(r) * N),
                                             dst.begin() + static_cast<std::ptrdiff_t>(sz(r + 1) * N), b ? b[r] : T(0));
}

/// dst[o][t] = b[o] + the convolution of conv_add (dst's old values unused), frames [t0, N).
template <class T>
void conv_set(const T* w, const T* b, int out, int in, int K, int d, int groups, const T* src, T* dst, std::size_t N,
              std::size_t t0 = 0) {
    conv_add(w, out, in, K, d, groups, src, dst, N, b, t0);
}

/// Σ a[t], t < n, in four SIMD partial sums (a fixed order: the same n gives the same rounding).
template <class T>
T sum(const T* a, std::size_t n) noexcept {
    using V = math::batch_t<T>;
    constexpr std::size_t L = static_cast<std::size_t>(simd::lanes<V>);
    V acc[4] = {simd::broadcast<V>(T(0)), simd::broadcast<V>(T(0)), simd::broadcast<V>(T(0)), simd::broadcast<V>(T(0))};
    std::size_t t = 0;
    for (; t + 4 * L <= n; t += 4 * L)
        for (std::size_t b = 0; b < 4; ++b) acc[b] = acc[b] + simd::load<V>(a + t + b * L);
    T s = simd::reduce_add((acc[0] + acc[1]) + (acc[2] + acc[3]));
    for (; t < n; ++t) s += a[t];
    return s;
}

/// gb[r] += Σ_{t0 ≤ t < N} d[r][t].
template <class T>
void bias_back(T* gb, int rows, const T* d, std::size_t N, std::size_t t0 = 0) {
    if (t0 >= N) return;
    for (int r = 0; r < rows; ++r) gb[r] += sum(d + sz(r) * N + t0, N - t0);
}

/// out[t] = act(in[t]), t < N, on the activation's SIMD policy (math::apply).
template <class T>
void activate(const math::Activation& act, const T* in, T* out, std::size_t N) noexcept {
    act.visit([&](const auto& f) { math::apply(f, in, out, static_cast<int>(N)); });
}

/// `act` for row `row`: per-channel PReLU slopes become that row's plain PReLU.
inline math::Activation activation_for_row(const math::Activation& act, int row) {
    if (act.channel_slopes.empty()) return act;
    math::Activation a(act.kind, act.accuracy);
    const int last = static_cast<int>(act.channel_slopes.size()) - 1;
    a.params[0] = act.channel_slopes[sz(std::min(row, last))];
    return a;
}

}  // namespace detail

}  // namespace nofold::train
