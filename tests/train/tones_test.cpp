// Tests for include/nofold/train/random.hpp and tones.hpp: reproducible, splittable random streams;
// the training-tone distribution (continuous MIDI 21...127, linear amplitude, uniform phase); tone
// rendering against a long-double formula; and the alias-free target, which must keep a known
// harmonic signal and drop an inharmonic component added to it.
#include <nofold/train/random.hpp>
#include <nofold/train/tones.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "support/signals.hpp"

namespace {
using ld = long double;
const ld pi_l = 3.141592653589793238462643383279502884L;
}  // namespace

TEST_CASE("Random: same seed and stream repeat, other streams differ, state round-trips, uniform on [0, 1)") {
    nofold::train::Random a(17), b(17), c(17, 1), d(18);
    std::set<std::uint64_t> firsts;
    for (int k = 0; k < 100; ++k) CHECK(a.next() == b.next());
    firsts.insert(nofold::train::Random(17, 0).next());
    for (std::uint64_t s = 1; s < 64; ++s) firsts.insert(nofold::train::Random(17, s).next());
    for (std::uint64_t s = 0; s < 64; ++s) firsts.insert(nofold::train::Random(s + 100, 0).next());
    CHECK(firsts.size() == 128);  // no two streams or seeds start alike
    CHECK(c.next() != d.next());
    const auto saved = a.state();
    const auto x = a.next();
    a.set_state(saved);
    CHECK(a.next() == x);
    nofold::train::Random r(5);
    double sum = 0, lo = 1, hi = 0;
    const int count = 200000;
    for (int k = 0; k < count; ++k) {
        const double u = r.uniform();
        sum += u;
        lo = std::min(lo, u);
        hi = std::max(hi, u);
    }
    CHECK(lo >= 0.0);
    CHECK(hi < 1.0);
    CHECK(sum / count == doctest::Approx(0.5).epsilon(0.005));  // 5 standard errors of the mean
}

TEST_CASE("training tones: MIDI uniform on [21, 127], f0 = 440 * 2^((l - 69) / 12), linear amplitude, uniform phase") {
    nofold::train::ToneSource source(2024);
    const int count = 40000;
    double note_sum = 0, note_sq = 0, amp_sum = 0, phase_sum = 0;
    for (int k = 0; k < count; ++k) {
        const auto t = source.next();
        CHECK(t.midi_note >= 21.0);
        CHECK(t.midi_note < 127.0);
        CHECK(t.f0_hz == doctest::Approx(440.0 * std::pow(2.0, (t.midi_note - 69.0) / 12.0)).epsilon(1e-14));
        CHECK(t.amplitude >= 0.0);
        CHECK(t.amplitude < 1.0);
        CHECK(t.phase >= 0.0);
        CHECK(t.phase < 2 * M_PI);
        note_sum += t.midi_note;
        note_sq += t.midi_note * t.midi_note;
        amp_sum += t.amplitude;
        phase_sum += t.phase;
    }
    const double mean = note_sum / count, var = note_sq / count - mean * mean;
    CHECK(mean == doctest::Approx(74.0).epsilon(0.01));
    CHECK(var == doctest::Approx(106.0 * 106.0 / 12.0).epsilon(0.03));
    CHECK(amp_sum / count == doctest::Approx(0.5).epsilon(0.01));
    CHECK(phase_sum / count == doctest::Approx(M_PI).epsilon(0.01));
    // Per-thread sources from one seed give different tones.
    CHECK(nofold::train::ToneSource(2024, 1).next().midi_note != nofold::train::ToneSource(2024, 2).next().midi_note);
}

TEST_CASE("validation tones: 88 notes 21 ... 108 at -20 dBFS, phase 0") {
    const auto v = nofold::train::validation_tones();
    REQUIRE(v.size() == 88);
    for (std::size_t i = 0; i < v.size(); ++i) {
        CHECK(v[i].midi_note == 21.0 + static_cast<double>(i));
        CHECK(v[i].amplitude == doctest::Approx(std::pow(10.0, -20.0 / 20.0)).epsilon(1e-15));
        CHECK(v[i].phase == 0.0);
    }
    CHECK(v[48].f0_hz == 440.0);  // A4
    CHECK(v[0].f0_hz == doctest::Approx(27.5).epsilon(1e-15));
    CHECK(v[87].f0_hz == doctest::Approx(4186.009044809578).epsilon(1e-14));  // C8
}

TEST_CASE("render_tone equals the long-double formula over 1.2 s; tone_length floors") {
    CHECK(nofold::train::tone_length(1.2, 44100) == 52920);
    CHECK(nofold::train::tone_length(1.05, 48000) == 50400);
    const nofold::train::Tone tone{100.3, 440.0 * std::pow(2.0, 31.3 / 12.0), 0.83, 4.1};
    const std::size_t len = nofold::train::tone_length(1.2, 48000);
    std::vector<double> x(len);
    std::vector<float> xf(len);
    nofold::train::render_tone(tone, 48000, x.data(), len);
    nofold::train::render_tone(tone, 48000, xf.data(), len);
    double worst = 0, worst_f = 0;
    for (std::size_t n = 0; n < len; ++n) {
        const ld ref = tone.amplitude * std::sin(2 * pi_l * static_cast<ld>(tone.f0_hz) * n / 48000 + static_cast<ld>(tone.phase));
        worst = std::max(worst, static_cast<double>(std::fabs(x[n] - ref)));
        worst_f = std::max(worst_f, static_cast<double>(std::fabs(xf[n] - ref)));
    }
    // The cycle count f0 n / fs (~15000 cycles at the end) is rounded once in double: ~1.6e-12 cycles.
    CHECK(worst < 3e-12);
    CHECK(worst_f < 6e-8);
}

TEST_CASE("alias-free target keeps the harmonics and DC of a response and drops an inharmonic tone") {
    const double fs = 48000, f0 = 1234.567;
    const std::size_t len = nofold::train::tone_length(1.2, fs);
    std::vector<double> clean(len), response(len);
    for (std::size_t n = 0; n < len; ++n) {
        double v = 0.05;  // DC; double is ample against the 1e-5 bound
        for (int m = 1; 2 * m * f0 < fs; ++m) {
            const double cycles = m * f0 * static_cast<double>(n) / fs;
            v += (0.5 / m) * std::cos(2 * M_PI * (cycles - std::floor(cycles)) + 0.3 * m);
        }
        clean[n] = v;
        response[n] = clean[n] + 0.01 * std::sin(2 * M_PI * 5432.1 * n / fs);  // an alias between harmonics 4 and 5
    }
    nofold::train::AliasFreeTarget target(fs);
    CHECK(target.size() == 48000);
    std::vector<double> t(target.size());
    target.make(response.data(), len, f0, t.data());
    double worst = 0;
    for (std::size_t n = 0; n < t.size(); ++n) worst = std::max(worst, std::fabs(t[n] - clean[len - t.size() + n]));
    MESSAGE("alias-free target: worst deviation from the harmonic part " << worst);
    CHECK(worst < 1e-5);  // the inharmonic tone is 1e-2; the 120 dB window leaves ~1e-6 of the harmonics
    std::vector<float> rf(response.begin(), response.end()), tf(target.size());
    target.make(rf.data(), len, f0, tf.data());
    double worst_f = 0;
    for (std::size_t n = 0; n < t.size(); ++n) worst_f = std::max(worst_f, std::fabs(tf[n] - clean[len - t.size() + n]));
    CHECK(worst_f < 2e-5);
    CHECK_THROWS_AS(target.make(response.data(), 47999, f0, t.data()), std::invalid_argument);
    CHECK_THROWS_AS(target.make(response.data(), len, 24000.0, t.data()), std::invalid_argument);
    CHECK_THROWS_AS(nofold::train::AliasFreeTarget(44100.5), std::invalid_argument);
}

TEST_CASE("render_phrase: repeatable for a random state, bounded by the largest peak, notes of the guitar's range") {
    const double fs = 48000.0;
    const std::size_t n = 57600;  // 1.2 s, a fine-tune item's length
    nofold::train::Random a(21, 1), b(21, 1), c(22, 1);
    std::vector<float> x(n), y(n), z(n);
    nofold::train::render_phrase(a, fs, x.data(), n);
    nofold::train::render_phrase(b, fs, y.data(), n);
    nofold::train::render_phrase(c, fs, z.data(), n);
    CHECK(x == y);
    CHECK(x != z);
    for (const auto* v : {&x, &z}) {
        double peak = 0.0, energy = 0.0;
        for (float s : *v) {
            peak = std::max(peak, static_cast<double>(std::fabs(s)));
            energy += static_cast<double>(s) * s;
        }
        CHECK(peak <= 0.7);                      // each note's burst peaks at its drawn peak, < 0.7
        CHECK(peak >= 0.05);
        CHECK(energy / static_cast<double>(n) > 1e-5);  // not silent: notes follow each other from sample 0
    }
    // The first note starts at sample 0: its burst (a period of noise) is there at once.
    double head = 0.0;
    for (std::size_t i = 0; i < 64; ++i) head = std::max(head, static_cast<double>(std::fabs(x[i])));
    CHECK(head > 0.0);
    // The first note's pitch lies in MIDI [40, 88): its waveform repeats with a period (the strongest
    // normalised autocorrelation lag over 40 ms) between fs / f(88) and fs / f(40) samples.
    const nofold::test::StrongestLag best = nofold::test::strongest_lag(x, 0, 4800, 20, 1000);
    const double f40 = 440.0 * std::pow(2.0, (40 - 69) / 12.0), f88 = 440.0 * std::pow(2.0, (88 - 69) / 12.0);
    CHECK(best.correlation > 0.9L);
    CHECK(static_cast<double>(best.lag) >= std::floor(fs / f88));
    CHECK(static_cast<double>(best.lag) <= std::ceil(fs / f40));
}
