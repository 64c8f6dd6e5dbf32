// nofold::dsp::Convolver — partitioned FFT convolution of a long impulse response (a cab IR),
// zero-latency or with one block of latency, flat cost per block.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../simd/simd.hpp"
#include "real_fft.hpp"

namespace nofold::dsp {

/// zero: the first `block` taps run as a direct FIR, so output sample t already contains input
/// sample t (latency 0). one_block: every tap runs in the FFT domain and the output is delayed by
/// `block` samples, which saves the direct FIR (about block/4 complex multiply-adds per sample).
enum class ConvolverLatency { zero, one_block };

struct ConvolverSettings {
    /// Partition of the head, in samples: a power of two in [8, 4096]. The FFT work happens every
    /// `block` samples whatever the host block size, so pick the host's usual block (64 at 48 kHz).
    int block = 64;
    ConvolverLatency latency = ConvolverLatency::zero;
};

/// Convolution y = h * x of a float stream with an impulse response h of any length ≥ 1.
///
/// Two levels of uniformly partitioned overlap-save convolution with frequency-domain delay lines
/// (Wefers 2015, §5): a head of partitions of `block` samples and, for long responses, a tail of
/// partitions of P = block·2^m samples starting at tap 2P, with P chosen at construction to
/// minimise an operation count. The tail's work for one P-sample frame (forward FFT, the products
/// of its partitions, inverse FFT) is spread evenly over the P/block head periods that follow the
/// frame: its result is first needed 2P − P = P samples after the frame is complete, so no block
/// pays for the whole tail at once and the cost per `block` samples is flat. In zero-latency mode the
/// first `block` taps are a direct FIR evaluated on SIMD batches of consecutive outputs.
/// Spectra are float (RealFft's packed split layout); the error against a double-precision direct
/// convolution is about −130 dB (tested ≤ −120 dB).
/// Units: samples at the stream's rate. Latency: latency() = 0 (zero) or block (one_block).
/// Allocates: the constructor only (spectra of h: about 2·length floats, the same again for the
/// delay lines); process and reset are RT-safe. Throws std::invalid_argument for an empty response,
/// a non-finite tap or a bad block.
/// Reference: F. Wefers, "Partitioned convolution algorithms for real-time auralization", Logos
/// 2015, §4–5; W. G. Gardner, "Efficient convolution without input-output delay", JAES 43(3), 1995.
class Convolver {
public:
    Convolver(const float* ir, int length, const ConvolverSettings& settings = {});
    Convolver(const Convolver&) = delete;  // the levels point into ffts_
    Convolver& operator=(const Convolver&) = delete;
    Convolver(Convolver&&) noexcept = default;  // a moved vector keeps its heap block
    Convolver& operator=(Convolver&&) noexcept = default;

    /// Any n ≥ 0; in == out allowed.
    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept;
    /// Clears the input history (the response is kept).
    NOFOLD_REALTIME void reset() noexcept;

    int latency() const noexcept { return latency_; }
    int length() const noexcept { return length_; }
    int block() const noexcept { return block_; }
    int head_partitions() const noexcept { return head_.parts; }
    /// 0 when there is no tail.
    int tail_partition() const noexcept { return tail_.parts > 0 ? tail_.size : 0; }
    int tail_partitions() const noexcept { return tail_.parts; }
    std::size_t memory_bytes() const noexcept;

private:
    // One uniformly partitioned level: partitions of `size` taps, FFTs of 2·size.
    struct Level {
        int size = 0;
        int parts = 0;
        int ring = 0;                   // slot of the newest input spectrum
        RealFft* fft = nullptr;         // points into ffts_
        std::vector<float> h_re, h_im;  // parts × size: spectra of the partitions, scaled by 1/(2·size)
        std::vector<float> x_re, x_im;  // parts × size: spectra of the last `parts` input frames
        std::vector<float> acc_re, acc_im;
        std::vector<float> frame;       // 2·size: previous and current input frame (tail level only)
        std::vector<float> time;        // 2·size: inverse transform
        std::vector<float> out_now, out_next;  // size each (tail level only)
    };
    void build_level(Level& level, int size, const std::vector<float>& taps, int begin, int end);
    void input_spectrum(Level& level, const float* frame) noexcept;
    void accumulate(Level& level, int first, int last) noexcept;
    void head_boundary() noexcept;
    void tail_boundary() noexcept;
    void direct(float* out, int pos, int m) const noexcept;

    int length_ = 0;
    int block_ = 0;
    int latency_ = 0;
    bool direct_head_ = false;
    std::vector<float> direct_taps_;  // block_ taps (zero-latency mode)
    std::vector<RealFft> ffts_;       // head, tail
    Level head_;
    Level tail_;
    int tail_steps_ = 1;  // head periods per tail frame (P / block)
    int tail_step_ = 0;   // head periods since the last tail frame
    std::vector<float> input_;     // 2·block: previous and current head frame
    std::vector<float> head_out_;  // block: FFT part of the output of the current period
    int pos_ = 0;                  // samples of the current period already taken
};

// ------------------------------------------------------------------------------------------------
// Implementation
// ------------------------------------------------------------------------------------------------

inline Convolver::Convolver(const float* ir, int length, const ConvolverSettings& settings) {
    const int b = settings.block;
    if (b < 8 || b > 4096 || (b & (b - 1)) != 0)
        throw std::invalid_argument("Convolver: block must be a power of two in [8, 4096], got " + std::to_string(b));
    if (ir == nullptr || length < 1) throw std::invalid_argument("Convolver: the impulse response is empty");
    for (int i = 0; i < length; ++i)
        if (!std::isfinite(ir[i]))
            throw std::invalid_argument("Convolver: impulse response sample " + std::to_string(i) + " is not finite");
    length_ = length;
    block_ = b;
    direct_head_ = settings.latency == ConvolverLatency::zero;
    latency_ = direct_head_ ? 0 : b;
    // One-block mode is the zero-latency structure on the response delayed by one block, whose
    // first `block` taps (the direct part) are then zero and skipped.
    std::vector<float> h(static_cast<std::size_t>(length + (direct_head_ ? 0 : b)), 0.0f);
    std::copy(ir, ir + length, h.begin() + (direct_head_ ? 0 : b));
    const int n = static_cast<int>(h.size());
    if (direct_head_) direct_taps_.assign(h.begin(), h.begin() + std::min(n, b));
    direct_taps_.resize(static_cast<std::size_t>(b), 0.0f);

    // Operation count per sample (complex multiply-adds; an FFT of 2s points counted as 1.5·log2(s)
    // per sample and direction): head only, or head up to 2P and a tail of partitions P.
    const auto parts = [](int taps, int size) { return taps <= 0 ? 0 : (taps + size - 1) / size; };
    const auto fft_cost = [](int size) { return 3.0 * std::log2(static_cast<double>(size)); };
    double best = parts(n - b, b) + fft_cost(b);
    int best_tail = 0;
    for (int p = 2 * b; 2 * p < n && p <= (1 << 20); p *= 2) {
        const double cost = parts(2 * p - b, b) + fft_cost(b) + parts(n - 2 * p, p) + fft_cost(p);
        if (cost < best) {
            best = cost;
            best_tail = p;
        }
    }
    ffts_.reserve(2);
    ffts_.emplace_back(2 * b);
    head_.fft = &ffts_[0];
    build_level(head_, b, h, b, best_tail > 0 ? 2 * best_tail : n);
    if (best_tail > 0) {
        ffts_.emplace_back(2 * best_tail);
        tail_.fft = &ffts_[1];
        build_level(tail_, best_tail, h, 2 * best_tail, n);
        tail_steps_ = best_tail / b;
        tail_.frame.assign(static_cast<std::size_t>(2 * best_tail), 0.0f);
        tail_.out_now.assign(static_cast<std::size_t>(best_tail), 0.0f);
        tail_.out_next.assign(static_cast<std::size_t>(best_tail), 0.0f);
    }
    input_.assign(static_cast<std::size_t>(2 * b), 0.0f);
    head_out_.assign(static_cast<std::size_t>(b), 0.0f);
}

inline void Convolver::build_level(Level& level, int size, const std::vector<float>& taps, int begin, int end) {
    level.size = size;
    level.parts = end > begin ? (end - begin + size - 1) / size : 0;
    const auto total = static_cast<std::size_t>(level.parts) * static_cast<std::size_t>(size);
    level.h_re.assign(total, 0.0f);
    level.h_im.assign(total, 0.0f);
    level.x_re.assign(total, 0.0f);
    level.x_im.assign(total, 0.0f);
    level.acc_re.assign(static_cast<std::size_t>(size), 0.0f);
    level.acc_im.assign(static_cast<std::size_t>(size), 0.0f);
    level.time.assign(static_cast<std::size_t>(2 * size), 0.0f);
    std::vector<float> padded(static_cast<std::size_t>(2 * size));
    const float scale = 1.0f / static_cast<float>(2 * size);  // a power of two: exact
    for (int p = 0; p < level.parts; ++p) {
        std::fill(padded.begin(), padded.end(), 0.0f);
        for (int i = 0; i < size; ++i) {
            const int t = begin + p * size + i;
            if (t < end) padded[static_cast<std::size_t>(i)] = taps[static_cast<std::size_t>(t)] * scale;
        }
        const auto offset = static_cast<std::size_t>(p) * static_cast<std::size_t>(size);
        level.fft->forward(padded.data(), level.h_re.data() + offset, level.h_im.data() + offset);
    }
}

inline std::size_t Convolver::memory_bytes() const noexcept {
    std::size_t floats = direct_taps_.capacity() + input_.capacity() + head_out_.capacity();
    for (const Level* l : {&head_, &tail_})
        floats += l->h_re.capacity() + l->h_im.capacity() + l->x_re.capacity() + l->x_im.capacity() +
                  l->acc_re.capacity() + l->acc_im.capacity() + l->frame.capacity() + l->time.capacity() +
                  l->out_now.capacity() + l->out_next.capacity();
    for (const RealFft& f : ffts_) floats += 3 * static_cast<std::size_t>(f.size());
    return sizeof(*this) + floats * sizeof(float);
}

inline void Convolver::reset() noexcept {
    for (Level* l : {&head_, &tail_}) {
        std::fill(l->x_re.begin(), l->x_re.end(), 0.0f);
        std::fill(l->x_im.begin(), l->x_im.end(), 0.0f);
        std::fill(l->acc_re.begin(), l->acc_re.end(), 0.0f);
        std::fill(l->acc_im.begin(), l->acc_im.end(), 0.0f);
        std::fill(l->frame.begin(), l->frame.end(), 0.0f);
        std::fill(l->out_now.begin(), l->out_now.end(), 0.0f);
        std::fill(l->out_next.begin(), l->out_next.end(), 0.0f);
        l->ring = 0;
    }
    std::fill(input_.begin(), input_.end(), 0.0f);
    std::fill(head_out_.begin(), head_out_.end(), 0.0f);
    tail_step_ = 0;
    pos_ = 0;
}

inline void Convolver::input_spectrum(Level& level, const float* frame) noexcept {
    level.ring = level.ring + 1 == level.parts ? 0 : level.ring + 1;
    const auto offset = static_cast<std::size_t>(level.ring) * static_cast<std::size_t>(level.size);
    level.fft->forward(frame, level.x_re.data() + offset, level.x_im.data() + offset);
}

// acc += Σ_{first ≤ p < last} X[newest − p] · H[p]
inline void Convolver::accumulate(Level& level, int first, int last) noexcept {
    const auto s = static_cast<std::size_t>(level.size);
    for (int p = first; p < last; ++p) {
        int slot = level.ring - p;
        if (slot < 0) slot += level.parts;
        const std::size_t x = static_cast<std::size_t>(slot) * s, h = static_cast<std::size_t>(p) * s;
        RealFft::multiply_accumulate(level.x_re.data() + x, level.x_im.data() + x, level.h_re.data() + h,
                                     level.h_im.data() + h, level.acc_re.data(), level.acc_im.data(), level.size);
    }
}

inline void Convolver::head_boundary() noexcept {
    // input_ holds [previous block | current block]: overlap-save keeps the last `block` outputs.
    if (head_.parts > 0) {
        input_spectrum(head_, input_.data());
        std::fill(head_.acc_re.begin(), head_.acc_re.end(), 0.0f);
        std::fill(head_.acc_im.begin(), head_.acc_im.end(), 0.0f);
        accumulate(head_, 0, head_.parts);
        head_.fft->inverse_unnormalized(head_.acc_re.data(), head_.acc_im.data(), head_.time.data());
        std::copy(head_.time.begin() + block_, head_.time.end(), head_out_.begin());
    }
    if (tail_.parts > 0) tail_boundary();
    std::copy(input_.begin() + block_, input_.end(), input_.begin());
}

inline void Convolver::tail_boundary() noexcept {
    const int p = tail_.size;
    // The current head block joins the tail frame.
    std::copy(input_.begin() + block_, input_.end(), tail_.frame.begin() + p + tail_step_ * block_);
    ++tail_step_;
    if (tail_step_ == tail_steps_) {
        // A frame is complete: its output starts 2P − P = P samples from now (the tail begins at tap
        // 2P); the result of the previous frame starts now.
        tail_step_ = 0;
        std::swap(tail_.out_now, tail_.out_next);
        input_spectrum(tail_, tail_.frame.data());
        std::copy(tail_.frame.begin() + p, tail_.frame.end(), tail_.frame.begin());
        std::fill(tail_.acc_re.begin(), tail_.acc_re.end(), 0.0f);
        std::fill(tail_.acc_im.begin(), tail_.acc_im.end(), 0.0f);
    }
    // This period's share of the partitions; the last share ends with the inverse transform.
    const int first = tail_.parts * tail_step_ / tail_steps_;
    const int last = tail_.parts * (tail_step_ + 1) / tail_steps_;
    accumulate(tail_, first, last);
    if (tail_step_ + 1 == tail_steps_) {
        tail_.fft->inverse_unnormalized(tail_.acc_re.data(), tail_.acc_im.data(), tail_.time.data());
        std::copy(tail_.time.begin() + p, tail_.time.end(), tail_.out_next.begin());
    }
}

// out[i] = Σ_t h[t]·x[pos + i − t] over the direct taps, x read from input_ (current block at block_).
inline void Convolver::direct(float* out, int pos, int m) const noexcept {
    using V = simd::float_batch;
    constexpr int lanes = simd::lanes<V>;
    const float* x = input_.data() + block_ + pos;
    const float* h = direct_taps_.data();
    int i = 0;
    for (; i + lanes <= m; i += lanes) {
        V acc0(0.0f), acc1(0.0f);
        int t = 0;
        for (; t + 2 <= block_; t += 2) {
            acc0 = simd::fma(simd::broadcast<V>(h[t]), simd::load<V>(x + i - t), acc0);
            acc1 = simd::fma(simd::broadcast<V>(h[t + 1]), simd::load<V>(x + i - t - 1), acc1);
        }
        simd::store(out + i, simd::load<V>(out + i) + (acc0 + acc1));
    }
    for (; i < m; ++i) {  // the same operations as one lane above, so any block split gives the same bits
        float acc0 = 0.0f, acc1 = 0.0f;
        for (int t = 0; t + 2 <= block_; t += 2) {
            acc0 = simd::fma(h[t], x[i - t], acc0);
            acc1 = simd::fma(h[t + 1], x[i - t - 1], acc1);
        }
        out[i] = out[i] + (acc0 + acc1);
    }
}

inline void Convolver::process(const float* in, float* out, int n) noexcept {
    for (int done = 0; done < n;) {
        const int m = std::min(n - done, block_ - pos_);
        float* dst = out + done;
        float* frame = input_.data() + block_ + pos_;
        for (int i = 0; i < m; ++i) frame[i] = std::isfinite(in[done + i]) ? in[done + i] : 0.0f;
        const float* tail = tail_.parts > 0 ? tail_.out_now.data() + tail_step_ * block_ + pos_ : nullptr;
        for (int i = 0; i < m; ++i) dst[i] = head_out_[static_cast<std::size_t>(pos_ + i)] + (tail ? tail[i] : 0.0f);
        if (direct_head_) direct(dst, pos_, m);
        pos_ += m;
        done += m;
        if (pos_ == block_) {
            pos_ = 0;
            head_boundary();
        }
    }
}

}  // namespace nofold::dsp
