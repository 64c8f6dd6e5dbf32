// nofold::dsp — 2/4/8/16x up/down oversampling cascades of half-band stages.
#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <tuple>
#include <utility>

#include "../config.hpp"
#include "filter_preset.hpp"
#include "halfband_fir.hpp"
#include "halfband_iir.hpp"

namespace nofold::dsp {

namespace detail {
template <class Filter, int S, FilterKind Kind = Filter::kind>
struct CascadeStage;  // defined below: stage S's size, coefficients, delay and stage types
template <class Filter, class Seq>
struct CascadeTuples;
template <class Filter, std::size_t... I>
struct CascadeTuples<Filter, std::index_sequence<I...>> {
    using Ups = std::tuple<typename CascadeStage<Filter, static_cast<int>(I)>::Up...>;
    using Downs = std::tuple<typename CascadeStage<Filter, static_cast<int>(I)>::Down...>;
};
}  // namespace detail

/// Whether latency() may be fractional or is rounded up to whole base-rate samples.
enum class LatencyMode {
    fractional,  ///< the filters' own DC phase delay
    integer      ///< plus a first-order Thiran allpass at the base rate, so the DC delay is whole
};

/// Up- and down-sampler pair for a power-of-two factor, built from 2x half-band stages designed at
/// compile time from a preset (IIRFast, IIRQuality, FIRLinearPhase, FIREquiripple; see
/// filter_preset.hpp).
/// Template parameters: Factor — 1, 2, 4, 8 or 16 (1 copies); Filter — the preset type.
/// Units: `n` always counts BASE-rate frames: up() reads n and writes n*Factor samples, down()
/// reads n*Factor and writes n. Mono float.
/// Latency: latency() = the DC phase delay of up() followed by down(), in base-rate samples
/// (IIR: fractional, frequency dependent; FIR: exact at all frequencies). With
/// LatencyMode::integer it is rounded up to an integer >= delay + 0.5 by a fractional delay.
/// Allocates: never (buffers are members; 16 KiB at 16x). RT-safe: up, down, reset.
/// Reference: docs/oversampling.md §1–3.
template <int Factor, class Filter = IIRQuality>
class Cascade {
    static_assert(Factor == 1 || Factor == 2 || Factor == 4 || Factor == 8 || Factor == 16,
                  "Cascade: the oversampling factor must be 1, 2, 4, 8 or 16");

public:
    static constexpr int factor = Factor;
    static constexpr int stage_count = Factor == 1 ? 0 : Factor == 2 ? 1 : Factor == 4 ? 2 : Factor == 8 ? 3 : 4;

    explicit Cascade(LatencyMode mode = LatencyMode::fractional) noexcept;
    NOFOLD_REALTIME void up(const float* in, float* out, int n) noexcept;
    NOFOLD_REALTIME void down(const float* in, float* out, int n) noexcept;
    /// down() without its last stage: reads n·Factor samples, writes 2n at twice the base rate (for a
    /// different final stage, e.g. NyquistDecimator). No fractional-delay allpass. Factor ≥ 2.
    NOFOLD_REALTIME void down_to_double(const float* in, float* out, int n) noexcept;
    NOFOLD_REALTIME void reset() noexcept;
    /// Round-trip (up then down) delay in base-rate samples, as configured by the LatencyMode.
    double latency() const noexcept { return latency_; }
    /// The filters' own round-trip DC phase delay in base-rate samples (fractional).
    static constexpr double filter_latency() noexcept;
    /// Coefficient count (IIR) or side taps (FIR) of stage s, 0 = next to the base rate.
    static constexpr int stage_size(int s) noexcept { return dsp::stage_size<Filter>(s); }
    /// Arithmetic cost of up + down per base-rate sample (a multiply-add counts 2): IIR 4 flops per
    /// coefficient and low-rate sample (two fma), FIR 3 per side tap and output pair, both directions.
    static constexpr double flops_per_sample() noexcept {
        double total = 0.0;
        for (int s = 0, rate = 1; (1 << s) < Factor; ++s, rate *= 2) total += 2.0 * stage_flops(s) * rate;
        return total;
    }
    /// Floating-point operations of one direction (up or down) of stage s per low-rate sample of that
    /// stage (stage 0 works at the base rate): IIR 4 per coefficient (two fma), FIR 3 per side tap.
    static constexpr double stage_flops(int s) noexcept {
        return (Filter::kind == FilterKind::iir ? 4.0 : 3.0) * stage_size(s);
    }
    LatencyMode latency_mode() const noexcept { return mode_; }

private:
    using Stages = std::make_index_sequence<stage_count>;
    using Ups = typename detail::CascadeTuples<Filter, Stages>::Ups;
    using Downs = typename detail::CascadeTuples<Filter, Stages>::Downs;
    template <std::size_t... I>
    static Ups make_ups(std::index_sequence<I...>);
    template <std::size_t... I>
    static Downs make_downs(std::index_sequence<I...>);
    template <std::size_t I>
    void up_from(const float* in, float* out, int n) noexcept;
    template <std::size_t I>
    void down_from(const float* in, float* out, int n) noexcept;
    template <std::size_t I>
    void down_to_double_from(const float* in, float* out, int n) noexcept;

    // Larger than nofold::chunk_frames: the IIR stages are latency-bound recursions whose pipeline
    // refills at every call, so longer runs per stage pay (measured: 2x iir_quality 8.9 -> 6.5 ns).
    static constexpr int block = 4 * chunk_frames;
    static constexpr int buffer_size = block * (Factor > 1 ? Factor / 2 : 1);

    Ups ups_;
    Downs downs_;
    alignas(alignment) std::array<float, buffer_size> buffer_a_{};
    alignas(alignment) std::array<float, buffer_size> buffer_b_{};
    LatencyMode mode_;
    double latency_;
    float thiran_a_ = 0.0f;  // first-order allpass (a + z^-1)/(1 + a z^-1), DC delay (1-a)/(1+a)
    float thiran_x1_ = 0.0f;
    float thiran_y1_ = 0.0f;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

template <class Filter, int S>
struct CascadeStage<Filter, S, FilterKind::iir> {
    static constexpr int size = stage_size<Filter>(S);
    static constexpr std::array<double, size> coefs =
        iir_halfband_coefs<size>(stage_transition(Filter::transition, S));
    static constexpr double delay_high = iir_halfband_dc_delay(coefs);
    static constexpr std::array<double, size> taps() noexcept { return coefs; }
    using Up = IIRUpsampler2x<size>;
    using Down = IIRDownsampler2x<size>;
};

template <class Filter, int S>
struct CascadeStage<Filter, S, FilterKind::fir> {
    static constexpr int size = stage_size<Filter>(S);
    // Kaiser taps are constants; equiripple ones are designed here, at construction (see
    // fir_halfband_equiripple.hpp for why not at compile time).
    static std::array<double, size> taps() noexcept {
        if constexpr (Filter::design == FIRDesign::equiripple)
            return fir_halfband_equiripple<size>(stage_transition(Filter::transition, S)).g;
        else
            return kaiser;
    }
    static constexpr std::array<double, size> kaiser = fir_halfband_kaiser<size>(Filter::attenuation_db);
    static constexpr double delay_high = 2.0 * size - 1.0;
    using Up = FIRUpsampler2x<size>;
    using Down = FIRDownsampler2x<size>;
};

}  // namespace detail

template <int Factor, class Filter>
template <std::size_t... I>
auto Cascade<Factor, Filter>::make_ups(std::index_sequence<I...>) -> Ups {
    return Ups(detail::CascadeStage<Filter, static_cast<int>(I)>::taps()...);
}

template <int Factor, class Filter>
template <std::size_t... I>
auto Cascade<Factor, Filter>::make_downs(std::index_sequence<I...>) -> Downs {
    return Downs(detail::CascadeStage<Filter, static_cast<int>(I)>::taps()...);
}

template <int Factor, class Filter>
constexpr double Cascade<Factor, Filter>::filter_latency() noexcept {
    double total = 0.0;
    double scale = 1.0;  // base-rate samples per low-rate sample of stage s
    if constexpr (stage_count > 0) total += (detail::CascadeStage<Filter, 0>::delay_high - 0.5) * scale;
    scale *= 0.5;
    if constexpr (stage_count > 1) total += (detail::CascadeStage<Filter, 1>::delay_high - 0.5) * scale;
    scale *= 0.5;
    if constexpr (stage_count > 2) total += (detail::CascadeStage<Filter, 2>::delay_high - 0.5) * scale;
    scale *= 0.5;
    if constexpr (stage_count > 3) total += (detail::CascadeStage<Filter, 3>::delay_high - 0.5) * scale;
    return total;
}

template <int Factor, class Filter>
Cascade<Factor, Filter>::Cascade(LatencyMode mode) noexcept
    : ups_(make_ups(Stages{})), downs_(make_downs(Stages{})), mode_(mode), latency_(filter_latency()) {
    if (mode == LatencyMode::integer) {
        // Whole delay L >= latency + 0.5 keeps the fractional part D in [0.5, 1.5), where the
        // first-order Thiran allpass is stable and well damped (|a| <= 1/3).
        const double whole = detail::cx_ceil(latency_ + 0.5);
        const double d = whole - latency_;
        thiran_a_ = static_cast<float>((1.0 - d) / (1.0 + d));
        latency_ = whole;
    }
}

template <int Factor, class Filter>
void Cascade<Factor, Filter>::reset() noexcept {
    std::apply([](auto&... s) { (s.reset(), ...); }, ups_);
    std::apply([](auto&... s) { (s.reset(), ...); }, downs_);
    thiran_x1_ = 0.0f;
    thiran_y1_ = 0.0f;
}

template <int Factor, class Filter>
template <std::size_t I>
void Cascade<Factor, Filter>::up_from(const float* in, float* out, int n) noexcept {
    if constexpr (I + 1 == stage_count) {
        std::get<I>(ups_).process(in, out, n);
    } else {
        float* dst = (I % 2 == 0) ? buffer_a_.data() : buffer_b_.data();
        std::get<I>(ups_).process(in, dst, n);
        up_from<I + 1>(dst, out, 2 * n);
    }
}

template <int Factor, class Filter>
template <std::size_t I>
void Cascade<Factor, Filter>::down_from(const float* in, float* out, int n) noexcept {
    // n counts this stage's output frames.
    if constexpr (I == 0) {
        std::get<0>(downs_).process(in, out, n);
    } else {
        float* dst = (I % 2 == 0) ? buffer_a_.data() : buffer_b_.data();
        std::get<I>(downs_).process(in, dst, n);
        down_from<I - 1>(dst, out, n / 2);
    }
}

template <int Factor, class Filter>
void Cascade<Factor, Filter>::down_to_double(const float* in, float* out, int n) noexcept {
    if constexpr (stage_count == 0) {
        (void)in, (void)out, (void)n;  // no 2x rate to stop at: Oversampler never calls this for 1x
    } else if constexpr (stage_count == 1) {
        if (n > 0 && in != out) std::memmove(out, in, sizeof(float) * static_cast<std::size_t>(2 * n));
    } else {
        while (n > 0) {
            const int m = n < block ? n : block;
            down_to_double_from<stage_count - 1>(in, out, m * (Factor / 2));
            in += m * Factor;
            out += 2 * m;
            n -= m;
        }
    }
}

template <int Factor, class Filter>
template <std::size_t I>
void Cascade<Factor, Filter>::down_to_double_from(const float* in, float* out, int n) noexcept {
    // n counts this stage's output frames; stage 1 writes the 2x-rate result.
    if constexpr (I == 1) {
        std::get<1>(downs_).process(in, out, n);
    } else if constexpr (I > 1) {
        float* dst = (I % 2 == 0) ? buffer_a_.data() : buffer_b_.data();
        std::get<I>(downs_).process(in, dst, n);
        down_to_double_from<I - 1>(dst, out, n / 2);
    }
}

template <int Factor, class Filter>
void Cascade<Factor, Filter>::up(const float* in, float* out, int n) noexcept {
    if constexpr (stage_count == 0) {
        if (n > 0 && in != out) std::memmove(out, in, sizeof(float) * static_cast<std::size_t>(n));
    } else if constexpr (stage_count == 1) {
        std::get<0>(ups_).process(in, out, n);  // no intermediate buffer: no chunking needed
    } else {
        while (n > 0) {
            const int m = n < block ? n : block;
            up_from<0>(in, out, m);
            in += m;
            out += m * Factor;
            n -= m;
        }
    }
}

template <int Factor, class Filter>
void Cascade<Factor, Filter>::down(const float* in, float* out, int n) noexcept {
    if constexpr (stage_count == 0) {
        if (n > 0 && in != out) std::memmove(out, in, sizeof(float) * static_cast<std::size_t>(n));
    } else if constexpr (stage_count == 1) {
        std::get<0>(downs_).process(in, out, n);
    } else {
        int left = n;
        float* o = out;
        while (left > 0) {
            const int m = left < block ? left : block;
            down_from<stage_count - 1>(in, o, m * (Factor / 2));
            in += m * Factor;
            o += m;
            left -= m;
        }
    }
    if (mode_ == LatencyMode::integer) {
        const float a = thiran_a_;
        float x1 = thiran_x1_, y1 = thiran_y1_;
        for (int i = 0; i < n; ++i) {
            const float x = out[i];
            const float y = a * (x - y1) + x1;
            x1 = x;
            y1 = y;
            out[i] = y;
        }
        thiran_x1_ = x1;
        thiran_y1_ = y1;
    }
}

}  // namespace nofold::dsp
