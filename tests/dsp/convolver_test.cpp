// Claims about include/nofold/dsp/convolver.hpp, against a direct convolution in double precision
// (y[t] = Σ h[τ]·x[t−τ], a plain loop):
// - for random responses of 1 to 24 000 taps (lengths at and around the partition boundaries: the
//   block, twice the tail partition, and one tap either side), both latency modes and head blocks
//   of 8 and 64, the error energy is ≤ −120 dB of the reference's, over random host block splits that
//   include 0 and 1 samples;
// - zero-latency mode has latency 0 (output t holds input t), one-block mode exactly `block`;
// - the 500 ms response at 48 kHz, block 64, uses a tail level;
// - any block split gives the same bits as one call; reset() restarts the stream bit for bit;
//   non-finite input is read as 0;
// - process and reset do not allocate; bad settings and bad responses are refused.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include <nofold/dsp/convolver.hpp>

#include "support/alloc_counter.hpp"

namespace dsp = nofold::dsp;

namespace {

std::vector<float> noise(int n, unsigned seed, float decay_samples = 0.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        v[static_cast<std::size_t>(i)] = g(rng) * (decay_samples > 0 ? std::exp(-static_cast<float>(i) / decay_samples) : 1.0f);
    return v;
}

// Error of y against the double-precision direct convolution, in dB of the reference energy,
// evaluated at every `stride`-th output (shifted by `latency`).
double error_db(const std::vector<float>& h, const std::vector<float>& x, const std::vector<float>& y, int latency,
                int stride) {
    double err = 0, ref = 0;
    for (std::size_t t = static_cast<std::size_t>(latency); t < y.size(); t += static_cast<std::size_t>(stride)) {
        const std::size_t s = t - static_cast<std::size_t>(latency);
        double acc = 0;
        for (std::size_t k = 0; k < h.size() && k <= s; ++k) acc += static_cast<double>(h[k]) * x[s - k];
        err += (y[t] - acc) * (y[t] - acc);
        ref += acc * acc;
    }
    return 10.0 * std::log10(err / ref);
}

// Runs x through c in random host blocks of 0 … max_block samples (0 and 1 included).
std::vector<float> run_split(dsp::Convolver& c, const std::vector<float>& x, unsigned seed, int max_block) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> len(0, max_block);
    std::vector<float> y(x.size());
    const int n = static_cast<int>(x.size());
    for (int done = 0; done < n;) {
        int m = std::min(n - done, len(rng));
        if (rng() % 7 == 0) m = std::min(n - done, 1);
        c.process(x.data() + done, y.data() + done, m);
        done += m;
    }
    return y;
}

}  // namespace

TEST_CASE("Convolver: random responses, both modes, random block splits, against direct convolution") {
    const int block_sizes[] = {8, 64};
    for (int block : block_sizes) {
        for (int length : {1, 5, block - 1, block, block + 1, 3 * block, 1000, 4 * block * 2 - 1, 4 * block * 2 + 1, 5000}) {
            for (auto mode : {dsp::ConvolverLatency::zero, dsp::ConvolverLatency::one_block}) {
                const auto h = noise(length, static_cast<unsigned>(length + block), length / 4.0f);
                const auto x = noise(length + 3000, 99u);
                dsp::Convolver c(h.data(), length, {block, mode});
                const int latency = mode == dsp::ConvolverLatency::zero ? 0 : block;
                CHECK(c.latency() == latency);
                const auto y = run_split(c, x, static_cast<unsigned>(length), 3 * block);
                INFO("block " << block << ", length " << length << ", one_block " << (latency != 0) << ", tail "
                              << c.tail_partition() << " x " << c.tail_partitions());
                CHECK(error_db(h, x, y, latency, 1) <= -120.0);
            }
        }
    }
}

TEST_CASE("Convolver: 500 ms at 48 kHz, block 64, has a tail level and stays below -120 dB") {
    const int length = 24000;
    const auto h = noise(length, 5u, 6000.0f);
    const auto x = noise(40000, 6u);
    for (auto mode : {dsp::ConvolverLatency::zero, dsp::ConvolverLatency::one_block}) {
        dsp::Convolver c(h.data(), length, {64, mode});
        CHECK(c.tail_partitions() > 0);
        const auto y = run_split(c, x, 11u, 200);
        INFO("tail partition " << c.tail_partition() << " x " << c.tail_partitions() << ", head " << c.head_partitions());
        CHECK(error_db(h, x, y, c.latency(), 13) <= -120.0);
    }
}

TEST_CASE("Convolver: impulse in gives the response out, reset restarts bit for bit, NaN reads as 0") {
    const auto h = noise(700, 3u, 200.0f);
    dsp::Convolver c(h.data(), 700, {16, dsp::ConvolverLatency::zero});
    std::vector<float> x(1500, 0.0f), y(1500), y2(1500);
    x[0] = 1.0f;
    c.process(x.data(), y.data(), 1500);
    for (int i = 0; i < 700; ++i) CHECK(std::fabs(y[static_cast<std::size_t>(i)] - h[static_cast<std::size_t>(i)]) < 1e-6f);
    for (int i = 700; i < 1500; ++i) CHECK(std::fabs(y[static_cast<std::size_t>(i)]) < 1e-6f);
    c.reset();
    x[3] = std::numeric_limits<float>::quiet_NaN();
    x[4] = std::numeric_limits<float>::infinity();
    c.process(x.data(), y2.data(), 1500);
    CHECK(y == y2);
}

TEST_CASE("Convolver: process and reset do not allocate") {
    const auto h = noise(24000, 1u, 6000.0f);
    dsp::Convolver c(h.data(), 24000, {64, dsp::ConvolverLatency::zero});
    std::vector<float> x = noise(10000, 2u), y(10000);
    nofold::test::AllocationScope scope;
    for (int done = 0; done < 10000; done += 100) c.process(x.data() + done, y.data() + done, 100);
    c.process(x.data(), y.data(), 0);
    c.reset();
    CHECK(scope.allocations() == 0);
}

TEST_CASE("Convolver: bad blocks and bad responses are refused") {
    const float h[3] = {1.0f, std::numeric_limits<float>::quiet_NaN(), 0.0f};
    const float ok[1] = {1.0f};
    const auto make = [](const float* ir, int n, dsp::ConvolverSettings settings) { dsp::Convolver c(ir, n, settings); };
    CHECK_THROWS_AS(make(h, 3, {}), std::invalid_argument);
    CHECK_THROWS_AS(make(ok, 0, {}), std::invalid_argument);
    CHECK_THROWS_AS(make(nullptr, 1, {}), std::invalid_argument);
    for (int b : {0, 4, 48, 8192}) CHECK_THROWS_AS(make(ok, 1, {b, dsp::ConvolverLatency::zero}), std::invalid_argument);
}

TEST_CASE("Convolver: any block split gives the same bits as one call") {
    const auto h = noise(5000, 8u, 1000.0f);
    const auto x = noise(12000, 9u);
    for (auto mode : {dsp::ConvolverLatency::zero, dsp::ConvolverLatency::one_block}) {
        dsp::Convolver whole(h.data(), 5000, {64, mode}), split(h.data(), 5000, {64, mode});
        std::vector<float> y(x.size());
        whole.process(x.data(), y.data(), static_cast<int>(x.size()));
        CHECK(run_split(split, x, 21u, 150) == y);
    }
}
