// Test support: writing weight matrices as JSON text, for tests that build model files in memory
// (GuitarML, Keras/AIDA-X) from random float-representable weights.
#pragma once

#include <cstddef>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace nofold::test {

using Matrix = std::vector<std::vector<double>>;

/// rows × cols values uniform in [−scale, scale), drawn as float (so the JSON's 9 significant digits
/// hold them exactly) in row-major order from `rng`.
inline Matrix uniform_matrix(int rows, int cols, std::mt19937& rng, float scale) {
    std::uniform_real_distribution<float> d(-scale, scale);
    Matrix m(static_cast<std::size_t>(rows), std::vector<double>(static_cast<std::size_t>(cols)));
    for (auto& r : m)
        for (auto& x : r) x = static_cast<double>(d(rng));
    return m;
}

/// [[a,b,…],[…],…] with 9 significant digits (exact for float values).
inline std::string json_matrix(const Matrix& m) {
    std::string s = "[";
    for (std::size_t r = 0; r < m.size(); ++r) {
        s += r ? ",[" : "[";
        for (std::size_t c = 0; c < m[r].size(); ++c) {
            char buf[40];
            std::snprintf(buf, sizeof buf, "%s%.9g", c ? "," : "", m[r][c]);
            s += buf;
        }
        s += "]";
    }
    return s + "]";
}

/// A 1 × n matrix written as a flat vector [a,b,…].
inline std::string json_row(const Matrix& m) {
    const std::string s = json_matrix(m);
    return s.substr(1, s.size() - 2);
}

}  // namespace nofold::test
