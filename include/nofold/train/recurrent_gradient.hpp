// nofold::train — RecurrentGradient<T>: a multi-layer LSTM or GRU with its dense output (and the
// GuitarML input skip), forward and reverse mode over one frame, for truncated back-propagation
// through time: the state at the end of a frame is kept for the next one, and the gradient stops at
// the frame's start.
//
//     reset()                       state = h0/c0 (LSTM) or zeros (GRU); the next frame's gradient
//                                   reaches h0 and c0
//     forward(params, x, n, y)      y for x[0 … n) from the current state; stores the frame
//     backward(params, dy, grad)    grad += dL/dparams for that frame
//     carry()                       the frame's last state becomes the next frame's initial state
//
// Cells (PyTorch conventions; σ and tanh exact in double, and in float the inference engine's exact-tier
// SIMD policies, applied to whole gate vectors):
//   LSTM  [i f g o] = W·[x; h] + b,  c' = σ(f)c + σ(i)tanh(g),  h' = σ(o)tanh(c')
//   GRU   r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(… z …), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
//         h' = (1 − z) ⊙ n + z ⊙ h
//   y = W_out · h_top + b_out (+ x when skip).
// Parameters are the flat weights nn::LstmModel / nn::GruModel take (.nam LSTM order: per layer
// W (4H × (I + H), rows [W_ih | W_hh]), b (4H), h0, c0; GRU: per layer W_ih, W_hh, b_ih, b_hh; then
// W_out, b_out), so a trained vector loads into the inference engine as it is.
// Template parameter: T (float or double). Units: samples. Allocates: forward and backward, when n grows.
// Reference: docs/model-formats.md §3 (LSTM) and §7 (GuitarML), docs/training.md §3.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "../math/block.hpp"
#include "../math/sigmoid.hpp"
#include "../math/tanh.hpp"
#include "detail/matrix.hpp"

namespace nofold::train {

enum class Cell { lstm, gru };

template <class T>
class RecurrentGradient {
public:
    /// `layers` cells of `hidden` units on `inputs` inputs; skip adds the first input to the output.
    RecurrentGradient(Cell cell, int inputs, int hidden, int layers, bool skip = false);

    std::size_t parameter_count() const noexcept { return count_; }
    /// Back to the initial state (h0/c0 from `params` for an LSTM, zeros for a GRU).
    void reset(const T* params);
    /// y[t] for x[t·inputs …], t < n, from the current state.
    void forward(const T* params, const T* x, int n, T* y);
    /// grad += dL/dparams of the last forward() (the state it started from counts as a constant, except
    /// h0/c0 right after reset()).
    void backward(const T* params, const T* dy, T* grad);
    /// The last forward()'s final state becomes the initial state of the next one.
    void carry();

private:
    int gates() const noexcept { return cell_ == Cell::lstm ? 4 : 3; }
    int in_of(int l) const noexcept { return l == 0 ? inputs_ : h_; }
    std::size_t layer_size(int l) const noexcept;
    static void sigmoid_in_place(T* x, int n) noexcept;
    static void tanh_in_place(T* x, int n) noexcept;
    void transpose_weights(const T* p);

    Cell cell_;
    int inputs_, h_, layers_;
    bool skip_;
    std::size_t count_ = 0;
    std::vector<std::size_t> offset_;  // first parameter of each layer
    std::size_t out_ = 0;              // W_out, then b_out
    bool from_reset_ = true;
    int n_ = 0;
    std::vector<T> x_;
    std::vector<T> h0_, c0_;      // layers × H: state at the frame's start
    std::vector<T> act_;          // n × layers × G·H: activated gates (LSTM i f g o; GRU r z n)
    std::vector<T> hn_;           // GRU: n × layers × H: W_hn h + b_hn
    std::vector<T> h_seq_, c_seq_;  // n × layers × H
    std::vector<T> tc_seq_;         // LSTM: n × layers × H: tanh(c)
    std::vector<T> wt_;             // the weights of every layer transposed ([I + H][G·H]) for the forward products
    std::vector<T> u_;              // a step's [x; h] (forward); a GRU step's hidden-part gradient (backward)
    std::vector<T> dh_, dc_, da_;
    // backward: rows that run along time, for the weight gradients' products over the whole frame
    std::vector<T> xt_;             // inputs × n: the frame's input
    std::vector<T> ht_;             // layers × H × (n + 1): h of every unit, the state before the frame first
    std::vector<T> dat_;            // layers × G·H × n: the gates' pre-activation gradients
    std::vector<T> dhnt_;           // GRU: layers × H × n: the gradient of W_hn h + b_hn
    std::vector<T> ones_;           // n ones (bias gradients as a product with a column of ones)
    std::vector<const T*> columns_;
};

// =================================================================================================
// Implementation
// =================================================================================================

template <class T>
RecurrentGradient<T>::RecurrentGradient(Cell cell, int inputs, int hidden, int layers, bool skip)
    : cell_(cell), inputs_(inputs), h_(hidden), layers_(layers), skip_(skip) {
    for (int l = 0; l < layers_; ++l) {
        offset_.push_back(count_);
        count_ += layer_size(l);
    }
    out_ = count_;
    count_ += static_cast<std::size_t>(h_) + 1;
    h0_.assign(static_cast<std::size_t>(layers_ * h_), T(0));
    c0_.assign(h0_.size(), T(0));
}

template <class T>
std::size_t RecurrentGradient<T>::layer_size(int l) const noexcept {
    const std::size_t g = static_cast<std::size_t>(gates() * h_), i = static_cast<std::size_t>(in_of(l)), h = static_cast<std::size_t>(h_);
    return cell_ == Cell::lstm ? g * (i + h) + g + 2 * h : g * (i + h) + 2 * g;
}

template <class T>
void RecurrentGradient<T>::reset(const T* p) {
    std::fill(h0_.begin(), h0_.end(), T(0));
    std::fill(c0_.begin(), c0_.end(), T(0));
    if (cell_ == Cell::lstm)
        for (int l = 0; l < layers_; ++l) {
            const std::size_t s = offset_[static_cast<std::size_t>(l)] + static_cast<std::size_t>(4 * h_ * (in_of(l) + h_) + 4 * h_);
            for (int j = 0; j < h_; ++j) {
                h0_[static_cast<std::size_t>(l * h_ + j)] = p[s + static_cast<std::size_t>(j)];
                c0_[static_cast<std::size_t>(l * h_ + j)] = p[s + static_cast<std::size_t>(h_ + j)];
            }
        }
    from_reset_ = true;
}

template <class T>
void RecurrentGradient<T>::carry() {
    if (n_ == 0) return;
    const std::size_t last = static_cast<std::size_t>((n_ - 1) * layers_ * h_);
    std::copy(h_seq_.begin() + static_cast<std::ptrdiff_t>(last), h_seq_.begin() + static_cast<std::ptrdiff_t>(last + h0_.size()), h0_.begin());
    if (cell_ == Cell::lstm)
        std::copy(c_seq_.begin() + static_cast<std::ptrdiff_t>(last), c_seq_.begin() + static_cast<std::ptrdiff_t>(last + c0_.size()), c0_.begin());
    from_reset_ = false;
}

template <class T>
void RecurrentGradient<T>::sigmoid_in_place(T* x, int n) noexcept {
    if constexpr (std::is_same_v<T, float>) {
        math::apply(math::Sigmoid<math::Exact>{}, x, n);
    } else {
        for (int i = 0; i < n; ++i) x[i] = T(1) / (T(1) + std::exp(-x[i]));
    }
}

template <class T>
void RecurrentGradient<T>::tanh_in_place(T* x, int n) noexcept {
    if constexpr (std::is_same_v<T, float>) {
        math::apply(math::Tanh<math::Exact>{}, x, n);
    } else {
        for (int i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
    }
}

// Each layer's input and recurrent matrices transposed, so that a step's gate vector is built as a sum of
// whole columns (contiguous, vectorised) instead of one dot product per gate.
template <class T>
void RecurrentGradient<T>::transpose_weights(const T* p) {
    const int H = h_, G = gates(), GH = G * H;
    std::size_t total = 0;
    for (int l = 0; l < layers_; ++l) total += static_cast<std::size_t>((in_of(l) + H) * GH);
    wt_.resize(total);
    T* dst = wt_.data();
    for (int l = 0; l < layers_; ++l) {
        const int I = in_of(l), cols = I + H;
        const T* W = p + offset_[static_cast<std::size_t>(l)];
        for (int r = 0; r < GH; ++r)
            for (int j = 0; j < cols; ++j) {
                // LSTM rows are [W_ih | W_hh] (I + H wide); GRU stores W_ih (GH × I), then W_hh (GH × H)
                const T w = cell_ == Cell::lstm ? W[r * cols + j] : (j < I ? W[r * I + j] : W[GH * I + r * H + (j - I)]);
                dst[static_cast<std::size_t>(j * GH + r)] = w;
            }
        dst += static_cast<std::size_t>(cols * GH);
    }
}

template <class T>
void RecurrentGradient<T>::forward(const T* p, const T* x, int n, T* y) {
    n_ = n;
    const int H = h_, G = gates(), L = layers_, GH = G * H;
    const std::size_t step_h = static_cast<std::size_t>(L * H), step_g = static_cast<std::size_t>(L * G * H);
    transpose_weights(p);
    x_.assign(x, x + static_cast<std::size_t>(n) * static_cast<std::size_t>(inputs_));
    // every element below is written before it is read
    act_.resize(static_cast<std::size_t>(n) * step_g);
    h_seq_.resize(static_cast<std::size_t>(n) * step_h);
    c_seq_.resize(cell_ == Cell::lstm ? h_seq_.size() : 0);
    tc_seq_.resize(cell_ == Cell::lstm ? h_seq_.size() : 0);
    hn_.resize(cell_ == Cell::gru ? h_seq_.size() : 0);
    // the hidden part of a GRU's gates goes to its own vector (the n gate needs it apart)
    da_.resize(static_cast<std::size_t>(GH));
    u_.resize(static_cast<std::size_t>(std::max(inputs_, H) + GH));
    T* sh = da_.data();
    for (int t = 0; t < n; ++t) {
        const T* wt = wt_.data();
        for (int l = 0; l < L; ++l) {
            const std::size_t o = offset_[static_cast<std::size_t>(l)];
            const int I = in_of(l);
            const T* in = l == 0 ? x_.data() + static_cast<std::size_t>(t * inputs_) : h_seq_.data() + static_cast<std::size_t>(t) * step_h + static_cast<std::size_t>((l - 1) * H);
            const T* hp = t == 0 ? h0_.data() + l * H : h_seq_.data() + static_cast<std::size_t>(t - 1) * step_h + static_cast<std::size_t>(l * H);
            T* hs = h_seq_.data() + static_cast<std::size_t>(t) * step_h + static_cast<std::size_t>(l * H);
            T* a = act_.data() + static_cast<std::size_t>(t) * step_g + static_cast<std::size_t>(l * G * H);
            // a = b (+ b_h for a GRU's hidden part in sh) + Σ_j column j · [x; h]_j
            if (cell_ == Cell::lstm) {
                const T* b = p + o + static_cast<std::size_t>(GH * (I + H));
                std::copy(b, b + GH, a);
                std::copy(in, in + I, u_.data());
                std::copy(hp, hp + H, u_.data() + I);
                detail::column_sum(wt, GH, GH, I + H, u_.data(), a);
                sigmoid_in_place(a, 2 * H);  // i, f
                tanh_in_place(a + 2 * H, H);  // g
                sigmoid_in_place(a + 3 * H, H);  // o
                const T* cp = t == 0 ? c0_.data() + l * H : c_seq_.data() + static_cast<std::size_t>(t - 1) * step_h + static_cast<std::size_t>(l * H);
                T* cs = c_seq_.data() + static_cast<std::size_t>(t) * step_h + static_cast<std::size_t>(l * H);
                T* tc = tc_seq_.data() + static_cast<std::size_t>(t) * step_h + static_cast<std::size_t>(l * H);
                for (int j = 0; j < H; ++j) cs[j] = a[H + j] * cp[j] + a[j] * a[2 * H + j];
                std::copy(cs, cs + H, tc);
                tanh_in_place(tc, H);
                for (int j = 0; j < H; ++j) hs[j] = a[3 * H + j] * tc[j];
            } else {
                const T* bi = p + o + static_cast<std::size_t>(GH * (I + H));
                const T* bh = bi + GH;
                T* hn = hn_.data() + static_cast<std::size_t>(t) * step_h + static_cast<std::size_t>(l * H);
                std::copy(bi, bi + GH, a);
                std::copy(bh, bh + GH, sh);
                detail::column_sum(wt, GH, GH, I, in, a);
                detail::column_sum(wt + static_cast<std::size_t>(I * GH), GH, GH, H, hp, sh);
                for (int r = 0; r < 2 * H; ++r) a[r] += sh[r];
                sigmoid_in_place(a, 2 * H);  // r, z
                std::copy(sh + 2 * H, sh + 3 * H, hn);
                for (int j = 0; j < H; ++j) a[2 * H + j] += a[j] * hn[j];
                tanh_in_place(a + 2 * H, H);  // n
                for (int j = 0; j < H; ++j) hs[j] = (T(1) - a[H + j]) * a[2 * H + j] + a[H + j] * hp[j];
            }
            wt += static_cast<std::size_t>((I + H) * GH);
        }
        const T* top = h_seq_.data() + static_cast<std::size_t>(t) * step_h + static_cast<std::size_t>((L - 1) * H);
        T s = p[out_ + static_cast<std::size_t>(H)];
        for (int j = 0; j < H; ++j) s += p[out_ + static_cast<std::size_t>(j)] * top[j];
        y[t] = skip_ ? s + x_[static_cast<std::size_t>(t * inputs_)] : s;
    }
}

// The step loop runs backwards through time and carries only what depends on the next step: dL/dh and
// dL/dc, each built as Wᵀ · (the gates' gradients). The weight and bias gradients, sums over the frame
// of outer products, are left to the end: the gates' gradients are kept as rows along time, and each
// layer's weight gradient is one register-tiled product over the whole frame (detail::multiply_add_outer)
// instead of a rank-one update of the whole matrix at every step.
template <class T>
void RecurrentGradient<T>::backward(const T* p, const T* dy, T* g) {
    const int H = h_, G = gates(), L = layers_, n = n_, GH = G * H;
    const std::size_t step_h = static_cast<std::size_t>(L * H), step_g = static_cast<std::size_t>(L * G * H);
    const std::size_t N = static_cast<std::size_t>(n), N1 = N + 1;
    // the input and every unit's h as rows along time (h row: the state before the frame, then h_0 … h_{n−1})
    xt_.resize(static_cast<std::size_t>(inputs_) * N);
    for (std::size_t t = 0; t < N; ++t)
        for (int j = 0; j < inputs_; ++j) xt_[static_cast<std::size_t>(j) * N + t] = x_[t * static_cast<std::size_t>(inputs_) + static_cast<std::size_t>(j)];
    ht_.resize(step_h * N1);
    for (std::size_t u = 0; u < step_h; ++u) ht_[u * N1] = h0_[u];
    for (std::size_t t = 0; t < N; ++t)
        for (std::size_t u = 0; u < step_h; ++u) ht_[u * N1 + 1 + t] = h_seq_[t * step_h + u];
    dat_.resize(step_g * N);
    dhnt_.resize(cell_ == Cell::gru ? step_h * N : 0);
    if (ones_.size() < N) ones_.assign(N, T(1));
    dh_.assign(step_h, T(0));  // dL/dh of every layer at the step being processed (recurrent part)
    dc_.assign(step_h, T(0));
    da_.assign(static_cast<std::size_t>(GH), T(0));
    u_.resize(static_cast<std::size_t>(std::max(inputs_, H) + GH));
    for (int t = n - 1; t >= 0; --t) {
        const std::size_t ts = static_cast<std::size_t>(t);
        for (int j = 0; j < H; ++j) dh_[static_cast<std::size_t>((L - 1) * H + j)] += p[out_ + static_cast<std::size_t>(j)] * dy[t];
        for (int l = L - 1; l >= 0; --l) {
            const std::size_t o = offset_[static_cast<std::size_t>(l)];
            const int I = in_of(l);
            const T* hp = t == 0 ? h0_.data() + l * H : h_seq_.data() + (ts - 1) * step_h + static_cast<std::size_t>(l * H);
            const T* a = act_.data() + ts * step_g + static_cast<std::size_t>(l * G * H);
            T* dh = dh_.data() + l * H;
            T* below = l > 0 ? dh_.data() + (l - 1) * H : nullptr;  // the input of layer l at step t is h of layer l − 1
            T* dat = dat_.data() + static_cast<std::size_t>(l * GH) * N + ts;
            if (cell_ == Cell::lstm) {
                const T* tcs = tc_seq_.data() + ts * step_h + static_cast<std::size_t>(l * H);
                const T* cp = t == 0 ? c0_.data() + l * H : c_seq_.data() + (ts - 1) * step_h + static_cast<std::size_t>(l * H);
                T* dc = dc_.data() + l * H;
                for (int j = 0; j < H; ++j) {
                    const T i = a[j], f = a[H + j], gg = a[2 * H + j], og = a[3 * H + j];
                    const T tc = tcs[j];
                    const T dcj = dc[j] + dh[j] * og * (T(1) - tc * tc);
                    da_[static_cast<std::size_t>(j)] = dcj * gg * i * (T(1) - i);
                    da_[static_cast<std::size_t>(H + j)] = dcj * cp[j] * f * (T(1) - f);
                    da_[static_cast<std::size_t>(2 * H + j)] = dcj * i * (T(1) - gg * gg);
                    da_[static_cast<std::size_t>(3 * H + j)] = dh[j] * tc * og * (T(1) - og);
                    dc[j] = dcj * f;  // to the previous step
                }
                for (int r = 0; r < GH; ++r) dat[static_cast<std::size_t>(r) * N] = da_[static_cast<std::size_t>(r)];
                const T* W = p + o;  // rows [W_ih | W_hh], I + H wide
                std::fill(dh, dh + H, T(0));  // rebuilt as dL/dh_{t−1}
                detail::column_sum(W + I, I + H, H, GH, da_.data(), dh);
                if (below) detail::column_sum(W, I + H, I, GH, da_.data(), below);
                if (t == 0 && from_reset_) {
                    T* gs = g + o + static_cast<std::size_t>(4 * H * (I + H) + 4 * H);
                    for (int j = 0; j < H; ++j) {
                        gs[j] += dh[j];
                        gs[H + j] += dc[j];
                    }
                }
            } else {
                const T* Wi = p + o;
                const T* Wh = Wi + 3 * H * I;
                const T* hn = hn_.data() + ts * step_h + static_cast<std::size_t>(l * H);
                // da_: [r, z, n] pre-activation gradients of the input part; u_: those of the hidden part,
                // whose n rows go through r ⊙ (W_hn h + b_hn)
                T* dhh = u_.data();
                for (int j = 0; j < H; ++j) {
                    const T r = a[j], z = a[H + j], nn = a[2 * H + j];
                    const T dn = dh[j] * (T(1) - z) * (T(1) - nn * nn);
                    da_[static_cast<std::size_t>(2 * H + j)] = dn;
                    dhh[2 * H + j] = dn * r;
                    da_[static_cast<std::size_t>(j)] = dn * hn[j] * r * (T(1) - r);
                    da_[static_cast<std::size_t>(H + j)] = dh[j] * (hp[j] - nn) * z * (T(1) - z);
                    dh[j] *= z;  // the direct path h' = … + z ⊙ h
                }
                std::copy(da_.data(), da_.data() + 2 * H, dhh);
                for (int r = 0; r < GH; ++r) dat[static_cast<std::size_t>(r) * N] = da_[static_cast<std::size_t>(r)];
                T* dhnt = dhnt_.data() + static_cast<std::size_t>(l * H) * N + ts;
                for (int j = 0; j < H; ++j) dhnt[static_cast<std::size_t>(j) * N] = dhh[2 * H + j];
                detail::column_sum(Wh, H, H, GH, dhh, dh);
                if (below) detail::column_sum(Wi, I, I, GH, da_.data(), below);
            }
        }
    }
    // the weight and bias gradients: products over the whole frame
    const T* ones = ones_.data();
    auto row_of_h = [&](int l, int j) { return ht_.data() + static_cast<std::size_t>(l * H + j) * N1; };
    for (int l = 0; l < L; ++l) {
        const std::size_t o = offset_[static_cast<std::size_t>(l)];
        const int I = in_of(l);
        // columns: the layer's input at t (x, or h of the layer below), then its own h at t − 1
        columns_.resize(static_cast<std::size_t>(I + H));
        for (int j = 0; j < I; ++j) columns_[static_cast<std::size_t>(j)] = l == 0 ? xt_.data() + static_cast<std::size_t>(j) * N : row_of_h(l - 1, j) + 1;
        for (int j = 0; j < H; ++j) columns_[static_cast<std::size_t>(I + j)] = row_of_h(l, j);
        const T* dat = dat_.data() + static_cast<std::size_t>(l * GH) * N;
        T* gW = g + o;
        T* gb = gW + static_cast<std::size_t>(GH * (I + H));
        if (cell_ == Cell::lstm) {
            detail::multiply_add_outer(dat, N, GH, columns_.data(), I + H, gW, I + H, n);
            detail::multiply_add_outer(dat, N, GH, &ones, 1, gb, 1, n);
        } else {
            const T* dhnt = dhnt_.data() + static_cast<std::size_t>(l * H) * N;
            T* gWh = gW + static_cast<std::size_t>(GH * I);
            detail::multiply_add_outer(dat, N, GH, columns_.data(), I, gW, I, n);
            detail::multiply_add_outer(dat, N, 2 * H, columns_.data() + I, H, gWh, H, n);
            detail::multiply_add_outer(dhnt, N, H, columns_.data() + I, H, gWh + 2 * H * H, H, n);
            detail::multiply_add_outer(dat, N, GH, &ones, 1, gb, 1, n);             // b_ih
            detail::multiply_add_outer(dat, N, 2 * H, &ones, 1, gb + GH, 1, n);     // b_hh: r, z
            detail::multiply_add_outer(dhnt, N, H, &ones, 1, gb + GH + 2 * H, 1, n);  // b_hn
        }
    }
    columns_.resize(static_cast<std::size_t>(H));
    for (int j = 0; j < H; ++j) columns_[static_cast<std::size_t>(j)] = row_of_h(L - 1, j) + 1;
    detail::multiply_add_outer(dy, N, 1, columns_.data(), H, g + out_, H, n);
    detail::multiply_add_outer(dy, N, 1, &ones, 1, g + out_ + H, 1, n);
}

}  // namespace nofold::train
