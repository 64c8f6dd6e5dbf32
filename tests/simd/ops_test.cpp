// Claims about include/nofold/simd: the chosen batch matches the compiler flags, and every shim gives
// the same answer lane by lane as its scalar twin (the scalar versions are the reference here, checked
// against std:: functions in double).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include <nofold/simd/simd.hpp>

namespace simd = nofold::simd;
using V = simd::float_batch;
constexpr int W = simd::lanes<V>;

namespace {
std::array<float, W> to_array(const V& v) {
    std::array<float, W> out{};
    simd::store(out.data(), v);
    return out;
}
// A spread of lanes with ordinary, tiny, huge, negative and non-finite values.
std::array<float, 16> sample_values() {
    return {0.0f, -0.0f, 1.5f, -2.25f, 1e-30f, -1e30f, 3.0f, 0.49999997f,
            2.5f, -2.5f,  7.0f, 1e-40f,  -7.75f, 123.0f, 0.5f, -0.5f};
}
}  // namespace

TEST_CASE("the build picks the SIMD width its flags allow") {
    MESSAGE("arch: " << simd::arch_name << ", float lanes: " << W);
#ifdef NOFOLD_NO_SIMD
    CHECK(W == 1);
    CHECK(std::string(simd::arch_name) == "scalar");
#elif defined(__AVX512F__) && NOFOLD_SIMD_MAX_BITS >= 512
    CHECK(W == 16);
#elif defined(__AVX2__) && NOFOLD_SIMD_MAX_BITS >= 256
    CHECK(W == 8);
#else
    CHECK(W == 4);
#endif
    CHECK(sizeof(V) == W * sizeof(float));
}

TEST_CASE("load/store round trip, aligned and unaligned") {
    alignas(64) float in[32];
    for (int i = 0; i < 32; ++i) in[i] = static_cast<float>(i) * 0.5f;
    const V a = simd::load_aligned<V>(in);
    const V u = simd::load<V>(in + 1);
    alignas(64) float out[32] = {};
    simd::store_aligned(out, a);
    simd::store(out + W, u);
    for (int i = 0; i < W; ++i) {
        CHECK(out[i] == in[i]);
        CHECK(out[W + i] == in[i + 1]);
    }
}

TEST_CASE("element-wise shims agree with their scalar twins in every lane") {
    const auto values = sample_values();
    for (int offset = 0; offset + W <= 16; offset += W) {
        const V x = simd::load<V>(values.data() + offset);
        const V y = simd::load<V>(values.data() + (16 - W - offset));
        const auto fx = to_array(simd::abs(x));
        const auto mn = to_array(simd::min(x, y));
        const auto mx = to_array(simd::max(x, y));
        const auto fm = to_array(simd::fma(x, y, x));
        const auto fl = to_array(simd::floor(x));
        const auto rn = to_array(simd::round_even(x));
        const auto sq = to_array(simd::sqrt(simd::abs(x)));
        const auto sel = to_array(simd::select(x > y, x, y));
        const auto cl = to_array(simd::clamp(x, -1.0f, 1.0f));
        for (int i = 0; i < W; ++i) {
            const float a = values[offset + i];
            const float b = values[16 - W - offset + i];
            CHECK(fx[i] == std::fabs(a));
            CHECK(mn[i] == simd::min(a, b));
            CHECK(mx[i] == simd::max(a, b));
            const float fma_ref = std::fma(a, b, a);
            if (std::isinf(fma_ref)) {
                CHECK(fm[i] == fma_ref);
            } else {
                CHECK(fm[i] == doctest::Approx(fma_ref).epsilon(1e-6));
            }
            CHECK(fl[i] == std::floor(a));
            CHECK(rn[i] == std::nearbyint(a));
            CHECK(sq[i] == std::sqrt(std::fabs(a)));
            CHECK(sel[i] == (a > b ? a : b));
            CHECK(cl[i] == std::fmin(std::fmax(a, -1.0f), 1.0f));
        }
    }
}

TEST_CASE("round_even rounds ties to even") {
    CHECK(simd::round_even(2.5f) == 2.0f);
    CHECK(simd::round_even(3.5f) == 4.0f);
    CHECK(simd::round_even(-2.5f) == -2.0f);
    const auto r = to_array(simd::round_even(simd::broadcast<V>(2.5f)));
    for (float v : r) CHECK(v == 2.0f);
}

TEST_CASE("reduce_add sums every lane") {
    alignas(64) float in[16];
    for (int i = 0; i < 16; ++i) in[i] = static_cast<float>(i + 1);
    const float sum = simd::reduce_add(simd::load<V>(in));
    CHECK(sum == static_cast<float>(W * (W + 1) / 2));
}

TEST_CASE("bit casts are exact and invertible") {
    const auto values = sample_values();
    const V x = simd::load<V>(values.data());
    const auto bits = simd::bit_cast_to_integer(x);
    alignas(64) std::int32_t ints[16];
    simd::store(ints, bits);
    for (int i = 0; i < W; ++i) {
        std::int32_t expected;
        std::memcpy(&expected, &values[i], 4);
        CHECK(ints[i] == expected);
    }
    const auto back = to_array(simd::bit_cast_to_float(bits));
    for (int i = 0; i < W; ++i) CHECK(std::memcmp(&back[i], &values[i], 4) == 0);
}

TEST_CASE("integer conversions truncate towards zero and come back exactly") {
    float values[32] = {};
    const auto sample = sample_values();
    std::copy(sample.begin() + 2, sample.end(), values);  // 1.5, -2.25, tiny, -1e30 ...
    const V x = simd::load<V>(values);
    const V small = simd::clamp(x, -1000.0f, 1000.0f);
    const auto i = simd::convert_to_integer(small);
    const auto f = to_array(simd::convert_to_float(i));
    const auto s = to_array(small);
    for (int k = 0; k < W; ++k) CHECK(f[k] == std::trunc(s[k]));
}

TEST_CASE("non-finite inputs are detected and zeroed") {
    const float inf = std::numeric_limits<float>::infinity();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    alignas(64) float in[16] = {1.0f, inf, -inf, nan, -3.0f, 1e38f, -0.0f, 5.0f,
                                nan,  2.0f, inf, 0.0f, 7.0f,  -nan, 1e-45f, 9.0f};
    const auto z = to_array(simd::zero_if_not_finite(simd::load<V>(in)));
    for (int i = 0; i < W; ++i) {
        const float expected = std::isfinite(in[i]) ? in[i] : 0.0f;
        CHECK(z[i] == expected);
        CHECK(simd::zero_if_not_finite(in[i]) == expected);
    }
}

TEST_CASE("batch division and sqrt are correctly rounded, like scalar float") {
    // xsimd 8 on AArch64 used estimates for both (nofold specialises them in simd/arch.hpp).
    std::uint32_t state = 12345u;
    const auto next = [&state] {  // random finite positive float: exponent in [-60, 60)
        state = state * 1664525u + 1013904223u;
        const float mantissa = 1.0f + static_cast<float>(state >> 9) * 0x1p-23f;
        state = state * 1664525u + 1013904223u;
        return std::ldexp(mantissa, static_cast<int>(state >> 25) - 60);
    };
    int wrong_div = 0, wrong_sqrt = 0;
    for (int n = 0; n < 20000; ++n) {
        std::array<float, W> a{}, b{};
        for (int k = 0; k < W; ++k) {
            a[static_cast<std::size_t>(k)] = (k % 2 ? -1.0f : 1.0f) * next();
            b[static_cast<std::size_t>(k)] = next();
        }
        const auto q = to_array(simd::load<V>(a.data()) / simd::load<V>(b.data()));
        const auto r = to_array(simd::sqrt(simd::load<V>(b.data())));
        for (std::size_t k = 0; k < static_cast<std::size_t>(W); ++k) {
            // float division and sqrt are correctly rounded in double then rounded to float (double
            // has more than 2·24 + 2 bits, so the double rounding is harmless)
            wrong_div += q[k] != static_cast<float>(static_cast<double>(a[k]) / static_cast<double>(b[k]));
            wrong_sqrt += r[k] != static_cast<float>(std::sqrt(static_cast<double>(b[k])));
        }
    }
    CHECK(wrong_div == 0);
    CHECK(wrong_sqrt == 0);
    const auto inf = to_array(simd::sqrt(simd::broadcast<V>(std::numeric_limits<float>::infinity())));
    for (float v : inf) CHECK(v == std::numeric_limits<float>::infinity());
}

TEST_CASE("rsqrt is full precision") {
    for (float v : {0.25f, 2.0f, 1e-20f, 3e30f}) {
        const auto r = to_array(simd::rsqrt(simd::broadcast<V>(v)));
        const double truth = 1.0 / std::sqrt(static_cast<double>(v));
        for (float got : r) CHECK(got == doctest::Approx(truth).epsilon(2e-7));
    }
}

TEST_CASE("fma is fused (one rounding) where the hardware has fused multiply-add") {
    // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 exactly; in float the product alone rounds the 2^-24 away.
    const float a = 1.0f + std::ldexp(1.0f, -12);
    const float c = -(1.0f + std::ldexp(1.0f, -11));
    // scalar simd::fma is fused exactly when the batches are (simd::fused_multiply_add), so that scalar
    // tails round like lanes; unfused, the product rounds to 1 + 2^-11 (a tie, to even) and the sum is 0
    CHECK(simd::fma(a, a, c) == (simd::fused_multiply_add ? std::ldexp(1.0f, -24) : 0.0f));
#if defined(__FMA__) || defined(__aarch64__)
    const auto fused = to_array(simd::fma(simd::broadcast<V>(a), simd::broadcast<V>(a), simd::broadcast<V>(c)));
    for (float v : fused) CHECK(v == std::ldexp(1.0f, -24));
#else
    MESSAGE("no hardware FMA in this build: batch fma may round twice");
#endif
}
