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

/// The run-time spelling of the tiers: the one accuracy vocabulary of nofold. On a single function
/// (math::Activation) it selects the tier above. On a model (nn::Options::math, `--math`) it selects
/// the tier of every activation of the model, with one rule for `nam`, which reproduces NAM Core's
/// fast-tanh build: Core approximates tanh (WaveNet layers, LSTM/GRU cells) and the recurrent gates'
/// sigmoid, and nothing else, so under `nam` every other activation keeps the Exact tier
/// (tier_in_model below; nn/detail/spec_activation.hpp applies it to a file's activations).
enum class Accuracy { exact, fast, nam };

/// The tier a model of accuracy `model` gives one of its activations: the model's own, except under
/// `nam`, where only a function NAM Core approximates (`nam_approximates`: tanh, the recurrent gates)
/// takes NamCompat and every other one stays Exact.
constexpr Accuracy tier_in_model(Accuracy model, bool nam_approximates) noexcept {
    return model == Accuracy::nam && !nam_approximates ? Accuracy::exact : model;
}

/// The tier tag of an Accuracy value: tier_t<Accuracy::fast> is Fast.
template <Accuracy A>
using tier_t = std::conditional_t<A == Accuracy::fast, Fast, std::conditional_t<A == Accuracy::nam, NamCompat, Exact>>;

/// Calls f(Exact{}), f(Fast{}) or f(NamCompat{}): the switch from a run-time Accuracy to a tier type.
template <class F>
constexpr decltype(auto) visit_tier(Accuracy a, F&& f) {
    switch (a) {
        case Accuracy::fast: return f(Fast{});
        case Accuracy::nam: return f(NamCompat{});
        case Accuracy::exact:
        default: return f(Exact{});
    }
}

/// Lower-case name of a tier ("exact", "fast", "nam").
constexpr const char* to_string(Accuracy a) noexcept {
    return a == Accuracy::exact ? "exact" : a == Accuracy::fast ? "fast" : "nam";
}

}  // namespace nofold::math
