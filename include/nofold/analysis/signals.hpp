// nofold::analysis test signals: sines (bin-exact or any frequency), the chromatic set, log sweeps.
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "detail/constants.hpp"

namespace nofold::analysis {

/// A sine x[n] = amplitude * sin(2 pi f0 n / fs), n = 0 ... length-1 (phase 0).
/// The phase f0 n / fs is reduced modulo 1 before the sine is taken (exactly, when f0 is a float
/// value and fs an integer, as in every test here), so long signals keep full precision.
/// Units: f0 and fs in Hz, amplitude linear (1 = full scale). Allocates: yes (the result).
std::vector<double> sine(double f0_hz, double sample_rate_hz, double amplitude, std::size_t length);

/// The bin-exact ASR test signal x[n] = amplitude * sin(2 pi k0 n / N) with the phase k0 n reduced
/// modulo N in integers; periodic in N. Units: k0 in DFT bins. Allocates: yes (the result).
/// Reference: Sato & Smith 2025, §3 (docs/metrics.md §2).
std::vector<double> bin_exact_sine(std::size_t period, std::size_t k0, double amplitude, std::size_t length);

/// One tone of the chromatic test set.
struct ChromaticTone {
    int midi_note;          ///< 21 (A0) ... 108 (C8)
    double f0_hz;           ///< 440 * 2^((note - 69) / 12) rounded to float32
    double amplitude_dbfs;  ///< -36, -18 or -6
    double amplitude;       ///< 10^(dBFS / 20)
};

/// The chromatic sine set of Carson et al.: MIDI notes 21 ... 108 at -36, -18 and -6 dBFS
/// (264 tones, ordered by level then note). Each tone lasts `chromatic_tone_seconds`, of which the
/// last `chromatic_analysed_seconds` are analysed. Allocates: yes (the result).
/// Reference: Carson, Wright & Bilbao, DAFx25, §2.6 (docs/metrics.md §4).
std::vector<ChromaticTone> chromatic_set();
inline constexpr double chromatic_tone_seconds = 1.2;
inline constexpr double chromatic_analysed_seconds = 1.0;

/// Exponential (log) sine sweep from f_start to f_end over `length` samples:
/// x(t) = amplitude * sin(2 pi f_start T / ln(f_end / f_start) * (e^{t ln(f_end/f_start) / T} - 1)),
/// T = length / fs, so the instantaneous frequency is f_start e^{t ln(f_end/f_start) / T}.
/// Units: Hz, linear amplitude. Allocates: yes (the result).
/// Reference: A. Farina, "Simultaneous measurement of impulse response and distortion with a
/// swept-sine technique", AES 108th Convention, 2000.
std::vector<double> log_sweep(double f_start_hz, double f_end_hz, double sample_rate_hz, double amplitude,
                              std::size_t length);

/// dBFS to linear amplitude: 10^(dB / 20).
inline double dbfs_to_amplitude(double dbfs) noexcept { return std::pow(10.0, dbfs / 20.0); }

// =============================================================================================
// Implementation
// =============================================================================================

inline std::vector<double> sine(double f0_hz, double sample_rate_hz, double amplitude, std::size_t length) {
    if (!(sample_rate_hz > 0.0)) throw std::invalid_argument("nofold::analysis::sine: sample rate must be positive");
    std::vector<double> x(length);
    for (std::size_t n = 0; n < length; ++n) {
        // f0 * n is exact for float-valued f0 and n < 2^29; fmod is exact.
        const double cycles = std::fmod(f0_hz * static_cast<double>(n), sample_rate_hz) / sample_rate_hz;
        x[n] = amplitude * std::sin(detail::two_pi * cycles);
    }
    return x;
}

inline std::vector<double> bin_exact_sine(std::size_t period, std::size_t k0, double amplitude, std::size_t length) {
    if (period == 0) throw std::invalid_argument("nofold::analysis::bin_exact_sine: period must be positive");
    std::vector<double> x(length);
    const unsigned long long p = period;
    for (std::size_t n = 0; n < length; ++n) {
        const unsigned long long turns = (static_cast<unsigned long long>(k0) * n) % p;
        x[n] = amplitude * std::sin(detail::two_pi * static_cast<double>(turns) / static_cast<double>(period));
    }
    return x;
}

inline std::vector<ChromaticTone> chromatic_set() {
    std::vector<ChromaticTone> tones;
    for (double level : {-36.0, -18.0, -6.0}) {
        for (int note = 21; note <= 108; ++note) {
            const float f0 = static_cast<float>(440.0 * std::pow(2.0, (note - 69) / 12.0));
            tones.push_back({note, static_cast<double>(f0), level, dbfs_to_amplitude(level)});
        }
    }
    return tones;
}

inline std::vector<double> log_sweep(double f_start_hz, double f_end_hz, double sample_rate_hz, double amplitude,
                                     std::size_t length) {
    if (!(f_start_hz > 0.0 && f_end_hz > 0.0 && sample_rate_hz > 0.0) || f_start_hz == f_end_hz)
        throw std::invalid_argument("nofold::analysis::log_sweep: need 0 < f_start != f_end and fs > 0");
    std::vector<double> x(length);
    const double duration = static_cast<double>(length) / sample_rate_hz;
    const double rate = std::log(f_end_hz / f_start_hz);
    const double k = f_start_hz * duration / rate;  // cycles
    for (std::size_t n = 0; n < length; ++n) {
        const double t = static_cast<double>(n) / sample_rate_hz;
        const double cycles = k * std::expm1(t * rate / duration);
        x[n] = amplitude * std::sin(detail::two_pi * (cycles - std::floor(cycles)));
    }
    return x;
}

}  // namespace nofold::analysis
