// `nofold train --input DI.wav --target AMP.wav -o OUT.nam [--arch A] [--activation NAME[:P,…]] [--gated]
//  [--epochs E] [--minutes M] [--seed S] [--threads T] [--latency N] [--validation F] [--patience P]
//  [--pre-emphasis high-pass|a-weighting|none] [--stft W] [--lr X] [--batch B] [--frame N]
//  [--checkpoint FILE [--resume]] [--allow-clipping] [--json]`: trains a model from scratch on a
// recording pair (train::fit) and writes it as a .nam that NAM Core and nofold both play, with the run's
// record (architecture, ESRs, ASR, epochs, seed, latency) in its metadata.
//
// Ctrl-C stops between batches and writes the best model so far; the output is written to a
// temporary beside OUT and renamed over it, so a kill never leaves a half-written file.
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include <unistd.h>

#include <nofold/io/atomic_file.hpp>
#include <nofold/train/fit.hpp>

#include "command.hpp"
#include "progress.hpp"
#include "wav.hpp"

namespace nofold::cli {
namespace {

std::atomic<bool> interrupted{false};
extern "C" void on_train_interrupt(int) { interrupted.store(true); }

struct TrainOptions {
    std::string input, target, output, arch = "standard", activation, pre_emphasis = "high-pass", checkpoint;
    bool gated = false, json = false, resume = false, allow_clipping = false, double_precision = false;
    int epochs = 100, latency = -1, threads = 0, batch = 16, frame = 8192, patience = 0;
    double minutes = 0.0, validation = 0.2, stft = 0.0, lr = 0.004;
    unsigned long long seed = 0;
};

// "Name" or "Name:p1,p2" → ActivationSpec.
nn::ActivationSpec parse_activation(const std::string& text) {
    nn::ActivationSpec spec;
    const auto colon = text.find(':');
    spec.name = text.substr(0, colon);
    if (colon != std::string::npos) {
        std::string rest = text.substr(colon + 1);
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const std::string item = rest.substr(0, comma);
            try {
                std::size_t used = 0;
                spec.params.push_back(std::stof(item, &used));
                if (used != item.size()) throw std::invalid_argument(item);
            } catch (const std::exception&) {
                throw UsageError("--activation: '" + item + "' is not a number (NAME or NAME:PARAM[,PARAM])");
            }
            rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
        }
    }
    if (!math::Activation::kind_from_name(spec.name)) throw UsageError("--activation: unknown activation '" + spec.name + "' (see nofold activations)");
    return spec;
}

std::string clock_text(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

const char* reason_name(train::StopReason r) {
    switch (r) {
        case train::StopReason::epochs_done: return "epochs_done";
        case train::StopReason::early_stopped: return "early_stopped";
        case train::StopReason::out_of_time: return "out_of_time";
        case train::StopReason::stop_flag: return "interrupted";
    }
    return "";
}

Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

std::vector<float> mono(const Audio& a, const std::string& path) {
    if (a.channels.size() != 1)
        throw FileError(path + ": has " + std::to_string(a.channels.size()) + " channels; nofold train takes mono files");
    return a.channels.front();
}

std::function<void()> add_train(CLI::App& app) {
    auto o = std::make_shared<TrainOptions>();
    app.add_option("--input", o->input, "input WAV (the DI), mono")->required();
    app.add_option("--target", o->target, "target WAV (the amp's output), mono, same rate and length")->required();
    app.add_option("-o,--output", o->output, "the trained model (.nam)")->required();
    app.add_option("--arch", o->arch, "standard | lite | feather | nano | a2 | study | lstm:HxL");
    app.add_option("--activation", o->activation, "every WaveNet layer's activation: NAME or NAME:PARAM[,PARAM]");
    app.add_flag("--gated", o->gated, "gate every WaveNet layer (activation × sigmoid)");
    app.add_option("--epochs", o->epochs, "epochs (default 100)");
    app.add_option("--minutes", o->minutes, "wall-clock budget in minutes (0: none)");
    app.add_option("--seed", o->seed, "seed of the initial weights and the batches");
    app.add_option("--threads", o->threads, "threads (default: all cores)");
    app.add_option("--latency", o->latency, "samples the target lags the input (default: found by cross-correlation)");
    app.add_option("--validation", o->validation, "held-out share at the end of the pair (default 0.2)");
    app.add_option("--patience", o->patience, "stop after this many epochs without a better validation ESR (0: never)");
    app.add_option("--pre-emphasis", o->pre_emphasis, "loss filter: high-pass (1 - 0.95 z^-1) | a-weighting | none");
    app.add_option("--stft", o->stft, "weight of a multi-resolution STFT term added to the ESR (default 0)");
    app.add_option("--lr", o->lr, "Adam learning rate (default 0.004, x0.993 per epoch)");
    app.add_option("--batch", o->batch, "segments per batch (default 16)");
    app.add_option("--frame", o->frame, "samples per segment entering the loss (default 8192)");
    app.add_option("--checkpoint", o->checkpoint, "checkpoint file written after every epoch");
    app.add_flag("--resume", o->resume, "continue from --checkpoint when it exists");
    app.add_flag("--allow-clipping", o->allow_clipping, "train on recordings with clipped samples");
    app.add_flag("--double", o->double_precision, "train in double precision (default: float, double moments and sums)");
    app.add_flag("--json", o->json, "print the result as JSON");
    return [o] {
        if (o->epochs < 1 || o->epochs > 100000) throw UsageError("--epochs must lie in [1, 100000]");
        if (!(o->minutes >= 0.0) || !std::isfinite(o->minutes)) throw UsageError("--minutes must be >= 0");
        if (o->threads < 0 || o->threads > 256) throw UsageError("--threads must lie in [0, 256]");
        if (!(o->validation > 0.0 && o->validation < 1.0)) throw UsageError("--validation must lie strictly between 0 and 1");
        if (o->batch < 1 || o->batch > 4096) throw UsageError("--batch must lie in [1, 4096]");
        if (o->frame < 64 || o->frame > (1 << 20)) throw UsageError("--frame must lie in [64, 1048576]");
        if (!(o->lr > 0.0 && o->lr < 1.0)) throw UsageError("--lr must lie in (0, 1)");
        if (!(o->stft >= 0.0) || !std::isfinite(o->stft)) throw UsageError("--stft must be >= 0");
        if (o->patience < 0) throw UsageError("--patience must be >= 0");
        if (o->resume && o->checkpoint.empty()) throw UsageError("--resume needs --checkpoint FILE");
        train::FitSettings s;
        if (o->pre_emphasis == "high-pass")
            s.pre_emphasis = train::PreEmphasis::high_pass;
        else if (o->pre_emphasis == "a-weighting")
            s.pre_emphasis = train::PreEmphasis::a_weighting;
        else if (o->pre_emphasis == "none")
            s.pre_emphasis = train::PreEmphasis::none;
        else
            throw UsageError("--pre-emphasis must be high-pass, a-weighting or none");
        const nn::ActivationSpec activation = o->activation.empty() ? nn::ActivationSpec{} : parse_activation(o->activation);
        std::string error;
        s.config = train::architecture_config(o->arch, activation, o->gated, error);
        if (!error.empty()) throw UsageError("--arch: " + error);
        if (std::holds_alternative<nn::GruConfig>(s.config))
            throw UsageError("--arch gru: the .nam format has no GRU (NAM Core cannot run one); use lstm:HxL");
        if (o->output == o->input || o->output == o->target || io::same_file(o->output, o->input) ||
            io::same_file(o->output, o->target))
            throw UsageError("the output file must not be an input file");
        {  // fail now, not after hours of training
            const auto slash = o->output.find_last_of('/');
            const std::string folder = slash == std::string::npos ? "." : (slash == 0 ? "/" : o->output.substr(0, slash));
            if (::access(folder.c_str(), W_OK) != 0)
                throw FileError(o->output + ": the folder '" + folder + "' does not exist or is not writable");
        }
        const Audio in = read_wav(o->input);
        const Audio tg = read_wav(o->target);
        if (in.sample_rate_hz != tg.sample_rate_hz)
            throw FileError(o->target + ": sample rate " + std::to_string(tg.sample_rate_hz) + " Hz differs from the input's " +
                            std::to_string(in.sample_rate_hz) + " Hz");
        const std::vector<float> x = mono(in, o->input), y = mono(tg, o->target);
        if (x.size() != y.size())
            throw FileError(o->target + ": " + std::to_string(y.size()) + " samples; the input has " + std::to_string(x.size()) +
                            " (the pair must be the same length)");
        s.architecture_name = o->arch;
        s.activation_name = o->activation;
        s.gated = o->gated;
        s.sample_rate_hz = in.sample_rate_hz;
        s.epochs = static_cast<std::size_t>(o->epochs);
        s.max_seconds = o->minutes * 60.0;
        s.seed = o->seed;
        s.double_precision = o->double_precision;
        s.threads = o->threads > 0 ? o->threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        s.latency_samples = o->latency;
        s.validation_fraction = o->validation;
        s.patience = static_cast<std::size_t>(o->patience);
        s.stft_weight = o->stft;
        s.adam.learning_rate = o->lr;
        s.items = static_cast<std::size_t>(o->batch);
        s.frame_length = static_cast<std::size_t>(o->frame);
        s.checkpoint_path = o->checkpoint;
        s.resume = o->resume;
        if (o->allow_clipping) s.max_clipped_fraction = 1.0;

        StatusLine status;
        const auto progress = [&](const train::TrainerProgress& p) {
            char buf[200];
            std::snprintf(buf, sizeof buf, "epoch %zu/%zu  batch %zu/%zu  loss %.4g  val ESR %.4g (best %.4g)  %s elapsed, ETA %s",
                          p.epoch, p.epochs, p.batch, p.batches_per_epoch, p.train_loss, p.validation, p.best_validation,
                          clock_text(p.elapsed_seconds).c_str(), clock_text(p.eta_seconds).c_str());
            status.update(buf, p.epoch_end);
        };
        interrupted = false;
        const auto previous = std::signal(SIGINT, on_train_interrupt);
        train::FitResult r;
        try {
            r = train::fit(x, y, s, progress, &interrupted);
        } catch (const std::invalid_argument& e) {
            std::signal(SIGINT, previous);
            status.finish();
            throw FileError(o->input + " / " + o->target + ": " + e.what());
        } catch (const train::CheckpointError& e) {
            std::signal(SIGINT, previous);
            status.finish();
            throw FileError(e.what());
        }
        std::signal(SIGINT, previous);
        status.finish();
        try {
            io::write_file_atomically(o->output, train::nam_text(r, s));
        } catch (const io::WriteError& e) {
            throw FileError(e.what());
        }
        const train::TrainerResult& t = r.trainer;
        if (o->json) {
            Json j;
            j["output"] = o->output;
            j["architecture"] = o->arch;
            j["activation"] = o->activation.empty() ? "default" : o->activation;
            j["gated"] = o->gated;
            j["sample_rate_hz"] = in.sample_rate_hz;
            j["parameters"] = r.parameters.size();
            j["latency_samples"] = r.latency_samples;
            j["latency_measured"] = r.latency_measured;
            j["latency_correlation"] = number(r.latency_correlation);
            j["training_samples"] = r.validation_start;
            j["validation_samples"] = r.validation_target.size();
            j["epochs"] = t.epochs_completed;
            j["best_epoch"] = t.best_epoch;
            j["steps"] = t.steps;
            j["skipped_steps"] = t.skipped_steps;
            j["stop_reason"] = reason_name(t.reason);
            j["seed"] = o->seed;
            j["threads"] = s.threads;
            j["training_esr"] = number(r.training_esr);
            j["validation_esr"] = number(r.validation_esr);
            j["asr"] = number(r.asr);
            j["asr_db"] = number(10.0 * std::log10(r.asr));
            j["seconds"] = t.elapsed_seconds;
            Json history = Json::array();
            for (std::size_t i = 0; i < t.history.size(); ++i)
                history.push_back(Json{{"epoch", i + 1}, {"train_loss", number(t.history[i].train_loss)},
                                       {"validation_esr", number(t.history[i].validation)}, {"seconds", t.history[i].seconds}});
            j["history"] = history;
            print_json(j);
        } else {
            std::printf("%s: %s, %zu parameters, %zu epochs (best %zu, %s) in %s\n", o->output.c_str(), o->arch.c_str(),
                        r.parameters.size(), t.epochs_completed, t.best_epoch, reason_name(t.reason),
                        clock_text(t.elapsed_seconds).c_str());
            std::printf("  latency %d samples (%s), ESR training %.5f, validation %.5f, ASR %.3g (%.1f dB)\n", r.latency_samples,
                        r.latency_measured ? "measured" : "given", r.training_esr, r.validation_esr, r.asr,
                        10.0 * std::log10(r.asr));
        }
    };
}

}  // namespace

Command train_command() {
    return {"train", "train a model (WaveNet or LSTM) from a DI and amp recording pair, written as .nam", add_train};
}

}  // namespace nofold::cli
