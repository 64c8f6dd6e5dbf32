// nofold::nn — History: the past of a multi-channel signal, and the tap gather of a causal
// dilated convolution.
//
// A causal conv `y[t] = b + Σ_k W_k · x[t − (K−1−k)·d]` needs, for a chunk of n frames, the last
// (K−1)·d samples of every input channel. History keeps exactly those in one ring per channel (no
// slack: memory = channels × span). gather() writes the "tap matrix" X[k·C + c][t] = x_c[t − o_k]
// for a chunk, reading the ring for the past and the chunk itself for the present, so the conv is
// then one Dense product with aligned rows (dense.hpp). append() then pushes the chunk.
//
// Units: span and offsets in samples at the running rate. Latency: none.
// Several audio channels of one model keep one stream (rings and position) each (set_streams, select).
// Allocates: in the constructor and set_streams only. RT-safe: gather, append, clear, fill_constant,
// rings, position, select.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "../simd/simd.hpp"
#include "detail/aligned_buffer.hpp"

namespace nofold::nn {

namespace detail {

// The ring kernels, on caller-owned memory: `rings` holds `channels` rings of `span` floats each,
// `pos` is where the next sample goes (the newest past sample is at pos − 1). History below and the
// static WaveNet (wavenet_static.hpp) both use them.

/// dst[i] = src[i] for i < n: short copies inline (a library memmove call costs more than the copy here).
inline void copy_floats(const float* src, int n, float* dst) noexcept {
    using V = simd::float_batch;
    constexpr int lanes = simd::lanes<V>;
    int i = 0;
    for (; i + lanes <= n; i += lanes) simd::store(dst + i, simd::load<V>(src + i));
    for (; i < n; ++i) dst[i] = src[i];
}

/// dst[t] = x_c[t − offset] for t < n, then zeros up to `padded` (≥ n); `ring` is channel c's ring,
/// `cur` its current chunk. Requires offset ≤ span.
inline void ring_gather(const float* ring, int span, int pos, const float* cur, int n, int offset, float* dst,
                        int padded) noexcept {
    const int from_ring = std::min(offset, n);
    if (from_ring > 0) {
        int start = pos - offset;
        if (start < 0) start += span;
        const int first = std::min(from_ring, span - start);
        copy_floats(ring + start, first, dst);
        copy_floats(ring, from_ring - first, dst + first);
    }
    if (n > from_ring) copy_floats(cur, n - from_ring, dst + from_ring);
    for (int t = n; t < padded; ++t) dst[t] = 0.0f;
}

/// dst[c·ldd + i] = src[c·lds + i] for c < channels, i < N (N a multiple of the SIMD width; unaligned).
template <int N>
inline void copy_rows(const float* src, int lds, float* dst, int ldd, int channels) noexcept {
    using V = simd::float_batch;
    constexpr int lanes = simd::lanes<V>;
    static_assert(N % lanes == 0, "nofold: copy_rows copies whole SIMD batches");
    for (int c = 0; c < channels; ++c) {
        const float* s = src + static_cast<std::size_t>(c) * static_cast<std::size_t>(lds);
        float* d = dst + static_cast<std::size_t>(c) * static_cast<std::size_t>(ldd);
        for (int i = 0; i < N; i += lanes) simd::store(d + i, simd::load<V>(s + i));
    }
}

/// Pushes n frames of `channels` rows (`ld` floats apart) into the rings; returns the new position.
inline int ring_append(float* rings, int channels, int span, int pos, const float* cur, int ld, int n) noexcept {
    if (span == 0 || n <= 0) return pos;
    const int keep = std::min(n, span);
    const int skip = n - keep;
    const int at = (pos + skip) % span;
    for (int c = 0; c < channels; ++c) {
        float* ring = rings + static_cast<std::size_t>(c) * static_cast<std::size_t>(span);
        const float* src = cur + static_cast<std::size_t>(c) * static_cast<std::size_t>(ld) + skip;
        const int first = std::min(keep, span - at);
        copy_floats(src, first, ring + at);
        copy_floats(src + first, keep - first, ring);
    }
    return (at + keep) % span;
}

/// dst[c·ld + j] = x_c[j − m] for j < m: the last m samples of every channel (m ≤ span).
inline void ring_copy_last(const float* rings, int channels, int span, int pos, int m, float* dst, int ld) noexcept {
    if (m <= 0) return;
    int start = pos - m;
    if (start < 0) start += span;
    const int first = std::min(m, span - start);
    for (int c = 0; c < channels; ++c) {
        const float* ring = rings + static_cast<std::size_t>(c) * static_cast<std::size_t>(span);
        float* d = dst + static_cast<std::size_t>(c) * static_cast<std::size_t>(ld);
        copy_floats(ring + start, first, d);
        copy_floats(ring, m - first, d + first);
    }
}

/// Every past sample of channel c becomes value[c·ld] (the steady state of a constant signal).
inline void ring_fill_constant(float* rings, int channels, int span, const float* value, int ld) noexcept {
    for (int c = 0; c < channels; ++c) {
        float* ring = rings + static_cast<std::size_t>(c) * static_cast<std::size_t>(span);
        std::fill(ring, ring + span, value[static_cast<std::size_t>(c) * static_cast<std::size_t>(ld)]);
    }
}

}  // namespace detail

class History {
public:
    History() = default;
    /// `channels` rings holding `span` samples each (span may be 0: nothing is kept).
    History(int channels, int span) : channels_(channels), span_(span) { set_streams(1); }
    /// Independent pasts for `streams` ≥ 1 audio channels of a multi-channel model (allocates; clears):
    /// select(s) picks the one every other call uses (stream 0 until then).
    void set_streams(int streams) {
        streams_ = std::max(streams, 1);
        const std::size_t rings = static_cast<std::size_t>(channels_) * static_cast<std::size_t>(std::max(span_, 1));
        stride_ = (static_cast<std::size_t>(front) + rings + 15) / 16 * 16;  // every stream's rings aligned alike
        ring_.resize(static_cast<std::size_t>(streams_ - 1) * stride_ + static_cast<std::size_t>(front) + rings);
        positions_.assign(static_cast<std::size_t>(streams_), 0);
        clear();
    }
    int streams() const noexcept { return streams_; }
    /// Makes stream s < streams() the current past (its rings and position). RT-safe.
    void select(int s) noexcept {
        if (streams_ == 1) return;
        positions_[static_cast<std::size_t>(stream_)] = pos_;
        stream_ = s;
        pos_ = positions_[static_cast<std::size_t>(s)];
    }

    int channels() const noexcept { return channels_; }
    int span() const noexcept { return span_; }
    std::size_t bytes() const noexcept { return ring_.bytes(); }
    /// The rings (channel c's `span()` samples at rings() + c·span()) and the next write position, for
    /// kernels that read the delay line in place (nn/detail/tap_conv.hpp's past_tap).
    const float* rings() const noexcept { return data(); }
    /// The same, writable, with the position, for kernels that push the chunk themselves
    /// (nn/detail/wavenet_layer.hpp); one SIMD batch of zeros lies before rings().
    float* rings() noexcept { return data(); }
    int& position() noexcept { return pos_; }
    int position() const noexcept { return pos_; }

    /// dst[t] = x_c[t − offset] for t < n, then zeros up to `padded` (≥ n). `cur` is channel c's
    /// current chunk (n frames). Requires offset ≤ span().
    void gather(int c, const float* cur, int n, int offset, float* dst, int padded) const noexcept {
        detail::ring_gather(data() + static_cast<std::size_t>(c) * static_cast<std::size_t>(span_), span_, pos_, cur, n,
                            offset, dst, padded);
    }

    /// Push the chunk: `cur` rows are `ld` floats apart, n frames each (channels() rows).
    void append(const float* cur, int ld, int n) noexcept { pos_ = detail::ring_append(data(), channels_, span_, pos_, cur, ld, n); }

    /// Every past sample of channel c becomes value[c·ld] (the steady state of a constant signal).
    void fill_constant(const float* value, int ld) noexcept { detail::ring_fill_constant(data(), channels_, span_, value, ld); }

    /// Clears every stream.
    void clear() noexcept {
        ring_.fill(0.0f);
        std::fill(positions_.begin(), positions_.end(), 0);
        pos_ = 0;
    }

private:
    static constexpr int front = simd::lanes<simd::float_batch>;  // readable floats before the rings
    float* data() noexcept { return ring_.data() + static_cast<std::size_t>(stream_) * stride_ + front; }
    const float* data() const noexcept { return ring_.data() + static_cast<std::size_t>(stream_) * stride_ + front; }
    int channels_ = 0;
    int span_ = 0;
    int pos_ = 0;  // where the next sample goes; the newest past sample is at pos_ − 1
    int streams_ = 1, stream_ = 0;
    std::size_t stride_ = 0;      // floats from one stream's block to the next
    std::vector<int> positions_;  // of every stream (pos_ is the current one's)
    detail::AlignedBuffer ring_;
};

}  // namespace nofold::nn
