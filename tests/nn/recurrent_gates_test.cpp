// Claims about the gate and cell functions of the recurrent kernel (nn/detail/recurrent_step.hpp) in
// the Exact tier, which follow NAM Core's default formulas (issue 17, 6: ½ + ½·tanh(x/2) gates left the
// shared LSTM at −109.4 dB from Core's render in the default build; tests/io/parity_test.cpp is the
// end-to-end check): recurrent_tanh within 3 ULP of tanh and sigmoid_of_half(x/2) within 3 ULP of
// 1/(1 + e^−x) (references: long double tanhl, expl), both for every input class, and the SIMD batch
// equal to the scalar path.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <nofold/nn/detail/recurrent_step.hpp>

#include "math/reference.hpp"

namespace {

using nofold::math::Exact;
using nofold::nn::detail::recurrent_tanh;
using nofold::nn::detail::sigmoid_of_half;
using V = nofold::simd::float_batch;
constexpr int lanes = nofold::simd::lanes<V>;

template <class F>
std::vector<float> through_batches(const std::vector<float>& xs, F&& f) {
    std::vector<float> out(xs.size());
    alignas(nofold::alignment) float in[lanes], res[lanes];
    for (std::size_t i = 0; i < xs.size(); i += lanes) {
        for (int l = 0; l < lanes; ++l) in[l] = i + l < xs.size() ? xs[i + l] : 0.0f;
        nofold::simd::store_aligned(res, f(nofold::simd::load_aligned<V>(in)));
        for (int l = 0; l < lanes && i + l < xs.size(); ++l) out[i + l] = res[l];
    }
    return out;
}

}  // namespace

TEST_CASE("recurrent gates, Exact tier: tanh and sigmoid within 3 ULP, batch equals scalar") {
    std::vector<float> xs = mtest::test_inputs(-30.0f, 30.0f, 1.0f / 1024.0f, 20000);
    xs.push_back(std::numeric_limits<float>::quiet_NaN());
    const auto tanh_b = through_batches(xs, [](const V& v) { return recurrent_tanh<Exact>(v); });
    const auto sig_b = through_batches(xs, [](const V& v) { return sigmoid_of_half<Exact>(v * V(0.5f)); });
    std::int64_t worst_tanh = 0, worst_sig = 0;
    double worst_sig_tiny = 0.0;
    int batch_mismatch = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const float x = xs[i];
        const float t = recurrent_tanh<Exact>(x);
        const float s = sigmoid_of_half<Exact>(0.5f * x);
        batch_mismatch += mtest::ordered(t) != mtest::ordered(tanh_b[i]) && !(std::isnan(t) && std::isnan(tanh_b[i]));
        batch_mismatch += mtest::ordered(s) != mtest::ordered(sig_b[i]) && !(std::isnan(s) && std::isnan(sig_b[i]));
        const mtest::LD lx = x;
        worst_tanh = std::max(worst_tanh, mtest::ulp_distance(t, std::tanh(lx)));
        const mtest::LD sr = std::isinf(x) ? (x > 0 ? 1.0L : 0.0L) : 1.0L / (1.0L + std::exp(-lx));
        if (std::isnan(x) || sr >= static_cast<mtest::LD>(std::numeric_limits<float>::min())) {
            worst_sig = std::max(worst_sig, mtest::ulp_distance(s, sr));
        } else {
            // below the normal range: e^−x overflows, as in 1/(1 + expf(−x)), and the gate is 0
            worst_sig_tiny = std::max(worst_sig_tiny, mtest::abs_error(s, sr));
        }
    }
    INFO("worst tanh " << worst_tanh << " ULP, sigmoid " << worst_sig << " ULP");
    CHECK(worst_tanh <= 3 + mtest::inexact_division_slack_ulp);
    CHECK(worst_sig <= 3 + mtest::inexact_division_slack_ulp);
    CHECK(worst_sig_tiny <= std::numeric_limits<float>::min());
    CHECK(batch_mismatch <= (mtest::simd_scalar_tolerance_ulp > 0 ? static_cast<int>(xs.size()) / 1000 : 0));
    // limits
    CHECK(recurrent_tanh<Exact>(std::numeric_limits<float>::infinity()) == 1.0f);
    CHECK(recurrent_tanh<Exact>(-std::numeric_limits<float>::infinity()) == -1.0f);
    CHECK(sigmoid_of_half<Exact>(std::numeric_limits<float>::infinity()) == 1.0f);
    CHECK(sigmoid_of_half<Exact>(-std::numeric_limits<float>::infinity()) == 0.0f);
    CHECK(std::isnan(recurrent_tanh<Exact>(std::numeric_limits<float>::quiet_NaN())));
}
