// nofold::math — piecewise-linear (and piecewise-polynomial) activations: Identity, ReLU, ReLU6,
// LeakyReLU, PReLU, RReLU, Hardtanh, LeakyHardtanh, Hardsigmoid, Hardswish, Softsign, Softshrink,
// Hardshrink, Threshold and ReLUSquared. Defaults are PyTorch's (docs/activations.md §1), NAM's for
// LeakyHardtanh (§4); parameters are public values so loaded models can set them.
//
// Exactness: each is a few float operations, so results are correctly rounded up to the single rounding
// of a product (≤ 1 ULP); NaN propagates except where PyTorch's definition compares (Threshold,
// Hard/Softshrink give the "else" value). Antiderivatives F1 (and F2 where given) are exact polynomials.
// Units: parameters in input units (slopes dimensionless). Allocates: never. RT-safe: all members.
#pragma once

#include "exp_log.hpp"

namespace nofold::math {

namespace detail {
template <class V>
inline V bcast(float v) noexcept {
    return simd::broadcast<V>(static_cast<simd::scalar_t<V>>(v));
}
/// max(0, x) that propagates NaN.
template <class V>
inline V relu(const V& x) noexcept {
    return simd::max(constant<V>(0.0), x);
}
/// min(0, x) that propagates NaN.
template <class V>
inline V negative_part(const V& x) noexcept {
    return simd::min(constant<V>(0.0), x);
}
}  // namespace detail

/// f(x) = x.
struct Identity {
    template <class V>
    V operator()(const V& x) const noexcept { return x; }
    template <class V>
    V antiderivative(const V& x) const noexcept { return detail::constant<V>(0.5) * x * x; }
    template <class V>
    V antiderivative2(const V& x) const noexcept { return detail::constant<V>(1.0 / 6.0) * x * x * x; }
};

/// max(0, x). F1 = max(0,x)²/2, F2 = max(0,x)³/6.
struct ReLU {
    template <class V>
    V operator()(const V& x) const noexcept { return detail::relu(x); }
    template <class V>
    V antiderivative(const V& x) const noexcept {
        const V p = detail::relu(x);
        return detail::constant<V>(0.5) * p * p;
    }
    template <class V>
    V antiderivative2(const V& x) const noexcept {
        const V p = detail::relu(x);
        return detail::constant<V>(1.0 / 6.0) * p * p * p;
    }
};

/// clamp(x, 0, 6).
struct ReLU6 {
    template <class V>
    V operator()(const V& x) const noexcept { return simd::min(detail::constant<V>(6.0), detail::relu(x)); }
};

/// x > 0 ? x : negative_slope·x (PyTorch default slope 0.01). F1 = x²/2 or s·x²/2; F2 = x³/6 or s·x³/6.
struct LeakyReLU {
    float negative_slope = 0.01f;
    template <class V>
    V operator()(const V& x) const noexcept {
        return simd::select(x < detail::constant<V>(0.0), detail::bcast<V>(negative_slope) * x, x);
    }
    template <class V>
    V antiderivative(const V& x) const noexcept {
        return (*this)(x) * x * detail::constant<V>(0.5);
    }
    template <class V>
    V antiderivative2(const V& x) const noexcept {
        return (*this)(x) * x * x * detail::constant<V>(1.0 / 6.0);
    }
};

/// Parametric ReLU: LeakyReLU with a learned slope (PyTorch's initial value 0.25). Models with one slope
/// per channel use one PReLU per channel, or math::Activation::apply_channel.
struct PReLU {
    float negative_slope = 0.25f;
    template <class V>
    V operator()(const V& x) const noexcept { return LeakyReLU{negative_slope}(x); }
    template <class V>
    V antiderivative(const V& x) const noexcept { return LeakyReLU{negative_slope}.antiderivative(x); }
    template <class V>
    V antiderivative2(const V& x) const noexcept { return LeakyReLU{negative_slope}.antiderivative2(x); }
};

/// Randomized ReLU at inference: LeakyReLU with slope (lower + upper)/2 (PyTorch: 1/8, 1/3 → 11/48).
struct RReLU {
    float lower = 0.125f;
    float upper = 1.0f / 3.0f;
    template <class V>
    V operator()(const V& x) const noexcept { return LeakyReLU{0.5f * (lower + upper)}(x); }
};

/// clamp(x, min_val, max_val) (PyTorch −1, 1). F1, F2: the polynomials of docs/activations.md §6, generalised to
/// any bounds (F1 = x²/2 inside, b·x − b²/2 beyond a bound b; F2 = x³/6 inside, b·x²/2 − b²·x/2 + b³/6).
struct Hardtanh {
    float min_val = -1.0f;
    float max_val = 1.0f;
    template <class V>
    V operator()(const V& x) const noexcept {
        return simd::min(detail::bcast<V>(max_val), simd::max(detail::bcast<V>(min_val), x));
    }
    template <class V>
    V antiderivative(const V& x) const noexcept;
    template <class V>
    V antiderivative2(const V& x) const noexcept;
};

/// NAM's LeakyHardtanh: x < min ? min + min_slope·(x − min) : x > max ? max + max_slope·(x − max) : x.
struct LeakyHardtanh {
    float min_val = -1.0f;
    float max_val = 1.0f;
    float min_slope = 0.01f;
    float max_slope = 0.01f;
    template <class V>
    V operator()(const V& x) const noexcept;
    template <class V>
    V antiderivative(const V& x) const noexcept;
};

/// clamp(x + 3, 0, 6)/6.
struct Hardsigmoid {
    template <class V>
    V operator()(const V& x) const noexcept {
        return simd::min(detail::constant<V>(1.0),
                         detail::relu((x + detail::constant<V>(3.0)) * detail::constant<V>(1.0 / 6.0)));
    }
};

/// x·clamp(x + 3, 0, 6)/6 (−inf → 0, the limit).
struct Hardswish {
    template <class V>
    V operator()(const V& x) const noexcept {
        const V xc = simd::max(detail::constant<V>(-3.0), x);  // −inf·0 would be NaN; NaN still propagates
        const V g = simd::min(detail::constant<V>(6.0), detail::relu(xc + detail::constant<V>(3.0)));
        return xc * (g * detail::constant<V>(1.0 / 6.0));  // g/6 first: x·g could overflow
    }
};

/// x/(1 + |x|); ±inf → ±1. F1 = |x| − log1p|x|.
struct Softsign {
    template <class V>
    V operator()(const V& x) const noexcept {
        const double big = detail::is_double_v<V> ? 1e300 : 1e30;
        const V xc = simd::min(detail::constant<V>(big), simd::max(detail::constant<V>(-big), x));
        return xc / (detail::constant<V>(1.0) + simd::abs(xc));
    }
    template <class V>
    V antiderivative(const V& x) const noexcept;
};

/// x > λ ? x − λ : x < −λ ? x + λ : 0 (PyTorch λ = 0.5).
struct Softshrink {
    float lambd = 0.5f;
    template <class V>
    V operator()(const V& x) const noexcept {
        const V l = detail::bcast<V>(lambd);
        return simd::select(x > l, x - l, simd::select(x < -l, x + l, detail::constant<V>(0.0)));
    }
};

/// |x| > λ ? x : 0 (PyTorch λ = 0.5).
struct Hardshrink {
    float lambd = 0.5f;
    template <class V>
    V operator()(const V& x) const noexcept {
        return simd::select(simd::abs(x) > detail::bcast<V>(lambd), x, detail::constant<V>(0.0));
    }
};

/// x > threshold ? x : value (PyTorch has no defaults; here 0 and 0, i.e. ReLU).
struct Threshold {
    float threshold = 0.0f;
    float value = 0.0f;
    template <class V>
    V operator()(const V& x) const noexcept {
        return simd::select(x > detail::bcast<V>(threshold), x, detail::bcast<V>(value));
    }
};

/// max(0, x/α)² (this library's definition, docs/activations.md §2). F1 = α·max(0,x/α)³/3, F2 = α²·max(0,x/α)⁴/12.
struct ReLUSquared {
    float alpha = 1.0f;
    template <class V>
    V operator()(const V& x) const noexcept {
        const V p = detail::relu(x / detail::bcast<V>(alpha));
        return p * p;
    }
    template <class V>
    V antiderivative(const V& x) const noexcept {
        const V a = detail::bcast<V>(alpha);
        const V p = detail::relu(x / a);
        return a * p * p * p * detail::constant<V>(1.0 / 3.0);
    }
    template <class V>
    V antiderivative2(const V& x) const noexcept {
        const V a = detail::bcast<V>(alpha);
        const V p = detail::relu(x / a);
        const V p2 = p * p;
        return a * a * p2 * p2 * detail::constant<V>(1.0 / 12.0);
    }
};

// ---------------------------------------------------------------------------------------------------
template <class V>
inline V Hardtanh::antiderivative(const V& x) const noexcept {
    const V lo = detail::bcast<V>(min_val), hi = detail::bcast<V>(max_val), h = detail::constant<V>(0.5);
    const V inside = h * x * x;
    const V above = hi * (x - h * hi);
    const V below = lo * (x - h * lo);
    return simd::select(x > hi, above, simd::select(x < lo, below, inside));
}
template <class V>
inline V Hardtanh::antiderivative2(const V& x) const noexcept {
    const V lo = detail::bcast<V>(min_val), hi = detail::bcast<V>(max_val), h = detail::constant<V>(0.5);
    const V sixth = detail::constant<V>(1.0 / 6.0);
    const V inside = sixth * x * x * x;
    const auto beyond = [&](const V& b) {  // Taylor expansion at the bound: exact for the linear tail
        const V d = x - b;
        return sixth * b * b * b + h * b * b * d + h * b * d * d;
    };
    return simd::select(x > hi, beyond(hi), simd::select(x < lo, beyond(lo), inside));
}

template <class V>
inline V Softsign::antiderivative(const V& x) const noexcept {
    const V a = simd::abs(x);
    return a - math::log1p(a);
}

template <class V>
inline V LeakyHardtanh::operator()(const V& x) const noexcept {
    const V lo = detail::bcast<V>(min_val), hi = detail::bcast<V>(max_val);
    const V below = simd::fma(detail::bcast<V>(min_slope), x - lo, lo);
    const V above = simd::fma(detail::bcast<V>(max_slope), x - hi, hi);
    return simd::select(x < lo, below, simd::select(x > hi, above, x));
}
template <class V>
inline V LeakyHardtanh::antiderivative(const V& x) const noexcept {
    const V lo = detail::bcast<V>(min_val), hi = detail::bcast<V>(max_val), h = detail::constant<V>(0.5);
    const auto beyond = [&](const V& b, float slope) {
        const V d = x - b;
        return h * b * b + b * d + h * detail::bcast<V>(slope) * d * d;
    };
    return simd::select(x < lo, beyond(lo, min_slope), simd::select(x > hi, beyond(hi, max_slope), h * x * x));
}

}  // namespace nofold::math
