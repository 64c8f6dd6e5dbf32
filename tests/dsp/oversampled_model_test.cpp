// Claims about include/nofold/dsp/oversampled_model.hpp: wrapping a nofold::Model gives the same
// samples as the compile-time Oversampled<> with the same factor and preset (reference:
// Oversampled, measured in oversampled_test.cpp); the inner model is asked for factor × r;
// a model that cannot run that fast is reported; process/reset/prewarm do not allocate.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <vector>

#include <nofold/dsp/oversampled.hpp>
#include <nofold/dsp/oversampled_model.hpp>

#include "support/alloc_counter.hpp"

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
