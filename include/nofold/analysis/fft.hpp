// nofold::analysis::Fft — discrete Fourier transform of any length, in double precision.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

namespace nofold::analysis {

/// Planned DFT of one fixed length N (any N >= 1, primes included), double precision.
///
/// Powers of two use a Stockham autosort FFT (radix-4 passes plus one radix-2 pass when log2 N is
/// odd). Every other length uses Bluestein's chirp-z algorithm: the DFT is rewritten as a circular
/// convolution of length M = next power of two >= 2N - 1 and evaluated with that FFT, so the cost
/// is O(N log N) whatever N's factors (N = 48017: M = 131072).
///
/// Conventions: `forward` computes X[k] = sum_n x[n] e^{-j 2 pi k n / N} (no scaling); `inverse`
/// computes x[n] = (1/N) sum_k X[k] e^{+j 2 pi k n / N}, so inverse(forward(x)) == x.
/// `forward_real` takes N real samples and writes the N/2 + 1 non-negative-frequency bins.
///
/// Units: samples in, bins out (bin k is k / N cycles per sample). Latency: none (block transform).
/// Allocates: the constructor (twiddles, chirp, scratch). The transforms never allocate, but they
/// use the plan's scratch buffers, so one plan must not be used by two threads at once (give each
/// thread its own plan). Input and output may be the same array.
/// Reference: L. I. Bluestein, "A linear filtering approach to the computation of the discrete
/// Fourier transform", IEEE Trans. Audio Electroacoust. 18(4), 1970; J. W. Cooley, J. W. Tukey,
/// Math. Comp. 19, 1965; Stockham autosort as in C. Van Loan, "Computational Frameworks for the
/// Fast Fourier Transform", SIAM 1992, §1.7.
class Fft {
public:
    using complex = std::complex<double>;

    /// Plans a transform of length `size` (>= 1). Throws std::invalid_argument for 0.
    explicit Fft(std::size_t size);

    std::size_t size() const noexcept { return n_; }
    /// Length of the power-of-two FFT that does the work (== size() for powers of two).
    std::size_t work_size() const noexcept { return m_; }

    /// X = DFT(x); `in` and `out` hold size() values and may alias.
    void forward(const complex* in, complex* out) noexcept { transform(in, out, Direction::forward); }
    /// x = IDFT(X), scaled by 1/N; `in` and `out` hold size() values and may alias.
    void inverse(const complex* in, complex* out) noexcept { transform(in, out, Direction::inverse); }
    /// DFT of size() real samples; writes size()/2 + 1 bins (k = 0 ... floor(N/2)).
    void forward_real(const double* in, complex* out) noexcept;

    /// Convenience: forward_real into a new vector (allocates).
    std::vector<complex> forward_real(const std::vector<double>& in);

private:
    enum class Direction { forward, inverse };
    struct Twiddle {
        double re1, im1, re2, im2, re3, im3;
    };

    void transform(const complex* in, complex* out, Direction dir) noexcept;
    // Power-of-two FFT of the split arrays re_/im_ (length m_), forward direction, in place.
    void pow2_forward() noexcept;

    std::size_t n_ = 0;
    std::size_t m_ = 0;
    std::vector<Twiddle> twiddles_;  // radix-4 passes, concatenated
    std::vector<double> tw2_re_, tw2_im_;  // the radix-2 pass, if any
    std::vector<double> re_, im_, re_tmp_, im_tmp_;
    std::vector<double> chirp_re_, chirp_im_;  // e^{-j pi n^2 / N}, n < N (Bluestein)
    std::vector<double> kernel_re_, kernel_im_;  // DFT_M of the conjugate chirp, times 1/M
};

// =============================================================================================
// Implementation
// =============================================================================================

namespace detail {

inline bool is_power_of_two(std::size_t n) noexcept { return n != 0 && (n & (n - 1)) == 0; }

inline std::size_t next_power_of_two(std::size_t n) noexcept {
    std::size_t m = 1;
    while (m < n) m <<= 1;
    return m;
}

// e^{-j 2 pi num / den} with num reduced modulo den in integers, so large products stay exact.
inline std::complex<double> unit_root(unsigned long long num, unsigned long long den) noexcept {
    const double pi = 3.14159265358979323846264338327950288;
    num %= den;
    const double angle = -2.0 * pi * static_cast<double>(num) / static_cast<double>(den);
    return {std::cos(angle), std::sin(angle)};
}

}  // namespace detail

inline Fft::Fft(std::size_t size) : n_(size) {
    if (size == 0) throw std::invalid_argument("nofold::analysis::Fft: length must be at least 1");
    m_ = detail::is_power_of_two(n_) ? n_ : detail::next_power_of_two(2 * n_ - 1);

    // Stockham passes over length m_: radix-4 while the remaining length is a multiple of 4,
    // then one radix-2 pass. A pass on remaining length L uses twiddles W_L^{p}, W_L^{2p}, W_L^{3p}.
    for (std::size_t len = m_; len >= 4; len /= 4) {
        const std::size_t quarter = len / 4;
        for (std::size_t p = 0; p < quarter; ++p) {
            const auto w1 = detail::unit_root(p, len);
            const auto w2 = detail::unit_root(2 * p, len);
            const auto w3 = detail::unit_root(3 * p, len);
            twiddles_.push_back({w1.real(), w1.imag(), w2.real(), w2.imag(), w3.real(), w3.imag()});
        }
    }
    re_.assign(m_, 0.0);
    im_.assign(m_, 0.0);
    re_tmp_.assign(m_, 0.0);
    im_tmp_.assign(m_, 0.0);

    if (m_ != n_) {
        // Bluestein: nk = (n^2 + k^2 - (k - n)^2) / 2, so
        // X[k] = c[k] * sum_n (x[n] c[n]) conj(c[k - n]),  c[n] = e^{-j pi n^2 / N}.
        // n^2 is reduced modulo 2N in integers before the angle is formed.
        chirp_re_.resize(n_);
        chirp_im_.resize(n_);
        const unsigned long long two_n = 2ULL * n_;
        for (std::size_t i = 0; i < n_; ++i) {
            const unsigned long long sq = (static_cast<unsigned long long>(i) * i) % two_n;
            const auto c = detail::unit_root(sq, two_n);  // e^{-j 2 pi sq / 2N} = e^{-j pi n^2 / N}
            chirp_re_[i] = c.real();
            chirp_im_[i] = c.imag();
        }
        // Kernel b[j] = conj(c[|j|]) on the circle of length M, transformed once.
        std::fill(re_.begin(), re_.end(), 0.0);
        std::fill(im_.begin(), im_.end(), 0.0);
        for (std::size_t i = 0; i < n_; ++i) {
            re_[i] = chirp_re_[i];
            im_[i] = -chirp_im_[i];
            if (i != 0) {
                re_[m_ - i] = chirp_re_[i];
                im_[m_ - i] = -chirp_im_[i];
            }
        }
        pow2_forward();
        const double scale = 1.0 / static_cast<double>(m_);
        kernel_re_.resize(m_);
        kernel_im_.resize(m_);
        for (std::size_t i = 0; i < m_; ++i) {
            kernel_re_[i] = re_[i] * scale;
            kernel_im_[i] = im_[i] * scale;
        }
    }
}

inline void Fft::pow2_forward() noexcept {
    double* xr = re_.data();
    double* xi = im_.data();
    double* yr = re_tmp_.data();
    double* yi = im_tmp_.data();
    const Twiddle* tw = twiddles_.data();
    std::size_t len = m_;
    std::size_t stride = 1;  // s: number of interleaved sub-transforms already split off
    // Radix-4 decimation-in-frequency Stockham pass:
    //   y[q + s(4p + r)] = W_L^{rp} * sum_j x[q + s(p + j L/4)] (-j)^{rj},  r, j = 0..3.
    while (len >= 4) {
        const std::size_t quarter = len / 4;
        for (std::size_t p = 0; p < quarter; ++p) {
            const Twiddle w = tw[p];
            const double* ar = xr + stride * p;
            const double* ai = xi + stride * p;
            const double* br = ar + stride * quarter;
            const double* bi = ai + stride * quarter;
            const double* cr = br + stride * quarter;
            const double* ci = bi + stride * quarter;
            const double* dr = cr + stride * quarter;
            const double* di = ci + stride * quarter;
            double* y0r = yr + stride * 4 * p;
            double* y0i = yi + stride * 4 * p;
            double* y1r = y0r + stride;
            double* y1i = y0i + stride;
            double* y2r = y1r + stride;
            double* y2i = y1i + stride;
            double* y3r = y2r + stride;
            double* y3i = y2i + stride;
            for (std::size_t q = 0; q < stride; ++q) {
                const double apc_r = ar[q] + cr[q], apc_i = ai[q] + ci[q];
                const double amc_r = ar[q] - cr[q], amc_i = ai[q] - ci[q];
                const double bpd_r = br[q] + dr[q], bpd_i = bi[q] + di[q];
                // -j (b - d)
                const double jbmd_r = bi[q] - di[q], jbmd_i = dr[q] - br[q];
                y0r[q] = apc_r + bpd_r;
                y0i[q] = apc_i + bpd_i;
                const double t1r = amc_r + jbmd_r, t1i = amc_i + jbmd_i;
                const double t2r = apc_r - bpd_r, t2i = apc_i - bpd_i;
                const double t3r = amc_r - jbmd_r, t3i = amc_i - jbmd_i;
                y1r[q] = t1r * w.re1 - t1i * w.im1;
                y1i[q] = t1r * w.im1 + t1i * w.re1;
                y2r[q] = t2r * w.re2 - t2i * w.im2;
                y2i[q] = t2r * w.im2 + t2i * w.re2;
                y3r[q] = t3r * w.re3 - t3i * w.im3;
                y3i[q] = t3r * w.im3 + t3i * w.re3;
            }
        }
        tw += quarter;
        len = quarter;
        stride *= 4;
        std::swap(xr, yr);
        std::swap(xi, yi);
    }
    if (len == 2) {  // last radix-2 pass: twiddle is 1
        const std::size_t half = stride;
        for (std::size_t q = 0; q < half; ++q) {
            const double a_r = xr[q], a_i = xi[q], b_r = xr[q + half], b_i = xi[q + half];
            yr[q] = a_r + b_r;
            yi[q] = a_i + b_i;
            yr[q + half] = a_r - b_r;
            yi[q + half] = a_i - b_i;
        }
        std::swap(xr, yr);
        std::swap(xi, yi);
    }
    if (xr != re_.data()) {  // result landed in the scratch pair: swap buffers, not data
        re_.swap(re_tmp_);
        im_.swap(im_tmp_);
    }
}

inline void Fft::transform(const complex* in, complex* out, Direction dir) noexcept {
    // The inverse is conj(DFT(conj(X))) / N.
    const double sign = dir == Direction::forward ? 1.0 : -1.0;
    if (m_ == n_) {
        for (std::size_t i = 0; i < n_; ++i) {
            re_[i] = in[i].real();
            im_[i] = sign * in[i].imag();
        }
    } else {
        for (std::size_t i = 0; i < n_; ++i) {
            const double xr = in[i].real(), xi = sign * in[i].imag();
            re_[i] = xr * chirp_re_[i] - xi * chirp_im_[i];
            im_[i] = xr * chirp_im_[i] + xi * chirp_re_[i];
        }
        std::fill(re_.begin() + static_cast<std::ptrdiff_t>(n_), re_.end(), 0.0);
        std::fill(im_.begin() + static_cast<std::ptrdiff_t>(n_), im_.end(), 0.0);
        pow2_forward();
        // Multiply by the kernel spectrum and transform back (inverse via conjugation: the
        // conjugate of the product goes through the forward FFT, and the result is conjugated).
        for (std::size_t i = 0; i < m_; ++i) {
            const double ar = re_[i], ai = im_[i];
            const double br = kernel_re_[i], bi = kernel_im_[i];
            re_[i] = ar * br - ai * bi;
            im_[i] = -(ar * bi + ai * br);
        }
        pow2_forward();
        for (std::size_t i = 0; i < n_; ++i) {
            const double cr = re_[i], ci = -im_[i];  // convolution result
            re_[i] = cr * chirp_re_[i] - ci * chirp_im_[i];
            im_[i] = cr * chirp_im_[i] + ci * chirp_re_[i];
        }
    }
    if (m_ == n_) pow2_forward();
    if (dir == Direction::forward) {
        for (std::size_t i = 0; i < n_; ++i) out[i] = complex(re_[i], im_[i]);
    } else {
        const double scale = 1.0 / static_cast<double>(n_);
        for (std::size_t i = 0; i < n_; ++i) out[i] = complex(re_[i] * scale, -im_[i] * scale);
    }
}

inline void Fft::forward_real(const double* in, complex* out) noexcept {
    // Real input through the complex path. (Bluestein keeps the chirp product complex anyway, so
    // the half-length packing trick would only pay off for powers of two.)
    if (m_ == n_) {
        for (std::size_t i = 0; i < n_; ++i) {
            re_[i] = in[i];
            im_[i] = 0.0;
        }
        pow2_forward();
    } else {
        for (std::size_t i = 0; i < n_; ++i) {
            re_[i] = in[i] * chirp_re_[i];
            im_[i] = in[i] * chirp_im_[i];
        }
        std::fill(re_.begin() + static_cast<std::ptrdiff_t>(n_), re_.end(), 0.0);
        std::fill(im_.begin() + static_cast<std::ptrdiff_t>(n_), im_.end(), 0.0);
        pow2_forward();
        for (std::size_t i = 0; i < m_; ++i) {
            const double ar = re_[i], ai = im_[i];
            const double br = kernel_re_[i], bi = kernel_im_[i];
            re_[i] = ar * br - ai * bi;
            im_[i] = -(ar * bi + ai * br);
        }
        pow2_forward();
        const std::size_t bins = n_ / 2 + 1;
        for (std::size_t i = 0; i < bins; ++i) {
            const double cr = re_[i], ci = -im_[i];
            re_[i] = cr * chirp_re_[i] - ci * chirp_im_[i];
            im_[i] = cr * chirp_im_[i] + ci * chirp_re_[i];
        }
    }
    const std::size_t bins = n_ / 2 + 1;
    for (std::size_t i = 0; i < bins; ++i) out[i] = complex(re_[i], im_[i]);
}

inline std::vector<Fft::complex> Fft::forward_real(const std::vector<double>& in) {
    if (in.size() != n_) throw std::invalid_argument("nofold::analysis::Fft::forward_real: wrong input length");
    std::vector<complex> out(n_ / 2 + 1);
    forward_real(in.data(), out.data());
    return out;
}

}  // namespace nofold::analysis
