// nofold::nn — RecurrentModel: a complete LSTM or GRU model (cells + output layer) with the Model
// contract (process/reset/prewarm/rate factor/...), for static shapes (presets such as
// nn::LstmModel<1, 16, 1>) and for runtime shapes (nn::dynamic) alike; wrap it in nofold::ModelFor
// to use it through nofold::Model.
//
// Prewarm: NAM Core's "whole blocks of zeros": prewarm_samples rounded up to prewarm_block (defaults
// 1 and 64, i.e. one block, Core's count for a file without sample_rate; the loader passes
// 0.5 × sample_rate when the file has one). reset() restores h0/c0 (LSTM) or zeros (GRU).
// Storage: static sizes keep every weight and state inside the object (std::array, no heap: usable in
// firmware as is, e.g. `nn::LstmModel<1, 16, 1, 1>`, trivially destructible, so a `static` one needs no
// __dso_handle); nn::dynamic sizes allocate in the constructor. The state of extra channels is the
// caller's (set_channels), never the object's.
// Units: samples at the running rate. Latency: 0. Allocates: constructor of dynamic shapes only.
// RT-safe: process, reset, prewarm, set_rate_factor.
// Reference: docs/model-formats.md §3, §7, §9.
#pragma once

#include "gru.hpp"
#include "lstm.hpp"
#include "recurrent.hpp"
#include "weight_status.hpp"

namespace nofold::nn {

template <class Cell0, class CellN, int Layers, int MaxRate = 8>
class RecurrentModel {
    using Net = Recurrent<Cell0, CellN, Layers, MaxRate>;

public:
    /// For static shapes the arguments must match the template's sizes.
    RecurrentModel(int input_size, int hidden_size, int layers, math::Accuracy math = math::Accuracy::exact, double max_rate = MaxRate) {
        net_.configure(input_size, hidden_size, layers, max_rate);
        net_.set_math(math);
        hidden_ = hidden_size;
        weights_ = net_.first().weight_count() + static_cast<std::size_t>(hidden_size) + 1;
        flops_ = net_.first().flops() + 2.0 * hidden_size;
        if constexpr (Net::may_have_more_layers) {
            for (int l = 1; l < net_.layers(); ++l) {
                weights_ += net_.layer(l).weight_count();
                flops_ += net_.layer(l).flops();
            }
        }
    }
    std::size_t weight_count() const noexcept { return weights_; }
    /// Weights in file order (LSTM: NAM order; GRU: W_ih, W_hh, b_ih, b_hh per layer), then W_out, b_out.
    /// ok() unless the count differs (then nothing changes). Never allocates.
    WeightStatus set_weights(const float* w, std::size_t count) noexcept {
        const WeightStatus status(weights_, count);
        if (!status.ok()) return status;
        w = net_.first().set_weights(w);
        if constexpr (Net::may_have_more_layers)
            for (int l = 1; l < net_.layers(); ++l) w = net_.layer(l).set_weights(w);
        net_.set_output_weights(w);
        net_.reset();
        return status;
    }
    void set_prewarm(int samples, int block) noexcept {
        prewarm_samples_ = samples;
        prewarm_block_ = block;
    }

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept { net_.process(in, out, n); }
    /// Multi-channel with shared weights (see nofold::Model::set_channels): channels 1 … channels − 1
    /// keep their state in `extra`, extra_state_floats(channels) floats aligned to nofold::alignment,
    /// owned by the caller (nofold::ModelFor allocates it). Never allocates; resets.
    std::size_t extra_state_floats(int channels) const noexcept { return net_.extra_state_floats(channels); }
    void set_channels(int channels, float* extra, bool keep_state = false) noexcept { net_.set_channels(channels, extra, keep_state); }
    int channels() const noexcept { return net_.channels(); }
    NOFOLD_REALTIME void process_channels(const float* const* in, float* const* out, int channels, int n) noexcept {
        net_.process_channels(in, out, channels, n);
    }
    /// Live conditioning inputs (nn::Knobs; none unless input_size > 1).
    auto& knobs() noexcept { return net_.knobs(); }
    const auto& knobs() const noexcept { return net_.knobs(); }
    NOFOLD_REALTIME void reset() noexcept { net_.reset(); }
    NOFOLD_REALTIME void prewarm() noexcept { net_.prewarm_zero_blocks(prewarm_samples_, prewarm_block_); }
    int latency() const noexcept { return 0; }
    /// Recurrent models have unbounded memory; 1 is reported (no finite window).
    int receptive_field() const noexcept { return 1; }
    double flops_per_sample() const noexcept { return flops_; }
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double rate) noexcept { return net_.set_rate_factor(rate); }
    double rate_factor() const noexcept { return net_.rate_factor(); }
    double max_rate_factor() const noexcept { return net_.max_rate_factor(); }
    std::size_t memory_bytes() const noexcept { return sizeof(*this) + net_.heap_bytes(); }
    static const char* name() noexcept {
        constexpr bool lstm = Cell0::state_vectors == 2;
        if constexpr (Layers == dynamic) return lstm ? "runtime LSTM" : "runtime GRU";
        return lstm ? "static LSTM preset" : "static GRU preset";
    }

private:
    Net net_;
    int hidden_ = 0;
    int prewarm_samples_ = 1, prewarm_block_ = 64;
    std::size_t weights_ = 0;
    double flops_ = 0;
};

/// LSTM model; all sizes may be nn::dynamic. Presets: LstmModel<1, 16, 1>, LstmModel<1, 40, 1>, ...
template <int In, int Hidden, int Layers, int MaxRate = 8>
using LstmModel = RecurrentModel<LstmLayer<In, Hidden>, LstmLayer<Hidden, Hidden>, Layers, MaxRate>;
/// GRU model; all sizes may be nn::dynamic.
template <int In, int Hidden, int Layers, int MaxRate = 8>
using GruModel = RecurrentModel<GruLayer<In, Hidden>, GruLayer<Hidden, Hidden>, Layers, MaxRate>;

}  // namespace nofold::nn
