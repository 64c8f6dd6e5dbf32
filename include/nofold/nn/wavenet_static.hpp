// nofold::nn::wavenet — Engine<Shape, Storage>: the WaveNet engine for a shape known at compile time (the
// standard NAM presets), with its weights, delay lines and scratch in one arena chosen by a storage
// policy: HeapStorage (one block allocated by the constructor) or FixedStorage (a std::array inside the
// object: no heap at all, for firmware built with -fno-exceptions and no malloc).
//
//     // firmware: weights from `nofold codegen` (a constexpr float array in file order)
//     static nofold::nn::wavenet::fixed::Feather amp;          // ~90 KB, all inside the object
//     if (!amp.set_weights(Amp::weights.data(), Amp::weights.size()).ok()) halt();
//     amp.prewarm();
//     amp.process(in, out, n);                                 // any n >= 0
//
// Shapes are the preset subset of docs/model-formats.md §2: layer arrays with rechannel,
// dilated conv + input mixin (the condition is the input), ungated activation (Tanh or LeakyReLU),
// layer1x1 on, no bottleneck/head1x1/FiLM/groups, head rechannel with kernel, dilation and bias,
// several arrays chained, head_scale. Any other .nam shape runs on runtime::WaveNet, which shares the
// kernels (nn/dense.hpp, nn/history.hpp) and computes bit-identical results for preset shapes: each
// layer here is one fused pass (nn/detail/tap_conv.hpp: all taps + input mixin, activation and skip sum
// in the epilogue) doing the same multiply-adds in the same order as the runtime model's gathered product.
//
// Multi-channel (set_channels / process_channels, through nofold::ModelFor): the weights once, the
// delay lines of channels 1 … in caller-owned memory; each chunk runs the layers once per channel.
// Template parameters: Shape (StandardShape, LiteShape, FeatherShape, NanoShape, A2Shape<3 or 8>, or a
// user struct with the same members), Storage (nn::HeapStorage, nn::FixedStorage,
// nn::FixedStorageUpTo<R>). Units: samples at the running rate (training rate × rate factor).
// Latency: 0 (causal). Allocates: the HeapStorage constructor only; FixedStorage never. process() uses at
// most (K−1)·C·4·lanes floats of stack per layer for delay-line windows that wrap (A1 standard with AVX2:
// 2 KiB; A2-8's 16-tap head: 15 KiB).
// RT-safe: process, reset, prewarm, set_rate_factor (and set_weights, which never allocates either).
// Reference: docs/model-formats.md §2.9 (presets, A2 shape) and §2.2 (weight order).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <utility>

#include "../math/piecewise.hpp"
#include "../math/tanh.hpp"
#include "../model.hpp"
#include "options.hpp"
#include "preset_shapes.hpp"
#include "../simd/simd.hpp"
#include "dense.hpp"
#include "detail/chunk_loop.hpp"
#include "detail/storage.hpp"
#include "detail/tap_conv.hpp"
#include "detail/wavenet_layer.hpp"
#include "history.hpp"
#include "storage.hpp"
#include "wavenet_cost.hpp"
#include "weight_status.hpp"

namespace nofold::nn::wavenet {

namespace detail {

/// Frames per internal chunk: Shape::chunk_frames if the shape declares it, else 64. Longer chunks
/// spread each layer's fixed cost (tap set-up, delay-line copies, calls) over more frames; the scratch
/// rows grow with the chunk (about (3·channels + 1) · chunk floats), so a shape with a memory budget
/// can ask for 32 (StandardShape does, to stay within 256 KiB per instance).
template <class Shape>
constexpr auto chunk_frames_of(int) noexcept -> decltype(Shape::chunk_frames, 0) {
    return Shape::chunk_frames;
}
template <class Shape>
constexpr int chunk_frames_of(long) noexcept {
    return 64;
}

/// Sizes and arena offsets (in floats) of a static shape processed in chunks of F frames.
template <class Shape, int F>
struct StaticLayout {
    static constexpr int arrays = Shape::array_count;
    static constexpr std::size_t round16(std::size_t n) noexcept { return (n + 15) / 16 * 16; }
    static constexpr std::size_t array_weights(const ArrayShape& a) noexcept {
        const std::size_t c = static_cast<std::size_t>(a.channels);
        std::size_t n = c * static_cast<std::size_t>(a.input_size);
        for (int l = 0; l < a.layers; ++l) n += c * static_cast<std::size_t>(a.kernels[l]) * c + c + c + c * c + c;
        n += static_cast<std::size_t>(a.head_size * a.head_kernel) * c + (a.head_bias ? static_cast<std::size_t>(a.head_size) : 0);
        return n;
    }
    static constexpr std::size_t weights() noexcept {
        std::size_t n = 0;
        for (int i = 0; i < arrays; ++i) n += array_weights(Shape::arrays[i]);
        return n;
    }
    /// Delay-line floats at rate factor 1 (× R for rate factors up to R).
    static constexpr std::size_t history_per_rate() noexcept {
        std::size_t n = 0;
        for (int i = 0; i < arrays; ++i) {
            const ArrayShape& a = Shape::arrays[i];
            for (int l = 0; l < a.layers; ++l) n += static_cast<std::size_t>(a.channels * (a.kernels[l] - 1) * a.dilations[l]);
            n += static_cast<std::size_t>(a.channels * (a.head_kernel - 1) * a.head_dilation);
        }
        return n;
    }
    static constexpr int rings() noexcept {
        int n = 0;
        for (int i = 0; i < arrays; ++i) n += Shape::arrays[i].layers + 1;
        return n;
    }
    static constexpr int max_channels() noexcept {
        int m = 1;
        for (int i = 0; i < arrays; ++i) m = std::max(m, Shape::arrays[i].channels);
        return m;
    }
    // every array's residual x lives in x (arrays after the first rechannel through z); the skip sum of
    // array i in s[i % 2], its head output in s[(i + 1) % 2]
    static constexpr int s_rows(int parity) noexcept {
        int m = 0;
        for (int i = 0; i < arrays; ++i) {
            if (i % 2 == parity) m = std::max(m, Shape::arrays[i].channels);
            if ((i + 1) % 2 == parity) m = std::max(m, Shape::arrays[i].head_size);
        }
        return m;
    }
    // Seams between arrays (docs/model-formats.md §2.3): array i reads array i−1's x and adds to its head output.
    static constexpr bool inputs_chain() noexcept {
        for (int i = 1; i < arrays; ++i)
            if (Shape::arrays[i].input_size != Shape::arrays[i - 1].channels) return false;
        return Shape::arrays[0].input_size == 1;
    }
    static constexpr bool heads_chain() noexcept {
        for (int i = 1; i < arrays; ++i)
            if (Shape::arrays[i - 1].head_size != Shape::arrays[i].channels) return false;
        return Shape::arrays[arrays - 1].head_size == 1;
    }
    static constexpr bool sizes_positive() noexcept {
        for (int i = 0; i < arrays; ++i) {
            const ArrayShape& a = Shape::arrays[i];
            if (a.channels < 1 || a.head_kernel < 1 || a.head_dilation < 1 || a.layers < 1) return false;
            for (int l = 0; l < a.layers; ++l)
                if (a.kernels[l] < 1 || a.dilations[l] < 1) return false;
        }
        return true;
    }
    static constexpr std::size_t rows(int n) noexcept { return static_cast<std::size_t>(n) * static_cast<std::size_t>(F); }
    // The residual rows x are `ld` floats apart: each row's F frames are preceded by `prefix` floats where
    // a layer puts the last samples of its delay line, so taps up to `prefix` back read x in place.
    static constexpr int prefix = F;
    static constexpr int ld = F + prefix;
    static constexpr std::size_t x = round16(weights()) + prefix;  // max_channels() rows, then the input row
    static constexpr std::size_t in = x + static_cast<std::size_t>(max_channels()) * ld;
    static constexpr std::size_t z = in + rows(1);
    static constexpr std::size_t s0 = z + rows(max_channels());
    static constexpr std::size_t s1 = s0 + rows(s_rows(0));
    static constexpr std::size_t history = s1 + rows(s_rows(1));
    static constexpr std::size_t total(int max_rate) noexcept {
        return history + history_per_rate() * static_cast<std::size_t>(max_rate);
    }
};

}  // namespace detail

/// A static-shape WaveNet. Heap aliases: Standard, Lite, Feather, Nano, A2<C>; heap-free ones:
/// fixed::Standard, …, fixed::A2<C>. Use through nofold::ModelFor<…> or directly.
template <class Shape, class Storage = HeapStorage>
class Engine {
public:
    /// Internal chunk (frames per pass over the layers): Shape::chunk_frames when the shape declares it, else 64.
    static constexpr int frames = detail::chunk_frames_of<Shape>(0);

    /// Options: math tier and prewarm mode; HeapStorage also takes max_rate_factor (FixedStorageUpTo<R>
    /// accepts factors up to R whatever the options say).
    explicit Engine(const Options& options = {});
    /// Floats set_weights expects (head_scale included).
    static constexpr std::size_t weight_count() noexcept { return Layout::weights() + 1; }
    /// Weights in .nam order (head_scale last); nothing changes unless the count matches. Never allocates.
    WeightStatus set_weights(const float* weights, std::size_t count) noexcept;

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept;
    NOFOLD_REALTIME void reset() noexcept;
    NOFOLD_REALTIME void prewarm() noexcept;
    int latency() const noexcept { return 0; }
    int receptive_field() const noexcept;
    double flops_per_sample() const noexcept;
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double rate_factor) noexcept;
    double rate_factor() const noexcept { return static_cast<double>(rate_); }
    double max_rate_factor() const noexcept { return static_cast<double>(max_rate_); }
    /// Bytes of the object plus its heap block (HeapStorage).
    std::size_t memory_bytes() const noexcept { return sizeof(*this) + arena_.heap_bytes(); }
    static const char* name() noexcept { return Shape::name(); }

    /// Multi-channel with shared weights (see nofold::Model::set_channels): channels 1 … channels − 1
    /// keep their delay lines in `extra`, extra_state_floats(channels) floats aligned to
    /// nofold::alignment, owned by the caller (nofold::ModelFor allocates it); the object never owns
    /// memory for them, so FixedStorage stays heap-free. Never allocates; resets (unless keep_state:
    /// `extra` already holds these channels' state, a copy of the model moved it).
    std::size_t extra_state_floats(int channels) const noexcept {
        return static_cast<std::size_t>(std::max(channels, 1) - 1) * channel_stride();
    }
    void set_channels(int channels, float* extra, bool keep_state = false) noexcept {
        channels_ = extra != nullptr ? std::max(1, channels) : 1;
        extra_ = extra;
        if (!keep_state) reset();
    }
    int channels() const noexcept { return channels_; }
    /// `channels` ≤ channels() planar streams, each through its own delay lines: every chunk runs the
    /// layers once per channel over the same weights (cache-resident after the first), so channel c's
    /// output equals a mono instance fed channel c, bit for bit.
    NOFOLD_REALTIME void process_channels(const float* const* in, float* const* out, int channels, int n) noexcept;

private:
    using Layout = detail::StaticLayout<Shape, frames>;
    using V = simd::float_batch;
    static constexpr int lanes = simd::lanes<V>;
    static_assert(frames % lanes == 0, "nofold: the static WaveNet chunk must be a multiple of the SIMD width");
    static_assert(Shape::array_count >= 1, "nofold::nn::wavenet::Engine: the shape needs at least one layer array");
    static_assert(Layout::sizes_positive(), "nofold::nn::wavenet::Engine: channels, layers, kernels, dilations and the head's kernel and dilation must be >= 1");
    static_assert(Layout::inputs_chain(), "nofold::nn::wavenet::Engine: arrays[0].input_size must be 1 and arrays[i].input_size must equal arrays[i-1].channels");
    static_assert(Layout::heads_chain(), "nofold::nn::wavenet::Engine: arrays[i-1].head_size must equal arrays[i].channels and the last head_size must be 1");
    static constexpr int fixed_size = Storage::fixed ? static_cast<int>(Layout::total(Storage::max_rate)) : dynamic;

    template <math::Accuracy M, std::size_t... I>
    void run_arrays(int n, bool fill, std::index_sequence<I...>) noexcept;
    template <int I, math::Accuracy M>
    static auto array_activation() noexcept;
    template <int I, class Act>
    void run_array(int n, bool fill, const Act& act, int& ring, std::size_t& weight_at, std::size_t& ring_at) noexcept;
    template <int I, class Act, std::size_t... L>
    void run_layers(int n, bool fill, const Act& act, int& ring, std::size_t& weight_at, std::size_t& ring_at,
                    std::index_sequence<L...>) noexcept;
    // one instantiation per kernel size, not per layer (the dilation is a run-time value): compile time
    template <int I, int K, class Act>
    void run_layer(int n, bool fill, const Act& act, int d, bool residual, int& ring, std::size_t& weight_at,
                   std::size_t& ring_at) noexcept;
    friend struct nn::detail::ChunkLoop;
    void run_chunk(int n, bool fill) noexcept;
    float* chunk_input() noexcept { return at(Layout::in); }
    void chunk_inputs(int, bool) noexcept {}  // no inputs beside the audio
    void chunk_output(float* out, int n) noexcept;
    float* at(std::size_t offset) noexcept { return arena_.data() + offset; }
    std::size_t history_floats() const noexcept { return Layout::total(max_rate_) - Layout::history; }
    // An extra channel's block: 16 floats in front (the layer kernels may read one SIMD batch before
    // the first ring), then its delay lines, rounded to 16 floats (aligned).
    std::size_t channel_stride() const noexcept { return Layout::round16(history_floats()) + 16; }
    float* history_of(int channel) noexcept {
        return channel == 0 ? at(Layout::history) : extra_ + static_cast<std::size_t>(channel - 1) * channel_stride() + 16;
    }
    // The delay lines of every channel advance by the same frames, so one set of positions serves all:
    // channel 0 saves them at the start of a chunk, the others start from the saved ones.
    void select_channel(int c) noexcept {
        history_ = history_of(c);
        if (c == 0) std::copy(std::begin(pos_), std::end(pos_), std::begin(pos_start_));
        else std::copy(std::begin(pos_start_), std::end(pos_start_), std::begin(pos_));
    }

    nn::detail::Storage<fixed_size> arena_;
    int pos_[static_cast<std::size_t>(Layout::rings())] = {};
    int pos_start_[static_cast<std::size_t>(Layout::rings())] = {};
    float* history_ = nullptr;  // the delay lines run_chunk uses (channel 0's: in the arena)
    float* extra_ = nullptr;    // channels 1 …: caller-owned (set_channels)
    int channels_ = 1;
    int rate_ = 1, max_rate_ = 1;
    float head_scale_ = Shape::default_head_scale;
    Options options_;
};

// =================================================================================================
// Implementation
// =================================================================================================

template <class Shape, class Storage>
inline Engine<Shape, Storage>::Engine(const Options& options) : options_(options) {
    if constexpr (Storage::fixed) {
        max_rate_ = Storage::max_rate;
    } else {
        max_rate_ = static_cast<int>(std::max(1.0, std::floor(options.max_rate_factor)));
    }
    arena_.resize(Layout::total(max_rate_));
    arena_.fill(0.0f);
}

template <class Shape, class Storage>
inline WeightStatus Engine<Shape, Storage>::set_weights(const float* w, std::size_t count) noexcept {
    const WeightStatus status(weight_count(), count);
    if (!status.ok()) return status;
    float* dst = at(0);
    // conv [out][in][k] (file) → [out][k·in + c] (rows of the tap-major matrix the kernels read)
    auto conv = [&](int out, int in, int k) {
        w = nn::detail::read_conv_rows(w, dst, k * in, out, in, k, 1);
        dst += out * k * in;
    };
    auto copy = [&](int n) {
        dst = std::copy(w, w + n, dst);
        w += n;
    };
    for (int i = 0; i < Layout::arrays; ++i) {
        const ArrayShape& a = Shape::arrays[i];
        const int c = a.channels;
        copy(c * a.input_size);
        for (int l = 0; l < a.layers; ++l) {
            // [W_0 … W_{K−1} | W_mix] rows (K·C + 1 floats), then the conv bias
            const int k = a.kernels[l];
            float* bias = dst + c * (k * c + 1);
            w = nn::detail::pack_layer_conv(w, c, c, k, 1, dst, bias);
            dst = bias + c;
            copy(c * c);  // layer1x1
            copy(c);      // layer1x1 bias
        }
        conv(a.head_size, c, a.head_kernel);
        if (a.head_bias) copy(a.head_size);
    }
    head_scale_ = *w;
    reset();
    return status;
}

template <class Shape, class Storage>
template <int I, class Act>
inline void Engine<Shape, Storage>::run_array(int n, bool fill, const Act& act, int& ring, std::size_t& weight_at,
                                              std::size_t& ring_at) noexcept {
    constexpr ArrayShape a = Shape::arrays[I];
    constexpr int C = a.channels;
    constexpr int HO = a.head_size;
    constexpr int F = frames;
    const int nb = batches_for<V>(n);
    const float* cond = at(Layout::in);
    constexpr int LD = Layout::ld;
    float* x = at(Layout::in) - C * LD;  // the C rows right above the input row: [x; cond] is one matrix
    float* skip = at(I % 2 == 0 ? Layout::s0 : Layout::s1);
    float* head = at(I % 2 == 0 ? Layout::s1 : Layout::s0);
    float* z = at(Layout::z);

    // rechannel: x = R · (input, or the previous array's x through z so that x can be overwritten)
    const float* rw = at(weight_at);
    weight_at += static_cast<std::size_t>(C * a.input_size);
    if constexpr (I == 0) {
        dense_bias<V, C, a.input_size>(rw, a.input_size, C, a.input_size, nullptr, cond, LD, x, LD, nb);
        fill_rows<V>(nullptr, C, skip, F, nb);
    } else {
        dense_bias<V, C, a.input_size>(rw, a.input_size, C, a.input_size, nullptr, at(Layout::in) - a.input_size * LD, LD, z, F, nb);
        for (int c = 0; c < C; ++c) std::copy(z + c * F, z + (c + 1) * F, x + c * LD);
    }
    run_layers<I>(n, fill, act, ring, weight_at, ring_at, std::make_index_sequence<static_cast<std::size_t>(a.layers)>{});

    // head rechannel over the summed layer outputs: head = b + Σ_k H_k · skip[t − (HK−1−k)·d·L]
    constexpr int HK = a.head_kernel;
    const int span = (HK - 1) * a.head_dilation * max_rate_;
    float* rings = history_ + ring_at;
    ring_at += static_cast<std::size_t>(C * span);
    int& pos = pos_[ring++];
    const float* hw = at(weight_at);
    weight_at += static_cast<std::size_t>(HO * HK * C);
    const float* hb = nullptr;
    if constexpr (a.head_bias) {
        hb = at(weight_at);
        weight_at += HO;
    }
    if (fill) nn::detail::ring_fill_constant(rings, C, span, skip, F);
    nn::detail::PastTap past[HK > 1 ? HK - 1 : 1] = {};
    for (int k = 0; k + 1 < HK; ++k) past[k] = nn::detail::past_tap(rings, span, pos, (HK - 1 - k) * a.head_dilation * rate_);
    nn::detail::tap_conv<V, HO, C, HK, 0>(hw, hb, past, skip, F, 0, nb,
                                           [head](int r, int t, V v) { simd::store_aligned(head + r * F + t, v); });
    pos = nn::detail::ring_append(rings, C, span, pos, skip, F, n);
}

template <class Shape, class Storage>
template <int I, class Act, std::size_t... L>
inline void Engine<Shape, Storage>::run_layers(int n, bool fill, const Act& act, int& ring, std::size_t& weight_at,
                                               std::size_t& ring_at, std::index_sequence<L...>) noexcept {
    constexpr ArrayShape a = Shape::arrays[I];
    // the last layer of the last array updates no residual: nothing reads x after it
    constexpr bool last_array = I + 1 == Layout::arrays;
    (run_layer<I, a.kernels[L]>(n, fill, act, a.dilations[L], !last_array || L + 1 < sizeof...(L), ring, weight_at, ring_at), ...);
}

// One layer: z = act(b + Σ_k W_k · x[t − (K−1−k)·d·L] + W_mix · cond), skip += z (one fused pass, the
// current tap and the condition being one product over [x; cond]), then x = x + (b + W_1x1 · z).
template <class Shape, class Storage>
template <int I, int K, class Act>
inline void Engine<Shape, Storage>::run_layer(int n, bool fill, const Act& act, int d, bool residual, int& ring,
                                              std::size_t& weight_at, std::size_t& ring_at) noexcept {
    constexpr ArrayShape a = Shape::arrays[I];
    constexpr int C = a.channels;
    constexpr int F = frames;
    constexpr int ldw = K * C + 1;  // [W_0 … W_{K−1} | W_mix] per output row
    const int nb = batches_for<V>(n);
    constexpr int LD = Layout::ld;
    float* x = at(Layout::in) - C * LD;
    float* skip = at(I % 2 == 0 ? Layout::s0 : Layout::s1);
    float* z = at(Layout::z);
    const int span = (K - 1) * d * max_rate_;
    float* rings = history_ + ring_at;
    ring_at += static_cast<std::size_t>(C * span);
    int& pos = pos_[ring++];
    const float* cw = at(weight_at);
    const float* cb = cw + C * ldw;
    const float* lw = cb + C;
    const float* lb = lw + C * C;
    weight_at += static_cast<std::size_t>(C * ldw + C + C * C + C);
    nn::detail::layer_conv<V, C, K, F, Layout::prefix, LD>(cw, cb, {rings, span, pos}, x, z, skip, d * rate_, n, fill, &act);
    if (residual) nn::detail::layer_residual<V, C, F, LD>(lw, lb, z, x, nb);
}

// The activation functor of array I in math tier M (Tanh follows the tier; LeakyReLU has one form).
template <class Shape, class Storage>
template <int I, math::Accuracy M>
inline auto Engine<Shape, Storage>::array_activation() noexcept {
    constexpr ArrayShape a = Shape::arrays[I];
    if constexpr (a.activation == ArrayActivation::leaky_relu) {
        return math::LeakyReLU{a.activation_param};
    } else {
        return math::Tanh<math::tier_t<math::tier_in_model(M, true)>>{};
    }
}

template <class Shape, class Storage>
template <math::Accuracy M, std::size_t... I>
inline void Engine<Shape, Storage>::run_arrays(int n, bool fill, std::index_sequence<I...>) noexcept {
    int ring = 0;
    std::size_t weight_at = 0, ring_at = 0;
    (run_array<static_cast<int>(I)>(n, fill, array_activation<static_cast<int>(I), M>(), ring, weight_at, ring_at), ...);
}

template <class Shape, class Storage>
inline void Engine<Shape, Storage>::run_chunk(int n, bool fill) noexcept {
    using Arrays = std::make_index_sequence<static_cast<std::size_t>(Layout::arrays)>;
    switch (options_.math) {
        case math::Accuracy::fast: run_arrays<math::Accuracy::fast>(n, fill, Arrays{}); break;
        case math::Accuracy::nam: run_arrays<math::Accuracy::nam>(n, fill, Arrays{}); break;
        case math::Accuracy::exact:
        default: run_arrays<math::Accuracy::exact>(n, fill, Arrays{}); break;
    }
}

template <class Shape, class Storage>
inline void Engine<Shape, Storage>::process(const float* in, float* out, int n) noexcept {
    nn::detail::ChunkLoop::process(*this, &in, &out, 1, n);
}

template <class Shape, class Storage>
inline void Engine<Shape, Storage>::process_channels(const float* const* in, float* const* out, int channels, int n) noexcept {
    nn::detail::ChunkLoop::process(*this, in, out, std::min(channels, channels_), n);
}

template <class Shape, class Storage>
inline void Engine<Shape, Storage>::chunk_output(float* out, int n) noexcept {
    const float* head = at(Layout::arrays % 2 == 0 ? Layout::s0 : Layout::s1);
    for (int t = 0; t < n; ++t) out[t] = head_scale_ * head[t];
}

template <class Shape, class Storage>
inline void Engine<Shape, Storage>::reset() noexcept {
    for (int c = 0; c < channels_; ++c) std::fill(history_of(c), history_of(c) + history_floats(), 0.0f);
    std::fill(std::begin(pos_), std::end(pos_), 0);
}

template <class Shape, class Storage>
inline void Engine<Shape, Storage>::prewarm() noexcept {
    reset();
    nn::detail::ChunkLoop::prewarm(*this, options_, receptive_field(), channels_);
}

template <class Shape, class Storage>
inline int Engine<Shape, Storage>::receptive_field() const noexcept {
    int span = 0;
    for (int i = 0; i < Layout::arrays; ++i) {
        const ArrayShape& a = Shape::arrays[i];
        for (int l = 0; l < a.layers; ++l) span += (a.kernels[l] - 1) * a.dilations[l];
        span += (a.head_kernel - 1) * a.head_dilation;
    }
    return span * rate_ + 1;
}

template <class Shape, class Storage>
inline double Engine<Shape, Storage>::flops_per_sample() const noexcept {
    double macs = 0;
    for (int i = 0; i < Layout::arrays; ++i) {
        const ArrayShape& a = Shape::arrays[i];
        const int c = a.channels;
        macs += array_multiply_adds(c, a.input_size, a.head_size, a.head_kernel, c);
        for (int l = 0; l < a.layers; ++l) macs += layer_multiply_adds(c, a.kernels[l], c, 1, c, c, 0);
    }
    return 2.0 * macs;
}

template <class Shape, class Storage>
inline RateFactorStatus Engine<Shape, Storage>::set_rate_factor(double rate_factor) noexcept {
    if (const RateFactorStatus s = check_integer_rate_factor(rate_factor, max_rate_); s != RateFactorStatus::ok) return s;
    rate_ = static_cast<int>(rate_factor);
    reset();
    return RateFactorStatus::ok;
}

/// The standard presets on the heap (one block per instance, allocated by the constructor).
using Standard = Engine<StandardShape>;
using Lite = Engine<LiteShape>;
using Feather = Engine<FeatherShape>;
using Nano = Engine<NanoShape>;
template <int Channels>
using A2 = Engine<A2Shape<Channels>>;

/// The same presets with everything inside the object (no heap; rate factor 1). For other maximum rate
/// factors use Engine<Shape, nn::FixedStorageUpTo<R>>.
namespace fixed {
using Standard = Engine<StandardShape, FixedStorage>;
using Lite = Engine<LiteShape, FixedStorage>;
using Feather = Engine<FeatherShape, FixedStorage>;
using Nano = Engine<NanoShape, FixedStorage>;
template <int Channels>
using A2 = Engine<A2Shape<Channels>, FixedStorage>;
}  // namespace fixed

}  // namespace nofold::nn::wavenet
