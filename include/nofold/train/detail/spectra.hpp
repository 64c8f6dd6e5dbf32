// nofold::train::detail — windowed spectra of real frames and their adjoint, shared by the
// spectral losses (nmr_loss.hpp, stft_loss.hpp).
#pragma once

#include <cmath>
#include <complex>
#include <cstddef>

#include "../../analysis/fft.hpp"

namespace nofold::train::detail {

using complex = std::complex<double>;

/// |z| without std::abs: libstdc++ routes std::abs and std::norm of complex<double> through hypot,
/// which cost a third of the NMR loss; the values here never come near overflow.
inline double power(const complex& z) noexcept { return z.real() * z.real() + z.imag() * z.imag(); }
inline double magnitude(const complex& z) noexcept { return std::sqrt(power(z)); }

/// Bins k = 0 ... N/2 of DFT(gain w a) and DFT(gain w b), N = fft.size(), from one complex FFT of
/// z = gain w (a + j b): A_k = (Z_k + conj Z_{N-k}) / 2, B_k = (Z_k - conj Z_{N-k}) / 2j.
/// `work` holds N values. Never allocates.
template <class T>
void two_real_spectra(analysis::Fft& fft, const T* a, const T* b, const double* window, double gain, complex* work,
                      complex* spectrum_a, complex* spectrum_b) noexcept {
    const std::size_t n = fft.size();
    for (std::size_t i = 0; i < n; ++i) {
        const double w = gain * window[i];
        work[i] = complex(w * static_cast<double>(a[i]), w * static_cast<double>(b[i]));
    }
    fft.forward(work, work);
    for (std::size_t k = 0; k <= n / 2; ++k) {
        const complex z = work[k], zc = std::conj(work[k == 0 ? 0 : n - k]);
        spectrum_a[k] = 0.5 * (z + zc);
        const complex d = 0.5 * (z - zc);
        spectrum_b[k] = complex(d.imag(), -d.real());  // d / j
    }
}

/// The adjoint of x -> bins 0 ... N/2 of DFT(gain w x) for a real x: with dL/dRe X_k + j dL/dIm X_k
/// given as G_k in work[0 ... N/2], adds gain w[n] Re(sum_k G_k e^{+j 2 pi k n / N}) to grad[n].
/// Clobbers `work` (N values). Never allocates.
inline void add_half_spectrum_adjoint(analysis::Fft& fft, complex* work, const double* window, double gain,
                                      double* grad) noexcept {
    const std::size_t n = fft.size();
    for (std::size_t k = n / 2 + 1; k < n; ++k) work[k] = complex(0.0, 0.0);
    fft.inverse(work, work);  // (1/N) sum_k ...
    const double scale = gain * static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i) grad[i] += scale * window[i] * work[i].real();
}

}  // namespace nofold::train::detail
