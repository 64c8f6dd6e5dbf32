// nofold::nn — Recurrent: a stack of recurrent cells (LSTM or GRU) followed by a 1 × H output layer,
// with block processing, reset to the initial state, zero-block prewarm, input sanitising and the
// rate factor (state fed back from L samples ago, fractional L interpolated linearly).
//
// Template parameters: Cell0 (first layer, input width In), CellN (further layers, H → H), Layers
// (count or nn::dynamic), MaxRate (static shapes: largest rate factor; dynamic: set in configure()).
// Cells provide configure(in, h), padded_hidden(), state_vectors, initial_state(), step<Tier>().
// process() picks the gate tier and the integer/fractional rate path once per block; a sample then
// costs the cells' steps and a SIMD output dot product (ring slots wrap by compare, not modulo).
// Knob inputs: a first layer with In > 1 inputs reads the audio sample as input 0 and knobs() 1 … In − 1
// (live conditioning, nn::Knobs: one tick per sample, shared by every channel).
// Units: samples at the running rate. Latency: 0. Allocates: configure() of dynamic shapes only.
// RT-safe: process, reset, prewarm, set_rate_factor, knobs().
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "../math/tier.hpp"
#include "../model.hpp"
#include "../simd/simd.hpp"
#include "detail/chunk_loop.hpp"
#include "detail/storage.hpp"
#include "knobs.hpp"

namespace nofold::nn {

template <class Cell0, class CellN, int Layers, int MaxRate = 8>
class Recurrent {
public:
    static constexpr int lanes = simd::lanes<simd::float_batch>;

    Recurrent() = default;
    /// Sizes; for dynamic shapes this allocates. max_rate: largest rate factor (≥ 1).
    void configure(int in, int hidden, int layers, double max_rate) {
        layers_ = extent<Layers>(layers);
        cell0_.configure(in, hidden);
        knobs_.configure(in - 1);
        if constexpr (Layers == dynamic) rest_.resize(static_cast<std::size_t>(std::max(layers_ - 1, 0)));
        for (auto& c : rest_) c.configure(hidden, hidden);
        h_ = hidden;
        hp_ = cell0_.padded_hidden();
        sv_ = Cell0::state_vectors * hp_;
        max_rate_ = std::max(1.0, Layers == dynamic ? max_rate : std::min<double>(max_rate, MaxRate));
        slots_ = static_cast<int>(std::ceil(max_rate_)) + 2;
        ring_.resize(static_cast<std::size_t>(layers_ * slots_ * sv_));
        tmp_.resize(static_cast<std::size_t>(2 * sv_));
        w_out_.resize(static_cast<std::size_t>(hp_));
        w_out_.fill(0.0f);
        reset();
    }
    /// False when the shape is static with a single layer (then layer(l) must not be called).
    static constexpr bool may_have_more_layers = Layers == dynamic || Layers > 1;
    Cell0& first() noexcept { return cell0_; }
    CellN& layer(int l) noexcept { return rest_[static_cast<std::size_t>(l - 1)]; }
    int layers() const noexcept { return layers_; }
    /// Output layer: y = Σ w[j]·h[j] + b.
    const float* set_output_weights(const float* w) noexcept {
        for (int j = 0; j < h_; ++j) w_out_.data()[j] = *w++;
        b_out_ = *w++;
        return w;
    }
    void set_math(math::Accuracy m) noexcept { math_ = m; }
    /// Knob inputs 1 … In − 1 of the first layer (none when In = 1).
    using KnobSet = Knobs<Cell0::in_static == dynamic ? max_knobs : std::max(Cell0::in_static - 1, 0)>;
    KnobSet& knobs() noexcept { return knobs_; }
    const KnobSet& knobs() const noexcept { return knobs_; }

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept { process_channels(&in, &out, 1, n); }
    /// Channels whose state this instance holds (1 until set_channels); every channel shares the weights.
    int channels() const noexcept { return channels_; }
    /// Floats of state that channels 1 … channels − 1 need (0 for one channel); see set_channels.
    std::size_t extra_state_floats(int channels) const noexcept {
        return static_cast<std::size_t>(std::max(channels, 1) - 1) * ring_floats();
    }
    /// Hold state for `channels` ≥ 1 channels (resets): channel 0 in the object, the others in `extra`,
    /// extra_state_floats(channels) floats aligned to nofold::alignment that the caller owns and keeps
    /// alive (nofold::ModelFor does). Null `extra` means one channel. The object never owns heap memory
    /// for channels, so static shapes stay trivially destructible (a firmware `static` model needs no
    /// __dso_handle). Not RT-safe by contract (a host changes channels between streams), never allocates.
    /// keep_state: `extra` already holds these channels' state (a copy of the model moved it), no reset.
    void set_channels(int channels, float* extra, bool keep_state = false) noexcept {
        channels_ = extra != nullptr ? std::max(1, channels) : 1;
        extra_ = extra;
        if (!keep_state) reset();
    }
    /// `channels` ≤ channels() planar streams, each through its own state, sample by sample in
    /// lockstep: the steps of different channels are independent, so the core overlaps their
    /// latency-bound chains, and each weight is fetched from cache once per sample for all of them.
    NOFOLD_REALTIME void process_channels(const float* const* in, float* const* out, int channels, int n) noexcept {
        channels = std::min(channels, channels_);
        with_tier([&](auto tier) {
            using Tier = decltype(tier);
            for (int t = 0; t < n; ++t) {
                tick_knobs();
                for (int c = 0; c < channels; ++c) {
                    const float x = simd::sanitize(in[c][t]);
                    out[c][t] = frac_ > 0.0f ? step_with<Tier, true>(c, x) : step_with<Tier, false>(c, x);
                }
                advance();
            }
        });
    }
    NOFOLD_REALTIME void reset() noexcept {
        for (int c = 0; c < channels_; ++c)
            for (int l = 0; l < layers_; ++l)
                for (int s = 0; s < slots_; ++s) {
                    float* dst = slot(c, l, s);
                    if constexpr (may_have_more_layers) {
                        if (l > 0) {
                            rest_[static_cast<std::size_t>(l - 1)].initial_state(dst);
                            continue;
                        }
                    }
                    cell0_.initial_state(dst);
                }
        pos_ = 0;
    }
    /// reset(), then feed `samples` zeros rounded up to whole `block`s (NAM Core's prewarm).
    NOFOLD_REALTIME void prewarm_zero_blocks(int samples, int block) noexcept {
        reset();
        knobs_.settle();
        tick_knobs();
        const long total = detail::zero_block_samples(samples, block);
        with_tier([&](auto tier) {
            using Tier = decltype(tier);
            for (long t = 0; t < total; ++t) {
                for (int c = 0; c < channels_; ++c) frac_ > 0.0f ? step_with<Tier, true>(c, 0.0f) : step_with<Tier, false>(c, 0.0f);
                advance();
            }
        });
    }
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double rate) noexcept {
        if (!(rate >= 1.0) || rate > max_rate_) return RateFactorStatus::out_of_range;
        rate_ = rate;
        delay_ = static_cast<int>(rate);
        frac_ = static_cast<float>(rate - delay_);
        reset();
        return RateFactorStatus::ok;
    }
    double rate_factor() const noexcept { return rate_; }
    double max_rate_factor() const noexcept { return max_rate_; }
    std::size_t heap_bytes() const noexcept {
        std::size_t b = cell0_.heap_bytes() + ring_.heap_bytes() + tmp_.heap_bytes() + w_out_.heap_bytes();
        for (const auto& c : rest_) b += c.heap_bytes();
        if constexpr (Layers == dynamic) b += rest_.capacity() * sizeof(CellN);
        return b;
    }

    /// One sample through every layer and the output layer (process() without the input sanitising).
    NOFOLD_REALTIME float step(float x) noexcept {
        float y = 0.0f;
        with_tier([&](auto tier) {
            using Tier = decltype(tier);
            tick_knobs();
            y = frac_ > 0.0f ? step_with<Tier, true>(0, x) : step_with<Tier, false>(0, x);
        });
        advance();
        return y;
    }

private:
    // Channel 0's state is in ring_ (inside the object for static shapes), the others' in extra_.
    float* slot(int channel, int layer, int s) noexcept {
        float* base = channel == 0 ? ring_.data() : extra_ + static_cast<std::size_t>(channel - 1) * ring_floats();
        return base + (static_cast<std::size_t>(layer) * static_cast<std::size_t>(slots_) + static_cast<std::size_t>(s)) *
                          static_cast<std::size_t>(sv_);
    }
    std::size_t ring_floats() const noexcept {
        return static_cast<std::size_t>(layers_) * static_cast<std::size_t>(slots_) * static_cast<std::size_t>(sv_);
    }
    void advance() noexcept { pos_ = pos_ + 1 == slots_ ? 0 : pos_ + 1; }
    /// One sample of the knobs' ramps; their values become the first layer's inputs 1 … In − 1.
    void tick_knobs() noexcept {
        if constexpr (KnobSet::capacity > 0) {
            knobs_.tick();
            std::copy(knobs_.values(), knobs_.values() + knobs_.count(), input_.begin() + 1);
        }
    }
    /// Calls fn(tier tag) once for the model's accuracy (the gates and tanh are all functions NAM Core
    /// approximates, so nam → math::NamCompat), so the per-sample code has no branch on it.
    template <class Fn>
    void with_tier(Fn&& fn) noexcept {
        math::visit_tier(math::tier_in_model(math_, true), fn);
    }
    /// s_t = cell(x_t, s_{t−L}): the slot of t − floor(L), blended with t − floor(L) − 1 when Frac.
    template <class Tier, bool Frac>
    float step_with(int channel, float x) noexcept {
        const int cur = pos_;
        int back = cur - delay_;  // delay_ ≤ slots_ − 2
        if (back < 0) back += slots_;
        int older = back - 1;
        if (older < 0) older += slots_;
        const float* input = &x;
        if constexpr (KnobSet::capacity > 0) {
            input_[0] = x;
            input = input_.data();
        }
        for (int l = 0; l < layers_; ++l) {
            const float* prev = slot(channel, l, back);
            if constexpr (Frac) {
                const float* old = slot(channel, l, older);
                float* mix = tmp_.data();
                for (int j = 0; j < sv_; ++j) mix[j] = prev[j] + frac_ * (old[j] - prev[j]);
                prev = mix;
            }
            float* dst = slot(channel, l, cur);
            if constexpr (may_have_more_layers) {
                if (l > 0) rest_[static_cast<std::size_t>(l - 1)].template step<Tier>(input, prev, dst);
                else cell0_.template step<Tier>(input, prev, dst);
            } else {
                cell0_.template step<Tier>(input, prev, dst);
            }
            input = dst;
        }
        using V = simd::float_batch;
        V acc = V(0.0f);
        const int hp = extent<hp_static>(hp_);
        for (int j = 0; j < hp; j += lanes)
            acc = simd::fma(simd::load_aligned<V>(w_out_.data() + j), simd::load_aligned<V>(input + j), acc);
        return b_out_ + simd::reduce_add(acc);
    }
    static constexpr int hp_static = CellN::hp_static;
    static constexpr int state_static = detail::product(Cell0::state_vectors, hp_static);
    static constexpr int rest_count = Layers == dynamic ? 0 : std::max(Layers - 1, 0);
    using Rest = std::conditional_t<Layers == dynamic, std::vector<CellN>, std::array<CellN, static_cast<std::size_t>(rest_count)>>;

    Cell0 cell0_;
    Rest rest_{};
    int layers_ = 0, h_ = 0, hp_ = 0, sv_ = 0, slots_ = 1, pos_ = 0, delay_ = 1, channels_ = 1;
    double rate_ = 1.0, max_rate_ = 1.0;
    float frac_ = 0.0f;
    math::Accuracy math_ = math::Accuracy::exact;
    detail::Storage<detail::product(detail::product(Layers, MaxRate + 3), state_static)> ring_;
    detail::Storage<detail::product(2, state_static)> tmp_;
    detail::Storage<hp_static> w_out_;
    float b_out_ = 0.0f;
    KnobSet knobs_;
    std::array<float, static_cast<std::size_t>(KnobSet::capacity) + 1> input_{};  // [x, knob values]
    // State of channels 1 … channels_−1, ring_floats() each, aligned (the cells load state aligned);
    // owned by the caller of set_channels.
    float* extra_ = nullptr;
};

}  // namespace nofold::nn
