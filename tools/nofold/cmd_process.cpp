// `nofold process MODEL IN.wav OUT.wav [--math exact|fast|nam] [--block N] [--slim V] [--gain DB]
//  [--rate HZ] [--adapt resample|model] [--prewarm nam|steady] [--oversample N] [--filter iir|iir_fast|fir]
//  [--latency fractional|integer] [--ir CAB.wav] [--ir-latency zero|one_block] [--ir-normalize energy|none]
//  [--param NAME_OR_INDEX=VALUE ...]`:
//  runs a model over a WAV file, optionally followed by a cab impulse response.
//
// Stereo: LSTM/GRU and WaveNet models run both channels through one instance (shared weights, state per channel,
// Model::process_channels); other models get one instance per channel. The output is the same. The model is
// prewarmed the way NAM Core does it by default (whole blocks of zeros of the block size), so the
// output matches Core's renders sample for sample; `--prewarm steady` uses the faster equivalent
// steady-state fill instead. `--gain` scales the input (drive) before the model. The output has the
// input's rate, length and sample format; there is no latency compensation.
// A model trained at another rate than the file's is refused; `--rate HZ` (HZ = the file's rate)
// adapts it: by default with the low-latency resampler at the model boundary (dsp::ResampledModel),
// or with `--adapt model` by running the model itself at the ratio (Model::set_rate_factor: integer
// ratios for WaveNets, any ratio ≥ 1 for recurrent models).
// `--ir CAB.wav` convolves the model's output with an impulse response (io::load_impulse_response:
// resampled to the file's rate, trimmed, energy-normalised unless `--ir-normalize none`) through
// dsp::Convolver, block 64, zero latency unless `--ir-latency one_block`. A stereo response on mono
// audio gives a stereo output (the model runs once; each channel gets its own response channel); a
// mono response serves every channel.
// `--param` sets a knob input of a conditioned model (GuitarML/AIDA-X `paramK`, .nam `inputK`; the
// names and ranges `nofold info` lists) by name or index; the others keep the file's defaults.
// `--oversample N` runs the model at N × its rate between the up- and down-sampler of the chosen
// filter (dsp::OversampledModel); the resampler, if any, sits outside the oversampler.
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <nofold/dsp/convolver.hpp>
#include <nofold/dsp/oversampled_model.hpp>
#include <nofold/dsp/resampled_model.hpp>
#include <nofold/io/impulse_response.hpp>
#include <nofold/io/load.hpp>

#include "command.hpp"
#include "model_loading.hpp"
#include "oversampling.hpp"
#include "progress.hpp"
#include "wav.hpp"

namespace nofold::cli {
namespace {

struct ProcessOptions {
    std::string model, input, output;
    std::string math = "exact";
    std::string prewarm = "nam";
    int block = 64;
    double slim = -1.0;
    double gain_db = 0.0;
    double rate_hz = 0.0;
    std::string adapt = "resample";
    OversampleChoice oversampling;
    std::string ir;
    std::string ir_latency = "zero";
    std::string ir_normalize = "energy";
    std::vector<std::string> params;
};

/// LoadOptions::parameters from `--param NAME_OR_INDEX=VALUE` specs (NaN = the file's default).
std::vector<double> parse_params(const std::vector<std::string>& specs, const std::vector<io::ConditioningInput>& inputs) {
    std::string known;
    for (std::size_t i = 0; i < inputs.size(); ++i) known += (i ? ", " : "") + std::to_string(i) + " = " + inputs[i].name;
    if (known.empty()) known = "none";
    std::vector<double> values(inputs.size(), std::nan(""));
    for (const std::string& spec : specs) {
        const std::size_t eq = spec.find('=');
        if (eq == std::string::npos || eq == 0) throw UsageError("--param must be NAME_OR_INDEX=VALUE (got '" + spec + "')");
        const std::string key = spec.substr(0, eq), text = spec.substr(eq + 1);
        std::size_t index = inputs.size();
        for (std::size_t i = 0; i < inputs.size(); ++i)
            if (inputs[i].name == key) index = i;
        if (index == inputs.size() && key.find_first_not_of("0123456789") == std::string::npos && key.size() < 4)
            index = static_cast<std::size_t>(std::stoi(key));
        if (index >= inputs.size()) throw UsageError("--param: the model has no parameter '" + key + "' (parameters: " + known + ")");
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !std::isfinite(v)) throw UsageError("--param " + key + ": '" + text + "' is not a finite number");
        if (v < inputs[index].min || v > inputs[index].max)
            throw UsageError("--param " + key + ": " + text + " is outside the parameter's range [" + std::to_string(inputs[index].min) +
                             ", " + std::to_string(inputs[index].max) + "]");
        values[index] = v;
    }
    return values;
}

math::Accuracy parse_math(const std::string& s) {
    if (s == "exact") return math::Accuracy::exact;
    if (s == "fast") return math::Accuracy::fast;
    if (s == "nam") return math::Accuracy::nam;
    throw UsageError("--math must be exact, fast or nam (got '" + s + "')");
}

std::function<void()> add_process(CLI::App& app) {
    auto o = std::make_shared<ProcessOptions>();
    app.add_option("model", o->model, "model file")->required();
    app.add_option("input", o->input, "input WAV")->required();
    app.add_option("output", o->output, "output WAV")->required();
    app.add_option("--math", o->math, "exact | fast | nam (NAM Core's fast tanh, for parity with its fast mode)");
    app.add_option("--block", o->block, "block size in samples (default 64)");
    app.add_option("--slim", o->slim, "slimmable size in [0, 1] (default: full size)");
    app.add_option("--gain", o->gain_db, "input gain in dB");
    app.add_option("--rate", o->rate_hz, "adapt the model to run at this rate (must be the input file's rate)");
    app.add_option("--prewarm", o->prewarm, "nam (whole blocks of zeros, as NAM Core) | steady (steady-state fill)");
    app.add_option("--adapt", o->adapt, "with --rate: resample (at the model boundary) | model (set_rate_factor)");
    add_oversample_options(app, o->oversampling, true);
    app.add_option("--ir", o->ir, "cab impulse response (WAV, mono or stereo, any rate) applied after the model");
    app.add_option("--ir-latency", o->ir_latency, "zero (direct head, default) | one_block (64 samples, cheaper)");
    app.add_option("--ir-normalize", o->ir_normalize, "energy (sum of squares 1, default) | none (the file's gain)");
    app.add_option("--param", o->params, "NAME_OR_INDEX=VALUE: a knob of a conditioned model (repeatable; see nofold info)");
    return [o] {
        io::LoadOptions options;
        options.math = parse_math(o->math);
        if (o->block < 1 || o->block > 65536) throw UsageError("--block must lie in [1, 65536]");
        if (o->slim != -1.0 && !(o->slim >= 0.0 && o->slim <= 1.0)) throw UsageError("--slim must lie in [0, 1]");
        if (o->slim >= 0.0) options.slimmable_size = o->slim;
        if (!(std::fabs(o->gain_db) <= 100.0)) throw UsageError("--gain must lie in [-100, 100] dB");
        if (o->prewarm == "nam")
            options.prewarm = io::PrewarmPolicy::nam_core;
        else if (o->prewarm == "steady")
            options.prewarm = io::PrewarmPolicy::steady_state;
        else
            throw UsageError("--prewarm must be nam or steady");
        options.prewarm_block = o->block;

        if (o->adapt != "resample" && o->adapt != "model") throw UsageError("--adapt must be resample or model");
        validate_oversampling(o->oversampling);
        options.max_rate_factor = o->oversampling.factor;

        if (o->ir_latency != "zero" && o->ir_latency != "one_block") throw UsageError("--ir-latency must be zero or one_block");
        if (o->ir_normalize != "energy" && o->ir_normalize != "none") throw UsageError("--ir-normalize must be energy or none");

        Audio audio = read_wav(o->input);
        io::ImpulseResponse cab;
        if (!o->ir.empty()) {
            io::IrOptions ir_options;
            ir_options.host_sample_rate_hz = audio.sample_rate_hz;
            ir_options.normalize = o->ir_normalize == "none" ? io::IrNormalize::none : io::IrNormalize::energy;
            try {
                cab = io::load_impulse_response(o->ir, ir_options);
            } catch (const io::LoadError& e) {
                throw FileError(e.what());
            }
        }
        if (o->rate_hz != 0.0 && o->rate_hz != audio.sample_rate_hz)
            throw UsageError("--rate must equal the input file's rate (" + std::to_string(audio.sample_rate_hz) +
                             " Hz): nofold adapts the model, it does not resample the audio");
        const bool adapting = o->rate_hz != 0.0;
        const bool resample = adapting && o->adapt == "resample";
        // With the resampler, the model is built at its own rate and wrapped afterwards (outside the
        // oversampler); otherwise the loader checks the rate and adapts the model itself.
        options.host_sample_rate_hz = resample ? 0.0 : audio.sample_rate_hz;
        options.rate_mismatch = adapting ? io::RateMismatch::adapt : io::RateMismatch::refuse;
        if (adapting && !resample) options.max_rate_factor *= std::ceil(audio.sample_rate_hz / 8000.0);

        set_memory_subject(o->model);
        io::ModelFile file;
        try {
            file = io::read_model_file(o->model, options.read);
        } catch (const io::LoadError& e) {
            throw FileError(e.what());
        }
        options.parameters = parse_params(o->params, file.conditioning);
        const float gain = static_cast<float>(std::pow(10.0, o->gain_db / 20.0));
        Progress progress("process");
        const double total = static_cast<double>(audio.frames()) * static_cast<double>(audio.channels.size());
        double done = 0.0;
        bool warned = false;  // the load warnings once, not once per channel instance
        const auto build_model = [&] {
            io::LoadedModel m;
            try {
                m = cli::build_model(file, options, o->model);
            } catch (const io::LoadError& e) {
                const std::string what = e.what();
                if (what.find("refusing") != std::string::npos)
                    throw FileError(what + " — pass --rate " + std::to_string(audio.sample_rate_hz) + " to adapt it");
                throw FileError(what);
            }
            if (!warned)
                for (const std::string& w : m.warnings) std::cerr << "nofold: warning: " << w << '\n';
            warned = true;
            m.model = apply_oversampling(std::move(m.model), o->oversampling, o->model);
            if (resample && std::fabs(m.model_sample_rate_hz - audio.sample_rate_hz) > 1e-6) {
                try {
                    m.model = std::make_unique<dsp::ResampledModel>(
                        std::move(m.model), audio.sample_rate_hz, static_cast<int>(std::lround(m.model_sample_rate_hz)));
                } catch (const std::invalid_argument& e) {
                    throw UsageError(std::string("--rate: ") + e.what());
                }
            }
            return std::move(m.model);
        };
        const auto channels = static_cast<int>(audio.channels.size());
        const auto frames = audio.channels.front().size();
        const auto block = static_cast<std::size_t>(o->block);
        // One instance for every channel when the model keeps state per channel (LSTM/GRU/WaveNet: weights
        // shared); otherwise one instance per channel. Either way channel c's output is the same.
        std::unique_ptr<Model> shared = build_model();
        if (channels > 1 && shared->set_channels(channels) == channels) {
            shared->prewarm();
            std::vector<std::vector<float>> in(audio.channels.size(), std::vector<float>(block));
            std::vector<const float*> ins(audio.channels.size());
            std::vector<float*> outs(audio.channels.size());
            for (std::size_t i = 0; i < frames; i += block) {
                const int n = static_cast<int>(std::min(block, frames - i));
                for (std::size_t c = 0; c < audio.channels.size(); ++c) {
                    for (int k = 0; k < n; ++k) in[c][static_cast<std::size_t>(k)] = gain * audio.channels[c][i + static_cast<std::size_t>(k)];
                    ins[c] = in[c].data();
                    outs[c] = audio.channels[c].data() + i;
                }
                shared->process_channels(ins.data(), outs.data(), channels, n);
                done += static_cast<double>(n) * channels;
                if ((i / block) % 256 == 0) progress.update(done / total);
            }
        } else {
            for (auto& channel : audio.channels) {
                std::unique_ptr<Model> model = shared ? std::move(shared) : build_model();
                model->prewarm();
                std::vector<float> in(block);
                for (std::size_t i = 0; i < channel.size(); i += block) {
                    const int n = static_cast<int>(std::min(block, channel.size() - i));
                    for (int k = 0; k < n; ++k) in[static_cast<std::size_t>(k)] = gain * channel[i + static_cast<std::size_t>(k)];
                    model->process(in.data(), channel.data() + i, n);
                    done += n;
                    if ((i / block) % 256 == 0) progress.update(done / total);
                }
            }
        }
        if (!cab.channels.empty()) {
            if (audio.channels.size() == 1 && cab.channels.size() == 2) audio.channels.push_back(audio.channels.front());
            dsp::ConvolverSettings settings;
            settings.latency = o->ir_latency == "zero" ? dsp::ConvolverLatency::zero : dsp::ConvolverLatency::one_block;
            for (std::size_t c = 0; c < audio.channels.size(); ++c) {
                const auto& h = cab.channels[std::min(c, cab.channels.size() - 1)];
                dsp::Convolver convolver(h.data(), static_cast<int>(h.size()), settings);
                auto& channel = audio.channels[c];
                for (std::size_t i = 0; i < channel.size(); i += static_cast<std::size_t>(o->block)) {
                    const int n = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(o->block), channel.size() - i));
                    convolver.process(channel.data() + i, channel.data() + i, n);
                }
            }
        }
        progress.finish();
        set_memory_subject(o->output);
        warn_non_finite(o->output, write_wav(o->output, audio));
    };
}


}  // namespace

Command process_command() { return {"process", "run a model over a WAV file", add_process}; }

}  // namespace nofold::cli
