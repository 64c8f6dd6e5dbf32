// Tests for include/nofold/analysis/tone_test.hpp: the measurement core driven by plain callables.
// References: a naive long-double DFT of the same system's output (ASR), and block-size invariance.
#include <nofold/analysis/tone_test.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

namespace {

using ld = long double;
const ld pi_l = 3.141592653589793238462643383279502884L;

// ASR by a direct long-double DFT: harmonic bins m k0 <= (N-1)/2, everything else aliasing.
double naive_asr_db(const std::vector<double>& y, std::size_t k0) {
    const std::size_t n = y.size();
    std::vector<ld> c(n), s(n);
    for (std::size_t i = 0; i < n; ++i) {
        c[i] = std::cos(2 * pi_l * i / n);
        s[i] = std::sin(2 * pi_l * i / n);
    }
    ld eh = 0, ea = 0;
    for (std::size_t k = 1; k <= (n - 1) / 2; ++k) {
        ld re = 0, im = 0;
        for (std::size_t i = 0; i < n; ++i) {
            re += y[i] * c[(k * i) % n];
            im -= y[i] * s[(k * i) % n];
        }
        (k % k0 == 0 ? eh : ea) += re * re + im * im;
    }
    return static_cast<double>(10 * std::log10(ea / eh));
}

}  // namespace

TEST_CASE("measure_tone on tanh(10 x) at a prime rate matches a naive long-double DFT ASR") {
    nofold::analysis::ToneTest test;
    test.sample_rate_hz = 4001;  // prime
    test.f0_hz = 101;
    test.settle_seconds = 0.5;
    auto tanh10 = [](const float* in, float* out, int n) {
        for (int i = 0; i < n; ++i) out[i] = std::tanh(10.0f * in[i]);
    };
    nofold::analysis::SineAnalyzer analyzer(test.analysed_samples(), test.sample_rate_hz);
    const auto r = nofold::analysis::measure_tone(tanh10, test, analyzer);
    REQUIRE(r.asr.has_value());
    CHECK(r.output.size() == 4001);
    CHECK(r.asr->db == doctest::Approx(naive_asr_db(r.output, 101)).epsilon(1e-9));
    CHECK(r.asr->db > -60.0);  // tanh(10 x) at -6 dBFS aliases strongly
    // The time-domain variant reads a little above the DFT ASR (window; docs/metrics.md §4 says 0.1-0.7 dB).
    MESSAGE("ASR " << r.asr->db << " dB, time-domain ASR " << r.sine.asr_time.db << " dB");
    CHECK(std::fabs(r.sine.asr_time.db - r.asr->db) < 1.0);
}

TEST_CASE("run_tone gives identical output for any block size (stateful system)") {
    nofold::analysis::ToneTest test;
    test.sample_rate_hz = 8000;
    test.f0_hz = 440;
    test.settle_seconds = 0.3;
    test.analysed_seconds = 0.25;
    std::vector<double> first;
    for (std::size_t block : {1u, 37u, 64u, 4096u, 100000u}) {
        double state = 0.0;
        auto system = [&state](const float* in, float* out, int n) {
            for (int i = 0; i < n; ++i) {
                state = 0.9 * state + 0.1 * std::tanh(3.0 * in[i]);
                out[i] = static_cast<float>(state);
            }
        };
        test.block_frames = block;
        const auto y = nofold::analysis::run_tone(system, test);
        REQUIRE(y.size() == 2000);
        if (first.empty()) first = y;
        CHECK(y == first);
    }
}

TEST_CASE("a linear system has ASR at the float input's quantisation floor; bin-exactness rules") {
    nofold::analysis::ToneTest test;  // defaults: 1249 Hz at 48017 Hz, -6 dBFS, 2 s settle
    CHECK(nofold::analysis::tone_is_bin_exact(test));
    double state = 0.0;
    auto lowpass = [&state](const float* in, float* out, int n) {
        for (int i = 0; i < n; ++i) {
            state = 0.5 * state + 0.5 * in[i];
            out[i] = static_cast<float>(state);
        }
    };
    nofold::analysis::SineAnalyzer analyzer(test.analysed_samples(), test.sample_rate_hz);
    const auto r = nofold::analysis::measure_tone(lowpass, test, analyzer);
    REQUIRE(r.asr.has_value());
    CHECK(r.asr->db < -120.0);  // float rounding of input and output only (~ -140 dB)
    nofold::analysis::ToneTest other = test;
    other.f0_hz = 1249.5;
    CHECK_FALSE(nofold::analysis::tone_is_bin_exact(other));
    other.f0_hz = 1000;
    other.sample_rate_hz = 48000;  // gcd(1000, 48000) != 1
    CHECK_FALSE(nofold::analysis::tone_is_bin_exact(other));
}
