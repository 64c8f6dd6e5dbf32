// nofold::runtime — make_model: builds a ready-to-run Model from any model description plus weights
// (what a loader produces), choosing the implementation: LSTM/GRU through nn::RecurrentModel with
// runtime sizes (inputs beyond the first are live knobs, Model::set_parameter), WaveNet/Linear/ConvNet
// through their runtime classes.
// Units: none. Latency: the model's. Allocates: yes (construction); not RT.
#pragma once

#include <memory>
#include <string>
#include <variant>

#include "../model.hpp"
#include "../nn/model_config.hpp"
#include "../nn/recurrent_model.hpp"
#include "convnet.hpp"
#include "linear.hpp"
#include "../nn/options.hpp"
#include "wavenet.hpp"

namespace nofold::runtime {

using Lstm = ModelFor<nn::LstmModel<nn::dynamic, nn::dynamic, nn::dynamic>>;
using Gru = ModelFor<nn::GruModel<nn::dynamic, nn::dynamic, nn::dynamic>>;

/// Null (and `error` set to one sentence) when the description is invalid or the weights do not fit.
inline std::unique_ptr<Model> make_model(const nn::ModelConfig& config, const float* weights, std::size_t count,
                                         const nn::Options& options, std::string& error) {
    error.clear();
    if (const auto* c = std::get_if<nn::WaveNetConfig>(&config)) {
        auto m = WaveNet::create(*c, options, error);
        if (m) error = m->set_weights(weights, count);
        return error.empty() ? std::move(m) : nullptr;
    }
    if (const auto* c = std::get_if<nn::LinearConfig>(&config)) {
        auto m = Linear::create(*c, options, error);
        if (m) error = m->set_weights(weights, count);
        return error.empty() ? std::move(m) : nullptr;
    }
    if (const auto* c = std::get_if<nn::ConvNetConfig>(&config)) {
        auto m = ConvNet::create(*c, options, error);
        if (m) error = m->set_weights(weights, count);
        return error.empty() ? std::move(m) : nullptr;
    }
    auto recurrent = [&](auto* tag, int in, int hidden, int layers, const std::string& invalid) -> std::unique_ptr<Model> {
        using M = std::remove_pointer_t<decltype(tag)>;
        if (!invalid.empty() || in - 1 > nn::max_knobs) {
            error = invalid.empty() ? "a recurrent model has at most " + std::to_string(nn::max_knobs) +
                                          " knob inputs (input_size " + std::to_string(nn::max_knobs + 1) + "); this one has " +
                                          std::to_string(in - 1)
                                    : invalid;
            return nullptr;
        }
        auto m = std::make_unique<M>(in, hidden, layers, options.math, options.max_rate_factor);
        error = m->get().set_weights(weights, count);
        m->get().set_prewarm(options.prewarm_samples >= 0 ? options.prewarm_samples : 1, options.prewarm_block);
        return error.empty() ? std::move(m) : nullptr;
    };
    if (const auto* c = std::get_if<nn::LstmConfig>(&config))
        return recurrent(static_cast<Lstm*>(nullptr), c->input_size, c->hidden_size, c->num_layers, nn::validate(*c));
    const auto& g = std::get<nn::GruConfig>(config);
    return recurrent(static_cast<Gru*>(nullptr), g.input_size, g.hidden_size, g.num_layers, nn::validate(g));
}

/// Convenience for a nested model (config, weights and rate together).
inline std::unique_ptr<Model> make_model(const nn::NestedModel& model, const nn::Options& options, std::string& error) {
    return make_model(model.config, model.weights.data(), model.weights.size(), options, error);
}

}  // namespace nofold::runtime
