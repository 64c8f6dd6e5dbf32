// nofold::dsp::Oversampler — an oversampling cascade whose factor and filter are chosen at run time.
#pragma once

#include <optional>
#include <variant>

#include "../config.hpp"
#include "cascade.hpp"

namespace nofold::dsp {

/// Oversampling factors supported by the cascades.
enum class OversampleFactor { x1 = 1, x2 = 2, x4 = 4, x8 = 8, x16 = 16 };

/// 1, 2, 4, 8, 16 → the factor; anything else → nullopt (for command lines and settings files).
inline std::optional<OversampleFactor> oversample_factor_from_int(int factor) noexcept;
/// "iir_fast", "iir_quality", "fir_linear_phase", and the CLI's short names "iir" (= iir_quality)
/// and "fir" (= fir_linear_phase) → the preset; anything else → nullopt.
inline std::optional<FilterPreset> filter_preset_from_name(const char* name) noexcept;
inline const char* filter_preset_name(FilterPreset preset) noexcept;

/// Run-time selected Cascade: holds every Cascade<Factor, Preset> instantiation in a std::variant
/// (no heap) and forwards to the chosen one, one dispatch per call.
/// Units: n counts base-rate frames (up: n in, n·factor() out; down: n·factor() in, n out).
/// Latency: latency() base-rate samples, as Cascade::latency().
/// Allocates: never. RT-safe: up, down, reset. Construction is not RT-critical but allocation-free.
class Oversampler {
public:
    explicit Oversampler(OversampleFactor factor = OversampleFactor::x2,
                         FilterPreset filter = FilterPreset::iir_quality,
                         LatencyMode mode = LatencyMode::fractional) noexcept;
    NOFOLD_REALTIME void up(const float* in, float* out, int n) noexcept;
    NOFOLD_REALTIME void down(const float* in, float* out, int n) noexcept;
    NOFOLD_REALTIME void reset() noexcept;
    double latency() const noexcept;
    int factor() const noexcept { return static_cast<int>(factor_); }
    FilterPreset filter() const noexcept { return filter_; }
    /// Arithmetic cost of up + down per base-rate sample (a multiply-add counts 2).
    double flops_per_sample() const noexcept;

private:
    template <class Filter>
    using PerFactor = std::variant<Cascade<1, Filter>, Cascade<2, Filter>, Cascade<4, Filter>, Cascade<8, Filter>,
                                   Cascade<16, Filter>>;
    using Any = std::variant<PerFactor<IIRFast>, PerFactor<IIRQuality>, PerFactor<FIRLinearPhase>>;
    static Any make(OversampleFactor factor, FilterPreset filter, LatencyMode mode) noexcept;

    OversampleFactor factor_;
    FilterPreset filter_;
    Any cascade_;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
inline std::optional<OversampleFactor> oversample_factor_from_int(int factor) noexcept {
    switch (factor) {
        case 1: return OversampleFactor::x1;
        case 2: return OversampleFactor::x2;
        case 4: return OversampleFactor::x4;
        case 8: return OversampleFactor::x8;
        case 16: return OversampleFactor::x16;
        default: return std::nullopt;
    }
}

inline std::optional<FilterPreset> filter_preset_from_name(const char* name) noexcept {
    if (name == nullptr) return std::nullopt;
    const auto is = [name](const char* s) {
        const char* a = name;
        while (*a != '\0' && *a == *s) {
            ++a;
            ++s;
        }
        return *a == '\0' && *s == '\0';
    };
    if (is("iir_fast")) return FilterPreset::iir_fast;
    if (is("iir_quality") || is("iir")) return FilterPreset::iir_quality;
    if (is("fir_linear_phase") || is("fir")) return FilterPreset::fir_linear_phase;
    return std::nullopt;
}

inline const char* filter_preset_name(FilterPreset preset) noexcept {
    switch (preset) {
        case FilterPreset::iir_fast: return "iir_fast";
        case FilterPreset::iir_quality: return "iir_quality";
        case FilterPreset::fir_linear_phase: return "fir_linear_phase";
    }
    return "?";
}

namespace detail {
template <class Filter>
std::variant<Cascade<1, Filter>, Cascade<2, Filter>, Cascade<4, Filter>, Cascade<8, Filter>, Cascade<16, Filter>>
make_per_factor(OversampleFactor factor, LatencyMode mode) noexcept {
    using R = std::variant<Cascade<1, Filter>, Cascade<2, Filter>, Cascade<4, Filter>, Cascade<8, Filter>,
                           Cascade<16, Filter>>;
    switch (factor) {
        case OversampleFactor::x2: return R(std::in_place_index<1>, mode);
        case OversampleFactor::x4: return R(std::in_place_index<2>, mode);
        case OversampleFactor::x8: return R(std::in_place_index<3>, mode);
        case OversampleFactor::x16: return R(std::in_place_index<4>, mode);
        default: return R(std::in_place_index<0>, mode);
    }
}

}  // namespace detail

inline Oversampler::Any Oversampler::make(OversampleFactor factor, FilterPreset filter, LatencyMode mode) noexcept {
    switch (filter) {
        case FilterPreset::iir_fast: return Any(std::in_place_index<0>, detail::make_per_factor<IIRFast>(factor, mode));
        case FilterPreset::fir_linear_phase:
            return Any(std::in_place_index<2>, detail::make_per_factor<FIRLinearPhase>(factor, mode));
        default: return Any(std::in_place_index<1>, detail::make_per_factor<IIRQuality>(factor, mode));
    }
}

inline Oversampler::Oversampler(OversampleFactor factor, FilterPreset filter, LatencyMode mode) noexcept
    : factor_(factor), filter_(filter), cascade_(make(factor, filter, mode)) {}

inline void Oversampler::up(const float* in, float* out, int n) noexcept {
    std::visit([&](auto& per) { std::visit([&](auto& c) { c.up(in, out, n); }, per); }, cascade_);
}
inline void Oversampler::down(const float* in, float* out, int n) noexcept {
    std::visit([&](auto& per) { std::visit([&](auto& c) { c.down(in, out, n); }, per); }, cascade_);
}
inline void Oversampler::reset() noexcept {
    std::visit([](auto& per) { std::visit([](auto& c) { c.reset(); }, per); }, cascade_);
}
inline double Oversampler::latency() const noexcept {
    return std::visit([](const auto& per) { return std::visit([](const auto& c) { return c.latency(); }, per); },
                      cascade_);
}
inline double Oversampler::flops_per_sample() const noexcept {
    return std::visit(
        [](const auto& per) { return std::visit([](const auto& c) { return c.flops_per_sample(); }, per); },
        cascade_);
}

}  // namespace nofold::dsp
