// nofold as an LV2 plugin: a nofold::Processor around a model file, with an oversampling factor
// control, four knob controls (the model's live parameters, Model::set_parameter; ignored beyond the
// model's parameter_count) and the latency reported through LV2's latency port. Two plugins:
// urn:nofold:amp (mono) and urn:nofold:amp_stereo (two channels through one model instance with a
// state per channel when the model can, Model::set_channels: LSTM/GRU/WaveNet; else one mono processor per
// channel, which gives the same output).
//
// The model is `model.nam` in the plugin bundle (the demo amp when built from this repository) or the
// file named by $NOFOLD_LV2_MODEL. Loading happens in instantiate(); the oversampled model is built in
// activate() from the factor on the `oversample` port (LV2 allows allocation there); run() only
// calls the processor, which never allocates.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <lv2/core/lv2.h>

#include <nofold/dsp/oversampled_model.hpp>
#include <nofold/dsp/resampled_model.hpp>
#include <nofold/io/load.hpp>
#include <nofold/processor.hpp>

namespace {

// Ports: audio in (one per channel), audio out (one per channel), oversample, latency, knobs.
constexpr int knob_ports = 4;

struct Plugin {
    explicit Plugin(int c) : channels(c) {}
    int channels;
    double host_rate_hz = 48000.0;
    nofold::io::ModelFile file;
    double model_rate_hz = 48000.0;
    // One processor for all channels, or (models without channel states) one per channel.
    std::unique_ptr<nofold::Processor> processors[2];
    int processor_count = 0;
    float last_knob[knob_ports] = {};

    const float* in[2] = {};
    float* out[2] = {};
    const float* oversample = nullptr;
    float* latency = nullptr;
    const float* knob[knob_ports] = {};
};

// Builds the model for a factor: the file's network, adapted to the host rate if needed, inside the
// oversampler. Latency rounded to whole samples with a fractional delay, as hosts compensate in
// whole samples.
std::unique_ptr<nofold::Model> build_model(const Plugin& p, int factor) {
    nofold::io::LoadOptions options;
    options.max_rate_factor = factor;
    options.prewarm = nofold::io::PrewarmPolicy::nam_core;
    auto loaded = nofold::io::build(p.file, options, "model.nam");
    std::unique_ptr<nofold::Model> model = std::move(loaded.model);
    if (factor > 1) {
        const auto f = nofold::dsp::oversample_factor_from_int(factor);
        if (!f) return nullptr;
        model = std::make_unique<nofold::dsp::OversampledModel>(std::move(model), *f,
                                                                 nofold::dsp::FilterPreset::iir_quality,
                                                                 nofold::dsp::LatencyMode::integer);
    }
    if (std::fabs(p.model_rate_hz - p.host_rate_hz) > 1e-6)
        model = std::make_unique<nofold::dsp::ResampledModel>(
            std::move(model), static_cast<int>(std::lround(p.host_rate_hz)), static_cast<int>(std::lround(p.model_rate_hz)));
    return model;
}

LV2_Handle instantiate(const LV2_Descriptor* d, double rate, const char* bundle_path, const LV2_Feature* const*) {
    try {
        auto p = std::make_unique<Plugin>(std::string(d->URI) == "urn:nofold:amp_stereo" ? 2 : 1);
        p->host_rate_hz = rate;
        const char* override_path = std::getenv("NOFOLD_LV2_MODEL");
        const std::string path = override_path ? override_path : std::string(bundle_path) + "/model.nam";
        auto loaded = nofold::io::load(path, {});
        p->model_rate_hz = loaded.model_sample_rate_hz;
        p->file = std::move(loaded.file);
        return p.release();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nofold lv2: %s\n", e.what());
        return nullptr;
    }
}

void connect_port(LV2_Handle handle, uint32_t port, void* data) {
    auto* p = static_cast<Plugin*>(handle);
    const auto c = static_cast<uint32_t>(p->channels);
    if (port < c) {
        p->in[port] = static_cast<const float*>(data);
    } else if (port < 2 * c) {
        p->out[port - c] = static_cast<float*>(data);
    } else if (port == 2 * c) {
        p->oversample = static_cast<const float*>(data);
    } else if (port == 2 * c + 1) {
        p->latency = static_cast<float*>(data);
    } else if (port < 2 * c + 2 + knob_ports) {
        p->knob[port - 2 * c - 2] = static_cast<const float*>(data);
    }
}

void activate(LV2_Handle handle) {
    auto* p = static_cast<Plugin*>(handle);
    int factor = p->oversample ? static_cast<int>(std::lround(*p->oversample)) : 1;
    if (factor != 1 && factor != 2 && factor != 4 && factor != 8 && factor != 16) factor = 1;
    nofold::ProcessorSettings settings;
    settings.sample_rate_hz = p->host_rate_hz;
    settings.dc_block = nofold::DcBlock::off;  // the output equals `nofold process` for the same settings
    try {
        p->processor_count = 0;
        settings.channels = p->channels;
        auto model = build_model(*p, factor);
        auto processor = std::make_unique<nofold::Processor>(settings);
        // The knobs as the host has them now, so that submit prewarms the model at them.
        const auto knobs_into = [p](nofold::Processor& to) {
            for (int k = 0; k < knob_ports; ++k) {
                p->last_knob[k] = p->knob[k] ? *p->knob[k] : std::nanf("");
                to.set_parameter(k, p->last_knob[k]);
            }
        };
        knobs_into(*processor);
        nofold::SubmitStatus status = model ? processor->submit(model, {}) : nofold::SubmitStatus::busy;
        if (status == nofold::SubmitStatus::accepted) {
            p->processors[0] = std::move(processor);
            p->processor_count = 1;
        } else if (status == nofold::SubmitStatus::channels_unsupported) {
            settings.channels = 1;
            for (int c = 0; c < p->channels; ++c) {
                auto mono_model = build_model(*p, factor);
                p->processors[c] = std::make_unique<nofold::Processor>(settings);
                knobs_into(*p->processors[c]);
                if (!mono_model || p->processors[c]->submit(mono_model, {}) != nofold::SubmitStatus::accepted) return;
            }
            p->processor_count = p->channels;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nofold lv2: %s\n", e.what());
    }
}

void run(LV2_Handle handle, uint32_t n) {
    auto* p = static_cast<Plugin*>(handle);
    for (int k = 0; k < knob_ports; ++k)
        if (p->knob[k] && *p->knob[k] != p->last_knob[k]) {
            p->last_knob[k] = *p->knob[k];
            for (int i = 0; i < p->processor_count; ++i) p->processors[i]->set_parameter(k, p->last_knob[k]);
        }
    if (p->processor_count == 0) {
        for (int c = 0; c < p->channels; ++c)
            for (uint32_t i = 0; i < n; ++i) p->out[c][i] = 0.0f;
    } else if (p->processor_count == 1) {
        p->processors[0]->process_channels(p->in, p->out, static_cast<int>(n));
    } else {
        for (int c = 0; c < p->channels; ++c) p->processors[c]->process(p->in[c], p->out[c], static_cast<int>(n));
    }
    if (p->latency) *p->latency = static_cast<float>(p->processor_count ? p->processors[0]->latency() : 0);
}

void deactivate(LV2_Handle handle) {
    auto* p = static_cast<Plugin*>(handle);
    for (auto& processor : p->processors) processor.reset();
    p->processor_count = 0;
}

void cleanup(LV2_Handle handle) { delete static_cast<Plugin*>(handle); }

const void* extension_data(const char*) { return nullptr; }

const LV2_Descriptor descriptors[2] = {
    {"urn:nofold:amp", instantiate, connect_port, activate, run, deactivate, cleanup, extension_data},
    {"urn:nofold:amp_stereo", instantiate, connect_port, activate, run, deactivate, cleanup, extension_data}};

}  // namespace

extern "C" LV2_SYMBOL_EXPORT const LV2_Descriptor* lv2_descriptor(uint32_t index) {
    return index < 2 ? &descriptors[index] : nullptr;
}
