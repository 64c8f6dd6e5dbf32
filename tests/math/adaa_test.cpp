// Claims about include/nofold/math/adaa.hpp: ADAA of a linear function is the matching FIR (exact), the
// ill-conditioned fallback gives the limit, LinearPart::subtract equals keep, and ADAA1/ADAA2 of tanh on
// a sine measurably reduce aliasing (ASR per docs/metrics.md §2, computed here with a direct DFT, N prime).
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <vector>

#include <nofold/math/adaa.hpp>
#include <nofold/math/piecewise.hpp>
#include <nofold/math/snake.hpp>
#include <nofold/math/tanh.hpp>
#include <support/alloc_counter.hpp>

namespace math = nofold::math;

namespace {
// ASR (dB) of y for the bin-exact sine at bin k0: direct DFT of the half spectrum (O(N²), N small).
double asr_db(const std::vector<double>& y, int k0) {
    const int n = static_cast<int>(y.size());
    double eh = 0, ea = 0;
    for (int k = 1; k <= (n - 1) / 2; ++k) {
        std::complex<double> acc = 0;
        for (int i = 0; i < n; ++i) {
            const double ph = -2 * M_PI * static_cast<double>((static_cast<long long>(k) * i) % n) / n;
            acc += y[static_cast<std::size_t>(i)] * std::complex<double>(std::cos(ph), std::sin(ph));
        }
        (k % k0 == 0 ? eh : ea) += std::norm(acc);
    }
    return 10 * std::log10(ea / eh);
}

template <class Shaper>
std::vector<double> run_sine(Shaper& s, int n, int k0, double amp, int skip) {
    std::vector<double> y;
    for (int i = -skip; i < n; ++i) {
        const float x = static_cast<float>(amp * std::sin(2 * M_PI * k0 * static_cast<double>(i) / n));
        const float v = s.process(x);
        if (i >= 0) y.push_back(v);
    }
    return y;
}
struct Plain {
    float process(float x) { return math::Tanh<>{}(x); }
};
}  // namespace

TEST_CASE("ADAA1/ADAA2 of tanh on a sine reduce aliasing (ASR, direct DFT, N = 2003, k0 = 101)") {
    const int n = 2003, k0 = 101;  // f0 ≈ 0.05·fs, prime N so harmonics never share bins
    Plain plain;
    math::ADAA1<math::Tanh<>> a1;
    math::ADAA2<math::Tanh<>> a2;
    const double asr_plain = asr_db(run_sine(plain, n, k0, 4.0, 0), k0);
    const double asr_1 = asr_db(run_sine(a1, n, k0, 4.0, n), k0);
    const double asr_2 = asr_db(run_sine(a2, n, k0, 4.0, n), k0);
    MESSAGE("ASR tanh(4 sin): plain " << asr_plain << " dB, ADAA1 " << asr_1 << " dB, ADAA2 " << asr_2 << " dB");
    CHECK(asr_1 < asr_plain - 5.0);
    CHECK(asr_2 < asr_1 - 5.0);
}

TEST_CASE("ADAA of a linear function is exactly its averaging filter") {
    math::ADAA1<math::Identity> a1;
    math::ADAA2<math::Identity> a2;
    float prev = 0, prev2 = 0;
    for (int i = 0; i < 50; ++i) {
        const float x = std::sin(0.37f * i) * 3.0f;
        CHECK(a1.process(x) == doctest::Approx(0.5 * (x + prev)).epsilon(1e-6));
        // Analytic: with F2 = x³/6, D(a, b) = (a² + ab + b²)/6 and the ADAA2 formula reduces to (x0 + x1 + x2)/3.
        CHECK(a2.process(x) == doctest::Approx((x + prev + prev2) / 3.0).epsilon(1e-5));
        prev2 = prev;
        prev = x;
    }
}

TEST_CASE("ill-conditioned input (constant or repeating samples) falls back to the function's limit") {
    math::ADAA1<math::Tanh<>> a1;
    math::ADAA2<math::Tanh<>> a2;
    for (int i = 0; i < 10; ++i) {
        a1.process(0.8f);
        a2.process(0.8f);
    }
    CHECK(a1.process(0.8f) == doctest::Approx(std::tanh(0.8)).epsilon(1e-6));
    CHECK(a2.process(0.8f) == doctest::Approx(std::tanh(0.8)).epsilon(1e-6));
    // x[n] == x[n−2] ≠ x[n−1]: second fallback branch, finite and between the function's values.
    math::ADAA2<math::Tanh<>> a3;
    float last = 0;
    for (int i = 0; i < 20; ++i) last = a3.process(i % 2 ? 1.0f : -1.0f);
    CHECK(std::isfinite(last));
    CHECK(std::fabs(last) < std::tanh(1.0));
}

TEST_CASE("LinearPart::subtract gives the same output as keep (better conditioned for Snake)") {
    math::ADAA1<math::Snake> keep{math::Snake{2.9f}};
    math::ADAA1<math::Snake, math::LinearPart::subtract> sub{math::Snake{2.9f}};
    math::ADAA2<math::LeakyReLU> keep2{math::LeakyReLU{0.2f}};
    math::ADAA2<math::LeakyReLU, math::LinearPart::subtract> sub2{math::LeakyReLU{0.2f}};
    double worst = 0, worst2 = 0;
    for (int i = 0; i < 2000; ++i) {
        const float x = 3.0f * std::sin(0.05f * i) + 0.3f * std::sin(1.3f * i);
        worst = std::max(worst, static_cast<double>(std::fabs(keep.process(x) - sub.process(x))));
        worst2 = std::max(worst2, static_cast<double>(std::fabs(keep2.process(x) - sub2.process(x))));
    }
    CHECK(worst < 1e-5);
    CHECK(worst2 < 1e-5);
}

TEST_CASE("ADAA processing neither allocates nor depends on block splits") {
    math::ADAA1<math::Tanh<>> one, split;
    std::vector<float> in(1000), a(1000), b(1000);
    for (int i = 0; i < 1000; ++i) in[static_cast<std::size_t>(i)] = 5.0f * std::sin(0.1f * i);
    nofold::test::AllocationScope scope;
    one.process(in.data(), a.data(), 1000);
    int pos = 0;
    for (int len : {0, 1, 17, 64, 0, 300, 618}) {
        split.process(in.data() + pos, b.data() + pos, len);
        pos += len;
    }
    CHECK(scope.allocations() == 0);
    CHECK(pos == 1000);
    CHECK(a == b);
    one.reset();
    CHECK(one.process(0.0f) == 0.0f);
}
