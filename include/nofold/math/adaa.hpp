// nofold::math — antiderivative anti-aliasing (ADAA) waveshapers over any activation policy that
// provides antiderivative() (first order) or antiderivative2() (second order).
//
//   ADAA1: y[n] = (F1(x[n]) − F1(x[n−1])) / (x[n] − x[n−1]); when |Δ| ≤ tolerance (ill-conditioned) the
//          limit f((x[n] + x[n−1])/2) is used. Latency: ½ sample.
//   ADAA2: y[n] = 2/(x[n] − x[n−2])·(D(x[n], x[n−1]) − D(x[n−1], x[n−2])), D(a, b) = (F2(a) − F2(b))/(a − b)
//          (or F1((a + b)/2) when |a − b| ≤ tolerance), with the second fallback of Bilbao et al. when
//          |x[n] − x[n−2]| ≤ tolerance. Latency: 1 sample.
// LinearPart::subtract processes g(x) = f(x) − x instead (antiderivatives F − x²/2, F2 − x³/6) and adds the
// linear part back exactly as it would come out of the same filter ((x[n] + x[n−1])/2 for ADAA1,
// (x[n] + x[n−1] + x[n−2])/3 for ADAA2): identical in exact arithmetic, better conditioned for functions that are
// x plus a small nonlinearity (Snake, leaky shapes). Policies may supply antiderivative_minus_linear(x) to
// make F − x²/2 free of cancellation (Snake does).
// Computed in double (antiderivative differences cancel badly in float).
// References: J. Parker, V. Zavalishin, E. Le Bivic, "Reducing the aliasing of nonlinear waveshaping using
// continuous-time convolution", DAFx-16; S. Bilbao, F. Esqueda, J. Parker, V. Välimäki, "Antiderivative
// antialiasing for memoryless nonlinearities", IEEE SPL 24(7), 2017.
// Units: samples in, samples out (same rate); tolerance in input units. Allocates: never.
// RT-safe: process, reset.
#pragma once

#include <cmath>
#include <type_traits>
#include <utility>

#include "../config.hpp"

namespace nofold::math {

/// Whether ADAA keeps f as is or splits off its linear part (see the header comment).
enum class LinearPart { keep, subtract };

/// First-order ADAA of Act (needs Act::antiderivative).
template <class Act, LinearPart Linear = LinearPart::keep>
class ADAA1 {
public:
    explicit ADAA1(Act act = Act{}, double tolerance = 1e-6) noexcept : act_(act), tolerance_(tolerance) {}
    /// Forget the past: as if the input had been 0 for ever.
    NOFOLD_REALTIME void reset() noexcept;
    NOFOLD_REALTIME float process(float x) noexcept;
    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept;
    static constexpr double latency_samples() noexcept { return 0.5; }
    const Act& activation() const noexcept { return act_; }

private:
    double f(double x) const noexcept;
    double F1(double x) const noexcept;
    Act act_;
    double tolerance_;
    double x1_ = 0.0, F1_x1_ = F1(0.0);
};

/// Second-order ADAA of Act (needs Act::antiderivative and Act::antiderivative2).
template <class Act, LinearPart Linear = LinearPart::keep>
class ADAA2 {
public:
    explicit ADAA2(Act act = Act{}, double tolerance = 1e-4) noexcept : act_(act), tolerance_(tolerance) {}
    NOFOLD_REALTIME void reset() noexcept;
    NOFOLD_REALTIME float process(float x) noexcept;
    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept;
    static constexpr double latency_samples() noexcept { return 1.0; }
    const Act& activation() const noexcept { return act_; }

private:
    double f(double x) const noexcept;
    double F1(double x) const noexcept;
    double F2(double x) const noexcept;
    double D(double a, double b, double F2a, double F2b) const noexcept;
    Act act_;
    double tolerance_;
    double x1_ = 0.0, x2_ = 0.0, F2_x1_ = F2(0.0), D12_ = F1(0.0);
};

// ---------------------------------------------------------------------------------------------------
namespace detail {
template <class Act, class = void>
struct has_minus_linear : std::false_type {};
template <class Act>
struct has_minus_linear<Act, std::void_t<decltype(std::declval<const Act&>().antiderivative_minus_linear(0.0))>>
    : std::true_type {};
}  // namespace detail

template <class Act, LinearPart L>
inline double ADAA1<Act, L>::f(double x) const noexcept {
    return L == LinearPart::subtract ? act_(x) - x : act_(x);
}
template <class Act, LinearPart L>
inline double ADAA1<Act, L>::F1(double x) const noexcept {
    if constexpr (L == LinearPart::subtract) {
        if constexpr (detail::has_minus_linear<Act>::value) {
            return act_.antiderivative_minus_linear(x);
        } else {
            return act_.antiderivative(x) - 0.5 * x * x;
        }
    } else {
        return act_.antiderivative(x);
    }
}
template <class Act, LinearPart L>
NOFOLD_REALTIME inline void ADAA1<Act, L>::reset() noexcept {
    x1_ = 0.0;
    F1_x1_ = F1(0.0);
}
template <class Act, LinearPart L>
NOFOLD_REALTIME inline float ADAA1<Act, L>::process(float xf) noexcept {
    const double x = xf;
    const double fx = F1(x);
    const double d = x - x1_;
    double y = std::fabs(d) > tolerance_ ? (fx - F1_x1_) / d : f(0.5 * (x + x1_));
    if constexpr (L == LinearPart::subtract) y += 0.5 * (x + x1_);
    x1_ = x;
    F1_x1_ = fx;
    return static_cast<float>(y);
}
template <class Act, LinearPart L>
NOFOLD_REALTIME inline void ADAA1<Act, L>::process(const float* in, float* out, int n) noexcept {
    for (int i = 0; i < n; ++i) out[i] = process(in[i]);
}

template <class Act, LinearPart L>
inline double ADAA2<Act, L>::f(double x) const noexcept {
    return L == LinearPart::subtract ? act_(x) - x : act_(x);
}
template <class Act, LinearPart L>
inline double ADAA2<Act, L>::F1(double x) const noexcept {
    return L == LinearPart::subtract ? act_.antiderivative(x) - 0.5 * x * x : act_.antiderivative(x);
}
template <class Act, LinearPart L>
inline double ADAA2<Act, L>::F2(double x) const noexcept {
    return L == LinearPart::subtract ? act_.antiderivative2(x) - x * x * x / 6.0 : act_.antiderivative2(x);
}
template <class Act, LinearPart L>
inline double ADAA2<Act, L>::D(double a, double b, double F2a, double F2b) const noexcept {
    const double d = a - b;
    return std::fabs(d) > tolerance_ ? (F2a - F2b) / d : F1(0.5 * (a + b));
}
template <class Act, LinearPart L>
NOFOLD_REALTIME inline void ADAA2<Act, L>::reset() noexcept {
    x1_ = x2_ = 0.0;
    F2_x1_ = F2(0.0);
    D12_ = F1(0.0);
}
template <class Act, LinearPart L>
NOFOLD_REALTIME inline float ADAA2<Act, L>::process(float xf) noexcept {
    const double x = xf;
    const double F2x = F2(x);
    const double D01 = D(x, x1_, F2x, F2_x1_);
    const double d02 = x - x2_;
    double y;
    if (std::fabs(d02) > tolerance_) {
        y = 2.0 * (D01 - D12_) / d02;
    } else {
        // x[n] ≈ x[n−2]: expand around their mean (Bilbao et al. 2017, eq. 17–18).
        const double mean = 0.5 * (x + x2_);
        const double delta = mean - x1_;
        if (std::fabs(delta) > tolerance_) {
            y = 2.0 / delta * (F1(mean) + (F2_x1_ - F2(mean)) / delta);
        } else {
            y = f(0.5 * (mean + x1_));
        }
    }
    if constexpr (L == LinearPart::subtract) y += (x + x1_ + x2_) * (1.0 / 3.0);
    x2_ = x1_;
    x1_ = x;
    F2_x1_ = F2x;
    D12_ = D01;
    return static_cast<float>(y);
}
template <class Act, LinearPart L>
NOFOLD_REALTIME inline void ADAA2<Act, L>::process(const float* in, float* out, int n) noexcept {
    for (int i = 0; i < n; ++i) out[i] = process(in[i]);
}

}  // namespace nofold::math
