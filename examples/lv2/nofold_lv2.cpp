// nofold as an LV2 plugin: a mono nofold::Processor around a model file, with an oversampling factor
// control and the latency reported through LV2's latency port.
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

enum Port : uint32_t { port_in = 0, port_out = 1, port_oversample = 2, port_latency = 3 };

struct Plugin {
    double host_rate_hz = 48000.0;
    nofold::io::ModelFile file;
    double model_rate_hz = 48000.0;
    std::unique_ptr<nofold::Processor> processor;
    int active_factor = 0;

    const float* in = nullptr;
    float* out = nullptr;
    const float* oversample = nullptr;
    float* latency = nullptr;
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

LV2_Handle instantiate(const LV2_Descriptor*, double rate, const char* bundle_path, const LV2_Feature* const*) {
    try {
        auto p = std::make_unique<Plugin>();
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
    switch (port) {
        case port_in: p->in = static_cast<const float*>(data); break;
        case port_out: p->out = static_cast<float*>(data); break;
        case port_oversample: p->oversample = static_cast<const float*>(data); break;
        case port_latency: p->latency = static_cast<float*>(data); break;
        default: break;
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
        auto model = build_model(*p, factor);
        auto processor = std::make_unique<nofold::Processor>(settings);
        if (model && processor->submit(model, {}) == nofold::SubmitStatus::accepted) {
            p->processor = std::move(processor);
            p->active_factor = factor;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nofold lv2: %s\n", e.what());
    }
}

void run(LV2_Handle handle, uint32_t n) {
    auto* p = static_cast<Plugin*>(handle);
    if (!p->processor) {
        for (uint32_t i = 0; i < n; ++i) p->out[i] = 0.0f;
    } else {
        p->processor->process(p->in, p->out, static_cast<int>(n));
    }
    if (p->latency) *p->latency = static_cast<float>(p->processor ? p->processor->latency() : 0);
}

void deactivate(LV2_Handle handle) { static_cast<Plugin*>(handle)->processor.reset(); }

void cleanup(LV2_Handle handle) { delete static_cast<Plugin*>(handle); }

const void* extension_data(const char*) { return nullptr; }

const LV2_Descriptor descriptor = {"urn:nofold:amp", instantiate, connect_port, activate, run, deactivate, cleanup,
                                   extension_data};

}  // namespace

extern "C" LV2_SYMBOL_EXPORT const LV2_Descriptor* lv2_descriptor(uint32_t index) {
    return index == 0 ? &descriptor : nullptr;
}
