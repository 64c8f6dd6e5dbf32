// nofold::dsp — filter presets for the oversampling cascades, and how each stage is derived.
//
// A preset names a filter family, the first stage's transition bandwidth and the attenuation every
// stage must reach. Later (higher-rate) stages relax: tbw[s] = (tbw[s-1] + 0.5)/2, because what
// falls in their wider transition band lands where the next lower stage removes it.
// Units: transition normalised to the first stage's high rate (2x the base rate); passband edge
// of the whole cascade = (0.5 - transition) x base rate; attenuation in dB.
// Allocates: never.
// Reference: docs/oversampling.md §1–3.
#pragma once

#include "fir_halfband_design.hpp"
#include "fir_halfband_equiripple.hpp"
#include "iir_halfband_design.hpp"

namespace nofold::dsp {

enum class FilterKind { iir, fir };

/// The presets by name, for run-time selection (dsp::Oversampler, the CLI's --filter).
enum class FilterPreset { iir_fast, iir_quality, fir_linear_phase };

/// ≈ 90 dB, passband to 0.40 fs, minimum-phase-like IIR: the cheapest.
struct IIRFast {
    static constexpr FilterKind kind = FilterKind::iir;
    static constexpr double transition = 0.10;
    static constexpr double attenuation_db = 90.0;
    static constexpr FilterPreset preset = FilterPreset::iir_fast;
};
/// ≈ 120 dB, passband to 0.45 fs (19.8 kHz at 44.1 kHz), IIR.
struct IIRQuality {
    static constexpr FilterKind kind = FilterKind::iir;
    static constexpr double transition = 0.05;
    static constexpr double attenuation_db = 120.0;
    static constexpr FilterPreset preset = FilterPreset::iir_quality;
};
/// How the FIR half-band stages of a preset are designed.
enum class FIRDesign {
    kaiser,     ///< Kaiser window (fir_halfband_design.hpp), sized with a 3 dB margin
    equiripple  ///< Remez exchange (fir_halfband_equiripple.hpp): same attenuation with fewer taps
};
/// ≈ 110 dB, passband to 0.42 fs, linear phase: for wet/dry mixing and null tests.
/// Template parameter: Design — FIRDesign::kaiser (FIRLinearPhase, the run-time preset
/// fir_linear_phase) or FIRDesign::equiripple (FIREquiripple: 87 instead of 95 taps in the first
/// stage, so less latency and cost for the same attenuation).
template <FIRDesign Design>
struct FIRLinearPhaseBy {
    static constexpr FilterKind kind = FilterKind::fir;
    static constexpr double transition = 0.08;
    static constexpr double attenuation_db = 110.0;
    static constexpr FilterPreset preset = FilterPreset::fir_linear_phase;
    static constexpr FIRDesign design = Design;
};
using FIRLinearPhase = FIRLinearPhaseBy<FIRDesign::kaiser>;
using FIREquiripple = FIRLinearPhaseBy<FIRDesign::equiripple>;

/// Transition bandwidth of stage s (0 = the stage next to the base rate).
constexpr double stage_transition(double first, int stage) noexcept {
    double tbw = first;
    for (int s = 0; s < stage; ++s) tbw = 0.5 * (tbw + 0.5);
    return tbw;
}

/// Size of stage s of a preset: IIR coefficient count, or FIR side taps J (length 4J - 1).
/// Equiripple stages are sized by designing them (compile time, about a second per preset).
template <class Filter>
constexpr int stage_size(int stage) noexcept {
    const double tbw = stage_transition(Filter::transition, stage);
    if constexpr (Filter::kind == FilterKind::iir) {
        return iir_halfband_coef_count(tbw, Filter::attenuation_db);
    } else if constexpr (Filter::design == FIRDesign::equiripple) {
        return fir_halfband_equiripple_side_taps(tbw, Filter::attenuation_db);
    } else {
        return fir_halfband_side_taps(tbw, Filter::attenuation_db);
    }
}

}  // namespace nofold::dsp
