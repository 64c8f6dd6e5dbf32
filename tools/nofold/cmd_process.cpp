// `nofold process MODEL IN.wav OUT.wav [--math exact|fast|nam] [--block N] [--slim V] [--gain DB]
//  [--rate HZ] [--adapt resample|model] [--prewarm nam|steady] [--oversample N] [--filter iir|iir_fast|fir]
//  [--latency fractional|integer]`: runs a model over a WAV file.
//
// Each channel gets its own model instance (stereo = two independent mono models). The model is
// prewarmed the way NAM Core does it by default (whole blocks of zeros of the block size), so the
// output matches Core's renders sample for sample; `--prewarm steady` uses the faster equivalent
// steady-state fill instead. `--gain` scales the input (drive) before the model. The output has the
// input's rate, length and sample format; there is no latency compensation.
// A model trained at another rate than the file's is refused; `--rate HZ` (HZ = the file's rate)
// adapts it: by default with the low-latency resampler at the model boundary (dsp::ResampledModel),
// or with `--adapt model` by running the model itself at the ratio (Model::set_rate_factor: integer
// ratios for WaveNets, any ratio ≥ 1 for recurrent models).
// `--oversample N` runs the model at N × its rate between the up- and down-sampler of the chosen
// filter (dsp::OversampledModel); the resampler, if any, sits outside the oversampler.
#include <cmath>
#include <iostream>

#include <nofold/dsp/oversampled_model.hpp>
#include <nofold/dsp/resampled_model.hpp>
#include <nofold/io/load.hpp>

#include "command.hpp"
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
};

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

        Audio audio = read_wav(o->input);
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
        const float gain = static_cast<float>(std::pow(10.0, o->gain_db / 20.0));
        Progress progress("process");
        const double total = static_cast<double>(audio.frames()) * static_cast<double>(audio.channels.size());
        double done = 0.0;
        for (auto& channel : audio.channels) {
            io::LoadedModel m;
            try {
                m = io::build(file, options, o->model);
            } catch (const io::LoadError& e) {
                const std::string what = e.what();
                if (what.find("refusing") != std::string::npos)
                    throw FileError(what + " — pass --rate " + std::to_string(audio.sample_rate_hz) + " to adapt it");
                throw FileError(what);
            }
            if (&channel == &audio.channels.front())
                for (const std::string& w : m.warnings) std::cerr << "nofold: warning: " << w << '\n';
            m.model = apply_oversampling(std::move(m.model), o->oversampling, o->model);
            if (resample && std::fabs(m.model_sample_rate_hz - audio.sample_rate_hz) > 1e-6) {
                try {
                    m.model = std::make_unique<dsp::ResampledModel>(
                        std::move(m.model), audio.sample_rate_hz, static_cast<int>(std::lround(m.model_sample_rate_hz)));
                } catch (const std::invalid_argument& e) {
                    throw UsageError(std::string("--rate: ") + e.what());
                }
            }
            m.model->prewarm();
            std::vector<float> in(static_cast<std::size_t>(o->block));
            for (std::size_t i = 0; i < channel.size(); i += static_cast<std::size_t>(o->block)) {
                const int n = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(o->block), channel.size() - i));
                for (int k = 0; k < n; ++k) in[static_cast<std::size_t>(k)] = gain * channel[i + static_cast<std::size_t>(k)];
                m.model->process(in.data(), channel.data() + i, n);
                done += n;
                if ((i / static_cast<std::size_t>(o->block)) % 256 == 0) progress.update(done / total);
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
