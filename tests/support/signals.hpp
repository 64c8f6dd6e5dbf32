// Test support: the input signals several test files draw — uniform noise from a fixed seed and
// bin-exact sines — written once so that each test's inputs are the same numbers wherever they are used.
#pragma once

#include <cstddef>
#include <cmath>
#include <random>
#include <vector>

namespace nofold::test {

/// π in long double, for references computed in long double.
inline constexpr long double pi_l = 3.141592653589793238462643383279502884L;

/// n floats uniform in [−scale, scale), drawn in order from `rng` (for tests whose one generator
/// also draws other things, such as block lengths, after the signal).
inline std::vector<float> uniform_noise(std::size_t n, std::mt19937& rng, float scale = 1.0f) {
    std::uniform_real_distribution<float> d(-scale, scale);
    std::vector<float> v(n);
    for (float& x : v) x = d(rng);
    return v;
}

/// n floats uniform in [−scale, scale) from std::mt19937(seed).
inline std::vector<float> uniform_noise(std::size_t n, unsigned seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    return uniform_noise(n, rng, scale);
}

/// n samples of amplitude·sin(2π·((k0·i) mod period)/period): a sine of exactly k0 cycles per
/// `period` samples, its phase reduced in integers and the sine taken in long double, then rounded to float.
inline std::vector<float> bin_sine(std::size_t n, long long k0, long long period, long double amplitude) {
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i)
        x[i] = static_cast<float>(amplitude * std::sin(2 * pi_l * static_cast<long double>(k0 * static_cast<long long>(i) % period) /
                                                       static_cast<long double>(period)));
    return x;
}

/// A periodic signal's period: the lag in [lag_begin, lag_end) with the largest normalised
/// autocorrelation of x[from, from + length) against x[from + lag, …), summed in long double.
/// Returns {lag, correlation}; x must hold from + length + lag_end − 1 samples.
struct StrongestLag {
    std::size_t lag = 0;
    long double correlation = -2.0L;
};
inline StrongestLag strongest_lag(const std::vector<float>& x, std::size_t from, std::size_t length, std::size_t lag_begin,
                                  std::size_t lag_end) {
    StrongestLag best;
    for (std::size_t lag = lag_begin; lag < lag_end; ++lag) {
        long double r = 0.0L, e0 = 0.0L, e1 = 0.0L;
        for (std::size_t i = from; i < from + length; ++i) {
            r += static_cast<long double>(x[i]) * x[i + lag];
            e0 += static_cast<long double>(x[i]) * x[i];
            e1 += static_cast<long double>(x[i + lag]) * x[i + lag];
        }
        const long double v = r / std::sqrt(e0 * e1);
        if (v > best.correlation) best = {lag, v};
    }
    return best;
}

}  // namespace nofold::test
