// Claims about include/nofold/math/sigmoid.hpp. Reference: long double 1/(1 + expl(−x)).
#include <doctest/doctest.h>

#include "support/sweep.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include <nofold/math/sigmoid.hpp>

#include "reference.hpp"

namespace math = nofold::math;
using mtest::LD;

namespace {
LD sigmoid_ref(float xf) {
    const LD x = xf;
    if (std::isnan(x)) return x;
    if (x > 200) return 1.0L;
    if (x < -200) return 0.0L;
    return 1.0L / (1.0L + std::exp(-x));
}
}  // namespace

TEST_CASE("exact sigmoid is within 4 ULP of the correctly rounded value on every 64th float") {
    const math::Sigmoid<> s;
    const std::uint32_t stride = nofold::test::sweep_stride(64);
    std::int64_t worst = 0;
    float worst_x = 0;
    std::size_t mism = 0;
    std::vector<float> xs;
    for (std::uint64_t bits = 0; bits < (std::uint64_t(1) << 32);) {
        xs.clear();
        for (; xs.size() < (1u << 16) && bits < (std::uint64_t(1) << 32); bits += stride) {
            const auto b = static_cast<std::uint32_t>(bits);
            float x;
            std::memcpy(&x, &b, sizeof x);
            xs.push_back(x);
        }
        const auto y = mtest::eval_block(s, xs);
        mism += mtest::mismatches(y, mtest::eval_scalar(s, xs));
        for (std::size_t i = 0; i < xs.size(); ++i) {
            const auto d = mtest::ulp_distance(y[i], sigmoid_ref(xs[i]));
            if (d > worst) worst = d, worst_x = xs[i];
        }
    }
    MESSAGE("exact sigmoid: max " << worst << " ULP at x = " << worst_x);
    CHECK(worst <= 4);
    CHECK(mism == 0);
    CHECK(s(-std::numeric_limits<float>::infinity()) == 0.0f);
    CHECK(s(std::numeric_limits<float>::infinity()) == 1.0f);
    CHECK(std::isnan(s(std::nanf(""))));
}

TEST_CASE("fast and NAM sigmoids") {
    const math::Sigmoid<math::Fast> f;
    const math::Sigmoid<math::NamCompat> n;
    const math::Fasttanh ft;
    double worst_fast = 0.0;
    const auto xs = mtest::test_inputs(-40.0f, 40.0f, 1.0f / 1024.0f);
    const auto y = mtest::eval_block(f, xs);
    CHECK(mtest::mismatches(y, mtest::eval_scalar(f, xs)) == 0);
    for (std::size_t i = 0; i < xs.size(); ++i) worst_fast = std::max(worst_fast, mtest::abs_error(y[i], sigmoid_ref(xs[i])));
    MESSAGE("fast sigmoid: max abs error " << worst_fast);
    CHECK(worst_fast <= 5e-7);
    CHECK(f(-16.0f) == 0.0f);
    CHECK(f(16.0f) == 1.0f);
    CHECK(std::isfinite(f(std::nanf(""))));
    for (float x = -10.0f; x <= 10.0f; x += 0.125f) CHECK(n(x) == 0.5f * (ft(0.5f * x) + 1.0f));
}

TEST_CASE("SiLU is x·sigmoid(x) in every tier, with a defined limit at −inf") {
    const math::SiLU<> s;
    std::int64_t worst = 0;
    for (float x = -120.0f; x <= 120.0f; x += 1.0f / 128.0f) {
        const LD X = x;
        worst = std::max(worst, mtest::ulp_distance(s(x), X / (1.0L + std::exp(-X))));
    }
    MESSAGE("exact SiLU: max " << worst << " ULP");
    CHECK(worst <= 4);
    CHECK(s(-std::numeric_limits<float>::infinity()) == 0.0f);
    CHECK(s(std::numeric_limits<float>::infinity()) == std::numeric_limits<float>::infinity());
    CHECK(std::isnan(s(std::nanf(""))));
    const math::SiLU<math::Fast> sf;
    double worst_fast = 0.0;
    for (float x = -40.0f; x <= 40.0f; x += 1.0f / 256.0f) {
        const LD X = x;
        worst_fast = std::max(worst_fast, mtest::abs_error(sf(x), X / (1.0L + std::exp(-X))) / std::max(1.0, std::fabs(double(x))));
    }
    CHECK(worst_fast <= 5e-7);
    CHECK(sf(-1e30f) == 0.0f);
    CHECK(s(-100.0) == doctest::Approx(-100.0 * std::exp(-100.0)).epsilon(1e-14));  // double keeps the tail
}

TEST_CASE("sigmoid antiderivative is softplus (central differences, double)") {
    const math::Sigmoid<> s;
    const double h = 1e-5;
    double worst = 0.0;
    for (double x = -50.0; x <= 50.0; x += 0.01) {
        const double d = (s.antiderivative(x + h) - s.antiderivative(x - h)) / (2 * h);
        worst = std::max(worst, std::fabs(d - 1.0 / (1.0 + std::exp(-x))));
    }
    CHECK(worst < 1e-8);
    CHECK(s.antiderivative(0.0) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
    CHECK(s.antiderivative(-800.0) == 0.0);
}
