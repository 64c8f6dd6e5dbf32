// nofold::math — derivatives of the catalogue's activations, one table beside the policies (the
// backward passes of train/ read them; nothing on an audio path does).
//
//     derivative(act, x, fx) = f'(x), given x and the already computed fx = f(x)
//     derivative(act, x, fx, out, n)  the same over a block (SIMD for the kinds that are a select or a
//                                     polynomial in fx; element by element through the first for the rest)
//
// Where f' is cheapest from f (tanh: 1 − f², sigmoid: f·(1 − f)), fx is used; otherwise x. Kinks take
// the one-sided value PyTorch's autograd takes (ReLU'(0) = 0, Hardtanh' = 0 at the clip points).
// Tiers do not matter here: the derivative is that of the exact function (a fast or NAM tier differs
// from it by its documented error). Kinds without an entry make has_derivative() false, and the
// trainers refuse them at set-up ("not trainable yet: <name>"), never guess a gradient.
// Template parameter: T (float or double). Units: none. Allocates: never.
// Reference: docs/activations.md (the definitions the policies implement).
#pragma once

#include <cmath>
#include <cstddef>

#include "activation.hpp"
#include "block.hpp"

namespace nofold::math {

/// Whether derivative() knows `kind`.
constexpr bool has_derivative(ActivationKind kind) noexcept {
    using K = ActivationKind;
    switch (kind) {
        case K::identity:
        case K::tanh:
        case K::sigmoid:
        case K::relu:
        case K::leaky_relu:
        case K::prelu:
        case K::hardtanh:
        case K::leaky_hardtanh:
        case K::relu6:
        case K::softsign:
        case K::silu:
        case K::elu:
        case K::selu:
        case K::celu:
        case K::custom_tanh:
        case K::snake:
        case K::snake_beta:
        case K::relu_squared:
        case K::gaussian:
        case K::hardswish:
        case K::hardsigmoid:
        case K::gelu:
        case K::gelu_tanh:
        case K::mish:
        case K::softplus:
        case K::log_sigmoid:
        case K::softshrink:
        case K::hardshrink:
        case K::tanhshrink:
        case K::threshold:
        case K::rrelu:
        case K::relu_squared_dip:
        case K::smooth_hardtanh_c1:
        case K::smooth_hardtanh_c2: return true;
        default: return false;
    }
}

/// Whether derivative() reads x (false: f' comes from fx = f(x) alone, so x need not be kept).
constexpr bool derivative_reads_x(ActivationKind kind) noexcept {
    using K = ActivationKind;
    return !(kind == K::identity || kind == K::tanh || kind == K::sigmoid || kind == K::custom_tanh);
}

/// f'(x) for an activation whose has_derivative(kind) is true (0 otherwise). PReLU uses params[0].
template <class T>
T derivative(const Activation& act, T x, T fx) noexcept {
    using K = ActivationKind;
    const T p0 = static_cast<T>(act.params[0]), p1 = static_cast<T>(act.params[1]);
    const T p2 = static_cast<T>(act.params[2]), p3 = static_cast<T>(act.params[3]);
    const T one = 1;
    switch (act.kind) {
        case K::identity: return one;
        case K::tanh: return one - fx * fx;
        case K::sigmoid: return fx * (one - fx);
        case K::relu: return x > 0 ? one : T(0);
        case K::leaky_relu:
        case K::prelu: return x > 0 ? one : p0;
        case K::hardtanh: return x > p0 && x < p1 ? one : T(0);
        case K::leaky_hardtanh: return x < p0 ? p2 : x > p1 ? p3 : one;  // min, max, slope below, slope above
        case K::relu6: return x > 0 && x < 6 ? one : T(0);
        case K::softsign: {
            const T d = one + std::abs(x);
            return one / (d * d);
        }
        case K::silu: {
            const T s = one / (one + std::exp(-x));
            return s * (one + x * (one - s));
        }
        case K::elu: return x > 0 ? one : p0 * std::exp(x);
        case K::selu: {
            const T scale = static_cast<T>(1.0507009873554804934193349852946L);
            const T alpha = static_cast<T>(1.6732632423543772848170429916717L);
            return x > 0 ? scale : scale * alpha * std::exp(x);
        }
        case K::celu: return x > 0 ? one : std::exp(x / p0);
        case K::custom_tanh: return (one - fx * fx) / p0;
        case K::snake: return one + std::sin(2 * p0 * x);
        case K::snake_beta: return one + p0 / p1 * std::sin(2 * p0 * x);
        case K::relu_squared: return x > 0 ? 2 * x / (p0 * p0) : T(0);  // f = max(0, x/α)²
        case K::gaussian: return -2 * x * fx;
        case K::hardswish: return x < -3 ? T(0) : x <= 3 ? x / 3 + T(0.5) : one;  // f = x·relu6(x + 3)/6
        case K::hardsigmoid: return x > -3 && x < 3 ? one / 6 : T(0);
        case K::gelu: {  // Φ(x) + x·φ(x)
            const T inv_sqrt2 = static_cast<T>(0.70710678118654752440084436210485L);
            const T inv_sqrt_2pi = static_cast<T>(0.39894228040143267793994605993438L);
            return T(0.5) * (one + std::erf(x * inv_sqrt2)) + x * inv_sqrt_2pi * std::exp(T(-0.5) * x * x);
        }
        case K::gelu_tanh: {  // f = x/2·(1 + tanh u), u = √(2/π)·(x + 0.044715·x³)
            const T k = static_cast<T>(0.79788456080286535587989211986876L), c = static_cast<T>(0.044715);
            const T th = std::tanh(k * (x + c * x * x * x));
            return T(0.5) * (one + th) + T(0.5) * x * (one - th * th) * k * (one + 3 * c * x * x);
        }
        case K::mish: {  // f = x·tanh(softplus(x))
            const T sp = x > 20 ? x : std::log1p(std::exp(x));
            const T th = std::tanh(sp);
            return th + x * (one - th * th) / (one + std::exp(-x));
        }
        case K::softplus: return p0 * x > p1 ? one : one / (one + std::exp(-p0 * x));  // beta, threshold
        case K::log_sigmoid: return one / (one + std::exp(x));
        case K::softshrink:
        case K::hardshrink: return x > p0 || x < -p0 ? one : T(0);
        case K::tanhshrink: {
            const T th = std::tanh(x);
            return th * th;
        }
        case K::threshold: return x > p0 ? one : T(0);
        case K::rrelu: return x > 0 ? one : T(0.5) * (p0 + p1);  // inference form: the mean slope
        case K::relu_squared_dip: {  // x ≥ 0 ? x² : x·σ(βx)
            if (x >= 0) return 2 * x;
            const T s = one / (one + std::exp(-p0 * x));
            return s + p0 * x * s * (one - s);
        }
        case K::smooth_hardtanh_c1:
        case K::smooth_hardtanh_c2: {  // even slope: 1, then 1 + (s − 1)·B(u) on the corner, then s (width w, slope s)
            const T a = std::abs(x), w = p0, s = p1;
            if (a <= one - w) return one;
            if (a >= one + w) return s;
            const T u = (a - one + w) / (2 * w);
            const T b = act.kind == K::smooth_hardtanh_c1 ? u : u * u * (3 - 2 * u);
            return one + (s - one) * b;
        }
        default: return T(0);
    }
}

/// out[i] = f'(x[i]) given fx[i] = f(x[i]), i < n, times scale[i] when scale is not null (the chain
/// rule's dL/df, in the same pass); out may alias x, fx or scale. The same values as the scalar form;
/// the common kinds run on batch_t<T>.
template <class T>
void derivative(const Activation& act, const T* x, const T* fx, T* out, std::size_t n, const T* scale = nullptr) noexcept {
    using K = ActivationKind;
    using V = batch_t<T>;
    constexpr std::size_t w = static_cast<std::size_t>(simd::lanes<V>);
    const T p0 = static_cast<T>(act.params[0]), p1 = static_cast<T>(act.params[1]);
    // d(x, fx) for V = batch_t<T> over the whole batches, then for V = T on the rest
    const auto run = [&](const auto& d) {
        std::size_t i = 0;
        if (scale) {
            for (; i + w <= n; i += w)
                simd::store(out + i, simd::load<V>(scale + i) * d(simd::load<V>(x + i), simd::load<V>(fx + i)));
            for (; i < n; ++i) out[i] = scale[i] * d(x[i], fx[i]);
        } else {
            for (; i + w <= n; i += w) simd::store(out + i, d(simd::load<V>(x + i), simd::load<V>(fx + i)));
            for (; i < n; ++i) out[i] = d(x[i], fx[i]);
        }
    };
    const auto c = [](auto v, T value) { return simd::broadcast<decltype(v)>(value); };
    switch (act.kind) {
        case K::identity: run([&](auto, auto f) { return c(f, 1); }); return;
        case K::tanh: run([&](auto, auto f) { return c(f, 1) - f * f; }); return;
        case K::custom_tanh: run([&](auto, auto f) { return (c(f, 1) - f * f) / c(f, p0); }); return;
        case K::sigmoid: run([&](auto, auto f) { return f * (c(f, 1) - f); }); return;
        case K::relu: run([&](auto v, auto) { return simd::select(v > c(v, 0), c(v, 1), c(v, 0)); }); return;
        case K::leaky_relu:
        case K::prelu: run([&](auto v, auto) { return simd::select(v > c(v, 0), c(v, 1), c(v, p0)); }); return;
        case K::hardtanh:
            run([&](auto v, auto) { return simd::select((v > c(v, p0)) && (v < c(v, p1)), c(v, 1), c(v, 0)); });
            return;
        default:
            for (std::size_t i = 0; i < n; ++i) out[i] = (scale ? scale[i] : T(1)) * derivative<T>(act, x[i], fx[i]);
            return;
    }
}

}  // namespace nofold::math
