// nofold::math — Activation: an activation chosen at run time (from a loaded model file), applied to
// blocks with one dispatch per call onto the same SIMD policy kernels the static layers use.
//
//   auto act = math::Activation::from_name("LeakyReLU").value();   // .nam spelling, defaults filled in
//   act.params[0] = 0.2f;                                           // negative_slope, see ActivationKind
//   act.apply(x, n);                                                // in place, any n ≥ 0
//   act.apply_gated(a, b, out, n, math::Activation(math::ActivationKind::sigmoid));
//
// Per-channel PReLU: fill `channel_slopes` (one slope per channel) and call apply_channel(x, n, c) on each
// channel's contiguous block; apply() and an empty channel_slopes use params[0] for every element.
// Units: n in elements. Allocates: only copying an Activation with channel_slopes (load time); every
// apply* member is RT-safe (NOFOLD_REALTIME, noexcept, no allocation).
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "block.hpp"
#include "exponential.hpp"
#include "gating.hpp"
#include "piecewise.hpp"
#include "sigmoid.hpp"
#include "smooth_hardtanh.hpp"
#include "snake.hpp"
#include "tanh.hpp"
#include "tier.hpp"

namespace nofold::math {

/// Every activation of the catalogue. params[] meaning (defaults in parentheses):
/// leaky_relu, prelu: [0] negative_slope (0.01, 0.25) · rrelu: [0] lower (1/8), [1] upper (1/3) ·
/// hardtanh: [0] min_val (−1), [1] max_val (1) · leaky_hardtanh: [0] min_val (−1), [1] max_val (1),
/// [2] min_slope (0.01), [3] max_slope (0.01) · elu, celu: [0] alpha (1) · softplus: [0] beta (1),
/// [1] threshold (20) · softshrink, hardshrink: [0] lambd (0.5) · threshold: [0] threshold (0), [1] value (0) ·
/// custom_tanh, snake, relu_squared: [0] alpha (1) · snake_beta: [0] alpha (1), [1] beta (1) ·
/// relu_squared_dip: [0] beta (1) · smooth_hardtanh_c1/_c2: [0] width (0.25), [1] slope (0.01).
enum class ActivationKind {
    identity, tanh, hardtanh, fasttanh, relu, leaky_relu, prelu, sigmoid, silu, hardswish, softsign,
    leaky_hardtanh, relu6, rrelu, elu, celu, selu, gelu, gelu_tanh, hardsigmoid, mish, softplus, softshrink,
    hardshrink, tanhshrink, log_sigmoid, threshold, custom_tanh, snake, snake_beta, relu_squared,
    relu_squared_dip, gaussian, smooth_hardtanh_c1, smooth_hardtanh_c2
};

/// Number of ActivationKind values (they are 0 … count−1).
inline constexpr int activation_kind_count = static_cast<int>(ActivationKind::smooth_hardtanh_c2) + 1;

/// Lower-case identifier of a kind ("leaky_relu", "smooth_hardtanh_c2", …).
const char* to_string(ActivationKind kind) noexcept;

class Activation {
public:
    ActivationKind kind = ActivationKind::identity;
    Accuracy accuracy = Accuracy::exact;   ///< used by tanh, sigmoid, silu, custom_tanh, gelu_tanh, tanhshrink and
                                           ///< the exp-based elu, celu, selu, gelu, mish, softplus, log_sigmoid,
                                           ///< gaussian, relu_squared_dip
    std::array<float, 4> params{};         ///< see ActivationKind
    std::vector<float> channel_slopes;     ///< PReLU per-channel slopes (empty: params[0] everywhere)

    Activation() = default;
    /// The kind with its default parameters.
    explicit Activation(ActivationKind k, Accuracy a = Accuracy::exact) noexcept;

    /// Kind for a .nam / PyTorch name or a lower-case identifier, ignoring case and '_' ("Tanh", "LeakyHardTanh",
    /// "leaky_hardtanh", "SiLU", "Swish", "customtanh", "smoothhardtanh" = c2). nullopt when unknown.
    static std::optional<ActivationKind> kind_from_name(std::string_view name) noexcept;
    /// Activation(kind_from_name(name)) with default parameters, or nullopt.
    static std::optional<Activation> from_name(std::string_view name, Accuracy a = Accuracy::exact);

    /// x[i] = f(x[i]).
    NOFOLD_REALTIME void apply(float* x, int n) const noexcept { apply(x, x, n); }
    /// out[i] = f(in[i]) (in == out allowed).
    NOFOLD_REALTIME void apply(const float* in, float* out, int n) const noexcept;
    /// PReLU with channel_slopes[channel] (other kinds: same as apply). channel must index channel_slopes
    /// when it is non-empty.
    NOFOLD_REALTIME void apply_channel(float* x, int n, int channel) const noexcept;
    /// out = f(a)·gate(b) (Gated); out may alias a or b.
    NOFOLD_REALTIME void apply_gated(const float* a, const float* b, float* out, int n,
                                     const Activation& gate) const noexcept;
    /// out = g·f(a) + (1 − g)·a with g = gate(b) (Blended); out may alias a or b.
    NOFOLD_REALTIME void apply_blended(const float* a, const float* b, float* out, int n,
                                       const Activation& gate) const noexcept;

    /// Calls fn(policy) with the static policy object this activation stands for (e.g. LeakyReLU{0.2f},
    /// Tanh<Fast>{}); returns what fn returns. One switch; fn is instantiated for every policy.
    template <class Fn>
    decltype(auto) visit(Fn&& fn) const;
};

// ---------------------------------------------------------------------------------------------------
namespace detail {
inline constexpr const char* activation_names[activation_kind_count] = {
    "identity", "tanh", "hardtanh", "fasttanh", "relu", "leaky_relu", "prelu", "sigmoid", "silu", "hardswish",
    "softsign", "leaky_hardtanh", "relu6", "rrelu", "elu", "celu", "selu", "gelu", "gelu_tanh", "hardsigmoid",
    "mish", "softplus", "softshrink", "hardshrink", "tanhshrink", "log_sigmoid", "threshold", "custom_tanh",
    "snake", "snake_beta", "relu_squared", "relu_squared_dip", "gaussian", "smooth_hardtanh_c1",
    "smooth_hardtanh_c2"};

/// Case-insensitive comparison that ignores '_'.
inline bool same_name(std::string_view a, std::string_view b) noexcept {
    std::size_t i = 0, j = 0;
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    for (;;) {
        while (i < a.size() && a[i] == '_') ++i;
        while (j < b.size() && b[j] == '_') ++j;
        if (i == a.size() || j == b.size()) return i == a.size() && j == b.size();
        if (lower(a[i]) != lower(b[j])) return false;
        ++i, ++j;
    }
}

template <class T>
struct TierTag {
    using type = T;
};
}  // namespace detail

inline const char* to_string(ActivationKind kind) noexcept {
    const int i = static_cast<int>(kind);
    return i >= 0 && i < activation_kind_count ? detail::activation_names[i] : "unknown";
}

inline Activation::Activation(ActivationKind k, Accuracy a) noexcept : kind(k), accuracy(a) {
    switch (k) {
        case ActivationKind::leaky_relu: params = {0.01f, 0, 0, 0}; break;
        case ActivationKind::prelu: params = {0.25f, 0, 0, 0}; break;
        case ActivationKind::rrelu: params = {0.125f, 1.0f / 3.0f, 0, 0}; break;
        case ActivationKind::hardtanh: params = {-1.0f, 1.0f, 0, 0}; break;
        case ActivationKind::leaky_hardtanh: params = {-1.0f, 1.0f, 0.01f, 0.01f}; break;
        case ActivationKind::elu:
        case ActivationKind::celu:
        case ActivationKind::custom_tanh:
        case ActivationKind::snake:
        case ActivationKind::relu_squared:
        case ActivationKind::relu_squared_dip: params = {1.0f, 0, 0, 0}; break;
        case ActivationKind::snake_beta: params = {1.0f, 1.0f, 0, 0}; break;
        case ActivationKind::softplus: params = {1.0f, 20.0f, 0, 0}; break;
        case ActivationKind::softshrink:
        case ActivationKind::hardshrink: params = {0.5f, 0, 0, 0}; break;
        case ActivationKind::smooth_hardtanh_c1:
        case ActivationKind::smooth_hardtanh_c2: params = {0.25f, 0.01f, 0, 0}; break;
        default: params = {0, 0, 0, 0}; break;
    }
}

inline std::optional<ActivationKind> Activation::kind_from_name(std::string_view name) noexcept {
    for (int i = 0; i < activation_kind_count; ++i)
        if (detail::same_name(name, detail::activation_names[i])) return static_cast<ActivationKind>(i);
    struct Alias {
        const char* name;
        ActivationKind kind;
    };
    static constexpr Alias aliases[] = {{"swish", ActivationKind::silu},
                                        {"smoothhardtanh", ActivationKind::smooth_hardtanh_c2},
                                        {"geluapprox", ActivationKind::gelu_tanh},
                                        {"logsigmoid", ActivationKind::log_sigmoid},
                                        {"linear", ActivationKind::identity}};
    for (const auto& alias : aliases)
        if (detail::same_name(name, alias.name)) return alias.kind;
    return std::nullopt;
}

inline std::optional<Activation> Activation::from_name(std::string_view name, Accuracy a) {
    const auto k = kind_from_name(name);
    if (!k) return std::nullopt;
    return Activation(*k, a);
}

template <class Fn>
inline decltype(auto) Activation::visit(Fn&& fn) const {
    const auto& p = params;
    using K = ActivationKind;
    // Tiered kinds: pick the tier once, then build the policy.
    const auto tiered = [&](auto make) -> decltype(auto) {
        switch (accuracy) {
            case Accuracy::fast: return fn(make(detail::TierTag<Fast>{}));
            case Accuracy::nam: return fn(make(detail::TierTag<NamCompat>{}));
            case Accuracy::exact:
            default: return fn(make(detail::TierTag<Exact>{}));
        }
    };
    switch (kind) {
        case K::tanh: return tiered([](auto t) { return Tanh<typename decltype(t)::type>{}; });
        case K::sigmoid: return tiered([](auto t) { return Sigmoid<typename decltype(t)::type>{}; });
        case K::silu: return tiered([](auto t) { return SiLU<typename decltype(t)::type>{}; });
        case K::gelu_tanh: return tiered([](auto t) { return GELUTanh<typename decltype(t)::type>{}; });
        case K::tanhshrink: return tiered([](auto t) { return Tanhshrink<typename decltype(t)::type>{}; });
        case K::custom_tanh:
            return tiered([&](auto t) { return CustomTanh<typename decltype(t)::type>{p[0]}; });
        case K::hardtanh: return fn(Hardtanh{p[0], p[1]});
        case K::fasttanh: return fn(Fasttanh{});
        case K::relu: return fn(ReLU{});
        case K::leaky_relu: return fn(LeakyReLU{p[0]});
        case K::prelu: return fn(PReLU{p[0]});
        case K::hardswish: return fn(Hardswish{});
        case K::softsign: return fn(Softsign{});
        case K::leaky_hardtanh: return fn(LeakyHardtanh{p[0], p[1], p[2], p[3]});
        case K::relu6: return fn(ReLU6{});
        case K::rrelu: return fn(RReLU{p[0], p[1]});
        case K::elu: return tiered([&](auto t) { return ELU<typename decltype(t)::type>{p[0]}; });
        case K::celu: return tiered([&](auto t) { return CELU<typename decltype(t)::type>{p[0]}; });
        case K::selu: return tiered([](auto t) { return SELU<typename decltype(t)::type>{}; });
        case K::gelu: return tiered([](auto t) { return GELU<typename decltype(t)::type>{}; });
        case K::hardsigmoid: return fn(Hardsigmoid{});
        case K::mish: return tiered([](auto t) { return Mish<typename decltype(t)::type>{}; });
        case K::softplus: return tiered([&](auto t) { return Softplus<typename decltype(t)::type>{p[0], p[1]}; });
        case K::softshrink: return fn(Softshrink{p[0]});
        case K::hardshrink: return fn(Hardshrink{p[0]});
        case K::log_sigmoid: return tiered([](auto t) { return LogSigmoid<typename decltype(t)::type>{}; });
        case K::threshold: return fn(Threshold{p[0], p[1]});
        case K::snake: return fn(Snake{p[0]});
        case K::snake_beta: return fn(SnakeBeta{p[0], p[1]});
        case K::relu_squared: return fn(ReLUSquared{p[0]});
        case K::relu_squared_dip:
            return tiered([&](auto t) { return ReLUSquaredDip<typename decltype(t)::type>{p[0]}; });
        case K::gaussian: return tiered([](auto t) { return Gaussian<typename decltype(t)::type>{}; });
        case K::smooth_hardtanh_c1: return fn(SmoothHardtanh<Smoothness::c1>{p[0], p[1]});
        case K::smooth_hardtanh_c2: return fn(SmoothHardtanh<Smoothness::c2>{p[0], p[1]});
        case K::identity:
        default: return fn(Identity{});
    }
}

NOFOLD_REALTIME inline void Activation::apply(const float* in, float* out, int n) const noexcept {
    visit([&](const auto& policy) { math::apply(policy, in, out, n); });
}

NOFOLD_REALTIME inline void Activation::apply_channel(float* x, int n, int channel) const noexcept {
    if (kind == ActivationKind::prelu && !channel_slopes.empty()) {
        math::apply(PReLU{channel_slopes[static_cast<std::size_t>(channel)]}, x, n);
    } else {
        apply(x, n);
    }
}

namespace detail {
inline constexpr int gate_chunk = 256;
}

NOFOLD_REALTIME inline void Activation::apply_gated(const float* a, const float* b, float* out, int n,
                                                    const Activation& gate) const noexcept {
    alignas(64) float act_buf[detail::gate_chunk];
    alignas(64) float gate_buf[detail::gate_chunk];
    for (int start = 0; start < n; start += detail::gate_chunk) {
        const int m = n - start < detail::gate_chunk ? n - start : detail::gate_chunk;
        apply(a + start, act_buf, m);
        gate.apply(b + start, gate_buf, m);
        math::apply([](const auto& u, const auto& g) { return math::gate(u, g); }, act_buf, gate_buf, out + start, m);
    }
}

NOFOLD_REALTIME inline void Activation::apply_blended(const float* a, const float* b, float* out, int n,
                                                      const Activation& gate) const noexcept {
    alignas(64) float act_buf[detail::gate_chunk];
    alignas(64) float gate_buf[detail::gate_chunk];
    for (int start = 0; start < n; start += detail::gate_chunk) {
        const int m = n - start < detail::gate_chunk ? n - start : detail::gate_chunk;
        apply(a + start, act_buf, m);
        gate.apply(b + start, gate_buf, m);
        using V = simd::float_batch;
        constexpr int w = simd::lanes<V>;
        int i = 0;
        for (; i + w <= m; i += w) {
            const V av = simd::load<V>(a + start + i);
            simd::store(out + start + i, math::blend(simd::load<V>(gate_buf + i), simd::load<V>(act_buf + i), av));
        }
        for (; i < m; ++i) out[start + i] = math::blend(gate_buf[i], act_buf[i], a[start + i]);
    }
}

}  // namespace nofold::math
