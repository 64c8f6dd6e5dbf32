// Claims about include/nofold/nn/knobs.hpp: whatever targets a host sets between blocks, no tick moves
// a value by more than its slope ((max − min) / ramp), every value reaches its target within the ramp
// and then holds it exactly; bad calls change nothing; nothing allocates.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include <nofold/nn/knobs.hpp>

#include "support/alloc_counter.hpp"

namespace nn = nofold::nn;

TEST_CASE("knobs: per-sample step bounded by the slope under random block-rate targets, targets reached") {
    nn::Knobs<nn::max_knobs> k;
    k.configure(3);
    REQUIRE(k.set_range(1, -2.0, 6.0));  // slope 8 / ramp
    k.set_ramp(64);
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> u(-3.0, 7.0);
    nofold::test::AllocationScope scope;
    float prev[3] = {k.value(0), k.value(1), k.value(2)};
    double worst = 0.0, excess = 0.0;  // largest step / slope; largest step beyond slope + one float rounding
    for (int block = 0; block < 400; ++block) {
        for (int i = 0; i < 3; ++i) k.set(i, u(rng));  // out-of-range values are clamped
        const int n = 1 + static_cast<int>(rng() % 200);
        for (int t = 0; t < n; ++t) {
            k.tick();
            for (int i = 0; i < 3; ++i) {
                const double step = std::fabs(static_cast<double>(k.value(i)) - prev[i]);
                worst = std::max(worst, step / k.slope(i));
                const double ulp = std::numeric_limits<float>::epsilon() * std::max(std::fabs(k.value(i)), std::fabs(prev[i]));
                excess = std::max(excess, step - k.slope(i) - ulp);
                prev[i] = k.value(i);
            }
        }
        if (n >= 66)  // a full-range change (64 ticks, 2 spare for rounding) fits: every value has arrived
            for (int i = 0; i < 3; ++i) CHECK(static_cast<double>(k.value(i)) == k.target(i));
    }
    CHECK(scope.allocations() == 0);
    CHECK(excess <= 0.0);  // value + slope rounds once: the step is the slope within that rounding
    CHECK(worst >= 0.999);  // the ramps did run at the slope (the test would pass vacuously otherwise)
    CHECK(k.slope(1) == doctest::Approx(8.0 / 64));
}

TEST_CASE("knobs: bad calls change nothing, settle jumps, ranges clamp") {
    nn::Knobs<nn::max_knobs> k;
    k.configure(2);
    CHECK_FALSE(k.set(2, 0.5));
    CHECK_FALSE(k.set(-1, 0.5));
    CHECK_FALSE(k.set(0, std::nan("")));
    CHECK_FALSE(k.set_range(0, 1.0, 0.0));
    CHECK_FALSE(k.set_range(0, 0.0, INFINITY));
    k.set_ramp(0);  // ignored
    CHECK(k.ramp() == nn::default_knob_ramp);
    CHECK(std::isnan(k.target(2)));
    CHECK(k.set(0, INFINITY));
    CHECK(k.target(0) == 1.0);
    CHECK(k.value(0) == 0.0f);
    CHECK(k.moving());
    k.settle();
    CHECK(k.value(0) == 1.0f);
    CHECK_FALSE(k.moving());
    nn::Knobs<0> none;
    none.configure(3);
    CHECK(none.count() == 0);
    CHECK_FALSE(none.set(0, 0.5));
}
