// The `--oversample N --filter F [--final-stage S] [--latency M]` options shared by process, info and bench, and the
// wrapping of a loaded model in dsp::OversampledModel they select.
#pragma once

#include <memory>
#include <string>

#include <nofold/dsp/oversampler.hpp>
#include <nofold/model.hpp>

#include "command.hpp"

namespace nofold::cli {

struct OversampleChoice {
    int factor = 1;
    std::string filter = "iir";
    std::string latency = "fractional";
    std::string final_stage = "halfband";
};

/// "halfband" | "nyquist" → the final down-sampling stage; UsageError otherwise.
inline dsp::FinalStage parse_final_stage(const std::string& name) {
    if (name == "halfband") return dsp::FinalStage::halfband;
    if (name == "nyquist") return dsp::FinalStage::nyquist;
    throw UsageError("--final-stage must be halfband or nyquist (got '" + name + "')");
}

/// Declares --oversample and --filter (and --latency when `with_latency`).
inline void add_oversample_options(CLI::App& app, OversampleChoice& choice, bool with_latency) {
    app.add_option("--oversample", choice.factor, "run the model at N x its rate: 1, 2, 4, 8 or 16");
    app.add_option("--filter", choice.filter, "oversampling filter: iir (= iir_quality) | iir_fast | fir (linear phase)");
    app.add_option("--final-stage", choice.final_stage,
                   "last down-sampling stage: halfband (the preset's) | nyquist (stop band from the base Nyquist, +1 ms)");
    if (with_latency)
        app.add_option("--latency", choice.latency, "oversampler latency: fractional | integer (whole samples)");
}

/// The filter preset's canonical name for output ("iir_quality", ...). Throws UsageError when invalid.
inline const char* filter_name(const OversampleChoice& choice) {
    const auto f = dsp::filter_preset_from_name(choice.filter.c_str());
    if (!f) throw UsageError("--filter must be iir, iir_fast, iir_quality, fir or fir_linear_phase");
    return dsp::filter_preset_name(*f);
}

/// Checks the options; throws UsageError naming the bad one.
inline void validate_oversampling(const OversampleChoice& choice) {
    if (!dsp::oversample_factor_from_int(choice.factor)) throw UsageError("--oversample must be 1, 2, 4, 8 or 16");
    filter_name(choice);
    if (choice.latency != "fractional" && choice.latency != "integer")
        throw UsageError("--latency must be fractional or integer");
    parse_final_stage(choice.final_stage);
}

/// Wraps `model` in an oversampler unless the factor is 1 (options checked as above). The model must
/// have been built with max_rate_factor >= factor (FileError otherwise). Defined in oversampling.cpp, so
/// that one translation unit, not every command that offers --oversample, compiles the oversampler.
std::unique_ptr<Model> apply_oversampling(std::unique_ptr<Model> model, const OversampleChoice& choice,
                                          const std::string& model_path);

}  // namespace nofold::cli
