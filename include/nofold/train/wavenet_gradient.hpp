// nofold::train — WaveNetGradient<T>: a NAM WaveNet over one training frame, forward and reverse mode,
// with its parameters in the .nam file's own weight order (so a trained vector writes back as it is).
//
//     forward(params, x, n, y)      y = the model's output for x[0 … n) from a zero (reset) state,
//                                   keeping every layer's input and pre-activation
//     backward(params, dy, grad)    grad += dL/dparams for that frame, given dL/dy
//
// Covers the plain layer arrays (A1 standard/lite/feather/nano, A2 and any other shape made of them):
// rechannel, dilated conv + input mixin (the condition is the input), any activation with an entry
// in math/derivative.hpp, layer 1×1 and its residual, the skip sum, head rechannel with kernel,
// dilation and bias, chained arrays (x through the next rechannel, the head output as the next
// array's first skip) and head_scale. Gated or blended layers, FiLM, grouped convolutions, bottleneck
// ≠ channels, head 1×1, slimmable widths, condition_dsp and the post-stack head are refused by
// create() with "not trainable yet: <key>", never given a wrong gradient.
//
// The forward pass is the inference engine's formula (nn::wavenet::Engine, runtime::WaveNet) written
// in T for reverse mode; tests hold it to the engine's output and the gradient to central finite
// differences in double.
// Template parameter: T (float or double). Units: samples. Allocates: forward, when n grows.
// Reference: docs/model-formats.md §2 (WaveNet and its weight order), docs/training.md §3.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "../math/activation.hpp"
#include "../math/derivative.hpp"
#include "../nn/detail/spec_activation.hpp"
#include "../nn/wavenet_config.hpp"

namespace nofold::train {

template <class T>
class WaveNetGradient {
public:
    /// The trainable model for `config`, or null with `error` naming the first key it cannot train.
    static std::unique_ptr<WaveNetGradient> create(const nn::WaveNetConfig& config, std::string& error);

    /// Parameters (= .nam weights, head_scale last).
    std::size_t parameter_count() const noexcept { return count_; }
    /// Samples before t = 0 that reach y[0]: receptive field − 1.
    int history() const noexcept { return history_; }

    /// y[t], t < n, for input x from a zero state; stores what backward() needs.
    void forward(const T* params, const T* x, int n, T* y);
    /// grad[i] += dL/dparams[i] for the last forward(), given dy[t] = dL/dy[t].
    void backward(const T* params, const T* dy, T* grad);

private:
    struct Layer {
        int kernel = 1, dilation = 1;
        math::Activation act;
        std::size_t conv = 0, bias = 0, mix = 0, l1 = 0, l1_bias = 0;  // offsets into the parameters
    };
    struct Array {
        int in = 1, channels = 1, head_out = 1, head_kernel = 1, head_dilation = 1;
        bool head_bias = false;
        std::size_t rechannel = 0, head = 0, head_b = 0;
        std::vector<Layer> layers;
        std::vector<T> xs;    // (layers + 1) × channels × n: x before each layer, then after the last
        std::vector<T> pre;   // layers × channels × n: pre-activations
        std::vector<T> skip;  // channels × n: the summed skip at the head
        std::vector<T> out;   // head_out × n
    };

    std::vector<Array> arrays_;
    std::size_t count_ = 0;
    int history_ = 0;
    int n_ = 0;
    std::vector<T> input_, z_, dz_, d_skip_, d_x_, d_prev_x_, d_head_;
};

// =================================================================================================
// Implementation
// =================================================================================================

template <class T>
std::unique_ptr<WaveNetGradient<T>> WaveNetGradient<T>::create(const nn::WaveNetConfig& config, std::string& error) {
    error = nn::validate(config);
    if (!error.empty()) return nullptr;
    const auto refuse = [&](const std::string& key) {
        error = "not trainable yet: " + key;
        return nullptr;
    };
    if (config.in_channels != 1) return refuse("in_channels");
    if (config.condition_dsp) return refuse("condition_dsp");
    if (config.head.active) return refuse("head (post-stack head)");
    std::unique_ptr<WaveNetGradient> m(new WaveNetGradient());
    std::size_t at = 0;
    for (std::size_t i = 0; i < config.layers.size(); ++i) {
        const nn::LayerArrayConfig& c = config.layers[i];
        const std::string where = "layers[" + std::to_string(i) + "].";
        if (c.condition_size != 1) return refuse(where + "condition_size");
        if (c.bottleneck_size() != c.channels) return refuse(where + "bottleneck");
        if (!c.layer1x1.active || c.layer1x1.groups != 1) return refuse(where + "layer1x1");
        if (c.head1x1.active) return refuse(where + "head1x1");
        if (c.groups_input != 1) return refuse(where + "groups_input");
        if (c.groups_input_mixin != 1) return refuse(where + "groups_input_mixin");
        if (!c.allowed_channels.empty()) return refuse(where + "slimmable");
        for (const nn::FilmConfig& f : c.films)
            if (f.active) return refuse(where + "FiLM");
        Array a;
        a.in = c.input_size;
        a.channels = c.channels;
        a.head_out = c.head.out_channels;
        a.head_kernel = c.head.kernel_size;
        a.head_dilation = c.head.dilation;
        a.head_bias = c.head.bias;
        const std::size_t ch = static_cast<std::size_t>(a.channels);
        a.rechannel = at;
        at += ch * static_cast<std::size_t>(a.in);
        for (int l = 0; l < c.layer_count(); ++l) {
            if (c.gating(l) != nn::GatingMode::none) return refuse(where + "gating_mode");
            Layer y;
            y.kernel = c.kernel_size(l);
            y.dilation = c.dilation(l);
            const std::string e = nn::detail::to_math_activation(c.activation(l), math::Accuracy::exact, y.act);
            if (!e.empty()) return refuse(where + "activation (" + e + ")");
            if (!math::has_derivative(y.act.kind) || !y.act.channel_slopes.empty())
                return refuse(where + "activation " + c.activation(l).name);
            y.conv = at;
            at += ch * ch * static_cast<std::size_t>(y.kernel);
            y.bias = at;
            at += ch;
            y.mix = at;
            at += ch;
            y.l1 = at;
            at += ch * ch;
            y.l1_bias = at;
            at += ch;
            m->history_ += (y.kernel - 1) * y.dilation;
            a.layers.push_back(y);
        }
        a.head = at;
        at += static_cast<std::size_t>(a.head_out * a.head_kernel) * ch;
        a.head_b = at;
        if (a.head_bias) at += static_cast<std::size_t>(a.head_out);
        m->history_ += (a.head_kernel - 1) * a.head_dilation;
        m->arrays_.push_back(std::move(a));
    }
    m->count_ = at + 1;  // head_scale
    if (m->count_ != nn::weight_count(config)) {  // the offsets above must walk the file's order exactly
        error = "internal: weight count mismatch";
        return nullptr;
    }
    return m;
}

template <class T>
void WaveNetGradient<T>::forward(const T* p, const T* x, int n, T* y) {
    n_ = n;
    const std::size_t N = static_cast<std::size_t>(n);
    input_.assign(x, x + n);
    const T* in = input_.data();
    int in_rows = 1;
    const std::vector<T>* prev_out = nullptr;
    for (Array& a : arrays_) {
        const int C = a.channels;
        const std::size_t plane = static_cast<std::size_t>(C) * N;
        const std::size_t L = a.layers.size();
        a.xs.assign((L + 1) * plane, T(0));
        a.pre.assign(L * plane, T(0));
        a.skip.assign(plane, T(0));
        a.out.assign(static_cast<std::size_t>(a.head_out) * N, T(0));
        // rechannel (no bias)
        for (int c = 0; c < C; ++c)
            for (int j = 0; j < std::min(in_rows, a.in); ++j) {
                const T r = p[a.rechannel + static_cast<std::size_t>(c * a.in + j)];
                for (std::size_t t = 0; t < N; ++t) a.xs[static_cast<std::size_t>(c) * N + t] += r * in[static_cast<std::size_t>(j) * N + t];
            }
        if (prev_out) std::copy(prev_out->begin(), prev_out->begin() + static_cast<std::ptrdiff_t>(plane), a.skip.begin());
        for (std::size_t l = 0; l < L; ++l) {
            const Layer& ly = a.layers[l];
            const T* xl = a.xs.data() + l * plane;
            T* xn = a.xs.data() + (l + 1) * plane;
            T* pa = a.pre.data() + l * plane;
            for (int c = 0; c < C; ++c) {
                T* row = pa + static_cast<std::size_t>(c) * N;
                const T b = p[ly.bias + static_cast<std::size_t>(c)], mix = p[ly.mix + static_cast<std::size_t>(c)];
                for (std::size_t t = 0; t < N; ++t) row[t] = b + mix * input_[t];
                for (int j = 0; j < C; ++j)
                    for (int k = 0; k < ly.kernel; ++k) {
                        const T w = p[ly.conv + static_cast<std::size_t>((c * C + j) * ly.kernel + k)];
                        const std::size_t off = static_cast<std::size_t>((ly.kernel - 1 - k) * ly.dilation);
                        const T* src = xl + static_cast<std::size_t>(j) * N;
                        for (std::size_t t = off; t < N; ++t) row[t] += w * src[t - off];
                    }
            }
            // z = act(a), skip += z, x' = x + b1 + L1 z
            std::vector<T>& z = z_;
            z.assign(plane, T(0));
            ly.act.visit([&](const auto& f) {
                for (std::size_t i = 0; i < plane; ++i) z[i] = f(pa[i]);
            });
            for (std::size_t i = 0; i < plane; ++i) a.skip[i] += z[i];
            for (int o = 0; o < C; ++o) {
                T* row = xn + static_cast<std::size_t>(o) * N;
                const T* xr = xl + static_cast<std::size_t>(o) * N;
                const T b1 = p[ly.l1_bias + static_cast<std::size_t>(o)];
                for (std::size_t t = 0; t < N; ++t) row[t] = xr[t] + b1;
                for (int j = 0; j < C; ++j) {
                    const T w = p[ly.l1 + static_cast<std::size_t>(o * C + j)];
                    const T* zr = z.data() + static_cast<std::size_t>(j) * N;
                    for (std::size_t t = 0; t < N; ++t) row[t] += w * zr[t];
                }
            }
        }
        // head rechannel over the skip sum
        for (int o = 0; o < a.head_out; ++o) {
            T* row = a.out.data() + static_cast<std::size_t>(o) * N;
            const T b = a.head_bias ? p[a.head_b + static_cast<std::size_t>(o)] : T(0);
            for (std::size_t t = 0; t < N; ++t) row[t] = b;
            for (int c = 0; c < C; ++c)
                for (int k = 0; k < a.head_kernel; ++k) {
                    const T w = p[a.head + static_cast<std::size_t>((o * C + c) * a.head_kernel + k)];
                    const std::size_t off = static_cast<std::size_t>((a.head_kernel - 1 - k) * a.head_dilation);
                    const T* src = a.skip.data() + static_cast<std::size_t>(c) * N;
                    for (std::size_t t = off; t < N; ++t) row[t] += w * src[t - off];
                }
        }
        in = a.xs.data() + L * plane;
        in_rows = C;
        prev_out = &a.out;
    }
    const T scale = p[count_ - 1];
    for (std::size_t t = 0; t < N; ++t) y[t] = scale * arrays_.back().out[t];
}

template <class T>
void WaveNetGradient<T>::backward(const T* p, const T* dy, T* g) {
    const std::size_t N = static_cast<std::size_t>(n_);
    const T scale = p[count_ - 1];
    // output = head_scale · head of the last array
    d_head_.assign(N, T(0));
    for (std::size_t t = 0; t < N; ++t) {
        g[count_ - 1] += arrays_.back().out[t] * dy[t];
        d_head_[t] = scale * dy[t];
    }
    d_prev_x_.clear();  // dL/d(x after the last layer) of the array being processed (empty: zero)
    for (std::size_t ai = arrays_.size(); ai-- > 0;) {
        Array& a = arrays_[ai];
        const int C = a.channels;
        const std::size_t plane = static_cast<std::size_t>(C) * N;
        const std::size_t L = a.layers.size();
        // head: out[o][t] = b[o] + Σ_k Σ_c H[o][c][k] · skip[c][t − off_k]
        d_skip_.assign(plane, T(0));
        for (int o = 0; o < a.head_out; ++o) {
            const T* dh = d_head_.data() + static_cast<std::size_t>(o) * N;
            if (a.head_bias)
                for (std::size_t t = 0; t < N; ++t) g[a.head_b + static_cast<std::size_t>(o)] += dh[t];
            for (int c = 0; c < C; ++c)
                for (int k = 0; k < a.head_kernel; ++k) {
                    const std::size_t wi = a.head + static_cast<std::size_t>((o * C + c) * a.head_kernel + k);
                    const std::size_t off = static_cast<std::size_t>((a.head_kernel - 1 - k) * a.head_dilation);
                    const T* src = a.skip.data() + static_cast<std::size_t>(c) * N;
                    T* ds = d_skip_.data() + static_cast<std::size_t>(c) * N;
                    T acc = 0;
                    for (std::size_t t = off; t < N; ++t) {
                        acc += dh[t] * src[t - off];
                        ds[t - off] += p[wi] * dh[t];
                    }
                    g[wi] += acc;
                }
        }
        // dL/dx after the last layer: from the next array's rechannel (zero for the last array)
        d_x_.assign(plane, T(0));
        if (!d_prev_x_.empty()) std::copy(d_prev_x_.begin(), d_prev_x_.end(), d_x_.begin());
        std::vector<T>& z = z_;
        std::vector<T>& dz = dz_;
        z.resize(plane);
        dz.resize(plane);
        for (std::size_t l = L; l-- > 0;) {
            const Layer& ly = a.layers[l];
            const T* xl = a.xs.data() + l * plane;
            const T* pa = a.pre.data() + l * plane;
            ly.act.visit([&](const auto& f) {
                for (std::size_t i = 0; i < plane; ++i) z[i] = f(pa[i]);
            });
            // x' = x + b1 + L1 z: dz = dskip + L1ᵀ dx', dL1 = dx' zᵀ, db1 = Σ dx'; dx passes on unchanged
            std::copy(d_skip_.begin(), d_skip_.end(), dz.begin());
            for (int o = 0; o < C; ++o) {
                const T* dxo = d_x_.data() + static_cast<std::size_t>(o) * N;
                T sum = 0;
                for (std::size_t t = 0; t < N; ++t) sum += dxo[t];
                g[ly.l1_bias + static_cast<std::size_t>(o)] += sum;
                for (int j = 0; j < C; ++j) {
                    const std::size_t wi = ly.l1 + static_cast<std::size_t>(o * C + j);
                    const T* zj = z.data() + static_cast<std::size_t>(j) * N;
                    T* dzj = dz.data() + static_cast<std::size_t>(j) * N;
                    T acc = 0;
                    for (std::size_t t = 0; t < N; ++t) {
                        acc += dxo[t] * zj[t];
                        dzj[t] += p[wi] * dxo[t];
                    }
                    g[wi] += acc;
                }
            }
            // z = act(a): da = dz · act'(a)
            for (std::size_t i = 0; i < plane; ++i) dz[i] *= math::derivative<T>(ly.act, pa[i], z[i]);
            // a = b + Σ_k W_k x[t − off_k] + mix · input
            for (int c = 0; c < C; ++c) {
                const T* da = dz.data() + static_cast<std::size_t>(c) * N;
                T sb = 0, sm = 0;
                for (std::size_t t = 0; t < N; ++t) {
                    sb += da[t];
                    sm += da[t] * input_[t];
                }
                g[ly.bias + static_cast<std::size_t>(c)] += sb;
                g[ly.mix + static_cast<std::size_t>(c)] += sm;
                for (int j = 0; j < C; ++j)
                    for (int k = 0; k < ly.kernel; ++k) {
                        const std::size_t wi = ly.conv + static_cast<std::size_t>((c * C + j) * ly.kernel + k);
                        const std::size_t off = static_cast<std::size_t>((ly.kernel - 1 - k) * ly.dilation);
                        const T* src = xl + static_cast<std::size_t>(j) * N;
                        T* dx = d_x_.data() + static_cast<std::size_t>(j) * N;
                        T acc = 0;
                        for (std::size_t t = off; t < N; ++t) {
                            acc += da[t] * src[t - off];
                            dx[t - off] += p[wi] * da[t];
                        }
                        g[wi] += acc;
                    }
            }
        }
        // rechannel: x0 = R · in, in = the input (array 0) or the previous array's last x
        const Array* prev = ai == 0 ? nullptr : &arrays_[ai - 1];
        const int in_rows = prev ? prev->channels : 1;
        const T* in = prev ? prev->xs.data() + prev->layers.size() * static_cast<std::size_t>(in_rows) * N : input_.data();
        if (ai > 0) d_prev_x_.assign(static_cast<std::size_t>(in_rows) * N, T(0));
        for (int c = 0; c < C; ++c)
            for (int j = 0; j < std::min(in_rows, a.in); ++j) {
                const std::size_t wi = a.rechannel + static_cast<std::size_t>(c * a.in + j);
                const T* dx = d_x_.data() + static_cast<std::size_t>(c) * N;
                const T* src = in + static_cast<std::size_t>(j) * N;
                T acc = 0;
                for (std::size_t t = 0; t < N; ++t) acc += dx[t] * src[t];
                g[wi] += acc;
                if (ai > 0) {
                    T* dp = d_prev_x_.data() + static_cast<std::size_t>(j) * N;
                    for (std::size_t t = 0; t < N; ++t) dp[t] += p[wi] * dx[t];
                }
            }
        // the skip sum started from the previous array's head output: its gradient is dL/dskip
        if (ai > 0) d_head_.assign(d_skip_.begin(), d_skip_.end());
    }
}

}  // namespace nofold::train
