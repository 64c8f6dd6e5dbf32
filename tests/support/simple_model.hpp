// A nofold::Model for tests whose only interesting member is process(): memoryless, rate factor 1,
// a fixed reported latency. Subclasses override process (and anything else they need).
#pragma once

#include <cstddef>

#include <nofold/model.hpp>

namespace nofold::test {

class SimpleModel : public nofold::Model {
public:
    explicit SimpleModel(int latency = 0) : latency_(latency) {}
    void reset() noexcept override {}
    void prewarm() noexcept override {}
    int latency() const noexcept override { return latency_; }
    int receptive_field() const noexcept override { return 1; }
    double flops_per_sample() const noexcept override { return 2; }
    nofold::RateFactorStatus set_rate_factor(double) noexcept override { return nofold::RateFactorStatus::ok; }
    double rate_factor() const noexcept override { return 1; }
    double max_rate_factor() const noexcept override { return 1; }
    std::size_t memory_bytes() const noexcept override { return sizeof(*this); }
    const char* implementation_name() const noexcept override { return "simple test model"; }

private:
    int latency_;
};

}  // namespace nofold::test
