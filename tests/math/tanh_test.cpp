// Claims about include/nofold/math/tanh.hpp. References: long double tanhl (and the series x − x³/3 for
// |x| < 2^-12, exact to far below a float ULP); NAM's Fasttanh formula evaluated in long double.
#include <doctest/doctest.h>

#include "support/sweep.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include <nofold/math/sigmoid.hpp>
#include <nofold/math/tanh.hpp>

#include "reference.hpp"

namespace math = nofold::math;
using mtest::LD;

namespace {
LD tanh_ref(float xf) {
    const LD x = xf;
    if (std::fabs(x) < 0x1p-12L) return x - x * x * x / 3.0L;
    if (std::fabs(x) > 40.0L) return x > 0 ? 1.0L : -1.0L;
    return std::tanh(x);
}

struct Sweep {
    std::int64_t max_ulp = 0;
    float worst_x = 0.0f;
    std::size_t simd_scalar_mismatches = 0;
};

// Every `stride`-th float bit pattern (both signs, NaNs included), through the SIMD block path and the
// scalar path; ULP distance against the correctly rounded reference.
template <class P, class Ref>
Sweep sweep_bit_patterns(const P& policy, Ref ref, std::uint32_t stride) {
    Sweep s;
    std::vector<float> xs;
    xs.reserve(1 << 16);
    std::uint64_t bits = 0;
    while (bits < (std::uint64_t(1) << 32)) {
        xs.clear();
        for (; xs.size() < (1u << 16) && bits < (std::uint64_t(1) << 32); bits += stride) {
            const std::uint32_t b = static_cast<std::uint32_t>(bits);
            float x;
            std::memcpy(&x, &b, sizeof x);
            xs.push_back(x);
        }
        const auto block = mtest::eval_block(policy, xs);
        const auto scalar = mtest::eval_scalar(policy, xs);
        s.simd_scalar_mismatches += mtest::mismatches(block, scalar);
        for (std::size_t i = 0; i < xs.size(); ++i) {
            const std::int64_t d = mtest::ulp_distance(block[i], ref(xs[i]));
            if (d > s.max_ulp) s.max_ulp = d, s.worst_x = xs[i];
        }
    }
    return s;
}
}  // namespace

TEST_CASE("exact tanh is within 4 ULP of the correctly rounded value on every 64th float") {
    const Sweep s = sweep_bit_patterns(math::Tanh<math::Exact>{}, tanh_ref, nofold::test::sweep_stride(64));
    MESSAGE("exact tanh: max " << s.max_ulp << " ULP at x = " << s.worst_x);
    CHECK(s.max_ulp <= 4);
    CHECK(s.simd_scalar_mismatches == 0);
}

TEST_CASE("exact tanh: edge cases") {
    const math::Tanh<> t;
    CHECK(std::isnan(t(std::nanf(""))));
    CHECK(t(std::numeric_limits<float>::infinity()) == 1.0f);
    CHECK(t(-std::numeric_limits<float>::infinity()) == -1.0f);
    CHECK(t(1e30f) == 1.0f);
    CHECK(t(-1e30f) == -1.0f);
    const float den = std::numeric_limits<float>::denorm_min();
    CHECK(t(den) == den);
    CHECK(t(-den) == -den);
    CHECK(std::signbit(t(-0.0f)));
    CHECK(t(0.0f) == 0.0f);
}

TEST_CASE("exact tanh in double: within 4 double ULP of long double tanhl on a dense grid") {
    const math::Tanh<> t;
    double worst = 0.0;
    for (double x = -25.0; x <= 25.0; x += 1.0 / 4096.0 + 1e-9) {
        const LD r = std::tanh(static_cast<LD>(x));
        const double ulp = std::nextafter(std::fabs(static_cast<double>(r)), HUGE_VAL) - std::fabs(static_cast<double>(r));
        worst = std::max(worst, static_cast<double>(std::fabs(static_cast<LD>(t(x)) - r)) / ulp);
    }
    for (double x : {1e-300, -1e-300, 1e-10, 3e-5}) CHECK(t(x) == doctest::Approx(std::tanh(x)).epsilon(1e-15));
    MESSAGE("exact tanh (double): max " << worst << " ULP");
    CHECK(worst <= 4.0);
}

TEST_CASE("fast tanh: max abs error below 1e-6, clamped, exactly ±1 beyond the clamp") {
    const math::Tanh<math::Fast> t;
    const auto xs = mtest::test_inputs(-20.0f, 20.0f, 1.0f / 4096.0f);
    const auto y = mtest::eval_block(t, xs);
    CHECK(mtest::mismatches(y, mtest::eval_scalar(t, xs)) == 0);
    double worst = 0.0;
    for (std::size_t i = 0; i < xs.size(); ++i) worst = std::max(worst, mtest::abs_error(y[i], tanh_ref(xs[i])));
    MESSAGE("fast tanh: max abs error " << worst);
    CHECK(worst <= 1e-6);
    CHECK(t(8.0f) == 1.0f);
    CHECK(t(-8.0f) == -1.0f);
    CHECK(t(1e30f) == 1.0f);
    CHECK(t(std::numeric_limits<float>::infinity()) == 1.0f);
    CHECK(t(-std::numeric_limits<float>::infinity()) == -1.0f);
    CHECK(std::isfinite(t(std::nanf(""))));
    for (float x : xs) CHECK_MESSAGE(std::fabs(t(x)) <= 1.0f, "x = " << x);
}

TEST_CASE("NamCompat tanh is NAM's Fasttanh formula, max error about 4.4e-4 against tanh") {
    const math::Tanh<math::NamCompat> t;
    const math::Fasttanh f;
    double worst_formula = 0.0, worst_tanh = 0.0;
    for (float x = -8.0f; x <= 8.0f; x += 1.0f / 512.0f) {
        const LD X = x, a = std::fabs(X);
        const LD ref = X * (2.45550750702956L + 2.45550750702956L * a + (0.893229853513558L + 0.821226666969744L * a) * X * X) /
                       (2.44506634652299L + (2.44506634652299L + X * X) * std::fabs(X + 0.814642734961073L * X * a));
        CHECK(t(x) == f(x));
        worst_formula = std::max(worst_formula, static_cast<double>(std::fabs(static_cast<LD>(f(x)) - ref) / (std::fabs(ref) + 1e-30L)));
        worst_tanh = std::max(worst_tanh, mtest::abs_error(f(x), std::tanh(X)));
    }
    MESSAGE("Fasttanh: rel error vs formula " << worst_formula << ", abs error vs tanh " << worst_tanh);
    CHECK(worst_formula < 4e-7);
    CHECK(worst_tanh < 5e-4);
    CHECK(worst_tanh > 3e-4);  // it is the approximation, not tanh
}

TEST_CASE("NamCompat tanh and sigmoid round exactly like NAM's float formula without contraction") {
    // Reference: NAM's fast_tanh / fast_sigmoid (docs/model-formats.md §2.8) evaluated in float one operation at a
    // time, each result stored to a volatile so that no compiler setting can fuse a product into an addition (NAM
    // Core's renders were made with -ffp-contract=off). The library must match it bit for bit on the scalar and the
    // SIMD path whatever -ffp-contract this test was built with (GCC's default fuses with -mfma, from -O2 on: at
    // -O3 without the barriers 45% of these results differ; the suite's default -O1 does not fuse).
    const auto nam_tanh = [](float x) {
        volatile float a = std::fabs(x), x2 = x * x;
        volatile float ka = 2.45550750702956f * a, n1 = 2.45550750702956f + ka;
        volatile float ma = 0.821226666969744f * a, m = 0.893229853513558f + ma;
        volatile float mx2 = m * x2, inner_num = n1 + mx2, num = x * inner_num;
        volatile float xa = 0.814642734961073f * x, xaa = xa * a, s = x + xaa, inner = std::fabs(s);
        volatile float d1 = 2.44506634652299f + x2, d1i = d1 * inner, den = 2.44506634652299f + d1i;
        return num / den;
    };
    const auto nam_sigmoid = [&](float x) {
        volatile float t = nam_tanh(x * 0.5f), u = t + 1.0f;
        return 0.5f * u;
    };
    std::vector<float> xs;
    for (float x = -12.0f; x <= 12.0f; x += 1.0f / 1024.0f + 1e-7f) xs.push_back(x);
    for (float x : {1e-30f, -1e-30f, 1e-3f, 123.0f, -4567.0f, 1e15f}) xs.push_back(x);
    const math::Tanh<math::NamCompat> t;
    const math::Sigmoid<math::NamCompat> sg;
    const auto ty = mtest::eval_block(t, xs), ts = mtest::eval_scalar(t, xs);
    const auto sy = mtest::eval_block(sg, xs), ss = mtest::eval_scalar(sg, xs);
    // Scalar path: bit for bit everywhere. Block path: bit for bit where the batch division is IEEE's (x86);
    // mtest::mismatches applies the suite's documented tolerance for xsimd 8.1's NEON division.
    std::vector<float> rt(xs.size()), rs(xs.size());
    std::size_t tanh_diff = 0, sigmoid_diff = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        rt[i] = nam_tanh(xs[i]), rs[i] = nam_sigmoid(xs[i]);
        tanh_diff += std::memcmp(&ts[i], &rt[i], sizeof(float)) != 0;
        sigmoid_diff += std::memcmp(&ss[i], &rs[i], sizeof(float)) != 0;
    }
    tanh_diff += mtest::mismatches(ty, rt);
    sigmoid_diff += mtest::mismatches(sy, rs);
    MESSAGE("NamCompat vs uncontracted NAM formula: " << tanh_diff << " tanh, " << sigmoid_diff
            << " sigmoid results differ out of " << 2 * xs.size() << " each (block + scalar)");
    CHECK(tanh_diff == 0);
    CHECK(sigmoid_diff == 0);
}

TEST_CASE("CustomTanh(alpha) is tanh(x/alpha)") {
    for (float alpha : {0.1f, 1.0f, 1.8f, 32.0f}) {
        const math::CustomTanh<> t{alpha};
        std::int64_t worst = 0;
        for (float x = -40.0f; x <= 40.0f; x += 1.0f / 256.0f)
            worst = std::max(worst, mtest::ulp_distance(t(x), std::tanh(static_cast<LD>(x) / alpha)));
        MESSAGE("CustomTanh(" << alpha << "): max " << worst << " ULP");
        CHECK(worst <= 5);
        const math::CustomTanh<math::Fast> tf{alpha};
        double worst_fast = 0.0;
        for (float x = -40.0f; x <= 40.0f; x += 1.0f / 256.0f)
            worst_fast = std::max(worst_fast, mtest::abs_error(tf(x), std::tanh(static_cast<LD>(x) / alpha)));
        CHECK(worst_fast <= 1.2e-6);
    }
}

TEST_CASE("tanh antiderivatives: F1' = tanh and F2' = F1 by central differences (double)") {
    const math::Tanh<> t;
    const double h = 1e-5;
    double e1 = 0.0, e2 = 0.0;
    for (double x = -30.0; x <= 30.0; x += 0.01) {
        const double d1 = (t.antiderivative(x + h) - t.antiderivative(x - h)) / (2 * h);
        const double d2 = (t.antiderivative2(x + h) - t.antiderivative2(x - h)) / (2 * h);
        e1 = std::max(e1, std::fabs(d1 - std::tanh(x)));
        e2 = std::max(e2, std::fabs(d2 - t.antiderivative(x)) / (1.0 + std::fabs(t.antiderivative(x))));
    }
    MESSAGE("tanh F1' error " << e1 << ", F2' error " << e2);
    CHECK(e1 < 1e-8);
    CHECK(e2 < 1e-8);
    CHECK(t.antiderivative(0.0) == doctest::Approx(0.0));
    CHECK(t.antiderivative(3.0) == doctest::Approx(std::log(std::cosh(3.0))).epsilon(1e-14));
    CHECK(t.antiderivative2(0.0) == doctest::Approx(0.0).epsilon(1e-15));
    // F2 is odd and F2(x) → x²/2 − x ln 2 + π²/24 for large x.
    CHECK(t.antiderivative2(-5.0) == doctest::Approx(-t.antiderivative2(5.0)));
    CHECK(t.antiderivative2(30.0) == doctest::Approx(450.0 - 30.0 * std::log(2.0) + M_PI * M_PI / 24).epsilon(1e-14));
    const math::CustomTanh<> c{2.0f};
    CHECK((c.antiderivative(1.0 + h) - c.antiderivative(1.0 - h)) / (2 * h) == doctest::Approx(std::tanh(0.5)).epsilon(1e-8));
}
