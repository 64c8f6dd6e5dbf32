// nofold::analysis::run_tone / measure_tone — drive any block processor with a sine and measure it.
#pragma once

#include <cmath>
#include <cstddef>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <vector>

#include "asr.hpp"
#include "signals.hpp"
#include "sine_metrics.hpp"

namespace nofold::analysis {

/// One sine test: frequency, level, rate and timing.
struct ToneTest {
    double f0_hz = 1249.0;              ///< paper default (Sato & Smith)
    double sample_rate_hz = 48017.0;    ///< the system runs at this rate; must be an integer
    double amplitude = 0.5011872336272722;  ///< linear peak (default -6 dBFS)
    double settle_seconds = 2.0;        ///< run before the analysed part (transient discarded)
    double analysed_seconds = 1.0;      ///< analysed length; N = analysed_seconds * fs samples
    std::size_t block_frames = 4096;    ///< host block size used to drive the system

    std::size_t analysed_samples() const { return static_cast<std::size_t>(std::llround(analysed_seconds * sample_rate_hz)); }
    std::size_t settle_samples() const { return static_cast<std::size_t>(std::llround(settle_seconds * sample_rate_hz)); }
};

/// Everything measured on one tone.
struct ToneResult {
    double f0_hz = 0.0;
    double amplitude = 0.0;
    /// Sato & Smith ASR (§2), present only when f0 is an integer bin coprime with N.
    std::optional<AsrResult> asr;
    SineMetrics sine;                 ///< ESR-S, NMR-S, time-domain ASR, harmonics
    std::vector<double> output;       ///< the analysed output segment (N samples)
};

/// Drives `process(const float* in, float* out, int n)` with x[n] = amplitude sin(2 pi f0 n / fs)
/// for settle + analysed samples in blocks of test.block_frames; returns the last analysed samples.
/// Units: Hz, seconds, linear amplitude. Allocates: yes. Not real-time (it drives a real-time call).
template <class Process>
std::vector<double> run_tone(Process&& process, const ToneTest& test);

/// Whether §2's ASR applies: integer fs and f0, N = fs (one second), 1 <= f0 <= (N-1)/2, gcd = 1.
bool tone_is_bin_exact(const ToneTest& test) noexcept;

/// run_tone, then all metrics: §2 ASR (when bin-exact, on a plan of `asr_plan` if given), ESR-S,
/// NMR-S and the time-domain ASR through `analyzer` (whose size must be test.analysed_samples()).
template <class Process>
ToneResult measure_tone(Process&& process, const ToneTest& test, SineAnalyzer& analyzer, Fft* asr_plan = nullptr);

// =============================================================================================
// Implementation
// =============================================================================================

template <class Process>
std::vector<double> run_tone(Process&& process, const ToneTest& test) {
    const std::size_t n_settle = test.settle_samples(), n_analysed = test.analysed_samples();
    if (n_analysed == 0 || test.block_frames == 0)
        throw std::invalid_argument("nofold::analysis::run_tone: empty analysis or block");
    const std::size_t total = n_settle + n_analysed;
    std::vector<float> in(test.block_frames), out(test.block_frames);
    std::vector<double> result(n_analysed);
    for (std::size_t start = 0; start < total; start += test.block_frames) {
        const std::size_t n = std::min(test.block_frames, total - start);
        for (std::size_t i = 0; i < n; ++i) {
            const double t = static_cast<double>(start + i);
            const double cycles = std::fmod(test.f0_hz * t, test.sample_rate_hz) / test.sample_rate_hz;
            in[i] = static_cast<float>(test.amplitude * std::sin(detail::two_pi * cycles));
        }
        process(in.data(), out.data(), static_cast<int>(n));
        for (std::size_t i = 0; i < n; ++i)
            if (start + i >= n_settle) result[start + i - n_settle] = static_cast<double>(out[i]);
    }
    return result;
}

inline bool tone_is_bin_exact(const ToneTest& test) noexcept {
    const double fs = test.sample_rate_hz, f0 = test.f0_hz;
    if (fs != std::floor(fs) || f0 != std::floor(f0) || f0 < 1.0) return false;
    if (test.analysed_samples() != static_cast<std::size_t>(fs)) return false;
    const auto n = static_cast<unsigned long long>(fs), k = static_cast<unsigned long long>(f0);
    return n >= 3 && k <= (n - 1) / 2 && std::gcd(n, k) == 1;
}

template <class Process>
ToneResult measure_tone(Process&& process, const ToneTest& test, SineAnalyzer& analyzer, Fft* asr_plan) {
    if (analyzer.size() != test.analysed_samples() || analyzer.sample_rate_hz() != test.sample_rate_hz)
        throw std::invalid_argument("nofold::analysis::measure_tone: analyzer size/rate differ from the test");
    ToneResult r;
    r.f0_hz = test.f0_hz;
    r.amplitude = test.amplitude;
    r.output = run_tone(process, test);
    if (tone_is_bin_exact(test)) {
        const auto k0 = static_cast<std::size_t>(test.f0_hz);
        if (asr_plan != nullptr && asr_plan->size() == r.output.size()) {
            r.asr = asr(*asr_plan, r.output.data(), k0);
        } else {
            r.asr = asr(r.output, k0);
        }
    }
    r.sine = analyzer.measure(r.output.data(), test.f0_hz);
    return r;
}

}  // namespace nofold::analysis
