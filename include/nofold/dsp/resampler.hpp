// nofold::dsp::Resampler — low-latency rational sample-rate conversion (e.g. 44.1 <-> 48 kHz) for
// the boundary between a host and a model trained at another rate.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "../config.hpp"
#include "../simd/simd.hpp"
#include "fir_halfband_design.hpp"
#include "halfband_iir.hpp"

namespace nofold::dsp {

/// Rational resampler in two steps: a 2x polyphase IIR half-band (12 coefficients, steep, almost
/// all of the selectivity) and then a short Kaiser polyphase FIR from 2·input_rate to the output
/// rate, whose transition band may be wide because the half-band has already emptied the spectrum
/// above the input Nyquist frequency. Designed so that every image and alias landing in
/// [0, clean_band_hz] of the output is at least `attenuation_db` down.
/// Units: rates in Hz (integers, so the ratio is exact); n counts input samples.
/// Latency: latency_seconds() (DC phase delay; ~0.1 ms for 44.1 <-> 48 kHz), also in input and
/// output samples.
/// Allocates: in the constructor (the phase table, about L x taps floats, and buffers); process
/// and reset are RT-safe. The constructor throws std::invalid_argument when the rates are not
/// positive, the ratio's reduced numerator exceeds 4096 phases, or the clean band is not below
/// both Nyquist frequencies; under NOFOLD_NO_EXCEPTIONS it leaves valid() false instead, and
/// process() then returns no samples (a ResampledModel around it plays silence).
/// Samples: the input obeys simd::sanitize (NaN/inf read as 0; see the half-band stage).
/// Reference: the structure of Carson et al. 2025 (docs/oversampling.md §4).
class Resampler {
public:
    static constexpr int halfband_coefs = 12;

    Resampler(int input_rate_hz, int output_rate_hz, double clean_band_hz = 16000.0, double attenuation_db = 100.0);
    /// Converts n input samples; writes the available output samples (at most max_output(n)) and
    /// returns how many. Over a stream, the count after N inputs is ceil(N · out/in).
    NOFOLD_REALTIME int process(const float* in, int n, float* out) noexcept;
    NOFOLD_REALTIME void reset() noexcept;
    /// False only when construction failed under NOFOLD_NO_EXCEPTIONS.
    bool valid() const noexcept { return valid_; }
    /// Most samples process() can write for n inputs.
    int max_output(int n) const noexcept;
    double latency_seconds() const noexcept { return latency_s_; }
    int input_rate_hz() const noexcept { return input_rate_hz_; }
    int output_rate_hz() const noexcept { return output_rate_hz_; }
    /// FIR phases (the reduced L of L/M) and taps per phase, for reports.
    int phases() const noexcept { return phases_; }
    int taps_per_phase() const noexcept { return taps_; }

private:
    static constexpr int block = chunk_frames;
    void design_fir(double clean_band_hz, double stop_hz, double attenuation_db);
    float dot(const float* h, const float* x) const noexcept;

    int input_rate_hz_;
    int output_rate_hz_;
    int phases_ = 1;  // L
    int step_ = 1;    // M
    int taps_ = 1;    // per phase (multiple of the SIMD width)
    double latency_s_ = 0.0;
    IIRUpsampler2x<halfband_coefs> up_;
    std::vector<float> table_;    // phases_ x taps_, each phase reversed for a forward dot product
    std::vector<float> history_;  // intermediate-rate samples: [taps_-1 history | 2 x block new]
    int fill_ = 0;                // valid samples in history_
    int index_ = 0;               // history_ index of the newest sample the next output uses
    int phase_ = 0;
    bool valid_ = false;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {
/// Smallest transition bandwidth (widest passband) at which `coefs` coefficients reach `db`.
inline double halfband_tbw_for(int coefs, double db) noexcept {
    double lo = 1e-4, hi = 0.49;
    for (int i = 0; i < 60; ++i) {
        const double mid = 0.5 * (lo + hi);
        (iir_halfband_attenuation_db(coefs, mid) >= db ? hi : lo) = mid;
    }
    return hi;
}
}  // namespace detail

inline Resampler::Resampler(int input_rate_hz, int output_rate_hz, double clean_band_hz, double attenuation_db)
    : input_rate_hz_(input_rate_hz),
      output_rate_hz_(output_rate_hz),
      up_(iir_halfband_coefs<halfband_coefs>(0.25)) {
    const auto refuse = [](const std::string& why) { nofold::detail::raise_invalid_argument(("Resampler: " + why).c_str()); };
    if (input_rate_hz <= 0 || output_rate_hz <= 0) {
        refuse("sample rates must be positive");
        return;
    }
    if (!(clean_band_hz > 0.0) || clean_band_hz >= 0.5 * std::min(input_rate_hz, output_rate_hz)) {
        refuse("the clean band must lie below both Nyquist frequencies");
        return;
    }
    const long long mid = 2LL * input_rate_hz;
    const long long g = std::gcd(mid, static_cast<long long>(output_rate_hz));
    if (output_rate_hz / g > 4096) {
        refuse(std::to_string(input_rate_hz) + " -> " + std::to_string(output_rate_hz) + " Hz needs more than 4096 polyphase phases");
        return;
    }
    phases_ = static_cast<int>(output_rate_hz / g);
    step_ = static_cast<int>(mid / g);

    // Half-band: the widest passband the 12 coefficients allow at the requested attenuation (+5 dB
    // so the two stages together stay below it).
    const double tbw = detail::halfband_tbw_for(halfband_coefs, attenuation_db + 5.0);
    const auto hb = iir_halfband_coefs<halfband_coefs>(tbw);
    up_.set_coefs(hb);
    const double fi = input_rate_hz, fo = output_rate_hz;
    const double hb_stop = fi * (0.5 + tbw);  // Hz at the 2x rate; below it the spectrum may be full

    // Lowest frequency at which an image of the 2x signal (support [2fi·k - hb_stop, 2fi·k + hb_stop])
    // would alias into the clean band of the output (regions [j·fo - band, j·fo + band]).
    double stop_hz = 1e300;
    for (int j = 1; j * fo - clean_band_hz < phases_ * 2.0 * fi; ++j) {
        const double a0 = j * fo - clean_band_hz, a1 = j * fo + clean_band_hz;
        for (int k = 0; 2.0 * fi * k - hb_stop < a1; ++k) {
            const double s0 = std::max(0.0, 2.0 * fi * k - hb_stop), s1 = 2.0 * fi * k + hb_stop;
            const double lo = std::max(a0, s0), hi = std::min(a1, s1);
            if (lo < hi) stop_hz = std::min(stop_hz, lo);
        }
    }
    if (stop_hz <= clean_band_hz * 1.05) {
        refuse("no room for a transition band at this ratio and clean band");
        return;
    }
    design_fir(clean_band_hz, std::min(stop_hz, phases_ * fi), attenuation_db + 3.0);

    const double fir_delay_mid = (static_cast<double>(taps_) * phases_ - 1.0) / (2.0 * phases_);  // 2x-rate samples
    latency_s_ = (iir_halfband_dc_delay(hb) + fir_delay_mid) / (2.0 * fi);
    history_.assign(static_cast<std::size_t>(taps_ - 1 + 2 * block), 0.0f);
    valid_ = true;
    reset();
}

inline void Resampler::design_fir(double band_hz, double stop_hz, double attenuation_db) {
    constexpr int w = simd::lanes<simd::float_batch>;
    const double proto_rate = 2.0 * input_rate_hz_ * phases_;
    const double transition = (stop_hz - band_hz) / proto_rate;  // cycles per prototype sample
    const double length = (attenuation_db - 7.95) / (14.36 * transition) + 1.0;
    taps_ = static_cast<int>(std::ceil(length / phases_));
    taps_ = std::max(2, taps_);
    taps_ = (taps_ + w - 1) / w * w;
    const int total = taps_ * phases_;
    const double beta = kaiser_beta(attenuation_db);
    const double cutoff = 0.5 * (band_hz + stop_hz) / proto_rate;
    const double centre = 0.5 * (total - 1);
    const double i0b = detail::cx_bessel_i0(beta);
    std::vector<double> h(static_cast<std::size_t>(total));
    for (int i = 0; i < total; ++i) {
        const double t = i - centre;
        const double ideal = t == 0.0 ? 2.0 * cutoff : std::sin(2.0 * detail::pi * cutoff * t) / (detail::pi * t);
        const double r = t / (0.5 * total);
        const double win = detail::cx_bessel_i0(beta * std::sqrt(std::max(0.0, 1.0 - r * r))) / i0b;
        h[static_cast<std::size_t>(i)] = phases_ * ideal * win;  // gain L: one input sample per L prototype samples
    }
    table_.assign(static_cast<std::size_t>(total), 0.0f);
    for (int p = 0; p < phases_; ++p)
        for (int k = 0; k < taps_; ++k)
            table_[static_cast<std::size_t>(p * taps_ + (taps_ - 1 - k))] = static_cast<float>(h[static_cast<std::size_t>(p + phases_ * k)]);
}

inline void Resampler::reset() noexcept {
    if (!valid_) return;
    up_.reset();
    std::fill(history_.begin(), history_.end(), 0.0f);
    fill_ = taps_ - 1;
    index_ = taps_ - 1;
    phase_ = 0;
}

inline int Resampler::max_output(int n) const noexcept {
    return static_cast<int>((2LL * n * phases_ + step_ - 1) / step_) + 1;
}

inline float Resampler::dot(const float* h, const float* x) const noexcept {
    using B = simd::float_batch;
    constexpr int w = simd::lanes<B>;
    B acc = simd::broadcast<B>(0.0f);
    for (int k = 0; k < taps_; k += w) acc = simd::fma(simd::load<B>(h + k), simd::load<B>(x + k), acc);
    return simd::reduce_add(acc);
}

inline int Resampler::process(const float* in, int n, float* out) noexcept {
    if (!valid_) return 0;
    int written = 0;
    float* hist = history_.data();
    while (n > 0) {
        const int m = n < block ? n : block;
        up_.process(in, hist + fill_, m);
        fill_ += 2 * m;
        while (index_ < fill_) {
            out[written++] = dot(table_.data() + static_cast<std::ptrdiff_t>(phase_) * taps_, hist + index_ - (taps_ - 1));
            phase_ += step_;
            while (phase_ >= phases_) {
                phase_ -= phases_;
                ++index_;
            }
        }
        // Keep taps_ - 1 samples before the next output's newest one; if that one lies in the
        // future (a decimating ratio can step over samples), drop at most what is there.
        const int drop = std::min(index_ - (taps_ - 1), fill_);
        if (drop > 0) {
            std::memmove(hist, hist + drop, sizeof(float) * static_cast<std::size_t>(fill_ - drop));
            fill_ -= drop;
            index_ -= drop;
        }
        in += m;
        n -= m;
    }
    return written;
}

}  // namespace nofold::dsp
