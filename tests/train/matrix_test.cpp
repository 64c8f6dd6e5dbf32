// Tests for include/nofold/train/detail/matrix.hpp: the three products (and column_sum) against long-double loops for
// every small shape around the tile sizes (rows, columns and frames below, at and above a tile, n = 0
// included), with shifted, overlapping column pointers as a dilated convolution uses them.
// Tolerance: the sum's own rounding, |error| ≤ 4·ε·(terms)·Σ|term| (double: ε = 2^−53; float: 2^−24).
#include <nofold/train/detail/matrix.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

using ld = long double;
using nofold::train::detail::column_sum;
using nofold::train::detail::multiply_add;
using nofold::train::detail::multiply_add_outer;
using nofold::train::detail::multiply_add_wt;

template <class T>
std::vector<T> noise(std::size_t n, std::mt19937& rng) {
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    std::vector<T> v(n);
    for (T& x : v) x = static_cast<T>(u(rng));
    return v;
}

// a bound on the rounding of a sum of `terms` products whose magnitudes add to `mag`
template <class T>
double bound(int terms, double mag) {
    return 4.0 * std::numeric_limits<T>::epsilon() * (terms + 2) * (mag + 1.0);
}

template <class T>
void check_all_shapes() {
    std::mt19937 rng(7);
    constexpr int pad = 12;  // zero frames before each input row: columns read up to `pad` back
    // layout 0: column c reads input row c / 2 (neighbours overlap); 1: row c (they don't, so the
    // backward product tiles them); n past 4 · time_chunk runs every product in several passes
    for (int layout : {0, 1})
    for (int rows : {1, 2, 3, 4, 5, 9})
        for (int cols : {1, 3, 4, 5, 8})
            for (int n : {0, 1, 7, 16, 33, 70, 4 * nofold::train::detail::time_chunk + 41}) {
                if (n > 70 && (rows < 4 || rows > 5 || cols < 4 || cols > 5)) continue;  // (long passes: a few shapes)
                CAPTURE(layout);
                CAPTURE(rows);
                CAPTURE(cols);
                CAPTURE(n);
                const int ldw = cols + 1;  // a gap after each weight row
                const std::size_t ld_rows = static_cast<std::size_t>(n + pad + 3);
                std::vector<T> w = noise<T>(static_cast<std::size_t>(rows * ldw), rng);
                std::vector<T> in = noise<T>(static_cast<std::size_t>(cols) * ld_rows, rng);
                std::vector<T> a = noise<T>(static_cast<std::size_t>(rows) * ld_rows, rng);
                // column c reads input row c / 2 (or c) shifted back by (c % 3) frames
                const auto row_of = [layout](int c) { return layout == 0 ? c / 2 : c; };
                std::vector<const T*> x(static_cast<std::size_t>(cols));
                for (int c = 0; c < cols; ++c)
                    x[static_cast<std::size_t>(c)] = in.data() + static_cast<std::size_t>(row_of(c)) * ld_rows + pad - c % 3;
                auto xv = [&](int c, int t) -> ld { return x[static_cast<std::size_t>(c)][t]; };

                // multiply_add
                std::vector<T> y = noise<T>(static_cast<std::size_t>(rows) * ld_rows, rng);
                const std::vector<T> y0 = y;
                multiply_add<T>(w.data(), ldw, rows, cols, x.data(), y.data(), ld_rows, n);
                for (int r = 0; r < rows; ++r)
                    for (int t = 0; t < static_cast<int>(ld_rows); ++t) {
                        const std::size_t i = static_cast<std::size_t>(r) * ld_rows + static_cast<std::size_t>(t);
                        if (t >= n) {
                            REQUIRE(y[i] == y0[i]);  // nothing written past n
                            continue;
                        }
                        ld s = y0[i], mag = std::fabs(static_cast<ld>(y0[i]));
                        for (int c = 0; c < cols; ++c) {
                            s += static_cast<ld>(w[static_cast<std::size_t>(r * ldw + c)]) * xv(c, t);
                            mag += std::fabs(static_cast<ld>(w[static_cast<std::size_t>(r * ldw + c)]) * xv(c, t));
                        }
                        REQUIRE(std::fabs(static_cast<double>(y[i] - s)) <= bound<T>(cols, static_cast<double>(mag)));
                    }
                // multiply_add with `set` (y = set + W·x, y's old values unused), and with `base` too
                // (y = base + set + W·x)
                const std::vector<T> set = noise<T>(static_cast<std::size_t>(rows), rng);
                const std::vector<T> base = noise<T>(static_cast<std::size_t>(rows) * ld_rows, rng);
                for (const bool with_base : {false, true}) {
                    std::vector<T> ys = y0;
                    multiply_add<T>(w.data(), ldw, rows, cols, x.data(), ys.data(), ld_rows, n, set.data(),
                                    with_base ? base.data() : nullptr);
                    for (int r = 0; r < rows; ++r)
                        for (int t = 0; t < static_cast<int>(ld_rows); ++t) {
                            const std::size_t i = static_cast<std::size_t>(r) * ld_rows + static_cast<std::size_t>(t);
                            if (t >= n) {
                                REQUIRE(ys[i] == y0[i]);
                                continue;
                            }
                            ld s = set[static_cast<std::size_t>(r)], mag = std::fabs(s);
                            if (with_base) {
                                s += base[i];
                                mag += std::fabs(static_cast<ld>(base[i]));
                            }
                            for (int c = 0; c < cols; ++c) {
                                s += static_cast<ld>(w[static_cast<std::size_t>(r * ldw + c)]) * xv(c, t);
                                mag += std::fabs(static_cast<ld>(w[static_cast<std::size_t>(r * ldw + c)]) * xv(c, t));
                            }
                            REQUIRE(std::fabs(static_cast<double>(ys[i] - s)) <= bound<T>(cols + 1, static_cast<double>(mag)));
                        }
                }

                // multiply_add_wt: d_c = row_of(c) of `out`, shifted like the inputs (overlapping columns)
                std::vector<T> out = noise<T>(static_cast<std::size_t>(cols) * ld_rows, rng);
                const std::vector<T> out0 = out;
                std::vector<T*> d(static_cast<std::size_t>(cols));
                for (int c = 0; c < cols; ++c)
                    d[static_cast<std::size_t>(c)] = out.data() + static_cast<std::size_t>(row_of(c)) * ld_rows + pad - c % 3;
                multiply_add_wt<T>(w.data(), ldw, rows, cols, a.data(), ld_rows, d.data(), n);
                std::vector<ld> ref(out0.begin(), out0.end()), mag(out0.size());
                for (std::size_t i = 0; i < out0.size(); ++i) mag[i] = std::fabs(static_cast<ld>(out0[i]));
                for (int c = 0; c < cols; ++c)
                    for (int t = 0; t < n; ++t) {
                        const std::size_t i = static_cast<std::size_t>(row_of(c)) * ld_rows + static_cast<std::size_t>(pad - c % 3 + t);
                        for (int r = 0; r < rows; ++r) {
                            const ld p = static_cast<ld>(w[static_cast<std::size_t>(r * ldw + c)]) *
                                         a[static_cast<std::size_t>(r) * ld_rows + static_cast<std::size_t>(t)];
                            ref[i] += p;
                            mag[i] += std::fabs(p);
                        }
                    }
                for (std::size_t i = 0; i < out.size(); ++i)
                    REQUIRE(std::fabs(static_cast<double>(out[i] - ref[i])) <= bound<T>(3 * rows, static_cast<double>(mag[i])));

                // multiply_add_outer
                std::vector<T> g = noise<T>(static_cast<std::size_t>(rows * ldw), rng);
                const std::vector<T> g0 = g;
                multiply_add_outer<T>(a.data(), ld_rows, rows, x.data(), cols, g.data(), ldw, n);
                for (int r = 0; r < rows; ++r)
                    for (int c = 0; c < ldw; ++c) {
                        const std::size_t i = static_cast<std::size_t>(r * ldw + c);
                        if (c == cols) {
                            REQUIRE(g[i] == g0[i]);  // the gap after each row is left alone
                            continue;
                        }
                        ld s = g0[i], m = std::fabs(static_cast<ld>(g0[i]));
                        for (int t = 0; t < n; ++t) {
                            const ld p = static_cast<ld>(a[static_cast<std::size_t>(r) * ld_rows + static_cast<std::size_t>(t)]) * xv(c, t);
                            s += p;
                            m += std::fabs(p);
                        }
                        REQUIRE(std::fabs(static_cast<double>(g[i] - s)) <= bound<T>(n, static_cast<double>(m)));
                    }
            }
}

// column_sum: y[r] += Σ_c w[c·ldw + r] · v[c], for y lengths around the 4-vector and 1-vector blocks of
// every lane count (AVX-512 float: 16 lanes, 64-row blocks), with a gap after each column of w
template <class T>
void check_column_sum() {
    std::mt19937 rng(11);
    for (int rows : {0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 63, 64, 65, 100, 160})
        for (int cols : {0, 1, 2, 5, 41}) {
            CAPTURE(rows);
            CAPTURE(cols);
            const int ldw = rows + 3;
            const std::vector<T> w = noise<T>(static_cast<std::size_t>(cols * ldw + 1), rng);
            const std::vector<T> v = noise<T>(static_cast<std::size_t>(cols + 1), rng);
            std::vector<T> y = noise<T>(static_cast<std::size_t>(rows + 2), rng);  // two guard elements
            const std::vector<T> y0 = y;
            column_sum<T>(w.data(), ldw, rows, cols, v.data(), y.data());
            for (int r = 0; r < rows + 2; ++r) {
                const std::size_t i = static_cast<std::size_t>(r);
                if (r >= rows) {
                    REQUIRE(y[i] == y0[i]);
                    continue;
                }
                ld s = y0[i], m = std::fabs(static_cast<ld>(y0[i]));
                for (int c = 0; c < cols; ++c) {
                    const ld p = static_cast<ld>(w[static_cast<std::size_t>(c * ldw + r)]) * v[static_cast<std::size_t>(c)];
                    s += p;
                    m += std::fabs(p);
                }
                REQUIRE(std::fabs(static_cast<double>(y[i] - s)) <= bound<T>(cols, static_cast<double>(m)));
            }
        }
}

}  // namespace

TEST_CASE("train column_sum: float and double, every length around the vector blocks, against long double") {
    check_column_sum<float>();
    check_column_sum<double>();
}

TEST_CASE("train matrix products: double, every shape around the tiles, against long double") { check_all_shapes<double>(); }

TEST_CASE("train matrix products: float, every shape around the tiles, against long double") { check_all_shapes<float>(); }
