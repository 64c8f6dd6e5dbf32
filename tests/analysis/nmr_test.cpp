// Tests for include/nofold/analysis/nmr.hpp and the cross-checks of docs/metrics.md §6. The reference is a second,
// naive implementation of docs/metrics.md §5 written here in long double (direct DFT, spreading summed
// term by term with pow as the text states); the tanh figures are the published ones (docs/metrics.md §6).
#include <nofold/analysis/bs1387_bands.hpp>
#include <nofold/analysis/nmr.hpp>
#include <nofold/analysis/signals.hpp>
#include <nofold/analysis/sine_metrics.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/shared_data.hpp"

namespace {

using ld = long double;
const ld pi_l = 3.141592653589793238462643383279502884L;

// docs/metrics.md §5, step by step, bits = 64.
double naive_nmr(const std::vector<double>& s, const std::vector<double>& r, double fs) {
    const int n = 2048, hop = 1024, z = 109;
    const ld df = fs / n;
    std::vector<ld> hann(n), cos_t(n), sin_t(n);
    for (int i = 0; i < n; ++i) {
        hann[i] = 0.5L * (1 - std::cos(2 * pi_l * i / (n - 1)));
        cos_t[i] = std::cos(2 * pi_l * i / n);
        sin_t[i] = std::sin(2 * pi_l * i / n);
    }
    const ld f_fs = 1019.5L / fs;
    const ld delta = std::fabs(f_fs - std::round(f_fs * n) / n);
    const ld dd = (n - 1) * delta;
    const ld gp = std::sin(pi_l * dd) / (pi_l * dd * (1 - dd * dd));
    const ld a_max = std::ldexp(1.0L, 63);
    const ld gl = std::pow(10.0L, 92.0L / 20) / (gp * (a_max / 4) * (n - 1));
    auto weight = [&](int k) -> ld {
        if (k == 0) return 0;
        const ld f = k * df / 1000;
        const ld a = -2.184L * std::pow(f, -0.8L) + 6.5L * std::exp(-0.6L * (f - 3.3L) * (f - 3.3L)) - 0.001L * std::pow(f, 3.6L);
        return std::pow(10.0L, a / 20);
    };
    auto spectrum = [&](const std::vector<double>& x, int start) {
        std::vector<ld> mag(n / 2 + 1);
        for (int k = 0; k <= n / 2; ++k) {
            ld re = 0, im = 0;
            for (int i = 0; i < n; ++i) {
                const ld v = x[start + i] * a_max * gl * hann[i];
                const int idx = static_cast<int>((static_cast<long>(k) * i) % n);
                re += v * cos_t[idx];
                im -= v * sin_t[idx];
            }
            mag[k] = weight(k) * std::sqrt(re * re + im * im);
        }
        return mag;
    };
    const ld dz = 0.25L, e = 0.4L;
    auto spread = [&](const std::vector<ld>& en) {
        const ld al = std::pow(10.0L, -2.7L * dz);
        std::vector<ld> au(z), eh(z), out(z);
        for (int m = 0; m < z; ++m) {
            au[m] = std::pow(10.0L, (-2.4L - 23.0L / nofold::analysis::bs1387_bands[m].center_hz) * dz) * std::pow(en[m], 0.2L * dz);
            const ld glm = (1 - std::pow(al, m + 1)) / (1 - al);
            const ld gum = (1 - std::pow(au[m], z - m)) / (1 - au[m]);
            eh[m] = en[m] / (glm + gum - 1);
        }
        for (int i = 0; i < z; ++i) {
            ld sum = 0;
            for (int m = i; m < z; ++m) sum += std::pow(std::pow(al, m - i) * eh[m], e);
            for (int m = 0; m < i; ++m) sum += std::pow(std::pow(au[m], i - m) * eh[m], e);
            out[i] = std::pow(sum, 1 / e);
        }
        return out;
    };
    const auto flat = spread(std::vector<ld>(z, 1.0L));
    const int frames = (static_cast<int>(s.size()) - n) / hop + 1;
    ld total = 0;
    for (int f = 0; f < frames; ++f) {
        const auto ms = spectrum(s, f * hop), mr = spectrum(r, f * hop);
        std::vector<ld> eb(z, 0), rb(z, 0);
        for (int i = 0; i < z; ++i) {
            const auto& band = nofold::analysis::bs1387_bands[i];
            for (int k = 0; k <= n / 2; ++k) {
                const ld u = std::max(0.0L, std::min<ld>(band.upper_hz, (k + 0.5L) * df) - std::max<ld>(band.lower_hz, (k - 0.5L) * df)) / df;
                eb[i] += u * (ms[k] - mr[k]) * (ms[k] - mr[k]);
                rb[i] += u * mr[k] * mr[k];
            }
            eb[i] = std::max(eb[i], 1e-12L);
            rb[i] = std::max(rb[i], 1e-12L) + std::pow(10.0L, 1.456L * std::pow(band.center_hz / 1000.0L, -0.8L) / 10);
        }
        const auto es = spread(rb);
        for (int i = 0; i < z; ++i) {
            const ld mdb = i <= 48 ? 3.0L : 0.25L * i * dz;
            total += eb[i] / (std::pow(10.0L, -mdb / 10) * es[i] / flat[i]);
        }
    }
    return static_cast<double>(total / (frames * z));
}

}  // namespace

TEST_CASE("NmrAnalyzer agrees with a naive long-double implementation of docs/metrics.md §5 to 1e-9") {
    std::mt19937 rng(5);
    std::normal_distribution<double> d(0, 1);
    for (double fs : {48000.0, 44100.0}) {
        CAPTURE(fs);
        const std::size_t len = 4096;  // 3 frames
        auto r = nofold::analysis::sine(997.0, fs, 0.3, len);
        std::vector<double> s(len);
        for (std::size_t i = 0; i < len; ++i) {
            r[i] += 0.01 * d(rng);
            s[i] = r[i] + 1e-3 * d(rng) + 0.02 * std::tanh(5 * r[i]);
        }
        nofold::analysis::NmrAnalyzer nmr(fs);
        const double truth = naive_nmr(s, r, fs);
        CHECK(nmr.measure(s, r).linear == doctest::Approx(truth).epsilon(1e-9));
    }
}

TEST_CASE("NMR of a signal against itself is negligible, and grows 20 dB per 10x error") {
    const auto r = nofold::analysis::sine(440.0, 48000, 0.5, 48000);
    nofold::analysis::NmrAnalyzer nmr(48000);
    CHECK(nmr.measure(r, r).db < -100.0);
    std::mt19937 rng(9);
    std::normal_distribution<double> d(0, 1);
    std::vector<double> noise(r.size()), s1(r.size()), s2(r.size());
    for (auto& v : noise) v = d(rng);
    for (std::size_t i = 0; i < r.size(); ++i) {
        s1[i] = r[i] + 1e-3 * noise[i];
        s2[i] = r[i] + 1e-2 * noise[i];
    }
    // Error spectrum = (|S| - |R|)^2: for small noise it scales with the noise power (not exactly:
    // the magnitude difference is a projection), so allow 0.5 dB.
    CHECK(std::fabs(nmr.measure(s2, r).db - nmr.measure(s1, r).db - 20.0) < 0.5);
}

TEST_CASE("embedded BS.1387 band table equals ../shared/specs/bs1387_bands.csv" *
          doctest::skip(nofold::test::shared_dir().empty())) {
    std::ifstream csv(nofold::test::shared_dir() / "specs" / "bs1387_bands.csv");
    REQUIRE(csv.good());
    std::string line;
    std::getline(csv, line);  // header
    std::size_t rows = 0;
    while (std::getline(csv, line)) {
        if (line.empty()) continue;
        std::stringstream ss(line);
        std::string cell;
        std::vector<double> v;
        while (std::getline(ss, cell, ',')) v.push_back(std::stod(cell));
        REQUIRE(v.size() == 4);
        const auto i = static_cast<std::size_t>(v[0]);
        REQUIRE(i < 109);
        CHECK(nofold::analysis::bs1387_bands[i].lower_hz == v[1]);
        CHECK(nofold::analysis::bs1387_bands[i].center_hz == v[2]);
        CHECK(nofold::analysis::bs1387_bands[i].upper_hz == v[3]);
        ++rows;
    }
    CHECK(rows == 109);
}

TEST_CASE("docs/metrics.md §6: tanh(10 sin) at 1245 Hz, 44.1 kHz: ASR-time ~ -33.3 dB, NMR-S ~ +14.9 dB") {
    const double fs = 44100, f0 = 1245;
    const auto x = nofold::analysis::sine(f0, fs, 1.0, 44100);
    std::vector<double> y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = std::tanh(10 * x[i]);
    nofold::analysis::SineAnalyzer analyzer(44100, fs);
    const auto m = analyzer.measure(y.data(), f0);
    MESSAGE("ASR-time " << m.asr_time.db << " dB, NMR-S " << m.nmr_s.db << " dB");
    CHECK(m.asr_time.db == doctest::Approx(-33.3).epsilon(0.1 / 33.3));  // +-0.1 dB
    CHECK(m.nmr_s.db == doctest::Approx(14.9).epsilon(0.1 / 14.9));
}

namespace {

ld bessel_i0(ld x) {
    ld sum = 1, term = 1;
    for (int k = 1; k < 200; ++k) {
        term *= (x / (2 * k)) * (x / (2 * k));
        sum += term;
        if (term < sum * 1e-21L) break;
    }
    return sum;
}

}  // namespace

TEST_CASE("docs/metrics.md §6: 16x oversampled tanh (>= 100 dB filters, pass band to 0.45 fs) lowers ASR by > 60 dB") {
    const double fs = 44100, f0 = 1245;
    const int factor = 16;
    const std::size_t n = 44100;
    // Decimation filter at 16 fs: Kaiser-windowed sinc, pass band edge 0.45 fs, stop band from 0.5 fs,
    // 110 dB design (Kaiser's formulas); 2401 taps. Upsampling is ideal: a pure tone is evaluated
    // directly at the high rate.
    const int taps = 2401, half = taps / 2;
    const ld fc = 0.475L / factor, att = 110, beta = 0.1102L * (att - 8.7L);
    std::vector<double> h(taps);
    ld sum = 0;
    for (int k = 0; k < taps; ++k) {
        const ld t = k - half;
        const ld sinc = t == 0 ? 2 * fc : std::sin(2 * pi_l * fc * t) / (pi_l * t);
        const ld r = t / half;
        const ld v = sinc * bessel_i0(beta * std::sqrt(std::max(0.0L, 1 - r * r))) / bessel_i0(beta);
        h[k] = static_cast<double>(v);
        sum += v;
    }
    for (auto& v : h) v = static_cast<double>(v / sum);
    // y16(j) = tanh(10 sin(2 pi f0 j / (16 fs))) for j in [-half, 16 n + half).
    std::vector<double> y16(static_cast<std::size_t>(factor) * n + 2 * half);
    for (std::size_t i = 0; i < y16.size(); ++i) {
        const long long j = static_cast<long long>(i) - half;
        const long long turns = ((static_cast<long long>(f0) * j) % (factor * 44100LL) + factor * 44100LL) % (factor * 44100LL);
        y16[i] = std::tanh(10.0 * std::sin(2.0 * M_PI * static_cast<double>(turns) / (factor * fs)));
    }
    std::vector<double> y(n), plain(n);
    for (std::size_t i = 0; i < n; ++i) {
        double acc = 0;
        const std::size_t centre = static_cast<std::size_t>(factor) * i + half;  // index of j = 16 i
        for (int k = 0; k < taps; ++k) acc += h[k] * y16[centre + half - k];
        y[i] = acc;
        plain[i] = y16[centre];
    }
    nofold::analysis::SineAnalyzer analyzer(n, fs);
    const double before = analyzer.measure(plain.data(), f0).asr_time.db;
    const double after = analyzer.measure(y.data(), f0).asr_time.db;
    MESSAGE("ASR-time plain " << before << " dB, 16x oversampled " << after << " dB");
    CHECK(before - after > 60.0);
}
