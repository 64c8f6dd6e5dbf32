// nofold::dsp — equiripple (minimax) linear-phase FIR half-band design by the Remez exchange.
//
// A half-band of length 4J - 1 (centre tap 1/2, every other tap zero, J distinct side taps g_j =
// h[centre ± (2j - 1)]) has the zero-phase amplitude
//     A(f) = 1/2 + 2 sum_j g_j cos(2 pi (2j - 1) f),     with A(f) + A(1/2 - f) = 1,
// so its stopband error mirrors its passband error: making |A - 1| equiripple and as small as
// possible on the passband [0, (0.5 - tbw)/2] makes the stopband [(0.5 + tbw)/2, 0.5] equiripple
// at the same level. That is a Chebyshev approximation of the constant 1/2 by the J functions
// cos((2j - 1) theta) on [0, theta_p], which form a Haar system there (odd polynomials in
// cos(theta) > 0), so the Remez exchange converges to the unique minimax solution: J + 1
// alternating extrema of equal size delta. Stopband attenuation = -20 log10(delta).
// Everything is in double and constexpr-capable, but a design takes ~10^6-10^7 steps, beyond
// clang's default constant-evaluation limit: Cascade designs its equiripple stages when it is
// constructed (well under a millisecond), and sizes them at compile time by a closed-form estimate.
// Precision: designs are exact to double rounding down to a ripple of ~1e-12 (240 dB); deeper
// (absurd) requests report converged = false.
//
// Units: `tbw` normalised to the HIGH (2x) rate as for the Kaiser designer (passband to
// (0.5 - tbw)/2, stopband from (0.5 + tbw)/2 cycles per high-rate sample); attenuation in dB.
// Latency of one filter: 2J - 1 high-rate samples (exact, all frequencies).
// Allocates: never (fixed-size arrays; J up to fir_equiripple_max_side_taps).
// Reference: T. W. Parks, J. H. McClellan, "Chebyshev approximation for nonrecursive digital
// filters with linear phase", IEEE Trans. Circuit Theory 19(2), 1972 (the exchange); P. P.
// Vaidyanathan, T. Q. Nguyen, "A trick for the design of FIR half-band filters", IEEE Trans.
// Circuits Syst. 34(3), 1987 (half-band symmetry: one band suffices).
#pragma once

#include <array>
#include <cstddef>

#include "detail/constexpr_math.hpp"
#include "fir_halfband_design.hpp"

namespace nofold::dsp {

/// Largest J (side taps; filter length 4J - 1) the equiripple designer handles.
inline constexpr int fir_equiripple_max_side_taps = 64;

/// Result of an equiripple half-band design with J side taps.
template <int J>
struct EquirippleHalfband {
    std::array<double, J> g{};  ///< side taps g[j-1] = h[centre ± (2j - 1)]
    double ripple = 1.0;        ///< delta: peak |A - 1| in the passband = peak |A| in the stopband
    int iterations = 0;         ///< Remez exchanges done
    bool converged = false;     ///< extrema level to 1e-9 relative (or to double rounding)
    /// Stopband attenuation in dB (positive).
    constexpr double attenuation_db() const noexcept { return -20.0 * detail::cx_log(ripple) / detail::cx_log(10.0); }
};

/// Equiripple half-band with J side taps for transition bandwidth tbw (0 < tbw < 0.5).
template <int J>
constexpr EquirippleHalfband<J> fir_halfband_equiripple(double tbw) noexcept;

/// Stopband attenuation (dB) of the equiripple half-band with j side taps at tbw.
constexpr double fir_halfband_equiripple_attenuation_db(int j, double tbw) noexcept;

/// J for an equiripple half-band reaching `attenuation_db` (+1 dB margin for float taps) at `tbw`,
/// by a closed-form fit of this designer's attenuation per side tap (usable at compile time;
/// tests/dsp check that the designs reach it, and that it is the smallest such J for the
/// presets). Capped at fir_equiripple_max_side_taps.
constexpr int fir_halfband_equiripple_side_taps(double tbw, double attenuation_db) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

inline constexpr int remez_max = fir_equiripple_max_side_taps;

struct RemezState {
    std::array<double, remez_max> g{};
    double delta = 1.0;
    int iterations = 0;
    bool converged = false;
};

inline constexpr int remez_ref_max = 2 * remez_max + 1;

/// One exchange step of the classic two-band Parks-McClellan problem, in x = cos(theta): the
/// amplitude A(theta) = sum_{n < 2J} a_n cos(n theta) (a polynomial of degree 2J - 1 in x) against
/// D = 1 on the passband [0, theta_p] and D = 0 on the mirrored stopband [pi - theta_p, pi], equal
/// weights. Its unique minimax solution is the half-band (a_0 = 1/2, even a_n = 0): the mirror
/// image 1 - A(pi - theta) is optimal too. Two bands keep delta out of cancellation, which a
/// one-band formulation of the half-band trick suffers from at high attenuation.
struct RemezStep {
    std::array<double, remez_ref_max> x{};       // reference, 2J + 1 points
    std::array<double, remez_ref_max> d{};       // desired value there
    std::array<double, remez_ref_max> weight{};  // barycentric weights of the first 2J points
    std::array<double, remez_ref_max> value{};   // A at the first 2J points
    int n = 0;                                   // 2J interpolation points
    double delta = 0.0;

    /// A(x) by the second barycentric form (x within [-1, 1], the hull of the nodes).
    constexpr double a(double xx) const noexcept {
        double num = 0.0, den = 0.0;
        for (int k = 0; k < n; ++k) {
            const double diff = xx - x[static_cast<std::size_t>(k)];
            if (diff == 0.0) return value[static_cast<std::size_t>(k)];
            const double t = weight[static_cast<std::size_t>(k)] / diff;
            num += t * value[static_cast<std::size_t>(k)];
            den += t;
        }
        return num / den;
    }
};

/// Barycentric weight 1 / prod_{i != k} 2 (x_k - x_i) over the first `count` points (the factor 2,
/// 4 / interval length, keeps the products in range).
constexpr double barycentric_weight(const std::array<double, remez_ref_max>& x, int count, int k) noexcept {
    double w = 1.0;
    for (int i = 0; i < count; ++i)
        if (i != k) w /= 2.0 * (x[static_cast<std::size_t>(k)] - x[static_cast<std::size_t>(i)]);
    return w;
}

constexpr RemezStep remez_step(const std::array<double, remez_ref_max>& theta, int count, double theta_p) noexcept {
    RemezStep r;
    r.n = count - 1;
    for (int k = 0; k < count; ++k) {
        const double t = theta[static_cast<std::size_t>(k)];
        r.x[static_cast<std::size_t>(k)] = cx_cos(t);
        r.d[static_cast<std::size_t>(k)] = t <= theta_p + 1e-12 ? 1.0 : 0.0;
    }
    double num = 0.0, den = 0.0;
    for (int k = 0; k < count; ++k) {
        const double b = barycentric_weight(r.x, count, k);
        num += b * r.d[static_cast<std::size_t>(k)];
        den += (k % 2 == 0) ? b : -b;
    }
    r.delta = num / den;
    for (int k = 0; k < r.n; ++k) {
        r.weight[static_cast<std::size_t>(k)] = barycentric_weight(r.x, r.n, k);
        r.value[static_cast<std::size_t>(k)] = r.d[static_cast<std::size_t>(k)] - ((k % 2 == 0) ? r.delta : -r.delta);
    }
    return r;
}

/// Side taps from the interpolant: cosine coefficients a_n from A at 2J Chebyshev points (exact
/// for degree < 2J), g_j = a_{2j-1} / 2.
constexpr void remez_taps(const RemezStep& r, int j_count, RemezState& out) noexcept {
    const int n = 2 * j_count;
    std::array<double, 2 * remez_max> av{};
    for (int m = 0; m < n; ++m) av[static_cast<std::size_t>(m)] = r.a(cx_cos(pi * (m + 0.5) / n));
    for (int j = 1; j <= j_count; ++j) {
        const int k = 2 * j - 1;
        double s = 0.0;
        for (int m = 0; m < n; ++m) s += av[static_cast<std::size_t>(m)] * cx_cos(pi * k * (m + 0.5) / n);
        out.g[static_cast<std::size_t>(j - 1)] = 0.5 * (2.0 * s / n);
    }
}

/// The Remez exchange for j_count side taps; passband edge theta_p = pi (0.5 - tbw) rad/sample
/// (= 2 pi (0.5 - tbw)/2), stopband from pi - theta_p.
constexpr RemezState remez_halfband(int j_count, double tbw) noexcept {
    RemezState s;
    if (j_count < 1 || j_count > remez_max || !(tbw > 0.0 && tbw < 0.5)) return s;
    const double theta_p = pi * (0.5 - tbw);
    const double theta_s = pi - theta_p;
    const int n_ref = 2 * j_count + 1;
    // Initial reference: J + 1 points over the passband, J over the stopband, ends included.
    std::array<double, remez_ref_max> ref{};
    for (int k = 0; k <= j_count; ++k) ref[static_cast<std::size_t>(k)] = theta_p * k / j_count;
    for (int k = 0; k < j_count; ++k)
        ref[static_cast<std::size_t>(j_count + 1 + k)] = theta_s + (pi - theta_s) * k / (j_count > 1 ? j_count - 1 : 1);
    if (j_count == 1) ref[2] = pi;
    const int grid = 16 * (j_count + 1);  // intervals per band for locating the extrema
    RemezStep r;
    for (int iter = 0; iter < 100; ++iter) {
        r = remez_step(ref, n_ref, theta_p);
        s.delta = cx_abs(r.delta);
        s.iterations = iter + 1;
        // Local extrema of the error on each band's grid (band edges always candidates), refined
        // by a parabola through the three grid points.
        std::array<double, 8 * (remez_max + 1)> cand_theta{};
        std::array<double, 8 * (remez_max + 1)> cand_err{};
        int count = 0;
        for (int band = 0; band < 2; ++band) {
            const double lo = band == 0 ? 0.0 : theta_s;
            const double hi = band == 0 ? theta_p : pi;
            const double desired = band == 0 ? 1.0 : 0.0;
            const double step = (hi - lo) / grid;
            const auto error = [&](double t) { return r.a(cx_cos(t)) - desired; };
            double e_prev = error(lo), e_cur = error(lo + step);
            cand_theta[static_cast<std::size_t>(count)] = lo;
            cand_err[static_cast<std::size_t>(count)] = e_prev;
            ++count;
            for (int i = 1; i < grid && count < static_cast<int>(cand_theta.size()) - 2; ++i) {
                const double e_next = error(lo + (i + 1) * step);
                const bool is_max = e_cur >= e_prev && e_cur > e_next;
                const bool is_min = e_cur <= e_prev && e_cur < e_next;
                if (is_max || is_min) {
                    const double denom = e_prev - 2.0 * e_cur + e_next;
                    double offset = denom != 0.0 ? 0.5 * (e_prev - e_next) / denom : 0.0;
                    if (offset > 0.5) offset = 0.5;
                    if (offset < -0.5) offset = -0.5;
                    const double t = lo + (i + offset) * step;
                    const double e = error(t);
                    const bool better = cx_abs(e) >= cx_abs(e_cur);
                    cand_theta[static_cast<std::size_t>(count)] = better ? t : lo + i * step;
                    cand_err[static_cast<std::size_t>(count)] = better ? e : e_cur;
                    ++count;
                }
                e_prev = e_cur;
                e_cur = e_next;
            }
            cand_theta[static_cast<std::size_t>(count)] = hi;
            cand_err[static_cast<std::size_t>(count)] = error(hi);
            ++count;
        }
        // Alternation: of neighbours with the same sign keep the larger.
        int kept = 0;
        for (int i = 0; i < count; ++i) {
            const double e = cand_err[static_cast<std::size_t>(i)];
            if (kept > 0 && (e > 0) == (cand_err[static_cast<std::size_t>(kept - 1)] > 0)) {
                if (cx_abs(e) > cx_abs(cand_err[static_cast<std::size_t>(kept - 1)])) {
                    cand_err[static_cast<std::size_t>(kept - 1)] = e;
                    cand_theta[static_cast<std::size_t>(kept - 1)] = cand_theta[static_cast<std::size_t>(i)];
                }
                continue;
            }
            cand_err[static_cast<std::size_t>(kept)] = e;
            cand_theta[static_cast<std::size_t>(kept)] = cand_theta[static_cast<std::size_t>(i)];
            ++kept;
        }
        if (kept < n_ref) break;  // not expected (Haar system); keep the last solution
        // Too many: drop the smaller of the two ends until 2J + 1 remain (keeps alternation).
        int first = 0, last = kept - 1;
        while (last - first + 1 > n_ref) {
            if (cx_abs(cand_err[static_cast<std::size_t>(first)]) < cx_abs(cand_err[static_cast<std::size_t>(last)]))
                ++first;
            else
                --last;
        }
        double peak = 0.0;
        for (int k = 0; k < n_ref; ++k) {
            ref[static_cast<std::size_t>(k)] = cand_theta[static_cast<std::size_t>(first + k)];
            const double e = cx_abs(cand_err[static_cast<std::size_t>(first + k)]);
            if (e > peak) peak = e;
        }
        // Converged when the extrema are level: to 1e-9, or to the rounding floor of A.
        if (peak - s.delta <= 1e-9 * peak || peak - s.delta <= 1e-15) {
            s.converged = true;
            break;
        }
    }
    remez_taps(r, j_count, s);
    return s;
}

}  // namespace detail

template <int J>
constexpr EquirippleHalfband<J> fir_halfband_equiripple(double tbw) noexcept {
    static_assert(J >= 1 && J <= fir_equiripple_max_side_taps,
                  "fir_halfband_equiripple: J must be between 1 and fir_equiripple_max_side_taps");
    const detail::RemezState s = detail::remez_halfband(J, tbw);
    EquirippleHalfband<J> r;
    for (int j = 0; j < J; ++j) r.g[static_cast<std::size_t>(j)] = s.g[static_cast<std::size_t>(j)];
    r.ripple = s.delta;
    r.iterations = s.iterations;
    r.converged = s.converged;
    return r;
}

constexpr double fir_halfband_equiripple_attenuation_db(int j, double tbw) noexcept {
    const double delta = detail::remez_halfband(j, tbw).delta;
    return -20.0 * detail::cx_log(delta) / detail::cx_log(10.0);
}

constexpr int fir_halfband_equiripple_side_taps(double tbw, double attenuation_db) noexcept {
    // Measured on this designer (tests/dsp/fir_halfband_equiripple_test.cpp checks it): each side
    // tap adds at least 57.5 tbw dB (Kaiser's 14.36 dB per tap and unit transition, 4 taps per J),
    // more for wide transitions, on top of 10 dB; +1 dB margin for float taps.
    const double wide = tbw > 0.25 ? tbw - 0.25 : 0.0;
    const double db_per_j = 57.5 * tbw + 120.0 * tbw * wide;
    auto j = static_cast<int>(detail::cx_ceil((attenuation_db + 1.0 - 10.0) / db_per_j));
    if (j < 1) j = 1;
    return j > fir_equiripple_max_side_taps ? fir_equiripple_max_side_taps : j;
}

}  // namespace nofold::dsp
