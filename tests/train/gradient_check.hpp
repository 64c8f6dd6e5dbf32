// Test support for tests/train: central finite differences against an analytic gradient, and small
// random-signal helpers. Independent of the code under test (it only calls the loss as a function).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <random>
#include <vector>

namespace nofold::test {

inline std::vector<double> random_signal(std::mt19937& rng, std::size_t n, double amplitude = 0.5) {
    std::uniform_real_distribution<double> d(-amplitude, amplitude);
    std::vector<double> x(n);
    for (auto& v : x) v = d(rng);
    return x;
}

/// Worst disagreement between `gradient` and central differences of `loss` at `x`, over the
/// coordinates in `indices`, relative to the largest gradient magnitude over those coordinates:
/// max_i |fd_i - g_i| / max_i |g_i|. Step h_i = step * max(1, |x_i|).
inline double gradient_error(const std::function<double(const std::vector<double>&)>& loss, std::vector<double> x,
                             const std::vector<double>& gradient, const std::vector<std::size_t>& indices,
                             double step = 1e-6) {
    double worst = 0.0, largest = 0.0;
    for (std::size_t i : indices) {
        const double keep = x[i];
        const double h = step * std::max(1.0, std::fabs(keep));
        x[i] = keep + h;
        const double up = loss(x);
        x[i] = keep - h;
        const double down = loss(x);
        x[i] = keep;
        const double fd = (up - down) / (2.0 * h);
        worst = std::max(worst, std::fabs(fd - gradient[i]));
        largest = std::max(largest, std::fabs(gradient[i]));
    }
    return largest > 0.0 ? worst / largest : worst;
}

/// All indices 0 ... n-1, or `count` distinct random ones when n is larger.
inline std::vector<std::size_t> some_indices(std::mt19937& rng, std::size_t n, std::size_t count) {
    std::vector<std::size_t> all(n);
    for (std::size_t i = 0; i < n; ++i) all[i] = i;
    if (n <= count) return all;
    std::shuffle(all.begin(), all.end(), rng);
    all.resize(count);
    std::sort(all.begin(), all.end());
    return all;
}

}  // namespace nofold::test
