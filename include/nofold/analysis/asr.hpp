// nofold::analysis::asr — aliasing-to-signal ratio of a bin-exact sine test (Sato & Smith).
#pragma once

#include <cstddef>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "fft.hpp"
#include "ratio.hpp"

namespace nofold::analysis {

/// Result of asr(): the ratio plus the energies it was formed from (DFT-domain, sum of |Y[k]|^2).
struct AsrResult {
    double linear = 0.0;           ///< E_A / E_H
    double db = 0.0;               ///< 10 log10(linear)
    double harmonic_energy = 0.0;  ///< E_H: harmonic bins m*k0 below Nyquist
    double alias_energy = 0.0;     ///< E_A: every other bin 1 ... (N-1)/2 (DC excluded)
    std::size_t harmonic_count = 0;
};

/// Aliasing-to-signal ratio of the output `y` (N = `size` samples, the analysed steady state) of a
/// system driven by x[n] = A sin(2 pi k0 n / N).
///
/// Y = DFT_N(y), no window, no zero padding. Harmonic bins are m*k0 for m = 1, 2, ... while
/// m*k0 <= (N-1)/2; E_H sums |Y|^2 over them, E_A sums |Y|^2 over all other bins 1 ... (N-1)/2
/// (summed directly, never as a difference). ASR = E_A / E_H.
/// Preconditions (std::invalid_argument otherwise): size >= 3, 1 <= k0 <= (N-1)/2 and
/// gcd(k0, N) = 1 so that no two harmonics share a bin. Choose N prime (the paper uses N = fs =
/// 48017, f0 = 1249 Hz) or N a power of two and k0 odd.
/// Units: k0 in DFT bins (= Hz when N = fs). Allocates: yes (a plan and a spectrum; pass a plan of
/// length N to the second overload to reuse it). Not real-time.
/// Reference: T. Sato, J. O. Smith III, "Aliasing Reduction in Neural Amp Modeling by Smoothing
/// Activations", 2025, §3 (docs/metrics.md §2).
AsrResult asr(const double* y, std::size_t size, std::size_t k0);
/// Same, with a caller-owned plan whose size() is the signal length.
AsrResult asr(Fft& plan, const double* y, std::size_t k0);
/// Same, for a whole vector.
inline AsrResult asr(const std::vector<double>& y, std::size_t k0) { return asr(y.data(), y.size(), k0); }

// =============================================================================================
// Implementation
// =============================================================================================

inline AsrResult asr(const double* y, std::size_t size, std::size_t k0) {
    if (size < 3) throw std::invalid_argument("nofold::analysis::asr: need at least 3 samples");
    Fft plan(size);
    return asr(plan, y, k0);
}

inline AsrResult asr(Fft& plan, const double* y, std::size_t k0) {
    const std::size_t n = plan.size();
    const std::size_t top = (n - 1) / 2;  // highest bin below Nyquist
    if (n < 3) throw std::invalid_argument("nofold::analysis::asr: need at least 3 samples");
    if (k0 < 1 || k0 > top)
        throw std::invalid_argument("nofold::analysis::asr: k0 must be in 1 ... (N-1)/2");
    if (std::gcd(k0, n) != 1)
        throw std::invalid_argument("nofold::analysis::asr: k0 and N must be coprime (choose N prime)");
    std::vector<Fft::complex> spectrum(n / 2 + 1);
    plan.forward_real(y, spectrum.data());

    AsrResult result;
    std::size_t next_harmonic = k0;
    for (std::size_t k = 1; k <= top; ++k) {
        const double e = std::norm(spectrum[k]);
        if (k == next_harmonic) {
            result.harmonic_energy += e;
            ++result.harmonic_count;
            next_harmonic += k0;
        } else {
            result.alias_energy += e;
        }
    }
    const Ratio r = Ratio::of_energies(result.alias_energy, result.harmonic_energy);
    result.linear = r.linear;
    result.db = r.db;
    return result;
}

}  // namespace nofold::analysis
