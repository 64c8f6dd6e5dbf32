// The training options `nofold train` and `nofold study` share (--arch, --epochs, --lr, …), their
// checks, and the reading of a DI/amp recording pair, so both commands train the same way.
#pragma once

#include <atomic>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nofold/train/fit.hpp>
#include <nofold/train/study.hpp>

#include "command.hpp"
#include "wav.hpp"

namespace nofold::cli {

struct FitOptions {
    std::string arch = "standard", pre_emphasis = "high-pass";
    bool allow_clipping = false, double_precision = false;
    int epochs = 100, latency = -1, threads = 0, batch = 16, frame = 8192, patience = 0;
    double minutes = 0.0, validation = 0.2, stft = 0.0, lr = 0.004;
};

/// Declares the shared options on `app`, with `o`'s values as the defaults.
inline void add_fit_options(CLI::App& app, FitOptions& o) {
    app.add_option("--arch", o.arch, "standard | lite | feather | nano | a2 | study | lstm:HxL | FILE.json (a .nam config: a custom shape) | FILE.nam (its shape) (default " +
                                        o.arch + ")");
    app.add_option("--epochs", o.epochs, "epochs (default " + std::to_string(o.epochs) + ")");
    app.add_option("--minutes", o.minutes, "wall-clock budget in minutes (0: none)");
    app.add_option("--threads", o.threads, "threads (default: all cores)");
    app.add_option("--latency", o.latency, "samples the target lags the input (default: found by cross-correlation)");
    app.add_option("--validation", o.validation, "held-out share at the end of the pair (default 0.2)");
    app.add_option("--patience", o.patience, "stop after this many epochs without a better validation ESR (0: never)");
    app.add_option("--pre-emphasis", o.pre_emphasis, "loss filter: high-pass (1 - 0.95 z^-1) | a-weighting | none");
    app.add_option("--stft", o.stft, "weight of a multi-resolution STFT term added to the ESR (default 0)");
    app.add_option("--lr", o.lr, "Adam learning rate (default 0.004, x0.993 per epoch)");
    app.add_option("--batch", o.batch, "segments per batch (default 16)");
    app.add_option("--frame", o.frame, "samples per segment entering the loss (default 8192)");
    app.add_flag("--allow-clipping", o.allow_clipping, "train on recordings with clipped samples");
    app.add_flag("--double", o.double_precision, "train in double precision (default: float, double moments and sums)");
}

/// Checks the shared options (UsageError) and turns them into FitSettings for `activation`/`gated`;
/// the rate and seed are the caller's.
inline train::FitSettings fit_settings(const FitOptions& o, const nn::ActivationSpec& activation, const std::string& activation_name,
                                       bool gated) {
    if (o.epochs < 1 || o.epochs > 100000) throw UsageError("--epochs must lie in [1, 100000]");
    if (!(o.minutes >= 0.0) || !std::isfinite(o.minutes)) throw UsageError("--minutes must be >= 0");
    if (o.threads < 0 || o.threads > 256) throw UsageError("--threads must lie in [0, 256]");
    if (!(o.validation > 0.0 && o.validation < 1.0)) throw UsageError("--validation must lie strictly between 0 and 1");
    if (o.batch < 1 || o.batch > 4096) throw UsageError("--batch must lie in [1, 4096]");
    if (o.frame < 64 || o.frame > (1 << 20)) throw UsageError("--frame must lie in [64, 1048576]");
    if (!(o.lr > 0.0 && o.lr < 1.0)) throw UsageError("--lr must lie in (0, 1)");
    if (!(o.stft >= 0.0) || !std::isfinite(o.stft)) throw UsageError("--stft must be >= 0");
    if (o.patience < 0) throw UsageError("--patience must be >= 0");
    train::FitSettings s;
    if (o.pre_emphasis == "high-pass")
        s.pre_emphasis = train::PreEmphasis::high_pass;
    else if (o.pre_emphasis == "a-weighting")
        s.pre_emphasis = train::PreEmphasis::a_weighting;
    else if (o.pre_emphasis == "none")
        s.pre_emphasis = train::PreEmphasis::none;
    else
        throw UsageError("--pre-emphasis must be high-pass, a-weighting or none");
    std::string error;
    s.config = train::architecture_config(o.arch, activation, gated, error);
    if (!error.empty()) throw UsageError("--arch: " + error);
    if (std::holds_alternative<nn::GruConfig>(s.config))
        throw UsageError("--arch gru: the .nam format has no GRU (NAM Core cannot run one); use lstm:HxL");
    s.architecture_name = o.arch;
    s.activation_name = activation_name;
    s.gated = gated;
    s.epochs = static_cast<std::size_t>(o.epochs);
    s.max_seconds = o.minutes * 60.0;
    s.threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    s.latency_samples = o.latency;
    s.validation_fraction = o.validation;
    s.patience = static_cast<std::size_t>(o.patience);
    s.stft_weight = o.stft;
    s.adam.learning_rate = o.lr;
    s.items = static_cast<std::size_t>(o.batch);
    s.frame_length = static_cast<std::size_t>(o.frame);
    if (o.allow_clipping) s.max_clipped_fraction = 1.0;
    s.double_precision = o.double_precision;
    return s;
}

/// A DI/amp pair read for training: mono, same rate, same length (FileError otherwise).
struct TrainingPair {
    std::vector<float> input, target;
    int sample_rate_hz = 0;
};

inline TrainingPair read_training_pair(const std::string& input, const std::string& target, const char* command) {
    const Audio in = read_wav(input);
    const Audio tg = read_wav(target);
    if (in.sample_rate_hz != tg.sample_rate_hz)
        throw FileError(target + ": sample rate " + std::to_string(tg.sample_rate_hz) + " Hz differs from the input's " +
                        std::to_string(in.sample_rate_hz) + " Hz");
    for (const auto* a : {&in, &tg})
        if (a->channels.size() != 1)
            throw FileError((a == &in ? input : target) + ": has " + std::to_string(a->channels.size()) + " channels; nofold " +
                            command + " takes mono files");
    TrainingPair p;
    p.input = in.channels.front();
    p.target = tg.channels.front();
    p.sample_rate_hz = in.sample_rate_hz;
    if (p.input.size() != p.target.size())
        throw FileError(target + ": " + std::to_string(p.target.size()) + " samples; the input has " +
                        std::to_string(p.input.size()) + " (the pair must be the same length)");
    return p;
}

/// "Name" or "Name:p1,p2" → ActivationSpec (UsageError naming `option` otherwise).
inline nn::ActivationSpec parse_activation_option(const std::string& text, const char* option) {
    train::StudyConfig c;
    std::string error;
    if (!train::parse_study_config(text, c, error) || c.gated) {
        if (error.empty()) error = "'" + text + "': gating is --gated";
        throw UsageError(std::string(option) + ": " + error);
    }
    return c.activation;
}

/// "epochs_done", "early_stopped", "out_of_time", "interrupted".
inline const char* stop_reason_name(train::StopReason r) {
    switch (r) {
        case train::StopReason::epochs_done: return "epochs_done";
        case train::StopReason::early_stopped: return "early_stopped";
        case train::StopReason::out_of_time: return "out_of_time";
        case train::StopReason::stop_flag: return "interrupted";
    }
    return "";
}

/// train::fit, compiled once for both commands (fit_options.cpp): it instantiates the trainer and every
/// gradient engine in float and in double.
train::FitResult fit_pair(const TrainingPair& pair, const train::FitSettings& settings,
                          const std::function<void(const train::TrainerProgress&)>& progress, const std::atomic<bool>* stop);

}  // namespace nofold::cli
