// `nofold info MODEL [--json] [--slim V]`: what a model file is, how nofold runs it and why.
//
// JSON keys (stable, in this order):
//   file, format ("nam" | "guitarml" | "keras"), architecture, version, sample_rate_hz (null when the
//   file has none), sample_rate_assumed_hz (the rate the model runs at: stored, format default or
//   NAM's 48000), weights (children and condition_dsp included),
//   receptive_field (samples), latency_samples, flops_per_sample, memory_bytes, implementation,
//   isa ({selected: baseline/sse41/avx2/avx512, simd, float_lanes, dispatch}: the code path the model runs),
//   dispatch ([{path, implementation, reason}] one per network), load_ms, nam_prewarm_samples,
//   slimmable (array of submodel max_values or allowed channel widths; empty when not slimmable),
//   input_skip, input_gain_db, output_gain_db, conditioning ([{index, name, default, min, max}]: the
//   live parameters, `process --param`), parameter_count (the built model's),
//   golden_vectors (frames of AIDA-X input_batch/output_batch), metadata ({name, modeled_by,
//   gear_type, gear_make, gear_model, tone_type, date, loudness_db, input_level_dbu,
//   output_level_dbu, gain, extra {...}}), warnings ([...]).
#include <cstdio>
#include <iostream>
#include <optional>

#include <nofold/dsp/oversampled_model.hpp>
#include <nofold/io/load.hpp>
#include <nofold/isa/active.hpp>

#include "command.hpp"
#include "model_loading.hpp"
#include "oversampling.hpp"

namespace nofold::cli {
namespace {

struct InfoOptions {
    std::string model;
    bool json = false;
    double slim = -1.0;
    OversampleChoice oversampling;
};

Json optional_number(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

std::function<void()> add_info(CLI::App& app) {
    auto o = std::make_shared<InfoOptions>();
    app.add_option("model", o->model, "model file (.nam, GuitarML or AIDA-X JSON)")->required();
    app.add_flag("--json", o->json, "machine-readable output");
    app.add_option("--slim", o->slim, "slimmable size in [0, 1] to describe (default: full size)");
    add_oversample_options(app, o->oversampling, true);
    return [o] {
        validate_oversampling(o->oversampling);
        io::LoadOptions options;
        options.max_rate_factor = o->oversampling.factor;
        if (o->slim != -1.0 && !(o->slim >= 0.0 && o->slim <= 1.0)) throw UsageError("--slim must lie in [0, 1]");
        if (o->slim >= 0.0) options.slimmable_size = o->slim;
        io::LoadedModel m;
        try {
            m = load_model(o->model, options);
        } catch (const io::LoadError& e) {
            throw FileError(e.what());
        }
        // With --oversample, latency and cost are those of the model inside the oversampler.
        double oversampler_latency = 0.0;
        if (o->oversampling.factor != 1) {
            m.model = apply_oversampling(std::move(m.model), o->oversampling, o->model);
            oversampler_latency = static_cast<const dsp::OversampledModel&>(*m.model).latency_samples();
        }
        const io::ModelFile& f = m.file;
        const io::Metadata& md = f.metadata;
        const io::ModelFile* leaf = &f;
        while (leaf->is_container() && !leaf->children.empty()) leaf = &leaf->children.back();
        const int prewarm = io::nam_prewarm_samples(leaf->model, leaf->metadata.sample_rate_hz.has_value());
        if (o->json) {
            Json j;
            j["file"] = o->model;
            j["format"] = io::to_string(md.format);
            j["architecture"] = io::to_string(f.architecture);
            j["version"] = md.version;
            j["sample_rate_hz"] = optional_number(md.sample_rate_hz);
            j["sample_rate_assumed_hz"] = m.model_sample_rate_hz;
            j["weights"] = f.total_weights();
            j["receptive_field"] = m.model->receptive_field();
            j["latency_samples"] = m.model->latency();
            j["oversample"] = o->oversampling.factor;
            j["filter"] = o->oversampling.factor == 1 ? "none" : filter_name(o->oversampling);
            j["latency_exact_samples"] = o->oversampling.factor == 1 ? static_cast<double>(m.model->latency())
                                                                     : oversampler_latency;
            j["flops_per_sample"] = m.model->flops_per_sample();
            j["memory_bytes"] = m.model->memory_bytes();
            j["implementation"] = m.model->implementation_name();
            const isa::Path isa_path = isa::active_path();
            j["isa"] = {{"selected", isa::level_name(isa_path.level)}, {"simd", isa_path.simd_arch},
                        {"float_lanes", isa_path.float_lanes}, {"dispatch", isa_path.dispatched}};
            Json dispatch = Json::array();
            for (const auto& d : m.dispatch)
                dispatch.push_back(Json{{"path", d.path}, {"implementation", d.implementation}, {"reason", d.reason}});
            j["dispatch"] = dispatch;
            j["load_ms"] = m.load_ms;
            j["nam_prewarm_samples"] = prewarm;
            j["slimmable"] = f.slimmable_values();
            j["input_skip"] = f.input_skip == io::InputSkip::on;
            j["input_gain_db"] = f.input_gain_db;
            j["output_gain_db"] = f.output_gain_db;
            Json cond = Json::array();
            for (std::size_t i = 0; i < f.conditioning.size(); ++i) {
                const auto& c = f.conditioning[i];
                cond.push_back(Json{{"index", i}, {"name", c.name}, {"default", c.default_value}, {"min", c.min}, {"max", c.max}});
            }
            j["conditioning"] = cond;
            j["parameter_count"] = m.model->parameter_count();
            j["golden_vectors"] = f.golden_output.size();
            Json meta;
            meta["name"] = md.name;
            meta["modeled_by"] = md.modeled_by;
            meta["gear_type"] = md.gear_type;
            meta["gear_make"] = md.gear_make;
            meta["gear_model"] = md.gear_model;
            meta["tone_type"] = md.tone_type;
            meta["date"] = md.date;
            meta["loudness_db"] = optional_number(md.loudness_db);
            meta["input_level_dbu"] = optional_number(md.input_level_dbu);
            meta["output_level_dbu"] = optional_number(md.output_level_dbu);
            meta["gain"] = optional_number(md.gain);
            Json extra = Json::object();
            for (const auto& kv : md.extra) extra[kv.first] = kv.second;
            meta["extra"] = extra;
            j["metadata"] = meta;
            j["warnings"] = f.warnings;
            print_json(j);
            return;
        }
        std::printf("file            %s\n", o->model.c_str());
        std::printf("format          %s %s\n", io::to_string(md.format), md.version.c_str());
        std::printf("architecture    %s\n", io::to_string(f.architecture));
        if (md.sample_rate_hz)
            std::printf("sample rate     %.0f Hz\n", *md.sample_rate_hz);
        else
            std::printf("sample rate     not stored (assumed %.0f Hz)\n", m.model_sample_rate_hz);
        std::printf("weights         %zu\n", f.total_weights());
        std::printf("receptive field %d samples\n", m.model->receptive_field());
        if (o->oversampling.factor == 1)
            std::printf("latency         %d samples\n", m.model->latency());
        else
            std::printf("latency         %.3f samples (%dx %s oversampling; %d when rounded)\n", oversampler_latency,
                        o->oversampling.factor, filter_name(o->oversampling), m.model->latency());
        std::printf("FLOPs/sample    %.0f\n", m.model->flops_per_sample());
        std::printf("memory          %zu bytes\n", m.model->memory_bytes());
        std::printf("implementation  %s\n", m.model->implementation_name());
        const isa::Path isa_path = isa::active_path();
        std::printf("instruction set %s (%s, %d float lanes, %s)\n", isa::level_name(isa_path.level), isa_path.simd_arch,
                    isa_path.float_lanes, isa_path.dispatched ? "chosen at run time from CPUID" : "fixed at compile time");
        for (const auto& d : m.dispatch)
            std::printf("  %s: %s — %s\n", d.path.c_str(), d.implementation.c_str(), d.reason.c_str());
        std::printf("load time       %.2f ms\n", m.load_ms);
        const auto slim = f.slimmable_values();
        if (!slim.empty()) {
            std::printf("slimmable       %s", f.architecture == io::Architecture::slimmable_container ? "max values" : "widths");
            for (double v : slim) std::printf(" %g", v);
            std::printf("\n");
        }
        if (f.input_skip == io::InputSkip::on || f.input_gain_db != 0.0 || f.output_gain_db != 0.0)
            std::printf("wrapper         input skip %s, input gain %g dB, output gain %g dB\n",
                        f.input_skip == io::InputSkip::on ? "on" : "off", f.input_gain_db, f.output_gain_db);
        for (std::size_t i = 0; i < f.conditioning.size(); ++i) {
            const auto& c = f.conditioning[i];
            std::printf("parameter %-5zu %s (default %g, range %g to %g; process --param %s=V)\n", i, c.name.c_str(), c.default_value,
                        c.min, c.max, c.name.c_str());
        }
        if (!md.name.empty()) std::printf("name            %s\n", md.name.c_str());
        if (!md.gear_make.empty() || !md.gear_model.empty())
            std::printf("gear            %s %s (%s, %s)\n", md.gear_make.c_str(), md.gear_model.c_str(), md.gear_type.c_str(),
                        md.tone_type.c_str());
        if (md.loudness_db) std::printf("loudness        %.2f dB\n", *md.loudness_db);
        if (md.input_level_dbu) std::printf("input level     %.2f dBu\n", *md.input_level_dbu);
        if (md.output_level_dbu) std::printf("output level    %.2f dBu\n", *md.output_level_dbu);
        for (const auto& w : f.warnings) std::printf("warning         %s\n", w.c_str());
    };
}


}  // namespace

Command info_command() { return {"info", "describe a model file and how nofold runs it", add_info}; }

}  // namespace nofold::cli
