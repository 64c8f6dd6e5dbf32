// Test support: the reference of every gradient test, a central finite difference in double, and the
// double-precision random values such tests draw.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

namespace nofold::test {

/// n doubles uniform in [−scale, scale) from std::mt19937(seed).
inline std::vector<double> uniform_values(std::size_t n, unsigned seed, double scale) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<double> d(-scale, scale);
    std::vector<double> v(n);
    for (double& x : v) x = d(gen);
    return v;
}

/// max_i |grad[i] − fd_i| / max_i |fd_i|, fd_i = (loss(p + h e_i) − loss(p − h e_i)) / 2h with
/// h = 1e-6·max(1, |p_i|); `loss` takes the perturbed parameter vector. Returns +inf when every fd_i is 0.
template <class Loss>
double gradient_error(const std::vector<double>& params, const std::vector<double>& grad, Loss&& loss) {
    double worst = 0, scale = 0;
    std::vector<double> q = params;
    for (std::size_t i = 0; i < params.size(); ++i) {
        const double h = 1e-6 * std::max(1.0, std::abs(params[i]));
        q[i] = params[i] + h;
        const double up = loss(q);
        q[i] = params[i] - h;
        const double down = loss(q);
        q[i] = params[i];
        const double fd = (up - down) / (2 * h);
        worst = std::max(worst, std::abs(fd - grad[i]));
        scale = std::max(scale, std::abs(fd));
    }
    return scale > 0 ? worst / scale : HUGE_VAL;
}

}  // namespace nofold::test
