// nofold::dsp::DiodeClipperModel — the white-box diode clipper (dsp::DiodeClipper) behind the
// nofold::Model interface, so that everything that measures or wraps models (analysis::measure_tone,
// dsp::OversampledModel, `nofold alias builtin:diode_clipper`) can use the device itself as a system
// under test or as the true reference (ESR-R, NMR-R, HESR).
//
// Its "training rate" is the rate given at construction; set_rate_factor(L) runs the physics at L×
// that rate (any real L in [1, 16]: a circuit has no rate of its own), so it behaves the same when
// oversampled.
// Units: samples at the running rate; input 1.0 = 1 V at drive 0 dB, output in volts.
// Latency: latency() = DiodeClipper::latency() rounded to the nearest sample (the filters are linear
// phase; this interface has no room for the fractional part).
// Allocates: never. RT-safe: process, reset, prewarm, set_rate_factor.
// Reference: dsp/diode_clipper.hpp.
#pragma once

#include <cmath>

#include "../model.hpp"
#include "diode_clipper.hpp"

namespace nofold::dsp {

class DiodeClipperModel final : public Model {
public:
    explicit DiodeClipperModel(double sample_rate_hz, double drive_db = 0.0, const DiodeClipperParams& p = {},
                               InternalRate rate = InternalRate::x16) noexcept
        : base_rate_hz_(sample_rate_hz), device_(sample_rate_hz, p, rate) {
        device_.set_drive_db(drive_db);
    }

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept override { device_.process(in, out, n); }
    NOFOLD_REALTIME void reset() noexcept override { device_.reset(); }
    /// Silence is the device's rest state (0 V everywhere), which reset() restores.
    NOFOLD_REALTIME void prewarm() noexcept override { device_.reset(); }
    int latency() const noexcept override { return static_cast<int>(std::lround(device_.latency())); }
    /// The span of the linear-phase filters, twice their delay.
    int receptive_field() const noexcept override { return 2 * static_cast<int>(std::ceil(device_.latency())) + 1; }
    /// Counted from the structure: the 2× Kaiser stage both ways (one multiply-add per tap and 2× sample
    /// up, per tap and 1× sample down), the Newton steps (about 4 iterations of ~20 flops, 16 or 32
    /// per sample); the half-band cascades add less than the Kaiser stage and are not counted.
    double flops_per_sample() const noexcept override {
        return 4.0 * detail::BandLimiter2x::length + 80.0 * 16.0 * (device_.internal_rate() == InternalRate::x32 ? 2 : 1);
    }
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double factor) noexcept override {
        if (!(factor >= 1.0 && factor <= max_factor)) return RateFactorStatus::out_of_range;
        if (factor != factor_) {
            factor_ = factor;
            device_.set_sample_rate_hz(base_rate_hz_ * factor);
        }
        return RateFactorStatus::ok;
    }
    double rate_factor() const noexcept override { return factor_; }
    double max_rate_factor() const noexcept override { return max_factor; }
    std::size_t memory_bytes() const noexcept override { return sizeof(*this); }
    const char* implementation_name() const noexcept override { return "white-box diode clipper (dsp::DiodeClipper)"; }

    const DiodeClipper& device() const noexcept { return device_; }

private:
    static constexpr double max_factor = 16.0;
    double base_rate_hz_;
    double factor_ = 1.0;
    DiodeClipper device_;
};

}  // namespace nofold::dsp
