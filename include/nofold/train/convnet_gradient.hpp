// nofold::train — ConvNetGradient<T>: NAM's "ConvNet" model over one training frame, forward and reverse
// mode, parameters in the file's weight order.
//
//     block i:  u = W_i ⊛ x (kernel 2, dilation d_i, causal), v = u + b (or batchnorm: γ·(u − μ)/√(σ² + ε) + β),
//               x' = act(v)
//     output:   y = w_head · x + b_head
//
// Batchnorm runs in inference form with the file's running statistics. μ, σ² and ε are statistics
// (PyTorch buffers, not trained by gradient): they are held constant and their gradient entries stay 0;
// γ and β are trained. The formula is runtime::ConvNet's at rate factor 1 (which folds batchnorm into a
// scale and an offset); tests hold the output to it and the gradient to central finite differences.
// Template parameter: T (float or double). Units: samples. Allocates: create; forward when n grows.
// Reference: docs/model-formats.md §5.
#pragma once

#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "../math/derivative.hpp"
#include "../nn/convnet_config.hpp"
#include "../nn/detail/spec_activation.hpp"
#include "detail/conv.hpp"

namespace nofold::train {

template <class T>
class ConvNetGradient {
public:
    /// The trainable model for `config`, or null with `error` set (invalid config, or "not trainable yet:
    /// activation <name>" when the activation has no derivative).
    static std::unique_ptr<ConvNetGradient> create(const nn::ConvNetConfig& config, std::string& error);

    std::size_t parameter_count() const noexcept { return count_; }
    /// Samples before t = 0 that reach y[0]: Σ dilations.
    int history() const noexcept { return history_; }

    void forward(const T* params, const T* x, int n, T* y);
    void backward(const T* params, const T* dy, T* grad);

private:
    struct Block {
        int in = 1, d = 1;
        std::size_t w = 0, b = 0;  // conv weights; bias, or batchnorm μ (then σ², γ, β, ε, each C apart)
        std::vector<T> x, u, v, a;  // input (in × n), conv output, activation input and output (C × n)
    };
    // batchnorm scale 1/√(σ² + ε) of channel o
    T inv_std(const T* p, const Block& b, int o) const {
        const std::size_t C = detail::sz(c_);
        return T(1) / std::sqrt(p[b.b + C + detail::sz(o)] + p[b.b + 4 * C]);
    }

    int c_ = 1, history_ = 0;
    bool batchnorm_ = false;
    std::vector<math::Activation> act_;  // one per channel (per-channel PReLU slopes resolved)
    std::vector<Block> blocks_;
    std::size_t head_ = 0, count_ = 0;
    std::size_t n_ = 0;
    std::vector<T> dx_, dv_;
};

template <class T>
std::unique_ptr<ConvNetGradient<T>> ConvNetGradient<T>::create(const nn::ConvNetConfig& config, std::string& error) {
    using detail::sz;
    error = nn::validate(config);
    if (!error.empty()) return nullptr;
    math::Activation act;
    error = nn::detail::to_math_activation(config.activation, math::Accuracy::exact, act);
    if (!error.empty()) return nullptr;
    if (!math::has_derivative(act.kind)) {
        error = "not trainable yet: activation " + config.activation.name;
        return nullptr;
    }
    std::unique_ptr<ConvNetGradient> m(new ConvNetGradient());
    m->c_ = config.channels;
    m->batchnorm_ = config.batchnorm;
    for (int o = 0; o < m->c_; ++o) m->act_.push_back(detail::activation_for_row(act, o));
    const std::size_t C = sz(m->c_);
    std::size_t at = 0;
    for (std::size_t i = 0; i < config.dilations.size(); ++i) {
        Block b;
        b.in = i == 0 ? 1 : m->c_;
        b.d = config.dilations[i];
        b.w = at;
        at += C * sz(b.in) * 2;
        b.b = at;
        at += m->batchnorm_ ? 4 * C + 1 : C;
        m->history_ += b.d;
        m->blocks_.push_back(std::move(b));
    }
    m->head_ = at;
    m->count_ = at + C + 1;
    if (m->count_ != nn::weight_count(config)) {
        error = "internal: weight count mismatch";
        return nullptr;
    }
    return m;
}

template <class T>
void ConvNetGradient<T>::forward(const T* p, const T* x, int n, T* y) {
    using detail::sz;
    const std::size_t N = sz(n), C = sz(c_);
    n_ = N;
    const T* in = x;
    for (Block& b : blocks_) {
        b.x.assign(in, in + sz(b.in) * N);
        b.u.assign(C * N, T(0));
        detail::conv_add(p + b.w, c_, b.in, 2, b.d, 1, b.x.data(), b.u.data(), N);
        b.v.resize(C * N);
        b.a.resize(C * N);
        for (int o = 0; o < c_; ++o) {
            const std::size_t r = sz(o) * N;
            if (batchnorm_) {
                const T s = p[b.b + 2 * C + sz(o)] * inv_std(p, b, o), mean = p[b.b + sz(o)], beta = p[b.b + 3 * C + sz(o)];
                for (std::size_t t = 0; t < N; ++t) b.v[r + t] = s * (b.u[r + t] - mean) + beta;
            } else {
                for (std::size_t t = 0; t < N; ++t) b.v[r + t] = b.u[r + t] + p[b.b + sz(o)];
            }
            act_[sz(o)].visit([&](const auto& f) {
                for (std::size_t t = 0; t < N; ++t) b.a[r + t] = static_cast<T>(f(b.v[r + t]));
            });
        }
        in = b.a.data();
    }
    for (std::size_t t = 0; t < N; ++t) y[t] = p[head_ + C];
    detail::conv_add(p + head_, 1, c_, 1, 1, 1, in, y, N);
}

template <class T>
void ConvNetGradient<T>::backward(const T* p, const T* dy, T* g) {
    using detail::sz;
    const std::size_t N = n_, C = sz(c_);
    const T* last = blocks_.back().a.data();
    detail::bias_back(g + head_ + C, 1, dy, N);
    dx_.assign(C * N, T(0));
    detail::conv_back(p + head_, g + head_, 1, c_, 1, 1, 1, last, dy, dx_.data(), N);
    for (std::size_t i = blocks_.size(); i-- > 0;) {
        Block& b = blocks_[i];
        // dv = dx'·act'(v), then through the bias or batchnorm to du
        dv_.resize(C * N);
        for (int o = 0; o < c_; ++o) {
            const std::size_t r = sz(o) * N;
            for (std::size_t t = 0; t < N; ++t) dv_[r + t] = dx_[r + t] * math::derivative<T>(act_[sz(o)], b.v[r + t], b.a[r + t]);
            if (batchnorm_) {
                const T is = inv_std(p, b, o), mean = p[b.b + sz(o)], gamma = p[b.b + 2 * C + sz(o)];
                T dgamma = 0, dbeta = 0;
                for (std::size_t t = 0; t < N; ++t) {
                    dgamma += dv_[r + t] * (b.u[r + t] - mean) * is;
                    dbeta += dv_[r + t];
                    dv_[r + t] *= gamma * is;
                }
                g[b.b + 2 * C + sz(o)] += dgamma;
                g[b.b + 3 * C + sz(o)] += dbeta;
            } else {
                T db = 0;
                for (std::size_t t = 0; t < N; ++t) db += dv_[r + t];
                g[b.b + sz(o)] += db;
            }
        }
        // u = W ⊛ x
        const bool first = i == 0;
        if (!first) dx_.assign(sz(b.in) * N, T(0));
        detail::conv_back(p + b.w, g + b.w, c_, b.in, 2, b.d, 1, b.x.data(), dv_.data(), first ? nullptr : dx_.data(), N);
    }
}

}  // namespace nofold::train
