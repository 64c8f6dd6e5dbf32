// apply_oversampling (oversampling.hpp): the one place the program builds a dsp::OversampledModel.
#include "oversampling.hpp"

#include <nofold/dsp/oversampled_model.hpp>

namespace nofold::cli {

std::unique_ptr<Model> apply_oversampling(std::unique_ptr<Model> model, const OversampleChoice& choice,
                                          const std::string& model_path) {
    validate_oversampling(choice);
    const auto factor = dsp::oversample_factor_from_int(choice.factor);
    const auto filter = dsp::filter_preset_from_name(choice.filter.c_str());
    if (*factor == dsp::OversampleFactor::x1) return model;
    const auto mode = choice.latency == "integer" ? dsp::LatencyMode::integer : dsp::LatencyMode::fractional;
    auto oversampled = std::make_unique<dsp::OversampledModel>(std::move(model), *factor, *filter, mode,
                                                               parse_final_stage(choice.final_stage));
    if (oversampled->status() != RateFactorStatus::ok)
        throw FileError(model_path + ": this model cannot run at " + std::to_string(choice.factor) + "x its rate");
    return oversampled;
}

}  // namespace nofold::cli
