// Claims about include/nofold/dsp/resampler.hpp and resampled_model.hpp, measured on sines at
// multiples of 100 Hz (the steady-state output then repeats every 10 ms, so a DFT of one averaged
// period holds every image and alias exactly on its 100 Hz bins; reference: the ideal converter,
// whose output is the tone alone):
// - 44.1 -> 48 kHz and 48 -> 44.1 kHz: every other bin up to 16 kHz is >= 100 dB below the tone,
//   and the tone's gain is within 0.01 dB of 1;
// - latency below 1 ms, and equal to the measured phase delay of a 100 Hz tone;
// - after N inputs exactly ceil(N·out/in) outputs exist, whatever the block split; no allocation;
// - ResampledModel (host 44.1 kHz, model at 48 kHz, and the reverse) returns n samples per call,
//   keeps the same rejection over the round trip and stays below 1 ms.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <memory>
#include <random>
#include <vector>

#include <nofold/dsp/resampled_model.hpp>
#include <nofold/dsp/resampler.hpp>

#include "support/alloc_counter.hpp"
#include "support/blocks.hpp"
#include "support/signals.hpp"
#include "support/simple_model.hpp"

namespace dsp = nofold::dsp;

namespace {
constexpr long double pi_l = 3.141592653589793238462643383279502884L;

// hz cycles per second at `rate`, amplitude 0.5.
std::vector<float> tone(int rate, int hz, int n) { return nofold::test::bin_sine(static_cast<std::size_t>(n), hz, rate, 0.5L); }

struct Spectrum {
    double tone_db;       // gain of the tone
    double worst_db;      // worst other bin in (0, 16 kHz], relative to the tone
    double phase_delay_s;  // of the tone
};

// y at `rate`, periodic with rate/100 samples after `settle`; tone at `hz` with amplitude 0.5.
Spectrum analyse(const std::vector<float>& y, int rate, int hz, int settle) {
    const int period = rate / 100;
    const int periods = (static_cast<int>(y.size()) - settle) / period;
    std::vector<long double> avg(static_cast<std::size_t>(period), 0.0L);
    for (int p = 0; p < periods; ++p)
        for (int i = 0; i < period; ++i) avg[i] += y[settle + p * period + i] / (long double)periods;
    auto bin = [&](int j) {
        std::complex<long double> s = 0;
        for (int i = 0; i < period; ++i) s += avg[i] * std::polar(1.0L, -2 * pi_l * (long double)((long long)j * i % period) / period);
        return s * (2.0L / period);
    };
    const auto t = bin(hz / 100);
    double worst = -400;
    for (int j = 1; j * 100 <= 16000; ++j) {
        if (j == hz / 100) continue;
        worst = std::max(worst, (double)(20 * std::log10(std::abs(bin(j)) / std::abs(t) + 1e-30L)));
    }
    // Phase of sin(2 pi f (n + settle)/rate) delayed by d: arg = -pi/2 + 2 pi f (settle - d)/rate.
    long double ph = std::arg(t) + pi_l / 2 - 2 * pi_l * hz * (long double)settle / rate;
    ph = std::remainder(ph, 2 * pi_l);
    return {(double)(20 * std::log10(std::abs(t) / 0.5L)), worst, (double)(-ph / (2 * pi_l * hz))};
}

void check_direction(int in_rate, int out_rate) {
    double worst = -400, worst_gain = 0;
    for (int hz : {100, 1000, 5000, 9900, 15000, 16000}) {
        dsp::Resampler r(in_rate, out_rate);
        const int n = in_rate / 2;
        const auto x = tone(in_rate, hz, n);
        std::vector<float> y(r.max_output(n));
        y.resize(r.process(x.data(), n, y.data()));
        const auto s = analyse(y, out_rate, hz, out_rate / 20);
        worst = std::max(worst, s.worst_db);
        worst_gain = std::max(worst_gain, std::abs(s.tone_db));
        if (hz == 100) CHECK(std::abs(s.phase_delay_s - r.latency_seconds()) * out_rate < 0.01);
    }
    dsp::Resampler r(in_rate, out_rate);
    MESSAGE(in_rate << " -> " << out_rate << " Hz: worst bin <= 16 kHz " << worst << " dB, gain error " << worst_gain
                    << " dB, latency " << r.latency_seconds() * 1e3 << " ms, " << r.phases() << " phases x "
                    << r.taps_per_phase() << " taps");
    CHECK(worst <= -100.0);
    CHECK(worst_gain < 0.01);
    CHECK(r.latency_seconds() < 0.5e-3);
}

/// The identity at the model's rate (with the Model interface).
class Identity final : public nofold::test::SimpleModel {
public:
    void process(const float* in, float* out, int n) noexcept override {
        for (int i = 0; i < n; ++i) out[i] = in[i];
    }
};
}  // namespace

TEST_CASE("Resampler 44.1 -> 48 kHz: >= 100 dB image rejection to 16 kHz, < 1 ms") { check_direction(44100, 48000); }
TEST_CASE("Resampler 48 -> 44.1 kHz: >= 100 dB alias rejection to 16 kHz, < 1 ms") { check_direction(48000, 44100); }
TEST_CASE("Resampler 96 -> 48 kHz and 48 -> 96 kHz") {
    check_direction(96000, 48000);
    check_direction(48000, 96000);
}

TEST_CASE("Resampler: output counts, block splits and allocation") {
    std::mt19937 rng(5);  // draws the signal, then every block length
    const int n = 5000;
    const std::vector<float> x = nofold::test::uniform_noise(n, rng);
    for (auto [a, b] : {std::pair{44100, 48000}, std::pair{48000, 44100}}) {
        dsp::Resampler one(a, b), split(a, b);
        std::vector<float> y1(one.max_output(n)), y2(one.max_output(n) + 64);
        y1.resize(one.process(x.data(), n, y1.data()));
        CHECK((long long)y1.size() == ((long long)n * b + a - 1) / a);
        int got = 0;
        nofold::test::AllocationScope scope;
        nofold::test::random_blocks(n, 300, rng, [&](int pos, int m) {
            const int w = split.process(x.data() + pos, m, y2.data() + got);
            CHECK(w <= split.max_output(m));
            got += w;
        });
        split.reset();
        CHECK(scope.allocations() == 0);
        y2.resize(got);
        CHECK(y1 == y2);
    }
    CHECK_THROWS_AS(dsp::Resampler(44100, 44101), std::invalid_argument);
    CHECK_THROWS_AS(dsp::Resampler(0, 48000), std::invalid_argument);
}

TEST_CASE("ResampledModel: host 44.1 kHz / model 48 kHz and the reverse, round trip") {
    for (auto [host, model] : {std::pair{44100, 48000}, std::pair{48000, 44100}}) {
        dsp::ResampledModel m(std::make_unique<Identity>(), host, model);
        double worst = -400, worst_gain = 0;
        for (int hz : {100, 3000, 12000, 16000}) {
            m.reset();
            const int n = host / 2;
            const auto x = tone(host, hz, n);
            std::vector<float> y(n);
            std::mt19937 rng(hz);
            nofold::test::AllocationScope scope;
            nofold::test::random_blocks(n, 700, rng, [&](int pos, int k) { m.process(x.data() + pos, y.data() + pos, k); });
            CHECK(scope.allocations() == 0);
            const auto s = analyse(y, host, hz, host / 20);
            worst = std::max(worst, s.worst_db);
            worst_gain = std::max(worst_gain, std::abs(s.tone_db));
            if (hz == 100) CHECK(std::abs(s.phase_delay_s - m.latency_seconds()) * host < 0.02);
        }
        MESSAGE("host " << host << " / model " << model << " Hz round trip: worst bin <= 16 kHz " << worst
                        << " dB, gain error " << worst_gain << " dB, latency " << m.latency_seconds() * 1e3 << " ms");
        CHECK(worst <= -100.0);
        CHECK(worst_gain < 0.02);
        CHECK(m.latency_seconds() < 1e-3);
    }
}
