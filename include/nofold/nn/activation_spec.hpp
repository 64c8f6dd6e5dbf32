// nofold::nn — ActivationSpec: an activation named as in a model file, with its parameters.
//
// Plain data filled by loaders; the runtime models turn it into a nofold::math activation when they
// are built. Units: none (activations are dimensionless). Latency: none. Allocates: on copy
// (std::string, std::vector); never used on a real-time path.
// Reference: docs/model-formats.md §2.8 "Activation names".
#pragma once

#include <string>
#include <vector>

namespace nofold::nn {

/// An activation as a model file names it.
///
/// `name` is the file's spelling (`Tanh`, `Hardtanh`, `Fasttanh`, `ReLU`, `LeakyReLU`, `PReLU`,
/// `Sigmoid`, `SiLU`, `Hardswish`, `Softsign`, `LeakyHardtanh`/`LeakyHardTanh`; an empty name means
/// "the default for this slot"). `params` holds the numeric parameters in a fixed order per name;
/// an empty vector means the defaults:
///   LeakyReLU      {negative_slope}                              default {0.01}
///   PReLU          {slope} or {slope per primary channel ...}    default {0.01}
///   LeakyHardtanh  {min_val, max_val, min_slope, max_slope}      default {-1, 1, 0.01, 0.01}
/// Other names take no parameters.
struct ActivationSpec {
    std::string name;
    std::vector<float> params;
};

/// Same activation name and parameters.
inline bool operator==(const ActivationSpec& a, const ActivationSpec& b) {
    return a.name == b.name && a.params == b.params;
}
inline bool operator!=(const ActivationSpec& a, const ActivationSpec& b) { return !(a == b); }

}  // namespace nofold::nn
