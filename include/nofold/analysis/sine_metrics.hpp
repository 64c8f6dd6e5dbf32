// nofold::analysis::SineAnalyzer — ESR-S, NMR-S, the time-domain ASR and HESR of a sine response.
#pragma once

#include <cmath>
#include <complex>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "esr.hpp"
#include "harmonics.hpp"
#include "nmr.hpp"
#include "ratio.hpp"

namespace nofold::analysis {

/// Metrics of one sine response against its own alias-free resynthesis y~ (docs/metrics.md §4).
struct SineMetrics {
    double f0_hz = 0.0;
    Ratio esr_s;     ///< ESR(y, y~): aliasing plus noise energy over band-limited energy
    Ratio nmr_s;     ///< NMR(y, y~): the same error, perceptually weighted (§5)
    Ratio asr_time;  ///< Carson et al.'s time-domain "ASR" = sum a^2 / sum y~^2, a = y - y~ (not §2's ASR)
    Harmonics harmonics;
};

/// Measures SineMetrics for segments of one length and rate; reuses its plans between calls.
///
/// Measurement floor (a property of the method, measured here): the periodic window is the
/// symmetric one with its last sample dropped, so its first sample w[0] (about 5e-7 of sum w for
/// N = 48000) has no partner and leaks w[0] y[0] into every bin. Each of the M = fs/(2 f0)
/// harmonic estimates then carries about -120 dB of the fundamental, so a perfect system reads
/// ESR-S of about -92 dB at 29 Hz when the segment starts near a peak of the sine, and -117 dB when
/// it starts at a zero crossing; the floor falls as f0 rises (fewer harmonics).
///
/// Units: f0 and fs in Hz, samples in full-scale units. Allocates: constructor and measure().
/// Not real-time; one analyzer per thread.
/// Reference: Carson, Wright & Bilbao, DAFx25, §2.2 and §2.6 (docs/metrics.md §3–4).
class SineAnalyzer {
public:
    SineAnalyzer(std::size_t size, double sample_rate_hz)
        : harmonics_(size, sample_rate_hz), nmr_(sample_rate_hz), resynthesis_(size) {}

    std::size_t size() const noexcept { return harmonics_.size(); }
    double sample_rate_hz() const noexcept { return harmonics_.sample_rate_hz(); }

    /// Metrics of y (size() samples), the steady response to a sine of frequency f0.
    SineMetrics measure(const double* y, double f0_hz);
    /// The alias-free signal y~ of the last measure() call.
    const std::vector<double>& resynthesis() const noexcept { return resynthesis_; }
    HarmonicAnalyzer& harmonic_analyzer() noexcept { return harmonics_; }

private:
    HarmonicAnalyzer harmonics_;
    NmrAnalyzer nmr_;
    std::vector<double> resynthesis_;
};

/// Harmonic ESR: sum_m (|C_ref,m| - |C_m|)^2 / sum_m |C_ref,m|^2 over the harmonics both analyses
/// hold (phase-blind). Units: none. Allocates: never.
/// Reference: Carson, Wright & Bilbao, DAFx25, §2.6 (docs/metrics.md §4).
Ratio hesr(const Harmonics& test, const Harmonics& reference);

// =============================================================================================
// Implementation
// =============================================================================================

inline SineMetrics SineAnalyzer::measure(const double* y, double f0_hz) {
    SineMetrics m;
    m.f0_hz = f0_hz;
    m.harmonics = harmonics_.analyse(y, f0_hz);
    harmonics_.resynthesise(m.harmonics, resynthesis_.data());
    m.esr_s = esr(y, resynthesis_.data(), size());
    double residual = 0.0, clean = 0.0;
    for (std::size_t i = 0; i < size(); ++i) {
        const double a = y[i] - resynthesis_[i];
        residual += a * a;
        clean += resynthesis_[i] * resynthesis_[i];
    }
    m.asr_time = Ratio::of_energies(residual, clean);
    m.nmr_s = nmr_.measure(y, resynthesis_.data(), size());
    return m;
}

inline Ratio hesr(const Harmonics& test, const Harmonics& reference) {
    const std::size_t count = std::min(test.amplitudes.size(), reference.amplitudes.size());
    double err = 0.0, ref = 0.0;
    for (std::size_t i = 0; i < count; ++i) {
        const double r = std::abs(reference.amplitudes[i]);
        const double d = r - std::abs(test.amplitudes[i]);
        err += d * d;
        ref += r * r;
    }
    return Ratio::of_energies(err, ref);
}

}  // namespace nofold::analysis
