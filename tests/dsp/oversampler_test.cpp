// Claims about include/nofold/dsp/oversampler.hpp: the run-time Oversampler gives bit-identical
// output and the same latency as the compile-time Cascade it selects (reference: Cascade, itself
// measured in cascade_test.cpp), for every factor and preset; names and factors parse; no allocation.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include <nofold/dsp/oversampler.hpp>

#include "support/alloc_counter.hpp"
#include "support/signals.hpp"

namespace dsp = nofold::dsp;

namespace {
template <int F, class Filter>
void same_as_cascade(dsp::FilterPreset preset) {
    const int n = 500;
    const std::vector<float> x = nofold::test::uniform_noise(n, F);
    dsp::Cascade<F, Filter> c(dsp::LatencyMode::integer);
    dsp::Oversampler o(*dsp::oversample_factor_from_int(F), preset, dsp::LatencyMode::integer);
    std::vector<float> hc(n * F), ho(n * F), yc(n), yo(n);
    c.up(x.data(), hc.data(), n);
    c.down(hc.data(), yc.data(), n);
    nofold::test::AllocationScope scope;
    o.up(x.data(), ho.data(), n);
    o.down(ho.data(), yo.data(), n);
    o.reset();
    CHECK(scope.allocations() == 0);
    CHECK(hc == ho);
    CHECK(yc == yo);
    CHECK(o.latency() == c.latency());
    CHECK(o.factor() == F);
    CHECK(o.filter() == preset);
}
}  // namespace

TEST_CASE("Oversampler equals the Cascade it selects, for every factor and preset") {
    same_as_cascade<1, dsp::IIRQuality>(dsp::FilterPreset::iir_quality);
    same_as_cascade<2, dsp::IIRQuality>(dsp::FilterPreset::iir_quality);
    same_as_cascade<4, dsp::IIRFast>(dsp::FilterPreset::iir_fast);
    same_as_cascade<8, dsp::FIRLinearPhase>(dsp::FilterPreset::fir_linear_phase);
    same_as_cascade<16, dsp::IIRQuality>(dsp::FilterPreset::iir_quality);
    same_as_cascade<16, dsp::FIRLinearPhase>(dsp::FilterPreset::fir_linear_phase);
}

TEST_CASE("Oversampler: factor and filter names parse") {
    CHECK(dsp::oversample_factor_from_int(8) == dsp::OversampleFactor::x8);
    CHECK_FALSE(dsp::oversample_factor_from_int(3).has_value());
    CHECK_FALSE(dsp::oversample_factor_from_int(32).has_value());
    CHECK(dsp::filter_preset_from_name("iir") == dsp::FilterPreset::iir_quality);
    CHECK(dsp::filter_preset_from_name("fir") == dsp::FilterPreset::fir_linear_phase);
    CHECK(dsp::filter_preset_from_name("iir_fast") == dsp::FilterPreset::iir_fast);
    CHECK_FALSE(dsp::filter_preset_from_name("iirx").has_value());
    CHECK_FALSE(dsp::filter_preset_from_name("").has_value());
    CHECK(std::string(dsp::filter_preset_name(dsp::FilterPreset::fir_linear_phase)) == "fir_linear_phase");
    CHECK(dsp::Oversampler(dsp::OversampleFactor::x2, dsp::FilterPreset::iir_quality).flops_per_sample() == 2 * 4 * 10);
}
