// nofold::analysis windows: Dolph-Chebyshev and Hann, symmetric or periodic.
#pragma once

#include <cmath>
#include <complex>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "detail/constants.hpp"
#include "fft.hpp"

namespace nofold::analysis {

/// Symmetric windows satisfy w[n] = w[L-1-n] (filter design, frame analysis); periodic (DFT-even)
/// windows are the symmetric window of length L+1 without its last sample, so that w[n] = w[L-n]
/// for the DFT's circular index (spectral analysis of one period).
enum class WindowSymmetry { symmetric, periodic };

/// Dolph-Chebyshev window: the narrowest main lobe for equiripple side lobes `attenuation_db`
/// below the main-lobe peak. Normalised to a peak of 1.
/// Built in the frequency domain: the length-L symmetric window (order M = L - 1) has the DTFT
/// e^{-j w M/2} T_M(x0 cos(w/2)), x0 = cosh(acosh(10^{att/20}) / M), sampled at w = 2 pi k / L and
/// inverted with an L-point DFT (exact, as the window has L samples).
/// Units: attenuation in dB (> 0). Allocates: yes (result and an FFT plan). Not real-time.
/// Reference: C. L. Dolph, Proc. IRE 34(6), 1946; F. J. Harris, Proc. IEEE 66(1), 1978, §V.
std::vector<double> chebyshev_window(std::size_t length, double attenuation_db, WindowSymmetry symmetry);

/// Hann window 0.5 (1 - cos(2 pi n / D)), D = L - 1 (symmetric) or L (periodic).
/// Allocates: yes (the result). Not real-time.
std::vector<double> hann_window(std::size_t length, WindowSymmetry symmetry);

// =============================================================================================
// Implementation
// =============================================================================================

namespace detail {

// T_order(cosh(a) cos(phi)) for an integer order, accurate near x = +-1: the main lobe has x0 = cosh(a)
// within ~1e-8 of 1, where forming x - 1 directly would lose half the digits. Uses
// x - 1 = 2 sinh^2(a/2) - 2 cosh(a) sin^2(phi/2), acosh(1 + e) = log1p(e + sqrt(e (2 + e))) and
// acos(1 + e) = 2 asin(sqrt(-e/2)); T(-x) = (-1)^order T(x) folds phi into [0, pi/2].
inline double chebyshev_t_of_cos(double order, double a, double phi) noexcept {
    phi = std::fabs(std::remainder(phi, 2.0 * pi));
    double sign = 1.0;
    if (phi > pi / 2.0) {
        phi = pi - phi;
        if (std::fmod(order, 2.0) != 0.0) sign = -1.0;
    }
    const double sh = std::sinh(a / 2.0), s = std::sin(phi / 2.0);
    const double eps = 2.0 * sh * sh - 2.0 * std::cosh(a) * s * s;
    if (eps >= 0.0) return sign * std::cosh(order * std::log1p(eps + std::sqrt(eps * (2.0 + eps))));
    return sign * std::cos(order * 2.0 * std::asin(std::sqrt(-eps / 2.0)));
}

}  // namespace detail

inline std::vector<double> chebyshev_window(std::size_t length, double attenuation_db, WindowSymmetry symmetry) {
    if (length == 0) throw std::invalid_argument("nofold::analysis::chebyshev_window: length must be at least 1");
    if (!(attenuation_db > 0.0))
        throw std::invalid_argument("nofold::analysis::chebyshev_window: attenuation must be positive (dB)");
    const std::size_t sym_length = symmetry == WindowSymmetry::periodic ? length + 1 : length;
    std::vector<double> w(sym_length, 1.0);
    if (sym_length > 1) {
        using detail::pi;
        const double order = static_cast<double>(sym_length - 1);
        const double ripple = std::pow(10.0, attenuation_db / 20.0);
        const double a = std::acosh(ripple) / order;  // x0 = cosh(a)
        std::vector<std::complex<double>> spectrum(sym_length);
        const double l = static_cast<double>(sym_length);
        for (std::size_t k = 0; k < sym_length; ++k) {
            const double amp = detail::chebyshev_t_of_cos(order, a, pi * static_cast<double>(k) / l);
            // Linear phase e^{-j pi k M / L}, with k M reduced modulo 2L in integers.
            const unsigned long long turns = (static_cast<unsigned long long>(k) * (sym_length - 1)) % (2ULL * sym_length);
            const double phase = -pi * static_cast<double>(turns) / l;
            spectrum[k] = std::polar(amp, phase);
        }
        Fft fft(sym_length);
        fft.inverse(spectrum.data(), spectrum.data());
        double peak = 0.0;
        for (std::size_t n = 0; n < sym_length; ++n) {
            w[n] = spectrum[n].real();
            peak = std::fmax(peak, w[n]);
        }
        for (auto& v : w) v /= peak;
        // Enforce exact symmetry (removes rounding differences between mirrored samples).
        for (std::size_t n = 0; n < sym_length / 2; ++n) {
            const double mean = 0.5 * (w[n] + w[sym_length - 1 - n]);
            w[n] = w[sym_length - 1 - n] = mean;
        }
    }
    w.resize(length);
    return w;
}

inline std::vector<double> hann_window(std::size_t length, WindowSymmetry symmetry) {
    if (length == 0) throw std::invalid_argument("nofold::analysis::hann_window: length must be at least 1");
    std::vector<double> w(length, 1.0);
    const std::size_t denom = symmetry == WindowSymmetry::periodic ? length : length - 1;
    if (denom == 0) return w;
    using detail::pi;
    for (std::size_t n = 0; n < length; ++n)
        w[n] = 0.5 * (1.0 - std::cos(2.0 * pi * static_cast<double>(n) / static_cast<double>(denom)));
    return w;
}

}  // namespace nofold::analysis
