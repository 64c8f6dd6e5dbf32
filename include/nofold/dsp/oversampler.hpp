// nofold::dsp::Oversampler — an oversampling cascade whose factor and filter are chosen at run time.
#pragma once

#include <array>
#include <optional>
#include <variant>

#include "../config.hpp"
#include "cascade.hpp"
#include "nyquist_decimator.hpp"

namespace nofold::dsp {

/// Oversampling factors supported by the cascades.
enum class OversampleFactor { x1 = 1, x2 = 2, x4 = 4, x8 = 8, x16 = 16 };

/// 1, 2, 4, 8, 16 → the factor; anything else → nullopt (for command lines and settings files).
inline std::optional<OversampleFactor> oversample_factor_from_int(int factor) noexcept;
/// "iir_fast", "iir_quality", "fir_linear_phase", and the CLI's short names "iir" (= iir_quality)
/// and "fir" (= fir_linear_phase) → the preset; anything else → nullopt.
inline std::optional<FilterPreset> filter_preset_from_name(const char* name) noexcept;
inline const char* filter_preset_name(FilterPreset preset) noexcept;

/// The last down-sampling stage (2x → base rate).
enum class FinalStage {
    halfband,  ///< the preset's half-band: lowest latency, but only −6 dB at the base Nyquist frequency
    nyquist    ///< NyquistDecimator: stop band from the base Nyquist frequency (≥ 120 dB), pass band to
               ///< 20 kHz at 48 kHz; +≈ 1 ms latency and 2 × 191 flops per base sample
};

/// Run-time selected Cascade: holds every Cascade<Factor, Preset> instantiation in a std::variant
/// (no heap) and forwards to the chosen one, one dispatch per call.
/// Units: n counts base-rate frames (up: n in, n·factor() out; down: n·factor() in, n out).
/// Latency: latency() base-rate samples, as Cascade::latency().
/// Allocates: never. RT-safe: up, down, reset. Construction is not RT-critical but allocation-free.
class Oversampler {
public:
    explicit Oversampler(OversampleFactor factor = OversampleFactor::x2,
                         FilterPreset filter = FilterPreset::iir_quality,
                         LatencyMode mode = LatencyMode::fractional, FinalStage final = FinalStage::halfband) noexcept;
    NOFOLD_REALTIME void up(const float* in, float* out, int n) noexcept;
    NOFOLD_REALTIME void down(const float* in, float* out, int n) noexcept;
    NOFOLD_REALTIME void reset() noexcept;
    double latency() const noexcept;
    int factor() const noexcept { return static_cast<int>(factor_); }
    FilterPreset filter() const noexcept { return filter_; }
    /// nyquist only at factors ≥ 2 (1x has no down-sampler); LatencyMode::integer does not apply to it.
    FinalStage final_stage() const noexcept { return final_; }
    /// Arithmetic cost of up + down per base-rate sample (a multiply-add counts 2).
    double flops_per_sample() const noexcept;

private:
    template <class Filter>
    using PerFactor = std::variant<Cascade<1, Filter>, Cascade<2, Filter>, Cascade<4, Filter>, Cascade<8, Filter>,
                                   Cascade<16, Filter>>;
    using Any = std::variant<PerFactor<IIRFast>, PerFactor<IIRQuality>, PerFactor<FIRLinearPhase>>;
    static Any make(OversampleFactor factor, FilterPreset filter, LatencyMode mode) noexcept;

    double measure_latency() noexcept;

    OversampleFactor factor_;
    FilterPreset filter_;
    FinalStage final_;
    Any cascade_;
    NyquistDecimator nyquist_;
    double nyquist_latency_ = 0.0;
    static constexpr int nyquist_block = chunk_frames;
    alignas(alignment) std::array<float, 2 * nyquist_block> double_rate_{};
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

inline Oversampler::Oversampler(OversampleFactor factor, FilterPreset filter, LatencyMode mode, FinalStage final) noexcept
    : factor_(factor),
      filter_(filter),
      final_(factor == OversampleFactor::x1 ? FinalStage::halfband : final),
      cascade_(make(factor, filter, final_ == FinalStage::nyquist ? LatencyMode::fractional : mode)) {
    if (final_ == FinalStage::nyquist) nyquist_latency_ = measure_latency();
}

// DC group delay of up → down = Σ t·y[t] / Σ y[t] for an impulse (the chain is LTI at the base rate),
// the same quantity as the half-band cascades' analytic DC phase delay.
inline double Oversampler::measure_latency() noexcept {
    std::array<float, nyquist_block> x{}, y{};
    std::array<float, nyquist_block * 16> high{};
    double moment = 0.0, sum = 0.0;
    x[0] = 1.0f;
    for (int b = 0; b < 64; ++b) {
        up(x.data(), high.data(), nyquist_block);
        down(high.data(), y.data(), nyquist_block);
        for (int i = 0; i < nyquist_block; ++i) {
            moment += static_cast<double>(b * nyquist_block + i) * y[static_cast<std::size_t>(i)];
            sum += y[static_cast<std::size_t>(i)];
        }
        x[0] = 0.0f;
    }
    reset();
    return moment / sum;
}

inline void Oversampler::up(const float* in, float* out, int n) noexcept {
    std::visit([&](auto& per) { std::visit([&](auto& c) { c.up(in, out, n); }, per); }, cascade_);
}
inline void Oversampler::down(const float* in, float* out, int n) noexcept {
    if (final_ == FinalStage::nyquist) {
        const int f = factor();
        while (n > 0) {
            const int m = n < nyquist_block ? n : nyquist_block;
            std::visit([&](auto& per) { std::visit([&](auto& c) { c.down_to_double(in, double_rate_.data(), m); }, per); },
                       cascade_);
            nyquist_.process(double_rate_.data(), out, m);
            in += m * f;
            out += m;
            n -= m;
        }
        return;
    }
    std::visit([&](auto& per) { std::visit([&](auto& c) { c.down(in, out, n); }, per); }, cascade_);
}
inline void Oversampler::reset() noexcept {
    std::visit([](auto& per) { std::visit([](auto& c) { c.reset(); }, per); }, cascade_);
    nyquist_.reset();
}
inline double Oversampler::latency() const noexcept {
    if (final_ == FinalStage::nyquist) return nyquist_latency_;
    return std::visit([](const auto& per) { return std::visit([](const auto& c) { return c.latency(); }, per); },
                      cascade_);
}
inline double Oversampler::flops_per_sample() const noexcept {
    const bool nyquist = final_ == FinalStage::nyquist;
    return std::visit(
        [&](const auto& per) {
            return std::visit(
                [&](const auto& c) {
                    // FinalStage::nyquist replaces the last half-band decimator (stage 0, down direction)
                    return c.flops_per_sample() - (nyquist ? c.stage_flops(0) : 0.0);
                },
                per);
        },
        cascade_) +
           (nyquist ? nyquist_.flops_per_sample() : 0.0);
}

}  // namespace nofold::dsp
