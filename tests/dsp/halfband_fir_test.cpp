// Claims about include/nofold/dsp/halfband_fir.hpp:
// - the folded polyphase 2x up/down samplers equal a naive full convolution with the whole
//   impulse response (centre 1/2, zeros included) in double, on the zero-stuffed input
//   (upsampler, gain 2) or the full-rate input kept at odd phases (downsampler);
// - latency (2J-1)/2 and (2J-2)/2 follow from that alignment;
// - random block splits (n = 0 included) equal one call; no allocation.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include <nofold/dsp/halfband_fir.hpp>

#include "support/alloc_counter.hpp"
#include "support/blocks.hpp"
#include "support/signals.hpp"

namespace dsp = nofold::dsp;
namespace test = nofold::test;

namespace {
template <std::size_t J>
std::vector<double> naive_fir(const std::array<double, J>& g, const std::vector<double>& x) {
    const int centre = 2 * static_cast<int>(J) - 1;
    std::vector<double> h(static_cast<std::size_t>(2 * centre + 1), 0.0);
    h[centre] = 0.5;
    for (std::size_t j = 1; j <= J; ++j) h[centre + 2 * j - 1] = h[centre - 2 * j + 1] = g[j - 1];
    std::vector<double> y(x.size(), 0.0);
    for (std::size_t n = 0; n < x.size(); ++n)
        for (std::size_t k = 0; k < h.size() && k <= n; ++k) y[n] += h[k] * x[n - k];
    return y;
}
}  // namespace

TEST_CASE("FIR 2x upsampler equals 2h convolved with the zero-stuffed input") {
    constexpr auto g = dsp::fir_halfband_kaiser<9>(90.0);
    const int n = 300;  // several internal chunks
    const auto x = test::uniform_noise(n, 5);
    std::vector<float> y(2 * n);
    dsp::FIRUpsampler2x<9> up(g);
    up.process(x.data(), y.data(), n);
    std::vector<double> stuffed(2 * n, 0.0);
    for (int i = 0; i < n; ++i) stuffed[2 * i] = 2.0 * x[i];
    const auto ref = naive_fir(g, stuffed);
    double err = 0;
    for (int i = 0; i < 2 * n; ++i) err = std::max(err, std::abs(y[i] - ref[i]));
    CHECK(err < 2e-6);
    CHECK(up.latency_samples() == 8.5);
}

TEST_CASE("FIR 2x downsampler equals h convolved at the full rate, kept at odd phases") {
    constexpr auto g = dsp::fir_halfband_kaiser<13>(100.0);
    const int n = 300;
    const auto x = test::uniform_noise(2 * n, 6);
    std::vector<float> y(n);
    dsp::FIRDownsampler2x<13> down(g);
    down.process(x.data(), y.data(), n);
    const auto ref = naive_fir(g, std::vector<double>(x.begin(), x.end()));
    double err = 0;
    for (int i = 0; i < n; ++i) err = std::max(err, std::abs(y[i] - ref[2 * i + 1]));
    CHECK(err < 2e-6);
}

TEST_CASE("FIR stages: random block splits (n = 0 included) equal one call, without allocating") {
    constexpr auto g = dsp::fir_halfband_kaiser<21>(110.0);
    const int n = 1000;
    const auto x = test::uniform_noise(2 * n, 7);
    dsp::FIRUpsampler2x<21> up_a(g), up_b(g);
    dsp::FIRDownsampler2x<21> down_a(g), down_b(g);
    std::vector<float> ua(2 * n), ub(2 * n), da(n), db(n);
    up_a.process(x.data(), ua.data(), n);
    down_a.process(x.data(), da.data(), n);
    std::mt19937 rng(8);
    nofold::test::AllocationScope scope;
    test::random_blocks(n, 150, rng, [&](int pos, int m) {
        up_b.process(x.data() + pos, ub.data() + 2 * pos, m);
        down_b.process(x.data() + 2 * pos, db.data() + pos, m);
    });
    up_b.reset();
    CHECK(scope.allocations() == 0);
    CHECK(ua == ub);
    CHECK(da == db);
}
