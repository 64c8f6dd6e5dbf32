// The DI-like guitar phrase of `nofold make-di`, shared with `nofold antialias` (which reports a
// fine-tuned model's ESR against its teacher on it): Karplus–Strong plucked strings (a noise burst in
// a delay line with a damped averaging loop filter), deterministic (its own integer random generator).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace nofold::cli {

// One plucked note added into `out` from `start`, lasting `length` samples.
inline void pluck(std::vector<float>& out, long start, long length, double f0_hz, double peak, double rate_hz,
           std::uint32_t seed) {
    const auto period = static_cast<std::size_t>(std::lround(rate_hz / f0_hz));
    std::vector<double> line(period);
    std::uint32_t state = seed;
    double mean = 0.0;
    for (double& v : line) {
        state = state * 1664525u + 1013904223u;  // LCG: deterministic on every platform
        v = (static_cast<double>(state >> 8) / 16777216.0) * 2.0 - 1.0;
        mean += v;
    }
    mean /= static_cast<double>(period);
    for (double& v : line) v -= mean;  // no DC in the excitation
    // A pick is brighter than a thumb: one-zero pre-filter on the burst, then normalise to `peak`.
    double biggest = 0.0;
    for (double v : line) biggest = std::max(biggest, std::fabs(v));
    const double loss = 0.996;  // loop damping: notes decay over about a second
    std::size_t index = 0;
    double previous = 0.0;
    for (long i = 0; i < length && start + i < static_cast<long>(out.size()); ++i) {
        const double current = line[index];
        const double next = loss * 0.5 * (current + previous);
        previous = current;
        line[index] = next;
        index = (index + 1) % period;
        // 3 ms fade-out at the end so notes do not click when the next one starts.
        const double fade = std::min(1.0, static_cast<double>(length - i) / (0.003 * rate_hz));
        out[static_cast<std::size_t>(start + i)] += static_cast<float>(peak / biggest * current * fade);
    }
}

/// The phrase: `seconds` long at `rate_hz`, mono, peaks near -6 dBFS.
inline std::vector<float> di_phrase(double rate_hz, double seconds) {
    const long total = std::lround(seconds * rate_hz);
    std::vector<float> out(static_cast<std::size_t>(total), 0.0f);
    // A phrase over E minor: MIDI notes, repeated to fill the length, two notes a second, louder
    // accents on the beat, a high bend-free run to show aliasing on high notes.
    const int notes[] = {40, 47, 52, 55, 59, 64, 67, 71, 76, 79, 83, 88, 76, 64, 52, 45};
    const long step = std::lround(0.5 * rate_hz);
    int k = 0;
    for (long start = std::lround(0.1 * rate_hz); start < total; start += step, ++k) {
        const int midi = notes[k % 16];
        const double f0 = 440.0 * std::pow(2.0, (midi - 69) / 12.0);
        const double peak = (k % 4 == 0) ? 0.5 : 0.3;  // about -6 and -10 dBFS, like a hot DI
        pluck(out, start, step, f0, peak, rate_hz, 12345u + static_cast<std::uint32_t>(k));
    }
    return out;
}

}  // namespace nofold::cli
