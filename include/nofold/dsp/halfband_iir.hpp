// nofold::dsp — 2x up- and down-samplers built on the polyphase IIR half-band.
//
// Both run the two allpass branches of H(z) = 1/2 [A0(z^2) + z^-1 A1(z^2)] at the LOW rate: per
// coefficient and low-rate sample one multiply-add, one subtraction and one state word.
// Upsampler: out[2n] = A0(x)[n], out[2n+1] = A1(x)[n] (the zero-stuffed input filtered by 2H).
// Downsampler: y[n] = 1/2 (A0(x[2n+1]) + A1(x[2n])), i.e. (Hx) taken at the odd phase, which needs
// no extra delay line.
#pragma once

#include <array>
#include <cstddef>

#include "../config.hpp"
#include "../simd/ops.hpp"
#include "iir_halfband_design.hpp"

namespace nofold::dsp {

/// 2x upsampler, polyphase IIR half-band with N allpass coefficients.
/// Template parameters: N — coefficient count (>= 1); V — value type: `float` for one channel,
/// or `simd::float_batch` to run one channel per lane (frames of lanes<V> interleaved floats).
/// Units: n counts input (low-rate) frames, `out` receives 2n frames.
/// Latency: latency_samples() = DC phase delay in input-rate samples (frequency dependent; see
/// iir_halfband_group_delay for the curve).
/// Allocates: never. RT-safe: process, reset, set_coefs. `in` and `out` must not overlap.
/// Reference: Valenzuela & Constantinides 1983 (see iir_halfband_design.hpp).
template <int N, class V = float>
class IIRUpsampler2x {
    static_assert(N >= 1, "IIRUpsampler2x needs at least one coefficient");

public:
    static constexpr int coef_count = N;
    explicit IIRUpsampler2x(const std::array<double, N>& coefs) noexcept { set_coefs(coefs); }
    /// Replaces the coefficients (ascending, in (0, 1)); keeps the state.
    NOFOLD_REALTIME void set_coefs(const std::array<double, N>& coefs) noexcept;
    NOFOLD_REALTIME void process(const V* in, V* out, int n) noexcept;
    NOFOLD_REALTIME void reset() noexcept;
    /// DC phase delay in input-rate samples.
    double latency_samples() const noexcept { return 0.5 * delay_high_; }

private:
    static constexpr int n0 = (N + 1) / 2;
    static constexpr int n1 = N / 2;
    std::array<V, n0> c0_{};
    std::array<V, n1 + 1> c1_{};  // one spare slot keeps the array non-empty for N = 1
    std::array<V, n0 + 1> s0_{};
    std::array<V, n1 + 1> s1_{};
    double delay_high_ = 0.0;
};

/// 2x downsampler, polyphase IIR half-band with N allpass coefficients.
/// Template parameters, units and allocation as IIRUpsampler2x; n counts OUTPUT (low-rate) frames,
/// `in` holds 2n frames.
/// Latency: latency_samples() = (DC phase delay - 1) / 2 output-rate samples.
template <int N, class V = float>
class IIRDownsampler2x {
    static_assert(N >= 1, "IIRDownsampler2x needs at least one coefficient");

public:
    static constexpr int coef_count = N;
    explicit IIRDownsampler2x(const std::array<double, N>& coefs) noexcept { set_coefs(coefs); }
    NOFOLD_REALTIME void set_coefs(const std::array<double, N>& coefs) noexcept;
    NOFOLD_REALTIME void process(const V* in, V* out, int n) noexcept;
    NOFOLD_REALTIME void reset() noexcept;
    /// DC phase delay in output-rate samples.
    double latency_samples() const noexcept { return 0.5 * (delay_high_ - 1.0); }

private:
    static constexpr int n0 = (N + 1) / 2;
    static constexpr int n1 = N / 2;
    std::array<V, n0> c0_{};
    std::array<V, n1 + 1> c1_{};
    std::array<V, n0 + 1> s0_{};
    std::array<V, n1 + 1> s1_{};
    double delay_high_ = 0.0;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

/// One branch: K first-order allpass sections y = a (x - y[-1]) + x[-1], chained. State s[k] is
/// the previous input of section k (= previous output of section k-1); s[K] the previous output.
/// Written as y = (a x + x[-1]) - a y[-1] so that the recursion through y[-1] is a single
/// multiply-add: the loop-carried latency, not the arithmetic, bounds the speed of this filter.
template <int K, class V>
inline V allpass_chain(const V* c, V* s, V x) noexcept {
    for (int k = 0; k < K; ++k) {
        const V u = simd::fma(c[k], x, s[k]);
        const V y = simd::fma(-c[k], s[k + 1], u);
        s[k] = x;
        x = y;
    }
    s[K] = x;
    return x;
}

template <int N, class V, std::size_t A, std::size_t B>
inline void split_coefs(const std::array<double, N>& coefs, std::array<V, A>& c0, std::array<V, B>& c1) noexcept {
    for (int i = 0; i < N; ++i) {
        const V v = simd::broadcast<V>(static_cast<simd::scalar_t<V>>(coefs[static_cast<std::size_t>(i)]));
        if (i % 2 == 0) c0[static_cast<std::size_t>(i / 2)] = v;
        else c1[static_cast<std::size_t>(i / 2)] = v;
    }
}

}  // namespace detail

template <int N, class V>
void IIRUpsampler2x<N, V>::set_coefs(const std::array<double, N>& coefs) noexcept {
    detail::split_coefs<N>(coefs, c0_, c1_);
    delay_high_ = iir_halfband_dc_delay(coefs);
}

template <int N, class V>
void IIRUpsampler2x<N, V>::reset() noexcept {
    s0_.fill(V(0));
    s1_.fill(V(0));
}

template <int N, class V>
void IIRUpsampler2x<N, V>::process(const V* in, V* out, int n) noexcept {
    // Work on local copies so the compiler can keep coefficients and state in registers.
    auto c0 = c0_;
    auto c1 = c1_;
    auto s0 = s0_;
    auto s1 = s1_;
    for (int i = 0; i < n; ++i) {
        const V x = in[i];
        out[2 * i] = detail::allpass_chain<n0>(c0.data(), s0.data(), x);
        out[2 * i + 1] = detail::allpass_chain<n1>(c1.data(), s1.data(), x);
    }
    s0_ = s0;
    s1_ = s1;
}

template <int N, class V>
void IIRDownsampler2x<N, V>::set_coefs(const std::array<double, N>& coefs) noexcept {
    detail::split_coefs<N>(coefs, c0_, c1_);
    delay_high_ = iir_halfband_dc_delay(coefs);
}

template <int N, class V>
void IIRDownsampler2x<N, V>::reset() noexcept {
    s0_.fill(V(0));
    s1_.fill(V(0));
}

template <int N, class V>
void IIRDownsampler2x<N, V>::process(const V* in, V* out, int n) noexcept {
    auto c0 = c0_;
    auto c1 = c1_;
    auto s0 = s0_;
    auto s1 = s1_;
    const V half = simd::broadcast<V>(0.5f);
    for (int i = 0; i < n; ++i) {
        const V a = detail::allpass_chain<n0>(c0.data(), s0.data(), in[2 * i + 1]);
        const V b = detail::allpass_chain<n1>(c1.data(), s1.data(), in[2 * i]);
        out[i] = half * (a + b);
    }
    s0_ = s0;
    s1_ = s1;
}

}  // namespace nofold::dsp
