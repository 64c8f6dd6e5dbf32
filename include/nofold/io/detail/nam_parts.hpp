// nofold::io::detail — the pieces of the .nam reader: one function per JSON object kind.
// Units: sizes in channels/taps, dilations in samples at the training rate, rates in Hz.
// Latency: none. Allocates: loading only.
// Reference: docs/model-formats.md §1–6.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "../model_file.hpp"
#include "activation_reader.hpp"
#include "json_access.hpp"
#include "metadata_reader.hpp"

namespace nofold::io::detail {

/// Deepest nesting of models inside models (condition_dsp, containers).
inline constexpr int max_model_nesting = 8;
/// Largest delay-line storage (channels × receptive field, summed over arrays) a file may ask for,
/// in floats: 2^26 = 256 MB. Real models use well under 1 MB.
inline constexpr double max_state_floats = 67108864.0;

ModelFile read_nam_object(const Source& src, const json::Value& v, const std::string& path, int depth);

inline nn::FilmConfig read_film(const Source& src, const json::Value& v, const std::string& path) {
    nn::FilmConfig f;
    if (v.is_null()) return f;
    if (v.is_bool()) {
        if (v.as_bool()) src.fail(v, path, "a FiLM slot must be false or an object {active, shift, groups}");
        return f;
    }
    src.expect_type(v, json::Type::object, path);
    src.only_keys(v, path, {"active", "shift", "groups"}, "a FiLM slot");
    f.active = src.bool_member_or(v, "active", path, true);
    f.shift = src.bool_member_or(v, "shift", path, true);
    f.groups = src.integer_member_or(v, "groups", path, 1, 1);
    return f;
}

inline nn::GatingMode read_gating_mode(const Source& src, const json::Value& v, const std::string& path) {
    const std::string& s = src.string(v, path);
    if (s == "none") return nn::GatingMode::none;
    if (s == "gated") return nn::GatingMode::gated;
    if (s == "blended") return nn::GatingMode::blended;
    src.fail(v, path, "unsupported gating_mode \"" + s + "\" (expected none, gated or blended)");
}

inline nn::LayerArrayConfig read_layer_array(const Source& src, const json::Value& v, const std::string& path) {
    src.expect_type(v, json::Type::object, path);
    src.only_keys(v, path,
                  {"input_size", "condition_size", "channels", "bottleneck", "kernel_size", "kernel_sizes", "dilations",
                   "activation", "gated", "gating_mode", "secondary_activation", "head_size", "head_bias", "head",
                   "groups_input", "groups_input_mixin", "layer1x1", "head1x1", "conv_pre_film", "conv_post_film",
                   "input_mixin_pre_film", "input_mixin_post_film", "activation_pre_film", "activation_post_film",
                   "layer1x1_post_film", "head1x1_post_film", "slimmable"},
                  "a WaveNet layer array");
    auto member = [&](const char* key) { return json::path_member(path, key); };
    nn::LayerArrayConfig a;
    a.input_size = src.integer_member(v, "input_size", path, 1);
    a.condition_size = src.integer_member(v, "condition_size", path, 1);
    a.channels = src.integer_member(v, "channels", path, 1);
    a.bottleneck = src.integer_member_or(v, "bottleneck", path, a.channels, 1);
    a.dilations = src.integers(src.require(v, "dilations", path), member("dilations"), 1);
    if (a.dilations.empty()) src.fail(*v.find("dilations"), member("dilations"), "dilations must not be empty");
    const std::size_t layers = a.dilations.size();
    auto per_layer_count = [&](const json::Value& list, const std::string& p) {
        if (list.size() != layers)
            src.fail(list, p, "expected one entry per layer (" + std::to_string(layers) + "), found " +
                                  std::to_string(list.size()));
    };

    const json::Value* k1 = v.find("kernel_size");
    const json::Value* kn = v.find("kernel_sizes");
    if (k1 && kn) src.fail(v, path, "both kernel_size and kernel_sizes are given");
    if (!k1 && !kn) src.fail(v, path, "missing required key \"kernel_size\" (or \"kernel_sizes\")");
    if (k1) a.kernel_sizes = {src.integer(*k1, member("kernel_size"), 1)};
    if (kn) {
        a.kernel_sizes = src.integers(*kn, member("kernel_sizes"), 1);
        per_layer_count(*kn, member("kernel_sizes"));
    }

    const json::Value& act = src.require(v, "activation", path);
    if (act.is_array()) {
        per_layer_count(act, member("activation"));
        for (std::size_t i = 0; i < act.size(); ++i)
            a.activations.push_back(read_activation(src, act[i], json::path_index(member("activation"), i), false));
    } else {
        a.activations = {read_activation(src, act, member("activation"), false)};
    }

    const json::Value* gated = v.find("gated");
    const json::Value* mode = v.find("gating_mode");
    if (gated && !gated->is_null()) {
        a.gating_modes = {src.boolean(*gated, member("gated")) ? nn::GatingMode::gated : nn::GatingMode::none};
    }
    if (mode && !mode->is_null()) {
        std::vector<nn::GatingMode> modes;
        if (mode->is_array()) {
            per_layer_count(*mode, member("gating_mode"));
            for (std::size_t i = 0; i < mode->size(); ++i)
                modes.push_back(read_gating_mode(src, (*mode)[i], json::path_index(member("gating_mode"), i)));
        } else {
            modes = {read_gating_mode(src, *mode, member("gating_mode"))};
        }
        if (!a.gating_modes.empty()) {
            for (nn::GatingMode m : modes)
                if (m != a.gating_modes.front())
                    src.fail(*mode, member("gating_mode"), "gating_mode disagrees with the old key \"gated\"");
        }
        a.gating_modes = modes;
    }
    if (const json::Value* sec = v.find("secondary_activation")) {
        if (sec->is_array()) {
            per_layer_count(*sec, member("secondary_activation"));
            for (std::size_t i = 0; i < sec->size(); ++i)
                a.secondary_activations.push_back(
                    read_activation(src, (*sec)[i], json::path_index(member("secondary_activation"), i), true));
        } else {
            a.secondary_activations = {read_activation(src, *sec, member("secondary_activation"), true)};
        }
    }

    const json::Value* head = v.find("head");
    const json::Value* head_size = v.find("head_size");
    if (head && !head->is_null()) {
        if (head_size) src.fail(v, path, "both head and head_size are given");
        const std::string p = member("head");
        src.expect_type(*head, json::Type::object, p);
        src.only_keys(*head, p, {"out_channels", "kernel_size", "bias", "head_dilation"}, "a layer-array head");
        a.head.out_channels = src.integer_member(*head, "out_channels", p, 1);
        a.head.kernel_size = src.integer_member_or(*head, "kernel_size", p, 1, 1);
        a.head.bias = src.bool_member_or(*head, "bias", p, false);
        a.head.dilation = src.integer_member_or(*head, "head_dilation", p, 1, 1);
        if (v.find("head_bias")) src.fail(v, path, "both head and head_bias are given");
    } else {
        if (!head_size) src.fail(v, path, "missing required key \"head_size\" (or \"head\")");
        a.head.out_channels = src.integer(*head_size, member("head_size"), 1);
        a.head.bias = src.bool_member_or(v, "head_bias", path, false);
    }

    a.groups_input = src.integer_member_or(v, "groups_input", path, 1, 1);
    a.groups_input_mixin = src.integer_member_or(v, "groups_input_mixin", path, 1, 1);
    if (const json::Value* l = v.find("layer1x1"); l && !l->is_null()) {
        const std::string p = member("layer1x1");
        src.expect_type(*l, json::Type::object, p);
        src.only_keys(*l, p, {"active", "groups"}, "layer1x1");
        a.layer1x1.active = src.bool_member_or(*l, "active", p, true);
        a.layer1x1.groups = src.integer_member_or(*l, "groups", p, 1, 1);
    }
    if (const json::Value* h = v.find("head1x1"); h && !h->is_null()) {
        const std::string p = member("head1x1");
        src.expect_type(*h, json::Type::object, p);
        src.only_keys(*h, p, {"active", "out_channels", "groups"}, "head1x1");
        a.head1x1.active = src.bool_member_or(*h, "active", p, false);
        a.head1x1.out_channels = src.integer_member_or(*h, "out_channels", p, a.head1x1.active ? -1 : 0, 0);
        if (a.head1x1.active && a.head1x1.out_channels < 1)
            src.fail(*h, p, "an active head1x1 needs out_channels >= 1");
        a.head1x1.groups = src.integer_member_or(*h, "groups", p, 1, 1);
    }
    static const char* const film_keys[nn::film_slot_count] = {
        "conv_pre_film",       "conv_post_film",        "input_mixin_pre_film", "input_mixin_post_film",
        "activation_pre_film", "activation_post_film", "layer1x1_post_film",   "head1x1_post_film"};
    for (int s = 0; s < nn::film_slot_count; ++s)
        if (const json::Value* f = v.find(film_keys[s]))
            a.films[static_cast<std::size_t>(s)] = read_film(src, *f, member(film_keys[s]));

    if (const json::Value* sl = v.find("slimmable"); sl && !sl->is_null()) {
        const std::string p = member("slimmable");
        src.expect_type(*sl, json::Type::object, p);
        src.only_keys(*sl, p, {"method", "kwargs"}, "slimmable");
        const json::Value& method = src.require(*sl, "method", p);
        if (src.string(method, json::path_member(p, "method")) != "slice_channels_uniform")
            src.fail(method, json::path_member(p, "method"),
                     "unsupported slimmable method \"" + method.as_string() + "\"");
        const std::string kp = json::path_member(p, "kwargs");
        const json::Value& kwargs = src.require(*sl, "kwargs", p);
        src.expect_type(kwargs, json::Type::object, kp);
        src.only_keys(kwargs, kp, {"allowed_channels"}, "slimmable kwargs");
        a.allowed_channels = src.integers(src.require(kwargs, "allowed_channels", kp),
                                          json::path_member(kp, "allowed_channels"), 1);
        if (a.allowed_channels.empty()) src.fail(kwargs, kp, "allowed_channels must not be empty");
    }
    return a;
}

/// Output width of a leaf model (what it hands on as a condition).
inline int output_width(const nn::NestedModel& m) {
    if (const auto* w = std::get_if<nn::WaveNetConfig>(&m.config)) {
        if (w->head.active) return w->head.out_channels;
        return w->layers.empty() ? 1 : w->layers.back().head.out_channels;
    }
    return 1;
}

inline nn::WaveNetConfig read_wavenet_config(const Source& src, const json::Value& v, const std::string& path, int depth) {
    src.expect_type(v, json::Type::object, path);
    src.only_keys(v, path, {"layers", "head", "head_scale", "in_channels", "condition_dsp"}, "a WaveNet config");
    nn::WaveNetConfig c;
    const std::string lp = json::path_member(path, "layers");
    const json::Value& layers = src.require(v, "layers", path);
    src.expect_type(layers, json::Type::array, lp);
    if (layers.size() == 0) src.fail(layers, lp, "a WaveNet needs at least one layer array");
    for (std::size_t i = 0; i < layers.size(); ++i) c.layers.push_back(read_layer_array(src, layers[i], json::path_index(lp, i)));
    c.in_channels = src.integer_member_or(v, "in_channels", path, 1, 1);
    if (const json::Value* hs = v.find("head_scale"); hs && !hs->is_null())
        c.head_scale = static_cast<float>(src.number(*hs, json::path_member(path, "head_scale")));
    if (const json::Value* h = v.find("head"); h && !h->is_null()) {
        const std::string hp = json::path_member(path, "head");
        src.expect_type(*h, json::Type::object, hp);
        src.only_keys(*h, hp, {"channels", "num_layers", "out_channels", "activation"}, "a post-stack head");
        c.head.active = true;
        c.head.num_layers = src.integer_member(*h, "num_layers", hp, 1);
        c.head.channels = src.integer_member_or(*h, "channels", hp, 0, 0);
        c.head.out_channels = src.integer_member_or(*h, "out_channels", hp, 1, 1);
        if (const json::Value* a = h->find("activation"))
            c.head.activation = read_activation(src, *a, json::path_member(hp, "activation"), false);
    }
    const std::string problem = nn::validate(c);
    if (!problem.empty()) src.fail(v, path, problem);

    int condition_width = c.in_channels;
    if (const json::Value* cd = v.find("condition_dsp"); cd && !cd->is_null()) {
        const std::string cp = json::path_member(path, "condition_dsp");
        ModelFile nested = read_nam_object(src, *cd, cp, depth + 1);
        if (nested.is_container()) src.fail(*cd, cp, "condition_dsp must be a single model, not a container");
        condition_width = output_width(nested.model);
        c.condition_dsp = std::make_shared<const nn::NestedModel>(std::move(nested.model));
    }
    double state = 0.0;
    for (std::size_t i = 0; i < c.layers.size(); ++i) {
        const nn::LayerArrayConfig& a = c.layers[i];
        if (a.condition_size != condition_width)
            src.fail(layers[i], json::path_member(json::path_index(lp, i), "condition_size"),
                     "condition_size is " + std::to_string(a.condition_size) + " but the condition has " +
                         std::to_string(condition_width) + (c.condition_dsp ? " channels (condition_dsp output)" : " channels (the model input)"));
        double rf = 0.0;
        for (int l = 0; l < a.layer_count(); ++l) rf += double(a.kernel_size(l) - 1) * a.dilation(l) + 1.0;
        rf += double(a.head.kernel_size - 1) * a.head.dilation;
        state += rf * (a.channels + a.condition_size + a.skip_size());
    }
    if (state > max_state_floats)
        src.fail(layers, lp, "the receptive field is too large: " + std::to_string(static_cast<long long>(state)) +
                                 " floats of delay lines (limit " + std::to_string(static_cast<long long>(max_state_floats)) + ")");
    return c;
}

inline nn::LstmConfig read_lstm_config(const Source& src, const json::Value& v, const std::string& path) {
    src.expect_type(v, json::Type::object, path);
    src.only_keys(v, path, {"input_size", "hidden_size", "num_layers"}, "an LSTM config");
    nn::LstmConfig c;
    c.input_size = src.integer_member_or(v, "input_size", path, 1, 1);
    c.hidden_size = src.integer_member(v, "hidden_size", path, 1, 4096);
    c.num_layers = src.integer_member(v, "num_layers", path, 1, 256);
    return c;
}

inline nn::LinearConfig read_linear_config(const Source& src, const json::Value& v, const std::string& path) {
    src.expect_type(v, json::Type::object, path);
    src.only_keys(v, path, {"receptive_field", "bias"}, "a Linear config");
    nn::LinearConfig c;
    c.receptive_field = src.integer_member(v, "receptive_field", path, 1, 1 << 20);
    c.bias = src.bool_member_or(v, "bias", path, false);
    return c;
}

inline nn::ConvNetConfig read_convnet_config(const Source& src, const json::Value& v, const std::string& path) {
    src.expect_type(v, json::Type::object, path);
    src.only_keys(v, path, {"channels", "dilations", "batchnorm", "activation"}, "a ConvNet config");
    nn::ConvNetConfig c;
    c.channels = src.integer_member(v, "channels", path, 1, 4096);
    c.dilations = src.integers(src.require(v, "dilations", path), json::path_member(path, "dilations"), 1);
    if (c.dilations.empty()) src.fail(v, json::path_member(path, "dilations"), "dilations must not be empty");
    c.batchnorm = src.bool_member_or(v, "batchnorm", path, false);
    if (const json::Value* a = v.find("activation"))
        c.activation = read_activation(src, *a, json::path_member(path, "activation"), false);
    double rf = 1.0;
    for (int d : c.dilations) rf += d;
    if (rf * c.channels > max_state_floats) src.fail(v, path, "the receptive field is too large");
    return c;
}

/// Reads the `weights` array of a leaf model and checks its length against the config.
inline std::vector<float> read_weights(const Source& src, const json::Value& object, const std::string& path,
                                       std::size_t expected) {
    const std::string wp = json::path_member(path, "weights");
    const json::Value& w = src.require(object, "weights", path);
    src.expect_type(w, json::Type::array, wp);
    if (w.size() != expected)
        src.fail(w, wp, "expected " + std::to_string(expected) + " weights, file has " + std::to_string(w.size()));
    std::vector<float> out;
    src.append_floats(w, wp, out);
    return out;
}

inline ModelFile read_nam_object(const Source& src, const json::Value& v, const std::string& path, int depth) {
    if (depth > max_model_nesting) src.fail(v, path, "models nested more than " + std::to_string(max_model_nesting) + " deep");
    src.expect_type(v, json::Type::object, path);
    ModelFile file;
    file.metadata.format = FileFormat::nam;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string& k = v.key(i);
        if (k != "version" && k != "architecture" && k != "config" && k != "weights" && k != "sample_rate" && k != "metadata")
            file.warnings.push_back(json::path_member(path, k) + ": unknown top-level key ignored");
    }
    if (const json::Value* ver = v.find("version"))
        file.metadata.version = src.string(*ver, json::path_member(path, "version"));
    else
        file.warnings.push_back(path + ": no \"version\" key");
    if (const json::Value* sr = v.find("sample_rate"); sr && !sr->is_null()) {
        const double rate = src.number(*sr, json::path_member(path, "sample_rate"));
        if (!(rate >= 1000.0 && rate <= 1536000.0))
            src.fail(*sr, json::path_member(path, "sample_rate"), "sample_rate " + describe(*sr) + " Hz is not plausible");
        file.metadata.sample_rate_hz = rate;
        file.model.sample_rate_hz = rate;
    }
    read_metadata(v.find("metadata"), json::path_member(path, "metadata"), file.metadata, file.warnings);

    const std::string ap = json::path_member(path, "architecture");
    const std::string cp = json::path_member(path, "config");
    const json::Value& arch_value = src.require(v, "architecture", path);
    const std::string& arch = src.string(arch_value, ap);
    const json::Value& config = src.require(v, "config", path);
    if (arch == "WaveNet") {
        file.architecture = Architecture::wavenet;
        nn::WaveNetConfig c = read_wavenet_config(src, config, cp, depth);
        file.model.weights = read_weights(src, v, path, nn::weight_count(c));
        c.head_scale = file.model.weights.back();  // the last weight overrides the config value
        // Inputs beyond the audio are condition inputs; the format gives them no names or ranges, so
        // they get [-1, 1] (a signal's range) and 0 (what a mono render feeds them).
        for (int i = 1; i < c.in_channels; ++i) file.conditioning.push_back({"input" + std::to_string(i), 0.0, -1.0, 1.0});
        file.model.config = std::move(c);
    } else if (arch == "LSTM") {
        file.architecture = Architecture::lstm;
        const nn::LstmConfig c = read_lstm_config(src, config, cp);
        file.model.weights = read_weights(src, v, path, nn::weight_count(c));
        file.model.config = c;
    } else if (arch == "Linear") {
        file.architecture = Architecture::linear;
        const nn::LinearConfig c = read_linear_config(src, config, cp);
        file.model.weights = read_weights(src, v, path, nn::weight_count(c));
        file.model.config = c;
    } else if (arch == "ConvNet") {
        file.architecture = Architecture::convnet;
        nn::ConvNetConfig c = read_convnet_config(src, config, cp);
        file.model.weights = read_weights(src, v, path, nn::weight_count(c));
        file.model.config = std::move(c);
    } else if (arch == "SlimmableContainer" || arch == "Sequential") {
        const bool slim = arch == "SlimmableContainer";
        file.architecture = slim ? Architecture::slimmable_container : Architecture::sequential;
        src.expect_type(config, json::Type::object, cp);
        const char* list_key = slim ? "submodels" : "models";
        src.only_keys(config, cp, {list_key}, slim ? "a SlimmableContainer config" : "a Sequential config");
        const std::string lp = json::path_member(cp, list_key);
        const json::Value& list = src.require(config, list_key, cp);
        src.expect_type(list, json::Type::array, lp);
        if (list.size() == 0) src.fail(list, lp, std::string(arch) + " needs at least one model");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string ip = json::path_index(lp, i);
            if (slim) {
                src.expect_type(list[i], json::Type::object, ip);
                src.only_keys(list[i], ip, {"max_value", "model"}, "a SlimmableContainer submodel");
                const double max_value = src.number(src.require(list[i], "max_value", ip), json::path_member(ip, "max_value"));
                if (!file.max_values.empty() && !(max_value > file.max_values.back()))
                    src.fail(list[i], json::path_member(ip, "max_value"), "submodels must be sorted by ascending max_value");
                file.max_values.push_back(max_value);
                file.children.push_back(read_nam_object(src, src.require(list[i], "model", ip), json::path_member(ip, "model"), depth + 1));
            } else {
                file.children.push_back(read_nam_object(src, list[i], ip, depth + 1));
            }
            const ModelFile& child = file.children.back();
            if (child.metadata.sample_rate_hz && file.children.size() > 1) {
                for (const ModelFile& other : file.children)
                    if (other.metadata.sample_rate_hz && *other.metadata.sample_rate_hz != *child.metadata.sample_rate_hz)
                        src.fail(list[i], ip, "sample rates of the " + std::string(slim ? "submodels" : "models") + " disagree");
            }
        }
        const json::Value* w = v.find("weights");
        if (w && !w->is_null()) {
            src.expect_type(*w, json::Type::array, json::path_member(path, "weights"));
            if (w->size() != 0)
                src.fail(*w, json::path_member(path, "weights"),
                         "expected 0 weights (a container's weights are in its models), file has " + std::to_string(w->size()));
        }
        if (!file.metadata.sample_rate_hz) {
            for (const ModelFile& child : file.children)
                if (child.metadata.sample_rate_hz) file.metadata.sample_rate_hz = child.metadata.sample_rate_hz;
        } else {
            for (std::size_t i = 0; i < file.children.size(); ++i)
                if (file.children[i].metadata.sample_rate_hz &&
                    *file.children[i].metadata.sample_rate_hz != *file.metadata.sample_rate_hz)
                    src.fail(list[i], json::path_index(lp, i), "sample rate disagrees with the container's sample_rate");
        }
        file.model.sample_rate_hz = file.metadata.sample_rate_hz.value_or(0.0);
    } else {
        src.fail(arch_value, ap, "unsupported architecture \"" + arch + "\"");
    }
    return file;
}

}  // namespace nofold::io::detail
