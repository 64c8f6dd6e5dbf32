// Claims about include/nofold/dsp/halfband_iir.hpp:
// - the polyphase 2x up/down samplers equal a naive high-rate evaluation of
//   H(z) = 1/2 [A0(z^2) + z^-1 A1(z^2)] in double on the zero-stuffed (resp. full-rate) signal
//   (reference: direct-form sections at the high rate), to float precision;
//   for both forms (IIRForm::sections and IIRForm::block), N from 1 to 12;
// - the float_batch instantiation equals the float one lane by lane (bit-exact, sections form);
// - the block form on SIMD lanes equals the same block form evaluated one lane at a time
//   (IIRForm::block_scalar), bit-exact;
// - any block split, n = 0 included, gives the same output as one call, in every form; no
//   allocation.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include <nofold/dsp/halfband_iir.hpp>
#include <nofold/simd/simd.hpp>

#include "support/alloc_counter.hpp"
#include "support/blocks.hpp"
#include "support/signals.hpp"

namespace dsp = nofold::dsp;
namespace simd = nofold::simd;
namespace test = nofold::test;

namespace {
// Reference: filter x (high rate) by H(z) with sections in z^-2, double precision.
template <std::size_t N>
std::vector<double> naive_halfband(const std::array<double, N>& c, const std::vector<double>& x) {
    std::vector<double> b0(x), b1(x.size(), 0.0);
    for (std::size_t n = 1; n < x.size(); ++n) b1[n] = x[n - 1];  // z^-1
    for (std::size_t i = 0; i < N; ++i) {
        auto& b = (i % 2 == 0) ? b0 : b1;
        std::vector<double> y(b.size(), 0.0);
        for (std::size_t n = 0; n < b.size(); ++n) {
            const double x2 = n >= 2 ? b[n - 2] : 0.0, y2 = n >= 2 ? y[n - 2] : 0.0;
            y[n] = c[i] * b[n] + x2 - c[i] * y2;
        }
        b = y;
    }
    std::vector<double> out(x.size());
    for (std::size_t n = 0; n < x.size(); ++n) out[n] = 0.5 * (b0[n] + b1[n]);
    return out;
}

template <int N, dsp::IIRForm Form>
double up_error(double tbw, unsigned seed) {
    const auto c = dsp::iir_halfband_coefs<N>(tbw);
    const int n = 500;
    const auto x = test::uniform_noise(n, seed);
    std::vector<float> y(2 * n);
    dsp::IIRUpsampler2x<N, float, Form> up(c);
    up.process(x.data(), y.data(), n);
    std::vector<double> stuffed(2 * n, 0.0);
    for (int i = 0; i < n; ++i) stuffed[2 * i] = 2.0 * x[i];
    const auto ref = naive_halfband(c, stuffed);
    double err = 0;
    for (int i = 0; i < 2 * n; ++i) err = std::max(err, std::abs(y[i] - ref[i]));
    return err;
}

template <int N, dsp::IIRForm Form>
double down_error(double tbw, unsigned seed) {
    const auto c = dsp::iir_halfband_coefs<N>(tbw);
    const int n = 400;
    const auto x = test::uniform_noise(2 * n, seed);
    std::vector<float> y(n);
    dsp::IIRDownsampler2x<N, float, Form> down(c);
    down.process(x.data(), y.data(), n);
    const auto ref = naive_halfband(c, std::vector<double>(x.begin(), x.end()));
    double err = 0;
    for (int i = 0; i < n; ++i) err = std::max(err, std::abs(y[i] - ref[2 * i + 1]));
    return err;
}

template <dsp::IIRForm Form>
void check_against_naive() {
    // Tolerance 2e-6: a few float roundings of signals bounded by ~2 (|x| <= 1, gain-2 upsampler).
    double worst = 0;
    worst = std::max(worst, up_error<7, Form>(0.05, 1));
    worst = std::max(worst, up_error<1, Form>(0.3, 5));
    worst = std::max(worst, up_error<2, Form>(0.255, 6));
    worst = std::max(worst, up_error<3, Form>(0.3875, 7));
    worst = std::max(worst, up_error<10, Form>(0.05, 8));
    worst = std::max(worst, up_error<12, Form>(0.01, 9));
    CHECK(worst < 2e-6);
    double worst_down = 0;
    worst_down = std::max(worst_down, down_error<4, Form>(0.1, 2));
    worst_down = std::max(worst_down, down_error<1, Form>(0.3, 11));
    worst_down = std::max(worst_down, down_error<3, Form>(0.3875, 12));
    worst_down = std::max(worst_down, down_error<10, Form>(0.05, 13));
    worst_down = std::max(worst_down, down_error<12, Form>(0.01, 14));
    CHECK(worst_down < 2e-6);
    MESSAGE("IIR form " << static_cast<int>(Form) << ": max |error| vs naive double: up " << worst << ", down "
                        << worst_down);
}
}  // namespace

TEST_CASE("IIR 2x upsampler equals 2H applied to the zero-stuffed input") {
    check_against_naive<dsp::IIRForm::sections>();
    check_against_naive<dsp::IIRForm::block>();
    check_against_naive<dsp::IIRForm::block_scalar>();
}

TEST_CASE("IIR 2x downsampler latency is half the DC phase delay minus one high-rate sample") {
    const auto c = dsp::iir_halfband_coefs<4>(0.1);
    dsp::IIRDownsampler2x<4> down(c);
    CHECK(down.latency_samples() == doctest::Approx(0.5 * (dsp::iir_halfband_dc_delay(c) - 1.0)));
}

TEST_CASE("IIR stages: batch lanes equal the scalar kernel, N odd and even") {
    using B = simd::float_batch;
    constexpr int w = simd::lanes<B>;
    const auto c5 = dsp::iir_halfband_coefs<5>(0.08);
    const int n = 100;
    std::vector<std::vector<float>> ch;
    for (int l = 0; l < w; ++l) ch.push_back(test::uniform_noise(2 * n, 10 + l));
    std::vector<float> interleaved(static_cast<std::size_t>(2 * n * w));
    for (int i = 0; i < 2 * n; ++i)
        for (int l = 0; l < w; ++l) interleaved[i * w + l] = ch[l][i];
    std::vector<B> in(2 * n), up_out(4 * n), down_out(n);
    for (int i = 0; i < 2 * n; ++i) in[i] = simd::load<B>(&interleaved[i * w]);
    dsp::IIRUpsampler2x<5, B> up(c5);
    dsp::IIRDownsampler2x<5, B> down(c5);
    up.process(in.data(), up_out.data(), 2 * n);
    down.process(in.data(), down_out.data(), n);
    for (int l = 0; l < w; ++l) {
        dsp::IIRUpsampler2x<5, float, dsp::IIRForm::sections> up1(c5);
        dsp::IIRDownsampler2x<5, float, dsp::IIRForm::sections> down1(c5);
        std::vector<float> u(4 * n), d(n);
        up1.process(ch[l].data(), u.data(), 2 * n);
        down1.process(ch[l].data(), d.data(), n);
        alignas(64) float lane[64];
        bool same = true;
        for (int i = 0; i < 4 * n; ++i) {
            simd::store(lane, up_out[i]);
            same = same && lane[l] == u[i];
        }
        for (int i = 0; i < n; ++i) {
            simd::store(lane, down_out[i]);
            same = same && lane[l] == d[i];
        }
        CHECK(same);
    }
}

namespace {
template <int N, dsp::IIRForm Form>
void check_splits(double tbw, unsigned seed) {
    const auto c = dsp::iir_halfband_coefs<N>(tbw);
    const int n = 1000;
    const auto x = test::uniform_noise(2 * n, seed);
    dsp::IIRUpsampler2x<N, float, Form> up_a(c), up_b(c);
    dsp::IIRDownsampler2x<N, float, Form> down_a(c), down_b(c);
    std::vector<float> ua(2 * n), ub(2 * n), da(n), db(n);
    up_a.process(x.data(), ua.data(), n);
    down_a.process(x.data(), da.data(), n);
    std::mt19937 rng(seed + 100);
    nofold::test::AllocationScope scope;
    test::random_blocks(n, 37, rng, [&](int pos, int m) {
        up_b.process(x.data() + pos, ub.data() + 2 * pos, m);
        down_b.process(x.data() + 2 * pos, db.data() + pos, m);
    });
    up_b.reset();
    down_b.reset();
    CHECK(scope.allocations() == 0);
    CHECK(ua == ub);
    CHECK(da == db);
}

// Same stream through two instantiations; equal as floats (== also equates the two zeros).
template <int N, dsp::IIRForm FormA, dsp::IIRForm FormB>
void check_forms_equal(double tbw, unsigned seed) {
    const auto c = dsp::iir_halfband_coefs<N>(tbw);
    const int n = 777;
    const auto x = test::uniform_noise(2 * n, seed);
    dsp::IIRUpsampler2x<N, float, FormA> up_a(c);
    dsp::IIRUpsampler2x<N, float, FormB> up_b(c);
    dsp::IIRDownsampler2x<N, float, FormA> down_a(c);
    dsp::IIRDownsampler2x<N, float, FormB> down_b(c);
    std::vector<float> ua(2 * n), ub(2 * n), da(n), db(n);
    std::mt19937 rng(seed);
    test::random_blocks(n, 50, rng, [&](int pos, int m) {  // the same random split for both: partial blocks
        up_a.process(x.data() + pos, ua.data() + 2 * pos, m);
        up_b.process(x.data() + pos, ub.data() + 2 * pos, m);
        down_a.process(x.data() + 2 * pos, da.data() + pos, m);
        down_b.process(x.data() + 2 * pos, db.data() + pos, m);
    });
    CHECK(ua == ub);
    CHECK(da == db);
}
}  // namespace

TEST_CASE("IIR stages: random block splits (n = 0 included) equal one call, without allocating") {
    check_splits<6, dsp::IIRForm::automatic>(0.06, 3);
    check_splits<6, dsp::IIRForm::sections>(0.06, 3);
    check_splits<6, dsp::IIRForm::block>(0.06, 3);
    check_splits<3, dsp::IIRForm::block>(0.3875, 4);
    check_splits<10, dsp::IIRForm::block>(0.05, 5);
    check_splits<12, dsp::IIRForm::block_scalar>(0.01, 6);
}

TEST_CASE("IIR block form: SIMD lanes equal the same arithmetic one lane at a time") {
    check_forms_equal<1, dsp::IIRForm::block, dsp::IIRForm::block_scalar>(0.3, 21);
    check_forms_equal<3, dsp::IIRForm::block, dsp::IIRForm::block_scalar>(0.3875, 22);
    check_forms_equal<4, dsp::IIRForm::block, dsp::IIRForm::block_scalar>(0.275, 23);
    check_forms_equal<10, dsp::IIRForm::block, dsp::IIRForm::block_scalar>(0.05, 24);
    check_forms_equal<17, dsp::IIRForm::block, dsp::IIRForm::block_scalar>(0.01, 25);
}

TEST_CASE("IIR automatic form: block for one float channel in SIMD builds, sections otherwise") {
    constexpr bool simd_build = simd::lanes<simd::float_batch> > 1;
    CHECK(dsp::IIRUpsampler2x<4>::form == (simd_build ? dsp::IIRForm::block : dsp::IIRForm::sections));
    CHECK(dsp::IIRDownsampler2x<4, simd::float_batch>::form == dsp::IIRForm::sections);
}
