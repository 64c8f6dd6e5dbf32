// nofold::train::fit — trains a model from scratch on an input/target recording pair (a DI and the
// amplifier's output): checks the pair, finds the latency, holds out the tail for validation, and runs
// the Trainer with ESR after the first-order pre-emphasis (1 − 0.95 z⁻¹) as the loss (A-weighting and
// multi-resolution STFT selectable), Adam with NAM's trainer defaults (lr 0.004, ×0.993 per epoch),
// validation ESR through the inference engine after every epoch, the best epoch kept.
//
//     FitSettings s;  s.config = architecture_config("nano", {}, false, error);
//     FitResult r = fit(input, target, s);          // r.model: config + weights, ready to write
//     std::string text = nam_text(r, s);             // a .nam with the run's record in its metadata
//
// Units: samples, seconds, Hz; ESR linear. Allocates: yes (not real-time).
// Reference: docs/training.md §5 (nofold train), §4 (the loop); metrics.md-style ESR/ASR in
// docs/metrics.md §1–2.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "../analysis/asr.hpp"
#include "../analysis/tone_test.hpp"
#include "../io/detail/json_access.hpp"
#include "../io/detail/nam_parts.hpp"
#include "../io/nam_writer.hpp"
#include "../io/write.hpp"
#include "../nn/model_config.hpp"
#include "../nn/wavenet_presets.hpp"
#include "../runtime/make_model.hpp"
#include "align.hpp"
#include "model_gradient.hpp"
#include "random.hpp"
#include "trainer.hpp"

namespace nofold::train {

/// The model `name` describes: "standard", "lite", "feather", "nano" (NAM A1 WaveNets), "a2" (A2, 8
/// channels), "study" (Sato & Smith: one array, 16 channels, kernel 3, 18 layers, dilations 1…256
/// twice, bias-free head), "lstm:HxL", "gru:HxL", or a custom shape: a path ending in ".json" (or ".nam") to a
/// file holding a .nam WaveNet `config` object (docs/model-formats.md §2), alone or as
/// {"architecture": "WaveNet" | "LSTM", "config": {…}} (other keys, weights included, ignored; errors
/// name the file and the JSON path). For WaveNets `activation` (empty: the preset's)
/// replaces every layer's activation and `gated` gates every layer (sigmoid gate). Empty `error` on
/// success.
nn::ModelConfig architecture_config(const std::string& name, const nn::ActivationSpec& activation, bool gated,
                                    std::string& error);

/// Initial parameters for `config` in file order: every weight and bias uniform on ±1/sqrt(fan-in)
/// (PyTorch's default for Conv1d, Linear and LSTM/GRU), LSTM initial states 0, a WaveNet's head_scale
/// at the preset's value (0.02 unless `config` says otherwise). Deterministic in `seed`.
std::vector<double> initial_parameters(const nn::ModelConfig& config, std::uint64_t seed);

struct FitSettings {
    nn::ModelConfig config;
    std::string architecture_name;       ///< for the record ("nano", "lstm:16x1", …)
    std::string activation_name;         ///< for the record (empty: the architecture's own)
    bool gated = false;                  ///< for the record
    double sample_rate_hz = 48000.0;
    std::size_t epochs = 20;
    double max_seconds = 0.0;            ///< 0: no limit
    std::uint64_t seed = 0;
    int threads = 1;
    int latency_samples = -1;            ///< < 0: found by cross-correlation
    int max_latency_samples = 4096;      ///< search range of the cross-correlation (± samples)
    double validation_fraction = 0.2;    ///< the held-out tail of the pair
    std::size_t items = 16;              ///< sequences per batch
    std::size_t frame_length = 8192;     ///< samples per item entering the loss (WaveNet)
    std::size_t recurrent_frames = 4;    ///< truncated-BPTT frames per item (LSTM/GRU: frame_length / 4 each)
    std::size_t batches_per_epoch = 0;   ///< 0: one pass over the training part
    std::size_t patience = 0;            ///< early stopping (0: off)
    PreEmphasis pre_emphasis = PreEmphasis::high_pass;
    double stft_weight = 0.0;            ///< adds the multi-resolution STFT term
    AdamSettings adam = [] {
        AdamSettings a;
        a.learning_rate = 0.004;
        a.lr_decay_per_epoch = 0.993;
        return a;
    }();
    /// The trainer's number type: float (the default) or double. Parameters, signals and gradients are
    /// stored in it; Adam's moments and the losses' sums are double either way (docs/training.md §4).
    bool double_precision = false;
    std::string checkpoint_path;
    bool resume = false;
    /// Peak level (linear) at or above which a sample counts as clipped, and the share of such samples
    /// that makes the pair unusable (0 … 1; 1 allows anything).
    double clip_level = 0.9999;
    double max_clipped_fraction = 0.001;
};

struct FitResult {
    nn::NestedModel model;               ///< config, the best weights (float) and the rate
    std::vector<double> parameters;      ///< the best weights as trained (float or double, widened)
    int latency_samples = 0;
    bool latency_measured = false;
    double latency_correlation = 0.0;
    double training_esr = 0.0;           ///< plain ESR of the best model over the training part
    double validation_esr = 0.0;         ///< plain ESR over the held-out part (what selected it)
    double asr = 0.0;                    ///< Sato & Smith ASR, 1249 Hz at 48017 Hz, −6 dBFS (linear)
    std::size_t validation_start = 0;    ///< first held-out sample, in the aligned input
    std::vector<float> validation_input, validation_target, validation_output;  ///< the held-out part
    TrainerResult trainer;
};

/// Checks, aligns and trains. Throws std::invalid_argument with a sentence a user can act on for a
/// pair that cannot be trained on (lengths, NaN/inf, silence, clipping, too short) and for an
/// architecture that cannot be trained; CheckpointError for a bad checkpoint.
FitResult fit(const std::vector<float>& input, const std::vector<float>& target, const FitSettings& settings,
              const std::function<void(const TrainerProgress&)>& progress = {}, const std::atomic<bool>* stop = nullptr);

/// Plain ESR Σ(y − t)² / Σt² of `model` over target[from, to), run from a steady state over input[0, to).
double model_esr(Model& model, const std::vector<float>& input, const std::vector<float>& target, std::size_t from,
                 std::size_t to, std::vector<float>* output = nullptr);

/// The trained model as a .nam text whose metadata holds the run's record (`metadata.nofold_training`:
/// method "train", architecture, activation, gated, epochs, seed, latency; after: training_esr,
/// validation_esr, asr_1249hz). Throws io::WriteError for what the .nam format cannot hold (GRU).
std::string nam_text(const FitResult& result, const FitSettings& settings);

// =================================================================================================
// Implementation
// =================================================================================================

namespace detail {

inline bool parse_hxl(const std::string& text, int& hidden, int& layers) {
    const auto x = text.find('x');
    if (x == std::string::npos || x == 0 || x + 1 >= text.size()) return false;
    try {
        std::size_t used = 0;
        hidden = std::stoi(text.substr(0, x), &used);
        if (used != x) return false;
        layers = std::stoi(text.substr(x + 1), &used);
        if (used != text.size() - x - 1) return false;
    } catch (const std::exception&) {
        return false;
    }
    return hidden >= 1 && hidden <= 512 && layers >= 1 && layers <= 8;
}

// A custom shape from a JSON file (see architecture_config).
inline nn::ModelConfig architecture_from_json(const std::string& path, std::string& error) {
    try {
        const io::json::Document doc = io::detail::parse_document(path, io::detail::read_text(path));
        const io::detail::Source src(path, doc);
        const io::json::Value& root = doc.root();
        src.expect_type(root, io::json::Type::object, "$");
        if (const io::json::Value* arch = root.find("architecture")) {
            const std::string& a = src.string(*arch, "$.architecture");
            const io::json::Value& config = src.require(root, "config", "$");
            if (a == "WaveNet") return nn::ModelConfig{io::detail::read_wavenet_config(src, config, "$.config", 0)};
            if (a == "LSTM") return nn::ModelConfig{io::detail::read_lstm_config(src, config, "$.config")};
            src.fail(*arch, "$.architecture", "a custom shape is a WaveNet or an LSTM (got \"" + a + "\")");
        }
        return nn::ModelConfig{io::detail::read_wavenet_config(src, root, "$", 0)};
    } catch (const io::LoadError& e) {
        error = e.what();
    }
    return nn::ModelConfig{};
}

}  // namespace detail

inline nn::ModelConfig architecture_config(const std::string& name, const nn::ActivationSpec& activation, bool gated,
                                           std::string& error) {
    namespace wn = nn::wavenet;
    error.clear();
    const auto recurrent = [&](const std::string& prefix, auto tag) -> nn::ModelConfig {
        using C = decltype(tag);
        int h = 0, l = 0;
        if (!detail::parse_hxl(name.substr(prefix.size()), h, l)) {
            error = "architecture '" + name + "': expected " + prefix + "HxL with 1 <= H <= 512 and 1 <= L <= 8";
            return nn::ModelConfig{};
        }
        if (!activation.name.empty() || gated) {
            error = "--activation and --gated apply to WaveNets only";
            return nn::ModelConfig{};
        }
        C c;
        c.input_size = 1;
        c.hidden_size = h;
        c.num_layers = l;
        return nn::ModelConfig{c};
    };
    if (name.rfind("lstm:", 0) == 0) return recurrent("lstm:", nn::LstmConfig{});
    if (name.rfind("gru:", 0) == 0) return recurrent("gru:", nn::GruConfig{});
    nn::WaveNetConfig c;
    const auto ends_with = [&](const char* tail) {
        const std::string t = tail;
        return name.size() > t.size() && name.compare(name.size() - t.size(), t.size(), t) == 0;
    };
    if (ends_with(".json") || ends_with(".nam")) {
        nn::ModelConfig custom = detail::architecture_from_json(name, error);
        if (!error.empty()) return custom;
        if (!std::holds_alternative<nn::WaveNetConfig>(custom)) {
            if (!activation.name.empty() || gated) error = "--activation and --gated apply to WaveNets only";
            return custom;
        }
        c = std::get<nn::WaveNetConfig>(custom);
    } else if (name == "standard") {
        c = wn::config_of<wn::StandardShape>();
    } else if (name == "lite") {
        c = wn::config_of<wn::LiteShape>();
    } else if (name == "feather") {
        c = wn::config_of<wn::FeatherShape>();
    } else if (name == "nano") {
        c = wn::config_of<wn::NanoShape>();
    } else if (name == "a2") {
        c = wn::config_of<wn::A2Shape<8>>();
    } else if (name == "study") {
        nn::LayerArrayConfig a;
        a.input_size = 1;
        a.condition_size = 1;
        a.channels = 16;
        a.bottleneck = 16;
        a.kernel_sizes = {3};
        for (int r = 0; r < 2; ++r)
            for (int d = 1; d <= 256; d *= 2) a.dilations.push_back(d);
        a.activations = {nn::ActivationSpec{"Tanh", {}}};
        a.gating_modes = {nn::GatingMode::none};
        a.layer1x1 = nn::Layer1x1Config{true, 1};
        a.head = nn::HeadConfig{1, 1, false, 1};
        c.layers = {a};
        c.head_scale = 1.0f;
    } else {
        error = "unknown architecture '" + name + "' (standard, lite, feather, nano, a2, study, lstm:HxL, gru:HxL, FILE.json, FILE.nam)";
        return nn::ModelConfig{};
    }
    for (nn::LayerArrayConfig& a : c.layers) {
        if (!activation.name.empty()) a.activations = {activation};
        if (gated) a.gating_modes = {nn::GatingMode::gated};
    }
    error = nn::validate(c);
    return nn::ModelConfig{c};
}

inline std::vector<double> initial_parameters(const nn::ModelConfig& config, std::uint64_t seed) {
    Random r(seed, 0x1a17);
    std::vector<double> p;
    const auto block = [&](std::size_t n, double fan_in) {
        const double b = 1.0 / std::sqrt(std::max(1.0, fan_in));
        for (std::size_t i = 0; i < n; ++i) p.push_back(r.uniform(-b, b));
    };
    if (const auto* w = std::get_if<nn::WaveNetConfig>(&config)) {
        for (const nn::LayerArrayConfig& a : w->layers) {
            const auto C = static_cast<std::size_t>(a.channels);
            block(C * static_cast<std::size_t>(a.input_size), a.input_size);  // rechannel
            for (int l = 0; l < a.layer_count(); ++l) {
                const auto G = static_cast<std::size_t>(a.gate_factor(l));
                const auto k = static_cast<std::size_t>(a.kernel_size(l));
                block(G * C * C * k, static_cast<double>(C * k));  // dilated conv
                block(G * C, static_cast<double>(C * k));           // its bias
                block(G * C, 1.0);                                  // input mixin (no bias)
                block(C * C, static_cast<double>(C));               // layer 1×1
                block(C, static_cast<double>(C));                   // its bias
            }
            const auto ho = static_cast<std::size_t>(a.head.out_channels), hk = static_cast<std::size_t>(a.head.kernel_size);
            block(ho * C * hk, static_cast<double>(C * hk));
            if (a.head.bias) block(ho, static_cast<double>(C * hk));
        }
        p.push_back(static_cast<double>(w->head_scale));
    } else if (const auto* l = std::get_if<nn::LstmConfig>(&config)) {
        const auto H = static_cast<std::size_t>(l->hidden_size);
        for (int layer = 0; layer < l->num_layers; ++layer) {
            const std::size_t in = layer == 0 ? static_cast<std::size_t>(l->input_size) : H;
            block(4 * H * (in + H), static_cast<double>(H));
            block(4 * H, static_cast<double>(H));
            p.insert(p.end(), 2 * H, 0.0);  // h0, c0
        }
        block(H + 1, static_cast<double>(H));
    } else if (const auto* g = std::get_if<nn::GruConfig>(&config)) {
        const auto H = static_cast<std::size_t>(g->hidden_size);
        for (int layer = 0; layer < g->num_layers; ++layer) {
            const std::size_t in = layer == 0 ? static_cast<std::size_t>(g->input_size) : H;
            block(3 * H * (in + H) + 6 * H, static_cast<double>(H));
        }
        block(H + 1, static_cast<double>(H));
    }
    // The layout above must be the file's: a mismatch (an architecture this function does not know)
    // falls back to small uniform values of the right count rather than a wrong-sized vector.
    const std::size_t count = nn::weight_count(config);
    if (p.size() != count) {
        p.clear();
        block(count, 16.0);
    }
    return p;
}

inline double model_esr(Model& model, const std::vector<float>& input, const std::vector<float>& target, std::size_t from,
                        std::size_t to, std::vector<float>* output) {
    model.reset();
    model.prewarm();
    std::vector<float> y(to);
    constexpr std::size_t block = 4096;
    for (std::size_t i = 0; i < to; i += block) {
        const std::size_t n = std::min(block, to - i);
        model.process(input.data() + i, y.data() + i, static_cast<int>(n));
    }
    double e = 0.0, t = 0.0;
    for (std::size_t i = from; i < to; ++i) {
        const double d = static_cast<double>(y[i]) - target[i];
        e += d * d;
        t += static_cast<double>(target[i]) * target[i];
    }
    if (output) output->assign(y.begin() + static_cast<std::ptrdiff_t>(from), y.end());
    return t > 0.0 ? e / t : (e > 0.0 ? INFINITY : 0.0);
}

namespace detail {

inline std::unique_ptr<Model> inference_model(const nn::ModelConfig& config, const std::vector<float>& weights) {
    std::string error;
    auto m = runtime::make_model(config, weights.data(), weights.size(), nn::Options{}, error);
    if (!m) throw std::invalid_argument("nofold::train::fit: cannot build the inference model: " + error);
    return m;
}

inline void check_signal(const std::vector<float>& s, const char* what, const FitSettings& settings) {
    std::size_t bad = 0, clipped = 0, first_bad = 0;
    double energy = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!std::isfinite(s[i])) {
            if (bad++ == 0) first_bad = i;
            continue;
        }
        energy += static_cast<double>(s[i]) * s[i];
        if (std::abs(s[i]) >= settings.clip_level) ++clipped;
    }
    const std::string w = what;
    if (bad > 0)
        throw std::invalid_argument(w + " has " + std::to_string(bad) + " NaN or infinite samples (the first at sample " +
                                    std::to_string(first_bad) + ")");
    const double rms = std::sqrt(energy / static_cast<double>(std::max<std::size_t>(s.size(), 1)));
    if (!(rms > 1e-5)) throw std::invalid_argument(w + " is silent (RMS " + std::to_string(20.0 * std::log10(rms + 1e-300)) + " dBFS)");
    if (static_cast<double>(clipped) > settings.max_clipped_fraction * static_cast<double>(s.size()))
        throw std::invalid_argument(w + " is clipped: " + std::to_string(clipped) + " samples at or above full scale (" +
                                    std::to_string(100.0 * static_cast<double>(clipped) / static_cast<double>(s.size())) +
                                    " %); record it again at a lower level");
}

}  // namespace detail

namespace detail {

template <class T>
FitResult fit_in(const std::vector<float>& input_in, const std::vector<float>& target_in, const FitSettings& s,
                 const std::function<void(const TrainerProgress&)>& progress, const std::atomic<bool>* stop) {
    if (input_in.size() != target_in.size())
        throw std::invalid_argument("the input and target differ in length (" + std::to_string(input_in.size()) + " and " +
                                    std::to_string(target_in.size()) + " samples); they must be the same recording pair");
    check_signal(input_in, "the input", s);
    check_signal(target_in, "the target", s);
    if (!(s.validation_fraction > 0.0 && s.validation_fraction < 1.0))
        throw std::invalid_argument("the validation fraction must lie strictly between 0 and 1");
    if (std::holds_alternative<nn::LinearConfig>(s.config) || std::holds_alternative<nn::ConvNetConfig>(s.config))
        throw std::invalid_argument("not trainable from scratch: only WaveNet, LSTM and GRU models train");
    // The trainable model (train::make_gradient) of a model of this shape; its weights come from
    // initial_parameters(), not from the shell's zeros.
    const nn::NestedModel shell{s.config, std::vector<float>(nn::weight_count(s.config), 0.0f), s.sample_rate_hz};
    std::string error;
    std::vector<T> unused;
    std::unique_ptr<ModelGradient<T>> probe = make_gradient<T>(shell, unused, error);
    if (!probe) throw std::invalid_argument(error);
    const bool recurrent = probe->stateful();
    const auto history = static_cast<std::size_t>(probe->history());

    FitResult result;
    // Alignment: target[n + d] follows input[n].
    int d = s.latency_samples;
    if (d < 0) {
        const int lag = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(s.max_latency_samples), (input_in.size() - 1) / 2));
        const Alignment a = find_delay(input_in.data(), target_in.data(), input_in.size(), lag);
        d = a.delay_samples;
        result.latency_measured = true;
        result.latency_correlation = a.correlation;
        if (d < 0)
            throw std::invalid_argument("the target leads the input by " + std::to_string(-d) +
                                        " samples (are the files swapped?); give --latency to override");
    }
    if (static_cast<std::size_t>(d) >= input_in.size())
        throw std::invalid_argument("the latency is longer than the recording");
    result.latency_samples = d;
    const std::size_t total = input_in.size() - static_cast<std::size_t>(d);
    std::vector<float> input(input_in.begin(), input_in.begin() + static_cast<std::ptrdiff_t>(total));
    std::vector<float> target(target_in.begin() + d, target_in.end());

    TrainerSettings ts;
    ts.items = s.items;
    ts.state = recurrent ? StateMode::carried : StateMode::none;
    if (recurrent) {
        ts.frames_per_batch = std::max<std::size_t>(1, s.recurrent_frames);
        ts.frame_length = std::max<std::size_t>(1, s.frame_length / ts.frames_per_batch);
        ts.warmup = ts.frame_length;
    } else {
        ts.frame_length = s.frame_length;
        ts.warmup = history;
    }
    const std::size_t span = ts.warmup + ts.frames_per_batch * ts.frame_length;
    const auto val_len = static_cast<std::size_t>(static_cast<double>(total) * s.validation_fraction);
    const std::size_t train_end = total - val_len;
    if (train_end < span + 1 || val_len < 1024)
        throw std::invalid_argument("the recording is too short: training needs " + std::to_string(span + 1) +
                                    " samples before the held-out " + std::to_string(static_cast<int>(100 * s.validation_fraction)) +
                                    " % (and that part at least 1024); it has " + std::to_string(total) + " after alignment");
    ts.batches_per_epoch = s.batches_per_epoch > 0
                               ? s.batches_per_epoch
                               : std::max<std::size_t>(1, train_end / (ts.items * ts.frames_per_batch * ts.frame_length));
    ts.epochs = s.epochs;
    ts.max_seconds = s.max_seconds;
    ts.patience = s.patience;
    ts.threads = s.threads;
    ts.seed = s.seed;
    ts.adam = s.adam;
    ts.adam.steps_per_epoch = ts.batches_per_epoch * ts.frames_per_batch;
    ts.loss.sample_rate_hz = s.sample_rate_hz;
    ts.loss.pre_emphasis = s.pre_emphasis;
    ts.loss.weights = LossWeights{1.0, 0.0, 0.0, s.stft_weight};
    ts.checkpoint_path = s.checkpoint_path;
    ts.resume = s.resume;
    if (std::holds_alternative<nn::WaveNetConfig>(s.config)) {
        ts.frozen = {probe->parameter_count() - 1};  // head_scale: a constant in NAM's trainer
    }

    const std::vector<double> init = initial_parameters(s.config, s.seed);
    Trainer<ModelGradient<T>, T> trainer(ts, [&shell] {
        std::vector<T> p;
        std::string e;
        return make_gradient<T>(shell, p, e);
    }, std::vector<T>(init.begin(), init.end()));
    const std::size_t positions = train_end - span + 1;
    trainer.set_batch_source([&](const BatchRequest& r, T* in, T* tgt) {
        const auto start = static_cast<std::size_t>(r.random->uniform() * static_cast<double>(positions)) % positions;
        for (std::size_t i = 0; i < span; ++i) in[i] = input[start + i];
        for (std::size_t i = 0; i < span - ts.warmup; ++i) tgt[i] = target[start + ts.warmup + i];
    });
    // Validation: the held-out tail, preceded by real input (history or a burn-in) so the model is settled.
    const std::size_t lead = recurrent ? std::min<std::size_t>(train_end, static_cast<std::size_t>(s.sample_rate_hz / 2))
                                       : std::min(train_end, history);
    const std::size_t val_from = train_end - lead;
    const std::vector<float> val_in(input.begin() + static_cast<std::ptrdiff_t>(val_from), input.end());
    const std::vector<float> val_tgt(target.begin() + static_cast<std::ptrdiff_t>(val_from), target.end());
    std::vector<float> weights(probe->parameter_count());
    const auto to_float = [&](const auto* p) {
        for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<float>(p[i]);
    };
    trainer.set_validation([&](const T* p) {
        to_float(p);
        for (float w : weights)
            if (!std::isfinite(w)) return std::numeric_limits<double>::quiet_NaN();
        auto m = inference_model(s.config, weights);
        return model_esr(*m, val_in, val_tgt, lead, val_in.size());
    });
    if (progress) trainer.set_progress(progress);
    trainer.set_stop_flag(stop);
    result.trainer = trainer.run();

    result.parameters = result.trainer.best_parameters;
    to_float(result.parameters.data());
    result.model.config = s.config;
    result.model.weights = weights;
    result.model.sample_rate_hz = s.sample_rate_hz;
    auto m = inference_model(s.config, weights);
    result.validation_start = train_end;
    result.validation_esr = model_esr(*m, val_in, val_tgt, lead, val_in.size(), &result.validation_output);
    result.validation_input.assign(input.begin() + static_cast<std::ptrdiff_t>(train_end), input.end());
    result.validation_target.assign(target.begin() + static_cast<std::ptrdiff_t>(train_end), target.end());
    result.training_esr = model_esr(*m, input, target, std::min(lead, train_end), train_end);
    analysis::ToneTest tone;  // Sato & Smith: 1249 Hz at fs = N = 48017, −6 dBFS
    m->reset();
    m->prewarm();
    const std::vector<double> y = analysis::run_tone([&](const float* in, float* out, int n) { m->process(in, out, n); }, tone);
    result.asr = analysis::asr(y, static_cast<std::size_t>(tone.f0_hz)).linear;
    return result;
}

}  // namespace detail

inline FitResult fit(const std::vector<float>& input, const std::vector<float>& target, const FitSettings& s,
                     const std::function<void(const TrainerProgress&)>& progress, const std::atomic<bool>* stop) {
    return s.double_precision ? detail::fit_in<double>(input, target, s, progress, stop)
                              : detail::fit_in<float>(input, target, s, progress, stop);
}

inline std::string nam_text(const FitResult& r, const FitSettings& s) {
    const std::string bare = io::write_nam_text(r.model);
    io::TrainingRecord record;
    std::string loss = s.pre_emphasis == PreEmphasis::high_pass     ? "esr_pre_emphasis_0.95"
                       : s.pre_emphasis == PreEmphasis::a_weighting ? "esr_a_weighting"
                                                                    : "esr";
    if (s.stft_weight > 0.0) loss += "+mrstft";
    record.method = "train";
    record.teacher_sha256 = "none";
    record.settings = {{"architecture", s.architecture_name},
                       {"activation", s.activation_name.empty() ? std::string("default") : s.activation_name},
                       {"gated", s.gated},
                       {"epochs", static_cast<double>(r.trainer.epochs_completed)},
                       {"best_epoch", static_cast<double>(r.trainer.best_epoch)},
                       {"steps", static_cast<double>(r.trainer.steps)},
                       {"seed", static_cast<double>(s.seed)},
                       {"latency_samples", static_cast<double>(r.latency_samples)},
                       {"latency_measured", r.latency_measured},
                       {"loss", loss},
                       {"seconds", r.trainer.elapsed_seconds}};
    record.after = {{"training_esr", r.training_esr}, {"validation_esr", r.validation_esr}, {"asr_1249hz", r.asr}};
    io::WriteOptions options;
    options.record = record;
    return io::rewrite_model_text("trained.nam", bare, r.model.weights, options);
}

}  // namespace nofold::train
