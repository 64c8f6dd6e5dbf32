// nofold::io::detail — activations as model files name them → nn::ActivationSpec, with every
// parameter filled in (defaults written out), so two specs compare equal exactly when they compute
// the same function. Unknown names and parameters are refused, naming them.
// Units: none. Latency: none. Allocates: loading only.
// Reference: docs/model-formats.md §2.8 "Activation names".
#pragma once

#include <string>
#include <vector>

#include "../../nn/activation_spec.hpp"
#include "json_access.hpp"

namespace nofold::io::detail {

/// Names nofold knows, in the file's spelling.
inline bool known_activation(const std::string& name) {
    for (const char* n : {"Tanh", "Hardtanh", "Fasttanh", "ReLU", "LeakyReLU", "PReLU", "Sigmoid", "SiLU", "Hardswish",
                          "Softsign", "LeakyHardtanh", "LeakyHardTanh"})
        if (name == n) return true;
    return false;
}

/// Default parameters per name (see nn::ActivationSpec for the order).
inline std::vector<float> default_activation_params(const std::string& name) {
    if (name == "LeakyReLU" || name == "PReLU") return {0.01f};
    if (name == "LeakyHardtanh" || name == "LeakyHardTanh") return {-1.0f, 1.0f, 0.01f, 0.01f};
    return {};
}

/// A string ("Tanh") or an object ({"type": "LeakyReLU", "negative_slope": 0.2}).
/// `allow_default`: null and "" mean "the slot's default" (secondary activations); returns an empty name.
inline nn::ActivationSpec read_activation(const Source& src, const json::Value& v, const std::string& path,
                                          bool allow_default) {
    nn::ActivationSpec spec;
    if (allow_default && (v.is_null() || (v.is_string() && v.as_string().empty()))) return spec;
    if (v.is_string()) {
        spec.name = v.as_string();
        if (!known_activation(spec.name)) src.fail(v, path, "unsupported activation \"" + spec.name + "\"");
        spec.params = default_activation_params(spec.name);
        return spec;
    }
    if (!v.is_object()) src.fail(v, path, "expected an activation name or object, found " + describe(v));
    const json::Value& type = src.require(v, "type", path);
    spec.name = src.string(type, json::path_member(path, "type"));
    if (!known_activation(spec.name)) src.fail(type, json::path_member(path, "type"), "unsupported activation \"" + spec.name + "\"");
    spec.params = default_activation_params(spec.name);
    auto param = [&](const char* key, std::size_t index) {
        if (const json::Value* p = v.find(key))
            spec.params[index] = static_cast<float>(src.number(*p, json::path_member(path, key)));
    };
    if (spec.name == "LeakyReLU") {
        src.only_keys(v, path, {"type", "negative_slope"}, "a LeakyReLU activation");
        param("negative_slope", 0);
    } else if (spec.name == "PReLU") {
        src.only_keys(v, path, {"type", "negative_slope", "negative_slopes"}, "a PReLU activation");
        const json::Value* one = v.find("negative_slope");
        const json::Value* many = v.find("negative_slopes");
        if (one && many) src.fail(v, path, "PReLU has both negative_slope and negative_slopes");
        if (one) param("negative_slope", 0);
        if (many) {
            const std::string p = json::path_member(path, "negative_slopes");
            src.expect_type(*many, json::Type::array, p);
            if (many->size() == 0) src.fail(*many, p, "negative_slopes must not be empty");
            spec.params.clear();
            for (std::size_t i = 0; i < many->size(); ++i)
                spec.params.push_back(static_cast<float>(src.number((*many)[i], json::path_index(p, i))));
        }
    } else if (spec.name == "LeakyHardtanh" || spec.name == "LeakyHardTanh") {
        src.only_keys(v, path, {"type", "min_val", "max_val", "min_slope", "max_slope"}, "a LeakyHardtanh activation");
        param("min_val", 0);
        param("max_val", 1);
        param("min_slope", 2);
        param("max_slope", 3);
        if (!(spec.params[0] <= spec.params[1])) src.fail(v, path, "LeakyHardtanh needs min_val <= max_val");
    } else {
        src.only_keys(v, path, {"type"}, "an activation without parameters");
    }
    return spec;
}

}  // namespace nofold::io::detail
