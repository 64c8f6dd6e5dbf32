// Claims about include/nofold/dsp/iir_halfband_design.hpp:
// - the designer reproduces the published coefficient test vectors (docs/oversampling.md §1) to 1e-6;
// - the constexpr designer equals a long-double evaluation of the same closed forms with <cmath>;
// - the response, evaluated densely in long double by the test itself, meets the attenuation the
//   designer promises in the stopband and has passband ripple ≈ δs²/2 (power complementarity);
// - the DC phase delay formula matches the measured phase slope of that response.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <complex>

#include <nofold/dsp/iir_halfband_design.hpp>

namespace dsp = nofold::dsp;

namespace {
using cld = std::complex<long double>;
constexpr long double pi_l = 3.141592653589793238462643383279502884L;

// Reference: H(e^{jw}) = 1/2 [A0(e^{2jw}) + e^{-jw} A1(e^{2jw})], straight from the definition.
template <std::size_t N>
cld response_ld(const std::array<double, N>& c, long double f) {
    const cld z1 = std::polar(1.0L, -2 * pi_l * f);
    const cld z2 = z1 * z1;
    cld a0 = 1.0L, a1 = z1;
    for (std::size_t i = 0; i < N; ++i) {
        const long double a = c[i];
        const cld s = (a + z2) / (1.0L + a * z2);
        if (i % 2 == 0) a0 *= s; else a1 *= s;
    }
    return 0.5L * (a0 + a1);
}

// Reference: the closed forms of docs/oversampling.md §1, written again in long double with <cmath>.
template <int N>
std::array<long double, N> coefs_ld(long double tbw) {
    const long double t = std::tan((1 - 2 * tbw) * pi_l / 4);
    const long double k = t * t;
    const long double kp = std::pow(1 - k * k, 0.25L);
    const long double e = 0.5L * (1 - kp) / (1 + kp);
    const long double q = e + 2 * std::pow(e, 5.0L) + 15 * std::pow(e, 9.0L) + 150 * std::pow(e, 13.0L);
    const int order = 2 * N + 1;
    std::array<long double, N> out{};
    for (int i = 0; i < N; ++i) {
        const int c = i + 1;
        long double num = 0, den = 0.5L;
        for (int m = 0; m < 20; ++m)
            num += ((m % 2) ? -1 : 1) * std::pow(q, (long double)(m * (m + 1))) * std::sin((2 * m + 1) * c * pi_l / order);
        num *= std::pow(q, 0.25L);
        for (int m = 1; m < 20; ++m)
            den += ((m % 2) ? -1 : 1) * std::pow(q, (long double)(m * m)) * std::cos(2 * m * c * pi_l / order);
        const long double w = num / den, w2 = w * w;
        const long double x = std::sqrt((1 - w2 * k) * (1 - w2 / k)) / (1 + w2);
        out[i] = (1 - x) / (1 + x);
    }
    return out;
}

template <std::size_t N>
void check_response(const std::array<double, N>& c, double tbw, double atten_db) {
    const long double stop = 0.25L + tbw / 2, pass = 0.25L - tbw / 2;
    long double worst_stop = -1000, worst_pass = 0;
    const int points = 20000;
    for (int i = 0; i <= points; ++i) {
        const long double fs = stop + (0.5L - stop) * i / points;
        worst_stop = std::max(worst_stop, 20 * std::log10(std::abs(response_ld(c, fs))));
        const long double fp = pass * i / points;
        worst_pass = std::max(worst_pass, std::abs(20 * std::log10(std::abs(response_ld(c, fp)))));
    }
    MESSAGE("N=" << N << " tbw=" << tbw << ": stopband max " << (double)worst_stop << " dB (designed -" << atten_db
                 << "), passband ripple " << (double)worst_pass << " dB");
    CHECK(worst_stop <= -atten_db + 0.01);
    // Power complementarity: |H|^2 = 1 - |stopband leakage|^2 in the passband, ripple ≈ δs²/2.
    const long double ds = std::pow(10.0L, -atten_db / 20);
    CHECK(worst_pass <= 20 * std::log10(1 + ds * ds) + 1e-12L);
}
}  // namespace

TEST_CASE("IIR half-band: spec test vectors to 1e-6") {
    constexpr auto c8 = dsp::iir_halfband_coefs<8>(0.04);  // constexpr: designed at compile time
    const double expect8[8] = {0.040633, 0.150505, 0.300757, 0.460775, 0.609524, 0.738504, 0.849224, 0.949743};
    for (int i = 0; i < 8; ++i) CHECK(std::abs(c8[i] - expect8[i]) <= 1e-6);
    CHECK(std::abs(dsp::iir_halfband_attenuation_db(8, 0.04) - 99.3) < 0.05);

    const auto c2 = dsp::iir_halfband_coefs<2>(0.255);
    CHECK(std::abs(c2[0] - 0.136457) <= 1e-6);
    CHECK(std::abs(c2[1] - 0.582148) <= 1e-6);
    CHECK(std::abs(dsp::iir_halfband_attenuation_db(2, 0.255) - 63.2) < 0.05);
}

TEST_CASE("IIR half-band: spec attenuation examples and coefficient counts") {
    CHECK(std::abs(dsp::iir_halfband_attenuation_db(8, 0.01) - 69.0) < 0.5);
    CHECK(std::abs(dsp::iir_halfband_attenuation_db(12, 0.01) - 104.5) < 0.5);
    CHECK(std::abs(dsp::iir_halfband_attenuation_db(6, 0.1375) - 120.0) < 1.5);
    // The count is the smallest that reaches the target.
    for (double tbw : {0.01, 0.04, 0.05, 0.1, 0.1375, 0.3}) {
        for (double a : {60.0, 90.0, 100.0, 120.0}) {
            const int n = dsp::iir_halfband_coef_count(tbw, a);
            CHECK(dsp::iir_halfband_attenuation_db(n, tbw) >= a);
            if (n > 1) CHECK(dsp::iir_halfband_attenuation_db(n - 1, tbw) < a);
        }
    }
    static_assert(dsp::iir_halfband_coef_count(0.04, 99.0) == 8);
}

TEST_CASE("IIR half-band: constexpr designer equals a long-double <cmath> evaluation") {
    // At tbw = 0.01, k is within 3 % of 1 and 1 - w^2/k cancels: double keeps ~1e-10 there.
    const auto a = dsp::iir_halfband_coefs<12>(0.01);
    const auto b = coefs_ld<12>(0.01L);
    for (int i = 0; i < 12; ++i) CHECK(std::abs(a[i] - (double)b[i]) <= 1e-10);
    const auto c = dsp::iir_halfband_coefs<5>(0.1);
    const auto d = coefs_ld<5>(0.1L);
    for (int i = 0; i < 5; ++i) CHECK(std::abs(c[i] - (double)d[i]) <= 1e-13);
}

TEST_CASE("IIR half-band: measured response meets the designed attenuation and ripple") {
    check_response(dsp::iir_halfband_coefs<8>(0.04), 0.04, dsp::iir_halfband_attenuation_db(8, 0.04));
    check_response(dsp::iir_halfband_coefs<2>(0.255), 0.255, dsp::iir_halfband_attenuation_db(2, 0.255));
    check_response(dsp::iir_halfband_coefs<12>(0.01), 0.01, dsp::iir_halfband_attenuation_db(12, 0.01));
    check_response(dsp::iir_halfband_coefs<6>(0.1375), 0.1375, dsp::iir_halfband_attenuation_db(6, 0.1375));
    // The response helper of the library agrees with the test's own evaluation.
    const auto c = dsp::iir_halfband_coefs<8>(0.04);
    for (double f : {0.0, 0.1, 0.2, 0.26, 0.4}) {
        CHECK(std::abs(dsp::iir_halfband_response(c, f) - std::complex<double>(response_ld(c, f))) < 1e-12);
    }
}

TEST_CASE("IIR half-band: DC phase delay matches the measured phase slope") {
    const auto c = dsp::iir_halfband_coefs<8>(0.04);
    const long double f = 1e-7L;
    const long double measured = -std::arg(response_ld(c, f)) / (2 * pi_l * f);
    CHECK(std::abs(dsp::iir_halfband_dc_delay(c) - (double)measured) < 1e-6);
    CHECK(std::abs(dsp::iir_halfband_group_delay(c, 1e-4) - (double)measured) < 1e-3);
}
