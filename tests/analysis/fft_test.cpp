// Tests for include/nofold/analysis/fft.hpp against a naive long-double DFT (small sizes), Parseval's
// theorem and analytic single-bin spectra (large sizes, primes included).
#include <nofold/analysis/fft.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <random>
#include <vector>

#include "support/alloc_counter.hpp"

namespace {

using nofold::analysis::Fft;
using cplx = std::complex<double>;

// Reference: X[k] = sum_n x[n] e^{-j 2 pi k n / N}, evaluated in long double with the exponent
// reduced modulo N in integers (the N distinct twiddles are computed once per call: trigonometry in
// long double is software quad precision on 64-bit ARM, where this test runs under qemu).
std::vector<cplx> naive_dft(const std::vector<cplx>& x, int sign) {
    const std::size_t n = x.size();
    const long double pi = 3.141592653589793238462643383279502884L;
    std::vector<long double> cs(n), sn(n);
    for (std::size_t m = 0; m < n; ++m) {
        const long double a = sign * -2.0L * pi * static_cast<long double>(m) / static_cast<long double>(n);
        cs[m] = std::cos(a);
        sn[m] = std::sin(a);
    }
    std::vector<cplx> out(n);
    for (std::size_t k = 0; k < n; ++k) {
        long double re = 0, im = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t m = (k * i) % n;
            re += x[i].real() * cs[m] - x[i].imag() * sn[m];
            im += x[i].real() * sn[m] + x[i].imag() * cs[m];
        }
        out[k] = cplx(static_cast<double>(re), static_cast<double>(im));
    }
    return out;
}

std::vector<cplx> random_complex(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> d(0.0, 1.0);
    std::vector<cplx> x(n);
    for (auto& v : x) v = cplx(d(rng), d(rng));
    return x;
}

double max_abs_diff(const std::vector<cplx>& a, const std::vector<cplx>& b, std::size_t count) {
    double worst = 0;
    for (std::size_t i = 0; i < count; ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
    return worst;
}

}  // namespace

TEST_CASE("Fft matches a long-double direct DFT for every length 1..70 and some primes, forward and inverse") {
    std::vector<std::size_t> sizes;
    for (std::size_t n = 1; n <= 70; ++n) sizes.push_back(n);
    for (std::size_t n : {97u, 127u, 128u, 256u, 257u, 509u, 1000u, 1024u, 1031u}) sizes.push_back(n);
    for (std::size_t n : sizes) {
        CAPTURE(n);
        const auto x = random_complex(n, static_cast<unsigned>(n));
        Fft fft(n);
        std::vector<cplx> y(n);
        fft.forward(x.data(), y.data());
        const auto ref = naive_dft(x, +1);
        // Tolerance: rounding grows like sqrt(N) log N relative to |X| ~ sqrt(N); 1e-13 * N is loose
        // enough for double and fails on any indexing or twiddle mistake (errors of order 1).
        const double tol = 1e-13 * static_cast<double>(n) + 1e-14;
        CHECK(max_abs_diff(y, ref, n) < tol);

        std::vector<cplx> back(n);
        fft.inverse(y.data(), back.data());
        CHECK(max_abs_diff(back, x, n) < 1e-14 * static_cast<double>(n) + 1e-14);

        // Inverse on its own against the reference with opposite sign and 1/N.
        std::vector<cplx> inv(n);
        fft.inverse(x.data(), inv.data());
        auto ref_inv = naive_dft(x, -1);
        for (auto& v : ref_inv) v /= static_cast<double>(n);
        CHECK(max_abs_diff(inv, ref_inv, n) < tol / static_cast<double>(n) + 1e-15);
    }
}

TEST_CASE("Fft forward_real equals the complex transform of the real signal, and works in place") {
    for (std::size_t n : {1u, 2u, 3u, 8u, 15u, 16u, 17u, 100u, 101u, 4096u, 4099u}) {
        CAPTURE(n);
        std::mt19937 rng(7);
        std::uniform_real_distribution<double> d(-1, 1);
        std::vector<double> x(n);
        for (auto& v : x) v = d(rng);
        std::vector<cplx> xc(x.begin(), x.end());
        Fft fft(n);
        std::vector<cplx> full(n), half(n / 2 + 1);
        fft.forward(xc.data(), full.data());
        fft.forward_real(x.data(), half.data());
        CHECK(max_abs_diff(half, full, n / 2 + 1) < 1e-12 * static_cast<double>(n));
        // Hermitian symmetry of the full transform of a real signal (checks the complex path too).
        for (std::size_t k = 1; k < n; ++k) CHECK(std::abs(full[k] - std::conj(full[n - k])) < 1e-11 * static_cast<double>(n));
        // In place.
        std::vector<cplx> inplace = xc;
        fft.forward(inplace.data(), inplace.data());
        CHECK(max_abs_diff(inplace, full, n) == 0.0);
    }
}

TEST_CASE("Fft satisfies Parseval on large lengths (prime 48017, 48000, 2^17) to 1e-12") {
    for (std::size_t n : {48017u, 48000u, 131072u, 44101u}) {
        CAPTURE(n);
        std::mt19937 rng(11);
        std::normal_distribution<double> d(0, 1);
        std::vector<double> x(n);
        long double time_energy = 0;
        for (auto& v : x) {
            v = d(rng);
            time_energy += static_cast<long double>(v) * v;
        }
        Fft fft(n);
        std::vector<cplx> X(n / 2 + 1);
        fft.forward_real(x.data(), X.data());
        // sum_k |X_k|^2 over the full circle = N * sum x^2; the upper half mirrors the lower one.
        long double freq_energy = std::norm(X[0]);
        for (std::size_t k = 1; k < (n + 1) / 2; ++k) freq_energy += 2.0L * std::norm(X[k]);
        if (n % 2 == 0) freq_energy += std::norm(X[n / 2]);
        const double rel = static_cast<double>(std::fabs(freq_energy / static_cast<long double>(n) - time_energy) / time_energy);
        CHECK(rel < 1e-12);
    }
}

TEST_CASE("Fft of a bin-exact sine at N = 48017 is one analytic line: Y[k0] = -j A N / 2, others ~ 0") {
    const std::size_t n = 48017, k0 = 1249;
    const double amp = 0.5;
    const long double pi = 3.141592653589793238462643383279502884L;
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i)
        x[i] = amp * static_cast<double>(std::sin(2.0L * pi * static_cast<long double>((k0 * i) % n) / n));
    Fft fft(n);
    std::vector<cplx> X(n / 2 + 1);
    fft.forward_real(x.data(), X.data());
    const double line = amp * static_cast<double>(n) / 2.0;
    CHECK(std::abs(X[k0] - cplx(0.0, -line)) < 1e-9 * line);
    double leak = 0;
    for (std::size_t k = 0; k < X.size(); ++k)
        if (k != k0) leak = std::max(leak, std::abs(X[k]));
    CHECK(leak < 1e-10 * line);  // ~ -200 dB: the numerical floor of the transform
}

TEST_CASE("Fft transforms never allocate") {
    for (std::size_t n : {48017u, 4096u}) {
        Fft fft(n);
        std::vector<cplx> a(n, cplx(1.0, 0.5)), b(n);
        std::vector<double> r(n, 0.25);
        nofold::test::AllocationScope scope;
        fft.forward(a.data(), b.data());
        fft.inverse(b.data(), a.data());
        fft.forward_real(r.data(), b.data());
        CHECK(scope.allocations() == 0);
    }
}

TEST_CASE("Fft rejects length 0") { CHECK_THROWS_AS(Fft(0), std::invalid_argument); }
