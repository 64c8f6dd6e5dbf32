// nofold::runtime — WaveNet: a NAM WaveNet whose shape is known only at run time (any .nam file).
//
// Covers every feature of docs/model-formats.md §2: layer arrays with rechannel, dilated
// conv + input mixin, gating none/gated/blended with per-layer primary and secondary activations,
// bottleneck, layer1x1 on/off, head1x1, the eight FiLM slots (with NAM Core's layer1x1_post quirk as
// an option), grouped convs (stored expanded, block-diagonal), per-layer kernel sizes, head rechannel
// with kernel/dilation/bias, post-stack head, head_scale from the last weight, condition_dsp (a nested
// WaveNet whose channels are the condition), chained arrays and slimmable channel slicing.
// Processing is chunked (nofold::chunk_frames frames, channel-major, SIMD over time); the kernels are
// the shared ones of nn/dense.hpp and nn/history.hpp. Arrays with bottleneck = channels, one condition
// channel and no slimming, whose (channels, kernel size) pairs are in detail::fused_shapes (gated and
// blended layers: kernel 3 only), run each layer's conv through the static engine's own layer code
// (nn/detail/wavenet_layer.hpp: dilated conv and input mixin as one register-tiled pass over the delay
// line in place); grouped convs go through it expanded. A plain layer applies its activation and skip sum
// in registers and then the shared layer1x1 + residual pass; every other step runs around the conv
// exactly as on the generic path: a conv_pre FiLM modulates a copy of x the conv reads; a conv_post or
// input-mixin FiLM gets a conv whose mixin column is zero, the mixin added after it; a gate or blend,
// the activation and layer1x1_post FiLMs and head1x1 follow the conv. The same multiply-adds in the same
// order as the gathered products, so results are bit-identical either way.
//
// Units: samples at the running rate (training rate × rate factor). Latency: 0 (causal).
// Multi-channel (set_channels, process_channels): the weights once, delay lines per channel.
// Allocates: constructor and set_channels only (set_weights copies into storage allocated by the
// constructor). RT-safe: process, process_channels, reset, prewarm, set_rate_factor, set_slimmable_size.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../math/gating.hpp"
#include "../math/tanh.hpp"
#include "../model.hpp"
#include "../nn/dense.hpp"
#include "../nn/detail/aligned_buffer.hpp"
#include "../nn/detail/chunk_loop.hpp"
#include "../nn/detail/spec_activation.hpp"
#include "../nn/detail/tap_conv.hpp"
#include "../nn/detail/wavenet_layer.hpp"
#include "../nn/history.hpp"
#include "../nn/knobs.hpp"
#include "../nn/model_config.hpp"
#include "../nn/options.hpp"
#include "../nn/wavenet_cost.hpp"

namespace nofold::runtime {

namespace detail {
/// Row stride of the fused arrays' residual rows: a chunk of delay line, then the chunk.
inline constexpr int fused_ld = 2 * chunk_frames;
}  // namespace detail

/// Input rows 1 … in_channels − 1 (a .nam WaveNet's condition inputs) are live knobs (Model::set_parameter),
/// one ramp tick per sample.
class WaveNet final : public nn::KnobModel<WaveNet> {
public:
    /// Builds the model, or returns null and sets `error` (config invalid, unknown activation,
    /// unsupported condition_dsp). Weights are zero until set_weights.
    static std::unique_ptr<WaveNet> create(const nn::WaveNetConfig& config, const nn::Options& options, std::string& error);

    /// Weights in .nam order (head_scale last). Empty string on success, else "expected N weights, got M".
    std::string set_weights(const float* weights, std::size_t count);
    std::size_t weight_count() const noexcept { return weight_count_; }

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept override;
    NOFOLD_REALTIME void reset() noexcept override;
    NOFOLD_REALTIME void prewarm() noexcept override;
    int latency() const noexcept override { return 0; }
    int receptive_field() const noexcept override;
    double flops_per_sample() const noexcept override { return flops_; }
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double rate_factor) noexcept override;
    double rate_factor() const noexcept override { return rate_; }
    double max_rate_factor() const noexcept override { return max_rate_; }
    std::size_t memory_bytes() const noexcept override;
    const char* implementation_name() const noexcept override { return "runtime WaveNet"; }
    NOFOLD_REALTIME void set_slimmable_size(double size) noexcept override;
    /// Multi-channel with shared weights (nofold::Model::set_channels): one set of delay lines per
    /// channel (nn::History streams, the condition_dsp's too), the weights once; each chunk runs the
    /// layers once per channel, so channel c's output equals a mono instance's bit for bit. Allocates; resets.
    int set_channels(int channels) override;
    int channels() const noexcept override { return channels_; }
    NOFOLD_REALTIME void process_channels(const float* const* in, float* const* out, int channels, int n) noexcept override;

    int in_channels() const noexcept { return in_channels_; }
    nn::Knobs<nn::max_knobs>& knobs() noexcept { return knobs_; }
    const nn::Knobs<nn::max_knobs>& knobs() const noexcept { return knobs_; }
    int out_channels() const noexcept { return out_channels_; }
    /// One chunk, n ≤ nofold::chunk_frames, channel-major: `in` has in_channels() rows, `out`
    /// out_channels() rows, both `ld` floats apart and aligned. `fill` = steady-state prewarm step.
    NOFOLD_REALTIME void process_chunk(const float* in, int ld, int n, float* out, bool fill) noexcept;

private:
    WaveNet() = default;
    struct Film;
    struct Layer;
    struct Array;
    std::string build(const nn::WaveNetConfig& config, const nn::Options& options);
    friend struct nn::detail::ChunkLoop;
    static constexpr int frames = chunk_frames;
    float* chunk_input() noexcept { return in_.data(); }
    /// Rows 1 … in_channels − 1 of in_: the knobs' values, one tick per sample for m samples (live), or held.
    void chunk_inputs(int m, bool live) noexcept;
    void run_chunk(int n, bool fill) noexcept { process_chunk(in_.data(), ld_, n, res_.data(), fill); }
    void chunk_output(float* out, int n) noexcept { std::copy(res_.data(), res_.data() + n, out); }
    void select_channel(int c) noexcept;

    std::vector<Array> arrays_;
    std::vector<std::vector<float>> post_w_, post_b_;
    math::Activation post_act_;
    int post_in_ = 0;
    std::vector<int> post_out_;
    float head_scale_ = 1.0f;
    int in_channels_ = 1, out_channels_ = 1, cond_channels_ = 1;
    std::unique_ptr<WaveNet> condition_;
    int channels_ = 1;
    nn::Knobs<nn::max_knobs> knobs_;
    nn::Options options_;
    double rate_ = 1.0, max_rate_ = 1.0;
    int rate_int_ = 1;
    double flops_ = 0.0;
    std::size_t weight_count_ = 0;
    // chunk scratch, channel-major, rows ld_ apart
    static constexpr int ld_ = chunk_frames;
    nn::detail::AlignedBuffer in_, cond_, xa_, xb_, xin_, cols_, z_, m_, out_, h1_, r1_, skip_[2], film_, cmod_, post_[2], io_, res_;
    // fused arrays: their residual rows (each preceded by a chunk of delay-line samples) sit right above
    // the condition row (row fused_rows_), so that [x; cond] is one matrix for the fused conv + input mixin
    static constexpr int xld = detail::fused_ld;                 // a chunk of delay line, then the chunk
    static constexpr std::size_t fused_prefix = chunk_frames;  // the first row's prefix
    nn::detail::AlignedBuffer xf_;
    nn::detail::AlignedBuffer xp_;  // the conv_pre-modulated copy of xf_ (same geometry) when a fused layer has one
    int fused_rows_ = 0;
    bool conv_pre_fused_ = false;  // xp_ is needed
};

// =================================================================================================
// Implementation
// =================================================================================================

namespace detail {

/// (channels, kernel size) pairs with a fused layer kernel: kernel 3 with the A1 family's channel counts
/// (standard 16/8, lite 12/6, feather 8/4, nano 4/2) and the NAM example models' (3/2), with the tanh
/// tiers applied in registers; kernels 6 and 15 with the A2 family's (3, 8), with LeakyReLU in registers.
/// Gated and blended layers of the kernel-3 pairs have a fused conv too (2·C rows, the gate applied
/// after it). Every pair adds its layer_conv instantiations to each translation unit that builds a
/// runtime WaveNet (about 0.1 s each at -O2), so wider arrays run on the generic path.
struct FusedShape {
    int channels;
    int kernel;
};
inline constexpr FusedShape fused_shapes[] = {{2, 3}, {3, 3}, {4, 3}, {6, 3}, {8, 3}, {12, 3}, {16, 3},
                                              {3, 6}, {3, 15}, {8, 6}, {8, 15}};

/// One plain layer's conv + input mixin (nn::detail::layer_conv: the static engine's layer pass) for
/// C channels and kernel K. Kernels with a built-in activation store z = act(z) and add it to skip; the
/// others (and the gated ones, whose z has 2·C rows) store the pre-activation z and leave skip alone.
using FusedConv = void (*)(const float* w, const float* b, nn::detail::LayerRing ring, float* x, float* z, float* skip,
                           int d, int n, bool fill, const math::Activation& act) noexcept;
/// x = x + (b + W · z), the product rounded on its own before the add (nn::detail::layer_residual).
using FusedResidual = void (*)(const float* w, const float* b, const float* z, float* x, int nb) noexcept;

template <int C, int K, class Act, int Rows = C>
inline void fused_conv(const float* w, const float* b, nn::detail::LayerRing ring, float* x, float* z, float* skip, int d, int n,
                bool fill, const math::Activation& act) noexcept {
    using V = simd::float_batch;
    constexpr int F = chunk_frames;
    if constexpr (std::is_void_v<Act>) {
        (void)act;
        nn::detail::layer_conv<V, C, K, F, F, fused_ld, void, Rows>(w, b, ring, x, z, skip, d, n, fill, nullptr);
    } else if constexpr (std::is_same_v<Act, math::LeakyReLU>) {
        const math::LeakyReLU policy{act.params[0]};
        nn::detail::layer_conv<V, C, K, F, F, fused_ld>(w, b, ring, x, z, skip, d, n, fill, &policy);
    } else {
        (void)act;
        static constexpr Act policy{};
        nn::detail::layer_conv<V, C, K, F, F, fused_ld>(w, b, ring, x, z, skip, d, n, fill, &policy);
    }
}

template <int C>
inline void fused_residual(const float* w, const float* b, const float* z, float* x, int nb) noexcept {
    nn::detail::layer_residual<simd::float_batch, C, chunk_frames, fused_ld>(w, b, z, x, nb);
}

struct FusedKernels {
    FusedConv conv = nullptr;
    FusedResidual residual = nullptr;
    bool activates = false;  // conv applies the activation and adds to skip
};

/// The activation policy a fused conv of kernel K applies in registers (the same one
/// math::Activation::apply uses, so results are bit-identical to applying it row by row), or void.
template <int K, class F>
FusedKernels with_activation(const math::Activation& act, F pick) noexcept {
    using math::ActivationKind;
    if constexpr (K == 3) {
        if (act.kind == ActivationKind::fasttanh) return pick(static_cast<math::Tanh<math::NamCompat>*>(nullptr));
        if (act.kind == ActivationKind::tanh)
            return math::visit_tier(act.accuracy, [&](auto tier) { return pick(static_cast<math::Tanh<decltype(tier)>*>(nullptr)); });
    } else {
        if (act.kind == ActivationKind::leaky_relu) return pick(static_cast<math::LeakyReLU*>(nullptr));
    }
    return pick(static_cast<void*>(nullptr));
}

template <std::size_t... I>
FusedKernels fused_kernels_for(int channels, int kernel, const math::Activation& act, bool gated, bool in_registers,
                               std::index_sequence<I...>) noexcept {
    FusedKernels k;
    const auto one = [&](auto i) {
        constexpr int C = fused_shapes[decltype(i)::value].channels;
        constexpr int K = fused_shapes[decltype(i)::value].kernel;
        if (channels != C || kernel != K) return;
        if (gated) {
            if constexpr (K == 3) k = FusedKernels{&fused_conv<C, K, void, 2 * C>, &fused_residual<C>, false};
            return;
        }
        if (!in_registers) {
            k = FusedKernels{&fused_conv<C, K, void>, &fused_residual<C>, false};
            return;
        }
        k = with_activation<K>(act, [](auto* tag) {
            using Act = std::remove_pointer_t<decltype(tag)>;
            return FusedKernels{&fused_conv<C, K, Act>, &fused_residual<C>, !std::is_void_v<Act>};
        });
    };
    (one(std::integral_constant<std::size_t, I>{}), ...);
    return k;
}

/// The fused kernels for `channels` × `kernel` with activation `act` (gated: a 2·C-row conv whose
/// activations and gate are applied after it), or nulls when there are none. in_registers = false: the
/// conv stores the pre-activation and the layer applies the activation after it (a FiLM or a head1x1
/// between the activation and the skip sum).
inline FusedKernels fused_kernels(int channels, int kernel, const math::Activation& act, bool gated, bool in_registers) noexcept {
    return fused_kernels_for(channels, kernel, act, gated, in_registers, std::make_index_sequence<std::size(fused_shapes)>{});
}

}  // namespace detail

struct WaveNet::Film {
    bool active = false;
    bool shift = false;
    int dim = 0;
    int groups = 1;
    std::vector<float> w, b;  // rows = (shift ? 2 : 1) · dim, cols = condition size (groups expanded)
};

struct WaveNet::Layer {
    int kernel = 1, dilation = 1, gate = 1;
    int g_in = 1, g_mix = 1, g_l1 = 1, g_h1 = 1;
    nn::GatingMode gating = nn::GatingMode::none;
    math::Activation prim, sec;
    std::vector<float> conv_w, conv_b, mix_w, l1_w, l1_b, h1_w, h1_b;
    Film films[nn::film_slot_count];
    bool l1_post_film = false;  // whether the layer1x1_post FiLM is applied in this layer
    nn::History history;
    detail::FusedKernels fused;  // set in fused arrays: conv_w then holds [W_0 … W_{K−1} | W_mix] rows (mix_w empty, unless mix_apart)
    // fused arrays: a conv_post or input-mixin FiLM separates the two sums: the fused conv's mixin column
    // is zero and the mixin (mix_w) is added after it, as on the generic path
    bool mix_apart = false;
};

struct WaveNet::Array {
    int in = 1, channels = 1, bottleneck = 1, cond = 1, skip = 1, head_out = 1, head_k = 1, head_d = 1;
    int width = 1;  // slimmable active width (= channels when not slimmed)
    bool head_bias = false, layer1x1 = true, head1x1 = false;
    bool fused = false;  // every layer runs on the fused kernels (see the header comment)
    std::vector<int> allowed;
    std::vector<float> rechannel_w, head_w, head_b;
    std::vector<Layer> layers;
    nn::History head_history;
};

namespace detail {

// Reads the .nam weight stream in order and expands grouped matrices to dense block-diagonal ones.
struct WeightReader {
    const float* p;
    const float* end;
    // [out][in/groups][k] → dense [out][k·in + c]
    void conv(std::vector<float>& dst, int out, int in, int k, int groups) {
        p = nn::detail::read_conv_rows(p, dst.data(), k * in, out, in, k, groups);
    }
    void vec(std::vector<float>& dst) {
        for (float& v : dst) v = *p++;
    }
};

}  // namespace detail

inline std::unique_ptr<WaveNet> WaveNet::create(const nn::WaveNetConfig& config, const nn::Options& options,
                                                std::string& error) {
    std::unique_ptr<WaveNet> m(new WaveNet());
    error = m->build(config, options);
    if (!error.empty()) return nullptr;
    return m;
}

inline std::string WaveNet::build(const nn::WaveNetConfig& config, const nn::Options& options) {
    using nn::FilmSlot;
    std::string err = nn::validate(config);
    if (!err.empty()) return err;
    for (std::size_t i = 0; i < config.layers.size(); ++i) {
        const auto& a = config.layers[i];
        if (!a.allowed_channels.empty())
            for (int l = 0; l < a.layer_count(); ++l)
                if (a.gating(l) != nn::GatingMode::none) return "layers[" + std::to_string(i) + "]: slimmable arrays must be ungated";
    }
    options_ = options;
    max_rate_ = std::max(1.0, std::floor(options.max_rate_factor));
    const int max_l = static_cast<int>(max_rate_);
    in_channels_ = config.in_channels;
    if (in_channels_ - 1 > nn::max_knobs)
        return "in_channels " + std::to_string(in_channels_) + ": at most " + std::to_string(nn::max_knobs) +
               " condition inputs beyond the audio are supported";
    knobs_.configure(in_channels_ - 1);
    head_scale_ = config.head_scale;
    weight_count_ = nn::weight_count(config);
    cond_channels_ = in_channels_;
    if (config.condition_dsp) {
        const auto* nested = std::get_if<nn::WaveNetConfig>(&config.condition_dsp->config);
        if (!nested) return "condition_dsp: only a WaveNet is supported as condition_dsp";
        std::string e;
        condition_ = create(*nested, options, e);
        if (!condition_) return "condition_dsp: " + e;
        e = condition_->set_weights(config.condition_dsp->weights.data(), config.condition_dsp->weights.size());
        if (!e.empty()) return "condition_dsp: " + e;
        if (condition_->in_channels() != in_channels_) return "condition_dsp: input channels differ from the model's";
        cond_channels_ = condition_->out_channels();
    }
    int max_rows = std::max(in_channels_, cond_channels_), max_cols = 1;
    auto sz = [](int v) { return static_cast<std::size_t>(v); };
    double macs = 0;
    for (std::size_t ai = 0; ai < config.layers.size(); ++ai) {
        const nn::LayerArrayConfig& c = config.layers[ai];
        if (c.condition_size != cond_channels_)
            return "layers[" + std::to_string(ai) + "]: condition_size must equal the condition's channels (" +
                   std::to_string(cond_channels_) + ")";
        Array a;
        a.in = c.input_size;
        a.channels = a.width = c.channels;
        a.bottleneck = c.bottleneck_size();
        a.cond = c.condition_size;
        a.skip = c.skip_size();
        a.head_out = c.head.out_channels;
        a.head_k = c.head.kernel_size;
        a.head_d = c.head.dilation;
        a.head_bias = c.head.bias;
        a.layer1x1 = c.layer1x1.active;
        a.head1x1 = c.head1x1.active;
        a.allowed = c.allowed_channels;
        a.rechannel_w.resize(sz(a.channels * a.in));
        a.head_w.resize(sz(a.head_out * a.head_k * a.skip));
        a.head_b.resize(sz(a.head_out));
        a.head_history = nn::History(a.skip, (a.head_k - 1) * a.head_d * max_l);
        macs += nn::wavenet::array_multiply_adds(a.channels, a.in, a.head_out, a.head_k, a.skip);
        max_cols = std::max(max_cols, a.head_k * a.skip);
        max_rows = std::max({max_rows, a.channels, a.skip, a.head_out});
        for (int l = 0; l < c.layer_count(); ++l) {
            Layer y;
            y.kernel = c.kernel_size(l);
            y.dilation = c.dilation(l);
            y.gating = c.gating(l);
            y.gate = c.gate_factor(l);
            y.g_in = c.groups_input;
            y.g_mix = c.groups_input_mixin;
            y.g_l1 = c.layer1x1.groups;
            y.g_h1 = c.head1x1.groups;
            const int gb = y.gate * a.bottleneck;
            // NAM mode: Core's fast-tanh switch reaches the primary activation only
            err = nn::detail::to_math_activation(c.activation(l), options.math, y.prim);
            if (err.empty())
                err = nn::detail::to_math_activation(c.secondary_activation(l),
                                                     options.math == math::Accuracy::nam ? math::Accuracy::exact : options.math, y.sec);
            if (!err.empty()) return "layers[" + std::to_string(ai) + "]: " + err;
            y.conv_w.resize(sz(gb * y.kernel * a.channels));
            y.conv_b.resize(sz(gb));
            y.mix_w.resize(sz(gb * a.cond));
            if (a.layer1x1) {
                y.l1_w.resize(sz(a.channels * a.bottleneck));
                y.l1_b.resize(sz(a.channels));
            }
            if (a.head1x1) {
                y.h1_w.resize(sz(a.skip * a.bottleneck));
                y.h1_b.resize(sz(a.skip));
            }
            for (int s = 0; s < nn::film_slot_count; ++s) {
                const nn::FilmConfig& fc = c.films[sz(s)];
                Film& f = y.films[s];
                f.active = fc.active;
                if (!f.active) continue;
                f.shift = fc.shift;
                f.groups = fc.groups;
                f.dim = nn::film_dim(c, l, static_cast<FilmSlot>(s));
                const int rows = (f.shift ? 2 : 1) * f.dim;
                f.w.resize(sz(rows * a.cond));
                f.b.resize(sz(rows));
                macs += rows * a.cond;
                max_rows = std::max(max_rows, rows);
            }
            y.l1_post_film = y.films[static_cast<int>(FilmSlot::layer1x1_post)].active &&
                             (options.layer1x1_post_film == nn::Layer1x1PostFilm::trainer || y.gating == nn::GatingMode::blended);
            y.history = nn::History(a.channels, (y.kernel - 1) * y.dilation * max_l);
            macs += nn::wavenet::layer_multiply_adds(gb, y.kernel, a.channels, a.cond, a.bottleneck, a.layer1x1 ? a.channels : 0,
                                                     a.head1x1 ? a.skip : 0);
            max_cols = std::max(max_cols, y.kernel * a.channels);
            max_rows = std::max({max_rows, gb, a.channels});
            a.layers.push_back(std::move(y));
        }
        // fused layer kernels when (C, K) has them (see the header comment); the activation runs in
        // registers when nothing comes between it and the skip sum
        bool fusable = options.fused_layers && a.allowed.empty() && a.cond == 1 && a.bottleneck == a.channels;
        auto in_registers = [&a](const Layer& y) {
            bool plain = !a.head1x1;
            for (const Film& f : y.films) plain = plain && !f.active;
            return plain;
        };
        for (const Layer& y : a.layers)
            fusable = fusable && detail::fused_kernels(a.channels, y.kernel, y.prim, y.gating != nn::GatingMode::none, in_registers(y))
                                         .conv != nullptr;
        if (fusable) {
            a.fused = true;
            fused_rows_ = std::max(fused_rows_, a.channels);
            for (Layer& y : a.layers) {
                y.fused = detail::fused_kernels(a.channels, y.kernel, y.prim, y.gating != nn::GatingMode::none, in_registers(y));
                y.conv_w.assign(sz(y.gate * a.channels * (y.kernel * a.channels + 1)), 0.0f);
                y.mix_apart = y.films[static_cast<int>(FilmSlot::conv_post)].active ||
                              y.films[static_cast<int>(FilmSlot::input_mixin_pre)].active ||
                              y.films[static_cast<int>(FilmSlot::input_mixin_post)].active;
                if (!y.mix_apart) std::vector<float>().swap(y.mix_w);
                conv_pre_fused_ = conv_pre_fused_ || y.films[static_cast<int>(FilmSlot::conv_pre)].active;
            }
        }
        arrays_.push_back(std::move(a));
    }
    out_channels_ = arrays_.back().head_out;
    if (config.head.active) {
        err = nn::detail::to_math_activation(config.head.activation, options.math, post_act_);
        if (!err.empty()) return "head: " + err;
        int in = out_channels_;
        post_in_ = in;
        for (int j = 0; j < config.head.num_layers; ++j) {
            const int out = j + 1 == config.head.num_layers ? config.head.out_channels : config.head.channels;
            post_w_.emplace_back(sz(out * in));
            post_b_.emplace_back(sz(out));
            post_out_.push_back(out);
            macs += out * in;
            max_rows = std::max(max_rows, out);
            in = out;
        }
        out_channels_ = in;
    }
    flops_ = 2.0 * macs + (condition_ ? condition_->flops_per_sample() : 0.0);
    const std::size_t rows = sz(max_rows) * sz(ld_);
    for (auto* b : {&in_, &cond_, &xa_, &xb_, &xin_, &z_, &m_, &out_, &h1_, &r1_, &skip_[0], &skip_[1], &film_, &cmod_,
                    &post_[0], &post_[1], &io_, &res_})
        b->resize(rows);
    cols_.resize(sz(max_cols) * sz(ld_));
    if (fused_rows_ > 0) xf_.resize(fused_prefix + sz(fused_rows_ + 1) * xld);
    if (conv_pre_fused_) xp_.resize(xf_.size());
    return {};
}

inline std::string WaveNet::set_weights(const float* weights, std::size_t count) {
    if (count != weight_count_)
        return "expected " + std::to_string(weight_count_) + " weights, got " + std::to_string(count);
    detail::WeightReader r{weights, weights + count};
    for (Array& a : arrays_) {
        r.conv(a.rechannel_w, a.channels, a.in, 1, 1);
        for (Layer& y : a.layers) {
            const int gb = y.gate * a.bottleneck;
            if (a.fused && y.mix_apart) {  // conv rows [W_0 … W_{K−1} | 0], the mixin on its own
                const int kc = y.kernel * a.channels;
                r.p = nn::detail::read_conv_rows(r.p, y.conv_w.data(), kc + 1, gb, a.channels, y.kernel, y.g_in);
                r.vec(y.conv_b);
                r.conv(y.mix_w, gb, a.cond, 1, y.g_mix);
            } else if (a.fused) {  // conv [out][in/groups][k], bias, mixin [out][1] → rows [W_0 … W_{K−1} | W_mix]
                r.p = nn::detail::pack_layer_conv(r.p, gb, a.channels, y.kernel, y.g_in, y.conv_w.data(), y.conv_b.data());
            } else {
                r.conv(y.conv_w, gb, a.channels, y.kernel, y.g_in);
                r.vec(y.conv_b);
                r.conv(y.mix_w, gb, a.cond, 1, y.g_mix);
            }
            if (a.layer1x1) {
                r.conv(y.l1_w, a.channels, a.bottleneck, 1, y.g_l1);
                r.vec(y.l1_b);
            }
            if (a.head1x1) {
                r.conv(y.h1_w, a.skip, a.bottleneck, 1, y.g_h1);
                r.vec(y.h1_b);
            }
            for (Film& f : y.films) {
                if (!f.active) continue;
                r.conv(f.w, (f.shift ? 2 : 1) * f.dim, a.cond, 1, f.groups);
                r.vec(f.b);
            }
        }
        r.conv(a.head_w, a.head_out, a.skip, a.head_k, 1);
        if (a.head_bias) r.vec(a.head_b);
    }
    for (std::size_t j = 0; j < post_w_.size(); ++j) {
        r.conv(post_w_[j], post_out_[j], j == 0 ? post_in_ : post_out_[j - 1], 1, 1);
        r.vec(post_b_[j]);
    }
    head_scale_ = *r.p++;
    reset();
    return {};
}

inline void WaveNet::process_chunk(const float* in, int ld, int n, float* out, bool fill) noexcept {
    using V = simd::float_batch;
    using nn::dense_accumulate;
    using nn::fill_rows;
    constexpr int lanes = simd::lanes<V>;
    const int nb = nn::batches_for<V>(n);
    const int padded = nb * lanes;
    auto rowp = [](float* base, int r) { return base + static_cast<std::size_t>(r) * static_cast<std::size_t>(ld_); };
    auto crow = [](const float* base, int r) { return base + static_cast<std::size_t>(r) * static_cast<std::size_t>(ld_); };
    auto sz = [](int v) { return static_cast<std::size_t>(v); };
    // y[r] (op)= x[r] over rows
    auto add_rows = [&](float* y, const float* x, int rows) {
        for (int r = 0; r < rows; ++r)
            for (int b = 0; b < nb; ++b) {
                float* py = rowp(y, r) + b * lanes;
                simd::store_aligned(py, simd::load_aligned<V>(py) + simd::load_aligned<V>(crow(x, r) + b * lanes));
            }
    };
    auto sum_rows = [&](float* y, const float* x0, const float* x1, int rows) {
        for (int r = 0; r < rows; ++r)
            for (int b = 0; b < nb; ++b)
                simd::store_aligned(rowp(y, r) + b * lanes,
                                    simd::load_aligned<V>(crow(x0, r) + b * lanes) + simd::load_aligned<V>(crow(x1, r) + b * lanes));
    };
    auto copy_rows = [&](float* y, const float* x, int rows) {
        for (int r = 0; r < rows; ++r) std::copy(crow(x, r), crow(x, r) + padded, rowp(y, r));
    };

    const float* cond = in;
    if (condition_) {
        condition_->process_chunk(in, ld, n, cond_.data(), fill);
        cond = cond_.data();
    }
    auto film = [&](const Film& f, float* data, int cond_rows) {
        const int rows = (f.shift ? 2 : 1) * f.dim;
        fill_rows<V>(f.b.data(), rows, film_.data(), ld_, nb);
        dense_accumulate<V>(f.w.data(), cond_rows, rows, cond_rows, cond, ld_, film_.data(), ld_, nb);
        for (int r = 0; r < f.dim; ++r)
            for (int b = 0; b < nb; ++b) {
                float* p = rowp(data, r) + b * lanes;
                V v = simd::load_aligned<V>(p) * simd::load_aligned<V>(rowp(film_.data(), r) + b * lanes);
                if (f.shift) v = v + simd::load_aligned<V>(rowp(film_.data(), f.dim + r) + b * lanes);
                simd::store_aligned(p, v);
            }
    };
    auto film_slot = [](Layer& y, nn::FilmSlot s) -> const Film& { return y.films[static_cast<int>(s)]; };
    // o = gate(act(z[r]), act₂(z[gate_at + r])) or the blend, rows r < rows (z's primary rows are activated in place)
    auto gate_rows = [&](const Layer& y, float* z, float* o, int rows, int gate_at) {
        const bool blended = y.gating == nn::GatingMode::blended;
        for (int r = 0; r < rows; ++r) {
            float* top = rowp(z, r);
            float* bottom = rowp(z, gate_at + r);
            float* dst = rowp(o, r);
            if (blended) std::copy(top, top + padded, dst);
            nn::detail::apply_row(y.prim, top, padded, r);
            nn::detail::apply_row(y.sec, bottom, padded, r);
            for (int b = 0; b < nb; ++b) {
                const V p = simd::load_aligned<V>(top + b * lanes);
                const V g = simd::load_aligned<V>(bottom + b * lanes);
                if (blended) {
                    const V t = simd::load_aligned<V>(dst + b * lanes);
                    simd::store_aligned(dst + b * lanes, math::blend_nam(g, p, t));
                } else {
                    simd::store_aligned(dst + b * lanes, math::gate(p, g));
                }
            }
        }
    };

    // z (gb rows: the conv, bias included) += the input mixin, with the conv_post FiLM before it and the
    // input-mixin FiLMs on its input or output
    auto add_mixin = [&](const Layer& y, float* z, int gb, int cond_rows) {
        if (y.films[static_cast<int>(nn::FilmSlot::conv_post)].active) film(y.films[static_cast<int>(nn::FilmSlot::conv_post)], z, cond_rows);
        const float* cu = cond;
        if (y.films[static_cast<int>(nn::FilmSlot::input_mixin_pre)].active) {
            copy_rows(cmod_.data(), cond, cond_rows);
            film(y.films[static_cast<int>(nn::FilmSlot::input_mixin_pre)], cmod_.data(), cond_rows);
            cu = cmod_.data();
        }
        if (y.films[static_cast<int>(nn::FilmSlot::input_mixin_post)].active) {
            fill_rows<V>(nullptr, gb, m_.data(), ld_, nb);
            dense_accumulate<V>(y.mix_w.data(), cond_rows, gb, cond_rows, cu, ld_, m_.data(), ld_, nb);
            film(y.films[static_cast<int>(nn::FilmSlot::input_mixin_post)], m_.data(), cond_rows);
            add_rows(z, m_.data(), gb);
        } else {
            dense_accumulate<V>(y.mix_w.data(), cond_rows, gb, cond_rows, cu, ld_, z, ld_, nb);
        }
    };
    // The layer's output rows o (B of them) from its conv z: the activation_pre FiLM, the activation or the
    // gate/blend, the activation_post FiLM; o is added to skip, through head1x1 and its FiLM when the array
    // has one. Returns o (z itself, or out_ for a gated layer).
    auto activate_into_skip = [&](Layer& y, const Array& a, float* z, int B, float* skip) -> float* {
        if (film_slot(y, nn::FilmSlot::activation_pre).active) film(film_slot(y, nn::FilmSlot::activation_pre), z, a.cond);
        float* o = z;
        if (y.gating == nn::GatingMode::none) {
            for (int r = 0; r < B; ++r) nn::detail::apply_row(y.prim, rowp(z, r), padded, r);
        } else {
            o = out_.data();
            gate_rows(y, z, o, B, a.bottleneck);
        }
        if (film_slot(y, nn::FilmSlot::activation_post).active) film(film_slot(y, nn::FilmSlot::activation_post), o, a.cond);
        if (a.head1x1) {
            fill_rows<V>(y.h1_b.data(), a.skip, h1_.data(), ld_, nb);
            dense_accumulate<V>(y.h1_w.data(), a.bottleneck, a.skip, B, o, ld_, h1_.data(), ld_, nb);
            if (film_slot(y, nn::FilmSlot::head1x1_post).active) film(film_slot(y, nn::FilmSlot::head1x1_post), h1_.data(), a.cond);
            add_rows(skip, h1_.data(), a.skip);
        } else {
            add_rows(skip, o, B);
        }
        return o;
    };
    // The C rows the layer adds to x: b₁ + W₁ · o (B columns) with the layer1x1_post FiLM when it applies,
    // or o itself when the array has no layer1x1.
    auto residual_rows = [&](Layer& y, const Array& a, const float* o, int C, int B) -> const float* {
        if (!a.layer1x1) return o;
        fill_rows<V>(y.l1_b.data(), C, r1_.data(), ld_, nb);
        dense_accumulate<V>(y.l1_w.data(), a.bottleneck, C, B, o, ld_, r1_.data(), ld_, nb);
        if (y.l1_post_film) film(film_slot(y, nn::FilmSlot::layer1x1_post), r1_.data(), a.cond);
        return r1_.data();
    };

    const float* layer_in = in;
    int in_rows = in_channels_;
    int hb = 0;
    for (std::size_t ai = 0; ai < arrays_.size(); ++ai) {
        Array& a = arrays_[ai];
        const int C = a.width;
        const bool slim = C != a.channels;
        const int B = slim ? C : a.bottleneck;
        const int S = slim ? C : a.skip;
        // fused arrays keep x in xf_: rows xld floats apart, each preceded by a chunk of delay-line samples
        float* x = a.fused ? xf_.data() + fused_prefix + static_cast<std::size_t>(fused_rows_ - C) * xld : xa_.data();
        const int ldx = a.fused ? xld : ld_;
        float* xn = xb_.data();
        fill_rows<V>(nullptr, C, x, ldx, nb);
        dense_accumulate<V>(a.rechannel_w.data(), a.in, C, std::min(in_rows, a.in), layer_in, ld_, x, ldx, nb);
        float* skip = skip_[hb].data();
        if (ai == 0) fill_rows<V>(nullptr, a.skip, skip, ld_, nb);
        if (a.fused) {
            // x rows, then the condition row: [x; cond] is the matrix of the conv's current tap + mixin
            std::copy(cond, cond + padded, x + static_cast<std::size_t>(C) * xld);
            float* z = z_.data();
            for (std::size_t l = 0; l < a.layers.size(); ++l) {
                Layer& y = a.layers[l];
                // conv_pre: the conv (and the delay line) read a modulated copy of x in xp_, laid out as xf_
                float* cx = x;
                if (film_slot(y, nn::FilmSlot::conv_pre).active) {
                    cx = xp_.data() + (x - xf_.data());
                    for (int r = 0; r < C; ++r) std::copy(x + sz(r) * xld, x + sz(r) * xld + padded, rowp(xin_.data(), r));
                    film(film_slot(y, nn::FilmSlot::conv_pre), xin_.data(), a.cond);
                    for (int r = 0; r < C; ++r) std::copy(crow(xin_.data(), r), crow(xin_.data(), r) + padded, cx + sz(r) * xld);
                    std::copy(cond, cond + padded, cx + sz(C) * xld);
                }
                y.fused.conv(y.conv_w.data(), y.conv_b.data(), {y.history.rings(), y.history.span(), y.history.position()}, cx, z,
                             skip, y.dilation * rate_int_, n, fill, y.prim);
                // the generic path's mixin steps (the fused conv summed a zero mixin column)
                if (y.mix_apart) add_mixin(y, z, y.gate * C, a.cond);
                // a plain fused conv activated z and added it to skip in registers; otherwise the generic steps
                float* o = y.fused.activates ? z : activate_into_skip(y, a, z, C, skip);
                // x += the layer's output, in place (rows ldx apart)
                if (a.layer1x1 && !y.l1_post_film) {
                    y.fused.residual(y.l1_w.data(), y.l1_b.data(), o, x, nb);
                    continue;
                }
                const float* r1 = residual_rows(y, a, o, C, C);
                for (int r = 0; r < C; ++r)
                    for (int b = 0; b < nb; ++b) {
                        float* px = x + static_cast<std::size_t>(r) * static_cast<std::size_t>(ldx) + b * lanes;
                        simd::store_aligned(px, simd::load_aligned<V>(px) + simd::load_aligned<V>(crow(r1, r) + b * lanes));
                    }
            }
        } else {
            for (Layer& y : a.layers) {
                const float* cin = x;
                if (film_slot(y, nn::FilmSlot::conv_pre).active) {
                    copy_rows(xin_.data(), x, C);
                    film(film_slot(y, nn::FilmSlot::conv_pre), xin_.data(), a.cond);
                    cin = xin_.data();
                }
                if (fill) y.history.fill_constant(cin, ld_);
                const int K = y.kernel;
                for (int k = 0; k < K; ++k) {
                    const int off = (K - 1 - k) * y.dilation * rate_int_;
                    for (int c = 0; c < C; ++c)
                        y.history.gather(c, crow(cin, c), n, off, rowp(cols_.data(), k * a.channels + c), padded);
                }
                y.history.append(cin, ld_, n);
                const int gb = y.gate * B;
                float* z = z_.data();
                const int kc = K * a.channels;
                // gated/blended: rows [0,B) and [bottleneck, bottleneck + B) (B = bottleneck unless slimmed,
                // and slimmable arrays are ungated)
                fill_rows<V>(y.conv_b.data(), gb, z, ld_, nb);
                if (!slim) {
                    dense_accumulate<V>(y.conv_w.data(), kc, gb, kc, cols_.data(), ld_, z, ld_, nb);
                } else {
                    for (int k = 0; k < K; ++k)
                        dense_accumulate<V>(y.conv_w.data() + k * a.channels, kc, gb, C, rowp(cols_.data(), k * a.channels), ld_, z,
                                            ld_, nb);
                }
                add_mixin(y, z, gb, a.cond);
                const float* o = activate_into_skip(y, a, z, B, skip);
                sum_rows(xn, x, residual_rows(y, a, o, C, B), C);
                std::swap(x, xn);
            }
        }
        // head rechannel over the summed skips
        if (fill) a.head_history.fill_constant(skip, ld_);
        const int K = a.head_k;
        for (int k = 0; k < K; ++k) {
            const int off = (K - 1 - k) * a.head_d * rate_int_;
            for (int s = 0; s < S; ++s) a.head_history.gather(s, crow(skip, s), n, off, rowp(cols_.data(), k * a.skip + s), padded);
        }
        a.head_history.append(skip, ld_, n);
        float* head = skip_[1 - hb].data();
        fill_rows<V>(a.head_bias ? a.head_b.data() : nullptr, a.head_out, head, ld_, nb);
        const int ks = K * a.skip;
        if (S == a.skip) {
            dense_accumulate<V>(a.head_w.data(), ks, a.head_out, ks, cols_.data(), ld_, head, ld_, nb);
        } else {
            for (int k = 0; k < K; ++k)
                dense_accumulate<V>(a.head_w.data() + k * a.skip, ks, a.head_out, S, rowp(cols_.data(), k * a.skip), ld_, head, ld_,
                                    nb);
        }
        hb = 1 - hb;
        // the next array's input: x's rows, ldx apart (fused arrays keep them in xf_)
        for (int r = 0; r < C; ++r)
            std::copy(x + static_cast<std::size_t>(r) * static_cast<std::size_t>(ldx),
                      x + static_cast<std::size_t>(r) * static_cast<std::size_t>(ldx) + padded, rowp(io_.data(), r));
        layer_in = io_.data();
        in_rows = C;
    }
    // output = head_scale · head, then the post-stack head
    float* h = skip_[hb].data();
    const V scale(head_scale_);
    const int rows = arrays_.back().head_out;
    float* dst = post_w_.empty() ? out : post_[0].data();
    for (int r = 0; r < rows; ++r)
        for (int b = 0; b < nb; ++b)
            simd::store_aligned(rowp(dst, r) + b * lanes, scale * simd::load_aligned<V>(crow(h, r) + b * lanes));
    int in_r = rows;
    for (std::size_t j = 0; j < post_w_.size(); ++j) {
        float* src = post_[j % 2].data();
        float* nxt = j + 1 == post_w_.size() ? out : post_[(j + 1) % 2].data();
        for (int r = 0; r < in_r; ++r) nn::detail::apply_row(post_act_, rowp(src, r), padded, r);
        fill_rows<V>(post_b_[j].data(), post_out_[j], nxt, ld_, nb);
        dense_accumulate<V>(post_w_[j].data(), in_r, post_out_[j], in_r, src, ld_, nxt, ld_, nb);
        in_r = post_out_[j];
    }
    (void)ld;
}

inline void WaveNet::process(const float* in, float* out, int n) noexcept { nn::detail::ChunkLoop::process(*this, &in, &out, 1, n); }

inline void WaveNet::process_channels(const float* const* in, float* const* out, int channels, int n) noexcept {
    nn::detail::ChunkLoop::process(*this, in, out, std::min(channels, channels_), n);
}

inline int WaveNet::set_channels(int channels) {
    channels_ = std::max(channels, 1);
    for (Array& a : arrays_) {
        for (Layer& y : a.layers) y.history.set_streams(channels_);
        a.head_history.set_streams(channels_);
    }
    if (condition_) condition_->set_channels(channels_);
    reset();
    return channels_;
}

inline void WaveNet::select_channel(int c) noexcept {
    for (Array& a : arrays_) {
        for (Layer& y : a.layers) y.history.select(c);
        a.head_history.select(c);
    }
    if (condition_) condition_->select_channel(c);
}

inline void WaveNet::reset() noexcept {
    for (Array& a : arrays_) {
        for (Layer& y : a.layers) y.history.clear();
        a.head_history.clear();
    }
    if (condition_) condition_->reset();
}

inline void WaveNet::prewarm() noexcept {
    reset();
    knobs_.settle();
    nn::detail::ChunkLoop::prewarm(*this, options_, receptive_field(), channels_);
}

inline void WaveNet::chunk_inputs(int m, bool tick) noexcept {
    const int count = knobs_.count();
    if (count == 0) return;
    for (int t = 0; t < m; ++t) {
        if (tick) knobs_.tick();
        for (int k = 0; k < count; ++k) in_.data()[static_cast<std::size_t>(k + 1) * ld_ + static_cast<std::size_t>(t)] = knobs_.value(k);
    }
    for (int k = 0; k < count; ++k) {
        float* row = in_.data() + static_cast<std::size_t>(k + 1) * ld_;
        std::fill(row + m, row + ld_, 0.0f);
    }
}

inline int WaveNet::receptive_field() const noexcept {
    int span = 0;
    for (const Array& a : arrays_) {
        for (const Layer& y : a.layers) span += (y.kernel - 1) * y.dilation;
        span += (a.head_k - 1) * a.head_d;
    }
    return span * rate_int_ + (condition_ ? condition_->receptive_field() - 1 : 0) + 1;
}

inline RateFactorStatus WaveNet::set_rate_factor(double rate_factor) noexcept {
    if (const RateFactorStatus s = check_integer_rate_factor(rate_factor, max_rate_); s != RateFactorStatus::ok) return s;
    if (condition_) condition_->set_rate_factor(rate_factor);
    rate_ = rate_factor;
    rate_int_ = static_cast<int>(rate_factor);
    reset();
    return RateFactorStatus::ok;
}

inline void WaveNet::set_slimmable_size(double size) noexcept {
    for (Array& a : arrays_) {
        if (a.allowed.empty()) continue;
        const int count = static_cast<int>(a.allowed.size());
        const double v = std::isfinite(size) ? std::max(0.0, size) : 1.0;
        const int i = static_cast<int>(std::min<double>(std::floor(v * count), count - 1));
        a.width = a.allowed[static_cast<std::size_t>(i)];
    }
}

inline std::size_t WaveNet::memory_bytes() const noexcept {
    auto vb = [](const std::vector<float>& v) { return v.capacity() * sizeof(float); };
    std::size_t total = sizeof(*this);
    for (const Array& a : arrays_) {
        total += sizeof(Array) + vb(a.rechannel_w) + vb(a.head_w) + vb(a.head_b) + a.head_history.bytes();
        for (const Layer& y : a.layers) {
            total += sizeof(Layer) + vb(y.conv_w) + vb(y.conv_b) + vb(y.mix_w) + vb(y.l1_w) + vb(y.l1_b) + vb(y.h1_w) +
                     vb(y.h1_b) + y.history.bytes();
            for (const Film& f : y.films) total += vb(f.w) + vb(f.b);
        }
    }
    for (std::size_t j = 0; j < post_w_.size(); ++j) total += vb(post_w_[j]) + vb(post_b_[j]);
    for (const auto* b : {&in_, &cond_, &xa_, &xb_, &xin_, &cols_, &z_, &m_, &out_, &h1_, &r1_, &skip_[0], &skip_[1], &film_,
                          &cmod_, &post_[0], &post_[1], &io_, &res_, &xf_, &xp_})
        total += b->bytes();
    if (condition_) total += condition_->memory_bytes();
    return total;
}

}  // namespace nofold::runtime
