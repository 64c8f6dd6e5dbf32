// Claims about include/nofold/dsp/oversampled_model.hpp: wrapping a nofold::Model gives the same
// samples as the compile-time Oversampled<> with the same factor and preset (reference:
// Oversampled, measured in oversampled_test.cpp); the inner model is asked for factor × r;
// a model that cannot run that fast is reported; process/reset/prewarm do not allocate.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <random>
#include <string>
#include <memory>
#include <vector>

#include <nofold/dsp/oversampled.hpp>
#include <nofold/dsp/oversampled_model.hpp>

#include "support/alloc_counter.hpp"
#include "support/signals.hpp"

namespace dsp = nofold::dsp;
using nofold::RateFactorStatus;

namespace {
/// Memoryless y = tanh(4x) + 0.1 (a DC offset, so prewarm has something to settle on).
struct Shaper {
    double factor = 1.0;
    double max_factor = 16.0;
    static const char* name() { return "test shaper"; }
    void process(const float* in, float* out, int n) noexcept {
        for (int i = 0; i < n; ++i) out[i] = std::tanh(4.0f * in[i]) + 0.1f;
    }
    void reset() noexcept {}
    void prewarm() noexcept {}
    int latency() const noexcept { return 0; }
    int receptive_field() const noexcept { return 1; }
    double flops_per_sample() const noexcept { return 20.0; }
    RateFactorStatus set_rate_factor(double l) noexcept {
        if (l < 1.0 || l > max_factor) return RateFactorStatus::out_of_range;
        factor = l;
        return RateFactorStatus::ok;
    }
    double rate_factor() const noexcept { return factor; }
    double max_rate_factor() const noexcept { return max_factor; }
};
}  // namespace

TEST_CASE("OversampledModel equals Oversampled<> and adapts the inner model") {
    const int n = 1500;
    std::vector<float> x(n);
    for (int i = 0; i < n; ++i) x[i] = 0.7f * std::sin(0.05f * i);
    dsp::OversampledModel m(std::make_unique<nofold::ModelFor<Shaper>>(), dsp::OversampleFactor::x4,
                            dsp::FilterPreset::fir_linear_phase);
    dsp::Oversampled<Shaper, 4, dsp::FIRLinearPhase> ref;
    CHECK(m.status() == RateFactorStatus::ok);
    CHECK(m.inner().rate_factor() == 4.0);
    CHECK(m.rate_factor() == 1.0);
    CHECK(m.max_rate_factor() == 4.0);
    std::vector<float> y(n), yr(n);
    {
        nofold::test::AllocationScope scope;
        m.process(x.data(), y.data(), n);
        CHECK(scope.allocations() == 0);
    }
    ref.process(x.data(), yr.data(), n);
    CHECK(y == yr);
    CHECK(m.latency_samples() == ref.latency());
    CHECK(m.latency() == std::lround(ref.latency()));
    CHECK(m.flops_per_sample() > 4 * 20.0);
    CHECK(m.flops_per_sample() == ref.flops_per_sample());
    // 2x iir_quality: one stage of 10 coefficients, 4 flops each per low-rate sample, up and down
    CHECK(dsp::Oversampled<Shaper, 2, dsp::IIRQuality>().flops_per_sample() == 2 * 20.0 + 2 * 4 * 10);
    CHECK(std::string(m.implementation_name()).find("oversampled 4x fir_linear_phase") != std::string::npos);

    CHECK(m.set_rate_factor(2.0) == RateFactorStatus::ok);
    CHECK(m.inner().rate_factor() == 8.0);

    // prewarm settles the filters on the model's DC output: the first output is then 0.1.
    nofold::test::AllocationScope scope;
    m.prewarm();
    m.reset();
    m.prewarm();
    CHECK(scope.allocations() == 0);
    const float zero = 0.0f;
    float out = 0.0f;
    m.process(&zero, &out, 1);
    CHECK(out == doctest::Approx(0.1f).epsilon(1e-4));
}

TEST_CASE("OversampledModel reports a model that cannot run that fast") {
    auto inner = std::make_unique<nofold::ModelFor<Shaper>>();
    inner->get().max_factor = 2.0;
    dsp::OversampledModel m(std::move(inner), dsp::OversampleFactor::x8, dsp::FilterPreset::iir_quality);
    CHECK(m.status() == RateFactorStatus::out_of_range);
}

// ---------------------------------------------------------------------------------------------
// A random-weight WaveNet, adapted with set_rate_factor, against its own ideal oversampling.
// Analysis as docs/metrics.md §2 with N a power of two and k0 odd (the paper's allowed alternative):
// N = 32768, k0 = 3111 (≈ 4186 Hz at 44.1 kHz). Ideal L-times oversampling (reference): the same
// model at rate factor L fed the exact sine at L·N points per period, in steady state; its
// spectrum by a radix-2 FFT in double, keeping the bins below N/2 (ideal decimation).
#include <nofold/runtime/wavenet.hpp>

namespace {
constexpr int wn_n = 32768;
constexpr int wn_k0 = 3111;

void fft(std::vector<std::complex<double>>& a) {
    const std::size_t n = a.size();
    for (std::size_t i = 1, j = 0; i < n; ++i) {
        std::size_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) std::swap(a[i], a[j]);
    }
    for (std::size_t len = 2; len <= n; len <<= 1) {
        const double ang = -2 * 3.14159265358979323846 / static_cast<double>(len);
        for (std::size_t i = 0; i < n; i += len)
            for (std::size_t k = 0; k < len / 2; ++k) {
                const auto w = std::polar(1.0, ang * static_cast<double>(k));
                const auto u = a[i + k], v = a[i + k + len / 2] * w;
                a[i + k] = u + v;
                a[i + k + len / 2] = u - v;
            }
    }
}

// ASR in dB of one period y (length L·N at rate L·N) analysed on bins 1 .. N/2 - 1.
double asr_low_bins_db(const std::vector<float>& y) {
    std::vector<std::complex<double>> a(y.begin(), y.end());
    fft(a);
    double e_h = 0, e_a = 0;
    for (int k = 1; k < wn_n / 2; ++k) {
        const double e = std::norm(a[static_cast<std::size_t>(k)]);
        (k % wn_k0 == 0 ? e_h : e_a) += e;
    }
    return 10 * std::log10(e_a / e_h);
}

std::unique_ptr<nofold::runtime::WaveNet> random_wavenet() {
    const std::vector<int> d{1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
    auto array = [&](int input, int channels, int head, bool bias) {
        nofold::nn::LayerArrayConfig a;
        a.input_size = input;
        a.channels = channels;
        a.kernel_sizes = {3};
        a.dilations = d;
        a.activations = {nofold::nn::ActivationSpec{"Tanh", {}}};
        a.head = nofold::nn::HeadConfig{head, 1, bias, 1};
        return a;
    };
    nofold::nn::WaveNetConfig cfg;
    cfg.layers = {array(1, 8, 4, false), array(8, 4, 1, true)};
    nofold::nn::Options opt;
    opt.max_rate_factor = 4.0;
    std::string err;
    auto m = nofold::runtime::WaveNet::create(cfg, opt, err);
    REQUIRE_MESSAGE(m, err);
    std::mt19937 rng(2024);
    std::uniform_real_distribution<float> u(-0.5f, 0.5f);
    std::vector<float> w(nofold::nn::weight_count(cfg));
    for (auto& v : w) v = u(rng);
    w.back() = 1.0f;  // head_scale
    REQUIRE(m->set_weights(w.data(), w.size()).empty());
    return m;
}

std::vector<float> wn_sine(int factor, int periods) {
    const long long len = (long long)factor * wn_n;
    return nofold::test::bin_sine(static_cast<std::size_t>(len * periods), wn_k0, len, 0.5L);
}

double wavenet_ideal_asr_db(int factor) {
    auto m = random_wavenet();
    REQUIRE(m->set_rate_factor(factor) == RateFactorStatus::ok);
    const auto x = wn_sine(factor, 2);
    std::vector<float> y(x.size());
    m->process(x.data(), y.data(), static_cast<int>(x.size()));
    return asr_low_bins_db(std::vector<float>(y.begin() + (long long)factor * wn_n, y.end()));
}

double wavenet_oversampled_asr_db(dsp::OversampleFactor factor) {
    dsp::OversampledModel m(random_wavenet(), factor, dsp::FilterPreset::iir_quality);
    REQUIRE(m.status() == RateFactorStatus::ok);
    const auto x = wn_sine(1, 3);
    std::vector<float> y(x.size());
    m.process(x.data(), y.data(), static_cast<int>(x.size()));
    return asr_low_bins_db(std::vector<float>(y.end() - wn_n, y.end()));
}
}  // namespace

TEST_CASE("WaveNet (random weights) oversampled with iir_quality is within 3 dB of its ideal ASR at 2x and 4x") {
    const double plain = wavenet_ideal_asr_db(1);
    const double ideal2 = wavenet_ideal_asr_db(2), ideal4 = wavenet_ideal_asr_db(4);
    const double got2 = wavenet_oversampled_asr_db(dsp::OversampleFactor::x2);
    const double got4 = wavenet_oversampled_asr_db(dsp::OversampleFactor::x4);
    MESSAGE("WaveNet ASR: 1x " << plain << " dB; 2x ideal " << ideal2 << ", iir_quality " << got2 << "; 4x ideal "
                               << ideal4 << ", iir_quality " << got4);
    CHECK(got2 <= ideal2 + 3.0);
    CHECK(got4 <= ideal4 + 3.0);
    CHECK(ideal2 < plain);
}
