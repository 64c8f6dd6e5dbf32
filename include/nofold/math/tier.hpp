// nofold::math — accuracy tiers of the activation policies.
//
// A tier is a template parameter of the policies whose cost depends on accuracy (tanh, sigmoid and the
// exp-based functions), never global state: `Tanh<Exact>` and `Tanh<Fast>` can live in one program.
// Units: none. Allocates: never.
#pragma once

#include <type_traits>

namespace nofold::math {

/// Float results within 4 ULP of the correctly rounded value over the whole float range (±inf and NaN
/// propagate as the C library does); double results within a few double ULP.
struct Exact {};
/// Cheaper kernels with a documented maximum absolute error (≤ 2e-6 for tanh and sigmoid; ≤ 1e-6·max(1, |f|)
/// for most exp-based functions, see exponential.hpp) and an explicit input clamp, so ±inf, NaN and huge
/// inputs give defined results (NaN maps to the lower clamp; bounded functions stay finite, unbounded ones
/// such as ELU(+inf) give their limit).
struct Fast {};
/// NAM's formulas (Fasttanh and 0.5·(fasttanh(x/2) + 1) for sigmoid), for bit compatibility with NAM
/// models run by NAM's own code. Functions NAM does not approximate use the Exact kernels.
struct NamCompat {};

/// True for the three tier tags above.
template <class T>
inline constexpr bool is_tier_v =
    std::is_same_v<T, Exact> || std::is_same_v<T, Fast> || std::is_same_v<T, NamCompat>;

/// Run-time spelling of the tiers, used by math::Activation and the command-line program.
enum class Accuracy { exact, fast, nam };

/// Lower-case name of a tier ("exact", "fast", "nam").
constexpr const char* to_string(Accuracy a) noexcept {
    return a == Accuracy::exact ? "exact" : a == Accuracy::fast ? "fast" : "nam";
}

}  // namespace nofold::math
