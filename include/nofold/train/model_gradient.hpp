// nofold::train — make_gradient: the trainable counterpart of a loaded model file, behind one small
// interface, with its initial parameters in the file's weight order (so a trained vector writes back
// as it is).
//
//     std::vector<double> p;
//     std::string error;
//     auto g = nofold::train::make_gradient<double>(file, p, error);  // file: io::ModelFile (io::read_model_file)
//     if (!g) … error is "not trainable yet: <key>" or the config's own fault
//     g->reset(p.data());                     // a new sequence: recurrent state from the parameters
//     g->forward(p.data(), x, n, y);          // one frame
//     g->backward(p.data(), dy, grad);        // grad += dL/dp for that frame
//     g->carry();                             // recurrent models: the next frame continues this one
//
// Two kinds of model sit behind it:
//   convolutional (WaveNet, Linear, ConvNet): stateful() is false; every frame starts from silence, so the
//     first history() samples of x are warm-up (their outputs see zeros before t = 0 and are usually
//     left out of the loss); reset() and carry() do nothing.
//   recurrent (LSTM, GRU): stateful() is true, history() is 0; the state carries across frames via
//     carry() (truncated back-propagation through time), reset() restarts from h0/c0 (LSTM) or zeros.
// GuitarML/AIDA-X wrappers: the input skip is the recurrent model's own skip; input and output gains
// are constant factors around the network (not parameters). Conditioning inputs (knobs), containers
// and every feature a gradient class refuses give "not trainable yet: <key>".
// Template parameter: T (float or double). Units: samples. Allocates: make_gradient, and forward when
// n grows; not afterwards.
// Reference: docs/training.md §3, docs/model-formats.md.
#pragma once

#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "../io/model_file.hpp"
#include "../nn/model_config.hpp"
#include "convnet_gradient.hpp"
#include "linear_gradient.hpp"
#include "recurrent_gradient.hpp"
#include "wavenet_gradient.hpp"

namespace nofold::train {

/// A trainable model: forward and reverse mode over frames.
template <class T>
class ModelGradient {
public:
    virtual ~ModelGradient() = default;
    /// Parameters (= the file's weights, in its order).
    virtual std::size_t parameter_count() const noexcept = 0;
    /// Convolutional models: samples before t = 0 that reach y[0] (receptive field − 1). Recurrent: 0.
    virtual int history() const noexcept = 0;
    /// Whether state carries from frame to frame (recurrent) rather than each frame starting from zero.
    virtual bool stateful() const noexcept = 0;
    /// A new sequence (recurrent: state = h0/c0 or zeros; convolutional: nothing to do).
    virtual void reset(const T* params) = 0;
    /// y[t], t < n, for x[0 … n); stores what backward() needs.
    virtual void forward(const T* params, const T* x, int n, T* y) = 0;
    /// grad[i] += dL/dparams[i] for the last forward(), given dy[t] = dL/dy[t].
    virtual void backward(const T* params, const T* dy, T* grad) = 0;
    /// Recurrent: the last forward()'s final state becomes the next frame's initial state.
    virtual void carry() = 0;
    /// Outputs before `first` are not needed by the loss (a frame's warm-up): a model may skip the work
    /// only they need (WaveNet); y[t < first] is then unspecified and dy[t < first] is not read.
    virtual void set_first_output(int first) noexcept { (void)first; }
};

/// The trainable model of a leaf network, or null with `error` set. `parameters` receives its weights.
template <class T>
std::unique_ptr<ModelGradient<T>> make_gradient(const nn::NestedModel& model, std::vector<T>& parameters, std::string& error);

/// The same for a model file (leaf network plus GuitarML/AIDA-X input skip and gains).
template <class T>
std::unique_ptr<ModelGradient<T>> make_gradient(const io::ModelFile& file, std::vector<T>& parameters, std::string& error);

// =================================================================================================
// Implementation
// =================================================================================================

namespace detail {

/// A convolutional gradient class (WaveNetGradient, LinearGradient, ConvNetGradient) behind the interface.
template <class T, class G>
class ConvolutionalGradient final : public ModelGradient<T> {
public:
    explicit ConvolutionalGradient(std::unique_ptr<G> g) : g_(std::move(g)) {}
    std::size_t parameter_count() const noexcept override { return g_->parameter_count(); }
    int history() const noexcept override { return g_->history(); }
    bool stateful() const noexcept override { return false; }
    void reset(const T*) override {}
    void forward(const T* p, const T* x, int n, T* y) override { g_->forward(p, x, n, y); }
    void backward(const T* p, const T* dy, T* grad) override { g_->backward(p, dy, grad); }
    void carry() override {}
    void set_first_output(int first) noexcept override {
        if constexpr (std::is_same_v<G, WaveNetGradient<T>>) g_->set_first_output(first);
    }

private:
    std::unique_ptr<G> g_;
};

template <class T>
class RecurrentAdapter final : public ModelGradient<T> {
public:
    RecurrentAdapter(Cell cell, int hidden, int layers, bool skip) : g_(cell, 1, hidden, layers, skip) {}
    std::size_t parameter_count() const noexcept override { return g_.parameter_count(); }
    int history() const noexcept override { return 0; }
    bool stateful() const noexcept override { return true; }
    void reset(const T* p) override { g_.reset(p); }
    void forward(const T* p, const T* x, int n, T* y) override { g_.forward(p, x, n, y); }
    void backward(const T* p, const T* dy, T* grad) override { g_.backward(p, dy, grad); }
    void carry() override { g_.carry(); }

private:
    RecurrentGradient<T> g_;
};

/// y = out_gain · net(in_gain · x): constant gains around a network.
template <class T>
class GainAdapter final : public ModelGradient<T> {
public:
    GainAdapter(std::unique_ptr<ModelGradient<T>> inner, T in_gain, T out_gain)
        : inner_(std::move(inner)), in_(in_gain), out_(out_gain) {}
    std::size_t parameter_count() const noexcept override { return inner_->parameter_count(); }
    int history() const noexcept override { return inner_->history(); }
    bool stateful() const noexcept override { return inner_->stateful(); }
    void reset(const T* p) override { inner_->reset(p); }
    void forward(const T* p, const T* x, int n, T* y) override {
        buffer_.resize(static_cast<std::size_t>(n));
        for (int t = 0; t < n; ++t) buffer_[static_cast<std::size_t>(t)] = in_ * x[t];
        inner_->forward(p, buffer_.data(), n, y);
        for (int t = 0; t < n; ++t) y[t] *= out_;
    }
    void backward(const T* p, const T* dy, T* grad) override {
        const std::size_t n = buffer_.size();  // the frame length of the last forward()
        for (std::size_t t = 0; t < n; ++t) buffer_[t] = out_ * dy[t];
        inner_->backward(p, buffer_.data(), grad);
    }
    void carry() override { inner_->carry(); }
    void set_first_output(int first) noexcept override { inner_->set_first_output(first); }

private:
    std::unique_ptr<ModelGradient<T>> inner_;
    T in_, out_;
    std::vector<T> buffer_;
};

template <class T>
std::unique_ptr<ModelGradient<T>> make_leaf(const nn::NestedModel& model, bool skip, std::string& error) {
    const auto refuse = [&](const std::string& key) -> std::unique_ptr<ModelGradient<T>> {
        error = "not trainable yet: " + key;
        return nullptr;
    };
    if (const auto* c = std::get_if<nn::WaveNetConfig>(&model.config)) {
        if (skip) return refuse("input skip around a WaveNet");
        auto g = WaveNetGradient<T>::create(*c, error);
        if (!g) return nullptr;
        return std::make_unique<ConvolutionalGradient<T, WaveNetGradient<T>>>(std::move(g));
    }
    if (const auto* c = std::get_if<nn::LinearConfig>(&model.config)) {
        if (skip) return refuse("input skip around a Linear model");
        auto g = LinearGradient<T>::create(*c, error);
        if (!g) return nullptr;
        return std::make_unique<ConvolutionalGradient<T, LinearGradient<T>>>(std::move(g));
    }
    const auto recurrent = [&](Cell cell, int in, int hidden, int layers,
                               const std::string& invalid) -> std::unique_ptr<ModelGradient<T>> {
        error = invalid;
        if (!error.empty()) return nullptr;
        if (in != 1) return refuse("input_size (conditioning inputs)");
        return std::make_unique<RecurrentAdapter<T>>(cell, hidden, layers, skip);
    };
    if (const auto* c = std::get_if<nn::LstmConfig>(&model.config))
        return recurrent(Cell::lstm, c->input_size, c->hidden_size, c->num_layers, nn::validate(*c));
    if (const auto* c = std::get_if<nn::GruConfig>(&model.config))
        return recurrent(Cell::gru, c->input_size, c->hidden_size, c->num_layers, nn::validate(*c));
    const auto& c = std::get<nn::ConvNetConfig>(model.config);
    if (skip) return refuse("input skip around a ConvNet");
    auto g = ConvNetGradient<T>::create(c, error);
    if (!g) return nullptr;
    return std::make_unique<ConvolutionalGradient<T, ConvNetGradient<T>>>(std::move(g));
}

template <class T>
std::unique_ptr<ModelGradient<T>> finish(std::unique_ptr<ModelGradient<T>> g, const nn::NestedModel& model,
                                         std::vector<T>& parameters, std::string& error) {
    if (!g) return nullptr;
    if (g->parameter_count() != model.weights.size()) {
        error = "expected " + std::to_string(g->parameter_count()) + " weights, got " + std::to_string(model.weights.size());
        return nullptr;
    }
    parameters.assign(model.weights.begin(), model.weights.end());
    error.clear();
    return g;
}

}  // namespace detail

template <class T>
std::unique_ptr<ModelGradient<T>> make_gradient(const nn::NestedModel& model, std::vector<T>& parameters, std::string& error) {
    return detail::finish(detail::make_leaf<T>(model, false, error), model, parameters, error);
}

template <class T>
std::unique_ptr<ModelGradient<T>> make_gradient(const io::ModelFile& file, std::vector<T>& parameters, std::string& error) {
    if (file.is_container()) {
        error = std::string("not trainable yet: ") + io::to_string(file.architecture);
        return nullptr;
    }
    if (!file.conditioning.empty()) {
        error = "not trainable yet: conditioning inputs";
        return nullptr;
    }
    auto g = detail::make_leaf<T>(file.model, file.input_skip == io::InputSkip::on, error);
    if (g && (file.input_gain_db != 0.0 || file.output_gain_db != 0.0))
        g = std::make_unique<detail::GainAdapter<T>>(std::move(g), static_cast<T>(std::pow(10.0, file.input_gain_db / 20.0)),
                                                     static_cast<T>(std::pow(10.0, file.output_gain_db / 20.0)));
    return detail::finish(std::move(g), file.model, parameters, error);
}

}  // namespace nofold::train
