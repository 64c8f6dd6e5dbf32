// Test support: the full impulse response of a half-band FIR from the J side taps the designers
// return, for references that evaluate its DTFT directly.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

namespace nofold::test {

/// h of length 4J − 1: centre tap ½, h[centre ± (2j − 1)] = g[j − 1] for j = 1 … J, zeros between.
template <std::size_t J>
std::vector<long double> halfband_impulse(const std::array<double, J>& g) {
    const int centre = 2 * static_cast<int>(J) - 1;
    std::vector<long double> h(static_cast<std::size_t>(2 * centre + 1), 0.0L);
    h[centre] = 0.5L;
    for (std::size_t j = 1; j <= J; ++j) h[centre + 2 * j - 1] = h[centre - 2 * j + 1] = g[j - 1];
    return h;
}

}  // namespace nofold::test
