// nofold::io::load — from a model file to a ready-to-run nofold::Model.
//
//     nofold::io::LoadOptions options;
//     options.host_sample_rate_hz = 48000;
//     nofold::io::LoadedModel m = nofold::io::load("amp.nam", options);   // throws io::LoadError
//     m.model->prewarm();
//     m.model->process(in, out, n);                                          // RT-safe
//
// Reads and validates the file (io::read_model_file), then builds each network: a static
// instantiation when its shape is one of the presets (io::match_preset), the runtime-sized
// implementation otherwise; containers and GuitarML/AIDA-X wrappers are composed around them.
// `LoadedModel::dispatch` says which implementation was chosen for each network and why.
// A model whose training rate differs from the host rate is refused unless a rate adapter is given.
//
// Units: sample rates in Hz; load_ms in milliseconds. Latency: the model's (LoadedModel::model).
// Allocates: yes — load() is not real-time; the returned model's process/reset/prewarm/setters are.
// Reference: docs/model-formats.md (§9: NAM Core prewarm).
#pragma once

#include <chrono>
#include <cmath>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../model.hpp"
#include "../nn/options.hpp"
#include "../nn/recurrent_model.hpp"
#include "../nn/wavenet_presets.hpp"
#include "../runtime/composite.hpp"
#include "../runtime/make_model.hpp"
#include "../isa/dispatch.hpp"
#include "load_error.hpp"
#include "presets.hpp"
#include "prewarm.hpp"
#include "read.hpp"

namespace nofold::io {

/// Which implementation load() may use for each network.
enum class Dispatch {
    automatic,     ///< static preset when the shape matches, else runtime
    runtime_only,  ///< always the runtime-sized implementation (for comparisons)
};

/// How prewarm() of the loaded model behaves.
enum class PrewarmPolicy {
    steady_state,  ///< fastest equivalent (WaveNet delay lines filled with their silent values)
    nam_core,      ///< NAM Core parity: whole blocks of zeros (block = prewarm_block) until at least
                   ///< Core's prewarm count: WaveNet its receptive field, LSTM 0.5 × sample rate or
                   ///< one sample when the file has no sample_rate
};

/// What to do when the model's training rate differs from the host's.
enum class RateMismatch { refuse, adapt };

struct LoadOptions {
    math::Accuracy math = math::Accuracy::exact;
    /// Slimmable width in [0, 1] applied after building (containers and slimmable WaveNets); none = full.
    std::optional<double> slimmable_size;
    /// Host rate; 0 = do not check. Models without a stored rate are assumed to run at 48 kHz (NAM).
    double host_sample_rate_hz = 0.0;
    RateMismatch rate_mismatch = RateMismatch::refuse;
    /// Called on a rate mismatch with RateMismatch::adapt: wraps the model so that it runs at the
    /// host rate (provided by the oversampling/rate-adaptation code). When empty, a host rate above
    /// the model's is met with Model::set_rate_factor(host / model) (integer ratios for WaveNets,
    /// any ratio >= 1 for recurrent models); a lower host rate is refused.
    std::function<std::unique_ptr<Model>(std::unique_ptr<Model>, double model_rate_hz, double host_rate_hz)> rate_adapter;
    PrewarmPolicy prewarm = PrewarmPolicy::steady_state;
    /// With PrewarmPolicy::nam_core, a WaveNet whose NAM-style prewarm would run more samples than
    /// this (default 2^20, ~22 s at 48 kHz; a 15 KB file can ask for 2^25) gets the equivalent
    /// steady-state fill instead, and LoadedModel::warnings says so.
    int max_nam_prewarm_samples = 1 << 20;
    int prewarm_block = 64;
    Dispatch dispatch = Dispatch::automatic;
    double max_rate_factor = 1.0;
    /// Most bytes the built model may own, all networks together (containers sum their children; the
    /// state is sized for max_rate_factor). Checked after each network is built, so a file cannot ask
    /// for more than this plus one network's share (itself capped at read time). Default 1 GiB.
    std::size_t max_memory_bytes = std::size_t{1} << 30;
    nn::Layer1x1PostFilm layer1x1_post_film = nn::Layer1x1PostFilm::core;
    /// Initial values of the conditioning inputs (GuitarML/AIDA-X knobs, .nam condition inputs), in
    /// order; missing or NaN ones use the file's defaults. The model starts settled at them and
    /// Model::set_parameter changes them live.
    std::vector<double> parameters;
    /// Fold the parameters into the first layer's bias instead (LSTM/GRU only): a one-input network,
    /// cheaper by the knobs' multiply-adds per sample, that may match a static preset, with no live knobs.
    bool fold_parameters = false;
    ReadOptions read;
};

/// How one network was built.
struct DispatchInfo {
    std::string path;            ///< where in the file ("$", "$.config.submodels[1].model")
    std::string implementation;  ///< "static preset 'standard'" or "runtime WaveNet"
    std::string reason;          ///< why
};

/// A loaded model and everything the file said about it.
struct LoadedModel {
    std::unique_ptr<Model> model;
    ModelFile file;                       ///< the validated description (metadata, config, weights)
    std::vector<DispatchInfo> dispatch;   ///< one entry per network, in file order
    double model_sample_rate_hz = 48000;  ///< the rate the model expects (file value, assumed value, or 48 kHz)
    double load_ms = 0.0;                 ///< wall time of read + build
    std::vector<std::string> warnings;    ///< things the caller should tell the user (e.g. prewarm capped)
};

/// Largest rate factor a model is built for (16x oversampling of a model adapted by 4x, say).
inline constexpr double max_rate_factor_limit = 64.0;

/// Reads, validates and builds. Throws LoadError (never returns a partly built model).
LoadedModel load(const std::string& path, const LoadOptions& options = {});

/// Builds from a description already read (e.g. to build several instances from one read).
LoadedModel build(ModelFile file, const LoadOptions& options = {}, const std::string& file_name = "");

// ============================================================================================
// Implementation
// ============================================================================================

namespace detail {

/// Folds constant conditioning inputs 1..I−1 into the first layer's bias, leaving a one-input network.
inline void fold_conditioning(ModelFile& file, const std::vector<double>& values) {
    if (file.conditioning.empty()) return;
    std::vector<double> p;
    for (std::size_t k = 0; k < file.conditioning.size(); ++k)
        p.push_back(k < values.size() && !std::isnan(values[k]) ? values[k] : file.conditioning[k].default_value);
    std::vector<float>& w = file.model.weights;
    std::vector<float> out;
    if (auto* l = std::get_if<nn::LstmConfig>(&file.model.config)) {
        const auto in = static_cast<std::size_t>(l->input_size), h = static_cast<std::size_t>(l->hidden_size);
        const std::size_t rows = 4 * h, cols = in + h;
        std::vector<double> extra(rows, 0.0);
        for (std::size_t r = 0; r < rows; ++r) {
            for (std::size_t k = 1; k < in; ++k) extra[r] += static_cast<double>(w[r * cols + k]) * p[k - 1];
            out.push_back(w[r * cols]);
            for (std::size_t j = 0; j < h; ++j) out.push_back(w[r * cols + in + j]);
        }
        for (std::size_t r = 0; r < rows; ++r) out.push_back(static_cast<float>(static_cast<double>(w[rows * cols + r]) + extra[r]));
        out.insert(out.end(), w.begin() + static_cast<std::ptrdiff_t>(rows * cols + rows), w.end());
        l->input_size = 1;
    } else if (auto* g = std::get_if<nn::GruConfig>(&file.model.config)) {
        const auto in = static_cast<std::size_t>(g->input_size), h = static_cast<std::size_t>(g->hidden_size);
        const std::size_t rows = 3 * h;
        std::vector<double> extra(rows, 0.0);
        for (std::size_t r = 0; r < rows; ++r) {
            for (std::size_t k = 1; k < in; ++k) extra[r] += static_cast<double>(w[r * in + k]) * p[k - 1];
            out.push_back(w[r * in]);
        }
        const std::size_t hh = rows * in;  // W_hh starts here
        out.insert(out.end(), w.begin() + static_cast<std::ptrdiff_t>(hh), w.begin() + static_cast<std::ptrdiff_t>(hh + rows * h));
        const std::size_t bi = hh + rows * h;
        for (std::size_t r = 0; r < rows; ++r) out.push_back(static_cast<float>(static_cast<double>(w[bi + r]) + extra[r]));
        out.insert(out.end(), w.begin() + static_cast<std::ptrdiff_t>(bi + rows), w.end());
        g->input_size = 1;
    } else {
        return;
    }
    w = std::move(out);
    file.conditioning.clear();
}

/// Ranges from the file, values from `values` (the file's defaults where missing or NaN), settled.
inline void start_parameters(Model& model, const std::vector<ConditioningInput>& inputs, const std::vector<double>& values) {
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        const int i = static_cast<int>(k);
        model.set_parameter_range(i, inputs[k].min, inputs[k].max);
        const bool given = k < values.size() && !std::isnan(values[k]);
        model.set_parameter(i, given ? values[k] : inputs[k].default_value);
    }
    model.settle_parameters();
}

/// A static LSTM preset instantiation for the sizes of the registry (nn::lstm_preset_sizes), or null.
template <std::size_t... I>
std::unique_ptr<Model> make_static_lstm(const nn::LstmConfig& c, const std::vector<float>& weights, const nn::Options& ro,
                                        std::string& error, std::index_sequence<I...>) {
    if (c.input_size != 1 || ro.max_rate_factor > 8.0) return nullptr;
    std::unique_ptr<Model> m;
    auto make = [&](auto size) {
        constexpr nn::LstmPresetSize s = nn::lstm_preset_sizes[decltype(size)::value];
        if (m || c.hidden_size != s.hidden || c.num_layers != s.layers) return;
        auto typed = std::make_unique<ModelFor<nn::LstmModel<1, s.hidden, s.layers>>>(1, s.hidden, s.layers, ro.math,
                                                                                    ro.max_rate_factor);
        error = typed->get().set_weights(weights.data(), weights.size());
        typed->get().set_prewarm(ro.prewarm_samples >= 0 ? ro.prewarm_samples : 1, ro.prewarm_block);
        m = std::move(typed);
    };
    (make(std::integral_constant<std::size_t, I>{}), ...);
    return m;
}

/// Builds one network (a leaf), recording how.
// Builds one network for this translation unit's instruction set: the static preset when allowed and the
// shape matches one, else the runtime model. What an isa::Backend exports (isa_backend.hpp).
inline std::unique_ptr<Model> make_leaf(const nn::NestedModel& net, const nn::Options& ro, bool allow_static,
                                        std::string& reason, std::string& error) {
    const PresetMatch match = allow_static ? match_preset(net) : PresetMatch{"", "runtime implementation requested", ""};
    std::unique_ptr<Model> model;
    reason = match.reason;
    error.clear();
    if (!match.name.empty()) {
        if (const auto* w = std::get_if<nn::WaveNetConfig>(&net.config)) {
            model = nn::wavenet::match_preset(*w, net.weights.data(), net.weights.size(), ro, error);
        } else if (const auto* l = std::get_if<nn::LstmConfig>(&net.config)) {
            model = make_static_lstm(*l, net.weights, ro, error,
                                         std::make_index_sequence<std::size(nn::lstm_preset_sizes)>{});
        }
        if (!error.empty()) return nullptr;
        if (!model) reason += ", but the static instantiation cannot run it (rate factor above 8); the runtime model does";
    }
    if (!model) model = runtime::make_model(net, ro, error);
    return error.empty() ? std::move(model) : nullptr;
}

inline std::unique_ptr<Model> build_leaf(const nn::NestedModel& net, const std::string& file_name, const std::string& path,
                                         bool has_rate, const LoadOptions& options, std::vector<DispatchInfo>& log,
                                         std::vector<std::string>& warnings) {
    nn::Options ro;
    ro.math = options.math;
    ro.max_rate_factor = options.max_rate_factor;
    ro.prewarm_block = options.prewarm_block;
    ro.layer1x1_post_film = options.layer1x1_post_film;
    const bool recurrent = std::holds_alternative<nn::LstmConfig>(net.config) || std::holds_alternative<nn::GruConfig>(net.config);
    bool nam_prewarm = options.prewarm == PrewarmPolicy::nam_core;
    if (nam_prewarm && !recurrent && nam_prewarm_samples(net, has_rate) > options.max_nam_prewarm_samples) {
        nam_prewarm = false;
        warnings.push_back(file_name + ": " + path + ": NAM-style prewarm would run " + std::to_string(nam_prewarm_samples(net, has_rate)) +
                           " samples (limit " + std::to_string(options.max_nam_prewarm_samples) +
                           "); the equivalent steady-state fill is used instead");
    }
    if (nam_prewarm) ro.prewarm = nn::PrewarmMode::zero_blocks;
    // Recurrent state has no closed-form steady state: both policies feed Core's count of zeros.
    if (nam_prewarm || recurrent) ro.prewarm_samples = nam_prewarm_samples(net, has_rate);
    std::string error, reason;
    const isa::Backend* backend = isa::selected();
    std::unique_ptr<Model> model = backend ? backend->make_leaf(net, ro, options.dispatch == Dispatch::automatic, reason, error)
                                           : make_leaf(net, ro, options.dispatch == Dispatch::automatic, reason, error);
    if (!error.empty() || !model) throw LoadError(file_name, path, "cannot build the model: " + error);
    log.push_back({path, model->implementation_name(), reason});
    return model;
}

inline std::unique_ptr<Model> build_any(const ModelFile& file, const std::string& file_name, const std::string& path,
                                        const LoadOptions& options, std::vector<DispatchInfo>& log, std::size_t& used_bytes,
                                        std::vector<std::string>& warnings) {
    std::unique_ptr<Model> model;
    if (file.architecture == Architecture::slimmable_container || file.architecture == Architecture::sequential) {
        std::vector<std::unique_ptr<Model>> children;
        const bool slim = file.architecture == Architecture::slimmable_container;
        for (std::size_t i = 0; i < file.children.size(); ++i) {
            const std::string cp = slim ? json::path_member(json::path_index(path + ".config.submodels", i), "model")
                                        : json::path_index(path + ".config.models", i);
            children.push_back(build_any(file.children[i], file_name, cp, options, log, used_bytes, warnings));
        }
        if (slim)
            model = std::make_unique<runtime::SlimmableContainerModel>(std::move(children), file.max_values);
        else
            model = std::make_unique<runtime::SequentialModel>(std::move(children));
    } else {
        const bool has_rate = file.metadata.sample_rate_hz.has_value() || file.metadata.assumed_sample_rate_hz.has_value();
        if (options.fold_parameters && !file.conditioning.empty()) {
            ModelFile folded = file;
            fold_conditioning(folded, options.parameters);
            model = build_leaf(folded.model, file_name, path, has_rate, options, log, warnings);
        } else {
            model = build_leaf(file.model, file_name, path, has_rate, options, log, warnings);
        }
        if (model->parameter_count() != 0) start_parameters(*model, file.conditioning, options.parameters);
        used_bytes += model->memory_bytes();
        if (used_bytes > options.max_memory_bytes)
            throw LoadError(file_name, path, "too large: the model needs more than " + std::to_string(used_bytes >> 20) +
                                                 " MB (limit " + std::to_string(options.max_memory_bytes >> 20) + " MB" +
                                                 (options.max_rate_factor > 1.0 ? ", state sized for rate factor " +
                                                                                      std::to_string(options.max_rate_factor) : std::string()) + ")");
    }
    const bool wrap = file.input_skip == InputSkip::on || file.input_gain_db != 0.0 || file.output_gain_db != 0.0;
    if (wrap) {
        const auto in_gain = static_cast<float>(std::pow(10.0, file.input_gain_db / 20.0));
        const auto out_gain = static_cast<float>(std::pow(10.0, file.output_gain_db / 20.0));
        model = std::make_unique<runtime::WrapperModel>(
            std::move(model), in_gain, out_gain,
            file.input_skip == InputSkip::on ? runtime::WrapperModel::Skip::on : runtime::WrapperModel::Skip::off);
    }
    return model;
}

}  // namespace detail

inline LoadedModel build(ModelFile file, const LoadOptions& options_in, const std::string& file_name) {
    const auto t0 = std::chrono::steady_clock::now();
    LoadedModel out;
    out.model_sample_rate_hz = file.metadata.sample_rate_hz.value_or(file.metadata.assumed_sample_rate_hz.value_or(48000.0));
    LoadOptions options = options_in;
    if (options.slimmable_size && !(*options.slimmable_size >= 0.0 && *options.slimmable_size <= 1.0))
        throw LoadError(file_name, "", "slimmable size must lie in [0, 1]");
    if (!(options.prewarm_block >= 1 && options.prewarm_block <= 1 << 16))
        throw LoadError(file_name, "", "prewarm block must lie in [1, 65536]");
    const double host = options.host_sample_rate_hz;
    const bool mismatch = host > 0.0 && host != out.model_sample_rate_hz;
    const double ratio = mismatch ? host / out.model_sample_rate_hz : 1.0;
    // Without an explicit adapter, a higher host rate is met by running the model at ratio × its
    // training rate (Model::set_rate_factor), which needs the state sized for it at build time.
    const bool own_adaptation = mismatch && options.rate_mismatch == RateMismatch::adapt && !options.rate_adapter;
    if (own_adaptation) options.max_rate_factor = std::max(options.max_rate_factor, ratio);
    if (!(options.max_rate_factor >= 1.0 && options.max_rate_factor <= max_rate_factor_limit))
        throw LoadError(file_name, "", "rate factor " + std::to_string(options.max_rate_factor) + " is outside [1, " +
                                           std::to_string(static_cast<int>(max_rate_factor_limit)) + "]");
    std::size_t used_bytes = 0;
    out.model = detail::build_any(file, file_name, "$", options, out.dispatch, used_bytes, out.warnings);
    if (options.slimmable_size) out.model->set_slimmable_size(*options.slimmable_size);
    if (mismatch) {
        const std::string rates = "the model was trained at " + std::to_string(static_cast<long>(out.model_sample_rate_hz)) +
                                  " Hz but the host runs at " + std::to_string(static_cast<long>(host)) + " Hz";
        if (options.rate_mismatch == RateMismatch::refuse)
            throw LoadError(file_name, "", rates + "; refusing to play it at the wrong rate (allow rate adaptation to adapt it)");
        if (options.rate_adapter) {
            out.model = options.rate_adapter(std::move(out.model), out.model_sample_rate_hz, host);
            if (!out.model) throw LoadError(file_name, "", rates + " and the rate adapter failed");
        } else {
            if (ratio < 1.0) throw LoadError(file_name, "", rates + "; running a model below its training rate needs a resampling rate adapter");
            const RateFactorStatus s = out.model->set_rate_factor(ratio);
            if (s == RateFactorStatus::not_integer)
                throw LoadError(file_name, "", rates + "; this model adapts only by integer factors (ratio " + std::to_string(ratio) + ")");
            if (s != RateFactorStatus::ok) throw LoadError(file_name, "", rates + "; the model cannot run at that rate factor");
        }
    }
    out.file = std::move(file);
    out.load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

inline LoadedModel load(const std::string& path, const LoadOptions& options) {
    const auto t0 = std::chrono::steady_clock::now();
    ModelFile file = read_model_file(path, options.read);
    LoadedModel out = build(std::move(file), options, path);
    out.load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

}  // namespace nofold::io
