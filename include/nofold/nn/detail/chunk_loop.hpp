// nofold::nn::detail — ChunkLoop: the orchestration both WaveNet engines share (nn::wavenet::Engine for
// shapes known at compile time, runtime::WaveNet for any file): a block of any length cut into passes
// of the engine's chunk with every input sample sanitised on the way in, and prewarm in its two modes.
// The engines differ only in what one pass does; this is the part that must not differ.
//
// Several audio channels through one engine (shared weights, a state per channel) run each pass once
// per channel, channel after channel, the knob inputs ticked once per pass; the delay lines of all
// channels advance by the same frames, so their positions stay equal.
// An engine befriends ChunkLoop and provides:
//     static constexpr int frames                 frames per pass
//     void select_channel(int c) noexcept         the state the next run_chunk uses (channel c; 0
//                                                 before any other in a pass)
//     float* chunk_input() noexcept               the pass's input row (frames floats, aligned)
//     void chunk_inputs(int n, bool live) noexcept    any further input rows (a model's knobs) for a pass
//                                                 of n frames; live: advance their smoothing ramps
//     void run_chunk(int n, bool fill) noexcept   one pass over n ≤ frames frames; fill = steady-state step
//     void chunk_output(float* out, int n) noexcept   the pass's output, to out[0 … n)
// Units: samples at the running rate. Allocates: never. RT-safe: everything here.
#pragma once

#include <algorithm>

#include "../../simd/simd.hpp"
#include "../options.hpp"

namespace nofold::nn::detail {

/// Samples of zeros NAM-style prewarm runs: `samples` rounded up to whole blocks of `block` (≥ 1).
constexpr long zero_block_samples(long samples, int block) noexcept {
    const long b = block < 1 ? 1 : block;
    return (std::max(samples, 0L) + b - 1) / b * b;
}

struct ChunkLoop {
    /// in[c], out[c]: n samples of channel c < channels (in[c] == out[c] allowed).
    template <class Engine>
    static void process(Engine& e, const float* const* in, float* const* out, int channels, int n) noexcept {
        constexpr int frames = Engine::frames;
        float* row = e.chunk_input();
        int done = 0;
        while (done < n) {
            const int m = std::min(frames, n - done);
            for (int c = 0; c < channels; ++c) {
                e.select_channel(c);
                for (int t = 0; t < m; ++t) row[t] = simd::sanitize(in[c][done + t]);
                std::fill(row + m, row + frames, 0.0f);
                if (c == 0) e.chunk_inputs(m, true);
                e.run_chunk(m, false);
                e.chunk_output(out[c] + done, m);
            }
            done += m;
        }
    }

    /// After the engine's reset(): a steady-state fill (one pass that sets every delay line to its value
    /// for a constant zero input), or NAM Core's whole blocks of zeros covering `receptive_field` samples
    /// (or options.prewarm_samples when set).
    /// The same for each of `channels` channels.
    template <class Engine>
    static void prewarm(Engine& e, const Options& options, int receptive_field, int channels) noexcept {
        constexpr int frames = Engine::frames;
        float* row = e.chunk_input();
        std::fill(row, row + frames, 0.0f);
        e.chunk_inputs(frames, false);
        if (options.prewarm == PrewarmMode::steady_state) {
            for (int c = 0; c < channels; ++c) {
                e.select_channel(c);
                e.run_chunk(1, true);
            }
            return;
        }
        long total = zero_block_samples(options.prewarm_samples >= 0 ? options.prewarm_samples : receptive_field, options.prewarm_block);
        while (total > 0) {
            const int m = static_cast<int>(std::min<long>(frames, total));
            for (int c = 0; c < channels; ++c) {
                e.select_channel(c);
                e.run_chunk(m, false);
            }
            total -= m;
        }
    }
};

}  // namespace nofold::nn::detail
