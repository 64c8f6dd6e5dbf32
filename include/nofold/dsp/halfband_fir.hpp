// nofold::dsp — 2x up- and down-samplers built on the linear-phase FIR half-band.
//
// A half-band of length 4J - 1 has J distinct non-zero taps per side plus the centre 1/2. Both
// stages fold the symmetric taps (one multiply per pair) and skip the zeros, so each output pair
// costs J multiply-adds. Outputs are computed several at a time, one per SIMD lane, from a linear
// history buffer (no modulo indexing).
// Upsampler: out[2n] = 2 sum_j g_j (x[n-J+j] + x[n-J+1-j]), out[2n+1] = x[n-J+1].
// Downsampler: y[n] = 1/2 e[n-J+1] + sum_j g_j (o[n-J+j] + o[n-J+1-j]), e[i] = x[2i], o[i] = x[2i+1].
#pragma once

#include <array>
#include <cstddef>
#include <cstring>

#include "../config.hpp"
#include "../simd/simd.hpp"
#include "fir_halfband_design.hpp"

namespace nofold::dsp {

/// 2x upsampler, linear-phase FIR half-band with J side taps (length 4J - 1). One channel, float.
/// Template parameters: J — number of distinct non-zero taps per side (>= 1).
/// Units: n counts input frames, `out` receives 2n frames.
/// Latency: latency_samples() = (2J - 1)/2 input-rate samples, at every frequency.
/// Allocates: never (the history lives in the object). RT-safe: process, reset.
/// Reference: see fir_halfband_design.hpp.
template <int J>
class FIRUpsampler2x {
    static_assert(J >= 1, "FIRUpsampler2x needs at least one side tap");

public:
    static constexpr int side_taps = J;
    explicit FIRUpsampler2x(const std::array<double, J>& g) noexcept;
    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept;
    NOFOLD_REALTIME void reset() noexcept;
    static constexpr double latency_samples() noexcept { return 0.5 * (2 * J - 1); }

private:
    static constexpr int history = 2 * J - 1;
    static constexpr int block = chunk_frames;
    static constexpr int pad = simd::lanes<simd::float_batch>;
    alignas(alignment) std::array<float, J> g2_{};                    // 2 g_j (gain 2 of the zero-stuffing)
    alignas(alignment) std::array<float, history + block + pad> x_{};  // [history | current block | pad]
    alignas(alignment) std::array<float, block + pad> even_{};
};

/// 2x downsampler, linear-phase FIR half-band with J side taps (length 4J - 1). One channel, float.
/// Units: n counts OUTPUT frames, `in` holds 2n frames.
/// Latency: latency_samples() = (2J - 2)/2 output-rate samples, at every frequency.
/// Allocates: never. RT-safe: process, reset.
template <int J>
class FIRDownsampler2x {
    static_assert(J >= 1, "FIRDownsampler2x needs at least one side tap");

public:
    static constexpr int side_taps = J;
    explicit FIRDownsampler2x(const std::array<double, J>& g) noexcept;
    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept;
    NOFOLD_REALTIME void reset() noexcept;
    static constexpr double latency_samples() noexcept { return 0.5 * (2 * J - 2); }

private:
    static constexpr int history = 2 * J - 1;
    static constexpr int block = chunk_frames;
    static constexpr int pad = simd::lanes<simd::float_batch>;
    alignas(alignment) std::array<float, J> g_{};
    alignas(alignment) std::array<float, history + block + pad> odd_{};
    alignas(alignment) std::array<float, history + block + pad> even_{};
    alignas(alignment) std::array<float, block + pad> acc_{};
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

/// acc[i] = sum_j g[j-1] (x[base + i + j] + x[base + i + 1 - j]) for i in [0, n), computed for
/// ceil(n / lanes) * lanes outputs (the caller's buffers have that much room). x points at the
/// history start; base = history - J.
template <int J>
inline void folded_halfband(const float* g, const float* x, float* acc, int n) noexcept {
    using B = simd::float_batch;
    constexpr int w = simd::lanes<B>;
    constexpr int base = J - 1;  // (2J - 1) - J
    for (int i = 0; i < n; i += w) {
        B sum = simd::broadcast<B>(0.0f);
        const float* p = x + base + i;
        for (int j = 1; j <= J; ++j) {
            const B pair = simd::load<B>(p + j) + simd::load<B>(p + 1 - j);
            sum = simd::fma(simd::broadcast<B>(g[j - 1]), pair, sum);
        }
        simd::store(acc + i, sum);
    }
}

}  // namespace detail

template <int J>
FIRUpsampler2x<J>::FIRUpsampler2x(const std::array<double, J>& g) noexcept {
    for (int j = 0; j < J; ++j) g2_[static_cast<std::size_t>(j)] = static_cast<float>(2.0 * g[static_cast<std::size_t>(j)]);
}

template <int J>
void FIRUpsampler2x<J>::reset() noexcept {
    x_.fill(0.0f);
}

template <int J>
void FIRUpsampler2x<J>::process(const float* in, float* out, int n) noexcept {
    while (n > 0) {
        const int m = n < block ? n : block;
        for (int i = 0; i < m; ++i) x_[static_cast<std::size_t>(history + i)] = simd::sanitize(in[i]);
        detail::folded_halfband<J>(g2_.data(), x_.data(), even_.data(), m);
        const float* centre = x_.data() + history - J + 1;
        for (int i = 0; i < m; ++i) {
            out[2 * i] = even_[static_cast<std::size_t>(i)];
            out[2 * i + 1] = centre[i];
        }
        std::memmove(x_.data(), x_.data() + m, sizeof(float) * history);
        in += m;
        out += 2 * m;
        n -= m;
    }
}

template <int J>
FIRDownsampler2x<J>::FIRDownsampler2x(const std::array<double, J>& g) noexcept {
    for (int j = 0; j < J; ++j) g_[static_cast<std::size_t>(j)] = static_cast<float>(g[static_cast<std::size_t>(j)]);
}

template <int J>
void FIRDownsampler2x<J>::reset() noexcept {
    odd_.fill(0.0f);
    even_.fill(0.0f);
}

template <int J>
void FIRDownsampler2x<J>::process(const float* in, float* out, int n) noexcept {
    while (n > 0) {
        const int m = n < block ? n : block;
        for (int i = 0; i < m; ++i) {
            even_[static_cast<std::size_t>(history + i)] = simd::sanitize(in[2 * i]);
            odd_[static_cast<std::size_t>(history + i)] = simd::sanitize(in[2 * i + 1]);
        }
        detail::folded_halfband<J>(g_.data(), odd_.data(), acc_.data(), m);
        const float* centre = even_.data() + history - J + 1;
        for (int i = 0; i < m; ++i) out[i] = acc_[static_cast<std::size_t>(i)] + 0.5f * centre[i];
        std::memmove(odd_.data(), odd_.data() + m, sizeof(float) * history);
        std::memmove(even_.data(), even_.data() + m, sizeof(float) * history);
        in += 2 * m;
        out += m;
        n -= m;
    }
}

}  // namespace nofold::dsp
