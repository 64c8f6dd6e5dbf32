// nofold::dsp — design of linear-phase FIR half-band filters by the Kaiser window method.
//
// A half-band of length 4J - 1 has the centre tap 1/2, every other tap zero and J distinct
// non-zero taps on each side, so only those J numbers are stored: g[j-1] = h[centre + 2j - 1],
// j = 1..J. Everything is constexpr and in double.
//
// Units: `tbw` is the transition bandwidth normalised to the HIGH (2x) rate, as for the IIR
// designer: passband to (0.5 - tbw)/2, stopband from (0.5 + tbw)/2 cycles per high-rate sample.
// Attenuation in dB (positive). Latency of one filter: 2J - 1 high-rate samples (exact, all
// frequencies).
// Allocates: never.
// Reference: J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh window function",
// Proc. IEEE ISCAS 1974 (beta and length formulas); half-band structure: docs/oversampling.md §2.
#pragma once

#include <array>
#include <cstddef>

#include "detail/constexpr_math.hpp"

namespace nofold::dsp {

/// Kaiser beta for a stopband attenuation in dB.
constexpr double kaiser_beta(double attenuation_db) noexcept {
    if (attenuation_db > 50.0) return 0.1102 * (attenuation_db - 8.7);
    if (attenuation_db >= 21.0)
        return 0.5842 * detail::cx_pow(attenuation_db - 21.0, 0.4) + 0.07886 * (attenuation_db - 21.0);
    return 0.0;
}

/// Number J of distinct non-zero side taps (filter length 4J - 1) for a Kaiser half-band meeting
/// `attenuation_db` at `tbw`. Kaiser's length estimate is optimistic by a few dB near 100 dB, so
/// the design aims 3 dB deeper than asked (the tests measure the result).
constexpr int fir_halfband_side_taps(double tbw, double attenuation_db) noexcept {
    const double a = attenuation_db + 3.0;
    const double length = (a - 7.95) / (14.36 * tbw) + 1.0;
    auto j = static_cast<int>(detail::cx_ceil((length + 1.0) / 4.0));
    return j < 1 ? 1 : j;
}

/// The J side taps g[0..J-1] (g[j-1] = h[centre ± (2j - 1)]) of a Kaiser-window half-band,
/// windowed with the beta for attenuation_db + 3 dB (see fir_halfband_side_taps).
template <int J>
constexpr std::array<double, J> fir_halfband_kaiser(double attenuation_db) noexcept {
    static_assert(J >= 1, "a FIR half-band needs at least one side tap (length 3)");
    const double beta = kaiser_beta(attenuation_db + 3.0);
    const double half_length = 2.0 * J - 1.0;  // centre to end, in taps
    const double i0_beta = detail::cx_bessel_i0(beta);
    std::array<double, J> g{};
    for (int j = 1; j <= J; ++j) {
        const double n = 2.0 * j - 1.0;
        const double ideal = ((j % 2 == 1) ? 1.0 : -1.0) / (detail::pi * n);  // sin(pi n / 2) / (pi n)
        const double r = n / half_length;
        const double window = detail::cx_bessel_i0(beta * detail::cx_sqrt(1.0 - r * r)) / i0_beta;
        g[static_cast<std::size_t>(j - 1)] = ideal * window;
    }
    return g;
}

/// Zero-phase amplitude of the half-band at f_fs (cycles per high-rate sample):
/// 1/2 + 2 sum_j g_j cos(2 pi (2j - 1) f_fs). The actual response is this times e^{-j w (2J-1)}.
template <std::size_t J>
constexpr double fir_halfband_amplitude(const std::array<double, J>& g, double f_fs) noexcept {
    double sum = 0.5;
    for (std::size_t j = 1; j <= J; ++j)
        sum += 2.0 * g[j - 1] * detail::cx_cos(2.0 * detail::pi * (2.0 * j - 1.0) * f_fs);
    return sum;
}

}  // namespace nofold::dsp
