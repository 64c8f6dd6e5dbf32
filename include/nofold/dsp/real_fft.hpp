// nofold::dsp::RealFft — float FFT of real signals, power-of-two lengths, for block convolution.
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "../config.hpp"
#include "../simd/simd.hpp"

namespace nofold::dsp {

/// Planned DFT of N real floats (N a power of two, 4 ≤ N ≤ 2^24) through a complex FFT of N/2
/// points (even samples as real parts, odd samples as imaginary parts) and the usual split of the
/// result into the spectra of the even and odd halves. The complex FFT is radix-2 decimation in
/// time on split real/imaginary arrays: the first two passes run together as a radix-4 pass, the
/// passes whose butterflies span at least one SIMD batch run on batches, the others on floats.
///
/// Spectrum layout ("packed split"): re[0] = X[0] (DC), im[0] = X[N/2] (Nyquist, real), and for
/// 0 < k < N/2 re[k] + j·im[k] = X[k] = Σ x[n]·e^{−j2πkn/N}. Two packed spectra are multiplied with
/// multiply_accumulate(), which treats bin 0 as two real products.
/// Twiddles are computed in double and rounded once, so the round-trip error is a few float ULPs
/// times log2(N).
/// Units: samples in, bins out (bin k = k/N cycles per sample). Latency: none (block transform).
/// Allocates: the constructor (twiddles and scratch, about 3·N floats). forward/inverse never
/// allocate but use the plan's scratch, so one plan serves one thread at a time.
/// Reference: E. O. Brigham, "The Fast Fourier Transform and its Applications", Prentice Hall 1988,
/// §10 (two-for-one real transforms); J. W. Cooley, J. W. Tukey, Math. Comp. 19, 1965.
class RealFft {
public:
    /// Throws std::invalid_argument unless size is a power of two in [4, 2^24].
    explicit RealFft(int size);

    int size() const noexcept { return n_; }
    /// Number of floats in each of re and im (N/2).
    int bins() const noexcept { return m_; }

    /// x (N floats) → packed spectrum (re, im: N/2 floats each). No scaling. x may not alias re/im.
    NOFOLD_REALTIME void forward(const float* x, float* re, float* im) noexcept;
    /// Packed spectrum → N · x (unnormalised: multiply by 1/N, or fold 1/N into one operand).
    /// re/im are left unchanged; x may not alias them.
    NOFOLD_REALTIME void inverse_unnormalized(const float* re, const float* im, float* x) noexcept;

    /// acc += a · b for packed spectra of `bins` values (bin 0: DC and Nyquist multiplied as reals).
    NOFOLD_REALTIME static void multiply_accumulate(const float* a_re, const float* a_im, const float* b_re,
                                                    const float* b_im, float* acc_re, float* acc_im,
                                                    int bins) noexcept;

private:
    void complex_forward(float* re, float* im) const noexcept;

    int n_ = 0;
    int m_ = 0;
    int log2_m_ = 0;
    std::vector<int> bit_reverse_;                // m_ entries
    std::vector<float> stage_re_, stage_im_;      // e^{−j2πj/(2h)} at index h + j, 0 ≤ j < h
    std::vector<float> split_re_, split_im_;      // e^{−j2πk/N}, 0 ≤ k < N/2 (even/odd split)
    std::vector<float> work_re_, work_im_;
};

// ------------------------------------------------------------------------------------------------
// Implementation
// ------------------------------------------------------------------------------------------------

inline RealFft::RealFft(int size) {
    if (size < 4 || size > (1 << 24) || (size & (size - 1)) != 0)
        throw std::invalid_argument("RealFft: size must be a power of two in [4, 2^24], got " + std::to_string(size));
    n_ = size;
    m_ = size / 2;
    while ((1 << log2_m_) < m_) ++log2_m_;
    const auto m = static_cast<std::size_t>(m_);
    bit_reverse_.resize(m);
    for (int i = 0; i < m_; ++i) {
        int r = 0;
        for (int b = 0; b < log2_m_; ++b)
            if (i & (1 << b)) r |= 1 << (log2_m_ - 1 - b);
        bit_reverse_[static_cast<std::size_t>(i)] = r;
    }
    const double two_pi = 6.283185307179586476925286766559;
    stage_re_.assign(m, 0.0f);
    stage_im_.assign(m, 0.0f);
    for (int h = 1; h < m_; h *= 2)
        for (int j = 0; j < h; ++j) {
            stage_re_[static_cast<std::size_t>(h + j)] = static_cast<float>(std::cos(two_pi * j / (2.0 * h)));
            stage_im_[static_cast<std::size_t>(h + j)] = static_cast<float>(-std::sin(two_pi * j / (2.0 * h)));
        }
    split_re_.resize(m);
    split_im_.resize(m);
    for (int k = 0; k < m_; ++k) {
        split_re_[static_cast<std::size_t>(k)] = static_cast<float>(std::cos(two_pi * k / n_));
        split_im_[static_cast<std::size_t>(k)] = static_cast<float>(-std::sin(two_pi * k / n_));
    }
    work_re_.assign(m, 0.0f);
    work_im_.assign(m, 0.0f);
}

inline void RealFft::complex_forward(float* re, float* im) const noexcept {
    using V = simd::float_batch;
    constexpr int lanes = simd::lanes<V>;
    int h = 1;
    if (m_ >= 4) {  // passes h = 1 and h = 2 as one radix-4 pass (twiddles 1 and −j)
        for (int g = 0; g < m_; g += 4) {
            const float ar = re[g] + re[g + 1], ai = im[g] + im[g + 1];
            const float br = re[g] - re[g + 1], bi = im[g] - im[g + 1];
            const float cr = re[g + 2] + re[g + 3], ci = im[g + 2] + im[g + 3];
            const float dr = re[g + 2] - re[g + 3], di = im[g + 2] - im[g + 3];
            re[g] = ar + cr;
            im[g] = ai + ci;
            re[g + 2] = ar - cr;
            im[g + 2] = ai - ci;
            // d·(−j) = (di, −dr)
            re[g + 1] = br + di;
            im[g + 1] = bi - dr;
            re[g + 3] = br - di;
            im[g + 3] = bi + dr;
        }
        h = 4;
    }
    for (; h < m_; h *= 2) {
        const float* wr = stage_re_.data() + h;
        const float* wi = stage_im_.data() + h;
        if (h >= lanes) {
            for (int g = 0; g < m_; g += 2 * h)
                for (int j = 0; j < h; j += lanes) {
                    float* ar = re + g + j;
                    float* ai = im + g + j;
                    float* br = ar + h;
                    float* bi = ai + h;
                    const V xr = simd::load<V>(br), xi = simd::load<V>(bi);
                    const V cr = simd::load<V>(wr + j), ci = simd::load<V>(wi + j);
                    const V tr = xr * cr - xi * ci;
                    const V ti = xr * ci + xi * cr;
                    const V yr = simd::load<V>(ar), yi = simd::load<V>(ai);
                    simd::store(ar, yr + tr);
                    simd::store(ai, yi + ti);
                    simd::store(br, yr - tr);
                    simd::store(bi, yi - ti);
                }
        } else {
            for (int g = 0; g < m_; g += 2 * h)
                for (int j = 0; j < h; ++j) {
                    const int a = g + j, b = a + h;
                    const float tr = re[b] * wr[j] - im[b] * wi[j];
                    const float ti = re[b] * wi[j] + im[b] * wr[j];
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
        }
    }
}

inline void RealFft::forward(const float* x, float* re, float* im) noexcept {
    // z[n] = x[2n] + j·x[2n+1], bit-reversed so the in-place passes leave Z in natural order.
    for (int i = 0; i < m_; ++i) {
        const int r = bit_reverse_[static_cast<std::size_t>(i)];
        work_re_[static_cast<std::size_t>(r)] = x[2 * i];
        work_im_[static_cast<std::size_t>(r)] = x[2 * i + 1];
    }
    complex_forward(work_re_.data(), work_im_.data());
    const float* zr = work_re_.data();
    const float* zi = work_im_.data();
    // E[k] = (Z[k] + conj Z[M−k]) / 2, O[k] = (Z[k] − conj Z[M−k]) / (2j), X[k] = E[k] + W^k·O[k].
    re[0] = zr[0] + zi[0];
    im[0] = zr[0] - zi[0];
    for (int k = 1; k < m_; ++k) {
        const int q = m_ - k;
        const float er = 0.5f * (zr[k] + zr[q]), ei = 0.5f * (zi[k] - zi[q]);
        const float or_ = 0.5f * (zi[k] + zi[q]), oi = -0.5f * (zr[k] - zr[q]);
        const float wr = split_re_[static_cast<std::size_t>(k)], wi = split_im_[static_cast<std::size_t>(k)];
        re[k] = er + (or_ * wr - oi * wi);
        im[k] = ei + (or_ * wi + oi * wr);
    }
}

inline void RealFft::inverse_unnormalized(const float* re, const float* im, float* x) noexcept {
    // Z[k] = E[k] + j·O[k] with E = X[k] + conj X[M−k], O = (X[k] − conj X[M−k])·conj(W^k) (twice
    // the true halves, so the result is N·x). The inverse transform is conj(FFT(conj Z)): the
    // conjugations are folded into the packing and unpacking.
    for (int k = 0; k < m_; ++k) {
        float zr, zi;
        if (k == 0) {
            const float dc = re[0], ny = im[0];
            zr = dc + ny;  // E[0] = DC + Nyquist
            zi = dc - ny;  // O[0] = DC − Nyquist
        } else {
            const int q = m_ - k;
            const float er = re[k] + re[q], ei = im[k] - im[q];
            const float dr = re[k] - re[q], di = im[k] + im[q];
            const float wr = split_re_[static_cast<std::size_t>(k)], wi = -split_im_[static_cast<std::size_t>(k)];
            const float or_ = dr * wr - di * wi, oi = dr * wi + di * wr;
            zr = er - oi;  // E + j·O
            zi = ei + or_;
        }
        const int r = bit_reverse_[static_cast<std::size_t>(k)];
        work_re_[static_cast<std::size_t>(r)] = zr;
        work_im_[static_cast<std::size_t>(r)] = -zi;
    }
    complex_forward(work_re_.data(), work_im_.data());
    for (int i = 0; i < m_; ++i) {
        x[2 * i] = work_re_[static_cast<std::size_t>(i)];
        x[2 * i + 1] = -work_im_[static_cast<std::size_t>(i)];
    }
}

inline void RealFft::multiply_accumulate(const float* a_re, const float* a_im, const float* b_re, const float* b_im,
                                         float* acc_re, float* acc_im, int bins) noexcept {
    using V = simd::float_batch;
    constexpr int lanes = simd::lanes<V>;
    const float dc = acc_re[0] + a_re[0] * b_re[0];
    const float ny = acc_im[0] + a_im[0] * b_im[0];
    int k = 0;
    for (; k + lanes <= bins; k += lanes) {
        const V ar = simd::load<V>(a_re + k), ai = simd::load<V>(a_im + k);
        const V br = simd::load<V>(b_re + k), bi = simd::load<V>(b_im + k);
        V cr = simd::load<V>(acc_re + k), ci = simd::load<V>(acc_im + k);
        cr = simd::fma(ar, br, cr);
        cr = simd::fma(-ai, bi, cr);
        ci = simd::fma(ar, bi, ci);
        ci = simd::fma(ai, br, ci);
        simd::store(acc_re + k, cr);
        simd::store(acc_im + k, ci);
    }
    for (; k < bins; ++k) {
        acc_re[k] += a_re[k] * b_re[k] - a_im[k] * b_im[k];
        acc_im[k] += a_re[k] * b_im[k] + a_im[k] * b_re[k];
    }
    acc_re[0] = dc;
    acc_im[0] = ny;
}

}  // namespace nofold::dsp
