// nofold::nn::detail — RowActivation: an activation chosen at run time (from an ActivationSpec and a
// MathMode), applied to channel-major rows of a chunk. One switch per row, SIMD inside the row.
//
// Bridge until every kind is served by nofold::math policies; the formulas are the spec's
// (../shared/specs/model-formats.md §1.1, activations.md). Allocates: construction only (PReLU
// slopes). RT-safe: apply.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "../../simd/simd.hpp"
#include "../activation_spec.hpp"
#include "../math_mode.hpp"

namespace nofold::nn::detail {

enum class ActKind {
    identity,
    tanh,
    fasttanh,
    hardtanh,
    relu,
    leaky_relu,
    prelu,
    sigmoid,
    fast_sigmoid,
    silu,
    hardswish,
    softsign,
    leaky_hardtanh
};

/// NAM's rational tanh approximation (spec §1.1), for any V.
template <class V>
inline V fasttanh(V x) noexcept {
    const V a = simd::abs(x);
    const V x2 = x * x;
    const V num = x * (V(2.45550750702956f) + V(2.45550750702956f) * a + (V(0.893229853513558f) + V(0.821226666969744f) * a) * x2);
    const V den = V(2.44506634652299f) + (V(2.44506634652299f) + x2) * simd::abs(x + V(0.814642734961073f) * x * a);
    return num / den;
}

template <class V>
inline V exact_tanh(V x) noexcept {
    using std::tanh;
    return tanh(x);
}

template <class V>
inline V exact_sigmoid(V x) noexcept {
    using std::exp;
    return V(1) / (V(1) + exp(-x));
}

class RowActivation {
public:
    RowActivation() = default;

    /// Empty string when `spec` is understood; else the reason (names the activation).
    std::string configure(const ActivationSpec& spec, MathMode mode) {
        const std::string& n = spec.name;
        const auto& p = spec.params;
        slopes_.clear();
        if (n == "Tanh") {
            kind_ = mode == MathMode::exact ? ActKind::tanh : ActKind::fasttanh;
        } else if (n == "Fasttanh") {
            kind_ = ActKind::fasttanh;
        } else if (n == "Hardtanh") {
            kind_ = ActKind::hardtanh;
        } else if (n == "ReLU") {
            kind_ = ActKind::relu;
        } else if (n == "LeakyReLU") {
            kind_ = ActKind::leaky_relu;
            p0_ = p.empty() ? 0.01f : p[0];
        } else if (n == "PReLU") {
            kind_ = ActKind::prelu;
            slopes_ = p.empty() ? std::vector<float>{0.01f} : p;
        } else if (n == "Sigmoid") {
            kind_ = ActKind::sigmoid;
        } else if (n == "SiLU") {
            kind_ = ActKind::silu;
        } else if (n == "Hardswish") {
            kind_ = ActKind::hardswish;
        } else if (n == "Softsign") {
            kind_ = ActKind::softsign;
        } else if (n == "LeakyHardtanh" || n == "LeakyHardTanh") {
            kind_ = ActKind::leaky_hardtanh;
            const float d[4] = {-1.0f, 1.0f, 0.01f, 0.01f};
            p0_ = p.size() > 0 ? p[0] : d[0];
            p1_ = p.size() > 1 ? p[1] : d[1];
            p2_ = p.size() > 2 ? p[2] : d[2];
            p3_ = p.size() > 3 ? p[3] : d[3];
        } else if (n == "Identity" || n == "Linear") {
            kind_ = ActKind::identity;
        } else {
            return "unknown activation '" + n + "'";
        }
        return {};
    }
    /// The LSTM's gates in NAM mode: sigmoid through Fasttanh.
    void set_kind(ActKind k) noexcept { kind_ = k; }
    ActKind kind() const noexcept { return kind_; }
    /// Number of per-row PReLU slopes (1 = one slope for every row).
    int slope_count() const noexcept { return static_cast<int>(slopes_.size()); }

    /// Apply to `batches` batches of row `row` (the row index selects a PReLU slope).
    template <class V>
    void apply(float* data, int batches, int row) const noexcept {
        switch (kind_) {
            case ActKind::identity: return;
            case ActKind::tanh: return each<V>(data, batches, [](V x) { return exact_tanh(x); });
            case ActKind::fasttanh: return each<V>(data, batches, [](V x) { return fasttanh(x); });
            case ActKind::hardtanh: return each<V>(data, batches, [](V x) { return simd::clamp(x, -1.0f, 1.0f); });
            case ActKind::relu: return each<V>(data, batches, [](V x) { return simd::max(x, V(0)); });
            case ActKind::leaky_relu: {
                const V s(p0_);
                return each<V>(data, batches, [s](V x) { return simd::select(x > V(0), x, s * x); });
            }
            case ActKind::prelu: {
                const std::size_t i = slopes_.size() == 1 ? 0 : static_cast<std::size_t>(row);
                const V s(i < slopes_.size() ? slopes_[i] : slopes_.back());
                return each<V>(data, batches, [s](V x) { return simd::select(x > V(0), x, s * x); });
            }
            case ActKind::sigmoid: return each<V>(data, batches, [](V x) { return exact_sigmoid(x); });
            case ActKind::fast_sigmoid:
                return each<V>(data, batches, [](V x) { return V(0.5f) * (fasttanh(V(0.5f) * x) + V(1)); });
            case ActKind::silu: return each<V>(data, batches, [](V x) { return x * exact_sigmoid(x); });
            case ActKind::hardswish:
                return each<V>(data, batches, [](V x) { return x * simd::clamp(x + V(3), 0.0f, 6.0f) * V(1.0f / 6.0f); });
            case ActKind::softsign: return each<V>(data, batches, [](V x) { return x / (V(1) + simd::abs(x)); });
            case ActKind::leaky_hardtanh: {
                const V lo(p0_), hi(p1_), slo(p2_), shi(p3_);
                return each<V>(data, batches, [=](V x) {
                    const V below = lo + slo * (x - lo);
                    const V above = hi + shi * (x - hi);
                    return simd::select(x < lo, below, simd::select(x > hi, above, x));
                });
            }
        }
    }

private:
    template <class V, class F>
    static void each(float* data, int batches, F f) noexcept {
        constexpr int lanes = simd::lanes<V>;
        for (int b = 0; b < batches; ++b) {
            float* p = data + b * lanes;
            simd::store_aligned(p, f(simd::load_aligned<V>(p)));
        }
    }

    ActKind kind_ = ActKind::identity;
    float p0_ = 0, p1_ = 0, p2_ = 0, p3_ = 0;
    std::vector<float> slopes_;
};

}  // namespace nofold::nn::detail
