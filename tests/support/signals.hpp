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

}  // namespace nofold::test
