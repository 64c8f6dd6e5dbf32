// nofold::dsp — design of polyphase IIR half-band filters (two allpass branches).
//
// H(z) = 1/2 [A0(z^2) + z^-1 A1(z^2)], each branch a cascade of sections (a + z^-2)/(1 + a z^-2).
// The coefficients, ascending in (0, 1), alternate between the branches: even index -> A0, odd -> A1.
// Everything here is constexpr and in double, so filters can be designed at compile time.
//
// Units: `tbw` is the transition bandwidth normalised to the HIGH (2x) rate: the passband ends at
// (0.5 - tbw)/2 and the stopband starts at (0.5 + tbw)/2 cycles per high-rate sample. Attenuations
// are in dB (positive numbers). Delays are in high-rate samples.
// Allocates: never.
// Reference: R. A. Valenzuela, A. G. Constantinides, "Digital signal processing schemes for
// efficient interpolation and decimation", IEE Proc. G 130(6), 1983; the elliptic closed forms are
// restated in docs/oversampling.md §1.
#pragma once

#include <array>
#include <complex>

#include "detail/constexpr_math.hpp"

namespace nofold::dsp {

namespace detail {
/// Elliptic parameters k and q of a half-band with transition bandwidth tbw.
struct EllipticParams {
    double k;
    double q;
};
constexpr EllipticParams elliptic_params(double tbw) noexcept {
    const double t = cx_tan((1.0 - 2.0 * tbw) * pi / 4.0);
    const double k = t * t;
    const double kp = cx_sqrt(cx_sqrt(1.0 - k * k));
    const double e = 0.5 * (1.0 - kp) / (1.0 + kp);
    const double e4 = e * e * e * e;
    const double q = e * (1.0 + e4 * (2.0 + e4 * (15.0 + 150.0 * e4)));
    return {k, q};
}
}  // namespace detail

/// Stopband attenuation in dB reached by `coef_count` coefficients at transition bandwidth `tbw`.
constexpr double iir_halfband_attenuation_db(int coef_count, double tbw) noexcept {
    const double q = detail::elliptic_params(tbw).q;
    const int order = 2 * coef_count + 1;
    const double a = 4.0 * detail::cx_pow(q, order * 0.5);
    return -10.0 * detail::cx_log(a / (1.0 + a)) / detail::cx_log(10.0);
}

/// Smallest coefficient count whose stopband attenuation is at least `attenuation_db` at `tbw`.
/// tbw in (0, 0.5), attenuation_db > 0.
constexpr int iir_halfband_coef_count(double tbw, double attenuation_db) noexcept {
    const double q = detail::elliptic_params(tbw).q;
    const double p = detail::cx_pow(10.0, -attenuation_db / 10.0);
    const double a = p / (1.0 - p);
    auto order = static_cast<int>(detail::cx_ceil(detail::cx_log(a * a / 16.0) / detail::cx_log(q)));
    if (order % 2 == 0) ++order;
    if (order < 3) order = 3;
    return (order - 1) / 2;
}

/// The N allpass coefficients of the half-band with transition bandwidth tbw, ascending.
template <int N>
constexpr std::array<double, N> iir_halfband_coefs(double tbw) noexcept {
    static_assert(N >= 1, "an IIR half-band needs at least one coefficient");
    const auto [k, q] = detail::elliptic_params(tbw);
    const int order = 2 * N + 1;
    const double q4 = detail::cx_pow(q, 0.25);
    std::array<double, N> coefs{};
    for (int i = 0; i < N; ++i) {
        const int c = i + 1;
        double num = 0.0;
        double sign = 1.0;
        for (int m = 0; m < 40; ++m) {
            const double term = detail::cx_pow(q, static_cast<double>(m) * (m + 1)) *
                                detail::cx_sin((2 * m + 1) * c * detail::pi / order);
            num += sign * term;
            sign = -sign;
            if (detail::cx_abs(term) < 1e-30) break;
        }
        num *= q4;
        double den = 0.5;
        sign = -1.0;
        for (int m = 1; m < 40; ++m) {
            const double term = detail::cx_pow(q, static_cast<double>(m) * m) *
                                detail::cx_cos(2.0 * m * c * detail::pi / order);
            den += sign * term;
            sign = -sign;
            if (detail::cx_abs(term) < 1e-30) break;
        }
        const double w = num / den;
        const double w2 = w * w;
        const double x = detail::cx_sqrt((1.0 - w2 * k) * (1.0 - w2 / k)) / (1.0 + w2);
        coefs[static_cast<std::size_t>(i)] = (1.0 - x) / (1.0 + x);
    }
    // The closed form yields them ascending already; sort anyway (insertion sort, constexpr).
    for (int i = 1; i < N; ++i) {
        for (int j = i; j > 0 && coefs[static_cast<std::size_t>(j - 1)] > coefs[static_cast<std::size_t>(j)]; --j) {
            const double t = coefs[static_cast<std::size_t>(j - 1)];
            coefs[static_cast<std::size_t>(j - 1)] = coefs[static_cast<std::size_t>(j)];
            coefs[static_cast<std::size_t>(j)] = t;
        }
    }
    return coefs;
}

/// Phase delay at DC, in high-rate samples, of the half-band with these coefficients: the mean of
/// the two branches' delays (a section (a + z^-2)/(1 + a z^-2) delays DC by 2(1-a)/(1+a)).
template <std::size_t N>
constexpr double iir_halfband_dc_delay(const std::array<double, N>& coefs) noexcept {
    double branch[2] = {0.0, 1.0};
    for (std::size_t i = 0; i < N; ++i) branch[i % 2] += 2.0 * (1.0 - coefs[i]) / (1.0 + coefs[i]);
    return 0.5 * (branch[0] + branch[1]);
}

/// Frequency response H(e^{j 2 pi f_fs}) (f_fs in cycles per high-rate sample). Not constexpr
/// (std::complex); for tests, plots and reports.
template <std::size_t N>
std::complex<double> iir_halfband_response(const std::array<double, N>& coefs, double f_fs) {
    const std::complex<double> z2inv = std::polar(1.0, -4.0 * detail::pi * f_fs);
    std::complex<double> branch[2] = {1.0, std::polar(1.0, -2.0 * detail::pi * f_fs)};
    for (std::size_t i = 0; i < N; ++i) branch[i % 2] *= (coefs[i] + z2inv) / (1.0 + coefs[i] * z2inv);
    return 0.5 * (branch[0] + branch[1]);
}

/// Group delay in high-rate samples at f_fs (cycles per high-rate sample): the derivative of the
/// phase of H, taken as a central difference (the passband curve; meaningless in the stopband).
template <std::size_t N>
double iir_halfband_group_delay(const std::array<double, N>& coefs, double f_fs) {
    // -d(arg H)/dw by a central difference on the unwrapped phase.
    const double h = 1e-6;
    const auto lo = iir_halfband_response(coefs, f_fs - h);
    const auto hi = iir_halfband_response(coefs, f_fs + h);
    return -std::arg(hi / lo) / (2.0 * detail::pi * 2.0 * h);
}

}  // namespace nofold::dsp
