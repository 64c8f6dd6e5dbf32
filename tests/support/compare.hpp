// Test support: how far an output is from its reference, in the form the model tests state their
// tolerances.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace nofold::test {

/// max_i |y[i] − ref[i]| / rms(ref) over ref's length (rms floored at 1e-30, so a silent reference
/// gives a huge ratio, never a division by zero).
inline double max_error_over_rms(const std::vector<float>& y, const std::vector<double>& ref) {
    double sum_sq = 0, err = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        sum_sq += ref[i] * ref[i];
        err = std::max(err, std::fabs(static_cast<double>(y[i]) - ref[i]));
    }
    return err / std::max(std::sqrt(sum_sq / static_cast<double>(ref.size())), 1e-30);
}

}  // namespace nofold::test
