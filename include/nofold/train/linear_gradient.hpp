// nofold::train — LinearGradient<T>: NAM's "Linear" model (an FIR filter) over one training frame,
// forward and reverse mode, parameters in the file's order (taps, w[0] on the current sample, then
// the bias when the config has one).
//
//     forward(params, x, n, y)      y[t] = b + Σ_j w[j]·x[t − j], x = 0 before t = 0
//     backward(params, dy, grad)    grad += dL/dparams for that frame, given dL/dy
//
// The formula is runtime::Linear's at rate factor 1; tests hold the output to it and the gradient to
// central finite differences in double.
// Template parameter: T (float or double). Units: samples. Allocates: forward, when n grows.
// Reference: docs/model-formats.md §4.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "../nn/linear_config.hpp"

namespace nofold::train {

template <class T>
class LinearGradient {
public:
    /// The trainable model for `config`, or null with `error` set (invalid config).
    static std::unique_ptr<LinearGradient> create(const nn::LinearConfig& config, std::string& error) {
        error = nn::validate(config);
        if (!error.empty()) return nullptr;
        std::unique_ptr<LinearGradient> m(new LinearGradient());
        m->taps_ = config.receptive_field;
        m->bias_ = config.bias;
        return m;
    }

    std::size_t parameter_count() const noexcept { return static_cast<std::size_t>(taps_) + (bias_ ? 1u : 0u); }
    /// Samples before t = 0 that reach y[0]: taps − 1.
    int history() const noexcept { return taps_ - 1; }

    void forward(const T* p, const T* x, int n, T* y) {
        x_.assign(x, x + n);
        const T b = bias_ ? p[taps_] : T(0);
        for (int t = 0; t < n; ++t) {
            T s = b;
            for (int j = 0; j < std::min(taps_, t + 1); ++j) s += p[j] * x_[static_cast<std::size_t>(t - j)];
            y[t] = s;
        }
    }

    void backward(const T* p, const T* dy, T* g) {
        (void)p;
        const int n = static_cast<int>(x_.size());
        for (int j = 0; j < taps_; ++j) {
            T acc = 0;
            for (int t = j; t < n; ++t) acc += dy[t] * x_[static_cast<std::size_t>(t - j)];
            g[j] += acc;
        }
        if (bias_)
            for (int t = 0; t < n; ++t) g[taps_] += dy[t];
    }

private:
    LinearGradient() = default;
    int taps_ = 1;
    bool bias_ = false;
    std::vector<T> x_;
};

}  // namespace nofold::train
