// Tests for include/nofold/analysis/asr.hpp: synthetic outputs built from sines of known amplitude
// at known bins, whose ASR is known analytically (a bin-exact sine of amplitude a puts energy
// (a N / 2)^2 in its bin, so ASR = sum of alias a^2 / sum of harmonic a^2).
#include <nofold/analysis/asr.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace {

using nofold::analysis::asr;

struct Line {
    std::size_t bin;  // may exceed N/2: then it is sampled as the folded frequency, as aliasing is
    double amplitude;
    double phase;
};

// x[n] = sum a cos(2 pi k n / N + phase), with k n reduced modulo N exactly (long double).
std::vector<double> lines(std::size_t n, const std::vector<Line>& ls, double dc = 0.0) {
    const long double pi = 3.141592653589793238462643383279502884L;
    std::vector<double> x(n, dc);
    for (std::size_t i = 0; i < n; ++i)
        for (const auto& l : ls)
            x[i] += l.amplitude * static_cast<double>(std::cos(2.0L * pi * static_cast<long double>((l.bin * i) % n) / n + l.phase));
    return x;
}

}  // namespace

TEST_CASE("asr of harmonics plus an injected alias of known power is exact to 0.01 dB (prime N = 48017)") {
    const std::size_t n = 48017, k0 = 1249;
    // Harmonics 1, 2, 3, 5, 7 and 19 (all below Nyquist: 19 * 1249 = 23731 <= 24008).
    const std::vector<Line> harmonics = {{k0, 0.5, 0.1},     {2 * k0, 0.1, 1.0},   {3 * k0, 0.05, -0.3},
                                         {5 * k0, 0.01, 2.0}, {7 * k0, 0.003, 0.7}, {19 * k0, 1e-4, 0.0}};
    double harmonic_power = 0;
    for (const auto& h : harmonics) harmonic_power += h.amplitude * h.amplitude;
    // Aliases: harmonic 23 folds to 48017 - 23*1249 = 19290, harmonic 30 to 37470 - 48017 < 0 ...:
    // sampled directly from the unfolded frequency; plus one arbitrary non-harmonic bin.
    for (double alias_amp : {1e-2, 1e-4, 1e-6}) {
        CAPTURE(alias_amp);
        std::vector<Line> all = harmonics;
        all.push_back({23 * k0, alias_amp, 0.4});
        all.push_back({30 * k0, alias_amp * 0.5, -1.2});
        all.push_back({777, alias_amp * 0.25, 0.0});
        const double alias_power = alias_amp * alias_amp * (1.0 + 0.25 + 0.0625);
        const auto y = lines(n, all, 0.3);  // DC is excluded from both sums
        const auto r = asr(y, k0);
        const double truth_db = 10.0 * std::log10(alias_power / harmonic_power);
        CHECK(std::fabs(r.db - truth_db) < 0.01);
        CHECK(r.linear == doctest::Approx(alias_power / harmonic_power).epsilon(1e-6));
        CHECK(r.harmonic_count == 19);  // m = 1 ... 19 (m*k0 <= 24008)
        const double bin_energy = static_cast<double>(n) * static_cast<double>(n) / 4.0;
        CHECK(r.harmonic_energy == doctest::Approx(harmonic_power * bin_energy).epsilon(1e-9));
    }
}

TEST_CASE("asr of a pure bin-exact sine is below -240 dB or exactly 0") {
    const std::size_t n = 48017, k0 = 1249;
    const auto y = lines(n, {{k0, 0.5, -1.5707963267948966}});
    const auto r = asr(y, k0);
    CHECK((r.linear == 0.0 || r.db < -240.0));
}

TEST_CASE("asr accepts N a power of two with odd k0 and is exact there too") {
    const std::size_t n = 8192, k0 = 301;
    const auto y = lines(n, {{k0, 1.0, 0.0}, {3 * k0, 0.2, 0.0}, {5 * k0, 0.1, 0.0}, {1000, 0.01, 0.0}});
    const auto r = asr(y, k0);
    CHECK(r.db == doctest::Approx(10.0 * std::log10(1e-4 / 1.05)).epsilon(1e-9));
}

TEST_CASE("asr rejects bins that are not coprime with N or out of range") {
    std::vector<double> y(8192, 0.0);
    CHECK_THROWS_AS(asr(y, 300), std::invalid_argument);   // even k0 with N = 2^13
    CHECK_THROWS_AS(asr(y, 0), std::invalid_argument);
    CHECK_THROWS_AS(asr(y, 4097), std::invalid_argument);  // above (N-1)/2
    std::vector<double> tiny(2, 0.0);
    CHECK_THROWS_AS(asr(tiny, 1), std::invalid_argument);
}

TEST_CASE("asr reuses a caller plan and reports 0 for silence (0/0) and +inf for aliasing without signal") {
    const std::size_t n = 1031;  // prime
    nofold::analysis::Fft plan(n);
    std::vector<double> silence(n, 0.0);
    const auto r0 = nofold::analysis::asr(plan, silence.data(), 10);
    CHECK(r0.linear == 0.0);
    const auto alias_only = lines(n, {{11, 0.1, 0.0}});
    const auto r1 = nofold::analysis::asr(plan, alias_only.data(), 10);
    // The harmonic bins hold only rounding residue (~1e-28), so the ratio is huge, not exactly inf.
    CHECK(r1.db > 200.0);
    CHECK(nofold::analysis::Ratio::of_energies(1.0, 0.0).linear == std::numeric_limits<double>::infinity());
    CHECK(nofold::analysis::Ratio::of_energies(0.0, 0.0).linear == 0.0);
    CHECK(nofold::analysis::Ratio::of_energies(0.0, 0.0).db == -std::numeric_limits<double>::infinity());
    CHECK(nofold::analysis::Ratio::of_energies(1.0, 100.0).db == doctest::Approx(-20.0));
}
