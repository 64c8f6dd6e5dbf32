// nofold::train::PreEmphasisFilter — the filters applied to prediction and target before a loss,
// with their adjoints (transposes) for the gradient.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

namespace nofold::train {

/// Which filter both prediction and target get before the loss terms are computed.
enum class PreEmphasis {
    none,         ///< identity
    high_pass,    ///< first-order y[n] = x[n] - 0.95 x[n-1] (NAM / Wright convention), zero initial state
    a_weighting,  ///< IEC 61672 A-weighting as a 6th-order IIR (bilinear, corners pre-warped) at the model rate
    low_pass,     ///< 12 / 16 kHz, 80 dB Kaiser windowed-sinc FIR at the model rate, zero-phase "same" convolution
};

/// Coefficient of PreEmphasis::high_pass.
inline constexpr double high_pass_coefficient = 0.95;

/// Windowed-sinc low-pass with a Kaiser window: order ceil((A - 7.95) / (14.36 df)), df = (stop - pass) / fs,
/// rounded up to even (so the filter has a centre tap), beta = 0.1102 (A - 8.7) for A > 50 (Kaiser's
/// formulas for smaller A otherwise), cut-off at the band centre, DC gain exactly 1.
/// At 44.1 kHz with the defaults this gives 57 taps, beta 7.857 (docs/training.md).
/// Throws std::invalid_argument unless 0 < pass < stop <= fs/2 and attenuation > 0. Allocates: the result.
/// Reference: J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh window function",
/// Proc. IEEE ISCAS 1974; training pre-emphasis in docs/training.md.
std::vector<double> kaiser_low_pass(double sample_rate_hz, double pass_hz = 12000.0, double stop_hz = 16000.0,
                                    double attenuation_db = 80.0);

/// Second-order section b0 + b1 z^-1 + b2 z^-2 over 1 + a1 z^-1 + a2 z^-2.
struct Biquad {
    double b0, b1, b2, a1, a2;
};

/// A-weighting as three biquads at `sample_rate_hz`: the analogue prototype s^4 / ((s + w1)^2 (s + w2)
/// (s + w3) (s + w4)^2) with corners 20.598997, 107.65265, 737.86223, 12194.217 Hz (IEC 61672-1),
/// each corner pre-warped so the bilinear transform keeps it at the same frequency, normalised to
/// a gain of exactly 1 at 1 kHz. Throws std::invalid_argument if fs <= 2 * 12194.217 Hz.
/// Allocates: never.
std::array<Biquad, 3> a_weighting_biquads(double sample_rate_hz);

/// Applies a PreEmphasis filter to a batch of `items` frames of `frame_length` samples each (planar,
/// item-major: sample n of item b at [b * frame_length + n]). Every frame is filtered on its own
/// from a zero state (the FIR sees zeros beyond both ends of the frame), so the filter is one
/// linear map F per frame; adjoint() applies its transpose F^T, which turns dL/d(filtered) into
/// dL/d(unfiltered).
/// T: float or double (signals); coefficients, recursions and sums run in double.
/// Allocates: the constructor only. apply()/adjoint() never allocate, throw or lock; they use the
/// object's scratch, so one object per thread. Input and output must not overlap.
template <class T>
class PreEmphasisFilter {
public:
    PreEmphasisFilter(PreEmphasis kind, double sample_rate_hz, std::size_t frame_length);

    PreEmphasis kind() const noexcept { return kind_; }
    std::size_t frame_length() const noexcept { return frame_length_; }
    /// The FIR's taps (low_pass only; empty otherwise).
    const std::vector<double>& taps() const noexcept { return taps_; }
    /// The IIR sections (a_weighting only).
    const std::array<Biquad, 3>& sections() const noexcept { return sections_; }

    /// y = F x per frame.
    void apply(const T* x, T* y, std::size_t items) noexcept { run<false>(x, y, items); }
    /// gx = F^T gy per frame.
    void adjoint(const T* gy, T* gx, std::size_t items) noexcept { run<true>(gy, gx, items); }

private:
    template <bool transpose>
    void run(const T* in, T* out, std::size_t items) noexcept;
    void run_sections(T* x) const noexcept;
    // out[n] = sum_k h[k] padded_[n + offset(k)] for n < frame_length; the loop over n innermost so
    // that it vectorises.
    template <bool transpose>
    void correlate(const T* in, T* out) noexcept;

    PreEmphasis kind_;
    std::size_t frame_length_;
    std::vector<double> taps_;
    std::array<Biquad, 3> sections_{};
    std::vector<double> padded_, sum_;  // low_pass scratch: the frame with zeros around it, the sums
};

// =============================================================================================
// Implementation
// =============================================================================================

namespace detail {

// Modified Bessel function of the first kind, order 0, by its power series (converges for all x;
// terms fall below 1e-17 of the sum within ~30 terms for the betas used here).
inline double bessel_i0(double x) noexcept {
    double sum = 1.0, term = 1.0;
    const double q = 0.25 * x * x;
    for (int k = 1; k < 200; ++k) {
        term *= q / (static_cast<double>(k) * static_cast<double>(k));
        sum += term;
        if (term < 1e-17 * sum) break;
    }
    return sum;
}

inline constexpr double pi = 3.14159265358979323846264338327950288;

}  // namespace detail

inline std::vector<double> kaiser_low_pass(double sample_rate_hz, double pass_hz, double stop_hz, double attenuation_db) {
    if (!(sample_rate_hz > 0.0) || !(pass_hz > 0.0) || !(stop_hz > pass_hz) || !(stop_hz <= 0.5 * sample_rate_hz) ||
        !(attenuation_db > 0.0))
        throw std::invalid_argument(
            "nofold::train::kaiser_low_pass: need 0 < pass < stop <= fs/2 and attenuation > 0 (the 12/16 kHz "
            "pre-emphasis low-pass needs fs >= 32 kHz)");
    const double df = (stop_hz - pass_hz) / sample_rate_hz;
    auto order = static_cast<std::size_t>(std::ceil((attenuation_db - 7.95) / (14.36 * df)));
    if (order < 2) order = 2;
    if (order % 2 != 0) ++order;
    const double a = attenuation_db;
    const double beta = a > 50.0 ? 0.1102 * (a - 8.7) : a >= 21.0 ? 0.5842 * std::pow(a - 21.0, 0.4) + 0.07886 * (a - 21.0) : 0.0;
    const double fc = 0.5 * (pass_hz + stop_hz) / sample_rate_hz;  // cycles per sample
    const double half = 0.5 * static_cast<double>(order);
    const double i0_beta = detail::bessel_i0(beta);
    std::vector<double> h(order + 1);
    double sum = 0.0;
    for (std::size_t n = 0; n <= order; ++n) {
        const double m = static_cast<double>(n) - half;
        const double sinc = m == 0.0 ? 2.0 * fc : std::sin(2.0 * detail::pi * fc * m) / (detail::pi * m);
        const double r = m / half;
        const double w = detail::bessel_i0(beta * std::sqrt(std::max(0.0, 1.0 - r * r))) / i0_beta;
        h[n] = sinc * w;
        sum += h[n];
    }
    for (auto& v : h) v /= sum;
    return h;
}

inline std::array<Biquad, 3> a_weighting_biquads(double sample_rate_hz) {
    constexpr double f1 = 20.598997, f2 = 107.65265, f3 = 737.86223, f4 = 12194.217;
    if (!(sample_rate_hz > 2.0 * f4))
        throw std::invalid_argument("nofold::train::a_weighting_biquads: fs must exceed 24388.434 Hz");
    const double k = 2.0 * sample_rate_hz;
    // Pre-warped analogue corner (rad/s) whose bilinear image lies at f.
    auto warp = [&](double f) { return k * std::tan(detail::pi * f / sample_rate_hz); };
    const double w1 = warp(f1), w2 = warp(f2), w3 = warp(f3), w4 = warp(f4);
    // (s + a)(s + b) under s = k (1 - z^-1) / (1 + z^-1), times (1 + z^-1)^2, is the product of the
    // first-order factors (k + a) + (a - k) z^-1 and (k + b) + (b - k) z^-1.
    auto denominator = [&](double a, double b, double& d0, double& d1, double& d2) {
        const double p0 = k + a, p1 = a - k, q0 = k + b, q1 = b - k;
        d0 = p0 * q0;
        d1 = p0 * q1 + p1 * q0;
        d2 = p1 * q1;
    };
    std::array<Biquad, 3> s{};
    double d0, d1, d2;
    // s^2 / ((s + w1)^2): numerator k^2 (1 - z^-1)^2.
    denominator(w1, w1, d0, d1, d2);
    s[0] = {k * k / d0, -2.0 * k * k / d0, k * k / d0, d1 / d0, d2 / d0};
    // s^2 / ((s + w2)(s + w3)).
    denominator(w2, w3, d0, d1, d2);
    s[1] = {k * k / d0, -2.0 * k * k / d0, k * k / d0, d1 / d0, d2 / d0};
    // 1 / ((s + w4)^2): numerator (1 + z^-1)^2.
    denominator(w4, w4, d0, d1, d2);
    s[2] = {1.0 / d0, 2.0 / d0, 1.0 / d0, d1 / d0, d2 / d0};
    // Normalise the cascade to 1 at 1 kHz.
    const double wn = 2.0 * detail::pi * 1000.0 / sample_rate_hz;
    double gain = 1.0;
    for (const auto& q : s) {
        const double c1 = std::cos(wn), s1 = -std::sin(wn), c2 = std::cos(2 * wn), s2 = -std::sin(2 * wn);
        const double nr = q.b0 + q.b1 * c1 + q.b2 * c2, ni = q.b1 * s1 + q.b2 * s2;
        const double dr = 1.0 + q.a1 * c1 + q.a2 * c2, di = q.a1 * s1 + q.a2 * s2;
        gain *= std::sqrt((nr * nr + ni * ni) / (dr * dr + di * di));
    }
    s[2].b0 /= gain;
    s[2].b1 /= gain;
    s[2].b2 /= gain;
    return s;
}

template <class T>
PreEmphasisFilter<T>::PreEmphasisFilter(PreEmphasis kind, double sample_rate_hz, std::size_t frame_length)
    : kind_(kind), frame_length_(frame_length) {
    if (frame_length == 0) throw std::invalid_argument("nofold::train::PreEmphasisFilter: frame length must be > 0");
    if (kind == PreEmphasis::low_pass) {
        taps_ = kaiser_low_pass(sample_rate_hz);
        padded_.assign(frame_length + taps_.size() - 1, 0.0);
        sum_.resize(frame_length);
    }
    if (kind == PreEmphasis::a_weighting) sections_ = a_weighting_biquads(sample_rate_hz);
}

template <class T>
void PreEmphasisFilter<T>::run_sections(T* x) const noexcept {
    // Transposed direct form II per section, state in double.
    for (const auto& q : sections_) {
        double z1 = 0.0, z2 = 0.0;
        for (std::size_t n = 0; n < frame_length_; ++n) {
            const double in = static_cast<double>(x[n]);
            const double out = q.b0 * in + z1;
            z1 = q.b1 * in - q.a1 * out + z2;
            z2 = q.b2 * in - q.a2 * out;
            x[n] = static_cast<T>(out);
        }
    }
}

template <class T>
template <bool transpose>
void PreEmphasisFilter<T>::correlate(const T* in, T* out) noexcept {
    // The frame sits at padded_[c ... c + f), zeros around it (c = taps / 2).
    // Forward:   y[n]  = sum_k h[k] x[n + c - k]  = sum_k h[k] padded_[n + 2c - k]
    // Transpose: gx[m] = sum_k h[k] gy[m - c + k] = sum_k h[k] padded_[m + k]
    const std::size_t f = frame_length_, taps = taps_.size(), c = taps / 2;
    for (std::size_t n = 0; n < f; ++n) padded_[c + n] = static_cast<double>(in[n]);
    for (std::size_t n = 0; n < f; ++n) sum_[n] = 0.0;
    auto source = [&](std::size_t k) { return padded_.data() + (transpose ? k : 2 * c - k); };
    double* dst = sum_.data();
    // Eight, then four taps per sweep: a sweep is bound by loads and stores of the sums, not by multiplies.
    std::size_t k = 0;
    for (; k + 8 <= taps; k += 8) {
        const double* h = taps_.data() + k;
        const double *s0 = source(k), *s1 = source(k + 1), *s2 = source(k + 2), *s3 = source(k + 3);
        const double *s4 = source(k + 4), *s5 = source(k + 5), *s6 = source(k + 6), *s7 = source(k + 7);
        for (std::size_t n = 0; n < f; ++n)
            dst[n] += h[0] * s0[n] + h[1] * s1[n] + h[2] * s2[n] + h[3] * s3[n] + h[4] * s4[n] + h[5] * s5[n] +
                      h[6] * s6[n] + h[7] * s7[n];
    }
    for (; k + 4 <= taps; k += 4) {
        const double h0 = taps_[k], h1 = taps_[k + 1], h2 = taps_[k + 2], h3 = taps_[k + 3];
        const double *s0 = source(k), *s1 = source(k + 1), *s2 = source(k + 2), *s3 = source(k + 3);
        for (std::size_t n = 0; n < f; ++n) dst[n] += h0 * s0[n] + h1 * s1[n] + h2 * s2[n] + h3 * s3[n];
    }
    for (; k < taps; ++k) {
        const double h = taps_[k];
        const double* src = source(k);
        for (std::size_t n = 0; n < f; ++n) dst[n] += h * src[n];
    }
    for (std::size_t n = 0; n < f; ++n) out[n] = static_cast<T>(sum_[n]);
}

template <class T>
template <bool transpose>
void PreEmphasisFilter<T>::run(const T* in, T* out, std::size_t items) noexcept {
    const std::size_t f = frame_length_;
    for (std::size_t b = 0; b < items; ++b) {
        const T* x = in + b * f;
        T* y = out + b * f;
        switch (kind_) {
        case PreEmphasis::none:
            for (std::size_t n = 0; n < f; ++n) y[n] = x[n];
            break;
        case PreEmphasis::high_pass: {
            // Forward y[n] = x[n] - a x[n-1]; transpose gx[m] = gy[m] - a gy[m+1].
            auto term = [&](std::size_t n, std::size_t m) {
                return static_cast<T>(static_cast<double>(x[n]) - high_pass_coefficient * static_cast<double>(x[m]));
            };
            if constexpr (!transpose) {
                y[0] = x[0];
                for (std::size_t n = 1; n < f; ++n) y[n] = term(n, n - 1);
            } else {
                for (std::size_t n = 0; n + 1 < f; ++n) y[n] = term(n, n + 1);
                y[f - 1] = x[f - 1];
            }
            break;
        }
        case PreEmphasis::a_weighting:
            // A causal LTI map from a zero state is a lower-triangular Toeplitz matrix; its transpose
            // is the same filter run backwards in time.
            for (std::size_t n = 0; n < f; ++n) y[n] = transpose ? x[f - 1 - n] : x[n];
            run_sections(y);
            if constexpr (transpose)
                for (std::size_t n = 0; n < f / 2; ++n) std::swap(y[n], y[f - 1 - n]);
            break;
        case PreEmphasis::low_pass:
            correlate<transpose>(x, y);
            break;
        }
    }
}

}  // namespace nofold::train
