// nofold::analysis — a DI-like guitar test signal: Karplus–Strong plucked strings (a noise burst in a
// delay line whose loop averages neighbouring samples and is damped), deterministic on every
// platform (an integer random generator of its own). `nofold make-di` writes guitar_phrase();
// `nofold antialias` measures a fine-tuned model against its teacher on it.
//
//   add_pluck       one plucked note added into a buffer
//   guitar_phrase   the fixed phrase: E-minor notes, two a second, peaks near -6 and -10 dBFS, with a
//                   high run that shows aliasing on high notes
//
// Units: Hz, seconds, linear amplitude (1 = full scale). Allocates: the delay line, the result.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nofold::analysis {

/// Adds one plucked note to out[start … start + length) (clipped to `size`): a period of
/// round(fs / f0) samples of zero-mean noise from `seed`, circulated through the two-point average
/// damped by 0.996 (notes decay over about a second), scaled so the burst peaks at `peak`, with a
/// 3 ms fade at the end so the next note does not click. f0 must be positive and below fs / 2.
inline void add_pluck(float* out, std::size_t size, std::size_t start, std::size_t length, double f0_hz, double peak,
                      double rate_hz, std::uint32_t seed) {
    const auto period = static_cast<std::size_t>(std::max(2L, std::lround(rate_hz / f0_hz)));
    std::vector<double> line(period);
    std::uint32_t state = seed;
    double mean = 0.0;
    for (double& v : line) {
        state = state * 1664525u + 1013904223u;  // 32-bit LCG: the same phrase on every platform
        v = (static_cast<double>(state >> 8) / 16777216.0) * 2.0 - 1.0;
        mean += v;
    }
    mean /= static_cast<double>(period);
    double biggest = 0.0;
    for (double& v : line) {
        v -= mean;  // no DC in the excitation
        biggest = std::max(biggest, std::fabs(v));
    }
    if (biggest == 0.0) return;
    const double damping = 0.996;
    const double fade_samples = 0.003 * rate_hz;
    std::size_t index = 0;
    double previous = 0.0;
    for (std::size_t i = 0; i < length && start + i < size; ++i) {
        const double current = line[index];
        line[index] = damping * 0.5 * (current + previous);
        previous = current;
        index = (index + 1) % period;
        const double fade = std::min(1.0, static_cast<double>(length - i) / fade_samples);
        out[start + i] += static_cast<float>(peak / biggest * current * fade);
    }
}

/// The DI-like phrase of `nofold make-di`: `seconds` long at `rate_hz`, mono, a note every half
/// second from 0.1 s (MIDI 40 47 52 55 59 64 67 71 76 79 83 88 76 64 52 45, repeated), every
/// fourth note accented (peak 0.5, else 0.3).
inline std::vector<float> guitar_phrase(double rate_hz, double seconds) {
    const auto total = static_cast<std::size_t>(std::max(0L, std::lround(seconds * rate_hz)));
    std::vector<float> out(total, 0.0f);
    const int notes[] = {40, 47, 52, 55, 59, 64, 67, 71, 76, 79, 83, 88, 76, 64, 52, 45};
    const auto step = static_cast<std::size_t>(std::lround(0.5 * rate_hz));
    std::size_t k = 0;
    for (auto start = static_cast<std::size_t>(std::lround(0.1 * rate_hz)); start < total; start += step, ++k) {
        const int midi = notes[k % 16];
        const double f0 = 440.0 * std::pow(2.0, (midi - 69) / 12.0);
        const double peak = (k % 4 == 0) ? 0.5 : 0.3;
        add_pluck(out.data(), total, start, step, f0, peak, rate_hz, 12345u + static_cast<std::uint32_t>(k));
    }
    return out;
}

}  // namespace nofold::analysis
