// nofold::dsp::detail — double-precision elementary functions usable in constant expressions.
//
// The half-band designers run at compile time so that a Cascade's coefficients are constants
// baked into the binary; <cmath> is not constexpr in C++17, hence these. Each function is accurate
// to a few ulp over the arguments the designers use (checked against <cmath> in
// tests/dsp/halfband_design_test.cpp). They are slow: design-time use only.
// Allocates: never.
#pragma once

#include <cstdint>

namespace nofold::dsp::detail {

inline constexpr double pi = 3.14159265358979323846264338327950288;
inline constexpr double ln2 = 0.69314718055994530941723212145817657;

constexpr double cx_abs(double x) noexcept { return x < 0 ? -x : x; }

/// Largest integer <= x, for |x| < 2^62.
constexpr double cx_floor(double x) noexcept {
    const auto i = static_cast<std::int64_t>(x);
    const double d = static_cast<double>(i);
    return d > x ? d - 1.0 : d;
}

constexpr double cx_ceil(double x) noexcept { return -cx_floor(-x); }

/// e^x by range reduction to |r| <= ln2/2 and a Taylor series.
constexpr double cx_exp(double x) noexcept {
    if (x > 709.0) return 1e308 * 10.0;
    if (x < -745.0) return 0.0;
    const double k = cx_floor(x / ln2 + 0.5);
    const double r = x - k * ln2;
    double term = 1.0;
    double sum = 1.0;
    for (int i = 1; i < 30; ++i) {
        term *= r / i;
        sum += term;
    }
    auto e = static_cast<int>(k);
    while (e > 0) {
        sum *= 2.0;
        --e;
    }
    while (e < 0) {
        sum *= 0.5;
        ++e;
    }
    return sum;
}

/// Natural logarithm for x > 0: x = m * 2^e with m in [sqrt(1/2), sqrt(2)), then the atanh series.
constexpr double cx_log(double x) noexcept {
    if (!(x > 0.0)) return -1e308 * 10.0;
    int e = 0;
    while (x >= 1.4142135623730951) {
        x *= 0.5;
        ++e;
    }
    while (x < 0.7071067811865476) {
        x *= 2.0;
        --e;
    }
    const double t = (x - 1.0) / (x + 1.0);
    const double t2 = t * t;
    double power = t;
    double sum = 0.0;
    for (int i = 1; i < 80; i += 2) {
        sum += power / i;
        power *= t2;
    }
    return 2.0 * sum + e * ln2;
}

/// x^y for x > 0.
constexpr double cx_pow(double x, double y) noexcept { return cx_exp(y * cx_log(x)); }

/// Square root by Newton's method after scaling into [0.25, 1).
constexpr double cx_sqrt(double x) noexcept {
    if (!(x > 0.0)) return 0.0;
    double scale = 1.0;
    while (x >= 1.0) {
        x *= 0.25;
        scale *= 2.0;
    }
    while (x < 0.25) {
        x *= 4.0;
        scale *= 0.5;
    }
    double r = 0.5 * (x + 1.0);
    for (int i = 0; i < 8; ++i) r = 0.5 * (r + x / r);
    return r * scale;
}

namespace cx {
// Taylor series on |x| <= pi/4.
constexpr double sin_small(double x) noexcept {
    const double x2 = x * x;
    double term = x;
    double sum = x;
    for (int i = 1; i < 12; ++i) {
        term *= -x2 / ((2 * i) * (2 * i + 1));
        sum += term;
    }
    return sum;
}
constexpr double cos_small(double x) noexcept {
    const double x2 = x * x;
    double term = 1.0;
    double sum = 1.0;
    for (int i = 1; i < 12; ++i) {
        term *= -x2 / ((2 * i - 1) * (2 * i));
        sum += term;
    }
    return sum;
}
}  // namespace cx

/// sin x: reduce to a quadrant, then a Taylor series on |r| <= pi/4.
constexpr double cx_sin(double x) noexcept {
    const double q = cx_floor(x / (pi / 2) + 0.5);
    const double r = x - q * (pi / 2);
    auto quadrant = static_cast<std::int64_t>(q) % 4;
    if (quadrant < 0) quadrant += 4;
    switch (quadrant) {
        case 0: return cx::sin_small(r);
        case 1: return cx::cos_small(r);
        case 2: return -cx::sin_small(r);
        default: return -cx::cos_small(r);
    }
}

constexpr double cx_cos(double x) noexcept { return cx_sin(x + pi / 2); }
constexpr double cx_tan(double x) noexcept { return cx_sin(x) / cx_cos(x); }

/// Modified Bessel function of the first kind, order 0 (power series; fine for x < 60).
constexpr double cx_bessel_i0(double x) noexcept {
    const double h = 0.25 * x * x;
    double term = 1.0;
    double sum = 1.0;
    for (int k = 1; k < 500; ++k) {
        term *= h / (static_cast<double>(k) * k);
        sum += term;
        if (term < sum * 1e-17) break;
    }
    return sum;
}

}  // namespace nofold::dsp::detail
