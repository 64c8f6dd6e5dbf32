// Tests for include/nofold/analysis/guitar_phrase.hpp: the make-di phrase's timing (silence before
// 0.1 s, a note every half second), its accent levels (each note's first period is its noise burst
// scaled to peak 0.5 or 0.3 exactly) and each note's pitch (the lag of the strongest autocorrelation
// is the delay line's length N = round(fs / f0), or N + 1 since the loop's average adds half a sample,
// for the phrase's MIDI notes, computed here in long double).
#include <nofold/analysis/guitar_phrase.hpp>

#include <doctest/doctest.h>

#include "support/signals.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

TEST_CASE("guitar_phrase: silent before 0.1 s, notes every 0.5 s at peaks 0.5 / 0.3 with the phrase's pitches") {
    const double fs = 48000.0;
    const std::vector<float> x = nofold::analysis::guitar_phrase(fs, 6.0);
    REQUIRE(x.size() == 288000);
    CHECK(std::count(x.begin(), x.begin() + 4800, 0.0f) == 4800);
    const int notes[] = {40, 47, 52, 55, 59, 64, 67, 71, 76, 79, 83, 88};
    for (int k = 0; k < 11; ++k) {
        const std::size_t start = 4800 + static_cast<std::size_t>(k) * 24000;
        const long double f0 = 440.0L * std::pow(2.0L, (notes[k] - 69) / 12.0L);
        const auto period = static_cast<std::size_t>(std::llround(static_cast<long double>(fs) / f0));
        // The first period is the burst itself, scaled so its largest magnitude is the peak.
        double peak = 0.0;
        for (std::size_t i = 0; i < period; ++i) peak = std::max(peak, static_cast<double>(std::fabs(x[start + i])));
        CHECK(peak == doctest::Approx(k % 4 == 0 ? 0.5 : 0.3).epsilon(1e-6));
        // Pitch: over 60 ms after the burst, the strongest normalised autocorrelation lag in
        // [0.75, 1.5) periods is the period.
        const std::size_t best_lag = nofold::test::strongest_lag(x, start + period, 2880, period * 3 / 4, period * 3 / 2).lag;
        // The loop's two-point average delays by half a sample: the string's period is N + 1/2.
        CHECK((best_lag == period || best_lag == period + 1));
    }
    // Shorter phrases are the start of longer ones; the last note is cut at the end.
    const std::vector<float> y = nofold::analysis::guitar_phrase(fs, 2.0);
    REQUIRE(y.size() == 96000);
    CHECK(std::equal(y.begin(), y.end(), x.begin()));
}
