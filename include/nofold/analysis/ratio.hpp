// nofold::analysis::Ratio — an energy ratio reported both linear and in decibels.
#pragma once

#include <cmath>
#include <limits>

namespace nofold::analysis {

/// An energy (power) ratio such as ESR, ASR or NMR, linear and in dB (10 log10).
///
/// Conventions (docs/metrics.md, introduction): 0/0 is 0 (two silent signals agree perfectly), x/0 with x > 0 is
/// +inf (never NaN); 0 linear is -inf dB.
/// Units: linear is a dimensionless energy ratio; db is decibels. Allocates: never.
struct Ratio {
    double linear = 0.0;
    double db = -std::numeric_limits<double>::infinity();

    /// The ratio numerator / denominator of two non-negative energies, with the conventions above.
    static Ratio of_energies(double numerator, double denominator) noexcept {
        if (denominator == 0.0) return from_linear(numerator == 0.0 ? 0.0 : std::numeric_limits<double>::infinity());
        return from_linear(numerator / denominator);
    }
    /// Wraps a linear ratio and computes its dB value.
    static Ratio from_linear(double linear_ratio) noexcept { return {linear_ratio, power_to_db(linear_ratio)}; }
    /// 10 log10(x); -inf for 0, +inf for +inf.
    static double power_to_db(double x) noexcept {
        if (x == 0.0) return -std::numeric_limits<double>::infinity();
        return 10.0 * std::log10(x);
    }
};

}  // namespace nofold::analysis
