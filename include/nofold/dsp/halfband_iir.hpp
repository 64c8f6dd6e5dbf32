// nofold::dsp — 2x up- and down-samplers built on the polyphase IIR half-band.
//
// Both run the two allpass branches of H(z) = 1/2 [A0(z^2) + z^-1 A1(z^2)] at the LOW rate.
// Upsampler: out[2n] = A0(x)[n], out[2n+1] = A1(x)[n] (the zero-stuffed input filtered by 2H).
// Downsampler: y[n] = 1/2 (A0(x[2n+1]) + A1(x[2n])), i.e. (Hx) taken at the odd phase, which needs
// no extra delay line.
//
// Two evaluations of the same filter (IIRForm):
// - sections: one first-order section after another, sample by sample: per coefficient and
//   low-rate sample one multiply-add, one subtraction and one state word. Its speed is bound by
//   each section's one-sample feedback (a multiply-add of latency), not by arithmetic. It serves
//   several channels at once (V = simd::float_batch, one channel per lane) and scalar builds.
// - block: one channel, 8 low-rate samples at a time as a state-space product (detail/block_lti.hpp)
//   whose outputs fill SIMD lanes; the feedback is paid once per 8 samples. About twice the speed
//   of `sections` for one channel; results agree to float rounding (not bit for bit). Its block
//   matrices make the object larger: ~2.5 KiB for 10 coefficients (sections: ~100 bytes).
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>

#include "../config.hpp"
#include "../simd/simd.hpp"
#include "detail/block_lti.hpp"
#include "detail/clean_input.hpp"
#include "iir_halfband_design.hpp"

namespace nofold::dsp {

/// How an IIR half-band stage evaluates its allpass sections (see the file comment).
enum class IIRForm {
    automatic,     ///< block for one float channel in SIMD builds, sections otherwise
    sections,      ///< section by section, per sample; any V (the reference form)
    block,         ///< 8-sample state-space blocks on simd::float_batch lanes; V = float only
    block_scalar   ///< the block form one lane at a time: the same numbers as `block`, no SIMD
};

namespace detail {
template <class V>
constexpr IIRForm resolve_iir_form(IIRForm form) noexcept {
    if (form != IIRForm::automatic) return form;
    return std::is_same_v<V, float> && simd::lanes<simd::float_batch> > 1 ? IIRForm::block : IIRForm::sections;
}
template <int N, class V, IIRForm Form, int Up>
class IIRHalfbandKernel;  // defined below
}  // namespace detail

/// 2x upsampler, polyphase IIR half-band with N allpass coefficients.
/// Template parameters: N — coefficient count (>= 1); V — value type: `float` for one channel,
/// or `simd::float_batch` to run one channel per lane (frames of lanes<V> interleaved floats);
/// Form — IIRForm (default automatic: the fastest form for V).
/// Units: n counts input (low-rate) frames, `out` receives 2n frames.
/// Latency: latency_samples() = DC phase delay in input-rate samples (frequency dependent; see
/// iir_halfband_group_delay for the curve).
/// Allocates: never. RT-safe: process, reset, set_coefs. `in` and `out` must not overlap.
/// Reference: Valenzuela & Constantinides 1983 (see iir_halfband_design.hpp).
template <int N, class V = float, IIRForm Form = IIRForm::automatic>
class IIRUpsampler2x {
    static_assert(N >= 1, "IIRUpsampler2x needs at least one coefficient");

public:
    static constexpr int coef_count = N;
    static constexpr IIRForm form = detail::resolve_iir_form<V>(Form);
    explicit IIRUpsampler2x(const std::array<double, N>& coefs) noexcept { set_coefs(coefs); }
    /// Replaces the coefficients (ascending, in (0, 1)); keeps the state.
    NOFOLD_REALTIME void set_coefs(const std::array<double, N>& coefs) noexcept {
        kernel_.set_coefs(coefs);
        delay_high_ = iir_halfband_dc_delay(coefs);
    }
    NOFOLD_REALTIME void process(const V* in, V* out, int n) noexcept { kernel_.process(in, out, n); }
    NOFOLD_REALTIME void reset() noexcept { kernel_.reset(); }
    /// DC phase delay in input-rate samples.
    double latency_samples() const noexcept { return 0.5 * delay_high_; }

private:
    detail::IIRHalfbandKernel<N, V, form, 1> kernel_;
    double delay_high_ = 0.0;
};

/// 2x downsampler, polyphase IIR half-band with N allpass coefficients.
/// Template parameters, units and allocation as IIRUpsampler2x; n counts OUTPUT (low-rate) frames,
/// `in` holds 2n frames.
/// Latency: latency_samples() = (DC phase delay - 1) / 2 output-rate samples.
template <int N, class V = float, IIRForm Form = IIRForm::automatic>
class IIRDownsampler2x {
    static_assert(N >= 1, "IIRDownsampler2x needs at least one coefficient");

public:
    static constexpr int coef_count = N;
    static constexpr IIRForm form = detail::resolve_iir_form<V>(Form);
    explicit IIRDownsampler2x(const std::array<double, N>& coefs) noexcept { set_coefs(coefs); }
    NOFOLD_REALTIME void set_coefs(const std::array<double, N>& coefs) noexcept {
        kernel_.set_coefs(coefs);
        delay_high_ = iir_halfband_dc_delay(coefs);
    }
    NOFOLD_REALTIME void process(const V* in, V* out, int n) noexcept { kernel_.process(in, out, n); }
    NOFOLD_REALTIME void reset() noexcept { kernel_.reset(); }
    /// DC phase delay in output-rate samples.
    double latency_samples() const noexcept { return 0.5 * (delay_high_ - 1.0); }

private:
    detail::IIRHalfbandKernel<N, V, form, 0> kernel_;
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

/// Section form, for any V. Up = 1: upsampler, 0: downsampler.
template <int N, class V, int Up>
class IIRHalfbandKernel<N, V, IIRForm::sections, Up> {
public:
    void set_coefs(const std::array<double, N>& coefs) noexcept {
        for (int i = 0; i < N; ++i) {
            const V v = simd::broadcast<V>(static_cast<simd::scalar_t<V>>(coefs[static_cast<std::size_t>(i)]));
            if (i % 2 == 0) c0_[static_cast<std::size_t>(i / 2)] = v;
            else c1_[static_cast<std::size_t>(i / 2)] = v;
        }
    }
    void reset() noexcept {
        s0_.fill(V(0));
        s1_.fill(V(0));
    }
    void process(const V* in, V* out, int n) noexcept {
        // Local copies so the compiler can keep coefficients and state in registers.
        auto c0 = c0_;
        auto c1 = c1_;
        auto s0 = s0_;
        auto s1 = s1_;
        if constexpr (Up == 1) {
            for (int i = 0; i < n; ++i) {
                const V x = simd::sanitize(in[i]);
                out[2 * i] = allpass_chain<n0>(c0.data(), s0.data(), x);
                out[2 * i + 1] = allpass_chain<n1>(c1.data(), s1.data(), x);
            }
        } else {
            const V half = simd::broadcast<V>(0.5f);
            for (int i = 0; i < n; ++i) {
                const V a = allpass_chain<n0>(c0.data(), s0.data(), simd::sanitize(in[2 * i + 1]));
                const V b = allpass_chain<n1>(c1.data(), s1.data(), simd::sanitize(in[2 * i]));
                out[i] = half * (a + b);
            }
        }
        s0_ = s0;
        s1_ = s1;
    }

private:
    static constexpr int n0 = (N + 1) / 2;
    static constexpr int n1 = N / 2;
    std::array<V, n0> c0_{};
    std::array<V, n1 + 1> c1_{};  // one spare slot keeps the array non-empty for N = 1
    std::array<V, n0 + 1> s0_{};
    std::array<V, n1 + 1> s1_{};
};

/// One low-rate step of both branches in transposed first-order sections, double precision:
/// y = a x + w, w' = x - a y (state w[i] belongs to coefficient i). Branch 0 reads x0, branch 1 x1.
template <int N>
inline void halfband_branches_step(const std::array<double, N>& c, double* w, double x0, double x1, double& y0,
                                   double& y1) noexcept {
    for (int i = 0; i < N; i += 2) {
        const double y = c[static_cast<std::size_t>(i)] * x0 + w[i];
        w[i] = x0 - c[static_cast<std::size_t>(i)] * y;
        x0 = y;
    }
    for (int i = 1; i < N; i += 2) {
        const double y = c[static_cast<std::size_t>(i)] * x1 + w[i];
        w[i] = x1 - c[static_cast<std::size_t>(i)] * y;
        x1 = y;
    }
    y0 = x0;
    y1 = x1;
}

/// Block form: one float channel; Pack = float_batch (block) or float (block_scalar).
/// The block matrices are the responses of the double-precision recursion to unit inputs and
/// unit initial states over one block (exact columns of the linear map, rounded to float once).
template <int N, int Up, class Pack>
class IIRHalfbandBlockKernel {
public:
    // Upsampler steps: 1 input, 2 outputs; downsampler steps: 2 inputs (even, odd), 1 output.
    using Engine = BlockLti<Up == 1 ? 1 : 2, Up == 1 ? 2 : 1, N, Pack>;

    void set_coefs(const std::array<double, N>& coefs) noexcept {
        constexpr int steps = Engine::block_steps;
        constexpr int ins = Engine::in_len;
        std::array<double, Engine::out_len> y{};
        for (int col = 0; col < ins + N; ++col) {
            std::array<double, N> w{};
            if (col >= ins) w[static_cast<std::size_t>(col - ins)] = 1.0;
            for (int t = 0; t < steps; ++t) {
                double y0 = 0.0, y1 = 0.0;
                if constexpr (Up == 1) {
                    const double x = col == t ? 1.0 : 0.0;
                    halfband_branches_step<N>(coefs, w.data(), x, x, y0, y1);
                    y[static_cast<std::size_t>(2 * t)] = y0;
                    y[static_cast<std::size_t>(2 * t + 1)] = y1;
                } else {
                    const double even = col == 2 * t ? 1.0 : 0.0;
                    const double odd = col == 2 * t + 1 ? 1.0 : 0.0;
                    halfband_branches_step<N>(coefs, w.data(), odd, even, y0, y1);
                    y[static_cast<std::size_t>(t)] = 0.5 * (y0 + y1);
                }
            }
            if (col < ins) engine_.set_input_column(col, y.data(), w.data());
            else engine_.set_state_column(col - ins, y.data(), w.data());
        }
    }
    void reset() noexcept { engine_.reset(); }
    void process(const float* in, float* out, int n) noexcept {
        // The engine reads its input in place; a NaN there would stay in the state for ever.
        with_clean_input(in, n * Engine::in_len / Engine::block_steps, Engine::in_len / Engine::block_steps,
                         [&](const float* x, int count) {
                             const int steps = count * Engine::block_steps / Engine::in_len;
                             engine_.process(x, out, steps);
                             out += steps * (Engine::out_len / Engine::block_steps);
                         });
    }

private:
    Engine engine_;
};

template <int N, class V, int Up>
class IIRHalfbandKernel<N, V, IIRForm::block, Up> : public IIRHalfbandBlockKernel<N, Up, simd::float_batch> {
    static_assert(std::is_same_v<V, float>, "IIRForm::block runs one float channel: use IIRForm::sections for batches");
};

template <int N, class V, int Up>
class IIRHalfbandKernel<N, V, IIRForm::block_scalar, Up> : public IIRHalfbandBlockKernel<N, Up, float> {
    static_assert(std::is_same_v<V, float>,
                  "IIRForm::block_scalar runs one float channel: use IIRForm::sections for batches");
};

}  // namespace detail

}  // namespace nofold::dsp
