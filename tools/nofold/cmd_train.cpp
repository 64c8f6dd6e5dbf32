// `nofold train --input DI.wav --target AMP.wav -o OUT.nam [--arch A] [--activation NAME[:P,…]] [--gated]
//  [--epochs E] [--minutes M] [--seed S] [--threads T] [--latency N] [--validation F] [--patience P]
//  [--pre-emphasis high-pass|a-weighting|none] [--stft W] [--lr X] [--batch B] [--frame N]
//  [--checkpoint FILE [--resume]] [--allow-clipping] [--double] [--json]`: trains a model from scratch on a
// recording pair (train::fit) and writes it as a .nam that NAM Core and nofold both play, with the run's
// record (architecture, ESRs, ASR, epochs, seed, latency) in its metadata.
//
// Ctrl-C stops between batches and writes the best model so far; the output is written to a
// temporary beside OUT and renamed over it, so a kill never leaves a half-written file.
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <new>
#include <string>

#include <unistd.h>

#include <nofold/io/atomic_file.hpp>
#include <nofold/train/fit.hpp>

#include "command.hpp"
#include "fit_options.hpp"
#include "progress.hpp"
#include "wav.hpp"

namespace nofold::cli {
namespace {

struct TrainOptions {
    FitOptions fit;
    std::string input, target, output, activation, checkpoint;
    bool gated = false, json = false, resume = false;
    unsigned long long seed = 0;
};

Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

std::function<void()> add_train(CLI::App& app) {
    auto o = std::make_shared<TrainOptions>();
    app.add_option("--input", o->input, "input WAV (the DI), mono")->required();
    app.add_option("--target", o->target, "target WAV (the amp's output), mono, same rate and length")->required();
    app.add_option("-o,--output", o->output, "the trained model (.nam)")->required();
    add_fit_options(app, o->fit);
    app.add_option("--activation", o->activation, "every WaveNet layer's activation: NAME or NAME:PARAM[,PARAM]");
    app.add_flag("--gated", o->gated, "gate every WaveNet layer (activation × sigmoid)");
    app.add_option("--seed", o->seed, "seed of the initial weights and the batches");
    app.add_option("--checkpoint", o->checkpoint, "checkpoint file written after every epoch");
    app.add_flag("--resume", o->resume, "continue from --checkpoint when it exists");
    app.add_flag("--json", o->json, "print the result as JSON");
    return [o] {
        if (o->resume && o->checkpoint.empty()) throw UsageError("--resume needs --checkpoint FILE");
        const nn::ActivationSpec activation = o->activation.empty() ? nn::ActivationSpec{} : parse_activation_option(o->activation, "--activation");
        train::FitSettings s = fit_settings(o->fit, activation, o->activation, o->gated);
        if (o->output == o->input || o->output == o->target || io::same_file(o->output, o->input) ||
            io::same_file(o->output, o->target))
            throw UsageError("the output file must not be an input file");
        {  // fail now, not after hours of training
            const auto slash = o->output.find_last_of('/');
            const std::string folder = slash == std::string::npos ? "." : (slash == 0 ? "/" : o->output.substr(0, slash));
            if (::access(folder.c_str(), W_OK) != 0)
                throw FileError(o->output + ": the folder '" + folder + "' does not exist or is not writable");
        }
        const TrainingPair pair = read_training_pair(o->input, o->target, "train");
        s.sample_rate_hz = pair.sample_rate_hz;
        s.seed = o->seed;
        {  // the .nam must be able to hold this model: fail now, not after the training
            train::FitResult shell;
            shell.model.config = s.config;
            shell.model.weights.assign(nn::weight_count(s.config), 0.0f);
            shell.model.sample_rate_hz = s.sample_rate_hz;
            try {
                (void)train::nam_text(shell, s);
            } catch (const std::bad_alloc&) {
                throw;
            } catch (const std::exception& e) {
                throw UsageError("the .nam format cannot hold this model (" + std::string(e.what()) +
                                 "); nofold study trains and measures such activations without writing a model");
            }
        }
        s.checkpoint_path = o->checkpoint;
        s.resume = o->resume;

        StatusLine status;
        const auto progress = [&](const train::TrainerProgress& p) {
            char buf[200];
            std::snprintf(buf, sizeof buf, "epoch %zu/%zu  batch %zu/%zu  loss %.4g  val ESR %.4g (best %.4g)  %s elapsed, ETA %s",
                          p.epoch, p.epochs, p.batch, p.batches_per_epoch, p.train_loss, p.validation, p.best_validation,
                          clock_text(p.elapsed_seconds).c_str(), clock_text(p.eta_seconds).c_str());
            status.update(buf, p.epoch_end);
        };
        train::FitResult r;
        {
            InterruptScope interrupt;
            try {
                r = fit_pair(pair, s, progress, interrupt.flag());
            } catch (const std::invalid_argument& e) {
                throw FileError(o->input + " / " + o->target + ": " + e.what());
            } catch (const train::CheckpointError& e) {
                throw FileError(e.what());
            }
        }
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
            j["architecture"] = o->fit.arch;
            j["activation"] = o->activation.empty() ? "default" : o->activation;
            j["gated"] = o->gated;
            j["sample_rate_hz"] = pair.sample_rate_hz;
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
            j["stop_reason"] = stop_reason_name(t.reason);
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
            std::printf("%s: %s, %zu parameters, %zu epochs (best %zu, %s) in %s\n", o->output.c_str(), o->fit.arch.c_str(),
                        r.parameters.size(), t.epochs_completed, t.best_epoch, stop_reason_name(t.reason),
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
